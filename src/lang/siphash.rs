//! SipHash-1-3, the string and bytes hash of CPython 3.11 (PEP 456), written from the
//! algorithm's description (Aumasson and Bernstein, "SipHash: a fast short-input PRF"): one
//! compression round per 8-byte block, three finalization rounds.
//!
//! CPython keys it with a random secret unless `PYTHONHASHSEED` is set; with
//! `PYTHONHASHSEED=0` the key is zero. wirecraft hashes with the zero key, so `hash("a")` and
//! the iteration order of a set of strings are those of CPython run with `PYTHONHASHSEED=0`
//! (as the differential check runs it).

/// SipHash-1-3 of `data` with the 128-bit key `(k0, k1)`.
pub fn siphash13(k0: u64, k1: u64, data: &[u8]) -> u64 {
    let mut v = [
        k0 ^ 0x736f_6d65_7073_6575,
        k1 ^ 0x646f_7261_6e64_6f6d,
        k0 ^ 0x6c79_6765_6e65_7261,
        k1 ^ 0x7465_6462_7974_6573,
    ];
    let mut blocks = data.chunks_exact(8);
    for block in &mut blocks {
        let mut b = [0u8; 8];
        b.copy_from_slice(block);
        compress(&mut v, u64::from_le_bytes(b));
    }
    // The last block: the remaining bytes, and the length's low byte at the top.
    let mut last = (data.len() as u64 & 0xff) << 56;
    for (i, &b) in blocks.remainder().iter().enumerate() {
        last |= (b as u64) << (8 * i);
    }
    compress(&mut v, last);
    v[2] ^= 0xff;
    for _ in 0..3 {
        round(&mut v);
    }
    v[0] ^ v[1] ^ v[2] ^ v[3]
}

/// Absorbs one 64-bit message word with one round.
fn compress(v: &mut [u64; 4], m: u64) {
    v[3] ^= m;
    round(v);
    v[0] ^= m;
}

/// The SipRound: additions, rotations and xors over the four state words.
fn round(v: &mut [u64; 4]) {
    v[0] = v[0].wrapping_add(v[1]);
    v[1] = v[1].rotate_left(13) ^ v[0];
    v[0] = v[0].rotate_left(32);
    v[2] = v[2].wrapping_add(v[3]);
    v[3] = v[3].rotate_left(16) ^ v[2];
    v[0] = v[0].wrapping_add(v[3]);
    v[3] = v[3].rotate_left(21) ^ v[0];
    v[2] = v[2].wrapping_add(v[1]);
    v[1] = v[1].rotate_left(17) ^ v[2];
    v[2] = v[2].rotate_left(32);
}

#[cfg(test)]
mod tests {
    use super::siphash13;

    #[test]
    fn zero_key_hashes_are_cpythons() {
        // `PYTHONHASHSEED=0 python3 -c 'print(hash(b"abc"))'` and friends, as unsigned words.
        let cases: [(&[u8], i64); 4] = [
            (b"a", 4_644_417_185_603_328_019),
            (b"abc", -4_594_863_902_769_663_758),
            (b"abcdefgh", 4_574_395_652_268_504_554),
            (b"abcdefghi", -532_774_252_720_507_163),
        ];
        for (data, want) in cases {
            assert_eq!(siphash13(0, 0, data) as i64, want, "{data:?}");
        }
    }

    #[test]
    fn the_key_changes_the_hash() {
        assert_ne!(siphash13(0, 0, b"abc"), siphash13(1, 0, b"abc"));
        assert_ne!(siphash13(0, 0, b""), siphash13(0, 0, b"\0"));
    }
}
