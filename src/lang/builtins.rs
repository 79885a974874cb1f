//! The builtin functions and the constructors of the builtin classes, as tables of native
//! functions installed once per session.

use std::cell::RefCell;
use std::rc::Rc;

use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{One, Signed, ToPrimitive, Zero};

use super::ast::{BinOp, CmpOp, Sym};
use super::exceptions::{Exc, ExcKind, PResult};
use super::format;
use super::interp::{State, Vm};
use super::ops;
use super::value::{BuiltinDef, Class, ClassKind, Dict, ExcObject, RangeObj, TypeTag, Value};

type Kw = Vec<(Sym, Value)>;

/// Every builtin function, by name.
pub static BUILTINS: &[BuiltinDef] = &[
    BuiltinDef {
        name: "print",
        func: print,
    },
    BuiltinDef {
        name: "len",
        func: len,
    },
    BuiltinDef {
        name: "repr",
        func: repr,
    },
    BuiltinDef {
        name: "abs",
        func: abs,
    },
    BuiltinDef {
        name: "min",
        func: min,
    },
    BuiltinDef {
        name: "max",
        func: max,
    },
    BuiltinDef {
        name: "sum",
        func: sum,
    },
    BuiltinDef {
        name: "sorted",
        func: sorted,
    },
    BuiltinDef {
        name: "isinstance",
        func: isinstance,
    },
    BuiltinDef {
        name: "issubclass",
        func: issubclass,
    },
    BuiltinDef {
        name: "hex",
        func: hex,
    },
    BuiltinDef {
        name: "oct",
        func: oct,
    },
    BuiltinDef {
        name: "bin",
        func: bin,
    },
    BuiltinDef {
        name: "ord",
        func: ord,
    },
    BuiltinDef {
        name: "chr",
        func: chr,
    },
    BuiltinDef {
        name: "round",
        func: round,
    },
    BuiltinDef {
        name: "divmod",
        func: divmod,
    },
    BuiltinDef {
        name: "pow",
        func: pow,
    },
    BuiltinDef {
        name: "hash",
        func: hash,
    },
    BuiltinDef {
        name: "id",
        func: id,
    },
    BuiltinDef {
        name: "any",
        func: any,
    },
    BuiltinDef {
        name: "all",
        func: all,
    },
    BuiltinDef {
        name: "format",
        func: format_builtin,
    },
];

/// Installs builtins and builtin classes into a fresh state.
pub fn install(st: &mut State) {
    for b in BUILTINS {
        st.set_builtin(b.name, Value::Builtin(b));
    }
    let classes: Vec<(String, Rc<Class>)> = st
        .types
        .by_tag
        .iter()
        .filter(|(t, _)| {
            matches!(
                t,
                TypeTag::Object
                    | TypeTag::Int
                    | TypeTag::Float
                    | TypeTag::Str
                    | TypeTag::Bytes
                    | TypeTag::Bool
                    | TypeTag::List
                    | TypeTag::Tuple
                    | TypeTag::Dict
                    | TypeTag::Set
                    | TypeTag::Range
                    | TypeTag::Type
            )
        })
        .map(|(_, c)| (c.name.clone(), c.clone()))
        .collect();
    for (name, c) in classes {
        st.set_builtin(&name, Value::Class(c));
    }
    let excs: Vec<Rc<Class>> = st.types.exceptions.clone();
    for c in excs {
        st.set_builtin(&c.name.clone(), Value::Class(c));
    }
    st.set_builtin("Ellipsis", Value::Ellipsis);
    super::objects::builtins::install(st);
}

fn no_kw(vm: &Vm<'_>, name: &str, kw: &Kw) -> PResult<()> {
    if let Some((k, _)) = kw.first() {
        let _ = vm.st.interner.name(*k);
        return Err(Exc::type_error(format!(
            "{name}() takes no keyword arguments"
        )));
    }
    Ok(())
}

fn exactly_one(name: &str, args: &[Value]) -> PResult<()> {
    if args.len() != 1 {
        return Err(Exc::type_error(format!(
            "{name}() takes exactly one argument ({} given)",
            args.len()
        )));
    }
    Ok(())
}

fn arg_range(name: &str, args: &[Value], min: usize, max: usize) -> PResult<()> {
    if args.len() < min {
        return Err(Exc::type_error(format!(
            "{name} expected at least {min} argument{}, got {}",
            if min == 1 { "" } else { "s" },
            args.len()
        )));
    }
    if args.len() > max {
        return Err(Exc::type_error(format!(
            "{name} expected at most {max} argument{}, got {}",
            if max == 1 { "" } else { "s" },
            args.len()
        )));
    }
    Ok(())
}

/// Takes the keyword arguments a builtin accepts, refusing others.
fn take_kw(vm: &Vm<'_>, fname: &str, kw: Kw, names: &[&str]) -> PResult<Vec<Option<Value>>> {
    let mut out = vec![None; names.len()];
    for (k, v) in kw {
        let n = vm.st.interner.name(k);
        match names.iter().position(|x| *x == n) {
            Some(i) => out[i] = Some(v),
            None => {
                return Err(Exc::type_error(format!(
                    "{fname}() got an unexpected keyword argument '{n}'"
                )))
            }
        }
    }
    Ok(out)
}

fn int_arg(v: &Value) -> PResult<BigInt> {
    ops::as_bigint(v).ok_or_else(|| {
        Exc::type_error(format!(
            "'{}' object cannot be interpreted as an integer",
            v.type_name()
        ))
    })
}

