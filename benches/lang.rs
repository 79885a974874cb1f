//! Speed of the campaign language against CPython 3.11 on the same machine, in the same run
//! (issue 4: within 2x). `cargo bench --bench lang`.
//!
//! Two loop-heavy programs (benches/lang_programs/): `loops.py` (nested loops with arithmetic,
//! function calls, list and dict operations, string building) runs in wirecraft today;
//! `classes.py` adds method calls on instances and needs classes. Each program runs in a
//! wirecraft `Session` (in process, release build, on the runner's 256 MiB stack) and in
//! `python3` (the program fed on stdin, timed inside the interpreter around `exec`, so neither
//! side pays its start-up); both must print the same line. The best of RUNS is kept for each and
//! the ratio wirecraft / CPython printed. `WIRECRAFT_PYTHON` names another interpreter.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use wirecraft::lang::{Outcome, Session, StopFlag};

const RUNS: usize = 5;

const PROGRAMS: &[(&str, &str)] = &[
    ("loops.py", include_str!("lang_programs/loops.py")),
    ("classes.py", include_str!("lang_programs/classes.py")),
];

/// Runs `source` as a module in a fresh session: (printed output, elapsed) or the error.
fn wirecraft_run(name: &str, source: &str) -> Result<(String, Duration), String> {
    let (name, source) = (name.to_string(), source.to_string());
    std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(move || {
            let mut session = Session::new(&name, StopFlag::new());
            let mut out = String::new();
            let start = Instant::now();
            let outcome = session.run_module(&name, &source, &mut out);
            let elapsed = start.elapsed();
            match outcome {
                Outcome::Completed { .. } => Ok((out, elapsed)),
                other => Err(format!("{other:?}: {}", out.lines().last().unwrap_or(""))),
            }
        })
        .map_err(|e| e.to_string())?
        .join()
        .map_err(|_| "wirecraft panicked".to_string())?
}

const PY_TIMER: &str = "import sys, time\n\
src = sys.stdin.read()\n\
code = compile(src, sys.argv[1], 'exec')\n\
t = time.perf_counter()\n\
exec(code, {'__name__': '__main__'})\n\
sys.stderr.write('ELAPSED %.9f\\n' % (time.perf_counter() - t))\n";

fn python() -> String {
    std::env::var("WIRECRAFT_PYTHON").unwrap_or_else(|_| "python3".to_string())
}

fn python_run(name: &str, source: &str) -> Result<(String, Duration), String> {
    let mut child = Command::new(python())
        .args(["-c", PY_TIMER, name])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", python()))?;
    child
        .stdin
        .take()
        .ok_or("no stdin")?
        .write_all(source.as_bytes())
        .map_err(|e| e.to_string())?;
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        return Err(stderr.into_owned());
    }
    let secs: f64 = stderr
        .lines()
        .find_map(|l| l.strip_prefix("ELAPSED "))
        .and_then(|s| s.trim().parse().ok())
        .ok_or_else(|| format!("no timing from python: {stderr}"))?;
    Ok((
        String::from_utf8_lossy(&out.stdout).into_owned(),
        Duration::from_secs_f64(secs),
    ))
}

fn best(
    runs: usize,
    mut f: impl FnMut() -> Result<(String, Duration), String>,
) -> Result<(String, Duration), String> {
    let mut best: Option<(String, Duration)> = None;
    for _ in 0..runs {
        let (out, d) = f()?;
        if best.as_ref().is_none_or(|(_, b)| d < *b) {
            best = Some((out, d));
        }
    }
    best.ok_or_else(|| "no run".to_string())
}

fn main() {
    let version = Command::new(python())
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_else(|_| "python3 unavailable".into());
    println!("reference: {version}; best of {RUNS} runs each, start-up excluded on both sides");
    for (name, source) in PROGRAMS {
        let py = best(RUNS, || python_run(name, source));
        let wc = best(RUNS, || wirecraft_run(name, source));
        match (&py, &wc) {
            (Ok((po, pt)), Ok((wo, wt))) => {
                let ratio = wt.as_secs_f64() / pt.as_secs_f64();
                println!(
                    "{name}: wirecraft {:.1} ms, CPython {:.1} ms, ratio {ratio:.2}x{}",
                    wt.as_secs_f64() * 1e3,
                    pt.as_secs_f64() * 1e3,
                    if ratio <= 2.0 {
                        " (within 2x)"
                    } else {
                        " (NOT within 2x)"
                    }
                );
                if po != wo {
                    println!("  OUTPUT DIFFERS:\n  CPython:   {po}  wirecraft: {wo}");
                }
            }
            (Ok((_, pt)), Err(e)) => println!(
                "{name}: CPython {:.1} ms; wirecraft cannot run it yet: {e}",
                pt.as_secs_f64() * 1e3
            ),
            (Err(e), _) => println!("{name}: CPython failed: {e}"),
        }
    }
}
