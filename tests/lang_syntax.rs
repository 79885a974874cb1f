//! Syntax constructs of the subset (functions, closures, comprehensions, f-strings, exceptions,
//! assignment targets) run as console snippets. Each expected transcript is what CPython 3.11's
//! console prints for the same lines (generated with tests/lang_support/pyconsole.py; Python
//! 3.11's caret lines under traceback entries are not part of the transcript format).
mod lang_support;
use lang_support::*;

fn check(src: &str, expected: &str) {
    let got = transcript(src);
    assert_eq!(
        got, expected,
        "\n--- got:\n{got}\n--- expected:\n{expected}"
    );
}

#[test]
fn signatures_and_call_errors() {
    check(
        r#"def f(a, b=2, *args, c, d=4, **kw):
    return (a, b, args, c, d, kw)

f(1, c=3)
f(1, 2, 3, 4, c=5, e=6)
f(*[1, 2], **{'c': 3})
def g(x, /, y):
    return x + y

g(1, y=2)
g(x=1, y=2)
f()
f(1, 2, c=3, a=4)
f(1, c=3, zz=1) if False else 0
def h(a, b):
    pass

h(1, 2, 3)
h(1)
h(1, b=2, c=3)
def k(*, a):
    return a

k(1)
k()"#,
        r#">>> def f(a, b=2, *args, c, d=4, **kw):
...     return (a, b, args, c, d, kw)
... 
>>> f(1, c=3)
(1, 2, (), 3, 4, {})
>>> f(1, 2, 3, 4, c=5, e=6)
(1, 2, (3, 4), 5, 4, {'e': 6})
>>> f(*[1, 2], **{'c': 3})
(1, 2, (), 3, 4, {})
>>> def g(x, /, y):
...     return x + y
... 
>>> g(1, y=2)
3
>>> g(x=1, y=2)
Traceback (most recent call last):
  File "t.uts", line 11, in <module>
    g(x=1, y=2)
TypeError: g() got some positional-only arguments passed as keyword arguments: 'x'
"#,
    );
}

#[test]
fn closures_lambdas_decorators() {
    check(
        r#"def counter():
    n = 0
    def inc():
        nonlocal n
        n += 1
        return n
    return inc

c = counter()
c(), c(), c()
def outer(x):
    def mid():
        def inner():
            return x * 2
        return inner()
    return mid()

outer(21)
adders = [lambda y, i=i: y + i for i in range(3)]
[a(10) for a in adders]
late = [lambda: i for i in range(3)]
[f() for f in late]
g = 1
def setg():
    global g
    g = 5

setg(); g
sq = lambda x, y=2: x ** y
sq(3), sq(2, 10)
def fact(n):
    return 1 if n <= 1 else n * fact(n - 1)

fact(20)
def deco(fn):
    def wrapper(*a, **k):
        return ('wrapped', fn(*a, **k))
    return wrapper

@deco
def add(a, b):
    return a + b

add(1, 2)
def f():
    x = 1
    def g():
        print(x)
        x = 2
    g()

f()"#,
        r#">>> def counter():
...     n = 0
...     def inc():
...         nonlocal n
...         n += 1
...         return n
...     return inc
... 
>>> c = counter()
>>> c(), c(), c()
(1, 2, 3)
>>> def outer(x):
...     def mid():
...         def inner():
...             return x * 2
...         return inner()
...     return mid()
... 
>>> outer(21)
42
>>> adders = [lambda y, i=i: y + i for i in range(3)]
>>> [a(10) for a in adders]
[10, 11, 12]
>>> late = [lambda: i for i in range(3)]
>>> [f() for f in late]
[2, 2, 2]
>>> g = 1
>>> def setg():
...     global g
...     g = 5
... 
>>> setg(); g
5
>>> sq = lambda x, y=2: x ** y
>>> sq(3), sq(2, 10)
(9, 1024)
>>> def fact(n):
...     return 1 if n <= 1 else n * fact(n - 1)
... 
>>> fact(20)
2432902008176640000
>>> def deco(fn):
...     def wrapper(*a, **k):
...         return ('wrapped', fn(*a, **k))
...     return wrapper
... 
>>> @deco
... def add(a, b):
...     return a + b
... 
>>> add(1, 2)
('wrapped', 3)
>>> def f():
...     x = 1
...     def g():
...         print(x)
...         x = 2
...     g()
... 
>>> f()
Traceback (most recent call last):
  File "t.uts", line 52, in <module>
    f()
  File "t.uts", line 50, in f
    g()
  File "t.uts", line 48, in g
    print(x)
UnboundLocalError: cannot access local variable 'x' where it is not associated with a value
"#,
    );
}

