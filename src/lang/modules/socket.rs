//! `socket`: address conversions, byte-order helpers, name resolution and the constants
//! scripts name. (Socket objects belong to the network layer.)

use std::ffi::CString;
use std::net::{Ipv4Addr, Ipv6Addr, ToSocketAddrs};

use crate::funcs;
use crate::lang::exceptions::{Exc, ExcKind, PResult};
use crate::lang::interp::{State, Vm};
use crate::lang::objects::module::Module;
use crate::lang::objects::{bytes_like, error_class_in, Kw};
use crate::lang::value::{ExcObject, Value};

funcs! {
    "inet_aton" => inet_aton, "inet_ntoa" => inet_ntoa, "inet_pton" => inet_pton,
    "inet_ntop" => inet_ntop, "gethostbyname" => gethostbyname, "gethostname" => gethostname,
    "htons" => htons, "ntohs" => htons, "htonl" => htonl, "ntohl" => htonl,
}

/// The module.
pub fn module(st: &mut State) -> Module {
    let gai = error_class_in(st, "socket.gaierror", ExcKind::OSError);
    let herror = error_class_in(st, "socket.herror", ExcKind::OSError);
    let timeout = st.types.exception(ExcKind::TimeoutError);
    let int = |n: i64| Value::Int(n);
    Module::new(
        "socket",
        FUNCS,
        vec![
            ("AF_INET", int(libc::AF_INET as i64)),
            ("AF_INET6", int(libc::AF_INET6 as i64)),
            ("AF_UNIX", int(libc::AF_UNIX as i64)),
            ("AF_PACKET", int(libc::AF_PACKET as i64)),
            ("AF_UNSPEC", int(libc::AF_UNSPEC as i64)),
            ("SOCK_STREAM", int(libc::SOCK_STREAM as i64)),
            ("SOCK_DGRAM", int(libc::SOCK_DGRAM as i64)),
            ("SOCK_RAW", int(libc::SOCK_RAW as i64)),
            ("IPPROTO_IP", int(libc::IPPROTO_IP as i64)),
            ("IPPROTO_ICMP", int(libc::IPPROTO_ICMP as i64)),
            ("IPPROTO_TCP", int(libc::IPPROTO_TCP as i64)),
            ("IPPROTO_UDP", int(libc::IPPROTO_UDP as i64)),
            ("IPPROTO_IPV6", int(libc::IPPROTO_IPV6 as i64)),
            ("IPPROTO_ICMPV6", int(libc::IPPROTO_ICMPV6 as i64)),
            ("IPPROTO_RAW", int(libc::IPPROTO_RAW as i64)),
            ("SOL_SOCKET", int(libc::SOL_SOCKET as i64)),
            ("SO_REUSEADDR", int(libc::SO_REUSEADDR as i64)),
            ("SO_BROADCAST", int(libc::SO_BROADCAST as i64)),
            ("gaierror", Value::Class(gai)),
            ("herror", Value::Class(herror)),
            ("timeout", Value::Class(timeout.clone())),
            ("error", Value::Class(st.types.exception(ExcKind::OSError))),
        ],
    )
}

fn one(name: &str, args: &[Value]) -> PResult<()> {
    if args.len() != 1 {
        return Err(Exc::type_error(format!(
            "{name}() takes exactly one argument ({} given)",
            args.len()
        )));
    }
    Ok(())
}

fn str_of<'a>(v: &'a Value, name: &str) -> PResult<&'a str> {
    crate::lang::objects::str_arg(v, &format!("{name}() argument 1"))
}

extern "C" {
    #[link_name = "inet_aton"]
    fn inet_aton_c(cp: *const libc::c_char, inp: *mut libc::in_addr) -> libc::c_int;
}

fn inet_aton(_vm: &mut Vm<'_>, args: Vec<Value>, _kw: Kw) -> PResult<Value> {
    one("inet_aton", &args)?;
    let s = str_of(&args[0], "inet_aton")?;
    let bad = || {
        Exc::new(
            ExcKind::OSError,
            "illegal IP address string passed to inet_aton",
        )
    };
    let c = CString::new(s).map_err(|_| bad())?;
    let mut addr = libc::in_addr { s_addr: 0 };
    // SAFETY: inet_aton reads a NUL-terminated string and writes into the in_addr we own.
    let ok = unsafe { inet_aton_c(c.as_ptr(), &mut addr) };
    if ok == 0 {
        return Err(bad());
    }
    Ok(Value::bytes(addr.s_addr.to_ne_bytes().to_vec()))
}

fn packed(v: &Value) -> PResult<Vec<u8>> {
    bytes_like(v).ok_or_else(|| {
        Exc::type_error(format!(
            "a bytes-like object is required, not '{}'",
            v.type_name()
        ))
    })
}

fn inet_ntoa(_vm: &mut Vm<'_>, args: Vec<Value>, _kw: Kw) -> PResult<Value> {
    one("inet_ntoa", &args)?;
    let b = packed(&args[0])?;
    if b.len() != 4 {
        return Err(Exc::new(
            ExcKind::OSError,
            "packed IP wrong length for inet_ntoa",
        ));
    }
    Ok(Value::str(
        Ipv4Addr::new(b[0], b[1], b[2], b[3]).to_string(),
    ))
}

