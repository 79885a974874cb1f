//! `export_object` / `import_object`: values and packets as base64 text of a compressed
//! serialization of wirecraft's own (no pickles); `import_hexcap` reads hexdump text back
//! into bytes; `hexraw` prints the Raw loads of packets.
//!
//! Serialization: a magic `WCX1`, then one tagged value. Packets are their layers' class
//! names and explicit fields (by name, in the order they were set), so an object imports into
//! any session that has the classes. Compression is a byte-oriented LZ77 (literal runs and
//! back-references within 64 KiB).

use std::net::{Ipv4Addr, Ipv6Addr};
use std::rc::Rc;

use super::display::hexdump;
use super::packet::{LayerData, Packet};
use super::registry::Registry;
use super::value::Value;

const MAGIC: &[u8] = b"WCX1";

fn put_uvarint(out: &mut Vec<u8>, mut v: u128) {
    loop {
        let b = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

fn put_bytes(out: &mut Vec<u8>, b: &[u8]) {
    put_uvarint(out, b.len() as u128);
    out.extend_from_slice(b);
}

fn encode_value(v: &Value, out: &mut Vec<u8>) {
    match v {
        Value::None => out.push(0),
        Value::Int(i) => {
            out.push(1);
            put_uvarint(out, ((i << 1) ^ (i >> 127)) as u128);
        }
        Value::Float(f) => {
            out.push(2);
            out.extend_from_slice(&f.to_le_bytes());
        }
        Value::Bytes(b) => {
            out.push(3);
            put_bytes(out, b);
        }
        Value::Str(s) => {
            out.push(4);
            put_bytes(out, s.as_bytes());
        }
        Value::Ip4(a) => {
            out.push(5);
            out.extend_from_slice(&a.octets());
        }
        Value::Ip6(a) => {
            out.push(6);
            out.extend_from_slice(&a.octets());
        }
        Value::Mac(m) => {
            out.push(7);
            out.extend_from_slice(m);
        }
        Value::List(l) | Value::Tuple(l) => {
            out.push(if matches!(v, Value::List(_)) { 8 } else { 9 });
            put_uvarint(out, l.len() as u128);
            for x in l {
                encode_value(x, out);
            }
        }
        Value::Packet(p) => {
            out.push(10);
            encode_packet(p, out);
        }
        Value::Net(n) => {
            out.push(11);
            match &n.net {
                Some(net) => put_bytes(out, format!("{}/{}", net, n.mask).as_bytes()),
                None => put_bytes(
                    out,
                    format!("{}-{}", n.nth(0), n.nth(n.count.saturating_sub(1))).as_bytes(),
                ),
            }
        }
        Value::Net6(n) => {
            out.push(14);
            let scope = n.scope.clone().unwrap_or_default();
            match (&n.net, n.mask) {
                (Some(net), Some(m)) => put_bytes(out, format!("{net}/{m}%{scope}").as_bytes()),
                _ => put_bytes(
                    out,
                    format!(
                        "{}-{}%{scope}",
                        std::net::Ipv6Addr::from(n.start),
                        std::net::Ipv6Addr::from(n.stop)
                    )
                    .as_bytes(),
                ),
            }
        }
        Value::Volatile(r) => {
            out.push(12);
            put_bytes(out, r.command().as_bytes());
        }
        Value::Class(c) => {
            out.push(13);
            put_bytes(out, c.class_name.as_bytes());
        }
    }
}

fn encode_packet(p: &Packet, out: &mut Vec<u8>) {
    let layers = p.layers();
    put_uvarint(out, layers.len() as u128);
    for l in layers {
        let d = l.data();
        put_bytes(out, d.def.class_name.as_bytes());
        let order = d.explicit_order();
        put_uvarint(out, order.len() as u128);
        for i in order {
            put_bytes(out, d.def.fields[i].name.as_bytes());
            encode_value(d.explicit(i).unwrap_or(&Value::None), out);
        }
    }
}

struct Reader<'a> {
    b: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn byte(&mut self) -> Result<u8, String> {
        let c = *self.b.get(self.pos).ok_or("truncated object")?;
        self.pos += 1;
        Ok(c)
    }
    fn take(&mut self, n: usize) -> Result<&[u8], String> {
        let end = self.pos.checked_add(n).ok_or("truncated object")?;
        let s = self.b.get(self.pos..end).ok_or("truncated object")?;
        self.pos = end;
        Ok(s)
    }
    fn uvarint(&mut self) -> Result<u128, String> {
        let mut v: u128 = 0;
        for shift in (0..128).step_by(7) {
            let c = self.byte()?;
            v |= u128::from(c & 0x7f) << shift;
            if c & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err("bad number in object".into())
    }
    fn len(&mut self) -> Result<usize, String> {
        usize::try_from(self.uvarint()?).map_err(|_| "bad length in object".to_string())
    }
    fn bytes(&mut self) -> Result<Vec<u8>, String> {
        let n = self.len()?;
        Ok(self.take(n)?.to_vec())
    }
    fn text(&mut self) -> Result<String, String> {
        String::from_utf8(self.bytes()?).map_err(|_| "bad text in object".to_string())
    }
}

fn decode_value(r: &mut Reader<'_>, reg: &Registry, depth: usize) -> Result<Value, String> {
    if depth > 200 {
        return Err("object nested too deeply".into());
    }
    Ok(match r.byte()? {
        0 => Value::None,
        1 => {
            let z = r.uvarint()?;
            Value::Int(((z >> 1) as i128) ^ -((z & 1) as i128))
        }
        2 => {
            let b: [u8; 8] = r.take(8)?.try_into().map_err(|_| "truncated object")?;
            Value::Float(f64::from_le_bytes(b))
        }
        3 => Value::Bytes(r.bytes()?),
        4 => Value::Str(r.text()?),
        5 => {
            let b: [u8; 4] = r.take(4)?.try_into().map_err(|_| "truncated object")?;
            Value::Ip4(Ipv4Addr::from(b))
        }
        6 => {
            let b: [u8; 16] = r.take(16)?.try_into().map_err(|_| "truncated object")?;
            Value::Ip6(Ipv6Addr::from(b))
        }
        7 => {
            let b: [u8; 6] = r.take(6)?.try_into().map_err(|_| "truncated object")?;
            Value::Mac(b)
        }
        t @ (8 | 9) => {
            let n = r.len()?;
            let mut items = Vec::with_capacity(n.min(4096));
            for _ in 0..n {
                items.push(decode_value(r, reg, depth + 1)?);
            }
            if t == 8 {
                Value::List(items)
            } else {
                Value::Tuple(items)
            }
        }
        10 => Value::Packet(decode_packet(r, reg, depth + 1)?),
        11 => {
            let t = r.text()?;
            let n = match t.split_once('-') {
                Some((a, b)) if !t.contains('/') => super::sets::Net::span(a, b)?,
                _ => super::sets::Net::parse(&t)?,
            };
            Value::Net(Rc::new(n))
        }
        14 => {
            let t = r.text()?;
            let (t, scope) = t.rsplit_once('%').unwrap_or((t.as_str(), ""));
            let scope = (!scope.is_empty()).then_some(scope);
            let n = match t.split_once('-') {
                Some((a, b)) if !t.contains('/') => super::sets::Net6::span(a, b, scope)?,
                _ => super::sets::Net6::parse(t, scope)?,
            };
            Value::Net6(Rc::new(n))
        }
        12 => {
            let t = r.text()?;
            parse_rand_command(&t)?
        }
        13 => {
            let name = r.text()?;
            Value::Class(
                reg.get(&name)
                    .ok_or_else(|| format!("unknown layer class {name:?} in object"))?,
            )
        }
        other => return Err(format!("unknown value tag {other} in object")),
    })
}

/// Rebuilds a random value from its command() text (`RandNum(min=1, max=5)`).
fn parse_rand_command(t: &str) -> Result<Value, String> {
    let (class, args) = t
        .strip_suffix(')')
        .and_then(|s| s.split_once('('))
        .ok_or_else(|| format!("bad random value {t:?} in object"))?;
    let mut vals = Vec::new();
    for a in args.split(", ").filter(|a| !a.is_empty()) {
        let v = a.split_once('=').map_or(a, |(_, v)| v);
        let v = v.trim();
        vals.push(if let Ok(i) = v.parse::<i128>() {
            Value::Int(i)
        } else if let Some(s) = v.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')) {
            Value::Str(s.to_string())
        } else {
            Value::Str(v.to_string())
        });
    }
    super::volatile::rand_by_name(class, &vals)
}

fn decode_packet(r: &mut Reader<'_>, reg: &Registry, depth: usize) -> Result<Packet, String> {
    let n = r.len()?;
    let mut head: Option<Packet> = None;
    for _ in 0..n {
        let class = r.text()?;
        let def = reg
            .get(&class)
            .ok_or_else(|| format!("unknown layer class {class:?} in object"))?;
        let mut d = LayerData::new(&def);
        let nf = r.len()?;
        for _ in 0..nf {
            let name = r.text()?;
            let v = decode_value(r, reg, depth + 1)?;
            let i = def
                .field_index(&name)
                .ok_or_else(|| format!("{class} has no field {name:?}"))?;
            d.set_raw(i, v);
        }
        let p = Packet::from_data(d);
        match &head {
            None => head = Some(p),
            Some(h) => h.add_payload(p),
        }
    }
    head.ok_or_else(|| "empty packet in object".to_string())
}

/// LZ77 compression: control byte `c < 0x80` is a literal run of `c + 1` bytes; `c >= 0x80`
/// a copy of `c - 0x80 + 3` bytes from `distance` (2 bytes, big-endian) back.
pub fn compress(data: &[u8]) -> Vec<u8> {
    const HASH: usize = 1 << 15;
    const TRIES: usize = 32;
    let mut head = vec![usize::MAX; HASH];
    let mut prev = vec![usize::MAX; data.len()];
    let hash = |i: usize| {
        ((usize::from(data[i]) << 10) ^ (usize::from(data[i + 1]) << 5) ^ usize::from(data[i + 2]))
            % HASH
    };
    let mut out = Vec::with_capacity(data.len() / 2 + 8);
    put_uvarint(&mut out, data.len() as u128);
    let flush = |out: &mut Vec<u8>, from: usize, to: usize| {
        let mut s = from;
        while s < to {
            let n = (to - s).min(128);
            out.push((n - 1) as u8);
            out.extend_from_slice(&data[s..s + n]);
            s += n;
        }
    };
    let insert = |i: usize, head: &mut [usize], prev: &mut [usize]| {
        if i + 3 <= data.len() {
            let h = hash(i);
            prev[i] = head[h];
            head[h] = i;
        }
    };
    let (mut lit_start, mut i) = (0, 0);
    while i + 3 <= data.len() {
        // The longest match among the last few positions with the same 3-byte hash.
        let (mut best_len, mut best_dist) = (0, 0);
        let mut cand = head[hash(i)];
        let mut tries = 0;
        while cand != usize::MAX && i - cand <= 0xffff && tries < TRIES {
            let mut len = 0;
            while len < 130 && i + len < data.len() && data[cand + len] == data[i + len] {
                len += 1;
            }
            if len > best_len {
                best_len = len;
                best_dist = i - cand;
            }
            cand = prev[cand];
            tries += 1;
        }
        if best_len >= 3 {
            flush(&mut out, lit_start, i);
            out.push((0x80 + best_len - 3) as u8);
            out.extend_from_slice(&(best_dist as u16).to_be_bytes());
            for k in i..i + best_len {
                insert(k, &mut head, &mut prev);
            }
            i += best_len;
            lit_start = i;
        } else {
            insert(i, &mut head, &mut prev);
            i += 1;
        }
    }
    flush(&mut out, lit_start, data.len());
    out
}

/// Reverses [`compress`].
pub fn decompress(data: &[u8]) -> Result<Vec<u8>, String> {
    let mut r = Reader { b: data, pos: 0 };
    let total = r.len()?;
    let mut out: Vec<u8> = Vec::with_capacity(total.min(1 << 24));
    while out.len() < total {
        let c = r.byte()?;
        if c < 0x80 {
            out.extend_from_slice(r.take(usize::from(c) + 1)?);
        } else {
            let len = usize::from(c - 0x80) + 3;
            let d = r.take(2)?;
            let dist = usize::from(u16::from_be_bytes([d[0], d[1]]));
            if dist == 0 || dist > out.len() {
                return Err("corrupt object data".into());
            }
            let start = out.len() - dist;
            for k in 0..len {
                let b = out[start + k];
                out.push(b);
            }
        }
    }
    if out.len() != total {
        return Err("corrupt object data".into());
    }
    Ok(out)
}

const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Base64 in lines of 76 characters, each ending with a newline (Python's `encodebytes`).
pub fn base64_lines(data: &[u8]) -> String {
    let mut s = String::with_capacity(data.len() * 4 / 3 + 4);
    for c in data.chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        for k in 0..4 {
            if k <= c.len() {
                s.push(B64[((n >> (18 - 6 * k)) & 63) as usize] as char);
            } else {
                s.push('=');
            }
        }
    }
    let mut out = String::with_capacity(s.len() + s.len() / 76 + 1);
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && i % 76 == 0 {
            out.push('\n');
        }
        out.push(ch);
    }
    if !out.is_empty() {
        out.push('\n');
    }
    out
}

