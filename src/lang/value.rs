//! Runtime values: one enum, heap objects shared by `Rc` as Python shares them by reference.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::rc::Rc;

use num_bigint::BigInt;

use super::ast::{FuncDef, Sym};
use super::exceptions::{ExcKind, PResult};
use super::interp::Vm;
use super::source::SourceUnit;

/// A value of the language. Small values are inline; everything else is behind an `Rc`, so a
/// `Value` is two words and cloning one is a reference-count increment.
///
/// The tag is a whole word (`repr(u64)`) so that every payload, `bool` included, sits in the
/// second word: a value is then copied as two words. With a one-byte tag the bool's byte made
/// the compiler copy bytes 1..8 as two overlapping unaligned moves on every move of a value,
/// and those partial loads cannot be forwarded from the stores that wrote the value (the
/// interpreter's hottest stalls, on integer arithmetic). Option and Result still use the
/// tag's spare values: they stay two words.
#[repr(u64)]
pub enum Value {
    None,
    Bool(bool),
    /// The machine-word fast path of `int`.
    Int(i64),
    /// An `int` outside i64 (always: never a value that fits in i64).
    BigInt(Rc<BigInt>),
    Float(f64),
    Str(Rc<PyStr>),
    Bytes(Rc<Vec<u8>>),
    List(Rc<RefCell<Vec<Value>>>),
    Tuple(Rc<Vec<Value>>),
    Dict(Rc<RefCell<Dict>>),
    /// A set, in a table laid out as CPython's (`lang::settable`).
    Set(Rc<RefCell<super::settable::SetTable>>),
    Range(Rc<RangeObj>),
    Ellipsis,
    /// A function defined with `def`.
    Function(Rc<Function>),
    /// A native builtin function (`len`, `print`, ...).
    Builtin(&'static BuiltinDef),
    /// A method bound to its receiver (`l.append` used as a value).
    BoundMethod(Rc<BoundMethod>),
    /// A class: builtin types and exception classes.
    Class(Rc<Class>),
    /// An exception instance.
    Exception(Rc<ExcObject>),
    /// An iterator (enumerate, zip, reversed, iter(...)).
    Iterator(Rc<RefCell<IterObj>>),
    /// An object of the packet engine or another native extension.
    Native(Rc<NativeBox>),
    /// An instance of a class defined by a `class` statement.
    Instance(Rc<Instance>),
    /// A function bound to its receiver (`obj.method` used as a value).
    Method(Rc<Method>),
    /// Descriptors and helper objects of the class machinery (property, staticmethod,
    /// classmethod, super, slice, NotImplemented, generator expressions).
    Special(Rc<Special>),
}

impl Clone for Value {
    /// A clone is the reference-count increment, if any, then a copy of the two words in one
    /// move. (Writing the tag and the payload apart, as a derived clone does, leaves the next
    /// whole-value move of the copy waiting on two stores that cannot be forwarded to it:
    /// measured 35% slower on integer loops.)
    #[inline(always)]
    fn clone(&self) -> Value {
        if !matches!(
            self,
            Value::None
                | Value::Bool(_)
                | Value::Int(_)
                | Value::Float(_)
                | Value::Ellipsis
                | Value::Builtin(_)
        ) {
            self.retain();
        }
        // SAFETY: the variants above own nothing (no reference count, no drop), so a bitwise
        // copy is a clone; the others had their reference count incremented by `retain` for
        // the copy's pointer.
        unsafe { std::ptr::read(self) }
    }
}

impl Value {
    /// Increments the reference count of a shared variant, for a bitwise copy of it.
    #[inline(never)]
    fn retain(&self) {
        match self {
            Value::None
            | Value::Bool(_)
            | Value::Int(_)
            | Value::Float(_)
            | Value::Ellipsis
            | Value::Builtin(_) => {}
            Value::BigInt(r) => std::mem::forget(r.clone()),
            Value::Str(r) => std::mem::forget(r.clone()),
            Value::Bytes(r) => std::mem::forget(r.clone()),
            Value::List(r) => std::mem::forget(r.clone()),
            Value::Tuple(r) => std::mem::forget(r.clone()),
            Value::Dict(r) => std::mem::forget(r.clone()),
            Value::Set(r) => std::mem::forget(r.clone()),
            Value::Range(r) => std::mem::forget(r.clone()),
            Value::Function(r) => std::mem::forget(r.clone()),
            Value::BoundMethod(r) => std::mem::forget(r.clone()),
            Value::Class(r) => std::mem::forget(r.clone()),
            Value::Exception(r) => std::mem::forget(r.clone()),
            Value::Iterator(r) => std::mem::forget(r.clone()),
            Value::Native(r) => std::mem::forget(r.clone()),
            Value::Instance(r) => std::mem::forget(r.clone()),
            Value::Method(r) => std::mem::forget(r.clone()),
            Value::Special(r) => std::mem::forget(r.clone()),
        }
    }
}

/// A variable shared between a function and the functions nested in it (a closure cell).
pub type CellRef = Rc<RefCell<Option<Value>>>;

/// A small insertion-ordered map from interned names to values: instance and class
/// attributes (a linear scan beats hashing for the handful of names an object has).
#[derive(Default, Clone)]
pub struct SymMap(pub Vec<(super::ast::Sym, Value)>);

impl SymMap {
    /// The value of `k`.
    #[inline]
    pub fn get(&self, k: super::ast::Sym) -> Option<&Value> {
        self.0.iter().find(|(s, _)| *s == k).map(|(_, v)| v)
    }
    /// Sets `k`, keeping its position if it exists.
    pub fn set(&mut self, k: super::ast::Sym, v: Value) {
        match self.0.iter_mut().find(|(s, _)| *s == k) {
            Some(e) => e.1 = v,
            None => self.0.push((k, v)),
        }
    }
    /// Removes `k`, returning its value.
    pub fn remove(&mut self, k: super::ast::Sym) -> Option<Value> {
        let i = self.0.iter().position(|(s, _)| *s == k)?;
        Some(self.0.remove(i).1)
    }
    /// Whether `k` is set.
    pub fn contains(&self, k: super::ast::Sym) -> bool {
        self.0.iter().any(|(s, _)| *s == k)
    }
}

/// An instance of a user class.
pub struct Instance {
    /// Its class.
    pub class: Rc<Class>,
    /// `__dict__`.
    pub dict: RefCell<SymMap>,
    /// For a class deriving from a builtin type (`class Port(int)`), the builtin value the
    /// instance is; the protocols fall back to it (see `lang::subclass`).
    pub builtin: Option<Value>,
}

/// A function bound to an instance (or, for classmethods, to a class).
pub struct Method {
    /// The function.
    pub func: Value,
    /// What becomes the first argument.
    pub receiver: Value,
}

/// Objects of the class machinery.
pub enum Special {
    /// `property(fget, fset, fdel, doc)`.
    Property {
        fget: Value,
        fset: Value,
        fdel: Value,
        doc: Value,
    },
    /// `staticmethod(f)`.
    StaticMethod(Value),
    /// `classmethod(f)`.
    ClassMethod(Value),
    /// `super(cls, obj)`: attribute lookup starts after `class` in the MRO of `obj`'s class.
    Super {
        class: Rc<Class>,
        obj: Value,
        obj_class: Rc<Class>,
    },
    /// `slice(start, stop, step)`, passed to `__getitem__` of user classes.
    Slice([Value; 3]),
    /// The `NotImplemented` singleton.
    NotImplemented,
    /// A generator expression being iterated lazily.
    Gen(RefCell<super::interp::GenState>),
}

impl Special {
    /// The Python type name.
    pub fn type_name(&self) -> &'static str {
        match self {
            Special::Property { .. } => "property",
            Special::StaticMethod(_) => "staticmethod",
            Special::ClassMethod(_) => "classmethod",
            Special::Super { .. } => "super",
            Special::Slice(_) => "slice",
            Special::NotImplemented => "NotImplementedType",
            Special::Gen(_) => "generator",
        }
    }
}

