//! `math`: floating-point functions with CPython's domain and range errors.

use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{One, Signed, ToPrimitive, Zero};

use crate::funcs;
use crate::lang::builtins::float_to_int;
use crate::lang::exceptions::{Exc, ExcKind, PResult};
use crate::lang::interp::{State, Vm};
use crate::lang::objects::module::Module;
use crate::lang::objects::Kw;
use crate::lang::ops;
use crate::lang::value::Value;

funcs! {
    "acos" => acos, "acosh" => acosh, "asin" => asin, "asinh" => asinh, "atan" => atan,
    "atan2" => atan2, "atanh" => atanh, "ceil" => ceil, "comb" => comb, "copysign" => copysign,
    "cos" => cos, "cosh" => cosh, "degrees" => degrees, "dist" => dist, "exp" => exp,
    "exp2" => exp2, "expm1" => expm1, "fabs" => fabs, "factorial" => factorial, "floor" => floor,
    "fmod" => fmod, "frexp" => frexp, "fsum" => fsum, "gcd" => gcd, "hypot" => hypot,
    "isclose" => isclose, "isfinite" => isfinite, "isinf" => isinf, "isnan" => isnan,
    "isqrt" => isqrt, "lcm" => lcm, "ldexp" => ldexp, "log" => log, "log10" => log10,
    "log1p" => log1p, "log2" => log2, "modf" => modf, "nextafter" => nextafter, "perm" => perm,
    "pow" => pow, "prod" => prod, "radians" => radians, "remainder" => remainder, "sin" => sin,
    "sinh" => sinh, "sqrt" => sqrt, "tan" => tan, "tanh" => tanh, "trunc" => trunc, "ulp" => ulp,
}

/// The module.
pub fn module(_st: &mut State) -> Module {
    Module::new(
        "math",
        FUNCS,
        vec![
            ("pi", Value::Float(std::f64::consts::PI)),
            ("e", Value::Float(std::f64::consts::E)),
            ("tau", Value::Float(std::f64::consts::TAU)),
            ("inf", Value::Float(f64::INFINITY)),
            ("nan", Value::Float(f64::NAN)),
        ],
    )
}

fn domain() -> Exc {
    Exc::value_error("math domain error")
}

fn range_err() -> Exc {
    Exc::new(ExcKind::OverflowError, "math range error")
}

fn one(name: &str, args: &[Value], kw: &Kw) -> PResult<()> {
    if !kw.is_empty() {
        return Err(Exc::type_error(format!(
            "math.{name}() takes no keyword arguments"
        )));
    }
    if args.len() != 1 {
        return Err(Exc::type_error(format!(
            "math.{name}() takes exactly one argument ({} given)",
            args.len()
        )));
    }
    Ok(())
}

fn two(name: &str, args: &[Value]) -> PResult<()> {
    if args.len() != 2 {
        return Err(Exc::type_error(format!(
            "{name} expected 2 arguments, got {}",
            args.len()
        )));
    }
    Ok(())
}

fn f(v: &Value) -> PResult<f64> {
    crate::lang::objects::float_arg(v)
}

/// Applies a one-argument real function, mapping NaN from a non-NaN input to a domain
/// error and infinity from a finite input to a range error.
fn real1(name: &str, args: &[Value], kw: &Kw, op: fn(f64) -> f64) -> PResult<Value> {
    one(name, args, kw)?;
    let x = f(&args[0])?;
    let r = op(x);
    if r.is_nan() && !x.is_nan() {
        return Err(domain());
    }
    if r.is_infinite() && x.is_finite() {
        return Err(range_err());
    }
    Ok(Value::Float(r))
}

macro_rules! real {
    ($($name:ident => $op:expr),* $(,)?) => {
        $(fn $name(_vm: &mut Vm<'_>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
            real1(stringify!($name), &args, &kw, $op)
        })*
    };
}

real! {
    acos => f64::acos, asin => f64::asin, atan => f64::atan, cos => f64::cos, sin => f64::sin,
    tan => f64::tan, cosh => f64::cosh, sinh => f64::sinh, tanh => f64::tanh,
    asinh => f64::asinh, exp => f64::exp, exp2 => f64::exp2, expm1 => f64::exp_m1,
    fabs => f64::abs, degrees => f64::to_degrees, radians => f64::to_radians,
}

