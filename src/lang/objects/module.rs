//! Module objects: a name and an ordered table of attributes.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use crate::lang::exceptions::{Exc, ExcKind, PResult};
use crate::lang::interp::Vm;
use crate::lang::value::{BuiltinDef, Dict, NativeObject, TypeTag, Value};

/// A module: `<module 'time' (built-in)>`.
pub struct Module {
    /// Its dotted name.
    pub name: String,
    /// Its attributes (sorted, as `dir()` lists them).
    pub attrs: RefCell<BTreeMap<String, Value>>,
    /// Names bound by `from m import *` (None: every public name).
    pub all: Option<Vec<&'static str>>,
}

impl Module {
    /// A module with functions from a table and other attributes.
    pub fn new(name: &str, funcs: &'static [BuiltinDef], values: Vec<(&str, Value)>) -> Module {
        let mut attrs = BTreeMap::new();
        for f in funcs {
            attrs.insert(f.name.to_string(), Value::Builtin(f));
        }
        for (k, v) in values {
            attrs.insert(k.to_string(), v);
        }
        Module {
            name: name.to_string(),
            attrs: RefCell::new(attrs),
            all: None,
        }
    }

    /// `vars(module)`.
    pub fn dict(&self) -> PResult<Value> {
        let mut d = Dict::new();
        d.insert(
            crate::lang::ops::key(&Value::str("__name__"))?,
            Value::str(self.name.clone()),
        );
        for (k, v) in self.attrs.borrow().iter() {
            d.insert(crate::lang::ops::key(&Value::str(k.clone()))?, v.clone());
        }
        Ok(Value::Dict(Rc::new(RefCell::new(d))))
    }

    /// The names and values `from m import *` binds.
    pub fn star_names(&self) -> Vec<(String, Value)> {
        let attrs = self.attrs.borrow();
        match &self.all {
            Some(all) => all
                .iter()
                .filter_map(|n| attrs.get(*n).map(|v| (n.to_string(), v.clone())))
                .collect(),
            None => attrs
                .iter()
                .filter(|(k, _)| !k.starts_with('_'))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        }
    }
}

impl NativeObject for Module {
    fn type_name(&self) -> &str {
        "module"
    }
    fn repr(&self) -> String {
        format!("<module '{}' (built-in)>", self.name)
    }
    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }
    fn type_tag(&self) -> TypeTag {
        TypeTag::Module
    }
    fn get_attr(&self, _vm: &mut Vm<'_>, _this: &Value, name: &str) -> Option<PResult<Value>> {
        if let Some(v) = self.attrs.borrow().get(name) {
            return Some(Ok(v.clone()));
        }
        Some(match name {
            "__name__" => Ok(Value::str(self.name.clone())),
            "__dict__" => self.dict(),
            "__doc__" | "__file__" => Ok(Value::None),
            _ => Err(Exc::new(
                ExcKind::AttributeError,
                format!("module '{}' has no attribute '{name}'", self.name),
            )),
        })
    }
    fn set_attr(&self, name: &str, value: Value) -> Option<PResult<()>> {
        self.attrs.borrow_mut().insert(name.to_string(), value);
        Some(Ok(()))
    }
}
