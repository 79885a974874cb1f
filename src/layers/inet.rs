//! IPv4 and its companions: IP (with options), ICMP, TCP (with options), UDP, and the
//! "in ICMP" copies (IPerror, TCPerror, UDPerror, ICMPerror).
//!
//! ```text
//! IP    | ver(4b) ihl(4b) | tos | len (2) | id (2) | flags(3b) frag(13b) | ttl | proto | chksum (2) |
//!       | src (4) | dst (4) | options (ihl*4-20, padded to 4) |
//! ICMP  | type | code | chksum (2) | type-specific: id seq / gw / ptr / reserved length mtu ... |
//! TCP   | sport (2) | dport (2) | seq (4) | ack (4) | dataofs(4b) reserved(3b) flags(9b) |
//!       | window (2) | chksum (2) | urgptr (2) | options (dataofs*4-20) |
//! UDP   | sport (2) | dport (2) | len (2) | chksum (2) |
//! ```

use std::net::Ipv4Addr;
use std::rc::Rc;

use crate::packet::base;
use crate::packet::checksum::{checksum, in4_chksum};
use crate::packet::display::layer_field_repr;
use crate::packet::field::{BuildCtx, BuildError, DissectCtx, FieldDef, FieldKind, Truncated};
use crate::packet::fields::{
    self, byte, int, length_of, short, xbyte, xshort, EnumNames, FieldListField, IpField, Num,
    NumDisplay, PacketListField, StaticNames, StrField, StrLen, Width,
};
use crate::packet::kinds::IcmpTimeStampField;
use crate::packet::layer::{Hooks, LayerDef};
use crate::packet::matching::{self, opt_answers, payload_answers, payload_hashret};
use crate::packet::netdb;
use crate::packet::packet::{LayerData, Packet};
use crate::packet::registry::{bind_bottom_up, bind_layers, Registry};
use crate::packet::resolver::Resolver;
use crate::packet::value::{py_bytes_repr, Value};

/// ICMP message types.
static ICMP_TYPES: &[(i128, &str)] = &[
    (0, "echo-reply"),
    (3, "dest-unreach"),
    (4, "source-quench"),
    (5, "redirect"),
    (8, "echo-request"),
    (9, "router-advertisement"),
    (10, "router-solicitation"),
    (11, "time-exceeded"),
    (12, "parameter-problem"),
    (13, "timestamp-request"),
    (14, "timestamp-reply"),
    (15, "information-request"),
    (16, "information-response"),
    (17, "address-mask-request"),
    (18, "address-mask-reply"),
    (30, "traceroute"),
    (31, "datagram-conversion-error"),
    (32, "mobile-host-redirect"),
    (33, "ipv6-where-are-you"),
    (34, "ipv6-i-am-here"),
    (35, "mobile-registration-request"),
    (36, "mobile-registration-reply"),
    (37, "domain-name-request"),
    (38, "domain-name-reply"),
    (39, "skip"),
    (40, "photuris"),
];

static UNREACH_CODES: &[(i128, &str)] = &[
    (0, "network-unreachable"),
    (1, "host-unreachable"),
    (2, "protocol-unreachable"),
    (3, "port-unreachable"),
    (4, "fragmentation-needed"),
    (5, "source-route-failed"),
    (6, "network-unknown"),
    (7, "host-unknown"),
    (9, "network-prohibited"),
    (10, "host-prohibited"),
    (11, "TOS-network-unreachable"),
    (12, "TOS-host-unreachable"),
    (13, "communication-prohibited"),
    (14, "host-precedence-violation"),
    (15, "precedence-cutoff"),
];
static REDIRECT_CODES: &[(i128, &str)] = &[
    (0, "network-redirect"),
    (1, "host-redirect"),
    (2, "TOS-network-redirect"),
    (3, "TOS-host-redirect"),
];
static TIME_EXCEEDED_CODES: &[(i128, &str)] = &[
    (0, "ttl-zero-during-transit"),
    (1, "ttl-zero-during-reassembly"),
];
static PARAM_PROBLEM_CODES: &[(i128, &str)] =
    &[(0, "ip-header-bad"), (1, "required-option-missing")];
static PHOTURIS_CODES: &[(i128, &str)] = &[
    (0, "bad-spi"),
    (1, "authentication-failed"),
    (2, "decompression-failed"),
    (3, "decryption-failed"),
    (4, "need-authentification"),
    (5, "need-authorization"),
];

/// The ICMP types whose header carries an identifier and a sequence number.
const ICMP_ID_SEQ_TYPES: &[i128] = &[0, 8, 13, 14, 15, 16, 17, 18, 37, 38];

/// IP option classes.
static IPOPT_CLASSES: &[(i128, &str)] = &[(0, "control"), (2, "debug")];
/// IP option numbers.
static IPOPT_NAMES: &[(i128, &str)] = &[
    (0, "end_of_list"),
    (1, "nop"),
    (2, "security"),
    (3, "loose_source_route"),
    (4, "timestamp"),
    (5, "extended_security"),
    (6, "commercial_security"),
    (7, "record_route"),
    (8, "stream_id"),
    (9, "strict_source_route"),
    (10, "experimental_measurement"),
    (11, "mtu_probe"),
    (12, "mtu_reply"),
    (13, "flow_control"),
    (14, "access_control"),
    (15, "encode"),
    (16, "imi_traffic_descriptor"),
    (17, "extended_IP"),
    (18, "traceroute"),
    (19, "address_extension"),
    (20, "router_alert"),
    (21, "selective_directed_broadcast_mode"),
    (23, "dynamic_packet_state"),
    (24, "upstream_multicast_packet"),
    (25, "quick_start"),
    (30, "rfc4727_experiment"),
];

/// TCP option kinds: name and value layout (`H` 2 bytes, `B` 1, `I` 4; `*I` a list of 4-byte
/// values; `` raw bytes).
static TCP_OPTIONS: &[(u8, &str, &str)] = &[
    (0, "EOL", ""),
    (1, "NOP", ""),
    (2, "MSS", "H"),
    (3, "WScale", "B"),
    (4, "SAckOK", ""),
    (5, "SAck", "*I"),
    (8, "Timestamp", "II"),
    (14, "AltChkSum", "BH"),
    (15, "AltChkSumOpt", ""),
    (19, "MD5", ""),
    (25, "Mood", ""),
    (28, "UTO", "H"),
    (29, "AO", ""),
    (34, "TFO", "II"),
];

fn names(t: &'static [(i128, &'static str)]) -> Rc<dyn EnumNames> {
    Rc::new(StaticNames(t))
}

fn sized_int(c: char) -> usize {
    match c {
        'B' => 1,
        'H' => 2,
        _ => 4,
    }
}

/// TCPOptionsField: a list of `(name, value)` tuples, as the reference shows them.
struct TcpOptionsField;

thread_local! {
    /// TCPAOValue, the value of a TCP-AO option: shared by the registry and the options
    /// field, which dissects AO options into it.
    static TCP_AO_VALUE: Rc<LayerDef> = Rc::new(LayerDef::new(
        "TCPAOValue",
        "TCPAOValue",
        vec![
            FieldDef::new("keyid", byte(), Value::None),
            FieldDef::new("rnextkeyid", byte(), Value::None),
            FieldDef::new(
                "mac",
                StrField::with("StrLenField", StrLen::Rest(0), false),
                Value::Bytes(Vec::new()),
            ),
        ],
    ));
}

