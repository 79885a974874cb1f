//! Capture files: speed against Scapy 2.8 and memory when streaming.
//!
//! `cargo bench --bench pcap` (not part of CI):
//! - wrpcap and rdpcap of 20 000 Ether/IP/TCP packets with small payloads (rdpcap dissects
//!   every packet fully, in both), the same snippet timed in wirecraft and in Scapy 2.8
//!   (`SCAPY_PYTHON`, else `target/scapy-venv/bin/python`) in the same run; prints ns/packet
//!   and the ratios Scapy / wirecraft. Each side runs [`REPEATS`] times, alternating, each
//!   time in a fresh process (wirecraft: this bench re-run with `WIRECRAFT_BENCH_SNIPPET`,
//!   the snippet in a session), so both read into memory the process never used; the times
//!   are the process's CPU time around each call (page faults included, other processes on
//!   a loaded machine not), the best run kept.
//! - a 2 GB capture generated under `target/` (deleted afterwards), streamed by the
//!   `wirecraft` binary with `PcapReader` in a campaign; prints the peak resident memory of
//!   that process (wait4's ru_maxrss), which must stay under 100 MB.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use wirecraft::lang::{Outcome, Session, StopFlag};
use wirecraft::pcapfile::{linktype, Record, Timestamp, Writer};

const N: usize = 20_000;

/// Runs of each side; the best is kept.
const REPEATS: usize = 3;

/// The workload, runnable by both: build the packets, then time wrpcap and rdpcap.
fn snippet(path: &Path) -> String {
    format!(
        "import time\n\
n = {N}\n\
pkts = [Ether(src='02:00:00:00:00:01', dst='02:00:00:00:00:02')/IP(src='198.51.100.1', dst='198.51.100.2')/TCP(sport=1024 + i % 1000, dport=80, flags='PA')/Raw(b'small payload') for i in range(n)]\n\
t = time.process_time()\n\
wrpcap('{p}', pkts)\n\
tw = time.process_time() - t\n\
t = time.process_time()\n\
r = rdpcap('{p}')\n\
tr = time.process_time() - t\n\
assert len(r) == n and r[-1][TCP].sport == 1024 + (n - 1) % 1000 and r[-1][Raw].load == b'small payload'\n\
print('%d %d' % (tw * 1e9 / n, tr * 1e9 / n))\n",
        p = path.display()
    )
}

fn two_numbers(text: &str) -> Option<(f64, f64)> {
    let nums: Vec<f64> = text
        .split_whitespace()
        .filter_map(|t| t.parse().ok())
        .collect();
    match nums.as_slice() {
        [.., a, b] => Some((*a, *b)),
        _ => None,
    }
}

/// Child mode: runs the snippet file named by `WIRECRAFT_BENCH_SNIPPET` in a session and
/// prints what it printed.
fn run_snippet_file(path: &Path) -> ! {
    let source = std::fs::read_to_string(path).expect("snippet");
    let out = std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(move || {
            let mut session = Session::new("bench.py", StopFlag::new());
            let mut out = String::new();
            match session.run_module("bench.py", &source, &mut out) {
                Outcome::Completed { .. } => out,
                other => format!("{other:?}: {out}"),
            }
        })
        .expect("thread")
        .join()
        .unwrap_or_else(|_| "the session panicked".to_string());
    print!("{out}");
    std::process::exit(0)
}

/// The snippet in wirecraft, in a fresh process (this bench in child mode).
fn wirecraft(dir: &Path, source: &str) -> Result<(f64, f64), String> {
    let file = dir.join("bench-pcap-snippet.py");
    std::fs::write(&file, source).map_err(|e| e.to_string())?;
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let out = Command::new(exe)
        .env("WIRECRAFT_BENCH_SNIPPET", &file)
        .output()
        .map_err(|e| e.to_string())?;
    let _ = std::fs::remove_file(&file);
    let text = String::from_utf8_lossy(&out.stdout);
    two_numbers(&text).ok_or_else(|| format!("no timings in {text:?}"))
}

fn scapy(source: &str) -> Result<(f64, f64), String> {
    let python = std::env::var_os("SCAPY_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/scapy-venv/bin/python")
        });
    if !python.exists() {
        return Err(format!("no reference python at {}", python.display()));
    }
    let script = format!("from scapy.all import *\nconf.verb = 0\n{source}");
    let out = Command::new(&python)
        .args(["-c", &script])
        .output()
        .map_err(|e| format!("cannot run {}: {e}", python.display()))?;
    two_numbers(&String::from_utf8_lossy(&out.stdout)).ok_or_else(|| {
        String::from_utf8_lossy(&out.stderr)
            .lines()
            .last()
            .unwrap_or("no output")
            .to_string()
    })
}

/// The smaller of each component.
fn best(a: Option<(f64, f64)>, b: (f64, f64)) -> (f64, f64) {
    match a {
        Some(a) => (a.0.min(b.0), a.1.min(b.1)),
        None => b,
    }
}