/// Decodes base64, ignoring whitespace.
pub fn base64_decode(text: &str) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut acc: u32 = 0;
    let mut n = 0;
    for c in text.bytes().filter(|c| !c.is_ascii_whitespace()) {
        if c == b'=' {
            break;
        }
        let v = B64
            .iter()
            .position(|&x| x == c)
            .ok_or_else(|| format!("invalid base64 character {:?}", c as char))?;
        acc = (acc << 6) | v as u32;
        n += 1;
        if n == 4 {
            out.extend_from_slice(&[(acc >> 16) as u8, (acc >> 8) as u8, acc as u8]);
            acc = 0;
            n = 0;
        }
    }
    match n {
        2 => out.push((acc >> 4) as u8),
        3 => out.extend_from_slice(&[(acc >> 10) as u8, (acc >> 2) as u8]),
        1 => return Err("truncated base64 data".into()),
        _ => {}
    }
    Ok(out)
}

/// `export_object(obj)`: the base64 text of the compressed serialization.
pub fn export_object(v: &Value) -> String {
    let mut raw = MAGIC.to_vec();
    encode_value(v, &mut raw);
    base64_lines(&compress(&raw))
}

/// `import_object(text)`: the value back, packets rebuilt with the session's classes.
pub fn import_object(text: &str, reg: &Registry) -> Result<Value, String> {
    let data = decompress(&base64_decode(text)?)?;
    let body = data
        .strip_prefix(MAGIC)
        .ok_or("not an exported wirecraft object")?;
    let mut r = Reader { b: body, pos: 0 };
    let v = decode_value(&mut r, reg, 0)?;
    if r.pos != body.len() {
        return Err("trailing data after the object".into());
    }
    Ok(v)
}

