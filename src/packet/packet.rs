//! Packet values: a chain of layers with Scapy's reference semantics.
//!
//! Storage: each layer is a node `Rc<RefCell<LayerData>>` holding its explicit values, the
//! values overloaded by the layer above, a strong link to its payload and a weak link to its
//! underlayer. A [`Packet`] is a handle to one node, so `p.getlayer("TCP")` returns a handle
//! that shares the node with `p`: setting a field through it changes `p`, as in Scapy.
//! `copy()` and `/` clone the chain into fresh nodes.

use std::cell::{OnceCell, Ref, RefCell, RefMut};
use std::rc::{Rc, Weak};

use super::field::FieldError;
use super::layer::LayerDef;
use super::layout::FixedLayout;
use super::meta::{CaptureInfo, PacketTime};
use super::value::Value;

/// The values a layer's payload sets in it (its top-down bindings): (field index, value)
/// pairs, shared by every layer the binding applies to. A thin pointer, as it sits in
/// every layer's state.
pub(crate) type Overloads = Rc<Vec<(usize, Value)>>;

/// A layer's explicit values by field index (`None`: unset). Copies of a layer share one
/// table until one of them changes a value (copy-on-write), so `/`, `copy()` and new layers
/// (which start from their definition's table) clone no value they do not change.
pub(crate) type Slots = Rc<[Option<Value>]>;

/// The bytes a dissected layer came from: a range of the whole input, shared by every layer
/// of the dissection.
#[derive(Clone)]
pub(crate) struct RawCache {
    pub(crate) root: Rc<[u8]>,
    pub(crate) start: u32,
    pub(crate) end: u32,
}

impl RawCache {
    /// The cached bytes.
    pub(crate) fn bytes(&self) -> &[u8] {
        self.root
            .get(self.start as usize..self.end as usize)
            .unwrap_or(&[])
    }
}

/// One layer's state: the explicit values (by field index; `None` = unset), the overloaded
/// values set by the layer above, and the links to its neighbours.
pub struct LayerData {
    pub(crate) def: Rc<LayerDef>,
    /// The explicit values. Empty until first used in a layer dissected lazily (its
    /// definition has a fixed layout): they are then read from the raw cache
    /// ([`LayerData::slots`]).
    fields: OnceCell<Slots>,
    /// While no order is kept ([`Rare::order`]): one past the highest field index set so
    /// far.
    set_hi: u32,
    /// Whether an explicit value may hold a packet (a packet, or a list holding one, was
    /// set): copies look for packets to copy only then.
    packets: bool,
    /// The layer above's top-down bindings (`None`: none, as most layers have).
    pub(crate) overloaded: Option<Overloads>,
    /// Scapy's `time` (zero until a program or a capture gives one): its seconds and
    /// nanoseconds, apart so that they pack with the other small fields.
    time_secs: i64,
    time_nanos: u32,
    /// The bytes this layer was dissected from, while none of its fields changed (a lazy
    /// layer's values are read from them: they go only once the values are there).
    raw_cache: Option<RawCache>,
    pub(crate) payload: Option<Packet>,
    pub(crate) underlayer: Weak<RefCell<LayerData>>,
    /// What few layers hold, kept apart so that every layer's node is small (a capture's
    /// packets are many): shared by copies until one of them changes it.
    rare: Option<Rc<Rare>>,
}

/// The part of a layer's state most layers leave empty.
#[derive(Clone, Default)]
struct Rare {
    /// The order the explicit fields were set in (Scapy's `fields` dict keeps insertion
    /// order, which command() and set iteration follow), kept only once it differs from
    /// field order: `None` while each field was set after every explicit field before it in
    /// the table, as in a dissected layer.
    order: Option<Rc<[u32]>>,
    /// Per-instance defaults that replace the definition's (fuzz()'s random values).
    fuzzed: Box<[(usize, Value)]>,
    /// What a capture said of the packet (shared by copies: it never changes in place).
    capture: Option<Rc<CaptureInfo>>,
}

impl LayerData {
    /// A layer with every field at its default.
    pub fn new(def: &Rc<LayerDef>) -> LayerData {
        LayerData::with_slots(def, def.blank_slots(), 0)
    }

    /// A layer with every field unset and a value table of its own, about to be filled
    /// (dissection).
    pub(crate) fn to_fill(def: &Rc<LayerDef>) -> LayerData {
        let slots = (0..def.fields.len()).map(|_| None).collect();
        LayerData::with_slots(def, slots, 0)
    }

