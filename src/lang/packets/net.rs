//! The live network in the language (the documentation's "Sending packets", "Send and
//! receive", "Sniffing", "Routing"): `send`/`sendp`, `sr`/`sr1`/`srp`/`srp1`, `srloop`/
//! `srploop`, `sniff`, `AsyncSniffer`, the interface and address functions, `getmacbyip`/
//! `getmacbyip6`, the super socket classes and `conf`'s network settings (`conf.iface`,
//! `conf.route`, `conf.route6`, `conf.netcache`, `conf.L2socket`/`L3socket`/`L2listen`,
//! `conf.use_pcap`, the matching switches).
//!
//! The work is `crate::net`'s; this module reads the arguments as Scapy 2.8 does, turns frames
//! into packets and writes the progress output into the transcript. Each session has one
//! [`NetSession`] (installed as the engine's resolver, so builds resolve MACs by ARP/ND).

use std::cell::RefCell;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::rc::Rc;
use std::time::{Duration, Instant};

use crate::net::session::{NetSession, Outgoing};
use crate::net::sndrcv::{
    self, sleep_unless, BackgroundCapture, SniffError, SrError, SrIo, SrParams, Transmitter,
};
use crate::net::socket::{
    self, Frame, FrameRx, IfaceRef, PacketOpts, PerIfaceTx, RawIpTx, SocketKind,
};
use crate::net::{NetError, RouteSpec};
use crate::packet::{matching, Packet, Registry};
use crate::pcapfile::linktype;

use super::super::ast::Sym;
use super::super::exceptions::{Exc, ExcKind, PResult};
use super::super::interp::{State, Vm};
use super::super::objects::{downcast, native};
use super::super::value::{NativeObject, Value};
use super::libfn::LibFn;
use super::lists::{Args, PacketListObj};
use super::objects::{obj_addr, PacketObj, VolatileObj};
use super::{build, drain};

/// The functions, by the names the namespace gives them.
const FUNCS: &[&str] = &[
    "send",
    "sendp",
    "sr",
    "sr1",
    "srp",
    "srp1",
    "srloop",
    "srploop",
    "sniff",
    "AsyncSniffer",
    "get_if_list",
    "get_if_addr",
    "get_if_addr6",
    "get_if_hwaddr",
    "get_if_raw_hwaddr",
    "get_working_if",
    "getmacbyip",
    "getmacbyip6",
    "arping",
    "traceroute",
    "report_ports",
];

/// The names this module puts into a session.
pub fn names() -> Vec<&'static str> {
    FUNCS
        .iter()
        .copied()
        .chain(SocketKind::ALL.iter().map(|k| k.name()))
        .collect()
}

/// A session's network side as the language reaches it.
pub(super) struct NetLang {
    pub(super) session: Rc<NetSession>,
    pub(super) reg: Rc<Registry>,
    /// Socket choices and switches that are not plain values of `conf`.
    settings: RefCell<Settings>,
}

/// `conf`'s network settings.
struct Settings {
    l2socket: SocketKind,
    l3socket: SocketKind,
    l2listen: SocketKind,
    use_pcap: bool,
    verb: i64,
    sniff_promisc: bool,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            l2socket: SocketKind::L2Socket,
            l3socket: SocketKind::L3PacketSocket,
            l2listen: SocketKind::L2ListenSocket,
            use_pcap: false,
            verb: 2,
            sniff_promisc: true,
        }
    }
}

thread_local! {
    static NET: RefCell<Option<Rc<NetLang>>> = const { RefCell::new(None) };
}

fn net() -> PResult<Rc<NetLang>> {
    NET.with(|n| n.borrow().clone())
        .ok_or_else(|| Exc::new(ExcKind::RuntimeError, "no network session"))
}

/// Installs the functions and socket classes, and the session's network state as the
/// engine's resolver.
pub fn install(st: &mut State, reg: &Rc<Registry>) {
    let session = Rc::new(NetSession::new(st.stop.atomic()));
    crate::packet::resolver::install(session.clone());
    matching::set_conf(matching::MatchConf::default());
    NET.with(|n| {
        *n.borrow_mut() = Some(Rc::new(NetLang {
            session,
            reg: reg.clone(),
            settings: RefCell::new(Settings::default()),
        }))
    });
    for &name in FUNCS {
        let f = if name == "AsyncSniffer" {
            let repr = "<class 'scapy.sendrecv.AsyncSniffer'>".to_string();
            LibFn::class(name, repr, (), call)
        } else {
            LibFn::function(name, (), call)
        };
        st.set_builtin(name, f);
    }
    for k in SocketKind::ALL {
        st.set_builtin(k.name(), native(SocketClass(k)));
    }
}

// ---- errors -------------------------------------------------------------------------------

fn net_err(e: NetError) -> Exc {
    match e.python_class() {
        "OSError" => Exc::new(ExcKind::OSError, e.to_string()),
        _ => Exc::value_error(e.to_string()),
    }
}

fn io_err(e: std::io::Error) -> Exc {
    let msg = e.to_string();
    match e.kind() {
        std::io::ErrorKind::PermissionDenied => {
            Exc::new(ExcKind::PermissionError, format!("[Errno 1] {msg}"))
        }
        std::io::ErrorKind::NotFound => Exc::new(ExcKind::OSError, format!("[Errno 19] {msg}")),
        std::io::ErrorKind::InvalidInput if msg.starts_with("Cannot set filter") => {
            Exc::new(ExcKind::Scapy_Exception, msg)
        }
        _ => Exc::new(ExcKind::OSError, msg),
    }
}

fn text_err(m: String) -> Exc {
    if m.starts_with("Cannot set filter") {
        return Exc::new(ExcKind::Scapy_Exception, m);
    }
    if m.starts_with("Interface '") {
        return Exc::value_error(m);
    }
    if m.contains("needs root") {
        return Exc::new(ExcKind::PermissionError, format!("[Errno 1] {m}"));
    }
    if m.starts_with("While building") {
        return Exc::value_error(m);
    }
    Exc::new(ExcKind::OSError, m)
}

// ---- arguments ----------------------------------------------------------------------------

/// What the network functions read from their arguments beyond [`Args`]: numbers, durations
/// and interface names (a str or an interface object).
trait NetArgs {
    fn int(&self, name: &str) -> PResult<Option<i64>>;
    fn seconds(&self, name: &str) -> PResult<Option<Duration>>;
    fn iface_text(&self, i: usize, name: &str) -> PResult<Option<String>>;
}

impl NetArgs for Args {
    fn int(&self, name: &str) -> PResult<Option<i64>> {
        match self.kw(name) {
            None => Ok(None),
            Some(Value::Int(i)) => Ok(Some(*i)),
            Some(Value::Bool(b)) => Ok(Some(i64::from(*b))),
            Some(Value::Float(f)) => Ok(Some(*f as i64)),
            Some(other) => Err(Exc::type_error(format!(
                "{name} must be an int, not '{}'",
                other.type_name()
            ))),
        }
    }

    /// A duration in seconds (int, float or a random value drawn now).
    fn seconds(&self, name: &str) -> PResult<Option<Duration>> {
        match self.kw(name) {
            None => Ok(None),
            Some(v) => seconds_of(v, name).map(Some),
        }
    }

    fn iface_text(&self, i: usize, name: &str) -> PResult<Option<String>> {
        match self.get(i, name) {
            None => Ok(None),
            Some(Value::Str(s)) => Ok(Some(s.s.clone())),
            Some(v) => match downcast::<IfaceObj>(v) {
                Some(i) => Ok(Some(i.name.clone())),
                None => Err(Exc::type_error(format!(
                    "{name} must be a str, not '{}'",
                    v.type_name()
                ))),
            },
        }
    }
}

fn seconds_of(v: &Value, name: &str) -> PResult<Duration> {
    let f = match v {
        Value::Int(i) => *i as f64,
        Value::Bool(b) => f64::from(u8::from(*b)),
        Value::Float(f) => *f,
        other => match downcast::<VolatileObj>(other) {
            Some(r) => match r.0.draw() {
                crate::packet::Value::Int(i) => i as f64,
                crate::packet::Value::Float(f) => f,
                _ => return Err(Exc::type_error(format!("{name} must be a number"))),
            },
            None => {
                return Err(Exc::type_error(format!(
                    "{name} must be a number, not '{}'",
                    other.type_name()
                )))
            }
        },
    };
    if !f.is_finite() || f < 0.0 {
        return Ok(Duration::ZERO);
    }
    Ok(Duration::from_secs_f64(f.min(1e9)))
}

fn verbose(a: &Args, n: &NetLang) -> PResult<i64> {
    Ok(verbosity(a.kw("verbose"), n))
}

