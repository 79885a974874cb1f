//! The live network, for real: the `netaccess` campaigns (`campaigns/selftest/net/`, the
//! documentation's network examples in `campaigns/examples/network.uts`, the endless loops of
//! `tests/fixtures/net/timeouts.uts`) run by the built binary inside the client namespace of
//! the lab (tests/lab/lab.sh), where the server's and router's answers are their kernels'.
//!
//! Safety (../shared/design/lab.md): the binary runs inside the lab's client namespace, whose
//! only links are lab links and which has no default route; the campaigns send only to lab
//! addresses and the client's loopback; every loop is bounded by a count or the runner's
//! timeout; the lab is torn down when the last test using it ends, passed or failed. The lab
//! name is fixed and a file lock keeps concurrent runs apart (lab.sh up removes leftovers).
//!
//! These tests need root and `ip netns`, as CI has: without them they fail, loudly.

use std::fs::File;
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Mutex;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_wirecraft");
const LAB: &str = "wcnl";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn lab_sh(args: &[&str]) -> Result<Output, String> {
    Command::new(root().join("tests/lab/lab.sh"))
        .args(args)
        .output()
        .map_err(|e| format!("lab.sh {args:?}: {e}"))
}

/// Users of the lab and the lock held while it is up.
static LAB_STATE: Mutex<(usize, Option<File>)> = Mutex::new((0, None));

/// A user of the lab; the last one dropped (even while unwinding) tears it down.
struct Lab;

fn lab() -> Lab {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        panic!(
            "tests/net_live.rs needs root: it builds network namespaces (tests/lab/lab.sh). \
             Run the tests as root, as CI does."
        );
    }
    let mut st = LAB_STATE.lock().unwrap_or_else(|e| e.into_inner());
    if st.0 == 0 {
        let path = format!("/run/wirecraft-lab-{LAB}.lock");
        let f = File::create(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        // SAFETY: a valid open descriptor.
        if unsafe { libc::flock(f.as_raw_fd(), libc::LOCK_EX) } != 0 {
            panic!("flock {path}: {}", std::io::Error::last_os_error());
        }
        let out = lab_sh(&["up", LAB]).unwrap_or_else(|e| panic!("{e}"));
        if !out.status.success() {
            let _ = lab_sh(&["down", LAB]);
            panic!(
                "the lab did not come up: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        st.1 = Some(f);
    }
    st.0 += 1;
    Lab
}

impl Drop for Lab {
    fn drop(&mut self) {
        let mut st = LAB_STATE.lock().unwrap_or_else(|e| e.into_inner());
        st.0 = st.0.saturating_sub(1);
        if st.0 == 0 {
            let _ = lab_sh(&["down", LAB]);
            // Closing the file releases the lock.
            st.1 = None;
        }
    }
}

/// Runs the binary in the lab's client namespace, with `prefix` before it (setpriv...), from
/// the repository root; the report goes to `report` (text format).
fn run_in_client(prefix: &[&str], args: &[&str], report: &Path) -> Output {
    let mut a: Vec<String> = vec!["exec".into(), LAB.into(), "client".into()];
    a.extend(prefix.iter().map(|s| s.to_string()));
    a.push(BIN.into());
    a.extend(args.iter().map(|s| s.to_string()));
    a.extend([
        "-f".into(),
        "text".into(),
        "-o".into(),
        report.to_string_lossy().into_owned(),
    ]);
    Command::new(root().join("tests/lab/lab.sh"))
        .args(&a)
        .current_dir(root())
        .output()
        .expect("running the binary in the lab")
}

fn report_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("net_live_{name}.txt"))
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The transcript of the unit test named `name` in a text report.
fn section<'a>(report: &'a str, name: &str) -> &'a str {
    let head = report
        .find(&format!("] {name}\n"))
        .unwrap_or_else(|| panic!("no test '{name}' in the report"));
    let rest = &report[head..];
    let end = rest[1..].find("\n###(").map_or(rest.len(), |i| i + 1);
    &rest[..end]
}

