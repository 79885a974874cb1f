//! Capture files in the language: `rdpcap`, `wrpcap`, `wrpcapng`, the streaming
//! `PcapReader`/`PcapNgReader` and `PcapWriter`/`PcapNgWriter`, `sniff(offline=...)`, the
//! hand-off to other programs (`wireshark()`, `tcpdump()`, through `conf.prog`), and the
//! packet attributes a capture gives (`time`, `sniffed_on`, `wirelen`, `comment`).
//!
//! Records become packets through `results::linktype`; a damaged file gives the packets
//! before the damage and a warning saying what is wrong (a file that is no capture at all,
//! or an empty one, is Scapy's `Scapy_Exception`).

use std::cell::{Cell, RefCell};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::rc::Rc;

use crate::packet::{log, CaptureInfo, Packet, PacketTime, Registry};
use crate::pcapfile::{self, Error as PcapError, Filters, Reader, Record, WriteOptions, Writer};
use crate::results::linktype;

use super::super::ast::Sym;
use super::super::exceptions::{Exc, ExcKind, PResult};
use super::super::interp::{State, Vm};
use super::super::objects::{bytes_like, downcast, native, os_error};
use super::super::value::{NativeObject, Value};
use super::libfn::LibFn;
use super::lists::{make_table, packet_of, packets_in, Args, PacketListObj};
use super::objects::{obj_addr, PacketObj};
use super::{build, drain};

/// The functions, by the names the namespace gives them.
const FUNCS: &[&str] = &[
    "rdpcap",
    "wrpcap",
    "wrpcapng",
    "sniff",
    "wireshark",
    "tcpdump",
    "make_table",
    "make_lined_table",
    "make_tex_table",
];

/// The classes (callable to make their objects).
const CLASSES: &[&str] = &[
    "PcapReader",
    "PcapNgReader",
    "PcapWriter",
    "PcapNgWriter",
    "PacketList",
    "SndRcvList",
];

/// The names [`install`] defines.
pub fn names() -> Vec<&'static str> {
    FUNCS.iter().chain(CLASSES).copied().collect()
}

thread_local! {
    /// The session's `conf.prog` (one session per thread at a time).
    static PROG: RefCell<Option<Rc<ProgPaths>>> = const { RefCell::new(None) };
    /// A counter that makes temporary file names unique.
    static TEMP: Cell<u64> = const { Cell::new(0) };
}

/// Installs the functions and classes, and `conf.prog`.
pub fn install(st: &mut State, reg: &Rc<Registry>) {
    for &name in FUNCS {
        st.set_builtin(name, LibFn::function(name, reg.clone(), call));
    }
    for &name in &CLASSES[..4] {
        let repr = format!("<class 'scapy.utils.{name}'>");
        st.set_builtin(name, LibFn::class(name, repr, reg.clone(), open));
    }
    st.set_builtin(
        "PacketList",
        native(super::lists::ListClass {
            pairs: false,
            reg: reg.clone(),
        }),
    );
    st.set_builtin(
        "SndRcvList",
        native(super::lists::ListClass {
            pairs: true,
            reg: reg.clone(),
        }),
    );
    let prog = Rc::new(ProgPaths::default());
    PROG.with(|p| *p.borrow_mut() = Some(prog.clone()));
    if let Some(Value::Native(conf)) = st
        .interner
        .lookup("conf")
        .and_then(|s| st.builtins.get(s as usize).cloned().flatten())
    {
        let _ = conf.0.set_attr("prog", native(ProgBox(prog)));
    }
}

// ---------------------------------------------------------------------------------------------
// conf.prog and the programs it names.

/// `conf.prog`: the programs wirecraft hands files to, settable (`conf.prog.tcpdump = ...`).
pub struct ProgPaths {
    attrs: RefCell<Vec<(String, String)>>,
}

impl Default for ProgPaths {
    fn default() -> ProgPaths {
        let names = [
            ("display", "display"),
            ("dot", "dot"),
            ("hexedit", "hexer"),
            ("ifconfig", "ifconfig"),
            ("pdfreader", "xdg-open"),
            ("psreader", "xdg-open"),
            ("svgreader", "xdg-open"),
            ("tcpdump", "tcpdump"),
            ("tcpreplay", "tcpreplay"),
            ("tshark", "tshark"),
            ("universal_open", "xdg-open"),
            ("wireshark", "wireshark"),
        ];
        ProgPaths {
            attrs: RefCell::new(
                names
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
            ),
        }
    }
}

/// `conf.prog` as a language object.
struct ProgBox(Rc<ProgPaths>);

