//! Exceptions: the builtin classes and their hierarchy, the error value that unwinds the
//! interpreter, and traceback formatting.

use std::rc::Rc;

use super::format;
use super::source::SourceUnit;
use super::value::{ExcObject, Value};

macro_rules! exc_kinds {
    ($($name:ident : $parent:expr),* $(,)?) => {
        /// The builtin exception classes.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[allow(non_camel_case_types)] // Scapy_Exception is Scapy's name
        pub enum ExcKind { $($name),* }

        impl ExcKind {
            /// Every builtin exception class, parents before children.
            pub const ALL: &'static [ExcKind] = &[$(ExcKind::$name),*];
            /// The class name.
            pub fn name(self) -> &'static str {
                match self { $(ExcKind::$name => stringify!($name)),* }
            }
            /// The direct base class (None for BaseException).
            pub fn parent(self) -> Option<ExcKind> {
                match self { $(ExcKind::$name => $parent),* }
            }
        }
    };
}

exc_kinds! {
    BaseException: None,
    Exception: Some(ExcKind::BaseException),
    KeyboardInterrupt: Some(ExcKind::BaseException),
    SystemExit: Some(ExcKind::BaseException),
    ArithmeticError: Some(ExcKind::Exception),
    ZeroDivisionError: Some(ExcKind::ArithmeticError),
    OverflowError: Some(ExcKind::ArithmeticError),
    AssertionError: Some(ExcKind::Exception),
    AttributeError: Some(ExcKind::Exception),
    LookupError: Some(ExcKind::Exception),
    IndexError: Some(ExcKind::LookupError),
    KeyError: Some(ExcKind::LookupError),
    NameError: Some(ExcKind::Exception),
    UnboundLocalError: Some(ExcKind::NameError),
    TypeError: Some(ExcKind::Exception),
    ValueError: Some(ExcKind::Exception),
    UnicodeError: Some(ExcKind::ValueError),
    UnicodeDecodeError: Some(ExcKind::UnicodeError),
    UnicodeEncodeError: Some(ExcKind::UnicodeError),
    RuntimeError: Some(ExcKind::Exception),
    RecursionError: Some(ExcKind::RuntimeError),
    NotImplementedError: Some(ExcKind::RuntimeError),
    StopIteration: Some(ExcKind::Exception),
    OSError: Some(ExcKind::Exception),
    FileNotFoundError: Some(ExcKind::OSError),
    PermissionError: Some(ExcKind::OSError),
    TimeoutError: Some(ExcKind::OSError),
    FileExistsError: Some(ExcKind::OSError),
    IsADirectoryError: Some(ExcKind::OSError),
    NotADirectoryError: Some(ExcKind::OSError),
    InterruptedError: Some(ExcKind::OSError),
    BlockingIOError: Some(ExcKind::OSError),
    ConnectionError: Some(ExcKind::OSError),
    BrokenPipeError: Some(ExcKind::ConnectionError),
    ConnectionAbortedError: Some(ExcKind::ConnectionError),
    ConnectionRefusedError: Some(ExcKind::ConnectionError),
    ConnectionResetError: Some(ExcKind::ConnectionError),
    EOFError: Some(ExcKind::Exception),
    BufferError: Some(ExcKind::Exception),
    GeneratorExit: Some(ExcKind::BaseException),
    ImportError: Some(ExcKind::Exception),
    ModuleNotFoundError: Some(ExcKind::ImportError),
    MemoryError: Some(ExcKind::Exception),
    SyntaxError: Some(ExcKind::Exception),
    IndentationError: Some(ExcKind::SyntaxError),
    // Scapy's own error (a capture file that is none, a bad BPF filter).
    Scapy_Exception: Some(ExcKind::Exception),
}

impl ExcKind {
    /// Whether `self` is `other` or one of its subclasses.
    pub fn is_a(self, other: ExcKind) -> bool {
        let mut k = Some(self);
        while let Some(c) = k {
            if c == other {
                return true;
            }
            k = c.parent();
        }
        false
    }
}

