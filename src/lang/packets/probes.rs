//! The documentation's probing functions, built on `sr()`/`srp()` as a campaign would write
//! them: `arping` (3.3.4), `traceroute` (3.2.10, 3.3.12) and `report_ports` (3.2.9), and the
//! views of their results: `ARPingResult.show()`, `TracerouteResult.show()` and
//! `TracerouteResult.get_trace()`.
//!
//! The probes are made and sent through the session's own builtins (`IP`, `TCP`, `sr`, ...),
//! so they behave exactly as the same calls written in a campaign, progress output included.

use std::cell::RefCell;
use std::rc::Rc;

use crate::packet::Packet;
use crate::results::table;

use super::super::ast::{BinOp, Sym};
use super::super::exceptions::{Exc, ExcKind, PResult};
use super::super::interp::Vm;
use super::super::objects::downcast;
use super::super::value::{Dict, Value};
use super::lists::{packet_of, Args, Flavor, PacketListObj};
use super::net::{verbosity, NetLang};

/// The capture filter `traceroute()` gives `sr()` for its TCP probes: the ICMP errors a hop
/// or the target sends back (unreachable, source quench, redirect, time exceeded, parameter
/// problem) and TCP answers with SYN or RST set, as in Scapy 2.8.
const TRACEROUTE_FILTER: &str = "(icmp and (icmp[0]=3 or icmp[0]=4 or icmp[0]=5 or icmp[0]=11 or icmp[0]=12)) or (tcp and (tcp[13] & 0x16 > 0x10))";

/// `arping()` keeps only ARP replies.
const ARPING_FILTER: &str = "arp and arp[7] = 2";

/// A builtin of the session by name (the layer classes and sr/srp), whatever a campaign
/// has bound to that name since.
fn builtin(vm: &mut Vm<'_>, name: &str) -> PResult<Value> {
    let sym = vm.st.interner.intern(name) as usize;
    vm.st
        .builtins
        .get(sym)
        .cloned()
        .flatten()
        .ok_or_else(|| Exc::new(ExcKind::NameError, format!("name '{name}' is not defined")))
}

/// Calls the builtin `name` with positional and keyword arguments.
fn call(vm: &mut Vm<'_>, name: &str, pos: Vec<Value>, kw: Vec<(String, Value)>) -> PResult<Value> {
    let f = builtin(vm, name)?;
    let kw: Vec<(Sym, Value)> = kw
        .into_iter()
        .map(|(k, v)| (vm.st.interner.intern(&k), v))
        .collect();
    vm.call(&f, pos, kw)
}

fn kw(name: &str, v: Value) -> (String, Value) {
    (name.to_string(), v)
}

/// A call's parameters by a Scapy signature: each named one (None when absent), and the
/// other keywords, which are passed on to sr()/srp().
type Params = (Vec<Option<Value>>, Vec<(String, Value)>);

/// Reads the parameters of a Scapy signature, by position or keyword.
fn params(f: &str, a: &Args, names: &[&str]) -> PResult<Params> {
    if a.pos.len() > names.len() {
        return Err(Exc::type_error(format!(
            "{f}() takes at most {} positional arguments but {} were given",
            names.len(),
            a.pos.len()
        )));
    }
    let values = names
        .iter()
        .enumerate()
        .map(|(i, n)| a.get(i, n).cloned())
        .collect();
    let rest =
        a.kw.iter()
            .filter(|(k, _)| !names.contains(&k.as_str()))
            .cloned()
            .collect();
    Ok((values, rest))
}

fn missing(f: &str, name: &str) -> Exc {
    Exc::type_error(format!(
        "{f}() missing 1 required positional argument: '{name}'"
    ))
}

/// The `(answered, unanswered)` of an sr()/srp() call, the answered pairs' elements apart.
fn split_results(res: &Value) -> PResult<(Vec<Value>, Value)> {
    let bad = || Exc::new(ExcKind::RuntimeError, "sr() did not return (ans, unans)");
    let Value::Tuple(t) = res else {
        return Err(bad());
    };
    let (Some(ans), Some(unans)) = (t.first(), t.get(1)) else {
        return Err(bad());
    };
    let items = downcast::<PacketListObj>(ans)
        .map(|l| l.items.clone())
        .ok_or_else(bad)?;
    Ok((items, unans.clone()))
}

