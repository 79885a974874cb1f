//! The runner: parses the campaign files, selects, dumps, runs each test in its file's session,
//! prints progress lines and writes the report.

use std::io::{self, IsTerminal, Read, Write};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use super::dump::dump;
use super::model::{CampaignFile, UnitTest};
use super::options::RunOptions;
use super::parse::{self, io_reason, CampaignError};
use super::signature::sign;
use super::watchdog::Watchdog;
use crate::lang::{Outcome, Session, SourceLine, StopFlag, StopReason, TranscriptSink};
use crate::report::render::{paint, paint_prompts, HTML_ASSETS};
use crate::report::{
    CampaignReport, Format, Problem, Renderer, Report, SetReport, Status, TestReport,
};

/// Exit codes, as UTScapy users expect them.
pub mod exit {
    pub const PASSED: i32 = 0;
    pub const FAILED: i32 = 1;
    pub const USAGE: i32 = 2;
    pub const INTERRUPTED: i32 = 130;
}

/// The interpreter's stack: deep enough for the recursion limit, far above what nested
/// expressions and 1000 Python frames need.
const SESSION_STACK: usize = 256 << 20;

/// Runs what the options ask and returns the process exit code.
pub fn run(opts: RunOptions) -> i32 {
    let stop = StopFlag::new();
    install_sigint(&stop);
    let worker_stop = stop.clone();
    let worker = thread::Builder::new()
        .name("wirecraft-session".into())
        .stack_size(SESSION_STACK)
        .spawn(move || Runner::new(opts, worker_stop).run_all());
    match worker.map(|h| h.join()) {
        Ok(Ok(code)) => code,
        Ok(Err(_)) => {
            eprintln!("wirecraft: internal error (a bug): the session thread panicked; please report it with the campaign");
            101
        }
        Err(e) => {
            eprintln!("wirecraft: cannot start the session thread: {e}");
            exit::USAGE
        }
    }
}

/// First Ctrl-C: stop the running test, write the report, exit 130. Second: exit 130 at once.
fn install_sigint(stop: &StopFlag) {
    use signal_hook::consts::SIGINT;
    let seen = Arc::new(AtomicBool::new(false));
    let _ =
        signal_hook::flag::register_conditional_shutdown(SIGINT, exit::INTERRUPTED, seen.clone());
    let _ = signal_hook::flag::register(SIGINT, seen);
    let _ = signal_hook::flag::register_usize(SIGINT, stop.atomic(), StopFlag::INTERRUPT_VALUE);
}

/// Local wall-clock time as `HH:MM:SS`.
fn local_hms() -> String {
    // SAFETY: time(NULL) and localtime_r with valid pointers to owned locals.
    unsafe {
        let now = libc::time(std::ptr::null_mut());
        let mut tm: libc::tm = std::mem::zeroed();
        if libc::localtime_r(&now, &mut tm).is_null() {
            return "??:??:??".to_string();
        }
        format!("{:02}:{:02}:{:02}", tm.tm_hour, tm.tm_min, tm.tm_sec)
    }
}

/// A timeout in seconds as people write it (`1`, `0.5`).
fn seconds(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s.fract() == 0.0 {
        format!("{}", s as u64)
    } else {
        format!("{s}")
    }
}

/// `-f live`: the transcript goes to stdout as it is written.
struct LiveSink {
    color: bool,
    at_line_start: bool,
}

impl TranscriptSink for LiveSink {
    fn write(&mut self, text: &str) {
        if text.is_empty() {
            return;
        }
        let shown = if self.color && self.at_line_start {
            paint_prompts(text)
        } else {
            text.to_string()
        };
        self.at_line_start = text.ends_with('\n');
        let mut out = io::stdout().lock();
        let _ = out.write_all(shown.as_bytes());
        let _ = out.flush();
    }
}

struct Runner {
    opts: RunOptions,
    stop: StopFlag,
    progress: Box<dyn Write>,
    interrupted: bool,
}

impl Runner {
    fn new(opts: RunOptions, stop: StopFlag) -> Runner {
        // Progress lines share stdout with nothing when the report goes to a file.
        let progress: Box<dyn Write> = if opts.output.is_some() {
            Box::new(io::stdout())
        } else {
            Box::new(io::stderr())
        };
        Runner {
            opts,
            stop,
            progress,
            interrupted: false,
        }
    }

