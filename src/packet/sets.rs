//! Implicit sets of packets: a field may hold a list, a `(low, high)` tuple (inclusive), or a
//! network (`Net("198.51.100.0/30")`, `"198.51.100.0/30"` assigned to an IP field). Iterating
//! a packet yields the cartesian product in Scapy's order: the field set last varies slowest,
//! the payload fastest. Building a set uses its first element.

use std::net::{Ipv4Addr, Ipv6Addr};
use std::rc::Rc;

use super::packet::Packet;
use super::value::{py_str_repr, Value};

/// A range of IPv4 addresses: a network (`a.b.c.d/n`) or a `start`..`stop` span.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Net {
    /// The network part as the user wrote it (`198.51.100`), for repr; `None` for a span.
    pub net: Option<String>,
    /// The prefix length (32 when none was given).
    pub mask: u8,
    /// First address.
    pub start: u32,
    /// Number of addresses.
    pub count: u64,
}

/// inet_aton's forms: `a`, `a.b`, `a.b.c`, `a.b.c.d`, each part decimal, `0x` hex or
/// octal with a leading 0; the last part fills the remaining bytes.
pub fn inet_aton(s: &str) -> Option<u32> {
    let parts: Vec<&str> = s.split('.').collect();
    if parts.is_empty() || parts.len() > 4 {
        return None;
    }
    let num = |p: &str| -> Option<u64> {
        if p.is_empty() {
            return None;
        }
        if let Some(h) = p.strip_prefix("0x").or_else(|| p.strip_prefix("0X")) {
            if h.is_empty() {
                return Some(0);
            }
            return u64::from_str_radix(h, 16).ok();
        }
        if p.len() > 1 && p.starts_with('0') {
            return u64::from_str_radix(&p[1..], 8).ok();
        }
        p.parse().ok()
    };
    let vals: Vec<u64> = parts.iter().map(|p| num(p)).collect::<Option<_>>()?;
    let (last, head) = vals.split_last()?;
    let mut acc: u64 = 0;
    for (i, v) in head.iter().enumerate() {
        if *v > 255 {
            return None;
        }
        acc |= v << (24 - 8 * i);
    }
    let rest_bits = 32 - 8 * head.len() as u32;
    if rest_bits < 64 && *last >= 1u64 << rest_bits {
        return None;
    }
    Some((acc | last) as u32)
}

impl Net {
    /// `Net("198.51.100.0/30")` with Scapy 2.8's rules: inet_aton forms, no wildcards, no
    /// per-byte ranges (both refused with Scapy's messages).
    pub fn parse(s: &str) -> Result<Net, String> {
        if s.contains('*') {
            return Err("Wildcards are no longer accepted in Net()".into());
        }
        let (net, mask) = match s.split_once('/') {
            Some((n, m)) => (
                n,
                m.trim()
                    .parse::<u8>()
                    .ok()
                    .filter(|m| *m <= 32)
                    .ok_or_else(|| {
                        format!("invalid literal for int() with base 10: {}", py_str_repr(m))
                    })?,
            ),
            None => (s, 32),
        };
        let addr = Self::addr(net)?;
        let inv = 32 - u32::from(mask);
        let start = if inv == 32 { 0 } else { addr >> inv << inv };
        Ok(Net {
            net: Some(net.to_string()),
            mask,
            start,
            count: 1u64 << inv,
        })
    }

    /// `Net(start, stop)`: the addresses from `start` to `stop` inclusive.
    pub fn span(start: &str, stop: &str) -> Result<Net, String> {
        let a = Self::addr(start)?;
        let b = Self::addr(stop)?;
        Ok(Net {
            net: None,
            mask: 32,
            start: a,
            count: (i64::from(b) - i64::from(a) + 1).max(0) as u64,
        })
    }

    fn addr(s: &str) -> Result<u32, String> {
        if let Some(a) = inet_aton(s) {
            return Ok(a);
        }
        let has_range = s.split('.').any(|p| {
            p.split_once('-').is_some_and(|(a, b)| {
                !a.is_empty()
                    && !b.is_empty()
                    && a.bytes().all(|c| c.is_ascii_digit())
                    && b.bytes().all(|c| c.is_ascii_digit())
            })
        });
        if has_range {
            return Err("Ranges are no longer accepted in Net()".into());
        }
        // A host name, through the session's resolver (the system's, in a session).
        if let Some(a) = super::resolver::current().host_ipv4(s) {
            return Ok(u32::from(a));
        }
        Err(format!("[Errno -2] Name or service not known: {s:?}"))
    }

