//! Link layer: Ethernet, 802.3, LLC, SNAP, 802.1Q and 802.1ad, ARP, Linux cooked captures
//! (SLL and SLL2), BSD loopback, GRE with its routing entries.
//!
//! ```text
//! Ether   | dst (6) | src (6) | type (2) |
//! Dot3    | dst (6) | src (6) | len (2)  |
//! LLC     | dsap (1) | ssap (1) | ctrl (1) |
//! SNAP    | OUI (3) | code (2) |
//! Dot1Q   | prio (3b) dei (1b) vlan (12b) | type (2) |      (Dot1AD the same, S-tag)
//! SLL     | pkttype (2) | lladdrtype (2) | lladdrlen (2) | src (8) | proto (2) |
//! SLL2    | proto (2) | reserved (2) | ifindex (4) | lladdrtype (2) | pkttype | lladdrlen | src (8) |
//! Loopback| type (4, host order: little-endian) |
//! GRErouting | address_family (2) | SRE_offset | SRE_len | routing_info (SRE_len) |
//! ARP     | hwtype (2) | ptype (2) | hwlen (1) | plen (1) | op (2) | hwsrc | psrc | hwdst | pdst |
//! GRE     | C R K S s Recur(3b) flags(5b) ver(3b) | proto (2) | [chksum offset] [key] [seq] |
//! ```

use std::rc::Rc;

use crate::packet::checksum::checksum;
use crate::packet::display::layer_field_repr;
use crate::packet::field::{BuildCtx, DissectCtx, FieldDef, FieldKind, Truncated};
use crate::packet::fields::{
    self, byte, length_of, payload_len, xbyte, xint, xshort, xshort_enum, EnumNames, IpField,
    MacField, Num, NumDisplay, StaticNames, StrField, StrLen, Width,
};
use crate::packet::kinds::Ip6Field;
use crate::packet::layer::{Hooks, LayerDef};
use crate::packet::matching::{opt_answers, payload_answers, payload_hashret};
use crate::packet::netdb;
use crate::packet::packet::LayerData;
use crate::packet::registry::{bind_layers, Registry};
use crate::packet::value::Value;

/// ARP hardware types.
pub(crate) static HWTYPES: &[(i128, &str)] = &[
    (1, "Ethernet (10Mb)"),
    (2, "Ethernet (3Mb)"),
    (3, "AX.25"),
    (4, "Proteon ProNET Token Ring"),
    (5, "Chaos"),
    (6, "IEEE 802 Networks"),
    (7, "ARCNET"),
    (8, "Hyperchannel"),
    (9, "Lanstar"),
    (10, "Autonet Short Address"),
    (11, "LocalTalk"),
    (12, "LocalNet"),
    (13, "Ultra link"),
    (14, "SMDS"),
    (15, "Frame relay"),
    (16, "ATM"),
    (17, "HDLC"),
    (18, "Fibre Channel"),
    (19, "ATM"),
    (20, "Serial Line"),
    (21, "ATM"),
];

/// ARP operations.
static ARP_OPS: &[(i128, &str)] = &[
    (1, "who-has"),
    (2, "is-at"),
    (3, "RARP-req"),
    (4, "RARP-rep"),
    (5, "Dyn-RARP-req"),
    (6, "Dyn-RAR-rep"),
    (7, "Dyn-RARP-err"),
    (8, "InARP-req"),
    (9, "InARP-rep"),
];

/// Organisation names for the OUIs SNAP headers commonly carry.
static OUIS: &[(i128, &str)] = &[
    (0x000000, "Officially Xerox, but 0:0:0:0:0:0 is more common"),
    (0x00000c, "Cisco Systems, Inc"),
];

/// Linux cooked-capture packet types.
static SLL_PKTTYPES: &[(i128, &str)] = &[
    (0, "unicast"),
    (1, "broadcast"),
    (2, "multicast"),
    (3, "unicast-to-another-host"),
    (4, "sent-by-us"),
];

