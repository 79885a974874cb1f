//! DNS (RFC 1035) as Scapy 2.8 has it: the message (DNS, over UDP and, with its length
//! prefix, over TCP; mDNS on 5353), its question (DNSQR) and resource records (DNSRR, and
//! the SOA, MX, SRV and OPT records with their own layouts), and the EDNS(0) options of an
//! OPT record (EDNS0TLV, and the owner, DAU/DHU/N3U, client subnet, cookie, padding and
//! extended error options).
//!
//! ```text
//! DNS    | [length (2), over TCP] | id (2) | qr(1b) opcode(4b) aa tc rd ra z ad cd rcode(4b) |
//!        | qdcount (2) | ancount (2) | nscount (2) | arcount (2) | qd | an | ns | ar |
//! DNSQR  | qname (name) | qtype (2) | unicastresponse(1b) qclass(15b) |
//! DNSRR  | rrname (name) | type (2) | cacheflush(1b) rclass(15b) | ttl (4) | rdlen (2) | rdata |
//! name   | len | label | len | label | ... | 0 |, or ending in a pointer | 11 offset(14b) |
//! ```
//!
//! Names are built uncompressed (as the reference does) and decompressed when dissected:
//! a pointer is an offset from the start of the message, which the record lists hand to
//! the records they dissect ([`MESSAGE`]). Each pointer target is followed at most once,
//! so crafted loops end with a warning.

use std::cell::RefCell;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::rc::Rc;

use crate::packet::display::layer_field_repr;
use crate::packet::field::{BuildCtx, DissectCtx, FieldDef, FieldError, FieldKind, Truncated};
use crate::packet::fields::{
    self, byte, int, short, ComputeFn, EnumNames, Num, NumDisplay, PktCls, StaticNames, StrField,
    StrLen, Width,
};
use crate::packet::kinds::Ip6Field;
use crate::packet::layer::{Hooks, LayerDef};
use crate::packet::packet::{LayerData, Packet};
use crate::packet::registry::{bind_layers, Registry};
use crate::packet::value::{py_bytes_repr, Value};
use crate::packet::{base, dissect};

/// Resource record types.
static DNS_TYPES: &[(i128, &str)] = &[
    (0, "RESERVED"),
    (1, "A"),
    (2, "NS"),
    (3, "MD"),
    (4, "MF"),
    (5, "CNAME"),
    (6, "SOA"),
    (7, "MB"),
    (8, "MG"),
    (9, "MR"),
    (10, "NULL"),
    (11, "WKS"),
    (12, "PTR"),
    (13, "HINFO"),
    (14, "MINFO"),
    (15, "MX"),
    (16, "TXT"),
    (17, "RP"),
    (18, "AFSDB"),
    (19, "X25"),
    (20, "ISDN"),
    (21, "RT"),
    (22, "NSAP"),
    (23, "NSAP-PTR"),
    (24, "SIG"),
    (25, "KEY"),
    (26, "PX"),
    (27, "GPOS"),
    (28, "AAAA"),
    (29, "LOC"),
    (30, "NXT"),
    (31, "EID"),
    (32, "NIMLOC"),
    (33, "SRV"),
    (34, "ATMA"),
    (35, "NAPTR"),
    (36, "KX"),
    (37, "CERT"),
    (38, "A6"),
    (39, "DNAME"),
    (40, "SINK"),
    (41, "OPT"),
    (42, "APL"),
    (43, "DS"),
    (44, "SSHFP"),
    (45, "IPSECKEY"),
    (46, "RRSIG"),
    (47, "NSEC"),
    (48, "DNSKEY"),
    (49, "DHCID"),
    (50, "NSEC3"),
    (51, "NSEC3PARAM"),
    (52, "TLSA"),
    (53, "SMIMEA"),
    (55, "HIP"),
    (56, "NINFO"),
    (57, "RKEY"),
    (58, "TALINK"),
    (59, "CDS"),
    (60, "CDNSKEY"),
    (61, "OPENPGPKEY"),
    (62, "CSYNC"),
    (63, "ZONEMD"),
    (64, "SVCB"),
    (65, "HTTPS"),
    (99, "SPF"),
    (100, "UINFO"),
    (101, "UID"),
    (102, "GID"),
    (103, "UNSPEC"),
    (104, "NID"),
    (105, "L32"),
    (106, "L64"),
    (107, "LP"),
    (108, "EUI48"),
    (109, "EUI64"),
    (249, "TKEY"),
    (250, "TSIG"),
    (256, "URI"),
    (257, "CAA"),
    (258, "AVC"),
    (259, "DOA"),
    (260, "AMTRELAY"),
    (32768, "TA"),
    (32769, "DLV"),
    (65535, "RESERVED"),
];

/// EDNS(0) option codes.
static EDNS0_TYPES: &[(i128, &str)] = &[
    (0, "Reserved"),
    (1, "LLQ"),
    (2, "UL"),
    (3, "NSID"),
    (4, "Owner"),
    (5, "DAU"),
    (6, "DHU"),
    (7, "N3U"),
    (8, "edns-client-subnet"),
    (10, "COOKIE"),
    (12, "Padding"),
    (15, "Extended DNS Error"),
];

/// Extended DNS Error info codes (RFC 8914).
static EDE_CODES: &[(i128, &str)] = &[
    (0, "Other"),
    (1, "Unsupported DNSKEY Algorithm"),
    (2, "Unsupported DS Digest Type"),
    (3, "Stale Answer"),
    (4, "Forged Answer"),
    (5, "DNSSEC Indeterminate"),
    (6, "DNSSEC Bogus"),
    (7, "Signature Expired"),
    (8, "Signature Not Yet Valid"),
    (9, "DNSKEY Missing"),
    (10, "RRSIGs Missing"),
    (11, "No Zone Key Bit Set"),
    (12, "NSEC Missing"),
    (13, "Cached Error"),
    (14, "Not Ready"),
    (15, "Blocked"),
    (16, "Censored"),
    (17, "Filtered"),
    (18, "Prohibited"),
    (19, "Stale NXDOMAIN Answer"),
    (20, "Not Authoritative"),
    (21, "Not Supported"),
    (22, "No Reachable Authority"),
    (23, "Network Error"),
    (24, "Invalid Data"),
    (25, "Signature Expired before Valid"),
    (26, "Too Early"),
    (27, "Unsupported NSEC3 Iterations Value"),
    (28, "Unable to conform to policy"),
    (29, "Synthesized"),
];

/// Classes of records and questions.
static DNS_CLASSES: &[(i128, &str)] = &[(1, "IN"), (2, "CS"), (3, "CH"), (4, "HS"), (255, "ANY")];
/// Question types: the record types and the ones only a question asks for.
static DNS_QTYPES: &[(i128, &str)] = &[
    (251, "IXFR"),
    (252, "AXFR"),
    (253, "MAILB"),
    (254, "MAILA"),
    (255, "ALL"),
];
static DNS_OPCODES: &[(i128, &str)] = &[(0, "QUERY"), (1, "IQUERY"), (2, "STATUS")];
static DNS_RCODES: &[(i128, &str)] = &[
    (0, "ok"),
    (1, "format-error"),
    (2, "server-failure"),
    (3, "name-error"),
    (4, "not-implemented"),
    (5, "refused"),
];
/// The OPT record's flags: only DNSSEC OK has a name (spelt as the reference spells it).
static OPT_FLAGS: &[(i128, &str)] = &[(32768, "D0")];
/// NSEC3 flags.
static NSEC3_FLAGS: &[(i128, &str)] = &[(1, "Opt-Out")];

/// Algorithm numbers the DAU, DHU and N3U options list (RFC 6975).
static DNSSEC_ALGORITHMS: &[(i128, &str)] = &[
    (0, "Reserved"),
    (1, "RSA/MD5"),
    (2, "Diffie-Hellman"),
    (3, "DSA/SHA-1"),
    (4, "Reserved"),
    (5, "RSA/SHA-1"),
    (6, "DSA-NSEC3-SHA1"),
    (7, "RSASHA1-NSEC3-SHA1"),
    (8, "RSA/SHA-256"),
    (9, "Reserved"),
    (10, "RSA/SHA-512"),
    (11, "Reserved"),
    (12, "GOST R 34.10-2001"),
    (13, "ECDSA Curve P-256 with SHA-256"),
    (14, "ECDSA Curve P-384 with SHA-384"),
    (15, "Ed25519"),
    (16, "Ed448"),
    (252, "Reserved for Indirect Keys"),
    (253, "Private algorithms - domain name"),
    (254, "Private algorithms - OID"),
    (255, "Reserved"),
];
static DS_DIGESTS: &[(i128, &str)] = &[
    (0, "Reserved"),
    (1, "SHA-1"),
    (2, "SHA-256"),
    (3, "GOST R 34.11-94"),
    (4, "SHA-384"),
];
static NSEC3_HASHES: &[(i128, &str)] = &[(0, "Reserved"), (1, "SHA-1")];

