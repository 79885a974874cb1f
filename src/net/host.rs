//! The host as a session sees it: Scapy's `conf.ifaces`, `conf.route`, `conf.route6` and
//! `conf.iface`, read from a [`HostSource`] (the kernel, or a fixed [`Snapshot`] for tests), and
//! the engine's [`Resolver`] answering builds from it.

use std::cell::RefCell;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::rc::Rc;

use super::addr::{IfAddr6, IPV6_ADDR_GLOBAL, IPV6_ADDR_LOOPBACK};
use super::iface::{in6_getifaddr, Interface, Interfaces};
use super::netlink::{self, AddrMsg, Family, Link, RouteMsg};
use super::route::{read_routes, RouteLookup4, RouteSpec, RouteTable};
use super::route6::{read_routes6, Route6Table, RouteLookup6};
use super::NetError;
use crate::packet::resolver::{FixedResolver, Resolver};

/// Where host state comes from. Every call is a fresh read, as each of Scapy's reads is.
pub trait HostSource {
    /// The interfaces (a link dump).
    fn links(&self) -> Result<Vec<Link>, NetError>;
    /// The addresses of `family` ([`Family::Unspec`]: IPv4 then IPv6).
    fn addrs(&self, family: Family) -> Result<Vec<AddrMsg>, NetError>;
    /// The routes of `family` Scapy reads: the LOCAL table's, then the MAIN table's.
    fn routes(&self, family: Family) -> Result<Vec<RouteMsg>, NetError>;
}

/// The running kernel, over rtnetlink, in the calling thread's network namespace.
#[derive(Clone, Copy, Debug, Default)]
pub struct Kernel;

impl HostSource for Kernel {
    fn links(&self) -> Result<Vec<Link>, NetError> {
        Ok(netlink::dump_links()?)
    }

    fn addrs(&self, family: Family) -> Result<Vec<AddrMsg>, NetError> {
        Ok(netlink::dump_addrs(family)?)
    }

    fn routes(&self, family: Family) -> Result<Vec<RouteMsg>, NetError> {
        Ok(netlink::dump_scapy_routes(family)?)
    }
}

/// Host state frozen at one moment (or written by hand): reproducible lookups without root.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Snapshot {
    /// The link dump.
    pub links: Vec<Link>,
    /// The address dump of every family, IPv4 first.
    pub addrs: Vec<AddrMsg>,
    /// The IPv4 routes, LOCAL table then MAIN.
    pub routes4: Vec<RouteMsg>,
    /// The IPv6 routes, LOCAL table then MAIN.
    pub routes6: Vec<RouteMsg>,
}

impl Snapshot {
    /// Reads everything once from `src`.
    pub fn capture(src: &dyn HostSource) -> Result<Snapshot, NetError> {
        Ok(Snapshot {
            links: src.links()?,
            addrs: src.addrs(Family::Unspec)?,
            routes4: src.routes(Family::Inet)?,
            routes6: src.routes(Family::Inet6)?,
        })
    }
}

impl HostSource for Snapshot {
    fn links(&self) -> Result<Vec<Link>, NetError> {
        Ok(self.links.clone())
    }

    fn addrs(&self, family: Family) -> Result<Vec<AddrMsg>, NetError> {
        Ok(self
            .addrs
            .iter()
            .filter(|a| family == Family::Unspec || a.family == family.number())
            .cloned()
            .collect())
    }

    fn routes(&self, family: Family) -> Result<Vec<RouteMsg>, NetError> {
        Ok(match family {
            Family::Inet => self.routes4.clone(),
            Family::Inet6 => self.routes6.clone(),
            Family::Unspec => self.routes4.iter().chain(&self.routes6).cloned().collect(),
        })
    }
}

/// Scapy's network configuration for one session.
pub struct Host {
    source: Box<dyn HostSource>,
    /// `conf.ifaces`.
    pub ifaces: Interfaces,
    /// `conf.route`.
    pub route: RouteTable,
    /// `conf.route6`.
    pub route6: Route6Table,
    /// `conf.iface`: the interface of the widest route that is up, else the first interface
    /// that is up, else the loopback (`None` when there is not even that).
    pub iface: Option<String>,
    /// `conf.loopback_name` ("lo" on Linux).
    pub loopback_name: String,
}

impl std::fmt::Debug for Host {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Host")
            .field("ifaces", &self.ifaces)
            .field("route", &self.route)
            .field("route6", &self.route6)
            .field("iface", &self.iface)
            .finish()
    }
}

