//! The implementation's name tables, for conformance tests that check every builtin, method
//! and module function has a snippet: read from the same tables the interpreter uses.

use super::interp::State;
use super::value::{TypeTag, Value};
use super::StopFlag;

/// Every name bound in a fresh session's builtins namespace (functions, classes, constants),
/// but for the packet engine's layers and functions.
pub fn builtin_names() -> Vec<&'static str> {
    let st = State::new(StopFlag::new());
    // The packet engine's names are the engine's (see `lang::packets::names`).
    let engine = super::packets::names();
    let mut out: Vec<&'static str> = Vec::new();
    for (i, v) in st.builtins.iter().enumerate() {
        if v.is_some() {
            let name = st.interner.name(i as u32).to_string();
            if name != "_" && !engine.contains(&name) {
                out.push(Box::leak(name.into_boxed_str()));
            }
        }
    }
    out.sort_unstable();
    out
}

/// The builtin functions only (no classes, no constants).
pub fn builtin_function_names() -> Vec<&'static str> {
    let st = State::new(StopFlag::new());
    let mut out: Vec<&'static str> = st
        .builtins
        .iter()
        .filter_map(|v| match v {
            Some(Value::Builtin(b)) => Some(b.name),
            _ => None,
        })
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// The type names whose methods [`method_names`] lists.
pub const TYPES: &[&str] = &[
    "str",
    "bytes",
    "bytearray",
    "list",
    "tuple",
    "dict",
    "set",
    "frozenset",
    "int",
    "float",
    "file",
    "dict_keys",
    "dict_items",
    "re.Pattern",
    "re.Match",
    "hashlib.HASH",
];

/// The methods of a builtin type, by tag.
pub fn method_names(tag: TypeTag) -> Vec<&'static str> {
    match tag {
        TypeTag::ByteArray => super::objects::bytearray::method_names(),
        TypeTag::FrozenSet => vec![
            "copy",
            "difference",
            "intersection",
            "isdisjoint",
            "issubset",
            "issuperset",
            "symmetric_difference",
            "union",
        ],
        t => super::methods::method_table_of(t).to_vec(),
    }
}

/// The methods of a type by its name (see [`TYPES`]).
pub fn methods_of(type_name: &str) -> Vec<&'static str> {
    let mut v = match type_name {
        "str" => method_names(TypeTag::Str),
        "bytes" => method_names(TypeTag::Bytes),
        "bytearray" => method_names(TypeTag::ByteArray),
        "list" => method_names(TypeTag::List),
        "tuple" => method_names(TypeTag::Tuple),
        "dict" => method_names(TypeTag::Dict),
        "set" => method_names(TypeTag::Set),
        "frozenset" => method_names(TypeTag::FrozenSet),
        "int" => method_names(TypeTag::Int),
        "float" => method_names(TypeTag::Float),
        "file" => super::objects::file::method_names(),
        "dict_keys" | "dict_items" => vec!["isdisjoint"],
        "re.Pattern" => vec![
            "findall",
            "finditer",
            "fullmatch",
            "match",
            "search",
            "split",
            "sub",
            "subn",
        ],
        "re.Match" => vec![
            "end",
            "expand",
            "group",
            "groupdict",
            "groups",
            "span",
            "start",
        ],
        "hashlib.HASH" => vec!["copy", "digest", "hexdigest", "update"],
        _ => Vec::new(),
    };
    v.sort_unstable();
    v
}

/// The importable modules (Scapy's and wirecraft's no-op modules excepted).
pub fn module_names() -> Vec<&'static str> {
    super::modules::MODULES.to_vec()
}

/// The public attributes of a module (functions, constants, classes), sorted.
pub fn module_functions(name: &str) -> Vec<String> {
    let mut st = State::new(StopFlag::new());
    let Some(Ok(m)) = super::modules::create_in(&mut st, name) else {
        return Vec::new();
    };
    match super::objects::downcast::<super::objects::module::Module>(&m) {
        Some(m) => m
            .attrs
            .borrow()
            .keys()
            .filter(|k| !k.starts_with('_'))
            .cloned()
            .collect(),
        None => Vec::new(),
    }
}
