//! Dict views: `d.keys()`, `d.values()`, `d.items()`, live as in CPython, with set operations
//! on keys and items views.

use std::cell::RefCell;
use std::rc::Rc;

use super::iters::{self, DictPart};
use crate::lang::ast::{BinOp, CmpOp};
use crate::lang::exceptions::PResult;
use crate::lang::format;
use crate::lang::ops;
use crate::lang::value::{Dict, NativeObject, Value};

/// A live view of a dict.
pub struct DictView {
    /// The dict.
    pub dict: Rc<RefCell<Dict>>,
    /// Keys, values or items.
    pub part: DictPart,
}

/// Makes a view value.
pub fn view(dict: &Rc<RefCell<Dict>>, part: DictPart) -> Value {
    super::native(DictView {
        dict: dict.clone(),
        part,
    })
}

impl DictView {
    fn snapshot(&self) -> Vec<Value> {
        self.dict
            .borrow()
            .iter()
            .map(|(k, v)| match self.part {
                DictPart::Keys => k.clone(),
                DictPart::Values => v.clone(),
                DictPart::Items => Value::tuple(vec![k.clone(), v.clone()]),
            })
            .collect()
    }

    /// The view as a set (keys and items views only).
    fn as_set(&self) -> PResult<Value> {
        let mut d = Dict::new();
        for v in self.snapshot() {
            d.insert(ops::key(&v)?, Value::None);
        }
        Ok(Value::Set(Rc::new(RefCell::new(d))))
    }
}

/// A set built from any iterable value (plain values only).
fn to_set(v: &Value) -> PResult<Value> {
    if let Value::Set(_) = v {
        return Ok(v.clone());
    }
    let mut d = Dict::new();
    for x in ops::iterate(v)? {
        d.insert(ops::key(&x)?, Value::None);
    }
    Ok(Value::Set(Rc::new(RefCell::new(d))))
}

impl NativeObject for DictView {
    fn type_name(&self) -> &str {
        match self.part {
            DictPart::Keys => "dict_keys",
            DictPart::Values => "dict_values",
            DictPart::Items => "dict_items",
        }
    }
    fn repr(&self) -> String {
        let items = Value::list(self.snapshot());
        format!(
            "{}({})",
            self.type_name(),
            format::repr(&items).unwrap_or_default()
        )
    }
    fn truthy(&self) -> bool {
        !self.dict.borrow().is_empty()
    }
    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }
    fn iter(&self, _this: &Value) -> Option<PResult<Value>> {
        Some(Ok(iters::dict_iter(&self.dict, self.part, false, false)))
    }
    fn items(&self) -> Option<PResult<Vec<Value>>> {
        Some(Ok(self.snapshot()))
    }
    fn len(&self) -> Option<usize> {
        Some(self.dict.borrow().len())
    }
    fn method_names(&self) -> &'static [&'static str] {
        match self.part {
            DictPart::Values => &[],
            _ => &["isdisjoint"],
        }
    }
    fn call_method(
        &self,
        _vm: &mut crate::lang::interp::Vm<'_>,
        _this: &Value,
        name: &str,
        args: Vec<Value>,
        _kw: Vec<(crate::lang::ast::Sym, Value)>,
    ) -> Option<PResult<Value>> {
        match (name, self.part) {
            ("isdisjoint", DictPart::Keys | DictPart::Items) => Some((|| {
                let other = to_set(args.first().unwrap_or(&Value::None))?;
                let inter = ops::binary(BinOp::BitAnd, &self.as_set()?, &other)?;
                Ok(Value::Bool(!inter.truthy()))
            })()),
            _ => None,
        }
    }
    fn contains(&self, item: &Value) -> Option<PResult<bool>> {
        Some((|| {
            let d = self.dict.borrow();
            Ok(match self.part {
                DictPart::Keys => d.get(&ops::key(item)?).is_some(),
                DictPart::Values => d.iter().any(|(_, v)| ops::is(v, item) || ops::eq(v, item)),
                DictPart::Items => match item {
                    Value::Tuple(t) if t.len() == 2 => match ops::key(&t[0]) {
                        Ok(k) => d
                            .get(&k)
                            .is_some_and(|v| ops::is(v, &t[1]) || ops::eq(v, &t[1])),
                        Err(_) => false,
                    },
                    _ => false,
                },
            })
        })())
    }
    fn eq(&self, other: &Value) -> Option<bool> {
        if self.part == DictPart::Values {
            return Some(match other {
                Value::Native(n) => std::ptr::eq(
                    n.0.as_any().map_or(std::ptr::null(), |a| {
                        a as *const dyn std::any::Any as *const u8
                    }),
                    self as *const DictView as *const u8,
                ),
                _ => false,
            });
        }
        let mine = self.as_set().ok()?;
        let theirs = match other {
            Value::Set(_) => other.clone(),
            Value::Native(_) => match super::downcast::<DictView>(other) {
                Some(v) if v.part != DictPart::Values => v.as_set().ok()?,
                _ => match super::downcast::<super::frozenset::FrozenSet>(other) {
                    Some(f) => f.as_set(),
                    None => return Some(false),
                },
            },
            _ => return Some(false),
        };
        Some(ops::eq(&mine, &theirs))
    }
    fn binary(&self, op: BinOp, other: &Value, reflected: bool) -> Option<PResult<Value>> {
        if self.part == DictPart::Values
            || !matches!(
                op,
                BinOp::BitAnd | BinOp::BitOr | BinOp::Sub | BinOp::BitXor
            )
        {
            return None;
        }
        Some((|| {
            let mine = self.as_set()?;
            let theirs = match super::downcast::<DictView>(other) {
                Some(v) => v.as_set()?,
                None => to_set(other)?,
            };
            if reflected {
                ops::binary(op, &theirs, &mine)
            } else {
                ops::binary(op, &mine, &theirs)
            }
        })())
    }
    fn compare(&self, op: CmpOp, other: &Value) -> Option<PResult<bool>> {
        if self.part == DictPart::Values {
            return None;
        }
        Some((|| {
            let theirs = match super::downcast::<DictView>(other) {
                Some(v) => v.as_set()?,
                None => to_set(other)?,
            };
            ops::compare(op, &self.as_set()?, &theirs)
        })())
    }
}