fn assert_passed(out: &Output, report: &Path) {
    let text = read(report);
    assert!(
        out.status.success(),
        "the campaigns failed in the lab (exit {:?}):\n{}\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr),
        text.split("\n###(")
            .filter(|t| t.contains("=[failed]"))
            .collect::<Vec<_>>()
            .join("\n###(")
    );
}

#[test]
fn selftest_net_campaigns_pass_in_the_lab() {
    let _lab = lab();
    let report = report_path("selftest");
    let out = run_in_client(&[], &["-t", "campaigns/selftest/net/*.uts", "-b"], &report);
    assert_passed(&out, &report);
    let text = read(&report);

    // The documented outputs, as Scapy 2.8 prints them (progress lines as the issue names).
    let send = section(&text, "send: a \".\" per packet, then \"Sent N packets.\"");
    assert!(
        send.contains("\n...\nSent 3 packets.\n") && send.contains("\n..\nSent 2 packets.\n"),
        "{send}"
    );
    let scan = section(
        &text,
        "A TCP SYN scan: SA for the open ports, RA for the closed one, the filtered one unanswered",
    );
    assert!(scan.contains("Begin emission:\n"), "{scan}");
    assert!(scan.contains("Finished sending 4 packets.\n"), "{scan}");
    assert!(
        scan.lines().any(|l| l.starts_with("Received ")
            && l.ends_with(" packets, got 3 answers, remaining 1 packets")),
        "{scan}"
    );
    let retry = section(
        &text,
        "retry=-2 on the filtered port: three emission rounds, no answer",
    );
    assert_eq!(retry.matches("Begin emission:").count(), 3, "{retry}");
    assert_eq!(
        retry.matches("Finished sending 1 packets.").count(),
        3,
        "{retry}"
    );
    let srloop = section(&text, "srloop prints its lines");
    let round = "\rsend...\r \rRECV 1: IP / TCP 203.0.113.20:http > 198.51.100.10:ftp_data SA\n        \rfail 1: IP / TCP 198.51.100.10:ftp_data > 203.0.113.99:http S\n        ";
    assert_eq!(srloop.matches(round).count(), 2, "{srloop:?}");
    assert!(
        srloop.contains("\nSent 4 packets, received 2 packets. 50.0% hits.\n"),
        "{srloop:?}"
    );
    let route = section(&text, "conf.route prints the table");
    assert!(
        route.contains(
            "Network          Netmask          Gateway       Iface   Output IP      Metric"
        ) && route
            .contains("203.0.113.0      255.255.255.0    198.51.100.1  wcnlc0  0.0.0.0        0"),
        "{route}"
    );
    let sniffed = section(
        &text,
        "prn's result is printed, lfilter keeps, stop_filter stops, store=False keeps nothing",
    );
    assert!(sniffed.contains("\n203.0.113.20 answers\n"), "{sniffed}");

    // The probing functions' tables, laid out as Scapy 2.8 lays them out (the router's MAC
    // is random, so its row is matched by shape).
    let arping = section(
        &text,
        "arping: the router answers, its table is shown, cache=True fills conf.netcache",
    );
    let header = arping
        .lines()
        .position(|l| l == "src                manuf    psrc        ")
        .unwrap_or_else(|| panic!("{arping}"));
    let row = arping.lines().nth(header + 1).unwrap_or_default();
    assert!(
        row.len() == 40 && row.ends_with("  unknown  198.51.100.1"),
        "{arping}"
    );
    let trace = section(
        &text,
        "traceroute: the router at TTL 1, the server after; get_trace marks the end of the route",
    );
    assert!(
        trace.contains(
            "\n  203.0.113.20:tcp80 \n1 198.51.100.1    11 \n2 203.0.113.20    SA \n3 203.0.113.20    SA \n"
        ) && trace.contains(
            "\n  203.0.113.20:tcp22 203.0.113.20:tcp80 203.0.113.21:tcp22 203.0.113.21:tcp80 \n\
             1 198.51.100.1    11 198.51.100.1    11 198.51.100.1    11 198.51.100.1    11 \n\
             2 203.0.113.20    SA 203.0.113.20    SA 203.0.113.21    RA 203.0.113.21    RA \n"
        ) && trace.contains(
            "\n  203.0.113.20:udp33434 \n1 198.51.100.1    11    \n2 203.0.113.20    3     \n"
        ),
        "{trace}"
    );
    let ports = section(
        &text,
        "report_ports: open, closed and unanswered ports as a LaTeX table",
    );
    assert!(
        ports.contains(
            "\\begin{tabular}{|r|l|l|}\n\\hline\nhttp & open & SA \\\\\n\\hline\n\
             81 & closed & TCP RA \\\\\n\\hline\n82 & ? & unanswered \\\\\n\\hline\n\\end{tabular}\n"
        ),
        "{ports}"
    );
}

