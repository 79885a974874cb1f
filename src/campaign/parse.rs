//! From a campaign file's text to the [`CampaignFile`] model, with errors at file:line:col.

use std::fmt;

use pest::Parser;
use pest_derive::Parser;

use super::model::{py_strip, Campaign, CampaignFile, Step, TestSet, UnitTest};

#[derive(Parser)]
#[grammar = "../grammar/campaign.pest"]
struct CampaignGrammar;

/// A campaign file that cannot be read or does not follow the format.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CampaignError {
    pub path: String,
    /// 1-based; 0 when the error is about the whole file (it cannot be read).
    pub line: u32,
    pub col: u32,
    pub message: String,
}

impl fmt::Display for CampaignError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.path, self.message)
        } else {
            write!(
                f,
                "{}:{}:{}: {}",
                self.path, self.line, self.col, self.message
            )
        }
    }
}

impl std::error::Error for CampaignError {}

/// Decodes a file's bytes as UTF-8 and normalizes line breaks as Python's text mode does.
pub fn decode(path: &str, bytes: &[u8]) -> Result<String, CampaignError> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let good = &bytes[..e.valid_up_to()];
        let line = good.iter().filter(|&&b| b == b'\n').count() as u32 + 1;
        let line_start = good.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
        // Columns count characters, and the valid prefix of the line is valid UTF-8.
        let col = String::from_utf8_lossy(&good[line_start..]).chars().count() as u32 + 1;
        let bad = bytes[e.valid_up_to()];
        CampaignError {
            path: path.to_string(),
            line,
            col,
            message: format!("invalid UTF-8 (byte 0x{bad:02x}): campaign files are UTF-8 text"),
        }
    })?;
    Ok(if text.contains('\r') {
        text.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        text.to_string()
    })
}

/// Parses a campaign file's (decoded) text; its tests are numbered from `first_num`.
pub fn parse(path: &str, text: String, first_num: usize) -> Result<CampaignFile, CampaignError> {
    let mut builder = Builder {
        path,
        campaigns: vec![Campaign::default()],
        in_set: false,
        in_test: false,
        next_num: first_num,
    };
    let pairs = CampaignGrammar::parse(Rule::file, &text).map_err(|e| {
        // The grammar accepts every text; this is only reachable through a pest bug.
        let (line, col) = match e.line_col {
            pest::error::LineColLocation::Pos(p) => p,
            pest::error::LineColLocation::Span(p, _) => p,
        };
        builder.error(line as u32, col as u32, e.variant.message().to_string())
    })?;
    let file = pairs.into_iter().next();
    // Each pair is exactly one line, so the line number is counted here rather than asked of
    // pest (whose line_col scans from the start of the input every time).
    let mut line_no = 0u32;
    for pair in file.into_iter().flat_map(|f| f.into_inner()) {
        if pair.as_rule() == Rule::EOI {
            break;
        }
        line_no += 1;
        let rule = pair.as_rule();
        let text = pair.into_inner().next().map_or("", |t| t.as_str());
        builder.line(line_no, rule, text)?;
    }
    let campaigns = builder.campaigns;
    Ok(CampaignFile {
        path: path.to_string(),
        text,
        campaigns,
        sha: None,
        end_num: builder.next_num,
    })
}

/// Reads and parses a campaign file from disk.
pub fn read(path: &str, first_num: usize) -> Result<CampaignFile, CampaignError> {
    let bytes = std::fs::read(path).map_err(|e| CampaignError {
        path: path.to_string(),
        line: 0,
        col: 0,
        message: format!("cannot read the campaign file: {}", io_reason(&e)),
    })?;
    parse(path, decode(path, &bytes)?, first_num)
}

/// An I/O error in words, without Rust's "(os error N)" suffix.
pub fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        std::io::ErrorKind::IsADirectory => "it is a directory".to_string(),
        _ => {
            let s = e.to_string();
            match s.find(" (os error") {
                Some(i) => s[..i].to_string(),
                None => s,
            }
        }
    }
}

