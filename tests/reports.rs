//! The HTML, LaTeX and xUnit reports, checked in the tools that read them: headless Chromium,
//! pdflatex and pdftotext, an XML parser. `scripts/setup-system` installs the tools; a missing
//! one fails the test with that instruction rather than skipping it.

use std::path::{Path, PathBuf};
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_wirecraft");

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn tmpdir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("wirecraft-reports-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("tmpdir");
    dir
}

/// Runs wirecraft on a campaign with `args`, the report written to `out`; returns the exit code.
fn report(campaign: &Path, out: &Path, args: &[&str]) -> i32 {
    let status = Command::new(BIN)
        .arg("-t")
        .arg(campaign)
        .arg("-o")
        .arg(out)
        .arg("-qqq")
        .args(args)
        .status()
        .expect("run wirecraft");
    status.code().unwrap_or(-1)
}

fn demo() -> PathBuf {
    root().join("campaigns/examples/demo_campaign.uts")
}

fn special() -> PathBuf {
    root().join("tests/fixtures/special.uts")
}

fn tool(name: &str) -> PathBuf {
    for dir in ["/usr/bin", "/usr/local/bin", "/bin"] {
        let p = Path::new(dir).join(name);
        if p.is_file() {
            return p;
        }
    }
    panic!("{name} is not installed: run scripts/setup-system as root");
}

/// The DOM of a page after its scripts ran, from headless Chromium.
fn dump_dom(page: &Path) -> String {
    dump_dom_at(page, "")
}

