//! Packet lists in the language (Scapy's `plist`): `PacketList`, `SndRcvList` (the
//! `Results` of sr(): (sent, received) pairs) and the lists every other function returns
//! (`rdpcap`, `sniff`, `defragment`), with their views.
//!
//! One object, [`PacketListObj`], serves every list: its name is what the repr shows
//! (`<Sniffed: ...>`, `<x.pcap: ...>`), `pairs` makes it an `SndRcvList`. Elements are the
//! language values themselves (packets, or tuples), so `pl[0]` is the same object each time.
//! As in Scapy 2.8, callbacks receive an element unpacked (`lambda s, r: ...` for pairs),
//! while the session extractor and `getsrcdst` receive the element's packet (the received
//! one for pairs), and views that show one packet show that one.

use std::cell::RefCell;
use std::path::PathBuf;
use std::rc::Rc;

use crate::packet::{self, Packet, Registry};
use crate::results::{graph, plot, table, views};

use super::super::ast::{BinOp, Sym};
use super::super::exceptions::{Exc, ExcKind, PResult};
use super::super::interp::Vm;
use super::super::objects::{downcast, native};
use super::super::value::{Dict, IterObj, NativeObject, Value};
use super::objects::{kw_names, LayerClass, PacketObj};
use super::{build, drain};

/// Positional and keyword arguments of a native call, looked up by position or name.
pub struct Args {
    pub pos: Vec<Value>,
    pub kw: Vec<(String, Value)>,
}

impl Args {
    /// The arguments of a call.
    pub fn new(vm: &Vm<'_>, pos: Vec<Value>, kw: Vec<(Sym, Value)>) -> Args {
        Args {
            pos,
            kw: kw_names(vm, kw),
        }
    }

    /// Argument `i` or keyword `name`; an explicit None counts as absent.
    pub fn get(&self, i: usize, name: &str) -> Option<&Value> {
        self.pos
            .get(i)
            .or_else(|| self.kw.iter().find(|(k, _)| k == name).map(|(_, v)| v))
            .filter(|v| !matches!(v, Value::None))
    }

    /// A keyword-only argument; an explicit None counts as absent.
    pub fn kw(&self, name: &str) -> Option<&Value> {
        self.kw
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
            .filter(|v| !matches!(v, Value::None))
    }

    /// Whether a flag argument is true.
    pub fn flag(&self, i: usize, name: &str) -> bool {
        self.get(i, name).is_some_and(Value::truthy)
    }

    /// A required argument.
    pub fn need(&self, f: &str, i: usize, name: &str) -> PResult<&Value> {
        self.get(i, name).ok_or_else(|| {
            Exc::type_error(format!(
                "{f}() missing 1 required positional argument: '{name}'"
            ))
        })
    }

    /// A text argument (a str, or bytes decoded as UTF-8).
    pub fn text(&self, f: &str, i: usize, name: &str) -> PResult<Option<String>> {
        match self.get(i, name) {
            None => Ok(None),
            Some(Value::Str(s)) => Ok(Some(s.s.clone())),
            Some(v) => match super::super::objects::bytes_like(v) {
                Some(b) => Ok(Some(String::from_utf8_lossy(&b).into_owned())),
                None => Err(Exc::type_error(format!(
                    "{f}(): {name} must be str, not {}",
                    v.type_name()
                ))),
            },
        }
    }
}

/// A packet list: a name, its elements and whether they are (sent, received) pairs.
pub struct PacketListObj {
    pub name: String,
    pub items: Vec<Value>,
    /// An SndRcvList: elements are `(sent, received)` tuples.
    pub pairs: bool,
    /// The results of `traceroute()` and `arping()` have views of their own.
    pub flavor: Flavor,
    pub reg: Rc<Registry>,
}

/// Which SndRcvList a list is: a plain one, or the result of a probing function, whose
/// `show()` is its own table (Scapy's TracerouteResult and ARPingResult).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flavor {
    Plain,
    Traceroute,
    ARPing,
}

/// The packet of a value, if it is one.
pub fn packet_of(v: &Value) -> Option<Packet> {
    downcast::<PacketObj>(v).map(|p| p.p.clone())
}