/// The record types whose data is one domain name (NS, MD, MF, CNAME, PTR, DNAME).
const NAME_TYPES: &[i128] = &[2, 3, 4, 5, 12, 39];
const TYPE_A: i128 = 1;
const TYPE_AAAA: i128 = 28;
const TYPE_TXT: i128 = 16;

/// The UDP port of multicast DNS.
const MDNS_PORT: i128 = 5353;

fn names(t: &'static [(i128, &'static str)]) -> Rc<dyn EnumNames> {
    Rc::new(StaticNames(t))
}

/// The names of question types: a record type's, else a question-only type's.
struct QuestionTypes;

impl EnumNames for QuestionTypes {
    fn name(&self, v: i128) -> Option<std::borrow::Cow<'_, str>> {
        DNS_TYPES
            .iter()
            .chain(DNS_QTYPES)
            .find(|(n, _)| *n == v)
            .map(|(_, s)| (*s).into())
    }
    fn value(&self, name: &str) -> Option<i128> {
        StaticNames(DNS_TYPES)
            .value(name)
            .or_else(|| StaticNames(DNS_QTYPES).value(name))
    }
}

thread_local! {
    /// The DNS message whose records are being dissected: compression pointers are
    /// offsets into it.
    static MESSAGE: RefCell<Option<Rc<[u8]>>> = const { RefCell::new(None) };
}

/// Runs `f` with `msg` as the message compression pointers refer to.
fn with_message<R>(msg: Rc<[u8]>, f: impl FnOnce() -> R) -> R {
    let saved = MESSAGE.with(|m| m.replace(Some(msg)));
    let out = f();
    MESSAGE.with(|m| m.replace(saved));
    out
}

/// Where `s` lies in `within`, when it is a part of it (the same bytes in memory).
fn offset_in(s: &[u8], within: &[u8]) -> Option<usize> {
    let (base, p) = (within.as_ptr() as usize, s.as_ptr() as usize);
    (p >= base && p + s.len() <= base + within.len()).then(|| p - base)
}

/// The message compression pointers in `s` refer to, and where `s` starts in it: the
/// message being dissected when `s` is a part of it, else `whole` (a record dissected on its
/// own, whose pointers can only refer to itself).
fn message_of(s: &[u8], whole: &[u8]) -> Option<(Rc<[u8]>, usize)> {
    let current = MESSAGE.with(|m| m.borrow().clone());
    if let Some(m) = current {
        if let Some(at) = offset_in(s, &m) {
            return Some((m, at));
        }
    }
    offset_in(s, whole).map(|at| (Rc::from(whole), at))
}

/// The longest name text decompression builds (a wire name has at most 255 bytes; crafted
/// pointers can repeat labels far beyond that).
const MAX_NAME_TEXT: usize = 4096;

/// A name read off the wire: its text form (`b"www.example.com."`) and the bytes it took
/// where it starts (a pointer ends it: what it points to is elsewhere).
struct WireName {
    text: Vec<u8>,
    used: usize,
}

/// Reads the name at `at` in `msg`, following compression pointers (each target once: a
/// pointer seen again ends the name with a warning, as does one past the end). Labels in
/// place end at `end`. A label or pointer cut short is a truncation, unless `lenient`
/// (record data, where the reference keeps what is there and ends the name).
fn read_name(
    msg: &[u8],
    at: usize,
    end: usize,
    lenient: bool,
    warnings: &mut Vec<String>,
) -> Result<WireName, Truncated> {
    let mut labels: Vec<&[u8]> = Vec::new();
    let mut pos = at;
    let mut limit = end.min(msg.len());
    let mut used: Option<usize> = None;
    let mut visited: Vec<usize> = Vec::new();
    let mut total = 0usize;
    let cut = |pos: usize| if lenient { Ok(pos) } else { Err(Truncated) };
    loop {
        let Some(&len) = msg[..limit].get(pos) else {
            pos = cut(pos)?;
            break;
        };
        if len == 0 {
            pos += 1;
            break;
        }
        // Any of the two top bits makes a pointer, as in the reference (0x40 and 0x80 are
        // reserved label types).
        if len & 0xc0 != 0 {
            let Some(&low) = msg[..limit].get(pos + 1) else {
                pos = cut(limit)?;
                break;
            };
            used.get_or_insert_with(|| pos + 2 - at);
            let target = (usize::from(len & 0x3f) << 8) | usize::from(low);
            if visited.contains(&target) {
                warnings.push("DNS decompression loop detected".into());
                break;
            }
            visited.push(target);
            if target >= msg.len() {
                break;
            }
            pos = target;
            limit = msg.len();
            continue;
        }
        let stop = pos + 1 + usize::from(len);
        if stop > limit {
            cut(pos)?;
            labels.push(&msg[pos + 1..limit]);
            pos = limit;
            break;
        }
        labels.push(&msg[pos + 1..stop]);
        pos = stop;
        total += 1 + usize::from(len);
        if total > MAX_NAME_TEXT {
            // Crafted pointers can make a name reread the message many times over.
            warnings.push("DNS name too long: decompression stopped".into());
            break;
        }
    }
    let mut text = Vec::new();
    for l in &labels {
        text.extend_from_slice(l);
        text.push(b'.');
    }
    if text.is_empty() {
        text.push(b'.');
    }
    Ok(WireName {
        text,
        used: used.unwrap_or_else(|| pos.saturating_sub(at)),
    })
}

/// The wire form of a name given as text: each dot-separated label after its length (at
/// most 63 bytes of it), ending with the root's zero; `.` alone is the root.
fn encode_name(name: &[u8], out: &mut Vec<u8>) {
    if name == b"." {
        out.push(0);
        return;
    }
    let body = name.strip_suffix(b".").unwrap_or(name);
    for label in body.split(|&c| c == b'.') {
        let l = &label[..label.len().min(63)];
        out.push(l.len() as u8);
        out.extend_from_slice(l);
    }
    out.push(0);
}

/// The bytes of a name value, as assigned: text ends with a dot.
fn name_value(v: &Value) -> Result<Vec<u8>, String> {
    let mut b = fields::value_bytes(v)?;
    if b.last() != Some(&b'.') {
        b.push(b'.');
    }
    Ok(b)
}

/// DNSStrField: a domain name, held as text ending with a dot. `bounded` (record data) takes
/// `rdlen` bytes whatever the name's own length.
struct DnsStrField {
    bounded: bool,
}

impl FieldKind for DnsStrField {
    fn class_name(&self) -> &str {
        "DNSStrField"
    }

    fn any2i(&self, _layer: &LayerData, v: Value) -> Result<Value, FieldError> {
        Ok(match v {
            Value::Str(_) | Value::Bytes(_) => {
                Value::Bytes(name_value(&v).map_err(FieldError::BadValue)?)
            }
            other => other,
        })
    }

    fn addfield(&self, _ctx: &BuildCtx<'_>, v: &Value, out: &mut Vec<u8>) -> Result<(), String> {
        let name = match v {
            Value::None => b".".to_vec(),
            other => name_value(&other.concrete())?,
        };
        encode_name(&name, out);
        Ok(())
    }

    fn getfield(
        &self,
        ctx: &mut DissectCtx<'_>,
        s: &[u8],
    ) -> Result<(usize, Option<Value>), Truncated> {
        let Some((msg, at)) = message_of(s, ctx.whole) else {
            return Err(Truncated);
        };
        // Record data is a name within `rdlen` bytes.
        let bound = match (self.bounded, ctx.layer.int("rdlen")) {
            (true, Some(n)) => Some(usize::try_from(n).unwrap_or(0).min(s.len())),
            _ => None,
        };
        let end = at + bound.unwrap_or(s.len());
        let name = read_name(&msg, at, end, bound.is_some(), ctx.warnings)?;
        let used = bound.unwrap_or(name.used);
        Ok((used, Some(Value::Bytes(name.text))))
    }

    fn i2repr(&self, _layer: &LayerData, v: &Value) -> String {
        match v {
            Value::Bytes(b) => py_bytes_repr(b),
            other => other.py_repr(),
        }
    }

    fn i2len(&self, _layer: &LayerData, v: &Value) -> usize {
        let mut out = Vec::new();
        let name = name_value(v).unwrap_or_else(|_| b".".to_vec());
        encode_name(&name, &mut out);
        out.len()
    }
}

/// DNSTextField: TXT data, a list of character strings, each after its length byte (a
/// string longer than 255 bytes is cut into several).
struct DnsTextField {
    /// The field holding the data's length (`rdlen` in a record, `len` in an SVCB
    /// parameter).
    len_field: &'static str,
}

