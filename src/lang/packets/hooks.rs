//! The hooks of a layer a campaign defines, as the engine's [`Hooks`]: closures that call
//! the class's methods through the interpreter lent by [`callback`] (post_build,
//! guess_payload_class, default_payload_class, extract_padding, pre_dissect, do_dissect,
//! post_dissect, answers, hashret, mysummary); and the built-in behaviour of each hook as a
//! callable class attribute ([`BaseHook`]), for explicit base-class calls
//! (`Packet.guess_payload_class(self, payload)`, `IP.post_build(self, p, pay)`, `super()`).
//!
//! A hook that raises parks its exception (see [`callback`]): the engine stops, or turns a
//! payload it was dissecting into Raw; the operation the campaign called raises it.

use std::rc::Rc;

use crate::packet::field::BuildError;
use crate::packet::layer::Hooks;
use crate::packet::matching::{payload_answers, payload_hashret};
use crate::packet::{dissect, LayerData, LayerDef, Packet, Registry};

use super::super::ast::Sym;
use super::super::callback;
use super::super::exceptions::{Exc, ExcKind, PResult};
use super::super::interp::Vm;
use super::super::objects::{addr, bytes_like, downcast};
use super::super::value::{Method, NativeObject, Value};
use super::fieldobj::fail;
use super::objects::{LayerClass, PacketObj};

/// The hook methods a class may define, by their Scapy names.
pub const HOOK_METHODS: &[&str] = &[
    "post_build",
    "guess_payload_class",
    "default_payload_class",
    "extract_padding",
    "pre_dissect",
    "do_dissect",
    "post_dissect",
    "answers",
    "hashret",
    "mysummary",
];

/// What calling a campaign hook gave.
enum Ran<T> {
    /// Its result.
    Done(T),
    /// It raised: the exception is parked.
    Failed,
    /// No interpreter is lent here: the built-in behaviour applies.
    NoInterpreter,
}

