//! The TCP options as p0f v3 sees them: their layout (`mss,sok,ts,nop,ws`, `eol+N`), the values
//! a signature carries (MSS, window scale, timestamps) and the option quirks (`opt+`, `bad`).
//!
//! Which bytes are read is Scapy 2.8's choice, observed by running it: the last
//! `dataofs * 4 - 20` bytes of the TCP segment (header, options, data and any padding), as
//! Python's `segment[-n:]` takes them. For a SYN without data those are exactly the options;
//! with data, or with a data offset that disagrees with the bytes, the window slides (and with
//! no options at all, `[-0:]` is the whole segment, whose first byte is seldom a valid option:
//! Scapy reports `bad`). wirecraft reads the same bytes so that its signatures are Scapy's.

/// A TCP option kind and the name p0f gives it in a layout.
const NAMED: &[(u8, &str)] = &[(2, "mss"), (3, "ws"), (4, "sok"), (5, "sack"), (8, "ts")];

/// What the options of a segment tell p0f.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TcpOptions {
    /// The layout: option names in order, `eol+N` for an end of options followed by N bytes.
    /// Options of other kinds do not appear (as in Scapy 2.8).
    pub layout: Vec<String>,
    /// The maximum segment size (0 without a well-formed MSS option; the last one wins).
    pub mss: u16,
    /// The window scale (0 without a well-formed window scale option).
    pub wscale: u8,
    /// The timestamp option's own value and the echoed one, when there is a well-formed one.
    pub timestamps: Option<(u32, u32)>,
    /// Non-zero bytes follow the end-of-options option (`opt+`).
    pub trailing_data: bool,
    /// An option's length is missing, too short, too long for the bytes left, or wrong for
    /// its kind (`bad`); reading stopped there.
    pub malformed: bool,
}

impl TcpOptions {
    /// Reads the options p0f sees in a TCP segment.
    pub fn of_segment(segment: &[u8]) -> TcpOptions {
        TcpOptions::parse(window(segment))
    }

    /// Reads a run of option bytes.
    pub fn parse(buf: &[u8]) -> TcpOptions {
        let mut o = TcpOptions::default();
        let mut pos = 0;
        while pos < buf.len() {
            match buf[pos] {
                0 => {
                    let rest = &buf[pos + 1..];
                    o.layout.push(format!("eol+{}", rest.len()));
                    o.trailing_data = rest.iter().any(|&b| b != 0);
                    break;
                }
                1 => {
                    o.layout.push("nop".to_string());
                    pos += 1;
                }
                kind => {
                    let Some(&len) = buf.get(pos + 1) else {
                        o.malformed = true;
                        break;
                    };
                    let name = NAMED.iter().find(|(k, _)| *k == kind).map(|(_, n)| *n);
                    if let Some(name) = name {
                        o.layout.push(name.to_string());
                    }
                    let len = usize::from(len);
                    let Some(body) = buf.get(pos..pos + len).filter(|_| len >= 2) else {
                        o.malformed = true;
                        break;
                    };
                    if !o.read_value(kind, body) {
                        o.malformed = true;
                        break;
                    }
                    pos += len;
                }
            }
        }
        o
    }

    /// Takes the value of a well-formed option (`body` is the whole option, kind and length
    /// included); false when its length is wrong for its kind.
    fn read_value(&mut self, kind: u8, body: &[u8]) -> bool {
        let be32 = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
        match (kind, body.len()) {
            (2, 4) => self.mss = u16::from_be_bytes([body[2], body[3]]),
            (3, 3) => self.wscale = body[2],
            (4, 2) => {}
            // A selective acknowledgment carries one to four blocks of 8 bytes.
            (5, 10..=34) => {}
            (8, 10) => self.timestamps = Some((be32(&body[2..6]), be32(&body[6..10]))),
            (2..=5 | 8, _) => return false,
            _ => {}
        }
        true
    }

    /// The layout as a signature writes it.
    pub fn layout_text(&self) -> String {
        self.layout.join(",")
    }
}

