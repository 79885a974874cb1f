//! Field values: what the engine stores for a field (the "internal" representation).

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::rc::Rc;

use super::packet::Packet;

/// A value drawn anew at each build (`RandShort()`, `RandIP()`, ...).
pub trait Volatile {
    /// Draws the concrete value this build uses.
    fn draw(&self) -> Value;
    /// How `repr()` shows the generator (e.g. `<RandShort>`).
    fn repr(&self) -> String;
    /// The expression that rebuilds the generator (`RandShort()`), for `command()`.
    fn command(&self) -> String;
}

/// A field value. Integers are `i128` so that every 64-bit field, signed or not, fits.
#[derive(Clone)]
pub enum Value {
    /// Python's `None`: "unset", computed at build time for lengths and checksums.
    None,
    /// Any integer (ports, flags, enum values, bit fields).
    Int(i128),
    /// Raw bytes (`load`, string fields).
    Bytes(Vec<u8>),
    /// Text as the user gave it (an enum name, a host name before conversion, an option name).
    Str(String),
    /// An IPv4 address.
    Ip4(Ipv4Addr),
    /// An IPv6 address.
    Ip6(Ipv6Addr),
    /// A MAC address.
    Mac([u8; 6]),
    /// A float (IEEEFloatField, BCDFloatField).
    Float(f64),
    /// A network (`Net("198.51.100.0/30")`): a set of IPv4 addresses an IP field may hold.
    Net(Rc<super::sets::Net>),
    /// An IPv6 network (`Net6("2001:db8::/126")`): a set of addresses an IPv6 field may hold.
    Net6(Rc<super::sets::Net6>),
    /// A Python list (IP options, FieldListField values, TCP options).
    List(Vec<Value>),
    /// A Python tuple (a TCP option `("MSS", 1460)`).
    Tuple(Vec<Value>),
    /// A packet held by a field (PacketField, PacketListField elements).
    Packet(Packet),
    /// A random value, drawn at each build.
    Volatile(Rc<dyn Volatile>),
    /// A packet class (what a PacketListField's `next_cls_cb` returns).
    Class(Rc<super::layer::LayerDef>),
}

impl Value {
    /// The integer inside, if this is one.
    pub fn as_int(&self) -> Option<i128> {
        match self {
            Value::Int(i) => Some(*i),
            _ => None,
        }
    }

    /// Python's truth value (`if x:`): zero, empty and `None` are false.
    pub fn truthy(&self) -> bool {
        match self {
            Value::None => false,
            Value::Int(i) => *i != 0,
            Value::Float(f) => *f != 0.0,
            Value::Bytes(b) => !b.is_empty(),
            Value::Str(s) => !s.is_empty(),
            Value::List(l) | Value::Tuple(l) => !l.is_empty(),
            _ => true,
        }
    }

    /// The value as a float, for the float kinds (integers convert).
    pub fn as_float(&self) -> Option<f64> {
        match self {
            Value::Float(f) => Some(*f),
            Value::Int(i) => Some(*i as f64),
            _ => None,
        }
    }

    /// True for `None`.
    pub fn is_none(&self) -> bool {
        matches!(self, Value::None)
    }

    /// The concrete value a build uses: volatile values are drawn, others are themselves.
    pub fn resolved(&self) -> Value {
        match self {
            Value::Volatile(v) => v.draw(),
            other => other.clone(),
        }
    }

    /// [`Value::resolved`] without copying a value that is not volatile.
    #[inline]
    pub fn concrete(&self) -> std::borrow::Cow<'_, Value> {
        match self {
            Value::Volatile(v) => std::borrow::Cow::Owned(v.draw()),
            other => std::borrow::Cow::Borrowed(other),
        }
    }

    /// Python's `repr()` of the value, as Scapy shows values that have no field-specific form
    /// (inside tuples and lists: `('MSS', 1460)`).
    pub fn py_repr(&self) -> String {
        let mut s = String::new();
        self.write_py_repr(&mut s);
        s
    }

    fn write_py_repr(&self, out: &mut String) {
        match self {
            Value::None => out.push_str("None"),
            Value::Int(i) => out.push_str(&i.to_string()),
            Value::Float(f) => out.push_str(&py_float_repr(*f)),
            Value::Net(n) => out.push_str(&n.repr()),
            Value::Net6(n) => out.push_str(&n.repr()),
            Value::Bytes(b) => out.push_str(&py_bytes_repr(b)),
            Value::Str(s) => out.push_str(&py_str_repr(s)),
            Value::Ip4(a) => out.push_str(&py_str_repr(&a.to_string())),
            Value::Ip6(a) => out.push_str(&py_str_repr(&a.to_string())),
            Value::Mac(m) => out.push_str(&py_str_repr(&mac_to_string(m))),
            Value::List(items) => {
                out.push('[');
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    v.write_py_repr(out);
                }
                out.push(']');
            }
            Value::Tuple(items) => {
                out.push('(');
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    v.write_py_repr(out);
                }
                if items.len() == 1 {
                    out.push(',');
                }
                out.push(')');
            }
            Value::Packet(p) => out.push_str(&p.repr()),
            Value::Volatile(v) => out.push_str(&v.repr()),
            Value::Class(c) => {
                out.push_str("<class '");
                out.push_str(&c.class_name);
                out.push_str("'>");
            }
        }
    }
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.py_repr())
    }
}

