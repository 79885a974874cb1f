//! The live network under load, against Scapy 2.8 in the same lab (tests/lab/lab.sh), run by
//! hand as root (not in CI): `cargo bench --bench net`.
//!
//! - `sr()` of 10 000 TCP SYN probes (ports 1000-10999 of the lab server, each answered by a
//!   RST from its kernel) and of 10 000 ICMP echos: every answer must come back; probes per
//!   second for wirecraft and for Scapy 2.8 (`target/scapy-venv`, made by
//!   scripts/scapy-reference), and the ratio.
//! - sniff keeping up with a sender: this process sends UDP frames on the client's link as
//!   fast as a PF_PACKET socket goes while `sniff(count=N)` listens on the router's end; the
//!   send rate, the frames sniffed and the loss, for both.
//!
//! Safety (lab.md): everything runs inside the lab's namespaces (the sender thread enters
//! the client namespace with setns before it opens its socket); frames go to lab addresses
//! only, in bounded numbers; the lab is torn down at the end, also on failure.

use std::fs::File;
use std::os::fd::AsRawFd;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_wirecraft");
const LAB: &str = "wcbn";
const PROBES: usize = 10_000;
const FRAMES: usize = 50_000;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn lab_sh(args: &[&str]) -> std::process::Output {
    Command::new(root().join("tests/lab/lab.sh"))
        .args(args)
        .output()
        .expect("tests/lab/lab.sh")
}

