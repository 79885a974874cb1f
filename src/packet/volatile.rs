//! Random values (Scapy's volatile values): a field holding one draws a new concrete value at
//! each build. `repr()` shows `<RandShort>`, `command()` the expression that rebuilds it.
//!
//! The generator is per thread (a session runs on one thread) and can be seeded with
//! [`seed`] so that a campaign's random packets are reproducible.

use std::cell::Cell;
use std::net::Ipv4Addr;
use std::rc::Rc;

use super::sets::Net;
use super::value::{py_bytes_repr, py_str_repr, Value, Volatile};

thread_local! {
    static STATE: Cell<u64> = Cell::new(initial_seed());
}

fn initial_seed() -> u64 {
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0x9e37_79b9, |d| d.as_nanos() as u64);
    t ^ 0x5851_f42d_4c95_7f2d | 1
}

/// Reseeds this thread's generator (Python's `random.seed(n)`, for reproducible draws).
pub fn seed(n: u64) {
    STATE.with(|s| s.set(n.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1));
}

/// The next 64 random bits (xorshift64*).
pub fn next_u64() -> u64 {
    STATE.with(|s| {
        let mut x = s.get();
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        s.set(x);
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    })
}

/// A uniform integer in `[low, high]` (inclusive, as `random.randint`).
pub fn randint(low: i128, high: i128) -> i128 {
    let (low, high) = (low.min(high), high.max(low));
    let span = (high - low) as u128 + 1;
    let r = (u128::from(next_u64()) << 64) | u128::from(next_u64());
    low + (r % span) as i128
}

/// A uniform float in `[0, 1)`.
pub fn random_f64() -> f64 {
    (next_u64() >> 11) as f64 / (1u64 << 53) as f64
}

/// What a random value draws.
#[derive(Clone, Debug)]
pub enum RandKind {
    /// An integer in `[low, high]` (`RandNum`, `RandShort`, `RandSInt`, `RandEnum`...).
    Num {
        /// Lowest value.
        low: i128,
        /// Highest value.
        high: i128,
    },
    /// `int(random.expovariate(lambd)) + base` (`RandNumExpo`, a size that is usually small).
    Expo {
        /// The rate.
        lambd: f64,
        /// Added to each draw.
        base: i128,
    },
    /// An IPv4 address within a network (`RandIP("10.0.0.0/8")`).
    Ip(Rc<Net>),
    /// Any IPv6 address (`RandIP6()`).
    Ip6,
    /// A MAC address from a template: per byte a value, `*` (any) or `a-b` (a range).
    Mac(Vec<(u8, u8)>),
    /// Letters and digits, as text (`RandString(n)`).
    Text(Box<RandValue>),
    /// Any bytes (`RandBin(n)`).
    Bin(Box<RandValue>),
    /// Any bytes, none equal to `term`, then `term` (`RandTermString`).
    Term(Box<RandValue>, Vec<u8>),
    /// One of the given values (`RandChoice(a, b, ...)`).
    Choice(Vec<Value>),
    /// A size, fixed or random (the argument of RandString/RandBin).
    Fixed(i128),
}

/// A random value: what it draws, its class name and the arguments `command()` shows.
#[derive(Clone, Debug)]
pub struct RandValue {
    /// Scapy's class name (`RandShort`).
    pub class: &'static str,
    /// What it draws.
    pub kind: RandKind,
    /// `command()` arguments, already in Python syntax (`min=1, max=5`).
    pub args: String,
}

const LETTERS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

impl RandValue {
    fn new(class: &'static str, kind: RandKind, args: String) -> RandValue {
        RandValue { class, kind, args }
    }

    /// As a field value.
    pub fn value(self) -> Value {
        Value::Volatile(Rc::new(self))
    }

    fn draw_size(&self) -> usize {
        match self.draw() {
            Value::Int(i) => usize::try_from(i.clamp(0, 1 << 20)).unwrap_or(0),
            _ => 0,
        }
    }
}