    // Inlined, as `from_data` and `clone_shallow`: a layer's state is large, and built in
    // the caller it goes straight into its node instead of through two copies.
    #[inline(always)]
    fn with_slots(def: &Rc<LayerDef>, fields: Slots, set_hi: u32) -> LayerData {
        LayerData {
            def: def.clone(),
            fields: OnceCell::from(fields),
            set_hi,
            packets: false,
            overloaded: None,
            time_secs: 0,
            time_nanos: 0,
            raw_cache: None,
            payload: None,
            underlayer: Weak::new(),
            rare: None,
        }
    }

    /// A layer dissected from `root[start..end]` (its header) whose values are read from
    /// it on first use: every field explicit, as dissection makes them. `def` has a fixed
    /// layout and the header holds at least its length.
    pub(crate) fn lazy(
        def: &Rc<LayerDef>,
        root: &Rc<[u8]>,
        (start, end): (u32, u32),
        under: Option<&Packet>,
    ) -> LayerData {
        LayerData {
            def: def.clone(),
            fields: OnceCell::new(),
            set_hi: u32::try_from(def.fields.len()).unwrap_or(u32::MAX),
            packets: false,
            overloaded: None,
            time_secs: 0,
            time_nanos: 0,
            raw_cache: Some(RawCache {
                root: root.clone(),
                start,
                end,
            }),
            payload: None,
            underlayer: under.map_or_else(Weak::new, |u| Rc::downgrade(&u.0)),
            rare: None,
        }
    }

    /// The explicit values (read from the raw cache first in a lazy layer).
    #[inline]
    pub(crate) fn slots(&self) -> &Slots {
        self.fields.get_or_init(|| self.read_header())
    }

    /// A lazy layer's values, read from its header bytes.
    #[cold]
    #[inline(never)]
    fn read_header(&self) -> Slots {
        match (self.def.layout(), &self.raw_cache) {
            (Some(layout), Some(cache)) => layout.read_all(cache.bytes()),
            // Never so: a lazy layer keeps its bytes until its values are read.
            _ => self.def.blank_slots(),
        }
    }

    /// Reads a lazy layer's values now, before its raw cache may go.
    #[inline(always)]
    fn materialize(&mut self) {
        if self.fields.get().is_none() {
            let slots = self.read_header();
            self.fields = OnceCell::from(slots);
        }
    }

    /// Whether this layer's values are still to be read from its bytes.
    #[cfg(test)]
    pub(crate) fn is_lazy(&self) -> bool {
        self.fields.get().is_none()
    }

    /// The value of field `i` if it is an integer, without reading a lazy layer's other
    /// values (the bindings look at one field to find the payload's class).
    #[inline]
    pub(crate) fn int_value(&self, i: usize) -> Option<i128> {
        if let Some((layout, h)) = self.lazy_header() {
            return layout.read_int(i, h);
        }
        self.value_ref(i).as_int()
    }

    /// Whether field `i` holds `want` (integers compared as integers), without reading a
    /// lazy layer's other values.
    #[inline]
    pub(crate) fn field_equals(&self, i: usize, want: &Value) -> bool {
        if let Some((layout, h)) = self.lazy_header() {
            return layout.field_equals(i, h, want);
        }
        match (self.value_ref(i), want) {
            (Value::Int(a), Value::Int(b)) => a == b,
            (a, b) => a == b,
        }
    }

    /// A lazy layer's layout and header bytes, while its values are still to be read.
    #[inline]
    pub(crate) fn lazy_header(&self) -> Option<(&FixedLayout, &[u8])> {
        if self.fields.get().is_some() {
            return None;
        }
        match (self.def.layout(), &self.raw_cache) {
            (Some(layout), Some(cache)) => Some((layout, cache.bytes())),
            _ => None,
        }
    }

    /// The bytes this layer was dissected from, while none of its fields changed.
    pub(crate) fn raw_cache(&self) -> Option<&RawCache> {
        self.raw_cache.as_ref()
    }

    /// Replaces the raw cache (a lazy layer's values are read first).
    pub(crate) fn set_raw_cache(&mut self, cache: Option<RawCache>) {
        self.materialize();
        self.raw_cache = cache;
    }

    /// The order explicit fields were set in, once it differs from field order.
    #[inline]
    fn order(&self) -> Option<&Rc<[u32]>> {
        self.rare.as_ref().and_then(|r| r.order.as_ref())
    }

    /// The rarely set part of the state, for a change (this layer's own).
    fn rare_mut(&mut self) -> &mut Rare {
        Rc::make_mut(self.rare.get_or_insert_with(Rc::default))
    }

