//! Protocol definitions, one file per family: declarative field tables, a few hooks, and
//! the bindings to their neighbours. Adding a protocol is a file here and a line below.

pub mod dhcp;
pub mod dns;
pub mod dot11;
pub mod inet;
pub mod inet6;
pub mod isakmp;
pub mod l2;

use crate::packet::Registry;

/// Registers every built-in layer and binding into a session's registry, lower layers first
/// (bindings refer to layers already registered).
pub fn register_all(reg: &Registry) {
    l2::register(reg);
    inet::register(reg);
    inet6::register(reg);
    dns::register(reg);
    dhcp::register(reg);
    isakmp::register(reg);
    dot11::register(reg);
}
