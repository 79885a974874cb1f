//! Layers and fields a campaign defines (issue 5's bridge): the documentation's chapter
//! "Adding new protocols" run through the binary, and its outputs checked.

use std::path::PathBuf;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_wirecraft");

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs a campaign with a text report; returns the exit code and the report.
fn run_campaign(rel: &str) -> (i32, String) {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    let report = std::env::temp_dir().join(format!(
        "wirecraft-classes-{}-{name}.txt",
        std::process::id()
    ));
    let out = Command::new(BIN)
        .args(["-t", rel, "-f", "text", "-o"])
        .arg(&report)
        .current_dir(root())
        .output()
        .expect("run wirecraft");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "panic: {stderr}");
    let text = std::fs::read_to_string(&report).expect("report");
    let _ = std::fs::remove_file(&report);
    (out.status.code().unwrap_or(-1), text)
}

#[test]
fn the_adding_protocols_chapter_runs() {
    let (code, report) = run_campaign("campaigns/examples/adding_protocols.uts");
    assert_eq!(code, 0, "a test failed:\n{report}");
    assert!(report.contains(" └ Failed=0"), "{report}");
    // The outputs the chapter is about, in Scapy 2.8's form.
    for expected in [
        // Disney
        ">>> raw(d)\nb'\\x00\\x01\\x03\\x00\\x00\\x00\\x02'\n",
        ">>> d\n<Disney  mickey=1 donald=cool |>\n",
        "###[ DisneyPacket  ]###\n  mickey    = 1\n  minnie    = 0x3\n  donald    = happy\n",
        // The variable-length quantity field and FOO
        ">>> FOO(b\"\\x05\"+b\"B\"*8)\n<FOO  len=5 data=b'BBBBB' |<Raw  load=b'BBB' |>>\n",
        ">>> FOO(b\"\\xff\\xff\"+b\"B\"*8)\n<FOO  len=2097090 data=b'BBBBBBB' |>\n",
        ">>> raw(FOO(data=b\"Hello\"))\nb'\\x05Hello'\n",
        // Foo's post_build and the Bar bindings
        "0000  00 32 30 30 0D 0A 58 58 58 58 58 58 58 58 58 58  .200..XXXXXXXXXX\n",
        ">>> p\n<Foo  type=1 |<Bar1  val=4919 |>>\n",
        "<Foo  type=2 len=64 sep=b'\\r\\n' |<Bar2  addr=127.0.0.1 |>>\n",
        // Length and count links
        "<TestFLF  the_lenfield=2 the_varfield=[65.66.67.68, 69.70.72.73] |<Raw  load=b'JKL' |>>",
        "<TestPLF2  len1=4 len2=3 plist=[<TestPkt  f1=65 f2=16964 |>, <TestPkt  f1=66 f2=16964 |>] |>",
        ">>> FieldLenField(\"the_lenfield\", None, count_of=\"the_varfield\")\n<FieldLenField ().the_lenfield>\n",
    ] {
        assert!(report.contains(expected), "missing {expected:?} in:\n{report}");
    }
}

#[test]
fn the_packet_class_selftests_pass() {
    let (code, report) = run_campaign("campaigns/selftest/packet_classes.uts");
    assert_eq!(code, 0, "a test failed:\n{report}");
    let passed = report
        .lines()
        .find_map(|l| l.strip_prefix(" └ Passed="))
        .and_then(|n| n.trim().parse::<usize>().ok())
        .unwrap_or(0);
    assert!(passed >= 60, "only {passed} unit tests:\n{report}");
}

#[test]
fn every_field_class_and_class_name_has_a_selftest() {
    let text = std::fs::read_to_string(root().join("campaigns/selftest/packet_classes.uts"))
        .expect("campaign");
    let is_word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mentions = |name: &str| {
        text.match_indices(name).any(|(i, _)| {
            let before = text[..i].chars().next_back().is_none_or(|c| !is_word(c));
            let after = text[i + name.len()..]
                .chars()
                .next()
                .is_none_or(|c| !is_word(c));
            before && after
        })
    };
    let names: Vec<&str> = wirecraft::packet::spec::FIELD_CLASSES
        .iter()
        .copied()
        .chain(["Packet", "lsc", "warning"])
        .collect();
    // The bridge installs them all (so the language's name tables skip them).
    let engine = wirecraft::lang::packets::names();
    for n in &names {
        assert!(engine.iter().any(|e| e == n), "{n} is not a session name");
    }
    let missing: Vec<&&str> = names.iter().filter(|n| !mentions(n)).collect();
    assert!(missing.is_empty(), "no selftest mentions {missing:?}");
}

#[test]
fn an_exception_in_a_hook_names_the_campaign_lines() {
    let name = format!("wirecraft-hook-tb-{}.uts", std::process::id());
    let path = std::env::temp_dir().join(&name);
    std::fs::write(
        &path,
        "% hooks\n+ set\n= raising\nclass Boom(Packet):\n    fields_desc = [ByteField(\"a\", 0)]\n    def post_build(self, p, pay):\n        raise ValueError(\"no build today\")\n\nraw(Boom())\n",
    )
    .expect("campaign");
    let (code, report) = run_campaign(path.to_str().expect("path"));
    let _ = std::fs::remove_file(&path);
    assert_eq!(code, 1, "{report}");
    let tb = format!(
        "Traceback (most recent call last):\n  File \"{p}\", line 9, in <module>\n    raw(Boom())\n  File \"{p}\", line 7, in post_build\n    raise ValueError(\"no build today\")\nValueError: no build today\n",
        p = path.display()
    );
    assert!(report.contains(&tb), "{report}");
}