    fn set_order(&mut self, order: Option<Rc<[u32]>>) {
        if order.is_some() || self.order().is_some() {
            self.rare_mut().order = order;
        }
    }

    /// Per-instance defaults that replace the definition's (fuzz()'s random values).
    pub(crate) fn fuzzed(&self) -> &[(usize, Value)] {
        self.rare.as_ref().map_or(&[], |r| &r.fuzzed)
    }

    /// Replaces the per-instance defaults.
    pub(crate) fn set_fuzzed(&mut self, fuzzed: Box<[(usize, Value)]>) {
        if !fuzzed.is_empty() || !self.fuzzed().is_empty() {
            self.rare_mut().fuzzed = fuzzed;
        }
    }

    /// The layer's definition.
    pub fn def(&self) -> &Rc<LayerDef> {
        &self.def
    }

    /// The value of field `i`: explicit, else overloaded, else the default.
    #[inline]
    pub fn value_ref(&self, i: usize) -> &Value {
        if let Some(Some(v)) = self.slots().get(i) {
            return v;
        }
        self.unset_value(i)
    }

    /// The value of unset field `i`: overloaded, else the default.
    #[inline(never)]
    fn unset_value(&self, i: usize) -> &Value {
        if let Some((_, v)) = self.overloads().iter().find(|(j, _)| *j == i) {
            return v;
        }
        if let Some((_, v)) = self.fuzzed().iter().find(|(j, _)| *j == i) {
            return v;
        }
        match self.def.fields.get(i) {
            Some(f) => f.resolve(self).1,
            None => &Value::None,
        }
    }

    /// The value of field `i`, cloned.
    pub fn value_at(&self, i: usize) -> Value {
        self.value_ref(i).clone()
    }

