//! The generic field kinds (Scapy's chapter 6.5 families). Protocol-specific kinds (TCP
//! options, ICMP extensions, OUIs) live with their protocol in `src/layers/`.

use std::net::Ipv4Addr;
use std::rc::Rc;

use super::build;
use super::dissect;
use super::field::{BuildCtx, DissectCtx, FieldError, FieldKind, Truncated};
use super::layer::LayerDef;
use super::packet::{LayerData, Packet};
use super::value::{mac_to_string, parse_mac, py_bytes_repr, py_hex, Value};

/// Names for the values of an enum field.
pub trait EnumNames {
    /// The name of a value, if it has one.
    fn name(&self, v: i128) -> Option<&str>;
    /// The value of a name, if known.
    fn value(&self, name: &str) -> Option<i128>;
}

impl<T: EnumNames + ?Sized> EnumNames for &T {
    fn name(&self, v: i128) -> Option<&str> {
        (**self).name(v)
    }
    fn value(&self, name: &str) -> Option<i128> {
        (**self).value(name)
    }
}

/// An enum table written in a protocol file: `&[(8, "echo-request"), ...]`.
pub struct StaticNames(pub &'static [(i128, &'static str)]);

impl EnumNames for StaticNames {
    fn name(&self, v: i128) -> Option<&str> {
        self.0.iter().find(|(n, _)| *n == v).map(|(_, s)| *s)
    }
    fn value(&self, name: &str) -> Option<i128> {
        self.0.iter().find(|(_, s)| *s == name).map(|(n, _)| *n)
    }
}

/// How many bits or bytes a numeric field takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Width {
    /// A byte-aligned field of 1, 2, 3, 4 or 8 bytes.
    Bytes(u8),
    /// A bit field, packed MSB-first with its neighbours.
    Bits(u32),
}

/// How a numeric field shows its value (and which names it accepts on assignment).
#[derive(Clone)]
pub enum NumDisplay {
    /// Decimal.
    Dec,
    /// `0x..`.
    Hex,
    /// A name when the table has one, else decimal or hex.
    Enum {
        /// The names.
        names: Rc<dyn EnumNames>,
        /// Unnamed values in hex (XShortEnumField).
        hex: bool,
    },
    /// The names of the bits, least significant first (`"FSRPAUECN"` as one-letter names).
    Flags(Rc<[String]>),
    /// MultiEnumField: the table depends on another field's value (ICMP code on type).
    ByField {
        /// The field whose value picks the table.
        field: String,
        /// One table per value of that field.
        tables: Vec<(i128, Rc<dyn EnumNames>)>,
    },
}