fn acosh(_vm: &mut Vm<'_>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    real1("acosh", &args, &kw, |x| {
        if x < 1.0 {
            f64::NAN
        } else {
            x.acosh()
        }
    })
}

fn atanh(_vm: &mut Vm<'_>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    one("atanh", &args, &kw)?;
    let x = f(&args[0])?;
    if x.abs() >= 1.0 {
        return Err(domain());
    }
    Ok(Value::Float(x.atanh()))
}

fn sqrt(_vm: &mut Vm<'_>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    real1("sqrt", &args, &kw, |x| {
        if x < 0.0 {
            f64::NAN
        } else {
            x.sqrt()
        }
    })
}

/// The natural log of an int or float (ints too large for a float are scaled first).
fn ln(v: &Value) -> PResult<f64> {
    if let Value::BigInt(b) = v {
        if !b.is_positive() {
            return Err(domain());
        }
        let bits = b.bits();
        if bits > 1000 {
            // x = m * 2**e with m in [0.5, 1), as CPython's _PyLong_Frexp.
            let shift = bits - 64;
            let top = (&**b >> shift).to_f64().unwrap_or(1.0);
            let m = top / 18446744073709551616.0;
            return Ok(m.ln() + (shift + 64) as f64 * std::f64::consts::LN_2);
        }
    }
    let x = f(v)?;
    if x <= 0.0 || x.is_nan() {
        if x.is_nan() {
            return Ok(x);
        }
        return Err(domain());
    }
    Ok(x.ln())
}

fn log(_vm: &mut Vm<'_>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    if !kw.is_empty() {
        return Err(Exc::type_error("math.log() takes no keyword arguments"));
    }
    if args.is_empty() || args.len() > 2 {
        return Err(Exc::type_error(format!(
            "log expected at {} {} argument{}, got {}",
            if args.is_empty() { "least" } else { "most" },
            if args.is_empty() { 1 } else { 2 },
            if args.is_empty() { "" } else { "s" },
            args.len()
        )));
    }
    let num = ln(&args[0])?;
    match args.get(1) {
        None => Ok(Value::Float(num)),
        Some(b) => {
            let den = ln(b)?;
            if den == 0.0 {
                return Err(Exc::new(
                    ExcKind::ZeroDivisionError,
                    "float division by zero",
                ));
            }
            Ok(Value::Float(num / den))
        }
    }
}

fn log_base(name: &str, args: &[Value], kw: &Kw, base: f64) -> PResult<Value> {
    one(name, args, kw)?;
    let l = ln(&args[0])?;
    // Exact powers stay exact, as C's log2/log10 keep them.
    if let Ok(x) = f(&args[0]) {
        if x.is_finite() && x > 0.0 {
            return Ok(Value::Float(if base == 2.0 { x.log2() } else { x.log10() }));
        }
    }
    Ok(Value::Float(l / base.ln()))
}

fn log2(_vm: &mut Vm<'_>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    log_base("log2", &args, &kw, 2.0)
}

fn log10(_vm: &mut Vm<'_>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    log_base("log10", &args, &kw, 10.0)
}

fn log1p(_vm: &mut Vm<'_>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    real1("log1p", &args, &kw, |x| {
        if x <= -1.0 {
            f64::NAN
        } else {
            x.ln_1p()
        }
    })
}

fn to_int_value(v: &Value, up: bool) -> PResult<Value> {
    match v {
        Value::Int(_) | Value::BigInt(_) => Ok(v.clone()),
        Value::Bool(b) => Ok(Value::Int(*b as i64)),
        _ => {
            let x = f(v)?;
            float_to_int(if up { x.ceil() } else { x.floor() })
        }
    }
}

fn floor(_vm: &mut Vm<'_>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    one("floor", &args, &kw)?;
    to_int_value(&args[0], false)
}

fn ceil(_vm: &mut Vm<'_>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    one("ceil", &args, &kw)?;
    to_int_value(&args[0], true)
}

