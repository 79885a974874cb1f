//! Field classes and field objects in the language (chapter 6.5): `ByteField("x", 1)` is a
//! field object holding the engine's [`FieldDef`], with Scapy 2.8's repr
//! (`<ByteField (Disney).x>`) and attributes (`name`, `default`, `fmt`, `sz`, `owners`, the
//! constructor's arguments), and its conversions callable (`f.i2len(pkt, x)`).
//!
//! A campaign may subclass a field class (`class VarLenQField(Field)`): its `__init__` calls
//! a built-in one (`Field.__init__(self, ...)`, `super().__init__(...)`), which sets the
//! engine field the object builds on; its conversions (h2i, any2i, i2h, i2m, m2i, i2repr,
//! i2len, i2count, addfield, getfield, randval) override the built-in ones. In a layer, such
//! an object is a [`LangKind`]: an engine field kind that calls the overrides through the
//! interpreter lent by [`callback`] and falls back to the built-in kind for the rest, with
//! Scapy's internal dispatch (the default addfield packs what the override of i2m gives).

use std::cell::RefCell;
use std::rc::Rc;

use crate::packet::field::{BuildCtx, DissectCtx, FieldError, FieldKind, Truncated};
use crate::packet::spec::{self, Arg, ArgFn, Args, SpecError};
use crate::packet::{FieldDef, LayerData, Registry, Value as EValue};

use super::super::ast::Sym;
use super::super::callback;
use super::super::exceptions::{Exc, ExcKind, PResult};
use super::super::interp::Vm;
use super::super::objects::{addr, bytes_like, downcast, native};
use super::super::value::{Class, Method, NativeObject, Value};
use super::objects::{LayerClass, PacketObj};
use super::{to_engine, to_lang};

/// The conversions a field subclass may override, in the order of [`CONVERSIONS`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Conv {
    H2i,
    Any2i,
    I2h,
    I2m,
    M2i,
    I2repr,
    I2len,
    I2count,
    Addfield,
    Getfield,
    Randval,
}

/// The conversion methods by name, as [`Conv`] numbers them.
pub const CONVERSIONS: &[(&str, Conv)] = &[
    ("h2i", Conv::H2i),
    ("any2i", Conv::Any2i),
    ("i2h", Conv::I2h),
    ("i2m", Conv::I2m),
    ("m2i", Conv::M2i),
    ("i2repr", Conv::I2repr),
    ("i2len", Conv::I2len),
    ("i2count", Conv::I2count),
    ("addfield", Conv::Addfield),
    ("getfield", Conv::Getfield),
    ("randval", Conv::Randval),
];

/// The methods field objects answer (the conversions).
const FIELD_METHODS: &[&str] = &[
    "h2i", "any2i", "i2h", "i2m", "m2i", "i2repr", "i2len", "i2count", "addfield", "getfield",
    "randval",
];

/// Wrappers of another field: Scapy shows them as plain objects and forwards attributes.
fn is_wrapper(class: &str) -> bool {
    matches!(
        class,
        "ConditionalField" | "Emph" | "PadField" | "MayEnd" | "ActionField" | "MultipleTypeField"
    )
}

/// The Scapy module a field class lives in (for class reprs).
fn field_module(class: &str) -> &'static str {
    match class {
        "IPOptionsField" | "IPoptionsField" | "TCPOptionsField" | "ICMPTimeStampField" => {
            "scapy.layers.inet"
        }
        _ => "scapy.fields",
    }
}

/// A field class: one of the engine's, or a campaign's subclass of one.
pub struct FieldClassData {
    /// The class name (`ByteField`, `VarLenQField`).
    pub name: String,
    /// The engine class it is or derives from (what its built-in `__init__` makes).
    pub builtin: String,
    /// For a class statement's class: the class holding its namespace and MRO.
    pub carrier: Option<Rc<Class>>,
    /// The session's layers (field values may hold packets).
    pub reg: Rc<Registry>,
}

/// A field class as a value.
pub struct FieldClass(pub Rc<FieldClassData>);

impl FieldClass {
    /// A built-in field class as a value.
    pub fn builtin(name: &str, reg: &Rc<Registry>) -> Value {
        native(FieldClass(Rc::new(FieldClassData {
            name: name.to_string(),
            builtin: name.to_string(),
            carrier: None,
            reg: reg.clone(),
        })))
    }
}

/// A field object's state.
pub struct FieldState {
    /// The engine field, once a built-in `__init__` ran.
    pub def: Option<FieldDef>,
    /// The engine class that made `def`.
    pub made_by: String,
    /// The constructor's arguments by parameter name, then attributes the object was given.
    pub attrs: Vec<(String, Value)>,
    /// The classes whose `fields_desc` hold it.
    pub owners: Vec<String>,
}

/// A field object.
pub struct FieldObj {
    /// Its class.
    pub class: Rc<FieldClassData>,
    /// Its engine field, attributes and owners.
    pub state: RefCell<FieldState>,
}

impl FieldObj {
    /// A field object of `class` holding an engine field.
    pub fn value(class: Rc<FieldClassData>, def: FieldDef, owners: Vec<String>) -> Value {
        let made_by = class.builtin.clone();
        native(FieldObj {
            class,
            state: RefCell::new(FieldState {
                def: Some(def),
                made_by,
                attrs: Vec::new(),
                owners,
            }),
        })
    }

    /// The field a layer's table holds for this object: the engine field itself, or for a
    /// campaign's subclass a [`LangKind`] over it.
    pub fn engine_field(&self, vm: &mut Vm<'_>, this: &Value) -> PResult<FieldDef> {
        let st = self.state.borrow();
        let Some(def) = st.def.clone() else {
            return Err(Exc::type_error(format!(
                "{}() was not initialized: its __init__ must call a field class's __init__ \
                 (Field.__init__(self, name, default))",
                self.class.name
            )));
        };
        drop(st);
        match lang_kind(vm, self, this, None) {
            Some(k) => Ok(FieldDef {
                kind: Rc::new(k),
                ..def
            }),
            None => Ok(def),
        }
    }