/// A value computed at build time when the field is unset (FieldLenField, LenField).
pub type ComputeFn = Rc<dyn Fn(&BuildCtx<'_>) -> i128>;

/// A length a field reads from the layer's other fields (`length_from`, `count_from`).
pub type LengthFn = Rc<dyn Fn(&LayerData) -> i128>;

/// Every integer field: Byte/Short/Int/Long, 3-byte, LE, signed, X (hex), enums, flags,
/// bit fields, and the computed lengths (LenField, FieldLenField).
pub struct Num {
    class: String,
    width: Width,
    signed: bool,
    le: bool,
    display: NumDisplay,
    compute: Option<ComputeFn>,
}

impl Num {
    /// A numeric kind. `class` is the Scapy class name for `ls()`.
    pub fn new(class: &str, width: Width, display: NumDisplay) -> Num {
        Num {
            class: class.to_string(),
            width,
            signed: false,
            le: false,
            display,
            compute: None,
        }
    }

    /// Two's complement (SignedByteField, SignedIntField...).
    pub fn signed(mut self) -> Num {
        self.signed = true;
        self
    }

    /// Little-endian (LEShortField...).
    pub fn little_endian(mut self) -> Num {
        self.le = true;
        self
    }

    /// Computed at build time when unset.
    pub fn computed(mut self, f: ComputeFn) -> Num {
        self.compute = Some(f);
        self
    }

    /// As a shared kind for a field table.
    pub fn rc(self) -> Rc<dyn FieldKind> {
        Rc::new(self)
    }

    fn nbits(&self) -> u32 {
        match self.width {
            Width::Bytes(n) => u32::from(n) * 8,
            Width::Bits(n) => n,
        }
    }

    fn to_int(&self, ctx: &BuildCtx<'_>, v: &Value) -> Result<i128, String> {
        match v.resolved() {
            Value::Int(i) => Ok(i),
            Value::None => Ok(self.compute.as_ref().map_or(0, |c| c(ctx))),
            Value::Str(s) => self
                .name_to_int(ctx.layer, &s)
                .ok_or_else(|| format!("unknown value name {s:?}")),
            other => Err(format!("an integer is required, not {}", other.py_repr())),
        }
    }

    fn name_to_int(&self, layer: &LayerData, s: &str) -> Option<i128> {
        match &self.display {
            NumDisplay::Enum { names, .. } => names.value(s),
            NumDisplay::Flags(names) => flags_from_str(names, s),
            NumDisplay::ByField { field, tables } => {
                let sel = layer.int(field)?;
                tables
                    .iter()
                    .find(|(k, _)| *k == sel)
                    .and_then(|(_, t)| t.value(s))
            }
            _ => None,
        }
    }

    fn sign_extend(&self, raw: u128) -> i128 {
        let n = self.nbits();
        if self.signed && n > 0 && n < 128 && (raw >> (n - 1)) & 1 == 1 {
            (raw as i128) - (1i128 << n)
        } else {
            raw as i128
        }
    }
}

fn flags_from_str(names: &[String], s: &str) -> Option<i128> {
    let single = names.iter().all(|n| n.chars().count() == 1);
    let mut v = 0i128;
    if single {
        for c in s.chars() {
            let i = names.iter().position(|n| n.starts_with(c))?;
            v |= 1 << i;
        }
    } else {
        for part in s.split('+').filter(|p| !p.is_empty()) {
            let i = names.iter().position(|n| n == part)?;
            v |= 1 << i;
        }
    }
    Some(v)
}

/// Scapy's FlagValue text: one-letter names concatenated, longer ones joined by `+`.
pub fn flags_to_string(names: &[String], v: i128) -> String {
    let single = names.iter().all(|n| n.chars().count() == 1);
    let set: Vec<&str> = names
        .iter()
        .enumerate()
        .filter(|(i, _)| *i < 127 && (v >> i) & 1 == 1)
        .map(|(_, n)| n.as_str())
        .collect();
    if single {
        set.concat()
    } else {
        set.join("+")
    }
}

impl FieldKind for Num {
    fn class_name(&self) -> &str {
        &self.class
    }

    fn bit_width(&self) -> Option<u32> {
        match self.width {
            Width::Bits(n) => Some(n),
            Width::Bytes(_) => None,
        }
    }

    fn any2i(&self, layer: &LayerData, v: Value) -> Result<Value, FieldError> {
        match v {
            Value::Str(s) => match self.name_to_int(layer, &s) {
                Some(i) => Ok(Value::Int(i)),
                None => Err(FieldError::BadValue(format!(
                    "{s:?} is not a known value of this {} field",
                    self.class
                ))),
            },
            other => Ok(other),
        }
    }

    fn i2int(&self, ctx: &BuildCtx<'_>, v: &Value) -> Result<i128, String> {
        self.to_int(ctx, v)
    }

    fn int2i(&self, raw: i128) -> Value {
        Value::Int(self.sign_extend(raw as u128))
    }

    fn addfield(&self, ctx: &BuildCtx<'_>, v: &Value, out: &mut Vec<u8>) -> Result<(), String> {
        let i = self.to_int(ctx, v)?;
        let n = match self.width {
            Width::Bytes(n) => usize::from(n),
            Width::Bits(b) => b.div_ceil(8) as usize,
        };
        // Values wider than the field are truncated: what the user sets is sent.
        let bytes = (i as u128).to_be_bytes();
        let be = &bytes[16 - n.min(16)..];
        if self.le {
            out.extend(be.iter().rev());
        } else {
            out.extend_from_slice(be);
        }
        Ok(())
    }

    fn getfield(
        &self,
        _ctx: &mut DissectCtx<'_>,
        s: &[u8],
    ) -> Result<(usize, Option<Value>), Truncated> {
        let n = match self.width {
            Width::Bytes(n) => usize::from(n),
            Width::Bits(b) => b.div_ceil(8) as usize,
        };
        let b = s.get(..n).ok_or(Truncated)?;
        let mut raw: u128 = 0;
        if self.le {
            for &c in b.iter().rev() {
                raw = (raw << 8) | u128::from(c);
            }
        } else {
            for &c in b {
                raw = (raw << 8) | u128::from(c);
            }
        }
        Ok((n, Some(Value::Int(self.sign_extend(raw)))))
    }

    fn i2repr(&self, layer: &LayerData, v: &Value) -> String {
        let i = match v {
            Value::Int(i) => *i,
            Value::Volatile(r) => return r.repr(),
            other => return other.py_repr(),
        };
        match &self.display {
            NumDisplay::Dec => i.to_string(),
            NumDisplay::Hex => py_hex(i),
            NumDisplay::Enum { names, hex } => match names.name(i) {
                Some(n) => n.to_string(),
                None if *hex => py_hex(i),
                None => i.to_string(),
            },
            NumDisplay::Flags(names) => flags_to_string(names, i),
            NumDisplay::ByField { field, tables } => {
                let name = layer.int(field).and_then(|sel| {
                    tables
                        .iter()
                        .find(|(k, _)| *k == sel)
                        .and_then(|(_, t)| t.name(i))
                });
                name.map_or_else(|| i.to_string(), str::to_string)
            }
        }
    }

    fn i2len(&self, _layer: &LayerData, _v: &Value) -> usize {
        (self.nbits() as usize).div_ceil(8)
    }
}

fn bytes_kind(class: &str, n: u8, display: NumDisplay) -> Rc<dyn FieldKind> {
    Num::new(class, Width::Bytes(n), display).rc()
}

/// ByteField.
pub fn byte() -> Rc<dyn FieldKind> {
    bytes_kind("ByteField", 1, NumDisplay::Dec)
}
/// XByteField.
pub fn xbyte() -> Rc<dyn FieldKind> {
    bytes_kind("XByteField", 1, NumDisplay::Hex)
}
/// ShortField.
pub fn short() -> Rc<dyn FieldKind> {
    bytes_kind("ShortField", 2, NumDisplay::Dec)
}
/// XShortField.
pub fn xshort() -> Rc<dyn FieldKind> {
    bytes_kind("XShortField", 2, NumDisplay::Hex)
}
/// ThreeBytesField.
pub fn three_bytes() -> Rc<dyn FieldKind> {
    bytes_kind("ThreeBytesField", 3, NumDisplay::Dec)
}
/// IntField.
pub fn int() -> Rc<dyn FieldKind> {
    bytes_kind("IntField", 4, NumDisplay::Dec)
}
/// XIntField.
pub fn xint() -> Rc<dyn FieldKind> {
    bytes_kind("XIntField", 4, NumDisplay::Hex)
}
/// LongField.
pub fn long() -> Rc<dyn FieldKind> {
    bytes_kind("LongField", 8, NumDisplay::Dec)
}
/// XLongField.
pub fn xlong() -> Rc<dyn FieldKind> {
    bytes_kind("XLongField", 8, NumDisplay::Hex)
}
/// LEShortField.
pub fn le_short() -> Rc<dyn FieldKind> {
    Num::new("LEShortField", Width::Bytes(2), NumDisplay::Dec)
        .little_endian()
        .rc()
}
/// LEIntField.
pub fn le_int() -> Rc<dyn FieldKind> {
    Num::new("LEIntField", Width::Bytes(4), NumDisplay::Dec)
        .little_endian()
        .rc()
}
/// SignedByteField.
pub fn signed_byte() -> Rc<dyn FieldKind> {
    Num::new("SignedByteField", Width::Bytes(1), NumDisplay::Dec)
        .signed()
        .rc()
}
/// SignedIntField.
pub fn signed_int() -> Rc<dyn FieldKind> {
    Num::new("SignedIntField", Width::Bytes(4), NumDisplay::Dec)
        .signed()
        .rc()
}
/// BitField of `n` bits.
pub fn bits(n: u32) -> Rc<dyn FieldKind> {
    Num::new("BitField", Width::Bits(n), NumDisplay::Dec).rc()
}
/// XBitField of `n` bits.
pub fn xbits(n: u32) -> Rc<dyn FieldKind> {
    Num::new("XBitField", Width::Bits(n), NumDisplay::Hex).rc()
}

fn enum_kind(class: &str, width: Width, names: Rc<dyn EnumNames>, hex: bool) -> Rc<dyn FieldKind> {
    Num::new(class, width, NumDisplay::Enum { names, hex }).rc()
}

/// ByteEnumField.
pub fn byte_enum(names: Rc<dyn EnumNames>) -> Rc<dyn FieldKind> {
    enum_kind("ByteEnumField", Width::Bytes(1), names, false)
}
/// XByteEnumField.
pub fn xbyte_enum(names: Rc<dyn EnumNames>) -> Rc<dyn FieldKind> {
    enum_kind("XByteEnumField", Width::Bytes(1), names, true)
}
/// ShortEnumField.
pub fn short_enum(names: Rc<dyn EnumNames>) -> Rc<dyn FieldKind> {
    enum_kind("ShortEnumField", Width::Bytes(2), names, false)
}
/// XShortEnumField.
pub fn xshort_enum(names: Rc<dyn EnumNames>) -> Rc<dyn FieldKind> {
    enum_kind("XShortEnumField", Width::Bytes(2), names, true)
}
/// IntEnumField.
pub fn int_enum(names: Rc<dyn EnumNames>) -> Rc<dyn FieldKind> {
    enum_kind("IntEnumField", Width::Bytes(4), names, false)
}
/// BitEnumField of `n` bits.
pub fn bit_enum(n: u32, names: Rc<dyn EnumNames>) -> Rc<dyn FieldKind> {
    enum_kind("BitEnumField", Width::Bits(n), names, false)
}
/// FlagsField of `n` bits with the bit names, least significant first.
pub fn flags(n: u32, names: &[&str]) -> Rc<dyn FieldKind> {
    let names: Rc<[String]> = names.iter().map(|s| s.to_string()).collect();
    Num::new("FlagsField", Width::Bits(n), NumDisplay::Flags(names)).rc()
}

/// FieldLenField's `length_of`: the machine length of another field, adjusted.
pub fn length_of(field: &str, adjust: fn(i128) -> i128) -> ComputeFn {
    let field = field.to_string();
    Rc::new(move |ctx: &BuildCtx<'_>| {
        let l = ctx.layer;
        let len = l.def.field_index(&field).map_or(0, |i| {
            let (kind, _) = l.def.fields[i].resolve(l);
            kind.i2len(l, l.value_ref(i))
        });
        adjust(len as i128)
    })
}

