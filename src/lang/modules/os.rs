//! `os` and `os.path`: files and directories of the host, POSIX path manipulation.

use std::cell::RefCell;
use std::rc::Rc;

use crate::lang::exceptions::{Exc, PResult};
use crate::lang::interp::{State, Vm};
use crate::lang::objects::module::Module;
use crate::lang::objects::{bytes_like, native, os_error, Kw};
use crate::lang::ops;
use crate::lang::value::{BuiltinDef, Dict, Value};

macro_rules! table {
    ($name:ident: $($n:literal => $f:expr),* $(,)?) => {
        /// Functions of the module.
        pub static $name: &[BuiltinDef] = &[$(BuiltinDef { name: $n, func: $f }),*];
    };
}

table! { FUNCS:
    "getcwd" => getcwd, "remove" => remove, "unlink" => remove, "listdir" => listdir,
    "mkdir" => mkdir, "makedirs" => makedirs, "rmdir" => rmdir, "rename" => rename,
    "getenv" => getenv, "getpid" => getpid, "urandom" => urandom, "chdir" => chdir,
}

table! { PATH_FUNCS:
    "exists" => exists, "isfile" => isfile, "isdir" => isdir, "join" => join,
    "basename" => basename, "dirname" => dirname, "split" => split, "splitext" => splitext,
    "abspath" => abspath, "getsize" => getsize, "isabs" => isabs, "normpath" => normpath,
    "expanduser" => expanduser,
}

/// The `os` module.
pub fn module(st: &mut State) -> Module {
    let mut env = Dict::new();
    for (k, v) in std::env::vars() {
        if let (Ok(k), v) = (ops::key(&Value::str(k)), Value::str(v)) {
            env.insert(k, v);
        }
    }
    let path = path_module(st);
    Module::new(
        "os",
        FUNCS,
        vec![
            ("sep", Value::str("/")),
            ("linesep", Value::str("\n")),
            ("name", Value::str("posix")),
            ("curdir", Value::str(".")),
            ("pardir", Value::str("..")),
            ("devnull", Value::str("/dev/null")),
            ("environ", Value::Dict(Rc::new(RefCell::new(env)))),
            ("path", native(path)),
        ],
    )
}

/// The `os.path` module.
pub fn path_module(_st: &mut State) -> Module {
    Module::new("posixpath", PATH_FUNCS, vec![("sep", Value::str("/"))])
}

fn path_arg(v: &Value) -> PResult<String> {
    match crate::lang::subclass::plain(v) {
        Value::Str(s) => Ok(s.s.clone()),
        _ => match bytes_like(v) {
            Some(b) => Ok(String::from_utf8_lossy(&b).to_string()),
            None => Err(Exc::type_error(format!(
                "expected str, bytes or os.PathLike object, not {}",
                v.type_name()
            ))),
        },
    }
}

fn one_path(name: &str, args: &[Value]) -> PResult<String> {
    if args.len() != 1 {
        return Err(Exc::type_error(format!(
            "{name}() takes exactly one argument ({} given)",
            args.len()
        )));
    }
    path_arg(&args[0])
}

fn getcwd(_vm: &mut Vm<'_>, _args: Vec<Value>, _kw: Kw) -> PResult<Value> {
    let d = std::env::current_dir().map_err(|e| os_error(&e, None))?;
    Ok(Value::str(d.to_string_lossy().to_string()))
}

fn chdir(_vm: &mut Vm<'_>, args: Vec<Value>, _kw: Kw) -> PResult<Value> {
    let p = one_path("chdir", &args)?;
    std::env::set_current_dir(&p).map_err(|e| os_error(&e, Some(&p)))?;
    Ok(Value::None)
}

fn remove(_vm: &mut Vm<'_>, args: Vec<Value>, _kw: Kw) -> PResult<Value> {
    let p = one_path("remove", &args)?;
    std::fs::remove_file(&p).map_err(|e| os_error(&e, Some(&p)))?;
    Ok(Value::None)
}

fn rmdir(_vm: &mut Vm<'_>, args: Vec<Value>, _kw: Kw) -> PResult<Value> {
    let p = one_path("rmdir", &args)?;
    std::fs::remove_dir(&p).map_err(|e| os_error(&e, Some(&p)))?;
    Ok(Value::None)
}

