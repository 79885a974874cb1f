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
    /// A Python list (IP options, FieldListField values, TCP options).
    List(Vec<Value>),
    /// A Python tuple (a TCP option `("MSS", 1460)`).
    Tuple(Vec<Value>),
    /// A packet held by a field (PacketField, PacketListField elements).
    Packet(Packet),
    /// A random value, drawn at each build.
    Volatile(Rc<dyn Volatile>),
}

impl Value {
    /// The integer inside, if this is one.
    pub fn as_int(&self) -> Option<i128> {
        match self {
            Value::Int(i) => Some(*i),
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
            (Value::Bytes(a), Value::Bytes(b)) => a == b,
            (Value::Str(a), Value::Str(b)) => a == b,
            (Value::Ip4(a), Value::Ip4(b)) => a == b,
            (Value::Ip6(a), Value::Ip6(b)) => a == b,
            (Value::Mac(a), Value::Mac(b)) => a == b,
            (Value::List(a), Value::List(b)) | (Value::Tuple(a), Value::Tuple(b)) => a == b,
            (Value::Packet(a), Value::Packet(b)) => a.ptr_eq(b),
            (Value::Volatile(a), Value::Volatile(b)) => Rc::ptr_eq(a, b),
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

/// Python's `hex()` of an integer: `0x1f`, `-0x5`.
pub fn py_hex(i: i128) -> String {
    if i < 0 {
        format!("-0x{:x}", i.unsigned_abs())
    } else {
        format!("0x{:x}", i)
    }
}

/// A uniform random integer in `[low, high]`, drawn at each build (`RandNum(a, b)` and the
/// sized helpers `RandByte`, `RandShort`, ... are this with fixed bounds).
pub struct RandNum {
    low: i128,
    high: i128,
    name: &'static str,
    state: std::cell::Cell<u64>,
}

impl RandNum {
    /// A generator of integers in `[low, high]`, shown as `<name>` by repr.
    pub fn new(name: &'static str, low: i128, high: i128, seed: u64) -> RandNum {
        RandNum {
            low: low.min(high),
            high: high.max(low),
            name,
            state: std::cell::Cell::new(seed | 1),
        }
    }
}

impl Volatile for RandNum {
    fn draw(&self) -> Value {
        // xorshift64*: cheap, and reproducible from the seed, which tests want.
        let mut x = self.state.get();
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.state.set(x);
        let r = x.wrapping_mul(0x2545_f491_4f6c_dd1d);
        let span = (self.high - self.low) as u128 + 1;
        Value::Int(self.low + (u128::from(r) % span) as i128)
    }

    fn repr(&self) -> String {
        format!("<{}>", self.name)
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
    fn mac_parsing() {
        assert_eq!(
            parse_mac("00:0a:0b:0c:0d:0e"),
            Some([0, 10, 11, 12, 13, 14])
        );
        assert_eq!(parse_mac("nonsense"), None);
        assert_eq!(parse_mac("1:2:3:4:5:6"), Some([1, 2, 3, 4, 5, 6]));
    }

    #[test]
    fn rand_num_stays_in_range() {
        let r = RandNum::new("RandByte", 0, 255, 7);
        for _ in 0..1000 {
            let v = r.draw().as_int().unwrap_or(-1);
            assert!((0..=255).contains(&v));
        }
    }
}
