//! `hashlib`: MD5 and the SHA-1/SHA-2 family as hash objects (`update`, `digest`,
//! `hexdigest`, `copy`).

use std::cell::RefCell;

use md5::Digest;

use crate::funcs;
use crate::lang::exceptions::{Exc, PResult};
use crate::lang::interp::{State, Vm};
use crate::lang::objects::module::Module;
use crate::lang::objects::{bytes_like, native, Kw};
use crate::lang::value::{NativeObject, Value};

funcs! {
    "new" => new, "md5" => md5, "sha1" => sha1, "sha224" => sha224, "sha256" => sha256,
    "sha384" => sha384, "sha512" => sha512,
}

const ALGORITHMS: &[&str] = &["md5", "sha1", "sha224", "sha256", "sha384", "sha512"];

/// The module.
pub fn module(_st: &mut State) -> Module {
    let names = || {
        let keys = ALGORITHMS
            .iter()
            .filter_map(|n| crate::lang::ops::key(&Value::str(*n)).ok());
        let t = crate::lang::settable::SetTable::from_keys(keys);
        Value::Set(std::rc::Rc::new(RefCell::new(t)))
    };
    Module::new(
        "hashlib",
        FUNCS,
        vec![
            ("algorithms_available", names()),
            ("algorithms_guaranteed", names()),
        ],
    )
}

/// A hash function's running state.
#[derive(Clone)]
enum State_ {
    Md5(md5::Md5),
    Sha1(sha1::Sha1),
    Sha224(sha2::Sha224),
    Sha256(sha2::Sha256),
    Sha384(sha2::Sha384),
    Sha512(sha2::Sha512),
}

impl State_ {
    fn of(name: &str) -> Option<State_> {
        Some(match name.to_ascii_lowercase().as_str() {
            "md5" => State_::Md5(md5::Md5::new()),
            "sha1" => State_::Sha1(sha1::Sha1::new()),
            "sha224" => State_::Sha224(sha2::Sha224::new()),
            "sha256" => State_::Sha256(sha2::Sha256::new()),
            "sha384" => State_::Sha384(sha2::Sha384::new()),
            "sha512" => State_::Sha512(sha2::Sha512::new()),
            _ => return None,
        })
    }
    fn update(&mut self, b: &[u8]) {
        match self {
            State_::Md5(h) => h.update(b),
            State_::Sha1(h) => h.update(b),
            State_::Sha224(h) => h.update(b),
            State_::Sha256(h) => h.update(b),
            State_::Sha384(h) => h.update(b),
            State_::Sha512(h) => h.update(b),
        }
    }
    fn digest(&self) -> Vec<u8> {
        match self.clone() {
            State_::Md5(h) => h.finalize().to_vec(),
            State_::Sha1(h) => h.finalize().to_vec(),
            State_::Sha224(h) => h.finalize().to_vec(),
            State_::Sha256(h) => h.finalize().to_vec(),
            State_::Sha384(h) => h.finalize().to_vec(),
            State_::Sha512(h) => h.finalize().to_vec(),
        }
    }
    fn name(&self) -> &'static str {
        match self {
            State_::Md5(_) => "md5",
            State_::Sha1(_) => "sha1",
            State_::Sha224(_) => "sha224",
            State_::Sha256(_) => "sha256",
            State_::Sha384(_) => "sha384",
            State_::Sha512(_) => "sha512",
        }
    }
    fn sizes(&self) -> (i64, i64) {
        match self {
            State_::Md5(_) => (16, 64),
            State_::Sha1(_) => (20, 64),
            State_::Sha224(_) => (28, 64),
            State_::Sha256(_) => (32, 64),
            State_::Sha384(_) => (48, 128),
            State_::Sha512(_) => (64, 128),
        }
    }
}

/// A hash object.
pub struct Hash {
    state: RefCell<State_>,
}

fn data_arg(v: &Value) -> PResult<Vec<u8>> {
    if let Value::Str(_) = v {
        return Err(Exc::type_error("Strings must be encoded before hashing"));
    }
    bytes_like(v).ok_or_else(|| {
        Exc::type_error(format!(
            "object supporting the buffer API required, not '{}'",
            v.type_name()
        ))
    })
}

impl NativeObject for Hash {
    fn type_name(&self) -> &str {
        "HASH"
    }
    fn repr(&self) -> String {
        format!(
            "<{} _hashlib.HASH object @ {:#x}>",
            self.state.borrow().name(),
            crate::lang::objects::addr(self)
        )
    }
    fn get_attr(&self, _vm: &mut Vm<'_>, _this: &Value, name: &str) -> Option<PResult<Value>> {
        let st = self.state.borrow();
        let (ds, bs) = st.sizes();
        Some(Ok(match name {
            "name" => Value::str(st.name()),
            "digest_size" => Value::Int(ds),
            "block_size" => Value::Int(bs),
            _ => return None,
        }))
    }
    fn method_names(&self) -> &'static [&'static str] {
        &["copy", "digest", "hexdigest", "update"]
    }
    fn call_method(
        &self,
        _vm: &mut Vm<'_>,
        _this: &Value,
        name: &str,
        args: Vec<Value>,
        _kw: Kw,
    ) -> Option<PResult<Value>> {
        let noargs = |n: &str| -> PResult<()> {
            if !args.is_empty() {
                return Err(Exc::type_error(format!(
                    "HASH.{n}() takes no arguments ({} given)",
                    args.len()
                )));
            }
            Ok(())
        };
        Some(match name {
            "update" => (|| {
                if args.len() != 1 {
                    return Err(Exc::type_error(format!(
                        "HASH.update() takes exactly one argument ({} given)",
                        args.len()
                    )));
                }
                let b = data_arg(&args[0])?;
                self.state.borrow_mut().update(&b);
                Ok(Value::None)
            })(),
            "digest" => noargs("digest").map(|_| Value::bytes(self.state.borrow().digest())),
            "hexdigest" => noargs("hexdigest").map(|_| {
                Value::str(
                    self.state
                        .borrow()
                        .digest()
                        .iter()
                        .map(|b| format!("{b:02x}"))
                        .collect::<String>(),
                )
            }),
            "copy" => noargs("copy").map(|_| {
                native(Hash {
                    state: RefCell::new(self.state.borrow().clone()),
                })
            }),
            _ => return None,
        })
    }
}

fn make(vm: &mut Vm<'_>, name: &str, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    let a =
        crate::lang::objects::parse_args(vm, name, args, kw, &["string", "usedforsecurity"], 0)?;
    let mut st = State_::of(name)
        .ok_or_else(|| Exc::value_error(format!("unsupported hash type {name}")))?;
    if let Some(d) = &a[0] {
        st.update(&data_arg(d)?);
    }
    Ok(native(Hash {
        state: RefCell::new(st),
    }))
}

fn new(vm: &mut Vm<'_>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    let a = crate::lang::objects::parse_args(
        vm,
        "new",
        args,
        kw,
        &["name", "data", "usedforsecurity"],
        1,
    )?;
    let name =
        crate::lang::objects::str_arg(a[0].as_ref().unwrap_or(&Value::None), "name")?.to_string();
    if State_::of(&name).is_none() {
        return Err(Exc::value_error(format!("unsupported hash type {name}")));
    }
    let args: Vec<Value> = a[1].iter().cloned().collect();
    make(vm, &name.to_ascii_lowercase(), args, Vec::new())
}

macro_rules! ctor {
    ($($f:ident),*) => {
        $(fn $f(vm: &mut Vm<'_>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
            make(vm, stringify!($f), args, kw)
        })*
    };
}

ctor!(md5, sha1, sha224, sha256, sha384, sha512);
