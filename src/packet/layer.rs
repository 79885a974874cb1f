//! Layer definitions: a runtime object per protocol (its fields, hooks and bindings), the same
//! kind of object for a built-in layer and for one a campaign defines with `class X(Packet)`.

use std::cell::{OnceCell, RefCell};
use std::collections::HashMap;
use std::hash::Hasher;
use std::rc::{Rc, Weak};

use super::field::{BuildError, FieldDef, FixedAddr, FixedInt};
use super::layout::FixedLayout;
use super::links::{bindings_generation, LinksCache};
use super::packet::{holds_packet, LayerData, Overloads, Packet, Slots};
use super::resolver::Resolver;
use super::value::Value;

/// post_build: gets the layer, its header bytes and its payload's bytes; returns the whole.
pub type PostBuildFn =
    Rc<dyn Fn(&LayerData, Vec<u8>, &[u8], &dyn Resolver) -> Result<Vec<u8>, BuildError>>;
/// guess_payload_class: the class for the payload bytes, or `None` to use the bindings.
pub type GuessFn = Rc<dyn Fn(&LayerData, &[u8]) -> Option<Rc<LayerDef>>>;
/// extract_padding: how many of the remaining bytes are payload (the rest is padding).
pub type ExtractPaddingFn = Rc<dyn Fn(&LayerData, &[u8]) -> usize>;
/// mysummary: the layer's summary text and the classes below it that it already describes.
pub type SummaryFn = Rc<dyn Fn(&Packet) -> Option<(String, Vec<String>)>>;
/// answers: does this packet (self) answer the other?
pub type AnswersFn = Rc<dyn Fn(&Packet, &Packet) -> bool>;
/// hashret: bytes equal for a request and its answers.
pub type HashretFn = Rc<dyn Fn(&Packet) -> Vec<u8>>;
/// pre_dissect: the bytes the fields will read, from all of the layer's bytes (Scapy's
/// `pre_dissect(self, s)`; the layer has no field set yet).
pub type PreDissectFn = Rc<dyn Fn(&mut LayerData, &[u8]) -> Vec<u8>>;
/// do_dissect: reads the layer's fields itself, in place of the field table's loop; returns
/// the bytes left for the payload (Scapy's `do_dissect(self, s)`).
pub type DoDissectFn = Rc<dyn Fn(&mut LayerData, &[u8], &mut Vec<String>) -> Vec<u8>>;
/// post_dissect: adjusts the layer after its fields are read; gets the bytes left after the
/// fields and returns those the payload and padding get (Scapy's `post_dissect(self, s)`).
pub type PostDissectFn = Rc<dyn Fn(&mut LayerData, Vec<u8>, &mut Vec<String>) -> Vec<u8>>;

/// A layer's behavior beyond its field table. Each hook is an `Rc<dyn Fn>`: a native Rust
/// function for built-in layers, a closure over an interpreter callable for campaign ones.
#[derive(Clone, Default)]
pub struct Hooks {
    /// Computes lengths and checksums once the payload is built.
    pub post_build: Option<PostBuildFn>,
    /// Chooses the payload's class before the bindings are consulted.
    pub guess_payload: Option<GuessFn>,
    /// Splits the remaining bytes into payload and padding.
    pub extract_padding: Option<ExtractPaddingFn>,
    /// The layer's part of `summary()`.
    pub mysummary: Option<SummaryFn>,
    /// Answer matching for sr().
    pub answers: Option<AnswersFn>,
    /// Request/answer hashing for sr().
    pub hashret: Option<HashretFn>,
    /// The payload's class when neither the guess hook nor the bindings name one (Scapy's
    /// `default_payload_class`; Raw without it).
    pub default_payload: Option<GuessFn>,
    /// Runs before fields are dissected.
    pub pre_dissect: Option<PreDissectFn>,
    /// Dissects the fields instead of the field table's loop.
    pub do_dissect: Option<DoDissectFn>,
    /// Runs after fields are dissected.
    pub post_dissect: Option<PostDissectFn>,
    /// Methods an ActionField calls by name when its field is assigned.
    pub methods: HashMap<String, crate::packet::kinds::ActionFn>,
}