/// Builds the model line by line, knowing which container is current.
struct Builder<'a> {
    path: &'a str,
    campaigns: Vec<Campaign>,
    in_set: bool,
    in_test: bool,
    next_num: usize,
}

impl Builder<'_> {
    fn error(&self, line: u32, col: u32, message: String) -> CampaignError {
        CampaignError {
            path: self.path.to_string(),
            line,
            col,
            message,
        }
    }

    fn campaign(&mut self) -> &mut Campaign {
        if self.campaigns.is_empty() {
            self.campaigns.push(Campaign::default());
        }
        let last = self.campaigns.len() - 1;
        &mut self.campaigns[last]
    }

    fn set(&mut self) -> Option<&mut TestSet> {
        if !self.in_set {
            return None;
        }
        self.campaign().sets.last_mut()
    }

    fn test(&mut self) -> Option<&mut UnitTest> {
        if !self.in_test {
            return None;
        }
        self.set().and_then(|s| s.tests.last_mut())
    }

    fn line(&mut self, line: u32, rule: Rule, text: &str) -> Result<(), CampaignError> {
        match rule {
            Rule::discarded => {}
            Rule::campaign_title => {
                if !self.campaign().sets.is_empty() {
                    // A `%` after test sets starts another campaign in the same file.
                    self.campaigns.push(Campaign::default());
                    self.in_set = false;
                    self.in_test = false;
                }
                self.campaign().title = py_strip(text).to_string();
            }
            Rule::test_set => {
                let campaign = self.campaign();
                campaign.sets.push(TestSet {
                    name: py_strip(text).to_string(),
                    line,
                    keywords: campaign.keywords.clone(),
                    ..TestSet::default()
                });
                self.in_set = true;
                self.in_test = false;
            }
            Rule::unit_test => {
                let num = self.next_num;
                let Some(set) = self.set() else {
                    return Err(self.error(
                        line,
                        1,
                        "a unit test needs a test set: expected a '+ name' line before this '='"
                            .to_string(),
                    ));
                };
                set.tests.push(UnitTest {
                    num,
                    name: py_strip(text).to_string(),
                    line,
                    keywords: set.keywords.clone(),
                    ..UnitTest::default()
                });
                self.next_num += 1;
                self.in_test = true;
            }
            Rule::keywords => {
                let words = text.split(is_separator).filter(|w| !w.is_empty());
                let list = if let Some(test) = self.test() {
                    &mut test.keywords
                } else if let Some(set) = self.set() {
                    &mut set.keywords
                } else {
                    &mut self.campaign().keywords
                };
                for word in words {
                    add_keyword(list, word);
                }
            }
            Rule::comment => {
                let target = if let Some(test) = self.test() {
                    &mut test.comments
                } else if let Some(set) = self.set() {
                    &mut set.comments
                } else {
                    &mut self.campaign().head_comments
                };
                target.push_str(text);
                target.push('\n');
            }
            _ => {
                if let Some(test) = self.test() {
                    test.steps.push(Step {
                        line,
                        text: text.to_string(),
                    });
                } else if !py_strip(text).is_empty() {
                    let col = text.chars().take_while(|c| c.is_whitespace()).count() as u32 + 1;
                    let what = if self.in_set {
                        "expected a '= name' unit test header before the first step"
                    } else {
                        "expected a '+ name' test set and a '= name' unit test before the first step"
                    };
                    return Err(self.error(
                        line,
                        col,
                        format!("a step outside a unit test: {what}"),
                    ));
                }
            }
        }
        Ok(())
    }
}

/// Python's `str.split()` separators.
fn is_separator(c: char) -> bool {
    super::model::is_py_space(c)
}