    fn say(&mut self, verbosity: u8, line: &str) {
        if self.opts.verbosity >= verbosity {
            let _ = writeln!(self.progress, "{line}");
            let _ = self.progress.flush();
        }
    }

    fn paint(&self, text: &str, style: &str) -> String {
        if self.opts.color {
            paint(text, style)
        } else {
            text.to_string()
        }
    }

    fn load(&self) -> Result<Vec<CampaignFile>, CampaignError> {
        let mut files = Vec::new();
        let mut next_num = 0;
        if self.opts.files.is_empty() {
            let stdin = io::stdin();
            if stdin.is_terminal() {
                eprintln!("wirecraft: reading a campaign from standard input (end with Ctrl-D; see --help for -t)");
            }
            let mut bytes = Vec::new();
            stdin
                .lock()
                .read_to_end(&mut bytes)
                .map_err(|e| CampaignError {
                    path: "<stdin>".to_string(),
                    line: 0,
                    col: 0,
                    message: format!("cannot read standard input: {}", io_reason(&e)),
                })?;
            let text = parse::decode("<stdin>", &bytes)?;
            files.push(parse::parse("<stdin>", text, 0)?);
        } else {
            for path in &self.opts.files {
                let file = parse::read(path, next_num)?;
                next_num = file.end_num;
                files.push(file);
            }
        }
        Ok(files)
    }

    fn run_all(mut self) -> i32 {
        let mut files = match self.load() {
            Ok(files) => files,
            Err(e) => {
                eprintln!("wirecraft: {e}");
                return exit::USAGE;
            }
        };
        for file in &mut files {
            if self.opts.crc {
                sign(file);
            }
        }
        if self.opts.dump > 0 {
            let mut out = io::stdout().lock();
            for file in &files {
                let mut selected = file.clone();
                self.opts.selection.apply(&mut selected);
                let _ = out.write_all(dump(&selected).as_bytes());
            }
            let _ = out.flush();
            if self.opts.dump > 1 {
                return exit::PASSED;
            }
        }
        // Fail before running for an hour if the report cannot be written.
        let mut output_file = match &self.opts.output {
            Some(path) if self.opts.format != Format::Live => match std::fs::File::create(path) {
                Ok(f) => Some(f),
                Err(e) => {
                    let reason = match path.parent() {
                        Some(dir) if !dir.as_os_str().is_empty() && !dir.is_dir() => {
                            format!("the directory {} does not exist", dir.display())
                        }
                        _ => io_reason(&e),
                    };
                    eprintln!(
                        "wirecraft: cannot write the report to {}: {reason} (choose another -o path)",
                        path.display()
                    );
                    return exit::USAGE;
                }
            },
            _ => None,
        };

        let watchdog = Watchdog::new(self.stop.clone());
        let mut campaigns = Vec::new();
        for file in &files {
            let reports = match self.run_file(file, &watchdog) {
                Ok(r) => r,
                Err(code) => return code,
            };
            let failed = reports.iter().any(|c| c.failed > 0);
            campaigns.extend(reports);
            if self.interrupted || (failed && self.opts.break_failed) {
                break;
            }
        }
        drop(watchdog);

        let title = match (files.len(), campaigns.first()) {
            (1, Some(c)) => c.title.clone(),
            _ => "wirecraft tests".to_string(),
        };
        let mut report = Report::new(title, campaigns);
        report.interrupted = self.interrupted;
        report.local = self.opts.local;
        report.only_failed = self.opts.only_failed;
        report.color = self.opts.color && self.opts.format == Format::Ansi;
        let failed = report.failed;
        let renderer = Renderer::new(self.opts.templates.as_deref());
        if self.opts.local && self.opts.format == Format::Html {
            if let Err(e) = self.write_assets(&renderer) {
                eprintln!("wirecraft: {e}");
                return exit::USAGE;
            }
        }
        match renderer.render(&report, self.opts.format) {
            Ok(Some(text)) => {
                let written = match (&mut output_file, &self.opts.output) {
                    (Some(f), Some(path)) => f.write_all(text.as_bytes()).map_err(|e| {
                        format!(
                            "cannot write the report to {}: {}",
                            path.display(),
                            io_reason(&e)
                        )
                    }),
                    _ => {
                        let mut out = io::stdout().lock();
                        out.write_all(text.as_bytes())
                            .and_then(|_| out.write_all(b"\n"))
                            .and_then(|_| out.flush())
                            .map_err(|e| {
                                format!(
                                    "cannot write the report to standard output: {}",
                                    io_reason(&e)
                                )
                            })
                    }
                };
                if let Err(e) = written {
                    eprintln!("wirecraft: {e}");
                    return exit::USAGE;
                }
            }
            Ok(None) => {}
            Err(e) => {
                eprintln!("wirecraft: {e}");
                return exit::USAGE;
            }
        }
        if self.interrupted {
            exit::INTERRUPTED
        } else if failed > 0 {
            exit::FAILED
        } else {
            exit::PASSED
        }
    }

