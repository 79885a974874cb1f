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
#[derive(Clone)]
enum Header {
    If(Expr),
    Elif(Expr),
    Else,
    While(Expr),
    For(Target, Expr),
    Def(Box<FuncDef>),
    Class(Sym, Vec<Arg>),
    Try,
    Except(Option<Expr>, Option<Sym>),
    Finally,
    With(Vec<(Expr, Option<Target>)>),
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
            Header::Class(..) => "class definition",
            Header::Try => "try",
            Header::Except(..) => "except",
            Header::Finally => "finally",
            Header::With(_) => "with",
        }
    }
}

/// A parsed logical line.
#[derive(Clone)]
enum LineAst {
    Simple(Vec<Stmt>),
    Header(Header, Option<Vec<Stmt>>),
    Decorator(Expr),
}

struct ParsedLine {
    ast: LineAst,
    indent: usize,
    start: usize,
    line: u32,
}

/// Whether a logical line starting with `word` opens a compound statement.
pub fn is_compound_keyword(word: &str) -> bool {
    matches!(
        word,
        "if" | "while" | "for" | "def" | "class" | "try" | "with" | "@"
    )
}

/// Whether a logical line starting with `word` continues the compound statement before it.
pub fn is_continuation_keyword(word: &str) -> bool {
    matches!(word, "elif" | "else" | "except" | "finally")
}

/// Parses a whole source unit into statements.
pub fn parse(unit: &SourceUnit, interner: &mut Interner) -> Result<Vec<Stmt>, ParseFail> {
    parse_cached(unit, interner, &mut LineCache::default(), false)
}

/// The logical lines already parsed in a console block still being typed. The console checks
/// the whole pending block again after every line it receives, as `codeop` does; parsing every
/// line again each time made a long `def` quadratic, so each line is parsed once and kept here
/// (by its offset and text) until the block runs.
#[derive(Default)]
pub struct LineCache {
    lines: Vec<(usize, String, LineAst)>,
}

impl LineCache {
    /// Forgets every kept line (the block ran or failed).
    pub fn clear(&mut self) {
        self.lines.clear();
    }
}