impl Hooks {
    /// Whether the layer's fields are dissected by the field table alone (no hook before,
    /// instead of or after it).
    pub(crate) fn dissects_by_fields(&self) -> bool {
        self.pre_dissect.is_none() && self.do_dissect.is_none() && self.post_dissect.is_none()
    }

    /// Whether a hook decides where the payload ends or what it is (extract_padding,
    /// guess_payload, default_payload): else the bindings alone do.
    pub(crate) fn shape_payload(&self) -> bool {
        self.extract_padding.is_some()
            || self.guess_payload.is_some()
            || self.default_payload.is_some()
    }
}

/// One bottom-up binding: "this layer with these field values is followed by `upper`".
#[derive(Clone)]
pub(crate) struct Guess {
    pub(crate) when: Vec<(usize, Value)>,
    pub(crate) upper: Weak<LayerDef>,
}

/// One top-down binding: "on top of `lower`, I set these fields of it".
#[derive(Clone)]
pub(crate) struct Overload {
    pub(crate) lower: Weak<LayerDef>,
    pub(crate) fields: Overloads,
}

/// The bindings a layer holds, as Scapy keeps them on the classes. References to other layers
/// are weak: the registry owns the definitions, and layers bind to themselves (IP in IP).
#[derive(Clone, Default)]
pub(crate) struct Bindings {
    pub(crate) payload_guess: Vec<Guess>,
    pub(crate) overloads: Vec<Overload>,
}

/// Where the bindings read a layer's values: the layer, or the header bytes of a layer
/// still to be read (the dissector has them at hand).
pub(crate) trait FieldSource {
    /// The value of field `i` if it is an integer.
    fn int_at(&self, i: usize) -> Option<i128>;
    /// Whether field `i` holds `want` (integers compared as integers).
    fn equals(&self, i: usize, want: &Value) -> bool;
}

impl FieldSource for LayerData {
    fn int_at(&self, i: usize) -> Option<i128> {
        self.int_value(i)
    }
    fn equals(&self, i: usize, want: &Value) -> bool {
        self.field_equals(i, want)
    }
}

/// The header bytes of a layer read on first use, with its definition's layout.
pub(crate) struct Header<'a> {
    pub(crate) layout: &'a FixedLayout,
    pub(crate) bytes: &'a [u8],
}

impl FieldSource for Header<'_> {
    fn int_at(&self, i: usize) -> Option<i128> {
        self.layout.read_int(i, self.bytes)
    }
    fn equals(&self, i: usize, want: &Value) -> bool {
        self.layout.field_equals(i, self.bytes, want)
    }
}

/// The first of `guesses` that holds for the layer and whose class is still defined.
fn first_guess<S: FieldSource + ?Sized>(guesses: &[Guess], layer: &S) -> Option<Rc<LayerDef>> {
    guesses
        .iter()
        .filter(|g| g.holds(layer))
        .find_map(|g| g.upper.upgrade())
}

impl Guess {
    /// Whether the layer holds the binding's values.
    fn holds<S: FieldSource + ?Sized>(&self, layer: &S) -> bool {
        self.when.iter().all(|(i, v)| layer.equals(*i, v))
    }
}

/// A layer's bottom-up bindings by value: those on one field equal to an integer (most:
/// a type, a protocol number, a port) sorted by field and value, so finding the payload's
/// class looks up the layer's values instead of trying every binding (TCP and UDP have
/// many, and most payloads match none). The first binding that holds wins, as in the
/// list.
struct GuessIndex {
    /// Per field: (value, position of the first binding on that value), sorted by value.
    by_field: Vec<(usize, Vec<(i128, usize)>)>,
    /// The positions of the other bindings, in order.
    others: Vec<usize>,
}

