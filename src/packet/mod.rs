//! The packet engine: field kinds, layer definitions, packet values, build, dissect,
//! bindings and display, with Scapy 2.8's semantics and text forms.
//!
//! # Using it from Rust
//! ```
//! use wirecraft::packet::{Registry, dissect};
//! let reg = Registry::with_builtins();
//! let ip = reg.new_layer("IP").unwrap().with("dst", "198.51.100.2").unwrap();
//! let p = &ip / &reg.new_layer("TCP").unwrap();
//! let bytes = p.build().unwrap();
//! let back = dissect(&reg.def("IP").unwrap(), &bytes);
//! assert_eq!(back.summary(), "IP / TCP 0.0.0.0:ftp_data > 198.51.100.2:http S");
//! ```
//!
//! # Design
//! - A layer definition ([`LayerDef`]) is a runtime object: names, a field table
//!   ([`FieldDef`]: name, kind, default, condition), hooks (`Rc<dyn Fn>`: native functions
//!   or closures over interpreter callables) and its bindings. Built-in layers are tables in
//!   `src/layers/`; campaign layers are built the same way at run time.
//! - Field kinds ([`FieldKind`]) carry the conversions, so layer tables stay declarative.
//! - Packets ([`Packet`]) are chains of `Rc<RefCell<LayerData>>` nodes: a handle to an inner
//!   layer shares its node, giving Scapy's reference semantics; `/` and `copy()` clone.
//! - Building and display ask a [`Resolver`] (installed per thread, i.e. per session) for
//!   what the host knows; the engine itself does no I/O.
//! - Campaign classes: [`field_from_spec`] maps `ByteEnumField("type", 8, {8: "echo"})`
//!   (class name, positional and keyword [`Arg`]s: plain values, dicts, callables, nested
//!   fields, packet classes) onto a [`FieldDef`], with Scapy 2.8's signatures; a list of
//!   them makes a [`LayerDef`]. [`Packet::construct`] applies keyword values in field order.
//! - Scapy's instance rules: fields whose default is a list or a packet start explicit
//!   (`Packet::new`); explicit values remember the order they were set (command(), set
//!   iteration); an unchanged dissected layer rebuilds its original bytes (raw cache).
//! - Values: [`Value`] adds floats, networks ([`sets::Net`]) and random values
//!   ([`volatile`], drawn at each build). A field holding a list, a `(low, high)` range or a
//!   network makes the packet a set ([`Packet::iter_set`]); a build uses the first element.
//! - Text forms: repr/show/summary ([`display`]), command/ls/hide_defaults/equality
//!   ([`inspect`]), sprintf ([`sprintf`]); export/import of objects and hexdumps
//!   ([`export`]); warnings ([`log`], drained per statement by the session).
//! - Campaign hooks and field conversions are host callbacks behind the same `Rc<dyn Fn>`
//!   and [`FieldKind`] signatures; when one raises, its error waits in [`abort`] and the
//!   engine stops or, for a payload layer being dissected, falls back to Raw.
//! - Matching for sr(): `answers()`/`hashret()` ([`matching`]) run the layers' hooks, with
//!   Scapy's defaults (same class, then the payloads) and its `conf.check*` switches.
//! - Fragmentation: [`fragment()`], [`defragment()`] and [`fragment6()`] (module `fragment`)
//!   produce the packets Scapy 2.8 produces, down to which fields are explicit.
//! - Expected outputs come from Scapy 2.8 (`scripts/gen-engine-vectors.py` →
//!   `tests/data/engine_*.json*`).

pub mod abort;
pub mod base;
pub mod build;
pub mod checksum;
pub mod display;
pub mod dissect;
pub mod export;
pub mod field;
pub mod fields;
pub mod fragment;
pub mod inspect;
pub mod kinds;
pub mod layer;
pub(crate) mod layout;
pub(crate) mod links;
pub mod log;
pub mod matching;
pub mod meta;
pub mod netdb;
#[allow(clippy::module_inception)]
pub mod packet;
pub mod registry;
pub mod resolver;
pub mod sets;
pub mod spec;
pub mod sprintf;
pub mod value;
pub mod volatile;

pub use build::{build, build_with};
pub use display::hexdump;
pub use dissect::{dissect, dissect_with_warnings, Dissection};
pub use export::{export_object, hexraw, import_hexcap, import_object};
pub use field::{BuildCtx, BuildError, DissectCtx, FieldDef, FieldError, FieldKind, Truncated};
pub use fragment::{defragment, defragment6, fragment, fragment6, Defragmented, FragError};
pub use inspect::{fuzz, ls_class, ls_layers, ls_packet};
pub use layer::{Hooks, LayerDef};
pub use meta::{CaptureInfo, PacketTime};
pub use packet::{LayerData, Packet};
pub use registry::{
    bind_bottom_up, bind_layers, bind_top_down, split_bottom_up, split_layers, split_top_down,
    Registry,
};
pub use resolver::{FixedResolver, Resolver};
pub use spec::{field_from_spec, Arg, ArgFn, Args, SpecError};
pub use value::Value;

impl std::ops::Div<&[u8]> for &Packet {
    type Output = Packet;
    /// `p / b"..."`: bytes on the right become `Raw(load=...)`.
    fn div(self, rhs: &[u8]) -> Packet {
        Packet::div(self, &Packet::raw_with(&base::raw_def(), rhs))
    }
}

impl std::ops::Div<&str> for &Packet {
    type Output = Packet;
    /// `p / "..."`: a string on the right becomes `Raw(load=...)`.
    fn div(self, rhs: &str) -> Packet {
        self / rhs.as_bytes()
    }
}

impl std::ops::Div<&[u8]> for Packet {
    type Output = Packet;
    /// `p / b"..."` taking `p` (see [`Packet::stack`]).
    fn div(self, rhs: &[u8]) -> Packet {
        self.stack(Packet::raw_with(&base::raw_def(), rhs))
    }
}

impl std::ops::Div<&str> for Packet {
    type Output = Packet;
    /// `p / "..."` taking `p` (see [`Packet::stack`]).
    fn div(self, rhs: &str) -> Packet {
        self / rhs.as_bytes()
    }
}
