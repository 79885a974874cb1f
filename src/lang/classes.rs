//! Classes defined by `class` statements, their instances, and the special methods that plug
//! user code into the language: operators, comparisons, `len`, `bool`, `repr`/`str`,
//! iteration, subscripts, calls, attribute hooks, descriptors (`property`, `staticmethod`,
//! `classmethod`) and `super()`.
//!
//! Special methods are looked up on the class (its MRO), as Python does. A class's attributes
//! live in a small map keyed by interned symbols; instances keep theirs the same way.

use std::cell::RefCell;
use std::rc::Rc;

use super::ast::{BinOp, CmpOp, Sym, UnaryOp};
use super::exceptions::{Exc, ExcKind, PResult, PyExc};
use super::format;
use super::interp::{Frame, PyIter, Vm};
use super::ops;
use super::subclass;
use super::symbols::Interner;
use super::value::{
    class_flags, BuiltinDef, Class, ClassKind, Dict, ExcObject, Instance, Method, Special, SymMap,
    TypeTag, Value,
};

type Kw = Vec<(Sym, Value)>;

macro_rules! syms {
    ($($field:ident = $name:expr),* $(,)?) => {
        /// Interned special names, created once per session.
        pub struct Syms { $(pub $field: Sym),* }
        impl Syms {
            /// Interns every special name.
            pub fn new(i: &mut Interner) -> Syms {
                Syms { $($field: i.intern($name)),* }
            }
        }
    };
}

syms! {
    init = "__init__", new = "__new__", repr = "__repr__", str = "__str__",
    eq = "__eq__", ne = "__ne__", lt = "__lt__", le = "__le__", gt = "__gt__", ge = "__ge__",
    hash = "__hash__", bool_ = "__bool__", len = "__len__", iter = "__iter__",
    next = "__next__", getitem = "__getitem__", setitem = "__setitem__",
    delitem = "__delitem__", contains = "__contains__", call = "__call__",
    getattr = "__getattr__", setattr = "__setattr__", delattr = "__delattr__",
    getattribute = "__getattribute__",
    enter = "__enter__", exit = "__exit__", neg = "__neg__", pos = "__pos__",
    invert = "__invert__", abs = "__abs__", format = "__format__",
    class = "__class__", name = "__name__", qualname = "__qualname__", module = "__module__",
    dict = "__dict__", doc = "__doc__", mro = "__mro__", bases = "__bases__",
    args = "args", cause = "__cause__", context = "__context__",
    suppress_context = "__suppress_context__", traceback = "__traceback__",
    func = "__func__", self_ = "__self__", defaults = "__defaults__",
    kwdefaults = "__kwdefaults__", fget = "fget", fset = "fset", fdel = "fdel",
    getter = "getter", setter = "setter", deleter = "deleter", start = "start",
    stop = "stop", step = "step", with_traceback = "with_traceback", wrapped = "__wrapped__",
    add = "__add__", radd = "__radd__", iadd = "__iadd__",
    sub = "__sub__", rsub = "__rsub__", isub = "__isub__",
    mul = "__mul__", rmul = "__rmul__", imul = "__imul__",
    truediv = "__truediv__", rtruediv = "__rtruediv__", itruediv = "__itruediv__",
    floordiv = "__floordiv__", rfloordiv = "__rfloordiv__", ifloordiv = "__ifloordiv__",
    mod_ = "__mod__", rmod = "__rmod__", imod = "__imod__",
    pow = "__pow__", rpow = "__rpow__", ipow = "__ipow__",
    lshift = "__lshift__", rlshift = "__rlshift__", ilshift = "__ilshift__",
    rshift = "__rshift__", rrshift = "__rrshift__", irshift = "__irshift__",
    and_ = "__and__", rand = "__rand__", iand = "__iand__",
    or_ = "__or__", ror = "__ror__", ior = "__ior__",
    xor = "__xor__", rxor = "__rxor__", ixor = "__ixor__",
    append = "append", get = "get", pop = "pop",
}

