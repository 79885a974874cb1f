//! Operators on builtin values: arithmetic, comparison, hashing, containment, indexing,
//! iteration. Each follows CPython 3.11, including its error messages.

use std::cmp::Ordering;
use std::rc::Rc;

use num_bigint::{BigInt, Sign};
use num_integer::Integer;
use num_traits::{FromPrimitive, Pow, Signed, ToPrimitive, Zero};

use super::ast::{BinOp, CmpOp};
use super::exceptions::{Exc, ExcKind, PResult};
use super::value::{HashKey, PyStr, Value};

/// The largest int result we agree to build, in bits (CPython would try and exhaust memory).
pub const MAX_INT_BITS: u64 = 1 << 24;
/// The largest sequence we agree to build by repetition, in elements or bytes.
pub const MAX_SEQ_LEN: usize = 1 << 28;

/// A numeric view of a value: ints (bool included) and floats.
enum Num<'a> {
    I(i64),
    B(&'a BigInt),
    F(f64),
}

fn num(v: &Value) -> Option<Num<'_>> {
    match v {
        Value::Int(i) => Some(Num::I(*i)),
        Value::Bool(b) => Some(Num::I(*b as i64)),
        Value::BigInt(b) => Some(Num::B(b)),
        Value::Float(f) => Some(Num::F(*f)),
        Value::Instance(i) => i.builtin.as_ref().and_then(num),
        _ => None,
    }
}

/// The value itself, or the builtin value of an instance of a subclass of a builtin type:
/// the operations here act on it, as CPython's C code acts on a subclass's builtin part.
#[inline]
fn plain(v: &Value) -> &Value {
    v.builtin_base().unwrap_or(v)
}

fn big(n: &Num<'_>) -> BigInt {
    match n {
        Num::I(i) => BigInt::from(*i),
        Num::B(b) => (*b).clone(),
        Num::F(_) => BigInt::zero(),
    }
}

/// An int value converted to float, or OverflowError.
pub fn int_to_f64(b: &BigInt) -> PResult<f64> {
    match b.to_f64() {
        Some(f) if f.is_finite() => Ok(f),
        _ => Err(Exc::new(
            ExcKind::OverflowError,
            "int too large to convert to float",
        )),
    }
}

fn to_f64(n: &Num<'_>) -> PResult<f64> {
    match n {
        Num::I(i) => Ok(*i as f64),
        Num::B(b) => int_to_f64(b),
        Num::F(f) => Ok(*f),
    }
}

/// The integer value of an int-like (int or bool), if it is one.
pub fn as_bigint(v: &Value) -> Option<BigInt> {
    match v {
        Value::Int(i) => Some(BigInt::from(*i)),
        Value::Bool(b) => Some(BigInt::from(*b as i64)),
        Value::BigInt(b) => Some((**b).clone()),
        Value::Instance(i) => i.builtin.as_ref().and_then(as_bigint),
        _ => None,
    }
}

fn memory_error() -> Exc {
    Exc::bare(ExcKind::MemoryError)
}

fn unsupported(op: &str, a: &Value, b: &Value) -> Exc {
    Exc::type_error(format!(
        "unsupported operand type(s) for {op}: '{}' and '{}'",
        a.type_name(),
        b.type_name()
    ))
}

/// `a op b` for builtin values.
pub fn binary(op: BinOp, a: &Value, b: &Value) -> PResult<Value> {
    if let (Value::Int(x), Value::Int(y)) = (a, b) {
        if let Some(v) = small_int_op(op, *x, *y)? {
            return Ok(v);
        }
    }
    binary_as(op, plain(a), plain(b), a, b)
}

/// `a op b` with errors naming the operands `na` and `nb` as written (`a` and `b` are their
/// builtin values).
#[inline(never)]
fn binary_as(op: BinOp, a: &Value, b: &Value, na: &Value, nb: &Value) -> PResult<Value> {
    // bool's own &, | and ^ return bools.
    if let (Value::Bool(x), Value::Bool(y)) = (a, b) {
        match op {
            BinOp::BitAnd => return Ok(Value::Bool(*x & *y)),
            BinOp::BitOr => return Ok(Value::Bool(*x | *y)),
            BinOp::BitXor => return Ok(Value::Bool(*x ^ *y)),
            _ => {}
        }
    }
    if let Value::Native(n) = a {
        if let Some(r) = n.0.binary(op, b, false) {
            return r;
        }
    }
    if let Value::Native(n) = b {
        if let Some(r) = n.0.binary(op, a, true) {
            return r;
        }
    }
    if let (Some(x), Some(y)) = (num(a), num(b)) {
        return match (&x, &y) {
            (Num::F(_), _) | (_, Num::F(_)) => float_op(op, to_f64(&x)?, to_f64(&y)?, na, nb),
            _ => big_int_op(op, big(&x), big(&y), na, nb),
        };
    }
    sequence_op(op, a, b, na, nb)
}

/// Fast path for two machine ints; `None` means "overflowed: redo with big ints".
#[inline(always)]
pub fn small_int_op(op: BinOp, x: i64, y: i64) -> PResult<Option<Value>> {
    Ok(match op {
        BinOp::Add => x.checked_add(y).map(Value::Int),
        BinOp::Sub => x.checked_sub(y).map(Value::Int),
        BinOp::Mul => x.checked_mul(y).map(Value::Int),
        BinOp::FloorDiv => {
            if y == 0 {
                return Err(Exc::new(
                    ExcKind::ZeroDivisionError,
                    "integer division or modulo by zero",
                ));
            }
            // Truncating division, moved down when the signs differ and it was inexact.
            x.checked_div(y).map(|q| {
                Value::Int(if x % y != 0 && ((x < 0) != (y < 0)) {
                    q - 1
                } else {
                    q
                })
            })
        }
        BinOp::Mod => {
            if y == 0 {
                return Err(Exc::new(
                    ExcKind::ZeroDivisionError,
                    "integer modulo by zero",
                ));
            }
            // The remainder takes the divisor's sign, as Python's does.
            x.checked_rem(y).map(|r| {
                Value::Int(if r != 0 && ((r < 0) != (y < 0)) {
                    r + y
                } else {
                    r
                })
            })
        }
        BinOp::Div => {
            if y == 0 {
                return Err(Exc::new(ExcKind::ZeroDivisionError, "division by zero"));
            }
            if x.unsigned_abs() < (1 << 53) && y.unsigned_abs() < (1 << 53) {
                Some(Value::Float(x as f64 / y as f64))
            } else {
                None
            }
        }
        BinOp::BitAnd => Some(Value::Int(x & y)),
        BinOp::BitOr => Some(Value::Int(x | y)),
        BinOp::BitXor => Some(Value::Int(x ^ y)),
        BinOp::LShift => {
            if y < 0 {
                return Err(Exc::value_error("negative shift count"));
            }
            if y < 63 && (x.unsigned_abs() >> (63 - y)) == 0 {
                Some(Value::Int(x << y))
            } else {
                None
            }
        }
        BinOp::RShift => {
            if y < 0 {
                return Err(Exc::value_error("negative shift count"));
            }
            Some(Value::Int(if y >= 64 {
                if x < 0 {
                    -1
                } else {
                    0
                }
            } else {
                x >> y
            }))
        }
        BinOp::Pow => {
            if y < 0 {
                None
            } else if y <= u32::MAX as i64 {
                x.checked_pow(y as u32).map(Value::Int)
            } else {
                None
            }
        }
    })
}

