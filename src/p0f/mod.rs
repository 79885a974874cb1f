//! Passive OS fingerprinting with p0f v3 signatures, as Scapy 2.8's `p0f` module does it
//! (`load_module("p0f")`; the documentation's 3.2.12 and "p0f"): a packet's TCP signature
//! ([`signature`], its options in [`options`], its quirks in [`quirks`]), p0f's database
//! ([`database`], read from the installed p0f package's `p0f.fp`), finding the best record
//! ([`matching`]) and the block `prnp0f` prints ([`report`]).
//!
//! Language-free: the campaign language's `p0f`, `prnp0f`, `p0fdb`, ... are in
//! `lang::packets::p0f`. Scapy 2.8 is the reference for every output, learnt by running it.

pub mod database;
pub mod matching;
pub mod options;
pub mod quirks;
pub mod report;
pub mod signature;

/// Where Debian's p0f package installs the database (`conf.p0f_base`).
pub const DEFAULT_BASE: &str = "/etc/p0f/p0f.fp";