impl Syms {
    /// `(__op__, __rop__, __iop__)` of a binary operator.
    fn binop(&self, op: BinOp) -> (Sym, Sym, Sym) {
        match op {
            BinOp::Add => (self.add, self.radd, self.iadd),
            BinOp::Sub => (self.sub, self.rsub, self.isub),
            BinOp::Mul => (self.mul, self.rmul, self.imul),
            BinOp::Div => (self.truediv, self.rtruediv, self.itruediv),
            BinOp::FloorDiv => (self.floordiv, self.rfloordiv, self.ifloordiv),
            BinOp::Mod => (self.mod_, self.rmod, self.imod),
            BinOp::Pow => (self.pow, self.rpow, self.ipow),
            BinOp::LShift => (self.lshift, self.rlshift, self.ilshift),
            BinOp::RShift => (self.rshift, self.rrshift, self.irshift),
            BinOp::BitAnd => (self.and_, self.rand, self.iand),
            BinOp::BitOr => (self.or_, self.ror, self.ior),
            BinOp::BitXor => (self.xor, self.rxor, self.ixor),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Builtins of the class machinery.

/// `super`: the interpreter recognizes the zero-argument call by this definition's address.
pub static SUPER: BuiltinDef = BuiltinDef {
    name: "super",
    func: super_builtin,
};

/// Installs `super`, `property`, `staticmethod`, `classmethod`, `slice` and `NotImplemented`.
/// The attribute builtins (`getattr`, `setattr`, `hasattr`, `delattr`, `vars`) are the
/// library's (`objects::builtins`), which reach instances through `Vm::get_attr`/`set_attr`
/// and [`del_attr`]/[`vars_of`].
pub fn install(st: &mut super::interp::State) {
    st.set_builtin("super", Value::Builtin(&SUPER));
    for (name, tag) in [
        ("property", TypeTag::Property),
        ("staticmethod", TypeTag::StaticMethod),
        ("classmethod", TypeTag::ClassMethod),
        ("slice", TypeTag::Slice),
    ] {
        let c = st.types.of_tag(tag);
        st.set_builtin(name, Value::Class(c));
    }
    let ni = st.not_implemented.clone();
    st.set_builtin("NotImplemented", ni);
}

macro_rules! native {
    ($id:ident, $name:expr, $f:ident) => {
        static $id: BuiltinDef = BuiltinDef {
            name: $name,
            func: $f,
        };
    };
}

native!(OBJECT_INIT, "__init__", object_init);
native!(OBJECT_NEW, "__new__", object_new);
native!(OBJECT_REPR, "__repr__", object_repr);
native!(OBJECT_STR, "__str__", object_str);
native!(OBJECT_SETATTR, "__setattr__", object_setattr);
native!(OBJECT_DELATTR, "__delattr__", object_delattr);
native!(OBJECT_GETATTRIBUTE, "__getattribute__", object_getattribute);
native!(OBJECT_EQ, "__eq__", object_eq);
native!(OBJECT_NE, "__ne__", object_ne);
native!(OBJECT_HASH, "__hash__", object_hash);
native!(OBJECT_FORMAT, "__format__", object_format);
native!(EXC_INIT, "__init__", exc_init);
native!(EXC_STR, "__str__", exc_str);
native!(EXC_REPR, "__repr__", exc_repr);
native!(EXC_WITH_TRACEBACK, "with_traceback", exc_with_traceback);
native!(PROPERTY_GETTER, "getter", property_getter);
native!(PROPERTY_SETTER, "setter", property_setter);
native!(PROPERTY_DELETER, "deleter", property_deleter);

/// The methods `object` (and `BaseException`) provide to every instance.
fn builtin_method(vm: &Vm<'_>, exception: bool, name: Sym) -> Option<&'static BuiltinDef> {
    let s = &vm.st.syms;
    if exception {
        if name == s.init {
            return Some(&EXC_INIT);
        }
        if name == s.str {
            return Some(&EXC_STR);
        }
        if name == s.repr {
            return Some(&EXC_REPR);
        }
        if name == s.with_traceback {
            return Some(&EXC_WITH_TRACEBACK);
        }
    }
    Some(match name {
        n if n == s.init => &OBJECT_INIT,
        n if n == s.new => &OBJECT_NEW,
        n if n == s.repr => &OBJECT_REPR,
        n if n == s.str => &OBJECT_STR,
        n if n == s.setattr => &OBJECT_SETATTR,
        n if n == s.delattr => &OBJECT_DELATTR,
        n if n == s.getattribute => &OBJECT_GETATTRIBUTE,
        n if n == s.eq => &OBJECT_EQ,
        n if n == s.ne => &OBJECT_NE,
        n if n == s.hash => &OBJECT_HASH,
        n if n == s.format => &OBJECT_FORMAT,
        _ => return None,
    })
}

/// Whether `Class.name` on a builtin class must be answered here (`object.__init__`,
/// `Exception.__init__`, `C.__mro__`, ...).
pub fn is_class_special(vm: &Vm<'_>, name: Sym) -> bool {
    let s = &vm.st.syms;
    builtin_method(vm, true, name).is_some()
        || name == s.mro
        || name == s.bases
        || name == s.dict
        || name == s.module
        || name == s.doc
}

/// Whether calling this builtin class is handled here.
pub fn constructs(c: &Class) -> bool {
    matches!(
        c.kind,
        ClassKind::Builtin(
            TypeTag::Object
                | TypeTag::Property
                | TypeTag::StaticMethod
                | TypeTag::ClassMethod
                | TypeTag::Slice
        )
    )
}

/// Whether a value's operators and protocols may run user code.
#[inline]
pub fn is_user(v: &Value) -> bool {
    matches!(v, Value::Instance(_))
}

fn is_not_implemented(v: &Value) -> bool {
    matches!(v, Value::Special(s) if matches!(**s, Special::NotImplemented))
}

fn class_of(vm: &Vm<'_>, v: &Value) -> Rc<Class> {
    vm.st.types.class_of(v)
}

/// Calls the special method `name` (`"__abs__"`, ...) of an instance; None when its class has
/// none.
pub fn call_dunder(
    vm: &mut Vm<'_>,
    v: &Value,
    name: &str,
    args: Vec<Value>,
) -> Option<PResult<Value>> {
    if !matches!(v, Value::Instance(_)) {
        return None;
    }
    let sym = vm.st.interner.intern(name);
    call_special(vm, v, sym, args)
}

/// Whether an instance's class defines the special method `name`.
pub fn has_dunder(vm: &mut Vm<'_>, v: &Value, name: &str) -> bool {
    let sym = vm.st.interner.intern(name);
    special(v, sym).is_some()
}

/// `operator.index(v)`: ints, and instances through `__index__`; None for other values.
pub fn index_value(vm: &mut Vm<'_>, v: &Value) -> Option<PResult<Value>> {
    if let Value::Native(n) = v {
        // Native numbers (a packet's flag value) convert themselves.
        if n.0.method_names().contains(&"__index__") {
            return n.0.call_method(vm, v, "__index__", Vec::new(), Vec::new());
        }
    }
    let r = call_dunder(vm, v, "__index__", Vec::new())?;
    Some(r.and_then(|r| match r {
        Value::Int(_) | Value::BigInt(_) => Ok(r),
        Value::Bool(b) => Ok(Value::Int(b as i64)),
        other => Err(Exc::type_error(format!(
            "__index__ returned non-int (type {})",
            other.type_name()
        ))),
    }))
}

/// Whether `v`'s class defines the special method `name`.
pub fn has_special(v: &Value, name: Sym) -> bool {
    special(v, name).is_some()
}

/// A user-defined special method of `v`'s class.
fn special(v: &Value, name: Sym) -> Option<Value> {
    match v {
        Value::Instance(i) => i.class.lookup(name),
        Value::Exception(e) if e.class.user => e.class.lookup(name),
        _ => None,
    }
}

/// Calls an attribute found on a class as a method of `obj`.
fn call_bound(
    vm: &mut Vm<'_>,
    attr: &Value,
    obj: &Value,
    args: Vec<Value>,
    kw: Kw,
) -> PResult<Value> {
    match attr {
        Value::Function(f) => {
            let mut a = Vec::with_capacity(args.len() + 1);
            a.push(obj.clone());
            a.extend(args);
            vm.call_function(f, a, kw)
        }
        Value::Special(s) => match &**s {
            Special::StaticMethod(f) => vm.call(f, args, kw),
            Special::ClassMethod(f) => {
                let mut a = vec![Value::Class(class_of(vm, obj))];
                a.extend(args);
                vm.call(f, a, kw)
            }
            _ => vm.call(attr, args, kw),
        },
        Value::Builtin(_) => {
            let mut a = Vec::with_capacity(args.len() + 1);
            a.push(obj.clone());
            a.extend(args);
            vm.call(attr, a, kw)
        }
        _ => vm.call(attr, args, kw),
    }
}

/// Calls `v.name(args)` if `v`'s class defines it.
fn call_special(vm: &mut Vm<'_>, v: &Value, name: Sym, args: Vec<Value>) -> Option<PResult<Value>> {
    let f = special(v, name)?;
    Some(call_bound(vm, &f, v, args, Vec::new()))
}

/// A bound callable for a special method, for protocols (`with`) that also apply to native
/// values with method tables.
pub fn special_method(vm: &mut Vm<'_>, v: &Value, name: Sym) -> Option<Value> {
    match v {
        Value::Instance(_) | Value::Exception(_) => {
            let f = special(v, name)?;
            Some(bind(vm, f, v.clone()))
        }
        _ => {
            let n = vm.st.interner.name(name).to_string();
            if super::methods::has_method(v, &n) {
                vm.get_attr(v.clone(), name).ok()
            } else {
                None
            }
        }
    }
}

/// Binds a class attribute to an instance (functions become methods).
fn bind(vm: &Vm<'_>, attr: Value, obj: Value) -> Value {
    match &attr {
        Value::Function(_) | Value::Builtin(_) => Value::Method(Rc::new(Method {
            func: attr,
            receiver: obj,
        })),
        Value::Special(s) => match &**s {
            Special::StaticMethod(f) => f.clone(),
            Special::ClassMethod(f) => Value::Method(Rc::new(Method {
                func: f.clone(),
                receiver: Value::Class(class_of(vm, &obj)),
            })),
            _ => attr,
        },
        Value::Native(n) => n.0.bind_to(&attr, &obj).unwrap_or(attr),
        _ => attr,
    }
}

// ---------------------------------------------------------------------------------------------
// Creating classes and instances.

/// The C3 linearization of a class with `bases` (without the class itself).
fn c3(bases: &[Rc<Class>]) -> Option<Vec<Rc<Class>>> {
    let mut seqs: Vec<Vec<Rc<Class>>> = bases
        .iter()
        .map(|b| {
            std::iter::once(b.clone())
                .chain(b.mro.iter().cloned())
                .collect()
        })
        .collect();
    seqs.push(bases.to_vec());
    let mut out: Vec<Rc<Class>> = Vec::new();
    loop {
        seqs.retain(|s| !s.is_empty());
        if seqs.is_empty() {
            return Some(out);
        }
        let mut picked = None;
        for s in &seqs {
            let cand = &s[0];
            let in_tail = seqs
                .iter()
                .any(|t| t[1..].iter().any(|c| Rc::ptr_eq(c, cand)));
            if !in_tail {
                picked = Some(cand.clone());
                break;
            }
        }
        let c = picked?;
        for s in &mut seqs {
            if Rc::ptr_eq(&s[0], &c) {
                s.remove(0);
            }
        }
        out.push(c);
    }
}

/// Creates a class from a class statement's bases and namespace.
pub fn create_class(
    vm: &mut Vm<'_>,
    name: String,
    bases: Vec<Value>,
    mut dict: SymMap,
) -> PResult<Value> {
    // `class X(Packet)`, `class F(Field)`: the packet bridge compiles those.
    if let Some(r) = super::packets::classdef::create(vm, &name, &bases, &dict) {
        return r;
    }
    let mut base_classes = Vec::new();
    for b in &bases {
        match b {
            Value::Class(c) => {
                let ok = c.user
                    || matches!(
                        c.kind,
                        ClassKind::Exception(_) | ClassKind::Builtin(TypeTag::Object)
                    )
                    || subclass::layout_tag(c).is_some();
                if !ok {
                    let final_type = matches!(
                        c.kind,
                        ClassKind::Builtin(
                            TypeTag::Bool
                                | TypeTag::Range
                                | TypeTag::NoneType
                                | TypeTag::Slice
                                | TypeTag::Ellipsis
                                | TypeTag::NotImplementedType
                                | TypeTag::Function
                                | TypeTag::BuiltinFunction
                                | TypeTag::Method
                                | TypeTag::Generator
                        )
                    );
                    return Err(Exc::type_error(if final_type {
                        format!("type '{}' is not an acceptable base type", c.name)
                    } else {
                        format!("subclassing the builtin type '{}' is not supported", c.name)
                    }));
                }
                if base_classes.iter().any(|x: &Rc<Class>| Rc::ptr_eq(x, c)) {
                    return Err(Exc::type_error(format!("duplicate base class {}", c.name)));
                }
                base_classes.push(c.clone());
            }
            _ => {
                return Err(Exc::type_error(format!(
                    "bases must be types, not {}",
                    b.type_name()
                )))
            }
        }
    }
    if base_classes.is_empty() {
        base_classes.push(vm.st.types.of_tag(TypeTag::Object));
    }
    let mro = c3(&base_classes).ok_or_else(|| {
        Exc::type_error(format!(
            "Cannot create a consistent method resolution order (MRO) for bases {}",
            base_classes
                .iter()
                .map(|c| c.name.clone())
                .collect::<Vec<_>>()
                .join(", ")
        ))
    })?;
    // What the instances are: an exception, a builtin type's value (`class P(int)`), or a
    // plain object. The bases must agree on it, as CPython's instance layouts must.
    let mut layouts = base_classes.iter().filter_map(|c| match c.kind {
        ClassKind::Exception(_) => Some(ClassKind::Exception(ExcKind::BaseException)),
        _ => subclass::layout_tag(c).map(ClassKind::Builtin),
    });
    if let Some(first) = layouts.next() {
        if layouts.any(|l| l != first) {
            return Err(Exc::type_error(
                "multiple bases have instance lay-out conflict",
            ));
        }
    }
    let kind = mro
        .iter()
        .find_map(|c| match c.kind {
            ClassKind::Exception(k) => Some(ClassKind::Exception(k)),
            _ => subclass::layout_tag(c).map(ClassKind::Builtin),
        })
        .unwrap_or(ClassKind::Builtin(TypeTag::Object));
    let s = &vm.st.syms;
    // A class defining __eq__ without __hash__ is unhashable, as in Python.
    if dict.contains(s.eq) && !dict.contains(s.hash) {
        dict.set(s.hash, Value::None);
    }
    let hooks = [s.getattr, s.setattr, s.delattr, s.new];
    let class = Rc::new(Class {
        name,
        bases: base_classes,
        kind,
        dict: RefCell::new(dict),
        mro,
        user: true,
        flags: std::cell::Cell::new(0),
    });
    update_flags(&class, hooks);
    // Methods learn their class (zero-argument super()).
    for (_, v) in class.dict.borrow().0.iter() {
        let funcs: Vec<Value> = match v {
            Value::Special(sp) => match &**sp {
                Special::StaticMethod(f) | Special::ClassMethod(f) => vec![f.clone()],
                Special::Property {
                    fget, fset, fdel, ..
                } => {
                    vec![fget.clone(), fset.clone(), fdel.clone()]
                }
                _ => Vec::new(),
            },
            other => vec![other.clone()],
        };
        for f in funcs {
            if let Value::Function(f) = f {
                if f.class.borrow().is_none() {
                    *f.class.borrow_mut() = Some(class.clone());
                }
            }
        }
    }
    Ok(Value::Class(class))
}

fn update_flags(class: &Rc<Class>, [getattr, setattr, delattr, new]: [Sym; 4]) {
    let mut flags = 0;
    if class.lookup(getattr).is_some() {
        flags |= class_flags::HAS_GETATTR;
    }
    if class.lookup(setattr).is_some() {
        flags |= class_flags::HAS_SETATTR;
    }
    if class.lookup(delattr).is_some() {
        flags |= class_flags::HAS_DELATTR;
    }
    if class.lookup(new).is_some() {
        flags |= class_flags::HAS_NEW;
    }
    let has_prop = std::iter::once(&**class)
        .chain(class.mro.iter().map(|c| &**c))
        .any(|c| {
            c.dict.borrow().0.iter().any(
                |(_, v)| matches!(v, Value::Special(s) if matches!(**s, Special::Property { .. })),
            )
        });
    if has_prop {
        flags |= class_flags::HAS_PROPERTY;
    }
    class.flags.set(flags);
}

/// Calls a class handled here: user classes, `object`, `property`, `staticmethod`,
/// `classmethod`, `slice`.
pub fn construct(vm: &mut Vm<'_>, c: &Rc<Class>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    if !c.user {
        return construct_builtin(vm, c, args, kw);
    }
    let s = (vm.st.syms.new, vm.st.syms.init);
    let obj = match c.lookup(s.0) {
        Some(newf) => {
            let f = match &newf {
                Value::Special(sp) => match &**sp {
                    Special::StaticMethod(f) => f.clone(),
                    _ => newf.clone(),
                },
                _ => newf.clone(),
            };
            let mut a = vec![Value::Class(c.clone())];
            a.extend(args.iter().cloned());
            let o = vm.call(&f, a, kw.clone())?;
            if !class_of(vm, &o).is_subclass(c) {
                return Ok(o);
            }
            o
        }
        None => match subclass::layout_tag(c) {
            Some(tag) => subclass::builtin_new(vm, c, tag, args.clone(), kw.clone())?,
            None => new_instance(c, &args),
        },
    };
    match c.lookup(s.1) {
        Some(init) => {
            let r = call_bound(vm, &init, &obj, args, kw)?;
            if !matches!(r, Value::None) {
                return Err(Exc::type_error(format!(
                    "__init__() should return None, not '{}'",
                    r.type_name()
                )));
            }
        }
        // The builtin type's `__init__`: fills a list, dict, set or bytearray; the immutable
        // types took their arguments in `__new__`.
        None if subclass::layout_tag(c).is_some() => {
            if let Some(tag) = subclass::layout_tag(c).filter(|t| subclass::filled_by_init(*t)) {
                subclass::builtin_init(vm, tag, &obj, args, kw)?;
            }
        }
        None => {
            let has_new = c.lookup(s.0).is_some();
            if let ClassKind::Exception(_) = c.kind {
                if !kw.is_empty() {
                    return Err(Exc::type_error(format!(
                        "{}() takes no keyword arguments",
                        c.name
                    )));
                }
            } else if !has_new && (!args.is_empty() || !kw.is_empty()) {
                return Err(Exc::type_error(format!("{}() takes no arguments", c.name)));
            }
        }
    }
    Ok(obj)
}

fn new_instance(c: &Rc<Class>, args: &[Value]) -> Value {
    match c.kind {
        ClassKind::Exception(_) => {
            Value::Exception(Rc::new(ExcObject::new(c.clone(), args.to_vec())))
        }
        _ => Value::Instance(Rc::new(Instance {
            class: c.clone(),
            dict: RefCell::new(SymMap::default()),
            builtin: None,
        })),
    }
}

fn kw_name<'a>(vm: &'a Vm<'_>, k: Sym) -> &'a str {
    vm.st.interner.name(k)
}

fn construct_builtin(vm: &mut Vm<'_>, c: &Rc<Class>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    let ClassKind::Builtin(tag) = c.kind else {
        return Err(Exc::type_error(format!(
            "cannot create '{}' instances",
            c.name
        )));
    };
    let one = |what: &str, args: &[Value], kw: &Kw| -> PResult<Value> {
        if !kw.is_empty() {
            return Err(Exc::type_error(format!(
                "{what}() takes no keyword arguments"
            )));
        }
        match args {
            [f] => Ok(f.clone()),
            _ => Err(Exc::type_error(format!(
                "{what} expected 1 argument, got {}",
                args.len()
            ))),
        }
    };
    match tag {
        TypeTag::Object => {
            if !args.is_empty() || !kw.is_empty() {
                return Err(Exc::type_error("object() takes no arguments"));
            }
            Ok(new_instance(c, &[]))
        }
        TypeTag::StaticMethod => Ok(Value::Special(Rc::new(Special::StaticMethod(one(
            "staticmethod",
            &args,
            &kw,
        )?)))),
        TypeTag::ClassMethod => Ok(Value::Special(Rc::new(Special::ClassMethod(one(
            "classmethod",
            &args,
            &kw,
        )?)))),
        TypeTag::Property => {
            let mut parts = [Value::None, Value::None, Value::None, Value::None];
            if args.len() > 4 {
                return Err(Exc::type_error(format!(
                    "property() takes at most 4 arguments ({} given)",
                    args.len()
                )));
            }
            for (i, a) in args.into_iter().enumerate() {
                parts[i] = a;
            }
            for (k, v) in kw {
                let i = match kw_name(vm, k) {
                    "fget" => 0,
                    "fset" => 1,
                    "fdel" => 2,
                    "doc" => 3,
                    other => {
                        return Err(Exc::type_error(format!(
                            "property() got an unexpected keyword argument '{other}'"
                        )))
                    }
                };
                parts[i] = v;
            }
            let [fget, fset, fdel, doc] = parts;
            Ok(Value::Special(Rc::new(Special::Property {
                fget,
                fset,
                fdel,
                doc,
            })))
        }
        TypeTag::Slice => {
            if !kw.is_empty() {
                return Err(Exc::type_error("slice() takes no keyword arguments"));
            }
            let v = match args.len() {
                1 => [Value::None, args[0].clone(), Value::None],
                2 => [args[0].clone(), args[1].clone(), Value::None],
                3 => [args[0].clone(), args[1].clone(), args[2].clone()],
                n => {
                    return Err(Exc::type_error(format!(
                        "slice expected at {} 1 argument{}, got {}",
                        if n == 0 { "least" } else { "most" },
                        if n == 0 { "" } else { "s" },
                        n
                    )))
                }
            };
            Ok(Value::Special(Rc::new(Special::Slice(v))))
        }
        _ => Err(Exc::type_error(format!(
            "cannot create '{}' instances",
            c.name
        ))),
    }
}

/// Calls an instance (`__call__`) or a callable helper object.
pub fn call_object(vm: &mut Vm<'_>, f: &Value, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    if let Value::Special(s) = f {
        if let Special::StaticMethod(inner) = &**s {
            return vm.call(inner, args, kw);
        }
    }
    let call = vm.st.syms.call;
    match special(f, call) {
        Some(m) => call_bound(vm, &m, f, args, kw),
        None => Err(Exc::type_error(format!(
            "'{}' object is not callable",
            f.type_name()
        ))),
    }
}

/// `callable(v)`.
pub fn callable(vm: &Vm<'_>, v: &Value) -> bool {
    match v {
        Value::Function(_)
        | Value::Builtin(_)
        | Value::BoundMethod(_)
        | Value::Class(_)
        | Value::Method(_) => true,
        Value::Special(s) => matches!(**s, Special::StaticMethod(_)),
        Value::Instance(_) => special(v, vm.st.syms.call).is_some(),
        Value::Native(n) => n.0.method_names().contains(&"__call__"),
        _ => false,
    }
}

/// Zero-argument `super()` in a method: its class and first argument.
pub fn zero_arg_super(vm: &mut Vm<'_>, frame: &Frame) -> PResult<Value> {
    let Some(func) = &frame.func else {
        return Err(Exc::new(ExcKind::RuntimeError, "super(): no arguments"));
    };
    let Some(class) = func.class.borrow().clone() else {
        return Err(Exc::new(
            ExcKind::RuntimeError,
            "super(): __class__ cell not found",
        ));
    };
    let def = &func.def;
    if def.params.is_empty() && def.vararg.is_none() {
        return Err(Exc::new(ExcKind::RuntimeError, "super(): no arguments"));
    }
    let first = match def.scope.cell_params.iter().find(|(slot, _)| *slot == 0) {
        Some((_, cell)) => frame
            .cells
            .get(*cell as usize)
            .and_then(|c| c.borrow().clone()),
        None => frame.locals.first().cloned().flatten(),
    };
    let Some(obj) = first else {
        return Err(Exc::new(ExcKind::RuntimeError, "super(): arg[0] deleted"));
    };
    make_super(vm, class, obj)
}

fn make_super(vm: &mut Vm<'_>, class: Rc<Class>, obj: Value) -> PResult<Value> {
    let obj_class = match &obj {
        Value::Class(c) if c.is_subclass(&class) => c.clone(),
        _ => class_of(vm, &obj),
    };
    if !obj_class.is_subclass(&class) {
        return Err(Exc::type_error(
            "super(type, obj): obj must be an instance or subtype of type",
        ));
    }
    Ok(Value::Special(Rc::new(Special::Super {
        class,
        obj,
        obj_class,
    })))
}

fn super_builtin(vm: &mut Vm<'_>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    if !kw.is_empty() {
        return Err(Exc::type_error("super() takes no keyword arguments"));
    }
    match args.as_slice() {
        [] => Err(Exc::new(ExcKind::RuntimeError, "super(): no arguments")),
        [Value::Class(c), obj] => make_super(vm, c.clone(), obj.clone()),
        [Value::Class(_)] => Err(Exc::type_error("unbound super objects are not supported")),
        [a, ..] if args.len() <= 2 => Err(Exc::type_error(format!(
            "super() argument 1 must be a type, not {}",
            a.type_name()
        ))),
        _ => Err(Exc::type_error(format!(
            "super() takes at most 2 arguments ({} given)",
            args.len()
        ))),
    }
}

