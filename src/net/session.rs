//! One session's network side: the host (read when first needed), `conf.netcache`, link-layer
//! resolution, and where each packet goes out. It is also the engine's
//! [`Resolver`](crate::packet::resolver::Resolver), so `Ether()/IP(dst=X)` built in a
//! session gets its MACs as Scapy's do: from the route's interface and by ARP or ND.

use std::cell::RefCell;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use super::addr::fmt_ipv6;
use super::host::{Host, HostResolver};
use super::neighbor::{self, mac_text, NetCache};
use super::socket::IfaceRef;
use super::NetError;
use crate::packet::resolver::{FixedResolver, Resolver};
use crate::packet::sets::first_element;
use crate::packet::{log, Packet, Registry, Value as EValue};

/// A session's network state.
pub struct NetSession {
    host: RefCell<Option<Rc<RefCell<Host>>>>,
    /// `conf.netcache`.
    pub cache: RefCell<NetCache>,
    /// The runner's stop flag (non-zero: stop): resolution and transfers end when it is
    /// raised.
    pub stop: Arc<AtomicUsize>,
}

/// Where a level 3 packet goes out: the interface and the bytes to put on it.
#[derive(Clone, Debug)]
pub struct Outgoing {
    /// The interface (None for the raw IP socket, where the kernel routes).
    pub iface: Option<IfaceRef>,
    /// The frame (or, for the raw IP socket, the IP packet).
    pub bytes: Vec<u8>,
}

impl NetSession {
    /// A session state that has read nothing yet.
    pub fn new(stop: Arc<AtomicUsize>) -> NetSession {
        NetSession {
            host: RefCell::new(None),
            cache: RefCell::new(NetCache::new()),
            stop,
        }
    }

    /// A session state over a given host (tests).
    pub fn with_host(host: Host, stop: Arc<AtomicUsize>) -> NetSession {
        let s = NetSession::new(stop);
        *s.host.borrow_mut() = Some(Rc::new(RefCell::new(host)));
        s
    }

    /// Whether the runner asked to stop.
    pub fn stopped(&self) -> bool {
        self.stop.load(Ordering::Relaxed) != 0
    }

    /// The host, read from the kernel the first time.
    pub fn host(&self) -> Result<Rc<RefCell<Host>>, NetError> {
        if let Some(h) = self.host.borrow().as_ref() {
            return Ok(h.clone());
        }
        let h = Rc::new(RefCell::new(Host::kernel()?));
        *self.host.borrow_mut() = Some(h.clone());
        Ok(h)
    }

    /// An interface by name, as sockets need it; a missing one is Scapy's
    /// `Interface 'X' not found !`.
    pub fn iface(&self, name: &str) -> Result<IfaceRef, NetError> {
        let h = self.host()?;
        let mut h = h
            .try_borrow_mut()
            .map_err(|_| NetError::BadArgument("the host is busy".into()))?;
        let i = h.resolve_iface(name)?;
        Ok(IfaceRef {
            name: i.name.clone(),
            index: i.index,
            mac: i.mac_bytes(),
            arphrd: i.link_type,
        })
    }

    /// `conf.iface`'s name.
    pub fn default_iface(&self) -> Result<String, NetError> {
        let h = self.host()?;
        let h = h.borrow();
        h.iface
            .clone()
            .ok_or_else(|| NetError::BadArgument("no interface is up (conf.iface is None)".into()))
    }

    /// The interfaces that are up (where `sniff()` without `iface` listens).
    pub fn up_ifaces(&self) -> Result<Vec<IfaceRef>, NetError> {
        let h = self.host()?;
        let mut h = h.borrow_mut();
        h.reload_ifaces()?;
        Ok(h.ifaces
            .list
            .iter()
            .filter(|i| i.is_up())
            .map(|i| IfaceRef {
                name: i.name.clone(),
                index: i.index,
                mac: i.mac_bytes(),
                arphrd: i.link_type,
            })
            .collect())
    }

    fn warn_from_host(h: &mut Host) {
        for w in h.take_warnings() {
            log::log_warning(&w);
        }
    }

