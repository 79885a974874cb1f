//! Manufacturers by MAC address prefix (Scapy's `conf.manufdb`), read from Wireshark's
//! `manuf` file where the system has one: `arping()`'s table names each answer's vendor.
//!
//! The file maps prefixes to a short and a long name, one per line:
//! `00:0C:29<TAB>VMware<TAB>VMware, Inc.`; a prefix may carry a length in bits
//! (`00:55:DA:10:00:00/28`), else it is 24 bits. The longest matching prefix wins.

use std::collections::HashMap;
use std::sync::OnceLock;

/// Where Debian's libwireshark-data (installed with tshark) puts the file.
const MANUF_PATH: &str = "/usr/share/wireshark/manuf";

/// Prefixes by length in bits, each mapping the masked address to the short name.
#[derive(Default)]
pub struct ManufDb {
    by_len: Vec<(u32, HashMap<u64, String>)>,
}

impl ManufDb {
    /// Reads the manuf file's text; lines that do not parse are skipped.
    pub fn parse(text: &str) -> ManufDb {
        let mut by_len: HashMap<u32, HashMap<u64, String>> = HashMap::new();
        for line in text.lines() {
            let line = line.split('#').next().unwrap_or("");
            let mut cols = line.split('\t');
            let (Some(prefix), Some(short)) = (cols.next(), cols.next()) else {
                continue;
            };
            let (addr, bits) = match prefix.split_once('/') {
                Some((a, b)) => match b.trim().parse::<u32>() {
                    Ok(b) if (1..=48).contains(&b) => (a, b),
                    _ => continue,
                },
                None => (prefix, 24),
            };
            let Some(key) = mac_bits(addr.trim()) else {
                continue;
            };
            let short = short.trim();
            if short.is_empty() {
                continue;
            }
            by_len
                .entry(bits)
                .or_default()
                .insert(key & mask(bits), short.to_string());
        }
        let mut by_len: Vec<_> = by_len.into_iter().collect();
        by_len.sort_by_key(|(bits, _)| std::cmp::Reverse(*bits));
        ManufDb { by_len }
    }

    /// The short name of a MAC address's manufacturer.
    pub fn short_name(&self, mac: &str) -> Option<&str> {
        let addr = mac_bits(mac)?;
        self.by_len
            .iter()
            .find_map(|(bits, names)| names.get(&(addr & mask(*bits))))
            .map(String::as_str)
    }
}

/// The system's database, read once (empty when the file is absent).
pub fn system() -> &'static ManufDb {
    static DB: OnceLock<ManufDb> = OnceLock::new();
    DB.get_or_init(|| {
        std::fs::read_to_string(MANUF_PATH)
            .map(|t| ManufDb::parse(&t))
            .unwrap_or_default()
    })
}

/// An address of up to six `:`-separated hex bytes as the top bits of a 48-bit number.
fn mac_bits(s: &str) -> Option<u64> {
    let mut v: u64 = 0;
    let mut n = 0;
    for part in s.split([':', '-']) {
        if n == 6 {
            return None;
        }
        v = (v << 8) | u64::from(u8::from_str_radix(part, 16).ok()?);
        n += 1;
    }
    (n >= 3).then(|| v << (8 * (6 - n)))
}

fn mask(bits: u32) -> u64 {
    ((1u64 << bits) - 1) << (48 - bits)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "# comment\n\n00:0C:29\tVMware\tVMware, Inc.\n\
        00:55:DA\tIEEERegi\tIEEE Registration Authority\n\
        00:55:DA:10:00:00/28\tKoolPOS\tKoolPOS Inc.\n\
        bad line\n00:00:18\tWebsterC\tWebster Computer Corporation\t# Gateway\n";

    #[test]
    fn longest_prefix_wins() {
        let db = ManufDb::parse(SAMPLE);
        assert_eq!(db.short_name("00:0c:29:11:22:33"), Some("VMware"));
        assert_eq!(db.short_name("00:55:da:1f:00:01"), Some("KoolPOS"));
        assert_eq!(db.short_name("00:55:da:20:00:01"), Some("IEEERegi"));
        assert_eq!(db.short_name("00:00:18:00:00:01"), Some("WebsterC"));
        assert_eq!(db.short_name("8e:e4:63:cb:75:ee"), None);
        assert_eq!(db.short_name("not a mac"), None);
    }
}
