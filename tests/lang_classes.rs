//! Classes: instances, inheritance and the MRO, `super()`, special methods, properties,
//! static and class methods, attribute hooks, context managers and user exceptions, run as
//! console snippets. Each expected transcript is what CPython 3.11's console prints for the
//! same lines (generated with tests/lang_support/pyconsole.py).
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
fn instances_methods_operators() {
    check(
        r#"class Point:
    """A point."""
    dims = 2
    def __init__(self, x, y):
        self.x = x
        self.y = y
    def __repr__(self):
        return f'Point({self.x}, {self.y})'
    def __add__(self, o):
        return Point(self.x + o.x, self.y + o.y)
    def __eq__(self, o):
        return isinstance(o, Point) and (self.x, self.y) == (o.x, o.y)
    def norm2(self):
        return self.x ** 2 + self.y ** 2

p = Point(1, 2)
p
p + Point(3, 4)
p == Point(1, 2), p != Point(1, 2), p == 3
p.norm2(), Point.dims, p.dims, Point.__doc__
[p, Point(0, 0)]
str(p)
vars(p)
p.z
Point.norm2(p)
type(p).__name__, p.__class__ is Point
isinstance(p, Point), isinstance(p, object), issubclass(Point, object)
hash(p)"#,
        r#">>> class Point:
...     """A point."""
...     dims = 2
...     def __init__(self, x, y):
...         self.x = x
...         self.y = y
...     def __repr__(self):
...         return f'Point({self.x}, {self.y})'
...     def __add__(self, o):
...         return Point(self.x + o.x, self.y + o.y)
...     def __eq__(self, o):
...         return isinstance(o, Point) and (self.x, self.y) == (o.x, o.y)
...     def norm2(self):
...         return self.x ** 2 + self.y ** 2
... 
>>> p = Point(1, 2)
>>> p
Point(1, 2)
>>> p + Point(3, 4)
Point(4, 6)
>>> p == Point(1, 2), p != Point(1, 2), p == 3
(True, False, False)
>>> p.norm2(), Point.dims, p.dims, Point.__doc__
(5, 2, 2, 'A point.')
>>> [p, Point(0, 0)]
[Point(1, 2), Point(0, 0)]
>>> str(p)
'Point(1, 2)'
>>> vars(p)
{'x': 1, 'y': 2}
>>> p.z
Traceback (most recent call last):
  File "t.uts", line 24, in <module>
    p.z
AttributeError: 'Point' object has no attribute 'z'
"#,
    );
}

#[test]
fn inheritance_mro_super() {
    check(
        r#"class A:
    def who(self):
        return 'A'
    def hello(self):
        return 'hello from ' + self.who()

class B(A):
    def who(self):
        return 'B+' + super().who()

class C(A):
    def who(self):
        return 'C+' + super().who()

class D(B, C):
    def who(self):
        return 'D+' + super(D, self).who()

D().hello()
[k.__name__ for k in D.__mro__]
class X: pass
class Y(X): pass
issubclass(Y, X), isinstance(Y(), X)
class Bad(X, Y): pass"#,
        r#">>> class A:
...     def who(self):
...         return 'A'
...     def hello(self):
...         return 'hello from ' + self.who()
... 
>>> class B(A):
...     def who(self):
...         return 'B+' + super().who()
... 
>>> class C(A):
...     def who(self):
...         return 'C+' + super().who()
... 
>>> class D(B, C):
...     def who(self):
...         return 'D+' + super(D, self).who()
... 
>>> D().hello()
'hello from D+B+C+A'
>>> [k.__name__ for k in D.__mro__]
['D', 'B', 'C', 'A', 'object']
>>> class X: pass
... class Y(X): pass
  File "t.uts", line 22
    class Y(X): pass
    ^^^^^
SyntaxError: invalid syntax
"#,
    );
}