fn trunc(_vm: &mut Vm<'_>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    one("trunc", &args, &kw)?;
    match &args[0] {
        Value::Float(x) => float_to_int(x.trunc()),
        v @ (Value::Int(_) | Value::BigInt(_) | Value::Bool(_)) => to_int_value(v, false),
        v => Err(Exc::type_error(format!(
            "type {} doesn't define __trunc__ method",
            v.type_name()
        ))),
    }
}

fn pow(_vm: &mut Vm<'_>, args: Vec<Value>, _kw: Kw) -> PResult<Value> {
    two("pow", &args)?;
    let (x, y) = (f(&args[0])?, f(&args[1])?);
    if x == 0.0 && y < 0.0 {
        return Err(domain());
    }
    if x < 0.0 && y.is_finite() && y.fract() != 0.0 {
        return Err(domain());
    }
    let r = x.powf(y);
    if r.is_infinite() && x.is_finite() && y.is_finite() {
        return Err(range_err());
    }
    Ok(Value::Float(r))
}

fn fmod(_vm: &mut Vm<'_>, args: Vec<Value>, _kw: Kw) -> PResult<Value> {
    two("fmod", &args)?;
    let (x, y) = (f(&args[0])?, f(&args[1])?);
    if y == 0.0 || x.is_infinite() {
        return Err(domain());
    }
    Ok(Value::Float(x % y))
}

fn remainder(_vm: &mut Vm<'_>, args: Vec<Value>, _kw: Kw) -> PResult<Value> {
    two("remainder", &args)?;
    let (x, y) = (f(&args[0])?, f(&args[1])?);
    if y == 0.0 || x.is_infinite() {
        return Err(domain());
    }
    let n = (x / y).round_ties_even();
    Ok(Value::Float(x - n * y))
}

fn atan2(_vm: &mut Vm<'_>, args: Vec<Value>, _kw: Kw) -> PResult<Value> {
    two("atan2", &args)?;
    Ok(Value::Float(f(&args[0])?.atan2(f(&args[1])?)))
}

fn copysign(_vm: &mut Vm<'_>, args: Vec<Value>, _kw: Kw) -> PResult<Value> {
    two("copysign", &args)?;
    Ok(Value::Float(f(&args[0])?.copysign(f(&args[1])?)))
}

fn nextafter(_vm: &mut Vm<'_>, args: Vec<Value>, _kw: Kw) -> PResult<Value> {
    two("nextafter", &args)?;
    let (x, y) = (f(&args[0])?, f(&args[1])?);
    Ok(Value::Float(if x.is_nan() || y.is_nan() {
        f64::NAN
    } else if x == y {
        y
    } else if x == 0.0 {
        f64::from_bits(1).copysign(y)
    } else {
        let b = x.to_bits();
        let up = (y > x) == (x > 0.0);
        f64::from_bits(if up { b + 1 } else { b - 1 })
    }))
}

fn ulp(_vm: &mut Vm<'_>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    one("ulp", &args, &kw)?;
    let x = f(&args[0])?.abs();
    if x.is_nan() || x.is_infinite() {
        return Ok(Value::Float(x));
    }
    if x == f64::MAX {
        return Ok(Value::Float(x - f64::from_bits(x.to_bits() - 1)));
    }
    Ok(Value::Float(f64::from_bits(x.to_bits() + 1) - x))
}

fn hypot(_vm: &mut Vm<'_>, args: Vec<Value>, _kw: Kw) -> PResult<Value> {
    let mut acc = 0.0f64;
    for a in &args {
        acc = acc.hypot(f(a)?);
    }
    Ok(Value::Float(acc))
}

fn dist(vm: &mut Vm<'_>, args: Vec<Value>, _kw: Kw) -> PResult<Value> {
    two("dist", &args)?;
    let p = vm.iterate(&args[0])?;
    let q = vm.iterate(&args[1])?;
    if p.len() != q.len() {
        return Err(Exc::value_error(
            "both points must have the same number of dimensions",
        ));
    }
    let mut acc = 0.0f64;
    for (a, b) in p.iter().zip(&q) {
        acc = acc.hypot(f(a)? - f(b)?);
    }
    Ok(Value::Float(acc))
}