/// The packets of a value: a packet, a packet list or any iterable of packets.
pub fn packets_in(vm: &mut Vm<'_>, f: &str, v: &Value) -> PResult<Vec<Value>> {
    if packet_of(v).is_some() {
        return Ok(vec![v.clone()]);
    }
    if let Some(l) = downcast::<PacketListObj>(v) {
        return Ok(l.items.clone());
    }
    let items = vm.iterate(v).map_err(|_| {
        Exc::type_error(format!(
            "{f}() takes a packet or a list of packets, not '{}'",
            v.type_name()
        ))
    })?;
    Ok(items)
}

impl PacketListObj {
    /// A list as a value.
    pub fn value(
        name: impl Into<String>,
        items: Vec<Value>,
        pairs: bool,
        reg: &Rc<Registry>,
    ) -> Value {
        native(PacketListObj {
            name: name.into(),
            items,
            pairs,
            flavor: Flavor::Plain,
            reg: reg.clone(),
        })
    }

    /// The (sent, received) pairs of a probing function, as its result class.
    pub fn result(
        name: impl Into<String>,
        items: Vec<Value>,
        flavor: Flavor,
        reg: &Rc<Registry>,
    ) -> Value {
        native(PacketListObj {
            name: name.into(),
            items,
            pairs: true,
            flavor,
            reg: reg.clone(),
        })
    }

    /// A list of the same kind.
    fn derived(&self, name: String, items: Vec<Value>) -> Value {
        native(PacketListObj {
            name,
            items,
            pairs: self.pairs,
            flavor: self.flavor,
            reg: self.reg.clone(),
        })
    }