#[test]
fn container_protocols() {
    check(
        r#"class V:
    def __init__(self, *items):
        self.items = list(items)
    def __len__(self):
        return len(self.items)
    def __getitem__(self, i):
        return self.items[i]
    def __setitem__(self, i, v):
        self.items[i] = v
    def __delitem__(self, i):
        del self.items[i]
    def __contains__(self, x):
        return x in self.items
    def __iter__(self):
        return iter(self.items)
    def __bool__(self):
        return bool(self.items)
    def __call__(self, k):
        return k * 2
    def __lt__(self, o):
        return len(self) < len(o)
    def __mul__(self, n):
        return V(*(self.items * n))
    def __rmul__(self, n):
        return self * n
    def __neg__(self):
        return V(*[-x for x in self.items])
    def __repr__(self):
        return 'V' + repr(tuple(self.items))

v = V(1, 2, 3)
len(v), v[0], v[1:], 2 in v, 5 in v
v[0] = 10; v
del v[1]; v
list(v), sum(v), sorted(V(3, 1, 2))
bool(V()), bool(v)
v(21)
V(1) < V(1, 2), V(1, 2) > V(1)
v * 2, 2 * v, -v
x, y = v; x, y
max(V(1, 2), V(1), key=len)
for i in v:
    print(i)

v + 1"#,
        r#">>> class V:
...     def __init__(self, *items):
...         self.items = list(items)
...     def __len__(self):
...         return len(self.items)
...     def __getitem__(self, i):
...         return self.items[i]
...     def __setitem__(self, i, v):
...         self.items[i] = v
...     def __delitem__(self, i):
...         del self.items[i]
...     def __contains__(self, x):
...         return x in self.items
...     def __iter__(self):
...         return iter(self.items)
...     def __bool__(self):
...         return bool(self.items)
...     def __call__(self, k):
...         return k * 2
...     def __lt__(self, o):
...         return len(self) < len(o)
...     def __mul__(self, n):
...         return V(*(self.items * n))
...     def __rmul__(self, n):
...         return self * n
...     def __neg__(self):
...         return V(*[-x for x in self.items])
...     def __repr__(self):
...         return 'V' + repr(tuple(self.items))
... 
>>> v = V(1, 2, 3)
>>> len(v), v[0], v[1:], 2 in v, 5 in v
(3, 1, [2, 3], True, False)
>>> v[0] = 10; v
V(10, 2, 3)
>>> del v[1]; v
V(10, 3)
>>> list(v), sum(v), sorted(V(3, 1, 2))
([10, 3], 13, [1, 2, 3])
>>> bool(V()), bool(v)
(False, True)
>>> v(21)
42
>>> V(1) < V(1, 2), V(1, 2) > V(1)
(True, True)
>>> v * 2, 2 * v, -v
(V(10, 3, 10, 3), V(10, 3, 10, 3), V(-10, -3))
>>> x, y = v; x, y
(10, 3)
>>> max(V(1, 2), V(1), key=len)
V(1, 2)
>>> for i in v:
...     print(i)
... 
10
3
>>> v + 1
Traceback (most recent call last):
  File "t.uts", line 45, in <module>
    v + 1
TypeError: unsupported operand type(s) for +: 'V' and 'int'
"#,
    );
}

#[test]
fn iterators() {
    check(
        r#"class Count:
    def __init__(self, n):
        self.n = n
        self.i = 0
    def __iter__(self):
        return self
    def __next__(self):
        if self.i >= self.n:
            raise StopIteration
        self.i += 1
        return self.i

list(Count(3))
[x * 10 for x in Count(2)]
it = iter(Count(2)); next(it), next(it), next(it, 'done')
class Inf:
    def __iter__(self): return self
    def __next__(self): return 1

for x in Inf():
    break

next(x for x in Inf())
any(x for x in Inf())
class Seq:
    def __getitem__(self, i):
        if i >= 3:
            raise IndexError
        return i * i

list(Seq())"#,
        r#">>> class Count:
...     def __init__(self, n):
...         self.n = n
...         self.i = 0
...     def __iter__(self):
...         return self
...     def __next__(self):
...         if self.i >= self.n:
...             raise StopIteration
...         self.i += 1
...         return self.i
... 
>>> list(Count(3))
[1, 2, 3]
>>> [x * 10 for x in Count(2)]
[10, 20]
>>> it = iter(Count(2)); next(it), next(it), next(it, 'done')
(1, 2, 'done')
>>> class Inf:
...     def __iter__(self): return self
...     def __next__(self): return 1
... 
>>> for x in Inf():
...     break
... 
>>> next(x for x in Inf())
1
>>> any(x for x in Inf())
True
>>> class Seq:
...     def __getitem__(self, i):
...         if i >= 3:
...             raise IndexError
...         return i * i
... 
>>> list(Seq())
[0, 1, 4]
"#,
    );
}