fn big_int_op(op: BinOp, x: BigInt, y: BigInt, a: &Value, b: &Value) -> PResult<Value> {
    let zero_div = || {
        Exc::new(
            ExcKind::ZeroDivisionError,
            "integer division or modulo by zero",
        )
    };
    Ok(Value::from_bigint(match op {
        BinOp::Add => x + y,
        BinOp::Sub => x - y,
        BinOp::Mul => x * y,
        BinOp::FloorDiv => {
            if y.is_zero() {
                return Err(zero_div());
            }
            x.div_floor(&y)
        }
        BinOp::Mod => {
            if y.is_zero() {
                return Err(Exc::new(
                    ExcKind::ZeroDivisionError,
                    "integer modulo by zero",
                ));
            }
            x.mod_floor(&y)
        }
        BinOp::Div => {
            if y.is_zero() {
                return Err(Exc::new(ExcKind::ZeroDivisionError, "division by zero"));
            }
            return Ok(Value::Float(int_true_div(&x, &y)?));
        }
        BinOp::BitAnd => x & y,
        BinOp::BitOr => x | y,
        BinOp::BitXor => x ^ y,
        BinOp::LShift => {
            if y.is_negative() {
                return Err(Exc::value_error("negative shift count"));
            }
            if x.is_zero() {
                return Ok(Value::Int(0));
            }
            let n = y.to_u64().filter(|n| x.bits() + n <= MAX_INT_BITS);
            match n {
                Some(n) => x << n,
                None => return Err(memory_error()),
            }
        }
        BinOp::RShift => {
            if y.is_negative() {
                return Err(Exc::value_error("negative shift count"));
            }
            match y.to_u64() {
                Some(n) if n < x.bits() + 1 => x >> n,
                _ => BigInt::from(if x.is_negative() { -1 } else { 0 }),
            }
        }
        BinOp::Pow => {
            if y.is_negative() {
                let fx = int_to_f64(&x)?;
                let fy = int_to_f64(&y)?;
                return float_op(BinOp::Pow, fx, fy, a, b);
            }
            // 0, 1 and -1 stay small whatever the exponent.
            if x.is_zero() || x == BigInt::from(1) {
                return Ok(Value::from_bigint(x));
            }
            if x == BigInt::from(-1) {
                return Ok(Value::Int(if y.is_even() { 1 } else { -1 }));
            }
            match y.to_u64() {
                Some(e) if (x.bits().saturating_sub(1)).saturating_mul(e) <= MAX_INT_BITS => {
                    Pow::pow(&x, e)
                }
                _ => return Err(memory_error()),
            }
        }
    }))
}

/// `x / y` for ints, correctly rounded when both fit in a double's mantissa.
fn int_true_div(x: &BigInt, y: &BigInt) -> PResult<f64> {
    let limit = BigInt::from(1u64 << 53);
    if x.abs() < limit && y.abs() < limit {
        return Ok(x.to_f64().unwrap_or(0.0) / y.to_f64().unwrap_or(1.0));
    }
    // Scale so the quotient carries 64 significant bits, then let the float division round.
    let shift = 64i64 + y.bits() as i64 - x.bits() as i64;
    let (num, den) = if shift > 0 {
        (x << shift as u64, y.clone())
    } else {
        (x.clone(), y << (-shift) as u64)
    };
    let q = num / den;
    let qf = q.to_f64().unwrap_or(f64::INFINITY);
    let r = qf * 2f64.powi((-shift).clamp(-2000, 2000) as i32);
    if r.is_infinite() {
        return Err(Exc::new(
            ExcKind::OverflowError,
            "integer division result too large for a float",
        ));
    }
    Ok(r)
}

fn float_op(op: BinOp, x: f64, y: f64, a: &Value, b: &Value) -> PResult<Value> {
    Ok(Value::Float(match op {
        BinOp::Add => x + y,
        BinOp::Sub => x - y,
        BinOp::Mul => x * y,
        BinOp::Div => {
            if y == 0.0 {
                return Err(Exc::new(
                    ExcKind::ZeroDivisionError,
                    "float division by zero",
                ));
            }
            x / y
        }
        BinOp::FloorDiv => {
            if y == 0.0 {
                return Err(Exc::new(
                    ExcKind::ZeroDivisionError,
                    "float floor division by zero",
                ));
            }
            float_divmod(x, y).0
        }
        BinOp::Mod => {
            if y == 0.0 {
                return Err(Exc::new(ExcKind::ZeroDivisionError, "float modulo"));
            }
            float_divmod(x, y).1
        }
        BinOp::Pow => float_pow(x, y)?,
        _ => return Err(unsupported(op.symbol(), a, b)),
    }))
}

/// CPython's float floor division and modulo (the remainder takes the divisor's sign).
pub fn float_divmod(vx: f64, wx: f64) -> (f64, f64) {
    let mut m = vx % wx;
    let mut div = (vx - m) / wx;
    if m != 0.0 {
        if (wx < 0.0) != (m < 0.0) {
            m += wx;
            div -= 1.0;
        }
    } else {
        m = 0.0f64.copysign(wx);
    }
    let floordiv = if div != 0.0 {
        let mut f = div.floor();
        if div - f > 0.5 {
            f += 1.0;
        }
        f
    } else {
        0.0f64.copysign(vx / wx)
    };
    (floordiv, m)
}

