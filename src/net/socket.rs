//! Scapy's super sockets on Linux: where frames go out and come in.
//!
//! - [`SocketKind`] names the classes a session can put in `conf.L2socket`, `conf.L3socket`
//!   and `conf.L2listen`: PF_PACKET sockets through pnet (`L2Socket`, `L3PacketSocket`,
//!   `L2ListenSocket`), the raw IP socket for the loopback (`L3RawSocket`), and libpcap
//!   (`L2pcapSocket`, `L3pcapSocket`, `L2pcapListenSocket`).
//! - A [`FrameTx`] sends built frames (or, at level 3, IP packets), a [`FrameRx`] waits for
//!   frames with their link type, interface and time. Sending and receiving are separate
//!   objects so that `sr()` can send from one thread while it receives on another.
//! - BPF filters (tcpdump's syntax) are compiled by libpcap and run in the kernel: attached
//!   to the PF_PACKET socket before it is bound, or set on the pcap handle.
//!
//! Receiving sockets of `sr()` ignore the frames this host sends (PACKET_IGNORE_OUTGOING, or
//! libpcap's direction), as Scapy's do; listening sockets see both directions.

use std::collections::HashMap;
use std::io;
use std::os::fd::RawFd;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::pcapfile::{linktype, Timestamp};

/// The socket classes of Scapy's `conf` that wirecraft has on Linux.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SocketKind {
    /// PF_PACKET at level 2 (Scapy's default `conf.L2socket`).
    L2Socket,
    /// PF_PACKET at level 3: routed, framed with Ethernet and the resolved MACs
    /// (the default `conf.L3socket`).
    L3PacketSocket,
    /// A raw IP socket (IP_HDRINCL) to send, PF_PACKET to receive: works on the loopback.
    L3RawSocket,
    /// PF_PACKET listening on both directions (the default `conf.L2listen`).
    L2ListenSocket,
    /// libpcap at level 2.
    L2pcapSocket,
    /// libpcap at level 3 (routed and framed as `L3PacketSocket`).
    L3pcapSocket,
    /// libpcap listening, the filter compiled and run in the kernel.
    L2pcapListenSocket,
}

impl SocketKind {
    /// Every kind, by its Scapy class name.
    pub const ALL: [SocketKind; 7] = [
        SocketKind::L2Socket,
        SocketKind::L3PacketSocket,
        SocketKind::L3RawSocket,
        SocketKind::L2ListenSocket,
        SocketKind::L2pcapSocket,
        SocketKind::L3pcapSocket,
        SocketKind::L2pcapListenSocket,
    ];

    /// The Scapy class name.
    pub fn name(self) -> &'static str {
        match self {
            SocketKind::L2Socket => "L2Socket",
            SocketKind::L3PacketSocket => "L3PacketSocket",
            SocketKind::L3RawSocket => "L3RawSocket",
            SocketKind::L2ListenSocket => "L2ListenSocket",
            SocketKind::L2pcapSocket => "L2pcapSocket",
            SocketKind::L3pcapSocket => "L3pcapSocket",
            SocketKind::L2pcapListenSocket => "L2pcapListenSocket",
        }
    }

    /// The Scapy module the class lives in.
    pub fn module(self) -> &'static str {
        match self {
            SocketKind::L2pcapSocket
            | SocketKind::L3pcapSocket
            | SocketKind::L2pcapListenSocket => "scapy.arch.libpcap",
            SocketKind::L3RawSocket => "scapy.supersocket",
            _ => "scapy.arch.linux",
        }
    }

    /// The kind of that class name.
    pub fn by_name(name: &str) -> Option<SocketKind> {
        SocketKind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// Sends and receives level 3 packets (routing and link layer done by the socket).
    pub fn is_l3(self) -> bool {
        matches!(
            self,
            SocketKind::L3PacketSocket | SocketKind::L3RawSocket | SocketKind::L3pcapSocket
        )
    }

    /// Goes through libpcap.
    pub fn is_pcap(self) -> bool {
        matches!(
            self,
            SocketKind::L2pcapSocket | SocketKind::L3pcapSocket | SocketKind::L2pcapListenSocket
        )
    }
}

/// One received frame.
#[derive(Clone, Debug)]
pub struct Frame {
    /// The bytes, from the link-layer header on.
    pub data: Vec<u8>,
    /// The link type (LINKTYPE_*) of `data`.
    pub linktype: u32,
    /// The interface it came in on (`sniffed_on`).
    pub iface: String,
    /// When it was received.
    pub time: Timestamp,
}