    /// Scapy's `getmacbyip(ip)`: multicast and broadcast from the address, the loopback's
    /// broadcast, else the next hop's MAC from the cache or by ARP (2 s). None when nobody
    /// answers.
    pub fn getmacbyip(&self, ip: Ipv4Addr) -> Option<String> {
        let o = ip.octets();
        if o[0] & 0xf0 == 0xe0 {
            return Some(mac_text(&[0x01, 0x00, 0x5e, o[1] & 0x7f, o[2], o[3]]));
        }
        let host = self.host().ok()?;
        let (route, bcast, loopback) = {
            let h = host.try_borrow().ok()?;
            let r = h.route.route_to(ip);
            let b = h.route.get_if_bcast(&r.iface);
            let lo = h.loopback_name.clone();
            (r, b, lo)
        };
        if let Ok(mut h) = host.try_borrow_mut() {
            Self::warn_from_host(&mut h);
        }
        if route.iface == loopback || bcast.contains(&ip) {
            return Some("ff:ff:ff:ff:ff:ff".into());
        }
        let next = if route.gw.is_unspecified() {
            ip
        } else {
            route.gw
        };
        if let Some(m) = self.cache.borrow_mut().arp.get(&next) {
            return Some(m);
        }
        let iface = match self.iface(&route.iface) {
            Ok(i) => i,
            Err(e) => {
                log::log_warning(format!("getmacbyip failed on {e}"));
                return None;
            }
        };
        match neighbor::arp_resolve(&iface, route.src, next, &|| self.stopped()) {
            Ok(Some(m)) => {
                let t = mac_text(&m);
                self.cache.borrow_mut().arp.set(next, t.clone());
                Some(t)
            }
            Ok(None) => None,
            Err(e) => {
                log::log_warning(format!("getmacbyip failed on {e}"));
                None
            }
        }
    }

    /// Scapy's `getmacbyip6(ip6)`: multicast from the address, the loopback's broadcast,
    /// else the next hop's MAC from the cache or by Neighbor Discovery (1 s).
    pub fn getmacbyip6(&self, ip: Ipv6Addr) -> Option<String> {
        if ip.is_multicast() {
            return Some(mac_text(&neighbor::ipv6_multicast_mac(ip)));
        }
        let host = self.host().ok()?;
        let (route, loopback) = {
            let mut h = host.try_borrow_mut().ok()?;
            let r = h.route6(Some(&fmt_ipv6(&ip)), None).ok()?;
            Self::warn_from_host(&mut h);
            (r, h.loopback_name.clone())
        };
        if route.iface == loopback {
            return Some("ff:ff:ff:ff:ff:ff".into());
        }
        let next = if route.nexthop.is_unspecified() {
            ip
        } else {
            route.nexthop
        };
        if let Some(m) = self.cache.borrow_mut().nd.get(&next) {
            return Some(m);
        }
        let iface = self.iface(&route.iface).ok()?;
        let src = route.src.unwrap_or(Ipv6Addr::UNSPECIFIED);
        match neighbor::nd_resolve(&iface, src, next, &|| self.stopped()) {
            Ok(Some(m)) => {
                let t = mac_text(&m);
                self.cache.borrow_mut().nd.set(next, t.clone());
                Some(t)
            }
            Ok(None) => None,
            Err(e) => {
                log::log_warning(format!("getmacbyip6 failed on {e}"));
                None
            }
        }
    }

    /// The interface a level 3 packet leaves by (Scapy's `pkt.route()[0]`): IP by its
    /// destination, IPv6 by the IPv6 table, ARP by its target; anything else by
    /// `conf.iface`.
    pub fn route_iface(&self, p: &Packet) -> Result<String, NetError> {
        let host = self.host()?;
        let mut h = host
            .try_borrow_mut()
            .map_err(|_| NetError::BadArgument("the host is busy".into()))?;
        let field = match p.class_name().as_str() {
            "IP" => "dst",
            "IPv6" => "dst",
            "ARP" => "pdst",
            _ => "",
        };
        let dst = if field.is_empty() {
            None
        } else {
            p.get(field).map(|v| first_element(&v).into_owned())
        };
        let r = match dst {
            Some(EValue::Ip4(a)) => Some(h.route.route_to(a).iface),
            Some(EValue::Ip6(a)) => Some(h.route6(Some(&fmt_ipv6(&a)), None)?.iface),
            Some(EValue::Str(s)) if p.class_name() == "IPv6" => {
                Some(h.route6(Some(&s), None)?.iface)
            }
            Some(EValue::Str(s)) => Some(h.route(Some(&s), None)?.iface),
            _ => None,
        };
        Self::warn_from_host(&mut h);
        match r {
            Some(i) => Ok(i),
            None => h
                .iface
                .clone()
                .ok_or_else(|| NetError::BadArgument("no interface is up".into())),
        }
    }

