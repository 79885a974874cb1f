//! A reader for the Python the engine vectors are written in (field constructors, keyword
//! arguments, small lambdas, packet expressions), standing in for the language bridge: it
//! builds `Arg`s for `field_from_spec` and packets through the engine's Rust API.

#![allow(dead_code)]

use std::collections::HashMap;
use std::rc::Rc;

use wirecraft::packet::layer::{Hooks, LayerDef};
use wirecraft::packet::packet::LayerData;
use wirecraft::packet::sets::{Net, Net6};
use wirecraft::packet::spec::FIELD_CLASSES;
use wirecraft::packet::{field_from_spec, Arg, ArgFn, Args, Packet, Registry, Value};

/// A parsed expression.
#[derive(Clone, Debug)]
pub enum Expr {
    Lit(Value),
    List(Vec<Expr>),
    Tuple(Vec<Expr>),
    Dict(Vec<(Expr, Expr)>),
    Name(String),
    Attr(Box<Expr>, String),
    Call(String, Vec<Expr>, Vec<(String, Expr)>),
    Lambda(Vec<String>, Rc<Expr>),
    Bin(String, Box<Expr>, Box<Expr>),
    Neg(Box<Expr>),
    Index(Box<Expr>, Box<Expr>),
    IfElse(Box<Expr>, Box<Expr>, Box<Expr>),
}

/// A call's positional and keyword arguments.
type CallArgs = (Vec<Expr>, Vec<(String, Expr)>);

pub struct Parser<'a> {
    s: &'a [u8],
    pos: usize,
}