/// Waits for frames.
pub trait FrameRx: Send {
    /// The next frame, waiting at most `timeout`; `None` when none came in time.
    fn recv(&mut self, timeout: Duration) -> io::Result<Option<Frame>>;
}

/// Sends frames.
pub trait FrameTx: Send {
    /// Sends one frame as it is (on the socket's interface).
    fn send(&mut self, frame: &[u8]) -> io::Result<()>;
}

/// An interface a socket binds to: what pnet and the link type need.
#[derive(Clone, Debug)]
pub struct IfaceRef {
    /// The name.
    pub name: String,
    /// The kernel's index.
    pub index: u32,
    /// The MAC (zeros for the loopback).
    pub mac: [u8; 6],
    /// The ARPHRD_* type.
    pub arphrd: u16,
}

impl IfaceRef {
    /// The LINKTYPE_ of this interface's frames on a PF_PACKET socket.
    pub fn linktype(&self) -> u32 {
        arphrd_linktype(self.arphrd)
    }
}

/// The link type of frames read on an interface of an ARPHRD_* type (libpcap's mapping for
/// the types wirecraft knows; the rest read as raw IP).
pub fn arphrd_linktype(arphrd: u16) -> u32 {
    match arphrd {
        // Ethernet, the loopback (Ethernet framing with zero MACs), IEEE 802.
        1 | 772 | 6 => linktype::ETHERNET,
        801 => linktype::IEEE802_11,
        803 => linktype::IEEE802_11_RADIOTAP,
        _ => linktype::RAW,
    }
}

/// Options of a PF_PACKET socket.
#[derive(Clone, Debug, Default)]
pub struct PacketOpts {
    /// A BPF filter (tcpdump syntax), run in the kernel.
    pub filter: Option<String>,
    /// Drop what this host sends (Scapy's receiving sockets do).
    pub incoming_only: bool,
    /// Promiscuous mode (Scapy's `conf.sniff_promisc`, on by default).
    pub promisc: bool,
}

/// The receive buffer asked for: large enough that 10 000 answers arriving at once wait
/// for the reader instead of being dropped.
const RCVBUF: libc::c_int = 32 << 20;
/// The largest frame read (the loopback's MTU is 64 KiB).
const MAX_FRAME: usize = 65_536 + 64;

fn now() -> Timestamp {
    let d = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    Timestamp {
        secs: d.as_secs() as i64,
        nanos: d.subsec_nanos(),
    }
}

fn setsockopt<T>(fd: RawFd, level: libc::c_int, name: libc::c_int, v: &T) -> io::Result<()> {
    // SAFETY: `v` points to a live value of the size passed.
    let r = unsafe {
        libc::setsockopt(
            fd,
            level,
            name,
            (v as *const T).cast(),
            std::mem::size_of::<T>() as libc::socklen_t,
        )
    };
    if r == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// The error a filter with a syntax error gives: Scapy's words around libpcap's.
pub fn filter_error(expr: &str, detail: &str) -> io::Error {
    let detail = detail.strip_prefix("libpcap error: ").unwrap_or(detail);
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("Cannot set filter: Failed to compile filter expression '{expr}' ({detail})"),
    )
}

/// Compiles `expr` for frames of `linktype` with libpcap.
pub fn compile_filter(expr: &str, lt: u32) -> io::Result<pcap::BpfProgram> {
    let dead = pcap::Capture::dead(pcap::Linktype(lt as i32))
        .map_err(|e| io::Error::other(format!("libpcap: {e}")))?;
    dead.compile(expr, true)
        .map_err(|e| filter_error(expr, &e.to_string()))
}

/// Attaches a compiled filter to a socket (SO_ATTACH_FILTER): the kernel then queues only
/// the frames it accepts.
fn attach_filter(fd: RawFd, prog: &pcap::BpfProgram) -> io::Result<()> {
    let insns = prog.get_instructions();
    let fprog = libc::sock_fprog {
        len: insns.len() as libc::c_ushort,
        // BpfInstruction is a transparent wrapper of struct bpf_insn, which has the layout
        // of struct sock_filter.
        filter: insns.as_ptr() as *mut libc::sock_filter,
    };
    setsockopt(fd, libc::SOL_SOCKET, libc::SO_ATTACH_FILTER, &fprog)
}