fn tcp_ao_value() -> Rc<LayerDef> {
    TCP_AO_VALUE.with(Rc::clone)
}

/// `RandTCPOptions()`: one to five options of random kinds (never EOL) with random values,
/// what fuzz() puts in TCP's options.
struct RandTcpOptions;

impl crate::packet::value::Volatile for RandTcpOptions {
    fn draw(&self) -> Value {
        use crate::packet::volatile::randint;
        let choices: Vec<&(u8, &str, &str)> =
            TCP_OPTIONS.iter().filter(|(k, _, _)| *k != 0).collect();
        let n = randint(1, 5);
        let mut out = Vec::new();
        for _ in 0..n {
            let (_, name, layout) = choices[randint(0, choices.len() as i128 - 1) as usize];
            let ints: Vec<Value> = layout
                .chars()
                .filter(|c| *c != '*')
                .map(|c| Value::Int(randint(0, (1i128 << (8 * sized_int(c))) - 1)))
                .collect();
            let v = match (layout.starts_with('*'), ints.len()) {
                (true, _) | (false, 0) => Value::Bytes(Vec::new()),
                (false, 1) => ints.into_iter().next().unwrap_or(Value::None),
                _ => Value::Tuple(ints),
            };
            out.push(Value::Tuple(vec![Value::Str(name.to_string()), v]));
        }
        Value::List(out)
    }

    fn repr(&self) -> String {
        "<RandTCPOptions>".into()
    }

    fn command(&self) -> String {
        "RandTCPOptions()".into()
    }
}

/// The TCPOptionsField kind, for layers defined at run time.
pub fn tcp_options_kind() -> Rc<dyn FieldKind> {
    Rc::new(TcpOptionsField)
}

impl TcpOptionsField {
    fn encode_one(opt: &Value, out: &mut Vec<u8>) -> Result<(), String> {
        let Value::Tuple(t) = opt else {
            return match opt {
                Value::Bytes(b) => {
                    out.extend_from_slice(b);
                    Ok(())
                }
                other => Err(format!(
                    "a TCP option is a (name, value) tuple, not {}",
                    other.py_repr()
                )),
            };
        };
        let (name, val) = match t.as_slice() {
            [n, v] => (n, v),
            [n] => (n, &Value::None),
            _ => return Err(format!("bad TCP option {}", opt.py_repr())),
        };
        let (kind, layout) = match name {
            Value::Str(s) => match TCP_OPTIONS.iter().find(|(_, n, _)| n == s) {
                Some((k, _, l)) => (*k, *l),
                None => return Err(format!("unknown TCP option {s:?}")),
            },
            Value::Int(k) => (
                *k as u8,
                TCP_OPTIONS
                    .iter()
                    .find(|(n, _, _)| i128::from(*n) == *k)
                    .map_or("", |o| o.2),
            ),
            other => return Err(format!("bad TCP option name {}", other.py_repr())),
        };
        if kind <= 1 {
            out.push(kind);
            return Ok(());
        }
        let mut body = Vec::new();
        match (val, layout) {
            (Value::Bytes(b), _) => body.extend_from_slice(b),
            (Value::Str(s), _) => body.extend_from_slice(s.as_bytes()),
            (Value::Packet(p), _) => body.extend(p.build().map_err(|e| e.to_string())?),
            (Value::None, _) => {}
            (Value::Int(i), l) if l.len() == 1 => {
                let n = sized_int(l.chars().next().unwrap_or('I'));
                body.extend_from_slice(&(*i as u32).to_be_bytes()[4 - n..]);
            }
            (Value::Tuple(items) | Value::List(items), l) => {
                let each: Vec<char> = if l == "*I" {
                    vec!['I'; items.len()]
                } else {
                    l.chars().collect()
                };
                for (it, c) in items.iter().zip(each) {
                    let i = it.as_int().ok_or_else(|| {
                        format!("TCP option values are integers, not {}", it.py_repr())
                    })?;
                    let n = sized_int(c);
                    body.extend_from_slice(&(i as u32).to_be_bytes()[4 - n..]);
                }
            }
            (other, _) => return Err(format!("bad TCP option value {}", other.py_repr())),
        }
        out.push(kind);
        out.push((body.len() + 2) as u8);
        out.extend(body);
        Ok(())
    }

    fn decode_value(layout: &str, body: &[u8]) -> Value {
        let be = |b: &[u8]| b.iter().fold(0i128, |a, &x| (a << 8) | i128::from(x));
        if layout == "*I" {
            if body.len().is_multiple_of(4) {
                return Value::Tuple(body.chunks(4).map(|c| Value::Int(be(c))).collect());
            }
            return Value::Bytes(body.to_vec());
        }
        let sizes: Vec<usize> = layout.chars().map(sized_int).collect();
        if layout.is_empty() || sizes.iter().sum::<usize>() != body.len() {
            return Value::Bytes(body.to_vec());
        }
        let mut pos = 0;
        let mut vals = Vec::new();
        for n in sizes {
            vals.push(Value::Int(be(&body[pos..pos + n])));
            pos += n;
        }
        if vals.len() == 1 {
            vals.pop().unwrap_or(Value::None)
        } else {
            Value::Tuple(vals)
        }
    }
}

impl FieldKind for TcpOptionsField {
    fn class_name(&self) -> &str {
        "TCPOptionsField"
    }

    fn is_list(&self) -> bool {
        true
    }

    fn i2h(&self, _layer: &LayerData, v: &Value) -> Value {
        // The reference's i2h: no options read as an empty list.
        if !v.truthy() {
            return Value::List(Vec::new());
        }
        v.clone()
    }

    fn repr_human(&self, _layer: &LayerData, v: &Value) -> String {
        match v {
            Value::Bytes(b) if b.is_empty() => "[]".to_string(),
            other => other.py_repr(),
        }
    }

    fn randval(&self) -> Option<Value> {
        Some(Value::Volatile(Rc::new(RandTcpOptions)))
    }

    fn addfield(&self, _ctx: &BuildCtx<'_>, v: &Value, out: &mut Vec<u8>) -> Result<(), String> {
        let start = out.len();
        let drawn;
        let v = match v {
            Value::Volatile(r) => {
                drawn = r.draw();
                &drawn
            }
            other => other,
        };
        match v {
            Value::List(l) => {
                for o in l {
                    Self::encode_one(o, out)?;
                }
            }
            Value::Bytes(b) => out.extend_from_slice(b),
            Value::None => {}
            other => return Err(format!("TCP options are a list, not {}", other.py_repr())),
        }
        // Options end on a 32-bit boundary, filled with EOL (zero) bytes.
        let len = out.len() - start;
        out.resize(out.len() + (4 - len % 4) % 4, 0);
        Ok(())
    }