/// The lab, torn down when dropped.
struct Lab(#[allow(dead_code)] File);

impl Drop for Lab {
    fn drop(&mut self) {
        lab_sh(&["down", LAB]);
    }
}

fn lab() -> Lab {
    let f = File::create(format!("/run/wirecraft-lab-{LAB}.lock")).expect("lock file");
    // SAFETY: a valid descriptor.
    unsafe { libc::flock(f.as_raw_fd(), libc::LOCK_EX) };
    let out = lab_sh(&["up", LAB]);
    assert!(
        out.status.success(),
        "lab up: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Lab(f)
}

fn scapy() -> Option<PathBuf> {
    let p = root().join("target/scapy-venv/bin/python");
    p.exists().then_some(p)
}

/// Runs a wirecraft campaign (from text) in a lab host; the lines its steps printed.
fn wirecraft(host: &str, campaign: &str) -> String {
    let path = std::env::temp_dir().join(format!("wirecraft-bench-net-{host}.uts"));
    std::fs::write(&path, campaign).expect("campaign");
    let out = Command::new(root().join("tests/lab/lab.sh"))
        .args(["exec", LAB, host, BIN, "-t"])
        .arg(&path)
        .args(["-f", "text", "--timeout", "600"])
        .stderr(Stdio::null())
        .output()
        .expect("wirecraft");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn python(host: &str, py: &PathBuf, script: &str) -> String {
    let out = Command::new(root().join("tests/lab/lab.sh"))
        .args(["exec", LAB, host])
        .arg(py)
        .args(["-c", script])
        .stderr(Stdio::null())
        .output()
        .expect("scapy");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The numbers on the line starting with `RESULT name`.
fn result(text: &str, name: &str) -> Option<Vec<f64>> {
    let head = format!("RESULT {name} ");
    text.lines().find_map(|l| l.strip_prefix(&head)).map(|r| {
        r.split_whitespace()
            .filter_map(|x| x.parse().ok())
            .collect()
    })
}

const SR_BODY: &str = "
import time
t = time.time()
ans, unans = sr(IP(dst=\"203.0.113.20\")/TCP(dport=(1000, 10999), flags=\"S\"), timeout=3, verbose=0)
print(\"RESULT syn\", len(ans), len(unans), time.time() - t)
t = time.time()
ans, unans = sr(IP(dst=\"203.0.113.20\")/ICMP(id=7, seq=(1, 10000)), timeout=3, verbose=0)
print(\"RESULT icmp\", len(ans), len(unans), time.time() - t)
";

fn report_sr(who: &str, text: &str) -> Vec<(String, f64)> {
    let mut rates = Vec::new();
    for name in ["syn", "icmp"] {
        match result(text, name) {
            Some(v) if v.len() == 3 => {
                let rate = PROBES as f64 / v[2];
                println!(
                    "{who:<10} sr() {name:<4}: {:>6} answered, {:>5} unanswered, {:>7.2} s, {:>8.0} probes/s{}",
                    v[0],
                    v[1],
                    v[2],
                    rate,
                    if v[0] as usize == PROBES { "" } else { "  (ANSWERS LOST)" }
                );
                rates.push((name.to_string(), rate));
            }
            _ => println!("{who:<10} sr() {name}: no result\n{text}"),
        }
    }
    rates
}

/// Sends `n` UDP frames on the client's link from a thread inside the client namespace, as
/// fast as the socket takes them; the seconds it took.
fn blast(n: usize) -> f64 {
    let h = std::thread::spawn(move || {
        let ns = File::open(format!("/run/netns/{LAB}-client")).expect("client netns");
        // SAFETY: a valid namespace descriptor; only this thread moves.
        assert_eq!(
            unsafe { libc::setns(ns.as_raw_fd(), libc::CLONE_NEWNET) },
            0
        );
        let ifname = format!("{LAB}c0");
        let c = std::ffi::CString::new(ifname).expect("name");
        // SAFETY: plain libc calls on our own descriptor.
        unsafe {
            let fd = libc::socket(libc::AF_PACKET, libc::SOCK_RAW, 0);
            assert!(fd >= 0);
            let idx = libc::if_nametoindex(c.as_ptr());
            let mut sa: libc::sockaddr_ll = std::mem::zeroed();
            sa.sll_family = libc::AF_PACKET as u16;
            sa.sll_ifindex = idx as i32;
            sa.sll_halen = 6;
            sa.sll_protocol = 0x0800u16.to_be();
            // To a MAC nobody has: the router's kernel ignores the frames, its sniffer sees them.
            let mut f: Vec<u8> = vec![0x02, 0, 0, 0, 0, 0x99, 0x02, 0, 0, 0, 0, 0x10, 0x08, 0x00];
            f.extend_from_slice(&[
                0x45, 0, 0, 28, 0, 1, 0, 0, 64, 17, 0, 0, 198, 51, 100, 10, 198, 51, 100, 1,
            ]);
            f.extend_from_slice(&[0x30, 0x39, 0, 9, 0, 8, 0, 0]);
            let t0 = Instant::now();
            let mut sent = 0;
            while sent < n {
                let r = libc::sendto(
                    fd,
                    f.as_ptr().cast(),
                    f.len(),
                    0,
                    (&sa as *const libc::sockaddr_ll).cast(),
                    std::mem::size_of::<libc::sockaddr_ll>() as u32,
                );
                if r > 0 {
                    sent += 1;
                }
            }
            let dt = t0.elapsed().as_secs_f64();
            libc::close(fd);
            dt
        }
    });
    h.join().expect("sender")
}

/// Starts a sniffer (a command in the router namespace that creates `ready` once listening),
/// blasts the frames, and gives (send seconds, the sniffer's output).
fn sniff_run(cmd: &mut Command, ready: &std::path::Path) -> (f64, String) {
    let _ = std::fs::remove_file(ready);
    let child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("sniffer");
    let t0 = Instant::now();
    while !ready.exists() && t0.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(200));
    let dt = blast(FRAMES);
    let out = child.wait_with_output().expect("sniffer output");
    (dt, String::from_utf8_lossy(&out.stdout).into_owned())
}

fn main() {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        eprintln!("benches/net.rs needs root (network namespaces): run it as root");
        std::process::exit(1);
    }
    let _lab = lab();
    println!("sr() of {PROBES} probes to the lab server, all answers expected");
    let w = report_sr(
        "wirecraft",
        &wirecraft("client", &format!("% b\n+ s\n= sr\n{SR_BODY}")),
    );
    let py = scapy();
    if let Some(py) = &py {
        let s = report_sr(
            "Scapy 2.8",
            &python("client", py, &format!("from scapy.all import *\n{SR_BODY}")),
        );
        for ((n, a), (_, b)) in w.iter().zip(&s) {
            println!("ratio sr() {n:<4}: wirecraft {:.1}x Scapy", a / b);
        }
    } else {
        println!("(no target/scapy-venv: run scripts/scapy-reference for the comparison)");
    }

    println!("\nsniff(count={FRAMES}) on the router's end while this process sends at full speed");
    let ready = std::env::temp_dir().join("wirecraft-bench-net-ready");
    let body = format!(
        "import time\npkts = sniff(iface=\"{LAB}r0\", filter=\"udp and dst port 9\", count={FRAMES}, timeout=15, started_callback=lambda: open(\"{}\", \"w\").write(\"x\"))\nprint(\"RESULT sniff\", len(pkts))\n",
        ready.display()
    );
    let path = std::env::temp_dir().join("wirecraft-bench-net-sniff.uts");
    std::fs::write(&path, format!("% b\n+ s\n= sniff\n{body}")).expect("campaign");
    let mut wc = Command::new(root().join("tests/lab/lab.sh"));
    wc.args(["exec", LAB, "router", BIN, "-t"])
        .arg(&path)
        .args(["-f", "text", "--timeout", "120"]);
    let runs: Vec<(&str, Command)> = {
        let mut v = vec![("wirecraft", wc)];
        if let Some(py) = &py {
            let mut c = Command::new(root().join("tests/lab/lab.sh"));
            c.args(["exec", LAB, "router"])
                .arg(py)
                .args(["-c", &format!("from scapy.all import *\n{body}")]);
            v.push(("Scapy 2.8", c));
        }
        v
    };
    for (who, mut cmd) in runs {
        let (dt, out) = sniff_run(&mut cmd, &ready);
        let got = result(&out, "sniff")
            .and_then(|v| v.first().copied())
            .unwrap_or(0.0);
        println!(
            "{who:<10} sent {FRAMES} frames at {:>8.0} frames/s, sniffed {:>6} ({:.1}% lost)",
            FRAMES as f64 / dt,
            got,
            100.0 * (FRAMES as f64 - got) / FRAMES as f64
        );
    }
}