/// A PF_PACKET socket that receives nothing until pnet binds it (protocol 0), with the
/// options set first so that no frame reaches it unfiltered.
fn packet_socket(lt: u32, opts: &PacketOpts) -> io::Result<RawFd> {
    // Compiled before the socket exists: a bad filter leaks nothing.
    let prog = match &opts.filter {
        Some(f) => Some(compile_filter(f, lt)?),
        None => None,
    };
    // SAFETY: plain socket(2).
    let fd = unsafe { libc::socket(libc::AF_PACKET, libc::SOCK_RAW, 0) };
    if fd < 0 {
        let e = io::Error::last_os_error();
        if e.raw_os_error() == Some(libc::EPERM) {
            return Err(io::Error::new(
                io::ErrorKind::PermissionDenied,
                "Operation not permitted: opening a PF_PACKET socket needs root (CAP_NET_RAW)",
            ));
        }
        return Err(e);
    }
    let close_on_err = |e: io::Error| {
        // SAFETY: fd is ours and not yet handed to pnet.
        unsafe { libc::close(fd) };
        e
    };
    // SO_RCVBUFFORCE passes the rmem_max cap as root; without it, ask what we may.
    if setsockopt(fd, libc::SOL_SOCKET, libc::SO_RCVBUFFORCE, &RCVBUF).is_err() {
        let _ = setsockopt(fd, libc::SOL_SOCKET, libc::SO_RCVBUF, &RCVBUF);
    }
    if opts.incoming_only {
        const PACKET_IGNORE_OUTGOING: libc::c_int = 23;
        let one: libc::c_int = 1;
        setsockopt(fd, libc::SOL_PACKET, PACKET_IGNORE_OUTGOING, &one).map_err(close_on_err)?;
    }
    if let Some(p) = &prog {
        attach_filter(fd, p).map_err(close_on_err)?;
    }
    Ok(fd)
}

fn pnet_iface(i: &IfaceRef) -> pnet_datalink::NetworkInterface {
    let m = i.mac;
    pnet_datalink::NetworkInterface {
        name: i.name.clone(),
        description: String::new(),
        index: i.index,
        mac: Some(pnet_datalink::MacAddr(m[0], m[1], m[2], m[3], m[4], m[5])),
        ips: Vec::new(),
        flags: 0,
    }
}

/// A pnet channel: its sending and receiving halves, and the descriptor the receiving half
/// waits on.
type Channel = (
    Box<dyn pnet_datalink::DataLinkSender>,
    Box<dyn pnet_datalink::DataLinkReceiver>,
    RawFd,
);

/// A PF_PACKET socket bound to one interface, through pnet.
fn pnet_channel(iface: &IfaceRef, opts: &PacketOpts) -> io::Result<Channel> {
    let fd = packet_socket(iface.linktype(), opts)?;
    let cfg = pnet_datalink::Config {
        write_buffer_size: MAX_FRAME,
        read_buffer_size: MAX_FRAME,
        // The descriptor is polled before each read, so a read never waits.
        read_timeout: Some(Duration::from_millis(1)),
        promiscuous: opts.promisc && iface.arphrd != 772,
        socket_fd: Some(fd),
        ..pnet_datalink::Config::default()
    };
    // pnet owns (and closes) the descriptor from here on, error or not.
    match pnet_datalink::channel(&pnet_iface(iface), cfg) {
        Ok(pnet_datalink::Channel::Ethernet(tx, rx)) => Ok((tx, rx, fd)),
        Ok(_) => Err(io::Error::other("pnet: not an Ethernet channel")),
        Err(e) if e.raw_os_error() == Some(libc::ENODEV) => Err(io::Error::new(
            io::ErrorKind::NotFound,
            format!("No such device: {}", iface.name),
        )),
        Err(e) => Err(e),
    }
}

/// Waits until one of `fds` is readable or `timeout` passes; the index of a readable one.
fn poll_any(fds: &[RawFd], timeout: Duration) -> io::Result<Option<usize>> {
    let mut p: Vec<libc::pollfd> = fds
        .iter()
        .map(|&fd| libc::pollfd {
            fd,
            events: libc::POLLIN,
            revents: 0,
        })
        .collect();
    let ms = timeout.as_millis().min(i32::MAX as u128) as libc::c_int;
    // SAFETY: `p` is a valid array of pollfd of the length given.
    let r = unsafe { libc::poll(p.as_mut_ptr(), p.len() as libc::nfds_t, ms) };
    if r < 0 {
        let e = io::Error::last_os_error();
        if e.kind() == io::ErrorKind::Interrupted {
            return Ok(None);
        }
        return Err(e);
    }
    Ok(p.iter()
        .position(|x| x.revents & (libc::POLLIN | libc::POLLERR) != 0))
}