/// The bytes Scapy 2.8 reads as options: Python's `segment[-n:]` with `n = dataofs * 4 - 20`
/// (so `n = 0` is the whole segment and a negative `n` skips `-n` bytes from the front).
pub fn window(segment: &[u8]) -> &[u8] {
    let dataofs = segment.get(12).map_or(0, |b| i64::from(b >> 4));
    let n = dataofs * 4 - 20;
    let len = segment.len() as i64;
    let start = match n {
        0 => 0,
        n if n > 0 => (len - n).max(0),
        n => (-n).min(len),
    };
    &segment[start as usize..]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout(b: &[u8]) -> (String, TcpOptions) {
        let o = TcpOptions::parse(b);
        (o.layout_text(), o)
    }

    #[test]
    fn a_linux_syn_reads_whole() {
        let b = [
            2, 4, 5, 0xb4, 4, 2, 8, 10, 0, 0, 0, 5, 0, 0, 0, 0, 1, 3, 3, 7,
        ];
        let (l, o) = layout(&b);
        assert_eq!(l, "mss,sok,ts,nop,ws");
        assert_eq!((o.mss, o.wscale, o.timestamps), (1460, 7, Some((5, 0))));
        assert!(!o.malformed && !o.trailing_data);
    }

    #[test]
    fn end_of_options_counts_what_follows() {
        assert_eq!(layout(&[2, 4, 5, 0xb4, 0, 0, 0, 0]).0, "mss,eol+3");
        let (l, o) = layout(&[0, 0, 5, 0]);
        assert_eq!(l, "eol+3");
        assert!(o.trailing_data);
        assert_eq!(layout(&[1, 0, 0, 0]).0, "nop,eol+2");
    }

    #[test]
    fn unknown_kinds_are_skipped_by_their_length() {
        assert_eq!(layout(&[2, 4, 5, 0xb4, 30, 2, 1, 1]).0, "mss,nop,nop");
        assert_eq!(layout(&[2, 4, 5, 0xb4, 30, 4, 1, 1]).0, "mss");
    }

    #[test]
    fn malformed_options_stop_the_reading() {
        // A length below 2, past the end, missing, or wrong for the kind.
        for (b, want) in [
            (&[2u8, 4, 5, 0xb4, 30, 1, 1, 1][..], "mss"),
            (&[30, 0, 1, 1], ""),
            (&[1, 1, 8, 10], "nop,nop,ts"),
            (&[1, 1, 1, 2], "nop,nop,nop"),
            (&[2, 4, 5, 0xb4, 4, 3, 0, 1], "mss,sok"),
            (&[2, 4, 5, 0xb4, 5, 2, 1, 1], "mss,sack"),
            (&[2, 5, 5, 0xb4, 0, 1, 1, 1], "mss"),
            (&[3, 4, 5, 0xb4, 1, 1, 1, 1], "ws"),
            (&[8, 8, 0, 0, 0, 1, 1, 1], "ts"),
        ] {
            let (l, o) = layout(b);
            assert_eq!(l, want, "{b:?}");
            assert!(o.malformed, "{b:?}");
        }
        // A malformed MSS is not read.
        assert_eq!(layout(&[2, 5, 5, 0xb4, 0, 1, 1, 1]).1.mss, 0);
    }

    #[test]
    fn the_last_value_wins() {
        let (l, o) = layout(&[2, 4, 5, 0xb4, 2, 4, 1, 0]);
        assert_eq!((l.as_str(), o.mss), ("mss,mss", 256));
    }

    #[test]
    fn the_window_is_scapys_slice() {
        // dataofs 7: the last 8 bytes, whatever follows the header.
        let mut seg = vec![0u8; 20];
        seg[12] = 7 << 4;
        seg.extend_from_slice(&[1, 1, 1, 1, 2, 4, 5, 0xb4, 1, 3, 3, 5]);
        assert_eq!(window(&seg), &[2, 4, 5, 0xb4, 1, 3, 3, 5]);
        // dataofs 5: the whole segment; dataofs 3: all but the first 8 bytes.
        seg[12] = 5 << 4;
        assert_eq!(window(&seg).len(), seg.len());
        seg[12] = 3 << 4;
        assert_eq!(window(&seg).len(), seg.len() - 8);
        // Truncated segments never panic.
        assert!(window(&[]).is_empty());
        // A zero data offset skips 20 bytes: nothing is left of 13.
        assert!(window(&[0; 13]).is_empty());
    }
}