fn print(vm: &mut Vm<'_>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    let opts = take_kw(vm, "print", kw, &["sep", "end", "file", "flush"])?;
    let text_opt = |v: &Option<Value>, what: &str, default: &str| -> PResult<String> {
        match v {
            None | Some(Value::None) => Ok(default.to_string()),
            Some(Value::Str(s)) => Ok(s.s.clone()),
            Some(o) => Err(Exc::type_error(format!(
                "{what} must be None or a string, not {}",
                o.type_name()
            ))),
        }
    };
    let sep = text_opt(&opts[0], "sep", " ")?;
    let end = text_opt(&opts[1], "end", "\n")?;
    let mut out = String::new();
    for (i, a) in args.iter().enumerate() {
        if i > 0 {
            out.push_str(&sep);
        }
        out.push_str(&vm.str(a)?);
    }
    out.push_str(&end);
    vm.write(&out);
    Ok(Value::None)
}

/// The one-argument form of the builtins loops call most, run without building the argument
/// vector of the general calling convention (same results and errors as `func`).
pub fn unary_form(def: &BuiltinDef) -> Option<fn(&mut Vm<'_>, &Value) -> PResult<Value>> {
    match def.name {
        "len" => Some(len_of),
        _ => None,
    }
}

fn len_of(vm: &mut Vm<'_>, v: &Value) -> PResult<Value> {
    Ok(Value::Int(vm.len(v)? as i64))
}

fn len(vm: &mut Vm<'_>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    no_kw(vm, "len", &kw)?;
    exactly_one("len", &args)?;
    len_of(vm, &args[0])
}

fn repr(vm: &mut Vm<'_>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    no_kw(vm, "repr", &kw)?;
    exactly_one("repr", &args)?;
    Ok(Value::str(vm.repr(&args[0])?))
}

fn abs(vm: &mut Vm<'_>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    no_kw(vm, "abs", &kw)?;
    exactly_one("abs", &args)?;
    match &args[0] {
        Value::Int(i) => Ok(match i.checked_abs() {
            Some(a) => Value::Int(a),
            None => Value::from_bigint(BigInt::from(*i).abs()),
        }),
        Value::Bool(b) => Ok(Value::Int(*b as i64)),
        Value::BigInt(b) => Ok(Value::from_bigint(b.abs())),
        Value::Float(f) => Ok(Value::Float(f.abs())),
        v @ Value::Instance(_) => match super::classes::call_dunder(vm, v, "__abs__", Vec::new()) {
            Some(r) => r,
            None if v.builtin_base().is_some() => {
                let b = super::subclass::plain(v).clone();
                abs(vm, vec![b], Vec::new())
            }
            None => Err(Exc::type_error(format!(
                "bad operand type for abs(): '{}'",
                v.type_name()
            ))),
        },
        v => Err(Exc::type_error(format!(
            "bad operand type for abs(): '{}'",
            v.type_name()
        ))),
    }
}

fn lt(vm: &mut Vm<'_>, a: &Value, b: &Value) -> PResult<bool> {
    vm.compare(CmpOp::Lt, a, b)
}

fn min_max(
    vm: &mut Vm<'_>,
    name: &str,
    args: Vec<Value>,
    kw: Kw,
    want_max: bool,
) -> PResult<Value> {
    let opts = take_kw(vm, name, kw, &["key", "default"])?;
    let items = match args.len() {
        0 => {
            return Err(Exc::type_error(format!(
                "{name} expected at least 1 argument, got 0"
            )))
        }
        1 => vm.iterate(&args[0])?,
        _ => args,
    };
    let key = opts[0].clone().filter(|k| !matches!(k, Value::None));
    let mut best: Option<(Value, Value)> = None;
    for it in items {
        let k = match &key {
            Some(f) => vm.call(f, vec![it.clone()], Vec::new())?,
            None => it.clone(),
        };
        best = match best {
            None => Some((k, it)),
            Some((bk, bv)) => {
                let better = if want_max {
                    lt(vm, &bk, &k)?
                } else {
                    lt(vm, &k, &bk)?
                };
                if better {
                    Some((k, it))
                } else {
                    Some((bk, bv))
                }
            }
        };
    }
    match best {
        Some((_, v)) => Ok(v),
        None => match &opts[1] {
            Some(d) => Ok(d.clone()),
            None => Err(Exc::value_error(format!(
                "{name}() arg is an empty sequence"
            ))),
        },
    }
}

fn min(vm: &mut Vm<'_>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    min_max(vm, "min", args, kw, false)
}

fn max(vm: &mut Vm<'_>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    min_max(vm, "max", args, kw, true)
}

fn sum(vm: &mut Vm<'_>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    let opts = take_kw(vm, "sum", kw, &["start"])?;
    arg_range("sum", &args, 1, 2)?;
    let mut acc = args
        .get(1)
        .cloned()
        .or(opts[0].clone())
        .unwrap_or(Value::Int(0));
    match &acc {
        Value::Str(_) => {
            return Err(Exc::type_error(
                "sum() can't sum strings [use ''.join(seq) instead]",
            ))
        }
        Value::Bytes(_) => {
            return Err(Exc::type_error(
                "sum() can't sum bytes [use b''.join(seq) instead]",
            ))
        }
        _ => {}
    }
    for it in vm.iterate(&args[0])? {
        acc = vm.binary(BinOp::Add, &acc, &it)?;
    }
    Ok(acc)
}

