//! `struct`: packing values into bytes by a format string (byte order, size and alignment
//! prefixes; codes x c b B ? h H i I l L q Q n N e f d s p P).

use num_bigint::BigInt;

use crate::funcs;
use crate::lang::exceptions::{Exc, ExcKind, PResult};
use crate::lang::interp::{State, Vm};
use crate::lang::objects::module::Module;
use crate::lang::objects::{bytes_like, error_class_in, native, raise_error, Kw};
use crate::lang::ops;
use crate::lang::value::{NativeObject, Value};

funcs! {
    "pack" => pack, "unpack" => unpack, "calcsize" => calcsize, "pack_into" => pack_into,
    "unpack_from" => unpack_from, "iter_unpack" => iter_unpack, "Struct" => struct_new,
}

/// The module.
pub fn module(st: &mut State) -> Module {
    let err = error_class_in(st, "struct.error", ExcKind::Exception);
    Module::new("struct", FUNCS, vec![("error", Value::Class(err))])
}

fn error(vm: &mut Vm<'_>, msg: impl Into<String>) -> Exc {
    raise_error(vm, "struct.error", ExcKind::Exception, msg)
}

/// One item of a format: code, count (repeat or string length), offset.
#[derive(Clone, Debug)]
struct Item {
    code: char,
    count: usize,
    offset: usize,
}

/// A parsed format.
#[derive(Clone, Debug)]
pub struct Format {
    little: bool,
    native: bool,
    items: Vec<Item>,
    size: usize,
}

impl Format {
    /// Number of values it packs.
    fn nvalues(&self) -> usize {
        self.items
            .iter()
            .map(|i| match i.code {
                'x' => 0,
                's' | 'p' => 1,
                _ => i.count,
            })
            .sum()
    }
}

fn code_size(code: char, native: bool) -> Option<usize> {
    Some(match code {
        'x' | 'c' | 'b' | 'B' | '?' | 's' | 'p' => 1,
        'h' | 'H' | 'e' => 2,
        'i' | 'I' | 'f' => 4,
        'l' | 'L' => {
            if native {
                8
            } else {
                4
            }
        }
        'q' | 'Q' | 'd' => 8,
        'n' | 'N' | 'P' if native => 8,
        _ => return None,
    })
}

fn parse(vm: &mut Vm<'_>, fmt: &str) -> PResult<Format> {
    let mut chars = fmt.chars().peekable();
    let (little, native) = match chars.peek() {
        Some('<') => (true, false),
        Some('>') | Some('!') => (false, false),
        Some('=') => (cfg!(target_endian = "little"), false),
        Some('@') => (cfg!(target_endian = "little"), true),
        _ => (cfg!(target_endian = "little"), true),
    };
    if matches!(chars.peek(), Some('<' | '>' | '!' | '=' | '@')) {
        chars.next();
    }
    let mut items = Vec::new();
    let mut size = 0usize;
    while let Some(c) = chars.next() {
        if c.is_whitespace() {
            continue;
        }
        let (count, code) = if c.is_ascii_digit() {
            let mut n = c.to_digit(10).unwrap_or(0) as usize;
            loop {
                match chars.peek() {
                    Some(d) if d.is_ascii_digit() => {
                        n = n
                            .checked_mul(10)
                            .and_then(|n| n.checked_add(d.to_digit(10).unwrap_or(0) as usize))
                            .ok_or_else(|| error(vm, "total struct size too long"))?;
                        chars.next();
                    }
                    _ => break,
                }
            }
            match chars.next() {
                Some(code) => (n, code),
                None => return Err(error(vm, "repeat count given without format specifier")),
            }
        } else {
            (1, c)
        };
        let Some(sz) = code_size(code, native) else {
            return Err(error(vm, "bad char in struct format"));
        };
        if native && !matches!(code, 's' | 'p' | 'x' | 'c' | 'b' | 'B' | '?') {
            size = size.div_ceil(sz) * sz;
        }
        items.push(Item {
            code,
            count,
            offset: size,
        });
        size = count
            .checked_mul(sz)
            .and_then(|n| n.checked_add(size))
            .filter(|n| *n < 1 << 40)
            .ok_or_else(|| error(vm, "total struct size too long"))?;
    }
    Ok(Format {
        little,
        native,
        items,
        size,
    })
}

