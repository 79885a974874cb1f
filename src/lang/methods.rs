//! Methods of the builtin types (`str.split`, `list.append`, `dict.get`, ...).

use std::cell::RefCell;
use std::rc::Rc;

use super::ast::Sym;
use super::builtins::{self, sort_values};
use super::exceptions::{Exc, ExcKind, PResult};
use super::interp::Vm;
use super::ops;
use super::value::{ClassKind, Dict, TypeTag, Value};

type Kw = Vec<(Sym, Value)>;

const STR_METHODS: &[&str] = &[
    "split",
    "rsplit",
    "join",
    "strip",
    "lstrip",
    "rstrip",
    "startswith",
    "endswith",
    "replace",
    "find",
    "rfind",
    "upper",
    "lower",
    "encode",
    "format",
    "count",
    "index",
    "rindex",
    "isdigit",
    "isalpha",
    "isalnum",
    "isspace",
    "isupper",
    "islower",
    "capitalize",
    "title",
    "swapcase",
    "splitlines",
    "zfill",
    "center",
    "ljust",
    "rjust",
    "partition",
    "rpartition",
    "casefold",
    "removeprefix",
    "removesuffix",
    "isdecimal",
    "isnumeric",
    "isidentifier",
    "isprintable",
    "isascii",
    "expandtabs",
    "format_map",
    "translate",
    "maketrans",
    "istitle",
];
const LIST_METHODS: &[&str] = &[
    "append", "extend", "pop", "insert", "index", "count", "sort", "reverse", "remove", "copy",
    "clear",
];
const TUPLE_METHODS: &[&str] = &["index", "count"];
const DICT_METHODS: &[&str] = &[
    "keys",
    "values",
    "items",
    "get",
    "update",
    "setdefault",
    "pop",
    "copy",
    "clear",
    "popitem",
    "fromkeys",
];
const SET_METHODS: &[&str] = &[
    "add",
    "discard",
    "remove",
    "pop",
    "union",
    "intersection",
    "difference",
    "symmetric_difference",
    "issubset",
    "issuperset",
    "isdisjoint",
    "copy",
    "clear",
    "update",
    "difference_update",
    "intersection_update",
    "symmetric_difference_update",
];
const INT_METHODS: &[&str] = &["bit_length", "to_bytes", "from_bytes", "conjugate"];
const FLOAT_METHODS: &[&str] = &["is_integer", "hex", "conjugate"];
const RANGE_METHODS: &[&str] = &["index", "count"];

fn method_table(tag: TypeTag) -> &'static [&'static str] {
    match tag {
        TypeTag::Str => STR_METHODS,
        TypeTag::Bytes => super::objects::bytesmethods::BYTES_METHODS,
        TypeTag::List => LIST_METHODS,
        TypeTag::Tuple => TUPLE_METHODS,
        TypeTag::Dict => DICT_METHODS,
        TypeTag::Set => SET_METHODS,
        TypeTag::Int | TypeTag::Bool => INT_METHODS,
        TypeTag::Float => FLOAT_METHODS,
        TypeTag::Range => RANGE_METHODS,
        _ => &[],
    }
}

/// The method names of a builtin type (for the name tables).
pub fn method_table_of(tag: TypeTag) -> &'static [&'static str] {
    method_table(tag)
}

/// Whether `v.name` is a method.
pub fn has_method(v: &Value, name: &str) -> bool {
    match v {
        Value::Class(c) => match c.kind {
            ClassKind::Builtin(t) => method_table(t).contains(&name),
            _ => false,
        },
        Value::Native(n) => n.0.method_names().contains(&name),
        _ => method_table(v.type_tag()).contains(&name),
    }
}

fn want(name: &str, args: &[Value], min: usize, max: usize) -> PResult<()> {
    if args.len() < min || args.len() > max {
        let msg = if min == max {
            match min {
                0 => format!("{name}() takes no arguments ({} given)", args.len()),
                1 => format!("{name}() takes exactly one argument ({} given)", args.len()),
                n => format!("{name} expected {n} arguments, got {}", args.len()),
            }
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
        };
        return Err(Exc::type_error(msg));
    }
    Ok(())
}

fn kw_lookup(vm: &Vm<'_>, kw: &Kw, name: &str) -> Option<Value> {
    kw.iter()
        .find(|(k, _)| vm.st.interner.name(*k) == name)
        .map(|(_, v)| v.clone())
}

fn str_arg<'a>(v: &'a Value, what: &str) -> PResult<&'a str> {
    match super::subclass::plain(v) {
        Value::Str(s) => Ok(&s.s),
        _ => Err(Exc::type_error(format!(
            "{what} must be str, not {}",
            v.type_name()
        ))),
    }
}

fn int_or(v: Option<&Value>, default: i64) -> PResult<i64> {
    match v {
        None | Some(Value::None) => Ok(default),
        Some(x) => ops::index_of(x).ok_or_else(|| {
            Exc::type_error(format!(
                "'{}' object cannot be interpreted as an integer",
                x.type_name()
            ))
        }),
    }
}