    fn getfield(
        &self,
        ctx: &mut DissectCtx<'_>,
        s: &[u8],
    ) -> Result<(usize, Option<Value>), Truncated> {
        let dataofs = ctx.layer.int("dataofs").unwrap_or(5);
        if dataofs < 5 {
            ctx.warnings
                .push(format!("bad dataofs ({dataofs}). Assuming dataofs=5"));
        }
        let n = usize::try_from(dataofs * 4 - 20).unwrap_or(0).min(s.len());
        let x = &s[..n];
        let mut opts = Vec::new();
        let mut pos = 0;
        while pos < x.len() {
            let kind = x[pos];
            let name = TCP_OPTIONS.iter().find(|(k, _, _)| *k == kind);
            if kind == 0 {
                opts.push(Value::Tuple(vec![Value::Str("EOL".into()), Value::None]));
                break;
            }
            if kind == 1 {
                opts.push(Value::Tuple(vec![Value::Str("NOP".into()), Value::None]));
                pos += 1;
                continue;
            }
            // A missing length byte counts as 0, as in the reference.
            let mut olen = usize::from(x.get(pos + 1).copied().unwrap_or(0));
            if olen < 2 {
                ctx.warnings
                    .push(format!("Malformed TCP option (announced length is {olen})"));
                olen = 2;
            }
            let end = (pos + olen).min(x.len());
            let body = &x[pos + 2.min(end - pos)..end];
            let v = match name {
                // TCP-AO: key ids and a MAC (the reference fails on a body shorter than the
                // ids: here that body stays bytes).
                Some((29, n, _)) if body.len() >= 2 => Value::Tuple(vec![
                    Value::Str(n.to_string()),
                    Value::Packet(crate::packet::dissect(&tcp_ao_value(), body)),
                ]),
                Some((_, n, layout)) => Value::Tuple(vec![
                    Value::Str(n.to_string()),
                    Self::decode_value(layout, body),
                ]),
                None => Value::Tuple(vec![
                    Value::Int(i128::from(kind)),
                    Value::Bytes(body.to_vec()),
                ]),
            };
            opts.push(v);
            pos = end;
        }
        Ok((n, Some(Value::List(opts))))
    }

    fn i2repr(&self, _layer: &LayerData, v: &Value) -> String {
        match v {
            Value::Bytes(b) if b.is_empty() => "[]".to_string(),
            Value::Bytes(b) => py_bytes_repr(b),
            other => other.py_repr(),
        }
    }

    fn i2len(&self, layer: &LayerData, v: &Value) -> usize {
        let _ = layer;
        let mut out = Vec::new();
        match v {
            Value::List(l) => {
                for o in l {
                    if Self::encode_one(o, &mut out).is_err() {
                        break;
                    }
                }
            }
            Value::Bytes(b) => out.extend_from_slice(b),
            _ => {}
        }
        out.len().div_ceil(4) * 4
    }
}

/// The RFC 4884 extension structure of ICMP and ICMPv6 errors. Built as given (bytes or a
/// packet, after the header). Below 144 bytes the reference leaves ICMP's unset and sets
/// ICMPv6's to None, which shows in reprs: `explicit_none` says which.
pub(crate) struct IcmpExtensionField {
    pub(crate) explicit_none: bool,
}

impl FieldKind for IcmpExtensionField {
    fn class_name(&self) -> &str {
        "_ICMPExtensionField"
    }

    fn addfield(&self, ctx: &BuildCtx<'_>, v: &Value, out: &mut Vec<u8>) -> Result<(), String> {
        match v {
            Value::None => Ok(()),
            Value::Bytes(b) => {
                out.extend_from_slice(b);
                Ok(())
            }
            Value::Packet(p) => {
                out.extend(crate::packet::build_with(p, ctx.resolver).map_err(|e| e.to_string())?);
                Ok(())
            }
            other => Err(format!(
                "an ICMP extension is a packet, not {}",
                other.py_repr()
            )),
        }
    }

    fn getfield(
        &self,
        _ctx: &mut DissectCtx<'_>,
        _s: &[u8],
    ) -> Result<(usize, Option<Value>), Truncated> {
        Ok((0, self.explicit_none.then_some(Value::None)))
    }

    fn i2repr(&self, _layer: &LayerData, v: &Value) -> String {
        v.py_repr()
    }
}

/// Source and destination of the IP layer under `d`, if it is one (checksums, summaries).
fn ip_under(d: &LayerData) -> Option<(Ipv4Addr, Ipv4Addr)> {
    let u = d.underlayer()?;
    if !u.def().is_a_name("IP") {
        return None;
    }
    let addrs = crate::packet::checksum::ipv4_pseudo_header(&u.data());
    Some(addrs)
}

/// A transport checksum over the pseudo-header of the IP or IPv6 (or extension header)
/// layer below; `None` when there is neither (the field stays 0, as the reference).
fn l4_checksum(d: &LayerData, proto: u8, segment: &[u8]) -> Option<u16> {
    if let Some((src, dst)) = ip_under(d) {
        return Some(in4_chksum(proto, src, dst, segment));
    }
    let u = d.underlayer()?;
    if !super::inet6::is_ipv6_like(&u.def()) {
        return None;
    }
    super::inet6::in6_chksum(proto, &u, segment)
}

fn is_unset(d: &LayerData, name: &str) -> bool {
    d.get(name).is_none_or(Value::is_none)
}

fn put16(buf: &mut [u8], at: usize, v: u16) {
    if let Some(s) = buf.get_mut(at..at + 2) {
        s.copy_from_slice(&v.to_be_bytes());
    }
}

fn ip_post_build(
    d: &LayerData,
    mut hdr: Vec<u8>,
    pay: &[u8],
    _r: &dyn Resolver,
) -> Result<Vec<u8>, BuildError> {
    if hdr.len() >= 20 {
        if is_unset(d, "ihl") {
            let ihl = (hdr.len() / 4).min(15) as u8;
            hdr[0] = (hdr[0] & 0xf0) | ihl;
        }
        if is_unset(d, "len") {
            let total = (hdr.len() + pay.len()) as u16;
            put16(&mut hdr, 2, total);
        }
        if is_unset(d, "chksum") {
            let c = checksum(&hdr);
            put16(&mut hdr, 10, c);
        }
    }
    hdr.extend_from_slice(pay);
    Ok(hdr)
}

fn l4_summary(p: &Packet, proto: &str, with_flags: bool) -> Option<(String, Vec<String>)> {
    let d = p.data();
    let f = |n| layer_field_repr(&d, n);
    let flags = if with_flags {
        format!(" {}", f("flags"))
    } else {
        String::new()
    };
    let text = match d.underlayer() {
        Some(u) if u.def().is_a_name("IP") => {
            let ud = u.data();
            format!(
                "{proto} {}:{} > {}:{}{flags}",
                layer_field_repr(&ud, "src"),
                f("sport"),
                layer_field_repr(&ud, "dst"),
                f("dport")
            )
        }
        Some(u) if u.def().is_a_name("IPv6") => {
            let ud = u.data();
            format!(
                "{proto} {}:{} > {}:{}{flags}",
                layer_field_repr(&ud, "src"),
                f("sport"),
                layer_field_repr(&ud, "dst"),
                f("dport")
            )
        }
        _ => format!("{proto} {} > {}{flags}", f("sport"), f("dport")),
    };
    Some((text, Vec::new()))
}

fn ip_option_header(option: i128) -> Vec<FieldDef> {
    ip_option_header_with(0, 0, option)
}

fn ip_option_header_with(copy: i128, class: i128, option: i128) -> Vec<FieldDef> {
    vec![
        FieldDef::new("copy_flag", fields::bits(1), Value::Int(copy)),
        FieldDef::new(
            "optclass",
            fields::bit_enum(2, names(IPOPT_CLASSES)),
            Value::Int(class),
        ),
        FieldDef::new(
            "option",
            fields::bit_enum(5, names(IPOPT_NAMES)),
            Value::Int(option),
        ),
    ]
}

fn option_len(field: &str, adjust: fn(i128) -> i128) -> Rc<dyn FieldKind> {
    Num::new("FieldLenField", Width::Bytes(1), NumDisplay::Dec)
        .computed(length_of(field, adjust))
        .rc()
}