fn int_value(vm: &mut Vm<'_>, v: &Value) -> PResult<BigInt> {
    match ops::as_bigint(v) {
        Some(b) => Ok(b),
        None => Err(error(vm, "required argument is not an integer")),
    }
}

fn range_msg(code: char, native: bool, lo: &BigInt, hi: &BigInt) -> String {
    let name = match code {
        'b' => Some("byte"),
        'B' => Some("ubyte"),
        'h' if native => Some("short"),
        'H' if native => Some("ushort"),
        _ => None,
    };
    match name {
        Some(n) => format!("{n} format requires {lo} <= number <= {hi}"),
        None => format!("'{code}' format requires {lo} <= number <= {hi}"),
    }
}

fn put_int(
    vm: &mut Vm<'_>,
    out: &mut [u8],
    f: &Format,
    code: char,
    size: usize,
    v: &Value,
) -> PResult<()> {
    let n = int_value(vm, v)?;
    let signed = code.is_ascii_lowercase();
    let bits = size * 8;
    let (lo, hi) = if signed {
        (
            -(BigInt::from(1) << (bits - 1)),
            (BigInt::from(1) << (bits - 1)) - 1,
        )
    } else {
        (BigInt::from(0), (BigInt::from(1) << bits) - 1)
    };
    if n < lo || n > hi {
        let msg = if !signed && n < BigInt::from(0) && !matches!(code, 'B') {
            "argument out of range".to_string()
        } else if size == 8 {
            if !signed && n < BigInt::from(0) {
                "argument out of range".to_string()
            } else {
                "int too large to convert".to_string()
            }
        } else {
            range_msg(code, f.native, &lo, &hi)
        };
        return Err(error(vm, msg));
    }
    let (_, mut le) = n.to_bytes_le();
    if n < BigInt::from(0) {
        le = n.to_signed_bytes_le();
    }
    let fill = if n < BigInt::from(0) { 0xff } else { 0 };
    le.resize(size, fill);
    if !f.little {
        le.reverse();
    }
    out.copy_from_slice(&le[..size]);
    Ok(())
}

fn float_value(vm: &mut Vm<'_>, v: &Value) -> PResult<f64> {
    match v {
        Value::Float(x) => Ok(*x),
        Value::Int(_) | Value::Bool(_) | Value::BigInt(_) => crate::lang::objects::float_arg(v),
        _ => Err(error(vm, "required argument is not a float")),
    }
}

/// IEEE half precision from f64 (round half to even), or None on overflow.
fn to_half(x: f64) -> Option<u16> {
    let bits = x.to_bits();
    let sign = ((bits >> 48) & 0x8000) as u16;
    if x.is_nan() {
        return Some(sign | 0x7e00);
    }
    let a = x.abs();
    if a.is_infinite() {
        return Some(sign | 0x7c00);
    }
    if a >= 65520.0 {
        return None;
    }
    if a < 6.103515625e-05 {
        // Subnormal: units of 2^-24.
        let m = (a * 16777216.0).round_ties_even() as u16;
        return Some(sign | m);
    }
    let e = a.log2().floor() as i32;
    let mut e = e.clamp(-14, 15);
    if a < 2f64.powi(e) {
        e -= 1;
    }
    let mut m = ((a / 2f64.powi(e) - 1.0) * 1024.0).round_ties_even() as u32;
    if m == 1024 {
        m = 0;
        e += 1;
    }
    if e > 15 {
        return None;
    }
    Some(sign | (((e + 15) as u16) << 10) | m as u16)
}

fn from_half(h: u16) -> f64 {
    let sign = if h & 0x8000 != 0 { -1.0 } else { 1.0 };
    let e = ((h >> 10) & 0x1f) as i32;
    let m = (h & 0x3ff) as f64;
    sign * match e {
        0 => m * 2f64.powi(-24),
        31 => {
            if m == 0.0 {
                f64::INFINITY
            } else {
                f64::NAN
            }
        }
        _ => (1.0 + m / 1024.0) * 2f64.powi(e - 15),
    }
}

