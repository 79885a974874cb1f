//! `load_module("p0f")` and what it brings into the session, as Scapy 2.8 has them (learnt by
//! running it): `p0f(pkt)`, `prnp0f(pkt)`, `packet2p0f(pkt)`, `fingerprint_mtu(pkt)`, the
//! database object `p0fdb` and `conf.p0f_base`. The work is `crate::p0f`'s; this file turns
//! packets, labels and signatures into the language's values and prints.
//!
//! - `load_module("p0f")` sets `conf.p0f_base` to the installed database (`/etc/p0f/p0f.fp`),
//!   or None when there is none, and makes `p0fdb` for that file. The file is read at the
//!   first use, and again at each use while it cannot be (warning `Can't open base ...` then
//!   `p0f base empty.`, and no match); `p0fdb.reload(filename)` reads another one (keeping
//!   the loaded base when it cannot).
//! - Signatures show their quirks in the order of a Python set of their names, as Scapy's
//!   (a set) does; wirecraft's sets iterate as CPython's under `PYTHONHASHSEED=0`.

use std::cell::RefCell;
use std::rc::Rc;

use crate::p0f::database::{KnowledgeBase, Label};
use crate::p0f::matching::{self, TcpMatch};
use crate::p0f::quirks::Quirks;
use crate::p0f::report;
use crate::p0f::signature::{Direction, Headers, NotFingerprintable, TcpSignature};
use crate::p0f::DEFAULT_BASE;
use crate::packet::Packet;

use super::super::ast::Sym;
use super::super::callback::lend;
use super::super::exceptions::{Exc, ExcKind, PResult};
use super::super::interp::{State, Vm};
use super::super::objects::{downcast, native};
use super::super::ops;
use super::super::settable::{set_value, SetTable};
use super::super::value::{NativeObject, Value};
use super::drain;
use super::libfn::LibFn;
use super::lists::Args;
use super::objects::{obj_addr, PacketObj};

/// The functions `load_module("p0f")` adds, besides `p0fdb`.
const FUNCS: &[&str] = &["p0f", "prnp0f", "packet2p0f", "fingerprint_mtu"];

/// The modules `load_module` knows.
const MODULES: &[&str] = &["p0f"];

/// Installs `load_module` into a fresh session.
pub fn install(st: &mut State) {
    st.set_builtin(
        "load_module",
        LibFn::function("load_module", (), load_module),
    );
}

/// The names [`install`] puts into a session.
pub fn names() -> Vec<&'static str> {
    vec!["load_module"]
}

/// `load_module(name)`: makes a Scapy module's names global. An unknown module is reported
/// as Scapy reports it (an error line, then the import error), and nothing else happens.
fn load_module(
    _: &(),
    vm: &mut Vm<'_>,
    _name: &'static str,
    args: Vec<Value>,
    kw: Vec<(Sym, Value)>,
) -> PResult<Value> {
    let a = Args::new(vm, args, kw);
    let name = a
        .text("load_module", 0, "name")?
        .ok_or_else(|| missing("load_module", "name"))?;
    match name.as_str() {
        "p0f" => load_p0f(vm)?,
        _ => vm.write(&format!(
            "ERROR: Loading module scapy.modules.{name}\nModuleNotFoundError: No module named 'scapy.modules.{name}' (wirecraft has: {})\n",
            MODULES.join(", ")
        )),
    }
    Ok(Value::None)
}

fn missing(f: &str, name: &str) -> Exc {
    Exc::type_error(format!(
        "{f}() missing 1 required positional argument: '{name}'"
    ))
}

/// A builtin of the session, if set.
fn builtin(vm: &mut Vm<'_>, name: &str) -> Option<Value> {
    let sym = vm.st.interner.intern(name) as usize;
    vm.st.builtins.get(sym).cloned().flatten()
}

