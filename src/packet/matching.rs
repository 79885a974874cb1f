//! Request/answer matching for sr(): `p.hashret()` (bytes equal for a request and its
//! answers, to bucket them) and `reply.answers(request)`, with Scapy 2.8's rules and its
//! `conf.checkIPaddr`-style switches ([`MatchConf`]).
//!
//! A layer decides through its `answers`/`hashret` hooks; without them, a layer answers a
//! layer of the same class when its payload answers the other's payload, and hashes as its
//! payload. The end of a chain answers an end (or padding); Raw answers anything.

use std::cell::Cell;

use super::packet::Packet;

/// The switches of Scapy's `conf` that matching reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MatchConf {
    /// `conf.checkIPaddr`: an answer comes from the address the request went to.
    pub check_ip_addr: bool,
    /// `conf.checkIPsrc`: ports and source addresses are part of the match.
    pub check_ip_src: bool,
    /// `conf.checkIPinIP`: IP in IP is matched as a layer of its own (not skipped).
    pub check_ip_in_ip: bool,
    /// `conf.checkIPID`: an ICMP error quotes the request's IP id.
    pub check_ip_id: bool,
    /// `conf.check_TCPerror_seqack`: an ICMP error quotes the request's seq and ack.
    pub check_tcperror_seqack: bool,
}

impl Default for MatchConf {
    /// Scapy 2.8's defaults.
    fn default() -> MatchConf {
        MatchConf {
            check_ip_addr: true,
            check_ip_src: true,
            check_ip_in_ip: true,
            check_ip_id: false,
            check_tcperror_seqack: false,
        }
    }
}

thread_local! {
    static CONF: Cell<MatchConf> = Cell::new(MatchConf::default());
}

/// This session's switches.
pub fn conf() -> MatchConf {
    CONF.with(Cell::get)
}

/// Sets this session's switches (`conf.checkIPaddr = False`...).
pub fn set_conf(c: MatchConf) {
    CONF.with(|x| x.set(c));
}

fn is_raw(p: &Packet) -> bool {
    let d = p.def();
    d.is_padding || d.is_a_name("Raw")
}

impl Packet {
    /// `self.answers(other)`: whether this packet (from this layer up) answers `other`.
    pub fn answers(&self, other: &Packet) -> bool {
        let hook = self.def().hooks.answers.clone();
        match hook {
            Some(h) => h(self, other),
            None if is_raw(self) => true,
            None => {
                std::rc::Rc::ptr_eq(&self.def(), &other.def())
                    && payload_answers(&self.payload(), &other.payload())
            }
        }
    }

    /// `self.hashret()`: bytes a request and its answers share.
    pub fn hashret(&self) -> Vec<u8> {
        let hook = self.def().hooks.hashret.clone();
        match hook {
            Some(h) => h(self),
            None => payload_hashret(self),
        }
    }
}

/// `self.payload.answers(other.payload)` where either may be the end of the chain
/// (Scapy's NoPayload: it answers only an end or padding).
pub fn payload_answers(mine: &Option<Packet>, theirs: &Option<Packet>) -> bool {
    match (mine, theirs) {
        (None, None) => true,
        (None, Some(o)) => o.def().is_padding,
        (Some(m), Some(o)) => m.answers(o),
        (Some(m), None) => is_raw(m),
    }
}

/// `self.payload.hashret()` (empty at the end of the chain).
pub fn payload_hashret(p: &Packet) -> Vec<u8> {
    p.payload().map(|q| q.hashret()).unwrap_or_default()
}

/// `x.answers(other)` where `x` may be the end of the chain.
pub fn opt_answers(x: &Option<Packet>, other: &Packet) -> bool {
    match x {
        Some(m) => m.answers(other),
        None => other.def().is_padding,
    }
}
