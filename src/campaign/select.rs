//! Test selection: `-n` numbers, `-k` keywords to keep, `-K` keywords to remove.

use super::model::CampaignFile;

/// Which tests of a file run.
#[derive(Clone, Debug, Default)]
pub struct Selection {
    /// `-n`: only these test numbers (None: all).
    pub numbers: Option<Vec<usize>>,
    /// `-k`: keep only tests having one of these keywords (empty: all).
    pub keep: Vec<String>,
    /// `-K`: remove tests having one of these keywords.
    pub remove: Vec<String>,
}

impl Selection {
    /// Whether a test with this number and these keywords runs.
    pub fn selects(&self, num: usize, keywords: &[String]) -> bool {
        if let Some(numbers) = &self.numbers {
            if !numbers.contains(&num) {
                return false;
            }
        }
        let has = |list: &[String]| keywords.iter().any(|k| list.contains(k));
        (self.keep.is_empty() || has(&self.keep)) && !has(&self.remove)
    }

    /// Drops the unselected tests, then the sets left empty.
    pub fn apply(&self, file: &mut CampaignFile) {
        for campaign in &mut file.campaigns {
            for set in &mut campaign.sets {
                set.tests.retain(|t| self.selects(t.num, &t.keywords));
            }
            campaign.sets.retain(|s| !s.tests.is_empty());
        }
    }
}

/// Parses `-n` syntax: `1,3-7,12`.
pub fn parse_numbers(spec: &str) -> Result<Vec<usize>, String> {
    let mut out = Vec::new();
    for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let bad =
            || format!("bad test number '{part}' in '{spec}': expected N or N-M, e.g. 1,3-7,12");
        match part.split_once('-') {
            None => out.push(part.parse().map_err(|_| bad())?),
            Some((a, b)) => {
                let a: usize = a.trim().parse().map_err(|_| bad())?;
                let b: usize = b.trim().parse().map_err(|_| bad())?;
                if b < a || b - a > 1_000_000 {
                    return Err(bad());
                }
                out.extend(a..=b);
            }
        }
    }
    Ok(out)
}

/// Splits `-k`/`-K` arguments (`kw1,kw2`, repeatable) into lowercase keywords.
pub fn parse_keywords<S: AsRef<str>>(args: &[S]) -> Vec<String> {
    args.iter()
        .flat_map(|a| a.as_ref().split(','))
        .map(|k| k.trim().to_lowercase())
        .filter(|k| !k.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        assert_eq!(parse_numbers("0,2-3").unwrap(), [0, 2, 3]);
        assert_eq!(parse_numbers(" 1 , 3-4 ,").unwrap(), [1, 3, 4]);
        assert!(parse_numbers("a").is_err());
        assert!(parse_numbers("5-2").is_err());
    }

    #[test]
    fn keywords_keep_any_and_remove_any() {
        let s = Selection {
            numbers: None,
            keep: parse_keywords(&["a,B"]),
            remove: parse_keywords(&["c"]),
        };
        let kw = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(s.selects(0, &kw(&["b"])));
        assert!(!s.selects(0, &kw(&["b", "c"])));
        assert!(!s.selects(0, &kw(&["d"])));
    }
}