fn float_pow(x: f64, y: f64) -> PResult<f64> {
    if x == 0.0 && y < 0.0 {
        return Err(Exc::new(
            ExcKind::ZeroDivisionError,
            "0.0 cannot be raised to a negative power",
        ));
    }
    if x < 0.0 && y.is_finite() && y.fract() != 0.0 {
        // CPython returns a complex number here; complex is outside the subset.
        return Err(Exc::value_error(
            "a negative number raised to a fractional power is complex, which is not supported",
        ));
    }
    let r = x.powf(y);
    if r.is_infinite() && x.is_finite() && y.is_finite() {
        return Err(Exc::new(
            ExcKind::OverflowError,
            "(34, 'Numerical result out of range')",
        ));
    }
    Ok(r)
}

fn repeat_count(n: &Value) -> Option<i64> {
    match n {
        Value::Int(i) => Some(*i),
        Value::Bool(b) => Some(*b as i64),
        Value::BigInt(b) => Some(if b.is_negative() { -1 } else { i64::MAX }),
        _ => None,
    }
}

fn repeat<T: Clone>(items: &[T], n: i64) -> PResult<Vec<T>> {
    if n <= 0 || items.is_empty() {
        return Ok(Vec::new());
    }
    let total = (items.len() as u128) * (n as u128);
    if total > MAX_SEQ_LEN as u128 {
        return Err(memory_error());
    }
    let mut out = Vec::with_capacity(total as usize);
    for _ in 0..n {
        out.extend_from_slice(items);
    }
    Ok(out)
}

fn sequence_op(op: BinOp, a: &Value, b: &Value, na: &Value, nb: &Value) -> PResult<Value> {
    match (op, a, b) {
        (BinOp::Add, Value::Str(x), Value::Str(y)) => {
            let mut s = String::with_capacity(x.s.len() + y.s.len());
            s.push_str(&x.s);
            s.push_str(&y.s);
            Ok(Value::str(s))
        }
        (BinOp::Add, Value::Str(_), _) => Err(Exc::type_error(format!(
            "can only concatenate str (not \"{}\") to str",
            nb.type_name()
        ))),
        (BinOp::Add, Value::Bytes(x), Value::Bytes(y)) => {
            let mut v = (**x).clone();
            v.extend_from_slice(y);
            Ok(Value::bytes(v))
        }
        (BinOp::Add, Value::Bytes(_), _) => Err(Exc::type_error(format!(
            "can't concat {} to bytes",
            nb.type_name()
        ))),
        (BinOp::Add, Value::List(x), Value::List(y)) => {
            let mut v = x.borrow().clone();
            v.extend(y.borrow().iter().cloned());
            Ok(Value::list(v))
        }
        (BinOp::Add, Value::List(_), _) => Err(Exc::type_error(format!(
            "can only concatenate list (not \"{}\") to list",
            nb.type_name()
        ))),
        (BinOp::Add, Value::Tuple(x), Value::Tuple(y)) => {
            let mut v = (**x).clone();
            v.extend(y.iter().cloned());
            Ok(Value::tuple(v))
        }
        (BinOp::Add, Value::Tuple(_), _) => Err(Exc::type_error(format!(
            "can only concatenate tuple (not \"{}\") to tuple",
            nb.type_name()
        ))),
        (BinOp::Mul, Value::Str(_) | Value::Bytes(_) | Value::List(_) | Value::Tuple(_), n)
            if repeat_count(n).is_some() =>
        {
            repeat_seq(a, repeat_count(n).unwrap_or(0))
        }
        (BinOp::Mul, n, Value::Str(_) | Value::Bytes(_) | Value::List(_) | Value::Tuple(_))
            if repeat_count(n).is_some() =>
        {
            repeat_seq(b, repeat_count(n).unwrap_or(0))
        }
        (BinOp::Mul, Value::Str(_) | Value::Bytes(_) | Value::List(_) | Value::Tuple(_), _) => {
            Err(Exc::type_error(format!(
                "can't multiply sequence by non-int of type '{}'",
                nb.type_name()
            )))
        }
        (BinOp::Mul, _, Value::Str(_) | Value::Bytes(_) | Value::List(_) | Value::Tuple(_)) => {
            Err(Exc::type_error(format!(
                "can't multiply sequence by non-int of type '{}'",
                na.type_name()
            )))
        }
        (BinOp::Mod, Value::Str(s), args) => super::printf::format_str(&s.s, args),
        (BinOp::Mod, Value::Bytes(s), args) => super::printf::format_bytes(s, args),
        (
            BinOp::BitOr | BinOp::BitAnd | BinOp::Sub | BinOp::BitXor,
            Value::Set(_),
            Value::Set(_),
        ) => super::settable::binary(op, a, b).ok_or_else(|| unsupported(op.symbol(), na, nb)),
        (BinOp::BitOr, Value::Dict(x), Value::Dict(y)) => {
            let mut out = x.borrow().clone();
            for (k, v) in y.borrow().iter() {
                out.insert(key(k)?, v.clone());
            }
            Ok(Value::Dict(Rc::new(std::cell::RefCell::new(out))))
        }
        _ => Err(unsupported(op.symbol(), na, nb)),
    }
}

fn repeat_seq(seq: &Value, n: i64) -> PResult<Value> {
    Ok(match seq {
        Value::Str(s) => {
            let bytes = repeat(s.s.as_bytes(), n)?;
            Value::Str(Rc::new(PyStr {
                s: String::from_utf8(bytes).unwrap_or_default(),
                ascii: s.ascii,
                hash: std::cell::Cell::new(-1),
            }))
        }
        Value::Bytes(b) => Value::bytes(repeat(b, n)?),
        Value::List(l) => {
            let items = l.borrow().clone();
            Value::list(repeat(&items, n)?)
        }
        Value::Tuple(t) => Value::tuple(repeat(t, n)?),
        _ => Value::None,
    })
}

/// `-x`, `+x`, `~x`.
pub fn unary(op: super::ast::UnaryOp, v: &Value) -> PResult<Value> {
    use super::ast::UnaryOp;
    match (op, num(v)) {
        (UnaryOp::Neg, Some(Num::I(i))) => Ok(match i.checked_neg() {
            Some(n) => Value::Int(n),
            None => Value::from_bigint(-BigInt::from(i)),
        }),
        (UnaryOp::Neg, Some(Num::B(b))) => Ok(Value::from_bigint(-b.clone())),
        (UnaryOp::Neg, Some(Num::F(f))) => Ok(Value::Float(-f)),
        (UnaryOp::Pos, Some(Num::I(i))) => Ok(Value::Int(i)),
        (UnaryOp::Pos, Some(Num::B(b))) => Ok(Value::BigInt(Rc::new(b.clone()))),
        (UnaryOp::Pos, Some(Num::F(f))) => Ok(Value::Float(f)),
        (UnaryOp::Invert, Some(Num::I(i))) => Ok(Value::Int(!i)),
        (UnaryOp::Invert, Some(Num::B(b))) => Ok(Value::from_bigint(-b.clone() - 1)),
        _ => {
            let sym = match op {
                UnaryOp::Neg => "-",
                UnaryOp::Pos => "+",
                UnaryOp::Invert => "~",
            };
            Err(Exc::type_error(format!(
                "bad operand type for unary {sym}: '{}'",
                v.type_name()
            )))
        }
    }
}

