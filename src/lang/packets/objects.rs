//! The native objects of the packet bridge: layer classes, packets, the empty payload, flag
//! values, networks and random values.

use std::cell::RefCell;
use std::rc::Rc;

use crate::packet::sets::{Net, Net6};
use crate::packet::value::Volatile;
use crate::packet::{dissect, LayerDef, Packet, Registry, Value as EValue};

use super::super::ast::{BinOp, CmpOp, Sym};
use super::super::exceptions::{Exc, ExcKind, PResult};
use super::super::interp::Vm;
use super::super::objects::{addr, bytes_like, downcast, native};
use super::super::value::{IterObj, NativeObject, Value};
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
    let mut kw = kw_names(vm, kw);
    let mut pkt = args.into_iter();
    let mut data = pkt.next();
    if let Some(extra) = pkt.next() {
        let _ = extra;
        return Err(Exc::type_error(format!(
            "{}.__init__() takes from 1 to 2 positional arguments but more were given",
            def.class_name
        )));
    }
    if let Some(i) = kw.iter().position(|(k, _)| k == "_pkt") {
        data = Some(kw.remove(i).1);
    }
    kw.retain(|(k, _)| {
        !matches!(
            k.as_str(),
            "post_transform" | "_internal" | "_underlayer" | "_parent" | "stop_dissection_after"
        )
    });
    let mut fields = Vec::with_capacity(kw.len());
    for (k, v) in &kw {
        fields.push((k.clone(), to_engine(v)?));
    }
    let bytes = match &data {
        None | Some(Value::None) => None,
        Some(Value::Str(s)) => Some(s.s.as_bytes().to_vec()),
        Some(v) => match bytes_like(v) {
            Some(b) => Some(b),
            None => {
                return Err(Exc::type_error(format!(
                    "a bytes-like object is required, not '{}'",
                    v.type_name()
                )))
            }
        },
    };
    let r = match bytes {
        None => Packet::construct(def, fields).map_err(field_err),
        Some(b) => {
            let p = dissect(def, &b);
            apply_fields(&p, def, fields).map(|()| p)
        }
    };
    drain(vm);
    Ok(PacketObj::value(&r?, reg))
}

fn apply_fields(p: &Packet, def: &Rc<LayerDef>, fields: Vec<(String, EValue)>) -> PResult<()> {
    if let Some((k, _)) = fields.iter().find(|(k, _)| def.field_index(k).is_none()) {
        return Err(Exc::new(ExcKind::AttributeError, k.clone()));
    }
    let mut fields: Vec<Option<(String, EValue)>> = fields.into_iter().map(Some).collect();
    for f in &def.fields {
        for slot in fields.iter_mut() {
            if slot.as_ref().is_some_and(|(k, _)| *k == f.name) {
                if let Some((k, v)) = slot.take() {
                    p.set(&k, v).map_err(field_err)?;
                }
            }
        }
    }
    Ok(())
}

impl NativeObject for LayerClass {
    fn type_name(&self) -> &str {
        "Packet_metaclass"
    }
    fn repr(&self) -> String {
        format!(
            "<class '{}.{}'>",
            module_of(&self.def.class_name),
            self.def.class_name
        )
    }
    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }
    fn get_attr(&self, _vm: &mut Vm<'_>, _this: &Value, name: &str) -> Option<PResult<Value>> {
        match name {
            "__name__" => Some(Ok(Value::str(self.def.class_name.clone()))),
            "__module__" => Some(Ok(Value::str(module_of(&self.def.class_name)))),
            _ => None,
        }
    }
    fn call(
        &self,
        vm: &mut Vm<'_>,
        args: Vec<Value>,
        kw: Vec<(Sym, Value)>,
    ) -> Option<PResult<Value>> {
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
    cls: String,
    /// Python attributes that are not fields (`p.comment = ...`).
    extra: RefCell<Vec<(String, Value)>>,
}

