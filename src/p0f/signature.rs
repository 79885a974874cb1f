//! A packet's p0f v3 TCP signature (`4:64+0:0:1460:mss*20,7:mss,sok,ts,nop,ws:df,id+:0`): what
//! p0f reads from the IP and TCP headers of a SYN or SYN+ACK, as Scapy 2.8's `p0f` module
//! reads it (observed by running it; see `options` for which option bytes it reads).
//!
//! The headers are read from the built bytes of the packet's first IP or IPv6 layer and of its
//! TCP layer, so unset fields (lengths, checksums) are what the wire would carry, and a
//! truncated packet is read as far as it goes.

use std::fmt;

use crate::packet::Packet;

use super::options::TcpOptions;
use super::quirks::{Quirk, Quirks};

/// The shortest IPv4 packet p0f reads: a 20-byte header and a 20-byte TCP header.
pub const MIN_TCP4: usize = 40;
/// The shortest IPv6 packet p0f reads: a 40-byte header and a 20-byte TCP header.
pub const MIN_TCP6: usize = 60;
/// The largest distance a TTL is believed to have travelled.
pub const MAX_DIST: i64 = 35;

/// Which way a fingerprinted segment goes: a SYN is a request, a SYN+ACK a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// A SYN, from the client.
    Request,
    /// A SYN+ACK, from the server.
    Response,
}

impl Direction {
    /// The section name p0f.fp uses (`tcp:request`).
    pub fn name(self) -> &'static str {
        match self {
            Direction::Request => "request",
            Direction::Response => "response",
        }
    }
}

/// Why a packet has no signature, with Scapy's messages (raised as TypeError).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotFingerprintable {
    /// No IP or IPv6 layer with TCP above it, or too short to hold both headers.
    NotTcpIp,
    /// TCP, but neither a SYN nor a SYN+ACK.
    NotSyn,
}

impl fmt::Display for NotFingerprintable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            NotFingerprintable::NotTcpIp => "Not a TCP/IP packet",
            NotFingerprintable::NotSyn => "Not a SYN, SYN/ACK, or HTTP packet",
        })
    }
}

/// TCP flag bits.
const FIN: u16 = 0x01;
const SYN: u16 = 0x02;
const PSH: u16 = 0x08;
const ACK: u16 = 0x10;
const URG: u16 = 0x20;
const ECE: u16 = 0x40;
const CWR: u16 = 0x80;

/// The IP and TCP headers of a packet p0f can read.
#[derive(Debug, Clone)]
pub struct Headers {
    /// 4 or 6.
    pub ip_ver: u8,
    /// The built IP or IPv6 layer (header and all above it).
    ip: Vec<u8>,
    /// The built TCP segment (with any padding after it).
    tcp: Vec<u8>,
    /// The TCP layer carries data.
    payload: bool,
}

impl Headers {
    /// The headers of the packet's first IP or IPv6 layer and the TCP layer above it.
    pub fn of_packet(p: &Packet) -> Result<Headers, NotFingerprintable> {
        let layers = p.layers();
        let Some(ip_at) = layers
            .iter()
            .position(|l| matches!(l.class_name().as_str(), "IP" | "IPv6"))
        else {
            return Err(NotFingerprintable::NotTcpIp);
        };
        let Some(tcp) = layers[ip_at..].iter().find(|l| l.class_name() == "TCP") else {
            return Err(NotFingerprintable::NotTcpIp);
        };
        let ip_ver = if layers[ip_at].class_name() == "IP" {
            4
        } else {
            6
        };
        let ip = layers[ip_at]
            .build()
            .map_err(|_| NotFingerprintable::NotTcpIp)?;
        // As in Scapy 2.8 (observed), padding after the segment (Ethernet's) is part of what
        // is read: it counts as data and slides the options' window.
        let segment = tcp.build().map_err(|_| NotFingerprintable::NotTcpIp)?;
        let payload = tcp
            .payload()
            .is_some_and(|l| l.build().is_ok_and(|b| !b.is_empty()));
        Headers::new(ip_ver, ip, segment, payload)
    }

