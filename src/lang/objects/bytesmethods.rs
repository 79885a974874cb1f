//! Methods shared by `bytes` and `bytearray` (CPython's `bytes_methods.c`): the result of a
//! method that returns a byte string has the receiver's type.

use crate::lang::exceptions::{Exc, PResult};
use crate::lang::interp::Vm;
use crate::lang::ops;
use crate::lang::value::Value;

use super::{bytes_arg, bytes_like, Kw};

/// Method names of `bytes`.
pub const BYTES_METHODS: &[&str] = &[
    "capitalize",
    "center",
    "count",
    "decode",
    "endswith",
    "expandtabs",
    "find",
    "fromhex",
    "hex",
    "index",
    "isalnum",
    "isalpha",
    "isascii",
    "isdigit",
    "islower",
    "isspace",
    "istitle",
    "isupper",
    "join",
    "ljust",
    "lower",
    "lstrip",
    "maketrans",
    "partition",
    "removeprefix",
    "removesuffix",
    "replace",
    "rfind",
    "rindex",
    "rjust",
    "rpartition",
    "rsplit",
    "rstrip",
    "split",
    "splitlines",
    "startswith",
    "strip",
    "swapcase",
    "title",
    "translate",
    "upper",
    "zfill",
];

fn want(name: &str, args: &[Value], min: usize, max: usize) -> PResult<()> {
    if args.len() < min || args.len() > max {
        return Err(Exc::type_error(if min == max && min == 1 {
            format!("{name}() takes exactly one argument ({} given)", args.len())
        } else if min == max && min == 0 {
            format!("{name}() takes no arguments ({} given)", args.len())
        } else if args.len() < min {
            format!(
                "{name} expected at least {min} argument{}, got {}",
                if min == 1 { "" } else { "s" },
                args.len()
            )
        } else {
            format!(
                "{name} expected at most {max} argument{}, got {}",
                if max == 1 { "" } else { "s" },
                args.len()
            )
        }));
    }
    Ok(())
}

fn kw_get(vm: &Vm<'_>, kw: &Kw, name: &str) -> Option<Value> {
    kw.iter()
        .find(|(k, _)| vm.st.interner.name(*k) == name)
        .map(|(_, v)| v.clone())
}

fn idx(v: Option<&Value>, default: i64) -> PResult<i64> {
    match v {
        None | Some(Value::None) => Ok(default),
        Some(x) => ops::index_of(x).ok_or_else(|| {
            Exc::type_error("slice indices must be integers or None or have an __index__ method")
        }),
    }
}

/// Python's start/end bounds over `n` items.
fn bounds(n: usize, start: Option<&Value>, end: Option<&Value>) -> PResult<(usize, usize)> {
    let adj = |v: i64| -> usize {
        let n = n as i64;
        (if v < 0 { (v + n).max(0) } else { v.min(n) }) as usize
    };
    Ok((adj(idx(start, 0)?), adj(idx(end, n as i64)?)))
}

/// A sub-sequence argument: bytes-like or an int in range(256).
fn needle(v: &Value) -> PResult<Vec<u8>> {
    if let Some(b) = bytes_like(v) {
        return Ok(b);
    }
    match ops::index_of(v) {
        Some(i) if (0..256).contains(&i) => Ok(vec![i as u8]),
        Some(_) => Err(Exc::value_error("byte must be in range(0, 256)")),
        None => Err(Exc::type_error(format!(
            "argument should be integer or bytes-like object, not '{}'",
            v.type_name()
        ))),
    }
}

/// Finds `n` in `h` (leftmost or rightmost).
pub fn find(h: &[u8], n: &[u8], rev: bool) -> Option<usize> {
    if n.len() > h.len() {
        return None;
    }
    if n.is_empty() {
        return Some(if rev { h.len() } else { 0 });
    }
    let mut it = (0..=h.len() - n.len()).filter(|&i| &h[i..i + n.len()] == n);
    if rev {
        it.next_back()
    } else {
        it.next()
    }
}

fn count_nonoverlap(h: &[u8], n: &[u8]) -> usize {
    if n.is_empty() {
        return h.len() + 1;
    }
    let (mut c, mut i) = (0, 0);
    while i + n.len() <= h.len() {
        if &h[i..i + n.len()] == n {
            c += 1;
            i += n.len();
        } else {
            i += 1;
        }
    }
    c
}

