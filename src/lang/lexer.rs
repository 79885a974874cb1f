//! The pre-pass before pest: splits source text into logical lines and measures indentation.
//!
//! Python's block structure (INDENT/DEDENT) cannot be expressed in a PEG without a stack, and
//! the interactive console must also know whether input is *incomplete* (an open bracket, a
//! trailing backslash, an unterminated triple-quoted string) before parsing it. This pass knows
//! just enough of Python's tokens for both: strings, comments, brackets and continuation lines.
//! It also rejects constructs outside the subset by name (`yield`, `async`, ...), which gives a
//! better message than a generic parse error.

use super::error::SyntaxErr;

/// One logical line: physical lines joined by brackets or `\`, without its indentation.
#[derive(Clone, Debug)]
pub struct LogicalLine {
    /// Byte offset of the first token.
    pub start: usize,
    /// Byte offset just past the last character before the line's end (comment included).
    pub end: usize,
    /// Indentation width (tabs to the next multiple of 8, as Python's tokenizer does).
    pub indent: usize,
    /// The first word of the line, if it starts with an identifier or keyword.
    pub first_word: Option<String>,
}

/// The result of splitting: the lines, or why the source cannot be split.
#[derive(Debug)]
pub enum LexOutcome {
    /// Every logical line, in order.
    Lines(Vec<LogicalLine>),
    /// The source ends inside a bracket, string or continuation: more input may complete it.
    Incomplete(SyntaxErr),
    /// The source ends inside brackets opened on the logical line starting at `.1`: the
    /// parser decides whether what is there so far can still be completed.
    OpenBracket(SyntaxErr, usize),
    /// The source is wrong whatever follows.
    Error(SyntaxErr),
}

/// Maximum bracket nesting (CPython's limit, whose message we reuse).
pub const MAX_PAREN_DEPTH: usize = 200;
/// Maximum indentation levels (CPython's limit).
pub const MAX_INDENT_LEVELS: usize = 100;

/// Keywords and operators of constructs outside the subset, with the name the error gives.
fn unsupported_keyword(word: &str) -> Option<&'static str> {
    Some(match word {
        "yield" => "`yield` is not supported",
        "async" => "`async` is not supported",
        "await" => "`await` is not supported",
        _ => return None,
    })
}

fn is_ident_start(c: char) -> bool {
    c == '_' || c.is_alphabetic()
}

fn is_ident_continue(c: char) -> bool {
    c == '_' || c.is_alphanumeric()
}

