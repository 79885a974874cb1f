//! Parsing: source text → statements. The lexer pre-pass finds logical lines, pest parses each
//! one (`grammar/lang.pest`), and the block builder nests them by indentation.

use std::rc::Rc;

use num_bigint::BigInt;
use pest::iterators::Pair;
use pest::Parser;

use super::ast::*;
use super::error::SyntaxErr;
use super::lexer::{self, LexOutcome, LogicalLine, MAX_INDENT_LEVELS};
use super::ops;
use super::source::SourceUnit;
use super::symbols::Interner;
use super::value::Value;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/lang.pest"]
struct LangParser;

/// Why parsing did not give statements.
#[derive(Debug)]
pub enum ParseFail {
    /// The input ends before the statement does (the console asks for more lines).
    Incomplete(SyntaxErr),
    /// The input is wrong.
    Error(SyntaxErr),
}

/// A compound statement's header line.
enum Header {
    If(Expr),
    Elif(Expr),
    Else,
    While(Expr),
    For(Target, Expr),
    Def(Sym, Vec<Param>),
}

impl Header {
    fn keyword(&self) -> &'static str {
        match self {
            Header::If(_) => "if",
            Header::Elif(_) => "elif",
            Header::Else => "else",
            Header::While(_) => "while",
            Header::For(..) => "for",
            Header::Def(..) => "function definition",
        }
    }
}

/// A parsed logical line.
enum LineAst {
    Simple(Vec<Stmt>),
    Header(Header, Option<Vec<Stmt>>),
}

struct ParsedLine {
    ast: LineAst,
    indent: usize,
    start: usize,
    line: u32,
}

/// Whether a logical line starting with `word` opens a compound statement.
pub fn is_compound_keyword(word: &str) -> bool {
    matches!(word, "if" | "while" | "for" | "def")
}

/// Whether a logical line starting with `word` continues the compound statement before it.
pub fn is_continuation_keyword(word: &str) -> bool {
    matches!(word, "elif" | "else")
}

/// Parses a whole source unit into statements.
pub fn parse(unit: &SourceUnit, interner: &mut Interner) -> Result<Vec<Stmt>, ParseFail> {
    let lines = split(&unit.text)?;
    let mut parsed = parse_lines(unit, &lines, interner)?;
    let mut pos = 0;
    let base = parsed.first().map(|l| l.indent).unwrap_or(0);
    if base > 0 {
        let at = parsed[0].start;
        return Err(ParseFail::Error(SyntaxErr::indentation(
            "unexpected indent",
            at,
            at,
            false,
        )));
    }
    let stmts = build_block(&mut parsed, &mut pos, 0, 0)?;
    if pos < parsed.len() {
        // A dedent below column 0 cannot happen; anything left is an indentation mismatch.
        return Err(ParseFail::Error(SyntaxErr::indentation(
            "unindent does not match any outer indentation level",
            parsed[pos].start,
            parsed[pos].start,
            false,
        )));
    }
    Ok(stmts)
}

/// For input that ends inside brackets: the syntax error in the text so far, if the parser
/// fails before reaching its end (`print("a" b` can never be completed; `f(1,` can).
pub fn error_before_end(
    unit: &SourceUnit,
    start: usize,
    interner: &mut Interner,
) -> Option<SyntaxErr> {
    let text = &unit.text[start..];
    let end = text.trim_end().len();
    match LangParser::parse(Rule::line, text) {
        Ok(_) => None,
        Err(e) => {
            let pos = match e.location {
                pest::error::InputLocation::Pos(p) => p,
                pest::error::InputLocation::Span((s, _)) => s,
            };
            if pos >= end {
                return None;
            }
            let b = Builder {
                base: start,
                interner,
                unit,
            };
            Some(b.pest_error(text, e))
        }
    }
}

/// Runs the lexer pre-pass.
pub fn split(src: &str) -> Result<Vec<LogicalLine>, ParseFail> {
    match lexer::split(src) {
        LexOutcome::Lines(l) => Ok(l),
        LexOutcome::Incomplete(e) | LexOutcome::OpenBracket(e, _) => Err(ParseFail::Incomplete(e)),
        LexOutcome::Error(e) => Err(ParseFail::Error(e)),
    }
}

fn parse_lines(
    unit: &SourceUnit,
    lines: &[LogicalLine],
    interner: &mut Interner,
) -> Result<Vec<ParsedLine>, ParseFail> {
    let mut out = Vec::with_capacity(lines.len());
    for l in lines {
        let text = &unit.text[l.start..l.end];
        let mut b = Builder {
            base: l.start,
            interner,
            unit,
        };
        let ast = b.parse_line(text).map_err(ParseFail::Error)?;
        out.push(ParsedLine {
            ast,
            indent: l.indent,
            start: l.start,
            line: unit.line_of_offset(l.start),
        });
    }
    Ok(out)
}

/// Moves a line's AST out; the block builder consumes each line exactly once.
fn take(lines: &mut [ParsedLine], i: usize) -> LineAst {
    std::mem::replace(&mut lines[i].ast, LineAst::Simple(Vec::new()))
}

/// Whether line `i` is an `elif`/`else` header at `indent`.
fn clause_at(lines: &[ParsedLine], i: usize, indent: usize) -> Option<bool> {
    let l = lines.get(i)?;
    if l.indent != indent {
        return None;
    }
    match &l.ast {
        LineAst::Header(Header::Elif(_), _) => Some(true),
        LineAst::Header(Header::Else, _) => Some(false),
        _ => None,
    }
}

