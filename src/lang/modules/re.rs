//! `re`: regular expressions on the `fancy-regex` engine (backreferences and lookaround), with
//! Python's pattern syntax translated where the engines differ, Python's empty-match rules,
//! and Match/Pattern objects.

use std::rc::Rc;

use crate::funcs;
use crate::lang::exceptions::{Exc, ExcKind, PResult};
use crate::lang::format;
use crate::lang::interp::{State, Vm};
use crate::lang::objects::module::Module;
use crate::lang::objects::{bytes_like, downcast, error_class_in, native, raise_error, Kw, Value2};
use crate::lang::value::{Dict, NativeObject, Value};

funcs! {
    "compile" => compile, "match" => match_, "search" => search, "fullmatch" => fullmatch,
    "findall" => findall, "finditer" => finditer, "sub" => sub, "subn" => subn,
    "split" => split, "escape" => escape, "purge" => purge,
}

const I: i64 = 2;
const M: i64 = 8;
const S: i64 = 16;
const U: i64 = 32;
const X: i64 = 64;
const A: i64 = 256;

/// The module.
pub fn module(st: &mut State) -> Module {
    let err = error_class_in(st, "re.error", ExcKind::Exception);
    let f = Value::Int;
    Module::new(
        "re",
        FUNCS,
        vec![
            ("I", f(I)),
            ("IGNORECASE", f(I)),
            ("M", f(M)),
            ("MULTILINE", f(M)),
            ("S", f(S)),
            ("DOTALL", f(S)),
            ("U", f(U)),
            ("UNICODE", f(U)),
            ("X", f(X)),
            ("VERBOSE", f(X)),
            ("A", f(A)),
            ("ASCII", f(A)),
            ("NOFLAG", f(0)),
            ("error", Value::Class(err)),
        ],
    )
}

/// A compiled pattern.
pub struct Compiled {
    /// The source pattern (str or bytes).
    pub source: Value,
    /// Python flags.
    pub flags: i64,
    /// Whether it matches bytes.
    pub bytes: bool,
    /// For search/match.
    re: fancy_regex::Regex,
    /// For fullmatch: `(?:pat)\z`.
    full: fancy_regex::Regex,
    /// Group names by index (index 0 is the whole match).
    names: Vec<Option<String>>,
}

fn re_error(vm: &mut Vm<'_>, msg: impl Into<String>) -> Exc {
    raise_error(vm, "re.error", ExcKind::Exception, msg)
}

