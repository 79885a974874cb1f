//! Builtins of the library: lazy `map`/`filter`/`zip`/`enumerate`/`reversed`/`iter`/`next`,
//! attribute access (`getattr`, `setattr`, `hasattr`, `delattr`), namespaces (`vars`, `dir`,
//! `globals`, `locals`), `open`, `print(file=)`, and the `bytearray`/`frozenset`/`object`
//! constructors. Installed over the core table by [`install`].

use std::cell::RefCell;
use std::rc::Rc;

use num_bigint::BigInt;

use super::iters::{self, DictPart, IterState};
use super::Kw;
use crate::lang::exceptions::{Exc, ExcKind, PResult};
use crate::lang::interp::{State, Vm};
use crate::lang::value::{BuiltinDef, Dict, TypeTag, Value};

macro_rules! table {
    ($($name:literal => $f:expr),* $(,)?) => {
        /// The library's builtin functions.
        pub static LIB_BUILTINS: &[BuiltinDef] = &[$(BuiltinDef { name: $name, func: $f }),*];
    };
}

table! {
    "map" => map,
    "filter" => filter,
    "zip" => zip,
    "enumerate" => enumerate,
    "reversed" => reversed,
    "iter" => iter,
    "next" => next,
    "getattr" => getattr,
    "setattr" => setattr,
    "hasattr" => hasattr,
    "delattr" => delattr,
    "vars" => vars,
    "dir" => dir,
    "globals" => globals,
    "locals" => locals,
    "open" => open,
    "print" => print,
    "callable" => callable,
    "ascii" => ascii,
    "__import__" => dunder_import,
}

/// Installs the library's builtins, values and classes into a fresh state.
pub fn install(st: &mut State) {
    for b in LIB_BUILTINS {
        st.set_builtin(b.name, Value::Builtin(b));
    }
    for tag in [TypeTag::ByteArray, TypeTag::FrozenSet] {
        let c = st.types.of_tag(tag);
        st.set_builtin(&c.name.clone(), Value::Class(c));
    }
}

fn no_kw(name: &str, kw: &Kw) -> PResult<()> {
    if !kw.is_empty() {
        return Err(Exc::type_error(format!(
            "{name}() takes no keyword arguments"
        )));
    }
    Ok(())
}

fn count(name: &str, args: &[Value], min: usize, max: usize) -> PResult<()> {
    if args.len() < min {
        return Err(Exc::type_error(format!(
            "{name} expected at least {min} argument{}, got {}",
            if min == 1 { "" } else { "s" },
            args.len()
        )));
    }
    if args.len() > max {
        return Err(Exc::type_error(format!(
            "{name} expected at most {max} argument{}, got {}",
            if max == 1 { "" } else { "s" },
            args.len()
        )));
    }
    Ok(())
}

fn map(vm: &mut Vm<'_>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    no_kw("map", &kw)?;
    if args.len() < 2 {
        return Err(Exc::type_error("map() must have at least two arguments."));
    }
    let mut it = args.into_iter();
    let func = it.next().unwrap_or(Value::None);
    let its = it.map(|a| vm.iter_value(&a)).collect::<PResult<Vec<_>>>()?;
    Ok(iters::make("map", IterState::Map { func, its }))
}

fn filter(vm: &mut Vm<'_>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    no_kw("filter", &kw)?;
    if args.len() != 2 {
        return Err(Exc::type_error(format!(
            "filter expected 2 arguments, got {}",
            args.len()
        )));
    }
    let it = vm.iter_value(&args[1])?;
    Ok(iters::make(
        "filter",
        IterState::Filter {
            func: args[0].clone(),
            it,
        },
    ))
}

fn zip(vm: &mut Vm<'_>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    let mut strict = false;
    for (k, v) in kw {
        let n = vm.st.interner.name(k).to_string();
        if n != "strict" {
            return Err(Exc::type_error(format!(
                "zip() got an unexpected keyword argument '{n}'"
            )));
        }
        strict = vm.truthy(&v)?;
    }
    let mut its = Vec::new();
    for (i, a) in args.iter().enumerate() {
        let _ = i;
        its.push(vm.iter_value(a)?);
    }
    Ok(iters::make("zip", IterState::Zip { its, strict }))
}

