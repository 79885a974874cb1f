//! Dissection never panics: random, truncated and mutated byte strings, thousands of them
//! from a fixed seed, dissected as Ether and IP, then displayed and rebuilt; odd fragment sets
//! (overlapping, duplicate, huge offsets, lying lengths) defragmented and fragmented again;
//! and the layers of the field vectors, defined by campaign code, fed the same kind of bytes.

use wirecraft::packet::{dissect_with_warnings, hexdump, Registry};

/// xorshift64: deterministic, dependency-free.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// A valid Ether/IP/TCP frame with options and a payload, the seed of the mutations.
const FRAME: &str = "00112233445566778899aabb08004500004e0001000040062642c6336401c6336402001401bb0000000000000000a0022000a18d0000020405b4010303070402080a00003039000000006865\
6c6c6f20776f726c64";

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len() / 2)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap_or(0))
        .collect()
}

fn exercise(reg: &Registry, class: &str, bytes: &[u8]) {
    let def = reg.def(class).expect("built-in layer");
    let d = dissect_with_warnings(&def, bytes);
    let p = d.packet;
    let _ = p.repr();
    let _ = p.summary();
    let _ = p.show();
    // A dissected packet rebuilds (values are explicit); it may differ only where the
    // input was inconsistent, so only the absence of panics is checked.
    if let Ok(b) = p.build() {
        let _ = hexdump(&b);
    }
}

#[test]
fn garbage_never_panics() {
    let reg = Registry::with_builtins();
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    let frame = unhex(FRAME);
    for i in 0..6000 {
        let bytes: Vec<u8> = match i % 3 {
            // Pure noise of any length up to 200 bytes.
            0 => (0..rng.below(200)).map(|_| rng.next() as u8).collect(),
            // A valid frame cut anywhere.
            1 => frame[..rng.below(frame.len() + 1)].to_vec(),
            // A valid frame with a few bytes flipped (lengths, ihl, dataofs, options).
            _ => {
                let mut b = frame.clone();
                for _ in 0..1 + rng.below(4) {
                    let at = rng.below(b.len());
                    b[at] = rng.next() as u8;
                }
                b
            }
        };
        exercise(&reg, "Ether", &bytes);
        if bytes.len() > 14 {
            exercise(&reg, "IP", &bytes[14..]);
        }
        exercise(&reg, "IP", &bytes);
        exercise(&reg, "ARP", &bytes);
        exercise(&reg, "Dot3", &bytes);
    }
}

#[test]
fn every_prefix_of_a_frame() {
    let reg = Registry::with_builtins();
    let frame = unhex(FRAME);
    for n in 0..=frame.len() {
        exercise(&reg, "Ether", &frame[..n]);
    }
    // The whole frame dissects to the end and builds back identically.
    let p = wirecraft::packet::dissect(&reg.def("Ether").expect("Ether"), &frame);
    assert_eq!(p.build().expect("build"), frame);
    assert_eq!(
        p.summary(),
        "Ether / IP / TCP 198.51.100.1:ftp_data > 198.51.100.2:https S / Raw"
    );
}

#[test]
fn deep_nesting_is_bounded() {
    // IP in IP in IP ... thousands deep must not exhaust the stack.
    let reg = Registry::with_builtins();
    let mut bytes = Vec::new();
    for _ in 0..3000 {
        bytes.extend_from_slice(&unhex("4500001400010000400400007f0000017f000001"));
    }
    exercise(&reg, "IP", &bytes);
}

mod engine_support;

