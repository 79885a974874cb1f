//! Address facts the routing tables rely on, with Scapy 2.8's exact classification: IPv4 text
//! as `inet_aton` reads it, IPv6 text as glibc's `inet_ntop` writes it, IPv6 scopes, source
//! candidate sets and the limited RFC 3484 source selection Scapy performs.

use std::cmp::Ordering;
use std::net::{Ipv4Addr, Ipv6Addr};

use super::pysort::cpython_sort;

/// Scapy's scope value for global addresses (2000::/3, fc00::/7, ff0e::/16).
pub const IPV6_ADDR_GLOBAL: i32 = 0x00;
/// Scapy's scope value for the loopback address (and ff01::/16).
pub const IPV6_ADDR_LOOPBACK: i32 = 0x10;
/// Scapy's scope value for link-local addresses (fe80::/10, ff02::/16).
pub const IPV6_ADDR_LINKLOCAL: i32 = 0x20;
/// Scapy's scope value for (deprecated) site-local addresses (fec0::/10, ff05::/16).
pub const IPV6_ADDR_SITELOCAL: i32 = 0x40;
/// No scope Scapy knows of (`::`, IPv4-mapped, other multicast scopes...).
pub const IPV6_ADDR_UNKNOWN: i32 = -1;

/// Parses IPv4 text as glibc's `inet_aton` does (and so Python's `socket.inet_aton`, Scapy's
/// `atol`): one to four parts, each decimal, octal (`0` prefix) or hex (`0x`), the last part
/// filling the remaining bytes (`127.1` is 127.0.0.1); text after a whitespace is ignored.
pub fn inet_aton(s: &str) -> Option<Ipv4Addr> {
    let b = s.as_bytes();
    let mut parts: Vec<u32> = Vec::with_capacity(4);
    let mut i = 0usize;
    loop {
        // Each part must start with a digit.
        if !b.get(i).is_some_and(|c| c.is_ascii_digit()) {
            return None;
        }
        let (base, start) = if b[i] == b'0' {
            match b.get(i + 1) {
                Some(b'x' | b'X') => (16u32, i + 2),
                _ => (8u32, i + 1),
            }
        } else {
            (10u32, i)
        };
        let mut v: u64 = 0;
        let mut j = start;
        while let Some(d) = b.get(j).and_then(|&c| (c as char).to_digit(base)) {
            v = v * u64::from(base) + u64::from(d);
            if v > u64::from(u32::MAX) {
                return None;
            }
            j += 1;
        }
        // "0x" needs a hex digit after it; a lone "0" is a digit itself.
        if base == 16 && j == start {
            return None;
        }
        parts.push(v as u32);
        i = j;
        match b.get(i) {
            Some(b'.') => {
                if parts.len() >= 4 {
                    return None;
                }
                i += 1;
            }
            None => break,
            // C's isspace: the ASCII whitespace plus vertical tab.
            Some(c) if c.is_ascii_whitespace() || *c == 0x0b => break,
            Some(_) => return None,
        }
    }
    let v = match parts.as_slice() {
        [a] => *a,
        [a, b] if *a <= 0xff && *b <= 0xff_ffff => (a << 24) | b,
        [a, b, c] if *a <= 0xff && *b <= 0xff && *c <= 0xffff => (a << 24) | (b << 16) | c,
        [a, b, c, d] if *a <= 0xff && *b <= 0xff && *c <= 0xff && *d <= 0xff => {
            (a << 24) | (b << 16) | (c << 8) | d
        }
        _ => return None,
    };
    Some(Ipv4Addr::from(v))
}

/// IPv4 netmask of a prefix length, as Scapy's `itom` computes it (lengths over 32 give the
/// same shifted pattern Python gives; 64 and over give 0).
pub fn itom(len: u32) -> u32 {
    if len >= 64 {
        0
    } else {
        ((0xffff_ffff_0000_0000u64 >> len) & 0xffff_ffff) as u32
    }
}

