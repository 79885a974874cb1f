//! The documented packet functions (`raw`, `hexdump`, `ls`, `bind_layers`, `fuzz`, `Net`,
//! `RandShort`, ...): native callables that hold the session's registry.

use std::io::Read;
use std::rc::Rc;

use crate::packet::{self, checksum, export, inspect, sets, volatile, LayerDef, Packet, Registry};

use super::super::ast::Sym;
use super::super::callback::lend;
use super::super::exceptions::{Exc, ExcKind, PResult};
use super::super::interp::{State, Vm};
use super::super::objects::{bytes_like, downcast, native};
use super::super::value::Value;
use super::libfn::LibFn;
use super::objects::{kw_names, Conf, LayerClass, NetObj, PacketObj};
use super::{build, drain, field_err, to_engine, to_lang};

/// The functions, by the names the namespace gives them.
const FUNCS: &[&str] = &[
    "raw",
    "hexdump",
    "hexraw",
    "ls",
    "bind_layers",
    "bind_bottom_up",
    "bind_top_down",
    "split_layers",
    "split_bottom_up",
    "split_top_down",
    "fuzz",
    "checksum",
    "in4_chksum",
    "in6_chksum",
    "fragment",
    "defragment",
    "fragment6",
    "defragment6",
    "export_object",
    "import_object",
    "import_hexcap",
    "Net",
    "Net6",
    "lsc",
    "warning",
];

/// What `lsc()` lists: the engine's functions, with Scapy's one-line descriptions where
/// Scapy lists the function too.
const COMMANDS: &[(&str, &str)] = &[
    ("bind_bottom_up", "Bind 2 layers for dissection."),
    (
        "bind_layers",
        "Bind 2 layers on some specific fields' values.",
    ),
    ("bind_top_down", "Bind 2 layers for building."),
    (
        "checksum",
        "The Internet checksum (RFC 1071) of a string of bytes",
    ),
    (
        "export_object",
        "Export an object as base64 text of its compressed serialization",
    ),
    (
        "fuzz",
        "Transform a layer into a fuzzy layer by replacing some default values",
    ),
    ("hexdump", "Build a tcpdump like hexadecimal view"),
    (
        "hexraw",
        "Show packets as hexadecimal raw bytes, with their summaries",
    ),
    ("import_hexcap", "Imports a tcpdump like hexadecimal view"),
    (
        "import_object",
        "Import an object exported by export_object()",
    ),
    (
        "in4_chksum",
        "IPv4 Pseudo Header checksum as defined in RFC793",
    ),
    (
        "ls",
        "List  available layers, or infos on a given layer class or name.",
    ),
    (
        "raw",
        "Builds a packet and returns its bytes representation.",
    ),
    (
        "split_bottom_up",
        "This call un-links an association that was made using bind_bottom_up.",
    ),
    ("split_layers", "Split 2 layers previously bound."),
    (
        "split_top_down",
        "This call un-links an association that was made using bind_top_down.",
    ),
];

/// The random value classes `volatile::rand_by_name` knows, with their keyword names in
/// positional order.
const RANDS: &[(&str, &[&str])] = &[
    ("RandByte", &[]),
    ("RandSByte", &[]),
    ("RandShort", &[]),
    ("RandSShort", &[]),
    ("RandInt", &[]),
    ("RandSInt", &[]),
    ("RandLong", &[]),
    ("RandSLong", &[]),
    ("RandNum", &["min", "max"]),
    ("RandEnum", &["min", "max"]),
    ("RandIP", &["iptemplate"]),
    ("RandIP6", &[]),
    ("RandMAC", &["template"]),
    ("RandString", &["size"]),
    ("RandBin", &["size"]),
    ("RandChoice", &[]),
    ("RandTermString", &["size", "term"]),
];

/// The names of the functions, random value classes and `conf`.
pub fn names() -> Vec<&'static str> {
    let mut out: Vec<&'static str> = FUNCS
        .iter()
        .chain(RANDS.iter().map(|(n, _)| n))
        .copied()
        .collect();
    out.push("conf");
    out
}

