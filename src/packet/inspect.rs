//! The packet API beyond build and dissect: command(), ls(), equality, hide_defaults(),
//! getfieldval/setfieldval/get_field, decode_payload_as, fuzz().

use std::fmt::Write;
use std::rc::Rc;

use super::dissect;
use super::field::{FieldDef, FieldError};
use super::layer::LayerDef;
use super::packet::{LayerData, Packet};
use super::registry::Registry;
use super::value::{py_str_repr, Value};

/// Field kinds ls() marks with their width (Scapy's BitField subclasses).
const LS_BIT_CLASSES: &[&str] = &[
    "BitField",
    "XBitField",
    "BitFieldLenField",
    "BitLenField",
    "FixedPointField",
    "TimeStampField",
];

impl Packet {
    /// `p.command()`: the expression that rebuilds the packet (explicit fields in the order
    /// they were set, layers joined by `/`).
    pub fn command(&self) -> String {
        let mut out = String::new();
        for (n, l) in self.layers().iter().enumerate() {
            if n > 0 {
                out.push('/');
            }
            let d = l.data();
            out.push_str(&d.def.class_name);
            out.push('(');
            let mut first = true;
            for i in d.explicit_order() {
                let f = &d.def.fields[i];
                let Some(v) = d.explicit(i) else { continue };
                let (kind, default) = f.resolve(&d);
                let empty = matches!(v, Value::List(l) if l.is_empty());
                if empty && !default.truthy() {
                    continue;
                }
                if !first {
                    out.push_str(", ");
                }
                first = false;
                let text = match v {
                    // A list field: each element's command or repr, joined by "," (no
                    // space), as the reference writes them.
                    Value::List(items) if kind.is_list() => format!(
                        "[{}]",
                        items
                            .iter()
                            .map(super::fields::command_value)
                            .collect::<Vec<_>>()
                            .join(",")
                    ),
                    _ => kind.command_repr(&d, v),
                };
                let _ = write!(out, "{}={}", f.name, text);
            }
            out.push(')');
        }
        out
    }

    /// `p.getfieldval(name)`: this layer's value, else the payload's (an unknown name is
    /// Python's AttributeError).
    pub fn getfieldval(&self, name: &str) -> Result<Value, FieldError> {
        self.get(name)
            .ok_or_else(|| FieldError::NoSuchField(name.to_string()))
    }

    /// `p.setfieldval(name, value)`: as assignment (through the field's any→internal).
    pub fn setfieldval(&self, name: &str, v: impl Into<Value>) -> Result<(), FieldError> {
        self.set(name, v)
    }

    /// `p.get_field(name)`: this layer's field of that name (kind, default, condition).
    pub fn get_field(&self, name: &str) -> Option<FieldDef> {
        self.data().def.field(name).cloned()
    }

    /// `p.hide_defaults()`: drops explicit values equal to the default, in every layer.
    pub fn hide_defaults(&self) {
        for l in self.layers() {
            let mut d = l.data_mut();
            let same: Vec<usize> = d
                .explicit_order()
                .iter()
                .copied()
                // A field with alternatives (MultipleTypeField) keeps its value, as the
                // reference does.
                .filter(|&i| d.def.fields[i].alts.is_empty())
                .filter(|&i| d.explicit(i).is_some_and(|v| *v == d.default_at(i)))
                .collect();
            for i in same {
                d.unset(i);
            }
        }
    }

    /// `p.decode_payload_as(cls)`: the payload's bytes dissected again as `cls`.
    pub fn decode_payload_as(&self, cls: &Rc<LayerDef>) -> Result<(), super::BuildError> {
        let Some(pl) = self.payload() else {
            return Ok(());
        };
        let bytes = super::build::build(&pl)?;
        self.remove_payload_only();
        let p = dissect::dissect(cls, &bytes);
        self.link_payload(p);
        Ok(())
    }

    /// Removes the payload without touching the values it overloaded.
    fn remove_payload_only(&self) {
        let old = self.data_mut().payload.take();
        if let Some(p) = old {
            p.data_mut().underlayer = std::rc::Weak::new();
        }
    }

    /// Scapy's `==`: same class (or a subclass of this one), equal field values (explicit,
    /// overloaded or default), equal payloads.
    pub fn same_as(&self, other: &Packet) -> bool {
        let (a, b) = (self.data(), other.data());
        if !b.def.is_a(&a.def) {
            return false;
        }
        for (i, f) in a.def.fields.iter().enumerate() {
            let Some(j) = b.def.field_index(&f.name) else {
                return false;
            };
            if a.value_at(i) != b.value_at(j) {
                return false;
            }
        }
        match (&a.payload, &b.payload) {
            (None, None) => true,
            (Some(x), Some(y)) => x.same_as(y),
            _ => false,
        }
    }
}

impl PartialEq for Packet {
    fn eq(&self, other: &Packet) -> bool {
        self.same_as(other)
    }
}

