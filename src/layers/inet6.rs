//! IPv6 and its companions: the IPv6 header, extension headers (hop-by-hop and destination
//! options with their option types, routing type 0, segment routing with its TLVs,
//! fragment), ICMPv6 (echo, errors quoting the invoking packet as IPerror6, Neighbor
//! Discovery with its options, MLD and MLDv2, inverse ND and Mobile IPv6 discovery, Node
//! Information queries and replies), and the upper-layer checksum over the IPv6
//! pseudo-header (`in6_chksum`).
//!
//! ```text
//! IPv6      | ver(4b) tc(8b) fl(20b) | plen (2) | nh | hlim | src (16) | dst (16) |
//! HBH/Dest  | nh | len (8-byte units - 1) | options (TLV: type, len, data), padded to 8 |
//! Routing   | nh | len | type | segleft | reserved (4) | addresses (16 each) |
//! SRH       | nh | len | type=4 | segleft | lastentry | flags | tag (2) | segments | TLVs |
//! Fragment  | nh | res | offset(13b) res(2b) m(1b) | id (4) |
//! ICMPv6    | type | code | cksum (2) | type-specific body |
//! ND option | type | len (8-byte units) | body |
//! ```

use std::cell::RefCell;
use std::net::Ipv6Addr;
use std::rc::{Rc, Weak};

use crate::packet::base;
use crate::packet::build;
use crate::packet::checksum;
use crate::packet::display::layer_field_repr;
use crate::packet::field::{BuildCtx, DissectCtx, FieldDef, FieldError, FieldKind, Truncated};
use crate::packet::fields::{
    self, byte, count_of, int, length_of, short, xint, xshort, EnumNames, LengthFn, MacField, Num,
    NumDisplay, PacketField, PacketListField, PktCls, StaticNames, StrField, StrLen, Width,
};
use crate::packet::kinds::Ip6Field;
use crate::packet::layer::{Hooks, LayerDef};
use crate::packet::matching::{self, payload_answers, payload_hashret};
use crate::packet::packet::{LayerData, Packet};
use crate::packet::registry::{bind_layers, bind_top_down, Registry};
use crate::packet::sets::first_element;
use crate::packet::value::Value;

/// Next-header values (Scapy's `ipv6nh`).
static IPV6NH: &[(i128, &str)] = &[
    (0, "Hop-by-Hop Option Header"),
    (4, "IP"),
    (6, "TCP"),
    (17, "UDP"),
    (41, "IPv6"),
    (43, "Routing Header"),
    (44, "Fragment Header"),
    (47, "GRE"),
    (50, "ESP Header"),
    (51, "AH Header"),
    (58, "ICMPv6"),
    (59, "No Next Header"),
    (60, "Destination Option Header"),
    (112, "VRRP"),
    (132, "SCTP"),
    (135, "Mobility Header"),
];

/// ICMPv6 message types.
static ICMP6_TYPES: &[(i128, &str)] = &[
    (1, "Destination unreachable"),
    (2, "Packet too big"),
    (3, "Time exceeded"),
    (4, "Parameter problem"),
    (100, "Private Experimentation"),
    (101, "Private Experimentation"),
    (128, "Echo Request"),
    (129, "Echo Reply"),
    (130, "MLD Query"),
    (131, "MLD Report"),
    (132, "MLD Done"),
    (133, "Router Solicitation"),
    (134, "Router Advertisement"),
    (135, "Neighbor Solicitation"),
    (136, "Neighbor Advertisement"),
    (137, "Redirect Message"),
    (138, "Router Renumbering"),
    (139, "ICMP Node Information Query"),
    (140, "ICMP Node Information Response"),
    (141, "Inverse Neighbor Discovery Solicitation Message"),
    (142, "Inverse Neighbor Discovery Advertisement Message"),
    (143, "MLD Report Version 2"),
    (144, "Home Agent Address Discovery Request Message"),
    (145, "Home Agent Address Discovery Reply Message"),
    (146, "Mobile Prefix Solicitation"),
    (147, "Mobile Prefix Advertisement"),
    (148, "Certification Path Solicitation"),
    (149, "Certification Path Advertisement"),
    (151, "Multicast Router Advertisement"),
    (152, "Multicast Router Solicitation"),
    (153, "Multicast Router Termination"),
    (155, "RPL Control Message"),
    (200, "Private Experimentation"),
    (201, "Private Experimentation"),
];

/// The shortest message of each ICMPv6 type that dissects as its class (shorter: Raw).
static ICMP6_MIN_LEN: &[(u8, usize)] = &[
    (1, 8),
    (2, 8),
    (3, 8),
    (4, 8),
    (128, 8),
    (129, 8),
    (130, 24),
    (131, 24),
    (132, 24),
    (133, 8),
    (134, 16),
    (135, 24),
    (136, 24),
    (137, 40),
    (139, 8),
    (140, 8),
    (141, 8),
    (142, 8),
    (143, 8),
    (144, 8),
    (145, 8),
    (146, 8),
    (147, 8),
    (151, 8),
    (152, 4),
    (153, 4),
];

static UNREACH6_CODES: &[(i128, &str)] = &[
    (0, "No route to destination"),
    (
        1,
        "Communication with destination administratively prohibited",
    ),
    (2, "Beyond scope of source address"),
    (3, "Address unreachable"),
    (4, "Port unreachable"),
];
static TIME_EXCEEDED6_CODES: &[(i128, &str)] = &[
    (0, "hop limit exceeded in transit"),
    (1, "fragment reassembly time exceeded"),
];
static PARAM_PROBLEM6_CODES: &[(i128, &str)] = &[
    (0, "erroneous header field encountered"),
    (1, "unrecognized Next Header type encountered"),
    (2, "unrecognized IPv6 option encountered"),
    (3, "first fragment has incomplete header chain"),
];

/// Hop-by-hop and destination option types.
static HBH_OPTS: &[(i128, &str)] = &[
    (0x00, "Pad1"),
    (0x01, "PadN"),
    (0x04, "Tunnel Encapsulation Limit"),
    (0x05, "Router Alert"),
    (0x06, "Quick-Start"),
    (0xc2, "Jumbo Payload"),
    (0xc9, "Home Address Option"),
];

static ROUTER_ALERT_VALUES: &[(i128, &str)] = &[
    (0, "Datagram contains a MLD message"),
    (1, "Datagram contains RSVP message"),
    (2, "Datagram contains an Active Network message"),
    (68, "NSIS NATFW NSLP"),
    (69, "MPLS OAM"),
    (65535, "Reserved"),
];

/// Segment routing header TLV types.
static SR_TLVS: &[(i128, &str)] = &[
    (0, "Pad1 TLV"),
    (1, "Ingress Node TLV"),
    (2, "Egress Node TLV"),
    (4, "PadN TLV"),
    (5, "HMAC TLV"),
];

/// Router preferences (RFC 4191).
static RA_PREFS: &[(i128, &str)] = &[
    (0, "Medium (default)"),
    (1, "High"),
    (2, "Reserved"),
    (3, "Low"),
];

fn names(t: &'static [(i128, &'static str)]) -> Rc<dyn EnumNames> {
    Rc::new(StaticNames(t))
}

fn unset(d: &LayerData, name: &str) -> bool {
    d.get(name).is_none_or(Value::is_none)
}

fn put16(buf: &mut [u8], at: usize, v: u16) {
    if let Some(s) = buf.get_mut(at..at + 2) {
        s.copy_from_slice(&v.to_be_bytes());
    }
}

/// The IPv6 address a field holds (a set builds its first element).
fn addr_of(d: &LayerData, name: &str) -> Option<Ipv6Addr> {
    match d.get(name).map(first_element).as_deref() {
        Some(Value::Ip6(a)) => Some(*a),
        _ => None,
    }
}

/// The addresses of an IPv6 layer as built: an unset destination is `::1`, an unset source
/// the one the routing table picks (`::1` towards `::1`, else `::` when unknown).
pub fn ipv6_src_dst(d: &LayerData) -> (Ipv6Addr, Ipv6Addr) {
    let dst = addr_of(d, "dst").unwrap_or(Ipv6Addr::LOCALHOST);
    let src = addr_of(d, "src").unwrap_or_else(|| default_source(dst));
    (src, dst)
}

fn default_source(dst: Ipv6Addr) -> Ipv6Addr {
    crate::packet::resolver::current()
        .source_ipv6(dst)
        .unwrap_or(if dst.is_loopback() {
            Ipv6Addr::LOCALHOST
        } else {
            Ipv6Addr::UNSPECIFIED
        })
}

