//! Matching a packet's signature against the database, as Scapy 2.8 matches (observed by
//! running it on crafted databases):
//!
//! - a record matches when every field agrees: IP version (`*` any), options length, MSS and
//!   window scale (`*` any), window (fixed, `*`, `%N`, `mss*N`, `mtu*N` with the MTU the MSS
//!   plus 40 for IPv4, 60 for IPv6), options layout, payload class (`*` any), and quirks;
//! - quirks may differ fuzzily: `df` and `id+` may disappear, `id-` and `ecn` may appear; a
//!   record for both IP versions ignores the quirks of the other version's header;
//! - the distance is the record's initial TTL minus the TTL seen; outside 0 to 35 the match is
//!   fuzzy. A random-TTL record (`64-`) matches any TTL up to its own, never one above;
//! - the first exact match of a specific (`s`) label wins; else the first exact match of a
//!   generic (`g`) one; else the first fuzzy match, whatever its label.

use super::database::{KnowledgeBase, Label, TcpRecord, WindowSpec};
use super::quirks::{Quirk, Quirks};
use super::signature::{Direction, TcpSignature, MAX_DIST, MIN_TCP4, MIN_TCP6};

/// A database match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TcpMatch<'a> {
    /// The matched label.
    pub label: &'a Label,
    /// The distance from the source, from the record's initial TTL.
    pub dist: i64,
    /// The match allowed differences.
    pub fuzzy: bool,
}

/// The best record for `sig` in the section of `dir`.
pub fn tcp_find_match<'a>(
    kb: &'a KnowledgeBase,
    sig: &TcpSignature,
    dir: Direction,
) -> Option<TcpMatch<'a>> {
    let mut generic = None;
    let mut fuzzy = None;
    for rec in kb.tcp(dir == Direction::Request) {
        let Some((dist, is_fuzzy)) = compare(rec, sig) else {
            continue;
        };
        let Some(label) = kb.labels.get(rec.label) else {
            continue;
        };
        let m = TcpMatch {
            label,
            dist,
            fuzzy: is_fuzzy,
        };
        if is_fuzzy {
            fuzzy.get_or_insert(m);
        } else if label.generic {
            generic.get_or_insert(m);
        } else {
            return Some(m);
        }
    }
    generic.or(fuzzy)
}

/// Whether `rec` matches `sig`: the distance and whether the match is fuzzy.
fn compare(rec: &TcpRecord, sig: &TcpSignature) -> Option<(i64, bool)> {
    if rec.ip_ver.is_some_and(|v| v != sig.ip_ver)
        || rec.ip_opt_len != sig.ip_opt_len
        || rec.mss.is_some_and(|m| m != u32::from(sig.mss))
        || rec.wscale.is_some_and(|w| w != u32::from(sig.wscale))
        || rec.olayout != sig.olayout
        || rec.pay_class.is_some_and(|p| p != sig.pay_class)
        || !window_matches(rec.win, sig)
    {
        return None;
    }
    let ttl = i64::from(sig.ttl);
    let dist = i64::from(rec.ttl) - ttl;
    let ttl_fuzzy = if rec.random_ttl {
        if dist < 0 {
            return None;
        }
        false
    } else {
        !(0..=MAX_DIST).contains(&dist)
    };
    let quirks_fuzzy = quirks_fuzzy(rec, sig)?;
    Some((dist, ttl_fuzzy || quirks_fuzzy))
}

/// Whether the quirks agree (Some(false)), agree fuzzily (Some(true)), or differ (None).
fn quirks_fuzzy(rec: &TcpRecord, sig: &TcpSignature) -> Option<bool> {
    let (mut want, mut have) = (rec.quirks, sig.quirks);
    if rec.ip_ver.is_none() {
        let other_version = |q: Quirk| {
            if sig.ip_ver == 4 {
                q == Quirk::Flow
            } else {
                q.ipv4_only()
            }
        };
        want = want.filter(|q| !other_version(q));
        have = have.filter(|q| !other_version(q));
    }
    if want == have {
        return Some(false);
    }
    let gone = want.minus(have);
    let new = have.minus(want);
    let may_go: Quirks = [Quirk::Df, Quirk::IdPlus].into_iter().collect();
    let may_come: Quirks = [Quirk::IdMinus, Quirk::Ecn].into_iter().collect();
    (gone.minus(may_go).is_empty() && new.minus(may_come).is_empty()).then_some(true)
}

fn window_matches(spec: WindowSpec, sig: &TcpSignature) -> bool {
    let win = u32::from(sig.win);
    let mss = u32::from(sig.mss);
    match spec {
        WindowSpec::Any => true,
        WindowSpec::Value(v) => win == v,
        WindowSpec::Modulo(m) => m != 0 && win % m == 0,
        WindowSpec::Mss(n) => mss.checked_mul(n) == Some(win),
        WindowSpec::Mtu(n) => mtu(sig).and_then(|m| m.checked_mul(n)) == Some(win),
    }
}

/// The MTU a signature's MSS tells: the MSS plus the IP and TCP headers; None without an MSS.
pub fn mtu(sig_or_mss: &TcpSignature) -> Option<u32> {
    mtu_of(sig_or_mss.ip_ver, sig_or_mss.mss)
}

/// The MTU an MSS tells on an IP version; None for a zero MSS.
pub fn mtu_of(ip_ver: u8, mss: u16) -> Option<u32> {
    let headers = if ip_ver == 4 { MIN_TCP4 } else { MIN_TCP6 };
    (mss != 0).then(|| u32::from(mss) + headers as u32)
}