/// BSD loopback (DLT_NULL) address families, as the reference names them.
static LOOPBACK_TYPES: &[(i128, &str)] = &[
    (2, "IPv4"),
    (7, "OSI"),
    (16, "Appletalk"),
    (23, "Netware IPX/SPX"),
    (24, "IPv6"),
    (28, "IPv6"),
    (30, "IPv6"),
];

fn ether_types() -> Rc<dyn EnumNames> {
    Rc::new(netdb::ether_types())
}

/// OUIField: three bytes shown as `organisation (xx:xx:xx)`.
struct OuiField;

impl FieldKind for OuiField {
    fn class_name(&self) -> &str {
        "OUIField"
    }

    fn addfield(&self, ctx: &BuildCtx<'_>, v: &Value, out: &mut Vec<u8>) -> Result<(), String> {
        Num::new("OUIField", Width::Bytes(3), NumDisplay::Hex).addfield(ctx, v, out)
    }

    fn getfield(
        &self,
        ctx: &mut DissectCtx<'_>,
        s: &[u8],
    ) -> Result<(usize, Option<Value>), Truncated> {
        Num::new("OUIField", Width::Bytes(3), NumDisplay::Hex).getfield(ctx, s)
    }

    fn i2repr(&self, _layer: &LayerData, v: &Value) -> String {
        let Value::Int(i) = v else {
            return v.py_repr();
        };
        let b = (*i as u32).to_be_bytes();
        let hex = format!("{:02x}:{:02x}:{:02x}", b[1], b[2], b[3]);
        match StaticNames(OUIS).name(*i) {
            Some(n) => format!("{n} ({hex})"),
            None => hex,
        }
    }

    fn i2len(&self, _layer: &LayerData, _v: &Value) -> usize {
        3
    }
}

fn ether() -> LayerDef {
    LayerDef::new(
        "Ether",
        "Ethernet",
        vec![
            FieldDef::new("dst", MacField::dest(), Value::None),
            FieldDef::new("src", MacField::source(), Value::None),
            FieldDef::new("type", xshort_enum(ether_types()), Value::Int(0x9000)),
        ],
    )
    .with_hooks(Hooks {
        answers: Some(Rc::new(|me, other| {
            other.def().is_a_name("Ether")
                && me.get("type") == other.get("type")
                && payload_answers(&me.payload(), &other.payload())
        })),
        hashret: Some(Rc::new(|p| {
            // struct.pack("H") in the reference: host (little-endian) order.
            let t = p.data().int("type").unwrap_or(0) as u16;
            let mut out = t.to_le_bytes().to_vec();
            out.extend(payload_hashret(p));
            out
        })),
        mysummary: Some(Rc::new(|p| {
            let d = p.data();
            Some((
                format!(
                    "{} > {} ({})",
                    layer_field_repr(&d, "src"),
                    layer_field_repr(&d, "dst"),
                    layer_field_repr(&d, "type")
                ),
                Vec::new(),
            ))
        })),
        ..Hooks::default()
    })
}

fn dot3() -> LayerDef {
    let len = Num::new("LenField", Width::Bytes(2), NumDisplay::Dec)
        .computed(payload_len(|l| l))
        .rc();
    LayerDef::new(
        "Dot3",
        "802.3",
        vec![
            FieldDef::new("dst", MacField::dest(), Value::None),
            FieldDef::new("src", MacField::source(), Value::None),
            FieldDef::new("len", len, Value::None),
        ],
    )
    .with_hooks(Hooks {
        // The 802.3 length covers the payload; the rest of a short frame is padding.
        extract_padding: Some(Rc::new(|d, rest| {
            d.int("len")
                .and_then(|l| usize::try_from(l).ok())
                .unwrap_or(rest.len())
        })),
        answers: Some(Rc::new(|me, other| {
            other.def().is_a_name("Dot3") && payload_answers(&me.payload(), &other.payload())
        })),
        mysummary: Some(Rc::new(|p| {
            let d = p.data();
            Some((
                format!(
                    "802.3 {} > {}",
                    layer_field_repr(&d, "src"),
                    layer_field_repr(&d, "dst")
                ),
                Vec::new(),
            ))
        })),
        ..Hooks::default()
    })
}

