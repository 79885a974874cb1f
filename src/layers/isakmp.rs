//! ISAKMP (RFC 2408) as Scapy 2.8 has it, on UDP port 500: the header and the payloads it
//! chains by `next_payload` (SA, proposal, transform with its attributes, key exchange,
//! identification, hash, signature, nonce, notification, delete, vendor ID, and a generic
//! payload for the others).
//!
//! ```text
//! ISAKMP    | init_cookie (8) | resp_cookie (8) | next_payload | version | exch_type |
//!           | flags | id (4) | length (4) |
//! payload   | next_payload | res | length (2) | body (length - 4) |
//! SA        | ... | doi (4) | situation (4) | proposal (length - 12) |
//! proposal  | ... | proposal | proto | SPIsize | trans_nb | SPI | transform |
//! transform | ... | transform_count | transform_id | res2 (2) | attributes |
//! attribute | 1 type(15b) | value (2) |, or | 0 type(15b) | len (2) | value (len) |
//! ```

use std::net::Ipv4Addr;
use std::rc::{Rc, Weak};

use crate::packet::field::{BuildCtx, DissectCtx, FieldDef, FieldError, FieldKind, Truncated};
use crate::packet::fields::{
    self, byte, int, short, EnumNames, FieldListField, Num, NumDisplay, PacketField, PktCls,
    StaticNames, StrField, StrLen, Width,
};
use crate::packet::layer::{Hooks, LayerDef};
use crate::packet::packet::LayerData;
use crate::packet::registry::{bind_bottom_up, bind_layers, bind_top_down, Registry};
use crate::packet::value::{py_bytes_repr, Value};

/// Payload types (`next_payload`).
static PAYLOAD_TYPES: &[(i128, &str)] = &[
    (0, "None"),
    (1, "SA"),
    (2, "Proposal"),
    (3, "Transform"),
    (4, "KE"),
    (5, "ID"),
    (6, "CERT"),
    (7, "CR"),
    (8, "Hash"),
    (9, "SIG"),
    (10, "Nonce"),
    (11, "Notification"),
    (12, "Delete"),
    (13, "VendorID"),
];

/// Exchange types: Scapy 2.8's names, and the older `identity prot.` the documentation's
/// IKE scan uses, accepted on assignment.
static EXCHANGE_TYPES: &[(i128, &str)] = &[
    (0, "None"),
    (1, "base"),
    (2, "identity protection"),
    (3, "authentication only"),
    (4, "aggressive"),
    (5, "informational"),
    (32, "quick mode"),
    (2, "identity prot."),
    (3, "auth only"),
    (5, "info"),
];

static DOIS: &[(i128, &str)] = &[(0, "ISAKMP"), (1, "IPSEC")];
static SITUATIONS: &[(i128, &str)] = &[(1, "identity")];
static PROTOS: &[(i128, &str)] = &[
    (1, "ISAKMP"),
    (2, "IPSEC_AH"),
    (3, "IPSEC_ESP"),
    (4, "IPCOMP"),
    (5, "GIGABEAM_RADIO"),
];
static TRANSFORM_IDS: &[(i128, &str)] = &[(1, "KEY_IKE")];
static ID_TYPES: &[(i128, &str)] = &[(1, "IPv4_addr"), (11, "Key")];
static UNUSED: &[(i128, &str)] = &[(0, "Unused")];
static NOTIFY_TYPES: &[(i128, &str)] = &[
    (1, "INVALID-PAYLOAD-TYPE"),
    (2, "DOI-NOT-SUPPORTED"),
    (3, "SITUATION-NOT-SUPPORTED"),
    (4, "INVALID-COOKIE"),
    (5, "INVALID-MAJOR-VERSION"),
    (6, "INVALID-MINOR-VERSION"),
    (7, "INVALID-EXCHANGE-TYPE"),
    (8, "INVALID-FLAGS"),
    (9, "INVALID-MESSAGE-ID"),
    (10, "INVALID-PROTOCOL-ID"),
    (11, "INVALID-SPI"),
    (12, "INVALID-TRANSFORM-ID"),
    (13, "ATTRIBUTES-NOT-SUPPORTED"),
    (14, "NO-PROPOSAL-CHOSEN"),
    (15, "BAD-PROPOSAL-SYNTAX"),
    (16, "PAYLOAD-MALFORMED"),
    (17, "INVALID-KEY-INFORMATION"),
    (18, "INVALID-ID-INFORMATION"),
    (19, "INVALID-CERT-ENCODING"),
    (20, "INVALID-CERTIFICATE"),
    (21, "CERT-TYPE-UNSUPPORTED"),
    (22, "INVALID-CERT-AUTHORITY"),
    (23, "INVALID-HASH-INFORMATION"),
    (24, "AUTHENTICATION-FAILED"),
    (25, "INVALID-SIGNATURE"),
    (26, "ADDRESS-NOTIFICATION"),
    (27, "NOTIFY-SA-LIFETIME"),
    (28, "CERTIFICATE-UNAVAILABLE"),
    (29, "UNSUPPORTED-EXCHANGE-TYPE"),
    (30, "UNEQUAL-PAYLOAD-LENGTHS"),
    (16384, "CONNECTED"),
    (36136, "R-U-THERE"),
    (36137, "R-U-THERE-ACK"),
];

