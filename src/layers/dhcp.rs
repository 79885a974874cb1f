//! BOOTP (RFC 951) and its DHCP options (RFC 2132), as Scapy 2.8 has them, on UDP ports 67
//! and 68.
//!
//! ```text
//! BOOTP | op | htype | hlen | hops | xid (4) | secs (2) | flags (2) | ciaddr (4) | yiaddr (4) |
//!       | siaddr (4) | giaddr (4) | chaddr (16) | sname (64) | file (128) | options: magic (4) |
//! DHCP  | code | len | value (len) | ... | end (255) |, pad (0) anywhere
//! ```
//!
//! DHCP's `options` is a list as the reference shows it: `("message-type", "discover")`,
//! `("router", "198.51.100.1", "198.51.100.2")`, `"end"`, `"pad"`, and raw bytes where the
//! options stop making sense.

use std::net::Ipv4Addr;
use std::rc::Rc;

use crate::packet::field::{BuildCtx, DissectCtx, FieldDef, FieldError, FieldKind, Truncated};
use crate::packet::fields::{self, byte, short, EnumNames, StaticNames, StrField};
use crate::packet::layer::{Hooks, LayerDef};
use crate::packet::packet::LayerData;
use crate::packet::registry::{bind_bottom_up, bind_layers, Registry};
use crate::packet::value::{mac_to_string, py_bytes_repr, py_str_repr, Value};

/// The DHCP magic cookie, the first bytes of BOOTP's options when DHCP follows.
const MAGIC: &[u8] = b"c\x82Sc";

static BOOTP_OPS: &[(i128, &str)] = &[(1, "BOOTREQUEST"), (2, "BOOTREPLY")];

/// DHCP message types (option 53).
static DHCP_TYPES: &[(i128, &str)] = &[
    (1, "discover"),
    (2, "offer"),
    (3, "request"),
    (4, "decline"),
    (5, "ack"),
    (6, "nak"),
    (7, "release"),
    (8, "inform"),
    (9, "force_renew"),
    (10, "lease_query"),
    (11, "lease_unassigned"),
    (12, "lease_unknown"),
    (13, "lease_active"),
];

/// How an option's value reads and builds.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Opt {
    /// Bytes.
    Str,
    /// IPv4 addresses, 4 bytes each.
    Ip,
    /// 32-bit integers.
    Int,
    /// 16-bit integers.
    Short,
    /// Bytes as integers.
    Byte,
    /// The message type: bytes named by [`DHCP_TYPES`].
    MessageType,
    /// A list of bytes (the parameter request list).
    ByteList,
    /// RFC 3442 routes, `"203.0.113.0/24:198.51.100.1"` each.
    Routes,
}

