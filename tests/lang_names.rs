//! Names coverage of the conformance campaigns (issue 4): every name of the language — builtin,
//! exception class, method, special method, module function, statement keyword — has at least
//! one unit test in `campaigns/selftest/language/` that mentions it.
//!
//! The names come from two places, and both must be covered:
//! - the design, `../shared/design/language.md` (or `docs/language.md` when the design is
//!   vendored), whose lists are parsed here;
//! - the implementation's own tables, through [`implementation_names`]: the name-table API of
//!   `src/lang/names.rs` (`builtin_names()`, `methods_of(type)`, `module_names()`,
//!   `module_functions(module)`), which reads the same tables the interpreter uses.

mod conformance_support;
use conformance_support::*;

use wirecraft::lang::names;

/// What kind of name, which decides what counts as a snippet mentioning it.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Kind {
    /// A builtin function, class, constant or exception class: the identifier, as a word.
    Builtin,
    /// A method of a builtin type: `.name` (a call or a reference like `str.lower`).
    Method(String),
    /// A special method: `def __name__`.
    Special,
    /// A function or constant of a built-in module: `module.name`, or `name` in a snippet that
    /// imports from `module` (`from os import path` then `path.join`).
    ModuleFunction(String),
    /// A built-in module: `import module` or `from module import`.
    Module,
    /// A keyword or syntax marker of the statement/expression grammar: the text, as a word if it
    /// is one, else as a substring.
    Construct,
}

#[derive(Clone, Debug)]
struct Name {
    kind: Kind,
    name: String,
    /// Where the name was found (for the failure message).
    source: &'static str,
}

fn name(kind: Kind, n: &str, source: &'static str) -> Name {
    Name {
        kind,
        name: n.to_string(),
        source,
    }
}

/// The implementation's lists of names, from the interpreter's own tables
/// (`wirecraft::lang::names`): every builtin of a fresh session (functions, classes, exception
/// classes, constants), the methods of each builtin type, the built-in modules and their public
/// functions and constants.
fn implementation_names() -> Vec<Name> {
    const SRC: &str = "implementation tables";
    let mut out = Vec::new();
    for n in names::builtin_names() {
        out.push(name(Kind::Builtin, n, SRC));
    }
    for ty in names::TYPES {
        for m in names::methods_of(ty) {
            out.push(name(Kind::Method(ty.to_string()), m, SRC));
        }
    }
    for module in names::module_names() {
        // A submodule (`os.path`) is imported through its package: `import os.path`.
        let top = module.split('.').next().unwrap_or(module);
        out.push(name(Kind::Module, top, SRC));
        for f in names::module_functions(module) {
            out.push(name(Kind::ModuleFunction(module.to_string()), &f, SRC));
        }
    }
    out
}

/// `const STR_METHODS: &[&str] = &["split", ...];` → ("str", ["split", ...]); tolerant of
/// anything else in the text.
fn const_str_tables(src: &str) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    let mut rest = src;
    while let Some(i) = rest.find("const ") {
        rest = &rest[i + 6..];
        let Some(colon) = rest.find(':') else { break };
        let ident = rest[..colon].trim();
        let Some(ty) = ident.strip_suffix("_METHODS") else {
            continue;
        };
        let Some(open) = rest.find("= &[") else { break };
        let Some(close) = rest[open..].find("];") else {
            break;
        };
        let body = &rest[open + 4..open + close];
        let names = body
            .split(',')
            .map(|s| s.trim().trim_matches('"').to_string())
            .filter(|s| !s.is_empty() && s.chars().all(|c| c.is_alphanumeric() || c == '_'))
            .collect();
        out.push((ty.to_lowercase(), names));
        rest = &rest[open + close..];
    }
    out
}

fn design_path() -> Option<std::path::PathBuf> {
    [
        root().join("../shared/design/language.md"),
        root().join("docs/language.md"),
    ]
    .into_iter()
    .find(|p| p.exists())
}

/// The text between `start` and the first `end` after it (empty when absent).
fn between<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
    let Some(i) = text.find(start) else { return "" };
    let after = &text[i + start.len()..];
    match after.find(end) {
        Some(j) => &after[..j],
        None => after,
    }
}