/// Splits `src` into logical lines.
pub fn split(src: &str) -> LexOutcome {
    let bytes = src.as_bytes();
    let mut lines = Vec::new();
    let mut i = 0usize;
    let n = bytes.len();
    // Open brackets: (char, offset).
    let mut brackets: Vec<(u8, usize)> = Vec::new();
    loop {
        // Start of a physical line outside brackets: measure indentation.
        let mut indent = 0usize;
        while i < n {
            match bytes[i] {
                b' ' => indent += 1,
                b'\t' => indent = (indent / 8 + 1) * 8,
                b'\x0c' => indent = 0,
                _ => break,
            }
            i += 1;
        }
        if i >= n {
            break;
        }
        // Blank or comment-only lines are not logical lines.
        if bytes[i] == b'#' {
            while i < n && bytes[i] != b'\n' {
                i += 1;
            }
        }
        if i < n && (bytes[i] == b'\n' || bytes[i] == b'\r') {
            i += 1;
            continue;
        }
        if i >= n {
            break;
        }
        let start = i;
        let mut end = i;
        let mut first_word: Option<String> = None;
        // Scan tokens to the end of the logical line.
        while i < n {
            let c = bytes[i];
            match c {
                b'\n' | b'\r' => {
                    if brackets.is_empty() {
                        break;
                    }
                    i += 1;
                }
                b'#' => {
                    while i < n && bytes[i] != b'\n' && bytes[i] != b'\r' {
                        i += 1;
                    }
                    end = i;
                }
                b'\\' => {
                    // A continuation: backslash immediately before the newline.
                    if i + 1 >= n {
                        return LexOutcome::Incomplete(SyntaxErr::new(
                            "unexpected EOF while parsing",
                            i,
                            i + 1,
                        ));
                    }
                    if bytes[i + 1] == b'\n' {
                        i += 2;
                        if i >= n {
                            return LexOutcome::Incomplete(SyntaxErr::new(
                                "unexpected EOF while parsing",
                                i - 2,
                                i - 1,
                            ));
                        }
                        continue;
                    }
                    if bytes[i + 1] == b'\r' {
                        i += 2;
                        if i < n && bytes[i] == b'\n' {
                            i += 1;
                        }
                        continue;
                    }
                    return LexOutcome::Error(SyntaxErr::new(
                        "unexpected character after line continuation character",
                        i,
                        i + 1,
                    ));
                }
                b'(' | b'[' | b'{' => {
                    brackets.push((c, i));
                    if brackets.len() > MAX_PAREN_DEPTH {
                        return LexOutcome::Error(SyntaxErr::new(
                            "too many nested parentheses",
                            i,
                            i + 1,
                        ));
                    }
                    i += 1;
                    end = i;
                }
                b')' | b']' | b'}' => {
                    let want = match c {
                        b')' => b'(',
                        b']' => b'[',
                        _ => b'{',
                    };
                    match brackets.pop() {
                        None => {
                            return LexOutcome::Error(SyntaxErr::new(
                                format!("unmatched '{}'", c as char),
                                i,
                                i + 1,
                            ))
                        }
                        Some((open, at)) if open != want => {
                            let (line, _) = line_col(src, at);
                            let (here, _) = line_col(src, i);
                            let msg = if line == here {
                                format!(
                                    "closing parenthesis '{}' does not match opening parenthesis '{}'",
                                    c as char, open as char
                                )
                            } else {
                                format!(
                                    "closing parenthesis '{}' does not match opening parenthesis '{}' on line {}",
                                    c as char,
                                    open as char,
                                    line + 1
                                )
                            };
                            return LexOutcome::Error(SyntaxErr::new(msg, i, i + 1));
                        }
                        Some(_) => {}
                    }
                    i += 1;
                    end = i;
                }
                b'\'' | b'"' => match scan_string(src, i, i) {
                    Ok(e) => {
                        i = e;
                        end = i;
                    }
                    Err(out) => return out,
                },
                b':' if i + 1 < n && bytes[i + 1] == b'=' => {
                    return LexOutcome::Error(SyntaxErr::new(
                        "the walrus operator `:=` is not supported",
                        i,
                        i + 2,
                    ));
                }
                b'@' => {
                    // A decorator starts its line; `a @ b` (matrix product) is not in the subset.
                    if i != start {
                        return LexOutcome::Error(SyntaxErr::new(
                            "the `@` operator is not supported",
                            i,
                            i + 1,
                        ));
                    }
                    first_word = Some("@".to_string());
                    i += 1;
                    end = i;
                }
                _ if c.is_ascii_digit() => {
                    // A number: letters and digits run together (`0x1F`, `1e5`, `1_000`).
                    while i < n
                        && (bytes[i].is_ascii_alphanumeric()
                            || bytes[i] == b'_'
                            || bytes[i] == b'.')
                    {
                        if (bytes[i] == b'e' || bytes[i] == b'E')
                            && i + 1 < n
                            && (bytes[i + 1] == b'+' || bytes[i + 1] == b'-')
                        {
                            i += 1;
                        }
                        i += 1;
                    }
                    end = i;
                }
                _ => {
                    let ch = src[i..].chars().next().unwrap_or(' ');
                    if is_ident_start(ch) {
                        let ws = i;
                        while i < n {
                            let ch = src[i..].chars().next().unwrap_or(' ');
                            if !is_ident_continue(ch) {
                                break;
                            }
                            i += ch.len_utf8();
                        }
                        let word = &src[ws..i];
                        // A string prefix (`b'..'`, `r".."`, `f'..'`).
                        if i < n && (bytes[i] == b'\'' || bytes[i] == b'"') && word.len() <= 2 {
                            let lower = word.to_ascii_lowercase();
                            if ["r", "b", "u", "rb", "br", "f", "rf", "fr"]
                                .contains(&lower.as_str())
                            {
                                match scan_string(src, ws, i) {
                                    Ok(e) => {
                                        i = e;
                                        end = i;
                                        continue;
                                    }
                                    Err(out) => return out,
                                }
                            }
                        }
                        if let Some(msg) = unsupported_keyword(word) {
                            return LexOutcome::Error(SyntaxErr::new(msg, ws, i));
                        }
                        if ws == start {
                            first_word = Some(word.to_string());
                        }
                        end = i;
                    } else {
                        i += ch.len_utf8();
                        if !ch.is_whitespace() {
                            end = i;
                        }
                    }
                }
            }
        }
        if !brackets.is_empty() {
            let (open, at) = brackets[brackets.len() - 1];
            return LexOutcome::OpenBracket(
                SyntaxErr::new(format!("'{}' was never closed", open as char), at, at + 1),
                start,
            );
        }
        lines.push(LogicalLine {
            start,
            end,
            indent,
            first_word,
        });
    }
    LexOutcome::Lines(lines)
}

