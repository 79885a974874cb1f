//! File objects returned by `open()`: text and binary, read and write, iteration by line,
//! and the context-manager methods `__enter__`/`__exit__` for `with open(...) as f`.

use std::cell::RefCell;
use std::fs::OpenOptions;
use std::io::Write;

use super::{bytes_like, os_error, Kw};
use crate::lang::exceptions::{Exc, ExcKind, PResult};
use crate::lang::format;
use crate::lang::interp::Vm;
use crate::lang::value::{NativeObject, Value};

/// An open file.
pub struct File {
    /// The name it was opened with.
    pub name: String,
    /// The mode string as given.
    pub mode: String,
    /// Text (str) or binary (bytes).
    pub text: bool,
    /// Whether reading/writing are allowed.
    pub readable: bool,
    pub writable: bool,
    /// Text encoding and error handler.
    pub encoding: String,
    pub errors: String,
    state: RefCell<FileState>,
}

struct FileState {
    /// The file's contents (read modes and `+` modes).
    data: Vec<u8>,
    /// Position in `data` (bytes).
    pos: usize,
    /// The OS handle for writing.
    handle: Option<std::fs::File>,
    closed: bool,
    /// `+` modes keep `data` and write it all back.
    update: bool,
}

const METHODS: &[&str] = &[
    "__enter__",
    "__exit__",
    "__iter__",
    "__next__",
    "close",
    "fileno",
    "flush",
    "isatty",
    "read",
    "readable",
    "readline",
    "readlines",
    "seek",
    "seekable",
    "tell",
    "truncate",
    "writable",
    "write",
    "writelines",
];

/// The method names of file objects.
pub fn method_names() -> Vec<&'static str> {
    METHODS.to_vec()
}

/// `open(file, mode, buffering, encoding, errors, newline, closefd, opener)`.
pub fn open(vm: &mut Vm<'_>, a: &[Option<Value>]) -> PResult<Value> {
    let name = match &a[0] {
        Some(Value::Str(s)) => s.s.clone(),
        Some(v) => match bytes_like(v) {
            Some(b) => String::from_utf8_lossy(&b).to_string(),
            None => {
                return Err(Exc::type_error(format!(
                    "expected str, bytes or os.PathLike object, not {}",
                    v.type_name()
                )))
            }
        },
        None => {
            return Err(Exc::type_error(
                "open() missing required argument 'file' (pos 1)",
            ))
        }
    };
    let mode = match &a[1] {
        Some(v) => super::str_arg(v, "open() argument 'mode'")?.to_string(),
        None => "r".into(),
    };
    let invalid = || Exc::value_error(format!("invalid mode: '{mode}'"));
    let mut kind = None;
    let (mut binary, mut textflag, mut plus) = (false, false, false);
    for c in mode.chars() {
        match c {
            'r' | 'w' | 'a' | 'x' => {
                if kind.is_some() {
                    return Err(Exc::value_error(
                        "must have exactly one of create/read/write/append mode",
                    ));
                }
                kind = Some(c)
            }
            'b' if !binary => binary = true,
            't' if !textflag => textflag = true,
            '+' if !plus => plus = true,
            _ => return Err(invalid()),
        }
    }
    if binary && textflag {
        return Err(Exc::value_error("can't have text and binary mode at once"));
    }
    let Some(kind) = kind else {
        return Err(Exc::value_error(
            "Must have exactly one of create/read/write/append mode and at most one plus",
        ));
    };
    let text = !binary;
    let encoding = match &a[3] {
        Some(Value::None) | None => "UTF-8".to_string(),
        Some(v) if text => super::str_arg(v, "open() argument 'encoding'")?.to_string(),
        Some(_) => {
            return Err(Exc::value_error(
                "binary mode doesn't take an encoding argument",
            ))
        }
    };
    // Check the codec name now, as CPython does.
    crate::lang::builtins::encode("", &encoding, "strict")?;
    let errors = match &a[4] {
        Some(Value::None) | None => "strict".to_string(),
        Some(v) => super::str_arg(v, "open() argument 'errors'")?.to_string(),
    };
    let mut opts = OpenOptions::new();
    match kind {
        'r' => opts.read(true).write(plus),
        'w' => opts.write(true).create(true).truncate(true).read(plus),
        'a' => opts.append(true).create(true).read(plus),
        _ => opts.write(true).create_new(true).read(plus),
    };
    let mut handle = opts.open(&name).map_err(|e| os_error(&e, Some(&name)))?;
    if std::path::Path::new(&name).is_dir() {
        return Err(Exc::with_args(
            ExcKind::IsADirectoryError,
            vec![
                Value::Int(21),
                Value::str("Is a directory"),
                Value::str(name.clone()),
            ],
        ));
    }
    let mut data = Vec::new();
    if kind == 'r' || plus {
        use std::io::Read;
        handle
            .read_to_end(&mut data)
            .map_err(|e| os_error(&e, Some(&name)))?;
    }
    let pos = if kind == 'a' { data.len() } else { 0 };
    let _ = vm;
    Ok(super::native(File {
        name,
        mode,
        text,
        readable: kind == 'r' || plus,
        writable: kind != 'r' || plus,
        encoding,
        errors,
        state: RefCell::new(FileState {
            data,
            pos,
            handle: Some(handle),
            closed: false,
            update: plus,
        }),
    }))
}

