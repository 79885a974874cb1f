# Loop-heavy code without classes: nested loops with arithmetic, function calls, list and dict
# operations, string building. Runs unchanged in CPython 3.11 and in wirecraft (benches/lang.rs).

def arith(n):
    total = 0
    for i in range(n):
        for j in range(40):
            total += (i * j) % 7 - (j // 3) + (i ^ j) & 15
    return total


def fib(n):
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)


def add3(a, b, c):
    return a + b * c


def calls(n):
    acc = 0
    for i in range(n):
        acc = add3(acc, i, 2) % 1000003
    return acc


def lists_dicts(n):
    counts = {}
    window = []
    for i in range(n):
        k = i % 97
        counts[k] = counts.get(k, 0) + i
        window.append(i * 2)
        if len(window) > 64:
            window.pop(0)
        if k in counts and i % 5 == 0:
            counts[k] -= 1
    keys = sorted(counts)
    return sum(counts.values()) + sum(window) + keys[-1] + len(keys)


def strings(n):
    parts = []
    s = ""
    for i in range(n):
        parts.append(str(i))
        if i % 10 == 0:
            s += "x%d," % (i % 7)
    joined = ",".join(parts)
    return len(joined) + len(s) + joined.count("9") + len(s.split(","))


print(arith(20000), fib(25), calls(500000), lists_dicts(400000), strings(400000))
