//! Engine hot path against Scapy 2.8 on the same machine, in the same run.
//!
//! `cargo bench --bench engine`. The reference python is `SCAPY_PYTHON`, else
//! `target/scapy-venv/bin/python`; without it only wirecraft is timed and the bench says why.
//!
//! - Build and dissect of `Ether()/IP()/TCP()/"payload"` through the Rust API, and a
//!   campaign-style class bound to UDP, against Scapy doing the same.
//! - Workloads timed three ways: through the Rust API, through the campaign language (a
//!   snippet run in a `Session`, in process) and in Scapy 2.8 (the same snippet): the core
//!   protocols (Ether/IP/TCP with options/Raw and Ether/IPv6/UDP/Raw, issue 6) and a packet of
//!   five fixed-size layers of a protocol the snippet defines (`class L1(Packet)`,
//!   `bind_layers`, issue 5), built (constructed and turned into bytes) and dissected.
//!   Each side checks that its bytes are the reference's.
//!
//! Times are CPU time (the timing thread's for the Rust API, the process's for both
//! interpreters), the best of [`REPEATS`] repetitions: other processes on a loaded machine
//! inflate neither, and both sides are measured the same way. Figures are ns/packet and the
//! ratios Scapy / wirecraft.

use std::hint::black_box;
use std::path::PathBuf;
use std::process::Command;
use std::rc::Rc;
use std::time::Duration;

use wirecraft::lang::{Outcome, Session, StopFlag};
use wirecraft::packet::{
    bind_layers, dissect, field_from_spec, Arg, Args, LayerDef, Packet, Registry, Value,
};

/// Repetitions of each timed loop, on every side; the best is kept. CPU time leaves out
/// other processes' turns, but not what they do to this one on a shared machine (caches,
/// clock): with 3, one burst of a neighbour's load could slow every repetition of a 40 ms
/// loop, and the same binary timed 173 ns in one run and 250 ns in the next.
const REPEATS: u32 = 7;

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

/// The best CPU ns per call of `f` over [`REPEATS`] runs of `iters` calls (after a warm-up).
fn ns_per_op(iters: u32, mut f: impl FnMut()) -> f64 {
    for _ in 0..iters / 10 {
        f();
    }
    (0..REPEATS)
        .map(|_| {
            let start = thread_cpu();
            for _ in 0..iters {
                f();
            }
            (thread_cpu() - start).as_nanos() as f64 / f64::from(iters)
        })
        .fold(f64::INFINITY, f64::min)
}

