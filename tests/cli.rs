//! The `wirecraft` command end to end: the documentation's demo campaign, selection, every
//! option, timeouts, Ctrl-C and malformed input, each against its expected output.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_wirecraft");

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn examples() -> PathBuf {
    root().join("campaigns/examples")
}

fn fixtures() -> PathBuf {
    root().join("tests/fixtures")
}

fn vectors() -> PathBuf {
    root().join("../shared/vectors")
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run_in(dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> Run {
    let mut child = Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn wirecraft");
    {
        let mut pipe = child.stdin.take().expect("stdin");
        if let Some(data) = stdin {
            pipe.write_all(data).expect("write stdin");
        }
    }
    let out = child.wait_with_output().expect("wait");
    let run = Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    assert!(!run.stderr.contains("panicked"), "panic: {}", run.stderr);
    run
}

fn demo(args: &[&str]) -> Run {
    let mut all = vec!["-t", "demo_campaign.uts"];
    all.extend_from_slice(args);
    run_in(&examples(), &all, None)
}

fn tmpdir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("wirecraft-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("tmpdir");
    dir
}

/// Test numbers and names from the progress lines (`passed 5F1BA2FD 000.00s Unit Test 1`).
fn progress(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter(|l| {
            l.starts_with("passed ") || l.starts_with("failed ") || l.contains("interrupted ")
        })
        .map(|l| {
            let mut parts = l.split_whitespace();
            let status = parts.next().unwrap_or_default().to_string();
            let rest: Vec<&str> = parts.collect();
            // status CRC duration name...
            let name = rest.iter().skip(2).copied().collect::<Vec<_>>().join(" ");
            (status, name)
        })
        .collect()
}

fn report_tests(report: &str) -> Vec<String> {
    report
        .lines()
        .filter(|l| l.starts_with("###("))
        .map(str::to_string)
        .collect()
}

/// The report with what legitimately differs from the reference set aside: the `Run at` line,
/// and traceback frames (wirecraft names the campaign file and line, and shows the source).
fn comparable(report: &str) -> String {
    let mut out = Vec::new();
    let mut lines = report.lines().peekable();
    while let Some(line) = lines.next() {
        if line.contains(" Run at ") {
            continue;
        }
        if line.starts_with("  File ") {
            if lines.peek().is_some_and(|n| n.starts_with("    ")) {
                lines.next();
            }
            continue;
        }
        out.push(line);
    }
    // Keep the final line breaks, which `lines()` drops.
    let trailing = report.len() - report.trim_end_matches('\n').len();
    out.join("\n") + &"\n".repeat(trailing)
}

#[test]
fn demo_campaign_fails_tests_1_and_4_and_exits_1() {
    let r = demo(&["-f", "text"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let p = progress(&r.stderr);
    let expected = [
        ("passed", "Unit Test 1"),
        ("failed", "Unit test 2"),
        ("passed", "Unit test 3"),
        ("passed", "Unit Test 4"),
        ("failed", "Unit Test 5"),
        ("passed", "Unit Test 6"),
    ];
    let got: Vec<(&str, &str)> = p.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    assert_eq!(got, expected);
    assert!(r.stderr.contains("PASSED=4 FAILED=2"));
}

#[test]
fn demo_signatures_are_utscapys() {
    let r = demo(&["-f", "text"]);
    for crc in [
        "5F1BA2FD", "5FE7BAD8", "1F244F42", "5B580262", "8F89E43A", "E465AA7A",
    ] {
        assert!(
            r.stderr.contains(&format!(" {crc} ")),
            "missing test CRC {crc}"
        );
    }
    assert!(
        r.stderr.contains("Campaign CRC=B5688E23 in ")
            && r.stderr
                .contains("SHA=D92B28A83F4E306609EA2D8E3AA9CF037061B36B")
    );
    let d = demo(&["-D"]);
    assert!(d.stdout.contains("(4BA37AA3)") && d.stdout.contains("(C7AC5355)"));
}

#[test]
fn dump_is_identical_to_utscapys() {
    let r = demo(&["-D"]);
    assert_eq!(r.code, 0);
    let expected =
        std::fs::read_to_string(vectors().join("demo_campaign.dump.txt")).expect("dump vector");
    assert_eq!(r.stdout, expected);
    assert!(!r.stdout.contains("###("), "-D must not run the tests");
}

#[test]
fn text_report_is_identical_to_utscapys() {
    // The reference is the report UTScapy writes with -o (on stdout, print adds a newline).
    let out = tmpdir("reference").join("report.txt");
    demo(&["-f", "text", "-o", out.to_str().expect("path")]);
    let written = std::fs::read_to_string(&out).expect("report");
    let expected =
        std::fs::read_to_string(vectors().join("demo_campaign.reference.txt")).expect("reference");
    assert_eq!(comparable(&written), comparable(&expected));
    let r = demo(&["-f", "text"]);
    assert_eq!(comparable(&r.stdout), comparable(&format!("{written}\n")));
    // The frame set aside names the campaign file and line, and shows the source line.
    assert!(
        r.stdout.contains("  File \"demo_campaign.uts\", line 50, in <module>\n    assert (e == 7)\nAssertionError\n"),
        "{}",
        r.stdout
    );
}

#[test]
fn keep_keyword_harder() {
    let r = demo(&["-f", "text", "-k", "harder"]);
    let names: Vec<String> = progress(&r.stderr).into_iter().map(|p| p.1).collect();
    assert_eq!(names, ["Unit test 3", "Unit Test 4", "Unit Test 5"]);
}

#[test]
fn remove_keyword_hardest() {
    let r = demo(&["-f", "text", "-K", "hardest"]);
    let names: Vec<String> = progress(&r.stderr).into_iter().map(|p| p.1).collect();
    assert_eq!(
        names,
        ["Unit Test 1", "Unit test 2", "Unit test 3", "Unit Test 4"]
    );
}

#[test]
fn numbers_select_tests() {
    let r = demo(&["-f", "text", "-n", "0,2-3"]);
    let tests = report_tests(&r.stdout);
    assert_eq!(
        tests,
        [
            "###(000)=[passed] Unit Test 1",
            "###(002)=[passed] Unit test 3",
            "###(003)=[passed] Unit Test 4"
        ]
    );
    assert_eq!(r.code, 0);
}

#[test]
fn keywords_are_inherited_and_removed() {
    let dir = fixtures();
    let dump = run_in(&dir, &["-t", "keywords.uts", "-D", "-C"], None).stdout;
    assert!(
        dump.contains(
            "  kw=everywhere,setkw,shared\n000 Inherits both\n    kw=everywhere,setkw,shared\n"
        ),
        "{dump}"
    );
    assert!(
        dump.contains("001 Drops one\n    kw=everywhere,shared,own\n"),
        "{dump}"
    );
    assert!(dump.contains("002 Only its own\n    kw=own\n"), "{dump}");
    let kept = |kw: &str| {
        let r = run_in(&dir, &["-t", "keywords.uts", "-f", "text", "-k", kw], None);
        report_tests(&r.stdout).len()
    };
    assert_eq!(kept("setkw"), 1);
    assert_eq!(kept("own"), 2);
    assert_eq!(kept("everywhere"), 2);
    assert_eq!(kept("shared,own"), 3);
}

#[test]
fn glob_twice_and_exclude() {
    let dir = fixtures();
    // Two -t: numbering continues across files; a failed first file stops the run (no -b).
    let r = run_in(
        &dir,
        &["-t", "passing.uts", "-t", "failing.uts", "-f", "text"],
        None,
    );
    assert_eq!(
        report_tests(&r.stdout),
        ["###(000)=[passed] Truthy", "###(001)=[failed] Falsy"]
    );
    assert_eq!(r.code, 1);
    // A glob, sorted; -T removes one of its matches.
    let r = run_in(
        &dir,
        &["-t", "*ing.uts", "-T", "failing.uts", "-f", "text"],
        None,
    );
    assert_eq!(report_tests(&r.stdout), ["###(000)=[passed] Truthy"]);
    assert_eq!(r.code, 0);
    let r = run_in(&dir, &["-t", "nomatch*.uts"], None);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("no campaign file matches 'nomatch*.uts'"));
}

#[test]
fn break_on_failed_file_unless_b() {
    let dir = fixtures();
    let r = run_in(
        &dir,
        &["-t", "failing.uts", "-t", "passing.uts", "-f", "text"],
        None,
    );
    assert_eq!(report_tests(&r.stdout), ["###(000)=[failed] Falsy"]);
    let r = run_in(
        &dir,
        &["-t", "failing.uts", "-t", "passing.uts", "-f", "text", "-b"],
        None,
    );
    assert_eq!(
        report_tests(&r.stdout),
        ["###(000)=[failed] Falsy", "###(001)=[passed] Truthy"]
    );
    assert_eq!(r.code, 1);
}

#[test]
fn output_file_and_progress_on_stdout() {
    let dir = tmpdir("output");
    let out = dir.join("report.txt");
    let r = demo(&["-f", "text", "-o", out.to_str().expect("path")]);
    let report = std::fs::read_to_string(&out).expect("report written");
    assert!(report.starts_with("\nExample Test Campaign\n"));
    assert!(
        r.stdout.contains("passed 5F1BA2FD"),
        "progress goes to stdout with -o"
    );
    assert!(!r.stdout.contains("###("));
    let r = demo(&["-o", "/nonexistent-dir/x.txt"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("cannot write the report to /nonexistent-dir/x.txt: the directory /nonexistent-dir does not exist"));
}

#[test]
fn formats_text_ansi_live() {
    let text = demo(&["-f", "text"]);
    assert!(!text.stdout.contains('\x1b'));
    let ansi = demo(&["-f", "ANSI"]);
    assert!(ansi.stdout.contains("\x1b[34m\x1b[1m>>> \x1b[0ma = 1\n"));
    assert!(ansi
        .stdout
        .contains("\x1b[32m\nExample Test Campaign\n\x1b[0m"));
    assert!(ansi
        .stderr
        .contains("\x1b[31m\x1b[1mfailed\x1b[0m 5FE7BAD8"));
    // Not a terminal and no -f: plain text, and NO_COLOR never adds color.
    let default = demo(&[]);
    assert!(!default.stdout.contains('\x1b') && default.stdout.contains("###(000)=[passed]"));
    let live = demo(&["-f", "live"]);
    assert!(
        live.stdout.contains(">>> a = 1\n>>> print(a)\n1\n"),
        "{}",
        live.stdout
    );
    assert!(!live.stdout.contains("###("), "live writes no report");
    assert_eq!(live.code, 1);
    let bad = demo(&["-f", "pdf"]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("unknown output format 'pdf'"));
}

#[test]
fn only_failed() {
    let r = demo(&["-f", "text", "-F"]);
    assert_eq!(
        report_tests(&r.stdout),
        [
            "###(001)=[failed] Unit test 2",
            "###(004)=[failed] Unit Test 5"
        ]
    );
    assert!(r.stdout.contains(" └ Passed=4\n"));
}

#[test]
fn dump_then_run() {
    let r = demo(&["-f", "text", "-d"]);
    let expected =
        std::fs::read_to_string(vectors().join("demo_campaign.dump.txt")).expect("dump vector");
    assert!(r.stdout.starts_with(&expected));
    assert_eq!(report_tests(&r.stdout).len(), 6);
}

#[test]
fn no_crc() {
    let r = demo(&["-f", "text", "-C"]);
    assert!(
        r.stderr.contains("passed 000.0") && r.stderr.contains("s Unit Test 1\n"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("5F1BA2FD"));
    assert!(r.stderr.contains("\nCampaign in 000.0"), "{}", r.stderr);
    let d = demo(&["-D", "-C"]);
    let header = format!(
        "+--[Test Set 1]{}\n",
        "-".repeat(80 - "Test Set 1".len() - 6)
    );
    assert!(d.stdout.contains(&header), "{}", d.stdout);
    assert!(!d.stdout.contains("CRC="));
    assert!(d
        .stdout
        .contains("000 Unit Test 1\n    kw=test_set_1,simple\n"));
}

#[test]
fn quiet_levels() {
    let q = demo(&["-f", "text", "-q"]);
    assert!(
        q.stderr.contains("passed 5F1BA2FD Unit Test 1\n"),
        "{}",
        q.stderr
    );
    assert!(q.stderr.contains(
        "Campaign CRC=B5688E23  SHA=D92B28A83F4E306609EA2D8E3AA9CF037061B36B\nPASSED=4 FAILED=2\n"
    ));
    assert!(!q.stderr.contains("Loading"));
    let qq = demo(&["-f", "text", "-qq"]);
    assert_eq!(
        qq.stderr,
        "Campaign CRC=B5688E23  SHA=D92B28A83F4E306609EA2D8E3AA9CF037061B36B\nPASSED=4 FAILED=2\n"
    );
    let qqq = demo(&["-f", "text", "-qqq"]);
    assert_eq!(qqq.stderr, "");
    assert_eq!(report_tests(&qqq.stdout).len(), 6);
}

#[test]
fn module_and_preexec() {
    let dir = fixtures();
    let r = run_in(
        &dir,
        &[
            "-t",
            "second.uts",
            "-f",
            "text",
            "-m",
            "module.py",
            "-P",
            "z = 5",
        ],
        None,
    );
    assert_eq!(
        report_tests(&r.stdout),
        [
            "###(000)=[passed] Uses the module",
            "###(001)=[passed] Uses the preexec"
        ]
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let r = run_in(&dir, &["-t", "second.uts", "-m", "missing.py"], None);
    assert_eq!(r.code, 2);
    assert!(r
        .stderr
        .contains("-m missing.py: cannot read the module: no such file"));
    let r = run_in(&dir, &["-t", "second.uts", "-P", "1/0"], None);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("ZeroDivisionError"));
}

#[test]
fn config_file() {
    let dir = tmpdir("config");
    let out = dir.join("out.txt");
    let cfg = dir.join("run.utsc");
    let body = format!(
        r#"{{"testfiles": ["{}"], "format": "text", "outputfile": "{}", "kw_ko": ["hardest"], "verb": 2, "breakfailed": true, "crc": true}}"#,
        examples().join("demo_campaign.uts").display(),
        out.display()
    );
    std::fs::write(&cfg, body).expect("config");
    let r = run_in(&dir, &["-c", cfg.to_str().expect("path")], None);
    assert_eq!(r.code, 1);
    let report = std::fs::read_to_string(&out).expect("report");
    assert_eq!(report_tests(&report).len(), 4);
    assert!(
        r.stdout.contains("failed 5FE7BAD8 Unit test 2\n"),
        "verb 2 progress: {}",
        r.stdout
    );
    // The command line overrides the config.
    let r = run_in(&dir, &["-c", cfg.to_str().expect("path"), "-n", "0"], None);
    assert_eq!(r.code, 0);
    std::fs::write(&cfg, r#"{"testfiles": [], "bogus": 1}"#).expect("config");
    let r = run_in(&dir, &["-c", cfg.to_str().expect("path")], None);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("unknown field `bogus`"), "{}", r.stderr);
}

#[test]
fn campaign_from_stdin() {
    let text = std::fs::read(examples().join("demo_campaign.uts")).expect("demo");
    let r = run_in(&examples(), &["-f", "text"], Some(&text));
    assert_eq!(r.code, 1);
    assert_eq!(report_tests(&r.stdout).len(), 6);
    assert!(r.stdout.contains("from [<stdin>]"));
    assert!(r
        .stderr
        .contains("SHA=D92B28A83F4E306609EA2D8E3AA9CF037061B36B"));
}

#[test]
fn combined_short_flags() {
    let r = demo(&["-lqF", "-f", "text"]);
    assert_eq!(
        report_tests(&r.stdout),
        [
            "###(001)=[failed] Unit test 2",
            "###(004)=[failed] Unit Test 5"
        ]
    );
    assert!(r.stderr.contains("passed 5F1BA2FD Unit Test 1\n"));
}

#[test]
fn timeout_fails_the_looping_test_and_goes_on() {
    let r = run_in(
        &fixtures(),
        &["-t", "loop.uts", "-f", "text", "--timeout", "1"],
        None,
    );
    assert_eq!(r.code, 1);
    assert_eq!(
        report_tests(&r.stdout),
        [
            "###(000)=[passed] Warm up",
            "###(001)=[failed] Loops forever",
            "###(002)=[passed] After the loop"
        ]
    );
    assert!(
        r.stdout.contains("... \nTest timed out after 1 s\n"),
        "{}",
        r.stdout
    );
}

#[test]
fn sigint_writes_the_report_and_exits_130() {
    let dir = tmpdir("sigint");
    let out = dir.join("report.txt");
    let mut child = Command::new(BIN)
        .args([
            "-t",
            "loop.uts",
            "-f",
            "text",
            "-o",
            out.to_str().expect("path"),
        ])
        .current_dir(fixtures())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    // Progress goes to stdout with -o: once the warm-up test passed, the loop is running.
    for line in lines.by_ref() {
        if line.expect("line").contains("Warm up") {
            break;
        }
    }
    std::thread::sleep(std::time::Duration::from_millis(300));
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    let code = child.wait().expect("wait").code();
    assert_eq!(code, Some(130));
    assert!(
        rest.iter().any(|l| l.contains("Campaign interrupted!")),
        "{rest:?}"
    );
    let report = std::fs::read_to_string(&out).expect("report written");
    assert_eq!(
        report_tests(&report),
        [
            "###(000)=[passed] Warm up",
            "###(001)=[interrupted] Loops forever"
        ]
    );
    assert!(report.contains("KeyboardInterrupt"));
}

#[test]
fn malformed_campaigns_are_one_line_errors() {
    let dir = tmpdir("malformed");
    let cases: &[(&str, &[u8], &str)] = &[
        (
            "step.uts",
            b"% C\nx = 1\n",
            "step.uts:2:1: a step outside a unit test",
        ),
        (
            "noset.uts",
            b"% C\n= t\n1\n",
            "noset.uts:2:1: a unit test needs a test set",
        ),
        (
            "utf8.uts",
            b"+ s\n= t\nx = '\xc3\x28'\n",
            "utf8.uts:3:6: invalid UTF-8 (byte 0xc3)",
        ),
    ];
    for (name, body, message) in cases {
        std::fs::write(dir.join(name), body).expect("write");
        let r = run_in(&dir, &["-t", name], None);
        assert_eq!(r.code, 2, "{name}");
        assert_eq!(r.stderr.lines().count(), 1, "{name}: {}", r.stderr);
        assert!(r.stderr.contains(message), "{name}: {}", r.stderr);
    }
    let r = run_in(&dir, &["-t", "missing.uts"], None);
    assert_eq!(
        (r.code, r.stderr.as_str()),
        (
            2,
            "wirecraft: missing.uts: cannot read the campaign file: no such file\n"
        )
    );
    std::fs::write(dir.join("empty.uts"), b"").expect("write");
    let r = run_in(&dir, &["-t", "empty.uts", "-f", "text"], None);
    assert_eq!(r.code, 0);
    assert!(r.stderr.contains("PASSED=0 FAILED=0"));
    let r = run_in(&dir, &["-z"], None);
    assert_eq!(r.code, 2);
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    assert!(r.stderr.contains("'-z'"));
    let r = run_in(&dir, &["-n", "x"], None);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("bad test number 'x'"));
}

#[test]
fn fifty_megabyte_campaign_runs_cleanly() {
    let dir = tmpdir("big");
    let path = dir.join("big.uts");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).expect("create"));
    writeln!(f, "% Big\n+ s\n= t").expect("write");
    let filler = format!("# {}\n", "x".repeat(1000));
    for _ in 0..(50 << 20) / filler.len() {
        f.write_all(filler.as_bytes()).expect("write");
    }
    writeln!(f, "= last\n1 + 1 == 2").expect("write");
    drop(f);
    let r = run_in(&dir, &["-t", "big.uts", "-f", "text"], None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("PASSED=2 FAILED=0"));
}

#[test]
fn help_documents_every_option() {
    let r = run_in(&root(), &["--help"], None);
    assert_eq!(r.code, 0);
    for opt in [
        "-t <FILE>",
        "-T <FILE>",
        "-o <FILE>",
        "-f <FORMAT>",
        "-l",
        "-F",
        "-b",
        "-d",
        "-D",
        "-C",
        "-q",
        "-n <NUMBERS>",
        "-m <FILE>",
        "-k <KEYWORDS>",
        "-K <KEYWORDS>",
        "-P <CODE>",
        "-c <CONFIG>",
        "--timeout <SECONDS>",
        "--templates <DIR>",
    ] {
        assert!(r.stdout.contains(opt), "--help lacks {opt}");
    }
}

/// Runs the demo under a pseudo-terminal (util-linux `script`), with or without NO_COLOR.
fn demo_on_terminal(no_color: bool) -> String {
    let mut cmd = Command::new("script");
    cmd.args(["-qec", &format!("{BIN} -t demo_campaign.uts"), "/dev/null"])
        .current_dir(examples())
        .env_remove("NO_COLOR");
    if no_color {
        cmd.env("NO_COLOR", "1");
    }
    let out = cmd
        .output()
        .expect("script (util-linux) runs wirecraft on a pseudo-terminal");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn ansi_by_default_on_a_terminal_unless_no_color() {
    let colored = demo_on_terminal(false);
    assert!(
        colored.contains("\x1b[34m\x1b[1m>>> \x1b[0ma = 1"),
        "{colored}"
    );
    assert!(colored.contains("\x1b[34m\x1b[1mpassed\x1b[0m 5F1BA2FD"));
    let plain = demo_on_terminal(true);
    assert!(
        plain.contains(">>> a = 1") && !plain.contains('\x1b'),
        "{plain}"
    );
}
