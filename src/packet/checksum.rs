//! The Internet checksum (RFC 1071) and the IPv4 and IPv6 pseudo-header sums.

use std::net::{Ipv4Addr, Ipv6Addr};

/// One's-complement sum of 16-bit big-endian words, folded and complemented (Scapy's
/// `checksum`). An odd trailing byte is padded with zero.
pub fn checksum(data: &[u8]) -> u16 {
    !fold(sum(0, data))
}

fn sum(mut acc: u64, data: &[u8]) -> u64 {
    let mut chunks = data.chunks_exact(2);
    for c in &mut chunks {
        acc += u64::from(u16::from_be_bytes([c[0], c[1]]));
    }
    if let [last] = chunks.remainder() {
        acc += u64::from(*last) << 8;
    }
    acc
}

fn fold(mut acc: u64) -> u16 {
    while acc >> 16 != 0 {
        acc = (acc & 0xffff) + (acc >> 16);
    }
    acc as u16
}

/// The checksum of a transport segment over the IPv4 pseudo-header (Scapy's `in4_chksum`).
pub fn in4_chksum(proto: u8, src: Ipv4Addr, dst: Ipv4Addr, segment: &[u8]) -> u16 {
    let mut acc = sum(0, &src.octets());
    acc = sum(acc, &dst.octets());
    acc += u64::from(proto);
    acc += segment.len() as u64 & 0xffff;
    acc = sum(acc, segment);
    !fold(acc)
}

/// The checksum of an upper-layer packet over the IPv6 pseudo-header (RFC 8200 8.1):
/// source, final destination, upper-layer length (32 bits), three zero bytes, next header.
/// The address choice (final destination of a routing header, home address option) is the
/// caller's: see `layers::inet6::in6_chksum` for Scapy's `in6_chksum(nh, layer, payload)`.
pub fn in6_chksum(nh: u8, src: Ipv6Addr, dst: Ipv6Addr, upper: &[u8]) -> u16 {
    let mut acc = sum(0, &src.octets());
    acc = sum(acc, &dst.octets());
    acc = sum(acc, &(upper.len() as u32).to_be_bytes());
    acc += u64::from(nh);
    acc = sum(acc, upper);
    !fold(acc)
}

/// Scapy's `in4_chksum(proto, ip_layer, payload)`: the checksum of `payload` over the
/// pseudo-header of the IP layer `ip` (its source, as resolved when unset, and destination).
pub fn in4_chksum_layer(proto: u8, ip: &super::packet::Packet, payload: &[u8]) -> u16 {
    let (src, dst) = ipv4_pseudo_header(&ip.data());
    in4_chksum(proto, src, dst, payload)
}

/// The addresses of an IP layer's pseudo-header: its source (as resolved when unset) and
/// its destination, which with one source route option (LSRR or SSRR) is the route's last
/// hop, as the reference computes it; with several, the header's destination.
pub fn ipv4_pseudo_header(d: &super::packet::LayerData) -> (Ipv4Addr, Ipv4Addr) {
    use super::value::Value;
    let addr = |n: &str| match d.get(n).map(super::sets::first_element).as_deref() {
        Some(Value::Ip4(a)) => Some(*a),
        _ => None,
    };
    // An unset destination is the loopback address, as DestIPField's default.
    let mut dst = addr("dst").unwrap_or(Ipv4Addr::LOCALHOST);
    let src = addr("src").unwrap_or_else(|| {
        super::resolver::current()
            .source_ipv4(dst)
            .unwrap_or(Ipv4Addr::UNSPECIFIED)
    });
    if let Some(Value::List(opts)) = d.get("options") {
        let routes: Vec<&super::packet::Packet> = opts
            .iter()
            .filter_map(|o| match o {
                Value::Packet(p)
                    if p.def().is_a_name("IPOption_LSRR") || p.def().is_a_name("IPOption_SSRR") =>
                {
                    Some(p)
                }
                _ => None,
            })
            .collect();
        if let [route] = routes.as_slice() {
            if let Some(Value::List(hops)) = route.data().get("routers") {
                if let Some(Value::Ip4(last)) = hops.last() {
                    dst = *last;
                }
            }
        }
    }
    (src, dst)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ip_header_checksum() {
        // IP() as built by the reference: 45 00 00 14 00 01 00 00 40 00 [7c e7] 7f..01 7f..01
        let h = [
            0x45, 0, 0, 0x14, 0, 1, 0, 0, 0x40, 0, 0, 0, 127, 0, 0, 1, 127, 0, 0, 1,
        ];
        assert_eq!(checksum(&h), 0x7ce7);
    }

    #[test]
    fn ipv6_pseudo_header() {
        // UDP 53 > 53, no data, 2001:db8::1 > 2001:db8::2: the reference's 0xa3ff.
        let src: Ipv6Addr = "2001:db8::1".parse().unwrap();
        let dst: Ipv6Addr = "2001:db8::2".parse().unwrap();
        let udp = [0, 53, 0, 53, 0, 8, 0, 0];
        assert_eq!(in6_chksum(17, src, dst, &udp), 0xa3ff);
    }

    #[test]
    fn odd_length() {
        assert_eq!(checksum(&[0x01]), !0x0100);
    }
}