    /// `-l`: the HTML report's CSS and JS, beside the report (or in the current directory).
    fn write_assets(&self, renderer: &Renderer) -> Result<(), String> {
        let dir = match self
            .opts
            .output
            .as_deref()
            .and_then(std::path::Path::parent)
        {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => std::path::PathBuf::from("."),
        };
        for name in HTML_ASSETS {
            let path = dir.join(name);
            let text = renderer.asset(name)?;
            std::fs::write(&path, text)
                .map_err(|e| format!("cannot write {}: {}", path.display(), io_reason(&e)))?;
        }
        Ok(())
    }

    /// Loads `-m` modules and the preexec code into a fresh session.
    fn prepare_session(&mut self, file: &CampaignFile) -> Result<Session, i32> {
        let mut session = Session::new(&file.path, self.stop.clone());
        let mut loads: Vec<(String, String)> = Vec::new();
        for module in &self.opts.modules {
            match std::fs::read_to_string(module) {
                Ok(source) => loads.push((module.clone(), source)),
                Err(e) => {
                    eprintln!(
                        "wirecraft: -m {module}: cannot read the module: {}",
                        io_reason(&e)
                    );
                    return Err(exit::USAGE);
                }
            }
        }
        let preexec = self.opts.preexec_for(&file.path);
        if !preexec.trim().is_empty() {
            loads.push(("<preexec>".to_string(), preexec));
        }
        for (name, source) in loads {
            let mut transcript = String::new();
            match session.run_module(&name, &source, &mut transcript) {
                Outcome::Raised(e) => {
                    eprint!("{transcript}");
                    eprintln!(
                        "wirecraft: {name} raised {}: the campaign cannot start",
                        e.type_name
                    );
                    return Err(exit::USAGE);
                }
                Outcome::Stopped(StopReason::Interrupt) => return Err(exit::INTERRUPTED),
                Outcome::Stopped(StopReason::Timeout) | Outcome::Completed { .. } => {}
            }
        }
        Ok(session)
    }

