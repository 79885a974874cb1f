//! The `wirecraft` command: UTScapy's command line over the wirecraft library.

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::{ArgAction, Parser};
use wirecraft::campaign::{self, exit, CliArgs, RunOptions, Terminal};

/// Runs Scapy-style test campaigns (.uts files) and writes their report.
///
/// With no -t, the campaign is read from standard input. Exit code: 0 all tests passed,
/// 1 some failed, 2 usage or parse error, 130 interrupted (Ctrl-C).
#[derive(Parser, Debug)]
#[command(name = "wirecraft", version, about, long_about = None)]
struct Cli {
    /// Campaign file to run (repeatable; globs like 'tests/*.uts' are expanded, sorted)
    #[arg(short = 't', value_name = "FILE", action = ArgAction::Append)]
    testfiles: Vec<String>,
    /// Exclude a file that -t matched (a path or a glob; repeatable)
    #[arg(short = 'T', value_name = "FILE", action = ArgAction::Append)]
    exclude: Vec<String>,
    /// Write the report to FILE instead of standard output
    #[arg(short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
    /// Report format: text, ansi, HTML, LaTeX, xUnit or live (case-insensitive; default: ansi on a terminal, text otherwise)
    #[arg(short = 'f', value_name = "FORMAT")]
    format: Option<String>,
    /// HTML: write the .css and .js beside the report and link them instead of inlining them
    #[arg(short = 'l')]
    local: bool,
    /// Only failed tests in the text, ANSI and LaTeX reports (in HTML only they are expanded)
    #[arg(short = 'F')]
    only_failed: bool,
    /// Go on with the next campaign file after one with a failure
    #[arg(short = 'b')]
    no_break: bool,
    /// Dump the campaigns (numbers, CRCs, keywords), then run them
    #[arg(short = 'd')]
    dump: bool,
    /// Dump the campaigns and stop
    #[arg(short = 'D')]
    dump_only: bool,
    /// Do not compute CRC and SHA signatures
    #[arg(short = 'C')]
    no_crc: bool,
    /// Quiet: -q drops durations from progress lines, -qq keeps only the totals, -qqq prints none
    #[arg(short = 'q', action = ArgAction::Count)]
    quiet: u8,
    /// Only the tests with these numbers (e.g. 1,3-7,12)
    #[arg(short = 'n', value_name = "NUMBERS")]
    numbers: Option<String>,
    /// A campaign-language file run in every session before its campaign (repeatable)
    #[arg(short = 'm', value_name = "FILE", action = ArgAction::Append)]
    modules: Vec<String>,
    /// Keep only tests having one of these keywords (kw1,kw2; repeatable)
    #[arg(short = 'k', value_name = "KEYWORDS", action = ArgAction::Append)]
    keep: Vec<String>,
    /// Remove tests having one of these keywords (kw1,kw2; repeatable)
    #[arg(short = 'K', value_name = "KEYWORDS", action = ArgAction::Append)]
    remove: Vec<String>,
    /// Code run in each session before its campaign (repeatable)
    #[arg(short = 'P', value_name = "CODE", action = ArgAction::Append)]
    preexec: Vec<String>,
    /// A UTScapy .utsc JSON config file (command-line options override it)
    #[arg(short = 'c', value_name = "CONFIG")]
    config: Option<PathBuf>,
    /// Fail a test that runs longer than this (default 300)
    #[arg(long, value_name = "SECONDS")]
    timeout: Option<f64>,
    /// Use report templates from DIR where it has them (text.j2, html.j2, latex.j2, xunit.j2)
    #[arg(long, value_name = "DIR")]
    templates: Option<PathBuf>,
    /// xUnit: list the tests -k, -K and -n deselected as <skipped/>
    #[arg(long)]
    xunit_skipped: bool,
}

fn main() {
    wirecraft::alloc::configure_process();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
                let _ = e.print();
                std::process::exit(exit::PASSED);
            }
            // One line, as every other usage error.
            let rendered = e.render().to_string();
            let first = rendered.lines().next().unwrap_or("bad arguments");
            let first = first.strip_prefix("error: ").unwrap_or(first);
            eprintln!("wirecraft: {first} (see --help)");
            std::process::exit(exit::USAGE);
        }
    };
    let args = CliArgs {
        testfiles: cli.testfiles,
        exclude: cli.exclude,
        output: cli.output,
        format: cli.format,
        local: cli.local,
        only_failed: cli.only_failed,
        no_break: cli.no_break,
        dump: cli.dump,
        dump_only: cli.dump_only,
        no_crc: cli.no_crc,
        quiet: cli.quiet,
        numbers: cli.numbers,
        modules: cli.modules,
        keep: cli.keep,
        remove: cli.remove,
        preexec: cli.preexec,
        config: cli.config,
        timeout: cli.timeout,
        templates: cli.templates,
        xunit_skipped: cli.xunit_skipped,
    };
    let terminal = Terminal {
        stdout_tty: std::io::stdout().is_terminal(),
        stderr_tty: std::io::stderr().is_terminal(),
        no_color: std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()),
        // SAFETY: geteuid has no preconditions.
        root: unsafe { libc::geteuid() } == 0,
    };
    let code = match RunOptions::build(args, terminal) {
        Ok(opts) => campaign::run(opts),
        Err(e) => {
            eprintln!("wirecraft: {e}");
            exit::USAGE
        }
    };
    std::process::exit(code);
}
