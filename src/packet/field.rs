//! The field-kind interface: how a value converts between its user, internal, machine and
//! display forms. A layer's field table pairs a name and a default with one of these kinds.

use std::fmt;
use std::rc::Rc;

use super::packet::LayerData;
use super::resolver::Resolver;
use super::value::Value;

/// What a build step sees: the layer being built, its payload's bytes (already built, so
/// lengths can be computed) and the resolver for host-derived defaults.
pub struct BuildCtx<'a> {
    /// The layer whose fields are being emitted.
    pub layer: &'a LayerData,
    /// The payload's built bytes.
    pub payload: &'a [u8],
    /// Routes and addresses for unset source fields.
    pub resolver: &'a dyn Resolver,
}

/// What a dissection step sees: the layer dissected so far and all of this layer's bytes.
pub struct DissectCtx<'a> {
    /// The layer, with the fields already dissected set.
    pub layer: &'a LayerData,
    /// Every byte handed to this layer (Scapy's `original`).
    pub whole: &'a [u8],
    /// Warnings for the transcript ("bad dataofs").
    pub warnings: &'a mut Vec<String>,
}

/// A field could not take its bytes: the input ended first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Truncated;

/// Why a build failed: a value the field cannot encode at all (a list in a ShortField).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildError {
    /// The layer's class name.
    pub layer: String,
    /// The field's name.
    pub field: String,
    /// What went wrong, in words.
    pub message: String,
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}: {}", self.layer, self.field, self.message)
    }
}

impl std::error::Error for BuildError {}

/// Why a user value was refused (an unknown enum name, an unknown field).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldError {
    /// The layer has no field of that name (Python's AttributeError).
    NoSuchField(String),
    /// The value cannot be converted for the field (Python's ValueError/KeyError).
    BadValue(String),
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FieldError::NoSuchField(n) => write!(f, "no field named {n:?}"),
            FieldError::BadValue(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for FieldError {}

/// The machine form of a plain fixed-size integer field (ByteField, ShortField, IntField,
/// their signed, little-endian and enum forms): layer definitions plan such fields so that
/// dissection and building read and write them without a call through the kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FixedInt {
    /// Its size in bytes.
    pub bytes: u8,
    /// Least significant byte first.
    pub le: bool,
    /// Two's complement.
    pub signed: bool,
}

impl FixedInt {
    /// The value of its bytes (`b` holds exactly `bytes` of them).
    #[inline(always)]
    pub fn read(self, b: &[u8]) -> i128 {
        let raw: u128 = match (b, self.le) {
            ([x], _) => u128::from(*x),
            (&[x, y], false) => u128::from(u16::from_be_bytes([x, y])),
            (&[x, y, z, w], false) => u128::from(u32::from_be_bytes([x, y, z, w])),
            _ if self.le => b.iter().rev().fold(0, |a, &c| (a << 8) | u128::from(c)),
            _ => b.iter().fold(0, |a, &c| (a << 8) | u128::from(c)),
        };
        if self.signed {
            sign_extend(raw, u32::from(self.bytes) * 8)
        } else {
            raw as i128
        }
    }

    /// Appends the machine form of `i`; values wider than the field are truncated (what the
    /// user sets is sent).
    #[inline]
    pub fn write(self, i: i128, out: &mut Vec<u8>) {
        let bytes = (i as u128).to_be_bytes();
        let be = &bytes[16 - usize::from(self.bytes).min(16)..];
        if self.le {
            out.extend(be.iter().rev());
        } else {
            out.extend_from_slice(be);
        }
    }
}

/// The two's-complement value of the low `bits` bits of `raw` (a signed field read off the
/// wire); `raw` as it is when its top bit is clear or `bits` is 0 or 128 and more.
pub(crate) fn sign_extend(raw: u128, bits: u32) -> i128 {
    if bits > 0 && bits < 128 && (raw >> (bits - 1)) & 1 == 1 {
        (raw as i128) - (1i128 << bits)
    } else {
        raw as i128
    }
}

/// The machine form of a plain address field (IPField, MACField): its bytes as they are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FixedAddr {
    /// Four bytes, an IPv4 address.
    Ip4,
    /// Six bytes, a MAC address.
    Mac,
}

impl FixedAddr {
    /// Its size in bytes.
    #[inline]
    pub fn size(self) -> usize {
        match self {
            FixedAddr::Ip4 => 4,
            FixedAddr::Mac => 6,
        }
    }

    /// The value of its bytes (`b` holds at least [`FixedAddr::size`] of them).
    #[inline]
    pub fn read(self, b: &[u8]) -> Value {
        match (self, b) {
            (FixedAddr::Ip4, &[a, b, c, d, ..]) => Value::Ip4(std::net::Ipv4Addr::new(a, b, c, d)),
            (FixedAddr::Mac, &[a, b, c, d, e, f, ..]) => Value::Mac([a, b, c, d, e, f]),
            _ => Value::None,
        }
    }
}

