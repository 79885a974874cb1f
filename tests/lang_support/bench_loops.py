# Loop-heavy workload for comparing the campaign language with CPython 3.11 (each pN runs
# one kind of code). Compare: python3 -c "exec(open(F).read()); [p() for p in (p1,p2,p3,p4,p5,p6)]"
# against: wirecraft -t T.uts -m F where T.uts has one test per pN (for _ in range(8): pN()).
class Vec:
    def __init__(self, x, y):
        self.x = x
        self.y = y
    def add(self, o):
        return Vec(self.x + o.x, self.y + o.y)
    def dot(self, o):
        return self.x * o.x + self.y * o.y

def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)

def p1():
    total = 0
    for i in range(600):
        for j in range(600):
            total += (i * j) % 7
    return total

def p2():
    total = 0
    v = Vec(0, 0)
    for i in range(200000):
        v = v.add(Vec(1, 2))
        total += v.dot(v) % 3
    return total

def p3():
    d = {}
    l = []
    for i in range(300000):
        d[i % 1000] = d.get(i % 1000, 0) + 1
        l.append(i * 2)
    return len(d) + len(l)

def p4():
    s = ''
    for i in range(50000):
        s += str(i)
    parts = []
    for i in range(50000):
        parts.append('%d:%s' % (i, i))
    return len(s) + len(','.join(parts))

def p5():
    return fib(25)

def p6():
    return sum([x * x for x in range(300000) if x % 3])
