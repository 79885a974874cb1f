//! The engine's Rust API: Scapy's packet semantics (layers, reference views, overloads,
//! defaults, bindings at run time) and the display helpers.

use std::rc::Rc;

use wirecraft::packet::{
    bind_layers, dissect, hexdump, split_layers, FieldDef, FixedResolver, LayerDef, Packet,
    Registry, Value,
};

fn layer(reg: &Registry, class: &str) -> Packet {
    reg.new_layer(class).expect("built-in layer")
}

#[test]
fn view_through_getlayer_changes_the_packet() {
    let reg = Registry::with_builtins();
    let p = &layer(&reg, "IP") / &layer(&reg, "TCP");
    let tcp = p.getlayer("TCP", 1).expect("TCP");
    tcp.set("sport", 5).expect("sport");
    assert_eq!(p.repr(), "<IP  frag=0 proto=tcp |<TCP  sport=5 |>>");
    assert!(tcp.underlayer().expect("under").ptr_eq(&p));
}

#[test]
fn div_and_copy_clone() {
    let reg = Registry::with_builtins();
    let ip = layer(&reg, "IP");
    let tcp = layer(&reg, "TCP");
    let p = &ip / &tcp;
    tcp.set("dport", 22).expect("dport");
    assert_eq!(p.get("dport"), Some(Value::Int(80)));
    let q = p.copy();
    q.set("ttl", 3).expect("ttl");
    assert_eq!(p.get("ttl"), Some(Value::Int(64)));
    // A field the first layer lacks is looked up in the payload.
    assert_eq!(q.get("sport"), Some(Value::Int(20)));
}

#[test]
fn del_returns_to_default_and_overload() {
    let reg = Registry::with_builtins();
    let p = &layer(&reg, "IP") / &layer(&reg, "UDP");
    p.set("proto", 6).expect("proto");
    assert_eq!(p.get("proto"), Some(Value::Int(6)));
    p.del("proto").expect("del");
    assert_eq!(p.get("proto"), Some(Value::Int(17)));
    assert!(p.set("nosuchfield", 1).is_err());
}

#[test]
fn conversions_on_assignment() {
    let reg = Registry::with_builtins();
    let t = layer(&reg, "TCP");
    t.set("flags", "SA").expect("flags");
    assert_eq!(t.get("flags"), Some(Value::Int(0x12)));
    t.set("dport", "https").expect("service name");
    assert_eq!(t.get("dport"), Some(Value::Int(443)));
    assert!(t.set("dport", "no-such-service").is_err());
    let ip = layer(&reg, "IP");
    ip.set("flags", "MF+DF").expect("flags");
    assert_eq!(ip.field_repr("flags").as_deref(), Some("MF+DF"));
}

#[test]
fn strings_on_the_right_become_raw() {
    let reg = Registry::with_builtins();
    let p = &layer(&reg, "UDP") / "hi";
    assert_eq!(p.repr(), "<UDP  |<Raw  load=b'hi' |>>");
}

#[test]
fn bindings_change_at_run_time() {
    let reg = Registry::with_builtins();
    let udp = reg.def("UDP").expect("UDP");
    // A campaign-style layer: declared at run time, bound to a UDP port.
    let mine = reg.register(LayerDef::new(
        "Mine",
        "My protocol",
        vec![FieldDef::new(
            "x",
            wirecraft::packet::fields::xshort(),
            Value::Int(7),
        )],
    ));
    bind_layers(&udp, &mine, &[("dport", Value::Int(4242))]).expect("bind");
    // Not from port 53 (UDP's default): the DNS binding would come first, as in Scapy.
    let udp_layer = layer(&reg, "UDP");
    udp_layer.set("sport", 1234).expect("sport");
    let p = &(&layer(&reg, "IP") / &udp_layer) / &Packet::new(&mine);
    assert_eq!(p.get("dport"), Some(Value::Int(4242)));
    let bytes = p.build().expect("build");
    let back = dissect(&reg.def("IP").expect("IP"), &bytes);
    assert_eq!(back.lastlayer().class_name(), "Mine");
    assert!(back.show().contains("###[ My protocol ]###"));
    split_layers(&udp, &mine, &[]).expect("split");
    let back = dissect(&reg.def("IP").expect("IP"), &bytes);
    assert_eq!(back.lastlayer().class_name(), "Raw");
}

