//! The packet API's text forms against Scapy 2.8 (`tests/data/engine_display.jsonl` and
//! `engine_ls.json`, from `scripts/gen-engine-vectors.py`): command(), ls(), sprintf(),
//! hide_defaults(), equality with the dissection; plus unit tests of the helpers.

mod engine_support;

use std::path::PathBuf;
use std::rc::Rc;

use engine_support::{diff, hex, packet, unhex};
use wirecraft::packet::sprintf::{py_format, FmtArg};
use wirecraft::packet::{
    dissect, export_object, fuzz, hexdump, import_hexcap, import_object, ls_class, ls_layers,
    ls_packet, Registry, Value,
};

fn data(name: &str) -> String {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn s(v: &serde_json::Value, k: &str) -> String {
    v[k].as_str().unwrap_or("").to_string()
}

#[test]
fn display_matches_the_reference() {
    let reg = Rc::new(Registry::with_builtins());
    let mut errs = Vec::new();
    let mut n = 0;
    for line in data("engine_display.jsonl").lines() {
        let v: serde_json::Value = serde_json::from_str(line).expect("JSON");
        let e = s(&v, "expr");
        let p = packet(&reg, &e).unwrap_or_else(|err| panic!("{e}: {err}"));
        let b = p.build().expect("build");
        let tag = |w: &str| format!("[{e}] {w}");
        if hex(&b) != s(&v, "hex") {
            errs.push(tag(&format!("hex {} != {}", hex(&b), s(&v, "hex"))));
        }
        errs.extend(diff(&tag("command"), &p.command(), &s(&v, "command")));
        // ICMP's timestamps default to the time the reference defined the class.
        let no_time = |t: &str| {
            t.lines()
                .filter(|l| !l.contains("ICMPTimeStampField"))
                .collect::<Vec<_>>()
                .join("\n")
        };
        errs.extend(diff(
            &tag("ls"),
            &no_time(&ls_packet(&p)),
            &no_time(&s(&v, "ls")),
        ));
        let q = dissect(&p.def(), &b);
        errs.extend(diff(
            &tag("dissect command"),
            &q.command(),
            &s(&v, "dissect_command"),
        ));
        for (key, pkt) in [("sprintf", &p), ("dissect_sprintf", &q)] {
            for (fmt, want) in v[key].as_object().into_iter().flatten() {
                n += 1;
                let want = want.as_str().unwrap_or("");
                match pkt.sprintf(fmt) {
                    Ok(got) => errs.extend(diff(&tag(&format!("{key} {fmt:?}")), &got, want)),
                    Err(err) if want.starts_with("ERROR") => {
                        let _ = err;
                    }
                    Err(err) => {
                        errs.push(tag(&format!("{key} {fmt:?}: error {err}, want {want:?}")))
                    }
                }
                if want.starts_with("ERROR") && pkt.sprintf(fmt).is_ok() {
                    errs.push(tag(&format!("{key} {fmt:?}: want {want}")));
                }
            }
        }
        let h = dissect(&p.def(), &b);
        h.hide_defaults();
        errs.extend(diff(
            &tag("hide_defaults"),
            &h.repr(),
            &s(&v, "hide_defaults_repr"),
        ));
        let eq = v["equal_to_dissection"].as_bool().unwrap_or(false);
        if (p == q) != eq {
            errs.push(tag(&format!("p == dissection: got {}, want {eq}", p == q)));
        }
    }
    println!("{n} sprintf checks");
    assert!(errs.is_empty(), "\n{}", errs.join("\n"));
}

#[test]
fn ls_of_classes_matches_the_reference() {
    let reg = Registry::with_builtins();
    let want: serde_json::Value = serde_json::from_str(&data("engine_ls.json")).expect("JSON");
    let mut errs = Vec::new();
    for (class, text) in want.as_object().into_iter().flatten() {
        let def = reg.def(class).expect("built-in class");
        errs.extend(diff(class, &ls_class(&def), text.as_str().unwrap_or("")));
    }
    assert!(errs.is_empty(), "\n{}", errs.join("\n"));
}

#[test]
fn ls_lists_layers_sorted() {
    let reg = Registry::with_builtins();
    let all = ls_layers(&reg, None);
    assert!(all.contains("ARP        : ARP\n"));
    assert!(all.contains("Ether      : Ethernet\n"));
    let lines: Vec<&str> = all.lines().collect();
    let mut sorted = lines.clone();
    sorted.sort();
    assert_eq!(lines, sorted);
    let some = ls_layers(&reg, Some("ip"));
    assert!(some.starts_with("IP         : IP\n"), "{some}");
    assert!(!some.contains("Ether"));
}

#[test]
fn python_percent_formats() {
    let t = |spec: &str, v: FmtArg| py_format(spec, &v).unwrap_or_else(|e| format!("ERR {e}"));
    assert_eq!(t("-6s", FmtArg::Text("ab".into())), "ab    ");
    assert_eq!(t("6s", FmtArg::Text("ab".into())), "    ab");
    assert_eq!(t("03x", FmtArg::Raw(Value::Int(6))), "006");
    assert_eq!(t("#x", FmtArg::Raw(Value::Int(255))), "0xff");
    assert_eq!(t("+d", FmtArg::Raw(Value::Int(5))), "+5");
    assert_eq!(t(".2f", FmtArg::Raw(Value::Float(1.005))), "1.00");
    assert_eq!(t("r", FmtArg::Raw(Value::Bytes(b"a".to_vec()))), "b'a'");
    assert!(py_format("x", &FmtArg::Text("S".into())).is_err());
}

#[test]
fn export_import_round_trip() {
    let reg = Rc::new(Registry::with_builtins());
    let p = packet(
        &reg,
        "IP(src=\"198.51.100.1\", dst=\"198.51.100.2\", ttl=(1, 3))/TCP(dport=[80, 443], options=[(\"MSS\", 1460)])/Raw(b\"payload\")",
    )
    .expect("packet");
    let text = export_object(&Value::Packet(p.clone()));
    assert!(text.lines().all(|l| l.len() <= 76));
    match import_object(&text, &reg) {
        Ok(Value::Packet(q)) => {
            assert_eq!(q.command(), p.command());
            assert_eq!(q.build().ok(), p.build().ok());
        }
        other => panic!("{other:?}"),
    }
    let v = Value::List(vec![
        Value::Int(-5),
        Value::Float(0.5),
        Value::Str("x".into()),
    ]);
    assert_eq!(import_object(&export_object(&v), &reg).ok(), Some(v));
    assert!(import_object("bm90IGFuIG9iamVjdA==", &reg).is_err());
}

#[test]
fn hexcap_reads_hexdump_back() {
    let reg = Rc::new(Registry::with_builtins());
    let p = packet(
        &reg,
        "IP(dst=\"198.51.100.2\")/TCP()/Raw(b\"hello world, a longer payload\")",
    )
    .expect("packet");
    let b = p.build().expect("build");
    assert_eq!(import_hexcap(&hexdump(&b)).ok(), Some(b));
    assert_eq!(import_hexcap("0000  45 00\n\nff").ok(), Some(unhex("4500")));
}

#[test]
fn fuzz_draws_new_values_and_keeps_explicit_ones() {
    let reg = Rc::new(Registry::with_builtins());
    let p = packet(&reg, "IP(dst=\"198.51.100.2\")/TCP(dport=80)").expect("packet");
    let f = fuzz(&p);
    assert_eq!(
        f.repr(),
        "<IP  frag=0 proto=tcp dst=198.51.100.2 |<TCP  dport=http |>>"
    );
    let tcp = f.getlayer("TCP", 1).expect("TCP");
    assert_eq!(tcp.field_repr("sport").as_deref(), Some("<RandShort>"));
    assert_eq!(tcp.field_repr("seq").as_deref(), Some("<RandInt>"));
    assert_eq!(tcp.field_repr("chksum").as_deref(), Some("None"));
    // As the reference: `options   = <RandTCPOptions>`, flags shown as a drawn number.
    assert!(
        f.show().contains("  options   = <RandTCPOptions>\n"),
        "{}",
        f.show()
    );
    assert!(f
        .command()
        .starts_with("IP(dst='198.51.100.2')/TCP(dport=80)"));
    let builds: Vec<Vec<u8>> = (0..8).filter_map(|_| f.build().ok()).collect();
    assert_eq!(builds.len(), 8);
    assert!(
        builds.iter().any(|b| b != &builds[0]),
        "random values are drawn per build"
    );
    for b in &builds {
        assert_eq!(&b[16..20], &[198, 51, 100, 2]);
        assert_eq!(&b[22..24], &[0, 80], "the explicit dport stays");
    }
}

#[test]
fn getfieldval_setfieldval_get_field_decode_payload_as() {
    let reg = Rc::new(Registry::with_builtins());
    let p = packet(&reg, "IP(dst=\"198.51.100.2\")/UDP(sport=1, dport=2)/Raw(b\"\\x00\\x01\\x00\\x02\\x00\\x08\\x00\\x00\")")
        .expect("packet");
    assert_eq!(p.getfieldval("dport").ok(), Some(Value::Int(2)));
    assert!(p.getfieldval("nosuch").is_err());
    p.setfieldval("ttl", 9).expect("ttl");
    assert_eq!(p.get("ttl"), Some(Value::Int(9)));
    assert_eq!(
        p.get_field("ttl")
            .map(|f| f.kind.class_name().to_string())
            .as_deref(),
        Some("ByteField")
    );
    assert!(
        p.get_field("dport").is_none(),
        "get_field looks in this layer only"
    );
    let udp = p.getlayer("UDP", 1).expect("UDP");
    udp.decode_payload_as(&reg.def("UDP").expect("UDP"))
        .expect("decode");
    assert_eq!(p.lastlayer().class_name(), "UDP");
    assert_eq!(p.lastlayer().get("len"), Some(Value::Int(8)));
    assert!(p.lastlayer().firstlayer().ptr_eq(&p));
}