fn enumerate(vm: &mut Vm<'_>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    let a = super::parse_args(vm, "enumerate", args, kw, &["iterable", "start"], 1)?;
    let start = match &a[1] {
        Some(v) => crate::lang::ops::as_bigint(v).ok_or_else(|| {
            Exc::type_error(format!(
                "'{}' object cannot be interpreted as an integer",
                v.type_name()
            ))
        })?,
        None => BigInt::from(0),
    };
    let it = vm.iter_value(a[0].as_ref().unwrap_or(&Value::None))?;
    Ok(iters::make(
        "enumerate",
        IterState::Enumerate { it, n: start },
    ))
}

fn reversed(vm: &mut Vm<'_>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    no_kw("reversed", &kw)?;
    if args.len() != 1 {
        return Err(Exc::type_error(format!(
            "reversed expected 1 argument, got {}",
            args.len()
        )));
    }
    let v = &args[0];
    let snapshot = |items: Vec<Value>| {
        let mut items = items;
        items.reverse();
        iters::make("reversed", IterState::Items { items, pos: 0 })
    };
    Ok(match v {
        Value::List(_) => iters::make(
            "list_reverseiterator",
            IterState::Seq {
                seq: v.clone(),
                pos: 0,
                rev: true,
            },
        ),
        Value::Tuple(_) | Value::Str(_) | Value::Bytes(_) => {
            snapshot(crate::lang::ops::iterate(v)?)
        }
        Value::Range(r) => {
            let n = r.len();
            iters::make(
                "range_iterator",
                IterState::Range {
                    next: r.start.wrapping_add((n - 1).wrapping_mul(r.step)),
                    step: r.step.wrapping_neg(),
                    left: n,
                },
            )
        }
        Value::Dict(d) => iters::dict_iter(d, DictPart::Keys, true),
        Value::Native(_) => {
            if let Some(view) = super::downcast::<super::views::DictView>(v) {
                iters::dict_iter(&view.dict, view.part, true)
            } else if let Some(b) = super::downcast::<super::bytearray::ByteArray>(v) {
                let items = b
                    .data
                    .borrow()
                    .iter()
                    .map(|&c| Value::Int(c as i64))
                    .collect();
                snapshot(items)
            } else {
                return Err(not_reversible(v));
            }
        }
        // A user `__reversed__`, else the builtin value of a subclass of a builtin type.
        Value::Instance(_) => {
            if let Some(r) = crate::lang::classes::call_dunder(vm, v, "__reversed__", Vec::new()) {
                return r;
            }
            match v.builtin_base() {
                Some(b) => return reversed(vm, vec![b.clone()], Vec::new()),
                None => return Err(not_reversible(v)),
            }
        }
        _ => return Err(not_reversible(v)),
    })
}

fn not_reversible(v: &Value) -> Exc {
    Exc::type_error(format!("'{}' object is not reversible", v.type_name()))
}

fn iter(vm: &mut Vm<'_>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    no_kw("iter", &kw)?;
    count("iter", &args, 1, 2)?;
    if args.len() == 2 {
        if !crate::lang::classes::callable(vm, &args[0]) {
            return Err(Exc::type_error("iter(v, w): v must be callable"));
        }
        return Ok(iters::make(
            "callable_iterator",
            IterState::Call {
                func: args[0].clone(),
                sentinel: args[1].clone(),
            },
        ));
    }
    vm.iter_value(&args[0])
}

fn next(vm: &mut Vm<'_>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    no_kw("next", &kw)?;
    count("next", &args, 1, 2)?;
    if !vm.is_iterator(&args[0]) {
        return Err(Exc::type_error(format!(
            "'{}' object is not an iterator",
            args[0].type_name()
        )));
    }
    match vm.next_item(&args[0])? {
        Some(v) => Ok(v),
        None => match args.get(1) {
            Some(d) => Ok(d.clone()),
            None => Err(Exc::bare(ExcKind::StopIteration)),
        },
    }
}

