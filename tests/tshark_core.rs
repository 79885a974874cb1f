//! tshark (Debian's, installed by scripts/setup-system) reads a classic pcap of varied
//! packets that wirecraft built and wrote: for every packet, the fields tshark names agree
//! with wirecraft's own dissection of the bytes it built, and with checksum validation
//! turned on every checksum tshark checks (IPv4 header, TCP, UDP, ICMP, ICMPv6, GRE) is good.

mod engine_support;

use std::collections::HashMap;
use std::process::Command;
use std::rc::Rc;

use wirecraft::packet::{dissect, Packet, Registry, Value};
use wirecraft::pcapfile::{PcapWriter, Record, Timestamp};

const E: &str = r#"Ether(dst="00:11:22:33:44:55", src="66:77:88:99:aa:bb")"#;
const A4: &str = r#"src="198.51.100.1", dst="198.51.100.2""#;
const B4: &str = r#"src="198.51.100.2", dst="198.51.100.1""#;
const A6: &str = r#"src="2001:db8::1", dst="2001:db8::2""#;
const B6: &str = r#"src="2001:db8::2", dst="2001:db8::1""#;

fn packets() -> Vec<String> {
    let mut v = vec![
        format!("{E}/IP({A4})/TCP(sport=1234, dport=80, flags=\"S\", seq=1000, options=[(\"MSS\", 1460), (\"SAckOK\", b\"\"), (\"Timestamp\", (1, 0)), (\"NOP\", None), (\"WScale\", 7)])"),
        format!("{E}/IP({B4})/TCP(sport=80, dport=1234, flags=\"SA\", seq=5000, ack=1001, window=65535)"),
        format!("{E}/IP({A4}, ttl=3, id=77)/TCP(sport=1234, dport=80, flags=\"PA\", seq=1001, ack=5001)/Raw(b\"GET / HTTP/1.0\\r\\n\\r\\n\")"),
        format!("{E}/IP({A4})/TCP(sport=1234, dport=80, flags=\"FA\", seq=9, ack=10)"),
        format!("{E}/IP({A4})/TCP(sport=1234, dport=80, flags=\"R\")"),
        format!("{E}/IP({A4})/TCP(sport=5555, dport=443, options=[(\"MD5\", b\"0123456789abcdef\")])"),
        format!("{E}/IP({A4})/UDP(sport=5353, dport=53)/Raw(b\"query\")"),
        format!("{E}/IP({B4})/UDP(sport=53, dport=5353)/Raw(b\"answer-bytes\")"),
        format!("{E}/IP({A4})/UDP(sport=1, dport=2)"),
        format!("{E}/IP({A4})/ICMP(id=1, seq=1)/Raw(b\"ping-data\")"),
        format!("{E}/IP({B4})/ICMP(type=0, id=1, seq=1)/Raw(b\"ping-data\")"),
        format!("{E}/IP({B4})/ICMP(type=3, code=3)/IPerror({A4}, proto=17)/UDPerror(sport=5353, dport=53)"),
        format!("{E}/IP({B4})/ICMP(type=11)/IPerror({A4}, proto=6)/TCPerror(sport=1234, dport=80)"),
        format!("{E}/IP({A4})/ICMP(type=13, id=2, seq=3, ts_ori=1000, ts_rx=0, ts_tx=0)"),
        format!("{E}/IP({A4})/ICMP(type=17, id=4, seq=5)"),
        format!("{E}/IP({A4}, options=[IPOption_Router_Alert()])/UDP(sport=1, dport=2)"),
        format!("{E}/IP({A4}, options=[IPOption_RR(routers=[\"192.0.2.1\"])])/ICMP()"),
        format!("{E}/IP({A4}, options=[IPOption_Timestamp(flg=0, timestamp=5)])/TCP(sport=1, dport=2)"),
        format!("{E}/IP({A4}, tos=0x10, flags=\"DF\")/TCP(sport=22, dport=2222, flags=\"A\")"),
        format!("{E}/ARP(hwsrc=\"66:77:88:99:aa:bb\", psrc=\"198.51.100.1\", pdst=\"198.51.100.2\")"),
        format!("{E}/ARP(op=2, hwsrc=\"00:11:22:33:44:55\", psrc=\"198.51.100.2\", hwdst=\"66:77:88:99:aa:bb\", pdst=\"198.51.100.1\")"),
        format!("{E}/Dot1Q(vlan=10)/IP({A4})/UDP(sport=1, dport=2)"),
        format!("{E}/Dot1Q(vlan=10)/Dot1Q(vlan=20)/IP({A4})/ICMP()"),
        format!("{E}/Dot1AD(vlan=100)/Dot1Q(vlan=7)/IP({A4})/TCP(sport=3, dport=4)"),
        format!("{E}/IP({A4})/GRE(chksum_present=1, key_present=1, key=5)/IP({B4})/UDP(sport=7, dport=8)"),
        format!("{E}/IP({A4})/GRE()/IP({B4})/ICMP()"),
        format!("{E}/IP({A4})/IP({B4})/TCP(sport=9, dport=10)"),
        format!("{E}/IPv6({A6})/TCP(sport=1234, dport=443, flags=\"S\", options=[(\"MSS\", 1440)])"),
        format!("{E}/IPv6({B6})/UDP(sport=547, dport=546)/Raw(b\"dhcp\")"),
        format!("{E}/IPv6({A6})/ICMPv6EchoRequest(id=1, seq=2, data=b\"abc\")"),
        format!("{E}/IPv6({B6})/ICMPv6EchoReply(id=1, seq=2, data=b\"abc\")"),
        format!("{E}/IPv6(src=\"fe80::1\", dst=\"ff02::1:ff00:2\")/ICMPv6ND_NS(tgt=\"fe80::2\")/ICMPv6NDOptSrcLLAddr(lladdr=\"66:77:88:99:aa:bb\")"),
        format!("{E}/IPv6(src=\"fe80::2\", dst=\"fe80::1\")/ICMPv6ND_NA(tgt=\"fe80::2\", S=1)/ICMPv6NDOptDstLLAddr(lladdr=\"00:11:22:33:44:55\")"),
        format!("{E}/IPv6(src=\"fe80::1\", dst=\"ff02::1\")/ICMPv6ND_RA()/ICMPv6NDOptPrefixInfo(prefix=\"2001:db8:1::\")/ICMPv6NDOptMTU()"),
        format!("{E}/IPv6({B6})/ICMPv6DestUnreach(code=4)/IPerror6({A6})/UDPerror(sport=1, dport=2)"),
        format!("{E}/IPv6({A6})/IPv6ExtHdrHopByHop(options=[RouterAlert()])/ICMPv6MLReport(mladdr=\"ff02::fb\")"),
        format!("{E}/IPv6({A6})/IPv6ExtHdrRouting(addresses=[\"2001:db8::a\"], segleft=0)/UDP(sport=1, dport=2)"),
        format!("{E}/IPv6({A6})/IPv6ExtHdrDestOpt()/TCP(sport=5, dport=6)"),
        format!("{E}/IPv6({A6})/GRE()/IP({A4})/UDP(sport=11, dport=12)"),
        format!("{E}/IP({A4})/IPv6({A6})/UDP(sport=13, dport=14)"),
    ];
    // A UDP datagram in three IPv4 fragments: tshark reassembles it to check UDP's checksum.
    v.extend((0..3).map(|i| {
        format!(
            "fragment({E}/IP({A4}, id=9)/UDP(sport=100, dport=200)/Raw(b\"{}\"), 24)[{i}]",
            "z".repeat(60)
        )
    }));
    v
}

