//! Name resolution, run once after parsing: binds every name to a function's local slot or to
//! the session's globals, marks the console's echoed expression statements, and rejects what
//! Python rejects at compile time (`return` outside a function, `break` outside a loop, ...).

use std::collections::HashMap;
use std::rc::Rc;

use super::ast::*;
use super::error::SyntaxErr;
use super::source::SourceUnit;
use super::symbols::Interner;

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

/// The scope being resolved.
struct FnScope {
    locals: HashMap<Sym, u32>,
    names: Vec<Sym>,
}

struct Resolver<'a> {
    unit: &'a SourceUnit,
    interner: &'a Interner,
    mode: Mode,
    /// The enclosing function scopes, innermost last (empty at module level).
    scopes: Vec<FnScope>,
    loop_depth: usize,
}

/// Resolves a parsed unit in place.
pub fn resolve(
    stmts: &mut [Stmt],
    unit: &SourceUnit,
    interner: &Interner,
    mode: Mode,
) -> Result<(), SyntaxErr> {
    let mut r = Resolver {
        unit,
        interner,
        mode,
        scopes: Vec::new(),
        loop_depth: 0,
    };
    r.block(stmts)
}

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
                if self.scopes.is_empty() {
                    return Err(self.err(line, "'return' outside function"));
                }
                if let Some(v) = v {
                    self.expr(v, line, 0)?;
                }
            }
            StmtKind::Raise(v) => {
                if let Some(v) = v {
                    self.expr(v, line, 0)?;
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
                // Defaults are evaluated in the enclosing scope.
                let Some(def) = Rc::get_mut(def) else {
                    return Err(self.err(line, "internal error: function resolved twice"));
                };
                for p in &mut def.params {
                    if let Some(d) = &mut p.default {
                        self.expr(d, line, 0)?;
                    }
                }
                self.function(def)?;
                let mut n = Name {
                    sym: def.name,
                    scope: Scope::Global,
                };
                self.name(&mut n, line)?;
                def.name_scope = n.scope;
            }
        }
        Ok(())
    }

    /// Resolves a function body in its own scope.
    fn function(&mut self, def: &mut FuncDef) -> Result<(), SyntaxErr> {
        let mut globals = Vec::new();
        collect_globals(&def.body, &mut globals);
        let mut scope = FnScope {
            locals: HashMap::new(),
            names: Vec::new(),
        };
        for p in &def.params {
            let slot = scope.names.len() as u32;
            scope.locals.insert(p.name, slot);
            scope.names.push(p.name);
        }
        let mut assigned = Vec::new();
        collect_assigned(&def.body, &mut assigned);
        for name in assigned {
            if !globals.contains(&name) && !scope.locals.contains_key(&name) {
                let slot = scope.names.len() as u32;
                scope.locals.insert(name, slot);
                scope.names.push(name);
            }
        }
        self.scopes.push(scope);
        let saved_loops = std::mem::replace(&mut self.loop_depth, 0);
        let r = self.block(&mut def.body);
        self.loop_depth = saved_loops;
        let scope = self.scopes.pop();
        r?;
        if let Some(scope) = scope {
            def.nlocals = scope.names.len();
            def.local_names = scope.names;
        }
        Ok(())
    }

    fn name(&self, n: &mut Name, line: u32) -> Result<(), SyntaxErr> {
        n.scope = Scope::Global;
        if let Some(scope) = self.scopes.last() {
            if let Some(&slot) = scope.locals.get(&n.sym) {
                n.scope = Scope::Local(slot);
                return Ok(());
            }
        }
        // A name local to an enclosing function would need a closure cell.
        if self.scopes.len() > 1 {
            for outer in &self.scopes[..self.scopes.len() - 1] {
                if outer.locals.contains_key(&n.sym) {
                    return Err(self.err(
                        line,
                        format!(
                            "closures are not supported: '{}' is a variable of an enclosing function",
                            self.interner.name(n.sym)
                        ),
                    ));
                }
            }
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
            Expr::Binary(l, _, r) | Expr::And(l, r) | Expr::Or(l, r) | Expr::Subscript(l, r) => {
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
                self.expr(f, line, d)?;
                self.args(args, line, d)
            }
            Expr::MethodCall(o, _, args) => {
                self.expr(o, line, d)?;
                self.args(args, line, d)
            }
        }
    }
}

fn collect_globals(stmts: &[Stmt], out: &mut Vec<Sym>) {
    for s in stmts {
        match &s.kind {
            StmtKind::Global(names) => out.extend(names),
            StmtKind::If { branches, orelse } => {
                for (_, b) in branches {
                    collect_globals(b, out);
                }
                collect_globals(orelse, out);
            }
            StmtKind::While { body, orelse, .. } | StmtKind::For { body, orelse, .. } => {
                collect_globals(body, out);
                collect_globals(orelse, out);
            }
            _ => {}
        }
    }
}

fn target_names(t: &Target, out: &mut Vec<Sym>) {
    match t {
        Target::Name(n) => out.push(n.sym),
        Target::Seq(items) => {
            for i in items {
                target_names(i, out);
            }
        }
        Target::Starred(t) => target_names(t, out),
        Target::Attr(..) | Target::Subscript(..) => {}
    }
}

/// Names a function body binds (its locals), not looking into nested functions' bodies.
fn collect_assigned(stmts: &[Stmt], out: &mut Vec<Sym>) {
    for s in stmts {
        match &s.kind {
            StmtKind::Assign { targets, .. } => {
                for t in targets {
                    target_names(t, out);
                }
            }
            StmtKind::AugAssign { target, .. } => target_names(target, out),
            StmtKind::Del(targets) => {
                for t in targets {
                    target_names(t, out);
                }
            }
            StmtKind::Def(def) => out.push(def.name),
            StmtKind::If { branches, orelse } => {
                for (_, b) in branches {
                    collect_assigned(b, out);
                }
                collect_assigned(orelse, out);
            }
            StmtKind::While { body, orelse, .. } => {
                collect_assigned(body, out);
                collect_assigned(orelse, out);
            }
            StmtKind::For {
                target,
                body,
                orelse,
                ..
            } => {
                target_names(target, out);
                collect_assigned(body, out);
                collect_assigned(orelse, out);
            }
            _ => {}
        }
    }
}