    /// Runs one file's campaigns in one session.
    fn run_file(
        &mut self,
        file: &CampaignFile,
        watchdog: &Watchdog,
    ) -> Result<Vec<CampaignReport>, i32> {
        let loading = self.paint(&format!("━ Loading: {}", file.path), "green");
        self.say(3, &loading);
        let mut session = self.prepare_session(file)?;
        let mut reports = Vec::new();
        for campaign in &file.campaigns {
            let mut report = CampaignReport {
                title: campaign.title.clone(),
                file: file.path.clone(),
                head_comments: campaign.head_comments.clone(),
                crc: campaign.crc.clone(),
                sha: file.sha.clone(),
                run_at: local_hms(),
                duration: 0.0,
                passed: 0,
                failed: 0,
                interrupted: false,
                sets: Vec::new(),
            };
            'sets: for set in &campaign.sets {
                let mut set_report = SetReport {
                    name: set.name.clone(),
                    comments: set.comments.clone(),
                    keywords: set.keywords.clone(),
                    crc: set.crc.clone(),
                    tests: Vec::new(),
                    passed: 0,
                    failed: 0,
                    failures: 0,
                    errors: 0,
                    skipped: 0,
                    duration: 0.0,
                    shown: true,
                };
                for test in &set.tests {
                    if !self.opts.selection.selects(test.num, &test.keywords) {
                        if self.opts.xunit_skipped && self.opts.format == Format::Xunit {
                            set_report.tests.push(skipped(test));
                        }
                        continue;
                    }
                    if self.stop.requested() == Some(StopReason::Interrupt) {
                        self.interrupted = true;
                    }
                    if self.interrupted {
                        report.sets.push(set_report);
                        break 'sets;
                    }
                    let result = self.run_test(&mut session, test, watchdog);
                    self.progress_line(&result);
                    if result.status == Status::Interrupted {
                        self.interrupted = true;
                    }
                    set_report.tests.push(result);
                }
                report.sets.push(set_report);
            }
            report.sets.retain(|s| !s.tests.is_empty());
            report.interrupted = self.interrupted;
            report.finish(self.opts.only_failed);
            if self.interrupted {
                self.say(1, "Campaign interrupted!");
            }
            // UTScapy's line; with -C the signatures are left out rather than shown as None.
            let (crc, sha) = match (&report.crc, &report.sha) {
                (Some(crc), Some(sha)) => (format!(" CRC={crc}"), format!(" SHA={sha}")),
                _ => (String::new(), String::new()),
            };
            let counts = format!("PASSED={} FAILED={}", report.passed, report.failed);
            let counts = self.paint(&counts, if report.failed > 0 { "fail" } else { "success" });
            if self.opts.verbosity > 2 {
                let line = format!("Campaign{crc} in {:06.2}s{sha}", report.duration);
                self.say(3, &line);
            } else {
                self.say(1, &format!("Campaign{crc} {sha}"));
            }
            self.say(1, &counts);
            reports.push(report);
            if self.interrupted {
                break;
            }
        }
        Ok(reports)
    }

    fn progress_line(&mut self, t: &TestReport) {
        let style = if t.status == Status::Passed {
            "success"
        } else {
            "fail"
        };
        let status = self.paint(&format!("{:>6}", t.status.as_str()), style);
        let crc = t.crc.as_ref().map(|c| format!(" {c}")).unwrap_or_default();
        if self.opts.verbosity > 2 {
            let line = format!("{status}{crc} {:06.2}s {}", t.duration, t.name);
            self.say(3, &line);
        } else {
            self.say(2, &format!("{status}{crc} {}", t.name));
        }
    }

    fn run_test(
        &mut self,
        session: &mut Session,
        test: &UnitTest,
        watchdog: &Watchdog,
    ) -> TestReport {
        let lines = test.console_lines();
        let source: Vec<SourceLine<'_>> = lines
            .iter()
            .map(|s| SourceLine {
                line: s.line,
                text: &s.text,
            })
            .collect();
        let mut transcript = String::new();
        let mut live = LiveSink {
            color: self.opts.color,
            at_line_start: true,
        };
        let sink: &mut dyn TranscriptSink = if self.opts.format == Format::Live {
            &mut live
        } else {
            &mut transcript
        };
        let start = Instant::now();
        watchdog.arm(self.opts.timeout);
        let outcome = session.run_console(&source, sink);
        watchdog.disarm();
        let duration = start.elapsed().as_secs_f64();
        let (status, problem) = match outcome {
            Outcome::Completed {
                result: Some(false),
            } => (
                Status::Failed,
                Some(Problem::failure(
                    "falsy result",
                    "the test's last value is false".to_string(),
                )),
            ),
            Outcome::Completed { .. } => (Status::Passed, None),
            Outcome::Raised(e) => {
                let message = if e.message.is_empty() {
                    e.type_name.clone()
                } else {
                    format!("{}: {}", e.type_name, e.message)
                };
                let problem = if e.is_assertion {
                    Problem::failure(&e.type_name, message)
                } else {
                    Problem::error(&e.type_name, message)
                };
                (Status::Failed, Some(problem))
            }
            Outcome::Stopped(StopReason::Timeout) => {
                let line = format!("Test timed out after {} s", seconds(self.opts.timeout));
                sink.write(&format!("{line}\n"));
                (Status::Failed, Some(Problem::failure("timeout", line)))
            }
            Outcome::Stopped(StopReason::Interrupt) => (
                Status::Interrupted,
                Some(Problem::error(
                    "KeyboardInterrupt",
                    "interrupted by Ctrl-C".to_string(),
                )),
            ),
        };
        test_report(test, status, duration, transcript, problem)
    }
}

/// A test's report entry; `finish` sets what is shown.
fn test_report(
    test: &UnitTest,
    status: Status,
    duration: f64,
    output: String,
    problem: Option<Problem>,
) -> TestReport {
    TestReport {
        num: test.num,
        name: test.name.clone(),
        comments: test.comments.clone(),
        keywords: test.keywords.clone(),
        crc: test.crc.clone(),
        status,
        duration,
        output,
        problem,
        expand: 1,
    }
}

/// A deselected test, as xUnit lists it with `--xunit-skipped`.
fn skipped(test: &UnitTest) -> TestReport {
    test_report(test, Status::Skipped, 0.0, String::new(), None)
}
