//! IP fragmentation as Scapy 2.8 does it: `fragment(p, fragsize)` and `defragment(list)` for
//! IPv4, `fragment6(p, fragSize)` for IPv6. The results are the packets Scapy builds, field
//! for field (which values end up explicit, which stay unset, which are overloaded), so their
//! reprs and bytes match; expected outputs: `tests/data/engine_frag.jsonl`.
//!
//! - `fragment`: for each packet of the set, the first IP layer's payload is built once and
//!   cut into pieces of `fragsize` rounded down to 8 (the last piece may be up to `fragsize`);
//!   each fragment is a copy of the whole packet (options and layers below IP included) with
//!   `len` and `chksum` unset, `frag` explicit (plus the piece's offset in 8-byte units), MF
//!   added to `flags` except on the last, and a `Raw` payload that keeps overloading IP's
//!   fields as the original payload did (so `proto` stays). An empty payload gives no fragment.
//! - `defragment`: fragments are grouped by IP `(id, src, dst, proto)`; a group is
//!   reassembled when its last fragment (MF clear) arrives: sorted by offset, each must start
//!   where the previous ended (lengths from `len - 4*ihl`, or the payload's length when either
//!   is unset). The result is the first fragment with MF cleared, `len`/`chksum` explicitly
//!   None and the joined bytes dissected as its payload's class. A group with a gap or an
//!   overlap logs "Fragment overlap" and ends up in the result as Scapy 2.8 leaves it: its
//!   fragments in arrival order as `(packet, byte offset, length)` tuples
//!   ([`Defragmented::BadFragment`]). Groups whose last fragment never came are dropped;
//!   packets without IP, and unfragmented ones, stay in place.
//! - `fragment6`: inserts a fragment header after the first IPv6 layer when the packet has
//!   none; a packet that fits is returned alone; else the part after the fragment header is
//!   cut into 8-byte multiples, each fragment being the part before it, the header (`m`,
//!   `offset`, `id` explicit; a random id unless one was set) and a `Raw` piece.
//!
//! Nothing here panics on odd input: lengths and offsets are computed in `i128`, reassembly
//! only concatenates bytes the fragments carry (a huge offset is a gap, not an allocation).

use std::fmt;

use super::base;
use super::build::build;
use super::dissect::dissect;
use super::field::BuildError;
use super::log::log_warning;
use super::packet::Packet;
use super::registry::Registry;
use super::value::Value;

/// Why fragmenting failed, with the exception Scapy raises in the same case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FragError {
    /// The packet has no layer of that class (`IndexError: Layer [IP] not found`).
    NoLayer(String),
    /// fragment6 on a fragment header with nothing below it (Scapy's AttributeError).
    NoUnderlayer,
    /// A packet could not be built.
    Build(BuildError),
}

impl FragError {
    /// The Python exception class Scapy raises.
    pub fn py_type(&self) -> &'static str {
        match self {
            FragError::NoLayer(_) => "IndexError",
            FragError::NoUnderlayer => "AttributeError",
            FragError::Build(_) => "ValueError",
        }
    }
}