#[test]
fn comprehensions_and_generators() {
    check(
        r#"[x * y for x in range(3) for y in range(3) if x != y]
{x: x ** 2 for x in range(5) if x % 2}
sorted({c for c in "hello"})
sum(x for x in range(10))
list(x for x in [])
any(print(x) or x > 1 for x in range(5))
all(x < 3 for x in range(5))
g = (x * 2 for x in range(3))
next(g), next(g), next(g)
next(g)"#,
        r#">>> [x * y for x in range(3) for y in range(3) if x != y]
[0, 0, 0, 2, 0, 2]
>>> {x: x ** 2 for x in range(5) if x % 2}
{1: 1, 3: 9}
>>> sorted({c for c in "hello"})
['e', 'h', 'l', 'o']
>>> sum(x for x in range(10))
45
>>> list(x for x in [])
[]
>>> any(print(x) or x > 1 for x in range(5))
0
1
2
True
>>> all(x < 3 for x in range(5))
False
>>> g = (x * 2 for x in range(3))
>>> next(g), next(g), next(g)
(0, 2, 4)
>>> next(g)
Traceback (most recent call last):
  File "t.uts", line 10, in <module>
    next(g)
StopIteration
"#,
    );
}

#[test]
fn comprehension_scope_and_traceback() {
    check(
        r#"x = 10
[x for x in range(3)]
x
[1 / (i - 2) for i in range(5)]"#,
        r#">>> x = 10
>>> [x for x in range(3)]
[0, 1, 2]
>>> x
10
>>> [1 / (i - 2) for i in range(5)]
Traceback (most recent call last):
  File "t.uts", line 4, in <module>
    [1 / (i - 2) for i in range(5)]
  File "t.uts", line 4, in <listcomp>
    [1 / (i - 2) for i in range(5)]
ZeroDivisionError: division by zero
"#,
    );
}

#[test]
fn fstrings() {
    check(
        r#"x = 3.14159; name = 'bob'; n = 42
f"{x:.2f} {name!r} {n:>5} {n:#x} {{lit}}"
f"{name=} {n = }"
f"{'nested'} {[1, 2][0]} {x:{'.3f'}}"
f"{n:{'>'}{10}}"
w = 8
f'{name:>{w}}|'
f"{n!s:>4}"
rf"\d{n}"
f"{'é'!a}""#,
        r#">>> x = 3.14159; name = 'bob'; n = 42
>>> f"{x:.2f} {name!r} {n:>5} {n:#x} {{lit}}"
"3.14 'bob'    42 0x2a {lit}"
>>> f"{name=} {n = }"
"name='bob' n = 42"
>>> f"{'nested'} {[1, 2][0]} {x:{'.3f'}}"
'nested 1 3.142'
>>> f"{n:{'>'}{10}}"
'        42'
>>> w = 8
>>> f'{name:>{w}}|'
'     bob|'
>>> f"{n!s:>4}"
'  42'
>>> rf"\d{n}"
'\\d42'
>>> f"{'é'!a}"
"'\\xe9'"
"#,
    );
}