/// Calls `recv.name(args)`.
pub fn call_method(
    vm: &mut Vm<'_>,
    recv: &Value,
    name: Sym,
    args: Vec<Value>,
    kw: Kw,
) -> PResult<Value> {
    // Shared, not copied: a method call must not allocate its name.
    let mname = vm.st.interner.name_rc(name);
    if let Value::Class(c) = recv {
        return call_class_method(vm, c.kind, &c.name, &mname, name, args, kw);
    }
    if let Value::Native(n) = recv {
        if let Some(r) = n.0.call_method(vm, recv, &mname, args.clone(), kw.clone()) {
            return r;
        }
    }
    if !has_method(recv, &mname) {
        // Calling an attribute that is not a method (e.g. `e.args()`): get it, then call it.
        let attr = vm.get_attr(recv.clone(), name)?;
        return vm.call(&attr, args, kw);
    }
    match recv {
        Value::Str(s) => str_method(vm, &s.s, &mname, args, kw),
        Value::Bytes(b) => {
            super::objects::bytesmethods::call(vm, b, "bytes", &mname, args, kw, &Value::bytes)
        }
        Value::List(_) => list_method(vm, recv, &mname, args, kw),
        Value::Tuple(t) => seq_method(&mname, t, args)
            .map_err(|e| super::objects::rename_not_in_list(e, "tuple.index(x): x not in tuple")),
        Value::Dict(_) => dict_method(vm, recv, &mname, args, kw),
        Value::Set(_) => {
            if !kw.is_empty() {
                return Err(Exc::type_error(format!(
                    "set.{mname}() takes no keyword arguments"
                )));
            }
            set_method(vm, recv, &mname, args)
        }
        Value::Int(_) | Value::BigInt(_) | Value::Bool(_) => int_method(vm, recv, &mname, args, kw),
        Value::Float(f) => match &*mname {
            "is_integer" => Ok(Value::Bool(f.is_finite() && f.fract() == 0.0)),
            "conjugate" => Ok(Value::Float(*f)),
            "hex" => {
                want("hex", &args, 0, 0)?;
                Ok(Value::str(float_hex(*f)))
            }
            _ => Err(vm.no_attribute(recv, name)),
        },
        Value::Range(r) => {
            want(&mname, &args, 1, 1)?;
            let x = &args[0];
            let pos = match x {
                Value::Int(i) if r.step != 0 => {
                    let (i, st) = (*i as i128, r.start as i128);
                    let step = r.step as i128;
                    let off = i - st;
                    (off % step == 0 && off / step >= 0 && (off / step) < r.len() as i128)
                        .then_some((off / step) as i64)
                }
                _ => (0..r.len()).find(|&k| super::ops::eq(&Value::Int(r.start + k * r.step), x)),
            };
            match (&*mname, pos) {
                ("count", p) => Ok(Value::Int(p.is_some() as i64)),
                (_, Some(p)) => Ok(Value::Int(p)),
                (_, None) => Err(Exc::value_error(format!(
                    "{} is not in range",
                    super::format::repr(x)?
                ))),
            }
        }
        _ => Err(vm.no_attribute(recv, name)),
    }
}

/// `bytes.fromhex(...)`, `dict.fromkeys(...)`, `int.from_bytes(...)`, and unbound methods
/// called through their class (`str.upper("a")`).
fn call_class_method(
    vm: &mut Vm<'_>,
    kind: ClassKind,
    cname: &str,
    mname: &str,
    name: Sym,
    mut args: Vec<Value>,
    kw: Kw,
) -> PResult<Value> {
    let ClassKind::Builtin(tag) = kind else {
        return Err(Exc::new(
            ExcKind::AttributeError,
            format!("type object '{cname}' has no attribute '{mname}'"),
        ));
    };
    if let Some(r) = super::objects::class_method(vm, tag, mname, &args, &kw) {
        return r;
    }
    match (tag, mname) {
        (TypeTag::Bytes, "fromhex") => {
            want("fromhex", &args, 1, 1)?;
            let s = str_arg(&args[0], "fromhex() argument")?;
            return fromhex(s).map(Value::bytes);
        }
        (TypeTag::Dict, "fromkeys") => {
            want("fromkeys", &args, 1, 2)?;
            let v = args.get(1).cloned().unwrap_or(Value::None);
            let mut d = Dict::new();
            for k in vm.iterate(&args[0])? {
                d.insert(ops::key(&k)?, v.clone());
            }
            return Ok(Value::Dict(Rc::new(RefCell::new(d))));
        }
        (TypeTag::Int, "from_bytes") => {
            let mut args = args;
            if let Some(b) = kw_lookup(vm, &kw, "byteorder") {
                args.push(b);
            }
            want("from_bytes", &args, 1, 2)?;
            let data = match &args[0] {
                Value::Bytes(b) => (**b).clone(),
                v => builtins_bytes(v)?,
            };
            let order = match args.get(1) {
                Some(v) => str_arg(v, "from_bytes() argument 'byteorder'")?.to_string(),
                None => "big".into(),
            };
            let signed = kw_lookup(vm, &kw, "signed")
                .map(|v| v.truthy())
                .unwrap_or(false);
            let n = match order.as_str() {
                "big" if signed => num_bigint::BigInt::from_signed_bytes_be(&data),
                "big" => num_bigint::BigInt::from_bytes_be(num_bigint::Sign::Plus, &data),
                "little" if signed => num_bigint::BigInt::from_signed_bytes_le(&data),
                "little" => num_bigint::BigInt::from_bytes_le(num_bigint::Sign::Plus, &data),
                _ => {
                    return Err(Exc::value_error(
                        "byteorder must be either 'little' or 'big'",
                    ))
                }
            };
            return Ok(Value::from_bigint(n));
        }
        _ => {}
    }
    if !method_table(tag).contains(&mname) {
        // `int.__add__(1, 2)`, `dict.__setitem__(self, k, v)`: the type's special methods.
        if let Some(d) = super::subclass::special_of(vm, tag, name) {
            return (d.func)(vm, args, kw);
        }
        return Err(Exc::new(
            ExcKind::AttributeError,
            format!("type object '{cname}' has no attribute '{mname}'"),
        ));
    }
    if args.is_empty() {
        return Err(Exc::type_error(format!(
            "unbound method {cname}.{mname}() needs an argument"
        )));
    }
    let recv = args.remove(0);
    // `list.append(self, x)` on an instance of a subclass acts on its list.
    let recv = match recv.builtin_base() {
        Some(b) if b.type_tag() == tag => b.clone(),
        _ => recv,
    };
    if recv.type_tag() != tag {
        return Err(Exc::type_error(format!(
            "descriptor '{mname}' for '{cname}' objects doesn't apply to a '{}' object",
            recv.type_name()
        )));
    }
    call_method(vm, &recv, name, args, kw)
}