fn llc() -> LayerDef {
    LayerDef::new(
        "LLC",
        "LLC",
        vec![
            FieldDef::new("dsap", xbyte(), Value::Int(0)),
            FieldDef::new("ssap", xbyte(), Value::Int(0)),
            FieldDef::new("ctrl", byte(), Value::Int(0)),
        ],
    )
}

fn snap() -> LayerDef {
    LayerDef::new(
        "SNAP",
        "SNAP",
        vec![
            FieldDef::new("OUI", Rc::new(OuiField), Value::Int(0)),
            FieldDef::new("code", xshort_enum(ether_types()), Value::Int(0)),
        ],
    )
}

fn vlan_tag_fields() -> Vec<FieldDef> {
    vec![
        FieldDef::new("prio", fields::bits(3), Value::Int(0)),
        FieldDef::new("dei", fields::bits(1), Value::Int(0)),
        FieldDef::new("vlan", fields::bits(12), Value::Int(1)),
        FieldDef::new("type", xshort_enum(ether_types()), Value::Int(0)),
    ]
}

/// 802.1ad's service tag: 802.1Q's fields under another EtherType, with no summary of its
/// own.
fn dot1ad() -> LayerDef {
    LayerDef::new("Dot1AD", "802_1AD", vlan_tag_fields())
}

fn cooked_src() -> FieldDef {
    FieldDef::new("src", StrField::fixed(8), Value::Bytes(Vec::new()))
}

/// Linux cooked capture, version 1 (SLL, link type 113).
fn cooked_linux() -> LayerDef {
    LayerDef::new(
        "CookedLinux",
        "cooked linux",
        vec![
            FieldDef::new(
                "pkttype",
                fields::short_enum(Rc::new(StaticNames(SLL_PKTTYPES))),
                Value::Int(0),
            ),
            FieldDef::new("lladdrtype", xshort(), Value::Int(512)),
            FieldDef::new("lladdrlen", fields::short(), Value::Int(0)),
            cooked_src(),
            FieldDef::new("proto", xshort_enum(ether_types()), Value::Int(0x800)),
        ],
    )
}

/// Linux cooked capture, version 2 (SLL2, link type 276).
fn cooked_linux_v2() -> LayerDef {
    LayerDef::new(
        "CookedLinuxV2",
        "cooked linux v2",
        vec![
            FieldDef::new("proto", xshort_enum(ether_types()), Value::Int(0x800)),
            FieldDef::new("reserved", fields::short(), Value::Int(0)),
            FieldDef::new("ifindex", fields::int(), Value::Int(0)),
            FieldDef::new("lladdrtype", xshort(), Value::Int(512)),
            FieldDef::new(
                "pkttype",
                fields::byte_enum(Rc::new(StaticNames(SLL_PKTTYPES))),
                Value::Int(0),
            ),
            FieldDef::new("lladdrlen", byte(), Value::Int(0)),
            cooked_src(),
        ],
    )
}

/// BSD loopback: the address family as a 4-byte integer in the capturing host's order
/// (little-endian here, as on the reference's hosts).
fn loopback() -> LayerDef {
    let family = Num::new(
        "LoIntEnumField",
        Width::Bytes(4),
        NumDisplay::Enum {
            names: Rc::new(StaticNames(LOOPBACK_TYPES)),
            hex: false,
        },
    )
    .little_endian()
    .rc();
    LayerDef::new(
        "Loopback",
        "Loopback",
        vec![FieldDef::new("type", family, Value::Int(2))],
    )
}