#[test]
fn properties_static_class_methods() {
    check(
        r#"class Temp:
    def __init__(self):
        self._c = 0
    @property
    def c(self):
        return self._c
    @c.setter
    def c(self, v):
        if v < -273:
            raise ValueError('too cold')
        self._c = v
    @property
    def f(self):
        return self._c * 9 / 5 + 32
    @staticmethod
    def unit():
        return 'C'
    @classmethod
    def make(cls, v):
        t = cls()
        t.c = v
        return t

t = Temp.make(100)
t.c, t.f, Temp.unit(), t.unit()
t.c = 5; t.c
t.f = 3
t.c = -300"#,
        r#">>> class Temp:
...     def __init__(self):
...         self._c = 0
...     @property
...     def c(self):
...         return self._c
...     @c.setter
...     def c(self, v):
...         if v < -273:
...             raise ValueError('too cold')
...         self._c = v
...     @property
...     def f(self):
...         return self._c * 9 / 5 + 32
...     @staticmethod
...     def unit():
...         return 'C'
...     @classmethod
...     def make(cls, v):
...         t = cls()
...         t.c = v
...         return t
... 
>>> t = Temp.make(100)
>>> t.c, t.f, Temp.unit(), t.unit()
(100, 212.0, 'C', 'C')
>>> t.c = 5; t.c
5
>>> t.f = 3
Traceback (most recent call last):
  File "t.uts", line 27, in <module>
    t.f = 3
AttributeError: property 'f' of 'Temp' object has no setter
"#,
    );
}

#[test]
fn getattr_setattr_hooks() {
    check(
        r#"class Proxy:
    def __init__(self, target):
        object.__setattr__(self, 'target', target)
        object.__setattr__(self, 'log', [])
    def __getattr__(self, name):
        self.log.append(name)
        return getattr(self.target, name)
    def __setattr__(self, name, value):
        self.log.append('set ' + name)
        object.__setattr__(self, name, value)

p = Proxy([3, 1, 2])
p.count(1), p.index(2)
p.x = 5
p.x, p.log
getattr(p, 'nope', 'default')
hasattr(p, 'append'), hasattr(5, 'foo')
setattr(p, 'y', 1); p.y
class Plain: pass
o = Plain()
o.a = 1; del o.a
o.a"#,
        r#">>> class Proxy:
...     def __init__(self, target):
...         object.__setattr__(self, 'target', target)
...         object.__setattr__(self, 'log', [])
...     def __getattr__(self, name):
...         self.log.append(name)
...         return getattr(self.target, name)
...     def __setattr__(self, name, value):
...         self.log.append('set ' + name)
...         object.__setattr__(self, name, value)
... 
>>> p = Proxy([3, 1, 2])
>>> p.count(1), p.index(2)
(1, 2)
>>> p.x = 5
>>> p.x, p.log
(5, ['count', 'index', 'set x'])
>>> getattr(p, 'nope', 'default')
'default'
>>> hasattr(p, 'append'), hasattr(5, 'foo')
(True, False)
>>> setattr(p, 'y', 1); p.y
1
>>> class Plain: pass
... o = Plain()
  File "t.uts", line 20
    o = Plain()
    ^
SyntaxError: invalid syntax
"#,
    );
}