impl GuessIndex {
    /// Below this many bindings, trying each is as quick.
    const WORTH: usize = 4;

    fn new(guesses: &[Guess]) -> GuessIndex {
        let mut by_field: Vec<(usize, Vec<(i128, usize)>)> = Vec::new();
        let mut others = Vec::new();
        for (pos, g) in guesses.iter().enumerate() {
            match g.when.as_slice() {
                [(field, Value::Int(v))] => {
                    let at = match by_field.iter().position(|(f, _)| f == field) {
                        Some(at) => at,
                        None => {
                            by_field.push((*field, Vec::new()));
                            by_field.len() - 1
                        }
                    };
                    by_field[at].1.push((*v, pos));
                }
                _ => others.push(pos),
            }
        }
        for (_, values) in &mut by_field {
            // By value, the first binding of each value first; later ones never win.
            values.sort_unstable();
            values.dedup_by_key(|(v, _)| *v);
        }
        GuessIndex { by_field, others }
    }

    /// [`first_guess`] of `guesses` (the list this index was made from).
    fn first<S: FieldSource + ?Sized>(&self, guesses: &[Guess], layer: &S) -> Option<Rc<LayerDef>> {
        let mut best: Option<usize> = None;
        for (field, values) in &self.by_field {
            // A value that is not an integer may still equal one (a float): every binding
            // is tried then.
            let Some(v) = layer.int_at(*field) else {
                return first_guess(guesses, layer);
            };
            if let Ok(k) = values.binary_search_by_key(&v, |(value, _)| *value) {
                let pos = values[k].1;
                best = Some(best.map_or(pos, |b| b.min(pos)));
            }
        }
        // Other bindings before the best indexed one come first.
        if let Some(&pos) = self
            .others
            .iter()
            .take_while(|&&p| best.is_none_or(|b| p < b))
            .find(|&&p| guesses.get(p).is_some_and(|g| g.holds(layer)))
        {
            best = Some(pos);
        }
        let pos = best?;
        match guesses.get(pos).and_then(|g| g.upper.upgrade()) {
            Some(u) => Some(u),
            // Its class is gone: the bindings after it decide, as in the list.
            None => first_guess(guesses.get(pos + 1..).unwrap_or(&[]), layer),
        }
    }
}

