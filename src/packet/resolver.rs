//! What a build learns from the host, behind an interface (architecture.md, "Sans-I/O"): the
//! engine asks, `src/net/` answers from the kernel; tests answer from a fixed table.

use std::cell::RefCell;
use std::net::Ipv4Addr;
use std::rc::Rc;

/// Host knowledge a build needs for fields the user left unset.
pub trait Resolver {
    /// The source address the routing table picks for `dst` (IP's unset `src`).
    fn source_ipv4(&self, dst: Ipv4Addr) -> Option<Ipv4Addr>;
    /// The MAC of the interface that reaches `dst` (Ether's unset `src`).
    fn interface_mac(&self, dst: Option<Ipv4Addr>) -> Option<[u8; 6]>;
    /// The MAC of the next hop towards `dst` (Ether's unset `dst`).
    fn neighbour_mac(&self, dst: Ipv4Addr) -> Option<[u8; 6]>;
    /// The MAC of the next hop towards an IPv6 `dst` (Ether's unset `dst` above IPv6).
    fn neighbour_mac6(&self, dst: std::net::Ipv6Addr) -> Option<[u8; 6]> {
        let _ = dst;
        None
    }
    /// The MAC of the interface that reaches an IPv6 `dst` (Ether's unset `src` above IPv6).
    fn interface_mac6(&self, dst: std::net::Ipv6Addr) -> Option<[u8; 6]> {
        let _ = dst;
        None
    }
    /// The source address the IPv6 routing table picks for `dst` (IPv6's unset `src`).
    /// `None` when unknown: the engine then uses `::1` towards `::1` and `::` otherwise.
    fn source_ipv6(&self, dst: std::net::Ipv6Addr) -> Option<std::net::Ipv6Addr> {
        let _ = dst;
        None
    }
    /// The first IPv4 address the system resolver gives for a host name (`Net("localhost/30")`).
    /// `None` when unknown; without a host, only `localhost` is known.
    fn host_ipv4(&self, name: &str) -> Option<Ipv4Addr> {
        (name == "localhost").then_some(Ipv4Addr::LOCALHOST)
    }
}

/// A resolver answering from fixed tables: loopback for 127/8 (as Scapy on any host), then
/// the given routes. No I/O, so tests and vectors are reproducible.
#[derive(Clone, Debug, Default)]
pub struct FixedResolver {
    /// `(network, prefix length, source address, interface MAC)`, first match wins.
    pub routes: Vec<(Ipv4Addr, u8, Ipv4Addr, [u8; 6])>,
    /// Known neighbours `(address, MAC)`.
    pub neighbours: Vec<(Ipv4Addr, [u8; 6])>,
}

impl FixedResolver {
    /// Only the loopback route.
    pub fn loopback() -> FixedResolver {
        FixedResolver {
            routes: vec![(Ipv4Addr::new(127, 0, 0, 0), 8, Ipv4Addr::LOCALHOST, [0; 6])],
            neighbours: Vec::new(),
        }
    }

    fn route(&self, dst: Ipv4Addr) -> Option<&(Ipv4Addr, u8, Ipv4Addr, [u8; 6])> {
        self.routes.iter().find(|(net, len, _, _)| {
            let mask = if *len == 0 {
                0
            } else {
                u32::MAX << (32 - u32::from((*len).min(32)))
            };
            u32::from(dst) & mask == u32::from(*net) & mask
        })
    }
}

impl Resolver for FixedResolver {
    fn source_ipv4(&self, dst: Ipv4Addr) -> Option<Ipv4Addr> {
        self.route(dst).map(|r| r.2)
    }

    fn interface_mac(&self, dst: Option<Ipv4Addr>) -> Option<[u8; 6]> {
        match dst {
            Some(d) => self.route(d).map(|r| r.3),
            None => self.routes.first().map(|r| r.3),
        }
    }

    fn neighbour_mac(&self, dst: Ipv4Addr) -> Option<[u8; 6]> {
        self.neighbours
            .iter()
            .find(|(a, _)| *a == dst)
            .map(|(_, m)| *m)
    }
}

thread_local! {
    static CURRENT: RefCell<Rc<dyn Resolver>> = RefCell::new(Rc::new(FixedResolver::loopback()));
}

/// Installs the resolver this thread's builds and displays use. A session runs on one thread,
/// so this is per session; the default is [`FixedResolver::loopback`].
pub fn install(r: Rc<dyn Resolver>) {
    CURRENT.with(|c| *c.borrow_mut() = r);
}

/// The resolver installed on this thread.
pub fn current() -> Rc<dyn Resolver> {
    CURRENT.with(|c| c.borrow().clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_routes() {
        let r = FixedResolver::loopback();
        assert_eq!(
            r.source_ipv4(Ipv4Addr::new(127, 0, 0, 9)),
            Some(Ipv4Addr::LOCALHOST)
        );
        assert_eq!(r.source_ipv4(Ipv4Addr::new(198, 51, 100, 1)), None);
    }
}