/// `import_hexcap(text)`: the bytes of a hexdump (ours, tcpdump's, Wireshark's), read line by
/// line up to the first empty one: an optional offset, then up to 16 hex byte pairs.
pub fn import_hexcap(text: &str) -> Result<Vec<u8>, String> {
    let mut hex = String::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() {
            break;
        }
        hex.push_str(&hexcap_line(line));
    }
    let hex: String = hex.chars().filter(|c| *c != ' ').collect();
    if !hex.len().is_multiple_of(2) {
        return Err("Odd-length string".into());
    }
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).map_err(|e| e.to_string()))
        .collect()
}

/// The bytes part of one line, as the reference's pattern
/// `^((0x)?[0-9a-fA-F]{2,}[ :\t]{,3}|) *(([0-9a-fA-F]{2} {,2}){,16})` takes it.
fn hexcap_line(line: &str) -> String {
    let b = line.as_bytes();
    let is_hex = |c: u8| c.is_ascii_hexdigit();
    let mut pos = 0;
    // The offset: greedy; it can always fall back to the empty alternative.
    let mut p = 0;
    if b.len() >= 2 && &b[..2] == b"0x" {
        p = 2;
    }
    let mut q = p;
    while q < b.len() && is_hex(b[q]) {
        q += 1;
    }
    if q - p < 2 && p == 2 {
        // "0x" not followed by two digits: try without the prefix.
        p = 0;
        q = 0;
        while q < b.len() && is_hex(b[q]) {
            q += 1;
        }
    }
    if q - p >= 2 {
        pos = q;
        let mut k = 0;
        while k < 3 && pos < b.len() && b" :\t".contains(&b[pos]) {
            pos += 1;
            k += 1;
        }
    }
    while pos < b.len() && b[pos] == b' ' {
        pos += 1;
    }
    let start = pos;
    for _ in 0..16 {
        if pos + 2 <= b.len() && is_hex(b[pos]) && is_hex(b[pos + 1]) {
            pos += 2;
            let mut k = 0;
            while k < 2 && pos < b.len() && b[pos] == b' ' {
                pos += 1;
                k += 1;
            }
        } else {
            break;
        }
    }
    line[start..pos].to_string()
}