/// Builds the statements of one block whose lines are indented by `indent`.
fn build_block(
    lines: &mut [ParsedLine],
    pos: &mut usize,
    indent: usize,
    depth: usize,
) -> Result<Vec<Stmt>, ParseFail> {
    if depth > MAX_INDENT_LEVELS {
        let at = lines.get(*pos).map(|l| l.start).unwrap_or(0);
        return Err(ParseFail::Error(SyntaxErr::indentation(
            "too many levels of indentation",
            at,
            at,
            false,
        )));
    }
    let mut stmts = Vec::new();
    let mut after_block = false;
    while *pos < lines.len() {
        let (l_indent, l_start, l_line) = (lines[*pos].indent, lines[*pos].start, lines[*pos].line);
        if l_indent < indent {
            break;
        }
        if l_indent > indent {
            return Err(ParseFail::Error(if after_block {
                SyntaxErr::indentation(
                    "unindent does not match any outer indentation level",
                    l_start,
                    l_start,
                    false,
                )
            } else {
                SyntaxErr::indentation("unexpected indent", l_start, l_start, false)
            }));
        }
        let i = *pos;
        *pos += 1;
        match take(lines, i) {
            LineAst::Simple(s) => {
                after_block = false;
                stmts.extend(s);
            }
            LineAst::Header(Header::Elif(_) | Header::Else, _) => {
                return Err(ParseFail::Error(SyntaxErr::new(
                    "invalid syntax",
                    l_start,
                    l_start + 4,
                )));
            }
            LineAst::Header(header, inline) => {
                let body = block_body(lines, pos, i, &header, inline, depth)?;
                after_block = true;
                let kind = match header {
                    Header::If(test) => {
                        let mut branches = vec![(test, body)];
                        let mut orelse = Vec::new();
                        while let Some(is_elif) = clause_at(lines, *pos, indent) {
                            let j = *pos;
                            *pos += 1;
                            if let LineAst::Header(h, inline) = take(lines, j) {
                                let b = block_body(lines, pos, j, &h, inline, depth)?;
                                match h {
                                    Header::Elif(t) => branches.push((t, b)),
                                    _ => orelse = b,
                                }
                            }
                            if !is_elif {
                                break;
                            }
                        }
                        StmtKind::If { branches, orelse }
                    }
                    Header::While(test) => {
                        let orelse = else_clause(lines, pos, indent, depth)?;
                        StmtKind::While { test, body, orelse }
                    }
                    Header::For(target, iter) => {
                        let orelse = else_clause(lines, pos, indent, depth)?;
                        StmtKind::For {
                            target,
                            iter,
                            body,
                            orelse,
                        }
                    }
                    Header::Def(name, params) => StmtKind::Def(Rc::new(FuncDef {
                        name,
                        params,
                        body,
                        line: l_line,
                        nlocals: 0,
                        local_names: Vec::new(),
                        name_scope: Scope::Global,
                    })),
                    Header::Elif(_) | Header::Else => StmtKind::Pass,
                };
                stmts.push(Stmt { line: l_line, kind });
            }
        }
    }
    Ok(stmts)
}

/// An optional `else:` clause of `for`/`while`.
fn else_clause(
    lines: &mut [ParsedLine],
    pos: &mut usize,
    indent: usize,
    depth: usize,
) -> Result<Vec<Stmt>, ParseFail> {
    if clause_at(lines, *pos, indent) == Some(false) {
        let j = *pos;
        *pos += 1;
        if let LineAst::Header(h, inline) = take(lines, j) {
            return block_body(lines, pos, j, &h, inline, depth);
        }
    }
    Ok(Vec::new())
}

/// The body of the header at line `i`: inline, or the indented block after it.
fn block_body(
    lines: &mut [ParsedLine],
    pos: &mut usize,
    i: usize,
    header: &Header,
    inline: Option<Vec<Stmt>>,
    depth: usize,
) -> Result<Vec<Stmt>, ParseFail> {
    if let Some(body) = inline {
        return Ok(body);
    }
    let (h_indent, h_start, h_line) = (lines[i].indent, lines[i].start, lines[i].line);
    match lines.get(*pos) {
        Some(n) if n.indent > h_indent => {
            let ind = n.indent;
            build_block(lines, pos, ind, depth + 1)
        }
        next => {
            let kw = header.keyword();
            let what = if kw == "function definition" {
                kw.to_string()
            } else {
                format!("'{kw}' statement")
            };
            let msg = format!("expected an indented block after {what} on line {h_line}");
            Err(match next {
                Some(n) => {
                    ParseFail::Error(SyntaxErr::indentation(msg, n.start, n.start + 1, true))
                }
                None => {
                    ParseFail::Incomplete(SyntaxErr::indentation(msg, h_start, h_start + 1, true))
                }
            })
        }
    }
}

/// Turns pest pairs of one logical line into AST nodes.
struct Builder<'a> {
    /// Offset of the line in the unit's text (pest positions are relative to the line).
    base: usize,
    interner: &'a mut Interner,
    unit: &'a SourceUnit,
}

type BResult<T> = Result<T, SyntaxErr>;