fn rename(_vm: &mut Vm<'_>, args: Vec<Value>, _kw: Kw) -> PResult<Value> {
    if args.len() != 2 {
        return Err(Exc::type_error(format!(
            "rename() takes exactly 2 arguments ({} given)",
            args.len()
        )));
    }
    let (a, b) = (path_arg(&args[0])?, path_arg(&args[1])?);
    std::fs::rename(&a, &b).map_err(|e| {
        let mut x = os_error(&e, Some(&a));
        if let Exc::Raise(r) = &mut x {
            if let crate::lang::exceptions::PyExc::Native { args, .. } = &mut r.exc {
                args.push(Value::None);
                args.push(Value::str(b.clone()));
            }
        }
        x
    })?;
    Ok(Value::None)
}

fn listdir(_vm: &mut Vm<'_>, args: Vec<Value>, _kw: Kw) -> PResult<Value> {
    let p = match args.first() {
        Some(v) => path_arg(v)?,
        None => ".".to_string(),
    };
    let rd = std::fs::read_dir(&p).map_err(|e| os_error(&e, Some(&p)))?;
    let mut out = Vec::new();
    for e in rd.flatten() {
        out.push(Value::str(e.file_name().to_string_lossy().to_string()));
    }
    Ok(Value::list(out))
}

fn mkdir(vm: &mut Vm<'_>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    let a = crate::lang::objects::parse_args(vm, "mkdir", args, kw, &["path", "mode"], 1)?;
    let p = path_arg(a[0].as_ref().unwrap_or(&Value::None))?;
    std::fs::create_dir(&p).map_err(|e| os_error(&e, Some(&p)))?;
    Ok(Value::None)
}

fn makedirs(vm: &mut Vm<'_>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    let a = crate::lang::objects::parse_args(
        vm,
        "makedirs",
        args,
        kw,
        &["name", "mode", "exist_ok"],
        1,
    )?;
    let p = path_arg(a[0].as_ref().unwrap_or(&Value::None))?;
    let exist_ok = a[2].as_ref().is_some_and(|v| v.truthy());
    if std::path::Path::new(&p).is_dir() {
        if exist_ok {
            return Ok(Value::None);
        }
        return Err(os_error(
            &std::io::Error::from_raw_os_error(libc::EEXIST),
            Some(&p),
        ));
    }
    std::fs::create_dir_all(&p).map_err(|e| os_error(&e, Some(&p)))?;
    Ok(Value::None)
}

fn getenv(vm: &mut Vm<'_>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    let a = crate::lang::objects::parse_args(vm, "getenv", args, kw, &["key", "default"], 1)?;
    let k = crate::lang::objects::str_arg(a[0].as_ref().unwrap_or(&Value::None), "str expected")
        .map_err(|_| Exc::type_error("str expected, not int"))?;
    Ok(match std::env::var(k) {
        Ok(v) => Value::str(v),
        Err(_) => a[1].clone().unwrap_or(Value::None),
    })
}

fn getpid(_vm: &mut Vm<'_>, _args: Vec<Value>, _kw: Kw) -> PResult<Value> {
    Ok(Value::Int(std::process::id() as i64))
}

fn urandom(_vm: &mut Vm<'_>, args: Vec<Value>, _kw: Kw) -> PResult<Value> {
    let n = match args.as_slice() {
        [v] => crate::lang::objects::int_arg(v)?,
        _ => {
            return Err(Exc::type_error(format!(
                "urandom() takes exactly one argument ({} given)",
                args.len()
            )))
        }
    };
    if n < 0 {
        return Err(Exc::value_error("negative argument not allowed"));
    }
    let mut buf = vec![0u8; n as usize];
    use std::io::Read;
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut buf))
        .map_err(|e| os_error(&e, None))?;
    Ok(Value::bytes(buf))
}

fn exists(_vm: &mut Vm<'_>, args: Vec<Value>, _kw: Kw) -> PResult<Value> {
    let p = one_path("exists", &args)?;
    Ok(Value::Bool(std::path::Path::new(&p).exists()))
}

fn isfile(_vm: &mut Vm<'_>, args: Vec<Value>, _kw: Kw) -> PResult<Value> {
    let p = one_path("isfile", &args)?;
    Ok(Value::Bool(std::path::Path::new(&p).is_file()))
}

fn isdir(_vm: &mut Vm<'_>, args: Vec<Value>, _kw: Kw) -> PResult<Value> {
    let p = one_path("isdir", &args)?;
    Ok(Value::Bool(std::path::Path::new(&p).is_dir()))
}

fn isabs(_vm: &mut Vm<'_>, args: Vec<Value>, _kw: Kw) -> PResult<Value> {
    let p = one_path("isabs", &args)?;
    Ok(Value::Bool(p.starts_with('/')))
}

