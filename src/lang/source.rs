//! Source text kept for tracebacks: which file, and the text of each line by its file line number.

use std::rc::Rc;

/// A compiled chunk of source (a console statement or a module) with its file name and lines.
#[derive(Debug)]
pub struct SourceUnit {
    /// The file name tracebacks show.
    pub file: Rc<str>,
    /// The joined text given to the lexer.
    pub text: String,
    /// File line number of each physical line of `text`.
    pub line_numbers: Vec<u32>,
}

impl SourceUnit {
    /// A unit of consecutive lines starting at file line 1 (a module).
    pub fn module(file: Rc<str>, text: &str) -> SourceUnit {
        let n = text.split('\n').count();
        SourceUnit {
            file,
            text: text.to_string(),
            line_numbers: (1..=n as u32).collect(),
        }
    }
    /// A unit built from numbered lines (a console input).
    pub fn lines(file: Rc<str>, lines: &[(u32, &str)]) -> SourceUnit {
        let text = lines.iter().map(|(_, t)| *t).collect::<Vec<_>>().join("\n");
        SourceUnit {
            file,
            text,
            line_numbers: lines.iter().map(|(n, _)| *n).collect(),
        }
    }
    /// The file line number of a byte offset in `text`.
    pub fn line_of_offset(&self, offset: usize) -> u32 {
        let (idx, _) = super::lexer::line_col(&self.text, offset);
        self.line_numbers
            .get(idx)
            .copied()
            .unwrap_or_else(|| self.line_numbers.last().copied().unwrap_or(1))
    }
    /// The text of a file line, if it belongs to this unit.
    pub fn line_text(&self, line: u32) -> Option<&str> {
        let idx = self.line_numbers.iter().position(|&n| n == line)?;
        self.text.split('\n').nth(idx)
    }
}

impl SourceUnit {
    /// The byte offset of the first non-blank character of a file line (for errors found
    /// after parsing, which know only the line).
    pub fn offset_of_line(&self, line: u32) -> usize {
        let idx = self
            .line_numbers
            .iter()
            .position(|&n| n == line)
            .unwrap_or(0);
        let mut off = 0;
        for (i, l) in self.text.split('\n').enumerate() {
            if i == idx {
                return off + (l.len() - l.trim_start().len());
            }
            off += l.len() + 1;
        }
        0
    }
}