/// Vendor IDs with a name.
static VENDOR_IDS: &[(&[u8], &str)] = &[
    (b"\x09\x00\x26\x89\xdf\xd6\xb7\x12", "XAUTH"),
    (
        b"\xaf\xca\xd7\x13\x68\xa1\xf1\xc9\x6b\x86\x96\xfc\x77\x57\x01\x00",
        "RFC 3706 DPD",
    ),
    (
        b"\x40\x48\xb7\xd5\x6e\xbc\xe8\x85\x25\xe7\xde\x7f\x00\xd6\xc2\xd3\x80",
        "Cisco Fragmentation",
    ),
    (
        b"\x4a\x13\x1c\x81\x07\x03\x58\x45\x5c\x57\x28\xf2\x0e\x95\x45\x2f",
        "RFC 3947 Negotiation of NAT-Transversal",
    ),
    (
        b"\x90\xcb\x80\x91\x3e\xbb\x69\x6e\x08\x63\x81\xb5\xec\x42\x7b\x1f",
        "draft-ietf-ipsec-nat-t-ike-02",
    ),
];

/// A transform attribute: its type, name, whether RFC 2409 makes its value variable-length
/// (TLV), and the names of its values.
struct Attribute(u16, &'static str, bool, &'static [(i128, &'static str)]);

static ATTRIBUTES: &[Attribute] = &[
    Attribute(
        1,
        "Encryption",
        false,
        &[
            (1, "DES-CBC"),
            (2, "IDEA-CBC"),
            (3, "Blowfish-CBC"),
            (4, "RC5-R16-B64-CBC"),
            (5, "3DES-CBC"),
            (6, "CAST-CBC"),
            (7, "AES-CBC"),
            (8, "CAMELLIA-CBC"),
        ],
    ),
    Attribute(
        2,
        "Hash",
        false,
        &[
            (1, "MD5"),
            (2, "SHA"),
            (3, "Tiger"),
            (4, "SHA2-256"),
            (5, "SHA2-384"),
            (6, "SHA2-512"),
        ],
    ),
    Attribute(
        3,
        "Authentication",
        false,
        &[
            (1, "PSK"),
            (2, "DSS"),
            (3, "RSA Sig"),
            (4, "RSA Encryption"),
            (5, "RSA Encryption Revised"),
            (6, "ElGamal Encryption"),
            (7, "ElGamal Encryption Revised"),
            (8, "ECDSA Sig"),
            (64221, "HybridInitRSA"),
            (64222, "HybridRespRSA"),
            (64223, "HybridInitDSS"),
            (64224, "HybridRespDSS"),
            (65001, "XAUTHInitPreShared"),
            (65002, "XAUTHRespPreShared"),
            (65003, "XAUTHInitDSS"),
            (65004, "XAUTHRespDSS"),
            (65005, "XAUTHInitRSA"),
            (65006, "XAUTHRespRSA"),
            (65007, "XAUTHInitRSAEncryption"),
            (65008, "XAUTHRespRSAEncryption"),
            (65009, "XAUTHInitRSARevisedEncryption"),
            (65010, "XAUTHRespRSARevisedEncryptio"),
        ],
    ),
    Attribute(
        4,
        "GroupDesc",
        false,
        &[
            (1, "768MODPgr"),
            (2, "1024MODPgr"),
            (3, "EC2Ngr155"),
            (4, "EC2Ngr185"),
            (5, "1536MODPgr"),
            (14, "2048MODPgr"),
            (15, "3072MODPgr"),
            (16, "4096MODPgr"),
            (17, "6144MODPgr"),
            (18, "8192MODPgr"),
        ],
    ),
    Attribute(
        5,
        "GroupType",
        false,
        &[(1, "MODP"), (2, "ECP"), (3, "EC2N")],
    ),
    Attribute(6, "GroupPrime", true, &[]),
    Attribute(7, "GroupGenerator1", true, &[]),
    Attribute(8, "GroupGenerator2", true, &[]),
    Attribute(9, "GroupCurveA", true, &[]),
    Attribute(10, "GroupCurveB", true, &[]),
    Attribute(11, "LifeType", false, &[(1, "Seconds"), (2, "Kilobytes")]),
    Attribute(12, "LifeDuration", true, &[]),
    Attribute(13, "PRF", false, &[]),
    Attribute(14, "KeyLength", false, &[]),
    Attribute(15, "FieldSize", false, &[]),
    Attribute(16, "GroupOrder", true, &[]),
];

/// The payload classes by type, as `next_payload` names them.
const PAYLOAD_CLASSES: &[(i128, &str)] = &[
    (1, "ISAKMP_payload_SA"),
    (2, "ISAKMP_payload_Proposal"),
    (3, "ISAKMP_payload_Transform"),
    (4, "ISAKMP_payload_KE"),
    (5, "ISAKMP_payload_ID"),
    (8, "ISAKMP_payload_Hash"),
    (9, "ISAKMP_payload_SIG"),
    (10, "ISAKMP_payload_Nonce"),
    (11, "ISAKMP_payload_Notify"),
    (12, "ISAKMP_payload_Delete"),
    (13, "ISAKMP_payload_VendorID"),
];

fn names(t: &'static [(i128, &'static str)]) -> Rc<dyn EnumNames> {
    Rc::new(StaticNames(t))
}

/// ISAKMPTransformSetField: the attributes as `(name, value)` tuples, values by name where
/// the attribute has names.
struct TransformSetField;

impl TransformSetField {
    fn encode_one(item: &Value, out: &mut Vec<u8>) -> Result<(), String> {
        let (Value::Tuple(t) | Value::List(t)) = item else {
            return Err(format!(
                "an ISAKMP attribute is a (name, value) tuple, not {}",
                item.py_repr()
            ));
        };
        let [ty, val] = t.as_slice() else {
            return Err(format!("bad ISAKMP attribute {}", item.py_repr()));
        };
        let attr = match ty {
            Value::Str(n) => ATTRIBUTES.iter().find(|a| a.1 == n),
            Value::Int(i) => ATTRIBUTES.iter().find(|a| i128::from(a.0) == *i),
            other => return Err(format!("bad ISAKMP attribute type {}", other.py_repr())),
        };
        let (code, long, values) = match (attr, ty) {
            (Some(a), _) => (a.0, a.2, a.3),
            (None, Value::Int(i)) => (*i as u16, false, &[][..]),
            (None, other) => {
                return Err(format!("Unknown attribute type {}", other.py_repr()));
            }
        };
        let v = match val {
            Value::Int(i) => *i,
            Value::Str(s) => StaticNames(values)
                .value(s)
                .ok_or_else(|| format!("Unknown attribute '{s}'"))?,
            other => return Err(format!("bad ISAKMP attribute value {}", other.py_repr())),
        };
        // A value too large for two bytes goes as TLV, whatever the attribute.
        if !(0..=0xffff).contains(&v) {
            if !long {
                crate::packet::log::log_all(&[format!(
                    "'{}' should not be TLV but is too big => using TLV encoding",
                    attr.map_or_else(|| code.to_string(), |a| a.1.to_string())
                )]);
            }
            let bytes = (v as u128).to_be_bytes();
            let skip = bytes.iter().take(15).take_while(|&&b| b == 0).count();
            let body = &bytes[skip..];
            out.extend_from_slice(&(code & 0x7fff).to_be_bytes());
            out.extend_from_slice(&(body.len() as u16).to_be_bytes());
            out.extend_from_slice(body);
        } else {
            out.extend_from_slice(&(code | 0x8000).to_be_bytes());
            out.extend_from_slice(&(v as u16).to_be_bytes());
        }
        Ok(())
    }
}

impl FieldKind for TransformSetField {
    fn class_name(&self) -> &str {
        "ISAKMPTransformSetField"
    }

    fn is_list(&self) -> bool {
        true
    }

    fn addfield(&self, _ctx: &BuildCtx<'_>, v: &Value, out: &mut Vec<u8>) -> Result<(), String> {
        match v {
            Value::List(l) => {
                for item in l {
                    Self::encode_one(item, out)?;
                }
            }
            Value::None => {}
            Value::Bytes(b) => out.extend_from_slice(b),
            other => Self::encode_one(other, out)?,
        }
        Ok(())
    }

    fn getfield(
        &self,
        ctx: &mut DissectCtx<'_>,
        s: &[u8],
    ) -> Result<(usize, Option<Value>), Truncated> {
        let n = ctx.layer.int("length").map_or(s.len(), |l| {
            usize::try_from(l - 8).unwrap_or(0).min(s.len())
        });
        let x = &s[..n];
        if x.is_empty() {
            // No attributes read as empty bytes, as in the reference.
            return Ok((0, Some(Value::Bytes(Vec::new()))));
        }
        let mut items = Vec::new();
        let mut pos = 0;
        while pos + 4 <= x.len() {
            let ty = u16::from_be_bytes([x[pos], x[pos + 1]]);
            let word = u16::from_be_bytes([x[pos + 2], x[pos + 3]]);
            let code = ty & 0x7fff;
            let value = if ty & 0x8000 != 0 {
                pos += 4;
                i128::from(word)
            } else {
                let len = usize::from(word);
                let body = x.get(pos + 4..pos + 4 + len);
                pos += 4 + len;
                match body {
                    Some(b) => b.iter().fold(0i128, |a, &c| (a << 8) | i128::from(c)),
                    None => {
                        ctx.warnings
                            .push(format!("Bad length for ISAKMP transform type={code:#6x}"));
                        0
                    }
                }
            };
            let attr = ATTRIBUTES.iter().find(|a| a.0 == code);
            let name = attr.map_or(Value::Int(i128::from(code)), |a| Value::Str(a.1.into()));
            let value = attr
                .and_then(|a| a.3.iter().find(|(v, _)| *v == value))
                .map_or(Value::Int(value), |(_, n)| Value::Str((*n).to_string()));
            items.push(Value::Tuple(vec![name, value]));
        }
        Ok((n, Some(Value::List(items))))
    }

    fn i2repr(&self, _layer: &LayerData, v: &Value) -> String {
        match v {
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

/// A vendor ID: its name when it has one, else its bytes.
struct VendorIdField;

impl FieldKind for VendorIdField {
    fn class_name(&self) -> &str {
        "StrLenEnumField"
    }

    fn any2i(&self, _layer: &LayerData, v: Value) -> Result<Value, FieldError> {
        Ok(match v {
            Value::Str(s) => match VENDOR_IDS.iter().find(|(_, n)| *n == s) {
                Some((b, _)) => Value::Bytes(b.to_vec()),
                None => Value::Bytes(s.into_bytes()),
            },
            other => other,
        })
    }

    fn addfield(&self, _ctx: &BuildCtx<'_>, v: &Value, out: &mut Vec<u8>) -> Result<(), String> {
        out.extend_from_slice(&fields::bytes_of(v)?);
        Ok(())
    }

    fn getfield(
        &self,
        ctx: &mut DissectCtx<'_>,
        s: &[u8],
    ) -> Result<(usize, Option<Value>), Truncated> {
        let n = usize::try_from(body_len(4)(ctx.layer))
            .unwrap_or(0)
            .min(s.len());
        Ok((n, Some(Value::Bytes(s[..n].to_vec()))))
    }

    fn i2repr(&self, _layer: &LayerData, v: &Value) -> String {
        match v {
            Value::Bytes(b) => VENDOR_IDS
                .iter()
                .find(|(id, _)| *id == b.as_slice())
                .map_or_else(
                    || py_bytes_repr(b),
                    |(_, n)| format!("{} ({n})", py_bytes_repr(b)),
                ),
            other => other.py_repr(),
        }
    }
}

/// The bytes of a payload's body: its length less `header` bytes.
fn body_len(header: i128) -> Rc<dyn Fn(&LayerData) -> i128> {
    Rc::new(move |d: &LayerData| d.int("length").unwrap_or(0) - header)
}

/// The generic payload header: what follows, reserved, and the payload's own length
/// (computed when built).
fn payload_header() -> Vec<FieldDef> {
    vec![
        FieldDef::new(
            "next_payload",
            fields::byte_enum(names(PAYLOAD_TYPES)),
            Value::None,
        ),
        FieldDef::new("res", byte(), Value::Int(0)),
        FieldDef::new("length", short(), Value::None),
    ]
}

/// Hooks every ISAKMP class shares: a payload type the bindings do not name is a generic
/// payload; a payload's unset length is its own bytes (not the payloads after it).
fn isakmp_hooks(generic: &Weak<LayerDef>, length_at: Option<usize>) -> Hooks {
    let g = generic.clone();
    Hooks {
        default_payload: Some(Rc::new(move |d, _| {
            if d.int("next_payload").unwrap_or(0) == 0 {
                return None;
            }
            g.upgrade()
        })),
        post_build: length_at.map(|at| -> crate::packet::layer::PostBuildFn {
            Rc::new(move |d, mut hdr, pay, _| {
                if d.get("length").is_none_or(Value::is_none) {
                    let n = hdr.len();
                    if let Some(s) = hdr.get_mut(at..at + 2) {
                        s.copy_from_slice(&(n as u16).to_be_bytes());
                    }
                }
                hdr.extend_from_slice(pay);
                Ok(hdr)
            })
        }),
        ..Hooks::default()
    }
}

fn payload(class: &str, name: &str, body: Vec<FieldDef>, generic: &Weak<LayerDef>) -> LayerDef {
    let mut f = payload_header();
    f.extend(body);
    let mut d = LayerDef::new(class, name, f).with_hooks(isakmp_hooks(generic, Some(2)));
    d.show_indent = false;
    d
}

fn raw_default() -> Value {
    Value::Packet(crate::packet::Packet::new(&crate::packet::base::raw_def()))
}

fn spi_size() -> Rc<dyn FieldKind> {
    Num::new("FieldLenField", Width::Bytes(1), NumDisplay::Dec)
        .computed(fields::length_of("SPI", |n| n))
        .rc()
}

fn spi() -> FieldDef {
    FieldDef::new(
        "SPI",
        StrField::length_from(Rc::new(|d: &LayerData| d.int("SPIsize").unwrap_or(0))),
        Value::Bytes(Vec::new()),
    )
}

fn sa(proposal: Rc<LayerDef>, generic: &Weak<LayerDef>) -> LayerDef {
    payload(
        "ISAKMP_payload_SA",
        "ISAKMP SA",
        vec![
            FieldDef::new("doi", fields::int_enum(names(DOIS)), Value::Int(1)),
            FieldDef::new(
                "situation",
                fields::int_enum(names(SITUATIONS)),
                Value::Int(1),
            ),
            FieldDef::new(
                "prop",
                PacketField::rc(PktCls::Class(proposal), Some(body_len(12))),
                raw_default(),
            ),
        ],
        generic,
    )
}

fn proposal(transform: Rc<LayerDef>, generic: &Weak<LayerDef>) -> LayerDef {
    payload(
        "ISAKMP_payload_Proposal",
        "IKE proposal",
        vec![
            FieldDef::new("proposal", byte(), Value::Int(1)),
            FieldDef::new("proto", fields::byte_enum(names(PROTOS)), Value::Int(1)),
            FieldDef::new("SPIsize", spi_size(), Value::None),
            FieldDef::new("trans_nb", byte(), Value::None),
            spi(),
            FieldDef::new(
                "trans",
                PacketField::rc(
                    PktCls::Class(transform),
                    Some(Rc::new(|d: &LayerData| {
                        d.int("length").unwrap_or(0) - 8 - d.int("SPIsize").unwrap_or(0)
                    })),
                ),
                raw_default(),
            ),
        ],
        generic,
    )
}

fn transform(generic: &Weak<LayerDef>) -> LayerDef {
    payload(
        "ISAKMP_payload_Transform",
        "IKE Transform",
        vec![
            FieldDef::new("transform_count", byte(), Value::None),
            FieldDef::new(
                "transform_id",
                fields::byte_enum(names(TRANSFORM_IDS)),
                Value::Int(1),
            ),
            FieldDef::new("res2", short(), Value::Int(0)),
            FieldDef::new("transforms", Rc::new(TransformSetField), Value::None),
        ],
        generic,
    )
}

/// The payloads whose body is one string: class, display name, field.
const STRING_PAYLOADS: &[(&str, &str, &str)] = &[
    ("ISAKMP_payload_KE", "ISAKMP Key Exchange", "ke"),
    ("ISAKMP_payload_Hash", "ISAKMP Hash", "hash"),
    ("ISAKMP_payload_SIG", "ISAKMP Signature", "sig"),
    ("ISAKMP_payload_Nonce", "ISAKMP Nonce", "nonce"),
];

fn other_payloads(generic: &Weak<LayerDef>) -> Vec<LayerDef> {
    let mut out: Vec<LayerDef> = STRING_PAYLOADS
        .iter()
        .map(|(class, name, field)| {
            payload(
                class,
                name,
                vec![FieldDef::new(
                    field,
                    StrField::length_from(body_len(4)),
                    Value::Bytes(Vec::new()),
                )],
                generic,
            )
        })
        .collect();
    out.push(payload(
        "ISAKMP_payload_ID",
        "ISAKMP Identification",
        vec![
            FieldDef::new("IDtype", fields::byte_enum(names(ID_TYPES)), Value::Int(1)),
            FieldDef::new("ProtoID", fields::byte_enum(names(UNUSED)), Value::Int(0)),
            FieldDef::new("Port", fields::short_enum(names(UNUSED)), Value::Int(0)),
            FieldDef::new(
                "IdentData",
                StrField::length_from(body_len(8)),
                Value::Bytes(Vec::new()),
            )
            .alt(
                |d| d.int("IDtype") == Some(1),
                fields::IpField::plain(),
                Value::Ip4(Ipv4Addr::new(127, 0, 0, 1)),
            ),
        ],
        generic,
    ));
    out.push(payload(
        "ISAKMP_payload_Notify",
        "ISAKMP Notify (Notification)",
        vec![
            FieldDef::new("doi", fields::int_enum(names(DOIS)), Value::Int(0)),
            FieldDef::new("proto", fields::byte_enum(names(PROTOS)), Value::Int(1)),
            FieldDef::new("SPIsize", spi_size(), Value::None),
            FieldDef::new(
                "notify_msg_type",
                fields::short_enum(names(NOTIFY_TYPES)),
                Value::None,
            ),
            spi(),
            FieldDef::new(
                "notify_data",
                StrField::length_from(Rc::new(|d: &LayerData| {
                    d.int("length").unwrap_or(0) - 12 - d.int("SPIsize").unwrap_or(0)
                })),
                Value::Bytes(Vec::new()),
            ),
        ],
        generic,
    ));
    out.push(payload(
        "ISAKMP_payload_Delete",
        "ISAKMP Delete",
        vec![
            FieldDef::new("doi", fields::int_enum(names(DOIS)), Value::Int(0)),
            FieldDef::new("proto", fields::byte_enum(names(PROTOS)), Value::Int(1)),
            FieldDef::new(
                "SPIsize",
                Num::new("FieldLenField", Width::Bytes(1), NumDisplay::Dec)
                    .computed(Rc::new(|ctx: &BuildCtx<'_>| match ctx.layer.get("SPIs") {
                        Some(Value::List(l)) => l
                            .first()
                            .and_then(|x| fields::value_bytes(x).ok())
                            .map_or(0, |b| b.len() as i128),
                        _ => 0,
                    }))
                    .rc(),
                Value::None,
            ),
            FieldDef::new(
                "SPIcount",
                Num::new("FieldLenField", Width::Bytes(2), NumDisplay::Dec)
                    .computed(fields::count_of("SPIs", |n| n))
                    .rc(),
                Value::None,
            ),
            FieldDef::new(
                "SPIs",
                FieldListField::scapy(
                    StrField::with(
                        "StrLenField",
                        StrLen::From(Rc::new(|d: &LayerData| d.int("SPIsize").unwrap_or(0)), None),
                        false,
                    ),
                    None,
                    Some(Rc::new(|d: &LayerData| d.int("SPIcount").unwrap_or(0))),
                    None,
                ),
                Value::List(Vec::new()),
            ),
        ],
        generic,
    ));
    out.push(payload(
        "ISAKMP_payload_VendorID",
        "ISAKMP Vendor ID",
        vec![FieldDef::new(
            "VendorID",
            Rc::new(VendorIdField),
            Value::Bytes(Vec::new()),
        )],
        generic,
    ));
    out
}

fn isakmp(generic: &Weak<LayerDef>) -> LayerDef {
    let cookie = || StrField::with("XStrFixedLenField", StrLen::Fixed(8), true);
    let mut d = LayerDef::new(
        "ISAKMP",
        "ISAKMP",
        vec![
            FieldDef::new("init_cookie", cookie(), Value::Bytes(Vec::new())),
            FieldDef::new("resp_cookie", cookie(), Value::Bytes(Vec::new())),
            FieldDef::new(
                "next_payload",
                fields::byte_enum(names(PAYLOAD_TYPES)),
                Value::Int(0),
            ),
            FieldDef::new("version", fields::xbyte(), Value::Int(0x10)),
            FieldDef::new(
                "exch_type",
                fields::byte_enum(names(EXCHANGE_TYPES)),
                Value::Int(0),
            ),
            FieldDef::new(
                "flags",
                fields::flags(8, &["encryption", "commit", "auth_only"]),
                Value::Int(0),
            ),
            FieldDef::new("id", int(), Value::Int(0)),
            FieldDef::new("length", int(), Value::None),
        ],
    );
    d.hooks = isakmp_hooks(generic, None);
    d.hooks.post_build = Some(Rc::new(|d, mut hdr, pay, _| {
        hdr.extend_from_slice(pay);
        if d.get("length").is_none_or(Value::is_none) && hdr.len() >= 28 {
            let n = hdr.len() as u32;
            hdr[24..28].copy_from_slice(&n.to_be_bytes());
        }
        Ok(hdr)
    }));
    d.hooks.hashret = Some(Rc::new(|p| init_cookie_of(&p.data())));
    d.hooks.answers = Some(Rc::new(|me, other| {
        other.def().is_a_name("ISAKMP")
            && init_cookie_of(&me.data()) == init_cookie_of(&other.data())
    }));
    d
}

/// The generic payload: any type without a class of its own, followed by the same.
fn generic_payload(me: &Weak<LayerDef>) -> LayerDef {
    let mut f = payload_header();
    f.push(FieldDef::new(
        "load",
        StrField::with("XStrLenField", StrLen::From(body_len(4), None), true),
        Value::Bytes(Vec::new()),
    ));
    let mut d =
        LayerDef::new("ISAKMP_payload", "ISAKMP payload", f).with_hooks(isakmp_hooks(me, Some(2)));
    d.show_indent = false;
    d
}

/// The initiator's cookie as bytes (a random value drawn for a packet sent is text).
fn init_cookie_of(d: &LayerData) -> Vec<u8> {
    d.get("init_cookie")
        .and_then(|v| fields::value_bytes(v).ok())
        .unwrap_or_default()
}

/// Registers ISAKMP and its payloads on UDP port 500 (after `inet`).
pub fn register(reg: &Registry) {
    let generic = Rc::new_cyclic(generic_payload);
    reg.add(generic.clone());
    let weak = Rc::downgrade(&generic);
    let transform = reg.register(transform(&weak));
    let proposal = reg.register(proposal(transform, &weak));
    reg.register(sa(proposal, &weak));
    for d in other_payloads(&weak) {
        reg.register(d);
    }
    let header = reg.register(isakmp(&weak));
    // Every ISAKMP class is followed by the payload its next_payload names, and sets it.
    let mut lowers = vec![header.clone(), generic.clone()];
    lowers.extend(PAYLOAD_CLASSES.iter().filter_map(|(_, c)| reg.get(c)));
    for lower in &lowers {
        // The generic payload on top leaves "none" as the type.
        bind_top_down(lower, &generic, &[("next_payload", Value::Int(0))])
            .expect("built-in ISAKMP binding");
        for (ty, class) in PAYLOAD_CLASSES {
            if let Some(upper) = reg.get(class) {
                bind_layers(lower, &upper, &[("next_payload", Value::Int(*ty))])
                    .expect("built-in ISAKMP binding");
            }
        }
    }
    if let Some(udp) = reg.get("UDP") {
        let port = |f: &'static str| (f, Value::Int(500));
        for f in ["dport", "sport"] {
            bind_bottom_up(&udp, &header, &[port(f)]).expect("built-in ISAKMP binding");
        }
        bind_top_down(&udp, &header, &[port("sport"), port("dport")])
            .expect("built-in ISAKMP binding");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packet::{dissect, Registry};

    fn attr(name: &str, v: Value) -> Value {
        Value::Tuple(vec![Value::Str(name.into()), v])
    }

    #[test]
    fn attributes_are_tv_or_tlv() {
        let mut out = Vec::new();
        TransformSetField::encode_one(&attr("Encryption", Value::Str("AES-CBC".into())), &mut out)
            .unwrap();
        TransformSetField::encode_one(&attr("LifeDuration", Value::Int(86400)), &mut out).unwrap();
        assert_eq!(out, [0x80, 1, 0, 7, 0, 12, 0, 3, 0x01, 0x51, 0x80]);
        assert!(
            TransformSetField::encode_one(&attr("Hash", Value::Str("nope".into())), &mut out)
                .is_err()
        );
    }

    #[test]
    fn the_ike_scan_probe_builds_as_the_reference() {
        let reg = Registry::with_builtins();
        let isakmp = reg
            .new_layer("ISAKMP")
            .unwrap()
            .with("init_cookie", Value::Bytes(b"ABCDEFGH".to_vec()))
            .unwrap()
            .with("exch_type", "identity prot.")
            .unwrap();
        let sa = reg
            .new_layer("ISAKMP_payload_SA")
            .unwrap()
            .with(
                "prop",
                Value::Packet(reg.new_layer("ISAKMP_payload_Proposal").unwrap()),
            )
            .unwrap();
        let p = isakmp.div(&sa);
        let hex: String = p
            .build()
            .unwrap()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(
            hex,
            "4142434445464748000000000000000001100200000000000000003000000014\
             00000001000000010000000801010000"
        );
        let d = dissect(&reg.def("ISAKMP").unwrap(), &p.build().unwrap());
        assert_eq!(d.summary(), "ISAKMP / ISAKMP_payload_SA");
        assert!(d.repr().contains("exch_type=identity protection"));
    }

    #[test]
    fn an_unknown_payload_type_is_a_generic_payload() {
        let reg = Registry::with_builtins();
        let mut b = b"ABCDEFGH".to_vec();
        b.extend([0; 8]);
        b.extend([6, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 36]);
        b.extend([0, 0, 0, 8, b'a', b'b', b'c', b'd']);
        let d = dissect(&reg.def("ISAKMP").unwrap(), &b);
        assert_eq!(d.payload().unwrap().class_name(), "ISAKMP_payload");
    }
}
