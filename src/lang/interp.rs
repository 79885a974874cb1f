//! The tree-walking interpreter over the resolved AST.
//!
//! `State` is what persists in a session (globals, builtins, classes); `Vm` borrows it together
//! with the transcript sink for the duration of one run. Locals live in a per-call slot vector,
//! closure variables in shared cells, globals and builtins in vectors indexed by interned
//! symbols: no name is looked up by string at run time.
//!
//! Classes, instances and special methods are in `classes.rs`; statements that bind or unwind
//! (try, with, raise, class, import) are here.

use std::cell::RefCell;
use std::rc::Rc;

use super::ast::*;
use super::builtins;
use super::classes::{self, Syms};
use super::exceptions::{Exc, ExcKind, PResult, PyExc, Raised, TbEntry};
use super::format;
use super::methods;
use super::ops;
use super::source::SourceUnit;
use super::symbols::Interner;
use super::value::{
    CellRef, Class, ClassKind, Dict, ExcObject, Function, IterObj, Special, SymMap, TypeTag, Value,
};
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
        let object = Rc::new(Class::builtin(
            "object",
            Vec::new(),
            ClassKind::Builtin(TypeTag::Object),
        ));
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
            (TypeTag::Property, "property"),
            (TypeTag::StaticMethod, "staticmethod"),
            (TypeTag::ClassMethod, "classmethod"),
            (TypeTag::Super, "super"),
            (TypeTag::Slice, "slice"),
            (TypeTag::NotImplementedType, "NotImplementedType"),
            (TypeTag::Generator, "generator"),
        ];
        for (tag, name) in simple {
            by_tag.push((
                tag,
                Rc::new(Class::builtin(
                    name,
                    vec![object.clone()],
                    ClassKind::Builtin(tag),
                )),
            ));
        }
        let int = by_tag
            .iter()
            .find(|(t, _)| *t == TypeTag::Int)
            .map(|(_, c)| c.clone())
            .unwrap_or_else(|| object.clone());
        by_tag.push((
            TypeTag::Bool,
            Rc::new(Class::builtin(
                "bool",
                vec![int],
                ClassKind::Builtin(TypeTag::Bool),
            )),
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
            exceptions.push(Rc::new(Class::builtin(
                kind.name(),
                vec![base],
                ClassKind::Exception(kind),
            )));
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
            Value::Instance(i) => i.class.clone(),
            Value::Native(n) => match n.0.user_class() {
                Some(c) => c,
                None => self.of_tag(v.type_tag()),
            },
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
    /// Symbols of the special method names.
    pub syms: Syms,
    /// The exceptions being handled (`except` blocks being run), innermost last.
    pub handling: Vec<Rc<ExcObject>>,
    /// The `NotImplemented` singleton.
    pub not_implemented: Value,
    /// The library's per-session state: imported modules, random generator, regex cache.
    pub lib: super::objects::LibState,
    /// Emptied local-slot vectors of returned calls, reused by the next calls so a call does
    /// not pay an allocation (bounded by [`LOCALS_POOL_MAX`]).
    pub locals_pool: Vec<Vec<Option<Value>>>,
}

/// How many emptied local-slot vectors a session keeps for reuse (deeper recursion allocates).
const LOCALS_POOL_MAX: usize = 64;

impl State {
    /// A fresh state with the builtins installed.
    pub fn new(stop: StopFlag) -> State {
        let mut interner = Interner::new();
        let underscore = interner.intern("_");
        let syms = Syms::new(&mut interner);
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
            syms,
            handling: Vec::new(),
            not_implemented: Value::Special(Rc::new(Special::NotImplemented)),
            lib: Default::default(),
            locals_pool: Vec::new(),
        };
        builtins::install(&mut st);
        classes::install(&mut st);
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

/// A call frame: local slots, closure cells and the line being run (for tracebacks).
#[derive(Default)]
pub struct Frame {
    /// Local variables by slot.
    pub locals: Vec<Option<Value>>,
    /// The file line of the statement being run.
    pub line: u32,
    /// Closure cells: the scope's own, then the free variables it captured.
    pub cells: Vec<CellRef>,
    /// How many of `cells` the scope owns (for the error naming an unbound one).
    pub ncells: usize,
    /// The namespace of a class body being run.
    pub class_ns: Option<Rc<RefCell<SymMap>>>,
    /// The function being run (zero-argument `super()` needs its class and first argument).
    pub func: Option<Rc<Function>>,
}

impl Frame {
    /// A frame for a scope with `layout`, capturing `closure`.
    fn for_scope(layout: &ScopeLayout, closure: &[CellRef], line: u32) -> Frame {
        Frame::with_locals(layout, closure, line, vec![None; layout.nlocals])
    }

    /// A frame whose local slots are `locals`.
    fn with_locals(
        layout: &ScopeLayout,
        closure: &[CellRef],
        line: u32,
        locals: Vec<Option<Value>>,
    ) -> Frame {
        let mut cells = Vec::with_capacity(layout.ncells + closure.len());
        for _ in 0..layout.ncells {
            cells.push(Rc::new(RefCell::new(None)));
        }
        cells.extend(closure.iter().cloned());
        Frame {
            locals,
            line,
            cells,
            ncells: layout.ncells,
            class_ns: None,
            func: None,
        }
    }
}

/// The state of a generator expression iterated lazily.
pub struct GenState {
    /// The comprehension.
    pub comp: Rc<Comp>,
    /// Its frame.
    pub frame: Frame,
    /// The iterators of the `for` clauses entered so far.
    pub iters: Vec<PyIter>,
    /// Where it was written (for tracebacks).
    pub unit: Rc<SourceUnit>,
    /// Whether it is exhausted.
    pub done: bool,
}

/// A Rust-side iterator over any iterable value (the `for` loop and builtins drive it).
pub enum PyIter {
    /// `range` without materializing.
    Range { next: i64, step: i64, left: i64 },
    /// A live list (sees appends, as Python's list iterator does).
    List(Rc<RefCell<Vec<Value>>>, usize),
    /// Materialized items.
    Items(std::vec::IntoIter<Value>),
    /// An iterator object of the builtins.
    Obj(Rc<RefCell<IterObj>>),
    /// An object with `__next__`.
    User(Value),
    /// A generator expression.
    Gen(Rc<Special>),
    /// The old sequence protocol: `__getitem__(0)`, `__getitem__(1)`, ... until IndexError.
    GetItem(Value, i64),
    /// A library iterator object (lazy `map`/`zip`/..., dict and set iterators, views, files):
    /// stepped through `NativeObject::next`.
    Native(Value),
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
        let mut frame = Frame::default();
        self.st.depth = 1;
        self.st.handling.clear();
        for s in stmts {
            let r = self.exec(s, &mut frame);
            if let Err(mut e) = r {
                push_frame(&mut e, unit, frame.line, "<module>");
                self.st.depth = 0;
                return Err(e);
            }
        }
        self.st.depth = 0;
        Ok(())
    }

    /// Checks the runner's stop flag (a relaxed atomic load).
    #[inline]
    pub fn poll_stop(&self) -> PResult<()> {
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

    /// Runs a statement. A thin dispatcher, as [`Vm::eval`]: the statements loops run most
    /// have functions of their own, the rest share `exec_other`.
    fn exec(&mut self, s: &Stmt, frame: &mut Frame) -> PResult<Flow> {
        frame.line = s.line;
        match &s.kind {
            StmtKind::Assign { targets, value } => self.exec_assign(targets, value, frame),
            StmtKind::AugAssign { target, op, value } => {
                self.exec_aug_assign(target, *op, value, frame)
            }
            StmtKind::Expr { value, echo } => self.exec_expr(value, *echo, frame),
            StmtKind::If { branches, orelse } => self.exec_if(branches, orelse, frame),
            StmtKind::Return(v) => self.exec_return(v.as_ref(), frame),
            StmtKind::For {
                target,
                iter,
                body,
                orelse,
            } => self.exec_for_stmt(target, iter, body, orelse, frame),
            _ => self.exec_other(s, frame),
        }
    }

    #[inline(never)]
    fn exec_assign(
        &mut self,
        targets: &[Target],
        value: &Expr,
        frame: &mut Frame,
    ) -> PResult<Flow> {
        let v = self.eval_leaf(value, frame)?;
        if let [t] = targets {
            self.assign(t, v, frame)?;
        } else {
            for t in targets {
                self.assign(t, v.clone(), frame)?;
            }
        }
        Ok(Flow::Normal)
    }

    #[inline(never)]
    fn exec_aug_assign(
        &mut self,
        target: &Target,
        op: BinOp,
        value: &Expr,
        frame: &mut Frame,
    ) -> PResult<Flow> {
        self.aug_assign(target, op, value, frame)?;
        Ok(Flow::Normal)
    }

    #[inline(never)]
    fn exec_expr(&mut self, value: &Expr, echo: bool, frame: &mut Frame) -> PResult<Flow> {
        let v = self.eval(value, frame)?;
        if echo {
            self.echo(v)?;
        }
        Ok(Flow::Normal)
    }

    #[inline(never)]
    fn exec_if(
        &mut self,
        branches: &[(Expr, Vec<Stmt>)],
        orelse: &[Stmt],
        frame: &mut Frame,
    ) -> PResult<Flow> {
        for (test, body) in branches {
            if self.eval_cond(test, frame)? {
                return self.exec_block(body, frame);
            }
        }
        self.exec_block(orelse, frame)
    }

    #[inline(never)]
    fn exec_return(&mut self, value: Option<&Expr>, frame: &mut Frame) -> PResult<Flow> {
        Ok(Flow::Return(match value {
            Some(e) => self.eval_leaf(e, frame)?,
            None => Value::None,
        }))
    }

    #[inline(never)]
    fn exec_for_stmt(
        &mut self,
        target: &Target,
        iter: &Expr,
        body: &[Stmt],
        orelse: &[Stmt],
        frame: &mut Frame,
    ) -> PResult<Flow> {
        let it = self.eval(iter, frame)?;
        self.exec_for(target, it, body, orelse, frame)
    }

    /// The statements loops run less often.
    #[inline(never)]
    fn exec_other(&mut self, s: &Stmt, frame: &mut Frame) -> PResult<Flow> {
        match &s.kind {
            StmtKind::Assign { targets, value } => return self.exec_assign(targets, value, frame),
            StmtKind::AugAssign { target, op, value } => {
                self.aug_assign(target, *op, value, frame)?
            }
            StmtKind::Expr { value, echo } => return self.exec_expr(value, *echo, frame),
            StmtKind::Del(targets) => {
                for t in targets {
                    self.delete(t, frame)?;
                }
            }
            StmtKind::Pass | StmtKind::Global(_) | StmtKind::Nonlocal(_) => {}
            StmtKind::Break => return Ok(Flow::Break),
            StmtKind::Continue => return Ok(Flow::Continue),
            StmtKind::Return(v) => return self.exec_return(v.as_ref(), frame),
            StmtKind::Raise { exc, cause } => return Err(self.raise(exc, cause, frame)?),
            StmtKind::Assert { test, msg } => {
                if !self.eval_cond(test, frame)? {
                    return Err(match msg {
                        Some(m) => {
                            let m = self.eval(m, frame)?;
                            Exc::with_args(ExcKind::AssertionError, vec![m])
                        }
                        None => Exc::bare(ExcKind::AssertionError),
                    });
                }
            }
            StmtKind::If { branches, orelse } => return self.exec_if(branches, orelse, frame),
            StmtKind::While { test, body, orelse } => loop {
                frame.line = s.line;
                if !self.eval_cond(test, frame)? {
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
            } => return self.exec_for_stmt(target, iter, body, orelse, frame),
            StmtKind::Def(def) => {
                let mut f = self.make_function(def, frame)?;
                for d in def.decorators.iter().rev() {
                    let dv = self.eval(d, frame)?;
                    f = self.call(&dv, vec![f], Vec::new())?;
                }
                self.store_name(
                    &Name {
                        sym: def.name,
                        scope: def.name_scope,
                    },
                    f,
                    frame,
                )?;
            }
            StmtKind::Class(cdef) => {
                let c = self.exec_class(cdef, frame)?;
                self.store_name(
                    &Name {
                        sym: cdef.name,
                        scope: cdef.name_scope,
                    },
                    c,
                    frame,
                )?;
            }
            StmtKind::Try {
                body,
                handlers,
                orelse,
                finalbody,
            } => return self.exec_try(body, handlers, orelse, finalbody, frame),
            StmtKind::With { items, body } => return self.exec_with(items, 0, body, frame),
            StmtKind::Import(aliases) => {
                for a in aliases {
                    let m = super::import_hook::import_module(self, &a.module)?;
                    if let Value::None = m {
                        continue; // A module accepted as a no-op binds nothing.
                    }
                    let bound = if a.has_as || !a.module.contains('.') {
                        m
                    } else {
                        let top = a.module.split('.').next().unwrap_or_default().to_string();
                        super::import_hook::import_module(self, &top)?
                    };
                    self.store_name(&a.target, bound, frame)?;
                }
            }
            StmtKind::ImportFrom { module, names } => self.import_from(module, names, frame)?,
        }
        Ok(Flow::Normal)
    }

    /// `from module import names` (`names` None: `*`).
    #[inline(never)]
    fn import_from(
        &mut self,
        module: &str,
        names: &Option<Vec<(Sym, Name)>>,
        frame: &mut Frame,
    ) -> PResult<()> {
        if module.starts_with('.') {
            return Err(Exc::new(
                ExcKind::ImportError,
                "attempted relative import with no known parent package",
            ));
        }
        let m = super::import_hook::import_module(self, module)?;
        let cannot = |vm: &Vm<'_>, name: Sym| {
            Exc::new(
                ExcKind::ImportError,
                format!(
                    "cannot import name '{}' from '{}' (unknown location)",
                    vm.st.interner.name(name),
                    module
                ),
            )
        };
        match names {
            None => {
                if let Value::None = m {
                    return Ok(());
                }
                // The module's public names (`__all__` when it has one), in order.
                for (k, v) in super::import_hook::star_names(&m) {
                    let sym = self.st.interner.intern(&k);
                    self.st.set_global(sym, v);
                }
                Ok(())
            }
            Some(list) => {
                for (name, target) in list {
                    let v = if let Value::None = m {
                        // Everything is already in the session's namespace.
                        let i = *name as usize;
                        match (self.st.globals.get(i), self.st.builtins.get(i)) {
                            (Some(Some(v)), _) | (_, Some(Some(v))) => v.clone(),
                            _ => return Err(cannot(self, *name)),
                        }
                    } else if super::objects::downcast::<super::objects::module::Module>(&m)
                        .is_some()
                    {
                        let n = self.st.interner.name(*name).to_string();
                        super::import_hook::import_from(self, &m, &n)?
                    } else {
                        match self.get_attr(m.clone(), *name) {
                            Ok(v) => v,
                            Err(Exc::Timeout) => return Err(Exc::Timeout),
                            Err(_) => return Err(cannot(self, *name)),
                        }
                    };
                    self.store_name(target, v, frame)?;
                }
                Ok(())
            }
        }
    }

    /// Creates the function object of a `def` or `lambda`.
    fn make_function(&mut self, def: &Rc<FuncDef>, frame: &mut Frame) -> PResult<Value> {
        let mut defaults = Vec::new();
        for p in &def.params {
            if let Some(d) = &p.default {
                defaults.push(self.eval(d, frame)?);
            }
        }
        let mut kwdefaults = Vec::with_capacity(def.kwonly.len());
        for p in &def.kwonly {
            kwdefaults.push(match &p.default {
                Some(d) => Some(self.eval(d, frame)?),
                None => None,
            });
        }
        let closure = capture(&def.scope.freevars, frame);
        let name = self.st.interner.name_rc(def.name);
        Ok(Value::Function(Rc::new(Function {
            def: def.clone(),
            defaults,
            unit: self.unit.clone(),
            name,
            kwdefaults,
            closure,
            class: RefCell::new(None),
            dict: RefCell::new(SymMap::default()),
        })))
    }

    /// Runs a class statement's body and creates the class.
    #[inline(never)]
    fn exec_class(&mut self, cdef: &Rc<ClassDef>, frame: &mut Frame) -> PResult<Value> {
        let mut decorators = Vec::with_capacity(cdef.decorators.len());
        for d in &cdef.decorators {
            decorators.push(self.eval(d, frame)?);
        }
        let (bases, kw) = self.eval_args(&cdef.bases, frame)?;
        if let Some((k, _)) = kw.first() {
            let k = self.st.interner.name(*k).to_string();
            return Err(Exc::type_error(if k == "metaclass" {
                "metaclasses are not supported".to_string()
            } else {
                format!(
                    "{}.__init_subclass__() takes no keyword arguments",
                    "object"
                )
            }));
        }
        let name = self.st.interner.name(cdef.name).to_string();
        let ns = Rc::new(RefCell::new(SymMap::default()));
        {
            let syms = &self.st.syms;
            let mut n = ns.borrow_mut();
            n.set(syms.module, Value::str("__main__"));
            n.set(syms.doc, classes::docstring(&cdef.body));
        }
        let closure = capture(&cdef.scope.freevars, frame);
        let mut body_frame = Frame::for_scope(&cdef.scope, &closure, cdef.line);
        body_frame.class_ns = Some(ns.clone());
        self.enter_call()?;
        let r = self.exec_block(&cdef.body, &mut body_frame);
        self.st.depth -= 1;
        if let Err(mut e) = r {
            let unit = self.unit.clone();
            push_frame(&mut e, &unit, body_frame.line, &name);
            return Err(e);
        }
        let dict = std::mem::take(&mut *ns.borrow_mut());
        let mut c = classes::create_class(self, name, bases, dict)?;
        for d in decorators.iter().rev() {
            c = self.call(d, vec![c], Vec::new())?;
        }
        Ok(c)
    }

    /// `try`/`except`/`else`/`finally`.
    #[inline(never)]
    fn exec_try(
        &mut self,
        body: &[Stmt],
        handlers: &[Handler],
        orelse: &[Stmt],
        finalbody: &[Stmt],
        frame: &mut Frame,
    ) -> PResult<Flow> {
        let mut result = self.exec_block(body, frame);
        match result {
            Err(Exc::Raise(raised)) if !handlers.is_empty() => {
                result = self.handle(raised, handlers, frame);
            }
            Ok(Flow::Normal) if !orelse.is_empty() => {
                result = self.exec_block(orelse, frame);
            }
            _ => {}
        }
        if finalbody.is_empty() {
            return result;
        }
        match result {
            Err(Exc::Timeout) => Err(Exc::Timeout),
            Err(Exc::Raise(mut raised)) => {
                // The pending exception is the context of anything the finally block raises.
                let obj = self.materialize(&mut raised);
                if obj.state.borrow().tb.is_empty() {
                    obj.state.borrow_mut().tb = self.tb_here(&raised, frame);
                }
                self.st.handling.push(obj.clone());
                let line = frame.line;
                let fr = self.exec_block(finalbody, frame);
                self.st.handling.pop();
                match fr {
                    Ok(Flow::Normal) => {
                        frame.line = line;
                        Err(Exc::Raise(raised))
                    }
                    Ok(flow) => Ok(flow),
                    Err(mut e) => {
                        self.set_context(&mut e, &obj);
                        Err(e)
                    }
                }
            }
            Ok(flow) => match self.exec_block(finalbody, frame)? {
                Flow::Normal => Ok(flow),
                f => Ok(f),
            },
        }
    }

    /// The traceback of an exception caught in `frame`: its frames so far plus this one.
    fn tb_here(&self, raised: &Raised, frame: &Frame) -> Vec<TbEntry> {
        let mut tb = raised.tb.clone();
        if !raised.skip_frame {
            tb.push(TbEntry {
                unit: self.unit.clone(),
                line: frame.line,
                name: self.frame_name(frame),
            });
        }
        tb
    }

    fn frame_name(&self, frame: &Frame) -> Rc<str> {
        match &frame.func {
            Some(f) => f.name.clone(),
            None => Rc::from("<module>"),
        }
    }

    /// Runs the handler matching `raised`, or re-raises it.
    #[inline(never)]
    fn handle(
        &mut self,
        mut raised: Box<Raised>,
        handlers: &[Handler],
        frame: &mut Frame,
    ) -> PResult<Flow> {
        for h in handlers {
            let matched = match &h.typ {
                None => true,
                Some(t) => {
                    let tv = match self.eval(t, frame) {
                        Ok(v) => v,
                        Err(mut e) => {
                            let obj = self.materialize(&mut raised);
                            obj.state.borrow_mut().tb = self.tb_here(&raised, frame);
                            self.set_context(&mut e, &obj);
                            return Err(e);
                        }
                    };
                    self.exception_matches(&raised.exc, &tv)?
                }
            };
            if !matched {
                continue;
            }
            let obj = self.materialize(&mut raised);
            obj.state.borrow_mut().tb = self.tb_here(&raised, frame);
            frame.line = h.line;
            if let Some(n) = &h.name {
                self.store_name(n, Value::Exception(obj.clone()), frame)?;
            }
            self.st.handling.push(obj.clone());
            let r = self.exec_block(&h.body, frame);
            self.st.handling.pop();
            if let Some(n) = &h.name {
                // `except E as e` deletes `e` at the end of the handler.
                let _ = self.unbind(n, frame);
            }
            return match r {
                Err(mut e) => {
                    self.set_context(&mut e, &obj);
                    Err(e)
                }
                ok => ok,
            };
        }
        Err(Exc::Raise(raised))
    }

    /// Whether the exception being raised is an instance of `typ` (a class or a tuple).
    fn exception_matches(&mut self, exc: &PyExc, typ: &Value) -> PResult<bool> {
        match typ {
            Value::Tuple(items) => {
                for t in items.iter() {
                    if self.exception_matches(exc, t)? {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
            Value::Class(c) if matches!(c.kind, ClassKind::Exception(_)) => Ok(match exc {
                PyExc::Native { kind, .. } => match c.kind {
                    ClassKind::Exception(k) if !c.user => kind.is_a(k),
                    _ => false,
                },
                PyExc::Object(o) => o.class.is_subclass(c),
            }),
            _ => Err(Exc::type_error(
                "catching classes that do not inherit from BaseException is not allowed",
            )),
        }
    }

    /// Turns a natively raised exception into an object (so it can be bound, chained and
    /// re-raised), in place.
    pub fn materialize(&mut self, raised: &mut Raised) -> Rc<ExcObject> {
        match &raised.exc {
            PyExc::Object(o) => o.clone(),
            PyExc::Native { kind, args } => {
                let o = Rc::new(ExcObject::new(self.st.types.exception(*kind), args.clone()));
                raised.exc = PyExc::Object(o.clone());
                o
            }
        }
    }

    /// Sets `__context__` of an exception raised while `ctx` was being handled.
    fn set_context(&mut self, e: &mut Exc, ctx: &Rc<ExcObject>) {
        let Exc::Raise(r) = e else {
            return;
        };
        let obj = self.materialize(r);
        if Rc::ptr_eq(&obj, ctx) {
            return;
        }
        let mut st = obj.state.borrow_mut();
        if st.context.is_none() {
            // Avoid a cycle: ctx's own chain must not lead back to obj.
            let mut cur = Some(ctx.clone());
            let mut n = 0;
            while let Some(c) = cur {
                if Rc::ptr_eq(&c, &obj) || n > 100 {
                    return;
                }
                n += 1;
                cur = c.state.try_borrow().ok().and_then(|s| s.context.clone());
            }
            st.context = Some(ctx.clone());
        }
    }

    /// `raise`, `raise exc`, `raise exc from cause`.
    #[inline(never)]
    fn raise(
        &mut self,
        exc: &Option<Expr>,
        cause: &Option<Expr>,
        frame: &mut Frame,
    ) -> PResult<Exc> {
        let Some(exc) = exc else {
            return Ok(match self.st.handling.last() {
                None => Exc::new(ExcKind::RuntimeError, "No active exception to reraise"),
                Some(obj) => Exc::Raise(Box::new(Raised {
                    exc: PyExc::Object(obj.clone()),
                    tb: obj.state.borrow().tb.clone(),
                    skip_frame: true,
                })),
            });
        };
        let v = self.eval(exc, frame)?;
        let obj = self.make_exception(v)?;
        if let Some(c) = cause {
            let cv = self.eval(c, frame)?;
            let cobj = match cv {
                Value::None => None,
                other => match self.make_exception(other) {
                    Ok(o) => Some(o),
                    Err(_) => {
                        return Ok(Exc::type_error(
                            "exception causes must derive from BaseException",
                        ))
                    }
                },
            };
            let mut st = obj.state.borrow_mut();
            st.cause = cobj;
            st.suppress_context = true;
        }
        let tb = obj.state.borrow().tb.clone();
        Ok(Exc::Raise(Box::new(Raised {
            exc: PyExc::Object(obj),
            tb,
            skip_frame: false,
        })))
    }

    /// The exception object `raise v` raises (instantiating a class).
    fn make_exception(&mut self, v: Value) -> PResult<Rc<ExcObject>> {
        match v {
            Value::Exception(e) => Ok(e),
            Value::Class(c) if matches!(c.kind, ClassKind::Exception(_)) => {
                match self.call(&Value::Class(c), Vec::new(), Vec::new())? {
                    Value::Exception(e) => Ok(e),
                    other => Err(Exc::type_error(format!(
                        "calling {} should have returned an instance of BaseException, not {}",
                        format::repr(&other).unwrap_or_default(),
                        other.type_name()
                    ))),
                }
            }
            _ => Err(Exc::type_error("exceptions must derive from BaseException")),
        }
    }

    /// `with` items from `i` on, then the body.
    #[inline(never)]
    fn exec_with(
        &mut self,
        items: &[(Expr, Option<Target>)],
        i: usize,
        body: &[Stmt],
        frame: &mut Frame,
    ) -> PResult<Flow> {
        let Some((ctx_expr, target)) = items.get(i) else {
            return self.exec_block(body, frame);
        };
        let line = frame.line;
        let mgr = self.eval(ctx_expr, frame)?;
        let (enter, exit) = (self.st.syms.enter, self.st.syms.exit);
        let exit_fn = match classes::special_method(self, &mgr, exit) {
            Some(f) => f,
            None => {
                return Err(Exc::type_error(format!(
                    "'{}' object does not support the context manager protocol",
                    mgr.type_name()
                )))
            }
        };
        let v = match classes::special_method(self, &mgr, enter) {
            Some(f) => self.call(&f, Vec::new(), Vec::new())?,
            None => {
                return Err(Exc::type_error(format!(
                    "'{}' object does not support the context manager protocol",
                    mgr.type_name()
                )))
            }
        };
        let mut r = match target {
            Some(t) => self.assign(t, v, frame).map(|_| Flow::Normal),
            None => Ok(Flow::Normal),
        };
        if r.is_ok() {
            r = self.exec_with(items, i + 1, body, frame);
        }
        match r {
            Err(Exc::Raise(mut raised)) => {
                let obj = self.materialize(&mut raised);
                obj.state.borrow_mut().tb = self.tb_here(&raised, frame);
                let raised_line = frame.line;
                frame.line = line;
                let args = vec![
                    Value::Class(obj.class.clone()),
                    Value::Exception(obj.clone()),
                    Value::None,
                ];
                self.st.handling.push(obj.clone());
                let er = self.call(&exit_fn, args, Vec::new());
                self.st.handling.pop();
                match er {
                    Ok(res) => {
                        if self.truthy(&res)? {
                            Ok(Flow::Normal)
                        } else {
                            frame.line = raised_line;
                            Err(Exc::Raise(raised))
                        }
                    }
                    Err(mut e) => {
                        self.set_context(&mut e, &obj);
                        Err(e)
                    }
                }
            }
            Err(Exc::Timeout) => Err(Exc::Timeout),
            Ok(flow) => {
                frame.line = line;
                self.call(
                    &exit_fn,
                    vec![Value::None, Value::None, Value::None],
                    Vec::new(),
                )?;
                Ok(flow)
            }
        }
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
            _ => {
                let mut pit = self.get_iter(&it)?;
                while let Some(item) = self.iter_next(&mut pit)? {
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

    /// Counts a call against the recursion limit.
    pub fn enter_call(&mut self) -> PResult<()> {
        self.poll_stop()?;
        if self.st.depth >= self.st.recursion_limit {
            return Err(Exc::new(
                ExcKind::RecursionError,
                "maximum recursion depth exceeded",
            ));
        }
        self.st.depth += 1;
        Ok(())
    }

    #[inline(never)]
    fn unbound_cell(&self, frame: &Frame, i: u32, sym: Sym) -> Exc {
        let name = self.st.interner.name(sym);
        if (i as usize) < frame.ncells {
            Exc::new(
                ExcKind::UnboundLocalError,
                format!(
                    "cannot access local variable '{name}' where it is not associated with a value"
                ),
            )
        } else {
            Exc::new(
                ExcKind::NameError,
                format!("cannot access free variable '{name}' where it is not associated with a value in enclosing scope"),
            )
        }
    }

    fn load_global(&self, sym: Sym) -> PResult<Value> {
        let i = sym as usize;
        if let Some(Some(v)) = self.st.globals.get(i) {
            return Ok(v.clone());
        }
        if let Some(Some(v)) = self.st.builtins.get(i) {
            return Ok(v.clone());
        }
        Err(Exc::new(
            ExcKind::NameError,
            format!("name '{}' is not defined", self.st.interner.name(sym)),
        ))
    }

    #[inline]
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
            Scope::Global => self.load_global(n.sym),
            Scope::Cell(i) => match frame.cells.get(i as usize) {
                Some(c) => match &*c.borrow() {
                    Some(v) => Ok(v.clone()),
                    None => Err(self.unbound_cell(frame, i, n.sym)),
                },
                None => Err(self.unbound_cell(frame, i, n.sym)),
            },
            Scope::ClassNs => {
                if let Some(ns) = &frame.class_ns {
                    if let Some(v) = ns.borrow().get(n.sym) {
                        return Ok(v.clone());
                    }
                }
                self.load_global(n.sym)
            }
        }
    }

    #[inline]
    fn store_name(&mut self, n: &Name, v: Value, frame: &mut Frame) -> PResult<()> {
        match n.scope {
            Scope::Local(slot) => {
                if let Some(s) = frame.locals.get_mut(slot as usize) {
                    *s = Some(v);
                }
            }
            Scope::Global => self.st.set_global(n.sym, v),
            Scope::Cell(i) => {
                if let Some(c) = frame.cells.get(i as usize) {
                    *c.borrow_mut() = Some(v);
                }
            }
            Scope::ClassNs => match &frame.class_ns {
                Some(ns) => ns.borrow_mut().set(n.sym, v),
                None => self.st.set_global(n.sym, v),
            },
        }
        Ok(())
    }

    /// Takes a local or global variable's value out of its slot (for in-place updates).
    fn take_name(&mut self, n: &Name, frame: &mut Frame) -> Option<Value> {
        match n.scope {
            Scope::Local(slot) => frame.locals.get_mut(slot as usize)?.take(),
            Scope::Global => self.st.globals.get_mut(n.sym as usize)?.take(),
            _ => None,
        }
    }

    /// Removes a binding (`del x`); Err when it was not bound.
    fn unbind(&mut self, n: &Name, frame: &mut Frame) -> PResult<()> {
        let name = self.st.interner.name(n.sym).to_string();
        let unbound_local = || {
            Exc::new(
                ExcKind::UnboundLocalError,
                format!(
                    "cannot access local variable '{name}' where it is not associated with a value"
                ),
            )
        };
        let not_defined = || Exc::new(ExcKind::NameError, format!("name '{name}' is not defined"));
        match n.scope {
            Scope::Local(slot) => match frame.locals.get_mut(slot as usize) {
                Some(s @ Some(_)) => {
                    *s = None;
                    Ok(())
                }
                _ => Err(unbound_local()),
            },
            Scope::Cell(i) => match frame.cells.get(i as usize) {
                Some(c) if c.borrow().is_some() => {
                    *c.borrow_mut() = None;
                    Ok(())
                }
                _ => Err(unbound_local()),
            },
            Scope::Global => match self.st.globals.get_mut(n.sym as usize) {
                Some(slot @ Some(_)) => {
                    *slot = None;
                    Ok(())
                }
                _ => Err(not_defined()),
            },
            Scope::ClassNs => match &frame.class_ns {
                Some(ns) => match ns.borrow_mut().remove(n.sym) {
                    Some(_) => Ok(()),
                    None => Err(not_defined()),
                },
                None => Err(not_defined()),
            },
        }
    }

    /// Binds `v` to a target.
    fn assign(&mut self, t: &Target, v: Value, frame: &mut Frame) -> PResult<()> {
        match t {
            Target::Name(n) => self.store_name(n, v, frame),
            Target::Subscript(obj, index) => {
                let o = self.eval(obj, frame)?;
                if let Expr::Slice(parts) = index {
                    if classes::is_user(&o) {
                        let s = self.slice_value(parts, frame)?;
                        return classes::set_item(self, &o, s, v);
                    }
                    let (a, b, c) = self.slice_bounds(parts, frame)?;
                    return ops::set_slice(&o, a, b, c, &v);
                }
                let i = self.eval(index, frame)?;
                if classes::is_user(&o) || classes::is_user(&i) || matches!(i, Value::Special(_)) {
                    return classes::set_item(self, &o, i, v);
                }
                ops::set_item(&o, &i, v)
            }
            Target::Attr(obj, name) => {
                let o = self.eval(obj, frame)?;
                self.set_attr(&o, *name, v)
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
                    | Value::Iterator(_) => ops::iterate(&v)?,
                    Value::Instance(_) | Value::Special(_) | Value::Native(_) => {
                        match self.iterate(&v) {
                            Ok(items) => items,
                            Err(e) if super::objects::is_not_iterable(&e) => {
                                return Err(Exc::type_error(format!(
                                    "cannot unpack non-iterable {} object",
                                    v.type_name()
                                )))
                            }
                            Err(e) => return Err(e),
                        }
                    }
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
                // `i += 1` on machine ints: no dispatch, and nothing to drop.
                if let (Value::Int(a), Value::Int(b)) = (&cur, &rhs) {
                    if let Some(v) = ops::small_int_op(op, *a, *b)? {
                        std::mem::forget(cur);
                        std::mem::forget(rhs);
                        return self.store_name(n, v, frame);
                    }
                }
                // `s += t` on a string nothing else references: append in place, as CPython.
                if let (Value::Str(_), Value::Str(t), BinOp::Add) = (&cur, &rhs, op) {
                    drop(cur);
                    if let Some(Value::Str(mut rc)) = self.take_name(n, frame) {
                        if let Some(s) = Rc::get_mut(&mut rc) {
                            s.s.push_str(&t.s);
                            s.ascii = s.ascii && t.ascii;
                            return self.store_name(n, Value::Str(rc), frame);
                        }
                        let r = self.inplace(op, Value::Str(rc), &rhs)?;
                        return self.store_name(n, r, frame);
                    }
                    let cur = self.load_name(n, frame)?;
                    let r = self.inplace(op, cur, &rhs)?;
                    return self.store_name(n, r, frame);
                }
                let r = self.inplace(op, cur, &rhs)?;
                self.store_name(n, r, frame)
            }
            Target::Subscript(obj, index) => {
                let o = self.eval(obj, frame)?;
                if let Expr::Slice(parts) = index {
                    if classes::is_user(&o) {
                        let s = self.slice_value(parts, frame)?;
                        let cur = classes::get_item(self, &o, s.clone())?;
                        let rhs = self.eval(value, frame)?;
                        let r = self.inplace(op, cur, &rhs)?;
                        return classes::set_item(self, &o, s, r);
                    }
                    let (a, b, c) = self.slice_bounds(parts, frame)?;
                    let cur = ops::get_slice(&o, a, b, c)?;
                    let rhs = self.eval(value, frame)?;
                    let r = self.inplace(op, cur, &rhs)?;
                    return ops::set_slice(&o, a, b, c, &r);
                }
                let i = self.eval(index, frame)?;
                let cur = self.get_item(&o, &i)?;
                let rhs = self.eval(value, frame)?;
                let r = self.inplace(op, cur, &rhs)?;
                if classes::is_user(&o) || classes::is_user(&i) {
                    return classes::set_item(self, &o, i, r);
                }
                ops::set_item(&o, &i, r)
            }
            Target::Attr(obj, name) => {
                let o = self.eval(obj, frame)?;
                let cur = self.get_attr(o.clone(), *name)?;
                let rhs = self.eval(value, frame)?;
                let r = self.inplace(op, cur, &rhs)?;
                self.set_attr(&o, *name, r)
            }
            _ => Err(Exc::type_error(
                "illegal expression for augmented assignment",
            )),
        }
    }

    /// `a op= b`: lists, sets and dicts are updated in place, as their `__iop__` methods do.
    fn inplace(&mut self, op: BinOp, cur: Value, rhs: &Value) -> PResult<Value> {
        if classes::is_user(&cur) || classes::is_user(rhs) {
            return classes::inplace(self, op, cur, rhs.clone());
        }
        self.inplace_builtin(op, cur, rhs)
    }

    fn delete(&mut self, t: &Target, frame: &mut Frame) -> PResult<()> {
        match t {
            Target::Name(n) => self.unbind(n, frame),
            Target::Subscript(obj, index) => {
                let o = self.eval(obj, frame)?;
                if let Expr::Slice(parts) = index {
                    if classes::is_user(&o) {
                        let s = self.slice_value(parts, frame)?;
                        return classes::del_item(self, &o, s);
                    }
                    let (a, b, c) = self.slice_bounds(parts, frame)?;
                    return ops::del_slice(&o, a, b, c);
                }
                let i = self.eval(index, frame)?;
                if classes::is_user(&o) || classes::is_user(&i) || matches!(i, Value::Special(_)) {
                    return classes::del_item(self, &o, i);
                }
                ops::del_item(&o, &i)
            }
            Target::Attr(obj, name) => {
                let o = self.eval(obj, frame)?;
                classes::del_attr(self, &o, *name)
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

    /// A `slice` object from `a:b:c` (for user `__getitem__`).
    fn slice_value(&mut self, parts: &[Option<Expr>; 3], frame: &mut Frame) -> PResult<Value> {
        let mut vals = [Value::None, Value::None, Value::None];
        for (i, p) in parts.iter().enumerate() {
            if let Some(e) = p {
                vals[i] = self.eval(e, frame)?;
            }
        }
        Ok(Value::Special(Rc::new(Special::Slice(vals))))
    }

    /// Evaluates an expression, without a call for constants and bound local variables (the
    /// leaves of most expressions).
    #[inline(always)]
    fn eval_leaf(&mut self, e: &Expr, frame: &mut Frame) -> PResult<Value> {
        match e {
            Expr::Const(v) => Ok(v.clone()),
            Expr::Name(Name {
                scope: Scope::Local(slot),
                ..
            }) => match frame.locals.get(*slot as usize) {
                Some(Some(v)) => Ok(v.clone()),
                _ => self.eval(e, frame),
            },
            _ => self.eval(e, frame),
        }
    }

    /// Evaluates an expression.
    ///
    /// A thin dispatcher: every arm is a call with the same result slot, so it compiles to a
    /// jump without a frame of its own, and each kind of expression pays only for the
    /// registers and stack its own function needs.
    pub fn eval(&mut self, e: &Expr, frame: &mut Frame) -> PResult<Value> {
        match e {
            Expr::Const(v) => Ok(v.clone()),
            Expr::Name(n) => self.eval_name(n, frame),
            Expr::Binary(l, op, r) => self.eval_binary(l, *op, r, frame),
            Expr::Compare(first, rest) => self.eval_compare(first, rest, frame),
            Expr::Subscript(obj, index) => self.eval_subscript(obj, index, frame),
            Expr::Attr(obj, name) => self.eval_attr(obj, *name, frame),
            Expr::Call(f, args) => self.eval_call(f, args, frame),
            Expr::MethodCall(obj, name, args) => self.eval_method_call(obj, *name, args, frame),
            _ => self.eval_other(e, frame),
        }
    }

    #[inline(never)]
    fn eval_name(&mut self, n: &Name, frame: &mut Frame) -> PResult<Value> {
        self.load_name(n, frame)
    }

    #[inline(never)]
    fn eval_binary(&mut self, l: &Expr, op: BinOp, r: &Expr, frame: &mut Frame) -> PResult<Value> {
        let a = self.eval_leaf(l, frame)?;
        let b = self.eval_leaf(r, frame)?;
        if let (Value::Int(x), Value::Int(y)) = (&a, &b) {
            if let Some(v) = ops::small_int_op(op, *x, *y)? {
                // Two plain ints own nothing: skip the out-of-line drops.
                std::mem::forget(a);
                std::mem::forget(b);
                return Ok(v);
            }
        }
        self.binary(op, &a, &b)
    }

    #[inline(never)]
    fn eval_attr(&mut self, obj: &Expr, name: Sym, frame: &mut Frame) -> PResult<Value> {
        let o = self.eval_leaf(obj, frame)?;
        self.get_attr(o, name)
    }

    /// The expressions loops evaluate less often.
    #[inline(never)]
    fn eval_other(&mut self, e: &Expr, frame: &mut Frame) -> PResult<Value> {
        match e {
            Expr::Const(v) => Ok(v.clone()),
            Expr::Name(n) => self.load_name(n, frame),
            Expr::Binary(l, op, r) => self.eval_binary(l, *op, r, frame),
            Expr::Compare(first, rest) => self.eval_compare(first, rest, frame),
            Expr::Unary(op, x) => {
                let v = self.eval(x, frame)?;
                if classes::is_user(&v) {
                    return classes::unary(self, *op, v);
                }
                ops::unary(*op, &v)
            }
            Expr::Not(x) => Ok(Value::Bool(!self.eval_cond(x, frame)?)),
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
                if self.eval_cond(&parts[0], frame)? {
                    self.eval(&parts[1], frame)
                } else {
                    self.eval(&parts[2], frame)
                }
            }
            Expr::Tuple(items) => Ok(Value::tuple(self.eval_items(items, frame)?)),
            Expr::List(items) => Ok(Value::list(self.eval_items(items, frame)?)),
            Expr::Set(items) => self.eval_set(items, frame),
            Expr::Dict(items) => self.eval_dict(items, frame),
            Expr::Starred(_) => Err(Exc::new(
                ExcKind::SyntaxError,
                "can't use starred expression here",
            )),
            Expr::Slice(parts) => self.slice_value(parts, frame),
            Expr::Subscript(obj, index) => self.eval_subscript(obj, index, frame),
            Expr::Attr(obj, name) => self.eval_attr(obj, *name, frame),
            Expr::Call(f, args) => self.eval_call(f, args, frame),
            Expr::MethodCall(obj, name, args) => self.eval_method_call(obj, *name, args, frame),
            Expr::Lambda(def) => self.make_function(def, frame),
            Expr::Comp(c) => self.eval_comp(c, frame),
            Expr::FString(parts) => self.eval_fstring(parts, frame),
        }
    }

    /// Evaluates a condition (`if`, `while`, `assert`, `not`, a conditional expression) to its
    /// truth, without materializing the `and`/`or` values it does not need.
    fn eval_cond(&mut self, e: &Expr, frame: &mut Frame) -> PResult<bool> {
        match e {
            Expr::Not(x) => Ok(!self.eval_cond(x, frame)?),
            Expr::And(l, r) => Ok(self.eval_cond(l, frame)? && self.eval_cond(r, frame)?),
            Expr::Or(l, r) => Ok(self.eval_cond(l, frame)? || self.eval_cond(r, frame)?),
            Expr::Compare(first, rest) => self.compare_cond(first, rest, frame),
            _ => {
                let c = self.eval(e, frame)?;
                if let Value::Bool(b) = c {
                    // A bool owns nothing: skip the out-of-line drop.
                    std::mem::forget(c);
                    return Ok(b);
                }
                self.truthy(&c)
            }
        }
    }

    #[inline(never)]
    fn eval_compare(
        &mut self,
        first: &Expr,
        rest: &[(CmpOp, Expr)],
        frame: &mut Frame,
    ) -> PResult<Value> {
        if let [(op, re)] = rest {
            let left = self.eval_leaf(first, frame)?;
            let right = self.eval_leaf(re, frame)?;
            if let (Value::Int(a), Value::Int(b)) = (&left, &right) {
                return Ok(Value::Bool(match op {
                    CmpOp::Lt => a < b,
                    CmpOp::Le => a <= b,
                    CmpOp::Gt => a > b,
                    CmpOp::Ge => a >= b,
                    CmpOp::Eq | CmpOp::Is => a == b,
                    CmpOp::Ne | CmpOp::IsNot => a != b,
                    _ => return Ok(Value::Bool(self.compare(*op, &left, &right)?)),
                }));
            }
            return self.compare_value(*op, &left, &right);
        }
        let mut left = self.eval(first, frame)?;
        let mut last = Value::Bool(true);
        for (i, (op, re)) in rest.iter().enumerate() {
            let right = self.eval(re, frame)?;
            let r = self.compare_value(*op, &left, &right)?;
            if !self.truthy(&r)? {
                return Ok(r);
            }
            last = r;
            if i + 1 < rest.len() {
                left = right;
            }
        }
        Ok(last)
    }

    /// A comparison as a condition: its truth, without boxing it in a value first (the tests
    /// of `if` and `while` are mostly one comparison of two ints, or `key in dict`).
    #[inline(never)]
    fn compare_cond(
        &mut self,
        first: &Expr,
        rest: &[(CmpOp, Expr)],
        frame: &mut Frame,
    ) -> PResult<bool> {
        let [(op, re)] = rest else {
            let v = self.eval_compare(first, rest, frame)?;
            return self.truthy(&v);
        };
        let left = self.eval_leaf(first, frame)?;
        let right = self.eval_leaf(re, frame)?;
        if let (Value::Int(a), Value::Int(b)) = (&left, &right) {
            let holds = match op {
                CmpOp::Lt => a < b,
                CmpOp::Le => a <= b,
                CmpOp::Gt => a > b,
                CmpOp::Ge => a >= b,
                CmpOp::Eq | CmpOp::Is => a == b,
                CmpOp::Ne | CmpOp::IsNot => a != b,
                _ => return self.compare(*op, &left, &right),
            };
            // Two plain ints own nothing: skip the out-of-line drops.
            std::mem::forget(left);
            std::mem::forget(right);
            return Ok(holds);
        }
        if let (CmpOp::In | CmpOp::NotIn, Value::Dict(d), Value::Int(_) | Value::Str(_)) =
            (op, &right, &left)
        {
            let found = d.borrow().get(&ops::key(&left)?).is_some();
            return Ok(found == (*op == CmpOp::In));
        }
        if (classes::is_user(&left) || classes::is_user(&right))
            && !matches!(op, CmpOp::In | CmpOp::NotIn | CmpOp::Is | CmpOp::IsNot)
        {
            let v = classes::compare_value(self, *op, &left, &right)?;
            return self.truthy(&v);
        }
        self.compare(*op, &left, &right)
    }

    /// A comparison as a value: a user class's rich comparison returns what its method
    /// returned; everything else a bool.
    pub fn compare_value(&mut self, op: CmpOp, a: &Value, b: &Value) -> PResult<Value> {
        if (classes::is_user(a) || classes::is_user(b))
            && !matches!(op, CmpOp::In | CmpOp::NotIn | CmpOp::Is | CmpOp::IsNot)
        {
            return classes::compare_value(self, op, a, b);
        }
        Ok(Value::Bool(self.compare(op, a, b)?))
    }

    /// A set display, laid out as CPython builds it (`lang::settable`): constants folded
    /// into one frozenset, else the items added in order and starred iterables merged.
    #[inline(never)]
    fn eval_set(&mut self, items: &[Expr], frame: &mut Frame) -> PResult<Value> {
        use super::settable::{self, SetTable};
        let t = Rc::new(RefCell::new(SetTable::new()));
        if !items.iter().any(|e| matches!(e, Expr::Starred(_))) {
            let vals = self.eval_items(items, frame)?;
            if settable::display_is_constant(items) {
                let keys = vals
                    .iter()
                    .map(|v| self.key(v))
                    .collect::<PResult<Vec<_>>>()?;
                // Which strings CPython had interned depends on what it ran before: wirecraft
                // counts the names it has seen, and single characters (most are, at start-up).
                let interned = vals.iter().any(|v| match v {
                    Value::Str(s) => {
                        !s.s.is_empty()
                            && s.s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
                            && (s.s.len() == 1 || self.st.interner.lookup(&s.s).is_some())
                    }
                    _ => false,
                });
                return Ok(Value::Set(Rc::new(RefCell::new(SetTable::from_constants(
                    keys, interned,
                )))));
            }
            for v in vals {
                let k = self.key_among(&v, || t.borrow().keys())?;
                t.borrow_mut().insert(k);
            }
            return Ok(Value::Set(t));
        }
        for it in items {
            if let Expr::Starred(x) = it {
                let v = self.eval(x, frame)?;
                settable::update_from(self, &t, &v)?;
            } else {
                let v = self.eval(it, frame)?;
                let k = self.key_among(&v, || t.borrow().keys())?;
                t.borrow_mut().insert(k);
            }
        }
        Ok(Value::Set(t))
    }

    #[inline(never)]
    fn eval_dict(&mut self, items: &[DictItem], frame: &mut Frame) -> PResult<Value> {
        let mut d = Dict::new();
        for item in items {
            match item {
                DictItem::Pair(k, v) => {
                    let k = self.eval(k, frame)?;
                    let v = self.eval(v, frame)?;
                    let k = self.key_among(&k, || d.keys())?;
                    d.insert(k, v);
                }
                DictItem::Splat(x) => {
                    let m = self.eval(x, frame)?;
                    let m = super::subclass::plain(&m).clone();
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
        Ok(Value::Dict(Rc::new(RefCell::new(d))))
    }

    #[inline(never)]
    fn eval_method_call(
        &mut self,
        obj: &Expr,
        name: Sym,
        args: &[Arg],
        frame: &mut Frame,
    ) -> PResult<Value> {
        let o = self.eval_leaf(obj, frame)?;
        match &o {
            Value::Instance(inst) => {
                // A method found on the class: call it with the instance first, without
                // creating a bound method.
                if !inst.dict.borrow().contains(name) {
                    if let Some(Value::Function(f)) = inst.class.lookup(name) {
                        if let Some(r) = self.call_direct(&f, Some(&o), args, frame) {
                            return r;
                        }
                        let mut pos = Vec::with_capacity(args.len() + 1);
                        pos.push(o.clone());
                        let kw = self.eval_args_into(args, frame, &mut pos)?;
                        return self.call_function(&f, pos, kw);
                    }
                }
                let m = self.get_attr(o.clone(), name)?;
                let (pos, kw) = self.eval_args(args, frame)?;
                self.call(&m, pos, kw)
            }
            Value::Class(c) if c.user || classes::is_class_special(self, name) => {
                let m = self.get_attr(o.clone(), name)?;
                let (pos, kw) = self.eval_args(args, frame)?;
                self.call(&m, pos, kw)
            }
            Value::Special(_) | Value::Function(_) | Value::Method(_) | Value::Exception(_) => {
                let m = self.get_attr(o.clone(), name)?;
                let (pos, kw) = self.eval_args(args, frame)?;
                self.call(&m, pos, kw)
            }
            Value::List(l) if name == self.st.syms.append => {
                if let [Arg::Pos(e)] = args {
                    let v = self.eval(e, frame)?;
                    l.borrow_mut().push(v);
                    return Ok(Value::None);
                }
                let (pos, kw) = self.eval_args(args, frame)?;
                methods::call_method(self, &o, name, pos, kw)
            }
            Value::List(l) if name == self.st.syms.pop => {
                let i = match args {
                    [] => -1,
                    [Arg::Pos(e)] => match self.eval_leaf(e, frame)? {
                        Value::Int(i) => i,
                        other => return methods::call_method(self, &o, name, vec![other], vec![]),
                    },
                    _ => {
                        let (pos, kw) = self.eval_args(args, frame)?;
                        return methods::call_method(self, &o, name, pos, kw);
                    }
                };
                // As `list.pop` in methods.rs, without its argument vectors.
                let mut v = l.borrow_mut();
                if v.is_empty() {
                    return Err(Exc::new(ExcKind::IndexError, "pop from empty list"));
                }
                match ops::norm_index(i, v.len()) {
                    Some(i) => Ok(v.remove(i)),
                    None => Err(Exc::new(ExcKind::IndexError, "pop index out of range")),
                }
            }
            Value::Dict(d) if name == self.st.syms.get => {
                if let [Arg::Pos(k), Arg::Pos(dflt)] = args {
                    let k = self.eval(k, frame)?;
                    let dflt = self.eval(dflt, frame)?;
                    let key = self.key(&k)?;
                    let found = d.borrow().get(&key).cloned();
                    return Ok(found.unwrap_or(dflt));
                }
                let (pos, kw) = self.eval_args(args, frame)?;
                methods::call_method(self, &o, name, pos, kw)
            }
            _ => {
                let (pos, kw) = self.eval_args(args, frame)?;
                methods::call_method(self, &o, name, pos, kw)
            }
        }
    }

    #[inline(never)]
    fn eval_fstring(&mut self, parts: &[FPart], frame: &mut Frame) -> PResult<Value> {
        let mut out = String::new();
        self.fstring(parts, frame, &mut out)?;
        Ok(Value::str(out))
    }

    #[inline(never)]
    fn eval_subscript(&mut self, obj: &Expr, index: &Expr, frame: &mut Frame) -> PResult<Value> {
        let o = self.eval(obj, frame)?;
        if let Expr::Slice(parts) = index {
            if classes::is_user(&o) {
                let s = self.slice_value(parts, frame)?;
                return classes::get_item(self, &o, s);
            }
            if let Some(r) = super::packets::layer_slice(self, &o, parts, frame) {
                return r;
            }
            let (a, b, c) = self.slice_bounds(parts, frame)?;
            return ops::get_slice(&o, a, b, c);
        }
        let i = self.eval(index, frame)?;
        self.get_item(&o, &i)
    }

    #[inline(never)]
    fn eval_call(&mut self, f: &Expr, args: &[Arg], frame: &mut Frame) -> PResult<Value> {
        let fv = self.eval(f, frame)?;
        if args.is_empty() {
            if let Value::Builtin(b) = &fv {
                if std::ptr::eq(*b, &classes::SUPER) {
                    return classes::zero_arg_super(self, frame);
                }
                if b.name == "locals" && (frame.func.is_some() || frame.class_ns.is_some()) {
                    return self.locals_dict(frame);
                }
            }
        }
        if let Value::Class(c) = &fv {
            if let (false, ClassKind::Builtin(TypeTag::Str), [Arg::Pos(e)]) = (c.user, c.kind, args)
            {
                // `str(x)`: as `builtins::construct` with one argument, without the vectors.
                let v = match self.eval_leaf(e, frame) {
                    Ok(v) => v,
                    Err(e) => return Err(self.name_callee(e, &fv)),
                };
                return Ok(Value::str(self.str(&v)?));
            }
            if c.user && !c.has_flag(super::value::class_flags::HAS_NEW) {
                if let ClassKind::Builtin(TypeTag::Object) = c.kind {
                    // `C(args)`: evaluate the arguments after the new instance, for __init__.
                    let obj = Value::Instance(Rc::new(super::value::Instance {
                        class: c.clone(),
                        dict: RefCell::new(SymMap::default()),
                        builtin: None,
                    }));
                    if let Some(Value::Function(init)) = c.lookup(self.st.syms.init) {
                        let r = match self.call_direct(&init, Some(&obj), args, frame) {
                            Some(r) => r?,
                            None => {
                                let mut pos = Vec::with_capacity(args.len() + 1);
                                pos.push(obj.clone());
                                let kw = self.eval_args_into(args, frame, &mut pos)?;
                                self.call_function(&init, pos, kw)?
                            }
                        };
                        if !matches!(r, Value::None) {
                            return Err(Exc::type_error(format!(
                                "__init__() should return None, not '{}'",
                                r.type_name()
                            )));
                        }
                        return Ok(obj);
                    }
                }
            }
        }
        if let Value::Function(func) = &fv {
            if let Some(r) = self.call_direct(func, None, args, frame) {
                return r;
            }
        }
        if let (Value::Builtin(b), [Arg::Pos(e)]) = (&fv, args) {
            if let Some(f) = builtins::unary_form(b) {
                let v = self.eval_leaf(e, frame)?;
                return f(self, &v);
            }
        }
        let (pos, kw) = match self.eval_args(args, frame) {
            Ok(r) => r,
            Err(e) => return Err(self.name_callee(e, &fv)),
        };
        self.call(&fv, pos, kw)
    }

    /// `locals()` in a function (its bound local variables, cells included) or a class body.
    #[inline(never)]
    fn locals_dict(&mut self, frame: &Frame) -> PResult<Value> {
        let mut d = Dict::new();
        if let Some(ns) = &frame.class_ns {
            let pairs: Vec<(Sym, Value)> =
                ns.borrow().0.iter().map(|(k, v)| (*k, v.clone())).collect();
            for (k, v) in pairs {
                d.insert(ops::key(&Value::str(self.st.interner.name(k)))?, v);
            }
            return Ok(Value::Dict(Rc::new(RefCell::new(d))));
        }
        if let Some(func) = &frame.func {
            let scope = &func.def.scope;
            for (i, name) in scope.local_names.iter().enumerate() {
                if let Some(Some(v)) = frame.locals.get(i) {
                    d.insert(
                        ops::key(&Value::str(self.st.interner.name(*name)))?,
                        v.clone(),
                    );
                }
            }
            for (i, name) in scope.cell_names.iter().enumerate() {
                if let Some(c) = frame.cells.get(i) {
                    if let Some(v) = c.borrow().clone() {
                        d.insert(ops::key(&Value::str(self.st.interner.name(*name)))?, v);
                    }
                }
            }
        }
        Ok(Value::Dict(Rc::new(RefCell::new(d))))
    }

    /// Errors of `f(*x)`/`f(**x)` name the function as CPython's do:
    /// "__main__.f() argument after * must be an iterable, not int".
    #[inline(never)]
    fn name_callee(&self, e: Exc, f: &Value) -> Exc {
        let Exc::Raise(r) = &e else {
            return e;
        };
        if r.exc.kind() != ExcKind::TypeError {
            return e;
        }
        let msg = match r.exc.args().first() {
            Some(Value::Str(m)) => m.s.clone(),
            _ => return e,
        };
        let rest = if let Some(t) = msg.strip_prefix("Value after * ") {
            format!("argument after * {t}")
        } else if msg.starts_with("argument after ** ")
            || msg.starts_with("got multiple values for keyword argument")
        {
            msg
        } else {
            return e;
        };
        let callee = match f {
            Value::Function(func) => format!("__main__.{}()", self.qualname(func)),
            Value::Builtin(b) => format!("{}()", b.name),
            Value::Class(c) if c.user => format!("__main__.{}()", c.name),
            Value::Class(c) => format!("{}()", c.name),
            Value::Method(m) => match &m.func {
                Value::Function(func) => format!("__main__.{}()", self.qualname(func)),
                _ => return Exc::type_error(rest),
            },
            _ => return Exc::type_error(rest),
        };
        Exc::type_error(format!("{callee} {rest}"))
    }

    fn fstring(&mut self, parts: &[FPart], frame: &mut Frame, out: &mut String) -> PResult<()> {
        for p in parts {
            match p {
                FPart::Lit(s) => out.push_str(s),
                FPart::Field { expr, conv, spec } => {
                    let v = self.eval(expr, frame)?;
                    let v = match conv {
                        Some('r') => Value::str(self.repr(&v)?),
                        Some('s') => Value::str(self.str(&v)?),
                        Some('a') => Value::str(classes::ascii(&self.repr(&v)?)),
                        _ => v,
                    };
                    let mut sp = String::new();
                    self.fstring(spec, frame, &mut sp)?;
                    if sp.is_empty() {
                        if let Value::Str(s) = &v {
                            out.push_str(&s.s);
                            continue;
                        }
                    }
                    out.push_str(&classes::format_value(self, &v, &sp)?);
                }
            }
        }
        Ok(())
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

    #[allow(clippy::type_complexity)]
    fn eval_args(
        &mut self,
        args: &[Arg],
        frame: &mut Frame,
    ) -> PResult<(Vec<Value>, Vec<(Sym, Value)>)> {
        let mut pos = Vec::with_capacity(args.len());
        let kw = self.eval_args_into(args, frame, &mut pos)?;
        Ok((pos, kw))
    }

    /// Evaluates call arguments, appending positional ones to `pos`; returns the keywords.
    fn eval_args_into(
        &mut self,
        args: &[Arg],
        frame: &mut Frame,
        pos: &mut Vec<Value>,
    ) -> PResult<Vec<(Sym, Value)>> {
        let mut kw = Vec::new();
        for a in args {
            match a {
                Arg::Pos(e) => pos.push(self.eval_leaf(e, frame)?),
                Arg::Star(e) => {
                    let v = self.eval(e, frame)?;
                    match self.iterate(&v) {
                        Ok(items) => pos.extend(items),
                        Err(Exc::Raise(r))
                            if matches!(
                                &r.exc,
                                PyExc::Native {
                                    kind: ExcKind::TypeError,
                                    ..
                                }
                            ) && !matches!(v, Value::Instance(_)) =>
                        {
                            return Err(Exc::type_error(format!(
                                "Value after * must be an iterable, not {}",
                                v.type_name()
                            )))
                        }
                        Err(e) => return Err(e),
                    }
                }
                Arg::Kw(name, e) => kw.push((*name, self.eval(e, frame)?)),
                Arg::DStar(e) => {
                    let v = self.eval(e, frame)?;
                    let Value::Dict(d) = super::subclass::plain(&v) else {
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
                        if kw.iter().any(|(n, _)| *n == sym) {
                            return Err(Exc::type_error(format!(
                                "got multiple values for keyword argument '{}'",
                                s.s
                            )));
                        }
                        kw.push((sym, v));
                    }
                }
            }
        }
        Ok(kw)
    }

    /// Runs a list, set or dict comprehension, or creates a generator expression.
    #[inline(never)]
    fn eval_comp(&mut self, c: &Rc<Comp>, frame: &mut Frame) -> PResult<Value> {
        let Some(first) = c.generators.first() else {
            return Ok(Value::None);
        };
        let it = self.eval(&first.iter, frame)?;
        let pit = self.get_iter(&it)?;
        let closure = capture(&c.scope.freevars, frame);
        let cf = Frame::for_scope(&c.scope, &closure, c.line);
        if c.kind == CompKind::Gen {
            return Ok(Value::Special(Rc::new(Special::Gen(RefCell::new(
                GenState {
                    comp: c.clone(),
                    frame: cf,
                    iters: vec![pit],
                    unit: self.unit.clone(),
                    done: false,
                },
            )))));
        }
        let mut cf = cf;
        self.enter_call()?;
        let mut acc = match c.kind {
            CompKind::List => Value::list(Vec::new()),
            CompKind::Set => Value::Set(Rc::new(RefCell::new(super::settable::SetTable::new()))),
            _ => Value::Dict(Rc::new(RefCell::new(Dict::new()))),
        };
        let r = self.comp_level(c, 0, pit, &mut cf, &mut acc);
        self.st.depth -= 1;
        if let Err(mut e) = r {
            let unit = self.unit.clone();
            push_frame(&mut e, &unit, cf.line, c.kind.frame_name());
            return Err(e);
        }
        Ok(acc)
    }

    fn comp_level(
        &mut self,
        c: &Comp,
        level: usize,
        mut it: PyIter,
        cf: &mut Frame,
        acc: &mut Value,
    ) -> PResult<()> {
        let g = &c.generators[level];
        while let Some(v) = self.iter_next(&mut it)? {
            self.assign(&g.target, v, cf)?;
            let mut ok = true;
            for cond in &g.ifs {
                let cv = self.eval(cond, cf)?;
                if !self.truthy(&cv)? {
                    ok = false;
                    break;
                }
            }
            if !ok {
                continue;
            }
            if level + 1 < c.generators.len() {
                let nv = self.eval(&c.generators[level + 1].iter, cf)?;
                let nit = self.get_iter(&nv)?;
                self.comp_level(c, level + 1, nit, cf, acc)?;
            } else {
                match acc {
                    Value::List(l) => {
                        let v = self.eval(&c.elt, cf)?;
                        l.borrow_mut().push(v);
                    }
                    Value::Set(s) => {
                        let v = self.eval(&c.elt, cf)?;
                        let k = self.key_among(&v, || s.borrow().keys())?;
                        s.borrow_mut().insert(k);
                    }
                    Value::Dict(d) => {
                        let k = self.eval(&c.elt, cf)?;
                        let v = match &c.value {
                            Some(e) => self.eval(e, cf)?,
                            None => Value::None,
                        };
                        let k = self.key_in(&k, d)?;
                        d.borrow_mut().insert(k, v);
                    }
                    _ => {}
                }
            }
            self.poll_stop()?;
        }
        Ok(())
    }

    /// The next value of a generator expression.
    fn gen_next(&mut self, g: &Special) -> PResult<Option<Value>> {
        let Special::Gen(cell) = g else {
            return Ok(None);
        };
        let Ok(mut st) = cell.try_borrow_mut() else {
            return Err(Exc::value_error("generator already executing"));
        };
        if st.done {
            return Ok(None);
        }
        self.enter_call()?;
        let saved_unit = std::mem::replace(&mut self.unit, st.unit.clone());
        let r = self.gen_step(&mut st);
        self.unit = saved_unit;
        self.st.depth -= 1;
        match r {
            Ok(Some(v)) => Ok(Some(v)),
            Ok(None) => {
                st.done = true;
                st.iters.clear();
                Ok(None)
            }
            Err(mut e) => {
                st.done = true;
                st.iters.clear();
                let unit = st.unit.clone();
                push_frame(&mut e, &unit, st.frame.line, "<genexpr>");
                Err(e)
            }
        }
    }

    fn gen_step(&mut self, st: &mut GenState) -> PResult<Option<Value>> {
        let comp = st.comp.clone();
        loop {
            let level = match st.iters.len() {
                0 => return Ok(None),
                n => n - 1,
            };
            let next = {
                let it = &mut st.iters[level];
                self.iter_next(it)?
            };
            let Some(v) = next else {
                st.iters.pop();
                continue;
            };
            let g = &comp.generators[level];
            self.assign(&g.target, v, &mut st.frame)?;
            let mut ok = true;
            for cond in &g.ifs {
                let cv = self.eval(cond, &mut st.frame)?;
                if !self.truthy(&cv)? {
                    ok = false;
                    break;
                }
            }
            if !ok {
                continue;
            }
            if level + 1 < comp.generators.len() {
                let nv = self.eval(&comp.generators[level + 1].iter, &mut st.frame)?;
                let nit = self.get_iter(&nv)?;
                st.iters.push(nit);
                continue;
            }
            return self.eval(&comp.elt, &mut st.frame).map(Some);
        }
    }

    /// An iterator over `v` (`iter(v)` on the Rust side).
    pub fn get_iter(&mut self, v: &Value) -> PResult<PyIter> {
        Ok(match v {
            Value::Range(r) => PyIter::Range {
                next: r.start,
                step: r.step,
                left: r.len(),
            },
            Value::List(l) => PyIter::List(l.clone(), 0),
            Value::Tuple(t) => PyIter::Items((**t).clone().into_iter()),
            Value::Iterator(it) => PyIter::Obj(it.clone()),
            Value::Special(s) if matches!(**s, Special::Gen(_)) => PyIter::Gen(s.clone()),
            Value::Instance(_) => return classes::instance_iter(self, v),
            // Dicts and sets step through their entry table, so a size change during the
            // loop is Python's RuntimeError.
            Value::Dict(_) | Value::Set(_) => PyIter::Native(super::objects::iters::get_iter(v)?),
            Value::Native(n) => match n.0.iter(v) {
                Some(it) => {
                    let it = it?;
                    match &it {
                        Value::Native(_) => PyIter::Native(it),
                        _ if ops::is(&it, v) => {
                            return Err(Exc::type_error(format!(
                                "'{}' object is not iterable",
                                v.type_name()
                            )))
                        }
                        _ => return self.get_iter(&it),
                    }
                }
                None => {
                    return Err(Exc::type_error(format!(
                        "'{}' object is not iterable",
                        v.type_name()
                    )))
                }
            },
            _ => PyIter::Items(ops::iterate(v)?.into_iter()),
        })
    }

    /// The next item of an iterator, None at its end.
    pub fn iter_next(&mut self, it: &mut PyIter) -> PResult<Option<Value>> {
        match it {
            PyIter::Range { next, step, left } => {
                if *left <= 0 {
                    return Ok(None);
                }
                let v = *next;
                *left -= 1;
                *next = next.wrapping_add(*step);
                Ok(Some(Value::Int(v)))
            }
            PyIter::List(l, i) => {
                let v = l.borrow().get(*i).cloned();
                *i += 1;
                Ok(v)
            }
            PyIter::Items(items) => Ok(items.next()),
            PyIter::Obj(o) => {
                let mut b = o.borrow_mut();
                let pos = b.pos;
                match b.items.get(pos).cloned() {
                    Some(v) => {
                        b.pos += 1;
                        Ok(Some(v))
                    }
                    None => Ok(None),
                }
            }
            PyIter::Gen(g) => {
                let g = g.clone();
                self.gen_next(&g)
            }
            PyIter::User(obj) => {
                let obj = obj.clone();
                classes::user_next(self, &obj)
            }
            PyIter::Native(n) => {
                let n = n.clone();
                self.next_item(&n)
            }
            PyIter::GetItem(obj, i) => {
                let obj = obj.clone();
                let idx = Value::Int(*i);
                *i += 1;
                match classes::get_item(self, &obj, idx) {
                    Ok(v) => Ok(Some(v)),
                    Err(Exc::Raise(r))
                        if matches!(r.exc.kind(), ExcKind::IndexError | ExcKind::StopIteration) =>
                    {
                        Ok(None)
                    }
                    Err(e) => Err(e),
                }
            }
        }
    }

    /// The items of an iterable.
    pub fn iterate(&mut self, v: &Value) -> PResult<Vec<Value>> {
        match v {
            Value::Native(_) => self.collect_native(v),
            Value::Instance(_) | Value::Special(_) => {
                let mut it = self.get_iter(v)?;
                let mut out = Vec::new();
                while let Some(x) = self.iter_next(&mut it)? {
                    out.push(x);
                }
                Ok(out)
            }
            _ => ops::iterate(v),
        }
    }

    /// A dict key (user classes' `__hash__` included).
    pub fn key(&mut self, v: &Value) -> PResult<super::value::HashKey> {
        match v {
            Value::Instance(_) => Ok(super::value::HashKey {
                hash: classes::hash(self, v)?,
                value: v.clone(),
            }),
            _ => ops::key(v),
        }
    }

    /// The key `v` is in a dict or set whose keys are `keys`: an instance with a user `__eq__`
    /// finds an equal key of the same hash (the table itself compares instances by identity).
    pub fn key_among(
        &mut self,
        v: &Value,
        keys: impl FnOnce() -> Vec<Value>,
    ) -> PResult<super::value::HashKey> {
        let k = self.key(v)?;
        let eq = self.st.syms.eq;
        if !classes::has_special(v, eq) {
            return Ok(k);
        }
        for cand in keys() {
            if !matches!(cand, Value::Instance(_)) || ops::is(&cand, v) {
                continue;
            }
            if self.hash(&cand)? == k.hash && self.eq(&cand, v)? {
                return Ok(super::value::HashKey {
                    hash: k.hash,
                    value: cand,
                });
            }
        }
        Ok(k)
    }

    /// [`Vm::key_among`] the keys of a dict or set value.
    pub fn key_in(&mut self, v: &Value, d: &RefCell<Dict>) -> PResult<super::value::HashKey> {
        self.key_among(v, || d.borrow().keys())
    }

    /// `hash(v)`.
    pub fn hash(&mut self, v: &Value) -> PResult<i64> {
        match v {
            Value::Instance(_) => classes::hash(self, v),
            _ => ops::hash_value(v),
        }
    }

    /// `len(v)`.
    pub fn len(&mut self, v: &Value) -> PResult<usize> {
        match v {
            Value::Instance(_) => classes::len(self, v),
            // A native object may call back into the interpreter (a packet's campaign hooks).
            Value::Native(_) => super::callback::lend(self, || ops::len(v))?,
            _ => ops::len(v),
        }
    }

    /// `obj[index]`.
    pub fn get_item(&mut self, o: &Value, i: &Value) -> PResult<Value> {
        if classes::is_user(o) || classes::is_user(i) || matches!(i, Value::Special(_)) {
            return classes::get_item(self, o, i.clone());
        }
        ops::get_item(o, i)
    }

    /// A binary operator.
    #[inline]
    pub fn binary(&mut self, op: BinOp, a: &Value, b: &Value) -> PResult<Value> {
        if op == BinOp::Mod
            && matches!(a, Value::Str(_) | Value::Bytes(_))
            && classes::needs_shown(b)
        {
            return super::printf::format_with_vm(self, a, b);
        }
        if classes::is_user(a) || classes::is_user(b) {
            return classes::binary(self, op, a.clone(), b.clone());
        }
        ops::binary(op, a, b)
    }

    /// A comparison operator.
    pub fn compare(&mut self, op: CmpOp, a: &Value, b: &Value) -> PResult<bool> {
        if classes::is_user(a) || classes::is_user(b) {
            return classes::compare(self, op, a, b);
        }
        Ok(match op {
            CmpOp::Eq => self.eq(a, b)?,
            CmpOp::Ne => !self.eq(a, b)?,
            CmpOp::Is => ops::is(a, b),
            CmpOp::IsNot => !ops::is(a, b),
            CmpOp::In => self.contains(b, a)?,
            CmpOp::NotIn => !self.contains(b, a)?,
            _ => ops::compare(op, a, b)?,
        })
    }

    /// `a == b` (elements of lists and tuples compared with user `__eq__` when they have one).
    pub fn eq(&mut self, a: &Value, b: &Value) -> PResult<bool> {
        match (a, b) {
            (Value::List(x), Value::List(y)) => {
                if Rc::ptr_eq(x, y) {
                    return Ok(true);
                }
                let (x, y) = (x.borrow().clone(), y.borrow().clone());
                self.seq_eq(&x, &y)
            }
            (Value::Tuple(x), Value::Tuple(y)) => {
                let (x, y) = (x.clone(), y.clone());
                self.seq_eq(&x, &y)
            }
            _ if classes::is_user(a) || classes::is_user(b) => {
                classes::compare(self, CmpOp::Eq, a, b)
            }
            _ => Ok(ops::eq(a, b)),
        }
    }

    fn seq_eq(&mut self, x: &[Value], y: &[Value]) -> PResult<bool> {
        if x.len() != y.len() {
            return Ok(false);
        }
        for (p, q) in x.iter().zip(y) {
            if !ops::is(p, q) && !self.eq(p, q)? {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// `item in container`.
    pub fn contains(&mut self, container: &Value, item: &Value) -> PResult<bool> {
        match container {
            Value::List(_) | Value::Tuple(_) if classes::is_user(item) => {
                for x in self.iterate(container)? {
                    if ops::is(&x, item) || self.eq(&x, item)? {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
            Value::Dict(d) if classes::is_user(item) => {
                let k = self.key_in(item, d)?;
                Ok(d.borrow().get(&k).is_some())
            }
            Value::Set(s) if classes::is_user(item) => {
                let k = self.key_among(item, || s.borrow().keys())?;
                Ok(s.borrow().contains(&k))
            }
            Value::Native(n) => {
                if let Some(r) = n.0.contains(item) {
                    return r;
                }
                // Lazy iterators are stepped only as far as needed.
                let mut it = self.get_iter(container).map_err(|e| {
                    if super::objects::is_not_iterable(&e) {
                        Exc::type_error(format!(
                            "argument of type '{}' is not iterable",
                            container.type_name()
                        ))
                    } else {
                        e
                    }
                })?;
                while let Some(x) = self.iter_next(&mut it)? {
                    if ops::is(&x, item) || self.eq(&x, item)? {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
            Value::Special(_) => {
                let mut it = self.get_iter(container)?;
                while let Some(x) = self.iter_next(&mut it)? {
                    if ops::is(&x, item) || self.eq(&x, item)? {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
            _ => ops::contains(container, item),
        }
    }

    /// `obj.name` as a value.
    pub fn get_attr(&mut self, o: Value, name: Sym) -> PResult<Value> {
        if let Value::Instance(inst) = &o {
            if !inst.class.has_flag(super::value::class_flags::HAS_PROPERTY) {
                if let Some(v) = inst.dict.borrow().get(name) {
                    return Ok(v.clone());
                }
            }
        }
        match &o {
            Value::Instance(_)
            | Value::Method(_)
            | Value::Special(_)
            | Value::Function(_)
            | Value::Exception(_) => return classes::get_attr(self, o, name),
            Value::Class(c) if c.user || classes::is_class_special(self, name) => {
                return classes::get_attr(self, o, name)
            }
            _ => {}
        }
        self.builtin_get_attr(o, name)
    }

    /// `obj.name = v`.
    pub fn set_attr(&mut self, o: &Value, name: Sym, v: Value) -> PResult<()> {
        if let Value::Instance(inst) = o {
            if inst.class.user && inst.class.flags.get() == 0 {
                inst.dict.borrow_mut().set(name, v);
                return Ok(());
            }
        }
        classes::set_attr(self, o, name, v)
    }

    /// Attributes of builtin values.
    fn builtin_get_attr(&mut self, o: Value, name: Sym) -> PResult<Value> {
        let attr = self.st.interner.name(name).to_string();
        match (&o, attr.as_str()) {
            (Value::Class(c), "__name__" | "__qualname__") => {
                return Ok(Value::str(c.name.clone()))
            }
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
            (Value::Native(n), a) => {
                if let Some(r) = n.0.get_attr(self, &o, a) {
                    return r;
                }
                if a == "__class__" && n.0.type_tag() == TypeTag::Native {
                    let name = n.0.type_name().to_string();
                    return Ok(Value::Class(super::objects::native_class(self, &name)));
                }
            }
            (_, "__class__") => return Ok(Value::Class(self.st.types.class_of(&o))),
            _ => {}
        }
        if methods::has_method(&o, &attr) {
            return Ok(Value::BoundMethod(Rc::new(super::value::BoundMethod {
                receiver: o,
                name,
                name_str: Rc::from(attr.as_str()),
            })));
        }
        if let Some(m) = super::subclass::special_attr(self, &o, name) {
            return Ok(m);
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
            Value::Method(m) => {
                let mut args = Vec::with_capacity(pos.len() + 1);
                args.push(m.receiver.clone());
                args.extend(pos);
                let func = m.func.clone();
                self.call(&func, args, kw)
            }
            Value::Class(c) => {
                if c.user || classes::constructs(c) {
                    return classes::construct(self, c, pos, kw);
                }
                builtins::construct(self, c, pos, kw)
            }
            Value::Instance(_) | Value::Special(_) => classes::call_object(self, f, pos, kw),
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

    /// Calls a function defined with `def` or `lambda`.
    pub fn call_function(
        &mut self,
        func: &Rc<Function>,
        pos: Vec<Value>,
        kw: Vec<(Sym, Value)>,
    ) -> PResult<Value> {
        let def = &func.def;
        if kw.is_empty() && takes_exactly(def, pos.len()) {
            // The common call: the arguments become the first local slots.
            let mut locals = self.take_locals(def.scope.nlocals);
            locals.extend(pos.into_iter().map(Some));
            return self.run_call(func, locals);
        }
        self.enter_call()?;
        match self.bind_args(func, pos, kw) {
            Ok(frame) => self.run_frame(func, frame),
            Err(e) => {
                self.st.depth -= 1;
                Err(e)
            }
        }
    }

    /// Calls `func` with `receiver` (if any) then `args` evaluated straight into the new
    /// frame's local slots, when the call is plain positional and matches the parameters
    /// exactly; `None` when it is not (the caller takes the general path).
    #[inline]
    fn call_direct(
        &mut self,
        func: &Rc<Function>,
        receiver: Option<&Value>,
        args: &[Arg],
        frame: &mut Frame,
    ) -> Option<PResult<Value>> {
        let given = args.len() + receiver.is_some() as usize;
        if !takes_exactly(&func.def, given) || !args.iter().all(|a| matches!(a, Arg::Pos(_))) {
            return None;
        }
        let mut locals = self.take_locals(func.def.scope.nlocals);
        if let Some(r) = receiver {
            locals.push(Some(r.clone()));
        }
        for a in args {
            if let Arg::Pos(e) = a {
                match self.eval_leaf(e, frame) {
                    Ok(v) => locals.push(Some(v)),
                    Err(e) => {
                        self.recycle_locals(locals);
                        return Some(Err(e));
                    }
                }
            }
        }
        Some(self.run_call(func, locals))
    }

    /// An empty local-slot vector with room for `n`, from the pool when it has one.
    #[inline]
    fn take_locals(&mut self, n: usize) -> Vec<Option<Value>> {
        match self.st.locals_pool.pop() {
            Some(mut v) => {
                v.reserve(n);
                v
            }
            None => Vec::with_capacity(n),
        }
    }

    /// Returns a local-slot vector to the pool, its values dropped.
    #[inline]
    fn recycle_locals(&mut self, mut v: Vec<Option<Value>>) {
        if self.st.locals_pool.len() < LOCALS_POOL_MAX && v.capacity() <= 256 {
            v.clear();
            self.st.locals_pool.push(v);
        }
    }

    /// Runs `func` with its parameters bound in the first slots of `locals`.
    fn run_call(&mut self, func: &Rc<Function>, mut locals: Vec<Option<Value>>) -> PResult<Value> {
        if let Err(e) = self.enter_call() {
            self.recycle_locals(locals);
            return Err(e);
        }
        let def = &func.def;
        if locals.len() < def.scope.nlocals {
            locals.resize(def.scope.nlocals, None);
        }
        let frame = Frame::with_locals(&def.scope, &func.closure, def.line, locals);
        self.run_frame(func, frame)
    }

    /// Runs the body of `func` in `frame` (the call depth already counted), then recycles the
    /// frame's local slots.
    fn run_frame(&mut self, func: &Rc<Function>, mut frame: Frame) -> PResult<Value> {
        let def = &func.def;
        frame.func = Some(func.clone());
        for &(slot, cell) in &def.scope.cell_params {
            if let Some(c) = frame.cells.get(cell as usize) {
                *c.borrow_mut() = frame.locals[slot as usize].take();
            }
        }
        let r = if Rc::ptr_eq(&self.unit, &func.unit) {
            self.exec_block(&def.body, &mut frame)
        } else {
            let saved_unit = std::mem::replace(&mut self.unit, func.unit.clone());
            let r = self.exec_block(&def.body, &mut frame);
            self.unit = saved_unit;
            r
        };
        self.st.depth -= 1;
        self.recycle_locals(std::mem::take(&mut frame.locals));
        match r {
            Ok(Flow::Return(v)) => Ok(v),
            Ok(_) => Ok(Value::None),
            Err(mut e) => {
                push_frame(&mut e, &func.unit, frame.line, &func.name);
                Err(e)
            }
        }
    }

    /// The qualified name error messages use (`C.method`, `outer.<locals>.inner`).
    fn qualname(&self, func: &Function) -> String {
        match &*func.class.borrow() {
            Some(c) => format!("{}.{}", c.name, func.name),
            None => func.name.to_string(),
        }
    }

    /// Binds call arguments to a new frame's parameter slots, with Python's errors.
    #[inline(never)]
    fn bind_args(
        &mut self,
        func: &Rc<Function>,
        pos: Vec<Value>,
        kw: Vec<(Sym, Value)>,
    ) -> PResult<Frame> {
        let def = &func.def;
        let mut frame = Frame::for_scope(&def.scope, &func.closure, def.line);
        if frame.locals.len() < def.nparams() {
            frame.locals.resize(def.nparams(), None);
        }
        self.bind_slow(func, pos, kw, &mut frame.locals)?;
        Ok(frame)
    }

    #[inline(never)]
    fn bind_slow(
        &mut self,
        func: &Function,
        pos: Vec<Value>,
        kw: Vec<(Sym, Value)>,
        locals: &mut [Option<Value>],
    ) -> PResult<()> {
        let def = &func.def;
        let qual = self.qualname(func);
        let nparams = def.params.len();
        let nkwonly = def.kwonly.len();
        let vararg_slot = nparams + nkwonly;
        let kwarg_slot = vararg_slot + def.vararg.is_some() as usize;
        let npos_given = pos.len();
        let mut extra = Vec::new();
        for (i, v) in pos.into_iter().enumerate() {
            if i < nparams {
                locals[i] = Some(v);
            } else {
                extra.push(v);
            }
        }
        if def.vararg.is_some() {
            locals[vararg_slot] = Some(Value::tuple(std::mem::take(&mut extra)));
        }
        let kw_given = kw
            .iter()
            .filter(|(k, _)| def.kwonly.iter().any(|p| p.name == *k))
            .count();
        let mut kwargs = def.kwarg.map(|_| Dict::new());
        let mut posonly_as_kw = Vec::new();
        for (name, v) in kw {
            let found = def
                .params
                .iter()
                .position(|p| p.name == name)
                .filter(|&i| i >= def.posonly)
                .or_else(|| {
                    def.kwonly
                        .iter()
                        .position(|p| p.name == name)
                        .map(|i| nparams + i)
                });
            match found {
                Some(i) => {
                    if locals[i].is_some() {
                        return Err(Exc::type_error(format!(
                            "{}() got multiple values for argument '{}'",
                            qual,
                            self.st.interner.name(name)
                        )));
                    }
                    locals[i] = Some(v);
                }
                None => match &mut kwargs {
                    Some(d) => {
                        let k = Value::str(self.st.interner.name(name));
                        d.insert(ops::key(&k)?, v);
                    }
                    None => {
                        if def.params[..def.posonly].iter().any(|p| p.name == name) {
                            posonly_as_kw.push(self.st.interner.name(name).to_string());
                            continue;
                        }
                        return Err(Exc::type_error(format!(
                            "{}() got an unexpected keyword argument '{}'",
                            qual,
                            self.st.interner.name(name)
                        )));
                    }
                },
            }
        }
        if !posonly_as_kw.is_empty() {
            return Err(Exc::type_error(format!(
                "{}() got some positional-only arguments passed as keyword arguments: '{}'",
                qual,
                posonly_as_kw.join(", ")
            )));
        }
        if !extra.is_empty() && def.vararg.is_none() {
            let ndef = func.defaults.len();
            let takes = if ndef > 0 {
                format!("from {} to {}", nparams - ndef, nparams)
            } else {
                nparams.to_string()
            };
            let given = if kw_given > 0 {
                format!(
                    "{} positional argument{} (and {} keyword-only argument{}) were given",
                    npos_given,
                    if npos_given == 1 { "" } else { "s" },
                    kw_given,
                    if kw_given == 1 { "" } else { "s" }
                )
            } else {
                format!(
                    "{} {} given",
                    npos_given,
                    if npos_given == 1 { "was" } else { "were" }
                )
            };
            return Err(Exc::type_error(format!(
                "{}() takes {} positional argument{} but {}",
                qual,
                takes,
                if nparams == 1 && ndef == 0 { "" } else { "s" },
                given
            )));
        }
        if let Some(d) = kwargs {
            locals[kwarg_slot] = Some(Value::Dict(Rc::new(RefCell::new(d))));
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
            return Err(missing_error(&qual, "positional", &missing));
        }
        let mut missing = Vec::new();
        for (i, p) in def.kwonly.iter().enumerate() {
            if locals[nparams + i].is_none() {
                match func.kwdefaults.get(i).cloned().flatten() {
                    Some(d) => locals[nparams + i] = Some(d),
                    None => missing.push(format!("'{}'", self.st.interner.name(p.name))),
                }
            }
        }
        if !missing.is_empty() {
            return Err(missing_error(&qual, "keyword-only", &missing));
        }
        Ok(())
    }

    /// Creates an exception value (for `except ... as e` and `raise`).
    pub fn exception_value(&self, exc: &PyExc) -> Value {
        match exc {
            PyExc::Object(o) => Value::Exception(o.clone()),
            PyExc::Native { kind, args } => Value::Exception(Rc::new(ExcObject::new(
                self.st.types.exception(*kind),
                args.clone(),
            ))),
        }
    }

    /// `repr(v)`.
    pub fn repr(&mut self, v: &Value) -> PResult<String> {
        if let Value::Native(n) = v {
            // A native object may call back into the interpreter (a packet's campaign
            // field conversions).
            return super::callback::lend(self, || n.0.repr());
        }
        classes::repr(self, v)
    }

    /// `str(v)`.
    pub fn str(&mut self, v: &Value) -> PResult<String> {
        match v {
            Value::Str(s) => Ok(s.s.clone()),
            Value::Int(i) => Ok(format::int_str(*i)),
            Value::Instance(_) | Value::Exception(_) => classes::str(self, v),
            Value::List(_) | Value::Tuple(_) | Value::Dict(_) | Value::Set(_) => self.repr(v),
            Value::Native(n) => super::callback::lend(self, || n.0.str()),
            _ => format::str(v),
        }
    }

    /// `bool(v)`.
    #[inline]
    pub fn truthy(&mut self, v: &Value) -> PResult<bool> {
        match v {
            Value::Bool(b) => Ok(*b),
            Value::Instance(_) => classes::truthy(self, v),
            _ => Ok(v.truthy()),
        }
    }

    /// The traceback text of an exception that escaped, with its chained causes and contexts,
    /// and its message (user `__str__` included).
    pub fn format_exception(&mut self, raised: &Raised) -> (String, String) {
        let mut parts: Vec<String> = Vec::new();
        let message = self.exception_message(&raised.exc);
        let mut text = super::exceptions::format_frames(&raised.tb);
        text.push_str(&super::exceptions::exception_line(
            &raised.exc.type_name(),
            &message,
        ));
        parts.push(text);
        let mut cur = match &raised.exc {
            PyExc::Object(o) => Some(o.clone()),
            PyExc::Native { .. } => None,
        };
        let mut seen: Vec<*const ExcObject> = Vec::new();
        while let Some(o) = cur.take() {
            seen.push(Rc::as_ptr(&o));
            let (next, sep) = {
                let st = o.state.borrow();
                match (&st.cause, &st.context, st.suppress_context) {
                    (Some(c), _, _) => (Some(c.clone()), super::exceptions::CAUSE_SEPARATOR),
                    (None, Some(c), false) => {
                        (Some(c.clone()), super::exceptions::CONTEXT_SEPARATOR)
                    }
                    _ => (None, ""),
                }
            };
            let Some(n) = next else { break };
            if seen.contains(&Rc::as_ptr(&n)) || seen.len() > 100 {
                break;
            }
            let exc = PyExc::Object(n.clone());
            let message = self.exception_message(&exc);
            let mut text = super::exceptions::format_frames(&n.state.borrow().tb);
            text.push_str(&super::exceptions::exception_line(
                &exc.type_name(),
                &message,
            ));
            text.push_str(sep);
            parts.push(text);
            cur = Some(n);
        }
        parts.reverse();
        (parts.concat(), message)
    }

    /// `str(exception)`, calling a user `__str__`.
    pub fn exception_message(&mut self, exc: &PyExc) -> String {
        match exc {
            PyExc::Object(o) if o.class.user => match self.str(&Value::Exception(o.clone())) {
                Ok(s) => s,
                Err(_) => "<exception str() failed>".to_string(),
            },
            _ => exc.message(),
        }
    }

    /// `cur op= rhs` for builtin values (lists, sets and dicts change in place).
    pub fn inplace_builtin(&mut self, op: BinOp, cur: Value, rhs: &Value) -> PResult<Value> {
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
                if super::settable::table_of(rhs).is_some() =>
            {
                if let Some(o) = super::settable::table_of(rhs) {
                    super::settable::inplace(op, s, &o);
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
}

/// Adds the frame an exception is leaving to its traceback.
fn push_frame(e: &mut Exc, unit: &Rc<SourceUnit>, line: u32, name: &str) {
    if let Exc::Raise(r) = e {
        if r.skip_frame {
            r.skip_frame = false;
            return;
        }
        r.tb.push(TbEntry {
            unit: unit.clone(),
            line,
            name: Rc::from(name),
        });
    }
}

/// The cells a nested scope captures from `frame` when its `def`/`lambda`/`class` runs.
fn capture(freevars: &[u32], frame: &Frame) -> Vec<CellRef> {
    freevars
        .iter()
        .map(|&i| {
            frame
                .cells
                .get(i as usize)
                .cloned()
                .unwrap_or_else(|| Rc::new(RefCell::new(None)))
        })
        .collect()
}

/// "f() missing 2 required positional arguments: 'a' and 'b'".
fn missing_error(qual: &str, what: &str, missing: &[String]) -> Exc {
    let n = missing.len();
    let list = match n {
        1 => missing[0].clone(),
        2 => format!("{} and {}", missing[0], missing[1]),
        _ => format!("{}, and {}", missing[..n - 1].join(", "), missing[n - 1]),
    };
    Exc::type_error(format!(
        "{}() missing {} required {} argument{}: {}",
        qual,
        n,
        what,
        if n == 1 { "" } else { "s" },
        list
    ))
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

/// Whether `def` takes exactly `n` positional arguments and nothing else (no defaults used,
/// no `*args`, `**kwargs` or keyword-only parameters): the calls that bind without checks.
#[inline]
fn takes_exactly(def: &FuncDef, n: usize) -> bool {
    def.params.len() == n && def.vararg.is_none() && def.kwarg.is_none() && def.kwonly.is_empty()
}