    /// The `i`-th address.
    pub fn nth(&self, i: u64) -> Ipv4Addr {
        Ipv4Addr::from((u64::from(self.start) + i) as u32)
    }

    /// `Net("198.51.100.0/30")` or `Net("198.51.100.7", "198.51.100.9")`.
    pub fn repr(&self) -> String {
        match &self.net {
            Some(n) => format!("Net(\"{}/{}\")", n, self.mask),
            None => format!(
                "Net(\"{}\", \"{}\")",
                self.nth(0),
                self.nth(self.count.saturating_sub(1))
            ),
        }
    }

    /// The expression that rebuilds it (same as repr).
    pub fn command(&self) -> String {
        self.repr()
    }
}

/// A range of IPv6 addresses (Scapy's `Net6`): a network (`2001:db8::/126`) or a
/// `start`..`stop` span, optionally with a scope (`fe80::1%eth0`). Iteration yields the
/// addresses from the network's first one upwards (a reversed span yields none).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Net6 {
    /// The address part as the user wrote it, for repr; `None` for a span.
    pub net: Option<String>,
    /// The prefix length (128 when none was given); `None` for a span.
    pub mask: Option<u8>,
    /// First address.
    pub start: u128,
    /// Last address (inclusive); below `start` for an empty span.
    pub stop: u128,
    /// The scope (interface) given with `%` or `scope=`.
    pub scope: Option<String>,
}

impl Net6 {
    /// `Net6("2001:db8::/126")` with Scapy 2.8's rules: wildcards refused with its message, a
    /// mask over 128 refused as Python refuses the shift. Names are not resolved (the engine
    /// does no I/O): anything but an address is Scapy's resolver error. Negative masks, which
    /// Scapy turns into sets larger than the address space, are refused.
    pub fn parse(s: &str, scope: Option<&str>) -> Result<Net6, String> {
        if s.contains('*') {
            return Err("Wildcards are no longer accepted in Net6()".into());
        }
        let (s, scope) = Self::split_scope(s, scope);
        let (net, mask) = match s.split_once('/') {
            Some((n, m)) => {
                let m: i64 = m.trim().parse().map_err(|_| {
                    format!("invalid literal for int() with base 10: {}", py_str_repr(m))
                })?;
                if m > 128 {
                    return Err("negative shift count".into());
                }
                let m = u8::try_from(m).map_err(|_| format!("Net6 mask {m} is out of range"))?;
                (n, m)
            }
            None => (s.as_str(), 128),
        };
        let addr = Self::addr(net)?;
        let inv = 128 - u32::from(mask);
        let start = addr
            .checked_shr(inv)
            .unwrap_or(0)
            .checked_shl(inv)
            .unwrap_or(0);
        let stop = start | u128::MAX.checked_shr(u32::from(mask)).unwrap_or(0);
        Ok(Net6 {
            net: Some(net.to_string()),
            mask: Some(mask),
            start,
            stop,
            scope,
        })
    }

    /// `Net6(start, stop)`: the addresses from `start` to `stop` inclusive.
    pub fn span(start: &str, stop: &str, scope: Option<&str>) -> Result<Net6, String> {
        let (start, scope) = Self::split_scope(start, scope);
        let (stop, _) = Self::split_scope(stop, None);
        Ok(Net6 {
            net: None,
            mask: None,
            start: Self::addr(&start)?,
            stop: Self::addr(&stop)?,
            scope,
        })
    }

    /// `addr%scope[/len]` → (`addr[/len]`, scope); an explicit `scope=` wins.
    fn split_scope(s: &str, scope: Option<&str>) -> (String, Option<String>) {
        match s.split_once('%') {
            Some((a, rest)) => {
                let (sc, mask) = match rest.split_once('/') {
                    Some((sc, m)) => (sc, format!("/{m}")),
                    None => (rest, String::new()),
                };
                (format!("{a}{mask}"), Some(scope.unwrap_or(sc).to_string()))
            }
            None => (s.to_string(), scope.map(str::to_string)),
        }
    }

    fn addr(s: &str) -> Result<u128, String> {
        s.trim()
            .parse::<Ipv6Addr>()
            .map(u128::from)
            .map_err(|_| "[Errno -2] Name or service not known".to_string())
    }

    /// How many addresses (saturating at `u128::MAX` for `/0`).
    pub fn count(&self) -> u128 {
        if self.stop < self.start {
            0
        } else {
            (self.stop - self.start).saturating_add(1)
        }
    }

    /// The `i`-th address.
    pub fn nth(&self, i: u128) -> Ipv6Addr {
        Ipv6Addr::from(self.start.wrapping_add(i))
    }

