//! The field constructor registry: `field_from_spec("ByteEnumField", args)` builds the
//! [`FieldDef`] that `ByteEnumField("type", 8, {8: "echo"})` in a campaign's `fields_desc`
//! denotes, with Scapy 2.8's constructor signatures (positional and keyword arguments,
//! defaults, containers such as ConditionalField and PadField).
//!
//! The language bridge turns interpreter values into [`Arg`]s: plain data as [`Arg::Val`],
//! dicts as [`Arg::Map`], lambdas as [`Arg::Func`] (called with the layer when Scapy passes
//! `pkt`, and with the other arguments as values), nested fields as [`Arg::Field`], packet
//! classes as [`Arg::Class`].

use std::borrow::Cow;
use std::fmt;
use std::rc::Rc;

use super::field::{FieldDef, FieldKind};
use super::fields::{
    count_of_with, length_of_with, payload_len, AdjustFn, DependsFn, EnumNames, FieldListField,
    FlagNames, IpField, LengthFn, MacField, Num, NumDisplay, PacketField, PacketListField,
    PadField, PktCls, StrField, StrLen, Width,
};
use super::kinds::{
    ActionField, BcdFloatField, CharEnumField, DictNames, FixedPointField, FloatField,
    IcmpTimeStampField, Ip6Field, IpOptionsField, TermStrField,
};
use super::layer::LayerDef;
use super::packet::LayerData;
use super::value::Value;

/// A callable argument: called with the layer (`Some`) when Scapy passes `pkt`, and the
/// other arguments (`adjust`'s length, a dispatcher's bytes).
pub type ArgFn = Rc<dyn Fn(Option<&LayerData>, &[Value]) -> Result<Value, String>>;

/// One constructor argument.
#[derive(Clone)]
pub enum Arg {
    /// Plain data: ints, floats, bytes, str, None, lists and tuples of them.
    Val(Value),
    /// A dict (enum tables, MultiEnumField's table of tables).
    Map(Vec<(Value, Arg)>),
    /// A function (`length_from`, `count_from`, `adjust`, a condition, `depends_on`).
    Func(ArgFn),
    /// A field (the argument of ConditionalField, PadField, FieldListField...).
    Field(FieldDef),
    /// A packet class (PacketField's `pkt_cls`).
    Class(Rc<LayerDef>),
    /// A list holding functions, fields or classes (MultipleTypeField's alternatives).
    List(Vec<Arg>),
    /// A tuple holding functions, fields or classes (`(field, cond)`, enum callbacks).
    Tuple(Vec<Arg>),
}

impl fmt::Debug for Arg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Arg::Val(v) => write!(f, "{v:?}"),
            Arg::Map(m) => write!(f, "<dict of {}>", m.len()),
            Arg::Func(_) => f.write_str("<function>"),
            Arg::Field(d) => write!(f, "<{} {}>", d.kind.class_name(), d.name),
            Arg::Class(c) => write!(f, "<class {}>", c.class_name),
            Arg::List(l) => write!(f, "{l:?}"),
            Arg::Tuple(t) => write!(f, "tuple{t:?}"),
        }
    }
}

/// An argument's type as Python's messages name it (`'int'`, `None`).
fn what<'a>(a: impl Into<Option<&'a Arg>>) -> String {
    let Some(a) = a.into() else {
        return "None".to_string();
    };
    let t = match a {
        Arg::Val(v) => match v {
            Value::None => return "None".to_string(),
            Value::Int(_) => "int",
            Value::Float(_) => "float",
            Value::Str(_) => "str",
            Value::Bytes(_) => "bytes",
            Value::List(_) => "list",
            Value::Tuple(_) => "tuple",
            Value::Packet(_) => return "a packet".to_string(),
            Value::Class(_) => return "a packet class".to_string(),
            _ => return v.py_repr(),
        },
        Arg::Map(_) => "dict",
        Arg::Func(_) => "function",
        Arg::Field(f) => return format!("a field ({})", f.kind.class_name()),
        Arg::Class(_) => return "a packet class".to_string(),
        Arg::List(_) => "list",
        Arg::Tuple(_) => "tuple",
    };
    format!("'{t}'")
}

impl From<Value> for Arg {
    fn from(v: Value) -> Arg {
        Arg::Val(v)
    }
}

/// The arguments of a constructor call: positional, then keyword.
#[derive(Clone, Debug, Default)]
pub struct Args {
    /// Positional arguments, in order.
    pub positional: Vec<Arg>,
    /// Keyword arguments, in order.
    pub keyword: Vec<(String, Arg)>,
}

impl Args {
    /// Positional arguments only.
    pub fn pos(positional: Vec<Arg>) -> Args {
        Args {
            positional,
            keyword: Vec::new(),
        }
    }

    /// Adds a keyword argument (builder style).
    pub fn kw(mut self, name: &str, a: impl Into<Arg>) -> Args {
        self.keyword.push((name.to_string(), a.into()));
        self
    }
}

