//! `frozenset`: an immutable, hashable set. It shares the set's table (`lang::settable`) and
//! methods; the operations give a frozenset when it is the left operand.

use crate::lang::ast::{BinOp, CmpOp};
use crate::lang::exceptions::PResult;
use crate::lang::format;
use crate::lang::interp::Vm;
use crate::lang::ops;
use crate::lang::settable::{self, SetTable, SharedTable};
use crate::lang::value::{NativeObject, TypeTag, Value};

/// A frozenset.
pub struct FrozenSet {
    /// Its members.
    pub items: SharedTable,
}

/// A frozenset value over `items`.
pub fn from_table(items: SharedTable) -> Value {
    super::native(FrozenSet { items })
}

/// `frozenset(iterable)`.
pub fn new(vm: &mut Vm<'_>, source: Option<&Value>) -> PResult<Value> {
    Ok(settable::set_value(settable::build(vm, source)?, true))
}

impl FrozenSet {
    /// The frozenset as a value sharing this table (for operations that take values).
    fn value(&self) -> Value {
        from_table(self.items.clone())
    }
}

/// The methods of frozenset (the set methods that do not change it).
const METHODS: &[&str] = &[
    "copy",
    "difference",
    "intersection",
    "isdisjoint",
    "issubset",
    "issuperset",
    "symmetric_difference",
    "union",
];

impl NativeObject for FrozenSet {
    fn type_name(&self) -> &str {
        "frozenset"
    }
    fn repr(&self) -> String {
        if self.items.borrow().is_empty() {
            return "frozenset()".into();
        }
        let inner = Value::Set(self.items.clone());
        format!("frozenset({})", format::repr(&inner).unwrap_or_default())
    }
    fn truthy(&self) -> bool {
        !self.items.borrow().is_empty()
    }
    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }
    fn type_tag(&self) -> TypeTag {
        TypeTag::FrozenSet
    }
    fn method_names(&self) -> &'static [&'static str] {
        METHODS
    }
    fn call_method(
        &self,
        vm: &mut Vm<'_>,
        this: &Value,
        name: &str,
        args: Vec<Value>,
        kw: Vec<(crate::lang::ast::Sym, Value)>,
    ) -> Option<PResult<Value>> {
        if !METHODS.contains(&name) {
            return None;
        }
        if !kw.is_empty() {
            return Some(Err(crate::lang::exceptions::Exc::type_error(format!(
                "frozenset.{name}() takes no keyword arguments"
            ))));
        }
        Some(crate::lang::methods::set_method(vm, this, name, args))
    }
    fn iter(&self, _this: &Value) -> Option<PResult<Value>> {
        Some(Ok(super::iters::set_iter(&self.items)))
    }
    fn items(&self) -> Option<PResult<Vec<Value>>> {
        Some(Ok(self.items.borrow().keys()))
    }
    fn len(&self) -> Option<usize> {
        Some(self.items.borrow().len())
    }
    fn contains(&self, item: &Value) -> Option<PResult<bool>> {
        Some(ops::key(item).map(|k| self.items.borrow().contains(&k)))
    }
    fn eq(&self, other: &Value) -> Option<bool> {
        Some(settable::table_of(other).is_some_and(|o| {
            let (x, y) = (self.items.borrow(), o.borrow());
            SetTable::equal(&x, &y)
        }))
    }
    fn hash(&self) -> Option<PResult<i64>> {
        Some(Ok(self.items.borrow().frozen_hash()))
    }
    fn binary(&self, op: BinOp, other: &Value, reflected: bool) -> Option<PResult<Value>> {
        let me = self.value();
        let r = if reflected {
            settable::binary(op, other, &me)
        } else {
            settable::binary(op, &me, other)
        };
        r.map(Ok)
    }
    fn compare(&self, op: CmpOp, other: &Value) -> Option<PResult<bool>> {
        let o = settable::table_of(other)?;
        let (x, y) = (self.items.borrow(), o.borrow());
        Some(Ok(SetTable::compare(op, &x, &y)))
    }
}