fn addresses(d: &LayerData, name: &str) -> Vec<Ipv6Addr> {
    match d.get(name) {
        Some(Value::List(l)) => l
            .iter()
            .filter_map(|v| match v {
                Value::Ip6(a) => Some(*a),
                Value::Str(s) => s.parse().ok(),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// Scapy's `in6_chksum(nh, u, payload)`: the checksum of `payload` (an upper layer and what
/// follows) over the pseudo-header of the IPv6 layer at or below `u`. Walking down, the
/// first routing header with segments left gives the final destination (its last address;
/// a segment routing header its first) and a destination options header made of a single
/// Home Address option gives the source. `None` when no IPv6 layer is below.
pub fn in6_chksum(nh: u8, u: &Packet, payload: &[u8]) -> Option<u16> {
    let mut final_dst = None;
    let mut home = None;
    let mut cur = Some(u.clone());
    while let Some(l) = cur {
        let def = l.def();
        if def.is_a_name("IPv6") {
            let d = l.data();
            let (src, dst) = ipv6_src_dst(&d);
            return Some(checksum::in6_chksum(
                nh,
                home.unwrap_or(src),
                final_dst.unwrap_or(dst),
                payload,
            ));
        }
        {
            let d = l.data();
            let segleft_set = d.int("segleft") != Some(0);
            if final_dst.is_none() && segleft_set && def.is_a_name("IPv6ExtHdrRouting") {
                final_dst = addresses(&d, "addresses").last().copied();
            } else if final_dst.is_none()
                && segleft_set
                && def.is_a_name("IPv6ExtHdrSegmentRouting")
            {
                final_dst = addresses(&d, "addresses").first().copied();
            } else if def.is_a_name("IPv6ExtHdrDestOpt") {
                if let Some(Value::List(opts)) = d.get("options") {
                    if let [Value::Packet(o)] = opts.as_slice() {
                        if o.def().is_a_name("HAO") {
                            home = addr_of(&o.data(), "hoa").or(home);
                        }
                    }
                }
            }
        }
        cur = l.underlayer();
    }
    None
}

/// The upper-layer checksum of a layer's bytes over the IPv6 below it (0 when none is).
pub fn upper_checksum(d: &LayerData, nh: u8, bytes: &[u8]) -> u16 {
    d.underlayer()
        .and_then(|u| in6_chksum(nh, &u, bytes))
        .unwrap_or(0)
}

/// Whether a layer is IPv6 or an IPv6 extension header (TCP and UDP checksum over it).
pub fn is_ipv6_like(def: &LayerDef) -> bool {
    def.is_a_name("IPv6") || def.is_a_name("_IPv6ExtHdr")
}

// ---------------------------------------------------------------------------------------
// Field kinds
// ---------------------------------------------------------------------------------------

/// SourceIP6Field / DestIP6Field: an IPv6 address whose unset value is the route's source
/// (towards the layer's `dst`) or `::1`.
struct Ip6AddrField {
    class: &'static str,
    source: bool,
    inner: Rc<dyn FieldKind>,
}

impl Ip6AddrField {
    fn rc(class: &'static str, source: bool) -> Rc<dyn FieldKind> {
        Rc::new(Ip6AddrField {
            class,
            source,
            inner: Ip6Field::rc("IP6Field"),
        })
    }

    fn unset_value(&self, layer: &LayerData) -> Value {
        let dst = addr_of(layer, "dst").unwrap_or(Ipv6Addr::LOCALHOST);
        Value::Ip6(if self.source {
            default_source(dst)
        } else {
            Ipv6Addr::LOCALHOST
        })
    }
}

impl FieldKind for Ip6AddrField {
    fn class_name(&self) -> &str {
        self.class
    }
    fn any2i(&self, layer: &LayerData, v: Value) -> Result<Value, FieldError> {
        self.inner.any2i(layer, v)
    }
    fn addfield(&self, ctx: &BuildCtx<'_>, v: &Value, out: &mut Vec<u8>) -> Result<(), String> {
        match v {
            Value::None => self.inner.addfield(ctx, &self.unset_value(ctx.layer), out),
            other => self.inner.addfield(ctx, other, out),
        }
    }
    fn getfield(
        &self,
        ctx: &mut DissectCtx<'_>,
        s: &[u8],
    ) -> Result<(usize, Option<Value>), Truncated> {
        self.inner.getfield(ctx, s)
    }
    fn i2repr(&self, layer: &LayerData, v: &Value) -> String {
        match v {
            Value::None => self.inner.i2repr(layer, &self.unset_value(layer)),
            other => self.inner.i2repr(layer, other),
        }
    }
    /// Read as the reference does: an unset source is the route's, an unset destination `::1`.
    fn i2h(&self, layer: &LayerData, v: &Value) -> Value {
        match v {
            Value::None => self.unset_value(layer),
            other => other.clone(),
        }
    }
    fn i2len(&self, _layer: &LayerData, _v: &Value) -> usize {
        16
    }
    fn randval(&self) -> Option<Value> {
        self.inner.randval()
    }
    fn command_repr(&self, layer: &LayerData, v: &Value) -> String {
        self.inner.command_repr(layer, v)
    }
}

/// IP6ListField: IPv6 addresses, 16 bytes each, limited by `length_from` bytes or
/// `count_from` addresses (else the rest); shown `[ a, b ]`.
struct Ip6ListField {
    length_from: Option<LengthFn>,
    count_from: Option<LengthFn>,
}

impl Ip6ListField {
    fn length(f: LengthFn) -> Rc<dyn FieldKind> {
        Rc::new(Ip6ListField {
            length_from: Some(f),
            count_from: None,
        })
    }
    fn count(f: LengthFn) -> Rc<dyn FieldKind> {
        Rc::new(Ip6ListField {
            length_from: None,
            count_from: Some(f),
        })
    }
    fn rest() -> Rc<dyn FieldKind> {
        Rc::new(Ip6ListField {
            length_from: None,
            count_from: None,
        })
    }
}

fn to_ip6(v: Value) -> Value {
    match v {
        Value::Str(s) => s.parse::<Ipv6Addr>().map_or(Value::Str(s), Value::Ip6),
        other => other,
    }
}

impl FieldKind for Ip6ListField {
    fn class_name(&self) -> &str {
        "IP6ListField"
    }
    fn is_list(&self) -> bool {
        true
    }
    fn any2i(&self, _layer: &LayerData, v: Value) -> Result<Value, FieldError> {
        Ok(match v {
            Value::List(l) | Value::Tuple(l) => Value::List(l.into_iter().map(to_ip6).collect()),
            Value::Str(s) => Value::List(vec![to_ip6(Value::Str(s))]),
            other => other,
        })
    }
    fn addfield(&self, _ctx: &BuildCtx<'_>, v: &Value, out: &mut Vec<u8>) -> Result<(), String> {
        let items = match v {
            Value::List(l) => l.as_slice(),
            Value::None => &[],
            other => return Err(format!("a list of addresses, not {}", other.py_repr())),
        };
        for it in items {
            match it {
                Value::Ip6(a) => out.extend_from_slice(&a.octets()),
                other => {
                    return Err(format!(
                        "illegal IP address string passed to inet_pton: {}",
                        other.py_repr()
                    ))
                }
            }
        }
        Ok(())
    }
    fn getfield(
        &self,
        ctx: &mut DissectCtx<'_>,
        s: &[u8],
    ) -> Result<(usize, Option<Value>), Truncated> {
        let region = match &self.length_from {
            Some(f) => &s[..usize::try_from(f(ctx.layer)).unwrap_or(0).min(s.len())],
            None => s,
        };
        let mut count = self.count_from.as_ref().map(|f| f(ctx.layer));
        let mut out = Vec::new();
        let mut pos = 0;
        while pos + 16 <= region.len() {
            if let Some(c) = count.as_mut() {
                if *c <= 0 {
                    break;
                }
                *c -= 1;
            }
            let mut b = [0u8; 16];
            b.copy_from_slice(&region[pos..pos + 16]);
            out.push(Value::Ip6(Ipv6Addr::from(b)));
            pos += 16;
        }
        // Bytes that make no whole address stay for what follows, as in the reference.
        Ok((pos, Some(Value::List(out))))
    }
    fn i2repr(&self, _layer: &LayerData, v: &Value) -> String {
        match v {
            Value::List(l) => {
                let parts: Vec<String> = l
                    .iter()
                    .map(|x| match x {
                        Value::Ip6(a) => a.to_string(),
                        Value::Str(s) => s.clone(),
                        o => o.py_repr(),
                    })
                    .collect();
                format!("[ {} ]", parts.join(", "))
            }
            _ => "[]".into(),
        }
    }
    fn i2len(&self, _layer: &LayerData, v: &Value) -> usize {
        match v {
            Value::List(l) => 16 * l.len(),
            _ => 0,
        }
    }
    fn i2count(&self, v: &Value) -> usize {
        match v {
            Value::List(l) => l.len(),
            _ => 0,
        }
    }
}

/// _OTypeField: an option type shown with what a node that does not know it must do
/// (`PadN [00: skip, 0: Don't change en-route]`).
struct OTypeField {
    inner: Rc<dyn FieldKind>,
}

impl FieldKind for OTypeField {
    fn class_name(&self) -> &str {
        "_OTypeField"
    }
    fn any2i(&self, layer: &LayerData, v: Value) -> Result<Value, FieldError> {
        self.inner.any2i(layer, v)
    }
    fn addfield(&self, ctx: &BuildCtx<'_>, v: &Value, out: &mut Vec<u8>) -> Result<(), String> {
        self.inner.addfield(ctx, v, out)
    }
    fn getfield(
        &self,
        ctx: &mut DissectCtx<'_>,
        s: &[u8],
    ) -> Result<(usize, Option<Value>), Truncated> {
        self.inner.getfield(ctx, s)
    }
    fn i2repr(&self, layer: &LayerData, v: &Value) -> String {
        let Some(x) = v.as_int() else {
            return self.inner.i2repr(layer, v);
        };
        let name = StaticNames(HBH_OPTS)
            .name(x)
            .map_or_else(|| x.to_string(), |n| n.into_owned());
        let pol = match x & 0xc0 {
            0x00 => "00: skip",
            0x40 => "01: discard",
            0x80 => "10: discard+ICMP",
            _ => "11: discard+ICMP not mcast",
        };
        let change = if x & 0x20 == 0 {
            "0: Don't change en-route"
        } else {
            "1: May change en-route"
        };
        format!("{name} [{pol}, {change}]")
    }
    fn i2len(&self, _layer: &LayerData, _v: &Value) -> usize {
        1
    }
    fn randval(&self) -> Option<Value> {
        self.inner.randval()
    }
}

fn otype(default: i128) -> FieldDef {
    FieldDef::new(
        "otype",
        Rc::new(OTypeField {
            inner: fields::byte_enum(names(HBH_OPTS)),
        }),
        Value::Int(default),
    )
}

/// _PhantomAutoPadField: a switch with no bytes on the wire (the options are padded to
/// their alignment and the header to 8 bytes while it is on).
struct AutoPadField;

impl FieldKind for AutoPadField {
    fn class_name(&self) -> &str {
        "_PhantomAutoPadField"
    }
    fn addfield(&self, _ctx: &BuildCtx<'_>, _v: &Value, _out: &mut Vec<u8>) -> Result<(), String> {
        Ok(())
    }
    fn getfield(
        &self,
        _ctx: &mut DissectCtx<'_>,
        _s: &[u8],
    ) -> Result<(usize, Option<Value>), Truncated> {
        Ok((0, Some(Value::Int(1))))
    }
    fn i2repr(&self, _layer: &LayerData, v: &Value) -> String {
        if v.truthy() { "On" } else { "Off" }.into()
    }
    fn i2len(&self, _layer: &LayerData, _v: &Value) -> usize {
        0
    }
}

/// The alignment an option type asks for (xn+y, RFC 8200 4.2), by class.
fn option_alignment(class: &str) -> (usize, usize) {
    match class {
        "RouterAlert" | "RplOption" => (2, 0),
        "Jumbo" => (4, 2),
        "HAO" => (8, 6),
        _ => (1, 0),
    }
}

/// Pad1 or PadN bytes filling `n` bytes.
fn pad_bytes(n: usize, out: &mut Vec<u8>) {
    match n {
        0 => {}
        1 => out.push(0),
        _ => {
            out.push(1);
            out.push((n - 2) as u8);
            out.resize(out.len() + n - 2, 0);
        }
    }
}

/// _OptionsField: the options of a hop-by-hop or destination options header. With
/// `autopad` on, each option is preceded by the Pad1/PadN its alignment needs and the
/// header is padded to a multiple of 8 bytes.
struct OptionsField {
    inner: Rc<dyn FieldKind>,
}

impl OptionsField {
    fn encode(&self, layer: &LayerData, v: &Value) -> Result<Vec<u8>, String> {
        let autopad = layer.get("autopad").is_none_or(Value::truthy);
        let items: &[Value] = match v {
            Value::List(l) => l,
            Value::None => &[],
            other => return Err(format!("options are a list, not {}", other.py_repr())),
        };
        let r = crate::packet::resolver::current();
        let mut out = Vec::new();
        let curpos = 2;
        for it in items {
            let (class, bytes) = match it {
                Value::Packet(p) => (
                    p.class_name(),
                    build::build_with(p, r.as_ref()).map_err(|e| e.to_string())?,
                ),
                Value::Bytes(b) => (String::new(), b.clone()),
                other => return Err(format!("not an option: {}", other.py_repr())),
            };
            if autopad {
                let (x, y) = option_alignment(&class);
                let pos = curpos + out.len();
                let target = if pos <= y {
                    y
                } else {
                    y + (pos - y).div_ceil(x) * x
                };
                pad_bytes(target - pos, &mut out);
            }
            out.extend(bytes);
        }
        if autopad {
            let d = (curpos + out.len()) % 8;
            if d != 0 {
                pad_bytes(8 - d, &mut out);
            }
        }
        Ok(out)
    }
}

impl FieldKind for OptionsField {
    fn class_name(&self) -> &str {
        "_OptionsField"
    }
    fn is_list(&self) -> bool {
        true
    }
    fn holds_packets(&self) -> bool {
        true
    }
    fn addfield(&self, ctx: &BuildCtx<'_>, v: &Value, out: &mut Vec<u8>) -> Result<(), String> {
        out.extend(self.encode(ctx.layer, v)?);
        Ok(())
    }
    fn getfield(
        &self,
        ctx: &mut DissectCtx<'_>,
        s: &[u8],
    ) -> Result<(usize, Option<Value>), Truncated> {
        self.inner.getfield(ctx, s)
    }
    fn i2repr(&self, layer: &LayerData, v: &Value) -> String {
        self.inner.i2repr(layer, v)
    }
    fn i2len(&self, layer: &LayerData, v: &Value) -> usize {
        self.encode(layer, v).map_or(0, |b| b.len())
    }
    fn i2count(&self, v: &Value) -> usize {
        self.inner.i2count(v)
    }
    fn repr_human(&self, layer: &LayerData, v: &Value) -> String {
        self.inner.repr_human(layer, v)
    }
    fn command_repr(&self, layer: &LayerData, v: &Value) -> String {
        self.inner.command_repr(layer, v)
    }
}

/// ICMPv6NDOptDataField: bytes padded with zeros so that the option is a multiple of 8.
struct NdOptDataField {
    inner: Rc<dyn FieldKind>,
    /// Drop the padding's trailing zeros when dissecting (the Captive-Portal URI).
    strip_zeros: bool,
}

impl NdOptDataField {
    fn padded(v: &Value) -> Result<Vec<u8>, String> {
        let mut b = fields::value_bytes(v)?;
        let r = (b.len() + 2) % 8;
        if r != 0 {
            b.resize(b.len() + 8 - r, 0);
        }
        Ok(b)
    }
}

impl FieldKind for NdOptDataField {
    fn class_name(&self) -> &str {
        "ICMPv6NDOptDataField"
    }
    fn addfield(&self, _ctx: &BuildCtx<'_>, v: &Value, out: &mut Vec<u8>) -> Result<(), String> {
        out.extend(Self::padded(v)?);
        Ok(())
    }
    fn getfield(
        &self,
        ctx: &mut DissectCtx<'_>,
        s: &[u8],
    ) -> Result<(usize, Option<Value>), Truncated> {
        let (n, v) = self.inner.getfield(ctx, s)?;
        Ok(match v {
            Some(Value::Bytes(mut b)) if self.strip_zeros => {
                let keep = b.iter().rposition(|&x| x != 0).map_or(0, |i| i + 1);
                b.truncate(keep);
                (n, Some(Value::Bytes(b)))
            }
            other => (n, other),
        })
    }
    fn i2repr(&self, layer: &LayerData, v: &Value) -> String {
        self.inner.i2repr(layer, v)
    }
    fn i2len(&self, _layer: &LayerData, v: &Value) -> usize {
        Self::padded(v).map_or(0, |b| b.len())
    }
}

/// TruncPktLenField: a packet cut to a multiple of 8 bytes (the redirected header).
struct TruncPktLenField {
    inner: Rc<dyn FieldKind>,
}

impl TruncPktLenField {
    fn bytes(ctx: &BuildCtx<'_>, inner: &dyn FieldKind, v: &Value) -> Result<Vec<u8>, String> {
        let mut b = Vec::new();
        inner.addfield(ctx, v, &mut b)?;
        let keep = b.len() - b.len() % 8;
        b.truncate(keep);
        Ok(b)
    }
}

impl FieldKind for TruncPktLenField {
    fn class_name(&self) -> &str {
        "TruncPktLenField"
    }
    fn addfield(&self, ctx: &BuildCtx<'_>, v: &Value, out: &mut Vec<u8>) -> Result<(), String> {
        out.extend(Self::bytes(ctx, self.inner.as_ref(), v)?);
        Ok(())
    }
    fn getfield(
        &self,
        ctx: &mut DissectCtx<'_>,
        s: &[u8],
    ) -> Result<(usize, Option<Value>), Truncated> {
        self.inner.getfield(ctx, s)
    }
    fn i2repr(&self, layer: &LayerData, v: &Value) -> String {
        self.inner.i2repr(layer, v)
    }
    fn i2len(&self, layer: &LayerData, v: &Value) -> usize {
        let n = match v {
            Value::Packet(_) => self.inner.i2len(layer, v),
            other => fields::value_bytes(other).map_or(0, |b| b.len()),
        };
        n - n % 8
    }
    fn holds_packets(&self) -> bool {
        false
    }
    fn command_repr(&self, layer: &LayerData, v: &Value) -> String {
        self.inner.command_repr(layer, v)
    }
}

/// _IP6PrefixField: a prefix sent in as many 8-byte units as the option's `len` says.
struct PrefixField {
    inner: Rc<dyn FieldKind>,
}

impl PrefixField {
    fn bytes(layer: &LayerData, v: &Value) -> Vec<u8> {
        let len = layer.int("len");
        let (a, len) = match v {
            Value::Ip6(a) => (*a, len),
            _ => (Ipv6Addr::UNSPECIFIED, len.or(Some(1))),
        };
        let o = a.octets();
        match len {
            None => o.to_vec(),
            Some(l) if l <= 1 => Vec::new(),
            Some(l @ (2 | 3)) => o[..8 * (l as usize - 1)].to_vec(),
            Some(l) => {
                let mut b = o.to_vec();
                b.resize(16 + 8 * (l as usize - 3), 0);
                b
            }
        }
    }
}

impl FieldKind for PrefixField {
    fn class_name(&self) -> &str {
        "_IP6PrefixField"
    }
    fn any2i(&self, layer: &LayerData, v: Value) -> Result<Value, FieldError> {
        self.inner.any2i(layer, v)
    }
    fn addfield(&self, ctx: &BuildCtx<'_>, v: &Value, out: &mut Vec<u8>) -> Result<(), String> {
        out.extend(Self::bytes(ctx.layer, v));
        Ok(())
    }
    fn getfield(
        &self,
        ctx: &mut DissectCtx<'_>,
        s: &[u8],
    ) -> Result<(usize, Option<Value>), Truncated> {
        let n = usize::try_from(8 * (ctx.layer.int("len").unwrap_or(0) - 1))
            .unwrap_or(0)
            .min(s.len());
        let mut b = [0u8; 16];
        let k = n.min(16);
        b[..k].copy_from_slice(&s[..k]);
        Ok((n, Some(Value::Ip6(Ipv6Addr::from(b)))))
    }
    fn i2repr(&self, layer: &LayerData, v: &Value) -> String {
        self.inner.i2repr(layer, v)
    }
    fn i2len(&self, layer: &LayerData, v: &Value) -> usize {
        Self::bytes(layer, v).len()
    }
}

// ---------------------------------------------------------------------------------------
// Payload guessing tables (filled once the classes exist; weak, as the registry owns them)
// ---------------------------------------------------------------------------------------

#[derive(Default)]
struct Classes {
    nh: Vec<(i128, Weak<LayerDef>)>,
    icmp6: Vec<(i128, Weak<LayerDef>)>,
    ndopts: Vec<(i128, Weak<LayerDef>)>,
    mlquery2: Weak<LayerDef>,
    /// Node Information queries and replies (their NOOP class first), picked by qtype and
    /// code ([`ni_class`]).
    ni_query: Vec<Weak<LayerDef>>,
    ni_reply: Vec<Weak<LayerDef>>,
    srh: Weak<LayerDef>,
    ndopt_unknown: Weak<LayerDef>,
    tcperror: Weak<LayerDef>,
    udperror: Weak<LayerDef>,
}

type Shared = Rc<RefCell<Classes>>;

fn lookup(t: &[(i128, Weak<LayerDef>)], k: i128) -> Option<Rc<LayerDef>> {
    t.iter()
        .find(|(n, _)| *n == k)
        .and_then(|(_, w)| w.upgrade())
}

/// The class of what follows an IPv6 header or extension header (Scapy's
/// `_IPv6GuessPayload`): the bindings, else ICMPv6 by type (when long enough for it),
/// segment routing by routing type, else the next-header table, else Raw.
fn guess_after_ipv6(cl: &Classes, d: &LayerData, p: &[u8]) -> Rc<LayerDef> {
    if let Some(c) = d.def().guess_from_bindings(d) {
        return c;
    }
    let nh = d.int("nh").unwrap_or(59);
    let found = match nh {
        58 => p.first().and_then(|&t| {
            let min = ICMP6_MIN_LEN.iter().find(|(k, _)| *k == t)?.1;
            if p.len() < min {
                return None;
            }
            if t == 130 && p.len() >= 28 {
                return cl.mlquery2.upgrade();
            }
            if t == 139 || t == 140 {
                return ni_class(cl, p);
            }
            lookup(&cl.icmp6, i128::from(t))
        }),
        43 if p.get(2) == Some(&4) => cl.srh.upgrade(),
        _ => lookup(&cl.nh, nh),
    };
    found.unwrap_or_else(base::raw_def)
}

// ---------------------------------------------------------------------------------------
// Layers
// ---------------------------------------------------------------------------------------

fn nh_field() -> FieldDef {
    FieldDef::new("nh", fields::byte_enum(names(IPV6NH)), Value::Int(59))
}

fn ipv6_fields() -> Vec<FieldDef> {
    vec![
        FieldDef::new("version", fields::bits(4), Value::Int(6)),
        FieldDef::new("tc", fields::bits(8), Value::Int(0)),
        FieldDef::new("fl", fields::bits(20), Value::Int(0)),
        FieldDef::new("plen", short(), Value::None),
        nh_field(),
        FieldDef::new("hlim", byte(), Value::Int(64)),
        FieldDef::new("src", Ip6AddrField::rc("SourceIP6Field", true), Value::None),
        FieldDef::new("dst", Ip6AddrField::rc("DestIP6Field", false), Value::None),
    ]
}

/// IPv6's payload length: the plen field, or for a jumbogram (plen 0 after a hop-by-hop
/// header) the header plus the Jumbo option's length (read in host order, as the reference).
fn ipv6_payload_len(d: &LayerData, rest: &[u8]) -> usize {
    let plen = d.int("plen").unwrap_or(rest.len() as i128);
    if plen == 0 && d.int("nh") == Some(0) && rest.len() >= 8 {
        let hbh = 8 + 8 * usize::from(rest[1]);
        let mut jumbo = 0usize;
        let mut off = 2;
        let mut idx = 0;
        while off < rest.len() {
            if rest[off] == 0xc2 {
                if let Some(b) = rest.get(off + 2..off + 6) {
                    jumbo = u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize;
                }
                break;
            }
            off = 4 * idx + 2;
            idx += 1;
        }
        return hbh.saturating_add(jumbo).min(rest.len());
    }
    usize::try_from(plen).map_or(0, |l| l.min(rest.len()))
}

fn ipv6(cl: &Shared) -> LayerDef {
    let cl = cl.clone();
    LayerDef::new("IPv6", "IPv6", ipv6_fields()).with_hooks(Hooks {
        post_build: Some(Rc::new(|d, mut hdr, pay, _| {
            let hlen = hdr.len();
            hdr.extend_from_slice(pay);
            if unset(d, "plen") && hlen >= 40 {
                let l = (hdr.len() - 40) as u16;
                put16(&mut hdr, 4, l);
            }
            Ok(hdr)
        })),
        extract_padding: Some(Rc::new(ipv6_payload_len)),
        guess_payload: Some(Rc::new(move |d, p| {
            Some(guess_after_ipv6(&cl.borrow(), d, p))
        })),
        mysummary: Some(Rc::new(|p| {
            let d = p.data();
            let (src, dst) = ipv6_src_dst(&d);
            let nh = d.int("nh").unwrap_or(59);
            Some((format!("{src} > {dst} ({nh})"), Vec::new()))
        })),
        answers: Some(Rc::new(ipv6_answers)),
        hashret: Some(Rc::new(ipv6_hashret)),
        ..Hooks::default()
    })
}

/// The abstract parent of the extension headers (Scapy's `_IPv6ExtHdr`): its `nh` is
/// where upper layers' bindings write (every extension header starts with it).
fn ext_abstract() -> LayerDef {
    LayerDef::new(
        "_IPv6ExtHdr",
        "Abstract IPv6 Option Header",
        vec![nh_field()],
    )
}

fn ext_hooks(cl: &Shared, post_build: Option<crate::packet::layer::PostBuildFn>) -> Hooks {
    let cl = cl.clone();
    Hooks {
        post_build,
        guess_payload: Some(Rc::new(move |d, p| {
            let c = cl.borrow();
            let nh = d.int("nh").unwrap_or(59);
            if nh == 6 || nh == 17 {
                // Quoted in an ICMPv6 error: the transport header is an "in ICMP" copy.
                let mut u = d.underlayer();
                while let Some(l) = u {
                    if l.def().is_a_name("IPerror6") {
                        let w = if nh == 6 { &c.tcperror } else { &c.udperror };
                        return w.upgrade();
                    }
                    u = l.underlayer();
                }
            }
            if d.def().is_a_name("IPv6ExtHdrFragment") && d.int("offset").unwrap_or(0) > 0 {
                return Some(base::raw_def());
            }
            Some(guess_after_ipv6(&c, d, p))
        })),
        ..Hooks::default()
    }
}

fn with_parent(mut d: LayerDef, parent: &Rc<LayerDef>) -> LayerDef {
    d.parent = Some(parent.clone());
    d
}

/// Hop-by-hop and destination options headers share their layout.
fn options_header(
    class: &str,
    name: &str,
    cl: &Shared,
    dispatch: fields::DispatchFn,
    parent: &Rc<LayerDef>,
) -> LayerDef {
    let len = Num::new("FieldLenField", Width::Bytes(1), NumDisplay::Dec).rc();
    let opts = PacketListField::rc(
        dispatch,
        Some(Rc::new(|d: &LayerData| {
            8 * (d.int("len").unwrap_or(0) + 1) - 2
        })),
        1,
    );
    let post: crate::packet::layer::PostBuildFn = Rc::new(|d, mut hdr, pay, _| {
        if unset(d, "len") && hdr.len() >= 2 {
            hdr[1] = (hdr.len().div_ceil(8) - 1) as u8;
        }
        hdr.extend_from_slice(pay);
        Ok(hdr)
    });
    with_parent(
        LayerDef::new(
            class,
            name,
            vec![
                nh_field(),
                FieldDef::new("len", len, Value::None),
                FieldDef::new("autopad", Rc::new(AutoPadField), Value::Int(1)),
                FieldDef::new(
                    "options",
                    Rc::new(OptionsField { inner: opts }),
                    Value::List(Vec::new()),
                ),
            ],
        ),
        parent,
    )
    .with_hooks(ext_hooks(cl, Some(post)))
}

fn len_of(field: &str, adjust: fn(i128) -> i128) -> Rc<dyn FieldKind> {
    Num::new("FieldLenField", Width::Bytes(1), NumDisplay::Dec)
        .computed(length_of(field, adjust))
        .rc()
}

fn option_layers() -> Vec<LayerDef> {
    let optdata = || StrField::length_from(Rc::new(|d: &LayerData| d.int("optlen").unwrap_or(0)));
    let mk = |class: &str, name: &str, f: Vec<FieldDef>| LayerDef::new(class, name, f);
    vec![
        mk(
            "HBHOptUnknown",
            "Scapy6 Unknown Option",
            vec![
                otype(1),
                FieldDef::new("optlen", len_of("optdata", |x| x), Value::None),
                FieldDef::new("optdata", optdata(), Value::Bytes(Vec::new())),
            ],
        ),
        mk("Pad1", "Pad1", vec![otype(0)]),
        mk(
            "PadN",
            "PadN",
            vec![
                otype(1),
                FieldDef::new("optlen", len_of("optdata", |x| x), Value::None),
                FieldDef::new("optdata", optdata(), Value::Bytes(Vec::new())),
            ],
        ),
        mk(
            "RouterAlert",
            "Router Alert",
            vec![
                otype(5),
                FieldDef::new("optlen", byte(), Value::Int(2)),
                FieldDef::new(
                    "value",
                    fields::short_enum(names(ROUTER_ALERT_VALUES)),
                    Value::None,
                ),
            ],
        ),
        mk(
            "Jumbo",
            "Jumbo Payload",
            vec![
                otype(0xc2),
                FieldDef::new("optlen", byte(), Value::Int(4)),
                FieldDef::new("jumboplen", int(), Value::None),
            ],
        ),
        mk(
            "HAO",
            "Home Address Option",
            vec![
                otype(0xc9),
                FieldDef::new("optlen", byte(), Value::Int(16)),
                FieldDef::new(
                    "hoa",
                    Ip6Field::rc("IP6Field"),
                    Value::Ip6(Ipv6Addr::UNSPECIFIED),
                ),
            ],
        ),
    ]
}

fn routing(cl: &Shared, parent: &Rc<LayerDef>) -> LayerDef {
    let len = Num::new("FieldLenField", Width::Bytes(1), NumDisplay::Dec)
        .computed(count_of("addresses", |x| 2 * x))
        .rc();
    let post: crate::packet::layer::PostBuildFn = Rc::new(|d, mut hdr, pay, _| {
        if unset(d, "segleft") && hdr.len() >= 4 {
            hdr[3] = addresses(d, "addresses").len() as u8;
        }
        hdr.extend_from_slice(pay);
        Ok(hdr)
    });
    with_parent(
        LayerDef::new(
            "IPv6ExtHdrRouting",
            "IPv6 Option Header Routing",
            vec![
                nh_field(),
                FieldDef::new("len", len, Value::None),
                FieldDef::new("type", byte(), Value::Int(0)),
                FieldDef::new("segleft", byte(), Value::None),
                FieldDef::new("reserved", fields::bits(32), Value::Int(0)),
                FieldDef::new(
                    "addresses",
                    Ip6ListField::length(Rc::new(|d: &LayerData| 8 * d.int("len").unwrap_or(0))),
                    Value::List(Vec::new()),
                ),
            ],
        ),
        parent,
    )
    .with_hooks(ext_hooks(cl, Some(post)))
}

fn sr_tlvs() -> (LayerDef, Vec<LayerDef>) {
    let ty = |v: i128| {
        FieldDef::new(
            "type",
            fields::byte_enum(names(SR_TLVS)),
            if v < 0 { Value::None } else { Value::Int(v) },
        )
    };
    let generic = LayerDef::new(
        "IPv6ExtHdrSegmentRoutingTLV",
        "IPv6 Option Header Segment Routing - Generic TLV",
        vec![
            ty(-1),
            FieldDef::new("len", byte(), Value::Int(0)),
            FieldDef::new(
                "value",
                StrField::length_from(Rc::new(|d: &LayerData| d.int("len").unwrap_or(0))),
                Value::Bytes(Vec::new()),
            ),
        ],
    );
    let node = |class: &str, name: &str, t: i128, f: &str| {
        LayerDef::new(
            class,
            name,
            vec![
                ty(t),
                FieldDef::new("len", byte(), Value::Int(18)),
                FieldDef::new("reserved", byte(), Value::Int(0)),
                FieldDef::new("flags", byte(), Value::Int(0)),
                FieldDef::new(f, Ip6Field::rc("IP6Field"), Value::Ip6(Ipv6Addr::LOCALHOST)),
            ],
        )
    };
    let hmac_len = Num::new("FieldLenField", Width::Bytes(2), NumDisplay::Dec)
        .computed(length_of("hmac", |x| x + 48))
        .rc();
    let variants = vec![
        node(
            "IPv6ExtHdrSegmentRoutingTLVIngressNode",
            "IPv6 Option Header Segment Routing - Ingress Node TLV",
            1,
            "ingress_node",
        ),
        node(
            "IPv6ExtHdrSegmentRoutingTLVEgressNode",
            "IPv6 Option Header Segment Routing - Egress Node TLV",
            2,
            "egress_node",
        ),
        LayerDef::new(
            "IPv6ExtHdrSegmentRoutingTLVPad1",
            "IPv6 Option Header Segment Routing - Pad1 TLV",
            vec![ty(0)],
        ),
        LayerDef::new(
            "IPv6ExtHdrSegmentRoutingTLVPadN",
            "IPv6 Option Header Segment Routing - PadN TLV",
            vec![
                ty(4),
                FieldDef::new("len", len_of("padding", |x| x), Value::None),
                FieldDef::new(
                    "padding",
                    StrField::length_from(Rc::new(|d: &LayerData| d.int("len").unwrap_or(0))),
                    Value::Bytes(vec![0]),
                ),
            ],
        ),
        LayerDef::new(
            "IPv6ExtHdrSegmentRoutingTLVHMAC",
            "IPv6 Option Header Segment Routing - HMAC TLV",
            vec![
                ty(5),
                FieldDef::new("len", hmac_len, Value::None),
                FieldDef::new("D", fields::bits(1), Value::Int(0)),
                FieldDef::new("reserved", fields::bits(15), Value::Int(0)),
                FieldDef::new("hmackeyid", int(), Value::Int(0)),
                FieldDef::new(
                    "hmac",
                    StrField::length_from(Rc::new(|d: &LayerData| d.int("len").unwrap_or(48) - 48)),
                    Value::Bytes(Vec::new()),
                ),
            ],
        ),
    ];
    (generic, variants)
}

fn segment_routing(cl: &Shared, parent: &Rc<LayerDef>, tlvs: fields::DispatchFn) -> LayerDef {
    let bit = |n: &str, w: u32| FieldDef::new(n, fields::bits(w), Value::Int(0));
    let post: crate::packet::layer::PostBuildFn = Rc::new(|d, mut hdr, pay, _| {
        if unset(d, "len") {
            // Padded to 8 bytes with a Pad1 or PadN TLV.
            let m = (8 - hdr.len() % 8) % 8;
            match m {
                0 => {}
                1 => hdr.push(0),
                _ => {
                    hdr.push(4);
                    hdr.push((m - 2) as u8);
                    hdr.resize(hdr.len() + m - 2, 0);
                }
            }
            if hdr.len() >= 8 {
                hdr[1] = ((hdr.len() - 8) / 8) as u8;
            }
        }
        let n = addresses(d, "addresses").len();
        if unset(d, "segleft") && hdr.len() >= 4 {
            hdr[3] = n.saturating_sub(1) as u8;
        }
        if unset(d, "lastentry") && hdr.len() >= 5 {
            if n == 0 {
                crate::packet::log::log_warning(
                    "IPv6ExtHdrSegmentRouting(): the addresses list is empty!",
                );
            }
            hdr[4] = n.saturating_sub(1) as u8;
        }
        hdr.extend_from_slice(pay);
        Ok(hdr)
    });
    with_parent(
        LayerDef::new(
            "IPv6ExtHdrSegmentRouting",
            "IPv6 Option Header Segment Routing",
            vec![
                nh_field(),
                FieldDef::new("len", byte(), Value::None),
                FieldDef::new("type", byte(), Value::Int(4)),
                FieldDef::new("segleft", byte(), Value::None),
                FieldDef::new("lastentry", byte(), Value::None),
                bit("unused1", 1),
                bit("protected", 1),
                bit("oam", 1),
                bit("alert", 1),
                bit("hmac", 1),
                bit("unused2", 3),
                FieldDef::new("tag", short(), Value::Int(0)),
                FieldDef::new(
                    "addresses",
                    Ip6ListField::count(Rc::new(|d: &LayerData| {
                        d.int("lastentry").unwrap_or(0) + 1
                    })),
                    Value::List(vec![Value::Ip6(Ipv6Addr::LOCALHOST)]),
                ),
                FieldDef::new(
                    "tlv_objects",
                    PacketListField::rc(
                        tlvs,
                        Some(Rc::new(|d: &LayerData| {
                            8 * d.int("len").unwrap_or(0)
                                - 16 * (d.int("lastentry").unwrap_or(0) + 1)
                        })),
                        1,
                    ),
                    Value::List(Vec::new()),
                ),
            ],
        ),
        parent,
    )
    .with_hooks(ext_hooks(cl, Some(post)))
}

fn fragment_header(cl: &Shared, parent: &Rc<LayerDef>) -> LayerDef {
    with_parent(
        LayerDef::new(
            "IPv6ExtHdrFragment",
            "IPv6 Extension Header - Fragmentation header",
            vec![
                nh_field(),
                FieldDef::new("res1", fields::bits(8), Value::Int(0)),
                FieldDef::new("offset", fields::bits(13), Value::Int(0)),
                FieldDef::new("res2", fields::bits(2), Value::Int(0)),
                FieldDef::new("m", fields::bits(1), Value::Int(0)),
                FieldDef::new("id", int(), Value::None),
            ],
        ),
        parent,
    )
    .with_hooks(ext_hooks(cl, None))
}

// --- ICMPv6 ---

fn icmp6_type(default: i128) -> FieldDef {
    FieldDef::new(
        "type",
        fields::byte_enum(names(ICMP6_TYPES)),
        Value::Int(default),
    )
}

fn cksum() -> FieldDef {
    FieldDef::new("cksum", xshort(), Value::None)
}

/// ICMPv6's checksum over the IPv6 pseudo-header, computed when unset.
fn icmp6_post_build(d: &LayerData, mut hdr: Vec<u8>, pay: &[u8]) -> Vec<u8> {
    hdr.extend_from_slice(pay);
    if unset(d, "cksum") {
        let c = upper_checksum(d, 58, &hdr);
        put16(&mut hdr, 2, c);
    }
    hdr
}

fn icmp6_hooks() -> Hooks {
    Hooks {
        post_build: Some(Rc::new(|d, hdr, pay, _| Ok(icmp6_post_build(d, hdr, pay)))),
        answers: Some(Rc::new(icmp6_answers)),
        hashret: Some(Rc::new(payload_hashret)),
        ..Hooks::default()
    }
}

/// `%name% ...`-style summaries: the layer's display name, then the listed fields.
fn summary_with(
    p: &Packet,
    text: impl Fn(&LayerData, &str) -> String,
) -> Option<(String, Vec<String>)> {
    let d = p.data();
    let name = d.def().name.clone();
    Some((text(&d, &name), Vec::new()))
}

fn icmp6_layer(class: &str, name: &str, fields: Vec<FieldDef>, parent: &Rc<LayerDef>) -> LayerDef {
    with_parent(LayerDef::new(class, name, fields), parent).with_hooks(icmp6_hooks())
}

fn icmp6_error(
    class: &str,
    name: &str,
    fields: Vec<FieldDef>,
    parent: &Rc<LayerDef>,
    iperror6: &Rc<LayerDef>,
) -> LayerDef {
    let mut d = icmp6_layer(class, name, fields, parent);
    let w = Rc::downgrade(iperror6);
    d.hooks.guess_payload = Some(Rc::new(move |_, _| w.upgrade()));
    d
}

fn ext_fields(code_names: &'static [(i128, &'static str)], ty: i128) -> Vec<FieldDef> {
    vec![
        icmp6_type(ty),
        FieldDef::new("code", fields::byte_enum(names(code_names)), Value::Int(0)),
        cksum(),
        FieldDef::new("length", byte(), Value::Int(0)),
        FieldDef::new("unused", fields::x3bytes(), Value::Int(0)),
        FieldDef::new(
            "extpad",
            StrField::with("_ICMPExtensionPadField", StrLen::Fixed(0), false),
            Value::Bytes(Vec::new()),
        ),
        FieldDef::new(
            "ext",
            Rc::new(super::inet::IcmpExtensionField {
                explicit_none: true,
            }),
            Value::None,
        ),
    ]
}

fn ml_fields(ty: i128, mrd: i128) -> Vec<FieldDef> {
    vec![
        icmp6_type(ty),
        FieldDef::new("code", byte(), Value::Int(0)),
        cksum(),
        FieldDef::new("mrd", short(), Value::Int(mrd)),
        FieldDef::new("reserved", short(), Value::Int(0)),
        FieldDef::new(
            "mladdr",
            Ip6Field::rc("IP6Field"),
            Value::Ip6(Ipv6Addr::UNSPECIFIED),
        ),
    ]
}

fn nd_guess(cl: &Shared) -> crate::packet::layer::GuessFn {
    let cl = cl.clone();
    Rc::new(move |_, p| {
        let c = cl.borrow();
        if p.len() > 1 {
            lookup(&c.ndopts, i128::from(p[0])).or_else(|| c.ndopt_unknown.upgrade())
        } else {
            Some(base::raw_def())
        }
    })
}

fn tgt_field() -> FieldDef {
    FieldDef::new(
        "tgt",
        Ip6Field::rc("IP6Field"),
        Value::Ip6(Ipv6Addr::UNSPECIFIED),
    )
}

fn tgt_hashret(p: &Packet) -> Vec<u8> {
    let mut out = {
        let d = p.data();
        match d.get("tgt") {
            Some(Value::Ip6(a)) => a.to_string().into_bytes(),
            Some(Value::Str(s)) => s.clone().into_bytes(),
            _ => Vec::new(),
        }
    };
    out.extend(payload_hashret(p));
    out
}

fn nd_messages(cl: &Shared, parent: &Rc<LayerDef>) -> Vec<LayerDef> {
    let nd = |class: &str, name: &str, f: Vec<FieldDef>| {
        let mut d = icmp6_layer(class, name, f, parent);
        d.hooks.guess_payload = Some(nd_guess(cl));
        d
    };
    let bit = |n: &str, v: i128| FieldDef::new(n, fields::bits(1), Value::Int(v));
    let code = || FieldDef::new("code", byte(), Value::Int(0));
    let tgt_summary: crate::packet::layer::SummaryFn = Rc::new(|p| {
        summary_with(p, |d, name| {
            format!("{name} (tgt: {})", layer_field_repr(d, "tgt"))
        })
    });
    let rs = nd(
        "ICMPv6ND_RS",
        "ICMPv6 Neighbor Discovery - Router Solicitation",
        vec![
            icmp6_type(133),
            code(),
            cksum(),
            FieldDef::new("res", int(), Value::Int(0)),
        ],
    );
    let mut ra = nd(
        "ICMPv6ND_RA",
        "ICMPv6 Neighbor Discovery - Router Advertisement",
        vec![
            icmp6_type(134),
            code(),
            cksum(),
            FieldDef::new("chlim", byte(), Value::Int(0)),
            bit("M", 0),
            bit("O", 0),
            bit("H", 0),
            FieldDef::new("prf", fields::bit_enum(2, names(RA_PREFS)), Value::Int(1)),
            bit("P", 0),
            FieldDef::new("res", fields::bits(2), Value::Int(0)),
            FieldDef::new("routerlifetime", short(), Value::Int(1800)),
            FieldDef::new("reachabletime", int(), Value::Int(0)),
            FieldDef::new("retranstimer", int(), Value::Int(0)),
        ],
    );
    ra.hooks.answers = Some(Rc::new(|_, other| other.def().is_a_name("ICMPv6ND_RS")));
    ra.hooks.mysummary = Some(Rc::new(|p| {
        summary_with(p, |d, name| {
            let f = |n| layer_field_repr(d, n);
            format!(
                "{name} Lifetime {} Hop Limit {} Preference {} Managed {} Other {} Home {}",
                f("routerlifetime"),
                f("chlim"),
                f("prf"),
                f("M"),
                f("O"),
                f("H")
            )
        })
    }));
    let mut ns = nd(
        "ICMPv6ND_NS",
        "ICMPv6 Neighbor Discovery - Neighbor Solicitation",
        vec![
            icmp6_type(135),
            code(),
            cksum(),
            FieldDef::new("res", int(), Value::Int(0)),
            tgt_field(),
        ],
    );
    ns.hooks.mysummary = Some(tgt_summary.clone());
    ns.hooks.hashret = Some(Rc::new(tgt_hashret));
    let mut na = nd(
        "ICMPv6ND_NA",
        "ICMPv6 Neighbor Discovery - Neighbor Advertisement",
        vec![
            icmp6_type(136),
            code(),
            cksum(),
            bit("R", 1),
            bit("S", 0),
            bit("O", 1),
            FieldDef::new("res", fields::xbits(29), Value::Int(0)),
            tgt_field(),
        ],
    );
    na.hooks.mysummary = Some(tgt_summary);
    na.hooks.hashret = Some(Rc::new(tgt_hashret));
    na.hooks.answers = Some(Rc::new(|me, other| {
        other.def().is_a_name("ICMPv6ND_NS") && me.get("tgt") == other.get("tgt")
    }));
    let redirect = nd(
        "ICMPv6ND_Redirect",
        "ICMPv6 Neighbor Discovery - Redirect",
        vec![
            icmp6_type(137),
            code(),
            cksum(),
            FieldDef::new("res", xint(), Value::Int(0)),
            tgt_field(),
            FieldDef::new(
                "dst",
                Ip6Field::rc("IP6Field"),
                Value::Ip6(Ipv6Addr::UNSPECIFIED),
            ),
        ],
    );
    vec![rs, ra, ns, na, redirect]
}

fn nd_options(cl: &Shared, ipv6: &Rc<LayerDef>) -> Vec<LayerDef> {
    let opt = |class: &str, name: &str, f: Vec<FieldDef>| {
        LayerDef::new(class, name, f).with_hooks(Hooks {
            guess_payload: Some(nd_guess(cl)),
            ..Hooks::default()
        })
    };
    let ty = |t: i128| FieldDef::new("type", byte(), Value::Int(t));
    let len1 = || FieldDef::new("len", byte(), Value::Int(1));
    let lladdr_summary: crate::packet::layer::SummaryFn = Rc::new(|p| {
        summary_with(p, |d, name| {
            format!("{name} {}", layer_field_repr(d, "lladdr"))
        })
    });
    let data_len = Num::new("FieldLenField", Width::Bytes(1), NumDisplay::Dec)
        .computed(length_of("data", |x| (2 + x) / 8))
        .rc();
    let unknown = opt(
        "ICMPv6NDOptUnknown",
        "ICMPv6 Neighbor Discovery Option - Scapy Unimplemented",
        vec![
            ty(0),
            FieldDef::new("len", data_len, Value::None),
            FieldDef::new(
                "data",
                Rc::new(NdOptDataField {
                    inner: StrField::length_from(Rc::new(|d: &LayerData| {
                        8 * d.int("len").unwrap_or(0).max(1) - 2
                    })),
                    strip_zeros: false,
                }),
                Value::Bytes(Vec::new()),
            ),
        ],
    );
    let mut src = opt(
        "ICMPv6NDOptSrcLLAddr",
        "ICMPv6 Neighbor Discovery Option - Source Link-Layer Address",
        vec![
            ty(1),
            len1(),
            FieldDef::new("lladdr", MacField::source(), Value::None),
        ],
    );
    src.hooks.mysummary = Some(lladdr_summary.clone());
    let mut dst = opt(
        "ICMPv6NDOptDstLLAddr",
        "ICMPv6 Neighbor Discovery Option - Destination Link-Layer Address",
        vec![
            ty(2),
            len1(),
            FieldDef::new("lladdr", MacField::source(), Value::None),
        ],
    );
    dst.hooks.mysummary = Some(lladdr_summary);
    let bit = |n: &str, v: i128| FieldDef::new(n, fields::bits(1), Value::Int(v));
    let mut prefix = opt(
        "ICMPv6NDOptPrefixInfo",
        "ICMPv6 Neighbor Discovery Option - Prefix Information",
        vec![
            ty(3),
            FieldDef::new("len", byte(), Value::Int(4)),
            FieldDef::new("prefixlen", byte(), Value::Int(64)),
            bit("L", 1),
            bit("A", 1),
            bit("R", 0),
            FieldDef::new("res1", fields::bits(5), Value::Int(0)),
            FieldDef::new("validlifetime", xint(), Value::Int(0xffff_ffff)),
            FieldDef::new("preferredlifetime", xint(), Value::Int(0xffff_ffff)),
            FieldDef::new("res2", xint(), Value::Int(0)),
            FieldDef::new(
                "prefix",
                Ip6Field::rc("IP6Field"),
                Value::Ip6(Ipv6Addr::UNSPECIFIED),
            ),
        ],
    );
    prefix.hooks.mysummary = Some(Rc::new(|p| {
        summary_with(p, |d, name| {
            let f = |n| layer_field_repr(d, n);
            format!(
                "{name} {}/{} On-link {} Autonomous Address {} Router Address {}",
                f("prefix"),
                f("prefixlen"),
                f("L"),
                f("A"),
                f("R")
            )
        })
    }));
    let redir_len = Num::new("FieldLenField", Width::Bytes(1), NumDisplay::Dec)
        .computed(length_of("pkt", |x| (x + 8) / 8))
        .rc();
    let redirected = opt(
        "ICMPv6NDOptRedirectedHdr",
        "ICMPv6 Neighbor Discovery Option - Redirected Header",
        vec![
            ty(4),
            FieldDef::new("len", redir_len, Value::None),
            FieldDef::new("res", StrField::fixed(6), Value::Bytes(vec![0; 6])).may_end(),
            FieldDef::new(
                "pkt",
                Rc::new(TruncPktLenField {
                    inner: PacketField::rc(
                        PktCls::Class(ipv6.clone()),
                        Some(Rc::new(|d: &LayerData| 8 * d.int("len").unwrap_or(1) - 8)),
                    ),
                }),
                Value::Bytes(Vec::new()),
            ),
        ],
    );
    let mut mtu = opt(
        "ICMPv6NDOptMTU",
        "ICMPv6 Neighbor Discovery Option - MTU",
        vec![
            ty(5),
            len1(),
            FieldDef::new("res", xshort(), Value::Int(0)),
            FieldDef::new("mtu", int(), Value::Int(1280)),
        ],
    );
    mtu.hooks.mysummary = Some(Rc::new(|p| {
        summary_with(p, |d, name| {
            format!("{name} {}", layer_field_repr(d, "mtu"))
        })
    }));
    let route_len = Num::new("FieldLenField", Width::Bytes(1), NumDisplay::Dec)
        .computed(length_of("prefix", |x| x / 8 + 1))
        .rc();
    let mut route = opt(
        "ICMPv6NDOptRouteInfo",
        "ICMPv6 Neighbor Discovery Option - Route Information Option",
        vec![
            ty(24),
            FieldDef::new("len", route_len, Value::None),
            FieldDef::new("plen", byte(), Value::None),
            FieldDef::new("res1", fields::bits(3), Value::Int(0)),
            FieldDef::new("prf", fields::bit_enum(2, names(RA_PREFS)), Value::Int(0)),
            FieldDef::new("res2", fields::bits(3), Value::Int(0)),
            FieldDef::new("rtlifetime", int(), Value::Int(0xffff_ffff)),
            FieldDef::new(
                "prefix",
                Rc::new(PrefixField {
                    inner: Ip6Field::rc("IP6Field"),
                }),
                Value::None,
            ),
        ],
    );
    route.hooks.mysummary = Some(Rc::new(|p| {
        summary_with(p, |d, name| {
            let f = |n| layer_field_repr(d, n);
            format!(
                "{name} {}/{} Preference {}",
                f("prefix"),
                f("plen"),
                f("prf")
            )
        })
    }));
    let rdnss_len = Num::new("FieldLenField", Width::Bytes(1), NumDisplay::Dec)
        .computed(count_of("dns", |x| 2 * x + 1))
        .rc();
    let mut rdnss = opt(
        "ICMPv6NDOptRDNSS",
        "ICMPv6 Neighbor Discovery Option - Recursive DNS Server Option",
        vec![
            ty(25),
            FieldDef::new("len", rdnss_len, Value::None),
            FieldDef::new("res", short(), Value::None),
            FieldDef::new("lifetime", int(), Value::Int(0xffff_ffff)),
            FieldDef::new(
                "dns",
                Ip6ListField::length(Rc::new(|d: &LayerData| 8 * (d.int("len").unwrap_or(1) - 1))),
                Value::List(Vec::new()),
            ),
        ],
    );
    rdnss.hooks.mysummary = Some(Rc::new(|p| {
        summary_with(p, |d, name| {
            let dns: Vec<String> = addresses(d, "dns").iter().map(|a| a.to_string()).collect();
            format!("{name} {}", dns.join(", "))
        })
    }));
    vec![unknown, src, dst, prefix, redirected, mtu, route, rdnss]
}

// --- ICMPv6: Inverse ND, Mobile IPv6 discovery, Multicast Router Discovery ---

static HAAD_R: &[(i128, &str)] = &[(1, "MR")];
static MPADV_FLAGS: &[(i128, &str)] = &[(2, "M"), (1, "O")];

/// Hashret and answers of the messages matched by an identifier (HAAD, mobile prefix).
fn id_hashret(p: &Packet) -> Vec<u8> {
    let mut out = (p.data().int("id").unwrap_or(0) as u16)
        .to_be_bytes()
        .to_vec();
    out.extend(payload_hashret(p));
    out
}

fn answers_by_id(request: &'static str) -> crate::packet::layer::AnswersFn {
    Rc::new(move |me, other| other.def().is_a_name(request) && me.get("id") == other.get("id"))
}

/// Inverse Neighbor Discovery (RFC 3122), Home Agent Address Discovery and Mobile Prefix
/// messages (RFC 6275), Multicast Router Discovery (RFC 4286).
fn discovery_messages(cl: &Shared, parent: &Rc<LayerDef>) -> Vec<LayerDef> {
    let with_options = |class: &str, name: &str, f: Vec<FieldDef>| {
        let mut d = icmp6_layer(class, name, f, parent);
        d.hooks.guess_payload = Some(nd_guess(cl));
        d
    };
    let code = || FieldDef::new("code", byte(), Value::Int(0));
    let id = || FieldDef::new("id", xshort(), Value::None);
    let ind = |ty: i128, class: &str, name: &str| {
        with_options(
            class,
            name,
            vec![
                icmp6_type(ty),
                code(),
                cksum(),
                FieldDef::new("reserved", xint(), Value::Int(0)),
            ],
        )
    };
    let haad_head = |ty: i128| {
        vec![
            icmp6_type(ty),
            code(),
            cksum(),
            id(),
            FieldDef::new("R", fields::bit_enum(1, names(HAAD_R)), Value::Int(1)),
            FieldDef::new("res", fields::xbits(15), Value::Int(0)),
        ]
    };
    let mut haad_req = icmp6_layer(
        "ICMPv6HAADRequest",
        "ICMPv6 Home Agent Address Discovery Request",
        haad_head(144),
        parent,
    );
    haad_req.hooks.hashret = Some(Rc::new(id_hashret));
    let mut reply_fields = haad_head(145);
    reply_fields.push(FieldDef::new(
        "addresses",
        Ip6ListField::rest(),
        Value::List(Vec::new()),
    ));
    let mut haad_rep = icmp6_layer(
        "ICMPv6HAADReply",
        "ICMPv6 Home Agent Address Discovery Reply",
        reply_fields,
        parent,
    );
    haad_rep.hooks.hashret = Some(Rc::new(id_hashret));
    haad_rep.hooks.answers = Some(answers_by_id("ICMPv6HAADRequest"));
    let mp_sol = icmp6_layer(
        "ICMPv6MPSol",
        "ICMPv6 Mobile Prefix Solicitation",
        vec![
            icmp6_type(146),
            code(),
            cksum(),
            id(),
            FieldDef::new("res", xshort(), Value::Int(0)),
        ],
        parent,
    );
    let mut mp_adv = with_options(
        "ICMPv6MPAdv",
        "ICMPv6 Mobile Prefix Advertisement",
        vec![
            icmp6_type(147),
            code(),
            cksum(),
            id(),
            FieldDef::new(
                "flags",
                fields::bit_enum(2, names(MPADV_FLAGS)),
                Value::Int(2),
            ),
            FieldDef::new("res", fields::xbits(14), Value::Int(0)),
        ],
    );
    mp_adv.hooks.hashret = Some(Rc::new(id_hashret));
    mp_adv.hooks.answers = Some(answers_by_id("ICMPv6MPSol"));
    let mrd_adv = icmp6_layer(
        "ICMPv6MRD_Advertisement",
        "ICMPv6 Multicast Router Discovery Advertisement",
        vec![
            icmp6_type(151),
            FieldDef::new("advinter", byte(), Value::Int(20)),
            cksum(),
            FieldDef::new("queryint", short(), Value::Int(0)),
            FieldDef::new("robustness", short(), Value::Int(0)),
        ],
        parent,
    );
    let mrd = |ty: i128, class: &str, name: &str| {
        icmp6_layer(
            class,
            name,
            vec![
                icmp6_type(ty),
                FieldDef::new("res", byte(), Value::Int(0)),
                cksum(),
            ],
            parent,
        )
    };
    vec![
        ind(
            141,
            "ICMPv6ND_INDSol",
            "ICMPv6 Inverse Neighbor Discovery Solicitation",
        ),
        ind(
            142,
            "ICMPv6ND_INDAdv",
            "ICMPv6 Inverse Neighbor Discovery Advertisement",
        ),
        haad_req,
        haad_rep,
        mp_sol,
        mp_adv,
        mrd_adv,
        mrd(
            152,
            "ICMPv6MRD_Solicitation",
            "ICMPv6 Multicast Router Discovery Solicitation",
        ),
        mrd(
            153,
            "ICMPv6MRD_Termination",
            "ICMPv6 Multicast Router Discovery Termination",
        ),
    ]
}

// --- ICMPv6 Node Information (RFC 4620) ---
//
// ```text
// NI query/reply | type=139/140 | code | cksum (2) | qtype (2) | unused(10b) flags(6b) |
//                | nonce (8) | data |
// ```
// A query's data is its subject (`code`: 0 an IPv6 address, 1 a DNS name, 2 an IPv4
// address); a successful reply's data depends on `qtype` (2: a TTL then DNS names, 3 and 4:
// TTL and address pairs).

static NI_QTYPES: &[(i128, &str)] = &[
    (0, "NOOP"),
    (2, "Node Name"),
    (3, "IPv6 Address"),
    (4, "IPv4 Address"),
];
static NI_QUERY_CODES: &[(i128, &str)] = &[(0, "IPv6 Query"), (1, "Name Query"), (2, "IPv4 Query")];
static NI_REPLY_CODES: &[(i128, &str)] = &[(0, "Successful Reply"), (1, "Response Refusal")];
/// The flags, least significant first (RFC 4620 section 4: G S L C A T, from the top).
static NI_FLAGS: &[&str] = &["T", "A", "C", "L", "S", "G"];

/// A DNS name as the reference sends it in Node Information data: each dot-separated part
/// as a length-prefixed label (an empty part is an empty label), then a zero byte; a name
/// without any dot (a single label) ends with one more zero.
fn ni_name(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() + 3);
    for part in text.split(|&c| c == b'.') {
        let part = &part[..part.len().min(255)];
        out.push(part.len() as u8);
        out.extend_from_slice(part);
    }
    out.push(0);
    if !text.contains(&b'.') {
        out.push(0);
    }
    out
}

/// A query's name as shown: its labels up to the first empty one (or the end), joined by
/// dots.
fn ni_query_name(mut s: &[u8]) -> Vec<u8> {
    let mut labels: Vec<&[u8]> = Vec::new();
    while let Some((&l, rest)) = s.split_first() {
        if l == 0 {
            break;
        }
        let n = usize::from(l).min(rest.len());
        labels.push(&rest[..n]);
        s = &rest[n..];
    }
    labels.join(&b'.')
}

/// A reply's names: each name's labels up to its zero byte (a single-label name's second
/// zero is skipped); a name the bytes end inside is dropped.
fn ni_reply_names(mut s: &[u8]) -> Vec<Vec<u8>> {
    let mut names = Vec::new();
    let mut cur: Vec<u8> = Vec::new();
    while let Some((&l, rest)) = s.split_first() {
        s = rest;
        if l == 0 {
            if cur.last() == Some(&b'.') {
                cur.pop();
            }
            names.push(std::mem::take(&mut cur));
            if s.first() == Some(&0) {
                s = &s[1..];
            }
            continue;
        }
        let n = usize::from(l).min(s.len());
        cur.extend_from_slice(&s[..n]);
        cur.push(b'.');
        s = &s[n..];
    }
    names
}

/// The text of an address or name value (a str as given, or bytes).
fn ni_text(v: &Value) -> Option<String> {
    match v {
        Value::Str(s) => Some(s.clone()),
        Value::Bytes(b) => Some(String::from_utf8_lossy(b).into_owned()),
        Value::Ip4(a) => Some(a.to_string()),
        Value::Ip6(a) => Some(a.to_string()),
        _ => None,
    }
}

/// The bytes of an IPv6 (`v6`) or IPv4 address value.
fn ni_addr_bytes(v: &Value, v6: bool) -> Result<Vec<u8>, String> {
    let text = ni_text(v).unwrap_or_default();
    let bad = || format!("illegal IP address string: {}", v.py_repr());
    if v6 {
        text.parse::<Ipv6Addr>()
            .map(|a| a.octets().to_vec())
            .map_err(|_| bad())
    } else {
        text.parse::<std::net::Ipv4Addr>()
            .map(|a| a.octets().to_vec())
            .map_err(|_| bad())
    }
}

/// NIQueryDataField: the subject of a query, held as `(code, value)`: `(0, "2001:db8::1")`,
/// `(2, "192.0.2.1")` or `(1, b"<name in wire form>")`; what the NOOP query's dissection
/// finds is plain bytes. The code field is computed from it.
struct NiQueryData;

impl NiQueryData {
    fn wire(v: &Value) -> Result<Vec<u8>, String> {
        match v.resolved() {
            Value::Tuple(t) => match t.as_slice() {
                [Value::Int(0), a] => ni_addr_bytes(a, true),
                [Value::Int(2), a] => ni_addr_bytes(a, false),
                [_, b] => fields::value_bytes(b),
                _ => Err(format!("not a query subject: {}", v.py_repr())),
            },
            other => fields::value_bytes(&other),
        }
    }
}

impl FieldKind for NiQueryData {
    fn class_name(&self) -> &str {
        "NIQueryDataField"
    }

    fn any2i(&self, _layer: &LayerData, v: Value) -> Result<Value, FieldError> {
        let text = match &v {
            Value::None => String::new(),
            Value::Str(_) | Value::Bytes(_) | Value::Ip4(_) | Value::Ip6(_) => {
                ni_text(&v).unwrap_or_default()
            }
            _ => return Ok(v),
        };
        Ok(if text.parse::<Ipv6Addr>().is_ok() {
            Value::Tuple(vec![Value::Int(0), Value::Str(text)])
        } else if text.parse::<std::net::Ipv4Addr>().is_ok() {
            Value::Tuple(vec![Value::Int(2), Value::Str(text)])
        } else {
            Value::Tuple(vec![Value::Int(1), Value::Bytes(ni_name(text.as_bytes()))])
        })
    }

    fn addfield(&self, _ctx: &BuildCtx<'_>, v: &Value, out: &mut Vec<u8>) -> Result<(), String> {
        out.extend(Self::wire(v)?);
        Ok(())
    }

    fn getfield(
        &self,
        ctx: &mut DissectCtx<'_>,
        s: &[u8],
    ) -> Result<(usize, Option<Value>), Truncated> {
        // A NOOP query has no subject: what follows is the payload.
        if ctx.layer.int("qtype") == Some(0) {
            return Ok((0, Some(Value::Bytes(Vec::new()))));
        }
        let addr = |v: Value| Value::Tuple(vec![Value::Int(ctx.layer.int("code").unwrap_or(1)), v]);
        Ok(match ctx.layer.int("code") {
            Some(0) => {
                let b: [u8; 16] = s
                    .get(..16)
                    .ok_or(Truncated)?
                    .try_into()
                    .map_err(|_| Truncated)?;
                (16, Some(addr(Value::Str(Ipv6Addr::from(b).to_string()))))
            }
            Some(2) => {
                let b: [u8; 4] = s
                    .get(..4)
                    .ok_or(Truncated)?
                    .try_into()
                    .map_err(|_| Truncated)?;
                (
                    4,
                    Some(addr(Value::Str(std::net::Ipv4Addr::from(b).to_string()))),
                )
            }
            _ => (
                s.len(),
                Some(Value::Tuple(vec![Value::Int(1), Value::Bytes(s.to_vec())])),
            ),
        })
    }

    fn i2h(&self, _layer: &LayerData, v: &Value) -> Value {
        match v {
            Value::Tuple(t) => match t.as_slice() {
                [Value::Int(1), Value::Bytes(b)] => Value::Bytes(ni_query_name(b)),
                [_, a] => a.clone(),
                _ => v.clone(),
            },
            other => other.clone(),
        }
    }

    fn i2repr(&self, _layer: &LayerData, v: &Value) -> String {
        match v {
            Value::Tuple(t) => match t.as_slice() {
                [Value::Int(1), Value::Bytes(b)] => {
                    String::from_utf8_lossy(&ni_query_name(b)).into_owned()
                }
                [_, a] => a.py_repr(),
                _ => v.py_repr(),
            },
            Value::Volatile(r) => r.repr(),
            other => other.py_repr(),
        }
    }

    fn i2len(&self, _layer: &LayerData, v: &Value) -> usize {
        Self::wire(v).map_or(0, |b| b.len())
    }

    fn repr_human(&self, layer: &LayerData, v: &Value) -> String {
        self.i2h(layer, v).py_repr()
    }
}

/// NIReplyDataField: a reply's data, held as `(qtype, value)` with the qtype the layer had
/// when it was set: `(2, [ttl, b"<names in wire form>"])`, `(3, [(ttl, "2001:db8::1"), ...])`,
/// `(4, [(ttl, "192.0.2.1"), ...])`, else `(qtype, bytes or None)`; what a dissection finds
/// where there is no data is plain bytes.
struct NiReplyData;

impl NiReplyData {
    fn wire(v: &Value) -> Result<Vec<u8>, String> {
        let ttl = |t: &Value| (t.as_int().unwrap_or(0) as u32).to_be_bytes();
        let Value::Tuple(t) = v.resolved() else {
            return fields::value_bytes(v);
        };
        let mut out = Vec::new();
        match t.as_slice() {
            [Value::Int(2), Value::List(l)] => {
                if let [t, names @ ..] = l.as_slice() {
                    out.extend(ttl(t));
                    for n in names {
                        out.extend(fields::value_bytes(n)?);
                    }
                }
            }
            [Value::Int(q @ (3 | 4)), Value::List(l)] => {
                for e in l {
                    match e {
                        Value::Tuple(p) if p.len() == 2 => {
                            out.extend(ttl(&p[0]));
                            out.extend(ni_addr_bytes(&p[1], *q == 3)?);
                        }
                        other => {
                            return Err(format!("not a (ttl, address) pair: {}", other.py_repr()))
                        }
                    }
                }
            }
            [_, rest] => out.extend(fields::value_bytes(rest)?),
            _ => return Err(format!("not a reply's data: {}", v.py_repr())),
        }
        Ok(out)
    }
}

impl FieldKind for NiReplyData {
    fn class_name(&self) -> &str {
        "NIReplyDataField"
    }

    fn any2i(&self, layer: &LayerData, v: Value) -> Result<Value, FieldError> {
        if matches!(&v, Value::Tuple(t) if matches!(t.as_slice(), [Value::Int(_), Value::List(_) | Value::None | Value::Bytes(_)]))
            || matches!(v, Value::Volatile(_))
        {
            return Ok(v);
        }
        let qtype = layer.int("qtype").unwrap_or(0);
        let text = |x: &Value| ni_text(x).map(String::into_bytes);
        let body = match (qtype, v) {
            (_, Value::None) => Value::None,
            (2, Value::List(l)) => {
                let (t, names) = match l.split_first() {
                    Some((Value::Int(t), rest)) => (*t, rest.to_vec()),
                    _ => (0, l),
                };
                let mut wire = Vec::new();
                for n in &names {
                    let b = text(n).ok_or_else(|| {
                        FieldError::BadValue(format!("a node name is a str, not {}", n.py_repr()))
                    })?;
                    wire.extend(ni_name(&b));
                }
                Value::List(vec![Value::Int(t), Value::Bytes(wire)])
            }
            (2, x @ (Value::Str(_) | Value::Bytes(_))) => Value::List(vec![
                Value::Int(0),
                Value::Bytes(ni_name(&text(&x).unwrap_or_default())),
            ]),
            (3 | 4, l) => {
                let items = match l {
                    Value::List(l) => l,
                    one => vec![one],
                };
                Value::List(
                    items
                        .into_iter()
                        .map(|e| match e {
                            Value::Tuple(p) => Value::Tuple(p),
                            addr => Value::Tuple(vec![Value::Int(0), addr]),
                        })
                        .collect(),
                )
            }
            (_, other) => other,
        };
        Ok(Value::Tuple(vec![Value::Int(qtype), body]))
    }

    fn addfield(&self, _ctx: &BuildCtx<'_>, v: &Value, out: &mut Vec<u8>) -> Result<(), String> {
        out.extend(Self::wire(v)?);
        Ok(())
    }

    fn getfield(
        &self,
        ctx: &mut DissectCtx<'_>,
        s: &[u8],
    ) -> Result<(usize, Option<Value>), Truncated> {
        let none = Ok((0, Some(Value::Bytes(Vec::new()))));
        let qtype = ctx.layer.int("qtype").unwrap_or(0);
        if ctx.layer.int("code") != Some(0) || qtype == 0 {
            // Refusals, unknown qtypes and NOOP replies carry no data: what follows is the
            // payload.
            return none;
        }
        let ttl = |b: &[u8]| i128::from(u32::from_be_bytes([b[0], b[1], b[2], b[3]]));
        let pairs = |size: usize| {
            let n = s.len() / size;
            let list = s[..n * size]
                .chunks(size)
                .map(|c| {
                    let addr = if size == 20 {
                        let a: [u8; 16] = c[4..].try_into().unwrap_or([0; 16]);
                        Ipv6Addr::from(a).to_string()
                    } else {
                        std::net::Ipv4Addr::new(c[4], c[5], c[6], c[7]).to_string()
                    };
                    Value::Tuple(vec![Value::Int(ttl(c)), Value::Str(addr)])
                })
                .collect();
            (n * size, Value::List(list))
        };
        let (used, body) = match qtype {
            2 if s.len() < 4 => return none,
            2 => (
                s.len(),
                Value::List(vec![Value::Int(ttl(s)), Value::Bytes(s[4..].to_vec())]),
            ),
            3 => pairs(20),
            4 => pairs(8),
            _ => return Ok((s.len(), Some(Value::Bytes(s.to_vec())))),
        };
        Ok((used, Some(Value::Tuple(vec![Value::Int(qtype), body]))))
    }

    fn i2h(&self, _layer: &LayerData, v: &Value) -> Value {
        match v {
            Value::Tuple(t) => match t.as_slice() {
                [Value::Int(2), Value::List(l)] => match l.as_slice() {
                    [ttl, Value::Bytes(b)] => {
                        let mut out = vec![ttl.clone()];
                        out.extend(ni_reply_names(b).into_iter().map(Value::Bytes));
                        Value::List(out)
                    }
                    _ => Value::List(l.clone()),
                },
                [_, body] => body.clone(),
                _ => v.clone(),
            },
            other => other.clone(),
        }
    }

    fn i2repr(&self, _layer: &LayerData, v: &Value) -> String {
        match v {
            Value::Tuple(t) => match t.as_slice() {
                [Value::Int(2), Value::List(l)] => match l.as_slice() {
                    [ttl, Value::Bytes(b)] => {
                        let names: Vec<String> = ni_reply_names(b)
                            .iter()
                            .map(|n| String::from_utf8_lossy(n).into_owned())
                            .collect();
                        format!("ttl:{} {}", ttl.py_repr(), names.join(","))
                    }
                    _ => v.py_repr(),
                },
                [Value::Int(3 | 4), Value::List(l)] => {
                    let pairs: Vec<String> = l
                        .iter()
                        .map(|e| match e {
                            Value::Tuple(p) if p.len() == 2 => format!(
                                "({}, {})",
                                p[0].py_repr(),
                                ni_text(&p[1]).unwrap_or_else(|| p[1].py_repr())
                            ),
                            other => other.py_repr(),
                        })
                        .collect();
                    format!("[ {} ]", pairs.join(", "))
                }
                [_, body] => body.py_repr(),
                _ => v.py_repr(),
            },
            Value::Volatile(r) => r.repr(),
            other => other.py_repr(),
        }
    }

    fn i2len(&self, _layer: &LayerData, v: &Value) -> usize {
        Self::wire(v).map_or(0, |b| b.len())
    }

    fn repr_human(&self, layer: &LayerData, v: &Value) -> String {
        self.i2h(layer, v).py_repr()
    }
}

/// The code a query is sent with when unset: its subject's kind.
fn ni_query_code(ctx: &BuildCtx<'_>) -> i128 {
    match ctx.layer.get("data") {
        Some(Value::Tuple(t)) => t.first().and_then(Value::as_int).unwrap_or(1),
        _ => 1,
    }
}

/// A query or reply is known by its nonce.
fn ni_hashret(p: &Packet) -> Vec<u8> {
    match p.data().get("nonce").map(Value::resolved) {
        Some(v) => fields::value_bytes(&v).unwrap_or_default(),
        None => Vec::new(),
    }
}

/// A reply answers the query with its nonce.
fn ni_answers(me: &Packet, other: &Packet) -> bool {
    let nonce = |p: &Packet| {
        p.data()
            .get("nonce")
            .map(|v| fields::value_bytes(&v.resolved()).unwrap_or_default())
    };
    matches!((nonce(me), nonce(other)), (Some(a), Some(b)) if a == b)
}

fn ni_fields(ty: i128, code: FieldDef, data: FieldDef) -> Vec<FieldDef> {
    vec![
        icmp6_type(ty),
        code,
        cksum(),
        FieldDef::new("qtype", fields::short_enum(names(NI_QTYPES)), Value::Int(0)),
        FieldDef::new("unused", fields::bits(10), Value::Int(0)),
        FieldDef::new("flags", fields::flags(6, NI_FLAGS), Value::Int(0)),
        FieldDef::new(
            "nonce",
            StrField::with("NonceField", StrLen::Fixed(8), false),
            crate::packet::volatile::rand_bin(Some(8)),
        ),
        data,
    ]
}

/// The Node Information queries and replies, registered: a NOOP query and a NOOP reply, and
/// the classes derived from them for each qtype (their defaults differ: qtype, flags, code).
fn node_information(
    reg: &Registry,
    parent: &Rc<LayerDef>,
) -> (Vec<Rc<LayerDef>>, Vec<Rc<LayerDef>>) {
    let query_code = Num::new(
        "NIQueryCodeField",
        Width::Bytes(1),
        NumDisplay::Enum {
            names: names(NI_QUERY_CODES),
            hex: false,
        },
    )
    .computed(Rc::new(ni_query_code));
    let mut query = icmp6_layer(
        "ICMPv6NIQueryNOOP",
        "ICMPv6 Node Information Query - NOOP Query",
        ni_fields(
            139,
            FieldDef::new("code", query_code.rc(), Value::None),
            FieldDef::new(
                "data",
                Rc::new(NiQueryData),
                Value::Tuple(vec![Value::Int(1), Value::Bytes(vec![0; 3])]),
            ),
        ),
        parent,
    );
    query.hooks.hashret = Some(Rc::new(ni_hashret));
    let query = reg.register(query);
    let mut reply = icmp6_layer(
        "ICMPv6NIReplyNOOP",
        "ICMPv6 Node Information Reply - NOOP Reply",
        ni_fields(
            140,
            FieldDef::new(
                "code",
                fields::byte_enum(names(NI_REPLY_CODES)),
                Value::Int(0),
            ),
            FieldDef::new(
                "data",
                Rc::new(NiReplyData),
                Value::Tuple(vec![Value::Int(0), Value::None]),
            ),
        ),
        parent,
    );
    reply.hooks.hashret = Some(Rc::new(ni_hashret));
    reply.hooks.answers = Some(Rc::new(ni_answers));
    let reply = reg.register(reply);
    // A class derived from the NOOP query or reply: its code (replies), qtype and flags.
    let derive =
        |base: &Rc<LayerDef>, class: &str, name: &str, code: Option<i128>, qtype, flags| {
            let mut d = LayerDef::derive(base, class, name);
            if let Some(c) = code {
                d.fields[1].default = Value::Int(c);
            }
            d.fields[3].default = Value::Int(qtype);
            d.fields[5].default = Value::Int(flags);
            reg.register(d)
        };
    let q = |class, name, qtype, flags| derive(&query, class, name, None, qtype, flags);
    let r = |class, name, code, qtype| derive(&reply, class, name, Some(code), qtype, 0);
    let queries = vec![
        query.clone(),
        q(
            "ICMPv6NIQueryName",
            "ICMPv6 Node Information Query - IPv6 Name Query",
            2,
            0,
        ),
        // The IPv6 address query asks for every kind of address by default (A C L S G).
        q(
            "ICMPv6NIQueryIPv6",
            "ICMPv6 Node Information Query - IPv6 Address Query",
            3,
            0x3e,
        ),
        q(
            "ICMPv6NIQueryIPv4",
            "ICMPv6 Node Information Query - IPv4 Address Query",
            4,
            0,
        ),
    ];
    let replies = vec![
        reply.clone(),
        r(
            "ICMPv6NIReplyName",
            "ICMPv6 Node Information Reply - Node Names",
            0,
            2,
        ),
        r(
            "ICMPv6NIReplyIPv6",
            "ICMPv6 Node Information Reply - IPv6 addresses",
            0,
            3,
        ),
        r(
            "ICMPv6NIReplyIPv4",
            "ICMPv6 Node Information Reply - IPv4 addresses",
            0,
            4,
        ),
        r(
            "ICMPv6NIReplyRefuse",
            "ICMPv6 Node Information Reply - Responder refuses to supply answer",
            1,
            0,
        ),
        r(
            "ICMPv6NIReplyUnknown",
            "ICMPv6 Node Information Reply - Qtype unknown to the responder",
            2,
            0,
        ),
    ];
    (queries, replies)
}

/// The Node Information class of a message, as the reference picks it: a query by its
/// qtype (other qtypes are Raw); a reply by its code (refusal, unknown qtype), a successful
/// one by its qtype (other qtypes read as the NOOP reply); other codes are Raw.
fn ni_class(cl: &Classes, p: &[u8]) -> Option<Rc<LayerDef>> {
    let (&ty, &code) = (p.first()?, p.get(1)?);
    let qtype = i128::from(u16::from_be_bytes([*p.get(4)?, *p.get(5)?]));
    let field = |d: &Rc<LayerDef>, i: usize| d.fields[i].default.as_int();
    let find = |t: &[Weak<LayerDef>], f: &dyn Fn(&Rc<LayerDef>) -> bool| {
        t.iter().filter_map(Weak::upgrade).find(|d| f(d))
    };
    match (ty, code) {
        (139, _) => find(&cl.ni_query, &|d| field(d, 3) == Some(qtype)),
        (140, 0) => find(&cl.ni_reply, &|d| {
            field(d, 1) == Some(0) && field(d, 3) == Some(qtype)
        })
        .or_else(|| cl.ni_reply.first().and_then(Weak::upgrade)),
        (140, 1 | 2) => find(&cl.ni_reply, &|d| field(d, 1) == Some(i128::from(code))),
        _ => None,
    }
}

static IPADDR_OPTCODES: &[(i128, &str)] = &[
    (1, "Old Care-Of Address"),
    (2, "New Care-Of Address"),
    (3, "NAR's IP address"),
];
static LLA_OPTCODES: &[(i128, &str)] = &[
    (0, "Wildcard requesting resolution for all nearby AP"),
    (1, "LLA for the new AP"),
    (2, "LLA of the MN"),
    (3, "LLA of the NAR"),
    (4, "LLA of the src of TrSolPr or PrRtAdv msg"),
    (5, "AP identified by LLA belongs to current iface of router"),
    (6, "No preifx info available for AP identified by the LLA"),
    (7, "No fast handovers support for AP identified by the LLA"),
];
static PREF64_PLC: &[(i128, &str)] = &[
    (0, "/96"),
    (1, "/64"),
    (2, "/56"),
    (3, "/48"),
    (4, "/40"),
    (5, "/32"),
];

/// DomainNameListField: DNS names in wire form (length-prefixed labels, each name ending
/// with the root's empty label), shown with their trailing dots; dissection stops at the
/// option's zero padding.
struct DomainNameListField {
    length_from: LengthFn,
}

impl DomainNameListField {
    fn encode(v: &Value) -> Result<Vec<u8>, String> {
        let mut out = Vec::new();
        let Value::List(names) = v else {
            return match v {
                Value::None => Ok(out),
                other => Err(format!("a search list is a list, not {}", other.py_repr())),
            };
        };
        for n in names {
            let text = match n {
                Value::Str(s) => s.clone().into_bytes(),
                Value::Bytes(b) => b.clone(),
                other => return Err(format!("a domain name is a str, not {}", other.py_repr())),
            };
            for label in text.split(|&c| c == b'.').filter(|l| !l.is_empty()) {
                out.push(label.len().min(63) as u8);
                out.extend_from_slice(&label[..label.len().min(63)]);
            }
            out.push(0);
        }
        Ok(out)
    }
}

impl FieldKind for DomainNameListField {
    fn class_name(&self) -> &str {
        "DomainNameListField"
    }
    fn is_list(&self) -> bool {
        true
    }
    fn any2i(&self, _layer: &LayerData, v: Value) -> Result<Value, FieldError> {
        // Names are kept with their trailing dot, as the reference normalizes them.
        let dotted = |s: &str| {
            if s.ends_with('.') {
                s.to_string()
            } else {
                format!("{s}.")
            }
        };
        Ok(match v {
            Value::List(l) => Value::List(
                l.into_iter()
                    .map(|n| match n {
                        Value::Str(s) => Value::Str(dotted(&s)),
                        Value::Bytes(b) => Value::Str(dotted(&String::from_utf8_lossy(&b))),
                        other => other,
                    })
                    .collect(),
            ),
            other => other,
        })
    }
    fn addfield(&self, _ctx: &BuildCtx<'_>, v: &Value, out: &mut Vec<u8>) -> Result<(), String> {
        out.extend(Self::encode(v)?);
        Ok(())
    }
    fn getfield(
        &self,
        ctx: &mut DissectCtx<'_>,
        s: &[u8],
    ) -> Result<(usize, Option<Value>), Truncated> {
        let n = usize::try_from((self.length_from)(ctx.layer))
            .unwrap_or(0)
            .min(s.len());
        let x = &s[..n];
        let mut names = Vec::new();
        let mut pos = 0;
        while pos < x.len() && x[pos] != 0 {
            let mut name = String::new();
            while pos < x.len() && x[pos] != 0 {
                let l = usize::from(x[pos]);
                let end = (pos + 1 + l).min(x.len());
                name.push_str(&String::from_utf8_lossy(&x[pos + 1..end]));
                name.push('.');
                pos = end;
            }
            pos += 1;
            names.push(Value::Str(name));
        }
        Ok((n, Some(Value::List(names))))
    }
    fn i2repr(&self, _layer: &LayerData, v: &Value) -> String {
        v.py_repr()
    }
    fn i2len(&self, _layer: &LayerData, v: &Value) -> usize {
        Self::encode(v).map_or(0, |b| b.len())
    }
}

/// _PREF64: the 96 high bits of a NAT64 prefix.
struct Pref64Field;

impl FieldKind for Pref64Field {
    fn class_name(&self) -> &str {
        "_PREF64"
    }
    fn any2i(&self, layer: &LayerData, v: Value) -> Result<Value, FieldError> {
        Ip6Field::rc("IP6Field").any2i(layer, v)
    }
    fn addfield(&self, ctx: &BuildCtx<'_>, v: &Value, out: &mut Vec<u8>) -> Result<(), String> {
        let mut full = Vec::new();
        Ip6Field::rc("IP6Field").addfield(ctx, v, &mut full)?;
        out.extend_from_slice(&full[..full.len().min(12)]);
        Ok(())
    }
    fn getfield(
        &self,
        _ctx: &mut DissectCtx<'_>,
        s: &[u8],
    ) -> Result<(usize, Option<Value>), Truncated> {
        if s.len() < 12 {
            return Err(Truncated);
        }
        let mut b = [0u8; 16];
        b[..12].copy_from_slice(&s[..12]);
        Ok((12, Some(Value::Ip6(Ipv6Addr::from(b)))))
    }
    fn i2repr(&self, _layer: &LayerData, v: &Value) -> String {
        match v {
            Value::Ip6(a) => a.to_string(),
            other => other.py_repr(),
        }
    }
    fn i2len(&self, _layer: &LayerData, _v: &Value) -> usize {
        12
    }
}

/// The Neighbor Discovery options beyond RFC 4861's: inverse ND address lists, Mobile IPv6
/// and fast handover options, MAP, expanded flags, DNS search list, captive portal, PREF64,
/// NBMA shortcut limit.
fn more_nd_options(cl: &Shared) -> Vec<LayerDef> {
    let opt = |class: &str, name: &str, f: Vec<FieldDef>| {
        LayerDef::new(class, name, f).with_hooks(Hooks {
            guess_payload: Some(nd_guess(cl)),
            ..Hooks::default()
        })
    };
    let ty = |t: i128| FieldDef::new("type", byte(), Value::Int(t));
    let len = |n: i128| FieldDef::new("len", byte(), Value::Int(n));
    let ip6 = |n: &str| {
        FieldDef::new(
            n,
            Ip6Field::rc("IP6Field"),
            Value::Ip6(Ipv6Addr::UNSPECIFIED),
        )
    };
    let addr_list = |t: i128, class: &str, name: &str| {
        let list_len = Num::new("FieldLenField", Width::Bytes(1), NumDisplay::Dec)
            .computed(count_of("addrlist", |x| 2 * x + 1))
            .rc();
        opt(
            class,
            name,
            vec![
                ty(t),
                FieldDef::new("len", list_len, Value::None),
                FieldDef::new("res", StrField::fixed(6), Value::Bytes(vec![0; 6])),
                FieldDef::new(
                    "addrlist",
                    Ip6ListField::length(Rc::new(|d: &LayerData| {
                        8 * (d.int("len").unwrap_or(1) - 1)
                    })),
                    Value::List(Vec::new()),
                ),
            ],
        )
    };
    let mut adv_interval = opt(
        "ICMPv6NDOptAdvInterval",
        "ICMPv6 Neighbor Discovery - Interval Advertisement",
        vec![
            ty(7),
            len(1),
            FieldDef::new("res", short(), Value::Int(0)),
            FieldDef::new("advint", int(), Value::Int(0)),
        ],
    );
    adv_interval.hooks.mysummary = Some(Rc::new(|p| {
        summary_with(p, |d, name| {
            format!("{name} {} milliseconds", layer_field_repr(d, "advint"))
        })
    }));
    let mut ha_info = opt(
        "ICMPv6NDOptHAInfo",
        "ICMPv6 Neighbor Discovery - Home Agent Information",
        vec![
            ty(8),
            len(1),
            FieldDef::new("res", short(), Value::Int(0)),
            FieldDef::new("pref", short(), Value::Int(0)),
            FieldDef::new("lifetime", short(), Value::Int(1)),
        ],
    );
    ha_info.hooks.mysummary = Some(Rc::new(|p| {
        summary_with(p, |d, name| {
            format!(
                "{name} {} {} seconds",
                layer_field_repr(d, "pref"),
                layer_field_repr(d, "lifetime")
            )
        })
    }));
    let ip_addr = opt(
        "ICMPv6NDOptIPAddr",
        "ICMPv6 Neighbor Discovery - IP Address Option (FH for MIPv6)",
        vec![
            ty(17),
            len(3),
            FieldDef::new(
                "optcode",
                fields::byte_enum(names(IPADDR_OPTCODES)),
                Value::Int(1),
            ),
            FieldDef::new("plen", byte(), Value::Int(64)),
            FieldDef::new("res", int(), Value::Int(0)),
            ip6("addr"),
        ],
    );
    let new_prefix = opt(
        "ICMPv6NDOptNewRtrPrefix",
        "ICMPv6 Neighbor Discovery - New Router Prefix Information Option (FH for MIPv6)",
        vec![
            ty(18),
            len(3),
            FieldDef::new("optcode", byte(), Value::Int(0)),
            FieldDef::new("plen", byte(), Value::Int(64)),
            FieldDef::new("res", int(), Value::Int(0)),
            ip6("prefix"),
        ],
    );
    let lla = opt(
        "ICMPv6NDOptLLA",
        "ICMPv6 Neighbor Discovery - Link-Layer Address (LLA) Option (FH for MIPv6)",
        vec![
            ty(19),
            len(1),
            FieldDef::new(
                "optcode",
                fields::byte_enum(names(LLA_OPTCODES)),
                Value::Int(0),
            ),
            FieldDef::new("lla", MacField::plain(), Value::Mac([0; 6])),
        ],
    );
    let map = opt(
        "ICMPv6NDOptMAP",
        "ICMPv6 Neighbor Discovery - MAP Option",
        vec![
            ty(23),
            len(3),
            FieldDef::new("dist", fields::bits(4), Value::Int(1)),
            FieldDef::new("pref", fields::bits(4), Value::Int(15)),
            FieldDef::new("R", fields::bits(1), Value::Int(1)),
            FieldDef::new("res", fields::bits(7), Value::Int(0)),
            FieldDef::new("validlifetime", int(), Value::Int(0xffff_ffff)),
            ip6("addr"),
        ],
    );
    let efa = opt(
        "ICMPv6NDOptEFA",
        "ICMPv6 Neighbor Discovery Option - Expanded Flags Option",
        vec![
            ty(26),
            len(1),
            FieldDef::new("res", fields::bits(48), Value::Int(0)),
        ],
    );
    let dnssl_list = Rc::new(DomainNameListField {
        length_from: Rc::new(|d: &LayerData| 8 * (d.int("len").unwrap_or(1) - 1)),
    });
    let mut dnssl = opt(
        "ICMPv6NDOptDNSSL",
        "ICMPv6 Neighbor Discovery Option - DNS Search List Option",
        vec![
            ty(31),
            FieldDef::new(
                "len",
                Num::new("FieldLenField", Width::Bytes(1), NumDisplay::Dec).rc(),
                Value::None,
            ),
            FieldDef::new("res", short(), Value::None),
            FieldDef::new("lifetime", int(), Value::Int(0xffff_ffff)),
            FieldDef::new("searchlist", dnssl_list, Value::List(Vec::new())),
        ],
    );
    dnssl.hooks.post_build = Some(Rc::new(|d, mut hdr, pay, _| {
        // An unset length covers the names padded with zeros to a multiple of 8 bytes.
        if unset(d, "len") && hdr.len() > 1 {
            let units = hdr.len().div_ceil(8);
            hdr.resize(units * 8, 0);
            hdr[1] = units.min(255) as u8;
        }
        hdr.extend_from_slice(pay);
        Ok(hdr)
    }));
    dnssl.hooks.mysummary = Some(Rc::new(|p| {
        summary_with(p, |d, name| {
            let list = match d.get("searchlist") {
                Some(Value::List(l)) => l
                    .iter()
                    .map(|v| match v {
                        Value::Str(s) => s.clone(),
                        other => other.py_repr(),
                    })
                    .collect::<Vec<_>>()
                    .join(", "),
                _ => String::new(),
            };
            format!("{name} {list}")
        })
    }));
    let portal_len = Num::new("FieldLenField", Width::Bytes(1), NumDisplay::Dec)
        .computed(length_of("URI", |x| (x + 2 + 7) / 8))
        .rc();
    let mut portal = opt(
        "ICMPv6NDOptCaptivePortal",
        "ICMPv6 Neighbor Discovery Option - Captive-Portal Option",
        vec![
            ty(37),
            FieldDef::new("len", portal_len, Value::None),
            FieldDef::new(
                "URI",
                Rc::new(NdOptDataField {
                    inner: StrField::length_from(Rc::new(|d: &LayerData| {
                        8 * d.int("len").unwrap_or(0).max(1) - 2
                    })),
                    strip_zeros: true,
                }),
                Value::Bytes(Vec::new()),
            ),
        ],
    );
    portal.hooks.mysummary = Some(Rc::new(|p| {
        summary_with(p, |d, name| {
            format!("{name} {}", layer_field_repr(d, "URI"))
        })
    }));
    let mut pref64 = opt(
        "ICMPv6NDOptPREF64",
        "ICMPv6 Neighbor Discovery Option - PREF64 Option",
        vec![
            ty(38),
            len(2),
            FieldDef::new("scaledlifetime", fields::bits(13), Value::Int(0)),
            FieldDef::new("plc", fields::bit_enum(3, names(PREF64_PLC)), Value::Int(0)),
            FieldDef::new(
                "prefix",
                Rc::new(Pref64Field),
                Value::Ip6(Ipv6Addr::UNSPECIFIED),
            ),
        ],
    );
    pref64.hooks.mysummary = Some(Rc::new(|p| {
        summary_with(p, |d, name| {
            format!(
                "{name} {}{}",
                layer_field_repr(d, "prefix"),
                layer_field_repr(d, "plc")
            )
        })
    }));
    let shortcut = opt(
        "ICMPv6NDOptShortcutLimit",
        "ICMPv6 Neighbor Discovery Option - NBMA Shortcut Limit",
        vec![
            ty(6),
            len(1),
            FieldDef::new("shortcutlim", byte(), Value::Int(40)),
            FieldDef::new("res1", byte(), Value::Int(0)),
            FieldDef::new("res2", int(), Value::Int(0)),
        ],
    );
    vec![
        addr_list(
            9,
            "ICMPv6NDOptSrcAddrList",
            "ICMPv6 Inverse Neighbor Discovery Option - Source Address List",
        ),
        addr_list(
            10,
            "ICMPv6NDOptTgtAddrList",
            "ICMPv6 Inverse Neighbor Discovery Option - Target Address List",
        ),
        adv_interval,
        ha_info,
        ip_addr,
        new_prefix,
        lla,
        map,
        efa,
        dnssl,
        portal,
        pref64,
        shortcut,
    ]
}

fn mld(parent: &Rc<LayerDef>) -> Vec<LayerDef> {
    let query = icmp6_layer(
        "ICMPv6MLQuery",
        "MLD - Multicast Listener Query",
        ml_fields(130, 10000),
        parent,
    );
    let mut report = icmp6_layer(
        "ICMPv6MLReport",
        "MLD - Multicast Listener Report",
        ml_fields(131, 0),
        parent,
    );
    report.hooks.answers = Some(Rc::new(|_, q| q.haslayer("ICMPv6MLQuery")));
    let done = icmp6_layer(
        "ICMPv6MLDone",
        "MLD - Multicast Listener Done",
        ml_fields(132, 0),
        parent,
    );
    let mut q2f = ml_fields(130, 10000);
    q2f.extend([
        FieldDef::new("Resv", fields::bits(4), Value::Int(0)),
        FieldDef::new("S", fields::bits(1), Value::Int(0)),
        FieldDef::new("QRV", fields::bits(3), Value::Int(0)),
        FieldDef::new("QQIC", byte(), Value::Int(0)),
        FieldDef::new("sources_number", short(), Value::None),
        FieldDef::new(
            "sources",
            Ip6ListField::count(Rc::new(|d: &LayerData| {
                d.int("sources_number").unwrap_or(0)
            })),
            Value::List(Vec::new()),
        ),
    ]);
    let mut query2 = icmp6_layer(
        "ICMPv6MLQuery2",
        "MLDv2 - Multicast Listener Query",
        q2f,
        parent,
    );
    query2.hooks.post_build = Some(Rc::new(|d, mut hdr, pay, _| {
        if unset(d, "sources_number") {
            let n = addresses(d, "sources").len() as u16;
            put16(&mut hdr, 26, n);
        }
        Ok(icmp6_post_build(d, hdr, pay))
    }));
    vec![query, report, done, query2]
}

/// Builds MLDv2's report once its record class exists.
type ReportFn = Box<dyn FnOnce(&Rc<LayerDef>) -> LayerDef>;

fn mld2_report(parent: &Rc<LayerDef>) -> (LayerDef, ReportFn) {
    let srcnum = Num::new("FieldLenField", Width::Bytes(2), NumDisplay::Dec)
        .computed(length_of("sources", |x| x / 16))
        .rc();
    let rec = LayerDef::new(
        "ICMPv6MLDMultAddrRec",
        "ICMPv6 MLDv2 - Multicast Address Record",
        vec![
            FieldDef::new("rtype", byte(), Value::Int(4)),
            FieldDef::new("auxdata_len", len_of("auxdata", |x| x), Value::None),
            FieldDef::new("sources_number", srcnum, Value::None),
            FieldDef::new(
                "dst",
                Ip6Field::rc("IP6Field"),
                Value::Ip6(Ipv6Addr::UNSPECIFIED),
            ),
            FieldDef::new(
                "sources",
                Ip6ListField::length(Rc::new(|d: &LayerData| {
                    16 * d.int("sources_number").unwrap_or(0)
                })),
                Value::List(Vec::new()),
            ),
            FieldDef::new(
                "auxdata",
                StrField::length_from(Rc::new(|d: &LayerData| d.int("auxdata_len").unwrap_or(0))),
                Value::Bytes(Vec::new()),
            ),
        ],
    );
    let parent = parent.clone();
    let report = move |rec: &Rc<LayerDef>| {
        let mut d = icmp6_layer(
            "ICMPv6MLReport2",
            "MLDv2 - Multicast Listener Report",
            vec![
                icmp6_type(143),
                FieldDef::new("res", byte(), Value::Int(0)),
                cksum(),
                FieldDef::new("reserved", short(), Value::Int(0)),
                FieldDef::new("records_number", short(), Value::None),
                FieldDef::new(
                    "records",
                    PacketListField::scapy(
                        PktCls::Class(rec.clone()),
                        Some(Rc::new(|d: &LayerData| {
                            d.int("records_number").unwrap_or(0)
                        })),
                        None,
                        None,
                        None,
                    ),
                    Value::List(Vec::new()),
                ),
            ],
            &parent,
        );
        d.hooks.post_build = Some(Rc::new(|d, mut hdr, pay, _| {
            if unset(d, "records_number") {
                let n = match d.get("records") {
                    Some(Value::List(l)) => l.len() as u16,
                    _ => 0,
                };
                put16(&mut hdr, 6, n);
            }
            Ok(icmp6_post_build(d, hdr, pay))
        }));
        d.hooks.answers = Some(Rc::new(|_, q| q.def().is_a_name("ICMPv6MLQuery2")));
        d
    };
    (rec, Box::new(report))
}

// ---------------------------------------------------------------------------------------
// Matching
// ---------------------------------------------------------------------------------------

fn is_multicast(a: &Ipv6Addr) -> bool {
    a.octets()[0] == 0xff
}

fn xor16(a: &Ipv6Addr, b: &Ipv6Addr) -> Vec<u8> {
    a.octets()
        .iter()
        .zip(b.octets())
        .map(|(x, y)| x ^ y)
        .collect()
}

fn icmp6_type_of(p: &Option<Packet>) -> Option<i128> {
    let p = p.as_ref()?;
    p.def()
        .is_a_name("_ICMPv6")
        .then(|| p.data().int("type"))
        .flatten()
}

/// IPv6's hashret: ICMPv6 errors hash as the packet they quote; otherwise source xor
/// destination (the final one with a routing header, the home address with HAO), the upper
/// next header, then the payload's hash.
fn ipv6_hashret(p: &Packet) -> Vec<u8> {
    let conf = matching::conf();
    let d = p.data();
    let nh = d.int("nh").unwrap_or(59);
    let pay = d.payload().cloned();
    drop(d);
    let pay_is = |c: &str| pay.as_ref().is_some_and(|q| q.def().is_a_name(c));
    if nh == 58 {
        if let Some(t) = icmp6_type_of(&pay) {
            let q = pay.as_ref().map(|q| q.payload());
            if t < 128 {
                return match q.flatten() {
                    Some(inner) => inner.hashret(),
                    None => Vec::new(),
                };
            }
            if [133, 134, 135, 136, 144, 145].contains(&t) {
                let mut out = vec![58u8];
                out.extend(pay.as_ref().map(Packet::hashret).unwrap_or_default());
                return out;
            }
        }
    }
    if !conf.check_ip_in_ip && (nh == 4 || nh == 41) {
        return payload_hashret(p);
    }
    let d = p.data();
    let (mut ss, mut sd) = ipv6_src_dst(&d);
    drop(d);
    let mut up = nh;
    let payd = pay.as_ref().map(|q| q.data());
    if let Some(pd) = payd.as_deref() {
        if nh == 43 && pay_is("IPv6ExtHdrRouting") {
            up = pd.int("nh").unwrap_or(59);
            let addrs = addresses(pd, "addresses");
            let mut x = addrs
                .last()
                .copied()
                .unwrap_or(Ipv6Addr::LOCALHOST)
                .octets();
            for a in &addrs {
                for (b, c) in x.iter_mut().zip(a.octets()) {
                    *b ^= c;
                }
            }
            sd = Ipv6Addr::from(x);
        }
        if nh == 43 && pay_is("IPv6ExtHdrSegmentRouting") {
            sd = addresses(pd, "addresses").first().copied().unwrap_or(sd);
        }
        if (nh == 44 && pay_is("IPv6ExtHdrFragment")) || (nh == 0 && pay_is("IPv6ExtHdrHopByHop")) {
            up = pd.int("nh").unwrap_or(59);
        }
        if nh == 60 && pay_is("IPv6ExtHdrDestOpt") {
            if let Some(Value::List(opts)) = pd.get("options") {
                for o in opts {
                    if let Value::Packet(o) = o {
                        if o.def().is_a_name("HAO") {
                            ss = addr_of(&o.data(), "hoa").unwrap_or(ss);
                        }
                    }
                }
            }
            up = pd.int("nh").unwrap_or(59);
        }
    }
    drop(payd);
    let mut out = Vec::new();
    if conf.check_ip_src && conf.check_ip_addr && !is_multicast(&sd) {
        out.extend(xor16(&sd, &ss));
    }
    out.push(up as u8);
    out.extend(payload_hashret(p));
    out
}

fn ipv6_answers(me: &Packet, other: &Packet) -> bool {
    let conf = matching::conf();
    let mine = me.data();
    let nh = mine.int("nh").unwrap_or(59);
    let my_pay = mine.payload().cloned();
    let (_, sd) = ipv6_src_dst(&mine);
    drop(mine);
    let odef = other.def();
    if !conf.check_ip_in_ip {
        if nh == 4 || nh == 41 {
            return matching::opt_answers(&my_pay, other);
        }
        let inner = |f: &str| other.data().int(f).is_some_and(|v| v == 4 || v == 41);
        if (odef.is_a_name("IPv6") && inner("nh")) || (odef.is_a_name("IP") && inner("proto")) {
            return match other.payload() {
                Some(op) => me.answers(&op),
                None => false,
            };
        }
    }
    if !odef.is_a_name("IPv6") {
        return false;
    }
    let od = other.data();
    let (os, odst) = ipv6_src_dst(&od);
    let onh = od.int("nh").unwrap_or(59);
    let opay = od.payload().cloned();
    drop(od);
    if conf.check_ip_addr {
        if is_multicast(&odst) {
            if is_multicast(&sd) {
                let ll_all = sd == "ff02::1".parse::<Ipv6Addr>().unwrap_or(sd);
                let servers = odst == "ff02::2".parse::<Ipv6Addr>().unwrap_or(odst);
                if odst == sd || (ll_all && servers) {
                    return payload_answers(&my_pay, &opay);
                }
                return false;
            }
            if os == sd {
                return payload_answers(&my_pay, &opay);
            }
            return false;
        } else if sd != os {
            return false;
        }
    }
    let opay_is = |c: &str| opay.as_ref().is_some_and(|q| q.def().is_a_name(c));
    let pay_of = |p: &Option<Packet>| p.as_ref().and_then(Packet::payload);
    if nh == 58 && icmp6_type_of(&my_pay).is_some_and(|t| t < 128) {
        return matching::opt_answers(&pay_of(&my_pay), other);
    }
    if onh == 0 && opay_is("IPv6ExtHdrHopByHop") {
        return payload_answers(&my_pay, &opay);
    }
    if (onh == 44 && opay_is("IPv6ExtHdrFragment"))
        || (onh == 43 && (opay_is("IPv6ExtHdrRouting") || opay_is("IPv6ExtHdrSegmentRouting")))
    {
        return payload_answers(&my_pay, &pay_of(&opay));
    }
    if onh == 60 && opay_is("IPv6ExtHdrDestOpt") {
        for l4 in ["UDP", "TCP"] {
            if let (Some(a), Some(b)) = (me.getlayer(l4, 1), other.getlayer(l4, 1)) {
                return a.answers(&b);
            }
        }
        return payload_answers(&my_pay, &pay_of(&opay));
    }
    if nh == 60
        && my_pay
            .as_ref()
            .is_some_and(|q| q.def().is_a_name("IPv6ExtHdrDestOpt"))
    {
        return payload_answers(&pay_of(&my_pay), &opay);
    }
    if nh != onh {
        return false;
    }
    payload_answers(&my_pay, &opay)
}

/// IPerror6.answers: the quoted header has the request's addresses (or its source, when
/// the request carried a routing header), and the quoted upper layer starts as the
/// request's did.
fn iperror6_answers(me: &Packet, other: &Packet) -> bool {
    if !other.def().is_a_name("IPv6") {
        return false;
    }
    let (ss, sd) = ipv6_src_dst(&me.data());
    let (os, od) = ipv6_src_dst(&other.data());
    let in_error = me
        .underlayer()
        .and_then(|u| icmp6_type_of(&Some(u)))
        .is_some_and(|t| t < 128);
    if !in_error {
        return false;
    }
    let skip_ext = |p: Option<Packet>, rh: &mut bool| {
        let mut p = p;
        while let Some(l) = p.clone() {
            let def = l.def();
            if !def.is_a_name("_IPv6ExtHdr") {
                break;
            }
            if def.is_a_name("IPv6ExtHdrRouting") {
                *rh = true;
            }
            p = l.payload();
        }
        p
    };
    let mut unused = false;
    let selfup = skip_ext(me.payload(), &mut unused);
    let mut request_has_rh = false;
    let otherup = skip_ext(other.payload(), &mut request_has_rh);
    // The basic case, or a request with a routing header (its destination is not the
    // one the error quotes).
    if ss != os || (sd != od && !request_has_rh) {
        return false;
    }
    let bytes = |p: &Option<Packet>| {
        p.as_ref()
            .map(|q| build::build(q).unwrap_or_default())
            .unwrap_or_default()
    };
    let (s1, s2) = (bytes(&selfup), bytes(&otherup));
    let n = s1.len().min(s2.len());
    s1[..n] == s2[..n]
}

/// The ICMPv6 default: quoted in an error (or after an extension header), a message answers
/// one of the same type and code.
fn icmp6_answers(me: &Packet, other: &Packet) -> bool {
    let under = me.underlayer().map(|u| u.def());
    let quoted = under.as_ref().is_some_and(|u| u.is_a_name("IPerror6"));
    let after_ext = under.as_ref().is_some_and(|u| u.is_a_name("_IPv6ExtHdr"));
    if quoted || (after_ext && other.def().is_a_name("_ICMPv6")) {
        let a = me.data();
        let b = other.data();
        return a.int("type") == b.int("type") && a.int("code") == b.int("code");
    }
    false
}

fn echo_hashret(p: &Packet) -> Vec<u8> {
    let (id, seq) = {
        let d = p.data();
        (d.int("id").unwrap_or(0), d.int("seq").unwrap_or(0))
    };
    // struct.pack("HH") in the reference: host (little-endian) order.
    let mut out = Vec::new();
    out.extend_from_slice(&(id as u16).to_le_bytes());
    out.extend_from_slice(&(seq as u16).to_le_bytes());
    out.extend(payload_hashret(p));
    out
}

// ---------------------------------------------------------------------------------------
// Registration
// ---------------------------------------------------------------------------------------

/// Registers IPv6, its extension headers, ICMPv6 and their bindings (after `inet`).
pub fn register(reg: &Registry) {
    let cl: Shared = Rc::new(RefCell::new(Classes::default()));
    let ip6 = reg.register(ipv6(&cl));
    let ext = Rc::new(ext_abstract());
    let icmp6 = Rc::new(LayerDef::new("_ICMPv6", "ICMPv6 dummy class", vec![]));

    // Options of the hop-by-hop and destination headers.
    let opts: Vec<Rc<LayerDef>> = option_layers()
        .into_iter()
        .map(|d| reg.register(d))
        .collect();
    let by_name = |v: &[Rc<LayerDef>], n: &str| {
        v.iter()
            .find(|d| d.class_name == n)
            .cloned()
            .expect("built-in inet6 class")
    };
    let unknown_opt = by_name(&opts, "HBHOptUnknown");
    let opt_table: Vec<(u8, Rc<LayerDef>)> = vec![
        (0, by_name(&opts, "Pad1")),
        (1, by_name(&opts, "PadN")),
        (5, by_name(&opts, "RouterAlert")),
        (0xc2, by_name(&opts, "Jumbo")),
        (0xc9, by_name(&opts, "HAO")),
    ];
    let opt_dispatch: fields::DispatchFn = Rc::new(move |s: &[u8]| {
        let t = s.first().copied().unwrap_or(0);
        opt_table
            .iter()
            .find(|(k, _)| *k == t)
            .map_or_else(|| unknown_opt.clone(), |(_, d)| d.clone())
    });
    let hbh = reg.register(options_header(
        "IPv6ExtHdrHopByHop",
        "IPv6 Extension Header - Hop-by-Hop Options Header",
        &cl,
        opt_dispatch.clone(),
        &ext,
    ));
    let dest = reg.register(options_header(
        "IPv6ExtHdrDestOpt",
        "IPv6 Extension Header - Destination Options Header",
        &cl,
        opt_dispatch,
        &ext,
    ));
    let rt = reg.register(routing(&cl, &ext));
    let (generic_tlv, tlvs) = sr_tlvs();
    let generic_tlv = reg.register(generic_tlv);
    let tlvs: Vec<Rc<LayerDef>> = tlvs
        .into_iter()
        .map(|d| reg.register(with_parent(d, &generic_tlv)))
        .collect();
    let tlv_table: Vec<(i128, Rc<LayerDef>)> = tlvs
        .iter()
        .map(|d| (d.fields[0].default.as_int().unwrap_or(-1), d.clone()))
        .collect();
    let g = generic_tlv.clone();
    let tlv_dispatch: fields::DispatchFn = Rc::new(move |s: &[u8]| {
        let t = i128::from(s.first().copied().unwrap_or(0));
        tlv_table
            .iter()
            .find(|(k, _)| *k == t)
            .map_or_else(|| g.clone(), |(_, d)| d.clone())
    });
    let srh = reg.register(segment_routing(&cl, &ext, tlv_dispatch));
    let frag = reg.register(fragment_header(&cl, &ext));

    // IPerror6 and the ICMPv6 messages.
    let mut iperror6 = LayerDef::derive(&ip6, "IPerror6", "IPv6 in ICMPv6");
    iperror6.hooks.mysummary = None;
    iperror6.hooks.answers = Some(Rc::new(iperror6_answers));
    let iperror6 = reg.register(iperror6);
    let reg_all = |v: Vec<LayerDef>| -> Vec<Rc<LayerDef>> {
        v.into_iter().map(|d| reg.register(d)).collect()
    };
    let unknown = reg.register(icmp6_layer(
        "ICMPv6Unknown",
        "Scapy6 ICMPv6 fallback class",
        vec![
            icmp6_type(1),
            FieldDef::new("code", byte(), Value::Int(0)),
            cksum(),
            FieldDef::new("msgbody", StrField::rest(), Value::Bytes(Vec::new())),
        ],
        &icmp6,
    ));
    let errors = reg_all(vec![
        icmp6_error(
            "ICMPv6DestUnreach",
            "ICMPv6 Destination Unreachable",
            ext_fields(UNREACH6_CODES, 1),
            &icmp6,
            &iperror6,
        ),
        icmp6_error(
            "ICMPv6PacketTooBig",
            "ICMPv6 Packet Too Big",
            vec![
                icmp6_type(2),
                FieldDef::new("code", byte(), Value::Int(0)),
                cksum(),
                FieldDef::new("mtu", int(), Value::Int(1280)),
            ],
            &icmp6,
            &iperror6,
        ),
        icmp6_error(
            "ICMPv6TimeExceeded",
            "ICMPv6 Time Exceeded",
            ext_fields(TIME_EXCEEDED6_CODES, 3),
            &icmp6,
            &iperror6,
        ),
        icmp6_error(
            "ICMPv6ParamProblem",
            "ICMPv6 Parameter Problem",
            vec![
                icmp6_type(4),
                FieldDef::new(
                    "code",
                    fields::byte_enum(names(PARAM_PROBLEM6_CODES)),
                    Value::Int(0),
                ),
                cksum(),
                FieldDef::new("ptr", int(), Value::Int(6)),
            ],
            &icmp6,
            &iperror6,
        ),
    ]);
    let echo_summary: crate::packet::layer::SummaryFn = Rc::new(|p| {
        summary_with(p, |d, name| {
            format!(
                "{name} (id: {} seq: {})",
                layer_field_repr(d, "id"),
                layer_field_repr(d, "seq")
            )
        })
    });
    let mut echo_req = icmp6_layer(
        "ICMPv6EchoRequest",
        "ICMPv6 Echo Request",
        vec![
            icmp6_type(128),
            FieldDef::new("code", byte(), Value::Int(0)),
            cksum(),
            FieldDef::new("id", xshort(), Value::Int(0)),
            FieldDef::new("seq", xshort(), Value::Int(0)),
            FieldDef::new("data", StrField::rest(), Value::Bytes(Vec::new())),
        ],
        &icmp6,
    );
    echo_req.hooks.mysummary = Some(echo_summary);
    echo_req.hooks.hashret = Some(Rc::new(echo_hashret));
    let echo_req = reg.register(echo_req);
    let mut echo_rep = LayerDef::derive(&echo_req, "ICMPv6EchoReply", "ICMPv6 Echo Reply");
    echo_rep.fields[0].default = Value::Int(129);
    echo_rep.hooks.answers = Some(Rc::new(|me, other| {
        if !other.def().is_a_name("ICMPv6EchoRequest") {
            return false;
        }
        let (a, b) = (me.data(), other.data());
        ["id", "seq", "data"].iter().all(|f| a.get(f) == b.get(f))
    }));
    let echo_rep = reg.register(echo_rep);
    let nd = reg_all(nd_messages(&cl, &icmp6));
    let mut ndopts = reg_all(nd_options(&cl, &ip6));
    ndopts.extend(reg_all(more_nd_options(&cl)));
    let discovery = reg_all(discovery_messages(&cl, &icmp6));
    let (ni_query, ni_reply) = node_information(reg, &icmp6);
    let ml = reg_all(mld(&icmp6));
    let (rec, report2) = mld2_report(&icmp6);
    // A record is followed by another (Scapy's default_payload_class).
    let rec = Rc::new_cyclic(|me: &Weak<LayerDef>| {
        let me = me.clone();
        rec.with_hooks(Hooks {
            guess_payload: Some(Rc::new(move |_, _| me.upgrade())),
            ..Hooks::default()
        })
    });
    reg.add(rec.clone());
    let report2 = reg.register(report2(&rec));

    // Payload tables.
    {
        let mut c = cl.borrow_mut();
        let w = Rc::downgrade;
        let tcp = reg.get("TCP");
        let udp = reg.get("UDP");
        let ip = reg.get("IP");
        c.nh = vec![
            (0, w(&hbh)),
            // The reference reads IPv6 in IPv6 after any extension header too.
            (41, w(&ip6)),
            (43, w(&rt)),
            (44, w(&frag)),
            (58, w(&unknown)),
            (60, w(&dest)),
        ];
        for (n, d) in [(4, &ip), (6, &tcp), (17, &udp)] {
            if let Some(d) = d {
                c.nh.push((n, w(d)));
            }
        }
        let all_icmp: Vec<&Rc<LayerDef>> = errors
            .iter()
            .chain([&echo_req, &echo_rep])
            .chain(nd.iter())
            .chain(ml.iter().take(3))
            .chain([&report2])
            .chain(discovery.iter())
            .collect();
        c.icmp6 = all_icmp
            .iter()
            .map(|d| (d.fields[0].default.as_int().unwrap_or(-1), w(d)))
            .collect();
        c.mlquery2 = ml.get(3).map(w).unwrap_or_default();
        c.ni_query = ni_query.iter().map(w).collect();
        c.ni_reply = ni_reply.iter().map(w).collect();
        c.srh = w(&srh);
        c.ndopts = ndopts
            .iter()
            .skip(1)
            .map(|d| (d.fields[0].default.as_int().unwrap_or(-1), w(d)))
            .collect();
        c.ndopt_unknown = w(&ndopts[0]);
        c.tcperror = reg.get("TCPerror").as_ref().map(w).unwrap_or_default();
        c.udperror = reg.get("UDPerror").as_ref().map(w).unwrap_or_default();
    }

    // Bindings.
    let b = |lower: &Rc<LayerDef>, upper: &Rc<LayerDef>, f: &[(&str, Value)]| {
        // Built-in tables name only fields that exist: a failure is a bug in this file.
        bind_layers(lower, upper, f).expect("built-in inet6 binding");
    };
    let td = |lower: &Rc<LayerDef>, upper: &Rc<LayerDef>, f: &[(&str, Value)]| {
        bind_top_down(lower, upper, f).expect("built-in inet6 binding");
    };
    let nh = |n: i128| vec![("nh", Value::Int(n))];
    for (name, field, value) in [
        ("Ether", "type", 0x86dd),
        ("Dot1Q", "type", 0x86dd),
        ("SNAP", "code", 0x86dd),
        ("GRE", "proto", 0x86dd),
        ("IP", "proto", 41),
        ("CookedLinux", "proto", 0x86dd),
        ("CookedLinuxV2", "proto", 0x86dd),
        // AF_INET6 as the reference's Linux hosts number it.
        ("Loopback", "type", 10),
    ] {
        if let Some(lower) = reg.get(name) {
            b(&lower, &ip6, &[(field, Value::Int(value))]);
        }
    }
    for (name, n) in [("TCP", 6), ("UDP", 17), ("IP", 4), ("GRE", 47)] {
        if let Some(upper) = reg.get(name) {
            b(&ip6, &upper, &nh(n));
            // Extension headers take an upper layer's next header as IPv6 does.
            td(&ext, &upper, &nh(n));
        }
    }
    b(&ip6, &ip6, &nh(41));
    td(&ext, &ip6, &nh(41));
    if let (Some(tcpe), Some(udpe)) = (reg.get("TCPerror"), reg.get("UDPerror")) {
        b(&iperror6, &tcpe, &nh(6));
        b(&iperror6, &udpe, &nh(17));
    }
    for (hdr, n) in [(&hbh, 0), (&dest, 60), (&rt, 43), (&srh, 43), (&frag, 44)] {
        td(&ip6, hdr, &nh(n));
        td(&ext, hdr, &nh(n));
    }
    td(&ip6, &icmp6, &nh(58));
    td(&ext, &icmp6, &nh(58));
    let ip6s = |s: &str| Value::Str(s.to_string());
    let over = |dst: Option<&str>, hlim: i128| {
        let mut v = vec![("nh", Value::Int(58)), ("hlim", Value::Int(hlim))];
        if let Some(a) = dst {
            v.push(("dst", ip6s(a)));
        }
        v
    };
    for d in &nd {
        let dst = if d.class_name == "ICMPv6ND_RS" {
            "ff02::2"
        } else {
            "ff02::1"
        };
        td(&ip6, d, &over(Some(dst), 255));
    }
    for d in &discovery {
        let (dst, hlim) = match d.class_name.as_str() {
            "ICMPv6ND_INDSol" | "ICMPv6ND_INDAdv" => ("ff02::1", 255),
            "ICMPv6MRD_Advertisement" | "ICMPv6MRD_Solicitation" => ("ff02::2", 1),
            "ICMPv6MRD_Termination" => ("ff02::6a", 1),
            _ => continue,
        };
        td(&ip6, d, &over(Some(dst), hlim));
    }
    let ml_dst = [Some("ff02::1"), None, Some("ff02::2"), Some("ff02::1")];
    for (d, dst) in ml.iter().zip(ml_dst) {
        td(&ip6, d, &over(dst, 1));
    }
    td(&ip6, &report2, &over(Some("ff02::16"), 1));
}

#[cfg(test)]
mod tests {
    use crate::packet::{dissect, Registry, Value};

    fn unhex(s: &str) -> Vec<u8> {
        (0..s.len() / 2)
            .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap_or(0))
            .collect()
    }

    /// An echo request 2001:db8::1 > 2001:db8::2, id 1, seq 2, data "abc".
    const ECHO: &str = "60000000000b3a4020010db800000000000000000000000120010db800000000000000000000000280005fdf00010002616263";

    #[test]
    fn echo_request_field_by_field() {
        let reg = Registry::with_builtins();
        let p = dissect(&reg.def("IPv6").unwrap(), &unhex(ECHO));
        assert_eq!(p.get("plen"), Some(Value::Int(11)));
        assert_eq!(p.get("nh"), Some(Value::Int(58)));
        let e = p.getlayer("ICMPv6EchoRequest", 1).unwrap();
        assert_eq!(e.get("id"), Some(Value::Int(1)));
        assert_eq!(e.get("data"), Some(Value::Bytes(b"abc".to_vec())));
    }

    #[test]
    fn echo_request_builds_back() {
        let reg = Registry::with_builtins();
        let ip = reg
            .new_layer("IPv6")
            .unwrap()
            .with("src", "2001:db8::1")
            .unwrap()
            .with("dst", "2001:db8::2")
            .unwrap();
        let e = reg
            .new_layer("ICMPv6EchoRequest")
            .unwrap()
            .with("id", 1)
            .unwrap()
            .with("seq", 2)
            .unwrap()
            .with("data", &b"abc"[..])
            .unwrap();
        assert_eq!((&ip / &e).build().unwrap(), unhex(ECHO));
    }

    #[test]
    fn hop_by_hop_pads_to_eight() {
        let reg = Registry::with_builtins();
        let h = reg.new_layer("IPv6ExtHdrHopByHop").unwrap();
        assert_eq!(h.build().unwrap(), unhex("3b00010400000000"));
    }

    #[test]
    fn lying_option_lengths_do_not_panic() {
        let reg = Registry::with_builtins();
        let bytes = unhex("6000000000100040000000000000000000000000000000010000000000000000000000000000000111ff01ff0000000000350035ffff0000");
        let p = dissect(&reg.def("IPv6").unwrap(), &bytes);
        let _ = p.show();
        let _ = p.summary();
    }

    #[test]
    fn node_information_names_as_the_reference_writes_them() {
        use super::{ni_name, ni_query_name, ni_reply_names};
        // One label ends with two zeros, a dotted name with one, a trailing dot adds an
        // empty label.
        assert_eq!(ni_name(b"host"), b"\x04host\x00\x00");
        assert_eq!(ni_name(b"a.b"), b"\x01a\x01b\x00");
        assert_eq!(ni_name(b"a.b."), b"\x01a\x01b\x00\x00");
        assert_eq!(ni_name(b""), b"\x00\x00\x00");
        assert_eq!(ni_query_name(b"\x04host\x07"), b"host.");
        assert_eq!(ni_query_name(b"\xffab"), b"ab");
        assert_eq!(
            ni_reply_names(b"\x01a\x00\x00\x01b\x01c\x00\x00\x01d"),
            vec![b"a".to_vec(), b"b.c".to_vec()]
        );
    }

    #[test]
    fn node_information_replies_answer_by_nonce() {
        let reg = Registry::with_builtins();
        let ip6 = reg.def("IPv6").unwrap();
        // A name query for "host" and a reply with TTL 3, nonce "abcdefgh".
        let q = dissect(&ip6, &unhex("60000000001b3a4020010db800000000000000000000000120010db80000000000000000000000028b01000000020000616263646566676804686f73740000"));
        let r = dissect(&ip6, &unhex("60000000001f3a4020010db800000000000000000000000220010db80000000000000000000000018c0000000002000061626364656667680000000304686f73740000"));
        assert_eq!(
            q.summary(),
            "2001:db8::1 > 2001:db8::2 (58) / ICMPv6NIQueryName"
        );
        assert_eq!(
            r.summary(),
            "2001:db8::2 > 2001:db8::1 (58) / ICMPv6NIReplyName"
        );
        assert!(r.answers(&q));
        assert!(!q.answers(&r));
        assert!(q.hashret().ends_with(b"abcdefgh"));
        // Another nonce answers nothing.
        r.payload().unwrap().set("nonce", &b"zzzzzzzz"[..]).unwrap();
        assert!(!r.answers(&q));
    }
}