/// DHCP options: code, name and how the value reads (RFC 2132 and later).
static DHCP_OPTIONS: &[(u8, &str, Opt)] = &[
    (0, "pad", Opt::Str),
    (1, "subnet_mask", Opt::Ip),
    (2, "time_zone", Opt::Int),
    (3, "router", Opt::Ip),
    (4, "time_server", Opt::Ip),
    (5, "IEN_name_server", Opt::Ip),
    (6, "name_server", Opt::Ip),
    (7, "log_server", Opt::Ip),
    (8, "cookie_server", Opt::Ip),
    (9, "lpr_server", Opt::Ip),
    (10, "impress-servers", Opt::Ip),
    (11, "resource-location-servers", Opt::Ip),
    (12, "hostname", Opt::Str),
    (13, "boot-size", Opt::Short),
    (14, "dump_path", Opt::Str),
    (15, "domain", Opt::Str),
    (16, "swap-server", Opt::Ip),
    (17, "root_disk_path", Opt::Str),
    (18, "extensions-path", Opt::Str),
    (19, "ip-forwarding", Opt::Byte),
    (20, "non-local-source-routing", Opt::Byte),
    (21, "policy-filter", Opt::Ip),
    (22, "max_dgram_reass_size", Opt::Short),
    (23, "default_ttl", Opt::Byte),
    (24, "pmtu_timeout", Opt::Int),
    (25, "path-mtu-plateau-table", Opt::Short),
    (26, "interface-mtu", Opt::Short),
    (27, "all-subnets-local", Opt::Byte),
    (28, "broadcast_address", Opt::Ip),
    (29, "perform-mask-discovery", Opt::Byte),
    (30, "mask-supplier", Opt::Byte),
    (31, "router-discovery", Opt::Byte),
    (32, "router-solicitation-address", Opt::Ip),
    (33, "static-routes", Opt::Ip),
    (34, "trailer-encapsulation", Opt::Byte),
    (35, "arp_cache_timeout", Opt::Int),
    (36, "ieee802-3-encapsulation", Opt::Byte),
    (37, "tcp_ttl", Opt::Byte),
    (38, "tcp_keepalive_interval", Opt::Int),
    (39, "tcp_keepalive_garbage", Opt::Byte),
    (40, "NIS_domain", Opt::Str),
    (41, "NIS_server", Opt::Ip),
    (42, "NTP_server", Opt::Ip),
    (43, "vendor_specific", Opt::Str),
    (44, "NetBIOS_server", Opt::Ip),
    (45, "NetBIOS_dist_server", Opt::Ip),
    (46, "NetBIOS_node_type", Opt::Byte),
    (47, "netbios-scope", Opt::Str),
    (48, "font-servers", Opt::Ip),
    (49, "x-display-manager", Opt::Ip),
    (50, "requested_addr", Opt::Ip),
    (51, "lease_time", Opt::Int),
    (52, "dhcp-option-overload", Opt::Byte),
    (53, "message-type", Opt::MessageType),
    (54, "server_id", Opt::Ip),
    (55, "param_req_list", Opt::ByteList),
    (56, "error_message", Opt::Str),
    (57, "max_dhcp_size", Opt::Short),
    (58, "renewal_time", Opt::Int),
    (59, "rebinding_time", Opt::Int),
    (60, "vendor_class_id", Opt::Str),
    (61, "client_id", Opt::Str),
    (62, "nwip-domain-name", Opt::Str),
    (64, "NISplus_domain", Opt::Str),
    (65, "NISplus_server", Opt::Ip),
    (66, "tftp_server_name", Opt::Str),
    (67, "boot-file-name", Opt::Str),
    (68, "mobile-ip-home-agent", Opt::Ip),
    (69, "SMTP_server", Opt::Ip),
    (70, "POP3_server", Opt::Ip),
    (71, "NNTP_server", Opt::Ip),
    (72, "WWW_server", Opt::Ip),
    (73, "Finger_server", Opt::Ip),
    (74, "IRC_server", Opt::Ip),
    (75, "StreetTalk_server", Opt::Ip),
    (76, "StreetTalk_Dir_Assistance", Opt::Ip),
    (77, "user_class", Opt::Str),
    (78, "slp_service_agent", Opt::Str),
    (79, "slp_service_scope", Opt::Str),
    (80, "rapid_commit", Opt::Str),
    (81, "client_FQDN", Opt::Str),
    (82, "relay_agent_information", Opt::Str),
    (85, "nds-server", Opt::Ip),
    (86, "nds-tree-name", Opt::Str),
    (87, "nds-context", Opt::Str),
    (88, "bcms-controller-namesi", Opt::Str),
    (89, "bcms-controller-address", Opt::Ip),
    (91, "client-last-transaction-time", Opt::Int),
    (92, "associated-ip", Opt::Ip),
    (93, "pxe_client_architecture", Opt::Str),
    (94, "pxe_client_network_interface", Opt::Str),
    (97, "pxe_client_machine_identifier", Opt::Str),
    (98, "uap-servers", Opt::Str),
    (100, "pcode", Opt::Str),
    (101, "tcode", Opt::Str),
    (108, "ipv6-only-preferred", Opt::Int),
    (112, "netinfo-server-address", Opt::Ip),
    (113, "netinfo-server-tag", Opt::Str),
    (114, "captive-portal", Opt::Str),
    (116, "auto-config", Opt::Byte),
    (117, "name-service-search", Opt::Short),
    (118, "subnet-selection", Opt::Ip),
    (121, "classless_static_routes", Opt::Routes),
    (124, "vendor_class", Opt::Str),
    (125, "vendor_specific_information", Opt::Str),
    (128, "tftp_server_ip_address", Opt::Ip),
    (136, "pana-agent", Opt::Ip),
    (137, "v4-lost", Opt::Str),
    (138, "capwap-ac-v4", Opt::Ip),
    (141, "sip_ua_service_domains", Opt::Str),
    (145, "forcerenew_nonce_capable", Opt::ByteList),
    (146, "rdnss-selection", Opt::Str),
    (150, "tftp_server_address", Opt::Ip),
    (159, "v4-portparams", Opt::Str),
    (160, "v4-captive-portal", Opt::Str),
    (161, "mud-url", Opt::Str),
    (208, "pxelinux_magic", Opt::Str),
    (209, "pxelinux_configuration_file", Opt::Str),
    (210, "pxelinux_path_prefix", Opt::Str),
    (211, "pxelinux_reboot_time", Opt::Str),
    (212, "option-6rd", Opt::Str),
    (213, "v4-access-domain", Opt::Str),
    (255, "end", Opt::Str),
];