impl NativeObject for ProgBox {
    fn type_name(&self) -> &str {
        "ProgPath"
    }
    fn repr(&self) -> String {
        let mut attrs = self.0.attrs.borrow().clone();
        attrs.sort();
        attrs
            .iter()
            .map(|(k, v)| format!("{k:<10} = {}", super::super::format::str_repr(v)))
            .collect::<Vec<_>>()
            .join("\n")
    }
    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }
    fn get_attr(&self, _vm: &mut Vm<'_>, _this: &Value, name: &str) -> Option<PResult<Value>> {
        let found = self
            .0
            .attrs
            .borrow()
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| Value::str(v.clone()));
        Some(found.ok_or_else(|| {
            Exc::new(
                ExcKind::AttributeError,
                format!("'ProgPath' object has no attribute '{name}'"),
            )
        }))
    }
    fn set_attr(&self, name: &str, value: Value) -> Option<PResult<()>> {
        let Value::Str(s) = &value else {
            return Some(Err(Exc::type_error(format!(
                "conf.prog.{name} must be a str (a program name or path)"
            ))));
        };
        let mut attrs = self.0.attrs.borrow_mut();
        match attrs.iter_mut().find(|(k, _)| k == name) {
            Some(slot) => slot.1 = s.s.clone(),
            None => attrs.push((name.to_string(), s.s.clone())),
        }
        Some(Ok(()))
    }
}

/// The program `conf.prog.<name>` names.
pub fn prog_path(name: &str) -> String {
    PROG.with(|p| {
        p.borrow()
            .as_ref()
            .and_then(|p| {
                p.attrs
                    .borrow()
                    .iter()
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| v.clone())
            })
            .unwrap_or_else(|| name.to_string())
    })
}

/// A fresh temporary file name with extension `ext`. Files handed to a viewer that keeps
/// running are left for it (as the reference leaves them until the session ends).
pub fn temp_path(ext: &str) -> PathBuf {
    let n = TEMP.with(|t| {
        t.set(t.get() + 1);
        t.get()
    });
    std::env::temp_dir().join(format!("wirecraft-{}-{n}.{ext}", std::process::id()))
}

/// Starts `conf.prog.display` on a file, without waiting for it.
pub fn display(path: &Path) -> PResult<()> {
    let prog = prog_path("display");
    spawn(&prog, &[path.as_os_str().to_owned()], false).map(|_| ())
}

/// Runs a program; with `wait`, returns its standard output once it exits.
fn spawn(
    prog: &str,
    args: &[std::ffi::OsString],
    wait: bool,
) -> PResult<Option<(Vec<u8>, String, bool)>> {
    let mut cmd = Command::new(prog);
    cmd.args(args).stdin(Stdio::null());
    if wait {
        let out = cmd
            .output()
            .map_err(|e| Exc::new(ExcKind::OSError, format!("cannot run {prog}: {e}")))?;
        Ok(Some((
            out.stdout,
            String::from_utf8_lossy(&out.stderr).into_owned(),
            out.status.success(),
        )))
    } else {
        cmd.stdout(Stdio::null()).stderr(Stdio::null());
        let mut child = cmd
            .spawn()
            .map_err(|e| Exc::new(ExcKind::OSError, format!("cannot run {prog}: {e}")))?;
        // The viewer runs on; a thread reaps it when it exits, so it leaves no zombie.
        std::thread::spawn(move || {
            let _ = child.wait();
        });
        Ok(None)
    }
}

// ---------------------------------------------------------------------------------------------
// Packet attributes.

/// `p.time`, `p.sniffed_on`, `p.wirelen`, `p.comment`: None for other names.
pub fn packet_attr(p: &Packet, name: &str) -> Option<Value> {
    let info = || p.capture_info();
    Some(match name {
        "time" => Value::Float(p.time().as_f64()),
        "sniffed_on" => info()
            .and_then(|i| i.sniffed_on.clone())
            .map_or(Value::None, Value::str),
        "wirelen" => info()
            .and_then(|i| i.wirelen)
            .map_or(Value::None, |w| Value::Int(i64::from(w))),
        "comment" => match info() {
            Some(i) => match &i.comment {
                Some(c) if i.comment_is_text => Value::str(String::from_utf8_lossy(c)),
                Some(c) => Value::bytes(c.clone()),
                None => Value::None,
            },
            None => Value::None,
        },
        _ => return None,
    })
}

