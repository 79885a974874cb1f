//! The tree-walking interpreter over the resolved AST.
//!
//! `State` is what persists in a session (globals, builtins, classes); `Vm` borrows it together
//! with the transcript sink for the duration of one run. Locals live in a per-call slot vector,
//! globals and builtins in vectors indexed by interned symbols: no name is looked up by string
//! at run time.

use std::rc::Rc;

use super::ast::*;
use super::builtins;
use super::exceptions::{Exc, ExcKind, PResult, PyExc, TbEntry};
use super::format;
use super::methods;
use super::ops;
use super::source::SourceUnit;
use super::symbols::Interner;
use super::value::{BoundMethod, Class, ClassKind, Dict, ExcObject, Function, TypeTag, Value};
use super::{StopFlag, StopReason, TranscriptSink};

/// CPython's default recursion limit.
pub const DEFAULT_RECURSION_LIMIT: usize = 1000;

/// The builtin classes of a session.
pub struct Types {
    /// Builtin types by tag.
    pub by_tag: Vec<(TypeTag, Rc<Class>)>,
    /// Builtin exception classes, in `ExcKind::ALL` order.
    pub exceptions: Vec<Rc<Class>>,
}

impl Types {
    /// Creates the class objects: `object`, the builtin types, the exception hierarchy.
    pub fn new() -> Types {
        let object = Rc::new(Class {
            name: "object".into(),
            bases: Vec::new(),
            kind: ClassKind::Builtin(TypeTag::Object),
        });
        let mut by_tag = vec![(TypeTag::Object, object.clone())];
        let simple = [
            (TypeTag::NoneType, "NoneType"),
            (TypeTag::Int, "int"),
            (TypeTag::Float, "float"),
            (TypeTag::Str, "str"),
            (TypeTag::Bytes, "bytes"),
            (TypeTag::List, "list"),
            (TypeTag::Tuple, "tuple"),
            (TypeTag::Dict, "dict"),
            (TypeTag::Set, "set"),
            (TypeTag::Range, "range"),
            (TypeTag::Ellipsis, "ellipsis"),
            (TypeTag::Function, "function"),
            (TypeTag::BuiltinFunction, "builtin_function_or_method"),
            (TypeTag::Method, "method"),
            (TypeTag::Type, "type"),
            (TypeTag::Iterator, "iterator"),
            (TypeTag::Native, "object"),
            (TypeTag::ByteArray, "bytearray"),
            (TypeTag::FrozenSet, "frozenset"),
            (TypeTag::Module, "module"),
        ];
        for (tag, name) in simple {
            by_tag.push((
                tag,
                Rc::new(Class {
                    name: name.into(),
                    bases: vec![object.clone()],
                    kind: ClassKind::Builtin(tag),
                }),
            ));
        }
        let int = by_tag
            .iter()
            .find(|(t, _)| *t == TypeTag::Int)
            .map(|(_, c)| c.clone())
            .unwrap_or_else(|| object.clone());
        by_tag.push((
            TypeTag::Bool,
            Rc::new(Class {
                name: "bool".into(),
                bases: vec![int],
                kind: ClassKind::Builtin(TypeTag::Bool),
            }),
        ));
        let mut exceptions: Vec<Rc<Class>> = Vec::new();
        for &kind in ExcKind::ALL {
            let base = match kind.parent() {
                Some(p) => ExcKind::ALL
                    .iter()
                    .position(|k| *k == p)
                    .and_then(|i| exceptions.get(i).cloned())
                    .unwrap_or_else(|| object.clone()),
                None => object.clone(),
            };
            exceptions.push(Rc::new(Class {
                name: kind.name().into(),
                bases: vec![base],
                kind: ClassKind::Exception(kind),
            }));
        }
        Types { by_tag, exceptions }
    }

    /// The class of a builtin type.
    pub fn of_tag(&self, tag: TypeTag) -> Rc<Class> {
        self.by_tag
            .iter()
            .find(|(t, _)| *t == tag)
            .map(|(_, c)| c.clone())
            .unwrap_or_else(|| self.by_tag[0].1.clone())
    }

    /// The class of a builtin exception.
    pub fn exception(&self, kind: ExcKind) -> Rc<Class> {
        let i = ExcKind::ALL.iter().position(|k| *k == kind).unwrap_or(0);
        self.exceptions[i].clone()
    }

    /// `type(v)`.
    pub fn class_of(&self, v: &Value) -> Rc<Class> {
        match v {
            Value::Exception(e) => e.class.clone(),
            _ => self.of_tag(v.type_tag()),
        }
    }
}

impl Default for Types {
    fn default() -> Self {
        Types::new()
    }
}

/// What persists across the runs of a session.
pub struct State {
    /// Symbols of every name seen.
    pub interner: Interner,
    /// Global variables by symbol.
    pub globals: Vec<Option<Value>>,
    /// Builtins by symbol (`_` included, as the console's displayhook keeps it there).
    pub builtins: Vec<Option<Value>>,
    /// The builtin classes.
    pub types: Types,
    /// The runner's stop flag.
    pub stop: StopFlag,
    /// Current Python call depth (module level is 1).
    pub depth: usize,
    /// `sys.getrecursionlimit()`.
    pub recursion_limit: usize,
    /// Truth of the last echoed value in the current console run.
    pub echo_result: Option<bool>,
    /// Symbol of `_`.
    pub underscore: Sym,
    /// The library's per-session state: imported modules, random generator, regex cache.
    pub lib: super::objects::LibState,
}