/// The (sent, received) packets of a result element.
fn pair(elt: &Value) -> Option<(Packet, Packet)> {
    match elt {
        Value::Tuple(t) => Some((packet_of(t.first()?)?, packet_of(t.get(1)?)?)),
        _ => None,
    }
}

/// `sprintf` of a packet; a directive it cannot fill shows as Scapy shows it (`??`).
fn fmt(p: &Packet, f: &str) -> String {
    p.sprintf(f).unwrap_or_else(|_| "??".to_string())
}

/// `arping(net, timeout=2, cache=0, verbose=None, **kargs)`: who-has broadcasts to every
/// address of `net` (srp, on the interface routing to it); the answers' table is shown when
/// verbose, and entered in `conf.netcache` with `cache=True`. Returns `(ARPingResult,
/// Unanswered)`.
pub(super) fn arping(vm: &mut Vm<'_>, n: &NetLang, a: &Args) -> PResult<Value> {
    let (v, mut rest) = params("arping", a, &["net", "timeout", "cache", "verbose"])?;
    let net = v[0].clone().ok_or_else(|| missing("arping", "net"))?;
    let cache = v[2].as_ref().is_some_and(Value::truthy);
    let verb = verbosity(v[3].as_ref(), n);
    let ether = call(
        vm,
        "Ether",
        Vec::new(),
        vec![kw("dst", Value::str("ff:ff:ff:ff:ff:ff"))],
    )?;
    let arp = call(vm, "ARP", Vec::new(), vec![kw("pdst", net.clone())])?;
    let probe = vm.binary(BinOp::Div, &ether, &arp)?;
    let mut args = vec![
        kw("filter", Value::str(ARPING_FILTER)),
        kw("timeout", v[1].clone().unwrap_or(Value::Int(2))),
        kw("verbose", Value::Int(verb)),
    ];
    if matches!(net, Value::Str(_)) {
        args.push(kw("iface_hint", net));
    }
    args.append(&mut rest);
    let res = call(vm, "srp", vec![probe], args)?;
    let (items, unans) = split_results(&res)?;
    if cache {
        let mut c = n.session.cache.borrow_mut();
        for (_, r) in items.iter().filter_map(pair) {
            let ip = crate::net::addr::inet_aton(&fmt(&r, "%ARP.psrc%"));
            if let Some(ip) = ip {
                c.arp.set(ip, fmt(&r, "%ARP.hwsrc%"));
            }
        }
    }
    let result = PacketListObj::result("ARPing", items, Flavor::ARPing, &n.reg);
    if verb != 0 {
        if let Some(l) = downcast::<PacketListObj>(&result) {
            vm.write(&show(l)?);
        }
    }
    Ok(Value::tuple(vec![result, unans]))
}

