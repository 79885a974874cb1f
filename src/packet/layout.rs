//! Fixed layouts: definitions whose every field sits at a fixed place in the header and is
//! read by the engine alone (plain integers, bit fields, addresses, fixed-length strings),
//! the last one possibly taking every byte left (Raw's `load`).
//!
//! Why: such a layer's values are a pure function of its header bytes. Dissection keeps
//! those bytes (the raw cache it keeps anyway) and decodes the values on first use, so a
//! capture or a dissection whose layers are only walked or rebuilt never pays for values it
//! does not read, nor for freeing them. The payload's class is still found at dissection
//! time: [`FixedLayout::read_one`] reads a single field for the bindings.

use super::field::{sign_extend, FieldDef, FixedAddr, FixedInt};
use super::layer::Step;
use super::packet::Slots;
use super::value::Value;

/// How one field of a fixed layout is read.
#[derive(Clone, Copy)]
enum Read {
    /// An integer: fixed-size or bits.
    Int(IntRead),
    /// An address at this byte offset.
    Addr(usize, FixedAddr),
    /// `len` bytes at this byte offset (a fixed-length string).
    Bytes(usize, usize),
    /// Every byte from this offset on (the last field).
    Rest(usize),
}

/// How an integer field of a fixed layout is read (what the bindings test).
#[derive(Clone, Copy)]
pub(crate) enum IntRead {
    /// A fixed-size integer at this byte offset.
    Int(usize, FixedInt),
    /// `width` bits at this bit offset (MSB first), signed or not.
    Bits { at: usize, width: u32, signed: bool },
}

impl IntRead {
    /// The field's value in header bytes `h` (`None` when they are too short).
    #[inline(always)]
    pub(crate) fn read(self, h: &[u8]) -> Option<i128> {
        match self {
            IntRead::Int(at, fixed) => Some(fixed.read(h.get(at..at + usize::from(fixed.bytes))?)),
            IntRead::Bits { at, width, signed } => {
                let raw = super::dissect::read_bits(h, at, width as usize)?;
                Some(if signed {
                    sign_extend(raw, width)
                } else {
                    raw as i128
                })
            }
        }
    }
}

/// Where every field of a definition sits, when each has a fixed place and size.
pub(crate) struct FixedLayout {
    /// The header's size in bytes: a layer dissected lazily has at least this many.
    pub(crate) len: usize,
    /// Whether the last field takes every byte left, so the header is all of them.
    pub(crate) rest: bool,
    reads: Box<[Read]>,
}

impl FixedLayout {
    /// The layout of `fields` given their plan, or `None` when a field's place or size
    /// depends on the bytes or the layer (lengths, conditions, alternatives, MayEnd), or
    /// its value on a host conversion.
    pub(crate) fn of(fields: &[FieldDef], plan: &[Step]) -> Option<FixedLayout> {
        let mut bitpos = 0usize;
        let mut reads = Vec::with_capacity(fields.len());
        let mut rest = false;
        for (f, step) in fields.iter().zip(plan) {
            if f.may_end || rest {
                return None;
            }
            let read = match *step {
                Step::Int(i) => {
                    let at = bitpos.div_ceil(8);
                    bitpos = (at + usize::from(i.bytes)) * 8;
                    Read::Int(IntRead::Int(at, i))
                }
                Step::Bits(w) if w <= 64 => {
                    let signed = f.kind.plain_bits()?;
                    let width = w;
                    let at = bitpos;
                    bitpos += width as usize;
                    Read::Int(IntRead::Bits { at, width, signed })
                }
                Step::Addr(a) => {
                    let at = bitpos.div_ceil(8);
                    bitpos = (at + a.size()) * 8;
                    Read::Addr(at, a)
                }
                Step::Bits(_) => return None,
                Step::Kind => {
                    // Conditions and alternatives already made the step Kind; a string of
                    // fixed length is the one kind read here besides the plan's.
                    if f.cond.is_some() || !f.alts.is_empty() {
                        return None;
                    }
                    let at = bitpos.div_ceil(8);
                    if f.kind.takes_rest() {
                        // Only as the last field (checked at the next one).
                        rest = true;
                        bitpos = at * 8;
                        Read::Rest(at)
                    } else {
                        let n = f.kind.fixed_bytes()?;
                        bitpos = (at + n) * 8;
                        Read::Bytes(at, n)
                    }
                }
            };
            reads.push(read);
        }
        Some(FixedLayout {
            len: bitpos.div_ceil(8),
            rest,
            reads: reads.into_boxed_slice(),
        })
    }