/// Builds an expression (or one fragment of `fragment(expr, size)[i]`).
fn build(reg: &Rc<Registry>, e: &str) -> Vec<u8> {
    if let Some(rest) = e.strip_prefix("fragment(") {
        let (inner, tail) = rest.rsplit_once(", 24)[").expect("fragment expression");
        let i: usize = tail.trim_end_matches(']').parse().expect("index");
        let p = engine_support::packet(reg, inner).expect("expression");
        let frags = wirecraft::packet::fragment(&p, 24).expect("fragments");
        return frags[i].build().expect("build");
    }
    engine_support::packet(reg, e)
        .unwrap_or_else(|err| panic!("{e}: {err}"))
        .build()
        .expect("build")
}

const FIELDS: &[&str] = &[
    "eth.src",
    "eth.dst",
    "vlan.id",
    "arp.opcode",
    "arp.src.proto_ipv4",
    "arp.dst.proto_ipv4",
    "ip.src",
    "ip.dst",
    "ip.ttl",
    "ip.id",
    "ip.proto",
    "ip.len",
    "ipv6.src",
    "ipv6.dst",
    "ipv6.hlim",
    "tcp.srcport",
    "tcp.dstport",
    "tcp.seq_raw",
    "tcp.ack_raw",
    "tcp.flags",
    "tcp.window_size_value",
    "udp.srcport",
    "udp.dstport",
    "udp.length",
    "icmp.type",
    "icmp.code",
    "icmpv6.type",
    "icmpv6.code",
    "gre.key",
    "ip.checksum.status",
    "tcp.checksum.status",
    "udp.checksum.status",
    "icmp.checksum.status",
    "icmpv6.checksum.status",
    "gre.checksum.status",
];

/// A field value as an integer, from tshark's decimal or `0x` hexadecimal text.
fn num(s: &str) -> Option<i128> {
    match s.strip_prefix("0x") {
        Some(h) => i128::from_str_radix(h, 16).ok(),
        None => s.parse().ok(),
    }
}

