//! More generic field kinds (chapter 6.5): floats, BCD floats, fixed-point and ICMP
//! timestamps, char enums, NUL- and stop-terminated strings, IPv6 addresses, raw IP options,
//! ActionField, and enum tables built at run time.

use std::collections::HashMap;
use std::net::Ipv6Addr;
use std::rc::Rc;

use super::field::{BuildCtx, DissectCtx, FieldError, FieldKind, Truncated};
use super::fields::{command_value, value_bytes, Num, NumDisplay, Width};
use super::packet::{LayerData, Packet};
use super::value::{py_bytes_repr, py_float_repr, py_str_repr, Value};
use super::volatile;

/// An enum table built at run time (a dict in a campaign's `fields_desc`).
#[derive(Debug, Default, Clone)]
pub struct DictNames {
    by_num: HashMap<i128, String>,
    by_name: HashMap<String, i128>,
}

impl DictNames {
    /// From `(value, name)` pairs; a later pair wins, as in a dict.
    pub fn new(pairs: impl IntoIterator<Item = (i128, String)>) -> DictNames {
        let mut d = DictNames::default();
        for (k, v) in pairs {
            d.by_name.insert(v.clone(), k);
            d.by_num.insert(k, v);
        }
        d
    }

    /// Number of names.
    pub fn len(&self) -> usize {
        self.by_num.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.by_num.is_empty()
    }
}

impl super::fields::EnumNames for DictNames {
    fn name(&self, v: i128) -> Option<std::borrow::Cow<'_, str>> {
        self.by_num.get(&v).map(|s| s.as_str().into())
    }
    fn value(&self, name: &str) -> Option<i128> {
        self.by_name.get(name).copied()
    }
}

/// IEEEFloatField (4 bytes) / IEEEDoubleField (8 bytes).
pub struct FloatField {
    double: bool,
}

impl FloatField {
    /// IEEEFloatField or, with `double`, IEEEDoubleField.
    pub fn rc(double: bool) -> Rc<dyn FieldKind> {
        Rc::new(FloatField { double })
    }
}

fn float_of(v: &Value) -> Result<f64, String> {
    match v.resolved() {
        Value::Float(f) => Ok(f),
        Value::Int(i) => Ok(i as f64),
        Value::None => Ok(0.0),
        other => Err(format!(
            "required argument is not a float: {}",
            other.py_repr()
        )),
    }
}

impl FieldKind for FloatField {
    fn class_name(&self) -> &str {
        if self.double {
            "IEEEDoubleField"
        } else {
            "IEEEFloatField"
        }
    }

    fn addfield(&self, _ctx: &BuildCtx<'_>, v: &Value, out: &mut Vec<u8>) -> Result<(), String> {
        let f = float_of(v)?;
        if self.double {
            out.extend_from_slice(&f.to_be_bytes());
        } else {
            out.extend_from_slice(&(f as f32).to_be_bytes());
        }
        Ok(())
    }

    fn getfield(
        &self,
        _ctx: &mut DissectCtx<'_>,
        s: &[u8],
    ) -> Result<(usize, Option<Value>), Truncated> {
        if self.double {
            let b: [u8; 8] = s
                .get(..8)
                .ok_or(Truncated)?
                .try_into()
                .map_err(|_| Truncated)?;
            Ok((8, Some(Value::Float(f64::from_be_bytes(b)))))
        } else {
            let b: [u8; 4] = s
                .get(..4)
                .ok_or(Truncated)?
                .try_into()
                .map_err(|_| Truncated)?;
            Ok((4, Some(Value::Float(f64::from(f32::from_be_bytes(b))))))
        }
    }

    fn i2repr(&self, _layer: &LayerData, v: &Value) -> String {
        v.py_repr()
    }

    fn i2len(&self, _layer: &LayerData, _v: &Value) -> usize {
        if self.double {
            8
        } else {
            4
        }
    }
}

/// BCDFloatField: a float sent as `int(256 * x)` in two bytes, read back as `x / 256.0`.
pub struct BcdFloatField;

impl FieldKind for BcdFloatField {
    fn class_name(&self) -> &str {
        "BCDFloatField"
    }