/// `load_module("p0f")`. Loading it again keeps the database object and `conf.p0f_base`, as
/// Python's second import of a module does.
fn load_p0f(vm: &mut Vm<'_>) -> PResult<()> {
    let db = match builtin(vm, "p0fdb").filter(|v| downcast::<P0fDb>(v).is_some()) {
        Some(db) => db,
        None => {
            let base = std::path::Path::new(DEFAULT_BASE)
                .is_file()
                .then(|| DEFAULT_BASE.to_string());
            if let Some(Value::Native(conf)) = builtin(vm, "conf") {
                let v = base.clone().map_or(Value::None, Value::str);
                if let Some(r) = conf.0.set_attr("p0f_base", v) {
                    r?;
                }
            }
            native(P0fDb {
                filename: RefCell::new(base),
                base: RefCell::new(None),
            })
        }
    };
    for &name in FUNCS {
        vm.st
            .set_builtin(name, LibFn::function(name, db.clone(), p0f_function));
    }
    vm.st.set_builtin("p0fdb", db);
    Ok(())
}

/// `p0fdb`: the session's database, read lazily from its file.
pub struct P0fDb {
    filename: RefCell<Option<String>>,
    base: RefCell<Option<Rc<KnowledgeBase>>>,
}

impl P0fDb {
    /// Reads `path` into the base; false (the base unchanged) when it cannot be read. Lines
    /// that do not parse are warned about and skipped.
    fn load(&self, vm: &mut Vm<'_>, path: Option<&str>) -> bool {
        let Some(text) = path.and_then(|p| std::fs::read(p).ok()) else {
            vm.warning(&format!("Can't open base {}", path.unwrap_or("None")));
            return false;
        };
        let parsed = KnowledgeBase::parse(&String::from_utf8_lossy(&text));
        for problem in &parsed.problems {
            vm.warning(&format!(
                "p0f base {}, {problem} (skipped)",
                path.unwrap_or("None")
            ));
        }
        *self.base.borrow_mut() = Some(Rc::new(parsed.base));
        true
    }

    /// The base, read now if it was not yet; None (with Scapy's warnings) when there is none.
    fn get(&self, vm: &mut Vm<'_>) -> Option<Rc<KnowledgeBase>> {
        if self.base.borrow().is_none() {
            let path = self.filename.borrow().clone();
            self.load(vm, path.as_deref());
        }
        let base = self.base.borrow().clone();
        if base.is_none() {
            vm.warning("p0f base empty.");
        }
        base
    }
}

impl NativeObject for P0fDb {
    fn type_name(&self) -> &str {
        "p0fKnowledgeBase"
    }
    fn repr(&self) -> String {
        format!(
            "<scapy.modules.p0f.p0fKnowledgeBase object at {:#x}>",
            obj_addr(self)
        )
    }
    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }
    fn get_attr(&self, _vm: &mut Vm<'_>, _this: &Value, name: &str) -> Option<PResult<Value>> {
        (name == "filename").then(|| {
            Ok(self
                .filename
                .borrow()
                .clone()
                .map_or(Value::None, Value::str))
        })
    }
    fn method_names(&self) -> &'static [&'static str] {
        &["reload", "lazy_init", "tcp_find_match", "mtu_find_match"]
    }
    fn call_method(
        &self,
        vm: &mut Vm<'_>,
        _this: &Value,
        name: &str,
        args: Vec<Value>,
        kw: Vec<(Sym, Value)>,
    ) -> Option<PResult<Value>> {
        let a = Args::new(vm, args, kw);
        Some(match name {
            "reload" => (|| {
                if let Some(f) = a.text("reload", 0, "filename")? {
                    *self.filename.borrow_mut() = Some(f);
                }
                let path = self.filename.borrow().clone();
                self.load(vm, path.as_deref());
                Ok(Value::None)
            })(),
            "lazy_init" => {
                if self.base.borrow().is_none() {
                    let path = self.filename.borrow().clone();
                    self.load(vm, path.as_deref());
                }
                Ok(Value::None)
            }
            "tcp_find_match" => (|| {
                let sig = a
                    .get(0, "ts")
                    .and_then(|v| downcast::<P0fSignature>(v).map(|s| s.sig.clone()))
                    .ok_or_else(|| Exc::type_error("tcp_find_match() needs a TCP_Signature"))?;
                let dir = match a.text("tcp_find_match", 1, "direction")?.as_deref() {
                    Some("request") => Direction::Request,
                    Some("response") => Direction::Response,
                    _ => {
                        return Err(Exc::new(
                            ExcKind::KeyError,
                            "direction is 'request' or 'response'",
                        ))
                    }
                };
                Ok(match self.get(vm) {
                    Some(kb) => match_value(matching::tcp_find_match(&kb, &sig, dir).as_ref()),
                    None => Value::None,
                })
            })(),
            "mtu_find_match" => (|| {
                let mtu = match a.get(0, "mtu") {
                    Some(Value::Int(i)) => u32::try_from(*i).ok(),
                    Some(_) => return Err(Exc::type_error("the MTU is an int")),
                    None => return Err(missing("mtu_find_match", "mtu")),
                };
                Ok(match (self.get(vm), mtu) {
                    (Some(kb), Some(m)) => {
                        matching::mtu_find_match(&kb, m).map_or(Value::None, Value::str)
                    }
                    _ => Value::None,
                })
            })(),
            _ => return None,
        })
    }
}