impl FieldKind for DnsTextField {
    fn class_name(&self) -> &str {
        "DNSTextField"
    }

    fn is_list(&self) -> bool {
        true
    }

    fn any2i(&self, _layer: &LayerData, v: Value) -> Result<Value, FieldError> {
        Ok(match v {
            Value::Str(_) | Value::Bytes(_) => Value::List(vec![v]),
            other => other,
        })
    }

    fn addfield(&self, _ctx: &BuildCtx<'_>, v: &Value, out: &mut Vec<u8>) -> Result<(), String> {
        let items = match v {
            Value::List(l) | Value::Tuple(l) => l.clone(),
            Value::None => Vec::new(),
            other => vec![other.clone()],
        };
        for it in items {
            let b = fields::value_bytes(&it)?;
            if b.is_empty() {
                out.push(0);
            }
            for chunk in b.chunks(255) {
                out.push(chunk.len() as u8);
                out.extend_from_slice(chunk);
            }
        }
        Ok(())
    }

    fn getfield(
        &self,
        ctx: &mut DissectCtx<'_>,
        s: &[u8],
    ) -> Result<(usize, Option<Value>), Truncated> {
        let n = ctx
            .layer
            .int(self.len_field)
            .map_or(s.len(), |n| usize::try_from(n).unwrap_or(0).min(s.len()));
        if n == 0 {
            // No strings read as empty bytes, as in the reference (shown as a list).
            return Ok((0, Some(Value::Bytes(Vec::new()))));
        }
        let mut items = Vec::new();
        let mut pos = 0;
        while pos < n {
            let len = usize::from(s[pos]);
            let end = (pos + 1 + len).min(n);
            items.push(Value::Bytes(s[pos + 1..end].to_vec()));
            pos = end;
        }
        Ok((n, Some(Value::List(items))))
    }

    fn i2repr(&self, _layer: &LayerData, v: &Value) -> String {
        match v {
            Value::Bytes(b) if b.is_empty() => "[]".to_string(),
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

/// The built length of the fields after `first` (a record's data, for its `rdlen`).
fn fields_len_from(first: usize) -> ComputeFn {
    Rc::new(move |ctx: &BuildCtx<'_>| {
        let l = ctx.layer;
        let mut out = Vec::new();
        for (i, f) in l.def.fields.iter().enumerate().skip(first) {
            if !f.present(l) {
                continue;
            }
            let (kind, _) = f.resolve(l);
            let v = match l.value_ref(i) {
                Value::None => f.resolve(l).1.clone(),
                v => v.clone(),
            };
            if kind.addfield(ctx, &v, &mut out).is_err() {
                break;
            }
        }
        out.len() as i128
    })
}

/// A record's `rdlen`: computed from the data after it when unset. `class` is what ls()
/// calls it (the reference's records differ).
fn rdlen(class: &str, first_data_field: usize) -> Rc<dyn FieldKind> {
    Num::new(class, Width::Bytes(2), NumDisplay::Dec)
        .computed(fields_len_from(first_data_field))
        .rc()
}

fn name_field(name: &str, default: &[u8]) -> FieldDef {
    FieldDef::new(
        name,
        Rc::new(DnsStrField { bounded: false }),
        Value::Bytes(default.to_vec()),
    )
}

fn type_field(default: i128) -> FieldDef {
    FieldDef::new(
        "type",
        fields::short_enum(names(DNS_TYPES)),
        Value::Int(default),
    )
}

/// cacheflush (mDNS) and the class, in one 16-bit field as records other than SOA and OPT
/// have them.
fn flushed_class() -> [FieldDef; 2] {
    [
        FieldDef::new("cacheflush", fields::bits(1), Value::Int(0)),
        FieldDef::new(
            "rclass",
            fields::bit_enum(15, names(DNS_CLASSES)),
            Value::Int(1),
        ),
    ]
}

/// show() prints what follows a question or a plain record at its own level.
trait Flat {
    fn flat(self) -> LayerDef;
}

impl Flat for LayerDef {
    fn flat(mut self) -> LayerDef {
        self.show_indent = false;
        self
    }
}

/// Records and questions end where their fields end: what follows is the next one.
fn record_hooks() -> Hooks {
    Hooks {
        extract_padding: Some(Rc::new(|_, _| 0)),
        ..Hooks::default()
    }
}

fn dnsqr() -> LayerDef {
    LayerDef::new(
        "DNSQR",
        "DNS Question Record",
        vec![
            name_field("qname", b"www.example.com."),
            FieldDef::new(
                "qtype",
                fields::short_enum(Rc::new(QuestionTypes)),
                Value::Int(1),
            ),
            FieldDef::new("unicastresponse", fields::bits(1), Value::Int(0)),
            FieldDef::new(
                "qclass",
                fields::bit_enum(15, names(DNS_CLASSES)),
                Value::Int(1),
            ),
        ],
    )
    .with_hooks(record_hooks())
    .flat()
}

fn rdata_type_is(types: &'static [i128]) -> impl Fn(&LayerData) -> bool {
    move |d| d.int("type").is_some_and(|t| types.contains(&t))
}

fn dnsrr() -> LayerDef {
    let [flush, class] = flushed_class();
    let rdlen_kind = Num::new("FieldLenField", Width::Bytes(2), NumDisplay::Dec)
        .computed(fields_len_from(6))
        .rc();
    let rdata = FieldDef::new(
        "rdata",
        StrField::length_from(Rc::new(|d: &LayerData| d.int("rdlen").unwrap_or(0))),
        Value::Bytes(Vec::new()),
    )
    .alt(
        rdata_type_is(&[TYPE_A]),
        fields::IpField::plain(),
        Value::Ip4(Ipv4Addr::UNSPECIFIED),
    )
    .alt(
        rdata_type_is(&[TYPE_AAAA]),
        Ip6Field::rc("IP6Field"),
        Value::Ip6(Ipv6Addr::UNSPECIFIED),
    )
    .alt(
        rdata_type_is(NAME_TYPES),
        Rc::new(DnsStrField { bounded: true }),
        Value::Bytes(b".".to_vec()),
    )
    .alt(
        rdata_type_is(&[TYPE_TXT]),
        Rc::new(DnsTextField { len_field: "rdlen" }),
        Value::List(vec![Value::Str(String::new())]),
    );
    LayerDef::new(
        "DNSRR",
        "DNS Resource Record",
        vec![
            name_field("rrname", b"."),
            type_field(1),
            flush,
            class,
            FieldDef::new("ttl", int(), Value::Int(0)),
            FieldDef::new("rdlen", rdlen_kind, Value::None),
            rdata,
        ],
    )
    .with_hooks(record_hooks())
    .flat()
}

fn dnsrr_soa() -> LayerDef {
    let mut f = vec![
        name_field("rrname", b"."),
        type_field(6),
        FieldDef::new(
            "rclass",
            fields::short_enum(names(DNS_CLASSES)),
            Value::Int(1),
        ),
        FieldDef::new("ttl", int(), Value::Int(0)),
        FieldDef::new("rdlen", rdlen("ShortField", 5), Value::None),
        name_field("mname", b"."),
        name_field("rname", b"."),
    ];
    for n in ["serial", "refresh", "retry", "expire", "minimum"] {
        f.push(FieldDef::new(n, int(), Value::Int(0)));
    }
    LayerDef::new("DNSRRSOA", "DNS SOA Resource Record", f).with_hooks(record_hooks())
}

fn dnsrr_mx() -> LayerDef {
    let [flush, class] = flushed_class();
    LayerDef::new(
        "DNSRRMX",
        "DNS MX Resource Record",
        vec![
            name_field("rrname", b"."),
            type_field(15),
            flush,
            class,
            FieldDef::new("ttl", int(), Value::Int(0)),
            FieldDef::new("rdlen", rdlen("ShortField", 6), Value::None),
            FieldDef::new("preference", short(), Value::Int(0)),
            name_field("exchange", b"."),
        ],
    )
    .with_hooks(record_hooks())
}

fn dnsrr_srv() -> LayerDef {
    let [flush, class] = flushed_class();
    LayerDef::new(
        "DNSRRSRV",
        "DNS SRV Resource Record",
        vec![
            name_field("rrname", b"."),
            type_field(33),
            flush,
            class,
            FieldDef::new("ttl", int(), Value::Int(0)),
            FieldDef::new("rdlen", rdlen("ShortField", 6), Value::None),
            FieldDef::new("priority", short(), Value::Int(0)),
            FieldDef::new("weight", short(), Value::Int(0)),
            FieldDef::new("port", short(), Value::Int(0)),
            name_field("target", b"."),
        ],
    )
    .with_hooks(record_hooks())
}

/// An EDNS(0) option's code and length (`optlen` counts the bytes after it).
fn edns0_head(code: i128) -> [FieldDef; 2] {
    [
        FieldDef::new(
            "optcode",
            fields::short_enum(names(EDNS0_TYPES)),
            Value::Int(code),
        ),
        FieldDef::new(
            "optlen",
            Num::new("FieldLenField", Width::Bytes(2), NumDisplay::Dec)
                .computed(fields_len_from(2))
                .rc(),
            Value::None,
        ),
    ]
}

/// Bytes of an option's data after `before` bytes of fixed fields, as `optlen` says.
fn optdata_len(before: i128) -> Rc<dyn Fn(&LayerData) -> i128> {
    Rc::new(move |d: &LayerData| d.int("optlen").unwrap_or(0) - before)
}

fn edns0_tlv() -> LayerDef {
    let [code, len] = edns0_head(0);
    LayerDef::new(
        "EDNS0TLV",
        "DNS EDNS0 TLV",
        vec![
            code,
            len,
            FieldDef::new(
                "optdata",
                StrField::length_from(optdata_len(0)),
                Value::Bytes(Vec::new()),
            ),
        ],
    )
    .with_hooks(record_hooks())
}

fn edns0_cookie() -> LayerDef {
    let [code, len] = edns0_head(10);
    LayerDef::new(
        "EDNS0COOKIE",
        "DNS EDNS0 COOKIE",
        vec![
            code,
            len,
            FieldDef::new(
                "client_cookie",
                StrField::with("XStrFixedLenField", StrLen::Fixed(8), true),
                Value::Bytes(vec![0; 8]),
            ),
            FieldDef::new(
                "server_cookie",
                StrField::with("XStrLenField", StrLen::From(optdata_len(8), None), true),
                Value::Bytes(Vec::new()),
            ),
        ],
    )
    .with_hooks(record_hooks())
}

fn edns0_extended_error() -> LayerDef {
    let [code, len] = edns0_head(15);
    LayerDef::new(
        "EDNS0ExtendedDNSError",
        "DNS EDNS0 Extended DNS Error",
        vec![
            code,
            len,
            FieldDef::new(
                "info_code",
                fields::short_enum(names(EDE_CODES)),
                Value::Int(0),
            ),
            FieldDef::new(
                "extra_text",
                StrField::length_from(optdata_len(2)),
                Value::Bytes(Vec::new()),
            ),
        ],
    )
    .with_hooks(record_hooks())
}

/// DAU, DHU, N3U: the algorithms a client understands, one byte each.
fn edns0_algorithms(
    class: &str,
    name: &str,
    code: i128,
    table: &'static [(i128, &'static str)],
) -> LayerDef {
    let [code, len] = edns0_head(code);
    LayerDef::new(
        class,
        name,
        vec![
            code,
            len,
            FieldDef::new(
                "alg_code",
                fields::FieldListField::rc(fields::byte_enum(names(table)), Some(optdata_len(0))),
                Value::List(Vec::new()),
            ),
        ],
    )
    .with_hooks(record_hooks())
}

