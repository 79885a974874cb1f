//! The host side of the network layer (architecture.md, `src/net/`): what Scapy 2.8 learns
//! from the host, read from the kernel over rtnetlink and shaped exactly as Scapy shapes it.
//!
//! - [`netlink`]: link, address and route dumps (reads only; nothing is ever sent on a wire);
//! - [`iface`]: interfaces (`conf.ifaces`, `get_if_list`...);
//! - [`route`], [`route6`]: Scapy's IPv4 and IPv6 routing tables, lookups, `add`/`delt`;
//! - [`host`]: the whole picture (`conf.ifaces`, `conf.route`, `conf.route6`, `conf.iface`),
//!   from the kernel or from a fixed snapshot, and the engine's
//!   [`Resolver`](crate::packet::resolver::Resolver) answering from it;
//! - [`socket`]: Scapy's super sockets (PF_PACKET through pnet, raw IP, libpcap), BPF in
//!   the kernel;
//! - [`neighbor`]: ARP and Neighbor Discovery, `conf.netcache`;
//! - [`session`]: a session's network state, the engine's resolver, level 3 framing;
//! - [`sndrcv`]: sending, `sr()`'s concurrent send and receive with hashret buckets, sniffing;
//! - [`addr`], [`pysort`], [`table`]: the address rules, CPython's sort and Scapy's text
//!   tables these rest on.

pub mod addr;
pub mod host;
pub mod iface;
pub mod manuf;
pub mod neighbor;
pub mod netlink;
pub mod pysort;
pub mod route;
pub mod route6;
pub mod session;
pub mod sndrcv;
pub mod socket;
pub mod table;

pub use host::{Host, HostResolver, HostSource, Kernel, Snapshot};
pub use iface::{Interface, Interfaces};
pub use route::{Route4, RouteLookup4, RouteSpec, RouteTable};
pub use route6::{Route6, Route6Table, RouteLookup6};

use std::fmt;

/// Errors of the host layer; the texts are Scapy's where Scapy raises.
#[derive(Debug)]
pub enum NetError {
    /// Reading the kernel failed.
    Io(std::io::Error),
    /// Scapy's `ValueError: Interface 'X' not found !`.
    InterfaceNotFound(String),
    /// Scapy's `OSError: [Errno 19] No such device` (an ioctl on an unknown interface).
    NoSuchDevice(String),
    /// Scapy's `ValueError: Bad IP format: X` (IPv4 text `inet_aton` refuses).
    BadAddress(String),
    /// Python's `OSError: illegal IP address string passed to inet_pton` (bad IPv6 text).
    BadAddress6(String),
    /// Scapy's `ValueError: No matching route found!` (IPv4 `delt`).
    NoMatchingRoute,
    /// A malformed argument (Scapy's own message where it has one).
    BadArgument(String),
    /// A host name without an IPv6 address.
    Resolve(String),
}

impl fmt::Display for NetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NetError::Io(e) => write!(f, "{e}"),
            NetError::InterfaceNotFound(n) => write!(f, "Interface '{n}' not found !"),
            NetError::NoSuchDevice(_) => write!(f, "[Errno 19] No such device"),
            NetError::BadAddress(a) => write!(f, "Bad IP format: {a}"),
            NetError::BadAddress6(_) => {
                write!(f, "illegal IP address string passed to inet_pton")
            }
            NetError::NoMatchingRoute => write!(f, "No matching route found!"),
            NetError::BadArgument(m) => write!(f, "{m}"),
            NetError::Resolve(m) => write!(f, "{m}"),
        }
    }
}

impl std::error::Error for NetError {}

impl From<std::io::Error> for NetError {
    fn from(e: std::io::Error) -> NetError {
        NetError::Io(e)
    }
}

impl NetError {
    /// The Python exception class Scapy raises for this error (`ValueError`, `OSError`...),
    /// for the interpreter's tracebacks.
    pub fn python_class(&self) -> &'static str {
        match self {
            NetError::Io(_) | NetError::NoSuchDevice(_) | NetError::BadAddress6(_) => "OSError",
            NetError::Resolve(_) => "socket.gaierror",
            _ => "ValueError",
        }
    }
}