impl<'a> Parser<'a> {
    pub fn new(s: &'a str) -> Parser<'a> {
        Parser {
            s: s.as_bytes(),
            pos: 0,
        }
    }

    fn ws(&mut self) {
        while self.pos < self.s.len() && self.s[self.pos].is_ascii_whitespace() {
            self.pos += 1;
        }
    }

    fn peek_str(&mut self, t: &str) -> bool {
        self.ws();
        self.s[self.pos..].starts_with(t.as_bytes())
    }

    fn eat(&mut self, t: &str) -> bool {
        if self.peek_str(t) {
            self.pos += t.len();
            true
        } else {
            false
        }
    }

    fn expect(&mut self, t: &str) -> Result<(), String> {
        if self.eat(t) {
            Ok(())
        } else {
            Err(format!(
                "expected {t:?} at {} in {:?}",
                self.pos,
                String::from_utf8_lossy(self.s)
            ))
        }
    }

    pub fn at_end(&mut self) -> bool {
        self.ws();
        self.pos >= self.s.len()
    }

    fn ident(&mut self) -> Option<String> {
        self.ws();
        let start = self.pos;
        while self.pos < self.s.len()
            && (self.s[self.pos].is_ascii_alphanumeric() || self.s[self.pos] == b'_')
        {
            self.pos += 1;
        }
        if self.pos > start && !self.s[start].is_ascii_digit() {
            Some(String::from_utf8_lossy(&self.s[start..self.pos]).into_owned())
        } else {
            self.pos = start;
            None
        }
    }

    fn string_body(&mut self) -> Result<Vec<u8>, String> {
        let q = self.s[self.pos];
        self.pos += 1;
        let mut out = Vec::new();
        while let Some(&c) = self.s.get(self.pos) {
            self.pos += 1;
            if c == q {
                return Ok(out);
            }
            if c != b'\\' {
                out.push(c);
                continue;
            }
            let e = *self.s.get(self.pos).ok_or("dangling escape")?;
            self.pos += 1;
            match e {
                b'n' => out.push(b'\n'),
                b'r' => out.push(b'\r'),
                b't' => out.push(b'\t'),
                b'x' => {
                    let h = std::str::from_utf8(&self.s[self.pos..self.pos + 2])
                        .map_err(|e| e.to_string())?;
                    out.push(u8::from_str_radix(h, 16).map_err(|e| e.to_string())?);
                    self.pos += 2;
                }
                other => out.push(other),
            }
        }
        Err("unterminated string".into())
    }

    pub fn expr(&mut self) -> Result<Expr, String> {
        if self.peek_str("lambda") {
            self.pos += 6;
            let mut params = Vec::new();
            while !self.eat(":") {
                params.push(self.ident().ok_or("lambda parameter")?);
                self.eat(",");
            }
            let body = self.expr()?;
            return Ok(Expr::Lambda(params, Rc::new(body)));
        }
        let e = self.or_expr()?;
        if self.eat("if ") {
            let c = self.or_expr()?;
            self.expect("else")?;
            let o = self.expr()?;
            return Ok(Expr::IfElse(Box::new(c), Box::new(e), Box::new(o)));
        }
        Ok(e)
    }

    fn or_expr(&mut self) -> Result<Expr, String> {
        let mut l = self.and_expr()?;
        while self.eat(" or ") || self.eat("or ") {
            let r = self.and_expr()?;
            l = Expr::Bin("or".into(), Box::new(l), Box::new(r));
        }
        Ok(l)
    }

    fn and_expr(&mut self) -> Result<Expr, String> {
        let mut l = self.cmp()?;
        while self.eat("and ") {
            let r = self.cmp()?;
            l = Expr::Bin("and".into(), Box::new(l), Box::new(r));
        }
        Ok(l)
    }

    fn cmp(&mut self) -> Result<Expr, String> {
        let l = self.sum()?;
        for op in ["==", "!=", "<=", ">=", "<", ">"] {
            if self.eat(op) {
                let r = self.sum()?;
                return Ok(Expr::Bin(op.into(), Box::new(l), Box::new(r)));
            }
        }
        Ok(l)
    }

    fn sum(&mut self) -> Result<Expr, String> {
        let mut l = self.term()?;
        loop {
            let op = if self.eat("+") {
                "+"
            } else if self.peek_str("-") {
                self.pos += 1;
                "-"
            } else {
                break;
            };
            let r = self.term()?;
            l = Expr::Bin(op.into(), Box::new(l), Box::new(r));
        }
        Ok(l)
    }

    fn term(&mut self) -> Result<Expr, String> {
        let mut l = self.power()?;
        loop {
            let op = if self.eat("//") {
                "//"
            } else if self.eat("/") {
                "/"
            } else if self.eat("%") {
                "%"
            } else if self.peek_str("*") && !self.peek_str("**") {
                self.pos += 1;
                "*"
            } else {
                break;
            };
            let r = self.power()?;
            l = Expr::Bin(op.into(), Box::new(l), Box::new(r));
        }
        Ok(l)
    }

    fn power(&mut self) -> Result<Expr, String> {
        let base = self.unary()?;
        if self.eat("**") {
            let e = self.unary()?;
            return Ok(Expr::Bin("**".into(), Box::new(base), Box::new(e)));
        }
        Ok(base)
    }

    fn unary(&mut self) -> Result<Expr, String> {
        if self.eat("-") {
            return Ok(Expr::Neg(Box::new(self.unary()?)));
        }
        let mut e = self.atom()?;
        loop {
            if self.peek_str(".") {
                self.pos += 1;
                let name = self.ident().ok_or("attribute name")?;
                e = Expr::Attr(Box::new(e), name);
            } else if self.s.get(self.pos) == Some(&b'[') {
                self.pos += 1;
                let i = self.expr()?;
                self.expect("]")?;
                e = Expr::Index(Box::new(e), Box::new(i));
            } else {
                break;
            }
        }
        Ok(e)
    }

    fn args(&mut self, close: &str) -> Result<CallArgs, String> {
        let mut pos = Vec::new();
        let mut kw = Vec::new();
        while !self.eat(close) {
            let save = self.pos;
            match self.ident() {
                Some(name) if self.peek_str("=") && !self.peek_str("==") => {
                    self.pos += 1;
                    kw.push((name, self.expr()?));
                }
                _ => {
                    self.pos = save;
                    pos.push(self.expr()?);
                }
            }
            self.eat(",");
        }
        Ok((pos, kw))
    }

    /// `a=1, b="x"` (a call's arguments without the parentheses).
    pub fn kwargs(&mut self) -> Result<Vec<(String, Expr)>, String> {
        let mut kw = Vec::new();
        while !self.at_end() {
            let name = self.ident().ok_or("keyword name")?;
            self.expect("=")?;
            kw.push((name, self.expr()?));
            self.eat(",");
        }
        Ok(kw)
    }

    fn atom(&mut self) -> Result<Expr, String> {
        self.ws();
        let c = *self.s.get(self.pos).ok_or("unexpected end")?;
        match c {
            b'"' | b'\'' => Ok(Expr::Lit(Value::Str(
                String::from_utf8_lossy(&self.string_body()?).into_owned(),
            ))),
            b'b' if matches!(self.s.get(self.pos + 1), Some(b'"' | b'\'')) => {
                self.pos += 1;
                Ok(Expr::Lit(Value::Bytes(self.string_body()?)))
            }
            b'[' => {
                self.pos += 1;
                let mut items = Vec::new();
                while !self.eat("]") {
                    items.push(self.expr()?);
                    self.eat(",");
                }
                Ok(Expr::List(items))
            }
            b'(' => {
                self.pos += 1;
                let mut items = Vec::new();
                let mut comma = false;
                while !self.eat(")") {
                    items.push(self.expr()?);
                    comma |= self.eat(",");
                }
                if items.len() == 1 && !comma {
                    return Ok(items.remove(0));
                }
                Ok(Expr::Tuple(items))
            }
            b'{' => {
                self.pos += 1;
                let mut items = Vec::new();
                while !self.eat("}") {
                    let k = self.expr()?;
                    self.expect(":")?;
                    let v = self.expr()?;
                    items.push((k, v));
                    self.eat(",");
                }
                Ok(Expr::Dict(items))
            }
            b'0'..=b'9' => {
                let start = self.pos;
                while self.pos < self.s.len() {
                    let c = self.s[self.pos];
                    let sign_after_e = (c == b'-' || c == b'+')
                        && self.pos > start
                        && matches!(self.s[self.pos - 1], b'e' | b'E')
                        && !self.s[start..self.pos].starts_with(b"0x");
                    if c.is_ascii_alphanumeric() || c == b'.' || sign_after_e {
                        self.pos += 1;
                    } else {
                        break;
                    }
                }
                let t = std::str::from_utf8(&self.s[start..self.pos]).map_err(|e| e.to_string())?;
                if let Some(h) = t.strip_prefix("0x") {
                    return i128::from_str_radix(h, 16)
                        .map(|i| Expr::Lit(Value::Int(i)))
                        .map_err(|e| e.to_string());
                }
                if t.contains(['.', 'e']) {
                    return t
                        .parse::<f64>()
                        .map(|f| Expr::Lit(Value::Float(f)))
                        .map_err(|e| format!("{t}: {e}"));
                }
                t.parse::<i128>()
                    .map(|i| Expr::Lit(Value::Int(i)))
                    .map_err(|e| format!("{t}: {e}"))
            }
            _ => {
                let id = self
                    .ident()
                    .ok_or_else(|| format!("unexpected {:?} at {}", c as char, self.pos))?;
                match id.as_str() {
                    "None" => return Ok(Expr::Lit(Value::None)),
                    "True" => return Ok(Expr::Lit(Value::Int(1))),
                    "False" => return Ok(Expr::Lit(Value::Int(0))),
                    _ => {}
                }
                if self.eat("(") {
                    let (p, k) = self.args(")")?;
                    return Ok(Expr::Call(id, p, k));
                }
                Ok(Expr::Name(id))
            }
        }
    }
}

/// Evaluates plain values (lambda bodies, keyword values, packets).
pub struct Env<'r> {
    pub reg: &'r Registry,
    pub vars: HashMap<String, Value>,
    pub layer: Option<(String, &'r LayerData)>,
}

fn py_arith(op: &str, a: &Value, b: &Value) -> Result<Value, String> {
    let (Some(x), Some(y)) = (a.as_int(), b.as_int()) else {
        return Err(format!(
            "TypeError: unsupported operand type(s) for {op}: {a:?} and {b:?}"
        ));
    };
    Ok(Value::Int(match op {
        "+" => x + y,
        "-" => x - y,
        "*" => x * y,
        "//" => {
            if y == 0 {
                return Err("ZeroDivisionError".into());
            }
            x.div_euclid(y)
        }
        "%" => {
            if y == 0 {
                return Err("ZeroDivisionError".into());
            }
            x.rem_euclid(y)
        }
        "**" => x.pow(u32::try_from(y).map_err(|e| e.to_string())?),
        "==" => i128::from(x == y),
        "!=" => i128::from(x != y),
        "<" => i128::from(x < y),
        ">" => i128::from(x > y),
        "<=" => i128::from(x <= y),
        ">=" => i128::from(x >= y),
        _ => return Err(format!("operator {op}")),
    }))
}

impl Env<'_> {
    pub fn eval(&self, e: &Expr) -> Result<Value, String> {
        match e {
            Expr::Lit(v) => Ok(v.clone()),
            Expr::List(items) => Ok(Value::List(
                items
                    .iter()
                    .map(|i| self.eval(i))
                    .collect::<Result<_, _>>()?,
            )),
            Expr::Tuple(items) => Ok(Value::Tuple(
                items
                    .iter()
                    .map(|i| self.eval(i))
                    .collect::<Result<_, _>>()?,
            )),
            Expr::Name(n) => match self.vars.get(n) {
                Some(v) => Ok(v.clone()),
                None => self
                    .reg
                    .get(n)
                    .map(Value::Class)
                    .ok_or_else(|| format!("NameError: {n}")),
            },
            Expr::Index(base, i) => {
                let b = self.eval(base)?;
                let i = self.eval(i)?.as_int().ok_or("index must be an int")?;
                match b {
                    Value::Bytes(v) => usize::try_from(i)
                        .ok()
                        .and_then(|i| v.get(i).copied())
                        .map(|c| Value::Int(i128::from(c)))
                        .ok_or_else(|| "IndexError: index out of range".to_string()),
                    Value::List(v) | Value::Tuple(v) => usize::try_from(i)
                        .ok()
                        .and_then(|i| v.get(i).cloned())
                        .ok_or_else(|| "IndexError: list index out of range".to_string()),
                    other => Err(format!("not subscriptable: {other:?}")),
                }
            }
            Expr::IfElse(c, a, b) => {
                if self.eval(c)?.truthy() {
                    self.eval(a)
                } else {
                    self.eval(b)
                }
            }
            Expr::Attr(base, name) => match (base.as_ref(), &self.layer) {
                (Expr::Name(p), Some((pn, l))) if p == pn => l
                    .get(name)
                    .cloned()
                    .ok_or_else(|| format!("AttributeError: {name}")),
                _ => Err(format!("attribute {name} of {base:?}")),
            },
            Expr::Neg(x) => match self.eval(x)? {
                Value::Int(i) => Ok(Value::Int(-i)),
                Value::Float(f) => Ok(Value::Float(-f)),
                other => Err(format!("bad operand for unary -: {other:?}")),
            },
            Expr::Bin(op, a, b) => {
                let x = self.eval(a)?;
                if op == "and" {
                    return if x.truthy() { self.eval(b) } else { Ok(x) };
                }
                if op == "or" {
                    return if x.truthy() { Ok(x) } else { self.eval(b) };
                }
                let y = self.eval(b)?;
                if op == "/" {
                    // A str or bytes right operand is a Raw payload, as in Scapy.
                    if let (Value::Packet(p), Value::Str(_) | Value::Bytes(_)) = (&x, &y) {
                        let load: &[u8] = match &y {
                            Value::Str(t) => t.as_bytes(),
                            Value::Bytes(b) => b,
                            _ => &[],
                        };
                        return Ok(Value::Packet(p / load));
                    }
                    let (Value::Packet(p), Value::Packet(q)) = (&x, &y) else {
                        return Err("/ of non-packets".into());
                    };
                    return Ok(Value::Packet(p / q));
                }
                py_arith(op, &x, &y)
            }
            Expr::Call(name, pos, kw) => {
                if name == "Net" {
                    let args: Vec<Value> =
                        pos.iter().map(|p| self.eval(p)).collect::<Result<_, _>>()?;
                    let text = |v: &Value| match v {
                        Value::Str(s) => s.clone(),
                        other => format!("{other:?}"),
                    };
                    let n = match args.as_slice() {
                        [a] => Net::parse(&text(a))?,
                        [a, b] => Net::span(&text(a), &text(b))?,
                        _ => return Err("Net() takes 1 or 2 arguments".into()),
                    };
                    return Ok(Value::Net(Rc::new(n)));
                }
                if name == "Net6" {
                    let args: Vec<Value> =
                        pos.iter().map(|p| self.eval(p)).collect::<Result<_, _>>()?;
                    let scope = match kw.iter().find(|(k, _)| k == "scope") {
                        Some((_, e)) => match self.eval(e)? {
                            Value::Str(s) => Some(s),
                            other => return Err(format!("scope {other:?}")),
                        },
                        None => None,
                    };
                    let text = |v: &Value| match v {
                        Value::Str(s) => s.clone(),
                        other => format!("{other:?}"),
                    };
                    let n = match args.as_slice() {
                        [a] => Net6::parse(&text(a), scope.as_deref())?,
                        [a, b] => Net6::span(&text(a), &text(b), scope.as_deref())?,
                        _ => return Err("Net6() takes 1 or 2 arguments".into()),
                    };
                    return Ok(Value::Net6(Rc::new(n)));
                }
                let def = self
                    .reg
                    .get(name)
                    .ok_or_else(|| format!("NameError: {name}"))?;
                let vals = kw
                    .iter()
                    .map(|(k, v)| Ok((k.clone(), self.eval(v)?)))
                    .collect::<Result<Vec<_>, String>>()?;
                let mut p = Packet::construct(&def, vals).map_err(|e| format!("{name}: {e}"))?;
                for a in pos {
                    match self.eval(a)? {
                        Value::Bytes(b) if name == "Raw" || name == "Padding" => {
                            p.set("load", Value::Bytes(b)).map_err(|e| e.to_string())?
                        }
                        Value::Bytes(b) => p = wirecraft::packet::dissect(&def, &b),
                        other => return Err(format!("positional {other:?}")),
                    }
                }
                Ok(Value::Packet(p))
            }
            Expr::Dict(_) | Expr::Lambda(..) => Err(format!("not a value: {e:?}")),
        }
    }
}