    fn addfield(&self, _ctx: &BuildCtx<'_>, v: &Value, out: &mut Vec<u8>) -> Result<(), String> {
        let x = match v.resolved() {
            Value::None => 0,
            other => (256.0 * float_of(&other)?) as i64,
        };
        out.extend_from_slice(&(x as u16).to_be_bytes());
        Ok(())
    }

    fn getfield(
        &self,
        _ctx: &mut DissectCtx<'_>,
        s: &[u8],
    ) -> Result<(usize, Option<Value>), Truncated> {
        let b = s.get(..2).ok_or(Truncated)?;
        let x = u16::from_be_bytes([b[0], b[1]]);
        Ok((2, Some(Value::Float(f64::from(x) / 256.0))))
    }

    fn i2repr(&self, _layer: &LayerData, v: &Value) -> String {
        v.py_repr()
    }

    fn i2len(&self, _layer: &LayerData, _v: &Value) -> usize {
        2
    }

    fn randval(&self) -> Option<Value> {
        Some(volatile::rand_short())
    }
}

/// Seconds between the NTP era (1900) and the Unix epoch.
pub const NTP_BASETIME: i128 = 2_208_988_800;

/// FixedPointField / TimeStampField: a bit field holding `value * 2**frac_bits`; shown as
/// the exact decimal rounded to the precision the fraction has (`12.0999999999`).
/// TimeStampField (64 bits, 32 fraction bits) shows NTP times as dates and is "now" when
/// unset.
pub struct FixedPointField {
    size: u32,
    frac_bits: u32,
    ntp: bool,
}

impl FixedPointField {
    /// FixedPointField(size, frac_bits).
    pub fn rc(size: u32, frac_bits: u32) -> Rc<dyn FieldKind> {
        Rc::new(FixedPointField {
            size,
            frac_bits,
            ntp: false,
        })
    }

    /// TimeStampField: 64 bits, 32 of them fraction.
    pub fn timestamp() -> Rc<dyn FieldKind> {
        Rc::new(FixedPointField {
            size: 64,
            frac_bits: 32,
            ntp: true,
        })
    }

    fn to_fixed(&self, f: f64) -> i128 {
        let ival = f.trunc() as i128;
        let fract = ((f - f.trunc()) * 2f64.powi(self.frac_bits as i32)) as i128;
        (ival << self.frac_bits) | fract
    }

    /// The decimal text of a fixed-point value (Python's `str(Decimal)` of `i2h`).
    pub fn decimal(&self, val: i128) -> String {
        decimal_text(val, self.frac_bits)
    }
}

/// `int_part + Decimal(frac) / 2**bits` normalized to `int(log10(2**bits))` digits, as Scapy
/// computes it, in Python's Decimal text form.
fn decimal_text(val: i128, bits: u32) -> String {
    let int_part = val >> bits;
    let frac = (val & ((1i128 << bits) - 1)) as u128;
    let precision = (f64::from(bits) * std::f64::consts::LOG10_2) as u32;
    if frac == 0 || precision == 0 {
        return int_part.to_string();
    }
    // frac / 2**bits = frac * 5**bits / 10**bits exactly; keep the digits as a string.
    let digits = big_mul_pow5(frac, bits);
    // digits (no leading zeros) times 10**-bits: round to 28 significant digits (Decimal's
    // division context), then to `precision` (normalize), half-even both times.
    let (d1, e1) = round_sig(&digits, -(bits as i64), 28);
    let (d2, e2) = round_sig(&d1, e1, precision as usize);
    // Strip trailing zeros (normalize).
    let trimmed = d2.trim_end_matches('0');
    let e = e2 + (d2.len() - trimmed.len()) as i64;
    let coeff = if trimmed.is_empty() { "0" } else { trimmed };
    add_int_and_text(int_part, coeff, e)
}

/// `n * 5**k` as decimal digits.
fn big_mul_pow5(n: u128, k: u32) -> String {
    // Little-endian base-1e9 limbs.
    let mut limbs: Vec<u64> = vec![];
    let mut x = n;
    while x > 0 {
        limbs.push((x % 1_000_000_000) as u64);
        x /= 1_000_000_000;
    }
    for _ in 0..k {
        let mut carry = 0u64;
        for l in limbs.iter_mut() {
            let v = *l * 5 + carry;
            *l = v % 1_000_000_000;
            carry = v / 1_000_000_000;
        }
        if carry > 0 {
            limbs.push(carry);
        }
    }
    let mut s = String::new();
    for (i, l) in limbs.iter().rev().enumerate() {
        if i == 0 {
            s.push_str(&l.to_string());
        } else {
            s.push_str(&format!("{l:09}"));
        }
    }
    if s.is_empty() {
        "0".into()
    } else {
        s
    }
}

