# The loop-heavy program of loops.py plus method calls on instances (needs classes).

class Accumulator:
    def __init__(self, start):
        self.total = start
        self.count = 0

    def add(self, v):
        self.total += v
        self.count += 1
        return self

    def mean(self):
        return self.total // max(self.count, 1)


class Point:
    def __init__(self, x, y):
        self.x = x
        self.y = y

    def moved(self, dx, dy):
        return Point(self.x + dx, self.y + dy)

    def norm1(self):
        return abs(self.x) + abs(self.y)


def objects(n):
    acc = Accumulator(0)
    p = Point(0, 0)
    for i in range(n):
        acc.add(i % 13)
        p = p.moved(1 if i % 2 else -2, i % 3 - 1)
    return acc.mean() + acc.count + p.norm1()


def arith(n):
    total = 0
    for i in range(n):
        for j in range(40):
            total += (i * j) % 7 - (j // 3) + (i ^ j) & 15
    return total


def lists_dicts(n):
    counts = {}
    window = []
    for i in range(n):
        k = i % 97
        counts[k] = counts.get(k, 0) + i
        window.append(i * 2)
        if len(window) > 64:
            window.pop(0)
    return sum(counts.values()) + sum(window)


def strings(n):
    parts = []
    for i in range(n):
        parts.append(str(i))
    return len(",".join(parts))


print(objects(500000), arith(12000), lists_dicts(300000), strings(300000))