/// Compares an int with a float exactly (as CPython does), None when the float is NaN.
fn cmp_int_float(i: &BigInt, f: f64) -> Option<Ordering> {
    if f.is_nan() {
        return None;
    }
    if f.is_infinite() {
        return Some(if f > 0.0 {
            Ordering::Less
        } else {
            Ordering::Greater
        });
    }
    let fl = f.floor();
    let fb = BigInt::from_f64(fl)?;
    match i.cmp(&fb) {
        Ordering::Equal if f > fl => Some(Ordering::Less),
        o => Some(o),
    }
}

fn num_cmp(x: &Num<'_>, y: &Num<'_>) -> Option<Ordering> {
    match (x, y) {
        (Num::I(a), Num::I(b)) => Some(a.cmp(b)),
        (Num::F(a), Num::F(b)) => a.partial_cmp(b),
        (Num::F(a), i) => {
            if let Num::I(n) = i {
                if n.unsigned_abs() < (1 << 53) {
                    return a.partial_cmp(&(*n as f64));
                }
            }
            cmp_int_float(&big(i), *a).map(Ordering::reverse)
        }
        (i, Num::F(b)) => {
            if let Num::I(n) = i {
                if n.unsigned_abs() < (1 << 53) {
                    return (*n as f64).partial_cmp(b);
                }
            }
            cmp_int_float(&big(i), *b)
        }
        _ => Some(big(x).cmp(&big(y))),
    }
}

/// `a == b` for builtin values (never raises for builtins).
pub fn eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => x == y,
        (Value::Str(x), Value::Str(y)) => Rc::ptr_eq(x, y) || x.s == y.s,
        _ => {
            if let (Some(x), Some(y)) = (num(a), num(b)) {
                return num_cmp(&x, &y) == Some(Ordering::Equal);
            }
            match (a, b) {
                (Value::None, Value::None) | (Value::Ellipsis, Value::Ellipsis) => true,
                (Value::Bytes(x), Value::Bytes(y)) => x == y,
                (Value::List(x), Value::List(y)) => {
                    if Rc::ptr_eq(x, y) {
                        return true;
                    }
                    let (x, y) = (x.borrow().clone(), y.borrow().clone());
                    seq_eq(&x, &y)
                }
                (Value::Tuple(x), Value::Tuple(y)) => seq_eq(x, y),
                (Value::Dict(x), Value::Dict(y)) => {
                    if Rc::ptr_eq(x, y) {
                        return true;
                    }
                    let (x, y) = (x.borrow(), y.borrow());
                    x.len() == y.len()
                        && x.iter().all(|(k, v)| match key(k) {
                            Ok(hk) => y.get(&hk).is_some_and(|w| same_or_eq(v, w)),
                            Err(_) => false,
                        })
                }
                (Value::Set(x), Value::Set(y)) => {
                    super::settable::SetTable::equal(&x.borrow(), &y.borrow())
                }
                (Value::Range(x), Value::Range(y)) => {
                    let (lx, ly) = (x.len(), y.len());
                    lx == ly && (lx == 0 || (x.start == y.start && (lx == 1 || x.step == y.step)))
                }
                _ if a.builtin_base().is_some() || b.builtin_base().is_some() => {
                    eq(plain(a), plain(b))
                }
                (Value::Native(n), o) | (o, Value::Native(n)) => match n.0.eq(o) {
                    Some(r) => r,
                    None => match (a.identity(), b.identity()) {
                        (Some(p), Some(q)) => p == q,
                        _ => false,
                    },
                },
                _ => match (a.identity(), b.identity()) {
                    (Some(p), Some(q)) => p == q,
                    _ => false,
                },
            }
        }
    }
}

/// Python compares container items by identity first, then `==` (so `[nan] == [nan]`).
fn same_or_eq(a: &Value, b: &Value) -> bool {
    is(a, b) || eq(a, b)
}

fn seq_eq(x: &[Value], y: &[Value]) -> bool {
    x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same_or_eq(a, b))
}

/// Key equality inside dicts and sets.
pub fn eq_hashable(a: &Value, b: &Value) -> bool {
    same_or_eq(a, b)
}

/// `a is b`.
pub fn is(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::None, Value::None) | (Value::Ellipsis, Value::Ellipsis) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        // CPython caches small ints, and the interpreter shares one object per constant; an
        // int value here has no identity of its own, so equal machine ints are the same object.
        (Value::Int(x), Value::Int(y)) => x == y,
        (Value::Float(x), Value::Float(y)) => x.to_bits() == y.to_bits(),
        _ => match (a.identity(), b.identity()) {
            (Some(p), Some(q)) => p == q,
            _ => false,
        },
    }
}

/// `a < b` and friends (ordering comparisons).
pub fn compare(op: CmpOp, a: &Value, b: &Value) -> PResult<bool> {
    if let (Value::Int(x), Value::Int(y)) = (a, b) {
        return Ok(ord_holds(op, x.cmp(y)));
    }
    compare_as(op, plain(a), plain(b), a, b)
}

fn ord_holds(op: CmpOp, o: Ordering) -> bool {
    match op {
        CmpOp::Lt => o == Ordering::Less,
        CmpOp::Le => o != Ordering::Greater,
        CmpOp::Gt => o == Ordering::Greater,
        _ => o != Ordering::Less,
    }
}