fn read_ifaces(src: &dyn HostSource) -> Result<Interfaces, NetError> {
    Ok(Interfaces::from_netlink(
        &src.links()?,
        &src.addrs(Family::Unspec)?,
    ))
}

impl Host {
    /// The kernel's view, in the calling thread's network namespace.
    pub fn kernel() -> Result<Host, NetError> {
        Host::load(Box::new(Kernel))
    }

    /// Loads everything from `source`, in Scapy's order: interfaces, IPv4 routes, `conf.iface`,
    /// IPv6 routes.
    pub fn load(source: Box<dyn HostSource>) -> Result<Host, NetError> {
        let lo = "lo";
        let ifaces = read_ifaces(source.as_ref())?;
        let mut host = Host {
            source,
            ifaces,
            route: RouteTable::new(lo),
            route6: Route6Table::new(lo),
            iface: None,
            loopback_name: lo.to_string(),
        };
        host.resync_route()?;
        host.iface = host.working_iface();
        host.resync_route6()?;
        Ok(host)
    }

    /// Scapy's `conf.route.resync()`: the IPv4 table read again (additions are lost).
    pub fn resync_route(&mut self) -> Result<(), NetError> {
        let src = self.source.as_ref();
        let ifaces = read_ifaces(src)?;
        self.route
            .set_routes(read_routes(&src.routes(Family::Inet)?, &ifaces));
        Ok(())
    }

    /// Scapy's `conf.route6.resync()`: the IPv6 table read again (additions are lost).
    pub fn resync_route6(&mut self) -> Result<(), NetError> {
        let src = self.source.as_ref();
        let ifaces = read_ifaces(src)?;
        let msgs = src.routes(Family::Inet6)?;
        let addrs6 = src.addrs(Family::Inet6)?;
        self.route6
            .set_routes(read_routes6(&msgs, &addrs6, &ifaces));
        Ok(())
    }

    /// Scapy's `conf.ifaces.reload()`: the interfaces read again, then `conf.iface` chosen again.
    pub fn reload_ifaces(&mut self) -> Result<(), NetError> {
        self.ifaces = read_ifaces(self.source.as_ref())?;
        self.iface = self.working_iface();
        Ok(())
    }

    /// Scapy's `get_working_if()`: the interfaces of the routes from the widest mask to the
    /// narrowest, then every interface, the first that exists and is up; else the loopback.
    pub fn working_iface(&self) -> Option<String> {
        let mut routes: Vec<&super::route::Route4> = self.route.routes.iter().collect();
        routes.sort_by_key(|r| r.mask);
        let names = routes
            .iter()
            .map(|r| r.iface.as_str())
            .chain(self.ifaces.list.iter().map(|i| i.name.as_str()));
        for n in names {
            if let Some(i) = self.ifaces.by_name(n) {
                if i.is_up() {
                    return Some(i.name.clone());
                }
            }
        }
        self.ifaces
            .by_name(&self.loopback_name)
            .map(|i| i.name.clone())
    }

    /// Scapy's `resolve_iface(name)`: a known interface, else the interfaces are read again
    /// (which also chooses `conf.iface` again) and looked at once more.
    pub fn resolve_iface(&mut self, name: &str) -> Result<Interface, NetError> {
        if let Some(i) = self.ifaces.by_name(name) {
            return Ok(i.clone());
        }
        self.reload_ifaces()?;
        self.ifaces
            .by_name(name)
            .cloned()
            .ok_or_else(|| NetError::InterfaceNotFound(name.to_string()))
    }

    /// `get_if_list()`.
    pub fn get_if_list(&self) -> Vec<String> {
        self.ifaces.names()
    }

    /// `get_if_addr(iff)`: the interface's first IPv4 address, 0.0.0.0 without one.
    pub fn get_if_addr(&mut self, iff: &str) -> Result<Ipv4Addr, NetError> {
        Ok(self
            .resolve_iface(iff)?
            .ip()
            .unwrap_or(Ipv4Addr::UNSPECIFIED))
    }

    /// `get_if_hwaddr(iff)`: the MAC as text.
    pub fn get_if_hwaddr(&mut self, iff: &str) -> Result<String, NetError> {
        Ok(self.resolve_iface(iff)?.mac())
    }

    /// `get_if_raw_hwaddr(iff)`: `(ARPHRD type, 6 MAC bytes)` as SIOCGIFHWADDR gives them, read
    /// afresh; an unknown interface is `[Errno 19] No such device`.
    pub fn get_if_raw_hwaddr(&self, iff: &str) -> Result<(u16, [u8; 6]), NetError> {
        let links = self.source.links()?;
        let l = links
            .iter()
            .find(|l| l.name == iff)
            .ok_or_else(|| NetError::NoSuchDevice(iff.to_string()))?;
        let mut m = [0u8; 6];
        for (d, s) in m.iter_mut().zip(&l.address) {
            *d = *s;
        }
        Ok((l.link_type, m))
    }

