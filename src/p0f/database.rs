//! p0f v3's fingerprint database (`p0f.fp`, its format in p0f's README, "Fingerprint
//! database"): `[mtu]` labels with their MTUs, and `[tcp:request]`/`[tcp:response]` labels
//! with their signatures. `[http:*]` sections are read past: wirecraft has no HTTP layer to
//! fingerprint.
//!
//! The file is data of the installed p0f package (Debian's `/etc/p0f/p0f.fp`), read at run
//! time. A line that does not parse is reported (file line, what is wrong) and skipped; the
//! rest of the file still loads.

use super::quirks::{Quirk, Quirks};

/// A label of the TCP sections: `label = type:class:name:flavor`, and the `sys` line after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    /// `g` (generic, last resort) rather than `s` (specific).
    pub generic: bool,
    /// The OS family (`unix`, `win`, ...) or `!` for an application.
    pub class: String,
    /// The name (`Linux`).
    pub name: String,
    /// The flavor (`3.11 and newer`), possibly empty.
    pub flavor: String,
    /// The systems an application runs on (`sys = @unix,@win`).
    pub sys: Option<Vec<String>>,
}

impl Label {
    /// The type letter.
    pub fn kind(&self) -> &'static str {
        if self.generic {
            "g"
        } else {
            "s"
        }
    }
}

/// The window size of a TCP signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WindowSpec {
    /// `*`.
    Any,
    /// A fixed value.
    Value(u32),
    /// `%N`: a multiple of N.
    Modulo(u32),
    /// `mss*N`.
    Mss(u32),
    /// `mtu*N`.
    Mtu(u32),
}

/// A signature of a TCP section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TcpRecord {
    /// Index of its label in [`KnowledgeBase::labels`].
    pub label: usize,
    /// 4, 6, or None for `*`.
    pub ip_ver: Option<u8>,
    /// The initial TTL.
    pub ttl: u32,
    /// `64-`: a tool that sends random TTLs up to this one.
    pub random_ttl: bool,
    /// IP options length.
    pub ip_opt_len: i64,
    /// MSS, None for `*`.
    pub mss: Option<u32>,
    /// Window size.
    pub win: WindowSpec,
    /// Window scale, None for `*`.
    pub wscale: Option<u32>,
    /// Options layout, as written.
    pub olayout: String,
    /// Quirks.
    pub quirks: Quirks,
    /// Payload class: Some(false) for `0`, Some(true) for `+`, None for `*`.
    pub pay_class: Option<bool>,
    /// The signature as written.
    pub text: String,
}

/// A signature of the `[mtu]` section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MtuRecord {
    /// The link's description (the label).
    pub label: String,
    /// The MTU.
    pub mtu: u32,
}

/// A loaded `p0f.fp`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KnowledgeBase {
    /// The TCP sections' labels, in file order.
    pub labels: Vec<Label>,
    /// `[mtu]`.
    pub mtu: Vec<MtuRecord>,
    /// `[tcp:request]`: SYN signatures.
    pub tcp_request: Vec<TcpRecord>,
    /// `[tcp:response]`: SYN+ACK signatures.
    pub tcp_response: Vec<TcpRecord>,
}

/// The section lines belong to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Section {
    /// Before any section header.
    Preamble,
    Mtu,
    Tcp(bool),
    /// `[http:...]`: read past.
    Http,
    /// An unknown section, reported once and read past.
    Unknown,
}

/// What parsing a file gives: the database and what was wrong with it, line by line.
pub struct Parsed {
    /// The database.
    pub base: KnowledgeBase,
    /// One message per skipped line: `line N: what is wrong: the line`.
    pub problems: Vec<String>,
}

