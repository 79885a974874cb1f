//! Building: each layer's fields append their machine form after the payload is built (so
//! lengths and checksums can see it), post_build patches, padding layers go last. A host
//! callback that fails stops the build (see [`super::abort`]).

use super::field::{BuildCtx, BuildError, FixedAddr};
use super::layer::Step;
use super::packet::{LayerData, Packet};
use super::resolver::{self, Resolver};
use super::value::Value;

/// `raw(p)` with this thread's resolver.
pub fn build(p: &Packet) -> Result<Vec<u8>, BuildError> {
    let r = resolver::current();
    build_with(p, r.as_ref())
}

/// `raw(p)` with an explicit resolver.
pub fn build_with(p: &Packet, r: &dyn Resolver) -> Result<Vec<u8>, BuildError> {
    let mut out = Vec::with_capacity(128);
    build_layer(p, r, &mut out)?;
    let mut layer = Some(p.clone());
    while let Some(l) = layer {
        let d = l.data();
        if d.def.is_padding {
            if let Some(Value::Bytes(b)) = d.get("load") {
                out.extend_from_slice(b);
            }
        }
        layer = d.payload.clone();
    }
    Ok(out)
}

thread_local! {
    /// The buffer a layer's header is built in before it goes in front of its payload,
    /// kept between layers and builds (a build inside a hook makes its own).
    static HEADER: std::cell::Cell<Vec<u8>> = const { std::cell::Cell::new(Vec::new()) };
}

/// Puts the bytes of one layer and those above it, without trailing padding layers, in
/// `out` (empty on entry). The payload is built first, into `out`, so that lengths and
/// checksums can see it; the layer's header then goes in front of it.
pub(crate) fn build_layer(
    p: &Packet,
    r: &dyn Resolver,
    out: &mut Vec<u8>,
) -> Result<(), BuildError> {
    let d = p.data();
    if let Some(n) = &d.payload {
        build_layer(n, r, out)?;
    }
    if d.def.is_padding {
        // A padding layer's bytes are appended once, at the very end (build_with).
        return Ok(());
    }
    if let Some(cache) = d.raw_cache() {
        // An unchanged dissected layer: its bytes as they were, no post_build.
        prepend(out, cache.bytes());
        return Ok(());
    }
    let mut hdr = HEADER.with(std::cell::Cell::take);
    hdr.clear();
    let built = build_fields(&d, out, r, &mut hdr);
    let result = match (built, &d.def.hooks.post_build) {
        (Err(e), _) => Err(e),
        (Ok(()), Some(h)) => {
            // The hook takes the header and gives back the layer's bytes, payload included
            // (hooks append it to the header: room for it is made once).
            let mut given = Vec::with_capacity(hdr.len() + out.len() + 16);
            given.extend_from_slice(&hdr);
            let whole = h(&d, given, out, r);
            whole.map(|w| *out = w)
        }
        (Ok(()), None) => {
            prepend(out, &hdr);
            Ok(())
        }
    };
    HEADER.with(|h| h.set(hdr));
    result?;
    if super::abort::pending() {
        return Err(host_failed(&d, ""));
    }
    Ok(())
}

/// Puts `front` before the bytes of `out`.
fn prepend(out: &mut Vec<u8>, front: &[u8]) {
    let old = out.len();
    out.resize(old + front.len(), 0);
    out.copy_within(..old, front.len());
    out[..front.len()].copy_from_slice(front);
}

/// The error a build returns when a host callback failed: the caller takes the real one
/// from [`super::abort`].
fn host_failed(d: &LayerData, field: &str) -> BuildError {
    BuildError {
        layer: d.def.class_name.clone(),
        field: field.to_string(),
        message: "a callback failed".to_string(),
    }
}