/// Assigns one of the attributes [`packet_attr`] reads; None for other names.
pub fn set_packet_attr(p: &Packet, name: &str, v: &Value) -> Option<PResult<()>> {
    if !matches!(name, "time" | "sniffed_on" | "wirelen" | "comment") {
        return None;
    }
    Some((|| {
        if name == "time" {
            let t = match v {
                Value::Int(i) => *i as f64,
                Value::Float(f) => *f,
                Value::Bool(b) => f64::from(u8::from(*b)),
                other => {
                    return Err(Exc::type_error(format!(
                        "a packet's time must be a number, not '{}'",
                        other.type_name()
                    )))
                }
            };
            p.set_time(PacketTime::from_f64(t));
            return Ok(());
        }
        let mut info: CaptureInfo = p.capture_info().map(|i| (*i).clone()).unwrap_or_default();
        match (name, v) {
            ("sniffed_on", Value::None) => info.sniffed_on = None,
            ("sniffed_on", Value::Str(s)) => info.sniffed_on = Some(s.s.clone()),
            ("wirelen", Value::None) => info.wirelen = None,
            ("wirelen", Value::Int(i)) => {
                info.wirelen =
                    Some(u32::try_from(*i).map_err(|_| {
                        Exc::value_error("wirelen must be between 0 and 4294967295")
                    })?)
            }
            ("comment", Value::None) => info.comment = None,
            ("comment", Value::Str(s)) => {
                info.comment = Some(s.s.as_bytes().to_vec());
                info.comment_is_text = true;
            }
            ("comment", other) if bytes_like(other).is_some() => {
                info.comment = bytes_like(other);
                info.comment_is_text = false;
            }
            (_, other) => {
                return Err(Exc::type_error(format!(
                    "a packet's {name} cannot be a '{}'",
                    other.type_name()
                )))
            }
        }
        p.set_capture_info(Some(info));
        Ok(())
    })())
}

// ---------------------------------------------------------------------------------------------
// Reading.

/// `Scapy_Exception(msg)`.
fn scapy_exception(msg: &str) -> Exc {
    Exc::new(ExcKind::Scapy_Exception, msg)
}

/// A capture error as the language raises it when nothing could be read.
fn open_error(e: PcapError, filename: &str) -> Exc {
    match e {
        PcapError::Io(e) => os_error(&e, Some(filename)),
        PcapError::BadMagic(_) => scapy_exception("Not a supported capture file"),
        PcapError::Empty => scapy_exception("No data could be read!"),
        other => scapy_exception(&format!("{filename}: {other}")),
    }
}

/// The file name argument (a str or bytes path).
fn filename_arg(f: &str, a: &Args, i: usize, name: &str) -> PResult<String> {
    match a.text(f, i, name)? {
        Some(s) => Ok(s),
        None => Err(Exc::type_error(format!(
            "{f}() missing 1 required positional argument: '{name}'"
        ))),
    }
}

/// The last component of a path (a list's name).
fn basename(path: &str) -> String {
    Path::new(path)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.to_string())
}

/// A capture being read packet by packet: the reader behind `PcapReader`, `rdpcap` and
/// offline `sniff`.
struct Stream {
    reader: Reader,
    filename: String,
    /// `sniffed_on` for the packets (offline sniffing names the file).
    sniffed_on: Option<String>,
    reg: Rc<Registry>,
    /// What the last record said of its packet, which the next one shares if alike.
    shared: Option<Rc<CaptureInfo>>,
}

impl Stream {
    fn open(filename: &str, reg: &Rc<Registry>, sniffed_on: bool) -> PResult<Stream> {
        let reader = pcapfile::open(Path::new(filename)).map_err(|e| open_error(e, filename))?;
        Ok(Stream {
            reader,
            filename: filename.to_string(),
            sniffed_on: sniffed_on.then(|| filename.to_string()),
            reg: reg.clone(),
            shared: None,
        })
    }

    /// The next record; damage ends the stream with a warning (the records before it stay).
    fn next_record(&mut self, vm: &mut Vm<'_>) -> Option<Record> {
        match self.reader.next()? {
            Ok(r) => Some(r),
            Err(e) => {
                vm.warning(&format!("{}: {e}", self.filename));
                None
            }
        }
    }

    /// The packet of a record.
    fn packet(&mut self, vm: &mut Vm<'_>, record: &Record) -> Option<Value> {
        let p = linktype::packet_from_record(
            &self.reg,
            record,
            self.sniffed_on.as_deref(),
            &mut self.shared,
        )?;
        if !linktype::is_known(record.linktype) {
            log::log_warning(format!(
                "PcapReader: unknown LL type [{}]/[{:#x}]. Using Raw packets",
                record.linktype, record.linktype
            ));
        }
        drain(vm);
        Some(PacketObj::value(&p, &self.reg))
    }

    fn next_packet(&mut self, vm: &mut Vm<'_>) -> Option<Value> {
        let r = self.next_record(vm)?;
        self.packet(vm, &r)
    }
}

/// `rdpcap(filename, count=-1)`.
fn rdpcap(vm: &mut Vm<'_>, a: &Args, reg: &Rc<Registry>) -> PResult<Value> {
    let filename = filename_arg("rdpcap", a, 0, "filename")?;
    let count = count_arg(a.get(1, "count"))?;
    let mut s = Stream::open(&filename, reg, false)?;
    let mut items = Vec::new();
    while count.is_none_or(|c| items.len() < c) {
        vm.poll_stop()?;
        match s.next_packet(vm) {
            Some(p) => items.push(p),
            None => break,
        }
    }
    Ok(PacketListObj::value(basename(&filename), items, false, reg))
}