fn edns0_padding() -> LayerDef {
    let [code, len] = edns0_head(12);
    LayerDef::new(
        "EDNS0PADDING",
        "DNS EDNS0 Padding",
        vec![
            code,
            len,
            FieldDef::new(
                "padding",
                StrField::length_from(optdata_len(0)),
                Value::Bytes(Vec::new()),
            ),
        ],
    )
    .with_hooks(record_hooks())
}

/// The EDNS0 Owner option (draft-cheshire-edns0-owner-option): a wake-up MAC and a
/// password when the option is long enough to hold them.
fn edns0_owner() -> LayerDef {
    let [code, len] = edns0_head(4);
    let mac = || fields::MacField::plain();
    let zero_mac = || Value::Mac([0; 6]);
    LayerDef::new(
        "EDNS0OWN",
        "EDNS0 Owner (OWN)",
        vec![
            code,
            len,
            FieldDef::new("v", byte(), Value::Int(0)),
            FieldDef::new("s", byte(), Value::Int(0)),
            FieldDef::new("primary_mac", mac(), zero_mac()),
            FieldDef::new("wakeup_mac", mac(), zero_mac())
                .when(|d| d.int("optlen").is_some_and(|l| l >= 14)),
            FieldDef::new(
                "password",
                StrField::length_from(optdata_len(14)),
                Value::Bytes(Vec::new()),
            )
            .when(|d| d.int("optlen").is_some_and(|l| l > 14)),
        ],
    )
    .with_hooks(record_hooks())
}

/// The address of an EDNS Client Subnet option (RFC 7871): only the bytes its prefix
/// covers are sent (without a prefix length, the address less its trailing zero bytes);
/// read back, it is padded to a whole address.
struct ClientSubnetAddr {
    v6: bool,
}

impl ClientSubnetAddr {
    fn octets(&self, v: &Value) -> Result<Vec<u8>, String> {
        let text = match v {
            Value::Ip4(a) => return Ok(a.octets().to_vec()),
            Value::Ip6(a) => return Ok(a.octets().to_vec()),
            other => String::from_utf8_lossy(&fields::value_bytes(other)?).into_owned(),
        };
        let bad = || {
            format!(
                "{text:?} is not an IPv{} address",
                if self.v6 { 6 } else { 4 }
            )
        };
        Ok(if self.v6 {
            text.parse::<Ipv6Addr>()
                .map_err(|_| bad())?
                .octets()
                .to_vec()
        } else {
            text.parse::<Ipv4Addr>()
                .map_err(|_| bad())?
                .octets()
                .to_vec()
        })
    }

    /// The address less its trailing zero bytes.
    fn significant(&self, v: &Value) -> Vec<u8> {
        let mut b = self.octets(v).unwrap_or_default();
        while b.last() == Some(&0) {
            b.pop();
        }
        b
    }
}

impl FieldKind for ClientSubnetAddr {
    fn class_name(&self) -> &str {
        if self.v6 {
            "ClientSubnetv6"
        } else {
            "ClientSubnetv4"
        }
    }

    fn any2i(&self, _layer: &LayerData, v: Value) -> Result<Value, FieldError> {
        Ok(match v {
            Value::Str(s) => Value::Bytes(s.into_bytes()),
            other => other,
        })
    }

    fn addfield(&self, ctx: &BuildCtx<'_>, v: &Value, out: &mut Vec<u8>) -> Result<(), String> {
        let b = self.octets(v)?;
        match ctx.layer.int("source_plen") {
            Some(bits) => {
                let n = usize::try_from(bits).unwrap_or(0).div_ceil(8).min(b.len());
                out.extend_from_slice(&b[..n]);
            }
            None => out.extend(self.significant(v)),
        }
        Ok(())
    }

    fn getfield(
        &self,
        ctx: &mut DissectCtx<'_>,
        s: &[u8],
    ) -> Result<(usize, Option<Value>), Truncated> {
        let size = if self.v6 { 16 } else { 4 };
        let bits = ctx.layer.int("source_plen").unwrap_or(0);
        let n = usize::try_from(bits)
            .unwrap_or(0)
            .div_ceil(8)
            .min(size)
            .min(s.len());
        let mut b = s[..n].to_vec();
        b.resize(size, 0);
        let text = if self.v6 {
            let mut a = [0u8; 16];
            a.copy_from_slice(&b);
            Ipv6Addr::from(a).to_string()
        } else {
            Ipv4Addr::new(b[0], b[1], b[2], b[3]).to_string()
        };
        Ok((n, Some(Value::Str(text))))
    }

    fn i2repr(&self, _layer: &LayerData, v: &Value) -> String {
        v.py_repr()
    }

    fn i2len(&self, _layer: &LayerData, v: &Value) -> usize {
        self.significant(v).len()
    }
}

fn edns0_client_subnet() -> LayerDef {
    let [code, len] = edns0_head(8);
    let addr = |v6| -> Rc<dyn FieldKind> { Rc::new(ClientSubnetAddr { v6 }) };
    LayerDef::new(
        "EDNS0ClientSubnet",
        "DNS EDNS0 Client Subnet",
        vec![
            code,
            len,
            FieldDef::new("family", short(), Value::Int(1)),
            FieldDef::new(
                "source_plen",
                Num::new("FieldLenField", Width::Bytes(1), NumDisplay::Dec)
                    .computed(fields::length_of("address", |n| n * 8))
                    .rc(),
                Value::None,
            ),
            FieldDef::new("scope_plen", byte(), Value::Int(0)),
            FieldDef::new(
                "address",
                addr(false),
                Value::Bytes(b"192.168.0.0".to_vec()),
            )
            .alt(
                |d| d.int("family") == Some(1),
                addr(false),
                Value::Bytes(b"192.168.0.0".to_vec()),
            )
            .alt(
                |d| d.int("family") == Some(2),
                addr(true),
                Value::Bytes(b"2001:db8::".to_vec()),
            ),
        ],
    )
    .with_hooks(record_hooks())
}