/// FieldLenField's `count_of`: the number of elements of another field, adjusted.
pub fn count_of(field: &str, adjust: fn(i128) -> i128) -> ComputeFn {
    let field = field.to_string();
    Rc::new(move |ctx: &BuildCtx<'_>| {
        let l = ctx.layer;
        let n = l.def.field_index(&field).map_or(0, |i| {
            let (kind, _) = l.def.fields[i].resolve(l);
            kind.i2count(l.value_ref(i))
        });
        adjust(n as i128)
    })
}

/// LenField: the payload's length, adjusted.
pub fn payload_len(adjust: fn(i128) -> i128) -> ComputeFn {
    Rc::new(move |ctx: &BuildCtx<'_>| adjust(ctx.payload.len() as i128))
}

/// Which address an IP/MAC field fills in when unset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AddrRole {
    /// Nothing: an unset value is sent as zeros.
    Plain,
    /// The source address towards the layer's field of that name (SourceIPField), or the
    /// output interface's MAC (SourceMACField).
    Source(String),
    /// The next hop's MAC (DestMACField), broadcast when unknown.
    Dest,
}

/// IPField / SourceIPField / DestIPField.
pub struct IpField {
    class: &'static str,
    role: AddrRole,
}

impl IpField {
    /// IPField.
    pub fn plain() -> Rc<dyn FieldKind> {
        Rc::new(IpField {
            class: "IPField",
            role: AddrRole::Plain,
        })
    }