/// Calls hook `f` with `self` (`me`) and `args`, mapping the result in the interpreter.
fn call<T>(
    f: &Value,
    me: Value,
    args: Vec<Value>,
    map: impl FnOnce(&mut Vm<'_>, Value) -> PResult<T>,
) -> Ran<T> {
    if callback::failed() {
        return Ran::Failed;
    }
    let r = callback::with_vm(|vm| {
        let mut a = Vec::with_capacity(args.len() + 1);
        a.push(me);
        a.extend(args);
        match vm.call(f, a, Vec::new()).and_then(|v| map(vm, v)) {
            Ok(t) => Ran::Done(t),
            Err(e) => {
                fail(vm, e);
                Ran::Failed
            }
        }
    });
    r.unwrap_or(Ran::NoInterpreter)
}

fn bytes_result(what: &'static str) -> impl Fn(&mut Vm<'_>, Value) -> PResult<Vec<u8>> {
    move |_, r| match &r {
        Value::Str(s) => Ok(s.s.as_bytes().to_vec()),
        other => bytes_like(other).ok_or_else(|| {
            Exc::type_error(format!(
                "{what}() must return bytes, not '{}'",
                other.type_name()
            ))
        }),
    }
}

/// The class a guess hook returned: a layer class, or Raw for anything else (Scapy's
/// dissector would fail on it and fall back to Raw).
fn class_result(_vm: &mut Vm<'_>, r: Value) -> PResult<Rc<LayerDef>> {
    Ok(match downcast::<LayerClass>(&r) {
        Some(c) => c.def.clone(),
        None => crate::packet::base::raw_def(),
    })
}

/// Sets the hooks of `def` for the campaign methods `methods` holds (name, function).
pub fn install(hooks: &mut Hooks, methods: &[(&'static str, Value)], reg: &Rc<Registry>) {
    for (name, f) in methods {
        let f = f.clone();
        let reg = reg.clone();
        match *name {
            "post_build" => {
                hooks.post_build = Some(Rc::new(move |d: &LayerData, hdr, pay: &[u8], _| {
                    let me = PacketObj::value(&d.snapshot(), &reg);
                    let args = vec![Value::bytes(hdr.clone()), Value::bytes(pay.to_vec())];
                    match call(&f, me, args, bytes_result("post_build")) {
                        Ran::Done(b) => Ok(b),
                        Ran::Failed => Err(BuildError {
                            layer: d.def().class_name.clone(),
                            field: String::new(),
                            message: "post_build() failed".into(),
                        }),
                        Ran::NoInterpreter => {
                            let mut out = hdr;
                            out.extend_from_slice(pay);
                            Ok(out)
                        }
                    }
                }));
            }
            "guess_payload_class" | "default_payload_class" => {
                let hook: crate::packet::layer::GuessFn =
                    Rc::new(move |d: &LayerData, payload: &[u8]| {
                        let me = PacketObj::value(&d.snapshot(), &reg);
                        match call(&f, me, vec![Value::bytes(payload.to_vec())], class_result) {
                            Ran::Done(c) => Some(c),
                            Ran::Failed | Ran::NoInterpreter => None,
                        }
                    });
                if *name == "guess_payload_class" {
                    hooks.guess_payload = Some(hook);
                } else {
                    hooks.default_payload = Some(hook);
                }
            }
            "extract_padding" => {
                hooks.extract_padding = Some(Rc::new(move |d: &LayerData, s: &[u8]| {
                    let me = PacketObj::value(&d.snapshot(), &reg);
                    let split = |_: &mut Vm<'_>, r: Value| -> PResult<usize> {
                        let first = match &r {
                            Value::Tuple(t) if t.len() == 2 => t[0].clone(),
                            _ => {
                                return Err(Exc::type_error(
                                    "extract_padding() must return (payload, padding)",
                                ))
                            }
                        };
                        Ok(match &first {
                            Value::None => 0,
                            Value::Str(x) => x.s.len(),
                            other => bytes_like(other).map_or(0, |b| b.len()),
                        })
                    };
                    match call(&f, me, vec![Value::bytes(s.to_vec())], split) {
                        Ran::Done(n) => n,
                        Ran::Failed | Ran::NoInterpreter => s.len(),
                    }
                }));
            }
            "pre_dissect" | "do_dissect" => {
                let what: &'static str = name;
                let hook = move |d: &mut LayerData, s: &[u8]| -> Vec<u8> {
                    let reg = reg.clone();
                    d.lend(|p| {
                        let me = PacketObj::value(p, &reg);
                        match call(&f, me, vec![Value::bytes(s.to_vec())], bytes_result(what)) {
                            Ran::Done(b) => b,
                            Ran::Failed => Vec::new(),
                            Ran::NoInterpreter => s.to_vec(),
                        }
                    })
                };
                if *name == "pre_dissect" {
                    hooks.pre_dissect = Some(Rc::new(hook));
                } else {
                    hooks.do_dissect = Some(Rc::new(move |d, s, _| hook(d, s)));
                }
            }
            "post_dissect" => {
                hooks.post_dissect = Some(Rc::new(move |d: &mut LayerData, s: Vec<u8>, _| {
                    let reg = reg.clone();
                    d.lend(|p| {
                        let me = PacketObj::value(p, &reg);
                        match call(
                            &f,
                            me,
                            vec![Value::bytes(s.clone())],
                            bytes_result("post_dissect"),
                        ) {
                            Ran::Done(b) => b,
                            Ran::Failed | Ran::NoInterpreter => s,
                        }
                    })
                }));
            }
            "answers" => {
                hooks.answers = Some(Rc::new(move |me: &Packet, other: &Packet| {
                    let args = vec![PacketObj::value(other, &reg)];
                    match call(&f, PacketObj::value(me, &reg), args, |vm, r| vm.truthy(&r)) {
                        Ran::Done(b) => b,
                        Ran::Failed | Ran::NoInterpreter => false,
                    }
                }));
            }
            "hashret" => {
                hooks.hashret = Some(Rc::new(move |me: &Packet| {
                    match call(
                        &f,
                        PacketObj::value(me, &reg),
                        Vec::new(),
                        bytes_result("hashret"),
                    ) {
                        Ran::Done(b) => b,
                        Ran::Failed | Ran::NoInterpreter => Vec::new(),
                    }
                }));
            }
            "mysummary" => {
                hooks.mysummary = Some(Rc::new(move |me: &Packet| {
                    match call(&f, PacketObj::value(me, &reg), Vec::new(), summary_result) {
                        Ran::Done(s) => Some(s),
                        Ran::Failed | Ran::NoInterpreter => None,
                    }
                }));
            }
            _ => {}
        }
    }
}

/// The method an ActionField calls when its field is assigned:
/// `method(self, value, fld, **kwargs)`.
pub fn action(f: Value, fld: Value, reg: Rc<Registry>) -> crate::packet::kinds::ActionFn {
    Rc::new(move |p: &Packet, v, kwargs| {
        if callback::failed() {
            return Ok(());
        }
        let r = callback::with_vm(|vm| {
            let me = PacketObj::value(p, &reg);
            let args = vec![me, super::to_lang(v, &reg), fld.clone()];
            let kw = kwargs
                .iter()
                .map(|(k, x)| (vm.st.interner.intern(k), super::to_lang(x, &reg)))
                .collect();
            if let Err(e) = vm.call(&f, args, kw) {
                fail(vm, e);
            }
        });
        r.ok_or_else(|| "a campaign method cannot run here".to_string())
    })
}

/// A mysummary result: its text, or `(text, [classes it also describes])`.
fn summary_result(vm: &mut Vm<'_>, r: Value) -> PResult<(String, Vec<String>)> {
    match &r {
        Value::Tuple(t) if t.len() == 2 => {
            let text = vm.str(&t[0])?;
            let mut classes = Vec::new();
            for c in vm.iterate(&t[1])? {
                if let Some(c) = downcast::<LayerClass>(&c) {
                    classes.push(c.def.class_name.clone());
                }
            }
            Ok((text, classes))
        }
        other => Ok((vm.str(other)?, Vec::new())),
    }
}

/// The built-in behaviour of a hook, as a class attribute: `IP.post_build` (the engine's
/// hook of IP) or `Packet.guess_payload_class` (Scapy's defaults). Called with the packet
/// first; bound to the packet when found through one (`super().post_build(p, pay)`).
pub struct BaseHook {
    /// The class whose hook it is; None for `Packet`.
    pub def: Option<Rc<LayerDef>>,
    /// The hook's name.
    pub name: &'static str,
    /// The session's layers.
    pub reg: Rc<Registry>,
}

impl NativeObject for BaseHook {
    fn type_name(&self) -> &str {
        "function"
    }
    fn repr(&self) -> String {
        let class = self
            .def
            .as_ref()
            .map_or("Packet", |d| d.class_name.as_str());
        format!("<function {class}.{} at {:#x}>", self.name, addr(self))
    }
    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }
    fn method_names(&self) -> &'static [&'static str] {
        &["__call__"]
    }
    fn call_method(
        &self,
        vm: &mut Vm<'_>,
        _this: &Value,
        name: &str,
        args: Vec<Value>,
        kw: Vec<(Sym, Value)>,
    ) -> Option<PResult<Value>> {
        if name == "__call__" {
            return self.call(vm, args, kw);
        }
        None
    }
    fn call(
        &self,
        vm: &mut Vm<'_>,
        args: Vec<Value>,
        kw: Vec<(Sym, Value)>,
    ) -> Option<PResult<Value>> {
        if self.name == "__init__" {
            let mut args = args.into_iter();
            let Some(this) = args.next() else {
                return Some(Err(Exc::type_error(
                    "Packet.__init__() missing 1 required positional argument: 'self'",
                )));
            };
            return Some(super::objects::init_in_place(vm, &this, args.collect(), kw));
        }
        let Some(this) = args.first() else {
            return Some(Err(Exc::type_error(format!(
                "{}() missing 1 required positional argument: 'self'",
                self.name
            ))));
        };
        Some(base_hook(
            vm,
            self.def.as_ref(),
            self.name,
            this,
            &args[1..],
            &self.reg,
        ))
    }
    fn bind_to(&self, this: &Value, obj: &Value) -> Option<Value> {
        Some(Value::Method(Rc::new(Method {
            func: this.clone(),
            receiver: obj.clone(),
        })))
    }
}