/// What wirecraft's dissection says for the first occurrence of each field tshark reports.
fn ours(p: &Packet) -> HashMap<&'static str, String> {
    let mut m = HashMap::new();
    let text = |l: &Packet, f: &str| match l.get(f) {
        Some(Value::Ip4(a)) => a.to_string(),
        Some(Value::Ip6(a)) => a.to_string(),
        Some(Value::Mac(b)) => b
            .iter()
            .map(|x| format!("{x:02x}"))
            .collect::<Vec<_>>()
            .join(":"),
        Some(Value::Int(i)) => i.to_string(),
        other => format!("{other:?}"),
    };
    let mut put = |class: &str, pairs: &[(&'static str, &str)]| {
        if let Some(l) = p.getlayer(class, 1) {
            for (k, f) in pairs {
                m.insert(*k, text(&l, f));
            }
        }
    };
    put("Ether", &[("eth.src", "src"), ("eth.dst", "dst")]);
    put("Dot1Q", &[("vlan.id", "vlan")]);
    put(
        "ARP",
        &[
            ("arp.opcode", "op"),
            ("arp.src.proto_ipv4", "psrc"),
            ("arp.dst.proto_ipv4", "pdst"),
        ],
    );
    put(
        "IP",
        &[
            ("ip.src", "src"),
            ("ip.dst", "dst"),
            ("ip.ttl", "ttl"),
            ("ip.id", "id"),
            ("ip.proto", "proto"),
            ("ip.len", "len"),
        ],
    );
    put(
        "IPv6",
        &[
            ("ipv6.src", "src"),
            ("ipv6.dst", "dst"),
            ("ipv6.hlim", "hlim"),
        ],
    );
    put(
        "TCP",
        &[
            ("tcp.srcport", "sport"),
            ("tcp.dstport", "dport"),
            ("tcp.seq_raw", "seq"),
            ("tcp.ack_raw", "ack"),
            ("tcp.flags", "flags"),
            ("tcp.window_size_value", "window"),
        ],
    );
    put(
        "UDP",
        &[
            ("udp.srcport", "sport"),
            ("udp.dstport", "dport"),
            ("udp.length", "len"),
        ],
    );
    put("ICMP", &[("icmp.type", "type"), ("icmp.code", "code")]);
    put("GRE", &[("gre.key", "key")]);
    m
}

#[test]
fn tshark_reads_what_wirecraft_writes() {
    let reg = Rc::new(Registry::with_builtins());
    let exprs = packets();
    assert!(exprs.len() >= 30);
    let frames: Vec<Vec<u8>> = exprs.iter().map(|e| build(&reg, e)).collect();
    let path = std::env::temp_dir().join(format!("wirecraft-tshark-{}.pcap", std::process::id()));
    {
        let file = std::fs::File::create(&path).expect("pcap file");
        let mut w = PcapWriter::new(file, 1, false).expect("pcap header");
        for (i, f) in frames.iter().enumerate() {
            let t = Timestamp::from_f64(1_700_000_000.0 + i as f64);
            w.write(&Record::new(t, 1, f.clone())).expect("record");
        }
        w.finish().expect("flush");
    }
    let mut cmd = Command::new("tshark");
    cmd.args(["-n", "-r"])
        .arg(&path)
        .args(["-T", "fields", "-E", "separator=|"]);
    for proto in ["ip", "tcp", "udp"] {
        cmd.args(["-o", &format!("{proto}.check_checksum:TRUE")]);
    }
    for f in FIELDS {
        cmd.args(["-e", f]);
    }
    let out = cmd
        .output()
        .expect("tshark runs (scripts/setup-system installs it)");
    let _ = std::fs::remove_file(&path);
    assert!(
        out.status.success(),
        "tshark: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let rows: Vec<&str> = text.lines().collect();
    assert_eq!(
        rows.len(),
        frames.len(),
        "tshark read {} frames",
        rows.len()
    );
    let ether = reg.def("Ether").expect("Ether");
    let mut errs = Vec::new();
    let (mut checked, mut compared) = (0, 0);
    for (i, row) in rows.iter().enumerate() {
        let cols: Vec<&str> = row.split('|').collect();
        let got: HashMap<&str, &str> = FIELDS.iter().copied().zip(cols.iter().copied()).collect();
        // Every checksum tshark verified is good (1); none is bad (0) or left unverified.
        // (ICMP, ICMPv6 and GRE checksums are always verified; IP, TCP and UDP on request.)
        for f in FIELDS.iter().filter(|f| f.ends_with("checksum.status")) {
            for s in got[f].split(',').filter(|s| !s.is_empty()) {
                checked += 1;
                if s != "1" {
                    errs.push(format!("frame {}: {f} = {s} ({})", i + 1, exprs[i]));
                }
            }
        }
        let want = ours(&dissect(&ether, &frames[i]));
        for (k, v) in &want {
            let theirs = got[k].split(',').next().unwrap_or("");
            if theirs.is_empty() {
                // tshark leaves fields of a fragment's unreassembled payload empty.
                continue;
            }
            compared += 1;
            let same = theirs == v || matches!((num(theirs), num(v)), (Some(a), Some(b)) if a == b);
            if !same {
                errs.push(format!(
                    "frame {}: {k}: tshark {theirs}, wirecraft {v} ({})",
                    i + 1,
                    exprs[i]
                ));
            }
        }
    }
    println!(
        "{} frames: {compared} field values compared, {checked} checksums verified",
        rows.len()
    );
    assert!(checked >= 50, "only {checked} checksums verified");
    assert!(compared >= 300, "only {compared} field values compared");
    assert!(
        errs.is_empty(),
        "{} disagreements:\n{}",
        errs.len(),
        errs.join("\n")
    );
}