    /// Adds a class to the owners (its `fields_desc` holds the field), and to those of the
    /// fields a wrapper holds.
    pub fn add_owner(&self, owner: &str) {
        let inner: Vec<Value> = {
            let mut st = self.state.borrow_mut();
            if !st.owners.iter().any(|o| o == owner) {
                st.owners.push(owner.to_string());
            }
            st.attrs
                .iter()
                .filter(|(k, _)| k == "fld")
                .map(|(_, v)| v.clone())
                .collect()
        };
        for v in inner {
            if let Some(f) = downcast::<FieldObj>(&v) {
                f.add_owner(owner);
            }
        }
    }

    fn attr(&self, name: &str) -> Option<Value> {
        self.state
            .borrow()
            .attrs
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    }

    /// The Scapy attributes computed from the engine field: name, default, fmt, sz, owners.
    fn computed_attr(&self, name: &str) -> Option<Value> {
        let st = self.state.borrow();
        let def = st.def.as_ref()?;
        Some(match name {
            "name" => Value::str(def.name.clone()),
            "default" => to_lang(&def.default, &self.class.reg),
            // Scapy keeps the classes (by name here: a field must not own its layers).
            "owners" => Value::list(
                st.owners
                    .iter()
                    .filter_map(|o| self.class.reg.get(o))
                    .map(|d| LayerClass::value(&d, &self.class.reg))
                    .collect(),
            ),
            "fmt" | "sz" => {
                let (fmt, sz) = struct_layout(&st.made_by, &st.attrs);
                if name == "fmt" {
                    Value::str(fmt)
                } else {
                    sz
                }
            }
            "islist" => Value::Bool(def.kind.is_list()),
            "holds_packets" => Value::Bool(def.kind.holds_packets()),
            _ => return None,
        })
    }
}

/// Scapy's `fmt` and `sz` of a field: the struct format its value packs with (prefixed with
/// `!` unless it has a byte order) and its size in bytes (a float for bit fields).
fn struct_layout(class: &str, attrs: &[(String, Value)]) -> (String, Value) {
    let attr = |n: &str| attrs.iter().find(|(k, _)| k == n).map(|(_, v)| v);
    let with_order = |f: &str| {
        if f.starts_with(['!', '<', '>', '=', '@']) {
            f.to_string()
        } else {
            format!("!{f}")
        }
    };
    let bits = |n: &str| match attr(n) {
        Some(Value::Int(i)) => Value::Float(*i as f64 / 8.0),
        _ => Value::Float(0.0),
    };
    if let Some((w, signed, le, _)) = spec::int_layout(class) {
        let code = match (w, signed) {
            (1, false) => "B",
            (1, true) => "b",
            (2, false) => "H",
            (2, true) => "h",
            (3 | 4, false) => "I",
            (3 | 4, true) => "i",
            (_, false) => "Q",
            (_, true) => "q",
        };
        let order = if le { "<" } else { "!" };
        return (format!("{order}{code}"), Value::Int(i64::from(w)));
    }
    match class {
        "Field" | "EnumField" | "FieldLenField" | "LEFieldLenField" | "LenField"
        | "MultiEnumField" | "CharEnumField" => {
            let default = match class {
                "LEFieldLenField" => "<H",
                "CharEnumField" => "1s",
                _ => "H",
            };
            let fmt = match attr("fmt") {
                Some(Value::Str(s)) => s.s.clone(),
                _ => default.to_string(),
            };
            let fmt = with_order(&fmt);
            let size = struct_size(&fmt);
            (fmt, Value::Int(size))
        }
        "BitField" | "XBitField" | "BitEnumField" | "BitFieldLenField" | "FlagsField"
        | "FixedPointField" => ("!H".into(), bits("size")),
        "TimeStampField" => ("!H".into(), Value::Float(8.0)),
        "IPField" | "SourceIPField" | "DestIPField" => ("!4s".into(), Value::Int(4)),
        "IP6Field" | "SourceIP6Field" | "DestIP6Field" => ("!16s".into(), Value::Int(16)),
        "MACField" | "DestMACField" | "SourceMACField" | "ARPSourceMACField" => {
            ("!6s".into(), Value::Int(6))
        }
        "IEEEFloatField" => ("!f".into(), Value::Int(4)),
        "IEEEDoubleField" => ("!d".into(), Value::Int(8)),
        "ICMPTimeStampField" => ("!I".into(), Value::Int(4)),
        "StrFixedLenField" | "XStrFixedLenField" => (
            "!H".into(),
            match attr("length") {
                Some(Value::Int(n)) => Value::Int(*n),
                _ => Value::Int(0),
            },
        ),
        _ => ("!H".into(), Value::Int(2)),
    }
}

/// `struct.calcsize` of a one-item format.
fn struct_size(fmt: &str) -> i64 {
    let body = fmt.trim_start_matches(['!', '<', '>', '=', '@']);
    let (count, code) = body.split_at(body.len().saturating_sub(1));
    let n: i64 = count.parse().unwrap_or(1);
    n * match code {
        "b" | "B" | "c" | "s" | "x" | "?" => 1,
        "h" | "H" | "e" => 2,
        "i" | "I" | "l" | "L" | "f" => 4,
        "q" | "Q" | "d" => 8,
        _ => 0,
    }
}

// ---------------------------------------------------------------------------------------------
// Constructor arguments.

/// A language value as a field constructor argument.
pub fn to_arg(vm: &mut Vm<'_>, v: &Value, reg: &Rc<Registry>) -> PResult<Arg> {
    if let Some(f) = downcast::<FieldObj>(v) {
        return Ok(Arg::Field(f.engine_field(vm, v)?));
    }
    if let Some(c) = downcast::<LayerClass>(v) {
        return Ok(Arg::Class(c.def.clone()));
    }
    match v {
        Value::Dict(d) => {
            let mut pairs = Vec::new();
            let entries: Vec<(Value, Value)> = d
                .borrow()
                .iter()
                .map(|(k, x)| (k.clone(), x.clone()))
                .collect();
            for (k, x) in entries {
                pairs.push((to_engine(&k)?, to_arg(vm, &x, reg)?));
            }
            Ok(Arg::Map(pairs))
        }
        Value::List(l) => {
            let l = l.borrow().clone();
            let items: Vec<Arg> = l
                .iter()
                .map(|x| to_arg(vm, x, reg))
                .collect::<PResult<_>>()?;
            Ok(plain_or(items, Arg::List, EValue::List))
        }
        Value::Tuple(t) => {
            let items: Vec<Arg> = t
                .iter()
                .map(|x| to_arg(vm, x, reg))
                .collect::<PResult<_>>()?;
            Ok(plain_or(items, Arg::Tuple, EValue::Tuple))
        }
        Value::Function(_) | Value::Method(_) | Value::Builtin(_) | Value::BoundMethod(_) => {
            Ok(Arg::Func(arg_fn(v.clone(), reg.clone())))
        }
        Value::Native(n) if n.0.method_names().contains(&"__call__") => {
            Ok(Arg::Func(arg_fn(v.clone(), reg.clone())))
        }
        _ => Ok(Arg::Val(to_engine(v)?)),
    }
}

