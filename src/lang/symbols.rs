//! Interned identifiers: names become small integers once, at parse time, so the interpreter
//! indexes tables instead of hashing strings.

use std::collections::HashMap;
use std::rc::Rc;

use super::ast::Sym;

/// The session's symbol table.
#[derive(Default)]
pub struct Interner {
    map: HashMap<Rc<str>, Sym>,
    names: Vec<Rc<str>>,
}

impl Interner {
    /// An empty table.
    pub fn new() -> Interner {
        Interner::default()
    }
    /// The symbol of `name`, creating it if needed.
    pub fn intern(&mut self, name: &str) -> Sym {
        if let Some(&s) = self.map.get(name) {
            return s;
        }
        let rc: Rc<str> = Rc::from(name);
        let sym = self.names.len() as Sym;
        self.names.push(rc.clone());
        self.map.insert(rc, sym);
        sym
    }
    /// The symbol of `name` if it was ever interned.
    pub fn lookup(&self, name: &str) -> Option<Sym> {
        self.map.get(name).copied()
    }
    /// The text of a symbol.
    pub fn name(&self, sym: Sym) -> &str {
        self.names.get(sym as usize).map(|s| &**s).unwrap_or("?")
    }
    /// The text of a symbol, shared.
    pub fn name_rc(&self, sym: Sym) -> Rc<str> {
        self.names
            .get(sym as usize)
            .cloned()
            .unwrap_or_else(|| Rc::from("?"))
    }
    /// Number of symbols.
    pub fn len(&self) -> usize {
        self.names.len()
    }
    /// Whether no symbol exists yet.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}
