//! Engine hot path: build and dissect of `Ether()/IP()/TCP()/"payload"`, in ns/op, against
//! Scapy 2.8 doing the same (timeit, same run).
//!
//! `cargo bench --bench engine`. The reference python is `SCAPY_PYTHON`, else
//! `target/scapy-venv/bin/python`; without it only wirecraft is timed and the bench says why.
//!
//! Then the core protocols' workloads, each timed three ways in the same run: Ether/IP/TCP
//! with options/Raw and Ether/IPv6/UDP/Raw, built (constructed and turned into bytes) and
//! dissected, through the Rust API, through the campaign language (a snippet run in a
//! `Session`, in process, timed around the loop) and in Scapy 2.8 (the same snippet, timed
//! around the loop); ns/packet and the ratios Scapy / wirecraft.

use std::hint::black_box;
use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use wirecraft::lang::{Outcome, Session, StopFlag};
use wirecraft::packet::{dissect, field_from_spec, Arg, Args, LayerDef, Packet, Registry, Value};

/// A layer as a campaign defines one (`class Proto(Packet): fields_desc = [...]`), built
/// through the constructor registry the language uses.
fn campaign_layer(reg: &Registry) -> std::rc::Rc<LayerDef> {
    let f = |class: &str, name: &str, default: Value, extra: Vec<Arg>| {
        let mut pos = vec![Arg::Val(name.into()), Arg::Val(default)];
        pos.extend(extra);
        field_from_spec(class, Args::pos(pos)).expect("field")
    };
    let names = Arg::Map(vec![
        (Value::Int(1), Arg::Val("hello".into())),
        (Value::Int(2), Arg::Val("bye".into())),
    ]);
    let fields = vec![
        f("ByteEnumField", "kind", Value::Int(1), vec![names]),
        f(
            "FlagsField",
            "flags",
            Value::Int(0),
            vec![Arg::Val(Value::Int(8)), Arg::Val("ABCDEFGH".into())],
        ),
        f("XShortField", "id", Value::Int(0x1234), vec![]),
        f("IntField", "seq", Value::Int(7), vec![]),
        f(
            "StrField",
            "data",
            Value::Bytes(b"payload".to_vec()),
            vec![],
        ),
    ];
    let d = reg.register(LayerDef::new("Proto", "Proto", fields));
    reg.bind_layers("UDP", "Proto", &[("dport", Value::Int(4242))])
        .expect("bind");
    d
}

fn ns_per_op(iters: u32, mut f: impl FnMut()) -> f64 {
    for _ in 0..iters / 10 {
        f();
    }
    let start = Instant::now();
    for _ in 0..iters {
        f();
    }
    start.elapsed().as_nanos() as f64 / f64::from(iters)
}

fn layer(reg: &Registry, class: &str) -> Packet {
    reg.new_layer(class).expect("built-in layer")
}

/// (build ns, dissect ns) in Scapy 2.8, or why not.
fn scapy() -> Result<(f64, f64), String> {
    let python = std::env::var_os("SCAPY_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/scapy-venv/bin/python")
        });
    if !python.exists() {
        return Err(format!("no reference python at {}", python.display()));
    }
    let script = r#"
import timeit
from scapy.all import Ether, IP, TCP, conf
conf.verb = 0
p = Ether(dst="00:11:22:33:44:55", src="66:77:88:99:aa:bb")/IP(src="198.51.100.1", dst="198.51.100.2")/TCP()/"payload"
b = bytes(p)
n = 2000
tb = min(timeit.repeat(lambda: bytes(p), number=n, repeat=3)) / n
td = min(timeit.repeat(lambda: Ether(b), number=n, repeat=3)) / n
print(tb * 1e9, td * 1e9)
"#;
    let out = Command::new(&python)
        .args(["-c", script])
        .output()
        .map_err(|e| format!("cannot run {}: {e}", python.display()))?;
    let text = String::from_utf8_lossy(&out.stdout);
    let nums: Vec<f64> = text
        .split_whitespace()
        .filter_map(|t| t.parse().ok())
        .collect();
    match nums.as_slice() {
        [b, d] => Ok((*b, *d)),
        _ => Err(format!(
            "reference run failed: {}",
            String::from_utf8_lossy(&out.stderr)
                .lines()
                .last()
                .unwrap_or("")
        )),
    }
}