/// Sorts values in place with Python's semantics (stable, `<` only, optional key/reverse).
pub fn sort_values(
    vm: &mut Vm<'_>,
    items: &mut Vec<Value>,
    key: Option<Value>,
    reverse: bool,
) -> PResult<()> {
    let keys: Vec<Value> = match &key {
        Some(f) => {
            let mut ks = Vec::with_capacity(items.len());
            for it in items.iter() {
                ks.push(vm.call(f, vec![it.clone()], Vec::new())?);
            }
            ks
        }
        None => items.clone(),
    };
    let mut idx: Vec<usize> = (0..items.len()).collect();
    let mut err: Option<Exc> = None;
    // Reverse keeps stability as CPython does: reverse, stable sort, reverse back.
    if reverse {
        idx.reverse();
    }
    idx.sort_by(|&a, &b| {
        if err.is_some() {
            return std::cmp::Ordering::Equal;
        }
        match lt(vm, &keys[a], &keys[b]) {
            Ok(true) => std::cmp::Ordering::Less,
            Ok(false) => match lt(vm, &keys[b], &keys[a]) {
                Ok(true) => std::cmp::Ordering::Greater,
                Ok(false) => std::cmp::Ordering::Equal,
                Err(e) => {
                    err = Some(e);
                    std::cmp::Ordering::Equal
                }
            },
            Err(e) => {
                err = Some(e);
                std::cmp::Ordering::Equal
            }
        }
    });
    if let Some(e) = err {
        return Err(e);
    }
    if reverse {
        idx.reverse();
    }
    let sorted: Vec<Value> = idx.into_iter().map(|i| items[i].clone()).collect();
    *items = sorted;
    Ok(())
}

fn sorted(vm: &mut Vm<'_>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    let opts = take_kw(vm, "sorted", kw, &["key", "reverse"])?;
    if args.len() != 1 {
        return Err(Exc::type_error(format!(
            "sorted expected 1 argument, got {}",
            args.len()
        )));
    }
    let mut items = vm.iterate(&args[0])?;
    let key = opts[0].clone().filter(|k| !matches!(k, Value::None));
    let reverse = match &opts[1] {
        Some(v) => vm.truthy(v)?,
        None => false,
    };
    sort_values(vm, &mut items, key, reverse)?;
    Ok(Value::list(items))
}

fn class_list(v: &Value, fname: &str) -> PResult<Vec<Rc<Class>>> {
    match v {
        Value::Class(c) => Ok(vec![c.clone()]),
        Value::Tuple(t) => {
            let mut out = Vec::new();
            for x in t.iter() {
                match x {
                    // Native classes in the tuple answered already (`native_class_check`).
                    Value::Native(n) if n.0.subclass_check(&Value::None).is_some() => {}
                    _ => out.extend(class_list(x, fname)?),
                }
            }
            Ok(out)
        }
        _ => Err(Exc::type_error(format!(
            "{fname}() arg 2 must be a type, a tuple of types, or a union"
        ))),
    }
}

fn isinstance(vm: &mut Vm<'_>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    no_kw(vm, "isinstance", &kw)?;
    if args.len() != 2 {
        return Err(Exc::type_error(format!(
            "isinstance expected 2 arguments, got {}",
            args.len()
        )));
    }
    // Layer and field classes are native objects that answer for themselves.
    if let Some(r) = native_class_check(&args[1], &|n| n.0.instance_check(&args[0])) {
        return Ok(Value::Bool(r));
    }
    let classes = class_list(&args[1], "isinstance")?;
    let cls = vm.st.types.class_of(&args[0]);
    Ok(Value::Bool(classes.iter().any(|c| cls.is_subclass(c))))
}

/// `isinstance`/`issubclass` against native objects that stand for classes (alone or in a
/// tuple with classes): None when `classes` holds none, so the class path decides.
fn native_class_check(
    classes: &Value,
    check: &dyn Fn(&super::value::NativeBox) -> Option<bool>,
) -> Option<bool> {
    match classes {
        Value::Native(n) => check(n),
        Value::Tuple(t) if t.iter().any(|x| matches!(x, Value::Native(_))) => {
            let mut any = false;
            for x in t.iter() {
                any |= match x {
                    Value::Native(n) => check(n).unwrap_or(false),
                    Value::Tuple(_) => native_class_check(x, check).unwrap_or(false),
                    _ => false,
                };
            }
            // False so far: the classes of the tuple decide.
            any.then_some(true)
        }
        _ => None,
    }
}

fn issubclass(vm: &mut Vm<'_>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    no_kw(vm, "issubclass", &kw)?;
    if args.len() != 2 {
        return Err(Exc::type_error(format!(
            "issubclass expected 2 arguments, got {}",
            args.len()
        )));
    }
    if let Some(r) = native_class_check(&args[1], &|n| n.0.subclass_check(&args[0])) {
        return Ok(Value::Bool(r));
    }
    let Value::Class(c) = &args[0] else {
        return Err(Exc::type_error("issubclass() arg 1 must be a class"));
    };
    let classes = class_list(&args[1], "issubclass")?;
    Ok(Value::Bool(classes.iter().any(|k| c.is_subclass(k))))
}

fn radix(vm: &mut Vm<'_>, args: &[Value], name: &str, prefix: &str, r: u32) -> PResult<Value> {
    exactly_one(name, args)?;
    let n = match super::classes::index_value(vm, &args[0]) {
        Some(v) => int_arg(&v?)?,
        None => int_arg(&args[0])?,
    };
    let body = n.abs().to_str_radix(r);
    Ok(Value::str(format!(
        "{}{prefix}{body}",
        if n.is_negative() { "-" } else { "" }
    )))
}

fn hex(vm: &mut Vm<'_>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    no_kw(vm, "hex", &kw)?;
    radix(vm, &args, "hex", "0x", 16)
}

fn oct(vm: &mut Vm<'_>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    no_kw(vm, "oct", &kw)?;
    radix(vm, &args, "oct", "0o", 8)
}

fn bin(vm: &mut Vm<'_>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    no_kw(vm, "bin", &kw)?;
    radix(vm, &args, "bin", "0b", 2)
}

