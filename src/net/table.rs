//! Scapy's `pretty_list`: the text tables of `conf.route`, `conf.route6` (and later
//! `conf.ifaces`), with column widths from the content, multi-value cells spread over extra
//! lines, and Scapy's cropping to the terminal width.

use std::cmp::Ordering;

/// One cell: a text, or several values shown one per line (IPv6 source candidates).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cell {
    /// A single value.
    Text(String),
    /// Several values, one per line; an empty list shows as a blank.
    List(Vec<String>),
}

impl From<String> for Cell {
    fn from(s: String) -> Cell {
        Cell::Text(s)
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Cell {
        Cell::Text(s.to_string())
    }
}

fn cmp_cells(a: &Cell, b: &Cell) -> Ordering {
    match (a, b) {
        (Cell::Text(x), Cell::Text(y)) => x.cmp(y),
        (Cell::List(x), Cell::List(y)) => x.cmp(y),
        (Cell::Text(_), Cell::List(_)) => Ordering::Less,
        (Cell::List(_), Cell::Text(_)) => Ordering::Greater,
    }
}

fn char_len(s: &str) -> usize {
    s.chars().count()
}

/// Renders `rows` under `header` as Scapy's `pretty_list` does: rows sorted (stably) by column
/// `sort_by` when given, list cells spread over as many lines as their longest list (other
/// columns blank on the extra lines), each column as wide as its widest text, two spaces
/// between columns, every cell padded (so lines keep trailing spaces), no final newline.
///
/// `width` is the terminal width: when the table is wider, the widest column's longest text
/// loses its last two characters for a `_` until it fits, as Scapy does with
/// `conf.auto_crop_tables`. `None` (or 0) never crops.
pub fn pretty_list(
    mut rows: Vec<Vec<Cell>>,
    header: &[&str],
    sort_by: Option<usize>,
    width: Option<usize>,
) -> String {
    let cols = header.len();
    if let Some(k) = sort_by {
        rows.sort_by(|a, b| match (a.get(k), b.get(k)) {
            (Some(x), Some(y)) => cmp_cells(x, y),
            _ => Ordering::Equal,
        });
    }
    let mut lines: Vec<Vec<String>> = vec![header.iter().map(|h| h.to_string()).collect()];
    for row in rows {
        let depth = row
            .iter()
            .map(|c| match c {
                Cell::List(v) => v.len().max(1),
                Cell::Text(_) => 1,
            })
            .max()
            .unwrap_or(1);
        let has_list = row.iter().any(|c| matches!(c, Cell::List(_)));
        for k in 0..depth {
            let line: Vec<String> = (0..cols)
                .map(|j| match row.get(j) {
                    Some(Cell::List(v)) => v.get(k).cloned().unwrap_or_else(|| " ".to_string()),
                    Some(Cell::Text(t)) if k == 0 || !has_list => t.clone(),
                    _ => " ".to_string(),
                })
                .collect();
            lines.push(line);
        }
    }
    let mut colwidth: Vec<usize> = (0..cols)
        .map(|j| lines.iter().map(|l| char_len(&l[j])).max().unwrap_or(0))
        .collect();
    if let Some(w) = width.filter(|w| *w > 0) {
        let avail = w.saturating_sub(2 * cols.saturating_sub(1));
        while colwidth.iter().sum::<usize>() > avail {
            // The widest column (the first of equals), its longest text (the first of equals,
            // the header included) loses two characters for a "_".
            let Some(i) = (0..cols).max_by(|a, b| colwidth[*a].cmp(&colwidth[*b]).then(b.cmp(a)))
            else {
                break;
            };
            let lens: Vec<usize> = lines.iter().map(|l| char_len(&l[i])).collect();
            let Some(j) = (0..lens.len()).max_by(|a, b| lens[*a].cmp(&lens[*b]).then(b.cmp(a)))
            else {
                break;
            };
            let t = &lines[j][i];
            if lens[j] <= 1 {
                // Nothing left to crop (one-character cells): Scapy would loop forever.
                break;
            }
            let cropped: String = t
                .chars()
                .take(lens[j] - 2)
                .chain(std::iter::once('_'))
                .collect();
            lines[j][i] = cropped;
            colwidth[i] = lines.iter().map(|l| char_len(&l[i])).max().unwrap_or(0);
        }
    }
    lines
        .iter()
        .map(|l| {
            l.iter()
                .zip(&colwidth)
                .map(|(t, w)| format!("{t:<w$}"))
                .collect::<Vec<_>>()
                .join("  ")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The width Scapy's `get_terminal_width` finds: `COLUMNS` when a positive number, else the
/// width of the terminal on standard output, else 79 (Scapy's default when output is not a
/// terminal). A terminal reporting 0 columns gives `None`: no cropping.
pub fn terminal_width() -> Option<usize> {
    if let Some(c) = std::env::var("COLUMNS")
        .ok()
        .and_then(|v| v.trim().parse::<i64>().ok())
        .filter(|c| *c > 0)
    {
        return usize::try_from(c).ok();
    }
    // SAFETY: TIOCGWINSZ fills a winsize struct we own; the result is checked.
    let mut ws: libc::winsize = unsafe { std::mem::zeroed() };
    let rc = unsafe { libc::ioctl(1, libc::TIOCGWINSZ, &mut ws as *mut libc::winsize) };
    if rc != 0 {
        return Some(79);
    }
    (ws.ws_col > 0).then_some(usize::from(ws.ws_col))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_padding_and_lists() {
        let rows = vec![
            vec![
                Cell::from("b"),
                Cell::List(vec!["x".into(), "yy".into()]),
                Cell::from("1"),
            ],
            vec![Cell::from("a"), Cell::List(vec![]), Cell::from("22")],
        ];
        // References: Scapy 2.8's pretty_list with COLUMNS=1000, 8 and 3.
        let t = pretty_list(rows.clone(), &["N", "C", "M"], Some(0), None);
        assert_eq!(t, "N  C   M \na      22\nb  x   1 \n   yy    ");
        let t = pretty_list(rows.clone(), &["N", "C", "M"], Some(0), Some(8));
        assert_eq!(t, "N  C  M \na     22\nb  x  1 \n   _    ");
        // Scapy never returns here (it crops one-character cells forever); we stop.
        let t = pretty_list(rows, &["N", "C", "M"], Some(0), Some(3));
        assert!(t.starts_with("N  C  M"));
    }
}