/// A `verbose=` argument's level; absent (or None), `conf.verb`.
pub(super) fn verbosity(v: Option<&Value>, n: &NetLang) -> i64 {
    match v {
        Some(Value::Int(i)) => *i,
        Some(Value::Bool(b)) => i64::from(*b),
        Some(other) => i64::from(other.truthy()),
        None => n.settings.borrow().verb,
    }
}

/// Host names in IPv4 address fields replaced by their addresses, as iterating Scapy's
/// `Net("name/32")` gives them: the packets sent, routed and matched carry the address.
fn resolve_names(p: &Packet) {
    let r = crate::packet::resolver::current();
    for l in p.layers() {
        let names: Vec<(usize, String)> = {
            let d = l.data();
            d.explicit_order()
                .into_iter()
                .filter_map(|i| match d.explicit(i) {
                    Some(crate::packet::Value::Str(s))
                        if d.def().fields[i].kind.class_name().ends_with("IPField")
                            && crate::packet::sets::inet_aton(s).is_none() =>
                    {
                        Some((i, s.clone()))
                    }
                    _ => None,
                })
                .collect()
        };
        for (i, s) in names {
            if let Some(a) = r.host_ipv4(&s) {
                l.data_mut().set_raw(i, crate::packet::Value::Ip4(a));
            }
        }
    }
}

/// The packets a send function sends: a packet's implicit set, each packet of a list, or a
/// str/bytes as Raw.
fn probes(vm: &mut Vm<'_>, reg: &Rc<Registry>, x: &Value) -> PResult<Vec<Packet>> {
    if let Some(p) = downcast::<PacketObj>(x) {
        let pkts = if p.p.is_set() {
            p.p.iter_set()
        } else {
            vec![p.p.copy()]
        };
        pkts.iter().for_each(resolve_names);
        return Ok(pkts);
    }
    let raw = |b: Vec<u8>| -> PResult<Packet> {
        let p = reg
            .new_layer("Raw")
            .map_err(|e| Exc::value_error(format!("{e:?}")))?;
        p.set("load", crate::packet::Value::Bytes(b))
            .map_err(super::field_err)?;
        Ok(p)
    };
    match x {
        Value::Str(s) => return Ok(vec![raw(s.s.as_bytes().to_vec())?]),
        Value::Bytes(b) => return Ok(vec![raw(b.to_vec())?]),
        _ => {}
    }
    let mut out = Vec::new();
    for v in vm.iterate(x)? {
        out.extend(probes(vm, reg, &v)?);
    }
    Ok(out)
}

fn packet_value(p: &Packet, reg: &Rc<Registry>) -> Value {
    PacketObj::value(p, reg)
}

/// A received frame as a packet, dissected by its link type's layer (the capture files'
/// choice: Raw for link types without one).
fn frame_packet(reg: &Rc<Registry>, f: &Frame) -> Option<Packet> {
    let class = crate::results::linktype::class_for(f.linktype, &f.data).unwrap_or("Raw");
    let def = reg.get(class).or_else(|| reg.get("Raw"))?;
    Some(crate::packet::dissect(&def, &f.data))
}

/// The level 3 packet of a frame (Scapy's level 3 sockets return the link layer's payload).
fn frame_l3(reg: &Rc<Registry>, f: &Frame) -> Option<Packet> {
    let p = frame_packet(reg, f)?;
    if f.linktype == linktype::ETHERNET {
        return p.payload();
    }
    Some(p)
}

// ---- socket choice ------------------------------------------------------------------------

fn kind_of(v: &Value) -> PResult<SocketKind> {
    match downcast::<SocketClass>(v) {
        Some(c) => Ok(c.0),
        None => Err(Exc::type_error(format!(
            "a super socket class is needed, not '{}'",
            v.type_name()
        ))),
    }
}

/// The interfaces a name, a list of names or None (every interface that is up) stand for.
fn ifaces_of(n: &NetLang, v: Option<&Value>) -> PResult<Vec<IfaceRef>> {
    let s = &n.session;
    match v {
        None => s.up_ifaces().map_err(net_err),
        Some(Value::Str(name)) => Ok(vec![s.iface(&name.s).map_err(net_err)?]),
        Some(v) if downcast::<IfaceObj>(v).is_some() => {
            let name = downcast::<IfaceObj>(v)
                .map(|i| i.name.clone())
                .unwrap_or_default();
            Ok(vec![s.iface(&name).map_err(net_err)?])
        }
        Some(Value::List(l)) => {
            let items = l.borrow().clone();
            items
                .iter()
                .map(|i| iface_name(i).and_then(|nm| s.iface(&nm).map_err(net_err)))
                .collect()
        }
        Some(Value::Tuple(t)) => t
            .iter()
            .map(|i| iface_name(i).and_then(|nm| s.iface(&nm).map_err(net_err)))
            .collect(),
        Some(other) => Err(Exc::type_error(format!(
            "iface must be a name or a list of names, not '{}'",
            other.type_name()
        ))),
    }
}

fn iface_name(v: &Value) -> PResult<String> {
    match v {
        Value::Str(s) => Ok(s.s.clone()),
        other => downcast::<IfaceObj>(other)
            .map(|i| i.name.clone())
            .ok_or_else(|| Exc::type_error("interface names must be str")),
    }
}

/// A listening socket of `kind` on `ifaces`.
fn open_listen(
    kind: SocketKind,
    ifaces: &[IfaceRef],
    filter: Option<&str>,
    promisc: bool,
    incoming_only: bool,
) -> PResult<Box<dyn FrameRx>> {
    if ifaces.is_empty() {
        return Err(Exc::new(ExcKind::OSError, "no interface to listen on"));
    }
    if kind.is_pcap() {
        let names: Vec<String> = ifaces.iter().map(|i| i.name.clone()).collect();
        return Ok(Box::new(
            socket::pcap_listen(&names, filter, promisc, incoming_only).map_err(io_err)?,
        ));
    }
    let opts = PacketOpts {
        filter: filter.map(str::to_string),
        incoming_only,
        promisc,
    };
    Ok(Box::new(socket::l2_listen(ifaces, &opts).map_err(io_err)?))
}

/// The level 3 transmitter of `kind`.
fn l3_transmitter(kind: SocketKind) -> Transmitter {
    match kind {
        SocketKind::L3RawSocket => Transmitter::RawIp(RawIpTx::new()),
        SocketKind::L3pcapSocket => Transmitter::Pcap(Default::default()),
        _ => Transmitter::PerIface(PerIfaceTx::default()),
    }
}

/// Frames a level 3 packet for `kind`: routed and framed, or as it is for the raw socket.
fn l3_out(
    vm: &mut Vm<'_>,
    n: &NetLang,
    kind: SocketKind,
    p: &Packet,
    iface: Option<&str>,
) -> PResult<Outgoing> {
    if kind == SocketKind::L3RawSocket {
        build(vm, p).map(|bytes| Outgoing { iface: None, bytes })
    } else {
        let r = n.session.l3_frame(&n.reg, p, iface).map_err(text_err);
        drain(vm);
        r
    }
}

// ---- the functions ------------------------------------------------------------------------

/// A network function (or `AsyncSniffer`), over the session's network.
fn call(
    _: &(),
    vm: &mut Vm<'_>,
    name: &'static str,
    args: Vec<Value>,
    kw: Vec<(Sym, Value)>,
) -> PResult<Value> {
    let a = Args::new(vm, args, kw);
    let r = net().and_then(|n| run(vm, &n, name, &a));
    drain(vm);
    r
}