/// IPv6 address as text, the way glibc's `inet_ntop` writes it (Python's `socket.inet_ntop`,
/// so Scapy's displays): RFC 5952 compression, and the dotted form for IPv4-compatible
/// (`::a.b.c.d`) and IPv4-mapped (`::ffff:a.b.c.d`) addresses.
pub fn fmt_ipv6(a: &Ipv6Addr) -> String {
    let w = a.segments();
    // Longest run of zero groups (first on ties), at least two long.
    let (mut best, mut best_len) = (usize::MAX, 0usize);
    let mut i = 0;
    while i < 8 {
        if w[i] == 0 {
            let s = i;
            while i < 8 && w[i] == 0 {
                i += 1;
            }
            if i - s > best_len {
                best = s;
                best_len = i - s;
            }
        } else {
            i += 1;
        }
    }
    if best_len < 2 {
        best = usize::MAX;
    }
    let mut out = String::new();
    let mut i = 0;
    while i < 8 {
        if i == best {
            if i == 0 {
                out.push(':');
            }
            out.push(':');
            i += best_len;
            continue;
        }
        // The embedded IPv4 forms glibc writes.
        if i == 6 && best == 0 && (best_len == 6 || (best_len == 5 && w[5] == 0xffff)) {
            let o = a.octets();
            out.push_str(&format!("{}.{}.{}.{}", o[12], o[13], o[14], o[15]));
            return out;
        }
        out.push_str(&format!("{:x}", w[i]));
        if i < 7 {
            out.push(':');
        }
        i += 1;
    }
    out
}

/// IPv6 text parsed as `inet_pton` does.
pub fn parse_ipv6(s: &str) -> Option<Ipv6Addr> {
    s.parse().ok()
}

fn mask6(plen: u32) -> u128 {
    match plen {
        0 => 0,
        p if p >= 128 => u128::MAX,
        p => u128::MAX << (128 - p),
    }
}

/// Scapy's `in6_isincluded`: `addr` masked to `plen` bits equals `prefix` (the prefix itself
/// is not masked, so a prefix with host bits set includes nothing).
pub fn in6_isincluded(addr: &Ipv6Addr, prefix: &Ipv6Addr, plen: u32) -> bool {
    u128::from(*addr) & mask6(plen) == u128::from(*prefix)
}

fn within(a: &Ipv6Addr, prefix: u128, plen: u32) -> bool {
    u128::from(*a) & mask6(plen) == prefix
}

/// Global unicast, 2000::/3.
pub fn is_global(a: &Ipv6Addr) -> bool {
    within(a, 0x2000 << 112, 3)
}
/// Unique local, fc00::/7.
pub fn is_unique_local(a: &Ipv6Addr) -> bool {
    within(a, 0xfc00 << 112, 7)
}
/// Link-local unicast, fe80::/10.
pub fn is_link_local(a: &Ipv6Addr) -> bool {
    within(a, 0xfe80 << 112, 10)
}
/// Site-local unicast, fec0::/10.
pub fn is_site_local(a: &Ipv6Addr) -> bool {
    within(a, 0xfec0 << 112, 10)
}
/// Multicast, ff00::/8.
pub fn is_multicast(a: &Ipv6Addr) -> bool {
    within(a, 0xff00 << 112, 8)
}
/// Node-local multicast, ff01::/16.
pub fn is_mcast_node_local(a: &Ipv6Addr) -> bool {
    within(a, 0xff01 << 112, 16)
}
/// Global multicast, ff0e::/16.
pub fn is_mcast_global(a: &Ipv6Addr) -> bool {
    within(a, 0xff0e << 112, 16)
}
/// Link-local multicast, ff02::/16.
pub fn is_mcast_link_local(a: &Ipv6Addr) -> bool {
    within(a, 0xff02 << 112, 16)
}
/// Site-local multicast, ff05::/16.
pub fn is_mcast_site_local(a: &Ipv6Addr) -> bool {
    within(a, 0xff05 << 112, 16)
}
/// 6to4, 2002::/16.
pub fn is_6to4(a: &Ipv6Addr) -> bool {
    within(a, 0x2002 << 112, 16)
}

