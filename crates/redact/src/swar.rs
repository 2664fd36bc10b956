//! Byte classes eight bytes at a time ("SIMD within a register"), for the
//! finders that scan for a class of byte after another (digits after a
//! non-word byte, capitals after a space).

pub(crate) const LO: u64 = 0x0101_0101_0101_0101;
pub(crate) const HI: u64 = 0x8080_8080_8080_8080;

/// Per byte of `x`, the high bit set where `lo <= b <= hi` (`hi < 128`),
/// without carries between bytes (bit-twiddling "hasbetween").
#[inline]
pub(crate) fn between(x: u64, lo: u8, hi: u8) -> u64 {
    let low7 = x & (LO * 127);
    (LO * (127 + u64::from(hi) + 1)).wrapping_sub(low7)
        & !x
        & (low7 + LO * (127 - (u64::from(lo) - 1)))
        & HI
}

/// Per byte of `x`, the high bit set where the byte is `c`.
#[inline]
pub(crate) fn equal(x: u64, c: u8) -> u64 {
    let y = x ^ (LO * u64::from(c));
    !(((y & (LO * 127)) + LO * 127) | y) & HI
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_match_a_plain_check_on_every_byte() {
        for b in 0..=255u8 {
            let x = u64::from_le_bytes([b, b'a', 0xff, b, b'_', b'9', 0x80, b]);
            for (i, &byte) in x.to_le_bytes().iter().enumerate() {
                let bit = |m: u64| m >> (8 * i + 7) & 1 == 1;
                assert_eq!(bit(between(x, b'0', b'9')), byte.is_ascii_digit(), "{byte}");
                assert_eq!(bit(between(x, b'A', b'Z')), byte.is_ascii_uppercase(), "{byte}");
                assert_eq!(bit(equal(x, b'_')), byte == b'_', "{byte}");
            }
        }
    }
}
