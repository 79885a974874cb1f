//! The functions the packet library gives campaigns (`raw`, `rdpcap`, `sr1`, `p0f`,
//! `RandShort`, ...): one native object type for all of them, so that each module writes
//! only what its functions do, not what a function object is (`type()`, `repr()`,
//! `__name__`, calls).

use super::super::ast::Sym;
use super::super::exceptions::PResult;
use super::super::interp::Vm;
use super::super::objects::native;
use super::super::value::{NativeObject, Value};
use super::objects::obj_addr;

/// What a library function runs: the state it is bound to, the interpreter, its name and
/// the call's arguments.
pub type Body<S> =
    fn(&S, &mut Vm<'_>, &'static str, Vec<Value>, Vec<(Sym, Value)>) -> PResult<Value>;

/// A library function, or a Scapy class the library stands in for with a function
/// (`RandShort`, `Net`, `AsyncSniffer`).
pub struct LibFn<S> {
    name: &'static str,
    /// The class's repr, whose `type()` is `type`; `None`: a function.
    class_repr: Option<String>,
    state: S,
    body: Body<S>,
}

impl<S: 'static> LibFn<S> {
    /// `name`, a function.
    pub fn function(name: &'static str, state: S, body: Body<S>) -> Value {
        native(LibFn {
            name,
            class_repr: None,
            state,
            body,
        })
    }

    /// `name`, a class that prints as `repr`.
    pub fn class(name: &'static str, repr: String, state: S, body: Body<S>) -> Value {
        native(LibFn {
            name,
            class_repr: Some(repr),
            state,
            body,
        })
    }
}

impl<S: 'static> NativeObject for LibFn<S> {
    fn type_name(&self) -> &str {
        if self.class_repr.is_some() {
            "type"
        } else {
            "function"
        }
    }
    fn repr(&self) -> String {
        match &self.class_repr {
            Some(r) => r.clone(),
            None => format!("<function {} at {:#x}>", self.name, obj_addr(self)),
        }
    }
    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }
    fn get_attr(&self, _vm: &mut Vm<'_>, _this: &Value, name: &str) -> Option<PResult<Value>> {
        (name == "__name__").then(|| Ok(Value::str(self.name)))
    }
    fn call(
        &self,
        vm: &mut Vm<'_>,
        args: Vec<Value>,
        kw: Vec<(Sym, Value)>,
    ) -> Option<PResult<Value>> {
        Some((self.body)(&self.state, vm, self.name, args, kw))
    }
}
