//! A small rtnetlink client: dumps of links, addresses and routes, read the way Scapy 2.8 reads
//! them (RTM_GETLINK, RTM_GETADDR, RTM_GETROUTE of the LOCAL then the MAIN table).
//!
//! Only dumps are ever requested: this module reads host state and never changes it. Parsing is
//! separate from the socket ([`parse_messages`], [`parse_link`], [`parse_addr`],
//! [`parse_route`]) so it is testable on crafted bytes; every length is checked against the
//! bytes actually present, so a malformed message is skipped, never a panic.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::sync::atomic::{AtomicU32, Ordering};

/// `AF_UNSPEC`, `AF_INET`, `AF_INET6` as rtnetlink's family bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    /// Every family (an address dump of IPv4 then IPv6).
    Unspec,
    /// IPv4.
    Inet,
    /// IPv6.
    Inet6,
}

impl Family {
    /// The family's number in netlink headers.
    pub fn number(self) -> u8 {
        match self {
            Family::Unspec => 0,
            Family::Inet => 2,
            Family::Inet6 => 10,
        }
    }
}

/// The main routing table's id.
pub const RT_TABLE_MAIN: u32 = 254;
/// The local routing table's id (local and broadcast addresses of the host).
pub const RT_TABLE_LOCAL: u32 = 255;

const NLMSG_NOOP: u16 = 1;
const NLMSG_ERROR: u16 = 2;
const NLMSG_DONE: u16 = 3;
const RTM_NEWLINK: u16 = 16;
const RTM_GETLINK: u16 = 18;
const RTM_NEWADDR: u16 = 20;
const RTM_GETADDR: u16 = 22;
const RTM_NEWROUTE: u16 = 24;
const RTM_GETROUTE: u16 = 26;

const NLM_F_REQUEST: u16 = 0x01;
const NLM_F_MULTI: u16 = 0x02;
const NLM_F_DUMP_INTR: u16 = 0x10;
const NLM_F_ROOT: u16 = 0x100;
const NLM_F_MATCH: u16 = 0x200;

const SOL_NETLINK: libc::c_int = 270;
const NETLINK_EXT_ACK: libc::c_int = 11;
const NETLINK_GET_STRICT_CHK: libc::c_int = 12;

const NLMSG_HDRLEN: usize = 16;
const IFINFOMSG_LEN: usize = 16;
const IFADDRMSG_LEN: usize = 8;
const RTMSG_LEN: usize = 12;

/// The largest single datagram accepted; the kernel's dump datagrams are far smaller
/// (a page or 32 KiB), so anything bigger is refused rather than allocated.
const MAX_DATAGRAM: usize = 1 << 20;
/// Bounds on one dump, so a misbehaving peer cannot make the reader loop or grow forever.
const MAX_DUMP_BYTES: usize = 256 << 20;
const MAX_DUMP_MESSAGES: usize = 1_000_000;
/// A dump the kernel marks inconsistent (it changed during the dump) is read again this often.
const DUMP_ATTEMPTS: usize = 5;
/// No kernel answer within this time is an error, never a hang.
const RECV_TIMEOUT_SECS: libc::time_t = 5;

/// One interface from an RTM_NEWLINK message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    /// The interface index.
    pub index: u32,
    /// The name (IFLA_IFNAME).
    pub name: String,
    /// The `IFF_*` flags.
    pub flags: u32,
    /// The ARPHRD_* hardware type (1 Ethernet, 772 loopback, ...).
    pub link_type: u16,
    /// The hardware address (IFLA_ADDRESS), empty when the kernel gives none.
    pub address: Vec<u8>,
}

/// One address from an RTM_NEWADDR message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AddrMsg {
    /// 2 (IPv4) or 10 (IPv6).
    pub family: u8,
    /// The prefix length.
    pub prefix_len: u8,
    /// The `IFA_F_*` flags (IFA_FLAGS when present, it holds the full 32 bits).
    pub flags: u32,
    /// The kernel's scope (RT_SCOPE_*).
    pub scope: u8,
    /// The interface index.
    pub index: u32,
    /// IFA_ADDRESS (the peer on point-to-point links).
    pub address: Option<IpAddr>,
    /// IFA_LOCAL (the local address on point-to-point links).
    pub local: Option<IpAddr>,
}

