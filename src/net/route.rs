//! The IPv4 routing table as Scapy 2.8 builds and uses it (`conf.route`): the kernel's LOCAL
//! and MAIN tables plus a 224.0.0.0/4 route (metric 250) per multicast interface with an IPv4
//! address; lookups by longest mask then metric; `add`/`delt` edit wirecraft's own copy only.

use std::cell::RefCell;
use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr};

use super::addr::{inet_aton, itom};
use super::iface::Interfaces;
use super::netlink::RouteMsg;
use super::table::{pretty_list, Cell};
use super::NetError;

/// One route: Scapy's `(net, mask, gw, iface, output IP, metric)` tuple.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Route4 {
    /// The network, as given (host bits are kept, as Scapy keeps them).
    pub net: Ipv4Addr,
    /// The netmask.
    pub mask: u32,
    /// The gateway, 0.0.0.0 for on-link routes.
    pub gw: Ipv4Addr,
    /// The interface name ("" for a route without one, such as a blackhole route).
    pub iface: String,
    /// The output (source) address, 0.0.0.0 when the route names none.
    pub src: Ipv4Addr,
    /// The metric.
    pub metric: i64,
}

/// What a lookup answers: Scapy's `(iface, output_ip, gateway_ip)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RouteLookup4 {
    /// The interface to send on.
    pub iface: String,
    /// The source address to use.
    pub src: Ipv4Addr,
    /// The gateway (0.0.0.0 when the destination is on-link).
    pub gw: Ipv4Addr,
}

/// What `add` and `delt` take: Scapy's `host=` or `net=`, `gw=`, `dev=`, `metric=` keywords.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RouteSpec {
    /// A single address (a /32 route).
    pub host: Option<String>,
    /// A network, `A.B.C.D/len`.
    pub net: Option<String>,
    /// The gateway.
    pub gw: Option<String>,
    /// The interface; without it the interface and output IP come from a lookup.
    pub dev: Option<String>,
    /// The metric (Scapy's default is 1).
    pub metric: i64,
}

impl Default for RouteSpec {
    fn default() -> RouteSpec {
        RouteSpec {
            host: None,
            net: None,
            gw: None,
            dev: None,
            metric: 1,
        }
    }
}

impl RouteSpec {
    /// A route to one host.
    pub fn host(h: &str) -> RouteSpec {
        RouteSpec {
            host: Some(h.to_string()),
            ..RouteSpec::default()
        }
    }

    /// A route to a network `A.B.C.D/len`.
    pub fn net(n: &str) -> RouteSpec {
        RouteSpec {
            net: Some(n.to_string()),
            ..RouteSpec::default()
        }
    }

    /// With a gateway.
    pub fn gw(mut self, gw: &str) -> RouteSpec {
        self.gw = Some(gw.to_string());
        self
    }

    /// With an interface.
    pub fn dev(mut self, dev: &str) -> RouteSpec {
        self.dev = Some(dev.to_string());
        self
    }

    /// With a metric.
    pub fn metric(mut self, metric: i64) -> RouteSpec {
        self.metric = metric;
        self
    }
}

fn atol(s: &str) -> Result<Ipv4Addr, NetError> {
    inet_aton(s).ok_or_else(|| NetError::BadAddress(s.to_string()))
}

fn parse_len(s: &str) -> Result<u32, NetError> {
    let v: i64 = s.trim().parse().map_err(|_| {
        NetError::BadArgument(format!("invalid literal for int() with base 10: '{s}'"))
    })?;
    u32::try_from(v).map_err(|_| NetError::BadArgument("negative shift count".to_string()))
}

/// Scapy's reduction of an address set to one address: `/len` dropped, `*` as 0, and each
/// `a-b` range as its first value ("192.168.*.1-5" gives 192.168.0.1).
fn one_of_set(dst: &str) -> String {
    let mut d = dst.split('/').next().unwrap_or("").replace('*', "0");
    while let Some(idx) = d.find('-') {
        let m = d[idx..].find('.').unwrap_or(d.len() - idx);
        d.replace_range(idx..idx + m, "");
    }
    d
}

/// Scapy's IPv4 routing table.
#[derive(Debug)]
pub struct RouteTable {
    /// The routes, in Scapy's order (LOCAL table, MAIN table, multicast, then additions).
    pub routes: Vec<Route4>,
    /// The loopback interface's name, the answer when nothing matches.
    pub loopback_name: String,
    cache: RefCell<HashMap<(String, Option<String>), RouteLookup4>>,
    warnings: RefCell<Vec<String>>,
}

impl Clone for RouteTable {
    fn clone(&self) -> RouteTable {
        RouteTable {
            routes: self.routes.clone(),
            loopback_name: self.loopback_name.clone(),
            cache: RefCell::new(self.cache.borrow().clone()),
            warnings: RefCell::new(Vec::new()),
        }
    }
}

