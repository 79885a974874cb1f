//! `bytearray`: a mutable byte string.

use std::cell::RefCell;

use super::{bytes_like, Kw};
use crate::lang::ast::{BinOp, CmpOp};
use crate::lang::exceptions::{Exc, ExcKind, PResult};
use crate::lang::format;
use crate::lang::interp::Vm;
use crate::lang::ops::{self, SliceIdx};
use crate::lang::value::{NativeObject, TypeTag, Value};

/// A bytearray.
pub struct ByteArray {
    /// Its bytes.
    pub data: RefCell<Vec<u8>>,
}

/// A bytearray value.
pub fn new(data: Vec<u8>) -> Value {
    super::native(ByteArray {
        data: RefCell::new(data),
    })
}

/// Mutating methods (the others are the bytes methods).
const MUTATORS: &[&str] = &[
    "append", "clear", "copy", "extend", "insert", "pop", "remove", "reverse",
];

fn all_methods() -> &'static [&'static str] {
    static NAMES: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    NAMES.get_or_init(|| {
        let mut v: Vec<&'static str> = super::bytesmethods::BYTES_METHODS.to_vec();
        v.extend_from_slice(MUTATORS);
        v.sort();
        v
    })
}

/// The method names of bytearray.
pub fn method_names() -> Vec<&'static str> {
    all_methods().to_vec()
}

fn byte_value(v: &Value) -> PResult<u8> {
    match ops::index_of(v) {
        Some(i) if (0..256).contains(&i) => Ok(i as u8),
        Some(_) => Err(Exc::value_error("byte must be in range(0, 256)")),
        None => Err(Exc::type_error(format!(
            "'{}' object cannot be interpreted as an integer",
            v.type_name()
        ))),
    }
}

/// Bytes from an iterable of ints.
pub fn from_iterable(vm: &mut Vm<'_>, v: &Value) -> PResult<Vec<u8>> {
    let mut out = Vec::new();
    for x in vm.iterate(v)? {
        out.push(byte_value(&x)?);
    }
    Ok(out)
}

/// `bytearray(...)`.
pub fn construct(vm: &mut Vm<'_>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    let a = super::parse_args(
        vm,
        "bytearray",
        args,
        kw,
        &["source", "encoding", "errors"],
        0,
    )?;
    let data = match (&a[0], &a[1]) {
        (None, None) => Vec::new(),
        (Some(Value::Str(s)), Some(enc)) => {
            let enc = super::str_arg(enc, "bytearray() argument 'encoding'")?;
            let errors = match &a[2] {
                Some(e) => super::str_arg(e, "bytearray() argument 'errors'")?.to_string(),
                None => "strict".into(),
            };
            crate::lang::builtins::encode(&s.s, enc, &errors)?
        }
        (Some(Value::Str(_)), None) => {
            return Err(Exc::type_error("string argument without an encoding"))
        }
        (_, Some(_)) => return Err(Exc::type_error("encoding without a string argument")),
        (Some(v @ (Value::Int(_) | Value::Bool(_) | Value::BigInt(_))), None) => {
            let n = ops::index_of(v).unwrap_or(0);
            if n < 0 {
                return Err(Exc::value_error("negative count"));
            }
            if n as usize > ops::MAX_SEQ_LEN {
                return Err(Exc::bare(ExcKind::MemoryError));
            }
            vec![0; n as usize]
        }
        (Some(v), None) => match bytes_like(v) {
            Some(b) => b,
            None => from_iterable(vm, v).map_err(|e| {
                if super::is_not_iterable(&e) {
                    Exc::type_error(format!(
                        "cannot convert '{}' object to bytearray",
                        v.type_name()
                    ))
                } else {
                    e
                }
            })?,
        },
    };
    Ok(new(data))
}

impl ByteArray {
    fn index(&self, key: &Value, len: usize) -> PResult<usize> {
        match ops::index_of(key) {
            Some(i) => ops::norm_index(i, len)
                .ok_or_else(|| Exc::new(ExcKind::IndexError, "bytearray index out of range")),
            None => Err(Exc::type_error(format!(
                "bytearray indices must be integers or slices, not {}",
                key.type_name()
            ))),
        }
    }
}