/// The signature of native builtins: positional and keyword arguments.
pub type NativeFn = fn(
    &mut super::interp::Vm<'_>,
    Vec<Value>,
    Vec<(super::ast::Sym, Value)>,
) -> Result<Value, super::exceptions::Exc>;

/// A native builtin function's table entry.
pub struct BuiltinDef {
    /// Its Python name.
    pub name: &'static str,
    /// The implementation.
    pub func: NativeFn,
}

impl fmt::Debug for BuiltinDef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<built-in function {}>", self.name)
    }
}

/// Objects that native engines (the packet engine) plug into the language.
#[allow(clippy::len_without_is_empty)]
pub trait NativeObject {
    /// The Python type name (`type(x).__name__`).
    fn type_name(&self) -> &str;
    /// `repr(x)`.
    fn repr(&self) -> String;
    /// `str(x)`; defaults to the repr.
    fn str(&self) -> String {
        self.repr()
    }
    /// Truth value.
    fn truthy(&self) -> bool {
        true
    }

    // The object protocol: every hook has a default meaning "not supported", so an object
    // implements only what it is. Library objects (modules, files, dict views, iterators,
    // bytearray, ...) live in `lang::objects` and `lang::modules`.

    /// The object itself, for downcasting to its Rust type.
    fn as_any(&self) -> Option<&dyn std::any::Any> {
        None
    }
    /// The builtin class it is an instance of (`TypeTag::Native` when it has none).
    fn type_tag(&self) -> TypeTag {
        TypeTag::Native
    }
    /// `obj.name` for data attributes; None when there is no such attribute.
    fn get_attr(&self, _vm: &mut Vm<'_>, _this: &Value, _name: &str) -> Option<PResult<Value>> {
        None
    }
    /// `obj.name = value`; None when attributes cannot be set.
    fn set_attr(&self, _name: &str, _value: Value) -> Option<PResult<()>> {
        None
    }
    /// `del obj.name`; None when attributes cannot be deleted.
    fn del_attr(&self, _name: &str) -> Option<PResult<()>> {
        None
    }
    /// Names of the methods `call_method` answers (for `getattr`, `hasattr`, `dir`).
    fn method_names(&self) -> &'static [&'static str] {
        &[]
    }
    /// `obj.name(*args, **kw)`; None when `name` is not one of its methods.
    fn call_method(
        &self,
        _vm: &mut Vm<'_>,
        _this: &Value,
        _name: &str,
        _args: Vec<Value>,
        _kw: Vec<(Sym, Value)>,
    ) -> Option<PResult<Value>> {
        None
    }
    /// `obj(*args, **kw)`; None when not callable.
    fn call(
        &self,
        _vm: &mut Vm<'_>,
        _args: Vec<Value>,
        _kw: Vec<(Sym, Value)>,
    ) -> Option<PResult<Value>> {
        None
    }
    /// `iter(obj)`; None when not iterable. Iterators return themselves.
    fn iter(&self, _this: &Value) -> Option<PResult<Value>> {
        None
    }
    /// `next(obj)` for iterators: `Ok(None)` when exhausted; None when not an iterator.
    fn next(&self, _vm: &mut Vm<'_>) -> Option<PResult<Option<Value>>> {
        None
    }
    /// The remaining items, when they can be produced without running code (for callers
    /// without an interpreter at hand); None otherwise.
    fn items(&self) -> Option<PResult<Vec<Value>>> {
        None
    }
    /// `len(obj)`.
    fn len(&self) -> Option<usize> {
        None
    }
    /// `item in obj`.
    fn contains(&self, _item: &Value) -> Option<PResult<bool>> {
        None
    }
    /// `obj[key]` (slices go to `get_slice`).
    fn get_item(&self, _key: &Value) -> Option<PResult<Value>> {
        None
    }
    /// `obj[start:stop:step]`.
    fn get_slice(
        &self,
        _start: Option<i64>,
        _stop: Option<i64>,
        _step: Option<i64>,
    ) -> Option<PResult<Value>> {
        None
    }
    /// `obj[key] = value`.
    fn set_item(&self, _key: &Value, _value: Value) -> Option<PResult<()>> {
        None
    }
    /// `obj[start:stop:step] = value`.
    fn set_slice(
        &self,
        _start: Option<i64>,
        _stop: Option<i64>,
        _step: Option<i64>,
        _value: &Value,
    ) -> Option<PResult<()>> {
        None
    }
    /// `del obj[key]`.
    fn del_item(&self, _key: &Value) -> Option<PResult<()>> {
        None
    }
    /// `obj == other`; None falls back to identity.
    fn eq(&self, _other: &Value) -> Option<bool> {
        None
    }
    /// `hash(obj)`; None means hashable by identity.
    fn hash(&self) -> Option<PResult<i64>> {
        None
    }
    /// `obj OP other` (`reflected`: `other OP obj`); None when unsupported.
    fn binary(
        &self,
        _op: super::ast::BinOp,
        _other: &Value,
        _reflected: bool,
    ) -> Option<PResult<Value>> {
        None
    }
    /// `obj < other` and the other orderings; None when unsupported.
    fn compare(&self, _op: super::ast::CmpOp, _other: &Value) -> Option<PResult<bool>> {
        None
    }

    // Native classes a campaign subclasses (packet layers, field classes): their classes
    // are native objects, and so are the instances of the subclasses.

    /// The class a `class` statement made that this object is an instance of (what
    /// `super()` and the MRO see); None for objects of native classes only.
    fn user_class(&self) -> Option<Rc<Class>> {
        None
    }
    /// `isinstance(v, obj)` for objects that stand for classes; None when `obj` is not one.
    fn instance_check(&self, _v: &Value) -> Option<bool> {
        None
    }
    /// `issubclass(c, obj)` for objects that stand for classes; None when `obj` is not one.
    fn subclass_check(&self, _c: &Value) -> Option<bool> {
        None
    }
    /// The descriptor protocol (`__get__`) of a native object found as a class attribute
    /// (a base class's method in a subclass's MRO): what `obj.name` gives, a method bound
    /// to `obj`; None leaves the attribute as it is.
    fn bind_to(&self, _this: &Value, _obj: &Value) -> Option<Value> {
        None
    }
}

