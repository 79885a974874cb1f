//! The native objects of the packet bridge: layer classes, packets, the empty payload, flag
//! values, networks and random values.

use std::cell::RefCell;
use std::rc::Rc;

use crate::packet::sets::{Net, Net6};
use crate::packet::value::Volatile;
use crate::packet::{dissect, LayerData, LayerDef, Packet, Registry, Value as EValue};

use super::super::ast::{BinOp, CmpOp, Sym};
use super::super::callback;
use super::super::exceptions::{Exc, ExcKind, PResult};
use super::super::interp::Vm;
use super::super::objects::{addr, bytes_like, downcast, native};
use super::super::value::{Class, Dict, IterObj, Method, NativeObject, Special, Value};
use super::classdef::class_info;
use super::fieldobj::builtin_field_obj;
use super::hooks::{base_hook, BaseHook, HOOK_METHODS};
use super::{build, drain, field_err, module_of, read_field, to_engine, to_lang};

/// Keyword names as text.
pub fn kw_names(vm: &Vm<'_>, kw: Vec<(Sym, Value)>) -> Vec<(String, Value)> {
    kw.into_iter()
        .map(|(k, v)| (vm.st.interner.name(k).to_string(), v))
        .collect()
}

/// The truth of an option (`dump=True`).
fn flag_kw(kw: &[(String, Value)], name: &str) -> bool {
    kw.iter().any(|(k, v)| k == name && v.truthy())
}

/// A layer class (`IP`, `TCP`, ...): callable to build or dissect a packet.
pub struct LayerClass {
    pub def: Rc<LayerDef>,
    pub reg: Rc<Registry>,
}

impl LayerClass {
    /// The class as a value.
    pub fn value(def: &Rc<LayerDef>, reg: &Rc<Registry>) -> Value {
        native(LayerClass {
            def: def.clone(),
            reg: reg.clone(),
        })
    }

    /// `Packet`, the class every layer derives from.
    pub fn root(reg: &Rc<Registry>) -> LayerClass {
        LayerClass {
            def: crate::packet::base::packet_def(),
            reg: reg.clone(),
        }
    }

    /// Whether this is `Packet` itself.
    pub fn is_root(&self) -> bool {
        Rc::ptr_eq(&self.def, &crate::packet::base::packet_def())
    }

    /// Whether packets of class `def` are instances of this class.
    fn includes(&self, def: &LayerDef) -> bool {
        self.is_root() || def.is_a(&self.def)
    }

    /// The field objects of the class's fields (a campaign class's own objects).
    pub fn fields_desc(&self) -> Vec<Value> {
        match class_info(&self.def) {
            Some(ci) => ci.fields_desc.clone(),
            None => self
                .def
                .fields
                .iter()
                .map(|f| builtin_field_obj(f, &self.def.class_name, &self.reg))
                .collect(),
        }
    }

    /// The module the class lives in.
    fn module(&self) -> &'static str {
        if class_info(&self.def).is_some() {
            "__main__"
        } else {
            module_of(&self.def.class_name)
        }
    }

    /// `TCP.payload_guess`: the bottom-up bindings, `({field: value}, class)` each.
    fn payload_guess(&self) -> Value {
        let guesses = self.def.bindings.borrow().payload_guess.clone();
        let mut out = Vec::new();
        for g in guesses {
            let Some(upper) = g.upper.upgrade() else {
                continue;
            };
            let mut d = Dict::new();
            for (i, v) in &g.when {
                let Some(f) = self.def.fields.get(*i) else {
                    continue;
                };
                if let Ok(k) = super::super::ops::key(&Value::str(f.name.clone())) {
                    d.insert(k, to_lang(v, &self.reg));
                }
            }
            out.push(Value::tuple(vec![
                Value::Dict(Rc::new(RefCell::new(d))),
                LayerClass::value(&upper, &self.reg),
            ]));
        }
        Value::list(out)
    }
}

/// `Cls(_pkt, **fields)`: dissects `_pkt` if given, then assigns the keyword values in the
/// order of the class's fields; an unknown keyword is AttributeError.
pub fn construct(
    vm: &mut Vm<'_>,
    def: &Rc<LayerDef>,
    reg: &Rc<Registry>,
    args: Vec<Value>,
    kw: Vec<(Sym, Value)>,
) -> PResult<Value> {
    let mut pkt = args.into_iter();
    let mut data = pkt.next();
    if let Some(extra) = pkt.next() {
        let _ = extra;
        return Err(Exc::type_error(format!(
            "{}.__init__() takes from 1 to 2 positional arguments but more were given",
            def.class_name
        )));
    }
    // The keywords by field position (the engine's own keywords dropped), converted in
    // the order given; the first naming no field fails after the others.
    let mut fields = Vec::with_capacity(kw.len());
    let mut unknown = None;
    let mut values = Vec::with_capacity(kw.len());
    let mut pkt_kw = false;
    for (k, v) in kw {
        let name = vm.st.interner.name(k);
        match name {
            "_pkt" if !pkt_kw => {
                pkt_kw = true;
                data = Some(v);
            }
            "post_transform"
            | "_internal"
            | "_underlayer"
            | "_parent"
            | "stop_dissection_after" => {}
            _ => values.push((name, v)),
        }
    }
    for (name, v) in &values {
        let v = to_engine(v)?;
        match def.field_index(name) {
            Some(i) => fields.push((i, v)),
            None => {
                unknown.get_or_insert_with(|| name.to_string());
            }
        }
    }
    drop(values);
    let bytes: Option<std::borrow::Cow<'_, [u8]>> = match &data {
        None | Some(Value::None) => None,
        Some(Value::Str(s)) => Some(s.s.as_bytes().into()),
        Some(Value::Bytes(b)) => Some(b[..].into()),
        Some(v) => match bytes_like(v) {
            Some(b) => Some(b.into()),
            None => {
                return Err(Exc::type_error(format!(
                    "a bytes-like object is required, not '{}'",
                    v.type_name()
                )))
            }
        },
    };
    // A campaign's layer runs its hooks and field conversions through the interpreter.
    let r = callback::lend(vm, || match bytes {
        None => Packet::construct_at(def, fields, unknown).map_err(field_err),
        Some(b) => {
            let p = dissect(def, &b);
            apply_fields(&p, fields, unknown).map(|()| p)
        }
    });
    // As in Scapy, a packet a program makes is stamped with the time it was made.
    if let Ok(Ok(p)) = &r {
        p.set_time(crate::packet::PacketTime::now());
    }
    drain(vm);
    Ok(PacketObj::value(&r??, reg))
}