/// Scans a string literal whose prefix starts at `start` and whose quote is at `q`; returns the
/// offset just past its closing quote.
fn scan_string(src: &str, start: usize, q: usize) -> Result<usize, LexOutcome> {
    let bytes = src.as_bytes();
    let n = bytes.len();
    let quote = bytes[q];
    let triple = q + 2 < n && bytes[q + 1] == quote && bytes[q + 2] == quote;
    let mut i = if triple { q + 3 } else { q + 1 };
    while i < n {
        let c = bytes[i];
        if c == b'\\' {
            i += 2;
            continue;
        }
        if triple {
            if c == quote && i + 2 < n && bytes[i + 1] == quote && bytes[i + 2] == quote {
                return Ok(i + 3);
            }
        } else if c == quote {
            return Ok(i + 1);
        } else if c == b'\n' || c == b'\r' {
            let (line, _) = line_col(src, start);
            return Err(LexOutcome::Error(SyntaxErr::new(
                format!(
                    "unterminated string literal (detected at line {})",
                    line + 1
                ),
                start,
                start + 1,
            )));
        }
        i += 1;
    }
    let (line, _) = line_col(src, n.saturating_sub(1));
    if triple {
        Err(LexOutcome::Incomplete(SyntaxErr::new(
            format!(
                "unterminated triple-quoted string literal (detected at line {})",
                line + 1
            ),
            start,
            start + 1,
        )))
    } else {
        Err(LexOutcome::Error(SyntaxErr::new(
            format!(
                "unterminated string literal (detected at line {})",
                line + 1
            ),
            start,
            start + 1,
        )))
    }
}

/// 0-based (line, column in chars) of a byte offset.
pub fn line_col(src: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(src.len());
    let before = &src[..floor_char_boundary(src, offset)];
    let line = before.matches('\n').count();
    let line_start = before.rfind('\n').map(|p| p + 1).unwrap_or(0);
    (line, before[line_start..].chars().count())
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(src: &str) -> Vec<(String, usize)> {
        match split(src) {
            LexOutcome::Lines(v) => v
                .iter()
                .map(|l| (src[l.start..l.end].to_string(), l.indent))
                .collect(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn joins_brackets_and_backslashes() {
        assert_eq!(
            lines("a = [1,\n  2]\nif x:\n    y \\\n  + 1\n"),
            vec![
                ("a = [1,\n  2]".to_string(), 0),
                ("if x:".to_string(), 0),
                ("y \\\n  + 1".to_string(), 4)
            ]
        );
    }

    #[test]
    fn skips_blank_and_comment_lines() {
        assert_eq!(lines("\n  # c\nx # d\n\n"), vec![("x # d".to_string(), 0)]);
    }

    #[test]
    fn strings_hide_brackets_and_hashes() {
        assert_eq!(lines("s = '(#'\nt = \"\"\"a\nb)\"\"\"\n").len(), 2);
    }

    #[test]
    fn incomplete_inputs() {
        assert!(matches!(split("a = (1,"), LexOutcome::OpenBracket(_, 0)));
        assert!(matches!(split("x = 1 + \\\n"), LexOutcome::Incomplete(_)));
        assert!(matches!(split("s = '''abc"), LexOutcome::Incomplete(_)));
    }

    #[test]
    fn errors_name_constructs() {
        for (src, msg) in [
            ("yield 3", "`yield` is not supported"),
            ("x = yield from y", "`yield` is not supported"),
            ("async def f(): pass", "`async` is not supported"),
            ("a = b @ c", "the `@` operator is not supported"),
            (
                "if (n := 3): pass",
                "the walrus operator `:=` is not supported",
            ),
            (
                "a = 'abc",
                "unterminated string literal (detected at line 1)",
            ),
            (
                "a = (1]",
                "closing parenthesis ']' does not match opening parenthesis '('",
            ),
            ("a = 1)", "unmatched ')'"),
        ] {
            match split(src) {
                LexOutcome::Error(e) => assert_eq!(e.msg, msg, "{src}"),
                other => panic!("{src}: {other:?}"),
            }
        }
    }

    #[test]
    fn nesting_limit() {
        let src = format!("{}1{}", "(".repeat(250), ")".repeat(250));
        match split(&src) {
            LexOutcome::Error(e) => assert_eq!(e.msg, "too many nested parentheses"),
            other => panic!("{other:?}"),
        }
    }
}