/// A native object behind a thin pointer (keeps `Value` two words).
pub struct NativeBox(pub Box<dyn NativeObject>);

/// A Python `str`: UTF-8 text, with an ASCII flag for O(1) indexing of the common case.
#[derive(Debug)]
pub struct PyStr {
    /// The text.
    pub s: String,
    /// Whether every character is ASCII (char index == byte index).
    pub ascii: bool,
    /// `hash(s)` once computed (-1 until then: no str hashes to -1), as CPython caches it.
    pub hash: Cell<i64>,
}

impl PyStr {
    /// Wraps a String.
    pub fn new(s: String) -> PyStr {
        let ascii = s.is_ascii();
        PyStr {
            s,
            ascii,
            hash: Cell::new(-1),
        }
    }
    /// Length in code points.
    pub fn char_len(&self) -> usize {
        if self.ascii {
            self.s.len()
        } else {
            self.s.chars().count()
        }
    }
}

/// `range(start, stop, step)`.
#[derive(Debug, Clone)]
pub struct RangeObj {
    pub start: i64,
    pub stop: i64,
    pub step: i64,
}

impl RangeObj {
    /// Number of elements.
    pub fn len(&self) -> i64 {
        let (start, stop, step) = (self.start as i128, self.stop as i128, self.step as i128);
        let n = if step > 0 && start < stop {
            (stop - start + step - 1) / step
        } else if step < 0 && start > stop {
            (start - stop - step - 1) / (-step)
        } else {
            0
        };
        n as i64
    }
    /// Whether it is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// The i-th element (unchecked bounds: callers check).
    pub fn get(&self, i: i64) -> i64 {
        self.start + i * self.step
    }
}