impl RouteTable {
    /// An empty table.
    pub fn new(loopback_name: &str) -> RouteTable {
        RouteTable {
            routes: Vec::new(),
            loopback_name: loopback_name.to_string(),
            cache: RefCell::new(HashMap::new()),
            warnings: RefCell::new(Vec::new()),
        }
    }

    /// Scapy's `read_routes()`: one route per IPv4 route message (LOCAL then MAIN, whatever
    /// their type), then the multicast routes; `ifaces` names the interfaces (an unknown index
    /// is shown as its number, as Scapy does).
    pub fn from_netlink(msgs: &[RouteMsg], ifaces: &Interfaces, loopback_name: &str) -> RouteTable {
        let mut t = RouteTable::new(loopback_name);
        t.routes = read_routes(msgs, ifaces);
        t
    }

    /// Replaces the routes (a resync) and forgets cached lookups.
    pub fn set_routes(&mut self, routes: Vec<Route4>) {
        self.invalidate_cache();
        self.routes = routes;
    }

    /// Forgets cached lookups (Scapy caches every answer until the table changes).
    pub fn invalidate_cache(&self) {
        self.cache.borrow_mut().clear();
    }

    /// The warnings Scapy would have logged since the last call ("No route found for IPv4
    /// destination X (no default route?)"...), oldest first.
    pub fn take_warnings(&self) -> Vec<String> {
        std::mem::take(&mut *self.warnings.borrow_mut())
    }

    fn warn(&self, w: String) {
        self.warnings.borrow_mut().push(w);
    }

    /// Scapy's `conf.route.route(dst, dev)`: `dst` is an address or an address set
    /// (`a.b.*.1-5`, `net/len`); `None` or "" mean 0.0.0.0. The most specific route wins
    /// (then the lowest metric, then the first); a destination equal to a route's output IP
    /// goes out the loopback; a route without output IP takes the source its gateway's route
    /// gives. No route: `(dev or loopback, 0.0.0.0, 0.0.0.0)` and a warning.
    pub fn route(&self, dst: Option<&str>, dev: Option<&str>) -> Result<RouteLookup4, NetError> {
        self.route_inner(dst, dev, false)
    }

    /// [`RouteTable::route`] for an address.
    pub fn route_to(&self, dst: Ipv4Addr) -> RouteLookup4 {
        let text = dst.to_string();
        match self.route_inner(Some(&text), None, false) {
            Ok(r) => r,
            // A dotted quad always parses; kept total anyway.
            Err(_) => RouteLookup4 {
                iface: self.loopback_name.clone(),
                src: Ipv4Addr::UNSPECIFIED,
                gw: Ipv4Addr::UNSPECIFIED,
            },
        }
    }

    fn route_inner(
        &self,
        dst: Option<&str>,
        dev: Option<&str>,
        internal: bool,
    ) -> Result<RouteLookup4, NetError> {
        let dst = dst.filter(|d| !d.is_empty()).unwrap_or("0.0.0.0");
        let key = (dst.to_string(), dev.map(str::to_string));
        if let Some(r) = self.cache.borrow().get(&key) {
            return Ok(r.clone());
        }
        let d = u32::from(atol(&one_of_set(dst))?);
        // (mask, metric, answer); the first best one wins.
        let mut paths: Vec<(u32, i64, RouteLookup4)> = Vec::new();
        for r in &self.routes {
            if dev.is_some_and(|dv| dv != r.iface) {
                continue;
            }
            let a = u32::from(r.src);
            if a == d && a != 0 {
                paths.push((
                    u32::MAX,
                    1,
                    RouteLookup4 {
                        iface: self.loopback_name.clone(),
                        src: r.src,
                        gw: Ipv4Addr::UNSPECIFIED,
                    },
                ));
            }
            if d & r.mask == u32::from(r.net) & r.mask {
                paths.push((
                    r.mask,
                    r.metric,
                    RouteLookup4 {
                        iface: r.iface.clone(),
                        src: r.src,
                        gw: r.gw,
                    },
                ));
            }
        }
        if paths.is_empty() {
            self.warn(format!(
                "No route found for IPv4 destination {dst} (no default route?)"
            ));
            return Ok(RouteLookup4 {
                iface: dev.unwrap_or(&self.loopback_name).to_string(),
                src: Ipv4Addr::UNSPECIFIED,
                gw: Ipv4Addr::UNSPECIFIED,
            });
        }
        paths.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        let mut ret = paths.swap_remove(0).2;
        if ret.src.is_unspecified() && !internal {
            // A "via" route without a source: the source is the one that reaches the gateway.
            let gw = ret.gw.to_string();
            ret.src = self.route_inner(Some(&gw), None, true)?.src;
        }
        self.cache.borrow_mut().insert(key, ret.clone());
        Ok(ret)
    }