/// Whether a class attribute is the engine's `Packet.__init__` (not a campaign's own).
fn is_base_init(f: &Value) -> bool {
    downcast::<BaseHook>(f).is_some_and(|h| h.name == "__init__")
}

/// `Packet.__init__(self, _pkt, **fields)` on a packet a campaign's `__init__` is making:
/// the packet becomes what `Cls(_pkt, **fields)` gives.
pub fn init_in_place(
    vm: &mut Vm<'_>,
    this: &Value,
    args: Vec<Value>,
    kw: Vec<(Sym, Value)>,
) -> PResult<Value> {
    let Some(me) = downcast::<PacketObj>(this) else {
        return Err(Exc::type_error(format!(
            "Packet.__init__() needs a packet as self, not '{}'",
            this.type_name()
        )));
    };
    let def = me.p.def();
    let made = construct(vm, &def, &me.reg, args, kw)?;
    let Some(made) = downcast::<PacketObj>(&made) else {
        return Ok(Value::None);
    };
    busy(&me.p)?;
    let data = std::mem::replace(&mut *made.p.data_mut(), LayerData::new(&def));
    if let Some(pl) = data.payload() {
        pl.data_mut().underlayer = Rc::downgrade(&me.p.0);
    }
    let under = me.p.data().underlayer.clone();
    let mut d = me.p.data_mut();
    *d = data;
    d.underlayer = under;
    Ok(Value::None)
}

/// Assigns keyword values to a dissected packet, in the order of the class's fields; a
/// keyword naming no field fails first.
fn apply_fields(
    p: &Packet,
    mut fields: Vec<(usize, EValue)>,
    unknown: Option<String>,
) -> PResult<()> {
    if let Some(k) = unknown {
        return Err(Exc::new(ExcKind::AttributeError, k));
    }
    fields.sort_by_key(|(i, _)| *i);
    for (i, v) in fields {
        p.set_at(i, v).map_err(field_err)?;
    }
    Ok(())
}

impl NativeObject for LayerClass {
    fn type_name(&self) -> &str {
        "Packet_metaclass"
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
        (name == "__call__").then(|| self.call(vm, args, kw).unwrap_or(Ok(Value::None)))
    }
    fn repr(&self) -> String {
        format!("<class '{}.{}'>", self.module(), self.def.class_name)
    }
    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }
    fn get_attr(&self, vm: &mut Vm<'_>, this: &Value, name: &str) -> Option<PResult<Value>> {
        match name {
            "__name__" => return Some(Ok(Value::str(self.def.class_name.clone()))),
            "__module__" => return Some(Ok(Value::str(self.module()))),
            "fields_desc" => return Some(Ok(Value::list(self.fields_desc()))),
            "payload_guess" => return Some(Ok(self.payload_guess())),
            _ => {}
        }
        // A campaign class's namespace (its methods as plain functions, as in Python 3).
        if let Some(ci) = class_info(&self.def) {
            let sym = vm.st.interner.intern(name);
            if let Some(a) = ci.carrier.lookup(sym) {
                return Some(Ok(class_attr(a, this)));
            }
        }
        if name == "name" {
            return Some(Ok(Value::str(self.def.name.clone())));
        }
        // The built-in behaviour of the hooks (`Packet.guess_payload_class`).
        if let Some(hook) = HOOK_METHODS
            .iter()
            .chain(&["__init__"])
            .find(|h| **h == name)
        {
            return Some(Ok(native(BaseHook {
                def: (!self.is_root()).then(|| self.def.clone()),
                name: hook,
                reg: self.reg.clone(),
            })));
        }
        // `Disney.mickey`: the field object.
        if let Some(i) = self.def.field_index(name) {
            return self.fields_desc().get(i).cloned().map(Ok);
        }
        None
    }
    fn instance_check(&self, v: &Value) -> Option<bool> {
        Some(downcast::<PacketObj>(v).is_some_and(|p| self.includes(&p.p.def())))
    }
    fn subclass_check(&self, c: &Value) -> Option<bool> {
        Some(downcast::<LayerClass>(c).is_some_and(|c| self.includes(&c.def)))
    }
    fn call(
        &self,
        vm: &mut Vm<'_>,
        args: Vec<Value>,
        kw: Vec<(Sym, Value)>,
    ) -> Option<PResult<Value>> {
        // A campaign class with its own __init__: a blank packet, then that method (which
        // calls Packet.__init__(self, ...) to take the arguments).
        if let Some(ci) = class_info(&self.def) {
            let init = vm.st.syms.init;
            if let Some(f) = ci.carrier.lookup(init).filter(|f| !is_base_init(f)) {
                let obj = PacketObj::value(&Packet::new(&self.def), &self.reg);
                let mut a = Vec::with_capacity(args.len() + 1);
                a.push(obj.clone());
                a.extend(args);
                return Some(vm.call(&f, a, kw).and_then(|r| match r {
                    Value::None => Ok(obj),
                    other => Err(Exc::type_error(format!(
                        "__init__() should return None, not '{}'",
                        other.type_name()
                    ))),
                }));
            }
        }
        Some(construct(vm, &self.def, &self.reg, args, kw))
    }
    fn eq(&self, other: &Value) -> Option<bool> {
        Some(downcast::<LayerClass>(other).is_some_and(|o| Rc::ptr_eq(&o.def, &self.def)))
    }
    fn hash(&self) -> Option<PResult<i64>> {
        Some(Ok(Rc::as_ptr(&self.def) as usize as i64 >> 4))
    }
}