    /// Every field's value from header bytes `h` (at least [`FixedLayout::len`] of them).
    pub(crate) fn read_all(&self, h: &[u8]) -> Slots {
        (0..self.reads.len())
            .map(|i| Some(self.read_one(i, h)))
            .collect()
    }

    /// Field `i`'s value from header bytes `h` when it is read as an integer (the bindings
    /// look for one), without making a value; `None` for other fields.
    #[inline(always)]
    pub(crate) fn read_int(&self, i: usize, h: &[u8]) -> Option<i128> {
        self.int_read(i)?.read(h)
    }

    /// How field `i` is read as an integer, when it is one.
    pub(crate) fn int_read(&self, i: usize) -> Option<IntRead> {
        match *self.reads.get(i)? {
            Read::Int(r) => Some(r),
            Read::Addr(..) | Read::Bytes(..) | Read::Rest(_) => None,
        }
    }

    /// Whether field `i` read from header bytes `h` is `want` (integers compared as
    /// integers, without making a value).
    #[inline(always)]
    pub(crate) fn field_equals(&self, i: usize, h: &[u8], want: &Value) -> bool {
        if let (Value::Int(w), Some(own)) = (want, self.read_int(i, h)) {
            return own == *w;
        }
        self.read_one(i, h) == *want
    }