    /// DestIPField: an IPField whose default the layers above may change.
    pub fn dest() -> Rc<dyn FieldKind> {
        Rc::new(IpField {
            class: "DestIPField",
            role: AddrRole::Plain,
        })
    }

    /// SourceIPField: unset means "the source the route to `dst_field` uses".
    pub fn source(dst_field: &str) -> Rc<dyn FieldKind> {
        Rc::new(IpField {
            class: "SourceIPField",
            role: AddrRole::Source(dst_field.to_string()),
        })
    }

    fn effective(&self, layer: &LayerData, v: &Value) -> Value {
        match (v, &self.role) {
            (Value::None, AddrRole::Source(dst)) => {
                let dst = match layer.get(dst) {
                    Some(Value::Ip4(a)) => *a,
                    _ => Ipv4Addr::UNSPECIFIED,
                };
                let r = super::resolver::current();
                Value::Ip4(r.source_ipv4(dst).unwrap_or(Ipv4Addr::UNSPECIFIED))
            }
            (other, _) => other.resolved(),
        }
    }
}

impl FieldKind for IpField {
    fn class_name(&self) -> &str {
        self.class
    }

    fn any2i(&self, _layer: &LayerData, v: Value) -> Result<Value, FieldError> {
        Ok(match v {
            Value::Str(s) => match s.parse::<Ipv4Addr>() {
                Ok(a) => Value::Ip4(a),
                Err(_) => Value::Str(s),
            },
            Value::List(items) => Value::List(
                items
                    .into_iter()
                    .map(|i| match i {
                        Value::Str(s) => s.parse().map(Value::Ip4).unwrap_or(Value::Str(s)),
                        o => o,
                    })
                    .collect(),
            ),
            other => other,
        })
    }

    fn addfield(&self, ctx: &BuildCtx<'_>, v: &Value, out: &mut Vec<u8>) -> Result<(), String> {
        match self.effective(ctx.layer, v) {
            Value::Ip4(a) => out.extend_from_slice(&a.octets()),
            Value::None => out.extend_from_slice(&[0; 4]),
            Value::Int(i) => out.extend_from_slice(&(i as u32).to_be_bytes()),
            Value::Bytes(b) => out.extend_from_slice(&b),
            other => return Err(format!("not an IPv4 address: {}", other.py_repr())),
        }
        Ok(())
    }

