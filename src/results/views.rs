//! The text views of a packet list that need no callback: the repr's protocol counts, the
//! time of day in hexdump headers, the default session key and conversation ends.

use crate::packet::{Packet, PacketTime};

/// `<name: TCP:n UDP:n ICMP:n Other:n>`: each packet counted under the first of TCP, UDP and
/// ICMP it has (exact classes: a TCPerror inside an ICMP error is no TCP), else Other.
pub fn counts_repr<'a>(
    name: &str,
    packets: impl IntoIterator<Item = Option<&'a Packet>>,
) -> String {
    let mut counts = [0usize; 4];
    for p in packets {
        let slot = match p {
            Some(p) if p.haslayer("TCP") => 0,
            Some(p) if p.haslayer("UDP") => 1,
            Some(p) if p.haslayer("ICMP") => 2,
            _ => 3,
        };
        counts[slot] += 1;
    }
    format!(
        "<{name}: TCP:{} UDP:{} ICMP:{} Other:{}>",
        counts[0], counts[1], counts[2], counts[3]
    )
}

extern "C" {
    /// POSIX tzset(3) (the libc crate declares it only for Windows).
    fn tzset();
}

/// `HH:MM:SS.ffffff` in local time (the header of each packet in `hexdump()`, `hexraw()`,
/// `padding()`): microseconds truncated, as the reference shows them.
pub fn time_of_day(t: PacketTime) -> String {
    let secs = t.secs as libc::time_t;
    // SAFETY: tzset reads the TZ variable (so a changed TZ is seen: localtime_r alone reads it
    // once); localtime_r reads `secs` and writes only into `tm`, which it fully initializes
    // when it returns non-null.
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    let ok = unsafe {
        tzset();
        !libc::localtime_r(&secs, &mut tm).is_null()
    };
    let (h, m, s) = if ok {
        (tm.tm_hour, tm.tm_min, tm.tm_sec)
    } else {
        let day = t.secs.rem_euclid(86_400);
        (
            (day / 3600) as i32,
            (day / 60 % 60) as i32,
            (day % 60) as i32,
        )
    };
    format!("{h:02}:{m:02}:{s:02}.{:06}", t.nanos / 1000)
}

/// The default session key of `sessions()`: a flow for Ethernet frames (TCP and UDP with
/// their ports, ICMP with type, code and id, other IP and IPv6 by protocol, ARP by
/// addresses, other EtherTypes by type), "Other" for everything else.
pub fn session_key(p: &Packet) -> String {
    let fmt = if !p.haslayer("Ether") {
        return "Other".to_string();
    } else if p.haslayer("IP") {
        if p.haslayer("TCP") {
            "TCP %IP.src%:%r,TCP.sport% > %IP.dst%:%r,TCP.dport%"
        } else if p.haslayer("UDP") {
            "UDP %IP.src%:%r,UDP.sport% > %IP.dst%:%r,UDP.dport%"
        } else if p.haslayer("ICMP") {
            "ICMP %IP.src% > %IP.dst% type=%r,ICMP.type% code=%r,ICMP.code% id=%ICMP.id%"
        } else {
            "IP %IP.src% > %IP.dst% proto=%IP.proto%"
        }
    } else if p.haslayer("IPv6") {
        if p.haslayer("TCP") {
            "TCP %IPv6.src%:%r,TCP.sport% > %IPv6.dst%:%r,TCP.dport%"
        } else if p.haslayer("UDP") {
            "UDP %IPv6.src%:%r,UDP.sport% > %IPv6.dst%:%r,UDP.dport%"
        } else {
            "IPv6 %IPv6.src% > %IPv6.dst% nh=%IPv6.nh%"
        }
    } else if p.haslayer("ARP") {
        "ARP %ARP.psrc% > %ARP.pdst%"
    } else {
        "Ethernet type=%04xr,Ether.type%"
    };
    p.sprintf(fmt).unwrap_or_else(|_| "Other".to_string())
}

/// The default ends of a conversation: IPv4, else IPv6 source and destination, else ARP's
/// protocol addresses; None for packets with none of them.
pub fn conversation_ends(p: &Packet) -> Option<(String, String)> {
    let (class, src, dst) = if p.haslayer("IP") {
        ("IP", "src", "dst")
    } else if p.haslayer("IPv6") {
        ("IPv6", "src", "dst")
    } else if p.haslayer("ARP") {
        ("ARP", "psrc", "pdst")
    } else {
        return None;
    };
    Some((p.sprintf_field(class, src)?, p.sprintf_field(class, dst)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_of_day_truncates_to_microseconds() {
        std::env::set_var("TZ", "UTC");
        let t = PacketTime {
            secs: 1_700_000_000,
            nanos: 123_456_999,
        };
        assert_eq!(time_of_day(t), "22:13:20.123456");
    }
}