impl PartialEq for Value {
    fn eq(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::None, Value::None) => true,
            (Value::Int(a), Value::Int(b)) => a == b,
            (Value::Float(a), Value::Float(b)) => a == b,
            (Value::Int(a), Value::Float(b)) | (Value::Float(b), Value::Int(a)) => *a as f64 == *b,
            (Value::Net(a), Value::Net(b)) => a.start == b.start && a.count == b.count,
            (Value::Net6(a), Value::Net6(b)) => a.start == b.start && a.stop == b.stop,
            (Value::Bytes(a), Value::Bytes(b)) => a == b,
            (Value::Str(a), Value::Str(b)) => a == b,
            (Value::Ip4(a), Value::Ip4(b)) => a == b,
            (Value::Ip6(a), Value::Ip6(b)) => a == b,
            (Value::Mac(a), Value::Mac(b)) => a == b,
            (Value::List(a), Value::List(b)) | (Value::Tuple(a), Value::Tuple(b)) => a == b,
            (Value::Packet(a), Value::Packet(b)) => a.ptr_eq(b),
            (Value::Volatile(a), Value::Volatile(b)) => Rc::ptr_eq(a, b),
            (Value::Class(a), Value::Class(b)) => Rc::ptr_eq(a, b),
            _ => false,
        }
    }
}

impl From<i128> for Value {
    fn from(i: i128) -> Value {
        Value::Int(i)
    }
}

impl From<i64> for Value {
    fn from(i: i64) -> Value {
        Value::Int(i128::from(i))
    }
}

impl From<u32> for Value {
    fn from(i: u32) -> Value {
        Value::Int(i128::from(i))
    }
}

impl From<i32> for Value {
    fn from(i: i32) -> Value {
        Value::Int(i128::from(i))
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::Str(s.to_string())
    }
}

impl From<&[u8]> for Value {
    fn from(b: &[u8]) -> Value {
        Value::Bytes(b.to_vec())
    }
}

impl From<Vec<u8>> for Value {
    fn from(b: Vec<u8>) -> Value {
        Value::Bytes(b)
    }
}

impl From<Packet> for Value {
    fn from(p: Packet) -> Value {
        Value::Packet(p)
    }
}

/// `00:11:22:33:44:55`, lower case, as Scapy shows MACs.
pub fn mac_to_string(m: &[u8; 6]) -> String {
    format!(
        "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
        m[0], m[1], m[2], m[3], m[4], m[5]
    )
}

/// Parses `00:11:22:33:44:55` (also with `-`, or 12 hex digits); `None` if it is not a MAC.
pub fn parse_mac(s: &str) -> Option<[u8; 6]> {
    if let Some(m) = parse_mac_colons(s.as_bytes()) {
        return Some(m);
    }
    let digits: Vec<u8> = s
        .bytes()
        .filter(|c| *c != b':' && *c != b'-' && *c != b'.')
        .collect();
    let parts: Vec<&str> = s.split([':', '-']).collect();
    let mut out = [0u8; 6];
    if parts.len() == 6 {
        for (o, p) in out.iter_mut().zip(parts) {
            if p.is_empty() || p.len() > 2 {
                return None;
            }
            *o = u8::from_str_radix(p, 16).ok()?;
        }
        return Some(out);
    }
    if digits.len() == 12 {
        for (i, o) in out.iter_mut().enumerate() {
            let pair = std::str::from_utf8(&digits[2 * i..2 * i + 2]).ok()?;
            *o = u8::from_str_radix(pair, 16).ok()?;
        }
        return Some(out);
    }
    None
}

/// The common form, `00:11:22:33:44:55` (or with `-`), read directly.
fn parse_mac_colons(b: &[u8]) -> Option<[u8; 6]> {
    if b.len() != 17 {
        return None;
    }
    let hex = |c: u8| char::from(c).to_digit(16).map(|d| d as u8);
    let mut out = [0u8; 6];
    for (i, o) in out.iter_mut().enumerate() {
        let at = 3 * i;
        if i > 0 && !matches!(b[at - 1], b':' | b'-') {
            return None;
        }
        *o = hex(b[at])? << 4 | hex(b[at + 1])?;
    }
    Some(out)
}

