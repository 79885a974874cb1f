//! Capture records and packets: which layer dissects a link type, which link type a packet's
//! first layer is written as, and the packet attributes a record carries (time, wire length,
//! comment, interface).

use std::rc::Rc;

use crate::packet::{dissect, CaptureInfo, Packet, PacketTime, Registry};
use crate::pcapfile::{linktype as lt, Record, Timestamp};

/// LINKTYPE_IEEE802_11_PRISM: 802.11 frames behind a Prism monitor-mode header.
const PRISM_HEADER: u32 = 119;

/// The layer class that dissects frames of `linktype` (Scapy's `conf.l2types`); None for
/// link types whose layers wirecraft lacks: their frames stay Raw.
pub fn class_for(linktype: u32, data: &[u8]) -> Option<&'static str> {
    Some(match linktype {
        lt::ETHERNET => "Ether",
        // LINKTYPE_RAW carries IPv4 or IPv6: the version nibble says which.
        lt::RAW | 12 | 14 => match data.first().map(|b| b >> 4) {
            Some(6) => "IPv6",
            _ => "IP",
        },
        lt::IPV4 => "IP",
        lt::IPV6 => "IPv6",
        lt::NULL | lt::LOOP => "Loopback",
        lt::LINUX_SLL => "CookedLinux",
        lt::LINUX_SLL2 => "CookedLinuxV2",
        lt::IEEE802_11 => "Dot11",
        PRISM_HEADER => "PrismHeader",
        lt::IEEE802_11_RADIOTAP => "RadioTap",
        _ => return None,
    })
}

/// The link type a packet is written as, from its first layer (Scapy's `conf.l2types`
/// reversed); None for a first layer no link type carries.
pub fn linktype_for(p: &Packet) -> Option<u32> {
    Some(match p.class_name().as_str() {
        "Ether" | "Dot3" => lt::ETHERNET,
        "IP" => lt::IPV4,
        "IPv6" => lt::IPV6,
        "Loopback" => lt::NULL,
        "CookedLinux" => lt::LINUX_SLL,
        "CookedLinuxV2" => lt::LINUX_SLL2,
        "Dot11" => lt::IEEE802_11,
        "PrismHeader" => PRISM_HEADER,
        "RadioTap" => lt::IEEE802_11_RADIOTAP,
        _ => return None,
    })
}

/// Whether a link type has a dissecting layer here.
pub fn is_known(linktype: u32) -> bool {
    class_for(linktype, &[0x45]).is_some()
}

/// A record as a packet: dissected by its link type's layer (Raw for the others), with the
/// record's time, wire length and comment, and `sniffed_on` when given. None only for a
/// registry without even a Raw layer. `shared` is what the previous record of the capture
/// said of its packet: the packet shares it when this record says the same (a capture's
/// packets are many, and their records often alike).
pub fn packet_from_record(
    reg: &Rc<Registry>,
    record: &Record,
    sniffed_on: Option<&str>,
    shared: &mut Option<Rc<CaptureInfo>>,
) -> Option<Packet> {
    let class = class_for(record.linktype, &record.data).unwrap_or("Raw");
    let def = reg.get(class).or_else(|| reg.get("Raw"))?;
    let p = dissect(&def, &record.data);
    p.set_time(PacketTime {
        secs: record.time.secs,
        nanos: record.time.nanos,
    });
    let comment = record.comment.as_ref().map(|c| c.as_bytes());
    let info = match shared {
        Some(last)
            if last.sniffed_on.as_deref() == sniffed_on
                && last.wirelen == Some(record.wire_len)
                && last.comment.as_deref() == comment
                && !last.comment_is_text =>
        {
            last.clone()
        }
        _ => {
            let info = Rc::new(CaptureInfo {
                sniffed_on: sniffed_on.map(str::to_string),
                wirelen: Some(record.wire_len),
                comment: comment.map(<[u8]>::to_vec),
                comment_is_text: false,
            });
            *shared = Some(info.clone());
            info
        }
    };
    p.set_capture(Some(info));
    Some(p)
}

/// A packet's bytes as a record of `linktype`, with the packet's time, wire length, comment
/// and interface.
pub fn record_for(p: &Packet, data: Vec<u8>, linktype: u32) -> Record {
    let t = p.time();
    let mut r = Record::new(
        Timestamp {
            secs: t.secs,
            nanos: t.nanos,
        },
        linktype,
        data,
    );
    if let Some(info) = p.capture_info() {
        if let Some(w) = info.wirelen {
            r.wire_len = w.max(r.data.len() as u32);
        }
        r.comment = info
            .comment
            .as_ref()
            .map(|c| String::from_utf8_lossy(c).into_owned());
        r.interface_name = info.sniffed_on.clone();
    }
    r
}