    /// The value of a field of this layer by name.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.def.field_index(name).map(|i| self.value_ref(i))
    }

    /// The integer value of a field of this layer (`None` if unset or not an integer).
    pub fn int(&self, name: &str) -> Option<i128> {
        self.get(name).and_then(Value::as_int)
    }

    /// Whether field `i` has an explicit value.
    pub fn is_explicit(&self, i: usize) -> bool {
        matches!(self.slots().get(i), Some(Some(_)))
    }

    /// The explicit value of field `i`, if set.
    pub fn explicit(&self, i: usize) -> Option<&Value> {
        self.slots().get(i).and_then(Option::as_ref)
    }

    /// The values the layer above sets in this one: (field index, value) pairs.
    pub(crate) fn overloads(&self) -> &[(usize, Value)] {
        self.overloaded.as_deref().map_or(&[], Vec::as_slice)
    }

    /// The overloaded value of field `i`, if the layer above set one.
    pub fn overloaded(&self, i: usize) -> Option<&Value> {
        self.overloads()
            .iter()
            .find(|(j, _)| *j == i)
            .map(|(_, v)| v)
    }

    /// Sets field `i` to an already converted value (dissection, hooks).
    #[inline(always)]
    pub fn set_raw(&mut self, i: usize, v: Value) {
        self.materialize();
        self.raw_cache = None;
        // Only a value that holds a packet now: values never change in place.
        self.packets |= holds_packet(&v);
        let Some(slot) = self.slots_mut().get_mut(i) else {
            return;
        };
        let was_unset = slot.is_none();
        *slot = Some(v);
        if was_unset {
            self.note_set(i);
        }
    }

    /// Whether the fields from `start` on are unset and setting them in field order keeps
    /// the order bookkeeping as it is (no order kept yet, nothing set at or after `start`).
    #[inline]
    pub(crate) fn in_order_from(&self, start: usize) -> bool {
        self.order().is_none() && u32::try_from(start).is_ok_and(|s| s >= self.set_hi)
    }

    /// The value table, for values stored straight into it (the layer's own: copied first
    /// if shared). The caller reports what it stored with [`LayerData::stored_in_order`].
    #[inline]
    pub(crate) fn own_slots(&mut self) -> &mut [Option<Value>] {
        self.slots_mut()
    }

    /// Records that fields `start..end` were stored in order through
    /// [`LayerData::own_slots`] (as [`LayerData::set_raw`] of each would), `packets` telling
    /// whether one of them is a packet or a list.
    #[inline]
    pub(crate) fn stored_in_order(&mut self, start: usize, end: usize, packets: bool) {
        self.packets |= packets;
        if end > start {
            self.raw_cache = None;
            self.set_hi = u32::try_from(end).unwrap_or(u32::MAX);
        }
    }

    /// Whether a packet or a list was set (else no explicit value holds a packet).
    pub(crate) fn may_hold_packets(&self) -> bool {
        self.packets
    }

    /// Whether an explicit value holds a packet, or a list one (a copy must copy those).
    pub(crate) fn holds_packets(&self) -> bool {
        self.packets && self.slots().iter().flatten().any(holds_packet)
    }

    /// The explicit values, for a change: this layer's own table (copied first if shared).
    #[inline(always)]
    fn slots_mut(&mut self) -> &mut [Option<Value>] {
        self.materialize();
        let Some(fields) = self.fields.get_mut() else {
            return &mut [];
        };
        if Rc::get_mut(fields).is_none() {
            *fields = Rc::from(&fields[..]);
        }
        Rc::get_mut(fields).unwrap_or_default()
    }

    /// Records that unset field `i` became explicit, for [`LayerData::explicit_order`].
    #[inline(always)]
    fn note_set(&mut self, i: usize) {
        match u32::try_from(i) {
            Ok(i) if self.order().is_none() && i >= self.set_hi => {
                self.set_hi = i.saturating_add(1)
            }
            _ => self.note_set_out_of_order(i),
        }
    }

    /// [`LayerData::note_set`] once the order is kept, or when it starts to be.
    #[inline(never)]
    fn note_set_out_of_order(&mut self, i: usize) {
        let i = u32::try_from(i).unwrap_or(u32::MAX);
        let order = if let Some(order) = self.order() {
            order.iter().copied().chain(std::iter::once(i)).collect()
        } else {
            // Set before a field that was set earlier: from now on the order is kept.
            (0..self.slots().len() as u32)
                .filter(|&j| j != i && self.is_explicit(j as usize))
                .chain(std::iter::once(i))
                .collect()
        };
        self.set_order(Some(order));
    }

    /// Makes field `i` unset again (back to the overloaded or default value).
    pub fn unset(&mut self, i: usize) {
        self.materialize();
        self.raw_cache = None;
        if !self.is_explicit(i) {
            return;
        }
        if let Some(slot) = self.slots_mut().get_mut(i) {
            *slot = None;
        }
        if let Some(order) = self.order() {
            // No explicit field left: trivially in field order again.
            let order = (order.len() > 1)
                .then(|| order.iter().copied().filter(|&j| j as usize != i).collect());
            self.set_order(order);
        }
    }

    /// The explicit fields, in the order they were set.
    pub fn explicit_order(&self) -> Vec<usize> {
        match self.order() {
            Some(order) => order.iter().map(|&i| i as usize).collect(),
            None => (0..self.slots().len())
                .filter(|&i| self.is_explicit(i))
                .collect(),
        }
    }

    /// The definition's default of field `i`, or the per-instance one fuzz() put there.
    pub fn default_at(&self, i: usize) -> Value {
        if let Some((_, v)) = self.fuzzed().iter().find(|(j, _)| *j == i) {
            return v.clone();
        }
        self.def
            .fields
            .get(i)
            .map_or(Value::None, |f| f.resolve(self).1.clone())
    }

    /// The payload, if any.
    pub fn payload(&self) -> Option<&Packet> {
        self.payload.as_ref()
    }

    /// The layer below, if any.
    pub fn underlayer(&self) -> Option<Packet> {
        self.underlayer.upgrade().map(Packet)
    }

    /// A packet holding a copy of this layer's values, linked to the same payload and
    /// underlayer: what a callback that has only the layer at hand (a `length_from`
    /// function, a field conversion, a hook) hands to the language as `pkt`. Values the
    /// callback sets on it are its own.
    pub fn snapshot(&self) -> Packet {
        let mut d = LayerData::with_slots(&self.def, self.slots().clone(), self.set_hi);
        d.packets = self.packets;
        // The order and the instance defaults; time and capture are not the callback's.
        if let Some(r) = &self.rare {
            if r.order.is_some() || !r.fuzzed.is_empty() {
                d.rare = Some(Rc::new(Rare {
                    order: r.order.clone(),
                    fuzzed: r.fuzzed.clone(),
                    ..Rare::default()
                }));
            }
        }
        d.overloaded = self.overloaded.clone();
        d.payload = self.payload.clone();
        d.underlayer = self.underlayer.clone();
        Packet::from_data(d)
    }

    /// Runs `f` with this very layer as a packet handle, then takes its state back: hooks
    /// that set fields while the engine dissects (pre_dissect, do_dissect, post_dissect).
    /// If `f` kept the handle, the layer continues with a copy of what `f` left.
    pub fn lend<R>(&mut self, f: impl FnOnce(&Packet) -> R) -> R {
        let fresh = LayerData::new(&self.def);
        let p = Packet::from_data(std::mem::replace(self, fresh));
        let r = f(&p);
        *self = match Rc::try_unwrap(p.0) {
            Ok(cell) => cell.into_inner(),
            Err(shared) => {
                let d = shared.borrow();
                let mut copy = d.clone_shallow();
                copy.payload = d.payload.clone();
                copy.underlayer = d.underlayer.clone();
                copy
            }
        };
        r
    }

    #[inline(always)]
    fn clone_shallow(&self) -> LayerData {
        // Values are immutable but packets, which a copy must not share: the table is
        // shared unless it holds one.
        // A lazy layer's copy is lazy too, reading the same bytes.
        let fields = if self.holds_packets() {
            OnceCell::from(self.deep_clone_slots())
        } else {
            self.fields.clone()
        };
        LayerData {
            def: self.def.clone(),
            fields,
            set_hi: self.set_hi,
            packets: self.packets,
            overloaded: self.overloaded.clone(),
            time_secs: self.time_secs,
            time_nanos: self.time_nanos,
            raw_cache: self.raw_cache.clone(),
            payload: None,
            underlayer: Weak::new(),
            rare: self.rare.clone(),
        }
    }
}

