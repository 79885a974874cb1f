//! Link-layer resolution as Scapy does it: `getmacbyip` (ARP) and `getmacbyip6` (Neighbor
//! Discovery), answers kept in `conf.netcache` for 120 s.
//!
//! Resolution is traffic: a who-has (or a neighbor solicitation) broadcast on the interface
//! the route names, then up to 2 s (ARP) or 1 s (ND) of waiting for the answer. The frames
//! are a few fixed bytes built here, so resolving from inside a packet build never re-enters
//! the engine.

use std::net::{Ipv4Addr, Ipv6Addr};
use std::time::{Duration, Instant};

use super::socket::{l2_socket, FrameRx, IfaceRef, PacketOpts};

/// How long a cache entry stays valid (Scapy's `Timeout=120s`).
pub const CACHE_TIMEOUT: Duration = Duration::from_secs(120);
/// How long an ARP who-has waits for its answer (Scapy's `timeout=2`).
pub const ARP_TIMEOUT: Duration = Duration::from_secs(2);
/// How long a neighbor solicitation waits (Scapy's `neighsol` timeout).
pub const ND_TIMEOUT: Duration = Duration::from_secs(1);

/// One of `conf.netcache`'s caches: address → MAC text, each entry valid for a while.
#[derive(Clone, Debug)]
pub struct Cache<K> {
    /// The cache's name as Scapy shows it (`arp_cache`, `in6_neighbor`).
    pub name: &'static str,
    entries: Vec<(K, String, Instant)>,
    /// How long entries stay valid.
    pub timeout: Duration,
}

impl<K: PartialEq + Clone + std::fmt::Display> Cache<K> {
    /// An empty cache.
    pub fn new(name: &'static str) -> Cache<K> {
        Cache {
            name,
            entries: Vec::new(),
            timeout: CACHE_TIMEOUT,
        }
    }

    fn expire(&mut self) {
        let t = self.timeout;
        self.entries.retain(|e| e.2.elapsed() < t);
    }

    /// The MAC cached for `k`, if still valid.
    pub fn get(&mut self, k: &K) -> Option<String> {
        self.expire();
        self.entries.iter().find(|e| &e.0 == k).map(|e| e.1.clone())
    }

    /// Caches `mac` for `k` (replacing an older entry).
    pub fn set(&mut self, k: K, mac: String) {
        self.entries.retain(|e| e.0 != k);
        self.entries.push((k, mac, Instant::now()));
    }

    /// Forgets `k`; whether it was there.
    pub fn remove(&mut self, k: &K) -> bool {
        let n = self.entries.len();
        self.entries.retain(|e| &e.0 != k);
        n != self.entries.len()
    }

    /// Forgets everything.
    pub fn flush(&mut self) {
        self.entries.clear();
    }

    /// The valid entries, oldest first.
    pub fn items(&mut self) -> Vec<(K, String)> {
        self.expire();
        self.entries
            .iter()
            .map(|e| (e.0.clone(), e.1.clone()))
            .collect()
    }

    /// Scapy's one-line summary: `arp_cache: 1 valid items. Timeout=120s`.
    pub fn summary(&mut self) -> String {
        let n = self.items().len();
        format!(
            "{}: {n} valid items. Timeout={}s",
            self.name,
            self.timeout.as_secs()
        )
    }