impl PacketObj {
    /// A packet as a value.
    pub fn value(p: &Packet, reg: &Rc<Registry>) -> Value {
        native(PacketObj {
            p: p.clone(),
            reg: reg.clone(),
            cls: p.class_name(),
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

const PACKET_METHODS: &[&str] = &[
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
        name: &str,
        args: Vec<Value>,
        kw: Vec<(String, Value)>,
    ) -> PResult<Value> {
        let p = &self.p;
        let reg = &self.reg;
        let r = match name {
            "show" | "show2" => {
                let text = if name == "show" {
                    p.show()
                } else {
                    p.show2().map_err(super::build_err)?
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
            "summary" => Value::str(p.summary()),
            "sprintf" | "strftime" => {
                let fmt = text_arg(need(&args, &kw, 0, "fmt", name)?, "fmt")?;
                Value::str(
                    p.sprintf(&fmt)
                        .map_err(|m| Exc::new(ExcKind::Exception, m))?,
                )
            }
            "command" => Value::str(p.command()),
            "hide_defaults" => {
                p.hide_defaults();
                Value::None
            }
            "getfieldval" => {
                let f = text_arg(need(&args, &kw, 0, "attr", name)?, "attr")?;
                read_field(p, &f, false, reg)
                    .ok_or_else(|| Exc::new(ExcKind::AttributeError, f.clone()))?
            }
            "setfieldval" => {
                let f = text_arg(need(&args, &kw, 0, "attr", name)?, "attr")?;
                let v = to_engine(need(&args, &kw, 1, "val", name)?)?;
                p.setfieldval(&f, v).map_err(field_err)?;
                Value::None
            }
            "decode_payload_as" => {
                let c = need(&args, &kw, 0, "cls", name)?;
                let Some(c) = downcast::<LayerClass>(c) else {
                    return Err(Exc::type_error("decode_payload_as() needs a layer class"));
                };
                p.decode_payload_as(&c.def).map_err(super::build_err)?;
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
                p.add_payload(q);
                Value::None
            }
            "remove_payload" => {
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

fn payload_raw(reg: &Rc<Registry>, b: &[u8]) -> PResult<Packet> {
    let raw = reg.def("Raw").map_err(field_err)?;
    Packet::construct(&raw, vec![("load".to_string(), EValue::Bytes(b.to_vec()))])
        .map_err(field_err)
}

impl NativeObject for PacketObj {
    fn type_name(&self) -> &str {
        &self.cls
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
    fn get_attr(&self, _vm: &mut Vm<'_>, _this: &Value, name: &str) -> Option<PResult<Value>> {
        match name {
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
        if let Some(v) = read_field(&self.p, name, true, &self.reg) {
            return Some(Ok(v));
        }
        if let Some((_, v)) = self.extra.borrow().iter().find(|(k, _)| k == name) {
            return Some(Ok(v.clone()));
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
            let mut extra = self.extra.borrow_mut();
            extra.retain(|(k, _)| k != name);
            extra.push((name.to_string(), value));
            return Some(Ok(()));
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
        Some(self.p.del(name).map_err(|_| {
            Exc::new(
                ExcKind::AttributeError,
                format!("'{}' object has no attribute '{}'", self.cls, name),
            )
        }))
    }
    fn method_names(&self) -> &'static [&'static str] {
        PACKET_METHODS
    }
    fn call_method(
        &self,
        vm: &mut Vm<'_>,
        _this: &Value,
        name: &str,
        args: Vec<Value>,
        kw: Vec<(Sym, Value)>,
    ) -> Option<PResult<Value>> {
        if !PACKET_METHODS.contains(&name) {
            return None;
        }
        let kw = kw_names(vm, kw);
        Some(self.method(vm, name, args, kw))
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
    pub v: i128,
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
            v => downcast::<FlagValue>(v).map(|f| f.v),
        }
    }

    fn same(&self, v: i128) -> Value {
        native(FlagValue {
            v,
            layer: self.layer.clone(),
            idx: self.idx,
        })
    }
}

impl NativeObject for FlagValue {
    fn type_name(&self) -> &str {
        "FlagValue"
    }
    fn repr(&self) -> String {
        self.with_kind(|k, _| k.repr_internal(&EValue::Int(self.v)))
    }
    fn str(&self) -> String {
        self.with_kind(|k, _| k.str_internal(&EValue::Int(self.v)))
            .unwrap_or_else(|| self.v.to_string())
    }
    fn truthy(&self) -> bool {
        self.v != 0
    }
    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }
    fn get_attr(&self, _vm: &mut Vm<'_>, _this: &Value, name: &str) -> Option<PResult<Value>> {
        if name == "value" {
            return Some(Ok(to_lang(
                &EValue::Int(self.v),
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
                Some(Ok(Value::Bool(self.v & b == b)))
            }
            _ => Some(Err(Exc::new(
                ExcKind::AttributeError,
                format!("'FlagValue' object has no attribute '{name}'"),
            ))),
        }
    }
    fn eq(&self, other: &Value) -> Option<bool> {
        Some(self.other_int(other) == Some(self.v))
    }
    fn hash(&self) -> Option<PResult<i64>> {
        Some(Ok(self.v as i64))
    }
    fn compare(&self, op: CmpOp, other: &Value) -> Option<PResult<bool>> {
        let o = self.other_int(other)?;
        let a = self.v;
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
        let (a, b) = if reflected { (o, self.v) } else { (self.v, o) };
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
            k.str_internal(&EValue::Int(self.v))
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