// ---------------------------------------------------------------------------------------------
// Attributes.

fn no_attr(vm: &Vm<'_>, v: &Value, name: Sym) -> Exc {
    vm.no_attribute(v, name)
}

fn dict_of(map: &SymMap, vm: &Vm<'_>) -> PResult<Value> {
    let mut d = Dict::new();
    for (k, v) in &map.0 {
        let key = Value::str(vm.st.interner.name(*k));
        d.insert(ops::key(&key)?, v.clone());
    }
    Ok(Value::Dict(Rc::new(RefCell::new(d))))
}

fn exc_opt(o: &Option<Rc<ExcObject>>) -> Value {
    match o {
        Some(e) => Value::Exception(e.clone()),
        None => Value::None,
    }
}

/// `obj.name` for instances, user classes, exceptions, functions, methods and the
/// helper objects.
pub fn get_attr(vm: &mut Vm<'_>, o: Value, name: Sym) -> PResult<Value> {
    let s = &vm.st.syms;
    let (s_class, s_dict, s_name, s_qualname, s_module, s_doc) =
        (s.class, s.dict, s.name, s.qualname, s.module, s.doc);
    match &o {
        Value::Instance(inst) => {
            let cls = inst.class.clone();
            if cls.has_flag(class_flags::HAS_PROPERTY) {
                if let Some(Value::Special(sp)) = cls.lookup(name) {
                    if let Special::Property { fget, .. } = &*sp {
                        return property_get(vm, fget, &o, name);
                    }
                }
            }
            if let Some(v) = inst.dict.borrow().get(name) {
                return Ok(v.clone());
            }
            if let Some(a) = cls.lookup(name) {
                return Ok(bind(vm, a, o));
            }
            if name == s_class {
                return Ok(Value::Class(cls));
            }
            if name == s_dict && cls.user {
                return dict_of(&inst.dict.borrow(), vm);
            }
            // The builtin type's attributes: its special methods bound to the instance, its
            // methods and data attributes through the builtin value.
            if let Some(base) = &inst.builtin {
                if let Some(m) = subclass::special_attr(vm, &o, name) {
                    return Ok(m);
                }
                if let Ok(v) = vm.get_attr(base.clone(), name) {
                    return Ok(v);
                }
            }
            if let Some(b) = builtin_method(vm, false, name) {
                return Ok(bind(vm, Value::Builtin(b), o));
            }
            if cls.has_flag(class_flags::HAS_GETATTR) {
                let ga = vm.st.syms.getattr;
                if let Some(f) = cls.lookup(ga) {
                    let n = Value::str(vm.st.interner.name(name));
                    return call_bound(vm, &f, &o, vec![n], Vec::new());
                }
            }
            Err(no_attr(vm, &o, name))
        }
        Value::Class(c) => {
            if let Some(a) = c.lookup(name) {
                return Ok(match &a {
                    Value::Special(sp) => match &**sp {
                        Special::StaticMethod(f) => f.clone(),
                        Special::ClassMethod(f) => Value::Method(Rc::new(Method {
                            func: f.clone(),
                            receiver: o.clone(),
                        })),
                        _ => a,
                    },
                    _ => a,
                });
            }
            let s = &vm.st.syms;
            if name == s.name || name == s.qualname {
                return Ok(Value::str(c.name.clone()));
            }
            if name == s.module {
                return Ok(Value::str(if c.user { "__main__" } else { "builtins" }));
            }
            if name == s.doc {
                return Ok(Value::None);
            }
            if name == s.class {
                return Ok(Value::Class(vm.st.types.of_tag(TypeTag::Type)));
            }
            if name == s.dict {
                return dict_of(&c.dict.borrow(), vm);
            }
            if name == s.mro {
                let mut v = vec![o.clone()];
                v.extend(c.mro.iter().map(|m| Value::Class(m.clone())));
                return Ok(Value::tuple(v));
            }
            if name == s.bases {
                return Ok(Value::tuple(
                    c.bases.iter().map(|b| Value::Class(b.clone())).collect(),
                ));
            }
            // A builtin type's special methods (`list.__init__`, `int.__new__`), and for a
            // class deriving from one, the builtin class's attributes (`MyList.append`).
            if let Some(tag) = subclass::layout_tag(c) {
                if let Some(d) = subclass::special_of(vm, tag, name) {
                    return Ok(Value::Builtin(d));
                }
                if c.user {
                    let bc = vm.st.types.of_tag(tag);
                    if let Ok(v) = vm.get_attr(Value::Class(bc), name) {
                        return Ok(v);
                    }
                }
            }
            let exc = matches!(c.kind, ClassKind::Exception(_));
            if let Some(b) = builtin_method(vm, exc, name) {
                return Ok(Value::Builtin(b));
            }
            if !c.user {
                return vm_builtin_get_attr(vm, o, name);
            }
            Err(no_attr(vm, &o, name))
        }
        Value::Exception(e) => {
            if let Some(v) = e.state.borrow().dict.get(name) {
                return Ok(v.clone());
            }
            if e.class.user {
                if let Some(a) = e.class.lookup(name) {
                    if let Value::Special(sp) = &a {
                        if let Special::Property { fget, .. } = &**sp {
                            return property_get(vm, fget, &o, name);
                        }
                    }
                    return Ok(bind(vm, a, o));
                }
            }
            let s = &vm.st.syms;
            if name == s.args {
                // OSError keeps its filename out of `args`, as CPython does.
                return Ok(super::objects::exception_args(e));
            }
            if name == s.cause {
                return Ok(exc_opt(&e.state.borrow().cause));
            }
            if name == s.context {
                return Ok(exc_opt(&e.state.borrow().context));
            }
            if name == s.suppress_context {
                return Ok(Value::Bool(e.state.borrow().suppress_context));
            }
            if name == s.traceback {
                return Ok(Value::None);
            }
            if name == s.class {
                return Ok(Value::Class(e.class.clone()));
            }
            if name == s.dict {
                return dict_of(&e.state.borrow().dict, vm);
            }
            if let Some(b) = builtin_method(vm, true, name) {
                return Ok(bind(vm, Value::Builtin(b), o));
            }
            // OSError's errno/strerror/filename, StopIteration's value, SystemExit's code...
            if let Some(v) = super::objects::exception_attr(e, vm.st.interner.name(name)) {
                return Ok(v);
            }
            if e.class.user {
                let ga = vm.st.syms.getattr;
                if let Some(f) = e.class.lookup(ga) {
                    let n = Value::str(vm.st.interner.name(name));
                    return call_bound(vm, &f, &o, vec![n], Vec::new());
                }
            }
            Err(no_attr(vm, &o, name))
        }
        Value::Function(f) => {
            if let Some(v) = f.dict.borrow().get(name) {
                return Ok(v.clone());
            }
            let s = &vm.st.syms;
            if name == s_name {
                return Ok(Value::str(f.name.to_string()));
            }
            if name == s_qualname {
                let q = match &*f.class.borrow() {
                    Some(c) => format!("{}.{}", c.name, f.name),
                    None => f.name.to_string(),
                };
                return Ok(Value::str(q));
            }
            if name == s_module {
                return Ok(Value::str("__main__"));
            }
            if name == s_doc {
                return Ok(docstring(&f.def.body));
            }
            if name == s.defaults {
                return Ok(if f.defaults.is_empty() {
                    Value::None
                } else {
                    Value::tuple(f.defaults.clone())
                });
            }
            if name == s.kwdefaults {
                let mut d = Dict::new();
                for (p, v) in f.def.kwonly.iter().zip(&f.kwdefaults) {
                    if let Some(v) = v {
                        let k = Value::str(vm.st.interner.name(p.name));
                        d.insert(ops::key(&k)?, v.clone());
                    }
                }
                return Ok(if d.is_empty() {
                    Value::None
                } else {
                    Value::Dict(Rc::new(RefCell::new(d)))
                });
            }
            if name == s_dict {
                return dict_of(&f.dict.borrow(), vm);
            }
            if name == s_class {
                return Ok(Value::Class(class_of(vm, &o)));
            }
            Err(no_attr(vm, &o, name))
        }
        Value::Method(m) => {
            let s = &vm.st.syms;
            if name == s.func {
                return Ok(m.func.clone());
            }
            if name == s.self_ {
                return Ok(m.receiver.clone());
            }
            if name == s_class {
                return Ok(Value::Class(class_of(vm, &o)));
            }
            let f = m.func.clone();
            vm.get_attr(f, name)
        }
        Value::Special(sp) => {
            let s = &vm.st.syms;
            match &**sp {
                Special::Super {
                    class,
                    obj,
                    obj_class,
                } => super_get(vm, class, obj, obj_class, name, &o),
                Special::Property {
                    fget,
                    fset,
                    fdel,
                    doc,
                } => {
                    let v = if name == s.fget {
                        fget.clone()
                    } else if name == s.fset {
                        fset.clone()
                    } else if name == s.fdel {
                        fdel.clone()
                    } else if name == s_doc {
                        doc.clone()
                    } else if name == s.getter {
                        bind(vm, Value::Builtin(&PROPERTY_GETTER), o.clone())
                    } else if name == s.setter {
                        bind(vm, Value::Builtin(&PROPERTY_SETTER), o.clone())
                    } else if name == s.deleter {
                        bind(vm, Value::Builtin(&PROPERTY_DELETER), o.clone())
                    } else if name == s_class {
                        Value::Class(class_of(vm, &o))
                    } else {
                        return Err(no_attr(vm, &o, name));
                    };
                    Ok(v)
                }
                Special::StaticMethod(f) | Special::ClassMethod(f)
                    if name == s.func || name == s.wrapped =>
                {
                    Ok(f.clone())
                }
                Special::Slice(parts) if name == s.start => Ok(parts[0].clone()),
                Special::Slice(parts) if name == s.stop => Ok(parts[1].clone()),
                Special::Slice(parts) if name == s.step => Ok(parts[2].clone()),
                _ if name == s_class => Ok(Value::Class(class_of(vm, &o))),
                _ => Err(no_attr(vm, &o, name)),
            }
        }
        _ => vm_builtin_get_attr(vm, o, name),
    }
}