fn dnsrr_opt(options: &[(i128, Rc<LayerDef>)], generic: Rc<LayerDef>) -> LayerDef {
    let table = options.to_vec();
    let dispatch = Rc::new(move |s: &[u8]| {
        let code = s
            .get(..2)
            .map_or(-1, |b| i128::from(u16::from_be_bytes([b[0], b[1]])));
        table
            .iter()
            .find(|(c, _)| *c == code)
            .map_or_else(|| generic.clone(), |(_, d)| d.clone())
    });
    let rdlen_kind = Num::new("FieldLenField", Width::Bytes(2), NumDisplay::Dec)
        .computed(fields_len_from(7))
        .rc();
    LayerDef::new(
        "DNSRROPT",
        "DNS OPT Resource Record",
        vec![
            name_field("rrname", b"."),
            type_field(41),
            FieldDef::new(
                "rclass",
                fields::short_enum(names(DNS_CLASSES)),
                Value::Int(4096),
            ),
            FieldDef::new("extrcode", byte(), Value::Int(0)),
            FieldDef::new("version", byte(), Value::Int(0)),
            FieldDef::new(
                "z",
                fields::bit_enum(16, names(OPT_FLAGS)),
                Value::Int(32768),
            ),
            FieldDef::new("rdlen", rdlen_kind, Value::None),
            FieldDef::new(
                "rdata",
                fields::PacketListField::scapy(
                    PktCls::Dispatch(dispatch),
                    None,
                    Some(Rc::new(|d: &LayerData| d.int("rdlen").unwrap_or(0))),
                    None,
                    None,
                ),
                Value::List(Vec::new()),
            ),
        ],
    )
    .with_hooks(record_hooks())
}

/// The civil date and time of a count of seconds since 1970 (UTC): year, month (1-12),
/// day, weekday (0 = Sunday), hour, minute, second.
fn civil(secs: i128) -> (i128, usize, i128, usize, i128, i128, i128) {
    let days = secs.div_euclid(86400);
    let rem = secs.rem_euclid(86400);
    // Howard Hinnant's days-from-civil, inverted.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i128::from(month <= 2);
    let weekday = (days + 4).rem_euclid(7) as usize;
    (
        year,
        month as usize,
        day,
        weekday,
        rem / 3600,
        rem / 60 % 60,
        rem % 60,
    )
}

const WEEKDAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// How a time field shows its seconds.
#[derive(Clone, Copy)]
enum TimeStyle {
    /// UTCTimeField: `Tue, 14 Nov 2023 22:13:20  (1700000000)`.
    Utc,
    /// TimeSignedField: `Tue Nov 14 22:13:20 2023`.
    Signed,
}

/// A time in seconds since 1970: RRSIG's 32-bit expiration and inception (UTCTimeField),
/// TSIG's 48-bit signing time (TimeSignedField).
struct TimeField {
    style: TimeStyle,
}

impl TimeField {
    fn bytes(&self) -> usize {
        match self.style {
            TimeStyle::Utc => 4,
            TimeStyle::Signed => 6,
        }
    }
}

impl FieldKind for TimeField {
    fn class_name(&self) -> &str {
        match self.style {
            TimeStyle::Utc => "UTCTimeField",
            TimeStyle::Signed => "TimeSignedField",
        }
    }

    fn addfield(&self, _ctx: &BuildCtx<'_>, v: &Value, out: &mut Vec<u8>) -> Result<(), String> {
        let i = v
            .concrete()
            .as_int()
            .ok_or_else(|| format!("a time is a number of seconds, not {}", v.py_repr()))?;
        let n = self.bytes();
        out.extend_from_slice(&(i as u64).to_be_bytes()[8 - n..]);
        Ok(())
    }

    fn getfield(
        &self,
        _ctx: &mut DissectCtx<'_>,
        s: &[u8],
    ) -> Result<(usize, Option<Value>), Truncated> {
        let n = self.bytes();
        let b = s.get(..n).ok_or(Truncated)?;
        let v = b.iter().fold(0i128, |a, &c| (a << 8) | i128::from(c));
        Ok((n, Some(Value::Int(v))))
    }

    fn i2repr(&self, _layer: &LayerData, v: &Value) -> String {
        let Value::Int(secs) = v else {
            return v.py_repr();
        };
        let (y, mo, d, wd, h, mi, se) = civil(*secs);
        let (wd, mo) = (WEEKDAYS[wd], MONTHS[mo - 1]);
        match self.style {
            TimeStyle::Utc => format!("{wd}, {d:02} {mo} {y} {h:02}:{mi:02}:{se:02}  ({secs})"),
            TimeStyle::Signed => format!("{wd} {mo} {d:02} {h:02}:{mi:02}:{se:02} {y}"),
        }
    }
}

/// RRlistField: the types present at a name (NSEC, NSEC3), held as the RFC 4034 bitmap and
/// shown as the types' names.
struct TypeBitmapField;

impl TypeBitmapField {
    /// The bitmap of a list of types: per window of 256 types, the window, the length of
    /// its bitmap and the bitmap.
    fn encode(types: &[i128]) -> Vec<u8> {
        let mut t: Vec<u16> = types
            .iter()
            .filter_map(|&x| u16::try_from(x.abs()).ok())
            .collect();
        t.sort_unstable();
        t.dedup();
        let mut out = Vec::new();
        let mut i = 0;
        while i < t.len() {
            let window = t[i] >> 8;
            let mut bitmap = [0u8; 32];
            let mut len = 0;
            while i < t.len() && t[i] >> 8 == window {
                let low = usize::from(t[i] & 0xff);
                bitmap[low / 8] |= 0x80 >> (low % 8);
                len = low / 8 + 1;
                i += 1;
            }
            out.push(window as u8);
            out.push(len as u8);
            out.extend_from_slice(&bitmap[..len]);
        }
        out
    }

    /// The types of a bitmap (what cannot be read ends the list).
    fn decode(b: &[u8]) -> Vec<i128> {
        let mut out = Vec::new();
        let mut pos = 0;
        while pos + 2 <= b.len() {
            let window = i128::from(b[pos]);
            let len = usize::from(b[pos + 1]).min(32);
            let Some(bits) = b.get(pos + 2..pos + 2 + len) else {
                break;
            };
            for (j, byte) in bits.iter().enumerate() {
                for k in 0..8 {
                    if byte & (0x80 >> k) != 0 {
                        out.push(window * 256 + (j * 8 + k) as i128);
                    }
                }
            }
            pos += 2 + len;
        }
        out
    }

    fn type_value(v: &Value) -> Result<i128, String> {
        match v {
            Value::Int(i) => Ok(*i),
            Value::Str(s) => StaticNames(DNS_TYPES)
                .value(s)
                .ok_or_else(|| format!("unknown record type {s:?}")),
            other => Err(format!("a record type, not {}", other.py_repr())),
        }
    }
}

impl FieldKind for TypeBitmapField {
    fn class_name(&self) -> &str {
        "RRlistField"
    }

    fn is_list(&self) -> bool {
        true
    }

    fn any2i(&self, _layer: &LayerData, v: Value) -> Result<Value, FieldError> {
        match v {
            Value::List(l) | Value::Tuple(l) => {
                let types = l
                    .iter()
                    .map(Self::type_value)
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(FieldError::BadValue)?;
                Ok(Value::Bytes(Self::encode(&types)))
            }
            other => Ok(other),
        }
    }