    /// Scapy's `make_route`: the route tuple `add` appends and `delt` looks for. Without
    /// `dev`, interface and output IP come from a lookup of the gateway (0.0.0.0 when none is
    /// given, as in Scapy); with `dev`, the output IP is 0.0.0.0.
    pub fn make_route(&self, spec: &RouteSpec) -> Result<Route4, NetError> {
        let (thenet, len) = if let Some(h) = &spec.host {
            (h.as_str(), 32)
        } else if let Some(n) = &spec.net {
            let mut it = n.split('/');
            match (it.next(), it.next(), it.next()) {
                (Some(a), Some(l), None) => (a, parse_len(l)?),
                _ => {
                    return Err(NetError::BadArgument(format!(
                        "make_route: the net '{n}' is not of the form A.B.C.D/len"
                    )))
                }
            }
        } else {
            return Err(NetError::BadArgument(
                "make_route: Incorrect parameters. You should specify a host or a net".to_string(),
            ));
        };
        let gw = spec.gw.clone().unwrap_or_else(|| "0.0.0.0".to_string());
        let (dev, src) = match &spec.dev {
            Some(d) => (d.clone(), Ipv4Addr::UNSPECIFIED),
            None => {
                let r = self.route(Some(&gw), None)?;
                (r.iface, r.src)
            }
        };
        Ok(Route4 {
            net: atol(thenet)?,
            mask: itom(len),
            gw: atol(&gw)?,
            iface: dev,
            src,
            metric: spec.metric,
        })
    }

    /// Scapy's `conf.route.add(...)`: appends the route to this table (not the kernel's).
    pub fn add(&mut self, spec: &RouteSpec) -> Result<(), NetError> {
        self.invalidate_cache();
        let r = self.make_route(spec)?;
        self.routes.push(r);
        Ok(())
    }

    /// Scapy's `conf.route.delt(...)`: removes the first route equal to what `add` with the
    /// same arguments would append (so the metric must match too); none is an error.
    pub fn delt(&mut self, spec: &RouteSpec) -> Result<(), NetError> {
        self.invalidate_cache();
        let r = self.make_route(spec)?;
        match self.routes.iter().position(|x| *x == r) {
            Some(i) => {
                self.routes.remove(i);
                Ok(())
            }
            None => Err(NetError::NoMatchingRoute),
        }
    }

    fn addr_and_mask(addr: &str) -> Result<(Ipv4Addr, u32), NetError> {
        let mut it = addr.split('/');
        let a = it.next().unwrap_or("");
        let len = match it.next() {
            Some(l) => parse_len(l)?,
            None => 32,
        };
        Ok((atol(a)?, itom(len)))
    }

    /// Scapy's `ifchange(iff, "addr/len")`: the routes of `iff` take the new output IP; its
    /// on-link routes also take the new network.
    pub fn ifchange(&mut self, iff: &str, addr: &str) -> Result<(), NetError> {
        self.invalidate_cache();
        let (a, mask) = Self::addr_and_mask(addr)?;
        let net = Ipv4Addr::from(u32::from(a) & mask);
        for r in self.routes.iter_mut().filter(|r| r.iface == iff) {
            if r.gw.is_unspecified() {
                r.net = net;
                r.mask = mask;
            }
            r.src = a;
        }
        Ok(())
    }

    /// Scapy's `ifdel(iff)`: drops every route of `iff`.
    pub fn ifdel(&mut self, iff: &str) {
        self.invalidate_cache();
        self.routes.retain(|r| r.iface != iff);
    }

    /// Scapy's `ifadd(iff, "addr/len")`: appends the on-link route of that address (metric 1).
    pub fn ifadd(&mut self, iff: &str, addr: &str) -> Result<(), NetError> {
        self.invalidate_cache();
        let (a, mask) = Self::addr_and_mask(addr)?;
        self.routes.push(Route4 {
            net: Ipv4Addr::from(u32::from(a) & mask),
            mask,
            gw: Ipv4Addr::UNSPECIFIED,
            iface: iff.to_string(),
            src: a,
            metric: 1,
        });
        Ok(())
    }

    /// Scapy's `get_if_bcast(iff)`: the broadcast address of every network route of `iff`
    /// (default and host routes skipped); none gives a warning.
    pub fn get_if_bcast(&self, iff: &str) -> Vec<Ipv4Addr> {
        let v: Vec<Ipv4Addr> = self
            .routes
            .iter()
            .filter(|r| !r.net.is_unspecified() && r.mask != u32::MAX && r.iface == iff)
            .map(|r| Ipv4Addr::from(u32::from(r.net) | !r.mask))
            .collect();
        if v.is_empty() {
            self.warn(format!("No broadcast address found for iface {iff}\n"));
        }
        v
    }

