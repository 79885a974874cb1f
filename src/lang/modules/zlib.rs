//! `zlib`: checksums and DEFLATE compression (zlib, raw and gzip framing by `wbits`).

use std::io::{Read, Write};

use flate2::Compression;

use crate::funcs;
use crate::lang::exceptions::{Exc, ExcKind, PResult};
use crate::lang::interp::{State, Vm};
use crate::lang::objects::module::Module;
use crate::lang::objects::{bytes_arg, error_class_in, raise_error, Kw};
use crate::lang::value::Value;

funcs! {
    "crc32" => crc32, "adler32" => adler32, "compress" => compress, "decompress" => decompress,
}

/// The module.
pub fn module(st: &mut State) -> Module {
    let err = error_class_in(st, "zlib.error", ExcKind::Exception);
    Module::new(
        "zlib",
        FUNCS,
        vec![
            ("error", Value::Class(err)),
            ("MAX_WBITS", Value::Int(15)),
            ("DEFLATED", Value::Int(8)),
            ("Z_BEST_COMPRESSION", Value::Int(9)),
            ("Z_BEST_SPEED", Value::Int(1)),
            ("Z_DEFAULT_COMPRESSION", Value::Int(-1)),
            ("ZLIB_VERSION", Value::str("1.2.13")),
        ],
    )
}

fn crc32(_vm: &mut Vm<'_>, args: Vec<Value>, _kw: Kw) -> PResult<Value> {
    super::binascii::crc32_of("crc32", &args)
}

fn adler32(_vm: &mut Vm<'_>, args: Vec<Value>, _kw: Kw) -> PResult<Value> {
    if args.is_empty() || args.len() > 2 {
        return Err(Exc::type_error(format!(
            "adler32 expected at {} {} argument{}, got {}",
            if args.is_empty() { "least" } else { "most" },
            if args.is_empty() { 1 } else { 2 },
            if args.is_empty() { "" } else { "s" },
            args.len()
        )));
    }
    let data = bytes_arg(&args[0])?;
    let init = match args.get(1) {
        Some(v) => crate::lang::objects::int_arg(v)? as u32,
        None => 1,
    };
    let (mut a, mut b) = (init & 0xffff, init >> 16);
    for &c in &data {
        a = (a + c as u32) % 65521;
        b = (b + a) % 65521;
    }
    Ok(Value::Int(((b << 16) | a) as i64))
}

fn level_of(v: Option<&Value>) -> PResult<Compression> {
    let l = match v {
        Some(v) => crate::lang::objects::int_arg(v)?,
        None => -1,
    };
    Ok(match l {
        -1 => Compression::default(),
        0..=9 => Compression::new(l as u32),
        _ => return Err(Exc::value_error("Bad compression level")),
    })
}

fn compress(vm: &mut Vm<'_>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    let a =
        crate::lang::objects::parse_args(vm, "compress", args, kw, &["data", "level", "wbits"], 1)?;
    let data = bytes_arg(a[0].as_ref().unwrap_or(&Value::None))?;
    let level = level_of(a[1].as_ref())?;
    let wbits = match &a[2] {
        Some(v) => crate::lang::objects::int_arg(v)?,
        None => 15,
    };
    let io = |r: std::io::Result<Vec<u8>>| r.map_err(|e| Exc::new(ExcKind::OSError, e.to_string()));
    let out = match wbits {
        9..=15 => {
            let mut e = flate2::write::ZlibEncoder::new(Vec::new(), level);
            io(e.write_all(&data).and_then(|_| e.finish()))?
        }
        -15..=-9 => {
            let mut e = flate2::write::DeflateEncoder::new(Vec::new(), level);
            io(e.write_all(&data).and_then(|_| e.finish()))?
        }
        25..=31 => {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), level);
            io(e.write_all(&data).and_then(|_| e.finish()))?
        }
        _ => return Err(Exc::value_error("Invalid initialization option")),
    };
    Ok(Value::bytes(out))
}

fn decompress(vm: &mut Vm<'_>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    let a = crate::lang::objects::parse_args(
        vm,
        "decompress",
        args,
        kw,
        &["data", "wbits", "bufsize"],
        1,
    )?;
    let data = bytes_arg(a[0].as_ref().unwrap_or(&Value::None))?;
    let wbits = match &a[1] {
        Some(v) => crate::lang::objects::int_arg(v)?,
        None => 15,
    };
    let mut out = Vec::new();
    let gz = data.starts_with(&[0x1f, 0x8b]);
    let r = match wbits {
        8..=15 | 0 => flate2::read::ZlibDecoder::new(&data[..]).read_to_end(&mut out),
        -15..=-8 => flate2::read::DeflateDecoder::new(&data[..]).read_to_end(&mut out),
        24..=31 => flate2::read::GzDecoder::new(&data[..]).read_to_end(&mut out),
        40..=47 if gz => flate2::read::GzDecoder::new(&data[..]).read_to_end(&mut out),
        40..=47 => flate2::read::ZlibDecoder::new(&data[..]).read_to_end(&mut out),
        _ => return Err(Exc::value_error("Invalid initialization option")),
    };
    if r.is_err() {
        let zlib_framed = (8..=15).contains(&wbits) || (wbits >= 40 && !gz);
        let msg = if zlib_framed
            && (data.len() < 2 || !(((data[0] as u16) << 8) | data[1] as u16).is_multiple_of(31))
        {
            "Error -3 while decompressing data: incorrect header check"
        } else if r
            .as_ref()
            .err()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::UnexpectedEof)
        {
            "Error -5 while decompressing data: incomplete or truncated stream"
        } else {
            "Error -3 while decompressing data: invalid stored block lengths"
        };
        return Err(raise_error(vm, "zlib.error", ExcKind::Exception, msg));
    }
    Ok(Value::bytes(out))
}