    /// Scapy's table of the entries: the address column padded to the widest.
    pub fn table(&mut self) -> String {
        let items = self.items();
        let w = items
            .iter()
            .map(|(k, _)| k.to_string().len())
            .max()
            .unwrap_or(0);
        items
            .iter()
            .map(|(k, v)| format!("{:<w$}  {v}", k.to_string()))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// Scapy's `conf.netcache`: the ARP and IPv6 neighbor caches.
#[derive(Clone, Debug)]
pub struct NetCache {
    /// `conf.netcache.arp_cache`.
    pub arp: Cache<Ipv4Addr>,
    /// `conf.netcache.in6_neighbor`.
    pub nd: Cache<Ipv6Addr>,
}

impl Default for NetCache {
    fn default() -> Self {
        NetCache::new()
    }
}

impl NetCache {
    /// Empty caches.
    pub fn new() -> NetCache {
        NetCache {
            arp: Cache::new("arp_cache"),
            nd: Cache::new("in6_neighbor"),
        }
    }

    /// `repr(conf.netcache)`.
    pub fn summary(&mut self) -> String {
        format!("{}\n{}", self.arp.summary(), self.nd.summary())
    }

    /// `conf.netcache.flush()`.
    pub fn flush(&mut self) {
        self.arp.flush();
        self.nd.flush();
    }
}

/// Formats a MAC as Scapy shows it.
pub fn mac_text(m: &[u8; 6]) -> String {
    m.iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// An ARP who-has from `iface` (`src_ip`) for `target`, broadcast.
pub fn arp_request(iface: &IfaceRef, src_ip: Ipv4Addr, target: Ipv4Addr) -> Vec<u8> {
    let mut f = Vec::with_capacity(42);
    f.extend_from_slice(&[0xff; 6]);
    f.extend_from_slice(&iface.mac);
    f.extend_from_slice(&[0x08, 0x06]);
    // Ethernet / IPv4, 6-byte and 4-byte addresses, who-has.
    f.extend_from_slice(&[0, 1, 8, 0, 6, 4, 0, 1]);
    f.extend_from_slice(&iface.mac);
    f.extend_from_slice(&src_ip.octets());
    f.extend_from_slice(&[0; 6]);
    f.extend_from_slice(&target.octets());
    f
}

/// The MAC an ARP is-at frame gives for `target`, if it is one.
pub fn arp_reply_mac(frame: &[u8], target: Ipv4Addr) -> Option<[u8; 6]> {
    if frame.len() < 42 || frame[12..14] != [0x08, 0x06] {
        return None;
    }
    let a = &frame[14..];
    // Ethernet/IPv4 sizes, op is-at, sender protocol address = target.
    if a[4] != 6 || a[5] != 4 || a[6..8] != [0, 2] || a[14..18] != target.octets() {
        return None;
    }
    let mut m = [0u8; 6];
    m.copy_from_slice(&a[8..14]);
    Some(m)
}

/// The solicited-node multicast address of `a` (ff02::1:ffXX:XXXX).
pub fn solicited_node(a: Ipv6Addr) -> Ipv6Addr {
    let o = a.octets();
    Ipv6Addr::new(
        0xff02,
        0,
        0,
        0,
        0,
        1,
        0xff00 | u16::from(o[13]),
        u16::from_be_bytes([o[14], o[15]]),
    )
}

/// The Ethernet multicast address of an IPv6 group (33:33 and its low 32 bits).
pub fn ipv6_multicast_mac(a: Ipv6Addr) -> [u8; 6] {
    let o = a.octets();
    [0x33, 0x33, o[12], o[13], o[14], o[15]]
}

/// The ICMPv6 checksum of `body` from `src` to `dst`.
fn icmp6_checksum(src: Ipv6Addr, dst: Ipv6Addr, body: &[u8]) -> u16 {
    let mut ph = Vec::with_capacity(40 + body.len());
    ph.extend_from_slice(&src.octets());
    ph.extend_from_slice(&dst.octets());
    ph.extend_from_slice(&(body.len() as u32).to_be_bytes());
    ph.extend_from_slice(&[0, 0, 0, 58]);
    ph.extend_from_slice(body);
    crate::packet::checksum::checksum(&ph)
}

/// A neighbor solicitation from `iface` (`src`) for `target`, with its source link-layer
/// address option, sent to the target's solicited-node group.
pub fn neighbor_solicitation(iface: &IfaceRef, src: Ipv6Addr, target: Ipv6Addr) -> Vec<u8> {
    let dst = solicited_node(target);
    let mut body = vec![135, 0, 0, 0, 0, 0, 0, 0];
    body.extend_from_slice(&target.octets());
    body.extend_from_slice(&[1, 1]);
    body.extend_from_slice(&iface.mac);
    let c = icmp6_checksum(src, dst, &body);
    body[2..4].copy_from_slice(&c.to_be_bytes());
    let mut f = Vec::with_capacity(14 + 40 + body.len());
    f.extend_from_slice(&ipv6_multicast_mac(dst));
    f.extend_from_slice(&iface.mac);
    f.extend_from_slice(&[0x86, 0xdd]);
    f.extend_from_slice(&[0x60, 0, 0, 0]);
    f.extend_from_slice(&(body.len() as u16).to_be_bytes());
    f.extend_from_slice(&[58, 255]);
    f.extend_from_slice(&src.octets());
    f.extend_from_slice(&dst.octets());
    f.extend_from_slice(&body);
    f
}

/// The MAC a neighbor advertisement for `target` gives: its target link-layer address
/// option, else the frame's source (as Scapy reads it).
pub fn neighbor_advert_mac(frame: &[u8], target: Ipv6Addr) -> Option<[u8; 6]> {
    if frame.len() < 14 + 40 + 24 || frame[12..14] != [0x86, 0xdd] {
        return None;
    }
    let ip = &frame[14..];
    if ip[6] != 58 {
        return None;
    }
    let icmp = &ip[40..];
    if icmp[0] != 136 || icmp[8..24] != target.octets() {
        return None;
    }
    let mut opts = &icmp[24..];
    while opts.len() >= 8 {
        let len = usize::from(opts[1]) * 8;
        if len == 0 || len > opts.len() {
            break;
        }
        if opts[0] == 2 {
            let mut m = [0u8; 6];
            m.copy_from_slice(&opts[2..8]);
            return Some(m);
        }
        opts = &opts[len..];
    }
    let mut m = [0u8; 6];
    m.copy_from_slice(&frame[6..12]);
    Some(m)
}

/// Sends `request` on `iface` and waits up to `timeout` for a frame `answer` accepts,
/// checking `stop` between waits.
pub fn ask(
    iface: &IfaceRef,
    filter: &str,
    request: &[u8],
    timeout: Duration,
    stop: &dyn Fn() -> bool,
    answer: &dyn Fn(&[u8]) -> Option<[u8; 6]>,
) -> std::io::Result<Option<[u8; 6]>> {
    let opts = PacketOpts {
        filter: Some(filter.to_string()),
        incoming_only: true,
        promisc: false,
    };
    let (mut tx, mut rx) = l2_socket(iface, &opts)?;
    tx.send(request)?;
    let deadline = Instant::now() + timeout;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() || stop() {
            return Ok(None);
        }
        if let Some(f) = rx.recv(left.min(Duration::from_millis(50)))? {
            if let Some(m) = answer(&f.data) {
                return Ok(Some(m));
            }
        }
    }
}

/// Resolves `target` by ARP on `iface`.
pub fn arp_resolve(
    iface: &IfaceRef,
    src_ip: Ipv4Addr,
    target: Ipv4Addr,
    stop: &dyn Fn() -> bool,
) -> std::io::Result<Option<[u8; 6]>> {
    let req = arp_request(iface, src_ip, target);
    ask(iface, "arp", &req, ARP_TIMEOUT, stop, &|f| {
        arp_reply_mac(f, target)
    })
}

/// Resolves `target` by Neighbor Discovery on `iface`.
pub fn nd_resolve(
    iface: &IfaceRef,
    src: Ipv6Addr,
    target: Ipv6Addr,
    stop: &dyn Fn() -> bool,
) -> std::io::Result<Option<[u8; 6]>> {
    let req = neighbor_solicitation(iface, src, target);
    ask(iface, "icmp6", &req, ND_TIMEOUT, stop, &|f| {
        neighbor_advert_mac(f, target)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iface() -> IfaceRef {
        IfaceRef {
            name: "eth0".into(),
            index: 2,
            mac: [0, 0, 0x5e, 0, 0x53, 0x10],
            arphrd: 1,
        }
    }

    #[test]
    fn arp_request_is_scapys() {
        // Scapy 2.8: raw(Ether(src=M)/ARP(hwsrc=M, psrc="198.51.100.10", pdst="198.51.100.1")).
        let f = arp_request(
            &iface(),
            Ipv4Addr::new(198, 51, 100, 10),
            Ipv4Addr::new(198, 51, 100, 1),
        );
        let hex: String = f.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            hex,
            "ffffffffffff00005e005310080600010800060400010000\
             5e005310c633640a000000000000c6336401"
        );
        // The answer, as the router's kernel sends it.
        let mut reply = f.clone();
        reply[21] = 2;
        reply[22..28].copy_from_slice(&[2, 0, 0, 0, 0, 1]);
        reply[28..32].copy_from_slice(&[198, 51, 100, 1]);
        assert_eq!(
            arp_reply_mac(&reply, Ipv4Addr::new(198, 51, 100, 1)),
            Some([2, 0, 0, 0, 0, 1])
        );
        assert_eq!(arp_reply_mac(&reply, Ipv4Addr::new(198, 51, 100, 2)), None);
        assert_eq!(arp_reply_mac(&f, Ipv4Addr::new(198, 51, 100, 1)), None);
        assert_eq!(
            arp_reply_mac(&f[..20], Ipv4Addr::new(198, 51, 100, 1)),
            None
        );
    }

    #[test]
    fn neighbor_solicitation_checksums() {
        let src: Ipv6Addr = "2001:db8:1::10".parse().expect("addr");
        let tgt: Ipv6Addr = "2001:db8:1::1".parse().expect("addr");
        let f = neighbor_solicitation(&iface(), src, tgt);
        assert_eq!(&f[..6], &[0x33, 0x33, 0xff, 0, 0, 1]);
        // The checksum over the pseudo-header and the message is zero.
        let body = &f[54..];
        assert_eq!(icmp6_checksum(src, solicited_node(tgt), body), 0);
        // An advertisement with a target link-layer option.
        let mut na = f.clone();
        na[54] = 136;
        na[78] = 2;
        na[80..86].copy_from_slice(&[2, 0, 0, 0, 0, 9]);
        assert_eq!(neighbor_advert_mac(&na, tgt), Some([2, 0, 0, 0, 0, 9]));
        assert_eq!(neighbor_advert_mac(&na[..60], tgt), None);
    }

    #[test]
    fn caches_show_as_scapy() {
        let mut c = NetCache::new();
        c.arp
            .set(Ipv4Addr::new(198, 51, 100, 7), "00:00:5e:00:53:07".into());
        assert_eq!(
            c.summary(),
            "arp_cache: 1 valid items. Timeout=120s\nin6_neighbor: 0 valid items. Timeout=120s"
        );
        assert_eq!(c.arp.table(), "198.51.100.7  00:00:5e:00:53:07");
        c.flush();
        assert_eq!(c.arp.get(&Ipv4Addr::new(198, 51, 100, 7)), None);
    }
}