/// Scapy's `in6_getscope`: one of the `IPV6_ADDR_*` values.
pub fn scope(a: &Ipv6Addr) -> i32 {
    if is_global(a) || is_unique_local(a) {
        IPV6_ADDR_GLOBAL
    } else if is_link_local(a) {
        IPV6_ADDR_LINKLOCAL
    } else if is_site_local(a) {
        IPV6_ADDR_SITELOCAL
    } else if is_multicast(a) {
        if is_mcast_global(a) {
            IPV6_ADDR_GLOBAL
        } else if is_mcast_link_local(a) {
            IPV6_ADDR_LINKLOCAL
        } else if is_mcast_site_local(a) {
            IPV6_ADDR_SITELOCAL
        } else if is_mcast_node_local(a) {
            IPV6_ADDR_LOOPBACK
        } else {
            IPV6_ADDR_UNKNOWN
        }
    } else if *a == Ipv6Addr::LOCALHOST {
        IPV6_ADDR_LOOPBACK
    } else {
        IPV6_ADDR_UNKNOWN
    }
}

/// Length of the common prefix of two addresses, in bits.
pub fn common_plen(a: &Ipv6Addr, b: &Ipv6Addr) -> u32 {
    (u128::from(*a) ^ u128::from(*b)).leading_zeros()
}

/// One interface address as the candidate-set construction sees it: address, Scapy scope,
/// interface name (Scapy's `in6_getifaddr` triples).
pub type IfAddr6 = (Ipv6Addr, i32, String);

/// Scapy's `construct_source_candidate_set`: the addresses of `laddr` whose scope suits the
/// prefix `addr/plen`, global ones first (Scapy's own comparison, applied by CPython's sort,
/// so ties come out in the same order).
pub fn source_candidate_set(addr: &Ipv6Addr, plen: u32, laddr: &[IfAddr6]) -> Vec<Ipv6Addr> {
    let keep =
        |sc: i32| -> Vec<Ipv6Addr> { laddr.iter().filter(|x| x.1 == sc).map(|x| x.0).collect() };
    let mut addrs = if is_global(addr) || is_unique_local(addr) {
        keep(IPV6_ADDR_GLOBAL)
    } else if is_link_local(addr) {
        keep(IPV6_ADDR_LINKLOCAL)
    } else if is_site_local(addr) {
        keep(IPV6_ADDR_SITELOCAL)
    } else if is_multicast(addr) {
        if is_mcast_node_local(addr) {
            vec![Ipv6Addr::LOCALHOST]
        } else if is_mcast_global(addr) {
            keep(IPV6_ADDR_GLOBAL)
        } else if is_mcast_link_local(addr) {
            keep(IPV6_ADDR_LINKLOCAL)
        } else if is_mcast_site_local(addr) {
            keep(IPV6_ADDR_SITELOCAL)
        } else {
            Vec::new()
        }
    } else if addr.is_unspecified() && plen == 0 {
        keep(IPV6_ADDR_GLOBAL)
    } else if *addr == Ipv6Addr::LOCALHOST {
        keep(IPV6_ADDR_LOOPBACK)
    } else {
        Vec::new()
    };
    // Scapy's comparison: globals first; between two globals it answers "less" unless the
    // first is 6to4, which is not a consistent order, hence CPython's exact algorithm.
    cpython_sort(&mut addrs, false, |x, y| {
        let xg = i32::from(is_global(x));
        let yg = i32::from(is_global(y));
        let res = yg - xg;
        if res != 0 || yg != 1 {
            return res;
        }
        if !is_6to4(x) {
            return -1;
        }
        -res
    });
    addrs
}

fn scope_rank(a: &Ipv6Addr) -> i32 {
    match scope(a) {
        IPV6_ADDR_GLOBAL => 4,
        IPV6_ADDR_SITELOCAL => 3,
        IPV6_ADDR_LINKLOCAL => 2,
        _ => 1,
    }
}