#[test]
fn context_managers() {
    check(
        r#"class CM:
    def __init__(self, name, swallow=False):
        self.name = name
        self.swallow = swallow
    def __enter__(self):
        print('enter', self.name)
        return self
    def __exit__(self, t, v, tb):
        print('exit', self.name, t.__name__ if t else None, v)
        return self.swallow

with CM('a') as a, CM('b') as b:
    print('body', a.name, b.name)

with CM('s', True):
    1/0

print('after')
with CM('x'):
    raise KeyError('k')"#,
        r#">>> class CM:
...     def __init__(self, name, swallow=False):
...         self.name = name
...         self.swallow = swallow
...     def __enter__(self):
...         print('enter', self.name)
...         return self
...     def __exit__(self, t, v, tb):
...         print('exit', self.name, t.__name__ if t else None, v)
...         return self.swallow
... 
>>> with CM('a') as a, CM('b') as b:
...     print('body', a.name, b.name)
... 
enter a
enter b
body a b
exit b None None
exit a None None
>>> with CM('s', True):
...     1/0
... 
enter s
exit s ZeroDivisionError division by zero
>>> print('after')
after
>>> with CM('x'):
...     raise KeyError('k')
... 
enter x
exit x KeyError 'k'
Traceback (most recent call last):
  File "t.uts", line 20, in <module>
    raise KeyError('k')
KeyError: 'k'
"#,
    );
}

#[test]
fn eq_without_hash_is_unhashable() {
    check(
        r#"class K:
    def __init__(self, v): self.v = v
    def __eq__(self, o): return self.v == o.v

k = K(1)
k == K(1), k != K(2)
hash(k)"#,
        r#">>> class K:
...     def __init__(self, v): self.v = v
...     def __eq__(self, o): return self.v == o.v
... 
>>> k = K(1)
>>> k == K(1), k != K(2)
(True, True)
>>> hash(k)
Traceback (most recent call last):
  File "t.uts", line 7, in <module>
    hash(k)
TypeError: unhashable type: 'K'
"#,
    );
}

#[test]
fn class_attributes_and_decorators() {
    check(
        r#"class Node:
    count = 0
    def __init__(self, val, nxt=None):
        self.val = val
        self.nxt = nxt
        Node.count += 1
    def __iter__(self):
        n = self
        while n:
            yield_ = n.val
            n = n.nxt
            print(yield_)
        return iter([])

n = Node(1, Node(2, Node(3)))
Node.count
list(n)
class E(object):
    pass

e = E()
e.__dict__
E.__name__, E.__bases__
def dec(cls):
    cls.tag = 'decorated'
    return cls

@dec
class T: pass

T.tag
class Meth:
    def m(self): return 1

Meth().m.__name__, Meth.m.__name__
o = object()
o.x = 1"#,
        r#">>> class Node:
...     count = 0
...     def __init__(self, val, nxt=None):
...         self.val = val
...         self.nxt = nxt
...         Node.count += 1
...     def __iter__(self):
...         n = self
...         while n:
...             yield_ = n.val
...             n = n.nxt
...             print(yield_)
...         return iter([])
... 
>>> n = Node(1, Node(2, Node(3)))
>>> Node.count
3
>>> list(n)
1
2
3
[]
>>> class E(object):
...     pass
... 
>>> e = E()
>>> e.__dict__
{}
>>> E.__name__, E.__bases__
('E', (<class 'object'>,))
>>> def dec(cls):
...     cls.tag = 'decorated'
...     return cls
... 
>>> @dec
... class T: pass
... 
>>> T.tag
'decorated'
>>> class Meth:
...     def m(self): return 1
... 
>>> Meth().m.__name__, Meth.m.__name__
('m', 'm')
>>> o = object()
>>> o.x = 1
Traceback (most recent call last):
  File "t.uts", line 37, in <module>
    o.x = 1
AttributeError: 'object' object has no attribute 'x'
"#,
    );
}

#[test]
fn init_missing_argument() {
    check(
        r#"class C:
    def __init__(self, a):
        self.a = a
    def m(self, x):
        return x

C()"#,
        r#">>> class C:
...     def __init__(self, a):
...         self.a = a
...     def m(self, x):
...         return x
... 
>>> C()
Traceback (most recent call last):
  File "t.uts", line 7, in <module>
    C()
TypeError: C.__init__() missing 1 required positional argument: 'a'
"#,
    );
}

#[test]
fn method_too_many_arguments() {
    check(
        r#"class C:
    def m(self, x):
        return x

C().m(1, 2)"#,
        r#">>> class C:
...     def m(self, x):
...         return x
... 
>>> C().m(1, 2)
Traceback (most recent call last):
  File "t.uts", line 5, in <module>
    C().m(1, 2)
TypeError: C.m() takes 2 positional arguments but 3 were given
"#,
    );
}