/// Classes built at run time with the field kinds whose lengths come from the bytes: every
/// lie (counts and lengths past the end, missing terminators, nesting) must dissect without
/// panicking, display, and rebuild.
#[test]
fn run_time_field_kinds_never_panic() {
    use std::rc::Rc;
    let reg = Rc::new(Registry::with_builtins());
    let classes: &[(&str, &[&str], bool)] = &[
        (
            "Elem",
            &[
                "ByteField(\"k\", 1)",
                "FieldLenField(\"l\", None, length_of=\"v\", fmt=\"B\")",
                "StrLenField(\"v\", b\"\", length_from=lambda pkt: pkt.l)",
            ],
            true,
        ),
        (
            "Nest",
            &[
                "ByteField(\"n\", 0)",
                "ConditionalField(PacketField(\"inner\", None, Elem), lambda pkt: pkt.n > 0)",
            ],
            false,
        ),
        (
            "Lies",
            &[
                "ByteField(\"cnt\", 0)",
                "ShortField(\"len\", 0)",
                "PacketListField(\"a\", [], Elem, count_from=lambda pkt: pkt.cnt)",
                "PacketListField(\"b\", [], Elem, length_from=lambda pkt: pkt.len)",
                "FieldListField(\"c\", [], IntField(\"\", 0), count_from=lambda pkt: pkt.cnt * 50)",
                "FieldListField(\"d\", [], ShortField(\"\", 0), length_from=lambda pkt: pkt.len - 7)",
                "PacketLenField(\"e\", None, Nest, length_from=lambda pkt: pkt.cnt)",
                "StrStopField(\"f\", b\"\", b\"\\r\\n\", 3)",
                "StrNullField(\"g\", b\"\")",
                "BitFieldLenField(\"h\", None, 12, length_of=\"i\")",
                "BitField(\"pad\", 0, 4)",
                "XStrLenField(\"i\", b\"\", length_from=lambda pkt: pkt.h)",
                "PadField(StrFixedLenField(\"j\", b\"\", length_from=lambda pkt: pkt.cnt % 7), 4)",
                "TimeStampField(\"t\", 0)",
                "IEEEDoubleField(\"u\", 0.0)",
                "IP6Field(\"w\", \"::\")",
                "PacketListField(\"x\", [], Nest)",
            ],
            false,
        ),
    ];
    let mut defs = Vec::new();
    for (name, fields, pad) in classes {
        let fields: Vec<String> = fields.iter().map(|s| s.to_string()).collect();
        defs.push(engine_support::define(&reg, name, name, &fields, *pad).expect("class"));
    }
    let lies = defs.last().cloned().expect("Lies");
    let mut rng = Rng(0x1234_5678_9abc_def1);
    for i in 0..4000 {
        let n = rng.below(300);
        let mut bytes: Vec<u8> = (0..n).map(|_| rng.next() as u8).collect();
        if i % 4 == 0 && bytes.len() > 3 {
            // Counts and lengths far past the end.
            bytes[0] = 0xff;
            bytes[1] = 0xff;
            bytes[2] = 0xff;
        }
        if i % 5 == 0 {
            bytes.retain(|&b| b != b'\r' && b != 0);
        }
        for def in &defs {
            let d = dissect_with_warnings(def, &bytes);
            let p = d.packet;
            let _ = p.repr();
            let _ = p.show();
            let _ = p.command();
            let _ = wirecraft::packet::ls_packet(&p);
            if let Ok(b) = p.build() {
                let _ = hexdump(&b);
            }
        }
    }
    // A PacketListField whose count lies stops at the end of the bytes or at the limit.
    let d = dissect_with_warnings(&lies, &[0xff, 0, 0, 1, 0]);
    assert!(d.packet.get("a").is_some());
}

/// IPv6 seeds: every packet of the generated IPv6 vectors (built by Scapy 2.8): extension
/// header chains, ICMPv6 errors quoting packets, ND with options, MLDv2, segment routing.
fn ipv6_seeds() -> Vec<Vec<u8>> {
    let path =
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/engine_inet6.jsonl");
    let text = std::fs::read_to_string(path).expect("tests/data/engine_inet6.jsonl");
    text.lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v["expr"].as_str().is_some_and(|e| e.starts_with("IPv6(")))
        .filter_map(|v| v["hex"].as_str().map(unhex))
        .collect()
}

#[test]
fn ipv6_and_icmpv6_never_panic() {
    let reg = Registry::with_builtins();
    let mut rng = Rng(0x5eed_6666_abcd_0002);
    let seeds = ipv6_seeds();
    assert!(seeds.len() > 30, "the IPv6 vectors are there");
    for i in 0..6000 {
        let seed = &seeds[i % seeds.len()];
        let bytes: Vec<u8> = match i % 4 {
            0 => {
                // Noise behind a plausible IPv6 header: next headers of any kind.
                let mut b = seed[..40.min(seed.len())].to_vec();
                b.extend((0..rng.below(120)).map(|_| rng.next() as u8));
                b
            }
            1 => seed[..rng.below(seed.len() + 1)].to_vec(),
            2 => {
                // Lengths and next headers that lie, chains that loop (nh pointing back
                // to a hop-by-hop or routing header).
                let mut b = seed.clone();
                for _ in 0..1 + rng.below(4) {
                    let at = 4 + rng.below(b.len().saturating_sub(4));
                    b[at] = match rng.below(4) {
                        0 => 0,
                        1 => 43,
                        2 => 0xff,
                        _ => rng.next() as u8,
                    };
                }
                b
            }
            _ => (0..rng.below(200)).map(|_| rng.next() as u8).collect(),
        };
        exercise(&reg, "IPv6", &bytes);
        exercise(&reg, "IPerror6", &bytes);
        for class in [
            "IPv6ExtHdrHopByHop",
            "IPv6ExtHdrSegmentRouting",
            "ICMPv6ND_RA",
            "ICMPv6MLReport2",
            "ICMPv6NDOptRedirectedHdr",
        ] {
            exercise(&reg, class, &bytes[bytes.len().min(40)..]);
        }
    }
}