/// Why a field could not be constructed, as Python would say it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SpecError {
    /// No field class of that name (NameError).
    UnknownClass(String),
    /// Wrong arguments (TypeError).
    Type(String),
    /// A value the class cannot take (ValueError).
    Value(String),
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SpecError::UnknownClass(c) => write!(f, "name '{c}' is not defined"),
            SpecError::Type(m) | SpecError::Value(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for SpecError {}

/// The arguments bound to a signature.
struct Bound {
    class: String,
    slots: Vec<(&'static str, Option<Arg>)>,
    extra_kw: Vec<(String, Arg)>,
}

impl Bound {
    fn get(&self, name: &str) -> Option<&Arg> {
        self.slots
            .iter()
            .find(|(n, _)| *n == name)
            .and_then(|(_, a)| a.as_ref())
            .filter(|a| !matches!(a, Arg::Val(Value::None)))
    }

    fn present(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    fn val(&self, name: &str) -> Value {
        match self.get(name) {
            Some(Arg::Val(v)) => v.clone(),
            _ => Value::None,
        }
    }

    fn name(&self) -> Result<String, SpecError> {
        match self.get("name") {
            Some(Arg::Val(Value::Str(s))) => Ok(s.clone()),
            _ => Err(SpecError::Value("name should be a string".into())),
        }
    }

    fn int(&self, name: &str) -> Result<i128, SpecError> {
        match self.get(name) {
            Some(Arg::Val(Value::Int(i))) => Ok(*i),
            other => Err(SpecError::Type(format!(
                "{}(): {name} must be an integer, not {}",
                self.class,
                what(other)
            ))),
        }
    }

    fn opt_int(&self, name: &str) -> Result<Option<i128>, SpecError> {
        if self.present(name) {
            self.int(name).map(Some)
        } else {
            Ok(None)
        }
    }

    fn text(&self, name: &str, default: &str) -> Result<String, SpecError> {
        match self.get(name) {
            None => Ok(default.to_string()),
            Some(Arg::Val(Value::Str(s))) => Ok(s.clone()),
            Some(Arg::Val(Value::Bytes(b))) => Ok(String::from_utf8_lossy(b).into_owned()),
            Some(other) => Err(SpecError::Type(format!(
                "{}(): {name} must be a str, not {}",
                self.class,
                what(other)
            ))),
        }
    }

    fn bytes(&self, name: &str) -> Result<Vec<u8>, SpecError> {
        match self.get(name) {
            Some(Arg::Val(Value::Bytes(b))) => Ok(b.clone()),
            Some(Arg::Val(Value::Str(s))) => Ok(s.as_bytes().to_vec()),
            other => Err(SpecError::Type(format!(
                "{}(): {name} must be bytes, not {}",
                self.class,
                what(other)
            ))),
        }
    }

    fn func(&self, name: &str) -> Result<Option<ArgFn>, SpecError> {
        match self.get(name) {
            None => Ok(None),
            Some(Arg::Func(f)) => Ok(Some(f.clone())),
            Some(other) => Err(SpecError::Type(format!(
                "{}(): {name} must be callable, not {}",
                self.class,
                what(other)
            ))),
        }
    }

    fn field(&self, name: &str) -> Result<FieldDef, SpecError> {
        match self.get(name) {
            Some(Arg::Field(f)) => Ok(f.clone()),
            other => Err(SpecError::Type(format!(
                "{}(): {name} must be a field, not {}",
                self.class,
                what(other)
            ))),
        }
    }
}

/// Binds arguments to the class's signature ([`signature`]).
fn bind(class: &str, args: Args) -> Result<Bound, SpecError> {
    let Signature {
        params,
        required,
        var_kw,
    } = signature(class).ok_or_else(|| SpecError::UnknownClass(class.to_string()))?;
    if args.positional.len() > params.len() {
        return Err(SpecError::Type(format!(
            "{class}.__init__() takes {} positional arguments but {} were given",
            params.len() + 1,
            args.positional.len() + 1
        )));
    }
    let mut slots: Vec<(&'static str, Option<Arg>)> = params.iter().map(|p| (*p, None)).collect();
    for (slot, a) in slots.iter_mut().zip(args.positional) {
        slot.1 = Some(a);
    }
    let mut extra_kw = Vec::new();
    for (k, a) in args.keyword {
        match slots.iter_mut().find(|(n, _)| *n == k) {
            Some(slot) if slot.1.is_some() => {
                return Err(SpecError::Type(format!(
                    "{class}.__init__() got multiple values for argument '{k}'"
                )))
            }
            Some(slot) => slot.1 = Some(a),
            None if var_kw => extra_kw.push((k, a)),
            None => {
                return Err(SpecError::Type(format!(
                    "{class}.__init__() got an unexpected keyword argument '{k}'"
                )))
            }
        }
    }
    let missing: Vec<String> = slots[..required]
        .iter()
        .filter(|(_, a)| a.is_none())
        .map(|(n, _)| format!("'{n}'"))
        .collect();
    if !missing.is_empty() {
        let n = missing.len();
        let list = match missing.as_slice() {
            [one] => one.clone(),
            [init @ .., last] => format!("{} and {last}", init.join(", ")),
            [] => String::new(),
        };
        return Err(SpecError::Type(format!(
            "{class}.__init__() missing {n} required positional argument{}: {list}",
            if n > 1 { "s" } else { "" }
        )));
    }
    Ok(Bound {
        class: class.to_string(),
        slots,
        extra_kw,
    })
}

/// A `length_from`/`count_from`/`depends_on` callable as the engine calls it.
fn pkt_int(f: ArgFn) -> LengthFn {
    Rc::new(move |l: &LayerData| match f(Some(l), &[]) {
        Ok(Value::Int(i)) => i,
        Ok(Value::Float(x)) => x as i128,
        Ok(Value::None) | Ok(_) => 0,
        Err(e) => {
            super::log::log_warning(e);
            0
        }
    })
}

fn pkt_cond(f: ArgFn) -> impl Fn(&LayerData) -> bool + 'static {
    move |l: &LayerData| match f(Some(l), &[]) {
        Ok(v) => v.truthy(),
        Err(e) => {
            super::log::log_warning(e);
            false
        }
    }
}

/// An enum table from a dict (`{1: "one"}` or `{"one": 1}`), a list (index → name), or a
/// tuple of callbacks `(i2s, s2i)`.
fn enum_names(class: &str, a: Option<&Arg>) -> Result<Rc<dyn EnumNames>, SpecError> {
    match a {
        Some(Arg::Map(pairs)) => {
            let mut out = Vec::with_capacity(pairs.len());
            let flip = pairs.iter().any(|(k, _)| matches!(k, Value::Str(_)));
            for (k, v) in pairs {
                let v = match v {
                    Arg::Val(v) => v,
                    other => {
                        return Err(SpecError::Type(format!(
                            "{class}(): enum values must be plain, not {}",
                            what(other)
                        )))
                    }
                };
                let (num, name) = if flip { (v, k) } else { (k, v) };
                let num = num.as_int().ok_or_else(|| {
                    SpecError::Type(format!(
                        "{class}(): enum key {} is not an integer",
                        num.py_repr()
                    ))
                })?;
                let name = match name {
                    Value::Str(s) => s.clone(),
                    other => other.py_repr(),
                };
                out.push((num, name));
            }
            Ok(Rc::new(DictNames::new(out)))
        }
        Some(Arg::Val(Value::List(items))) => Ok(Rc::new(DictNames::new(
            items.iter().enumerate().map(|(i, v)| {
                (
                    i as i128,
                    match v {
                        Value::Str(s) => s.clone(),
                        other => other.py_repr(),
                    },
                )
            }),
        ))),
        Some(Arg::Tuple(t)) => match t.as_slice() {
            [Arg::Func(i2s), Arg::Func(s2i)] => Ok(Rc::new(CallbackNames {
                i2s: i2s.clone(),
                s2i: s2i.clone(),
            })),
            _ => Err(SpecError::Type(format!(
                "{class}(): an enum tuple is (i2s callable, s2i callable)"
            ))),
        },
        None => Ok(Rc::new(DictNames::default())),
        Some(other) => Err(SpecError::Type(format!(
            "{class}(): enum must be a dict, a list or a tuple of callables, not {}",
            what(other)
        ))),
    }
}

/// Enum names computed by callables (`(i2s_cb, s2i_cb)`).
struct CallbackNames {
    i2s: ArgFn,
    s2i: ArgFn,
}

impl EnumNames for CallbackNames {
    fn name(&self, v: i128) -> Option<Cow<'_, str>> {
        match (self.i2s)(None, &[Value::Int(v)]) {
            Ok(Value::Str(s)) => Some(Cow::Owned(s)),
            _ => None,
        }
    }
    fn value(&self, name: &str) -> Option<i128> {
        (self.s2i)(None, &[Value::Str(name.to_string())])
            .ok()
            .and_then(|v| v.as_int())
    }
}

fn flag_names(class: &str, a: Option<&Arg>) -> Result<FlagNames, SpecError> {
    match a {
        Some(Arg::Val(Value::Str(s))) => Ok(FlagNames {
            names: s.chars().map(String::from).collect(),
            multi: false,
        }),
        Some(Arg::Val(Value::List(items))) => Ok(FlagNames {
            names: items
                .iter()
                .map(|v| match v {
                    Value::Str(s) => s.clone(),
                    other => other.py_repr(),
                })
                .collect(),
            multi: true,
        }),
        other => Err(SpecError::Type(format!(
            "{class}(): names must be a str or a list of str, not {}",
            what(other)
        ))),
    }
}

fn adjust_fn(f: Option<ArgFn>, with_pkt: bool) -> AdjustFn {
    match f {
        None => Rc::new(|_: &LayerData, x| x),
        Some(f) => Rc::new(move |l: &LayerData, x| {
            let r = if with_pkt {
                f(Some(l), &[Value::Int(x)])
            } else {
                f(None, &[Value::Int(x)])
            };
            match r {
                Ok(v) => v.as_int().unwrap_or(x),
                Err(e) => {
                    super::log::log_warning(e);
                    x
                }
            }
        }),
    }
}

fn pkt_cls(class: &str, a: Option<&Arg>) -> Result<PktCls, SpecError> {
    match a {
        Some(Arg::Class(c)) => Ok(PktCls::Class(c.clone())),
        Some(Arg::Func(f)) => {
            let f = f.clone();
            Ok(PktCls::Call(Rc::new(move |b: &[u8]| {
                match f(None, &[Value::Bytes(b.to_vec())]) {
                    Ok(Value::Packet(p)) => Some(p),
                    Ok(_) => None,
                    Err(e) => {
                        super::log::log_warning(e);
                        None
                    }
                }
            })))
        }
        other => Err(SpecError::Type(format!(
            "{class}(): pkt_cls must be a packet class or a callable, not {}",
            what(other)
        ))),
    }
}

/// `next_cls_cb(pkt, lst, cur, remain)` as the engine calls it: the callable gets the
/// elements so far as a list of packets, the last one (or None) and the bytes left, and
/// returns a packet class or None.
fn next_cls_fn(f: ArgFn) -> super::fields::NextClsFn {
    Rc::new(
        move |l: &LayerData, lst: &[super::packet::Packet], cur, remain: &[u8]| {
            let args = [
                Value::List(lst.iter().cloned().map(Value::Packet).collect()),
                cur.map_or(Value::None, |p: &super::packet::Packet| {
                    Value::Packet(p.clone())
                }),
                Value::Bytes(remain.to_vec()),
            ];
            match f(Some(l), &args) {
                Ok(Value::Class(c)) => Some(c),
                Ok(_) => None,
                Err(e) => {
                    super::log::log_warning(e);
                    None
                }
            }
        },
    )
}

/// A layer definition with no fields, for converting defaults (Scapy's `any2i(None, x)`).
fn blank_layer() -> LayerData {
    LayerData::new(&super::base::packet_def())
}

fn make(name: String, kind: Rc<dyn FieldKind>, default: Value) -> Result<FieldDef, SpecError> {
    let blank = blank_layer();
    let conv = match default {
        Value::None if kind.class_name() != "ICMPTimeStampField" => Value::None,
        v => kind
            .any2i(&blank, v)
            .map_err(|e| SpecError::Value(e.to_string()))?,
    };
    Ok(FieldDef::new(&name, kind, conv))
}

fn num(class: &str, width: Width, display: NumDisplay) -> Num {
    Num::new(class, width, display)
}

/// `(width in bytes, signed, little-endian, hex)` of the fixed-size integer classes.
fn int_class(class: &str) -> Option<(u8, bool, bool, bool)> {
    Some(match class {
        "ByteField" => (1, false, false, false),
        "XByteField" => (1, false, false, true),
        "SignedByteField" => (1, true, false, false),
        "ShortField" => (2, false, false, false),
        "XShortField" => (2, false, false, true),
        "SignedShortField" => (2, true, false, false),
        "LEShortField" => (2, false, true, false),
        "XLEShortField" => (2, false, true, true),
        "LESignedShortField" => (2, true, true, false),
        "ThreeBytesField" => (3, false, false, false),
        "X3BytesField" => (3, false, false, true),
        "LEThreeBytesField" => (3, false, true, false),
        "XLE3BytesField" => (3, false, true, true),
        "IntField" => (4, false, false, false),
        "XIntField" => (4, false, false, true),
        "SignedIntField" => (4, true, false, false),
        "LEIntField" => (4, false, true, false),
        "XLEIntField" => (4, false, true, true),
        "LESignedIntField" => (4, true, true, false),
        "LongField" => (8, false, false, false),
        "XLongField" => (8, false, false, true),
        "SignedLongField" => (8, true, false, false),
        "LELongField" => (8, false, true, false),
        "XLELongField" => (8, false, true, true),
        "LESignedLongField" => (8, true, true, false),
        _ => return None,
    })
}

/// `(width, signed, little-endian, hex)` of the fixed-size enum classes.
fn enum_class(class: &str) -> Option<(u8, bool, bool, bool)> {
    Some(match class {
        "ByteEnumField" => (1, false, false, false),
        "XByteEnumField" => (1, false, false, true),
        "ShortEnumField" => (2, false, false, false),
        "XShortEnumField" => (2, false, false, true),
        "LEShortEnumField" => (2, false, true, false),
        "IntEnumField" => (4, false, false, false),
        "SignedIntEnumField" => (4, true, false, false),
        "LEIntEnumField" => (4, false, true, false),
        "XLEIntEnumField" => (4, false, true, true),
        "LongEnumField" => (8, false, false, false),
        "LELongEnumField" => (8, false, true, false),
        _ => return None,
    })
}

/// `(width in bytes, signed, little-endian, hex)` of the fixed-size integer and enum
/// classes (`ShortField`, `LEIntEnumField`...): how their values pack.
pub fn int_layout(class_name: &str) -> Option<(u8, bool, bool, bool)> {
    int_class(class_name).or_else(|| enum_class(class_name))
}

/// Every field class name [`field_from_spec`] knows.
pub const FIELD_CLASSES: &[&str] = &[
    "Field",
    "ByteField",
    "XByteField",
    "SignedByteField",
    "ShortField",
    "XShortField",
    "SignedShortField",
    "LEShortField",
    "XLEShortField",
    "LESignedShortField",
    "ThreeBytesField",
    "X3BytesField",
    "LEThreeBytesField",
    "XLE3BytesField",
    "IntField",
    "XIntField",
    "SignedIntField",
    "LEIntField",
    "XLEIntField",
    "LESignedIntField",
    "LongField",
    "XLongField",
    "SignedLongField",
    "LELongField",
    "XLELongField",
    "LESignedLongField",
    "IEEEFloatField",
    "IEEEDoubleField",
    "BCDFloatField",
    "BitField",
    "XBitField",
    "BitFieldLenField",
    "FixedPointField",
    "TimeStampField",
    "ICMPTimeStampField",
    "FlagsField",
    "EnumField",
    "ByteEnumField",
    "XByteEnumField",
    "ShortEnumField",
    "XShortEnumField",
    "LEShortEnumField",
    "IntEnumField",
    "SignedIntEnumField",
    "LEIntEnumField",
    "XLEIntEnumField",
    "LongEnumField",
    "LELongEnumField",
    "BitEnumField",
    "CharEnumField",
    "MultiEnumField",
    "LenField",
    "FieldLenField",
    "LEFieldLenField",
    "StrField",
    "XStrField",
    "StrNullField",
    "StrStopField",
    "StrFixedLenField",
    "XStrFixedLenField",
    "StrLenField",
    "XStrLenField",
    "PacketField",
    "PacketLenField",
    "PacketListField",
    "FieldListField",
    "IPField",
    "SourceIPField",
    "DestIPField",
    "IP6Field",
    "SourceIP6Field",
    "DestIP6Field",
    "MACField",
    "DestMACField",
    "SourceMACField",
    "ARPSourceMACField",
    "IPOptionsField",
    "TCPOptionsField",
    "Emph",
    "ActionField",
    "ConditionalField",
    "PadField",
    "MayEnd",
    "MultipleTypeField",
];

/// Builds the field `class_name(*args)` denotes, as Scapy 2.8's constructor would.
/// A constructor's parameters as Scapy 2.8 declares them.
#[derive(Clone, Copy, Debug)]
pub struct Signature {
    /// The parameters, in positional order.
    pub params: &'static [&'static str],
    /// How many of them are required.
    pub required: usize,
    /// Whether other keyword arguments are accepted (`**kwargs`).
    pub var_kw: bool,
}

/// The constructor signature of a field class [`field_from_spec`] knows.
pub fn signature(class_name: &str) -> Option<Signature> {
    if int_class(class_name).is_some() {
        return Some(Signature {
            params: &["name", "default"],
            required: 2,
            var_kw: false,
        });
    }
    if enum_class(class_name).is_some() {
        return Some(Signature {
            params: &["name", "default", "enum"],
            required: 3,
            var_kw: false,
        });
    }
    let (params, required, var_kw): (&'static [&'static str], usize, bool) = match class_name {
        "Field" => (&["name", "default", "fmt"], 2, false),
        "IEEEFloatField" | "IEEEDoubleField" => (&["name", "default"], 2, false),
        "BCDFloatField" => (&["name", "default"], 2, false),
        "BitField" | "XBitField" => (
            &["name", "default", "size", "tot_size", "end_tot_size"],
            3,
            false,
        ),
        "BitFieldLenField" => (
            &[
                "name",
                "default",
                "size",
                "length_of",
                "count_of",
                "adjust",
                "tot_size",
                "end_tot_size",
            ],
            3,
            false,
        ),
        "FixedPointField" => (&["name", "default", "size", "frac_bits"], 3, false),
        "TimeStampField" => (&["name", "default"], 2, false),
        "ICMPTimeStampField" => (&["name", "default"], 2, false),
        "FlagsField" => (
            &[
                "name",
                "default",
                "size",
                "names",
                "tot_size",
                "end_tot_size",
            ],
            4,
            false,
        ),
        "EnumField" => (&["name", "default", "enum", "fmt"], 3, false),
        "BitEnumField" => (
            &[
                "name",
                "default",
                "size",
                "enum",
                "tot_size",
                "end_tot_size",
            ],
            4,
            false,
        ),
        "CharEnumField" => (&["name", "default", "enum", "fmt"], 3, false),
        "MultiEnumField" => (&["name", "default", "enum", "depends_on", "fmt"], 4, false),
        "LenField" => (&["name", "default", "fmt", "adjust"], 2, false),
        "FieldLenField" | "LEFieldLenField" => (
            &["name", "default", "length_of", "fmt", "count_of", "adjust"],
            2,
            false,
        ),
        "StrField" | "XStrField" => (&["name", "default", "fmt", "remain"], 2, false),
        "StrNullField" => (&["name", "default"], 2, false),
        "StrStopField" => (&["name", "default", "stop", "additional"], 3, false),
        "StrFixedLenField" | "XStrFixedLenField" => {
            (&["name", "default", "length", "length_from"], 2, false)
        }
        "StrLenField" | "XStrLenField" => {
            (&["name", "default", "length_from", "max_length"], 2, false)
        }
        "PacketField" => (&["name", "default", "pkt_cls"], 3, false),
        "PacketLenField" => (&["name", "default", "cls", "length_from"], 3, false),
        "PacketListField" => (
            &[
                "name",
                "default",
                "pkt_cls",
                "count_from",
                "length_from",
                "next_cls_cb",
                "max_count",
            ],
            2,
            false,
        ),
        "FieldListField" => (
            &[
                "name",
                "default",
                "field",
                "length_from",
                "count_from",
                "max_count",
            ],
            3,
            false,
        ),
        "IPField" | "DestIPField" => (&["name", "default"], 2, false),
        "SourceIPField" => (&["name", "dstname"], 1, false),
        "IP6Field" | "DestIP6Field" => (&["name", "default"], 2, false),
        "SourceIP6Field" => (&["name", "dstname"], 1, false),
        "MACField" => (&["name", "default"], 2, false),
        "DestMACField" => (&["name"], 1, false),
        "SourceMACField" => (&["name", "getif"], 1, false),
        "ARPSourceMACField" => (&["name"], 1, false),
        "IPOptionsField" | "IPoptionsField" => (&["name", "default"], 2, false),
        "TCPOptionsField" => (&["name", "default"], 2, false),
        "Emph" => (&["fld"], 1, false),
        "MayEnd" => (&["fld"], 1, false),
        "ActionField" => (&["fld", "action_method"], 2, true),
        "ConditionalField" => (&["fld", "cond"], 2, false),
        "PadField" => (&["fld", "align", "padwith"], 2, false),
        "MultipleTypeField" => (&["flds", "dflt"], 2, false),
        _ => return None,
    };
    Some(Signature {
        params,
        required,
        var_kw,
    })
}

