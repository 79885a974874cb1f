//! UTScapy's signatures: CRC32 of tests, sets and campaigns, SHA1 of the file.
//!
//! - test: CRC32 of its code stripped of surrounding whitespace;
//! - set: CRC32 of the concatenation over its tests of `"\0" + code`;
//! - campaign: CRC32 of the concatenation over its sets of `"\0\x01" + set string`;
//! - file: SHA1 of the whole text.
//!
//! All as uppercase hex; computed on the whole file, before any selection.

use sha1::{Digest, Sha1};

use super::model::{py_strip, CampaignFile};

/// CRC32 as 8 uppercase hex digits.
pub fn crc32_hex(data: &[u8]) -> String {
    format!("{:08X}", crc32fast::hash(data))
}

/// SHA1 as 40 uppercase hex digits.
pub fn sha1_hex(data: &[u8]) -> String {
    let digest = Sha1::digest(data);
    digest.iter().map(|b| format!("{b:02X}")).collect()
}

/// Fills every CRC and the SHA of a parsed file.
pub fn sign(file: &mut CampaignFile) {
    for campaign in &mut file.campaigns {
        let mut campaign_string = Vec::new();
        for set in &mut campaign.sets {
            let mut set_string = Vec::new();
            for test in &mut set.tests {
                let code = test.code();
                let code = py_strip(&code);
                test.crc = Some(crc32_hex(code.as_bytes()));
                set_string.push(0u8);
                set_string.extend_from_slice(code.as_bytes());
            }
            set.crc = Some(crc32_hex(&set_string));
            campaign_string.extend_from_slice(b"\0\x01");
            campaign_string.extend_from_slice(&set_string);
        }
        campaign.crc = Some(crc32_hex(&campaign_string));
    }
    file.sha = Some(sha1_hex(file.text.as_bytes()));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values() {
        assert_eq!(crc32_hex(b""), "00000000");
        assert_eq!(crc32_hex(b"123456789"), "CBF43926");
        assert_eq!(sha1_hex(b"abc"), "A9993E364706816ABA3E25717850C26C9CD0D89D");
    }
}