    /// `Net6("2001:db8::/126")`, `Net6("2001:db8::1", "2001:db8::3")`, with `, scope='eth0'`.
    pub fn repr(&self) -> String {
        let scope = self
            .scope
            .as_ref()
            .map(|s| format!(", scope={}", py_str_repr(s)))
            .unwrap_or_default();
        match (&self.net, self.mask) {
            (Some(n), Some(m)) => format!("Net6(\"{n}/{m}\"{scope})"),
            _ => format!(
                "Net6(\"{}\", \"{}\"{scope})",
                Ipv6Addr::from(self.start),
                Ipv6Addr::from(self.stop)
            ),
        }
    }

    /// `str(n)`: the first address, "" when empty.
    pub fn first_text(&self) -> String {
        if self.count() == 0 {
            String::new()
        } else {
            self.nth(0).to_string()
        }
    }

    /// Whether an address is in the set.
    pub fn contains(&self, a: Ipv6Addr) -> bool {
        (self.start..=self.stop).contains(&u128::from(a))
    }
}

/// `Net(...)` as a field value.
pub fn net_value(s: &str) -> Result<Value, String> {
    Ok(Value::Net(Rc::new(Net::parse(s)?)))
}

/// How many elements iterating this value yields (lists, ranges, networks), for a field
/// that is not itself a list.
pub fn elements(v: &Value) -> Vec<Value> {
    match v {
        Value::List(items) => items.iter().flat_map(one_elements).collect(),
        other => one_elements(other),
    }
}

fn range_of(t: &[Value]) -> Option<Vec<Value>> {
    if !(2..=3).contains(&t.len()) {
        return None;
    }
    let ints: Vec<i128> = t.iter().map(Value::as_int).collect::<Option<_>>()?;
    let step = ints.get(2).copied().unwrap_or(1);
    if step == 0 {
        return Some(Vec::new());
    }
    let (a, b) = (ints[0], ints[1] + 1);
    let mut out = Vec::new();
    let mut i = a;
    // A range of more than a million packets is not a campaign's intent; stop there.
    while ((step > 0 && i < b) || (step < 0 && i > b)) && out.len() < 1 << 20 {
        out.push(Value::Int(i));
        i += step;
    }
    Some(out)
}

fn one_elements(v: &Value) -> Vec<Value> {
    match v {
        Value::Tuple(t) => range_of(t).unwrap_or_else(|| vec![v.clone()]),
        Value::Net(n) => (0..n.count.min(1 << 20))
            .map(|i| Value::Ip4(n.nth(i)))
            .collect(),
        Value::Net6(n) => (0..n.count().min(1 << 20))
            .map(|i| Value::Ip6(n.nth(i)))
            .collect(),
        Value::Packet(p) => p.iter_set().into_iter().map(Value::Packet).collect(),
        other => vec![other.clone()],
    }
}

/// The value a build uses for a field that is not a list: the first element of a set.
pub fn first_element(v: &Value) -> std::borrow::Cow<'_, Value> {
    use std::borrow::Cow;
    match v {
        Value::List(items) => match items.first() {
            Some(f) => Cow::Owned(first_element(f).into_owned()),
            None => Cow::Borrowed(v),
        },
        Value::Tuple(t) => match range_of(t) {
            Some(r) if !r.is_empty() => Cow::Owned(r[0].clone()),
            _ => Cow::Borrowed(v),
        },
        Value::Net(n) => Cow::Owned(Value::Ip4(n.nth(0))),
        Value::Net6(n) if n.count() > 0 => Cow::Owned(Value::Ip6(n.nth(0))),
        _ => Cow::Borrowed(v),
    }
}

/// True when a field's value makes the packet a set (or holds a random value that
/// iteration fixes).
fn is_gen(v: &Value, is_list_field: bool) -> bool {
    match v {
        Value::Volatile(_) => true,
        Value::Net(_) | Value::Net6(_) => true,
        Value::List(_) => !is_list_field,
        Value::Tuple(t) => !is_list_field && range_of(t).is_some(),
        _ => false,
    }
}

impl Packet {
    /// True when iterating yields more than the packet itself (some field holds a set).
    pub fn is_set(&self) -> bool {
        self.layers().iter().any(|l| {
            let d = l.data();
            d.explicit_order().iter().any(|&i| {
                let list = d.def.fields[i].kind.is_list();
                d.explicit(i).is_some_and(|v| is_gen(v, list))
            })
        })
    }