    /// Headers from bytes: the IP layer (header onwards) and the TCP segment in it.
    pub fn new(
        ip_ver: u8,
        ip: Vec<u8>,
        tcp: Vec<u8>,
        payload: bool,
    ) -> Result<Headers, NotFingerprintable> {
        let min = if ip_ver == 4 { MIN_TCP4 } else { MIN_TCP6 };
        if ip.len() < min {
            return Err(NotFingerprintable::NotTcpIp);
        }
        Ok(Headers {
            ip_ver,
            ip,
            tcp,
            payload,
        })
    }

    fn ip_byte(&self, i: usize) -> u8 {
        self.ip.get(i).copied().unwrap_or(0)
    }

    fn tcp_u16(&self, i: usize) -> u16 {
        u16::from_be_bytes([
            self.tcp.get(i).copied().unwrap_or(0),
            self.tcp.get(i + 1).copied().unwrap_or(0),
        ])
    }

    fn tcp_u32(&self, i: usize) -> u32 {
        (u32::from(self.tcp_u16(i)) << 16) | u32::from(self.tcp_u16(i + 2))
    }

    /// The TCP flags, the NS bit included.
    fn flags(&self) -> u16 {
        self.tcp_u16(12) & 0x1ff
    }

    /// The options p0f reads.
    pub fn options(&self) -> TcpOptions {
        TcpOptions::of_segment(&self.tcp)
    }

    /// The time to live (IPv4) or hop limit (IPv6).
    pub fn ttl(&self) -> u8 {
        self.ip_byte(if self.ip_ver == 4 { 8 } else { 7 })
    }

    /// The direction of a SYN or SYN+ACK.
    pub fn direction(&self) -> Result<Direction, NotFingerprintable> {
        let f = self.flags();
        match (f & SYN != 0, f & ACK != 0) {
            (true, false) => Ok(Direction::Request),
            (true, true) => Ok(Direction::Response),
            _ => Err(NotFingerprintable::NotSyn),
        }
    }

    /// The signature of a SYN or SYN+ACK.
    pub fn signature(&self) -> Result<(TcpSignature, Direction), NotFingerprintable> {
        let dir = self.direction()?;
        let opts = self.options();
        let mut q = Quirks::NONE;
        let ecn_bits = if self.ip_ver == 4 {
            let flags = self.ip_byte(6) >> 5;
            let id = u16::from_be_bytes([self.ip_byte(4), self.ip_byte(5)]);
            let df = flags & 0x2 != 0;
            if df {
                q.insert(Quirk::Df);
                if id != 0 {
                    q.insert(Quirk::IdPlus);
                }
            } else if id == 0 {
                q.insert(Quirk::IdMinus);
            }
            if flags & 0x4 != 0 {
                q.insert(Quirk::ZeroPlus);
            }
            self.ip_byte(1) & 0x3
        } else {
            let flow = (u32::from(self.ip_byte(1) & 0x0f) << 16)
                | (u32::from(self.ip_byte(2)) << 8)
                | u32::from(self.ip_byte(3));
            if flow != 0 {
                q.insert(Quirk::Flow);
            }
            ((self.ip_byte(0) & 0x0f) << 4 | self.ip_byte(1) >> 4) & 0x3
        };
        let flags = self.flags();
        // Scapy 2.8 counts FIN with ECE and CWR (observed): a SYN+FIN shows `ecn`.
        if ecn_bits != 0 || flags & (ECE | CWR | FIN) != 0 {
            q.insert(Quirk::Ecn);
        }
        if self.tcp_u32(4) == 0 {
            q.insert(Quirk::SeqMinus);
        }
        let ack = self.tcp_u32(8);
        match (flags & ACK != 0, ack != 0) {
            (true, false) => q.insert(Quirk::AckMinus),
            (false, true) => q.insert(Quirk::AckPlus),
            _ => {}
        }
        if flags & URG != 0 {
            q.insert(Quirk::UrgfPlus);
        } else if self.tcp_u16(18) != 0 {
            q.insert(Quirk::UptrPlus);
        }
        if flags & PSH != 0 {
            q.insert(Quirk::PushfPlus);
        }
        let mut ts1 = 0;
        if let Some((own, peer)) = opts.timestamps {
            ts1 = own;
            if own == 0 {
                q.insert(Quirk::Ts1Minus);
            }
            if peer != 0 && dir == Direction::Request {
                q.insert(Quirk::Ts2Plus);
            }
        }
        if opts.trailing_data {
            q.insert(Quirk::OptPlus);
        }
        if opts.wscale > 14 {
            q.insert(Quirk::Exws);
        }
        if opts.malformed {
            q.insert(Quirk::Bad);
        }
        let ip_opt_len = if self.ip_ver == 4 {
            i64::from(self.ip_byte(0) & 0x0f) * 4 - 20
        } else {
            0
        };
        let sig = TcpSignature {
            ip_ver: self.ip_ver,
            ttl: self.ttl(),
            ip_opt_len,
            mss: opts.mss,
            win: self.tcp_u16(14),
            wscale: opts.wscale,
            olayout: opts.layout_text(),
            quirks: q,
            pay_class: self.payload,
            ts1,
        };
        Ok((sig, dir))
    }
}