    fn getfield(
        &self,
        _ctx: &mut DissectCtx<'_>,
        s: &[u8],
    ) -> Result<(usize, Option<Value>), Truncated> {
        let b = s.get(..4).ok_or(Truncated)?;
        Ok((4, Some(Value::Ip4(Ipv4Addr::new(b[0], b[1], b[2], b[3])))))
    }

    fn i2repr(&self, layer: &LayerData, v: &Value) -> String {
        match self.effective(layer, v) {
            Value::Ip4(a) => a.to_string(),
            Value::Str(s) => s,
            other => other.py_repr(),
        }
    }

    fn i2len(&self, _layer: &LayerData, _v: &Value) -> usize {
        4
    }
}

/// MACField / SourceMACField / DestMACField.
pub struct MacField {
    class: &'static str,
    role: AddrRole,
}

impl MacField {
    /// MACField.
    pub fn plain() -> Rc<dyn FieldKind> {
        Rc::new(MacField {
            class: "MACField",
            role: AddrRole::Plain,
        })
    }
    /// SourceMACField.
    pub fn source() -> Rc<dyn FieldKind> {
        Rc::new(MacField {
            class: "SourceMACField",
            role: AddrRole::Source(String::new()),
        })
    }
    /// DestMACField.
    pub fn dest() -> Rc<dyn FieldKind> {
        Rc::new(MacField {
            class: "DestMACField",
            role: AddrRole::Dest,
        })
    }

    fn payload_ip_dst(layer: &LayerData) -> Option<Ipv4Addr> {
        let p = layer.payload()?;
        match p.get("dst") {
            Some(Value::Ip4(a)) => Some(a),
            _ => None,
        }
    }

    fn effective(&self, layer: &LayerData, v: &Value) -> Value {
        match (v, &self.role) {
            (Value::None, AddrRole::Dest) => {
                let r = super::resolver::current();
                let m = Self::payload_ip_dst(layer).and_then(|d| r.neighbour_mac(d));
                Value::Mac(m.unwrap_or([0xff; 6]))
            }
            (Value::None, AddrRole::Source(_)) => {
                let r = super::resolver::current();
                Value::Mac(
                    r.interface_mac(Self::payload_ip_dst(layer))
                        .unwrap_or([0; 6]),
                )
            }
            (other, _) => other.resolved(),
        }
    }
}

impl FieldKind for MacField {
    fn class_name(&self) -> &str {
        self.class
    }

    fn any2i(&self, _layer: &LayerData, v: Value) -> Result<Value, FieldError> {
        Ok(match v {
            Value::Str(s) => match parse_mac(&s) {
                Some(m) => Value::Mac(m),
                None => Value::Str(s),
            },
            other => other,
        })
    }

    fn addfield(&self, ctx: &BuildCtx<'_>, v: &Value, out: &mut Vec<u8>) -> Result<(), String> {
        match self.effective(ctx.layer, v) {
            Value::Mac(m) => out.extend_from_slice(&m),
            Value::Bytes(b) => {
                let mut m = [0u8; 6];
                for (d, s) in m.iter_mut().zip(b.iter()) {
                    *d = *s;
                }
                out.extend_from_slice(&m);
            }
            other => return Err(format!("not a MAC address: {}", other.py_repr())),
        }
        Ok(())
    }

    fn getfield(
        &self,
        _ctx: &mut DissectCtx<'_>,
        s: &[u8],
    ) -> Result<(usize, Option<Value>), Truncated> {
        let b = s.get(..6).ok_or(Truncated)?;
        let mut m = [0u8; 6];
        m.copy_from_slice(b);
        Ok((6, Some(Value::Mac(m))))
    }

    fn i2repr(&self, layer: &LayerData, v: &Value) -> String {
        // The reference shows an unset destination MAC as None: it is resolved (by ARP)
        // only when the frame is built.
        if v.is_none() && self.role == AddrRole::Dest {
            return "None".to_string();
        }
        match self.effective(layer, v) {
            Value::Mac(m) => mac_to_string(&m),
            Value::Str(s) => s,
            other => other.py_repr(),
        }
    }

    fn i2len(&self, _layer: &LayerData, _v: &Value) -> usize {
        6
    }
}

/// How many bytes a string field takes when dissecting.
#[derive(Clone)]
pub enum StrLen {
    /// All the rest (StrField).
    Rest,
    /// Exactly `n` (StrFixedLenField): shorter values are padded with zeros when built.
    Fixed(usize),
    /// As another field says (StrLenField's `length_from`).
    From(LengthFn),
}

/// StrField / StrFixedLenField / StrLenField.
pub struct StrField {
    class: &'static str,
    len: StrLen,
}

