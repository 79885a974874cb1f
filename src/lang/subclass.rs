//! Classes deriving from builtin types (`class Port(int)`, `class Headers(dict)`).
//!
//! An instance of such a class is a user instance carrying a value of its builtin type
//! (`Instance::builtin`). Every protocol of the language tries the class's own special methods
//! first and then falls back to that value, as CPython's inherited slots do: `len`, iteration,
//! subscripts, operators, hashing, `repr`/`str`/`format`, and the builtins and engine functions
//! that read an int, a str or bytes (which see the value through `Value::builtin_base`).
//!
//! This module holds what is particular to the builtin side of such a class:
//! - the builtin types' `__new__` (a new value, wrapped in an instance of the subclass) and
//!   `__init__` (which fills a mutable container; the immutable types take their value in
//!   `__new__`);
//! - the builtin types' special methods as callables (`list.__getitem__`, `int.__add__`, ...),
//!   reached through `super()`, through the class (`dict.__setitem__(self, k, v)`) and as
//!   attributes of values (`(3).__add__(4)`). They act on the builtin value directly, never
//!   through the subclass's overrides, so `super().__getitem__(k)` inside a `__getitem__` does
//!   not recurse.

use std::cell::RefCell;
use std::rc::Rc;

use super::ast::{BinOp, CmpOp, Sym, UnaryOp};
use super::exceptions::{Exc, ExcKind, PResult};
use super::interp::Vm;
use super::ops;
use super::value::{BuiltinDef, Class, ClassKind, Dict, Instance, Method, SymMap, TypeTag, Value};

type Kw = Vec<(Sym, Value)>;

/// Whether a class statement may derive from the builtin type `tag`.
pub fn subclassable(tag: TypeTag) -> bool {
    matches!(
        tag,
        TypeTag::Int
            | TypeTag::Float
            | TypeTag::Str
            | TypeTag::Bytes
            | TypeTag::List
            | TypeTag::Tuple
            | TypeTag::Dict
            | TypeTag::Set
            | TypeTag::FrozenSet
            | TypeTag::ByteArray
    )
}

/// Whether `__init__` fills values of the type (the mutable containers); the others are made
/// whole by `__new__`.
pub fn filled_by_init(tag: TypeTag) -> bool {
    matches!(
        tag,
        TypeTag::List | TypeTag::Dict | TypeTag::Set | TypeTag::ByteArray
    )
}

/// The builtin type whose values instances of `c` are (or carry): `list` for `list` and for
/// every class deriving from it; None for `object` and plain classes.
pub fn layout_tag(c: &Class) -> Option<TypeTag> {
    match c.kind {
        ClassKind::Builtin(t) if subclassable(t) => Some(t),
        _ => None,
    }
}

/// The value itself, or the builtin value an instance of a subclass of a builtin type carries.
#[inline]
pub fn plain(v: &Value) -> &Value {
    v.builtin_base().unwrap_or(v)
}

/// The builtin type of a plain value, for its special methods (bool's are int's).
fn value_tag(v: &Value) -> Option<TypeTag> {
    match v.type_tag() {
        TypeTag::Bool => Some(TypeTag::Int),
        t if subclassable(t) => Some(t),
        _ => None,
    }
}

/// An instance of the user class `cls` carrying `value`.
fn wrap(cls: &Rc<Class>, value: Value) -> Value {
    Value::Instance(Rc::new(Instance {
        class: cls.clone(),
        dict: RefCell::new(SymMap::default()),
        builtin: Some(value),
    }))
}

fn empty(tag: TypeTag) -> Value {
    match tag {
        TypeTag::List => Value::list(Vec::new()),
        TypeTag::Dict => Value::Dict(Rc::new(RefCell::new(Dict::new()))),
        TypeTag::Set => Value::Set(Rc::new(RefCell::new(super::settable::SetTable::new()))),
        _ => super::objects::bytearray::new(Vec::new()),
    }
}

