//! The campaign model: what a `.uts` file declares, before and after running.

/// One source line of a unit test's code, with its 1-based line number in the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    pub line: u32,
    pub text: String,
}

/// A unit test (`= name`).
#[derive(Clone, Debug, Default)]
pub struct UnitTest {
    /// Number from 0 in file order, continuing across campaigns and files (`-n` selects by it).
    pub num: usize,
    pub name: String,
    /// Line of the `=` header.
    pub line: u32,
    /// `*` comment lines, each with its text after the `*` and a newline.
    pub comments: String,
    /// Lowercase keywords in declaration order, inherited ones first.
    pub keywords: Vec<String>,
    /// The code lines, blank lines included, in file order.
    pub steps: Vec<Step>,
    /// CRC32 of the stripped code, when signatures are on.
    pub crc: Option<String>,
}

/// A test set (`+ name`).
#[derive(Clone, Debug, Default)]
pub struct TestSet {
    pub name: String,
    pub line: u32,
    pub comments: String,
    pub keywords: Vec<String>,
    pub tests: Vec<UnitTest>,
    pub crc: Option<String>,
}

/// A campaign (`% title`); a file holds one or more.
#[derive(Clone, Debug)]
pub struct Campaign {
    pub title: String,
    pub head_comments: String,
    pub keywords: Vec<String>,
    pub sets: Vec<TestSet>,
    pub crc: Option<String>,
}

impl Default for Campaign {
    fn default() -> Self {
        Campaign {
            // UTScapy's title for a file without `%`.
            title: "Test campaign".to_string(),
            head_comments: String::new(),
            keywords: Vec::new(),
            sets: Vec::new(),
            crc: None,
        }
    }
}

/// A parsed campaign file.
#[derive(Clone, Debug)]
pub struct CampaignFile {
    /// The path as the user gave it (`<stdin>` for standard input); tracebacks and reports name it.
    pub path: String,
    /// The file's text, line breaks normalized to `\n` (as Python's text mode reads it).
    pub text: String,
    pub campaigns: Vec<Campaign>,
    /// SHA1 of the whole text, when signatures are on.
    pub sha: Option<String>,
    /// The number the next file's first test takes.
    pub end_num: usize,
}

impl UnitTest {
    /// The code as UTScapy holds it: every step line followed by a newline.
    pub fn code(&self) -> String {
        let mut code = String::new();
        for step in &self.steps {
            code.push_str(&step.text);
            code.push('\n');
        }
        code
    }

    /// The lines the console runs: the code stripped as a whole (leading and trailing blank
    /// lines dropped, the first line's indentation and the last line's trailing blanks cut),
    /// as UTScapy does with `test.strip()` before running it.
    pub fn console_lines(&self) -> Vec<Step> {
        let is_blank = |s: &Step| s.text.chars().all(is_py_space);
        let Some(first) = self.steps.iter().position(|s| !is_blank(s)) else {
            return Vec::new();
        };
        let last = self
            .steps
            .iter()
            .rposition(|s| !is_blank(s))
            .unwrap_or(first);
        let mut lines: Vec<Step> = self.steps[first..=last].to_vec();
        if let Some(l) = lines.first_mut() {
            l.text = l.text.trim_start_matches(is_py_space).to_string();
        }
        if let Some(l) = lines.last_mut() {
            l.text = l.text.trim_end_matches(is_py_space).to_string();
        }
        lines
    }
}

impl Campaign {
    /// Every unit test, in file order.
    pub fn tests(&self) -> impl Iterator<Item = &UnitTest> {
        self.sets.iter().flat_map(|s| s.tests.iter())
    }
}

/// Python's `str.isspace()` for one character, so stripping matches UTScapy's `strip()`.
pub fn is_py_space(c: char) -> bool {
    c.is_whitespace() || ('\x1c'..='\x1f').contains(&c)
}

/// Python's `str.strip()`.
pub fn py_strip(s: &str) -> &str {
    s.trim_matches(is_py_space)
}