/// `fuzz(p)`: a copy whose fields with a default (not computed at build time) default to
/// random values of their kind; explicit values stay; packet lists are fuzzed inside.
pub fn fuzz(p: &Packet) -> Packet {
    let q = p.copy();
    fuzz_in_place(&q);
    q
}

fn fuzz_in_place(p: &Packet) {
    for l in p.layers() {
        let mut d = l.data_mut();
        let def = d.def.clone();
        let mut fuzzed = Vec::new();
        for (i, f) in def.fields.iter().enumerate() {
            if f.kind.holds_packets() && f.kind.is_list() {
                if let Value::List(items) = d.value_at(i) {
                    for it in items {
                        if let Value::Packet(e) = it {
                            fuzz_in_place(&e);
                        }
                    }
                }
                continue;
            }
            let (kind, default) = f.resolve(&d);
            if default.is_none() || !f.present(&d) {
                continue;
            }
            if let Some(r) = kind.randval() {
                fuzzed.push((i, r));
            }
        }
        d.set_fuzzed(fuzzed.into_boxed_slice());
        d.set_raw_cache(None);
    }
}

fn ls_fields(def: &Rc<LayerDef>, pkt: Option<&Packet>) -> String {
    let blank;
    let layer_ref;
    let d: &LayerData = match pkt {
        Some(p) => {
            layer_ref = p.data();
            &layer_ref
        }
        None => {
            blank = LayerData::new(def);
            &blank
        }
    };
    let mut out = String::new();
    for (i, f) in def.fields.iter().enumerate() {
        let mut attrs: Vec<String> = Vec::new();
        if f.cond.is_some() {
            attrs.push("Cond".into());
        }
        let (class, default_repr) = if f.alts.is_empty() {
            if let Some(n) = f.kind.ls_note(d) {
                attrs.push(n);
            }
            (
                f.kind.class_name().to_string(),
                f.kind.repr_internal(&f.default),
            )
        } else {
            let names: Vec<&str> = f
                .alts
                .iter()
                .map(|a| a.kind.class_name())
                .chain([f.kind.class_name()])
                .collect();
            attrs.push(names.join(", "));
            (
                "MultipleTypeField".to_string(),
                f.kind.repr_internal(&f.default),
            )
        };
        let mut extras = if attrs.is_empty() {
            String::new()
        } else {
            format!("({})", attrs.join(", "))
        };
        if f.alts.is_empty() && LS_BIT_CLASSES.contains(&f.kind.class_name()) {
            if let Some(n) = f.kind.bit_width() {
                let _ = write!(extras, " ({} bit{})", n, if n > 1 { "s" } else { "" });
            }
        }
        let clsinfo = format!("{class} {extras}");
        let _ = write!(out, "{:<10} : {:<35} =", f.name, clsinfo);
        if pkt.is_some() {
            let (kind, _) = f.resolve(d);
            let shown = if f.present(d) {
                kind.repr_human(d, d.value_ref(i))
            } else {
                "None".to_string()
            };
            let _ = write!(out, " {shown:<15}");
        }
        let _ = writeln!(out, " ({})", py_str_repr(&default_repr));
    }
    out
}

/// `ls(IP)`: one line per field: name, kind (with its condition, dependency or width),
/// default.
pub fn ls_class(def: &Rc<LayerDef>) -> String {
    ls_fields(def, None)
}

/// `ls(p)`: as `ls(class)` with each field's current value, then `--` and the payload's.
pub fn ls_packet(p: &Packet) -> String {
    let mut out = String::new();
    for (n, l) in p.layers().iter().enumerate() {
        if n > 0 {
            out.push_str("--\n");
        }
        out.push_str(&ls_fields(&l.def(), Some(l)));
    }
    out
}

/// `ls()`: every layer of the session, `Class      : name`, sorted by class name; with a
/// pattern, the layers whose class or name contain it (case-insensitive), best match first.
pub fn ls_layers(reg: &Registry, pattern: Option<&str>) -> String {
    let mut all: Vec<Rc<LayerDef>> = Vec::new();
    for d in reg.all() {
        // A class registered twice (a campaign redefining it) is listed once, as the latest.
        if reg.get(&d.class_name).is_some_and(|c| Rc::ptr_eq(&c, &d)) {
            all.push(d);
        }
    }
    match pattern {
        None => all.sort_by(|a, b| a.class_name.cmp(&b.class_name)),
        Some(p) => {
            let p = p.to_lowercase();
            all.retain(|d| {
                d.class_name.to_lowercase().contains(&p) || d.name.to_lowercase().contains(&p)
            });
            all.sort_by_key(|d| {
                (
                    d.class_name.to_lowercase().find(&p).unwrap_or(usize::MAX),
                    d.class_name.len(),
                )
            });
        }
    }
    let mut out = String::new();
    for d in all {
        let _ = writeln!(out, "{:<10} : {}", d.class_name, d.name);
    }
    out
}