/// Builtin attribute lookup for what this module does not handle.
fn vm_builtin_get_attr(vm: &mut Vm<'_>, o: Value, name: Sym) -> PResult<Value> {
    // `Vm::get_attr` dispatches here only for the kinds above, so this cannot recurse.
    match &o {
        Value::Class(c) if !c.user => {
            let exc = matches!(c.kind, ClassKind::Exception(_));
            if let Some(b) = builtin_method(vm, exc, name) {
                return Ok(Value::Builtin(b));
            }
            let s = &vm.st.syms;
            if name == s.mro {
                let mut v = vec![o.clone()];
                v.extend(c.mro.iter().map(|m| Value::Class(m.clone())));
                return Ok(Value::tuple(v));
            }
            if name == s.bases {
                return Ok(Value::tuple(
                    c.bases.iter().map(|b| Value::Class(b.clone())).collect(),
                ));
            }
            if name == s.module {
                return Ok(Value::str("builtins"));
            }
            Err(no_attr(vm, &o, name))
        }
        _ => Err(no_attr(vm, &o, name)),
    }
}

/// The docstring of a body (its first statement, if a string literal).
pub fn docstring(body: &[super::ast::Stmt]) -> Value {
    match body.first().map(|s| &s.kind) {
        Some(super::ast::StmtKind::Expr {
            value: super::ast::Expr::Const(v @ Value::Str(_)),
            ..
        }) => v.clone(),
        _ => Value::None,
    }
}

fn property_get(vm: &mut Vm<'_>, fget: &Value, obj: &Value, name: Sym) -> PResult<Value> {
    if let Value::None = fget {
        return Err(Exc::new(
            ExcKind::AttributeError,
            format!(
                "property '{}' of '{}' object has no getter",
                vm.st.interner.name(name),
                obj.type_name()
            ),
        ));
    }
    vm.call(fget, vec![obj.clone()], Vec::new())
}

fn super_get(
    vm: &mut Vm<'_>,
    class: &Rc<Class>,
    obj: &Value,
    obj_class: &Rc<Class>,
    name: Sym,
    sup: &Value,
) -> PResult<Value> {
    let full: Vec<Rc<Class>> = std::iter::once(obj_class.clone())
        .chain(obj_class.mro.iter().cloned())
        .collect();
    let start = full
        .iter()
        .position(|c| Rc::ptr_eq(c, class))
        .map(|i| i + 1)
        .unwrap_or(full.len());
    let obj_is_class = matches!(obj, Value::Class(_));
    for c in &full[start..] {
        if !c.user {
            // A builtin type in the MRO: its special methods and methods, on the builtin value.
            let Some(tag) = subclass::layout_tag(c) else {
                continue;
            };
            if let Some(d) = subclass::special_of(vm, tag, name) {
                if obj_is_class || name == vm.st.syms.new {
                    return Ok(Value::Builtin(d));
                }
                return Ok(bind(vm, Value::Builtin(d), obj.clone()));
            }
            let base = subclass::plain(obj).clone();
            let n = vm.st.interner.name(name).to_string();
            if !obj_is_class && super::methods::has_method(&base, &n) {
                return vm.get_attr(base, name);
            }
            continue;
        }
        let found = c.dict.borrow().get(name).cloned();
        if let Some(a) = found {
            return Ok(match &a {
                Value::Function(_) if obj_is_class => a,
                Value::Special(sp) => match &**sp {
                    Special::Property { fget, .. } if !obj_is_class => {
                        return property_get(vm, fget, obj, name)
                    }
                    Special::ClassMethod(f) => Value::Method(Rc::new(Method {
                        func: f.clone(),
                        receiver: Value::Class(obj_class.clone()),
                    })),
                    Special::StaticMethod(f) => f.clone(),
                    _ => a,
                },
                _ => bind(vm, a, obj.clone()),
            });
        }
    }
    let exc = full[start..]
        .iter()
        .any(|c| matches!(c.kind, ClassKind::Exception(_)) && !c.user);
    if let Some(b) = builtin_method(vm, exc, name) {
        if obj_is_class || name == vm.st.syms.new {
            return Ok(Value::Builtin(b));
        }
        return Ok(bind(vm, Value::Builtin(b), obj.clone()));
    }
    Err(Exc::new(
        ExcKind::AttributeError,
        format!(
            "'{}' object has no attribute '{}'",
            sup.type_name(),
            vm.st.interner.name(name)
        ),
    ))
}

/// `obj.name = v`.
pub fn set_attr(vm: &mut Vm<'_>, o: &Value, name: Sym, v: Value) -> PResult<()> {
    match o {
        Value::Instance(inst) => {
            if inst.class.has_flag(class_flags::HAS_SETATTR) {
                let sa = vm.st.syms.setattr;
                if let Some(f) = inst.class.lookup(sa) {
                    let n = Value::str(vm.st.interner.name(name));
                    call_bound(vm, &f, o, vec![n, v], Vec::new())?;
                    return Ok(());
                }
            }
            generic_setattr(vm, o, name, v)
        }
        Value::Exception(_) => generic_setattr(vm, o, name, v),
        Value::Class(c) => {
            if !c.user {
                return Err(Exc::type_error(format!(
                    "cannot set '{}' attribute of immutable type '{}'",
                    vm.st.interner.name(name),
                    c.name
                )));
            }
            c.dict.borrow_mut().set(name, v);
            let s = &vm.st.syms;
            update_flags(c, [s.getattr, s.setattr, s.delattr, s.new]);
            Ok(())
        }
        Value::Function(f) => {
            f.dict.borrow_mut().set(name, v);
            Ok(())
        }
        Value::Native(n) => {
            // Setting a packet's field may run a campaign field conversion.
            let text = vm.st.interner.name(name).to_string();
            match super::callback::lend(vm, || n.0.set_attr(&text, v))? {
                Some(r) => r,
                None => Err(no_attr(vm, o, name)),
            }
        }
        _ => Err(no_attr(vm, o, name)),
    }
}