/// Rounds the coefficient `digits` × 10**exp to `sig` significant digits, half-even.
fn round_sig(digits: &str, exp: i64, sig: usize) -> (String, i64) {
    if digits.len() <= sig {
        return (digits.to_string(), exp);
    }
    let drop = digits.len() - sig;
    let (keep, rest) = digits.split_at(sig);
    let first = rest.as_bytes()[0];
    let tail_nonzero = rest[1..].bytes().any(|c| c != b'0');
    let last_odd = (keep.as_bytes()[sig - 1] - b'0') % 2 == 1;
    let up = first > b'5' || (first == b'5' && (tail_nonzero || last_odd));
    let mut k: Vec<u8> = keep.bytes().collect();
    let mut e = exp + drop as i64;
    if up {
        let mut i = k.len();
        loop {
            if i == 0 {
                k.insert(0, b'1');
                k.pop();
                e += 1;
                break;
            }
            i -= 1;
            if k[i] == b'9' {
                k[i] = b'0';
            } else {
                k[i] += 1;
                break;
            }
        }
    }
    (String::from_utf8(k).unwrap_or_default(), e)
}

/// `int_part + Decimal(coeff E exp)` (exp < 0) in Python's Decimal text form.
fn add_int_and_text(int_part: i128, coeff: &str, exp: i64) -> String {
    let scale = (-exp) as usize;
    if int_part == 0 {
        // Python prints small adjusted exponents in scientific notation.
        let adjusted = exp + coeff.len() as i64 - 1;
        if adjusted < -6 {
            let m = if coeff.len() > 1 {
                format!("{}.{}", &coeff[..1], &coeff[1..])
            } else {
                coeff.to_string()
            };
            return format!("{m}E{adjusted}");
        }
        let padded = format!("{coeff:0>scale$}");
        return format!("0.{padded}");
    }
    let padded = format!("{coeff:0>scale$}");
    format!("{int_part}.{padded}")
}