/// A packet: a handle to one layer of a chain (Scapy's reference semantics).
pub struct PacketObj {
    pub p: Packet,
    pub reg: Rc<Registry>,
    /// The layer's class when the object was made (its type name).
    cls: Rc<LayerDef>,
    /// Python attributes that are not fields (`p.comment = ...`).
    extra: RefCell<Vec<(String, Value)>>,
}

impl PacketObj {
    /// A packet as a value.
    pub fn value(p: &Packet, reg: &Rc<Registry>) -> Value {
        native(PacketObj {
            p: p.clone(),
            reg: reg.clone(),
            cls: p.def(),
            extra: RefCell::new(Vec::new()),
        })
    }
}

/// The class name a layer argument designates (a class, a name), if it is one.
fn class_name_of(v: &Value) -> Option<String> {
    if let Some(c) = downcast::<LayerClass>(v) {
        return Some(c.def.class_name.clone());
    }
    match v {
        Value::Str(s) => Some(s.s.clone()),
        _ => None,
    }
}

/// `p[cls]`, `p[cls:nb]`, `p.getlayer(...)` lookups: IndexError when absent.
pub fn layer_lookup(p: &Packet, key: &Value, nb: i64, reg: &Rc<Registry>) -> PResult<Value> {
    match find_layer(p, key, nb) {
        Some(l) => Ok(PacketObj::value(&l, reg)),
        None => {
            let name = match class_name_of(key) {
                Some(n) => n,
                None => super::super::format::repr(key)?,
            };
            Err(Exc::new(
                ExcKind::IndexError,
                format!("Layer [{name}] not found"),
            ))
        }
    }
}

fn find_layer(p: &Packet, key: &Value, nb: i64) -> Option<Packet> {
    if let Value::Int(i) = key {
        return usize::try_from(*i)
            .ok()
            .and_then(|i| p.layers().into_iter().nth(i));
    }
    let name = class_name_of(key)?;
    p.getlayer(&name, usize::try_from(nb.max(1)).unwrap_or(1))
}

/// An attribute found on a class (Python 3: functions stay plain functions).
fn class_attr(a: Value, class: &Value) -> Value {
    match &a {
        Value::Special(sp) => match &**sp {
            Special::StaticMethod(f) => f.clone(),
            Special::ClassMethod(f) => Value::Method(Rc::new(Method {
                func: f.clone(),
                receiver: class.clone(),
            })),
            _ => a,
        },
        _ => a,
    }
}

/// An attribute found on a packet's class, as the packet gives it: functions become
/// methods bound to the packet, properties are read.
fn instance_attr(
    vm: &mut Vm<'_>,
    a: Value,
    this: &Value,
    p: &Packet,
    reg: &Rc<Registry>,
) -> PResult<Value> {
    Ok(match &a {
        Value::Function(_) => Value::Method(Rc::new(Method {
            func: a,
            receiver: this.clone(),
        })),
        Value::Special(sp) => match &**sp {
            Special::StaticMethod(f) => f.clone(),
            Special::ClassMethod(f) => Value::Method(Rc::new(Method {
                func: f.clone(),
                receiver: LayerClass::value(&p.def(), reg),
            })),
            Special::Property { fget, .. } => vm.call(fget, vec![this.clone()], Vec::new())?,
            _ => a,
        },
        Value::Native(n) => n.0.bind_to(&a, this).unwrap_or(a),
        _ => a,
    })
}

const PACKET_METHODS: &[&str] = &[
    "get_field",
    "post_build",
    "guess_payload_class",
    "default_payload_class",
    "extract_padding",
    "pre_dissect",
    "do_dissect",
    "post_dissect",
    "answers",
    "hashret",
    "mysummary",
    "show",
    "show2",
    "summary",
    "sprintf",
    "strftime",
    "command",
    "hide_defaults",
    "getfieldval",
    "setfieldval",
    "decode_payload_as",
    "copy",
    "build",
    "getlayer",
    "haslayer",
    "firstlayer",
    "lastlayer",
    "add_payload",
    "remove_payload",
    "layers",
    "answers",
    "hashret",
];

fn arg<'a>(
    args: &'a [Value],
    kw: &'a [(String, Value)],
    i: usize,
    name: &str,
) -> Option<&'a Value> {
    args.get(i)
        .or_else(|| kw.iter().find(|(k, _)| k == name).map(|(_, v)| v))
}