/// FNV-1a: class names are short and trusted, so a fast hash beats SipHash where layer
/// definitions are looked up by name (the registry).
#[derive(Default)]
pub struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for &b in bytes {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

/// Field positions by name, for the lookups hooks, bindings and the language make on every
/// packet: a short key per field (its length and first bytes), found through a small
/// direct-mapped table of the keys, the name itself compared only for long names. Field
/// names are short and tables small, so this beats hashing the name.
struct NameIndex {
    keys: Box<[u64]>,
    /// By a key's slot ([`NameIndex::slot`]): 0 when no field's key has that slot, the
    /// position plus one of the last field whose key does when they all have the same key,
    /// [`NameIndex::SCAN`] when different keys share it (the keys are scanned then).
    slots: [u16; 64],
}

impl NameIndex {
    const SCAN: u16 = u16::MAX;

    fn new(fields: &[FieldDef]) -> NameIndex {
        let keys: Box<[u64]> = fields.iter().map(|f| Self::key(&f.name)).collect();
        let mut slots = [0u16; 64];
        for (i, &k) in keys.iter().enumerate() {
            let slot = &mut slots[Self::slot(k)];
            *slot = match (*slot, u16::try_from(i + 1)) {
                (Self::SCAN, _) | (_, Err(_)) => Self::SCAN,
                (0, Ok(p)) => p,
                (prev, Ok(p)) if keys[usize::from(prev) - 1] == k => p,
                _ => Self::SCAN,
            };
        }
        NameIndex { keys, slots }
    }

    /// The table slot of a key.
    #[inline]
    fn slot(key: u64) -> usize {
        (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 58) as usize
    }

    /// The length and the first seven bytes of a name (least significant first), read a
    /// few bytes at a time: lookups by name are frequent (hooks, bindings, the language).
    #[inline]
    fn key(name: &str) -> u64 {
        let b = name.as_bytes();
        let len = b.len();
        // Two overlapping reads cover 2 to 3 and 4 to 7 bytes; bytes read twice land in
        // the same place.
        let head = match len {
            0 => 0,
            1 => u64::from(b[0]),
            2 | 3 => {
                let lo = u64::from(u16::from_le_bytes([b[0], b[1]]));
                let hi = u64::from(u16::from_le_bytes([b[len - 2], b[len - 1]]));
                lo | hi << (8 * (len - 2))
            }
            4..=7 => {
                let lo = u64::from(u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
                let hi = u64::from(u32::from_le_bytes([
                    b[len - 4],
                    b[len - 3],
                    b[len - 2],
                    b[len - 1],
                ]));
                lo | hi << (8 * (len - 4))
            }
            _ => u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], 0]),
        };
        head | (len.min(255) as u64) << 56
    }

    /// The position of `name` (the last field of that name, as a map built in order
    /// would keep).
    #[inline]
    fn get(&self, fields: &[FieldDef], name: &str) -> Option<usize> {
        let key = Self::key(name);
        let exact = name.len() <= 7;
        match self.slots[Self::slot(key)] {
            // No field's key: no field of that name.
            0 => return None,
            Self::SCAN => {}
            p => {
                let i = usize::from(p) - 1;
                if self.keys.get(i) != Some(&key) {
                    return None;
                }
                if exact || fields.get(i).is_some_and(|f| f.name == name) {
                    return Some(i);
                }
            }
        }
        self.keys
            .iter()
            .rposition(|&k| k == key)
            .filter(|&i| exact || fields.get(i).is_some_and(|f| f.name == name))
            .or_else(|| {
                // Long names sharing a key: the slow scan.
                (!exact)
                    .then(|| fields.iter().rposition(|f| f.name == name))
                    .flatten()
            })
    }
}

/// A protocol: its names, field table, hooks and bindings.
pub struct LayerDef {
    /// The class name (`IP`, `IPerror`): what repr() prints and `p["IP"]` matches.
    pub class_name: String,
    /// The display name (`802.1Q`, `IP in ICMP`): what show() prints.
    pub name: String,
    /// The field table, in wire order.
    pub fields: Vec<FieldDef>,
    /// The hooks.
    pub hooks: Hooks,
    /// The base class (IPerror's is IP): isinstance checks and inherited bindings.
    pub parent: Option<Rc<LayerDef>>,
    /// Whether summary() names the layer when it has nothing else to say (Scapy's
    /// `show_summary`).
    pub show_summary: bool,
    /// Whether show() indents the payload under this layer (Scapy's `show_indent`: 802.11
    /// information elements and DNS records show what follows them at their own level).
    pub show_indent: bool,
    /// Padding layers are built last, after every other layer's post_build.
    pub is_padding: bool,
    /// What the embedding language attaches to a definition of its own (the class object of
    /// a layer a campaign defines); the engine never looks inside.
    pub host: Option<Rc<dyn std::any::Any>>,
    index: NameIndex,
    pub(crate) bindings: RefCell<Bindings>,
    /// The bottom-up bindings indexed by value, made on first use after they change, with
    /// the generation of the bindings it was made from.
    guess_index: RefCell<Option<(u64, Rc<GuessIndex>)>>,
    /// The bindings compiled for the dissect loop ([`super::links`]).
    pub(crate) links: LinksCache,
    /// The value tables new layers start from and the plan of the fields, made on first
    /// use (the field table is complete by then).
    prepared: OnceCell<Prepared>,
}