fn builtins_bytes(v: &Value) -> PResult<Vec<u8>> {
    let mut out = Vec::new();
    for it in ops::iterate(v)? {
        match ops::index_of(&it) {
            Some(i) if (0..256).contains(&i) => out.push(i as u8),
            _ => return Err(Exc::value_error("bytes must be in range(0, 256)")),
        }
    }
    Ok(out)
}

/// `bytes.fromhex(s)`.
pub fn fromhex(s: &str) -> PResult<Vec<u8>> {
    let mut out = Vec::new();
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_whitespace() {
            i += 1;
            continue;
        }
        let hi = chars[i].to_digit(16);
        let lo = chars.get(i + 1).and_then(|c| c.to_digit(16));
        match (hi, lo) {
            (Some(h), Some(l)) => out.push((h * 16 + l) as u8),
            (Some(_), None) => {
                return Err(Exc::value_error(format!(
                    "non-hexadecimal number found in fromhex() arg at position {}",
                    i + 1
                )))
            }
            _ => {
                return Err(Exc::value_error(format!(
                    "non-hexadecimal number found in fromhex() arg at position {i}"
                )))
            }
        }
        i += 2;
    }
    Ok(out)
}

/// Python's `str.split()` without a separator: runs of whitespace, no empty strings.
fn split_whitespace(s: &str, maxsplit: i64) -> Vec<Value> {
    let mut out = Vec::new();
    let mut rest = s.trim_start();
    while !rest.is_empty() {
        if maxsplit >= 0 && out.len() as i64 >= maxsplit {
            out.push(Value::str(rest));
            return out;
        }
        match rest.find(char::is_whitespace) {
            Some(i) => {
                out.push(Value::str(&rest[..i]));
                rest = rest[i..].trim_start();
            }
            None => {
                out.push(Value::str(rest));
                break;
            }
        }
    }
    out
}

/// Python's char-index bounds (start/end arguments of find, count, startswith...).
fn char_bounds(n: usize, start: Option<&Value>, end: Option<&Value>) -> PResult<(usize, usize)> {
    let adj = |v: i64| -> usize {
        let n = n as i64;
        (if v < 0 { (v + n).max(0) } else { v.min(n) }) as usize
    };
    let s = adj(int_or(start, 0)?);
    let e = adj(int_or(end, n as i64)?);
    Ok((s, e))
}

/// Byte offset of char index `i`.
fn byte_at(s: &str, i: usize) -> usize {
    s.char_indices().nth(i).map(|(b, _)| b).unwrap_or(s.len())
}

fn char_index_of(s: &str, byte: usize) -> usize {
    s[..byte].chars().count()
}

fn strip_chars<'a>(s: &'a str, chars: Option<&Value>, left: bool, right: bool) -> PResult<&'a str> {
    match chars {
        None | Some(Value::None) => Ok(match (left, right) {
            (true, true) => s.trim(),
            (true, false) => s.trim_start(),
            _ => s.trim_end(),
        }),
        Some(Value::Str(c)) => {
            let set: Vec<char> = c.s.chars().collect();
            let f = |ch: char| set.contains(&ch);
            Ok(match (left, right) {
                (true, true) => s.trim_matches(f),
                (true, false) => s.trim_start_matches(f),
                _ => s.trim_end_matches(f),
            })
        }
        Some(v) => Err(Exc::type_error(format!(
            "strip arg must be None or str, not {}",
            v.type_name()
        ))),
    }
}

fn prefix_match(s: &str, arg: &Value, ends: bool) -> PResult<bool> {
    let test = |p: &str| {
        if ends {
            s.ends_with(p)
        } else {
            s.starts_with(p)
        }
    };
    match arg {
        Value::Str(p) => Ok(test(&p.s)),
        Value::Tuple(t) => {
            for x in t.iter() {
                if let Value::Str(p) = x {
                    if test(&p.s) {
                        return Ok(true);
                    }
                } else {
                    return Err(Exc::type_error(format!(
                        "tuple for {} must only contain str, not {}",
                        if ends { "endswith" } else { "startswith" },
                        x.type_name()
                    )));
                }
            }
            Ok(false)
        }
        v => Err(Exc::type_error(format!(
            "{} first arg must be str or a tuple of str, not {}",
            if ends { "endswith" } else { "startswith" },
            v.type_name()
        ))),
    }
}