impl Builder<'_> {
    fn err(&self, pair: &Pair<'_, Rule>, msg: impl Into<String>) -> SyntaxErr {
        let span = pair.as_span();
        SyntaxErr::new(msg, self.base + span.start(), self.base + span.end())
    }

    fn line_of(&self, pair: &Pair<'_, Rule>) -> u32 {
        self.unit.line_of_offset(self.base + pair.as_span().start())
    }

    fn parse_line(&mut self, text: &str) -> BResult<LineAst> {
        let pairs = match LangParser::parse(Rule::line, text) {
            Ok(p) => p,
            Err(e) => return Err(self.pest_error(text, e)),
        };
        let Some(line) = pairs.into_iter().next() else {
            return Err(SyntaxErr::new("invalid syntax", self.base, self.base + 1));
        };
        let Some(inner) = line.into_inner().next() else {
            return Err(SyntaxErr::new("invalid syntax", self.base, self.base + 1));
        };
        match inner.as_rule() {
            Rule::simple_stmts => Ok(LineAst::Simple(self.simple_stmts(inner)?)),
            _ => self.header(inner),
        }
    }

    /// Converts a pest error into Python's message with a caret on the offending token.
    fn pest_error(&self, text: &str, e: pest::error::Error<Rule>) -> SyntaxErr {
        let pos = match e.location {
            pest::error::InputLocation::Pos(p) => p,
            pest::error::InputLocation::Span((s, _)) => s,
        };
        let trimmed = text.trim_start();
        if let Some(rest) = trimmed.strip_prefix("print") {
            let rest_trim = rest.trim_start();
            if rest.starts_with([' ', '\t'])
                && !rest_trim.is_empty()
                && !rest_trim.starts_with(['(', '=', '.', '[', ','])
            {
                return SyntaxErr::new(
                    "Missing parentheses in call to 'print'. Did you mean print(...)?",
                    self.base,
                    self.base + text.trim_end().len(),
                );
            }
        }
        if let Some(rest) = trimmed.strip_prefix("match") {
            if rest.starts_with([' ', '(']) && text.trim_end().ends_with(':') {
                return SyntaxErr::new("`match` is not supported", self.base, self.base + 5);
            }
        }
        // The caret covers the token at the failure position.
        let tail = &text[pos.min(text.len())..];
        let skip = tail.len() - tail.trim_start().len();
        let start = pos + skip;
        let tok = &text[start.min(text.len())..];
        let len = token_len(tok);
        SyntaxErr::new(
            "invalid syntax",
            self.base + start,
            self.base + start + len.max(1),
        )
    }

    fn header(&mut self, pair: Pair<'_, Rule>) -> BResult<LineAst> {
        let rule = pair.as_rule();
        let mut inner = kids(pair).peekable();
        let header = match rule {
            Rule::if_header | Rule::elif_header | Rule::while_header => {
                let test = self.expr(next(&mut inner)?)?;
                match rule {
                    Rule::if_header => Header::If(test),
                    Rule::elif_header => Header::Elif(test),
                    _ => Header::While(test),
                }
            }
            Rule::else_header => Header::Else,
            Rule::for_header => {
                let targets = next(&mut inner)?;
                let target = self.target_list(targets, "assign to")?;
                let iter = self.expr(next(&mut inner)?)?;
                Header::For(target, iter)
            }
            Rule::def_header => {
                let name = next(&mut inner)?;
                let sym = self.interner.intern(name.as_str());
                let mut params = Vec::new();
                if inner.peek().map(|p| p.as_rule()) == Some(Rule::params) {
                    let ps = next(&mut inner)?;
                    let mut seen_default = false;
                    for p in ps.into_inner() {
                        let p_span = p.clone();
                        let mut parts = p.into_inner();
                        let pname = next(&mut parts)?;
                        let psym = self.interner.intern(pname.as_str());
                        if params.iter().any(|q: &Param| q.name == psym) {
                            return Err(self.err(
                                &pname,
                                format!(
                                    "duplicate argument '{}' in function definition",
                                    pname.as_str()
                                ),
                            ));
                        }
                        let mut default = None;
                        let rest: Vec<_> = parts.collect();
                        // An annotation then maybe a default; or only a default: `param`
                        // keeps `:` and `=` silent, so tell them apart by the source text.
                        let text = p_span.as_str();
                        let has_default = text.contains('=')
                            && rest.last().is_some()
                            && (rest.len() == 2
                                || !text[pname.as_str().len()..].trim_start().starts_with(':'));
                        if has_default {
                            if let Some(d) = rest.last() {
                                default = Some(self.expr(d.clone())?);
                            }
                            seen_default = true;
                        } else if seen_default {
                            return Err(
                                self.err(&p_span, "non-default argument follows default argument")
                            );
                        }
                        params.push(Param {
                            name: psym,
                            default,
                        });
                    }
                }
                // Skip a return annotation.
                while inner.peek().map(|p| p.as_rule()) == Some(Rule::test) {
                    inner.next();
                }
                Header::Def(sym, params)
            }
            _ => return Err(self.err_at_base("invalid syntax")),
        };
        let body = match inner.next() {
            Some(p) if p.as_rule() == Rule::inline_body => {
                let stmts = next(&mut p.into_inner())?;
                Some(self.simple_stmts(stmts)?)
            }
            _ => None,
        };
        Ok(LineAst::Header(header, body))
    }

    fn err_at_base(&self, msg: &str) -> SyntaxErr {
        SyntaxErr::new(msg, self.base, self.base + 1)
    }

    fn simple_stmts(&mut self, pair: Pair<'_, Rule>) -> BResult<Vec<Stmt>> {
        pair.into_inner().map(|p| self.simple_stmt(p)).collect()
    }

    fn simple_stmt(&mut self, pair: Pair<'_, Rule>) -> BResult<Stmt> {
        let line = self.line_of(&pair);
        let rule = pair.as_rule();
        let whole = pair.clone();
        let mut inner = kids(pair);
        let kind = match rule {
            Rule::pass_stmt => StmtKind::Pass,
            Rule::break_stmt => StmtKind::Break,
            Rule::continue_stmt => StmtKind::Continue,
            Rule::return_stmt => StmtKind::Return(match inner.next() {
                Some(p) => Some(self.expr(p)?),
                None => None,
            }),
            Rule::raise_stmt => StmtKind::Raise(match inner.next() {
                Some(p) => Some(self.expr(p)?),
                None => None,
            }),
            Rule::assert_stmt => {
                let test = self.expr(next(&mut inner)?)?;
                let msg = match inner.next() {
                    Some(p) => Some(self.expr(p)?),
                    None => None,
                };
                StmtKind::Assert { test, msg }
            }
            Rule::del_stmt => {
                let t = next(&mut inner)?;
                let targets = match self.target_list(t, "delete")? {
                    Target::Seq(v) if !whole.as_str().trim_end().ends_with(',') => v,
                    t => vec![t],
                };
                StmtKind::Del(targets)
            }
            Rule::global_stmt => {
                StmtKind::Global(inner.map(|p| self.interner.intern(p.as_str())).collect())
            }
            Rule::assign_stmt => self.assign(whole.clone().into_inner())?,
            _ => return Err(self.err(&whole, "invalid syntax")),
        };
        Ok(Stmt { line, kind })
    }

    fn assign(&mut self, mut inner: pest::iterators::Pairs<'_, Rule>) -> BResult<StmtKind> {
        let first = next(&mut inner)?;
        let rest: Vec<Pair<'_, Rule>> = inner.collect();
        match rest.first().map(|p| p.as_rule()) {
            None => {
                let value = self.expr(first.clone())?;
                if let Expr::Starred(_) = value {
                    return Err(self.err(&first, "can't use starred expression here"));
                }
                Ok(StmtKind::Expr { value, echo: false })
            }
            Some(Rule::aug_assign) => {
                let mut parts = rest[0].clone().into_inner();
                let op_pair = next(&mut parts)?;
                let op = match op_pair.as_str() {
                    "+=" => BinOp::Add,
                    "-=" => BinOp::Sub,
                    "*=" => BinOp::Mul,
                    "/=" => BinOp::Div,
                    "//=" => BinOp::FloorDiv,
                    "%=" => BinOp::Mod,
                    "**=" => BinOp::Pow,
                    "&=" => BinOp::BitAnd,
                    "|=" => BinOp::BitOr,
                    "^=" => BinOp::BitXor,
                    "<<=" => BinOp::LShift,
                    _ => BinOp::RShift,
                };
                let texpr = self.expr(first.clone())?;
                let target = match texpr {
                    Expr::Name(n) => Target::Name(n),
                    Expr::Attr(o, a) => Target::Attr(*o, a),
                    Expr::Subscript(o, i) => Target::Subscript(*o, *i),
                    other => {
                        return Err(self.err(
                            &first,
                            format!(
                                "'{}' is an illegal expression for augmented assignment",
                                expr_kind_name(&other)
                            ),
                        ))
                    }
                };
                let value = self.expr(next(&mut parts)?)?;
                Ok(StmtKind::AugAssign { target, op, value })
            }
            Some(Rule::annotation) => {
                // `x: T = v` assigns; `x: T` alone only declares (nothing to run).
                let mut parts = rest[0].clone().into_inner();
                let _annotation = next(&mut parts)?;
                let target = self.target_list(first, "assign to")?;
                match parts.next() {
                    Some(v) => Ok(StmtKind::Assign {
                        targets: vec![target],
                        value: self.expr(v)?,
                    }),
                    None => Ok(StmtKind::Pass),
                }
            }
            _ => {
                // `a = b = value`: every part but the last is a target.
                let mut exprs = vec![first];
                for p in rest {
                    exprs.push(next(&mut p.into_inner())?);
                }
                let value_pair = exprs
                    .pop()
                    .ok_or_else(|| self.err_at_base("invalid syntax"))?;
                let value = self.expr(value_pair)?;
                let mut targets = Vec::new();
                for t in exprs {
                    targets.push(self.target_list(t, "assign to")?);
                }
                Ok(StmtKind::Assign { targets, value })
            }
        }
    }

    /// Parses `pair` as an expression and converts it to a target; `verb` is "assign to" or
    /// "delete" for the error message.
    fn target_list(&mut self, pair: Pair<'_, Rule>, verb: &str) -> BResult<Target> {
        let e = self.expr(pair.clone())?;
        self.to_target(e, &pair, verb, true)
    }

    fn to_target(&self, e: Expr, pair: &Pair<'_, Rule>, verb: &str, top: bool) -> BResult<Target> {
        Ok(match e {
            Expr::Name(n) => Target::Name(n),
            Expr::Attr(o, a) => Target::Attr(*o, a),
            Expr::Subscript(o, i) => Target::Subscript(*o, *i),
            Expr::Tuple(items) | Expr::List(items) => {
                let mut out = Vec::new();
                let mut starred = 0;
                for it in items {
                    if let Expr::Starred(_) = it {
                        starred += 1;
                    }
                    out.push(self.to_target(it, pair, verb, false)?);
                }
                if starred > 1 {
                    return Err(self.err(pair, "multiple starred expressions in assignment"));
                }
                Target::Seq(out)
            }
            Expr::Starred(inner) if !top && verb != "delete" => {
                Target::Starred(Box::new(self.to_target(*inner, pair, verb, false)?))
            }
            Expr::Starred(_) => {
                return Err(self.err(pair, "starred assignment target must be in a list or tuple"))
            }
            other => {
                let what = expr_kind_name(&other);
                let msg = if verb == "assign to" && top {
                    match &other {
                        Expr::Const(Value::None | Value::Bool(_)) => {
                            format!("cannot assign to {what}")
                        }
                        _ => format!(
                            "cannot assign to {what} here. Maybe you meant '==' instead of '='?"
                        ),
                    }
                } else {
                    format!("cannot {verb} {what}")
                };
                return Err(self.err(pair, msg));
            }
        })
    }

    /// Builds any expression-level pair.
    fn expr(&mut self, pair: Pair<'_, Rule>) -> BResult<Expr> {
        let rule = pair.as_rule();
        match rule {
            Rule::star_exprs | Rule::target_list => {
                let mut items = Vec::new();
                let mut trailing = false;
                for p in pair.clone().into_inner() {
                    if p.as_rule() == Rule::trailing_comma {
                        trailing = true;
                    } else {
                        items.push(self.expr(p)?);
                    }
                }
                if items.len() == 1 && !trailing {
                    Ok(items.pop().unwrap_or(Expr::Const(Value::None)))
                } else {
                    Ok(Expr::Tuple(items))
                }
            }
            Rule::star_expr => Ok(Expr::Starred(Box::new(self.expr(only(pair)?)?))),
            Rule::test => {
                let mut inner = kids(pair);
                let body = self.expr(next(&mut inner)?)?;
                match inner.next() {
                    None => Ok(body),
                    Some(cond) => {
                        let cond = self.expr(cond)?;
                        let orelse = self.expr(next(&mut inner)?)?;
                        Ok(Expr::IfExp(Box::new([cond, body, orelse])))
                    }
                }
            }
            Rule::or_test | Rule::and_test => {
                let mut inner = kids(pair);
                let mut acc = self.expr(next(&mut inner)?)?;
                for p in inner {
                    let r = self.expr(p)?;
                    acc = if rule == Rule::or_test {
                        Expr::Or(Box::new(acc), Box::new(r))
                    } else {
                        Expr::And(Box::new(acc), Box::new(r))
                    };
                }
                Ok(acc)
            }
            Rule::not_test => {
                let mut nots = 0usize;
                let mut operand = None;
                for p in pair.into_inner() {
                    if p.as_rule() == Rule::not_op {
                        nots += 1;
                    } else {
                        operand = Some(self.expr(p)?);
                    }
                }
                let mut e = operand.ok_or_else(|| self.err_at_base("invalid syntax"))?;
                for _ in 0..nots {
                    e = Expr::Not(Box::new(e));
                }
                Ok(e)
            }
            Rule::comparison => {
                let mut inner = pair.into_inner();
                let first = self.expr(next(&mut inner)?)?;
                let mut rest = Vec::new();
                while let Some(op) = inner.next() {
                    let op = match op
                        .as_str()
                        .split_whitespace()
                        .collect::<Vec<_>>()
                        .join(" ")
                        .as_str()
                    {
                        "==" => CmpOp::Eq,
                        "!=" => CmpOp::Ne,
                        "<" => CmpOp::Lt,
                        "<=" => CmpOp::Le,
                        ">" => CmpOp::Gt,
                        ">=" => CmpOp::Ge,
                        "in" => CmpOp::In,
                        "is" => CmpOp::Is,
                        s if s.starts_with("not") => CmpOp::NotIn,
                        _ => CmpOp::IsNot,
                    };
                    let r = self.expr(next(&mut inner)?)?;
                    rest.push((op, r));
                }
                if rest.is_empty() {
                    Ok(first)
                } else {
                    Ok(Expr::Compare(Box::new(first), rest))
                }
            }
            Rule::bit_or | Rule::bit_xor | Rule::bit_and => {
                let op = match rule {
                    Rule::bit_or => BinOp::BitOr,
                    Rule::bit_xor => BinOp::BitXor,
                    _ => BinOp::BitAnd,
                };
                let mut inner = pair.into_inner();
                let mut acc = self.expr(next(&mut inner)?)?;
                for p in inner {
                    let r = self.expr(p)?;
                    acc = fold_binary(acc, op, r);
                }
                Ok(acc)
            }
            Rule::shift | Rule::arith | Rule::term => {
                let mut inner = pair.into_inner();
                let mut acc = self.expr(next(&mut inner)?)?;
                while let Some(op) = inner.next() {
                    let op = match op.as_str() {
                        "<<" => BinOp::LShift,
                        ">>" => BinOp::RShift,
                        "+" => BinOp::Add,
                        "-" => BinOp::Sub,
                        "*" => BinOp::Mul,
                        "/" => BinOp::Div,
                        "//" => BinOp::FloorDiv,
                        _ => BinOp::Mod,
                    };
                    let r = self.expr(next(&mut inner)?)?;
                    acc = fold_binary(acc, op, r);
                }
                Ok(acc)
            }
            Rule::factor => {
                let mut ops = Vec::new();
                let mut operand = None;
                for p in pair.into_inner() {
                    if p.as_rule() == Rule::unary_op {
                        ops.push(match p.as_str() {
                            "-" => UnaryOp::Neg,
                            "+" => UnaryOp::Pos,
                            _ => UnaryOp::Invert,
                        });
                    } else {
                        operand = Some(self.expr(p)?);
                    }
                }
                let mut e = operand.ok_or_else(|| self.err_at_base("invalid syntax"))?;
                for op in ops.into_iter().rev() {
                    e = fold_unary(op, e);
                }
                Ok(e)
            }
            Rule::power => {
                let mut inner = pair.into_inner();
                let base = self.expr(next(&mut inner)?)?;
                match inner.next() {
                    None => Ok(base),
                    Some(exp) => {
                        let exp = self.expr(exp)?;
                        Ok(fold_binary(base, BinOp::Pow, exp))
                    }
                }
            }
            Rule::primary => self.primary(pair),
            _ => self.atom(pair),
        }
    }

    fn primary(&mut self, pair: Pair<'_, Rule>) -> BResult<Expr> {
        let mut inner = pair.into_inner().peekable();
        let mut e = self.expr(next(&mut inner)?)?;
        while let Some(t) = inner.next() {
            match t.as_rule() {
                Rule::attribute => {
                    let name = self.interner.intern(only(t)?.as_str());
                    if inner.peek().map(|p| p.as_rule()) == Some(Rule::call) {
                        let call = next(&mut inner)?;
                        let args = self.args(call)?;
                        e = Expr::MethodCall(Box::new(e), name, args);
                    } else {
                        e = Expr::Attr(Box::new(e), name);
                    }
                }
                Rule::call => {
                    let args = self.args(t)?;
                    e = Expr::Call(Box::new(e), args);
                }
                Rule::subscript => {
                    let mut items = Vec::new();
                    let mut trailing = false;
                    for p in t.into_inner() {
                        match p.as_rule() {
                            Rule::trailing_comma => trailing = true,
                            Rule::slice => items.push(self.slice(p)?),
                            _ => items.push(self.expr(p)?),
                        }
                    }
                    let index = if items.len() == 1 && !trailing {
                        items.pop().unwrap_or(Expr::Const(Value::None))
                    } else {
                        Expr::Tuple(items)
                    };
                    e = Expr::Subscript(Box::new(e), Box::new(index));
                }
                _ => return Err(self.err(&t, "invalid syntax")),
            }
        }
        Ok(e)
    }

    fn slice(&mut self, pair: Pair<'_, Rule>) -> BResult<Expr> {
        let mut parts: [Option<Expr>; 3] = [None, None, None];
        for (i, p) in pair.into_inner().enumerate().take(3) {
            if let Some(e) = p.into_inner().next() {
                parts[i] = Some(self.expr(e)?);
            }
        }
        Ok(Expr::Slice(Box::new(parts)))
    }

    fn args(&mut self, call: Pair<'_, Rule>) -> BResult<Vec<Arg>> {
        let mut args = Vec::new();
        let mut seen_kw = false;
        let mut seen_dstar = false;
        for p in call.into_inner() {
            match p.as_rule() {
                Rule::kw_argument => {
                    let mut parts = p.clone().into_inner();
                    let name = self.interner.intern(next(&mut parts)?.as_str());
                    if args
                        .iter()
                        .any(|a| matches!(a, Arg::Kw(n, _) if *n == name))
                    {
                        return Err(self.err(
                            &p,
                            format!("keyword argument repeated: {}", self.interner.name(name)),
                        ));
                    }
                    let v = self.expr(next(&mut parts)?)?;
                    args.push(Arg::Kw(name, v));
                    seen_kw = true;
                }
                Rule::star_arg => {
                    if seen_dstar {
                        return Err(self.err(
                            &p,
                            "iterable argument unpacking follows keyword argument unpacking",
                        ));
                    }
                    args.push(Arg::Star(self.expr(only(p)?)?));
                }
                Rule::dstar_arg => {
                    args.push(Arg::DStar(self.expr(only(p)?)?));
                    seen_dstar = true;
                }
                _ => {
                    if seen_dstar {
                        return Err(
                            self.err(&p, "positional argument follows keyword argument unpacking")
                        );
                    }
                    if seen_kw {
                        return Err(self.err(&p, "positional argument follows keyword argument"));
                    }
                    args.push(Arg::Pos(self.expr(p)?));
                }
            }
        }
        Ok(args)
    }

    fn atom(&mut self, pair: Pair<'_, Rule>) -> BResult<Expr> {
        match pair.as_rule() {
            Rule::identifier => Ok(Expr::Name(Name {
                sym: self.interner.intern(pair.as_str()),
                scope: Scope::Global,
            })),
            Rule::kw_none => Ok(Expr::Const(Value::None)),
            Rule::kw_true => Ok(Expr::Const(Value::Bool(true))),
            Rule::kw_false => Ok(Expr::Const(Value::Bool(false))),
            Rule::ellipsis => Ok(Expr::Const(Value::Ellipsis)),
            Rule::number => self.number(&pair),
            Rule::imaginary => Err(self.err(&pair, "complex numbers are not supported")),
            Rule::strings => self.strings(pair),
            Rule::paren => {
                let mut items = Vec::new();
                let mut trailing = false;
                for p in pair.into_inner() {
                    if p.as_rule() == Rule::trailing_comma {
                        trailing = true;
                    } else {
                        items.push(self.expr(p)?);
                    }
                }
                if items.len() == 1 && !trailing {
                    match items.pop() {
                        Some(Expr::Starred(_)) => Err(SyntaxErr::new(
                            "cannot use starred expression here",
                            self.base,
                            self.base + 1,
                        )),
                        Some(e) => Ok(e),
                        None => Ok(Expr::Tuple(Vec::new())),
                    }
                } else {
                    Ok(fold_tuple(items))
                }
            }
            Rule::list_display => {
                let items = pair
                    .into_inner()
                    .map(|p| self.expr(p))
                    .collect::<BResult<Vec<_>>>()?;
                Ok(Expr::List(items))
            }
            Rule::brace_display => match pair.into_inner().next() {
                None => Ok(Expr::Dict(Vec::new())),
                Some(p) if p.as_rule() == Rule::dict_items => {
                    let mut items = Vec::new();
                    for item in p.into_inner() {
                        let inner = only(item)?;
                        if inner.as_rule() == Rule::dstar_arg {
                            items.push(DictItem::Splat(self.expr(only(inner)?)?));
                        } else {
                            let mut kv = inner.into_inner();
                            let k = self.expr(next(&mut kv)?)?;
                            let v = self.expr(next(&mut kv)?)?;
                            items.push(DictItem::Pair(k, v));
                        }
                    }
                    Ok(Expr::Dict(items))
                }
                Some(p) => {
                    let items = p
                        .into_inner()
                        .map(|p| self.expr(p))
                        .collect::<BResult<Vec<_>>>()?;
                    Ok(Expr::Set(items))
                }
            },
            _ => self.expr_fallback(pair),
        }
    }

    fn expr_fallback(&mut self, pair: Pair<'_, Rule>) -> BResult<Expr> {
        // Silent wrappers leave a single child: descend into it.
        let p2 = pair.clone();
        let mut inner = pair.into_inner();
        match (inner.next(), inner.next()) {
            (Some(only), None) => self.expr(only),
            _ => Err(self.err(&p2, "invalid syntax")),
        }
    }

    fn number(&self, pair: &Pair<'_, Rule>) -> BResult<Expr> {
        let text: String = pair.as_str().chars().filter(|c| *c != '_').collect();
        let lower = text.to_ascii_lowercase();
        let radix = if lower.starts_with("0x") {
            16
        } else if lower.starts_with("0o") {
            8
        } else if lower.starts_with("0b") {
            2
        } else {
            10
        };
        if radix != 10 {
            return BigInt::parse_bytes(&lower.as_bytes()[2..], radix)
                .map(|b| Expr::Const(Value::from_bigint(b)))
                .ok_or_else(|| self.err(pair, "invalid syntax"));
        }
        if lower.contains(['.', 'e']) {
            return lower
                .parse::<f64>()
                .map(|f| Expr::Const(Value::Float(f)))
                .map_err(|_| self.err(pair, "invalid syntax"));
        }
        if lower.len() > 1 && lower.starts_with('0') && lower.bytes().any(|b| b != b'0') {
            return Err(self.err(
                pair,
                "leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers",
            ));
        }
        if let Ok(i) = lower.parse::<i64>() {
            return Ok(Expr::Const(Value::Int(i)));
        }
        BigInt::parse_bytes(lower.as_bytes(), 10)
            .map(|b| Expr::Const(Value::from_bigint(b)))
            .ok_or_else(|| self.err(pair, "invalid syntax"))
    }

    fn strings(&self, pair: Pair<'_, Rule>) -> BResult<Expr> {
        let mut text: Option<String> = None;
        let mut bytes: Option<Vec<u8>> = None;
        for p in pair.into_inner() {
            let lit = p.as_str();
            let prefix_len = lit.find(['\'', '"']).unwrap_or(0);
            let prefix = lit[..prefix_len].to_ascii_lowercase();
            let raw = prefix.contains('r');
            let is_bytes = prefix.contains('b');
            let body = &lit[prefix_len..];
            let q = if body.starts_with("\"\"\"") || body.starts_with("'''") {
                3
            } else {
                1
            };
            let content = &body[q..body.len().saturating_sub(q).max(q)];
            if is_bytes {
                if text.is_some() {
                    return Err(self.err(&p, "cannot mix bytes and nonbytes literals"));
                }
                if !content.is_ascii() {
                    return Err(self.err(&p, "bytes can only contain ASCII literal characters"));
                }
                let decoded = decode_escapes(content, raw, true).map_err(|m| self.err(&p, m))?;
                let v: Vec<u8> = decoded.chars().map(|c| c as u32 as u8).collect();
                bytes.get_or_insert_with(Vec::new).extend(v);
            } else {
                if bytes.is_some() {
                    return Err(self.err(&p, "cannot mix bytes and nonbytes literals"));
                }
                let decoded = decode_escapes(content, raw, false).map_err(|m| self.err(&p, m))?;
                text.get_or_insert_with(String::new).push_str(&decoded);
            }
        }
        Ok(Expr::Const(match bytes {
            Some(b) => Value::bytes(b),
            None => Value::str(text.unwrap_or_default()),
        }))
    }
}

