//! Lazy iterators: `iter()` over the builtin containers (live, as CPython's), `map`, `filter`,
//! `zip`, `enumerate`, `reversed`, `iter(callable, sentinel)`.

use std::cell::RefCell;
use std::rc::Rc;

use num_bigint::BigInt;

use super::{addr, native};
use crate::lang::exceptions::{Exc, ExcKind, PResult};
use crate::lang::interp::Vm;
use crate::lang::ops;
use crate::lang::settable::SharedTable;
use crate::lang::value::{Dict, NativeObject, PyStr, Value};

/// What a dict iterator yields.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum DictPart {
    Keys,
    Values,
    Items,
}

/// The state of a lazy iterator.
pub enum IterState {
    /// A list or bytearray, indexed live (appends during iteration are seen).
    Seq { seq: Value, pos: usize, rev: bool },
    /// A snapshot of items.
    Items { items: Vec<Value>, pos: usize },
    /// A str, by byte offset.
    Str { s: Rc<PyStr>, pos: usize },
    /// A range.
    Range { next: i64, step: i64, left: i64 },
    /// A dict, walking its entry table; `len` detects a size change.
    Dict {
        d: Rc<RefCell<Dict>>,
        part: DictPart,
        pos: usize,
        len: usize,
        rev: bool,
    },
    /// A set or frozenset, walking its table; `len` detects a size change.
    Set {
        t: SharedTable,
        pos: usize,
        len: usize,
    },
    /// `map(func, *iterators)`.
    Map { func: Value, its: Vec<Value> },
    /// `filter(func, iterator)` (None: truth of the items).
    Filter { func: Value, it: Value },
    /// `zip(*iterators, strict=)`.
    Zip { its: Vec<Value>, strict: bool },
    /// `enumerate(iterator, start)`.
    Enumerate { it: Value, n: BigInt },
    /// `iter(callable, sentinel)`.
    Call { func: Value, sentinel: Value },
    /// Exhausted.
    Done,
}

/// A lazy iterator object.
pub struct LazyIter {
    /// The Python type name (`map`, `list_iterator`, ...).
    pub name: &'static str,
    /// Where it is.
    pub state: RefCell<IterState>,
}

/// Makes an iterator value.
pub fn make(name: &'static str, state: IterState) -> Value {
    native(LazyIter {
        name,
        state: RefCell::new(state),
    })
}

/// `iter(v)`.
pub fn get_iter(v: &Value) -> PResult<Value> {
    Ok(match v {
        Value::List(_) => make(
            "list_iterator",
            IterState::Seq {
                seq: v.clone(),
                pos: 0,
                rev: false,
            },
        ),
        Value::Tuple(t) => make(
            "tuple_iterator",
            IterState::Items {
                items: (**t).clone(),
                pos: 0,
            },
        ),
        Value::Str(s) => make(
            if s.ascii {
                "str_ascii_iterator"
            } else {
                "str_iterator"
            },
            IterState::Str {
                s: s.clone(),
                pos: 0,
            },
        ),
        Value::Bytes(b) => make(
            "bytes_iterator",
            IterState::Items {
                items: b.iter().map(|&c| Value::Int(c as i64)).collect(),
                pos: 0,
            },
        ),
        Value::Dict(d) => dict_iter(d, DictPart::Keys, false),
        Value::Set(t) => set_iter(t),
        Value::Range(r) => make(
            "range_iterator",
            IterState::Range {
                next: r.start,
                step: r.step,
                left: r.len(),
            },
        ),
        Value::Iterator(_) => v.clone(),
        Value::Native(n) => match n.0.iter(v) {
            Some(r) => r?,
            None => {
                return Err(Exc::type_error(format!(
                    "'{}' object is not iterable",
                    v.type_name()
                )))
            }
        },
        _ => {
            return Err(Exc::type_error(format!(
                "'{}' object is not iterable",
                v.type_name()
            )))
        }
    })
}