/// Python's `repr()` of a `bytes` object: `b'GET / HTTP/1.0\r\n'`.
pub fn py_bytes_repr(b: &[u8]) -> String {
    // Python picks double quotes only when the bytes hold a single quote and no double quote.
    let quote = if b.contains(&b'\'') && !b.contains(&b'"') {
        b'"'
    } else {
        b'\''
    };
    let mut s = String::with_capacity(b.len() + 3);
    s.push('b');
    s.push(quote as char);
    for &c in b {
        match c {
            b'\\' => s.push_str("\\\\"),
            b'\t' => s.push_str("\\t"),
            b'\n' => s.push_str("\\n"),
            b'\r' => s.push_str("\\r"),
            c if c == quote => {
                s.push('\\');
                s.push(c as char);
            }
            0x20..=0x7e => s.push(c as char),
            _ => s.push_str(&format!("\\x{:02x}", c)),
        }
    }
    s.push(quote as char);
    s
}

/// Python's `repr()` of a `str`.
pub fn py_str_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

/// Python's `repr()` of a float: the shortest digits that read back the same, in fixed
/// notation for exponents from -4 to 15 and scientific notation otherwise (`1e-07`, `1e+16`).
pub fn py_float_repr(f: f64) -> String {
    if f.is_nan() {
        return "nan".to_string();
    }
    if f.is_infinite() {
        return if f > 0.0 { "inf" } else { "-inf" }.to_string();
    }
    // Rust's `{:e}` gives the shortest round-trip digits, as Python's repr does.
    let sci = format!("{:e}", f);
    let (mant, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let neg = mant.starts_with('-');
    let digits: String = mant.chars().filter(|c| c.is_ascii_digit()).collect();
    let sign = if neg { "-" } else { "" };
    if (-4..16).contains(&exp) {
        let point = exp + 1;
        let s = if point <= 0 {
            format!("0.{}{}", "0".repeat((-point) as usize), digits)
        } else if point as usize >= digits.len() {
            format!("{}{}.0", digits, "0".repeat(point as usize - digits.len()))
        } else {
            format!(
                "{}.{}",
                &digits[..point as usize],
                &digits[point as usize..]
            )
        };
        format!("{sign}{s}")
    } else {
        let m = if digits.len() > 1 {
            format!("{}.{}", &digits[..1], &digits[1..])
        } else {
            digits
        };
        let es = if exp < 0 { '-' } else { '+' };
        format!("{sign}{m}e{es}{:02}", exp.abs())
    }
}

/// Python's `hex()` of an integer: `0x1f`, `-0x5`.
pub fn py_hex(i: i128) -> String {
    if i < 0 {
        format!("-0x{:x}", i.unsigned_abs())
    } else {
        format!("0x{:x}", i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_repr_follows_python() {
        assert_eq!(py_bytes_repr(b"GET /\r\n"), "b'GET /\\r\\n'");
        assert_eq!(py_bytes_repr(b"\x00P "), "b'\\x00P '");
        assert_eq!(py_bytes_repr(b"it's"), "b\"it's\"");
        assert_eq!(py_bytes_repr(b"'\""), "b'\\'\"'");
    }

    #[test]
    fn tuple_repr() {
        let t = Value::Tuple(vec![Value::Str("MSS".into()), Value::Int(1460)]);
        assert_eq!(t.py_repr(), "('MSS', 1460)");
        assert_eq!(Value::Tuple(vec![Value::Int(1)]).py_repr(), "(1,)");
    }

    #[test]
    fn float_repr_follows_python() {
        for (f, want) in [
            (1.0, "1.0"),
            (0.1, "0.1"),
            (1e-7, "1e-07"),
            (1e16, "1e+16"),
            (123456789012345678.0, "1.2345678901234568e+17"),
            (1.5e300, "1.5e+300"),
            (-0.0, "-0.0"),
            (2.5e-5, "2.5e-05"),
            (0.0001, "0.0001"),
            (1e15, "1000000000000000.0"),
        ] {
            assert_eq!(py_float_repr(f), want);
        }
    }

    #[test]
    fn mac_parsing() {
        assert_eq!(
            parse_mac("00:0a:0b:0c:0d:0e"),
            Some([0, 10, 11, 12, 13, 14])
        );
        assert_eq!(parse_mac("nonsense"), None);
        assert_eq!(parse_mac("1:2:3:4:5:6"), Some([1, 2, 3, 4, 5, 6]));
    }
}