/// Translates Python pattern syntax to fancy-regex syntax.
fn translate(p: &str, ascii: bool, multiline: bool) -> String {
    let c: Vec<char> = p.chars().collect();
    let mut out = String::with_capacity(p.len() + 8);
    let mut i = 0;
    let ascii_class = |e: char, in_class: bool| -> Option<&'static str> {
        Some(match (e, in_class) {
            ('d', false) => "[0-9]",
            ('D', false) => "[^0-9]",
            ('w', false) => "[a-zA-Z0-9_]",
            ('W', false) => "[^a-zA-Z0-9_]",
            ('s', false) => "[ \\t\\n\\r\\x0c\\x0b]",
            ('S', false) => "[^ \\t\\n\\r\\x0c\\x0b]",
            ('d', true) => "0-9",
            ('w', true) => "a-zA-Z0-9_",
            ('s', true) => " \\t\\n\\r\\x0c\\x0b",
            _ => return None,
        })
    };
    while i < c.len() {
        let ch = c[i];
        match ch {
            '\\' if i + 1 < c.len() => {
                let e = c[i + 1];
                i += 2;
                match e {
                    'Z' => out.push_str("\\z"),
                    'd' | 'D' | 'w' | 'W' | 's' | 'S' if ascii => {
                        out.push_str(ascii_class(e, false).unwrap_or(""))
                    }
                    '0' => {
                        // Octal escape: up to two more octal digits.
                        let mut v = 0u32;
                        let mut n = 0;
                        while n < 2 && i < c.len() && ('0'..='7').contains(&c[i]) {
                            v = v * 8 + c[i].to_digit(8).unwrap_or(0);
                            i += 1;
                            n += 1;
                        }
                        out.push_str(&format!("\\x{{{v:x}}}"));
                    }
                    _ => {
                        out.push('\\');
                        out.push(e);
                    }
                }
            }
            '[' => {
                out.push('[');
                i += 1;
                if i < c.len() && c[i] == '^' {
                    out.push('^');
                    i += 1;
                }
                if i < c.len() && c[i] == ']' {
                    out.push_str("\\]");
                    i += 1;
                }
                while i < c.len() && c[i] != ']' {
                    let x = c[i];
                    if x == '\\' && i + 1 < c.len() {
                        let e = c[i + 1];
                        match e {
                            'b' => out.push_str("\\x08"),
                            'd' | 'w' | 's' if ascii => {
                                out.push_str(ascii_class(e, true).unwrap_or(""))
                            }
                            _ => {
                                out.push('\\');
                                out.push(e);
                            }
                        }
                        i += 2;
                        continue;
                    }
                    if x == '[' || ((x == '&' || x == '~' || x == '-') && c.get(i + 1) == Some(&x))
                    {
                        out.push('\\');
                    }
                    out.push(x);
                    i += 1;
                }
                if i < c.len() {
                    out.push(']');
                    i += 1;
                }
            }
            '{' => {
                // A quantifier only when it reads as one; otherwise a literal brace.
                let rest: String = c[i..].iter().take(40).collect();
                let end = rest.find('}');
                let body = end.map(|e| &rest[1..e]);
                let valid = body.is_some_and(|b| {
                    let (lo, hi) = match b.split_once(',') {
                        Some((l, h)) => (l, Some(h)),
                        None => (b, None),
                    };
                    lo.chars().all(|d| d.is_ascii_digit())
                        && hi.is_none_or(|h| h.chars().all(|d| d.is_ascii_digit()))
                        && (!lo.is_empty() || hi.is_some_and(|h| !h.is_empty()))
                });
                match (valid, body) {
                    (true, Some(b)) => {
                        let b = if b.starts_with(',') {
                            format!("0{b}")
                        } else {
                            b.to_string()
                        };
                        out.push('{');
                        out.push_str(&b);
                        out.push('}');
                        i += b.len() + 2 - usize::from(body.is_some_and(|x| x.starts_with(',')));
                    }
                    _ => {
                        out.push_str("\\{");
                        i += 1;
                    }
                }
            }
            '$' if !multiline => {
                out.push_str("(?=\\n?\\z)");
                i += 1;
            }
            '(' if c.get(i + 1) == Some(&'?') => {
                if c.get(i + 2) == Some(&'P') && c.get(i + 3) == Some(&'=') {
                    // (?P=name) backreference.
                    let start = i + 4;
                    let mut j = start;
                    while j < c.len() && c[j] != ')' {
                        j += 1;
                    }
                    let name: String = c[start..j].iter().collect();
                    out.push_str(&format!("\\k<{name}>"));
                    i = j + 1;
                } else if c.get(i + 2) == Some(&'#') {
                    while i < c.len() && c[i] != ')' {
                        i += 1;
                    }
                    i += 1;
                } else {
                    out.push_str("(?");
                    i += 2;
                }
            }
            _ => {
                out.push(ch);
                i += 1;
            }
        }
    }
    out
}

/// Text a pattern works on: str, or bytes seen as latin-1 characters.
fn haystack(v: &Value, bytes: bool) -> PResult<String> {
    match (crate::lang::subclass::plain(v), bytes) {
        (Value::Str(s), false) => Ok(s.s.clone()),
        (Value::Str(_), true) => Err(Exc::type_error(
            "cannot use a bytes pattern on a string-like object",
        )),
        (v, false) if bytes_like(v).is_some() => Err(Exc::type_error(
            "cannot use a string pattern on a bytes-like object",
        )),
        (v, _) => match bytes_like(v) {
            Some(b) => Ok(b.iter().map(|&c| c as char).collect()),
            None => Err(Exc::type_error(format!(
                "expected string or bytes-like object, got '{}'",
                v.type_name()
            ))),
        },
    }
}

fn out_text(s: &str, bytes: bool) -> Value {
    if bytes {
        Value::bytes(s.chars().map(|c| c as u32 as u8).collect())
    } else {
        Value::str(s)
    }
}