fn closed_error() -> Exc {
    Exc::value_error("I/O operation on closed file.")
}

impl File {
    fn unsupported(&self, vm: &mut Vm<'_>, what: &str) -> Exc {
        super::raise_error(vm, "io.UnsupportedOperation", ExcKind::OSError, what)
    }

    /// Decodes bytes read from the file into a str value (universal newlines).
    fn decode(&self, b: &[u8]) -> PResult<Value> {
        let s = crate::lang::builtins::decode(b, &self.encoding, &self.errors)?;
        Ok(Value::str(s.replace("\r\n", "\n").replace('\r', "\n")))
    }

    fn wrap(&self, b: &[u8]) -> PResult<Value> {
        if self.text {
            self.decode(b)
        } else {
            Ok(Value::bytes(b.to_vec()))
        }
    }

    fn check_read(&self, vm: &mut Vm<'_>) -> PResult<()> {
        if self.state.borrow().closed {
            return Err(closed_error());
        }
        if !self.readable {
            return Err(self.unsupported(vm, "not readable"));
        }
        Ok(())
    }

    /// The next line (with its newline), or None at the end.
    fn read_line(&self, limit: i64) -> Option<Vec<u8>> {
        let mut st = self.state.borrow_mut();
        let start = st.pos;
        if start >= st.data.len() {
            return None;
        }
        let rest = &st.data[start..];
        let mut end = match rest.iter().position(|&c| c == b'\n') {
            Some(i) => i + 1,
            None => rest.len(),
        };
        if self.text {
            // A lone '\r' ends a line too (universal newlines).
            if let Some(i) = rest[..end].iter().position(|&c| c == b'\r') {
                if rest.get(i + 1) != Some(&b'\n') {
                    end = i + 1;
                }
            }
        }
        if limit >= 0 && (limit as usize) < end {
            end = limit as usize;
        }
        let line = rest[..end].to_vec();
        st.pos += end;
        Some(line)
    }

    fn write_bytes(&self, b: &[u8]) -> PResult<()> {
        let mut st = self.state.borrow_mut();
        if st.update {
            let pos = st.pos;
            let end = (pos + b.len()).min(st.data.len());
            st.data.splice(pos..end, b.iter().copied());
            st.pos = pos + b.len();
            let data = st.data.clone();
            if let Some(h) = st.handle.as_mut() {
                use std::io::Seek;
                h.set_len(0)
                    .and_then(|_| h.seek(std::io::SeekFrom::Start(0)))
                    .and_then(|_| h.write_all(&data))
                    .map_err(|e| os_error(&e, None))?;
            }
            return Ok(());
        }
        st.pos += b.len();
        match st.handle.as_mut() {
            Some(h) => h.write_all(b).map_err(|e| os_error(&e, None)),
            None => Err(closed_error()),
        }
    }

