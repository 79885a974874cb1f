//! `conversations()`: the Graphviz dot text of who talks to whom, and its rendering by the
//! `dot` program into the format asked for.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

/// Counts each (source, destination) pair, in first-seen order.
#[derive(Default)]
pub struct Conversations {
    edges: Vec<((String, String), usize)>,
}

impl Conversations {
    /// Counts one packet from `src` to `dst`.
    pub fn add(&mut self, src: String, dst: String) {
        let key = (src, dst);
        match self.edges.iter_mut().find(|(k, _)| *k == key) {
            Some((_, n)) => *n += 1,
            None => self.edges.push((key, 1)),
        }
    }

    /// The dot text, as the reference writes it.
    pub fn dot(&self) -> String {
        let mut out = String::from("digraph \"conv\" {\n");
        for ((src, dst), n) in &self.edges {
            out.push_str(&format!("\t \"{src}\" -> \"{dst}\" [label=\"{n}\"]\n"));
        }
        out.push_str("}\n");
        out
    }
}

/// Renders dot text with `prog` (Graphviz's `dot`) into `target` in `format` (`svg`, `png`,
/// `jpg`, `pdf`, ... any `-T` format the program knows).
pub fn render(dot_text: &str, prog: &str, format: &str, target: &Path) -> Result<(), String> {
    let mut child = Command::new(prog)
        .arg(format!("-T{format}"))
        .arg("-o")
        .arg(target)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run {prog} (install Graphviz): {e}"))?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(dot_text.as_bytes())
            .map_err(|e| format!("cannot write to {prog}: {e}"))?;
    }
    let out = child
        .wait_with_output()
        .map_err(|e| format!("{prog} failed: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "{prog} -T{format} failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_in_first_seen_order() {
        let mut c = Conversations::default();
        c.add("b".into(), "a".into());
        c.add("a".into(), "b".into());
        c.add("b".into(), "a".into());
        assert_eq!(
            c.dot(),
            "digraph \"conv\" {\n\t \"b\" -> \"a\" [label=\"2\"]\n\t \"a\" -> \"b\" [label=\"1\"]\n}\n"
        );
    }
}
