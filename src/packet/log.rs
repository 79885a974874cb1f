//! Warnings, as Scapy logs them (`WARNING: ...` lines in the transcript). Dissection collects
//! its warnings in the [`super::Dissection`] it returns and also appends them to this
//! thread's log, which the session drains into the transcript after each statement.

use std::cell::RefCell;

thread_local! {
    static LOG: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

/// Records a warning in a dissection's list.
pub fn warning(into: &mut Vec<String>, msg: String) {
    into.push(msg);
}

/// Logs a warning on this thread (what Scapy's `warning(msg)` does).
pub fn log_warning(msg: impl Into<String>) {
    LOG.with(|l| l.borrow_mut().push(msg.into()));
}

/// Appends several warnings to this thread's log.
pub fn log_all(msgs: &[String]) {
    if !msgs.is_empty() {
        LOG.with(|l| l.borrow_mut().extend_from_slice(msgs));
    }
}

/// Takes the warnings logged on this thread since the last call, oldest first.
pub fn take_warnings() -> Vec<String> {
    LOG.with(|l| std::mem::take(&mut *l.borrow_mut()))
}

/// A warning as the transcript shows it (Scapy's log format).
pub fn format_warning(msg: &str) -> String {
    format!("WARNING: {msg}")
}