impl StrField {
    /// StrField: takes the rest.
    pub fn rest() -> Rc<dyn FieldKind> {
        Rc::new(StrField {
            class: "StrField",
            len: StrLen::Rest,
        })
    }
    /// StrFixedLenField.
    pub fn fixed(n: usize) -> Rc<dyn FieldKind> {
        Rc::new(StrField {
            class: "StrFixedLenField",
            len: StrLen::Fixed(n),
        })
    }
    /// StrLenField.
    pub fn length_from(f: LengthFn) -> Rc<dyn FieldKind> {
        Rc::new(StrField {
            class: "StrLenField",
            len: StrLen::From(f),
        })
    }
}

fn value_bytes(v: &Value) -> Result<Vec<u8>, String> {
    match v.resolved() {
        Value::Bytes(b) => Ok(b),
        Value::Str(s) => Ok(s.into_bytes()),
        Value::None => Ok(Vec::new()),
        Value::Int(i) => Ok(i.to_string().into_bytes()),
        other => Err(format!(
            "a bytes-like object is required, not {}",
            other.py_repr()
        )),
    }
}

impl FieldKind for StrField {
    fn class_name(&self) -> &str {
        self.class
    }

    fn any2i(&self, _layer: &LayerData, v: Value) -> Result<Value, FieldError> {
        Ok(match v {
            Value::Str(s) => Value::Bytes(s.into_bytes()),
            other => other,
        })
    }

    fn addfield(&self, _ctx: &BuildCtx<'_>, v: &Value, out: &mut Vec<u8>) -> Result<(), String> {
        let b = value_bytes(v)?;
        match self.len {
            StrLen::Fixed(n) => {
                let take = b.len().min(n);
                out.extend_from_slice(&b[..take]);
                out.resize(out.len() + (n - take), 0);
            }
            _ => out.extend_from_slice(&b),
        }
        Ok(())
    }

    fn getfield(
        &self,
        ctx: &mut DissectCtx<'_>,
        s: &[u8],
    ) -> Result<(usize, Option<Value>), Truncated> {
        let n = match &self.len {
            StrLen::Rest => s.len(),
            StrLen::Fixed(n) => (*n).min(s.len()),
            StrLen::From(f) => usize::try_from(f(ctx.layer)).unwrap_or(0).min(s.len()),
        };
        Ok((n, Some(Value::Bytes(s[..n].to_vec()))))
    }

    fn i2repr(&self, _layer: &LayerData, v: &Value) -> String {
        match v {
            Value::Bytes(b) => py_bytes_repr(b),
            other => other.py_repr(),
        }
    }

    fn i2len(&self, _layer: &LayerData, v: &Value) -> usize {
        match self.len {
            StrLen::Fixed(n) => n,
            _ => value_bytes(v).map_or(0, |b| b.len()),
        }
    }
}

/// Picks the class of the next element of a packet list from its first bytes.
pub type DispatchFn = Rc<dyn Fn(&[u8]) -> Rc<LayerDef>>;

/// PacketListField: a list of packets (IP options), each dissected with the class the
/// dispatcher picks, within `length_from` bytes; built lists are zero-padded to `align`.
pub struct PacketListField {
    dispatch: DispatchFn,
    length_from: Option<LengthFn>,
    align: usize,
}

impl PacketListField {
    /// A packet list limited by `length_from` (or the rest), padded to `align` when built.
    pub fn rc(
        dispatch: DispatchFn,
        length_from: Option<LengthFn>,
        align: usize,
    ) -> Rc<dyn FieldKind> {
        Rc::new(PacketListField {
            dispatch,
            length_from,
            align: align.max(1),
        })
    }

    fn build_items(&self, v: &Value, r: &dyn super::resolver::Resolver) -> Result<Vec<u8>, String> {
        let mut out = Vec::new();
        let items: Vec<Value> = match v {
            Value::List(l) => l.clone(),
            Value::None => Vec::new(),
            other => vec![other.clone()],
        };
        for it in items {
            match it {
                Value::Packet(p) => {
                    out.extend(build::build_with(&p, r).map_err(|e| e.to_string())?)
                }
                Value::Bytes(b) => out.extend(b),
                other => return Err(format!("not a packet: {}", other.py_repr())),
            }
        }
        let rem = out.len() % self.align;
        if rem != 0 {
            out.resize(out.len() + self.align - rem, 0);
        }
        Ok(out)
    }
}

impl FieldKind for PacketListField {
    fn class_name(&self) -> &str {
        "PacketListField"
    }

    fn any2i(&self, _layer: &LayerData, v: Value) -> Result<Value, FieldError> {
        Ok(match v {
            Value::Packet(p) => Value::List(vec![Value::Packet(p)]),
            other => other,
        })
    }

    fn addfield(&self, ctx: &BuildCtx<'_>, v: &Value, out: &mut Vec<u8>) -> Result<(), String> {
        out.extend(self.build_items(v, ctx.resolver)?);
        Ok(())
    }

