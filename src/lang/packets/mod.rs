//! The packet engine in the language (engine.md, language.md "The namespace of a session"):
//! layer classes, packet values and the documented functions (`raw`, `ls`, `bind_layers`,
//! `fuzz`, `RandShort`, `conf`, ...), as native objects over `crate::packet`.
//!
//! - Each session owns its engine [`Registry`] (created in [`install`]): layer classes hold
//!   their definitions from it, so `bind_layers` in one campaign file never reaches the next.
//! - Values cross the boundary through [`to_engine`] and [`to_lang`]; field reads add the
//!   field's human form (`i2h`) and wrap flag values ([`objects::FlagValue`]).
//! - Engine errors become Python exceptions with Scapy's types and messages ([`field_err`]).
//! - Warnings the engine logs are written to the transcript by [`drain`] after each engine
//!   operation that has the interpreter at hand.
//! - Campaigns extend the engine ([`classdef`]): field classes are values ([`fieldobj`]),
//!   `class X(Packet)` registers a layer definition whose hooks call the class's methods
//!   ([`hooks`]), `class F(Field)` makes field objects whose conversions the engine calls.
//!   Every engine call that may run such code lends the interpreter
//!   ([`super::callback::lend`]) and raises what the code raised.

use std::rc::Rc;

use crate::packet::field::{BuildError, FieldError};
use crate::packet::{log, Packet, Registry, Value as EValue};

use super::ast::Expr;
use super::exceptions::{Exc, ExcKind, PResult};
use super::interp::{Frame, State, Vm};
use super::objects::{downcast, native};
use super::value::Value;

pub mod capture;
pub mod classdef;
pub mod fieldobj;
pub mod funcs;
pub mod hooks;
pub mod libfn;
pub mod lists;
pub mod net;
pub mod objects;
pub mod p0f;
pub mod probes;

use objects::{FlagValue, LayerClass, Net6Obj, NetObj, NoPayload, PacketObj, VolatileObj};

/// Installs every layer class, the packet functions and `conf` into a fresh session.
pub fn install(st: &mut State) {
    let reg = Rc::new(Registry::with_builtins());
    for def in reg.all() {
        // A class registered twice is bound to its latest definition.
        if reg
            .get(&def.class_name)
            .is_some_and(|d| Rc::ptr_eq(&d, &def))
        {
            st.set_builtin(&def.class_name, LayerClass::value(&def, &reg));
        }
    }
    st.set_builtin("Packet", super::objects::native(LayerClass::root(&reg)));
    for class in FIELD_CLASSES {
        st.set_builtin(class, fieldobj::FieldClass::builtin(class, &reg));
    }
    funcs::install(st, &reg);
    capture::install(st, &reg);
    // Unset sources and MACs come from this host's routes and neighbours, as in Scapy: the
    // session's network state is the engine's resolver (one session per thread at a time).
    net::install(st, &reg);
    p0f::install(st);
}

/// The field classes of the namespace: the engine's (chapter 6.5's generic ones).
const FIELD_CLASSES: &[&str] = crate::packet::spec::FIELD_CLASSES;

/// The names [`install`] puts into a session: the engine's layers and functions, which the
/// packet campaigns cover (the language's own builtins are listed by `lang::names`).
pub fn names() -> Vec<String> {
    let reg = Registry::with_builtins();
    let mut out: Vec<String> = reg.all().iter().map(|d| d.class_name.clone()).collect();
    out.push("Packet".to_string());
    out.extend(FIELD_CLASSES.iter().map(|c| c.to_string()));
    out.extend(funcs::names().into_iter().map(str::to_string));
    out.extend(capture::names().into_iter().map(str::to_string));
    out.push("Scapy_Exception".to_string());
    out.extend(net::names().into_iter().map(str::to_string));
    out.extend(p0f::names().into_iter().map(str::to_string));
    out
}

/// Writes the warnings the engine logged since the last drain into the transcript.
pub fn drain(vm: &mut Vm<'_>) {
    for m in log::take_warnings() {
        vm.warning(&m);
    }
}

