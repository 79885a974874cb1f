//! `binascii`: hex and base64 conversions and CRC-32.

use crate::funcs;
use crate::lang::exceptions::{Exc, ExcKind, PResult};
use crate::lang::interp::{State, Vm};
use crate::lang::objects::module::Module;
use crate::lang::objects::{bytes_arg, bytes_like, error_class_in, raise_error, Kw};
use crate::lang::value::Value;

funcs! {
    "hexlify" => hexlify, "b2a_hex" => hexlify, "unhexlify" => unhexlify, "a2b_hex" => unhexlify,
    "crc32" => crc32, "b2a_base64" => b2a_base64, "a2b_base64" => a2b_base64,
}

/// The module.
pub fn module(st: &mut State) -> Module {
    let err = error_class_in(st, "binascii.Error", ExcKind::ValueError);
    let inc = error_class_in(st, "binascii.Incomplete", ExcKind::Exception);
    Module::new(
        "binascii",
        FUNCS,
        vec![
            ("Error", Value::Class(err)),
            ("Incomplete", Value::Class(inc)),
        ],
    )
}

/// Raises `binascii.Error(msg)`.
pub fn error(vm: &mut Vm<'_>, msg: &str) -> Exc {
    raise_error(vm, "binascii.Error", ExcKind::ValueError, msg)
}

/// Data for the a2b functions: bytes-like, or an ASCII str.
pub fn ascii_data(v: &Value) -> PResult<Vec<u8>> {
    match crate::lang::subclass::plain(v) {
        Value::Str(s) => {
            if !s.s.is_ascii() {
                return Err(Exc::value_error(
                    "string argument should contain only ASCII characters",
                ));
            }
            Ok(s.s.as_bytes().to_vec())
        }
        _ => bytes_like(v).ok_or_else(|| {
            Exc::type_error(format!(
                "argument should be bytes, buffer or ASCII string, not '{}'",
                v.type_name()
            ))
        }),
    }
}

fn hexlify(vm: &mut Vm<'_>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    let a = crate::lang::objects::parse_args(
        vm,
        "hexlify",
        args,
        kw,
        &["data", "sep", "bytes_per_sep"],
        1,
    )?;
    let data = bytes_arg(a[0].as_ref().unwrap_or(&Value::None))?;
    let sep = match &a[1] {
        None | Some(Value::None) => None,
        Some(Value::Str(s)) => Some(s.s.clone()),
        Some(v) => Some(String::from_utf8_lossy(&bytes_arg(v)?).to_string()),
    };
    let per = match &a[2] {
        Some(v) => crate::lang::objects::int_arg(v)?,
        None => 1,
    };
    let s = crate::lang::objects::bytesmethods::hex_with_sep(&data, sep.as_deref(), per)?;
    Ok(Value::bytes(s.into_bytes()))
}

/// Decodes hex digits (no separators).
pub fn unhex(vm: &mut Vm<'_>, data: &[u8], odd: &str, bad: &str) -> PResult<Vec<u8>> {
    if data.len() % 2 == 1 {
        return Err(error(vm, odd));
    }
    let mut out = Vec::with_capacity(data.len() / 2);
    for pair in data.chunks(2) {
        let h = (pair[0] as char).to_digit(16);
        let l = (pair[1] as char).to_digit(16);
        match (h, l) {
            (Some(h), Some(l)) => out.push((h * 16 + l) as u8),
            _ => return Err(error(vm, bad)),
        }
    }
    Ok(out)
}

fn unhexlify(vm: &mut Vm<'_>, args: Vec<Value>, _kw: Kw) -> PResult<Value> {
    if args.len() != 1 {
        return Err(Exc::type_error(format!(
            "unhexlify() takes exactly one argument ({} given)",
            args.len()
        )));
    }
    let data = ascii_data(&args[0])?;
    Ok(Value::bytes(unhex(
        vm,
        &data,
        "Odd-length string",
        "Non-hexadecimal digit found",
    )?))
}

fn crc32(_vm: &mut Vm<'_>, args: Vec<Value>, _kw: Kw) -> PResult<Value> {
    crc32_of("crc32", &args)
}

/// `crc32(data, value=0)` (shared with zlib).
pub fn crc32_of(name: &str, args: &[Value]) -> PResult<Value> {
    if args.is_empty() || args.len() > 2 {
        return Err(Exc::type_error(format!(
            "{name} expected at {} {} argument{}, got {}",
            if args.is_empty() { "least" } else { "most" },
            if args.is_empty() { 1 } else { 2 },
            if args.is_empty() { "" } else { "s" },
            args.len()
        )));
    }
    let data = bytes_arg(&args[0])?;
    let init = match args.get(1) {
        Some(v) => crate::lang::ops::as_bigint(v)
            .map(|b| {
                let m = b & num_bigint::BigInt::from(0xffff_ffffu32);
                num_traits::ToPrimitive::to_u32(&m).unwrap_or(0)
            })
            .ok_or_else(|| {
                Exc::type_error(format!(
                    "'{}' object cannot be interpreted as an integer",
                    v.type_name()
                ))
            })?,
        None => 0,
    };
    let mut h = crc32fast::Hasher::new_with_initial(init);
    h.update(&data);
    Ok(Value::Int(h.finalize() as i64))
}

fn b2a_base64(vm: &mut Vm<'_>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    let a = crate::lang::objects::parse_args(vm, "b2a_base64", args, kw, &["data", "newline"], 1)?;
    let data = bytes_arg(a[0].as_ref().unwrap_or(&Value::None))?;
    let mut out = super::base64::encode(&data, super::base64::STD);
    if a[1].as_ref().is_none_or(|v| v.truthy()) {
        out.push(b'\n');
    }
    Ok(Value::bytes(out))
}

fn a2b_base64(vm: &mut Vm<'_>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    let a =
        crate::lang::objects::parse_args(vm, "a2b_base64", args, kw, &["data", "strict_mode"], 1)?;
    let data = ascii_data(a[0].as_ref().unwrap_or(&Value::None))?;
    let strict = a[1].as_ref().is_some_and(|v| v.truthy());
    super::base64::decode(vm, &data, super::base64::STD, strict).map(Value::bytes)
}
