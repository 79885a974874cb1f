//! `frozenset`: an immutable, hashable set. Operations borrow the `set` implementation.

use std::cell::RefCell;
use std::rc::Rc;

use crate::lang::ast::{BinOp, CmpOp};
use crate::lang::exceptions::PResult;
use crate::lang::format;
use crate::lang::interp::Vm;
use crate::lang::ops;
use crate::lang::value::{Dict, NativeObject, TypeTag, Value};

/// A frozenset.
pub struct FrozenSet {
    /// Its members (values unused).
    pub items: Rc<RefCell<Dict>>,
}

/// A frozenset of `items`.
pub fn new(items: Vec<Value>) -> PResult<Value> {
    let mut d = Dict::new();
    for v in items {
        d.insert(ops::key(&v)?, Value::None);
    }
    Ok(super::native(FrozenSet {
        items: Rc::new(RefCell::new(d)),
    }))
}

impl FrozenSet {
    /// The members as a (mutable, fresh) set.
    pub fn as_set(&self) -> Value {
        Value::Set(Rc::new(RefCell::new(self.items.borrow().clone())))
    }
}

fn set_of(v: &Value) -> Option<Value> {
    match v {
        Value::Set(_) => Some(v.clone()),
        _ => super::downcast::<FrozenSet>(v).map(|f| f.as_set()),
    }
}

fn freeze(v: Value) -> Value {
    match v {
        Value::Set(d) => super::native(FrozenSet { items: d }),
        o => o,
    }
}

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
        format!(
            "frozenset({})",
            format::repr(&self.as_set()).unwrap_or_default()
        )
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
        if name == "copy" {
            return Some(Ok(this.clone()));
        }
        let set = self.as_set();
        let sym = vm.st.interner.intern(name);
        let r = crate::lang::methods::call_method(vm, &set, sym, args, kw);
        Some(r.map(freeze))
    }
    fn iter(&self, _this: &Value) -> Option<PResult<Value>> {
        Some(Ok(super::iters::dict_iter(
            &self.items,
            super::iters::DictPart::Keys,
            false,
            true,
        )))
    }
    fn items(&self) -> Option<PResult<Vec<Value>>> {
        Some(Ok(self.items.borrow().keys()))
    }
    fn len(&self) -> Option<usize> {
        Some(self.items.borrow().len())
    }
    fn contains(&self, item: &Value) -> Option<PResult<bool>> {
        Some(ops::key(item).map(|k| self.items.borrow().get(&k).is_some()))
    }
    fn eq(&self, other: &Value) -> Option<bool> {
        Some(set_of(other).is_some_and(|o| ops::eq(&self.as_set(), &o)))
    }
    fn hash(&self) -> Option<PResult<i64>> {
        // Order-independent: xor of the members' shuffled hashes (CPython's scheme).
        let mut h: u64 = 0;
        for k in self.items.borrow().keys() {
            let x = match ops::hash_value(&k) {
                Ok(x) => x as u64,
                Err(e) => return Some(Err(e)),
            };
            h ^= ((x ^ 89869747) ^ (x << 16)).wrapping_mul(3644798167);
        }
        let n = self.items.borrow().len() as u64;
        h ^= (n + 1).wrapping_mul(1927868237);
        let r = h as i64;
        Some(Ok(if r == -1 { 590923713 } else { r }))
    }
    fn binary(&self, op: BinOp, other: &Value, reflected: bool) -> Option<PResult<Value>> {
        if !matches!(
            op,
            BinOp::BitAnd | BinOp::BitOr | BinOp::Sub | BinOp::BitXor
        ) {
            return None;
        }
        let o = set_of(other)?;
        let me = self.as_set();
        let r = if reflected {
            ops::binary(op, &o, &me)
        } else {
            ops::binary(op, &me, &o).map(freeze)
        };
        Some(r)
    }
    fn compare(&self, op: CmpOp, other: &Value) -> Option<PResult<bool>> {
        let o = set_of(other)?;
        Some(ops::compare(op, &self.as_set(), &o))
    }
}