    fn getfield(
        &self,
        ctx: &mut DissectCtx<'_>,
        s: &[u8],
    ) -> Result<(usize, Option<Value>), Truncated> {
        let n = match &self.length_from {
            Some(f) => usize::try_from(f(ctx.layer)).unwrap_or(0).min(s.len()),
            None => s.len(),
        };
        let mut rest = &s[..n];
        let mut items = Vec::new();
        while !rest.is_empty() {
            let def = (self.dispatch)(rest);
            let (p, used) = dissect::dissect_element(&def, rest, ctx.warnings);
            items.push(Value::Packet(p));
            // An element always consumes something, so a malformed list still terminates.
            rest = &rest[used.clamp(1, rest.len())..];
        }
        Ok((n, Some(Value::List(items))))
    }

    fn i2repr(&self, _layer: &LayerData, v: &Value) -> String {
        match v {
            Value::List(l) => {
                let parts: Vec<String> = l
                    .iter()
                    .map(|i| match i {
                        Value::Packet(p) => p.repr(),
                        o => o.py_repr(),
                    })
                    .collect();
                format!("[{}]", parts.join(", "))
            }
            other => other.py_repr(),
        }
    }

    fn i2len(&self, _layer: &LayerData, v: &Value) -> usize {
        let r = super::resolver::current();
        self.build_items(v, r.as_ref()).map_or(0, |b| b.len())
    }

    fn holds_packets(&self) -> bool {
        true
    }
}

/// FieldListField: a list of values of one kind (IPOption_RR's `routers`).
pub struct FieldListField {
    elem: Rc<dyn FieldKind>,
    length_from: Option<LengthFn>,
}

impl FieldListField {
    /// A list of `elem` values within `length_from` bytes (or the rest).
    pub fn rc(elem: Rc<dyn FieldKind>, length_from: Option<LengthFn>) -> Rc<dyn FieldKind> {
        Rc::new(FieldListField { elem, length_from })
    }
}

impl FieldKind for FieldListField {
    fn class_name(&self) -> &str {
        "FieldListField"
    }

    fn any2i(&self, layer: &LayerData, v: Value) -> Result<Value, FieldError> {
        match v {
            Value::List(l) => Ok(Value::List(
                l.into_iter()
                    .map(|i| self.elem.any2i(layer, i))
                    .collect::<Result<_, _>>()?,
            )),
            other => Ok(Value::List(vec![self.elem.any2i(layer, other)?])),
        }
    }

    fn addfield(&self, ctx: &BuildCtx<'_>, v: &Value, out: &mut Vec<u8>) -> Result<(), String> {
        if let Value::List(l) = v {
            for i in l {
                self.elem.addfield(ctx, i, out)?;
            }
        }
        Ok(())
    }

    fn getfield(
        &self,
        ctx: &mut DissectCtx<'_>,
        s: &[u8],
    ) -> Result<(usize, Option<Value>), Truncated> {
        let n = match &self.length_from {
            Some(f) => usize::try_from(f(ctx.layer)).unwrap_or(0).min(s.len()),
            None => s.len(),
        };
        let mut pos = 0;
        let mut items = Vec::new();
        while pos < n {
            match self.elem.getfield(ctx, &s[pos..n]) {
                Ok((used, v)) if used > 0 => {
                    items.extend(v);
                    pos += used;
                }
                // A partial element at the end: the list ends, its bytes are consumed.
                _ => {
                    pos = n;
                }
            }
        }
        Ok((n, Some(Value::List(items))))
    }

    fn i2repr(&self, layer: &LayerData, v: &Value) -> String {
        match v {
            Value::List(l) => {
                let parts: Vec<String> = l.iter().map(|i| self.elem.i2repr(layer, i)).collect();
                format!("[{}]", parts.join(", "))
            }
            other => other.py_repr(),
        }
    }

    fn i2len(&self, layer: &LayerData, v: &Value) -> usize {
        match v {
            Value::List(l) => l.iter().map(|i| self.elem.i2len(layer, i)).sum(),
            _ => 0,
        }
    }
}

/// Builds a packet list value from packets (for the Rust API: `IP.options`).
pub fn packet_list(items: Vec<Packet>) -> Value {
    Value::List(items.into_iter().map(Value::Packet).collect())
}

/// X3BytesField.
pub fn x3bytes() -> Rc<dyn FieldKind> {
    bytes_kind("X3BytesField", 3, NumDisplay::Hex)
}

/// PadField: another kind whose bytes are padded to a multiple of `align` with `pad`.
pub struct PadField {
    inner: Rc<dyn FieldKind>,
    align: usize,
    pad: u8,
}

impl PadField {
    /// Wraps `inner`, padding its machine form to a multiple of `align` bytes.
    pub fn rc(inner: Rc<dyn FieldKind>, align: usize, pad: u8) -> Rc<dyn FieldKind> {
        Rc::new(PadField {
            inner,
            align: align.max(1),
            pad,
        })
    }