#[test]
fn object_takes_no_arguments() {
    check(
        r#"class C:
    pass

C(1)"#,
        r#">>> class C:
...     pass
... 
>>> C(1)
Traceback (most recent call last):
  File "t.uts", line 4, in <module>
    C(1)
TypeError: C() takes no arguments
"#,
    );
}

#[test]
fn ordering_not_supported() {
    check(
        r#"class C:
    pass

C() < C()"#,
        r#">>> class C:
...     pass
... 
>>> C() < C()
Traceback (most recent call last):
  File "t.uts", line 4, in <module>
    C() < C()
TypeError: '<' not supported between instances of 'C' and 'C'
"#,
    );
}

#[test]
fn missing_attribute_in_method() {
    check(
        r#"class C:
    def method(self):
        return self.missing

C().method()"#,
        r#">>> class C:
...     def method(self):
...         return self.missing
... 
>>> C().method()
Traceback (most recent call last):
  File "t.uts", line 5, in <module>
    C().method()
  File "t.uts", line 3, in method
    return self.missing
AttributeError: 'C' object has no attribute 'missing'
"#,
    );
}

#[test]
fn user_exceptions() {
    check(
        r#"class AppError(Exception):
    def __init__(self, code, msg):
        super().__init__(f'{code}: {msg}')
        self.code = code

class Sub(AppError):
    def __str__(self):
        return 'custom ' + str(self.code)

try:
    raise AppError(404, 'not found')
except AppError as e:
    print(e, e.code, e.args)

e = Sub(1, 'x')
repr(e), str(e)
raise Sub(5, 'y')"#,
        r#">>> class AppError(Exception):
...     def __init__(self, code, msg):
...         super().__init__(f'{code}: {msg}')
...         self.code = code
... 
>>> class Sub(AppError):
...     def __str__(self):
...         return 'custom ' + str(self.code)
... 
>>> try:
...     raise AppError(404, 'not found')
... except AppError as e:
...     print(e, e.code, e.args)
... 
404: not found 404 ('404: not found',)
>>> e = Sub(1, 'x')
>>> repr(e), str(e)
("Sub('1: x')", 'custom 1')
>>> raise Sub(5, 'y')
Traceback (most recent call last):
  File "t.uts", line 17, in <module>
    raise Sub(5, 'y')
Sub: custom 5
"#,
    );
}

#[test]
fn method_frames() {
    check(
        r#"class C:
    def m(self, x):
        return self.n(x)
    def n(self, x):
        return {}[x]

C().m('k')"#,
        r#">>> class C:
...     def m(self, x):
...         return self.n(x)
...     def n(self, x):
...         return {}[x]
... 
>>> C().m('k')
Traceback (most recent call last):
  File "t.uts", line 7, in <module>
    C().m('k')
  File "t.uts", line 3, in m
    return self.n(x)
  File "t.uts", line 5, in n
    return {}[x]
KeyError: 'k'
"#,
    );
}