/// A field kind: Scapy's Field class hierarchy as a trait, so campaigns can add kinds whose
/// conversions call interpreter functions. Every method has the layer at hand, as Scapy's
/// `pkt` argument, for kinds whose behavior depends on other fields.
pub trait FieldKind {
    /// The Scapy class name, for `ls()` (`ShortField`, `XByteEnumField`).
    fn class_name(&self) -> &str;

    /// Width in bits for kinds packed MSB-first with their neighbours (BitField family).
    fn bit_width(&self) -> Option<u32> {
        None
    }

    /// Bytes of a little-endian group of bit fields that starts at this one (Scapy's
    /// negative `tot_size`, or a negative `size` of whole bytes): the group is packed
    /// MSB-first as any bit fields, then its bytes are reversed on the wire.
    fn le_bit_group(&self) -> Option<usize> {
        None
    }

    /// Runs before a value is assigned to the field, with the layer itself at hand
    /// (ActionField calls its layer's method, which may set other fields).
    fn before_assign(&self, layer: &super::packet::Packet, v: &Value) -> Result<(), FieldError> {
        let _ = (layer, v);
        Ok(())
    }

    /// The kind's machine form when it is exactly a plain fixed-size integer: its getfield
    /// reads [`FixedInt::read`] of that many bytes, and its addfield writes
    /// [`FixedInt::write`] of an integer value. Kinds with any other behaviour (campaign
    /// conversions included) keep the default, `None`.
    fn fixed_int(&self) -> Option<FixedInt> {
        None
    }

    /// The kind's machine form when its getfield is exactly [`FixedAddr::read`] of that
    /// many bytes, whatever the layer holds: dissection reads such fields without a call
    /// through the kind. Others keep the default, `None`.
    fn fixed_addr(&self) -> Option<FixedAddr> {
        None
    }

    /// Converts what a user assigns to the internal form (Scapy's `any2i`).
    fn any2i(&self, _layer: &LayerData, v: Value) -> Result<Value, FieldError> {
        Ok(v)
    }

    /// The integer a bit-packed kind emits (only called when `bit_width` is `Some`).
    fn i2int(&self, ctx: &BuildCtx<'_>, v: &Value) -> Result<i128, String> {
        let _ = ctx;
        match &*v.concrete() {
            Value::Int(i) => Ok(*i),
            Value::None => Ok(0),
            other => Err(format!("an integer is required, not {}", other.py_repr())),
        }
    }

    /// For a bit-packed kind whose [`FieldKind::int2i`] is the plain integer of the bits
    /// (sign-extended or not): `Some(signed)`. Such fields can be read without the kind
    /// ([`super::layout`]). Others keep the default, `None`.
    fn plain_bits(&self) -> Option<bool> {
        None
    }

    /// The fixed number of bytes a string kind takes, when its getfield is exactly "that
    /// many bytes, as they are" whatever the layer holds. Others keep the default, `None`.
    fn fixed_bytes(&self) -> Option<usize> {
        None
    }

    /// Whether a string kind's getfield is exactly "every byte left, as they are" whatever
    /// the layer holds (Raw's `load`). Others keep the default, `false`.
    fn takes_rest(&self) -> bool {
        false
    }

    /// The internal value of bits read off the wire (only for bit-packed kinds).
    fn int2i(&self, raw: i128) -> Value {
        Value::Int(raw)
    }

