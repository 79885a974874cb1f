//! Failures of host callbacks: hooks, lambdas and field conversions written in the campaign
//! language run behind the engine's `Rc<dyn Fn>` signatures, most of which have no error
//! path. A callback that raises parks its error here (the engine never looks inside it) and
//! returns a neutral value; the engine checks at layer boundaries.
//!
//! - Dissecting: a failure while a payload layer (or a packet held by a field) is dissected
//!   turns that layer's bytes into Raw, with a warning, and the error is dropped, as Scapy
//!   does with a dissector that raises; a failure in the outermost layer stops the
//!   dissection and stays pending for the caller.
//! - Building, display and the other operations stop at the next check; the caller takes
//!   the error ([`take`]) and raises it.
//!
//! One slot per thread (session). Built-in layers never raise, so for them the checks read
//! one thread-local flag per layer.

use std::any::Any;
use std::cell::{Cell, RefCell};

/// A parked failure: what the host raised, and its text for warnings.
pub struct Failure {
    /// The host's error value (the interpreter's exception).
    pub error: Box<dyn Any>,
    /// `ZeroDivisionError: division by zero`: the error in words, for warnings.
    pub message: String,
}

thread_local! {
    static PENDING: Cell<bool> = const { Cell::new(false) };
    static SLOT: RefCell<Option<Failure>> = const { RefCell::new(None) };
}

/// Parks a failure. The first one wins: what a callback raises after another failed (it
/// should not run at all: see [`pending`]) is dropped.
pub fn raise(error: Box<dyn Any>, message: impl Into<String>) {
    SLOT.with(|s| {
        let mut s = s.borrow_mut();
        if s.is_none() {
            *s = Some(Failure {
                error,
                message: message.into(),
            });
        }
    });
    PENDING.with(|p| p.set(true));
}

/// Whether a failure is parked: callbacks then return at once, and the engine stops or
/// falls back at its next check.
#[inline]
pub fn pending() -> bool {
    PENDING.with(Cell::get)
}

/// Takes the parked failure, if any.
pub fn take() -> Option<Failure> {
    if !pending() {
        return None;
    }
    PENDING.with(|p| p.set(false));
    SLOT.with(|s| s.borrow_mut().take())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_failure_wins_and_take_clears() {
        assert!(take().is_none());
        raise(Box::new(1u8), "first");
        raise(Box::new(2u8), "second");
        assert!(pending());
        let f = take().expect("parked");
        assert_eq!(f.message, "first");
        assert_eq!(f.error.downcast_ref::<u8>(), Some(&1));
        assert!(!pending());
        assert!(take().is_none());
    }
}
