//! Field kinds against Scapy 2.8 (`tests/data/engine_fields.jsonl`, from
//! `scripts/gen-engine-vectors.py`): classes are built with `field_from_spec` from the same
//! constructor text Scapy evaluated; each instance's bytes, repr, show, ls and command, and
//! the dissection of its bytes (and of crafted bytes) must be Scapy's, byte for byte.

mod engine_support;

use std::path::PathBuf;
use std::rc::Rc;

use engine_support::{define, diff, hex, instance, unhex};
use wirecraft::packet::{dissect_with_warnings, ls_class, ls_packet, Registry};

fn data(name: &str) -> String {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn s(v: &serde_json::Value, k: &str) -> String {
    v[k].as_str().unwrap_or("").to_string()
}

fn check_case(case: &serde_json::Value) -> Vec<String> {
    let reg = Rc::new(Registry::with_builtins());
    let mut errs = Vec::new();
    let mut def = None;
    for c in case["classes"].as_array().into_iter().flatten() {
        let fields: Vec<String> = c["fields"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|f| f.as_str().map(str::to_string))
            .collect();
        match define(
            &reg,
            &s(c, "class"),
            &s(c, "name"),
            &fields,
            c["extract_padding"].as_bool().unwrap_or(false),
        ) {
            Ok(d) => def = Some(d),
            Err(e) => return vec![format!("define {}: {e}", s(c, "class"))],
        }
    }
    let Some(def) = def else {
        return vec!["no class".into()];
    };
    errs.extend(diff("ls(class)", &ls_class(&def), &s(case, "ls_class")));
    for inst in case["instances"].as_array().into_iter().flatten() {
        let kw = s(inst, "kwargs");
        let p = match instance(&reg, &def, &kw) {
            Ok(p) => p,
            Err(e) => {
                errs.push(format!("[{kw}] {e}"));
                continue;
            }
        };
        let tag = |w: &str| format!("[{kw}] {w}");
        match p.build() {
            Ok(b) => {
                if hex(&b) != s(inst, "hex") {
                    errs.push(tag(&format!(
                        "hex: got {}, want {}",
                        hex(&b),
                        s(inst, "hex")
                    )));
                }
            }
            Err(e) => errs.push(tag(&format!("build: {e}"))),
        }
        errs.extend(diff(&tag("repr"), &p.repr(), &s(inst, "repr")));
        errs.extend(diff(&tag("show"), &p.show(), &s(inst, "show")));
        errs.extend(diff(&tag("ls"), &ls_packet(&p), &s(inst, "ls")));
        errs.extend(diff(&tag("command"), &p.command(), &s(inst, "command")));
        let d = &inst["dissect"];
        let got = dissect_with_warnings(&def, &unhex(&s(inst, "hex"))).packet;
        if d.get("error").is_none() {
            errs.extend(diff(&tag("dissect repr"), &got.repr(), &s(d, "repr")));
            errs.extend(diff(&tag("dissect show"), &got.show(), &s(d, "show")));
            errs.extend(diff(
                &tag("dissect command"),
                &got.command(),
                &s(d, "command"),
            ));
            let rebuilt = got
                .build()
                .map(|b| hex(&b))
                .unwrap_or_else(|e| e.to_string());
            errs.extend(diff(&tag("rebuilt"), &rebuilt, &s(d, "rebuilt")));
        }
    }
    for d in case["dissect"].as_array().into_iter().flatten() {
        let h = s(d, "hex");
        let got = dissect_with_warnings(&def, &unhex(&h)).packet;
        let _ = got.show();
        if d.get("error").is_some() {
            // The reference raises; the engine keeps what it read and never panics.
            continue;
        }
        let tag = |w: &str| format!("[dissect {h}] {w}");
        errs.extend(diff(&tag("repr"), &got.repr(), &s(d, "repr")));
        errs.extend(diff(&tag("show"), &got.show(), &s(d, "show")));
        let rebuilt = got
            .build()
            .map(|b| hex(&b))
            .unwrap_or_else(|e| e.to_string());
        errs.extend(diff(&tag("rebuilt"), &rebuilt, &s(d, "rebuilt")));
    }
    errs
}

#[test]
fn field_kinds_match_the_reference() {
    let text = data("engine_fields.jsonl");
    let mut failures = Vec::new();
    let mut n = 0;
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let case: serde_json::Value = serde_json::from_str(line).expect("a JSON case");
        n += 1;
        let errs = check_case(&case);
        if !errs.is_empty() {
            failures.push(format!("{}:\n    {}", s(&case, "id"), errs.join("\n    ")));
        }
    }
    println!("{n} field cases, {} differ", failures.len());
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}
