//! DNS, BOOTP/DHCP and ISAKMP against Scapy 2.8 (`tests/data/app_vectors.jsonl`, generated
//! by `scripts/gen-app-vectors.py`): packets built from fields (bytes, summary, repr, show,
//! show2, and the dissection of the bytes) and bytes from the wire, compressed DNS names and
//! malformed or truncated input included (repr, summary and show of the dissection).
//! `campaigns/selftest/vectors_app.uts` checks the same data through the language.

mod engine_support;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::rc::Rc;

use engine_support::{diff, hex, packet, unhex};
use wirecraft::packet::Registry;

fn vectors() -> Vec<serde_json::Value> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/app_vectors.jsonl");
    let text = std::fs::read_to_string(path).expect("tests/data/app_vectors.jsonl");
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("a JSON vector"))
        .collect()
}

/// What differs between the engine and one vector (empty: nothing).
fn check(reg: &Rc<Registry>, v: &serde_json::Value) -> Result<Vec<String>, String> {
    let s = |k: &str| v[k].as_str().map(str::to_string);
    let mut errs = Vec::new();
    let (class, bytes) = if v["kind"] == "build" {
        let p = packet(reg, &s("expr").unwrap_or_default())?;
        let built = p.build().map_err(|e| e.to_string())?;
        let want = s("hex").unwrap_or_default();
        if hex(&built) != want {
            errs.push(format!("hex: got {}, want {want}", hex(&built)));
        }
        errs.extend(diff(
            "summary",
            &p.summary(),
            &s("summary").unwrap_or_default(),
        ));
        // Scapy 2.8 cannot repr some packets (a DHCP option given as a 1-tuple).
        if let Some(r) = s("repr") {
            errs.extend(diff("repr", &p.repr(), &r));
        }
        if let Some(show) = s("show") {
            errs.extend(diff("show", &(p.show() + "\n"), &show));
        }
        if let Some(show2) = s("show2") {
            let got = p.show2().map_err(|e| e.to_string())? + "\n";
            errs.extend(diff("show2", &got, &show2));
        }
        let dexpr = s("dissect_expr").unwrap_or_default();
        (dexpr.split('(').next().unwrap_or("").to_string(), built)
    } else {
        (
            s("class").unwrap_or_default(),
            unhex(&s("hex").unwrap_or_default()),
        )
    };
    let def = reg
        .get(&class)
        .ok_or_else(|| format!("unsupported layer {class}"))?;
    let d = wirecraft::packet::dissect(&def, &bytes);
    errs.extend(diff(
        "dissect_repr",
        &d.repr(),
        &s("dissect_repr").unwrap_or_default(),
    ));
    errs.extend(diff(
        "dissect_summary",
        &d.summary(),
        &s("dissect_summary").unwrap_or_default(),
    ));
    if let Some(show) = s("dissect_show") {
        errs.extend(diff("dissect_show", &(d.show() + "\n"), &show));
    }
    Ok(errs)
}

#[test]
fn application_protocol_vectors_match_the_reference() {
    let reg = Rc::new(Registry::with_builtins());
    let all = vectors();
    assert!(all.len() >= 100, "only {} vectors", all.len());
    let mut per_tag: BTreeMap<String, usize> = BTreeMap::new();
    let mut fail = Vec::new();
    for v in &all {
        *per_tag
            .entry(v["tag"].as_str().unwrap_or("?").to_string())
            .or_default() += 1;
        match check(&reg, v) {
            Ok(errs) if errs.is_empty() => {}
            Ok(errs) => fail.push(format!(
                "{} {}:\n    {}",
                v["id"],
                v["expr"],
                errs.join("\n    ")
            )),
            Err(e) => fail.push(format!("{} {}:\n    {e}", v["id"], v["expr"])),
        }
    }
    println!(
        "application vectors: {} pass, {} fail; per family {per_tag:?}",
        all.len() - fail.len(),
        fail.len()
    );
    for f in &fail {
        println!("  FAIL {f}");
    }
    assert!(fail.is_empty(), "{} application vectors differ", fail.len());
}
