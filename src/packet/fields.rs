//! The generic field kinds (Scapy's chapter 6.5 families). Protocol-specific kinds (TCP
//! options, ICMP extensions, OUIs) live with their protocol in `src/layers/`.

use std::net::Ipv4Addr;
use std::rc::Rc;

use super::build;
use super::dissect;
use super::field::{BuildCtx, DissectCtx, FieldError, FieldKind, FixedAddr, FixedInt, Truncated};
use super::layer::LayerDef;
use super::packet::{LayerData, Packet};
use super::value::{mac_to_string, parse_mac, py_bytes_repr, py_hex, py_str_repr, Value};

/// Names for the values of an enum field.
pub trait EnumNames {
    /// The name of a value, if it has one.
    fn name(&self, v: i128) -> Option<std::borrow::Cow<'_, str>>;
    /// The value of a name, if known.
    fn value(&self, name: &str) -> Option<i128>;
}

impl<T: EnumNames + ?Sized> EnumNames for &T {
    fn name(&self, v: i128) -> Option<std::borrow::Cow<'_, str>> {
        (**self).name(v)
    }
    fn value(&self, name: &str) -> Option<i128> {
        (**self).value(name)
    }
}

/// An enum table written in a protocol file: `&[(8, "echo-request"), ...]`.
pub struct StaticNames(pub &'static [(i128, &'static str)]);

impl EnumNames for StaticNames {
    fn name(&self, v: i128) -> Option<std::borrow::Cow<'_, str>> {
        self.0
            .iter()
            .find(|(n, _)| *n == v)
            .map(|(_, s)| (*s).into())
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
    Flags(Rc<FlagNames>),
    /// MultiEnumField: the table depends on another field's value (ICMP code on type).
    ByField {
        /// The field whose value picks the table.
        field: String,
        /// One table per value of that field.
        tables: Vec<(i128, Rc<dyn EnumNames>)>,
    },
    /// MultiEnumField with Scapy's `depends_on` callable.
    Multi {
        /// Picks the table from the layer.
        depends_on: DependsFn,
        /// One table per value `depends_on` returns.
        tables: Vec<(i128, Rc<dyn EnumNames>)>,
    },
}

/// MultiEnumField's `depends_on`: the key of the table to use for this layer.
pub type DependsFn = Rc<dyn Fn(&LayerData) -> Option<i128>>;

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
    le_group: usize,
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
            le_group: 0,
        }
    }

    /// A kind from a Python struct format (`"H"`, `"!I"`, `"<h"`, `"B"`...), as Scapy's
    /// generic `Field(name, default, fmt)` and the kinds taking a `fmt` argument.
    pub fn from_fmt(class: &str, fmt: &str, display: NumDisplay) -> Result<Num, String> {
        let (le, code) = match fmt.as_bytes() {
            [b'<', c] => (true, *c),
            [b'!' | b'>' | b'=' | b'@', c] | [c] => (false, *c),
            _ => return Err(format!("unsupported struct format '{fmt}'")),
        };
        let (n, signed) = match code {
            b'B' => (1, false),
            b'b' => (1, true),
            b'H' => (2, false),
            b'h' => (2, true),
            b'I' | b'L' => (4, false),
            b'i' | b'l' => (4, true),
            b'Q' => (8, false),
            b'q' => (8, true),
            _ => return Err(format!("unsupported struct format '{fmt}'")),
        };
        let mut k = Num::new(class, Width::Bytes(n), display);
        k.signed = signed;
        k.le = le;
        Ok(k)
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

    /// Starts a little-endian group of `bytes` bit fields (see
    /// [`FieldKind::le_bit_group`]); 0 for none.
    pub fn le_bit_group(mut self, bytes: usize) -> Num {
        self.le_group = bytes;
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
        match &*v.concrete() {
            Value::Int(i) => Ok(*i),
            Value::Float(f) => Ok(*f as i128),
            Value::None => Ok(self.compute.as_ref().map_or(0, |c| c(ctx))),
            Value::Str(s) => self
                .name_to_int(ctx.layer, s)
                .ok_or_else(|| format!("unknown value name {s:?}")),
            other => Err(format!("an integer is required, not {}", other.py_repr())),
        }
    }

    fn name_to_int(&self, layer: &LayerData, s: &str) -> Option<i128> {
        match &self.display {
            NumDisplay::Enum { names, .. } => names.value(s),
            NumDisplay::Flags(names) => flags_from_str(names, s),
            NumDisplay::ByField { tables, .. } | NumDisplay::Multi { tables, .. } => {
                // The table of the current selector first, then any table (Scapy's s2i_all).
                let sel = self.selector(layer);
                tables
                    .iter()
                    .find(|(k, _)| Some(*k) == sel)
                    .and_then(|(_, t)| t.value(s))
                    .or_else(|| tables.iter().rev().find_map(|(_, t)| t.value(s)))
            }
            _ => None,
        }
    }

    fn selector(&self, layer: &LayerData) -> Option<i128> {
        match &self.display {
            NumDisplay::ByField { field, .. } => layer.int(field),
            NumDisplay::Multi { depends_on, .. } => depends_on(layer),
            _ => None,
        }
    }

    fn repr_one(&self, layer: &LayerData, i: i128) -> String {
        match &self.display {
            NumDisplay::Dec => i.to_string(),
            NumDisplay::Hex => py_hex(i),
            NumDisplay::Enum { names, hex } => match names.name(i) {
                Some(n) => n.into_owned(),
                None if *hex => py_hex(i),
                None => i.to_string(),
            },
            NumDisplay::Flags(names) => flags_to_string(names, i),
            NumDisplay::ByField { tables, .. } | NumDisplay::Multi { tables, .. } => {
                let sel = self.selector(layer);
                tables
                    .iter()
                    .find(|(k, _)| Some(*k) == sel)
                    .and_then(|(_, t)| t.name(i))
                    .map_or_else(|| i.to_string(), |n| n.into_owned())
            }
        }
    }

    /// The kind's Scapy format letter's random value (Field.randval): sized by bytes and
    /// signedness, any value of the width for bit fields.
    fn rand(&self) -> Value {
        use super::volatile as v;
        match (self.width, self.signed) {
            (Width::Bits(n), _) => v::rand_num(0, (1i128 << n.min(126)) - 1),
            (Width::Bytes(1), false) => v::rand_byte(),
            (Width::Bytes(1), true) => v::rand_sbyte(),
            (Width::Bytes(2), false) => v::rand_short(),
            (Width::Bytes(2), true) => v::rand_sshort(),
            (Width::Bytes(3 | 4), false) => v::rand_int(),
            (Width::Bytes(3 | 4), true) => v::rand_sint(),
            (Width::Bytes(_), false) => v::rand_long(),
            (Width::Bytes(_), true) => v::rand_slong(),
        }
    }

    fn sign_extend(&self, raw: u128) -> i128 {
        if self.signed {
            super::field::sign_extend(raw, self.nbits())
        } else {
            raw as i128
        }
    }
}