impl State {
    /// A fresh state with the builtins installed.
    pub fn new(stop: StopFlag) -> State {
        let mut interner = Interner::new();
        let underscore = interner.intern("_");
        let mut st = State {
            interner,
            globals: Vec::new(),
            builtins: Vec::new(),
            types: Types::new(),
            stop,
            depth: 0,
            recursion_limit: DEFAULT_RECURSION_LIMIT,
            echo_result: None,
            underscore,
            lib: Default::default(),
        };
        builtins::install(&mut st);
        super::packets::install(&mut st);
        st
    }

    /// Defines a builtin name.
    pub fn set_builtin(&mut self, name: &str, v: Value) {
        let sym = self.interner.intern(name) as usize;
        if self.builtins.len() <= sym {
            self.builtins.resize(sym + 1, None);
        }
        self.builtins[sym] = Some(v);
    }

    /// Sets a global variable.
    pub fn set_global(&mut self, sym: Sym, v: Value) {
        let i = sym as usize;
        if self.globals.len() <= i {
            self.globals.resize(i + 1, None);
        }
        self.globals[i] = Some(v);
    }
}

/// Control flow out of a statement.
pub enum Flow {
    Normal,
    Break,
    Continue,
    Return(Value),
}

/// A call frame: local slots and the line being run (for tracebacks).
pub struct Frame {
    /// Local variables by slot.
    pub locals: Vec<Option<Value>>,
    /// The file line of the statement being run.
    pub line: u32,
}

/// The interpreter while running: the session's state and where output goes.
pub struct Vm<'a> {
    /// The session state.
    pub st: &'a mut State,
    /// The transcript.
    pub sink: &'a mut dyn TranscriptSink,
    /// The source of the code being run (a `def` records it for its tracebacks).
    pub unit: Rc<SourceUnit>,
}

