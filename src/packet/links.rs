//! Payload links: a fixed-layout definition's bindings compiled for the dissect loop.
//!
//! Why: the loop over a chain of fixed-layout layers ([`super::dissect`]) asks two
//! questions per layer: which class the bindings give the payload, and which values that
//! class sets in the layer below it (its top-down bindings). Answered from the binding
//! lists, they walk the lists, compare `Value`s and walk the upper class's overloads; the
//! answers only change when some binding changes. So a definition whose bindings each test
//! at most one integer field keeps them as a table: the key fields read from the header,
//! each binding's value as an integer, and each upper class with its overloads on this one
//! (other definitions, and tables past a few keys or 16 bindings, use the lists). The
//! table is remade when the bindings change anywhere ([`bindings_changed`]), as a subclass
//! inherits its parent's and an upper class's overloads are its own.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use super::base;
use super::layer::LayerDef;
use super::layout::IntRead;
use super::packet::Overloads;
use super::value::Value;

thread_local! {
    /// Bumped at every change of any binding (definitions are per thread).
    static GENERATION: Cell<u64> = const { Cell::new(0) };
}

/// The bindings changed somewhere: every cache made from them is stale.
pub(crate) fn bindings_changed() {
    GENERATION.with(|g| g.set(g.get().wrapping_add(1)));
}

/// The bindings' current generation (caches made from them remember it).
pub(crate) fn bindings_generation() -> u64 {
    GENERATION.with(Cell::get)
}

/// Beyond this many bindings (or key fields), the general lookup (indexed) is as quick.
const MAX_ENTRIES: usize = 16;
const MAX_KEYS: usize = 4;

/// A definition's compiled payload links, as of one generation of the bindings.
pub(crate) struct PayloadLinks {
    generation: u64,
    /// `None`: some binding tests a field the table cannot read as an integer, tests more
    /// than one field, or there are too many; the general lookup answers.
    table: Option<Table>,
}

struct Table {
    /// Where the fields the bindings test are read.
    keys: Box<[IntRead]>,
    /// The bindings in the order the general lookup tries them (own, then the parent's).
    entries: Box<[Entry]>,
    /// Raw's overloads on this layer, when no binding holds.
    raw: Option<Overloads>,
}

struct Entry {
    /// The key (position in `keys`) and the value it must hold; [`Entry::ALWAYS`]: a
    /// binding that tests nothing.
    key: u8,
    value: i128,
    upper: Weak<LayerDef>,
    /// What `upper` sets in this layer when stacked on it.
    overloads: Option<Overloads>,
}

impl Entry {
    const ALWAYS: u8 = u8::MAX;
}

/// The payload's class and what it sets in the layer below: two words, so that it is
/// returned in registers (a larger value went through the stack and was read back with
/// wider loads than the stores that wrote it, stalling the loop on every layer).
pub(crate) struct Link {
    pub(crate) class: Rc<LayerDef>,
    pub(crate) overloads: Option<Overloads>,
}

impl Link {
    /// The link to `class` above `lower`, asked of the definitions.
    pub(crate) fn between(lower: &LayerDef, class: Rc<LayerDef>) -> Link {
        Link {
            overloads: class.overloads_for(lower),
            class,
        }
    }
}

impl PayloadLinks {
    fn compile(lower: &LayerDef, generation: u64) -> PayloadLinks {
        PayloadLinks {
            generation,
            table: Table::compile(lower),
        }
    }
}

impl Table {
    fn compile(lower: &LayerDef) -> Option<Table> {
        let layout = lower.layout()?;
        let mut fields: Vec<usize> = Vec::new();
        let mut entries = Vec::new();
        // The guesses the general lookup tries, in its order: own, then the parent's.
        let mut def = Some(lower);
        while let Some(d) = def {
            for g in &d.bindings.borrow().payload_guess {
                let (key, value) = match g.when.as_slice() {
                    [] => (Entry::ALWAYS, 0),
                    [(i, Value::Int(v))] => {
                        let k = match fields.iter().position(|f| f == i) {
                            Some(k) => k,
                            None => {
                                fields.push(*i);
                                fields.len() - 1
                            }
                        };
                        (u8::try_from(k).ok()?, *v)
                    }
                    _ => return None,
                };
                // A class gone never comes back: its binding never wins.
                if let Some(upper) = g.upper.upgrade() {
                    entries.push(Entry {
                        key,
                        value,
                        upper: g.upper.clone(),
                        overloads: upper.overloads_for(lower),
                    });
                }
            }
            def = d.parent.as_deref();
        }
        if fields.len() > MAX_KEYS || entries.len() > MAX_ENTRIES {
            return None;
        }
        let keys = fields
            .iter()
            .map(|&i| layout.int_read(i))
            .collect::<Option<Box<[IntRead]>>>()?;
        Some(Table {
            keys,
            entries: entries.into_boxed_slice(),
            raw: base::raw_def().overloads_for(lower),
        })
    }