/// `object.__setattr__`: properties, then the instance's attributes.
fn generic_setattr(vm: &mut Vm<'_>, o: &Value, name: Sym, v: Value) -> PResult<()> {
    match o {
        Value::Instance(inst) => {
            if !inst.class.user {
                return Err(no_attr(vm, o, name));
            }
            if inst.class.has_flag(class_flags::HAS_PROPERTY) {
                if let Some(Value::Special(sp)) = inst.class.lookup(name) {
                    if let Special::Property { fset, .. } = &*sp {
                        if let Value::None = fset {
                            return Err(Exc::new(
                                ExcKind::AttributeError,
                                format!(
                                    "property '{}' of '{}' object has no setter",
                                    vm.st.interner.name(name),
                                    o.type_name()
                                ),
                            ));
                        }
                        vm.call(fset, vec![o.clone(), v], Vec::new())?;
                        return Ok(());
                    }
                }
            }
            inst.dict.borrow_mut().set(name, v);
            Ok(())
        }
        Value::Exception(e) => {
            let s = &vm.st.syms;
            if e.class.user {
                if let Some(Value::Special(sp)) = e.class.lookup(name) {
                    if let Special::Property { fset, .. } = &*sp {
                        if !matches!(fset, Value::None) {
                            vm.call(fset, vec![o.clone(), v], Vec::new())?;
                            return Ok(());
                        }
                    }
                }
            }
            if name == s.args {
                *e.args.borrow_mut() = vm.iterate(&v)?;
            } else if name == s.cause {
                let c = match v {
                    Value::Exception(c) => Some(c),
                    Value::None => None,
                    _ => {
                        return Err(Exc::type_error(
                            "exception cause must be None or derive from BaseException",
                        ))
                    }
                };
                let mut st = e.state.borrow_mut();
                st.cause = c;
                st.suppress_context = true;
            } else if name == s.context {
                e.state.borrow_mut().context = match v {
                    Value::Exception(c) => Some(c),
                    _ => None,
                };
            } else if name == s.suppress_context {
                e.state.borrow_mut().suppress_context = v.truthy();
            } else if name != s.traceback {
                e.state.borrow_mut().dict.set(name, v);
            }
            Ok(())
        }
        _ => Err(no_attr(vm, o, name)),
    }
}

/// `del obj.name`.
pub fn del_attr(vm: &mut Vm<'_>, o: &Value, name: Sym) -> PResult<()> {
    match o {
        Value::Instance(inst) => {
            if inst.class.has_flag(class_flags::HAS_DELATTR) {
                let da = vm.st.syms.delattr;
                if let Some(f) = inst.class.lookup(da) {
                    let n = Value::str(vm.st.interner.name(name));
                    call_bound(vm, &f, o, vec![n], Vec::new())?;
                    return Ok(());
                }
            }
            generic_delattr(vm, o, name)
        }
        Value::Exception(e) => match e.state.borrow_mut().dict.remove(name) {
            Some(_) => Ok(()),
            None => Err(no_attr(vm, o, name)),
        },
        Value::Class(c) if c.user => match c.dict.borrow_mut().remove(name) {
            Some(_) => Ok(()),
            None => Err(no_attr(vm, o, name)),
        },
        Value::Function(f) => match f.dict.borrow_mut().remove(name) {
            Some(_) => Ok(()),
            None => Err(no_attr(vm, o, name)),
        },
        Value::Native(n) => match n.0.del_attr(vm.st.interner.name(name)) {
            Some(r) => r,
            None => Err(no_attr(vm, o, name)),
        },
        _ => Err(no_attr(vm, o, name)),
    }
}

fn generic_delattr(vm: &mut Vm<'_>, o: &Value, name: Sym) -> PResult<()> {
    let Value::Instance(inst) = o else {
        return Err(no_attr(vm, o, name));
    };
    if inst.class.has_flag(class_flags::HAS_PROPERTY) {
        if let Some(Value::Special(sp)) = inst.class.lookup(name) {
            if let Special::Property { fdel, .. } = &*sp {
                if let Value::None = fdel {
                    return Err(Exc::new(
                        ExcKind::AttributeError,
                        format!(
                            "property '{}' of '{}' object has no deleter",
                            vm.st.interner.name(name),
                            o.type_name()
                        ),
                    ));
                }
                vm.call(fdel, vec![o.clone()], Vec::new())?;
                return Ok(());
            }
        }
    }
    let removed = inst.dict.borrow_mut().remove(name);
    match removed {
        Some(_) => Ok(()),
        None => Err(no_attr(vm, o, name)),
    }
}

// ---------------------------------------------------------------------------------------------
// Builtin methods of `object` and `BaseException`.

fn receiver(args: &[Value], what: &str) -> PResult<Value> {
    args.first().cloned().ok_or_else(|| {
        Exc::type_error(format!(
            "descriptor '{what}' of 'object' object needs an argument"
        ))
    })
}

fn object_init(_vm: &mut Vm<'_>, args: Vec<Value>, _kw: Kw) -> PResult<Value> {
    receiver(&args, "__init__")?;
    if args.len() > 1 {
        return Err(Exc::type_error(
            "object.__init__() takes exactly one argument (the instance to initialize)",
        ));
    }
    Ok(Value::None)
}

fn object_new(_vm: &mut Vm<'_>, args: Vec<Value>, _kw: Kw) -> PResult<Value> {
    match args.first() {
        Some(Value::Class(c)) => {
            subclass::check_object_new(c)?;
            let rest = if matches!(c.kind, ClassKind::Exception(_)) {
                &args[1..]
            } else {
                &[][..]
            };
            Ok(new_instance(c, rest))
        }
        Some(v) => Err(Exc::type_error(format!(
            "object.__new__(X): X is not a type object ({})",
            v.type_name()
        ))),
        None => Err(Exc::type_error("object.__new__(): not enough arguments")),
    }
}

fn object_repr(_vm: &mut Vm<'_>, args: Vec<Value>, _kw: Kw) -> PResult<Value> {
    let v = receiver(&args, "__repr__")?;
    Ok(Value::str(default_repr(&v)))
}

fn object_str(vm: &mut Vm<'_>, args: Vec<Value>, _kw: Kw) -> PResult<Value> {
    let v = receiver(&args, "__str__")?;
    Ok(Value::str(vm.repr(&v)?))
}

fn attr_name(v: Option<&Value>) -> PResult<Sym> {
    match v {
        Some(Value::Str(_)) => Ok(0),
        Some(v) => Err(Exc::type_error(format!(
            "attribute name must be string, not '{}'",
            v.type_name()
        ))),
        None => Err(Exc::type_error("expected 2 arguments")),
    }
}

fn sym_of(vm: &mut Vm<'_>, v: &Value) -> PResult<Sym> {
    attr_name(Some(v))?;
    match v {
        Value::Str(s) => Ok(vm.st.interner.intern(&s.s)),
        _ => Ok(0),
    }
}

fn object_setattr(vm: &mut Vm<'_>, args: Vec<Value>, _kw: Kw) -> PResult<Value> {
    let [obj, name, v] = <[Value; 3]>::try_from(args)
        .map_err(|a| Exc::type_error(format!("expected 3 arguments, got {}", a.len())))?;
    let sym = sym_of(vm, &name)?;
    generic_setattr(vm, &obj, sym, v)?;
    Ok(Value::None)
}

fn object_delattr(vm: &mut Vm<'_>, args: Vec<Value>, _kw: Kw) -> PResult<Value> {
    let [obj, name] = <[Value; 2]>::try_from(args)
        .map_err(|a| Exc::type_error(format!("expected 2 arguments, got {}", a.len())))?;
    let sym = sym_of(vm, &name)?;
    generic_delattr(vm, &obj, sym)?;
    Ok(Value::None)
}

fn object_getattribute(vm: &mut Vm<'_>, args: Vec<Value>, _kw: Kw) -> PResult<Value> {
    let [obj, name] = <[Value; 2]>::try_from(args)
        .map_err(|a| Exc::type_error(format!("expected 2 arguments, got {}", a.len())))?;
    let sym = sym_of(vm, &name)?;
    if let Value::Instance(inst) = &obj {
        if let Some(v) = inst.dict.borrow().get(sym) {
            return Ok(v.clone());
        }
        if let Some(a) = inst.class.lookup(sym) {
            return Ok(bind(vm, a, obj.clone()));
        }
        return Err(no_attr(vm, &obj, sym));
    }
    vm.get_attr(obj, sym)
}

fn object_eq(vm: &mut Vm<'_>, args: Vec<Value>, _kw: Kw) -> PResult<Value> {
    match args.as_slice() {
        [a, b] if ops::is(a, b) => Ok(Value::Bool(true)),
        [_, _] => Ok(vm.st.not_implemented.clone()),
        _ => Err(Exc::type_error("expected 1 argument")),
    }
}

fn object_ne(vm: &mut Vm<'_>, args: Vec<Value>, _kw: Kw) -> PResult<Value> {
    match args.as_slice() {
        [a, b] => {
            let eq = vm.st.syms.eq;
            match special(a, eq) {
                Some(f) => {
                    let r = call_bound(vm, &f, a, vec![b.clone()], Vec::new())?;
                    if is_not_implemented(&r) {
                        return Ok(r);
                    }
                    Ok(Value::Bool(!vm.truthy(&r)?))
                }
                None if ops::is(a, b) => Ok(Value::Bool(false)),
                None => Ok(vm.st.not_implemented.clone()),
            }
        }
        _ => Err(Exc::type_error("expected 1 argument")),
    }
}

fn object_hash(_vm: &mut Vm<'_>, args: Vec<Value>, _kw: Kw) -> PResult<Value> {
    let v = receiver(&args, "__hash__")?;
    Ok(Value::Int(identity_hash(&v)))
}

fn object_format(vm: &mut Vm<'_>, args: Vec<Value>, _kw: Kw) -> PResult<Value> {
    match args.as_slice() {
        [v, Value::Str(spec)] if spec.s.is_empty() => Ok(Value::str(vm.str(v)?)),
        [v, Value::Str(_)] => Err(Exc::type_error(format!(
            "unsupported format string passed to {}.__format__",
            v.type_name()
        ))),
        _ => Err(Exc::type_error("__format__() argument must be str")),
    }
}

fn exc_init(_vm: &mut Vm<'_>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    let Some(Value::Exception(e)) = args.first() else {
        return Err(Exc::type_error(
            "descriptor '__init__' requires a 'BaseException' object",
        ));
    };
    if !kw.is_empty() {
        return Err(Exc::type_error(format!(
            "{}() takes no keyword arguments",
            e.class.name
        )));
    }
    *e.args.borrow_mut() = args[1..].to_vec();
    Ok(Value::None)
}

