//! The syntax tree of the step language, as built by the parser and then resolved in place
//! (names bound to local slots or globals) by `resolve.rs`.
//!
//! Every node is a Python construct; later constructs (class, try, with, lambda, ...) are added
//! as new variants without changing the existing ones.

use std::rc::Rc;

use super::value::Value;

/// An interned identifier (index into the session's symbol table).
pub type Sym = u32;

/// A statement with the file line where it starts (used by tracebacks).
#[derive(Debug)]
pub struct Stmt {
    /// 1-based line in the campaign (or module) file.
    pub line: u32,
    /// What the statement is.
    pub kind: StmtKind,
}

/// The statements of the subset.
#[derive(Debug)]
pub enum StmtKind {
    /// An expression statement; `echo` is set for the interactive console's top level.
    Expr { value: Expr, echo: bool },
    /// `t1 = t2 = value`.
    Assign { targets: Vec<Target>, value: Expr },
    /// `target op= value`.
    AugAssign {
        target: Target,
        op: BinOp,
        value: Expr,
    },
    /// `del a, b[0]`.
    Del(Vec<Target>),
    /// `pass`.
    Pass,
    /// `break`.
    Break,
    /// `continue`.
    Continue,
    /// `return [value]`.
    Return(Option<Expr>),
    /// `raise [exc]`.
    Raise(Option<Expr>),
    /// `assert test[, msg]`.
    Assert { test: Expr, msg: Option<Expr> },
    /// `global a, b` (a declaration: the resolver uses it, running it does nothing).
    Global(Vec<Sym>),
    /// `if`/`elif` branches and the `else` block.
    If {
        branches: Vec<(Expr, Vec<Stmt>)>,
        orelse: Vec<Stmt>,
    },
    /// `while test: body else: orelse`.
    While {
        test: Expr,
        body: Vec<Stmt>,
        orelse: Vec<Stmt>,
    },
    /// `for target in iter: body else: orelse`.
    For {
        target: Target,
        iter: Expr,
        body: Vec<Stmt>,
        orelse: Vec<Stmt>,
    },
    /// `def name(params): body`.
    Def(Rc<FuncDef>),
}

/// A function definition; shared by every function object created from it.
#[derive(Debug)]
pub struct FuncDef {
    /// The function's name.
    pub name: Sym,
    /// Positional parameters, in order.
    pub params: Vec<Param>,
    /// The body.
    pub body: Vec<Stmt>,
    /// Line of the `def`.
    pub line: u32,
    /// Number of local slots (parameters first), set by the resolver.
    pub nlocals: usize,
    /// Names of the local slots, for error messages.
    pub local_names: Vec<Sym>,
    /// Where the `def` binds its name (set by the resolver).
    pub name_scope: Scope,
}

/// A parameter: its name and default value expression.
#[derive(Debug)]
pub struct Param {
    /// The parameter's name (its local slot is its index).
    pub name: Sym,
    /// The default, evaluated when the `def` runs.
    pub default: Option<Expr>,
}

/// Where a name lives, decided by the resolver.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// The session's globals, then builtins.
    Global,
    /// A function's local slot.
    Local(u32),
}

/// A name reference.
#[derive(Clone, Debug)]
pub struct Name {
    /// The identifier.
    pub sym: Sym,
    /// Where it lives.
    pub scope: Scope,
}

/// Binary operators (also used by augmented assignment).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    FloorDiv,
    Mod,
    Pow,
    LShift,
    RShift,
    BitAnd,
    BitOr,
    BitXor,
}

impl BinOp {
    /// The operator's symbol, as Python's error messages show it.
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::FloorDiv => "//",
            BinOp::Mod => "%",
            BinOp::Pow => "** or pow()",
            BinOp::LShift => "<<",
            BinOp::RShift => ">>",
            BinOp::BitAnd => "&",
            BinOp::BitOr => "|",
            BinOp::BitXor => "^",
        }
    }
}

/// Unary operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryOp {
    Neg,
    Pos,
    Invert,
}

/// Comparison operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    In,
    NotIn,
    Is,
    IsNot,
}

impl CmpOp {
    /// The operator's symbol, as Python's error messages show it.
    pub fn symbol(self) -> &'static str {
        match self {
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
            CmpOp::In => "in",
            CmpOp::NotIn => "not in",
            CmpOp::Is => "is",
            CmpOp::IsNot => "is not",
        }
    }
}

/// A call argument.
#[derive(Debug)]
pub enum Arg {
    /// `f(x)`.
    Pos(Expr),
    /// `f(*xs)`.
    Star(Expr),
    /// `f(name=x)`.
    Kw(Sym, Expr),
    /// `f(**d)`.
    DStar(Expr),
}

/// A dict display item.
#[derive(Debug)]
pub enum DictItem {
    /// `k: v`.
    Pair(Expr, Expr),
    /// `**d`.
    Splat(Expr),
}

/// Expressions.
#[derive(Debug)]
pub enum Expr {
    /// A literal or a folded constant.
    Const(Value),
    /// A variable.
    Name(Name),
    /// `(a, b)`.
    Tuple(Vec<Expr>),
    /// `[a, b]`.
    List(Vec<Expr>),
    /// `{a, b}`.
    Set(Vec<Expr>),
    /// `{k: v}`.
    Dict(Vec<DictItem>),
    /// `*x` inside a display.
    Starred(Box<Expr>),
    /// `lower:upper:step` inside a subscript.
    Slice(Box<[Option<Expr>; 3]>),
    /// `a op b`.
    Binary(Box<Expr>, BinOp, Box<Expr>),
    /// `op a`.
    Unary(UnaryOp, Box<Expr>),
    /// `not a`.
    Not(Box<Expr>),
    /// `a and b`.
    And(Box<Expr>, Box<Expr>),
    /// `a or b`.
    Or(Box<Expr>, Box<Expr>),
    /// `a < b <= c`.
    Compare(Box<Expr>, Vec<(CmpOp, Expr)>),
    /// `body if test else orelse`, stored as [test, body, orelse].
    IfExp(Box<[Expr; 3]>),
    /// `f(args)`.
    Call(Box<Expr>, Vec<Arg>),
    /// `obj.name(args)`: a call of an attribute, without materializing a bound method.
    MethodCall(Box<Expr>, Sym, Vec<Arg>),
    /// `obj.name`.
    Attr(Box<Expr>, Sym),
    /// `obj[index]`.
    Subscript(Box<Expr>, Box<Expr>),
}

/// Assignment, `for` and `del` targets.
#[derive(Debug)]
pub enum Target {
    /// `x`.
    Name(Name),
    /// `obj.name`.
    Attr(Expr, Sym),
    /// `obj[index]` (index may be a slice).
    Subscript(Expr, Expr),
    /// `a, b` or `[a, b]`.
    Seq(Vec<Target>),
    /// `*rest` inside a sequence target.
    Starred(Box<Target>),
}
