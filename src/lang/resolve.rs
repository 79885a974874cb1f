//! Name resolution, run once after parsing: binds every name to a local slot, a closure cell,
//! a class namespace or the session's globals, marks the console's echoed expression
//! statements, and rejects what Python rejects at compile time (`return` outside a function,
//! `break` outside a loop, `nonlocal` without a binding, ...).
//!
//! Scopes follow Python 3: functions, lambdas and comprehensions have their own locals; a class
//! body has a namespace its methods do not see; a variable of a function that a nested scope
//! uses lives in a cell shared by both (the resolver finds them first: `free_names` computes
//! what a nested scope takes from outside).

use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use super::ast::*;
use super::error::SyntaxErr;
use super::source::SourceUnit;
use super::symbols::Interner;
use super::value::Value;

/// Deepest expression nesting we compile (the interpreter recurses once per level).
const MAX_EXPR_DEPTH: usize = 1000;

/// How the code will run.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Interactive: top-level expression statements echo their value.
    Console,
    /// A module: nothing echoes.
    Module,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Function,
    Class,
    Comp,
}

/// A scope being resolved.
struct Ctx {
    kind: Kind,
    locals: HashMap<Sym, u32>,
    cells: HashMap<Sym, u32>,
    globals: HashSet<Sym>,
    /// Names a class body binds (they live in its namespace).
    class_bound: HashSet<Sym>,
}

struct Resolver<'a> {
    unit: &'a SourceUnit,
    interner: &'a Interner,
    mode: Mode,
    /// The enclosing scopes, innermost last (empty at module level).
    scopes: Vec<Ctx>,
    loop_depth: usize,
    /// The compiler's SyntaxWarnings: (line, message).
    warnings: Vec<(u32, String)>,
}

/// Resolves a parsed unit in place.
pub fn resolve(
    stmts: &mut [Stmt],
    unit: &SourceUnit,
    interner: &Interner,
    mode: Mode,
) -> Result<(), SyntaxErr> {
    resolve_with_warnings(stmts, unit, interner, mode).map(|_| ())
}

/// [`resolve`], returning the SyntaxWarnings CPython's compiler gives for the unit
/// (`5()`, `1[0]`, `[1]["a"]`: "... perhaps you missed a comma?"), as (line, message).
pub fn resolve_with_warnings(
    stmts: &mut [Stmt],
    unit: &SourceUnit,
    interner: &Interner,
    mode: Mode,
) -> Result<Vec<(u32, String)>, SyntaxErr> {
    let mut r = Resolver {
        unit,
        interner,
        mode,
        scopes: Vec::new(),
        loop_depth: 0,
        warnings: Vec::new(),
    };
    r.block(stmts)?;
    Ok(r.warnings)
}

/// The type of an expression known from its form alone (CPython's `infer_type`).
fn infer_type(e: &Expr) -> Option<&'static str> {
    Some(match e {
        Expr::Tuple(_) => "tuple",
        Expr::List(_) => "list",
        Expr::Dict(_) => "dict",
        Expr::Set(_) => "set",
        Expr::Comp(c) => match c.kind {
            CompKind::List => "list",
            CompKind::Set => "set",
            CompKind::Dict => "dict",
            CompKind::Gen => "generator",
        },
        Expr::Lambda(_) => "function",
        Expr::FString(_) => "str",
        Expr::Const(v) => match v {
            Value::None => "NoneType",
            Value::Bool(_) => "bool",
            Value::Int(_) | Value::BigInt(_) => "int",
            Value::Float(_) => "float",
            Value::Str(_) => "str",
            Value::Bytes(_) => "bytes",
            Value::Tuple(_) => "tuple",
            Value::Ellipsis => "ellipsis",
            _ => return None,
        },
        _ => return None,
    })
}

/// CPython's compile-time checks of calls and subscripts of literals.
fn call_warning(f: &Expr) -> Option<String> {
    let literal = matches!(
        f,
        Expr::Const(_)
            | Expr::Tuple(_)
            | Expr::List(_)
            | Expr::Dict(_)
            | Expr::Set(_)
            | Expr::Comp(_)
            | Expr::FString(_)
    );
    let t = infer_type(f).filter(|_| literal)?;
    Some(format!(
        "'{t}' object is not callable; perhaps you missed a comma?"
    ))
}