fn str_method(vm: &mut Vm<'_>, s: &str, m: &str, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    match m {
        "split" | "rsplit" => {
            let sep = args.first().cloned().or_else(|| kw_lookup(vm, &kw, "sep"));
            let maxsplit = int_or(args.get(1).or(kw_lookup(vm, &kw, "maxsplit").as_ref()), -1)?;
            match sep {
                None | Some(Value::None) => {
                    if m == "rsplit" && maxsplit >= 0 {
                        let rev: String = s.chars().rev().collect();
                        let mut parts: Vec<String> = split_whitespace(&rev, maxsplit)
                            .into_iter()
                            .map(|v| match v {
                                Value::Str(p) => p.s.chars().rev().collect(),
                                _ => String::new(),
                            })
                            .collect();
                        parts.reverse();
                        return Ok(Value::list(parts.into_iter().map(Value::str).collect()));
                    }
                    Ok(Value::list(split_whitespace(s, maxsplit)))
                }
                Some(Value::Str(sep)) => {
                    if sep.s.is_empty() {
                        return Err(Exc::value_error("empty separator"));
                    }
                    let parts: Vec<Value> = if maxsplit < 0 {
                        s.split(sep.s.as_str()).map(Value::str).collect()
                    } else if m == "split" {
                        s.splitn(maxsplit as usize + 1, sep.s.as_str())
                            .map(Value::str)
                            .collect()
                    } else {
                        let mut v: Vec<Value> = s
                            .rsplitn(maxsplit as usize + 1, sep.s.as_str())
                            .map(Value::str)
                            .collect();
                        v.reverse();
                        v
                    };
                    Ok(Value::list(parts))
                }
                Some(v) => Err(Exc::type_error(format!(
                    "must be str or None, not {}",
                    v.type_name()
                ))),
            }
        }
        "join" => {
            want("join", &args, 1, 1)?;
            let items = vm.iterate(&args[0]).map_err(|e| {
                if super::objects::is_not_iterable(&e) {
                    Exc::type_error("can only join an iterable")
                } else {
                    e
                }
            })?;
            let mut out = String::new();
            for (i, it) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(s);
                }
                match super::subclass::plain(it) {
                    Value::Str(p) => out.push_str(&p.s),
                    _ => {
                        let v = it;
                        return Err(Exc::type_error(format!(
                            "sequence item {i}: expected str instance, {} found",
                            v.type_name()
                        )));
                    }
                }
            }
            Ok(Value::str(out))
        }
        "strip" => Ok(Value::str(strip_chars(s, args.first(), true, true)?)),
        "lstrip" => Ok(Value::str(strip_chars(s, args.first(), true, false)?)),
        "rstrip" => Ok(Value::str(strip_chars(s, args.first(), false, true)?)),
        "startswith" | "endswith" => {
            want(m, &args, 1, 3)?;
            let (a, b) = char_bounds(s.chars().count(), args.get(1), args.get(2))?;
            let sub = if a <= b {
                &s[byte_at(s, a)..byte_at(s, b)]
            } else {
                ""
            };
            Ok(Value::Bool(prefix_match(sub, &args[0], m == "endswith")?))
        }
        "replace" => {
            want("replace", &args, 2, 3)?;
            let old = str_arg(&args[0], "replace() argument 1")?;
            let new = str_arg(&args[1], "replace() argument 2")?;
            let count = int_or(args.get(2), -1)?;
            Ok(Value::str(if count < 0 {
                s.replace(old, new)
            } else {
                s.replacen(old, new, count as usize)
            }))
        }
        "find" | "rfind" | "index" | "rindex" => {
            want(m, &args, 1, 3)?;
            let sub = str_arg(&args[0], "must be str,").map_err(|_| {
                Exc::type_error(format!("must be str, not {}", args[0].type_name()))
            })?;
            let (a, b) = char_bounds(s.chars().count(), args.get(1), args.get(2))?;
            let found = if a > b {
                None
            } else {
                let (ba, bb) = (byte_at(s, a), byte_at(s, b));
                let hay = &s[ba..bb];
                let r = if m.starts_with('r') {
                    hay.rfind(sub)
                } else {
                    hay.find(sub)
                };
                r.map(|i| char_index_of(s, ba + i) as i64)
            };
            match found {
                Some(i) => Ok(Value::Int(i)),
                None if m.ends_with("index") => Err(Exc::value_error("substring not found")),
                None => Ok(Value::Int(-1)),
            }
        }
        "count" => {
            want("count", &args, 1, 3)?;
            let sub = str_arg(&args[0], "must be str,").map_err(|_| {
                Exc::type_error(format!("must be str, not {}", args[0].type_name()))
            })?;
            let hay = if args.len() == 1 {
                s
            } else {
                let (a, b) = char_bounds(s.chars().count(), args.get(1), args.get(2))?;
                if a > b {
                    return Ok(Value::Int(0));
                }
                &s[byte_at(s, a)..byte_at(s, b)]
            };
            Ok(Value::Int(match sub.as_bytes() {
                [] => hay.chars().count() as i64 + 1,
                // One ASCII byte never occurs inside a multi-byte character: count bytes.
                [c] => hay.bytes().filter(|b| b == c).count() as i64,
                _ => hay.matches(sub).count() as i64,
            }))
        }
        "upper" => Ok(Value::str(s.to_uppercase())),
        "lower" | "casefold" => Ok(Value::str(s.to_lowercase())),
        "swapcase" => Ok(Value::str(
            s.chars()
                .map(|c| {
                    if c.is_uppercase() {
                        c.to_lowercase().collect::<String>()
                    } else {
                        c.to_uppercase().collect::<String>()
                    }
                })
                .collect::<String>(),
        )),
        "capitalize" => {
            let mut c = s.chars();
            Ok(Value::str(match c.next() {
                Some(f) => f.to_uppercase().collect::<String>() + &c.as_str().to_lowercase(),
                None => String::new(),
            }))
        }
        "title" => {
            let mut out = String::new();
            let mut prev_cased = false;
            for ch in s.chars() {
                if prev_cased {
                    out.extend(ch.to_lowercase());
                } else {
                    out.extend(ch.to_uppercase());
                }
                prev_cased = ch.is_alphabetic();
            }
            Ok(Value::str(out))
        }
        "encode" => {
            let enc = args
                .first()
                .cloned()
                .or_else(|| kw_lookup(vm, &kw, "encoding"));
            let errors = args
                .get(1)
                .cloned()
                .or_else(|| kw_lookup(vm, &kw, "errors"));
            let enc = match enc {
                Some(v) => str_arg(&v, "encode() argument 'encoding'")?.to_string(),
                None => "utf-8".into(),
            };
            let errors = match errors {
                Some(v) => str_arg(&v, "encode() argument 'errors'")?.to_string(),
                None => "strict".into(),
            };
            Ok(Value::bytes(builtins::encode(s, &enc, &errors)?))
        }
        "format" => Ok(Value::str(super::printf::str_format(vm, s, &args, &kw)?)),
        "format_map" | "translate" | "istitle" | "maketrans" => {
            super::objects::builtins::str_extra(vm, s, m, args)
        }
        "isdigit" | "isdecimal" | "isnumeric" => Ok(Value::Bool(
            !s.is_empty() && s.chars().all(|c| c.is_numeric()),
        )),
        "isalpha" => Ok(Value::Bool(
            !s.is_empty() && s.chars().all(char::is_alphabetic),
        )),
        "isalnum" => Ok(Value::Bool(
            !s.is_empty() && s.chars().all(char::is_alphanumeric),
        )),
        "isspace" => Ok(Value::Bool(
            !s.is_empty() && s.chars().all(char::is_whitespace),
        )),
        "isascii" => Ok(Value::Bool(s.is_ascii())),
        "isprintable" => Ok(Value::Bool(s.chars().all(|c| !c.is_control()))),
        "isidentifier" => Ok(Value::Bool(
            s.chars()
                .next()
                .is_some_and(|c| c == '_' || c.is_alphabetic())
                && s.chars().all(|c| c == '_' || c.is_alphanumeric()),
        )),
        "isupper" => Ok(Value::Bool(
            s.chars().any(char::is_alphabetic) && !s.chars().any(char::is_lowercase),
        )),
        "islower" => Ok(Value::Bool(
            s.chars().any(char::is_alphabetic) && !s.chars().any(char::is_uppercase),
        )),
        "splitlines" => {
            let keep = args.first().map(|v| v.truthy()).unwrap_or(false);
            let mut out = Vec::new();
            let mut cur = String::new();
            let mut it = s.chars().peekable();
            while let Some(c) = it.next() {
                if c == '\n' || c == '\r' {
                    let mut end = c.to_string();
                    if c == '\r' && it.peek() == Some(&'\n') {
                        it.next();
                        end.push('\n');
                    }
                    if keep {
                        cur.push_str(&end);
                    }
                    out.push(Value::str(std::mem::take(&mut cur)));
                } else {
                    cur.push(c);
                }
            }
            if !cur.is_empty() {
                out.push(Value::str(cur));
            }
            Ok(Value::list(out))
        }
        "zfill" => {
            want("zfill", &args, 1, 1)?;
            let w = int_or(args.first(), 0)?.max(0) as usize;
            let n = s.chars().count();
            if n >= w {
                return Ok(Value::str(s));
            }
            let pad = "0".repeat(w - n);
            Ok(Value::str(match s.chars().next() {
                Some(c @ ('+' | '-')) => format!("{c}{pad}{}", &s[1..]),
                _ => format!("{pad}{s}"),
            }))
        }
        "center" | "ljust" | "rjust" => {
            want(m, &args, 1, 2)?;
            let w = int_or(args.first(), 0)?.max(0) as usize;
            let fill = match args.get(1) {
                Some(Value::Str(f)) if f.s.chars().count() == 1 => {
                    f.s.chars().next().unwrap_or(' ')
                }
                Some(_) => {
                    return Err(Exc::type_error(
                        "The fill character must be exactly one character long",
                    ))
                }
                None => ' ',
            };
            let n = s.chars().count();
            if n >= w {
                return Ok(Value::str(s));
            }
            let total = w - n;
            let (l, r) = match m {
                "ljust" => (0, total),
                "rjust" => (total, 0),
                _ => {
                    // CPython's centering puts the extra space on the right for odd widths
                    // of even-length text, on the left otherwise.
                    let left = total / 2 + (total & w & 1);
                    (left, total - left)
                }
            };
            let f = |k: usize| std::iter::repeat_n(fill, k).collect::<String>();
            Ok(Value::str(format!("{}{s}{}", f(l), f(r))))
        }
        "partition" | "rpartition" => {
            want(m, &args, 1, 1)?;
            let sep = str_arg(&args[0], "must be str,")?;
            if sep.is_empty() {
                return Err(Exc::value_error("empty separator"));
            }
            let found = if m == "partition" {
                s.find(sep)
            } else {
                s.rfind(sep)
            };
            Ok(Value::tuple(match found {
                Some(i) => vec![
                    Value::str(&s[..i]),
                    Value::str(sep),
                    Value::str(&s[i + sep.len()..]),
                ],
                None if m == "partition" => vec![Value::str(s), Value::str(""), Value::str("")],
                None => vec![Value::str(""), Value::str(""), Value::str(s)],
            }))
        }
        "removeprefix" => {
            want(m, &args, 1, 1)?;
            let p = str_arg(&args[0], "removeprefix() argument")?;
            Ok(Value::str(s.strip_prefix(p).unwrap_or(s)))
        }
        "removesuffix" => {
            want(m, &args, 1, 1)?;
            let p = str_arg(&args[0], "removesuffix() argument")?;
            Ok(Value::str(s.strip_suffix(p).unwrap_or(s)))
        }
        "expandtabs" => {
            let size = int_or(args.first(), 8)?.max(0) as usize;
            let mut out = String::new();
            let mut col = 0;
            for c in s.chars() {
                match c {
                    '\t' => {
                        if size > 0 {
                            let n = size - col % size;
                            out.push_str(&" ".repeat(n));
                            col += n;
                        }
                    }
                    '\n' | '\r' => {
                        out.push(c);
                        col = 0;
                    }
                    c => {
                        out.push(c);
                        col += 1;
                    }
                }
            }
            Ok(Value::str(out))
        }
        _ => Err(Exc::new(
            ExcKind::AttributeError,
            format!("'str' object has no attribute '{m}'"),
        )),
    }
}

