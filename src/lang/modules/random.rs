//! `random`: CPython's Mersenne Twister and its derived methods, so a seeded script draws the
//! same numbers as under Python.

use num_bigint::{BigInt, Sign};
use num_traits::{Signed, ToPrimitive, Zero};

use crate::funcs;
use crate::lang::exceptions::{Exc, ExcKind, PResult};
use crate::lang::interp::{State, Vm};
use crate::lang::objects::module::Module;
use crate::lang::objects::{bytes_like, Kw};
use crate::lang::ops;
use crate::lang::value::Value;

funcs! {
    "random" => random, "seed" => seed, "randint" => randint, "randrange" => randrange,
    "choice" => choice, "choices" => choices, "shuffle" => shuffle, "sample" => sample,
    "uniform" => uniform, "getrandbits" => getrandbits, "randbytes" => randbytes,
}

/// The module.
pub fn module(_st: &mut State) -> Module {
    Module::new("random", FUNCS, Vec::new())
}

const N: usize = 624;
const M: usize = 397;

/// MT19937, as in CPython's `_randommodule.c`.
#[derive(Clone)]
pub struct Mt {
    state: Box<[u32; N]>,
    index: usize,
}

impl Mt {
    fn init_genrand(s: u32) -> Mt {
        let mut mt = Box::new([0u32; N]);
        mt[0] = s;
        for i in 1..N {
            mt[i] = 1812433253u32
                .wrapping_mul(mt[i - 1] ^ (mt[i - 1] >> 30))
                .wrapping_add(i as u32);
        }
        Mt {
            state: mt,
            index: N,
        }
    }

    /// `init_by_array`.
    pub fn from_key(key: &[u32]) -> Mt {
        let mut g = Mt::init_genrand(19650218);
        let mt = &mut g.state;
        let (mut i, mut j) = (1usize, 0usize);
        let klen = key.len().max(1);
        for _ in 0..N.max(klen) {
            mt[i] = (mt[i] ^ (mt[i - 1] ^ (mt[i - 1] >> 30)).wrapping_mul(1664525))
                .wrapping_add(*key.get(j).unwrap_or(&0))
                .wrapping_add(j as u32);
            i += 1;
            j += 1;
            if i >= N {
                mt[0] = mt[N - 1];
                i = 1;
            }
            if j >= klen {
                j = 0;
            }
        }
        for _ in 0..N - 1 {
            mt[i] = (mt[i] ^ (mt[i - 1] ^ (mt[i - 1] >> 30)).wrapping_mul(1566083941))
                .wrapping_sub(i as u32);
            i += 1;
            if i >= N {
                mt[0] = mt[N - 1];
                i = 1;
            }
        }
        mt[0] = 0x80000000;
        g
    }

    /// Seeds from an int (its absolute value's 32-bit words, least significant first).
    pub fn from_int(n: &BigInt) -> Mt {
        let (_, mut words) = n.abs().to_u32_digits();
        if words.is_empty() {
            words.push(0);
        }
        Mt::from_key(&words)
    }

    /// Seeds from the OS's randomness.
    pub fn from_os() -> Mt {
        let mut buf = vec![0u8; N * 4];
        use std::io::Read;
        let ok = std::fs::File::open("/dev/urandom")
            .and_then(|mut f| f.read_exact(&mut buf))
            .is_ok();
        if !ok {
            let t = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0);
            return Mt::from_int(&BigInt::from(t ^ std::process::id() as u128));
        }
        let key: Vec<u32> = buf
            .chunks(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        Mt::from_key(&key)
    }

    /// `genrand_uint32`.
    pub fn next_u32(&mut self) -> u32 {
        const MAG: [u32; 2] = [0, 0x9908b0df];
        let mt = &mut self.state;
        if self.index >= N {
            let mut kk = 0;
            while kk < N - M {
                let y = (mt[kk] & 0x80000000) | (mt[kk + 1] & 0x7fffffff);
                mt[kk] = mt[kk + M] ^ (y >> 1) ^ MAG[(y & 1) as usize];
                kk += 1;
            }
            while kk < N - 1 {
                let y = (mt[kk] & 0x80000000) | (mt[kk + 1] & 0x7fffffff);
                mt[kk] = mt[kk + M - N] ^ (y >> 1) ^ MAG[(y & 1) as usize];
                kk += 1;
            }
            let y = (mt[N - 1] & 0x80000000) | (mt[0] & 0x7fffffff);
            mt[N - 1] = mt[M - 1] ^ (y >> 1) ^ MAG[(y & 1) as usize];
            self.index = 0;
        }
        let mut y = mt[self.index];
        self.index += 1;
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c5680;
        y ^= (y << 15) & 0xefc60000;
        y ^= y >> 18;
        y
    }