/// Compiles (with a per-session cache).
pub fn compile_value(vm: &mut Vm<'_>, pat: &Value, flags: i64) -> PResult<Rc<Compiled>> {
    if let Some(p) = downcast::<Pattern>(pat) {
        if flags != 0 {
            return Err(Exc::value_error(
                "cannot process flags argument with a compiled pattern",
            ));
        }
        return Ok(p.0.clone());
    }
    let (key, text, bytes) = match crate::lang::subclass::plain(pat) {
        Value::Str(s) => (Value2::Str(s.s.clone()), s.s.clone(), false),
        v => match bytes_like(v) {
            Some(b) => (
                Value2::Bytes(b.clone()),
                b.iter().map(|&c| c as char).collect(),
                true,
            ),
            None => {
                return Err(Exc::type_error(
                    "first argument must be string or compiled pattern",
                ))
            }
        },
    };
    if let Some(c) = vm.st.lib.regex_cache.get(&(key.clone(), flags)) {
        return Ok(c.clone());
    }
    if bytes && flags & U != 0 {
        return Err(Exc::value_error(
            "cannot use UNICODE flag with a bytes pattern",
        ));
    }
    let mut prefix = String::new();
    for (bit, ch) in [(I, 'i'), (M, 'm'), (S, 's'), (X, 'x')] {
        if flags & bit != 0 {
            prefix.push(ch);
        }
    }
    let mut ascii = bytes || flags & A != 0;
    let mut src = text.clone();
    // Leading inline flags Python has and the engine lacks.
    if let Some(rest) = src.strip_prefix("(?a)") {
        ascii = true;
        src = rest.to_string();
    }
    if flags & X == 0 {
        if let Some(msg) = sre_check(&src) {
            return Err(re_error(vm, msg));
        }
    }
    let multiline = flags & M != 0 || src.starts_with("(?m)") || src.contains("(?m");
    let body = translate(&src, ascii, multiline);
    let head = if prefix.is_empty() {
        String::new()
    } else {
        format!("(?{prefix})")
    };
    let build = |s: String| {
        fancy_regex::RegexBuilder::new(&s)
            .backtrack_limit(10_000_000)
            .build()
    };
    let re = build(format!("{head}{body}")).map_err(|e| re_error(vm, e.to_string()))?;
    let full = build(format!("{head}(?:{body})\\z")).map_err(|e| re_error(vm, e.to_string()))?;
    let names = re.capture_names().map(|n| n.map(String::from)).collect();
    let c = Rc::new(Compiled {
        source: pat.clone(),
        flags: flags | if bytes { 0 } else { U },
        bytes,
        re,
        full,
        names,
    });
    if vm.st.lib.regex_cache.len() > 512 {
        vm.st.lib.regex_cache.clear();
    }
    vm.st.lib.regex_cache.insert((key, flags), c.clone());
    Ok(c)
}

/// The structural errors of a pattern, in the words of CPython's `sre_parse` (the engine's
/// own messages differ): unbalanced or unterminated groups, unterminated sets, nothing to
/// repeat. Positions count characters, as Python's do.
fn sre_check(pattern: &str) -> Option<String> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut open: Vec<usize> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' => i += 1,
            '[' => {
                let start = i;
                let mut j = i + 1;
                if chars.get(j) == Some(&'^') {
                    j += 1;
                }
                if chars.get(j) == Some(&']') {
                    j += 1;
                }
                while j < chars.len() && chars[j] != ']' {
                    if chars[j] == '\\' {
                        j += 1;
                    }
                    j += 1;
                }
                if j >= chars.len() {
                    return Some(format!("unterminated character set at position {start}"));
                }
                i = j;
            }
            '(' => open.push(i),
            ')' if open.pop().is_none() => {
                return Some(format!("unbalanced parenthesis at position {i}"));
            }
            '*' | '+' | '?' => {
                let prev = if i == 0 { None } else { Some(chars[i - 1]) };
                let nothing = match prev {
                    None | Some('|') => true,
                    Some('(') => c != '?',
                    _ => false,
                };
                if nothing {
                    return Some(format!("nothing to repeat at position {i}"));
                }
            }
            _ => {}
        }
        i += 1;
    }
    open.last()
        .map(|p| format!("missing ), unterminated subpattern at position {p}"))
}

/// One match: byte spans into the haystack.
struct Found {
    spans: Vec<Option<(usize, usize)>>,
}

fn engine_error(vm: &mut Vm<'_>, e: fancy_regex::Error) -> Exc {
    match e {
        fancy_regex::Error::RuntimeError(_) => {
            Exc::new(ExcKind::RecursionError, "maximum recursion limit exceeded")
        }
        e => re_error(vm, e.to_string()),
    }
}

fn captures_at(
    vm: &mut Vm<'_>,
    re: &fancy_regex::Regex,
    hay: &str,
    pos: usize,
) -> PResult<Option<Found>> {
    match re.captures_from_pos(hay, pos) {
        Ok(Some(c)) => Ok(Some(Found {
            spans: (0..c.len())
                .map(|i| c.get(i).map(|m| (m.start(), m.end())))
                .collect(),
        })),
        Ok(None) => Ok(None),
        Err(e) => Err(engine_error(vm, e)),
    }
}

fn next_char(hay: &str, pos: usize) -> usize {
    hay[pos..]
        .chars()
        .next()
        .map(|c| pos + c.len_utf8())
        .unwrap_or(hay.len() + 1)
}

