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

#[test]
fn action_field_calls_the_layer_method() {
    use std::cell::RefCell;
    use wirecraft::packet::layer::LayerDef;
    use wirecraft::packet::{field_from_spec, Arg, Args, Packet, Value};
    let inner = field_from_spec(
        "ByteField",
        Args::pos(vec![Arg::Val("a".into()), Arg::Val(Value::Int(1))]),
    )
    .expect("ByteField");
    let f = field_from_spec(
        "ActionField",
        Args::pos(vec![Arg::Field(inner), Arg::Val("seen".into())]).kw("tag", Value::Int(7)),
    )
    .expect("ActionField");
    let mut d = LayerDef::new("A", "A", vec![f]);
    let calls: Rc<RefCell<Vec<String>>> = Rc::default();
    let c = calls.clone();
    d.hooks.methods.insert(
        "seen".into(),
        Rc::new(move |_l, v, kw| {
            c.borrow_mut().push(format!("{v:?} {kw:?}"));
            Ok(())
        }),
    );
    let d = Rc::new(d);
    let p = Packet::new(&d);
    p.set("a", 9).expect("set");
    assert_eq!(calls.borrow().as_slice(), ["9 [(\"tag\", 7)]"]);
    assert_eq!(p.build().ok(), Some(vec![9]));
    assert_eq!(
        p.get_field("a")
            .map(|f| f.kind.class_name().to_string())
            .as_deref(),
        Some("ActionField")
    );
    // A method the layer lacks is Python's AttributeError.
    let bare = Rc::new(LayerDef::new("B", "B", d.fields.clone()));
    assert!(Packet::new(&bare).set("a", 1).is_err());
}

#[test]
fn constructor_errors_read_as_python() {
    use wirecraft::packet::{field_from_spec, Arg, Args, SpecError, Value};
    let e = field_from_spec("ByteField", Args::pos(vec![Arg::Val("a".into())]));
    assert_eq!(
        e.err(),
        Some(SpecError::Type(
            "ByteField.__init__() missing 1 required positional argument: 'default'".into()
        ))
    );
    let e = field_from_spec(
        "ShortField",
        Args::pos(vec![Arg::Val("a".into()), Arg::Val(Value::Int(1))]).kw("size", Value::Int(3)),
    );
    assert_eq!(
        e.err(),
        Some(SpecError::Type(
            "ShortField.__init__() got an unexpected keyword argument 'size'".into()
        ))
    );
    assert_eq!(
        field_from_spec("NoSuchField", Args::default())
            .err()
            .map(|e| e.to_string()),
        Some("name 'NoSuchField' is not defined".into())
    );
    // Every listed class name is known to the registry.
    for c in wirecraft::packet::spec::FIELD_CLASSES {
        let r = field_from_spec(c, Args::default());
        assert!(!matches!(r, Err(SpecError::UnknownClass(_))), "{c}");
    }
}

#[test]
fn ip_options_field_pads_to_words_and_reads_ihl() {
    use wirecraft::packet::layer::LayerDef;
    use wirecraft::packet::{dissect, Packet, Value};
    let reg = Rc::new(Registry::with_builtins());
    let d = engine_support::define(
        &reg,
        "Opts",
        "Opts",
        &[
            "BitField(\"version\", 4, 4)".to_string(),
            "BitField(\"ihl\", 6, 4)".to_string(),
            "IPOptionsField(\"options\", b\"\\x01\")".to_string(),
        ],
        false,
    )
    .expect("class");
    let _: &Rc<LayerDef> = &d;
    let b = Packet::new(&d).build().expect("build");
    assert_eq!(b, vec![0x46, 1, 0, 0, 0]);
    let p = dissect(&d, &[0x46, 1, 2, 3, 4, 9]);
    assert_eq!(p.get("options"), Some(Value::Bytes(vec![1, 2, 3, 4])));
    assert_eq!(p.lastlayer().get("load"), Some(Value::Bytes(vec![9])));
}