fn ip_option_generic() -> LayerDef {
    let mut f = ip_option_header(0);
    f.push(FieldDef::new(
        "length",
        option_len("value", |l| l + 2),
        Value::None,
    ));
    f.push(FieldDef::new(
        "value",
        StrField::length_from(Rc::new(|d: &LayerData| d.int("length").unwrap_or(2) - 2)),
        Value::Bytes(Vec::new()),
    ));
    LayerDef::new("IPOption", "IP Option", f)
}

/// Record Route and the source routes: a pointer and a list of addresses.
fn route_option_body() -> Vec<FieldDef> {
    vec![
        FieldDef::new("length", option_len("routers", |l| l + 3), Value::None),
        FieldDef::new("pointer", byte(), Value::Int(4)),
        FieldDef::new(
            "routers",
            FieldListField::rc(
                IpField::plain(),
                Some(Rc::new(|d: &LayerData| d.int("length").unwrap_or(3) - 3)),
            ),
            Value::List(Vec::new()),
        ),
    ]
}

static ROUTER_ALERT_NAMES: &[(i128, &str)] = &[(0, "router_shall_examine_packet")];
static TIMESTAMP_FLAGS: &[(i128, &str)] = &[
    (0, "timestamp_only"),
    (1, "timestamp_and_ip_addr"),
    (3, "prespecified_ip_addr"),
];

/// One IP option class: its class and display names, copy flag, option class, number and
/// the fields after the option byte.
struct IpOptionClass {
    class: &'static str,
    name: &'static str,
    copy: i128,
    optclass: i128,
    number: i128,
    body: fn() -> Vec<FieldDef>,
}

fn fixed_len(n: i128) -> FieldDef {
    FieldDef::new("length", byte(), Value::Int(n))
}

fn ip4_zero(name: &str) -> FieldDef {
    FieldDef::new(name, IpField::plain(), Value::Ip4(Ipv4Addr::UNSPECIFIED))
}

/// The option classes the reference has beside the generic one: every class defined by the
/// IP option registry that it implements.
static IP_OPTION_CLASSES: &[IpOptionClass] = &[
    IpOptionClass {
        class: "IPOption_EOL",
        name: "IP Option End of Options List",
        copy: 0,
        optclass: 0,
        number: 0,
        body: Vec::new,
    },
    IpOptionClass {
        class: "IPOption_NOP",
        name: "IP Option No Operation",
        copy: 0,
        optclass: 0,
        number: 1,
        body: Vec::new,
    },
    IpOptionClass {
        class: "IPOption_Security",
        name: "IP Option Security",
        copy: 1,
        optclass: 0,
        number: 2,
        body: || {
            vec![
                fixed_len(11),
                FieldDef::new("security", short(), Value::Int(0)),
                FieldDef::new("compartment", short(), Value::Int(0)),
                FieldDef::new("handling_restrictions", short(), Value::Int(0)),
                FieldDef::new(
                    "transmission_control_code",
                    StrField::fixed(3),
                    Value::Bytes(b"xxx".to_vec()),
                ),
            ]
        },
    },
    IpOptionClass {
        class: "IPOption_LSRR",
        name: "IP Option Loose Source and Record Route",
        copy: 1,
        optclass: 0,
        number: 3,
        body: route_option_body,
    },
    IpOptionClass {
        class: "IPOption_Timestamp",
        name: "IP Option Timestamp",
        copy: 0,
        optclass: 2,
        number: 4,
        body: || {
            vec![
                // Unset, it is the option's built length (see ip_option_timestamp_length).
                FieldDef::new("length", byte(), Value::None),
                FieldDef::new("pointer", byte(), Value::Int(9)),
                FieldDef::new("oflw", fields::bits(4), Value::Int(0)),
                FieldDef::new(
                    "flg",
                    fields::bit_enum(4, names(TIMESTAMP_FLAGS)),
                    Value::Int(1),
                ),
                ip4_zero("internet_address").when(|d| d.int("flg") != Some(0)),
                FieldDef::new("timestamp", int(), Value::Int(0)),
            ]
        },
    },
    IpOptionClass {
        class: "IPOption_RR",
        name: "IP Option Record Route",
        copy: 0,
        optclass: 0,
        number: 7,
        body: route_option_body,
    },
    IpOptionClass {
        class: "IPOption_Stream_Id",
        name: "IP Option Stream ID",
        copy: 1,
        optclass: 0,
        number: 8,
        body: || {
            vec![
                fixed_len(4),
                FieldDef::new("security", short(), Value::Int(0)),
            ]
        },
    },
    IpOptionClass {
        class: "IPOption_SSRR",
        name: "IP Option Strict Source and Record Route",
        copy: 1,
        optclass: 0,
        number: 9,
        body: route_option_body,
    },
    IpOptionClass {
        class: "IPOption_MTU_Probe",
        name: "IP Option MTU Probe",
        copy: 0,
        optclass: 0,
        number: 11,
        body: || vec![fixed_len(4), FieldDef::new("mtu", short(), Value::Int(0))],
    },
    IpOptionClass {
        class: "IPOption_MTU_Reply",
        name: "IP Option MTU Reply",
        copy: 0,
        optclass: 0,
        number: 12,
        body: || vec![fixed_len(4), FieldDef::new("mtu", short(), Value::Int(0))],
    },
    IpOptionClass {
        class: "IPOption_Traceroute",
        name: "IP Option Traceroute",
        copy: 0,
        optclass: 0,
        number: 18,
        body: || {
            vec![
                fixed_len(12),
                FieldDef::new("id", short(), Value::Int(0)),
                FieldDef::new("outbound_hops", short(), Value::Int(0)),
                FieldDef::new("return_hops", short(), Value::Int(0)),
                ip4_zero("originator_ip"),
            ]
        },
    },
    IpOptionClass {
        class: "IPOption_Address_Extension",
        name: "IP Option Address Extension",
        copy: 1,
        optclass: 0,
        number: 19,
        body: || vec![fixed_len(10), ip4_zero("src_ext"), ip4_zero("dst_ext")],
    },
    IpOptionClass {
        class: "IPOption_Router_Alert",
        name: "IP Option Router Alert",
        copy: 1,
        optclass: 0,
        number: 20,
        body: || {
            vec![
                fixed_len(4),
                FieldDef::new(
                    "alert",
                    fields::short_enum(names(ROUTER_ALERT_NAMES)),
                    Value::Int(0),
                ),
            ]
        },
    },
    IpOptionClass {
        class: "IPOption_SDBM",
        name: "IP Option Selective Directed Broadcast Mode",
        copy: 1,
        optclass: 0,
        number: 21,
        body: || {
            vec![
                FieldDef::new("length", option_len("addresses", |l| l + 2), Value::None),
                FieldDef::new(
                    "addresses",
                    FieldListField::rc(
                        IpField::plain(),
                        Some(Rc::new(|d: &LayerData| d.int("length").unwrap_or(2) - 2)),
                    ),
                    Value::List(Vec::new()),
                ),
            ]
        },
    },
];

fn ip_option_class(c: &IpOptionClass) -> LayerDef {
    let mut f = ip_option_header_with(c.copy, c.optclass, c.number);
    f.extend((c.body)());
    let mut d = LayerDef::new(c.class, c.name, f);
    if c.class == "IPOption_Timestamp" {
        d.hooks.post_build = Some(Rc::new(|d, mut hdr, pay, _| {
            // An unset length is the option's own built length.
            if is_unset(d, "length") && hdr.len() > 1 {
                hdr[1] = hdr.len().min(255) as u8;
            }
            hdr.extend_from_slice(pay);
            Ok(hdr)
        }));
    }
    d
}

