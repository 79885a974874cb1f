//! The block `prnp0f` prints for a fingerprinted packet, in Scapy 2.8's layout:
//!
//! ```text
//! .-[ 198.51.100.11:50000 -> 203.0.113.20:https (SYN) ]-
//! |
//! | Client   = 198.51.100.11:50000
//! | OS       = Windows 7 or 8
//! | Distance = 0
//! | Raw sig  = 4:128+0:0:1460:8192,8:mss,nop,ws,nop,nop,sok:df,id+:0
//! `____
//! ```
//!
//! An application's label (class `!`) shows as `App` with its systems as `Sys`; no match shows
//! `OS = UNKNOWN` and no distance.

use std::fmt::Write;

use super::matching::TcpMatch;
use super::signature::Direction;

/// The block for a packet from `src` to `dst` (each `address:port` as Scapy shows them), its
/// match if any, and its signature's text. Ends with a newline.
pub fn block(
    src: &str,
    dst: &str,
    dir: Direction,
    found: Option<&TcpMatch<'_>>,
    sig: &str,
) -> String {
    let (kind, who) = match dir {
        Direction::Request => ("SYN", "Client"),
        Direction::Response => ("SYN+ACK", "Server"),
    };
    let mut out = format!(".-[ {src} -> {dst} ({kind}) ]-\n|\n");
    let mut line = |name: &str, value: &str| {
        let _ = writeln!(out, "| {name:<8} = {value}");
    };
    line(who, src);
    match found {
        Some(m) => {
            let what = format!("{} {}", m.label.name, m.label.flavor);
            if m.label.class == "!" {
                line("App", &what);
            } else {
                line("OS", &what);
            }
            if let Some(sys) = &m.label.sys {
                line("Sys", &sys.join(", "));
            }
            line("Distance", &m.dist.to_string());
        }
        None => line("OS", "UNKNOWN"),
    }
    line("Raw sig", sig);
    out.push_str("`____\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::p0f::database::Label;

    #[test]
    fn blocks() {
        let label = Label {
            generic: false,
            class: "!".into(),
            name: "NMap".into(),
            flavor: "SYN scan".into(),
            sys: Some(vec!["@unix".into(), "@win".into()]),
        };
        let m = TcpMatch {
            label: &label,
            dist: 24,
            fuzzy: false,
        };
        assert_eq!(
            block(
                "198.51.100.11:tcpmux",
                "203.0.113.20:12345",
                Direction::Request,
                Some(&m),
                "4:40+24:0:1460:1024,0:mss::0"
            ),
            ".-[ 198.51.100.11:tcpmux -> 203.0.113.20:12345 (SYN) ]-\n|\n\
             | Client   = 198.51.100.11:tcpmux\n\
             | App      = NMap SYN scan\n\
             | Sys      = @unix, @win\n\
             | Distance = 24\n\
             | Raw sig  = 4:40+24:0:1460:1024,0:mss::0\n`____\n"
        );
        assert_eq!(
            block("a:http", "b:1", Direction::Response, None, "s"),
            ".-[ a:http -> b:1 (SYN+ACK) ]-\n|\n| Server   = a:http\n| OS       = UNKNOWN\n| Raw sig  = s\n`____\n"
        );
    }
}