/// All matches, with Python's rule that an empty match may not follow another at the same
/// position, but may follow a non-empty one.
fn find_all(vm: &mut Vm<'_>, c: &Compiled, hay: &str, limit: usize) -> PResult<Vec<Found>> {
    let mut out = Vec::new();
    let mut pos = 0;
    let mut must_advance = false;
    while pos <= hay.len() && (limit == 0 || out.len() < limit) {
        let Some(f) = captures_at(vm, &c.re, hay, pos)? else {
            break;
        };
        let (s, e) = f.spans[0].unwrap_or((pos, pos));
        if s == e && must_advance && s == pos {
            pos = next_char(hay, pos);
            must_advance = false;
            if pos > hay.len() {
                break;
            }
            continue;
        }
        must_advance = s == e;
        pos = e;
        out.push(f);
        if vm.st.stop.requested().is_some() {
            break;
        }
    }
    Ok(out)
}

fn char_index(hay: &str, byte: usize) -> usize {
    if hay.is_ascii() {
        byte
    } else {
        hay[..byte.min(hay.len())].chars().count()
    }
}

fn byte_index(hay: &str, ch: usize) -> usize {
    if hay.is_ascii() {
        ch.min(hay.len())
    } else {
        hay.char_indices()
            .nth(ch)
            .map(|(b, _)| b)
            .unwrap_or(hay.len())
    }
}

/// A Match object.
pub struct Match {
    pat: Rc<Compiled>,
    hay: Rc<String>,
    string: Value,
    spans: Vec<Option<(usize, usize)>>,
    pos: usize,
    endpos: usize,
}

impl Match {
    fn group_index(&self, v: &Value) -> PResult<usize> {
        let idx = match v {
            Value::Str(s) => self
                .pat
                .names
                .iter()
                .position(|n| n.as_deref() == Some(s.s.as_str())),
            _ => crate::lang::ops::index_of(v)
                .filter(|i| *i >= 0 && (*i as usize) < self.spans.len())
                .map(|i| i as usize),
        };
        idx.ok_or_else(|| Exc::new(ExcKind::IndexError, "no such group"))
    }
    fn group(&self, i: usize, default: &Value) -> Value {
        match self.spans.get(i).copied().flatten() {
            Some((s, e)) => out_text(&self.hay[s..e], self.pat.bytes),
            None => default.clone(),
        }
    }
    fn span(&self, i: usize) -> (i64, i64) {
        match self.spans.get(i).copied().flatten() {
            Some((s, e)) => (
                char_index(&self.hay, s) as i64,
                char_index(&self.hay, e) as i64,
            ),
            None => (-1, -1),
        }
    }
    fn expand(&self, vm: &mut Vm<'_>, template: &str) -> PResult<String> {
        expand_template(vm, template, &self.pat, |i| {
            self.spans
                .get(i)
                .copied()
                .flatten()
                .map(|(s, e)| self.hay[s..e].to_string())
        })
    }
}

fn expand_template(
    vm: &mut Vm<'_>,
    t: &str,
    pat: &Compiled,
    group: impl Fn(usize) -> Option<String>,
) -> PResult<String> {
    let c: Vec<char> = t.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    let ngroups = pat.names.len();
    while i < c.len() {
        if c[i] != '\\' || i + 1 >= c.len() {
            out.push(c[i]);
            i += 1;
            continue;
        }
        let e = c[i + 1];
        i += 2;
        match e {
            'n' => out.push('\n'),
            't' => out.push('\t'),
            'r' => out.push('\r'),
            'f' => out.push('\x0c'),
            'v' => out.push('\x0b'),
            'a' => out.push('\x07'),
            'b' => out.push('\x08'),
            '\\' => out.push('\\'),
            'g' => {
                if c.get(i) != Some(&'<') {
                    return Err(re_error(vm, format!("missing < at position {}", i)));
                }
                let start = i + 1;
                let mut j = start;
                while j < c.len() && c[j] != '>' {
                    j += 1;
                }
                if j >= c.len() {
                    return Err(re_error(
                        vm,
                        format!("missing >, unterminated name at position {start}"),
                    ));
                }
                let name: String = c[start..j].iter().collect();
                let idx = match name.parse::<usize>() {
                    Ok(n) => Some(n),
                    Err(_) => pat.names.iter().position(|n| n.as_deref() == Some(&name)),
                };
                match idx.filter(|n| *n < ngroups) {
                    Some(n) => out.push_str(&group(n).unwrap_or_default()),
                    None => {
                        return Err(Exc::new(
                            ExcKind::IndexError,
                            format!("unknown group name '{name}'"),
                        ))
                    }
                }
                i = j + 1;
            }
            d if d.is_ascii_digit() => {
                let mut n = d.to_digit(10).unwrap_or(0) as usize;
                if i < c.len() && c[i].is_ascii_digit() {
                    n = n * 10 + c[i].to_digit(10).unwrap_or(0) as usize;
                    i += 1;
                }
                if n >= ngroups {
                    return Err(re_error(
                        vm,
                        format!("invalid group reference {n} at position {}", i - 1),
                    ));
                }
                out.push_str(&group(n).unwrap_or_default());
            }
            e if e.is_ascii_alphabetic() => {
                return Err(re_error(
                    vm,
                    format!("bad escape \\{e} at position {}", i - 2),
                ))
            }
            e => {
                out.push('\\');
                out.push(e);
            }
        }
    }
    Ok(out)
}