    /// `in6_getifaddr()`: every IPv6 address with its Scapy scope and interface, read afresh.
    pub fn in6_getifaddr(&self) -> Result<Vec<IfAddr6>, NetError> {
        let links = self.source.links()?;
        let addrs6 = self.source.addrs(Family::Inet6)?;
        Ok(in6_getifaddr(&links, &addrs6))
    }

    /// `get_if_addr6(iff)`: the interface's first global address (for the loopback, its
    /// loopback address), read afresh; `None` without one.
    pub fn get_if_addr6(&mut self, iff: &str) -> Result<Option<Ipv6Addr>, NetError> {
        let name = self.resolve_iface(iff)?.name;
        let want = if name == self.loopback_name {
            IPV6_ADDR_LOOPBACK
        } else {
            IPV6_ADDR_GLOBAL
        };
        Ok(self
            .in6_getifaddr()?
            .into_iter()
            .find(|x| x.2 == name && x.1 == want)
            .map(|x| x.0))
    }

    /// `conf.route.route(dst, dev)`.
    pub fn route(&self, dst: Option<&str>, dev: Option<&str>) -> Result<RouteLookup4, NetError> {
        self.route.route(dst, dev)
    }

    /// `conf.route6.route(dst, dev)` (with `conf.iface` breaking ties).
    pub fn route6(
        &mut self,
        dst: Option<&str>,
        dev: Option<&str>,
    ) -> Result<RouteLookup6, NetError> {
        let ci = self.iface.clone();
        self.route6.route(dst, dev, ci.as_deref())
    }

    /// `conf.route.add(...)`.
    pub fn route_add(&mut self, spec: &RouteSpec) -> Result<(), NetError> {
        self.route.add(spec)
    }

    /// `conf.route.delt(...)`.
    pub fn route_delt(&mut self, spec: &RouteSpec) -> Result<(), NetError> {
        self.route.delt(spec)
    }

    /// `conf.route6.add(dst=, gw=, dev=)`; with `dev`, the interface's addresses are read afresh.
    pub fn route6_add(
        &mut self,
        dst: &str,
        gw: Option<&str>,
        dev: Option<&str>,
    ) -> Result<(), NetError> {
        let ifaddrs = if dev.is_some() {
            self.in6_getifaddr()?
        } else {
            Vec::new()
        };
        let ci = self.iface.clone();
        self.route6.add(dst, gw, dev, &ifaddrs, ci.as_deref())
    }

    /// `conf.route6.delt(dst=, gw=)`.
    pub fn route6_delt(&mut self, dst: &str, gw: Option<&str>) -> Result<(), NetError> {
        self.route6.delt(dst, gw)
    }

    /// Each route's interface must resolve, as Scapy's display resolves it (reading the
    /// interfaces again on a miss, then raising).
    fn check_ifaces(&mut self, names: Vec<String>) -> Result<(), NetError> {
        for n in names {
            // A route without an interface (blackhole, multipath) shows a blank; Scapy fails.
            if !n.is_empty() {
                self.resolve_iface(&n)?;
            }
        }
        Ok(())
    }

    /// `print(conf.route)`, cropped to `width` (see [`super::table::terminal_width`]).
    pub fn route_display(&mut self, width: Option<usize>) -> Result<String, NetError> {
        let names = self.route.routes.iter().map(|r| r.iface.clone()).collect();
        self.check_ifaces(names)?;
        Ok(self.route.display(width))
    }

    /// `print(conf.route6)`, cropped to `width`.
    pub fn route6_display(&mut self, width: Option<usize>) -> Result<String, NetError> {
        let names = self.route6.routes.iter().map(|r| r.iface.clone()).collect();
        self.check_ifaces(names)?;
        Ok(self.route6.display(width))
    }

    /// The warnings Scapy would have logged since the last call (IPv4 table's, then IPv6's).
    pub fn take_warnings(&mut self) -> Vec<String> {
        let mut w = self.route.take_warnings();
        w.extend(self.route6.take_warnings());
        w
    }
}

/// The engine's [`Resolver`] answering from a session's [`Host`]: `IP(dst=X).src` is
/// `conf.route.route(X)[1]`, `Ether().src` the MAC of the interface that route names (as in
/// Scapy), `IPv6(dst=X).src` the source `conf.route6` picks. Neighbour MACs need ARP/ND,
/// which is later work: `None` (nothing is ever sent here).
#[derive(Clone, Debug)]
pub struct HostResolver {
    host: Rc<RefCell<Host>>,
}