    fn padded(&self, n: usize) -> usize {
        n.div_ceil(self.align) * self.align
    }
}

impl FieldKind for PadField {
    fn class_name(&self) -> &str {
        "PadField"
    }

    fn any2i(&self, layer: &LayerData, v: Value) -> Result<Value, FieldError> {
        self.inner.any2i(layer, v)
    }

    fn addfield(&self, ctx: &BuildCtx<'_>, v: &Value, out: &mut Vec<u8>) -> Result<(), String> {
        let start = out.len();
        self.inner.addfield(ctx, v, out)?;
        let len = out.len() - start;
        out.resize(start + self.padded(len), self.pad);
        Ok(())
    }

    fn getfield(
        &self,
        ctx: &mut DissectCtx<'_>,
        s: &[u8],
    ) -> Result<(usize, Option<Value>), Truncated> {
        let (used, v) = self.inner.getfield(ctx, s)?;
        Ok((self.padded(used).min(s.len()), v))
    }

    fn i2repr(&self, layer: &LayerData, v: &Value) -> String {
        self.inner.i2repr(layer, v)
    }

    fn i2len(&self, layer: &LayerData, v: &Value) -> usize {
        self.padded(self.inner.i2len(layer, v))
    }

    fn i2count(&self, v: &Value) -> usize {
        self.inner.i2count(v)
    }

    fn holds_packets(&self) -> bool {
        self.inner.holds_packets()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packet::{dissect, FieldDef, LayerDef, Packet};

    fn layer(fields: Vec<FieldDef>) -> Rc<LayerDef> {
        Rc::new(LayerDef::new("T", "T", fields))
    }

    #[test]
    fn pad_field_pads_and_skips() {
        let d = layer(vec![
            FieldDef::new(
                "s",
                PadField::rc(StrField::length_from(Rc::new(|_: &LayerData| 3)), 4, 0),
                Value::Bytes(b"abc".to_vec()),
            ),
            FieldDef::new("n", byte(), Value::Int(9)),
        ]);
        let b = Packet::new(&d).build().unwrap_or_default();
        assert_eq!(b, b"abc\x00\x09".to_vec());
        let p = dissect(&d, &b);
        assert_eq!(p.get("n"), Some(Value::Int(9)));
    }

    #[test]
    fn little_endian_and_signed() {
        let d = layer(vec![
            FieldDef::new("a", le_short(), Value::Int(0x1234)),
            FieldDef::new("b", signed_byte(), Value::Int(-2)),
            FieldDef::new("c", x3bytes(), Value::Int(0xabcdef)),
        ]);
        let b = Packet::new(&d).build().unwrap_or_default();
        assert_eq!(b, vec![0x34, 0x12, 0xfe, 0xab, 0xcd, 0xef]);
        let p = dissect(&d, &b);
        assert_eq!(p.get("b"), Some(Value::Int(-2)));
        assert_eq!(p.field_repr("c").as_deref(), Some("0xabcdef"));
    }

    #[test]
    fn field_len_field_counts_and_adjusts() {
        let len = Num::new("FieldLenField", Width::Bytes(1), NumDisplay::Dec)
            .computed(length_of("data", |l| l + 1))
            .rc();
        let d = layer(vec![
            FieldDef::new("len", len, Value::None),
            FieldDef::new(
                "data",
                StrField::length_from(Rc::new(|l: &LayerData| l.int("len").unwrap_or(1) - 1)),
                Value::Bytes(Vec::new()),
            ),
        ]);
        let p = Packet::new(&d);
        p.set("data", Value::Bytes(b"xyz".to_vec())).unwrap_or(());
        let b = p.build().unwrap_or_default();
        assert_eq!(b, b"\x04xyz".to_vec());
        let back = dissect(&d, &b"\x04xyzTAIL"[..]);
        assert_eq!(back.get("data"), Some(Value::Bytes(b"xyz".to_vec())));
        assert_eq!(
            back.payload().map(|p| p.class_name()).as_deref(),
            Some("Raw")
        );
    }

    #[test]
    fn bit_fields_pack_across_fields() {
        let d = layer(vec![
            FieldDef::new("a", bits(3), Value::Int(5)),
            FieldDef::new("b", xbits(9), Value::Int(0x1ff)),
            FieldDef::new("c", bits(4), Value::Int(1)),
        ]);
        let b = Packet::new(&d).build().unwrap_or_default();
        assert_eq!(b, vec![0b1011_1111, 0b1111_0001]);
        let p = dissect(&d, &b);
        assert_eq!(p.field_repr("b").as_deref(), Some("0x1ff"));
        assert_eq!(p.get("c"), Some(Value::Int(1)));
    }
}