/// A `count` argument: None for "all" (absent, or not positive as in the reference).
fn count_arg(v: Option<&Value>) -> PResult<Option<usize>> {
    match v {
        None => Ok(None),
        Some(Value::Int(n)) if *n <= 0 => Ok(None),
        Some(Value::Int(n)) => Ok(Some(usize::try_from(*n).unwrap_or(usize::MAX))),
        Some(other) => Err(Exc::type_error(format!(
            "count must be an int, not '{}'",
            other.type_name()
        ))),
    }
}

/// `PcapReader(filename)` / `PcapNgReader(filename)`: packets one at a time, in constant
/// memory; an iterator and a context manager.
pub struct PcapReaderObj {
    class: &'static str,
    stream: RefCell<Option<Stream>>,
    linktype: Option<u32>,
}

const READER_METHODS: &[&str] = &[
    "read_packet",
    "read_all",
    "recv",
    "close",
    "__enter__",
    "__exit__",
    "__iter__",
    "__next__",
];

impl PcapReaderObj {
    fn open(vm: &mut Vm<'_>, a: &Args, reg: &Rc<Registry>) -> PResult<Value> {
        let filename = filename_arg("PcapReader", a, 0, "filename")?;
        let stream = Stream::open(&filename, reg, false)?;
        let class = match stream.reader.format() {
            pcapfile::Format::PcapNg => "PcapNgReader",
            pcapfile::Format::Pcap { .. } => "PcapReader",
        };
        let linktype = stream.reader.linktype();
        drain(vm);
        Ok(native(PcapReaderObj {
            class,
            stream: RefCell::new(Some(stream)),
            linktype,
        }))
    }

    fn next_value(&self, vm: &mut Vm<'_>) -> PResult<Option<Value>> {
        let mut stream = self.stream.borrow_mut();
        let Some(s) = stream.as_mut() else {
            return Err(Exc::value_error("I/O operation on closed file."));
        };
        Ok(s.next_packet(vm))
    }

    fn method(&self, vm: &mut Vm<'_>, this: &Value, name: &str, a: Args) -> PResult<Value> {
        match name {
            "read_packet" | "recv" => match self.next_value(vm)? {
                Some(p) => Ok(p),
                None => Err(Exc::with_args(ExcKind::EOFError, Vec::new())),
            },
            "read_all" => {
                let count = count_arg(a.get(0, "count"))?;
                let mut items = Vec::new();
                while count.is_none_or(|c| items.len() < c) {
                    vm.poll_stop()?;
                    match self.next_value(vm)? {
                        Some(p) => items.push(p),
                        None => break,
                    }
                }
                let (name, reg) = match self.stream.borrow().as_ref() {
                    Some(s) => (basename(&s.filename), s.reg.clone()),
                    None => return Err(Exc::value_error("I/O operation on closed file.")),
                };
                Ok(PacketListObj::value(name, items, false, &reg))
            }
            "close" | "__exit__" => {
                self.stream.borrow_mut().take();
                Ok(Value::None)
            }
            "__enter__" | "__iter__" => Ok(this.clone()),
            "__next__" => match self.next_value(vm)? {
                Some(p) => Ok(p),
                None => Err(Exc::with_args(ExcKind::StopIteration, Vec::new())),
            },
            _ => Err(Exc::new(ExcKind::AttributeError, name.to_string())),
        }
    }
}

impl NativeObject for PcapReaderObj {
    fn type_name(&self) -> &str {
        self.class
    }
    fn repr(&self) -> String {
        format!(
            "<scapy.utils.{} object at {:#x}>",
            self.class,
            obj_addr(self)
        )
    }
    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }
    fn get_attr(&self, _vm: &mut Vm<'_>, _this: &Value, name: &str) -> Option<PResult<Value>> {
        match name {
            "linktype" => Some(Ok(self
                .linktype
                .map_or(Value::None, |l| Value::Int(i64::from(l))))),
            "filename" => Some(Ok(self
                .stream
                .borrow()
                .as_ref()
                .map_or(Value::None, |s| Value::str(s.filename.clone())))),
            _ => None,
        }
    }
    fn method_names(&self) -> &'static [&'static str] {
        READER_METHODS
    }
    fn call_method(
        &self,
        vm: &mut Vm<'_>,
        this: &Value,
        name: &str,
        args: Vec<Value>,
        kw: Vec<(Sym, Value)>,
    ) -> Option<PResult<Value>> {
        if !READER_METHODS.contains(&name) {
            return None;
        }
        let a = Args::new(vm, args, kw);
        Some(self.method(vm, this, name, a))
    }
    fn iter(&self, this: &Value) -> Option<PResult<Value>> {
        Some(Ok(this.clone()))
    }
    fn next(&self, vm: &mut Vm<'_>) -> Option<PResult<Option<Value>>> {
        Some(self.next_value(vm))
    }
}

