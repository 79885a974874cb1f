//! Dissecting: fields in order, then padding, then the payload's class from the guess hook,
//! the bindings or Raw. Never fails: what a layer cannot parse becomes Raw, with a warning;
//! so does a payload layer whose host callbacks raise (see [`super::abort`]).

use std::borrow::Cow;
use std::rc::Rc;

use super::base;
use super::field::{DissectCtx, FieldDef};
use super::layer::{Header, LayerDef, Step};
use super::links::{bindings_generation, Link};
use super::packet::{LayerData, Overloads, Packet, RawCache};
use super::value::Value;

/// A dissected packet and the warnings its dissection logged.
pub struct Dissection {
    /// The packet: every field it read is explicit.
    pub packet: Packet,
    /// What was odd about the bytes ("IP: truncated at field len").
    pub warnings: Vec<String>,
}

/// `Cls(bytes)`.
/// Its warnings go to this thread's log ([`super::log::take_warnings`]).
pub fn dissect(def: &Rc<LayerDef>, bytes: &[u8]) -> Packet {
    let mut warnings = Vec::new();
    let packet = dissect_into(def, bytes, &mut warnings);
    super::log::log_all(&warnings);
    packet
}

/// `Cls(bytes)` with the warnings.
pub fn dissect_with_warnings(def: &Rc<LayerDef>, bytes: &[u8]) -> Dissection {
    let mut warnings = Vec::new();
    let packet = dissect_into(def, bytes, &mut warnings);
    Dissection { packet, warnings }
}

/// `Cls(bytes)`, its warnings added to `warnings`.
fn dissect_into(def: &Rc<LayerDef>, bytes: &[u8], warnings: &mut Vec<String>) -> Packet {
    if bytes.is_empty() {
        // `Cls(b"")` dissects nothing: it is `Cls()`, as in the reference.
        return Packet::new(def);
    }
    // One copy of the input, shared by every layer's raw cache.
    let root: Rc<[u8]> = Rc::from(bytes);
    // A failure of the outermost layer's host callbacks stays pending for the caller
    // (see `abort`).
    let (packet, _) = ROOT.with(|r| {
        let saved = r.replace(Some(root.clone()));
        let out = dissect_layer(def, &root, warnings, 0, None, Some(&root));
        r.replace(saved);
        out
    });
    packet
}

thread_local! {
    /// The input of the dissection in progress, whose ranges the layers' caches keep.
    static ROOT: std::cell::RefCell<Option<Rc<[u8]>>> = const { std::cell::RefCell::new(None) };
}

/// The cache of header bytes `h`: a range of the dissection's input (`root` when the
/// caller has it at hand, else this thread's) when `h` lies in it (no copy), else a copy.
#[inline(always)]
fn cache_of(h: &[u8], root: Option<&Rc<[u8]>>) -> RawCache {
    let in_root = |root: &Rc<[u8]>| {
        let base = root.as_ptr() as usize;
        let p = h.as_ptr() as usize;
        if p >= base && p + h.len() <= base + root.len() {
            if let (Ok(start), Ok(end)) =
                (u32::try_from(p - base), u32::try_from(p - base + h.len()))
            {
                return Some(RawCache {
                    root: root.clone(),
                    start,
                    end,
                });
            }
        }
        None
    };
    let cached = match root {
        Some(root) => in_root(root),
        None => ROOT.with(|r| r.borrow().as_ref().and_then(in_root)),
    };
    cached.unwrap_or_else(|| RawCache {
        root: Rc::from(h),
        start: 0,
        end: u32::try_from(h.len()).unwrap_or(u32::MAX),
    })
}

/// Nesting beyond this is handed to Raw: crafted input (IP in IP in IP...) cannot exhaust
/// the stack.
const MAX_DEPTH: usize = 64;

/// How a layer's dissection ended.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// Every field found its bytes.
    Done,
    /// The input ended before a field could be read (the caller turns a payload into Raw).
    Truncated,
    /// A host callback of the layer failed ([`super::abort`]): the failure is pending.
    Failed,
}