fn order(b: &mut [u8], little: bool) {
    // Values are produced big-endian below; flip for little-endian formats.
    if little {
        b.reverse();
    }
}

/// Packs values by a parsed format.
fn pack_values(vm: &mut Vm<'_>, f: &Format, args: &[Value]) -> PResult<Vec<u8>> {
    let want = f.nvalues();
    if args.len() != want {
        return Err(error(
            vm,
            format!(
                "pack expected {want} items for packing (got {})",
                args.len()
            ),
        ));
    }
    let mut out = vec![0u8; f.size];
    let mut vals = args.iter();
    for it in &f.items {
        let sz = code_size(it.code, f.native).unwrap_or(1);
        match it.code {
            'x' => {}
            's' | 'p' => {
                let v = vals.next().cloned().unwrap_or(Value::None);
                let Some(b) = bytes_like(&v) else {
                    return Err(error(
                        vm,
                        format!("argument for '{}' must be a bytes object", it.code),
                    ));
                };
                let dst = &mut out[it.offset..it.offset + it.count];
                if it.code == 's' {
                    let n = b.len().min(it.count);
                    dst[..n].copy_from_slice(&b[..n]);
                } else if it.count > 0 {
                    let n = b.len().min(it.count - 1);
                    dst[0] = n.min(255) as u8;
                    dst[1..1 + n].copy_from_slice(&b[..n]);
                }
            }
            code => {
                for k in 0..it.count {
                    let v = vals.next().cloned().unwrap_or(Value::None);
                    let off = it.offset + k * sz;
                    let dst = &mut out[off..off + sz];
                    match code {
                        'c' => match bytes_like(&v) {
                            Some(b) if b.len() == 1 => dst[0] = b[0],
                            _ => {
                                return Err(error(
                                    vm,
                                    "char format requires a bytes object of length 1",
                                ))
                            }
                        },
                        '?' => dst[0] = vm.truthy(&v)? as u8,
                        'e' => {
                            let x = float_value(vm, &v)?;
                            let h = to_half(x).ok_or_else(|| {
                                Exc::new(
                                    ExcKind::OverflowError,
                                    "float too large to pack with e format",
                                )
                            })?;
                            dst.copy_from_slice(&h.to_be_bytes());
                            order(dst, f.little);
                        }
                        'f' => {
                            let x = float_value(vm, &v)?;
                            let y = x as f32;
                            if y.is_infinite() && x.is_finite() {
                                return Err(Exc::new(
                                    ExcKind::OverflowError,
                                    "float too large to pack with f format",
                                ));
                            }
                            dst.copy_from_slice(&y.to_be_bytes());
                            order(dst, f.little);
                        }
                        'd' => {
                            let x = float_value(vm, &v)?;
                            dst.copy_from_slice(&x.to_be_bytes());
                            order(dst, f.little);
                        }
                        _ => put_int(vm, dst, f, code, sz, &v)?,
                    }
                }
            }
        }
    }
    Ok(out)
}

/// Unpacks a buffer of exactly the format's size.
fn unpack_values(f: &Format, data: &[u8]) -> Vec<Value> {
    let mut out = Vec::new();
    for it in &f.items {
        let sz = code_size(it.code, f.native).unwrap_or(1);
        match it.code {
            'x' => {}
            's' => out.push(Value::bytes(data[it.offset..it.offset + it.count].to_vec())),
            'p' => {
                if it.count == 0 {
                    out.push(Value::bytes(Vec::new()));
                } else {
                    let n = (data[it.offset] as usize).min(it.count - 1);
                    out.push(Value::bytes(
                        data[it.offset + 1..it.offset + 1 + n].to_vec(),
                    ));
                }
            }
            code => {
                for k in 0..it.count {
                    let off = it.offset + k * sz;
                    let mut b = data[off..off + sz].to_vec();
                    // Normalize to big-endian.
                    if f.little {
                        b.reverse();
                    }
                    out.push(match code {
                        'c' => Value::bytes(b),
                        '?' => Value::Bool(b[0] != 0),
                        'e' => Value::Float(from_half(u16::from_be_bytes([b[0], b[1]]))),
                        'f' => Value::Float(f32::from_be_bytes([b[0], b[1], b[2], b[3]]) as f64),
                        'd' => {
                            let mut a = [0u8; 8];
                            a.copy_from_slice(&b);
                            Value::Float(f64::from_be_bytes(a))
                        }
                        c if c.is_ascii_lowercase() => {
                            Value::from_bigint(BigInt::from_signed_bytes_be(&b))
                        }
                        _ => Value::from_bigint(BigInt::from_bytes_be(num_bigint::Sign::Plus, &b)),
                    });
                }
            }
        }
    }
    out
}

