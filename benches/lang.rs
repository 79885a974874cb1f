//! Speed of the campaign language against CPython 3.11 on the same machine, in the same run
//! (issue 4: within 2x). `cargo bench --bench lang`.
//!
//! Two loop-heavy programs (benches/lang_programs/): `loops.py` (nested loops with arithmetic,
//! function calls, list and dict operations, string building) runs in wirecraft today;
//! `classes.py` adds method calls on instances and needs classes. Each program runs in a
//! wirecraft `Session` (in process, release build, on the runner's 256 MiB stack) and in
//! `python3` (the program fed on stdin, timed inside the interpreter around `exec`, so neither
//! side pays its start-up); both must print the same line. Runs alternate between the two so
//! both see the same machine; the best of RUNS is kept for each. Two clocks are read around the
//! run: the interpreting thread's CPU time (which other processes on a loaded machine do not
//! inflate: the headline ratio) and wall time. `WIRECRAFT_PYTHON` names another interpreter.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use wirecraft::lang::{Outcome, Session, StopFlag};

const RUNS: usize = 5;

const PROGRAMS: &[(&str, &str)] = &[
    ("loops.py", include_str!("lang_programs/loops.py")),
    ("classes.py", include_str!("lang_programs/classes.py")),
];

/// One timed run: what it printed, its thread's CPU time and its wall time.
struct Timed {
    out: String,
    cpu: Duration,
    wall: Duration,
}

/// CPU time consumed so far by the calling thread.
fn thread_cpu() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes the timespec it is given and nothing else.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// Runs `source` as a module in a fresh session, or gives the error.
fn wirecraft_run(name: &str, source: &str) -> Result<Timed, String> {
    let (name, source) = (name.to_string(), source.to_string());
    std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(move || {
            let mut session = Session::new(&name, StopFlag::new());
            let mut out = String::new();
            let (start, cpu_start) = (Instant::now(), thread_cpu());
            let outcome = session.run_module(&name, &source, &mut out);
            let (wall, cpu) = (start.elapsed(), thread_cpu() - cpu_start);
            match outcome {
                Outcome::Completed { .. } => Ok(Timed { out, cpu, wall }),
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
t, c = time.perf_counter(), time.thread_time()\n\
exec(code, {'__name__': '__main__'})\n\
c, t = time.thread_time() - c, time.perf_counter() - t\n\
sys.stderr.write('ELAPSED %.9f %.9f\\n' % (c, t))\n";

fn python() -> String {
    std::env::var("WIRECRAFT_PYTHON").unwrap_or_else(|_| "python3".to_string())
}

fn python_run(name: &str, source: &str) -> Result<Timed, String> {
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
    let secs: Vec<f64> = stderr
        .lines()
        .find_map(|l| l.strip_prefix("ELAPSED "))
        .map(|s| {
            s.split_whitespace()
                .filter_map(|x| x.parse().ok())
                .collect()
        })
        .unwrap_or_default();
    let [cpu, wall] = secs[..] else {
        return Err(format!("no timing from python: {stderr}"));
    };
    Ok(Timed {
        out: String::from_utf8_lossy(&out.stdout).into_owned(),
        cpu: Duration::from_secs_f64(cpu),
        wall: Duration::from_secs_f64(wall),
    })
}

/// The best CPU and wall times of each side over RUNS alternating runs.
struct Best {
    out: String,
    cpu: Duration,
    wall: Duration,
}

fn keep_best(best: &mut Option<Best>, t: Timed) {
    match best {
        None => {
            *best = Some(Best {
                out: t.out,
                cpu: t.cpu,
                wall: t.wall,
            })
        }
        Some(b) => {
            b.cpu = b.cpu.min(t.cpu);
            b.wall = b.wall.min(t.wall);
        }
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn main() {
    let version = Command::new(python())
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_else(|_| "python3 unavailable".into());
    println!(
        "reference: {version}; best of {RUNS} alternating runs each, start-up excluded on both \
         sides; ratio of the interpreting thread's CPU time (wall time in brackets)"
    );
    for (name, source) in PROGRAMS {
        let (mut py, mut wc) = (None, None);
        let mut failure = None;
        for _ in 0..RUNS {
            match python_run(name, source) {
                Ok(t) => keep_best(&mut py, t),
                Err(e) => failure = Some(format!("CPython failed: {e}")),
            }
            match wirecraft_run(name, source) {
                Ok(t) => keep_best(&mut wc, t),
                Err(e) => failure = Some(format!("wirecraft cannot run it: {e}")),
            }
        }
        match (&py, &wc, failure) {
            (Some(p), Some(w), None) => {
                let ratio = w.cpu.as_secs_f64() / p.cpu.as_secs_f64();
                let wall_ratio = w.wall.as_secs_f64() / p.wall.as_secs_f64();
                println!(
                    "{name}: wirecraft {:.1} ms, CPython {:.1} ms, ratio {ratio:.2}x{} \
                     [wall {:.1} ms / {:.1} ms = {wall_ratio:.2}x]",
                    ms(w.cpu),
                    ms(p.cpu),
                    if ratio <= 2.0 {
                        " (within 2x)"
                    } else {
                        " (NOT within 2x)"
                    },
                    ms(w.wall),
                    ms(p.wall),
                );
                if p.out != w.out {
                    println!(
                        "  OUTPUT DIFFERS:\n  CPython:   {}  wirecraft: {}",
                        p.out, w.out
                    );
                }
            }
            (_, _, Some(e)) => println!("{name}: {e}"),
            _ => println!("{name}: no run"),
        }
    }
}
