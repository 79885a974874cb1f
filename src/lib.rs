//! wirecraft: Scapy's packet world as a UTScapy-style campaign runner.
//!
//! See ARCHITECTURE.md for the map: `campaign` (files, selection, signatures, runner),
//! `lang` (the step language), `report` (report model and templates).

pub mod campaign;
pub mod lang;
pub mod layers;
pub mod net;
pub mod p0f;
pub mod packet;
pub mod pcapfile;
pub mod report;
pub mod results;

pub mod alloc;

/// The campaign language allocates a small object per list, frame and string it builds, the
/// packet engine a few per layer; mimalloc's thread-local free lists serve those several times
/// faster than the system allocator (measured with `cargo bench --bench lang` and `--bench
/// engine`), and every binary linking the crate gets it (see [`alloc`] for how it is called).
#[global_allocator]
static ALLOCATOR: alloc::Allocator = alloc::Allocator;