/// The workloads as campaign-language (and Python) expressions: (name, build, dissect class).
const WORKLOADS: &[(&str, &str, &str)] = &[
    (
        "Ether/IP/TCP(options)/Raw",
        r#"Ether(dst="00:11:22:33:44:55", src="66:77:88:99:aa:bb")/IP(src="198.51.100.1", dst="198.51.100.2")/TCP(sport=1234, dport=80, flags="S", options=[("MSS", 1460), ("SAckOK", b""), ("Timestamp", (12345, 0)), ("NOP", None), ("WScale", 7)])/Raw(b"GET / HTTP/1.0\r\n\r\n")"#,
        "Ether",
    ),
    (
        "Ether/IPv6/UDP/Raw",
        r#"Ether(dst="00:11:22:33:44:55", src="66:77:88:99:aa:bb")/IPv6(src="2001:db8::1", dst="2001:db8::2")/UDP(sport=5353, dport=53)/Raw(b"query payload")"#,
        "Ether",
    ),
];

/// The snippet both interpreters run: N builds then N dissections of one workload, each
/// loop timed inside the program; prints "build_ns dissect_ns" per packet.
fn snippet(expr: &str, class: &str, n: u32) -> String {
    format!(
        "import time\n\
n = {n}\n\
t = time.perf_counter()\n\
for i in range(n):\n    b = raw({expr})\n\
tb = time.perf_counter() - t\n\
t = time.perf_counter()\n\
for i in range(n):\n    p = {class}(b)\n\
td = time.perf_counter() - t\n\
print('%d %d' % (tb * 1e9 / n, td * 1e9 / n))\n"
    )
}

fn two_numbers(text: &str) -> Option<(f64, f64)> {
    let nums: Vec<f64> = text
        .split_whitespace()
        .filter_map(|t| t.parse().ok())
        .collect();
    match nums.as_slice() {
        [.., b, d] => Some((*b, *d)),
        _ => None,
    }
}

/// The snippet in a wirecraft session, in process, on the runner's 256 MiB stack.
fn language(source: String) -> Result<(f64, f64), String> {
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

fn scapy_python() -> PathBuf {
    std::env::var_os("SCAPY_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/scapy-venv/bin/python")
        })
}