/// Items that are all plain data as one plain value; else the container of arguments.
fn plain_or(items: Vec<Arg>, args: fn(Vec<Arg>) -> Arg, vals: fn(Vec<EValue>) -> EValue) -> Arg {
    if items.iter().all(|a| matches!(a, Arg::Val(_))) {
        vals(
            items
                .into_iter()
                .filter_map(|a| match a {
                    Arg::Val(v) => Some(v),
                    _ => None,
                })
                .collect(),
        )
        .into()
    } else {
        args(items)
    }
}

/// Parks an exception a callback raised (see [`callback`]), with its text for warnings.
pub fn fail(vm: &mut Vm<'_>, e: Exc) {
    let text = match &e {
        Exc::Raise(r) => {
            let msg = vm.exception_message(&r.exc);
            super::super::exceptions::exception_line(&r.exc.type_name(), &msg)
                .trim_end()
                .to_string()
        }
        Exc::Timeout => "the test timed out".to_string(),
    };
    callback::fail(e, text);
}

/// A callable argument (`length_from`, `adjust`, a condition) as the engine calls it: with
/// the layer as a packet (`pkt`) when the engine has one, then the other arguments.
pub fn arg_fn(f: Value, reg: Rc<Registry>) -> ArgFn {
    Rc::new(move |layer: Option<&LayerData>, args: &[EValue]| {
        if callback::failed() {
            return Ok(EValue::None);
        }
        let r = callback::with_vm(|vm| {
            let mut a = Vec::with_capacity(args.len() + 1);
            if let Some(l) = layer {
                a.push(PacketObj::value(&l.snapshot(), &reg));
            }
            a.extend(args.iter().map(|x| to_lang(x, &reg)));
            match vm.call(&f, a, Vec::new()).and_then(|v| to_engine(&v)) {
                Ok(v) => v,
                Err(e) => {
                    fail(vm, e);
                    EValue::None
                }
            }
        });
        r.ok_or_else(|| "a campaign function cannot run here".to_string())
    })
}

/// An engine constructor error as the Python exception, naming the field class.
pub fn spec_err(class: &str, e: SpecError) -> Exc {
    let named = |m: String| {
        if m.contains(class) {
            m
        } else {
            format!("{class}(): {m}")
        }
    };
    match e {
        SpecError::UnknownClass(c) => {
            Exc::new(ExcKind::NameError, format!("name '{c}' is not defined"))
        }
        SpecError::Type(m) => Exc::type_error(named(m)),
        SpecError::Value(m) => Exc::value_error(named(m)),
    }
}

/// Runs the built-in constructor of `builtin` with these arguments: the engine field and the
/// arguments by parameter name.
fn make_field(
    vm: &mut Vm<'_>,
    builtin: &str,
    args: &[Value],
    kw: &[(String, Value)],
    reg: &Rc<Registry>,
) -> PResult<(FieldDef, Vec<(String, Value)>)> {
    let mut spec_args = Args::default();
    for a in args {
        spec_args.positional.push(to_arg(vm, a, reg)?);
    }
    for (k, v) in kw {
        spec_args.keyword.push((k.clone(), to_arg(vm, v, reg)?));
    }
    let def = callback::lend(vm, || spec::field_from_spec(builtin, spec_args))?
        .map_err(|e| spec_err(builtin, e))?;
    // The arguments as attributes, by parameter name (name, default and fmt are computed
    // from the engine field, as Scapy converts them); those not given have their default.
    let params = spec::signature(builtin).map_or(&[][..], |s| s.params);
    let mut attrs = Vec::with_capacity(params.len());
    for (i, p) in params.iter().enumerate() {
        if matches!(*p, "name" | "default") {
            continue;
        }
        let given = args
            .get(i)
            .or_else(|| kw.iter().find(|(k, _)| k == p).map(|(_, v)| v));
        let v = match given {
            Some(v) => v.clone(),
            None if matches!(
                *p,
                "remain" | "shift" | "additional" | "tot_size" | "end_tot_size"
            ) =>
            {
                Value::Int(0)
            }
            None => Value::None,
        };
        // Scapy keeps PacketField's class as `cls`.
        let key = if *p == "pkt_cls" { "cls" } else { p };
        attrs.push((key.to_string(), v));
    }
    attrs.extend(
        kw.iter()
            .filter(|(k, _)| !params.contains(&k.as_str()))
            .cloned(),
    );
    Ok((def, attrs))
}

fn kw_text(vm: &Vm<'_>, kw: Vec<(Sym, Value)>) -> Vec<(String, Value)> {
    kw.into_iter()
        .map(|(k, v)| (vm.st.interner.name(k).to_string(), v))
        .collect()
}