/// Installs the functions, the random value classes and `conf`.
pub fn install(st: &mut State, reg: &Rc<Registry>) {
    for &name in FUNCS.iter().chain(RANDS.iter().map(|(n, _)| n)) {
        let reg = reg.clone();
        // The random value classes and Net, Net6 are classes in Scapy.
        let class = if name.starts_with("Rand") {
            Some(format!("<class 'scapy.volatile.{name}'>"))
        } else {
            match name {
                "Net" => Some("<class 'scapy.utils.Net'>".to_string()),
                "Net6" => Some("<class 'scapy.utils6.Net6'>".to_string()),
                _ => None,
            }
        };
        let f = match class {
            Some(repr) => LibFn::class(name, repr, reg, call),
            None => LibFn::function(name, reg, call),
        };
        st.set_builtin(name, f);
    }
    st.set_builtin("conf", Conf::value());
}

/// A packet function or random value class, bound to its session's registry.
fn call(
    reg: &Rc<Registry>,
    vm: &mut Vm<'_>,
    name: &'static str,
    args: Vec<Value>,
    kw: Vec<(Sym, Value)>,
) -> PResult<Value> {
    let kw = kw_names(vm, kw);
    let r = run(reg, name, vm, args, kw);
    drain(vm);
    r
}

fn arg<'a>(
    args: &'a [Value],
    kw: &'a [(String, Value)],
    i: usize,
    name: &str,
) -> Option<&'a Value> {
    args.get(i)
        .or_else(|| kw.iter().find(|(k, _)| k == name).map(|(_, v)| v))
}

fn need<'a>(
    f: &str,
    args: &'a [Value],
    kw: &'a [(String, Value)],
    i: usize,
    name: &str,
) -> PResult<&'a Value> {
    arg(args, kw, i, name).ok_or_else(|| {
        Exc::type_error(format!(
            "{f}() missing 1 required positional argument: '{name}'"
        ))
    })
}

fn packet_of(v: &Value) -> Option<Packet> {
    downcast::<PacketObj>(v).map(|p| p.p.clone())
}

fn class_of(f: &str, v: &Value) -> PResult<Rc<LayerDef>> {
    match downcast::<LayerClass>(v) {
        Some(c) => Ok(c.def.clone()),
        None => Err(Exc::type_error(format!(
            "{f}() needs layer classes, not '{}'",
            v.type_name()
        ))),
    }
}

/// The bytes of a packet, bytes or str argument (`raw(x)`, `hexdump(x)`).
fn bytes_of(vm: &mut Vm<'_>, v: &Value) -> PResult<Vec<u8>> {
    if let Some(p) = packet_of(v) {
        return build(vm, &p);
    }
    match v {
        Value::Str(s) => Ok(s.s.as_bytes().to_vec()),
        other => bytes_like(other).ok_or_else(|| {
            Exc::type_error(format!(
                "cannot convert '{}' object to bytes",
                other.type_name()
            ))
        }),
    }
}

fn text_or_stdin(v: Option<&Value>) -> PResult<String> {
    match v {
        None | Some(Value::None) => {
            let mut s = String::new();
            std::io::stdin()
                .read_to_string(&mut s)
                .map_err(|e| Exc::new(ExcKind::OSError, e.to_string()))?;
            Ok(s)
        }
        Some(Value::Str(s)) => Ok(s.s.clone()),
        Some(other) => match bytes_like(other) {
            Some(b) => Ok(String::from_utf8_lossy(&b).into_owned()),
            None => Err(Exc::type_error(format!(
                "expected str or bytes, not '{}'",
                other.type_name()
            ))),
        },
    }
}