pub fn field_from_spec(class_name: &str, args: Args) -> Result<FieldDef, SpecError> {
    let c = class_name;
    if let Some((w, signed, le, hex)) = int_class(c) {
        let b = bind(c, args)?;
        let mut k = num(
            c,
            Width::Bytes(w),
            if hex {
                NumDisplay::Hex
            } else {
                NumDisplay::Dec
            },
        );
        if signed {
            k = k.signed();
        }
        if le {
            k = k.little_endian();
        }
        return make(b.name()?, k.rc(), b.val("default"));
    }
    if let Some((w, signed, le, hex)) = enum_class(c) {
        let b = bind(c, args)?;
        let names = enum_names(c, b.get("enum"))?;
        let mut k = num(c, Width::Bytes(w), NumDisplay::Enum { names, hex });
        if signed {
            k = k.signed();
        }
        if le {
            k = k.little_endian();
        }
        return make(b.name()?, k.rc(), b.val("default"));
    }
    match c {
        "Field" => {
            let b = bind(c, args)?;
            let fmt = b.text("fmt", "H")?;
            let kind: Rc<dyn FieldKind> = match fmt_bytes(&fmt) {
                Some(n) => StrField::with("Field", StrLen::Fixed(n), false),
                None => Num::from_fmt(c, &fmt, NumDisplay::Dec)
                    .map_err(SpecError::Value)?
                    .rc(),
            };
            make(b.name()?, kind, b.val("default"))
        }
        "IEEEFloatField" | "IEEEDoubleField" => {
            let b = bind(c, args)?;
            make(
                b.name()?,
                FloatField::rc(c == "IEEEDoubleField"),
                b.val("default"),
            )
        }
        "BCDFloatField" => {
            let b = bind(c, args)?;
            make(b.name()?, Rc::new(BcdFloatField), b.val("default"))
        }
        "BitField" | "XBitField" => {
            let b = bind(c, args)?;
            let size = bits_arg(&b)?;
            let display = if c == "XBitField" {
                NumDisplay::Hex
            } else {
                NumDisplay::Dec
            };
            make(
                b.name()?,
                num(c, Width::Bits(size), display)
                    .le_bit_group(le_group(&b)?)
                    .rc(),
                b.val("default"),
            )
        }
        "BitFieldLenField" => {
            let b = bind(c, args)?;
            let size = bits_arg(&b)?;
            let k = num(c, Width::Bits(size), NumDisplay::Dec).le_bit_group(le_group(&b)?);
            let k = with_len_of(&b, k, true)?;
            make(b.name()?, k.rc(), b.val("default"))
        }
        "FixedPointField" => {
            let b = bind(c, args)?;
            let size = bits_arg(&b)?;
            let frac = b.opt_int("frac_bits")?.unwrap_or(16);
            make(
                b.name()?,
                FixedPointField::rc(size, u32::try_from(frac).unwrap_or(16)),
                b.val("default"),
            )
        }
        "TimeStampField" => {
            let b = bind(c, args)?;
            make(b.name()?, FixedPointField::timestamp(), b.val("default"))
        }
        "ICMPTimeStampField" => {
            let b = bind(c, args)?;
            make(b.name()?, Rc::new(IcmpTimeStampField), b.val("default"))
        }
        "FlagsField" => {
            let b = bind(c, args)?;
            let size = bits_arg(&b)?;
            let names = flag_names(c, b.get("names"))?;
            make(
                b.name()?,
                num(c, Width::Bits(size), NumDisplay::Flags(Rc::new(names)))
                    .le_bit_group(le_group(&b)?)
                    .rc(),
                b.val("default"),
            )
        }
        "EnumField" => {
            let b = bind(c, args)?;
            let names = enum_names(c, b.get("enum"))?;
            let fmt = b.text("fmt", "H")?;
            let k = Num::from_fmt(c, &fmt, NumDisplay::Enum { names, hex: false })
                .map_err(SpecError::Value)?;
            make(b.name()?, k.rc(), b.val("default"))
        }
        "BitEnumField" => {
            let b = bind(c, args)?;
            let size = bits_arg(&b)?;
            let names = enum_names(c, b.get("enum"))?;
            make(
                b.name()?,
                num(c, Width::Bits(size), NumDisplay::Enum { names, hex: false })
                    .le_bit_group(le_group(&b)?)
                    .rc(),
                b.val("default"),
            )
        }
        "CharEnumField" => {
            let b = bind(c, args)?;
            let fmt = b.text("fmt", "1s")?;
            let width = fmt_bytes(&fmt).ok_or_else(|| {
                SpecError::Value(format!("CharEnumField(): unsupported fmt '{fmt}'"))
            })?;
            let pairs = char_enum_pairs(b.get("enum"))?;
            make(b.name()?, CharEnumField::rc(pairs, width), b.val("default"))
        }
        "MultiEnumField" => {
            let b = bind(c, args)?;
            let tables = match b.get("enum") {
                Some(Arg::Map(m)) => m
                    .iter()
                    .map(|(k, v)| {
                        let key = k.as_int().ok_or_else(|| {
                            SpecError::Type(format!("{c}(): table keys must be integers"))
                        })?;
                        Ok((key, enum_names(c, Some(v))?))
                    })
                    .collect::<Result<Vec<_>, SpecError>>()?,
                other => {
                    return Err(SpecError::Type(format!(
                        "{c}(): enum must be a dict of dicts, not {}",
                        what(other)
                    )))
                }
            };
            let dep = b
                .func("depends_on")?
                .ok_or_else(|| SpecError::Type(format!("{c}(): depends_on must be callable")))?;
            let f = pkt_int(dep);
            let depends_on: DependsFn = Rc::new(move |l: &LayerData| Some(f(l)));
            let fmt = b.text("fmt", "H")?;
            let k = Num::from_fmt(c, &fmt, NumDisplay::Multi { depends_on, tables })
                .map_err(SpecError::Value)?;
            make(b.name()?, k.rc(), b.val("default"))
        }
        "LenField" => {
            let b = bind(c, args)?;
            let fmt = b.text("fmt", "H")?;
            let adj = adjust_fn(b.func("adjust")?, false);
            let blank = Rc::new(blank_layer());
            let k = Num::from_fmt(c, &fmt, NumDisplay::Dec)
                .map_err(SpecError::Value)?
                .computed(payload_len(move |x| adj(&blank, x)));
            make(b.name()?, k.rc(), b.val("default"))
        }
        "FieldLenField" | "LEFieldLenField" => {
            let b = bind(c, args)?;
            let fmt = b.text("fmt", if c == "FieldLenField" { "H" } else { "<H" })?;
            let k = Num::from_fmt(c, &fmt, NumDisplay::Dec).map_err(SpecError::Value)?;
            let k = with_len_of(&b, k, false)?;
            make(b.name()?, k.rc(), b.val("default"))
        }
        "StrField" | "XStrField" => {
            let b = bind(c, args)?;
            let remain = usize::try_from(b.opt_int("remain")?.unwrap_or(0)).unwrap_or(0);
            make(
                b.name()?,
                StrField::with(static_name(c), StrLen::Rest(remain), c == "XStrField"),
                b.val("default"),
            )
        }
        "StrNullField" => {
            let b = bind(c, args)?;
            make(b.name()?, TermStrField::null(), b.val("default"))
        }
        "StrStopField" => {
            let b = bind(c, args)?;
            let stop = b.bytes("stop")?;
            let add = usize::try_from(b.opt_int("additional")?.unwrap_or(0)).unwrap_or(0);
            make(b.name()?, TermStrField::stop(stop, add), b.val("default"))
        }
        "StrFixedLenField" | "XStrFixedLenField" => {
            let b = bind(c, args)?;
            let len = match (b.opt_int("length")?, b.func("length_from")?) {
                (Some(n), _) => StrLen::Fixed(usize::try_from(n).unwrap_or(0)),
                (None, Some(f)) => StrLen::FixedFrom(pkt_int(f)),
                (None, None) => StrLen::Fixed(0),
            };
            make(
                b.name()?,
                StrField::with(static_name(c), len, c == "XStrFixedLenField"),
                b.val("default"),
            )
        }
        "StrLenField" | "XStrLenField" => {
            let b = bind(c, args)?;
            let f = b
                .func("length_from")?
                .map_or_else(|| -> LengthFn { Rc::new(|_: &LayerData| 0) }, pkt_int);
            let max = b
                .opt_int("max_length")?
                .map(|m| usize::try_from(m).unwrap_or(0));
            make(
                b.name()?,
                StrField::with(static_name(c), StrLen::From(f, max), c == "XStrLenField"),
                b.val("default"),
            )
        }
        "PacketField" => {
            let b = bind(c, args)?;
            let cls = pkt_cls(c, b.get("pkt_cls"))?;
            make(b.name()?, PacketField::rc(cls, None), packet_default(&b))
        }
        "PacketLenField" => {
            let b = bind(c, args)?;
            let cls = pkt_cls(c, b.get("cls"))?;
            let f = b
                .func("length_from")?
                .map_or_else(|| -> LengthFn { Rc::new(|_: &LayerData| 0) }, pkt_int);
            make(b.name()?, PacketField::rc(cls, Some(f)), packet_default(&b))
        }
        "PacketListField" => {
            let b = bind(c, args)?;
            let next = b.func("next_cls_cb")?.map(next_cls_fn);
            let cls = if next.is_some() && !b.present("pkt_cls") {
                // The callback names every class; pkt_cls is not used.
                PktCls::Class(super::base::raw_def())
            } else {
                pkt_cls(c, b.get("pkt_cls"))?
            };
            let count = b.func("count_from")?.map(pkt_int);
            let length = b.func("length_from")?.map(pkt_int);
            let max = b
                .opt_int("max_count")?
                .map(|m| usize::try_from(m).unwrap_or(0));
            let default = match packet_default(&b) {
                Value::None => Value::List(Vec::new()),
                Value::Packet(p) => Value::List(vec![Value::Packet(p)]),
                other => other,
            };
            let def = FieldDef::new(
                &b.name()?,
                PacketListField::scapy(cls, count, length, next, max),
                default,
            );
            Ok(def)
        }
        "FieldListField" => {
            let b = bind(c, args)?;
            let elem = b.field("field")?;
            let length = b.func("length_from")?.map(pkt_int);
            let count = b.func("count_from")?.map(pkt_int);
            let max = b
                .opt_int("max_count")?
                .map(|m| usize::try_from(m).unwrap_or(0));
            let kind = FieldListField::scapy(elem.kind, length, count, max);
            make(b.name()?, kind, b.val("default"))
        }
        "IPField" | "DestIPField" => {
            let b = bind(c, args)?;
            let kind = if c == "IPField" {
                IpField::plain()
            } else {
                IpField::dest()
            };
            make(b.name()?, kind, b.val("default"))
        }
        "SourceIPField" => {
            let b = bind(c, args)?;
            let dst = b.text("dstname", "dst")?;
            make(b.name()?, IpField::source(&dst), Value::None)
        }
        "IP6Field" | "DestIP6Field" => {
            let b = bind(c, args)?;
            make(b.name()?, Ip6Field::rc(static_name(c)), b.val("default"))
        }
        "SourceIP6Field" => {
            let b = bind(c, args)?;
            make(b.name()?, Ip6Field::rc("SourceIP6Field"), Value::None)
        }
        "MACField" => {
            let b = bind(c, args)?;
            make(b.name()?, MacField::plain(), b.val("default"))
        }
        "DestMACField" => {
            let b = bind(c, args)?;
            make(b.name()?, MacField::dest(), Value::None)
        }
        "SourceMACField" => {
            let b = bind(c, args)?;
            make(b.name()?, MacField::source(), Value::None)
        }
        "ARPSourceMACField" => {
            let b = bind(c, args)?;
            make(b.name()?, MacField::arp_source(), Value::None)
        }
        "IPOptionsField" | "IPoptionsField" => {
            let b = bind(c, args)?;
            make(b.name()?, Rc::new(IpOptionsField), b.val("default"))
        }
        "TCPOptionsField" => {
            let b = bind(c, args)?;
            make(
                b.name()?,
                crate::layers::inet::tcp_options_kind(),
                b.val("default"),
            )
        }
        "Emph" => {
            let b = bind(c, args)?;
            let mut f = b.field("fld")?;
            f.emph = true;
            Ok(f)
        }
        "MayEnd" => {
            let b = bind(c, args)?;
            Ok(b.field("fld")?.may_end())
        }
        "ActionField" => {
            let b = bind(c, args)?;
            let mut f = b.field("fld")?;
            let method = b.text("action_method", "")?;
            let kwargs = b
                .extra_kw
                .iter()
                .map(|(k, a)| match a {
                    Arg::Val(v) => Ok((k.clone(), v.clone())),
                    other => Err(SpecError::Type(format!(
                        "{c}(): keyword {k} must be plain data, not {}",
                        what(other)
                    ))),
                })
                .collect::<Result<Vec<_>, _>>()?;
            f.kind = ActionField::rc(f.kind, &method, kwargs);
            Ok(f)
        }
        "ConditionalField" => {
            let b = bind(c, args)?;
            let f = b.field("fld")?;
            let cond = b
                .func("cond")?
                .ok_or_else(|| SpecError::Type(format!("{c}(): cond must be callable")))?;
            let inner = f.cond.clone();
            let test = pkt_cond(cond);
            Ok(f.when(move |l| test(l) && inner.as_ref().is_none_or(|i| i(l))))
        }
        "PadField" => {
            let b = bind(c, args)?;
            let mut f = b.field("fld")?;
            let align = usize::try_from(b.int("align")?).unwrap_or(1);
            let pad = if b.present("padwith") {
                b.bytes("padwith")?.first().copied().unwrap_or(0)
            } else {
                0
            };
            f.kind = PadField::rc(f.kind, align, pad);
            Ok(f)
        }
        "MultipleTypeField" => {
            let b = bind(c, args)?;
            let mut f = b.field("dflt")?;
            let alts = match b.get("flds") {
                Some(Arg::List(items)) => items.clone(),
                other => {
                    return Err(SpecError::Type(format!(
                        "{c}(): flds must be a list of (field, cond) tuples, not {}",
                        what(other)
                    )))
                }
            };
            for a in alts {
                match a {
                    Arg::Tuple(t) => match t.as_slice() {
                        [Arg::Field(fd), Arg::Func(cond)] => {
                            f = f.alt(pkt_cond(cond.clone()), fd.kind.clone(), fd.default.clone());
                        }
                        _ => {
                            return Err(SpecError::Type(format!(
                                "{c}(): each alternative is a (field, cond) tuple"
                            )))
                        }
                    },
                    other => {
                        return Err(SpecError::Type(format!(
                            "{c}(): each alternative is a (field, cond) tuple, not {}",
                            what(&other)
                        )))
                    }
                }
            }
            Ok(f)
        }
        other => Err(SpecError::UnknownClass(other.to_string())),
    }
}