impl LayerData {
    /// The value table with the packets it holds copied.
    #[inline(never)]
    fn deep_clone_slots(&self) -> Slots {
        self.slots()
            .iter()
            .map(|v| v.as_ref().map(deep_clone_value))
            .collect()
    }
}

thread_local! {
    /// The last rare part made to hold only capture information.
    static CAPTURE_ONLY: RefCell<Option<Rc<Rare>>> = const { RefCell::new(None) };
}

/// A rare part holding only `info`: the last one made when it holds the same `info`.
fn capture_only(info: Rc<CaptureInfo>) -> Rc<Rare> {
    CAPTURE_ONLY.with(|last| {
        let mut last = last.borrow_mut();
        if let Some(r) = last.as_ref() {
            if r.capture.as_ref().is_some_and(|c| Rc::ptr_eq(c, &info)) {
                return r.clone();
            }
        }
        let r = Rc::new(Rare {
            capture: Some(info),
            ..Rare::default()
        });
        *last = Some(r.clone());
        r
    })
}

/// Whether a value is or contains a packet (a copy of it must copy the packet).
pub(crate) fn holds_packet(v: &Value) -> bool {
    match v {
        Value::Packet(_) => true,
        Value::List(l) => l.iter().any(holds_packet),
        _ => false,
    }
}

/// Clones a value, copying packets it holds (so options of a copied IP are its own).
fn deep_clone_value(v: &Value) -> Value {
    match v {
        Value::Packet(p) => Value::Packet(p.copy()),
        Value::List(l) => Value::List(l.iter().map(deep_clone_value).collect()),
        other => other.clone(),
    }
}

/// A handle to a layer and, through its payload links, the layers above it.
#[derive(Clone)]
pub struct Packet(pub(crate) Rc<RefCell<LayerData>>);

impl Packet {
    /// A new single layer with default values. As in Scapy, fields whose default is a
    /// list, a packet or a random value start with their own copy of it as an explicit
    /// value (unless the class has a MultipleTypeField).
    pub fn new(def: &Rc<LayerDef>) -> Packet {
        match def.new_slots() {
            Some((slots, set_hi)) => Packet::make(|| LayerData::with_slots(def, slots, set_hi)),
            None => {
                // Defaults holding packets: each instance gets its own copies.
                let mut d = LayerData::new(def);
                for (i, v) in LayerDef::instance_defaults(&def.fields) {
                    d.set_raw(i, deep_clone_value(v));
                }
                Packet::from_data(d)
            }
        }
    }

    /// `Cls(name=value, ...)`: a new layer with the keyword values assigned in the order of
    /// the class's fields (as Scapy's constructor does); an unknown name is AttributeError.
    pub fn construct(
        def: &Rc<LayerDef>,
        kwargs: Vec<(String, Value)>,
    ) -> Result<Packet, FieldError> {
        let mut unknown = None;
        let mut values = Vec::with_capacity(kwargs.len());
        for (k, v) in kwargs {
            match def.field_index(&k) {
                Some(i) => values.push((i, v)),
                None => {
                    unknown.get_or_insert(k);
                }
            }
        }
        Packet::construct_at(def, values, unknown)
    }