/// `traceroute(target, dport=80, minttl=1, maxttl=30, sport=RandShort(), l4=None,
/// filter=None, timeout=2, verbose=None, **kargs)`: TCP SYNs (or `IP()/l4`) with every TTL
/// of the range; the table of who answered at each TTL is shown when verbose. Returns
/// `(TracerouteResult, Unanswered)`.
pub(super) fn traceroute(vm: &mut Vm<'_>, n: &NetLang, a: &Args) -> PResult<Value> {
    let names = [
        "target", "dport", "minttl", "maxttl", "sport", "l4", "filter", "timeout", "verbose",
    ];
    let (v, mut rest) = params("traceroute", a, &names)?;
    let target = v[0]
        .clone()
        .ok_or_else(|| missing("traceroute", "target"))?;
    let verb = verbosity(v[8].as_ref(), n);
    let id = call(vm, "RandShort", Vec::new(), Vec::new())?;
    let ttl = Value::tuple(vec![
        v[2].clone().unwrap_or(Value::Int(1)),
        v[3].clone().unwrap_or(Value::Int(30)),
    ]);
    let ip = call(
        vm,
        "IP",
        Vec::new(),
        vec![kw("dst", target), kw("id", id), kw("ttl", ttl)],
    )?;
    let (l4, filter) = match &v[5] {
        Some(l4) => (l4.clone(), v[6].clone()),
        None => {
            let seq = call(vm, "RandInt", Vec::new(), Vec::new())?;
            let sport = match &v[4] {
                Some(s) => s.clone(),
                None => call(vm, "RandShort", Vec::new(), Vec::new())?,
            };
            let tcp = call(
                vm,
                "TCP",
                Vec::new(),
                vec![
                    kw("seq", seq),
                    kw("sport", sport),
                    kw("dport", v[1].clone().unwrap_or(Value::Int(80))),
                ],
            )?;
            let filter = v[6]
                .clone()
                .unwrap_or_else(|| Value::str(TRACEROUTE_FILTER));
            (tcp, Some(filter))
        }
    };
    let probe = vm.binary(BinOp::Div, &ip, &l4)?;
    let mut args = vec![
        kw("timeout", v[7].clone().unwrap_or(Value::Int(2))),
        kw("verbose", Value::Int(verb)),
    ];
    if let Some(f) = filter {
        args.push(kw("filter", f));
    }
    args.append(&mut rest);
    let res = call(vm, "sr", vec![probe], args)?;
    let (items, unans) = split_results(&res)?;
    let result = PacketListObj::result("Traceroute", items, Flavor::Traceroute, &n.reg);
    if verb != 0 {
        if let Some(l) = downcast::<PacketListObj>(&result) {
            vm.write(&show(l)?);
        }
    }
    Ok(Value::tuple(vec![result, unans]))
}

/// `report_ports(target, ports)`: a SYN to each port (sr, 5 s timeout) and the LaTeX table
/// of the outcome: open ports, closed ones (RST or an ICMP error) and unanswered ones.
pub(super) fn report_ports(vm: &mut Vm<'_>, a: &Args) -> PResult<Value> {
    let (v, rest) = params("report_ports", a, &["target", "ports"])?;
    if let Some((k, _)) = rest.first() {
        return Err(Exc::type_error(format!(
            "report_ports() got an unexpected keyword argument '{k}'"
        )));
    }
    let target = v[0]
        .clone()
        .ok_or_else(|| missing("report_ports", "target"))?;
    let ports = v[1]
        .clone()
        .ok_or_else(|| missing("report_ports", "ports"))?;
    let ip = call(vm, "IP", Vec::new(), vec![kw("dst", target)])?;
    let tcp = call(vm, "TCP", Vec::new(), vec![kw("dport", ports)])?;
    let probe = vm.binary(BinOp::Div, &ip, &tcp)?;
    let res = call(vm, "sr", vec![probe], vec![kw("timeout", Value::Int(5))])?;
    let (items, unans) = split_results(&res)?;
    let pairs: Vec<(Packet, Packet)> = items.iter().filter_map(pair).collect();
    let unans = downcast::<PacketListObj>(&unans)
        .map(|l| l.items.iter().filter_map(packet_of).collect::<Vec<_>>())
        .unwrap_or_default();
    Ok(Value::str(ports_table(&pairs, &unans)))
}

/// The TCP flags of the layer after IP, when it is TCP.
fn tcp_flags(r: &Packet) -> Option<i128> {
    r.payload()
        .filter(|l| l.def().class_name == "TCP")
        .and_then(|l| l.get("flags"))
        .and_then(|f| f.as_int())
}

/// The LaTeX table of `report_ports`.
fn ports_table(pairs: &[(Packet, Packet)], unans: &[Packet]) -> String {
    const SYN_ACK: i128 = 0x12;
    const EOL: &str = " \\\\\n";
    let has_icmp = |r: &Packet| r.getlayer("ICMP", 1).is_some();
    let mut out = String::from("\\begin{tabular}{|r|l|l|}\n\\hline\n");
    for (_, r) in pairs {
        if !has_icmp(r) && tcp_flags(r) == Some(SYN_ACK) {
            out += &fmt(r, "%TCP.sport% & open & SA");
            out += EOL;
        }
    }
    out += "\\hline\n";
    for (_, r) in pairs {
        if has_icmp(r) {
            out += &fmt(
                r,
                "%TCPerror.dport% & closed & ICMP type %ICMP.type%/%ICMP.code% from %IP.src%",
            );
            out += EOL;
        } else if tcp_flags(r) != Some(SYN_ACK) {
            out += &fmt(r, "%TCP.sport% & closed & TCP %TCP.flags%");
            out += EOL;
        }
    }
    out += "\\hline\n";
    for s in unans {
        out += &fmt(s, "%TCP.dport% & ? & unanswered");
        out += EOL;
    }
    out += "\\hline\n\\end{tabular}\n";
    out
}