fn names(t: &'static [(i128, &'static str)]) -> Rc<dyn EnumNames> {
    Rc::new(StaticNames(t))
}

fn option_by_name(name: &str) -> Option<(u8, Opt)> {
    DHCP_OPTIONS
        .iter()
        .find(|(_, n, _)| *n == name)
        .map(|(c, _, k)| (*c, *k))
}

fn option_by_code(code: u8) -> Option<(&'static str, Opt)> {
    DHCP_OPTIONS
        .iter()
        .find(|(c, _, _)| *c == code)
        .map(|(_, n, k)| (*n, *k))
}

impl Opt {
    /// The size of one value of a fixed-size kind.
    fn size(self) -> Option<usize> {
        match self {
            Opt::Ip | Opt::Int => Some(4),
            Opt::Short => Some(2),
            Opt::Byte | Opt::MessageType => Some(1),
            Opt::Str | Opt::ByteList | Opt::Routes => None,
        }
    }

    /// Appends the machine form of one value.
    fn encode(self, v: &Value, out: &mut Vec<u8>) -> Result<(), String> {
        let int = |v: &Value| {
            v.as_int().ok_or_else(|| {
                format!(
                    "Incorrect type of value for a DHCP option: an integer is required, not {}",
                    v.py_repr()
                )
            })
        };
        match self {
            Opt::Ip => out.extend_from_slice(&ipv4(v)?.octets()),
            Opt::Int => out.extend_from_slice(&(int(v)? as u32).to_be_bytes()),
            Opt::Short => out.extend_from_slice(&(int(v)? as u16).to_be_bytes()),
            Opt::Byte => out.push(int(v)? as u8),
            Opt::MessageType => out.push(match v {
                Value::Str(s) => StaticNames(DHCP_TYPES)
                    .value(s)
                    .ok_or_else(|| format!("unknown DHCP message type {s:?}"))?
                    as u8,
                other => int(other)? as u8,
            }),
            Opt::Str => out.extend_from_slice(&fields::bytes_of(v)?),
            Opt::ByteList => match v {
                Value::List(l) | Value::Tuple(l) => {
                    for x in l {
                        out.push(int(x)? as u8);
                    }
                }
                other => out.push(int(other)? as u8),
            },
            Opt::Routes => match v {
                Value::List(l) | Value::Tuple(l) => {
                    for x in l {
                        encode_route(x, out)?;
                    }
                }
                other => encode_route(other, out)?,
            },
        }
        Ok(())
    }

