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
pub mod results;

/// The campaign language allocates a small object per list, frame and string it builds; mimalloc's
/// thread-local free lists serve those several times faster than the system allocator (measured
/// with `cargo bench --bench lang`), and every binary linking the crate gets it.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