impl AddrMsg {
    /// The interface's own address: IFA_LOCAL when present (on point-to-point links
    /// IFA_ADDRESS is the peer), else IFA_ADDRESS.
    pub fn addr(&self) -> Option<IpAddr> {
        self.local.or(self.address)
    }
}

/// One route from an RTM_NEWROUTE message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RouteMsg {
    /// 2 (IPv4) or 10 (IPv6).
    pub family: u8,
    /// The destination prefix length.
    pub dst_len: u8,
    /// The source prefix length (policy routing).
    pub src_len: u8,
    /// The TOS selector.
    pub tos: u8,
    /// The table id (RTA_TABLE when present, else the header's byte).
    pub table: u32,
    /// RTPROT_*.
    pub protocol: u8,
    /// RT_SCOPE_*.
    pub scope: u8,
    /// RTN_* (unicast, local, broadcast, multicast, unreachable...).
    pub kind: u8,
    /// RTM_F_* flags.
    pub flags: u32,
    /// RTA_DST.
    pub dst: Option<IpAddr>,
    /// RTA_GATEWAY.
    pub gateway: Option<IpAddr>,
    /// RTA_OIF.
    pub oif: Option<u32>,
    /// RTA_PRIORITY (the metric).
    pub priority: Option<u32>,
    /// RTA_PREFSRC.
    pub prefsrc: Option<IpAddr>,
}

/// One netlink message found in a datagram.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RawMsg<'a> {
    /// nlmsg_type.
    pub kind: u16,
    /// nlmsg_flags.
    pub flags: u16,
    /// nlmsg_seq.
    pub seq: u32,
    /// nlmsg_pid.
    pub pid: u32,
    /// The bytes after the 16-byte header, as long as nlmsg_len says.
    pub payload: &'a [u8],
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_ne_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_ne_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn align4(n: usize) -> usize {
    n.saturating_add(3) & !3
}

/// The messages of one datagram, in order. A header whose length is impossible (shorter than a
/// header or longer than the bytes left) ends the walk: the next boundary is unknowable, so the
/// rest of the datagram is skipped rather than misread.
pub fn parse_messages(buf: &[u8]) -> Vec<RawMsg<'_>> {
    let mut out = Vec::new();
    let mut off = 0usize;
    while buf.len().saturating_sub(off) >= NLMSG_HDRLEN {
        let rest = &buf[off..];
        let (Some(len), Some(kind), Some(flags), Some(seq), Some(pid)) = (
            u32_at(rest, 0),
            u16_at(rest, 4),
            u16_at(rest, 6),
            u32_at(rest, 8),
            u32_at(rest, 12),
        ) else {
            break;
        };
        let len = len as usize;
        if len < NLMSG_HDRLEN || len > rest.len() {
            break;
        }
        out.push(RawMsg {
            kind,
            flags,
            seq,
            pid,
            payload: &rest[NLMSG_HDRLEN..len],
        });
        off = off.saturating_add(align4(len));
    }
    out
}

/// The route attributes `(type, data)` of a message body, in order; a malformed attribute ends
/// the list (what came before is kept). The nested flag (bit 15) and byte-order flag (bit 14)
/// are masked off the type.
pub fn parse_attrs(mut b: &[u8]) -> Vec<(u16, &[u8])> {
    let mut out = Vec::new();
    while b.len() >= 4 {
        let (Some(len), Some(kind)) = (u16_at(b, 0), u16_at(b, 2)) else {
            break;
        };
        let len = len as usize;
        if len < 4 || len > b.len() {
            break;
        }
        out.push((kind & 0x3fff, &b[4..len]));
        let next = align4(len).min(b.len());
        b = &b[next..];
    }
    out
}

