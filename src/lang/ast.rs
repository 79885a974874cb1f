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
#[derive(Debug, Clone)]
pub struct Stmt {
    /// 1-based line in the campaign (or module) file.
    pub line: u32,
    /// What the statement is.
    pub kind: StmtKind,
}

/// The statements of the subset.
#[derive(Debug, Clone)]
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
    /// `raise [exc [from cause]]`.
    Raise {
        exc: Option<Expr>,
        cause: Option<Expr>,
    },
    /// `assert test[, msg]`.
    Assert { test: Expr, msg: Option<Expr> },
    /// `global a, b` (a declaration: the resolver uses it, running it does nothing).
    Global(Vec<Sym>),
    /// `nonlocal a, b` (a declaration, like `global`).
    Nonlocal(Vec<Sym>),
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
    /// `class name(bases): body`.
    Class(Rc<ClassDef>),
    /// `try: body except ...: ... else: orelse finally: finalbody`.
    Try {
        body: Vec<Stmt>,
        handlers: Vec<Handler>,
        orelse: Vec<Stmt>,
        finalbody: Vec<Stmt>,
    },
    /// `with a as x, b: body`.
    With {
        items: Vec<(Expr, Option<Target>)>,
        body: Vec<Stmt>,
    },
    /// `import a.b as c, d`.
    Import(Vec<ImportAlias>),
    /// `from module import a as b, c` (`names` is None for `*`).
    ImportFrom {
        module: String,
        names: Option<Vec<(Sym, Name)>>,
    },
}

/// One `import` item: the dotted module name and the name it binds.
#[derive(Debug, Clone)]
pub struct ImportAlias {
    /// `a.b.c`.
    pub module: String,
    /// Whether `as` was given (then the module itself is bound; otherwise the top package).
    pub has_as: bool,
    /// The bound name (`c` in `import a.b as c`, `a` in `import a.b`).
    pub target: Name,
}

/// An `except` clause.
#[derive(Debug, Clone)]
pub struct Handler {
    /// Line of the `except`.
    pub line: u32,
    /// The class (or tuple of classes) it catches; None for a bare `except:`.
    pub typ: Option<Expr>,
    /// `as name`.
    pub name: Option<Name>,
    /// The handler's body.
    pub body: Vec<Stmt>,
}

/// A class definition.
#[derive(Debug, Clone)]
pub struct ClassDef {
    /// The class name.
    pub name: Sym,
    /// Base classes and keywords, as call arguments.
    pub bases: Vec<Arg>,
    /// The body, run once in the class namespace.
    pub body: Vec<Stmt>,
    /// Decorators, outermost first.
    pub decorators: Vec<Expr>,
    /// Line of the `class`.
    pub line: u32,
    /// Where the statement binds the name.
    pub name_scope: Scope,
    /// Closure layout of the body (it may use enclosing functions' variables).
    pub scope: ScopeLayout,
}

/// The run-time layout of a function-like scope, computed by the resolver.
#[derive(Debug, Default, Clone)]
pub struct ScopeLayout {
    /// Number of local slots.
    pub nlocals: usize,
    /// Names of the local slots, for error messages.
    pub local_names: Vec<Sym>,
    /// Number of cells the scope owns (variables its nested functions use).
    pub ncells: usize,
    /// Names of the cells, own cells first, then free variables.
    pub cell_names: Vec<Sym>,
    /// Parameters that live in cells: (parameter slot, cell index), copied on entry.
    pub cell_params: Vec<(u32, u32)>,
    /// For each free variable (cells after the own ones), its cell index in the enclosing
    /// scope's frame, captured when the `def`/`lambda`/`class` runs.
    pub freevars: Vec<u32>,
}

