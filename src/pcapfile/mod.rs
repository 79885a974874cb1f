//! Capture files: classic pcap (micro- and nanosecond, both byte orders) and pcapng (several
//! interfaces and link types, comments, any timestamp resolution), read and written; gzip
//! read transparently and written for `.gz` paths; BPF filters through libpcap.
//!
//! This module knows records, not packets: a [`Record`] is a capture's bytes with its time,
//! link type and interface. Turning records into packets (and back) is the engine's job.
//!
//! Reading never panics and never allocates what a file merely claims: a record longer than
//! [`MAX_RECORD`] is an error, and damage ends the iteration with an [`Error`] after the
//! records before it.

mod bpf;
mod read;
mod write;

pub use bpf::{Filter, Filters};
pub use read::{open, Format, Reader};
pub use write::{PcapNgWriter, PcapWriter, Sink, WriteOptions, Writer};

use std::fmt;

/// The largest record (or pcapng block) accepted: far above any link's MTU or snaplen, far
/// below what would hurt if a damaged length field were believed.
pub const MAX_RECORD: usize = 64 << 20;

/// Link types (libpcap's LINKTYPE_ values) wirecraft names.
pub mod linktype {
    pub const NULL: u32 = 0;
    pub const ETHERNET: u32 = 1;
    pub const RAW: u32 = 101;
    pub const IEEE802_11: u32 = 105;
    pub const LOOP: u32 = 108;
    pub const LINUX_SLL: u32 = 113;
    pub const IEEE802_11_RADIOTAP: u32 = 127;
    pub const IPV4: u32 = 228;
    pub const IPV6: u32 = 229;
    pub const LINUX_SLL2: u32 = 276;
}

/// A capture time: seconds since the epoch and nanoseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp {
    pub secs: i64,
    pub nanos: u32,
}

impl Timestamp {
    /// From seconds as a float (a packet's `.time`).
    pub fn from_f64(t: f64) -> Timestamp {
        if !t.is_finite() {
            return Timestamp::default();
        }
        let secs = t.floor();
        let nanos = ((t - secs) * 1e9).round().clamp(0.0, 999_999_999.0) as u32;
        Timestamp {
            secs: secs as i64,
            nanos,
        }
    }

    /// Seconds as a float.
    pub fn as_f64(self) -> f64 {
        self.secs as f64 + f64::from(self.nanos) / 1e9
    }
}

/// One captured frame.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Record {
    pub time: Timestamp,
    /// The link type of the interface it was captured on.
    pub linktype: u32,
    /// The pcapng interface index (0 in classic pcap).
    pub interface: u32,
    /// The interface's name, when the file says it (pcapng `if_name`).
    pub interface_name: Option<String>,
    /// The frame's length on the wire (at least `data.len()`).
    pub wire_len: u32,
    pub data: Vec<u8>,
    /// A pcapng packet comment.
    pub comment: Option<String>,
}

impl Record {
    /// A record of `data` captured whole.
    pub fn new(time: Timestamp, linktype: u32, data: Vec<u8>) -> Record {
        Record {
            time,
            linktype,
            wire_len: data.len() as u32,
            data,
            ..Record::default()
        }
    }
}

/// What can go wrong with a capture file.
#[derive(Debug)]
pub enum Error {
    Io(std::io::Error),
    /// The first bytes are no capture format wirecraft reads.
    BadMagic([u8; 4]),
    /// The file ends inside a header or record (after `records` whole ones).
    Truncated {
        records: usize,
    },
    /// A length field claims more than a record can be.
    TooLarge {
        records: usize,
        claimed: u64,
    },
    /// A structure that contradicts itself (bad pcapng block, unknown interface, ...).
    Malformed {
        records: usize,
        what: String,
    },
    /// The file is empty.
    Empty,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Io(e) => write!(f, "{e}"),
            Error::BadMagic(m) => write!(
                f,
                "not a pcap or pcapng file (magic {:02x}{:02x}{:02x}{:02x}; expected a1b2c3d4, a1b23c4d, 0a0d0d0a or gzip)",
                m[0], m[1], m[2], m[3]
            ),
            Error::Truncated { records } => {
                write!(f, "the file is truncated after {records} complete record(s)")
            }
            Error::TooLarge { records, claimed } => write!(
                f,
                "record {} claims {claimed} bytes, more than the {} MiB a record may have: the file is damaged",
                records + 1,
                MAX_RECORD >> 20
            ),
            Error::Malformed { records, what } => {
                write!(f, "damaged after {records} record(s): {what}")
            }
            Error::Empty => write!(f, "the file is empty"),
        }
    }
}

impl std::error::Error for Error {}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Error {
        Error::Io(e)
    }
}