fn ip_of(family: u8, data: &[u8]) -> Option<IpAddr> {
    match family {
        2 => {
            let o: [u8; 4] = data.get(..4)?.try_into().ok()?;
            (data.len() == 4).then(|| IpAddr::V4(Ipv4Addr::from(o)))
        }
        10 => {
            let o: [u8; 16] = data.get(..16)?.try_into().ok()?;
            (data.len() == 16).then(|| IpAddr::V6(Ipv6Addr::from(o)))
        }
        _ => None,
    }
}

fn u32_attr(data: &[u8]) -> Option<u32> {
    (data.len() == 4).then(|| u32_at(data, 0)).flatten()
}

/// An RTM_NEWLINK body; `None` when too short or without a name (Scapy skips those too).
pub fn parse_link(body: &[u8]) -> Option<Link> {
    if body.len() < IFINFOMSG_LEN {
        return None;
    }
    let link_type = u16_at(body, 2)?;
    let index = u32_at(body, 4)?;
    let flags = u32_at(body, 8)?;
    let mut name = None;
    let mut address = Vec::new();
    for (kind, data) in parse_attrs(&body[IFINFOMSG_LEN..]) {
        match kind {
            1 => address = data.to_vec(),
            3 => {
                // IFLA_IFNAME is NUL-terminated.
                let end = data.iter().position(|&c| c == 0).unwrap_or(data.len());
                name = Some(String::from_utf8_lossy(&data[..end]).into_owned());
            }
            _ => {}
        }
    }
    Some(Link {
        index,
        name: name?,
        flags,
        link_type,
        address,
    })
}

/// An RTM_NEWADDR body; `None` when too short.
pub fn parse_addr(body: &[u8]) -> Option<AddrMsg> {
    if body.len() < IFADDRMSG_LEN {
        return None;
    }
    let family = body[0];
    let mut m = AddrMsg {
        family,
        prefix_len: body[1],
        flags: u32::from(body[2]),
        scope: body[3],
        index: u32_at(body, 4)?,
        address: None,
        local: None,
    };
    for (kind, data) in parse_attrs(&body[IFADDRMSG_LEN..]) {
        match kind {
            1 => m.address = ip_of(family, data),
            2 => m.local = ip_of(family, data),
            8 => {
                if let Some(f) = u32_attr(data) {
                    m.flags = f;
                }
            }
            _ => {}
        }
    }
    Some(m)
}

/// An RTM_NEWROUTE body; `None` when too short.
pub fn parse_route(body: &[u8]) -> Option<RouteMsg> {
    if body.len() < RTMSG_LEN {
        return None;
    }
    let family = body[0];
    let mut r = RouteMsg {
        family,
        dst_len: body[1],
        src_len: body[2],
        tos: body[3],
        table: u32::from(body[4]),
        protocol: body[5],
        scope: body[6],
        kind: body[7],
        flags: u32_at(body, 8)?,
        dst: None,
        gateway: None,
        oif: None,
        priority: None,
        prefsrc: None,
    };
    for (kind, data) in parse_attrs(&body[RTMSG_LEN..]) {
        match kind {
            1 => r.dst = ip_of(family, data),
            4 => r.oif = u32_attr(data),
            5 => r.gateway = ip_of(family, data),
            6 => r.priority = u32_attr(data),
            7 => r.prefsrc = ip_of(family, data),
            15 => {
                if let Some(t) = u32_attr(data) {
                    r.table = t;
                }
            }
            _ => {}
        }
    }
    Some(r)
}

/// A NETLINK_ROUTE socket bound to the kernel, configured as Scapy configures its own
/// (buffer sizes, extended acks, strict checking so the kernel filters dumps by table).
struct Socket {
    fd: OwnedFd,
}

fn check(rc: libc::c_int) -> io::Result<libc::c_int> {
    if rc < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(rc)
    }
}

