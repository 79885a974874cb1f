//! String formatting: printf-style `%` (str and bytes), `format()` specs and `str.format`.

use num_bigint::BigInt;
use num_traits::Signed;

use super::ast::Sym;
use super::exceptions::{Exc, ExcKind, PResult};
use super::format;
use super::interp::Vm;
use super::ops;
use super::value::Value;

/// A parsed format spec: `[[fill]align][sign][#][0][width][,|_][.precision][type]`.
#[derive(Default, Debug)]
struct Spec {
    fill: Option<char>,
    align: Option<char>,
    sign: Option<char>,
    alt: bool,
    zero: bool,
    width: usize,
    grouping: Option<char>,
    precision: Option<usize>,
    ty: Option<char>,
}

fn parse_spec(spec: &str) -> PResult<Spec> {
    let chars: Vec<char> = spec.chars().collect();
    let mut s = Spec::default();
    let mut i = 0;
    let is_align = |c: char| matches!(c, '<' | '>' | '^' | '=');
    if chars.len() >= 2 && is_align(chars[1]) {
        s.fill = Some(chars[0]);
        s.align = Some(chars[1]);
        i = 2;
    } else if !chars.is_empty() && is_align(chars[0]) {
        s.align = Some(chars[0]);
        i = 1;
    }
    if i < chars.len() && matches!(chars[i], '+' | '-' | ' ') {
        s.sign = Some(chars[i]);
        i += 1;
    }
    if i < chars.len() && chars[i] == '#' {
        s.alt = true;
        i += 1;
    }
    if i < chars.len() && chars[i] == '0' {
        s.zero = true;
        i += 1;
    }
    let mut w = String::new();
    while i < chars.len() && chars[i].is_ascii_digit() {
        w.push(chars[i]);
        i += 1;
    }
    s.width = w.parse().unwrap_or(0);
    if i < chars.len() && matches!(chars[i], ',' | '_') {
        s.grouping = Some(chars[i]);
        i += 1;
    }
    if i < chars.len() && chars[i] == '.' {
        i += 1;
        let mut p = String::new();
        while i < chars.len() && chars[i].is_ascii_digit() {
            p.push(chars[i]);
            i += 1;
        }
        if p.is_empty() {
            return Err(Exc::value_error("Format specifier missing precision"));
        }
        s.precision = p.parse().ok();
    }
    if i < chars.len() {
        s.ty = Some(chars[i]);
        i += 1;
    }
    if i < chars.len() {
        return Err(Exc::value_error("Invalid format specifier"));
    }
    Ok(s)
}

fn group(digits: &str, sep: char, every: usize) -> String {
    let bytes: Vec<char> = digits.chars().collect();
    let mut out = String::new();
    for (i, c) in bytes.iter().enumerate() {
        if i > 0 && (bytes.len() - i).is_multiple_of(every) {
            out.push(sep);
        }
        out.push(*c);
    }
    out
}

fn pad(body: String, sign: &str, spec: &Spec, default_align: char) -> String {
    let len = sign.chars().count() + body.chars().count();
    if len >= spec.width {
        return format!("{sign}{body}");
    }
    let n = spec.width - len;
    let (fill, align) = if spec.zero && spec.align.is_none() {
        ('0', '=')
    } else {
        (
            spec.fill.unwrap_or(' '),
            spec.align.unwrap_or(default_align),
        )
    };
    let f = |k: usize| std::iter::repeat_n(fill, k).collect::<String>();
    match align {
        '<' => format!("{sign}{body}{}", f(n)),
        '^' => format!("{}{sign}{body}{}", f(n / 2), f(n - n / 2)),
        '=' => format!("{sign}{}{body}", f(n)),
        _ => format!("{}{sign}{body}", f(n)),
    }
}

fn float_fixed(f: f64, prec: usize) -> String {
    if f.is_nan() {
        return "nan".into();
    }
    if f.is_infinite() {
        return "inf".into();
    }
    format!("{:.*}", prec, f)
}