fn need<'a>(
    args: &'a [Value],
    kw: &'a [(String, Value)],
    i: usize,
    name: &str,
    method: &str,
) -> PResult<&'a Value> {
    arg(args, kw, i, name).ok_or_else(|| {
        Exc::type_error(format!(
            "{method}() missing 1 required positional argument: '{name}'"
        ))
    })
}

fn text_arg(v: &Value, what: &str) -> PResult<String> {
    match v {
        Value::Str(s) => Ok(s.s.clone()),
        other => Err(Exc::type_error(format!(
            "{what} must be str, not {}",
            other.type_name()
        ))),
    }
}

impl PacketObj {
    fn method(
        &self,
        vm: &mut Vm<'_>,
        this: &Value,
        name: &str,
        args: Vec<Value>,
        kw: Vec<(String, Value)>,
    ) -> PResult<Value> {
        let p = &self.p;
        let reg = &self.reg;
        if HOOK_METHODS.contains(&name) {
            // The class's built-in behaviour (a campaign's own method was found before).
            return base_hook(vm, Some(&p.def()), name, this, &args, reg);
        }
        let r = match name {
            "get_field" => {
                let f = text_arg(need(&args, &kw, 0, "fld", name)?, "fld")?;
                let d = p.def();
                let Some(i) = d.field_index(&f) else {
                    return Err(Exc::with_args(ExcKind::KeyError, vec![Value::str(f)]));
                };
                LayerClass {
                    def: d,
                    reg: reg.clone(),
                }
                .fields_desc()
                .swap_remove(i)
            }
            "show" | "show2" => {
                let text = if name == "show" {
                    callback::lend(vm, || p.show())?
                } else {
                    callback::lend(vm, || p.show2())?.map_err(super::build_err)?
                };
                drain(vm);
                if flag_kw(&kw, "dump") || args.first().is_some_and(Value::truthy) {
                    Value::str(text)
                } else {
                    vm.write(&text);
                    vm.write("\n");
                    Value::None
                }
            }
            "summary" => Value::str(callback::lend(vm, || p.summary())?),
            "sprintf" | "strftime" => {
                let fmt = text_arg(need(&args, &kw, 0, "fmt", name)?, "fmt")?;
                Value::str(
                    callback::lend(vm, || p.sprintf(&fmt))?
                        .map_err(|m| Exc::new(ExcKind::Exception, m))?,
                )
            }
            "command" => Value::str(callback::lend(vm, || p.command())?),
            "hide_defaults" => {
                busy(p)?;
                callback::lend(vm, || p.hide_defaults())?;
                Value::None
            }
            "getfieldval" => {
                let f = text_arg(need(&args, &kw, 0, "attr", name)?, "attr")?;
                callback::lend(vm, || read_field(p, &f, false, reg))?
                    .ok_or_else(|| Exc::new(ExcKind::AttributeError, f.clone()))?
            }
            "setfieldval" => {
                let f = text_arg(need(&args, &kw, 0, "attr", name)?, "attr")?;
                let v = to_engine(need(&args, &kw, 1, "val", name)?)?;
                busy(p)?;
                callback::lend(vm, || p.setfieldval(&f, v))?.map_err(field_err)?;
                Value::None
            }
            "decode_payload_as" => {
                let c = need(&args, &kw, 0, "cls", name)?;
                let Some(c) = downcast::<LayerClass>(c) else {
                    return Err(Exc::type_error("decode_payload_as() needs a layer class"));
                };
                busy(p)?;
                callback::lend(vm, || p.decode_payload_as(&c.def))?.map_err(super::build_err)?;
                Value::None
            }
            "answers" => {
                let other = need(&args, &kw, 0, "other", name)?;
                let other = downcast::<PacketObj>(other)
                    .ok_or_else(|| Exc::type_error("answers() takes a packet"))?;
                let r = p.answers(&other.p);
                drain(vm);
                Value::Bool(r)
            }
            "hashret" => {
                let h = p.hashret();
                drain(vm);
                Value::bytes(h)
            }
            "copy" => PacketObj::value(&p.copy(), reg),
            "build" => Value::bytes(build(vm, p)?),
            "getlayer" => {
                let c = need(&args, &kw, 0, "cls", name)?;
                let nb = match arg(&args, &kw, 1, "nb") {
                    Some(Value::Int(n)) => *n,
                    _ => 1,
                };
                match find_layer(p, c, nb) {
                    Some(l) => PacketObj::value(&l, reg),
                    None => Value::None,
                }
            }
            "haslayer" => {
                let c = need(&args, &kw, 0, "cls", name)?;
                // The reference answers True, or 0 when the layer is absent.
                if find_layer(p, c, 1).is_some() {
                    Value::Bool(true)
                } else {
                    Value::Int(0)
                }
            }
            "firstlayer" => PacketObj::value(&p.firstlayer(), reg),
            "lastlayer" => PacketObj::value(&p.lastlayer(), reg),
            "add_payload" => {
                let q = need(&args, &kw, 0, "payload", name)?;
                let q = match q {
                    Value::Str(s) => payload_raw(reg, s.s.as_bytes())?,
                    Value::Bytes(b) => payload_raw(reg, b)?,
                    other => match downcast::<PacketObj>(other) {
                        Some(q) => q.p.clone(),
                        None => {
                            return Err(Exc::type_error(
                                "payload must be 'Packet', 'bytes' or 'str'",
                            ))
                        }
                    },
                };
                busy(p)?;
                p.add_payload(q);
                Value::None
            }
            "remove_payload" => {
                busy(p)?;
                p.remove_payload();
                Value::None
            }
            "layers" => Value::list(
                p.layers()
                    .iter()
                    .map(|l| LayerClass::value(&l.def(), reg))
                    .collect(),
            ),
            _ => return Err(Exc::new(ExcKind::AttributeError, name.to_string())),
        };
        drain(vm);
        Ok(r)
    }
}