    /// [`Packet::construct`] with the keywords already found in the field table: (field
    /// index, value) pairs in the order given, and the first keyword that names no field,
    /// which fails once the others are set.
    pub fn construct_at(
        def: &Rc<LayerDef>,
        mut values: Vec<(usize, Value)>,
        unknown: Option<String>,
    ) -> Result<Packet, FieldError> {
        let p = Packet::new(def);
        // Stable: values for one field keep their order (the last wins).
        values.sort_by_key(|(i, _)| *i);
        for (i, v) in values {
            p.set_at(i, v)?;
        }
        match unknown {
            Some(k) => Err(FieldError::NoSuchField(k)),
            None => Ok(p),
        }
    }

    /// Sets field `i` of this layer: the kind's hook with the layer at hand, then its
    /// any→internal conversion.
    pub fn set_at(&self, i: usize, v: Value) -> Result<(), FieldError> {
        let kind = {
            let d = self.0.borrow();
            let Some(f) = d.def.fields.get(i) else {
                return Ok(());
            };
            f.resolve(&d).0.clone()
        };
        kind.before_assign(self, &v)?;
        let conv = kind.any2i(&self.0.borrow(), v)?;
        self.0.borrow_mut().set_raw(i, conv);
        Ok(())
    }

    #[inline(always)]
    pub(crate) fn from_data(d: LayerData) -> Packet {
        Packet(Rc::new(RefCell::new(d)))
    }

    /// A node holding the state `state` makes, which runs once the node is allocated.
    ///
    /// Why: made first and moved in, a layer's state goes through the stack and is copied
    /// in with wider loads than the stores that wrote it; store forwarding fails then, and
    /// the CPU stalls on every node made (measured in the dissect loop: 175 ns against
    /// 196 ns for five layers). Written straight into the allocation, it does not.
    #[inline(always)]
    pub(crate) fn make(state: impl FnOnce() -> LayerData) -> Packet {
        let mut node = Rc::<RefCell<LayerData>>::new_uninit();
        match Rc::get_mut(&mut node) {
            Some(slot) => {
                slot.write(RefCell::new(state()));
                // SAFETY: the value was written just above.
                Packet(unsafe { node.assume_init() })
            }
            // Never so: the node was made just above and no other handle reaches it.
            None => Packet::from_data(state()),
        }
    }

    /// A node for a layer dissected from `root[start..end]` whose values are read on
    /// first use ([`LayerData::lazy`]), on top of `under`.
    #[inline(always)]
    pub(crate) fn lazy(
        def: &Rc<LayerDef>,
        root: &Rc<[u8]>,
        range: (u32, u32),
        under: Option<&Packet>,
    ) -> Packet {
        Packet::make(|| LayerData::lazy(def, root, range, under))
    }

