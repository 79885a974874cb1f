//! Library objects of the language: lazy iterators, dict views, bytearray, frozenset, file
//! objects and modules. They plug into the interpreter through the `NativeObject` protocol
//! (value.rs), so the `Value` enum stays as it is.

use std::collections::HashMap;
use std::rc::Rc;

use super::ast::Sym;
use super::exceptions::{Exc, ExcKind, PResult};
use super::interp::{State, Vm};
use super::value::{Class, ClassKind, ExcObject, NativeBox, NativeObject, TypeTag, Value};

pub mod builtins;
pub mod bytearray;
pub mod bytesmethods;
pub mod file;
pub mod frozenset;
pub mod iters;
pub mod module;
pub mod views;

/// Keyword arguments as the interpreter passes them.
pub type Kw = Vec<(Sym, Value)>;

/// What the library keeps per session.
#[derive(Default)]
pub struct LibState {
    /// Modules imported so far, by dotted name (imports return the same object).
    pub modules: HashMap<String, Value>,
    /// Exception classes of modules (`struct.error`, ...), by qualified name.
    pub error_classes: HashMap<String, Rc<Class>>,
    /// The `random` module's generator.
    pub random: Option<crate::lang::modules::random::Mt>,
    /// Compiled regular expressions, by (pattern, flags).
    pub regex_cache: HashMap<(Value2, i64), Rc<crate::lang::modules::re::Compiled>>,
    /// The dict `globals()` returns (refreshed on each call, so it is always the same object).
    pub globals_dict: Option<Rc<std::cell::RefCell<crate::lang::value::Dict>>>,
}

/// A pattern as a cache key: text or bytes.
#[derive(Clone, PartialEq, Eq, Hash)]
pub enum Value2 {
    Str(String),
    Bytes(Vec<u8>),
}

/// Wraps a library object as a value.
pub fn native<T: NativeObject + 'static>(obj: T) -> Value {
    Value::Native(Rc::new(NativeBox(Box::new(obj))))
}

/// The library object behind a value, if it is a `T`.
pub fn downcast<T: 'static>(v: &Value) -> Option<&T> {
    match v {
        Value::Native(n) => n.0.as_any().and_then(|a| a.downcast_ref::<T>()),
        _ => None,
    }
}

/// An address-like number for reprs (`<map object at 0x...>`).
pub fn addr<T>(obj: &T) -> usize {
    obj as *const T as usize
}

/// Whether an error is the "not iterable" TypeError.
pub fn is_not_iterable(e: &Exc) -> bool {
    match e {
        Exc::Raise(r) => {
            r.exc.kind() == ExcKind::TypeError
                && r.exc
                    .args()
                    .first()
                    .is_some_and(|a| matches!(a, Value::Str(s) if s.s.ends_with("is not iterable")))
        }
        _ => false,
    }
}

/// Attributes of exception objects beyond `args`: OSError's errno/strerror/filename,
/// StopIteration's value, SystemExit's code, KeyError-free `__str__`-less basics.
pub fn exception_attr(e: &ExcObject, name: &str) -> Option<Value> {
    let kind = match e.class.kind {
        ClassKind::Exception(k) => k,
        _ => return None,
    };
    let args = e.args.borrow();
    let arg = |i: usize| args.get(i).cloned().unwrap_or(Value::None);
    match name {
        "errno" | "strerror" | "filename" | "filename2" if kind.is_a(ExcKind::OSError) => {
            let structured = (2..=5).contains(&args.len());
            Some(match (name, structured) {
                ("errno", true) => arg(0),
                ("strerror", true) => arg(1),
                ("filename", true) => arg(2),
                ("filename2", true) => arg(4),
                _ => Value::None,
            })
        }
        "encoding" | "object" | "start" | "end" | "reason"
            if kind.is_a(ExcKind::UnicodeError) && args.len() == 5 =>
        {
            let i = ["encoding", "object", "start", "end", "reason"]
                .iter()
                .position(|n| *n == name)
                .unwrap_or(0);
            Some(arg(i))
        }
        "value" if kind == ExcKind::StopIteration => Some(arg(0)),
        "code" if kind == ExcKind::SystemExit => Some(match args.len() {
            0 => Value::None,
            1 => arg(0),
            _ => Value::tuple(args.clone()),
        }),
        "msg" if kind.is_a(ExcKind::ImportError) => Some(arg(0)),
        "name" | "path" if kind.is_a(ExcKind::ImportError) => Some(Value::None),
        _ => None,
    }
}

