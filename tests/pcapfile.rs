//! Capture files: round trips through wirecraft's own reader and writer, and through the
//! tools users have (tcpdump, tshark, editcap, text2pcap), and damaged files.

use std::path::{Path, PathBuf};
use std::process::Command;

use wirecraft::pcapfile::{
    linktype, open, Error, Format, PcapWriter, Reader, Record, Timestamp, Writer,
};

fn tmpdir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("wirecraft-pcap-{}-{name}", std::process::id()));
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

/// An Ethernet/IPv4/UDP frame between lab addresses, with a marker byte.
fn frame(marker: u8) -> Vec<u8> {
    let mut f = vec![
        0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01, 0x08, 0x00, // Ethernet
        0x45, 0, 0, 29, 0, 1, 0, 0, 64, 17, 0, 0, 198, 51, 100, 1, 198, 51, 100, 2, // IPv4
        0x30, 0x39, 0x00, 0x35, 0, 9, 0, 0, // UDP 12345 > 53
    ];
    f.push(marker);
    f
}

fn records(n: u8) -> Vec<Record> {
    (0..n)
        .map(|i| {
            Record::new(
                Timestamp {
                    secs: 1_700_000_000 + i64::from(i),
                    nanos: 123_456_789 + u32::from(i),
                },
                linktype::ETHERNET,
                frame(i),
            )
        })
        .collect()
}

fn read_all(path: &Path) -> Vec<Record> {
    open(path)
        .expect("open")
        .collect::<Result<Vec<_>, _>>()
        .expect("records")
}

#[test]
fn pcap_round_trip_micro_and_nano() {
    let dir = tmpdir("roundtrip");
    for nanos in [false, true] {
        let path = dir.join(format!("r{nanos}.pcap"));
        let mut w = Writer::create(&path, linktype::ETHERNET, false, nanos).expect("create");
        for r in records(3) {
            w.write(&r).expect("write");
        }
        w.finish().expect("finish");
        let back = read_all(&path);
        assert_eq!(back.len(), 3);
        assert_eq!(back[1].data, frame(1));
        let expected_nanos = if nanos { 123_456_790 } else { 123_456_000 };
        assert_eq!(
            back[1].time,
            Timestamp {
                secs: 1_700_000_001,
                nanos: expected_nanos
            }
        );
        assert_eq!(
            open(&path).expect("open").format(),
            Format::Pcap {
                nanos,
                big_endian: false
            }
        );
    }
}

#[test]
fn pcapng_round_trip_interfaces_comments_gzip() {
    let dir = tmpdir("ng");
    let path = dir.join("mixed.pcapng.gz");
    let mut recs = records(2);
    recs[1].comment = Some("a comment".to_string());
    recs[1].interface_name = Some("veth0".to_string());
    let mut raw = Record::new(
        Timestamp { secs: 5, nanos: 1 },
        linktype::RAW,
        frame(9)[14..].to_vec(),
    );
    raw.interface_name = Some("tun0".to_string());
    recs.push(raw);
    let mut w = Writer::create(&path, linktype::ETHERNET, false, false).expect("create");
    for r in &recs {
        w.write(r).expect("write");
    }
    w.finish().expect("finish");
    let back = read_all(&path);
    assert_eq!(back.len(), 3);
    assert_eq!(back[1].comment.as_deref(), Some("a comment"));
    assert_eq!(back[1].interface_name.as_deref(), Some("veth0"));
    assert_eq!(back[2].linktype, linktype::RAW);
    assert_eq!(back[2].interface, 2);
    assert_eq!(back[0].time, recs[0].time, "nanosecond resolution kept");
    assert_eq!(back[2].data, recs[2].data);
}

#[test]
fn append_keeps_the_files_own_format() {
    let dir = tmpdir("append");
    let path = dir.join("a.pcap");
    let mut w = Writer::create(&path, linktype::ETHERNET, false, true).expect("create");
    w.write(&records(1)[0]).expect("write");
    w.finish().expect("finish");
    let mut a = PcapWriter::append(&path, linktype::RAW).expect("append");
    assert_eq!(a.linktype(), linktype::ETHERNET);
    a.write(&records(2)[1]).expect("write");
    a.finish().expect("finish");
    let back = read_all(&path);
    assert_eq!(back.len(), 2);
    assert_eq!(
        back[1].time.nanos, 123_456_790,
        "appended in nanoseconds like the file"
    );
}

#[test]
fn big_endian_pcap_is_read() {
    let mut bytes = vec![
        0xa1, 0xb2, 0xc3, 0xd4, 0, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 0, 1,
    ];
    let data = frame(7);
    for v in [10u32, 500_000, data.len() as u32, data.len() as u32] {
        bytes.extend_from_slice(&v.to_be_bytes());
    }
    bytes.extend_from_slice(&data);
    let recs: Vec<_> = Reader::new(std::io::Cursor::new(bytes))
        .expect("reader")
        .collect::<Result<_, _>>()
        .expect("ok");
    assert_eq!(recs.len(), 1);
    assert_eq!(
        recs[0].time,
        Timestamp {
            secs: 10,
            nanos: 500_000_000
        }
    );
    assert_eq!(recs[0].data, data);
}

