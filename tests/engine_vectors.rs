//! The reference vectors (`../shared/vectors/core.jsonl`): for every vector whose layers the
//! engine has, the packet is built from its constructor expression and its bytes, summary,
//! repr, show, show2 and the dissection of its bytes must equal Scapy 2.8's, byte for byte.

mod engine_support;

use std::path::PathBuf;
use std::rc::Rc;

use engine_support::{diff as first_diff, hex, packet, unhex};
use wirecraft::packet::{dissect, Registry};

/// Checks one vector; the expression is read by the engine tests' constructor-expression
/// reader (tests/engine_support).
pub fn check(reg: &Rc<Registry>, v: &serde_json::Value) -> Result<(), String> {
    let s = |k: &str| v[k].as_str().unwrap_or("").to_string();
    let p = packet(reg, &s("expr")).map_err(|e| {
        if e.contains("unknown") || e.contains("not registered") {
            format!("unsupported layer: {e}")
        } else {
            e
        }
    })?;
    let bytes = p.build().map_err(|e| e.to_string())?;
    let mut errs = Vec::new();
    if hex(&bytes) != s("hex") {
        errs.push(format!("hex: got {}, want {}", hex(&bytes), s("hex")));
    }
    errs.extend(first_diff("summary", &p.summary(), &s("summary")));
    errs.extend(first_diff("repr", &p.repr(), &s("repr")));
    errs.extend(first_diff("show", &(p.show() + "\n"), &s("show")));
    let show2 = p.show2().map_err(|e| e.to_string())? + "\n";
    errs.extend(first_diff("show2", &show2, &s("show2")));
    let dexpr = s("dissect_expr");
    let class = dexpr.split('(').next().unwrap_or("");
    let def = reg
        .get(class)
        .ok_or_else(|| format!("unsupported layer {class}"))?;
    let d = dissect(&def, &unhex(&s("hex")));
    errs.extend(first_diff("dissect_repr", &d.repr(), &s("dissect_repr")));
    errs.extend(first_diff(
        "dissect_summary",
        &d.summary(),
        &s("dissect_summary"),
    ));
    if errs.is_empty() {
        Ok(())
    } else {
        Err(errs.join("\n    "))
    }
}

#[test]
fn reference_vectors() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/vectors/core.jsonl");
    let text = std::fs::read_to_string(&path).expect("the reference vectors");
    let reg = Rc::new(Registry::with_builtins());
    let (mut pass, mut fail, mut unsupported) = (Vec::new(), Vec::new(), Vec::new());
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line).expect("a JSON vector");
        let id = v["id"].as_str().unwrap_or("?").to_string();
        match check(&reg, &v) {
            Ok(()) => pass.push(id),
            Err(e) if e.starts_with("unsupported layer") => unsupported.push(format!("{id} ({e})")),
            Err(e) => fail.push(format!("{id}:\n    {e}")),
        }
    }
    println!(
        "reference vectors: {} pass, {} fail, {} use layers not offered yet",
        pass.len(),
        fail.len(),
        unsupported.len()
    );
    for u in &unsupported {
        println!("  not offered: {u}");
    }
    for f in &fail {
        println!("  FAIL {f}");
    }
    assert!(
        fail.is_empty(),
        "{} vectors differ from the reference",
        fail.len()
    );
}
