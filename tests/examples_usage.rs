//! `campaigns/examples/usage.uts` (the Usage chapter's examples that need no network) run
//! through the binary: every test passes and the transcript is UTScapy's with Scapy 2.8 on
//! the same host (`tests/data/usage_scapy_transcript.txt`, made with
//! `target/scapy-venv/bin/python -m scapy.tools.UTscapy -t campaigns/examples/usage.uts -f text`,
//! from its first `######` line on). Only the source address the host's routes pick for a
//! documentation address may differ from the recorded one, as another host's routes may.

use std::path::PathBuf;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_wirecraft");

fn is_quoted_ipv4(s: &str) -> bool {
    s.strip_prefix('\'')
        .and_then(|s| s.strip_suffix('\''))
        .is_some_and(|a| a.parse::<std::net::Ipv4Addr>().is_ok())
}

#[test]
fn usage_examples_run_as_utscapy_runs_them() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let out = std::env::temp_dir().join(format!("wirecraft-usage-{}.txt", std::process::id()));
    let status = Command::new(BIN)
        .current_dir(&root)
        .args(["-t", "campaigns/examples/usage.uts", "-f", "text", "-o"])
        .arg(&out)
        .status()
        .expect("the binary runs");
    let report = std::fs::read_to_string(&out).expect("the report");
    let _ = std::fs::remove_file(&out);
    assert!(status.success(), "usage.uts failed:\n{report}");
    let ours: Vec<&str> = report
        .lines()
        .skip_while(|l| !l.starts_with("######"))
        .collect();
    let want = std::fs::read_to_string(root.join("tests/data/usage_scapy_transcript.txt"))
        .expect("the recorded transcript");
    let theirs: Vec<&str> = want.lines().collect();
    assert_eq!(
        ours.len(),
        theirs.len(),
        "transcripts differ in length:\n{report}"
    );
    for (i, (a, b)) in ours.iter().zip(&theirs).enumerate() {
        let host_source =
            i > 0 && ours[i - 1] == ">>> a.src" && is_quoted_ipv4(a) && is_quoted_ipv4(b);
        assert!(
            a == b || host_source,
            "line {}: got {a:?}, UTScapy printed {b:?}",
            i + 1
        );
    }
}