/// [`parse`], reusing the lines `cache` holds. With `keep`, the caller will come back with the
/// same lines and more (the block is not complete): parsed lines are kept and the statements
/// built from copies; without it, kept lines are moved out and the cache emptied.
pub fn parse_cached(
    unit: &SourceUnit,
    interner: &mut Interner,
    cache: &mut LineCache,
    keep: bool,
) -> Result<Vec<Stmt>, ParseFail> {
    let lines = split(&unit.text)?;
    let parsed = parse_lines(unit, &lines, interner, cache, keep);
    if !keep || parsed.is_err() {
        cache.clear();
    }
    let mut parsed = parsed?;
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
    cache: &mut LineCache,
    keep: bool,
) -> Result<Vec<ParsedLine>, ParseFail> {
    let mut out = Vec::with_capacity(lines.len());
    for l in lines {
        let text = &unit.text[l.start..l.end];
        let cached = cache
            .lines
            .iter()
            .position(|(start, t, _)| *start == l.start && t == text);
        let ast = match cached {
            Some(i) if keep => cache.lines[i].2.clone(),
            Some(i) => cache.lines.swap_remove(i).2,
            None => {
                let mut b = Builder {
                    base: l.start,
                    interner,
                    unit,
                };
                let ast = b.parse_line(text).map_err(ParseFail::Error)?;
                if keep {
                    cache.lines.push((l.start, text.to_string(), ast.clone()));
                }
                ast
            }
        };
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

/// The clause keyword of line `i` if it is an `except`/`else`/`finally` header at `indent`.
fn try_clause_at(lines: &[ParsedLine], i: usize, indent: usize) -> Option<&'static str> {
    let l = lines.get(i)?;
    if l.indent != indent {
        return None;
    }
    match &l.ast {
        LineAst::Header(Header::Except(..), _) => Some("except"),
        LineAst::Header(Header::Else, _) => Some("else"),
        LineAst::Header(Header::Finally, _) => Some("finally"),
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
            LineAst::Header(
                Header::Elif(_) | Header::Else | Header::Except(..) | Header::Finally,
                _,
            ) => {
                let len = match &lines[i].ast {
                    LineAst::Header(Header::Except(..), _) => 6,
                    LineAst::Header(Header::Finally, _) => 7,
                    _ => 4,
                };
                return Err(ParseFail::Error(SyntaxErr::new(
                    "invalid syntax",
                    l_start,
                    l_start + len,
                )));
            }
            LineAst::Decorator(first) => {
                // Decorators, then the `def` or `class` they apply to.
                let mut decorators = vec![first];
                loop {
                    let Some(next) = lines.get(*pos) else {
                        return Err(ParseFail::Incomplete(SyntaxErr::new(
                            "invalid syntax",
                            l_start,
                            l_start + 1,
                        )));
                    };
                    if next.indent != indent {
                        return Err(ParseFail::Error(SyntaxErr::indentation(
                            "unexpected indent",
                            next.start,
                            next.start,
                            false,
                        )));
                    }
                    match &next.ast {
                        LineAst::Decorator(_) => {
                            let j = *pos;
                            *pos += 1;
                            if let LineAst::Decorator(d) = take(lines, j) {
                                decorators.push(d);
                            }
                        }
                        LineAst::Header(Header::Def(_) | Header::Class(..), _) => break,
                        _ => {
                            let at = next.start;
                            return Err(ParseFail::Error(SyntaxErr::new(
                                "invalid syntax",
                                at,
                                at + 1,
                            )));
                        }
                    }
                }
                let j = *pos;
                *pos += 1;
                let j_line = lines[j].line;
                if let LineAst::Header(header, inline) = take(lines, j) {
                    let body = block_body(lines, pos, j, &header, inline, depth)?;
                    after_block = true;
                    let kind = match header {
                        Header::Def(mut def) => {
                            def.body = body;
                            def.decorators = decorators;
                            StmtKind::Def(Rc::new(*def))
                        }
                        Header::Class(name, bases) => StmtKind::Class(Rc::new(ClassDef {
                            name,
                            bases,
                            body,
                            decorators,
                            line: j_line,
                            name_scope: Scope::Global,
                            scope: ScopeLayout::default(),
                        })),
                        _ => StmtKind::Pass,
                    };
                    stmts.push(Stmt { line: j_line, kind });
                }
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
                    Header::Def(mut def) => {
                        def.body = body;
                        StmtKind::Def(Rc::new(*def))
                    }
                    Header::Class(name, bases) => StmtKind::Class(Rc::new(ClassDef {
                        name,
                        bases,
                        body,
                        decorators: Vec::new(),
                        line: l_line,
                        name_scope: Scope::Global,
                        scope: ScopeLayout::default(),
                    })),
                    Header::With(items) => StmtKind::With { items, body },
                    Header::Try => {
                        let mut handlers = Vec::new();
                        let mut orelse = Vec::new();
                        let mut finalbody = Vec::new();
                        let mut seen_else = false;
                        let mut seen_finally = false;
                        let mut bare_seen: Option<usize> = None;
                        while let Some(kw) = try_clause_at(lines, *pos, indent) {
                            let j = *pos;
                            let (j_line, j_start) = (lines[j].line, lines[j].start);
                            if seen_finally
                                || (kw == "except" && seen_else)
                                || (kw == "else" && (handlers.is_empty() || seen_else))
                            {
                                return Err(ParseFail::Error(SyntaxErr::new(
                                    "invalid syntax",
                                    j_start,
                                    j_start + kw.len(),
                                )));
                            }
                            if let Some(at) = bare_seen {
                                if kw == "except" {
                                    return Err(ParseFail::Error(SyntaxErr::new(
                                        "default 'except:' must be last",
                                        at,
                                        at + 7,
                                    )));
                                }
                            }
                            *pos += 1;
                            if let LineAst::Header(h, inline) = take(lines, j) {
                                let b = block_body(lines, pos, j, &h, inline, depth)?;
                                match h {
                                    Header::Except(typ, name) => {
                                        if typ.is_none() {
                                            bare_seen = Some(j_start);
                                        }
                                        handlers.push(Handler {
                                            line: j_line,
                                            typ,
                                            name: name.map(|sym| Name {
                                                sym,
                                                scope: Scope::Global,
                                            }),
                                            body: b,
                                        });
                                    }
                                    Header::Else => {
                                        seen_else = true;
                                        orelse = b;
                                    }
                                    _ => {
                                        seen_finally = true;
                                        finalbody = b;
                                    }
                                }
                            }
                        }
                        if handlers.is_empty() && !seen_finally {
                            let msg = "expected 'except' or 'finally' block";
                            return Err(match lines.get(*pos) {
                                Some(n) => {
                                    ParseFail::Error(SyntaxErr::new(msg, n.start, n.start + 1))
                                }
                                None => {
                                    ParseFail::Incomplete(SyntaxErr::new(msg, l_start, l_start + 3))
                                }
                            });
                        }
                        StmtKind::Try {
                            body,
                            handlers,
                            orelse,
                            finalbody,
                        }
                    }
                    Header::Elif(_) | Header::Else | Header::Except(..) | Header::Finally => {
                        StmtKind::Pass
                    }
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
            let what = if kw.ends_with("definition") {
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
            Rule::decorator => Ok(LineAst::Decorator(self.expr(only(inner)?)?)),
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
                let line = self.line_of(&name);
                let mut def = FuncDef::new(sym, Vec::new(), Vec::new(), line);
                if inner.peek().map(|p| p.as_rule()) == Some(Rule::params) {
                    let ps = next(&mut inner)?;
                    self.params(ps, &mut def)?;
                }
                // Skip a return annotation.
                while inner.peek().map(|p| p.as_rule()) == Some(Rule::test) {
                    inner.next();
                }
                Header::Def(Box::new(def))
            }
            Rule::class_header => {
                let name = next(&mut inner)?;
                let sym = self.interner.intern(name.as_str());
                let mut bases = Vec::new();
                if inner.peek().map(|p| p.as_rule()) == Some(Rule::call) {
                    bases = self.args(next(&mut inner)?)?;
                }
                Header::Class(sym, bases)
            }
            Rule::try_header => Header::Try,
            Rule::finally_header => Header::Finally,
            Rule::except_header => {
                let mut typ = None;
                let mut name = None;
                while let Some(p) = inner.peek() {
                    match p.as_rule() {
                        Rule::test => {
                            let p = next(&mut inner)?;
                            typ = Some(self.expr(p)?);
                        }
                        Rule::identifier => {
                            let p = next(&mut inner)?;
                            name = Some(self.interner.intern(p.as_str()));
                        }
                        _ => break,
                    }
                }
                Header::Except(typ, name)
            }
            Rule::with_header => {
                let mut items = Vec::new();
                while inner.peek().map(|p| p.as_rule()) == Some(Rule::with_item) {
                    let item = next(&mut inner)?;
                    let mut parts = kids(item);
                    let ctx = self.expr(next(&mut parts)?)?;
                    let target = match parts.next() {
                        Some(t) => Some(self.target_list(t, "assign to")?),
                        None => None,
                    };
                    items.push((ctx, target));
                }
                Header::With(items)
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

    /// Fills a definition's parameters from a `params` (def) or `lambda_params` pair.
    fn params(&mut self, ps: Pair<'_, Rule>, def: &mut FuncDef) -> BResult<()> {
        let mut seen_default = false;
        let mut seen_star = false;
        let mut names: Vec<Sym> = Vec::new();
        let mut bare_star: Option<Pair<'_, Rule>> = None;
        for p in ps.into_inner() {
            let rule = p.as_rule();
            let whole = p.clone();
            if def.kwarg.is_some() {
                return Err(self.err(&whole, "arguments cannot follow var-keyword argument"));
            }
            let mut parts = p.into_inner();
            let ident = parts
                .clone()
                .find(|q| q.as_rule() == Rule::identifier)
                .map(|q| (self.interner.intern(q.as_str()), q));
            if let Some((sym, q)) = &ident {
                if names.contains(sym) {
                    return Err(self.err(
                        q,
                        format!("duplicate argument '{}' in function definition", q.as_str()),
                    ));
                }
                names.push(*sym);
            }
            match rule {
                Rule::slash => {
                    if def.params.is_empty() || seen_star {
                        return Err(self.err(
                            &whole,
                            if seen_star {
                                "/ must be ahead of *"
                            } else {
                                "at least one argument must precede /"
                            },
                        ));
                    }
                    if def.posonly > 0 {
                        return Err(self.err(&whole, "/ may appear only once"));
                    }
                    def.posonly = def.params.len();
                }
                Rule::varargs_param | Rule::lambda_varargs => {
                    if seen_star {
                        return Err(self.err(&whole, "* argument may appear only once"));
                    }
                    seen_star = true;
                    match ident {
                        Some((sym, _)) => def.vararg = Some(sym),
                        None => bare_star = Some(whole),
                    }
                }
                Rule::kwargs_param | Rule::lambda_kwargs => {
                    if let Some(b) = bare_star.take() {
                        if def.kwonly.is_empty() {
                            return Err(self.err(&b, "named arguments must follow bare *"));
                        }
                    }
                    def.kwarg = ident.map(|(s, _)| s);
                }
                _ => {
                    let Some((sym, _)) = ident else {
                        return Err(self.err(&whole, "invalid syntax"));
                    };
                    let default = match parts.find(|q| q.as_rule() == Rule::param_default) {
                        Some(d) => Some(self.expr(only(d)?)?),
                        None => None,
                    };
                    if seen_star {
                        bare_star = None;
                        def.kwonly.push(Param { name: sym, default });
                    } else {
                        if default.is_some() {
                            seen_default = true;
                        } else if seen_default {
                            return Err(
                                self.err(&whole, "non-default argument follows default argument")
                            );
                        }
                        def.params.push(Param { name: sym, default });
                    }
                }
            }
        }
        if let Some(b) = bare_star {
            return Err(self.err(&b, "named arguments must follow bare *"));
        }
        Ok(())
    }

    /// `import a.b as c` / `from a import b`: the dotted name's text.
    fn dotted(&self, pair: Pair<'_, Rule>) -> String {
        pair.into_inner()
            .map(|p| p.as_str().to_string())
            .collect::<Vec<_>>()
            .join(".")
    }

    /// A comprehension's `for`/`if` clauses.
    fn comp_clauses(&mut self, pair: Pair<'_, Rule>) -> BResult<Vec<CompFor>> {
        let mut out = Vec::new();
        for f in pair.into_inner() {
            let mut parts = kids(f);
            let tpair = next(&mut parts)?;
            let target = self.target_list(tpair, "assign to")?;
            let iter = self.expr(next(&mut parts)?)?;
            let mut ifs = Vec::new();
            for c in parts {
                ifs.push(self.expr(only_kid(c)?)?);
            }
            out.push(CompFor { target, iter, ifs });
        }
        Ok(out)
    }

    /// Builds a comprehension node.
    fn comp(
        &mut self,
        kind: CompKind,
        elt: Expr,
        value: Option<Expr>,
        clauses: Pair<'_, Rule>,
        line: u32,
    ) -> BResult<Expr> {
        let generators = self.comp_clauses(clauses)?;
        Ok(Expr::Comp(Rc::new(Comp {
            kind,
            elt,
            value,
            generators,
            line,
            scope: ScopeLayout::default(),
        })))
    }

    /// Parses the body of an f-string literal (between its quotes) into parts; `offset` is the
    /// byte offset of the body in the unit's text, for error positions.
    fn fstring(
        &mut self,
        body: &str,
        raw: bool,
        offset: usize,
        depth: usize,
    ) -> BResult<Vec<FPart>> {
        let err = |msg: &str| SyntaxErr::new(format!("f-string: {msg}"), offset, offset + 1);
        let mut parts = Vec::new();
        let mut lit = String::new();
        let chars: Vec<(usize, char)> = body.char_indices().collect();
        let mut i = 0;
        let flush = |lit: &mut String, parts: &mut Vec<FPart>| -> BResult<()> {
            if !lit.is_empty() {
                let decoded = decode_escapes(lit, raw, false).map_err(|m| err(&m))?;
                parts.push(FPart::Lit(decoded));
                lit.clear();
            }
            Ok(())
        };
        while i < chars.len() {
            let c = chars[i].1;
            if c == '}' {
                if chars.get(i + 1).map(|x| x.1) == Some('}') {
                    lit.push('}');
                    i += 2;
                    continue;
                }
                return Err(err("single '}' is not allowed"));
            }
            if c == '\\' && !raw {
                // Keep escapes for decode_escapes (so `\{` is not a field).
                lit.push(c);
                if let Some(&(_, n)) = chars.get(i + 1) {
                    lit.push(n);
                }
                i += 2;
                continue;
            }
            if c != '{' {
                lit.push(c);
                i += 1;
                continue;
            }
            if chars.get(i + 1).map(|x| x.1) == Some('{') {
                lit.push('{');
                i += 2;
                continue;
            }
            if depth >= 2 {
                return Err(err("expressions nested too deeply"));
            }
            // A replacement field: find the end of the expression.
            let start = i + 1;
            let mut j = start;
            let mut nest: Vec<char> = Vec::new();
            let mut quote: Option<char> = None;
            let mut expr_end = None;
            let mut debug = false;
            while j < chars.len() {
                let ch = chars[j].1;
                if let Some(q) = quote {
                    if ch == q {
                        quote = None;
                    }
                    j += 1;
                    continue;
                }
                match ch {
                    '\'' | '"' => quote = Some(ch),
                    '(' | '[' | '{' => nest.push(ch),
                    ')' | ']' => {
                        nest.pop();
                    }
                    '}' if !nest.is_empty() => {
                        nest.pop();
                    }
                    '\\' => return Err(err("expression part cannot include a backslash")),
                    '#' => return Err(err("expression part cannot include '#'")),
                    '}' | ':' if nest.is_empty() => {
                        expr_end = Some(j);
                        break;
                    }
                    '!' if nest.is_empty() && chars.get(j + 1).map(|x| x.1) != Some('=') => {
                        expr_end = Some(j);
                        break;
                    }
                    '=' if nest.is_empty() => {
                        let prev = if j > start { chars[j - 1].1 } else { ' ' };
                        let nxt = chars.get(j + 1).map(|x| x.1).unwrap_or(' ');
                        if nxt != '=' && !"=!<>".contains(prev) {
                            debug = true;
                            expr_end = Some(j);
                            break;
                        }
                        if nxt == '=' {
                            j += 1;
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
            let Some(end) = expr_end else {
                return Err(err("expecting '}'"));
            };
            let byte = |k: usize| chars.get(k).map(|x| x.0).unwrap_or(body.len());
            let expr_text = &body[byte(start)..byte(end)];
            if expr_text.trim().is_empty() {
                return Err(err("empty expression not allowed"));
            }
            let mut k = end;
            if debug {
                // `{x=}`: the text (with the spaces around `=`), then the value (its repr
                // unless a conversion or spec is given).
                k += 1;
                while chars.get(k).is_some_and(|c| c.1 == ' ') {
                    k += 1;
                }
                lit.push_str(&body[byte(start)..byte(k)]);
            }
            flush(&mut lit, &mut parts)?;
            let expr = self.fstring_expr(expr_text, offset + byte(start))?;
            let mut conv = None;
            if chars.get(k).map(|x| x.1) == Some('!') {
                match chars.get(k + 1).map(|x| x.1) {
                    Some(c @ ('r' | 's' | 'a')) => conv = Some(c),
                    _ => {
                        return Err(err(
                            "invalid conversion character: expected 's', 'r', or 'a'",
                        ))
                    }
                }
                k += 2;
            }
            let mut spec = Vec::new();
            if chars.get(k).map(|x| x.1) == Some(':') {
                // The spec runs to the matching `}` and may hold nested fields.
                let s0 = k + 1;
                let mut m = s0;
                let mut level = 0usize;
                while m < chars.len() {
                    match chars[m].1 {
                        '{' => level += 1,
                        '}' if level == 0 => break,
                        '}' => level -= 1,
                        _ => {}
                    }
                    m += 1;
                }
                if m >= chars.len() {
                    return Err(err("expecting '}'"));
                }
                spec = self.fstring(&body[byte(s0)..byte(m)], raw, offset + byte(s0), depth + 1)?;
                k = m;
            }
            if chars.get(k).map(|x| x.1) != Some('}') {
                return Err(err("expecting '}'"));
            }
            if debug && conv.is_none() && spec.is_empty() {
                conv = Some('r');
            }
            parts.push(FPart::Field { expr, conv, spec });
            i = k + 1;
        }
        flush(&mut lit, &mut parts)?;
        Ok(parts)
    }

    /// Parses the expression of an f-string field.
    fn fstring_expr(&mut self, text: &str, offset: usize) -> BResult<Expr> {
        // Python parses the field as if parenthesized: newlines and leading spaces are fine.
        let pairs = LangParser::parse(Rule::fstring_expr, text).map_err(|_| {
            SyntaxErr::new(
                "f-string: invalid syntax",
                offset,
                offset + text.len().max(1),
            )
        })?;
        let saved = self.base;
        self.base = offset;
        let r = (|| {
            let top = pairs
                .into_iter()
                .next()
                .ok_or_else(|| SyntaxErr::new("f-string: invalid syntax", offset, offset + 1))?;
            let e = only(top)?;
            self.expr(e)
        })();
        self.base = saved;
        r
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
            Rule::raise_stmt => {
                let exc = match inner.next() {
                    Some(p) => Some(self.expr(p)?),
                    None => None,
                };
                let cause = match inner.next() {
                    Some(p) => Some(self.expr(p)?),
                    None => None,
                };
                StmtKind::Raise { exc, cause }
            }
            Rule::nonlocal_stmt => {
                StmtKind::Nonlocal(inner.map(|p| self.interner.intern(p.as_str())).collect())
            }
            Rule::import_stmt => {
                let mut aliases = Vec::new();
                for d in inner {
                    let mut parts = kids(d);
                    let dotted = next(&mut parts)?;
                    let first = dotted
                        .clone()
                        .into_inner()
                        .next()
                        .map(|p| p.as_str().to_string())
                        .unwrap_or_default();
                    let module = self.dotted(dotted);
                    let (has_as, bound) = match parts.next() {
                        Some(a) => (true, a.as_str().to_string()),
                        None => (false, first),
                    };
                    aliases.push(ImportAlias {
                        module,
                        has_as,
                        target: Name {
                            sym: self.interner.intern(&bound),
                            scope: Scope::Global,
                        },
                    });
                }
                StmtKind::Import(aliases)
            }
            Rule::from_stmt => {
                let mut module = String::new();
                let mut names = None;
                for p in inner {
                    match p.as_rule() {
                        Rule::rel_dots => module.push_str(&p.as_str().replace(' ', "")),
                        Rule::dotted_name => module.push_str(&self.dotted(p)),
                        Rule::import_names => {
                            let mut v = Vec::new();
                            for n in p.into_inner() {
                                let mut parts = kids(n);
                                let name = self.interner.intern(next(&mut parts)?.as_str());
                                let bound = match parts.next() {
                                    Some(a) => self.interner.intern(a.as_str()),
                                    None => name,
                                };
                                v.push((
                                    name,
                                    Name {
                                        sym: bound,
                                        scope: Scope::Global,
                                    },
                                ));
                            }
                            names = Some(v);
                        }
                        _ => {}
                    }
                }
                StmtKind::ImportFrom { module, names }
            }
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
            Rule::lambdef => {
                let line = self.line_of(&pair);
                let name = self.interner.intern("<lambda>");
                let mut def = FuncDef::new(name, Vec::new(), Vec::new(), line);
                def.is_lambda = true;
                let mut body = None;
                for p in kids(pair) {
                    if p.as_rule() == Rule::lambda_params {
                        self.params(p, &mut def)?;
                    } else {
                        body = Some(self.expr(p)?);
                    }
                }
                let body = body.ok_or_else(|| self.err_at_base("invalid syntax"))?;
                def.body = vec![Stmt {
                    line,
                    kind: StmtKind::Return(Some(body)),
                }];
                Ok(Expr::Lambda(Rc::new(def)))
            }
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
                Rule::comp_clauses => {
                    // `f(x for x in y)`: the one argument so far becomes a generator.
                    let line = self.line_of(&p);
                    let elt = match (args.pop(), args.is_empty()) {
                        (Some(Arg::Pos(e)), true) if !matches!(e, Expr::Starred(_)) => e,
                        _ => return Err(self.err(&p, "Generator expression must be parenthesized")),
                    };
                    args.push(Arg::Pos(self.comp(CompKind::Gen, elt, None, p, line)?));
                }
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
            Rule::paren | Rule::list_display => {
                let rule = pair.as_rule();
                let line = self.line_of(&pair);
                let whole = pair.clone();
                let mut items = Vec::new();
                let mut trailing = false;
                let mut clauses = None;
                for p in pair.into_inner() {
                    match p.as_rule() {
                        Rule::trailing_comma => trailing = true,
                        Rule::comp_clauses => clauses = Some(p),
                        _ => items.push(self.expr(p)?),
                    }
                }
                if let Some(cl) = clauses {
                    let elt = items.pop().unwrap_or(Expr::Const(Value::None));
                    if let Expr::Starred(_) = elt {
                        return Err(
                            self.err(&whole, "iterable unpacking cannot be used in comprehension")
                        );
                    }
                    let kind = if rule == Rule::paren {
                        CompKind::Gen
                    } else {
                        CompKind::List
                    };
                    return self.comp(kind, elt, None, cl, line);
                }
                if rule == Rule::list_display {
                    return Ok(Expr::List(items));
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
            Rule::brace_display => {
                let line = self.line_of(&pair);
                let whole = pair.clone();
                let mut dict: Option<bool> = None;
                let mut pairs: Vec<DictItem> = Vec::new();
                let mut elems: Vec<Expr> = Vec::new();
                let mut clauses = None;
                for p in pair.into_inner() {
                    if p.as_rule() == Rule::comp_clauses {
                        clauses = Some(p);
                        continue;
                    }
                    let kids: Vec<Pair<'_, Rule>> = p.into_inner().collect();
                    let is_pair = kids.len() == 2
                        || kids.first().map(|k| k.as_rule()) == Some(Rule::dstar_arg);
                    match dict {
                        None => dict = Some(is_pair),
                        Some(d) if d != is_pair => {
                            return Err(self.err(&whole, "invalid syntax"));
                        }
                        _ => {}
                    }
                    let mut it = kids.into_iter();
                    let first = next(&mut it)?;
                    if first.as_rule() == Rule::dstar_arg {
                        pairs.push(DictItem::Splat(self.expr(only(first)?)?));
                    } else if is_pair {
                        let k = self.expr(first)?;
                        if let Expr::Starred(_) = k {
                            return Err(self.err(
                                &whole,
                                "cannot use a starred expression in a dictionary value",
                            ));
                        }
                        let v = self.expr(next(&mut it)?)?;
                        pairs.push(DictItem::Pair(k, v));
                    } else {
                        elems.push(self.expr(first)?);
                    }
                }
                if let Some(cl) = clauses {
                    if dict == Some(true) {
                        return match pairs.pop() {
                            Some(DictItem::Pair(k, v)) => {
                                self.comp(CompKind::Dict, k, Some(v), cl, line)
                            }
                            _ => Err(self.err(
                                &whole,
                                "dict unpacking cannot be used in dict comprehension",
                            )),
                        };
                    }
                    let elt = elems.pop().unwrap_or(Expr::Const(Value::None));
                    if let Expr::Starred(_) = elt {
                        return Err(
                            self.err(&whole, "iterable unpacking cannot be used in comprehension")
                        );
                    }
                    return self.comp(CompKind::Set, elt, None, cl, line);
                }
                match dict {
                    None | Some(true) => Ok(Expr::Dict(pairs)),
                    Some(false) => Ok(Expr::Set(elems)),
                }
            }
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

    fn strings(&mut self, pair: Pair<'_, Rule>) -> BResult<Expr> {
        let mut text: Option<String> = None;
        let mut bytes: Option<Vec<u8>> = None;
        // Set once an f-string is seen: the parts so far (`text` is flushed into them).
        let mut fparts: Option<Vec<FPart>> = None;
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
            if prefix.contains('f') {
                if bytes.is_some() {
                    return Err(self.err(&p, "cannot mix bytes and nonbytes literals"));
                }
                let parts = fparts.get_or_insert_with(Vec::new);
                if let Some(t) = text.take() {
                    parts.push(FPart::Lit(t));
                }
                let offset = self.base + p.as_span().start() + prefix_len + q;
                let new = self.fstring(content, raw, offset, 0)?;
                fparts.get_or_insert_with(Vec::new).extend(new);
                continue;
            }
            if is_bytes {
                if text.is_some() || fparts.is_some() {
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
                match &mut fparts {
                    Some(parts) => parts.push(FPart::Lit(decoded)),
                    None => text.get_or_insert_with(String::new).push_str(&decoded),
                }
            }
        }
        if let Some(parts) = fparts {
            return Ok(Expr::FString(parts));
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
            | Rule::kw_nonlocal
            | Rule::kw_lambda
            | Rule::kw_class
            | Rule::kw_try
            | Rule::kw_except
            | Rule::kw_finally
            | Rule::kw_with
            | Rule::kw_as
            | Rule::kw_import
            | Rule::kw_from
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

/// The first child of a pair that is not a keyword token.
fn only_kid(pair: Pair<'_, Rule>) -> BResult<Pair<'_, Rule>> {
    let s = pair.as_span().start();
    kids(pair)
        .next()
        .ok_or_else(|| SyntaxErr::new("invalid syntax", s, s + 1))
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