/// A lambda as the engine calls it.
fn lambda_fn(reg: Rc<Registry>, params: Vec<String>, body: Rc<Expr>) -> ArgFn {
    Rc::new(move |layer: Option<&LayerData>, vals: &[Value]| {
        let mut vars = HashMap::new();
        let mut rest = params.iter();
        let mut lay = None;
        if let Some(l) = layer {
            if let Some(p) = rest.next() {
                lay = Some((p.clone(), l));
            }
        }
        for (p, v) in rest.zip(vals) {
            vars.insert(p.clone(), v.clone());
        }
        let env = Env {
            reg: &reg,
            vars,
            layer: lay,
        };
        env.eval(&body)
    })
}

/// Converts an expression into a constructor argument.
pub fn to_arg(reg: &Rc<Registry>, e: &Expr) -> Result<Arg, String> {
    match e {
        Expr::Call(name, pos, kw) if FIELD_CLASSES.contains(&name.as_str()) => {
            Ok(Arg::Field(field_call(reg, name, pos, kw)?))
        }
        Expr::Lambda(params, body) => Ok(Arg::Func(lambda_fn(
            reg.clone(),
            params.clone(),
            body.clone(),
        ))),
        Expr::Dict(items) => Ok(Arg::Map(
            items
                .iter()
                .map(|(k, v)| Ok((plain(reg, k)?, to_arg(reg, v)?)))
                .collect::<Result<_, String>>()?,
        )),
        Expr::Name(n) if reg.get(n).is_some() => Ok(Arg::Class(reg.get(n).ok_or("class")?)),
        Expr::List(items) if items.iter().any(needs_arg) => Ok(Arg::List(
            items
                .iter()
                .map(|i| to_arg(reg, i))
                .collect::<Result<_, _>>()?,
        )),
        Expr::Tuple(items) if items.iter().any(needs_arg) => Ok(Arg::Tuple(
            items
                .iter()
                .map(|i| to_arg(reg, i))
                .collect::<Result<_, _>>()?,
        )),
        other => Ok(Arg::Val(plain(reg, other)?)),
    }
}