    /// The default name of this kind of list.
    fn default_name(&self) -> &'static str {
        if self.pairs {
            "Results"
        } else {
            "PacketList"
        }
    }

    /// The packet an element stands for: itself, the received packet of a pair, or the
    /// first packet of another tuple (defragment()'s `(packet, offset, length)`).
    pub fn packet(&self, elt: &Value) -> Option<Packet> {
        if let Some(p) = packet_of(elt) {
            return Some(p);
        }
        let Value::Tuple(t) = elt else {
            return None;
        };
        if self.pairs {
            return t.get(1).and_then(packet_of);
        }
        t.iter().find_map(packet_of)
    }

    /// Calls `f` with an element: a tuple unpacked, anything else as the one argument.
    fn call_with(vm: &mut Vm<'_>, f: &Value, elt: &Value) -> PResult<Value> {
        let args = match elt {
            Value::Tuple(t) => t.to_vec(),
            other => vec![other.clone()],
        };
        vm.call(f, args, Vec::new())
    }

    /// Whether an element passes `lfilter` (every element does without one).
    fn keep(vm: &mut Vm<'_>, lfilter: Option<&Value>, elt: &Value) -> PResult<bool> {
        match lfilter {
            None => Ok(true),
            Some(f) => {
                let r = Self::call_with(vm, f, elt)?;
                vm.truthy(&r)
            }
        }
    }

    /// An element's one-line summary: a pair as `sent ==> received`.
    fn summary_of(vm: &mut Vm<'_>, elt: &Value) -> PResult<String> {
        if let Some(p) = packet_of(elt) {
            let s = p.summary();
            drain(vm);
            return Ok(s);
        }
        if let Value::Tuple(t) = elt {
            let parts = t
                .iter()
                .map(|v| Self::summary_of(vm, v))
                .collect::<PResult<Vec<_>>>()?;
            return Ok(parts.join(" ==> "));
        }
        vm.str(elt)
    }

    /// `summary()` and `nsummary()`.
    fn summaries(&self, vm: &mut Vm<'_>, a: &Args, numbered: bool) -> PResult<()> {
        let prn = a.get(0, "prn").cloned();
        let lfilter = a.get(1, "lfilter").cloned();
        for (i, elt) in self.items.iter().enumerate() {
            if !Self::keep(vm, lfilter.as_ref(), elt)? {
                continue;
            }
            let text = match &prn {
                None => Self::summary_of(vm, elt)?,
                Some(f) => {
                    let r = Self::call_with(vm, f, elt)?;
                    vm.str(&r)?
                }
            };
            if numbered {
                vm.write(&format!("{i:04} "));
            }
            vm.write(&text);
            vm.write("\n");
        }
        Ok(())
    }

    /// The header line of an element in the hexdump views.
    fn header(&self, vm: &mut Vm<'_>, i: usize, elt: &Value, p: &Packet) -> PResult<String> {
        Ok(format!(
            "{i:04} {} {}\n",
            views::time_of_day(p.time()),
            Self::summary_of(vm, elt)?
        ))
    }

    /// `hexdump()`, `hexraw()`, `padding()` and `nzpadding()`: each kept element's header and
    /// the hexdump of its whole packet, its Raw load or its padding.
    fn dumps(&self, vm: &mut Vm<'_>, a: &Args, what: &str) -> PResult<()> {
        let lfilter = a.get(0, "lfilter").cloned();
        for (i, elt) in self.items.iter().enumerate() {
            if !Self::keep(vm, lfilter.as_ref(), elt)? {
                continue;
            }
            let Some(p) = self.packet(elt) else {
                continue;
            };
            let load = |class: &str| {
                p.getlayer(class, 1).and_then(|l| match l.get("load") {
                    Some(packet::Value::Bytes(b)) => Some(b),
                    _ => None,
                })
            };
            let (show, bytes) = match what {
                "hexdump" => (true, Some(build(vm, &p)?)),
                "hexraw" => (true, load("Raw")),
                "padding" => {
                    let pad = load("Padding");
                    (pad.is_some(), pad)
                }
                _ => {
                    let pad = load("Padding").filter(|b| b.iter().any(|&x| x != 0));
                    (pad.is_some(), pad)
                }
            };
            if !show {
                continue;
            }
            let head = self.header(vm, i, elt, &p)?;
            vm.write(&head);
            if let Some(b) = bytes {
                vm.write(&packet::hexdump(&b));
                vm.write("\n");
            }
        }
        Ok(())
    }

    /// `make_table()` and its variants: the cells the function gives for each element.
    fn table(&self, vm: &mut Vm<'_>, a: &Args, style: table::Style) -> PResult<Value> {
        make_table(vm, &self.items, a, style)
    }

    /// `sessions(session_extractor=None)`: a dict from session key to a list of its elements.
    fn sessions(&self, vm: &mut Vm<'_>, a: &Args) -> PResult<Value> {
        let extractor = a.get(0, "session_extractor").cloned();
        let mut groups: Vec<(Value, Vec<Value>)> = Vec::new();
        for elt in &self.items {
            let key = match (&extractor, self.packet(elt)) {
                (Some(f), Some(p)) => {
                    vm.call(f, vec![PacketObj::value(&p, &self.reg)], Vec::new())?
                }
                (Some(f), None) => vm.call(f, vec![elt.clone()], Vec::new())?,
                (None, Some(p)) => Value::str(views::session_key(&p)),
                (None, None) => Value::str("Other"),
            };
            let mut found = false;
            for (k, members) in groups.iter_mut() {
                if vm.eq(k, &key)? {
                    members.push(elt.clone());
                    found = true;
                    break;
                }
            }
            if !found {
                groups.push((key, vec![elt.clone()]));
            }
        }
        let mut d = Dict::new();
        for (k, members) in groups {
            let hk = vm.key(&k)?;
            d.insert(hk, self.derived(self.default_name().to_string(), members));
        }
        Ok(Value::Dict(Rc::new(RefCell::new(d))))
    }

    /// `conversations(getsrcdst=None, ...)`: the dot text (`string=True`), or the graph
    /// rendered by `dot` into `target` (`type=` or `format=`, default svg), or into a
    /// temporary file shown with `conf.prog.display`.
    fn conversations(&self, vm: &mut Vm<'_>, a: &Args) -> PResult<Value> {
        let getsrcdst = a.get(0, "getsrcdst").cloned();
        let mut conv = graph::Conversations::default();
        for elt in &self.items {
            let Some(p) = self.packet(elt) else {
                continue;
            };
            let ends = match &getsrcdst {
                None => views::conversation_ends(&p),
                // As in the reference, an element the function fails on is left out.
                Some(f) => match vm.call(f, vec![PacketObj::value(&p, &self.reg)], Vec::new()) {
                    Ok(r) => match vm.iterate(&r) {
                        Ok(v) if v.len() == 2 => Some((vm.str(&v[0])?, vm.str(&v[1])?)),
                        _ => None,
                    },
                    Err(Exc::Timeout) => return Err(Exc::Timeout),
                    Err(_) => None,
                },
            };
            if let Some((src, dst)) = ends {
                conv.add(src, dst);
            }
        }
        drain(vm);
        let text = conv.dot();
        if a.kw("string").is_some_and(Value::truthy) {
            return Ok(Value::str(text));
        }
        let format = match a.kw("type").or_else(|| a.kw("format")) {
            Some(v) => vm.str(v)?,
            None => "svg".to_string(),
        };
        let prog = match a.kw("prog") {
            Some(v) => vm.str(v)?,
            None => super::capture::prog_path("dot"),
        };
        let target = match a.kw("target") {
            Some(v) => Some(target_path(&vm.str(v)?)),
            None => None,
        };
        let shown = target.is_none();
        let path = match target {
            Some(p) => p,
            None => super::capture::temp_path(&format),
        };
        graph::render(&text, &prog, &format, &path).map_err(|m| Exc::new(ExcKind::OSError, m))?;
        if shown {
            super::capture::display(&path)?;
        }
        Ok(Value::None)
    }

    /// `plot(f, lfilter=None, plot_xy=False, target=None)`: `f` of each kept element as the
    /// y of its index (or an `(x, y)` with `plot_xy`), drawn into `target` (PNG, or SVG for a
    /// `.svg` name or `type="svg"`), or into a temporary PNG shown with `conf.prog.display`.
    fn plot(&self, vm: &mut Vm<'_>, a: &Args) -> PResult<Value> {
        let f = a.need("plot", 0, "f")?.clone();
        let lfilter = a.get(1, "lfilter").cloned();
        let xy = a.flag(2, "plot_xy");
        let mut points = Vec::new();
        for elt in &self.items {
            if !Self::keep(vm, lfilter.as_ref(), elt)? {
                continue;
            }
            let r = Self::call_with(vm, &f, elt)?;
            let point = if xy {
                let v = vm.iterate(&r)?;
                if v.len() != 2 {
                    return Err(Exc::value_error(
                        "plot(plot_xy=True) needs f to return (x, y)",
                    ));
                }
                (number(&v[0])?, number(&v[1])?)
            } else {
                (points.len() as f64, number(&r)?)
            };
            points.push(point);
        }
        let target = match a.kw("target") {
            Some(v) => Some(target_path(&vm.str(v)?)),
            None => None,
        };
        let format = match a.kw("type").or_else(|| a.kw("format")) {
            Some(v) if vm.str(v)?.eq_ignore_ascii_case("svg") => plot::Format::Svg,
            Some(_) => plot::Format::Png,
            None => target
                .as_deref()
                .map_or(plot::Format::Png, plot::Format::for_path),
        };
        let shown = target.is_none();
        let path = match target {
            Some(p) => p,
            None => super::capture::temp_path(match format {
                plot::Format::Svg => "svg",
                plot::Format::Png => "png",
            }),
        };
        plot::plot(&points, &path, format).map_err(|m| Exc::new(ExcKind::OSError, m))?;
        if shown {
            super::capture::display(&path)?;
        }
        Ok(Value::None)
    }

    fn method(&self, vm: &mut Vm<'_>, this: &Value, name: &str, a: Args) -> PResult<Value> {
        match name {
            "summary" => self.summaries(vm, &a, false).map(|()| Value::None),
            "show" if self.flavor != Flavor::Plain => {
                vm.write(&super::probes::show(self)?);
                Ok(Value::None)
            }
            "get_trace" if self.flavor == Flavor::Traceroute => super::probes::get_trace(vm, self),
            "nsummary" | "show" => self.summaries(vm, &a, true).map(|()| Value::None),
            "filter" => {
                let f = a.need("filter", 0, "func")?.clone();
                let mut kept = Vec::new();
                for elt in &self.items {
                    if Self::keep(vm, Some(&f), elt)? {
                        kept.push(elt.clone());
                    }
                }
                Ok(self.derived(format!("filtered {}", self.name), kept))
            }
            "hexdump" | "hexraw" | "padding" | "nzpadding" => {
                self.dumps(vm, &a, name).map(|()| Value::None)
            }
            "make_table" => self.table(vm, &a, table::Style::Plain),
            "make_lined_table" => self.table(vm, &a, table::Style::Lined),
            "make_tex_table" => self.table(vm, &a, table::Style::Tex),
            "sessions" => self.sessions(vm, &a),
            "conversations" => self.conversations(vm, &a),
            "plot" => self.plot(vm, &a),
            "getlayer" => {
                let cls = a.need("getlayer", 0, "cls")?;
                let Some(c) = downcast::<LayerClass>(cls) else {
                    return Err(Exc::type_error("getlayer() needs a layer class"));
                };
                let class = c.def.class_name.clone();
                let items = self
                    .items
                    .iter()
                    .filter_map(|elt| self.packet(elt))
                    .filter_map(|p| p.getlayer(&class, 1))
                    .map(|l| PacketObj::value(&l, &self.reg))
                    .collect();
                Ok(self.derived(format!("{} layer {class}", self.name), items))
            }
            "__iter__" => self
                .iter(this)
                .unwrap_or_else(|| Err(Exc::type_error("not iterable"))),
            "__len__" => Ok(Value::Int(self.items.len() as i64)),
            _ => Err(Exc::new(ExcKind::AttributeError, name.to_string())),
        }
    }
}