fn subscript_warnings(value: &Expr, index: &Expr) -> Vec<String> {
    let mut out = Vec::new();
    let not_subscriptable = match value {
        Expr::Const(v) => !matches!(v, Value::Str(_) | Value::Bytes(_) | Value::Tuple(_)),
        Expr::Set(_) | Expr::Lambda(_) => true,
        Expr::Comp(c) => matches!(c.kind, CompKind::Set | CompKind::Gen),
        _ => false,
    };
    if not_subscriptable {
        if let Some(t) = infer_type(value) {
            out.push(format!(
                "'{t}' object is not subscriptable; perhaps you missed a comma?"
            ));
        }
    }
    let sequence = match value {
        Expr::Const(v) => matches!(v, Value::Str(_) | Value::Bytes(_) | Value::Tuple(_)),
        Expr::Tuple(_) | Expr::List(_) | Expr::FString(_) => true,
        Expr::Comp(c) => matches!(c.kind, CompKind::List),
        _ => false,
    };
    if sequence {
        if let (Some(vt), Some(it)) = (infer_type(value), infer_type(index)) {
            if it != "int" && it != "bool" {
                out.push(format!(
                    "{vt} indices must be integers or slices, not {it}; perhaps you missed a comma?"
                ));
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// What a scope binds and uses (the first pass).

/// Names a scope binds, uses and declares, and what its nested scopes take from outside.
#[derive(Default)]
struct Info {
    bound: Vec<Sym>,
    used: Vec<Sym>,
    globals: Vec<Sym>,
    nonlocals: Vec<Sym>,
    child_free: Vec<Sym>,
}

fn push_unique(v: &mut Vec<Sym>, s: Sym) {
    if !v.contains(&s) {
        v.push(s);
    }
}

impl Info {
    fn bind(&mut self, s: Sym) {
        push_unique(&mut self.bound, s);
    }
    fn use_(&mut self, s: Sym) {
        push_unique(&mut self.used, s);
    }
    fn target(&mut self, t: &Target) {
        match t {
            Target::Name(n) => self.bind(n.sym),
            Target::Attr(o, _) => self.expr(o),
            Target::Subscript(o, i) => {
                self.expr(o);
                self.expr(i);
            }
            Target::Seq(items) => {
                for i in items {
                    self.target(i);
                }
            }
            Target::Starred(t) => self.target(t),
        }
    }
    fn args(&mut self, args: &[Arg]) {
        for a in args {
            match a {
                Arg::Pos(e) | Arg::Star(e) | Arg::Kw(_, e) | Arg::DStar(e) => self.expr(e),
            }
        }
    }
    fn func_outer(&mut self, def: &FuncDef) {
        for d in &def.decorators {
            self.expr(d);
        }
        for p in def.params.iter().chain(&def.kwonly) {
            if let Some(d) = &p.default {
                self.expr(d);
            }
        }
        for s in free_of_function(def) {
            push_unique(&mut self.child_free, s);
        }
    }
    fn block(&mut self, stmts: &[Stmt]) {
        for s in stmts {
            self.stmt(s);
        }
    }
    fn stmt(&mut self, s: &Stmt) {
        match &s.kind {
            StmtKind::Expr { value, .. } => self.expr(value),
            StmtKind::Assign { targets, value } => {
                self.expr(value);
                for t in targets {
                    self.target(t);
                }
            }
            StmtKind::AugAssign { target, value, .. } => {
                self.expr(value);
                if let Target::Name(n) = target {
                    self.use_(n.sym);
                }
                self.target(target);
            }
            StmtKind::Del(targets) => {
                for t in targets {
                    self.target(t);
                }
            }
            StmtKind::Pass | StmtKind::Break | StmtKind::Continue => {}
            StmtKind::Return(v) => {
                if let Some(v) = v {
                    self.expr(v);
                }
            }
            StmtKind::Raise { exc, cause } => {
                for e in [exc, cause].into_iter().flatten() {
                    self.expr(e);
                }
            }
            StmtKind::Assert { test, msg } => {
                self.expr(test);
                if let Some(m) = msg {
                    self.expr(m);
                }
            }
            StmtKind::Global(names) => {
                for n in names {
                    push_unique(&mut self.globals, *n);
                }
            }
            StmtKind::Nonlocal(names) => {
                for n in names {
                    push_unique(&mut self.nonlocals, *n);
                }
            }
            StmtKind::If { branches, orelse } => {
                for (t, b) in branches {
                    self.expr(t);
                    self.block(b);
                }
                self.block(orelse);
            }
            StmtKind::While { test, body, orelse } => {
                self.expr(test);
                self.block(body);
                self.block(orelse);
            }
            StmtKind::For {
                target,
                iter,
                body,
                orelse,
            } => {
                self.expr(iter);
                self.target(target);
                self.block(body);
                self.block(orelse);
            }
            StmtKind::Def(def) => {
                self.func_outer(def);
                self.bind(def.name);
            }
            StmtKind::Class(c) => {
                for d in &c.decorators {
                    self.expr(d);
                }
                self.args(&c.bases);
                for s in free_of_class(c) {
                    push_unique(&mut self.child_free, s);
                }
                self.bind(c.name);
            }
            StmtKind::Try {
                body,
                handlers,
                orelse,
                finalbody,
            } => {
                self.block(body);
                for h in handlers {
                    if let Some(t) = &h.typ {
                        self.expr(t);
                    }
                    if let Some(n) = &h.name {
                        self.bind(n.sym);
                    }
                    self.block(&h.body);
                }
                self.block(orelse);
                self.block(finalbody);
            }
            StmtKind::With { items, body } => {
                for (e, t) in items {
                    self.expr(e);
                    if let Some(t) = t {
                        self.target(t);
                    }
                }
                self.block(body);
            }
            StmtKind::Import(aliases) => {
                for a in aliases {
                    self.bind(a.target.sym);
                }
            }
            StmtKind::ImportFrom { names, .. } => {
                for (_, n) in names.iter().flatten() {
                    self.bind(n.sym);
                }
            }
        }
    }
    fn fparts(&mut self, parts: &[FPart]) {
        for p in parts {
            if let FPart::Field { expr, spec, .. } = p {
                self.expr(expr);
                self.fparts(spec);
            }
        }
    }
    fn expr(&mut self, e: &Expr) {
        match e {
            Expr::Const(_) => {}
            Expr::Name(n) => self.use_(n.sym),
            Expr::Tuple(v) | Expr::List(v) | Expr::Set(v) => {
                for x in v {
                    self.expr(x);
                }
            }
            Expr::Dict(items) => {
                for i in items {
                    match i {
                        DictItem::Pair(k, v) => {
                            self.expr(k);
                            self.expr(v);
                        }
                        DictItem::Splat(x) => self.expr(x),
                    }
                }
            }
            Expr::Starred(x) | Expr::Unary(_, x) | Expr::Not(x) | Expr::Attr(x, _) => self.expr(x),
            Expr::Slice(parts) => {
                for p in parts.iter().flatten() {
                    self.expr(p);
                }
            }
            Expr::Binary(l, _, r) | Expr::And(l, r) | Expr::Or(l, r) | Expr::Subscript(l, r) => {
                self.expr(l);
                self.expr(r);
            }
            Expr::Compare(l, rest) => {
                self.expr(l);
                for (_, x) in rest {
                    self.expr(x);
                }
            }
            Expr::IfExp(parts) => {
                for p in parts.iter() {
                    self.expr(p);
                }
            }
            Expr::Call(f, args) => {
                self.expr(f);
                self.args(args);
            }
            Expr::MethodCall(o, _, args) => {
                self.expr(o);
                self.args(args);
            }
            Expr::Lambda(def) => self.func_outer(def),
            Expr::Comp(c) => {
                if let Some(g) = c.generators.first() {
                    self.expr(&g.iter);
                }
                for s in free_of_comp(c) {
                    push_unique(&mut self.child_free, s);
                }
            }
            Expr::FString(parts) => self.fparts(parts),
        }
    }
}

/// The names a function takes from enclosing scopes (its free variables, including those its
/// nested scopes take through it).
fn free_of_function(def: &FuncDef) -> Vec<Sym> {
    let mut info = Info::default();
    for p in def.params.iter().chain(&def.kwonly) {
        info.bind(p.name);
    }
    for s in def.vararg.iter().chain(&def.kwarg) {
        info.bind(*s);
    }
    info.block(&def.body);
    free_from(info, false)
}

fn free_of_class(c: &ClassDef) -> Vec<Sym> {
    let mut info = Info::default();
    info.block(&c.body);
    free_from(info, true)
}

fn free_of_comp(c: &Comp) -> Vec<Sym> {
    let mut info = Info::default();
    for (i, g) in c.generators.iter().enumerate() {
        if i > 0 {
            info.expr(&g.iter);
        }
        info.target(&g.target);
        for cond in &g.ifs {
            info.expr(cond);
        }
    }
    info.expr(&c.elt);
    if let Some(v) = &c.value {
        info.expr(v);
    }
    free_from(info, false)
}

fn free_from(info: Info, class: bool) -> Vec<Sym> {
    let mut out = Vec::new();
    let local = |s: &Sym| info.bound.contains(s) && !info.nonlocals.contains(s);
    for s in &info.used {
        if !local(s) && !info.globals.contains(s) {
            push_unique(&mut out, *s);
        }
    }
    for s in &info.child_free {
        // A class body's names are not visible to its methods: their free names pass through.
        if class || (!local(s) && !info.globals.contains(s)) {
            push_unique(&mut out, *s);
        }
    }
    for s in &info.nonlocals {
        push_unique(&mut out, *s);
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Binding names (the second pass).

impl Resolver<'_> {
    fn err(&self, line: u32, msg: impl Into<String>) -> SyntaxErr {
        let at = self.unit.offset_of_line(line);
        SyntaxErr::new(msg, at, at + 1)
    }

    fn block(&mut self, stmts: &mut [Stmt]) -> Result<(), SyntaxErr> {
        for s in stmts {
            self.stmt(s)?;
        }
        Ok(())
    }

    fn in_function(&self) -> bool {
        self.scopes
            .iter()
            .rev()
            .find(|c| c.kind != Kind::Comp)
            .is_some_and(|c| c.kind == Kind::Function)
    }

    fn stmt(&mut self, s: &mut Stmt) -> Result<(), SyntaxErr> {
        let line = s.line;
        match &mut s.kind {
            StmtKind::Expr { value, echo } => {
                *echo = self.mode == Mode::Console && self.scopes.is_empty();
                self.expr(value, line, 0)?;
            }
            StmtKind::Assign { targets, value } => {
                self.expr(value, line, 0)?;
                for t in targets {
                    self.target(t, line)?;
                }
            }
            StmtKind::AugAssign { target, value, .. } => {
                self.expr(value, line, 0)?;
                self.target(target, line)?;
            }
            StmtKind::Del(targets) => {
                for t in targets {
                    self.target(t, line)?;
                }
            }
            StmtKind::Pass | StmtKind::Global(_) => {}
            StmtKind::Nonlocal(names) => {
                if self.scopes.is_empty() {
                    return Err(self.err(line, "nonlocal declaration not allowed at module level"));
                }
                for n in names.iter() {
                    let found = self.scopes.last().is_some_and(|c| c.cells.contains_key(n));
                    if !found {
                        return Err(self.err(
                            line,
                            format!("no binding for nonlocal '{}' found", self.interner.name(*n)),
                        ));
                    }
                }
            }
            StmtKind::Break => {
                if self.loop_depth == 0 {
                    return Err(self.err(line, "'break' outside loop"));
                }
            }
            StmtKind::Continue => {
                if self.loop_depth == 0 {
                    return Err(self.err(line, "'continue' not properly in loop"));
                }
            }
            StmtKind::Return(v) => {
                if !self.in_function() {
                    return Err(self.err(line, "'return' outside function"));
                }
                if let Some(v) = v {
                    self.expr(v, line, 0)?;
                }
            }
            StmtKind::Raise { exc, cause } => {
                for e in [exc, cause].into_iter().flatten() {
                    self.expr(e, line, 0)?;
                }
            }
            StmtKind::Assert { test, msg } => {
                self.expr(test, line, 0)?;
                if let Some(m) = msg {
                    self.expr(m, line, 0)?;
                }
            }
            StmtKind::If { branches, orelse } => {
                for (t, b) in branches {
                    self.expr(t, line, 0)?;
                    self.block(b)?;
                }
                self.block(orelse)?;
            }
            StmtKind::While { test, body, orelse } => {
                self.expr(test, line, 0)?;
                self.loop_depth += 1;
                self.block(body)?;
                self.loop_depth -= 1;
                self.block(orelse)?;
            }
            StmtKind::For {
                target,
                iter,
                body,
                orelse,
            } => {
                self.expr(iter, line, 0)?;
                self.target(target, line)?;
                self.loop_depth += 1;
                self.block(body)?;
                self.loop_depth -= 1;
                self.block(orelse)?;
            }
            StmtKind::Def(def) => {
                let Some(def) = Rc::get_mut(def) else {
                    return Err(self.err(line, "internal error: function resolved twice"));
                };
                self.function(def, line)?;
                let mut n = Name {
                    sym: def.name,
                    scope: Scope::Global,
                };
                self.name(&mut n, line)?;
                def.name_scope = n.scope;
            }
            StmtKind::Class(c) => {
                let Some(c) = Rc::get_mut(c) else {
                    return Err(self.err(line, "internal error: class resolved twice"));
                };
                self.class(c, line)?;
                let mut n = Name {
                    sym: c.name,
                    scope: Scope::Global,
                };
                self.name(&mut n, line)?;
                c.name_scope = n.scope;
            }
            StmtKind::Try {
                body,
                handlers,
                orelse,
                finalbody,
            } => {
                self.block(body)?;
                for h in handlers {
                    if let Some(t) = &mut h.typ {
                        self.expr(t, h.line, 0)?;
                    }
                    if let Some(n) = &mut h.name {
                        self.name(n, h.line)?;
                    }
                    self.block(&mut h.body)?;
                }
                self.block(orelse)?;
                self.block(finalbody)?;
            }
            StmtKind::With { items, body } => {
                for (e, t) in items {
                    self.expr(e, line, 0)?;
                    if let Some(t) = t {
                        self.target(t, line)?;
                    }
                }
                self.block(body)?;
            }
            StmtKind::Import(aliases) => {
                for a in aliases {
                    self.name(&mut a.target, line)?;
                }
            }
            StmtKind::ImportFrom { names, .. } => {
                if names.is_none() && !self.scopes.is_empty() {
                    return Err(self.err(line, "import * only allowed at module level"));
                }
                for (_, n) in names.iter_mut().flatten() {
                    self.name(n, line)?;
                }
            }
        }
        Ok(())
    }

    /// The free variables of a nested scope that the enclosing scope can pass as cells, and
    /// their indices in the enclosing frame.
    fn captured(&self, free: &[Sym]) -> Vec<(Sym, u32)> {
        let Some(outer) = self.scopes.last() else {
            return Vec::new();
        };
        free.iter()
            .filter_map(|s| outer.cells.get(s).map(|&i| (*s, i)))
            .collect()
    }

    /// Builds the layout of a function-like scope: `params` take the first slots; `info`
    /// tells what the body binds and what nested scopes use.
    fn layout(
        &self,
        params: &[Sym],
        info: &Info,
        free: &[(Sym, u32)],
        kind: Kind,
    ) -> (Ctx, ScopeLayout) {
        let mut ctx = Ctx {
            kind,
            locals: HashMap::new(),
            cells: HashMap::new(),
            globals: info.globals.iter().copied().collect(),
            class_bound: HashSet::new(),
        };
        let mut lay = ScopeLayout::default();
        let is_local = |s: &Sym| !info.globals.contains(s) && !info.nonlocals.contains(s);
        if kind == Kind::Class {
            for s in &info.bound {
                if is_local(s) {
                    ctx.class_bound.insert(*s);
                }
            }
        } else {
            for s in params.iter().chain(info.bound.iter()) {
                if is_local(s) && !ctx.locals.contains_key(s) {
                    ctx.locals.insert(*s, lay.local_names.len() as u32);
                    lay.local_names.push(*s);
                }
            }
            // Own cells: locals a nested scope uses.
            for s in &lay.local_names {
                if info.child_free.contains(s) {
                    let ci = lay.cell_names.len() as u32;
                    ctx.cells.insert(*s, ci);
                    lay.cell_names.push(*s);
                    if let Some(pi) = params.iter().position(|p| p == s) {
                        lay.cell_params.push((pi as u32, ci));
                    }
                }
            }
        }
        lay.nlocals = lay.local_names.len();
        lay.ncells = lay.cell_names.len();
        for (s, outer_idx) in free {
            if ctx.cells.contains_key(s) {
                continue;
            }
            ctx.cells.insert(*s, lay.cell_names.len() as u32);
            lay.cell_names.push(*s);
            lay.freevars.push(*outer_idx);
        }
        (ctx, lay)
    }

    /// Resolves a function (or lambda) definition: defaults and decorators in the enclosing
    /// scope, the body in its own.
    fn function(&mut self, def: &mut FuncDef, line: u32) -> Result<(), SyntaxErr> {
        for d in &mut def.decorators {
            self.expr(d, line, 0)?;
        }
        for p in def.params.iter_mut().chain(def.kwonly.iter_mut()) {
            if let Some(d) = &mut p.default {
                self.expr(d, line, 0)?;
            }
        }
        let mut info = Info::default();
        info.block(&def.body);
        let mut params: Vec<Sym> = def.params.iter().map(|p| p.name).collect();
        params.extend(def.kwonly.iter().map(|p| p.name));
        params.extend(def.vararg.iter().chain(def.kwarg.iter()).copied());
        for p in &params {
            if info.nonlocals.contains(p) {
                return Err(self.err(
                    line,
                    format!(
                        "name '{}' is parameter and nonlocal",
                        self.interner.name(*p)
                    ),
                ));
            }
            if info.globals.contains(p) {
                return Err(self.err(
                    line,
                    format!("name '{}' is parameter and global", self.interner.name(*p)),
                ));
            }
        }
        let free = self.captured(&free_of_function(def));
        let (ctx, lay) = self.layout(&params, &info, &free, Kind::Function);
        self.scopes.push(ctx);
        let saved_loops = std::mem::replace(&mut self.loop_depth, 0);
        let r = self.block(&mut def.body);
        self.loop_depth = saved_loops;
        self.scopes.pop();
        r?;
        def.scope = lay;
        Ok(())
    }

    fn class(&mut self, c: &mut ClassDef, line: u32) -> Result<(), SyntaxErr> {
        for d in &mut c.decorators {
            self.expr(d, line, 0)?;
        }
        self.args(&mut c.bases, line, 0)?;
        let mut info = Info::default();
        info.block(&c.body);
        let free = self.captured(&free_of_class(c));
        let (ctx, lay) = self.layout(&[], &info, &free, Kind::Class);
        self.scopes.push(ctx);
        let saved_loops = std::mem::replace(&mut self.loop_depth, 0);
        let r = self.block(&mut c.body);
        self.loop_depth = saved_loops;
        self.scopes.pop();
        r?;
        c.scope = lay;
        Ok(())
    }

    fn comp(&mut self, c: &mut Comp, line: u32, depth: usize) -> Result<(), SyntaxErr> {
        // The first iterable belongs to the enclosing scope.
        if let Some(g) = c.generators.first_mut() {
            self.expr(&mut g.iter, line, depth)?;
        }
        let mut info = Info::default();
        for (i, g) in c.generators.iter().enumerate() {
            if i > 0 {
                info.expr(&g.iter);
            }
            info.target(&g.target);
            for cond in &g.ifs {
                info.expr(cond);
            }
        }
        info.expr(&c.elt);
        if let Some(v) = &c.value {
            info.expr(v);
        }
        let free = self.captured(&free_of_comp(c));
        let (ctx, lay) = self.layout(&[], &info, &free, Kind::Comp);
        self.scopes.push(ctx);
        let r = (|| {
            for (i, g) in c.generators.iter_mut().enumerate() {
                if i > 0 {
                    self.expr(&mut g.iter, line, depth)?;
                }
                self.target(&mut g.target, line)?;
                for cond in &mut g.ifs {
                    self.expr(cond, line, depth)?;
                }
            }
            self.expr(&mut c.elt, line, depth)?;
            if let Some(v) = &mut c.value {
                self.expr(v, line, depth)?;
            }
            Ok(())
        })();
        self.scopes.pop();
        r?;
        c.scope = lay;
        Ok(())
    }

    fn name(&self, n: &mut Name, _line: u32) -> Result<(), SyntaxErr> {
        n.scope = Scope::Global;
        let Some(ctx) = self.scopes.last() else {
            return Ok(());
        };
        if ctx.globals.contains(&n.sym) {
            return Ok(());
        }
        if ctx.kind == Kind::Class {
            if ctx.class_bound.contains(&n.sym) {
                n.scope = Scope::ClassNs;
            } else if let Some(&i) = ctx.cells.get(&n.sym) {
                n.scope = Scope::Cell(i);
            }
            return Ok(());
        }
        if let Some(&i) = ctx.cells.get(&n.sym) {
            n.scope = Scope::Cell(i);
        } else if let Some(&slot) = ctx.locals.get(&n.sym) {
            n.scope = Scope::Local(slot);
        }
        Ok(())
    }

    fn target(&mut self, t: &mut Target, line: u32) -> Result<(), SyntaxErr> {
        match t {
            Target::Name(n) => self.name(n, line),
            Target::Attr(o, _) => self.expr(o, line, 0),
            Target::Subscript(o, i) => {
                self.expr(o, line, 0)?;
                self.expr(i, line, 0)
            }
            Target::Seq(items) => {
                for i in items {
                    self.target(i, line)?;
                }
                Ok(())
            }
            Target::Starred(t) => self.target(t, line),
        }
    }

    fn args(&mut self, args: &mut [Arg], line: u32, depth: usize) -> Result<(), SyntaxErr> {
        for a in args {
            match a {
                Arg::Pos(e) | Arg::Star(e) | Arg::Kw(_, e) | Arg::DStar(e) => {
                    self.expr(e, line, depth)?
                }
            }
        }
        Ok(())
    }

    fn fparts(&mut self, parts: &mut [FPart], line: u32, depth: usize) -> Result<(), SyntaxErr> {
        for p in parts {
            if let FPart::Field { expr, spec, .. } = p {
                self.expr(expr, line, depth)?;
                self.fparts(spec, line, depth)?;
            }
        }
        Ok(())
    }

    fn expr(&mut self, e: &mut Expr, line: u32, depth: usize) -> Result<(), SyntaxErr> {
        if depth > MAX_EXPR_DEPTH {
            let at = self.unit.offset_of_line(line);
            return Err(SyntaxErr {
                kind: "RecursionError",
                msg: "maximum recursion depth exceeded during compilation".into(),
                start: at,
                end: at,
                caret: false,
            });
        }
        let d = depth + 1;
        match e {
            Expr::Const(_) => Ok(()),
            Expr::Name(n) => self.name(n, line),
            Expr::Tuple(v) | Expr::List(v) | Expr::Set(v) => {
                for x in v {
                    self.expr(x, line, d)?;
                }
                Ok(())
            }
            Expr::Dict(items) => {
                for i in items {
                    match i {
                        DictItem::Pair(k, v) => {
                            self.expr(k, line, d)?;
                            self.expr(v, line, d)?;
                        }
                        DictItem::Splat(x) => self.expr(x, line, d)?,
                    }
                }
                Ok(())
            }
            Expr::Starred(x) | Expr::Unary(_, x) | Expr::Not(x) | Expr::Attr(x, _) => {
                self.expr(x, line, d)
            }
            Expr::Slice(parts) => {
                for p in parts.iter_mut().flatten() {
                    self.expr(p, line, d)?;
                }
                Ok(())
            }
            Expr::Subscript(l, r) => {
                for w in subscript_warnings(l, r) {
                    self.warnings.push((line, w));
                }
                self.expr(l, line, d)?;
                self.expr(r, line, d)
            }
            Expr::Binary(l, _, r) | Expr::And(l, r) | Expr::Or(l, r) => {
                self.expr(l, line, d)?;
                self.expr(r, line, d)
            }
            Expr::Compare(l, rest) => {
                self.expr(l, line, d)?;
                for (_, x) in rest {
                    self.expr(x, line, d)?;
                }
                Ok(())
            }
            Expr::IfExp(parts) => {
                for p in parts.iter_mut() {
                    self.expr(p, line, d)?;
                }
                Ok(())
            }
            Expr::Call(f, args) => {
                if let Some(w) = call_warning(f) {
                    self.warnings.push((line, w));
                }
                self.expr(f, line, d)?;
                self.args(args, line, d)
            }
            Expr::MethodCall(o, _, args) => {
                self.expr(o, line, d)?;
                self.args(args, line, d)
            }
            Expr::Lambda(def) => {
                let Some(def) = Rc::get_mut(def) else {
                    return Err(self.err(line, "internal error: lambda resolved twice"));
                };
                self.function(def, line)
            }
            Expr::Comp(c) => {
                let Some(c) = Rc::get_mut(c) else {
                    return Err(self.err(line, "internal error: comprehension resolved twice"));
                };
                self.comp(c, line, d)
            }
            Expr::FString(parts) => self.fparts(parts, line, d),
        }
    }
}