/// What a definition prepares once for its layers: the value tables they start from
/// (shared until a value changes) and the plan of its fields.
struct Prepared {
    /// Every field unset (a blank layer).
    blank: Slots,
    /// What `Packet::new` gives, and one past its last explicit field; `None` when a
    /// default holds a packet, which each instance must copy.
    new: Option<(Slots, u32)>,
    /// How dissection and building treat each field.
    plan: Box<[Step]>,
    /// Where each field sits, when every one has a fixed place (such layers are decoded on
    /// first use).
    layout: Option<FixedLayout>,
}

/// How dissection and building treat one field of a definition, decided once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Step {
    /// A plain fixed-size integer (no condition, one kind): read and written by the engine.
    Int(FixedInt),
    /// Bits packed with their neighbours (no condition, one kind).
    Bits(u32),
    /// A plain address (no condition, one kind): read by the engine.
    Addr(FixedAddr),
    /// Through the kind, which may depend on the layer (conditions, alternatives).
    Kind,
}

impl Step {
    fn of(f: &FieldDef) -> Step {
        // Conditions and alternatives choose the kind per layer; a little-endian bit group
        // reorders bytes: those go through the kind.
        if f.cond.is_some() || !f.alts.is_empty() || f.kind.le_bit_group().is_some() {
            return Step::Kind;
        }
        match (f.kind.bit_width(), f.kind.fixed_int(), f.kind.fixed_addr()) {
            (Some(w), _, _) => Step::Bits(w),
            (None, Some(i), _) => Step::Int(i),
            (None, None, Some(a)) => Step::Addr(a),
            (None, None, None) => Step::Kind,
        }
    }
}

impl LayerDef {
    /// A definition with these names and fields and no hooks yet.
    pub fn new(class_name: &str, name: &str, fields: Vec<FieldDef>) -> LayerDef {
        let index = NameIndex::new(&fields);
        LayerDef {
            class_name: class_name.to_string(),
            name: name.to_string(),
            fields,
            hooks: Hooks::default(),
            parent: None,
            show_summary: true,
            show_indent: true,
            is_padding: false,
            host: None,
            index,
            bindings: RefCell::new(Bindings::default()),
            guess_index: RefCell::new(None),
            links: RefCell::new(None),
            prepared: OnceCell::new(),
        }
    }

    fn prepared(&self) -> &Prepared {
        self.prepared.get_or_init(|| {
            let n = self.fields.len();
            let blank: Slots = (0..n).map(|_| None).collect();
            let defaults: Vec<(usize, &Value)> =
                LayerDef::instance_defaults(&self.fields).collect();
            let new = if defaults.iter().any(|(_, v)| holds_packet(v)) {
                None
            } else {
                let mut slots: Vec<Option<Value>> = vec![None; n];
                for (i, v) in &defaults {
                    slots[*i] = Some((*v).clone());
                }
                let hi = defaults.last().map_or(0, |(i, _)| *i as u32 + 1);
                Some((Slots::from(slots), hi))
            };
            let plan: Box<[Step]> = self.fields.iter().map(Step::of).collect();
            let layout = FixedLayout::of(&self.fields, &plan);
            Prepared {
                blank,
                new,
                plan,
                layout,
            }
        })
    }

    /// A table with every field unset.
    pub(crate) fn blank_slots(&self) -> Slots {
        self.prepared().blank.clone()
    }

    /// The table `Packet::new` starts from and one past its last explicit field, when it
    /// can be shared.
    pub(crate) fn new_slots(&self) -> Option<(Slots, u32)> {
        self.prepared().new.clone()
    }

    /// The plan of the fields, one step per field.
    pub(crate) fn plan(&self) -> &[Step] {
        &self.prepared().plan
    }

    /// Where each field sits, when every one has a fixed place and is read by the engine.
    pub(crate) fn layout(&self) -> Option<&FixedLayout> {
        self.prepared().layout.as_ref()
    }

