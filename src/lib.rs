//! wirecraft: Scapy's packet world as a UTScapy-style campaign runner.
//!
//! See ARCHITECTURE.md for the map: `campaign` (files, selection, signatures, runner),
//! `lang` (the step language), `report` (report model and templates).

pub mod campaign;
pub mod lang;
pub mod layers;
pub mod net;
pub mod packet;
pub mod pcapfile;
pub mod report;