#[test]
fn reflected_inplace_notimplemented() {
    check(
        r#"class M:
    def __init__(self, v):
        self.v = v
    def __add__(self, o):
        if isinstance(o, M):
            return M(self.v + o.v)
        if isinstance(o, int):
            return M(self.v + o)
        return NotImplemented
    def __radd__(self, o):
        return M(o + self.v) if isinstance(o, int) else NotImplemented
    def __iadd__(self, o):
        self.v += 10 * (o.v if isinstance(o, M) else o)
        return self
    def __eq__(self, o):
        return isinstance(o, M) and self.v == o.v
    def __hash__(self):
        return hash(self.v)
    def __repr__(self):
        return f'M({self.v})'

a = M(1)
a + 2, 3 + a, a + M(4)
b = a; b += 1; b, a is b
sum([M(1), M(2)], M(0))
sum([M(1), M(2)])
d = {a: 'x'}; d[a]
a in [M(11)], a in {a}
M(1) + 'x'"#,
        r#">>> class M:
...     def __init__(self, v):
...         self.v = v
...     def __add__(self, o):
...         if isinstance(o, M):
...             return M(self.v + o.v)
...         if isinstance(o, int):
...             return M(self.v + o)
...         return NotImplemented
...     def __radd__(self, o):
...         return M(o + self.v) if isinstance(o, int) else NotImplemented
...     def __iadd__(self, o):
...         self.v += 10 * (o.v if isinstance(o, M) else o)
...         return self
...     def __eq__(self, o):
...         return isinstance(o, M) and self.v == o.v
...     def __hash__(self):
...         return hash(self.v)
...     def __repr__(self):
...         return f'M({self.v})'
... 
>>> a = M(1)
>>> a + 2, 3 + a, a + M(4)
(M(3), M(4), M(5))
>>> b = a; b += 1; b, a is b
(M(11), True)
>>> sum([M(1), M(2)], M(0))
M(3)
>>> sum([M(1), M(2)])
M(3)
>>> d = {a: 'x'}; d[a]
'x'
>>> a in [M(11)], a in {a}
(True, True)
>>> M(1) + 'x'
Traceback (most recent call last):
  File "t.uts", line 29, in <module>
    M(1) + 'x'
TypeError: unsupported operand type(s) for +: 'M' and 'str'
"#,
    );
}

#[test]
fn new_and_cooperative_super() {
    check(
        r#"class Single:
    _inst = None
    def __new__(cls, *args):
        if cls._inst is None:
            cls._inst = super().__new__(cls)
        return cls._inst
    def __init__(self, v):
        self.v = v

Single(1) is Single(2), Single(3).v
class Base:
    def __init__(self, **kw):
        self.log = ['Base']

class L(Base):
    def __init__(self, **kw):
        super().__init__(**kw)
        self.log.append('L')

class R(Base):
    def __init__(self, **kw):
        super().__init__(**kw)
        self.log.append('R')

class Both(L, R):
    def __init__(self):
        super().__init__()
        self.log.append('Both')

Both().log
[c.__name__ for c in Both.__mro__]"#,
        r#">>> class Single:
...     _inst = None
...     def __new__(cls, *args):
...         if cls._inst is None:
...             cls._inst = super().__new__(cls)
...         return cls._inst
...     def __init__(self, v):
...         self.v = v
... 
>>> Single(1) is Single(2), Single(3).v
(True, 3)
>>> class Base:
...     def __init__(self, **kw):
...         self.log = ['Base']
... 
>>> class L(Base):
...     def __init__(self, **kw):
...         super().__init__(**kw)
...         self.log.append('L')
... 
>>> class R(Base):
...     def __init__(self, **kw):
...         super().__init__(**kw)
...         self.log.append('R')
... 
>>> class Both(L, R):
...     def __init__(self):
...         super().__init__()
...         self.log.append('Both')
... 
>>> Both().log
['Base', 'R', 'L', 'Both']
>>> [c.__name__ for c in Both.__mro__]
['Both', 'L', 'R', 'Base', 'object']
"#,
    );
}

#[test]
fn str_repr_print() {
    check(
        r#"class S:
    def __str__(self):
        return 'str of S'

class T:
    def __repr__(self):
        return 'T()'

print(S(), T(), [T()], (T(),), {'k': T()})
str(T()), repr([S()]).startswith('[<__main__.S object at 0x')
f'{T()} {T()!r} {S()!s}'
class Fmt:
    def __format__(self, spec):
        return 'F<' + spec + '>'

f'{Fmt():abc} {Fmt()}', format(Fmt(), 'x')
f'{T():>5}'"#,
        r#">>> class S:
...     def __str__(self):
...         return 'str of S'
... 
>>> class T:
...     def __repr__(self):
...         return 'T()'
... 
>>> print(S(), T(), [T()], (T(),), {'k': T()})
str of S T() [T()] (T(),) {'k': T()}
>>> str(T()), repr([S()]).startswith('[<__main__.S object at 0x')
('T()', True)
>>> f'{T()} {T()!r} {S()!s}'
'T() T() str of S'
>>> class Fmt:
...     def __format__(self, spec):
...         return 'F<' + spec + '>'
... 
>>> f'{Fmt():abc} {Fmt()}', format(Fmt(), 'x')
('F<abc> F<>', 'F<x>')
>>> f'{T():>5}'
Traceback (most recent call last):
  File "t.uts", line 17, in <module>
    f'{T():>5}'
TypeError: unsupported format string passed to T.__format__
"#,
    );
}