    /// The values of an option's data, or `None` when the data does not fit the kind.
    fn decode(self, data: &[u8]) -> Option<Vec<Value>> {
        if let Some(n) = self.size() {
            if data.is_empty() || !data.len().is_multiple_of(n) {
                return None;
            }
            let be = |c: &[u8]| c.iter().fold(0i128, |a, &b| (a << 8) | i128::from(b));
            return Some(
                data.chunks(n)
                    .map(|c| match self {
                        Opt::Ip => Value::Ip4(Ipv4Addr::new(c[0], c[1], c[2], c[3])),
                        _ => Value::Int(be(c)),
                    })
                    .collect(),
            );
        }
        match self {
            Opt::ByteList => Some(vec![Value::List(
                data.iter().map(|&b| Value::Int(i128::from(b))).collect(),
            )]),
            Opt::Routes => decode_routes(data).map(|r| vec![Value::List(r)]),
            _ => Some(vec![Value::Bytes(data.to_vec())]),
        }
    }

    /// How the reference shows one value of the kind.
    fn repr(self, v: &Value) -> String {
        match (self, v) {
            (Opt::MessageType, Value::Int(i)) => StaticNames(DHCP_TYPES)
                .name(*i)
                .map_or_else(|| i.to_string(), |n| n.into_owned()),
            (_, Value::Ip4(a)) => a.to_string(),
            (Opt::Ip, Value::Str(s)) => s.clone(),
            (_, Value::Bytes(b)) => py_bytes_repr(b),
            (_, Value::Str(s)) => py_str_repr(s),
            (_, other) => other.py_repr(),
        }
    }
}

fn ipv4(v: &Value) -> Result<Ipv4Addr, String> {
    match v {
        Value::Ip4(a) => Ok(*a),
        Value::Str(s) => s
            .parse()
            .map_err(|_| format!("illegal IP address string {s:?} in a DHCP option")),
        other => Err(format!(
            "an IPv4 address is required, not {}",
            other.py_repr()
        )),
    }
}

/// `"203.0.113.0/24:198.51.100.1"`: the prefix length, the prefix's significant bytes and
/// the router (RFC 3442).
fn encode_route(v: &Value, out: &mut Vec<u8>) -> Result<(), String> {
    let Value::Str(s) = v else {
        return Err(format!(
            "a classless route is 'prefix/length:router', not {}",
            v.py_repr()
        ));
    };
    let bad = || format!("bad classless route {s:?} (prefix/length:router)");
    let (net, gw) = s.split_once(':').ok_or_else(bad)?;
    let (prefix, len) = net.split_once('/').ok_or_else(bad)?;
    let len: u8 = len.parse().map_err(|_| bad())?;
    let prefix: Ipv4Addr = prefix.parse().map_err(|_| bad())?;
    let gw: Ipv4Addr = gw.parse().map_err(|_| bad())?;
    out.push(len);
    out.extend_from_slice(&prefix.octets()[..usize::from(len.min(32)).div_ceil(8)]);
    out.extend_from_slice(&gw.octets());
    Ok(())
}

fn decode_routes(data: &[u8]) -> Option<Vec<Value>> {
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < data.len() {
        let len = data[pos];
        let n = usize::from(len.min(32)).div_ceil(8);
        let body = data.get(pos + 1..pos + 1 + n + 4)?;
        let mut net = [0u8; 4];
        net[..n].copy_from_slice(&body[..n]);
        let gw = Ipv4Addr::new(body[n], body[n + 1], body[n + 2], body[n + 3]);
        out.push(Value::Str(format!("{}/{len}:{gw}", Ipv4Addr::from(net))));
        pos += 1 + n + 4;
    }
    Some(out)
}

