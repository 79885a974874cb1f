//! Writing capture files: classic pcap (appending in the file's own format) and pcapng.

use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::Path;

use super::{Error, Record};

/// Writes classic pcap: one link type, micro- or nanosecond times.
pub struct PcapWriter<W: Write> {
    out: W,
    linktype: u32,
    nanos: bool,
    big: bool,
}

/// Writes pcapng: an interface description per link type and interface name, nanosecond times,
/// packet comments.
pub struct PcapNgWriter<W: Write> {
    out: W,
    /// (link type, interface name) of each interface declared so far, by index.
    interfaces: Vec<(u32, Option<String>)>,
}

fn put16(v: &mut Vec<u8>, x: u16) {
    v.extend_from_slice(&x.to_le_bytes());
}

fn put32(v: &mut Vec<u8>, x: u32) {
    v.extend_from_slice(&x.to_le_bytes());
}

fn pad4(v: &mut Vec<u8>) {
    while !v.len().is_multiple_of(4) {
        v.push(0);
    }
}

/// Appends a pcapng option (code, value, padding).
fn option(v: &mut Vec<u8>, code: u16, value: &[u8]) {
    put16(v, code);
    put16(v, value.len().min(0xffff) as u16);
    v.extend_from_slice(&value[..value.len().min(0xffff)]);
    pad4(v);
}

impl<W: Write> PcapWriter<W> {
    /// Starts a file: writes the global header (little-endian, libpcap's default snaplen).
    pub fn new(out: W, linktype: u32, nanos: bool) -> io::Result<PcapWriter<W>> {
        PcapWriter::with_header(out, linktype, nanos, false, 0x0004_0000)
    }

    /// Starts a file in either byte order with a given snaplen.
    pub fn with_header(
        mut out: W,
        linktype: u32,
        nanos: bool,
        big: bool,
        snaplen: u32,
    ) -> io::Result<PcapWriter<W>> {
        let magic: u32 = if nanos { 0xa1b2_3c4d } else { 0xa1b2_c3d4 };
        let mut h = Vec::with_capacity(24);
        let words = |h: &mut Vec<u8>, x: u32| {
            h.extend_from_slice(&if big {
                x.to_be_bytes()
            } else {
                x.to_le_bytes()
            })
        };
        words(&mut h, magic);
        let halves: [u16; 2] = [2, 4];
        for v in halves {
            h.extend_from_slice(&if big {
                v.to_be_bytes()
            } else {
                v.to_le_bytes()
            });
        }
        words(&mut h, 0); // thiszone
        words(&mut h, 0); // sigfigs
        words(&mut h, snaplen);
        words(&mut h, linktype);
        out.write_all(&h)?;
        Ok(PcapWriter {
            out,
            linktype,
            nanos,
            big,
        })
    }

    /// The link type every record must have.
    pub fn linktype(&self) -> u32 {
        self.linktype
    }

    /// Writes one record (its link type must be the file's).
    pub fn write(&mut self, record: &Record) -> Result<(), Error> {
        if record.linktype != self.linktype {
            return Err(Error::Malformed {
                records: 0,
                what: format!(
                    "a pcap file holds one link type ({}), this packet has {}: write pcapng for mixed link types",
                    self.linktype, record.linktype
                ),
            });
        }
        let secs = u32::try_from(record.time.secs.max(0)).unwrap_or(u32::MAX);
        let frac = if self.nanos {
            record.time.nanos
        } else {
            record.time.nanos / 1000
        };
        let caplen = record.data.len() as u32;
        let fields = [secs, frac, caplen, record.wire_len.max(caplen)];
        let mut h = [0u8; 16];
        for (i, f) in fields.iter().enumerate() {
            let b = if self.big {
                f.to_be_bytes()
            } else {
                f.to_le_bytes()
            };
            h[i * 4..i * 4 + 4].copy_from_slice(&b);
        }
        self.out.write_all(&h)?;
        self.out.write_all(&record.data)?;
        Ok(())
    }

    /// Flushes and returns the output.
    pub fn finish(mut self) -> io::Result<W> {
        self.out.flush()?;
        Ok(self.out)
    }
}