fn ntp_date(secs: i128) -> String {
    // Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    let wd = (days + 4).rem_euclid(7) as usize;
    const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    format!(
        "{}, {:02} {} {} {:02}:{:02}:{:02} +0000",
        DAYS[wd],
        d,
        MONTHS[(m - 1) as usize],
        y,
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

fn now_secs_f64() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

impl FieldKind for FixedPointField {
    fn class_name(&self) -> &str {
        if self.ntp {
            "TimeStampField"
        } else {
            "FixedPointField"
        }
    }

    fn bit_width(&self) -> Option<u32> {
        Some(self.size)
    }

    fn plain_bits(&self) -> Option<bool> {
        Some(false)
    }

    fn any2i(&self, _layer: &LayerData, v: Value) -> Result<Value, FieldError> {
        match v {
            Value::Float(f) => Ok(Value::Int(self.to_fixed(f))),
            Value::Int(i) => Ok(Value::Int(i << self.frac_bits)),
            Value::Str(s) if self.ntp => Err(FieldError::BadValue(format!(
                "time data {} does not match format '%a %b %d %H:%M:%S %Y'",
                py_str_repr(&s)
            ))),
            other => Ok(other),
        }
    }

    fn i2int(&self, _ctx: &BuildCtx<'_>, v: &Value) -> Result<i128, String> {
        match v.resolved() {
            Value::Int(i) => Ok(i),
            Value::Float(f) => Ok(self.to_fixed(f)),
            Value::None if self.ntp => Ok(self.to_fixed(now_secs_f64() + NTP_BASETIME as f64)),
            Value::None => Ok(0),
            other => Err(format!("an integer is required, not {}", other.py_repr())),
        }
    }

    fn addfield(&self, ctx: &BuildCtx<'_>, v: &Value, out: &mut Vec<u8>) -> Result<(), String> {
        let i = self.i2int(ctx, v)?;
        let n = self.size.div_ceil(8) as usize;
        out.extend_from_slice(&(i as u128).to_be_bytes()[16 - n.min(16)..]);
        Ok(())
    }

    fn getfield(
        &self,
        _ctx: &mut DissectCtx<'_>,
        _s: &[u8],
    ) -> Result<(usize, Option<Value>), Truncated> {
        // A bit field: the engine reads it through `bit_width`.
        Err(Truncated)
    }

    fn i2repr(&self, _layer: &LayerData, v: &Value) -> String {
        match v {
            Value::None if self.ntp => "--".into(),
            Value::Int(i) => {
                let text = self.decimal(*i);
                if self.ntp && (*i >> self.frac_bits) >= NTP_BASETIME {
                    ntp_date((*i >> self.frac_bits) - NTP_BASETIME)
                } else {
                    text
                }
            }
            Value::Volatile(r) => r.repr(),
            other => other.py_repr(),
        }
    }

    fn i2len(&self, _layer: &LayerData, _v: &Value) -> usize {
        self.size.div_ceil(8) as usize
    }

    fn randval(&self) -> Option<Value> {
        Some(volatile::rand_num(0, (1i128 << self.size.min(126)) - 1))
    }

    fn repr_human(&self, _layer: &LayerData, v: &Value) -> String {
        match v {
            Value::Int(i) => format!("Decimal('{}')", self.decimal(*i)),
            other => other.py_repr(),
        }
    }

    fn command_repr(&self, layer: &LayerData, v: &Value) -> String {
        match v {
            Value::Volatile(r) => r.command(),
            _ => self.repr_human(layer, v),
        }
    }
}

/// ICMPTimeStampField: milliseconds since midnight UTC, shown `h:m:s.ms`; assignable as
/// `"12:30:05.250"`; unset means "now" (taken when the value is converted).
pub struct IcmpTimeStampField;

impl IcmpTimeStampField {
    /// Milliseconds since midnight UTC, now.
    pub fn now_ms() -> i128 {
        ((now_secs_f64() % 86_400.0) * 1000.0) as i128
    }

    fn parse(s: &str) -> i128 {
        // h[:m[:s[.ms]]] with h, m, s separators h/H/:, m/M/:, s/S/:/. (the reference's
        // pattern); anything else is 0.
        let b = s.as_bytes();
        let mut pos = 0;
        let num = |pos: &mut usize, max: usize| -> Option<i128> {
            let start = *pos;
            while *pos < b.len() && *pos - start < max && b[*pos].is_ascii_digit() {
                *pos += 1;
            }
            (*pos > start).then(|| s[start..*pos].parse().unwrap_or(0))
        };
        let Some(h) = num(&mut pos, 2) else { return 0 };
        if pos == b.len() || !b"Hh:".contains(&b[pos]) {
            return 0;
        }
        pos += 1;
        let m = num(&mut pos, 2).unwrap_or(0);
        let mut sec = 0;
        let mut ms = 0;
        if pos < b.len() {
            if !b"Mm:".contains(&b[pos]) {
                return 0;
            }
            pos += 1;
            sec = num(&mut pos, 2).unwrap_or(0);
            if pos < b.len() {
                if !b"sS:.".contains(&b[pos]) {
                    return 0;
                }
                pos += 1;
                let start = pos;
                while pos < b.len() && pos - start < 3 && b[pos].is_ascii_digit() {
                    pos += 1;
                }
                let frac = format!("{}000", &s[start..pos]);
                ms = frac[..3].parse().unwrap_or(0);
            }
        }
        if pos != b.len() {
            return 0;
        }
        ((h * 60 + m) * 60 + sec) * 1000 + ms
    }
}

impl FieldKind for IcmpTimeStampField {
    fn class_name(&self) -> &str {
        "ICMPTimeStampField"
    }

    fn any2i(&self, _layer: &LayerData, v: Value) -> Result<Value, FieldError> {
        Ok(match v {
            Value::Str(s) => Value::Int(Self::parse(&s)),
            Value::None => Value::Int(Self::now_ms()),
            other => other,
        })
    }

    fn addfield(&self, ctx: &BuildCtx<'_>, v: &Value, out: &mut Vec<u8>) -> Result<(), String> {
        let v = match v {
            Value::None => Value::Int(Self::now_ms()),
            other => other.clone(),
        };
        Num::new("ICMPTimeStampField", Width::Bytes(4), NumDisplay::Dec).addfield(ctx, &v, out)
    }

    fn getfield(
        &self,
        ctx: &mut DissectCtx<'_>,
        s: &[u8],
    ) -> Result<(usize, Option<Value>), Truncated> {
        Num::new("ICMPTimeStampField", Width::Bytes(4), NumDisplay::Dec).getfield(ctx, s)
    }

    fn i2repr(&self, _layer: &LayerData, v: &Value) -> String {
        match v {
            Value::None => "--".into(),
            Value::Int(i) => {
                let (sec, milli) = (i.div_euclid(1000), i.rem_euclid(1000));
                let (min, sec) = (sec.div_euclid(60), sec.rem_euclid(60));
                let (hour, min) = (min.div_euclid(60), min.rem_euclid(60));
                format!("{hour}:{min}:{sec}.{milli}")
            }
            Value::Volatile(r) => r.repr(),
            other => other.py_repr(),
        }
    }

    fn i2len(&self, _layer: &LayerData, _v: &Value) -> usize {
        4
    }

    fn randval(&self) -> Option<Value> {
        Some(volatile::rand_int())
    }

    fn command_repr(&self, _layer: &LayerData, v: &Value) -> String {
        command_value(v)
    }
}

/// CharEnumField: a one-character value (`fmt="1s"`) with names.
pub struct CharEnumField {
    names: Vec<(String, String)>,
    width: usize,
}

impl CharEnumField {
    /// From `(char, name)` pairs and the width of the struct format (1 for `"1s"`).
    pub fn rc(names: Vec<(String, String)>, width: usize) -> Rc<dyn FieldKind> {
        Rc::new(CharEnumField {
            names,
            width: width.max(1),
        })
    }
}

impl FieldKind for CharEnumField {
    fn class_name(&self) -> &str {
        "CharEnumField"
    }

    fn any2i(&self, _layer: &LayerData, v: Value) -> Result<Value, FieldError> {
        match v {
            Value::Str(s) if s.chars().count() != 1 => self
                .names
                .iter()
                .find(|(_, n)| *n == s)
                .map(|(c, _)| Value::Str(c.clone()))
                .ok_or_else(|| FieldError::BadValue(format!("KeyError: {}", py_str_repr(&s)))),
            other => Ok(other),
        }
    }

    fn addfield(&self, _ctx: &BuildCtx<'_>, v: &Value, out: &mut Vec<u8>) -> Result<(), String> {
        let b = value_bytes(v)?;
        let take = b.len().min(self.width);
        out.extend_from_slice(&b[..take]);
        out.resize(out.len() + self.width - take, 0);
        Ok(())
    }

    fn getfield(
        &self,
        _ctx: &mut DissectCtx<'_>,
        s: &[u8],
    ) -> Result<(usize, Option<Value>), Truncated> {
        let b = s.get(..self.width).ok_or(Truncated)?;
        Ok((self.width, Some(Value::Bytes(b.to_vec()))))
    }

    fn i2repr(&self, _layer: &LayerData, v: &Value) -> String {
        match v {
            Value::Str(s) => self
                .names
                .iter()
                .find(|(c, _)| c == s)
                .map_or_else(|| py_str_repr(s), |(_, n)| n.clone()),
            other => other.py_repr(),
        }
    }

    fn i2len(&self, _layer: &LayerData, _v: &Value) -> usize {
        self.width
    }

    fn randval(&self) -> Option<Value> {
        Some(volatile::rand_bin(Some(self.width as i128)))
    }
}

/// StrNullField (ends at a NUL, which the build appends) and StrStopField (ends after the
/// `stop` bytes plus `additional` more, kept in the value; the build appends nothing).
pub struct TermStrField {
    stop: Vec<u8>,
    additional: usize,
    null: bool,
}

impl TermStrField {
    /// StrNullField.
    pub fn null() -> Rc<dyn FieldKind> {
        Rc::new(TermStrField {
            stop: vec![0],
            additional: 0,
            null: true,
        })
    }

    /// StrStopField(stop, additional).
    pub fn stop(stop: Vec<u8>, additional: usize) -> Rc<dyn FieldKind> {
        Rc::new(TermStrField {
            stop,
            additional,
            null: false,
        })
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    hay.windows(needle.len()).position(|w| w == needle)
}

impl FieldKind for TermStrField {
    fn class_name(&self) -> &str {
        if self.null {
            "StrNullField"
        } else {
            "StrStopField"
        }
    }

    fn any2i(&self, _layer: &LayerData, v: Value) -> Result<Value, FieldError> {
        Ok(match v {
            Value::Str(s) => Value::Bytes(s.into_bytes()),
            other => other,
        })
    }

    fn addfield(&self, _ctx: &BuildCtx<'_>, v: &Value, out: &mut Vec<u8>) -> Result<(), String> {
        out.extend_from_slice(&super::fields::bytes_of(v)?);
        if self.null {
            out.push(0);
        }
        Ok(())
    }

    fn getfield(
        &self,
        _ctx: &mut DissectCtx<'_>,
        s: &[u8],
    ) -> Result<(usize, Option<Value>), Truncated> {
        match find(s, &self.stop) {
            // No terminator: the value is everything (the reference does the same).
            None => Ok((s.len(), Some(Value::Bytes(s.to_vec())))),
            Some(i) if self.null => Ok((i + 1, Some(Value::Bytes(s[..i].to_vec())))),
            Some(i) => {
                let end = (i + self.stop.len() + self.additional).min(s.len());
                Ok((end, Some(Value::Bytes(s[..end].to_vec()))))
            }
        }
    }

    fn i2repr(&self, _layer: &LayerData, v: &Value) -> String {
        match v {
            Value::Bytes(b) => py_bytes_repr(b),
            Value::Volatile(r) => r.repr(),
            other => other.py_repr(),
        }
    }

    fn i2len(&self, _layer: &LayerData, v: &Value) -> usize {
        value_bytes(v).map_or(0, |b| b.len()) + usize::from(self.null)
    }

    fn randval(&self) -> Option<Value> {
        Some(volatile::rand_term_upto(1200, &self.stop))
    }

    fn command_repr(&self, _layer: &LayerData, v: &Value) -> String {
        command_value(v)
    }
}

/// IP6Field: an IPv6 address; 6to4 and Teredo addresses are shown with what they embed.
pub struct Ip6Field {
    class: &'static str,
}

impl Ip6Field {
    /// IP6Field (or a subclass name, e.g. `DestIP6Field`).
    pub fn rc(class: &'static str) -> Rc<dyn FieldKind> {
        Rc::new(Ip6Field { class })
    }

    /// Scapy's IP6Field.h2i: an address, else a network (`/len`, `%scope`; wildcards are
    /// refused as Net6 refuses them), a 2-tuple a span; other text stays (a host name).
    fn convert(v: Value) -> Result<Value, FieldError> {
        let net6 = |r: Result<super::sets::Net6, String>| {
            r.map(|n| Value::Net6(Rc::new(n)))
                .map_err(FieldError::BadValue)
        };
        Ok(match v {
            Value::Str(s) => match s.parse::<Ipv6Addr>() {
                Ok(a) => Value::Ip6(a),
                Err(_) if s.contains(['/', '*', '%']) => net6(super::sets::Net6::parse(&s, None))?,
                Err(_) => Value::Str(s),
            },
            Value::Tuple(t) if t.len() == 2 && t.iter().all(|x| !matches!(x, Value::Int(_))) => {
                let text = |v: &Value| match v {
                    Value::Str(s) => s.clone(),
                    Value::Ip6(a) => a.to_string(),
                    other => other.py_repr(),
                };
                net6(super::sets::Net6::span(&text(&t[0]), &text(&t[1]), None))?
            }
            Value::List(l) => {
                Value::List(l.into_iter().map(Self::convert).collect::<Result<_, _>>()?)
            }
            other => other,
        })
    }
}

fn show_ip6(a: &Ipv6Addr) -> String {
    let o = a.octets();
    let v4 = |b: &[u8]| format!("{}.{}.{}.{}", b[0], b[1], b[2], b[3]);
    if o[0] == 0x20 && o[1] == 0x01 && o[2] == 0 && o[3] == 0 {
        // Teredo: server, then the client's address and port, obfuscated (inverted).
        let cli: Vec<u8> = o[12..16].iter().map(|b| !b).collect();
        let port = !u16::from_be_bytes([o[10], o[11]]);
        return format!(
            "{} [Teredo srv: {} cli: {}:{}]",
            a,
            v4(&o[4..8]),
            v4(&cli),
            port
        );
    }
    if o[0] == 0x20 && o[1] == 0x02 {
        return format!("{} [6to4 GW: {}]", a, v4(&o[2..6]));
    }
    a.to_string()
}

impl FieldKind for Ip6Field {
    fn class_name(&self) -> &str {
        self.class
    }

    fn any2i(&self, _layer: &LayerData, v: Value) -> Result<Value, FieldError> {
        Self::convert(v)
    }

    fn addfield(&self, _ctx: &BuildCtx<'_>, v: &Value, out: &mut Vec<u8>) -> Result<(), String> {
        match super::sets::first_element(v).resolved() {
            Value::Ip6(a) => out.extend_from_slice(&a.octets()),
            Value::None => out.extend_from_slice(&[0; 16]),
            Value::Bytes(b) if b.len() == 16 => out.extend_from_slice(&b),
            other => {
                return Err(format!(
                    "illegal IP address string passed to inet_pton: {}",
                    other.py_repr()
                ))
            }
        }
        Ok(())
    }

    fn getfield(
        &self,
        _ctx: &mut DissectCtx<'_>,
        s: &[u8],
    ) -> Result<(usize, Option<Value>), Truncated> {
        let b: [u8; 16] = s
            .get(..16)
            .ok_or(Truncated)?
            .try_into()
            .map_err(|_| Truncated)?;
        Ok((16, Some(Value::Ip6(Ipv6Addr::from(b)))))
    }

    fn i2repr(&self, _layer: &LayerData, v: &Value) -> String {
        match v {
            Value::Ip6(a) => show_ip6(a),
            Value::Str(s) => s.clone(),
            Value::None => "None".into(),
            other => other.py_repr(),
        }
    }

    fn i2len(&self, _layer: &LayerData, _v: &Value) -> usize {
        16
    }

    fn randval(&self) -> Option<Value> {
        Some(volatile::rand_ip6())
    }

    fn command_repr(&self, _layer: &LayerData, v: &Value) -> String {
        command_value(v)
    }
}

/// IPoptionsField: IP options as raw bytes, `(ihl - 5) * 4` of them, padded with zeros to
/// a multiple of 4 when built.
pub struct IpOptionsField;

impl FieldKind for IpOptionsField {
    fn class_name(&self) -> &str {
        "IPoptionsField"
    }

    fn any2i(&self, _layer: &LayerData, v: Value) -> Result<Value, FieldError> {
        Ok(match v {
            Value::Str(s) => Value::Bytes(s.into_bytes()),
            other => other,
        })
    }

    fn addfield(&self, _ctx: &BuildCtx<'_>, v: &Value, out: &mut Vec<u8>) -> Result<(), String> {
        let b = value_bytes(v)?;
        let pad = 3 - (b.len() + 3) % 4;
        out.extend(b);
        out.resize(out.len() + pad, 0);
        Ok(())
    }

    fn getfield(
        &self,
        ctx: &mut DissectCtx<'_>,
        s: &[u8],
    ) -> Result<(usize, Option<Value>), Truncated> {
        let ihl = ctx.layer.int("ihl").unwrap_or(5);
        let n = if ihl < 5 {
            super::log::warning(ctx.warnings, format!("bad ihl ({ihl}). Assuming ihl=5"));
            0
        } else {
            usize::try_from((ihl - 5) * 4).unwrap_or(0).min(s.len())
        };
        Ok((n, Some(Value::Bytes(s[..n].to_vec()))))
    }

    fn i2repr(&self, _layer: &LayerData, v: &Value) -> String {
        v.py_repr()
    }

    fn i2len(&self, _layer: &LayerData, v: &Value) -> usize {
        let n = value_bytes(v).map_or(0, |b| b.len());
        n + 3 - (n + 3) % 4
    }

    fn randval(&self) -> Option<Value> {
        Some(volatile::rand_bin_upto(1200))
    }
}

/// A packet method an ActionField calls on assignment: gets the layer itself (the method
/// may set its other fields), the value, and the keyword arguments given to the
/// ActionField.
pub type ActionFn = Rc<dyn Fn(&Packet, &Value, &[(String, Value)]) -> Result<(), String>>;

/// ActionField(fld, action_method, **kargs): assigning the field first calls the layer's
/// method `action_method(value, fld, **kargs)` (found in the layer's hooks), then converts
/// as `fld` does.
pub struct ActionField {
    inner: Rc<dyn FieldKind>,
    method: String,
    kwargs: Vec<(String, Value)>,
}

impl ActionField {
    /// Wraps `inner`.
    pub fn rc(
        inner: Rc<dyn FieldKind>,
        method: &str,
        kwargs: Vec<(String, Value)>,
    ) -> Rc<dyn FieldKind> {
        Rc::new(ActionField {
            inner,
            method: method.to_string(),
            kwargs,
        })
    }
}

impl FieldKind for ActionField {
    fn class_name(&self) -> &str {
        "ActionField"
    }

    fn i2h(&self, layer: &LayerData, v: &Value) -> Value {
        self.inner.i2h(layer, v)
    }
    fn bit_width(&self) -> Option<u32> {
        self.inner.bit_width()
    }
    fn plain_bits(&self) -> Option<bool> {
        self.inner.plain_bits()
    }
    fn fixed_bytes(&self) -> Option<usize> {
        self.inner.fixed_bytes()
    }
    fn takes_rest(&self) -> bool {
        self.inner.takes_rest()
    }
    fn le_bit_group(&self) -> Option<usize> {
        self.inner.le_bit_group()
    }
    fn before_assign(&self, layer: &Packet, v: &Value) -> Result<(), FieldError> {
        let def = layer.def();
        match def.hooks.methods.get(&self.method) {
            Some(m) => m(layer, v, &self.kwargs).map_err(FieldError::BadValue),
            None => Err(FieldError::BadValue(format!(
                "'{}' object has no attribute '{}'",
                def.class_name, self.method
            ))),
        }
    }
    fn any2i(&self, layer: &LayerData, v: Value) -> Result<Value, FieldError> {
        self.inner.any2i(layer, v)
    }
    fn i2int(&self, ctx: &BuildCtx<'_>, v: &Value) -> Result<i128, String> {
        self.inner.i2int(ctx, v)
    }
    fn int2i(&self, raw: i128) -> Value {
        self.inner.int2i(raw)
    }
    fn addfield(&self, ctx: &BuildCtx<'_>, v: &Value, out: &mut Vec<u8>) -> Result<(), String> {
        self.inner.addfield(ctx, v, out)
    }
    fn getfield(
        &self,
        ctx: &mut DissectCtx<'_>,
        s: &[u8],
    ) -> Result<(usize, Option<Value>), Truncated> {
        self.inner.getfield(ctx, s)
    }
    fn i2repr(&self, layer: &LayerData, v: &Value) -> String {
        self.inner.i2repr(layer, v)
    }
    fn i2repr_items(&self, layer: &LayerData, v: &Value) -> Option<Vec<String>> {
        self.inner.i2repr_items(layer, v)
    }
    fn i2len(&self, layer: &LayerData, v: &Value) -> usize {
        self.inner.i2len(layer, v)
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

/// Python's float repr, for callers that show float values.
pub fn float_repr(f: f64) -> String {
    py_float_repr(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_as_scapy() {
        assert_eq!(decimal_text(0, 32), "0");
        assert_eq!(decimal_text(3 << 31, 32), "1.5");
        assert_eq!(decimal_text((12 << 32) | 429_496_729, 32), "12.0999999999");
        assert_eq!(decimal_text(1, 32), "2.32830644E-10");
    }

    #[test]
    fn ntp_dates() {
        assert_eq!(
            ntp_date(3_900_000_000 - NTP_BASETIME),
            "Wed, 02 Aug 2023 21:20:00 +0000"
        );
    }

    #[test]
    fn icmp_timestamps_parse() {
        assert_eq!(IcmpTimeStampField::parse("1:2:3.4"), 3_723_400);
        assert_eq!(IcmpTimeStampField::parse("12h30"), 45_000_000);
        assert_eq!(IcmpTimeStampField::parse("junk"), 0);
    }
}