const MATCH_METHODS: &[&str] = &[
    "end",
    "expand",
    "group",
    "groupdict",
    "groups",
    "span",
    "start",
    "__getitem__",
];

impl NativeObject for Match {
    fn type_name(&self) -> &str {
        "Match"
    }
    fn repr(&self) -> String {
        let (s, e) = self.span(0);
        let m = self.group(0, &Value::None);
        format!(
            "<re.Match object; span=({s}, {e}), match={}>",
            format::repr(&m).unwrap_or_default()
        )
    }
    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }
    fn get_attr(&self, _vm: &mut Vm<'_>, _this: &Value, name: &str) -> Option<PResult<Value>> {
        Some(Ok(match name {
            "string" => self.string.clone(),
            "re" => native(Pattern(self.pat.clone())),
            "pos" => Value::Int(self.pos as i64),
            "endpos" => Value::Int(self.endpos as i64),
            "lastindex" => match (1..self.spans.len())
                .rev()
                .find(|i| self.spans[*i].is_some())
            {
                Some(i) => Value::Int(i as i64),
                None => Value::None,
            },
            "lastgroup" => match (1..self.spans.len())
                .rev()
                .find(|i| self.spans[*i].is_some())
                .and_then(|i| self.pat.names[i].clone())
            {
                Some(n) => Value::str(n),
                None => Value::None,
            },
            _ => return None,
        }))
    }
    fn method_names(&self) -> &'static [&'static str] {
        MATCH_METHODS
    }
    fn get_item(&self, key: &Value) -> Option<PResult<Value>> {
        Some(self.group_index(key).map(|i| self.group(i, &Value::None)))
    }
    fn call_method(
        &self,
        vm: &mut Vm<'_>,
        _this: &Value,
        name: &str,
        args: Vec<Value>,
        kw: Kw,
    ) -> Option<PResult<Value>> {
        let r = (|| -> PResult<Value> {
            match name {
                "group" => {
                    if args.is_empty() {
                        return Ok(self.group(0, &Value::None));
                    }
                    let mut out = Vec::new();
                    for a in &args {
                        let i = self.group_index(a)?;
                        out.push(self.group(i, &Value::None));
                    }
                    Ok(if out.len() == 1 {
                        out.pop().unwrap_or(Value::None)
                    } else {
                        Value::tuple(out)
                    })
                }
                "__getitem__" => {
                    let i = self.group_index(args.first().unwrap_or(&Value::Int(0)))?;
                    Ok(self.group(i, &Value::None))
                }
                "groups" => {
                    let a =
                        crate::lang::objects::parse_args(vm, "groups", args, kw, &["default"], 0)?;
                    let d = a[0].clone().unwrap_or(Value::None);
                    Ok(Value::tuple(
                        (1..self.spans.len()).map(|i| self.group(i, &d)).collect(),
                    ))
                }
                "groupdict" => {
                    let a = crate::lang::objects::parse_args(
                        vm,
                        "groupdict",
                        args,
                        kw,
                        &["default"],
                        0,
                    )?;
                    let d = a[0].clone().unwrap_or(Value::None);
                    let mut out = Dict::new();
                    for (i, n) in self.pat.names.iter().enumerate() {
                        if let Some(n) = n {
                            out.insert(
                                crate::lang::ops::key(&Value::str(n.clone()))?,
                                self.group(i, &d),
                            );
                        }
                    }
                    Ok(Value::Dict(Rc::new(std::cell::RefCell::new(out))))
                }
                "start" | "end" | "span" => {
                    let i = match args.first() {
                        Some(a) => self.group_index(a)?,
                        None => 0,
                    };
                    let (s, e) = self.span(i);
                    Ok(match name {
                        "start" => Value::Int(s),
                        "end" => Value::Int(e),
                        _ => Value::tuple(vec![Value::Int(s), Value::Int(e)]),
                    })
                }
                "expand" => {
                    let t = match args.first() {
                        Some(Value::Str(s)) => s.s.clone(),
                        Some(v) => bytes_like(v)
                            .map(|b| b.iter().map(|&c| c as char).collect())
                            .unwrap_or_default(),
                        None => String::new(),
                    };
                    let s = self.expand(vm, &t)?;
                    Ok(out_text(&s, self.pat.bytes))
                }
                _ => Err(Exc::new(
                    ExcKind::AttributeError,
                    format!("'re.Match' object has no attribute '{name}'"),
                )),
            }
        })();
        Some(r)
    }
    fn truthy(&self) -> bool {
        true
    }
}

