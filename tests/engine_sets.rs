//! Implicit sets of packets against Scapy 2.8 (`tests/data/engine_sets.json`): lists,
//! `(low, high[, step])` ranges and networks in fields; iterating yields Scapy's order,
//! building uses the first element; 2.8's refusals of ranges and wildcards in addresses.
//! Plus random values: drawn at each build, fixed per element when iterating.

mod engine_support;

use std::path::PathBuf;
use std::rc::Rc;

use engine_support::{diff, hex, packet};
use wirecraft::packet::sets::Net;
use wirecraft::packet::volatile::{rand_ip, rand_num, rand_short, seed};
use wirecraft::packet::{Registry, Value};

fn s(v: &serde_json::Value, k: &str) -> String {
    v[k].as_str().unwrap_or("").to_string()
}

#[test]
fn sets_match_the_reference() {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/engine_sets.json");
    let data: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(p).expect("data")).expect("JSON");
    let reg = Rc::new(Registry::with_builtins());
    let mut errs = Vec::new();
    for v in data["sets"].as_array().into_iter().flatten() {
        let e = s(v, "expr");
        let p = packet(&reg, &e).unwrap_or_else(|err| panic!("{e}: {err}"));
        let tag = |w: &str| format!("[{e}] {w}");
        errs.extend(diff(&tag("repr"), &p.repr(), &s(v, "repr")));
        errs.extend(diff(&tag("show"), &p.show(), &s(v, "show")));
        errs.extend(diff(&tag("command"), &p.command(), &s(v, "command")));
        let b = p.build().map(|b| hex(&b)).unwrap_or_else(|e| e.to_string());
        errs.extend(diff(&tag("hex"), &b, &s(v, "hex")));
        assert!(p.is_set());
        let items = p.iter_set();
        let want: Vec<String> = v["items"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|x| x.as_str().map(str::to_string))
            .collect();
        let want_hex: Vec<&str> = v["items_hex"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|x| x.as_str())
            .collect();
        if items.len() != want.len() {
            errs.push(tag(&format!("{} items, want {}", items.len(), want.len())));
            continue;
        }
        for (k, (it, w)) in items.iter().zip(&want).enumerate() {
            errs.extend(diff(&tag(&format!("item {k}")), &it.repr(), w));
            let h = it
                .build()
                .map(|b| hex(&b))
                .unwrap_or_else(|e| e.to_string());
            errs.extend(diff(&tag(&format!("item {k} hex")), &h, want_hex[k]));
        }
    }
    for (expr, msg) in data["errors"].as_object().into_iter().flatten() {
        let got = match packet(&reg, expr) {
            Ok(_) => "no error".to_string(),
            Err(e) => e,
        };
        let msg = msg.as_str().unwrap_or("");
        if !got.ends_with(msg) {
            errs.push(format!("{expr}: got {got:?}, want {msg:?}"));
        }
    }
    assert!(errs.is_empty(), "\n{}", errs.join("\n"));
}

#[test]
fn a_plain_packet_is_a_set_of_one() {
    let reg = Rc::new(Registry::with_builtins());
    let p = packet(&reg, "IP(dst=\"198.51.100.2\")/TCP()").expect("packet");
    assert!(!p.is_set());
    let items = p.iter_set();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].build().ok(), p.build().ok());
}

