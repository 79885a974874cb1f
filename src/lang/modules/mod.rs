//! The built-in modules `import` reaches, one file each. A module is a
//! [`Module`](super::objects::module::Module) object built once per session.

use super::exceptions::PResult;
use super::interp::State;
use super::objects::module::Module;
use super::objects::native;
use super::value::Value;

pub mod base64;
pub mod binascii;
pub mod hashlib;
pub mod math;
pub mod os;
pub mod random;
pub mod re;
pub mod socket;
pub mod structmod;
pub mod sys;
pub mod time;
pub mod zlib;

/// Defines a module's function table: `funcs! { "sqrt" => sqrt, ... }`.
#[macro_export]
macro_rules! funcs {
    ($($name:literal => $f:expr),* $(,)?) => {
        /// The module's functions.
        pub static FUNCS: &[$crate::lang::value::BuiltinDef] =
            &[$($crate::lang::value::BuiltinDef { name: $name, func: $f }),*];
    };
}

/// The built-in modules, by name.
pub const MODULES: &[&str] = &[
    "base64", "binascii", "hashlib", "math", "os", "os.path", "random", "re", "socket", "struct",
    "sys", "time", "zlib",
];

/// Whether `name` is one of Scapy's or wirecraft's own modules (imported as no-ops).
pub fn is_noop(name: &str) -> bool {
    ["scapy", "wirecraft"]
        .iter()
        .any(|p| name == *p || name.strip_prefix(p).is_some_and(|r| r.starts_with('.')))
}

/// Whether `import name` succeeds.
pub fn exists(name: &str) -> bool {
    MODULES.contains(&name) || is_noop(name)
}

/// Builds the module `name`, or None when there is no such module.
pub fn create(vm: &mut super::interp::Vm<'_>, name: &str) -> Option<PResult<Value>> {
    create_in(vm.st, name)
}

/// [`create`] with the session state only.
pub fn create_in(st: &mut State, name: &str) -> Option<PResult<Value>> {
    let m = match name {
        "base64" => base64::module(st),
        "binascii" => binascii::module(st),
        "hashlib" => hashlib::module(st),
        "math" => math::module(st),
        "os" => os::module(st),
        "os.path" => os::path_module(st),
        "random" => random::module(st),
        "re" => re::module(st),
        "socket" => socket::module(st),
        "struct" => structmod::module(st),
        "sys" => sys::module(st),
        "time" => time::module(st),
        "zlib" => zlib::module(st),
        n if is_noop(n) => {
            let mut m = Module::new(n, &[], Vec::new());
            m.all = Some(Vec::new());
            m
        }
        _ => return None,
    };
    Some(Ok(native(m)))
}