// ---------------------------------------------------------------------------------------------
// Writing.

/// How a writer was asked to write (the file is created at the first packet, when the link
/// type is known).
#[derive(Clone)]
struct WriterSpec {
    filename: String,
    linktype: Option<u32>,
    pcapng: bool,
    append: bool,
    options: WriteOptions,
}

/// A capture file being written from packets: link types chosen and checked as the reference
/// does (the first packet's, a warning when later ones differ).
struct PacketWriter {
    spec: WriterSpec,
    writer: Option<Writer>,
    warned_mixed: bool,
}

impl PacketWriter {
    fn new(spec: WriterSpec) -> PacketWriter {
        PacketWriter {
            spec,
            writer: None,
            warned_mixed: false,
        }
    }

    fn io_err(&self, e: PcapError) -> Exc {
        match e {
            PcapError::Io(e) => os_error(&e, Some(&self.spec.filename)),
            other => Exc::value_error(format!("{}: {other}", self.spec.filename)),
        }
    }

    /// The link type a packet is written with, warning when its first layer has none.
    fn linktype_of(p: &Packet) -> u32 {
        linktype::linktype_for(p).unwrap_or_else(|| {
            log::log_warning(format!(
                "PcapWriter: unknown LL type for {}. Using type 1 (Ethernet)",
                p.class_name()
            ));
            pcapfile::linktype::ETHERNET
        })
    }

    fn write(&mut self, vm: &mut Vm<'_>, p: &Packet) -> PResult<()> {
        let bytes = build(vm, p)?;
        let own = Self::linktype_of(p);
        if self.writer.is_none() {
            let lt = self.spec.linktype.unwrap_or(own);
            let path = Path::new(&self.spec.filename);
            let w = if self.spec.append && !self.spec.pcapng && !self.spec.options.gzip {
                Writer::append(path, lt)
            } else {
                Writer::create_with(
                    path,
                    &WriteOptions {
                        linktype: lt,
                        pcapng: self.spec.pcapng,
                        ..self.spec.options.clone()
                    },
                )
            };
            self.writer = Some(w.map_err(|e| self.io_err(e))?);
        }
        let file_lt = self.writer.as_ref().and_then(Writer::linktype);
        let lt = match file_lt {
            Some(f) => {
                if f != own && self.spec.linktype.is_none() && !self.warned_mixed {
                    self.warned_mixed = true;
                    log::log_warning(
                        "Inconsistent linktypes detected! The resulting file might contain invalid packets.",
                    );
                }
                f
            }
            None => self.spec.linktype.unwrap_or(own),
        };
        drain(vm);
        let record = linktype::record_for(p, bytes, lt);
        let r = match self.writer.as_mut() {
            Some(w) => w.write(&record),
            None => return Ok(()),
        };
        r.map_err(|e| self.io_err(e))
    }

    fn flush(&mut self) -> PResult<()> {
        if let Some(w) = self.writer.as_mut() {
            w.flush()
                .map_err(|e| os_error(&e, Some(&self.spec.filename)))?;
        }
        Ok(())
    }

    /// Writes everything out; a writer that never saw a packet still creates its file (an
    /// empty capture), as the reference does.
    fn close(&mut self) -> PResult<()> {
        if self.writer.is_none() {
            let lt = self.spec.linktype.unwrap_or(pcapfile::linktype::ETHERNET);
            if !(self.spec.append && Path::new(&self.spec.filename).exists()) {
                let w = Writer::create_with(
                    Path::new(&self.spec.filename),
                    &WriteOptions {
                        linktype: lt,
                        pcapng: self.spec.pcapng,
                        ..self.spec.options.clone()
                    },
                )
                .map_err(|e| self.io_err(e))?;
                self.writer = Some(w);
            }
        }
        if let Some(w) = self.writer.take() {
            w.finish()
                .map_err(|e| os_error(&e, Some(&self.spec.filename)))?;
        }
        Ok(())
    }
}

/// The writer options of `wrpcap`/`PcapWriter` keywords.
fn writer_spec(f: &str, a: &Args, pcapng: bool) -> PResult<WriterSpec> {
    let filename = filename_arg(f, a, 0, "filename")?;
    let linktype = match a.kw("linktype") {
        None => None,
        Some(Value::Int(n)) => Some(
            u32::try_from(*n).map_err(|_| Exc::value_error("linktype must be in 0..4294967295"))?,
        ),
        Some(other) => {
            return Err(Exc::type_error(format!(
                "linktype must be an int, not '{}'",
                other.type_name()
            )))
        }
    };
    let endianness = match a.kw("endianness") {
        Some(Value::Str(s)) => s.s.clone(),
        _ => String::new(),
    };
    let snaplen = match a.kw("snaplen") {
        Some(Value::Int(n)) => u32::try_from(*n).unwrap_or(65535),
        _ => 65535,
    };
    Ok(WriterSpec {
        filename: filename.clone(),
        linktype,
        pcapng,
        append: a.kw("append").is_some_and(Value::truthy),
        options: WriteOptions {
            linktype: linktype.unwrap_or(pcapfile::linktype::ETHERNET),
            pcapng,
            nanos: a.kw("nano").is_some_and(Value::truthy),
            gzip: a.kw("gz").is_some_and(Value::truthy),
            big_endian: endianness == ">" || endianness == "!",
            snaplen,
        },
    })
}