#[test]
fn random_values_draw_at_each_build_and_fix_when_iterated() {
    seed(42);
    let reg = Rc::new(Registry::with_builtins());
    let p = packet(&reg, "IP(dst=\"198.51.100.2\")/UDP()").expect("packet");
    p.set("id", rand_short()).expect("id");
    p.set("src", rand_ip(Some("10.0.0.0/8")).expect("RandIP"))
        .expect("src");
    p.getlayer("UDP", 1)
        .expect("UDP")
        .set("sport", rand_num(1000, 1009))
        .expect("sport");
    assert_eq!(
        p.repr(),
        "<IP  id=<RandShort> frag=0 proto=udp src=<RandIP> dst=198.51.100.2 |<UDP  sport=<RandNum> |>>"
    );
    assert_eq!(
        p.command(),
        // Fields set after construction follow in the order they were set.
        "IP(dst='198.51.100.2', id=RandShort(), src=RandIP(iptemplate='10.0.0.0/8'))/UDP(sport=RandNum(min=1000, max=1009))"
    );
    let mut ids = std::collections::HashSet::new();
    for _ in 0..20 {
        let b = p.build().expect("build");
        ids.insert((b[4], b[5]));
        assert_eq!(b[12], 10, "RandIP stays in its network");
        let sport = u16::from_be_bytes([b[20], b[21]]);
        assert!((1000..=1009).contains(&sport));
    }
    assert!(ids.len() > 1, "a new id at each build");
    let fixed = p.iter_set();
    assert_eq!(fixed.len(), 1);
    let a = fixed[0].build().expect("build");
    assert_eq!(
        fixed[0].build().expect("build"),
        a,
        "iteration fixes the values"
    );
    assert!(!fixed[0].repr().contains("Rand"));
}

#[test]
fn nets_follow_inet_aton_and_spans() {
    let n = Net::parse("198.51.100.0/30").expect("net");
    assert_eq!(n.count, 4);
    assert_eq!(n.repr(), "Net(\"198.51.100.0/30\")");
    let reg = Rc::new(Registry::with_builtins());
    let p = packet(&reg, "IP(dst=\"198.51.100.0/31\", src=\"198.51.100.1\")").expect("packet");
    assert_eq!(
        p.get("dst").map(|v| v.py_repr()),
        Some("Net(\"198.51.100.0/31\")".into())
    );
    let dsts: Vec<Value> = p.iter_set().iter().filter_map(|x| x.get("dst")).collect();
    assert_eq!(
        dsts,
        vec![
            Value::Ip4("198.51.100.0".parse().expect("ip")),
            Value::Ip4("198.51.100.1".parse().expect("ip"))
        ]
    );
}

/// Net6 on its own: repr, str (the first address), size and elements as Scapy 2.8 gives them.
#[test]
fn net6_matches_the_reference() {
    use wirecraft::packet::sets::Net6;
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/engine_sets.json");
    let data: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(p).expect("data")).expect("JSON");
    let reg = Rc::new(Registry::with_builtins());
    let mut errs = Vec::new();
    let cases = data["net6"].as_array().expect("net6 cases");
    assert!(cases.len() >= 9);
    for v in cases {
        let e = s(v, "expr");
        let n = match engine_support::Parser::new(&e)
            .expr()
            .and_then(|x| engine_support::plain(&reg, &x))
        {
            Ok(Value::Net6(n)) => n,
            other => panic!("{e}: {other:?}"),
        };
        errs.extend(diff(&format!("{e} repr"), &n.repr(), &s(v, "repr")));
        errs.extend(diff(&format!("{e} str"), &n.first_text(), &s(v, "str")));
        if n.count() < u128::MAX {
            errs.extend(diff(
                &format!("{e} count"),
                &n.count().to_string(),
                &s(v, "count"),
            ));
        } else {
            assert_eq!(s(v, "count"), "340282366920938463463374607431768211456");
        }
        let items: Vec<String> = v["items"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|x| x.as_str().map(str::to_string))
            .collect();
        if n.count() <= 16 {
            let got: Vec<String> = (0..n.count()).map(|i| n.nth(i).to_string()).collect();
            if got != items {
                errs.push(format!("{e} items: got {got:?}, want {items:?}"));
            }
        }
    }
    let n = Net6::parse("2001:db8::/126", None).expect("net6");
    assert!(n.contains("2001:db8::3".parse().expect("a")));
    assert!(!n.contains("2001:db8::4".parse().expect("a")));
    assert!(errs.is_empty(), "\n{}", errs.join("\n"));
}