/// Keyword tokens: their pairs carry no information beyond the rule they sit in.
fn is_kw(r: Rule) -> bool {
    matches!(
        r,
        Rule::kw_and
            | Rule::kw_or
            | Rule::kw_not
            | Rule::kw_in
            | Rule::kw_is
            | Rule::kw_if
            | Rule::kw_elif
            | Rule::kw_else
            | Rule::kw_while
            | Rule::kw_for
            | Rule::kw_def
            | Rule::kw_pass
            | Rule::kw_break
            | Rule::kw_continue
            | Rule::kw_return
            | Rule::kw_raise
            | Rule::kw_assert
            | Rule::kw_del
            | Rule::kw_global
    )
}

/// The children of a pair, without keyword tokens.
fn kids(pair: Pair<'_, Rule>) -> impl Iterator<Item = Pair<'_, Rule>> {
    pair.into_inner().filter(|p| !is_kw(p.as_rule()))
}

/// Length of the token at the start of `s`, for the caret under a syntax error.
fn token_len(s: &str) -> usize {
    let mut chars = s.char_indices();
    match chars.next() {
        None => 1,
        Some((_, c)) if c == '_' || c.is_alphanumeric() => s
            .char_indices()
            .find(|(_, c)| !(*c == '_' || c.is_alphanumeric()))
            .map(|(i, _)| i)
            .unwrap_or(s.len()),
        Some((_, c)) => c.len_utf8(),
    }
}

/// Decodes a string literal's escapes. For bytes each char is a byte value (< 256).
pub fn decode_escapes(s: &str, raw: bool, is_bytes: bool) -> Result<String, String> {
    if raw || !s.contains('\\') {
        return Ok(s.to_string());
    }
    let mut out = String::with_capacity(s.len());
    let mut it = s.chars().peekable();
    while let Some(c) = it.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let Some(e) = it.next() else {
            out.push('\\');
            break;
        };
        match e {
            '\n' => {}
            '\\' => out.push('\\'),
            '\'' => out.push('\''),
            '"' => out.push('"'),
            'a' => out.push('\x07'),
            'b' => out.push('\x08'),
            'f' => out.push('\x0c'),
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            't' => out.push('\t'),
            'v' => out.push('\x0b'),
            '0'..='7' => {
                let mut v = e.to_digit(8).unwrap_or(0);
                for _ in 0..2 {
                    match it.peek().and_then(|c| c.to_digit(8)) {
                        Some(d) => {
                            v = v * 8 + d;
                            it.next();
                        }
                        None => break,
                    }
                }
                if is_bytes {
                    out.push(char::from_u32(v & 0xff).unwrap_or('\0'));
                } else {
                    out.push(char::from_u32(v).unwrap_or('\u{fffd}'));
                }
            }
            'x' | 'u' | 'U' if !(is_bytes && e != 'x') => {
                let n = match e {
                    'x' => 2,
                    'u' => 4,
                    _ => 8,
                };
                let mut v = 0u32;
                for i in 0..n {
                    match it.peek().and_then(|c| c.to_digit(16)) {
                        Some(d) => {
                            v = v * 16 + d;
                            it.next();
                        }
                        None => {
                            return Err(if is_bytes {
                                format!("(value error) invalid \\x escape at position {i}")
                            } else {
                                format!(
                                    "(unicode error) 'unicodeescape' codec can't decode bytes: truncated \\{e}{} escape",
                                    "X".repeat(n)
                                )
                            });
                        }
                    }
                }
                match char::from_u32(v) {
                    Some(ch) => out.push(ch),
                    None => return Err("(unicode error) illegal Unicode character".into()),
                }
            }
            'N' if !is_bytes => return Err("\\N{...} escapes are not supported".into()),
            other => {
                // Unknown escapes keep their backslash (CPython warns, then does the same).
                out.push('\\');
                out.push(other);
            }
        }
    }
    Ok(out)
}

