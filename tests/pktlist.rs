//! Capture files and packet lists through the language: round trips with tcpdump, tshark,
//! editcap and text2pcap for every link type, damaged files, plots, rendered conversation
//! graphs, and the hand-off to `conf.prog.wireshark` / `conf.prog.tcpdump`.

mod lang_support;
use lang_support::*;

use std::path::{Path, PathBuf};
use std::process::Command;

use wirecraft::lang::Outcome;
use wirecraft::pcapfile::{self, linktype, Record};

fn tmpdir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("wirecraft-pktlist-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("tmpdir");
    dir
}

fn tool(name: &str) -> PathBuf {
    for dir in ["/usr/bin", "/usr/sbin", "/usr/local/bin"] {
        let p = Path::new(dir).join(name);
        if p.is_file() {
            return p;
        }
    }
    panic!("{name} is not installed: run scripts/setup-system as root");
}

fn run_tool(name: &str, args: &[&str]) -> String {
    let out = Command::new(tool(name))
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{name} runs: {e}"));
    assert!(
        out.status.success(),
        "{name} {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Runs a snippet; it must not raise.
fn ok(src: &str) -> String {
    let (t, o) = run(src);
    assert!(!matches!(o, Outcome::Raised(_)), "raised:\n{t}");
    t
}

fn records(path: &Path) -> Vec<Record> {
    pcapfile::open(path)
        .expect("open")
        .collect::<Result<Vec<_>, _>>()
        .expect("records")
}

/// A packet of each link type the language writes, with the link type it must get and what
/// tcpdump prints of it.
const LINK_TYPES: &[(&str, &str, u32, &str)] = &[
    (
        "ether",
        r#"Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")/IP(src="198.51.100.1", dst="198.51.100.2")/TCP(sport=1234, dport=80, flags="S")/Raw(b"hi")"#,
        linktype::ETHERNET,
        "198.51.100.1.1234 > 198.51.100.2.80",
    ),
    (
        "ipv4",
        r#"IP(src="198.51.100.1", dst="198.51.100.2")/UDP(sport=5353, dport=53)/Raw(b"q")"#,
        linktype::IPV4,
        "198.51.100.1.5353 > 198.51.100.2.53",
    ),
    (
        "ipv6",
        r#"IPv6(src="2001:db8::1", dst="2001:db8::2")/UDP(sport=1000, dport=2000)/Raw(b"v6")"#,
        linktype::IPV6,
        "2001:db8::1.1000 > 2001:db8::2.2000",
    ),
    (
        "sll",
        r#"CookedLinux(pkttype=0, lladdrtype=1, lladdrlen=6, src=b"\x02\x00\x00\x00\x00\x01\x00\x00")/IP(src="198.51.100.1", dst="198.51.100.2")/ICMP()"#,
        linktype::LINUX_SLL,
        "198.51.100.1 > 198.51.100.2: ICMP echo request",
    ),
    (
        "sll2",
        r#"CookedLinuxV2(proto=0x0800, ifindex=2, pkttype=0, lladdrtype=1, lladdrlen=6)/IP(src="198.51.100.1", dst="198.51.100.2")/ICMP()"#,
        linktype::LINUX_SLL2,
        "198.51.100.1 > 198.51.100.2: ICMP echo request",
    ),
    (
        "null",
        r#"Loopback(type=2)/IP(src="198.51.100.1", dst="198.51.100.2")/ICMP()"#,
        linktype::NULL,
        "198.51.100.1 > 198.51.100.2: ICMP echo request",
    ),
];

#[test]
fn files_the_language_writes_are_read_by_tcpdump_and_tshark() {
    let dir = tmpdir("write");
    for (name, expr, lt, tcpdump_says) in LINK_TYPES {
        for nano in [false, true] {
            let path = dir.join(format!("{name}-{nano}.pcap"));
            let src = format!(
                "p = {expr}\np.time = 1700000000.123456789\nq = p.copy()\nq.time = 1700000001.5\nwrpcap({:?}, [p, q], nano={})\nbytes(p).hex()",
                path.display(),
                if nano { "True" } else { "False" }
            );
            let t = ok(&src);
            let hex = t
                .lines()
                .last()
                .expect("hex")
                .trim_matches('\'')
                .to_string();
            let recs = records(&path);
            assert_eq!(recs.len(), 2);
            assert_eq!(recs[0].linktype, *lt, "{name}");
            let data: String = recs[0].data.iter().map(|b| format!("{b:02x}")).collect();
            assert_eq!(data, hex, "{name}: the bytes written");
            // tcpdump: the same packets, at the same times.
            let td = run_tool(
                "tcpdump",
                &["-r", path.to_str().expect("path"), "-nn", "-tt"],
            );
            let lines: Vec<&str> = td.lines().collect();
            assert_eq!(lines.len(), 2, "{name}: {td}");
            // (tcpdump prints microseconds; tshark below checks the nanoseconds.)
            assert!(lines[0].starts_with("1700000000.123456 "), "{name}: {td}");
            assert!(lines[1].starts_with("1700000001.5"), "{name}: {td}");
            assert!(lines[0].contains(tcpdump_says), "{name}: {td}");
            // tshark: the same lengths and times.
            let ts = run_tool(
                "tshark",
                &[
                    "-r",
                    path.to_str().expect("path"),
                    "-T",
                    "fields",
                    "-e",
                    "frame.time_epoch",
                    "-e",
                    "frame.len",
                ],
            );
            let first: Vec<&str> = ts.lines().next().expect("a line").split('\t').collect();
            // A float of 1.7e9 seconds holds the time to a quarter of a microsecond: the
            // nearest nanosecond of the float is what is written.
            let want_epoch = if nano {
                "1700000000.123456717"
            } else {
                "1700000000.123456000"
            };
            assert_eq!(first[0], want_epoch, "{name}: {ts}");
            assert_eq!(first[1], (hex.len() / 2).to_string(), "{name}: {ts}");
        }
    }
}

#[test]
fn files_the_tools_write_are_read_with_the_same_packets() {
    let dir = tmpdir("read");
    for (name, expr, _, _) in LINK_TYPES {
        let ours = dir.join(format!("{name}.pcap"));
        let by_tcpdump = dir.join(format!("{name}-tcpdump.pcap"));
        let by_editcap = dir.join(format!("{name}-editcap.pcapng"));
        ok(&format!(
            "p = {expr}\np.time = 1700000000.25\nwrpcap({:?}, [p, p])",
            ours.display()
        ));
        let ours_s = ours.to_str().expect("path");
        run_tool(
            "tcpdump",
            &["-r", ours_s, "-w", by_tcpdump.to_str().expect("path")],
        );
        run_tool(
            "editcap",
            &["-F", "pcapng", ours_s, by_editcap.to_str().expect("path")],
        );
        for file in [&by_tcpdump, &by_editcap] {
            let t = ok(&format!(
                "p = {expr}\nr = rdpcap({:?})\nlen(r), bytes(r[0]) == bytes(p), r[1].time, r[0].summary() == p.summary()",
                file.display()
            ));
            assert!(
                t.contains("(2, True, 1700000000.25, True)"),
                "{name} from {}:\n{t}",
                file.display()
            );
        }
    }
}

#[test]
fn wireless_frames_are_dissected_by_link_type() {
    // 802.11 frames come back as Dot11, Radiotap ones as RadioTap (Scapy 2.8's summaries),
    // and are written back with their link type and bytes.
    let dir = tmpdir("wlan");
    let frame = "0000  08 00 00 00 ff ff ff ff ff ff 02 00 00 00 00 01\n0010  02 00 00 00 00 01 00 00 aa aa 03 00 00 00 08 00\n";
    let radiotap = "0000  00 00 08 00 00 00 00 00 08 00 00 00 ff ff ff ff\n0010  ff ff 02 00 00 00 00 01 02 00 00 00 00 01 00 00\n0020  aa aa 03 00 00 00 08 00\n";
    let dot11 =
        "802.11 Data Data 02:00:00:00:00:01 (TA=SA) > ff:ff:ff:ff:ff:ff (RA=DA) / LLC / SNAP";
    for (lt, text, summary, len) in [
        (linktype::IEEE802_11, frame, dot11.to_string(), 32),
        (
            linktype::IEEE802_11_RADIOTAP,
            radiotap,
            format!("RadioTap / {dot11}"),
            40,
        ),
    ] {
        let hex = dir.join("frame.txt");
        std::fs::write(&hex, text).expect("write");
        let file = dir.join(format!("wlan{lt}.pcap"));
        run_tool(
            "text2pcap",
            &[
                "-q",
                "-l",
                &lt.to_string(),
                hex.to_str().expect("p"),
                file.to_str().expect("p"),
            ],
        );
        let back = dir.join(format!("back{lt}.pcap"));
        let t = ok(&format!(
            "r = rdpcap({:?})\nr[0].summary(), len(bytes(r[0]))\nwrpcap({:?}, r)",
            file.display(),
            back.display()
        ));
        assert!(t.contains(&format!("('{summary}', {len})")), "{t}");
        let recs = records(&back);
        assert_eq!(recs[0].linktype, lt);
        assert_eq!(recs[0].data, records(&file)[0].data);
    }
}

/// A classic pcap header and records (little-endian, microseconds, Ethernet).
fn pcap_with(records: &[(u32, Vec<u8>)]) -> Vec<u8> {
    let mut f = vec![0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0];
    f.extend_from_slice(&[0; 8]);
    f.extend_from_slice(&64u32.to_le_bytes()); // snaplen 64
    f.extend_from_slice(&1u32.to_le_bytes());
    for (caplen, data) in records {
        f.extend_from_slice(&1_700_000_000u32.to_le_bytes());
        f.extend_from_slice(&0u32.to_le_bytes());
        f.extend_from_slice(&caplen.to_le_bytes());
        f.extend_from_slice(&(data.len() as u32).to_le_bytes());
        f.extend_from_slice(data);
    }
    f
}

fn frame() -> Vec<u8> {
    let mut f = vec![2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 8, 0];
    f.extend_from_slice(&[
        0x45, 0, 0, 20, 0, 1, 0, 0, 64, 59, 0, 0, 198, 51, 100, 1, 198, 51, 100, 2,
    ]);
    f
}

#[test]
fn damaged_files_give_the_packets_before_the_damage() {
    let dir = tmpdir("damage");
    let good = frame();
    let big: Vec<u8> = (0..200u8).collect();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        // A record cut short: the one before it.
        (
            "truncated",
            {
                let mut f = pcap_with(&[
                    (good.len() as u32, good.clone()),
                    (good.len() as u32, good.clone()),
                ]);
                f.truncate(f.len() - 5);
                f
            },
            "1 truncated",
        ),
        // A record that claims 4 GB: the one before it, and nothing allocated for it.
        (
            "huge",
            {
                let mut f = pcap_with(&[(good.len() as u32, good.clone())]);
                f.extend_from_slice(&[0; 8]);
                f.extend_from_slice(&u32::MAX.to_le_bytes());
                f.extend_from_slice(&u32::MAX.to_le_bytes());
                f.extend_from_slice(&good);
                f
            },
            "1 4294967295",
        ),
        // Records longer than the header's snaplen are believed (tcpdump reads them too).
        (
            "snaplen",
            pcap_with(&[(200, big.clone()), (good.len() as u32, good.clone())]),
            "2 ok",
        ),
        // A header cut short.
        ("header", pcap_with(&[])[..10].to_vec(), "0 truncated"),
    ];
    for (name, bytes, want) in cases {
        let path = dir.join(format!("{name}.pcap"));
        std::fs::write(&path, &bytes).expect("write");
        let (count, what) = want.split_once(' ').expect("want");
        let src = format!(
            "r = rdpcap({p:?})\nlen(r)\ns = sniff(offline={p:?})\nlen(s)\nn = 0\nfor x in PcapReader({p:?}): n += 1\n\nn",
            p = path.display()
        );
        let (t, o) = run(&src);
        if name == "header" {
            assert!(t.contains("Scapy_Exception"), "{name}: {t}");
            continue;
        }
        assert!(!matches!(o, Outcome::Raised(_)), "{name} raised:\n{t}");
        let counts: Vec<&str> = t
            .lines()
            .filter(|l| !l.starts_with(">>>") && !l.starts_with("...") && !l.starts_with("WARNING"))
            .collect();
        assert_eq!(counts, [count, count, count], "{name}:\n{t}");
        if what != "ok" {
            assert!(
                t.contains("WARNING") && t.contains(what),
                "{name} says why:\n{t}"
            );
        }
    }
    for (name, bytes, exc) in [
        (
            "magic",
            b"GIF89a not a capture at all".to_vec(),
            "Scapy_Exception: Not a supported capture file",
        ),
        (
            "empty",
            Vec::new(),
            "Scapy_Exception: No data could be read!",
        ),
    ] {
        let path = dir.join(format!("{name}.pcap"));
        std::fs::write(&path, &bytes).expect("write");
        for call in ["rdpcap", "PcapReader", "sniff(offline="] {
            let src = if call.ends_with('=') {
                format!("{call}{:?})", path.display())
            } else {
                format!("{call}({:?})", path.display())
            };
            let (t, o) = run(&src);
            assert!(matches!(o, Outcome::Raised(_)), "{name}/{call}: {t}");
            assert!(t.contains(exc), "{name}/{call}: {t}");
        }
    }
}

#[test]
fn nanosecond_captures_round_trip_exactly() {
    let dir = tmpdir("nano");
    let a = dir.join("a.pcap");
    let b = dir.join("b.pcap");
    ok(&format!(
        "p = Ether(src='02:00:00:00:00:01', dst='02:00:00:00:00:02')/IP(src='198.51.100.1', dst='198.51.100.2')\nl = []\nfor i in range(5):\n    q = p.copy()\n    q.time = 1700000000 + i / 7\n    l.append(q)\n\nwrpcap({:?}, l, nano=True)\nwrpcap({:?}, rdpcap({:?}), nano=True)",
        a.display(),
        b.display(),
        a.display()
    ));
    assert_eq!(std::fs::read(&a).expect("a"), std::fs::read(&b).expect("b"));
}

/// Counts the connected groups of pixels of one colour.
fn blobs(img: &image::RgbImage, colour: [u8; 3]) -> usize {
    let (w, h) = img.dimensions();
    let mut seen = vec![false; (w * h) as usize];
    let mut count = 0;
    for start in 0..w * h {
        let at = |i: u32| img.get_pixel(i % w, i / w).0 == colour;
        if seen[start as usize] || !at(start) {
            continue;
        }
        count += 1;
        let mut stack = vec![start];
        seen[start as usize] = true;
        while let Some(i) = stack.pop() {
            let (x, y) = (i % w, i / w);
            let mut push = |nx: u32, ny: u32| {
                let j = ny * w + nx;
                if !seen[j as usize] && at(j) {
                    seen[j as usize] = true;
                    stack.push(j);
                }
            };
            if x > 0 {
                push(x - 1, y);
            }
            if x + 1 < w {
                push(x + 1, y);
            }
            if y > 0 {
                push(x, y - 1);
            }
            if y + 1 < h {
                push(x, y + 1);
            }
        }
    }
    count
}

#[test]
fn plot_writes_one_mark_per_point() {
    let dir = tmpdir("plot");
    let png = dir.join("len.png");
    let svg = dir.join("len.svg");
    let xy = dir.join("xy.png");
    ok(&format!(
        "l = PacketList([IP(dst='198.51.100.1')/Raw(b'x' * (n * 40)) for n in [1, 5, 2, 9, 4, 7]])\nl.plot(lambda p: len(p), target={:?})\nl.plot(lambda p: len(p), lfilter=lambda p: len(p) > 100, target={:?})\nl.plot(lambda p: (len(p) % 7, len(p)), plot_xy=True, target={:?})",
        png.display(),
        svg.display(),
        xy.display()
    ));
    let img = image::open(&png).expect("a PNG").to_rgb8();
    let mark = wirecraft::results::plot::MARK;
    assert_eq!(blobs(&img, [mark.0, mark.1, mark.2]), 6);
    let img = image::open(&xy).expect("a PNG").to_rgb8();
    assert_eq!(blobs(&img, [mark.0, mark.1, mark.2]), 6);
    let text = std::fs::read_to_string(&svg).expect("an SVG");
    let doc = roxmltree::Document::parse(&text).expect("valid SVG");
    let circles = doc
        .descendants()
        .filter(|n| n.has_tag_name("circle"))
        .count();
    assert_eq!(circles, 4, "lengths over 100: 4 packets");
    // Pairs: the callback takes both packets.
    let pairs = dir.join("pairs.svg");
    ok(&format!(
        "a = SndRcvList([(IP(dst='198.51.100.1')/TCP(), IP(src='198.51.100.1')/TCP(flags='SA'))] * 3)\na.plot(lambda s, r: r[TCP].flags, target={:?})",
        pairs.display()
    ));
    let text = std::fs::read_to_string(&pairs).expect("an SVG");
    assert_eq!(text.matches("<circle").count(), 3);
    // Bad values are errors, not panics.
    let (t, o) = run("PacketList([IP()]).plot(lambda p: 'x', target='/tmp/never.png')");
    assert!(
        matches!(o, Outcome::Raised(_)) && t.contains("TypeError"),
        "{t}"
    );
}

#[test]
fn conversations_render_with_dot() {
    let dir = tmpdir("dot");
    let svg = dir.join("conv.svg");
    let png = dir.join("conv.png");
    ok(&format!(
        "l = PacketList([IP(src='198.51.100.1', dst='198.51.100.2'), IP(src='198.51.100.2', dst='198.51.100.1'), IP(src='198.51.100.1', dst='198.51.100.2')])\nl.conversations(type='svg', target={:?})\nl.conversations(type='png', target='> {}')",
        svg.display(),
        png.display()
    ));
    let text = std::fs::read_to_string(&svg).expect("the SVG");
    let opts = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..Default::default()
    };
    let doc = roxmltree::Document::parse_with_options(&text, opts).expect("valid SVG");
    let titles: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("title"))
        .filter_map(|n| n.text())
        .collect();
    assert!(
        titles.contains(&"198.51.100.1&#45;&gt;198.51.100.2")
            || titles.contains(&"198.51.100.1->198.51.100.2"),
        "{titles:?}"
    );
    let head = std::fs::read(&png).expect("the PNG");
    assert!(head.starts_with(b"\x89PNG\r\n\x1a\n"));
    // Without a target the graph goes to conf.prog.display.
    let (stand_in, log) = stand_in(&dir);
    ok(&format!(
        "conf.prog.display = {:?}\nPacketList([IP(src='198.51.100.1', dst='198.51.100.2')]).conversations()",
        stand_in.display()
    ));
    let seen = wait_for(&log);
    assert!(seen.contains(".svg"), "{seen}");
}