/// Scapy's `sane`: printable ASCII as it is, anything else as a dot.
fn sane(b: &[u8]) -> String {
    b.iter()
        .map(|&c| {
            if (32..127).contains(&c) {
                c as char
            } else {
                '.'
            }
        })
        .collect()
}

/// DHCPOptionsField: the options as a list (see the module's documentation).
struct DhcpOptionsField;

impl DhcpOptionsField {
    fn encode_one(
        item: &Value,
        out: &mut Vec<u8>,
        warnings: &mut Vec<String>,
    ) -> Result<(), String> {
        match item {
            Value::Str(name) => {
                let (code, _) =
                    option_by_name(name).ok_or_else(|| format!("unknown DHCP option {name:?}"))?;
                out.push(code);
            }
            Value::Bytes(b) => out.extend_from_slice(b),
            Value::Tuple(t) if t.len() < 2 => {
                // The reference warns and leaves it out.
                warnings.push(format!("Malformed option {}", item.py_repr()));
            }
            Value::Tuple(t) => {
                let (code, kind) = match &t[0] {
                    Value::Str(name) => option_by_name(name)
                        .ok_or_else(|| format!("unknown DHCP option {name:?}"))?,
                    Value::Int(c) => {
                        let code = u8::try_from(*c)
                            .map_err(|_| format!("a DHCP option code is a byte, not {c}"))?;
                        (code, option_by_code(code).map_or(Opt::Str, |(_, k)| k))
                    }
                    other => return Err(format!("bad DHCP option name {}", other.py_repr())),
                };
                let mut data = Vec::new();
                for v in &t[1..] {
                    kind.encode(v, &mut data)?;
                }
                out.push(code);
                out.push(data.len().min(255) as u8);
                out.extend_from_slice(&data);
            }
            other => return Err(format!("bad DHCP option {}", other.py_repr())),
        }
        Ok(())
    }

    fn item_repr(item: &Value) -> String {
        match item {
            Value::Str(s) => s.clone(),
            Value::Bytes(b) => sane(b),
            Value::Tuple(t) => {
                let (name, kind) = match t.first() {
                    Some(Value::Str(n)) => (n.clone(), option_by_name(n).map(|(_, k)| k)),
                    Some(Value::Int(c)) => (
                        c.to_string(),
                        u8::try_from(*c)
                            .ok()
                            .and_then(option_by_code)
                            .map(|(_, k)| k),
                    ),
                    Some(other) => (other.py_repr(), None),
                    None => (String::new(), None),
                };
                if t.len() < 2 {
                    return name;
                }
                let kind = kind.unwrap_or(Opt::Str);
                let vals: Vec<String> = t[1..].iter().map(|v| kind.repr(v)).collect();
                format!("{name}={}", vals.join(","))
            }
            other => other.py_repr(),
        }
    }
}

impl FieldKind for DhcpOptionsField {
    fn class_name(&self) -> &str {
        "DHCPOptionsField"
    }

    fn is_list(&self) -> bool {
        true
    }

    fn addfield(&self, _ctx: &BuildCtx<'_>, v: &Value, out: &mut Vec<u8>) -> Result<(), String> {
        match v {
            Value::List(l) | Value::Tuple(l) => {
                let mut warnings = Vec::new();
                for item in l {
                    Self::encode_one(item, out, &mut warnings)?;
                }
                crate::packet::log::log_all(&warnings);
            }
            other => out.extend_from_slice(&fields::bytes_of(other)?),
        }
        Ok(())
    }