fn run(vm: &mut Vm<'_>, n: &Rc<NetLang>, f: &str, a: &Args) -> PResult<Value> {
    match f {
        "send" => send(vm, n, a, false),
        "sendp" => send(vm, n, a, true),
        "sr" | "sr1" | "srp" | "srp1" => {
            let l2 = f.starts_with("srp");
            let x = a.need(f, 0, "x")?.clone();
            let (ans, unans) = sr(vm, n, &x, a, l2, None)?;
            if f.ends_with('1') {
                return Ok(ans
                    .first()
                    .map(|(_, r)| packet_value(r, &n.reg))
                    .unwrap_or(Value::None));
            }
            Ok(sr_results(n, ans, unans))
        }
        "srloop" | "srploop" => srloop(vm, n, a, f == "srploop"),
        "arping" => super::probes::arping(vm, n, a),
        "traceroute" => super::probes::traceroute(vm, n, a),
        "report_ports" => super::probes::report_ports(vm, a),
        "sniff" => sniff(vm, n, a),
        "AsyncSniffer" => Ok(native(AsyncSnifferObj::new(a))),
        "get_if_list" => {
            let h = n.session.host().map_err(net_err)?;
            let mut h = h.borrow_mut();
            h.reload_ifaces().map_err(net_err)?;
            Ok(Value::list(
                h.get_if_list().into_iter().map(Value::str).collect(),
            ))
        }
        "get_if_addr" | "get_if_addr6" | "get_if_hwaddr" | "get_if_raw_hwaddr" => {
            let iff = a.iface_text(0, "iff")?.ok_or_else(|| {
                Exc::type_error(format!(
                    "{f}() missing 1 required positional argument: 'iff'"
                ))
            })?;
            let h = n.session.host().map_err(net_err)?;
            let mut h = h.borrow_mut();
            Ok(match f {
                "get_if_addr" => Value::str(h.get_if_addr(&iff).map_err(net_err)?.to_string()),
                "get_if_addr6" => match h.get_if_addr6(&iff).map_err(net_err)? {
                    Some(a) => Value::str(crate::net::addr::fmt_ipv6(&a)),
                    None => Value::None,
                },
                "get_if_hwaddr" => Value::str(h.get_if_hwaddr(&iff).map_err(net_err)?),
                _ => {
                    let (kind, mac) = h.get_if_raw_hwaddr(&iff).map_err(net_err)?;
                    Value::tuple(vec![
                        Value::Int(i64::from(kind)),
                        Value::bytes(mac.to_vec()),
                    ])
                }
            })
        }
        "get_working_if" => {
            let name = n.session.default_iface().map_err(net_err)?;
            iface_value(n, &name)
        }
        "getmacbyip" => {
            let ip = a.iface_text(0, "ip")?.unwrap_or_default();
            let ip: Ipv4Addr = crate::net::addr::inet_aton(&ip).ok_or_else(|| {
                Exc::new(
                    ExcKind::OSError,
                    "illegal IP address string passed to inet_aton",
                )
            })?;
            Ok(n.session
                .getmacbyip(ip)
                .map(Value::str)
                .unwrap_or(Value::None))
        }
        "getmacbyip6" => {
            let ip = a.iface_text(0, "ip6")?.unwrap_or_default();
            let ip: Ipv6Addr = ip.parse().map_err(|_| {
                Exc::new(
                    ExcKind::OSError,
                    "illegal IP address string passed to inet_pton",
                )
            })?;
            Ok(n.session
                .getmacbyip6(ip)
                .map(Value::str)
                .unwrap_or(Value::None))
        }
        _ => Err(Exc::type_error(format!("'{f}' is not callable"))),
    }
}

/// `send` (level 3) and `sendp` (level 2): Scapy's `__gen_send`, a "." per packet and
/// "Sent N packets." at the end.
fn send(vm: &mut Vm<'_>, n: &Rc<NetLang>, a: &Args, l2: bool) -> PResult<Value> {
    let x = a.need(if l2 { "sendp" } else { "send" }, 0, "x")?.clone();
    let verbose = verbose(a, n)?;
    let inter = a.kw("inter").cloned();
    let count = a.int("count")?;
    let mut lp = a.int("loop")?.unwrap_or(0);
    if let Some(c) = count {
        lp = -c;
    } else if lp == 0 {
        lp = -1;
    }
    let iface = a.iface_text(usize::MAX, "iface")?;
    let pkts = probes(vm, &n.reg, &x)?;
    let kind = match a.kw("socket") {
        Some(s) => downcast::<SuperSocketObj>(s).map(|s| s.kind),
        None => None,
    };
    let settings_kind = if l2 {
        n.settings.borrow().l2socket
    } else {
        n.settings.borrow().l3socket
    };
    let kind = kind.unwrap_or(settings_kind);
    let mut tx = if l2 {
        let name = match iface.clone() {
            Some(i) => i,
            None => n.session.default_iface().map_err(net_err)?,
        };
        let ir = n.session.iface(&name).map_err(net_err)?;
        if kind.is_pcap() {
            Transmitter::One(Box::new(socket::pcap_tx(&ir.name).map_err(io_err)?))
        } else {
            let (t, _rx) = socket::l2_socket(&ir, &PacketOpts::default()).map_err(io_err)?;
            Transmitter::One(t)
        }
    } else {
        l3_transmitter(kind)
    };
    let mut sent = Vec::new();
    let mut count_sent = 0usize;
    let stop = n.session.stop.clone();
    let mut result: PResult<()> = Ok(());
    'outer: while lp != 0 {
        for p in &pkts {
            if let Err(e) = vm.poll_stop() {
                result = Err(e);
                break 'outer;
            }
            let out = if l2 {
                Outgoing {
                    iface: None,
                    bytes: build(vm, p)?,
                }
            } else {
                l3_out(vm, n, kind, p, iface.as_deref())?
            };
            tx.send(&out).map_err(io_err)?;
            if a.flag(usize::MAX, "return_packets") {
                sent.push(packet_value(p, &n.reg));
            }
            count_sent += 1;
            if verbose != 0 {
                vm.write(".");
            }
            if let Some(i) = &inter {
                let d = seconds_of(i, "inter")?;
                if !d.is_zero()
                    && !sleep_unless(d, &|| stop.load(std::sync::atomic::Ordering::Relaxed) != 0)
                {
                    continue;
                }
            }
        }
        if lp < 0 {
            lp += 1;
        }
    }
    if verbose != 0 {
        vm.write(&format!("\nSent {count_sent} packets.\n"));
    }
    result?;
    if a.flag(usize::MAX, "return_packets") {
        return Ok(packet_list(&n.reg, "PacketList", sent));
    }
    Ok(Value::None)
}

/// The level 2 interface of `srp`/`sendp`: `iface`, else the route of `iface_hint`, else
/// `conf.iface`.
fn l2_iface(n: &NetLang, a: &Args) -> PResult<String> {
    if let Some(i) = a.iface_text(usize::MAX, "iface")? {
        return Ok(i);
    }
    if let Some(h) = a.iface_text(usize::MAX, "iface_hint")? {
        let host = n.session.host().map_err(net_err)?;
        let r = host.borrow().route(Some(&h), None).map_err(net_err)?;
        return Ok(r.iface);
    }
    n.session.default_iface().map_err(net_err)
}

/// What `sr()` gives: the (sent, answer) pairs and the unanswered probes.
type Exchange = (Vec<(Packet, Packet)>, Vec<Packet>);