/// A function object created by running a `def`.
pub struct Function {
    /// The definition (shared with the AST).
    pub def: Rc<FuncDef>,
    /// Evaluated default values of the last `defaults.len()` parameters.
    pub defaults: Vec<Value>,
    /// The source it was defined in (for tracebacks).
    pub unit: Rc<SourceUnit>,
    /// The function's name.
    pub name: Rc<str>,
    /// Evaluated defaults of keyword-only parameters (None: required).
    pub kwdefaults: Vec<Option<Value>>,
    /// Cells of the enclosing functions' variables this function uses.
    pub closure: Vec<CellRef>,
    /// The class whose body defined it (for zero-argument `super()`).
    pub class: RefCell<Option<Rc<Class>>>,
    /// Function attributes (`f.x = 1`).
    pub dict: RefCell<SymMap>,
}

/// A method bound to its receiver.
pub struct BoundMethod {
    /// The object the method is called on.
    pub receiver: Value,
    /// The method name.
    pub name: super::ast::Sym,
    /// The method name as text (for repr).
    pub name_str: Rc<str>,
}

/// What a class is at the Rust level.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClassKind {
    /// A builtin type (`int`, `list`, ...).
    Builtin(TypeTag),
    /// A builtin exception class.
    Exception(ExcKind),
}

