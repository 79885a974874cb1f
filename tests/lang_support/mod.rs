//! Helpers for the language integration tests: run console snippets like the runner does.
#![allow(dead_code)]

use wirecraft::lang::{Outcome, Session, SourceLine, StopFlag};

/// Runs `src` (lines numbered from 1) as one unit test in a fresh session, on a thread with the
/// runner's 256 MiB stack.
pub fn run(src: &str) -> (String, Outcome) {
    let src = src.to_string();
    std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(move || {
            let mut s = Session::new("t.uts", StopFlag::new());
            run_in(&mut s, &src, 1)
        })
        .expect("spawn")
        .join()
        .expect("join")
}

/// Runs `src` in an existing session, numbering lines from `first`.
pub fn run_in(s: &mut Session, src: &str, first: u32) -> (String, Outcome) {
    let lines: Vec<SourceLine> = src
        .split('\n')
        .enumerate()
        .map(|(i, t)| SourceLine {
            line: first + i as u32,
            text: t,
        })
        .collect();
    let mut out = String::new();
    let o = s.run_console(&lines, &mut out);
    (out, o)
}

/// The transcript of `src`.
pub fn transcript(src: &str) -> String {
    run(src).0
}

/// The echoed output of a single expression (without its prompt line).
pub fn eval(expr: &str) -> String {
    let (t, _) = run(expr);
    let prefix = format!(">>> {expr}\n");
    t.strip_prefix(&prefix)
        .unwrap_or(&t)
        .trim_end_matches('\n')
        .to_string()
}