fn ord(vm: &mut Vm<'_>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    no_kw(vm, "ord", &kw)?;
    exactly_one("ord", &args)?;
    match &args[0] {
        Value::Str(s) => {
            let mut chars = s.s.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) => Ok(Value::Int(c as i64)),
                _ => Err(Exc::type_error(format!(
                    "ord() expected a character, but string of length {} found",
                    s.char_len()
                ))),
            }
        }
        Value::Bytes(b) if b.len() == 1 => Ok(Value::Int(b[0] as i64)),
        Value::Bytes(b) => Err(Exc::type_error(format!(
            "ord() expected a character, but string of length {} found",
            b.len()
        ))),
        v => Err(Exc::type_error(format!(
            "ord() expected string of length 1, but {} found",
            v.type_name()
        ))),
    }
}

fn chr(vm: &mut Vm<'_>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    no_kw(vm, "chr", &kw)?;
    exactly_one("chr", &args)?;
    let n = int_arg(&args[0])?;
    match n.to_u32().and_then(char::from_u32) {
        Some(c) => Ok(Value::str(c.to_string())),
        None => match n.to_u32() {
            Some(cp) if cp < 0x110000 => Ok(Value::str('\u{fffd}'.to_string())),
            _ => Err(Exc::value_error("chr() arg not in range(0x110000)")),
        },
    }
}

fn round(vm: &mut Vm<'_>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    let opts = take_kw(vm, "round", kw, &["ndigits"])?;
    arg_range("round", &args, 1, 2)?;
    let nd = args
        .get(1)
        .cloned()
        .or(opts[0].clone())
        .filter(|v| !matches!(v, Value::None));
    match (&args[0], nd) {
        (Value::Float(f), None) => {
            if f.is_nan() {
                return Err(Exc::value_error("cannot convert float NaN to integer"));
            }
            if f.is_infinite() {
                return Err(Exc::new(
                    ExcKind::OverflowError,
                    "cannot convert float infinity to integer",
                ));
            }
            float_to_int(f.round_ties_even())
        }
        (Value::Float(f), Some(n)) => {
            let n = int_arg(&n)?.to_i64().unwrap_or(0);
            if !f.is_finite() {
                return Ok(Value::Float(*f));
            }
            if n > 300 {
                return Ok(Value::Float(*f));
            }
            if n >= 0 {
                // Formatting rounds the exact binary value correctly (half to even on exact
                // ties), as CPython's round does.
                let s = format!("{:.*}", n as usize, f);
                Ok(Value::Float(s.parse().unwrap_or(*f)))
            } else {
                let p = 10f64.powi((-n).min(308) as i32);
                Ok(Value::Float((f / p).round_ties_even() * p))
            }
        }
        (v @ (Value::Int(_) | Value::BigInt(_) | Value::Bool(_)), nd) => {
            let i = int_arg(v)?;
            let n = match nd {
                Some(n) => int_arg(&n)?.to_i64().unwrap_or(0),
                None => 0,
            };
            if n >= 0 {
                return Ok(Value::from_bigint(i));
            }
            let p = num_traits::pow(BigInt::from(10), (-n).min(10000) as usize);
            let (q, r) = i.div_mod_floor(&p);
            let twice = &r * 2;
            let q = if twice > p || (twice == p && q.is_odd()) {
                q + 1
            } else {
                q
            };
            Ok(Value::from_bigint(q * p))
        }
        (v @ Value::Instance(_), nd) => {
            let extra: Vec<Value> = nd.into_iter().collect();
            if let Some(r) = super::classes::call_dunder(vm, v, "__round__", extra.clone()) {
                return r;
            }
            match v.builtin_base() {
                Some(b) => {
                    let mut a = vec![b.clone()];
                    a.extend(extra);
                    round(vm, a, Vec::new())
                }
                None => Err(Exc::type_error(format!(
                    "type {} doesn't define __round__ method",
                    v.type_name()
                ))),
            }
        }
        (v, _) => Err(Exc::type_error(format!(
            "type {} doesn't define __round__ method",
            v.type_name()
        ))),
    }
}

/// `int(f)` for a finite float.
pub fn float_to_int(f: f64) -> PResult<Value> {
    if f.is_nan() {
        return Err(Exc::value_error("cannot convert float NaN to integer"));
    }
    if f.is_infinite() {
        return Err(Exc::new(
            ExcKind::OverflowError,
            "cannot convert float infinity to integer",
        ));
    }
    let t = f.trunc();
    if t.abs() < 9.2e18 {
        return Ok(Value::Int(t as i64));
    }
    use num_traits::FromPrimitive;
    Ok(Value::from_bigint(BigInt::from_f64(t).unwrap_or_default()))
}

fn divmod(vm: &mut Vm<'_>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    no_kw(vm, "divmod", &kw)?;
    if args.len() != 2 {
        return Err(Exc::type_error(format!(
            "divmod expected 2 arguments, got {}",
            args.len()
        )));
    }
    let q = ops::binary(BinOp::FloorDiv, &args[0], &args[1]).map_err(|e| divmod_msg(e, &args))?;
    let r = ops::binary(BinOp::Mod, &args[0], &args[1]).map_err(|e| divmod_msg(e, &args))?;
    Ok(Value::tuple(vec![q, r]))
}

fn divmod_msg(e: Exc, args: &[Value]) -> Exc {
    if let Exc::Raise(r) = &e {
        if r.exc.kind() == ExcKind::TypeError {
            return Exc::type_error(format!(
                "unsupported operand type(s) for divmod(): '{}' and '{}'",
                args[0].type_name(),
                args[1].type_name()
            ));
        }
        if r.exc.kind() == ExcKind::ZeroDivisionError && matches!(args[0], Value::Float(_))
            || matches!(args[1], Value::Float(_))
        {
            return Exc::new(ExcKind::ZeroDivisionError, "float divmod()");
        }
    }
    e
}