/// The Scapy module a layer class lives in (for `<class 'scapy.layers.inet.IP'>`).
pub fn module_of(class_name: &str) -> &'static str {
    match class_name {
        "Raw" | "Padding" | "Packet" | "NoPayload" => "scapy.packet",
        "Ether" | "Dot3" | "LLC" | "SNAP" | "Dot1Q" | "ARP" | "GRE" | "CookedLinux" | "STP"
        | "EAPOL" | "Loopback" | "Dot1AD" | "ARPingResult" | "GRErouting" | "CookedLinuxV2" => {
            "scapy.layers.l2"
        }
        "IP" | "TCP" | "UDP" | "ICMP" | "IPerror" | "TCPerror" | "UDPerror" | "ICMPerror"
        | "TCPAOValue" => "scapy.layers.inet",
        c if c.starts_with("IPOption") => "scapy.layers.inet",
        c if c.starts_with("DNS") || c.starts_with("EDNS0") => "scapy.layers.dns",
        "BOOTP" | "DHCP" => "scapy.layers.dhcp",
        c if c.starts_with("ISAKMP") => "scapy.layers.isakmp",
        c if c.starts_with("IPv6") || c.starts_with("ICMPv6") || c.starts_with("_ICMPv6") => {
            "scapy.layers.inet6"
        }
        _ => "__main__",
    }
}

/// A language value as the engine stores it.
pub fn to_engine(v: &Value) -> PResult<EValue> {
    Ok(match v {
        Value::None => EValue::None,
        Value::Bool(b) => EValue::Int(i128::from(*b)),
        Value::Int(i) => EValue::Int(i128::from(*i)),
        Value::BigInt(b) => {
            use num_traits::ToPrimitive;
            EValue::Int(
                b.to_i128()
                    .ok_or_else(|| Exc::new(ExcKind::OverflowError, "int too large to convert"))?,
            )
        }
        Value::Float(f) => EValue::Float(*f),
        Value::Str(s) => EValue::Str(s.s.clone()),
        Value::Bytes(b) => EValue::Bytes((**b).clone()),
        Value::List(l) => EValue::List(
            l.borrow()
                .iter()
                .map(to_engine)
                .collect::<PResult<Vec<_>>>()?,
        ),
        Value::Tuple(t) => EValue::Tuple(t.iter().map(to_engine).collect::<PResult<Vec<_>>>()?),
        Value::Native(_) => {
            if let Some(p) = downcast::<PacketObj>(v) {
                EValue::Packet(p.p.clone())
            } else if let Some(c) = downcast::<LayerClass>(v) {
                EValue::Class(c.def.clone())
            } else if let Some(f) = downcast::<FlagValue>(v) {
                EValue::Int(f.v.get())
            } else if let Some(n) = downcast::<NetObj>(v) {
                EValue::Net(n.0.clone())
            } else if let Some(n) = downcast::<Net6Obj>(v) {
                EValue::Net6(n.0.clone())
            } else if let Some(r) = downcast::<VolatileObj>(v) {
                EValue::Volatile(r.0.clone())
            } else if downcast::<NoPayload>(v).is_some() {
                EValue::None
            } else if let Some(b) = super::objects::bytes_like(v) {
                EValue::Bytes(b)
            } else {
                return Err(unsupported(v));
            }
        }
        Value::Instance(i) if i.builtin.is_some() => to_engine(crate::lang::subclass::plain(v))?,
        other => return Err(unsupported(other)),
    })
}

fn unsupported(v: &Value) -> Exc {
    Exc::type_error(format!(
        "a '{}' object cannot be a field value",
        v.type_name()
    ))
}

/// An engine value as a language value (addresses become strings, packets packet objects).
pub fn to_lang(v: &EValue, reg: &Rc<Registry>) -> Value {
    match v {
        EValue::None => Value::None,
        EValue::Int(i) => match i64::try_from(*i) {
            Ok(i) => Value::Int(i),
            Err(_) => Value::from_bigint(num_bigint::BigInt::from(*i)),
        },
        EValue::Bytes(b) => Value::bytes(b.clone()),
        EValue::Str(s) => Value::str(s.clone()),
        EValue::Ip4(a) => Value::str(a.to_string()),
        EValue::Ip6(a) => Value::str(a.to_string()),
        EValue::Mac(m) => Value::str(crate::packet::value::mac_to_string(m)),
        EValue::Float(f) => Value::Float(*f),
        EValue::Net(n) => native(NetObj(n.clone())),
        EValue::Net6(n) => native(Net6Obj(n.clone())),
        EValue::List(l) => Value::list(l.iter().map(|x| to_lang(x, reg)).collect()),
        EValue::Tuple(t) => Value::tuple(t.iter().map(|x| to_lang(x, reg)).collect()),
        EValue::Packet(p) => PacketObj::value(p, reg),
        EValue::Volatile(r) => native(VolatileObj(r.clone())),
        EValue::Class(c) => LayerClass::value(c, reg),
    }
}