impl NativeObject for FieldClass {
    fn type_name(&self) -> &str {
        "Field_metaclass"
    }
    fn method_names(&self) -> &'static [&'static str] {
        &["__call__"]
    }
    fn call_method(
        &self,
        vm: &mut Vm<'_>,
        _this: &Value,
        name: &str,
        args: Vec<Value>,
        kw: Vec<(Sym, Value)>,
    ) -> Option<PResult<Value>> {
        (name == "__call__").then(|| self.construct(vm, args, kw))
    }
    fn repr(&self) -> String {
        match &self.0.carrier {
            Some(_) => format!("<class '__main__.{}'>", self.0.name),
            None => format!("<class '{}.{}'>", field_module(&self.0.name), self.0.name),
        }
    }
    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }
    fn get_attr(&self, vm: &mut Vm<'_>, _this: &Value, name: &str) -> Option<PResult<Value>> {
        match name {
            "__name__" => return Some(Ok(Value::str(self.0.name.clone()))),
            "__module__" => {
                return Some(Ok(Value::str(match self.0.carrier {
                    Some(_) => "__main__",
                    None => field_module(&self.0.name),
                })))
            }
            _ => {}
        }
        // The class's own namespace, then the built-in methods (`Field.__init__`,
        // `FieldLenField.i2m`): plain functions, called with the object first.
        let carrier = match &self.0.carrier {
            Some(c) => c.clone(),
            None => super::classdef::field_carrier(vm, &self.0.builtin),
        };
        let sym = vm.st.interner.intern(name);
        carrier.lookup(sym).map(Ok)
    }
    fn call(
        &self,
        vm: &mut Vm<'_>,
        args: Vec<Value>,
        kw: Vec<(Sym, Value)>,
    ) -> Option<PResult<Value>> {
        Some(self.construct(vm, args, kw))
    }
    fn eq(&self, other: &Value) -> Option<bool> {
        Some(downcast::<FieldClass>(other).is_some_and(|o| Rc::ptr_eq(&o.0, &self.0)))
    }
    fn hash(&self) -> Option<PResult<i64>> {
        Some(Ok(Rc::as_ptr(&self.0) as usize as i64 >> 4))
    }
    fn instance_check(&self, v: &Value) -> Option<bool> {
        Some(downcast::<FieldObj>(v).is_some_and(|f| derives(&f.class, &self.0)))
    }
    fn subclass_check(&self, c: &Value) -> Option<bool> {
        Some(downcast::<FieldClass>(c).is_some_and(|k| derives(&k.0, &self.0)))
    }
}

/// Whether field class `a` is `b` or derives from it. Every field class derives from
/// `Field`; Scapy's finer hierarchy of the built-in classes is not kept.
fn derives(a: &Rc<FieldClassData>, b: &Rc<FieldClassData>) -> bool {
    if Rc::ptr_eq(a, b) || a.name == b.name {
        return true;
    }
    if b.name == "Field" {
        // The wrappers (ConditionalField, Emph...) are not fields themselves.
        return !is_wrapper(&a.builtin);
    }
    match &a.carrier {
        Some(ca) => ca.mro.iter().any(|m| m.name == b.name),
        None => false,
    }
}

impl FieldClass {
    fn construct(
        &self,
        vm: &mut Vm<'_>,
        args: Vec<Value>,
        kw: Vec<(Sym, Value)>,
    ) -> PResult<Value> {
        let data = &self.0;
        let Some(carrier) = &data.carrier else {
            let kw = kw_text(vm, kw);
            let (def, attrs) = make_field(vm, &data.builtin, &args, &kw, &data.reg)?;
            let obj = FieldObj::value(data.clone(), def, Vec::new());
            if let Some(f) = downcast::<FieldObj>(&obj) {
                f.state.borrow_mut().attrs = attrs;
            }
            return Ok(obj);
        };
        // A campaign's class: a blank object, then its `__init__` (its own, or the built-in
        // one of the class it derives from).
        let obj = native(FieldObj {
            class: data.clone(),
            state: RefCell::new(FieldState {
                def: None,
                made_by: data.builtin.clone(),
                attrs: Vec::new(),
                owners: Vec::new(),
            }),
        });
        let init = vm.st.syms.init;
        let f = carrier
            .lookup(init)
            .ok_or_else(|| Exc::type_error(format!("{}() has no __init__", data.name)))?;
        let mut a = Vec::with_capacity(args.len() + 1);
        a.push(obj.clone());
        a.extend(args);
        let r = vm.call(&f, a, kw)?;
        if !matches!(r, Value::None) {
            return Err(Exc::type_error(format!(
                "__init__() should return None, not '{}'",
                r.type_name()
            )));
        }
        Ok(obj)
    }
}

impl NativeObject for FieldObj {
    fn type_name(&self) -> &str {
        &self.class.name
    }
    fn repr(&self) -> String {
        let st = self.state.borrow();
        if is_wrapper(&st.made_by) && self.class.carrier.is_none() {
            return format!(
                "<{}.{} object at {:#x}>",
                field_module(&self.class.name),
                self.class.name,
                addr(self)
            );
        }
        let name = st.def.as_ref().map_or("", |d| d.name.as_str());
        format!("<{} ({}).{}>", self.class.name, st.owners.join(","), name)
    }
    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }
    fn user_class(&self) -> Option<Rc<Class>> {
        self.class.carrier.clone()
    }
    fn get_attr(&self, vm: &mut Vm<'_>, this: &Value, name: &str) -> Option<PResult<Value>> {
        // Scapy's normalized forms of what the constructor was given.
        if matches!(name, "name" | "default" | "fmt" | "sz") {
            if let Some(v) = self.computed_attr(name) {
                return Some(Ok(v));
            }
        }
        if let Some(v) = self.attr(name) {
            return Some(Ok(v));
        }
        if let Some(carrier) = &self.class.carrier {
            let sym = vm.st.interner.intern(name);
            if let Some(a) = carrier.lookup(sym) {
                return Some(Ok(bind(a, this)));
            }
        }
        if let Some(v) = self.computed_attr(name) {
            return Some(Ok(v));
        }
        if FIELD_METHODS.contains(&name) {
            return None;
        }
        // A wrapper forwards to the field it holds (`Emph(f).name`).
        if let Some(inner) = self.attr("fld") {
            if let Value::Native(n) = &inner {
                if let Some(r) = n.0.get_attr(vm, &inner, name) {
                    return Some(r);
                }
            }
        }
        Some(Err(Exc::new(
            ExcKind::AttributeError,
            format!("'{}' object has no attribute '{name}'", self.class.name),
        )))
    }
    fn set_attr(&self, name: &str, value: Value) -> Option<PResult<()>> {
        let mut st = self.state.borrow_mut();
        st.attrs.retain(|(k, _)| k != name);
        st.attrs.push((name.to_string(), value));
        Some(Ok(()))
    }
    fn method_names(&self) -> &'static [&'static str] {
        FIELD_METHODS
    }
    fn call_method(
        &self,
        vm: &mut Vm<'_>,
        this: &Value,
        name: &str,
        args: Vec<Value>,
        kw: Vec<(Sym, Value)>,
    ) -> Option<PResult<Value>> {
        if !FIELD_METHODS.contains(&name) {
            return None;
        }
        if let Some(carrier) = &self.class.carrier {
            // The class's own method wins.
            let sym = vm.st.interner.intern(name);
            if let Some(a) = carrier.lookup(sym).filter(|a| !is_builtin_method(a)) {
                let m = bind(a, this);
                return Some(vm.call(&m, args, kw));
            }
        }
        Some(conversion(vm, self, this, name, None, &args))
    }
}

