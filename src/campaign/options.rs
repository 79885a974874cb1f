//! What a run is asked to do: the CLI's options merged with a UTScapy `.utsc` config file.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;

use super::parse::io_reason;
use super::select::{parse_keywords, parse_numbers, Selection};
use crate::report::Format;

/// Everything the runner needs, after the CLI and the config file are merged.
#[derive(Clone, Debug)]
pub struct RunOptions {
    /// Campaign files in run order; empty: read one campaign from standard input.
    pub files: Vec<String>,
    /// `-o`: where the report goes (None: stdout).
    pub output: Option<PathBuf>,
    pub format: Format,
    /// ANSI colors in the report and progress lines.
    pub color: bool,
    /// `-l`.
    pub local: bool,
    /// `-F`.
    pub only_failed: bool,
    /// Stop after the first campaign file with a failure (UTScapy's default; `-b` turns it off).
    pub break_failed: bool,
    /// `-d` = 1 (dump then run), `-D` = 2 (dump and stop).
    pub dump: u8,
    /// Compute CRCs and SHA (`-C` turns them off).
    pub crc: bool,
    /// 3 by default, one less per `-q`.
    pub verbosity: u8,
    pub selection: Selection,
    /// `-m`: campaign-language files run in every session first.
    pub modules: Vec<String>,
    /// `-P`: code run before each campaign file.
    pub preexec: String,
    /// Per-file preexec code from a config file's `preexec` (file path, code).
    pub file_preexec: Vec<(String, String)>,
    /// `--timeout`.
    pub timeout: Duration,
    /// `--templates`.
    pub templates: Option<PathBuf>,
    /// `--xunit-skipped`: deselected tests appear in xUnit as `<skipped/>`.
    pub xunit_skipped: bool,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            files: Vec::new(),
            output: None,
            format: Format::Text,
            color: false,
            local: false,
            only_failed: false,
            break_failed: true,
            dump: 0,
            crc: true,
            verbosity: 3,
            selection: Selection::default(),
            modules: Vec::new(),
            preexec: String::new(),
            file_preexec: Vec::new(),
            timeout: Duration::from_secs(300),
            templates: None,
            xunit_skipped: false,
        }
    }
}

/// The options as the command line gave them; None/empty where it was silent.
#[derive(Clone, Debug, Default)]
pub struct CliArgs {
    pub testfiles: Vec<String>,
    pub exclude: Vec<String>,
    pub output: Option<PathBuf>,
    pub format: Option<String>,
    pub local: bool,
    pub only_failed: bool,
    pub no_break: bool,
    pub dump: bool,
    pub dump_only: bool,
    pub no_crc: bool,
    pub quiet: u8,
    pub numbers: Option<String>,
    pub modules: Vec<String>,
    pub keep: Vec<String>,
    pub remove: Vec<String>,
    pub preexec: Vec<String>,
    pub config: Option<PathBuf>,
    pub timeout: Option<f64>,
    pub templates: Option<PathBuf>,
    pub xunit_skipped: bool,
}

/// Facts about the terminal and environment that choose defaults.
#[derive(Clone, Copy, Debug, Default)]
pub struct Terminal {
    /// Standard output is a terminal.
    pub stdout_tty: bool,
    /// Standard error is a terminal.
    pub stderr_tty: bool,
    /// `NO_COLOR` is set to a non-empty value.
    pub no_color: bool,
    /// The process runs as root.
    pub root: bool,
}

/// UTScapy's `.utsc` JSON config; every key optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    testfiles: Option<Vec<String>>,
    remove_testfiles: Option<Vec<String>>,
    onlyfailed: Option<bool>,
    format: Option<String>,
    preexec: Option<BTreeMap<String, String>>,
    global_preexec: Option<String>,
    outputfile: Option<String>,
    local: Option<serde_json::Value>,
    num: Option<serde_json::Value>,
    verb: Option<u8>,
    dump: Option<u8>,
    crc: Option<serde_json::Value>,
    breakfailed: Option<bool>,
    kw_ok: Option<Vec<String>>,
    kw_ko: Option<Vec<String>>,
    modules: Option<Vec<String>>,
    /// UTScapy's reStructuredText dump; wirecraft has no such output, so it must be off.
    docs: Option<serde_json::Value>,
    /// Scapy extensions (Python packages) cannot be loaded; must be empty.
    extensions: Option<Vec<String>>,
}