/// A compiled Pattern object.
pub struct Pattern(pub Rc<Compiled>);

const PATTERN_METHODS: &[&str] = &[
    "findall",
    "finditer",
    "fullmatch",
    "match",
    "search",
    "split",
    "sub",
    "subn",
];

fn flag_names(flags: i64) -> String {
    let mut parts = Vec::new();
    for (bit, n) in [
        (I, "re.IGNORECASE"),
        (M, "re.MULTILINE"),
        (S, "re.DOTALL"),
        (X, "re.VERBOSE"),
        (A, "re.ASCII"),
    ] {
        if flags & bit != 0 {
            parts.push(n);
        }
    }
    parts.join("|")
}

impl NativeObject for Pattern {
    fn type_name(&self) -> &str {
        "Pattern"
    }
    fn repr(&self) -> String {
        let src = format::repr(&self.0.source).unwrap_or_default();
        let f = flag_names(self.0.flags);
        if f.is_empty() {
            format!("re.compile({src})")
        } else {
            format!("re.compile({src}, {f})")
        }
    }
    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }
    fn eq(&self, other: &Value) -> Option<bool> {
        Some(downcast::<Pattern>(other).is_some_and(|o| {
            o.0.flags == self.0.flags && crate::lang::ops::eq(&o.0.source, &self.0.source)
        }))
    }
    fn get_attr(&self, _vm: &mut Vm<'_>, _this: &Value, name: &str) -> Option<PResult<Value>> {
        Some(Ok(match name {
            "pattern" => self.0.source.clone(),
            "flags" => Value::Int(self.0.flags),
            "groups" => Value::Int(self.0.names.len() as i64 - 1),
            "groupindex" => {
                let mut d = Dict::new();
                for (i, n) in self.0.names.iter().enumerate() {
                    if let Some(n) = n {
                        if let Ok(k) = crate::lang::ops::key(&Value::str(n.clone())) {
                            d.insert(k, Value::Int(i as i64));
                        }
                    }
                }
                Value::Dict(Rc::new(std::cell::RefCell::new(d)))
            }
            _ => return None,
        }))
    }
    fn method_names(&self) -> &'static [&'static str] {
        PATTERN_METHODS
    }
    fn call_method(
        &self,
        vm: &mut Vm<'_>,
        _this: &Value,
        name: &str,
        args: Vec<Value>,
        kw: Kw,
    ) -> Option<PResult<Value>> {
        let c = self.0.clone();
        Some(match name {
            "match" | "search" | "fullmatch" => (|| {
                let a = crate::lang::objects::parse_args(
                    vm,
                    name,
                    args,
                    kw,
                    &["string", "pos", "endpos"],
                    1,
                )?;
                let pos = match &a[1] {
                    Some(v) => crate::lang::objects::int_arg(v)?.max(0) as usize,
                    None => 0,
                };
                let endpos = match &a[2] {
                    Some(v) => Some(crate::lang::objects::int_arg(v)?.max(0) as usize),
                    None => None,
                };
                do_match(
                    vm,
                    &c,
                    name,
                    a[0].as_ref().unwrap_or(&Value::None),
                    pos,
                    endpos,
                )
            })(),
            "findall" | "finditer" | "split" | "sub" | "subn" => {
                let mut full = vec![native(Pattern(c))];
                full.extend(args);
                match name {
                    "findall" => findall(vm, full, kw),
                    "finditer" => finditer(vm, full, kw),
                    "split" => split(vm, full, kw),
                    "sub" => sub(vm, full, kw),
                    _ => subn(vm, full, kw),
                }
            }
            _ => return None,
        })
    }
}

fn do_match(
    vm: &mut Vm<'_>,
    c: &Rc<Compiled>,
    how: &str,
    string: &Value,
    pos: usize,
    endpos: Option<usize>,
) -> PResult<Value> {
    let full_hay = haystack(string, c.bytes)?;
    let nchars = full_hay.chars().count();
    let endpos = endpos.unwrap_or(nchars).min(nchars);
    let hay = full_hay[..byte_index(&full_hay, endpos)].to_string();
    let bpos = byte_index(&hay, pos.min(endpos));
    let re = if how == "fullmatch" { &c.full } else { &c.re };
    let found = captures_at(vm, re, &hay, bpos)?;
    let found = match found {
        Some(f) if how != "search" && f.spans[0].map(|s| s.0) != Some(bpos) => None,
        f => f,
    };
    Ok(match found {
        Some(f) => native(Match {
            pat: c.clone(),
            hay: Rc::new(hay),
            string: string.clone(),
            spans: f.spans,
            pos,
            endpos,
        }),
        None => Value::None,
    })
}