/// `sr`/`srp` (and their variants): probes sent from a thread while answers are received
/// and matched here. `verbose_override` is srloop's `verbose=0`.
fn sr(
    vm: &mut Vm<'_>,
    n: &Rc<NetLang>,
    x: &Value,
    a: &Args,
    l2: bool,
    verbose_override: Option<i64>,
) -> PResult<Exchange> {
    let pkts = probes(vm, &n.reg, x)?;
    let params = SrParams {
        timeout: a.seconds("timeout")?,
        inter: a.seconds("inter")?.unwrap_or(Duration::ZERO),
        retry: a.int("retry")?.unwrap_or(0),
        multi: a.flag(usize::MAX, "multi"),
        verbose: match verbose_override {
            Some(v) => v,
            None => verbose(a, n)?,
        },
    };
    let filter = if a.flag(usize::MAX, "nofilter") {
        None
    } else {
        a.iface_text(usize::MAX, "filter")?
    };
    let promisc = n.settings.borrow().sniff_promisc;
    let (kind, tx, mut rx): (SocketKind, Transmitter, Box<dyn FrameRx>) = if l2 {
        let kind = n.settings.borrow().l2socket;
        let name = l2_iface(n, a)?;
        let ir = n.session.iface(&name).map_err(net_err)?;
        if kind.is_pcap() {
            let rx = open_listen(
                kind,
                std::slice::from_ref(&ir),
                filter.as_deref(),
                promisc,
                true,
            )?;
            let tx = Transmitter::One(Box::new(socket::pcap_tx(&ir.name).map_err(io_err)?));
            (kind, tx, rx)
        } else {
            let opts = PacketOpts {
                filter: filter.clone(),
                incoming_only: true,
                promisc,
            };
            let (tx, rx) = socket::l2_socket(&ir, &opts).map_err(io_err)?;
            (kind, Transmitter::One(tx), Box::new(rx))
        }
    } else {
        let kind = n.settings.borrow().l3socket;
        let iface = a.iface_text(usize::MAX, "iface")?;
        let listen_on = match &iface {
            Some(i) => vec![n.session.iface(i).map_err(net_err)?],
            None => n.session.up_ifaces().map_err(net_err)?,
        };
        let rx = open_listen(kind, &listen_on, filter.as_deref(), false, true)?;
        (kind, l3_transmitter(kind), rx)
    };
    let iface = a.iface_text(usize::MAX, "iface")?;
    let reg = n.reg.clone();
    let stop = n.session.stop.clone();
    let stopped = || stop.load(std::sync::atomic::Ordering::Relaxed) != 0;
    // Progress text and the framing's warnings are kept, then written in order.
    let out_text = RefCell::new(String::new());
    let vm_cell = RefCell::new(vm);
    let mut write = |s: &str| {
        let mut t = out_text.borrow_mut();
        t.push_str(s);
        // Flush at line ends so the transcript follows along.
        if s.ends_with('\n') || s.len() == 1 {
            if let Ok(mut vm) = vm_cell.try_borrow_mut() {
                vm.write(&t);
                t.clear();
            }
        }
    };
    let mut prepare = |p: &Packet| -> Result<Outgoing, String> {
        let mut vm = vm_cell
            .try_borrow_mut()
            .map_err(|_| "busy interpreter".to_string())?;
        if l2 {
            let r = p
                .build()
                .map_err(|e| format!("While building field '{}': {}", e.field, e.message));
            drain(&mut vm);
            r.map(|bytes| Outgoing { iface: None, bytes })
        } else {
            let r = if kind == SocketKind::L3RawSocket {
                p.build()
                    .map(|bytes| Outgoing { iface: None, bytes })
                    .map_err(|e| format!("While building field '{}': {}", e.field, e.message))
            } else {
                n.session.l3_frame(&n.reg, p, iface.as_deref())
            };
            drain(&mut vm);
            r
        }
    };
    let mut dissect = |f: &Frame| -> Option<Packet> {
        let p = if l2 {
            frame_packet(&reg, f)
        } else {
            frame_l3(&reg, f)
        };
        // Dissection warnings of unrelated traffic stay out of the transcript.
        let _ = crate::packet::log::take_warnings();
        p
    };
    let mut io = SrIo {
        write: &mut write,
        stopped: &stopped,
        prepare: &mut prepare,
        dissect: &mut dissect,
    };
    let r = sndrcv::sndrcv(
        &pkts,
        tx,
        rx.as_mut(),
        &params,
        n.session.stop.clone(),
        &mut io,
    );
    let vm = vm_cell.into_inner();
    let rest = out_text.into_inner();
    if !rest.is_empty() {
        vm.write(&rest);
    }
    match r {
        Ok(o) => Ok((
            o.answered
                .into_iter()
                .map(|(i, r)| (pkts[i].clone(), r))
                .collect(),
            o.unanswered.into_iter().map(|i| pkts[i].clone()).collect(),
        )),
        Err(SrError::Stopped) => {
            vm.poll_stop()?;
            Err(Exc::bare(ExcKind::KeyboardInterrupt))
        }
        Err(SrError::Io(m)) => Err(text_err(m)),
    }
}

/// `srloop`/`srploop`: the same probes sent `count` times (forever without), a line per
/// answer and per unanswered probe, then the hit rate.
fn srloop(vm: &mut Vm<'_>, n: &Rc<NetLang>, a: &Args, l2: bool) -> PResult<Value> {
    let x = a
        .need(if l2 { "srploop" } else { "srloop" }, 0, "pkts")?
        .clone();
    let verbose = verbose(a, n)?;
    let inter = a.seconds("inter")?.unwrap_or(Duration::from_secs(1));
    let mut count = a.int("count")?;
    let store = a.kw("store").map(Value::truthy).unwrap_or(true);
    let prn = a.kw("prn").cloned();
    let prnfail = a.kw("prnfail").cloned();
    // Scapy: without a timeout, twice the interval, at most 5 s.
    let timeout = match a.seconds("timeout")? {
        Some(t) => t,
        None => (inter * 2).min(Duration::from_secs(5)),
    };
    let mut inner = Args {
        pos: Vec::new(),
        kw: a
            .kw
            .iter()
            .filter(|(k, _)| {
                !matches!(
                    k.as_str(),
                    "prn" | "prnfail" | "inter" | "timeout" | "count" | "verbose" | "store"
                )
            })
            .cloned()
            .collect(),
    };
    inner
        .kw
        .push(("timeout".into(), Value::Float(timeout.as_secs_f64())));
    let (mut sent, mut recv) = (0usize, 0usize);
    let mut all_ans = Vec::new();
    let mut all_unans = Vec::new();
    let stop = n.session.stop.clone();
    let outcome: PResult<()> = (|| loop {
        if let Some(c) = count.as_mut() {
            if *c <= 0 {
                return Ok(());
            }
            *c -= 1;
        }
        let start = Instant::now();
        if verbose > 1 {
            vm.write("\rsend...\r ");
        }
        let (ans, unans) = sr(vm, n, &x, &inner, l2, Some(0))?;
        sent += ans.len() + unans.len();
        recv += ans.len();
        if verbose > 1 && !ans.is_empty() {
            let msg = format!("RECV {}:", ans.len());
            vm.write(&format!("\r{msg} "));
            for (s, r) in &ans {
                let line = match &prn {
                    Some(f) => {
                        let pair =
                            Value::tuple(vec![packet_value(s, &n.reg), packet_value(r, &n.reg)]);
                        let v = vm.call(f, vec![pair], vec![])?;
                        vm.str(&v)?
                    }
                    None => r.summary(),
                };
                vm.write(&format!("{line}\n{} ", " ".repeat(msg.len())));
            }
        }
        if verbose > 1 && !unans.is_empty() {
            let msg = format!("fail {}:", unans.len());
            vm.write(&format!("\r{msg} "));
            for s in &unans {
                let line = match &prnfail {
                    Some(f) => {
                        let v = vm.call(f, vec![packet_value(s, &n.reg)], vec![])?;
                        vm.str(&v)?
                    }
                    None => s.summary(),
                };
                vm.write(&format!("{line}\n{} ", " ".repeat(msg.len())));
            }
        }
        if verbose == 1 {
            if !ans.is_empty() {
                vm.write("*");
            }
            if !unans.is_empty() {
                vm.write(".");
            }
        }
        if store {
            all_ans.extend(ans);
            all_unans.extend(unans);
        }
        let spent = start.elapsed();
        if spent < inter
            && !sleep_unless(inter - spent, &|| {
                stop.load(std::sync::atomic::Ordering::Relaxed) != 0
            })
        {
            vm.poll_stop()?;
        }
    })();
    if verbose != 0 && sent > 0 {
        vm.write(&format!(
            "\nSent {sent} packets, received {recv} packets. {:.1}% hits.\n",
            100.0 * recv as f64 / sent as f64
        ));
    }
    outcome?;
    Ok(Value::tuple(vec![
        pair_list(n, all_ans),
        packet_list(
            &n.reg,
            "PacketList",
            all_unans.iter().map(|p| packet_value(p, &n.reg)).collect(),
        ),
    ]))
}

// ---- results ------------------------------------------------------------------------------

/// A packet list of `name` (Scapy's `PacketList` with that name: `<Sniffed: ...>`).
fn packet_list(reg: &Rc<Registry>, name: &str, items: Vec<Value>) -> Value {
    PacketListObj::value(name, items, false, reg)
}

/// The answered pairs: an `SndRcvList` named "Results" of `(sent, received)` tuples.
fn pair_list(n: &NetLang, pairs: Vec<(Packet, Packet)>) -> Value {
    let items = pairs
        .iter()
        .map(|(s, r)| Value::tuple(vec![packet_value(s, &n.reg), packet_value(r, &n.reg)]))
        .collect();
    PacketListObj::value("Results", items, true, &n.reg)
}

/// `sr()`'s `(Results, Unanswered)`.
fn sr_results(n: &NetLang, ans: Vec<(Packet, Packet)>, unans: Vec<Packet>) -> Value {
    Value::tuple(vec![
        pair_list(n, ans),
        packet_list(
            &n.reg,
            "Unanswered",
            unans.iter().map(|p| packet_value(p, &n.reg)).collect(),
        ),
    ])
}

// ---- sniffing -----------------------------------------------------------------------------

/// What sniffing does with each packet: the callbacks and limits of `sniff`/`AsyncSniffer`.
struct SniffSpec {
    count: usize,
    store: bool,
    prn: Option<Value>,
    lfilter: Option<Value>,
    stop_filter: Option<Value>,
    timeout: Option<Duration>,
}

impl SniffSpec {
    fn from_args(a: &Args) -> PResult<SniffSpec> {
        Ok(SniffSpec {
            count: usize::try_from(a.int("count")?.unwrap_or(0)).unwrap_or(0),
            store: a.kw("store").map(Value::truthy).unwrap_or(true),
            prn: a.kw("prn").cloned(),
            lfilter: a.kw("lfilter").cloned(),
            stop_filter: a.kw("stop_filter").cloned(),
            timeout: a.seconds("timeout")?,
        })
    }
}