#[test]
fn exception_hierarchy() {
    check(
        r#"class NetError(Exception):
    pass

class Timeout(NetError):
    def __init__(self, after):
        super().__init__(f'timed out after {after}s')
        self.after = after

def fetch():
    raise Timeout(3)

for exc in (Timeout, NetError, Exception):
    try:
        fetch()
    except exc as e:
        print(exc.__name__, '->', type(e).__name__, e, e.after, e.args)

issubclass(Timeout, NetError), issubclass(Timeout, BaseException)
try:
    fetch()
except (KeyError, NetError) as e:
    print('tuple caught', repr(e))

class Weird(KeyError):
    pass

str(Weird('k')), repr(Weird('k'))
raise Timeout(7)"#,
        r#">>> class NetError(Exception):
...     pass
... 
>>> class Timeout(NetError):
...     def __init__(self, after):
...         super().__init__(f'timed out after {after}s')
...         self.after = after
... 
>>> def fetch():
...     raise Timeout(3)
... 
>>> for exc in (Timeout, NetError, Exception):
...     try:
...         fetch()
...     except exc as e:
...         print(exc.__name__, '->', type(e).__name__, e, e.after, e.args)
... 
Timeout -> Timeout timed out after 3s 3 ('timed out after 3s',)
NetError -> Timeout timed out after 3s 3 ('timed out after 3s',)
Exception -> Timeout timed out after 3s 3 ('timed out after 3s',)
>>> issubclass(Timeout, NetError), issubclass(Timeout, BaseException)
(True, True)
>>> try:
...     fetch()
... except (KeyError, NetError) as e:
...     print('tuple caught', repr(e))
... 
tuple caught Timeout('timed out after 3s')
>>> class Weird(KeyError):
...     pass
... 
>>> str(Weird('k')), repr(Weird('k'))
("'k'", "Weird('k')")
>>> raise Timeout(7)
Traceback (most recent call last):
  File "t.uts", line 28, in <module>
    raise Timeout(7)
Timeout: timed out after 7s
"#,
    );
}

#[test]
fn protocol_errors() {
    check(
        r#"class B:
    def __bool__(self):
        return 1

class L:
    def __len__(self):
        return -1

class N: pass
n = N()
len(n)"#,
        r#">>> class B:
...     def __bool__(self):
...         return 1
... 
>>> class L:
...     def __len__(self):
...         return -1
... 
>>> class N: pass
... n = N()
  File "t.uts", line 10
    n = N()
    ^
SyntaxError: invalid syntax
"#,
    );
}

#[test]
fn bool_error() {
    check(
        r#"class B:
    def __bool__(self):
        return 1

if B():
    pass"#,
        r#">>> class B:
...     def __bool__(self):
...         return 1
... 
>>> if B():
...     pass
... 
Traceback (most recent call last):
  File "t.uts", line 5, in <module>
    if B():
TypeError: __bool__ should return bool, returned int
"#,
    );
}

#[test]
fn len_error() {
    check(
        r#"class L:
    def __len__(self):
        return -1

len(L())"#,
        r#">>> class L:
...     def __len__(self):
...         return -1
... 
>>> len(L())
Traceback (most recent call last):
  File "t.uts", line 5, in <module>
    len(L())
ValueError: __len__() should return >= 0
"#,
    );
}