    /// The display rows, unsorted: network, netmask, gateway, interface, output IP, metric.
    pub fn rows(&self) -> Vec<Vec<Cell>> {
        self.routes
            .iter()
            .map(|r| {
                vec![
                    Cell::Text(r.net.to_string()),
                    Cell::Text(Ipv4Addr::from(r.mask).to_string()),
                    Cell::Text(r.gw.to_string()),
                    Cell::Text(r.iface.clone()),
                    Cell::Text(r.src.to_string()),
                    Cell::Text(r.metric.to_string()),
                ]
            })
            .collect()
    }

    /// `print(conf.route)`: the table sorted by the network's text (Scapy sorts the strings),
    /// cropped to `width` when given (see [`pretty_list`]).
    pub fn display(&self, width: Option<usize>) -> String {
        pretty_list(
            self.rows(),
            &[
                "Network",
                "Netmask",
                "Gateway",
                "Iface",
                "Output IP",
                "Metric",
            ],
            Some(0),
            width,
        )
    }
}

/// Scapy's `read_routes()` on netlink data.
pub fn read_routes(msgs: &[RouteMsg], ifaces: &Interfaces) -> Vec<Route4> {
    let v4 = |a: Option<IpAddr>| match a {
        Some(IpAddr::V4(x)) => Some(x),
        _ => None,
    };
    let mut routes: Vec<Route4> = msgs
        .iter()
        .filter(|m| m.family == 2)
        .map(|m| Route4 {
            net: v4(m.dst).unwrap_or(Ipv4Addr::UNSPECIFIED),
            mask: itom(u32::from(m.dst_len)),
            gw: v4(m.gateway).unwrap_or(Ipv4Addr::UNSPECIFIED),
            iface: match m.oif {
                Some(i) => ifaces
                    .by_index(i)
                    .map(|f| f.name.clone())
                    .unwrap_or_else(|| i.to_string()),
                None => String::new(),
            },
            src: v4(m.prefsrc).unwrap_or(Ipv4Addr::UNSPECIFIED),
            metric: i64::from(m.priority.unwrap_or(0)),
        })
        .collect();
    // The kernel has no multicast route; Scapy adds one per multicast interface with an IPv4
    // address, through its first address.
    for i in &ifaces.list {
        if !i.is_multicast() {
            continue;
        }
        if let Some(a) = i.ip() {
            routes.push(Route4 {
                net: Ipv4Addr::new(224, 0, 0, 0),
                mask: 0xf000_0000,
                gw: Ipv4Addr::UNSPECIFIED,
                iface: i.name.clone(),
                src: a,
                metric: 250,
            });
        }
    }
    routes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn address_sets_reduce_like_scapy() {
        assert_eq!(one_of_set("192.168.*.1-5"), "192.168.0.1");
        assert_eq!(one_of_set("10.0-3.1.2"), "10.0.1.2");
        assert_eq!(one_of_set("10.0.0.0/8"), "10.0.0.0");
        assert_eq!(one_of_set("1.2.3.4-9"), "1.2.3.4");
    }

    fn table() -> RouteTable {
        let mut t = RouteTable::new("lo");
        let r = |net: [u8; 4], len: u32, gw: [u8; 4], iface: &str, src: [u8; 4], metric| Route4 {
            net: Ipv4Addr::from(net),
            mask: itom(len),
            gw: Ipv4Addr::from(gw),
            iface: iface.to_string(),
            src: Ipv4Addr::from(src),
            metric,
        };
        t.routes = vec![
            r([127, 0, 0, 0], 8, [0; 4], "lo", [127, 0, 0, 1], 0),
            r([192, 0, 2, 0], 24, [0; 4], "eth0", [192, 0, 2, 5], 0),
            r([0; 4], 0, [192, 0, 2, 1], "eth0", [0; 4], 100),
            r([0; 4], 0, [192, 0, 2, 2], "eth0", [0; 4], 50),
        ];
        t
    }

    #[test]
    fn lookups() {
        let t = table();
        let l = t.route(Some("198.51.100.7"), None).expect("route");
        assert_eq!(l.gw, Ipv4Addr::new(192, 0, 2, 2), "lowest metric wins");
        assert_eq!(
            l.src,
            Ipv4Addr::new(192, 0, 2, 5),
            "source through the gateway's route"
        );
        let l = t.route(Some("192.0.2.5"), None).expect("route");
        assert_eq!(l.iface, "lo", "own address goes out the loopback");
        assert!(t.take_warnings().is_empty());
        assert!(t.route(Some("not an address"), None).is_err());
    }
}
