//! `-d`/`-D`: the campaign dump, in UTScapy's format.

use std::fmt::Write;

use super::model::CampaignFile;

/// The dump of a file's (selected) campaigns. Keywords are listed in declaration order.
pub fn dump(file: &CampaignFile) -> String {
    let mut out = String::new();
    for campaign in &file.campaigns {
        let bar = "#".repeat(campaign.title.chars().count() + 6);
        let _ = writeln!(out, "{bar}\n## {} ##\n{bar}", campaign.title);
        if let (Some(crc), Some(sha)) = (&campaign.crc, &file.sha) {
            let _ = writeln!(out, "CRC=[{crc}] SHA=[{sha}]");
        }
        let _ = writeln!(out, "from file {}\n", file.path);
        for set in &campaign.sets {
            let name_len = set.name.chars().count();
            match &set.crc {
                Some(crc) => {
                    let dashes = "-".repeat(80usize.saturating_sub(name_len + 18).max(2));
                    let _ = writeln!(out, "+--[{}]{dashes}({crc})--", set.name);
                }
                None => {
                    let dashes = "-".repeat(80usize.saturating_sub(name_len + 6).max(2));
                    let _ = writeln!(out, "+--[{}]{dashes}", set.name);
                }
            }
            if !set.keywords.is_empty() {
                let _ = writeln!(out, "  kw={}", set.keywords.join(","));
            }
            for test in &set.tests {
                let _ = writeln!(out, "{:03} {}", test.num, test.name);
                let crc = test
                    .crc
                    .as_ref()
                    .map(|c| format!("[{c}] "))
                    .unwrap_or_default();
                let kw = if test.keywords.is_empty() {
                    String::new()
                } else {
                    format!("kw={}", test.keywords.join(","))
                };
                if !crc.is_empty() || !kw.is_empty() {
                    let _ = writeln!(out, "    {crc}{kw}");
                }
            }
        }
    }
    out
}