    /// `random()`: 53 random bits as a float in [0, 1).
    pub fn random(&mut self) -> f64 {
        let a = (self.next_u32() >> 5) as f64;
        let b = (self.next_u32() >> 6) as f64;
        (a * 67108864.0 + b) * (1.0 / 9007199254740992.0)
    }

    /// `getrandbits(k)`.
    pub fn getrandbits(&mut self, k: u64) -> BigInt {
        if k == 0 {
            return BigInt::zero();
        }
        if k <= 32 {
            return BigInt::from(self.next_u32() >> (32 - k));
        }
        let words = ((k - 1) / 32 + 1) as usize;
        let mut out = Vec::with_capacity(words);
        let mut left = k;
        for _ in 0..words {
            let mut r = self.next_u32();
            if left < 32 {
                r >>= 32 - left;
            }
            out.push(r);
            left = left.saturating_sub(32);
        }
        BigInt::from_slice(Sign::Plus, &out)
    }

    /// `_randbelow(n)` for n > 0.
    pub fn below(&mut self, n: &BigInt) -> BigInt {
        if n.is_zero() {
            return BigInt::zero();
        }
        let k = n.bits();
        loop {
            let r = self.getrandbits(k);
            if &r < n {
                return r;
            }
        }
    }

    fn below_usize(&mut self, n: usize) -> usize {
        self.below(&BigInt::from(n)).to_usize().unwrap_or(0)
    }
}

fn gen<'a>(vm: &'a mut Vm<'_>) -> &'a mut Mt {
    vm.st.lib.random.get_or_insert_with(Mt::from_os)
}

fn nargs(name: &str, args: &[Value], min: usize, max: usize, names: &[&str]) -> PResult<()> {
    if args.len() < min {
        let missing: Vec<String> = names[args.len()..min]
            .iter()
            .map(|n| format!("'{n}'"))
            .collect();
        let n = missing.len();
        return Err(Exc::type_error(format!(
            "Random.{name}() missing {n} required positional argument{}: {}",
            if n == 1 { "" } else { "s" },
            missing.join(" and ")
        )));
    }
    if args.len() > max {
        return Err(Exc::type_error(format!(
            "Random.{name}() takes {} positional argument{} but {} were given",
            max + 1,
            if max == 0 { "" } else { "s" },
            args.len() + 1
        )));
    }
    Ok(())
}

fn random(vm: &mut Vm<'_>, args: Vec<Value>, _kw: Kw) -> PResult<Value> {
    if !args.is_empty() {
        return Err(Exc::type_error(format!(
            "Random.random() takes no arguments ({} given)",
            args.len()
        )));
    }
    Ok(Value::Float(gen(vm).random()))
}

fn seed(vm: &mut Vm<'_>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    let a = crate::lang::objects::parse_args(vm, "seed", args, kw, &["a", "version"], 0)?;
    let mt = match &a[0] {
        None | Some(Value::None) => Mt::from_os(),
        Some(Value::Float(f)) => Mt::from_int(&BigInt::from(ops::hash_value(&Value::Float(*f))?)),
        Some(v @ Value::Str(_)) | Some(v @ Value::Bytes(_)) | Some(v @ Value::Native(_)) => {
            let bytes = match v {
                Value::Str(s) => s.s.as_bytes().to_vec(),
                other => bytes_like(other).ok_or_else(|| {
                    Exc::type_error("The only supported seed types are: None,\nint, float, str, bytes, and bytearray.".to_string())
                })?,
            };
            use sha2::Digest;
            let mut all = bytes.clone();
            all.extend_from_slice(&sha2::Sha512::digest(&bytes));
            Mt::from_int(&BigInt::from_bytes_be(Sign::Plus, &all))
        }
        Some(v) => match ops::as_bigint(v) {
            Some(n) => Mt::from_int(&n),
            None => return Err(Exc::type_error(
                "The only supported seed types are: None,\nint, float, str, bytes, and bytearray.",
            )),
        },
    };
    vm.st.lib.random = Some(mt);
    Ok(Value::None)
}

/// An integer argument of randrange (integral floats are accepted, as 3.11 still does).
fn index_arg(v: &Value, pos: usize) -> PResult<BigInt> {
    if let Some(b) = ops::as_bigint(v) {
        return Ok(b);
    }
    if let Value::Float(f) = v {
        if f.fract() == 0.0 && f.is_finite() {
            use num_traits::FromPrimitive;
            return Ok(BigInt::from_f64(*f).unwrap_or_default());
        }
        return Err(Exc::value_error(format!(
            "non-integer arg {pos} for randrange()"
        )));
    }
    Err(Exc::type_error(format!(
        "'{}' object cannot be interpreted as an integer",
        v.type_name()
    )))
}