/// An ordering comparison of builtin values, with errors naming the operands `na` and `nb`.
fn compare_as(op: CmpOp, a: &Value, b: &Value, na: &Value, nb: &Value) -> PResult<bool> {
    let ord = match (a, b) {
        (Value::Int(x), Value::Int(y)) => Some(x.cmp(y)),
        (Value::Str(x), Value::Str(y)) => Some(x.s.cmp(&y.s)),
        (Value::Bytes(x), Value::Bytes(y)) => Some(x.cmp(y)),
        (Value::List(x), Value::List(y)) => {
            let (x, y) = (x.borrow().clone(), y.borrow().clone());
            return seq_compare(op, &x, &y);
        }
        (Value::Tuple(x), Value::Tuple(y)) => return seq_compare(op, x, y),
        (Value::Native(n), o) => match n.0.compare(op, o) {
            Some(r) => return r,
            None => return Err(not_supported(op, na, nb)),
        },
        (o, Value::Native(n)) => match n.0.compare(swap_cmp(op), o) {
            Some(r) => return r,
            None => return Err(not_supported(op, na, nb)),
        },
        (Value::Set(x), Value::Set(y)) => {
            return Ok(super::settable::SetTable::compare(
                op,
                &x.borrow(),
                &y.borrow(),
            ));
        }
        _ => match (num(a), num(b)) {
            (Some(x), Some(y)) => num_cmp(&x, &y),
            _ => return Err(not_supported(op, na, nb)),
        },
    };
    Ok(match ord {
        None => false,
        Some(o) => ord_holds(op, o),
    })
}

fn not_supported(op: CmpOp, a: &Value, b: &Value) -> Exc {
    Exc::type_error(format!(
        "'{}' not supported between instances of '{}' and '{}'",
        op.symbol(),
        a.type_name(),
        b.type_name()
    ))
}

/// The comparison seen from the other operand (`a < b` is `b > a`).
fn swap_cmp(op: CmpOp) -> CmpOp {
    match op {
        CmpOp::Lt => CmpOp::Gt,
        CmpOp::Le => CmpOp::Ge,
        CmpOp::Gt => CmpOp::Lt,
        CmpOp::Ge => CmpOp::Le,
        o => o,
    }
}

fn seq_compare(op: CmpOp, x: &[Value], y: &[Value]) -> PResult<bool> {
    for (a, b) in x.iter().zip(y) {
        if !same_or_eq(a, b) {
            return compare(op, a, b);
        }
    }
    let (lx, ly) = (x.len(), y.len());
    Ok(match op {
        CmpOp::Lt => lx < ly,
        CmpOp::Le => lx <= ly,
        CmpOp::Gt => lx > ly,
        _ => lx >= ly,
    })
}

const HASH_MODULUS: u64 = (1 << 61) - 1;
const HASH_BITS: u32 = 61;

fn fix_hash(h: i64) -> i64 {
    if h == -1 {
        -2
    } else {
        h
    }
}

fn hash_bigint(b: &BigInt) -> i64 {
    let m = BigInt::from(HASH_MODULUS);
    let r = b.abs().mod_floor(&m).to_i64().unwrap_or(0);
    fix_hash(if b.sign() == Sign::Minus { -r } else { r })
}

fn hash_int(i: i64) -> i64 {
    let r = (i.unsigned_abs() % HASH_MODULUS) as i64;
    fix_hash(if i < 0 { -r } else { r })
}

fn frexp(x: f64) -> (f64, i32) {
    if x == 0.0 || !x.is_finite() {
        return (x, 0);
    }
    let bits = x.to_bits();
    let exp = ((bits >> 52) & 0x7ff) as i32;
    if exp == 0 {
        // Subnormal: scale into the normal range first.
        let (m, e) = frexp(x * 2f64.powi(54));
        return (m, e - 54);
    }
    let e = exp - 1022;
    let m = f64::from_bits((bits & !(0x7ffu64 << 52)) | (1022u64 << 52));
    (m, e)
}

/// CPython's `hash(float)` (equal to `hash(int)` for integral floats).
fn hash_float(v: f64) -> i64 {
    if v.is_infinite() {
        return if v > 0.0 { 314159 } else { -314159 };
    }
    if v.is_nan() {
        return 0;
    }
    let (mut m, mut e) = frexp(v);
    let mut sign: i64 = 1;
    if m < 0.0 {
        sign = -1;
        m = -m;
    }
    let mut x: u64 = 0;
    while m != 0.0 {
        x = ((x << 28) & HASH_MODULUS) | (x >> (HASH_BITS - 28));
        m *= 268435456.0;
        e -= 28;
        let y = m as u64;
        m -= y as f64;
        x += y;
        if x >= HASH_MODULUS {
            x -= HASH_MODULUS;
        }
    }
    let e = if e >= 0 {
        (e as u32) % HASH_BITS
    } else {
        HASH_BITS - 1 - ((-1 - e) as u32 % HASH_BITS)
    };
    x = ((x << e) & HASH_MODULUS) | (x >> (HASH_BITS - e));
    fix_hash((x as i64).wrapping_mul(sign))
}

/// CPython's hash of bytes (and of a str's code units): SipHash-1-3, keyed as CPython is
/// under `PYTHONHASHSEED=0`; empty data hashes to 0.
fn hash_bytes(b: &[u8]) -> i64 {
    if b.is_empty() {
        return 0;
    }
    fix_hash(super::siphash::siphash13(0, 0, b) as i64)
}

/// CPython's hash of a str: of its code units in the narrowest of 1, 2 or 4 bytes that holds
/// every character (little-endian), as CPython stores strings; cached in the str.
fn hash_str(s: &PyStr) -> i64 {
    let cached = s.hash.get();
    if cached != -1 {
        return cached;
    }
    let h = if s.ascii {
        hash_bytes(s.s.as_bytes())
    } else {
        let width = match s.s.chars().map(|c| c as u32).max().unwrap_or(0) {
            0..=0xff => 1,
            0x100..=0xffff => 2,
            _ => 4,
        };
        let mut units = Vec::with_capacity(s.s.len() * width);
        for c in s.s.chars() {
            units.extend_from_slice(&(c as u32).to_le_bytes()[..width]);
        }
        hash_bytes(&units)
    };
    s.hash.set(h);
    h
}