#[test]
fn files_we_write_are_read_by_tcpdump_and_tshark() {
    let dir = tmpdir("tools-read");
    let pcap = dir.join("w.pcap");
    let mut w = Writer::create(&pcap, linktype::ETHERNET, false, false).expect("create");
    for r in records(3) {
        w.write(&r).expect("write");
    }
    w.finish().expect("finish");
    let out = Command::new(tool("tcpdump"))
        .args(["-nn", "-tt", "-r"])
        .arg(&pcap)
        .output()
        .expect("tcpdump");
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines.len(),
        3,
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        lines[0].starts_with("1700000000.123456 IP 198.51.100.1.12345 > 198.51.100.2.53"),
        "{text}"
    );

    let ng = dir.join("w.pcapng");
    let mut recs = records(2);
    recs[0].comment = Some("hello".to_string());
    let mut w = Writer::create(&ng, linktype::ETHERNET, true, false).expect("create");
    for r in &recs {
        w.write(r).expect("write");
    }
    w.finish().expect("finish");
    let out = Command::new(tool("tshark"))
        .args([
            "-n",
            "-T",
            "fields",
            "-e",
            "frame.time_epoch",
            "-e",
            "frame.len",
            "-e",
            "frame.comment",
            "-r",
        ])
        .arg(&ng)
        .output()
        .expect("tshark");
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines.len(),
        2,
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        lines[0].starts_with("1700000000.123456789\t43\thello"),
        "{text}"
    );
}

#[test]
fn files_the_tools_write_are_read() {
    let dir = tmpdir("tools-write");
    let ours = dir.join("ours.pcap");
    let mut w = Writer::create(&ours, linktype::ETHERNET, false, false).expect("create");
    for r in records(4) {
        w.write(&r).expect("write");
    }
    w.finish().expect("finish");
    // tcpdump rewrites it in nanoseconds, editcap as pcapng: their writers, our reader.
    let tcpdump_out = dir.join("tcpdump.pcap");
    let st = Command::new(tool("tcpdump"))
        .args(["--time-stamp-precision=nano", "-r"])
        .arg(&ours)
        .arg("-w")
        .arg(&tcpdump_out)
        .status()
        .expect("tcpdump");
    assert!(st.success());
    let back = read_all(&tcpdump_out);
    assert_eq!(back.len(), 4);
    assert_eq!(back[3].data, frame(3));
    assert_eq!(
        back[3].time,
        Timestamp {
            secs: 1_700_000_003,
            nanos: 123_456_000
        }
    );

    let ng = dir.join("editcap.pcapng");
    let st = Command::new(tool("editcap"))
        .args(["-F", "pcapng"])
        .arg(&ours)
        .arg(&ng)
        .status()
        .expect("editcap");
    assert!(st.success());
    let back = read_all(&ng);
    assert_eq!(open(&ng).expect("open").format(), Format::PcapNg);
    assert_eq!(back.len(), 4);
    assert_eq!(back[2].data, frame(2));
    assert_eq!(back[2].time.secs, 1_700_000_002);

    // text2pcap: raw IPv4 link type, from a hex dump.
    let hex = dir.join("dump.txt");
    std::fs::write(
        &hex,
        "0000  45 00 00 14 00 01 00 00 40 01 00 00 c6 33 64 01\n0010  c6 33 64 02\n",
    )
    .expect("hex");
    let raw = dir.join("raw.pcapng");
    let st = Command::new(tool("text2pcap"))
        .args(["-q", "-l", "101"])
        .arg(&hex)
        .arg(&raw)
        .status()
        .expect("text2pcap");
    assert!(st.success());
    let back = read_all(&raw);
    assert_eq!(back.len(), 1);
    assert_eq!(back[0].linktype, linktype::RAW);
    assert_eq!(back[0].data.len(), 20);
}

fn read_bytes(bytes: Vec<u8>) -> (usize, Option<Error>) {
    match Reader::new(std::io::Cursor::new(bytes)) {
        Err(e) => (0, Some(e)),
        Ok(r) => {
            let mut n = 0;
            for item in r {
                match item {
                    Ok(_) => n += 1,
                    Err(e) => return (n, Some(e)),
                }
            }
            (n, None)
        }
    }
}

fn pcap_bytes(n: u8) -> Vec<u8> {
    let dir = tmpdir(&format!("bytes{n}"));
    let path = dir.join("x.pcap");
    let mut w = Writer::create(&path, linktype::ETHERNET, false, false).expect("create");
    for r in records(n) {
        w.write(&r).expect("write");
    }
    w.finish().expect("finish");
    std::fs::read(path).expect("read")
}

