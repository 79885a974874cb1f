//! What Scapy keeps on a packet beside its fields: the capture time and, for packets read from
//! a capture, the interface, the length on the wire and the pcapng comment (`p.time`,
//! `p.sniffed_on`, `p.wirelen`, `p.comment`).
//!
//! Times are exact (seconds and nanoseconds), so a nanosecond capture written back is the same
//! file; the language shows them as float seconds.

/// A packet's time: seconds since the epoch and nanoseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PacketTime {
    pub secs: i64,
    pub nanos: u32,
}

impl PacketTime {
    /// From float seconds (a time a program assigns), to the nearest nanosecond.
    pub fn from_f64(t: f64) -> PacketTime {
        if !t.is_finite() {
            return PacketTime::default();
        }
        let secs = t.floor();
        let nanos = ((t - secs) * 1e9).round();
        if nanos >= 1e9 {
            return PacketTime {
                secs: secs as i64 + 1,
                nanos: 0,
            };
        }
        PacketTime {
            secs: secs as i64,
            nanos: nanos.max(0.0) as u32,
        }
    }

    /// Float seconds.
    pub fn as_f64(self) -> f64 {
        self.secs as f64 + f64::from(self.nanos) / 1e9
    }

    /// The current time.
    pub fn now() -> PacketTime {
        match std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
            Ok(d) => PacketTime {
                secs: i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
                nanos: d.subsec_nanos(),
            },
            Err(_) => PacketTime::default(),
        }
    }
}

/// What a capture says of a packet beyond its time (absent for packets a program built).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CaptureInfo {
    /// The interface (or, read offline, the file) it was captured on.
    pub sniffed_on: Option<String>,
    /// Its length on the wire, when the capture kept less.
    pub wirelen: Option<u32>,
    /// A pcapng packet comment.
    pub comment: Option<Vec<u8>>,
    /// Whether the comment was given as text (a program reads back the str it assigned, as in
    /// Scapy; a comment read from a file is bytes).
    pub comment_is_text: bool,
}