fn bytes_arg(name: &str, args: &[Value], i: usize, what: &str) -> PResult<Vec<u8>> {
    match args.get(i) {
        Some(Value::Str(s)) => Ok(s.s.as_bytes().to_vec()),
        Some(v) => bytes_like(v).ok_or_else(|| {
            Exc::type_error(format!(
                "{name}(): {what} must be bytes, not '{}'",
                v.type_name()
            ))
        }),
        None => Err(Exc::type_error(format!(
            "{name}() missing 1 required positional argument: '{what}'"
        ))),
    }
}

/// Runs the built-in behaviour of hook `name` of class `def` (None: `Packet`'s) on the
/// packet `this`.
pub fn base_hook(
    vm: &mut Vm<'_>,
    def: Option<&Rc<LayerDef>>,
    name: &str,
    this: &Value,
    args: &[Value],
    reg: &Rc<Registry>,
) -> PResult<Value> {
    let Some(p) = downcast::<PacketObj>(this).map(|p| p.p.clone()) else {
        return Err(Exc::type_error(format!(
            "{name}() needs a packet as self, not '{}'",
            this.type_name()
        )));
    };
    let hooks = def.map(|d| &d.hooks);
    let raw_class = || LayerClass::value(&crate::packet::base::raw_def(), reg);
    Ok(match name {
        "post_build" => {
            let pkt = bytes_arg(name, args, 0, "p")?;
            let pay = bytes_arg(name, args, 1, "pay")?;
            match hooks.and_then(|h| h.post_build.clone()) {
                Some(h) => {
                    let r = crate::packet::resolver::current();
                    let out = callback::lend(vm, || {
                        let snap = p.data().snapshot();
                        let d = snap.data();
                        h(&d, pkt, &pay, r.as_ref())
                    })?;
                    Value::bytes(out.map_err(super::build_err)?)
                }
                None => {
                    let mut out = pkt;
                    out.extend_from_slice(&pay);
                    Value::bytes(out)
                }
            }
        }
        "guess_payload_class" => {
            let payload = bytes_arg(name, args, 0, "payload")?;
            let hook = hooks.and_then(|h| h.guess_payload.clone());
            let c = callback::lend(vm, || {
                let d = p.data().snapshot();
                let d = d.data();
                hook.as_ref()
                    .and_then(|h| h(&d, &payload))
                    .unwrap_or_else(|| dissect::default_guess(&d, &payload))
            })?;
            LayerClass::value(&c, reg)
        }
        "default_payload_class" => {
            let payload = bytes_arg(name, args, 0, "payload")?;
            match hooks.and_then(|h| h.default_payload.clone()) {
                Some(h) => {
                    let c = callback::lend(vm, || {
                        let d = p.data().snapshot();
                        let d = d.data();
                        h(&d, &payload)
                    })?;
                    c.map_or_else(raw_class, |c| LayerClass::value(&c, reg))
                }
                None => raw_class(),
            }
        }
        "extract_padding" => {
            let s = bytes_arg(name, args, 0, "s")?;
            match hooks.and_then(|h| h.extract_padding.clone()) {
                Some(h) => {
                    let n = callback::lend(vm, || {
                        let d = p.data().snapshot();
                        let d = d.data();
                        h(&d, &s).min(s.len())
                    })?;
                    Value::tuple(vec![
                        Value::bytes(s[..n].to_vec()),
                        Value::bytes(s[n..].to_vec()),
                    ])
                }
                None => Value::tuple(vec![Value::bytes(s), Value::None]),
            }
        }
        "pre_dissect" | "post_dissect" => Value::bytes(bytes_arg(name, args, 0, "s")?),
        "do_dissect" => {
            let s = bytes_arg(name, args, 0, "s")?;
            let in_use = || Exc::new(ExcKind::RuntimeError, "do_dissect(): the packet is in use");
            // The layer's state leaves the packet while its fields are read, so the
            // callbacks that run meanwhile never meet a borrowed packet.
            let mut d = {
                let mut cell = p.0.try_borrow_mut().map_err(|_| in_use())?;
                let fresh = LayerData::new(cell.def());
                std::mem::replace(&mut *cell, fresh)
            };
            let mut warnings = Vec::new();
            let done = callback::lend(vm, || dissect::do_dissect_fields(&mut d, &s, &mut warnings));
            *p.0.try_borrow_mut().map_err(|_| in_use())? = d;
            let (used, _) = done?;
            crate::packet::log::log_all(&warnings);
            Value::bytes(s.get(used..).unwrap_or(&[]).to_vec())
        }
        "answers" => {
            let Some(other) = args.first().and_then(|o| downcast::<PacketObj>(o)) else {
                return Err(Exc::type_error("answers() needs a packet"));
            };
            let o = other.p.clone();
            let r = match hooks.and_then(|h| h.answers.clone()) {
                Some(h) => callback::lend(vm, || h(&p, &o))?,
                None => callback::lend(vm, || {
                    Rc::ptr_eq(&p.def(), &o.def()) && payload_answers(&p.payload(), &o.payload())
                })?,
            };
            Value::Bool(r)
        }
        "hashret" => {
            let b = match hooks.and_then(|h| h.hashret.clone()) {
                Some(h) => callback::lend(vm, || h(&p))?,
                None => callback::lend(vm, || payload_hashret(&p))?,
            };
            Value::bytes(b)
        }
        "mysummary" => match hooks.and_then(|h| h.mysummary.clone()) {
            Some(h) => match callback::lend(vm, || h(&p))? {
                Some((s, classes)) if classes.is_empty() => Value::str(s),
                Some((s, classes)) => Value::tuple(vec![
                    Value::str(s),
                    Value::list(
                        classes
                            .iter()
                            .filter_map(|c| reg.get(c))
                            .map(|d| LayerClass::value(&d, reg))
                            .collect(),
                    ),
                ]),
                None => Value::str(""),
            },
            None => Value::str(""),
        },
        _ => {
            return Err(Exc::new(
                ExcKind::AttributeError,
                format!("'Packet' has no hook '{name}'"),
            ))
        }
    })
}
