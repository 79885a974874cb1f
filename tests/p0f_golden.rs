//! `campaigns/selftest/p0f.uts` (with the installed p0f database) and `p0f_nodb.uts` (without
//! one, then with databases of its own) run through the binary: every test passes and the
//! transcript is UTScapy's on Scapy 2.8 (`tests/data/p0f*_scapy_transcript.txt`, recorded by
//! `scripts/gen-p0f-transcripts` with `PYTHONHASHSEED=0`): `p0f()`'s matches, `prnp0f`'s
//! blocks, signatures and their quirks' order, MTUs and errors, line for line. Warnings are
//! set aside on both sides (Scapy's logger thins repeated ones out by time).
//!
//! `p0f.uts` needs Debian's p0f package (`/etc/p0f/p0f.fp`, installed by
//! `scripts/setup-system`): without it its first test fails, and so does this test.

use std::path::PathBuf;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_wirecraft");

fn transcript_is_scapys(campaign: &str) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let out = std::env::temp_dir().join(format!("wirecraft-{campaign}-{}.txt", std::process::id()));
    let status = Command::new(BIN)
        .current_dir(&root)
        .args(["-t", &format!("campaigns/selftest/{campaign}.uts")])
        .args(["-f", "text", "-o"])
        .arg(&out)
        .status()
        .expect("the binary runs");
    let report = std::fs::read_to_string(&out).expect("the report");
    let _ = std::fs::remove_file(&out);
    assert!(status.success(), "{campaign}.uts failed:\n{report}");
    let ours: Vec<&str> = report
        .lines()
        .skip_while(|l| !l.starts_with("######"))
        .filter(|l| !l.starts_with("WARNING: "))
        .collect();
    let want =
        std::fs::read_to_string(root.join(format!("tests/data/{campaign}_scapy_transcript.txt")))
            .expect("the recorded transcript");
    let theirs: Vec<&str> = want.lines().collect();
    for (i, (a, b)) in ours.iter().zip(&theirs).enumerate() {
        assert_eq!(
            a,
            b,
            "{campaign}: line {}: wirecraft and UTScapy differ",
            i + 1
        );
    }
    assert_eq!(
        ours.len(),
        theirs.len(),
        "{campaign}: transcripts differ in length:\n{report}"
    );
}

#[test]
fn fingerprints_with_the_p0f_database_are_scapys() {
    transcript_is_scapys("p0f");
}

#[test]
fn fingerprints_without_a_database_and_with_crafted_ones_are_scapys() {
    transcript_is_scapys("p0f_nodb");
}

/// The text report of a campaign given on standard input, and whether all its tests passed.
fn run_stdin(campaign: &str) -> (bool, String) {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = Command::new(BIN)
        .args(["-f", "text", "-q"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(campaign.as_bytes())
        .expect("campaign written");
    let out = child.wait_with_output().expect("the run ends");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn an_unknown_module_is_reported_and_defines_nothing() {
    let (ok, report) = run_stdin("% modules\n+ load_module\n= unknown\nload_module(\"nmap\")\ntry:\n    p0f\nexcept NameError:\n    print(\"p0f is not defined\")\n\n");
    assert!(ok, "{report}");
    assert!(
        report.contains("ERROR: Loading module scapy.modules.nmap\nModuleNotFoundError: No module named 'scapy.modules.nmap' (wirecraft has: p0f)\n"),
        "{report}"
    );
    assert!(report.contains("p0f is not defined"), "{report}");
}

#[test]
fn a_malformed_database_is_warned_about_line_by_line() {
    let path = std::env::temp_dir().join(format!("wirecraft-p0f-bad-{}.fp", std::process::id()));
    std::fs::write(
        &path,
        "[tcp:request]\nlabel = s:unix:Good:1\nsig = *:abc:0:*:*,*:mss::0\nsig = *:64:0:*:*,*:mss::0\n",
    )
    .expect("database written");
    let campaign = format!(
        "% p0f\n+ database\n= malformed\nload_module(\"p0f\")\np0fdb.reload({:?})\np = IP(raw(IP(src=\"198.51.100.1\", dst=\"198.51.100.2\", ttl=64)/TCP(flags=\"S\", seq=1, options=[('MSS', 1460)])))\np0f(p)\n",
        path.display().to_string()
    );
    let (ok, report) = run_stdin(&campaign);
    let _ = std::fs::remove_file(&path);
    assert!(ok, "{report}");
    assert!(
        report.contains(&format!(
            "WARNING: p0f base {}, line 3: the initial TTL `abc` is not a number: sig = *:abc:0:*:*,*:mss::0 (skipped)\n",
            path.display()
        )),
        "{report}"
    );
    assert!(
        report.contains("(('s', 'unix', 'Good', '1'), 0, False)"),
        "{report}"
    );
}