fn ip(options: &[(i128, Rc<LayerDef>)], generic: Rc<LayerDef>) -> LayerDef {
    let table: Vec<(i128, Rc<LayerDef>)> = options.to_vec();
    let dispatch = Rc::new(move |s: &[u8]| {
        let num = i128::from(s.first().copied().unwrap_or(0) & 0x1f);
        table
            .iter()
            .find(|(n, _)| *n == num)
            .map_or_else(|| generic.clone(), |(_, d)| d.clone())
    });
    LayerDef::new(
        "IP",
        "IP",
        vec![
            FieldDef::new("version", fields::bits(4), Value::Int(4)),
            FieldDef::new("ihl", fields::bits(4), Value::None),
            FieldDef::new("tos", xbyte(), Value::Int(0)),
            FieldDef::new("len", short(), Value::None),
            FieldDef::new("id", short(), Value::Int(1)),
            FieldDef::new(
                "flags",
                fields::flags(3, &["MF", "DF", "evil"]),
                Value::Int(0),
            ),
            FieldDef::new("frag", fields::bits(13), Value::Int(0)),
            FieldDef::new("ttl", byte(), Value::Int(64)),
            FieldDef::new(
                "proto",
                fields::byte_enum(Rc::new(netdb::ip_protos())),
                Value::Int(0),
            ),
            FieldDef::new("chksum", xshort(), Value::None),
            FieldDef::new("src", IpField::source("dst"), Value::None),
            FieldDef::new("dst", IpField::dest(), Value::None),
            FieldDef::new(
                "options",
                PacketListField::rc(
                    dispatch,
                    Some(Rc::new(|d: &LayerData| d.int("ihl").unwrap_or(5) * 4 - 20)),
                    4,
                ),
                Value::List(Vec::new()),
            ),
        ],
    )
    .with_hooks(Hooks {
        post_build: Some(Rc::new(ip_post_build)),
        extract_padding: Some(Rc::new(|d, rest| {
            let (Some(len), Some(ihl)) = (d.int("len"), d.int("ihl")) else {
                return rest.len();
            };
            // A length shorter than the header says nothing usable: keep everything.
            usize::try_from(len - ihl * 4).map_or(rest.len(), |l| l.min(rest.len()))
        })),
        guess_payload: Some(Rc::new(|d, _| {
            // A non-first fragment cannot be dissected as its protocol.
            (d.int("frag").unwrap_or(0) != 0).then(base::raw_def)
        })),
        answers: Some(Rc::new(ip_answers)),
        hashret: Some(Rc::new(ip_hashret)),
        mysummary: Some(Rc::new(|p| {
            let d = p.data();
            let f = |n| layer_field_repr(&d, n);
            let mut s = format!("{} > {} {}", f("src"), f("dst"), f("proto"));
            let frag = d.int("frag").unwrap_or(0);
            if frag != 0 {
                s.push_str(&format!(" frag:{frag}"));
            }
            Some((s, Vec::new()))
        })),
        ..Hooks::default()
    })
}

fn icmp(iperror: Rc<LayerDef>) -> LayerDef {
    let ty = |types: &'static [i128]| {
        move |d: &LayerData| d.int("type").is_some_and(|t| types.contains(&t))
    };
    let code_tables: Vec<(i128, Rc<dyn EnumNames>)> = vec![
        (3, names(UNREACH_CODES)),
        (5, names(REDIRECT_CODES)),
        (11, names(TIME_EXCEEDED_CODES)),
        (12, names(PARAM_PROBLEM_CODES)),
        (40, names(PHOTURIS_CODES)),
    ];
    let code = Num::new(
        "MultiEnumField",
        Width::Bytes(1),
        NumDisplay::ByField {
            field: "type".into(),
            tables: code_tables,
        },
    )
    .rc();
    // Milliseconds since midnight UTC, shown h:m:s.ms; as in the reference, the default is
    // the time the class was defined (here: the session's registry was made).
    let timestamp = || -> Rc<dyn FieldKind> { Rc::new(IcmpTimeStampField) };
    let now = Value::Int(IcmpTimeStampField::now_ms());
    let unused_is_int = |d: &LayerData| {
        d.int("type")
            .is_some_and(|t| ![0, 3, 5, 8, 11, 12, 13, 14, 15, 16, 17, 18].contains(&t))
    };
    let zero_ip = Value::Ip4(Ipv4Addr::UNSPECIFIED);
    LayerDef::new(
        "ICMP",
        "ICMP",
        vec![
            FieldDef::new("type", fields::byte_enum(names(ICMP_TYPES)), Value::Int(8)),
            FieldDef::new("code", code, Value::Int(0)),
            FieldDef::new("chksum", xshort(), Value::None),
            FieldDef::new("id", xshort(), Value::Int(0)).when(ty(ICMP_ID_SEQ_TYPES)),
            FieldDef::new("seq", xshort(), Value::Int(0)).when(ty(ICMP_ID_SEQ_TYPES)),
            FieldDef::new("ts_ori", timestamp(), now.clone()).when(ty(&[13, 14])),
            FieldDef::new("ts_rx", timestamp(), now.clone()).when(ty(&[13, 14])),
            FieldDef::new("ts_tx", timestamp(), now.clone()).when(ty(&[13, 14])),
            FieldDef::new("gw", IpField::plain(), zero_ip.clone()).when(ty(&[5])),
            FieldDef::new("ptr", byte(), Value::Int(0)).when(ty(&[12])),
            FieldDef::new("reserved", byte(), Value::Int(0)).when(ty(&[3, 11])),
            FieldDef::new("length", byte(), Value::Int(0)).when(ty(&[3, 11, 12])),
            FieldDef::new("addr_mask", IpField::plain(), zero_ip).when(ty(&[17, 18])),
            FieldDef::new("nexthopmtu", short(), Value::Int(0)).when(ty(&[3])),
            FieldDef::new("unused", StrField::fixed(0), Value::Bytes(Vec::new()))
                .alt(ty(&[11, 12]), short(), Value::Int(0))
                .alt(unused_is_int, int(), Value::Int(0)),
            FieldDef::new(
                "extpad",
                StrField::with("_ICMPExtensionPadField", StrLen::Fixed(0), false),
                Value::Bytes(Vec::new()),
            )
            .when(ty(&[3, 11, 12])),
            FieldDef::new(
                "ext",
                Rc::new(IcmpExtensionField {
                    explicit_none: false,
                }),
                Value::None,
            )
            .when(ty(&[3, 11, 12])),
        ],
    )
    .with_hooks(Hooks {
        post_build: Some(Rc::new(|d, mut hdr, pay, _| {
            hdr.extend_from_slice(pay);
            if is_unset(d, "chksum") {
                let c = checksum(&hdr);
                put16(&mut hdr, 2, c);
            }
            Ok(hdr)
        })),
        guess_payload: Some(Rc::new(move |d, _| {
            // Error messages quote the offending datagram's header.
            d.int("type")
                .is_some_and(|t| [3, 4, 5, 11, 12].contains(&t))
                .then(|| iperror.clone())
        })),
        answers: Some(Rc::new(icmp_answers)),
        hashret: Some(Rc::new(icmp_hashret)),
        mysummary: Some(Rc::new(|p| {
            let d = p.data();
            let f = |n| layer_field_repr(&d, n);
            let text = match d.underlayer() {
                Some(u) if u.def().is_a_name("IP") => {
                    let ud = u.data();
                    format!(
                        "ICMP {} > {} {} {}",
                        layer_field_repr(&ud, "src"),
                        layer_field_repr(&ud, "dst"),
                        f("type"),
                        f("code")
                    )
                }
                _ => format!("ICMP {} {}", f("type"), f("code")),
            };
            Some((text, Vec::new()))
        })),
        ..Hooks::default()
    })
}

