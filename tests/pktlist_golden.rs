//! `campaigns/selftest/pktlist.uts` (packet lists, their views, capture files) run through
//! the binary: every test passes and the transcript is UTScapy's on Scapy 2.8
//! (`tests/data/pktlist_scapy_transcript.txt`, recorded by `scripts/gen-pktlist-transcript`):
//! summary, nsummary, show, hexdump, hexraw, padding, nzpadding, make_table,
//! make_lined_table, make_tex_table, sessions and the conversations dot text, of packet lists
//! and of (sent, received) lists, line for line. Both run with TZ=UTC (hexdump headers show
//! the time of day).

use std::path::PathBuf;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_wirecraft");

#[test]
fn packet_list_views_are_scapys() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let out = std::env::temp_dir().join(format!("wirecraft-pktlist-{}.txt", std::process::id()));
    let status = Command::new(BIN)
        .current_dir(&root)
        .env("TZ", "UTC")
        .args(["-t", "campaigns/selftest/pktlist.uts", "-f", "text", "-o"])
        .arg(&out)
        .status()
        .expect("the binary runs");
    let report = std::fs::read_to_string(&out).expect("the report");
    let _ = std::fs::remove_file(&out);
    assert!(status.success(), "pktlist.uts failed:\n{report}");
    let ours: Vec<&str> = report
        .lines()
        .skip_while(|l| !l.starts_with("######"))
        .collect();
    let want = std::fs::read_to_string(root.join("tests/data/pktlist_scapy_transcript.txt"))
        .expect("the recorded transcript");
    let theirs: Vec<&str> = want.lines().collect();
    for (i, (a, b)) in ours.iter().zip(&theirs).enumerate() {
        assert_eq!(a, b, "line {}: wirecraft and UTScapy differ", i + 1);
    }
    assert_eq!(
        ours.len(),
        theirs.len(),
        "transcripts differ in length:\n{report}"
    );
}