#[test]
fn try_except_else_finally() {
    check(
        r#"try:
    1/0
except ZeroDivisionError as e:
    print('caught', e, repr(e), e.args)

try:
    {}['k']
except (IndexError, KeyError) as e:
    print(type(e).__name__, e)
else:
    print('no')
finally:
    print('fin')

try:
    pass
except:
    pass
else:
    print('else ran')

def f():
    try:
        return 1
    finally:
        print('finally in f')

f()
for i in range(3):
    try:
        if i == 1:
            continue
        print(i)
    finally:
        print('f', i)

class MyErr(Exception):
    pass

try:
    raise MyErr('boom', 2)
except Exception as e:
    print(repr(e), str(e), e.args, isinstance(e, MyErr))

e"#,
        r#">>> try:
...     1/0
... except ZeroDivisionError as e:
...     print('caught', e, repr(e), e.args)
... 
caught division by zero ZeroDivisionError('division by zero') ('division by zero',)
>>> try:
...     {}['k']
... except (IndexError, KeyError) as e:
...     print(type(e).__name__, e)
... else:
...     print('no')
... finally:
...     print('fin')
... 
KeyError 'k'
fin
>>> try:
...     pass
... except:
...     pass
... else:
...     print('else ran')
... 
else ran
>>> def f():
...     try:
...         return 1
...     finally:
...         print('finally in f')
... 
>>> f()
finally in f
1
>>> for i in range(3):
...     try:
...         if i == 1:
...             continue
...         print(i)
...     finally:
...         print('f', i)
... 
0
f 0
f 1
2
f 2
>>> class MyErr(Exception):
...     pass
... 
>>> try:
...     raise MyErr('boom', 2)
... except Exception as e:
...     print(repr(e), str(e), e.args, isinstance(e, MyErr))
... 
MyErr('boom', 2) ('boom', 2) ('boom', 2) True
>>> e
Traceback (most recent call last):
  File "t.uts", line 45, in <module>
    e
NameError: name 'e' is not defined
"#,
    );
}

#[test]
fn raise_from_prints_the_cause() {
    check(
        r#"def f():
    raise ValueError('inner')

try:
    f()
except ValueError as e:
    raise RuntimeError('outer') from e"#,
        r#">>> def f():
...     raise ValueError('inner')
... 
>>> try:
...     f()
... except ValueError as e:
...     raise RuntimeError('outer') from e
... 
Traceback (most recent call last):
  File "t.uts", line 5, in <module>
    f()
  File "t.uts", line 2, in f
    raise ValueError('inner')
ValueError: inner

The above exception was the direct cause of the following exception:

Traceback (most recent call last):
  File "t.uts", line 7, in <module>
    raise RuntimeError('outer') from e
RuntimeError: outer
"#,
    );
}

#[test]
fn error_while_handling_prints_the_context() {
    check(
        r#"try:
    1/0
except ZeroDivisionError:
    {}['missing']"#,
        r#">>> try:
...     1/0
... except ZeroDivisionError:
...     {}['missing']
... 
Traceback (most recent call last):
  File "t.uts", line 2, in <module>
    1/0
ZeroDivisionError: division by zero

During handling of the above exception, another exception occurred:

Traceback (most recent call last):
  File "t.uts", line 4, in <module>
    {}['missing']
KeyError: 'missing'
"#,
    );
}

#[test]
fn bare_raise_keeps_the_traceback() {
    check(
        r#"def f():
    try:
        1/0
    except ZeroDivisionError:
        raise

f()"#,
        r#">>> def f():
...     try:
...         1/0
...     except ZeroDivisionError:
...         raise
... 
>>> f()
Traceback (most recent call last):
  File "t.uts", line 7, in <module>
    f()
  File "t.uts", line 3, in f
    1/0
ZeroDivisionError: division by zero
"#,
    );
}

#[test]
fn raise_from_none_hides_the_context() {
    check(
        r#"try:
    1/0
except ZeroDivisionError:
    raise KeyError('x') from None"#,
        r#">>> try:
...     1/0
... except ZeroDivisionError:
...     raise KeyError('x') from None
... 
Traceback (most recent call last):
  File "t.uts", line 4, in <module>
    raise KeyError('x') from None
KeyError: 'x'
"#,
    );
}