/// Sends on a pnet channel.
struct PnetTx(Box<dyn pnet_datalink::DataLinkSender>);

impl FrameTx for PnetTx {
    fn send(&mut self, frame: &[u8]) -> io::Result<()> {
        self.0
            .send_to(frame, None)
            .unwrap_or_else(|| Err(io::Error::other("frame larger than the send buffer")))
    }
}

/// Receives on one or more pnet channels (one per interface, so each frame's interface is
/// known).
pub struct PnetRx {
    chans: Vec<(IfaceRef, Box<dyn pnet_datalink::DataLinkReceiver>)>,
    fds: Vec<RawFd>,
    /// The next channel to read first, so a busy interface cannot starve the others.
    next: usize,
}

impl FrameRx for PnetRx {
    fn recv(&mut self, timeout: Duration) -> io::Result<Option<Frame>> {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let Some(_) = poll_any(&self.fds, left)? else {
                if Instant::now() >= deadline {
                    return Ok(None);
                }
                continue;
            };
            // Read the first readable channel after the last one served.
            let n = self.chans.len();
            for k in 0..n {
                let i = (self.next + k) % n;
                if poll_any(&self.fds[i..=i], Duration::ZERO)?.is_none() {
                    continue;
                }
                self.next = (i + 1) % n;
                let (iface, rx) = &mut self.chans[i];
                match rx.next() {
                    Ok(data) => {
                        return Ok(Some(Frame {
                            data: data.to_vec(),
                            linktype: iface.linktype(),
                            iface: iface.name.clone(),
                            time: now(),
                        }))
                    }
                    Err(e)
                        if e.kind() == io::ErrorKind::TimedOut
                            || e.kind() == io::ErrorKind::WouldBlock =>
                    {
                        continue
                    }
                    Err(e) if e.raw_os_error() == Some(libc::ENETDOWN) => continue,
                    Err(e) => return Err(e),
                }
            }
            if Instant::now() >= deadline {
                return Ok(None);
            }
        }
    }
}

/// Opens a PF_PACKET level 2 socket on `iface`: its sending half and its receiving half.
pub fn l2_socket(iface: &IfaceRef, opts: &PacketOpts) -> io::Result<(Box<dyn FrameTx>, PnetRx)> {
    let (tx, rx, fd) = pnet_channel(iface, opts)?;
    Ok((
        Box::new(PnetTx(tx)),
        PnetRx {
            chans: vec![(iface.clone(), rx)],
            fds: vec![fd],
            next: 0,
        },
    ))
}

/// Opens PF_PACKET receiving sockets on every interface of `ifaces`.
pub fn l2_listen(ifaces: &[IfaceRef], opts: &PacketOpts) -> io::Result<PnetRx> {
    let mut chans = Vec::new();
    let mut fds = Vec::new();
    for i in ifaces {
        let (_tx, rx, fd) = pnet_channel(i, opts)?;
        chans.push((i.clone(), rx));
        fds.push(fd);
    }
    Ok(PnetRx {
        chans,
        fds,
        next: 0,
    })
}

/// Sending halves of PF_PACKET sockets, one per interface, opened when first used (a level 3
/// socket sends each packet where its route says).
#[derive(Default)]
pub struct PerIfaceTx {
    socks: HashMap<String, Box<dyn FrameTx>>,
}

impl PerIfaceTx {
    /// Sends `frame` on `iface`.
    pub fn send(&mut self, iface: &IfaceRef, frame: &[u8]) -> io::Result<()> {
        if !self.socks.contains_key(&iface.name) {
            let (tx, _rx, _) = pnet_channel(iface, &PacketOpts::default())?;
            self.socks.insert(iface.name.clone(), Box::new(PnetTx(tx)));
        }
        match self.socks.get_mut(&iface.name) {
            Some(s) => s.send(frame),
            None => Err(io::Error::other("socket vanished")),
        }
    }
}

/// A raw IP socket (Scapy's L3RawSocket): the kernel routes what it is given, header and all,
/// on any interface including the loopback.
pub struct RawIpTx {
    fd4: Option<RawFd>,
    fd6: Option<RawFd>,
}

