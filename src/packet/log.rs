//! Messages the engine logs, as Scapy logs them: warnings (`WARNING: ...` lines in the
//! transcript, e.g. "MAC address to reach destination not found. Using broadcast.") and
//! informational notes Scapy logs below the default level (a dissection's "bad dataofs
//! (2). Assuming dataofs=5"). Each thread (session) has its own log, drained by the
//! session after each statement.

use std::cell::RefCell;

/// How loud a message is (Scapy's logging levels that the engine uses).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    /// `log_runtime.info`: not shown by default.
    Info,
    /// `warning(...)`: shown in the transcript.
    Warning,
}

thread_local! {
    static LOG: RefCell<Vec<(Level, String)>> = const { RefCell::new(Vec::new()) };
}

/// Records a note in a dissection's list (see [`super::Dissection::warnings`]).
pub fn warning(into: &mut Vec<String>, msg: String) {
    into.push(msg);
}

/// Logs a warning on this thread (what Scapy's `warning(msg)` does).
pub fn log_warning(msg: impl Into<String>) {
    LOG.with(|l| l.borrow_mut().push((Level::Warning, msg.into())));
}

/// Logs an informational note on this thread (`log_runtime.info`).
pub fn log_info(msg: impl Into<String>) {
    LOG.with(|l| l.borrow_mut().push((Level::Info, msg.into())));
}

/// Logs a dissection's notes (Scapy logs those at the info level).
pub fn log_all(msgs: &[String]) {
    if !msgs.is_empty() {
        LOG.with(|l| {
            l.borrow_mut()
                .extend(msgs.iter().map(|m| (Level::Info, m.clone())))
        });
    }
}

/// Takes every message logged on this thread since the last take, oldest first.
pub fn take_log() -> Vec<(Level, String)> {
    LOG.with(|l| std::mem::take(&mut *l.borrow_mut()))
}

/// Takes the warnings logged on this thread (dropping the informational notes).
pub fn take_warnings() -> Vec<String> {
    take_log()
        .into_iter()
        .filter(|(lvl, _)| *lvl == Level::Warning)
        .map(|(_, m)| m)
        .collect()
}

/// A warning as the transcript shows it (Scapy's log format).
pub fn format_warning(msg: &str) -> String {
    format!("WARNING: {msg}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_are_kept_apart() {
        take_log();
        log_info("bad dataofs (2). Assuming dataofs=5");
        log_warning("MAC address to reach destination not found. Using broadcast.");
        assert_eq!(
            take_warnings(),
            vec!["MAC address to reach destination not found. Using broadcast.".to_string()]
        );
        assert!(take_log().is_empty());
        assert_eq!(format_warning("x"), "WARNING: x");
    }
}