impl PcapWriter<BufWriter<File>> {
    /// Opens an existing pcap file to append records in its own format (byte order, time
    /// resolution, link type); a missing or empty file is started with `linktype`.
    pub fn append(path: &Path, linktype: u32) -> Result<PcapWriter<BufWriter<File>>, Error> {
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(path)?;
        let mut head = [0u8; 24];
        let len = file.metadata()?.len();
        if len == 0 {
            return Ok(PcapWriter::new(BufWriter::new(file), linktype, false)?);
        }
        file.seek(SeekFrom::Start(0))?;
        file.read_exact(&mut head)
            .map_err(|_| Error::Truncated { records: 0 })?;
        let (big, nanos) = match head[..4] {
            [0xd4, 0xc3, 0xb2, 0xa1] => (false, false),
            [0xa1, 0xb2, 0xc3, 0xd4] => (true, false),
            [0x4d, 0x3c, 0xb2, 0xa1] => (false, true),
            [0xa1, 0xb2, 0x3c, 0x4d] => (true, true),
            _ => return Err(Error::BadMagic([head[0], head[1], head[2], head[3]])),
        };
        let raw = [head[20], head[21], head[22], head[23]];
        let file_linktype = if big {
            u32::from_be_bytes(raw)
        } else {
            u32::from_le_bytes(raw)
        } & 0xffff;
        Ok(PcapWriter {
            out: BufWriter::new(file),
            linktype: file_linktype,
            nanos,
            big,
        })
    }
}

impl<W: Write> PcapNgWriter<W> {
    /// Starts a file: writes the section header block.
    pub fn new(mut out: W) -> io::Result<PcapNgWriter<W>> {
        let mut body = Vec::new();
        put32(&mut body, 0x1A2B_3C4D);
        put16(&mut body, 1);
        put16(&mut body, 0);
        body.extend_from_slice(&(-1i64).to_le_bytes()); // section length unknown
        option(
            &mut body,
            4,
            format!("wirecraft {}", env!("CARGO_PKG_VERSION")).as_bytes(),
        ); // shb_userappl
        option(&mut body, 0, &[]);
        write_block(&mut out, 0x0A0D_0D0A, &body)?;
        Ok(PcapNgWriter {
            out,
            interfaces: Vec::new(),
        })
    }

    /// The interface index for a record, declaring the interface the first time.
    fn interface(&mut self, record: &Record) -> io::Result<u32> {
        let key = (record.linktype, record.interface_name.clone());
        if let Some(i) = self.interfaces.iter().position(|k| *k == key) {
            return Ok(i as u32);
        }
        let mut body = Vec::new();
        put16(&mut body, record.linktype.min(0xffff) as u16);
        put16(&mut body, 0);
        put32(&mut body, 0); // snaplen: no limit
        if let Some(name) = &record.interface_name {
            option(&mut body, 2, name.as_bytes());
        }
        option(&mut body, 9, &[9]); // if_tsresol: nanoseconds
        option(&mut body, 0, &[]);
        write_block(&mut self.out, 1, &body)?;
        self.interfaces.push(key);
        Ok(self.interfaces.len() as u32 - 1)
    }

    /// Writes one record as an enhanced packet block.
    pub fn write(&mut self, record: &Record) -> Result<(), Error> {
        let id = self.interface(record)?;
        let ts = (record.time.secs.max(0) as u64)
            .saturating_mul(1_000_000_000)
            .saturating_add(u64::from(record.time.nanos));
        let caplen = record.data.len() as u32;
        let mut body = Vec::with_capacity(record.data.len() + 32);
        put32(&mut body, id);
        put32(&mut body, (ts >> 32) as u32);
        put32(&mut body, ts as u32);
        put32(&mut body, caplen);
        put32(&mut body, record.wire_len.max(caplen));
        body.extend_from_slice(&record.data);
        pad4(&mut body);
        if let Some(comment) = &record.comment {
            option(&mut body, 1, comment.as_bytes());
            option(&mut body, 0, &[]);
        }
        write_block(&mut self.out, 6, &body)?;
        Ok(())
    }

    /// Flushes and returns the output.
    pub fn finish(mut self) -> io::Result<W> {
        self.out.flush()?;
        Ok(self.out)
    }
}

fn write_block(out: &mut impl Write, block_type: u32, body: &[u8]) -> io::Result<()> {
    let total = (body.len() + 12) as u32;
    let mut block = Vec::with_capacity(total as usize);
    put32(&mut block, block_type);
    put32(&mut block, total);
    block.extend_from_slice(body);
    put32(&mut block, total);
    out.write_all(&block)
}