impl Drop for RawIpTx {
    fn drop(&mut self) {
        for fd in [self.fd4, self.fd6].into_iter().flatten() {
            // SAFETY: our own descriptors, closed once.
            unsafe { libc::close(fd) };
        }
    }
}

impl Default for RawIpTx {
    fn default() -> Self {
        RawIpTx::new()
    }
}

impl RawIpTx {
    /// Opens nothing yet (each family's socket is opened when first used).
    pub fn new() -> RawIpTx {
        RawIpTx {
            fd4: None,
            fd6: None,
        }
    }

    fn open(family: libc::c_int) -> io::Result<RawFd> {
        // SAFETY: plain socket(2).
        let fd = unsafe { libc::socket(family, libc::SOCK_RAW, libc::IPPROTO_RAW) };
        if fd < 0 {
            let e = io::Error::last_os_error();
            if e.raw_os_error() == Some(libc::EPERM) {
                return Err(io::Error::new(
                    io::ErrorKind::PermissionDenied,
                    "Operation not permitted: opening a raw IP socket needs root (CAP_NET_RAW)",
                ));
            }
            return Err(e);
        }
        let one: libc::c_int = 1;
        if family == libc::AF_INET6 {
            // IPV6_HDRINCL: the packet carries its own IPv6 header.
            let _ = setsockopt(fd, libc::IPPROTO_IPV6, 36, &one);
        }
        Ok(fd)
    }

    /// Sends an IPv4 or IPv6 packet (its first nibble says which) to its destination.
    pub fn send(&mut self, pkt: &[u8]) -> io::Result<()> {
        let version = pkt.first().map(|b| b >> 4);
        let r = match version {
            Some(4) if pkt.len() >= 20 => {
                let fd = match self.fd4 {
                    Some(fd) => fd,
                    None => *self.fd4.insert(Self::open(libc::AF_INET)?),
                };
                // SAFETY: an all-zero sockaddr_in is valid.
                let mut sa: libc::sockaddr_in = unsafe { std::mem::zeroed() };
                sa.sin_family = libc::AF_INET as libc::sa_family_t;
                sa.sin_addr.s_addr = u32::from_ne_bytes([pkt[16], pkt[17], pkt[18], pkt[19]]);
                // SAFETY: valid buffer and address of the sizes passed.
                unsafe {
                    libc::sendto(
                        fd,
                        pkt.as_ptr().cast(),
                        pkt.len(),
                        0,
                        (&sa as *const libc::sockaddr_in).cast(),
                        std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t,
                    )
                }
            }
            Some(6) if pkt.len() >= 40 => {
                let fd = match self.fd6 {
                    Some(fd) => fd,
                    None => *self.fd6.insert(Self::open(libc::AF_INET6)?),
                };
                // SAFETY: an all-zero sockaddr_in6 is valid.
                let mut sa: libc::sockaddr_in6 = unsafe { std::mem::zeroed() };
                sa.sin6_family = libc::AF_INET6 as libc::sa_family_t;
                sa.sin6_addr.s6_addr.copy_from_slice(&pkt[24..40]);
                // SAFETY: valid buffer and address of the sizes passed.
                unsafe {
                    libc::sendto(
                        fd,
                        pkt.as_ptr().cast(),
                        pkt.len(),
                        0,
                        (&sa as *const libc::sockaddr_in6).cast(),
                        std::mem::size_of::<libc::sockaddr_in6>() as libc::socklen_t,
                    )
                }
            }
            _ => {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    "L3RawSocket sends IPv4 or IPv6 packets only",
                ))
            }
        };
        if r < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }
}

// ---- libpcap ----------------------------------------------------------------------------

fn pcap_err(iface: &str, e: pcap::Error) -> io::Error {
    let text = e.to_string();
    if text.contains("No such device") || text.contains("doesn't exist") {
        return io::Error::new(io::ErrorKind::NotFound, format!("No such device: {iface}"));
    }
    if text.contains("permission") || text.contains("Operation not permitted") {
        return io::Error::new(
            io::ErrorKind::PermissionDenied,
            format!("{iface}: {text}: capturing needs root (CAP_NET_RAW)"),
        );
    }
    io::Error::other(format!("libpcap on {iface}: {text}"))
}