/// Flags of a class, computed when it is created (the special methods it or its bases define).
pub mod class_flags {
    /// Defines `__eq__` somewhere in its MRO (user classes).
    pub const HAS_EQ: u32 = 1;
    /// Defines `__hash__` (user classes).
    pub const HAS_HASH: u32 = 2;
    /// `__hash__ = None`, or `__eq__` without `__hash__` in the same class.
    pub const UNHASHABLE: u32 = 4;
    /// Defines `__getattr__`.
    pub const HAS_GETATTR: u32 = 8;
    /// Defines `__setattr__`.
    pub const HAS_SETATTR: u32 = 16;
    /// Some class in the MRO holds a data descriptor (property).
    pub const HAS_PROPERTY: u32 = 32;
    /// Defines `__delattr__`.
    pub const HAS_DELATTR: u32 = 64;
    /// Defines `__new__`.
    pub const HAS_NEW: u32 = 128;
}

/// The builtin types.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TypeTag {
    Object,
    NoneType,
    Bool,
    Int,
    Float,
    Str,
    Bytes,
    List,
    Tuple,
    Dict,
    Set,
    Range,
    Ellipsis,
    Function,
    BuiltinFunction,
    Method,
    Type,
    Iterator,
    Native,
    // Library types (objects of `lang::objects`).
    ByteArray,
    FrozenSet,
    Module,
    Property,
    StaticMethod,
    ClassMethod,
    Super,
    Slice,
    NotImplementedType,
    Generator,
}

/// A class object.
pub struct Class {
    /// `__name__`.
    pub name: String,
    /// Direct bases.
    pub bases: Vec<Rc<Class>>,
    /// What it is (for a user class: the builtin class it derives from).
    pub kind: ClassKind,
    /// Class attributes and methods (empty for builtin classes).
    pub dict: RefCell<SymMap>,
    /// The method resolution order after the class itself (C3 linearization).
    pub mro: Vec<Rc<Class>>,
    /// Whether a `class` statement created it.
    pub user: bool,
    /// `class_flags` bits.
    pub flags: Cell<u32>,
}

impl Class {
    /// A builtin class.
    pub fn builtin(name: impl Into<String>, bases: Vec<Rc<Class>>, kind: ClassKind) -> Class {
        let mut mro: Vec<Rc<Class>> = Vec::new();
        for b in &bases {
            for c in std::iter::once(b).chain(b.mro.iter()) {
                if !mro.iter().any(|m| Rc::ptr_eq(m, c)) {
                    mro.push(c.clone());
                }
            }
        }
        Class {
            name: name.into(),
            bases,
            kind,
            dict: RefCell::new(SymMap::default()),
            mro,
            user: false,
            flags: Cell::new(0),
        }
    }
    /// Whether a flag is set.
    #[inline]
    pub fn has_flag(&self, f: u32) -> bool {
        self.flags.get() & f != 0
    }
    /// Looks an attribute up along the MRO (the class itself first).
    pub fn lookup(&self, name: super::ast::Sym) -> Option<Value> {
        if let Some(v) = self.dict.borrow().get(name) {
            return Some(v.clone());
        }
        for c in &self.mro {
            if !c.user {
                continue;
            }
            if let Some(v) = c.dict.borrow().get(name) {
                return Some(v.clone());
            }
        }
        None
    }
    /// Whether `self` is `other` or derives from it.
    pub fn is_subclass(self: &Rc<Class>, other: &Rc<Class>) -> bool {
        Rc::ptr_eq(self, other) || self.bases.iter().any(|b| b.is_subclass(other))
    }
}

/// An exception instance.
pub struct ExcObject {
    /// Its class.
    pub class: Rc<Class>,
    /// The constructor's arguments (`e.args`; `BaseException.__init__` may replace them).
    pub args: RefCell<Vec<Value>>,
    /// Attributes, chaining and traceback.
    pub state: RefCell<ExcState>,
}