fn fmt_arg(vm: &mut Vm<'_>, v: Option<&Value>) -> PResult<Format> {
    match v {
        Some(Value::Str(s)) => parse(vm, &s.s),
        Some(v) => match bytes_like(v) {
            Some(b) => parse(vm, &String::from_utf8_lossy(&b)),
            None => Err(Exc::type_error(format!(
                "Struct() argument 1 must be a str or bytes object, not {}",
                v.type_name()
            ))),
        },
        None => Err(Exc::type_error("pack expected at least 1 argument, got 0")),
    }
}

fn buffer_arg(v: &Value) -> PResult<Vec<u8>> {
    bytes_like(v).ok_or_else(|| {
        Exc::type_error(format!(
            "a bytes-like object is required, not '{}'",
            v.type_name()
        ))
    })
}

fn pack(vm: &mut Vm<'_>, args: Vec<Value>, _kw: Kw) -> PResult<Value> {
    let f = fmt_arg(vm, args.first())?;
    Ok(Value::bytes(pack_values(vm, &f, &args[1..])?))
}

fn unpack(vm: &mut Vm<'_>, args: Vec<Value>, _kw: Kw) -> PResult<Value> {
    if args.len() != 2 {
        return Err(Exc::type_error(format!(
            "unpack expected 2 arguments, got {}",
            args.len()
        )));
    }
    let f = fmt_arg(vm, args.first())?;
    let data = buffer_arg(&args[1])?;
    if data.len() != f.size {
        return Err(error(
            vm,
            format!("unpack requires a buffer of {} bytes", f.size),
        ));
    }
    Ok(Value::tuple(unpack_values(&f, &data)))
}

fn unpack_from(vm: &mut Vm<'_>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    let a = crate::lang::objects::parse_args(
        vm,
        "unpack_from",
        args,
        kw,
        &["format", "buffer", "offset"],
        2,
    )?;
    let f = fmt_arg(vm, a[0].as_ref())?;
    let data = buffer_arg(a[1].as_ref().unwrap_or(&Value::None))?;
    let mut off = match &a[2] {
        Some(v) => crate::lang::objects::int_arg(v)?,
        None => 0,
    };
    if off < 0 {
        if off + (data.len() as i64) < 0 {
            return Err(error(
                vm,
                format!("offset {off} out of range for {}-byte buffer", data.len()),
            ));
        }
        off += data.len() as i64;
    }
    let off = off as usize;
    if data.len() < off || data.len() - off < f.size {
        return Err(error(
            vm,
            format!(
                "unpack_from requires a buffer of at least {} bytes for unpacking {} bytes at offset {off} (actual buffer size is {})",
                f.size + off,
                f.size,
                data.len()
            ),
        ));
    }
    Ok(Value::tuple(unpack_values(&f, &data[off..off + f.size])))
}

fn iter_unpack(vm: &mut Vm<'_>, args: Vec<Value>, _kw: Kw) -> PResult<Value> {
    if args.len() != 2 {
        return Err(Exc::type_error(format!(
            "iter_unpack expected 2 arguments, got {}",
            args.len()
        )));
    }
    let f = fmt_arg(vm, args.first())?;
    let data = buffer_arg(&args[1])?;
    if f.size == 0 {
        return Err(error(
            vm,
            "cannot iteratively unpack with a struct of length 0",
        ));
    }
    if data.len() % f.size != 0 {
        return Err(error(
            vm,
            format!(
                "iterative unpacking requires a buffer of a multiple of {} bytes",
                f.size
            ),
        ));
    }
    let items = data
        .chunks(f.size)
        .map(|c| Value::tuple(unpack_values(&f, c)))
        .collect();
    Ok(crate::lang::objects::iters::make(
        "unpack_iterator",
        crate::lang::objects::iters::IterState::Items { items, pos: 0 },
    ))
}