fn pow(vm: &mut Vm<'_>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    let opts = take_kw(vm, "pow", kw, &["base", "exp", "mod"])?;
    let mut args = args;
    for o in opts.into_iter().flatten() {
        args.push(o);
    }
    arg_range("pow", &args, 2, 3)?;
    if args.len() == 3 && !matches!(args[2], Value::None) {
        let (b, e, m) = (int_arg(&args[0])?, int_arg(&args[1])?, int_arg(&args[2])?);
        if m.is_zero() {
            return Err(Exc::value_error("pow() 3rd argument cannot be 0"));
        }
        let (b, e) = if e.is_negative() {
            // A negative exponent raises the modular inverse of the base (Python 3.8+).
            let am = m.abs();
            let g = b.mod_floor(&am).extended_gcd(&am);
            if !g.gcd.is_one() {
                return Err(Exc::value_error(
                    "base is not invertible for the given modulus",
                ));
            }
            (g.x.mod_floor(&am), -e)
        } else {
            (b, e)
        };
        let r = b.modpow(&e, &m);
        // Python's result takes the modulus's sign.
        let r = if !r.is_zero() && (r.is_negative() != m.is_negative()) {
            r + &m
        } else {
            r
        };
        return Ok(Value::from_bigint(r));
    }
    ops::binary(BinOp::Pow, &args[0], &args[1])
}

fn hash(vm: &mut Vm<'_>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    no_kw(vm, "hash", &kw)?;
    exactly_one("hash", &args)?;
    Ok(Value::Int(vm.hash(&args[0])?))
}

fn id(vm: &mut Vm<'_>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    no_kw(vm, "id", &kw)?;
    exactly_one("id", &args)?;
    Ok(Value::Int(match args[0].identity() {
        Some(p) => p as i64,
        // Inline values have no address: derive a stable number from the value.
        None => ops::hash_value(&args[0]).unwrap_or(0) ^ 0x7f00_0000_0000,
    }))
}

fn any(vm: &mut Vm<'_>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    no_kw(vm, "any", &kw)?;
    exactly_one("any", &args)?;
    let mut it = vm.get_iter(&args[0])?;
    while let Some(v) = vm.iter_next(&mut it)? {
        if vm.truthy(&v)? {
            return Ok(Value::Bool(true));
        }
    }
    Ok(Value::Bool(false))
}

fn all(vm: &mut Vm<'_>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    no_kw(vm, "all", &kw)?;
    exactly_one("all", &args)?;
    let mut it = vm.get_iter(&args[0])?;
    while let Some(v) = vm.iter_next(&mut it)? {
        if !vm.truthy(&v)? {
            return Ok(Value::Bool(false));
        }
    }
    Ok(Value::Bool(true))
}

fn format_builtin(vm: &mut Vm<'_>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    no_kw(vm, "format", &kw)?;
    arg_range("format", &args, 1, 2)?;
    let spec = match args.get(1) {
        Some(Value::Str(s)) => s.s.clone(),
        Some(v) => {
            return Err(Exc::type_error(format!(
                "format() argument 2 must be str, not {}",
                v.type_name()
            )))
        }
        None => String::new(),
    };
    Ok(Value::str(super::classes::format_value(
        vm, &args[0], &spec,
    )?))
}

/// Parses `int(text, base)`.
pub fn parse_int(text: &str, base: u32) -> Option<BigInt> {
    let t = text.trim();
    let (neg, t) = match t.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let lower = t.to_ascii_lowercase();
    let (base, digits) = match (base, lower.get(..2)) {
        (0 | 16, Some("0x")) => (16, &lower[2..]),
        (0 | 8, Some("0o")) => (8, &lower[2..]),
        (0 | 2, Some("0b")) => (2, &lower[2..]),
        (0, _) => {
            if lower.len() > 1
                && lower.starts_with('0')
                && lower.chars().any(|c| c != '0' && c != '_')
            {
                return None;
            }
            (10, lower.as_str())
        }
        (b, _) => (b, lower.as_str()),
    };
    let digits = digits.strip_prefix('_').unwrap_or(digits);
    if digits.is_empty()
        || digits.starts_with('_')
        || digits.ends_with('_')
        || digits.contains("__")
    {
        return None;
    }
    let clean: String = digits.chars().filter(|c| *c != '_').collect();
    if !clean.chars().all(|c| c.is_digit(base)) {
        return None;
    }
    if base == 10 && clean.len() > format::INT_MAX_STR_DIGITS {
        return None;
    }
    let v = BigInt::parse_bytes(clean.as_bytes(), base)?;
    Some(if neg { -v } else { v })
}

fn parse_float(text: &str) -> Option<f64> {
    let t = text.trim().to_ascii_lowercase();
    let (neg, body) = match t.strip_prefix('-') {
        Some(r) => (true, r.to_string()),
        None => (false, t.strip_prefix('+').unwrap_or(&t).to_string()),
    };
    let v = match body.as_str() {
        "inf" | "infinity" => f64::INFINITY,
        "nan" => f64::NAN,
        b => {
            if b.is_empty() || b.starts_with('_') || b.ends_with('_') || b.contains("__") {
                return None;
            }
            if !b.chars().all(|c| c.is_ascii_digit() || "._e+-".contains(c)) {
                return None;
            }
            b.replace('_', "").parse::<f64>().ok()?
        }
    };
    Some(if neg { -v } else { v })
}

fn value_to_bytes(v: &Value) -> PResult<Vec<u8>> {
    let mut out = Vec::new();
    for it in ops::iterate(v)? {
        match ops::index_of(&it) {
            Some(i) if (0..256).contains(&i) => out.push(i as u8),
            Some(_) => return Err(Exc::value_error("bytes must be in range(0, 256)")),
            None => {
                return Err(Exc::type_error(format!(
                    "'{}' object cannot be interpreted as an integer",
                    it.type_name()
                )))
            }
        }
    }
    Ok(out)
}

