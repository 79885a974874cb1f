//! Limits of the campaign language, run through the binary (issue 4): deep recursion ends in a
//! RecursionError in that test's transcript, never a crashed process, and the campaign goes on;
//! an infinite loop inside a function ends at `--timeout` with the session intact for the next
//! test. (The plain `while True: pass` timeout is tests/cli.rs's
//! `timeout_fails_the_looping_test_and_goes_on`.)

use std::path::PathBuf;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_wirecraft");

struct Ran {
    code: Option<i32>,
    report: String,
    stderr: String,
}

/// Writes `campaign` to a scratch file and runs `wirecraft -t FILE -f text` with `extra` options.
fn run_campaign(name: &str, campaign: &str, extra: &[&str]) -> Ran {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("target")
        .join("lang_limits");
    std::fs::create_dir_all(&dir).expect("scratch dir");
    let file = dir.join(format!("{name}.uts"));
    std::fs::write(&file, campaign).expect("write campaign");
    let out = Command::new(BIN)
        .arg("-t")
        .arg(format!("{name}.uts"))
        .args(["-f", "text"])
        .args(extra)
        .current_dir(&dir)
        .output()
        .expect("run wirecraft");
    Ran {
        code: out.status.code(),
        report: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// The `###(NNN)=[status] name` lines of a text report.
fn statuses(report: &str) -> Vec<&str> {
    report.lines().filter(|l| l.starts_with("###(")).collect()
}

/// The transcript of the test named `name`: the lines after its header up to the next one.
fn transcript_of<'a>(report: &'a str, name: &str) -> Vec<&'a str> {
    let mut lines = report.lines();
    for l in lines.by_ref() {
        if l.starts_with("###(") && l.ends_with(name) {
            break;
        }
    }
    lines.take_while(|l| !l.starts_with("###(")).collect()
}

fn assert_clean_exit(r: &Ran) {
    // A crash (stack overflow, abort) has no exit code or a signal's; a panic prints it.
    assert_eq!(
        r.code,
        Some(1),
        "report:\n{}\nstderr:\n{}",
        r.report,
        r.stderr
    );
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
    assert!(!r.stderr.contains("overflow"), "{}", r.stderr);
}

fn ends_in_recursion_error(report: &str, name: &str) -> bool {
    transcript_of(report, name)
        .iter()
        .rev()
        .find(|l| !l.trim().is_empty())
        .is_some_and(|l| l.starts_with("RecursionError: maximum recursion depth exceeded"))
}

#[test]
fn recursing_100_000_times_is_a_recursion_error() {
    let campaign = "% Deep recursion\n+ Recursion\n\
= Recursing 100 000 times\n\
def down(n):\n    return 0 if n == 0 else 1 + down(n - 1)\n\ndown(100000)\n\n\
= Mutual recursion 100 000 deep\n\
def ping(n):\n    return pong(n - 1) if n else 0\n\n\
def pong(n):\n    return ping(n - 1) if n else 0\n\nping(100000)\n\n\
= The session goes on\n\
down(500) == 500 and ping(400) == 0\n";
    let r = run_campaign("deep_recursion", campaign, &[]);
    assert_clean_exit(&r);
    assert_eq!(
        statuses(&r.report),
        [
            "###(000)=[failed] Recursing 100 000 times",
            "###(001)=[failed] Mutual recursion 100 000 deep",
            "###(002)=[passed] The session goes on"
        ],
        "{}",
        r.report
    );
    for name in ["Recursing 100 000 times", "Mutual recursion 100 000 deep"] {
        assert!(ends_in_recursion_error(&r.report, name), "{}", r.report);
    }
    // The traceback names the campaign's frames, innermost last, as Python's does.
    let t = transcript_of(&r.report, "Recursing 100 000 times").join("\n");
    assert!(
        t.contains("File \"deep_recursion.uts\", line 7, in <module>"),
        "{t}"
    );
    assert!(
        t.contains("File \"deep_recursion.uts\", line 5, in down"),
        "{t}"
    );
}

/// Recursion through builtins, lambdas, methods and special methods (classes, lambda, map and
/// try arrive with the language branches): each ends in RecursionError and is recoverable.
#[test]
fn recursion_through_builtins_methods_and_special_methods() {
    let campaign = "% Recursion everywhere\n+ Recursion\n\
= Through a lambda\n\
f = lambda n: f(n + 1)\nf(0)\n\n\
= Through map and sum\n\
def viamap(n):\n    return sum(map(viamap, [n + 1]))\n\nviamap(0)\n\n\
= Through a sort key\n\
def key(v):\n    return sorted([v], key=key)\n\nkey(1)\n\n\
= Through a method\n\
class R:\n    def m(self, n):\n        return self.m(n + 1)\n\nR().m(0)\n\n\
= Through __getattr__\n\
class G:\n    def __getattr__(self, name):\n        return self.missing\n\nG().x\n\n\
= Through __repr__\n\
class P:\n    def __repr__(self):\n        return repr(self)\n\nrepr(P())\n\n\
= Caught and recovered\n\
try:\n    f(0)\nexcept RecursionError as e:\n    caught = str(e)\n\n\
caught.startswith('maximum recursion depth exceeded')\n";
    let r = run_campaign("recursion_everywhere", campaign, &[]);
    assert_clean_exit(&r);
    let names = [
        "Through a lambda",
        "Through map and sum",
        "Through a sort key",
        "Through a method",
        "Through __getattr__",
        "Through __repr__",
    ];
    for name in names {
        assert!(
            ends_in_recursion_error(&r.report, name),
            "{name}:\n{}",
            r.report
        );
    }
    assert!(
        statuses(&r.report).contains(&"###(006)=[passed] Caught and recovered"),
        "{}",
        r.report
    );
}

#[test]
fn an_infinite_loop_in_a_function_times_out_and_the_session_goes_on() {
    let campaign = "% Timeout\n+ Loops\n\
= Set some state\nkept = 41\n\n\
= Spin inside a function\n\
def spin():\n    n = 0\n    while True:\n        n += 1\n\nspin()\n\n\
= Spin in nested loops\n\
for i in range(10 ** 12):\n    for j in range(10 ** 12):\n        pass\n\n\
= The session is intact after the timeouts\nkept + 1 == 42\n";
    let r = run_campaign("timeouts", campaign, &["--timeout", "1"]);
    assert_clean_exit(&r);
    assert_eq!(
        statuses(&r.report),
        [
            "###(000)=[passed] Set some state",
            "###(001)=[failed] Spin inside a function",
            "###(002)=[failed] Spin in nested loops",
            "###(003)=[passed] The session is intact after the timeouts"
        ],
        "{}",
        r.report
    );
    for name in ["Spin inside a function", "Spin in nested loops"] {
        assert!(
            transcript_of(&r.report, name).contains(&"Test timed out after 1 s"),
            "{name}:\n{}",
            r.report
        );
    }
}