    /// The link the bindings give for header bytes `h`, or `None` when a key field cannot
    /// be read from them.
    #[inline(always)]
    fn find(&self, h: &[u8]) -> Option<Link> {
        // Most layers bind on one field (a type, a next-header number): it is read once;
        // with more, each binding reads its own (tables are small).
        let one = match &*self.keys {
            [key] => Some(key.read(h)?),
            _ => None,
        };
        for e in self.entries.iter() {
            let holds = e.key == Entry::ALWAYS
                || match one {
                    Some(v) => v == e.value,
                    None => self.keys.get(usize::from(e.key))?.read(h)? == e.value,
                };
            if holds {
                // Its class may be gone since: the bindings after it decide.
                if let Some(class) = e.upper.upgrade() {
                    return Some(Link {
                        class,
                        overloads: e.overloads.clone(),
                    });
                }
            }
        }
        Some(Link {
            class: base::raw_def(),
            overloads: self.raw.clone(),
        })
    }
}

impl LayerDef {
    /// The payload's class and its overloads on this layer, as the bindings give them for
    /// header bytes `h` of this (fixed-layout) definition (at least its layout's length);
    /// `None` when the table cannot tell ([`LayerDef::guess_from_bindings`] and
    /// [`LayerDef::overloads_for`] answer then).
    /// `generation` is [`bindings_generation`], read by the caller once for a whole chain
    /// (no binding changes during a dissection loop: it calls no host code).
    #[inline(always)]
    pub(crate) fn payload_link(&self, h: &[u8], generation: u64) -> Option<Link> {
        {
            let links = self.links.borrow();
            if let Some(l) = links.as_ref().filter(|l| l.generation == generation) {
                return l.table.as_ref()?.find(h);
            }
        }
        self.compile_links(generation, h)
    }

    /// Compiles the links (the bindings changed since they last were) and answers for
    /// header bytes `h`.
    #[cold]
    #[inline(never)]
    fn compile_links(&self, generation: u64, h: &[u8]) -> Option<Link> {
        let compiled = PayloadLinks::compile(self, generation);
        let found = compiled.table.as_ref().and_then(|t| t.find(h));
        *self.links.borrow_mut() = Some(compiled);
        found
    }
}

/// The cache a definition keeps of its compiled links.
pub(crate) type LinksCache = RefCell<Option<PayloadLinks>>;

#[cfg(test)]
mod tests {
    use std::rc::Rc;

    use super::*;
    use crate::packet::dissect::dissect;
    use crate::packet::field::FieldDef;
    use crate::packet::fields;
    use crate::packet::layer::Header;
    use crate::packet::registry::{bind_bottom_up, bind_layers, bind_top_down, split_layers};

    /// Two bytes and two nibbles, all at fixed places; `parent` as its base class.
    fn layer(name: &str, parent: Option<&Rc<LayerDef>>) -> Rc<LayerDef> {
        let mut def = LayerDef::new(
            name,
            name,
            vec![
                FieldDef::new("a", fields::byte(), Value::Int(0)),
                FieldDef::new("b", fields::byte(), Value::Int(0)),
                FieldDef::new("hi", fields::bits(4), Value::Int(0)),
                FieldDef::new("lo", fields::bits(4), Value::Int(0)),
            ],
        );
        def.parent = parent.cloned();
        Rc::new(def)
    }

    type Answer = (String, Option<Vec<(usize, Value)>>);