/// `show()` of a probing function's result: the table of who answered.
pub fn show(l: &PacketListObj) -> PResult<String> {
    let pairs: Vec<(Packet, Packet)> = l.items.iter().filter_map(pair).collect();
    Ok(match l.flavor {
        Flavor::ARPing => arping_table(&pairs),
        _ => traceroute_table(&pairs),
    })
}

/// The answers' MAC address, its maker (Wireshark's short name, `unknown` when the
/// database does not know it) and their IP address, in columns two spaces apart.
fn arping_table(pairs: &[(Packet, Packet)]) -> String {
    let db = crate::net::manuf::system();
    let mut rows = vec![["src".to_string(), "manuf".to_string(), "psrc".to_string()]];
    for (_, r) in pairs {
        let mac = fmt(r, "%Ether.src%");
        let manuf = db.short_name(&mac).unwrap_or("unknown").to_string();
        rows.push([mac, manuf, fmt(r, "%ARP.psrc%")]);
    }
    let widths: Vec<usize> = (0..3)
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    let lines: Vec<String> = rows
        .iter()
        .map(|r| {
            r.iter()
                .zip(&widths)
                .map(|(cell, w)| format!("{cell:<w$}"))
                .collect::<Vec<_>>()
                .join("  ")
        })
        .collect();
    lines.join("\n") + "\n"
}

/// Each probe's target and port as a column, its TTL as a row, the answer's source and its
/// TCP flags or ICMP type as the cell.
fn traceroute_table(pairs: &[(Packet, Packet)]) -> String {
    let cells: Vec<(String, String, String)> = pairs
        .iter()
        .map(|(s, r)| {
            (
                fmt(
                    s,
                    "%IP.dst%:{TCP:tcp%ir,TCP.dport%}{UDP:udp%ir,UDP.dport%}{ICMP:ICMP}",
                ),
                fmt(s, "%IP.ttl%"),
                fmt(r, "%-15s,IP.src% {TCP:%TCP.flags%}{ICMP:%ir,ICMP.type%}"),
            )
        })
        .collect();
    table::make_table(&cells, table::Style::Plain)
}

/// `TracerouteResult.get_trace()`: for each target, each TTL's answering address and whether
/// it is the end of the route (an answer that is not ICMP).
pub fn get_trace(vm: &mut Vm<'_>, l: &PacketListObj) -> PResult<Value> {
    let mut traces: Vec<(String, Vec<(i64, Value)>)> = Vec::new();
    for (s, r) in l.items.iter().filter_map(pair) {
        if s.getlayer("IP", 1).is_none() {
            continue;
        }
        let dst = fmt(&s, "%IP.dst%");
        let ttl = fmt(&s, "%IP.ttl%").parse::<i64>().unwrap_or(0);
        let hop = Value::tuple(vec![
            Value::str(fmt(&r, "%IP.src%")),
            Value::Bool(r.getlayer("ICMP", 1).is_none()),
        ]);
        let at = match traces.iter().position(|(d, _)| *d == dst) {
            Some(i) => i,
            None => {
                traces.push((dst, Vec::new()));
                traces.len() - 1
            }
        };
        let hops = &mut traces[at].1;
        match hops.iter_mut().find(|(t, _)| *t == ttl) {
            Some(slot) => slot.1 = hop,
            None => hops.push((ttl, hop)),
        }
    }
    let mut outer = Dict::new();
    for (dst, hops) in traces {
        let mut inner = Dict::new();
        for (ttl, hop) in hops {
            inner.insert(vm.key(&Value::Int(ttl))?, hop);
        }
        outer.insert(
            vm.key(&Value::str(dst))?,
            Value::Dict(Rc::new(RefCell::new(inner))),
        );
    }
    Ok(Value::Dict(Rc::new(RefCell::new(outer))))
}