#[test]
fn damaged_files_give_the_records_before_the_damage() {
    let good = pcap_bytes(3);
    // Truncated inside the last record.
    let (n, e) = read_bytes(good[..good.len() - 5].to_vec());
    assert_eq!(n, 2);
    assert!(matches!(e, Some(Error::Truncated { records: 2 })), "{e:?}");
    // Wrong magic.
    let mut bad = good.clone();
    bad[0] = 0x00;
    let (_, e) = read_bytes(bad);
    assert!(e.is_some_and(|e| e.to_string().starts_with("not a pcap or pcapng file")));
    // A record that says it is longer than what follows (snaplen lies).
    let mut lie = good.clone();
    let second = 24 + 16 + 43;
    lie[second + 8..second + 12].copy_from_slice(&5000u32.to_le_bytes());
    let (n, e) = read_bytes(lie);
    assert_eq!(n, 1);
    assert!(matches!(e, Some(Error::Truncated { .. })), "{e:?}");
    // A record length of 4 GB: refused without allocating it.
    let mut huge = good.clone();
    huge[24 + 8..24 + 12].copy_from_slice(&u32::MAX.to_le_bytes());
    let (n, e) = read_bytes(huge);
    assert_eq!(n, 0);
    assert!(
        matches!(
            e,
            Some(Error::TooLarge {
                claimed: 4_294_967_295,
                ..
            })
        ),
        "{e:?}"
    );
    // Empty and tiny files.
    assert!(matches!(read_bytes(Vec::new()).1, Some(Error::Empty)));
    assert!(matches!(
        read_bytes(vec![0xd4, 0xc3]).1,
        Some(Error::Truncated { records: 0 })
    ));
    assert!(matches!(
        read_bytes(good[..30].to_vec()),
        (0, Some(Error::Truncated { records: 0 }))
    ));
}

#[test]
fn garbage_never_panics() {
    // Every prefix of a pcapng file, and seeded random mutations of it.
    let dir = tmpdir("garbage");
    let path = dir.join("g.pcapng");
    let mut recs = records(3);
    recs[0].comment = Some("c".to_string());
    let mut w = Writer::create(&path, linktype::ETHERNET, true, false).expect("create");
    for r in &recs {
        w.write(r).expect("write");
    }
    w.finish().expect("finish");
    let good = std::fs::read(&path).expect("read");
    let (n, e) = read_bytes(good.clone());
    assert!(n == 3 && e.is_none(), "{e:?}");
    for cut in 0..good.len() {
        let _ = read_bytes(good[..cut].to_vec());
    }
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    for _ in 0..3000 {
        let mut bytes = good.clone();
        for _ in 0..4 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let at = (seed as usize) % bytes.len();
            bytes[at] = (seed >> 32) as u8;
        }
        let _ = read_bytes(bytes);
    }
}

#[test]
fn bpf_filters_select_as_tcpdump_does() {
    use wirecraft::pcapfile::Filters;
    let dir = tmpdir("bpf");
    let path = dir.join("mix.pcapng");
    let mut recs = records(3);
    // One TCP frame among the UDP ones, and a raw-IP (link type 101) UDP frame.
    recs[1].data[14 + 9] = 6;
    let raw = Record::new(
        Timestamp { secs: 9, nanos: 0 },
        linktype::RAW,
        frame(4)[14..].to_vec(),
    );
    recs.push(raw);
    let mut w = Writer::create(&path, linktype::ETHERNET, true, false).expect("create");
    for r in &recs {
        w.write(r).expect("write");
    }
    w.finish().expect("finish");
    let mut udp = Filters::new("udp port 53").expect("compiles");
    let kept: Vec<bool> = read_all(&path)
        .iter()
        .map(|r| udp.matches(r).expect("applies"))
        .collect();
    assert_eq!(kept, [true, false, true, true]);
    let mut tcp = Filters::new("tcp").expect("compiles");
    let n = read_all(&path)
        .iter()
        .filter(|r| tcp.matches(r).expect("applies"))
        .count();
    assert_eq!(n, 1);
    // The same selection as tcpdump's on the Ethernet part.
    let eth = dir.join("eth.pcap");
    let mut w = Writer::create(&eth, linktype::ETHERNET, false, false).expect("create");
    for r in &recs[..3] {
        w.write(r).expect("write");
    }
    w.finish().expect("finish");
    let out = Command::new(tool("tcpdump"))
        .args(["-nn", "-r"])
        .arg(&eth)
        .arg("udp port 53")
        .output()
        .expect("tcpdump");
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 2);
    let err = Filters::new("udp portt 53")
        .err()
        .expect("a typo is an error");
    assert!(err.starts_with("bad BPF filter 'udp portt 53'"), "{err}");
}