/// Encodes text with a codec name (utf-8, ascii, latin-1).
pub fn encode(s: &str, encoding: &str, errors: &str) -> PResult<Vec<u8>> {
    let enc = encoding.to_ascii_lowercase().replace(['_', ' '], "-");
    match enc.as_str() {
        "utf-8" | "utf8" => Ok(s.as_bytes().to_vec()),
        "ascii" | "us-ascii" | "latin-1" | "latin1" | "iso-8859-1" | "iso8859-1" => {
            let limit = if enc.contains("ascii") { 0x80 } else { 0x100 };
            let codec = if limit == 0x80 { "ascii" } else { "latin-1" };
            let mut out = Vec::with_capacity(s.len());
            for (i, c) in s.chars().enumerate() {
                if (c as u32) < limit {
                    out.push(c as u32 as u8);
                } else if errors == "ignore" {
                } else if errors == "replace" {
                    out.push(b'?');
                } else {
                    return Err(Exc::new(
                        ExcKind::UnicodeEncodeError,
                        format!(
                            "'{codec}' codec can't encode character '{}' in position {i}: ordinal not in range({limit})",
                            char_escape(c)
                        ),
                    ));
                }
            }
            Ok(out)
        }
        _ => Err(Exc::new(
            ExcKind::LookupError,
            format!("unknown encoding: {encoding}"),
        )),
    }
}

/// A character as CPython's codec errors show it: `\xe9`, `\u2028`, `\U0001f600`.
fn char_escape(c: char) -> String {
    let cp = c as u32;
    if cp < 0x100 {
        format!("\\x{cp:02x}")
    } else if cp < 0x10000 {
        format!("\\u{cp:04x}")
    } else {
        format!("\\U{cp:08x}")
    }
}

/// UnicodeDecodeError(encoding, object, start, end, reason), as CPython raises it.
fn unicode_decode_error(enc: &str, b: &[u8], start: usize, end: usize, reason: &str) -> Exc {
    Exc::with_args(
        ExcKind::UnicodeDecodeError,
        vec![
            Value::str(enc),
            Value::bytes(b.to_vec()),
            Value::Int(start as i64),
            Value::Int(end as i64),
            Value::str(reason),
        ],
    )
}

/// Decodes bytes with a codec name (utf-8, ascii, latin-1).
pub fn decode(b: &[u8], encoding: &str, errors: &str) -> PResult<String> {
    let enc = encoding.to_ascii_lowercase().replace(['_', ' '], "-");
    match enc.as_str() {
        "utf-8" | "utf8" => match std::str::from_utf8(b) {
            Ok(s) => Ok(s.to_string()),
            Err(e) => {
                if errors == "replace" || errors == "ignore" {
                    let s = String::from_utf8_lossy(b).to_string();
                    return Ok(if errors == "ignore" {
                        s.replace('\u{fffd}', "")
                    } else {
                        s
                    });
                }
                let pos = e.valid_up_to();
                let lead = b[pos];
                let bad_start = !(0xc2..=0xf4).contains(&lead);
                let (end, reason) = match e.error_len() {
                    _ if bad_start => (pos + 1, "invalid start byte"),
                    None => (b.len(), "unexpected end of data"),
                    Some(n) => (pos + n, "invalid continuation byte"),
                };
                Err(unicode_decode_error("utf-8", b, pos, end, reason))
            }
        },
        "ascii" | "us-ascii" => {
            let mut out = String::new();
            for (i, &c) in b.iter().enumerate() {
                if c < 0x80 {
                    out.push(c as char);
                } else if errors == "ignore" {
                } else if errors == "replace" {
                    out.push('\u{fffd}');
                } else {
                    let _ = c;
                    return Err(unicode_decode_error(
                        "ascii",
                        b,
                        i,
                        i + 1,
                        "ordinal not in range(128)",
                    ));
                }
            }
            Ok(out)
        }
        "latin-1" | "latin1" | "iso-8859-1" | "iso8859-1" => {
            Ok(b.iter().map(|&c| c as char).collect())
        }
        _ => Err(Exc::new(
            ExcKind::LookupError,
            format!("unknown encoding: {encoding}"),
        )),
    }
}