/// The mutable parts of an exception object.
#[derive(Default)]
pub struct ExcState {
    /// Attributes set on the instance (`self.code = 3`).
    pub dict: SymMap,
    /// `__cause__` (`raise ... from cause`).
    pub cause: Option<Rc<ExcObject>>,
    /// `__context__`: the exception being handled when this one was raised.
    pub context: Option<Rc<ExcObject>>,
    /// `__suppress_context__`.
    pub suppress_context: bool,
    /// The traceback recorded when it was last caught (innermost frame first).
    pub tb: Vec<super::exceptions::TbEntry>,
}

impl ExcObject {
    /// A new exception object.
    pub fn new(class: Rc<Class>, args: Vec<Value>) -> ExcObject {
        ExcObject {
            class,
            args: RefCell::new(args),
            state: RefCell::new(ExcState::default()),
        }
    }
}

/// An iterator over a materialized sequence (enumerate, zip, reversed, iter).
pub struct IterObj {
    /// The Python type name (`enumerate`, `zip`, `list_reverseiterator`, ...).
    pub type_name: &'static str,
    /// Remaining items.
    pub items: Vec<Value>,
    /// Position of the next item.
    pub pos: usize,
}

/// A dict key with its precomputed Python hash; equality is Python's `==`.
#[derive(Clone)]
pub struct HashKey {
    /// `hash(value)`.
    pub hash: i64,
    /// The key.
    pub value: Value,
}

impl Hash for HashKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_i64(self.hash);
    }
}

impl PartialEq for HashKey {
    #[inline]
    fn eq(&self, other: &HashKey) -> bool {
        if self.hash != other.hash {
            return false;
        }
        match (&self.value, &other.value) {
            // The keys loops use most, compared without the general equality.
            (Value::Int(a), Value::Int(b)) => a == b,
            (Value::Str(a), Value::Str(b)) if Rc::ptr_eq(a, b) => true,
            (a, b) => super::ops::eq_hashable(a, b),
        }
    }
}

impl Eq for HashKey {}

/// Keys carry their Python hash already: the table only spreads it (Fibonacci hashing), rather
/// than running SipHash over it again.
#[derive(Default, Clone, Copy)]
pub struct KeyHasher;

impl std::hash::BuildHasher for KeyHasher {
    type Hasher = KeyHash;
    fn build_hasher(&self) -> KeyHash {
        KeyHash(0)
    }
}

/// The hasher of [`KeyHasher`].
pub struct KeyHash(u64);