fn exc_str(_vm: &mut Vm<'_>, args: Vec<Value>, _kw: Kw) -> PResult<Value> {
    let Some(Value::Exception(e)) = args.first() else {
        return Err(Exc::type_error(
            "descriptor '__str__' requires a 'BaseException' object",
        ));
    };
    Ok(Value::str(PyExc::Object(e.clone()).message()))
}

fn exc_repr(_vm: &mut Vm<'_>, args: Vec<Value>, _kw: Kw) -> PResult<Value> {
    let v = receiver(&args, "__repr__")?;
    Ok(Value::str(format::repr(&v)?))
}

fn exc_with_traceback(_vm: &mut Vm<'_>, args: Vec<Value>, _kw: Kw) -> PResult<Value> {
    receiver(&args, "with_traceback")
}

fn property_with(args: Vec<Value>, which: usize) -> PResult<Value> {
    let [p, f] = <[Value; 2]>::try_from(args).map_err(|a| {
        Exc::type_error(format!(
            "expected 1 argument, got {}",
            a.len().saturating_sub(1)
        ))
    })?;
    let Value::Special(sp) = &p else {
        return Err(Exc::type_error("descriptor requires a 'property' object"));
    };
    let Special::Property {
        fget,
        fset,
        fdel,
        doc,
    } = &**sp
    else {
        return Err(Exc::type_error("descriptor requires a 'property' object"));
    };
    let mut parts = [fget.clone(), fset.clone(), fdel.clone()];
    parts[which] = f;
    let [fget, fset, fdel] = parts;
    Ok(Value::Special(Rc::new(Special::Property {
        fget,
        fset,
        fdel,
        doc: doc.clone(),
    })))
}

fn property_getter(_vm: &mut Vm<'_>, args: Vec<Value>, _kw: Kw) -> PResult<Value> {
    property_with(args, 0)
}

fn property_setter(_vm: &mut Vm<'_>, args: Vec<Value>, _kw: Kw) -> PResult<Value> {
    property_with(args, 1)
}

fn property_deleter(_vm: &mut Vm<'_>, args: Vec<Value>, _kw: Kw) -> PResult<Value> {
    property_with(args, 2)
}

// ---------------------------------------------------------------------------------------------
// getattr, setattr, hasattr, delattr, vars.

/// The attributes `object` gives every instance of a user class (for `dir`).
const OBJECT_ATTRS: &[&str] = &[
    "__class__",
    "__delattr__",
    "__dict__",
    "__dir__",
    "__doc__",
    "__eq__",
    "__format__",
    "__ge__",
    "__getattribute__",
    "__getstate__",
    "__gt__",
    "__hash__",
    "__init__",
    "__init_subclass__",
    "__le__",
    "__lt__",
    "__module__",
    "__ne__",
    "__new__",
    "__reduce__",
    "__reduce_ex__",
    "__repr__",
    "__setattr__",
    "__sizeof__",
    "__str__",
    "__subclasshook__",
    "__weakref__",
];

/// `dir(v)` for instances and classes of user classes: their own attributes, their classes'
/// (along the MRO) and `object`'s; None for other values.
pub fn dir_user(vm: &Vm<'_>, v: &Value) -> Option<Vec<String>> {
    let (own, class) = match v {
        Value::Instance(i) if i.class.user => (Some(&i.dict), i.class.clone()),
        Value::Class(c) if c.user => (None, c.clone()),
        _ => return None,
    };
    let mut names: Vec<String> = OBJECT_ATTRS.iter().map(|s| s.to_string()).collect();
    if let Some(d) = own {
        names.extend(
            d.borrow()
                .0
                .iter()
                .map(|(k, _)| vm.st.interner.name(*k).to_string()),
        );
    }
    for c in std::iter::once(&class).chain(class.mro.iter()) {
        names.extend(
            c.dict
                .borrow()
                .0
                .iter()
                .map(|(k, _)| vm.st.interner.name(*k).to_string()),
        );
    }
    names.sort();
    names.dedup();
    Some(names)
}

/// `vars(v)` for instances, classes, functions and exceptions.
pub fn vars_of(vm: &mut Vm<'_>, v: &Value) -> PResult<Value> {
    match v {
        Value::Instance(i) if i.class.user => dict_of(&i.dict.borrow(), vm),
        Value::Class(c) => dict_of(&c.dict.borrow(), vm),
        Value::Function(f) => dict_of(&f.dict.borrow(), vm),
        Value::Exception(e) => dict_of(&e.state.borrow().dict, vm),
        _ => Err(Exc::type_error(
            "vars() argument must have __dict__ attribute",
        )),
    }
}

// ---------------------------------------------------------------------------------------------
// Operators and protocols.

/// `a op b` when a user class is involved.
pub fn binary(vm: &mut Vm<'_>, op: BinOp, a: Value, b: Value) -> PResult<Value> {
    let (l, r, _) = vm.st.syms.binop(op);
    // The right operand's reflected method goes first when its class derives from the left's
    // (`1 + Port(2)` asks `Port.__radd__` first).
    let b_first = match (&a, &b) {
        (Value::Instance(x), Value::Instance(y)) => {
            !Rc::ptr_eq(&x.class, &y.class)
                && y.class.is_subclass(&x.class)
                && y.class.dict.borrow().contains(r)
        }
        (_, Value::Instance(y)) if y.builtin.is_some() => {
            let ca = class_of(vm, &a);
            y.class.is_subclass(&ca) && y.class.lookup(r).is_some()
        }
        _ => false,
    };
    if b_first {
        if let Some(res) = call_special(vm, &b, r, vec![a.clone()]) {
            let res = res?;
            if !is_not_implemented(&res) {
                return Ok(res);
            }
        }
    }
    if let Some(res) = call_special(vm, &a, l, vec![b.clone()]) {
        let res = res?;
        if !is_not_implemented(&res) {
            return Ok(res);
        }
    }
    let same = match (&a, &b) {
        (Value::Instance(x), Value::Instance(y)) => Rc::ptr_eq(&x.class, &y.class),
        _ => false,
    };
    if !b_first && !same {
        if let Some(res) = call_special(vm, &b, r, vec![a.clone()]) {
            let res = res?;
            if !is_not_implemented(&res) {
                return Ok(res);
            }
        }
    }
    // The builtin types' own operators, on the values instances of their subclasses carry
    // (errors name the subclasses).
    if a.builtin_base().is_some() || b.builtin_base().is_some() {
        let pa = subclass::plain(&a);
        if op == BinOp::Mod && matches!(pa, Value::Str(_) | Value::Bytes(_)) {
            let pa = pa.clone();
            return vm.binary(op, &pa, &b);
        }
        return ops::binary(op, &a, &b);
    }
    Err(Exc::type_error(format!(
        "unsupported operand type(s) for {}: '{}' and '{}'",
        op.symbol(),
        a.type_name(),
        b.type_name()
    )))
}

/// `a op= b` when a user class is involved.
pub fn inplace(vm: &mut Vm<'_>, op: BinOp, a: Value, b: Value) -> PResult<Value> {
    let (_, _, i) = vm.st.syms.binop(op);
    if let Some(res) = call_special(vm, &a, i, vec![b.clone()]) {
        let res = res?;
        if !is_not_implemented(&res) {
            return Ok(res);
        }
    }
    // `MyList += x` extends the list in place, as list's `__iadd__` does.
    if let Some(res) = subclass::inplace_of(vm, op, &a, &b) {
        let res = res?;
        if !is_not_implemented(&res) {
            return Ok(res);
        }
    }
    binary(vm, op, a, b).map_err(|e| {
        if let Exc::Raise(mut r) = e {
            if let PyExc::Native {
                kind: ExcKind::TypeError,
                args,
            } = &mut r.exc
            {
                if let Some(Value::Str(s)) = args.first() {
                    let prefix = format!("unsupported operand type(s) for {}:", op.symbol());
                    if s.s.starts_with(&prefix) {
                        let sym = if op == BinOp::Pow { "**" } else { op.symbol() };
                        args[0] = Value::str(s.s.replacen(
                            &prefix,
                            &format!("unsupported operand type(s) for {sym}=:"),
                            1,
                        ));
                    }
                }
            }
            return Exc::Raise(r);
        }
        e
    })
}

/// `-a`, `+a`, `~a` on an instance.
pub fn unary(vm: &mut Vm<'_>, op: UnaryOp, v: Value) -> PResult<Value> {
    let s = &vm.st.syms;
    let (name, sym) = match op {
        UnaryOp::Neg => (s.neg, "-"),
        UnaryOp::Pos => (s.pos, "+"),
        UnaryOp::Invert => (s.invert, "~"),
    };
    match call_special(vm, &v, name, Vec::new()) {
        Some(r) => r,
        None if v.builtin_base().is_some() => ops::unary(op, &v),
        None => Err(Exc::type_error(format!(
            "bad operand type for unary {}: '{}'",
            sym,
            v.type_name()
        ))),
    }
}

/// Comparisons when a user class is involved.
pub fn compare(vm: &mut Vm<'_>, op: CmpOp, a: &Value, b: &Value) -> PResult<bool> {
    match op {
        CmpOp::Is => Ok(ops::is(a, b)),
        CmpOp::IsNot => Ok(!ops::is(a, b)),
        CmpOp::In => contains(vm, b, a),
        CmpOp::NotIn => Ok(!contains(vm, b, a)?),
        _ => {
            let r = compare_value(vm, op, a, b)?;
            vm.truthy(&r)
        }
    }
}

/// A rich comparison when a user class is involved: the special method's result as it is
/// (`a < b` may return any object, as in Python).
pub fn compare_value(vm: &mut Vm<'_>, op: CmpOp, a: &Value, b: &Value) -> PResult<Value> {
    let s = &vm.st.syms;
    let (name, refl) = match op {
        CmpOp::Is | CmpOp::IsNot | CmpOp::In | CmpOp::NotIn => {
            return Ok(Value::Bool(compare(vm, op, a, b)?))
        }
        CmpOp::Eq => (s.eq, s.eq),
        CmpOp::Ne => (s.ne, s.ne),
        CmpOp::Lt => (s.lt, s.gt),
        CmpOp::Le => (s.le, s.ge),
        CmpOp::Gt => (s.gt, s.lt),
        CmpOp::Ge => (s.ge, s.le),
    };
    let eq = s.eq;
    let b_first = match (a, b) {
        (Value::Instance(x), Value::Instance(y)) => {
            !Rc::ptr_eq(&x.class, &y.class) && y.class.is_subclass(&x.class)
        }
        _ => false,
    };
    let order: [(&Value, &Value, Sym); 2] = if b_first {
        [(b, a, refl), (a, b, name)]
    } else {
        [(a, b, name), (b, a, refl)]
    };
    for (x, y, m) in order {
        let r = match call_special(vm, x, m, vec![y.clone()]) {
            Some(r) => Some(r?),
            // `!=` falls back to inverting `__eq__`.
            None if op == CmpOp::Ne => match call_special(vm, x, eq, vec![y.clone()]) {
                Some(r) => {
                    let r = r?;
                    if is_not_implemented(&r) {
                        None
                    } else {
                        Some(Value::Bool(!vm.truthy(&r)?))
                    }
                }
                None => None,
            },
            None => None,
        };
        if let Some(r) = r {
            if !is_not_implemented(&r) {
                return Ok(r);
            }
        }
    }
    // The builtin types' comparisons, on the values of instances of their subclasses.
    if a.builtin_base().is_some() || b.builtin_base().is_some() {
        let (pa, pb) = (subclass::plain(a).clone(), subclass::plain(b).clone());
        return match op {
            CmpOp::Eq => Ok(Value::Bool(vm.eq(&pa, &pb)?)),
            CmpOp::Ne => Ok(Value::Bool(!vm.eq(&pa, &pb)?)),
            _ => ops::compare(op, a, b).map(Value::Bool),
        };
    }
    match op {
        CmpOp::Eq => Ok(Value::Bool(ops::is(a, b))),
        CmpOp::Ne => Ok(Value::Bool(!ops::is(a, b))),
        _ => Err(Exc::type_error(format!(
            "'{}' not supported between instances of '{}' and '{}'",
            op.symbol(),
            a.type_name(),
            b.type_name()
        ))),
    }
}

