//! Port, protocol and EtherType names from a built-in copy of Debian netbase's
//! `/etc/services`, `/etc/protocols` and `/etc/ethertypes`, so output is the same on every host.

use std::collections::HashMap;
use std::sync::OnceLock;

use super::fields::EnumNames;

/// A number ↔ name table parsed from one of the files.
#[derive(Debug, Default)]
pub struct NameTable {
    by_num: HashMap<i128, String>,
    by_name: HashMap<String, i128>,
}

impl NameTable {
    fn insert(&mut self, num: i128, name: String) {
        // The last line for a number wins, as in the reference's loader.
        self.by_name.insert(name.clone(), num);
        self.by_num.insert(num, name);
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.by_num.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.by_num.is_empty()
    }
}

impl EnumNames for NameTable {
    fn name(&self, v: i128) -> Option<std::borrow::Cow<'_, str>> {
        self.by_num.get(&v).map(|s| s.as_str().into())
    }
    fn value(&self, name: &str) -> Option<i128> {
        self.by_name.get(name).copied()
    }
}

/// Makes a name usable as an attribute: non-alphanumerics become `_`, a leading digit gets
/// `n_` (`ftp-data` → `ftp_data`, `802_1Q` → `n_802_1Q`).
pub fn fixname(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        out.push_str("n_");
    }
    out.extend(
        s.chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }),
    );
    out
}

fn data_lines(text: &str) -> impl Iterator<Item = Vec<&str>> {
    text.lines().filter_map(|l| {
        let l = l.split('#').next().unwrap_or("").trim();
        let parts: Vec<&str> = l.split_whitespace().collect();
        (parts.len() >= 2).then_some(parts)
    })
}

fn parse_numbers(text: &str, radix: u32) -> NameTable {
    let mut t = NameTable::default();
    for parts in data_lines(text) {
        if let Ok(n) = i128::from_str_radix(parts[1], radix) {
            t.insert(n, fixname(parts[0]));
        }
    }
    t
}

fn parse_services(text: &str, proto: &str) -> NameTable {
    let mut t = NameTable::default();
    for parts in data_lines(text) {
        let Some((port, p)) = parts[1].split_once('/') else {
            continue;
        };
        if p != proto {
            continue;
        }
        let name = fixname(parts[0]);
        if let Some((a, b)) = port.split_once('-') {
            if let (Ok(a), Ok(b)) = (a.parse::<i128>(), b.parse::<i128>()) {
                for n in a..=b.min(a + 65535) {
                    t.insert(n, name.clone());
                }
            }
        } else if let Ok(n) = port.parse::<i128>() {
            t.insert(n, name);
        }
    }
    t
}

static SERVICES: &str = include_str!("data/services");
static PROTOCOLS: &str = include_str!("data/protocols");
static ETHERTYPES: &str = include_str!("data/ethertypes");

/// TCP port names.
pub fn tcp_services() -> &'static NameTable {
    static T: OnceLock<NameTable> = OnceLock::new();
    T.get_or_init(|| parse_services(SERVICES, "tcp"))
}

/// UDP port names.
pub fn udp_services() -> &'static NameTable {
    static T: OnceLock<NameTable> = OnceLock::new();
    T.get_or_init(|| parse_services(SERVICES, "udp"))
}

/// IP protocol names.
pub fn ip_protos() -> &'static NameTable {
    static T: OnceLock<NameTable> = OnceLock::new();
    T.get_or_init(|| parse_numbers(PROTOCOLS, 10))
}

/// EtherType names.
pub fn ether_types() -> &'static NameTable {
    static T: OnceLock<NameTable> = OnceLock::new();
    T.get_or_init(|| {
        let mut t = parse_numbers(ETHERTYPES, 16);
        for (num, name) in ETHERTYPE_NAMES {
            t.insert(*num, (*name).to_string());
        }
        t
    })
}

/// The EtherTypes the reference names from its own table rather than netbase's (its names
/// for the IEEE 802.1 tags and 6LoWPAN, kept without the `n_` prefix).
const ETHERTYPE_NAMES: &[(i128, &str)] = &[
    (0x88a8, "802_1AD"),
    (0x88e5, "802_1AE"),
    (0x88e7, "802_1AH"),
    (0xa0ed, "6LoWPAN"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_as_the_reference_shows_them() {
        assert_eq!(tcp_services().name(20).as_deref(), Some("ftp_data"));
        assert_eq!(tcp_services().name(443).as_deref(), Some("https"));
        assert_eq!(tcp_services().name(666).as_deref(), None);
        assert_eq!(udp_services().name(53).as_deref(), Some("domain"));
        assert_eq!(ip_protos().name(0).as_deref(), Some("hopopt"));
        assert_eq!(ip_protos().name(4).as_deref(), Some("ipencap"));
        assert_eq!(ip_protos().name(55).as_deref(), None);
        assert_eq!(ether_types().name(0x8100).as_deref(), Some("n_802_1Q"));
        assert_eq!(ether_types().name(0x800).as_deref(), Some("IPv4"));
        assert_eq!(tcp_services().value("http"), Some(80));
    }
}