fn attr_name(v: &Value, _fname: &str) -> PResult<String> {
    match v {
        Value::Str(s) => Ok(s.s.clone()),
        _ => Err(Exc::type_error(format!(
            "attribute name must be string, not '{}'",
            v.type_name()
        ))),
    }
}

fn is_attribute_error(e: &Exc) -> bool {
    matches!(e, Exc::Raise(r) if r.exc.kind().is_a(ExcKind::AttributeError))
}

fn getattr(vm: &mut Vm<'_>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    no_kw("getattr", &kw)?;
    count("getattr", &args, 2, 3)?;
    let name = attr_name(&args[1], "getattr")?;
    let sym = vm.st.interner.intern(&name);
    match vm.get_attr(args[0].clone(), sym) {
        Err(e) if is_attribute_error(&e) && args.len() == 3 => Ok(args[2].clone()),
        r => r,
    }
}

fn hasattr(vm: &mut Vm<'_>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    no_kw("hasattr", &kw)?;
    if args.len() != 2 {
        return Err(Exc::type_error(format!(
            "hasattr expected 2 arguments, got {}",
            args.len()
        )));
    }
    let name = attr_name(&args[1], "hasattr")?;
    let sym = vm.st.interner.intern(&name);
    match vm.get_attr(args[0].clone(), sym) {
        Ok(_) => Ok(Value::Bool(true)),
        Err(e) if is_attribute_error(&e) => Ok(Value::Bool(false)),
        Err(e) => Err(e),
    }
}

fn setattr(vm: &mut Vm<'_>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    no_kw("setattr", &kw)?;
    if args.len() != 3 {
        return Err(Exc::type_error(format!(
            "setattr expected 3 arguments, got {}",
            args.len()
        )));
    }
    let name = attr_name(&args[1], "setattr")?;
    let sym = vm.st.interner.intern(&name);
    vm.set_attr(&args[0], sym, args[2].clone())?;
    Ok(Value::None)
}

fn delattr(vm: &mut Vm<'_>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    no_kw("delattr", &kw)?;
    if args.len() != 2 {
        return Err(Exc::type_error(format!(
            "delattr expected 2 arguments, got {}",
            args.len()
        )));
    }
    let name = attr_name(&args[1], "delattr")?;
    if let Some(m) = super::downcast::<super::module::Module>(&args[0]) {
        if m.attrs.borrow_mut().remove(&name).is_some() {
            return Ok(Value::None);
        }
        return Err(Exc::new(
            ExcKind::AttributeError,
            format!("module '{}' has no attribute '{name}'", m.name),
        ));
    }
    let sym = vm.st.interner.intern(&name);
    crate::lang::classes::del_attr(vm, &args[0], sym)?;
    Ok(Value::None)
}

/// The module-level namespace as a dict (a snapshot: assigning into it does not define names).
fn globals_dict(vm: &mut Vm<'_>) -> PResult<Value> {
    let mut d = Dict::new();
    let names: Vec<(String, Value)> = vm
        .st
        .globals
        .iter()
        .enumerate()
        .filter_map(|(i, v)| {
            v.as_ref()
                .map(|v| (vm.st.interner.name(i as u32).to_string(), v.clone()))
        })
        .collect();
    d.insert(
        crate::lang::ops::key(&Value::str("__name__"))?,
        Value::str("__main__"),
    );
    for (k, v) in names {
        d.insert(crate::lang::ops::key(&Value::str(k))?, v);
    }
    // One dict object, as CPython's module namespace is (`locals() is globals()` at the top).
    let cell = vm
        .st
        .lib
        .globals_dict
        .get_or_insert_with(|| Rc::new(RefCell::new(Dict::new())))
        .clone();
    *cell.borrow_mut() = d;
    Ok(Value::Dict(cell))
}