/// Binds a class attribute to a field object (functions become methods).
fn bind(attr: Value, obj: &Value) -> Value {
    match &attr {
        Value::Function(_) => Value::Method(Rc::new(Method {
            func: attr,
            receiver: obj.clone(),
        })),
        Value::Special(s) => match &**s {
            super::super::value::Special::StaticMethod(f) => f.clone(),
            _ => attr,
        },
        Value::Native(n) => n.0.bind_to(&attr, obj).unwrap_or(attr),
        _ => attr,
    }
}

/// Whether a class attribute is a built-in field method (not a campaign's override).
fn is_builtin_method(v: &Value) -> bool {
    downcast::<FieldMethod>(v).is_some()
}

/// The engine kind over a campaign's field object: its overrides found in its class's MRO,
/// or None when it has no campaign class (a built-in field object).
fn lang_kind(
    vm: &mut Vm<'_>,
    obj: &FieldObj,
    this: &Value,
    skip: Option<Conv>,
) -> Option<LangKind> {
    let carrier = obj.class.carrier.as_ref()?;
    let base = obj.state.borrow().def.as_ref()?.kind.clone();
    let mut over: [Option<Value>; 11] = Default::default();
    for (name, c) in CONVERSIONS {
        over[*c as usize] =
            super::classdef::carrier_lookup(vm, carrier, name).filter(|v| !is_builtin_method(v));
    }
    Some(LangKind {
        class_name: obj.class.name.clone(),
        base,
        obj: this.clone(),
        over,
        skip,
        reg: obj.class.reg.clone(),
    })
}

/// A conversion called from the language: `f.i2len(pkt, x)` on a field object, or
/// `Field.i2m(self, pkt, x)` (with `skip`: the built-in behaviour of that conversion, the
/// object's other overrides still applying, as Scapy's methods call each other).
pub fn conversion(
    vm: &mut Vm<'_>,
    obj: &FieldObj,
    this: &Value,
    name: &str,
    skip: Option<Conv>,
    args: &[Value],
) -> PResult<Value> {
    let Some(def) = obj.state.borrow().def.clone() else {
        return Err(Exc::type_error(format!(
            "{}() was not initialized by a field class's __init__",
            obj.class.name
        )));
    };
    let reg = obj.class.reg.clone();
    let lk: Option<Rc<dyn FieldKind>> =
        lang_kind(vm, obj, this, skip).map(|k| Rc::new(k) as Rc<dyn FieldKind>);
    // The kind for the layer at hand (a MultipleTypeField's alternative is chosen by the
    // layer's other fields), with the campaign's overrides, and without them.
    let full = |layer: &LayerData| -> Rc<dyn FieldKind> {
        lk.clone().unwrap_or_else(|| def.resolve(layer).0.clone())
    };
    let raw = |layer: &LayerData| -> Rc<dyn FieldKind> { def.resolve(layer).0.clone() };
    let arg = |i: usize| args.get(i).cloned().unwrap_or(Value::None);
    let need = |n: usize| -> PResult<()> {
        if args.len() < n {
            Err(Exc::type_error(format!(
                "{name}() missing {} required positional argument{}",
                n - args.len(),
                if n - args.len() > 1 { "s" } else { "" }
            )))
        } else {
            Ok(())
        }
    };
    // The layer the conversion is about (`pkt`, a copy), or a blank one (`None`).
    let layer_of = |v: &Value| -> crate::packet::Packet {
        match downcast::<PacketObj>(v) {
            Some(p) => p.p.data().snapshot(),
            None => crate::packet::Packet::new(&crate::packet::base::packet_def()),
        }
    };
    let resolver = crate::packet::resolver::current();
    let r: PResult<Value> = callback::lend(vm, || -> PResult<Value> {
        Ok(match name {
            "h2i" | "any2i" => {
                need(2)?;
                let lp = layer_of(&arg(0));
                let layer = lp.data();
                let v = if name == "h2i" && skip == Some(Conv::H2i) {
                    raw(&layer).any2i(&layer, to_engine(&arg(1))?)
                } else {
                    full(&layer).any2i(&layer, to_engine(&arg(1))?)
                };
                to_lang(&v.map_err(super::field_err)?, &reg)
            }
            "i2h" => {
                need(2)?;
                let lp = layer_of(&arg(0));
                let layer = lp.data();
                to_lang(&full(&layer).i2h(&layer, &to_engine(&arg(1))?), &reg)
            }
            "i2repr" => {
                need(2)?;
                let lp = layer_of(&arg(0));
                let layer = lp.data();
                let kind = full(&layer);
                let v = to_engine(&arg(1))?;
                match kind.i2repr_items(&layer, &v) {
                    Some(items) => Value::list(items.into_iter().map(Value::str).collect()),
                    None => Value::str(kind.i2repr(&layer, &v)),
                }
            }
            "i2len" => {
                need(2)?;
                let lp = layer_of(&arg(0));
                let layer = lp.data();
                Value::Int(full(&layer).i2len(&layer, &to_engine(&arg(1))?) as i64)
            }
            "i2count" => {
                need(2)?;
                let lp = layer_of(&arg(0));
                let layer = lp.data();
                Value::Int(full(&layer).i2count(&to_engine(&arg(1))?) as i64)
            }
            "i2m" => {
                need(2)?;
                let lp = layer_of(&arg(0));
                let layer = lp.data();
                let ctx = BuildCtx {
                    layer: &layer,
                    payload: &[],
                    resolver: resolver.as_ref(),
                };
                i2m(raw(&layer).as_ref(), &ctx, &to_engine(&arg(1))?, &reg)?
            }
            "m2i" => {
                need(2)?;
                let lp = layer_of(&arg(0));
                let layer = lp.data();
                m2i(raw(&layer).as_ref(), &layer, &arg(1), &reg)?
            }
            "addfield" => {
                need(3)?;
                let lp = layer_of(&arg(0));
                let layer = lp.data();
                let ctx = BuildCtx {
                    layer: &layer,
                    payload: &[],
                    resolver: resolver.as_ref(),
                };
                let mut out = bytes_arg(&arg(1))?;
                full(&layer)
                    .addfield(&ctx, &to_engine(&arg(2))?, &mut out)
                    .map_err(Exc::value_error)?;
                Value::bytes(out)
            }
            "getfield" => {
                need(2)?;
                let lp = layer_of(&arg(0));
                let layer = lp.data();
                let s = bytes_arg(&arg(1))?;
                let mut warnings = Vec::new();
                let mut ctx = DissectCtx {
                    layer: &layer,
                    whole: &s,
                    warnings: &mut warnings,
                };
                let (used, v) = full(&layer)
                    .getfield(&mut ctx, &s)
                    .map_err(|_| Exc::new(ExcKind::ValueError, "not enough bytes for the field"))?;
                Value::tuple(vec![
                    Value::bytes(s.get(used..).unwrap_or(&[]).to_vec()),
                    v.map_or(Value::None, |v| to_lang(&v, &reg)),
                ])
            }
            "randval" => lk
                .clone()
                .unwrap_or_else(|| def.kind.clone())
                .randval()
                .map_or(Value::None, |v| to_lang(&v, &reg)),
            _ => return Err(Exc::new(ExcKind::AttributeError, name.to_string())),
        })
    })?;
    r
}

