//! Lending the running interpreter to native code that calls back into it.
//!
//! The packet engine is a Rust library: its hooks and field conversions are `Rc<dyn Fn>`s
//! with no interpreter parameter, yet those of a layer a campaign defines are language
//! functions. So whoever calls the engine with the interpreter at hand lends it for the
//! duration of the call ([`lend`]); a callback borrows it back ([`with_vm`]) to run its
//! function, and parks an exception it raises in the engine's failure slot
//! ([`crate::packet::abort`]), which [`lend`] turns back into the exception when the engine
//! returns.
//!
//! Soundness of the one `unsafe` block: the pointer [`lend`] installs is derived from the
//! `&mut Vm` it was given, which stays mutably borrowed (so unused by anyone else) until
//! `lend` returns and removes the pointer; [`with_vm`] takes the pointer out of the slot
//! while it hands out the reference, so at most one `&mut Vm` made from it exists at a time,
//! and a nested `lend` installs a pointer derived from that reference, restored on the way
//! out. The callback is generic over the Vm's lifetime, so nothing it gets can escape.

use std::cell::Cell;
use std::ptr;

use crate::packet::abort;

use super::exceptions::{Exc, PResult};
use super::interp::Vm;

thread_local! {
    /// The interpreter lent to callbacks: null when none is.
    static LENT: Cell<*mut ()> = const { Cell::new(ptr::null_mut()) };
}

/// Puts the previous pointer back when a lend or borrow ends (early returns and panics
/// included).
struct Restore(*mut ());

impl Drop for Restore {
    fn drop(&mut self) {
        LENT.with(|l| l.set(self.0));
    }
}

/// Runs `f` (a call into native code) with `vm` lent to the callbacks it makes; then raises
/// the exception a callback parked, if one did.
pub fn lend<R>(vm: &mut Vm<'_>, f: impl FnOnce() -> R) -> PResult<R> {
    let p = (vm as *mut Vm<'_>).cast::<()>();
    let r = {
        let _restore = Restore(LENT.with(|l| l.replace(p)));
        f()
    };
    match take_failure() {
        Some(e) => Err(e),
        None => Ok(r),
    }
}

/// Runs `f` with the interpreter lent by the innermost [`lend`]; `None` when no interpreter
/// is lent (native code called from a place that had none at hand).
pub fn with_vm<R>(f: impl for<'a, 'b> FnOnce(&'a mut Vm<'b>) -> R) -> Option<R> {
    let p = LENT.with(|l| l.replace(ptr::null_mut()));
    if p.is_null() {
        return None;
    }
    let _restore = Restore(p);
    // SAFETY: see the module documentation: `p` comes from a `&mut Vm` that `lend` keeps
    // borrowed and unused until it returns, and no other reference made from `p` exists
    // while this one does (the slot is empty until `_restore` puts `p` back).
    let vm = unsafe { &mut *p.cast::<Vm<'_>>() };
    Some(f(vm))
}

/// Parks an exception a callback raised, for the engine to stop on and [`lend`] to raise.
/// `message` is the exception in words, for the warning the engine writes when it
/// recovers on its own (a payload dissector that failed becomes Raw).
pub fn fail(e: Exc, message: String) {
    abort::raise(Box::new(e), message);
}

/// Whether a callback already failed: the others then return at once.
pub fn failed() -> bool {
    abort::pending()
}

/// Takes the exception a callback parked, if any.
pub fn take_failure() -> Option<Exc> {
    let f = abort::take()?;
    match f.error.downcast::<Exc>() {
        Ok(e) => Some(*e),
        // Only this module parks failures, always as exceptions; anything else is reported
        // in its own words.
        Err(_) => Some(Exc::new(
            super::exceptions::ExcKind::RuntimeError,
            f.message,
        )),
    }
}