/// An iterator over a set's (or frozenset's) members, in table order.
pub fn set_iter(t: &SharedTable) -> Value {
    let len = t.borrow().len();
    make(
        "set_iterator",
        IterState::Set {
            t: t.clone(),
            pos: 0,
            len,
        },
    )
}

/// An iterator over a dict's entries.
pub fn dict_iter(d: &Rc<RefCell<Dict>>, part: DictPart, rev: bool) -> Value {
    let name = match (part, rev) {
        (DictPart::Keys, false) => "dict_keyiterator",
        (DictPart::Values, false) => "dict_valueiterator",
        (DictPart::Items, false) => "dict_itemiterator",
        (DictPart::Keys, true) => "dict_reversekeyiterator",
        (DictPart::Values, true) => "dict_reversevalueiterator",
        (DictPart::Items, true) => "dict_reverseitemiterator",
    };
    let b = d.borrow();
    make(
        name,
        IterState::Dict {
            d: d.clone(),
            part,
            pos: if rev { b.raw_len() } else { 0 },
            len: b.len(),
            rev,
        },
    )
}

impl LazyIter {
    /// The next item of the iterators that need no interpreter; Err(()) for the others.
    fn step_plain(&self) -> Result<PResult<Option<Value>>, ()> {
        let mut st = self.state.borrow_mut();
        let r = match &mut *st {
            IterState::Done => Ok(None),
            IterState::Seq { seq, pos, rev } => {
                let item = match seq {
                    Value::List(l) => {
                        let l = l.borrow();
                        if *rev {
                            if *pos < l.len() {
                                let i = l.len() - 1 - *pos;
                                Some(l[i].clone())
                            } else {
                                None
                            }
                        } else {
                            l.get(*pos).cloned()
                        }
                    }
                    other => match super::downcast::<super::bytearray::ByteArray>(other) {
                        Some(b) => b.data.borrow().get(*pos).map(|&c| Value::Int(c as i64)),
                        None => None,
                    },
                };
                *pos += 1;
                Ok(item)
            }
            IterState::Items { items, pos } => {
                let item = items.get(*pos).cloned();
                *pos += 1;
                Ok(item)
            }
            IterState::Str { s, pos } => match s.s[*pos..].chars().next() {
                Some(c) => {
                    *pos += c.len_utf8();
                    Ok(Some(Value::str(c.to_string())))
                }
                None => Ok(None),
            },
            IterState::Range { next, step, left } => {
                if *left <= 0 {
                    Ok(None)
                } else {
                    let v = *next;
                    *left -= 1;
                    *next = next.wrapping_add(*step);
                    Ok(Some(Value::Int(v)))
                }
            }
            IterState::Set { t, pos, len } => {
                let t = t.borrow();
                if t.len() != *len {
                    *len = usize::MAX;
                    Err(Exc::new(
                        ExcKind::RuntimeError,
                        "Set changed size during iteration",
                    ))
                } else {
                    let mut found = None;
                    while let Some(slot) = t.raw_entry(*pos) {
                        *pos += 1;
                        if let Some(k) = slot {
                            found = Some(k.clone());
                            break;
                        }
                    }
                    Ok(found)
                }
            }
            IterState::Dict {
                d,
                part,
                pos,
                len,
                rev,
            } => {
                let d = d.borrow();
                if d.len() != *len {
                    *len = usize::MAX;
                    Err(Exc::new(
                        ExcKind::RuntimeError,
                        "dictionary changed size during iteration",
                    ))
                } else {
                    let mut found = None;
                    loop {
                        let idx = if *rev {
                            if *pos == 0 {
                                break;
                            }
                            *pos -= 1;
                            *pos
                        } else {
                            let i = *pos;
                            *pos += 1;
                            i
                        };
                        match d.raw_entry(idx) {
                            None => break,
                            Some(None) => continue,
                            Some(Some((k, v))) => {
                                found = Some(match part {
                                    DictPart::Keys => k.clone(),
                                    DictPart::Values => v.clone(),
                                    DictPart::Items => Value::tuple(vec![k.clone(), v.clone()]),
                                });
                                break;
                            }
                        }
                    }
                    Ok(found)
                }
            }
            _ => return Err(()),
        };
        if let Ok(None) = r {
            *st = IterState::Done;
        }
        Ok(r)
    }
}

