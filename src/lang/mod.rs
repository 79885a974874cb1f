//! The campaign language: the subset of Python 3 in which campaign steps are written
//! (../shared/design/language.md), parsed by `grammar/lang.pest` and run by a tree-walking
//! interpreter over a resolved AST.
//!
//! The runner talks to this module through [`Session`] only:
//! - one `Session` per campaign file (variables persist from test to test);
//! - [`Session::run_console`] runs one unit test's steps as Python's interactive console
//!   would, writing the transcript (`>>> `/`... ` prompts, printed output, echoed reprs,
//!   tracebacks) to a [`TranscriptSink`] as it goes;
//! - a [`StopFlag`] shared with the runner's watchdog and SIGINT handler stops a running test.
//!
//! CONTRACT (fixed; the runner relies on it):
//!
//! ```ignore
//! pub struct Session { .. }
//! impl Session {
//!     /// A fresh session whose tracebacks name `file_name` (the campaign path as the user gave it).
//!     pub fn new(file_name: &str, stop: StopFlag) -> Session;
//!     /// Runs a unit test's source lines as an interactive console.
//!     pub fn run_console(&mut self, lines: &[SourceLine<'_>], sink: &mut dyn TranscriptSink) -> Outcome;
//!     /// Runs a whole file as a module (for `-m FILE`): no prompts, no echo; printed output goes to sink.
//!     pub fn run_module(&mut self, file_name: &str, source: &str, sink: &mut dyn TranscriptSink) -> Outcome;
//! }
//! ```

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

pub mod ast;
pub mod builtins;
pub mod callback;
pub mod classes;
pub mod console;
pub mod error;
pub mod exceptions;
pub mod format;
pub mod import_hook;
pub mod interp;
pub mod lexer;
pub mod methods;
pub mod modules;
pub mod names;
pub mod objects;
pub mod ops;
pub mod packets;
pub mod parser;
pub mod printf;
pub mod resolve;
pub mod settable;
pub mod siphash;
pub mod source;
pub mod subclass;
pub mod symbols;
pub mod value;

pub use console::Session;
pub use exceptions::Exc;

/// Where a test's transcript goes: a report buffer, or stdout for `-f live`.
pub trait TranscriptSink {
    /// Appends text (already formatted, newlines included) to the transcript.
    fn write(&mut self, text: &str);
}

impl TranscriptSink for String {
    fn write(&mut self, text: &str) {
        self.push_str(text);
    }
}

/// One source line of a step, with its 1-based line number in the campaign file.
#[derive(Clone, Copy, Debug)]
pub struct SourceLine<'a> {
    pub line: u32,
    pub text: &'a str,
}

/// Why a test was stopped from outside.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopReason {
    /// The per-test timeout (`--timeout`) expired.
    Timeout,
    /// SIGINT (Ctrl-C).
    Interrupt,
}

/// A flag the runner sets asynchronously (watchdog thread, signal handler) and the interpreter
/// polls at loop back-edges, calls and blocking builtins (one relaxed atomic load).
#[derive(Clone, Default, Debug)]
pub struct StopFlag(Arc<AtomicUsize>);

impl StopFlag {
    const RUN: usize = 0;
    const TIMEOUT: usize = 1;
    const INTERRUPT: usize = 2;

    pub fn new() -> StopFlag {
        StopFlag::default()
    }
    /// The shared atomic, for `signal_hook::flag::register_usize(SIGINT, .., 2)`.
    pub fn atomic(&self) -> Arc<AtomicUsize> {
        self.0.clone()
    }
    /// The value the SIGINT handler stores.
    pub const INTERRUPT_VALUE: usize = Self::INTERRUPT;
    pub fn request(&self, reason: StopReason) {
        let v = match reason {
            StopReason::Timeout => Self::TIMEOUT,
            StopReason::Interrupt => Self::INTERRUPT,
        };
        // An interrupt wins over a timeout: Ctrl-C ends the whole run.
        let _ = self
            .0
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |cur| {
                if cur == Self::INTERRUPT {
                    None
                } else {
                    Some(v)
                }
            });
    }
    /// Clears a timeout before the next test (an interrupt stays set).
    pub fn clear_timeout(&self) {
        let _ =
            self.0
                .compare_exchange(Self::TIMEOUT, Self::RUN, Ordering::SeqCst, Ordering::SeqCst);
    }
    /// What was requested, if anything.
    #[inline]
    pub fn requested(&self) -> Option<StopReason> {
        match self.0.load(Ordering::Relaxed) {
            Self::RUN => None,
            Self::TIMEOUT => Some(StopReason::Timeout),
            _ => Some(StopReason::Interrupt),
        }
    }
}

/// An exception that escaped a test, as the report needs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExceptionInfo {
    /// The class name, `AssertionError`, `NameError`, `SyntaxError`, ...
    pub type_name: String,
    /// `str(exception)`, possibly empty.
    pub message: String,
    /// True for AssertionError and its subclasses (a failure rather than an error in xUnit).
    pub is_assertion: bool,
}

/// How running a test's steps ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Every statement ran. `result` is the truth value of the last echoed value
    /// (None when nothing was echoed): the test passes unless it is `Some(false)`.
    Completed { result: Option<bool> },
    /// An exception escaped (its traceback already ends the transcript).
    Raised(ExceptionInfo),
    /// Stopped by the runner; the transcript holds what ran before.
    Stopped(StopReason),
}
