//! Interfaces as Scapy 2.8 knows them on Linux (`conf.ifaces`): name, index, flags, MAC and
//! addresses, from the netlink link and address dumps.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::addr::{self, IfAddr6};
use super::netlink::{AddrMsg, Link};

/// Interface is up.
pub const IFF_UP: u32 = 0x1;
/// Broadcast address valid.
pub const IFF_BROADCAST: u32 = 0x2;
/// Is a loopback net.
pub const IFF_LOOPBACK: u32 = 0x8;
/// Point-to-point link.
pub const IFF_POINTOPOINT: u32 = 0x10;
/// Resources allocated.
pub const IFF_RUNNING: u32 = 0x40;
/// Supports multicast.
pub const IFF_MULTICAST: u32 = 0x1000;

/// One address of an interface.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IfAddr {
    /// The address (IFA_LOCAL, else IFA_ADDRESS).
    pub addr: IpAddr,
    /// The prefix length.
    pub prefix_len: u8,
    /// Scapy's scope for IPv6 addresses (`addr::IPV6_ADDR_*`, from the address itself, not
    /// the kernel's scope); 0 for IPv4.
    pub scope: i32,
}

/// One interface.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Interface {
    /// The name (Scapy's `name`, `network_name` and `description` on Linux).
    pub name: String,
    /// The kernel's index.
    pub index: u32,
    /// The `IFF_*` flags.
    pub flags: u32,
    /// The ARPHRD_* hardware type (1 Ethernet, 772 loopback...).
    pub link_type: u16,
    /// The hardware address as the kernel gives it (empty when none).
    pub hwaddr: Vec<u8>,
    /// The addresses, in the kernel's order (IPv4 ones first).
    pub addrs: Vec<IfAddr>,
}

impl Interface {
    /// The MAC as Scapy shows it: the first six bytes of the hardware address in lowercase hex
    /// with colons, `00:00:00:00:00:00` when the interface has none.
    pub fn mac(&self) -> String {
        if self.hwaddr.is_empty() {
            return "00:00:00:00:00:00".to_string();
        }
        self.hwaddr
            .iter()
            .take(6)
            .map(|b| format!("{b:02x}"))
            .collect::<Vec<_>>()
            .join(":")
    }

    /// The first six bytes of the hardware address, zero-filled.
    pub fn mac_bytes(&self) -> [u8; 6] {
        let mut m = [0u8; 6];
        for (d, s) in m.iter_mut().zip(&self.hwaddr) {
            *d = *s;
        }
        m
    }

    /// Scapy's `iface.ip`: the first IPv4 address.
    pub fn ip(&self) -> Option<Ipv4Addr> {
        self.ips4().into_iter().next()
    }

    /// The IPv4 addresses, in order.
    pub fn ips4(&self) -> Vec<Ipv4Addr> {
        self.addrs
            .iter()
            .filter_map(|a| match a.addr {
                IpAddr::V4(v) => Some(v),
                IpAddr::V6(_) => None,
            })
            .collect()
    }

    /// The IPv6 addresses, in order.
    pub fn ips6(&self) -> Vec<Ipv6Addr> {
        self.addrs
            .iter()
            .filter_map(|a| match a.addr {
                IpAddr::V6(v) => Some(v),
                IpAddr::V4(_) => None,
            })
            .collect()
    }

    /// Up (Scapy's `is_valid` on Linux).
    pub fn is_up(&self) -> bool {
        self.flags & IFF_UP != 0
    }

    /// Supports multicast (gets Scapy's added multicast routes).
    pub fn is_multicast(&self) -> bool {
        self.flags & IFF_MULTICAST != 0
    }
}

/// All interfaces, in the kernel's order (Scapy's `conf.ifaces`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Interfaces {
    /// The interfaces; names are unique.
    pub list: Vec<Interface>,
}

/// Groups address messages by interface index, in order of first appearance, keeping each
/// interface's addresses in dump order (Scapy builds the same dict of lists).
fn group_addrs(addrs: &[AddrMsg]) -> Vec<(u32, Vec<IfAddr>)> {
    let mut out: Vec<(u32, Vec<IfAddr>)> = Vec::new();
    for m in addrs {
        let Some(a) = m.addr() else { continue };
        let scope = match a {
            IpAddr::V6(v6) => addr::scope(&v6),
            IpAddr::V4(_) => 0,
        };
        let ia = IfAddr {
            addr: a,
            prefix_len: m.prefix_len,
            scope,
        };
        match out.iter_mut().find(|(i, _)| *i == m.index) {
            Some((_, v)) => v.push(ia),
            None => out.push((m.index, vec![ia])),
        }
    }
    out
}

impl Interfaces {
    /// Builds the list from a link dump and an address dump of every family.
    pub fn from_netlink(links: &[Link], addrs: &[AddrMsg]) -> Interfaces {
        let grouped = group_addrs(addrs);
        let mut list: Vec<Interface> = Vec::new();
        for l in links {
            let addrs = grouped
                .iter()
                .find(|(i, _)| *i == l.index)
                .map(|(_, v)| v.clone())
                .unwrap_or_default();
            let iface = Interface {
                name: l.name.clone(),
                index: l.index,
                flags: l.flags,
                link_type: l.link_type,
                hwaddr: l.address.clone(),
                addrs,
            };
            // Names are keys in Scapy's dict: a later interface of the same name replaces the
            // earlier one in place.
            match list.iter_mut().find(|i| i.name == iface.name) {
                Some(slot) => *slot = iface,
                None => list.push(iface),
            }
        }
        Interfaces { list }
    }

    /// Scapy's `get_if_list()`: the names.
    pub fn names(&self) -> Vec<String> {
        self.list.iter().map(|i| i.name.clone()).collect()
    }

    /// The interface of that name.
    pub fn by_name(&self, name: &str) -> Option<&Interface> {
        self.list.iter().find(|i| i.name == name)
    }

    /// The interface of that index.
    pub fn by_index(&self, index: u32) -> Option<&Interface> {
        self.list.iter().find(|i| i.index == index)
    }
}

/// Scapy's `in6_getifaddr()`: every IPv6 address of a known interface as
/// `(address, Scapy scope, interface name)`, grouped by interface in dump order.
pub fn in6_getifaddr(links: &[Link], addrs6: &[AddrMsg]) -> Vec<IfAddr6> {
    let mut out = Vec::new();
    for (index, v) in group_addrs(addrs6) {
        let Some(l) = links.iter().find(|l| l.index == index) else {
            continue;
        };
        for a in v {
            if let IpAddr::V6(v6) = a.addr {
                out.push((v6, a.scope, l.name.clone()));
            }
        }
    }
    out
}

/// The IPv6 addresses of the interface of index `index` as candidate-set input
/// `(address, scope, iface)`, with `iface` the name the route carries (Scapy's `devaddrs`).
pub fn devaddrs6(addrs6: &[AddrMsg], index: u32, iface: &str) -> Vec<IfAddr6> {
    group_addrs(addrs6)
        .into_iter()
        .filter(|(i, _)| *i == index)
        .flat_map(|(_, v)| v)
        .filter_map(|a| match a.addr {
            IpAddr::V6(v6) => Some((v6, a.scope, iface.to_string())),
            IpAddr::V4(_) => None,
        })
        .collect()
}