    /// `list(p)`: every packet of the implicit set, in Scapy's order (the field set last
    /// varies slowest, the payload fastest; random values are drawn once per packet).
    pub fn iter_set(&self) -> Vec<Packet> {
        let d = self.data();
        // The fields to vary: volatile defaults (fuzz), then the explicit ones in the order
        // they were set; the last one is the outermost loop.
        let mut todo: Vec<usize> = d
            .fuzzed()
            .iter()
            .chain(d.overloads().iter())
            .filter(|(_, v)| matches!(v, Value::Volatile(_)))
            .map(|(i, _)| *i)
            .collect();
        todo.extend(d.explicit_order().iter().copied());
        let choices: Vec<(usize, Vec<Value>)> = todo
            .iter()
            .map(|&i| {
                let v = d.value_at(i);
                let list = d.def.fields[i].kind.is_list();
                let items = match &v {
                    Value::Volatile(_) => vec![v.clone()],
                    _ if list => vec![v.clone()],
                    _ => elements(&v),
                };
                (i, items)
            })
            .collect();
        let payload = d.payload.clone();
        drop(d);
        let mut out = Vec::new();
        let mut current: Vec<(usize, Value)> = Vec::with_capacity(choices.len());
        self.product(&choices, &mut current, payload.as_ref(), &mut out);
        out
    }

    /// The packets of each combination of `choices`, with every packet of the payload's set.
    /// The payload is iterated anew for each combination, so its random values are drawn
    /// for each packet (a traceroute's probes each get their own source port).
    fn product(
        &self,
        choices: &[(usize, Vec<Value>)],
        current: &mut Vec<(usize, Value)>,
        payload: Option<&Packet>,
        out: &mut Vec<Packet>,
    ) {
        match choices.split_last() {
            Some(((i, items), rest)) => {
                for it in items {
                    current.push((*i, it.clone()));
                    self.product(rest, current, payload, out);
                    current.pop();
                }
            }
            None => match payload {
                Some(p) => {
                    for pl in p.iter_set() {
                        out.push(self.clone_with(current, Some(&pl)));
                    }
                }
                None => out.push(self.clone_with(current, None)),
            },
        }
    }

    /// A copy of this layer alone with these explicit values (in this order) and a payload.
    fn clone_with(&self, values: &[(usize, Value)], payload: Option<&Packet>) -> Packet {
        let q = {
            let d = self.data();
            let mut nd = super::packet::LayerData::new(&d.def);
            nd.overloaded = d.overloaded.clone();
            nd.set_fuzzed(
                d.fuzzed()
                    .iter()
                    .filter(|(_, v)| !matches!(v, Value::Volatile(_)))
                    .cloned()
                    .collect(),
            );
            // Explicit values in Scapy's order: the ones chosen, in the order they were set.
            // A random value (given alone or as an element of a list) is drawn here, once
            // per packet yielded, so the packet sent is the one a reply is matched against
            // (`sr(IP()/TCP(sport=[RandShort()]*1000))`).
            for (i, v) in values.iter().rev() {
                let v = match v {
                    Value::Volatile(r) => r.draw(),
                    other => other.clone(),
                };
                nd.set_raw(*i, v);
            }
            Packet::from_data(nd)
        };
        if let Some(p) = payload {
            q.add_payload(p.clone());
        }
        q
    }
}

/// Text of an address-like value for messages.
pub fn describe(v: &Value) -> String {
    match v {
        Value::Str(s) => py_str_repr(s),
        other => other.py_repr(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inet_aton_forms() {
        assert_eq!(inet_aton("198.51.100"), Some(0xc633_0064));
        assert_eq!(inet_aton("1.2.3.4"), Some(0x0102_0304));
        assert_eq!(inet_aton("0x7f.1"), Some(0x7f00_0001));
        assert_eq!(inet_aton("1.2.3.256"), None);
        assert_eq!(inet_aton("a.b"), None);
    }

    #[test]
    fn nets_as_scapy_2_8() {
        let n = Net::parse("198.51.100/24").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(n.repr(), "Net(\"198.51.100/24\")");
        assert_eq!(n.nth(0), Ipv4Addr::new(198, 51, 0, 0));
        assert_eq!(
            Net::parse("198.51.100.1-254").err().as_deref(),
            Some("Ranges are no longer accepted in Net()")
        );
        assert_eq!(
            Net::parse("198.51.*.1").err().as_deref(),
            Some("Wildcards are no longer accepted in Net()")
        );
        let s = Net::span("198.51.100.7", "198.51.100.9").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.count, 3);
        assert_eq!(s.repr(), "Net(\"198.51.100.7\", \"198.51.100.9\")");
    }
}