/// Adds a keyword (lowercased) once, or removes an inherited one for `-kw`.
fn add_keyword(list: &mut Vec<String>, word: &str) {
    let word = word.to_lowercase();
    if let Some(removed) = word.strip_prefix('-') {
        list.retain(|k| k != removed);
    } else if !list.contains(&word) {
        list.push(word);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(text: &str) -> Result<CampaignFile, CampaignError> {
        parse("t.uts", decode("t.uts", text.as_bytes())?, 0)
    }

    #[test]
    fn every_line_kind_lands_in_its_container() {
        let f = parse_str(
            "% Title\n* head\n~ camp\n+ Set A\n* set comment\n~ seta\n= T1\n~ t1 -camp\n* t1 comment\nx = 1\n\n# gone\nx\n= T2\n1\n",
        )
        .unwrap();
        let c = &f.campaigns[0];
        assert_eq!(c.title, "Title");
        assert_eq!(c.head_comments, " head\n");
        assert_eq!(c.keywords, ["camp"]);
        let s = &c.sets[0];
        assert_eq!(
            (s.name.as_str(), s.comments.as_str()),
            ("Set A", " set comment\n")
        );
        assert_eq!(s.keywords, ["camp", "seta"]);
        let t1 = &s.tests[0];
        assert_eq!(t1.keywords, ["seta", "t1"]);
        assert_eq!(t1.comments, " t1 comment\n");
        assert_eq!(t1.code(), "x = 1\n\nx\n");
        assert_eq!(t1.steps[2].line, 13);
        assert_eq!(s.tests[1].num, 1);
        assert_eq!(s.tests[1].keywords, ["camp", "seta"]);
    }

    #[test]
    fn a_later_title_after_sets_starts_a_new_campaign() {
        let f = parse_str("% A\n+ s\n= t\n1\n% B\n+ s2\n= u\n2\n").unwrap();
        assert_eq!(f.campaigns.len(), 2);
        assert_eq!(f.campaigns[1].title, "B");
        assert_eq!(f.campaigns[1].sets[0].tests[0].num, 1);
        assert_eq!(f.end_num, 2);
    }

    #[test]
    fn structural_errors_name_line_and_column() {
        let e = parse_str("% A\n  x = 1\n").unwrap_err();
        assert_eq!((e.line, e.col), (2, 3));
        assert!(e
            .to_string()
            .starts_with("t.uts:2:3: a step outside a unit test"));
        let e = parse_str("% A\n= t\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "t.uts:2:1: a unit test needs a test set: expected a '+ name' line before this '='"
        );
        let e = parse_str("+ s\nx\n").unwrap_err();
        assert!(e.message.contains("'= name' unit test header"));
    }

    #[test]
    fn invalid_utf8_is_located() {
        let e = decode("t.uts", b"+ s\n= t\nab\xffc\n").unwrap_err();
        assert_eq!((e.line, e.col), (3, 3));
        assert!(e.message.contains("0xff"));
    }

    #[test]
    fn crlf_and_missing_final_newline() {
        let f = parse_str("+ s\r\n= t\r\n1\r\n2").unwrap();
        assert_eq!(f.campaigns[0].sets[0].tests[0].code(), "1\n2\n");
    }

    #[test]
    fn empty_file_is_an_empty_campaign() {
        let f = parse_str("").unwrap();
        assert_eq!(f.campaigns.len(), 1);
        assert_eq!(f.campaigns[0].tests().count(), 0);
    }

    #[test]
    fn console_lines_strip_the_code_as_a_whole() {
        let f = parse_str("+ s\n= t\n\n   a = 1  \nif a:\n    a\n\n  \n").unwrap();
        let lines = f.campaigns[0].sets[0].tests[0].console_lines();
        let texts: Vec<_> = lines.iter().map(|s| (s.line, s.text.as_str())).collect();
        assert_eq!(texts, [(4, "a = 1  "), (5, "if a:"), (6, "    a")]);
    }
}