/// The same, for the page's address with a fragment (`#kw=...`).
fn dump_dom_at(page: &Path, fragment: &str) -> String {
    // A profile per call: Chromium refuses a profile another instance holds.
    static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let call = CALLS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let profile = tmpdir(&format!("chromium-{call}"));
    let out = Command::new("timeout")
        .arg("120")
        .arg(tool("chromium"))
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("--dump-dom")
        .arg(format!("file://{}{fragment}", page.display()))
        .output()
        .expect("run chromium");
    assert!(
        out.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn count(haystack: &str, needle: &str) -> usize {
    haystack.matches(needle).count()
}

#[test]
fn html_counts_failed_markers_and_expansion() {
    let dir = tmpdir("html");
    let page = dir.join("demo.html");
    assert_eq!(report(&demo(), &page, &["-f", "HTML"]), 1);
    let dom = dump_dom(&page);
    assert!(dom.contains("PASSED=4 FAILED=2"));
    assert_eq!(count(&dom, "<tr class=\"test failed\""), 2);
    assert_eq!(count(&dom, "<tr class=\"test passed\""), 4);
    assert_eq!(count(&dom, "<details class=\"test failed\""), 2);
    assert!(dom.contains("<span class=\"crc\">B5688E23</span>"));
    assert!(dom.contains("D92B28A83F4E306609EA2D8E3AA9CF037061B36B"));
    assert_eq!(
        count(&dom, " open=\"\""),
        0,
        "without -F nothing is expanded"
    );
    assert_eq!(
        dom.matches("data-script=\"ready\"").count(),
        1,
        "inline script ran"
    );

    // Keywords filter the table: the page opened on `#kw=hardest` hides the other rows.
    let dom = dump_dom_at(&page, "#kw=hardest");
    assert_eq!(count(&dom, "<tr class=\"test passed hidden\""), 3, "{dom}");
    assert_eq!(count(&dom, "<tr class=\"test failed hidden\""), 1);
    assert_eq!(
        count(&dom, "<a class=\"kw active\""),
        4,
        "the chosen keyword is highlighted in table and list"
    );

    let page = dir.join("failed.html");
    report(&demo(), &page, &["-f", "html", "-F"]);
    let dom = dump_dom(&page);
    assert_eq!(
        count(
            &dom,
            "<details class=\"test failed\" id=\"tst1\" open=\"\">"
        ),
        1
    );
    assert_eq!(
        count(
            &dom,
            "<details class=\"test failed\" id=\"tst4\" open=\"\">"
        ),
        1
    );
    assert_eq!(
        count(&dom, " open=\"\""),
        2,
        "with -F only the failed tests are expanded"
    );
}

#[test]
fn html_local_links_css_and_js_by_relative_path() {
    let dir = tmpdir("html-local");
    let page = dir.join("demo.html");
    report(&demo(), &page, &["-f", "html", "-l"]);
    let html = std::fs::read_to_string(&page).expect("page");
    assert!(html.contains("<link rel=\"stylesheet\" href=\"wirecraft.css\""));
    assert!(html.contains("<script src=\"wirecraft.js\""));
    assert!(!html.contains("<style>"));
    assert!(dir.join("wirecraft.css").is_file() && dir.join("wirecraft.js").is_file());
    let dom = dump_dom(&page);
    assert!(
        dom.contains("data-script=\"ready\""),
        "linked script did not run"
    );
    assert!(
        dom.contains("data-style=\"ready\""),
        "linked style did not apply"
    );
}

#[test]
fn html_escapes_what_campaigns_hold() {
    let dir = tmpdir("html-special");
    let page = dir.join("special.html");
    report(&special(), &page, &["-f", "html"]);
    let dom = dump_dom(&page);
    assert!(!dom.contains("<b>bold?</b>") && dom.contains("&lt;b&gt;bold?&lt;/b&gt;"));
    assert!(dom.contains("&lt;tag&gt; &amp; ]]&gt;"));
    assert!(dom.contains("data-kw=\"odd-kw\""));
}

fn pdflatex(tex: &Path) -> String {
    let dir = tex.parent().expect("dir");
    let out = Command::new(tool("pdflatex"))
        .args(["-interaction=nonstopmode", "-halt-on-error"])
        .arg(tex.file_name().expect("name"))
        .current_dir(dir)
        .output()
        .expect("run pdflatex");
    let log = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "pdflatex failed:\n{log}");
    assert!(
        !log.lines().any(|l| l.starts_with('!')),
        "pdflatex error:\n{log}"
    );
    let pdf = tex.with_extension("pdf");
    let text = Command::new(tool("pdftotext"))
        .arg(&pdf)
        .arg("-")
        .output()
        .expect("pdftotext");
    String::from_utf8_lossy(&text.stdout).into_owned()
}

#[test]
fn latex_demo_compiles_and_reads_back() {
    let dir = tmpdir("latex");
    let tex = dir.join("demo.tex");
    assert_eq!(report(&demo(), &tex, &["-f", "LaTeX"]), 1);
    let text = pdflatex(&tex);
    for needle in [
        "Example Test Campaign",
        "Unit Test 1",
        "Unit test 2",
        "Unit Test 5",
        "result: passed",
        "result: failed",
        "AssertionError",
    ] {
        assert!(text.contains(needle), "PDF lacks {needle:?}:\n{text}");
    }
}

#[test]
fn latex_compiles_whatever_names_and_output_hold() {
    let dir = tmpdir("latex-special");
    let tex = dir.join("special.tex");
    report(&special(), &tex, &["-f", "latex"]);
    let text = pdflatex(&tex);
    // pdftotext gives `_` (a rule in the font) as nothing, `~`/`^` as their accent forms and
    // `é` decomposed.
    assert!(text.contains("Name %&#${}\\˜ˆ e\u{301}"), "{text}");
    assert!(text.contains("Fails with a NameError") && text.contains("NameError"));
    assert!(
        text.contains("U+2501"),
        "characters the fonts lack are named: {text}"
    );
}

fn xunit(campaign: &Path, args: &[&str]) -> String {
    let dir = tmpdir(&format!(
        "xunit-{}",
        campaign.file_stem().and_then(|s| s.to_str()).unwrap_or("x")
    ));
    let out = dir.join("report.xml");
    let mut all = vec!["-f", "xUnit"];
    all.extend_from_slice(args);
    report(campaign, &out, &all);
    std::fs::read_to_string(out).expect("xunit report")
}

#[test]
fn xunit_demo_structure_and_counts() {
    let xml = xunit(&demo(), &[]);
    let doc = roxmltree::Document::parse(&xml).expect("valid XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    let suites: Vec<_> = root
        .children()
        .filter(|n| n.has_tag_name("testsuite"))
        .collect();
    assert_eq!(suites.len(), 2);
    assert_eq!(suites[0].attribute("name"), Some("Test Set 1"));
    assert_eq!(suites[0].attribute("tests"), Some("3"));
    assert_eq!(suites[0].attribute("failures"), Some("1"));
    let cases: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    assert_eq!(cases.len(), 6);
    let failed: Vec<_> = cases
        .iter()
        .filter_map(|c| {
            c.children()
                .find(|n| n.has_tag_name("failure"))
                .map(|f| (c.attribute("name"), f.attribute("type")))
        })
        .collect();
    assert_eq!(
        failed,
        [
            (Some("Unit test 2"), Some("falsy result")),
            (Some("Unit Test 5"), Some("AssertionError"))
        ]
    );
    assert_eq!(
        doc.descendants()
            .filter(|n| n.has_tag_name("error"))
            .count(),
        0
    );
    assert_eq!(root.attribute("failures"), Some("2"));
    assert_eq!(root.attribute("errors"), Some("0"));
    for case in &cases {
        assert_eq!(
            case.attribute("classname"),
            case.parent().and_then(|p| p.attribute("name"))
        );
        let time: f64 = case
            .attribute("time")
            .expect("time")
            .parse()
            .expect("number");
        assert!(time > 0.0, "durations are measured");
        let out = case
            .children()
            .find(|n| n.has_tag_name("system-out"))
            .expect("system-out");
        assert!(out.text().unwrap_or_default().starts_with(">>> "));
    }
}

#[test]
fn xunit_errors_escaping_and_skipped() {
    let xml = xunit(&special(), &[]);
    let doc = roxmltree::Document::parse(&xml)
        .expect("a transcript with ]]> and control characters still parses");
    let errors: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("error"))
        .collect();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].attribute("type"), Some("NameError"));
    assert_eq!(
        doc.descendants()
            .filter(|n| n.has_tag_name("failure"))
            .count(),
        1
    );
    let out: String = doc
        .descendants()
        .filter(|n| n.has_tag_name("system-out"))
        .filter_map(|n| n.text())
        .collect();
    assert!(
        out.contains("<tag> & ]]> \\x01\\x02\\x1b[31m ünï ━ 日本"),
        "{out}"
    );

    // Deselected tests are listed as skipped only when asked.
    let xml = xunit(&demo(), &["-k", "harder"]);
    assert_eq!(xml.matches("<testcase ").count(), 3);
    assert_eq!(xml.matches("<skipped").count(), 0);
    let xml = xunit(&demo(), &["-k", "harder", "--xunit-skipped"]);
    let doc = roxmltree::Document::parse(&xml).expect("valid XML");
    assert_eq!(
        doc.descendants()
            .filter(|n| n.has_tag_name("testcase"))
            .count(),
        6
    );
    assert_eq!(
        doc.descendants()
            .filter(|n| n.has_tag_name("skipped"))
            .count(),
        3
    );
    assert_eq!(doc.root_element().attribute("skipped"), Some("3"));
}