impl Volatile for RandValue {
    fn draw(&self) -> Value {
        match &self.kind {
            RandKind::Num { low, high } => Value::Int(randint(*low, *high)),
            RandKind::Fixed(n) => Value::Int(*n),
            RandKind::Expo { lambd, base } => {
                let u = 1.0 - random_f64();
                Value::Int((-u.ln() / lambd) as i128 + base)
            }
            RandKind::Ip(net) => {
                let off = randint(0, net.count.saturating_sub(1) as i128) as u64;
                Value::Ip4(Ipv4Addr::from((u64::from(net.start) + off) as u32))
            }
            RandKind::Ip6 => Value::Ip6(std::net::Ipv6Addr::from(
                (u128::from(next_u64()) << 64) | u128::from(next_u64()),
            )),
            RandKind::Mac(t) => {
                let mut m = [0u8; 6];
                for (o, (lo, hi)) in m.iter_mut().zip(t) {
                    *o = randint(i128::from(*lo), i128::from(*hi)) as u8;
                }
                Value::Mac(m)
            }
            RandKind::Text(size) => {
                let n = size.draw_size();
                Value::Str(
                    (0..n)
                        .map(|_| LETTERS[randint(0, LETTERS.len() as i128 - 1) as usize] as char)
                        .collect(),
                )
            }
            RandKind::Bin(size) => {
                let n = size.draw_size();
                Value::Bytes((0..n).map(|_| next_u64() as u8).collect())
            }
            RandKind::Term(size, term) => {
                let n = size.draw_size();
                let mut b: Vec<u8> = Vec::with_capacity(n + term.len());
                while b.len() < n {
                    let c = next_u64() as u8;
                    if !term.contains(&c) {
                        b.push(c);
                    }
                }
                b.extend_from_slice(term);
                Value::Bytes(b)
            }
            RandKind::Choice(items) => {
                if items.is_empty() {
                    Value::None
                } else {
                    items[randint(0, items.len() as i128 - 1) as usize].clone()
                }
            }
        }
    }

    fn repr(&self) -> String {
        format!("<{}>", self.class)
    }

    fn command(&self) -> String {
        format!("{}({})", self.class, self.args)
    }
}

fn sized(class: &'static str, low: i128, high: i128) -> Value {
    RandValue::new(class, RandKind::Num { low, high }, String::new()).value()
}

/// `RandByte()`: 0..=255.
pub fn rand_byte() -> Value {
    sized("RandByte", 0, 0xff)
}
/// `RandSByte()`: -128..=127.
pub fn rand_sbyte() -> Value {
    sized("RandSByte", -0x80, 0x7f)
}
/// `RandShort()`: 0..=65535.
pub fn rand_short() -> Value {
    sized("RandShort", 0, 0xffff)
}
/// `RandSShort()`.
pub fn rand_sshort() -> Value {
    sized("RandSShort", -0x8000, 0x7fff)
}
/// `RandInt()`.
pub fn rand_int() -> Value {
    sized("RandInt", 0, 0xffff_ffff)
}
/// `RandSInt()`.
pub fn rand_sint() -> Value {
    sized("RandSInt", -0x8000_0000, 0x7fff_ffff)
}
/// `RandLong()`.
pub fn rand_long() -> Value {
    sized("RandLong", 0, 0xffff_ffff_ffff_ffff)
}
/// `RandSLong()`.
pub fn rand_slong() -> Value {
    sized("RandSLong", -0x8000_0000_0000_0000, 0x7fff_ffff_ffff_ffff)
}

/// `RandNum(min, max)`.
pub fn rand_num(min: i128, max: i128) -> Value {
    RandValue::new(
        "RandNum",
        RandKind::Num {
            low: min,
            high: max,
        },
        format!("min={min}, max={max}"),
    )
    .value()
}