fn split_on(b: &[u8], sep: &[u8], maxsplit: i64, rev: bool) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    if !rev {
        let mut start = 0;
        let mut i = 0;
        while i + sep.len() <= b.len() && (maxsplit < 0 || (out.len() as i64) < maxsplit) {
            if &b[i..i + sep.len()] == sep {
                out.push(b[start..i].to_vec());
                i += sep.len();
                start = i;
            } else {
                i += 1;
            }
        }
        out.push(b[start..].to_vec());
    } else {
        let mut end = b.len();
        let mut i = b.len();
        while i >= sep.len() && (maxsplit < 0 || (out.len() as i64) < maxsplit) {
            if &b[i - sep.len()..i] == sep {
                out.push(b[i..end].to_vec());
                i -= sep.len();
                end = i;
            } else {
                i -= 1;
            }
        }
        out.push(b[..end].to_vec());
        out.reverse();
    }
    out
}

fn split_ws(b: &[u8], maxsplit: i64, rev: bool) -> Vec<Vec<u8>> {
    let ws = |c: &u8| c.is_ascii_whitespace() || *c == 0x0b;
    let mut out = Vec::new();
    if !rev {
        let mut i = 0;
        loop {
            while i < b.len() && ws(&b[i]) {
                i += 1;
            }
            if i >= b.len() {
                break;
            }
            if maxsplit >= 0 && out.len() as i64 >= maxsplit {
                let mut e = b.len();
                while e > i && ws(&b[e - 1]) {
                    e -= 1;
                }
                out.push(b[i..e].to_vec());
                break;
            }
            let s = i;
            while i < b.len() && !ws(&b[i]) {
                i += 1;
            }
            out.push(b[s..i].to_vec());
        }
    } else {
        let mut i = b.len();
        loop {
            while i > 0 && ws(&b[i - 1]) {
                i -= 1;
            }
            if i == 0 {
                break;
            }
            if maxsplit >= 0 && out.len() as i64 >= maxsplit {
                let mut s = 0;
                while s < i && ws(&b[s]) {
                    s += 1;
                }
                out.push(b[s..i].to_vec());
                break;
            }
            let e = i;
            while i > 0 && !ws(&b[i - 1]) {
                i -= 1;
            }
            out.push(b[i..e].to_vec());
        }
        out.reverse();
    }
    out
}

fn strip(b: &[u8], chars: Option<&Value>, left: bool, right: bool) -> PResult<Vec<u8>> {
    let set: Option<Vec<u8>> = match chars {
        None | Some(Value::None) => None,
        Some(v) => Some(bytes_arg(v)?),
    };
    let drop = |c: &u8| match &set {
        None => c.is_ascii_whitespace() || *c == 0x0b,
        Some(s) => s.contains(c),
    };
    let mut s = 0;
    let mut e = b.len();
    if left {
        while s < e && drop(&b[s]) {
            s += 1;
        }
    }
    if right {
        while e > s && drop(&b[e - 1]) {
            e -= 1;
        }
    }
    Ok(b[s..e].to_vec())
}

fn fill_byte(v: Option<&Value>) -> PResult<u8> {
    match v {
        None => Ok(b' '),
        Some(x) => match bytes_like(x) {
            Some(f) if f.len() == 1 => Ok(f[0]),
            _ => Err(Exc::type_error(format!(
                "argument 2 must be a byte string of length 1, not {}",
                x.type_name()
            ))),
        },
    }
}

