//! BPF filters (tcpdump's syntax) compiled by libpcap and run on records, for offline sniffing
//! and reading captures with a filter.

use std::collections::HashMap;

use super::Record;

/// A filter compiled for one link type.
pub struct Filter {
    program: pcap::BpfProgram,
}

impl Filter {
    /// Compiles `expr` for frames of `linktype`, with libpcap's optimizer.
    pub fn compile(expr: &str, linktype: u32) -> Result<Filter, String> {
        let dead = pcap::Capture::dead(pcap::Linktype(dlt(linktype)))
            .map_err(|e| format!("cannot prepare a BPF compiler for link type {linktype}: {e}"))?;
        let program = dead
            .compile(expr, true)
            .map_err(|e| format!("bad BPF filter '{expr}' for link type {linktype}: {e}"))?;
        Ok(Filter { program })
    }

    /// Whether a frame passes the filter.
    pub fn matches(&self, data: &[u8]) -> bool {
        self.program.filter(data)
    }
}

/// libpcap's DLT_ number for a file's LINKTYPE_ number: they differ only for the few
/// link types whose DLT_ value differs between systems (pcap-linktype(7)).
fn dlt(linktype: u32) -> i32 {
    match linktype {
        100 => 11, // ATM_RFC1483
        101 => 12, // RAW (Linux's DLT_RAW)
        102 => 15, // SLIP_BSDOS
        103 => 16, // PPP_BSDOS
        other => other as i32,
    }
}

/// One expression, compiled on demand for each link type a capture holds (pcapng files mix
/// link types).
pub struct Filters {
    expr: String,
    compiled: HashMap<u32, Filter>,
}

impl Filters {
    /// Checks the expression once (for Ethernet) so a typo is reported before any reading.
    pub fn new(expr: &str) -> Result<Filters, String> {
        let mut compiled = HashMap::new();
        compiled.insert(
            super::linktype::ETHERNET,
            Filter::compile(expr, super::linktype::ETHERNET)?,
        );
        Ok(Filters {
            expr: expr.to_string(),
            compiled,
        })
    }

    /// Whether a record passes; an expression meaningless for its link type is an error.
    pub fn matches(&mut self, record: &Record) -> Result<bool, String> {
        if !self.compiled.contains_key(&record.linktype) {
            let f = Filter::compile(&self.expr, record.linktype)?;
            self.compiled.insert(record.linktype, f);
        }
        Ok(self
            .compiled
            .get(&record.linktype)
            .is_some_and(|f| f.matches(&record.data)))
    }
}