/// A FlagsField's bit names, least significant first. `multi` (names given as a list)
/// joins them with `+`; names given as one string are single letters, concatenated.
#[derive(Debug, Clone)]
pub struct FlagNames {
    /// The names.
    pub names: Vec<String>,
    /// Joined by `+` (a list of names) rather than concatenated (a string of letters).
    pub multi: bool,
}

fn flags_from_str(f: &FlagNames, s: &str) -> Option<i128> {
    let mut v = 0i128;
    if f.multi {
        for part in s.split('+').filter(|p| !p.is_empty()) {
            let i = f.names.iter().position(|n| n == part)?;
            v |= 1 << i;
        }
    } else {
        for c in s.chars() {
            let i = f.names.iter().position(|n| n.starts_with(c))?;
            v |= 1 << i;
        }
    }
    Some(v)
}

/// Scapy's `lhex`: integers in hex, inside lists and tuples too.
pub fn lhex(v: &Value) -> String {
    match v {
        Value::Int(i) => py_hex(*i),
        Value::List(l) => format!("[{}]", l.iter().map(lhex).collect::<Vec<_>>().join(", ")),
        Value::Tuple(t) => format!("({})", t.iter().map(lhex).collect::<Vec<_>>().join(", ")),
        other => other.py_repr(),
    }
}