/// Packets kept and counted by a sniff.
#[derive(Default)]
struct SniffState {
    kept: Vec<Value>,
    seen: usize,
    done: bool,
}

/// Runs the callbacks on one frame; whether sniffing should stop.
fn sniff_one(
    vm: &mut Vm<'_>,
    n: &NetLang,
    spec: &SniffSpec,
    st: &mut SniffState,
    f: &Frame,
) -> PResult<bool> {
    let Some(p) = frame_packet(&n.reg, f) else {
        return Ok(false);
    };
    let _ = crate::packet::log::take_warnings();
    let pv = packet_value(&p, &n.reg);
    set_sniffed_on(&pv, f);
    if let Some(lf) = &spec.lfilter {
        let keep = vm.call(lf, vec![pv.clone()], vec![])?;
        if !vm.truthy(&keep)? {
            return Ok(false);
        }
    }
    st.seen += 1;
    if spec.store {
        st.kept.push(pv.clone());
    }
    if let Some(prn) = &spec.prn {
        let r = vm.call(prn, vec![pv.clone()], vec![])?;
        if !matches!(r, Value::None) {
            let s = vm.str(&r)?;
            vm.write(&s);
            vm.write("\n");
        }
    }
    if let Some(sf) = &spec.stop_filter {
        let r = vm.call(sf, vec![pv], vec![])?;
        if vm.truthy(&r)? {
            st.done = true;
            return Ok(true);
        }
    }
    if spec.count > 0 && st.seen >= spec.count {
        st.done = true;
        return Ok(true);
    }
    Ok(false)
}

/// The packet's `sniffed_on` and `time` from its frame.
fn set_sniffed_on(pv: &Value, f: &Frame) {
    if let Some(p) = downcast::<PacketObj>(pv) {
        let _ = p.set_attr("sniffed_on", Value::str(f.iface.clone()));
        let _ = p.set_attr("time", Value::Float(f.time.as_f64()));
    }
}

/// The listening socket a sniff opens (or the one it is given).
fn sniff_socket(n: &NetLang, a: &Args) -> PResult<Box<dyn FrameRx>> {
    let kind = match a.kw("L2socket") {
        Some(v) => kind_of(v)?,
        None => n.settings.borrow().l2listen,
    };
    let filter = a.iface_text(usize::MAX, "filter")?;
    let ifaces = ifaces_of(n, a.kw("iface"))?;
    let promisc = n.settings.borrow().sniff_promisc;
    open_listen(kind, &ifaces, filter.as_deref(), promisc, false)
}

/// `sniff(...)`: live capture on this thread, until `count`, `timeout`, `stop_filter` or a
/// stop request.
fn sniff(vm: &mut Vm<'_>, n: &Rc<NetLang>, a: &Args) -> PResult<Value> {
    if a.kw("offline").is_some() {
        return super::capture::sniff_offline(vm, a.pos.clone(), a.kw.clone(), &n.reg);
    }
    let spec = SniffSpec::from_args(a)?;
    let mut rx = match a.kw("opened_socket") {
        Some(s) => match downcast::<SuperSocketObj>(s) {
            Some(o) => o.take_rx()?,
            None => return Err(Exc::type_error("opened_socket must be a super socket")),
        },
        None => sniff_socket(n, a)?,
    };
    if let Some(cb) = a.kw("started_callback") {
        vm.call(cb, vec![], vec![])?;
    }
    let deadline = spec.timeout.map(|t| Instant::now() + t);
    let mut st = SniffState::default();
    let stop = n.session.stop.clone();
    let r = {
        let mut each = |f: Frame| sniff_one(vm, n, &spec, &mut st, &f);
        sndrcv::sniff_loop(
            rx.as_mut(),
            deadline,
            &|| stop.load(std::sync::atomic::Ordering::Relaxed) != 0,
            &mut each,
        )
    };
    match r {
        Ok(true) => {
            vm.poll_stop()?;
        }
        Ok(false) => {}
        Err(SniffError::Io(e)) => return Err(io_err(e)),
        Err(SniffError::Callback(e)) => return Err(e),
    }
    Ok(packet_list(&n.reg, "Sniffed", st.kept))
}

/// `AsyncSniffer(**kwargs)`: `sniff` in the background, callbacks run on the session's
/// thread whenever it waits for the sniffer (`join`, `stop`, `results`).
pub struct AsyncSnifferObj {
    args: Args,
    state: RefCell<AsyncState>,
}

#[derive(Default)]
struct AsyncState {
    capture: Option<BackgroundCapture>,
    sniff: SniffState,
    results: Option<Value>,
}

impl AsyncSnifferObj {
    fn new(a: &Args) -> AsyncSnifferObj {
        AsyncSnifferObj {
            args: Args {
                pos: a.pos.clone(),
                kw: a.kw.clone(),
            },
            state: RefCell::new(AsyncState::default()),
        }
    }

    fn start(&self, vm: &mut Vm<'_>) -> PResult<()> {
        let n = net()?;
        let spec = SniffSpec::from_args(&self.args)?;
        if self.state.borrow().capture.is_some() {
            return Err(Exc::new(
                ExcKind::RuntimeError,
                "The sniffer is already running",
            ));
        }
        let rx = sniff_socket(&n, &self.args)?;
        // Without callbacks that decide, the capture thread itself can stop at `count`.
        let max = (spec.lfilter.is_none() && spec.stop_filter.is_none() && spec.count > 0)
            .then_some(spec.count);
        let cap = BackgroundCapture::start(rx, spec.timeout, max, n.session.stop.clone())
            .map_err(io_err)?;
        let mut st = self.state.borrow_mut();
        st.capture = Some(cap);
        st.sniff = SniffState::default();
        st.results = None;
        drop(st);
        if let Some(cb) = self.args.kw("started_callback") {
            vm.call(cb, vec![], vec![])?;
        }
        Ok(())
    }

    /// Handles queued frames until the capture ends, `until` passes, or (with `cancel`)
    /// at once after asking it to end.
    fn pump(&self, vm: &mut Vm<'_>, until: Option<Instant>, cancel: bool) -> PResult<()> {
        let n = net()?;
        let spec = SniffSpec::from_args(&self.args)?;
        if cancel {
            if let Some(c) = self.state.borrow().capture.as_ref() {
                c.cancel();
            }
        }
        loop {
            vm.poll_stop()?;
            let (frame, running) = {
                let st = self.state.borrow();
                let Some(c) = st.capture.as_ref() else {
                    return Ok(());
                };
                let running = c.running();
                let wait = if running && !cancel {
                    Duration::from_millis(20)
                } else {
                    Duration::ZERO
                };
                (c.next_frame(wait), running)
            };
            match frame {
                Some(f) => {
                    let mut st = std::mem::take(&mut self.state.borrow_mut().sniff);
                    let r = if st.done {
                        Ok(true)
                    } else {
                        sniff_one(vm, &n, &spec, &mut st, &f)
                    };
                    self.state.borrow_mut().sniff = st;
                    if r? {
                        if let Some(c) = self.state.borrow().capture.as_ref() {
                            c.cancel();
                        }
                    }
                }
                None if !running => {
                    self.finish()?;
                    return Ok(());
                }
                None => {}
            }
            if until.is_some_and(|t| Instant::now() >= t) {
                return Ok(());
            }
        }
    }

    fn finish(&self) -> PResult<()> {
        let mut st = self.state.borrow_mut();
        let err = st.capture.as_mut().and_then(BackgroundCapture::finish);
        st.capture = None;
        let kept = std::mem::take(&mut st.sniff.kept);
        st.results = Some(packet_list(&net()?.reg, "Sniffed", kept));
        match err {
            Some(e) => Err(Exc::new(ExcKind::OSError, e)),
            None => Ok(()),
        }
    }
}