/// `hash(v)`, or TypeError for unhashable values.
pub fn hash_value(v: &Value) -> PResult<i64> {
    Ok(match v {
        Value::Int(i) => hash_int(*i),
        Value::Bool(b) => *b as i64,
        Value::BigInt(b) => hash_bigint(b),
        Value::Float(f) => hash_float(*f),
        Value::Str(s) => hash_str(s),
        Value::Bytes(b) => hash_bytes(b),
        Value::None => 0x5f3759df,
        Value::Ellipsis => 0x2e2e2e,
        Value::Tuple(t) => {
            // CPython's xxHash-based tuple hash.
            const P1: u64 = 11400714785074694791;
            const P2: u64 = 14029467366897019727;
            const P5: u64 = 2870177450012600261;
            let mut acc = P5;
            for item in t.iter() {
                let lane = hash_value(item)? as u64;
                acc = acc.wrapping_add(lane.wrapping_mul(P2));
                acc = acc.rotate_left(31);
                acc = acc.wrapping_mul(P1);
            }
            acc = acc.wrapping_add((t.len() as u64) ^ (P5 ^ 3527539));
            if acc == u64::MAX {
                1546275796
            } else {
                acc as i64
            }
        }
        Value::List(_) | Value::Dict(_) | Value::Set(_) => {
            return Err(Exc::type_error(format!(
                "unhashable type: '{}'",
                v.type_name()
            )))
        }
        Value::Native(n) => match n.0.hash() {
            Some(r) => return r,
            None => (v.identity().unwrap_or(0) >> 4) as i64,
        },
        Value::Instance(i) if i.builtin.is_some() => {
            return hash_value(plain(v))
                .map_err(|_| Exc::type_error(format!("unhashable type: '{}'", v.type_name())))
        }
        _ => (v.identity().unwrap_or(0) >> 4) as i64,
    })
}

/// A dict key for `v`.
pub fn key(v: &Value) -> PResult<HashKey> {
    Ok(HashKey {
        hash: hash_value(v)?,
        value: v.clone(),
    })
}

/// `item in container`.
pub fn contains(container: &Value, item: &Value) -> PResult<bool> {
    let (container, item) = (plain(container), plain(item));
    Ok(match container {
        Value::List(l) => {
            let items = l.borrow().clone();
            items.iter().any(|x| same_or_eq(x, item))
        }
        Value::Tuple(t) => t.iter().any(|x| same_or_eq(x, item)),
        Value::Str(s) => match item {
            Value::Str(sub) => s.s.contains(sub.s.as_str()),
            _ => {
                return Err(Exc::type_error(format!(
                    "'in <string>' requires string as left operand, not {}",
                    item.type_name()
                )))
            }
        },
        Value::Bytes(b) => match item {
            Value::Bytes(sub) => sub.is_empty() || b.windows(sub.len()).any(|w| w == &sub[..]),
            Value::Int(i) => {
                if !(0..=255).contains(i) {
                    return Err(Exc::value_error("byte must be in range(0, 256)"));
                }
                b.contains(&(*i as u8))
            }
            _ => {
                return Err(Exc::type_error(format!(
                    "a bytes-like object is required, not '{}'",
                    item.type_name()
                )))
            }
        },
        Value::Dict(d) => d.borrow().get(&key(item)?).is_some(),
        Value::Set(s) => s.borrow().contains(&key(item)?),
        Value::Range(r) => match item {
            Value::Int(_) | Value::Bool(_) | Value::BigInt(_) => {
                let i = match as_bigint(item).and_then(|b| b.to_i64()) {
                    Some(i) => i,
                    None => return Ok(false),
                };
                let (start, stop, step) = (r.start as i128, r.stop as i128, r.step as i128);
                let i = i as i128;
                let inside = if step > 0 {
                    start <= i && i < stop
                } else {
                    stop < i && i <= start
                };
                inside && (i - start) % step == 0
            }
            _ => iterate(container)?.iter().any(|x| eq(x, item)),
        },
        Value::Iterator(_) => iterate(container)?.iter().any(|x| same_or_eq(x, item)),
        Value::Native(n) => match n.0.contains(item) {
            Some(r) => r?,
            None => iterate(container)?.iter().any(|x| same_or_eq(x, item)),
        },
        _ => {
            return Err(Exc::type_error(format!(
                "argument of type '{}' is not iterable",
                container.type_name()
            )))
        }
    })
}

/// `len(v)`.
pub fn len(v: &Value) -> PResult<usize> {
    Ok(match v {
        Value::Str(s) => s.char_len(),
        Value::Bytes(b) => b.len(),
        Value::List(l) => l.borrow().len(),
        Value::Tuple(t) => t.len(),
        Value::Dict(d) => d.borrow().len(),
        Value::Set(s) => s.borrow().len(),
        Value::Range(r) => r.len() as usize,
        Value::Native(n) if n.0.len().is_some() => n.0.len().unwrap_or(0),
        Value::Instance(i) if i.builtin.is_some() => return len(plain(v)),
        _ => {
            return Err(Exc::type_error(format!(
                "object of type '{}' has no len()",
                v.type_name()
            )))
        }
    })
}

/// The items of an iterable, materialized.
pub fn iterate(v: &Value) -> PResult<Vec<Value>> {
    Ok(match v {
        Value::List(l) => l.borrow().clone(),
        Value::Tuple(t) => (**t).clone(),
        Value::Str(s) => s.s.chars().map(|c| Value::str(c.to_string())).collect(),
        Value::Bytes(b) => b.iter().map(|&c| Value::Int(c as i64)).collect(),
        Value::Dict(d) => d.borrow().keys(),
        Value::Set(s) => s.borrow().keys(),
        Value::Range(r) => {
            let n = r.len();
            if n as usize > MAX_SEQ_LEN {
                return Err(memory_error());
            }
            (0..n).map(|i| Value::Int(r.get(i))).collect()
        }
        Value::Iterator(it) => {
            let mut it = it.borrow_mut();
            let pos = it.pos;
            let n = it.items.len();
            let rest = it.items.split_off(pos.min(n));
            it.pos = it.items.len();
            rest
        }
        Value::Native(n) => match n.0.iter(v) {
            Some(Ok(Value::Native(it))) => match it.0.items() {
                Some(r) => r?,
                None => {
                    return Err(Exc::type_error(format!(
                        "'{}' object cannot be iterated here",
                        v.type_name()
                    )))
                }
            },
            Some(Ok(other)) => iterate(&other)?,
            Some(Err(e)) => return Err(e),
            None => {
                return Err(Exc::type_error(format!(
                    "'{}' object is not iterable",
                    v.type_name()
                )))
            }
        },
        Value::Instance(i) if i.builtin.is_some() => return iterate(plain(v)),
        _ => {
            return Err(Exc::type_error(format!(
                "'{}' object is not iterable",
                v.type_name()
            )))
        }
    })
}

/// An index value as i64 (ints and bools; big ints clamp, which then fail the bounds check).
pub fn index_of(v: &Value) -> Option<i64> {
    match v {
        Value::Int(i) => Some(*i),
        Value::Bool(b) => Some(*b as i64),
        Value::BigInt(b) => Some(if b.is_negative() { i64::MIN } else { i64::MAX }),
        Value::Instance(i) => i.builtin.as_ref().and_then(index_of),
        _ => None,
    }
}

