//! Reading capture files: format detection, classic pcap, pcapng, gzip.

use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

use super::{Error, Record, Timestamp, MAX_RECORD};

/// Which format a file is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Classic pcap; `nanos` for the nanosecond variant, `big_endian` for its byte order.
    Pcap {
        nanos: bool,
        big_endian: bool,
    },
    PcapNg,
}

const PCAPNG_SHB: u32 = 0x0A0D_0D0A;
const PCAPNG_BOM: u32 = 0x1A2B_3C4D;
const BLOCK_IDB: u32 = 1;
const BLOCK_PB: u32 = 2;
const BLOCK_SPB: u32 = 3;
const BLOCK_EPB: u32 = 6;
const OPT_END: u16 = 0;
const OPT_COMMENT: u16 = 1;
const IF_NAME: u16 = 2;
const IF_TSRESOL: u16 = 9;
const IF_TSOFFSET: u16 = 14;

/// A pcapng interface, as its description block declares it.
#[derive(Clone, Debug)]
struct Interface {
    linktype: u32,
    snaplen: u32,
    /// Timestamp units per second.
    units: u64,
    /// Seconds added to every timestamp.
    offset: i64,
    name: Option<String>,
}

#[derive(Debug)]
enum Kind {
    Pcap {
        big: bool,
        nanos: bool,
        linktype: u32,
    },
    Ng {
        big: bool,
        interfaces: Vec<Interface>,
    },
}

/// Streams the records of a capture file, in constant memory.
pub struct Reader {
    input: Box<dyn Read>,
    kind: Kind,
    records: usize,
    done: bool,
    format: Format,
}

/// Opens a capture file (pcap, pcapng, either gzip-compressed) for reading.
pub fn open(path: &Path) -> Result<Reader, Error> {
    let file = std::fs::File::open(path)?;
    Reader::new(file)
}