/// `e.args`: OSError keeps its filename apart, as CPython does.
pub fn exception_args(e: &ExcObject) -> Value {
    let args = e.args.borrow();
    if let ClassKind::Exception(k) = e.class.kind {
        if k.is_a(ExcKind::OSError)
            && (3..=5).contains(&args.len())
            && matches!(args[0], Value::Int(_))
        {
            return Value::tuple(args[..2].to_vec());
        }
    }
    Value::tuple(args.clone())
}

/// Rewrites list.index's "x is not in list" ValueError for another sequence type.
pub fn rename_not_in_list(e: Exc, msg: &str) -> Exc {
    if let Exc::Raise(r) = &e {
        if r.exc.kind() == ExcKind::ValueError
            && r.exc
                .args()
                .first()
                .is_some_and(|a| matches!(a, Value::Str(s) if s.s.ends_with(" is not in list")))
        {
            return Exc::value_error(msg);
        }
    }
    e
}

/// The class of a library object without a builtin class of its own (`map`, `dict_keys`,
/// `re.Match`, ...), created once per session per type name.
pub fn native_class(vm: &mut Vm<'_>, name: &str) -> Rc<Class> {
    let key = format!("<native>{name}");
    if let Some(c) = vm.st.lib.error_classes.get(&key) {
        return c.clone();
    }
    let c = Rc::new(Class::builtin(
        name,
        vec![vm.st.types.of_tag(TypeTag::Object)],
        ClassKind::Builtin(TypeTag::Native),
    ));
    vm.st.lib.error_classes.insert(key, c.clone());
    c
}

/// An OSError of the right subclass for an I/O error, with Python's args
/// `(errno, strerror, filename)`: `[Errno 2] No such file or directory: 'x'`.
pub fn os_error(err: &std::io::Error, filename: Option<&str>) -> Exc {
    let errno = err.raw_os_error().unwrap_or(0);
    let kind = match errno {
        libc::ENOENT => ExcKind::FileNotFoundError,
        libc::EACCES | libc::EPERM => ExcKind::PermissionError,
        libc::ETIMEDOUT => ExcKind::TimeoutError,
        libc::EEXIST => ExcKind::FileExistsError,
        libc::EISDIR => ExcKind::IsADirectoryError,
        libc::ENOTDIR => ExcKind::NotADirectoryError,
        _ => ExcKind::OSError,
    };
    let mut args = vec![Value::Int(errno as i64), Value::str(strerror(errno))];
    if let Some(f) = filename {
        args.push(Value::str(f));
    }
    Exc::with_args(kind, args)
}

/// The C library's message for an errno.
pub fn strerror(errno: i32) -> String {
    let e = std::io::Error::from_raw_os_error(errno).to_string();
    // Rust appends " (os error N)".
    match e.rfind(" (os error") {
        Some(i) => e[..i].to_string(),
        None => e,
    }
}

/// A module-specific exception class (`struct.error`, `binascii.Error`, ...), created once per
/// session, deriving from `base`.
pub fn error_class(vm: &mut Vm<'_>, qualname: &str, base: ExcKind) -> Rc<Class> {
    error_class_in(vm.st, qualname, base)
}

/// [`error_class`] with the session state only (for building modules).
pub fn error_class_in(st: &mut State, qualname: &str, base: ExcKind) -> Rc<Class> {
    if let Some(c) = st.lib.error_classes.get(qualname) {
        return c.clone();
    }
    let c = Rc::new(Class::builtin(
        qualname,
        vec![st.types.exception(base)],
        ClassKind::Exception(base),
    ));
    st.lib.error_classes.insert(qualname.to_string(), c.clone());
    c
}