/// One GRE source route entry (RFC 1701); a null entry (family 0, length 0) ends the list.
fn gre_routing() -> LayerDef {
    let sre_len = Num::new("FieldLenField", Width::Bytes(1), NumDisplay::Dec)
        .computed(length_of("routing_info", |l| l))
        .rc();
    LayerDef::new(
        "GRErouting",
        "GRE routing information",
        vec![
            FieldDef::new("address_family", fields::short(), Value::Int(0)),
            FieldDef::new("SRE_offset", byte(), Value::Int(0)),
            FieldDef::new("SRE_len", sre_len, Value::None),
            FieldDef::new(
                "routing_info",
                StrField::length_from(Rc::new(|d: &LayerData| d.int("SRE_len").unwrap_or(0))),
                Value::Bytes(Vec::new()),
            ),
        ],
    )
}

fn dot1q() -> LayerDef {
    LayerDef::new(
        "Dot1Q",
        "802.1Q",
        vec![
            FieldDef::new("prio", fields::bits(3), Value::Int(0)),
            FieldDef::new("dei", fields::bits(1), Value::Int(0)),
            FieldDef::new("vlan", fields::bits(12), Value::Int(1)),
            FieldDef::new("type", xshort_enum(ether_types()), Value::Int(0)),
        ],
    )
    .with_hooks(Hooks {
        answers: Some(Rc::new(|me, other| {
            if other.def().is_a_name("Dot1Q") {
                let same = |f| me.get(f) == other.get(f);
                same("type") && same("vlan") && payload_answers(&me.payload(), &other.payload())
            } else {
                opt_answers(&me.payload(), other)
            }
        })),
        mysummary: Some(Rc::new(|p| {
            let d = p.data();
            let tail = format!(
                "({}) vlan {}",
                layer_field_repr(&d, "type"),
                layer_field_repr(&d, "vlan")
            );
            let under = d.underlayer();
            let text = match under {
                Some(u) if u.def().is_a_name("Ether") => {
                    let ud = u.data();
                    format!(
                        "802.1q {} > {} {tail}",
                        layer_field_repr(&ud, "src"),
                        layer_field_repr(&ud, "dst")
                    )
                }
                _ => format!("802.1q {tail}"),
            };
            Some((text, Vec::new()))
        })),
        ..Hooks::default()
    })
}

