//! `p.sprintf(fmt)` (also `strftime`): `%[fmt[r],][cls[:nb].]field%` directives and
//! `{[!]LAYER:text}` conditionals, with Python's `%` formatting of the values.

use super::packet::Packet;
use super::value::{py_float_repr, py_str_repr, Value};

/// A value handed to a `%` conversion: the field's display text, or (with `r`) the raw one.
#[derive(Clone, Debug)]
pub enum FmtArg {
    /// Text (what `%s` prints as is).
    Text(String),
    /// A raw field value.
    Raw(Value),
    /// A raw value whose `str()` is not its repr (a flag value: `%s` gives `SA`, `%d` 18).
    Shown(Value, String),
}

/// Python's `"%<spec>" % value` for one conversion spec (`-15s`, `03x`, `r`, `.2f`).
pub fn py_format(spec: &str, v: &FmtArg) -> Result<String, String> {
    let conv = spec
        .chars()
        .last()
        .ok_or_else(|| "incomplete format".to_string())?;
    let body = &spec[..spec.len() - conv.len_utf8()];
    let mut flags = String::new();
    let mut rest = body;
    while let Some(c) = rest.chars().next().filter(|c| "-+ 0#".contains(*c)) {
        flags.push(c);
        rest = &rest[1..];
    }
    let (width, prec) = match rest.split_once('.') {
        Some((w, p)) => (w, Some(p)),
        None => (rest, None),
    };
    let width: usize = if width.is_empty() {
        0
    } else {
        width
            .parse()
            .map_err(|_| format!("unsupported format character in {spec:?}"))?
    };
    let prec: Option<usize> = match prec {
        Some("") => Some(0),
        Some(p) => Some(
            p.parse()
                .map_err(|_| format!("unsupported format character in {spec:?}"))?,
        ),
        None => None,
    };
    let left = flags.contains('-');
    let zero = flags.contains('0') && !left;
    let plus = flags.contains('+');
    let space = flags.contains(' ');
    let alt = flags.contains('#');
    let int_of = |v: &FmtArg| -> Result<i128, String> {
        match v {
            FmtArg::Shown(Value::Int(i), _) => Ok(*i),
            FmtArg::Raw(Value::Int(i)) => Ok(*i),
            FmtArg::Raw(Value::Float(f)) => Ok(*f as i128),
            FmtArg::Raw(other) | FmtArg::Shown(other, _) => Err(format!(
                "%{conv} format: a real number is required, not {}",
                type_name(other)
            )),
            FmtArg::Text(_) => Err(format!(
                "%{conv} format: a real number is required, not str"
            )),
        }
    };
    let (sign, digits): (String, String) = match conv {
        's' | 'r' | 'a' => {
            let mut s = match (conv, v) {
                ('s', FmtArg::Text(t)) => t.clone(),
                ('s', FmtArg::Shown(_, t)) => t.clone(),
                (_, FmtArg::Shown(_, t)) => format!("<Flag {} ({t})>", py_str(&shown_value(v))),
                ('s', FmtArg::Raw(x)) => py_str(x),
                (_, FmtArg::Text(t)) => py_str_repr(t),
                (_, FmtArg::Raw(x)) => x.py_repr(),
            };
            if let Some(p) = prec {
                s = s.chars().take(p).collect();
            }
            return Ok(pad(&s, width, left, ' '));
        }
        'd' | 'i' | 'u' => {
            let i = int_of(v)?;
            (sign_of(i, plus, space), i.unsigned_abs().to_string())
        }
        'x' | 'X' | 'o' => {
            let i = int_of(v)?;
            let a = i.unsigned_abs();
            let mut d = match conv {
                'x' => format!("{a:x}"),
                'X' => format!("{a:X}"),
                _ => format!("{a:o}"),
            };
            if alt {
                d = match conv {
                    'x' => format!("0x{d}"),
                    'X' => format!("0X{d}"),
                    _ => format!("0o{d}"),
                };
            }
            (sign_of(i, plus, space), d)
        }
        'c' => {
            let s = match v {
                FmtArg::Raw(Value::Int(i)) => char::from_u32(*i as u32).unwrap_or('?').to_string(),
                FmtArg::Text(t) if t.chars().count() == 1 => t.clone(),
                _ => return Err("%c requires int or char".into()),
            };
            return Ok(pad(&s, width, left, ' '));
        }
        'f' | 'F' | 'e' | 'E' | 'g' | 'G' => {
            let f = match v {
                FmtArg::Raw(x) | FmtArg::Shown(x, _) => x
                    .as_float()
                    .ok_or_else(|| format!("must be real number, not {}", type_name(x)))?,
                FmtArg::Text(_) => return Err("must be real number, not str".into()),
            };
            let p = prec.unwrap_or(6);
            let d = match conv {
                'f' | 'F' => format!("{:.*}", p, f.abs()),
                'e' | 'E' => py_exp(f.abs(), p, conv == 'E'),
                _ => py_float_repr(f.abs()),
            };
            (
                if f < 0.0 {
                    "-".into()
                } else {
                    sign_of(0, plus, space)
                },
                d,
            )
        }
        other => return Err(format!("unsupported format character '{other}'")),
    };
    let mut digits = digits;
    if let Some(p) = prec.filter(|_| "diuxXo".contains(conv)) {
        while digits.len() < p {
            digits.insert(0, '0');
        }
    }
    let body_len = sign.len() + digits.len();
    if zero && body_len < width {
        let (pre, num) = if alt && (digits.starts_with("0x") || digits.starts_with("0X")) {
            digits.split_at(2)
        } else {
            ("", digits.as_str())
        };
        return Ok(format!("{sign}{pre}{}{num}", "0".repeat(width - body_len)));
    }
    Ok(pad(&format!("{sign}{digits}"), width, left, ' '))
}