fn seq_method(m: &str, items: &[Value], args: Vec<Value>) -> PResult<Value> {
    match m {
        "index" => {
            want("index", &args, 1, 3)?;
            let n = items.len() as i64;
            let norm = |v: i64| if v < 0 { (v + n).max(0) } else { v.min(n) } as usize;
            let s = norm(int_or(args.get(1), 0)?);
            let e = norm(int_or(args.get(2), n)?);
            for (i, x) in items.iter().enumerate().take(e).skip(s) {
                if ops::is(x, &args[0]) || ops::eq(x, &args[0]) {
                    return Ok(Value::Int(i as i64));
                }
            }
            Err(Exc::value_error(format!(
                "{} is not in list",
                super::format::repr(&args[0])?
            )))
        }
        "count" => {
            want("count", &args, 1, 1)?;
            Ok(Value::Int(
                items
                    .iter()
                    .filter(|x| ops::is(x, &args[0]) || ops::eq(x, &args[0]))
                    .count() as i64,
            ))
        }
        _ => Err(Exc::new(
            ExcKind::AttributeError,
            format!("'tuple' object has no attribute '{m}'"),
        )),
    }
}

fn list_method(vm: &mut Vm<'_>, recv: &Value, m: &str, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    let Value::List(l) = recv else {
        return Ok(Value::None);
    };
    match m {
        "append" => {
            want("list.append", &args, 1, 1).map_err(|_| {
                Exc::type_error(format!(
                    "list.append() takes exactly one argument ({} given)",
                    args.len()
                ))
            })?;
            l.borrow_mut()
                .push(args.into_iter().next().unwrap_or(Value::None));
            Ok(Value::None)
        }
        "extend" => {
            want("extend", &args, 1, 1)?;
            let items = vm.iterate(&args[0])?;
            l.borrow_mut().extend(items);
            Ok(Value::None)
        }
        "pop" => {
            want("pop", &args, 0, 1)?;
            let mut v = l.borrow_mut();
            if v.is_empty() {
                return Err(Exc::new(ExcKind::IndexError, "pop from empty list"));
            }
            let i = int_or(args.first(), -1)?;
            match ops::norm_index(i, v.len()) {
                Some(i) => Ok(v.remove(i)),
                None => Err(Exc::new(ExcKind::IndexError, "pop index out of range")),
            }
        }
        "insert" => {
            want("insert", &args, 2, 2)?;
            let mut v = l.borrow_mut();
            let n = v.len() as i64;
            let i = int_or(args.first(), 0)?;
            let i = if i < 0 { (i + n).max(0) } else { i.min(n) } as usize;
            v.insert(i, args[1].clone());
            Ok(Value::None)
        }
        "index" | "count" => {
            let items = l.borrow().clone();
            seq_method(m, &items, args)
        }
        "sort" => {
            if !args.is_empty() {
                return Err(Exc::type_error("sort() takes no positional arguments"));
            }
            let key = kw_lookup(vm, &kw, "key").filter(|k| !matches!(k, Value::None));
            let reverse = kw_lookup(vm, &kw, "reverse")
                .map(|v| v.truthy())
                .unwrap_or(false);
            let mut items = std::mem::take(&mut *l.borrow_mut());
            let r = sort_values(vm, &mut items, key, reverse);
            *l.borrow_mut() = items;
            r.map(|_| Value::None)
        }
        "reverse" => {
            want("reverse", &args, 0, 0)?;
            l.borrow_mut().reverse();
            Ok(Value::None)
        }
        "remove" => {
            want("remove", &args, 1, 1)?;
            let pos = l
                .borrow()
                .iter()
                .position(|x| ops::is(x, &args[0]) || ops::eq(x, &args[0]));
            match pos {
                Some(i) => {
                    l.borrow_mut().remove(i);
                    Ok(Value::None)
                }
                None => Err(Exc::value_error("list.remove(x): x not in list")),
            }
        }
        "copy" => Ok(Value::list(l.borrow().clone())),
        "clear" => {
            l.borrow_mut().clear();
            Ok(Value::None)
        }
        _ => Err(Exc::new(
            ExcKind::AttributeError,
            format!("'list' object has no attribute '{m}'"),
        )),
    }
}