    /// The defaults a new instance holds as explicit values, as in Scapy: lists, packets
    /// and random values (none when the class has a MultipleTypeField).
    pub(crate) fn instance_defaults(
        fields: &[FieldDef],
    ) -> impl Iterator<Item = (usize, &Value)> + '_ {
        let alts = fields.iter().any(|f| !f.alts.is_empty());
        fields
            .iter()
            .enumerate()
            .filter(move |(_, f)| {
                !alts
                    && matches!(
                        f.default,
                        Value::List(_) | Value::Packet(_) | Value::Volatile(_)
                    )
            })
            .map(|(i, f)| (i, &f.default))
    }

    /// A subclass: the parent's fields and hooks, under new names (IPerror from IP).
    pub fn derive(parent: &Rc<LayerDef>, class_name: &str, name: &str) -> LayerDef {
        let mut d = LayerDef::new(class_name, name, parent.fields.clone());
        d.hooks = parent.hooks.clone();
        d.parent = Some(parent.clone());
        d
    }

    /// Replaces the hooks (builder style).
    pub fn with_hooks(mut self, hooks: Hooks) -> LayerDef {
        self.hooks = hooks;
        self
    }

    /// The position of a field in the table.
    #[inline]
    pub fn field_index(&self, name: &str) -> Option<usize> {
        self.index.get(&self.fields, name)
    }

    /// The field of that name.
    pub fn field(&self, name: &str) -> Option<&FieldDef> {
        self.field_index(name).map(|i| &self.fields[i])
    }

    /// isinstance: this class or one derived from it.
    pub fn is_a(&self, other: &LayerDef) -> bool {
        if std::ptr::eq(self, other) {
            return true;
        }
        let mut p = self.parent.as_ref();
        while let Some(d) = p {
            if std::ptr::eq(d.as_ref(), other) {
                return true;
            }
            p = d.parent.as_ref();
        }
        false
    }

    /// isinstance by class name.
    pub fn is_a_name(&self, class_name: &str) -> bool {
        if self.class_name == class_name {
            return true;
        }
        let mut p = self.parent.as_ref();
        while let Some(d) = p {
            if d.class_name == class_name {
                return true;
            }
            p = d.parent.as_ref();
        }
        false
    }

    /// The fields this layer sets on `lower` when stacked on it (top-down bindings, own ones
    /// first, then the parent class's, as Python's attribute lookup does).
    pub(crate) fn overloads_for(&self, lower: &LayerDef) -> Option<Overloads> {
        for o in &self.bindings.borrow().overloads {
            if let Some(l) = o.lower.upgrade() {
                if lower.is_a(&l) {
                    // The indexes were taken in `l`'s table; a subclass shares its prefix.
                    return Some(o.fields.clone());
                }
            }
        }
        self.parent.as_ref().and_then(|p| p.overloads_for(lower))
    }

    /// The payload class the bottom-up bindings give for this layer's values.
    pub(crate) fn guess_from_bindings<S: FieldSource + ?Sized>(
        &self,
        layer: &S,
    ) -> Option<Rc<LayerDef>> {
        let own = {
            let b = self.bindings.borrow();
            let guesses = &b.payload_guess[..];
            if guesses.len() < GuessIndex::WORTH {
                first_guess(guesses, layer)
            } else {
                self.guess_index(guesses).first(guesses, layer)
            }
        };
        own.or_else(|| {
            self.parent
                .as_ref()
                .and_then(|p| p.guess_from_bindings(layer))
        })
    }

    /// The index of the bottom-up bindings `guesses` (this definition's), made if needed.
    fn guess_index(&self, guesses: &[Guess]) -> Rc<GuessIndex> {
        let generation = bindings_generation();
        let mut cached = self.guess_index.borrow_mut();
        match &*cached {
            Some((g, index)) if *g == generation => index.clone(),
            _ => {
                let index = Rc::new(GuessIndex::new(guesses));
                *cached = Some((generation, index.clone()));
                index
            }
        }
    }
}

impl std::fmt::Debug for LayerDef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "<class {}>", self.class_name)
    }
}

#[cfg(test)]
mod name_index_tests {
    use std::rc::Rc;