fn pack_into(vm: &mut Vm<'_>, args: Vec<Value>, _kw: Kw) -> PResult<Value> {
    if args.len() < 3 {
        return Err(Exc::type_error(format!(
            "pack_into expected at least 3 arguments, got {}",
            args.len()
        )));
    }
    let f = fmt_arg(vm, args.first())?;
    let Some(buf) =
        crate::lang::objects::downcast::<crate::lang::objects::bytearray::ByteArray>(&args[1])
    else {
        return Err(Exc::type_error(format!(
            "argument must be read-write bytes-like object, not {}",
            args[1].type_name()
        )));
    };
    let mut off = crate::lang::objects::int_arg(&args[2])?;
    let packed = pack_values(vm, &f, &args[3..])?;
    let len = buf.data.borrow().len() as i64;
    if off < 0 {
        off += len;
    }
    if off < 0 || off + packed.len() as i64 > len {
        return Err(error(
            vm,
            format!(
                "pack_into requires a buffer of at least {} bytes for packing {} bytes at offset {off} (actual buffer size is {len})",
                off + packed.len() as i64,
                packed.len()
            ),
        ));
    }
    let off = off as usize;
    buf.data.borrow_mut()[off..off + packed.len()].copy_from_slice(&packed);
    Ok(Value::None)
}

fn calcsize(vm: &mut Vm<'_>, args: Vec<Value>, _kw: Kw) -> PResult<Value> {
    if args.len() != 1 {
        return Err(Exc::type_error(format!(
            "calcsize() takes exactly one argument ({} given)",
            args.len()
        )));
    }
    let f = fmt_arg(vm, args.first())?;
    Ok(Value::Int(f.size as i64))
}

/// A compiled `struct.Struct`.
pub struct Struct {
    format: String,
    f: Format,
}

fn struct_new(vm: &mut Vm<'_>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    let a = crate::lang::objects::parse_args(vm, "Struct", args, kw, &["format"], 1)?;
    let f = fmt_arg(vm, a[0].as_ref())?;
    let format = match &a[0] {
        Some(Value::Str(s)) => s.s.clone(),
        Some(v) => String::from_utf8_lossy(&bytes_like(v).unwrap_or_default()).to_string(),
        None => String::new(),
    };
    Ok(native(Struct { format, f }))
}

impl NativeObject for Struct {
    fn type_name(&self) -> &str {
        "Struct"
    }
    fn repr(&self) -> String {
        format!("Struct({})", crate::lang::format::str_repr(&self.format))
    }
    fn get_attr(&self, _vm: &mut Vm<'_>, _this: &Value, name: &str) -> Option<PResult<Value>> {
        Some(Ok(match name {
            "size" => Value::Int(self.f.size as i64),
            "format" => Value::str(self.format.clone()),
            _ => return None,
        }))
    }
    fn method_names(&self) -> &'static [&'static str] {
        &["iter_unpack", "pack", "pack_into", "unpack", "unpack_from"]
    }
    fn call_method(
        &self,
        vm: &mut Vm<'_>,
        _this: &Value,
        name: &str,
        args: Vec<Value>,
        kw: Kw,
    ) -> Option<PResult<Value>> {
        let mut full = vec![Value::str(self.format.clone())];
        full.extend(args);
        Some(match name {
            "pack" => pack(vm, full, kw),
            "unpack" => unpack(vm, full, kw),
            "unpack_from" => unpack_from(vm, full, kw),
            "iter_unpack" => iter_unpack(vm, full, kw),
            "pack_into" => pack_into(vm, full, kw),
            _ => return None,
        })
    }
}