impl HostResolver {
    /// A resolver over a shared host (the session keeps editing it: `conf.route.add` shows).
    pub fn new(host: Rc<RefCell<Host>>) -> HostResolver {
        HostResolver { host }
    }

    /// The host it answers from.
    pub fn host(&self) -> &Rc<RefCell<Host>> {
        &self.host
    }
}

impl Resolver for HostResolver {
    fn source_ipv4(&self, dst: Ipv4Addr) -> Option<Ipv4Addr> {
        // Already borrowed means a caller up the stack is editing the host: no answer rather
        // than a panic.
        let h = self.host.try_borrow().ok()?;
        Some(h.route.route_to(dst).src)
    }

    fn interface_mac(&self, dst: Option<Ipv4Addr>) -> Option<[u8; 6]> {
        let dst = dst?;
        let mut h = self.host.try_borrow_mut().ok()?;
        let iface = h.route.route_to(dst).iface;
        h.resolve_iface(&iface).ok().map(|i| i.mac_bytes())
    }

    fn neighbour_mac(&self, _dst: Ipv4Addr) -> Option<[u8; 6]> {
        None
    }

    /// The system resolver (getaddrinfo: /etc/hosts, then DNS), as Scapy's Net asks it.
    fn host_ipv4(&self, name: &str) -> Option<Ipv4Addr> {
        resolve_host_ipv4(name)
    }

    /// Scapy's SourceIP6Field: `conf.route6.route(dst)[1]`, or when that route has no
    /// source, the default route's (`conf.route6.route()[1]`). No route at all gives `::` and
    /// Scapy's warning, kept in the host for the session to log.
    fn source_ipv6(&self, dst: Ipv6Addr) -> Option<Ipv6Addr> {
        let mut h = self.host.try_borrow_mut().ok()?;
        let text = super::addr::fmt_ipv6(&dst);
        match h.route6(Some(&text), None).ok()?.src {
            Some(a) => Some(a),
            None => h.route6(None, None).ok()?.src,
        }
    }
}

/// The session's resolver: reads the host (interfaces and routes, by netlink) only when a build
/// first needs it, so campaigns that give every address never pay for it. A host that cannot be
/// read answers as the loopback alone does.
pub struct LazyHostResolver {
    host: std::cell::OnceCell<Result<HostResolver, FixedResolver>>,
}

impl Default for LazyHostResolver {
    fn default() -> Self {
        LazyHostResolver::new()
    }
}

impl LazyHostResolver {
    /// A resolver that has read nothing yet.
    pub fn new() -> LazyHostResolver {
        LazyHostResolver {
            host: std::cell::OnceCell::new(),
        }
    }

    fn get(&self) -> &dyn Resolver {
        let r = self.host.get_or_init(|| match Host::kernel() {
            Ok(h) => Ok(HostResolver::new(Rc::new(RefCell::new(h)))),
            Err(_) => Err(FixedResolver::loopback()),
        });
        match r {
            Ok(h) => h,
            Err(f) => f,
        }
    }
}

impl Resolver for LazyHostResolver {
    fn source_ipv4(&self, dst: Ipv4Addr) -> Option<Ipv4Addr> {
        self.get().source_ipv4(dst)
    }

    fn interface_mac(&self, dst: Option<Ipv4Addr>) -> Option<[u8; 6]> {
        self.get().interface_mac(dst)
    }

    fn neighbour_mac(&self, dst: Ipv4Addr) -> Option<[u8; 6]> {
        self.get().neighbour_mac(dst)
    }

    fn source_ipv6(&self, dst: Ipv6Addr) -> Option<Ipv6Addr> {
        self.get().source_ipv6(dst)
    }

    fn host_ipv4(&self, name: &str) -> Option<Ipv4Addr> {
        // Names need no routes: asked of the system resolver without reading the host.
        resolve_host_ipv4(name)
    }
}