/// A TCP signature read from a packet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TcpSignature {
    /// 4 or 6.
    pub ip_ver: u8,
    /// The TTL seen.
    pub ttl: u8,
    /// The length of the IPv4 options (0 for IPv6).
    pub ip_opt_len: i64,
    /// The MSS option's value, 0 without one.
    pub mss: u16,
    /// The TCP window.
    pub win: u16,
    /// The window scale option's value, 0 without one.
    pub wscale: u8,
    /// The options' layout.
    pub olayout: String,
    /// The quirks.
    pub quirks: Quirks,
    /// The segment carries data.
    pub pay_class: bool,
    /// The timestamp option's own value (0 without one).
    pub ts1: u32,
}

impl TcpSignature {
    /// The signature as p0f prints it, with the quirks written as `quirks` (the README's
    /// order for [`fmt::Display`]; Scapy's set order where the language gives it).
    pub fn text_with(&self, quirks: &str) -> String {
        format!(
            "{}:{}+{}:{}:{}:{},{}:{}:{}:{}",
            self.ip_ver,
            self.ttl,
            guess_dist(self.ttl),
            self.ip_opt_len,
            self.mss,
            self.win,
            self.wscale,
            self.olayout,
            quirks,
            u8::from(self.pay_class)
        )
    }
}

impl fmt::Display for TcpSignature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text_with(&self.quirks.text()))
    }
}