/// Normalizes a (maybe negative) index into `0..len`.
pub fn norm_index(i: i64, len: usize) -> Option<usize> {
    let len = len as i64;
    let j = if i < 0 { i.checked_add(len)? } else { i };
    if (0..len).contains(&j) {
        Some(j as usize)
    } else {
        None
    }
}

/// The resolved bounds of a slice over a sequence of `len` items (Python's `slice.indices`).
#[derive(Clone, Copy, Debug)]
pub struct SliceIdx {
    pub start: i64,
    pub stop: i64,
    pub step: i64,
}

impl SliceIdx {
    /// Python's `PySlice_AdjustIndices`.
    pub fn new(
        start: Option<i64>,
        stop: Option<i64>,
        step: Option<i64>,
        len: usize,
    ) -> PResult<SliceIdx> {
        let len = len as i64;
        let step = step.unwrap_or(1);
        if step == 0 {
            return Err(Exc::value_error("slice step cannot be zero"));
        }
        let adjust = |v: Option<i64>, default: i64| -> i64 {
            match v {
                None => default,
                Some(mut x) => {
                    if x < 0 {
                        x = x.saturating_add(len);
                        if x < 0 {
                            x = if step < 0 { -1 } else { 0 };
                        }
                    } else if x >= len {
                        x = if step < 0 { len - 1 } else { len };
                    }
                    x
                }
            }
        };
        let (ds, de) = if step < 0 { (len - 1, -1) } else { (0, len) };
        Ok(SliceIdx {
            start: adjust(start, ds),
            stop: adjust(stop, de),
            step,
        })
    }
    /// The indices selected, in order.
    pub fn indices(&self) -> Vec<usize> {
        let mut out = Vec::new();
        let mut i = self.start;
        if self.step > 0 {
            while i < self.stop {
                out.push(i as usize);
                i += self.step;
            }
        } else {
            while i > self.stop {
                out.push(i as usize);
                i += self.step;
            }
        }
        out
    }
}

/// A slice bound: None, or an int (big ints clamp).
pub fn slice_bound(v: &Value) -> PResult<Option<i64>> {
    match v {
        Value::None => Ok(None),
        _ => match index_of(v) {
            Some(i) => Ok(Some(i)),
            None => Err(Exc::type_error(
                "slice indices must be integers or None or have an __index__ method",
            )),
        },
    }
}

/// `seq[start:stop:step]`.
pub fn get_slice(
    seq: &Value,
    start: Option<i64>,
    stop: Option<i64>,
    step: Option<i64>,
) -> PResult<Value> {
    let pick = |len: usize| SliceIdx::new(start, stop, step, len);
    Ok(match seq {
        Value::List(l) => {
            let l = l.borrow();
            let idx = pick(l.len())?;
            Value::list(idx.indices().into_iter().map(|i| l[i].clone()).collect())
        }
        Value::Tuple(t) => {
            let idx = pick(t.len())?;
            Value::tuple(idx.indices().into_iter().map(|i| t[i].clone()).collect())
        }
        Value::Bytes(b) => {
            let idx = pick(b.len())?;
            if idx.step == 1 {
                let (s, e) = (idx.start as usize, (idx.stop.max(idx.start)) as usize);
                Value::bytes(b[s..e].to_vec())
            } else {
                Value::bytes(idx.indices().into_iter().map(|i| b[i]).collect())
            }
        }
        Value::Str(s) => {
            if s.ascii {
                let idx = pick(s.s.len())?;
                let bytes = s.s.as_bytes();
                let out: Vec<u8> = if idx.step == 1 {
                    bytes[idx.start as usize..idx.stop.max(idx.start) as usize].to_vec()
                } else {
                    idx.indices().into_iter().map(|i| bytes[i]).collect()
                };
                Value::Str(Rc::new(PyStr {
                    s: String::from_utf8(out).unwrap_or_default(),
                    ascii: true,
                    hash: std::cell::Cell::new(-1),
                }))
            } else {
                let chars: Vec<char> = s.s.chars().collect();
                let idx = pick(chars.len())?;
                Value::str(
                    idx.indices()
                        .into_iter()
                        .map(|i| chars[i])
                        .collect::<String>(),
                )
            }
        }
        Value::Range(r) => {
            let idx = pick(r.len() as usize)?;
            let n = idx.indices().len() as i64;
            let start = r.start + idx.start * r.step;
            let step = r.step * idx.step;
            Value::Range(Rc::new(super::value::RangeObj {
                start,
                stop: start + n * step,
                step,
            }))
        }
        Value::Native(n) => match n.0.get_slice(start, stop, step) {
            Some(r) => return r,
            None => {
                return Err(Exc::type_error(format!(
                    "'{}' object is not subscriptable",
                    seq.type_name()
                )))
            }
        },
        _ => {
            return Err(Exc::type_error(format!(
                "'{}' object is not subscriptable",
                seq.type_name()
            )))
        }
    })
}

/// `obj[index]` (not slices).
pub fn get_item(obj: &Value, index: &Value) -> PResult<Value> {
    let seq_index = |len: usize, what: &str| -> PResult<usize> {
        match index_of(index) {
            Some(i) => norm_index(i, len)
                .ok_or_else(|| Exc::new(ExcKind::IndexError, format!("{what} index out of range"))),
            None => Err(Exc::type_error(format!(
                "{what} indices must be integers or slices, not {}",
                index.type_name()
            ))),
        }
    };
    Ok(match obj {
        Value::List(l) => {
            let l = l.borrow();
            l[seq_index(l.len(), "list")?].clone()
        }
        Value::Tuple(t) => t[seq_index(t.len(), "tuple")?].clone(),
        Value::Str(s) => {
            if s.ascii {
                let i = seq_index(s.s.len(), "string")?;
                Value::str(s.s[i..i + 1].to_string())
            } else {
                let n = s.char_len();
                let i = seq_index(n, "string")?;
                Value::str(s.s.chars().nth(i).map(String::from).unwrap_or_default())
            }
        }
        Value::Bytes(b) => match index_of(index) {
            Some(i) => match norm_index(i, b.len()) {
                Some(i) => Value::Int(b[i] as i64),
                None => return Err(Exc::new(ExcKind::IndexError, "index out of range")),
            },
            None => {
                return Err(Exc::type_error(format!(
                    "byte indices must be integers or slices, not {}",
                    index.type_name()
                )))
            }
        },
        Value::Range(r) => {
            let i = seq_index(r.len() as usize, "range object")?;
            Value::Int(r.get(i as i64))
        }
        Value::Dict(d) => {
            let k = key(index)?;
            match d.borrow().get(&k) {
                Some(v) => v.clone(),
                None => return Err(Exc::with_args(ExcKind::KeyError, vec![index.clone()])),
            }
        }
        Value::Class(c)
            if c.kind == super::value::ClassKind::Builtin(super::value::TypeTag::List)
                || c.kind == super::value::ClassKind::Builtin(super::value::TypeTag::Dict)
                || c.kind == super::value::ClassKind::Builtin(super::value::TypeTag::Tuple) =>
        {
            // `list[int]` in annotations: a generic alias; we keep the class itself.
            obj.clone()
        }
        Value::Native(n) => match n.0.get_item(index) {
            Some(r) => return r,
            None => {
                return Err(Exc::type_error(format!(
                    "'{}' object is not subscriptable",
                    obj.type_name()
                )))
            }
        },
        _ => {
            return Err(Exc::type_error(format!(
                "'{}' object is not subscriptable",
                obj.type_name()
            )))
        }
    })
}