/// Set and frozenset name the class being built in their argument-count errors
/// ("S expected at most 1 argument, got 2"); the builtin constructor says "set".
fn rename_count_error(e: Exc, tag: TypeTag, cls: &Class) -> Exc {
    let builtin = match tag {
        TypeTag::Set => "set",
        TypeTag::FrozenSet => "frozenset",
        _ => return e,
    };
    if let Exc::Raise(r) = &e {
        if r.exc.kind() == ExcKind::TypeError {
            if let Some(Value::Str(m)) = r.exc.args().first() {
                if let Some(rest) = m.s.strip_prefix(&format!("{builtin} expected")) {
                    return Exc::type_error(format!("{} expected{rest}", cls.name));
                }
            }
        }
    }
    e
}

/// `T.__new__(cls, *args, **kw)` for a builtin type `T`: the value `T(*args, **kw)` makes
/// (empty for the mutable containers, which `__init__` fills), as an instance of `cls` when
/// `cls` is a user class.
pub fn builtin_new(
    vm: &mut Vm<'_>,
    cls: &Rc<Class>,
    tag: TypeTag,
    args: Vec<Value>,
    kw: Kw,
) -> PResult<Value> {
    let value = if filled_by_init(tag) {
        empty(tag)
    } else {
        let t = vm.st.types.of_tag(tag);
        super::builtins::construct(vm, &t, args, kw).map_err(|e| rename_count_error(e, tag, cls))?
    };
    Ok(if cls.user { wrap(cls, value) } else { value })
}

/// `T.__init__(self, *args, **kw)`: refills a mutable container as `T(*args, **kw)` would
/// make it (a dict is updated, as CPython's is); the immutable types have `object.__init__`.
pub fn builtin_init(
    vm: &mut Vm<'_>,
    tag: TypeTag,
    this: &Value,
    args: Vec<Value>,
    kw: Kw,
) -> PResult<Value> {
    let target = plain(this).clone();
    if value_tag(&target) != Some(tag) {
        return Err(Exc::type_error(format!(
            "descriptor '__init__' requires a '{}' object but received a '{}'",
            vm.st.types.of_tag(tag).name,
            this.type_name()
        )));
    }
    if !filled_by_init(tag) {
        if !args.is_empty() || !kw.is_empty() {
            return Err(Exc::type_error(
                "object.__init__() takes exactly one argument (the instance to initialize)",
            ));
        }
        return Ok(Value::None);
    }
    let t = vm.st.types.of_tag(tag);
    let fresh = super::builtins::construct(vm, &t, args, kw).map_err(|e| match this {
        Value::Instance(i) => rename_count_error(e, tag, &i.class),
        _ => e,
    })?;
    match (&target, &fresh) {
        (Value::List(l), Value::List(f)) => {
            let items = f.borrow().clone();
            *l.borrow_mut() = items;
        }
        (Value::Set(s), Value::Set(f)) => {
            // `set.__init__` clears the set and updates it: the fresh set's table.
            let items = std::mem::take(&mut *f.borrow_mut());
            *s.borrow_mut() = items;
        }
        (Value::Dict(d), Value::Dict(f)) => {
            let pairs: Vec<(Value, Value)> = f
                .borrow()
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            for (k, v) in pairs {
                let key = vm.key(&k)?;
                d.borrow_mut().insert(key, v);
            }
        }
        _ => {
            let (Some(dst), Some(src)) = (
                super::objects::downcast::<super::objects::bytearray::ByteArray>(&target),
                super::objects::bytes_like(&fresh),
            ) else {
                return Ok(Value::None);
            };
            *dst.data.borrow_mut() = src;
        }
    }
    Ok(Value::None)
}