/// Raises a module-specific exception with a message.
pub fn raise_error(vm: &mut Vm<'_>, qualname: &str, base: ExcKind, msg: impl Into<String>) -> Exc {
    let class = error_class(vm, qualname, base);
    Exc::object(Rc::new(ExcObject::new(class, vec![Value::str(msg.into())])))
}

/// Class-level methods of library types (`bytearray.fromhex`, `dict.fromkeys` stays in
/// methods.rs). None when `tag.name` is not one.
pub fn class_method(
    vm: &mut Vm<'_>,
    tag: TypeTag,
    name: &str,
    args: &[Value],
    _kw: &Kw,
) -> Option<PResult<Value>> {
    match (tag, name) {
        (TypeTag::ByteArray, "fromhex") => Some((|| {
            if args.len() != 1 {
                return Err(Exc::type_error(format!(
                    "fromhex() takes exactly one argument ({} given)",
                    args.len()
                )));
            }
            let Value::Str(s) = &args[0] else {
                return Err(Exc::type_error(format!(
                    "fromhex() argument must be str, not {}",
                    args[0].type_name()
                )));
            };
            Ok(bytearray::new(super::methods::fromhex(&s.s)?))
        })()),
        (TypeTag::Str, "maketrans") => Some(super::objects::builtins::maketrans(vm, args)),
        (TypeTag::Bytes, "maketrans") | (TypeTag::ByteArray, "maketrans") => {
            Some(bytesmethods::bytes_maketrans(args))
        }
        _ => None,
    }
}

/// Parses positional and keyword arguments by parameter name: `names[..required]` are
/// mandatory. Errors follow CPython's argument-clinic wording.
pub fn parse_args(
    vm: &Vm<'_>,
    fname: &str,
    args: Vec<Value>,
    kw: Kw,
    names: &[&str],
    required: usize,
) -> PResult<Vec<Option<Value>>> {
    if args.len() > names.len() {
        return Err(Exc::type_error(if names.len() == 1 && required == 1 {
            format!(
                "{fname}() takes exactly one argument ({} given)",
                args.len()
            )
        } else {
            format!(
                "{fname}() takes at most {} argument{} ({} given)",
                names.len(),
                if names.len() == 1 { "" } else { "s" },
                args.len()
            )
        }));
    }
    let mut out: Vec<Option<Value>> = vec![None; names.len()];
    for (i, a) in args.into_iter().enumerate() {
        out[i] = Some(a);
    }
    for (k, v) in kw {
        let n = vm.st.interner.name(k);
        match names.iter().position(|x| *x == n) {
            Some(i) => {
                if out[i].is_some() {
                    return Err(Exc::type_error(format!(
                        "argument for {fname}() given by name ('{n}') and position ({})",
                        i + 1
                    )));
                }
                out[i] = Some(v)
            }
            None => {
                return Err(Exc::type_error(format!(
                    "{fname}() got an unexpected keyword argument '{n}'"
                )))
            }
        }
    }
    for (i, slot) in out.iter().enumerate().take(required) {
        if slot.is_none() {
            return Err(Exc::type_error(if names.len() == 1 {
                format!("{fname}() takes exactly one argument (0 given)")
            } else {
                format!(
                    "{fname}() missing required argument '{}' (pos {})",
                    names[i],
                    i + 1
                )
            }));
        }
    }
    Ok(out)
}

/// An int argument (ints and bools), with CPython's TypeError otherwise.
pub fn int_arg(v: &Value) -> PResult<i64> {
    match crate::lang::subclass::plain(v) {
        Value::Int(i) => Ok(*i),
        Value::Bool(b) => Ok(*b as i64),
        Value::BigInt(_) => Err(Exc::new(
            ExcKind::OverflowError,
            "Python int too large to convert to C long",
        )),
        _ => Err(Exc::type_error(format!(
            "'{}' object cannot be interpreted as an integer",
            v.type_name()
        ))),
    }
}

/// A float argument (ints, bools and floats).
pub fn float_arg(v: &Value) -> PResult<f64> {
    match crate::lang::subclass::plain(v) {
        Value::Float(f) => Ok(*f),
        Value::Int(i) => Ok(*i as f64),
        Value::Bool(b) => Ok(*b as i64 as f64),
        Value::BigInt(b) => super::ops::int_to_f64(b),
        _ => Err(Exc::type_error(format!(
            "must be real number, not {}",
            v.type_name()
        ))),
    }
}