/// Scapy's FlagValue text: the names of the set bits (`?` past the last name), joined by
/// `+` for a list of names, concatenated for a string of letters.
pub fn flags_to_string(f: &FlagNames, v: i128) -> String {
    let mut set: Vec<&str> = Vec::new();
    let mut x = v;
    let mut i = 0usize;
    while x > 0 && i < 127 {
        if x & 1 == 1 {
            set.push(f.names.get(i).map_or("?", String::as_str));
        }
        x >>= 1;
        i += 1;
    }
    if f.multi {
        set.join("+")
    } else {
        set.concat()
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

    fn le_bit_group(&self) -> Option<usize> {
        (self.le_group > 0).then_some(self.le_group)
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
            // A list of flag names is one value: the flags named (`["S", "A"]` is SA).
            Value::List(items)
                if matches!(self.display, NumDisplay::Flags(_))
                    && items.iter().all(|x| matches!(x, Value::Str(_))) =>
            {
                let mut v = 0;
                for x in &items {
                    if let Value::Str(s) = x {
                        v |= self
                            .name_to_int(layer, s)
                            .ok_or_else(|| FieldError::BadValue(format!("{s:?} is not in list")))?;
                    }
                }
                Ok(Value::Int(v))
            }
            Value::List(items) if !matches!(self.display, NumDisplay::Dec | NumDisplay::Hex) => {
                Ok(Value::List(
                    items
                        .into_iter()
                        .map(|x| self.any2i(layer, x))
                        .collect::<Result<_, _>>()?,
                ))
            }
            other => Ok(other),
        }
    }

    fn i2int(&self, ctx: &BuildCtx<'_>, v: &Value) -> Result<i128, String> {
        self.to_int(ctx, v)
    }

    fn int2i(&self, raw: i128) -> Value {
        Value::Int(self.sign_extend(raw as u128))
    }

    fn plain_bits(&self) -> Option<bool> {
        // int2i sign-extends to the field's own width, which the bits read are.
        matches!(self.width, Width::Bits(_)).then_some(self.signed)
    }

    fn fixed_int(&self) -> Option<FixedInt> {
        match self.width {
            Width::Bytes(n) => Some(FixedInt {
                bytes: n,
                le: self.le,
                signed: self.signed,
            }),
            Width::Bits(_) => None,
        }
    }

    fn addfield(&self, ctx: &BuildCtx<'_>, v: &Value, out: &mut Vec<u8>) -> Result<(), String> {
        let i = self.to_int(ctx, v)?;
        let bytes = match self.width {
            Width::Bytes(n) => n,
            Width::Bits(b) => b.div_ceil(8).min(255) as u8,
        };
        FixedInt {
            bytes,
            le: self.le,
            signed: self.signed,
        }
        .write(i, out);
        Ok(())
    }

    fn getfield(
        &self,
        _ctx: &mut DissectCtx<'_>,
        s: &[u8],
    ) -> Result<(usize, Option<Value>), Truncated> {
        if let Some(f) = self.fixed_int() {
            let n = usize::from(f.bytes);
            let b = s.get(..n).ok_or(Truncated)?;
            return Ok((n, Some(Value::Int(f.read(b)))));
        }
        let n = match self.width {
            Width::Bytes(n) => usize::from(n),
            Width::Bits(b) => b.div_ceil(8) as usize,
        };
        let b = s.get(..n).ok_or(Truncated)?;
        let raw = if self.le {
            b.iter().rev().fold(0, |a, &c| (a << 8) | u128::from(c))
        } else {
            b.iter().fold(0, |a, &c| (a << 8) | u128::from(c))
        };
        Ok((n, Some(Value::Int(self.sign_extend(raw)))))
    }

    fn i2repr_items(&self, layer: &LayerData, v: &Value) -> Option<Vec<String>> {
        let is_enum = matches!(
            self.display,
            NumDisplay::Enum { .. } | NumDisplay::ByField { .. } | NumDisplay::Multi { .. }
        );
        match v {
            Value::List(l) if is_enum => Some(
                l.iter()
                    .map(|x| match x {
                        Value::Int(i) => self.repr_one(layer, *i),
                        other => other.py_repr(),
                    })
                    .collect(),
            ),
            _ => None,
        }
    }

    fn i2repr(&self, layer: &LayerData, v: &Value) -> String {
        if let Some(items) = self.i2repr_items(layer, v) {
            // An enum shows a list as the list of its elements' names (a list of str).
            let parts: Vec<String> = items.iter().map(|s| py_str_repr(s)).collect();
            return format!("[{}]", parts.join(", "));
        }
        match v {
            Value::Int(i) => self.repr_one(layer, *i),
            Value::Volatile(r) => match self.display {
                // A FlagValue of a random value shows a drawn integer, as the reference.
                NumDisplay::Flags(_) => match r.draw() {
                    Value::Int(i) => i.to_string(),
                    other => other.py_repr(),
                },
                _ => r.repr(),
            },
            Value::List(_) | Value::Tuple(_) if matches!(self.display, NumDisplay::Hex) => lhex(v),
            other => other.py_repr(),
        }
    }

    fn randval(&self) -> Option<Value> {
        Some(self.rand())
    }

    fn repr_internal(&self, v: &Value) -> String {
        match (&self.display, v) {
            (NumDisplay::Flags(names), Value::Int(i)) => {
                format!("<Flag {} ({})>", i, flags_to_string(names, *i))
            }
            _ => v.py_repr(),
        }
    }

    fn command_repr(&self, _layer: &LayerData, v: &Value) -> String {
        match v {
            Value::Volatile(r) => r.command(),
            Value::Net(n) => n.command(),
            Value::Net6(n) => n.repr(),
            other => other.py_repr(),
        }
    }

    fn str_internal(&self, v: &Value) -> Option<String> {
        match (&self.display, v) {
            (NumDisplay::Flags(names), Value::Int(i)) => Some(flags_to_string(names, *i)),
            _ => None,
        }
    }

    fn ls_note(&self, layer: &LayerData) -> Option<String> {
        match &self.display {
            // MultiEnumField says what it depends on; BitMultiEnumField does not.
            NumDisplay::ByField { .. } | NumDisplay::Multi { .. }
                if !matches!(self.width, Width::Bits(_)) =>
            {
                let sel = self.selector(layer);
                Some(format!(
                    "Depends on {}",
                    sel.map_or_else(|| "None".to_string(), |s| s.to_string())
                ))
            }
            _ => None,
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
/// Names that are all one letter behave as Scapy's string form (`"FSRPAUECN"`).
pub fn flags(n: u32, names: &[&str]) -> Rc<dyn FieldKind> {
    let f = FlagNames {
        names: names.iter().map(|s| s.to_string()).collect(),
        multi: !names.iter().all(|n| n.chars().count() == 1),
    };
    Num::new("FlagsField", Width::Bits(n), NumDisplay::Flags(Rc::new(f))).rc()
}

/// FieldLenField's adjust: gets the layer and the measured length or count.
pub type AdjustFn = Rc<dyn Fn(&LayerData, i128) -> i128>;

/// FieldLenField's `length_of`: the machine length of another field, adjusted.
pub fn length_of(field: &str, adjust: impl Fn(i128) -> i128 + 'static) -> ComputeFn {
    length_of_with(field, Rc::new(move |_: &LayerData, x| adjust(x)))
}

/// `length_of` with Scapy's two-argument `adjust(pkt, x)`.
pub fn length_of_with(field: &str, adjust: AdjustFn) -> ComputeFn {
    let field = field.to_string();
    Rc::new(move |ctx: &BuildCtx<'_>| {
        let l = ctx.layer;
        let len = l.def.field_index(&field).map_or(0, |i| {
            let (kind, _) = l.def.fields[i].resolve(l);
            kind.i2len(l, l.value_ref(i))
        });
        adjust(l, len as i128)
    })
}

/// FieldLenField's `count_of`: the number of elements of another field, adjusted.
pub fn count_of(field: &str, adjust: impl Fn(i128) -> i128 + 'static) -> ComputeFn {
    count_of_with(field, Rc::new(move |_: &LayerData, x| adjust(x)))
}

/// `count_of` with Scapy's two-argument `adjust(pkt, x)`.
pub fn count_of_with(field: &str, adjust: AdjustFn) -> ComputeFn {
    let field = field.to_string();
    Rc::new(move |ctx: &BuildCtx<'_>| {
        let l = ctx.layer;
        let n = l.def.field_index(&field).map_or(0, |i| {
            let (kind, _) = l.def.fields[i].resolve(l);
            kind.i2count(l.value_ref(i))
        });
        adjust(l, n as i128)
    })
}

/// LenField: the payload's length, adjusted.
pub fn payload_len(adjust: impl Fn(i128) -> i128 + 'static) -> ComputeFn {
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
    /// The next hop's MAC (DestMACField): a multicast group's MAC, else the neighbour's,
    /// else broadcast.
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
            role: AddrRole::Dest,
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
                let dst = match layer
                    .get(dst)
                    .map(|d| super::sets::first_element(d).into_owned())
                {
                    Some(Value::Ip4(a)) => a,
                    // An unset destination (DestIPField) is the loopback address.
                    Some(Value::None) => Ipv4Addr::LOCALHOST,
                    _ => Ipv4Addr::UNSPECIFIED,
                };
                let r = super::resolver::current();
                Value::Ip4(r.source_ipv4(dst).unwrap_or(Ipv4Addr::UNSPECIFIED))
            }
            // DestIPField: unset is the loopback address (the reference's default when no
            // binding says otherwise).
            (Value::None, AddrRole::Dest) => Value::Ip4(Ipv4Addr::LOCALHOST),
            (other, _) => other.clone(),
        }
    }

    fn convert(v: Value) -> Result<Value, FieldError> {
        Ok(match v {
            Value::Str(s) => {
                if let Ok(a) = s.parse::<Ipv4Addr>() {
                    Value::Ip4(a)
                } else if s.contains(['/', '*'])
                    || super::sets::inet_aton(&s).is_none() && s.split('.').any(|p| p.contains('-'))
                {
                    Value::Net(Rc::new(
                        super::sets::Net::parse(&s).map_err(FieldError::BadValue)?,
                    ))
                } else {
                    // inet_aton's short forms and host names stay text (resolved at build).
                    Value::Str(s)
                }
            }
            Value::Tuple(t) if t.len() == 2 => match (&t[0], &t[1]) {
                (a, b) if !matches!(a, Value::Int(_)) => {
                    let text = |v: &Value| match v {
                        Value::Str(s) => s.clone(),
                        Value::Ip4(a) => a.to_string(),
                        other => other.py_repr(),
                    };
                    Value::Net(Rc::new(
                        super::sets::Net::span(&text(a), &text(b)).map_err(FieldError::BadValue)?,
                    ))
                }
                _ => Value::Tuple(t),
            },
            Value::Bytes(b) => Self::convert(Value::Str(String::from_utf8_lossy(&b).into_owned()))?,
            Value::List(items) => Value::List(
                items
                    .into_iter()
                    .map(Self::convert)
                    .collect::<Result<_, _>>()?,
            ),
            other => other,
        })
    }
}