fn tcp() -> LayerDef {
    let ports = || fields::short_enum(Rc::new(netdb::tcp_services()));
    LayerDef::new(
        "TCP",
        "TCP",
        vec![
            FieldDef::new("sport", ports(), Value::Int(20)),
            FieldDef::new("dport", ports(), Value::Int(80)),
            FieldDef::new("seq", int(), Value::Int(0)),
            FieldDef::new("ack", int(), Value::Int(0)),
            FieldDef::new("dataofs", fields::bits(4), Value::None),
            FieldDef::new("reserved", fields::bits(3), Value::Int(0)),
            FieldDef::new(
                "flags",
                fields::flags(9, &["F", "S", "R", "P", "A", "U", "E", "C", "N"]),
                Value::Int(2),
            ),
            FieldDef::new("window", short(), Value::Int(8192)),
            FieldDef::new("chksum", xshort(), Value::None),
            FieldDef::new("urgptr", short(), Value::Int(0)),
            FieldDef::new(
                "options",
                Rc::new(TcpOptionsField),
                Value::Bytes(Vec::new()),
            ),
        ],
    )
    .with_hooks(Hooks {
        post_build: Some(Rc::new(|d, mut hdr, pay, _| {
            if is_unset(d, "dataofs") && hdr.len() > 12 {
                let off = ((hdr.len() / 4).min(15) as u8) << 4;
                hdr[12] = off | (hdr[12] & 0x0f);
            }
            hdr.extend_from_slice(pay);
            if is_unset(d, "chksum") {
                if let Some(c) = l4_checksum(d, 6, &hdr) {
                    put16(&mut hdr, 16, c);
                }
            }
            Ok(hdr)
        })),
        answers: Some(Rc::new(tcp_answers)),
        hashret: Some(Rc::new(tcp_hashret)),
        mysummary: Some(Rc::new(|p| l4_summary(p, "TCP", true))),
        ..Hooks::default()
    })
}

fn udp() -> LayerDef {
    let ports = || fields::short_enum(Rc::new(netdb::udp_services()));
    LayerDef::new(
        "UDP",
        "UDP",
        vec![
            FieldDef::new("sport", ports(), Value::Int(53)),
            FieldDef::new("dport", ports(), Value::Int(53)),
            FieldDef::new("len", short(), Value::None),
            FieldDef::new("chksum", xshort(), Value::None),
        ],
    )
    .with_hooks(Hooks {
        post_build: Some(Rc::new(|d, mut hdr, pay, _| {
            hdr.extend_from_slice(pay);
            if is_unset(d, "len") {
                let l = hdr.len() as u16;
                put16(&mut hdr, 4, l);
            }
            if is_unset(d, "chksum") {
                if let Some(c) = l4_checksum(d, 17, &hdr) {
                    // Zero means "no checksum" in UDP: a computed zero is sent as all ones.
                    put16(&mut hdr, 6, if c == 0 { 0xffff } else { c });
                }
            }
            Ok(hdr)
        })),
        extract_padding: Some(Rc::new(|d, rest| match d.int("len") {
            Some(l) if l >= 8 => usize::try_from(l - 8).map_or(rest.len(), |n| n.min(rest.len())),
            _ => rest.len(),
        })),
        answers: Some(Rc::new(udp_answers)),
        mysummary: Some(Rc::new(|p| l4_summary(p, "UDP", false))),
        ..Hooks::default()
    })
}

/// A class "in ICMP": the same fields and hooks, another name, no summary of its own, and
/// its own answer rule.
fn error_copy(
    parent: &Rc<LayerDef>,
    class: &str,
    name: &str,
    answers: crate::packet::layer::AnswersFn,
) -> LayerDef {
    let mut d = LayerDef::derive(parent, class, name);
    d.hooks.mysummary = None;
    d.hooks.answers = Some(answers);
    d
}

// --- Matching (sr): Scapy's answers()/hashret() rules ---

const MDNS: Ipv4Addr = Ipv4Addr::new(224, 0, 0, 251);

fn v4(d: &LayerData, name: &str) -> Option<Ipv4Addr> {
    match d
        .get(name)
        .map(crate::packet::sets::first_element)
        .as_deref()
    {
        Some(Value::Ip4(a)) => Some(*a),
        _ => None,
    }
}

/// Source and destination as built (an unset destination is the loopback address).
fn ip_addrs(d: &LayerData) -> (Ipv4Addr, Ipv4Addr) {
    let dst = v4(d, "dst").unwrap_or(Ipv4Addr::LOCALHOST);
    let src = v4(d, "src").unwrap_or_else(|| {
        crate::packet::resolver::current()
            .source_ipv4(dst)
            .unwrap_or(Ipv4Addr::UNSPECIFIED)
    });
    (src, dst)
}

fn icmp_error_type(p: &Option<Packet>) -> bool {
    p.as_ref().is_some_and(|q| {
        q.def().is_a_name("ICMP")
            && q.data()
                .int("type")
                .is_some_and(|t| [3, 4, 5, 11, 12].contains(&t))
    })
}

/// IP's hashret: an ICMP error hashes as the datagram it quotes; otherwise source xor
/// destination, protocol, then the payload's hash.
fn ip_hashret(p: &Packet) -> Vec<u8> {
    let conf = matching::conf();
    let pay = p.payload();
    let d = p.data();
    let proto = d.int("proto").unwrap_or(0);
    if proto == 1 && icmp_error_type(&pay) {
        return pay
            .and_then(|q| q.payload())
            .map(|q| q.hashret())
            .unwrap_or_default();
    }
    if !conf.check_ip_in_ip && (proto == 4 || proto == 41) {
        drop(d);
        return payload_hashret(p);
    }
    let (src, dst) = ip_addrs(&d);
    drop(d);
    let mut out = Vec::new();
    if dst != MDNS && conf.check_ip_src && conf.check_ip_addr {
        out.extend(src.octets().iter().zip(dst.octets()).map(|(a, b)| a ^ b));
    }
    out.push(proto as u8);
    out.extend(payload_hashret(p));
    out
}

fn ip_answers(me: &Packet, other: &Packet) -> bool {
    let conf = matching::conf();
    let d = me.data();
    let proto = d.int("proto").unwrap_or(0);
    let (src, dst) = ip_addrs(&d);
    drop(d);
    let odef = other.def();
    if !conf.check_ip_in_ip {
        if proto == 4 || proto == 41 {
            return opt_answers(&me.payload(), other);
        }
        let tunnel = |f: &str| other.data().int(f).is_some_and(|v| v == 4 || v == 41);
        if (odef.is_a_name("IP") && tunnel("proto")) || (odef.is_a_name("IPv6") && tunnel("nh")) {
            return other.payload().is_some_and(|o| me.answers(&o));
        }
    }
    if !odef.is_a_name("IP") {
        return false;
    }
    let od = other.data();
    let (osrc, odst) = ip_addrs(&od);
    let oproto = od.int("proto").unwrap_or(0);
    drop(od);
    if conf.check_ip_addr {
        if odst == MDNS && dst == MDNS {
            return payload_answers(&me.payload(), &other.payload());
        }
        if dst != osrc {
            return false;
        }
    }
    let pay = me.payload();
    if proto == 1 && icmp_error_type(&pay) {
        return opt_answers(&pay.and_then(|q| q.payload()), other);
    }
    if (conf.check_ip_addr && src != odst) || proto != oproto {
        return false;
    }
    payload_answers(&pay, &other.payload())
}