/// A RuntimeError when the engine is working on the packet (a hook changing the packet
/// being built), instead of a conflicting borrow.
fn busy(p: &Packet) -> PResult<()> {
    let mut layer = Some(p.clone());
    while let Some(l) = layer {
        let next = match l.0.try_borrow_mut() {
            Ok(d) => d.payload().cloned(),
            Err(_) => {
                return Err(Exc::new(
                    ExcKind::RuntimeError,
                    "the packet cannot change while it is being built or shown",
                ))
            }
        };
        layer = next;
    }
    Ok(())
}

fn payload_raw(reg: &Rc<Registry>, b: &[u8]) -> PResult<Packet> {
    let raw = reg.def("Raw").map_err(field_err)?;
    Packet::construct(&raw, vec![("load".to_string(), EValue::Bytes(b.to_vec()))])
        .map_err(field_err)
}

impl NativeObject for PacketObj {
    fn type_name(&self) -> &str {
        &self.cls.class_name
    }
    fn repr(&self) -> String {
        self.p.repr()
    }
    fn str(&self) -> String {
        self.p.summary()
    }
    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }
    fn get_attr(&self, vm: &mut Vm<'_>, this: &Value, name: &str) -> Option<PResult<Value>> {
        if let Some(ci) = class_info(&self.p.def()) {
            // A campaign class: the instance's attributes, then the class's (methods bound
            // to the packet), then the fields.
            if let Some((_, v)) = self.extra.borrow().iter().find(|(k, _)| k == name) {
                return Some(Ok(v.clone()));
            }
            let sym = vm.st.interner.intern(name);
            if let Some(a) = ci.carrier.lookup(sym) {
                if !PACKET_METHODS.contains(&name) || downcast::<BaseHook>(&a).is_none() {
                    return Some(instance_attr(vm, a, this, &self.p, &self.reg));
                }
            }
        }
        match name {
            "fields" => {
                let d = self.p.data();
                let mut out = Dict::new();
                for i in d.explicit_order() {
                    if let (Some(f), Some(v)) = (d.def().fields.get(i), d.explicit(i)) {
                        if let Ok(k) = super::super::ops::key(&Value::str(f.name.clone())) {
                            out.insert(k, to_lang(v, &self.reg));
                        }
                    }
                }
                return Some(Ok(Value::Dict(Rc::new(RefCell::new(out)))));
            }
            "fields_desc" => {
                return Some(Ok(Value::list(
                    LayerClass {
                        def: self.p.def(),
                        reg: self.reg.clone(),
                    }
                    .fields_desc(),
                )))
            }
            "payload_guess" => {
                return Some(Ok(LayerClass {
                    def: self.p.def(),
                    reg: self.reg.clone(),
                }
                .payload_guess()))
            }
            "payload" => {
                return Some(Ok(match self.p.payload() {
                    Some(q) => PacketObj::value(&q, &self.reg),
                    None => native(NoPayload),
                }))
            }
            "underlayer" => {
                return Some(Ok(match self.p.underlayer() {
                    Some(q) => PacketObj::value(&q, &self.reg),
                    None => Value::None,
                }))
            }
            "name" => return Some(Ok(Value::str(self.p.def().name.clone()))),
            _ => {}
        }
        match callback::lend(vm, || read_field(&self.p, name, true, &self.reg)) {
            Ok(Some(v)) => return Some(Ok(v)),
            Ok(None) => {}
            Err(e) => return Some(Err(e)),
        }
        if let Some((_, v)) = self.extra.borrow().iter().find(|(k, _)| k == name) {
            return Some(Ok(v.clone()));
        }
        if let Some(v) = super::capture::packet_attr(&self.p, name) {
            return Some(Ok(v));
        }
        if PACKET_METHODS.contains(&name) {
            return None;
        }
        Some(Err(Exc::new(ExcKind::AttributeError, name.to_string())))
    }
    fn set_attr(&self, name: &str, value: Value) -> Option<PResult<()>> {
        let has_field = self
            .p
            .layers()
            .iter()
            .any(|l| l.data().def().field_index(name).is_some());
        if !has_field {
            if let Some(r) = super::capture::set_packet_attr(&self.p, name, &value) {
                return Some(r);
            }
            let mut extra = self.extra.borrow_mut();
            extra.retain(|(k, _)| k != name);
            extra.push((name.to_string(), value));
            return Some(Ok(()));
        }
        if let Err(e) = busy(&self.p) {
            return Some(Err(e));
        }
        Some(to_engine(&value).and_then(|v| self.p.set(name, v).map_err(field_err)))
    }
    fn del_attr(&self, name: &str) -> Option<PResult<()>> {
        {
            let mut extra = self.extra.borrow_mut();
            if let Some(i) = extra.iter().position(|(k, _)| k == name) {
                extra.remove(i);
                return Some(Ok(()));
            }
        }
        if let Err(e) = busy(&self.p) {
            return Some(Err(e));
        }
        Some(self.p.del(name).map_err(|_| {
            Exc::new(
                ExcKind::AttributeError,
                format!(
                    "'{}' object has no attribute '{}'",
                    self.cls.class_name, name
                ),
            )
        }))
    }
    fn method_names(&self) -> &'static [&'static str] {
        PACKET_METHODS
    }
    fn call_method(
        &self,
        vm: &mut Vm<'_>,
        this: &Value,
        name: &str,
        args: Vec<Value>,
        kw: Vec<(Sym, Value)>,
    ) -> Option<PResult<Value>> {
        if !PACKET_METHODS.contains(&name) {
            return None;
        }
        // A campaign class's own method of that name wins.
        if let Some(ci) = class_info(&self.p.def()) {
            let sym = vm.st.interner.intern(name);
            if let Some(a) = ci
                .carrier
                .lookup(sym)
                .filter(|a| downcast::<BaseHook>(a).is_none())
            {
                return Some(
                    instance_attr(vm, a, this, &self.p, &self.reg)
                        .and_then(|m| vm.call(&m, args, kw)),
                );
            }
        }
        let kw = kw_names(vm, kw);
        Some(self.method(vm, this, name, args, kw))
    }
    fn user_class(&self) -> Option<Rc<Class>> {
        class_info(&self.p.def()).map(|ci| ci.carrier.clone())
    }
    fn iter(&self, _this: &Value) -> Option<PResult<Value>> {
        let items = self
            .p
            .iter_set()
            .iter()
            .map(|q| PacketObj::value(q, &self.reg))
            .collect();
        Some(Ok(Value::Iterator(Rc::new(RefCell::new(IterObj {
            type_name: "generator",
            items,
            pos: 0,
        })))))
    }
    fn len(&self) -> Option<usize> {
        self.p.build().ok().map(|b| b.len())
    }
    fn contains(&self, item: &Value) -> Option<PResult<bool>> {
        Some(Ok(match class_name_of(item) {
            Some(n) => self.p.haslayer(&n),
            None => false,
        }))
    }
    fn get_item(&self, key: &Value) -> Option<PResult<Value>> {
        Some(layer_lookup(&self.p, key, 1, &self.reg))
    }
    fn eq(&self, other: &Value) -> Option<bool> {
        Some(downcast::<PacketObj>(other).is_some_and(|o| self.p.same_as(&o.p)))
    }
    fn binary(&self, op: BinOp, other: &Value, reflected: bool) -> Option<PResult<Value>> {
        match op {
            BinOp::Div => Some(self.div(other, reflected)),
            BinOp::Mul if !reflected || matches!(other, Value::Int(_)) => match other {
                Value::Int(n) => {
                    let n = usize::try_from(*n).unwrap_or(0);
                    let me = PacketObj::value(&self.p, &self.reg);
                    Some(Ok(Value::list(vec![me; n])))
                }
                _ => None,
            },
            _ => None,
        }
    }
}