fn isnan(_vm: &mut Vm<'_>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    one("isnan", &args, &kw)?;
    Ok(Value::Bool(f(&args[0])?.is_nan()))
}

fn isinf(_vm: &mut Vm<'_>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    one("isinf", &args, &kw)?;
    Ok(Value::Bool(f(&args[0])?.is_infinite()))
}

fn isfinite(_vm: &mut Vm<'_>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    one("isfinite", &args, &kw)?;
    Ok(Value::Bool(f(&args[0])?.is_finite()))
}

fn isclose(vm: &mut Vm<'_>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    let a = crate::lang::objects::parse_args(
        vm,
        "isclose",
        args,
        kw,
        &["a", "b", "rel_tol", "abs_tol"],
        2,
    )?;
    let x = f(a[0].as_ref().unwrap_or(&Value::None))?;
    let y = f(a[1].as_ref().unwrap_or(&Value::None))?;
    let rel = match &a[2] {
        Some(v) => f(v)?,
        None => 1e-9,
    };
    let abs = match &a[3] {
        Some(v) => f(v)?,
        None => 0.0,
    };
    if rel < 0.0 || abs < 0.0 {
        return Err(Exc::value_error("tolerances must be non-negative"));
    }
    if x == y {
        return Ok(Value::Bool(true));
    }
    if x.is_infinite() || y.is_infinite() {
        return Ok(Value::Bool(false));
    }
    let d = (x - y).abs();
    Ok(Value::Bool(
        d <= (rel * y).abs() || d <= (rel * x).abs() || d <= abs,
    ))
}

fn int_of(v: &Value) -> PResult<BigInt> {
    ops::as_bigint(v).ok_or_else(|| {
        Exc::type_error(format!(
            "'{}' object cannot be interpreted as an integer",
            v.type_name()
        ))
    })
}

fn factorial(_vm: &mut Vm<'_>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    one("factorial", &args, &kw)?;
    let n = int_of(&args[0])?;
    if n.is_negative() {
        return Err(Exc::value_error(
            "factorial() not defined for negative values",
        ));
    }
    let n = n.to_u64().filter(|n| *n <= 100_000).ok_or_else(|| {
        Exc::new(
            ExcKind::OverflowError,
            "factorial() argument should not exceed 100000",
        )
    })?;
    let mut acc = BigInt::one();
    for i in 2..=n {
        acc *= i;
    }
    Ok(Value::from_bigint(acc))
}

fn gcd(_vm: &mut Vm<'_>, args: Vec<Value>, _kw: Kw) -> PResult<Value> {
    let mut acc = BigInt::zero();
    for a in &args {
        acc = acc.gcd(&int_of(a)?);
    }
    Ok(Value::from_bigint(acc))
}

fn lcm(_vm: &mut Vm<'_>, args: Vec<Value>, _kw: Kw) -> PResult<Value> {
    let mut acc = BigInt::one();
    for a in &args {
        let x = int_of(a)?;
        if x.is_zero() {
            return Ok(Value::Int(0));
        }
        acc = acc.lcm(&x);
    }
    Ok(Value::from_bigint(acc.abs()))
}

fn isqrt(_vm: &mut Vm<'_>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    one("isqrt", &args, &kw)?;
    let n = int_of(&args[0])?;
    if n.is_negative() {
        return Err(Exc::value_error("isqrt() argument must be nonnegative"));
    }
    Ok(Value::from_bigint(n.sqrt()))
}