/// A field's value as `getattr(p, name)` gives it, searched from `p` up: `None` when no
/// layer has that field. With `human`, Scapy's `i2h` (a resolved source address); without,
/// the internal value (`getfieldval`). Flag values become [`FlagValue`]s either way.
pub fn read_field(p: &Packet, name: &str, human: bool, reg: &Rc<Registry>) -> Option<Value> {
    for l in p.layers() {
        let d = l.data();
        let Some(i) = d.def().field_index(name) else {
            continue;
        };
        let (kind, _) = d.def().fields[i].resolve(&d);
        let v = d.value_ref(i);
        if let (EValue::Int(x), Some(_)) = (v, kind.str_internal(v)) {
            return Some(native(FlagValue {
                v: std::cell::Cell::new(*x),
                layer: l.clone(),
                idx: i,
            }));
        }
        let v = if human { kind.i2h(&d, v) } else { v.clone() };
        return Some(to_lang(&v, reg));
    }
    None
}

/// A field error as the reference raises it: AttributeError for an unknown field, KeyError
/// for an unknown enum name, ValueError for an unknown flag letter or an unparsable value.
pub fn field_err(e: FieldError) -> Exc {
    match e {
        FieldError::NoSuchField(n) => Exc::new(ExcKind::AttributeError, n),
        FieldError::BadValue(m) => bad_value(&m),
    }
}

fn unquote(s: &str) -> String {
    let t = s.trim();
    if t.len() >= 2 && (t.starts_with('"') || t.starts_with('\'')) {
        t[1..t.len() - 1].to_string()
    } else {
        t.to_string()
    }
}

fn bad_value(m: &str) -> Exc {
    if let Some(rest) = m.strip_prefix("KeyError: ") {
        return Exc::with_args(ExcKind::KeyError, vec![Value::str(unquote(rest))]);
    }
    if let Some((name, class)) = m
        .strip_suffix(" field")
        .and_then(|s| s.split_once(" is not a known value of this "))
    {
        if class.contains("Flags") {
            return Exc::value_error("substring not found");
        }
        return Exc::with_args(ExcKind::KeyError, vec![Value::str(unquote(name))]);
    }
    if let Some(name) = m.strip_suffix(" is not in list") {
        return Exc::value_error(format!(
            "{} is not in list",
            super::format::str_repr(&unquote(name))
        ));
    }
    Exc::value_error(m.to_string())
}

/// A build failure as the reference reports it.
pub fn build_err(e: BuildError) -> Exc {
    Exc::value_error(format!("While building field '{}': {}", e.field, e.message))
}

/// Builds a packet, writing its warnings to the transcript (a campaign's hooks run through
/// the interpreter, and what they raise is raised).
pub fn build(vm: &mut Vm<'_>, p: &Packet) -> PResult<Vec<u8>> {
    let r = super::callback::lend(vm, || p.build());
    drain(vm);
    r?.map_err(build_err)
}

/// `bytes(p)`: the built packet, for packet values; None for other objects.
pub fn to_bytes(vm: &mut Vm<'_>, v: &Value) -> Option<PResult<Vec<u8>>> {
    if let Some(p) = downcast::<PacketObj>(v) {
        let p = p.p.clone();
        return Some(build(vm, &p));
    }
    if downcast::<NoPayload>(v).is_some() {
        return Some(Ok(Vec::new()));
    }
    None
}

/// `p[TCP:2]`: the second TCP layer (Scapy's slice of a layer class and a count); None when
/// `o` is not a packet, so other objects take the ordinary slice path.
pub fn layer_slice(
    vm: &mut Vm<'_>,
    o: &Value,
    parts: &[Option<Expr>; 3],
    frame: &mut Frame,
) -> Option<PResult<Value>> {
    let p = downcast::<PacketObj>(o)?;
    let (p, reg) = (p.p.clone(), p.reg.clone());
    let mut vals = [Value::None, Value::None, Value::None];
    for (i, part) in parts.iter().enumerate() {
        if let Some(e) = part {
            match vm.eval(e, frame) {
                Ok(v) => vals[i] = v,
                Err(e) => return Some(Err(e)),
            }
        }
    }
    let nb = match &vals[1] {
        Value::None => 1,
        Value::Int(n) => *n,
        other => {
            return Some(Err(Exc::type_error(format!(
                "'{}' object cannot be interpreted as an integer",
                other.type_name()
            ))))
        }
    };
    Some(objects::layer_lookup(&p, &vals[0], nb, &reg))
}