#[test]
fn a_loop_of_extension_headers_is_bounded() {
    let reg = Registry::with_builtins();
    // 200 hop-by-hop headers, each naming another as its next header.
    let mut b = unhex(
        "6000000000000000000000000000000000000000000000000001000000000000000000000000000000000001",
    );
    b.truncate(40);
    for _ in 0..200 {
        b.extend_from_slice(&[0, 0, 1, 4, 0, 0, 0, 0]);
    }
    exercise(&reg, "IPv6", &b);
}

/// An IPv4 fragment's bytes: id, MF, offset (8-byte units), a `len` field that may lie, and
/// a payload.
fn ip_fragment(id: u16, mf: bool, offset: u16, len: Option<u16>, payload: &[u8]) -> Vec<u8> {
    let total = len.unwrap_or((20 + payload.len()) as u16);
    let fl = (u16::from(mf) << 13) | (offset & 0x1fff);
    let mut b = vec![0x45, 0];
    b.extend(total.to_be_bytes());
    b.extend(id.to_be_bytes());
    b.extend(fl.to_be_bytes());
    b.extend([64, 17, 0, 0, 198, 51, 100, 1, 198, 51, 100, 2]);
    b.extend_from_slice(payload);
    b
}

#[test]
fn defragmenting_odd_fragments_never_panics() {
    use wirecraft::packet::{defragment, dissect, fragment, fragment6, Defragmented, Packet};
    let reg = Registry::with_builtins();
    let ip = reg.def("IP").expect("IP");
    let ether = reg.def("Ether").expect("Ether");
    let frags = |specs: &[(u16, bool, u16, Option<u16>, usize)]| -> Vec<Packet> {
        specs
            .iter()
            .map(|&(id, mf, off, len, n)| {
                dissect(&ip, &ip_fragment(id, mf, off, len, &vec![0x61; n]))
            })
            .collect()
    };
    let bad = |r: &[Defragmented]| {
        r.iter()
            .filter(|d| matches!(d, Defragmented::BadFragment { .. }))
            .count()
    };

    // Overlapping: the second starts inside the first.
    let r = defragment(&frags(&[(1, true, 0, None, 16), (1, false, 1, None, 8)])).expect("ok");
    assert_eq!((r.len(), bad(&r)), (2, 2));
    // Duplicate middle fragment.
    let r = defragment(&frags(&[
        (1, true, 0, None, 8),
        (1, true, 1, None, 8),
        (1, true, 1, None, 8),
        (1, false, 2, None, 8),
    ]))
    .expect("ok");
    assert_eq!((r.len(), bad(&r)), (4, 4));
    // Huge offset: a gap of almost 64 KiB is reported, never allocated.
    let r = defragment(&frags(&[
        (1, true, 0, None, 8),
        (1, false, 0x1fff, None, 8),
    ]))
    .expect("ok");
    assert_eq!((r.len(), bad(&r)), (2, 2));
    // Lying lengths: len shorter than the header, len far beyond the bytes.
    let r = defragment(&frags(&[
        (1, true, 0, Some(4), 8),
        (1, false, 1, Some(0xffff), 8),
    ]))
    .expect("ok");
    assert_eq!(r.len(), 2);
    // A complete datagram in order reassembles.
    let r = defragment(&frags(&[(2, true, 0, None, 8), (2, false, 1, None, 3)])).expect("ok");
    assert_eq!((r.len(), bad(&r)), (1, 0));

    // Thousands of random fragment sets: ids, offsets, MF, lengths and sizes at random, some
    // behind Ethernet, some truncated; then fragment() and fragment6() on what came out.
    let mut rng = Rng(0x5eed_f4a6);
    for _ in 0..1500 {
        let n = 1 + rng.below(6);
        let mut list = Vec::new();
        for _ in 0..n {
            let id = rng.below(3) as u16;
            let off = match rng.below(4) {
                0 => 0x1fff,
                _ => rng.below(8) as u16,
            };
            let len = match rng.below(4) {
                0 => Some(rng.next() as u16),
                _ => None,
            };
            let mut b = ip_fragment(id, rng.below(2) == 0, off, len, &vec![0x62; rng.below(40)]);
            if rng.below(5) == 0 {
                b.truncate(rng.below(b.len()));
            }
            if rng.below(3) == 0 {
                let mut f = unhex("00112233445566778899aabb0800");
                f.extend(b);
                list.push(dissect(&ether, &f));
            } else {
                list.push(dissect(&ip, &b));
            }
        }
        if let Ok(out) = defragment(&list) {
            for d in &out {
                let _ = d.repr();
                let _ = d.packet().build();
                let size = [0, 1, 7, 8, 9, 24, -3, 1480][rng.below(8)];
                let _ = fragment(d.packet(), size);
            }
        }
    }
    let seeds = ipv6_seeds();
    let ip6 = reg.def("IPv6").expect("IPv6");
    for s in &seeds {
        let p = dissect(&ip6, s);
        for size in [-1, 0, 8, 40, 48, 49, 56, 1280] {
            if let Ok(fs) = fragment6(&reg, &p, size) {
                for f in fs {
                    let _ = f.build();
                }
            }
        }
    }
}