/// `d.update(src)`: from a dict or an iterable of pairs.
pub fn dict_update(vm: &mut Vm<'_>, d: &Value, src: &Value) -> PResult<()> {
    let Value::Dict(d) = d else { return Ok(()) };
    let src = super::subclass::plain(src);
    if let Value::Dict(s) = src {
        let pairs: Vec<(Value, Value)> = s
            .borrow()
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        for (k, v) in pairs {
            d.borrow_mut().insert(ops::key(&k)?, v);
        }
        return Ok(());
    }
    for (i, item) in vm.iterate(src)?.into_iter().enumerate() {
        let kv = match &item {
            Value::Tuple(_) | Value::List(_) | Value::Str(_) | Value::Bytes(_) => {
                vm.iterate(&item)?
            }
            _ => {
                return Err(Exc::type_error(format!(
                    "cannot convert dictionary update sequence element #{i} to a sequence"
                )))
            }
        };
        if kv.len() != 2 {
            return Err(Exc::value_error(format!(
                "dictionary update sequence element #{i} has length {}; 2 is required",
                kv.len()
            )));
        }
        d.borrow_mut().insert(ops::key(&kv[0])?, kv[1].clone());
    }
    Ok(())
}

fn dict_method(vm: &mut Vm<'_>, recv: &Value, m: &str, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    let Value::Dict(d) = recv else {
        return Ok(Value::None);
    };
    match m {
        "keys" => Ok(super::objects::views::view(
            d,
            super::objects::iters::DictPart::Keys,
        )),
        "values" => Ok(super::objects::views::view(
            d,
            super::objects::iters::DictPart::Values,
        )),
        "items" => Ok(super::objects::views::view(
            d,
            super::objects::iters::DictPart::Items,
        )),
        "get" => {
            want("get", &args, 1, 2)?;
            let k = ops::key(&args[0])?;
            Ok(d.borrow()
                .get(&k)
                .cloned()
                .unwrap_or_else(|| args.get(1).cloned().unwrap_or(Value::None)))
        }
        "update" => {
            want("update", &args, 0, 1)?;
            if let Some(src) = args.first() {
                dict_update(vm, recv, src)?;
            }
            for (k, v) in kw {
                let name = Value::str(vm.st.interner.name(k));
                d.borrow_mut().insert(ops::key(&name)?, v);
            }
            Ok(Value::None)
        }
        "setdefault" => {
            want("setdefault", &args, 1, 2)?;
            let k = ops::key(&args[0])?;
            if let Some(v) = d.borrow().get(&k) {
                return Ok(v.clone());
            }
            let v = args.get(1).cloned().unwrap_or(Value::None);
            d.borrow_mut().insert(k, v.clone());
            Ok(v)
        }
        "pop" => {
            want("pop", &args, 1, 2)?;
            let k = ops::key(&args[0])?;
            let r = d.borrow_mut().remove(&k);
            match (r, args.get(1)) {
                (Some(v), _) => Ok(v),
                (None, Some(default)) => Ok(default.clone()),
                (None, None) => Err(Exc::with_args(ExcKind::KeyError, vec![args[0].clone()])),
            }
        }
        "popitem" => match d.borrow_mut().pop_last() {
            Some((k, v)) => Ok(Value::tuple(vec![k, v])),
            None => Err(Exc::new(
                ExcKind::KeyError,
                "popitem(): dictionary is empty",
            )),
        },
        "copy" => Ok(Value::Dict(Rc::new(RefCell::new(d.borrow().clone())))),
        "clear" => {
            d.borrow_mut().clear();
            Ok(Value::None)
        }
        _ => Err(Exc::new(
            ExcKind::AttributeError,
            format!("'dict' object has no attribute '{m}'"),
        )),
    }
}