    /// A level 3 packet framed for its interface (Scapy's L3PacketSocket): `Ether()/pkt`
    /// with the resolved MACs on Ethernet and the loopback, the packet alone elsewhere.
    pub fn l3_frame(
        &self,
        reg: &Registry,
        p: &Packet,
        iface: Option<&str>,
    ) -> Result<Outgoing, String> {
        let name = match iface {
            Some(n) => n.to_string(),
            None => self.route_iface(p).map_err(|e| e.to_string())?,
        };
        let iface = self.iface(&name).map_err(|e| e.to_string())?;
        let bytes = match iface.arphrd {
            1 | 772 | 6 => {
                let ether = reg
                    .new_layer("Ether")
                    .map_err(|e| format!("no Ether layer: {e:?}"))?;
                let f = ether.div(p);
                crate::packet::build(&f)
                    .map_err(|e| format!("While building field '{}': {}", e.field, e.message))?
            }
            _ => crate::packet::build(p)
                .map_err(|e| format!("While building field '{}': {}", e.field, e.message))?,
        };
        Ok(Outgoing {
            iface: Some(iface),
            bytes,
        })
    }

    fn resolver_host(&self) -> Option<HostResolver> {
        self.host().ok().map(HostResolver::new)
    }
}

impl Resolver for NetSession {
    fn source_ipv4(&self, dst: Ipv4Addr) -> Option<Ipv4Addr> {
        match self.resolver_host() {
            Some(h) => h.source_ipv4(dst),
            None => FixedResolver::loopback().source_ipv4(dst),
        }
    }

    fn interface_mac(&self, dst: Option<Ipv4Addr>) -> Option<[u8; 6]> {
        let h = self.resolver_host()?;
        match dst {
            Some(_) => h.interface_mac(dst),
            // Scapy's route() of a packet without an address: conf.iface.
            None => {
                let name = self.default_iface().ok()?;
                self.iface(&name).ok().map(|i| i.mac)
            }
        }
    }

    fn interface_mac6(&self, dst: Ipv6Addr) -> Option<[u8; 6]> {
        let host = self.host().ok()?;
        let name = {
            let mut h = host.try_borrow_mut().ok()?;
            h.route6(Some(&fmt_ipv6(&dst)), None).ok()?.iface
        };
        self.iface(&name).ok().map(|i| i.mac)
    }

    fn neighbour_mac(&self, dst: Ipv4Addr) -> Option<[u8; 6]> {
        self.getmacbyip(dst).and_then(|m| parse_mac(&m))
    }

    fn neighbour_mac6(&self, dst: Ipv6Addr) -> Option<[u8; 6]> {
        self.getmacbyip6(dst).and_then(|m| parse_mac(&m))
    }

    fn source_ipv6(&self, dst: Ipv6Addr) -> Option<Ipv6Addr> {
        self.resolver_host()?.source_ipv6(dst)
    }

    fn host_ipv4(&self, name: &str) -> Option<Ipv4Addr> {
        use std::net::ToSocketAddrs;
        (name, 0)
            .to_socket_addrs()
            .ok()?
            .find_map(|a| match a.ip() {
                IpAddr::V4(v4) => Some(v4),
                IpAddr::V6(_) => None,
            })
    }
}

/// A MAC from its text (`aa:bb:cc:dd:ee:ff`).
pub fn parse_mac(s: &str) -> Option<[u8; 6]> {
    let mut m = [0u8; 6];
    let mut parts = s.split(':');
    for b in m.iter_mut() {
        *b = u8::from_str_radix(parts.next()?, 16).ok()?;
    }
    parts.next().is_none().then_some(m)
}
