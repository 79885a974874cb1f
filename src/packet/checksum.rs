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
    use super::value::Value;
    let d = ip.data();
    let addr = |n: &str| match d.get(n).map(super::sets::first_element).as_deref() {
        Some(Value::Ip4(a)) => Some(*a),
        _ => None,
    };
    let dst = addr("dst").unwrap_or(Ipv4Addr::LOCALHOST);
    let src = addr("src").unwrap_or_else(|| {
        super::resolver::current()
            .source_ipv4(dst)
            .unwrap_or(Ipv4Addr::UNSPECIFIED)
    });
    in4_chksum(proto, src, dst, payload)
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