/// One frame of a traceback.
#[derive(Clone, Debug)]
pub struct TbEntry {
    /// The source the frame's code came from.
    pub unit: Rc<SourceUnit>,
    /// The file line being run.
    pub line: u32,
    /// `<module>` or the function's name.
    pub name: Rc<str>,
}

/// The exception being raised.
#[derive(Clone)]
pub enum PyExc {
    /// Raised by native code: a builtin class and its arguments (the instance is created only
    /// if the program needs it as a value).
    Native { kind: ExcKind, args: Vec<Value> },
    /// An exception object.
    Object(Rc<ExcObject>),
}

/// An exception unwinding the interpreter, with its traceback (innermost frame first).
pub struct Raised {
    /// The exception.
    pub exc: PyExc,
    /// Frames, innermost first (appended as the exception leaves each frame).
    pub tb: Vec<TbEntry>,
    /// Set by a bare `raise`: `tb` already holds the frame it was re-raised in, so leaving
    /// that frame must not add it again.
    pub skip_frame: bool,
}

/// Why evaluation did not produce a value.
pub enum Exc {
    /// A Python exception.
    Raise(Box<Raised>),
    /// The runner's timeout: not an exception, nothing can catch it.
    Timeout,
}

/// The result of evaluating anything.
pub type PResult<T> = Result<T, Exc>;

impl Exc {
    /// A builtin exception with a message.
    pub fn new(kind: ExcKind, msg: impl Into<String>) -> Exc {
        Exc::with_args(kind, vec![Value::str(msg.into())])
    }
    /// A builtin exception with explicit args.
    pub fn with_args(kind: ExcKind, args: Vec<Value>) -> Exc {
        Exc::Raise(Box::new(Raised {
            exc: PyExc::Native { kind, args },
            tb: Vec::new(),
            skip_frame: false,
        }))
    }
    /// A builtin exception without arguments (`raise StopIteration`).
    pub fn bare(kind: ExcKind) -> Exc {
        Exc::with_args(kind, Vec::new())
    }
    /// Raising an exception object.
    pub fn object(obj: Rc<ExcObject>) -> Exc {
        Exc::Raise(Box::new(Raised {
            exc: PyExc::Object(obj),
            tb: Vec::new(),
            skip_frame: false,
        }))
    }
    /// `TypeError(msg)`.
    pub fn type_error(msg: impl Into<String>) -> Exc {
        Exc::new(ExcKind::TypeError, msg)
    }
    /// `ValueError(msg)`.
    pub fn value_error(msg: impl Into<String>) -> Exc {
        Exc::new(ExcKind::ValueError, msg)
    }
}

impl PyExc {
    /// The class name.
    pub fn type_name(&self) -> String {
        match self {
            PyExc::Native { kind, .. } => kind.name().to_string(),
            PyExc::Object(o) => o.class.name.clone(),
        }
    }
    /// The builtin class it is (or derives from).
    pub fn kind(&self) -> ExcKind {
        match self {
            PyExc::Native { kind, .. } => *kind,
            PyExc::Object(o) => match o.class.kind {
                super::value::ClassKind::Exception(k) => k,
                super::value::ClassKind::Builtin(_) => ExcKind::Exception,
            },
        }
    }
    /// The constructor arguments.
    pub fn args(&self) -> Vec<Value> {
        match self {
            PyExc::Native { args, .. } => args.clone(),
            PyExc::Object(o) => o.args.borrow().clone(),
        }
    }
    /// `str(exception)` (without user `__str__` methods: the interpreter's `Vm::str` has them).
    pub fn message(&self) -> String {
        exception_str(self.kind(), &self.args())
    }
}