/// Dissects one layer and, recursively, its payload. Returns the packet and how this
/// layer's own dissection ended. `root` is the dissection's input when the caller has it
/// at hand (the layers' caches keep ranges of it).
fn dissect_layer(
    def: &Rc<LayerDef>,
    s: &[u8],
    warnings: &mut Vec<String>,
    depth: usize,
    under: Option<&Packet>,
    root: Option<&Rc<[u8]>>,
) -> (Packet, Outcome) {
    let hooks = &def.hooks;
    // A layer whose fields all sit at fixed places keeps its header bytes and reads its
    // values on first use (see `layout`); the others are read now.
    if let Some(n) = lazy_len(def, s) {
        if !hooks.shape_payload() {
            let pkt = dissect_lazy_run(def, s, n, warnings, depth, under, root);
            return (pkt, Outcome::Done);
        }
        // A hook shapes the payload: the layer is read on first use all the same, what
        // follows it the general way.
        let c = cache_of(&s[..n], root);
        let pkt = Packet::lazy(def, &c.root, (c.start, c.end), under);
        return dissect_payload(pkt, def, &s[n..], warnings, depth, root);
    }
    // The node is made first and filled in place (a layer's state is large to move).
    let pkt = Packet::make(|| LayerData::to_fill(def));
    let mut guard = pkt.0.borrow_mut();
    let data = &mut *guard;
    if let Some(u) = under {
        // Known before the payload is guessed: hooks may look below (an extension header
        // quoted in an ICMPv6 error carries TCPerror, not TCP).
        data.underlayer = Rc::downgrade(&u.0);
    }
    let bytes: Cow<'_, [u8]> = match &hooks.pre_dissect {
        Some(h) => Cow::Owned(h(data, s)),
        None => Cow::Borrowed(s),
    };
    let (mut rest, truncated): (Cow<'_, [u8]>, bool) = match &hooks.do_dissect {
        Some(h) => (Cow::Owned(h(data, &bytes, warnings)), false),
        None => {
            let (used, truncated) = dissect_fields(data, &bytes, warnings);
            let hooked = hooks.pre_dissect.is_some() || hooks.post_dissect.is_some();
            if !truncated && !hooked && !holds_packets(data) {
                // Rebuilding an unchanged dissected layer gives back its bytes (Scapy's
                // raw_packet_cache): what was lossy or inconsistent on the wire stays as
                // it was.
                data.set_raw_cache(Some(cache_of(&bytes[..used.min(bytes.len())], root)));
            }
            (Cow::Borrowed(bytes.get(used..).unwrap_or(&[])), truncated)
        }
    };
    if let Some(h) = &hooks.post_dissect {
        rest = Cow::Owned(h(data, rest.into_owned(), warnings));
    }
    drop(guard);
    if super::abort::pending() {
        return (pkt, Outcome::Failed);
    }
    if truncated {
        warnings.push(format!(
            "{}: {} bytes are too short for the header",
            def.class_name,
            bytes.len()
        ));
        if !rest.is_empty() {
            pkt.add_raw(&base::raw_def(), &rest);
        }
        return (pkt, Outcome::Truncated);
    }
    dissect_payload(pkt, def, &rest, warnings, depth, root)
}

/// How many bytes of `s` a layer of `def` keeps as its header when it is read on first
/// use (its fields all at fixed places, no hook reading them); `None` when it is read now.
#[inline]
fn lazy_len(def: &LayerDef, s: &[u8]) -> Option<usize> {
    def.layout()
        .filter(|l| l.len <= s.len() && def.hooks.dissects_by_fields())
        .map(|l| if l.rest { s.len() } else { l.len })
}

/// Dissects a layer read on first use whose payload is found by the bindings alone (no
/// hook pads, guesses or fails), `n` being its header's length, and its payload. While the
/// payload's class is such a layer too, the chain goes on in this loop, one node per
/// layer and no call; the first other class is dissected by [`dissect_layer`].
fn dissect_lazy_run(
    def: &Rc<LayerDef>,
    s: &[u8],
    n: usize,
    warnings: &mut Vec<String>,
    depth: usize,
    under: Option<&Packet>,
    root: Option<&Rc<[u8]>>,
) -> Packet {
    // Every header's cache is a range of the one holding all of `s` (offsets wrap only
    // past 4 GiB, where `cache_of` cannot hold the input whole either).
    let whole = cache_of(s, root);
    let range = |from: usize, to: usize| {
        (
            whole.start.wrapping_add(from as u32),
            whole.start.wrapping_add(to as u32),
        )
    };
    let head = Packet::lazy(def, &whole.root, range(0, n), under);
    let (mut layer, mut def) = (head.clone(), def.clone());
    let generation = bindings_generation();
    // The current layer's header is `s[at..end]`.
    let (mut at, mut end, mut depth) = (0, n, depth);
    while end < s.len() {
        let (header, rest) = (&s[at..end], &s[end..]);
        // The bindings read the layer's header (no hook: else Raw, as default_guess gives).
        let found = if depth < MAX_DEPTH {
            def.payload_link(header, generation)
        } else {
            None
        };
        let link = match found {
            Some(link) => link,
            None => general_link(&def, header, depth),
        };
        let shaped = link.class.hooks.shape_payload();
        let m = match lazy_len(&link.class, rest) {
            Some(m) if !shaped => m,
            _ => {
                let cls = link.class;
                let dissected = dissect_layer(&cls, rest, warnings, depth + 1, Some(&layer), root);
                layer.link_dissected(&def, &cls, dissected, rest);
                break;
            }
        };
        (at, end) = (end, end + m);
        let child = lazy_child(
            &layer,
            &link.class,
            link.overloads,
            &whole.root,
            range(at, end),
        );
        (layer, def, depth) = (child, link.class, depth + 1);
    }
    head
}