    /// Borrows this layer's state.
    pub fn data(&self) -> Ref<'_, LayerData> {
        self.0.borrow()
    }

    /// Borrows this layer's state mutably (hooks and the interpreter bridge).
    pub fn data_mut(&self) -> RefMut<'_, LayerData> {
        self.0.borrow_mut()
    }

    /// This layer's definition.
    pub fn def(&self) -> Rc<LayerDef> {
        self.0.borrow().def.clone()
    }

    /// The class name of this layer.
    pub fn class_name(&self) -> String {
        self.0.borrow().def.class_name.clone()
    }

    /// Whether two handles are the same layer (Python's `is`).
    pub fn ptr_eq(&self, other: &Packet) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }

    /// Sets a field through its any→internal conversion; a field this layer lacks is looked
    /// for in the payload, as Scapy's `setattr` does.
    pub fn set(&self, name: &str, v: impl Into<Value>) -> Result<(), FieldError> {
        let v = v.into();
        let idx = self.0.borrow().def.field_index(name);
        match idx {
            Some(i) => self.set_at(i, v),
            None => match self.payload() {
                Some(p) => p.set(name, v),
                None => Err(FieldError::NoSuchField(name.to_string())),
            },
        }
    }

    /// Builder form of [`Packet::set`].
    pub fn with(self, name: &str, v: impl Into<Value>) -> Result<Packet, FieldError> {
        self.set(name, v)?;
        Ok(self)
    }

    /// `p.name`: this layer's value (explicit, overloaded, default), else the payload's.
    pub fn get(&self, name: &str) -> Option<Value> {
        let d = self.0.borrow();
        match d.def.field_index(name) {
            Some(i) => Some(d.value_at(i)),
            None => d.payload.as_ref().and_then(|p| p.get(name)),
        }
    }

    /// `del p.name`: back to the default (or the overloaded value).
    pub fn del(&self, name: &str) -> Result<(), FieldError> {
        let idx = self.0.borrow().def.field_index(name);
        match idx {
            Some(i) => {
                self.0.borrow_mut().unset(i);
                Ok(())
            }
            None => match self.payload() {
                Some(p) => p.del(name),
                None => Err(FieldError::NoSuchField(name.to_string())),
            },
        }
    }

    /// The payload layer, if any.
    pub fn payload(&self) -> Option<Packet> {
        self.0.borrow().payload.clone()
    }

    /// The layer below this one, if this handle came from inside a chain.
    pub fn underlayer(&self) -> Option<Packet> {
        self.0.borrow().underlayer()
    }

    /// The first layer of the chain this layer belongs to.
    pub fn firstlayer(&self) -> Packet {
        let mut p = self.clone();
        while let Some(u) = p.underlayer() {
            p = u;
        }
        p
    }

    /// The last layer of the chain.
    pub fn lastlayer(&self) -> Packet {
        let mut p = self.clone();
        while let Some(n) = p.payload() {
            p = n;
        }
        p
    }

    /// This layer and those above it, in order.
    pub fn layers(&self) -> Vec<Packet> {
        let mut out = vec![self.clone()];
        while let Some(n) = out.last().and_then(Packet::payload) {
            out.push(n);
        }
        out
    }

    /// `p.getlayer(cls, nb)`: the `nb`-th (from 1) layer of that class name.
    pub fn getlayer(&self, class_name: &str, nb: usize) -> Option<Packet> {
        let mut seen = 0;
        for l in self.layers() {
            if l.0.borrow().def.class_name == class_name {
                seen += 1;
                if seen == nb.max(1) {
                    return Some(l);
                }
            }
        }
        None
    }

    /// `cls in p`.
    pub fn haslayer(&self, class_name: &str) -> bool {
        self.getlayer(class_name, 1).is_some()
    }

    /// A deep copy: fresh nodes, same values.
    pub fn copy(&self) -> Packet {
        let d = self.0.borrow();
        let head = Packet::make(|| d.clone_shallow());
        if let Some(p) = &d.payload {
            head.attach(p.copy(), false);
        }
        head
    }

    /// Links `upper` as this layer's payload. With `overload`, the upper layer's top-down
    /// bindings set fields of this layer (Scapy's `add_payload`).
    fn attach(&self, upper: Packet, overload: bool) {
        if overload {
            let upper_def = upper.def();
            let mut d = self.0.borrow_mut();
            // A new payload replaces what the previous one overloaded.
            d.overloaded = upper_def.overloads_for(&d.def);
        }
        upper.0.borrow_mut().underlayer = Rc::downgrade(&self.0);
        self.0.borrow_mut().payload = Some(upper);
    }

    /// Appends `upper` at the end of this chain, in place.
    pub fn add_payload(&self, upper: Packet) {
        self.lastlayer().attach(upper, true);
    }

    /// Removes this layer's payload.
    pub fn remove_payload(&self) {
        let old = self.0.borrow_mut().payload.take();
        if let Some(p) = old {
            p.0.borrow_mut().underlayer = Weak::new();
        }
        self.0.borrow_mut().overloaded = None;
    }

    /// `a / b`: copies of both, `b` stacked on the last layer of `a`.
    pub fn div(&self, other: &Packet) -> Packet {
        let a = self.copy();
        a.add_payload(other.copy());
        a
    }

    /// `a / b` taking both (Rust's `a / b` on owned packets): a chain that no other handle
    /// reaches is stacked as it is, since changing it in place cannot be seen; one that is
    /// reached from elsewhere is copied first, as [`Packet::div`] does.
    pub fn stack(self, other: Packet) -> Packet {
        let other = other.into_unshared();
        match self.unshared_last() {
            Some(last) => {
                last.attach(other, true);
                self
            }
            None => {
                let a = self.copy();
                a.add_payload(other);
                a
            }
        }
    }

    /// This chain if only this handle reaches it, else a copy.
    fn into_unshared(self) -> Packet {
        if self.unshared_last().is_some() {
            self
        } else {
            self.copy()
        }
    }

    /// The last layer of this chain when this handle is the only way to any of its layers
    /// (each node held once, by this handle or by the layer below, and weakly only by its
    /// payload's link back to it), else `None`.
    fn unshared_last(&self) -> Option<Packet> {
        let mut node = self.0.clone();
        loop {
            // Less the clone in `node`: held once, by this handle or the layer below.
            let held = Rc::strong_count(&node) - 1;
            let d = node.try_borrow().ok()?;
            let back_links = usize::from(d.payload.is_some());
            if held != 1 || Rc::weak_count(&node) != back_links {
                return None;
            }
            let next = match &d.payload {
                Some(p) => p.0.clone(),
                None => {
                    drop(d);
                    return Some(Packet(node));
                }
            };
            drop(d);
            node = next;
        }
    }

    /// This layer's time (`p.time`).
    pub fn time(&self) -> PacketTime {
        let d = self.0.borrow();
        PacketTime {
            secs: d.time_secs,
            nanos: d.time_nanos,
        }
    }

    /// Sets this layer's time.
    pub fn set_time(&self, t: PacketTime) {
        let mut d = self.0.borrow_mut();
        d.time_secs = t.secs;
        d.time_nanos = t.nanos;
    }

    /// What a capture said of this packet, if it came from one.
    pub fn capture_info(&self) -> Option<Rc<CaptureInfo>> {
        self.0
            .borrow()
            .rare
            .as_ref()
            .and_then(|r| r.capture.clone())
    }

    /// Replaces what a capture says of this packet.
    pub fn set_capture_info(&self, info: Option<CaptureInfo>) {
        self.set_capture(info.map(Rc::new));
    }

    /// [`Packet::set_capture_info`] with what a capture says already shared (the records
    /// of a capture often say the same).
    pub fn set_capture(&self, info: Option<Rc<CaptureInfo>>) {
        let mut d = self.0.borrow_mut();
        match (info, &d.rare) {
            (None, None) => {}
            // Nothing else rare here: a part holding only this capture information, shared
            // with the other packets that have only it (a capture's packets are many).
            (Some(info), None) => d.rare = Some(capture_only(info)),
            (info, Some(_)) => d.rare_mut().capture = info,
        }
    }

    /// Number of layers in the chain from here.
    pub fn depth(&self) -> usize {
        self.layers().len()
    }
}

