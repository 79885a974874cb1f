//! Start-up and whole-run time of `wirecraft -t demo_campaign.uts -f text` against UTScapy
//! (Scapy 2.8, `python -m scapy.tools.UTscapy`) on the same file, in the same run.
//!
//! `cargo bench --bench startup`. The reference comes from `scripts/scapy-reference` (a venv
//! under target/), or from the python named by `SCAPY_PYTHON`; without it, only wirecraft is
//! timed and the bench says why.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn time_runs(runs: usize, mut make: impl FnMut() -> Command) -> Vec<Duration> {
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let mut cmd = make();
        cmd.stdout(Stdio::null()).stderr(Stdio::null());
        let start = Instant::now();
        let status = cmd.status().expect("run the command");
        times.push(start.elapsed());
        // The demo campaign fails two tests on purpose: exit code 1 is the expected one.
        assert_eq!(status.code(), Some(1), "unexpected exit status {status}");
    }
    times.sort();
    times
}

fn median(times: &[Duration]) -> Duration {
    times[times.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Prints a line of figures for sorted `times` and returns their median.
fn summarize(label: &str, times: &[Duration]) -> Duration {
    let m = median(times);
    println!(
        "{label:<40} median {:.2} ms (min {:.2}, max {:.2}) over {} runs",
        ms(m),
        ms(times[0]),
        ms(times[times.len() - 1]),
        times.len()
    );
    m
}

fn reference_python(root: &Path) -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("SCAPY_PYTHON") {
        return Some(PathBuf::from(p));
    }
    let out = Command::new(root.join("scripts/scapy-reference"))
        .output()
        .ok()?;
    if !out.status.success() {
        eprintln!(
            "scapy-reference failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        return None;
    }
    Some(PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
}

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let examples = root.join("campaigns/examples");
    let bin = env!("CARGO_BIN_EXE_wirecraft");
    let wirecraft = time_runs(50, || {
        let mut c = Command::new(bin);
        c.args(["-t", "demo_campaign.uts", "-f", "text"])
            .current_dir(&examples);
        c
    });
    let w = summarize("wirecraft -t demo_campaign.uts -f text", &wirecraft);
    let Some(python) = reference_python(&root) else {
        println!("UTScapy reference unavailable (run scripts/scapy-reference or set SCAPY_PYTHON): no ratio");
        return;
    };
    let utscapy = time_runs(10, || {
        let mut c = Command::new(&python);
        c.args([
            "-m",
            "scapy.tools.UTscapy",
            "-t",
            "demo_campaign.uts",
            "-f",
            "text",
        ])
        .current_dir(&examples);
        c
    });
    let u = summarize("UTScapy (Scapy 2.8) on the same file", &utscapy);
    println!(
        "ratio: wirecraft is {:.0}x faster",
        u.as_secs_f64() / w.as_secs_f64()
    );
}
