//! `base64`: Base64 (standard and URL-safe), Base32 and Base16 encodings.

use crate::funcs;
use crate::lang::exceptions::{Exc, PResult};
use crate::lang::interp::{State, Vm};
use crate::lang::objects::module::Module;
use crate::lang::objects::{bytes_arg, Kw};
use crate::lang::value::Value;

use super::binascii::{ascii_data, error};

funcs! {
    "b64encode" => b64encode, "b64decode" => b64decode,
    "standard_b64encode" => standard_b64encode, "standard_b64decode" => standard_b64decode,
    "urlsafe_b64encode" => urlsafe_b64encode, "urlsafe_b64decode" => urlsafe_b64decode,
    "b16encode" => b16encode, "b16decode" => b16decode, "b32encode" => b32encode,
    "b32decode" => b32decode, "encodebytes" => encodebytes, "decodebytes" => decodebytes,
}

/// The module.
pub fn module(st: &mut State) -> Module {
    let err = crate::lang::objects::error_class_in(
        st,
        "binascii.Error",
        crate::lang::exceptions::ExcKind::ValueError,
    );
    let _ = err;
    Module::new("base64", FUNCS, Vec::new())
}

/// The standard alphabet.
pub const STD: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Base64-encodes with an alphabet.
pub fn encode(data: &[u8], alpha: &[u8; 64]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len().div_ceil(3) * 4);
    for c in data.chunks(3) {
        let b = [c[0], *c.get(1).unwrap_or(&0), *c.get(2).unwrap_or(&0)];
        let n = ((b[0] as u32) << 16) | ((b[1] as u32) << 8) | b[2] as u32;
        out.push(alpha[(n >> 18) as usize & 63]);
        out.push(alpha[(n >> 12) as usize & 63]);
        out.push(if c.len() > 1 {
            alpha[(n >> 6) as usize & 63]
        } else {
            b'='
        });
        out.push(if c.len() > 2 {
            alpha[n as usize & 63]
        } else {
            b'='
        });
    }
    out
}

/// Base64-decodes; non-alphabet characters are skipped unless `strict`.
pub fn decode(vm: &mut Vm<'_>, data: &[u8], alpha: &[u8; 64], strict: bool) -> PResult<Vec<u8>> {
    let mut vals = Vec::with_capacity(data.len());
    let mut pads = 0usize;
    for &c in data {
        if c == b'=' {
            if vals.len() % 4 >= 2 {
                pads += 1;
                if (vals.len() + pads).is_multiple_of(4) {
                    // A complete quad ends the data, as binascii does.
                    break;
                }
            } else if strict {
                return Err(error(vm, "Excess padding not allowed"));
            }
            continue;
        }
        match alpha.iter().position(|&a| a == c) {
            Some(v) => {
                if pads > 0 {
                    if strict {
                        return Err(error(vm, "Discontinuous padding not allowed"));
                    }
                    pads = 0;
                }
                vals.push(v as u8)
            }
            None if strict => return Err(error(vm, "Only base64 data is allowed")),
            None => {}
        }
    }
    let n = vals.len();
    if n % 4 == 1 {
        return Err(error(
            vm,
            &format!(
                "Invalid base64-encoded string: number of data characters ({n}) cannot be 1 more than a multiple of 4"
            ),
        ));
    }
    if n % 4 != 0 && pads < 4 - n % 4 {
        return Err(error(vm, "Incorrect padding"));
    }
    let mut out = Vec::with_capacity(n / 4 * 3 + 2);
    for q in vals.chunks(4) {
        let mut acc: u32 = 0;
        for (i, &v) in q.iter().enumerate() {
            acc |= (v as u32) << (18 - 6 * i);
        }
        let bytes = [(acc >> 16) as u8, (acc >> 8) as u8, acc as u8];
        out.extend_from_slice(&bytes[..q.len() - 1]);
    }
    Ok(out)
}

fn alphabet(altchars: Option<&Value>) -> PResult<[u8; 64]> {
    let mut a = *STD;
    if let Some(v) = altchars.filter(|v| !matches!(v, Value::None)) {
        let alt = ascii_data(v)?;
        if alt.len() != 2 {
            return Err(Exc::new(
                crate::lang::exceptions::ExcKind::AssertionError,
                crate::lang::format::repr(v)?.to_string(),
            ));
        }
        a[62] = alt[0];
        a[63] = alt[1];
    }
    Ok(a)
}

fn b64encode(vm: &mut Vm<'_>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    let a = crate::lang::objects::parse_args(vm, "b64encode", args, kw, &["s", "altchars"], 1)?;
    let data = bytes_arg(a[0].as_ref().unwrap_or(&Value::None))?;
    let alpha = alphabet(a[1].as_ref())?;
    Ok(Value::bytes(encode(&data, &alpha)))
}

fn b64decode(vm: &mut Vm<'_>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    let a = crate::lang::objects::parse_args(
        vm,
        "b64decode",
        args,
        kw,
        &["s", "altchars", "validate"],
        1,
    )?;
    let data = ascii_data(a[0].as_ref().unwrap_or(&Value::None))?;
    let alpha = alphabet(a[1].as_ref())?;
    let strict = a[2].as_ref().is_some_and(|v| v.truthy());
    decode(vm, &data, &alpha, strict).map(Value::bytes)
}

fn standard_b64encode(vm: &mut Vm<'_>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    let a = crate::lang::objects::parse_args(vm, "standard_b64encode", args, kw, &["s"], 1)?;
    Ok(Value::bytes(encode(
        &bytes_arg(a[0].as_ref().unwrap_or(&Value::None))?,
        STD,
    )))
}