fn arp() -> LayerDef {
    let len_of = |f: &str| {
        Num::new("FieldLenField", Width::Bytes(1), NumDisplay::Dec)
            .computed(length_of(f, |l| l))
            .rc()
    };
    // hwsrc/hwdst are MACs for Ethernet hardware of the usual length, else raw bytes of
    // `hwlen`; psrc/pdst likewise IPv4 addresses or raw bytes of `plen`.
    let is_mac = |d: &LayerData| {
        d.int("hwtype") == Some(1) && matches!(d.get("hwlen"), Some(Value::None | Value::Int(6)))
    };
    let is_ip = |d: &LayerData| {
        d.int("ptype") == Some(0x800) && matches!(d.get("plen"), Some(Value::None | Value::Int(4)))
    };
    let is_ip6 = |d: &LayerData| {
        d.int("ptype") == Some(0x86dd)
            && matches!(d.get("plen"), Some(Value::None | Value::Int(16)))
    };
    // StrFixedLenField(length_from=...): an unset length means "as long as the value".
    let fixed = |f: &'static str| {
        StrField::with(
            "StrFixedLenField",
            StrLen::FixedFrom(Rc::new(move |d: &LayerData| d.int(f).unwrap_or(-1))),
            false,
        )
    };
    let hwlen = || fixed("hwlen");
    let plen = || fixed("plen");
    LayerDef::new(
        "ARP",
        "ARP",
        vec![
            FieldDef::new(
                "hwtype",
                xshort_enum(Rc::new(StaticNames(HWTYPES))),
                Value::Int(1),
            ),
            FieldDef::new("ptype", xshort_enum(ether_types()), Value::Int(0x800)),
            FieldDef::new("hwlen", len_of("hwsrc"), Value::None),
            FieldDef::new("plen", len_of("psrc"), Value::None),
            FieldDef::new(
                "op",
                fields::short_enum(Rc::new(StaticNames(ARP_OPS))),
                Value::Int(1),
            ),
            FieldDef::new("hwsrc", hwlen(), Value::None).alt(
                is_mac,
                MacField::source(),
                Value::None,
            ),
            FieldDef::new("psrc", plen(), Value::None)
                .alt(is_ip, IpField::source("pdst"), Value::None)
                .alt(is_ip6, Ip6Field::rc("SourceIP6Field"), Value::None),
            FieldDef::new("hwdst", hwlen(), Value::None).alt(
                is_mac,
                MacField::plain(),
                Value::Mac([0; 6]),
            ),
            FieldDef::new("pdst", plen(), Value::None)
                .alt(
                    is_ip,
                    IpField::plain(),
                    Value::Ip4(std::net::Ipv4Addr::UNSPECIFIED),
                )
                .alt(
                    is_ip6,
                    Ip6Field::rc("IP6Field"),
                    Value::Ip6(std::net::Ipv6Addr::UNSPECIFIED),
                ),
        ],
    )
    .with_hooks(Hooks {
        // ARP has no payload: whatever follows (Ethernet's minimum-size filler) is padding.
        extract_padding: Some(Rc::new(|_, _| 0)),
        answers: Some(Rc::new(arp_answers)),
        hashret: Some(Rc::new(|p| {
            let d = p.data();
            let mut out = Vec::new();
            for v in [
                d.int("hwtype").unwrap_or(0),
                d.int("ptype").unwrap_or(0),
                (d.int("op").unwrap_or(0) + 1) / 2,
            ] {
                out.extend_from_slice(&(v as u16).to_be_bytes());
            }
            drop(d);
            out.extend(payload_hashret(p));
            out
        })),
        mysummary: Some(Rc::new(|p| {
            let d = p.data();
            let f = |n| layer_field_repr(&d, n);
            let text = match d.int("op") {
                Some(1) => format!("ARP who has {} says {}", f("pdst"), f("psrc")),
                Some(2) => format!("ARP is at {} says {}", f("hwsrc"), f("psrc")),
                _ => format!("ARP {} {} > {}", f("op"), f("psrc"), f("pdst")),
            };
            Some((text, Vec::new()))
        })),
        ..Hooks::default()
    })
}

fn gre() -> LayerDef {
    let bit = |n: &str| FieldDef::new(n, fields::bits(1), Value::Int(0));
    let ck_or_route =
        |d: &LayerData| d.int("chksum_present") == Some(1) || d.int("routing_present") == Some(1);
    LayerDef::new(
        "GRE",
        "GRE",
        vec![
            bit("chksum_present"),
            bit("routing_present"),
            bit("key_present"),
            bit("seqnum_present"),
            bit("strict_route_source"),
            FieldDef::new("recursion_control", fields::bits(3), Value::Int(0)),
            FieldDef::new("flags", fields::bits(5), Value::Int(0)),
            FieldDef::new("version", fields::bits(3), Value::Int(0)),
            FieldDef::new("proto", xshort_enum(ether_types()), Value::Int(0)),
            FieldDef::new("chksum", xshort(), Value::None).when(ck_or_route),
            FieldDef::new("offset", xshort(), Value::None).when(ck_or_route),
            FieldDef::new("key", xint(), Value::None).when(|d| d.int("key_present") == Some(1)),
            FieldDef::new("sequence_number", xint(), Value::None)
                .when(|d| d.int("seqnum_present") == Some(1)),
        ],
    )
    .with_hooks(Hooks {
        post_build: Some(Rc::new(|d, mut hdr, pay, _| {
            hdr.extend_from_slice(pay);
            if d.int("chksum_present") == Some(1)
                && d.get("chksum").is_some_and(Value::is_none)
                && hdr.len() >= 6
            {
                let c = checksum(&hdr);
                hdr[4..6].copy_from_slice(&c.to_be_bytes());
            }
            Ok(hdr)
        })),
        ..Hooks::default()
    })
}