/// `"4s"` → 4 (a struct format of raw bytes).
fn fmt_bytes(fmt: &str) -> Option<usize> {
    let f = fmt.trim_start_matches(['!', '<', '>', '=', '@']);
    let n = f.strip_suffix('s')?;
    if n.is_empty() {
        Some(1)
    } else {
        n.parse().ok()
    }
}

fn bits_arg(b: &Bound) -> Result<u32, SpecError> {
    let n = b.int("size")?;
    u32::try_from(n.abs())
        .ok()
        .filter(|n| (1..=64).contains(n))
        .ok_or_else(|| SpecError::Value(format!("{}(): size must be 1 to 64 bits", b.class)))
}

/// The little-endian group a bit field starts, in bytes (0: none): Scapy's negative
/// `tot_size`, else a negative `size` of whole bytes (the field alone is little-endian).
fn le_group(b: &Bound) -> Result<usize, SpecError> {
    let tot = if b.slots.iter().any(|(n, _)| *n == "tot_size") {
        b.opt_int("tot_size")?.unwrap_or(0)
    } else {
        0
    };
    let size = b.int("size")?;
    Ok(if tot < 0 {
        usize::try_from(-tot).unwrap_or(0)
    } else if size < 0 && size % 8 == 0 {
        usize::try_from(-size / 8).unwrap_or(0)
    } else {
        0
    })
}