impl PacketObj {
    /// `self / other` (or `other / self` when reflected).
    fn div(&self, other: &Value, reflected: bool) -> PResult<Value> {
        let other_p = match other {
            Value::Str(s) => Some(payload_raw(&self.reg, s.s.as_bytes())?),
            Value::Bytes(b) => Some(payload_raw(&self.reg, b)?),
            v => downcast::<PacketObj>(v).map(|q| q.p.clone()),
        };
        let Some(q) = other_p else {
            // The reference's messages: Packet.__div__ asks the operand for `__rdiv__`;
            // `x / packet` with a non-packet x fails without a message.
            return Err(if reflected {
                Exc::type_error("")
            } else {
                Exc::new(
                    ExcKind::AttributeError,
                    format!("'{}' object has no attribute '__rdiv__'", other.type_name()),
                )
            });
        };
        let r = if reflected {
            q.div(&self.p)
        } else {
            self.p.div(&q)
        };
        Ok(PacketObj::value(&r, &self.reg))
    }
}

/// The empty payload at the end of a chain (Scapy's NoPayload): shown as nothing, false.
pub struct NoPayload;

impl NativeObject for NoPayload {
    fn type_name(&self) -> &str {
        "NoPayload"
    }
    fn repr(&self) -> String {
        String::new()
    }
    fn truthy(&self) -> bool {
        false
    }
    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }
    fn get_attr(&self, _vm: &mut Vm<'_>, this: &Value, name: &str) -> Option<PResult<Value>> {
        match name {
            "payload" => Some(Ok(this.clone())),
            "underlayer" => Some(Ok(Value::None)),
            _ => Some(Err(Exc::new(ExcKind::AttributeError, name.to_string()))),
        }
    }
    fn len(&self) -> Option<usize> {
        Some(0)
    }
    fn contains(&self, _item: &Value) -> Option<PResult<bool>> {
        Some(Ok(false))
    }
    fn get_item(&self, key: &Value) -> Option<PResult<Value>> {
        let name = match class_name_of(key) {
            Some(n) => n,
            None => match super::super::format::repr(key) {
                Ok(n) => n,
                Err(e) => return Some(Err(e)),
            },
        };
        Some(Err(Exc::new(
            ExcKind::IndexError,
            format!("Layer [{name}] not found"),
        )))
    }
    fn eq(&self, other: &Value) -> Option<bool> {
        Some(downcast::<NoPayload>(other).is_some())
    }
}

/// A FlagsField's value (Scapy's FlagValue): an integer shown as `<Flag 18 (SA)>`, printed
/// as `SA`, compared with integers and flag strings, its bits readable by name (`f.S`).
pub struct FlagValue {
    pub v: std::cell::Cell<i128>,
    /// The layer the value was read from (its field gives the names).
    pub layer: Packet,
    pub idx: usize,
}