/// A human name for an expression kind, as CPython's "cannot assign to ..." says it.
fn expr_kind_name(e: &Expr) -> &'static str {
    match e {
        Expr::Const(Value::None) => "None",
        Expr::Const(Value::Bool(true)) => "True",
        Expr::Const(Value::Bool(false)) => "False",
        Expr::Const(Value::Ellipsis) => "ellipsis",
        Expr::Const(_) => "literal",
        Expr::Call(..) | Expr::MethodCall(..) => "function call",
        Expr::Compare(..) => "comparison",
        Expr::IfExp(..) => "conditional expression",
        Expr::Dict(_) => "dict literal",
        Expr::Set(_) => "set display",
        Expr::Tuple(_) => "tuple",
        Expr::List(_) => "list",
        Expr::Starred(_) => "starred",
        _ => "expression",
    }
}

fn next<'i>(it: &mut impl Iterator<Item = Pair<'i, Rule>>) -> BResult<Pair<'i, Rule>> {
    it.next()
        .ok_or_else(|| SyntaxErr::new("invalid syntax", 0, 1))
}

fn only(pair: Pair<'_, Rule>) -> BResult<Pair<'_, Rule>> {
    let s = pair.as_span().start();
    pair.into_inner()
        .next()
        .ok_or_else(|| SyntaxErr::new("invalid syntax", s, s + 1))
}

/// Folds `-3` and other unary operators on numeric constants.
fn fold_unary(op: UnaryOp, e: Expr) -> Expr {
    if let Expr::Const(v @ (Value::Int(_) | Value::BigInt(_) | Value::Float(_))) = &e {
        if let Ok(r) = ops::unary(op, v) {
            return Expr::Const(r);
        }
    }
    Expr::Unary(op, Box::new(e))
}

/// Folds arithmetic on numeric constants when it succeeds and stays small (errors such as
/// `1/0` are left for run time, where they belong to a statement and a traceback).
fn fold_binary(l: Expr, op: BinOp, r: Expr) -> Expr {
    if let (Expr::Const(a), Expr::Const(b)) = (&l, &r) {
        let numeric = |v: &Value| matches!(v, Value::Int(_) | Value::Float(_));
        if numeric(a) && numeric(b) && !(op == BinOp::Pow || op == BinOp::LShift) {
            if let Ok(v) = ops::binary(op, a, b) {
                return Expr::Const(v);
            }
        }
    }
    Expr::Binary(Box::new(l), op, Box::new(r))
}

/// A tuple display of constants is itself a constant.
fn fold_tuple(items: Vec<Expr>) -> Expr {
    if items.iter().all(|e| matches!(e, Expr::Const(_))) {
        let vals = items
            .into_iter()
            .map(|e| match e {
                Expr::Const(v) => v,
                _ => Value::None,
            })
            .collect();
        return Expr::Const(Value::tuple(vals));
    }
    Expr::Tuple(items)
}
