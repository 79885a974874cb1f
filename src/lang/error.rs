//! Errors found before running: syntax and indentation errors, with their position.

/// A syntax error at a byte range of the source being compiled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxErr {
    /// `SyntaxError` or `IndentationError`.
    pub kind: &'static str,
    /// Python's message, e.g. "invalid syntax".
    pub msg: String,
    /// Byte offset where the caret starts.
    pub start: usize,
    /// Byte offset where the caret ends (exclusive); equal to start for no caret.
    pub end: usize,
    /// Whether to draw the caret line (CPython omits it for "unexpected indent").
    pub caret: bool,
}

impl SyntaxErr {
    /// A `SyntaxError` with a caret under `start..end`.
    pub fn new(msg: impl Into<String>, start: usize, end: usize) -> SyntaxErr {
        SyntaxErr {
            kind: "SyntaxError",
            msg: msg.into(),
            start,
            end: end.max(start + 1),
            caret: true,
        }
    }
    /// An `IndentationError`.
    pub fn indentation(msg: impl Into<String>, start: usize, end: usize, caret: bool) -> SyntaxErr {
        SyntaxErr {
            kind: "IndentationError",
            caret,
            ..SyntaxErr::new(msg, start, end)
        }
    }
}