#[test]
fn a_template_directory_overrides_only_its_files() {
    let dir = tmpdir("templates");
    let tpl = dir.join("tpl");
    std::fs::create_dir_all(&tpl).expect("dir");
    std::fs::write(
        tpl.join("text.j2"),
        "{% for c in campaigns %}{{ c.title }}: {{ c.passed }}/{{ c.failed }}{% endfor %}",
    )
    .expect("tpl");
    let out = dir.join("r.txt");
    report(
        &demo(),
        &out,
        &["-f", "text", "--templates", tpl.to_str().expect("path")],
    );
    assert_eq!(
        std::fs::read_to_string(&out).expect("report"),
        "Example Test Campaign: 4/2"
    );
    let out = dir.join("r.xml");
    report(
        &demo(),
        &out,
        &["-f", "xunit", "--templates", tpl.to_str().expect("path")],
    );
    let xml = std::fs::read_to_string(&out).expect("report");
    assert!(xml.starts_with("<?xml"), "xunit stays built in");
}

#[test]
fn xunit_durations_are_real() {
    // The language has no sleep yet (time arrives with the modules); a loop stopped by a 0.3 s
    // timeout runs at least that long, and is a failure with its own type.
    let loop_campaign = root().join("tests/fixtures/loop.uts");
    let xml = xunit(&loop_campaign, &["--timeout", "0.3"]);
    let doc = roxmltree::Document::parse(&xml).expect("valid XML");
    let case = doc
        .descendants()
        .find(|n| n.has_tag_name("testcase") && n.attribute("name") == Some("Loops forever"))
        .expect("the looping test");
    let time: f64 = case
        .attribute("time")
        .expect("time")
        .parse()
        .expect("number");
    assert!(time >= 0.3, "time={time}");
    let failure = case
        .children()
        .find(|n| n.has_tag_name("failure"))
        .expect("a failure");
    assert_eq!(failure.attribute("type"), Some("timeout"));
    assert_eq!(
        failure.attribute("message"),
        Some("Test timed out after 0.3 s")
    );
}