    fn getfield(
        &self,
        _ctx: &mut DissectCtx<'_>,
        s: &[u8],
    ) -> Result<(usize, Option<Value>), Truncated> {
        let mut items = Vec::new();
        let mut pos = 0;
        while pos < s.len() {
            match s[pos] {
                0 => {
                    items.push(Value::Str("pad".into()));
                    pos += 1;
                    continue;
                }
                255 => {
                    items.push(Value::Str("end".into()));
                    pos += 1;
                    continue;
                }
                _ => {}
            }
            let code = s[pos];
            let data = s
                .get(pos + 1)
                .and_then(|&n| s.get(pos + 2..pos + 2 + usize::from(n)));
            let values = data.and_then(|d| match option_by_code(code) {
                Some((_, kind)) => kind.decode(d),
                None => Some(vec![Value::Bytes(d.to_vec())]),
            });
            let (Some(data), Some(values)) = (data, values) else {
                // What cannot be read as options stays bytes, to the end.
                items.push(Value::Bytes(s[pos..].to_vec()));
                break;
            };
            let name = option_by_code(code).map_or(Value::Int(i128::from(code)), |(n, _)| {
                Value::Str(n.to_string())
            });
            let mut t = vec![name];
            t.extend(values);
            items.push(Value::Tuple(t));
            pos += 2 + data.len();
        }
        Ok((s.len(), Some(Value::List(items))))
    }

    fn i2repr(&self, _layer: &LayerData, v: &Value) -> String {
        match v {
            Value::List(l) => {
                let parts: Vec<String> = l.iter().map(Self::item_repr).collect();
                format!("[{}]", parts.join(" "))
            }
            // No options (the default): the empty list the reference shows.
            Value::Bytes(b) if b.is_empty() => "[]".to_string(),
            Value::Bytes(b) => py_bytes_repr(b),
            other => other.py_repr(),
        }
    }

    fn i2len(&self, layer: &LayerData, v: &Value) -> usize {
        let r = crate::packet::resolver::current();
        let ctx = BuildCtx {
            layer,
            payload: &[],
            resolver: r.as_ref(),
        };
        let mut out = Vec::new();
        self.addfield(&ctx, v, &mut out).map_or(0, |()| out.len())
    }
}

/// BOOTP's client hardware address: 16 bytes, shown as a MAC address and what pads it
/// when the hardware type is Ethernet.
struct ChaddrField {
    inner: Rc<dyn FieldKind>,
}

impl FieldKind for ChaddrField {
    fn class_name(&self) -> &str {
        "_BOOTP_chaddr"
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
        let (Value::Bytes(b), Some(1)) = (v, layer.int("htype")) else {
            return self.inner.i2repr(layer, v);
        };
        let (mac, rest) = b.split_at(b.len().min(6));
        let mac = if mac.len() == 6 {
            let mut m = [0u8; 6];
            m.copy_from_slice(mac);
            mac_to_string(&m)
        } else {
            mac.iter()
                .map(|c| format!("{c:02x}"))
                .collect::<Vec<_>>()
                .join(":")
        };
        if !rest.is_empty() && rest.iter().all(|&c| c == 0) {
            format!("{mac} (+ {} nul pad)", rest.len())
        } else {
            format!("{mac} (pad: {})", py_bytes_repr(rest))
        }
    }

    fn i2len(&self, layer: &LayerData, v: &Value) -> usize {
        self.inner.i2len(layer, v)
    }

    fn randval(&self) -> Option<Value> {
        self.inner.randval()
    }
}

/// BOOTP's options: the DHCP magic when DHCP follows (the rest is DHCP's), else every byte.
struct BootpOptionsField;

impl FieldKind for BootpOptionsField {
    fn class_name(&self) -> &str {
        "StrEnumField"
    }

    fn any2i(&self, _layer: &LayerData, v: Value) -> Result<Value, FieldError> {
        Ok(match v {
            Value::Str(s) => Value::Bytes(s.into_bytes()),
            other => other,
        })
    }

    fn addfield(&self, _ctx: &BuildCtx<'_>, v: &Value, out: &mut Vec<u8>) -> Result<(), String> {
        out.extend_from_slice(&fields::bytes_of(v)?);
        Ok(())
    }