fn setsockopt_int(
    fd: &OwnedFd,
    level: libc::c_int,
    name: libc::c_int,
    v: libc::c_int,
) -> io::Result<()> {
    // SAFETY: a valid fd and a pointer to a live c_int of the given size.
    let rc = unsafe {
        libc::setsockopt(
            fd.as_raw_fd(),
            level,
            name,
            (&v as *const libc::c_int).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    check(rc).map(|_| ())
}

fn sockaddr_kernel() -> libc::sockaddr_nl {
    // SAFETY: sockaddr_nl is plain data; all-zero is a valid value (pid 0 = the kernel).
    let mut sa: libc::sockaddr_nl = unsafe { std::mem::zeroed() };
    sa.nl_family = libc::AF_NETLINK as libc::sa_family_t;
    sa
}

impl Socket {
    fn open() -> io::Result<Socket> {
        // SAFETY: plain socket(2) call; the result is checked before use.
        let raw = check(unsafe {
            libc::socket(
                libc::AF_NETLINK,
                libc::SOCK_RAW | libc::SOCK_CLOEXEC,
                libc::NETLINK_ROUTE,
            )
        })?;
        // SAFETY: `raw` is a fresh descriptor we own.
        let fd = unsafe { OwnedFd::from_raw_fd(raw) };
        setsockopt_int(&fd, libc::SOL_SOCKET, libc::SO_SNDBUF, 32768)?;
        setsockopt_int(&fd, libc::SOL_SOCKET, libc::SO_RCVBUF, 1 << 20)?;
        // Extended acks exist from Linux 4.12 on; without them errors are just terser.
        let _ = setsockopt_int(&fd, SOL_NETLINK, NETLINK_EXT_ACK, 1);
        let sa = sockaddr_kernel();
        // SAFETY: a valid sockaddr_nl and its size.
        check(unsafe {
            libc::bind(
                fd.as_raw_fd(),
                (&sa as *const libc::sockaddr_nl).cast(),
                std::mem::size_of::<libc::sockaddr_nl>() as libc::socklen_t,
            )
        })?;
        // Strict checking (Linux 4.20+) makes the kernel honour RTA_TABLE in route dumps;
        // older kernels ignore it, and the table is also filtered on our side.
        let _ = setsockopt_int(&fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, 1);
        let tv = libc::timeval {
            tv_sec: RECV_TIMEOUT_SECS,
            tv_usec: 0,
        };
        // SAFETY: a valid timeval and its size.
        check(unsafe {
            libc::setsockopt(
                fd.as_raw_fd(),
                libc::SOL_SOCKET,
                libc::SO_RCVTIMEO,
                (&tv as *const libc::timeval).cast(),
                std::mem::size_of::<libc::timeval>() as libc::socklen_t,
            )
        })?;
        Ok(Socket { fd })
    }

    fn send(&self, msg: &[u8]) -> io::Result<()> {
        let sa = sockaddr_kernel();
        // SAFETY: `msg` is a live buffer of the given length; `sa` a valid address.
        let n = unsafe {
            libc::sendto(
                self.fd.as_raw_fd(),
                msg.as_ptr().cast(),
                msg.len(),
                0,
                (&sa as *const libc::sockaddr_nl).cast(),
                std::mem::size_of::<libc::sockaddr_nl>() as libc::socklen_t,
            )
        };
        if n < 0 {
            return Err(io::Error::last_os_error());
        }
        if n as usize != msg.len() {
            return Err(io::Error::new(
                io::ErrorKind::WriteZero,
                "short netlink send",
            ));
        }
        Ok(())
    }

    /// One whole datagram: its size is peeked first so nothing is ever truncated.
    fn recv(&self, buf: &mut Vec<u8>) -> io::Result<usize> {
        loop {
            // SAFETY: `buf` is a live buffer of buf.len() bytes.
            let n = unsafe {
                libc::recv(
                    self.fd.as_raw_fd(),
                    buf.as_mut_ptr().cast(),
                    buf.len(),
                    libc::MSG_PEEK | libc::MSG_TRUNC,
                )
            };
            if n < 0 {
                let e = io::Error::last_os_error();
                if e.kind() == io::ErrorKind::Interrupted {
                    continue;
                }
                if e.kind() == io::ErrorKind::WouldBlock {
                    return Err(io::Error::new(
                        io::ErrorKind::TimedOut,
                        "the kernel did not answer the netlink dump",
                    ));
                }
                return Err(e);
            }
            let size = n as usize;
            if size > MAX_DATAGRAM {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("netlink datagram of {size} bytes is over the {MAX_DATAGRAM} limit"),
                ));
            }
            if size > buf.len() {
                buf.resize(size, 0);
            }
            // SAFETY: as above; the buffer now holds the whole datagram.
            let n =
                unsafe { libc::recv(self.fd.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len(), 0) };
            if n < 0 {
                let e = io::Error::last_os_error();
                if e.kind() == io::ErrorKind::Interrupted {
                    continue;
                }
                return Err(e);
            }
            return Ok((n as usize).min(buf.len()));
        }
    }
}