    fn addfield(&self, _ctx: &BuildCtx<'_>, v: &Value, out: &mut Vec<u8>) -> Result<(), String> {
        match v {
            Value::List(l) => {
                let types = l
                    .iter()
                    .map(Self::type_value)
                    .collect::<Result<Vec<_>, _>>()?;
                out.extend(Self::encode(&types));
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
        Ok((s.len(), Some(Value::Bytes(s.to_vec()))))
    }

    fn i2repr(&self, _layer: &LayerData, v: &Value) -> String {
        let Value::Bytes(b) = v else {
            return v.py_repr();
        };
        let names: Vec<String> = Self::decode(b)
            .into_iter()
            .map(|t| {
                StaticNames(DNS_TYPES)
                    .name(t)
                    .map_or_else(|| t.to_string(), |n| format!("'{n}'"))
            })
            .collect();
        format!("[{}]", names.join(", "))
    }
}

/// A record with the common head (owner, type, cacheflush and class, TTL, `rdlen`) and
/// these data fields.
fn flushed_record(class: &str, name: &str, ty: i128, data: Vec<FieldDef>) -> LayerDef {
    let [flush, rclass] = flushed_class();
    let mut f = vec![
        name_field("rrname", b"."),
        type_field(ty),
        flush,
        rclass,
        FieldDef::new("ttl", int(), Value::Int(0)),
        FieldDef::new("rdlen", rdlen("ShortField", 6), Value::None),
    ];
    f.extend(data);
    LayerDef::new(class, name, f).with_hooks(record_hooks())
}

fn byte_len_of(field: &str) -> Rc<dyn FieldKind> {
    Num::new("FieldLenField", Width::Bytes(1), NumDisplay::Dec)
        .computed(fields::length_of(field, |n| n))
        .rc()
}

fn str_by(len_field: &'static str) -> Rc<dyn FieldKind> {
    StrField::length_from(Rc::new(move |d: &LayerData| d.int(len_field).unwrap_or(0)))
}

fn empty() -> Value {
    Value::Bytes(Vec::new())
}

/// The DNSSEC and other records Scapy 2.8 gives a class of their own.
fn more_records() -> Vec<LayerDef> {
    let alg = || fields::byte_enum(names(DNSSEC_ALGORITHMS));
    let digest = || fields::byte_enum(names(DS_DIGESTS));
    let rest = StrField::rest;
    vec![
        flushed_record(
            "DNSRRHINFO",
            "DNS HINFO Resource Record",
            13,
            vec![
                FieldDef::new("cpulen", byte_len_of("cpu"), Value::None),
                FieldDef::new("cpu", str_by("cpulen"), empty()),
                FieldDef::new("oslen", byte_len_of("os"), Value::None),
                FieldDef::new("os", str_by("oslen"), empty()),
            ],
        ),
        flushed_record(
            "DNSRRNAPTR",
            "DNS NAPTR Resource Record",
            35,
            vec![
                FieldDef::new("order", short(), Value::Int(0)),
                FieldDef::new("preference", short(), Value::Int(0)),
                FieldDef::new("flags_len", byte_len_of("flags"), Value::None),
                FieldDef::new("flags", str_by("flags_len"), empty()),
                FieldDef::new("services_len", byte_len_of("services"), Value::None),
                FieldDef::new("services", str_by("services_len"), empty()),
                FieldDef::new("regexp_len", byte_len_of("regexp"), Value::None),
                FieldDef::new("regexp", str_by("regexp_len"), empty()),
                name_field("replacement", b"."),
            ],
        ),
        flushed_record(
            "DNSRRDS",
            "DNS DS Resource Record",
            43,
            vec![
                FieldDef::new("keytag", short(), Value::Int(0)),
                FieldDef::new("algorithm", alg(), Value::Int(5)),
                FieldDef::new("digesttype", digest(), Value::Int(5)),
                FieldDef::new("digest", rest(), empty()),
            ],
        ),
        flushed_record(
            "DNSRRRSIG",
            "DNS RRSIG Resource Record",
            46,
            vec![
                FieldDef::new(
                    "typecovered",
                    fields::short_enum(names(DNS_TYPES)),
                    Value::Int(1),
                ),
                FieldDef::new("algorithm", alg(), Value::Int(5)),
                FieldDef::new("labels", byte(), Value::Int(0)),
                FieldDef::new("originalttl", int(), Value::Int(0)),
                FieldDef::new(
                    "expiration",
                    Rc::new(TimeField {
                        style: TimeStyle::Utc,
                    }),
                    Value::Int(0),
                ),
                FieldDef::new(
                    "inception",
                    Rc::new(TimeField {
                        style: TimeStyle::Utc,
                    }),
                    Value::Int(0),
                ),
                FieldDef::new("keytag", short(), Value::Int(0)),
                name_field("signersname", b"."),
                FieldDef::new("signature", rest(), empty()),
            ],
        ),
        flushed_record(
            "DNSRRNSEC",
            "DNS NSEC Resource Record",
            47,
            vec![
                name_field("nextname", b"."),
                FieldDef::new("typebitmaps", Rc::new(TypeBitmapField), empty()),
            ],
        ),
        flushed_record(
            "DNSRRDNSKEY",
            "DNS DNSKEY Resource Record",
            48,
            vec![
                FieldDef::new(
                    "flags",
                    fields::flags(
                        16,
                        &[
                            "S", "?", "?", "?", "?", "?", "?", "?", "Z", "?", "?", "?", "?", "?",
                            "?", "?",
                        ],
                    ),
                    Value::Int(256),
                ),
                FieldDef::new("protocol", byte(), Value::Int(3)),
                FieldDef::new("algorithm", alg(), Value::Int(5)),
                FieldDef::new("publickey", rest(), empty()),
            ],
        ),
        // As in the reference, the salt's and hash's lengths default to 0 (not computed).
        flushed_record(
            "DNSRRNSEC3",
            "DNS NSEC3 Resource Record",
            50,
            vec![
                FieldDef::new("hashalg", byte(), Value::Int(0)),
                FieldDef::new(
                    "flags",
                    fields::bit_enum(8, names(NSEC3_FLAGS)),
                    Value::Int(0),
                ),
                FieldDef::new("iterations", short(), Value::Int(0)),
                FieldDef::new("saltlength", byte_len_of("salt"), Value::Int(0)),
                FieldDef::new("salt", str_by("saltlength"), empty()),
                FieldDef::new(
                    "hashlength",
                    byte_len_of("nexthashedownername"),
                    Value::Int(0),
                ),
                FieldDef::new("nexthashedownername", str_by("hashlength"), empty()),
                FieldDef::new("typebitmaps", Rc::new(TypeBitmapField), empty()),
            ],
        ),
        flushed_record(
            "DNSRRNSEC3PARAM",
            "DNS NSEC3PARAM Resource Record",
            51,
            vec![
                FieldDef::new("hashalg", byte(), Value::Int(0)),
                FieldDef::new("flags", byte(), Value::Int(0)),
                FieldDef::new("iterations", short(), Value::Int(0)),
                FieldDef::new("saltlength", byte_len_of("salt"), Value::Int(0)),
                FieldDef::new("salt", str_by("saltlength"), empty()),
            ],
        ),
    ]
}

/// Service parameter keys (RFC 9460).
static SVC_KEYS: &[(i128, &str)] = &[
    (0, "mandatory"),
    (1, "alpn"),
    (2, "no-default-alpn"),
    (3, "port"),
    (4, "ipv4hint"),
    (5, "ech"),
    (6, "ipv6hint"),
    (7, "dohpath"),
    (8, "ohttp"),
];

/// One SVCB/HTTPS service parameter: its key, length and a value read as the key says.
fn svc_param() -> LayerDef {
    let key_is = |keys: &'static [i128]| {
        move |d: &LayerData| d.int("key").is_some_and(|k| keys.contains(&k))
    };
    let by_len =
        || -> Option<fields::LengthFn> { Some(Rc::new(|d: &LayerData| d.int("len").unwrap_or(0))) };
    LayerDef::new(
        "SvcParam",
        "SvcParam",
        vec![
            FieldDef::new("key", fields::short_enum(names(SVC_KEYS)), Value::Int(0)),
            FieldDef::new(
                "len",
                Num::new("FieldLenField", Width::Bytes(2), NumDisplay::Dec)
                    .computed(fields_len_from(2))
                    .rc(),
                Value::None,
            ),
            FieldDef::new("value", str_by("len"), empty())
                .alt(
                    key_is(&[0]),
                    fields::FieldListField::rc(fields::short_enum(names(SVC_KEYS)), by_len()),
                    Value::List(Vec::new()),
                )
                .alt(
                    key_is(&[1, 2]),
                    Rc::new(DnsTextField { len_field: "len" }),
                    Value::List(Vec::new()),
                )
                .alt(key_is(&[3]), short(), Value::Int(0))
                .alt(
                    key_is(&[4]),
                    fields::FieldListField::rc(fields::IpField::plain(), by_len()),
                    Value::List(Vec::new()),
                )
                .alt(
                    key_is(&[6]),
                    fields::FieldListField::rc(Ip6Field::rc("IP6Field"), by_len()),
                    Value::List(Vec::new()),
                ),
        ],
    )
    .with_hooks(record_hooks())
}

/// SVCB and HTTPS (RFC 9460): a priority, a target and service parameters.
fn dnsrr_svcb(class: &str, name: &str, ty: i128, param: &Rc<LayerDef>) -> LayerDef {
    flushed_record(
        class,
        name,
        ty,
        vec![
            FieldDef::new("svc_priority", short(), Value::Int(0)),
            name_field("target_name", b"."),
            FieldDef::new(
                "svc_params",
                fields::PacketListField::scapy(
                    PktCls::Class(param.clone()),
                    None,
                    None,
                    None,
                    None,
                ),
                Value::List(Vec::new()),
            ),
        ],
    )
}

fn dnsrr_tsig() -> LayerDef {
    let short_len_of = |f: &str| {
        Num::new("FieldLenField", Width::Bytes(2), NumDisplay::Dec)
            .computed(fields::length_of(f, |n| n))
            .rc()
    };
    LayerDef::new(
        "DNSRRTSIG",
        "DNS TSIG Resource Record",
        vec![
            name_field("rrname", b"."),
            type_field(250),
            FieldDef::new(
                "rclass",
                fields::short_enum(names(DNS_CLASSES)),
                Value::Int(1),
            ),
            FieldDef::new("ttl", int(), Value::Int(0)),
            FieldDef::new("rdlen", rdlen("ShortField", 5), Value::None),
            name_field("algo_name", b"hmac-sha1."),
            FieldDef::new(
                "time_signed",
                Rc::new(TimeField {
                    style: TimeStyle::Signed,
                }),
                Value::Int(0),
            ),
            FieldDef::new("fudge", short(), Value::Int(0)),
            FieldDef::new("mac_len", short_len_of("mac_data"), Value::None),
            FieldDef::new("mac_data", str_by("mac_len"), empty()),
            FieldDef::new("original_id", short(), Value::Int(0)),
            FieldDef::new("error", short(), Value::Int(0)),
            FieldDef::new("other_len", short_len_of("other_data"), Value::None),
            FieldDef::new("other_data", str_by("other_len"), empty()),
        ],
    )
    .with_hooks(record_hooks())
}

/// The record classes a message's sections dissect into, by record type.
struct RecordClasses {
    question: Rc<LayerDef>,
    generic: Rc<LayerDef>,
    by_type: Vec<(i128, Rc<LayerDef>)>,
}

impl RecordClasses {
    /// The class of the entry at `at` in `msg` and where it ends: after its owner name, a
    /// question has its type and class; a record its type (which picks the class), class,
    /// TTL, and `rdlen` bytes of data after its length. An entry cut short ends with the
    /// message.
    fn entry_at(&self, msg: &[u8], at: usize, question: bool) -> (Rc<LayerDef>, usize) {
        let mut pos = at;
        let fixed = loop {
            match msg.get(pos) {
                Some(0) => break pos + 1,
                Some(&c) if c & 0xc0 != 0 => break pos + 2,
                Some(&c) => pos += 1 + usize::from(c),
                None => break msg.len(),
            }
        };
        let u16_at = |i: usize| {
            msg.get(i..i + 2)
                .map(|b| usize::from(u16::from_be_bytes([b[0], b[1]])))
        };
        if question {
            return (self.question.clone(), (fixed + 4).min(msg.len()));
        }
        let ty = u16_at(fixed).map_or(-1, |t| t as i128);
        let def = self
            .by_type
            .iter()
            .find(|(t, _)| *t == ty)
            .map_or_else(|| self.generic.clone(), |(_, d)| d.clone());
        let end = u16_at(fixed + 8).map_or(msg.len(), |n| fixed + 10 + n);
        (def, end.min(msg.len()))
    }
}

/// _DNSPacketListField: one section of the message, as many entries as its count field
/// says, each dissected with the whole message at hand for its compressed names.
struct DnsSection {
    count: &'static str,
    questions: bool,
    classes: Rc<RecordClasses>,
}

impl FieldKind for DnsSection {
    fn class_name(&self) -> &str {
        "_DNSPacketListField"
    }