/// Where a file's bytes go: the file, or a gzip stream that must be finished.
pub enum Sink {
    Plain(BufWriter<File>),
    Gzip(flate2::write::GzEncoder<BufWriter<File>>),
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Sink::Plain(w) => w.write(buf),
            Sink::Gzip(w) => w.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Sink::Plain(w) => w.flush(),
            Sink::Gzip(w) => w.flush(),
        }
    }
}

impl Sink {
    /// Writes everything out, the gzip trailer included.
    fn close(self) -> io::Result<()> {
        match self {
            Sink::Plain(mut w) => w.flush(),
            Sink::Gzip(w) => w.finish()?.flush(),
        }
    }
}

/// How to write a new capture file.
#[derive(Clone, Debug)]
pub struct WriteOptions {
    /// The link type of a classic pcap file.
    pub linktype: u32,
    pub pcapng: bool,
    /// Nanosecond timestamps (classic pcap; pcapng always writes nanoseconds).
    pub nanos: bool,
    pub gzip: bool,
    /// Big-endian classic pcap.
    pub big_endian: bool,
    pub snaplen: u32,
}

impl Default for WriteOptions {
    fn default() -> WriteOptions {
        WriteOptions {
            linktype: super::linktype::ETHERNET,
            pcapng: false,
            nanos: false,
            gzip: false,
            big_endian: false,
            snaplen: 0x0004_0000,
        }
    }
}

/// A capture file being written, in either format, gzip-compressed for `.gz` paths.
pub enum Writer {
    Pcap(PcapWriter<Sink>),
    PcapNg(PcapNgWriter<Sink>),
}

impl Writer {
    /// Creates `path`: pcapng if `pcapng` (or the path ends in `.pcapng`/`.pcapng.gz`), else
    /// pcap with `linktype`; gzip when the path ends in `.gz`.
    pub fn create(path: &Path, linktype: u32, pcapng: bool, nanos: bool) -> Result<Writer, Error> {
        let name = path.to_string_lossy().to_ascii_lowercase();
        Writer::create_with(
            path,
            &WriteOptions {
                linktype,
                pcapng: pcapng || name.ends_with(".pcapng") || name.ends_with(".pcapng.gz"),
                nanos,
                gzip: name.ends_with(".gz"),
                ..WriteOptions::default()
            },
        )
    }

    /// Creates `path` exactly as `options` say, whatever its name.
    pub fn create_with(path: &Path, options: &WriteOptions) -> Result<Writer, Error> {
        let file = BufWriter::new(File::create(path)?);
        let out = if options.gzip {
            Sink::Gzip(flate2::write::GzEncoder::new(
                file,
                flate2::Compression::default(),
            ))
        } else {
            Sink::Plain(file)
        };
        Ok(if options.pcapng {
            Writer::PcapNg(PcapNgWriter::new(out)?)
        } else {
            Writer::Pcap(PcapWriter::with_header(
                out,
                options.linktype,
                options.nanos,
                options.big_endian,
                options.snaplen,
            )?)
        })
    }

    /// Opens an existing classic pcap file to append in its own format (see
    /// [`PcapWriter::append`]).
    pub fn append(path: &Path, linktype: u32) -> Result<Writer, Error> {
        let w = PcapWriter::append(path, linktype)?;
        Ok(Writer::Pcap(PcapWriter {
            out: Sink::Plain(w.out),
            linktype: w.linktype,
            nanos: w.nanos,
            big: w.big,
        }))
    }

    /// The link type of a classic pcap file (None for pcapng, which has one per interface).
    pub fn linktype(&self) -> Option<u32> {
        match self {
            Writer::Pcap(w) => Some(w.linktype),
            Writer::PcapNg(_) => None,
        }
    }

    /// Flushes what was written so far (a gzip stream stays open).
    pub fn flush(&mut self) -> io::Result<()> {
        match self {
            Writer::Pcap(w) => w.out.flush(),
            Writer::PcapNg(w) => w.out.flush(),
        }
    }

    /// Writes one record.
    pub fn write(&mut self, record: &Record) -> Result<(), Error> {
        match self {
            Writer::Pcap(w) => w.write(record),
            Writer::PcapNg(w) => w.write(record),
        }
    }

    /// Writes everything out (and ends the gzip stream).
    pub fn finish(self) -> io::Result<()> {
        match self {
            Writer::Pcap(w) => w.out.close(),
            Writer::PcapNg(w) => w.out.close(),
        }
    }
}