/// An address field's machine bytes (an ARP address of any protocol).
fn addr_bytes(v: Option<&Value>) -> Vec<u8> {
    match v {
        Some(Value::Ip4(a)) => a.octets().to_vec(),
        Some(Value::Ip6(a)) => a.octets().to_vec(),
        Some(Value::Bytes(b)) => b.clone(),
        Some(Value::Str(s)) => s.as_bytes().to_vec(),
        _ => Vec::new(),
    }
}

/// ARP: a reply (op + 1) whose sender is the address asked about (compared on the shorter
/// length, to catch answers that leak bytes).
fn arp_answers(me: &crate::packet::Packet, other: &crate::packet::Packet) -> bool {
    if !other.def().is_a_name("ARP") {
        return false;
    }
    let (a, b) = (me.data(), other.data());
    if a.int("op") != b.int("op").map(|o| o + 1) {
        return false;
    }
    let psrc = addr_bytes(a.get("psrc"));
    let pdst = addr_bytes(b.get("pdst"));
    let n = psrc.len().min(pdst.len());
    psrc[..n] == pdst[..n]
}

/// Registers the link-layer protocols and their bindings.
pub fn register(reg: &Registry) {
    let ether = reg.register(ether());
    let dot3 = reg.register(dot3());
    let llc = reg.register(llc());
    let snap = reg.register(snap());
    let dot1q = reg.register(dot1q());
    let arp = reg.register(arp());
    let dot1ad = reg.register(dot1ad());
    let sll = reg.register(cooked_linux());
    let sll2 = reg.register(cooked_linux_v2());
    reg.register(loopback());
    let gre = reg.register(gre());
    let gre_routing = reg.register(gre_routing());
    let b = |lower: &Rc<LayerDef>, upper: &Rc<LayerDef>, f: &[(&str, Value)]| {
        // Built-in tables name only fields that exist: a failure is a bug in this file.
        bind_layers(lower, upper, f).expect("built-in l2 binding");
    };
    let ty = |t: i128| vec![("type", Value::Int(t))];
    b(&ether, &dot1q, &ty(0x8100));
    b(&ether, &arp, &ty(0x806));
    b(&dot1q, &dot1q, &ty(0x8100));
    b(&dot1q, &arp, &ty(0x806));
    b(&dot3, &llc, &[]);
    b(
        &llc,
        &snap,
        &[
            ("dsap", Value::Int(0xaa)),
            ("ssap", Value::Int(0xaa)),
            ("ctrl", Value::Int(3)),
        ],
    );
    b(&snap, &dot1q, &[("code", Value::Int(0x8100))]);
    b(&snap, &arp, &[("code", Value::Int(0x806))]);
    // LLC straight over Ethernet: two EtherTypes, the later one what a build writes.
    b(&ether, &llc, &ty(122));
    b(&ether, &llc, &ty(0x8870));
    b(&ether, &dot1ad, &ty(0x88a8));
    b(&dot1ad, &dot1ad, &ty(0x88a8));
    b(&dot1ad, &dot1q, &ty(0x8100));
    b(&dot1q, &dot1ad, &ty(0x88a8));
    for cooked in [&sll, &sll2] {
        let proto = |p: i128| vec![("proto", Value::Int(p))];
        b(cooked, &llc, &proto(122));
        b(cooked, &dot1q, &proto(0x8100));
        b(cooked, &ether, &proto(1));
        b(cooked, &arp, &proto(0x806));
    }
    // GRE: Ethernet bridged (TEB), then the routing entries up to the null one, after
    // which the reference stops dissecting.
    b(&gre, &ether, &[("proto", Value::Int(0x6558))]);
    b(&gre, &gre_routing, &[("routing_present", Value::Int(1))]);
    b(
        &gre_routing,
        &crate::packet::base::raw_def(),
        &[
            ("address_family", Value::Int(0)),
            ("SRE_len", Value::Int(0)),
        ],
    );
    b(&gre_routing, &gre_routing, &[]);
}