fn run(
    reg: &Rc<Registry>,
    f: &'static str,
    vm: &mut Vm<'_>,
    args: Vec<Value>,
    kw: Vec<(String, Value)>,
) -> PResult<Value> {
    if let Some((_, names)) = RANDS.iter().find(|(n, _)| *n == f) {
        let mut vals = Vec::new();
        for a in &args {
            vals.push(to_engine(a)?);
        }
        for n in names.iter().skip(args.len()) {
            match kw.iter().find(|(k, _)| k == n) {
                Some((_, v)) => vals.push(to_engine(v)?),
                None => break,
            }
        }
        let v = volatile::rand_by_name(f, &vals).map_err(Exc::type_error)?;
        return Ok(to_lang(&v, reg));
    }
    Ok(match f {
        "raw" => Value::bytes(bytes_of(vm, need(f, &args, &kw, 0, "x")?)?),
        "hexdump" => {
            let b = bytes_of(vm, need(f, &args, &kw, 0, "p")?)?;
            let text = packet::hexdump(&b);
            let dump = arg(&args, &kw, 1, "dump").is_some_and(Value::truthy);
            if dump {
                Value::str(text)
            } else {
                vm.write(&text);
                vm.write("\n");
                Value::None
            }
        }
        "hexraw" => {
            let x = need(f, &args, &kw, 0, "x")?;
            let pkts = match packet_of(x) {
                Some(p) => vec![p],
                None => vm
                    .iterate(x)?
                    .iter()
                    .map(|v| packet_of(v).ok_or_else(|| Exc::type_error("hexraw() takes packets")))
                    .collect::<PResult<Vec<_>>>()?,
            };
            vm.write(&export::hexraw(&pkts));
            Value::None
        }
        "ls" => {
            let text = match arg(&args, &kw, 0, "obj") {
                None | Some(Value::None) => inspect::ls_layers(reg, None),
                Some(Value::Str(s)) => inspect::ls_layers(reg, Some(&s.s)),
                Some(v) => {
                    if let Some(c) = downcast::<LayerClass>(v) {
                        lend(vm, || inspect::ls_class(&c.def))?
                    } else if let Some(p) = packet_of(v) {
                        lend(vm, || inspect::ls_packet(&p))?
                    } else {
                        return Err(Exc::type_error(format!(
                            "ls() takes a layer class or a packet, not '{}'",
                            v.type_name()
                        )));
                    }
                }
            };
            vm.write(&text);
            if !text.is_empty() && !text.ends_with('\n') {
                vm.write("\n");
            }
            Value::None
        }
        "bind_layers" | "bind_bottom_up" | "bind_top_down" | "split_layers" | "split_bottom_up"
        | "split_top_down" => {
            let lower = class_of(f, need(f, &args, &kw, 0, "lower")?)?;
            let upper = class_of(f, need(f, &args, &kw, 1, "upper")?)?;
            let mut fields: Vec<(String, packet::Value)> = Vec::new();
            // An optional dict of field values, then keyword values (`__fval`, `**fval`).
            if let Some(Value::Dict(d)) = args.get(2) {
                for (k, v) in d.borrow().iter() {
                    let Value::Str(k) = k else {
                        return Err(Exc::type_error("field names must be str"));
                    };
                    fields.push((k.s.clone(), to_engine(v)?));
                }
            }
            for (k, v) in &kw {
                fields.push((k.clone(), to_engine(v)?));
            }
            let fields: Vec<(&str, packet::Value)> = fields
                .iter()
                .map(|(k, v)| (k.as_str(), v.clone()))
                .collect();
            let op = match f {
                "bind_layers" => packet::bind_layers,
                "bind_bottom_up" => packet::bind_bottom_up,
                "bind_top_down" => packet::bind_top_down,
                "split_layers" => packet::split_layers,
                "split_bottom_up" => packet::split_bottom_up,
                _ => packet::split_top_down,
            };
            lend(vm, || op(&lower, &upper, &fields))?.map_err(field_err)?;
            Value::None
        }
        "fuzz" => {
            let p = need(f, &args, &kw, 0, "p")?;
            let p = packet_of(p).ok_or_else(|| Exc::type_error("fuzz() takes a packet"))?;
            PacketObj::value(&lend(vm, || packet::fuzz(&p))?, reg)
        }
        "lsc" => {
            let mut text = String::new();
            for (name, doc) in COMMANDS {
                text.push_str(&format!("{name:<22}: {doc}\n"));
            }
            vm.write(&text);
            Value::None
        }
        "warning" => {
            // Scapy's warning(msg, *args): the logging module's `msg % args`.
            let msg = need(f, &args, &kw, 0, "x")?.clone();
            let text = if args.len() > 1 {
                let rest = Value::tuple(args[1..].to_vec());
                match vm.binary(super::super::ast::BinOp::Mod, &msg, &rest)? {
                    Value::Str(s) => s.s.clone(),
                    other => vm.str(&other)?,
                }
            } else {
                vm.str(&msg)?
            };
            vm.warning(&text);
            Value::None
        }
        "checksum" => {
            let b = bytes_of(vm, need(f, &args, &kw, 0, "pkt")?)?;
            Value::Int(i64::from(checksum::checksum(&b)))
        }
        "in4_chksum" => {
            let proto = match need(f, &args, &kw, 0, "proto")? {
                Value::Int(i) => {
                    u8::try_from(*i).map_err(|_| Exc::value_error("proto must be in 0..255"))?
                }
                other => {
                    return Err(Exc::type_error(format!(
                        "proto must be int, not {}",
                        other.type_name()
                    )))
                }
            };
            let u = need(f, &args, &kw, 1, "u")?;
            let u = packet_of(u).ok_or_else(|| Exc::type_error("u must be an IP layer"))?;
            let p = bytes_of(vm, need(f, &args, &kw, 2, "p")?)?;
            Value::Int(i64::from(checksum::in4_chksum_layer(proto, &u, &p)))
        }
        "in6_chksum" => {
            let nh = int_arg(f, need(f, &args, &kw, 0, "nh")?, "nh")?;
            let nh = u8::try_from(nh).map_err(|_| Exc::value_error("nh must be in 0..255"))?;
            let u = need(f, &args, &kw, 1, "u")?;
            let u = packet_of(u).ok_or_else(|| Exc::type_error("u must be a packet"))?;
            let p = bytes_of(vm, need(f, &args, &kw, 2, "p")?)?;
            match crate::layers::inet6::in6_chksum(nh, &u, &p) {
                Some(c) => Value::Int(i64::from(c)),
                None => {
                    vm.warning("No IPv6 underlayer to compute checksum. Leaving null.");
                    Value::Int(0)
                }
            }
        }
        "fragment" | "fragment6" => {
            let p = need(f, &args, &kw, 0, "pkt")?;
            let p = packet_of(p).ok_or_else(|| Exc::type_error(format!("{f}() takes a packet")))?;
            let (size_name, default) = if f == "fragment" {
                ("fragsize", 1480)
            } else {
                ("fragSize", -1)
            };
            let size = match arg(&args, &kw, 1, size_name) {
                Some(v) => int_arg(f, v, size_name)?,
                None if default > 0 => default,
                None => {
                    return Err(Exc::type_error(
                        "fragment6() missing 1 required positional argument: 'fragSize'",
                    ))
                }
            };
            let r = if f == "fragment" {
                packet::fragment(&p, size)
            } else {
                packet::fragment6(reg, &p, size)
            };
            drain(vm);
            let frags = r.map_err(frag_err)?;
            Value::list(frags.iter().map(|q| PacketObj::value(q, reg)).collect())
        }
        "defragment" => {
            let pkts = packets_of(vm, f, need(f, &args, &kw, 0, "plist")?)?;
            let r = packet::defragment(&pkts);
            drain(vm);
            let items = r.map_err(frag_err)?;
            // Reassembled packets, and `(packet, offset, length)` for fragments that
            // could not be: the reference's packet list named "Defragmented".
            super::lists::PacketListObj::value(
                "Defragmented",
                items
                    .iter()
                    .map(|d| match d {
                        packet::Defragmented::Packet(q) => PacketObj::value(q, reg),
                        packet::Defragmented::BadFragment {
                            packet: q,
                            offset,
                            len,
                        } => Value::tuple(vec![
                            PacketObj::value(q, reg),
                            Value::Int(i64::try_from(*offset).unwrap_or(i64::MAX)),
                            Value::Int(i64::try_from(*len).unwrap_or(i64::MAX)),
                        ]),
                    })
                    .collect(),
                false,
                reg,
            )
        }
        "defragment6" => {
            let pkts = packets_of(vm, f, need(f, &args, &kw, 0, "packets")?)?;
            let r = packet::defragment6(&pkts);
            drain(vm);
            match r.map_err(frag_err)? {
                Some(q) => PacketObj::value(&q, reg),
                None => Value::list(Vec::new()),
            }
        }
        "export_object" => {
            let v = to_engine(need(f, &args, &kw, 0, "obj")?)?;
            let text = export::export_object(&v);
            vm.write(&text);
            if !text.ends_with('\n') {
                vm.write("\n");
            }
            Value::None
        }
        "import_object" => {
            let text = text_or_stdin(arg(&args, &kw, 0, "obj"))?;
            let v = export::import_object(&text, reg).map_err(Exc::value_error)?;
            to_lang(&v, reg)
        }
        "import_hexcap" => {
            let text = text_or_stdin(arg(&args, &kw, 0, "input_string"))?;
            Value::bytes(export::import_hexcap(&text).map_err(Exc::value_error)?)
        }
        "Net" => {
            let s = match need(f, &args, &kw, 0, "net")? {
                Value::Str(s) => s.s.clone(),
                other => {
                    return Err(Exc::type_error(format!(
                        "Net() takes a str, not '{}'",
                        other.type_name()
                    )))
                }
            };
            let n = sets::Net::parse(&s).map_err(Exc::value_error)?;
            native(NetObj(Rc::new(n)))
        }
        "Net6" => {
            let s = match need(f, &args, &kw, 0, "net")? {
                Value::Str(s) => s.s.clone(),
                other => {
                    return Err(Exc::type_error(format!(
                        "Net6() takes a str, not '{}'",
                        other.type_name()
                    )))
                }
            };
            let scope = match arg(&args, &kw, 1, "scope") {
                Some(Value::Str(sc)) => Some(sc.s.clone()),
                _ => None,
            };
            let n = sets::Net6::parse(&s, scope.as_deref()).map_err(Exc::value_error)?;
            native(super::objects::Net6Obj(Rc::new(n)))
        }
        _ => return Err(Exc::type_error(format!("'{f}' is not callable"))),
    })
}

fn int_arg(f: &str, v: &Value, name: &str) -> PResult<i128> {
    match v {
        Value::Int(i) => Ok(i128::from(*i)),
        Value::Bool(b) => Ok(i128::from(*b)),
        other => Err(Exc::type_error(format!(
            "{f}(): {name} must be int, not '{}'",
            other.type_name()
        ))),
    }
}

/// The packets of a list (or any iterable) of packets.
fn packets_of(vm: &mut Vm<'_>, f: &str, v: &Value) -> PResult<Vec<Packet>> {
    if let Some(p) = packet_of(v) {
        return Ok(vec![p]);
    }
    vm.iterate(v)?
        .iter()
        .map(|x| packet_of(x).ok_or_else(|| Exc::type_error(format!("{f}() takes packets"))))
        .collect()
}

/// A fragmentation error as the exception the reference raises.
fn frag_err(e: packet::FragError) -> Exc {
    match e.py_type() {
        "IndexError" => Exc::new(ExcKind::IndexError, e.to_string()),
        "AttributeError" => Exc::new(ExcKind::AttributeError, e.to_string()),
        _ => Exc::value_error(e.to_string()),
    }
}
