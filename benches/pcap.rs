//! Capture files: speed against Scapy 2.8 and memory when streaming.
//!
//! `cargo bench --bench pcap` (not part of CI):
//! - wrpcap and rdpcap of 20 000 Ether/IP/TCP packets with small payloads (rdpcap dissects
//!   every packet fully, in both), the same snippet timed in a wirecraft session and in
//!   Scapy 2.8 (`SCAPY_PYTHON`, else `target/scapy-venv/bin/python`) in the same run; prints
//!   ns/packet and the ratios Scapy / wirecraft.
//! - a 2 GB capture generated under `target/` (deleted afterwards), streamed by the
//!   `wirecraft` binary with `PcapReader` in a campaign; prints the peak resident memory of
//!   that process (wait4's ru_maxrss), which must stay under 100 MB.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use wirecraft::lang::{Outcome, Session, StopFlag};
use wirecraft::pcapfile::{linktype, Record, Timestamp, Writer};

const N: usize = 20_000;

/// The workload, runnable by both: build the packets, then time wrpcap and rdpcap.
fn snippet(path: &Path) -> String {
    format!(
        "import time\n\
n = {N}\n\
pkts = [Ether(src='02:00:00:00:00:01', dst='02:00:00:00:00:02')/IP(src='198.51.100.1', dst='198.51.100.2')/TCP(sport=1024 + i % 1000, dport=80, flags='PA')/Raw(b'small payload') for i in range(n)]\n\
t = time.perf_counter()\n\
wrpcap('{p}', pkts)\n\
tw = time.perf_counter() - t\n\
t = time.perf_counter()\n\
r = rdpcap('{p}')\n\
tr = time.perf_counter() - t\n\
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

fn wirecraft(source: String) -> Result<(f64, f64), String> {
    std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(move || {
            let mut session = Session::new("bench.py", StopFlag::new());
            let mut out = String::new();
            match session.run_module("bench.py", &source, &mut out) {
                Outcome::Completed { .. } => {
                    two_numbers(&out).ok_or_else(|| format!("no timings in {out:?}"))
                }
                other => Err(format!("{other:?}: {out}")),
            }
        })
        .map_err(|e| e.to_string())?
        .join()
        .map_err(|_| "the session panicked".to_string())?
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

fn speed(dir: &Path) {
    println!("wrpcap and rdpcap of {N} Ether/IP/TCP/Raw packets, ns/packet (ratio = Scapy 2.8 / wirecraft)");
    let ours = wirecraft(snippet(&dir.join("bench-wirecraft.pcap")));
    let theirs = scapy(&snippet(&dir.join("bench-scapy.pcap")));
    let _ = std::fs::remove_file(dir.join("bench-wirecraft.pcap"));
    let _ = std::fs::remove_file(dir.join("bench-scapy.pcap"));
    match (ours, theirs) {
        (Ok((w, r)), Ok((sw, sr))) => {
            println!(
                "  wrpcap  wirecraft {w:>9.0}  Scapy {sw:>9.0}  ratio {:>6.1}x",
                sw / w
            );
            println!(
                "  rdpcap  wirecraft {r:>9.0}  Scapy {sr:>9.0}  ratio {:>6.1}x",
                sr / r
            );
        }
        (Ok((w, r)), Err(e)) => {
            println!("  wrpcap  wirecraft {w:>9.0}; rdpcap {r:>9.0} (Scapy not timed: {e})")
        }
        (Err(e), _) => println!("  wirecraft failed: {e}"),
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
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target");
    let only = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    if only.as_deref().is_none_or(|o| "speed".contains(o)) {
        speed(&dir);
    }
    if only.as_deref().is_none_or(|o| "memory".contains(o)) {
        memory(&dir);
    }
}