fn truthy(v: &serde_json::Value) -> bool {
    match v {
        serde_json::Value::Null => false,
        serde_json::Value::Bool(b) => *b,
        serde_json::Value::Number(n) => n.as_f64() != Some(0.0),
        serde_json::Value::String(s) => !s.is_empty(),
        serde_json::Value::Array(a) => !a.is_empty(),
        serde_json::Value::Object(o) => !o.is_empty(),
    }
}

fn read_config(path: &PathBuf) -> Result<ConfigFile, String> {
    let shown = path.display();
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("{shown}: cannot read the config file: {}", io_reason(&e)))?;
    let config: ConfigFile = serde_json::from_str(&text).map_err(|e| {
        format!(
            "{shown}:{}:{}: not a valid .utsc config: {e}",
            e.line(),
            e.column()
        )
    })?;
    if config.docs.as_ref().is_some_and(truthy) {
        return Err(format!(
            "{shown}: \"docs\" (the reStructuredText dump) is not supported; remove it"
        ));
    }
    if config.extensions.as_ref().is_some_and(|e| !e.is_empty()) {
        return Err(format!(
            "{shown}: \"extensions\" names Python packages, which wirecraft cannot load; use -m with a campaign-language file"
        ));
    }
    Ok(config)
}

/// Whether a string is a glob pattern rather than a plain path.
fn is_glob(s: &str) -> bool {
    s.contains(['*', '?', '['])
}

/// Expands globs (sorted, as UTScapy does) and keeps plain paths as given.
fn expand_files(patterns: &[String]) -> Result<Vec<String>, String> {
    let mut files = Vec::new();
    for pattern in patterns {
        if !is_glob(pattern) {
            files.push(pattern.clone());
            continue;
        }
        let paths = glob::glob(pattern).map_err(|e| format!("bad glob '{pattern}': {e}"))?;
        let mut matched: Vec<String> = paths
            .filter_map(Result::ok)
            .map(|p| p.to_string_lossy().into_owned())
            .collect();
        if matched.is_empty() {
            return Err(format!("no campaign file matches '{pattern}'"));
        }
        matched.sort();
        files.extend(matched);
    }
    Ok(files)
}

/// Removes the files `-T` (or `remove_testfiles`) names, each a path or a glob.
fn exclude_files(files: &mut Vec<String>, excluded: &[String]) -> Result<(), String> {
    for ex in excluded {
        let pattern = glob::Pattern::new(ex).map_err(|e| format!("bad glob '{ex}': {e}"))?;
        files.retain(|f| f != ex && !pattern.matches(f));
    }
    Ok(())
}

fn parse_num_value(v: &serde_json::Value) -> Result<Option<Vec<usize>>, String> {
    match v {
        serde_json::Value::Null => Ok(None),
        serde_json::Value::String(s) => parse_numbers(s).map(Some),
        serde_json::Value::Number(n) => n
            .as_u64()
            .map(|n| Some(vec![n as usize]))
            .ok_or_else(|| format!("bad \"num\" {n}: expected a test number")),
        serde_json::Value::Array(items) => {
            let mut out = Vec::new();
            for item in items {
                match item {
                    serde_json::Value::Number(n) if n.as_u64().is_some() => {
                        out.push(n.as_u64().unwrap_or_default() as usize)
                    }
                    serde_json::Value::String(s) => out.extend(parse_numbers(s)?),
                    other => {
                        return Err(format!("bad \"num\" entry {other}: expected a test number"))
                    }
                }
            }
            Ok(Some(out))
        }
        other => Err(format!(
            "bad \"num\" {other}: expected numbers like \"1,3-7\""
        )),
    }
}