fn float_exp(f: f64, prec: usize, upper: bool) -> String {
    if !f.is_finite() {
        return float_fixed(f, prec);
    }
    let s = format!("{:.*e}", prec, f);
    let (m, e) = s.split_once('e').unwrap_or((&s, "0"));
    let e: i32 = e.parse().unwrap_or(0);
    let out = format!("{m}e{}{:02}", if e < 0 { '-' } else { '+' }, e.abs());
    if upper {
        out.to_uppercase()
    } else {
        out
    }
}

fn float_general(f: f64, prec: usize, alt: bool, upper: bool) -> String {
    if !f.is_finite() {
        return float_fixed(f, 0);
    }
    let p = prec.max(1);
    if f == 0.0 {
        return if alt {
            format!("{:.*}", p - 1, 0.0)
        } else if f.is_sign_negative() {
            "-0".into()
        } else {
            "0".into()
        };
    }
    let exp = format!("{:.*e}", p - 1, f);
    let e: i32 = exp
        .split_once('e')
        .and_then(|(_, e)| e.parse().ok())
        .unwrap_or(0);
    let mut s = if e < -4 || e >= p as i32 {
        float_exp(f, p - 1, upper)
    } else {
        format!("{:.*}", (p as i32 - 1 - e).max(0) as usize, f)
    };
    if !alt {
        // Drop trailing zeros of the fraction (and a bare point).
        if let Some(epos) = s.find(['e', 'E']) {
            let (m, e) = s.split_at(epos);
            let m = if m.contains('.') {
                m.trim_end_matches('0').trim_end_matches('.')
            } else {
                m
            };
            s = format!("{m}{e}");
        } else if s.contains('.') {
            s = s.trim_end_matches('0').trim_end_matches('.').to_string();
        }
    }
    s
}

/// `format(value, spec)` for builtin values.
pub fn format_spec(vm: &mut Vm<'_>, v: &Value, spec: &str) -> PResult<String> {
    if spec.is_empty() {
        return vm.str(v);
    }
    let s = parse_spec(spec)?;
    match v {
        Value::Int(_) | Value::BigInt(_) | Value::Bool(_)
            if !matches!(s.ty, Some('e' | 'E' | 'f' | 'F' | 'g' | 'G' | '%')) =>
        {
            if let (Value::Bool(b), None) = (v, s.ty) {
                return Ok(pad(
                    if *b { "True".into() } else { "False".into() },
                    "",
                    &s,
                    '<',
                ));
            }
            let n = ops::as_bigint(v).unwrap_or_default();
            let neg = n.is_negative();
            let a = n.abs();
            let (mut digits, prefix) = match s.ty {
                None | Some('d') | Some('n') => (a.to_string(), ""),
                Some('x') => (a.to_str_radix(16), "0x"),
                Some('X') => (a.to_str_radix(16).to_uppercase(), "0X"),
                Some('o') => (a.to_str_radix(8), "0o"),
                Some('b') => (a.to_str_radix(2), "0b"),
                Some('c') => {
                    let c = a
                        .to_string()
                        .parse::<u32>()
                        .ok()
                        .and_then(char::from_u32)
                        .unwrap_or('\0');
                    return Ok(pad(c.to_string(), "", &s, '<'));
                }
                Some(t) => {
                    return Err(Exc::value_error(format!(
                        "Unknown format code '{t}' for object of type 'int'"
                    )))
                }
            };
            if let Some(g) = s.grouping {
                let every = if matches!(s.ty, None | Some('d') | Some('n')) {
                    3
                } else {
                    4
                };
                digits = group(&digits, g, every);
            }
            let sign = if neg {
                "-"
            } else {
                match s.sign {
                    Some('+') => "+",
                    Some(' ') => " ",
                    _ => "",
                }
            };
            let prefix = if s.alt { prefix } else { "" };
            // The prefix belongs with the sign: zero padding goes after both (`0x00ff`).
            Ok(pad(digits, &format!("{sign}{prefix}"), &s, '>'))
        }
        Value::Int(_) | Value::BigInt(_) | Value::Bool(_) | Value::Float(_) => {
            let f = match v {
                Value::Float(f) => *f,
                Value::BigInt(b) => ops::int_to_f64(b)?,
                Value::Int(i) => *i as f64,
                Value::Bool(b) => *b as i64 as f64,
                _ => 0.0,
            };
            let neg = f.is_sign_negative() && !f.is_nan();
            let a = f.abs();
            let mut body = match s.ty {
                Some('f') | Some('F') => float_fixed(a, s.precision.unwrap_or(6)),
                Some('e') | Some('E') => float_exp(a, s.precision.unwrap_or(6), s.ty == Some('E')),
                Some('g') | Some('G') => {
                    float_general(a, s.precision.unwrap_or(6), s.alt, s.ty == Some('G'))
                }
                Some('%') => format!("{}%", float_fixed(a * 100.0, s.precision.unwrap_or(6))),
                None => match s.precision {
                    Some(p) => float_general(a, p, s.alt, false),
                    None => format::float_repr(a),
                },
                Some(t) => {
                    return Err(Exc::value_error(format!(
                        "Unknown format code '{t}' for object of type 'float'"
                    )))
                }
            };
            if s.ty == Some('F') {
                body = body.to_uppercase();
            }
            if let Some(g) = s.grouping {
                let (int_part, rest) = match body.find(|c: char| !c.is_ascii_digit()) {
                    Some(i) => body.split_at(i),
                    None => (body.as_str(), ""),
                };
                body = format!("{}{}", group(int_part, g, 3), rest);
            }
            let sign = if neg {
                "-"
            } else {
                match s.sign {
                    Some('+') => "+",
                    Some(' ') => " ",
                    _ => "",
                }
            };
            Ok(pad(body, sign, &s, '>'))
        }
        _ => {
            if !matches!(s.ty, None | Some('s')) {
                return Err(Exc::value_error(format!(
                    "Unknown format code '{}' for object of type '{}'",
                    s.ty.unwrap_or('s'),
                    v.type_name()
                )));
            }
            let mut text = vm.str(v)?;
            if let Some(p) = s.precision {
                text = text.chars().take(p).collect();
            }
            Ok(pad(text, "", &s, '<'))
        }
    }
}