/// `wrpcap(filename, pkt, linktype=None, append=False, gz=False, nano=False, ...)` and
/// `wrpcapng(filename, pkt)`.
fn wrpcap(vm: &mut Vm<'_>, f: &str, a: &Args, pcapng: bool) -> PResult<Value> {
    let spec = writer_spec(f, a, pcapng)?;
    let pkts = a.need(f, 1, "pkt")?;
    let items = packets_in(vm, f, pkts)?;
    let mut w = PacketWriter::new(spec);
    for v in &items {
        vm.poll_stop()?;
        let p = packet_of(v).ok_or_else(|| {
            Exc::type_error(format!("{f}() writes packets, not '{}'", v.type_name()))
        })?;
        w.write(vm, &p)?;
    }
    w.close()?;
    drain(vm);
    Ok(Value::None)
}

/// `PcapWriter(filename, linktype=None, gz=False, endianness="", append=False, sync=False,
/// nano=False, snaplen=65535)` and `PcapNgWriter(filename)`.
pub struct PcapWriterObj {
    class: &'static str,
    writer: RefCell<Option<PacketWriter>>,
    sync: bool,
}

const WRITER_METHODS: &[&str] = &["write", "flush", "close", "__enter__", "__exit__"];

impl PcapWriterObj {
    fn method(&self, vm: &mut Vm<'_>, this: &Value, name: &str, a: Args) -> PResult<Value> {
        match name {
            "write" => {
                let pkts = a.need("write", 0, "pkt")?;
                let items = packets_in(vm, "write", pkts)?;
                let mut guard = self.writer.borrow_mut();
                let Some(w) = guard.as_mut() else {
                    return Err(Exc::value_error("write to closed file"));
                };
                for v in &items {
                    let p = packet_of(v).ok_or_else(|| {
                        Exc::type_error(format!("write() takes packets, not '{}'", v.type_name()))
                    })?;
                    w.write(vm, &p)?;
                }
                if self.sync {
                    w.flush()?;
                }
                Ok(Value::None)
            }
            "flush" => {
                if let Some(w) = self.writer.borrow_mut().as_mut() {
                    w.flush()?;
                }
                Ok(Value::None)
            }
            "close" | "__exit__" => {
                let w = self.writer.borrow_mut().take();
                if let Some(mut w) = w {
                    w.close()?;
                }
                Ok(Value::None)
            }
            "__enter__" => Ok(this.clone()),
            _ => Err(Exc::new(ExcKind::AttributeError, name.to_string())),
        }
    }
}

impl NativeObject for PcapWriterObj {
    fn type_name(&self) -> &str {
        self.class
    }
    fn repr(&self) -> String {
        format!(
            "<scapy.utils.{} object at {:#x}>",
            self.class,
            obj_addr(self)
        )
    }
    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }
    fn method_names(&self) -> &'static [&'static str] {
        WRITER_METHODS
    }
    fn call_method(
        &self,
        vm: &mut Vm<'_>,
        this: &Value,
        name: &str,
        args: Vec<Value>,
        kw: Vec<(Sym, Value)>,
    ) -> Option<PResult<Value>> {
        if !WRITER_METHODS.contains(&name) {
            return None;
        }
        let a = Args::new(vm, args, kw);
        let r = self.method(vm, this, name, a);
        drain(vm);
        Some(r)
    }
}