/// The methods of set and frozenset (`recv` is either, or an instance of a class deriving
/// from one): CPython's algorithms over the set tables (`lang::settable`), so results iterate
/// in CPython's order.
pub fn set_method(vm: &mut Vm<'_>, recv: &Value, m: &str, args: Vec<Value>) -> PResult<Value> {
    use super::settable::{self, SetTable};
    let Some(t) = settable::table_of(recv) else {
        return Ok(Value::None);
    };
    let frozen = !matches!(super::subclass::plain(recv), Value::Set(_));
    let tname = if frozen { "frozenset" } else { "set" };
    let new_table = |r: SetTable| Rc::new(RefCell::new(r));
    let result = |r: settable::SharedTable| {
        let r = Rc::try_unwrap(r)
            .map(RefCell::into_inner)
            .unwrap_or_else(|shared| shared.borrow().copy());
        settable::set_value(r, frozen)
    };
    // The other operand as a table: a set's own, or one built from the iterable.
    let table_arg = |vm: &mut Vm<'_>, v: &Value| -> PResult<settable::SharedTable> {
        match settable::table_of(v) {
            Some(o) => Ok(o),
            None => Ok(new_table(settable::build(vm, Some(v))?)),
        }
    };
    match m {
        "add" => {
            want("add", &args, 1, 1)?;
            let k = vm.key_among(&args[0], || t.borrow().keys())?;
            t.borrow_mut().insert(k);
            Ok(Value::None)
        }
        "discard" | "remove" => {
            want(m, &args, 1, 1)?;
            let k = vm.key_among(&args[0], || t.borrow().keys())?;
            let removed = t.borrow_mut().remove(&k);
            match removed {
                None if m == "remove" => {
                    Err(Exc::with_args(ExcKind::KeyError, vec![args[0].clone()]))
                }
                _ => Ok(Value::None),
            }
        }
        "pop" => {
            want("pop", &args, 0, 0)?;
            let popped = t.borrow_mut().pop();
            popped.ok_or_else(|| Exc::new(ExcKind::KeyError, "pop from an empty set"))
        }
        "clear" => {
            t.borrow_mut().clear();
            Ok(Value::None)
        }
        "copy" if frozen => Ok(recv.clone()),
        "copy" => Ok(settable::set_value(t.borrow().copy(), false)),
        "update" => {
            for a in &args {
                settable::update_from(vm, &t, a)?;
            }
            Ok(Value::None)
        }
        "union" => {
            let r = new_table(t.borrow().copy());
            for a in &args {
                if settable::table_of(a).is_some_and(|o| Rc::ptr_eq(&o, &t)) {
                    continue;
                }
                settable::update_from(vm, &r, a)?;
            }
            Ok(result(r))
        }
        "intersection" | "intersection_update" => {
            let mut r = t.clone();
            if args.is_empty() {
                r = new_table(t.borrow().copy());
            }
            for a in &args {
                let next = match settable::table_of(a) {
                    Some(o) if Rc::ptr_eq(&o, &r) => r.borrow().copy(),
                    Some(o) => SetTable::intersection(&r.borrow(), &o.borrow()),
                    None => {
                        let keys = settable::keys_of(vm, a)?;
                        SetTable::intersection_iter(&r.borrow(), keys)
                    }
                };
                r = new_table(next);
            }
            if m == "intersection" {
                return Ok(result(r));
            }
            // The set takes the result's table, as CPython swaps the two bodies.
            let body = Rc::try_unwrap(r)
                .map(RefCell::into_inner)
                .unwrap_or_else(|shared| shared.borrow().copy());
            t.borrow_mut().replace_table(body);
            Ok(Value::None)
        }
        "difference" => {
            let Some((first, rest)) = args.split_first() else {
                return Ok(settable::set_value(t.borrow().copy(), frozen));
            };
            let mut r = match settable::table_of(first) {
                Some(o) => {
                    let (x, y) = (t.borrow(), o.borrow());
                    SetTable::difference(&x, y.len(), || y.entries(), |k| y.contains(k))
                }
                None => match super::subclass::plain(first) {
                    Value::Dict(d) => {
                        let keys = settable::keys_of(vm, first)?;
                        let x = t.borrow();
                        let d = d.borrow();
                        SetTable::difference(
                            &x,
                            keys.len(),
                            || keys.clone(),
                            |k| d.get(k).is_some(),
                        )
                    }
                    _ => {
                        let keys = settable::keys_of(vm, first)?;
                        SetTable::difference_iter(&t.borrow(), keys)
                    }
                },
            };
            for a in rest {
                r.difference_update(settable::keys_of(vm, a)?);
            }
            Ok(settable::set_value(r, frozen))
        }
        "difference_update" => {
            for a in &args {
                if settable::table_of(a).is_some_and(|o| Rc::ptr_eq(&o, &t)) {
                    t.borrow_mut().clear();
                    continue;
                }
                let keys = settable::keys_of(vm, a)?;
                t.borrow_mut().difference_update(keys);
            }
            Ok(Value::None)
        }
        "symmetric_difference" | "symmetric_difference_update" => {
            want(m, &args, 1, 1)?;
            if m == "symmetric_difference" {
                let mut r = settable::build(vm, Some(&args[0]))?;
                r.symmetric_difference_update(t.borrow().entries());
                return Ok(settable::set_value(r, frozen));
            }
            if settable::table_of(&args[0]).is_some_and(|o| Rc::ptr_eq(&o, &t)) {
                t.borrow_mut().clear();
                return Ok(Value::None);
            }
            // A dict's keys are toggled in its order, other iterables through a set of them.
            let keys = match super::subclass::plain(&args[0]) {
                Value::Dict(_) => settable::keys_of(vm, &args[0])?,
                _ => table_arg(vm, &args[0])?.borrow().entries(),
            };
            t.borrow_mut().symmetric_difference_update(keys);
            Ok(Value::None)
        }
        "issubset" | "issuperset" | "isdisjoint" => {
            want(m, &args, 1, 1)?;
            let o = table_arg(vm, &args[0])?;
            let (x, y) = (t.borrow(), o.borrow());
            Ok(Value::Bool(match m {
                "issubset" => SetTable::is_subset(&x, &y),
                "issuperset" => SetTable::is_subset(&y, &x),
                _ => SetTable::disjoint(&x, &y),
            }))
        }
        _ => Err(Exc::new(
            ExcKind::AttributeError,
            format!("'{tname}' object has no attribute '{m}'"),
        )),
    }
}

