//! The session: Python's interactive console (`code.InteractiveInterpreter` in 'single' mode,
//! as UTScapy drives it) and module execution, over the parser, resolver and interpreter.

use std::rc::Rc;

use super::ast::Stmt;
use super::error::SyntaxErr;
use super::exceptions::{exception_line, Exc, ExcKind};
use super::interp::{State, Vm};
use super::lexer;
use super::parser::{self, ParseFail};
use super::resolve::{self, Mode};
use super::source::SourceUnit;
use super::{ExceptionInfo, Outcome, SourceLine, StopFlag, StopReason, TranscriptSink};

/// One campaign file's interpreter: variables persist from test to test.
pub struct Session {
    file: Rc<str>,
    state: State,
    /// The parsed lines of the block being typed (see [`parser::LineCache`]).
    line_cache: parser::LineCache,
}

/// What the console does with the lines typed so far.
enum Step {
    /// More lines are needed (`... ` prompt).
    Incomplete,
    /// A complete statement, parsed and resolved, with the compiler's SyntaxWarnings.
    Ready(Vec<Stmt>, Rc<SourceUnit>, Vec<(u32, String)>),
    /// A syntax error to show.
    Error(SyntaxErr, Rc<SourceUnit>),
}

impl Session {
    /// A fresh session whose tracebacks name `file_name` (the campaign path as the user gave it).
    pub fn new(file_name: &str, stop: StopFlag) -> Session {
        Session {
            file: Rc::from(file_name),
            state: State::new(stop),
            line_cache: parser::LineCache::default(),
        }
    }