/// The built bytes of the core protocol vectors (tests/data/core_vectors.jsonl): valid
/// packets of every family, the seeds for truncation, growth and mutation.
/// The core protocols' vectors, and the application protocols' (DNS with compressed
/// names, DHCP options, ISAKMP payloads), so mutations reach their parsers.
fn core_vector_bytes() -> Vec<Vec<u8>> {
    vector_files().into_iter().map(|(_, b)| b).collect()
}

/// The outermost class and the bytes of every vector in the core and application vector
/// files.
fn vector_files() -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for file in [
        "tests/data/core_vectors.jsonl",
        "tests/data/app_vectors.jsonl",
    ] {
        let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(file);
        let text = std::fs::read_to_string(path).expect(file);
        for l in text.lines().filter(|l| !l.trim().is_empty()) {
            let v: serde_json::Value = serde_json::from_str(l).expect("a JSON vector");
            let class = match v["class"].as_str() {
                Some(c) => c.to_string(),
                None => v["dissect_expr"]
                    .as_str()
                    .unwrap_or("")
                    .split('(')
                    .next()
                    .unwrap_or("")
                    .to_string(),
            };
            out.push((class, unhex(v["hex"].as_str().unwrap_or(""))));
        }
    }
    out
}

/// Every layer class the engine registers, not only the link layers: each dissects the
/// core vectors' bytes truncated at every length, grown with garbage, mutated, and noise,
/// then shows, summarizes, rebuilds and shows the rebuilt packet, without a panic.
#[test]
fn every_layer_survives_truncated_oversized_and_random_bytes() {
    let reg = Registry::with_builtins();
    let seeds = core_vector_bytes();
    assert!(seeds.len() >= 200);
    let mut rng = Rng(0x0dd_ba11_5eed_0006);
    let classes: Vec<String> = reg.all().iter().map(|d| d.class_name.clone()).collect();
    assert!(classes.len() >= 100, "{} classes", classes.len());
    let mut inputs: Vec<Vec<u8>> = Vec::new();
    for s in &seeds {
        // Truncations at a few lengths (every length is covered by the next test for Ether).
        for _ in 0..3 {
            inputs.push(s[..rng.below(s.len() + 1)].to_vec());
        }
        // Oversized: garbage after a valid packet.
        let mut grown = s.clone();
        grown.extend((0..1 + rng.below(300)).map(|_| rng.next() as u8));
        inputs.push(grown);
        // Mutated: a few bytes anywhere (lengths, counts, option kinds).
        let mut m = s.clone();
        for _ in 0..1 + rng.below(5) {
            let at = rng.below(m.len());
            if let Some(b) = m.get_mut(at) {
                *b = rng.next() as u8;
            }
        }
        inputs.push(m);
    }
    for _ in 0..200 {
        inputs.push((0..rng.below(120)).map(|_| rng.next() as u8).collect());
    }
    for (ci, class) in classes.iter().enumerate() {
        let def = reg.def(class).expect("registered");
        for (i, bytes) in inputs.iter().enumerate() {
            // Every class sees a tenth of the inputs, a different tenth each, and the noise.
            if i % 10 != ci % 10 && i < inputs.len() - 200 {
                continue;
            }
            let p = dissect_with_warnings(&def, bytes).packet;
            let _ = (p.repr(), p.summary(), p.show());
            if let Ok(b) = p.build() {
                let _ = wirecraft::packet::dissect(&def, &b).show();
            }
        }
    }
}