impl NativeObject for ByteArray {
    fn type_name(&self) -> &str {
        "bytearray"
    }
    fn repr(&self) -> String {
        format!("bytearray({})", format::bytes_repr(&self.data.borrow()))
    }
    fn truthy(&self) -> bool {
        !self.data.borrow().is_empty()
    }
    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }
    fn type_tag(&self) -> TypeTag {
        TypeTag::ByteArray
    }
    fn method_names(&self) -> &'static [&'static str] {
        all_methods()
    }
    fn call_method(
        &self,
        vm: &mut Vm<'_>,
        _this: &Value,
        name: &str,
        args: Vec<Value>,
        kw: Kw,
    ) -> Option<PResult<Value>> {
        let want = |n: usize| -> PResult<()> {
            if args.len() != n {
                return Err(Exc::type_error(match n {
                    0 => format!("{name}() takes no arguments ({} given)", args.len()),
                    1 => format!(
                        "bytearray.{name}() takes exactly one argument ({} given)",
                        args.len()
                    ),
                    _ => format!("{name} expected {n} arguments, got {}", args.len()),
                }));
            }
            Ok(())
        };
        let r = match name {
            "append" => want(1).and_then(|_| {
                let b = byte_value(&args[0])?;
                self.data.borrow_mut().push(b);
                Ok(Value::None)
            }),
            "extend" => want(1).and_then(|_| {
                let more = match bytes_like(&args[0]) {
                    Some(b) => b,
                    None => {
                        if let Value::Str(_) = &args[0] {
                            return Err(Exc::type_error(
                                "expected iterable of integers; got: 'str'",
                            ));
                        }
                        from_iterable(vm, &args[0])?
                    }
                };
                self.data.borrow_mut().extend(more);
                Ok(Value::None)
            }),
            "insert" => want(2).and_then(|_| {
                let b = byte_value(&args[1])?;
                let mut d = self.data.borrow_mut();
                let n = d.len() as i64;
                let i = ops::index_of(&args[0]).ok_or_else(|| {
                    Exc::type_error(format!(
                        "'{}' object cannot be interpreted as an integer",
                        args[0].type_name()
                    ))
                })?;
                let i = if i < 0 { (i + n).max(0) } else { i.min(n) } as usize;
                d.insert(i, b);
                Ok(Value::None)
            }),
            "pop" => (|| {
                if args.len() > 1 {
                    return Err(Exc::type_error(format!(
                        "pop expected at most 1 argument, got {}",
                        args.len()
                    )));
                }
                let mut d = self.data.borrow_mut();
                if d.is_empty() {
                    return Err(Exc::new(ExcKind::IndexError, "pop from empty bytearray"));
                }
                let i = match args.first() {
                    Some(v) => ops::index_of(v).unwrap_or(0),
                    None => -1,
                };
                match ops::norm_index(i, d.len()) {
                    Some(i) => Ok(Value::Int(d.remove(i) as i64)),
                    None => Err(Exc::new(ExcKind::IndexError, "pop index out of range")),
                }
            })(),
            "remove" => want(1).and_then(|_| {
                let b = byte_value(&args[0])?;
                let mut d = self.data.borrow_mut();
                match d.iter().position(|&c| c == b) {
                    Some(i) => {
                        d.remove(i);
                        Ok(Value::None)
                    }
                    None => Err(Exc::value_error("value not found in bytearray")),
                }
            }),
            "reverse" => want(0).map(|_| {
                self.data.borrow_mut().reverse();
                Value::None
            }),
            "clear" => want(0).map(|_| {
                self.data.borrow_mut().clear();
                Value::None
            }),
            "copy" => want(0).map(|_| new(self.data.borrow().clone())),
            _ => {
                let data = self.data.borrow().clone();
                super::bytesmethods::call(vm, &data, "bytearray", name, args, kw, &new)
            }
        };
        Some(r)
    }
    fn iter(&self, this: &Value) -> Option<PResult<Value>> {
        Some(Ok(super::iters::make(
            "bytearray_iterator",
            super::iters::IterState::Seq {
                seq: this.clone(),
                pos: 0,
                rev: false,
            },
        )))
    }
    fn len(&self) -> Option<usize> {
        Some(self.data.borrow().len())
    }
    fn contains(&self, item: &Value) -> Option<PResult<bool>> {
        let d = self.data.borrow();
        Some(match ops::index_of(item) {
            Some(i) if (0..256).contains(&i) => Ok(d.contains(&(i as u8))),
            Some(_) => Err(Exc::value_error("byte must be in range(0, 256)")),
            None => match bytes_like(item) {
                Some(n) => Ok(super::bytesmethods::find(&d, &n, false).is_some()),
                None => Err(Exc::type_error(format!(
                    "a bytes-like object is required, not '{}'",
                    item.type_name()
                ))),
            },
        })
    }
    fn get_item(&self, key: &Value) -> Option<PResult<Value>> {
        let d = self.data.borrow();
        Some(self.index(key, d.len()).map(|i| Value::Int(d[i] as i64)))
    }
    fn get_slice(
        &self,
        start: Option<i64>,
        stop: Option<i64>,
        step: Option<i64>,
    ) -> Option<PResult<Value>> {
        let d = self.data.borrow();
        Some(
            SliceIdx::new(start, stop, step, d.len())
                .map(|idx| new(idx.indices().into_iter().map(|i| d[i]).collect())),
        )
    }
    fn set_item(&self, key: &Value, value: Value) -> Option<PResult<()>> {
        Some((|| {
            let b = byte_value(&value)?;
            let mut d = self.data.borrow_mut();
            let i = self.index(key, d.len())?;
            d[i] = b;
            Ok(())
        })())
    }
    fn set_slice(
        &self,
        start: Option<i64>,
        stop: Option<i64>,
        step: Option<i64>,
        value: &Value,
    ) -> Option<PResult<()>> {
        Some((|| {
            let items = match bytes_like(value) {
                Some(b) => b,
                None => {
                    let mut out = Vec::new();
                    for x in ops::iterate(value).map_err(|_| {
                        Exc::type_error(
                            "can assign only bytes, buffers, or iterables of ints in range(0, 256)"
                                .to_string(),
                        )
                    })? {
                        out.push(byte_value(&x)?);
                    }
                    out
                }
            };
            let mut d = self.data.borrow_mut();
            let idx = SliceIdx::new(start, stop, step, d.len())?;
            if idx.step == 1 {
                let s = idx.start as usize;
                let e = idx.stop.max(idx.start) as usize;
                d.splice(s..e, items);
            } else {
                let targets = idx.indices();
                if targets.len() != items.len() {
                    return Err(Exc::value_error(format!(
                        "attempt to assign bytes of size {} to extended slice of size {}",
                        items.len(),
                        targets.len()
                    )));
                }
                for (i, v) in targets.into_iter().zip(items) {
                    d[i] = v;
                }
            }
            Ok(())
        })())
    }
    fn del_item(&self, key: &Value) -> Option<PResult<()>> {
        Some((|| {
            let mut d = self.data.borrow_mut();
            let i = self.index(key, d.len())?;
            d.remove(i);
            Ok(())
        })())
    }
    fn eq(&self, other: &Value) -> Option<bool> {
        Some(bytes_like(other).is_some_and(|o| o == *self.data.borrow()))
    }
    fn hash(&self) -> Option<PResult<i64>> {
        Some(Err(Exc::type_error("unhashable type: 'bytearray'")))
    }
    fn binary(&self, op: BinOp, other: &Value, reflected: bool) -> Option<PResult<Value>> {
        let me = self.data.borrow().clone();
        match op {
            BinOp::Add => {
                let o = match bytes_like(other) {
                    Some(o) => o,
                    None => {
                        return Some(Err(Exc::type_error(if reflected {
                            format!("can't concat bytearray to {}", other.type_name())
                        } else {
                            format!("can't concat {} to bytearray", other.type_name())
                        })))
                    }
                };
                Some(Ok(if reflected {
                    // bytes + bytearray is bytes.
                    let mut v = o;
                    v.extend(me);
                    match other {
                        Value::Bytes(_) => Value::bytes(v),
                        _ => new(v),
                    }
                } else {
                    let mut v = me;
                    v.extend(o);
                    new(v)
                }))
            }
            BinOp::Mul => {
                let n = ops::index_of(other)?;
                let r = ops::binary(BinOp::Mul, &Value::bytes(me), &Value::Int(n));
                Some(r.map(|v| match v {
                    Value::Bytes(b) => new((*b).clone()),
                    o => o,
                }))
            }
            BinOp::Mod if !reflected => {
                let r = crate::lang::printf::format_bytes(&me, other);
                Some(r.map(|v| match v {
                    Value::Bytes(b) => new((*b).clone()),
                    o => o,
                }))
            }
            _ => None,
        }
    }
    fn compare(&self, op: CmpOp, other: &Value) -> Option<PResult<bool>> {
        let o = bytes_like(other)?;
        let me = self.data.borrow().clone();
        Some(ops::compare(op, &Value::bytes(me), &Value::bytes(o)))
    }
}

/// `bytes(x)` for library values: bytearray and iterables of ints.
pub fn to_bytes(vm: &mut Vm<'_>, v: &Value) -> PResult<Vec<u8>> {
    match bytes_like(v) {
        Some(b) => Ok(b),
        None => from_iterable(vm, v).map_err(|e| {
            if super::is_not_iterable(&e) {
                Exc::type_error(format!(
                    "cannot convert '{}' object to bytes",
                    v.type_name()
                ))
            } else {
                e
            }
        }),
    }
}