#[test]
fn endless_send_and_sniff_end_at_the_tests_timeout() {
    let _lab = lab();
    let report = report_path("timeouts");
    let t0 = Instant::now();
    let out = run_in_client(
        &[],
        &["-t", "tests/fixtures/net/timeouts.uts", "--timeout", "2"],
        &report,
    );
    assert!(
        t0.elapsed() < Duration::from_secs(60),
        "the endless loops were not stopped"
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = read(&report);
    for (name, status) in [
        ("send(loop=1) runs until the timeout stops it", "failed"),
        ("the campaign goes on after it", "passed"),
        (
            "sniff() without count runs until the timeout stops it",
            "failed",
        ),
        ("and goes on after that too", "passed"),
    ] {
        let s = section(&text, name);
        assert!(
            text.contains(&format!("=[{status}] {name}\n")),
            "{name}: {s}"
        );
        if status == "failed" {
            assert!(s.contains("Test timed out after 2 s"), "{s}");
        }
    }
}

#[test]
fn a_run_without_root_says_so() {
    let _lab = lab();
    let report = report_path("nonroot");
    let campaign = report_path("nonroot_campaign");
    std::fs::write(
        &campaign,
        "% not root\n+ s\n= sniff\nsniff(iface=\"lo\", count=1, timeout=1)\n= sr1\nsr1(IP(dst=\"203.0.113.20\")/ICMP(), timeout=1)\n",
    )
    .expect("campaign");
    let nobody_report = PathBuf::from("/tmp/wirecraft_net_live_nonroot.txt");
    let _ = std::fs::remove_file(&nobody_report);
    let out = run_in_client(
        &[
            "setpriv",
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
        ],
        &["-t", &campaign.to_string_lossy()],
        &nobody_report,
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = read(&nobody_report);
    let _ = std::fs::rename(&nobody_report, &report);
    for name in ["sniff", "sr1"] {
        let s = section(&text, name);
        assert!(
            s.contains("PermissionError: [Errno 1] Operation not permitted: opening a PF_PACKET socket needs root (CAP_NET_RAW)"),
            "{s}"
        );
    }
}

#[test]
fn the_documentations_network_examples_run_in_the_lab() {
    let _lab = lab();
    let report = report_path("examples");
    let out = run_in_client(&[], &["-t", "campaigns/examples/network.uts"], &report);
    assert_passed(&out, &report);
    let text = read(&report);
    // p0f: the crafted SYN is recognized, the server kernel's SYN+ACK is fingerprinted.
    let p0f = section(&text, "Passive OS fingerprinting");
    assert!(p0f.contains("| OS       = Linux 3.11 and newer\n"), "{p0f}");
    assert!(p0f.contains("(SYN+ACK) ]-\n"), "{p0f}");
    let attacks = section(&text, "3.3.8 Classical attacks");
    assert!(attacks.contains("\nSent 41 packets.\n"), "{attacks}");
    let ack = section(&text, "3.3.1 ACK Scan");
    assert!(
        ack.contains("80 is unfiltered\n666 is unfiltered\n"),
        "{ack}"
    );
}