/// The payload of `layer`, of class `class` which sets `overloads` in it: a node read on
/// first use from `root[start..end]`, linked on top of `layer`. Kept out of the loop:
/// inlined, the loop spills more than the call costs (measured: 5 ns more per five-layer
/// dissection).
#[inline(never)]
fn lazy_child(
    layer: &Packet,
    class: &Rc<LayerDef>,
    overloads: Option<Overloads>,
    root: &Rc<[u8]>,
    range: (u32, u32),
) -> Packet {
    let child = Packet::lazy(class, root, range, Some(layer));
    layer.link_payload_with(child.clone(), overloads);
    child
}

/// The link the bindings give a lazy layer of `def` with header bytes `header`, asked of
/// the binding lists ([`LayerDef::payload_link`] could not tell); Raw past [`MAX_DEPTH`].
fn general_link(def: &LayerDef, header: &[u8], depth: usize) -> Link {
    let class = match def.layout() {
        Some(layout) if depth < MAX_DEPTH => def.guess_from_bindings(&Header {
            layout,
            bytes: header,
        }),
        _ => None,
    };
    Link::between(def, class.unwrap_or_else(base::raw_def))
}

/// Dissects what follows a layer's fields: its payload (whose class the layer guesses)
/// and padding. `pkt` is the layer, `rest` the bytes after its fields.
fn dissect_payload(
    pkt: Packet,
    def: &Rc<LayerDef>,
    rest: &[u8],
    warnings: &mut Vec<String>,
    depth: usize,
    root: Option<&Rc<[u8]>>,
) -> (Packet, Outcome) {
    // Only hooks may fail (the bindings never call the host): the failure is looked for
    // after them.
    let hooks = &def.hooks;
    let paylen = match &hooks.extract_padding {
        Some(h) => {
            let n = h(&pkt.data(), rest).min(rest.len());
            if super::abort::pending() {
                return (pkt, Outcome::Failed);
            }
            n
        }
        None => rest.len(),
    };
    let (payb, padb) = rest.split_at(paylen);
    if !payb.is_empty() {
        let cls = if depth >= MAX_DEPTH {
            base::raw_def()
        } else {
            guess_payload(&pkt.data(), payb)
        };
        if (hooks.guess_payload.is_some() || hooks.default_payload.is_some())
            && super::abort::pending()
        {
            return (pkt, Outcome::Failed);
        }
        let dissected = dissect_layer(&cls, payb, warnings, depth + 1, Some(&pkt), root);
        pkt.link_dissected(def, &cls, dissected, payb);
    }
    if !padb.is_empty() {
        pkt.lastlayer()
            .link_payload(Packet::raw_with(&base::padding_def(), padb));
    }
    (pkt, Outcome::Done)
}

/// The Raw layer that replaces a payload whose dissector failed: the failure is dropped,
/// as Scapy drops it, and a warning says what happened.
fn raw_after_failure(cls: &LayerDef, bytes: &[u8]) -> Packet {
    if let Some(f) = super::abort::take() {
        super::log::log_warning(format!(
            "{} dissector failed ({}); its bytes are Raw",
            cls.class_name, f.message
        ));
    }
    Packet::raw_with(&base::raw_def(), bytes)
}