impl Vm<'_> {
    /// Writes printed text to the transcript.
    pub fn write(&mut self, text: &str) {
        self.sink.write(text);
    }

    /// Writes a `WARNING: msg` line where it happens in the transcript (the packet engine's
    /// logger, as UTScapy shows log records).
    pub fn warning(&mut self, msg: &str) {
        self.sink.write(&format!("WARNING: {msg}\n"));
    }

    /// Runs top-level statements of `unit` (module scope). Errors carry a `<module>` frame.
    pub fn run_module_stmts(&mut self, stmts: &[Stmt], unit: &Rc<SourceUnit>) -> PResult<()> {
        let mut frame = Frame {
            locals: Vec::new(),
            line: 0,
        };
        self.st.depth = 1;
        for s in stmts {
            let r = self.exec(s, &mut frame);
            if let Err(mut e) = r {
                if let Exc::Raise(r) = &mut e {
                    r.tb.push(TbEntry {
                        unit: unit.clone(),
                        line: frame.line,
                        name: Rc::from("<module>"),
                    });
                }
                self.st.depth = 0;
                return Err(e);
            }
        }
        self.st.depth = 0;
        Ok(())
    }

    /// Checks the runner's stop flag (a relaxed atomic load).
    #[inline]
    fn poll_stop(&self) -> PResult<()> {
        match self.st.stop.requested() {
            None => Ok(()),
            Some(StopReason::Timeout) => Err(Exc::Timeout),
            Some(StopReason::Interrupt) => Err(Exc::bare(ExcKind::KeyboardInterrupt)),
        }
    }

    fn exec_block(&mut self, stmts: &[Stmt], frame: &mut Frame) -> PResult<Flow> {
        for s in stmts {
            match self.exec(s, frame)? {
                Flow::Normal => {}
                f => return Ok(f),
            }
        }
        Ok(Flow::Normal)
    }

    fn exec(&mut self, s: &Stmt, frame: &mut Frame) -> PResult<Flow> {
        frame.line = s.line;
        match &s.kind {
            StmtKind::Expr { value, echo } => {
                let v = self.eval(value, frame)?;
                if *echo {
                    self.echo(v)?;
                }
            }
            StmtKind::Assign { targets, value } => {
                let v = self.eval(value, frame)?;
                for t in targets {
                    self.assign(t, v.clone(), frame)?;
                }
            }
            StmtKind::AugAssign { target, op, value } => {
                self.aug_assign(target, *op, value, frame)?
            }
            StmtKind::Del(targets) => {
                for t in targets {
                    self.delete(t, frame)?;
                }
            }
            StmtKind::Pass | StmtKind::Global(_) => {}
            StmtKind::Break => return Ok(Flow::Break),
            StmtKind::Continue => return Ok(Flow::Continue),
            StmtKind::Return(v) => {
                let v = match v {
                    Some(e) => self.eval(e, frame)?,
                    None => Value::None,
                };
                return Ok(Flow::Return(v));
            }
            StmtKind::Raise(v) => {
                return Err(match v {
                    None => Exc::new(ExcKind::RuntimeError, "No active exception to reraise"),
                    Some(e) => {
                        let v = self.eval(e, frame)?;
                        self.make_raise(v)?
                    }
                })
            }
            StmtKind::Assert { test, msg } => {
                if !{
                    let c = self.eval(test, frame)?;
                    self.truthy(&c)?
                } {
                    return Err(match msg {
                        Some(m) => {
                            let m = self.eval(m, frame)?;
                            Exc::with_args(ExcKind::AssertionError, vec![m])
                        }
                        None => Exc::bare(ExcKind::AssertionError),
                    });
                }
            }
            StmtKind::If { branches, orelse } => {
                for (test, body) in branches {
                    let c = self.eval(test, frame)?;
                    if self.truthy(&c)? {
                        return self.exec_block(body, frame);
                    }
                }
                return self.exec_block(orelse, frame);
            }
            StmtKind::While { test, body, orelse } => loop {
                frame.line = s.line;
                if !{
                    let c = self.eval(test, frame)?;
                    self.truthy(&c)?
                } {
                    return self.exec_block(orelse, frame);
                }
                match self.exec_block(body, frame)? {
                    Flow::Break => break,
                    Flow::Return(v) => return Ok(Flow::Return(v)),
                    Flow::Normal | Flow::Continue => {}
                }
                self.poll_stop()?;
            },
            StmtKind::For {
                target,
                iter,
                body,
                orelse,
            } => {
                let it = self.eval(iter, frame)?;
                return self.exec_for(target, it, body, orelse, frame);
            }
            StmtKind::Def(def) => {
                let mut defaults = Vec::new();
                for p in &def.params {
                    if let Some(d) = &p.default {
                        defaults.push(self.eval(d, frame)?);
                    }
                }
                let name = self.st.interner.name_rc(def.name);
                let f = Value::Function(Rc::new(Function {
                    def: def.clone(),
                    defaults,
                    unit: self.current_unit(),
                    name,
                }));
                self.store_name(
                    &Name {
                        sym: def.name,
                        scope: def.name_scope,
                    },
                    f,
                    frame,
                );
            }
        }
        Ok(Flow::Normal)
    }

    /// The iteration protocol for `for`: ranges and lists without materializing.
    fn exec_for(
        &mut self,
        target: &Target,
        it: Value,
        body: &[Stmt],
        orelse: &[Stmt],
        frame: &mut Frame,
    ) -> PResult<Flow> {
        let line = frame.line;
        macro_rules! body {
            ($v:expr) => {{
                self.assign(target, $v, frame)?;
                match self.exec_block(body, frame)? {
                    Flow::Break => return Ok(Flow::Normal),
                    Flow::Return(v) => return Ok(Flow::Return(v)),
                    Flow::Normal | Flow::Continue => {}
                }
                frame.line = line;
                self.poll_stop()?;
            }};
        }
        match &it {
            Value::Range(r) => {
                let n = r.len();
                for i in 0..n {
                    body!(Value::Int(r.get(i)));
                }
            }
            Value::List(l) => {
                // Python's list iterator indexes the live list, seeing appends.
                let mut i = 0;
                loop {
                    let item = {
                        let b = l.borrow();
                        match b.get(i) {
                            Some(v) => v.clone(),
                            None => break,
                        }
                    };
                    i += 1;
                    body!(item);
                }
            }
            Value::Iterator(itr) => loop {
                let item = {
                    let mut b = itr.borrow_mut();
                    let pos = b.pos;
                    match b.items.get(pos).cloned() {
                        Some(v) => {
                            b.pos += 1;
                            v
                        }
                        None => break,
                    }
                };
                body!(item);
            },
            Value::Native(_) | Value::Dict(_) | Value::Set(_) => {
                // Library iterables (lazy iterators, views, files) step one item at a time;
                // dicts and sets too, so a size change during the loop is an error as in Python.
                let itr = self.get_iter(&it)?;
                while let Some(item) = self.next_item(&itr)? {
                    body!(item);
                }
            }
            _ => {
                for item in self.iterate(&it)? {
                    body!(item);
                }
            }
        }
        self.exec_block(orelse, frame)
    }

    /// The console's displayhook: echo the repr, remember it as `_` and as the test result.
    fn echo(&mut self, v: Value) -> PResult<()> {
        if let Value::None = v {
            return Ok(());
        }
        let text = self.repr(&v)?;
        self.write(&text);
        self.write("\n");
        self.st.echo_result = Some(self.truthy(&v)?);
        let u = self.st.underscore as usize;
        if self.st.builtins.len() <= u {
            self.st.builtins.resize(u + 1, None);
        }
        self.st.builtins[u] = Some(v);
        Ok(())
    }

    /// The source unit of the code being run.
    fn current_unit(&self) -> Rc<SourceUnit> {
        self.unit.clone()
    }

    /// `repr(v)`.
    pub fn repr(&mut self, v: &Value) -> PResult<String> {
        format::repr(v)
    }

    /// `str(v)`.
    pub fn str(&mut self, v: &Value) -> PResult<String> {
        format::str(v)
    }

    /// `bool(v)`.
    pub fn truthy(&mut self, v: &Value) -> PResult<bool> {
        Ok(v.truthy())
    }

    /// Turns the operand of `raise` into the exception to raise.
    fn make_raise(&mut self, v: Value) -> PResult<Exc> {
        match v {
            Value::Exception(e) => Ok(Exc::object(e)),
            Value::Class(c) if matches!(c.kind, ClassKind::Exception(_)) => {
                Ok(Exc::object(Rc::new(ExcObject {
                    class: c,
                    args: Vec::new(),
                })))
            }
            _ => Err(Exc::type_error("exceptions must derive from BaseException")),
        }
    }

    fn load_name(&mut self, n: &Name, frame: &Frame) -> PResult<Value> {
        match n.scope {
            Scope::Local(slot) => match frame.locals.get(slot as usize) {
                Some(Some(v)) => Ok(v.clone()),
                _ => Err(Exc::new(
                    ExcKind::UnboundLocalError,
                    format!(
                        "cannot access local variable '{}' where it is not associated with a value",
                        self.st.interner.name(n.sym)
                    ),
                )),
            },
            Scope::Global => {
                let i = n.sym as usize;
                if let Some(Some(v)) = self.st.globals.get(i) {
                    return Ok(v.clone());
                }
                if let Some(Some(v)) = self.st.builtins.get(i) {
                    return Ok(v.clone());
                }
                Err(Exc::new(
                    ExcKind::NameError,
                    format!("name '{}' is not defined", self.st.interner.name(n.sym)),
                ))
            }
        }
    }

    fn store_name(&mut self, n: &Name, v: Value, frame: &mut Frame) {
        match n.scope {
            Scope::Local(slot) => {
                if let Some(s) = frame.locals.get_mut(slot as usize) {
                    *s = Some(v);
                }
            }
            Scope::Global => self.st.set_global(n.sym, v),
        }
    }

    /// Binds `v` to a target.
    fn assign(&mut self, t: &Target, v: Value, frame: &mut Frame) -> PResult<()> {
        match t {
            Target::Name(n) => {
                self.store_name(n, v, frame);
                Ok(())
            }
            Target::Subscript(obj, index) => {
                let o = self.eval(obj, frame)?;
                if let Expr::Slice(parts) = index {
                    let (a, b, c) = self.slice_bounds(parts, frame)?;
                    return ops::set_slice(&o, a, b, c, &v);
                }
                let i = self.eval(index, frame)?;
                ops::set_item(&o, &i, v)
            }
            Target::Attr(obj, name) => {
                let o = self.eval(obj, frame)?;
                if let Value::Native(n) = &o {
                    if let Some(r) = n.0.set_attr(self.st.interner.name(*name), v) {
                        return r;
                    }
                }
                Err(self.no_attribute(&o, *name))
            }
            Target::Seq(targets) => {
                let items = match &v {
                    Value::List(_)
                    | Value::Tuple(_)
                    | Value::Str(_)
                    | Value::Bytes(_)
                    | Value::Dict(_)
                    | Value::Set(_)
                    | Value::Range(_)
                    | Value::Iterator(_)
                    | Value::Native(_) => self.iterate(&v).map_err(|e| {
                        if matches!(v, Value::Native(_)) && super::objects::is_not_iterable(&e) {
                            Exc::type_error(format!(
                                "cannot unpack non-iterable {} object",
                                v.type_name()
                            ))
                        } else {
                            e
                        }
                    })?,
                    _ => {
                        return Err(Exc::type_error(format!(
                            "cannot unpack non-iterable {} object",
                            v.type_name()
                        )))
                    }
                };
                let star = targets.iter().position(|t| matches!(t, Target::Starred(_)));
                match star {
                    None => {
                        if items.len() > targets.len() {
                            return Err(Exc::value_error(format!(
                                "too many values to unpack (expected {})",
                                targets.len()
                            )));
                        }
                        if items.len() < targets.len() {
                            return Err(Exc::value_error(format!(
                                "not enough values to unpack (expected {}, got {})",
                                targets.len(),
                                items.len()
                            )));
                        }
                        for (t, v) in targets.iter().zip(items) {
                            self.assign(t, v, frame)?;
                        }
                    }
                    Some(si) => {
                        let after = targets.len() - si - 1;
                        if items.len() < targets.len() - 1 {
                            return Err(Exc::value_error(format!(
                                "not enough values to unpack (expected at least {}, got {})",
                                targets.len() - 1,
                                items.len()
                            )));
                        }
                        let mut items = items;
                        let tail = items.split_off(items.len() - after);
                        let middle = items.split_off(si);
                        for (t, v) in targets[..si].iter().zip(items) {
                            self.assign(t, v, frame)?;
                        }
                        if let Target::Starred(inner) = &targets[si] {
                            self.assign(inner, Value::list(middle), frame)?;
                        }
                        for (t, v) in targets[si + 1..].iter().zip(tail) {
                            self.assign(t, v, frame)?;
                        }
                    }
                }
                Ok(())
            }
            Target::Starred(inner) => self.assign(inner, v, frame),
        }
    }

    fn aug_assign(
        &mut self,
        t: &Target,
        op: BinOp,
        value: &Expr,
        frame: &mut Frame,
    ) -> PResult<()> {
        match t {
            Target::Name(n) => {
                let cur = self.load_name(n, frame)?;
                let rhs = self.eval(value, frame)?;
                let r = self.inplace(op, cur, &rhs)?;
                self.store_name(n, r, frame);
                Ok(())
            }
            Target::Subscript(obj, index) => {
                let o = self.eval(obj, frame)?;
                if let Expr::Slice(parts) = index {
                    let (a, b, c) = self.slice_bounds(parts, frame)?;
                    let cur = ops::get_slice(&o, a, b, c)?;
                    let rhs = self.eval(value, frame)?;
                    let r = self.inplace(op, cur, &rhs)?;
                    return ops::set_slice(&o, a, b, c, &r);
                }
                let i = self.eval(index, frame)?;
                let cur = ops::get_item(&o, &i)?;
                let rhs = self.eval(value, frame)?;
                let r = self.inplace(op, cur, &rhs)?;
                ops::set_item(&o, &i, r)
            }
            Target::Attr(obj, name) => {
                let o = self.eval(obj, frame)?;
                Err(self.no_attribute(&o, *name))
            }
            _ => Err(Exc::type_error(
                "illegal expression for augmented assignment",
            )),
        }
    }

    /// `a op= b`: lists, sets and dicts are updated in place, as their `__iop__` methods do.
    fn inplace(&mut self, op: BinOp, cur: Value, rhs: &Value) -> PResult<Value> {
        match (&cur, op) {
            (Value::List(l), BinOp::Add) => {
                let items = ops::iterate(rhs)?;
                l.borrow_mut().extend(items);
                Ok(cur)
            }
            (Value::List(l), BinOp::Mul) if ops::index_of(rhs).is_some() => {
                let r = ops::binary(BinOp::Mul, &cur, rhs)?;
                if let Value::List(new) = r {
                    let items = new.borrow().clone();
                    *l.borrow_mut() = items;
                }
                Ok(cur)
            }
            (Value::Set(s), BinOp::BitOr | BinOp::BitAnd | BinOp::Sub | BinOp::BitXor)
                if matches!(rhs, Value::Set(_)) =>
            {
                let r = ops::binary(op, &cur, rhs)?;
                if let Value::Set(new) = r {
                    let d = new.borrow().clone();
                    *s.borrow_mut() = d;
                }
                Ok(cur)
            }
            (Value::Dict(d), BinOp::BitOr) if matches!(rhs, Value::Dict(_)) => {
                if let Value::Dict(other) = rhs {
                    let items: Vec<(Value, Value)> = other
                        .borrow()
                        .iter()
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect();
                    for (k, v) in items {
                        d.borrow_mut().insert(ops::key(&k)?, v);
                    }
                }
                Ok(cur)
            }
            _ => ops::binary(op, &cur, rhs).map_err(|e| fix_inplace_message(e, op)),
        }
    }

    fn delete(&mut self, t: &Target, frame: &mut Frame) -> PResult<()> {
        match t {
            Target::Name(n) => match n.scope {
                Scope::Local(slot) => {
                    let unbound = !matches!(frame.locals.get(slot as usize), Some(Some(_)));
                    if unbound {
                        return Err(Exc::new(
                            ExcKind::UnboundLocalError,
                            format!(
                                "cannot access local variable '{}' where it is not associated with a value",
                                self.st.interner.name(n.sym)
                            ),
                        ));
                    }
                    frame.locals[slot as usize] = None;
                    Ok(())
                }
                Scope::Global => {
                    let i = n.sym as usize;
                    match self.st.globals.get_mut(i) {
                        Some(slot @ Some(_)) => {
                            *slot = None;
                            Ok(())
                        }
                        _ => Err(Exc::new(
                            ExcKind::NameError,
                            format!("name '{}' is not defined", self.st.interner.name(n.sym)),
                        )),
                    }
                }
            },
            Target::Subscript(obj, index) => {
                let o = self.eval(obj, frame)?;
                if let Expr::Slice(parts) = index {
                    let (a, b, c) = self.slice_bounds(parts, frame)?;
                    return ops::del_slice(&o, a, b, c);
                }
                let i = self.eval(index, frame)?;
                ops::del_item(&o, &i)
            }
            Target::Attr(obj, name) => {
                let o = self.eval(obj, frame)?;
                if let Value::Native(n) = &o {
                    if let Some(r) = n.0.del_attr(self.st.interner.name(*name)) {
                        return r;
                    }
                }
                Err(self.no_attribute(&o, *name))
            }
            Target::Seq(ts) => {
                for t in ts {
                    self.delete(t, frame)?;
                }
                Ok(())
            }
            Target::Starred(t) => self.delete(t, frame),
        }
    }

    fn slice_bounds(
        &mut self,
        parts: &[Option<Expr>; 3],
        frame: &mut Frame,
    ) -> PResult<(Option<i64>, Option<i64>, Option<i64>)> {
        let mut out = [None, None, None];
        for (i, p) in parts.iter().enumerate() {
            if let Some(e) = p {
                let v = self.eval(e, frame)?;
                out[i] = ops::slice_bound(&v)?;
            }
        }
        Ok((out[0], out[1], out[2]))
    }

    /// AttributeError for `obj.name`.
    pub fn no_attribute(&self, obj: &Value, name: Sym) -> Exc {
        let attr = self.st.interner.name(name);
        match obj {
            Value::Class(c) => Exc::new(
                ExcKind::AttributeError,
                format!("type object '{}' has no attribute '{}'", c.name, attr),
            ),
            _ => Exc::new(
                ExcKind::AttributeError,
                format!("'{}' object has no attribute '{}'", obj.type_name(), attr),
            ),
        }
    }

    /// Evaluates an expression.
    pub fn eval(&mut self, e: &Expr, frame: &mut Frame) -> PResult<Value> {
        match e {
            Expr::Const(v) => Ok(v.clone()),
            Expr::Name(n) => self.load_name(n, frame),
            Expr::Binary(l, op, r) => {
                let a = self.eval(l, frame)?;
                let b = self.eval(r, frame)?;
                ops::binary(*op, &a, &b)
            }
            Expr::Compare(first, rest) => {
                let mut left = self.eval(first, frame)?;
                for (i, (op, re)) in rest.iter().enumerate() {
                    let right = self.eval(re, frame)?;
                    let ok = self.compare(*op, &left, &right)?;
                    if !ok {
                        return Ok(Value::Bool(false));
                    }
                    if i + 1 < rest.len() {
                        left = right;
                    }
                }
                Ok(Value::Bool(true))
            }
            Expr::Unary(op, x) => {
                let v = self.eval(x, frame)?;
                ops::unary(*op, &v)
            }
            Expr::Not(x) => {
                let v = self.eval(x, frame)?;
                Ok(Value::Bool(!self.truthy(&v)?))
            }
            Expr::And(l, r) => {
                let a = self.eval(l, frame)?;
                if !self.truthy(&a)? {
                    return Ok(a);
                }
                self.eval(r, frame)
            }
            Expr::Or(l, r) => {
                let a = self.eval(l, frame)?;
                if self.truthy(&a)? {
                    return Ok(a);
                }
                self.eval(r, frame)
            }
            Expr::IfExp(parts) => {
                let c = self.eval(&parts[0], frame)?;
                if self.truthy(&c)? {
                    self.eval(&parts[1], frame)
                } else {
                    self.eval(&parts[2], frame)
                }
            }
            Expr::Tuple(items) => Ok(Value::tuple(self.eval_items(items, frame)?)),
            Expr::List(items) => Ok(Value::list(self.eval_items(items, frame)?)),
            Expr::Set(items) => {
                let vals = self.eval_items(items, frame)?;
                let mut d = Dict::new();
                for v in vals {
                    d.insert(ops::key(&v)?, Value::None);
                }
                Ok(Value::Set(Rc::new(std::cell::RefCell::new(d))))
            }
            Expr::Dict(items) => {
                let mut d = Dict::new();
                for item in items {
                    match item {
                        DictItem::Pair(k, v) => {
                            let k = self.eval(k, frame)?;
                            let v = self.eval(v, frame)?;
                            d.insert(ops::key(&k)?, v);
                        }
                        DictItem::Splat(x) => {
                            let m = self.eval(x, frame)?;
                            let Value::Dict(m) = m else {
                                return Err(Exc::type_error(format!(
                                    "'{}' object is not a mapping",
                                    m.type_name()
                                )));
                            };
                            let pairs: Vec<(Value, Value)> = m
                                .borrow()
                                .iter()
                                .map(|(k, v)| (k.clone(), v.clone()))
                                .collect();
                            for (k, v) in pairs {
                                d.insert(ops::key(&k)?, v);
                            }
                        }
                    }
                }
                Ok(Value::Dict(Rc::new(std::cell::RefCell::new(d))))
            }
            Expr::Starred(_) => Err(Exc::new(
                ExcKind::SyntaxError,
                "can't use starred expression here",
            )),
            Expr::Slice(_) => Err(Exc::type_error("slices are only valid inside subscripts")),
            Expr::Subscript(obj, index) => {
                let o = self.eval(obj, frame)?;
                if let Expr::Slice(parts) = &**index {
                    if let Some(r) = super::packets::layer_slice(self, &o, parts, frame) {
                        return r;
                    }
                    let (a, b, c) = self.slice_bounds(parts, frame)?;
                    return ops::get_slice(&o, a, b, c);
                }
                let i = self.eval(index, frame)?;
                ops::get_item(&o, &i)
            }
            Expr::Attr(obj, name) => {
                let o = self.eval(obj, frame)?;
                self.get_attr(o, *name)
            }
            Expr::Call(f, args) => {
                let fv = self.eval(f, frame)?;
                let (pos, kw) = self.eval_args(args, frame)?;
                self.call(&fv, pos, kw)
            }
            Expr::MethodCall(obj, name, args) => {
                let o = self.eval(obj, frame)?;
                let (pos, kw) = self.eval_args(args, frame)?;
                methods::call_method(self, &o, *name, pos, kw)
            }
        }
    }

    fn eval_items(&mut self, items: &[Expr], frame: &mut Frame) -> PResult<Vec<Value>> {
        let mut out = Vec::with_capacity(items.len());
        for it in items {
            if let Expr::Starred(x) = it {
                let v = self.eval(x, frame)?;
                out.extend(self.iterate(&v)?);
            } else {
                out.push(self.eval(it, frame)?);
            }
        }
        Ok(out)
    }

    /// The items of an iterable.
    pub fn iterate(&mut self, v: &Value) -> PResult<Vec<Value>> {
        if let Value::Native(_) = v {
            return self.collect_native(v);
        }
        ops::iterate(v)
    }

    #[allow(clippy::type_complexity)]
    fn eval_args(
        &mut self,
        args: &[Arg],
        frame: &mut Frame,
    ) -> PResult<(Vec<Value>, Vec<(Sym, Value)>)> {
        let mut pos = Vec::with_capacity(args.len());
        let mut kw = Vec::new();
        for a in args {
            match a {
                Arg::Pos(e) => pos.push(self.eval(e, frame)?),
                Arg::Star(e) => {
                    let v = self.eval(e, frame)?;
                    pos.extend(self.iterate(&v)?);
                }
                Arg::Kw(name, e) => kw.push((*name, self.eval(e, frame)?)),
                Arg::DStar(e) => {
                    let v = self.eval(e, frame)?;
                    let Value::Dict(d) = &v else {
                        return Err(Exc::type_error(format!(
                            "argument after ** must be a mapping, not {}",
                            v.type_name()
                        )));
                    };
                    let pairs: Vec<(Value, Value)> = d
                        .borrow()
                        .iter()
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect();
                    for (k, v) in pairs {
                        let Value::Str(s) = &k else {
                            return Err(Exc::type_error("keywords must be strings"));
                        };
                        let sym = self.st.interner.intern(&s.s);
                        kw.push((sym, v));
                    }
                }
            }
        }
        Ok((pos, kw))
    }

    /// A comparison operator.
    pub fn compare(&mut self, op: CmpOp, a: &Value, b: &Value) -> PResult<bool> {
        Ok(match op {
            CmpOp::Eq => ops::eq(a, b),
            CmpOp::Ne => !ops::eq(a, b),
            CmpOp::Is => ops::is(a, b),
            CmpOp::IsNot => !ops::is(a, b),
            CmpOp::In => self.contains(b, a)?,
            CmpOp::NotIn => !self.contains(b, a)?,
            _ => ops::compare(op, a, b)?,
        })
    }

    /// `obj.name` as a value.
    pub fn get_attr(&mut self, o: Value, name: Sym) -> PResult<Value> {
        let attr = self.st.interner.name(name).to_string();
        match (&o, attr.as_str()) {
            (Value::Exception(e), "args") => return Ok(super::objects::exception_args(e)),
            (Value::Class(c), "__name__") => return Ok(Value::str(c.name.clone())),
            (Value::Function(f), "__name__") => return Ok(Value::str(f.name.to_string())),
            (Value::Builtin(b), "__name__") => return Ok(Value::str(b.name)),
            (Value::Range(r), "start") => return Ok(Value::Int(r.start)),
            (Value::Range(r), "stop") => return Ok(Value::Int(r.stop)),
            (Value::Range(r), "step") => return Ok(Value::Int(r.step)),
            (Value::Int(_) | Value::Bool(_) | Value::BigInt(_), "real" | "numerator") => {
                return Ok(match o {
                    Value::Bool(b) => Value::Int(b as i64),
                    _ => o.clone(),
                })
            }
            (Value::Int(_) | Value::Bool(_) | Value::BigInt(_), "imag") => {
                return Ok(Value::Int(0))
            }
            (Value::Int(_) | Value::Bool(_) | Value::BigInt(_), "denominator") => {
                return Ok(Value::Int(1))
            }
            (Value::Float(f), "real") => return Ok(Value::Float(*f)),
            (Value::Float(_), "imag") => return Ok(Value::Float(0.0)),
            (_, "__class__") => return Ok(Value::Class(self.st.types.class_of(&o))),
            (Value::Exception(e), a) => {
                if let Some(v) = super::objects::exception_attr(e, a) {
                    return Ok(v);
                }
            }
            (Value::Native(n), a) => {
                if let Some(r) = n.0.get_attr(self, &o, a) {
                    return r;
                }
            }
            _ => {}
        }
        if methods::has_method(&o, &attr) {
            return Ok(Value::BoundMethod(Rc::new(BoundMethod {
                receiver: o,
                name,
                name_str: Rc::from(attr.as_str()),
            })));
        }
        Err(self.no_attribute(&o, name))
    }

    /// Calls any callable.
    pub fn call(&mut self, f: &Value, pos: Vec<Value>, kw: Vec<(Sym, Value)>) -> PResult<Value> {
        match f {
            Value::Function(func) => self.call_function(func, pos, kw),
            Value::Builtin(b) => (b.func)(self, pos, kw),
            Value::BoundMethod(m) => {
                methods::call_method(self, &m.receiver.clone(), m.name, pos, kw)
            }
            Value::Class(c) => builtins::construct(self, c, pos, kw),
            Value::Native(n) => match n.0.call(self, pos, kw) {
                Some(r) => r,
                None => Err(Exc::type_error(format!(
                    "'{}' object is not callable",
                    f.type_name()
                ))),
            },
            _ => Err(Exc::type_error(format!(
                "'{}' object is not callable",
                f.type_name()
            ))),
        }
    }

    /// Calls a function defined with `def`.
    pub fn call_function(
        &mut self,
        func: &Rc<Function>,
        pos: Vec<Value>,
        kw: Vec<(Sym, Value)>,
    ) -> PResult<Value> {
        self.poll_stop()?;
        if self.st.depth >= self.st.recursion_limit {
            return Err(Exc::new(
                ExcKind::RecursionError,
                "maximum recursion depth exceeded",
            ));
        }
        let def = &func.def;
        let locals = self.bind_args(func, pos, kw)?;
        let mut frame = Frame {
            locals,
            line: def.line,
        };
        self.st.depth += 1;
        let saved_unit = std::mem::replace(&mut self.unit, func.unit.clone());
        let r = self.exec_block(&def.body, &mut frame);
        self.unit = saved_unit;
        self.st.depth -= 1;
        match r {
            Ok(Flow::Return(v)) => Ok(v),
            Ok(_) => Ok(Value::None),
            Err(mut e) => {
                if let Exc::Raise(r) = &mut e {
                    r.tb.push(TbEntry {
                        unit: func.unit.clone(),
                        line: frame.line,
                        name: func.name.clone(),
                    });
                }
                Err(e)
            }
        }
    }

    fn bind_args(
        &mut self,
        func: &Function,
        pos: Vec<Value>,
        kw: Vec<(Sym, Value)>,
    ) -> PResult<Vec<Option<Value>>> {
        let def = &func.def;
        let nparams = def.params.len();
        let mut locals: Vec<Option<Value>> = vec![None; def.nlocals.max(nparams)];
        if pos.len() > nparams {
            let ndef = func.defaults.len();
            let takes = if ndef > 0 {
                format!("from {} to {}", nparams - ndef, nparams)
            } else {
                nparams.to_string()
            };
            let given = pos.len();
            return Err(Exc::type_error(format!(
                "{}() takes {} positional argument{} but {} {} given",
                func.name,
                takes,
                if nparams == 1 && ndef == 0 { "" } else { "s" },
                given,
                if given == 1 { "was" } else { "were" }
            )));
        }
        for (i, v) in pos.into_iter().enumerate() {
            locals[i] = Some(v);
        }
        for (name, v) in kw {
            match def.params.iter().position(|p| p.name == name) {
                Some(i) => {
                    if locals[i].is_some() {
                        return Err(Exc::type_error(format!(
                            "{}() got multiple values for argument '{}'",
                            func.name,
                            self.st.interner.name(name)
                        )));
                    }
                    locals[i] = Some(v);
                }
                None => {
                    return Err(Exc::type_error(format!(
                        "{}() got an unexpected keyword argument '{}'",
                        func.name,
                        self.st.interner.name(name)
                    )))
                }
            }
        }
        let first_default = nparams - func.defaults.len();
        let mut missing = Vec::new();
        for (i, slot) in locals.iter_mut().enumerate().take(nparams) {
            if slot.is_none() {
                if i >= first_default {
                    *slot = Some(func.defaults[i - first_default].clone());
                } else {
                    missing.push(format!("'{}'", self.st.interner.name(def.params[i].name)));
                }
            }
        }
        if !missing.is_empty() {
            let n = missing.len();
            let list = match n {
                1 => missing[0].clone(),
                2 => format!("{} and {}", missing[0], missing[1]),
                _ => format!("{}, and {}", missing[..n - 1].join(", "), missing[n - 1]),
            };
            return Err(Exc::type_error(format!(
                "{}() missing {} required positional argument{}: {}",
                func.name,
                n,
                if n == 1 { "" } else { "s" },
                list
            )));
        }
        Ok(locals)
    }

    /// Creates an exception value of a builtin class (for `except ... as e` and `raise`).
    pub fn exception_value(&self, exc: &PyExc) -> Value {
        match exc {
            PyExc::Object(o) => Value::Exception(o.clone()),
            PyExc::Native { kind, args } => Value::Exception(Rc::new(ExcObject {
                class: self.st.types.exception(*kind),
                args: args.clone(),
            })),
        }
    }
}

fn fix_inplace_message(e: Exc, op: BinOp) -> Exc {
    // `x += "a"` reports the augmented operator: "unsupported operand type(s) for +=".
    if let Exc::Raise(mut r) = e {
        if let PyExc::Native {
            kind: ExcKind::TypeError,
            args,
        } = &mut r.exc
        {
            if let Some(Value::Str(s)) = args.first() {
                let prefix = format!("unsupported operand type(s) for {}:", op.symbol());
                if s.s.starts_with(&prefix) {
                    let sym = if op == BinOp::Pow { "**" } else { op.symbol() };
                    let fixed = s.s.replacen(
                        &prefix,
                        &format!("unsupported operand type(s) for {sym}=:"),
                        1,
                    );
                    args[0] = Value::str(fixed);
                }
            }
        }
        return Exc::Raise(r);
    }
    e
}