/// Every prefix of every core and application vector, dissected from its outermost class.
#[test]
fn every_prefix_of_every_core_vector() {
    let reg = Registry::with_builtins();
    for (class, bytes) in vector_files() {
        for n in 0..=bytes.len() {
            exercise(&reg, &class, &bytes[..n]);
        }
    }
}

/// DNS messages whose every name is a compression pointer to anywhere (loops, forward
/// references, pointers into other names and into the header), with counts up to the
/// maximum: dissection ends, never panics, and every name stays bounded.
#[test]
fn dns_compression_pointers_anywhere_end() {
    let reg = Registry::with_builtins();
    let mut rng = Rng(0xd15_c0de_5eed_0053);
    for _ in 0..2000 {
        let mut m = vec![0, 1, 0x81, 0x80];
        for _ in 0..4 {
            m.extend_from_slice(&[0xff, 0xff]);
        }
        while m.len() < 12 + 4 * (1 + rng.below(60)) {
            match rng.below(4) {
                0 => m.extend_from_slice(&[0xc0 | (rng.below(2) as u8), rng.next() as u8]),
                1 => m.extend_from_slice(&[1, b'a' + rng.below(26) as u8]),
                2 => m.extend_from_slice(&[0, 1, 0, 1]),
                _ => m.push(rng.next() as u8),
            }
        }
        let d = dissect_with_warnings(&reg.def("DNS").expect("DNS"), &m);
        for l in d.packet.show().lines() {
            assert!(
                l.len() < 20_000,
                "a name grew without bound: {} bytes",
                l.len()
            );
        }
        exercise(&reg, "DNS", &m);
    }
}

mod lang_support;

/// The layers of the field vectors (tests/data/field_vectors.jsonl), defined with
/// `class FVnnn(Packet)` in a campaign session as the selftest campaign defines them, dissect
/// their built bytes and inputs cut at every length, mutated (lengths and counts set to
/// 0x00 or 0xff), grown with garbage, and noise: through the language, so the campaign's
/// lambdas (length_from, count_from, conditions, next_cls_cb) run on every lie. Each
/// dissection is shown and rebuilt; no exception may escape and nothing may panic.
#[test]
fn campaign_defined_layers_of_the_field_vectors_never_panic() {
    let path =
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/field_vectors.jsonl");
    let text = std::fs::read_to_string(path).expect("tests/data/field_vectors.jsonl");
    let vectors: Vec<serde_json::Value> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("a JSON vector"))
        .collect();
    assert!(vectors.len() >= 150, "{} field vectors", vectors.len());
    let done = std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(move || {
            use wirecraft::lang::{Outcome, Session, StopFlag};
            let mut session = Session::new("robustness.uts", StopFlag::new());
            let mut rng = Rng(0x5eed_f1e1_d5ec_0005);
            let mut dissected = 0usize;
            for v in &vectors {
                let id = v["id"].as_str().unwrap_or("?");
                let cls = v["cls"].as_str().unwrap_or("?");
                let source = v["source"].as_str().unwrap_or("");
                let (t, o) = lang_support::run_in(&mut session, source, 1);
                assert!(
                    matches!(o, Outcome::Completed { .. }),
                    "{id}: the class does not define:\n{t}"
                );
                let mut seeds: Vec<Vec<u8>> = vec![unhex(v["hex"].as_str().unwrap_or(""))];
                for i in v["inputs"].as_array().into_iter().flatten() {
                    seeds.push(unhex(i["hex"].as_str().unwrap_or("")));
                }
                let inputs = field_vector_inputs(&seeds, &mut rng);
                dissected += inputs.len();
                let list: Vec<String> = inputs
                    .iter()
                    .map(|b| format!("bytes.fromhex('{}')", engine_support::hex(b)))
                    .collect();
                let code = format!(
                    "bad = []\n\
                     for b in [{}]:\n    \
                         try:\n        \
                             p = {cls}(b)\n        \
                             shown = (repr(p), p.show(dump=True), p.summary(), raw(p))\n    \
                         except Exception as e:\n        \
                             bad.append((b.hex(), repr(e)))\n\
                     \n\
                     bad",
                    list.join(", ")
                );
                let (t, o) = lang_support::run_in(&mut session, &code, 1);
                let last = t.lines().last().unwrap_or("");
                assert!(
                    matches!(o, Outcome::Completed { .. }) && last == "[]",
                    "{id}: dissecting odd bytes failed: {last}"
                );
            }
            dissected
        })
        .expect("spawn")
        .join()
        .expect("no panic");
    assert!(done > 5000, "{done} dissections");
}