/// `RandEnum(min, max)`: what fuzz() puts in enum fields.
pub fn rand_enum(min: i128, max: i128) -> Value {
    RandValue::new(
        "RandEnum",
        RandKind::Num {
            low: min,
            high: max,
        },
        format!("min={min}, max={max}"),
    )
    .value()
}

/// `RandNumExpo(lambd, base=0)`.
pub fn rand_num_expo(lambd: f64, base: i128) -> RandValue {
    let args = if base == 0 {
        format!("lambd={}", super::value::py_float_repr(lambd))
    } else {
        format!("lambd={}, base={base}", super::value::py_float_repr(lambd))
    };
    RandValue::new("RandNumExpo", RandKind::Expo { lambd, base }, args)
}

/// `RandIP(template="0.0.0.0/0")`.
pub fn rand_ip(template: Option<&str>) -> Result<Value, String> {
    let t = template.unwrap_or("0.0.0.0/0");
    let net = Net::parse(t)?;
    let args = match template {
        Some(t) => format!("iptemplate={}", py_str_repr(t)),
        None => String::new(),
    };
    Ok(RandValue::new("RandIP", RandKind::Ip(Rc::new(net)), args).value())
}

/// `RandIP6()`: any IPv6 address.
pub fn rand_ip6() -> Value {
    RandValue::new("RandIP6", RandKind::Ip6, String::new()).value()
}

/// `RandMAC(template="*")`: `*` any byte, `a-b` a hex range, `xx` a fixed byte; missing
/// bytes are `*`.
pub fn rand_mac(template: Option<&str>) -> Result<Value, String> {
    let t = template.unwrap_or("*");
    let mut parts: Vec<(u8, u8)> = Vec::with_capacity(6);
    for p in t.split(':') {
        let hex =
            |s: &str| u8::from_str_radix(s, 16).map_err(|_| format!("bad MAC template part {s:?}"));
        parts.push(if p == "*" {
            (0, 0xff)
        } else if let Some((a, b)) = p.split_once('-') {
            (hex(a)?, hex(b)?)
        } else {
            let v = hex(p)?;
            (v, v)
        });
    }
    parts.resize(6, (0, 0xff));
    parts.truncate(6);
    let args = match template {
        Some(t) => format!("template={}", py_str_repr(t)),
        None => String::new(),
    };
    Ok(RandValue::new("RandMAC", RandKind::Mac(parts), args).value())
}

fn size_arg(size: Option<i128>) -> (RandValue, String) {
    match size {
        Some(n) => (
            RandValue::new("RandNum", RandKind::Fixed(n), String::new()),
            format!("size={n}"),
        ),
        None => (rand_num_expo(0.01, 0), String::new()),
    }
}

/// `RandString(size)`: letters and digits; without a size, a usually short random length.
pub fn rand_string(size: Option<i128>) -> Value {
    let (s, args) = size_arg(size);
    RandValue::new("RandString", RandKind::Text(Box::new(s)), args).value()
}

/// `RandBin(size)`: any bytes.
pub fn rand_bin(size: Option<i128>) -> Value {
    let (s, args) = size_arg(size);
    RandValue::new("RandBin", RandKind::Bin(Box::new(s)), args).value()
}

/// What fuzz() puts in a string field: any bytes, 0 to 1200 of them.
pub fn rand_bin_upto(max: i128) -> Value {
    let s = RandValue::new(
        "RandNum",
        RandKind::Num { low: 0, high: max },
        String::new(),
    );
    RandValue::new(
        "RandBin",
        RandKind::Bin(Box::new(s)),
        format!("size=RandNum(min=0, max={max})"),
    )
    .value()
}

/// `RandTermString(size, term)`.
pub fn rand_term_string(size: i128, term: &[u8]) -> Value {
    RandValue::new(
        "RandTermString",
        RandKind::Term(
            Box::new(RandValue::new(
                "RandNum",
                RandKind::Fixed(size),
                String::new(),
            )),
            term.to_vec(),
        ),
        format!("size={size}, term={}", py_bytes_repr(term)),
    )
    .value()
}