    fn any2i(&self, _layer: &LayerData, v: Value) -> Result<Value, FieldError> {
        Ok(match v {
            Value::List(_) | Value::None => v,
            other => Value::List(vec![other]),
        })
    }

    fn addfield(&self, ctx: &BuildCtx<'_>, v: &Value, out: &mut Vec<u8>) -> Result<(), String> {
        let items = match v {
            Value::List(l) => l.as_slice(),
            Value::None => &[],
            other => std::slice::from_ref(other),
        };
        for it in items {
            match it {
                Value::Packet(p) => out
                    .extend(crate::packet::build_with(p, ctx.resolver).map_err(|e| e.to_string())?),
                other => out.extend_from_slice(&fields::bytes_of(other)?),
            }
        }
        Ok(())
    }

    fn getfield(
        &self,
        ctx: &mut DissectCtx<'_>,
        s: &[u8],
    ) -> Result<(usize, Option<Value>), Truncated> {
        // Over TCP the message starts after its length.
        let start = usize::from(ctx.layer.int("length").is_some()) * 2;
        let msg: Rc<[u8]> = Rc::from(ctx.whole.get(start..).unwrap_or(&[]));
        let first = msg.len().saturating_sub(s.len());
        let mut at = first;
        let mut left = ctx.layer.int(self.count).unwrap_or(0);
        let mut items = Vec::new();
        while left > 0 && at < msg.len() {
            left -= 1;
            if items.len() >= fields::MAX_LIST_COUNT {
                ctx.warnings.push(format!(
                    "Maximum amount of items reached in _DNSPacketListField: {} (defaults to \
                     conf.max_list_count)",
                    fields::MAX_LIST_COUNT
                ));
                break;
            }
            // Each entry is dissected from its own bytes (what its fields leave of them is
            // its padding, as in the reference), in the message its names point into.
            let (def, end) = self.classes.entry_at(&msg, at, self.questions);
            let p = with_message(msg.clone(), || {
                dissect::dissect_nested(&def, &msg[at..end], ctx.warnings)
            });
            if p.def().class_name == "Raw" {
                // An entry that cannot be read ends the section: the rest is Raw.
                items.push(Value::Packet(Packet::raw_with(
                    &base::raw_def(),
                    &msg[at..],
                )));
                at = msg.len();
                break;
            }
            if !self.questions {
                // As in the reference, a record's length is computed anew when it is
                // built again; until it changes, it builds back to the bytes it came from.
                if let Some(i) = p.def().field_index("rdlen") {
                    let mut d = p.data_mut();
                    let cache = d.raw_cache().cloned();
                    d.unset(i);
                    d.set_raw_cache(cache);
                }
            }
            items.push(Value::Packet(p));
            at = end.max(at + 1);
        }
        Ok((at.min(msg.len()) - first, Some(Value::List(items))))
    }

    fn i2repr(&self, _layer: &LayerData, v: &Value) -> String {
        match v {
            Value::List(l) => {
                let parts: Vec<String> = l
                    .iter()
                    .map(|i| match i {
                        Value::Packet(p) => p.repr(),
                        o => o.py_repr(),
                    })
                    .collect();
                format!("[{}]", parts.join(", "))
            }
            other => other.py_repr(),
        }
    }

    fn i2count(&self, v: &Value) -> usize {
        match v {
            Value::List(l) => l.len(),
            Value::None => 0,
            _ => 1,
        }
    }

    fn holds_packets(&self) -> bool {
        true
    }

    fn is_list(&self) -> bool {
        true
    }

    fn command_repr(&self, _layer: &LayerData, v: &Value) -> String {
        match v {
            Value::List(l) => format!(
                "[{}]",
                l.iter()
                    .map(fields::command_value)
                    .collect::<Vec<_>>()
                    .join(",")
            ),
            other => fields::command_value(other),
        }
    }
}

/// Whether the layer under `d` is TCP (a message there starts with its length).
fn over_tcp(d: &LayerData) -> bool {
    d.underlayer().is_some_and(|u| u.def().is_a_name("TCP"))
}

fn count_field(name: &str, of: &str) -> FieldDef {
    FieldDef::new(
        name,
        Num::new("FieldLenField", Width::Bytes(2), NumDisplay::Dec)
            .computed(fields::count_of(of, |n| n))
            .rc(),
        Value::None,
    )
}

fn dns(classes: &Rc<RecordClasses>) -> LayerDef {
    let section = |count: &'static str, questions: bool| -> Rc<dyn FieldKind> {
        Rc::new(DnsSection {
            count,
            questions,
            classes: classes.clone(),
        })
    };
    let flag = |n: &str, v: i128| FieldDef::new(n, fields::bits(1), Value::Int(v));
    LayerDef::new(
        "DNS",
        "DNS",
        vec![
            FieldDef::new("length", short(), Value::None).when(over_tcp),
            FieldDef::new("id", short(), Value::Int(0)),
            flag("qr", 0),
            FieldDef::new(
                "opcode",
                fields::bit_enum(4, names(DNS_OPCODES)),
                Value::Int(0),
            ),
            flag("aa", 0),
            flag("tc", 0),
            flag("rd", 1),
            flag("ra", 0),
            flag("z", 0),
            flag("ad", 0),
            flag("cd", 0),
            FieldDef::new(
                "rcode",
                fields::bit_enum(4, names(DNS_RCODES)),
                Value::Int(0),
            ),
            count_field("qdcount", "qd"),
            count_field("ancount", "an"),
            count_field("nscount", "ns"),
            count_field("arcount", "ar"),
            FieldDef::new(
                "qd",
                section("qdcount", true),
                Value::List(vec![Value::Packet(Packet::new(&classes.question))]),
            ),
            FieldDef::new("an", section("ancount", false), Value::List(Vec::new())),
            FieldDef::new("ns", section("nscount", false), Value::List(Vec::new())),
            FieldDef::new("ar", section("arcount", false), Value::List(Vec::new())),
        ],
    )
    .with_hooks(Hooks {
        post_build: Some(Rc::new(|d, mut hdr, pay, _| {
            let unset = d.get("length").is_none_or(Value::is_none);
            if over_tcp(d) && unset && hdr.len() >= 2 {
                let n = (hdr.len() - 2) as u16;
                hdr[..2].copy_from_slice(&n.to_be_bytes());
            }
            hdr.extend_from_slice(pay);
            Ok(hdr)
        })),
        mysummary: Some(Rc::new(dns_summary)),
        answers: Some(Rc::new(|me, other| {
            let (m, o) = (me.data(), other.data());
            other.def().is_a_name("DNS")
                && m.int("id") == o.int("id")
                && m.int("qr") == Some(1)
                && o.int("qr") == Some(0)
        })),
        ..Hooks::default()
    })
}