/// Calls a class: builtin type constructors and exception instantiation.
pub fn construct(vm: &mut Vm<'_>, cls: &Rc<Class>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    let tag = match cls.kind {
        ClassKind::Exception(_) => {
            no_kw(vm, &cls.name, &kw)?;
            return Ok(Value::Exception(Rc::new(ExcObject::new(cls.clone(), args))));
        }
        ClassKind::Builtin(t) => t,
    };
    match tag {
        TypeTag::Int => {
            let opts = take_kw(vm, "int", kw, &["base"])?;
            let mut args = args;
            if let Some(b) = opts.into_iter().next().flatten() {
                args.push(b);
            }
            arg_range("int", &args, 0, 2)?;
            let Some(x) = args.first() else {
                return Ok(Value::Int(0));
            };
            if let Some(b) = args.get(1) {
                let base = int_arg(b)?.to_u32().unwrap_or(99);
                if base == 1 || base > 36 {
                    return Err(Exc::value_error("int() base must be >= 2 and <= 36, or 0"));
                }
                let text = match super::subclass::plain(x) {
                    Value::Str(s) => s.s.clone(),
                    Value::Bytes(b) => String::from_utf8_lossy(b).to_string(),
                    _ => {
                        return Err(Exc::type_error(
                            "int() can't convert non-string with explicit base",
                        ))
                    }
                };
                return parse_int(&text, base)
                    .map(Value::from_bigint)
                    .ok_or_else(|| {
                        Exc::value_error(format!(
                            "invalid literal for int() with base {base}: {}",
                            format::str_repr(&text)
                        ))
                    });
            }
            match x {
                Value::Int(_) | Value::BigInt(_) => Ok(x.clone()),
                Value::Bool(b) => Ok(Value::Int(*b as i64)),
                Value::Float(f) => float_to_int(*f),
                Value::Instance(_)
                    if super::classes::has_dunder(vm, x, "__int__")
                        || super::classes::has_dunder(vm, x, "__index__") =>
                {
                    let name = if super::classes::has_dunder(vm, x, "__int__") {
                        "__int__"
                    } else {
                        "__index__"
                    };
                    match super::classes::call_dunder(vm, x, name, Vec::new()) {
                        Some(Ok(r @ (Value::Int(_) | Value::BigInt(_)))) => Ok(r),
                        Some(Ok(Value::Bool(b))) => Ok(Value::Int(b as i64)),
                        Some(Ok(r)) => Err(Exc::type_error(format!(
                            "{name} returned non-int (type {})",
                            r.type_name()
                        ))),
                        Some(Err(e)) => Err(e),
                        None => Ok(Value::Int(0)),
                    }
                }
                Value::Native(n) if n.0.method_names().contains(&"__int__") => {
                    // Native numbers (a packet's flag value) convert themselves.
                    match n.0.call_method(vm, x, "__int__", Vec::new(), Vec::new()) {
                        Some(r) => r,
                        None => Ok(Value::Int(0)),
                    }
                }
                Value::Instance(i) if i.builtin.is_some() => {
                    let b = super::subclass::plain(x).clone();
                    construct(vm, cls, vec![b], Vec::new())
                }
                Value::Str(s) => parse_int(&s.s, 10).map(Value::from_bigint).ok_or_else(|| {
                    Exc::value_error(format!(
                        "invalid literal for int() with base 10: {}",
                        format::str_repr(&s.s)
                    ))
                }),
                Value::Bytes(b) => {
                    let text = String::from_utf8_lossy(b).to_string();
                    parse_int(&text, 10).map(Value::from_bigint).ok_or_else(|| {
                        Exc::value_error(format!(
                            "invalid literal for int() with base 10: {}",
                            format::bytes_repr(b)
                        ))
                    })
                }
                v => Err(Exc::type_error(format!(
                    "int() argument must be a string, a bytes-like object or a real number, not '{}'",
                    v.type_name()
                ))),
            }
        }
        TypeTag::Float => {
            no_kw(vm, "float", &kw)?;
            arg_range("float", &args, 0, 1)?;
            match args.first() {
                None => Ok(Value::Float(0.0)),
                Some(Value::Float(f)) => Ok(Value::Float(*f)),
                Some(Value::Int(i)) => Ok(Value::Float(*i as f64)),
                Some(Value::Bool(b)) => Ok(Value::Float(*b as i64 as f64)),
                Some(Value::BigInt(b)) => Ok(Value::Float(ops::int_to_f64(b)?)),
                Some(x @ Value::Instance(_))
                    if super::classes::has_dunder(vm, x, "__float__")
                        || super::classes::has_dunder(vm, x, "__index__") =>
                {
                    let x = x.clone();
                    let name = if super::classes::has_dunder(vm, &x, "__float__") {
                        "__float__"
                    } else {
                        "__index__"
                    };
                    match super::classes::call_dunder(vm, &x, name, Vec::new()) {
                        Some(Ok(Value::Float(f))) => Ok(Value::Float(f)),
                        Some(Ok(r)) if name == "__index__" => {
                            Ok(Value::Float(ops::int_to_f64(&int_arg(&r)?)?))
                        }
                        Some(Ok(r)) => Err(Exc::type_error(format!(
                            "{}.__float__ returned non-float (type {})",
                            x.type_name(),
                            r.type_name()
                        ))),
                        Some(Err(e)) => Err(e),
                        None => Ok(Value::Float(0.0)),
                    }
                }
                Some(x @ Value::Instance(i)) if i.builtin.is_some() => {
                    let b = super::subclass::plain(x).clone();
                    construct(vm, cls, vec![b], Vec::new())
                }
                Some(Value::Str(s)) => parse_float(&s.s).map(Value::Float).ok_or_else(|| {
                    Exc::value_error(format!(
                        "could not convert string to float: {}",
                        format::str_repr(&s.s)
                    ))
                }),
                Some(v) => Err(Exc::type_error(format!(
                    "float() argument must be a string or a real number, not '{}'",
                    v.type_name()
                ))),
            }
        }
        TypeTag::Str => {
            let opts = take_kw(vm, "str", kw, &["object", "encoding", "errors"])?;
            let mut args = args;
            for o in opts.into_iter().flatten() {
                args.push(o);
            }
            arg_range("str", &args, 0, 3)?;
            match args.as_slice() {
                [] => Ok(Value::str("")),
                [v] => Ok(Value::str(vm.str(v)?)),
                [Value::Bytes(b), enc, rest @ ..] => {
                    let enc = vm.str(enc)?;
                    let errors = match rest.first() {
                        Some(e) => vm.str(e)?,
                        None => "strict".into(),
                    };
                    Ok(Value::str(decode(b, &enc, &errors)?))
                }
                [v, ..] => Err(Exc::type_error(format!(
                    "decoding to str: need a bytes-like object, {} found",
                    v.type_name()
                ))),
            }
        }
        TypeTag::Bool => {
            no_kw(vm, "bool", &kw)?;
            arg_range("bool", &args, 0, 1)?;
            Ok(Value::Bool(match args.first() {
                Some(v) => vm.truthy(v)?,
                None => false,
            }))
        }
        TypeTag::List => {
            no_kw(vm, "list", &kw)?;
            arg_range("list", &args, 0, 1)?;
            Ok(Value::list(match args.first() {
                Some(v) => vm.iterate(v)?,
                None => Vec::new(),
            }))
        }
        TypeTag::Tuple => {
            no_kw(vm, "tuple", &kw)?;
            arg_range("tuple", &args, 0, 1)?;
            match args.first() {
                Some(t @ Value::Tuple(_)) => Ok(t.clone()),
                Some(v) => Ok(Value::tuple(vm.iterate(v)?)),
                None => Ok(Value::tuple(Vec::new())),
            }
        }
        TypeTag::Set => {
            no_kw(vm, "set", &kw)?;
            arg_range("set", &args, 0, 1)?;
            Ok(Value::Set(Rc::new(RefCell::new(super::settable::build(
                vm,
                args.first(),
            )?))))
        }
        TypeTag::Dict => {
            arg_range("dict", &args, 0, 1)?;
            let d = Value::Dict(Rc::new(RefCell::new(Dict::new())));
            if let Some(src) = args.first() {
                super::methods::dict_update(vm, &d, src)?;
            }
            if let Value::Dict(dd) = &d {
                for (k, v) in kw {
                    let name = Value::str(vm.st.interner.name(k));
                    dd.borrow_mut().insert(ops::key(&name)?, v);
                }
            }
            Ok(d)
        }
        TypeTag::Bytes => {
            let opts = take_kw(vm, "bytes", kw, &["source", "encoding", "errors"])?;
            let mut args = args;
            for o in opts.into_iter().flatten() {
                args.push(o);
            }
            arg_range("bytes", &args, 0, 3)?;
            match args.as_slice() {
                [] => Ok(Value::bytes(Vec::new())),
                [Value::Str(_)] => Err(Exc::type_error("string argument without an encoding")),
                [Value::Str(s), enc, rest @ ..] => {
                    let enc = vm.str(enc)?;
                    let errors = match rest.first() {
                        Some(e) => vm.str(e)?,
                        None => "strict".into(),
                    };
                    Ok(Value::bytes(encode(&s.s, &enc, &errors)?))
                }
                [_, _, ..] => Err(Exc::type_error("encoding without a string argument")),
                [v @ (Value::Int(_) | Value::BigInt(_) | Value::Bool(_))] => {
                    let n = int_arg(v)?;
                    if n.is_negative() {
                        return Err(Exc::value_error("negative count"));
                    }
                    match n.to_usize().filter(|n| *n <= ops::MAX_SEQ_LEN) {
                        Some(n) => Ok(Value::bytes(vec![0; n])),
                        None => Err(Exc::bare(ExcKind::MemoryError)),
                    }
                }
                [Value::Bytes(b)] => Ok(Value::Bytes(b.clone())),
                [v @ Value::Instance(i)] if i.builtin.is_some() => {
                    let b = super::subclass::plain(v).clone();
                    construct(vm, cls, vec![b], Vec::new())
                }
                [v @ (Value::List(_)
                | Value::Tuple(_)
                | Value::Range(_)
                | Value::Iterator(_)
                | Value::Set(_)
                | Value::Dict(_))] => Ok(Value::bytes(value_to_bytes(v)?)),
                [v @ Value::Native(_)] => {
                    if let Some(r) = super::packets::to_bytes(vm, v) {
                        return r.map(Value::bytes);
                    }
                    Ok(Value::bytes(super::objects::bytearray::to_bytes(vm, v)?))
                }
                [v @ Value::Special(sp)] if matches!(**sp, super::value::Special::Gen(_)) => {
                    // A generator expression: its items, as for a list.
                    let items = vm.iterate(v)?;
                    Ok(Value::bytes(value_to_bytes(&Value::list(items))?))
                }
                [v] => Err(Exc::type_error(format!(
                    "cannot convert '{}' object to bytes",
                    v.type_name()
                ))),
            }
        }
        TypeTag::Range => {
            no_kw(vm, "range", &kw)?;
            if args.is_empty() {
                return Err(Exc::type_error("range expected at least 1 argument, got 0"));
            }
            if args.len() > 3 {
                return Err(Exc::type_error(format!(
                    "range expected at most 3 arguments, got {}",
                    args.len()
                )));
            }
            let mut n = Vec::new();
            for a in &args {
                let b = int_arg(a)?;
                n.push(b.to_i64().ok_or_else(|| {
                    Exc::new(
                        ExcKind::OverflowError,
                        "Python int too large to convert to C ssize_t",
                    )
                })?);
            }
            let (start, stop, step) = match n.as_slice() {
                [stop] => (0, *stop, 1),
                [start, stop] => (*start, *stop, 1),
                [start, stop, step] => (*start, *stop, *step),
                _ => (0, 0, 1),
            };
            if step == 0 {
                return Err(Exc::value_error("range() arg 3 must not be zero"));
            }
            Ok(Value::Range(Rc::new(RangeObj { start, stop, step })))
        }
        TypeTag::ByteArray | TypeTag::FrozenSet => {
            super::objects::builtins::construct(vm, tag, args, kw)
        }
        TypeTag::Type => {
            no_kw(vm, "type", &kw)?;
            if args.len() == 1 {
                if let Value::Native(n) = &args[0] {
                    if n.0.type_tag() == TypeTag::Native {
                        let name = n.0.type_name().to_string();
                        return Ok(Value::Class(super::objects::native_class(vm, &name)));
                    }
                }
                return Ok(Value::Class(vm.st.types.class_of(&args[0])));
            }
            Err(Exc::type_error("type() takes 1 or 3 arguments"))
        }
        _ => Err(Exc::type_error(format!(
            "cannot create '{}' instances",
            cls.name
        ))),
    }
}