fn comb_perm(name: &str, args: &[Value], is_comb: bool) -> PResult<Value> {
    let (n, k) = match args {
        [n] if !is_comb => (int_of(n)?, int_of(n)?),
        [n, Value::None] if !is_comb => (int_of(n)?, int_of(n)?),
        [n, k] => (int_of(n)?, int_of(k)?),
        _ => {
            return Err(Exc::type_error(format!(
                "{name} expected {} arguments, got {}",
                if is_comb { "2" } else { "at most 2" },
                args.len()
            )))
        }
    };
    if n.is_negative() {
        return Err(Exc::value_error("n must be a non-negative integer"));
    }
    if k.is_negative() {
        return Err(Exc::value_error("k must be a non-negative integer"));
    }
    if k > n {
        return Ok(Value::Int(0));
    }
    let k = k
        .to_u64()
        .filter(|k| *k <= 1_000_000)
        .ok_or_else(|| Exc::new(ExcKind::OverflowError, "k too large"))?;
    let k = if is_comb {
        k.min((&n - k).to_u64().unwrap_or(k))
    } else {
        k
    };
    let mut acc = BigInt::one();
    for i in 0..k {
        acc *= &n - i;
        if is_comb {
            acc /= i + 1;
        }
    }
    Ok(Value::from_bigint(acc))
}

fn comb(_vm: &mut Vm<'_>, args: Vec<Value>, _kw: Kw) -> PResult<Value> {
    comb_perm("comb", &args, true)
}

fn perm(_vm: &mut Vm<'_>, args: Vec<Value>, _kw: Kw) -> PResult<Value> {
    comb_perm("perm", &args, false)
}

fn frexp(_vm: &mut Vm<'_>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    one("frexp", &args, &kw)?;
    let x = f(&args[0])?;
    if x == 0.0 || !x.is_finite() {
        return Ok(Value::tuple(vec![Value::Float(x), Value::Int(0)]));
    }
    let mut e = x.abs().log2().floor() as i32 + 1;
    let mut m = x / 2f64.powi(e);
    // Correct rounding at the edges of the log2 estimate.
    if m.abs() >= 1.0 {
        m /= 2.0;
        e += 1;
    } else if m.abs() < 0.5 {
        m *= 2.0;
        e -= 1;
    }
    Ok(Value::tuple(vec![Value::Float(m), Value::Int(e as i64)]))
}

fn ldexp(_vm: &mut Vm<'_>, args: Vec<Value>, _kw: Kw) -> PResult<Value> {
    two("ldexp", &args)?;
    let x = f(&args[0])?;
    let e = int_of(&args[1])?
        .to_i64()
        .unwrap_or(i64::MAX)
        .clamp(-4000, 4000) as i32;
    let r = x * 2f64.powi(e.clamp(-1074, 1023)) * 2f64.powi(e - e.clamp(-1074, 1023));
    if r.is_infinite() && x.is_finite() {
        return Err(range_err());
    }
    Ok(Value::Float(r))
}

fn modf(_vm: &mut Vm<'_>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    one("modf", &args, &kw)?;
    let x = f(&args[0])?;
    if x.is_infinite() {
        return Ok(Value::tuple(vec![
            Value::Float(0.0f64.copysign(x)),
            Value::Float(x),
        ]));
    }
    Ok(Value::tuple(vec![
        Value::Float(x.fract()),
        Value::Float(x.trunc()),
    ]))
}

fn fsum(vm: &mut Vm<'_>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    one("fsum", &args, &kw)?;
    // Shewchuk's algorithm, as CPython's msum.
    let mut partials: Vec<f64> = Vec::new();
    for v in vm.iterate(&args[0])? {
        let mut x = f(&v)?;
        let mut i = 0;
        for j in 0..partials.len() {
            let mut y = partials[j];
            if x.abs() < y.abs() {
                std::mem::swap(&mut x, &mut y);
            }
            let hi = x + y;
            let lo = y - (hi - x);
            if lo != 0.0 {
                partials[i] = lo;
                i += 1;
            }
            x = hi;
        }
        partials.truncate(i);
        partials.push(x);
    }
    Ok(Value::Float(partials.iter().sum()))
}

fn prod(vm: &mut Vm<'_>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    let a = crate::lang::objects::parse_args(vm, "prod", args, kw, &["iterable", "start"], 1)?;
    let mut acc = a[1].clone().unwrap_or(Value::Int(1));
    for v in vm.iterate(a[0].as_ref().unwrap_or(&Value::None))? {
        acc = ops::binary(crate::lang::ast::BinOp::Mul, &acc, &v)?;
    }
    Ok(acc)
}
