//! `repr()` and `str()` of values, with Python's exact spelling (float shortest round-trip,
//! string quoting, bytes escapes, recursive containers).

use std::fmt::Write;

use num_bigint::BigInt;

use super::exceptions::{ExcKind, PResult};
use super::value::Value;
use super::Exc;

/// CPython's default `sys.get_int_max_str_digits()`.
pub const INT_MAX_STR_DIGITS: usize = 4300;

/// `repr(v)`.
pub fn repr(v: &Value) -> PResult<String> {
    let mut out = String::new();
    let mut stack = Vec::new();
    write_repr(&mut out, v, &mut stack)?;
    Ok(out)
}

/// `str(v)`.
pub fn str(v: &Value) -> PResult<String> {
    match v {
        Value::Str(s) => Ok(s.s.clone()),
        Value::Exception(e) => Ok(super::exceptions::exception_str(
            match e.class.kind {
                super::value::ClassKind::Exception(k) => k,
                _ => ExcKind::Exception,
            },
            &e.args.borrow(),
        )),
        Value::Native(n) => Ok(n.0.str()),
        _ => repr(v),
    }
}

/// The decimal text of a machine int, without the formatting machinery (`str(i)` is common
/// in loops).
pub fn int_str(i: i64) -> String {
    let mut digits = [0u8; 20];
    let mut n = i.unsigned_abs();
    let mut start = digits.len();
    loop {
        start -= 1;
        digits[start] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    let mut out = String::with_capacity(digits.len() - start + 1);
    if i < 0 {
        out.push('-');
    }
    out.extend(digits[start..].iter().map(|&d| d as char));
    out
}

/// Python's `repr(float)`: the shortest string that round-trips, in fixed notation when the
/// decimal exponent is in [-4, 16), otherwise `d.ddde+XX`.
pub fn float_repr(f: f64) -> String {
    if f.is_nan() {
        return "nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "inf".into() } else { "-inf".into() };
    }
    if f == 0.0 {
        return if f.is_sign_negative() {
            "-0.0".into()
        } else {
            "0.0".into()
        };
    }
    // Rust's `{:e}` gives the shortest round-trip digit count: "-1.2345e-7". Between two
    // candidates of that length it may pick either; Python takes the correctly rounded one
    // (1e15 + 0.3 is ...000.25: '1000000000000000.2'), which `{:.N$e}` gives exactly.
    let shortest = format!("{:e}", f);
    let ndigits = shortest
        .split('e')
        .next()
        .unwrap_or("")
        .chars()
        .filter(|c| c.is_ascii_digit())
        .count()
        .max(1);
    let sci = format!("{:.*e}", ndigits - 1, f);
    let (mantissa, exp) = match sci.split_once('e') {
        Some(p) => p,
        None => return sci,
    };
    let exp: i32 = exp.parse().unwrap_or(0);
    let (neg, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => (true, m),
        None => (false, mantissa),
    };
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let decpt = exp + 1; // position of the decimal point relative to the digits
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    if !(-4 < decpt && decpt <= 16) {
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        let _ = write!(out, "e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs());
    } else if decpt <= 0 {
        out.push_str("0.");
        for _ in 0..(-decpt) {
            out.push('0');
        }
        out.push_str(&digits);
    } else {
        let d = decpt as usize;
        if digits.len() <= d {
            out.push_str(&digits);
            for _ in digits.len()..d {
                out.push('0');
            }
            out.push_str(".0");
        } else {
            out.push_str(&digits[..d]);
            out.push('.');
            out.push_str(&digits[d..]);
        }
    }
    out
}

/// `str(int)` of a big int, refusing (as CPython does) more than 4300 digits.
pub fn bigint_str(b: &BigInt) -> PResult<String> {
    // A cheap digit-count bound first: bits * log10(2).
    let bits = b.bits() as f64;
    let approx_digits = (bits * std::f64::consts::LOG10_2) as usize;
    if approx_digits > INT_MAX_STR_DIGITS + 1 {
        return Err(Exc::value_error(format!(
            "Exceeds the limit ({INT_MAX_STR_DIGITS} digits) for integer string conversion; \
             use sys.set_int_max_str_digits() to increase the limit"
        )));
    }
    let s = b.to_string();
    let digits = s.trim_start_matches('-').len();
    if digits > INT_MAX_STR_DIGITS {
        return Err(Exc::value_error(format!(
            "Exceeds the limit ({INT_MAX_STR_DIGITS} digits) for integer string conversion; \
             use sys.set_int_max_str_digits() to increase the limit"
        )));
    }
    Ok(s)
}

/// Python's `repr(str)`: single quotes unless the text has a single quote and no double quote.
pub fn str_repr(s: &str) -> String {
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
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if !is_printable(c) => {
                let cp = c as u32;
                if cp < 0x100 {
                    let _ = write!(out, "\\x{cp:02x}");
                } else if cp < 0x10000 {
                    let _ = write!(out, "\\u{cp:04x}");
                } else {
                    let _ = write!(out, "\\U{cp:08x}");
                }
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

/// An approximation of `str.isprintable()` for one character: control, format, separator
/// (except space) and surrogate/private characters are escaped by repr.
fn is_printable(c: char) -> bool {
    let cp = c as u32;
    if cp < 0x20 || (0x7f..=0xa0).contains(&cp) || cp == 0xad {
        return false;
    }
    !matches!(cp,
        0x2028 | 0x2029 | 0x200b..=0x200f | 0x202a..=0x202e | 0x2060..=0x2064 | 0xfeff
        | 0xe000..=0xf8ff | 0xfff9..=0xfffb | 0x1680 | 0x2000..=0x200a | 0x205f | 0x3000
        | 0x202f)
}

/// Python's `repr(bytes)`.
pub fn bytes_repr(b: &[u8]) -> String {
    let quote = if b.contains(&b'\'') && !b.contains(&b'"') {
        b'"'
    } else {
        b'\''
    };
    let mut out = String::with_capacity(b.len() + 3);
    out.push('b');
    out.push(quote as char);
    for &c in b {
        match c {
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c as char);
            }
            0x20..=0x7e => out.push(c as char),
            c => {
                let _ = write!(out, "\\x{c:02x}");
            }
        }
    }
    out.push(quote as char);
    out
}

/// Identity of the containers being printed, to show a recursive one as `[...]`.
type Stack = Vec<usize>;

/// Containers nested deeper than this are refused, as CPython refuses by RecursionError.
const MAX_REPR_DEPTH: usize = 900;

fn write_seq(
    out: &mut String,
    items: &[Value],
    open: &str,
    close: &str,
    stack: &mut Stack,
) -> PResult<()> {
    out.push_str(open);
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        write_repr(out, item, stack)?;
    }
    out.push_str(close);
    Ok(())
}

fn write_repr(out: &mut String, v: &Value, stack: &mut Stack) -> PResult<()> {
    match v {
        Value::None => out.push_str("None"),
        Value::Bool(true) => out.push_str("True"),
        Value::Bool(false) => out.push_str("False"),
        Value::Int(i) => out.push_str(&int_str(*i)),
        Value::BigInt(b) => out.push_str(&bigint_str(b)?),
        Value::Float(f) => out.push_str(&float_repr(*f)),
        Value::Str(s) => out.push_str(&str_repr(&s.s)),
        Value::Bytes(b) => out.push_str(&bytes_repr(b)),
        Value::Ellipsis => out.push_str("Ellipsis"),
        Value::List(_) | Value::Tuple(_) | Value::Dict(_) | Value::Set(_) => {
            let id = v.identity().unwrap_or(0);
            if stack.contains(&id) {
                out.push_str(match v {
                    Value::List(_) => "[...]",
                    Value::Tuple(_) => "(...)",
                    _ => "{...}",
                });
                return Ok(());
            }
            if stack.len() > MAX_REPR_DEPTH {
                return Err(Exc::new(
                    ExcKind::RecursionError,
                    "maximum recursion depth exceeded while getting the repr of an object",
                ));
            }
            stack.push(id);
            let r = write_container(out, v, stack);
            stack.pop();
            r?;
        }
        Value::Range(r) => {
            if r.step == 1 {
                let _ = write!(out, "range({}, {})", r.start, r.stop);
            } else {
                let _ = write!(out, "range({}, {}, {})", r.start, r.stop, r.step);
            }
        }
        Value::Function(f) => {
            let _ = write!(
                out,
                "<function {} at {:#x}>",
                f.name,
                v.identity().unwrap_or(0)
            );
        }
        Value::Builtin(b) => {
            let _ = write!(out, "<built-in function {}>", b.name);
        }
        Value::BoundMethod(m) => {
            let _ = write!(
                out,
                "<built-in method {} of {} object at {:#x}>",
                m.name_str,
                m.receiver.type_name(),
                m.receiver.identity().unwrap_or(0)
            );
        }
        Value::Class(c) => {
            let _ = write!(out, "<class '{}'>", c.name);
        }
        Value::Exception(e) => {
            out.push_str(&e.class.name);
            let args = e.args.borrow().clone();
            if args.len() == 1 {
                out.push('(');
                write_repr(out, &args[0], stack)?;
                out.push(')');
            } else {
                write_seq(out, &args, "(", ")", stack)?;
            }
        }
        Value::Iterator(it) => {
            let _ = write!(
                out,
                "<{} object at {:#x}>",
                it.borrow().type_name,
                v.identity().unwrap_or(0)
            );
        }
        Value::Native(n) => out.push_str(&n.0.repr()),
        // Without the interpreter (user `__repr__` methods), the default spellings; an instance
        // of a subclass of a builtin type shows its builtin value.
        Value::Instance(i) => match &i.builtin {
            Some(b) => write_repr(out, b, stack)?,
            None => out.push_str(&super::classes::default_repr(v)),
        },
        Value::Method(_) | Value::Special(_) => out.push_str(&super::classes::default_repr(v)),
    }
    Ok(())
}

fn write_container(out: &mut String, v: &Value, stack: &mut Stack) -> PResult<()> {
    match v {
        Value::List(l) => {
            let items = l.borrow().clone();
            write_seq(out, &items, "[", "]", stack)
        }
        Value::Tuple(t) => {
            if t.len() == 1 {
                out.push('(');
                write_repr(out, &t[0], stack)?;
                out.push_str(",)");
                Ok(())
            } else {
                write_seq(out, t, "(", ")", stack)
            }
        }
        Value::Set(s) => {
            let keys = s.borrow().keys();
            if keys.is_empty() {
                out.push_str("set()");
                Ok(())
            } else {
                write_seq(out, &keys, "{", "}", stack)
            }
        }
        Value::Dict(d) => {
            let items: Vec<(Value, Value)> = d
                .borrow()
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            out.push('{');
            for (i, (k, val)) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_repr(out, k, stack)?;
                out.push_str(": ");
                write_repr(out, val, stack)?;
            }
            out.push('}');
            Ok(())
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_like_python() {
        for (f, s) in [
            (1.0, "1.0"),
            (0.1, "0.1"),
            (1e16, "1e+16"),
            (1e15, "1000000000000000.0"),
            (1.5e-7, "1.5e-07"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (-2.5, "-2.5"),
            (123456789.123, "123456789.123"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
            (5e-324, "5e-324"),
            (f64::INFINITY, "inf"),
            (f64::NAN, "nan"),
            (-0.0, "-0.0"),
            (1.0 / 3.0, "0.3333333333333333"),
        ] {
            assert_eq!(float_repr(f), s);
        }
    }

    #[test]
    fn strings_like_python() {
        assert_eq!(str_repr("a'b"), "\"a'b\"");
        assert_eq!(str_repr("a'b\""), "'a\\'b\"'");
        assert_eq!(str_repr("\x00\n\té"), "'\\x00\\n\\té'");
        assert_eq!(bytes_repr(b"\x00ab'"), "b\"\\x00ab'\"");
        assert_eq!(bytes_repr(b"\xff\\"), "b'\\xff\\\\'");
    }
}