/// The first IPv4 address getaddrinfo gives for `name`.
fn resolve_host_ipv4(name: &str) -> Option<Ipv4Addr> {
    use std::net::ToSocketAddrs;
    (name, 0)
        .to_socket_addrs()
        .ok()?
        .find_map(|a| match a.ip() {
            std::net::IpAddr::V4(v4) => Some(v4),
            std::net::IpAddr::V6(_) => None,
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::iface::{IFF_MULTICAST, IFF_UP};
    use std::net::IpAddr;

    fn link(index: u32, name: &str, flags: u32) -> Link {
        Link {
            index,
            name: name.to_string(),
            flags,
            link_type: 1,
            address: vec![0, 0, 0x5e, 0, 0x53, index as u8],
        }
    }

    fn addr4(index: u32, a: [u8; 4], len: u8) -> AddrMsg {
        AddrMsg {
            family: 2,
            prefix_len: len,
            flags: 0,
            scope: 0,
            index,
            address: Some(IpAddr::from(a)),
            local: Some(IpAddr::from(a)),
        }
    }

    fn route4(dst: [u8; 4], len: u8, oif: Option<u32>, src: Option<[u8; 4]>) -> RouteMsg {
        RouteMsg {
            family: 2,
            dst_len: len,
            src_len: 0,
            tos: 0,
            table: 254,
            protocol: 2,
            scope: 0,
            kind: 1,
            flags: 0,
            dst: Some(IpAddr::from(dst)),
            gateway: None,
            oif,
            priority: None,
            prefsrc: src.map(IpAddr::from),
        }
    }

    fn snapshot() -> Snapshot {
        Snapshot {
            links: vec![
                link(1, "lo", IFF_UP | 0x8),
                link(2, "eth0", IFF_MULTICAST),
                link(3, "eth1", IFF_UP | IFF_MULTICAST),
            ],
            addrs: vec![
                addr4(2, [192, 0, 2, 5], 24),
                addr4(3, [198, 51, 100, 5], 24),
            ],
            routes4: vec![
                route4([192, 0, 2, 0], 24, Some(2), Some([192, 0, 2, 5])),
                route4([198, 51, 100, 0], 24, Some(3), Some([198, 51, 100, 5])),
                // A route without interface (blackhole) and one through an unknown index.
                route4([203, 0, 113, 0], 24, None, None),
                route4([203, 0, 113, 128], 25, Some(9), None),
            ],
            routes6: Vec::new(),
        }
    }

    #[test]
    fn conf_iface_skips_interfaces_that_are_down() {
        let h = Host::load(Box::new(snapshot())).expect("host");
        // The widest routes are eth0's multicast route and eth1's; eth0 is down.
        assert_eq!(h.iface.as_deref(), Some("eth1"));
        assert_eq!(h.route.routes.len(), 6, "four routes, two multicast routes");
        assert_eq!(
            h.route.routes[3].iface, "9",
            "an unknown index shows as its number"
        );
    }

    #[test]
    fn resolver_answers_from_the_host() {
        let h = Rc::new(RefCell::new(
            Host::load(Box::new(snapshot())).expect("host"),
        ));
        let r = HostResolver::new(h.clone());
        let dst = Ipv4Addr::new(198, 51, 100, 9);
        assert_eq!(r.source_ipv4(dst), Some(Ipv4Addr::new(198, 51, 100, 5)));
        assert_eq!(r.interface_mac(Some(dst)), Some([0, 0, 0x5e, 0, 0x53, 3]));
        assert_eq!(r.neighbour_mac(dst), None);
        // No route: 0.0.0.0 and Scapy's warning, kept for the session to log.
        assert_eq!(
            r.source_ipv4(Ipv4Addr::new(10, 0, 0, 1)),
            Some(Ipv4Addr::UNSPECIFIED)
        );
        assert_eq!(
            h.borrow_mut().take_warnings(),
            vec!["No route found for IPv4 destination 10.0.0.1 (no default route?)".to_string()]
        );
        // An edit of conf.route shows in the next build.
        h.borrow_mut()
            .route_add(&RouteSpec::net("10.0.0.0/8").dev("eth0"))
            .expect("add");
        assert_eq!(
            r.interface_mac(Some(Ipv4Addr::new(10, 0, 0, 1))),
            Some([0, 0, 0x5e, 0, 0x53, 2])
        );
        // Borrowed elsewhere: no answer, no panic.
        let _guard = h.borrow_mut();
        assert_eq!(r.source_ipv4(dst), None);
    }

    #[test]
    fn display_errors_on_unknown_interfaces() {
        let mut h = Host::load(Box::new(snapshot())).expect("host");
        let e = h.route_display(None).expect_err("route via index 9");
        assert_eq!(e.to_string(), "Interface '9' not found !");
        h.route.routes.remove(3);
        let t = h.route_display(None).expect("display");
        // A route without an interface shows a blank (Scapy raises on it).
        let want = "203.0.113.0   255.255.255.0  0.0.0.0         0.0.0.0       0     ";
        assert!(t.lines().any(|l| l == want), "{t}");
    }
}