impl std::ops::Div<&Packet> for &Packet {
    type Output = Packet;
    fn div(self, rhs: &Packet) -> Packet {
        Packet::div(self, rhs)
    }
}

impl std::ops::Div<Packet> for Packet {
    type Output = Packet;
    fn div(self, rhs: Packet) -> Packet {
        self.stack(rhs)
    }
}

impl std::fmt::Debug for Packet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.repr())
    }
}

#[cfg(test)]
mod tests {
    use super::Packet;
    use crate::packet::registry::Registry;

    fn layer(reg: &Registry, class: &str) -> Packet {
        reg.new_layer(class).expect("class")
    }

    #[test]
    fn owned_packets_nobody_else_reaches_are_stacked_in_place() {
        let reg = Registry::with_builtins();
        let ip = layer(&reg, "IP");
        let head = ip.clone();
        drop(head);
        let p = ip / layer(&reg, "TCP") / "x";
        assert_eq!(
            p.summary(),
            "IP / TCP 127.0.0.1:ftp_data > 127.0.0.1:http S / Raw"
        );
        // Top-down bindings still apply: TCP set IP's proto.
        assert_eq!(p.build().expect("built")[9], 6);
        let by_ref = &(&layer(&reg, "IP") / &layer(&reg, "TCP")) / "x";
        assert!(p.same_as(&by_ref));
    }

    #[test]
    fn a_chain_reached_from_elsewhere_is_copied_before_stacking() {
        let reg = Registry::with_builtins();
        let ip = layer(&reg, "IP");
        let kept = ip.clone();
        let p = ip / layer(&reg, "UDP");
        assert!(!p.ptr_eq(&kept));
        assert!(kept.payload().is_none());
        // A handle to an inner layer counts too.
        let chain = layer(&reg, "IP") / layer(&reg, "TCP");
        let tcp = chain.payload().expect("TCP");
        let q = chain / layer(&reg, "Raw");
        assert!(tcp.payload().is_none());
        assert_eq!(
            q.summary(),
            "IP / TCP 127.0.0.1:ftp_data > 127.0.0.1:http S / Raw"
        );
        // And the right-hand side's own holders.
        let udp = layer(&reg, "UDP");
        let held = udp.clone();
        let r = layer(&reg, "IP") / udp;
        assert!(held.underlayer().is_none());
        assert!(!r.payload().expect("UDP").ptr_eq(&held));
    }
}