fn speed(dir: &Path) {
    println!("wrpcap and rdpcap of {N} Ether/IP/TCP/Raw packets, CPU ns/packet, best of {REPEATS} runs (ratio = Scapy 2.8 / wirecraft)");
    let ours_src = snippet(&dir.join("bench-wirecraft.pcap"));
    let theirs_src = snippet(&dir.join("bench-scapy.pcap"));
    let (mut ours, mut theirs) = (None, None);
    let (mut ours_err, mut theirs_err) = (None, None);
    for _ in 0..REPEATS {
        match wirecraft(dir, &ours_src) {
            Ok(t) => ours = Some(best(ours, t)),
            Err(e) => ours_err = Some(e),
        }
        match scapy(&theirs_src) {
            Ok(t) => theirs = Some(best(theirs, t)),
            Err(e) => theirs_err = Some(e),
        }
    }
    let _ = std::fs::remove_file(dir.join("bench-wirecraft.pcap"));
    let _ = std::fs::remove_file(dir.join("bench-scapy.pcap"));
    match (ours, theirs) {
        (Some((w, r)), Some((sw, sr))) => {
            println!(
                "  wrpcap  wirecraft {w:>9.0}  Scapy {sw:>9.0}  ratio {:>6.1}x",
                sw / w
            );
            println!(
                "  rdpcap  wirecraft {r:>9.0}  Scapy {sr:>9.0}  ratio {:>6.1}x",
                sr / r
            );
        }
        (Some((w, r)), None) => println!(
            "  wrpcap  wirecraft {w:>9.0}; rdpcap {r:>9.0} (Scapy not timed: {})",
            theirs_err.unwrap_or_default()
        ),
        (None, _) => println!("  wirecraft failed: {}", ours_err.unwrap_or_default()),
    }
}

/// Writes a capture of at least `bytes` bytes of 1400-byte Ether/IPv4/UDP frames.
fn big_capture(path: &Path, bytes: u64) -> u64 {
    let mut frame = vec![
        0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01, 0x08, 0x00, 0x45, 0, 0x05, 0x6a, 0, 1, 0,
        0, 64, 17, 0, 0, 198, 51, 100, 1, 198, 51, 100, 2, 0x30, 0x39, 0x00, 0x35, 0x05, 0x56, 0,
        0,
    ];
    frame.resize(1400, 0x61);
    let mut w = Writer::create(path, linktype::ETHERNET, false, false).expect("create");
    let mut written = 24u64;
    let mut n = 0u64;
    while written < bytes {
        let r = Record::new(
            Timestamp {
                secs: 1_700_000_000 + (n / 1000) as i64,
                nanos: (n % 1000) as u32 * 1000,
            },
            linktype::ETHERNET,
            frame.clone(),
        );
        w.write(&r).expect("write");
        written += 16 + frame.len() as u64;
        n += 1;
    }
    w.finish().expect("finish");
    n
}

/// Runs a command and returns its exit success and peak resident memory in KiB.
#[allow(clippy::zombie_processes)] // wait4 below reaps the child
fn peak_rss(cmd: &mut Command) -> (bool, i64) {
    let child = cmd.spawn().expect("spawn");
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: wait4 on our own child writes the status and the zeroed rusage it is given.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(r, pid, "wait4");
    (
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        usage.ru_maxrss,
    )
}

fn memory(dir: &Path) {
    let capture = dir.join("bench-2g.pcap");
    let n = big_capture(&capture, 2 << 30);
    let campaign = dir.join("bench-stream.uts");
    let mut f = std::fs::File::create(&campaign).expect("campaign");
    write!(
        f,
        "% stream\n+ s\n= PcapReader streams\nn = 0\nwith PcapReader('{}') as rd:\n    for p in rd:\n        n += 1\n\nassert n == {n}\n",
        capture.display()
    )
    .expect("write");
    drop(f);
    let start = std::time::Instant::now();
    let (ok, kib) = peak_rss(
        Command::new(env!("CARGO_BIN_EXE_wirecraft"))
            .args(["-t"])
            .arg(&campaign)
            .args(["-f", "text", "-qqq", "--timeout", "3000", "-o", "/dev/null"]),
    );
    let secs = start.elapsed().as_secs_f64();
    let size = std::fs::metadata(&capture).map(|m| m.len()).unwrap_or(0);
    let _ = std::fs::remove_file(&capture);
    let _ = std::fs::remove_file(&campaign);
    println!(
        "PcapReader over a {:.2} GB capture ({n} packets, each dissected): {} in {secs:.1} s, peak resident memory {:.1} MB (limit 100 MB): {}",
        size as f64 / 1e9,
        if ok { "passed" } else { "FAILED" },
        kib as f64 / 1024.0,
        if ok && kib < 100 * 1024 { "ok" } else { "OVER" }
    );
}

fn main() {
    // Configured as the `wirecraft` binary configures itself.
    wirecraft::alloc::configure_process();
    if let Some(path) = std::env::var_os("WIRECRAFT_BENCH_SNIPPET") {
        run_snippet_file(Path::new(&path));
    }
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target");
    let only = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    if only.as_deref().is_none_or(|o| "speed".contains(o)) {
        speed(&dir);
    }
    if only.as_deref().is_none_or(|o| "memory".contains(o)) {
        memory(&dir);
    }
}