impl FlagValue {
    fn with_kind<T>(
        &self,
        f: impl FnOnce(&dyn crate::packet::FieldKind, &crate::packet::LayerData) -> T,
    ) -> T {
        let d = self.layer.data();
        let (kind, _) = d.def().fields[self.idx].resolve(&d);
        let kind = kind.clone();
        f(kind.as_ref(), &d)
    }

    /// The other operand as an integer (a FlagValue, an int, a bool or flag names).
    fn other_int(&self, other: &Value) -> Option<i128> {
        match other {
            Value::Int(i) => Some(i128::from(*i)),
            Value::Bool(b) => Some(i128::from(*b)),
            Value::Str(s) => self.with_kind(|k, d| {
                k.any2i(d, EValue::Str(s.s.clone()))
                    .ok()
                    .and_then(|v| v.as_int())
            }),
            v => downcast::<FlagValue>(v).map(|f| f.v.get()),
        }
    }

    fn same(&self, v: i128) -> Value {
        native(FlagValue {
            v: std::cell::Cell::new(v),
            layer: self.layer.clone(),
            idx: self.idx,
        })
    }
}

impl NativeObject for FlagValue {
    fn type_name(&self) -> &str {
        "FlagValue"
    }
    fn method_names(&self) -> &'static [&'static str] {
        // Scapy's FlagValue has __int__ but no __index__ (hex(flags) is a TypeError).
        &["__int__"]
    }
    fn call_method(
        &self,
        _vm: &mut Vm<'_>,
        _this: &Value,
        name: &str,
        _args: Vec<Value>,
        _kw: Vec<(Sym, Value)>,
    ) -> Option<PResult<Value>> {
        (name == "__int__").then(|| {
            Ok(to_lang(
                &EValue::Int(self.v.get()),
                &Rc::new(Registry::empty()),
            ))
        })
    }
    fn repr(&self) -> String {
        self.with_kind(|k, _| k.repr_internal(&EValue::Int(self.v.get())))
    }
    fn str(&self) -> String {
        self.with_kind(|k, _| k.str_internal(&EValue::Int(self.v.get())))
            .unwrap_or_else(|| self.v.get().to_string())
    }
    fn truthy(&self) -> bool {
        self.v.get() != 0
    }
    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }
    fn get_attr(&self, _vm: &mut Vm<'_>, _this: &Value, name: &str) -> Option<PResult<Value>> {
        if name == "value" {
            return Some(Ok(to_lang(
                &EValue::Int(self.v.get()),
                &Rc::new(Registry::empty()),
            )));
        }
        let bit = self.with_kind(|k, d| {
            k.any2i(d, EValue::Str(name.to_string()))
                .ok()
                .and_then(|v| v.as_int())
        });
        match bit {
            // Single-letter names match by their first letter only for one-letter names.
            Some(b) if b != 0 && (name.len() == 1 || self.str_names_multi()) => {
                Some(Ok(Value::Bool(self.v.get() & b == b)))
            }
            _ => Some(Err(Exc::new(
                ExcKind::AttributeError,
                format!("'FlagValue' object has no attribute '{name}'"),
            ))),
        }
    }
    fn set_attr(&self, name: &str, value: Value) -> Option<PResult<()>> {
        // `p.flags.S = False`: the bit changes in the value and in the packet it came from.
        let bit = self.with_kind(|k, d| {
            k.any2i(d, EValue::Str(name.to_string()))
                .ok()
                .and_then(|v| v.as_int())
        });
        let Some(bit) = bit.filter(|b| *b != 0) else {
            return Some(Err(Exc::new(
                ExcKind::AttributeError,
                format!("'FlagValue' object has no attribute '{name}'"),
            )));
        };
        let v = if value.truthy() {
            self.v.get() | bit
        } else {
            self.v.get() & !bit
        };
        let Ok(mut d) = self.layer.0.try_borrow_mut() else {
            return Some(Err(Exc::new(
                ExcKind::RuntimeError,
                "the packet cannot change while it is being built or shown",
            )));
        };
        d.set_raw(self.idx, EValue::Int(v));
        self.v.set(v);
        Some(Ok(()))
    }
    fn eq(&self, other: &Value) -> Option<bool> {
        Some(self.other_int(other) == Some(self.v.get()))
    }
    fn hash(&self) -> Option<PResult<i64>> {
        Some(Ok(self.v.get() as i64))
    }
    fn compare(&self, op: CmpOp, other: &Value) -> Option<PResult<bool>> {
        let o = self.other_int(other)?;
        let a = self.v.get();
        Some(Ok(match op {
            CmpOp::Lt => a < o,
            CmpOp::Le => a <= o,
            CmpOp::Gt => a > o,
            CmpOp::Ge => a >= o,
            CmpOp::Eq => a == o,
            CmpOp::Ne => a != o,
            _ => return None,
        }))
    }
    fn binary(&self, op: BinOp, other: &Value, reflected: bool) -> Option<PResult<Value>> {
        let o = self.other_int(other)?;
        let (a, b) = if reflected {
            (o, self.v.get())
        } else {
            (self.v.get(), o)
        };
        let int = |x: i128| to_lang(&EValue::Int(x), &Rc::new(Registry::empty()));
        Some(Ok(match op {
            BinOp::BitOr => self.same(a | b),
            BinOp::BitAnd => self.same(a & b),
            BinOp::BitXor => self.same(a ^ b),
            BinOp::Add => int(a + b),
            BinOp::Sub => int(a - b),
            BinOp::Mul => int(a * b),
            BinOp::LShift if (0..64).contains(&b) => int(a << b),
            BinOp::RShift if (0..128).contains(&b) => int(a >> b),
            _ => return None,
        }))
    }
}