/// A number a plot callback returned.
fn number(v: &Value) -> PResult<f64> {
    match v {
        Value::Int(i) => Ok(*i as f64),
        Value::Bool(b) => Ok(f64::from(u8::from(*b))),
        Value::Float(f) => Ok(*f),
        Value::BigInt(b) => {
            use num_traits::ToPrimitive;
            Ok(b.to_f64().unwrap_or(f64::NAN))
        }
        other => match downcast::<super::objects::FlagValue>(other) {
            Some(f) => Ok(f.v.get() as f64),
            None => Err(Exc::type_error(format!(
                "plot() needs numbers, not '{}'",
                other.type_name()
            ))),
        },
    }
}

/// A target as the reference accepts it: a file name, or a shell redirection `> file`.
pub fn target_path(t: &str) -> PathBuf {
    PathBuf::from(t.trim_start().trim_start_matches('>').trim())
}

/// `make_table(items, f)` and its variants, for lists and for the functions of the same
/// names: `f` of each element (unpacked) gives `(x, y, z)`; printed, or returned with
/// `dump=True`.
pub fn make_table(
    vm: &mut Vm<'_>,
    items: &[Value],
    a: &Args,
    style: table::Style,
) -> PResult<Value> {
    let f = a.need("make_table", 0, "fxyz")?.clone();
    let mut cells = Vec::with_capacity(items.len());
    for elt in items {
        let r = PacketListObj::call_with(vm, &f, elt)?;
        let v = vm.iterate(&r)?;
        if v.len() != 3 {
            return Err(Exc::value_error(format!(
                "{} values to unpack (expected 3)",
                if v.len() > 3 {
                    "too many"
                } else {
                    "not enough"
                }
            )));
        }
        cells.push((vm.str(&v[0])?, vm.str(&v[1])?, vm.str(&v[2])?));
    }
    drain(vm);
    let text = table::make_table(&cells, style);
    if a.kw("dump").is_some_and(Value::truthy) {
        return Ok(Value::str(text));
    }
    vm.write(&text);
    Ok(Value::None)
}