fn needs_arg(e: &Expr) -> bool {
    matches!(e, Expr::Lambda(..) | Expr::Dict(_))
        || matches!(e, Expr::Call(n, ..) if FIELD_CLASSES.contains(&n.as_str()))
        || matches!(e, Expr::Tuple(t) | Expr::List(t) if t.iter().any(needs_arg))
}

pub fn plain(reg: &Rc<Registry>, e: &Expr) -> Result<Value, String> {
    Env {
        reg,
        vars: HashMap::new(),
        layer: None,
    }
    .eval(e)
}

fn field_call(
    reg: &Rc<Registry>,
    name: &str,
    pos: &[Expr],
    kw: &[(String, Expr)],
) -> Result<wirecraft::packet::FieldDef, String> {
    let args = Args {
        positional: pos
            .iter()
            .map(|p| to_arg(reg, p))
            .collect::<Result<_, _>>()?,
        keyword: kw
            .iter()
            .map(|(k, v)| Ok((k.clone(), to_arg(reg, v)?)))
            .collect::<Result<_, String>>()?,
    };
    field_from_spec(name, args).map_err(|e| format!("{name}: {e}"))
}

/// Parses `ByteField("a", 1)` and builds the field.
pub fn field(reg: &Rc<Registry>, src: &str) -> Result<wirecraft::packet::FieldDef, String> {
    let mut p = Parser::new(src);
    let e = p.expr()?;
    match e {
        Expr::Call(name, pos, kw) => field_call(reg, &name, &pos, &kw),
        other => Err(format!("not a field constructor: {other:?}")),
    }
}