impl KnowledgeBase {
    /// Parses the text of a `p0f.fp`.
    pub fn parse(text: &str) -> Parsed {
        let mut base = KnowledgeBase::default();
        let mut problems = Vec::new();
        let mut section = Section::Preamble;
        // The label the next signatures belong to: the MTU label's text, or a TCP label's
        // index; None after a label that did not parse (its signatures are skipped).
        let mut mtu_label: Option<String> = None;
        let mut tcp_label: Option<usize> = None;
        for (n, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with(';') {
                continue;
            }
            let mut problem = |what: String| {
                problems.push(format!("line {}: {what}: {line}", n + 1));
            };
            if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                section = match name {
                    "mtu" => Section::Mtu,
                    "tcp:request" => Section::Tcp(true),
                    "tcp:response" => Section::Tcp(false),
                    "http:request" | "http:response" => Section::Http,
                    _ => {
                        problem("unknown section, its lines are skipped".to_string());
                        Section::Unknown
                    }
                };
                mtu_label = None;
                tcp_label = None;
                continue;
            }
            let Some((key, value)) = line.split_once('=') else {
                if !matches!(section, Section::Http | Section::Unknown) {
                    problem("not a `name = value` line".to_string());
                }
                continue;
            };
            let (key, value) = (key.trim(), value.trim());
            match (section, key) {
                (Section::Http | Section::Unknown, _) | (Section::Preamble, "classes") => {}
                (Section::Mtu, "label") => mtu_label = Some(value.to_string()),
                (Section::Mtu, "sig") => match (&mtu_label, value.parse::<u32>()) {
                    (Some(label), Ok(mtu)) => base.mtu.push(MtuRecord {
                        label: label.clone(),
                        mtu,
                    }),
                    (None, _) => problem("signature without a label before it".to_string()),
                    (_, Err(_)) => problem("the MTU is not a number".to_string()),
                },
                (Section::Tcp(_), "label") => match parse_label(value) {
                    Ok(label) => {
                        base.labels.push(label);
                        tcp_label = Some(base.labels.len() - 1);
                    }
                    Err(e) => {
                        tcp_label = None;
                        problem(e);
                    }
                },
                (Section::Tcp(_), "sys") => match tcp_label {
                    Some(i) => {
                        base.labels[i].sys =
                            Some(value.split(',').map(|s| s.trim().to_string()).collect())
                    }
                    None => problem("`sys` without a label before it".to_string()),
                },
                (Section::Tcp(request), "sig") => match (tcp_label, parse_tcp_sig(value)) {
                    (Some(label), Ok(mut rec)) => {
                        rec.label = label;
                        if request {
                            base.tcp_request.push(rec);
                        } else {
                            base.tcp_response.push(rec);
                        }
                    }
                    (None, _) => problem("signature without a valid label before it".to_string()),
                    (_, Err(e)) => problem(e),
                },
                _ => problem(format!("`{key}` does not belong here")),
            }
        }
        Parsed { base, problems }
    }

    /// The signatures of a direction.
    pub fn tcp(&self, request: bool) -> &[TcpRecord] {
        if request {
            &self.tcp_request
        } else {
            &self.tcp_response
        }
    }
}

/// `type:class:name:flavor` (the flavor may hold colons).
fn parse_label(value: &str) -> Result<Label, String> {
    let parts: Vec<&str> = value.splitn(4, ':').collect();
    let [kind, class, name, flavor] = parts[..] else {
        return Err("a label is type:class:name:flavor".to_string());
    };
    let generic = match kind {
        "s" => false,
        "g" => true,
        _ => return Err(format!("label type `{kind}` is neither s nor g")),
    };
    Ok(Label {
        generic,
        class: class.to_string(),
        name: name.to_string(),
        flavor: flavor.to_string(),
        sys: None,
    })
}