/// `item in container` for an instance container (or an instance item).
fn contains(vm: &mut Vm<'_>, container: &Value, item: &Value) -> PResult<bool> {
    if let Value::Instance(_) = container {
        let c = vm.st.syms.contains;
        if let Some(r) = call_special(vm, container, c, vec![item.clone()]) {
            let r = r?;
            return vm.truthy(&r);
        }
        if let Some(base) = container.builtin_base() {
            let base = base.clone();
            return vm.contains(&base, item);
        }
        let (it, gi) = (vm.st.syms.iter, vm.st.syms.getitem);
        if special(container, it).is_none() && special(container, gi).is_none() {
            return Err(Exc::type_error(format!(
                "argument of type '{}' is not iterable",
                container.type_name()
            )));
        }
        let mut pit = vm.get_iter(container)?;
        while let Some(x) = vm.iter_next(&mut pit)? {
            if ops::is(&x, item) || vm.eq(&x, item)? {
                return Ok(true);
            }
        }
        return Ok(false);
    }
    vm.contains(container, item)
}

/// `obj[index]` when a user class is involved.
pub fn get_item(vm: &mut Vm<'_>, o: &Value, i: Value) -> PResult<Value> {
    if let Value::Instance(_) = o {
        let gi = vm.st.syms.getitem;
        return match call_special(vm, o, gi, vec![i.clone()]) {
            Some(r) => r,
            None if o.builtin_base().is_some() => subclass::get_item(vm, o, i),
            None => Err(Exc::type_error(format!(
                "'{}' object is not subscriptable",
                o.type_name()
            ))),
        };
    }
    match o {
        Value::Dict(d) if is_user(&i) => {
            let k = vm.key_in(&i, d)?;
            let found = d.borrow().get(&k).cloned();
            found.ok_or_else(|| Exc::with_args(ExcKind::KeyError, vec![i]))
        }
        _ => match &i {
            Value::Special(s) if matches!(**s, Special::Slice(_)) => {
                let Special::Slice(p) = &**s else {
                    return ops::get_item(o, &i);
                };
                let b = |v: &Value| ops::slice_bound(v);
                ops::get_slice(o, b(&p[0])?, b(&p[1])?, b(&p[2])?)
            }
            Value::Instance(_) => match index_value(vm, &i) {
                Some(idx) => ops::get_item(o, &idx?),
                None => ops::get_item(o, &i),
            },
            _ => ops::get_item(o, &i),
        },
    }
}

/// `obj[index] = v` when a user class is involved.
pub fn set_item(vm: &mut Vm<'_>, o: &Value, i: Value, v: Value) -> PResult<()> {
    if let Value::Instance(_) = o {
        let si = vm.st.syms.setitem;
        if special(o, si).is_none() {
            if let Some(base) = o.builtin_base() {
                let base = base.clone();
                return set_item(vm, &base, i, v).map_err(|e| rename_type(e, &base, o));
            }
        }
        return match call_special(vm, o, si, vec![i, v]) {
            Some(r) => r.map(|_| ()),
            None => Err(Exc::type_error(format!(
                "'{}' object does not support item assignment",
                o.type_name()
            ))),
        };
    }
    match o {
        Value::Dict(d) => {
            let k = vm.key_in(&i, d)?;
            d.borrow_mut().insert(k, v);
            Ok(())
        }
        _ => match slice_parts(&i)? {
            Some((a, b, c)) => ops::set_slice(o, a, b, c, &v),
            None => ops::set_item(o, &i, v),
        },
    }
}

/// An error about a builtin value, told about the instance carrying it: "'MyTuple' object
/// does not support item assignment".
fn rename_type(e: Exc, base: &Value, inst: &Value) -> Exc {
    if let Exc::Raise(r) = &e {
        if r.exc.kind() == ExcKind::TypeError {
            if let Some(Value::Str(m)) = r.exc.args().first() {
                let from = format!("'{}' object", base.type_name());
                if m.s.contains(&from) {
                    let to = format!("'{}' object", inst.type_name());
                    return Exc::type_error(m.s.replacen(&from, &to, 1));
                }
            }
        }
    }
    e
}

/// The bounds of a `slice` object.
#[allow(clippy::type_complexity)]
fn slice_parts(i: &Value) -> PResult<Option<(Option<i64>, Option<i64>, Option<i64>)>> {
    match i {
        Value::Special(s) => match &**s {
            Special::Slice(p) => Ok(Some((
                ops::slice_bound(&p[0])?,
                ops::slice_bound(&p[1])?,
                ops::slice_bound(&p[2])?,
            ))),
            _ => Ok(None),
        },
        _ => Ok(None),
    }
}

/// `del obj[index]` when a user class is involved.
pub fn del_item(vm: &mut Vm<'_>, o: &Value, i: Value) -> PResult<()> {
    if let Value::Instance(_) = o {
        let di = vm.st.syms.delitem;
        if special(o, di).is_none() {
            if let Some(base) = o.builtin_base() {
                let base = base.clone();
                return del_item(vm, &base, i).map_err(|e| rename_type(e, &base, o));
            }
        }
        return match call_special(vm, o, di, vec![i]) {
            Some(r) => r.map(|_| ()),
            None => Err(Exc::type_error(format!(
                "'{}' object does not support item deletion",
                o.type_name()
            ))),
        };
    }
    match o {
        Value::Dict(d) => {
            let k = vm.key_in(&i, d)?;
            let removed = d.borrow_mut().remove(&k);
            removed
                .map(|_| ())
                .ok_or_else(|| Exc::with_args(ExcKind::KeyError, vec![i]))
        }
        _ => match slice_parts(&i)? {
            Some((a, b, c)) => ops::del_slice(o, a, b, c),
            None => ops::del_item(o, &i),
        },
    }
}

fn identity_hash(v: &Value) -> i64 {
    (v.identity().unwrap_or(0) >> 4) as i64
}

/// `hash(instance)`.
pub fn hash(vm: &mut Vm<'_>, v: &Value) -> PResult<i64> {
    let h = vm.st.syms.hash;
    match special(v, h) {
        Some(Value::None) => Err(Exc::type_error(format!(
            "unhashable type: '{}'",
            v.type_name()
        ))),
        Some(f) => {
            let r = call_bound(vm, &f, v, Vec::new(), Vec::new())?;
            match r {
                Value::Int(i) => Ok(if i == -1 { -2 } else { i }),
                Value::Bool(b) => Ok(b as i64),
                Value::BigInt(_) => ops::hash_value(&r),
                _ => Err(Exc::type_error("__hash__ method should return an integer")),
            }
        }
        None if v.builtin_base().is_some() => subclass::hash_of(vm, v),
        None => Ok(identity_hash(v)),
    }
}

/// `len(instance)`.
pub fn len(vm: &mut Vm<'_>, v: &Value) -> PResult<usize> {
    let l = vm.st.syms.len;
    match call_special(vm, v, l, Vec::new()) {
        Some(r) => {
            let r = r?;
            match ops::index_of(&r) {
                Some(n) if n < 0 => Err(Exc::value_error("__len__() should return >= 0")),
                Some(n) => Ok(n as usize),
                None => Err(Exc::type_error(format!(
                    "'{}' object cannot be interpreted as an integer",
                    r.type_name()
                ))),
            }
        }
        None if v.builtin_base().is_some() => ops::len(v),
        None => Err(Exc::type_error(format!(
            "object of type '{}' has no len()",
            v.type_name()
        ))),
    }
}

/// `bool(instance)`.
pub fn truthy(vm: &mut Vm<'_>, v: &Value) -> PResult<bool> {
    let (b, l) = (vm.st.syms.bool_, vm.st.syms.len);
    if let Some(r) = call_special(vm, v, b, Vec::new()) {
        return match r? {
            Value::Bool(x) => Ok(x),
            other => Err(Exc::type_error(format!(
                "__bool__ should return bool, returned {}",
                other.type_name()
            ))),
        };
    }
    if special(v, l).is_some() {
        return Ok(len(vm, v)? != 0);
    }
    Ok(v.truthy())
}

/// An iterator over an instance (`__iter__`, or the `__getitem__` sequence protocol).
pub fn instance_iter(vm: &mut Vm<'_>, v: &Value) -> PResult<PyIter> {
    let (it, gi, nx) = (vm.st.syms.iter, vm.st.syms.getitem, vm.st.syms.next);
    match call_special(vm, v, it, Vec::new()) {
        Some(r) => {
            let r = r?;
            match &r {
                Value::Instance(_) if special(&r, nx).is_some() => Ok(PyIter::User(r)),
                Value::Iterator(o) => Ok(PyIter::Obj(o.clone())),
                Value::Special(s) if matches!(**s, Special::Gen(_)) => Ok(PyIter::Gen(s.clone())),
                Value::Native(_) if vm.is_iterator(&r) => Ok(PyIter::Native(r)),
                _ => Err(Exc::type_error(format!(
                    "iter() returned non-iterator of type '{}'",
                    r.type_name()
                ))),
            }
        }
        // A builtin type's iterator goes before the `__getitem__` protocol, as the inherited
        // `__iter__` does in CPython.
        None if v.builtin_base().is_some() => {
            let base = subclass::plain(v).clone();
            vm.get_iter(&base)
        }
        None if special(v, gi).is_some() => Ok(PyIter::GetItem(v.clone(), 0)),
        None => Err(Exc::type_error(format!(
            "'{}' object is not iterable",
            v.type_name()
        ))),
    }
}

/// `next(instance)`: None when it raises StopIteration.
pub fn user_next(vm: &mut Vm<'_>, v: &Value) -> PResult<Option<Value>> {
    let nx = vm.st.syms.next;
    match call_special(vm, v, nx, Vec::new()) {
        Some(Ok(x)) => Ok(Some(x)),
        Some(Err(Exc::Raise(r))) if r.exc.kind() == ExcKind::StopIteration => Ok(None),
        Some(Err(e)) => Err(e),
        None => Err(Exc::type_error(format!(
            "'{}' object is not an iterator",
            v.type_name()
        ))),
    }
}