fn bytes_arg(v: &Value) -> PResult<Vec<u8>> {
    match v {
        Value::Str(s) => Ok(s.s.as_bytes().to_vec()),
        other => bytes_like(other).ok_or_else(|| {
            Exc::type_error(format!(
                "a bytes-like object is required, not '{}'",
                other.type_name()
            ))
        }),
    }
}

/// Scapy's `i2m`: the machine value of `v` for a kind, an integer for the kinds that pack
/// one (lengths computed when unset), else the bytes.
fn i2m(kind: &dyn FieldKind, ctx: &BuildCtx<'_>, v: &EValue, reg: &Rc<Registry>) -> PResult<Value> {
    if kind.bit_width().is_some() {
        let i = kind.i2int(ctx, v).map_err(Exc::value_error)?;
        return Ok(to_lang(&EValue::Int(i), reg));
    }
    let mut out = Vec::new();
    kind.addfield(ctx, v, &mut out).map_err(Exc::value_error)?;
    let mut warnings = Vec::new();
    let mut dctx = DissectCtx {
        layer: ctx.layer,
        whole: &out,
        warnings: &mut warnings,
    };
    Ok(match kind.getfield(&mut dctx, &out) {
        Ok((_, Some(EValue::Int(i)))) => to_lang(&EValue::Int(i), reg),
        _ => Value::bytes(out),
    })
}

/// Scapy's `m2i`: the internal value of a machine value (bytes, or an integer).
fn m2i(kind: &dyn FieldKind, layer: &LayerData, x: &Value, reg: &Rc<Registry>) -> PResult<Value> {
    match x {
        Value::Int(i) => Ok(to_lang(&kind.int2i(i128::from(*i)), reg)),
        Value::None => Ok(Value::None),
        other => {
            let s = bytes_arg(other)?;
            let mut warnings = Vec::new();
            let mut ctx = DissectCtx {
                layer,
                whole: &s,
                warnings: &mut warnings,
            };
            match kind.getfield(&mut ctx, &s) {
                Ok((_, Some(v))) => Ok(to_lang(&v, reg)),
                Ok((_, None)) => Ok(Value::None),
                Err(_) => Err(Exc::value_error("not enough bytes for the field")),
            }
        }
    }
}

/// A built-in method of a field class, as its class attribute: `Field.__init__`,
/// `FieldLenField.i2m`. Called with the field object first; found by `super()` and bound
/// to the object when looked up through it.
pub struct FieldMethod {
    /// The built-in class.
    pub class: String,
    /// `__init__` or a conversion.
    pub name: &'static str,
}

impl NativeObject for FieldMethod {
    fn type_name(&self) -> &str {
        "function"
    }
    fn repr(&self) -> String {
        format!(
            "<function {}.{} at {:#x}>",
            self.class,
            self.name,
            addr(self)
        )
    }
    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }
    fn method_names(&self) -> &'static [&'static str] {
        &["__call__"]
    }
    fn call_method(
        &self,
        vm: &mut Vm<'_>,
        _this: &Value,
        name: &str,
        args: Vec<Value>,
        kw: Vec<(Sym, Value)>,
    ) -> Option<PResult<Value>> {
        (name == "__call__").then(|| self.run(vm, args, kw))
    }
    fn call(
        &self,
        vm: &mut Vm<'_>,
        args: Vec<Value>,
        kw: Vec<(Sym, Value)>,
    ) -> Option<PResult<Value>> {
        Some(self.run(vm, args, kw))
    }
    fn bind_to(&self, this: &Value, obj: &Value) -> Option<Value> {
        Some(Value::Method(Rc::new(Method {
            func: this.clone(),
            receiver: obj.clone(),
        })))
    }
}