#[test]
fn raising_a_caught_exception_again() {
    check(
        r#"try:
    1/0
except Exception as e:
    err = e

raise err"#,
        r#">>> try:
...     1/0
... except Exception as e:
...     err = e
... 
>>> raise err
Traceback (most recent call last):
  File "t.uts", line 6, in <module>
    raise err
  File "t.uts", line 2, in <module>
    1/0
ZeroDivisionError: division by zero
"#,
    );
}

#[test]
fn error_in_finally_chains() {
    check(
        r#"def g():
    try:
        raise ValueError('a')
    finally:
        print('cleanup')
        raise TypeError('b')

g()"#,
        r#">>> def g():
...     try:
...         raise ValueError('a')
...     finally:
...         print('cleanup')
...         raise TypeError('b')
... 
>>> g()
cleanup
Traceback (most recent call last):
  File "t.uts", line 3, in g
    raise ValueError('a')
ValueError: a

During handling of the above exception, another exception occurred:

Traceback (most recent call last):
  File "t.uts", line 8, in <module>
    g()
  File "t.uts", line 6, in g
    raise TypeError('b')
TypeError: b
"#,
    );
}

#[test]
fn lambda_frames() {
    check(
        r#"f = lambda x: 1 / x
f(0)"#,
        r#">>> f = lambda x: 1 / x
>>> f(0)
Traceback (most recent call last):
  File "t.uts", line 2, in <module>
    f(0)
  File "t.uts", line 1, in <lambda>
    f = lambda x: 1 / x
ZeroDivisionError: division by zero
"#,
    );
}