    fn getfield(
        &self,
        _ctx: &mut DissectCtx<'_>,
        s: &[u8],
    ) -> Result<(usize, Option<Value>), Truncated> {
        let n = if s.starts_with(MAGIC) {
            MAGIC.len()
        } else {
            s.len()
        };
        Ok((n, Some(Value::Bytes(s[..n].to_vec()))))
    }

    fn i2repr(&self, _layer: &LayerData, v: &Value) -> String {
        match v {
            Value::Bytes(b) if b == MAGIC => format!("{} (DHCP magic)", py_bytes_repr(b)),
            Value::Bytes(b) => py_bytes_repr(b),
            other => other.py_repr(),
        }
    }
}

fn ip_zero(name: &str) -> FieldDef {
    FieldDef::new(
        name,
        fields::IpField::plain(),
        Value::Ip4(Ipv4Addr::UNSPECIFIED),
    )
}

fn bootp() -> LayerDef {
    let mut flag_names = vec!["?"; 15];
    flag_names.push("B");
    LayerDef::new(
        "BOOTP",
        "BOOTP",
        vec![
            FieldDef::new("op", fields::byte_enum(names(BOOTP_OPS)), Value::Int(1)),
            FieldDef::new(
                "htype",
                fields::byte_enum(names(super::l2::HWTYPES)),
                Value::Int(1),
            ),
            FieldDef::new("hlen", byte(), Value::Int(6)),
            FieldDef::new("hops", byte(), Value::Int(0)),
            FieldDef::new("xid", fields::xint(), Value::Int(0)),
            FieldDef::new("secs", short(), Value::Int(0)),
            FieldDef::new("flags", fields::flags(16, &flag_names), Value::Int(0)),
            ip_zero("ciaddr"),
            ip_zero("yiaddr"),
            ip_zero("siaddr"),
            ip_zero("giaddr"),
            FieldDef::new(
                "chaddr",
                Rc::new(ChaddrField {
                    inner: StrField::fixed(16),
                }),
                Value::Bytes(Vec::new()),
            ),
            FieldDef::new("sname", StrField::fixed(64), Value::Bytes(Vec::new())),
            FieldDef::new("file", StrField::fixed(128), Value::Bytes(Vec::new())),
            FieldDef::new(
                "options",
                Rc::new(BootpOptionsField),
                Value::Bytes(Vec::new()),
            ),
        ],
    )
    .with_hooks(Hooks {
        hashret: Some(Rc::new(|p| {
            let xid = p.data().int("xid").unwrap_or(0) as u32;
            xid.to_be_bytes().to_vec()
        })),
        answers: Some(Rc::new(|me, other| {
            other.def().is_a_name("BOOTP") && me.data().int("xid") == other.data().int("xid")
        })),
        ..Hooks::default()
    })
}

fn dhcp() -> LayerDef {
    LayerDef::new(
        "DHCP",
        "DHCP options",
        vec![FieldDef::new(
            "options",
            Rc::new(DhcpOptionsField),
            Value::Bytes(Vec::new()),
        )],
    )
    .with_hooks(Hooks {
        mysummary: Some(Rc::new(|p| {
            let d = p.data();
            let mut s = String::from("DHCP");
            if let Some(Value::List(items)) = d.get("options") {
                let ty = items.iter().find_map(|it| match it {
                    Value::Tuple(t) if t.first() == Some(&Value::Str("message-type".into())) => {
                        Some(t.get(1).cloned().unwrap_or(Value::None))
                    }
                    _ => None,
                });
                if let Some(ty) = ty {
                    // The type's name, capitalized; none when it is not a known number.
                    let name = ty
                        .as_int()
                        .and_then(|i| StaticNames(DHCP_TYPES).name(i).map(|n| n.into_owned()))
                        .map(|n| {
                            let mut c = n.chars();
                            c.next().map_or_else(String::new, |f| {
                                f.to_uppercase()
                                    .chain(c.flat_map(char::to_lowercase))
                                    .collect()
                            })
                        })
                        .unwrap_or_default();
                    s.push(' ');
                    s.push_str(&name);
                }
            }
            Some((s, Vec::new()))
        })),
        ..Hooks::default()
    })
}