const METHODS: &[&str] = &[
    "get_trace",
    "summary",
    "nsummary",
    "show",
    "filter",
    "hexdump",
    "hexraw",
    "padding",
    "nzpadding",
    "make_table",
    "make_lined_table",
    "make_tex_table",
    "sessions",
    "conversations",
    "plot",
    "getlayer",
    "__iter__",
    "__len__",
];

impl NativeObject for PacketListObj {
    fn type_name(&self) -> &str {
        match (self.flavor, self.pairs) {
            (Flavor::Traceroute, _) => "TracerouteResult",
            (Flavor::ARPing, _) => "ARPingResult",
            (Flavor::Plain, true) => "SndRcvList",
            (Flavor::Plain, false) => "PacketList",
        }
    }
    fn repr(&self) -> String {
        let packets: Vec<Option<Packet>> = self.items.iter().map(|e| self.packet(e)).collect();
        views::counts_repr(&self.name, packets.iter().map(Option::as_ref))
    }
    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }
    fn truthy(&self) -> bool {
        !self.items.is_empty()
    }
    fn get_attr(&self, _vm: &mut Vm<'_>, _this: &Value, name: &str) -> Option<PResult<Value>> {
        match name {
            "res" => Some(Ok(Value::list(self.items.clone()))),
            "listname" => Some(Ok(Value::str(self.name.clone()))),
            "stats" => Some(Ok(Value::list(
                ["TCP", "UDP", "ICMP"]
                    .iter()
                    .filter_map(|c| self.reg.get(c))
                    .map(|d| LayerClass::value(&d, &self.reg))
                    .collect(),
            ))),
            _ => None,
        }
    }
    fn method_names(&self) -> &'static [&'static str] {
        METHODS
    }
    fn call_method(
        &self,
        vm: &mut Vm<'_>,
        this: &Value,
        name: &str,
        args: Vec<Value>,
        kw: Vec<(Sym, Value)>,
    ) -> Option<PResult<Value>> {
        if !METHODS.contains(&name) || (name == "get_trace" && self.flavor != Flavor::Traceroute) {
            return None;
        }
        let a = Args::new(vm, args, kw);
        let r = self.method(vm, this, name, a);
        drain(vm);
        Some(r)
    }
    fn iter(&self, _this: &Value) -> Option<PResult<Value>> {
        Some(Ok(Value::Iterator(Rc::new(RefCell::new(IterObj {
            type_name: "list_iterator",
            items: self.items.clone(),
            pos: 0,
        })))))
    }
    fn items(&self) -> Option<PResult<Vec<Value>>> {
        Some(Ok(self.items.clone()))
    }
    fn len(&self) -> Option<usize> {
        Some(self.items.len())
    }
    fn contains(&self, item: &Value) -> Option<PResult<bool>> {
        Some(Ok(self.items.iter().any(|v| {
            super::super::ops::is(v, item)
                || matches!((packet_of(v), packet_of(item)), (Some(a), Some(b)) if a.same_as(&b))
        })))
    }
    fn get_item(&self, key: &Value) -> Option<PResult<Value>> {
        let i = match key {
            Value::Int(i) => *i,
            Value::Bool(b) => i64::from(*b),
            other => {
                return Some(Err(Exc::type_error(format!(
                    "list indices must be integers or slices, not {}",
                    other.type_name()
                ))))
            }
        };
        let n = self.items.len() as i64;
        let at = if i < 0 { i + n } else { i };
        Some(
            usize::try_from(at)
                .ok()
                .and_then(|k| self.items.get(k).cloned())
                .ok_or_else(|| Exc::new(ExcKind::IndexError, "list index out of range")),
        )
    }
    fn get_slice(
        &self,
        start: Option<i64>,
        stop: Option<i64>,
        step: Option<i64>,
    ) -> Option<PResult<Value>> {
        let all = Value::list(self.items.clone());
        Some(
            super::super::ops::get_slice(&all, start, stop, step).map(|v| {
                let items = match &v {
                    Value::List(l) => l.borrow().clone(),
                    _ => Vec::new(),
                };
                self.derived(format!("mod {}", self.name), items)
            }),
        )
    }
    fn binary(&self, op: BinOp, other: &Value, reflected: bool) -> Option<PResult<Value>> {
        if op != BinOp::Add || reflected {
            return None;
        }
        Some(match downcast::<PacketListObj>(other) {
            Some(o) => {
                let mut items = self.items.clone();
                items.extend(o.items.iter().cloned());
                Ok(self.derived(format!("{}+{}", self.name, o.name), items))
            }
            None => Err(Exc::new(
                ExcKind::AttributeError,
                format!("'{}' object has no attribute 'res'", other.type_name()),
            )),
        })
    }
}