#[test]
fn campaign_hooks_are_closures() {
    let reg = Registry::with_builtins();
    let mut d = LayerDef::new(
        "Hello",
        "Hello",
        vec![FieldDef::new(
            "n",
            wirecraft::packet::fields::byte(),
            Value::Int(1),
        )],
    );
    d.hooks.mysummary = Some(Rc::new(|p: &Packet| {
        Some((
            format!("Hello n={}", p.field_repr("n").unwrap_or_default()),
            vec![],
        ))
    }));
    let h = reg.register(d);
    assert_eq!(Packet::new(&h).summary(), "Hello n=1");
}

#[test]
fn resolver_fills_sources() {
    let r = FixedResolver {
        routes: vec![(
            "198.51.100.0".parse().expect("addr"),
            24,
            "198.51.100.7".parse().expect("addr"),
            [2, 0, 0, 0, 0, 7],
        )],
        neighbours: vec![("198.51.100.2".parse().expect("addr"), [2, 0, 0, 0, 0, 2])],
    };
    wirecraft::packet::resolver::install(Rc::new(r));
    let reg = Registry::with_builtins();
    let ip = layer(&reg, "IP").with("dst", "198.51.100.2").expect("dst");
    let p = &layer(&reg, "Ether") / &ip;
    let b = p.build().expect("build");
    assert_eq!(&b[..12], &[2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 7]);
    assert_eq!(&b[26..30], &[198, 51, 100, 7]);
    wirecraft::packet::resolver::install(Rc::new(FixedResolver::loopback()));
}

#[test]
fn hexdump_format() {
    // Reference: hexdump(IP()/TCP()/'hello world') in Scapy 2.8.
    let reg = Registry::with_builtins();
    let p = &(&layer(&reg, "IP") / &layer(&reg, "TCP")) / "hello world";
    let want = "0000  45 00 00 33 00 01 00 00 40 06 7C C2 7F 00 00 01  E..3....@.|.....\n\
                0010  7F 00 00 01 00 14 00 50 00 00 00 00 00 00 00 00  .......P........\n\
                0020  50 02 20 00 FF A2 00 00 68 65 6C 6C 6F 20 77 6F  P. .....hello wo\n\
                0030  72 6C 64                                         rld";
    assert_eq!(hexdump(&p.build().expect("build")), want);
}

#[test]
fn in4_chksum_over_an_ip_layer() {
    let reg = Registry::with_builtins();
    let ip = layer(&reg, "IP")
        .with("src", "198.51.100.1")
        .and_then(|p| p.with("dst", "198.51.100.2"))
        .expect("IP");
    let p = &(&ip / &layer(&reg, "TCP")) / "data";
    let b = p.build().expect("build");
    let mut seg = b[20..].to_vec();
    let sent = u16::from_be_bytes([seg[16], seg[17]]);
    seg[16] = 0;
    seg[17] = 0;
    assert_eq!(
        wirecraft::packet::checksum::in4_chksum_layer(6, &p, &seg),
        sent
    );
    assert_eq!(wirecraft::packet::checksum::checksum(&b[..20]), 0);
}

#[test]
fn warnings_are_logged_as_scapy_words_them() {
    use wirecraft::packet::log::{format_warning, take_log, take_warnings, Level};
    let reg = Registry::with_builtins();
    take_log();
    let ip = layer(&reg, "IP").with("dst", "198.51.100.2").expect("dst");
    let p = &layer(&reg, "Ether") / &ip;
    let b = p.build().expect("build");
    assert_eq!(&b[..6], &[0xff; 6]);
    let w = take_warnings();
    assert_eq!(
        w.iter().map(|m| format_warning(m)).collect::<Vec<_>>(),
        vec!["WARNING: MAC address to reach destination not found. Using broadcast.".to_string()]
    );
    // A dissection's notes are informational, as the reference logs them.
    let e = layer(&reg, "Ether")
        .with("dst", "00:11:22:33:44:55")
        .expect("dst");
    let mut bytes = (&(&e / &ip) / &layer(&reg, "TCP")).build().expect("build");
    take_log();
    bytes[14 + 20 + 12] = 0x20; // dataofs 2
    let _ = dissect(&reg.def("Ether").expect("Ether"), &bytes);
    let log = take_log();
    assert!(log
        .iter()
        .any(|(l, m)| *l == Level::Info && m == "bad dataofs (2). Assuming dataofs=5"));
}
