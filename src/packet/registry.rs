//! The per-session layer registry and the binding operations (bind_layers and friends).
//!
//! Bindings live on the layer definitions, as Scapy keeps them on classes; since every
//! session's registry creates its own definitions, a session's `bind_layers` never affects
//! another session.

use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::rc::Rc;

use super::base;
use super::field::FieldError;
use super::layer::{Fnv, Guess, LayerDef, Overload};
use super::links::bindings_changed;
use super::packet::{LayerData, Packet};
use super::value::Value;

/// A session's layers by class name.
pub struct Registry {
    by_name: RefCell<HashMap<String, Rc<LayerDef>, BuildHasherDefault<Fnv>>>,
    order: RefCell<Vec<Rc<LayerDef>>>,
}

impl Registry {
    /// A registry with only Raw and Padding.
    pub fn empty() -> Registry {
        let r = Registry {
            by_name: RefCell::new(HashMap::default()),
            order: RefCell::new(Vec::new()),
        };
        r.add(base::raw_def());
        r.add(base::padding_def());
        r
    }

    /// A registry with every built-in layer and binding (`src/layers/`).
    pub fn with_builtins() -> Registry {
        let r = Registry::empty();
        crate::layers::register_all(&r);
        r
    }

    /// Registers a definition; a later one with the same class name replaces it for lookups.
    pub fn register(&self, def: LayerDef) -> Rc<LayerDef> {
        let rc = Rc::new(def);
        self.add(rc.clone());
        rc
    }

    /// Registers a shared definition.
    pub fn add(&self, def: Rc<LayerDef>) {
        self.by_name
            .borrow_mut()
            .insert(def.class_name.clone(), def.clone());
        self.order.borrow_mut().push(def);
    }

    /// The definition of a class.
    pub fn get(&self, class_name: &str) -> Option<Rc<LayerDef>> {
        self.by_name.borrow().get(class_name).cloned()
    }

    /// Like [`Registry::get`], for definitions the caller knows exist (built-ins).
    pub fn def(&self, class_name: &str) -> Result<Rc<LayerDef>, FieldError> {
        self.get(class_name)
            .ok_or_else(|| FieldError::BadValue(format!("unknown layer class {class_name:?}")))
    }

    /// A new layer of that class with default values.
    pub fn new_layer(&self, class_name: &str) -> Result<Packet, FieldError> {
        Ok(Packet::new(&self.def(class_name)?))
    }

    /// Every registered definition, in registration order.
    pub fn all(&self) -> Vec<Rc<LayerDef>> {
        self.order.borrow().clone()
    }

    /// `bind_layers` by class names.
    pub fn bind_layers(
        &self,
        lower: &str,
        upper: &str,
        fields: &[(&str, Value)],
    ) -> Result<(), FieldError> {
        bind_layers(&self.def(lower)?, &self.def(upper)?, fields)
    }
}

fn convert(
    lower: &Rc<LayerDef>,
    fields: &[(&str, Value)],
) -> Result<Vec<(usize, Value)>, FieldError> {
    let blank = LayerData::new(lower);
    fields
        .iter()
        .map(|(name, v)| {
            let i = lower
                .field_index(name)
                .ok_or_else(|| FieldError::NoSuchField(name.to_string()))?;
            let (kind, _) = lower.fields[i].resolve(&blank);
            Ok((i, kind.any2i(&blank, v.clone())?))
        })
        .collect()
}

/// "`lower` with these values is followed by `upper`" (dissection).
pub fn bind_bottom_up(
    lower: &Rc<LayerDef>,
    upper: &Rc<LayerDef>,
    fields: &[(&str, Value)],
) -> Result<(), FieldError> {
    let when = convert(lower, fields)?;
    lower.bindings.borrow_mut().payload_guess.push(Guess {
        when,
        upper: Rc::downgrade(upper),
    });
    bindings_changed();
    Ok(())
}

/// "`upper` on top of `lower` sets these values of it" (building).
pub fn bind_top_down(
    lower: &Rc<LayerDef>,
    upper: &Rc<LayerDef>,
    fields: &[(&str, Value)],
) -> Result<(), FieldError> {
    let converted = convert(lower, fields)?;
    let mut b = upper.bindings.borrow_mut();
    b.overloads
        .retain(|o| o.lower.upgrade().is_some_and(|l| !Rc::ptr_eq(&l, lower)));
    b.overloads.push(Overload {
        lower: Rc::downgrade(lower),
        fields: Rc::new(converted),
    });
    bindings_changed();
    Ok(())
}

/// Both directions.
pub fn bind_layers(
    lower: &Rc<LayerDef>,
    upper: &Rc<LayerDef>,
    fields: &[(&str, Value)],
) -> Result<(), FieldError> {
    bind_bottom_up(lower, upper, fields)?;
    bind_top_down(lower, upper, fields)
}

/// Removes the bottom-up bindings from `lower` to `upper` (those matching `fields`, or all).
pub fn split_bottom_up(
    lower: &Rc<LayerDef>,
    upper: &Rc<LayerDef>,
    fields: &[(&str, Value)],
) -> Result<(), FieldError> {
    let want = convert(lower, fields)?;
    lower.bindings.borrow_mut().payload_guess.retain(|g| {
        let same_upper = g.upper.upgrade().is_some_and(|u| Rc::ptr_eq(&u, upper));
        let matches = want.iter().all(|w| g.when.contains(w));
        !(same_upper && matches)
    });
    bindings_changed();
    Ok(())
}

/// Removes the top-down binding of `upper` over `lower`.
pub fn split_top_down(
    lower: &Rc<LayerDef>,
    upper: &Rc<LayerDef>,
    fields: &[(&str, Value)],
) -> Result<(), FieldError> {
    let want = convert(lower, fields)?;
    upper.bindings.borrow_mut().overloads.retain(|o| {
        let same_lower = o.lower.upgrade().is_some_and(|l| Rc::ptr_eq(&l, lower));
        let matches = want.iter().all(|w| o.fields.contains(w));
        !(same_lower && matches)
    });
    bindings_changed();
    Ok(())
}

/// Both directions.
pub fn split_layers(
    lower: &Rc<LayerDef>,
    upper: &Rc<LayerDef>,
    fields: &[(&str, Value)],
) -> Result<(), FieldError> {
    split_bottom_up(lower, upper, fields)?;
    split_top_down(lower, upper, fields)
}