/// A comprehension or generator expression.
#[derive(Debug, Clone)]
pub struct Comp {
    /// What it builds.
    pub kind: CompKind,
    /// The element (the key for a dict comprehension).
    pub elt: Expr,
    /// The value of a dict comprehension.
    pub value: Option<Expr>,
    /// `for target in iter if cond...` clauses, outermost first. The first iterable is
    /// evaluated in the enclosing scope.
    pub generators: Vec<CompFor>,
    /// Line where it starts.
    pub line: u32,
    /// Its own scope.
    pub scope: ScopeLayout,
}

/// The kind of a comprehension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompKind {
    List,
    Set,
    Dict,
    Gen,
}

impl CompKind {
    /// The frame name tracebacks show.
    pub fn frame_name(self) -> &'static str {
        match self {
            CompKind::List => "<listcomp>",
            CompKind::Set => "<setcomp>",
            CompKind::Dict => "<dictcomp>",
            CompKind::Gen => "<genexpr>",
        }
    }
}

/// One `for ... in ... if ...` clause.
#[derive(Debug, Clone)]
pub struct CompFor {
    pub target: Target,
    pub iter: Expr,
    pub ifs: Vec<Expr>,
}

/// A piece of an f-string.
#[derive(Debug, Clone)]
pub enum FPart {
    /// Literal text.
    Lit(String),
    /// `{expr!conv:spec}`.
    Field {
        expr: Expr,
        conv: Option<char>,
        spec: Vec<FPart>,
    },
}

/// A function definition; shared by every function object created from it.
#[derive(Debug, Clone)]
pub struct FuncDef {
    /// The function's name.
    pub name: Sym,
    /// Positional parameters, in order.
    pub params: Vec<Param>,
    /// The body.
    pub body: Vec<Stmt>,
    /// Line of the `def`.
    pub line: u32,
    /// Where the `def` binds its name (set by the resolver).
    pub name_scope: Scope,
    /// How many leading parameters are positional-only (before `/`).
    pub posonly: usize,
    /// `*args` (its slot follows the keyword-only parameters).
    pub vararg: Option<Sym>,
    /// Keyword-only parameters (their slots follow the positional ones).
    pub kwonly: Vec<Param>,
    /// `**kwargs` (its slot follows `*args`).
    pub kwarg: Option<Sym>,
    /// Decorators, outermost first.
    pub decorators: Vec<Expr>,
    /// Whether it is a `lambda` (its body is one `return`).
    pub is_lambda: bool,
    /// Closure layout.
    pub scope: ScopeLayout,
}

impl FuncDef {
    /// A definition with only positional parameters (the resolver fills the layout in).
    pub fn new(name: Sym, params: Vec<Param>, body: Vec<Stmt>, line: u32) -> FuncDef {
        FuncDef {
            name,
            params,
            body,
            line,
            name_scope: Scope::Global,
            posonly: 0,
            vararg: None,
            kwonly: Vec::new(),
            kwarg: None,
            decorators: Vec::new(),
            is_lambda: false,
            scope: ScopeLayout::default(),
        }
    }
    /// Number of parameter slots (positional, keyword-only, `*args`, `**kwargs`).
    pub fn nparams(&self) -> usize {
        self.params.len()
            + self.kwonly.len()
            + self.vararg.is_some() as usize
            + self.kwarg.is_some() as usize
    }
}

/// A parameter: its name and default value expression.
#[derive(Debug, Clone)]
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
    /// A closure cell of the frame (own cells, then free variables).
    Cell(u32),
    /// A class body's namespace, then globals and builtins.
    ClassNs,
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
#[derive(Debug, Clone)]
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
#[derive(Debug, Clone)]
pub enum DictItem {
    /// `k: v`.
    Pair(Expr, Expr),
    /// `**d`.
    Splat(Expr),
}

/// Expressions.
#[derive(Debug, Clone)]
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
    /// `lambda params: body`.
    Lambda(Rc<FuncDef>),
    /// A comprehension or generator expression.
    Comp(Rc<Comp>),
    /// An f-string.
    FString(Vec<FPart>),
}

/// Assignment, `for` and `del` targets.
#[derive(Debug, Clone)]
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