/// `p0f`, `prnp0f`, `packet2p0f` and `fingerprint_mtu`, over the session's `p0fdb`.
fn p0f_function(
    db: &Value,
    vm: &mut Vm<'_>,
    name: &'static str,
    args: Vec<Value>,
    kw: Vec<(Sym, Value)>,
) -> PResult<Value> {
    let a = Args::new(vm, args, kw);
    // Never so: load_p0f binds these functions to a knowledge base only.
    let Some(db) = downcast::<P0fDb>(db) else {
        return Err(Exc::type_error(format!("'{name}' is not callable")));
    };
    let r = (|| {
        let pkt = a.need(name, 0, "pkt")?.clone();
        match name {
            "p0f" => {
                let (sig, dir) = signature(vm, &pkt)?;
                Ok(match db.get(vm) {
                    Some(kb) => match_value(matching::tcp_find_match(&kb, &sig, dir).as_ref()),
                    None => Value::None,
                })
            }
            "prnp0f" => prnp0f(vm, db, &pkt),
            "packet2p0f" => {
                let (sig, dir) = signature(vm, &pkt)?;
                Ok(Value::tuple(vec![
                    P0fSignature::value(sig),
                    Value::str(dir.name()),
                ]))
            }
            _ => {
                let h = headers(vm, &pkt)?;
                let mss = h.options().mss;
                Ok(match db.get(vm) {
                    Some(kb) => matching::mtu_of(h.ip_ver, mss)
                        .and_then(|m| matching::mtu_find_match(&kb, m))
                        .map_or(Value::None, Value::str),
                    None => Value::None,
                })
            }
        }
    })();
    drain(vm);
    r
}

/// The packet inside a language value.
fn packet(v: &Value) -> PResult<Packet> {
    downcast::<PacketObj>(v)
        .map(|p| p.p.clone())
        .ok_or_else(|| not_fingerprintable(NotFingerprintable::NotTcpIp))
}

fn not_fingerprintable(e: NotFingerprintable) -> Exc {
    Exc::type_error(e.to_string())
}

/// The IP and TCP headers of a packet value (its build may run a campaign's hooks).
fn headers(vm: &mut Vm<'_>, v: &Value) -> PResult<Headers> {
    let p = packet(v)?;
    lend(vm, || Headers::of_packet(&p))?.map_err(not_fingerprintable)
}

/// The signature of a packet value, or Scapy's TypeError.
fn signature(vm: &mut Vm<'_>, v: &Value) -> PResult<(TcpSignature, Direction)> {
    headers(vm, v)?.signature().map_err(not_fingerprintable)
}