/// Scapy's `get_source_addr_from_candidate_set`: sorts `cset` in place (as Scapy does, which
/// reorders the route's own candidate list) by its limited RFC 3484 rules and returns the
/// first; `None` for an empty set (Scapy's empty string). `dst_text` is the destination as the
/// caller wrote it, because Scapy's rule 1 compares texts.
pub fn source_from_candidate_set(
    dst: &Ipv6Addr,
    dst_text: &str,
    cset: &mut [Ipv6Addr],
) -> Option<Ipv6Addr> {
    if cset.is_empty() {
        return None;
    }
    let cmp_scope = |a: &Ipv6Addr, b: &Ipv6Addr| scope_rank(a).cmp(&scope_rank(b));
    cpython_sort(cset, true, |a, b| {
        // Rule 1: prefer the destination itself (Scapy answers "greater" whichever side it is).
        if fmt_ipv6(a) == dst_text || fmt_ipv6(b) == dst_text {
            return 1;
        }
        // Rule 2: prefer an appropriate scope.
        match cmp_scope(a, b) {
            Ordering::Less => {
                return if cmp_scope(a, dst) == Ordering::Less {
                    1
                } else {
                    -1
                }
            }
            Ordering::Greater => {
                return if cmp_scope(b, dst) == Ordering::Less {
                    1
                } else {
                    -1
                }
            }
            Ordering::Equal => {}
        }
        // Rule 8: longest matching prefix.
        let (p1, p2) = (common_plen(a, dst), common_plen(b, dst));
        match p1.cmp(&p2) {
            Ordering::Greater => 1,
            Ordering::Less => -1,
            Ordering::Equal => 0,
        }
    });
    cset.first().copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a6(s: &str) -> Ipv6Addr {
        s.parse().expect("ipv6")
    }

    #[test]
    fn aton_like_glibc() {
        let ok = [
            ("198.51.100.1", "198.51.100.1"),
            ("127.1", "127.0.0.1"),
            ("10.1.2", "10.1.0.2"),
            ("0x7f.1", "127.0.0.1"),
            ("010.0.0.1", "8.0.0.1"),
            ("3325256714", "198.51.100.10"),
            ("1.2.3.4 trailing", "1.2.3.4"),
            ("0", "0.0.0.0"),
        ];
        for (s, want) in ok {
            assert_eq!(
                inet_aton(s).map(|a| a.to_string()),
                Some(want.to_string()),
                "{s}"
            );
        }
        for s in [
            "",
            "1.2.3.4.5",
            "256.1.1.1",
            "1.2.3.256",
            "a.b.c.d",
            "1..2",
            "1.2.3.",
            "09",
            "0x",
        ] {
            assert_eq!(inet_aton(s), None, "{s}");
        }
    }

    #[test]
    fn ntop_like_glibc() {
        for s in [
            "::",
            "::1",
            "2001:db8::1",
            "2001:db8:0:1:0:0:0:1",
            "fe80::200:5eff:fe00:5310",
            "::ffff:1.2.3.4",
            "::1.2.3.4",
            "1:0:0:2:0:0:0:3",
            "2001:db8:1:1:1:1:1:1",
        ] {
            let want = match s {
                "2001:db8:0:1:0:0:0:1" => "2001:db8:0:1::1",
                "1:0:0:2:0:0:0:3" => "1:0:0:2::3",
                o => o,
            };
            assert_eq!(fmt_ipv6(&a6(s)), want, "{s}");
        }
    }

    #[test]
    fn scopes() {
        assert_eq!(scope(&a6("2001:db8::1")), IPV6_ADDR_GLOBAL);
        assert_eq!(scope(&a6("fd00::1")), IPV6_ADDR_GLOBAL);
        assert_eq!(scope(&a6("fe80::1")), IPV6_ADDR_LINKLOCAL);
        assert_eq!(scope(&a6("fec0::1")), IPV6_ADDR_SITELOCAL);
        assert_eq!(scope(&a6("ff02::1")), IPV6_ADDR_LINKLOCAL);
        assert_eq!(scope(&a6("ff01::1")), IPV6_ADDR_LOOPBACK);
        assert_eq!(scope(&a6("ff08::1")), IPV6_ADDR_UNKNOWN);
        assert_eq!(scope(&a6("::1")), IPV6_ADDR_LOOPBACK);
        assert_eq!(scope(&a6("::")), IPV6_ADDR_UNKNOWN);
        assert_eq!(itom(24), 0xffff_ff00);
        assert_eq!(itom(0), 0);
        assert_eq!(itom(32), 0xffff_ffff);
    }
}