fn globals(vm: &mut Vm<'_>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    no_kw("globals", &kw)?;
    if !args.is_empty() {
        return Err(Exc::type_error(format!(
            "globals() takes no arguments ({} given)",
            args.len()
        )));
    }
    globals_dict(vm)
}

fn locals(vm: &mut Vm<'_>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    no_kw("locals", &kw)?;
    if !args.is_empty() {
        return Err(Exc::type_error(format!(
            "locals() takes no arguments ({} given)",
            args.len()
        )));
    }
    globals_dict(vm)
}

fn vars(vm: &mut Vm<'_>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    no_kw("vars", &kw)?;
    count("vars", &args, 0, 1)?;
    match args.first() {
        None => globals_dict(vm),
        Some(v) => {
            if let Some(m) = super::downcast::<super::module::Module>(v) {
                return m.dict();
            }
            crate::lang::classes::vars_of(vm, v)
        }
    }
}

/// The attribute names `dir(v)` lists.
pub fn dir_names(vm: &mut Vm<'_>, v: &Value) -> Vec<String> {
    if let Some(names) = crate::lang::classes::dir_user(vm, v) {
        return names;
    }
    let mut names: Vec<String> = Vec::new();
    if let Some(m) = super::downcast::<super::module::Module>(v) {
        names.extend(m.attrs.borrow().keys().cloned());
        names.extend(["__name__", "__doc__"].map(String::from));
    } else {
        names.extend(["__class__", "__doc__", "__repr__", "__str__"].map(String::from));
        let tag = match v {
            Value::Class(c) => match c.kind {
                crate::lang::value::ClassKind::Builtin(t) => Some(t),
                _ => None,
            },
            _ => None,
        };
        let methods: Vec<&'static str> = match (v, tag) {
            (Value::Native(n), _) => n.0.method_names().to_vec(),
            (_, Some(t)) => crate::lang::names::method_names(t),
            _ => crate::lang::names::method_names(v.type_tag()),
        };
        names.extend(methods.into_iter().map(String::from));
        if let Value::Exception(_) = v {
            names.push("args".into());
        }
    }
    let _ = vm;
    names.sort();
    names.dedup();
    names
}

fn dir(vm: &mut Vm<'_>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    no_kw("dir", &kw)?;
    count("dir", &args, 0, 1)?;
    let names = match args.first() {
        None => {
            let mut n: Vec<String> = vm
                .st
                .globals
                .iter()
                .enumerate()
                .filter(|(_, v)| v.is_some())
                .map(|(i, _)| vm.st.interner.name(i as u32).to_string())
                .collect();
            n.sort();
            n
        }
        Some(v) => dir_names(vm, v),
    };
    Ok(Value::list(names.into_iter().map(Value::str).collect()))
}

fn open(vm: &mut Vm<'_>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    let a = super::parse_args(
        vm,
        "open",
        args,
        kw,
        &[
            "file",
            "mode",
            "buffering",
            "encoding",
            "errors",
            "newline",
            "closefd",
            "opener",
        ],
        1,
    )?;
    super::file::open(vm, &a)
}

/// `print(..., file=f)` writes to the file object; everything else is the core `print`.
fn print(vm: &mut Vm<'_>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    let file_pos = kw
        .iter()
        .position(|(k, v)| vm.st.interner.name(*k) == "file" && !matches!(v, Value::None));
    let core = crate::lang::builtins::BUILTINS
        .iter()
        .find(|b| b.name == "print")
        .map(|b| b.func);
    let Some(core) = core else {
        return Ok(Value::None);
    };
    let Some(i) = file_pos else {
        return core(vm, args, kw);
    };
    let mut kw = kw;
    let (_, file) = kw.remove(i);
    let mut sep = " ".to_string();
    let mut end = "\n".to_string();
    for (k, v) in kw {
        let n = vm.st.interner.name(k).to_string();
        let slot = match n.as_str() {
            "sep" => &mut sep,
            "end" => &mut end,
            "flush" => continue,
            _ => {
                return Err(Exc::type_error(format!(
                    "print() got an unexpected keyword argument '{n}'"
                )))
            }
        };
        match v {
            Value::None => {}
            Value::Str(s) => *slot = s.s.clone(),
            o => {
                return Err(Exc::type_error(format!(
                    "{n} must be None or a string, not {}",
                    o.type_name()
                )))
            }
        }
    }
    let mut buf = String::new();
    for (i, a) in args.iter().enumerate() {
        if i > 0 {
            buf.push_str(&sep);
        }
        buf.push_str(&vm.str(a)?);
    }
    buf.push_str(&end);
    let write = vm.st.interner.intern("write");
    crate::lang::methods::call_method(vm, &file, write, vec![Value::str(buf)], Vec::new())?;
    Ok(Value::None)
}