/// What fuzz() puts in a StrNullField/StrStopField: random bytes free of the terminator,
/// up to 1200 of them, then the terminator.
pub fn rand_term_upto(max: i128, term: &[u8]) -> Value {
    RandValue::new(
        "RandTermString",
        RandKind::Term(
            Box::new(RandValue::new(
                "RandNum",
                RandKind::Num { low: 0, high: max },
                String::new(),
            )),
            term.to_vec(),
        ),
        format!(
            "size=RandNum(min=0, max={max}), term={}",
            py_bytes_repr(term)
        ),
    )
    .value()
}

/// `RandChoice(*values)`.
pub fn rand_choice(values: Vec<Value>) -> Value {
    let args = values
        .iter()
        .map(Value::py_repr)
        .collect::<Vec<_>>()
        .join(", ");
    RandValue::new("RandChoice", RandKind::Choice(values), args).value()
}

/// A random value by Scapy class name with positional integer/str arguments (the
/// constructor registry of the language bridge calls this).
pub fn rand_by_name(class: &str, args: &[Value]) -> Result<Value, String> {
    let int = |i: usize| args.get(i).and_then(Value::as_int);
    let text = |i: usize| match args.get(i) {
        Some(Value::Str(s)) => Some(s.clone()),
        _ => None,
    };
    Ok(match class {
        "RandByte" => rand_byte(),
        "RandSByte" => rand_sbyte(),
        "RandShort" => rand_short(),
        "RandSShort" => rand_sshort(),
        "RandInt" => rand_int(),
        "RandSInt" => rand_sint(),
        "RandLong" => rand_long(),
        "RandSLong" => rand_slong(),
        "RandNum" | "RandEnum" => {
            let (Some(a), Some(b)) = (int(0), int(1)) else {
                return Err(format!("{class}() takes min and max integers"));
            };
            if class == "RandNum" {
                rand_num(a, b)
            } else {
                rand_enum(a, b)
            }
        }
        "RandIP" => rand_ip(text(0).as_deref())?,
        "RandIP6" => rand_ip6(),
        "RandMAC" => rand_mac(text(0).as_deref())?,
        "RandString" => rand_string(int(0)),
        "RandBin" => rand_bin(int(0)),
        "RandChoice" => rand_choice(args.to_vec()),
        "RandTermString" => match (int(0), args.get(1)) {
            (Some(n), Some(Value::Bytes(t))) => rand_term_string(n, t),
            _ => return Err("RandTermString() takes a size and a terminator".into()),
        },
        _ => return Err(format!("no random value class {class}")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_and_reprs() {
        seed(7);
        for _ in 0..500 {
            let v = rand_sbyte().resolved().as_int().unwrap_or(999);
            assert!((-128..=127).contains(&v));
            match rand_ip(Some("10.0.0.0/8")).map(|v| v.resolved()) {
                Ok(Value::Ip4(a)) => assert_eq!(a.octets()[0], 10),
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(rand_short().py_repr(), "<RandShort>");
        let Value::Volatile(r) = rand_num(1, 5) else {
            panic!()
        };
        assert_eq!(r.command(), "RandNum(min=1, max=5)");
        let Value::Volatile(m) = rand_mac(Some("00:11:*:22:*:*")).unwrap_or(Value::None) else {
            panic!()
        };
        assert_eq!(m.command(), "RandMAC(template='00:11:*:22:*:*')");
        match m.draw() {
            Value::Mac(b) => assert_eq!((b[0], b[1], b[3]), (0, 0x11, 0x22)),
            other => panic!("{other:?}"),
        }
        match rand_string(Some(5)).resolved() {
            Value::Str(s) => assert_eq!(s.len(), 5),
            other => panic!("{other:?}"),
        }
    }
}
