//! Rendering the report model through minijinja templates.
//!
//! The templates in `reports/` are embedded in the binary; `--templates DIR` overrides any of
//! them by file name (a directory holding only `text.j2` overrides only the text report).

use std::path::{Path, PathBuf};

use minijinja::{Environment, Value};

use super::model::Report;

/// The report formats (`-f`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    Ansi,
    Html,
    Latex,
    Xunit,
    /// Streams transcripts while running; writes no report.
    Live,
}

impl Format {
    /// Parses `-f`'s value, case-insensitively, as UTScapy does.
    pub fn parse(name: &str) -> Option<Format> {
        Some(match name.to_ascii_lowercase().as_str() {
            "text" => Format::Text,
            "ansi" => Format::Ansi,
            "html" => Format::Html,
            "latex" => Format::Latex,
            "xunit" => Format::Xunit,
            "live" => Format::Live,
            _ => return None,
        })
    }

    /// The template that renders this format, if it writes a report.
    pub fn template(self) -> Option<&'static str> {
        match self {
            Format::Text | Format::Ansi => Some("text.j2"),
            Format::Html => Some("html.j2"),
            Format::Latex => Some("latex.j2"),
            Format::Xunit => Some("xunit.j2"),
            Format::Live => None,
        }
    }
}

/// The embedded templates and assets, by file name.
const EMBEDDED: &[(&str, &str)] = &[
    ("text.j2", include_str!("../../reports/text.j2")),
    ("html.j2", include_str!("../../reports/html.j2")),
    ("latex.j2", include_str!("../../reports/latex.j2")),
    ("xunit.j2", include_str!("../../reports/xunit.j2")),
    ("wirecraft.css", include_str!("../../reports/wirecraft.css")),
    ("wirecraft.js", include_str!("../../reports/wirecraft.js")),
];

/// The files the HTML report links with `-l`, written beside it.
pub const HTML_ASSETS: &[&str] = &["wirecraft.css", "wirecraft.js"];

/// Text for XML 1.0 (attributes and content): markup escaped, and the characters XML forbids
/// (control characters but tab and line breaks) shown as `\xNN` so the document still parses.
pub fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out
}

/// Non-ASCII characters pdflatex's default fonts can set (through their accents); any other
/// character is written as `<U+XXXX>` so the document always compiles.
fn tex_char_ok(c: char) -> bool {
    c.is_ascii() || "àáâãäåçèéêëìíîïñòóôõöùúûüýÿÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖÙÚÛÜÝßæøœÆØŒ".contains(c)
}

fn tex_unicode(c: char, out: &mut String) {
    out.push_str(&format!(
        "\\textless{{}}U+{:04X}\\textgreater{{}}",
        c as u32
    ));
}

/// Text for LaTeX's running text: every special character escaped.
pub fn tex_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\textbackslash{}"),
            '{' | '}' | '$' | '&' | '#' | '_' | '%' => {
                out.push('\\');
                out.push(c);
            }
            '^' => out.push_str("\\textasciicircum{}"),
            '~' => out.push_str("\\textasciitilde{}"),
            '<' => out.push_str("\\textless{}"),
            '>' => out.push_str("\\textgreater{}"),
            '|' => out.push_str("\\textbar{}"),
            '"' => out.push_str("\\textquotedbl{}"),
            '\n' => out.push('\n'),
            c if c.is_control() => {}
            c if tex_char_ok(c) => out.push(c),
            c => tex_unicode(c, &mut out),
        }
    }
    out
}

/// Width at which transcript lines are wrapped in LaTeX (alltt does not wrap by itself).
const TEX_WRAP: usize = 90;

/// A transcript for LaTeX's alltt environment: `\`, `{`, `}` escaped, control characters
/// dropped, long lines wrapped.
pub fn tex_verbatim(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for line in text.trim_end_matches('\n').split('\n') {
        let mut width = 0;
        for c in line.chars() {
            if width == TEX_WRAP {
                out.push('\n');
                width = 0;
            }
            width += 1;
            match c {
                '\\' => out.push_str("\\textbackslash{}"),
                '{' => out.push_str("\\{"),
                '}' => out.push_str("\\}"),
                '\t' => out.push_str("    "),
                c if c.is_control() => {}
                c if tex_char_ok(c) => out.push(c),
                c => tex_unicode(c, &mut out),
            }
        }
        out.push('\n');
    }
    out.pop();
    out
}

