//! Scapy 2.8's text forms, byte for byte: repr, show, show2, summary, hexdump.

use std::fmt::Write;

use super::build;
use super::dissect;
use super::field::BuildError;
use super::packet::{LayerData, Packet};
use super::value::Value;

impl Packet {
    /// `repr(p)`: `<IP  frag=0 proto=tcp |<TCP  |>>`. Shows explicit and overloaded values
    /// of the fields present, except empty lists.
    pub fn repr(&self) -> String {
        let mut s = String::new();
        let layers = self.layers();
        for l in &layers {
            let d = l.data();
            s.push('<');
            s.push_str(&d.def.class_name);
            s.push(' ');
            for (i, f) in d.def.fields.iter().enumerate() {
                if !f.present(&d) {
                    continue;
                }
                let v = match (d.explicit(i), d.overloaded(i)) {
                    (Some(v), _) | (None, Some(v)) => v,
                    (None, None) => continue,
                };
                if matches!(v, Value::List(l) if l.is_empty()) {
                    continue;
                }
                let (kind, _) = f.resolve(&d);
                let _ = write!(s, " {}={}", f.name, kind.i2repr(&d, v));
            }
            s.push_str(" |");
        }
        for _ in &layers {
            s.push('>');
        }
        s
    }

    /// `p.show(dump=True)`: the `###[ IP ]###` blocks, one `  name      = value` line a field.
    pub fn show(&self) -> String {
        let mut out = String::new();
        show_into(self, &mut out, "", "");
        out
    }

    /// `p.show2(dump=True)`: show() of the packet built and dissected again.
    pub fn show2(&self) -> Result<String, BuildError> {
        Ok(self.rebuilt()?.show())
    }

    /// The packet built and dissected again with its first layer's class.
    pub fn rebuilt(&self) -> Result<Packet, BuildError> {
        let bytes = build::build(self)?;
        Ok(dissect::dissect(&self.def(), &bytes))
    }

    /// `p.summary()`: `Ether / IP / TCP 198.51.100.1:ftp_data > 198.51.100.2:http S`.
    pub fn summary(&self) -> String {
        do_summary(self).1
    }

    /// `raw(p)` with this thread's resolver.
    pub fn build(&self) -> Result<Vec<u8>, BuildError> {
        build::build(self)
    }

    /// A field's display form by name, searched from this layer up (`%TCP.flags%`-style).
    pub fn field_repr(&self, name: &str) -> Option<String> {
        let d = self.data();
        match d.def.field_index(name) {
            Some(i) => {
                let (kind, _) = d.def.fields[i].resolve(&d);
                Some(kind.i2repr(&d, d.value_ref(i)))
            }
            None => d.payload.as_ref().and_then(|p| p.field_repr(name)),
        }
    }

    /// The display form of `class.field` in the first layer that is-a `class`, from here up
    /// (Scapy's `sprintf("%IP.src%")`).
    pub fn sprintf_field(&self, class: &str, name: &str) -> Option<String> {
        let l = self
            .layers()
            .into_iter()
            .find(|l| l.data().def.is_a_name(class))?;
        let d = l.data();
        let i = d.def.field_index(name)?;
        let (kind, _) = d.def.fields[i].resolve(&d);
        Some(kind.i2repr(&d, d.value_ref(i)))
    }
}

fn show_into(p: &Packet, out: &mut String, lvl: &str, label_lvl: &str) {
    let d = p.data();
    // The reference prints headers at the label level only: nested layers are told apart
    // by their field lines' indentation.
    let _ = writeln!(out, "{label_lvl}###[ {} ]###", d.def.name);
    for (i, f) in d.def.fields.iter().enumerate() {
        if !f.present(&d) {
            continue;
        }
        let (kind, _) = f.resolve(&d);
        let v = d.value_ref(i);
        let nested: Option<Vec<Packet>> = match v {
            Value::Packet(p) => Some(vec![p.clone()]),
            Value::List(l) if kind.holds_packets() => Some(
                l.iter()
                    .filter_map(|x| match x {
                        Value::Packet(p) => Some(p.clone()),
                        _ => None,
                    })
                    .collect(),
            ),
            _ => None,
        };
        match nested {
            Some(items) => {
                let _ = writeln!(out, "{label_lvl}{lvl}  \\{:<10}\\", f.name);
                let inner = format!("{label_lvl}{lvl}   |");
                for it in items {
                    show_into(&it, out, "", &inner);
                }
            }
            None => {
                let _ = writeln!(
                    out,
                    "{label_lvl}{lvl}  {:<10}= {}",
                    f.name,
                    kind.i2repr(&d, v)
                );
            }
        }
    }
    if let Some(pl) = &d.payload {
        let indent = if d.def.show_indent { "   " } else { "" };
        show_into(pl, out, &format!("{lvl}{indent}"), label_lvl);
    }
}

/// Scapy's summary recursion: each layer learns from its payload whether a layer above
/// already described the packet (`found`) and which layers below it asked to describe too.
fn do_summary(p: &Packet) -> (bool, String, Vec<String>) {
    let (mut found, s, mut needed) = match p.payload() {
        Some(n) => do_summary(&n),
        None => (false, String::new(), Vec::new()),
    };
    let def = p.def();
    let mut ret = String::new();
    if !found || needed.iter().any(|c| *c == def.class_name) {
        if let Some(h) = &def.hooks.mysummary {
            if let Some((r, n)) = h(p) {
                ret = r;
                needed.extend(n);
            }
        }
    }
    if !ret.is_empty() || !needed.is_empty() {
        found = true;
    }
    if ret.is_empty() && def.show_summary {
        ret = def.class_name.clone();
    }
    let text = if !ret.is_empty() && !s.is_empty() {
        format!("{ret} / {s}")
    } else {
        ret + &s
    };
    (found, text, needed)
}

/// `hexdump(x, dump=True)`: offset, 16 bytes in upper-case hex, the printable characters.
pub fn hexdump(bytes: &[u8]) -> String {
    let mut lines = Vec::with_capacity(bytes.len() / 16 + 1);
    for (n, chunk) in bytes.chunks(16).enumerate() {
        let mut hex = String::with_capacity(48);
        for b in chunk {
            let _ = write!(hex, "{b:02X} ");
        }
        let ascii: String = chunk
            .iter()
            .map(|&b| {
                if (32..127).contains(&b) {
                    b as char
                } else {
                    '.'
                }
            })
            .collect();
        lines.push(format!("{:04x}  {:<48} {}", n * 16, hex, ascii));
    }
    lines.join("\n")
}

/// A layer's field display form for hooks (`%IP.src%` on a layer at hand).
pub fn layer_field_repr(d: &LayerData, name: &str) -> String {
    match d.def.field_index(name) {
        Some(i) => {
            let (kind, _) = d.def.fields[i].resolve(d);
            kind.i2repr(d, d.value_ref(i))
        }
        None => "??".to_string(),
    }
}