/// Reads exactly `buf.len()` bytes: Ok(false) at a clean end of input before any byte.
fn fill(input: &mut dyn Read, buf: &mut [u8]) -> io::Result<bool> {
    let mut got = 0;
    while got < buf.len() {
        match input.read(&mut buf[got..]) {
            Ok(0) if got == 0 => return Ok(false),
            Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(true)
}

fn u16_at(b: &[u8], at: usize, big: bool) -> u16 {
    let v = [b[at], b[at + 1]];
    if big {
        u16::from_be_bytes(v)
    } else {
        u16::from_le_bytes(v)
    }
}

fn u32_at(b: &[u8], at: usize, big: bool) -> u32 {
    let v = [b[at], b[at + 1], b[at + 2], b[at + 3]];
    if big {
        u32::from_be_bytes(v)
    } else {
        u32::from_le_bytes(v)
    }
}

fn i64_at(b: &[u8], at: usize, big: bool) -> i64 {
    let mut v = [0u8; 8];
    v.copy_from_slice(&b[at..at + 8]);
    if big {
        i64::from_be_bytes(v)
    } else {
        i64::from_le_bytes(v)
    }
}

/// pcapng options: (code, value) pairs until opt_endofopt or the end of the block.
fn options(mut b: &[u8], big: bool) -> Vec<(u16, &[u8])> {
    let mut out = Vec::new();
    while b.len() >= 4 {
        let code = u16_at(b, 0, big);
        let len = usize::from(u16_at(b, 2, big));
        if code == OPT_END {
            break;
        }
        let padded = (len + 3) & !3;
        if 4 + len > b.len() {
            break;
        }
        out.push((code, &b[4..4 + len]));
        b = &b[(4 + padded).min(b.len())..];
    }
    out
}

fn text(v: &[u8]) -> String {
    String::from_utf8_lossy(v)
        .trim_end_matches('\0')
        .to_string()
}

impl Reader {
    /// Reads from any input; gzip-compressed input is decompressed transparently.
    pub fn new(input: impl Read + 'static) -> Result<Reader, Error> {
        let mut buffered = BufReader::with_capacity(64 << 10, input);
        let gzip = buffered.fill_buf()?.starts_with(&[0x1f, 0x8b]);
        let mut input: Box<dyn Read> = if gzip {
            Box::new(flate2::read::MultiGzDecoder::new(buffered))
        } else {
            Box::new(buffered)
        };
        let mut magic = [0u8; 4];
        match fill(&mut input, &mut magic) {
            Ok(true) => {}
            Ok(false) => return Err(Error::Empty),
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
                return Err(Error::Truncated { records: 0 })
            }
            Err(e) => return Err(e.into()),
        }
        let (kind, format) = match magic {
            [0xd4, 0xc3, 0xb2, 0xa1] => Self::pcap_header(&mut input, false, false)?,
            [0xa1, 0xb2, 0xc3, 0xd4] => Self::pcap_header(&mut input, true, false)?,
            [0x4d, 0x3c, 0xb2, 0xa1] => Self::pcap_header(&mut input, false, true)?,
            [0xa1, 0xb2, 0x3c, 0x4d] => Self::pcap_header(&mut input, true, true)?,
            [0x0a, 0x0d, 0x0d, 0x0a] => {
                let mut length = [0u8; 4];
                if !fill(&mut input, &mut length).map_err(|_| Error::Truncated { records: 0 })? {
                    return Err(Error::Truncated { records: 0 });
                }
                let big = Self::section_header(&mut input, length, 0)?;
                (
                    Kind::Ng {
                        big,
                        interfaces: Vec::new(),
                    },
                    Format::PcapNg,
                )
            }
            other => return Err(Error::BadMagic(other)),
        };
        Ok(Reader {
            input,
            kind,
            records: 0,
            done: false,
            format,
        })
    }

    /// The file's format.
    pub fn format(&self) -> Format {
        self.format
    }

    /// The link type of a classic pcap file (pcapng has one per interface).
    pub fn linktype(&self) -> Option<u32> {
        match &self.kind {
            Kind::Pcap { linktype, .. } => Some(*linktype),
            Kind::Ng { interfaces, .. } => interfaces.first().map(|i| i.linktype),
        }
    }

    fn truncated(&self, e: io::Error) -> Error {
        if e.kind() == io::ErrorKind::UnexpectedEof {
            Error::Truncated {
                records: self.records,
            }
        } else {
            Error::Io(e)
        }
    }

    fn pcap_header(
        input: &mut Box<dyn Read>,
        big: bool,
        nanos: bool,
    ) -> Result<(Kind, Format), Error> {
        let mut h = [0u8; 20];
        match fill(input, &mut h) {
            Ok(true) => {}
            Ok(false) | Err(_) => return Err(Error::Truncated { records: 0 }),
        }
        // The link type is the low 16 bits; the upper ones carry FCS information.
        let linktype = u32_at(&h, 16, big) & 0xffff;
        Ok((
            Kind::Pcap {
                big,
                nanos,
                linktype,
            },
            Format::Pcap {
                nanos,
                big_endian: big,
            },
        ))
    }

    /// Reads the rest of a section header block whose type and length bytes were read;
    /// returns the section's byte order.
    fn section_header(
        input: &mut Box<dyn Read>,
        length: [u8; 4],
        records: usize,
    ) -> Result<bool, Error> {
        let truncated = |_| Error::Truncated { records };
        let mut bom = [0u8; 4];
        if !fill(input, &mut bom).map_err(truncated)? {
            return Err(Error::Truncated { records });
        }
        let big = match u32_at(&bom, 0, false) {
            PCAPNG_BOM => false,
            x if x.swap_bytes() == PCAPNG_BOM => true,
            _ => {
                return Err(Error::Malformed {
                    records,
                    what: "section header without its byte-order magic".to_string(),
                })
            }
        };
        let total = u32_at(&length, 0, big) as usize;
        if total > MAX_RECORD {
            return Err(Error::TooLarge {
                records,
                claimed: total as u64,
            });
        }
        if total < 28 || !total.is_multiple_of(4) {
            return Err(Error::Malformed {
                records,
                what: format!("section header block length {total}"),
            });
        }
        // Version, section length, options and the trailing length: not needed to read on.
        let mut rest = vec![0u8; total - 12];
        if !fill(input, &mut rest).map_err(truncated)? {
            return Err(Error::Truncated { records });
        }
        Ok(big)
    }

    fn next_pcap(
        &mut self,
        big: bool,
        nanos: bool,
        linktype: u32,
    ) -> Result<Option<Record>, Error> {
        let mut h = [0u8; 16];
        match fill(&mut self.input, &mut h) {
            Ok(false) => return Ok(None),
            Ok(true) => {}
            Err(e) => return Err(self.truncated(e)),
        }
        let secs = u32_at(&h, 0, big);
        let frac = u32_at(&h, 4, big);
        let caplen = u32_at(&h, 8, big);
        let wire_len = u32_at(&h, 12, big);
        if caplen as usize > MAX_RECORD {
            return Err(Error::TooLarge {
                records: self.records,
                claimed: u64::from(caplen),
            });
        }
        let mut data = vec![0u8; caplen as usize];
        match fill(&mut self.input, &mut data) {
            Ok(true) => {}
            Ok(false) if caplen == 0 => {}
            Ok(false) => {
                return Err(Error::Truncated {
                    records: self.records,
                })
            }
            Err(e) => return Err(self.truncated(e)),
        }
        let nanos = if nanos {
            frac
        } else {
            frac.saturating_mul(1000)
        };
        Ok(Some(Record {
            time: Timestamp {
                secs: i64::from(secs),
                nanos: nanos.min(999_999_999),
            },
            linktype,
            interface: 0,
            interface_name: None,
            wire_len: wire_len.max(caplen),
            data,
            comment: None,
        }))
    }

    /// The next pcapng block that holds a packet; description blocks update the state.
    fn next_ng(&mut self) -> Result<Option<Record>, Error> {
        loop {
            let mut head = [0u8; 8];
            let big = match &self.kind {
                Kind::Ng { big, .. } => *big,
                Kind::Pcap { .. } => return Ok(None),
            };
            match fill(&mut self.input, &mut head) {
                Ok(false) => return Ok(None),
                Ok(true) => {}
                Err(e) => return Err(self.truncated(e)),
            }
            let block_type = u32_at(&head, 0, big);
            if block_type == PCAPNG_SHB {
                // A new section: its own byte order and interfaces.
                let length = [head[4], head[5], head[6], head[7]];
                let big = Self::section_header(&mut self.input, length, self.records)?;
                self.kind = Kind::Ng {
                    big,
                    interfaces: Vec::new(),
                };
                continue;
            }
            let total = u32_at(&head, 4, big) as usize;
            if total > MAX_RECORD {
                return Err(Error::TooLarge {
                    records: self.records,
                    claimed: total as u64,
                });
            }
            if total < 12 || !total.is_multiple_of(4) {
                return Err(Error::Malformed {
                    records: self.records,
                    what: format!("block of type {block_type} with length {total}"),
                });
            }
            let mut body = vec![0u8; total - 8];
            match fill(&mut self.input, &mut body) {
                Ok(true) => {}
                Ok(false) => {
                    return Err(Error::Truncated {
                        records: self.records,
                    })
                }
                Err(e) => return Err(self.truncated(e)),
            }
            let trailer = u32_at(&body, body.len() - 4, big) as usize;
            if trailer != total {
                return Err(Error::Malformed {
                    records: self.records,
                    what: format!("block lengths disagree ({total} and {trailer})"),
                });
            }
            body.truncate(total - 12);
            if let Some(record) = self.block(block_type, &body, big)? {
                return Ok(Some(record));
            }
        }
    }

    fn interface(&self, id: u32) -> Result<Interface, Error> {
        match &self.kind {
            Kind::Ng { interfaces, .. } => {
                interfaces
                    .get(id as usize)
                    .cloned()
                    .ok_or_else(|| Error::Malformed {
                        records: self.records,
                        what: format!(
                            "a packet of interface {id}, which no description block declared"
                        ),
                    })
            }
            Kind::Pcap { .. } => Err(Error::Malformed {
                records: self.records,
                what: "pcapng block in a pcap file".to_string(),
            }),
        }
    }

    fn short(&self, what: &str) -> Error {
        Error::Malformed {
            records: self.records,
            what: format!("{what} block too short"),
        }
    }

    /// Interprets one block's body; Some for blocks that carry a packet.
    fn block(&mut self, block_type: u32, body: &[u8], big: bool) -> Result<Option<Record>, Error> {
        match block_type {
            BLOCK_IDB => {
                if body.len() < 8 {
                    return Err(self.short("interface description"));
                }
                let mut iface = Interface {
                    linktype: u32::from(u16_at(body, 0, big)),
                    snaplen: u32_at(body, 4, big),
                    units: 1_000_000,
                    offset: 0,
                    name: None,
                };
                for (code, value) in options(&body[8..], big) {
                    match code {
                        IF_NAME => iface.name = Some(text(value)),
                        IF_TSRESOL if !value.is_empty() => {
                            let exp = u32::from(value[0] & 0x7f);
                            let units = if value[0] & 0x80 != 0 {
                                1u64.checked_shl(exp)
                            } else {
                                10u64.checked_pow(exp)
                            };
                            iface.units =
                                units.filter(|u| *u > 0).ok_or_else(|| Error::Malformed {
                                    records: self.records,
                                    what: format!("timestamp resolution 0x{:02x}", value[0]),
                                })?;
                        }
                        IF_TSOFFSET if value.len() >= 8 => iface.offset = i64_at(value, 0, big),
                        _ => {}
                    }
                }
                if let Kind::Ng { interfaces, .. } = &mut self.kind {
                    interfaces.push(iface);
                }
                Ok(None)
            }
            BLOCK_EPB | BLOCK_PB => {
                if body.len() < 20 {
                    return Err(self.short("packet"));
                }
                let id = if block_type == BLOCK_EPB {
                    u32_at(body, 0, big)
                } else {
                    u32::from(u16_at(body, 0, big))
                };
                let iface = self.interface(id)?;
                let ts = (u64::from(u32_at(body, 4, big)) << 32) | u64::from(u32_at(body, 8, big));
                let caplen = u32_at(body, 12, big) as usize;
                let wire_len = u32_at(body, 16, big);
                let data = body.get(20..20 + caplen).ok_or_else(|| Error::Malformed {
                    records: self.records,
                    what: format!(
                        "a packet of {caplen} bytes in a block of {}",
                        body.len() + 12
                    ),
                })?;
                let padded = (20 + caplen + 3) & !3;
                let comment = options(body.get(padded..).unwrap_or_default(), big)
                    .into_iter()
                    .find(|(c, _)| *c == OPT_COMMENT)
                    .map(|(_, v)| text(v));
                Ok(Some(self.record(&iface, id, ts, data, wire_len, comment)))
            }
            BLOCK_SPB => {
                if body.len() < 4 {
                    return Err(self.short("simple packet"));
                }
                let iface = self.interface(0)?;
                let wire_len = u32_at(body, 0, big);
                let mut caplen = (wire_len as usize).min(body.len() - 4);
                if iface.snaplen > 0 {
                    caplen = caplen.min(iface.snaplen as usize);
                }
                let data = &body[4..4 + caplen];
                // A simple packet block has no time: it counts as the epoch.
                Ok(Some(self.record(&iface, 0, 0, data, wire_len, None)))
            }
            // Name resolution, statistics, secrets, custom blocks: nothing for records.
            _ => Ok(None),
        }
    }

    fn record(
        &self,
        iface: &Interface,
        id: u32,
        ts: u64,
        data: &[u8],
        wire_len: u32,
        comment: Option<String>,
    ) -> Record {
        let units = iface.units;
        let secs = ts / units;
        let nanos = (u128::from(ts % units) * 1_000_000_000 / u128::from(units)) as u32;
        Record {
            time: Timestamp {
                secs: (secs as i64).saturating_add(iface.offset),
                nanos,
            },
            linktype: iface.linktype,
            interface: id,
            interface_name: iface.name.clone(),
            wire_len: wire_len.max(data.len() as u32),
            data: data.to_vec(),
            comment,
        }
    }
}

impl Iterator for Reader {
    type Item = Result<Record, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let next = match self.kind {
            Kind::Pcap {
                big,
                nanos,
                linktype,
            } => self.next_pcap(big, nanos, linktype),
            Kind::Ng { .. } => self.next_ng(),
        };
        match next {
            Ok(Some(record)) => {
                self.records += 1;
                Some(Ok(record))
            }
            Ok(None) => {
                self.done = true;
                None
            }
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}