/// ANSI styles of UTScapy's default theme.
fn ansi_style(name: &str) -> Option<&'static str> {
    Some(match name {
        "green" => "\x1b[32m",
        "success" | "prompt" => "\x1b[34m\x1b[1m",
        "fail" => "\x1b[31m\x1b[1m",
        "red" => "\x1b[31m",
        _ => return None,
    })
}

/// Wraps `text` in an ANSI style (no-op for an unknown or empty style name).
pub fn paint(text: &str, style: &str) -> String {
    match ansi_style(style) {
        Some(code) => format!("{code}{text}\x1b[0m"),
        None => text.to_string(),
    }
}

/// Colors the console prompts at the start of lines.
pub fn paint_prompts(transcript: &str) -> String {
    let mut out = String::with_capacity(transcript.len() + 64);
    for line in transcript.split_inclusive('\n') {
        match line.get(..4) {
            Some(p @ (">>> " | "... ")) => {
                out.push_str(&paint(p, "prompt"));
                out.push_str(&line[4..]);
            }
            _ => out.push_str(line),
        }
    }
    out
}

/// Renders reports from the embedded or overriding templates.
pub struct Renderer {
    templates: Option<PathBuf>,
}

impl Renderer {
    /// `templates`: the `--templates DIR`, if any.
    pub fn new(templates: Option<&Path>) -> Renderer {
        Renderer {
            templates: templates.map(Path::to_path_buf),
        }
    }

    fn environment(&self, color: bool) -> Environment<'static> {
        let mut env = Environment::new();
        let dir = self.templates.clone();
        env.set_loader(move |name| {
            if let Some(dir) = &dir {
                let path = dir.join(name);
                if path.is_file() {
                    return std::fs::read_to_string(&path).map(Some).map_err(|e| {
                        minijinja::Error::new(
                            minijinja::ErrorKind::TemplateNotFound,
                            format!("cannot read template {}: {e}", path.display()),
                        )
                    });
                }
            }
            Ok(EMBEDDED
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, src)| src.to_string()))
        });
        env.add_filter(
            "color",
            move |text: String, style: String| {
                if color {
                    paint(&text, &style)
                } else {
                    text
                }
            },
        );
        env.set_auto_escape_callback(|name| {
            if name == "html.j2" {
                minijinja::AutoEscape::Html
            } else {
                minijinja::AutoEscape::None
            }
        });
        env.add_filter("xml", |text: String| xml_escape(&text));
        env.add_filter("tex", |text: String| tex_escape(&text));
        env.add_filter("tex_verbatim", |text: String| tex_verbatim(&text));
        env.add_filter(
            "prompts",
            move |text: String| {
                if color {
                    paint_prompts(&text)
                } else {
                    text
                }
            },
        );
        env
    }

    /// The text of an asset (`wirecraft.css`, ...), from `--templates` if it has it.
    pub fn asset(&self, name: &str) -> Result<String, String> {
        if let Some(dir) = &self.templates {
            let path = dir.join(name);
            if path.is_file() {
                return std::fs::read_to_string(&path)
                    .map_err(|e| format!("cannot read {}: {e}", path.display()));
            }
        }
        EMBEDDED
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, src)| src.to_string())
            .ok_or_else(|| format!("no report asset named {name}"))
    }

    /// Renders `report` in `format`; `Ok(None)` for formats that write no report (live).
    pub fn render(&self, report: &Report, format: Format) -> Result<Option<String>, String> {
        let Some(name) = format.template() else {
            return Ok(None);
        };
        let env = self.environment(report.color);
        let template = env
            .get_template(name)
            .map_err(|e| format!("report template {name}: {e:#}"))?;
        template
            .render(Value::from_serialize(report))
            .map(Some)
            .map_err(|e| format!("report template {name}: {e:#}"))
    }
}