impl Drop for PcapWriterObj {
    /// A writer dropped without close() still leaves a whole file (its buffers written out).
    fn drop(&mut self) {
        if let Some(mut w) = self.writer.get_mut().take() {
            if let Some(f) = w.writer.take() {
                let _ = f.finish();
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// sniff(offline=...)

/// Where offline packets come from: capture files, or packets given as a list.
enum Source {
    Files(Vec<String>),
    Packets(Vec<Value>),
}

/// `sniff(offline=..., filter=None, count=0, prn=None, lfilter=None, stop_filter=None,
/// store=True)`: packets from capture files (or a list of packets) through the BPF filter,
/// `lfilter`, `prn` (its non-None results printed) and `stop_filter`, as a list named Sniffed.
/// `sniff(offline=...)`, for the live `sniff` of the network functions to hand files and
/// packet lists to.
pub fn sniff_offline(
    vm: &mut Vm<'_>,
    pos: Vec<Value>,
    kw: Vec<(String, Value)>,
    reg: &Rc<Registry>,
) -> PResult<Value> {
    sniff(vm, &Args { pos, kw }, reg)
}

fn sniff(vm: &mut Vm<'_>, a: &Args, reg: &Rc<Registry>) -> PResult<Value> {
    let Some(offline) = a.kw("offline") else {
        return Err(Exc::new(
            ExcKind::OSError,
            "sniff() reads capture files here: give offline= a file name, a list of file names or a list of packets (live capture comes with the network functions)",
        ));
    };
    let source = match offline {
        Value::Str(s) => Source::Files(vec![s.s.clone()]),
        v if packet_of(v).is_some() || downcast::<PacketListObj>(v).is_some() => {
            Source::Packets(packets_in(vm, "sniff", v)?)
        }
        v => {
            let items = vm.iterate(v)?;
            if items.iter().all(|i| matches!(i, Value::Str(_))) {
                Source::Files(
                    items
                        .iter()
                        .filter_map(|i| match i {
                            Value::Str(s) => Some(s.s.clone()),
                            _ => None,
                        })
                        .collect(),
                )
            } else {
                Source::Packets(items)
            }
        }
    };
    let mut filters = match a.kw("filter") {
        Some(Value::Str(s)) => {
            Some(Filters::new(&s.s).map_err(|m| Exc::new(ExcKind::Scapy_Exception, m))?)
        }
        Some(other) => {
            return Err(Exc::type_error(format!(
                "filter must be a str, not '{}'",
                other.type_name()
            )))
        }
        None => None,
    };
    let count = count_arg(a.kw("count"))?;
    let prn = a.kw("prn").cloned();
    let lfilter = a.kw("lfilter").cloned();
    let stop_filter = a.kw("stop_filter").cloned();
    let store = a.kw("store").is_none_or(Value::truthy);
    let mut kept = Vec::new();
    let mut seen = 0usize;
    // Returns whether to stop.
    let mut take = |vm: &mut Vm<'_>, pkt: Value| -> PResult<bool> {
        if let Some(f) = &lfilter {
            let r = vm.call(f, vec![pkt.clone()], Vec::new())?;
            if !vm.truthy(&r)? {
                return Ok(false);
            }
        }
        seen += 1;
        if store {
            kept.push(pkt.clone());
        }
        if let Some(f) = &prn {
            let r = vm.call(f, vec![pkt.clone()], Vec::new())?;
            if !matches!(r, Value::None) {
                let text = vm.str(&r)?;
                vm.write(&text);
                vm.write("\n");
            }
        }
        if let Some(f) = &stop_filter {
            let r = vm.call(f, vec![pkt], Vec::new())?;
            if vm.truthy(&r)? {
                return Ok(true);
            }
        }
        Ok(count.is_some_and(|c| seen >= c))
    };
    let bpf_err = |m: String| Exc::new(ExcKind::Scapy_Exception, m);
    match source {
        Source::Files(files) => {
            'files: for f in files {
                let mut s = Stream::open(&f, reg, true)?;
                while let Some(record) = s.next_record(vm) {
                    vm.poll_stop()?;
                    if let Some(flt) = filters.as_mut() {
                        if !flt.matches(&record).map_err(bpf_err)? {
                            continue;
                        }
                    }
                    let Some(pkt) = s.packet(vm, &record) else {
                        continue;
                    };
                    if take(vm, pkt)? {
                        break 'files;
                    }
                }
            }
        }
        Source::Packets(items) => {
            for pkt in items {
                vm.poll_stop()?;
                if let Some(flt) = filters.as_mut() {
                    let Some(p) = packet_of(&pkt) else {
                        continue;
                    };
                    let bytes = build(vm, &p)?;
                    let lt = linktype::linktype_for(&p).unwrap_or(pcapfile::linktype::ETHERNET);
                    let record = linktype::record_for(&p, bytes, lt);
                    if !flt.matches(&record).map_err(bpf_err)? {
                        continue;
                    }
                }
                if take(vm, pkt)? {
                    break;
                }
            }
        }
    }
    drain(vm);
    Ok(PacketListObj::value("Sniffed", kept, false, reg))
}

// ---------------------------------------------------------------------------------------------
// wireshark() and tcpdump()

/// Writes packets (a packet, a list, a packet list) into a fresh temporary pcap file.
fn temp_capture(vm: &mut Vm<'_>, f: &str, pkts: &Value, linktype: Option<u32>) -> PResult<PathBuf> {
    let path = temp_path("pcap");
    let items = packets_in(vm, f, pkts)?;
    let mut w = PacketWriter::new(WriterSpec {
        filename: path.to_string_lossy().into_owned(),
        linktype,
        pcapng: false,
        append: false,
        options: WriteOptions::default(),
    });
    for v in &items {
        let p = packet_of(v).ok_or_else(|| {
            Exc::type_error(format!("{f}() takes packets, not '{}'", v.type_name()))
        })?;
        w.write(vm, &p)?;
    }
    w.close()?;
    Ok(path)
}

/// `wireshark(pktlist, wait=False)`: the packets in a temporary pcap, opened with
/// `conf.prog.wireshark -r FILE`.
fn wireshark(vm: &mut Vm<'_>, a: &Args) -> PResult<Value> {
    let pkts = a.need("wireshark", 0, "pktlist")?.clone();
    let path = temp_capture(vm, "wireshark", &pkts, None)?;
    let prog = prog_path("wireshark");
    let wait = a.flag(1, "wait");
    spawn(&prog, &["-r".into(), path.into_os_string()], wait)?;
    Ok(Value::None)
}

/// `tcpdump(pktlist, dump=False, args=None, flt=None, prog=None, linktype=None)`: the packets
/// (or a capture file named by a str) read by `conf.prog.tcpdump -r FILE [flt] args...`; its
/// output goes to the transcript, or is returned as bytes with `dump=True`.
fn tcpdump(vm: &mut Vm<'_>, a: &Args) -> PResult<Value> {
    let linktype = match a.kw("linktype") {
        Some(Value::Int(n)) => u32::try_from(*n).ok(),
        _ => None,
    };
    let path = match a.get(0, "pktlist") {
        Some(Value::Str(s)) => PathBuf::from(&s.s),
        Some(v) => {
            let v = v.clone();
            temp_capture(vm, "tcpdump", &v, linktype)?
        }
        None => {
            return Err(Exc::type_error(
                "tcpdump() needs packets or a capture file name",
            ))
        }
    };
    let prog = match a.kw("prog") {
        Some(v) => vm.str(v)?,
        None => prog_path("tcpdump"),
    };
    let mut argv: Vec<std::ffi::OsString> = vec!["-r".into(), path.into_os_string()];
    if let Some(extra) = a.get(3, "args") {
        for v in vm.iterate(extra)? {
            argv.push(vm.str(&v)?.into());
        }
    }
    if let Some(flt) = a.kw("flt") {
        argv.push(vm.str(flt)?.into());
    }
    let Some((out, err, ok)) = spawn(&prog, &argv, true)? else {
        return Ok(Value::None);
    };
    if !ok {
        vm.warning(&format!("{prog} failed: {}", err.trim()));
    }
    if a.flag(1, "dump") {
        return Ok(Value::bytes(out));
    }
    vm.write(&String::from_utf8_lossy(&out));
    Ok(Value::None)
}

// ---------------------------------------------------------------------------------------------
// The callables.

/// A capture function, bound to its session's registry.
fn call(
    reg: &Rc<Registry>,
    vm: &mut Vm<'_>,
    name: &'static str,
    args: Vec<Value>,
    kw: Vec<(Sym, Value)>,
) -> PResult<Value> {
    let a = Args::new(vm, args, kw);
    let r = match name {
        "rdpcap" => rdpcap(vm, &a, reg),
        "wrpcap" => wrpcap(vm, "wrpcap", &a, false),
        "wrpcapng" => wrpcap(vm, "wrpcapng", &a, true),
        "sniff" => sniff(vm, &a, reg),
        "wireshark" => wireshark(vm, &a),
        "tcpdump" => tcpdump(vm, &a),
        "make_table" | "make_lined_table" | "make_tex_table" => {
            let style = match name {
                "make_table" => crate::results::table::Style::Plain,
                "make_lined_table" => crate::results::table::Style::Lined,
                _ => crate::results::table::Style::Tex,
            };
            (|| {
                let items = vm.iterate(a.need(name, 0, "data")?)?;
                let rest = Args {
                    pos: a.pos.iter().skip(1).cloned().collect(),
                    kw: a.kw.clone(),
                };
                make_table(vm, &items, &rest, style)
            })()
        }
        other => Err(Exc::type_error(format!("'{other}' is not callable"))),
    };
    drain(vm);
    r
}

/// The reader and writer classes: `PcapReader(...)` and the others open a file.
fn open(
    reg: &Rc<Registry>,
    vm: &mut Vm<'_>,
    name: &'static str,
    args: Vec<Value>,
    kw: Vec<(Sym, Value)>,
) -> PResult<Value> {
    let a = Args::new(vm, args, kw);
    match name {
        "PcapReader" | "PcapNgReader" => PcapReaderObj::open(vm, &a, reg),
        _ => {
            let pcapng = name == "PcapNgWriter";
            let spec = writer_spec(name, &a, pcapng)?;
            Ok(native(PcapWriterObj {
                class: name,
                writer: RefCell::new(Some(PacketWriter::new(spec))),
                sync: a.kw("sync").is_some_and(Value::truthy),
            }))
        }
    }
}