fn next_seq() -> u32 {
    static SEQ: AtomicU32 = AtomicU32::new(0);
    let base = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as u32)
        .unwrap_or(1);
    base.wrapping_add(SEQ.fetch_add(1, Ordering::Relaxed))
}

/// Sends one dump request and collects the payloads of the answers of type `want`, in order.
/// An inconsistent dump (NLM_F_DUMP_INTR) is read again, a few times at most.
fn dump(kind: u16, body: &[u8], want: u16) -> io::Result<Vec<Vec<u8>>> {
    let mut last = Vec::new();
    for _ in 0..DUMP_ATTEMPTS {
        let (msgs, interrupted) = dump_once(kind, body, want)?;
        if !interrupted {
            return Ok(msgs);
        }
        last = msgs;
    }
    Ok(last)
}

fn dump_once(kind: u16, body: &[u8], want: u16) -> io::Result<(Vec<Vec<u8>>, bool)> {
    let sock = Socket::open()?;
    let seq = next_seq();
    let len = NLMSG_HDRLEN + body.len();
    let mut req = Vec::with_capacity(len);
    req.extend_from_slice(&(len as u32).to_ne_bytes());
    req.extend_from_slice(&kind.to_ne_bytes());
    req.extend_from_slice(&(NLM_F_REQUEST | NLM_F_ROOT | NLM_F_MATCH).to_ne_bytes());
    req.extend_from_slice(&seq.to_ne_bytes());
    req.extend_from_slice(&0u32.to_ne_bytes());
    req.extend_from_slice(body);
    sock.send(&req)?;

    let mut buf = vec![0u8; 65536];
    let mut out = Vec::new();
    let mut total = 0usize;
    let mut interrupted = false;
    loop {
        let n = sock.recv(&mut buf)?;
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "netlink socket closed",
            ));
        }
        total = total.saturating_add(n);
        if total > MAX_DUMP_BYTES {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "netlink dump too large",
            ));
        }
        for m in parse_messages(&buf[..n]) {
            if m.seq != seq {
                // Not an answer to this request (a stale or foreign message): ignored.
                continue;
            }
            if m.flags & NLM_F_DUMP_INTR != 0 {
                interrupted = true;
            }
            match m.kind {
                NLMSG_DONE => return Ok((out, interrupted)),
                NLMSG_ERROR => {
                    let code = u32_at(m.payload, 0)
                        .map(|c| c as i32)
                        .unwrap_or(-libc::EPROTO);
                    if code == 0 {
                        return Ok((out, interrupted));
                    }
                    return Err(io::Error::from_raw_os_error(code.saturating_neg()));
                }
                NLMSG_NOOP => {}
                k if k == want => {
                    if out.len() >= MAX_DUMP_MESSAGES {
                        return Err(io::Error::new(
                            io::ErrorKind::InvalidData,
                            "too many netlink messages in one dump",
                        ));
                    }
                    out.push(m.payload.to_vec());
                    if m.flags & NLM_F_MULTI == 0 {
                        return Ok((out, interrupted));
                    }
                }
                _ => {}
            }
        }
    }
}

/// Every interface (RTM_GETLINK dump), in the kernel's order (by index).
pub fn dump_links() -> io::Result<Vec<Link>> {
    let body = [0u8; IFINFOMSG_LEN];
    Ok(dump(RTM_GETLINK, &body, RTM_NEWLINK)?
        .iter()
        .filter_map(|b| parse_link(b))
        .collect())
}