    /// What the binding lists answer for header `h` of `lower`.
    fn general(lower: &LayerDef, h: &[u8]) -> Answer {
        let layout = lower.layout().expect("a fixed layout");
        let class = lower
            .guess_from_bindings(&Header { layout, bytes: h })
            .unwrap_or_else(base::raw_def);
        let overloads = class.overloads_for(lower).map(|o| (*o).clone());
        (class.class_name.clone(), overloads)
    }

    /// What the compiled table answers, when it can.
    fn compiled(lower: &LayerDef, h: &[u8]) -> Option<Answer> {
        lower.payload_link(h, bindings_generation()).map(|l| {
            let overloads = l.overloads.map(|o| (*o).clone());
            (l.class.class_name.clone(), overloads)
        })
    }

    /// A small deterministic generator (no dependency for tests).
    fn next(state: &mut u64) -> usize {
        *state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (*state >> 33) as usize
    }

    #[test]
    fn the_table_answers_as_the_binding_lists() {
        let base_class = layer("P", None);
        let lower = layer("L", Some(&base_class));
        let mut uppers: Vec<Rc<LayerDef>> = (0..4).map(|i| layer(&format!("U{i}"), None)).collect();
        let names = ["a", "b", "hi", "lo"];
        let mut state = 7u64;
        let (mut compared, mut general_only) = (0, 0);
        for round in 0..400usize {
            if round.is_multiple_of(12) {
                // Fresh bindings now and then, so that tables stay small enough to compile.
                for d in [&base_class, &lower].into_iter().chain(&uppers) {
                    *d.bindings.borrow_mut() = Default::default();
                }
                bindings_changed();
            }
            let u = uppers[next(&mut state) % uppers.len()].clone();
            let on = if next(&mut state).is_multiple_of(4) {
                &base_class
            } else {
                &lower
            };
            let field = names[next(&mut state) % names.len()];
            let value = Value::Int((next(&mut state) % 3) as i128);
            let one = [(field, value.clone())];
            let two = [(field, value), ("a", Value::Int(1))];
            let done = match next(&mut state) % 8 {
                0 => bind_bottom_up(on, &u, &[]),
                1 => bind_bottom_up(on, &u, &two),
                2 => bind_top_down(on, &u, &one),
                3 => split_layers(on, &u, &[]),
                4 => {
                    // The class goes: its bindings stay, but never win.
                    let i = next(&mut state) % uppers.len();
                    uppers[i] = layer(&format!("U{i}bis{round}"), None);
                    Ok(())
                }
                _ => bind_layers(on, &u, &one),
            };
            done.expect("fields exist");
            for a in 0..3u8 {
                for b in 0..3u8 {
                    for nibbles in [0x00u8, 0x12, 0x21, 0x22] {
                        let h = [a, b, nibbles];
                        match compiled(&lower, &h) {
                            Some(got) => {
                                assert_eq!(got, general(&lower, &h), "round {round}, header {h:?}");
                                compared += 1;
                            }
                            None => general_only += 1,
                        }
                    }
                }
            }
        }
        // Both kinds of tables were met.
        assert!(compared > 1000, "{compared}");
        assert!(general_only > 0);
    }

    #[test]
    fn a_binding_made_after_a_dissection_applies_to_the_next() {
        let (lower, first, second) = (layer("L", None), layer("X", None), layer("Y", None));
        bind_layers(&lower, &first, &[("a", Value::Int(1))]).expect("a");
        let bytes = [1u8, 0, 0, 9, 9, 9];
        assert_eq!(dissect(&lower, &bytes).summary(), "L / X");
        // Y now comes first for a=1, and sets b=5 in L when stacked on it.
        split_layers(&lower, &first, &[]).expect("split");
        bind_layers(
            &lower,
            &second,
            &[("a", Value::Int(1)), ("b", Value::Int(5))],
        )
        .expect("b");
        bind_layers(&lower, &second, &[("a", Value::Int(1))]).expect("a");
        let p = dissect(&lower, &bytes);
        assert_eq!(p.summary(), "L / Y");
        // The top-down binding made last is the one Y keeps.
        assert_eq!(
            p.data().overloaded.as_deref().cloned(),
            Some(vec![(0, Value::Int(1))])
        );
    }
}