impl NativeObject for AsyncSnifferObj {
    fn type_name(&self) -> &str {
        "AsyncSniffer"
    }
    fn repr(&self) -> String {
        format!(
            "<scapy.sendrecv.AsyncSniffer object at {:#x}>",
            obj_addr(self)
        )
    }
    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }
    fn get_attr(&self, _vm: &mut Vm<'_>, _this: &Value, name: &str) -> Option<PResult<Value>> {
        match name {
            "running" => Some(Ok(Value::Bool(
                self.state
                    .borrow()
                    .capture
                    .as_ref()
                    .is_some_and(BackgroundCapture::running),
            ))),
            "results" => Some(Ok(self
                .state
                .borrow()
                .results
                .clone()
                .unwrap_or(Value::None))),
            _ => None,
        }
    }
    fn method_names(&self) -> &'static [&'static str] {
        &["start", "stop", "join"]
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
        let r = match name {
            "start" => self.start(vm).map(|()| Value::None),
            "stop" => {
                if self.state.borrow().capture.is_none() {
                    Err(Exc::new(
                        ExcKind::Scapy_Exception,
                        "Not running ! (check .running attr)",
                    ))
                } else {
                    self.pump(vm, None, true)
                        .map(|()| self.state.borrow().results.clone().unwrap_or(Value::None))
                }
            }
            "join" => match a.get(0, "timeout").map(|v| seconds_of(v, "timeout")) {
                Some(Err(e)) => Err(e),
                Some(Ok(t)) => self
                    .pump(vm, Some(Instant::now() + t), false)
                    .map(|()| Value::None),
                None => self.pump(vm, None, false).map(|()| Value::None),
            },
            _ => return None,
        };
        drain(vm);
        Some(r)
    }
}

// ---- super socket classes -----------------------------------------------------------------

/// A super socket class (`conf.L2socket`, `L3RawSocket`, ...): callable to open one.
pub struct SocketClass(pub SocketKind);

impl NativeObject for SocketClass {
    fn type_name(&self) -> &str {
        "type"
    }
    fn repr(&self) -> String {
        format!("<class '{}.{}'>", self.0.module(), self.0.name())
    }
    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }
    fn get_attr(&self, _vm: &mut Vm<'_>, _this: &Value, name: &str) -> Option<PResult<Value>> {
        match name {
            "__name__" => Some(Ok(Value::str(self.0.name()))),
            "desc" => Some(Ok(Value::str(match self.0 {
                SocketKind::L2Socket => "read/write packets at layer 2 using Linux PF_PACKET sockets",
                SocketKind::L3PacketSocket => "read/write packets at layer 3 using Linux PF_PACKET sockets",
                SocketKind::L3RawSocket => "Layer 3 using Raw sockets (PF_INET/SOCK_RAW)",
                SocketKind::L2ListenSocket => "read packets at layer 2 using Linux PF_PACKET sockets. Also receives the packets going OUT",
                SocketKind::L2pcapSocket => "read/write packets at layer 2 using only libpcap",
                SocketKind::L3pcapSocket => "read/write packets at layer 3 using only libpcap",
                SocketKind::L2pcapListenSocket => "read packets at layer 2 using libpcap",
            }))),
            _ => None,
        }
    }
    fn eq(&self, other: &Value) -> Option<bool> {
        Some(downcast::<SocketClass>(other).is_some_and(|o| o.0 == self.0))
    }
    fn call(
        &self,
        vm: &mut Vm<'_>,
        args: Vec<Value>,
        kw: Vec<(Sym, Value)>,
    ) -> Option<PResult<Value>> {
        let a = Args::new(vm, args, kw);
        Some(SuperSocketObj::open(self.0, &a))
    }
}

/// An open super socket: `send(p)`, `recv()`, `close()`, and usable as `sniff`'s
/// `opened_socket`.
pub struct SuperSocketObj {
    kind: SocketKind,
    iface: Option<String>,
    tx: RefCell<Option<Transmitter>>,
    rx: RefCell<Option<Box<dyn FrameRx>>>,
}

impl SuperSocketObj {
    fn open(kind: SocketKind, a: &Args) -> PResult<Value> {
        let n = net()?;
        let iface = a.iface_text(usize::MAX, "iface")?;
        let filter = a.iface_text(usize::MAX, "filter")?;
        let promisc = a
            .kw("promisc")
            .map(Value::truthy)
            .unwrap_or(n.settings.borrow().sniff_promisc);
        let listen = matches!(
            kind,
            SocketKind::L2ListenSocket | SocketKind::L2pcapListenSocket
        );
        let (tx, rx): (Option<Transmitter>, Box<dyn FrameRx>) = if kind.is_l3() {
            let on = match &iface {
                Some(i) => vec![n.session.iface(i).map_err(net_err)?],
                None => n.session.up_ifaces().map_err(net_err)?,
            };
            let rx = open_listen(kind, &on, filter.as_deref(), false, true)?;
            (Some(l3_transmitter(kind)), rx)
        } else {
            let name = match &iface {
                Some(i) => i.clone(),
                None => n.session.default_iface().map_err(net_err)?,
            };
            let ir = n.session.iface(&name).map_err(net_err)?;
            if listen {
                (
                    None,
                    open_listen(kind, &[ir], filter.as_deref(), promisc, false)?,
                )
            } else if kind.is_pcap() {
                let rx = open_listen(
                    kind,
                    std::slice::from_ref(&ir),
                    filter.as_deref(),
                    promisc,
                    true,
                )?;
                let tx = Transmitter::One(Box::new(socket::pcap_tx(&ir.name).map_err(io_err)?));
                (Some(tx), rx)
            } else {
                let opts = PacketOpts {
                    filter,
                    incoming_only: true,
                    promisc,
                };
                let (tx, rx) = socket::l2_socket(&ir, &opts).map_err(io_err)?;
                (Some(Transmitter::One(tx)), Box::new(rx))
            }
        };
        Ok(native(SuperSocketObj {
            kind,
            iface,
            tx: RefCell::new(tx),
            rx: RefCell::new(Some(rx)),
        }))
    }

    fn take_rx(&self) -> PResult<Box<dyn FrameRx>> {
        self.rx
            .borrow_mut()
            .take()
            .ok_or_else(|| Exc::new(ExcKind::OSError, "the socket is closed"))
    }
}

impl NativeObject for SuperSocketObj {
    fn type_name(&self) -> &str {
        self.kind.name()
    }
    fn repr(&self) -> String {
        format!(
            "<{}.{} object at {:#x}>",
            self.kind.module(),
            self.kind.name(),
            obj_addr(self)
        )
    }
    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }
    fn get_attr(&self, _vm: &mut Vm<'_>, _this: &Value, name: &str) -> Option<PResult<Value>> {
        match name {
            "iface" => Some(Ok(self
                .iface
                .clone()
                .map(Value::str)
                .unwrap_or(Value::None))),
            "closed" => Some(Ok(Value::Bool(self.rx.borrow().is_none()))),
            _ => None,
        }
    }
    fn method_names(&self) -> &'static [&'static str] {
        &["send", "recv", "close"]
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
        let r = (|| -> PResult<Value> {
            let n = net()?;
            match name {
                "send" => {
                    let x = a.need("send", 0, "x")?.clone();
                    let mut total = 0i64;
                    for p in probes(vm, &n.reg, &x)? {
                        let out = if self.kind.is_l3() {
                            l3_out(vm, &n, self.kind, &p, self.iface.as_deref())?
                        } else {
                            Outgoing {
                                iface: None,
                                bytes: build(vm, &p)?,
                            }
                        };
                        let mut tx = self.tx.borrow_mut();
                        let tx = tx.as_mut().ok_or_else(|| {
                            Exc::new(ExcKind::OSError, "this socket only listens")
                        })?;
                        tx.send(&out).map_err(io_err)?;
                        total += out.bytes.len() as i64;
                    }
                    Ok(Value::Int(total))
                }
                "recv" => {
                    let mut rx = self.rx.borrow_mut();
                    let rx = rx
                        .as_mut()
                        .ok_or_else(|| Exc::new(ExcKind::OSError, "the socket is closed"))?;
                    loop {
                        vm.poll_stop()?;
                        if let Some(f) = rx.recv(Duration::from_millis(50)).map_err(io_err)? {
                            let p = if self.kind.is_l3() {
                                frame_l3(&n.reg, &f)
                            } else {
                                frame_packet(&n.reg, &f)
                            };
                            let _ = crate::packet::log::take_warnings();
                            let Some(p) = p else { continue };
                            let v = packet_value(&p, &n.reg);
                            set_sniffed_on(&v, &f);
                            return Ok(v);
                        }
                    }
                }
                _ => {
                    self.tx.borrow_mut().take();
                    self.rx.borrow_mut().take();
                    Ok(Value::None)
                }
            }
        })();
        drain(vm);
        Some(r)
    }
}

// ---- conf -------------------------------------------------------------------------------

/// `conf.iface`: Scapy's NetworkInterface (its repr shows the flags; it equals its name).
pub struct IfaceObj {
    name: String,
    flags: u32,
}

