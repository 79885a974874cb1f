//! p0f v3's quirks: the oddities of IP and TCP headers a signature lists (p0f's README,
//! "TCP signatures"), as a small set.

/// One quirk, in the order p0f's README lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quirk {
    /// Don't fragment set.
    Df,
    /// DF set and IP ID non-zero.
    IdPlus,
    /// DF not set and IP ID zero.
    IdMinus,
    /// Explicit congestion notification.
    Ecn,
    /// The IP header's must-be-zero flag set.
    ZeroPlus,
    /// Non-zero IPv6 flow label.
    Flow,
    /// Sequence number zero.
    SeqMinus,
    /// Acknowledgment number non-zero without the ACK flag.
    AckPlus,
    /// Acknowledgment number zero with the ACK flag.
    AckMinus,
    /// Urgent pointer non-zero without the URG flag.
    UptrPlus,
    /// URG flag set.
    UrgfPlus,
    /// PUSH flag set.
    PushfPlus,
    /// Own timestamp zero.
    Ts1Minus,
    /// Non-zero peer timestamp on an initial SYN.
    Ts2Plus,
    /// Non-zero data after the end of options.
    OptPlus,
    /// Window scale above 14.
    Exws,
    /// Malformed TCP options.
    Bad,
}

impl Quirk {
    /// Every quirk, in the README's order.
    pub const ALL: [Quirk; 17] = [
        Quirk::Df,
        Quirk::IdPlus,
        Quirk::IdMinus,
        Quirk::Ecn,
        Quirk::ZeroPlus,
        Quirk::Flow,
        Quirk::SeqMinus,
        Quirk::AckPlus,
        Quirk::AckMinus,
        Quirk::UptrPlus,
        Quirk::UrgfPlus,
        Quirk::PushfPlus,
        Quirk::Ts1Minus,
        Quirk::Ts2Plus,
        Quirk::OptPlus,
        Quirk::Exws,
        Quirk::Bad,
    ];

    /// The name a signature writes.
    pub fn name(self) -> &'static str {
        match self {
            Quirk::Df => "df",
            Quirk::IdPlus => "id+",
            Quirk::IdMinus => "id-",
            Quirk::Ecn => "ecn",
            Quirk::ZeroPlus => "0+",
            Quirk::Flow => "flow",
            Quirk::SeqMinus => "seq-",
            Quirk::AckPlus => "ack+",
            Quirk::AckMinus => "ack-",
            Quirk::UptrPlus => "uptr+",
            Quirk::UrgfPlus => "urgf+",
            Quirk::PushfPlus => "pushf+",
            Quirk::Ts1Minus => "ts1-",
            Quirk::Ts2Plus => "ts2+",
            Quirk::OptPlus => "opt+",
            Quirk::Exws => "exws",
            Quirk::Bad => "bad",
        }
    }

    /// The quirk a signature names.
    pub fn from_name(name: &str) -> Option<Quirk> {
        Quirk::ALL.into_iter().find(|q| q.name() == name)
    }

    /// Quirks of the IPv4 header, which an IPv6 packet never shows.
    pub fn ipv4_only(self) -> bool {
        matches!(
            self,
            Quirk::Df | Quirk::IdPlus | Quirk::IdMinus | Quirk::ZeroPlus
        )
    }

    fn bit(self) -> u32 {
        1 << (self as u32)
    }
}

/// A set of quirks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Quirks(u32);

impl Quirks {
    /// No quirk.
    pub const NONE: Quirks = Quirks(0);

    /// Adds a quirk.
    pub fn insert(&mut self, q: Quirk) {
        self.0 |= q.bit();
    }

    /// Whether the set holds `q`.
    pub fn contains(self, q: Quirk) -> bool {
        self.0 & q.bit() != 0
    }

    /// The quirks held, in the README's order.
    pub fn iter(self) -> impl Iterator<Item = Quirk> {
        Quirk::ALL.into_iter().filter(move |q| self.contains(*q))
    }

    /// The quirks of `self` that `other` lacks.
    pub fn minus(self, other: Quirks) -> Quirks {
        Quirks(self.0 & !other.0)
    }

    /// The quirks of `self` that `keep` accepts.
    pub fn filter(self, keep: impl Fn(Quirk) -> bool) -> Quirks {
        let mut out = Quirks::NONE;
        for q in self.iter().filter(|q| keep(*q)) {
            out.insert(q);
        }
        out
    }

    /// Whether the set is empty.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The names, in the README's order, comma-separated.
    pub fn text(self) -> String {
        self.iter().map(Quirk::name).collect::<Vec<_>>().join(",")
    }
}

impl FromIterator<Quirk> for Quirks {
    fn from_iter<I: IntoIterator<Item = Quirk>>(it: I) -> Quirks {
        let mut out = Quirks::NONE;
        for q in it {
            out.insert(q);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_go_both_ways() {
        for q in Quirk::ALL {
            assert_eq!(Quirk::from_name(q.name()), Some(q));
        }
        assert_eq!(Quirk::from_name("id"), None);
    }

    #[test]
    fn sets_list_in_readme_order() {
        let s: Quirks = [Quirk::Bad, Quirk::Df, Quirk::IdPlus].into_iter().collect();
        assert_eq!(s.text(), "df,id+,bad");
        assert_eq!(s.minus([Quirk::Df].into_iter().collect()).text(), "id+,bad");
        assert_eq!(s.filter(|q| !q.ipv4_only()).text(), "bad");
    }
}