/// `obj[index] = value`.
pub fn set_item(obj: &Value, index: &Value, value: Value) -> PResult<()> {
    match obj {
        Value::List(l) => {
            let mut l = l.borrow_mut();
            match index_of(index) {
                Some(i) => match norm_index(i, l.len()) {
                    Some(i) => l[i] = value,
                    None => {
                        return Err(Exc::new(
                            ExcKind::IndexError,
                            "list assignment index out of range",
                        ))
                    }
                },
                None => {
                    return Err(Exc::type_error(format!(
                        "list indices must be integers or slices, not {}",
                        index.type_name()
                    )))
                }
            }
        }
        Value::Dict(d) => {
            let k = key(index)?;
            d.borrow_mut().insert(k, value);
        }
        Value::Native(n) => {
            let tn = obj.type_name().to_string();
            return n.0.set_item(index, value).unwrap_or_else(|| {
                Err(Exc::type_error(format!(
                    "'{tn}' object does not support item assignment"
                )))
            });
        }
        _ => {
            return Err(Exc::type_error(format!(
                "'{}' object does not support item assignment",
                obj.type_name()
            )))
        }
    }
    Ok(())
}

/// `obj[start:stop:step] = value`.
pub fn set_slice(
    obj: &Value,
    start: Option<i64>,
    stop: Option<i64>,
    step: Option<i64>,
    value: &Value,
) -> PResult<()> {
    if let Value::Native(n) = obj {
        if let Some(r) = n.0.set_slice(start, stop, step, value) {
            return r;
        }
    }
    let Value::List(l) = obj else {
        return Err(Exc::type_error(format!(
            "'{}' object does not support item assignment",
            obj.type_name()
        )));
    };
    let items = match value {
        Value::List(_)
        | Value::Tuple(_)
        | Value::Str(_)
        | Value::Bytes(_)
        | Value::Dict(_)
        | Value::Set(_)
        | Value::Range(_)
        | Value::Iterator(_) => iterate(value)?,
        _ => return Err(Exc::type_error("can only assign an iterable")),
    };
    let mut l = l.borrow_mut();
    let idx = SliceIdx::new(start, stop, step, l.len())?;
    if idx.step == 1 {
        let s = idx.start as usize;
        let e = (idx.stop.max(idx.start)) as usize;
        l.splice(s..e, items);
    } else {
        let targets = idx.indices();
        if targets.len() != items.len() {
            return Err(Exc::value_error(format!(
                "attempt to assign sequence of size {} to extended slice of size {}",
                items.len(),
                targets.len()
            )));
        }
        for (i, v) in targets.into_iter().zip(items) {
            l[i] = v;
        }
    }
    Ok(())
}

/// `del obj[index]`.
pub fn del_item(obj: &Value, index: &Value) -> PResult<()> {
    match obj {
        Value::List(l) => {
            let mut l = l.borrow_mut();
            match index_of(index) {
                Some(i) => match norm_index(i, l.len()) {
                    Some(i) => {
                        l.remove(i);
                    }
                    None => {
                        return Err(Exc::new(
                            ExcKind::IndexError,
                            "list assignment index out of range",
                        ))
                    }
                },
                None => {
                    return Err(Exc::type_error(format!(
                        "list indices must be integers or slices, not {}",
                        index.type_name()
                    )))
                }
            }
        }
        Value::Dict(d) => {
            let k = key(index)?;
            if d.borrow_mut().remove(&k).is_none() {
                return Err(Exc::with_args(ExcKind::KeyError, vec![index.clone()]));
            }
        }
        Value::Native(n) => match n.0.del_item(index) {
            Some(r) => return r,
            None => {
                return Err(Exc::type_error(format!(
                    "'{}' object doesn't support item deletion",
                    obj.type_name()
                )))
            }
        },
        _ => {
            return Err(Exc::type_error(format!(
                "'{}' object doesn't support item deletion",
                obj.type_name()
            )))
        }
    }
    Ok(())
}

/// `del obj[start:stop:step]`.
pub fn del_slice(
    obj: &Value,
    start: Option<i64>,
    stop: Option<i64>,
    step: Option<i64>,
) -> PResult<()> {
    let Value::List(l) = obj else {
        return Err(Exc::type_error(format!(
            "'{}' object doesn't support item deletion",
            obj.type_name()
        )));
    };
    let mut l = l.borrow_mut();
    let idx = SliceIdx::new(start, stop, step, l.len())?;
    let mut drop: Vec<usize> = idx.indices();
    drop.sort_unstable();
    for i in drop.into_iter().rev() {
        l.remove(i);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn float_hash_matches_int_hash() {
        assert_eq!(hash_float(3.0), hash_int(3));
        assert_eq!(hash_float(-1.0), -2);
        assert_eq!(hash_float(0.5), 1152921504606846976);
        assert_eq!(hash_int(-1), -2);
        assert_eq!(hash_int(1 << 61), 1);
    }

    #[test]
    fn tuple_hash_matches_cpython() {
        let t = Value::tuple(vec![Value::Int(1), Value::Int(2)]);
        assert_eq!(hash_value(&t).ok(), Some(-3550055125485641917));
    }

    #[test]
    fn float_divmod_signs() {
        assert_eq!(float_divmod(7.0, -2.0), (-4.0, -1.0));
        assert_eq!(float_divmod(-7.0, 2.0), (-4.0, 1.0));
    }
}