/// The layer's integer field, as Python sees it (`None` when absent).
fn int_of(p: &Packet, f: &str) -> Option<i128> {
    p.data().int(f)
}

fn icmp_hashret(p: &Packet) -> Vec<u8> {
    let mut out = Vec::new();
    if int_of(p, "type").is_some_and(|t| ICMP_ID_SEQ_TYPES.contains(&t)) {
        // struct.pack("HH") in the reference: host (little-endian) order.
        for f in ["id", "seq"] {
            out.extend_from_slice(&(int_of(p, f).unwrap_or(0) as u16).to_le_bytes());
        }
    }
    out.extend(payload_hashret(p));
    out
}

fn icmp_answers(me: &Packet, other: &Packet) -> bool {
    const PAIRS: &[(i128, i128)] = &[
        (8, 0),
        (13, 14),
        (15, 16),
        (17, 18),
        (33, 34),
        (35, 36),
        (37, 38),
    ];
    if !other.def().is_a_name("ICMP") {
        return false;
    }
    let pair = (
        int_of(other, "type").unwrap_or(-1),
        int_of(me, "type").unwrap_or(-1),
    );
    PAIRS.contains(&pair) && int_of(me, "id") == int_of(other, "id") && {
        int_of(me, "seq") == int_of(other, "seq")
    }
}

fn tcp_hashret(p: &Packet) -> Vec<u8> {
    let mut out = Vec::new();
    if matching::conf().check_ip_src {
        let x = int_of(p, "sport").unwrap_or(0) ^ int_of(p, "dport").unwrap_or(0);
        out.extend_from_slice(&(x as u16).to_le_bytes());
    }
    out.extend(payload_hashret(p));
    out
}

/// TCP: a SYN+ACK answers a SYN; otherwise ports swapped and seq/ack within 2 (plus the
/// request's payload length) of each other; nothing answers a RST.
fn tcp_answers(me: &Packet, other: &Packet) -> bool {
    if !other.def().is_a_name("TCP") {
        return false;
    }
    let flags = |p: &Packet| int_of(p, "flags").unwrap_or(0);
    let (mf, of) = (flags(me), flags(other));
    let (syn, ack, rst) = (0x02, 0x10, 0x04);
    if of & rst != 0 {
        return false;
    }
    if mf & syn != 0 && (mf & ack == 0 || of & syn == 0) {
        return false;
    }
    if matching::conf().check_ip_src
        && (int_of(me, "sport") != int_of(other, "dport")
            || int_of(me, "dport") != int_of(other, "sport"))
    {
        return false;
    }
    let n = |p: &Packet, f| int_of(p, f).unwrap_or(0);
    if !(of & syn != 0 && of & ack == 0) && (n(other, "ack") - n(me, "seq")).abs() > 2 {
        return false;
    }
    if mf & rst != 0 && mf & ack == 0 {
        return true;
    }
    let olen = other
        .payload()
        .map_or(0, |q| crate::packet::build(&q).map_or(0, |b| b.len())) as i128;
    (n(other, "seq") - n(me, "ack")).abs() <= 2 + olen
}

fn udp_answers(me: &Packet, other: &Packet) -> bool {
    if !other.def().is_a_name("UDP") {
        return false;
    }
    if matching::conf().check_ip_src && int_of(me, "dport") != int_of(other, "sport") {
        return false;
    }
    payload_answers(&me.payload(), &other.payload())
}

fn iperror_answers(me: &Packet, other: &Packet) -> bool {
    if !other.def().is_a_name("IP") {
        return false;
    }
    let conf = matching::conf();
    let (src, dst) = ip_addrs(&me.data());
    let (osrc, odst) = ip_addrs(&other.data());
    let id = int_of(me, "id").unwrap_or(0);
    let oid = int_of(other, "id").unwrap_or(0);
    let swapped = ((oid & 0xff) << 8) | ((oid >> 8) & 0xff);
    let id_ok = !conf.check_ip_id || id == oid || id == swapped;
    let ok = (!conf.check_ip_src || src == osrc)
        && dst == odst
        && id_ok
        && int_of(me, "proto") == int_of(other, "proto");
    ok && payload_answers(&me.payload(), &other.payload())
}

fn tcperror_answers(me: &Packet, other: &Packet) -> bool {
    if !other.def().is_a_name("TCP") {
        return false;
    }
    let conf = matching::conf();
    let same = |f| int_of(me, f) == int_of(other, f);
    if conf.check_ip_src && !(same("sport") && same("dport")) {
        return false;
    }
    !(conf.check_tcperror_seqack && !(same("seq") && same("ack")))
}

fn udperror_answers(me: &Packet, other: &Packet) -> bool {
    if !other.def().is_a_name("UDP") {
        return false;
    }
    let same = |f| int_of(me, f) == int_of(other, f);
    !matching::conf().check_ip_src || (same("sport") && same("dport"))
}

fn icmperror_answers(me: &Packet, other: &Packet) -> bool {
    if !other.def().is_a_name("ICMP") {
        return false;
    }
    let same = |f| int_of(me, f) == int_of(other, f);
    if !(same("type") && same("code")) {
        return false;
    }
    if int_of(me, "code").is_some_and(|c| [0, 8, 13, 14, 17, 18].contains(&c)) {
        return same("id") && same("seq");
    }
    true
}

/// Registers IPv4, ICMP, TCP, UDP and their bindings (after `l2`).
pub fn register(reg: &Registry) {
    let generic = reg.register(ip_option_generic());
    let options: Vec<(i128, Rc<LayerDef>)> = IP_OPTION_CLASSES
        .iter()
        .map(|c| (c.number, reg.register(ip_option_class(c))))
        .collect();
    let ip = reg.register(ip(&options, generic));
    reg.add(tcp_ao_value());
    let tcp = reg.register(tcp());
    let udp = reg.register(udp());
    let iperror = reg.register(error_copy(
        &ip,
        "IPerror",
        "IP in ICMP",
        Rc::new(iperror_answers),
    ));
    let mut tcperror = error_copy(&tcp, "TCPerror", "TCP in ICMP", Rc::new(tcperror_answers));
    // An ICMP error may quote only the first 8 bytes of the TCP header.
    if let Some(f) = tcperror.fields.get_mut(2) {
        f.may_end = true;
    }
    let tcperror = reg.register(tcperror);
    let udperror = reg.register(error_copy(
        &udp,
        "UDPerror",
        "UDP in ICMP",
        Rc::new(udperror_answers),
    ));
    let icmp = reg.register(icmp(iperror.clone()));
    let icmperror = reg.register(error_copy(
        &icmp,
        "ICMPerror",
        "ICMP in ICMP",
        Rc::new(icmperror_answers),
    ));

    let b = |lower: &Rc<LayerDef>, upper: &Rc<LayerDef>, f: &[(&str, Value)]| {
        // Built-in tables name only fields that exist: a failure is a bug in this file.
        bind_layers(lower, upper, f).expect("built-in inet binding");
    };
    let proto = |p: i128| vec![("frag", Value::Int(0)), ("proto", Value::Int(p))];
    let ty = |t: i128| vec![("type", Value::Int(t))];
    if let (Some(ether), Some(dot1q), Some(snap), Some(gre)) = (
        reg.get("Ether"),
        reg.get("Dot1Q"),
        reg.get("SNAP"),
        reg.get("GRE"),
    ) {
        b(&ether, &ip, &ty(0x800));
        b(&dot1q, &ip, &ty(0x800));
        b(&snap, &ip, &[("code", Value::Int(0x800))]);
        b(&ip, &gre, &proto(47));
        b(&gre, &ip, &[("proto", Value::Int(0x800))]);
    }
    for cooked in ["CookedLinux", "CookedLinuxV2"] {
        if let Some(lower) = reg.get(cooked) {
            b(&lower, &ip, &[("proto", Value::Int(0x800))]);
        }
    }
    if let Some(lo) = reg.get("Loopback") {
        // Family 0 is read as IPv4 too, but a build writes AF_INET.
        bind_bottom_up(&lo, &ip, &[("type", Value::Int(0))]).expect("built-in inet binding");
        b(&lo, &ip, &[("type", Value::Int(2))]);
    }
    b(&ip, &icmp, &proto(1));
    b(&ip, &ip, &proto(4));
    b(&ip, &tcp, &proto(6));
    b(&ip, &udp, &proto(17));
    b(&iperror, &icmperror, &proto(1));
    b(&iperror, &tcperror, &proto(6));
    b(&iperror, &udperror, &proto(17));
}