#[test]
fn listcomp_frames() {
    check(
        r#"def g(n):
    return [10 // i for i in range(n)]

g(3)"#,
        r#">>> def g(n):
...     return [10 // i for i in range(n)]
... 
>>> g(3)
Traceback (most recent call last):
  File "t.uts", line 4, in <module>
    g(3)
  File "t.uts", line 2, in g
    return [10 // i for i in range(n)]
  File "t.uts", line 2, in <listcomp>
    return [10 // i for i in range(n)]
ZeroDivisionError: integer division or modulo by zero
"#,
    );
}

#[test]
fn genexpr_frames() {
    check(
        r#"sum(1 / x for x in [1, 0])"#,
        r#">>> sum(1 / x for x in [1, 0])
Traceback (most recent call last):
  File "t.uts", line 1, in <module>
    sum(1 / x for x in [1, 0])
  File "t.uts", line 1, in <genexpr>
    sum(1 / x for x in [1, 0])
ZeroDivisionError: division by zero
"#,
    );
}

#[test]
fn assignment_targets() {
    check(
        r#"a, *b = [1, 2, 3]; a, b
*a, b = 'xyz'; a, b
a, *b, c = range(5); a, b, c
x = y = z = [0]; x is z
l = list(range(10))
l[::2] = 'abcde'; l
l[1:3] = []; l
del l[::3]; l
(p, q), r = (1, 2), 3; p, q, r
for i, (j, k) in enumerate([(1, 2), (3, 4)]):
    print(i, j, k)

class O: pass
o = O(); o.a = 1; o.b = 2
del o.a; vars(o)
d = {'k': [1, 2]}
d['k'][0] += 5; d
a, *b = 1"#,
        r#">>> a, *b = [1, 2, 3]; a, b
(1, [2, 3])
>>> *a, b = 'xyz'; a, b
(['x', 'y'], 'z')
>>> a, *b, c = range(5); a, b, c
(0, [1, 2, 3], 4)
>>> x = y = z = [0]; x is z
True
>>> l = list(range(10))
>>> l[::2] = 'abcde'; l
['a', 1, 'b', 3, 'c', 5, 'd', 7, 'e', 9]
>>> l[1:3] = []; l
['a', 3, 'c', 5, 'd', 7, 'e', 9]
>>> del l[::3]; l
[3, 'c', 'd', 7, 9]
>>> (p, q), r = (1, 2), 3; p, q, r
(1, 2, 3)
>>> for i, (j, k) in enumerate([(1, 2), (3, 4)]):
...     print(i, j, k)
... 
0 1 2
1 3 4
>>> class O: pass
... o = O(); o.a = 1; o.b = 2
  File "t.uts", line 14
    o = O(); o.a = 1; o.b = 2
    ^
SyntaxError: invalid syntax
"#,
    );
}

#[test]
fn default_order_is_a_syntax_error() {
    check(
        r#"def f(a=1, b):
    pass
"#,
        r#">>> def f(a=1, b):
  File "t.uts", line 1
    def f(a=1, b):
               ^
SyntaxError: non-default argument follows default argument
"#,
    );
}

#[test]
fn try_needs_except_or_finally() {
    check(
        r#"try:
    x = 1

y = 2"#,
        r#">>> try:
...     x = 1
... 
... y = 2
  File "t.uts", line 4
    y = 2
    ^
SyntaxError: expected 'except' or 'finally' block
"#,
    );
}

#[test]
fn too_many_positional_with_keyword_only() {
    check(
        r#"def f(a, b, *, c):
    pass

f(1, 2, 3)"#,
        r#">>> def f(a, b, *, c):
...     pass
... 
>>> f(1, 2, 3)
Traceback (most recent call last):
  File "t.uts", line 4, in <module>
    f(1, 2, 3)
TypeError: f() takes 2 positional arguments but 3 were given
"#,
    );
}

#[test]
fn missing_keyword_only() {
    check(
        r#"def f(a, b, *, c, d):
    pass

f(1, 2)"#,
        r#">>> def f(a, b, *, c, d):
...     pass
... 
>>> f(1, 2)
Traceback (most recent call last):
  File "t.uts", line 4, in <module>
    f(1, 2)
TypeError: f() missing 2 required keyword-only arguments: 'c' and 'd'
"#,
    );
}

#[test]
fn multiple_values() {
    check(
        r#"def f(a, b=1):
    pass

f(1, 2, 3, b=4)"#,
        r#">>> def f(a, b=1):
...     pass
... 
>>> f(1, 2, 3, b=4)
Traceback (most recent call last):
  File "t.uts", line 4, in <module>
    f(1, 2, 3, b=4)
TypeError: f() got multiple values for argument 'b'
"#,
    );
}

#[test]
fn positional_only_as_keyword() {
    check(
        r#"def f(a, /, b):
    pass

f(a=1, b=2)"#,
        r#">>> def f(a, /, b):
...     pass
... 
>>> f(a=1, b=2)
Traceback (most recent call last):
  File "t.uts", line 4, in <module>
    f(a=1, b=2)
TypeError: f() got some positional-only arguments passed as keyword arguments: 'a'
"#,
    );
}

#[test]
fn unbound_free_variable() {
    check(
        r#"def f():
    def g():
        return v
    return g()
    v = 1

f()"#,
        r#">>> def f():
...     def g():
...         return v
...     return g()
...     v = 1
... 
>>> f()
Traceback (most recent call last):
  File "t.uts", line 7, in <module>
    f()
  File "t.uts", line 4, in f
    return g()
  File "t.uts", line 3, in g
    return v
NameError: cannot access free variable 'v' where it is not associated with a value in enclosing scope
"#,
    );
}

#[test]
fn with_needs_a_context_manager() {
    check(
        r#"with 5:
    pass"#,
        r#">>> with 5:
...     pass
... 
Traceback (most recent call last):
  File "t.uts", line 1, in <module>
    with 5:
TypeError: 'int' object does not support the context manager protocol
"#,
    );
}

#[test]
fn assertion_chained() {
    check(
        r#"def check(x):
    try:
        assert x > 0, 'must be positive'
    except AssertionError as e:
        raise ValueError('bad input') from e

check(-1)"#,
        r#">>> def check(x):
...     try:
...         assert x > 0, 'must be positive'
...     except AssertionError as e:
...         raise ValueError('bad input') from e
... 
>>> check(-1)
Traceback (most recent call last):
  File "t.uts", line 3, in check
    assert x > 0, 'must be positive'
AssertionError: must be positive

The above exception was the direct cause of the following exception:

Traceback (most recent call last):
  File "t.uts", line 7, in <module>
    check(-1)
  File "t.uts", line 5, in check
    raise ValueError('bad input') from e
ValueError: bad input
"#,
    );
}

#[test]
fn except_name_is_deleted() {
    check(
        r#"try:
    1/0
except Exception as err:
    pass

err"#,
        r#">>> try:
...     1/0
... except Exception as err:
...     pass
... 
>>> err
Traceback (most recent call last):
  File "t.uts", line 6, in <module>
    err
NameError: name 'err' is not defined
"#,
    );
}

#[test]
fn za_mixed_constructs() {
    check(
        r#"def f(*args, **kwargs):
    return args, kwargs

f(1, *[2, 3], x=1, **{'y': 2})
(lambda *a, **k: (a, k))(1, z=2)
def outer():
    x = []
    def add(v):
        x.append(v)
        return x
    return add

add = outer(); add(1); add(2)
[(i, j) for i in range(3) if i for j in range(i)]
{k: v for k, v in zip('abc', range(3))}
x = 5
def shadow():
    return [x for x in range(3)], x

shadow()
f"{3:04d}|{'a':^5}|{2.5:e}|{10:b}|{1234567:,}"
class A:
    x = 1
    y = [x * 2 for _ in range(2)] if False else 0
    def get(self):
        return self.x

A().get(), A.y
isinstance(3, (str, int)), callable(A), callable(A()), callable(len)
try:
    raise NotImplementedError
except RuntimeError as e:
    print(type(e).__name__, repr(e))

try:
    try:
        raise KeyError(1)
    finally:
        print('inner finally')
except LookupError as e:
    print('outer', e)

def ret_in_finally():
    try:
        raise ValueError
    finally:
        return 'swallowed'

ret_in_finally()"#,
        r#">>> def f(*args, **kwargs):
...     return args, kwargs
... 
>>> f(1, *[2, 3], x=1, **{'y': 2})
((1, 2, 3), {'x': 1, 'y': 2})
>>> (lambda *a, **k: (a, k))(1, z=2)
((1,), {'z': 2})
>>> def outer():
...     x = []
...     def add(v):
...         x.append(v)
...         return x
...     return add
... 
>>> add = outer(); add(1); add(2)
[1]
[1, 2]
>>> [(i, j) for i in range(3) if i for j in range(i)]
[(1, 0), (2, 0), (2, 1)]
>>> {k: v for k, v in zip('abc', range(3))}
{'a': 0, 'b': 1, 'c': 2}
>>> x = 5
>>> def shadow():
...     return [x for x in range(3)], x
... 
>>> shadow()
([0, 1, 2], 5)
>>> f"{3:04d}|{'a':^5}|{2.5:e}|{10:b}|{1234567:,}"
'0003|  a  |2.500000e+00|1010|1,234,567'
>>> class A:
...     x = 1
...     y = [x * 2 for _ in range(2)] if False else 0
...     def get(self):
...         return self.x
... 
>>> A().get(), A.y
(1, 0)
>>> isinstance(3, (str, int)), callable(A), callable(A()), callable(len)
(True, True, False, True)
>>> try:
...     raise NotImplementedError
... except RuntimeError as e:
...     print(type(e).__name__, repr(e))
... 
NotImplementedError NotImplementedError()
>>> try:
...     try:
...         raise KeyError(1)
...     finally:
...         print('inner finally')
... except LookupError as e:
...     print('outer', e)
... 
inner finally
outer 1
>>> def ret_in_finally():
...     try:
...         raise ValueError
...     finally:
...         return 'swallowed'
... 
>>> ret_in_finally()
'swallowed'
"#,
    );
}

/// Runs `src` in a session on its own thread and requests `reason` after 100 ms.
fn stopped(src: &str, reason: wirecraft::lang::StopReason) -> (String, wirecraft::lang::Outcome) {
    use wirecraft::lang::{Session, SourceLine, StopFlag};
    let stop = StopFlag::new();
    let s2 = stop.clone();
    let src = src.to_string();
    let h = std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(move || {
            let mut s = Session::new("t.uts", s2);
            let lines: Vec<SourceLine> = src
                .split('\n')
                .enumerate()
                .map(|(i, t)| SourceLine {
                    line: i as u32 + 1,
                    text: t,
                })
                .collect();
            let mut out = String::new();
            let o = s.run_console(&lines, &mut out);
            (out, o)
        })
        .expect("spawn");
    std::thread::sleep(std::time::Duration::from_millis(100));
    stop.request(reason);
    h.join().expect("join")
}

#[test]
fn timeout_cannot_be_caught() {
    use wirecraft::lang::{Outcome, StopReason};
    let (t, o) = stopped(
        "try:\n    while True: pass\nexcept BaseException:\n    print('caught')\nfinally:\n    print('finally')\n",
        StopReason::Timeout,
    );
    assert_eq!(o, Outcome::Stopped(StopReason::Timeout));
    assert!(!t.lines().any(|l| l == "caught" || l == "finally"), "{t}");
}

#[test]
fn interrupt_is_not_an_exception_subclass() {
    use wirecraft::lang::{Outcome, StopReason};
    let (t, o) = stopped(
        "try:\n    while True: pass\nexcept Exception:\n    print('wrongly caught')\n",
        StopReason::Interrupt,
    );
    assert_eq!(o, Outcome::Stopped(StopReason::Interrupt));
    assert!(!t.lines().any(|l| l == "wrongly caught"), "{t}");
    assert!(t.ends_with("KeyboardInterrupt\n"), "{t}");
}

#[test]
fn interrupt_can_be_caught_by_bare_except_and_base_exception() {
    use wirecraft::lang::{Outcome, StopReason};
    for handler in [
        "except:",
        "except BaseException as e:",
        "except KeyboardInterrupt:",
    ] {
        let src = format!("try:\n    while True: pass\n{handler}\n    print('caught')\n");
        let (t, o) = stopped(&src, StopReason::Interrupt);
        assert!(t.ends_with("caught\n"), "{t}");
        assert_eq!(o, Outcome::Completed { result: None });
    }
}

#[test]
fn constructs_outside_the_subset_stay_syntax_errors() {
    for (src, msg) in [
        ("f = lambda: (yield)", "`yield` is not supported"),
        ("def g():\n    yield 1\n", "`yield` is not supported"),
        ("async def f(): pass", "`async` is not supported"),
        (
            "if (n := 10) > 5: pass",
            "the walrus operator `:=` is not supported",
        ),
        ("x = a @ b", "the `@` operator is not supported"),
    ] {
        let t = transcript(src);
        assert!(t.ends_with(&format!("SyntaxError: {msg}\n")), "{src}:\n{t}");
        assert!(t.contains("  File \"t.uts\", line "), "{t}");
    }
}

#[test]
fn import_statements_reach_the_module_hook() {
    // `scapy` and `wirecraft` imports are no-ops; names come from the session's namespace.
    check(
        "from scapy.all import *\nimport scapy.layers.inet\nfrom wirecraft import len as L\nL('abc')\nfrom scapy.all import nothing_like_this",
        ">>> from scapy.all import *\n>>> import scapy.layers.inet\n>>> from wirecraft import len as L\n>>> L('abc')\n3\n>>> from scapy.all import nothing_like_this\nTraceback (most recent call last):\n  File \"t.uts\", line 5, in <module>\n    from scapy.all import nothing_like_this\nImportError: cannot import name 'nothing_like_this' from 'scapy.all' (unknown location)\n",
    );
    check(
        "import no_such_module",
        ">>> import no_such_module\nTraceback (most recent call last):\n  File \"t.uts\", line 1, in <module>\n    import no_such_module\nModuleNotFoundError: No module named 'no_such_module'\n",
    );
}