    fn close(&self) {
        let mut st = self.state.borrow_mut();
        if let Some(mut h) = st.handle.take() {
            let _ = h.flush();
        }
        st.closed = true;
    }
}

impl NativeObject for File {
    fn type_name(&self) -> &str {
        if self.text {
            "TextIOWrapper"
        } else if self.readable && !self.writable {
            "BufferedReader"
        } else if self.readable {
            "BufferedRandom"
        } else {
            "BufferedWriter"
        }
    }
    fn repr(&self) -> String {
        if self.text {
            format!(
                "<_io.TextIOWrapper name={} mode={} encoding={}>",
                format::str_repr(&self.name),
                format::str_repr(&self.mode),
                format::str_repr(&self.encoding)
            )
        } else {
            format!(
                "<_io.{} name={}>",
                self.type_name(),
                format::str_repr(&self.name)
            )
        }
    }
    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }
    fn get_attr(&self, _vm: &mut Vm<'_>, _this: &Value, name: &str) -> Option<PResult<Value>> {
        Some(Ok(match name {
            "name" => Value::str(self.name.clone()),
            "mode" => Value::str(self.mode.clone()),
            "closed" => Value::Bool(self.state.borrow().closed),
            "encoding" if self.text => Value::str(self.encoding.clone()),
            "errors" if self.text => Value::str(self.errors.clone()),
            _ => return None,
        }))
    }
    fn method_names(&self) -> &'static [&'static str] {
        METHODS
    }
    fn iter(&self, this: &Value) -> Option<PResult<Value>> {
        if self.state.borrow().closed {
            return Some(Err(closed_error()));
        }
        Some(Ok(this.clone()))
    }
    fn next(&self, vm: &mut Vm<'_>) -> Option<PResult<Option<Value>>> {
        if let Err(e) = self.check_read(vm) {
            return Some(Err(e));
        }
        Some(match self.read_line(-1) {
            Some(l) => self.wrap(&l).map(Some),
            None => Ok(None),
        })
    }
    fn call_method(
        &self,
        vm: &mut Vm<'_>,
        this: &Value,
        name: &str,
        args: Vec<Value>,
        kw: Kw,
    ) -> Option<PResult<Value>> {
        let closed = self.state.borrow().closed;
        let r = (|| -> PResult<Value> {
            if closed && !matches!(name, "close" | "__exit__" | "readable" | "writable") {
                return Err(closed_error());
            }
            match name {
                "__enter__" => Ok(this.clone()),
                // `__exit__` returns None (a false value: the exception goes on), as io's does.
                "__exit__" | "close" => {
                    self.close();
                    Ok(Value::None)
                }
                "__iter__" => Ok(this.clone()),
                "__next__" => match self.next(vm) {
                    Some(Ok(Some(v))) => Ok(v),
                    Some(Ok(None)) => Err(Exc::bare(ExcKind::StopIteration)),
                    Some(Err(e)) => Err(e),
                    None => Ok(Value::None),
                },
                "flush" => {
                    if let Some(h) = self.state.borrow_mut().handle.as_mut() {
                        let _ = h.flush();
                    }
                    Ok(Value::None)
                }
                "readable" | "writable" | "seekable" => {
                    if closed {
                        return Err(closed_error());
                    }
                    Ok(Value::Bool(match name {
                        "readable" => self.readable,
                        "writable" => self.writable,
                        _ => true,
                    }))
                }
                "isatty" => Ok(Value::Bool(false)),
                "fileno" => {
                    use std::os::unix::io::AsRawFd;
                    Ok(Value::Int(
                        self.state
                            .borrow()
                            .handle
                            .as_ref()
                            .map(|h| h.as_raw_fd() as i64)
                            .unwrap_or(-1),
                    ))
                }
                "read" => {
                    self.check_read(vm)?;
                    let a = super::parse_args(vm, "read", args, kw, &["size"], 0)?;
                    let n = match &a[0] {
                        None | Some(Value::None) => -1,
                        Some(v) => super::int_arg(v)?,
                    };
                    let mut st = self.state.borrow_mut();
                    let start = st.pos.min(st.data.len());
                    let mut end = st.data.len();
                    if n >= 0 {
                        if self.text {
                            // n characters, not bytes.
                            let s = String::from_utf8_lossy(&st.data[start..]).to_string();
                            let bytes: usize = s.chars().take(n as usize).map(char::len_utf8).sum();
                            end = (start + bytes).min(end);
                        } else {
                            end = (start + n as usize).min(end);
                        }
                    }
                    let chunk = st.data[start..end].to_vec();
                    st.pos = end;
                    drop(st);
                    self.wrap(&chunk)
                }
                "readline" => {
                    self.check_read(vm)?;
                    let a = super::parse_args(vm, "readline", args, kw, &["size"], 0)?;
                    let n = match &a[0] {
                        None | Some(Value::None) => -1,
                        Some(v) => super::int_arg(v)?,
                    };
                    let line = self.read_line(n).unwrap_or_default();
                    self.wrap(&line)
                }
                "readlines" => {
                    self.check_read(vm)?;
                    let mut out = Vec::new();
                    while let Some(l) = self.read_line(-1) {
                        out.push(self.wrap(&l)?);
                    }
                    Ok(Value::list(out))
                }
                "write" => {
                    if !self.writable {
                        return Err(self.unsupported(vm, "not writable"));
                    }
                    if args.len() != 1 {
                        return Err(Exc::type_error(format!(
                            "write() takes exactly one argument ({} given)",
                            args.len()
                        )));
                    }
                    if self.text {
                        let Value::Str(s) = &args[0] else {
                            return Err(Exc::type_error(format!(
                                "write() argument must be str, not {}",
                                args[0].type_name()
                            )));
                        };
                        let b = crate::lang::builtins::encode(&s.s, &self.encoding, &self.errors)?;
                        self.write_bytes(&b)?;
                        Ok(Value::Int(s.char_len() as i64))
                    } else {
                        let b = super::bytes_arg(&args[0])?;
                        self.write_bytes(&b)?;
                        Ok(Value::Int(b.len() as i64))
                    }
                }
                "writelines" => {
                    if args.len() != 1 {
                        return Err(Exc::type_error(format!(
                            "writelines() takes exactly one argument ({} given)",
                            args.len()
                        )));
                    }
                    let write = vm.st.interner.intern("write");
                    for line in vm.iterate(&args[0])? {
                        crate::lang::methods::call_method(vm, this, write, vec![line], Vec::new())?;
                    }
                    Ok(Value::None)
                }
                "tell" => Ok(Value::Int(self.state.borrow().pos as i64)),
                "seek" => {
                    let a = super::parse_args(vm, "seek", args, kw, &["cookie", "whence"], 1)?;
                    let off = super::int_arg(a[0].as_ref().unwrap_or(&Value::Int(0)))?;
                    let whence = match &a[1] {
                        Some(v) => super::int_arg(v)?,
                        None => 0,
                    };
                    let mut st = self.state.borrow_mut();
                    let base = match whence {
                        0 => 0,
                        1 => st.pos as i64,
                        2 => st.data.len() as i64,
                        _ => {
                            return Err(Exc::value_error(format!(
                                "invalid whence ({whence}, should be 0, 1 or 2)"
                            )))
                        }
                    };
                    let p = base + off;
                    if p < 0 {
                        return Err(Exc::value_error(format!("negative seek position {p}")));
                    }
                    st.pos = p as usize;
                    Ok(Value::Int(p))
                }
                "truncate" => {
                    let mut st = self.state.borrow_mut();
                    let n = match args.first() {
                        Some(v) => super::int_arg(v)? as usize,
                        None => st.pos,
                    };
                    st.data.truncate(n);
                    if let Some(h) = st.handle.as_mut() {
                        h.set_len(n as u64).map_err(|e| os_error(&e, None))?;
                    }
                    Ok(Value::Int(n as i64))
                }
                _ => Err(Exc::new(
                    ExcKind::AttributeError,
                    format!("'{}' object has no attribute '{name}'", self.type_name()),
                )),
            }
        })();
        Some(r)
    }
}

impl Drop for File {
    fn drop(&mut self) {
        self.close();
    }
}
