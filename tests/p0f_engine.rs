//! `wirecraft::p0f` over the engine's packets: signatures read from dissected frames (the
//! documentation's Linux SYN, Ethernet padding, truncated frames, non-TCP packets) and
//! matched against a small database, with no language in between.

use wirecraft::p0f::database::KnowledgeBase;
use wirecraft::p0f::matching::tcp_find_match;
use wirecraft::p0f::signature::{Direction, Headers, NotFingerprintable};
use wirecraft::packet::{dissect, Registry};

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
        .collect()
}

/// The documentation's SYN (`p` in 3.2.12), as Scapy 2.8 builds it.
const DOC_SYN: &str = "00104bb37d4e004033967b600800\
    4500003cf0f140004006b86ec0a8080ac0a80801\
    b5af0050789d2ad800000000a0c216d0590a0000\
    080a1470da2900000000020405b4010402030300";

fn frame(bytes: &[u8]) -> wirecraft::packet::Packet {
    let reg = Registry::with_builtins();
    dissect(&reg.get("Ether").expect("Ether"), bytes)
}

#[test]
fn the_documentations_syn() {
    let p = frame(&hex(DOC_SYN));
    let (sig, dir) = Headers::of_packet(&p)
        .expect("TCP/IP")
        .signature()
        .expect("a SYN");
    assert_eq!(dir, Direction::Request);
    assert_eq!(
        sig.to_string(),
        "4:64+0:0:1460:5840,0:ts,mss,nop,sok,ws:df,id+,ecn:0"
    );
    let kb = KnowledgeBase::parse(
        "[tcp:request]\nlabel = s:unix:Linux:2.4 (ECN)\nsig = 4:64:0:*:mss*4,0:ts,mss,nop,sok,ws:df,id+,ecn:0\n",
    )
    .base;
    let m = tcp_find_match(&kb, &sig, dir).expect("a match");
    assert_eq!(
        (m.label.flavor.as_str(), m.dist, m.fuzzy),
        ("2.4 (ECN)", 0, false)
    );
}

#[test]
fn padding_is_read_as_scapy_reads_it() {
    // The SYN without options, padded to Ethernet's 60 bytes: the padding is data.
    let mut b = hex(DOC_SYN);
    b.truncate(14 + 40);
    b[14 + 3] = 40; // IP total length
    b[14 + 20 + 12] = 0x50; // data offset 5
    b.extend_from_slice(&[1, 2, 3, 4, 5, 6]);
    let (sig, _) = Headers::of_packet(&frame(&b))
        .expect("TCP/IP")
        .signature()
        .expect("a SYN");
    assert!(sig.pay_class);
    assert!(sig.quirks.text().ends_with("bad"), "{sig}");
}

#[test]
fn truncated_and_foreign_packets() {
    let b = hex(DOC_SYN);
    for n in [0, 14, 20, 34, 14 + 39] {
        assert_eq!(
            Headers::of_packet(&frame(&b[..n])).err(),
            Some(NotFingerprintable::NotTcpIp),
            "{n} bytes"
        );
    }
    // Cut inside the options: read as far as it goes.
    assert!(Headers::of_packet(&frame(&b[..14 + 44])).is_ok());
    // An ACK is TCP/IP but not fingerprintable.
    let mut ack = b.clone();
    ack[14 + 20 + 13] = 0x10;
    assert_eq!(
        Headers::of_packet(&frame(&ack))
            .and_then(|h| h.signature())
            .err(),
        Some(NotFingerprintable::NotSyn)
    );
}