impl FieldMethod {
    fn run(&self, vm: &mut Vm<'_>, args: Vec<Value>, kw: Vec<(Sym, Value)>) -> PResult<Value> {
        let Some(this) = args.first().cloned() else {
            return Err(Exc::type_error(format!(
                "{}.{}() missing 1 required positional argument: 'self'",
                self.class, self.name
            )));
        };
        let Some(obj) = downcast::<FieldObj>(&this) else {
            return Err(Exc::type_error(format!(
                "{}.{}() needs a field object as self, not '{}'",
                self.class,
                self.name,
                this.type_name()
            )));
        };
        if self.name == "__init__" {
            let kw = kw_text(vm, kw);
            let (def, attrs) = make_field(vm, &self.class, &args[1..], &kw, &obj.class.reg)?;
            let mut st = obj.state.borrow_mut();
            st.def = Some(def);
            st.made_by = self.class.clone();
            // What the object was given so far stays (its own __init__ may set attributes
            // before calling this one).
            let own = std::mem::take(&mut st.attrs);
            st.attrs = attrs;
            st.attrs.extend(own);
            return Ok(Value::None);
        }
        let skip = CONVERSIONS
            .iter()
            .find(|(n, _)| *n == self.name)
            .map(|(_, c)| *c);
        conversion(vm, obj, &this, self.name, skip, &args[1..])
    }
}

// ---------------------------------------------------------------------------------------------
// The engine kind of a campaign's field subclass.

/// A campaign field object in a layer: the built-in kind its `__init__` made, with the
/// conversions its class overrides called through the interpreter.
pub struct LangKind {
    class_name: String,
    base: Rc<dyn FieldKind>,
    obj: Value,
    over: [Option<Value>; 11],
    /// A conversion whose override is not used (its built-in behaviour is being asked for).
    skip: Option<Conv>,
    reg: Rc<Registry>,
}

impl LangKind {
    fn user(&self, c: Conv) -> Option<&Value> {
        if self.skip == Some(c) {
            return None;
        }
        self.over[c as usize].as_ref()
    }

    /// Calls an override with `self`, `pkt` (the layer, or None) and `args`, mapping the
    /// result inside the interpreter; None when it raised (the failure is parked) or no
    /// interpreter is lent.
    fn call<T>(
        &self,
        f: &Value,
        layer: Option<&LayerData>,
        args: Vec<Value>,
        map: impl FnOnce(&mut Vm<'_>, Value) -> PResult<T>,
    ) -> Option<T> {
        if callback::failed() {
            return None;
        }
        callback::with_vm(|vm| {
            let mut a = Vec::with_capacity(args.len() + 2);
            a.push(self.obj.clone());
            a.push(match layer {
                Some(l) => PacketObj::value(&l.snapshot(), &self.reg),
                None => Value::None,
            });
            a.extend(args);
            match vm.call(f, a, Vec::new()).and_then(|v| map(vm, v)) {
                Ok(t) => Some(t),
                Err(e) => {
                    fail(vm, e);
                    None
                }
            }
        })
        .flatten()
    }

    fn lang(&self, v: &EValue) -> Value {
        to_lang(v, &self.reg)
    }
}

fn int_of(v: &Value, what: &str) -> PResult<i128> {
    match v {
        Value::Int(i) => Ok(i128::from(*i)),
        Value::Bool(b) => Ok(i128::from(*b)),
        other => Err(Exc::type_error(format!(
            "{what}() must return an integer, not '{}'",
            other.type_name()
        ))),
    }
}

impl FieldKind for LangKind {
    fn class_name(&self) -> &str {
        &self.class_name
    }

    fn bit_width(&self) -> Option<u32> {
        if self.user(Conv::Addfield).is_some() || self.user(Conv::Getfield).is_some() {
            return None;
        }
        self.base.bit_width()
    }

    fn le_bit_group(&self) -> Option<usize> {
        self.bit_width().and(self.base.le_bit_group())
    }

    fn plain_bits(&self) -> Option<bool> {
        // A conversion of the campaign's own is a call into the language.
        if self.user(Conv::M2i).is_some() {
            return None;
        }
        self.bit_width().and(self.base.plain_bits())
    }

    fn fixed_bytes(&self) -> Option<usize> {
        if self.user(Conv::Getfield).is_some() || self.user(Conv::M2i).is_some() {
            return None;
        }
        self.base.fixed_bytes()
    }

    fn takes_rest(&self) -> bool {
        self.user(Conv::Getfield).is_none()
            && self.user(Conv::M2i).is_none()
            && self.base.takes_rest()
    }

    fn before_assign(&self, layer: &crate::packet::Packet, v: &EValue) -> Result<(), FieldError> {
        self.base.before_assign(layer, v)
    }

    fn any2i(&self, layer: &LayerData, v: EValue) -> Result<EValue, FieldError> {
        let f = self.user(Conv::Any2i).or_else(|| self.user(Conv::H2i));
        match f {
            Some(f) => Ok(self
                .call(f, Some(layer), vec![self.lang(&v)], |_, r| to_engine(&r))
                .unwrap_or(v)),
            None => self.base.any2i(layer, v),
        }
    }

    fn i2int(&self, ctx: &BuildCtx<'_>, v: &EValue) -> Result<i128, String> {
        match self.user(Conv::I2m) {
            Some(f) => self
                .call(f, Some(ctx.layer), vec![self.lang(v)], |_, r| {
                    int_of(&r, "i2m")
                })
                .ok_or_else(|| "i2m() failed".to_string()),
            None => self.base.i2int(ctx, v),
        }
    }

    fn int2i(&self, raw: i128) -> EValue {
        match self.user(Conv::M2i) {
            Some(f) => self
                .call(f, None, vec![self.lang(&EValue::Int(raw))], |_, r| {
                    to_engine(&r)
                })
                .unwrap_or(EValue::Int(raw)),
            None => self.base.int2i(raw),
        }
    }