fn next_of(vm: &mut Vm<'_>, it: &Value) -> PResult<Option<Value>> {
    vm.next_item(it)
}

impl NativeObject for LazyIter {
    fn type_name(&self) -> &str {
        self.name
    }
    fn repr(&self) -> String {
        format!("<{} object at {:#x}>", self.name, addr(self))
    }
    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }
    fn iter(&self, this: &Value) -> Option<PResult<Value>> {
        Some(Ok(this.clone()))
    }
    fn method_names(&self) -> &'static [&'static str] {
        &["__next__", "__iter__", "__length_hint__"]
    }
    fn call_method(
        &self,
        vm: &mut Vm<'_>,
        this: &Value,
        name: &str,
        _args: Vec<Value>,
        _kw: Vec<(crate::lang::ast::Sym, Value)>,
    ) -> Option<PResult<Value>> {
        match name {
            "__next__" => Some(match self.next(vm) {
                Some(Ok(Some(v))) => Ok(v),
                Some(Ok(None)) => Err(Exc::bare(ExcKind::StopIteration)),
                Some(Err(e)) => Err(e),
                None => Ok(Value::None),
            }),
            "__iter__" => Some(Ok(this.clone())),
            "__length_hint__" => Some(Ok(Value::Int(match &*self.state.borrow() {
                IterState::Items { items, pos } => items.len().saturating_sub(*pos) as i64,
                IterState::Range { left, .. } => *left,
                _ => 0,
            }))),
            _ => None,
        }
    }
    fn items(&self) -> Option<PResult<Vec<Value>>> {
        let mut out = Vec::new();
        loop {
            match self.step_plain() {
                Ok(Ok(Some(v))) => out.push(v),
                Ok(Ok(None)) => return Some(Ok(out)),
                Ok(Err(e)) => return Some(Err(e)),
                Err(()) => {
                    // zip/enumerate/filter(None) over plain iterables need no interpreter;
                    // over user iterators (`__next__`, generator expressions) they do.
                    let needs_vm = |v: &Value| matches!(v, Value::Instance(_) | Value::Special(_));
                    let plain = match &*self.state.borrow() {
                        IterState::Enumerate { it, .. } | IterState::Filter { it, .. } => {
                            !needs_vm(it)
                        }
                        IterState::Zip { its, .. } => !its.iter().any(needs_vm),
                        _ => true,
                    };
                    if !plain {
                        return None;
                    }
                    let st = std::mem::replace(&mut *self.state.borrow_mut(), IterState::Done);
                    return Some(match st {
                        IterState::Enumerate { it, n } => ops::iterate(&it).map(|items| {
                            items
                                .into_iter()
                                .enumerate()
                                .map(|(i, v)| Value::tuple(vec![Value::from_bigint(&n + i), v]))
                                .collect()
                        }),
                        IterState::Zip { its, .. } => (|| {
                            let cols: Vec<Vec<Value>> =
                                its.iter().map(ops::iterate).collect::<PResult<_>>()?;
                            let n = cols.iter().map(|c| c.len()).min().unwrap_or(0);
                            Ok((0..n)
                                .map(|i| Value::tuple(cols.iter().map(|c| c[i].clone()).collect()))
                                .collect())
                        })(),
                        IterState::Filter {
                            func: Value::None,
                            it,
                        } => ops::iterate(&it)
                            .map(|items| items.into_iter().filter(|v| v.truthy()).collect()),
                        other => {
                            *self.state.borrow_mut() = other;
                            return None;
                        }
                    });
                }
            }
        }
    }
    fn next(&self, vm: &mut Vm<'_>) -> Option<PResult<Option<Value>>> {
        if let Ok(r) = self.step_plain() {
            return Some(r);
        }
        // The iterators that run code: take what they need out of the cell first, so the
        // code they run may use this iterator again without a borrow conflict.
        enum Plan {
            Map(Value, Vec<Value>),
            Filter(Value, Value),
            Zip(Vec<Value>, bool),
            Enumerate(Value),
            Call(Value, Value),
        }
        let plan = match &*self.state.borrow() {
            IterState::Map { func, its } => Plan::Map(func.clone(), its.clone()),
            IterState::Filter { func, it } => Plan::Filter(func.clone(), it.clone()),
            IterState::Zip { its, strict } => Plan::Zip(its.clone(), *strict),
            IterState::Enumerate { it, .. } => Plan::Enumerate(it.clone()),
            IterState::Call { func, sentinel } => Plan::Call(func.clone(), sentinel.clone()),
            _ => return Some(Ok(None)),
        };
        let r = (|| -> PResult<Option<Value>> {
            match plan {
                Plan::Map(func, its) => {
                    let mut args = Vec::with_capacity(its.len());
                    for it in &its {
                        match next_of(vm, it)? {
                            Some(v) => args.push(v),
                            None => return Ok(None),
                        }
                    }
                    vm.call(&func, args, Vec::new()).map(Some)
                }
                Plan::Filter(func, it) => loop {
                    let Some(v) = next_of(vm, &it)? else {
                        return Ok(None);
                    };
                    let keep = if let Value::None = func {
                        vm.truthy(&v)?
                    } else {
                        let r = vm.call(&func, vec![v.clone()], Vec::new())?;
                        vm.truthy(&r)?
                    };
                    if keep {
                        return Ok(Some(v));
                    }
                },
                Plan::Zip(its, strict) => {
                    if its.is_empty() {
                        return Ok(None);
                    }
                    let mut row = Vec::with_capacity(its.len());
                    for (i, it) in its.iter().enumerate() {
                        match next_of(vm, it)? {
                            Some(v) => row.push(v),
                            None => {
                                if strict {
                                    if i > 0 {
                                        let s = if i == 1 { "" } else { "s" };
                                        return Err(Exc::value_error(format!(
                                            "zip() argument {} is shorter than argument{s} 1{}",
                                            i + 1,
                                            if i == 1 {
                                                String::new()
                                            } else {
                                                format!("-{i}")
                                            }
                                        )));
                                    }
                                    for (j, other) in its.iter().enumerate().skip(1) {
                                        if next_of(vm, other)?.is_some() {
                                            let s = if j == 1 { "" } else { "s" };
                                            return Err(Exc::value_error(format!(
                                                "zip() argument {} is longer than argument{s} 1{}",
                                                j + 1,
                                                if j == 1 {
                                                    String::new()
                                                } else {
                                                    format!("-{j}")
                                                }
                                            )));
                                        }
                                    }
                                }
                                return Ok(None);
                            }
                        }
                    }
                    Ok(Some(Value::tuple(row)))
                }
                Plan::Enumerate(it) => {
                    let Some(v) = next_of(vm, &it)? else {
                        return Ok(None);
                    };
                    let mut st = self.state.borrow_mut();
                    if let IterState::Enumerate { n, .. } = &mut *st {
                        let i = Value::from_bigint(n.clone());
                        *n += 1;
                        return Ok(Some(Value::tuple(vec![i, v])));
                    }
                    Ok(None)
                }
                Plan::Call(func, sentinel) => {
                    let v = vm.call(&func, Vec::new(), Vec::new())?;
                    if ops::eq(&v, &sentinel) {
                        return Ok(None);
                    }
                    Ok(Some(v))
                }
            }
        })();
        if let Ok(None) = r {
            *self.state.borrow_mut() = IterState::Done;
        }
        Some(r)
    }
}
