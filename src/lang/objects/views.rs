//! Dict views: `d.keys()`, `d.values()`, `d.items()`, live as in CPython, with set operations
//! on keys and items views.

use std::cell::RefCell;
use std::rc::Rc;

use super::iters::{self, DictPart};
use crate::lang::ast::{BinOp, CmpOp};
use crate::lang::exceptions::PResult;
use crate::lang::format;
use crate::lang::ops;
use crate::lang::settable::{self, SetTable};
use crate::lang::value::{Dict, HashKey, NativeObject, Value};

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

    /// The view as a set, as CPython's view operators make it: a keys view from its dict
    /// (sized once), an items view item by item.
    fn as_table(&self) -> PResult<SetTable> {
        let items = self.snapshot();
        let keys = items.iter().map(ops::key).collect::<PResult<Vec<_>>>()?;
        if self.part == DictPart::Keys {
            let mut t = SetTable::new();
            t.merge_dict_keys(keys.len(), keys);
            return Ok(t);
        }
        Ok(SetTable::from_keys(keys))
    }

    fn as_set(&self) -> PResult<Value> {
        Ok(settable::set_value(self.as_table()?, false))
    }

    /// The view's items as a list (what iterating it gives).
    fn snapshot_value(&self) -> Value {
        Value::list(self.snapshot())
    }

    /// `view & other`: a set at least as big as the view is asked for its intersection with
    /// the view; otherwise the smaller of two views, or the other iterable, is walked.
    fn intersect(&self, other: &Value) -> PResult<Value> {
        let n = self.dict.borrow().len();
        if let Value::Set(t) = other {
            if n <= t.borrow().len() {
                let keys = self
                    .snapshot()
                    .iter()
                    .map(ops::key)
                    .collect::<PResult<_>>()?;
                let r = SetTable::intersection_iter(&t.borrow(), keys);
                return Ok(settable::set_value(r, false));
            }
        }
        let (walked, member): (Vec<Value>, &DictView) = match super::downcast::<DictView>(other) {
            Some(v) if v.part != DictPart::Values && v.dict.borrow().len() > n => {
                (self.snapshot(), v)
            }
            _ => (ops::iterate(other)?, self),
        };
        let mut keys = Vec::new();
        for x in walked {
            if member.has(&x) {
                keys.push(ops::key(&x)?);
            }
        }
        Ok(settable::set_value(SetTable::from_keys(keys), false))
    }

    /// Whether `item` is in the view (a key, or a `(key, value)` pair of the dict).
    fn has(&self, item: &Value) -> bool {
        let d = self.dict.borrow();
        match self.part {
            DictPart::Keys => ops::key(item).is_ok_and(|k| d.get(&k).is_some()),
            DictPart::Values => d.iter().any(|(_, v)| ops::is(v, item) || ops::eq(v, item)),
            DictPart::Items => match item {
                Value::Tuple(t) if t.len() == 2 => ops::key(&t[0]).is_ok_and(|k| {
                    d.get(&k)
                        .is_some_and(|v| ops::is(v, &t[1]) || ops::eq(v, &t[1]))
                }),
                _ => false,
            },
        }
    }
}

/// `set(v)` for a plain value: a set's copy, a dict's keys (sized once), else item by item.
fn to_table(v: &Value) -> PResult<SetTable> {
    if let Some(t) = settable::table_of(v) {
        return Ok(t.borrow().copy());
    }
    let keys = keys_plain(v)?;
    if let Value::Dict(_) = v {
        let mut t = SetTable::new();
        t.merge_dict_keys(keys.len(), keys);
        return Ok(t);
    }
    Ok(SetTable::from_keys(keys))
}

/// The members of a plain iterable, hashed (a set's in table order).
fn keys_plain(v: &Value) -> PResult<Vec<HashKey>> {
    if let Some(t) = settable::table_of(v) {
        return Ok(t.borrow().entries());
    }
    ops::iterate(v)?.iter().map(ops::key).collect()
}

/// A set built from any iterable value (plain values only).
fn to_set(v: &Value) -> PResult<Value> {
    if let Value::Set(_) = v {
        return Ok(v.clone());
    }
    Ok(settable::set_value(to_table(v)?, false))
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
        Some(Ok(iters::dict_iter(&self.dict, self.part, false)))
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
        // An unhashable key is an error, as in CPython.
        let key = match (self.part, item) {
            (DictPart::Keys, _) => Some(item),
            (DictPart::Items, Value::Tuple(t)) if t.len() == 2 => Some(&t[0]),
            _ => None,
        };
        if let Some(Err(e)) = key.map(ops::key) {
            return Some(Err(e));
        }
        Some(Ok(self.has(item)))
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
                _ if settable::table_of(other).is_some() => other.clone(),
                _ => return Some(false),
            },
            _ => return Some(false),
        };
        Some(ops::eq(&mine, &theirs))
    }
    /// The set operators of keys and items views, as CPython computes them: `|`, `-` and `^`
    /// start from the left operand as a set; `&` walks the smaller side.
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
            if op == BinOp::BitAnd {
                return self.intersect(other);
            }
            let (mut r, right) = if reflected {
                (to_table(other)?, self.snapshot_value())
            } else {
                (self.as_table()?, other.clone())
            };
            match op {
                BinOp::BitOr => match settable::table_of(&right) {
                    Some(t) => r.merge(&t.borrow()),
                    None => {
                        for k in keys_plain(&right)? {
                            r.insert(k);
                        }
                    }
                },
                BinOp::Sub => r.difference_update(keys_plain(&right)?),
                _ => {
                    let keys = match (&right, settable::table_of(&right)) {
                        (Value::Dict(_), _) | (_, Some(_)) => keys_plain(&right)?,
                        _ => SetTable::from_keys(keys_plain(&right)?).entries(),
                    };
                    r.symmetric_difference_update(keys);
                }
            }
            Ok(settable::set_value(r, false))
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
