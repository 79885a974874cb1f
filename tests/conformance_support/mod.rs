//! Shared by the language conformance tests (lang_differential.rs, lang_names.rs): the campaign
//! files of `campaigns/selftest/language/` read with wirecraft's own campaign parser, so the
//! snippets are exactly the lines the runner gives the console.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use wirecraft::campaign::parse;

/// Where the conformance campaigns live, relative to the crate root.
pub const LANGUAGE_DIR: &str = "campaigns/selftest/language";

/// One unit test of a conformance campaign.
#[derive(Clone, Debug)]
pub struct Snippet {
    /// The campaign path relative to the crate root, as tracebacks name it.
    pub file: String,
    pub name: String,
    /// Line of the `=` header.
    pub line: u32,
    pub keywords: Vec<String>,
    /// The console lines (1-based line number in the file, text).
    pub lines: Vec<(u32, String)>,
}

impl Snippet {
    /// The snippet's code, one line per step.
    pub fn code(&self) -> String {
        let mut s = String::new();
        for (_, t) in &self.lines {
            s.push_str(t);
            s.push('\n');
        }
        s
    }
}

/// The crate root (integration tests run there, but say so explicitly).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The conformance campaign files, sorted, as paths relative to the crate root.
pub fn language_files() -> Vec<String> {
    campaign_files_in(LANGUAGE_DIR)
}

/// The `.uts` files of `dir` (relative to the crate root), sorted.
pub fn campaign_files_in(dir: &str) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(root().join(dir)) else {
        return Vec::new();
    };
    let mut files: Vec<String> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".uts"))
        .map(|n| format!("{dir}/{n}"))
        .collect();
    files.sort();
    files
}

/// Reads a campaign file (path relative to the crate root) into its text and snippets.
pub fn load(file: &str) -> Result<(String, Vec<Snippet>), String> {
    let full = root().join(file);
    let bytes = std::fs::read(&full).map_err(|e| format!("{file}: cannot read: {e}"))?;
    let text = parse::decode(file, &bytes).map_err(|e| format!("{file}: {}", e.message))?;
    let parsed = parse::parse(file, text.clone(), 0)
        .map_err(|e| format!("{}:{}:{}: {}", e.path, e.line, e.col, e.message))?;
    let mut out = Vec::new();
    for campaign in &parsed.campaigns {
        for test in campaign.tests() {
            out.push(Snippet {
                file: file.to_string(),
                name: test.name.clone(),
                line: test.line,
                keywords: test.keywords.clone(),
                lines: test
                    .console_lines()
                    .into_iter()
                    .map(|s| (s.line, s.text))
                    .collect(),
            });
        }
    }
    Ok((text, out))
}

/// Every snippet of the conformance campaigns; unreadable files are reported in the error list.
pub fn all_snippets() -> (Vec<Snippet>, Vec<String>) {
    let mut snippets = Vec::new();
    let mut errors = Vec::new();
    for f in language_files() {
        match load(&f) {
            Ok((_, s)) => snippets.extend(s),
            Err(e) => errors.push(e),
        }
    }
    (snippets, errors)
}

/// Whether `path` exists relative to the crate root.
pub fn exists(path: &str) -> bool {
    Path::new(&root().join(path)).exists()
}