impl fmt::Display for FragError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FragError::NoLayer(c) => write!(f, "Layer [{c}] not found"),
            FragError::NoUnderlayer => f.write_str("'NoneType' object has no attribute 'payload'"),
            FragError::Build(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for FragError {}

impl From<BuildError> for FragError {
    fn from(e: BuildError) -> FragError {
        FragError::Build(e)
    }
}

/// One element of defragment()'s result.
#[derive(Clone, Debug)]
pub enum Defragmented {
    /// A packet: passed through, or a reassembled datagram.
    Packet(Packet),
    /// A fragment of a datagram that could not be reassembled, as Scapy 2.8 leaves it in the
    /// list: the tuple `(packet, byte offset, length)`.
    BadFragment {
        /// The fragment as it was given.
        packet: Packet,
        /// Its offset in bytes (`frag << 3`).
        offset: i128,
        /// Its payload length (from `len` and `ihl`, or the payload's size).
        len: i128,
    },
}

impl Defragmented {
    /// The packet, whichever the form.
    pub fn packet(&self) -> &Packet {
        match self {
            Defragmented::Packet(p) | Defragmented::BadFragment { packet: p, .. } => p,
        }
    }

    /// Python's repr: the packet's, or the tuple's.
    pub fn repr(&self) -> String {
        match self {
            Defragmented::Packet(p) => p.repr(),
            Defragmented::BadFragment {
                packet,
                offset,
                len,
            } => format!("({}, {offset}, {len})", packet.repr()),
        }
    }
}

fn layer(p: &Packet, class: &str) -> Result<Packet, FragError> {
    p.getlayer(class, 1)
        .ok_or_else(|| FragError::NoLayer(class.to_string()))
}

fn int_of(p: &Packet, name: &str) -> Option<i128> {
    p.data().int(name)
}

/// Sets a field to an already internal value (no conversion).
fn set_value(p: &Packet, name: &str, v: Value) {
    let idx = p.data().def.field_index(name);
    if let Some(i) = idx {
        p.data_mut().set_raw(i, v);
    }
}

fn unset(p: &Packet, name: &str) {
    let idx = p.data().def.field_index(name);
    if let Some(i) = idx {
        p.data_mut().unset(i);
    }
}

fn raw_layer(bytes: &[u8]) -> Packet {
    Packet::raw_with(&base::raw_def(), bytes)
}

fn slice(s: &[u8], from: i128, to: i128) -> &[u8] {
    let clamp = |i: i128| usize::try_from(i.clamp(0, s.len() as i128)).unwrap_or(0);
    let (a, b) = (clamp(from), clamp(to));
    s.get(a..b.max(a)).unwrap_or(&[])
}

/// Scapy's `fragment(pkt, fragsize=1480)`: the IPv4 fragments of every packet of the set.
/// A `fragsize` below 8 logs a warning and becomes 8.
pub fn fragment(pkt: &Packet, fragsize: i128) -> Result<Vec<Packet>, FragError> {
    let mut fragsize = fragsize;
    if fragsize < 8 {
        log_warning("fragsize cannot be lower than 8");
        fragsize = 8;
    }
    let last_size = fragsize;
    let size = fragsize - fragsize % 8;
    let packets = if pkt.is_set() {
        pkt.iter_set()
    } else {
        vec![pkt.clone()]
    };
    let mut out = Vec::new();
    for p in packets {
        let ip = layer(&p, "IP")?;
        let (s, overloads) = match ip.payload() {
            Some(pl) => (build(&pl)?, pl.def().overloads_for(&ip.def())),
            None => (Vec::new(), None),
        };
        let n = (s.len() as i128 - last_size + size - 1).div_euclid(size) + 1;
        for i in 0..n.max(0) {
            let q = p.copy();
            let qip = layer(&q, "IP")?;
            qip.remove_payload();
            unset(&qip, "chksum");
            unset(&qip, "len");
            let end = if i != n - 1 {
                let flags = int_of(&qip, "flags").unwrap_or(0);
                set_value(&qip, "flags", Value::Int(flags | 1));
                (i + 1) * size
            } else {
                i * size + last_size
            };
            let frag = int_of(&qip, "frag").unwrap_or(0);
            set_value(&qip, "frag", Value::Int(frag + i * size / 8));
            qip.add_payload(raw_layer(slice(&s, i * size, end)));
            // The piece overloads IP as the original payload did (proto stays).
            qip.data_mut().overloaded = overloads.clone();
            out.push(q);
        }
    }
    Ok(out)
}

/// The reassembly key: IP's `(id, src, dst, proto)` as Scapy reads them.
fn frag_key(ip: &Packet) -> [String; 4] {
    let d = ip.data();
    ["id", "src", "dst", "proto"].map(|n| super::display::layer_field_repr(&d, n))
}

/// One stored fragment: the packet as given, its byte offset and its length.
type Frag = (Packet, i128, i128);

/// Scapy's `defragment(plist)`: the list with each complete datagram reassembled in place of
/// its last fragment (see the module notes for the rest).
pub fn defragment(list: &[Packet]) -> Result<Vec<Defragmented>, FragError> {
    let mut pending: Vec<([String; 4], Vec<Frag>)> = Vec::new();
    let mut out = Vec::new();
    for pkt in list {
        let Some(ip) = pkt.getlayer("IP", 1) else {
            out.push(Defragmented::Packet(pkt.clone()));
            continue;
        };
        let frag = pkt.get("frag").and_then(|v| v.as_int()).unwrap_or(0);
        let mf = int_of(&ip, "flags").unwrap_or(0) & 1 != 0;
        if frag == 0 && !mf {
            out.push(Defragmented::Packet(pkt.clone()));
            continue;
        }
        let key = frag_key(&ip);
        let fraglen = match (int_of(&ip, "len"), int_of(&ip, "ihl")) {
            (Some(len), Some(ihl)) => len - (ihl << 2),
            _ => match ip.payload() {
                Some(pl) => build(&pl)?.len() as i128,
                None => 0,
            },
        };
        let entry = (pkt.clone(), frag << 3, fraglen);
        let at = match pending.iter().position(|(k, _)| *k == key) {
            Some(i) => {
                pending[i].1.push(entry);
                i
            }
            None => {
                pending.push((key, vec![entry]));
                pending.len() - 1
            }
        };
        if mf {
            continue;
        }
        let (_, frags) = pending.remove(at);
        match reassemble(&frags)? {
            Some(p) => out.push(Defragmented::Packet(p)),
            None => out.extend(frags.into_iter().map(|(packet, offset, len)| {
                Defragmented::BadFragment {
                    packet,
                    offset,
                    len,
                }
            })),
        }
    }
    Ok(out)
}

/// The datagram of a group whose last fragment arrived, or `None` (after Scapy's warning)
/// when a fragment does not start where the previous one ended.
fn reassemble(frags: &[Frag]) -> Result<Option<Packet>, FragError> {
    let mut sorted: Vec<&Frag> = frags.iter().collect();
    sorted.sort_by_key(|f| f.1);
    let mut data = Vec::new();
    let mut offset: i128 = 0;
    for (p, o, len) in &sorted {
        if offset != *o {
            let op = if offset > *o { ">" } else { "<" };
            log_warning(format!(
                "Fragment overlap ({offset} {op} {o}) on {}",
                p.repr()
            ));
            return Ok(None);
        }
        offset += len;
        if let Some(pl) = layer(p, "IP")?.payload() {
            data.extend(build(&pl)?);
        }
    }
    let Some(first) = sorted.first() else {
        return Ok(None);
    };
    let p = first.0.copy();
    let ip = layer(&p, "IP")?;
    let pay_def = ip.payload().map(|pl| pl.def());
    let flags = int_of(&ip, "flags").unwrap_or(0);
    set_value(&ip, "flags", Value::Int(flags & !1));
    ip.remove_payload();
    set_value(&ip, "len", Value::None);
    set_value(&ip, "chksum", Value::None);
    // Without a payload class (Scapy's NoPayload) nothing is appended.
    Ok(Some(match pay_def {
        Some(def) => &p / &dissect(&def, &data),
        None => p,
    }))
}

/// Scapy's `fragment6(pkt, fragSize)`: the IPv6 fragments of a packet, `fragSize` being the
/// largest fragment (MTU). `reg` provides IPv6 and IPv6ExtHdrFragment.
pub fn fragment6(reg: &Registry, pkt: &Packet, frag_size: i128) -> Result<Vec<Packet>, FragError> {
    const FH: &str = "IPv6ExtHdrFragment";
    let frag_def = reg.get(FH).ok_or_else(|| FragError::NoLayer(FH.into()))?;
    let ip6_def = reg
        .get("IPv6")
        .ok_or_else(|| FragError::NoLayer("IPv6".into()))?;
    let pkt = pkt.copy();
    if pkt.getlayer(FH, 1).is_none() {
        let Some(l3) = pkt.getlayer("IPv6", 1) else {
            return Ok(vec![pkt]);
        };
        let data = l3.payload();
        let fh = Packet::new(&frag_def);
        let nh = l3.get("nh").unwrap_or(Value::None);
        set_value(&fh, "nh", nh);
        l3.remove_payload();
        unset(&l3, "nh");
        unset(&l3, "plen");
        if let Some(d) = data {
            fh.add_payload(d);
        }
        l3.add_payload(fh);
    }
    let fh = layer(&pkt, FH)?;
    if build(&fh)?.len() > 65535 {
        log_warning("An IPv6 packet can'be bigger than 65535, please use a Jumbo payload.");
        return Ok(Vec::new());
    }
    let s = build(&pkt)?;
    if s.len() as i128 <= frag_size {
        return Ok(vec![pkt]);
    }
    // The fragmentable part's length, measured over a stand-in IPv6 header.
    let frag_part = fh.payload();
    let part_len = match &frag_part {
        Some(fp) => {
            let probe = Packet::new(&ip6_def);
            set_value(&probe, "src", Value::Ip6(std::net::Ipv6Addr::LOCALHOST));
            set_value(&probe, "dst", Value::Ip6(std::net::Ipv6Addr::LOCALHOST));
            build(&(&probe / fp))?.len().saturating_sub(40)
        }
        None => 0,
    };
    // Python's s[-n:]: the whole of s when n is 0.
    let part_bytes = if part_len == 0 {
        &s[..]
    } else {
        &s[s.len().saturating_sub(part_len)..]
    };
    let nh = fh.get("nh").unwrap_or(Value::None);
    fh.remove_payload();
    let unfrag_len = s.len() as i128 - part_len as i128 - 8;
    let under = fh.underlayer().ok_or(FragError::NoUnderlayer)?;
    under.remove_payload();
    let unfrag = pkt;
    let last_size = frag_size - unfrag_len - 8;
    let inner_size = last_size - last_size.rem_euclid(8);
    if last_size <= 0 || inner_size == 0 {
        log_warning(format!(
            "Provided fragment size value is too low. Should be more than {}",
            unfrag_len + 8
        ));
        let mut p = &unfrag / &fh;
        if let Some(fp) = &frag_part {
            p = &p / fp;
        }
        return Ok(vec![p]);
    }
    let id = match fh.get("id").unwrap_or(Value::None) {
        Value::None => Value::Int(super::volatile::randint(0, 0xffff_ffff)),
        v => v,
    };
    set_value(&fh, "m", Value::Int(1));
    set_value(&fh, "id", id);
    set_value(&fh, "nh", nh);
    let ip6 = unfrag.getlayer("IPv6", 1);
    let mut res = Vec::new();
    let mut remain = part_bytes;
    let mut offset: i128 = 0;
    loop {
        let piece;
        let last = remain.len() as i128 <= last_size;
        if !last {
            let cut = usize::try_from(inner_size).unwrap_or(0).min(remain.len());
            piece = &remain[..cut];
            remain = &remain[cut..];
            set_value(&fh, "offset", Value::Int(offset));
            offset += inner_size / 8;
        } else {
            piece = remain;
            set_value(&fh, "offset", Value::Int(offset));
            set_value(&fh, "m", Value::Int(0));
        }
        if let Some(l) = &ip6 {
            set_value(l, "plen", Value::None);
        }
        res.push(&(&unfrag / &fh) / &raw_layer(piece));
        if last {
            break;
        }
    }
    Ok(res)
}

/// Scapy's `defragment6(packets)`: the IPv6 datagram the fragments of `packets` carry, or
/// `None` when none has a fragment header (the reference returns an empty list then).
/// Only the fragments with the first one's `id` take part ("some fragmented packets have
/// been removed from list" otherwise); sorted by offset, their fragmentable parts are
/// joined, a gap being filled with `X` bytes and an overlap simply appended (both logged
/// as "Expected an offset of ..."). The first fragment's unfragmentable part, with the fragment header's
/// next header and an unset payload length, is rebuilt over the joined bytes and dissected
/// again from its outer class.
pub fn defragment6(packets: &[Packet]) -> Result<Option<Packet>, FragError> {
    const FH: &str = "IPv6ExtHdrFragment";
    let frags: Vec<(Packet, Packet)> = packets
        .iter()
        .filter_map(|p| p.getlayer(FH, 1).map(|fh| (p.clone(), fh)))
        .collect();
    let Some((_, first)) = frags.first() else {
        return Ok(None);
    };
    let id = first.get("id");
    let mut same: Vec<(Packet, Packet)> = frags
        .iter()
        .filter(|(_, fh)| fh.get("id") == id)
        .cloned()
        .collect();
    if same.len() != frags.len() {
        log_warning("defragment6: some fragmented packets have been removed from list");
    }
    same.sort_by_key(|(_, fh)| int_of(fh, "offset").unwrap_or(0));
    let mut data: Vec<u8> = Vec::new();
    for (_, fh) in &same {
        let at = int_of(fh, "offset").unwrap_or(0).saturating_mul(8);
        if at != data.len() as i128 {
            // Said for an overlap too, though only a gap is filled.
            log_warning(format!(
                "Expected an offset of {}. Found {at}. Padding with XXXX",
                data.len()
            ));
            // The gap is filled, but never beyond what a datagram can hold.
            let fill = usize::try_from(at).unwrap_or(0).min(1 << 20);
            data.resize(fill.max(data.len()), b'X');
        }
        if let Some(pay) = fh.payload() {
            data.extend(build(&pay)?);
        }
    }
    let Some((head, _)) = same.first() else {
        return Ok(None);
    };
    let q = head.copy();
    let fh = layer(&q, FH)?;
    let nh = fh.get("nh").unwrap_or(Value::None);
    let under = fh.underlayer().ok_or(FragError::NoUnderlayer)?;
    under.remove_payload();
    set_value(&under, "nh", nh);
    if let Some(ip6) = q.getlayer("IPv6", 1) {
        set_value(&ip6, "plen", Value::None);
    }
    let whole = &q / &raw_layer(&data);
    let bytes = build(&whole)?;
    Ok(Some(dissect(&whole.def(), &bytes)))
}