/// `str()` of an exception of class `kind` with `args`.
pub fn exception_str(kind: ExcKind, args: &[Value]) -> String {
    match args {
        [] => String::new(),
        // KeyError shows its key's repr, so `KeyError: 'x'` is unambiguous.
        [a] if kind == ExcKind::KeyError => format::repr(a).unwrap_or_default(),
        [a] => format::str(a).unwrap_or_default(),
        [Value::Str(enc), Value::Bytes(obj), Value::Int(start), Value::Int(end), Value::Str(reason)]
            if kind == ExcKind::UnicodeDecodeError =>
        {
            let (start, end) = (*start, *end);
            match obj.get(start as usize) {
                Some(byte) if end == start + 1 => format!(
                    "'{}' codec can't decode byte 0x{byte:02x} in position {start}: {}",
                    enc.s, reason.s
                ),
                _ => format!(
                    "'{}' codec can't decode bytes in position {start}-{}: {}",
                    enc.s,
                    end - 1,
                    reason.s
                ),
            }
        }
        // OSError(errno, strerror[, filename]): "[Errno 2] No such file or directory: 'x'".
        [Value::Int(errno), strerror, rest @ ..]
            if kind.is_a(ExcKind::OSError) && rest.len() <= 3 =>
        {
            let strerror = format::str(strerror).unwrap_or_default();
            match rest.first() {
                Some(Value::None) | None => format!("[Errno {errno}] {strerror}"),
                Some(f) => {
                    let f = format::repr(f).unwrap_or_default();
                    match rest.get(2) {
                        Some(f2) if !matches!(f2, Value::None) => format!(
                            "[Errno {errno}] {strerror}: {f} -> {}",
                            format::repr(f2).unwrap_or_default()
                        ),
                        _ => format!("[Errno {errno}] {strerror}: {f}"),
                    }
                }
            }
        }
        _ => format::repr(&Value::tuple(args.to_vec())).unwrap_or_default(),
    }
}

/// The last line of a traceback: `Type: message`, or `Type` alone.
pub fn exception_line(type_name: &str, message: &str) -> String {
    if message.is_empty() {
        format!("{type_name}\n")
    } else {
        format!("{type_name}: {message}\n")
    }
}

/// Formats a traceback as Python prints it (outermost frame first).
pub fn format_traceback(raised: &Raised) -> String {
    let mut out = format_frames(&raised.tb);
    out.push_str(&exception_line(
        &raised.exc.type_name(),
        &raised.exc.message(),
    ));
    out
}

/// `Traceback (most recent call last):` and the frames (outermost first); empty without frames.
pub fn format_frames(tb: &[TbEntry]) -> String {
    if tb.is_empty() {
        return String::new();
    }
    let mut out = String::from("Traceback (most recent call last):\n");
    // Runs of the same frame are cut after three, as CPython's traceback module does.
    const CUTOFF: usize = 3;
    let repeated = |out: &mut String, count: usize| {
        if count > CUTOFF {
            let n = count - CUTOFF;
            out.push_str(&format!(
                "  [Previous line repeated {n} more time{}]\n",
                if n == 1 { "" } else { "s" }
            ));
        }
    };
    let mut last: Option<&TbEntry> = None;
    let mut count = 0;
    for entry in tb.iter().rev() {
        let same = last.is_some_and(|l| {
            l.unit.file == entry.unit.file && l.line == entry.line && l.name == entry.name
        });
        if same {
            count += 1;
            if count > CUTOFF {
                continue;
            }
        } else {
            repeated(&mut out, count);
            count = 1;
            last = Some(entry);
        }
        out.push_str(&format!(
            "  File \"{}\", line {}, in {}\n",
            entry.unit.file, entry.line, entry.name
        ));
        if let Some(text) = entry.unit.line_text(entry.line) {
            let text = text.trim();
            if !text.is_empty() {
                out.push_str(&format!("    {text}\n"));
            }
        }
    }
    repeated(&mut out, count);
    out
}

/// Between a chained exception's traceback and the next one's.
pub const CAUSE_SEPARATOR: &str =
    "\nThe above exception was the direct cause of the following exception:\n\n";
/// Between an exception's context and the exception raised while handling it.
pub const CONTEXT_SEPARATOR: &str =
    "\nDuring handling of the above exception, another exception occurred:\n\n";