/// The byte strings a field vector's layer dissects: each seed cut at every length (every
/// eighth past 64 bytes), with a few bytes set to 0x00, 0xff or noise, grown with garbage,
/// and with its first bytes set to 0xff (lengths and counts at their largest); then noise.
fn field_vector_inputs(seeds: &[Vec<u8>], rng: &mut Rng) -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = Vec::new();
    for s in seeds {
        let mut n = 0;
        while n <= s.len() {
            out.push(s[..n].to_vec());
            n += if n < 64 { 1 } else { 8 };
        }
        for _ in 0..6 {
            let mut m = s.clone();
            for _ in 0..1 + rng.below(4) {
                let at = rng.below(m.len());
                if let Some(b) = m.get_mut(at) {
                    *b = match rng.below(3) {
                        0 => 0,
                        1 => 0xff,
                        _ => rng.next() as u8,
                    };
                }
            }
            out.push(m);
        }
        for _ in 0..2 {
            let mut g = s.clone();
            g.extend((0..1 + rng.below(40)).map(|_| rng.next() as u8));
            out.push(g);
        }
        let mut lie = s.clone();
        for b in lie.iter_mut().take(4) {
            *b = 0xff;
        }
        out.push(lie);
    }
    for _ in 0..4 {
        out.push((0..rng.below(64)).map(|_| rng.next() as u8).collect());
    }
    out
}

/// 802.11 seeds: every frame of the 802.11 vectors (built by Scapy 2.8): Prism and
/// Radiotap headers, management bodies with element chains, control, data and QoS frames,
/// FCS trailers.
fn dot11_seeds() -> Vec<Vec<u8>> {
    let path =
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/dot11_vectors.jsonl");
    let text = std::fs::read_to_string(path).expect("tests/data/dot11_vectors.jsonl");
    text.lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v["hex"].as_str().map(unhex))
        .filter(|b| !b.is_empty())
        .collect()
}

/// Every 802.11 layer fed random, truncated and mutated bytes: lengths past the end,
/// present bitmaps with any bits (extension bitmaps included), FCS frames shorter than
/// their checksum, element chains that lie.
#[test]
fn dot11_layers_never_panic() {
    let reg = Registry::with_builtins();
    let classes: Vec<String> = reg
        .all()
        .iter()
        .map(|d| d.class_name.clone())
        .filter(|n| n.starts_with("Dot11") || n == "PrismHeader" || n == "RadioTap")
        .collect();
    assert!(
        classes.len() >= 20,
        "the 802.11 layers are registered: {classes:?}"
    );
    let mut rng = Rng(0x5eed_8021_1abc_0003);
    let seeds = dot11_seeds();
    assert!(seeds.len() > 50, "the 802.11 vectors are there");
    for (i, seed) in seeds.iter().enumerate() {
        for n in 0..=seed.len() {
            exercise(
                &reg,
                if i % 2 == 0 { "RadioTap" } else { "Dot11" },
                &seed[..n],
            );
        }
    }
    for i in 0..4000 {
        let seed = &seeds[i % seeds.len()];
        let bytes: Vec<u8> = match i % 4 {
            0 => (0..rng.below(160)).map(|_| rng.next() as u8).collect(),
            1 => seed[..rng.below(seed.len() + 1)].to_vec(),
            2 => {
                let mut b = seed.clone();
                for _ in 0..1 + rng.below(4) {
                    let at = rng.below(b.len());
                    b[at] = match rng.below(3) {
                        0 => 0xff,
                        1 => 0,
                        _ => rng.next() as u8,
                    };
                }
                b
            }
            _ => {
                // A Radiotap header whose bitmap has any bits and whose length lies.
                let mut b = vec![0, 0, rng.next() as u8, rng.below(2) as u8];
                b.extend_from_slice(&(rng.next() as u32).to_le_bytes());
                b.extend((0..rng.below(60)).map(|_| rng.next() as u8));
                b
            }
        };
        for class in &classes {
            exercise(&reg, class, &bytes);
        }
        exercise(&reg, "RadioTap", &bytes);
    }
}