fn shown_value(v: &FmtArg) -> Value {
    match v {
        FmtArg::Shown(x, _) | FmtArg::Raw(x) => x.clone(),
        FmtArg::Text(t) => Value::Str(t.clone()),
    }
}

fn py_exp(f: f64, p: usize, upper: bool) -> String {
    let s = format!("{:.*e}", p, f);
    let (m, e) = s.split_once('e').unwrap_or((&s, "0"));
    let e: i32 = e.parse().unwrap_or(0);
    let t = format!("{m}e{}{:02}", if e < 0 { '-' } else { '+' }, e.abs());
    if upper {
        t.to_uppercase()
    } else {
        t
    }
}

fn sign_of(i: i128, plus: bool, space: bool) -> String {
    if i < 0 {
        "-".into()
    } else if plus {
        "+".into()
    } else if space {
        " ".into()
    } else {
        String::new()
    }
}

fn pad(s: &str, width: usize, left: bool, c: char) -> String {
    let n = s.chars().count();
    if n >= width {
        return s.to_string();
    }
    let fill: String = std::iter::repeat_n(c, width - n).collect();
    if left {
        format!("{s}{fill}")
    } else {
        format!("{fill}{s}")
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::None => "NoneType",
        Value::Int(_) => "int",
        Value::Float(_) => "float",
        Value::Bytes(_) => "bytes",
        Value::Str(_) | Value::Ip4(_) | Value::Ip6(_) | Value::Mac(_) => "str",
        Value::List(_) => "list",
        Value::Tuple(_) => "tuple",
        _ => "object",
    }
}

/// Python's `str()` of a raw value.
fn py_str(v: &Value) -> String {
    match v {
        Value::Str(s) => s.clone(),
        Value::Ip4(a) => a.to_string(),
        Value::Ip6(a) => a.to_string(),
        Value::Mac(m) => super::value::mac_to_string(m),
        Value::Net(n) => n.nth(0).to_string(),
        Value::Net6(n) => n.first_text(),
        other => other.py_repr(),
    }
}