/// Registers BOOTP and DHCP on UDP ports 67 and 68 (after `inet`).
pub fn register(reg: &Registry) {
    let bootp = reg.register(bootp());
    let dhcp = reg.register(dhcp());
    let ports = |s: i128, d: i128| [("sport", Value::Int(s)), ("dport", Value::Int(d))];
    if let Some(udp) = reg.get("UDP") {
        // A client's request, a server's reply (the ports building uses), a relay's.
        bind_layers(&udp, &bootp, &ports(68, 67)).expect("built-in BOOTP binding");
        bind_layers(&udp, &bootp, &ports(67, 68)).expect("built-in BOOTP binding");
        bind_bottom_up(&udp, &bootp, &ports(67, 67)).expect("built-in BOOTP binding");
    }
    bind_layers(&bootp, &dhcp, &[("options", Value::Bytes(MAGIC.to_vec()))])
        .expect("built-in DHCP binding");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packet::{dissect, Registry};

    #[test]
    fn options_round_trip() {
        let reg = Registry::with_builtins();
        let opts = Value::List(vec![
            Value::Tuple(vec![
                Value::Str("message-type".into()),
                Value::Str("offer".into()),
            ]),
            Value::Tuple(vec![
                Value::Str("router".into()),
                Value::Str("198.51.100.1".into()),
                Value::Str("198.51.100.2".into()),
            ]),
            Value::Tuple(vec![Value::Str("lease_time".into()), Value::Int(3600)]),
            Value::Str("end".into()),
        ]);
        let p = reg
            .new_layer("DHCP")
            .unwrap()
            .with("options", opts)
            .unwrap();
        let b = p.build().unwrap();
        assert_eq!(
            b,
            [53, 1, 2, 3, 8, 198, 51, 100, 1, 198, 51, 100, 2, 51, 4, 0, 0, 14, 16, 255]
        );
        let d = dissect(&reg.def("DHCP").unwrap(), &b);
        assert_eq!(
            d.repr(),
            "<DHCP  options=[message-type=offer router=198.51.100.1,198.51.100.2 \
             lease_time=3600 end] |>"
        );
        assert_eq!(d.summary(), "DHCP Offer");
    }

    #[test]
    fn what_is_not_an_option_stays_bytes() {
        let reg = Registry::with_builtins();
        // A lease time of two bytes: the rest is not options.
        let d = dissect(&reg.def("DHCP").unwrap(), &[51, 2, 0, 1, 53, 1, 1, 255]);
        assert_eq!(d.repr(), "<DHCP  options=[3...5...] |>");
    }

    #[test]
    fn a_one_element_tuple_is_left_out() {
        let reg = Registry::with_builtins();
        let opts = Value::List(vec![Value::Tuple(vec![Value::Str("end".into())])]);
        let p = reg
            .new_layer("DHCP")
            .unwrap()
            .with("options", opts)
            .unwrap();
        assert_eq!(p.build().unwrap(), Vec::<u8>::new());
    }

    #[test]
    fn bootp_takes_the_magic_when_dhcp_follows() {
        let reg = Registry::with_builtins();
        let mut b = vec![2, 1, 6, 0];
        b.extend([0u8; 232]);
        b.extend(MAGIC);
        b.extend([53, 1, 5, 255]);
        let d = dissect(&reg.def("BOOTP").unwrap(), &b);
        assert_eq!(d.summary(), "BOOTP / DHCP Ack");
        assert_eq!(d.get("options"), Some(Value::Bytes(MAGIC.to_vec())));
    }
}