/// A layer as a campaign defines one (`class Proto(Packet): fields_desc = [...]`), built
/// through the constructor registry the language uses.
fn campaign_layer(reg: &Registry) -> Rc<LayerDef> {
    let names = Arg::Map(vec![
        (Value::Int(1), Arg::Val("hello".into())),
        (Value::Int(2), Arg::Val("bye".into())),
    ]);
    let fields = vec![
        field("ByteEnumField", "kind", Value::Int(1), vec![names]),
        field(
            "FlagsField",
            "flags",
            Value::Int(0),
            vec![Arg::Val(Value::Int(8)), Arg::Val("ABCDEFGH".into())],
        ),
        field("XShortField", "id", Value::Int(0x1234), vec![]),
        field("IntField", "seq", Value::Int(7), vec![]),
        field(
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

/// `Class("name", default, extra...)` of a campaign's `fields_desc`.
fn field(class: &str, name: &str, default: Value, extra: Vec<Arg>) -> wirecraft::packet::FieldDef {
    let mut pos = vec![Arg::Val(name.into()), Arg::Val(default)];
    pos.extend(extra);
    field_from_spec(class, Args::pos(pos)).expect("field")
}

fn layer(reg: &Registry, class: &str) -> Packet {
    reg.new_layer(class).expect("built-in layer")
}

fn scapy_python() -> PathBuf {
    std::env::var_os("SCAPY_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/scapy-venv/bin/python")
        })
}

/// (build ns, dissect ns) of `Ether()/IP()/TCP()/"payload"` in Scapy 2.8, or why not.
fn scapy() -> Result<(f64, f64), String> {
    let script = r#"
import time
from scapy.all import Ether, IP, TCP, conf
conf.verb = 0
p = Ether(dst="00:11:22:33:44:55", src="66:77:88:99:aa:bb")/IP(src="198.51.100.1", dst="198.51.100.2")/TCP()/"payload"
b = bytes(p)
n = 2000
def best(f):
    r = []
    for _ in range(3):
        t = time.process_time()
        for _ in range(n):
            f()
        r.append((time.process_time() - t) / n)
    return min(r)
print(best(lambda: bytes(p)) * 1e9, best(lambda: Ether(b)) * 1e9)
"#;
    let (_, b, d) = run_scapy(script)?;
    Ok((b, d))
}

/// Runs a script under the reference python: its printed lines before the last, and the
/// last line's two numbers.
fn run_scapy(script: &str) -> Result<(String, f64, f64), String> {
    let python = scapy_python();
    if !python.exists() {
        return Err(format!("no reference python at {}", python.display()));
    }
    let out = Command::new(&python)
        .args(["-c", script])
        .output()
        .map_err(|e| format!("cannot run {}: {e}", python.display()))?;
    let text = String::from_utf8_lossy(&out.stdout);
    match split_timings(&text) {
        Some(t) => Ok(t),
        None => Err(format!(
            "reference run failed: {}",
            String::from_utf8_lossy(&out.stderr)
                .lines()
                .last()
                .unwrap_or("no output")
        )),
    }
}

/// The lines a snippet printed before its last, and the two numbers of the last line.
fn split_timings(text: &str) -> Option<(String, f64, f64)> {
    let text = text.trim_end();
    let (head, last) = text.rsplit_once('\n').unwrap_or(("", text));
    let nums: Vec<f64> = last
        .split_whitespace()
        .filter_map(|t| t.parse().ok())
        .collect();
    match nums.as_slice() {
        [b, d] => Some((head.to_string(), *b, *d)),
        _ => None,
    }
}

/// A workload: its name, the campaign code it needs first, the expression that makes the
/// packet and the class that dissects its bytes.
struct Workload {
    name: &'static str,
    prelude: &'static str,
    expr: &'static str,
    class: &'static str,
}

/// Five fixed-size layers of a protocol a campaign defines, each bound to the next by its
/// `nxt` field (issue 5).
const FIVE_LAYERS: &str = r#"
class L1(Packet):
    name = "L1"
    fields_desc = [ByteField("nxt", 0), XShortField("id", 0x1111), IntField("seq", 1), FlagsField("flags", 0, 8, "ABCDEFGH")]

class L2(Packet):
    name = "L2"
    fields_desc = [ByteField("nxt", 0), BitField("ver", 4, 4), BitField("hl", 5, 4), ShortEnumField("kind", 1, {1: "one", 2: "two"}), IPField("addr", "192.0.2.1")]

class L3(Packet):
    name = "L3"
    fields_desc = [ByteField("nxt", 0), MACField("mac", "02:00:00:00:00:01"), LongField("stamp", 123456789)]

class L4(Packet):
    name = "L4"
    fields_desc = [ByteField("nxt", 0), ByteEnumField("code", 3, {3: "three"}), LEShortField("le", 7), XIntField("cookie", 0xdeadbeef)]

class L5(Packet):
    name = "L5"
    fields_desc = [ByteField("nxt", 0), StrFixedLenField("tag", b"wirecraft", 9), ShortField("len", 0)]

bind_layers(L1, L2, nxt=2)
bind_layers(L2, L3, nxt=3)
bind_layers(L3, L4, nxt=4)
bind_layers(L4, L5, nxt=5)
"#;

const WORKLOADS: &[Workload] = &[
    Workload {
        name: "Ether/IP/TCP(options)/Raw",
        prelude: "",
        expr: r#"Ether(dst="00:11:22:33:44:55", src="66:77:88:99:aa:bb")/IP(src="198.51.100.1", dst="198.51.100.2")/TCP(sport=1234, dport=80, flags="S", options=[("MSS", 1460), ("SAckOK", b""), ("Timestamp", (12345, 0)), ("NOP", None), ("WScale", 7)])/Raw(b"GET / HTTP/1.0\r\n\r\n")"#,
        class: "Ether",
    },
    Workload {
        name: "Ether/IPv6/UDP/Raw",
        prelude: "",
        expr: r#"Ether(dst="00:11:22:33:44:55", src="66:77:88:99:aa:bb")/IPv6(src="2001:db8::1", dst="2001:db8::2")/UDP(sport=40000, dport=40001)/Raw(b"query payload")"#,
        class: "Ether",
    },
    Workload {
        name: "L1/L2/L3/L4/L5 (campaign-defined)",
        prelude: FIVE_LAYERS,
        expr: r#"L1(id=5, flags="AC")/L2(addr="198.51.100.1", kind=2)/L3(stamp=42)/L4(cookie=0xcafe)/L5(len=3)"#,
        class: "L1",
    },
];

/// The snippet both interpreters run: the prelude, the bytes as hex, then the best of
/// REPEATS loops of N builds and of N dissections; prints "build_ns dissect_ns" per packet.
fn snippet(w: &Workload, n: u32) -> String {
    format!(
        "import time\n\
{prelude}\n\
print(raw({expr}).hex())\n\
n = {n}\n\
tb = td = None\n\
for rep in range({REPEATS}):\n    \
    t = time.process_time()\n    \
    for i in range(n):\n        b = raw({expr})\n    \
    t1 = time.process_time() - t\n    \
    t = time.process_time()\n    \
    for i in range(n):\n        p = {class}(b)\n    \
    t2 = time.process_time() - t\n    \
    tb = t1 if tb is None else min(tb, t1)\n    \
    td = t2 if td is None else min(td, t2)\n\
print('%d %d' % (tb * 1e9 / n, td * 1e9 / n))\n",
        prelude = w.prelude,
        expr = w.expr,
        class = w.class,
    )
}

/// The snippet in a wirecraft session, in process, on the runner's 256 MiB stack.
fn language(source: String) -> Result<(String, f64, f64), String> {
    std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(move || {
            let mut session = Session::new("bench.py", StopFlag::new());
            let mut out = String::new();
            match session.run_module("bench.py", &source, &mut out) {
                Outcome::Completed { .. } => {
                    split_timings(&out).ok_or_else(|| format!("no timings in {out:?}"))
                }
                other => Err(format!("{other:?}: {out}")),
            }
        })
        .map_err(|e| e.to_string())?
        .join()
        .map_err(|_| "the session panicked".to_string())?
}

/// The snippet in Scapy 2.8.
fn scapy_snippet(source: &str) -> Result<(String, f64, f64), String> {
    run_scapy(&format!("from scapy.all import *\nconf.verb = 0\n{source}"))
}

fn mac(p: Packet) -> Packet {
    p.with("dst", "00:11:22:33:44:55")
        .and_then(|p| p.with("src", "66:77:88:99:aa:bb"))
        .expect("Ether")
}

/// Ether/IP/TCP with options/Raw, built with the Rust API.
fn tcp_options(reg: &Registry) -> Packet {
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
    mac(layer(reg, "Ether")) / ip / tcp / "GET / HTTP/1.0\r\n\r\n"
}

/// Ether/IPv6/UDP/Raw, built with the Rust API. The ports are bound to no protocol, so the
/// payload stays Raw in both tools (53 and 5353 would make it DNS).
fn ipv6_udp(reg: &Registry) -> Packet {
    let ip6 = layer(reg, "IPv6")
        .with("src", "2001:db8::1")
        .and_then(|p| p.with("dst", "2001:db8::2"))
        .expect("IPv6");
    let udp = layer(reg, "UDP")
        .with("sport", 40000)
        .and_then(|p| p.with("dport", 40001))
        .expect("UDP");
    mac(layer(reg, "Ether")) / ip6 / udp / "query payload"
}

/// The five layers of [`FIVE_LAYERS`], defined through the Rust API: the same field
/// constructors and bindings as the class statements.
fn five_layer_defs(reg: &Registry) -> Vec<Rc<LayerDef>> {
    let names = |pairs: &[(i128, &str)]| {
        Arg::Map(
            pairs
                .iter()
                .map(|(k, v)| (Value::Int(*k), Arg::Val((*v).into())))
                .collect(),
        )
    };
    let int = |i: i128| Arg::Val(Value::Int(i));
    let nxt = || field("ByteField", "nxt", Value::Int(0), vec![]);
    let tables = [
        vec![
            nxt(),
            field("XShortField", "id", Value::Int(0x1111), vec![]),
            field("IntField", "seq", Value::Int(1), vec![]),
            field(
                "FlagsField",
                "flags",
                Value::Int(0),
                vec![int(8), Arg::Val("ABCDEFGH".into())],
            ),
        ],
        vec![
            nxt(),
            field("BitField", "ver", Value::Int(4), vec![int(4)]),
            field("BitField", "hl", Value::Int(5), vec![int(4)]),
            field(
                "ShortEnumField",
                "kind",
                Value::Int(1),
                vec![names(&[(1, "one"), (2, "two")])],
            ),
            field("IPField", "addr", "192.0.2.1".into(), vec![]),
        ],
        vec![
            nxt(),
            field("MACField", "mac", "02:00:00:00:00:01".into(), vec![]),
            field("LongField", "stamp", Value::Int(123_456_789), vec![]),
        ],
        vec![
            nxt(),
            field(
                "ByteEnumField",
                "code",
                Value::Int(3),
                vec![names(&[(3, "three")])],
            ),
            field("LEShortField", "le", Value::Int(7), vec![]),
            field("XIntField", "cookie", Value::Int(0xdead_beef), vec![]),
        ],
        vec![
            nxt(),
            field(
                "StrFixedLenField",
                "tag",
                Value::Bytes(b"wirecraft".to_vec()),
                vec![int(9)],
            ),
            field("ShortField", "len", Value::Int(0), vec![]),
        ],
    ];
    let defs: Vec<Rc<LayerDef>> = tables
        .into_iter()
        .enumerate()
        .map(|(i, fields)| {
            let name = format!("L{}", i + 1);
            reg.register(LayerDef::new(&name, &name, fields))
        })
        .collect();
    for (i, pair) in defs.windows(2).enumerate() {
        bind_layers(&pair[0], &pair[1], &[("nxt", Value::Int(i as i128 + 2))]).expect("bind");
    }
    defs
}

/// `L1(id=5, flags="AC")/L2(addr="198.51.100.1", kind=2)/L3(stamp=42)/L4(cookie=0xcafe)/L5(len=3)`
/// with the Rust API.
fn five_layers(defs: &[Rc<LayerDef>]) -> Packet {
    let l1 = Packet::new(&defs[0])
        .with("id", 5)
        .and_then(|p| p.with("flags", "AC"))
        .expect("L1");
    let l2 = Packet::new(&defs[1])
        .with("addr", "198.51.100.1")
        .and_then(|p| p.with("kind", 2))
        .expect("L2");
    let l3 = Packet::new(&defs[2]).with("stamp", 42).expect("L3");
    let l4 = Packet::new(&defs[3]).with("cookie", 0xcafe).expect("L4");
    let l5 = Packet::new(&defs[4]).with("len", 3).expect("L5");
    l1 / l2 / l3 / l4 / l5
}

/// A workload through the Rust API: its bytes, (construct + build ns, dissect ns).
fn rust_api(reg: &Registry, w: &Workload, iters: u32) -> (Vec<u8>, f64, f64) {
    let five = (!w.prelude.is_empty()).then(|| five_layer_defs(reg));
    let make = || -> Packet {
        match &five {
            Some(defs) => five_layers(defs),
            None if w.name.contains("IPv6") => ipv6_udp(reg),
            None => tcp_options(reg),
        }
    };
    let bytes = make().build().expect("build");
    let class = reg.def(w.class).expect("class");
    let build = ns_per_op(iters, || {
        black_box(make().build().expect("build"));
    });
    let diss = ns_per_op(iters, || {
        black_box(dissect(&class, black_box(&bytes)));
    });
    (bytes, build, diss)
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn workloads() {
    println!();
    println!(
        "Workloads, CPU ns/packet, best of {REPEATS} (ratio = Scapy 2.8 / wirecraft); build = construct + bytes"
    );
    for w in WORKLOADS {
        // A fresh registry per workload: the five layers register classes of their own.
        let reg = Registry::with_builtins();
        let (bytes, rb, rd) = rust_api(&reg, w, 50_000);
        let lang = language(snippet(w, 20_000));
        let scapy = scapy_snippet(&snippet(w, 2_000));
        println!("{}", w.name);
        let reference = scapy.as_ref().ok().map(|s| s.0.trim().to_string());
        for (who, got) in [
            ("Rust API", Some(hex(&bytes))),
            (
                "language",
                lang.as_ref().ok().map(|l| l.0.trim().to_string()),
            ),
        ] {
            if let (Some(r), Some(g)) = (&reference, got) {
                if *r != g {
                    println!("  {who} bytes differ from Scapy's: {g} != {r}");
                }
            }
        }
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
            lang.as_ref().map(|x| x.1),
            scapy.as_ref().map(|x| x.1),
        );
        row(
            "dissect",
            rd,
            lang.as_ref().map(|x| x.2),
            scapy.as_ref().map(|x| x.2),
        );
    }
}

fn main() {
    // Configured as the `wirecraft` binary configures itself.
    wirecraft::alloc::configure_process();
    let reg = Registry::with_builtins();
    let ether = mac(layer(&reg, "Ether"));
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
    // A source port of its own: UDP's default (53) would make the bytes DNS on the way back,
    // as in Scapy, and the workload is the campaign's layer.
    let udp = layer(&reg, "UDP").with("sport", 1234).expect("UDP");
    let q = &(&(&ether / &ip) / &udp) / &Packet::new(&proto);
    let qbytes = q.build().expect("build");
    let cbuild = ns_per_op(iters, || {
        black_box(black_box(&q).build().expect("build"));
    });
    let cdiss = ns_per_op(iters, || {
        black_box(dissect(&ether_def, black_box(&qbytes)));
    });
    println!(
        "Ether()/IP()/TCP()/\"payload\" ({} bytes), CPU ns/op, best of {REPEATS}",
        bytes.len()
    );
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
    workloads();
}