/// The first packet of a section.
fn first_of(d: &LayerData, section: &str) -> Option<Packet> {
    match d.get(section) {
        Some(Value::List(l)) => match l.first() {
            Some(Value::Packet(p)) => Some(p.clone()),
            _ => None,
        },
        _ => None,
    }
}

/// `DNS Qry <first question's name>`, `DNS Ans <first answer's data>` (or the error code);
/// `mDNS` over UDP port 5353.
fn dns_summary(p: &Packet) -> Option<(String, Vec<String>)> {
    let d = p.data();
    let mdns = d.underlayer().is_some_and(|u| {
        u.def().is_a_name("UDP") && {
            let ud = u.data();
            ud.int("sport") == Some(MDNS_PORT) || ud.int("dport") == Some(MDNS_PORT)
        }
    });
    let mut s = String::from(if mdns { "mDNS" } else { "DNS" });
    if d.int("qr").unwrap_or(0) == 0 {
        s.push_str(" Qry");
        if let Some(q) = first_of(&d, "qd") {
            if q.def().class_name == "DNSQR" {
                s.push(' ');
                s.push_str(&layer_field_repr(&q.data(), "qname"));
            }
        }
    } else {
        s.push_str(" Ans");
        let answer = first_of(&d, "an").filter(|a| a.def().class_name == "DNSRR");
        if let Some(a) = answer {
            s.push(' ');
            s.push_str(&layer_field_repr(&a.data(), "rdata"));
        } else if d.int("rcode").unwrap_or(0) != 0 {
            s.push(' ');
            s.push_str(&layer_field_repr(&d, "rcode"));
        }
    }
    Some((s, Vec::new()))
}

/// Registers DNS, its records and EDNS(0) options, on UDP and TCP port 53 and UDP 5353
/// (after `inet`).
pub fn register(reg: &Registry) {
    let tlv = reg.register(edns0_tlv());
    let options = vec![
        (4, reg.register(edns0_owner())),
        (
            5,
            reg.register(edns0_algorithms(
                "EDNS0DAU",
                "DNSSEC Algorithm Understood (DAU)",
                5,
                DNSSEC_ALGORITHMS,
            )),
        ),
        (
            6,
            reg.register(edns0_algorithms(
                "EDNS0DHU",
                "DS Hash Understood (DHU)",
                6,
                DS_DIGESTS,
            )),
        ),
        (
            7,
            reg.register(edns0_algorithms(
                "EDNS0N3U",
                "NSEC3 Hash Understood (N3U)",
                7,
                NSEC3_HASHES,
            )),
        ),
        (8, reg.register(edns0_client_subnet())),
        (10, reg.register(edns0_cookie())),
        (12, reg.register(edns0_padding())),
        (15, reg.register(edns0_extended_error())),
    ];
    let question = reg.register(dnsqr());
    let generic = reg.register(dnsrr());
    let mut by_type = vec![
        (6, reg.register(dnsrr_soa())),
        (15, reg.register(dnsrr_mx())),
        (33, reg.register(dnsrr_srv())),
        (41, reg.register(dnsrr_opt(&options, tlv))),
        (250, reg.register(dnsrr_tsig())),
    ];
    let param = reg.register(svc_param());
    by_type.push((
        64,
        reg.register(dnsrr_svcb(
            "DNSRRSVCB",
            "DNS SVCB Resource Record",
            64,
            &param,
        )),
    ));
    by_type.push((
        65,
        reg.register(dnsrr_svcb(
            "DNSRRHTTPS",
            "DNS HTTPS Resource Record",
            65,
            &param,
        )),
    ));
    for d in more_records() {
        let ty = d.fields[1].default.as_int().unwrap_or(-1);
        by_type.push((ty, reg.register(d)));
    }
    let classes = Rc::new(RecordClasses {
        question,
        generic,
        by_type,
    });
    let dns = reg.register(dns(&classes));
    let port = |f: &'static str, p: i128| [(f, Value::Int(p))];
    if let Some(udp) = reg.get("UDP") {
        // The last binding is the one building uses: a query from and to port 53.
        for (f, p) in [
            ("dport", MDNS_PORT),
            ("sport", MDNS_PORT),
            ("dport", 53),
            ("sport", 53),
        ] {
            bind_layers(&udp, &dns, &port(f, p)).expect("built-in DNS binding");
        }
    }
    if let Some(tcp) = reg.get("TCP") {
        for f in ["dport", "sport"] {
            bind_layers(&tcp, &dns, &port(f, 53)).expect("built-in DNS binding");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packet::{dissect_with_warnings, Registry};

    fn unhex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap_or(0))
            .collect()
    }

    /// A response whose answer's owner points at the question and whose CNAME data ends
    /// in a pointer into it.
    const COMPRESSED: &str =
        "0001810000010001000000000161076578616d706c650000010001c00c000500010000000000040162c00e";

    #[test]
    fn names_are_encoded_label_by_label() {
        let mut out = Vec::new();
        encode_name(b"www.example.com.", &mut out);
        assert_eq!(out, b"\x03www\x07example\x03com\x00");
        out.clear();
        encode_name(b".", &mut out);
        assert_eq!(out, [0]);
        out.clear();
        encode_name(b"a..b.", &mut out);
        assert_eq!(out, b"\x01a\x00\x01b\x00");
    }

    #[test]
    fn compressed_names_are_decompressed() {
        let reg = Registry::with_builtins();
        let d = dissect_with_warnings(&reg.def("DNS").unwrap(), &unhex(COMPRESSED));
        let an = match d.packet.get("an") {
            Some(Value::List(l)) => l,
            other => panic!("an = {other:?}"),
        };
        let Some(Value::Packet(rr)) = an.first() else {
            panic!("no answer");
        };
        assert_eq!(rr.get("rrname"), Some(Value::Bytes(b"a.example.".to_vec())));
        assert_eq!(rr.get("rdata"), Some(Value::Bytes(b"b.example.".to_vec())));
        // Unchanged, the message builds back to its compressed bytes.
        assert_eq!(d.packet.build().unwrap(), unhex(COMPRESSED));
    }

    #[test]
    fn a_pointer_loop_ends_with_a_warning() {
        let msg = unhex("000001000001000000000000c00c00010001");
        let mut warnings = Vec::new();
        let name = read_name(&msg, 12, msg.len(), false, &mut warnings).unwrap();
        assert_eq!(name.text, b".");
        assert_eq!(name.used, 2);
        assert_eq!(warnings, ["DNS decompression loop detected"]);
    }

    #[test]
    fn a_cut_label_is_a_truncation_except_in_record_data() {
        let msg = unhex("056162");
        let mut w = Vec::new();
        assert!(read_name(&msg, 0, msg.len(), false, &mut w).is_err());
        let lenient = read_name(&msg, 0, msg.len(), true, &mut w).unwrap();
        assert_eq!(lenient.text, b"ab.");
    }

    #[test]
    fn counts_and_lengths_are_computed() {
        let reg = Registry::with_builtins();
        let dns = reg.new_layer("DNS").unwrap();
        let rr = reg
            .new_layer("DNSRR")
            .unwrap()
            .with("rdata", "198.51.100.7")
            .unwrap();
        dns.set("an", Value::List(vec![Value::Packet(rr)])).unwrap();
        let b = dns.build().unwrap();
        // One question, one answer; the answer's data is four bytes.
        assert_eq!(&b[4..8], &[0, 1, 0, 1]);
        assert_eq!(&b[b.len() - 6..], &[0, 4, 198, 51, 100, 7]);
    }
}