/// `str.format(*args, **kwargs)`: `{}`, `{0}`, `{name}`, `{0.attr}`-less fields with
/// `!r`/`!s` conversions and format specs.
pub fn str_format(
    vm: &mut Vm<'_>,
    fmt: &str,
    args: &[Value],
    kw: &[(Sym, Value)],
) -> PResult<String> {
    let mut out = String::new();
    let chars: Vec<char> = fmt.chars().collect();
    let mut i = 0;
    let mut auto = 0usize;
    while i < chars.len() {
        let c = chars[i];
        if c == '{' {
            if chars.get(i + 1) == Some(&'{') {
                out.push('{');
                i += 2;
                continue;
            }
            let mut j = i + 1;
            let mut depth = 1;
            while j < chars.len() {
                if chars[j] == '{' {
                    depth += 1;
                } else if chars[j] == '}' {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                j += 1;
            }
            if j >= chars.len() {
                return Err(Exc::value_error("expected '}' before end of string"));
            }
            let field: String = chars[i + 1..j].iter().collect();
            let (head, spec) = match field.find(':') {
                Some(p) => (field[..p].to_string(), field[p + 1..].to_string()),
                None => (field.clone(), String::new()),
            };
            let (name, conv) = match head.find('!') {
                Some(p) => (head[..p].to_string(), head[p + 1..].chars().next()),
                None => (head.clone(), None),
            };
            // The field name: an argument, then `.attr` and `[key]` parts.
            let split = name.find(['.', '[']).unwrap_or(name.len());
            let (base, mut rest) = (name[..split].to_string(), &name[split..]);
            let mut v = if base.is_empty() {
                let v = args.get(auto).cloned().ok_or_else(|| {
                    Exc::new(
                        ExcKind::IndexError,
                        format!("Replacement index {auto} out of range for positional args tuple"),
                    )
                })?;
                auto += 1;
                v
            } else if let Ok(n) = base.parse::<usize>() {
                args.get(n).cloned().ok_or_else(|| {
                    Exc::new(
                        ExcKind::IndexError,
                        format!("Replacement index {n} out of range for positional args tuple"),
                    )
                })?
            } else {
                kw.iter()
                    .find(|(k, _)| vm.st.interner.name(*k) == base)
                    .map(|(_, v)| v.clone())
                    .ok_or_else(|| {
                        Exc::with_args(ExcKind::KeyError, vec![Value::str(base.clone())])
                    })?
            };
            while !rest.is_empty() {
                if let Some(r) = rest.strip_prefix('.') {
                    let end = r.find(['.', '[']).unwrap_or(r.len());
                    let sym = vm.st.interner.intern(&r[..end]);
                    v = vm.get_attr(v, sym)?;
                    rest = &r[end..];
                } else if let Some(r) = rest.strip_prefix('[') {
                    let Some(end) = r.find(']') else {
                        return Err(Exc::value_error("Missing ']' in format string"));
                    };
                    let idx = &r[..end];
                    let key = match idx.parse::<i64>() {
                        Ok(n) => Value::Int(n),
                        Err(_) => Value::str(idx),
                    };
                    v = vm.get_item(&v, &key)?;
                    rest = &r[end + 1..];
                } else {
                    return Err(Exc::value_error(
                        "Only '.' or '[' may follow ']' in format field specifier",
                    ));
                }
            }
            // A nested `{}` inside the spec (`{:{}}`) takes the next argument.
            let spec = if spec.contains('{') {
                str_format(vm, &spec, &args[auto.min(args.len())..], kw)?
            } else {
                spec
            };
            let v = match conv {
                Some('r') => Value::str(vm.repr(&v)?),
                Some('s') => Value::str(vm.str(&v)?),
                Some('a') => Value::str(vm.repr(&v)?),
                _ => v,
            };
            out.push_str(&format_spec(vm, &v, &spec)?);
            i = j + 1;
        } else if c == '}' {
            if chars.get(i + 1) == Some(&'}') {
                out.push('}');
                i += 2;
                continue;
            }
            return Err(Exc::value_error("Single '}' encountered in format string"));
        } else {
            out.push(c);
            i += 1;
        }
    }
    Ok(out)
}

/// One `%` conversion's pieces.
struct Conv {
    key: Option<String>,
    flags: String,
    width: Option<usize>,
    precision: Option<usize>,
    ty: char,
}

/// How `%s` and `%r` turn a value into text: `(value, 's' or 'r')`.
type TextOf<'a> = dyn FnMut(&Value, char) -> PResult<String> + 'a;

/// printf-style formatting over text; `render` turns each conversion into text.
fn percent(fmt: &str, args: &Value, is_bytes: bool, text: &mut TextOf<'_>) -> PResult<String> {
    // A tuple or dict subclass is the tuple or mapping of arguments, as in CPython.
    let args = super::subclass::plain(args);
    let items: Vec<Value> = match args {
        Value::Tuple(t) => (**t).clone(),
        v => vec![v.clone()],
    };
    let mapping = matches!(args, Value::Dict(_));
    let mut next = 0usize;
    let mut out = String::new();
    let chars: Vec<char> = fmt.chars().collect();
    let mut i = 0;
    let take = |next: &mut usize| -> PResult<Value> {
        let v = items
            .get(*next)
            .cloned()
            .ok_or_else(|| Exc::type_error("not enough arguments for format string"))?;
        *next += 1;
        Ok(v)
    };
    while i < chars.len() {
        if chars[i] != '%' {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        i += 1;
        let mut conv = Conv {
            key: None,
            flags: String::new(),
            width: None,
            precision: None,
            ty: ' ',
        };
        if chars.get(i) == Some(&'(') {
            let end = chars[i..].iter().position(|c| *c == ')').map(|p| p + i);
            let Some(end) = end else {
                return Err(Exc::value_error("incomplete format key"));
            };
            conv.key = Some(chars[i + 1..end].iter().collect());
            i = end + 1;
        }
        while i < chars.len() && "-+ #0".contains(chars[i]) {
            conv.flags.push(chars[i]);
            i += 1;
        }
        if chars.get(i) == Some(&'*') {
            let w = take(&mut next)?;
            conv.width = ops::index_of(&w).map(|n| n.max(0) as usize);
            i += 1;
        } else {
            let mut w = String::new();
            while i < chars.len() && chars[i].is_ascii_digit() {
                w.push(chars[i]);
                i += 1;
            }
            conv.width = w.parse().ok();
        }
        if chars.get(i) == Some(&'.') {
            i += 1;
            if chars.get(i) == Some(&'*') {
                let p = take(&mut next)?;
                conv.precision = ops::index_of(&p).map(|n| n.max(0) as usize);
                i += 1;
            } else {
                let mut p = String::new();
                while i < chars.len() && chars[i].is_ascii_digit() {
                    p.push(chars[i]);
                    i += 1;
                }
                conv.precision = Some(p.parse().unwrap_or(0));
            }
        }
        // Length modifiers are accepted and ignored, as in CPython.
        while i < chars.len() && "hlL".contains(chars[i]) {
            i += 1;
        }
        let Some(&ty) = chars.get(i) else {
            return Err(Exc::value_error("incomplete format"));
        };
        i += 1;
        conv.ty = ty;
        if ty == '%' {
            out.push('%');
            continue;
        }
        let v = match &conv.key {
            Some(k) => match args {
                Value::Dict(d) => {
                    let key = Value::str(k.clone());
                    d.borrow()
                        .get(&ops::key(&key)?)
                        .cloned()
                        .ok_or_else(|| Exc::with_args(ExcKind::KeyError, vec![key.clone()]))?
                }
                _ => return Err(Exc::type_error("format requires a mapping")),
            },
            None => take(&mut next)?,
        };
        out.push_str(&render(&conv, &v, is_bytes, text)?);
    }
    if !mapping && next < items.len() {
        return Err(Exc::type_error(
            "not all arguments converted during string formatting",
        ));
    }
    Ok(out)
}

fn render(c: &Conv, v: &Value, is_bytes: bool, text: &mut TextOf<'_>) -> PResult<String> {
    // Numbers and bytes are read from the builtin value of a subclass instance; `%s`/`%r`
    // ask the value itself (its class may override `__str__`/`__repr__`).
    let shown = v;
    let v = super::subclass::plain(v);
    let left = c.flags.contains('-');
    let zero = c.flags.contains('0') && !left;
    let sign = if c.flags.contains('+') {
        "+"
    } else if c.flags.contains(' ') {
        " "
    } else {
        ""
    };
    let alt = c.flags.contains('#');
    let num_body = |neg: bool, body: String| -> String {
        let sign = if neg { "-" } else { sign };
        let len = sign.len() + body.chars().count();
        let w = c.width.unwrap_or(0);
        if len >= w {
            format!("{sign}{body}")
        } else if left {
            format!("{sign}{body}{}", " ".repeat(w - len))
        } else if zero {
            format!("{sign}{}{body}", "0".repeat(w - len))
        } else {
            format!("{}{sign}{body}", " ".repeat(w - len))
        }
    };
    let text_body = |s: String| -> String {
        let s: String = match c.precision {
            Some(p) => s.chars().take(p).collect(),
            None => s,
        };
        let len = s.chars().count();
        let w = c.width.unwrap_or(0);
        if len >= w {
            s
        } else if left {
            format!("{s}{}", " ".repeat(w - len))
        } else {
            format!("{}{s}", " ".repeat(w - len))
        }
    };
    match c.ty {
        's' => Ok(text_body(match (is_bytes, v) {
            (true, Value::Bytes(b)) => b.iter().map(|&x| x as char).collect(),
            (true, _) => {
                return Err(Exc::type_error(format!(
                "%b requires a bytes-like object, or an object that implements __bytes__, not '{}'",
                shown.type_name()
            )))
            }
            _ => text(shown, 's')?,
        })),
        'b' if is_bytes => match v {
            Value::Bytes(b) => Ok(text_body(b.iter().map(|&x| x as char).collect())),
            _ => Err(Exc::type_error(format!(
                "%b requires a bytes-like object, or an object that implements __bytes__, not '{}'",
                v.type_name()
            ))),
        },
        'r' | 'a' => Ok(text_body(text(shown, 'r')?)),
        'd' | 'i' | 'u' | 'x' | 'X' | 'o' => {
            let n: BigInt = match v {
                Value::Float(f) if matches!(c.ty, 'd' | 'i' | 'u') => {
                    ops::as_bigint(&super::builtins::float_to_int(*f)?).unwrap_or_default()
                }
                _ => ops::as_bigint(v).ok_or_else(|| {
                    Exc::type_error(format!(
                        "%{} format: {} is required, not {}",
                        c.ty,
                        if matches!(c.ty, 'd' | 'i' | 'u') {
                            "a real number"
                        } else {
                            "an integer"
                        },
                        v.type_name()
                    ))
                })?,
            };
            let a = n.abs();
            let mut digits = match c.ty {
                'x' => a.to_str_radix(16),
                'X' => a.to_str_radix(16).to_uppercase(),
                'o' => a.to_str_radix(8),
                _ => a.to_string(),
            };
            if let Some(p) = c.precision {
                if digits.len() < p {
                    digits = format!("{}{digits}", "0".repeat(p - digits.len()));
                }
            }
            if alt {
                digits = match c.ty {
                    'x' => format!("0x{digits}"),
                    'X' => format!("0X{digits}"),
                    'o' => format!("0o{digits}"),
                    _ => digits,
                };
            }
            Ok(num_body(n.is_negative(), digits))
        }
        'f' | 'F' | 'e' | 'E' | 'g' | 'G' => {
            let f = match v {
                Value::Float(f) => *f,
                Value::Int(i) => *i as f64,
                Value::Bool(b) => *b as i64 as f64,
                Value::BigInt(b) => ops::int_to_f64(b)?,
                _ => {
                    return Err(Exc::type_error(format!(
                        "must be real number, not {}",
                        v.type_name()
                    )))
                }
            };
            let p = c.precision.unwrap_or(6);
            let a = f.abs();
            let body = match c.ty {
                'f' => float_fixed(a, p),
                'F' => float_fixed(a, p).to_uppercase(),
                'e' => float_exp(a, p, false),
                'E' => float_exp(a, p, true),
                'g' => float_general(a, p, alt, false),
                _ => float_general(a, p, alt, true),
            };
            Ok(num_body(f.is_sign_negative() && !f.is_nan(), body))
        }
        'c' => match v {
            Value::Str(s) if s.char_len() == 1 => Ok(text_body(s.s.clone())),
            _ => match ops::index_of(v)
                .and_then(|n| u32::try_from(n).ok())
                .and_then(char::from_u32)
            {
                Some(ch) => Ok(text_body(ch.to_string())),
                None => Err(Exc::type_error("%c requires int or char")),
            },
        },
        t => Err(Exc::value_error(format!(
            "unsupported format character '{t}' (0x{:x})",
            t as u32
        ))),
    }
}

/// The text of builtin values, without the interpreter.
fn builtin_text(v: &Value, conv: char) -> PResult<String> {
    if conv == 'r' {
        format::repr(v)
    } else {
        format::str(v)
    }
}

/// `str % args`.
pub fn format_str(fmt: &str, args: &Value) -> PResult<Value> {
    Ok(Value::str(percent(fmt, args, false, &mut builtin_text)?))
}

/// `bytes % args`.
pub fn format_bytes(fmt: &[u8], args: &Value) -> PResult<Value> {
    let text: String = fmt.iter().map(|&b| b as char).collect();
    let out = percent(&text, args, true, &mut builtin_text)?;
    Ok(Value::bytes(out.chars().map(|c| c as u32 as u8).collect()))
}

/// `fmt % args` (str or bytes `fmt`) when the arguments hold user objects: `%s` and `%r` call
/// their `__str__` and `__repr__`, only for the conversions that show them.
pub fn format_with_vm(vm: &mut Vm<'_>, fmt: &Value, args: &Value) -> PResult<Value> {
    let mut text = |v: &Value, conv: char| {
        if conv == 'r' {
            vm.repr(v)
        } else {
            vm.str(v)
        }
    };
    match fmt {
        Value::Bytes(b) => {
            let f: String = b.iter().map(|&c| c as char).collect();
            let out = percent(&f, args, true, &mut text)?;
            Ok(Value::bytes(out.chars().map(|c| c as u32 as u8).collect()))
        }
        Value::Str(s) => Ok(Value::str(percent(&s.s, args, false, &mut text)?)),
        _ => Err(Exc::type_error("format requires a str or bytes")),
    }
}