#[test]
fn not_iterable_not_callable() {
    check(
        r#"class N: pass

try:
    for x in N(): pass
except TypeError as e:
    print(e)

try:
    N()()
except TypeError as e:
    print(e)

try:
    N()[0]
except TypeError as e:
    print(e)

try:
    N()[0] = 1
except TypeError as e:
    print(e)

try:
    -N()
except TypeError as e:
    print(e)

try:
    hash([])
except TypeError as e:
    print(e)

try:
    1 in N()
except TypeError as e:
    print(e)

try:
    a, b = N()
except TypeError as e:
    print(e)

class P:
    @property
    def x(self): return 1

try:
    P().x = 2
except AttributeError as e:
    print(e)

try:
    del P().y
except AttributeError as e:
    print(e)

try:
    object().foo = 1
except AttributeError as e:
    print(e)

try:
    N.missing
except AttributeError as e:
    print(e)"#,
        r#">>> class N: pass
... 
>>> try:
...     for x in N(): pass
... except TypeError as e:
...     print(e)
... 
'N' object is not iterable
>>> try:
...     N()()
... except TypeError as e:
...     print(e)
... 
'N' object is not callable
>>> try:
...     N()[0]
... except TypeError as e:
...     print(e)
... 
'N' object is not subscriptable
>>> try:
...     N()[0] = 1
... except TypeError as e:
...     print(e)
... 
'N' object does not support item assignment
>>> try:
...     -N()
... except TypeError as e:
...     print(e)
... 
bad operand type for unary -: 'N'
>>> try:
...     hash([])
... except TypeError as e:
...     print(e)
... 
unhashable type: 'list'
>>> try:
...     1 in N()
... except TypeError as e:
...     print(e)
... 
argument of type 'N' is not iterable
>>> try:
...     a, b = N()
... except TypeError as e:
...     print(e)
... 
cannot unpack non-iterable N object
>>> class P:
...     @property
...     def x(self): return 1
... 
>>> try:
...     P().x = 2
... except AttributeError as e:
...     print(e)
... 
property 'x' of 'P' object has no setter
>>> try:
...     del P().y
... except AttributeError as e:
...     print(e)
... 
'P' object has no attribute 'y'
>>> try:
...     object().foo = 1
... except AttributeError as e:
...     print(e)
... 
'object' object has no attribute 'foo'
>>> try:
...     N.missing
... except AttributeError as e:
...     print(e)
... 
type object 'N' has no attribute 'missing'
"#,
    );
}

#[test]
fn class_body_scope() {
    check(
        r#"def make(tag):
    class Tagged:
        kind = tag
        def describe(self):
            return f'{type(self).__name__}:{tag}:{self.kind}'
    return Tagged

make('a')().describe()
class Counter:
    n = 0
    def bump(self):
        type(self).n += 1
        return self.n

c = Counter(); c.bump(); c.bump(); Counter.n
class K:
    items = [1, 2]
    doubled = [i * 2 for i in items]

K.doubled
type(K()), K().__class__.__name__, type(K) is type"#,
        r#">>> def make(tag):
...     class Tagged:
...         kind = tag
...         def describe(self):
...             return f'{type(self).__name__}:{tag}:{self.kind}'
...     return Tagged
... 
>>> make('a')().describe()
'Tagged:a:a'
>>> class Counter:
...     n = 0
...     def bump(self):
...         type(self).n += 1
...         return self.n
... 
>>> c = Counter(); c.bump(); c.bump(); Counter.n
1
2
2
>>> class K:
...     items = [1, 2]
...     doubled = [i * 2 for i in items]
... 
>>> K.doubled
[2, 4]
>>> type(K()), K().__class__.__name__, type(K) is type
(<class '__main__.K'>, 'K', True)
"#,
    );
}

#[test]
fn percent_formatting_uses_str_and_repr() {
    check(
        r#"class T:
    def __repr__(self):
        return 'T()'
    def __str__(self):
        return 'tee'

'%s %r' % (T(), T())
'%s' % T()
'%(a)s|%(b)r' % {'a': T(), 'b': T()}
'%d' % T()"#,
        r#">>> class T:
...     def __repr__(self):
...         return 'T()'
...     def __str__(self):
...         return 'tee'
... 
>>> '%s %r' % (T(), T())
'tee T()'
>>> '%s' % T()
'tee'
>>> '%(a)s|%(b)r' % {'a': T(), 'b': T()}
'tee|T()'
>>> '%d' % T()
Traceback (most recent call last):
  File "t.uts", line 10, in <module>
    '%d' % T()
TypeError: %d format: a real number is required, not T
"#,
    );
}
