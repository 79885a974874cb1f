//! The `import` statement's entry point into modules. This placeholder knows only the names
//! accepted as no-ops (`scapy`, `scapy.all`, `scapy.layers.*`, `wirecraft`, `wirecraft.*`:
//! everything is already in the session's namespace); the built-in modules replace its body.

use super::exceptions::{Exc, ExcKind, PResult};
use super::interp::Vm;
use super::value::Value;

/// Imports the module `name` (dotted). `Value::None` means a no-op module: `import` binds
/// nothing and `from ... import name` takes `name` from the session's namespace.
pub fn import_module(_vm: &mut Vm<'_>, name: &str) -> PResult<Value> {
    let noop = matches!(name, "scapy" | "scapy.all" | "wirecraft")
        || name.starts_with("scapy.layers")
        || name.starts_with("wirecraft.");
    if noop {
        return Ok(Value::None);
    }
    Err(Exc::new(
        ExcKind::ModuleNotFoundError,
        format!("No module named '{name}'"),
    ))
}