/// A str argument.
pub fn str_arg<'a>(v: &'a Value, what: &str) -> PResult<&'a str> {
    match crate::lang::subclass::plain(v) {
        Value::Str(s) => Ok(&s.s),
        _ => Err(Exc::type_error(format!(
            "{what} must be str, not {}",
            v.type_name()
        ))),
    }
}

/// The bytes of a bytes-like value (bytes, bytearray), or None.
pub fn bytes_like(v: &Value) -> Option<Vec<u8>> {
    let v = crate::lang::subclass::plain(v);
    match v {
        Value::Bytes(b) => Some((**b).clone()),
        _ => downcast::<bytearray::ByteArray>(v).map(|b| b.data.borrow().clone()),
    }
}

/// A bytes-like argument, with CPython's TypeError otherwise.
pub fn bytes_arg(v: &Value) -> PResult<Vec<u8>> {
    bytes_like(v).ok_or_else(|| {
        Exc::type_error(format!(
            "a bytes-like object is required, not '{}'",
            v.type_name()
        ))
    })
}

/// The interpreter side of iteration as iterator *objects* (values), for the library's lazy
/// iterators (`map`, `zip`, ...), `iter()` and `next()`. Loops and builtins drive
/// [`crate::lang::interp::PyIter`] instead; both end in the same `__next__`/`NativeObject::next`.
impl Vm<'_> {
    /// `iter(v)` as a value: library iterators, user iterators (`__iter__`), generator
    /// expressions.
    pub fn iter_value(&mut self, v: &Value) -> PResult<Value> {
        match v {
            Value::Instance(_) | Value::Special(_) => crate::lang::classes::iter_builtin(self, v),
            _ => iters::get_iter(v),
        }
    }

    /// `next(it)`: Ok(None) when exhausted.
    pub fn next_item(&mut self, it: &Value) -> PResult<Option<Value>> {
        match it {
            Value::Native(n) => match n.0.next(self) {
                Some(r) => r,
                None => Err(Exc::type_error(format!(
                    "'{}' object is not an iterator",
                    it.type_name()
                ))),
            },
            Value::Iterator(i) => {
                let mut i = i.borrow_mut();
                let pos = i.pos;
                match i.items.get(pos).cloned() {
                    Some(v) => {
                        i.pos += 1;
                        Ok(Some(v))
                    }
                    None => Ok(None),
                }
            }
            Value::Instance(_) => crate::lang::classes::user_next(self, it),
            Value::Special(s) if matches!(**s, crate::lang::value::Special::Gen(_)) => {
                let mut pit = crate::lang::interp::PyIter::Gen(s.clone());
                self.iter_next(&mut pit)
            }
            _ => Err(Exc::type_error(format!(
                "'{}' object is not an iterator",
                it.type_name()
            ))),
        }
    }

    /// Whether `v` is an iterator (`next(v)` works).
    pub fn is_iterator(&self, v: &Value) -> bool {
        match v {
            Value::Iterator(_) => true,
            Value::Native(n) => n.0.method_names().contains(&"__next__"),
            Value::Instance(_) => {
                let nx = self.st.syms.next;
                crate::lang::classes::has_special(v, nx)
            }
            Value::Special(s) => matches!(**s, crate::lang::value::Special::Gen(_)),
            _ => false,
        }
    }

    /// The items of a library iterable, running code (map, filter) as needed.
    pub fn collect_native(&mut self, v: &Value) -> PResult<Vec<Value>> {
        let mut it = self.get_iter(v)?;
        let mut out = Vec::new();
        while let Some(x) = self.iter_next(&mut it)? {
            out.push(x);
            if out.len() % 4096 == 0 {
                if let Some(r) = self.st.stop.requested() {
                    return Err(match r {
                        super::StopReason::Timeout => Exc::Timeout,
                        super::StopReason::Interrupt => Exc::bare(ExcKind::KeyboardInterrupt),
                    });
                }
            }
        }
        Ok(out)
    }
}