fn with_len_of(b: &Bound, k: Num, _bits: bool) -> Result<Num, SpecError> {
    let adj = adjust_fn(b.func("adjust")?, true);
    Ok(match (b.get("length_of"), b.get("count_of")) {
        (Some(Arg::Val(Value::Str(f))), _) => k.computed(length_of_with(f, adj)),
        (None, Some(Arg::Val(Value::Str(f)))) => k.computed(count_of_with(f, adj)),
        (None, None) => k,
        (l, c) => {
            return Err(SpecError::Type(format!(
                "{}(): length_of/count_of must name a field, not {}/{}",
                b.class,
                what(l),
                what(c)
            )))
        }
    })
}

fn char_enum_pairs(a: Option<&Arg>) -> Result<Vec<(String, String)>, SpecError> {
    let Some(Arg::Map(pairs)) = a else {
        return Err(SpecError::Type(
            "CharEnumField(): enum must be a dict".into(),
        ));
    };
    let text = |v: &Value| match v {
        Value::Str(s) => s.clone(),
        Value::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
        other => other.py_repr(),
    };
    let mut out = Vec::new();
    for (k, v) in pairs {
        let Arg::Val(v) = v else {
            return Err(SpecError::Type(
                "CharEnumField(): enum values must be str".into(),
            ));
        };
        out.push((text(k), text(v)));
    }
    // The reference orients the table so that its keys are the one-character values.
    if out.first().is_some_and(|(k, _)| k.chars().count() != 1) {
        out = out.into_iter().map(|(k, v)| (v, k)).collect();
    }
    Ok(out)
}

fn packet_default(b: &Bound) -> Value {
    match b.get("default") {
        Some(Arg::Val(v)) => v.clone(),
        _ => Value::None,
    }
}

fn static_name(c: &str) -> &'static str {
    FIELD_CLASSES
        .iter()
        .find(|n| **n == c)
        .copied()
        .unwrap_or("Field")
}