/// The link an MTU tells, from the `[mtu]` section: the first label listing it.
pub fn mtu_find_match(kb: &KnowledgeBase, mtu: u32) -> Option<&str> {
    kb.mtu
        .iter()
        .find(|r| r.mtu == mtu)
        .map(|r| r.label.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kb(text: &str) -> KnowledgeBase {
        let p = KnowledgeBase::parse(text);
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        p.base
    }

    fn sig(ttl: u8, quirks: &[Quirk]) -> TcpSignature {
        TcpSignature {
            ip_ver: 4,
            ttl,
            ip_opt_len: 0,
            mss: 1460,
            win: 1000,
            wscale: 0,
            olayout: "mss".to_string(),
            quirks: quirks.iter().copied().collect(),
            pay_class: false,
            ts1: 0,
        }
    }

    fn found(kb: &KnowledgeBase, s: &TcpSignature) -> Option<(String, i64, bool)> {
        tcp_find_match(kb, s, Direction::Request).map(|m| (m.label.name.clone(), m.dist, m.fuzzy))
    }

    #[test]
    fn exact_specific_then_exact_generic_then_first_fuzzy() {
        let head = "[tcp:request]\n";
        let spec_fuzzy = "label = s:unix:SpecFuzzy:a\nsig = *:64:0:*:*,*:mss:df,id+:0\n";
        let gen_exact = "label = g:unix:GenExact:b\nsig = *:64:0:*:*,*:mss::0\n";
        let spec_exact = "label = s:unix:SpecExact:c\nsig = *:64:0:*:*,*:mss::0\n";
        let gen_fuzzy = "label = g:unix:GenFuzzy:d\nsig = *:64:0:*:*,*:mss:df:0\n";
        let s = sig(60, &[]);
        let all = kb(&format!("{head}{spec_fuzzy}{gen_exact}{spec_exact}"));
        assert_eq!(found(&all, &s), Some(("SpecExact".into(), 4, false)));
        let no_spec = kb(&format!("{head}{spec_fuzzy}{gen_exact}"));
        assert_eq!(found(&no_spec, &s), Some(("GenExact".into(), 4, false)));
        let fuzzy = kb(&format!("{head}{gen_fuzzy}{spec_fuzzy}"));
        assert_eq!(found(&fuzzy, &s), Some(("GenFuzzy".into(), 4, true)));
    }

    #[test]
    fn ttl_distance_and_random_ttls() {
        let k = kb("[tcp:request]\nlabel = s:unix:L:1\nsig = *:64:0:*:*,*:mss::0\n");
        assert_eq!(found(&k, &sig(29, &[])), Some(("L".into(), 35, false)));
        assert_eq!(found(&k, &sig(28, &[])), Some(("L".into(), 36, true)));
        assert_eq!(found(&k, &sig(70, &[])), Some(("L".into(), -6, true)));
        let r = kb("[tcp:request]\nlabel = s:!:NMap:SYN scan\nsig = *:64-:0:*:*,*:mss::0\n");
        assert_eq!(found(&r, &sig(20, &[])), Some(("NMap".into(), 44, false)));
        assert_eq!(found(&r, &sig(70, &[])), None);
    }

    #[test]
    fn fuzzy_quirks() {
        let k = kb("[tcp:request]\nlabel = s:unix:L:1\nsig = 4:64:0:*:*,*:mss:df,id+:0\n");
        let with = |q: &[Quirk]| found(&k, &sig(64, q)).map(|m| m.2);
        assert_eq!(with(&[Quirk::Df, Quirk::IdPlus]), Some(false));
        assert_eq!(with(&[Quirk::Df]), Some(true));
        assert_eq!(with(&[]), Some(true));
        assert_eq!(with(&[Quirk::Df, Quirk::IdPlus, Quirk::Ecn]), Some(true));
        assert_eq!(with(&[Quirk::IdMinus]), Some(true));
        assert_eq!(with(&[Quirk::Df, Quirk::IdPlus, Quirk::SeqMinus]), None);
    }

    #[test]
    fn ipv6_ignores_ipv4_quirks_of_records_for_both() {
        let k = kb("[tcp:request]\nlabel = s:unix:L:1\nsig = *:64:0:*:*,*:mss:df,id+:0\n");
        let mut s = sig(64, &[]);
        s.ip_ver = 6;
        assert_eq!(found(&k, &s), Some(("L".into(), 0, false)));
    }

    #[test]
    fn windows() {
        let mut s = sig(64, &[]);
        s.win = 3000;
        for (spec, ok) in [
            ("3000", true),
            ("mtu*2", true),
            ("%1000", true),
            ("%7", false),
            ("mss*2", false),
            ("*", true),
        ] {
            let k = kb(&format!(
                "[tcp:request]\nlabel = s:unix:L:1\nsig = *:64:0:*:{spec},*:mss::0\n"
            ));
            assert_eq!(found(&k, &s).is_some(), ok, "{spec}");
        }
        s.win = 2920;
        let k = kb("[tcp:request]\nlabel = s:unix:L:1\nsig = *:64:0:*:mss*2,0:mss::0\n");
        assert!(found(&k, &s).is_some());
    }

    #[test]
    fn mtus() {
        let k = kb("[mtu]\nlabel = First\nsig = 1500\nlabel = Second\nsig = 1500\nsig = 1492\n");
        assert_eq!(mtu_find_match(&k, 1500), Some("First"));
        assert_eq!(mtu_find_match(&k, 1492), Some("Second"));
        assert_eq!(mtu_find_match(&k, 9000), None);
        assert_eq!(mtu_of(4, 1460), Some(1500));
        assert_eq!(mtu_of(6, 1440), Some(1500));
        assert_eq!(mtu_of(4, 0), None);
    }
}
