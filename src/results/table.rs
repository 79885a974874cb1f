//! `make_table()`, `make_lined_table()` and `make_tex_table()`: cells `(x, y, z)` laid out
//! with the x values as columns and the y values as rows, in the reference's formats.

use std::collections::HashMap;

/// The three layouts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// Columns padded and separated by a space.
    Plain,
    /// Columns separated by ` | ` between `---+---` rules.
    Lined,
    /// LaTeX tabular rows between `\hline`s.
    Tex,
}

/// The order of a table's labels: by IPv4 address when every label reads as one (as
/// inet_aton(3) reads them: `10`, `0x10` and `10.0.0.1` alike), else as text.
fn sort_labels(labels: &mut [String]) {
    let keys: Option<Vec<u32>> = labels.iter().map(|l| inet_aton(l)).collect();
    match keys {
        Some(keys) => {
            let mut pairs: Vec<(u32, String)> =
                keys.into_iter().zip(labels.iter().cloned()).collect();
            pairs.sort_by_key(|(k, _)| *k);
            for (slot, (_, l)) in labels.iter_mut().zip(pairs) {
                *slot = l;
            }
        }
        None => labels.sort(),
    }
}

/// The C library's inet_aton(3), the reference's test of "this label is an address".
fn inet_aton(s: &str) -> Option<u32> {
    let c = std::ffi::CString::new(s).ok()?;
    let mut addr = libc::in_addr { s_addr: 0 };
    // SAFETY: `c` is a NUL-terminated string and `addr` a valid in_addr for the call.
    let ok = unsafe { inet_aton_c(c.as_ptr(), &mut addr) };
    (ok != 0).then(|| u32::from_be(addr.s_addr))
}

extern "C" {
    #[link_name = "inet_aton"]
    fn inet_aton_c(cp: *const libc::c_char, inp: *mut libc::in_addr) -> libc::c_int;
}

/// Lays out the cells. A later cell for the same (x, y) replaces an earlier one; a missing
/// cell shows `-`. The text ends with a newline.
pub fn make_table(cells: &[(String, String, String)], style: Style) -> String {
    let mut xs: Vec<String> = Vec::new();
    let mut ys: Vec<String> = Vec::new();
    let mut z: HashMap<(&str, &str), &str> = HashMap::new();
    for (x, y, v) in cells {
        if !xs.contains(x) {
            xs.push(x.clone());
        }
        if !ys.contains(y) {
            ys.push(y.clone());
        }
        z.insert((x.as_str(), y.as_str()), v.as_str());
    }
    sort_labels(&mut xs);
    sort_labels(&mut ys);
    let cell = |x: &str, y: &str| z.get(&(x, y)).copied().unwrap_or("-");
    let width = |s: &str| s.chars().count();
    let ylen = ys.iter().map(|y| width(y)).max().unwrap_or(0);
    let colw: Vec<usize> = xs
        .iter()
        .map(|x| {
            ys.iter()
                .map(|y| width(cell(x, y)))
                .chain(std::iter::once(width(x)))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let pad = |s: &str, w: usize| format!("{s}{}", " ".repeat(w.saturating_sub(width(s))));
    let mut out = String::new();
    match style {
        Style::Plain => {
            let row = |first: &str, rest: Vec<&str>| {
                let mut line = format!("{} ", pad(first, ylen));
                for (v, w) in rest.iter().zip(&colw) {
                    line.push_str(&pad(v, *w));
                    line.push(' ');
                }
                line.push('\n');
                line
            };
            out.push_str(&row("", xs.iter().map(String::as_str).collect()));
            for y in &ys {
                out.push_str(&row(y, xs.iter().map(|x| cell(x, y)).collect()));
            }
        }
        Style::Lined => {
            let mut rule = format!("{}+", "-".repeat(ylen + 1));
            for w in &colw {
                rule.push_str(&"-".repeat(w + 2));
                rule.push('+');
            }
            rule.push('\n');
            let row = |first: &str, rest: Vec<&str>| {
                let mut line = format!("{} | ", pad(first, ylen));
                for (v, w) in rest.iter().zip(&colw) {
                    line.push_str(&pad(v, *w));
                    line.push_str(" | ");
                }
                line.push('\n');
                line
            };
            out.push_str(&rule);
            out.push_str(&row("", xs.iter().map(String::as_str).collect()));
            out.push_str(&rule);
            for y in &ys {
                out.push_str(&row(y, xs.iter().map(|x| cell(x, y)).collect()));
            }
            out.push_str(&rule);
        }
        Style::Tex => {
            let row = |first: &str, rest: Vec<&str>| {
                let mut line = first.to_string();
                for v in rest {
                    line.push_str(" & ");
                    line.push_str(v);
                }
                line.push_str(" \\\\\n");
                line
            };
            out.push_str("\\hline\n");
            out.push_str(&row("", xs.iter().map(String::as_str).collect()));
            out.push_str("\\hline\n");
            for y in &ys {
                out.push_str(&row(y, xs.iter().map(|x| cell(x, y)).collect()));
            }
            out.push_str("\\hline\n");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cells(v: &[(&str, &str, &str)]) -> Vec<(String, String, String)> {
        v.iter()
            .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
            .collect()
    }

    #[test]
    fn labels_sort_as_addresses_only_when_all_are() {
        let mut a = vec!["10.0.0.10".to_string(), "10.0.0.9".into(), "9".into()];
        sort_labels(&mut a);
        assert_eq!(a, ["9", "10.0.0.9", "10.0.0.10"]);
        let mut b = vec!["a9".to_string(), "10".into(), "9".into()];
        sort_labels(&mut b);
        assert_eq!(b, ["10", "9", "a9"]);
    }

    #[test]
    fn plain_and_lined_layouts() {
        let c = cells(&[("1", "b", "x"), ("10", "a", "y"), ("2", "a", "zz")]);
        assert_eq!(
            make_table(&c, Style::Plain),
            "  1 2  10 \na - zz y  \nb x -  -  \n"
        );
        assert_eq!(
            make_table(&c, Style::Lined),
            "--+---+----+----+\n  | 1 | 2  | 10 | \n--+---+----+----+\na | - | zz | y  | \nb | x | -  | -  | \n--+---+----+----+\n"
        );
    }
}