    use super::{first_guess, LayerDef, NameIndex};
    use crate::packet::field::FieldDef;
    use crate::packet::fields;
    use crate::packet::packet::LayerData;
    use crate::packet::registry::{bind_bottom_up, split_bottom_up};
    use crate::packet::value::Value;

    /// A small deterministic generator (no dependency for tests).
    fn next(state: &mut u64) -> u64 {
        *state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        *state >> 33
    }

    #[test]
    fn lookups_find_the_last_field_of_a_name() {
        // Many names, short and long, repeated: the table must agree with a scan.
        let mut seed = 7;
        let pool = [
            "a",
            "b",
            "len",
            "ihl",
            "frag",
            "chksum",
            "options",
            "options_a",
            "options_b",
            "sport",
            "dport",
            "x",
            "y",
            "zz",
            "seq",
            "ack",
            "window",
            "urgptr",
            "reserved1",
            "reserved2",
        ];
        for round in 0..50 {
            let n = 1 + (next(&mut seed) as usize % 90);
            let names: Vec<&str> = (0..n)
                .map(|_| pool[next(&mut seed) as usize % pool.len()])
                .collect();
            let fields: Vec<FieldDef> = names
                .iter()
                .map(|m| FieldDef::new(m, fields::byte(), Value::Int(0)))
                .collect();
            let index = NameIndex::new(&fields);
            for q in pool.iter().chain(["", "nope", "options_c"].iter()) {
                let want = names.iter().rposition(|m| m == q);
                assert_eq!(index.get(&fields, q), want, "round {round}: {q}");
            }
        }
    }

    #[test]
    fn indexed_bindings_pick_the_first_that_holds() {
        let mut seed = 11;
        let lower = Rc::new(LayerDef::new(
            "Lo",
            "Lo",
            ["t", "u", "v"]
                .iter()
                .map(|m| FieldDef::new(m, fields::short(), Value::Int(0)))
                .collect(),
        ));
        let uppers: Vec<Rc<LayerDef>> = (0..6)
            .map(|k| {
                Rc::new(LayerDef::new(
                    &format!("Up{k}"),
                    "Up",
                    vec![FieldDef::new("p", fields::byte(), Value::Int(0))],
                ))
            })
            .collect();
        for _ in 0..40 {
            let upper = &uppers[next(&mut seed) as usize % uppers.len()];
            let names = ["t", "u", "v"];
            let a = names[next(&mut seed) as usize % 3];
            let va = Value::Int(i128::from(next(&mut seed) % 5));
            let fields: Vec<(&str, Value)> = if next(&mut seed).is_multiple_of(4) {
                let b = names[next(&mut seed) as usize % 3];
                vec![(a, va), (b, Value::Int(i128::from(next(&mut seed) % 5)))]
            } else {
                vec![(a, va)]
            };
            bind_bottom_up(&lower, upper, &fields).expect("bind");
            if next(&mut seed).is_multiple_of(10) {
                split_bottom_up(&lower, upper, &[]).expect("split");
            }
            for _ in 0..20 {
                let mut d = LayerData::new(&lower);
                for i in 0..3 {
                    d.set_raw(i, Value::Int(i128::from(next(&mut seed) % 5)));
                }
                let want = first_guess(&lower.bindings.borrow().payload_guess, &d);
                let got = lower.guess_from_bindings(&d);
                assert_eq!(
                    got.map(|g| g.class_name.clone()),
                    want.map(|g| g.class_name.clone())
                );
            }
        }
    }

    #[test]
    fn keys_are_the_length_and_the_first_seven_bytes() {
        for name in [
            "",
            "a",
            "ab",
            "abc",
            "abcd",
            "abcde",
            "abcdef",
            "abcdefg",
            "abcdefgh",
            "options_long",
        ] {
            let b = name.as_bytes();
            let mut want = (b.len() as u64) << 56;
            for (j, &c) in b.iter().take(7).enumerate() {
                want |= u64::from(c) << (8 * j);
            }
            assert_eq!(NameIndex::key(name), want, "{name}");
        }
    }
}