    /// Field `i`'s value from header bytes `h` (`None` past the end, which a layer laid
    /// out by this layout never is).
    pub(crate) fn read_one(&self, i: usize, h: &[u8]) -> Value {
        let Some(read) = self.reads.get(i) else {
            return Value::None;
        };
        match *read {
            Read::Int(r) => r.read(h).map_or(Value::None, Value::Int),
            Read::Addr(at, addr) => match h.get(at..at + addr.size()) {
                Some(b) => addr.read(b),
                None => Value::None,
            },
            Read::Bytes(at, n) => match h.get(at..at + n) {
                Some(b) => Value::Bytes(b.to_vec()),
                None => Value::None,
            },
            Read::Rest(at) => Value::Bytes(h.get(at..).unwrap_or(&[]).to_vec()),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::rc::Rc;

    use crate::packet::dissect::dissect;
    use crate::packet::field::FieldDef;
    use crate::packet::fields::{self, Num, NumDisplay, StrField, Width};
    use crate::packet::layer::LayerDef;
    use crate::packet::registry::Registry;
    use crate::packet::value::Value;

    /// Signed bits, unsigned bits, a byte and a fixed-length string: all at fixed places.
    fn fixed() -> Rc<LayerDef> {
        let bits = |n| Num::new("BitField", Width::Bits(n), NumDisplay::Dec);
        Rc::new(LayerDef::new(
            "F",
            "F",
            vec![
                FieldDef::new("s", bits(4).signed().rc(), Value::Int(0)),
                FieldDef::new("u", bits(4).rc(), Value::Int(0)),
                FieldDef::new("b", fields::byte(), Value::Int(0)),
                FieldDef::new("t", StrField::fixed(3), Value::Bytes(Vec::new())),
            ],
        ))
    }

    #[test]
    fn a_fixed_layer_reads_its_values_on_first_use_as_dissection_would() {
        let def = fixed();
        assert_eq!(def.layout().map(|l| l.len), Some(5));
        let p = dissect(&def, b"\xf3\x07abcXY");
        assert!(p.data().is_lazy());
        // The payload was found without reading the values.
        assert_eq!(p.payload().map(|q| q.class_name()).as_deref(), Some("Raw"));
        assert!(p.data().is_lazy());
        assert_eq!(p.repr(), "<F  s=-1 u=3 b=7 t=b'abc' |<Raw  load=b'XY' |>>");
        assert!(!p.data().is_lazy());
        assert_eq!(p.build().expect("built"), b"\xf3\x07abcXY");
    }

    #[test]
    fn changing_a_lazy_layer_reads_it_first_and_drops_its_bytes() {
        let def = fixed();
        let p = dissect(&def, b"\x12\x05xyz");
        let copy = p.copy();
        p.set("b", 9).expect("set");
        assert_eq!(p.build().expect("built"), b"\x12\x09xyz");
        // The copy kept its own bytes and values.
        assert!(copy.data().is_lazy());
        assert_eq!(copy.build().expect("built"), b"\x12\x05xyz");
        assert_eq!(copy.get("u"), Some(Value::Int(2)));
        let q = dissect(&def, b"\x12\x05xyz");
        q.del("t").expect("del");
        assert_eq!(q.repr(), "<F  s=1 u=2 b=5 |>");
    }

    #[test]
    fn a_short_buffer_is_dissected_field_by_field() {
        let p = dissect(&fixed(), b"\x12\x05x");
        assert!(!p.data().is_lazy());
        assert_eq!(p.repr(), "<F  s=1 u=2 b=5 t=b'x' |>");
    }

    #[test]
    fn ether_is_lazy_and_finds_its_payload_from_its_bytes() {
        let reg = Registry::with_builtins();
        let ip = reg.new_layer("IP").expect("IP");
        let e = reg
            .new_layer("Ether")
            .expect("Ether")
            .with("dst", "00:11:22:33:44:55")
            .and_then(|e| e.with("src", "66:77:88:99:aa:bb"))
            .expect("Ether");
        let bytes = (&e / &ip).build().expect("built");
        let p = dissect(&reg.def("Ether").expect("Ether"), &bytes);
        assert!(p.data().is_lazy());
        assert_eq!(p.summary(), "Ether / 127.0.0.1 > 127.0.0.1 hopopt");
        assert_eq!(p.get("type"), Some(Value::Int(0x800)));
        assert_eq!(
            p.get("src"),
            Some(Value::Mac([0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb]))
        );
    }

    #[test]
    fn a_last_field_taking_the_rest_makes_the_header_every_byte_left() {
        let def = Rc::new(LayerDef::new(
            "T",
            "T",
            vec![
                FieldDef::new("k", fields::byte(), Value::Int(0)),
                FieldDef::new("data", StrField::rest(), Value::Bytes(Vec::new())),
            ],
        ));
        let p = dissect(&def, b"\x01hello");
        assert!(p.data().is_lazy());
        assert!(p.payload().is_none());
        assert_eq!(p.repr(), "<T  k=1 data=b'hello' |>");
        // Only the fixed part is needed: one byte is a whole layer with empty data.
        assert_eq!(dissect(&def, b"\x02").repr(), "<T  k=2 data=b'' |>");
        // A field after one taking the rest has no fixed place.
        let after = LayerDef::new(
            "U",
            "U",
            vec![
                FieldDef::new("data", StrField::rest(), Value::Bytes(Vec::new())),
                FieldDef::new("k", fields::byte(), Value::Int(0)),
            ],
        );
        assert!(after.layout().is_none());
    }

    #[test]
    fn raw_payloads_are_lazy() {
        let reg = Registry::with_builtins();
        // Ports no protocol claims (UDP's default, 53, would make the payload DNS).
        let udp = reg
            .new_layer("UDP")
            .expect("UDP")
            .with("sport", 40000)
            .and_then(|u| u.with("dport", 40001))
            .expect("ports");
        let p = reg.new_layer("IP").expect("IP") / udp / "a payload";
        let bytes = p.build().expect("built");
        let d = dissect(&reg.def("IP").expect("IP"), &bytes);
        let raw = d.getlayer("Raw", 1).expect("Raw");
        assert!(raw.data().is_lazy());
        assert_eq!(raw.get("load"), Some(Value::Bytes(b"a payload".to_vec())));
        assert_eq!(d.build().expect("built"), bytes);
    }

    #[test]
    fn a_chain_of_lazy_layers_ends_in_the_first_other_class_or_raw() {
        let reg = Registry::with_builtins();
        // A one-byte layer bound to itself and, on 2, to a TCP header.
        let hop = Rc::new(LayerDef::new(
            "Hop",
            "Hop",
            vec![FieldDef::new("nxt", fields::byte(), Value::Int(0))],
        ));
        let tcp = reg.def("TCP").expect("TCP");
        crate::packet::registry::bind_layers(&hop, &hop, &[("nxt", Value::Int(1))]).expect("bind");
        crate::packet::registry::bind_layers(&hop, &tcp, &[("nxt", Value::Int(2))]).expect("bind");
        let tcp_bytes = reg.new_layer("TCP").expect("TCP").build().expect("built");
        let mut bytes = vec![1, 1, 2];
        bytes.extend_from_slice(&tcp_bytes);
        let p = dissect(&hop, &bytes);
        assert_eq!(p.summary(), "Hop / Hop / Hop / TCP ftp_data > http S");
        assert_eq!(p.build().expect("built"), bytes);
        // A TCP header cut short: Raw, as the recursive path makes it.
        let p = dissect(&hop, &bytes[..10]);
        assert_eq!(p.summary(), "Hop / Hop / Hop / Raw");
        // Nesting is bounded: past the limit the rest is Raw.
        let deep = vec![1u8; 200];
        let p = dissect(&hop, &deep);
        assert!(p.layers().len() < 100);
        assert_eq!(p.lastlayer().class_name(), "Raw");
        assert_eq!(p.build().expect("built"), deep);
    }
}