fn callable(vm: &mut Vm<'_>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    no_kw("callable", &kw)?;
    if args.len() != 1 {
        return Err(Exc::type_error(format!(
            "callable() takes exactly one argument ({} given)",
            args.len()
        )));
    }
    Ok(Value::Bool(crate::lang::classes::callable(vm, &args[0])))
}

fn ascii(vm: &mut Vm<'_>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    no_kw("ascii", &kw)?;
    if args.len() != 1 {
        return Err(Exc::type_error(format!(
            "ascii() takes exactly one argument ({} given)",
            args.len()
        )));
    }
    let r = vm.repr(&args[0])?;
    let mut out = String::new();
    for c in r.chars() {
        let cp = c as u32;
        if cp < 0x80 {
            out.push(c);
        } else if cp < 0x100 {
            out.push_str(&format!("\\x{cp:02x}"));
        } else if cp < 0x10000 {
            out.push_str(&format!("\\u{cp:04x}"));
        } else {
            out.push_str(&format!("\\U{cp:08x}"));
        }
    }
    Ok(Value::str(out))
}

fn dunder_import(vm: &mut Vm<'_>, args: Vec<Value>, _kw: Kw) -> PResult<Value> {
    count("__import__", &args, 1, 5)?;
    let name = super::str_arg(&args[0], "__import__() argument 1")?.to_string();
    let m = crate::lang::import_hook::import_module(vm, &name)?;
    if let Value::None = m {
        return Err(Exc::new(
            ExcKind::ModuleNotFoundError,
            format!("No module named '{name}' (wirecraft provides it as a no-op import only)"),
        ));
    }
    // `__import__('os.path')` returns the top-level package, as CPython does.
    match name.split_once('.') {
        Some((top, _)) => crate::lang::import_hook::import_module(vm, top),
        None => Ok(m),
    }
}

/// `str.maketrans(x[, y[, z]])`.
pub fn maketrans(_vm: &mut Vm<'_>, args: &[Value]) -> PResult<Value> {
    count("maketrans", args, 1, 3)?;
    let mut d = Dict::new();
    let key = crate::lang::ops::key;
    match args {
        [Value::Dict(src)] => {
            for (k, v) in src.borrow().iter() {
                let k = match k {
                    Value::Str(s) if s.char_len() == 1 => {
                        Value::Int(s.s.chars().next().map(|c| c as i64).unwrap_or(0))
                    }
                    Value::Str(_) => {
                        return Err(Exc::value_error(
                            "string keys in translate table must be of length 1",
                        ))
                    }
                    Value::Int(_) => k.clone(),
                    _ => {
                        return Err(Exc::type_error(
                            "keys in translate table must be strings or integers",
                        ))
                    }
                };
                d.insert(key(&k)?, v.clone());
            }
        }
        [_] => {
            return Err(Exc::type_error(
                "if you give only one argument to maketrans it must be a dict",
            ))
        }
        [x, y, rest @ ..] => {
            let (Value::Str(x), Value::Str(y)) = (x, y) else {
                return Err(Exc::type_error("maketrans() argument 1 must be str"));
            };
            if x.char_len() != y.char_len() {
                return Err(Exc::value_error(
                    "the first two maketrans arguments must have equal length",
                ));
            }
            for (a, b) in x.s.chars().zip(y.s.chars()) {
                d.insert(key(&Value::Int(a as i64))?, Value::Int(b as i64));
            }
            if let Some(Value::Str(z)) = rest.first() {
                for c in z.s.chars() {
                    d.insert(key(&Value::Int(c as i64))?, Value::None);
                }
            }
        }
        [] => {}
    }
    Ok(Value::Dict(Rc::new(RefCell::new(d))))
}