/// A stand-in program that records its arguments and copies the file it was given.
fn stand_in(dir: &Path) -> (PathBuf, PathBuf) {
    let script = dir.join("stand-in.sh");
    let log = dir.join("stand-in.log");
    let copy = dir.join("stand-in.copy");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nfor a in \"$@\"; do if [ -f \"$a\" ]; then cp \"$a\" {copy}; fi; done\necho \"$@\" >> {log}.tmp && mv {log}.tmp {log}\necho stand-in saw \"$@\"\n",
            copy = copy.display(),
            log = log.display()
        ),
    )
    .expect("script");
    Command::new("chmod")
        .arg("+x")
        .arg(&script)
        .status()
        .expect("chmod");
    (script, log)
}

/// The log a program started in the background writes (it finishes in well under the
/// bound; the loop only keeps a slow machine from failing).
fn wait_for(log: &Path) -> String {
    for _ in 0..600 {
        if let Ok(s) = std::fs::read_to_string(log) {
            return s;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!("{} never appeared", log.display());
}

#[test]
fn wireshark_and_tcpdump_get_a_capture_of_the_packets() {
    let dir = tmpdir("prog");
    let (script, log) = stand_in(&dir);
    let copy = dir.join("stand-in.copy");
    let t = ok(&format!(
        "conf.prog.wireshark = {s:?}\nconf.prog.tcpdump = {s:?}\npkts = [Ether(src='02:00:00:00:00:01', dst='02:00:00:00:00:02')/IP(src='198.51.100.1', dst='198.51.100.2')/UDP(dport=n) for n in (1, 2, 3)]\nwireshark(pkts, wait=True)",
        s = script.display()
    ));
    assert!(!t.contains("Traceback"), "{t}");
    let args = std::fs::read_to_string(&log).expect("the stand-in ran");
    assert!(args.starts_with("-r "), "{args}");
    let recs = records(&copy);
    assert_eq!(recs.len(), 3);
    assert_eq!(recs[2].data[37], 3, "the third packet's UDP port");
    let _ = std::fs::remove_file(&log);
    let t = ok(&format!(
        "conf.prog.tcpdump = {s:?}\ntcpdump([IP(src='198.51.100.1', dst='198.51.100.2')/ICMP()], args=['-n', '-v'])\ntcpdump(IP()/ICMP(), dump=True)[:13]",
        s = script.display()
    ));
    assert!(t.contains("stand-in saw -r "), "{t}");
    assert!(t.contains("-n -v"), "{t}");
    assert!(t.contains("b'stand-in saw '"), "{t}");
    assert_eq!(records(&copy).len(), 1);
    // The real tcpdump, as conf.prog has it by default.
    let t = ok("tcpdump([Ether(src='02:00:00:00:00:01', dst='02:00:00:00:00:02')/IP(src='198.51.100.1', dst='198.51.100.2')/TCP(sport=1234, dport=80)], args=['-nn'])");
    assert!(t.contains("198.51.100.1.1234 > 198.51.100.2.80"), "{t}");
}

#[test]
fn packets_carry_their_capture_attributes() {
    let t = ok("p = IP()\nimport time\nabs(p.time - time.time()) < 60\np.time = 12.5\np.copy().time, (p/ICMP()).time\nr = PacketList([p])[0]\nr.sniffed_on, r.wirelen, r.comment\nr.comment = b'note'\nr.comment");
    assert!(t.contains("\nTrue\n"), "{t}");
    assert!(t.contains("(12.5, 12.5)"), "{t}");
    assert!(t.contains("(None, None, None)"), "{t}");
    assert!(t.contains("b'note'"), "{t}");
    // pcapng keeps comments and interface names.
    let dir = tmpdir("ng");
    let f = dir.join("c.pcapng");
    let t = ok(&format!(
        "p = Ether(src='02:00:00:00:00:01', dst='02:00:00:00:00:02')/IP(src='198.51.100.1', dst='198.51.100.2')\np.comment = b'hello'\np.sniffed_on = 'lab0'\nwrpcapng({f:?}, [p])\nq = rdpcap({f:?})[0]\nq.comment, q.wirelen, type(PcapReader({f:?})).__name__",
        f = f.display()
    ));
    assert!(t.contains("(b'hello', 34, 'PcapNgReader')"), "{t}");
    let ts = run_tool(
        "tshark",
        &[
            "-r",
            f.to_str().expect("p"),
            "-T",
            "fields",
            "-e",
            "frame.comment",
            "-e",
            "frame.interface_name",
        ],
    );
    assert_eq!(ts.trim(), "hello\tlab0");
}