/// Calls a bytes method on `b`; `wrap` makes a result byte string of the receiver's type.
pub fn call(
    vm: &mut Vm<'_>,
    b: &[u8],
    tname: &str,
    m: &str,
    args: Vec<Value>,
    kw: Kw,
    wrap: &dyn Fn(Vec<u8>) -> Value,
) -> PResult<Value> {
    let bool_ = |x: bool| Ok(Value::Bool(x));
    match m {
        "hex" => {
            let sep = args.first().cloned().or_else(|| kw_get(vm, &kw, "sep"));
            let per = idx(
                args.get(1)
                    .cloned()
                    .or_else(|| kw_get(vm, &kw, "bytes_per_sep"))
                    .as_ref(),
                1,
            )?;
            let sep = match sep {
                None => None,
                Some(Value::Str(s)) => Some(s.s.clone()),
                Some(v) => match bytes_like(&v) {
                    Some(s) => Some(String::from_utf8_lossy(&s).to_string()),
                    None => {
                        return Err(Exc::type_error(format!(
                            "sep must be str or bytes, not {}",
                            v.type_name()
                        )))
                    }
                },
            };
            Ok(Value::str(hex_with_sep(b, sep.as_deref(), per)?))
        }
        "decode" => {
            let a = super::parse_args(vm, "decode", args, kw, &["encoding", "errors"], 0)?;
            let enc = match &a[0] {
                Some(v) => super::str_arg(v, "decode() argument 'encoding'")?.to_string(),
                None => "utf-8".into(),
            };
            let errors = match &a[1] {
                Some(v) => super::str_arg(v, "decode() argument 'errors'")?.to_string(),
                None => "strict".into(),
            };
            Ok(Value::str(crate::lang::builtins::decode(b, &enc, &errors)?))
        }
        "fromhex" => {
            want("fromhex", &args, 1, 1)?;
            let s = super::str_arg(&args[0], "fromhex() argument")?;
            Ok(wrap(crate::lang::methods::fromhex(s)?))
        }
        "startswith" | "endswith" => {
            want(m, &args, 1, 3)?;
            let (s, e) = bounds(b.len(), args.get(1), args.get(2))?;
            let sub = if s <= e { &b[s..e] } else { &b[0..0] };
            let test = |p: &[u8]| {
                if s > e {
                    return false;
                }
                if m == "endswith" {
                    sub.ends_with(p)
                } else {
                    sub.starts_with(p)
                }
            };
            match &args[0] {
                Value::Tuple(t) => {
                    for x in t.iter() {
                        if test(&bytes_arg(x)?) {
                            return bool_(true);
                        }
                    }
                    bool_(false)
                }
                v => match bytes_like(v) {
                    Some(p) => bool_(test(&p)),
                    None => Err(Exc::type_error(format!(
                        "{m} first arg must be bytes or a tuple of bytes, not {}",
                        v.type_name()
                    ))),
                },
            }
        }
        "find" | "rfind" | "index" | "rindex" | "count" => {
            want(m, &args, 1, 3)?;
            let n = needle(&args[0])?;
            let (s, e) = bounds(b.len(), args.get(1), args.get(2))?;
            if m == "count" {
                return Ok(Value::Int(if s > e {
                    0
                } else {
                    count_nonoverlap(&b[s..e], &n) as i64
                }));
            }
            let r = if s > e {
                None
            } else {
                find(&b[s..e], &n, m.starts_with('r')).map(|i| i + s)
            };
            match r {
                Some(i) => Ok(Value::Int(i as i64)),
                None if m.ends_with("index") => Err(Exc::value_error("subsection not found")),
                None => Ok(Value::Int(-1)),
            }
        }
        "split" | "rsplit" => {
            let a = super::parse_args(vm, m, args, kw, &["sep", "maxsplit"], 0)?;
            let maxsplit = idx(a[1].as_ref(), -1)?;
            let parts = match &a[0] {
                None | Some(Value::None) => split_ws(b, maxsplit, m == "rsplit"),
                Some(s) => {
                    let sep = bytes_arg(s)?;
                    if sep.is_empty() {
                        return Err(Exc::value_error("empty separator"));
                    }
                    split_on(b, &sep, maxsplit, m == "rsplit")
                }
            };
            Ok(Value::list(parts.into_iter().map(wrap).collect()))
        }
        "join" => {
            want("join", &args, 1, 1)?;
            let items = vm.iterate(&args[0])?;
            let mut out = Vec::new();
            for (i, it) in items.iter().enumerate() {
                if i > 0 {
                    out.extend_from_slice(b);
                }
                match bytes_like(it) {
                    Some(x) => out.extend_from_slice(&x),
                    None => {
                        return Err(Exc::type_error(format!(
                            "sequence item {i}: expected a bytes-like object, {} found",
                            it.type_name()
                        )))
                    }
                }
            }
            Ok(wrap(out))
        }
        "strip" => {
            want(m, &args, 0, 1)?;
            Ok(wrap(strip(b, args.first(), true, true)?))
        }
        "lstrip" => {
            want(m, &args, 0, 1)?;
            Ok(wrap(strip(b, args.first(), true, false)?))
        }
        "rstrip" => {
            want(m, &args, 0, 1)?;
            Ok(wrap(strip(b, args.first(), false, true)?))
        }
        "replace" => {
            want("replace", &args, 2, 3)?;
            let old = bytes_arg(&args[0])?;
            let new = bytes_arg(&args[1])?;
            let mut count = idx(args.get(2), -1)?;
            let mut out = Vec::new();
            if old.is_empty() {
                for (i, &c) in b.iter().enumerate() {
                    if count != 0 {
                        out.extend_from_slice(&new);
                        count -= 1;
                    }
                    out.push(c);
                    if i + 1 == b.len() && count != 0 {
                        out.extend_from_slice(&new);
                    }
                }
                if b.is_empty() && count != 0 {
                    out.extend_from_slice(&new);
                }
                return Ok(wrap(out));
            }
            let mut i = 0;
            while i < b.len() {
                if count != 0 && b[i..].starts_with(&old) {
                    out.extend_from_slice(&new);
                    i += old.len();
                    count -= 1;
                } else {
                    out.push(b[i]);
                    i += 1;
                }
            }
            Ok(wrap(out))
        }
        "upper" => Ok(wrap(b.to_ascii_uppercase())),
        "lower" => Ok(wrap(b.to_ascii_lowercase())),
        "swapcase" => Ok(wrap(
            b.iter()
                .map(|c| {
                    if c.is_ascii_uppercase() {
                        c.to_ascii_lowercase()
                    } else {
                        c.to_ascii_uppercase()
                    }
                })
                .collect(),
        )),
        "capitalize" => Ok(wrap(
            b.iter()
                .enumerate()
                .map(|(i, c)| {
                    if i == 0 {
                        c.to_ascii_uppercase()
                    } else {
                        c.to_ascii_lowercase()
                    }
                })
                .collect(),
        )),
        "title" => {
            let mut prev = false;
            Ok(wrap(
                b.iter()
                    .map(|&c| {
                        let r = if prev {
                            c.to_ascii_lowercase()
                        } else {
                            c.to_ascii_uppercase()
                        };
                        prev = c.is_ascii_alphabetic();
                        r
                    })
                    .collect(),
            ))
        }
        "isdigit" => bool_(!b.is_empty() && b.iter().all(u8::is_ascii_digit)),
        "isalpha" => bool_(!b.is_empty() && b.iter().all(u8::is_ascii_alphabetic)),
        "isalnum" => bool_(!b.is_empty() && b.iter().all(u8::is_ascii_alphanumeric)),
        "isspace" => {
            bool_(!b.is_empty() && b.iter().all(|c| c.is_ascii_whitespace() || *c == 0x0b))
        }
        "isascii" => bool_(b.is_ascii()),
        "islower" => {
            bool_(b.iter().any(u8::is_ascii_lowercase) && !b.iter().any(u8::is_ascii_uppercase))
        }
        "isupper" => {
            bool_(b.iter().any(u8::is_ascii_uppercase) && !b.iter().any(u8::is_ascii_lowercase))
        }
        "istitle" => {
            let (mut prev, mut any) = (false, false);
            for &c in b {
                if c.is_ascii_uppercase() {
                    if prev {
                        return bool_(false);
                    }
                    prev = true;
                    any = true;
                } else if c.is_ascii_lowercase() {
                    if !prev {
                        return bool_(false);
                    }
                    prev = true;
                    any = true;
                } else {
                    prev = false;
                }
            }
            bool_(any)
        }
        "ljust" | "rjust" | "center" => {
            want(m, &args, 1, 2)?;
            let w = idx(args.first(), 0)?.max(0) as usize;
            let fill = fill_byte(args.get(1))?;
            if b.len() >= w {
                return Ok(wrap(b.to_vec()));
            }
            let total = w - b.len();
            let (l, r) = match m {
                "ljust" => (0, total),
                "rjust" => (total, 0),
                _ => {
                    let left = total / 2 + (total & w & 1);
                    (left, total - left)
                }
            };
            let mut out = vec![fill; l];
            out.extend_from_slice(b);
            out.extend(std::iter::repeat_n(fill, r));
            Ok(wrap(out))
        }
        "zfill" => {
            want(m, &args, 1, 1)?;
            let w = idx(args.first(), 0)?.max(0) as usize;
            if b.len() >= w {
                return Ok(wrap(b.to_vec()));
            }
            let pad = vec![b'0'; w - b.len()];
            Ok(wrap(match b.first() {
                Some(&c @ (b'+' | b'-')) => [&[c][..], &pad, &b[1..]].concat(),
                _ => [&pad[..], b].concat(),
            }))
        }
        "partition" | "rpartition" => {
            want(m, &args, 1, 1)?;
            let sep = bytes_arg(&args[0])?;
            if sep.is_empty() {
                return Err(Exc::value_error("empty separator"));
            }
            let r = find(b, &sep, m == "rpartition");
            Ok(Value::tuple(match r {
                Some(i) => vec![
                    wrap(b[..i].to_vec()),
                    wrap(sep.clone()),
                    wrap(b[i + sep.len()..].to_vec()),
                ],
                None if m == "partition" => {
                    vec![wrap(b.to_vec()), wrap(Vec::new()), wrap(Vec::new())]
                }
                None => vec![wrap(Vec::new()), wrap(Vec::new()), wrap(b.to_vec())],
            }))
        }
        "removeprefix" | "removesuffix" => {
            want(m, &args, 1, 1)?;
            let p = bytes_arg(&args[0])?;
            Ok(wrap(if m == "removeprefix" {
                b.strip_prefix(p.as_slice()).unwrap_or(b).to_vec()
            } else {
                b.strip_suffix(p.as_slice()).unwrap_or(b).to_vec()
            }))
        }
        "splitlines" => {
            let a = super::parse_args(vm, "splitlines", args, kw, &["keepends"], 0)?;
            let keep = a[0].as_ref().is_some_and(|v| v.truthy());
            let mut out = Vec::new();
            let mut i = 0;
            let mut start = 0;
            while i < b.len() {
                if b[i] == b'\n' || b[i] == b'\r' {
                    let mut end = i + 1;
                    if b[i] == b'\r' && b.get(i + 1) == Some(&b'\n') {
                        end += 1;
                    }
                    out.push(wrap(b[start..if keep { end } else { i }].to_vec()));
                    i = end;
                    start = end;
                } else {
                    i += 1;
                }
            }
            if start < b.len() {
                out.push(wrap(b[start..].to_vec()));
            }
            Ok(Value::list(out))
        }
        "expandtabs" => {
            let a = super::parse_args(vm, "expandtabs", args, kw, &["tabsize"], 0)?;
            let size = idx(a[0].as_ref(), 8)?.max(0) as usize;
            let mut out = Vec::new();
            let mut col = 0;
            for &c in b {
                match c {
                    b'\t' => {
                        if size > 0 {
                            let n = size - col % size;
                            out.extend(std::iter::repeat_n(b' ', n));
                            col += n;
                        }
                    }
                    b'\n' | b'\r' => {
                        out.push(c);
                        col = 0;
                    }
                    c => {
                        out.push(c);
                        col += 1;
                    }
                }
            }
            Ok(wrap(out))
        }
        "translate" => {
            let a = super::parse_args(vm, "translate", args, kw, &["table", "delete"], 1)?;
            let table = match a[0].as_ref() {
                Some(Value::None) | None => None,
                Some(t) => {
                    let t = bytes_arg(t)?;
                    if t.len() != 256 {
                        return Err(Exc::value_error(
                            "translation table must be 256 characters long",
                        ));
                    }
                    Some(t)
                }
            };
            let delete = match a[1].as_ref() {
                Some(d) => bytes_arg(d)?,
                None => Vec::new(),
            };
            Ok(wrap(
                b.iter()
                    .filter(|c| !delete.contains(c))
                    .map(|&c| match &table {
                        Some(t) => t[c as usize],
                        None => c,
                    })
                    .collect(),
            ))
        }
        "maketrans" => bytes_maketrans_impl(&args).map(Value::bytes),
        _ => Err(Exc::new(
            crate::lang::exceptions::ExcKind::AttributeError,
            format!("'{tname}' object has no attribute '{m}'"),
        )),
    }
}