fn flags_arg(v: Option<&Value>) -> PResult<i64> {
    match v {
        None => Ok(0),
        Some(v) => crate::lang::objects::int_arg(v),
    }
}

fn pattern_call(vm: &mut Vm<'_>, how: &str, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    let a =
        crate::lang::objects::parse_args(vm, how, args, kw, &["pattern", "string", "flags"], 2)?;
    let c = compile_value(
        vm,
        a[0].as_ref().unwrap_or(&Value::None),
        flags_arg(a[2].as_ref())?,
    )?;
    do_match(vm, &c, how, a[1].as_ref().unwrap_or(&Value::None), 0, None)
}

fn match_(vm: &mut Vm<'_>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    pattern_call(vm, "match", args, kw)
}

fn search(vm: &mut Vm<'_>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    pattern_call(vm, "search", args, kw)
}

fn fullmatch(vm: &mut Vm<'_>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    pattern_call(vm, "fullmatch", args, kw)
}

fn compile(vm: &mut Vm<'_>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    let a = crate::lang::objects::parse_args(vm, "compile", args, kw, &["pattern", "flags"], 1)?;
    let c = compile_value(
        vm,
        a[0].as_ref().unwrap_or(&Value::None),
        flags_arg(a[1].as_ref())?,
    )?;
    Ok(native(Pattern(c)))
}

fn findall(vm: &mut Vm<'_>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    let a = crate::lang::objects::parse_args(
        vm,
        "findall",
        args,
        kw,
        &["pattern", "string", "flags"],
        2,
    )?;
    let c = compile_value(
        vm,
        a[0].as_ref().unwrap_or(&Value::None),
        flags_arg(a[2].as_ref())?,
    )?;
    let hay = haystack(a[1].as_ref().unwrap_or(&Value::None), c.bytes)?;
    let found = find_all(vm, &c, &hay, 0)?;
    let text = |sp: Option<(usize, usize)>| match sp {
        Some((s, e)) => out_text(&hay[s..e], c.bytes),
        None => out_text("", c.bytes),
    };
    let out = found
        .into_iter()
        .map(|f| match f.spans.len() {
            1 => text(f.spans[0]),
            2 => text(f.spans[1]),
            _ => Value::tuple(f.spans[1..].iter().map(|s| text(*s)).collect()),
        })
        .collect();
    Ok(Value::list(out))
}

fn finditer(vm: &mut Vm<'_>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    let a = crate::lang::objects::parse_args(
        vm,
        "finditer",
        args,
        kw,
        &["pattern", "string", "flags"],
        2,
    )?;
    let c = compile_value(
        vm,
        a[0].as_ref().unwrap_or(&Value::None),
        flags_arg(a[2].as_ref())?,
    )?;
    let string = a[1].clone().unwrap_or(Value::None);
    let hay = Rc::new(haystack(&string, c.bytes)?);
    let n = hay.chars().count();
    let items = find_all(vm, &c, &hay, 0)?
        .into_iter()
        .map(|f| {
            native(Match {
                pat: c.clone(),
                hay: hay.clone(),
                string: string.clone(),
                spans: f.spans,
                pos: 0,
                endpos: n,
            })
        })
        .collect();
    Ok(crate::lang::objects::iters::make(
        "callable_iterator",
        crate::lang::objects::iters::IterState::Items { items, pos: 0 },
    ))
}

