//! Packet lists and what they show (Scapy's `plist`): the counts in a list's repr, the time
//! of day in hexdump headers, the default session and conversation keys, tables, the
//! conversation graph and plots; and the link between capture records and packets.
//!
//! Everything here is language-free: the campaign language's `PacketList` and `SndRcvList`
//! (`lang::packets::lists`) call these with packets and the strings its callbacks returned.

pub mod graph;
pub mod linktype;
pub mod plot;
pub mod table;
pub mod views;