impl Hasher for KeyHash {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ b as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }
    fn write_i64(&mut self, i: i64) {
        self.0 = (self.0 ^ i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

/// An insertion-ordered hash table: Python's dict (and, with unit values, set).
///
/// Keys may hold interior-mutable objects (clippy's `mutable_key_type`), but a key's hash is
/// computed once on insertion and only hashable (immutable) builtin values are accepted.
#[derive(Default, Clone)]
pub struct Dict {
    entries: Vec<Option<(Value, Value)>>,
    index: HashMap<HashKey, usize, KeyHasher>,
}

#[allow(clippy::mutable_key_type)]
impl Dict {
    /// An empty dict.
    pub fn new() -> Dict {
        Dict::default()
    }
    /// Number of entries.
    pub fn len(&self) -> usize {
        self.index.len()
    }
    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }
    /// Looks a key up.
    pub fn get(&self, key: &HashKey) -> Option<&Value> {
        let &i = self.index.get(key)?;
        self.entries[i].as_ref().map(|(_, v)| v)
    }
    /// Inserts or replaces (keeping the original key and position, as Python does).
    pub fn insert(&mut self, key: HashKey, value: Value) {
        if let Some(&i) = self.index.get(&key) {
            if let Some(e) = self.entries[i].as_mut() {
                e.1 = value;
            }
            return;
        }
        self.entries.push(Some((key.value.clone(), value)));
        self.index.insert(key, self.entries.len() - 1);
    }
    /// Removes a key, returning its value.
    pub fn remove(&mut self, key: &HashKey) -> Option<Value> {
        let i = self.index.remove(key)?;
        let old = self.entries[i].take().map(|(_, v)| v);
        // Compact when tombstones dominate, so iteration stays proportional to len.
        if self.entries.len() > 16 && self.index.len() * 2 < self.entries.len() {
            self.compact();
        }
        old
    }
    fn compact(&mut self) {
        let entries: Vec<(Value, Value)> = self.entries.drain(..).flatten().collect();
        let mut index = HashMap::with_capacity_and_hasher(entries.len(), KeyHasher);
        for (pos, (k, _)) in entries.iter().enumerate() {
            // Keys in a dict were hashable when inserted, so hashing again succeeds.
            let hash = super::ops::hash_value(k).unwrap_or(0);
            index.insert(
                HashKey {
                    hash,
                    value: k.clone(),
                },
                pos,
            );
        }
        self.entries = entries.into_iter().map(Some).collect();
        self.index = index;
    }
    /// Entries in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = (&Value, &Value)> {
        self.entries.iter().flatten().map(|(k, v)| (k, v))
    }
    /// Keys in insertion order.
    pub fn keys(&self) -> Vec<Value> {
        self.iter().map(|(k, _)| k.clone()).collect()
    }
    /// The size of the entry table (live entries and holes), for iterators that walk it.
    pub fn raw_len(&self) -> usize {
        self.entries.len()
    }
    /// The entry at table position `i`: None past the end, Some(None) for a removed entry.
    pub fn raw_entry(&self, i: usize) -> Option<Option<(&Value, &Value)>> {
        self.entries.get(i).map(|e| e.as_ref().map(|(k, v)| (k, v)))
    }
    /// Removes everything.
    pub fn clear(&mut self) {
        self.entries.clear();
        self.index.clear();
    }
    /// Removes and returns the last entry.
    pub fn pop_last(&mut self) -> Option<(Value, Value)> {
        while let Some(e) = self.entries.pop() {
            if let Some((k, v)) = e {
                let hash = super::ops::hash_value(&k).unwrap_or(0);
                self.index.remove(&HashKey {
                    hash,
                    value: k.clone(),
                });
                return Some((k, v));
            }
        }
        None
    }
}