    /// Runs a unit test's source lines as an interactive console.
    pub fn run_console(
        &mut self,
        lines: &[SourceLine<'_>],
        sink: &mut dyn TranscriptSink,
    ) -> Outcome {
        self.state.echo_result = None;
        let mut pending: Vec<(u32, &str)> = Vec::new();
        let last_line = lines.last().map(|l| l.line).unwrap_or(0);
        for l in lines {
            sink.write(if pending.is_empty() { ">>> " } else { "... " });
            sink.write(l.text);
            sink.write("\n");
            pending.push((l.line, l.text));
            match self.step(&pending, false) {
                Step::Incomplete => continue,
                Step::Ready(stmts, unit, warnings) => {
                    pending.clear();
                    write_warnings(&warnings, &unit, sink);
                    if let Some(out) = self.run(&stmts, &unit, sink) {
                        return out;
                    }
                }
                Step::Error(e, unit) => return self.syntax_error(&e, &unit, sink),
            }
        }
        if !pending.is_empty() {
            // Python's console needs an empty line to end a compound statement.
            sink.write("... \n");
            pending.push((last_line + 1, ""));
            match self.step(&pending, true) {
                Step::Incomplete => {}
                Step::Ready(stmts, unit, warnings) => {
                    write_warnings(&warnings, &unit, sink);
                    if let Some(out) = self.run(&stmts, &unit, sink) {
                        return out;
                    }
                }
                Step::Error(e, unit) => return self.syntax_error(&e, &unit, sink),
            }
        }
        Outcome::Completed {
            result: self.state.echo_result,
        }
    }

    /// Runs a whole file as a module (for `-m FILE`): no prompts, no echo; printed output goes
    /// to sink.
    pub fn run_module(
        &mut self,
        file_name: &str,
        source: &str,
        sink: &mut dyn TranscriptSink,
    ) -> Outcome {
        let unit = Rc::new(SourceUnit::module(Rc::from(file_name), source));
        let mut stmts = match parser::parse(&unit, &mut self.state.interner) {
            Ok(s) => s,
            Err(ParseFail::Incomplete(e) | ParseFail::Error(e)) => {
                return self.syntax_error(&e, &unit, sink)
            }
        };
        if let Err(e) = resolve::resolve(&mut stmts, &unit, &self.state.interner, Mode::Module) {
            return self.syntax_error(&e, &unit, sink);
        }
        match self.run(&stmts, &unit, sink) {
            Some(out) => out,
            None => Outcome::Completed { result: None },
        }
    }

    /// Writes a `WARNING: msg` line, as the engine's logger does in UTScapy transcripts.
    pub fn warning(&mut self, sink: &mut dyn TranscriptSink, msg: &str) {
        sink.write(&format!("WARNING: {msg}\n"));
    }

    /// Decides, like `codeop`, whether the pending lines form a complete statement.
    fn step(&mut self, pending: &[(u32, &str)], last: bool) -> Step {
        let step = self.check_pending(pending, last);
        if !matches!(step, Step::Incomplete) {
            // The next block starts elsewhere: its lines have other numbers.
            self.line_cache.clear();
        }
        step
    }

    fn check_pending(&mut self, pending: &[(u32, &str)], last: bool) -> Step {
        let unit = Rc::new(SourceUnit::lines(self.file.clone(), pending));
        let logical = match lexer::split(&unit.text) {
            lexer::LexOutcome::Lines(l) => l,
            lexer::LexOutcome::Incomplete(e) => {
                return if last {
                    Step::Error(e, unit)
                } else {
                    Step::Incomplete
                };
            }
            lexer::LexOutcome::OpenBracket(e, start) => {
                // `print("a" b` can never be completed: report it now, as codeop does.
                if let Some(err) = parser::error_before_end(&unit, start, &mut self.state.interner)
                {
                    return Step::Error(err, unit);
                }
                return if last {
                    Step::Error(e, unit)
                } else {
                    Step::Incomplete
                };
            }
            lexer::LexOutcome::Error(e) => return Step::Error(e, unit),
        };
        let Some(first) = logical.first() else {
            return Step::Ready(Vec::new(), unit, Vec::new());
        };
        let compound = first
            .first_word
            .as_deref()
            .is_some_and(parser::is_compound_keyword);
        // An open compound block comes back with more lines: keep what was parsed.
        let ended = pending.last().is_some_and(|(_, t)| t.trim().is_empty());
        let keep = compound && !ended && !last;
        let parsed =
            parser::parse_cached(&unit, &mut self.state.interner, &mut self.line_cache, keep);
        if let Err(ParseFail::Error(e)) = parsed {
            return Step::Error(e, unit);
        }
        if compound {
            // In 'single' mode a second statement may not follow a compound one without the
            // blank line that ends it.
            let base = first.indent;
            // Decorators and the `def`/`class` they decorate form one statement.
            let mut skip = 1;
            if first.first_word.as_deref() == Some("@") {
                while let Some(l) = logical.get(skip) {
                    skip += 1;
                    if l.indent == base && l.first_word.as_deref() != Some("@") {
                        break;
                    }
                }
            }
            let rest = logical.get(skip..).unwrap_or(&[]);
            if let Some(extra) = rest.iter().find(|l| {
                l.indent <= base
                    && !l
                        .first_word
                        .as_deref()
                        .is_some_and(parser::is_continuation_keyword)
            }) {
                let text = &unit.text[extra.start..];
                let len = text
                    .char_indices()
                    .find(|(_, c)| !(c.is_alphanumeric() || *c == '_'))
                    .map(|(i, _)| i)
                    .unwrap_or(text.len())
                    .max(1);
                return Step::Error(
                    SyntaxErr::new("invalid syntax", extra.start, extra.start + len),
                    unit,
                );
            }
        }
        let stmts = match parsed {
            Ok(s) => s,
            Err(ParseFail::Incomplete(e)) => {
                return if last {
                    Step::Error(e, unit)
                } else {
                    Step::Incomplete
                };
            }
            Err(ParseFail::Error(e)) => return Step::Error(e, unit),
        };
        if keep {
            return Step::Incomplete;
        }
        let mut stmts = stmts;
        match resolve::resolve_with_warnings(&mut stmts, &unit, &self.state.interner, Mode::Console)
        {
            Ok(warnings) => Step::Ready(stmts, unit, warnings),
            Err(e) => Step::Error(e, unit),
        }
    }

    /// Runs resolved statements; `Some(outcome)` when the test must stop.
    fn run(
        &mut self,
        stmts: &[Stmt],
        unit: &Rc<SourceUnit>,
        sink: &mut dyn TranscriptSink,
    ) -> Option<Outcome> {
        let stop = self.state.stop.clone();
        let mut vm = Vm {
            st: &mut self.state,
            sink,
            unit: unit.clone(),
        };
        let r = vm.run_module_stmts(stmts, unit);
        match r {
            Ok(()) => None,
            Err(Exc::Timeout) => Some(Outcome::Stopped(StopReason::Timeout)),
            Err(Exc::Raise(raised)) => {
                let (text, message) = vm.format_exception(&raised);
                vm.sink.write(&text);
                let kind = raised.exc.kind();
                if kind == ExcKind::KeyboardInterrupt
                    && stop.requested() == Some(StopReason::Interrupt)
                {
                    return Some(Outcome::Stopped(StopReason::Interrupt));
                }
                Some(Outcome::Raised(ExceptionInfo {
                    type_name: raised.exc.type_name(),
                    message,
                    is_assertion: kind.is_a(ExcKind::AssertionError),
                }))
            }
        }
    }

    /// Shows a syntax error as Python 3.11's console does (no "Traceback" header).
    fn syntax_error(
        &mut self,
        e: &SyntaxErr,
        unit: &SourceUnit,
        sink: &mut dyn TranscriptSink,
    ) -> Outcome {
        sink.write(&format_syntax_error(e, unit));
        let line = unit.line_of_offset(e.start);
        Outcome::Raised(ExceptionInfo {
            type_name: e.kind.to_string(),
            message: format!("{} ({}, line {})", e.msg, unit.file, line),
            is_assertion: false,
        })
    }
}

/// Formats a syntax error: file and line, the source line, a caret line, the message.
pub fn format_syntax_error(e: &SyntaxErr, unit: &SourceUnit) -> String {
    let line = unit.line_of_offset(e.start);
    let mut out = format!("  File \"{}\", line {}\n", unit.file, line);
    let start = e.start.min(unit.text.len());
    let line_start = unit.text[..start].rfind('\n').map(|p| p + 1).unwrap_or(0);
    let line_end = unit.text[line_start..]
        .find('\n')
        .map(|p| p + line_start)
        .unwrap_or(unit.text.len());
    let text = &unit.text[line_start..line_end];
    let trimmed = text.trim_start();
    let indent = text.len() - trimmed.len();
    let shown = trimmed.trim_end();
    if !shown.is_empty() {
        out.push_str(&format!("    {shown}\n"));
        if e.caret {
            let col = unit.text[line_start..start]
                .chars()
                .count()
                .saturating_sub(text[..indent].chars().count());
            let end = e.end.min(line_end).max(start + 1);
            let width = unit.text[start.min(line_end)..end.min(unit.text.len())]
                .chars()
                .count()
                .max(1);
            out.push_str(&format!("    {}{}\n", " ".repeat(col), "^".repeat(width)));
        }
    }
    out.push_str(&exception_line(e.kind, &e.msg));
    out
}

/// The compiler's SyntaxWarnings as Python's warnings module shows them:
/// `file:line: SyntaxWarning: message` and the source line.
fn write_warnings(warnings: &[(u32, String)], unit: &SourceUnit, sink: &mut dyn TranscriptSink) {
    for (line, msg) in warnings {
        sink.write(&format!("{}:{line}: SyntaxWarning: {msg}\n", unit.file));
        if let Some(text) = unit.line_text(*line) {
            sink.write(&format!("  {}\n", text.trim()));
        }
    }
}