fn family(v: &Value) -> PResult<i32> {
    let f = crate::lang::objects::int_arg(v)?;
    if f != libc::AF_INET as i64 && f != libc::AF_INET6 as i64 {
        return Err(Exc::with_args(
            ExcKind::OSError,
            vec![
                Value::Int(libc::EAFNOSUPPORT as i64),
                Value::str("Address family not supported by protocol"),
            ],
        ));
    }
    Ok(f as i32)
}

fn inet_pton(_vm: &mut Vm<'_>, args: Vec<Value>, _kw: Kw) -> PResult<Value> {
    if args.len() != 2 {
        return Err(Exc::type_error(format!(
            "inet_pton expected 2 arguments, got {}",
            args.len()
        )));
    }
    let fam = family(&args[0])?;
    let s = str_of(&args[1], "inet_pton")?;
    let bad = || {
        Exc::new(
            ExcKind::OSError,
            "illegal IP address string passed to inet_pton",
        )
    };
    if fam == libc::AF_INET {
        let a: Ipv4Addr = s.parse().map_err(|_| bad())?;
        Ok(Value::bytes(a.octets().to_vec()))
    } else {
        let a: Ipv6Addr = s.parse().map_err(|_| bad())?;
        Ok(Value::bytes(a.octets().to_vec()))
    }
}

fn inet_ntop(_vm: &mut Vm<'_>, args: Vec<Value>, _kw: Kw) -> PResult<Value> {
    if args.len() != 2 {
        return Err(Exc::type_error(format!(
            "inet_ntop expected 2 arguments, got {}",
            args.len()
        )));
    }
    let fam = family(&args[0])?;
    let b = packed(&args[1])?;
    let bad = || Exc::value_error("invalid length of packed IP address string");
    if fam == libc::AF_INET {
        let a: [u8; 4] = b.as_slice().try_into().map_err(|_| bad())?;
        Ok(Value::str(Ipv4Addr::from(a).to_string()))
    } else {
        let a: [u8; 16] = b.as_slice().try_into().map_err(|_| bad())?;
        Ok(Value::str(Ipv6Addr::from(a).to_string()))
    }
}

fn gethostbyname(vm: &mut Vm<'_>, args: Vec<Value>, _kw: Kw) -> PResult<Value> {
    one("gethostbyname", &args)?;
    let name = str_of(&args[0], "gethostbyname")?.to_string();
    if let Ok(a) = name.parse::<Ipv4Addr>() {
        return Ok(Value::str(a.to_string()));
    }
    let found = (name.as_str(), 0u16)
        .to_socket_addrs()
        .ok()
        .and_then(|mut it| it.find(|a| a.is_ipv4()));
    match found {
        Some(a) => Ok(Value::str(a.ip().to_string())),
        None => {
            let class = error_class_in(vm.st, "socket.gaierror", ExcKind::OSError);
            Err(Exc::object(std::rc::Rc::new(ExcObject::new(
                class,
                vec![Value::Int(-2), Value::str("Name or service not known")],
            ))))
        }
    }
}

fn gethostname(_vm: &mut Vm<'_>, _args: Vec<Value>, _kw: Kw) -> PResult<Value> {
    let mut buf = vec![0u8; 256];
    // SAFETY: gethostname writes at most buf.len() bytes into buf.
    let r = unsafe { libc::gethostname(buf.as_mut_ptr() as *mut libc::c_char, buf.len()) };
    if r != 0 {
        return Ok(Value::str("localhost"));
    }
    let n = buf.iter().position(|&c| c == 0).unwrap_or(buf.len());
    Ok(Value::str(String::from_utf8_lossy(&buf[..n]).to_string()))
}

fn swap_arg(name: &str, args: &[Value], bits: u32) -> PResult<u64> {
    one(name, args)?;
    let n = crate::lang::ops::as_bigint(&args[0]).ok_or_else(|| {
        Exc::type_error(format!(
            "'{}' object cannot be interpreted as an integer",
            args[0].type_name()
        ))
    })?;
    if n < num_bigint::BigInt::from(0) {
        return Err(Exc::new(
            ExcKind::OverflowError,
            format!("{name}: can't convert negative Python int to C {bits}-bit unsigned integer"),
        ));
    }
    match num_traits::ToPrimitive::to_u64(&n).filter(|v| *v < (1u64 << bits)) {
        Some(v) => Ok(v),
        None => Err(Exc::new(
            ExcKind::OverflowError,
            format!("{name}: Python int too large to convert to C {bits}-bit unsigned integer"),
        )),
    }
}

fn htons(_vm: &mut Vm<'_>, args: Vec<Value>, _kw: Kw) -> PResult<Value> {
    let v = swap_arg("htons", &args, 16)? as u16;
    Ok(Value::Int(v.swap_bytes() as i64))
}

fn htonl(_vm: &mut Vm<'_>, args: Vec<Value>, _kw: Kw) -> PResult<Value> {
    let v = swap_arg("htonl", &args, 32)? as u32;
    Ok(Value::Int(v.swap_bytes() as i64))
}
