//! Engine hot path: build and dissect of `Ether()/IP()/TCP()/"payload"`, in ns/op, against
//! Scapy 2.8 doing the same (timeit, same run).
//!
//! `cargo bench --bench engine`. The reference python is `SCAPY_PYTHON`, else
//! `target/scapy-venv/bin/python`; without it only wirecraft is timed and the bench says why.

use std::hint::black_box;
use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

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
}