impl FieldKind for IpField {
    fn class_name(&self) -> &str {
        self.class
    }

    fn i2h(&self, layer: &LayerData, v: &Value) -> Value {
        self.effective(layer, v)
    }

    fn any2i(&self, _layer: &LayerData, v: Value) -> Result<Value, FieldError> {
        Self::convert(v)
    }

    fn addfield(&self, ctx: &BuildCtx<'_>, v: &Value, out: &mut Vec<u8>) -> Result<(), String> {
        match self.effective(ctx.layer, v).resolved() {
            Value::Ip4(a) => out.extend_from_slice(&a.octets()),
            Value::None => out.extend_from_slice(&[0; 4]),
            Value::Int(i) => out.extend_from_slice(&(i as u32).to_be_bytes()),
            Value::Bytes(b) => out.extend_from_slice(&b),
            // inet_aton's short forms, else a host name through the session's resolver.
            Value::Str(s) => match super::sets::inet_aton(&s)
                .or_else(|| ctx.resolver.host_ipv4(&s).map(u32::from))
            {
                Some(a) => out.extend_from_slice(&a.to_be_bytes()),
                None => return Err(format!("cannot resolve host name {s:?}")),
            },
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
        Ok((4, Some(FixedAddr::Ip4.read(b))))
    }

    fn fixed_addr(&self) -> Option<FixedAddr> {
        Some(FixedAddr::Ip4)
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

    fn randval(&self) -> Option<Value> {
        super::volatile::rand_ip(None).ok()
    }

    fn repr_human(&self, layer: &LayerData, v: &Value) -> String {
        self.effective(layer, v).py_repr()
    }

    fn command_repr(&self, _layer: &LayerData, v: &Value) -> String {
        command_value(v)
    }
}

/// command()'s text for a value with no field-specific form: Python's repr, random values
/// and networks as the expressions that rebuild them.
pub fn command_value(v: &Value) -> String {
    match v {
        Value::Volatile(r) => r.command(),
        Value::Net(n) => n.command(),
        Value::Net6(n) => n.repr(),
        Value::Packet(p) => p.command(),
        Value::List(l) => format!(
            "[{}]",
            l.iter().map(command_value).collect::<Vec<_>>().join(", ")
        ),
        other => other.py_repr(),
    }
}

/// MACField / SourceMACField / DestMACField / ARPSourceMACField.
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
    /// ARPSourceMACField: the MAC of the interface towards the ARP target.
    pub fn arp_source() -> Rc<dyn FieldKind> {
        Rc::new(MacField {
            class: "ARPSourceMACField",
            role: AddrRole::Source("pdst".into()),
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
        match Self::payload_dst(layer) {
            Some(std::net::IpAddr::V4(a)) => Some(a),
            _ => None,
        }
    }

    /// The IPv4 or IPv6 destination of the payload (its first one, for a set).
    fn payload_dst(layer: &LayerData) -> Option<std::net::IpAddr> {
        let p = layer.payload()?;
        match p
            .get("dst")
            .as_ref()
            .map(super::sets::first_element)
            .as_deref()
        {
            Some(Value::Ip4(a)) => Some(std::net::IpAddr::V4(*a)),
            Some(Value::Ip6(a)) => Some(std::net::IpAddr::V6(*a)),
            _ => None,
        }
    }

    /// The MAC of the next hop towards the payload's destination (ARP or ND).
    fn neighbour(r: &dyn super::resolver::Resolver, layer: &LayerData) -> Option<[u8; 6]> {
        match Self::payload_dst(layer)? {
            std::net::IpAddr::V4(a) => r.neighbour_mac(a),
            std::net::IpAddr::V6(a) => r.neighbour_mac6(a),
        }
    }

    /// Scapy's getmacbyip/getmacbyip6 for multicast destinations: the MAC an IPv4 group
    /// (01:00:5e and its low 23 bits) or an IPv6 group (33:33 and its low 32 bits) maps to,
    /// known without any traffic. 802.1Q tags are looked through, as Scapy's resolver does.
    fn multicast_mac(layer: &LayerData) -> Option<[u8; 6]> {
        let mut p = layer.payload()?.clone();
        while p.def().is_a_name("Dot1Q") {
            p = p.payload()?;
        }
        let dst = p.get("dst")?;
        match super::sets::first_element(&dst).as_ref() {
            Value::Ip4(a) if a.is_multicast() => {
                let o = a.octets();
                Some([0x01, 0x00, 0x5e, o[1] & 0x7f, o[2], o[3]])
            }
            Value::Ip6(a) if a.is_multicast() => {
                let o = a.octets();
                Some([0x33, 0x33, o[12], o[13], o[14], o[15]])
            }
            _ => None,
        }
    }

    fn effective(&self, layer: &LayerData, v: &Value) -> Value {
        match (v, &self.role) {
            (Value::None, AddrRole::Dest) => {
                if let Some(m) = Self::multicast_mac(layer) {
                    return Value::Mac(m);
                }
                let r = super::resolver::current();
                let m = Self::neighbour(r.as_ref(), layer);
                Value::Mac(m.unwrap_or([0xff; 6]))
            }
            (Value::None, AddrRole::Source(f)) => {
                let r = super::resolver::current();
                if let (true, Some(std::net::IpAddr::V6(a))) =
                    (f.is_empty(), Self::payload_dst(layer))
                {
                    if let Some(m) = r.interface_mac6(a) {
                        return Value::Mac(m);
                    }
                }
                let towards = if f.is_empty() {
                    Self::payload_ip_dst(layer)
                } else {
                    match layer.get(f) {
                        Some(Value::Ip4(a)) => Some(*a),
                        _ => None,
                    }
                };
                Value::Mac(r.interface_mac(towards).unwrap_or([0; 6]))
            }
            (other, _) => other.clone(),
        }
    }
}

/// A MAC address given as text: kept as the text when it is not written as the reference
/// shows MACs (`AA:BB:...` stays in capitals, as Scapy keeps the string it was given), else
/// the address.
fn mac_value(s: String) -> Value {
    // Only the canonical text (what mac_to_string gives back: lowercase, colons) becomes
    // an address; other spellings stay text, shown as given.
    let canonical = s.len() == 17
        && s.bytes().enumerate().all(|(i, c)| match i % 3 {
            2 => c == b':',
            _ => c.is_ascii_digit() || (b'a'..=b'f').contains(&c),
        });
    match parse_mac(&s) {
        Some(m) if canonical => Value::Mac(m),
        Some(_) | None => Value::Str(s),
    }
}

impl FieldKind for MacField {
    fn class_name(&self) -> &str {
        self.class
    }

    fn i2h(&self, layer: &LayerData, v: &Value) -> Value {
        // An unset destination MAC reads as None (the reference resolves it only to build).
        if v.is_none() && self.role == AddrRole::Dest {
            return Value::None;
        }
        self.effective(layer, v)
    }

    fn any2i(&self, _layer: &LayerData, v: Value) -> Result<Value, FieldError> {
        Ok(match v {
            Value::Str(s) => mac_value(s),
            Value::List(items) => Value::List(
                items
                    .into_iter()
                    .map(|i| match i {
                        Value::Str(s) => mac_value(s),
                        o => o,
                    })
                    .collect(),
            ),
            other => other,
        })
    }

    fn addfield(&self, ctx: &BuildCtx<'_>, v: &Value, out: &mut Vec<u8>) -> Result<(), String> {
        if v.is_none() && self.role == AddrRole::Dest {
            let known = Self::multicast_mac(ctx.layer).is_some()
                || Self::neighbour(ctx.resolver, ctx.layer).is_some();
            if !known {
                super::log::log_warning(
                    "MAC address to reach destination not found. Using broadcast.",
                );
            }
        }
        let v = match self.effective(ctx.layer, v).resolved() {
            Value::Str(s) => parse_mac(&s).map_or(Value::Str(s), Value::Mac),
            other => other,
        };
        match v {
            Value::Mac(m) => out.extend_from_slice(&m),
            // An unset MACField is all zeros, as the reference's i2m of None.
            Value::None => out.extend_from_slice(&[0; 6]),
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
        Ok((6, Some(FixedAddr::Mac.read(b))))
    }

    fn fixed_addr(&self) -> Option<FixedAddr> {
        Some(FixedAddr::Mac)
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

    fn randval(&self) -> Option<Value> {
        super::volatile::rand_mac(None).ok()
    }

    fn repr_human(&self, layer: &LayerData, v: &Value) -> String {
        if v.is_none() && self.role == AddrRole::Dest {
            return "None".to_string();
        }
        self.effective(layer, v).py_repr()
    }

    fn command_repr(&self, _layer: &LayerData, v: &Value) -> String {
        command_value(v)
    }
}

/// How many bytes a string field takes when dissecting.
#[derive(Clone)]
pub enum StrLen {
    /// All the rest but the last `remain` bytes (StrField).
    Rest(usize),
    /// Exactly `n` (StrFixedLenField): shorter values are padded with zeros when built.
    Fixed(usize),
    /// StrFixedLenField with `length_from`: that many bytes, padded when built.
    FixedFrom(LengthFn),
    /// As another field says (StrLenField's `length_from`). `max` (Scapy's `max_length`)
    /// only bounds the random values fuzz() draws: dissection takes what `length_from` says.
    From(LengthFn, Option<usize>),
}

/// StrField / StrFixedLenField / StrLenField and their X (hex-shown) variants.
pub struct StrField {
    class: &'static str,
    len: StrLen,
    hex: bool,
}

impl StrField {
    /// StrField: takes the rest.
    pub fn rest() -> Rc<dyn FieldKind> {
        Self::with("StrField", StrLen::Rest(0), false)
    }
    /// StrFixedLenField.
    pub fn fixed(n: usize) -> Rc<dyn FieldKind> {
        Self::with("StrFixedLenField", StrLen::Fixed(n), false)
    }
    /// StrLenField.
    pub fn length_from(f: LengthFn) -> Rc<dyn FieldKind> {
        Self::with("StrLenField", StrLen::From(f, None), false)
    }
    /// Any string kind: its class name, how it takes its bytes, whether shown in hex.
    pub fn with(class: &'static str, len: StrLen, hex: bool) -> Rc<dyn FieldKind> {
        Rc::new(StrField { class, len, hex })
    }

    fn fixed_len(&self, layer: &LayerData) -> Option<usize> {
        match &self.len {
            StrLen::Fixed(n) => Some(*n),
            // A negative length (the length field unset) means "as long as the value".
            StrLen::FixedFrom(f) => usize::try_from(f(layer)).ok(),
            _ => None,
        }
    }
}

/// The bytes of a string-like value (text is UTF-8 encoded, numbers as their digits).
pub fn value_bytes(v: &Value) -> Result<Vec<u8>, String> {
    bytes_of(v).map(std::borrow::Cow::into_owned)
}

/// [`value_bytes`], borrowing the bytes a value holds (no copy for bytes and text).
pub fn bytes_of(v: &Value) -> Result<std::borrow::Cow<'_, [u8]>, String> {
    match v {
        Value::Volatile(r) => concrete_bytes(&r.draw()).map(|b| b.into_owned().into()),
        other => concrete_bytes(other),
    }
}

/// The bytes of a value that is not volatile (a drawn one).
fn concrete_bytes(v: &Value) -> Result<std::borrow::Cow<'_, [u8]>, String> {
    use std::borrow::Cow;
    match v {
        Value::Bytes(b) => Ok(Cow::Borrowed(b)),
        Value::Str(s) => Ok(Cow::Borrowed(s.as_bytes())),
        Value::None => Ok(Cow::Borrowed(&[])),
        Value::Int(i) => Ok(Cow::Owned(i.to_string().into_bytes())),
        Value::Packet(p) => super::build::build(p)
            .map(Cow::Owned)
            .map_err(|e| e.to_string()),
        other => Err(format!(
            "a bytes-like object is required, not {}",
            other.py_repr()
        )),
    }
}

/// The hex digits of bytes, lower case (XStrField's display).
pub fn hex_string(b: &[u8]) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(b.len() * 2);
    for c in b {
        let _ = write!(s, "{c:02x}");
    }
    s
}

impl FieldKind for StrField {
    fn class_name(&self) -> &str {
        self.class
    }

    fn fixed_bytes(&self) -> Option<usize> {
        match self.len {
            StrLen::Fixed(n) => Some(n),
            _ => None,
        }
    }

    fn takes_rest(&self) -> bool {
        matches!(self.len, StrLen::Rest(0))
    }

    fn any2i(&self, _layer: &LayerData, v: Value) -> Result<Value, FieldError> {
        Ok(match v {
            Value::Str(s) => Value::Bytes(s.into_bytes()),
            other => other,
        })
    }

    fn addfield(&self, ctx: &BuildCtx<'_>, v: &Value, out: &mut Vec<u8>) -> Result<(), String> {
        let b = bytes_of(v)?;
        match self.fixed_len(ctx.layer) {
            Some(n) => {
                let take = b.len().min(n);
                out.extend_from_slice(&b[..take]);
                out.resize(out.len() + (n - take), 0);
            }
            None => out.extend_from_slice(&b),
        }
        Ok(())
    }

    fn getfield(
        &self,
        ctx: &mut DissectCtx<'_>,
        s: &[u8],
    ) -> Result<(usize, Option<Value>), Truncated> {
        let n = match &self.len {
            StrLen::Rest(r) => s.len().saturating_sub(*r),
            StrLen::Fixed(n) => (*n).min(s.len()),
            StrLen::FixedFrom(f) => usize::try_from(f(ctx.layer)).unwrap_or(0).min(s.len()),
            StrLen::From(f, _) => usize::try_from(f(ctx.layer)).unwrap_or(0).min(s.len()),
        };
        Ok((n, Some(Value::Bytes(s[..n].to_vec()))))
    }

    fn i2repr(&self, _layer: &LayerData, v: &Value) -> String {
        match v {
            Value::Bytes(b) if self.hex => hex_string(b),
            Value::Bytes(b) if matches!(self.len, StrLen::Fixed(_) | StrLen::FixedFrom(_)) => {
                let end = b.iter().rposition(|&c| c != 0).map_or(0, |p| p + 1);
                py_bytes_repr(&b[..end])
            }
            Value::Bytes(b) => py_bytes_repr(b),
            Value::Volatile(r) => r.repr(),
            other => other.py_repr(),
        }
    }

    fn i2len(&self, layer: &LayerData, v: &Value) -> usize {
        match self.fixed_len(layer) {
            Some(n) => n,
            None => value_bytes(v).map_or(0, |b| b.len()),
        }
    }

    fn randval(&self) -> Option<Value> {
        use super::volatile as r;
        Some(match &self.len {
            StrLen::Fixed(n) => r::rand_bin(Some(*n as i128)),
            StrLen::FixedFrom(_) => r::rand_bin_upto(200),
            StrLen::From(_, Some(max)) => r::rand_bin_upto(*max as i128),
            _ => r::rand_bin_upto(1200),
        })
    }

    fn command_repr(&self, _layer: &LayerData, v: &Value) -> String {
        command_value(v)
    }
}

/// A function a field calls with the layer: `length_from`, `count_from`, a condition.
pub type PktFn = Rc<dyn Fn(&LayerData) -> i128>;

/// A function that dissects bytes into a packet (`None`: it could not).
pub type PktFromBytes = Rc<dyn Fn(&[u8]) -> Option<Packet>>;

/// What a packet-holding field dissects its elements as.
#[derive(Clone)]
pub enum PktCls {
    /// One class.
    Class(Rc<LayerDef>),
    /// A class chosen from the element's first bytes (IP options by number).
    Dispatch(DispatchFn),
    /// A function that dissects the bytes itself (Scapy's callable `pkt_cls`).
    Call(PktFromBytes),
}

impl PktCls {
    /// Dissects one element as Scapy's `m2i` does: the whole of `s` (payload included);
    /// a Padding layer at the end is taken off and its bytes returned.
    fn dissect(&self, s: &[u8], warnings: &mut Vec<String>) -> (Packet, Vec<u8>) {
        let p = match self {
            PktCls::Class(d) => dissect::dissect_nested(d, s, warnings),
            PktCls::Dispatch(f) => dissect::dissect_nested(&f(s), s, warnings),
            PktCls::Call(f) => match f(s) {
                Some(p) => p,
                None => Packet::raw_with(&super::base::raw_def(), s),
            },
        };
        let rest = take_padding(&p);
        (p, rest)
    }

    /// The class name, for messages.
    pub fn name(&self) -> String {
        match self {
            PktCls::Class(d) => d.class_name.clone(),
            _ => "?".into(),
        }
    }
}

/// Removes a trailing Padding layer from `p` and returns its bytes.
fn take_padding(p: &Packet) -> Vec<u8> {
    let layers = p.layers();
    let Some(pos) = layers.iter().position(|l| l.def().is_padding) else {
        return Vec::new();
    };
    let bytes = match layers[pos].get("load") {
        Some(Value::Bytes(b)) => b,
        _ => Vec::new(),
    };
    if pos > 0 {
        layers[pos - 1].remove_payload();
    }
    bytes
}

/// Picks the class of the next element of a packet list from its first bytes.
pub type DispatchFn = Rc<dyn Fn(&[u8]) -> Rc<LayerDef>>;

/// PacketListField's `next_cls_cb(pkt, lst, cur, remain)`: the class of the next element
/// (`None` ends the list), given the elements so far, the last one and the bytes left.
pub type NextClsFn =
    Rc<dyn Fn(&LayerData, &[Packet], Option<&Packet>, &[u8]) -> Option<Rc<LayerDef>>>;

/// The largest list a dissection builds (Scapy's `conf.max_list_count`).
pub const MAX_LIST_COUNT: usize = 100;

/// PacketListField: a list of packets, limited by `length_from` bytes or `count_from`
/// elements (else the rest), each dissected as a whole packet whose trailing padding is
/// the rest; the IP options table uses `elements` mode (fields only) and `align` padding.
pub struct PacketListField {
    cls: PktCls,
    length_from: Option<LengthFn>,
    count_from: Option<LengthFn>,
    next_cls: Option<NextClsFn>,
    max_count: Option<usize>,
    align: usize,
    elements: bool,
}

impl PacketListField {
    /// The IP options flavour: elements by dispatch, fields only, padded to `align`.
    pub fn rc(
        dispatch: DispatchFn,
        length_from: Option<LengthFn>,
        align: usize,
    ) -> Rc<dyn FieldKind> {
        Rc::new(PacketListField {
            cls: PktCls::Dispatch(dispatch),
            length_from,
            count_from: None,
            next_cls: None,
            max_count: None,
            align: align.max(1),
            elements: true,
        })
    }

    /// Scapy's `PacketListField(name, default, pkt_cls, count_from, length_from,
    /// next_cls_cb, max_count)`.
    pub fn scapy(
        cls: PktCls,
        count_from: Option<LengthFn>,
        length_from: Option<LengthFn>,
        next_cls: Option<NextClsFn>,
        max_count: Option<usize>,
    ) -> Rc<dyn FieldKind> {
        Rc::new(PacketListField {
            cls,
            length_from,
            count_from,
            next_cls,
            max_count,
            align: 1,
            elements: false,
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

/// `[<A  |>, <B  |>]`: a list of packets as repr() shows it.
fn packets_repr(v: &Value) -> String {
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

impl FieldKind for PacketListField {
    fn class_name(&self) -> &str {
        "PacketListField"
    }

    fn any2i(&self, _layer: &LayerData, v: Value) -> Result<Value, FieldError> {
        // As in the reference, anything but a list (a packet, raw bytes) becomes a list of
        // one element.
        Ok(match v {
            Value::List(_) | Value::None | Value::Volatile(_) => v,
            other => Value::List(vec![other]),
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
        let mut count = match (&self.length_from, &self.count_from) {
            (None, Some(c)) => Some(c(ctx.layer)),
            _ => None,
        };
        // With next_cls_cb, the callback names each element's class; None ends the list.
        let mut next: Option<Rc<LayerDef>> = None;
        if let Some(cb) = &self.next_cls {
            next = cb(ctx.layer, &[], None, s);
            count = Some(i128::from(next.is_some()));
        }
        let max = self.max_count.unwrap_or(MAX_LIST_COUNT);
        let mut rest: Vec<u8> = s[..n].to_vec();
        let mut items = Vec::new();
        let mut packets: Vec<Packet> = Vec::new();
        while !rest.is_empty() {
            if let Some(c) = count.as_mut() {
                if *c <= 0 {
                    break;
                }
                *c -= 1;
            }
            if items.len() >= max {
                // The reference raises here; the list stops and its bytes go back to the
                // layer (they become Raw or the next fields).
                ctx.warnings.push(format!(
                    "Maximum amount of items reached in PacketListField: {max} (defaults to \
                     conf.max_list_count)"
                ));
                break;
            }
            if self.elements {
                let def = match &self.cls {
                    PktCls::Dispatch(f) => f(&rest),
                    PktCls::Class(d) => d.clone(),
                    PktCls::Call(_) => super::base::raw_def(),
                };
                let (p, used) = dissect::dissect_element(&def, &rest, ctx.warnings);
                items.push(Value::Packet(p));
                // An element always consumes something, so a malformed list still ends.
                rest.drain(..used.clamp(1, rest.len()));
            } else {
                let cls = match &next {
                    Some(d) => PktCls::Class(d.clone()),
                    None => self.cls.clone(),
                };
                let had_padding = |p: &Packet| p.lastlayer().def().is_padding;
                let (p, pad) = {
                    let p0 = match &cls {
                        PktCls::Class(d) => dissect::dissect_nested(d, &rest, ctx.warnings),
                        PktCls::Dispatch(f) => {
                            dissect::dissect_nested(&f(&rest), &rest, ctx.warnings)
                        }
                        PktCls::Call(f) => f(&rest)
                            .unwrap_or_else(|| Packet::raw_with(&super::base::raw_def(), &rest)),
                    };
                    let padded = had_padding(&p0);
                    let pad = take_padding(&p0);
                    (p0, padded.then_some(pad))
                };
                match pad {
                    Some(pad) => {
                        rest = pad;
                        if let Some(cb) = &self.next_cls {
                            next = cb(ctx.layer, &packets, Some(&p), &rest);
                            if next.is_some() {
                                *count.get_or_insert(0) += 1;
                            }
                        }
                    }
                    None => rest.clear(),
                }
                packets.push(p.clone());
                items.push(Value::Packet(p));
            }
        }
        // What the elements left (and what was past length_from) goes back to the layer.
        Ok((n - rest.len().min(n), Some(Value::List(items))))
    }

    fn i2repr(&self, _layer: &LayerData, v: &Value) -> String {
        packets_repr(v)
    }

    fn i2len(&self, _layer: &LayerData, v: &Value) -> usize {
        let r = super::resolver::current();
        self.build_items(v, r.as_ref()).map_or(0, |b| b.len())
    }

    fn holds_packets(&self) -> bool {
        true
    }

    fn is_list(&self) -> bool {
        true
    }

    fn command_repr(&self, _layer: &LayerData, v: &Value) -> String {
        match v {
            Value::List(l) => format!(
                "[{}]",
                l.iter().map(command_value).collect::<Vec<_>>().join(",")
            ),
            other => command_value(other),
        }
    }
}

/// PacketField / PacketLenField: one packet of a class, taking the rest of the bytes (its
/// padding goes back to the layer) or exactly `length_from` bytes.
pub struct PacketField {
    cls: PktCls,
    length_from: Option<LengthFn>,
}

impl PacketField {
    /// PacketField (no `length_from`) or PacketLenField.
    pub fn rc(cls: PktCls, length_from: Option<LengthFn>) -> Rc<dyn FieldKind> {
        Rc::new(PacketField { cls, length_from })
    }
}

impl FieldKind for PacketField {
    fn class_name(&self) -> &str {
        if self.length_from.is_some() {
            "PacketLenField"
        } else {
            "PacketField"
        }
    }

    fn addfield(&self, ctx: &BuildCtx<'_>, v: &Value, out: &mut Vec<u8>) -> Result<(), String> {
        match v {
            Value::None => {}
            Value::Packet(p) => {
                out.extend(build::build_with(p, ctx.resolver).map_err(|e| e.to_string())?)
            }
            other => out.extend_from_slice(&bytes_of(other)?),
        }
        Ok(())
    }

    fn getfield(
        &self,
        ctx: &mut DissectCtx<'_>,
        s: &[u8],
    ) -> Result<(usize, Option<Value>), Truncated> {
        match &self.length_from {
            Some(f) => {
                let n = usize::try_from(f(ctx.layer)).unwrap_or(0).min(s.len());
                if n == 0 {
                    return Ok((0, Some(Value::None)));
                }
                let (p, _) = self.cls.dissect(&s[..n], ctx.warnings);
                // Padding of a length-bounded packet stays inside it, as the reference.
                let p = reattach_padding(p, &s[..n]);
                Ok((n, Some(Value::Packet(p))))
            }
            None => {
                let (p, pad) = self.cls.dissect(s, ctx.warnings);
                Ok((s.len() - pad.len().min(s.len()), Some(Value::Packet(p))))
            }
        }
    }

    fn i2repr(&self, _layer: &LayerData, v: &Value) -> String {
        match v {
            Value::Packet(p) => p.repr(),
            other => other.py_repr(),
        }
    }

    fn i2len(&self, _layer: &LayerData, v: &Value) -> usize {
        match v {
            Value::Packet(p) => build::build(p).map_or(0, |b| b.len()),
            _ => 0,
        }
    }

    fn randval(&self) -> Option<Value> {
        // fuzz(cls()), as the reference.
        match &self.cls {
            PktCls::Class(d) => Some(Value::Packet(super::inspect::fuzz(&Packet::new(d)))),
            _ => None,
        }
    }

    fn command_repr(&self, _layer: &LayerData, v: &Value) -> String {
        command_value(v)
    }
}

/// PacketLenField keeps a bounded element's padding: the reference dissects `s[:len]` and
/// does not remove its Padding layer.
fn reattach_padding(p: Packet, whole: &[u8]) -> Packet {
    let built = build::build(&p).map(|b| b.len()).unwrap_or(whole.len());
    if built < whole.len() {
        p.lastlayer().link_payload(Packet::raw_with(
            &super::base::padding_def(),
            &whole[built..],
        ));
    }
    p
}

/// FieldListField: a list of values of one kind, limited by `length_from` bytes or
/// `count_from` elements (else the rest).
pub struct FieldListField {
    elem: Rc<dyn FieldKind>,
    length_from: Option<LengthFn>,
    count_from: Option<LengthFn>,
    max_count: Option<usize>,
}

impl FieldListField {
    /// A list of `elem` values within `length_from` bytes (or the rest).
    pub fn rc(elem: Rc<dyn FieldKind>, length_from: Option<LengthFn>) -> Rc<dyn FieldKind> {
        Self::scapy(elem, length_from, None, None)
    }

    /// Scapy's `FieldListField(name, default, field, length_from, count_from, max_count)`.
    pub fn scapy(
        elem: Rc<dyn FieldKind>,
        length_from: Option<LengthFn>,
        count_from: Option<LengthFn>,
        max_count: Option<usize>,
    ) -> Rc<dyn FieldKind> {
        Rc::new(FieldListField {
            elem,
            length_from,
            count_from,
            max_count,
        })
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
            Value::None => Ok(Value::None),
            other => Ok(Value::List(vec![self.elem.any2i(layer, other)?])),
        }
    }

    fn addfield(&self, ctx: &BuildCtx<'_>, v: &Value, out: &mut Vec<u8>) -> Result<(), String> {
        if let Value::List(l) = v {
            if let Some(w) = self.elem.bit_width() {
                // A list of bit fields packs its elements MSB-first.
                let (mut acc, mut nbits) = (0u128, 0u32);
                for i in l {
                    let x = self.elem.i2int(ctx, i)?;
                    acc = (acc << w) | (x as u128 & ((1u128 << w) - 1));
                    nbits += w;
                    while nbits >= 8 {
                        out.push((acc >> (nbits - 8)) as u8);
                        nbits -= 8;
                    }
                    acc &= (1u128 << nbits) - 1;
                }
                if nbits > 0 {
                    out.push((acc << (8 - nbits)) as u8);
                }
                return Ok(());
            }
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
        let mut count = match (&self.length_from, &self.count_from) {
            (None, Some(c)) => Some(c(ctx.layer)),
            _ => None,
        };
        let max = self.max_count.unwrap_or(MAX_LIST_COUNT);
        let limit_reached = |warnings: &mut Vec<String>| {
            // The reference raises here; the list stops and its bytes go back to the layer.
            warnings.push(format!(
                "Maximum amount of items reached in FieldListField: {max} (defaults to \
                 conf.max_list_count)"
            ));
        };
        let mut items = Vec::new();
        if let Some(w) = self.elem.bit_width() {
            // Bit fields follow each other MSB-first, as they were built.
            let w = w.clamp(1, 64) as usize;
            let mut bit = 0;
            while let Some(x) = dissect::read_bits(&s[..n], bit, w) {
                if let Some(c) = count.as_mut() {
                    if *c <= 0 {
                        break;
                    }
                    *c -= 1;
                }
                if items.len() >= max {
                    limit_reached(ctx.warnings);
                    break;
                }
                items.push(self.elem.int2i(x as i128));
                bit += w;
            }
            return Ok((bit.div_ceil(8), Some(Value::List(items))));
        }
        let mut pos = 0;
        while pos < n {
            if let Some(c) = count.as_mut() {
                if *c <= 0 {
                    break;
                }
                *c -= 1;
            }
            if items.len() >= max {
                limit_reached(ctx.warnings);
                break;
            }
            let (used, v) = self.elem.getfield(ctx, &s[pos..n])?;
            items.extend(v);
            // An element that takes nothing would loop forever: the list ends.
            if used == 0 {
                break;
            }
            pos += used;
        }
        Ok((pos, Some(Value::List(items))))
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

    fn is_list(&self) -> bool {
        true
    }

    fn repr_internal(&self, v: &Value) -> String {
        match v {
            Value::List(l) => format!(
                "[{}]",
                l.iter()
                    .map(|x| self.elem.repr_internal(x))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            other => other.py_repr(),
        }
    }

    fn command_repr(&self, layer: &LayerData, v: &Value) -> String {
        match v {
            Value::List(l) => format!(
                "[{}]",
                l.iter()
                    .map(|x| self.elem.command_repr(layer, x))
                    .collect::<Vec<_>>()
                    .join(",")
            ),
            other => command_value(other),
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

    fn i2h(&self, layer: &LayerData, v: &Value) -> Value {
        self.inner.i2h(layer, v)
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

    fn is_list(&self) -> bool {
        self.inner.is_list()
    }

    fn randval(&self) -> Option<Value> {
        self.inner.randval()
    }

    fn repr_internal(&self, v: &Value) -> String {
        self.inner.repr_internal(v)
    }

    fn repr_human(&self, layer: &LayerData, v: &Value) -> String {
        self.inner.repr_human(layer, v)
    }

    fn command_repr(&self, layer: &LayerData, v: &Value) -> String {
        self.inner.command_repr(layer, v)
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

    #[test]
    fn only_the_canonical_mac_text_becomes_an_address() {
        let m = [0x00, 0x11, 0x22, 0xaa, 0xbb, 0xcc];
        assert_eq!(mac_value("00:11:22:aa:bb:cc".into()), Value::Mac(m));
        for other in [
            "00:11:22:AA:BB:CC",
            "00-11-22-aa-bb-cc",
            "001122aabbcc",
            "00:11:22:aa:bb",
            "zz:11:22:aa:bb:cc",
        ] {
            assert_eq!(mac_value(other.into()), Value::Str(other.into()), "{other}");
        }
    }
}