/// `object.__new__(cls)` refuses classes whose instances carry a builtin value.
pub fn check_object_new(cls: &Class) -> PResult<()> {
    if cls.user && layout_tag(cls).is_some() {
        return Err(Exc::type_error(format!(
            "object.__new__({0}) is not safe, use {0}.__new__()",
            cls.name
        )));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The builtin types' special methods.

/// What a special method of the builtin types does.
#[derive(Clone, Copy)]
enum Dunder {
    New(TypeTag),
    Init(TypeTag),
    Repr,
    Str,
    Format,
    Hash,
    Cmp(CmpOp),
    /// A binary operator; `true` for the reflected method (`__radd__`).
    Bin(BinOp, bool),
    InPlace(BinOp),
    Unary(UnaryOp),
    Abs,
    Bool,
    Int,
    Float,
    Index,
    Len,
    GetItem,
    SetItem,
    DelItem,
    Contains,
    Iter,
}

macro_rules! dunders {
    ($($id:ident $name:literal $d:expr;)*) => {
        $(static $id: BuiltinDef = BuiltinDef {
            name: $name,
            func: |vm, args, kw| run(vm, $d, $name, args, kw),
        };)*
        /// Every special method of the builtin types, with what it does.
        static TABLE: &[(&str, &BuiltinDef, Dunder)] = &[$(($name, &$id, $d)),*];
    };
}

dunders! {
    NEW_INT "__new__" Dunder::New(TypeTag::Int);
    NEW_FLOAT "__new__" Dunder::New(TypeTag::Float);
    NEW_STR "__new__" Dunder::New(TypeTag::Str);
    NEW_BYTES "__new__" Dunder::New(TypeTag::Bytes);
    NEW_LIST "__new__" Dunder::New(TypeTag::List);
    NEW_TUPLE "__new__" Dunder::New(TypeTag::Tuple);
    NEW_DICT "__new__" Dunder::New(TypeTag::Dict);
    NEW_SET "__new__" Dunder::New(TypeTag::Set);
    NEW_FROZENSET "__new__" Dunder::New(TypeTag::FrozenSet);
    NEW_BYTEARRAY "__new__" Dunder::New(TypeTag::ByteArray);
    INIT_INT "__init__" Dunder::Init(TypeTag::Int);
    INIT_FLOAT "__init__" Dunder::Init(TypeTag::Float);
    INIT_STR "__init__" Dunder::Init(TypeTag::Str);
    INIT_BYTES "__init__" Dunder::Init(TypeTag::Bytes);
    INIT_LIST "__init__" Dunder::Init(TypeTag::List);
    INIT_TUPLE "__init__" Dunder::Init(TypeTag::Tuple);
    INIT_DICT "__init__" Dunder::Init(TypeTag::Dict);
    INIT_SET "__init__" Dunder::Init(TypeTag::Set);
    INIT_FROZENSET "__init__" Dunder::Init(TypeTag::FrozenSet);
    INIT_BYTEARRAY "__init__" Dunder::Init(TypeTag::ByteArray);
    REPR "__repr__" Dunder::Repr;
    STR "__str__" Dunder::Str;
    FORMAT "__format__" Dunder::Format;
    HASH "__hash__" Dunder::Hash;
    EQ "__eq__" Dunder::Cmp(CmpOp::Eq);
    NE "__ne__" Dunder::Cmp(CmpOp::Ne);
    LT "__lt__" Dunder::Cmp(CmpOp::Lt);
    LE "__le__" Dunder::Cmp(CmpOp::Le);
    GT "__gt__" Dunder::Cmp(CmpOp::Gt);
    GE "__ge__" Dunder::Cmp(CmpOp::Ge);
    ADD "__add__" Dunder::Bin(BinOp::Add, false);
    RADD "__radd__" Dunder::Bin(BinOp::Add, true);
    IADD "__iadd__" Dunder::InPlace(BinOp::Add);
    SUB "__sub__" Dunder::Bin(BinOp::Sub, false);
    RSUB "__rsub__" Dunder::Bin(BinOp::Sub, true);
    ISUB "__isub__" Dunder::InPlace(BinOp::Sub);
    MUL "__mul__" Dunder::Bin(BinOp::Mul, false);
    RMUL "__rmul__" Dunder::Bin(BinOp::Mul, true);
    IMUL "__imul__" Dunder::InPlace(BinOp::Mul);
    TRUEDIV "__truediv__" Dunder::Bin(BinOp::Div, false);
    RTRUEDIV "__rtruediv__" Dunder::Bin(BinOp::Div, true);
    FLOORDIV "__floordiv__" Dunder::Bin(BinOp::FloorDiv, false);
    RFLOORDIV "__rfloordiv__" Dunder::Bin(BinOp::FloorDiv, true);
    MOD "__mod__" Dunder::Bin(BinOp::Mod, false);
    RMOD "__rmod__" Dunder::Bin(BinOp::Mod, true);
    POW "__pow__" Dunder::Bin(BinOp::Pow, false);
    RPOW "__rpow__" Dunder::Bin(BinOp::Pow, true);
    AND "__and__" Dunder::Bin(BinOp::BitAnd, false);
    RAND "__rand__" Dunder::Bin(BinOp::BitAnd, true);
    IAND "__iand__" Dunder::InPlace(BinOp::BitAnd);
    OR "__or__" Dunder::Bin(BinOp::BitOr, false);
    ROR "__ror__" Dunder::Bin(BinOp::BitOr, true);
    IOR "__ior__" Dunder::InPlace(BinOp::BitOr);
    XOR "__xor__" Dunder::Bin(BinOp::BitXor, false);
    RXOR "__rxor__" Dunder::Bin(BinOp::BitXor, true);
    IXOR "__ixor__" Dunder::InPlace(BinOp::BitXor);
    LSHIFT "__lshift__" Dunder::Bin(BinOp::LShift, false);
    RLSHIFT "__rlshift__" Dunder::Bin(BinOp::LShift, true);
    RSHIFT "__rshift__" Dunder::Bin(BinOp::RShift, false);
    RRSHIFT "__rrshift__" Dunder::Bin(BinOp::RShift, true);
    NEG "__neg__" Dunder::Unary(UnaryOp::Neg);
    POS "__pos__" Dunder::Unary(UnaryOp::Pos);
    INVERT "__invert__" Dunder::Unary(UnaryOp::Invert);
    ABS "__abs__" Dunder::Abs;
    BOOL "__bool__" Dunder::Bool;
    INT "__int__" Dunder::Int;
    FLOAT "__float__" Dunder::Float;
    INDEX "__index__" Dunder::Index;
    LEN "__len__" Dunder::Len;
    GETITEM "__getitem__" Dunder::GetItem;
    SETITEM "__setitem__" Dunder::SetItem;
    DELITEM "__delitem__" Dunder::DelItem;
    CONTAINS "__contains__" Dunder::Contains;
    ITER "__iter__" Dunder::Iter;
}

/// Whether the builtin type `tag` has the special method `d`.
fn supports(tag: TypeTag, d: Dunder) -> bool {
    use TypeTag as T;
    let num = matches!(tag, T::Int | T::Float);
    let int = tag == T::Int;
    let seq = matches!(tag, T::Str | T::Bytes | T::List | T::Tuple | T::ByteArray);
    let text = matches!(tag, T::Str | T::Bytes | T::ByteArray);
    let set = matches!(tag, T::Set | T::FrozenSet);
    let map = tag == T::Dict;
    match d {
        Dunder::New(t) | Dunder::Init(t) => t == tag,
        Dunder::Repr | Dunder::Str | Dunder::Format | Dunder::Hash | Dunder::Cmp(_) => true,
        Dunder::Bin(op, reflected) => match op {
            BinOp::Add => num || (seq && !reflected),
            BinOp::Mul => {
                num || (seq && tag != T::ByteArray) || (tag == T::ByteArray && !reflected)
            }
            BinOp::Sub => num || set,
            BinOp::Div | BinOp::FloorDiv | BinOp::Pow => num,
            BinOp::Mod => num || text,
            BinOp::BitAnd | BinOp::BitXor => int || set,
            BinOp::BitOr => int || set || map,
            BinOp::LShift | BinOp::RShift => int,
        },
        Dunder::InPlace(op) => match op {
            BinOp::Add | BinOp::Mul => matches!(tag, T::List | T::ByteArray),
            BinOp::Sub | BinOp::BitAnd | BinOp::BitXor => tag == T::Set,
            BinOp::BitOr => tag == T::Set || map,
            _ => false,
        },
        Dunder::Unary(UnaryOp::Invert) | Dunder::Index => int,
        Dunder::Unary(_) | Dunder::Abs | Dunder::Bool | Dunder::Int | Dunder::Float => num,
        Dunder::Len | Dunder::Contains | Dunder::Iter => seq || set || map,
        Dunder::GetItem => seq || map,
        Dunder::SetItem | Dunder::DelItem => matches!(tag, T::List | T::ByteArray) || map,
    }
}

/// The special method `name` of the builtin type `tag`, if it has one.
pub fn special_of(vm: &Vm<'_>, tag: TypeTag, name: Sym) -> Option<&'static BuiltinDef> {
    let n = vm.st.interner.name(name);
    if !n.starts_with("__") {
        return None;
    }
    TABLE
        .iter()
        .find(|(m, _, d)| *m == n && supports(tag, *d))
        .map(|(_, def, _)| *def)
}

/// `v.name` for the builtin types' special methods: for a builtin class (or a user class
/// deriving from one), the function; for a value, the method bound to it.
pub fn special_attr(vm: &Vm<'_>, v: &Value, name: Sym) -> Option<Value> {
    match v {
        Value::Class(c) => special_of(vm, layout_tag(c)?, name).map(Value::Builtin),
        Value::Instance(i) => {
            let d = special_of(vm, layout_tag(&i.class)?, name)?;
            Some(bound(d, v))
        }
        _ => {
            let d = special_of(vm, value_tag(v)?, name)?;
            Some(bound(d, v))
        }
    }
}

fn bound(d: &'static BuiltinDef, receiver: &Value) -> Value {
    Value::Method(Rc::new(Method {
        func: Value::Builtin(d),
        receiver: receiver.clone(),
    }))
}

fn not_implemented(vm: &Vm<'_>) -> Value {
    vm.st.not_implemented.clone()
}

/// Whether `other` is a plain user object (no builtin value): the builtin types' binary
/// methods answer NotImplemented to it, leaving the operation to its own methods.
fn foreign(other: &Value) -> bool {
    matches!(other, Value::Instance(_) | Value::Exception(_))
}

/// Whether the builtin type of `this` handles `other` in a comparison or arithmetic (int's
/// methods leave floats to float's reflected ones, as CPython's do).
fn accepts(this: &Value, other: &Value) -> bool {
    use TypeTag as T;
    let fam = |t: TypeTag| match t {
        T::Bool | T::Int => T::Int,
        T::ByteArray => T::Bytes,
        T::FrozenSet => T::Set,
        t => t,
    };
    let (a, b) = (fam(this.type_tag()), fam(other.type_tag()));
    match a {
        T::Float => matches!(b, T::Int | T::Float),
        T::Int => b == T::Int,
        T::Str | T::Bytes | T::List | T::Tuple | T::Dict | T::Set => a == b,
        _ => false,
    }
}

fn is_unsupported_operand(e: &Exc) -> bool {
    match e {
        Exc::Raise(r) => {
            r.exc.kind() == ExcKind::TypeError
                && r.exc.args().first().is_some_and(|a| {
                    matches!(a, Value::Str(s) if s.s.starts_with("unsupported operand type(s)")
                        || s.s.contains("not supported between instances of"))
                })
        }
        _ => false,
    }
}

fn arity(args: &[Value], n: usize) -> PResult<()> {
    if args.len() != n {
        return Err(Exc::type_error(format!(
            "expected {n} argument{}, got {}",
            if n == 1 { "" } else { "s" },
            args.len()
        )));
    }
    Ok(())
}

/// Runs a builtin type's special method: `args[0]` is the receiver.
fn run(vm: &mut Vm<'_>, d: Dunder, name: &str, mut args: Vec<Value>, kw: Kw) -> PResult<Value> {
    if let Dunder::New(tag) = d {
        return new_method(vm, tag, args, kw);
    }
    if args.is_empty() {
        return Err(Exc::type_error(format!(
            "unbound method {name}() needs an argument"
        )));
    }
    let this = args.remove(0);
    if let Dunder::Init(tag) = d {
        return builtin_init(vm, tag, &this, args, kw);
    }
    if !kw.is_empty() {
        return Err(Exc::type_error(format!(
            "{name}() takes no keyword arguments"
        )));
    }
    let base = plain(&this).clone();
    let want = match d {
        Dunder::SetItem => 2,
        Dunder::Cmp(_)
        | Dunder::Bin(..)
        | Dunder::InPlace(_)
        | Dunder::Format
        | Dunder::GetItem
        | Dunder::DelItem
        | Dunder::Contains => 1,
        _ => 0,
    };
    arity(&args, want)?;
    match d {
        Dunder::New(_) | Dunder::Init(_) => Ok(Value::None),
        Dunder::Repr => Ok(Value::str(repr_of(vm, &this)?)),
        Dunder::Str => Ok(Value::str(str_of(vm, &this)?)),
        Dunder::Format => {
            let Value::Str(spec) = &args[0] else {
                return Err(Exc::type_error(format!(
                    "format() argument 2 must be str, not {}",
                    args[0].type_name()
                )));
            };
            if spec.s.is_empty() {
                return Ok(Value::str(vm.str(&this)?));
            }
            Ok(Value::str(super::printf::format_spec(vm, &base, &spec.s)?))
        }
        Dunder::Hash => hash_of(vm, &this).map(Value::Int),
        Dunder::Cmp(op) => {
            let other = plain(&args[0]).clone();
            if foreign(&other) || !accepts(&base, &other) {
                return Ok(not_implemented(vm));
            }
            match op {
                CmpOp::Eq => Ok(Value::Bool(vm.eq(&base, &other)?)),
                CmpOp::Ne => Ok(Value::Bool(!vm.eq(&base, &other)?)),
                _ => match ops::compare(op, &base, &other) {
                    Ok(b) => Ok(Value::Bool(b)),
                    Err(e) if is_unsupported_operand(&e) => Ok(not_implemented(vm)),
                    Err(e) => Err(e),
                },
            }
        }
        Dunder::Bin(op, reflected) => {
            let other = plain(&args[0]).clone();
            let numeric = matches!(base, Value::Int(_) | Value::BigInt(_) | Value::Float(_));
            if foreign(&other) || (numeric && !accepts(&base, &other)) {
                return Ok(not_implemented(vm));
            }
            let r = if reflected {
                vm.binary(op, &other, &base)
            } else {
                vm.binary(op, &base, &other)
            };
            match r {
                Err(e) if is_unsupported_operand(&e) => Ok(not_implemented(vm)),
                r => r,
            }
        }
        Dunder::InPlace(op) => {
            let other = plain(&args[0]).clone();
            if foreign(&other) {
                return Ok(not_implemented(vm));
            }
            inplace(vm, op, &this, &other)
        }
        Dunder::Unary(op) => ops::unary(op, &base),
        Dunder::Abs => {
            let neg = ops::compare(CmpOp::Lt, &base, &Value::Int(0))?;
            ops::unary(if neg { UnaryOp::Neg } else { UnaryOp::Pos }, &base)
        }
        Dunder::Bool => Ok(Value::Bool(base.truthy())),
        Dunder::Int | Dunder::Index => match base {
            Value::Float(f) => super::builtins::float_to_int(f),
            Value::Bool(b) => Ok(Value::Int(b as i64)),
            v => Ok(v),
        },
        Dunder::Float => match base {
            Value::Float(f) => Ok(Value::Float(f)),
            v => Ok(Value::Float(ops::int_to_f64(
                &ops::as_bigint(&v).unwrap_or_default(),
            )?)),
        },
        Dunder::Len => Ok(Value::Int(ops::len(&base)? as i64)),
        Dunder::GetItem => get_item(vm, &this, args.remove(0)),
        Dunder::SetItem => {
            let v = args.remove(1);
            super::classes::set_item(vm, &base, args.remove(0), v).map(|_| Value::None)
        }
        Dunder::DelItem => super::classes::del_item(vm, &base, args.remove(0)).map(|_| Value::None),
        Dunder::Contains => Ok(Value::Bool(vm.contains(&base, &args[0])?)),
        Dunder::Iter => vm.iter_value(&base),
    }
}

/// `T.__new__(cls, ...)`, with CPython's checks of `cls`.
fn new_method(vm: &mut Vm<'_>, tag: TypeTag, mut args: Vec<Value>, kw: Kw) -> PResult<Value> {
    let tname = vm.st.types.of_tag(tag).name.clone();
    if args.is_empty() {
        return Err(Exc::type_error(format!(
            "{tname}.__new__(): not enough arguments"
        )));
    }
    let cls = match args.remove(0) {
        Value::Class(c) => c,
        other => {
            return Err(Exc::type_error(format!(
                "{tname}.__new__(X): X is not a type object ({})",
                other.type_name()
            )))
        }
    };
    if layout_tag(&cls) != Some(tag) {
        return Err(Exc::type_error(format!(
            "{tname}.__new__({0}): {0} is not a subtype of {tname}",
            cls.name
        )));
    }
    builtin_new(vm, &cls, tag, args, kw)
}

/// `self[key]` on the builtin value: a dict subclass's `__missing__` answers missing keys.
pub fn get_item(vm: &mut Vm<'_>, this: &Value, key: Value) -> PResult<Value> {
    let base = plain(this).clone();
    match vm.get_item(&base, &key) {
        Err(Exc::Raise(r))
            if r.exc.kind() == ExcKind::KeyError
                && matches!(base, Value::Dict(_))
                && matches!(this, Value::Instance(_)) =>
        {
            match super::classes::call_dunder(vm, this, "__missing__", vec![key]) {
                Some(res) => res,
                None => Err(Exc::Raise(r)),
            }
        }
        res => res,
    }
}

/// `self op= other` for an instance of a subclass of a mutable builtin type without its own
/// `__iop__`: the builtin type's in-place operator; None when the type has none.
pub fn inplace_of(
    vm: &mut Vm<'_>,
    op: BinOp,
    this: &Value,
    other: &Value,
) -> Option<PResult<Value>> {
    let Value::Instance(i) = this else {
        return None;
    };
    let tag = layout_tag(&i.class)?;
    if !supports(tag, Dunder::InPlace(op)) {
        return None;
    }
    let other = plain(other).clone();
    if foreign(&other) {
        return None;
    }
    Some(inplace(vm, op, this, &other))
}

/// `self op= other` on a mutable builtin value: changes it in place and returns `self`.
fn inplace(vm: &mut Vm<'_>, op: BinOp, this: &Value, other: &Value) -> PResult<Value> {
    let base = plain(this).clone();
    let set_like = |v: &Value| matches!(v.type_tag(), TypeTag::Set | TypeTag::FrozenSet);
    if set_like(&base) && !set_like(other) {
        return Ok(not_implemented(vm));
    }
    let r = vm.inplace_builtin(op, base.clone(), other)?;
    if !ops::is(&r, &base) {
        // bytearray's operators build a new value: copy it back.
        if let (Some(dst), Some(src)) = (
            super::objects::downcast::<super::objects::bytearray::ByteArray>(&base),
            super::objects::bytes_like(&r),
        ) {
            *dst.data.borrow_mut() = src;
        } else {
            return Ok(r);
        }
    }
    Ok(this.clone())
}

/// `hash(self)` from its builtin value; the mutable types are unhashable under the
/// subclass's name.
pub fn hash_of(vm: &mut Vm<'_>, this: &Value) -> PResult<i64> {
    let base = plain(this).clone();
    vm.hash(&base).map_err(|e| match e {
        Exc::Raise(r) if r.exc.kind() == ExcKind::TypeError => {
            Exc::type_error(format!("unhashable type: '{}'", this.type_name()))
        }
        e => e,
    })
}

/// The builtin type's `repr` of `self`: the value's repr, which set, frozenset and
/// bytearray subclasses spell with the subclass's name (`S({1, 2})`, `BA(b'x')`).
pub fn repr_of(vm: &mut Vm<'_>, this: &Value) -> PResult<String> {
    let base = plain(this).clone();
    let r = vm.repr(&base)?;
    let Value::Instance(i) = this else {
        return Ok(r);
    };
    let own = match base.type_tag() {
        TypeTag::Set => "set",
        TypeTag::FrozenSet => "frozenset",
        TypeTag::ByteArray => "bytearray",
        _ => return Ok(r),
    };
    Ok(match r.strip_prefix(own) {
        Some(rest) if rest.starts_with('(') => format!("{}{rest}", i.class.name),
        _ => format!("{}({r})", i.class.name),
    })
}

/// The builtin type's `str` of `self`: a str subclass gives its text and bytes its repr;
/// the other types have `object.__str__`, which is `repr(self)` (the subclass's `__repr__`
/// included).
pub fn str_of(vm: &mut Vm<'_>, this: &Value) -> PResult<String> {
    match plain(this) {
        Value::Str(s) => Ok(s.s.clone()),
        b @ Value::Bytes(_) => {
            let b = b.clone();
            vm.repr(&b)
        }
        _ if matches!(this, Value::Instance(_)) => vm.repr(this),
        b => {
            let b = b.clone();
            vm.str(&b)
        }
    }
}