/// Linux interface flags in the order Scapy names them.
const IFF_NAMES: &[(u32, &str)] = &[
    (0x1, "UP"),
    (0x2, "BROADCAST"),
    (0x4, "DEBUG"),
    (0x8, "LOOPBACK"),
    (0x10, "POINTOPOINT"),
    (0x20, "NOTRAILERS"),
    (0x40, "RUNNING"),
    (0x80, "NOARP"),
    (0x100, "PROMISC"),
    (0x200, "ALLMULTI"),
    (0x400, "MASTER"),
    (0x800, "SLAVE"),
    (0x1000, "MULTICAST"),
    (0x2000, "PORTSEL"),
    (0x4000, "AUTOMEDIA"),
    (0x8000, "DYNAMIC"),
    (0x10000, "LOWER_UP"),
    (0x20000, "DORMANT"),
    (0x40000, "ECHO"),
];

impl NativeObject for IfaceObj {
    fn type_name(&self) -> &str {
        "NetworkInterface"
    }
    fn repr(&self) -> String {
        let f: Vec<&str> = IFF_NAMES
            .iter()
            .filter(|(b, _)| self.flags & b != 0)
            .map(|(_, n)| *n)
            .collect();
        format!("<NetworkInterface {} [{}]>", self.name, f.join("+"))
    }
    fn str(&self) -> String {
        self.name.clone()
    }
    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }
    fn get_attr(&self, _vm: &mut Vm<'_>, _this: &Value, name: &str) -> Option<PResult<Value>> {
        match name {
            "name" | "network_name" | "description" => Some(Ok(Value::str(self.name.clone()))),
            "mac" | "ip" | "index" => Some(net().and_then(|n| {
                let h = n.session.host().map_err(net_err)?;
                let mut h = h.borrow_mut();
                let i = h.resolve_iface(&self.name).map_err(net_err)?;
                Ok(match name {
                    "mac" => Value::str(i.mac()),
                    "index" => Value::Int(i64::from(i.index)),
                    _ => i
                        .ip()
                        .map(|a| Value::str(a.to_string()))
                        .unwrap_or(Value::None),
                })
            })),
            _ => None,
        }
    }
    fn eq(&self, other: &Value) -> Option<bool> {
        Some(match other {
            Value::Str(s) => s.s == self.name,
            o => downcast::<IfaceObj>(o).is_some_and(|i| i.name == self.name),
        })
    }
    fn hash(&self) -> Option<PResult<i64>> {
        Some(super::super::ops::hash_value(&Value::str(
            self.name.clone(),
        )))
    }
}

fn iface_value(n: &NetLang, name: &str) -> PResult<Value> {
    let h = n.session.host().map_err(net_err)?;
    let flags = h
        .borrow()
        .ifaces
        .by_name(name)
        .map(|i| i.flags)
        .unwrap_or(0);
    Ok(native(IfaceObj {
        name: name.to_string(),
        flags,
    }))
}

/// `conf.route` and `conf.route6`.
pub struct RouteObj {
    v6: bool,
}

fn spec_text(a: &Args, name: &str) -> PResult<Option<String>> {
    a.iface_text(usize::MAX, name)
}

impl NativeObject for RouteObj {
    fn type_name(&self) -> &str {
        if self.v6 {
            "Route6"
        } else {
            "Route"
        }
    }
    fn repr(&self) -> String {
        let r = net().and_then(|n| {
            let h = n.session.host().map_err(net_err)?;
            let mut h = h.borrow_mut();
            if self.v6 {
                h.route6_display(None).map_err(net_err)
            } else {
                h.route_display(None).map_err(net_err)
            }
        });
        r.unwrap_or_else(|e| match e {
            Exc::Raise(r) => format!("<routes unreadable: {}>", r.exc.message()),
            Exc::Timeout => String::new(),
        })
    }
    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }
    fn get_attr(&self, _vm: &mut Vm<'_>, _this: &Value, name: &str) -> Option<PResult<Value>> {
        if name != "routes" {
            return None;
        }
        Some(net().and_then(|n| {
            let h = n.session.host().map_err(net_err)?;
            let h = h.borrow();
            Ok(if self.v6 {
                Value::list(
                    h.route6
                        .routes
                        .iter()
                        .map(|r| {
                            Value::tuple(vec![
                                Value::str(crate::net::addr::fmt_ipv6(&r.prefix)),
                                Value::Int(i64::from(r.plen)),
                                Value::str(crate::net::addr::fmt_ipv6(&r.nexthop)),
                                Value::str(r.iface.clone()),
                                Value::list(
                                    r.cset
                                        .iter()
                                        .flatten()
                                        .map(|c| Value::str(crate::net::addr::fmt_ipv6(c)))
                                        .collect(),
                                ),
                                Value::Int(r.metric),
                            ])
                        })
                        .collect(),
                )
            } else {
                Value::list(
                    h.route
                        .routes
                        .iter()
                        .map(|r| {
                            Value::tuple(vec![
                                Value::Int(i64::from(u32::from(r.net))),
                                Value::Int(i64::from(r.mask)),
                                Value::str(r.gw.to_string()),
                                Value::str(r.iface.clone()),
                                Value::str(r.src.to_string()),
                                Value::Int(r.metric),
                            ])
                        })
                        .collect(),
                )
            })
        }))
    }
    fn method_names(&self) -> &'static [&'static str] {
        &["add", "delt", "resync", "route"]
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
        let r = (|| -> PResult<Value> {
            let n = net()?;
            let h = n.session.host().map_err(net_err)?;
            let mut h = h.borrow_mut();
            let r = match (name, self.v6) {
                ("route", false) => {
                    let dst = a.iface_text(0, "dst")?;
                    let dev = a.iface_text(1, "dev")?;
                    let r = h.route(dst.as_deref(), dev.as_deref()).map_err(net_err)?;
                    Value::tuple(vec![
                        Value::str(r.iface),
                        Value::str(r.src.to_string()),
                        Value::str(r.gw.to_string()),
                    ])
                }
                ("route", true) => {
                    let dst = a.iface_text(0, "dst")?;
                    let dev = a.iface_text(1, "dev")?;
                    let r = h.route6(dst.as_deref(), dev.as_deref()).map_err(net_err)?;
                    Value::tuple(vec![
                        Value::str(r.iface.clone()),
                        Value::str(r.src_text()),
                        Value::str(crate::net::addr::fmt_ipv6(&r.nexthop)),
                    ])
                }
                ("resync", false) => {
                    h.resync_route().map_err(net_err)?;
                    Value::None
                }
                ("resync", true) => {
                    h.resync_route6().map_err(net_err)?;
                    Value::None
                }
                ("add" | "delt", false) => {
                    let spec = RouteSpec {
                        host: spec_text(&a, "host")?,
                        net: spec_text(&a, "net")?,
                        gw: spec_text(&a, "gw")?,
                        dev: spec_text(&a, "dev")?,
                        metric: a.int("metric")?.unwrap_or(1),
                    };
                    if name == "add" {
                        h.route_add(&spec).map_err(net_err)?;
                    } else {
                        h.route_delt(&spec).map_err(net_err)?;
                    }
                    Value::None
                }
                ("add" | "delt", true) => {
                    let dst = a.iface_text(0, "dst")?.ok_or_else(|| {
                        Exc::type_error(format!(
                            "{name}() missing 1 required positional argument: 'dst'"
                        ))
                    })?;
                    let gw = a.iface_text(1, "gw")?;
                    if name == "add" {
                        let dev = a.iface_text(2, "dev")?;
                        h.route6_add(&dst, gw.as_deref(), dev.as_deref())
                            .map_err(net_err)?;
                    } else {
                        h.route6_delt(&dst, gw.as_deref()).map_err(net_err)?;
                    }
                    Value::None
                }
                _ => return Err(Exc::new(ExcKind::AttributeError, name.to_string())),
            };
            for w in h.take_warnings() {
                crate::packet::log::log_warning(&w);
            }
            Ok(r)
        })();
        drain(vm);
        Some(r)
    }
}

/// `conf.netcache` and its caches.
pub struct NetCacheObj {
    /// None: the whole `conf.netcache`; else one cache (`arp_cache`, `in6_neighbor`).
    which: Option<&'static str>,
}