/// Appends the machine form of every present field of a layer. Bit fields accumulate
/// MSB-first and are flushed a byte at a time; a little-endian group of them
/// ([`super::field::FieldKind::le_bit_group`]) has its bytes reversed once complete.
pub(crate) fn build_fields(
    d: &LayerData,
    payload: &[u8],
    r: &dyn Resolver,
    out: &mut Vec<u8>,
) -> Result<(), BuildError> {
    let ctx = BuildCtx {
        layer: d,
        payload,
        resolver: r,
    };
    let mut acc: u128 = 0;
    let mut nbits: u32 = 0;
    // A little-endian bit group in progress: where its bytes start, how many it has.
    let mut group: Option<(usize, usize)> = None;
    let close_group = |out: &mut Vec<u8>, group: &mut Option<(usize, usize)>, all: bool| {
        if let Some((start, n)) = *group {
            if all || out.len() >= start + n {
                let end = (start + n).min(out.len());
                out[start..end].reverse();
                *group = None;
            }
        }
    };
    let plan = d.def.plan();
    for (i, f) in d.def.fields.iter().enumerate() {
        let step = plan.get(i).copied().unwrap_or(Step::Kind);
        match (step, d.value_ref(i), nbits, group) {
            // A plain integer or address field holding a value of its own form, outside any
            // bit group: what its kind would write.
            (Step::Int(fixed), Value::Int(x), 0, None) => {
                fixed.write(*x, out);
                continue;
            }
            (Step::Addr(FixedAddr::Ip4), Value::Ip4(a), 0, None) => {
                out.extend_from_slice(&a.octets());
                continue;
            }
            (Step::Addr(FixedAddr::Mac), Value::Mac(m), 0, None) => {
                out.extend_from_slice(m);
                continue;
            }
            _ => {}
        }
        if step == Step::Kind && !f.present(d) {
            continue;
        }
        let (kind, _) = f.resolve(d);
        // A set (list, range, network) in a field that is not a list builds its first
        // element.
        let v = d.value_ref(i);
        let v = if kind.is_list() {
            std::borrow::Cow::Borrowed(v)
        } else {
            super::sets::first_element(v)
        };
        let v = v.as_ref();
        let err = |message: String| BuildError {
            layer: d.def.class_name.clone(),
            field: f.name.clone(),
            message,
        };
        if let Some(w) = kind.bit_width() {
            let w = w.min(64);
            if let (Some(n), 0, None) = (kind.le_bit_group(), nbits, group) {
                group = Some((out.len(), n));
            }
            let x = kind.i2int(&ctx, v).map_err(err)?;
            let mask: u128 = (1u128 << w) - 1;
            acc = (acc << w) | (x as u128 & mask);
            nbits += w;
            while nbits >= 8 {
                out.push((acc >> (nbits - 8)) as u8);
                nbits -= 8;
            }
            acc &= (1u128 << nbits) - 1;
            close_group(out, &mut group, false);
        } else {
            if nbits > 0 {
                // A byte-aligned field after an incomplete bit group: the group is padded.
                out.push((acc << (8 - nbits)) as u8);
                acc = 0;
                nbits = 0;
            }
            close_group(out, &mut group, true);
            kind.addfield(&ctx, v, out).map_err(err)?;
        }
        if super::abort::pending() {
            return Err(host_failed(d, &f.name));
        }
    }
    if nbits > 0 {
        out.push((acc << (8 - nbits)) as u8);
    }
    close_group(out, &mut group, true);
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::rc::Rc;

    use super::*;
    use crate::packet::field::FieldDef;
    use crate::packet::fields;
    use crate::packet::layer::{Hooks, LayerDef};

    #[test]
    fn a_failing_post_build_stops_the_build() {
        let def = Rc::new(
            LayerDef::new(
                "B",
                "B",
                vec![FieldDef::new("a", fields::byte(), Value::Int(0))],
            )
            .with_hooks(Hooks {
                post_build: Some(Rc::new(|_, hdr, _, _| {
                    crate::packet::abort::raise(Box::new(()), "RuntimeError: stop");
                    Ok(hdr)
                })),
                ..Hooks::default()
            }),
        );
        let e = build(&Packet::new(&def)).expect_err("stopped");
        assert_eq!(
            (e.layer.as_str(), e.message.as_str()),
            ("B", "a callback failed")
        );
        assert_eq!(
            crate::packet::abort::take().map(|f| f.message),
            Some("RuntimeError: stop".to_string())
        );
    }
}