/// `iter(v)` for values handled here (instances, generator expressions).
pub fn iter_builtin(vm: &mut Vm<'_>, v: &Value) -> PResult<Value> {
    match v {
        Value::Special(s) if matches!(**s, Special::Gen(_)) => Ok(v.clone()),
        // The builtin value's own iterator (a live `list_iterator`, ...).
        Value::Instance(i) if i.builtin.is_some() && special(v, vm.st.syms.iter).is_none() => {
            let base = subclass::plain(v).clone();
            vm.iter_value(&base)
        }
        Value::Instance(_) => match instance_iter(vm, v)? {
            PyIter::User(r) => Ok(r),
            PyIter::Obj(o) => Ok(Value::Iterator(o)),
            PyIter::Gen(g) => Ok(Value::Special(g)),
            PyIter::Native(n) => Ok(n),
            mut other => {
                // The sequence protocol: materialize.
                let mut items = Vec::new();
                while let Some(x) = vm.iter_next(&mut other)? {
                    items.push(x);
                }
                Ok(Value::Iterator(Rc::new(RefCell::new(
                    super::value::IterObj {
                        type_name: "iterator",
                        items,
                        pos: 0,
                    },
                ))))
            }
        },
        _ => Err(Exc::type_error(format!(
            "'{}' object is not iterable",
            v.type_name()
        ))),
    }
}

// ---------------------------------------------------------------------------------------------
// repr, str, format.

/// The default `repr` of objects without a user `__repr__`.
pub fn default_repr(v: &Value) -> String {
    let addr = v.identity().unwrap_or(0);
    match v {
        Value::Instance(i) => {
            if i.class.user {
                format!("<__main__.{} object at {:#x}>", i.class.name, addr)
            } else {
                format!("<{} object at {:#x}>", i.class.name, addr)
            }
        }
        Value::Method(m) => {
            let fname = match &m.func {
                Value::Function(f) => match &*f.class.borrow() {
                    Some(c) => format!("{}.{}", c.name, f.name),
                    None => f.name.to_string(),
                },
                Value::Builtin(b) => b.name.to_string(),
                other => other.type_name().to_string(),
            };
            format!(
                "<bound method {} of {}>",
                fname,
                format::repr(&m.receiver).unwrap_or_default()
            )
        }
        Value::Special(s) => match &**s {
            Special::NotImplemented => "NotImplemented".into(),
            Special::Slice(p) => format!(
                "slice({}, {}, {})",
                format::repr(&p[0]).unwrap_or_default(),
                format::repr(&p[1]).unwrap_or_default(),
                format::repr(&p[2]).unwrap_or_default()
            ),
            Special::StaticMethod(f) => {
                format!("<staticmethod({})>", format::repr(f).unwrap_or_default())
            }
            Special::ClassMethod(f) => {
                format!("<classmethod({})>", format::repr(f).unwrap_or_default())
            }
            Special::Super { class, obj, .. } => format!(
                "<super: <class '{}'>, <{} object>>",
                class.name,
                obj.type_name()
            ),
            Special::Gen(_) => format!("<generator object <genexpr> at {addr:#x}>"),
            Special::Property { .. } => format!("<property object at {addr:#x}>"),
        },
        _ => format::repr(v).unwrap_or_default(),
    }
}

/// Whether repr of `v` may need the interpreter (user objects inside containers).
fn needs_vm(v: &Value, depth: usize) -> bool {
    if depth > 50 {
        return true;
    }
    match v {
        Value::Instance(_) | Value::Method(_) | Value::Special(_) => true,
        Value::Class(c) => c.user,
        Value::Exception(e) => e.class.user,
        Value::Function(f) => f.class.borrow().is_some(),
        Value::List(l) => l.borrow().iter().any(|x| needs_vm(x, depth + 1)),
        Value::Tuple(t) => t.iter().any(|x| needs_vm(x, depth + 1)),
        Value::Dict(d) => d
            .borrow()
            .iter()
            .any(|(k, x)| needs_vm(k, depth + 1) || needs_vm(x, depth + 1)),
        Value::Set(s) => s.borrow().iter().any(|k| needs_vm(k, depth + 1)),
        // Packets may run campaign code to show their fields.
        Value::Native(_) => true,
        _ => false,
    }
}

/// `repr(v)` with user `__repr__` methods.
pub fn repr(vm: &mut Vm<'_>, v: &Value) -> PResult<String> {
    if !needs_vm(v, 0) {
        return format::repr(v);
    }
    let mut stack = Vec::new();
    let mut out = String::new();
    repr_into(vm, v, &mut out, &mut stack)?;
    Ok(out)
}

fn repr_into(vm: &mut Vm<'_>, v: &Value, out: &mut String, stack: &mut Vec<usize>) -> PResult<()> {
    match v {
        Value::Instance(_) | Value::Exception(_) => {
            let r = vm.st.syms.repr;
            match call_special(vm, v, r, Vec::new()) {
                Some(res) => match res? {
                    Value::Str(s) => out.push_str(&s.s),
                    other => {
                        return Err(Exc::type_error(format!(
                            "__repr__ returned non-string (type {})",
                            other.type_name()
                        )))
                    }
                },
                None => match (v, v.builtin_base()) {
                    (Value::Exception(_), _) => out.push_str(&format::repr(v)?),
                    // The builtin value's repr, sharing the stack that stops at a container
                    // holding itself; set and the library types are spelled with the class name.
                    (Value::Instance(i), Some(b @ Value::Set(s))) => {
                        if s.borrow().is_empty() {
                            out.push_str(&format!("{}()", i.class.name));
                        } else {
                            let b = b.clone();
                            out.push_str(&format!("{}(", i.class.name));
                            repr_into(vm, &b, out, stack)?;
                            out.push(')');
                        }
                    }
                    (_, Some(Value::Native(_))) => out.push_str(&subclass::repr_of(vm, v)?),
                    (_, Some(b)) => {
                        let b = b.clone();
                        repr_into(vm, &b, out, stack)?;
                    }
                    _ => out.push_str(&default_repr(v)),
                },
            }
        }
        Value::Class(c) if c.user => out.push_str(&format!("<class '__main__.{}'>", c.name)),
        Value::Function(f) => {
            let q = match &*f.class.borrow() {
                Some(c) => format!("{}.{}", c.name, f.name),
                None => f.name.to_string(),
            };
            out.push_str(&format!(
                "<function {} at {:#x}>",
                q,
                v.identity().unwrap_or(0)
            ));
        }
        Value::Method(m) => {
            let recv = m.receiver.clone();
            let mut inner = String::new();
            repr_into(vm, &recv, &mut inner, stack)?;
            let fname = match &m.func {
                Value::Function(f) => match &*f.class.borrow() {
                    Some(c) => format!("{}.{}", c.name, f.name),
                    None => f.name.to_string(),
                },
                Value::Builtin(b) => b.name.to_string(),
                other => other.type_name().to_string(),
            };
            out.push_str(&format!("<bound method {fname} of {inner}>"));
        }
        Value::Native(_) => out.push_str(&vm.repr(v)?),
        Value::List(_) | Value::Tuple(_) | Value::Dict(_) | Value::Set(_) => {
            let id = v.identity().unwrap_or(0);
            if stack.contains(&id) {
                out.push_str(match v {
                    Value::List(_) => "[...]",
                    Value::Tuple(_) => "(...)",
                    _ => "{...}",
                });
                return Ok(());
            }
            if stack.len() > 900 {
                return Err(Exc::new(
                    ExcKind::RecursionError,
                    "maximum recursion depth exceeded while getting the repr of an object",
                ));
            }
            stack.push(id);
            let r = container_repr(vm, v, out, stack);
            stack.pop();
            r?;
        }
        _ => out.push_str(&default_repr(v)),
    }
    Ok(())
}

fn container_repr(
    vm: &mut Vm<'_>,
    v: &Value,
    out: &mut String,
    stack: &mut Vec<usize>,
) -> PResult<()> {
    let seq = |vm: &mut Vm<'_>,
               items: &[Value],
               open: &str,
               close: &str,
               out: &mut String,
               stack: &mut Vec<usize>|
     -> PResult<()> {
        out.push_str(open);
        for (i, x) in items.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            repr_into(vm, x, out, stack)?;
        }
        out.push_str(close);
        Ok(())
    };
    match v {
        Value::List(l) => {
            let items = l.borrow().clone();
            seq(vm, &items, "[", "]", out, stack)
        }
        Value::Tuple(t) => {
            if t.len() == 1 {
                out.push('(');
                repr_into(vm, &t[0], out, stack)?;
                out.push_str(",)");
                Ok(())
            } else {
                let t = t.clone();
                seq(vm, &t, "(", ")", out, stack)
            }
        }
        Value::Set(s) => {
            let keys = s.borrow().keys();
            if keys.is_empty() {
                out.push_str("set()");
                Ok(())
            } else {
                seq(vm, &keys, "{", "}", out, stack)
            }
        }
        Value::Dict(d) => {
            let items: Vec<(Value, Value)> = d
                .borrow()
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            out.push('{');
            for (i, (k, x)) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                repr_into(vm, k, out, stack)?;
                out.push_str(": ");
                repr_into(vm, x, out, stack)?;
            }
            out.push('}');
            Ok(())
        }
        _ => Ok(()),
    }
}

/// `str(v)` for instances and exceptions (user `__str__`, then `__repr__`).
pub fn str(vm: &mut Vm<'_>, v: &Value) -> PResult<String> {
    let s = vm.st.syms.str;
    if let Some(res) = call_special(vm, v, s, Vec::new()) {
        return match res? {
            Value::Str(s) => Ok(s.s.clone()),
            other => Err(Exc::type_error(format!(
                "__str__ returned non-string (type {})",
                other.type_name()
            ))),
        };
    }
    match v {
        Value::Exception(e) => Ok(PyExc::Object(e.clone()).message()),
        _ if v.builtin_base().is_some() => subclass::str_of(vm, v),
        _ => repr(vm, v),
    }
}

/// `format(v, spec)`, with user `__format__`.
pub fn format_value(vm: &mut Vm<'_>, v: &Value, spec: &str) -> PResult<String> {
    match v {
        Value::Instance(_) | Value::Exception(_) => {
            let f = vm.st.syms.format;
            if let Some(r) = call_special(vm, v, f, vec![Value::str(spec)]) {
                return match r? {
                    Value::Str(s) => Ok(s.s.clone()),
                    other => Err(Exc::type_error(format!(
                        "__format__ must return a str, not {}",
                        other.type_name()
                    ))),
                };
            }
            if spec.is_empty() {
                return vm.str(v);
            }
            if let Some(base) = v.builtin_base() {
                let base = base.clone();
                return super::printf::format_spec(vm, &base, spec);
            }
            Err(Exc::type_error(format!(
                "unsupported format string passed to {}.__format__",
                v.type_name()
            )))
        }
        _ => super::printf::format_spec(vm, v, spec),
    }
}

/// `ascii()` of a repr: non-ASCII characters escaped.
pub fn ascii(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let n = c as u32;
        if n < 0x80 {
            out.push(c);
        } else if n < 0x100 {
            out.push_str(&format!("\\x{n:02x}"));
        } else if n < 0x10000 {
            out.push_str(&format!("\\u{n:04x}"));
        } else {
            out.push_str(&format!("\\U{n:08x}"));
        }
    }
    out
}

/// Whether `%` arguments hold user objects, whose `%s` and `%r` need the interpreter.
pub fn needs_shown(v: &Value) -> bool {
    match v {
        Value::Instance(_) => true,
        Value::Exception(e) => e.class.user,
        // Objects of a campaign's packet or field class show through their class's code.
        Value::Native(n) => n.0.user_class().is_some(),
        Value::Tuple(t) => t.iter().any(needs_shown),
        Value::Dict(d) => d.borrow().iter().any(|(_, x)| needs_shown(x)),
        _ => false,
    }
}