fn getsize(_vm: &mut Vm<'_>, args: Vec<Value>, _kw: Kw) -> PResult<Value> {
    let p = one_path("getsize", &args)?;
    let md = std::fs::metadata(&p).map_err(|e| os_error(&e, Some(&p)))?;
    Ok(Value::Int(md.len() as i64))
}

fn join(_vm: &mut Vm<'_>, args: Vec<Value>, _kw: Kw) -> PResult<Value> {
    if args.is_empty() {
        return Err(Exc::type_error(
            "join() missing 1 required positional argument: 'a'",
        ));
    }
    let mut out = path_arg(&args[0])?;
    for a in &args[1..] {
        let p = path_arg(a)?;
        if p.starts_with('/') {
            out = p;
        } else if out.is_empty() || out.ends_with('/') {
            out.push_str(&p);
        } else {
            out.push('/');
            out.push_str(&p);
        }
    }
    Ok(Value::str(out))
}

fn split_at_slash(p: &str) -> (String, String) {
    let i = p.rfind('/').map(|i| i + 1).unwrap_or(0);
    let (head, tail) = p.split_at(i);
    let trimmed = head.trim_end_matches('/');
    let head = if trimmed.is_empty() { head } else { trimmed };
    (head.to_string(), tail.to_string())
}

fn basename(_vm: &mut Vm<'_>, args: Vec<Value>, _kw: Kw) -> PResult<Value> {
    let p = one_path("basename", &args)?;
    Ok(Value::str(split_at_slash(&p).1))
}

fn dirname(_vm: &mut Vm<'_>, args: Vec<Value>, _kw: Kw) -> PResult<Value> {
    let p = one_path("dirname", &args)?;
    Ok(Value::str(split_at_slash(&p).0))
}

fn split(_vm: &mut Vm<'_>, args: Vec<Value>, _kw: Kw) -> PResult<Value> {
    let p = one_path("split", &args)?;
    let (h, t) = split_at_slash(&p);
    Ok(Value::tuple(vec![Value::str(h), Value::str(t)]))
}

fn splitext(_vm: &mut Vm<'_>, args: Vec<Value>, _kw: Kw) -> PResult<Value> {
    let p = one_path("splitext", &args)?;
    let base_start = p.rfind('/').map(|i| i + 1).unwrap_or(0);
    let base = &p[base_start..];
    let lead = base.len() - base.trim_start_matches('.').len();
    let (root, ext) = match base[lead..].rfind('.') {
        Some(i) => {
            let cut = base_start + lead + i;
            (p[..cut].to_string(), p[cut..].to_string())
        }
        None => (p.clone(), String::new()),
    };
    Ok(Value::tuple(vec![Value::str(root), Value::str(ext)]))
}

/// POSIX `normpath`.
pub fn normalize(p: &str) -> String {
    if p.is_empty() {
        return ".".into();
    }
    let initial = if p.starts_with("//") && !p.starts_with("///") {
        2
    } else if p.starts_with('/') {
        1
    } else {
        0
    };
    let mut parts: Vec<&str> = Vec::new();
    for c in p.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|l| *l != "..") {
                    parts.pop();
                } else if initial == 0 {
                    parts.push("..");
                }
            }
            c => parts.push(c),
        }
    }
    let body = parts.join("/");
    let out = format!("{}{body}", "/".repeat(initial));
    if out.is_empty() {
        ".".into()
    } else {
        out
    }
}

fn normpath(_vm: &mut Vm<'_>, args: Vec<Value>, _kw: Kw) -> PResult<Value> {
    let p = one_path("normpath", &args)?;
    Ok(Value::str(normalize(&p)))
}

fn abspath(_vm: &mut Vm<'_>, args: Vec<Value>, _kw: Kw) -> PResult<Value> {
    let p = one_path("abspath", &args)?;
    let full = if p.starts_with('/') {
        p
    } else {
        let cwd = std::env::current_dir().map_err(|e| os_error(&e, None))?;
        format!("{}/{p}", cwd.to_string_lossy())
    };
    Ok(Value::str(normalize(&full)))
}

fn expanduser(_vm: &mut Vm<'_>, args: Vec<Value>, _kw: Kw) -> PResult<Value> {
    let p = one_path("expanduser", &args)?;
    if p == "~" || p.starts_with("~/") {
        if let Ok(home) = std::env::var("HOME") {
            return Ok(Value::str(format!("{home}{}", &p[1..])));
        }
    }
    Ok(Value::str(p))
}