fn standard_b64decode(vm: &mut Vm<'_>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    let a = crate::lang::objects::parse_args(vm, "standard_b64decode", args, kw, &["s"], 1)?;
    let data = ascii_data(a[0].as_ref().unwrap_or(&Value::None))?;
    decode(vm, &data, STD, false).map(Value::bytes)
}

const URLSAFE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

fn urlsafe_b64encode(vm: &mut Vm<'_>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    let a = crate::lang::objects::parse_args(vm, "urlsafe_b64encode", args, kw, &["s"], 1)?;
    Ok(Value::bytes(encode(
        &bytes_arg(a[0].as_ref().unwrap_or(&Value::None))?,
        URLSAFE,
    )))
}

fn urlsafe_b64decode(vm: &mut Vm<'_>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    let a = crate::lang::objects::parse_args(vm, "urlsafe_b64decode", args, kw, &["s"], 1)?;
    let data = ascii_data(a[0].as_ref().unwrap_or(&Value::None))?;
    decode(vm, &data, URLSAFE, false).map(Value::bytes)
}

fn encodebytes(vm: &mut Vm<'_>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    let a = crate::lang::objects::parse_args(vm, "encodebytes", args, kw, &["s"], 1)?;
    let enc = encode(&bytes_arg(a[0].as_ref().unwrap_or(&Value::None))?, STD);
    let mut out = Vec::new();
    for line in enc.chunks(76) {
        out.extend_from_slice(line);
        out.push(b'\n');
    }
    Ok(Value::bytes(out))
}

fn decodebytes(vm: &mut Vm<'_>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    let a = crate::lang::objects::parse_args(vm, "decodebytes", args, kw, &["s"], 1)?;
    let data = bytes_arg(a[0].as_ref().unwrap_or(&Value::None))?;
    decode(vm, &data, STD, false).map(Value::bytes)
}

fn b16encode(vm: &mut Vm<'_>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    let a = crate::lang::objects::parse_args(vm, "b16encode", args, kw, &["s"], 1)?;
    let data = bytes_arg(a[0].as_ref().unwrap_or(&Value::None))?;
    Ok(Value::bytes(
        data.iter()
            .map(|b| format!("{b:02X}"))
            .collect::<String>()
            .into_bytes(),
    ))
}

fn b16decode(vm: &mut Vm<'_>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    let a = crate::lang::objects::parse_args(vm, "b16decode", args, kw, &["s", "casefold"], 1)?;
    let mut data = ascii_data(a[0].as_ref().unwrap_or(&Value::None))?;
    if a[1].as_ref().is_some_and(|v| v.truthy()) {
        data = data.to_ascii_uppercase();
    }
    if data
        .iter()
        .any(|c| !(c.is_ascii_digit() || (b'A'..=b'F').contains(c)))
    {
        return Err(error(vm, "Non-base16 digit found"));
    }
    super::binascii::unhex(vm, &data, "Odd-length string", "Non-base16 digit found")
        .map(Value::bytes)
}

const B32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

fn b32encode(vm: &mut Vm<'_>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    let a = crate::lang::objects::parse_args(vm, "b32encode", args, kw, &["s"], 1)?;
    let data = bytes_arg(a[0].as_ref().unwrap_or(&Value::None))?;
    let mut out = Vec::new();
    for chunk in data.chunks(5) {
        let mut buf = [0u8; 5];
        buf[..chunk.len()].copy_from_slice(chunk);
        let n = buf.iter().fold(0u64, |acc, &b| (acc << 8) | b as u64);
        let chars = match chunk.len() {
            1 => 2,
            2 => 4,
            3 => 5,
            4 => 7,
            _ => 8,
        };
        for i in 0..8 {
            out.push(if i < chars {
                B32[((n >> (35 - 5 * i)) & 31) as usize]
            } else {
                b'='
            });
        }
    }
    Ok(Value::bytes(out))
}

fn b32decode(vm: &mut Vm<'_>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    let a = crate::lang::objects::parse_args(
        vm,
        "b32decode",
        args,
        kw,
        &["s", "casefold", "map01"],
        1,
    )?;
    let mut data = ascii_data(a[0].as_ref().unwrap_or(&Value::None))?;
    if a[1].as_ref().is_some_and(|v| v.truthy()) {
        data = data.to_ascii_uppercase();
    }
    if data.len() % 8 != 0 {
        return Err(error(vm, "Incorrect padding"));
    }
    let stripped: Vec<u8> = data.iter().copied().take_while(|&c| c != b'=').collect();
    let pad = data.len() - stripped.len();
    if !matches!(pad, 0 | 1 | 3 | 4 | 6) || data[stripped.len()..].iter().any(|&c| c != b'=') {
        return Err(error(vm, "Incorrect padding"));
    }
    let mut out = Vec::new();
    for chunk in stripped.chunks(8) {
        let mut n: u64 = 0;
        for i in 0..8 {
            let v = match chunk.get(i) {
                Some(c) => match B32.iter().position(|b| b == c) {
                    Some(v) => v as u64,
                    None => return Err(error(vm, "Non-base32 digit found")),
                },
                None => 0,
            };
            n = (n << 5) | v;
        }
        let bytes = n.to_be_bytes();
        let keep = match chunk.len() {
            2 => 1,
            4 => 2,
            5 => 3,
            7 => 4,
            _ => 5,
        };
        out.extend_from_slice(&bytes[3..3 + keep]);
    }
    Ok(Value::bytes(out))
}