fn pcap_open(iface: &str, promisc: bool) -> io::Result<pcap::Capture<pcap::Active>> {
    pcap::Capture::from_device(iface)
        .map_err(|e| pcap_err(iface, e))?
        .immediate_mode(true)
        .promisc(promisc)
        .snaplen(MAX_FRAME as i32)
        .buffer_size(RCVBUF)
        .open()
        .map_err(|e| pcap_err(iface, e))
}

/// libpcap handles on one or more interfaces, with the filter compiled and set in the kernel.
pub struct PcapRx {
    caps: Vec<(String, pcap::Capture<pcap::Active>)>,
    fds: Vec<RawFd>,
    next: usize,
}

/// Opens libpcap listeners on `ifaces` (Scapy's L2pcapListenSocket); `incoming_only` for the
/// receiving side of `sr()`.
pub fn pcap_listen(
    ifaces: &[String],
    filter: Option<&str>,
    promisc: bool,
    incoming_only: bool,
) -> io::Result<PcapRx> {
    use std::os::fd::AsRawFd;
    let mut caps = Vec::new();
    let mut fds = Vec::new();
    for name in ifaces {
        let mut c = pcap_open(name, promisc)?;
        if let Some(f) = filter {
            c.filter(f, true)
                .map_err(|e| filter_error(f, &e.to_string()))?;
        }
        if incoming_only {
            c.direction(pcap::Direction::In)
                .map_err(|e| pcap_err(name, e))?;
        }
        let c = c.setnonblock().map_err(|e| pcap_err(name, e))?;
        fds.push(c.as_raw_fd());
        caps.push((name.clone(), c));
    }
    Ok(PcapRx { caps, fds, next: 0 })
}

impl FrameRx for PcapRx {
    fn recv(&mut self, timeout: Duration) -> io::Result<Option<Frame>> {
        let deadline = Instant::now() + timeout;
        loop {
            // libpcap's ring may hold frames the descriptor no longer signals: read first.
            let n = self.caps.len();
            for k in 0..n {
                let i = (self.next + k) % n;
                let (name, cap) = &mut self.caps[i];
                let lt = cap.get_datalink().0 as u32;
                match cap.next_packet() {
                    Ok(p) => {
                        self.next = (i + 1) % n;
                        let ts = p.header.ts;
                        return Ok(Some(Frame {
                            data: p.data.to_vec(),
                            linktype: lt,
                            iface: name.clone(),
                            time: Timestamp {
                                secs: ts.tv_sec,
                                nanos: (ts.tv_usec as u32).saturating_mul(1000),
                            },
                        }));
                    }
                    Err(pcap::Error::TimeoutExpired) => {}
                    Err(e) => return Err(pcap_err(name, e)),
                }
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Ok(None);
            }
            poll_any(&self.fds, left.min(Duration::from_millis(100)))?;
        }
    }
}

/// Sends through a libpcap handle.
pub struct PcapTx(pcap::Capture<pcap::Active>);

/// Opens a libpcap handle to send on `iface`.
pub fn pcap_tx(iface: &str) -> io::Result<PcapTx> {
    Ok(PcapTx(pcap_open(iface, false)?))
}

impl FrameTx for PcapTx {
    fn send(&mut self, frame: &[u8]) -> io::Result<()> {
        self.0
            .sendpacket(frame)
            .map_err(|e| io::Error::other(format!("pcap_sendpacket: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn socket_kinds_round_trip_their_names() {
        for k in SocketKind::ALL {
            assert_eq!(SocketKind::by_name(k.name()), Some(k));
        }
        assert!(SocketKind::L3RawSocket.is_l3());
        assert!(!SocketKind::L2ListenSocket.is_l3());
        assert!(SocketKind::L2pcapListenSocket.is_pcap());
    }

    #[test]
    fn filters_compile_or_say_why() {
        assert!(compile_filter("icmp and host 198.51.100.1", linktype::ETHERNET).is_ok());
        let Err(e) = compile_filter("icmp and and", linktype::ETHERNET) else {
            panic!("a syntax error compiled");
        };
        assert!(
            e.to_string()
                == "Cannot set filter: Failed to compile filter expression 'icmp and and' \
                    (can't parse filter expression: syntax error)",
            "{e}"
        );
    }

    #[test]
    fn link_types_of_interfaces() {
        assert_eq!(arphrd_linktype(1), linktype::ETHERNET);
        assert_eq!(arphrd_linktype(772), linktype::ETHERNET);
        assert_eq!(arphrd_linktype(0xfffe), linktype::RAW);
    }
}
