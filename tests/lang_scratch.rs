//! Runs every `*.py` snippet of the directory in $WIRECRAFT_SCRATCH as a console test and
//! prints the transcripts (a helper for comparing with tests/lang_support/pyconsole.py).
mod lang_support;
use lang_support::*;

#[test]
#[ignore]
fn scratch() {
    let Ok(dir) = std::env::var("WIRECRAFT_SCRATCH") else {
        return;
    };
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .expect("dir")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "py"))
        .collect();
    names.sort();
    let mut out = String::new();
    for p in names {
        let src = std::fs::read_to_string(&p).expect("read");
        let src = src.strip_suffix('\n').unwrap_or(&src);
        out.push_str(&format!("=== {}\n", p.display()));
        out.push_str(&transcript(src));
    }
    std::fs::write(format!("{dir}/rust.out"), out).expect("write");
}