impl Value {
    /// A str value.
    pub fn str(s: impl Into<String>) -> Value {
        Value::Str(Rc::new(PyStr::new(s.into())))
    }
    /// A list value.
    pub fn list(v: Vec<Value>) -> Value {
        Value::List(Rc::new(RefCell::new(v)))
    }
    /// A tuple value.
    pub fn tuple(v: Vec<Value>) -> Value {
        Value::Tuple(Rc::new(v))
    }
    /// A bytes value.
    pub fn bytes(v: Vec<u8>) -> Value {
        Value::Bytes(Rc::new(v))
    }
    /// An int from a BigInt, demoted to the fast path when it fits.
    pub fn from_bigint(b: BigInt) -> Value {
        use num_traits::ToPrimitive;
        match b.to_i64() {
            Some(i) => Value::Int(i),
            None => Value::BigInt(Rc::new(b)),
        }
    }
    /// The builtin value of an instance of a class deriving from a builtin type.
    #[inline]
    pub fn builtin_base(&self) -> Option<&Value> {
        match self {
            Value::Instance(i) => i.builtin.as_ref(),
            _ => None,
        }
    }
    /// The type name, as `type(x).__name__` gives it.
    pub fn type_name(&self) -> &str {
        match self {
            Value::None => "NoneType",
            Value::Bool(_) => "bool",
            Value::Int(_) | Value::BigInt(_) => "int",
            Value::Float(_) => "float",
            Value::Str(_) => "str",
            Value::Bytes(_) => "bytes",
            Value::List(_) => "list",
            Value::Tuple(_) => "tuple",
            Value::Dict(_) => "dict",
            Value::Set(_) => "set",
            Value::Range(_) => "range",
            Value::Ellipsis => "ellipsis",
            Value::Function(_) => "function",
            Value::Builtin(_) => "builtin_function_or_method",
            Value::BoundMethod(_) => "builtin_function_or_method",
            Value::Class(_) => "type",
            Value::Exception(e) => &e.class.name,
            Value::Iterator(it) => it.borrow().type_name,
            Value::Native(n) => n.0.type_name(),
            Value::Instance(i) => &i.class.name,
            Value::Method(_) => "method",
            Value::Special(s) => s.type_name(),
        }
    }
    /// The builtin type tag of a value (exceptions report `Object`; their class is explicit).
    pub fn type_tag(&self) -> TypeTag {
        match self {
            Value::None => TypeTag::NoneType,
            Value::Bool(_) => TypeTag::Bool,
            Value::Int(_) | Value::BigInt(_) => TypeTag::Int,
            Value::Float(_) => TypeTag::Float,
            Value::Str(_) => TypeTag::Str,
            Value::Bytes(_) => TypeTag::Bytes,
            Value::List(_) => TypeTag::List,
            Value::Tuple(_) => TypeTag::Tuple,
            Value::Dict(_) => TypeTag::Dict,
            Value::Set(_) => TypeTag::Set,
            Value::Range(_) => TypeTag::Range,
            Value::Ellipsis => TypeTag::Ellipsis,
            Value::Function(_) => TypeTag::Function,
            Value::Builtin(_) => TypeTag::BuiltinFunction,
            Value::BoundMethod(_) => TypeTag::Method,
            Value::Class(_) => TypeTag::Type,
            Value::Exception(_) => TypeTag::Object,
            Value::Iterator(_) => TypeTag::Iterator,
            Value::Native(n) => n.0.type_tag(),
            Value::Instance(_) => TypeTag::Object,
            Value::Method(_) => TypeTag::Method,
            Value::Special(s) => match **s {
                Special::Property { .. } => TypeTag::Property,
                Special::StaticMethod(_) => TypeTag::StaticMethod,
                Special::ClassMethod(_) => TypeTag::ClassMethod,
                Special::Super { .. } => TypeTag::Super,
                Special::Slice(_) => TypeTag::Slice,
                Special::NotImplemented => TypeTag::NotImplementedType,
                Special::Gen(_) => TypeTag::Generator,
            },
        }
    }
    /// Python's truth value (for types without `__bool__`/`__len__` hooks).
    pub fn truthy(&self) -> bool {
        match self {
            Value::None => false,
            Value::Bool(b) => *b,
            Value::Int(i) => *i != 0,
            Value::BigInt(_) => true,
            Value::Float(f) => *f != 0.0,
            Value::Str(s) => !s.s.is_empty(),
            Value::Bytes(b) => !b.is_empty(),
            Value::List(l) => !l.borrow().is_empty(),
            Value::Tuple(t) => !t.is_empty(),
            Value::Dict(d) => !d.borrow().is_empty(),
            Value::Set(s) => !s.borrow().is_empty(),
            Value::Range(r) => !r.is_empty(),
            Value::Native(n) => n.0.truthy(),
            Value::Instance(i) => i.builtin.as_ref().is_none_or(Value::truthy),
            _ => true,
        }
    }
    /// An address-like identity for `id()` and `is` on heap objects.
    pub fn identity(&self) -> Option<usize> {
        Some(match self {
            Value::Str(r) => Rc::as_ptr(r) as usize,
            Value::BigInt(r) => Rc::as_ptr(r) as usize,
            Value::Bytes(r) => Rc::as_ptr(r) as usize,
            Value::List(r) => Rc::as_ptr(r) as *const u8 as usize,
            Value::Tuple(r) => Rc::as_ptr(r) as usize,
            Value::Dict(r) => Rc::as_ptr(r) as *const u8 as usize,
            Value::Set(r) => Rc::as_ptr(r) as *const u8 as usize,
            Value::Range(r) => Rc::as_ptr(r) as usize,
            Value::Function(r) => Rc::as_ptr(r) as usize,
            Value::Builtin(r) => *r as *const BuiltinDef as usize,
            Value::BoundMethod(r) => Rc::as_ptr(r) as usize,
            Value::Class(r) => Rc::as_ptr(r) as usize,
            Value::Exception(r) => Rc::as_ptr(r) as usize,
            Value::Iterator(r) => Rc::as_ptr(r) as *const u8 as usize,
            Value::Native(r) => Rc::as_ptr(r) as usize,
            Value::Instance(r) => Rc::as_ptr(r) as usize,
            Value::Method(r) => Rc::as_ptr(r) as usize,
            Value::Special(r) => Rc::as_ptr(r) as usize,
            _ => return None,
        })
    }
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}",
            super::format::repr(self).unwrap_or_else(|_| "<value>".into())
        )
    }
}