#[cfg(test)]
mod tests {
    use crate::packet::{dissect, dissect_with_warnings, Registry, Value};

    /// An ICMP echo request from 192.0.2.130 to 198.51.100.1, with an 8-byte payload.
    const PING: [u8; 50] = [
        0x00, 0x50, 0x56, 0xfc, 0xce, 0x50, 0x00, 0x0c, 0x29, 0x2b, 0x53, 0x19, 0x08, 0x00, 0x45,
        0x00, 0x00, 0x24, 0x00, 0x00, 0x40, 0x00, 0x40, 0x01, 0x4e, 0x22, // IP
        0xc0, 0x00, 0x02, 0x82, 0xc6, 0x33, 0x64, 0x01, //
        0x08, 0x00, 0x87, 0x93, 0x5a, 0x61, 0x00, 0x01, // ICMP
        0xe6, 0xda, 0x70, 0x49, 0xb6, 0xe5, 0x08, 0x00,
    ];

    /// A TCP SYN with MSS, NOP, WScale, SAckOK and Timestamp options.
    const SYN: &str = "4500003c0001000040062651c6336401c6336402001401bb0000000000000000a0022000a18d0000020405b4010303070402080a0000303900000000";

    fn unhex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap_or(0))
            .collect()
    }

    #[test]
    fn dissect_ping_field_by_field() {
        let reg = Registry::with_builtins();
        let p = dissect(&reg.def("Ether").unwrap(), &PING);
        let ip = p.getlayer("IP", 1).unwrap();
        assert_eq!(ip.get("ihl"), Some(Value::Int(5)));
        assert_eq!(ip.get("len"), Some(Value::Int(36)));
        assert_eq!(ip.get("flags"), Some(Value::Int(2)));
        assert_eq!(ip.get("proto"), Some(Value::Int(1)));
        assert_eq!(ip.get("chksum"), Some(Value::Int(0x4e22)));
        let icmp = p.getlayer("ICMP", 1).unwrap();
        assert_eq!(icmp.get("id"), Some(Value::Int(0x5a61)));
        assert_eq!(icmp.get("seq"), Some(Value::Int(1)));
        assert_eq!(
            p.getlayer("Raw", 1).unwrap().get("load"),
            Some(Value::Bytes(PING[42..].to_vec()))
        );
    }

    #[test]
    fn ping_builds_back() {
        let reg = Registry::with_builtins();
        let p = dissect(&reg.def("Ether").unwrap(), &PING);
        assert_eq!(p.build().unwrap(), PING.to_vec());
        // With the computed fields unset, the engine recomputes the same values.
        let ip = p.getlayer("IP", 1).unwrap();
        for f in ["ihl", "len", "chksum"] {
            ip.del(f).unwrap();
        }
        p.getlayer("ICMP", 1).unwrap().del("chksum").unwrap();
        assert_eq!(p.build().unwrap(), PING.to_vec());
    }

    #[test]
    fn tcp_options_round_trip() {
        let reg = Registry::with_builtins();
        let bytes = unhex(SYN);
        let p = dissect(&reg.def("IP").unwrap(), &bytes);
        let tcp = p.getlayer("TCP", 1).unwrap();
        assert_eq!(
            tcp.field_repr("options").unwrap(),
            "[('MSS', 1460), ('NOP', None), ('WScale', 7), ('SAckOK', b''), ('Timestamp', (12345, 0))]"
        );
        tcp.del("chksum").unwrap();
        tcp.del("dataofs").unwrap();
        assert_eq!(p.build().unwrap(), bytes);
    }

    #[test]
    fn bad_dataofs_is_a_warning() {
        let reg = Registry::with_builtins();
        let mut bytes = unhex(SYN);
        bytes[32] = 0x20; // dataofs 2
        let d = dissect_with_warnings(&reg.def("IP").unwrap(), &bytes);
        assert!(d.warnings.iter().any(|w| w.contains("bad dataofs")));
        assert!(d.packet.haslayer("TCP"));
    }

    #[test]
    fn ip_length_hands_surplus_to_padding() {
        let reg = Registry::with_builtins();
        let mut bytes = unhex(SYN);
        bytes.extend_from_slice(&[0, 0, 0, 0]);
        let p = dissect(&reg.def("IP").unwrap(), &bytes);
        assert_eq!(
            p.lastlayer().get("load"),
            Some(Value::Bytes(vec![0, 0, 0, 0]))
        );
        assert_eq!(p.lastlayer().class_name(), "Padding");
        assert_eq!(p.build().unwrap(), bytes);
    }

    #[test]
    fn truncated_tcp_becomes_raw() {
        let reg = Registry::with_builtins();
        let bytes = unhex(SYN);
        let p = dissect(&reg.def("IP").unwrap(), &bytes[..30]);
        assert_eq!(p.payload().unwrap().class_name(), "Raw");
    }

    #[test]
    fn icmp_timestamps_show_as_times() {
        let reg = Registry::with_builtins();
        let icmp = reg.new_layer("ICMP").unwrap().with("type", 13).unwrap();
        icmp.set("ts_ori", "12:34:56.789").unwrap();
        assert_eq!(icmp.field_repr("ts_ori").as_deref(), Some("12:34:56.789"));
        let b = icmp.build().unwrap();
        assert_eq!(&b[8..12], &45_296_789u32.to_be_bytes());
        // The defaults are a fixed time of day, as the reference's class attribute.
        assert!(icmp
            .field_repr("ts_rx")
            .is_some_and(|t| t.matches(':').count() == 2));
    }

    #[test]
    fn fragments_are_not_dissected() {
        let reg = Registry::with_builtins();
        let mut bytes = unhex(SYN);
        bytes[7] = 3; // fragment offset 3
        let p = dissect(&reg.def("IP").unwrap(), &bytes);
        assert_eq!(p.payload().unwrap().class_name(), "Raw");
    }
}