/// The classes `PacketList(res=None, name="PacketList")` and
/// `SndRcvList(res=None, name="Results")`.
pub struct ListClass {
    pub pairs: bool,
    pub reg: Rc<Registry>,
}

impl NativeObject for ListClass {
    fn type_name(&self) -> &str {
        "type"
    }
    fn repr(&self) -> String {
        if self.pairs {
            "<class 'scapy.plist.SndRcvList'>".to_string()
        } else {
            "<class 'scapy.plist.PacketList'>".to_string()
        }
    }
    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }
    fn get_attr(&self, _vm: &mut Vm<'_>, _this: &Value, name: &str) -> Option<PResult<Value>> {
        (name == "__name__").then(|| {
            Ok(Value::str(if self.pairs {
                "SndRcvList"
            } else {
                "PacketList"
            }))
        })
    }
    fn call(
        &self,
        vm: &mut Vm<'_>,
        args: Vec<Value>,
        kw: Vec<(Sym, Value)>,
    ) -> Option<PResult<Value>> {
        let a = Args::new(vm, args, kw);
        Some((|| {
            let items = match a.get(0, "res") {
                None => Vec::new(),
                Some(v) => packets_in(vm, self.type_name_of(), v)?,
            };
            let name = a.text(self.type_name_of(), 1, "name")?.unwrap_or_else(|| {
                if self.pairs {
                    "Results".to_string()
                } else {
                    "PacketList".to_string()
                }
            });
            Ok(PacketListObj::value(name, items, self.pairs, &self.reg))
        })())
    }
}

impl ListClass {
    fn type_name_of(&self) -> &'static str {
        if self.pairs {
            "SndRcvList"
        } else {
            "PacketList"
        }
    }
}
