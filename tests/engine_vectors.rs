//! The reference vectors (`../shared/vectors/core.jsonl`): for every vector whose layers the
//! engine has, the packet is built from its constructor expression and its bytes, summary,
//! repr, show, show2 and the dissection of its bytes must equal Scapy 2.8's, byte for byte.

mod engine_support;

use std::path::PathBuf;
use std::rc::Rc;

use engine_support::check_vector;
use wirecraft::packet::Registry;

#[test]
fn reference_vectors() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/vectors/core.jsonl");
    let text = std::fs::read_to_string(&path).expect("the reference vectors");
    let reg = Rc::new(Registry::with_builtins());
    let (mut pass, mut fail, mut unsupported) = (Vec::new(), Vec::new(), Vec::new());
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line).expect("a JSON vector");
        let id = v["id"].as_str().unwrap_or("?").to_string();
        match check_vector(&reg, &v) {
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