impl NativeObject for NetCacheObj {
    fn type_name(&self) -> &str {
        if self.which.is_some() {
            "CacheInstance"
        } else {
            "NetCache"
        }
    }
    fn repr(&self) -> String {
        let Ok(n) = net() else {
            return String::new();
        };
        let mut c = n.session.cache.borrow_mut();
        match self.which {
            None => c.summary(),
            Some("arp_cache") => c.arp.table(),
            Some(_) => c.nd.table(),
        }
    }
    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }
    fn get_attr(&self, _vm: &mut Vm<'_>, _this: &Value, name: &str) -> Option<PResult<Value>> {
        match (self.which, name) {
            (None, "arp_cache") => Some(Ok(native(NetCacheObj {
                which: Some("arp_cache"),
            }))),
            (None, "in6_neighbor") => Some(Ok(native(NetCacheObj {
                which: Some("in6_neighbor"),
            }))),
            _ => None,
        }
    }
    fn method_names(&self) -> &'static [&'static str] {
        &["flush", "get", "keys", "items", "summary"]
    }
    fn call_method(
        &self,
        _vm: &mut Vm<'_>,
        _this: &Value,
        name: &str,
        args: Vec<Value>,
        _kw: Vec<(Sym, Value)>,
    ) -> Option<PResult<Value>> {
        let n = match net() {
            Ok(n) => n,
            Err(e) => return Some(Err(e)),
        };
        let mut c = n.session.cache.borrow_mut();
        let items: Vec<(String, String)> = match self.which {
            Some("arp_cache") => c
                .arp
                .items()
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
            Some(_) => {
                c.nd.items()
                    .into_iter()
                    .map(|(k, v)| (crate::net::addr::fmt_ipv6(&k), v))
                    .collect()
            }
            None => Vec::new(),
        };
        Some(Ok(match name {
            "flush" => {
                match self.which {
                    None => c.flush(),
                    Some("arp_cache") => c.arp.flush(),
                    Some(_) => c.nd.flush(),
                }
                Value::None
            }
            "get" => {
                let key = match args.first() {
                    Some(Value::Str(s)) => s.s.clone(),
                    _ => return Some(Err(Exc::type_error("get() takes an address"))),
                };
                items
                    .into_iter()
                    .find(|(k, _)| *k == key)
                    .map(|(_, v)| Value::str(v))
                    .unwrap_or_else(|| args.get(1).cloned().unwrap_or(Value::None))
            }
            "keys" => Value::list(items.into_iter().map(|(k, _)| Value::str(k)).collect()),
            "items" => Value::list(
                items
                    .into_iter()
                    .map(|(k, v)| Value::tuple(vec![Value::str(k), Value::str(v)]))
                    .collect(),
            ),
            _ => Value::str(match self.which {
                None => c.summary(),
                Some("arp_cache") => c.arp.summary(),
                Some(_) => c.nd.summary(),
            }),
        }))
    }
    fn len(&self) -> Option<usize> {
        let n = net().ok()?;
        let mut c = n.session.cache.borrow_mut();
        match self.which {
            Some("arp_cache") => Some(c.arp.items().len()),
            Some(_) => Some(c.nd.items().len()),
            None => None,
        }
    }
    fn get_item(&self, key: &Value) -> Option<PResult<Value>> {
        let Value::Str(k) = key else {
            return Some(Err(Exc::type_error("cache keys are addresses")));
        };
        let n = net().ok()?;
        let mut c = n.session.cache.borrow_mut();
        let v = match self.which? {
            "arp_cache" => crate::net::addr::inet_aton(&k.s).and_then(|a| c.arp.get(&a)),
            _ => k.s.parse::<Ipv6Addr>().ok().and_then(|a| c.nd.get(&a)),
        };
        Some(
            v.map(Value::str)
                .ok_or_else(|| Exc::with_args(ExcKind::KeyError, vec![key.clone()])),
        )
    }
    fn set_item(&self, key: &Value, value: Value) -> Option<PResult<()>> {
        let (Value::Str(k), Value::Str(v)) = (key, &value) else {
            return Some(Err(Exc::type_error("cache entries are address: MAC text")));
        };
        let n = net().ok()?;
        let mut c = n.session.cache.borrow_mut();
        match self.which? {
            "arp_cache" => match crate::net::addr::inet_aton(&k.s) {
                Some(a) => c.arp.set(a, v.s.clone()),
                None => return Some(Err(Exc::value_error(format!("Bad IP format: {}", k.s)))),
            },
            _ => match k.s.parse::<Ipv6Addr>() {
                Ok(a) => c.nd.set(a, v.s.clone()),
                Err(_) => {
                    return Some(Err(Exc::new(
                        ExcKind::OSError,
                        "illegal IP address string passed to inet_pton",
                    )))
                }
            },
        }
        Some(Ok(()))
    }
    fn del_item(&self, key: &Value) -> Option<PResult<()>> {
        let Value::Str(k) = key else {
            return Some(Err(Exc::type_error("cache keys are addresses")));
        };
        let n = net().ok()?;
        let mut c = n.session.cache.borrow_mut();
        let found = match self.which? {
            "arp_cache" => crate::net::addr::inet_aton(&k.s).is_some_and(|a| c.arp.remove(&a)),
            _ => k.s.parse::<Ipv6Addr>().is_ok_and(|a| c.nd.remove(&a)),
        };
        Some(if found {
            Ok(())
        } else {
            Err(Exc::with_args(ExcKind::KeyError, vec![key.clone()]))
        })
    }
}

/// `conf.X` for the network settings; None for other names.
pub fn conf_attr(name: &str) -> Option<PResult<Value>> {
    let n = match net() {
        Ok(n) => n,
        Err(_) => return None,
    };
    let s = n.settings.borrow();
    let m = matching::conf();
    Some(Ok(match name {
        "iface" => {
            drop(s);
            return Some(
                n.session
                    .default_iface()
                    .map_err(net_err)
                    .and_then(|i| iface_value(&n, &i)),
            );
        }
        "route" => native(RouteObj { v6: false }),
        "route6" => native(RouteObj { v6: true }),
        "netcache" => native(NetCacheObj { which: None }),
        "L2socket" => native(SocketClass(s.l2socket)),
        "L3socket" => native(SocketClass(s.l3socket)),
        "L2listen" => native(SocketClass(s.l2listen)),
        "use_pcap" => Value::Bool(s.use_pcap),
        "sniff_promisc" => Value::Bool(s.sniff_promisc),
        "checkIPaddr" => Value::Bool(m.check_ip_addr),
        "checkIPsrc" => Value::Bool(m.check_ip_src),
        "checkIPinIP" => Value::Bool(m.check_ip_in_ip),
        "checkIPID" => Value::Bool(m.check_ip_id),
        "check_TCPerror_seqack" => Value::Bool(m.check_tcperror_seqack),
        "loopback_name" => Value::str("lo"),
        _ => return None,
    }))
}

/// `conf.X = v` for the network settings (and `conf.verb`, which they read); None for other
/// names. The value is also kept by `conf` itself.
pub fn set_conf_attr(name: &str, v: &Value) -> Option<PResult<()>> {
    const NAMES: &[&str] = &[
        "verb",
        "L2socket",
        "L3socket",
        "L2listen",
        "use_pcap",
        "sniff_promisc",
        "checkIPaddr",
        "checkIPsrc",
        "checkIPinIP",
        "checkIPID",
        "check_TCPerror_seqack",
        "iface",
    ];
    if !NAMES.contains(&name) {
        return None;
    }
    let n = net().ok()?;
    let mut m = matching::conf();
    let r = (|| -> PResult<()> {
        let mut s = n.settings.borrow_mut();
        match name {
            "verb" => {
                s.verb = match v {
                    Value::Int(i) => *i,
                    Value::Bool(b) => i64::from(*b),
                    other => i64::from(other.truthy()),
                }
            }
            "L2socket" => s.l2socket = kind_of(v)?,
            "L3socket" => s.l3socket = kind_of(v)?,
            "L2listen" => s.l2listen = kind_of(v)?,
            "use_pcap" => {
                // Scapy switches the three sockets with it.
                s.use_pcap = v.truthy();
                if s.use_pcap {
                    s.l2socket = SocketKind::L2pcapSocket;
                    s.l3socket = SocketKind::L3pcapSocket;
                    s.l2listen = SocketKind::L2pcapListenSocket;
                } else {
                    s.l2socket = SocketKind::L2Socket;
                    s.l3socket = SocketKind::L3PacketSocket;
                    s.l2listen = SocketKind::L2ListenSocket;
                }
            }
            "sniff_promisc" => s.sniff_promisc = v.truthy(),
            "checkIPaddr" => m.check_ip_addr = v.truthy(),
            "checkIPsrc" => m.check_ip_src = v.truthy(),
            "checkIPinIP" => m.check_ip_in_ip = v.truthy(),
            "checkIPID" => m.check_ip_id = v.truthy(),
            "check_TCPerror_seqack" => m.check_tcperror_seqack = v.truthy(),
            _ => {
                let name = iface_name(v)?;
                let h = n.session.host().map_err(net_err)?;
                let mut h = h.borrow_mut();
                let i = h.resolve_iface(&name).map_err(net_err)?;
                h.iface = Some(i.name);
            }
        }
        Ok(())
    })();
    matching::set_conf(m);
    Some(r)
}