fn randrange_impl(
    vm: &mut Vm<'_>,
    start: &Value,
    stop: Option<&Value>,
    step: Option<&Value>,
) -> PResult<Value> {
    let istart = index_arg(start, 1)?;
    let Some(stop) = stop.filter(|s| !matches!(s, Value::None)) else {
        if step.is_some() {
            return Err(Exc::type_error("Missing a non-None stop argument"));
        }
        if istart.is_positive() {
            return Ok(Value::from_bigint(gen(vm).below(&istart)));
        }
        return Err(Exc::value_error("empty range for randrange()"));
    };
    let istop = index_arg(stop, 2)?;
    let width = &istop - &istart;
    let istep = match step {
        Some(s) => index_arg(s, 3)?,
        None => BigInt::from(1),
    };
    if istep == BigInt::from(1) {
        if width.is_positive() {
            return Ok(Value::from_bigint(&istart + gen(vm).below(&width)));
        }
        return Err(Exc::value_error(format!(
            "empty range for randrange() ({istart}, {istop}, {width})"
        )));
    }
    let n: BigInt = if istep.is_positive() {
        (&width + &istep - 1) / &istep
    } else if istep.is_negative() {
        (&width + &istep + 1) / &istep
    } else {
        return Err(Exc::value_error("zero step for randrange()"));
    };
    if !n.is_positive() {
        return Err(Exc::value_error("empty range for randrange()"));
    }
    Ok(Value::from_bigint(istart + istep * gen(vm).below(&n)))
}

fn randrange(vm: &mut Vm<'_>, args: Vec<Value>, _kw: Kw) -> PResult<Value> {
    nargs("randrange", &args, 1, 3, &["start", "stop", "step"])?;
    randrange_impl(vm, &args[0], args.get(1), args.get(2))
}

fn randint(vm: &mut Vm<'_>, args: Vec<Value>, _kw: Kw) -> PResult<Value> {
    nargs("randint", &args, 2, 2, &["a", "b"])?;
    let b = ops::binary(crate::lang::ast::BinOp::Add, &args[1], &Value::Int(1))?;
    randrange_impl(vm, &args[0], Some(&b), None)
}

fn seq_items(vm: &mut Vm<'_>, v: &Value, what: &str) -> PResult<Vec<Value>> {
    match v {
        Value::Set(_) | Value::Dict(_) => Err(Exc::type_error(
            "Population must be a sequence.  For dicts or sets, use sorted(d).".to_string(),
        )),
        Value::List(_) | Value::Tuple(_) | Value::Str(_) | Value::Bytes(_) | Value::Range(_) => {
            vm.iterate(v)
        }
        _ => {
            let _ = what;
            vm.iterate(v)
        }
    }
}

fn choice(vm: &mut Vm<'_>, args: Vec<Value>, _kw: Kw) -> PResult<Value> {
    nargs("choice", &args, 1, 1, &["seq"])?;
    let n = ops::len(&args[0])?;
    if n == 0 {
        return Err(Exc::new(
            ExcKind::IndexError,
            "Cannot choose from an empty sequence",
        ));
    }
    let i = gen(vm).below_usize(n);
    ops::get_item(&args[0], &Value::Int(i as i64))
}

fn choices(vm: &mut Vm<'_>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    let a = crate::lang::objects::parse_args(
        vm,
        "choices",
        args,
        kw,
        &["population", "weights", "cum_weights", "k"],
        1,
    )?;
    let pop = seq_items(vm, a[0].as_ref().unwrap_or(&Value::None), "choices")?;
    let k = match &a[3] {
        Some(v) => crate::lang::objects::int_arg(v)?.max(0) as usize,
        None => 1,
    };
    let n = pop.len();
    let mut out = Vec::with_capacity(k);
    let cum: Option<Vec<f64>> = match (&a[1], &a[2]) {
        (Some(w), None) => {
            let mut acc = 0.0;
            let mut c = Vec::new();
            for x in vm.iterate(w)? {
                acc += crate::lang::objects::float_arg(&x)?;
                c.push(acc);
            }
            Some(c)
        }
        (None, Some(c)) => Some(
            vm.iterate(c)?
                .iter()
                .map(crate::lang::objects::float_arg)
                .collect::<PResult<_>>()?,
        ),
        (Some(_), Some(_)) => {
            return Err(Exc::type_error(
                "Cannot specify both weights and cumulative weights",
            ))
        }
        (None, None) => None,
    };
    match cum {
        None => {
            if n == 0 {
                return Err(Exc::new(
                    ExcKind::IndexError,
                    "Cannot choose from an empty sequence",
                ));
            }
            for _ in 0..k {
                let r = gen(vm).random();
                out.push(pop[((r * n as f64) as usize).min(n - 1)].clone());
            }
        }
        Some(cum) => {
            if cum.len() != n {
                return Err(Exc::value_error(
                    "The number of weights does not match the population",
                ));
            }
            let total = cum.last().copied().unwrap_or(0.0);
            if total <= 0.0 {
                return Err(Exc::value_error(
                    "Total of weights must be greater than zero",
                ));
            }
            for _ in 0..k {
                let r = gen(vm).random() * total;
                let i = cum.partition_point(|c| *c <= r).min(n - 1);
                out.push(pop[i].clone());
            }
        }
    }
    Ok(Value::list(out))
}