/// Every address of `family` (RTM_GETADDR dump), in the kernel's order: for
/// [`Family::Unspec`], IPv4 addresses then IPv6 ones.
pub fn dump_addrs(family: Family) -> io::Result<Vec<AddrMsg>> {
    let mut body = [0u8; IFADDRMSG_LEN];
    body[0] = family.number();
    Ok(dump(RTM_GETADDR, &body, RTM_NEWADDR)?
        .iter()
        .filter_map(|b| parse_addr(b))
        .collect())
}

/// The routes of `family` in table `table` (RTM_GETROUTE dump filtered by RTA_TABLE). Routes of
/// other tables or families are dropped here too, for kernels without strict checking.
pub fn dump_routes(family: Family, table: u32) -> io::Result<Vec<RouteMsg>> {
    let mut body = vec![0u8; RTMSG_LEN];
    body[0] = family.number();
    // RTA_TABLE attribute: length 8, type 15, the table id.
    body.extend_from_slice(&8u16.to_ne_bytes());
    body.extend_from_slice(&15u16.to_ne_bytes());
    body.extend_from_slice(&table.to_ne_bytes());
    Ok(dump(RTM_GETROUTE, &body, RTM_NEWROUTE)?
        .iter()
        .filter_map(|b| parse_route(b))
        .filter(|r| r.family == family.number() && r.table == table)
        .collect())
}

