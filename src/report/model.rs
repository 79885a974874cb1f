//! The report model: what a run produced, as every report template sees it.

use serde::Serialize;

/// How a unit test ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Passed,
    Failed,
    /// Stopped by Ctrl-C (counted as failed).
    Interrupted,
    /// Deselected by `-k`/`-K`/`-n`; listed only in xUnit with `--xunit-skipped`.
    Skipped,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Passed => "passed",
            Status::Failed => "failed",
            Status::Interrupted => "interrupted",
            Status::Skipped => "skipped",
        }
    }
}

/// Why a failed test failed, for reports that tell failures from errors (xUnit).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// `failure` (falsy result, AssertionError, timeout) or `error` (any other exception).
    pub kind: &'static str,
    /// Exception type (`AssertionError`, `NameError`, ...), `timeout`, or `falsy result`.
    pub type_name: String,
    /// One line for people.
    pub message: String,
}

impl Problem {
    /// A failure: the test's claim did not hold.
    pub fn failure(type_name: &str, message: String) -> Problem {
        Problem {
            kind: "failure",
            type_name: type_name.to_string(),
            message,
        }
    }

    /// An error: the test could not run to its claim.
    pub fn error(type_name: &str, message: String) -> Problem {
        Problem {
            kind: "error",
            type_name: type_name.to_string(),
            message,
        }
    }
}

/// A unit test's outcome.
#[derive(Clone, Debug, Serialize)]
pub struct TestReport {
    pub num: usize,
    pub name: String,
    pub comments: String,
    pub keywords: Vec<String>,
    pub crc: Option<String>,
    pub status: Status,
    /// Seconds.
    pub duration: f64,
    /// The interactive transcript.
    pub output: String,
    pub problem: Option<Problem>,
    /// 0: hidden, 1: shown, 2: shown expanded (UTScapy's `expand`; `-F` hides passed tests).
    pub expand: u8,
}

/// A test set's outcome.
#[derive(Clone, Debug, Serialize)]
pub struct SetReport {
    pub name: String,
    pub comments: String,
    pub keywords: Vec<String>,
    pub crc: Option<String>,
    pub tests: Vec<TestReport>,
    pub passed: usize,
    /// Failed and interrupted tests.
    pub failed: usize,
    /// Of the failed: falsy results, assertions and timeouts (xUnit `failure`).
    pub failures: usize,
    /// Of the failed: other exceptions (xUnit `error`).
    pub errors: usize,
    pub skipped: usize,
    pub duration: f64,
    /// Whether any of its tests is shown.
    pub shown: bool,
}

/// A campaign's outcome.
#[derive(Clone, Debug, Serialize)]
pub struct CampaignReport {
    pub title: String,
    pub file: String,
    pub head_comments: String,
    pub crc: Option<String>,
    pub sha: Option<String>,
    /// Local time the campaign started, `HH:MM:SS`.
    pub run_at: String,
    /// Sum of its tests' durations, seconds.
    pub duration: f64,
    pub passed: usize,
    pub failed: usize,
    pub interrupted: bool,
    pub sets: Vec<SetReport>,
}

/// A whole run.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub title: String,
    pub campaigns: Vec<CampaignReport>,
    pub passed: usize,
    pub failed: usize,
    pub failures: usize,
    pub errors: usize,
    pub skipped: usize,
    /// Seconds, summed over the tests.
    pub duration: f64,
    pub interrupted: bool,
    /// `-l`: HTML links its CSS/JS instead of inlining them.
    pub local: bool,
    /// `-F`.
    pub only_failed: bool,
    /// ANSI colors on.
    pub color: bool,
    pub version: &'static str,
}

impl Report {
    /// Builds the run's report from its campaigns, adding up their counts.
    pub fn new(title: String, campaigns: Vec<CampaignReport>) -> Report {
        let sum = |f: &dyn Fn(&SetReport) -> usize| {
            campaigns.iter().flat_map(|c| &c.sets).map(f).sum::<usize>()
        };
        Report {
            title,
            passed: sum(&|s| s.passed),
            failed: sum(&|s| s.failed),
            failures: sum(&|s| s.failures),
            errors: sum(&|s| s.errors),
            skipped: sum(&|s| s.skipped),
            duration: campaigns.iter().map(|c| c.duration).sum(),
            campaigns,
            interrupted: false,
            local: false,
            only_failed: false,
            color: false,
            version: env!("CARGO_PKG_VERSION"),
        }
    }
}

impl CampaignReport {
    /// Recomputes counts and visibility after the tests ran (and after `-F`).
    pub fn finish(&mut self, only_failed: bool) {
        self.passed = 0;
        self.failed = 0;
        self.duration = 0.0;
        for set in &mut self.sets {
            let count = |f: &dyn Fn(&TestReport) -> bool| set.tests.iter().filter(|t| f(t)).count();
            set.passed = count(&|t| t.status == Status::Passed);
            set.skipped = count(&|t| t.status == Status::Skipped);
            set.failed = set.tests.len() - set.passed - set.skipped;
            set.errors = count(&|t| t.problem.as_ref().is_some_and(|p| p.kind == "error"));
            set.failures = set.failed - set.errors;
            set.duration = set.tests.iter().map(|t| t.duration).sum();
            for test in &mut set.tests {
                test.expand = match (only_failed, test.status) {
                    (_, Status::Skipped) => 0,
                    (false, _) => 1,
                    (true, Status::Passed) => 0,
                    (true, _) => 2,
                };
            }
            set.shown = set.tests.iter().any(|t| t.expand > 0);
            self.passed += set.passed;
            self.failed += set.failed;
            self.duration += set.duration;
        }
    }
}