    /// Appends the machine form of `v` (byte-aligned kinds).
    fn addfield(&self, ctx: &BuildCtx<'_>, v: &Value, out: &mut Vec<u8>) -> Result<(), String>;

    /// Takes this field's bytes from the front of `s`: how many it used and the value, or
    /// `None` for a field that stays unset (a trailer that is absent).
    fn getfield(
        &self,
        ctx: &mut DissectCtx<'_>,
        s: &[u8],
    ) -> Result<(usize, Option<Value>), Truncated>;

    /// The text repr()/show() print for the value.
    fn i2repr(&self, layer: &LayerData, v: &Value) -> String;

    /// Scapy's enum fields give a list value's i2repr as a list of texts, one per element:
    /// those texts (`None` for kinds whose i2repr is always one text).
    fn i2repr_items(&self, layer: &LayerData, v: &Value) -> Option<Vec<String>> {
        let _ = (layer, v);
        None
    }

    /// Length of the machine form, for FieldLenField's `length_of`.
    fn i2len(&self, layer: &LayerData, v: &Value) -> usize {
        let _ = layer;
        match v {
            Value::Bytes(b) => b.len(),
            Value::Str(s) => s.len(),
            Value::List(l) => l.len(),
            _ => 0,
        }
    }

    /// Number of elements, for FieldLenField's `count_of`.
    fn i2count(&self, v: &Value) -> usize {
        match v {
            Value::List(l) => l.len(),
            Value::None => 0,
            _ => 1,
        }
    }

    /// True when the value is a list of packets, which show() prints as nested blocks.
    fn holds_packets(&self) -> bool {
        false
    }

    /// True for kinds whose value is a list (Scapy's `islist`): iterating a packet does not
    /// expand such a value, and command() shows it as a list.
    fn is_list(&self) -> bool {
        false
    }

    /// A random value of the kind, for fuzz() (`None`: the kind has none).
    fn randval(&self) -> Option<Value> {
        None
    }

    /// The human value `getattr(p, name)` gives (Scapy's `i2h`): an unset source address
    /// is the one a build would use. Defaults to the internal value.
    fn i2h(&self, layer: &LayerData, v: &Value) -> Value {
        let _ = layer;
        v.clone()
    }

    /// Python's repr() of an internal value (ls()'s default column: `<Flag 2 (S)>`).
    fn repr_internal(&self, v: &Value) -> String {
        v.py_repr()
    }

    /// Python's repr() of the human value (`getattr(p, name)`, ls(p)'s value column).
    fn repr_human(&self, layer: &LayerData, v: &Value) -> String {
        let _ = layer;
        self.repr_internal(v)
    }

    /// What command() writes for the value (flags as integers, packets as commands).
    fn command_repr(&self, layer: &LayerData, v: &Value) -> String {
        self.repr_human(layer, v)
    }

    /// Python's `str()` of an internal value when it differs from the value's own (a flag
    /// value prints its names: `%s` of a raw TCP.flags in sprintf gives `SA`).
    fn str_internal(&self, v: &Value) -> Option<String> {
        let _ = v;
        None
    }

    /// ls()'s extra note on the kind (`Depends on 8` for a MultiEnumField).
    fn ls_note(&self, layer: &LayerData) -> Option<String> {
        let _ = layer;
        None
    }
}

/// A condition on the layer's other fields (ConditionalField, MultipleTypeField choices).
/// Native closures and interpreter callables alike fit behind this `Rc<dyn Fn>`.
pub type Cond = Rc<dyn Fn(&LayerData) -> bool>;

/// One alternative of a MultipleTypeField: used when its condition holds.
#[derive(Clone)]
pub struct FieldAlt {
    /// When this alternative applies.
    pub cond: Cond,
    /// Its kind.
    pub kind: Rc<dyn FieldKind>,
    /// Its default.
    pub default: Value,
}

/// One entry of a layer's field table.
#[derive(Clone)]
pub struct FieldDef {
    /// The field's name (`ttl`).
    pub name: String,
    /// How its values convert.
    pub kind: Rc<dyn FieldKind>,
    /// The default value (`None` for computed fields).
    pub default: Value,
    /// ConditionalField: the field exists only when this holds.
    pub cond: Option<Cond>,
    /// MultipleTypeField: alternatives tried in order before `kind`.
    pub alts: Vec<FieldAlt>,
    /// MayEnd: dissection stops quietly after this field if no bytes remain.
    pub may_end: bool,
    /// Emph: emphasized when displayed (no effect on the wire).
    pub emph: bool,
}

impl FieldDef {
    /// A plain field.
    pub fn new(name: &str, kind: Rc<dyn FieldKind>, default: Value) -> FieldDef {
        FieldDef {
            name: name.to_string(),
            kind,
            default,
            cond: None,
            alts: Vec::new(),
            may_end: false,
            emph: false,
        }
    }

    /// Makes it a ConditionalField.
    pub fn when(mut self, cond: impl Fn(&LayerData) -> bool + 'static) -> FieldDef {
        self.cond = Some(Rc::new(cond));
        self
    }

    /// Adds a MultipleTypeField alternative.
    pub fn alt(
        mut self,
        cond: impl Fn(&LayerData) -> bool + 'static,
        kind: Rc<dyn FieldKind>,
        default: Value,
    ) -> FieldDef {
        self.alts.push(FieldAlt {
            cond: Rc::new(cond),
            kind,
            default,
        });
        self
    }

    /// Marks it MayEnd.
    pub fn may_end(mut self) -> FieldDef {
        self.may_end = true;
        self
    }

    /// Whether the field exists in this layer's current state.
    pub fn present(&self, layer: &LayerData) -> bool {
        self.cond.as_ref().is_none_or(|c| c(layer))
    }

    /// The kind and default that apply given the layer's other fields.
    pub fn resolve(&self, layer: &LayerData) -> (&Rc<dyn FieldKind>, &Value) {
        for a in &self.alts {
            if (a.cond)(layer) {
                return (&a.kind, &a.default);
            }
        }
        (&self.kind, &self.default)
    }
}
