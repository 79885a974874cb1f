//! The reference vectors (`../shared/vectors/core.jsonl`): for every vector whose layers the
//! engine has, the packet is built from its constructor expression and its bytes, summary,
//! repr, show, show2 and the dissection of its bytes must equal Scapy 2.8's, byte for byte.

use std::path::PathBuf;

use wirecraft::packet::{dissect, Packet, Registry, Value};

/// A tiny reader for the constructor-call subset the vectors use:
/// `Layer(field=value, ...)/Layer(b"...")/"text"` with ints, strings, bytes, lists, tuples,
/// `None` and nested layer calls as values.
struct Parser<'a> {
    s: &'a [u8],
    pos: usize,
    reg: &'a Registry,
}

impl<'a> Parser<'a> {
    fn ws(&mut self) {
        while self.pos < self.s.len() && self.s[self.pos].is_ascii_whitespace() {
            self.pos += 1;
        }
    }

    fn eat(&mut self, c: u8) -> bool {
        self.ws();
        if self.s.get(self.pos) == Some(&c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, c: u8) -> Result<(), String> {
        if self.eat(c) {
            Ok(())
        } else {
            Err(format!("expected {:?} at {}", c as char, self.pos))
        }
    }

    fn ident(&mut self) -> Option<String> {
        self.ws();
        let start = self.pos;
        while self.pos < self.s.len()
            && (self.s[self.pos].is_ascii_alphanumeric() || self.s[self.pos] == b'_')
        {
            self.pos += 1;
        }
        (self.pos > start && !self.s[start].is_ascii_digit())
            .then(|| String::from_utf8_lossy(&self.s[start..self.pos]).into_owned())
            .or_else(|| {
                self.pos = start;
                None
            })
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

    fn value(&mut self) -> Result<Value, String> {
        self.ws();
        let c = *self.s.get(self.pos).ok_or("unexpected end")?;
        match c {
            b'"' | b'\'' => Ok(Value::Str(
                String::from_utf8_lossy(&self.string_body()?).into_owned(),
            )),
            b'b' if matches!(self.s.get(self.pos + 1), Some(b'"' | b'\'')) => {
                self.pos += 1;
                Ok(Value::Bytes(self.string_body()?))
            }
            b'[' | b'(' => {
                self.pos += 1;
                let close = if c == b'[' { b']' } else { b')' };
                let mut items = Vec::new();
                while !self.eat(close) {
                    items.push(self.value()?);
                    self.eat(b',');
                }
                Ok(if c == b'[' {
                    Value::List(items)
                } else {
                    Value::Tuple(items)
                })
            }
            b'0'..=b'9' | b'-' => {
                let start = self.pos;
                self.pos += 1;
                while self.pos < self.s.len() && self.s[self.pos].is_ascii_alphanumeric() {
                    self.pos += 1;
                }
                let t = std::str::from_utf8(&self.s[start..self.pos]).map_err(|e| e.to_string())?;
                let v = match t.strip_prefix("0x") {
                    Some(h) => i128::from_str_radix(h, 16),
                    None => t.parse(),
                };
                v.map(Value::Int).map_err(|e| format!("{t}: {e}"))
            }
            _ => {
                let id = self
                    .ident()
                    .ok_or_else(|| format!("unexpected {:?}", c as char))?;
                if id == "None" {
                    return Ok(Value::None);
                }
                // A packet value may be a stack (`pkt=IPv6()/UDP()` in a field).
                let mut p = self.call(&id)?;
                while self.eat(b'/') {
                    let q = self.term()?;
                    p = &p / &q;
                }
                Ok(Value::Packet(p))
            }
        }
    }

    fn call(&mut self, class: &str) -> Result<Packet, String> {
        let def = self
            .reg
            .get(class)
            .ok_or_else(|| format!("unsupported layer {class}"))?;
        self.expect(b'(')?;
        let mut p = Packet::new(&def);
        while !self.eat(b')') {
            let save = self.pos;
            match self.ident() {
                Some(name) if self.eat(b'=') => {
                    let v = self.value()?;
                    p.set(&name, v)
                        .map_err(|e| format!("{class}.{name}: {e}"))?;
                }
                _ => {
                    self.pos = save;
                    match self.value()? {
                        Value::Bytes(b) => p = dissect(&def, &b),
                        other => return Err(format!("positional {other:?}")),
                    }
                }
            }
            self.eat(b',');
        }
        Ok(p)
    }

    fn term(&mut self) -> Result<Packet, String> {
        match self.value()? {
            Value::Packet(p) => Ok(p),
            Value::Str(s) => Ok(raw(self.reg, s.as_bytes())),
            Value::Bytes(b) => Ok(raw(self.reg, &b)),
            other => Err(format!("not a packet: {other:?}")),
        }
    }

    fn expr(&mut self) -> Result<Packet, String> {
        let mut p = self.term()?;
        while self.eat(b'/') {
            let q = self.term()?;
            p = &p / &q;
        }
        self.ws();
        if self.pos != self.s.len() {
            return Err(format!("trailing input at {}", self.pos));
        }
        Ok(p)
    }
}

fn raw(reg: &Registry, b: &[u8]) -> Packet {
    let p = Packet::new(&reg.get("Raw").expect("Raw is always registered"));
    p.set("load", Value::Bytes(b.to_vec()))
        .expect("Raw has load");
    p
}

pub fn parse(reg: &Registry, expr: &str) -> Result<Packet, String> {
    Parser {
        s: expr.as_bytes(),
        pos: 0,
        reg,
    }
    .expr()
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
pub fn first_diff(what: &str, got: &str, want: &str) -> Option<String> {
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

pub fn check(reg: &Registry, v: &serde_json::Value) -> Result<(), String> {
    let s = |k: &str| v[k].as_str().unwrap_or("").to_string();
    let p = parse(reg, &s("expr"))?;
    let bytes = p.build().map_err(|e| e.to_string())?;
    let mut errs = Vec::new();
    if hex(&bytes) != s("hex") {
        errs.push(format!("hex: got {}, want {}", hex(&bytes), s("hex")));
    }
    errs.extend(first_diff("summary", &p.summary(), &s("summary")));
    errs.extend(first_diff("repr", &p.repr(), &s("repr")));
    errs.extend(first_diff("show", &(p.show() + "\n"), &s("show")));
    let show2 = p.show2().map_err(|e| e.to_string())? + "\n";
    errs.extend(first_diff("show2", &show2, &s("show2")));
    let dexpr = s("dissect_expr");
    let class = dexpr.split('(').next().unwrap_or("");
    let def = reg
        .get(class)
        .ok_or_else(|| format!("unsupported layer {class}"))?;
    let d = dissect(&def, &unhex(&s("hex")));
    errs.extend(first_diff("dissect_repr", &d.repr(), &s("dissect_repr")));
    errs.extend(first_diff(
        "dissect_summary",
        &d.summary(),
        &s("dissect_summary"),
    ));
    if errs.is_empty() {
        Ok(())
    } else {
        Err(errs.join("\n    "))
    }
}

#[test]
fn reference_vectors() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/vectors/core.jsonl");
    let text = std::fs::read_to_string(&path).expect("the reference vectors");
    let reg = Registry::with_builtins();
    let (mut pass, mut fail, mut unsupported) = (Vec::new(), Vec::new(), Vec::new());
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line).expect("a JSON vector");
        let id = v["id"].as_str().unwrap_or("?").to_string();
        match check(&reg, &v) {
            Ok(()) => pass.push(id),
            Err(e) if e.starts_with("unsupported layer") => unsupported.push(format!("{id} ({e})")),
            Err(e) => fail.push(format!("{id}:\n    {e}")),
        }
    }
    println!(
        "reference vectors: {} pass, {} fail, {} use layers not offered yet",
        pass.len(),
        fail.len(),
        unsupported.len()
    );
    for u in &unsupported {
        println!("  not offered: {u}");
    }
    for f in &fail {
        println!("  FAIL {f}");
    }
    assert!(
        fail.is_empty(),
        "{} vectors differ from the reference",
        fail.len()
    );
}