/// Constructors of the library's builtin classes.
pub fn construct(vm: &mut Vm<'_>, tag: TypeTag, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    match tag {
        TypeTag::ByteArray => super::bytearray::construct(vm, args, kw),
        TypeTag::FrozenSet => {
            no_kw("frozenset", &kw)?;
            count("frozenset", &args, 0, 1)?;
            // A frozenset is its own frozenset, as in CPython.
            if let Some(v @ Value::Native(_)) = args.first() {
                if super::downcast::<super::frozenset::FrozenSet>(v).is_some() {
                    return Ok(v.clone());
                }
            }
            super::frozenset::new(vm, args.first())
        }
        _ => Err(Exc::type_error("cannot create instances")),
    }
}

/// `str.format_map`, `str.translate`, `str.istitle` and `str.maketrans` called on an instance.
pub fn str_extra(vm: &mut Vm<'_>, s: &str, m: &str, args: Vec<Value>) -> PResult<Value> {
    let one = |args: &[Value]| -> PResult<()> {
        if args.len() != 1 {
            return Err(Exc::type_error(format!(
                "{m}() takes exactly one argument ({} given)",
                args.len()
            )));
        }
        Ok(())
    };
    match m {
        "format_map" => {
            one(&args)?;
            let Value::Dict(d) = &args[0] else {
                return Err(Exc::type_error(format!(
                    "'{}' object is not subscriptable",
                    args[0].type_name()
                )));
            };
            let mut kw = Vec::new();
            let pairs: Vec<(Value, Value)> = d
                .borrow()
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            for (k, v) in pairs {
                if let Value::Str(k) = k {
                    kw.push((vm.st.interner.intern(&k.s), v));
                }
            }
            Ok(Value::str(crate::lang::printf::str_format(
                vm,
                s,
                &[],
                &kw,
            )?))
        }
        "translate" => {
            one(&args)?;
            let mut out = String::new();
            for c in s.chars() {
                let k = Value::Int(c as i64);
                let found = match &args[0] {
                    Value::Dict(d) => d.borrow().get(&crate::lang::ops::key(&k)?).cloned(),
                    t => match crate::lang::ops::get_item(t, &k) {
                        Ok(v) => Some(v),
                        Err(Exc::Raise(r)) if r.exc.kind().is_a(ExcKind::LookupError) => None,
                        Err(e) => return Err(e),
                    },
                };
                match found {
                    None => out.push(c),
                    Some(Value::None) => {}
                    Some(Value::Str(r)) => out.push_str(&r.s),
                    Some(v) => match crate::lang::ops::index_of(&v)
                        .and_then(|i| u32::try_from(i).ok())
                        .and_then(char::from_u32)
                    {
                        Some(ch) => out.push(ch),
                        None => {
                            return Err(Exc::type_error(
                                "character mapping must return integer, None or str",
                            ))
                        }
                    },
                }
            }
            Ok(Value::str(out))
        }
        "istitle" => {
            let (mut prev, mut any) = (false, false);
            for c in s.chars() {
                if c.is_uppercase() {
                    if prev {
                        return Ok(Value::Bool(false));
                    }
                    prev = true;
                    any = true;
                } else if c.is_lowercase() {
                    if !prev {
                        return Ok(Value::Bool(false));
                    }
                    prev = true;
                    any = true;
                } else {
                    prev = false;
                }
            }
            Ok(Value::Bool(any))
        }
        _ => maketrans(vm, &args),
    }
}