fn int_method(vm: &mut Vm<'_>, recv: &Value, m: &str, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    let n = ops::as_bigint(recv).unwrap_or_default();
    match m {
        "bit_length" => Ok(Value::Int(n.bits() as i64)),
        "conjugate" => Ok(Value::from_bigint(n)),
        "to_bytes" => {
            let mut args = args;
            if let Some(l) = kw_lookup(vm, &kw, "length") {
                args.insert(0, l);
            }
            if let Some(b) = kw_lookup(vm, &kw, "byteorder") {
                args.push(b);
            }
            let length = int_or(args.first(), 1)?;
            let order = match args.get(1) {
                Some(v) => str_arg(v, "to_bytes() argument 'byteorder'")?.to_string(),
                None => "big".into(),
            };
            let signed = kw_lookup(vm, &kw, "signed")
                .map(|v| v.truthy())
                .unwrap_or(false);
            if length < 0 {
                return Err(Exc::value_error("length argument must be non-negative"));
            }
            if !signed && n.sign() == num_bigint::Sign::Minus {
                return Err(Exc::new(
                    ExcKind::OverflowError,
                    "can't convert negative int to unsigned",
                ));
            }
            let mut bytes = if signed {
                n.to_signed_bytes_le()
            } else {
                n.to_bytes_le().1
            };
            if n == num_bigint::BigInt::default() {
                bytes = vec![];
            }
            let length = length as usize;
            if bytes.len() > length {
                return Err(Exc::new(ExcKind::OverflowError, "int too big to convert"));
            }
            let fill = if signed && n.sign() == num_bigint::Sign::Minus {
                0xff
            } else {
                0
            };
            bytes.resize(length, fill);
            if order == "big" {
                bytes.reverse();
            } else if order != "little" {
                return Err(Exc::value_error(
                    "byteorder must be either 'little' or 'big'",
                ));
            }
            Ok(Value::bytes(bytes))
        }
        _ => Err(Exc::new(
            ExcKind::AttributeError,
            format!("'int' object has no attribute '{m}'"),
        )),
    }
}

/// `float.hex()`: `0x1.8000000000000p+0`, as CPython writes it.
pub fn float_hex(f: f64) -> String {
    if f.is_nan() {
        return "nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "inf".into() } else { "-inf".into() };
    }
    let sign = if f.is_sign_negative() { "-" } else { "" };
    if f == 0.0 {
        return format!("{sign}0x0.0p+0");
    }
    let bits = f.to_bits();
    let exp = ((bits >> 52) & 0x7ff) as i64;
    let mant = bits & ((1u64 << 52) - 1);
    let (lead, e) = if exp == 0 {
        (0, -1022)
    } else {
        (1, exp - 1023)
    };
    format!(
        "{sign}0x{lead}.{mant:013x}p{}{}",
        if e < 0 { '-' } else { '+' },
        e.abs()
    )
}