/// `ver:ittl:olen:mss:wsize,scale:olayout:quirks:pclass`.
fn parse_tcp_sig(value: &str) -> Result<TcpRecord, String> {
    let f: Vec<&str> = value.split(':').collect();
    let [ver, ttl, olen, mss, win, olayout, quirks, pclass] = f[..] else {
        return Err(format!(
            "a TCP signature has 8 fields separated by `:`, not {}",
            f.len()
        ));
    };
    let num = |what: &str, s: &str| -> Result<u32, String> {
        s.parse::<u32>()
            .map_err(|_| format!("the {what} `{s}` is not a number"))
    };
    let any_or = |what: &str, s: &str| -> Result<Option<u32>, String> {
        if s == "*" {
            Ok(None)
        } else {
            num(what, s).map(Some)
        }
    };
    let ip_ver = match ver {
        "4" => Some(4),
        "6" => Some(6),
        "*" => None,
        _ => return Err(format!("the IP version `{ver}` is not 4, 6 or *")),
    };
    let (ttl, random_ttl) = match ttl.strip_suffix('-') {
        Some(t) => (num("initial TTL", t)?, true),
        None => (num("initial TTL", ttl)?, false),
    };
    let Some((wsize, scale)) = win.split_once(',') else {
        return Err(format!("the window `{win}` is not wsize,scale"));
    };
    let win = if wsize == "*" {
        WindowSpec::Any
    } else if let Some(m) = wsize.strip_prefix("mss*") {
        WindowSpec::Mss(num("window multiplier", m)?)
    } else if let Some(m) = wsize.strip_prefix("mtu*") {
        WindowSpec::Mtu(num("window multiplier", m)?)
    } else if let Some(m) = wsize.strip_prefix('%') {
        WindowSpec::Modulo(num("window modulus", m)?)
    } else {
        WindowSpec::Value(num("window", wsize)?)
    };
    let mut q = Quirks::NONE;
    for name in quirks.split(',').filter(|s| !s.is_empty()) {
        q.insert(Quirk::from_name(name).ok_or_else(|| format!("unknown quirk `{name}`"))?);
    }
    let pay_class = match pclass {
        "0" => Some(false),
        "+" => Some(true),
        "*" => None,
        _ => return Err(format!("the payload class `{pclass}` is not 0, + or *")),
    };
    Ok(TcpRecord {
        label: 0,
        ip_ver,
        ttl,
        random_ttl,
        ip_opt_len: i64::from(num("IP options length", olen)?),
        mss: any_or("MSS", mss)?,
        win,
        wscale: any_or("window scale", scale)?,
        olayout: olayout.to_string(),
        quirks: q,
        pay_class,
        text: value.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "\
; a comment
classes = win,unix,other

[mtu]
label = Ethernet or modem
sig   = 576
sig   = 1500

[tcp:request]
label = s:unix:Linux:3.11 and newer
sig   = *:64:0:*:mss*20,10:mss,sok,ts,nop,ws:df,id+:0
label = s:!:NMap:SYN scan
sys   = @unix,@win
sig   = *:64-:0:1460:1024,0:mss::0
label = g:unix:Mac OS X:
sig   = 4:64:0:*:%8192,*:mss,nop,eol+1:df:+

[tcp:response]
label = s:unix:Linux:3.x
sig   = *:64:0:*:mtu*10,*:mss,nop,nop,sok,nop,ws:df:*

[http:request]
ua_os = Linux,Windows
label = s:!:Firefox:2.x
sig   = *:Host,User-Agent:Connection:Firefox/
";

    #[test]
    fn a_database_loads() {
        let p = KnowledgeBase::parse(SAMPLE);
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        let b = p.base;
        assert_eq!(b.mtu.len(), 2);
        assert_eq!(b.mtu[1].label, "Ethernet or modem");
        assert_eq!(b.labels.len(), 4);
        assert_eq!(b.tcp_request.len(), 3);
        assert_eq!(b.tcp_response.len(), 1);
        let r = &b.tcp_request[0];
        assert_eq!(
            (r.ip_ver, r.ttl, r.mss, r.win, r.wscale),
            (None, 64, None, WindowSpec::Mss(20), Some(10))
        );
        assert_eq!(r.quirks.text(), "df,id+");
        let nmap = &b.tcp_request[1];
        assert!(nmap.random_ttl);
        assert_eq!(
            b.labels[nmap.label].sys,
            Some(vec!["@unix".to_string(), "@win".to_string()])
        );
        let mac = &b.tcp_request[2];
        assert!(b.labels[mac.label].generic);
        assert_eq!(b.labels[mac.label].flavor, "");
        assert_eq!(
            (mac.win, mac.pay_class),
            (WindowSpec::Modulo(8192), Some(true))
        );
        assert_eq!(b.tcp_response[0].win, WindowSpec::Mtu(10));
        assert_eq!(b.tcp_response[0].pay_class, None);
    }

    #[test]
    fn malformed_lines_are_reported_and_skipped() {
        let text = "\
sig = *:64:0:*:*,*:mss::0
[mtu]
sig = 1500
label = Ethernet
sig = abc
sig = 1500
[tcp:request]
garbage
label = x:unix:Bad:1
sig = *:64:0:*:*,*:mss::0
label = s:unix:TooFew
label = s:unix:Good:1
sig = 4:64:0
sig = *:abc:0:*:*,*:mss::0
sig = *:64:0:*:8192:mss::0
sig = *:64:0:*:*,*:mss:df,wat:0
sig = 5:64:0:*:*,*:mss::0
sig = *:64:0:*:*,*:mss::x
sig = *:64:0:*:*,*:mss::0
[weird:section]
label = s:unix:W:1
";
        let p = KnowledgeBase::parse(text);
        assert_eq!(p.base.mtu.len(), 1);
        assert_eq!(p.base.tcp_request.len(), 1);
        assert_eq!(p.base.labels[p.base.tcp_request[0].label].name, "Good");
        let want = [
            "line 1: `sig` does not belong here",
            "line 3: signature without a label before it",
            "line 5: the MTU is not a number",
            "line 8: not a `name = value` line",
            "line 9: label type `x` is neither s nor g",
            "line 10: signature without a valid label before it",
            "line 11: a label is type:class:name:flavor",
            "line 13: a TCP signature has 8 fields separated by `:`, not 3",
            "line 14: the initial TTL `abc` is not a number",
            "line 15: the window `8192` is not wsize,scale",
            "line 16: unknown quirk `wat`",
            "line 17: the IP version `5` is not 4, 6 or *",
            "line 18: the payload class `x` is not 0, + or *",
            "line 20: unknown section, its lines are skipped",
        ];
        assert_eq!(p.problems.len(), want.len(), "{:#?}", p.problems);
        for (got, want) in p.problems.iter().zip(want) {
            assert!(got.starts_with(want), "{got} does not start with {want}");
        }
    }

    #[test]
    fn any_bytes_parse_without_panicking() {
        for text in [
            "[",
            "]",
            "[]",
            "=",
            "label =",
            "[tcp:request]\nsig = ::::,:::",
            "\u{0}",
        ] {
            let _ = KnowledgeBase::parse(text);
        }
    }
}