/// Identifier-like words of a comma-separated list, each the last word of its item.
fn list_items(s: &str) -> Vec<String> {
    s.split(',')
        .filter_map(|item| {
            let w = item.split_whitespace().last()?;
            let w = w.trim_matches(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'));
            (!w.is_empty()).then(|| w.to_string())
        })
        .collect()
}

/// The backticked spans of a text.
fn backticked(s: &str) -> Vec<String> {
    s.split('`')
        .skip(1)
        .step_by(2)
        .map(|x| x.to_string())
        .collect()
}

/// The operator special methods language.md names as "arithmetic and comparison operators".
const OPERATOR_DUNDERS: &[&str] = &[
    "__add__",
    "__sub__",
    "__mul__",
    "__truediv__",
    "__floordiv__",
    "__mod__",
    "__pow__",
    "__neg__",
    "__pos__",
    "__abs__",
    "__and__",
    "__or__",
    "__xor__",
    "__lshift__",
    "__rshift__",
    "__invert__",
    "__radd__",
    "__rsub__",
    "__rmul__",
    "__iadd__",
    "__eq__",
    "__ne__",
    "__lt__",
    "__le__",
    "__gt__",
    "__ge__",
];

/// Literal forms of the syntax section, which are not backticked there.
const LITERAL_FORMS: &[&str] = &[
    "0x", "0o", "0b", "1_000", "r\"", "b\"", "f\"", "\"\"\"", "'''", "...", "True", "False",
    "None", "lambda", "yield",
];

/// The names language.md lists.
fn design_names() -> Result<Vec<Name>, String> {
    const SRC: &str = "language.md";
    let path = design_path().ok_or("language.md not found")?;
    let md = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let md = md.replace('\n', " ");
    let mut out = Vec::new();

    // Builtins: "Builtins: print, len, ... open (text/binary ...), and the exception classes
    // scripts name (BaseException, ...)."
    let builtins = between(&md, "Builtins:", "and the exception classes");
    let builtins = strip_parens(builtins);
    for b in list_items(&builtins) {
        out.push(name(Kind::Builtin, &b, SRC));
    }
    let excs = between(&md, "the exception classes scripts name (", ")");
    for e in list_items(excs) {
        out.push(name(Kind::Builtin, &e, SRC));
    }

    // Methods: "Methods of str, bytes, list, dict and set that scripts commonly use (split, ...)".
    let methods = between(&md, "that scripts commonly use (", ")");
    for m in list_items(&methods.replace("...", "").replace('/', ",")) {
        out.push(name(Kind::Method("any".into()), &m, SRC));
    }

    // Special methods: the backticked dunders of the paragraph, plus the operators it names.
    let special = between(
        &md,
        "User classes can define the special methods",
        "Errors are",
    );
    for s in backticked(special) {
        for part in s.split('/') {
            if part.starts_with("__") {
                out.push(name(Kind::Special, part, SRC));
            }
        }
    }
    if special.contains("arithmetic and comparison operators") {
        for d in OPERATOR_DUNDERS {
            out.push(name(Kind::Special, d, SRC));
        }
    }
    if special.contains("properties") {
        out.push(name(Kind::Builtin, "property", SRC));
    }

    // Modules: "`time` (time, sleep), `struct` (pack, unpack, calcsize), ..., `math`, ..."
    let modules = between(
        &md,
        "reach a small set of built-in modules with the parts scripts use:",
        ". `from",
    );
    let mut rest = modules;
    while let Some(i) = rest.find('`') {
        let after = &rest[i + 1..];
        let Some(j) = after.find('`') else { break };
        let module = &after[..j];
        out.push(name(Kind::Module, module, SRC));
        rest = &after[j + 1..];
        let trimmed = rest.trim_start();
        if let Some(inner) = trimmed.strip_prefix('(') {
            let end = inner.find(')').unwrap_or(inner.len());
            for f in module_items(&inner[..end]) {
                out.push(name(Kind::ModuleFunction(module.to_string()), &f, SRC));
            }
            rest = &inner[end..];
        }
    }

    // Syntax: backticked keywords and markers of "Syntax in the subset" before "Not in the subset".
    let syntax = between(&md, "## Syntax in the subset", "Not in the subset");
    for span in backticked(syntax) {
        for part in span.split('/') {
            let part = part.trim();
            if part.is_empty() || part.starts_with("__") {
                continue;
            }
            let marker = match part {
                "a = b = 1" => "a = b = ",
                "from ... import ..." => "from binascii import",
                other => other,
            };
            out.push(name(Kind::Construct, marker, SRC));
        }
    }
    for l in LITERAL_FORMS {
        if *l == "yield" {
            continue; // listed as not in the subset
        }
        out.push(name(Kind::Construct, l, SRC));
    }
    Ok(out)
}

/// "a few constants and inet_aton/ntoa, inet_pton/ntop" → inet_aton, inet_ntoa, inet_pton,
/// inet_ntop (the part after `/` replaces the last `_`-suffix).
fn module_items(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    for item in list_items(&s.replace('/', "/ ").replace("/ ", "/")) {
        let mut parts = item.split('/');
        let Some(first) = parts.next() else { continue };
        out.push(first.to_string());
        let stem = first.rsplit_once('_').map(|(a, _)| a).unwrap_or("");
        for p in parts {
            out.push(if stem.is_empty() {
                p.to_string()
            } else {
                format!("{stem}_{p}")
            });
        }
    }
    out
}

/// Removes parenthesized remarks: "open (text/binary read/write of files)" → "open".
fn strip_parens(s: &str) -> String {
    let mut out = String::new();
    let mut depth = 0usize;
    for c in s.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Whether `word` occurs in `code` with no identifier character on either side.
fn has_word(code: &str, word: &str) -> bool {
    let mut start = 0;
    while let Some(i) = code[start..].find(word) {
        let at = start + i;
        let before = code[..at].chars().next_back();
        let after = code[at + word.len()..].chars().next();
        let first_ident = word.chars().next().is_some_and(is_ident);
        let last_ident = word.chars().next_back().is_some_and(is_ident);
        let glued_before = first_ident && before.is_some_and(is_ident);
        let glued_after = last_ident && after.is_some_and(is_ident);
        if !glued_before && !glued_after {
            return true;
        }
        start = at + word.len().max(1);
    }
    false
}

fn mentions(code: &str, n: &Name) -> bool {
    match &n.kind {
        Kind::Builtin => has_word(code, &n.name),
        Kind::Method(_) => has_word(code, &format!(".{}", n.name)),
        Kind::Special => code.contains(&format!("def {}(", n.name)),
        Kind::Module => imported_modules(code).contains(&n.name),
        Kind::ModuleFunction(m) => {
            has_word(code, &format!("{m}.{}", n.name))
                || (code.contains(&format!("from {m} import")) && has_word(code, &n.name))
        }
        Kind::Construct => {
            if n.name.starts_with(|c: char| c.is_alphabetic()) && n.name.chars().all(is_ident) {
                has_word(code, &n.name)
            } else {
                code.contains(&n.name)
            }
        }
    }
}

/// The top-level modules a snippet imports (`import a, b.c as d`, `from e.f import g`).
fn imported_modules(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in code.lines() {
        let line = line.trim();
        if let Some(rest) = line.strip_prefix("import ") {
            for item in rest.split(',') {
                let module = item.split_whitespace().next().unwrap_or("");
                out.push(module.split('.').next().unwrap_or("").to_string());
            }
        } else if let Some(rest) = line.strip_prefix("from ") {
            let module = rest.split_whitespace().next().unwrap_or("");
            out.push(module.split('.').next().unwrap_or("").to_string());
        }
    }
    out
}

/// The names no snippet mentions.
fn uncovered(names: &[Name], snippets: &[Snippet]) -> Vec<String> {
    let codes: Vec<String> = snippets.iter().map(|s| s.code()).collect();
    let mut missing: Vec<String> = names
        .iter()
        .filter(|n| !codes.iter().any(|c| mentions(c, n)))
        .map(|n| format!("{:?} `{}` (from {})", n.kind, n.name, n.source))
        .collect();
    missing.sort();
    missing.dedup();
    missing
}

#[test]
fn every_name_of_the_design_has_a_snippet() {
    let names = design_names().unwrap_or_else(|e| panic!("{e}"));
    // Guard against a reformatted language.md silently emptying the lists.
    let count = |k: fn(&Kind) -> bool| names.iter().filter(|n| k(&n.kind)).count();
    assert!(
        count(|k| *k == Kind::Builtin) >= 80,
        "builtins parsed: {names:?}"
    );
    assert!(count(|k| matches!(k, Kind::Method(_))) >= 20);
    assert!(count(|k| *k == Kind::Special) >= 40);
    assert!(count(|k| *k == Kind::Module) >= 11);
    assert!(count(|k| matches!(k, Kind::ModuleFunction(_))) >= 30);
    assert!(count(|k| *k == Kind::Construct) >= 30);
    let (snippets, errors) = all_snippets();
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    let missing = uncovered(&names, &snippets);
    assert!(
        missing.is_empty(),
        "{} names of language.md have no snippet in {LANGUAGE_DIR}:\n{}",
        missing.len(),
        missing.join("\n")
    );
}

#[test]
fn every_name_of_the_implementation_has_a_snippet() {
    let names = implementation_names();
    assert!(names.len() >= 50, "implementation tables: {names:?}");
    let (snippets, errors) = all_snippets();
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    let missing = uncovered(&names, &snippets);
    assert!(
        missing.is_empty(),
        "{} names of the implementation have no snippet in {LANGUAGE_DIR}:\n{}",
        missing.len(),
        missing.join("\n")
    );
}

#[test]
fn the_design_lists_are_read_as_expected() {
    let names = design_names().unwrap_or_else(|e| panic!("{e}"));
    let has = |k: Kind, n: &str| names.iter().any(|x| x.kind == k && x.name == n);
    assert!(has(Kind::Builtin, "print"));
    assert!(has(Kind::Builtin, "open"));
    assert!(has(Kind::Builtin, "NotImplemented"));
    assert!(has(Kind::Builtin, "ArithmeticError"));
    assert!(has(Kind::Method("any".into()), "setdefault"));
    assert!(has(Kind::Special, "__getattr__"));
    assert!(has(Kind::Special, "__exit__"));
    assert!(has(Kind::Module, "hashlib"));
    assert!(has(Kind::ModuleFunction("os".into()), "path.exists"));
    assert!(has(Kind::ModuleFunction("socket".into()), "inet_ntop"));
    assert!(has(Kind::ModuleFunction("socket".into()), "inet_ntoa"));
    assert!(has(Kind::Construct, "nonlocal"));
    assert!(!names.iter().any(|n| n.name == "yield"));
}

#[test]
fn matching_rules() {
    assert!(has_word("x = len(y)", "len"));
    assert!(!has_word("x = blen(y)", "len"));
    assert!(!has_word("x = lens", "len"));
    assert!(has_word("a.split()", ".split"));
    assert!(!has_word("a.splitlines()", ".split"));
    assert!(has_word("key=str.lower)", ".lower"));
    assert!(!has_word("", "x"));
    let m = name(Kind::ModuleFunction("os".into()), "path.join", "t");
    assert!(mentions("import os\nos.path.join('a')", &m));
    assert!(mentions("from os import path\npath.join('a')", &m));
    assert!(!mentions("path.join('a')", &m));
    assert_eq!(
        imported_modules("import os, re as r\n  from scapy.all import *\nimportant = 1"),
        ["os", "re", "scapy"]
    );
    assert_eq!(
        module_items("a few constants and inet_aton/ntoa, inet_pton/ntop, gethostbyname"),
        [
            "inet_aton",
            "inet_ntoa",
            "inet_pton",
            "inet_ntop",
            "gethostbyname"
        ]
    );
    assert_eq!(
        const_str_tables("const STR_METHODS: &[&str] = &[\n \"a\", \"b_c\",\n];\nconst X: u8 = 1;"),
        [("str".to_string(), vec!["a".to_string(), "b_c".to_string()])]
    );
    assert!(const_str_tables("const BROKEN_METHODS: &[&str] = &[").is_empty());
    assert_eq!(strip_parens("open (a/b (c)), x"), "open , x");
}