fn shuffle(vm: &mut Vm<'_>, args: Vec<Value>, _kw: Kw) -> PResult<Value> {
    nargs("shuffle", &args, 1, 1, &["x"])?;
    let Value::List(l) = &args[0] else {
        return Err(Exc::type_error(format!(
            "'{}' object does not support item assignment",
            args[0].type_name()
        )));
    };
    let n = l.borrow().len();
    for i in (1..n).rev() {
        let j = gen(vm).below_usize(i + 1);
        l.borrow_mut().swap(i, j);
    }
    Ok(Value::None)
}

fn sample(vm: &mut Vm<'_>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    let a = crate::lang::objects::parse_args(
        vm,
        "sample",
        args,
        kw,
        &["population", "k", "counts"],
        2,
    )?;
    let pop = seq_items(vm, a[0].as_ref().unwrap_or(&Value::None), "sample")?;
    let n = pop.len();
    let k = crate::lang::objects::int_arg(a[1].as_ref().unwrap_or(&Value::Int(0)))?;
    if k < 0 || k as usize > n {
        return Err(Exc::value_error(
            "Sample larger than population or is negative",
        ));
    }
    let k = k as usize;
    let mut setsize = 21usize;
    if k > 5 {
        let e = ((k * 3) as f64).log(4.0).ceil() as u32;
        setsize += 4usize.pow(e);
    }
    let mut result = Vec::with_capacity(k);
    if n <= setsize {
        let mut pool = pop.clone();
        for i in 0..k {
            let j = gen(vm).below_usize(n - i);
            result.push(pool[j].clone());
            pool[j] = pool[n - i - 1].clone();
        }
    } else {
        let mut selected = std::collections::HashSet::new();
        for _ in 0..k {
            let mut j = gen(vm).below_usize(n);
            while selected.contains(&j) {
                j = gen(vm).below_usize(n);
            }
            selected.insert(j);
            result.push(pop[j].clone());
        }
    }
    Ok(Value::list(result))
}

fn uniform(vm: &mut Vm<'_>, args: Vec<Value>, _kw: Kw) -> PResult<Value> {
    nargs("uniform", &args, 2, 2, &["a", "b"])?;
    let a = crate::lang::objects::float_arg(&args[0])?;
    let b = crate::lang::objects::float_arg(&args[1])?;
    Ok(Value::Float(a + (b - a) * gen(vm).random()))
}

fn getrandbits(vm: &mut Vm<'_>, args: Vec<Value>, _kw: Kw) -> PResult<Value> {
    if args.len() != 1 {
        return Err(Exc::type_error(format!(
            "Random.getrandbits() takes exactly one argument ({} given)",
            args.len()
        )));
    }
    let k = crate::lang::objects::int_arg(&args[0])?;
    if k < 0 {
        return Err(Exc::value_error("number of bits must be non-negative"));
    }
    Ok(Value::from_bigint(gen(vm).getrandbits(k as u64)))
}

fn randbytes(vm: &mut Vm<'_>, args: Vec<Value>, _kw: Kw) -> PResult<Value> {
    nargs("randbytes", &args, 1, 1, &["n"])?;
    let n = crate::lang::objects::int_arg(&args[0])?;
    if n < 0 {
        return Err(Exc::value_error("number of bits must be non-negative"));
    }
    let r = gen(vm).getrandbits(n as u64 * 8);
    let mut b = r.to_bytes_le().1;
    b.resize(n as usize, 0);
    if n == 0 {
        b.clear();
    }
    Ok(Value::bytes(b))
}