impl Packet {
    /// `p.sprintf(fmt)`. `%%`, `%(` and `%)` give `%`, `{` and `}`; a directive naming a
    /// layer the packet lacks gives `??`.
    pub fn sprintf(&self, fmt: &str) -> Result<String, String> {
        // Conditions, innermost (last opened) first.
        let mut fmt = fmt.to_string();
        while let Some(i) = fmt.rfind('{') {
            let Some(j) = fmt[i + 1..].find('}') else {
                return Err("substring not found".into());
            };
            let cond = fmt[i + 1..i + 1 + j].to_string();
            let Some(k) = cond.find(':') else {
                return Err(format!(
                    "Bad condition in format string: [{cond}] (read sprintf doc!)"
                ));
            };
            let (c, text) = (&cond[..k], &cond[k + 1..]);
            let (neg, c) = match c.strip_prefix('!') {
                Some(rest) => (true, rest),
                None => (false, c),
            };
            let keep = self.has_layer_named(c) != neg;
            let repl = if keep { text } else { "" };
            fmt = format!("{}{}{}", &fmt[..i], repl, &fmt[i + j + 2..]);
        }
        let mut out = String::new();
        let mut rest: &str = &fmt;
        while let Some(i) = rest.find('%') {
            out.push_str(&rest[..i]);
            rest = &rest[i + 1..];
            match rest.chars().next() {
                Some('%') => {
                    out.push('%');
                    rest = &rest[1..];
                    continue;
                }
                Some('(') => {
                    out.push('{');
                    rest = &rest[1..];
                    continue;
                }
                Some(')') => {
                    out.push('}');
                    rest = &rest[1..];
                    continue;
                }
                _ => {}
            }
            let Some(end) = rest.find('%') else {
                return Err(bad_format(rest));
            };
            let directive = &rest[..end];
            let parts: Vec<&str> = directive.split(',').collect();
            let (f, clsfld) = match parts.as_slice() {
                [c] => ("s".to_string(), *c),
                [f, c] => (f.to_string(), *c),
                _ => return Err(bad_format(rest)),
            };
            let (cls, fld) = match clsfld.split_once('.') {
                Some((c, f)) if !f.contains('.') => (c.to_string(), f.to_string()),
                Some(_) => return Err(bad_format(rest)),
                None => (self.class_name(), clsfld.to_string()),
            };
            let (cls, num) = match cls.split_once(':') {
                Some((c, n)) => (
                    c.to_string(),
                    n.parse::<usize>().map_err(|_| bad_format(rest))?,
                ),
                None => (cls, 1),
            };
            rest = &rest[end + 1..];
            let (spec, arg) = self.directive_value(&f, &cls, num, &fld);
            out.push_str(&py_format(&spec, &arg)?);
        }
        out.push_str(rest);
        Ok(out)
    }

    /// `strftime` is the documentation's other name for sprintf.
    pub fn strftime(&self, fmt: &str) -> Result<String, String> {
        self.sprintf(fmt)
    }

    fn has_layer_named(&self, name: &str) -> bool {
        self.layers().iter().any(|l| {
            let d = l.def();
            d.class_name == name || d.name == name
        })
    }

    /// The format spec and value of one directive, searched from this layer up: the first
    /// layer whose class is `cls` (the `num`-th one) that has the field.
    fn directive_value(&self, f: &str, cls: &str, num: usize, fld: &str) -> (String, FmtArg) {
        let mut seen = 0;
        for l in self.layers() {
            let d = l.data();
            if d.def.class_name != cls {
                continue;
            }
            // The reference looks at the first layer of the class only (then its payload
            // for the `num`-th); a field the layer lacks is looked up in the payload.
            seen += 1;
            if seen < num {
                continue;
            }
            let Some(i) = d.def.field_index(fld) else {
                drop(d);
                return match l.get(fld) {
                    Some(v) => (f.to_string(), FmtArg::Raw(v)),
                    None => ("s".into(), FmtArg::Text("??".into())),
                };
            };
            let v = d.value_at(i);
            let (kind, _) = d.def.fields[i].resolve(&d);
            if let Some(raw) = f.strip_suffix('r') {
                let spec = if raw.is_empty() { "s" } else { raw };
                let arg = match kind.str_internal(&v) {
                    Some(t) => FmtArg::Shown(v, t),
                    None => FmtArg::Raw(v),
                };
                return (spec.to_string(), arg);
            }
            return (f.to_string(), FmtArg::Text(kind.i2repr(&d, &v)));
        }
        ("s".into(), FmtArg::Text("??".into()))
    }
}

fn bad_format(rest: &str) -> String {
    let head: String = rest.chars().take(25).collect();
    let more = if rest.chars().count() > 25 { "..." } else { "" };
    format!("Bad format string [%{head}{more}]")
}