/// Whether a layer holds packets in a field (its cache could not see changes inside them).
fn holds_packets(d: &LayerData) -> bool {
    d.may_hold_packets()
        && d.slots().iter().flatten().any(|v| match v {
            Value::Packet(_) => true,
            Value::List(l) => l.iter().any(|x| matches!(x, Value::Packet(_))),
            _ => false,
        })
}

/// The payload class: the layer's hook, else what its class would answer without one
/// ([`default_guess`]).
fn guess_payload(d: &LayerData, payload: &[u8]) -> Rc<LayerDef> {
    if let Some(h) = &d.def.hooks.guess_payload {
        if let Some(c) = h(d, payload) {
            return c;
        }
    }
    default_guess(d, payload)
}

/// Scapy's `Packet.guess_payload_class`: the bindings, else the layer's
/// `default_payload_class`, else Raw.
pub fn default_guess(d: &LayerData, payload: &[u8]) -> Rc<LayerDef> {
    if let Some(c) = d.def.guess_from_bindings(d) {
        return c;
    }
    if let Some(h) = &d.def.hooks.default_payload {
        if let Some(c) = h(d, payload) {
            return c;
        }
    }
    base::raw_def()
}

thread_local! {
    static NESTING: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Dissects a packet held by a field (PacketField, PacketListField elements): a whole
/// dissection, payload included. Packets nested in fields deeper than [`MAX_DEPTH`] become
/// Raw, so crafted input cannot exhaust the stack.
pub(crate) fn dissect_nested(def: &Rc<LayerDef>, s: &[u8], warnings: &mut Vec<String>) -> Packet {
    if s.is_empty() {
        // A field that found no bytes holds a packet of its class with its defaults, which
        // builds to nothing, as it was on the wire, until it is changed: the layer holding
        // it rebuilds to the bytes it was dissected from, as in the reference.
        let p = Packet::new(def);
        p.data_mut().set_raw_cache(Some(RawCache {
            root: Rc::from(&[][..]),
            start: 0,
            end: 0,
        }));
        return p;
    }
    let depth = NESTING.with(|n| n.get());
    if depth >= MAX_DEPTH {
        return Packet::raw_with(&base::raw_def(), s);
    }
    NESTING.with(|n| n.set(depth + 1));
    let (p, outcome) = dissect_layer(def, s, warnings, 0, None, None);
    NESTING.with(|n| n.set(depth));
    match outcome {
        Outcome::Done => p,
        // The reference hands bytes it cannot parse to Raw.
        Outcome::Truncated => Packet::raw_with(&base::raw_def(), s),
        Outcome::Failed => raw_after_failure(def, s),
    }
}

/// Dissects one element of a packet list (an IP option): fields only, no payload. Returns
/// the packet and the bytes it used; a truncated element becomes Raw of the rest.
pub(crate) fn dissect_element(
    def: &Rc<LayerDef>,
    s: &[u8],
    warnings: &mut Vec<String>,
) -> (Packet, usize) {
    let mut data = LayerData::new(def);
    let (used, truncated) = dissect_fields(&mut data, s, warnings);
    if truncated {
        return (Packet::raw_with(&base::raw_def(), s), s.len());
    }
    if let Some(h) = &def.hooks.post_dissect {
        h(&mut data, s.get(used..).unwrap_or(&[]).to_vec(), warnings);
    }
    if super::abort::pending() {
        return (raw_after_failure(def, s), s.len());
    }
    (Packet::from_data(data), used)
}

/// Scapy's `Packet.do_dissect`: reads a layer's fields from `s` with its field table.
/// Returns the bytes used and whether the input ended before a field could be read (hooks
/// that dissect in their own way call it for the default part).
pub fn do_dissect_fields(
    data: &mut LayerData,
    s: &[u8],
    warnings: &mut Vec<String>,
) -> (usize, bool) {
    dissect_fields(data, s, warnings)
}

/// Reads the layer's fields from `s`. Returns the bytes used and whether the input ended
/// before a field could be read. A little-endian group of bit fields is read from a copy
/// of the bytes with the group's bytes reversed.
fn dissect_fields(data: &mut LayerData, input: &[u8], warnings: &mut Vec<String>) -> (usize, bool) {
    let def = data.def.clone();
    let fields = &def.fields[..];
    let plan = def.plan();
    let mut bitpos: usize = 0;
    let mut reordered: Option<Vec<u8>> = None;
    let mut i = 0;
    while let Some(f) = fields.get(i) {
        let step = plan.get(i).copied().unwrap_or(Step::Kind);
        if step != Step::Kind && engine_reads(step) {
            let s: &[u8] = reordered.as_deref().unwrap_or(input);
            match read_run(data, plan, i, s, input.len(), &mut bitpos) {
                Run::Next(j) => {
                    i = j;
                    continue;
                }
                Run::Truncated(pos) => return (pos, true),
                Run::MayEnd => break,
            }
        }
        i += 1;
        if !f.present(data) {
            continue;
        }
        let kind = f.resolve(data).0;
        // The first field of a little-endian bit group: read the group (and every field
        // after it) from a copy with the group's bytes reversed.
        if let (Some(n), true) = (kind.le_bit_group(), bitpos.is_multiple_of(8)) {
            let start = bitpos / 8;
            if let Some(end) = start.checked_add(n).filter(|&e| e <= input.len()) {
                let buf = reordered.get_or_insert_with(|| input.to_vec());
                buf[start..end].reverse();
            }
        }
        let s: &[u8] = reordered.as_deref().unwrap_or(input);
        if let Some(w) = kind.bit_width() {
            let w = w.min(64) as usize;
            let Some(raw) = read_bits(s, bitpos, w) else {
                return (bitpos.div_ceil(8), true);
            };
            bitpos += w;
            data.set_raw(i - 1, kind.int2i(raw as i128));
        } else {
            let pos = bitpos.div_ceil(8);
            let rest = s.get(pos..).unwrap_or(&[]);
            let got = kind.getfield(
                &mut DissectCtx {
                    layer: data,
                    whole: s,
                    warnings,
                },
                rest,
            );
            if super::abort::pending() {
                // A host conversion failed: the layer stops here (see `abort`).
                return (pos, false);
            }
            match got {
                Ok((used, v)) => {
                    bitpos = (pos + used.min(rest.len())) * 8;
                    if let Some(v) = v {
                        data.set_raw(i - 1, v);
                    }
                }
                Err(_) => return (pos, true),
            }
        }
        if f.may_end && bitpos.div_ceil(8) >= input.len() {
            break;
        }
    }
    (bitpos.div_ceil(8).min(input.len()), false)
}

/// Whether the engine reads a field of this step itself. An address is read through its
/// kind while a host failure is pending, which stops the layer there as any field read
/// through its kind does (a bit field's conversion may have failed).
#[inline]
fn engine_reads(step: Step) -> bool {
    match step {
        Step::Int(_) | Step::Bits(_) => true,
        Step::Addr(_) => !super::abort::pending(),
        Step::Kind => false,
    }
}

/// How a run of fields the engine reads itself ended.
enum Run {
    /// At this field, which goes through its kind (or past the last field).
    Next(usize),
    /// The input ended before a field: the bytes used so far.
    Truncated(usize),
    /// A MayEnd field found no bytes after it.
    MayEnd,
}

/// Reads the fields from `start` on that the plan lets the engine read without their kind
/// (plain integers, bit fields, addresses), up to the next field that needs its kind. On a
/// table of the layer's own, set in field order so far (a layer being dissected), the
/// values go straight into the table.
fn read_run(
    data: &mut LayerData,
    plan: &[Step],
    start: usize,
    s: &[u8],
    input_len: usize,
    bitpos: &mut usize,
) -> Run {
    let def = data.def.clone();
    let fields = &def.fields[..];
    if data.in_order_from(start) {
        let slots = data.own_slots();
        let (run, next, packets) = read_steps(fields, plan, start, s, input_len, bitpos, |j, v| {
            if let Some(slot) = slots.get_mut(j) {
                *slot = Some(v);
            }
        });
        data.stored_in_order(start, next, packets);
        run
    } else {
        // A hook set fields out of order first: the general setter keeps track.
        read_steps(fields, plan, start, s, input_len, bitpos, |j, v| {
            data.set_raw(j, v)
        })
        .0
    }
}

/// The loop of [`read_run`]: hands each value to `store`; returns how the run ended, one
/// past the last field stored and whether a value stored is a packet or a list (a bit
/// field's conversion may give anything).
#[inline(always)]
fn read_steps(
    fields: &[FieldDef],
    plan: &[Step],
    start: usize,
    s: &[u8],
    input_len: usize,
    bitpos: &mut usize,
    mut store: impl FnMut(usize, Value),
) -> (Run, usize, bool) {
    let mut j = start;
    let mut packets = false;
    let run = loop {
        let (Some(f), Some(&step)) = (fields.get(j), plan.get(j)) else {
            break Run::Next(j);
        };
        if !engine_reads(step) {
            break Run::Next(j);
        }
        let v = match step {
            Step::Int(fixed) => {
                let pos = bitpos.div_ceil(8);
                let n = usize::from(fixed.bytes);
                let Some(b) = s.get(pos..).and_then(|rest| rest.get(..n)) else {
                    break Run::Truncated(pos);
                };
                *bitpos = (pos + n) * 8;
                Value::Int(fixed.read(b))
            }
            Step::Bits(w) => {
                let w = w.min(64) as usize;
                let Some(raw) = read_bits(s, *bitpos, w) else {
                    break Run::Truncated(bitpos.div_ceil(8));
                };
                *bitpos += w;
                let v = f.kind.int2i(raw as i128);
                packets |= matches!(v, Value::Packet(_) | Value::List(_));
                v
            }
            Step::Addr(addr) => {
                let pos = bitpos.div_ceil(8);
                let Some(b) = s.get(pos..).and_then(|rest| rest.get(..addr.size())) else {
                    break Run::Truncated(pos);
                };
                *bitpos = (pos + addr.size()) * 8;
                addr.read(b)
            }
            Step::Kind => break Run::Next(j),
        };
        store(j, v);
        j += 1;
        if f.may_end && bitpos.div_ceil(8) >= input_len {
            break Run::MayEnd;
        }
    };
    (run, j, packets)
}

/// `w` bits (≤ 64) starting at bit `pos`, MSB-first; `None` past the end.
pub(crate) fn read_bits(s: &[u8], pos: usize, w: usize) -> Option<u128> {
    let end = pos.checked_add(w)?;
    if end > s.len() * 8 {
        return None;
    }
    let first = pos / 8;
    let last = end.div_ceil(8);
    let mut acc: u128 = 0;
    for &b in &s[first..last] {
        acc = (acc << 8) | u128::from(b);
    }
    let drop = last * 8 - end;
    let mask = if w == 0 { 0 } else { (1u128 << w) - 1 };
    Some((acc >> drop) & mask)
}

impl Packet {
    /// A Raw-like layer (Raw, Padding) holding `bytes` in its `load`.
    pub(crate) fn raw_with(def: &Rc<LayerDef>, bytes: &[u8]) -> Packet {
        let mut d = LayerData::new(def);
        d.set_raw(0, Value::Bytes(bytes.to_vec()));
        Packet::from_data(d)
    }

    fn add_raw(&self, def: &Rc<LayerDef>, bytes: &[u8]) {
        self.link_payload(Packet::raw_with(def, bytes));
    }

    /// Links a dissected payload. As Scapy's add_payload, the payload's top-down bindings
    /// become this layer's overloaded values (hidden by its explicit ones until
    /// hide_defaults() removes those).
    pub(crate) fn link_payload(&self, child: Packet) {
        let (def, cls) = (self.def(), child.def());
        child.data_mut().underlayer = Rc::downgrade(&self.0);
        self.link_payload_of(&def, child, &cls);
    }

    /// Links the payload dissected from `bytes` as class `cls`: the layer if its fields
    /// were read, else Raw of the bytes (a truncated layer, or one whose hook failed, as
    /// the reference hands such bytes to Raw).
    fn link_dissected(
        &self,
        def: &LayerDef,
        cls: &Rc<LayerDef>,
        (child, outcome): (Packet, Outcome),
        bytes: &[u8],
    ) {
        match outcome {
            Outcome::Done => self.link_payload_of(def, child, cls),
            Outcome::Truncated => self.link_payload(Packet::raw_with(&base::raw_def(), bytes)),
            Outcome::Failed => self.link_payload(raw_after_failure(cls, bytes)),
        }
    }

    /// [`Packet::link_payload`] of a child dissected on top of this layer (whose
    /// underlayer is this layer already), the caller having both definitions at hand.
    fn link_payload_of(&self, def: &LayerDef, child: Packet, child_def: &LayerDef) {
        self.link_payload_with(child, child_def.overloads_for(def));
    }

    /// Links a dissected child whose class sets `overloads` in this layer.
    #[inline(always)]
    fn link_payload_with(&self, child: Packet, overloads: Option<Overloads>) {
        let mut d = self.data_mut();
        if overloads.is_some() {
            d.overloaded = overloads;
        }
        d.payload = Some(child);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packet::field::FieldDef;
    use crate::packet::fields;
    use crate::packet::layer::Hooks;

    /// A one-byte layer whose post_dissect fails like a raising campaign hook.
    fn failing(name: &str) -> Rc<LayerDef> {
        Rc::new(
            LayerDef::new(
                name,
                name,
                vec![FieldDef::new("a", fields::byte(), Value::Int(0))],
            )
            .with_hooks(Hooks {
                post_dissect: Some(Rc::new(|_, rest, _| {
                    crate::packet::abort::raise(Box::new(7u8), "ValueError: no");
                    rest
                })),
                ..Hooks::default()
            }),
        )
    }

    #[test]
    fn a_payload_whose_hook_fails_is_raw() {
        let bad = failing("Bad");
        let outer = Rc::new(LayerDef::new(
            "Outer",
            "Outer",
            vec![FieldDef::new("t", fields::byte(), Value::Int(0))],
        ));
        crate::packet::registry::bind_layers(&outer, &bad, &[("t", Value::Int(1))]).expect("bind");
        crate::packet::log::take_log();
        let p = dissect(&outer, b"\x01\x02\x03");
        assert_eq!(p.repr(), "<Outer  t=1 |<Raw  load=b'\\x02\\x03' |>>");
        assert!(!crate::packet::abort::pending());
        assert_eq!(
            crate::packet::log::take_warnings(),
            vec!["Bad dissector failed (ValueError: no); its bytes are Raw".to_string()]
        );
    }

    #[test]
    fn an_outer_layer_whose_hook_fails_leaves_the_failure_pending() {
        let p = dissect(&failing("Bad"), b"\x01\x02");
        assert_eq!(p.repr(), "<Bad  a=1 |>");
        let f = crate::packet::abort::take().expect("pending");
        assert_eq!(f.error.downcast_ref::<u8>(), Some(&7));
    }

    #[test]
    fn a_little_endian_bit_group_is_reversed_on_the_wire() {
        use crate::packet::fields::{Num, NumDisplay, Width};
        let bits = |n| Num::new("BitField", Width::Bits(n), NumDisplay::Dec);
        let def = Rc::new(LayerDef::new(
            "G",
            "G",
            vec![
                FieldDef::new("a", bits(4).le_bit_group(2).rc(), Value::Int(1)),
                FieldDef::new("b", bits(12).rc(), Value::Int(0x123)),
                FieldDef::new("c", fields::byte(), Value::Int(7)),
            ],
        ));
        let p = Packet::new(&def);
        assert_eq!(
            super::super::build::build(&p).expect("built"),
            [0x23, 0x11, 7]
        );
        let d = dissect(&def, &[0x34, 0x12, 9]);
        assert_eq!(d.repr(), "<G  a=1 b=564 c=9 |>");
        // Too short for the group: the bits that are there are read as they are.
        assert_eq!(dissect(&def, &[0x34]).repr(), "<G  a=3 |>");
    }

    #[test]
    fn fields_read_again_into_a_dissected_layer_drop_its_cached_bytes() {
        // A hook's do_dissect may read new bytes into a layer that was dissected before:
        // it then builds from its new values, not from the bytes it came from.
        let def = Rc::new(LayerDef::new(
            "R",
            "R",
            vec![
                FieldDef::new("a", fields::byte(), Value::Int(0)),
                FieldDef::new("b", fields::short(), Value::Int(0)),
                FieldDef::new("c", fields::byte(), Value::Int(0)),
            ],
        ));
        let p = dissect(&def, &[1, 0, 2, 3]);
        {
            let mut d = p.data_mut();
            let mut warnings = Vec::new();
            assert_eq!(
                do_dissect_fields(&mut d, &[4, 0, 5, 6], &mut warnings),
                (4, false)
            );
        }
        assert_eq!(super::super::build::build(&p).expect("built"), [4, 0, 5, 6]);
    }

    #[test]
    fn bits_are_msb_first() {
        assert_eq!(read_bits(&[0x45], 0, 4), Some(4));
        assert_eq!(read_bits(&[0x45], 4, 4), Some(5));
        assert_eq!(read_bits(&[0x40, 0x10], 3, 13), Some(0x10));
        assert_eq!(read_bits(&[0x45], 4, 8), None);
    }
}