/// `prnp0f(pkt)`: prints the block of a SYN or SYN+ACK; other packets print nothing.
fn prnp0f(vm: &mut Vm<'_>, db: &P0fDb, v: &Value) -> PResult<Value> {
    let Some(p) = downcast::<PacketObj>(v).map(|p| p.p.clone()) else {
        return Ok(Value::None);
    };
    let Ok((sig, dir)) = lend(vm, || Headers::of_packet(&p))?.and_then(|h| h.signature()) else {
        return Ok(Value::None);
    };
    let at = |f: &str| p.sprintf(f).unwrap_or_else(|_| "??".to_string());
    let (src, dst) = (at("%IP.src%:%TCP.sport%"), at("%IP.dst%:%TCP.dport%"));
    let kb = db.get(vm);
    let found = kb
        .as_deref()
        .and_then(|kb| matching::tcp_find_match(kb, &sig, dir));
    let text = sig.text_with(&scapy_quirks(sig.quirks).0);
    vm.write(&format!(
        "{}\n",
        report::block(&src, &dst, dir, found.as_ref(), &text)
    ));
    Ok(Value::None)
}

/// `(label, distance, fuzzy)` as Scapy returns a match, or None.
fn match_value(m: Option<&TcpMatch<'_>>) -> Value {
    match m {
        Some(m) => Value::tuple(vec![
            label_value(m.label),
            Value::Int(m.dist),
            Value::Bool(m.fuzzy),
        ]),
        None => Value::None,
    }
}

/// `('s', 'unix', 'Linux', '3.x')`, with the systems' tuple after when the label has them.
fn label_value(l: &Label) -> Value {
    let mut items = vec![
        Value::str(l.kind()),
        Value::str(l.class.clone()),
        Value::str(l.name.clone()),
        Value::str(l.flavor.clone()),
    ];
    if let Some(sys) = &l.sys {
        items.push(Value::tuple(sys.iter().cloned().map(Value::str).collect()));
    }
    Value::tuple(items)
}

/// The quirks as Scapy holds them, a set of their names (added in the README's order), and
/// that set's iteration order joined by commas.
fn scapy_quirks(q: Quirks) -> (String, Value) {
    let keys = q
        .iter()
        .filter_map(|q| ops::key(&Value::str(q.name())).ok());
    let table = SetTable::from_keys(keys);
    let text = table
        .keys()
        .iter()
        .map(|v| match v {
            Value::Str(s) => s.s.clone(),
            _ => String::new(),
        })
        .collect::<Vec<_>>()
        .join(",");
    (text, set_value(table, false))
}

/// A `TCP_Signature`: what `packet2p0f` returns; `str()` is the signature.
pub struct P0fSignature {
    sig: TcpSignature,
}

impl P0fSignature {
    fn value(sig: TcpSignature) -> Value {
        native(P0fSignature { sig })
    }
}

impl NativeObject for P0fSignature {
    fn type_name(&self) -> &str {
        "TCP_Signature"
    }
    fn repr(&self) -> String {
        format!(
            "<scapy.modules.p0f.TCP_Signature object at {:#x}>",
            obj_addr(self)
        )
    }
    fn str(&self) -> String {
        self.sig.text_with(&scapy_quirks(self.sig.quirks).0)
    }
    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }
    fn get_attr(&self, _vm: &mut Vm<'_>, _this: &Value, name: &str) -> Option<PResult<Value>> {
        let s = &self.sig;
        Some(Ok(match name {
            "olayout" => Value::str(s.olayout.clone()),
            "quirks" => scapy_quirks(s.quirks).1,
            "ip_opt_len" => Value::Int(s.ip_opt_len),
            "ip_ver" => Value::Int(i64::from(s.ip_ver)),
            "ttl" => Value::Int(i64::from(s.ttl)),
            "mss" => Value::Int(i64::from(s.mss)),
            "win" => Value::Int(i64::from(s.win)),
            "win_type" => Value::None,
            "wscale" => Value::Int(i64::from(s.wscale)),
            "pay_class" => Value::Int(i64::from(s.pay_class)),
            "ts1" => Value::Int(i64::from(s.ts1)),
            _ => return None,
        }))
    }
}