/// `bytes.hex(sep, bytes_per_sep)`.
pub fn hex_with_sep(b: &[u8], sep: Option<&str>, per: i64) -> PResult<String> {
    let hexes: Vec<String> = b.iter().map(|x| format!("{x:02x}")).collect();
    let Some(sep) = sep else {
        return Ok(hexes.concat());
    };
    if sep.chars().count() != 1 {
        return Err(Exc::value_error("sep must be length 1."));
    }
    if per == 0 {
        return Ok(hexes.concat());
    }
    let n = per.unsigned_abs() as usize;
    let groups: Vec<String> = if per > 0 {
        // Groups counted from the right.
        let mut g = Vec::new();
        let mut end = hexes.len();
        while end > 0 {
            let start = end.saturating_sub(n);
            g.push(hexes[start..end].concat());
            end = start;
        }
        g.reverse();
        g
    } else {
        hexes.chunks(n).map(|c| c.concat()).collect()
    };
    Ok(groups.join(sep))
}

fn bytes_maketrans_impl(args: &[Value]) -> PResult<Vec<u8>> {
    want("maketrans", args, 2, 2)?;
    let (f, t) = (bytes_arg(&args[0])?, bytes_arg(&args[1])?);
    if f.len() != t.len() {
        return Err(Exc::value_error(
            "maketrans arguments must have same length",
        ));
    }
    let mut table: Vec<u8> = (0..=255).collect();
    for (a, b) in f.iter().zip(t.iter()) {
        table[*a as usize] = *b;
    }
    Ok(table)
}

/// `bytes.maketrans(from, to)`.
pub fn bytes_maketrans(args: &[Value]) -> PResult<Value> {
    bytes_maketrans_impl(args).map(Value::bytes)
}