/// Registers a class made of field sources (`class X(Packet): name = ...; fields_desc`).
pub fn define(
    reg: &Rc<Registry>,
    class: &str,
    name: &str,
    fields: &[String],
    extract_padding: bool,
) -> Result<Rc<LayerDef>, String> {
    let defs = fields
        .iter()
        .map(|f| field(reg, f))
        .collect::<Result<Vec<_>, _>>()?;
    let mut d = LayerDef::new(class, name, defs);
    if extract_padding {
        d.hooks = Hooks {
            extract_padding: Some(Rc::new(|_, _| 0)),
            ..Hooks::default()
        };
    }
    Ok(reg.register(d))
}

/// `Cls(a=1, b=2)` from the keyword text.
pub fn instance(reg: &Rc<Registry>, def: &Rc<LayerDef>, kwargs: &str) -> Result<Packet, String> {
    let kw = Parser::new(kwargs).kwargs()?;
    let vals = kw
        .into_iter()
        .map(|(k, e)| Ok((k, plain(reg, &e)?)))
        .collect::<Result<Vec<_>, String>>()?;
    Packet::construct(def, vals).map_err(|e| e.to_string())
}

/// A packet expression (`IP(dst="...")/TCP()`).
pub fn packet(reg: &Rc<Registry>, src: &str) -> Result<Packet, String> {
    let mut p = Parser::new(src);
    let e = p.expr()?;
    match plain(reg, &e)? {
        Value::Packet(p) => Ok(p),
        other => Err(format!("not a packet: {other:?}")),
    }
}

