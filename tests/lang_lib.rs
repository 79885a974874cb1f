//! The library (builtins, methods, lazy iterators, views, built-in modules) against CPython
//! 3.11: `lang_lib_cases.rs` holds each snippet with what python3 shows for its last
//! expression, or `!Type: message` when it raises (regenerate with
//! `python3 tests/gen/lang_lib_cases.py > tests/lang_lib_cases.rs`).
mod lang_support;
use lang_support::*;

#[path = "lang_lib_cases.rs"]
mod cases;

use wirecraft::lang::{Outcome, Session, StopFlag};

/// The last line the console shows for a one-line snippet: the last echo, or `!` + the
/// traceback's last line.
fn console_last(s: &mut Session, src: &str) -> String {
    let (t, o) = run_in(s, src, 1);
    let body = t
        .strip_prefix(&format!(">>> {src}\n"))
        .unwrap_or(&t)
        .trim_end_matches('\n');
    match o {
        Outcome::Raised(_) => format!("!{}", body.lines().last().unwrap_or("")),
        _ => body.lines().last().unwrap_or("None").to_string(),
    }
}

/// Reprs that hold an address differ from run to run.
fn normalize(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find(" at 0x").or_else(|| rest.find(" @ 0x")) {
        out.push_str(&rest[..i]);
        out.push_str(" at 0x?");
        let tail = &rest[i + 6..];
        let end = tail
            .find(|c: char| !c.is_ascii_hexdigit())
            .unwrap_or(tail.len());
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

#[test]
fn library_matches_cpython() {
    let failures = std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(|| {
            let mut failures = Vec::new();
            for (src, want) in cases::CASES {
                let mut s = Session::new("t.uts", StopFlag::new());
                let got = console_last(&mut s, src);
                // The console echoes nothing for None.
                let want = if *want == "None" { "None" } else { want };
                let got = if got.starts_with(">>> ") {
                    "None".into()
                } else {
                    got
                };
                if normalize(want) != normalize(&got) {
                    failures.push(format!("{src}\n   want {want}\n   got  {got}"));
                }
            }
            failures
        })
        .expect("spawn")
        .join()
        .expect("join");
    assert!(
        failures.is_empty(),
        "{} of {} mismatches:\n{}",
        failures.len(),
        cases::CASES.len(),
        failures.join("\n")
    );
}