    fn addfield(&self, ctx: &BuildCtx<'_>, v: &EValue, out: &mut Vec<u8>) -> Result<(), String> {
        if let Some(f) = self.user(Conv::Addfield) {
            let s = Value::bytes(out.clone());
            let r = self.call(f, Some(ctx.layer), vec![s, self.lang(v)], |_, r| {
                bytes_like(&r).ok_or_else(|| {
                    Exc::type_error(format!(
                        "addfield() must return bytes, not '{}'",
                        r.type_name()
                    ))
                })
            });
            return match r {
                Some(b) => {
                    *out = b;
                    Ok(())
                }
                None => Err("addfield() failed".into()),
            };
        }
        if let Some(f) = self.user(Conv::I2m) {
            let m = self
                .call(f, Some(ctx.layer), vec![self.lang(v)], |_, r| Ok(r))
                .ok_or_else(|| "i2m() failed".to_string())?;
            return match bytes_like(&m) {
                // The machine form is already bytes: they are the field.
                Some(b) => {
                    out.extend_from_slice(&b);
                    Ok(())
                }
                None => {
                    let m = to_engine(&m).map_err(|_| "i2m() returned an odd value".to_string())?;
                    self.base.addfield(ctx, &m, out)
                }
            };
        }
        self.base.addfield(ctx, v, out)
    }

    fn getfield(
        &self,
        ctx: &mut DissectCtx<'_>,
        s: &[u8],
    ) -> Result<(usize, Option<EValue>), Truncated> {
        if let Some(f) = self.user(Conv::Getfield) {
            let r = self.call(
                f,
                Some(ctx.layer),
                vec![Value::bytes(s.to_vec())],
                |_, r| -> PResult<(usize, EValue)> {
                    let pair = match &r {
                        Value::Tuple(t) if t.len() == 2 => (t[0].clone(), t[1].clone()),
                        Value::List(l) if l.borrow().len() == 2 => {
                            let l = l.borrow();
                            (l[0].clone(), l[1].clone())
                        }
                        _ => {
                            return Err(Exc::type_error(
                                "getfield() must return (the remaining bytes, the value)",
                            ))
                        }
                    };
                    let rest = bytes_like(&pair.0).ok_or_else(|| {
                        Exc::type_error("getfield() must return the remaining bytes first")
                    })?;
                    Ok((s.len().saturating_sub(rest.len()), to_engine(&pair.1)?))
                },
            );
            return match r {
                Some((used, v)) => Ok((used, Some(v))),
                None => Err(Truncated),
            };
        }
        let (used, v) = self.base.getfield(ctx, s)?;
        match (self.user(Conv::M2i), v) {
            (Some(f), Some(v)) => {
                let layer = ctx.layer;
                let m = self.call(f, Some(layer), vec![self.lang(&v)], |_, r| to_engine(&r));
                match m {
                    Some(m) => Ok((used, Some(m))),
                    None => Err(Truncated),
                }
            }
            (_, v) => Ok((used, v)),
        }
    }

    fn i2repr(&self, layer: &LayerData, v: &EValue) -> String {
        if let Some(f) = self.user(Conv::I2repr) {
            return self
                .call(f, Some(layer), vec![self.lang(v)], |vm, r| match r {
                    Value::Str(s) => Ok(s.s.clone()),
                    other => vm.str(&other),
                })
                .unwrap_or_default();
        }
        if let Some(f) = self.user(Conv::I2h) {
            return self
                .call(f, Some(layer), vec![self.lang(v)], |vm, r| vm.repr(&r))
                .unwrap_or_default();
        }
        self.base.i2repr(layer, v)
    }

    fn i2repr_items(&self, layer: &LayerData, v: &EValue) -> Option<Vec<String>> {
        if self.user(Conv::I2repr).is_some() || self.user(Conv::I2h).is_some() {
            return None;
        }
        self.base.i2repr_items(layer, v)
    }

    fn i2h(&self, layer: &LayerData, v: &EValue) -> EValue {
        match self.user(Conv::I2h) {
            Some(f) => self
                .call(f, Some(layer), vec![self.lang(v)], |_, r| to_engine(&r))
                .unwrap_or_else(|| v.clone()),
            None => self.base.i2h(layer, v),
        }
    }

    fn i2len(&self, layer: &LayerData, v: &EValue) -> usize {
        match self.user(Conv::I2len) {
            Some(f) => self
                .call(f, Some(layer), vec![self.lang(v)], |_, r| {
                    int_of(&r, "i2len")
                })
                .map_or(0, |n| usize::try_from(n).unwrap_or(0)),
            None => self.base.i2len(layer, v),
        }
    }

    fn i2count(&self, v: &EValue) -> usize {
        match self.user(Conv::I2count) {
            Some(f) => self
                .call(f, None, vec![self.lang(v)], |_, r| int_of(&r, "i2count"))
                .map_or(0, |n| usize::try_from(n).unwrap_or(0)),
            None => self.base.i2count(v),
        }
    }

    fn holds_packets(&self) -> bool {
        self.base.holds_packets()
    }

    fn is_list(&self) -> bool {
        self.base.is_list()
    }

    fn randval(&self) -> Option<EValue> {
        if let Some(f) = self.user(Conv::Randval) {
            if callback::failed() {
                return None;
            }
            return callback::with_vm(|vm| {
                match vm
                    .call(f, vec![self.obj.clone()], Vec::new())
                    .and_then(|r| to_engine(&r))
                {
                    Ok(v) => Some(v),
                    Err(e) => {
                        fail(vm, e);
                        None
                    }
                }
            })
            .flatten();
        }
        self.base.randval()
    }

    fn repr_internal(&self, v: &EValue) -> String {
        self.base.repr_internal(v)
    }

    fn repr_human(&self, layer: &LayerData, v: &EValue) -> String {
        if self.user(Conv::I2h).is_some() {
            return self.i2repr(layer, v);
        }
        self.base.repr_human(layer, v)
    }

    fn command_repr(&self, layer: &LayerData, v: &EValue) -> String {
        self.base.command_repr(layer, v)
    }

    fn str_internal(&self, v: &EValue) -> Option<String> {
        self.base.str_internal(v)
    }

    fn ls_note(&self, layer: &LayerData) -> Option<String> {
        self.base.ls_note(layer)
    }
}

/// The engine field objects of a built-in layer hold: a field object made on demand, owned
/// by the layer's class.
pub fn builtin_field_obj(def: &FieldDef, owner: &str, reg: &Rc<Registry>) -> Value {
    let class = def.kind.class_name().to_string();
    FieldObj::value(
        Rc::new(FieldClassData {
            name: class.clone(),
            builtin: class,
            carrier: None,
            reg: reg.clone(),
        }),
        def.clone(),
        vec![owner.to_string()],
    )
}