/// `hexraw`: for each packet, its number, its summary, and the hexdump of its Raw load.
pub fn hexraw(packets: &[Packet]) -> String {
    let mut out = String::new();
    for (i, p) in packets.iter().enumerate() {
        out.push_str(&format!("{:04} {}\n", i, p.summary()));
        if let Some(r) = p.getlayer("Raw", 1) {
            if let Some(Value::Bytes(b)) = r.get("load") {
                out.push_str(&hexdump(&b));
                out.push('\n');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compression_round_trips() {
        let mut data = Vec::new();
        for i in 0..5000u32 {
            data.extend_from_slice(&(i % 97).to_be_bytes());
            data.extend_from_slice(b"abcabcabc");
        }
        let c = compress(&data);
        assert!(c.len() < data.len() / 2);
        assert_eq!(decompress(&c).ok(), Some(data));
        assert_eq!(decompress(&compress(b"")).ok(), Some(Vec::new()));
        assert!(decompress(&[5, 0x80, 0, 9]).is_err());
    }

    #[test]
    fn base64_round_trips() {
        for n in 0..10 {
            let d: Vec<u8> = (0..n * 17).map(|i| (i * 7) as u8).collect();
            assert_eq!(base64_decode(&base64_lines(&d)).ok(), Some(d));
        }
        assert_eq!(base64_lines(b"hello"), "aGVsbG8=\n");
    }

    #[test]
    fn hexcap_lines() {
        assert_eq!(
            hexcap_line("0000  45 00 00 33 00 01 00 00  E..3...."),
            "45 00 00 33 00 01 00 00  "
        );
        // Without an offset, the reference reads the first pair as one.
        assert_eq!(hexcap_line("45 00 01"), "00 01");
    }
}