/// How far a TTL has come: from the nearest usual initial TTL (32, 64, 128, 255) at or above.
pub fn guess_dist(ttl: u8) -> u8 {
    [32u8, 64, 128, 255]
        .into_iter()
        .find(|&t| ttl <= t)
        .map_or(0, |t| t - ttl)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An IPv4 header: DF, id 61681, TTL 64; then `tcp`.
    fn ip4(tcp: &[u8], flags_frag: u16, id: u16, tos: u8) -> Vec<u8> {
        let mut h = vec![
            0x45, tos, 0, 0, 0, 0, 0, 0, 64, 6, 0, 0, 192, 168, 8, 10, 192, 168, 8, 1,
        ];
        let len = (20 + tcp.len()) as u16;
        h[2..4].copy_from_slice(&len.to_be_bytes());
        h[4..6].copy_from_slice(&id.to_be_bytes());
        h[6..8].copy_from_slice(&flags_frag.to_be_bytes());
        h.extend_from_slice(tcp);
        h
    }

    /// A TCP header with `options` (a multiple of 4 bytes).
    fn tcp(flags: u16, seq: u32, ack: u32, window: u16, options: &[u8]) -> Vec<u8> {
        let mut t = vec![0xb5, 0xaf, 0, 80];
        t.extend_from_slice(&seq.to_be_bytes());
        t.extend_from_slice(&ack.to_be_bytes());
        let off = ((5 + options.len() / 4) as u16) << 12 | flags;
        t.extend_from_slice(&off.to_be_bytes());
        t.extend_from_slice(&window.to_be_bytes());
        t.extend_from_slice(&[0, 0, 0, 0]);
        t.extend_from_slice(options);
        t
    }

    fn sig_of(ip: Vec<u8>, payload: bool) -> Result<(TcpSignature, Direction), NotFingerprintable> {
        let ihl = usize::from(ip.first().copied().unwrap_or(0x45) & 0x0f) * 4;
        let seg = ip.get(ihl..).unwrap_or(&[]).to_vec();
        Headers::new(4, ip, seg, payload)?.signature()
    }

    #[test]
    fn the_documentations_linux_syn() {
        // The documentation's packet: SYN with ECE and CWR, timestamps first.
        let opts = [
            8, 10, 0x14, 0x70, 0xda, 0x29, 0, 0, 0, 0, 2, 4, 5, 0xb4, 1, 4, 2, 3, 3, 0,
        ];
        let t = tcp(0xc2, 2023566040, 0, 5840, &opts);
        let (s, d) = sig_of(ip4(&t, 0x4000, 61681, 0), false).unwrap();
        assert_eq!(d, Direction::Request);
        assert_eq!(
            s.to_string(),
            "4:64+0:0:1460:5840,0:ts,mss,nop,sok,ws:df,id+,ecn:0"
        );
        assert_eq!(s.ts1, 342940201);
    }

    #[test]
    fn quirks_of_the_headers() {
        let opts = [2, 4, 5, 0xb4];
        // No DF, zero id; zero sequence; ack without ACK; urgent pointer without URG; PSH.
        let mut t = tcp(0x0a, 0, 5, 1024, &opts);
        t[19] = 3;
        let (s, _) = sig_of(ip4(&t, 0x8000, 0, 0), false).unwrap();
        assert_eq!(s.quirks.text(), "id-,0+,seq-,ack+,uptr+,pushf+");
        // SYN+ACK with a zero ack and ECN in the TOS byte.
        let t = tcp(0x12, 1, 0, 1024, &opts);
        let (s, d) = sig_of(ip4(&t, 0x4000, 7, 2), true).unwrap();
        assert_eq!(d, Direction::Response);
        assert_eq!(s.quirks.text(), "df,id+,ecn,ack-");
        assert!(s.pay_class);
    }

    #[test]
    fn timestamps_and_scale() {
        // ts1 zero, ts2 non-zero on a SYN, window scale 15, options after the end.
        let opts = [8, 10, 0, 0, 0, 0, 0, 0, 0, 7, 3, 3, 15, 0, 0, 9];
        let (s, _) = sig_of(ip4(&tcp(0x02, 1, 0, 100, &opts), 0x4000, 1, 0), false).unwrap();
        assert_eq!(s.olayout, "ts,ws,eol+2");
        assert_eq!(s.quirks.text(), "df,id+,ts1-,ts2+,opt+,exws");
        // On a SYN+ACK the echoed timestamp is expected.
        let (s, _) = sig_of(ip4(&tcp(0x12, 1, 1, 100, &opts), 0x4000, 1, 0), false).unwrap();
        assert!(!s.quirks.contains(Quirk::Ts2Plus));
    }

    #[test]
    fn not_every_packet_has_a_signature() {
        let t = tcp(0x10, 1, 1, 100, &[]);
        assert_eq!(
            sig_of(ip4(&t, 0, 1, 0), false).unwrap_err(),
            NotFingerprintable::NotSyn
        );
        // Truncated: shorter than an IP and a TCP header.
        let mut opts = vec![2, 4, 5, 0xb4];
        opts.extend([1; 16]);
        let full = ip4(&tcp(0x02, 1, 0, 100, &opts), 0, 1, 0);
        for n in 0..MIN_TCP4 {
            assert_eq!(
                sig_of(full[..n].to_vec(), false).unwrap_err(),
                NotFingerprintable::NotTcpIp
            );
        }
        // Cut inside the options: Scapy's window is the segment's last 20 bytes, from the
        // sequence number on.
        let (s, _) = sig_of(full[..44].to_vec(), false).unwrap();
        assert_eq!(s.to_string(), "4:64+0:0:0:100,0:eol+19:opt+:0");
    }

    #[test]
    fn ttl_distances() {
        for (ttl, d) in [
            (64, 0),
            (60, 4),
            (0, 32),
            (33, 31),
            (93, 35),
            (129, 126),
            (255, 0),
        ] {
            assert_eq!(guess_dist(ttl), d, "{ttl}");
        }
    }
}