/// The snippet in Scapy 2.8.
fn scapy_snippet(source: &str) -> Result<(f64, f64), String> {
    let python = scapy_python();
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

/// The workload through the Rust API: (construct + build ns, dissect ns).
fn rust_api(reg: &Registry, name: &str, iters: u32) -> (f64, f64) {
    let mac = |p: Packet| {
        p.with("dst", "00:11:22:33:44:55")
            .and_then(|p| p.with("src", "66:77:88:99:aa:bb"))
            .expect("Ether")
    };
    let make = || -> Packet {
        if name.contains("IPv6") {
            let ip6 = layer(reg, "IPv6")
                .with("src", "2001:db8::1")
                .and_then(|p| p.with("dst", "2001:db8::2"))
                .expect("IPv6");
            let udp = layer(reg, "UDP")
                .with("sport", 5353)
                .and_then(|p| p.with("dport", 53))
                .expect("UDP");
            &(&(&mac(layer(reg, "Ether")) / &ip6) / &udp) / "query payload"
        } else {
            let ip = layer(reg, "IP")
                .with("src", "198.51.100.1")
                .and_then(|p| p.with("dst", "198.51.100.2"))
                .expect("IP");
            let opt = |n: &str, v: Value| Value::Tuple(vec![Value::Str(n.into()), v]);
            let options = Value::List(vec![
                opt("MSS", Value::Int(1460)),
                opt("SAckOK", Value::Bytes(Vec::new())),
                opt(
                    "Timestamp",
                    Value::Tuple(vec![Value::Int(12345), Value::Int(0)]),
                ),
                opt("NOP", Value::None),
                opt("WScale", Value::Int(7)),
            ]);
            let tcp = layer(reg, "TCP")
                .with("sport", 1234)
                .and_then(|p| p.with("dport", 80))
                .and_then(|p| p.with("flags", "S"))
                .and_then(|p| p.with("options", options))
                .expect("TCP");
            &(&(&mac(layer(reg, "Ether")) / &ip) / &tcp) / "GET / HTTP/1.0\r\n\r\n"
        }
    };
    let bytes = make().build().expect("build");
    let ether = reg.def("Ether").expect("Ether");
    let build = ns_per_op(iters, || {
        black_box(make().build().expect("build"));
    });
    let diss = ns_per_op(iters, || {
        black_box(dissect(&ether, black_box(&bytes)));
    });
    (build, diss)
}

fn core_workloads(reg: &Registry) {
    println!();
    println!("Core protocols, ns/packet (ratio = Scapy 2.8 / wirecraft)");
    for (name, expr, class) in WORKLOADS {
        let (rb, rd) = rust_api(reg, name, 50_000);
        let lang = language(snippet(expr, class, 20_000));
        let scapy = scapy_snippet(&snippet(expr, class, 2_000));
        println!("{name}");
        let row = |what: &str,
                   rust: f64,
                   lang: Result<f64, &String>,
                   scapy: Result<f64, &String>| {
            let lang_txt = match lang {
                Ok(l) => format!("{l:>9.0}"),
                Err(e) => format!("failed: {e}"),
            };
            match scapy {
                Ok(s) => {
                    let lr = lang.map(|l| format!("{:>6.0}x", s / l)).unwrap_or_default();
                    println!(
                        "  {what:<8} rust {rust:>8.0}   language {lang_txt}   scapy {s:>9.0}   ratio rust {:>6.0}x, language {lr}",
                        s / rust
                    );
                }
                Err(e) => println!(
                    "  {what:<8} rust {rust:>8.0}   language {lang_txt}   scapy not timed ({e})"
                ),
            }
        };
        row(
            "build",
            rb,
            lang.as_ref().map(|x| x.0),
            scapy.as_ref().map(|x| x.0),
        );
        row(
            "dissect",
            rd,
            lang.as_ref().map(|x| x.1),
            scapy.as_ref().map(|x| x.1),
        );
    }
}

fn main() {
    let reg = Registry::with_builtins();
    let ether = layer(&reg, "Ether")
        .with("dst", "00:11:22:33:44:55")
        .and_then(|p| p.with("src", "66:77:88:99:aa:bb"))
        .expect("Ether");
    let ip = layer(&reg, "IP")
        .with("src", "198.51.100.1")
        .and_then(|p| p.with("dst", "198.51.100.2"))
        .expect("IP");
    let p = &(&(&ether / &ip) / &layer(&reg, "TCP")) / "payload";
    let bytes = p.build().expect("build");
    let ether_def = reg.def("Ether").expect("Ether");

    let iters = 200_000;
    let build = ns_per_op(iters, || {
        black_box(black_box(&p).build().expect("build"));
    });
    let diss = ns_per_op(iters, || {
        black_box(dissect(&ether_def, black_box(&bytes)));
    });
    let stack = ns_per_op(iters, || {
        black_box(&(&(&ether / &ip) / &layer(&reg, "TCP")) / "payload");
    });
    let proto = campaign_layer(&reg);
    let q = &(&(&ether / &ip) / &layer(&reg, "UDP")) / &Packet::new(&proto);
    let qbytes = q.build().expect("build");
    let cbuild = ns_per_op(iters, || {
        black_box(black_box(&q).build().expect("build"));
    });
    let cdiss = ns_per_op(iters, || {
        black_box(dissect(&ether_def, black_box(&qbytes)));
    });
    println!("Ether()/IP()/TCP()/\"payload\" ({} bytes)", bytes.len());
    println!("  wirecraft build    {build:>10.0} ns/op");
    println!("  wirecraft dissect  {diss:>10.0} ns/op");
    println!("  wirecraft a/b/c/d  {stack:>10.0} ns/op (constructing the packet)");
    println!(
        "  campaign class (Ether/IP/UDP/Proto, {} bytes): build {cbuild:.0} ns/op, dissect {cdiss:.0} ns/op",
        qbytes.len()
    );
    match scapy() {
        Ok((sb, sd)) => {
            println!(
                "  scapy 2.8 build    {sb:>10.0} ns/op   ratio {:>6.0}x",
                sb / build
            );
            println!(
                "  scapy 2.8 dissect  {sd:>10.0} ns/op   ratio {:>6.0}x",
                sd / diss
            );
        }
        Err(why) => println!("  scapy 2.8: not timed ({why})"),
    }
    core_workloads(&Registry::with_builtins());
}