/// The routes Scapy 2.8 reads for `family`: the LOCAL table's, then the MAIN table's.
pub fn dump_scapy_routes(family: Family) -> io::Result<Vec<RouteMsg>> {
    let mut v = dump_routes(family, RT_TABLE_LOCAL)?;
    v.extend(dump_routes(family, RT_TABLE_MAIN)?);
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(kind: u16, flags: u16, seq: u32, body: &[u8]) -> Vec<u8> {
        let len = NLMSG_HDRLEN + body.len();
        let mut v = Vec::new();
        v.extend_from_slice(&(len as u32).to_ne_bytes());
        v.extend_from_slice(&kind.to_ne_bytes());
        v.extend_from_slice(&flags.to_ne_bytes());
        v.extend_from_slice(&seq.to_ne_bytes());
        v.extend_from_slice(&0u32.to_ne_bytes());
        v.extend_from_slice(body);
        while v.len() % 4 != 0 {
            v.push(0);
        }
        v
    }

    fn attr(kind: u16, data: &[u8]) -> Vec<u8> {
        let mut v = Vec::new();
        v.extend_from_slice(&((4 + data.len()) as u16).to_ne_bytes());
        v.extend_from_slice(&kind.to_ne_bytes());
        v.extend_from_slice(data);
        while v.len() % 4 != 0 {
            v.push(0);
        }
        v
    }

    fn link_body(index: u32, name: &str, mac: &[u8]) -> Vec<u8> {
        let mut b = vec![0u8; IFINFOMSG_LEN];
        b[2..4].copy_from_slice(&1u16.to_ne_bytes());
        b[4..8].copy_from_slice(&index.to_ne_bytes());
        b[8..12].copy_from_slice(&0x1043u32.to_ne_bytes());
        b.extend(attr(1, mac));
        let mut n = name.as_bytes().to_vec();
        n.push(0);
        b.extend(attr(3, &n));
        b
    }

    #[test]
    fn parses_a_link() {
        let b = link_body(2, "eth0", &[0, 0, 0x5e, 0, 0x53, 1]);
        let l = parse_link(&b).expect("link");
        assert_eq!(l.index, 2);
        assert_eq!(l.name, "eth0");
        assert_eq!(l.flags, 0x1043);
        assert_eq!(l.link_type, 1);
        assert_eq!(l.address, vec![0, 0, 0x5e, 0, 0x53, 1]);
    }

    #[test]
    fn link_without_name_or_short_is_skipped() {
        assert_eq!(parse_link(&[0u8; 15]), None);
        assert_eq!(parse_link(&[0u8; 16]), None);
    }

    #[test]
    fn parses_addresses_and_routes() {
        let mut b = vec![2u8, 24, 0x80, 0, 3, 0, 0, 0];
        b.extend(attr(1, &[198, 51, 100, 10]));
        b.extend(attr(2, &[198, 51, 100, 11]));
        b.extend(attr(8, &0x200u32.to_ne_bytes()));
        let a = parse_addr(&b).expect("addr");
        assert_eq!(a.index, 3);
        assert_eq!(a.flags, 0x200);
        assert_eq!(a.addr(), Some("198.51.100.11".parse().expect("ip")));

        let mut r = vec![10u8, 64, 0, 0, 254, 2, 0, 1, 0, 0, 0, 0];
        r.extend(attr(15, &254u32.to_ne_bytes()));
        r.extend(attr(
            1,
            &"2001:db8::".parse::<Ipv6Addr>().expect("ip").octets(),
        ));
        r.extend(attr(6, &256u32.to_ne_bytes()));
        r.extend(attr(4, &2u32.to_ne_bytes()));
        let m = parse_route(&r).expect("route");
        assert_eq!(m.table, 254);
        assert_eq!(m.dst_len, 64);
        assert_eq!(m.priority, Some(256));
        assert_eq!(m.oif, Some(2));
        assert_eq!(m.dst, Some("2001:db8::".parse().expect("ip")));
    }

    #[test]
    fn malformed_attributes_end_the_list_without_panic() {
        // rta_len smaller than the header, larger than the buffer, an odd tail.
        for tail in [
            vec![2u8, 0, 1, 0],
            vec![0xff, 0xff, 1, 0, 1, 2, 3, 4],
            vec![8u8, 0, 1, 0, 1, 2],
            vec![5u8],
        ] {
            let mut b = vec![2u8, 24, 0, 0, 3, 0, 0, 0];
            b.extend(attr(2, &[192, 0, 2, 1]));
            b.extend(tail);
            let a = parse_addr(&b).expect("addr");
            assert_eq!(a.local, Some("192.0.2.1".parse().expect("ip")));
        }
        // A wrongly sized address attribute is ignored, not misread.
        let mut b = vec![2u8, 24, 0, 0, 3, 0, 0, 0];
        b.extend(attr(2, &[192, 0, 2]));
        assert_eq!(parse_addr(&b).expect("addr").local, None);
    }

    #[test]
    fn message_walk_stops_at_a_bad_length() {
        let mut buf = msg(RTM_NEWLINK, NLM_F_MULTI, 7, &link_body(1, "lo", &[0; 6]));
        let good = buf.len();
        buf.extend(msg(
            RTM_NEWLINK,
            NLM_F_MULTI,
            7,
            &link_body(2, "eth0", &[1; 6]),
        ));
        assert_eq!(parse_messages(&buf).len(), 2);
        // Claim a length past the end in the second header.
        let mut bad = buf.clone();
        bad[good..good + 4].copy_from_slice(&10_000u32.to_ne_bytes());
        let m = parse_messages(&bad);
        assert_eq!(m.len(), 1);
        assert_eq!(parse_link(m[0].payload).expect("link").name, "lo");
        // A length shorter than a header.
        bad[good..good + 4].copy_from_slice(&3u32.to_ne_bytes());
        assert_eq!(parse_messages(&bad).len(), 1);
        // Every truncation of a valid buffer parses without panic.
        for cut in 0..buf.len() {
            for m in parse_messages(&buf[..cut]) {
                let _ = parse_link(m.payload);
                let _ = parse_addr(m.payload);
                let _ = parse_route(m.payload);
            }
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic() {
        // A small deterministic generator: no dependency, reproducible.
        let mut x: u32 = 0x1234_5678;
        for _ in 0..2000 {
            let len = (x % 97) as usize;
            let mut b = Vec::with_capacity(len);
            for _ in 0..len {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                b.push((x & 0xff) as u8);
            }
            for m in parse_messages(&b) {
                let _ = parse_link(m.payload);
            }
            let _ = parse_link(&b);
            let _ = parse_addr(&b);
            let _ = parse_route(&b);
        }
    }
}