pub fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

pub fn unhex(s: &str) -> Vec<u8> {
    (0..s.len() / 2)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap_or(0))
        .collect()
}

/// The first line where two texts differ, for readable failures.
pub fn diff(what: &str, got: &str, want: &str) -> Option<String> {
    if got == want {
        return None;
    }
    for (i, (g, w)) in got.lines().zip(want.lines()).enumerate() {
        if g != w {
            return Some(format!("{what} line {}: got {g:?}, want {w:?}", i + 1));
        }
    }
    Some(format!("{what}: got {got:?}, want {want:?}"))
}

/// Checks one vector; the expression is read by the engine tests' constructor-expression
/// reader (tests/engine_support).
pub fn check_vector(reg: &Rc<Registry>, v: &serde_json::Value) -> Result<(), String> {
    let s = |k: &str| v[k].as_str().unwrap_or("").to_string();
    let p = packet(reg, &s("expr")).map_err(|e| {
        if e.contains("unknown") || e.contains("not registered") {
            format!("unsupported layer: {e}")
        } else {
            e
        }
    })?;
    let bytes = p.build().map_err(|e| e.to_string())?;
    let mut errs = Vec::new();
    if hex(&bytes) != s("hex") {
        errs.push(format!("hex: got {}, want {}", hex(&bytes), s("hex")));
    }
    errs.extend(diff("summary", &p.summary(), &s("summary")));
    errs.extend(diff("repr", &p.repr(), &s("repr")));
    // A vector without show texts (Scapy 2.8 could not show the packet) checks the rest.
    if v["show"].is_string() {
        errs.extend(diff("show", &(p.show() + "\n"), &s("show")));
    }
    if v["show2"].is_string() {
        let show2 = p.show2().map_err(|e| e.to_string())? + "\n";
        errs.extend(diff("show2", &show2, &s("show2")));
    }
    let dexpr = s("dissect_expr");
    let class = dexpr.split('(').next().unwrap_or("");
    let def = reg
        .get(class)
        .ok_or_else(|| format!("unsupported layer {class}"))?;
    let d = wirecraft::packet::dissect(&def, &unhex(&s("hex")));
    errs.extend(diff("dissect_repr", &d.repr(), &s("dissect_repr")));
    errs.extend(diff("dissect_summary", &d.summary(), &s("dissect_summary")));
    if errs.is_empty() {
        Ok(())
    } else {
        Err(errs.join("\n    "))
    }
}
