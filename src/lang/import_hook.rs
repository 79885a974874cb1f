//! `import`: the statement's interpreter side calls [`import_module`], which returns the module
//! object (cached per session) or raises ModuleNotFoundError.

use super::exceptions::{Exc, ExcKind, PResult};
use super::interp::Vm;
use super::value::{ExcObject, Value};

/// ModuleNotFoundError("No module named 'x'") with its `name` attribute, as CPython's.
fn not_found(vm: &mut Vm<'_>, name: &str) -> Exc {
    let class = vm.st.types.exception(ExcKind::ModuleNotFoundError);
    let e = ExcObject::new(class, vec![Value::str(format!("No module named '{name}'"))]);
    let sym = vm.st.interner.intern("name");
    e.state.borrow_mut().dict.set(sym, Value::str(name));
    Exc::object(std::rc::Rc::new(e))
}

/// Imports a module by dotted name: `time`, `os.path`, `scapy.all`, ...
///
/// Scapy's and wirecraft's own modules (`scapy`, `scapy.*`, `wirecraft`, `wirecraft.*`) are
/// no-ops and return `Value::None`: everything they would provide is already in the session's
/// namespace, so `import` binds nothing and `from scapy.all import IP` takes `IP` from it.
pub fn import_module(vm: &mut Vm<'_>, name: &str) -> PResult<Value> {
    if super::modules::is_noop(name) {
        return Ok(Value::None);
    }
    if let Some(m) = vm.st.lib.modules.get(name) {
        return Ok(m.clone());
    }
    let m = match super::modules::create(vm, name) {
        Some(m) => m?,
        None => return Err(not_found(vm, name)),
    };
    vm.st.lib.modules.insert(name.to_string(), m.clone());
    Ok(m)
}

/// The names `from module import *` binds, in order.
pub fn star_names(module: &Value) -> Vec<(String, Value)> {
    match super::objects::downcast::<super::objects::module::Module>(module) {
        Some(m) => m.star_names(),
        None => Vec::new(),
    }
}

/// `from module import name`: the attribute, or ImportError in Python's words.
pub fn import_from(vm: &mut Vm<'_>, module: &Value, name: &str) -> PResult<Value> {
    let Some(m) = super::objects::downcast::<super::objects::module::Module>(module) else {
        return Err(Exc::new(
            ExcKind::ImportError,
            format!("cannot import name '{name}'"),
        ));
    };
    if let Some(v) = m.attrs.borrow().get(name) {
        return Ok(v.clone());
    }
    // A submodule (`from os import path`).
    let full = format!("{}.{name}", m.name);
    if super::modules::exists(&full) {
        return import_module(vm, &full);
    }
    Err(Exc::new(
        ExcKind::ImportError,
        format!(
            "cannot import name '{name}' from '{}' (unknown location)",
            m.name
        ),
    ))
}