fn sub_impl(vm: &mut Vm<'_>, name: &str, args: Vec<Value>, kw: Kw) -> PResult<(Value, usize)> {
    let a = crate::lang::objects::parse_args(
        vm,
        name,
        args,
        kw,
        &["pattern", "repl", "string", "count", "flags"],
        3,
    )?;
    let c = compile_value(
        vm,
        a[0].as_ref().unwrap_or(&Value::None),
        flags_arg(a[4].as_ref())?,
    )?;
    let string = a[2].clone().unwrap_or(Value::None);
    let hay = Rc::new(haystack(&string, c.bytes)?);
    let count = match &a[3] {
        Some(v) => crate::lang::objects::int_arg(v)?.max(0) as usize,
        None => 0,
    };
    let repl = a[1].clone().unwrap_or(Value::None);
    let template = match crate::lang::subclass::plain(&repl) {
        Value::Str(s) if !c.bytes => Some(s.s.clone()),
        Value::Str(_) => {
            return Err(Exc::type_error(
                "expected a bytes-like object, str found".to_string(),
            ))
        }
        v => match bytes_like(v) {
            Some(_) if !c.bytes => {
                return Err(Exc::type_error(format!(
                    "expected str instance, {} found",
                    v.type_name()
                )))
            }
            Some(b) => Some(b.iter().map(|&ch| ch as char).collect()),
            None => None,
        },
    };
    let found = find_all(vm, &c, &hay, count)?;
    let n = found.len();
    let mut out = String::new();
    let mut last = 0;
    let nchars = hay.chars().count();
    for f in found {
        let (s, e) = f.spans[0].unwrap_or((last, last));
        out.push_str(&hay[last..s]);
        match &template {
            Some(t) => {
                let spans = f.spans.clone();
                let h = hay.clone();
                let piece = expand_template(vm, t, &c, |i| {
                    spans
                        .get(i)
                        .copied()
                        .flatten()
                        .map(|(a, b)| h[a..b].to_string())
                })?;
                out.push_str(&piece);
            }
            None => {
                let m = native(Match {
                    pat: c.clone(),
                    hay: hay.clone(),
                    string: string.clone(),
                    spans: f.spans,
                    pos: 0,
                    endpos: nchars,
                });
                let r = vm.call(&repl, vec![m], Vec::new())?;
                match (&r, c.bytes) {
                    (Value::Str(s), false) => out.push_str(&s.s),
                    (v, true) if bytes_like(v).is_some() => out.extend(
                        bytes_like(v)
                            .unwrap_or_default()
                            .iter()
                            .map(|&ch| ch as char),
                    ),
                    (v, _) => {
                        return Err(Exc::type_error(format!(
                            "expected {}, {} found",
                            if c.bytes {
                                "a bytes-like object"
                            } else {
                                "str instance"
                            },
                            v.type_name()
                        )))
                    }
                }
            }
        }
        last = e;
    }
    out.push_str(&hay[last..]);
    Ok((out_text(&out, c.bytes), n))
}

fn sub(vm: &mut Vm<'_>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    sub_impl(vm, "sub", args, kw).map(|r| r.0)
}

fn subn(vm: &mut Vm<'_>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    sub_impl(vm, "subn", args, kw).map(|(v, n)| Value::tuple(vec![v, Value::Int(n as i64)]))
}

fn split(vm: &mut Vm<'_>, args: Vec<Value>, kw: Kw) -> PResult<Value> {
    let a = crate::lang::objects::parse_args(
        vm,
        "split",
        args,
        kw,
        &["pattern", "string", "maxsplit", "flags"],
        2,
    )?;
    let c = compile_value(
        vm,
        a[0].as_ref().unwrap_or(&Value::None),
        flags_arg(a[3].as_ref())?,
    )?;
    let hay = haystack(a[1].as_ref().unwrap_or(&Value::None), c.bytes)?;
    let maxsplit = match &a[2] {
        Some(v) => crate::lang::objects::int_arg(v)?.max(0) as usize,
        None => 0,
    };
    let mut out = Vec::new();
    let mut last = 0;
    for f in find_all(vm, &c, &hay, maxsplit)? {
        let (s, e) = f.spans[0].unwrap_or((last, last));
        out.push(out_text(&hay[last..s], c.bytes));
        for sp in &f.spans[1..] {
            out.push(match sp {
                Some((x, y)) => out_text(&hay[*x..*y], c.bytes),
                None => Value::None,
            });
        }
        last = e;
    }
    out.push(out_text(&hay[last..], c.bytes));
    Ok(Value::list(out))
}

fn escape(_vm: &mut Vm<'_>, args: Vec<Value>, _kw: Kw) -> PResult<Value> {
    if args.len() != 1 {
        return Err(Exc::type_error(format!(
            "escape() takes exactly one argument ({} given)",
            args.len()
        )));
    }
    const SPECIAL: &str = "()[]{}?*+-|^$\\.&~# \t\n\r\x0b\x0c";
    let esc = |s: &str| {
        let mut out = String::new();
        for ch in s.chars() {
            if SPECIAL.contains(ch) {
                out.push('\\');
            }
            out.push(ch);
        }
        out
    };
    match &args[0] {
        Value::Str(s) => Ok(Value::str(esc(&s.s))),
        v => match bytes_like(v) {
            Some(b) => {
                let s: String = b.iter().map(|&c| c as char).collect();
                Ok(out_text(&esc(&s), true))
            }
            None => Err(Exc::type_error(format!(
                "expected string or bytes-like object, got '{}'",
                v.type_name()
            ))),
        },
    }
}

fn purge(vm: &mut Vm<'_>, _args: Vec<Value>, _kw: Kw) -> PResult<Value> {
    vm.st.lib.regex_cache.clear();
    Ok(Value::None)
}