impl FlagValue {
    /// Whether the names are words joined by `+` (any attribute name may match one).
    fn str_names_multi(&self) -> bool {
        self.with_kind(|k, _| {
            k.str_internal(&EValue::Int(self.v.get()))
                .is_some_and(|s| s.contains('+'))
        })
    }
}

/// `Net("198.51.100.0/30")`: a set of addresses.
pub struct NetObj(pub Rc<Net>);

impl NativeObject for NetObj {
    fn type_name(&self) -> &str {
        "Net"
    }
    fn repr(&self) -> String {
        self.0.repr()
    }
    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }
    fn iter(&self, _this: &Value) -> Option<PResult<Value>> {
        let items = (0..self.0.count.min(1 << 24))
            .map(|i| Value::str(self.0.nth(i).to_string()))
            .collect();
        Some(Ok(Value::Iterator(Rc::new(RefCell::new(IterObj {
            type_name: "generator",
            items,
            pos: 0,
        })))))
    }
    fn eq(&self, other: &Value) -> Option<bool> {
        Some(
            downcast::<NetObj>(other)
                .is_some_and(|o| o.0.start == self.0.start && o.0.count == self.0.count),
        )
    }
}

/// An IPv6 address set (`"2001:db8::/126"` in an IPv6 field).
pub struct Net6Obj(pub Rc<Net6>);

impl NativeObject for Net6Obj {
    fn type_name(&self) -> &str {
        "Net6"
    }
    fn repr(&self) -> String {
        self.0.repr()
    }
    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }
    fn iter(&self, _this: &Value) -> Option<PResult<Value>> {
        let items = (0..self.0.count().min(1 << 24))
            .map(|i| Value::str(self.0.nth(i).to_string()))
            .collect();
        Some(Ok(Value::Iterator(Rc::new(RefCell::new(IterObj {
            type_name: "generator",
            items,
            pos: 0,
        })))))
    }
    fn eq(&self, other: &Value) -> Option<bool> {
        Some(
            downcast::<Net6Obj>(other)
                .is_some_and(|o| o.0.start == self.0.start && o.0.stop == self.0.stop),
        )
    }
}

/// A random value (`RandShort()`): drawn anew at each build.
pub struct VolatileObj(pub Rc<dyn Volatile>);

impl NativeObject for VolatileObj {
    fn type_name(&self) -> &str {
        "VolatileValue"
    }
    fn repr(&self) -> String {
        self.0.repr()
    }
    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }
    fn method_names(&self) -> &'static [&'static str] {
        &["_fix", "command"]
    }
    fn call_method(
        &self,
        _vm: &mut Vm<'_>,
        _this: &Value,
        name: &str,
        _args: Vec<Value>,
        _kw: Vec<(Sym, Value)>,
    ) -> Option<PResult<Value>> {
        match name {
            "_fix" => Some(Ok(to_lang(&self.0.draw(), &Rc::new(Registry::empty())))),
            "command" => Some(Ok(Value::str(self.0.command()))),
            _ => None,
        }
    }
}

/// `conf`: the session's settings (`conf.verb`, more as features arrive).
pub struct Conf {
    attrs: RefCell<Vec<(String, Value)>>,
}

impl Conf {
    /// The defaults of the reference.
    pub fn value() -> Value {
        native(Conf {
            attrs: RefCell::new(vec![
                ("verb".to_string(), Value::Int(2)),
                ("checkIPaddr".to_string(), Value::Bool(true)),
                ("padding".to_string(), Value::Int(1)),
                ("version".to_string(), Value::str("2.8.0")),
            ]),
        })
    }
}

impl NativeObject for Conf {
    fn type_name(&self) -> &str {
        "Conf"
    }
    fn repr(&self) -> String {
        let mut attrs = self.attrs.borrow().clone();
        attrs.sort_by(|a, b| a.0.cmp(&b.0));
        attrs
            .iter()
            .map(|(k, v)| {
                let r = super::super::format::repr(v).unwrap_or_default();
                format!("{k:<10} = {r}")
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }
    fn get_attr(&self, _vm: &mut Vm<'_>, _this: &Value, name: &str) -> Option<PResult<Value>> {
        // The network settings live with the session's network state.
        if let Some(v) = super::net::conf_attr(name) {
            return Some(v);
        }
        let found = self
            .attrs
            .borrow()
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone());
        Some(found.ok_or_else(|| {
            Exc::new(
                ExcKind::AttributeError,
                format!("'Conf' object has no attribute '{name}'"),
            )
        }))
    }
    fn set_attr(&self, name: &str, value: Value) -> Option<PResult<()>> {
        if let Some(Err(e)) = super::net::set_conf_attr(name, &value) {
            return Some(Err(e));
        }
        let mut attrs = self.attrs.borrow_mut();
        match attrs.iter_mut().find(|(k, _)| k == name) {
            Some(slot) => slot.1 = value,
            None => attrs.push((name.to_string(), value)),
        }
        Some(Ok(()))
    }
}

/// An address-like number for function reprs.
pub fn obj_addr<T>(o: &T) -> usize {
    addr(o)
}