#[cfg(test)]
mod tests {
    use crate::packet::{dissect, Registry, Value};

    /// An ARP request as a host sends it: who has 198.51.100.2, tell 198.51.100.1.
    const ARP_REQUEST: [u8; 42] = [
        0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0x08,
        0x06, // Ether
        0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01, // hwtype ptype hwlen plen op
        0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xc6, 0x33, 0x64, 0x01, // hwsrc psrc
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xc6, 0x33, 0x64, 0x02, // hwdst pdst
    ];

    #[test]
    fn dissect_arp_request() {
        let reg = Registry::with_builtins();
        let p = dissect(&reg.def("Ether").unwrap(), &ARP_REQUEST);
        assert_eq!(p.get("type"), Some(Value::Int(0x806)));
        let arp = p.getlayer("ARP", 1).unwrap();
        assert_eq!(arp.get("op"), Some(Value::Int(1)));
        assert_eq!(arp.get("hwlen"), Some(Value::Int(6)));
        assert_eq!(arp.field_repr("psrc").unwrap(), "198.51.100.1");
        assert_eq!(arp.field_repr("hwsrc").unwrap(), "66:77:88:99:aa:bb");
        assert_eq!(
            p.summary(),
            "Ether / ARP who has 198.51.100.2 says 198.51.100.1"
        );
    }

    #[test]
    fn build_arp_request() {
        let reg = Registry::with_builtins();
        let e = reg
            .new_layer("Ether")
            .unwrap()
            .with("dst", "00:11:22:33:44:55")
            .unwrap()
            .with("src", "66:77:88:99:aa:bb")
            .unwrap();
        let a = reg
            .new_layer("ARP")
            .unwrap()
            .with("hwsrc", "66:77:88:99:aa:bb")
            .unwrap()
            .with("psrc", "198.51.100.1")
            .unwrap()
            .with("pdst", "198.51.100.2")
            .unwrap();
        assert_eq!((&e / &a).build().unwrap(), ARP_REQUEST.to_vec());
    }

    #[test]
    fn trailing_bytes_after_arp_are_padding() {
        let reg = Registry::with_builtins();
        let mut frame = ARP_REQUEST.to_vec();
        frame.extend_from_slice(&[0; 18]);
        let p = dissect(&reg.def("Ether").unwrap(), &frame);
        assert!(p.haslayer("Padding"));
        assert_eq!(p.build().unwrap(), frame);
    }

    #[test]
    fn vlan_tag_bits() {
        let reg = Registry::with_builtins();
        let bytes = [0xa0, 0x2a, 0x08, 0x06];
        let p = dissect(&reg.def("Dot1Q").unwrap(), &bytes);
        assert_eq!(p.get("prio"), Some(Value::Int(5)));
        assert_eq!(p.get("dei"), Some(Value::Int(0)));
        assert_eq!(p.get("vlan"), Some(Value::Int(42)));
    }

    #[test]
    fn dot3_length_and_snap() {
        let reg = Registry::with_builtins();
        let d = reg
            .new_layer("Dot3")
            .unwrap()
            .with("dst", "01:80:c2:00:00:00")
            .unwrap()
            .with("src", "00:01:02:03:04:05")
            .unwrap();
        let p = &(&d / &reg.new_layer("LLC").unwrap()) / &reg.new_layer("SNAP").unwrap();
        let hex: String = p
            .build()
            .unwrap()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(hex, "0180c20000000001020304050008aaaa030000000000");
    }
}