impl RunOptions {
    /// Merges the command line over the config file (`-c`), UTScapy's defaults under both.
    pub fn build(cli: CliArgs, term: Terminal) -> Result<RunOptions, String> {
        let config = match &cli.config {
            Some(path) => read_config(path)?,
            None => ConfigFile::default(),
        };
        let mut opts = RunOptions::default();

        let mut patterns = config.testfiles.unwrap_or_default();
        patterns.extend(cli.testfiles.iter().cloned());
        let given_files = !patterns.is_empty();
        opts.files = expand_files(&patterns)?;
        exclude_files(
            &mut opts.files,
            &config.remove_testfiles.unwrap_or_default(),
        )?;
        exclude_files(&mut opts.files, &cli.exclude)?;
        if given_files && opts.files.is_empty() {
            return Err("-T excluded every campaign file: nothing to run".to_string());
        }

        opts.output = cli.output.or(config.outputfile.map(PathBuf::from));
        opts.local = cli.local || config.local.as_ref().is_some_and(truthy);
        opts.only_failed = cli.only_failed || config.onlyfailed.unwrap_or(false);
        opts.break_failed = !cli.no_break && config.breakfailed.unwrap_or(true);
        opts.dump = if cli.dump_only {
            2
        } else if cli.dump {
            1
        } else {
            config.dump.unwrap_or(0).min(2)
        };
        opts.crc = !cli.no_crc && config.crc.as_ref().is_none_or(truthy);
        opts.verbosity = if cli.quiet > 0 {
            3u8.saturating_sub(cli.quiet)
        } else {
            config.verb.unwrap_or(3)
        };

        let numbers = match &cli.numbers {
            Some(spec) => Some(parse_numbers(spec)?),
            None => match &config.num {
                Some(v) => parse_num_value(v)?,
                None => None,
            },
        };
        let mut keep = parse_keywords(&config.kw_ok.unwrap_or_default());
        keep.extend(parse_keywords(&cli.keep));
        let mut remove = parse_keywords(&config.kw_ko.unwrap_or_default());
        remove.extend(parse_keywords(&cli.remove));
        // As UTScapy: tests marked `disabled` never run, `needs_root` ones only as root.
        remove.push("disabled".to_string());
        if !term.root {
            remove.push("needs_root".to_string());
        }
        opts.selection = Selection {
            numbers,
            keep,
            remove,
        };

        opts.modules = config.modules.unwrap_or_default();
        opts.modules.extend(cli.modules);
        opts.preexec = config.global_preexec.unwrap_or_default();
        for code in &cli.preexec {
            if !opts.preexec.is_empty() {
                opts.preexec.push('\n');
            }
            opts.preexec.push_str(code);
        }
        for (pattern, code) in config.preexec.unwrap_or_default() {
            // UTScapy: a glob key applies to every file it matches, `%name%` being the
            // file's stem.
            let matcher = glob::Pattern::new(&pattern)
                .map_err(|e| format!("bad glob '{pattern}' in \"preexec\": {e}"))?;
            for file in opts
                .files
                .iter()
                .filter(|f| **f == pattern || matcher.matches(f))
            {
                let stem = std::path::Path::new(file)
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default();
                opts.file_preexec
                    .push((file.clone(), code.replace("%name%", &stem)));
            }
        }

        if let Some(t) = cli.timeout {
            if !(t > 0.0 && t.is_finite() && t < 1e9) {
                return Err(format!(
                    "bad --timeout {t}: expected a positive number of seconds"
                ));
            }
            opts.timeout = Duration::from_secs_f64(t);
        }
        opts.templates = cli.templates;
        opts.xunit_skipped = cli.xunit_skipped;
        if let Some(dir) = &opts.templates {
            if !dir.is_dir() {
                return Err(format!("--templates {}: not a directory", dir.display()));
            }
        }

        let explicit = cli.format.or(config.format);
        let format = match &explicit {
            Some(name) => Format::parse(name).ok_or_else(|| {
                format!("unknown output format '{name}': expected text, ansi, HTML, LaTeX, xUnit or live")
            })?,
            // UTScapy's default is ANSI; wirecraft keeps it for a terminal only, and
            // NO_COLOR turns it off.
            None if opts.output.is_none() && term.stdout_tty && !term.no_color => Format::Ansi,
            None => Format::Text,
        };
        opts.format = format;
        // ANSI asked for (or chosen for a terminal) colors; live colors a terminal.
        opts.color = match format {
            Format::Ansi => true,
            Format::Live => {
                // Progress lines go to stdout when the report goes to a file, else stderr.
                let progress_tty = if opts.output.is_some() {
                    term.stdout_tty
                } else {
                    term.stderr_tty
                };
                progress_tty && !term.no_color
            }
            _ => false,
        };
        Ok(opts)
    }

    /// The preexec code for a file: its own (from the config) after the global one.
    pub fn preexec_for(&self, file: &str) -> String {
        match self.file_preexec.iter().find(|(f, _)| f == file) {
            Some((_, code)) => code.clone(),
            None => self.preexec.clone(),
        }
    }
}
