//! Segment ids.

use std::fmt;
use std::str::FromStr;

use crate::error::{Error, Result};
use crate::text;

/// A segment's 16-byte id, chosen by the caller (typically the bytes of a
/// UUID). Displayed as 32 lowercase hex digits; parsed from that form or
/// from the hyphenated UUID form.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SegmentId(pub [u8; 16]);

impl SegmentId {
    /// Wraps 16 bytes.
    pub const fn from_bytes(bytes: [u8; 16]) -> Self {
        SegmentId(bytes)
    }

    /// The 16 bytes.
    pub const fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }
}

impl From<[u8; 16]> for SegmentId {
    fn from(bytes: [u8; 16]) -> Self {
        SegmentId(bytes)
    }
}

impl fmt::Display for SegmentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&text::hex(&self.0))
    }
}

impl fmt::Debug for SegmentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SegmentId({self})")
    }
}

impl FromStr for SegmentId {
    type Err = Error;

    /// Accepts `0123…ef` (32 hex digits) or `01234567-89ab-cdef-0123-456789abcdef`.
    fn from_str(s: &str) -> Result<Self> {
        let hyphenated = s.len() == 36
            && s.char_indices()
                .all(|(i, c)| matches!(i, 8 | 13 | 18 | 23) == (c == '-'));
        let compact: String = if hyphenated {
            s.chars().filter(|&c| c != '-').collect()
        } else {
            s.to_owned()
        };
        text::unhex::<16>(&compact)
            .map(SegmentId)
            .ok_or(Error::InvalidInput(
                "segment id must be 32 hex digits or a hyphenated UUID",
            ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_forms() {
        let id: SegmentId = "0123456789abcdef0123456789abcdef".parse().unwrap();
        assert_eq!(id.to_string(), "0123456789abcdef0123456789abcdef");
        let uuid: SegmentId = "01234567-89ab-cdef-0123-456789abcdef".parse().unwrap();
        assert_eq!(uuid, id);
        assert!(
            "01234567-89ab-cdef-0123-456789abcde"
                .parse::<SegmentId>()
                .is_err()
        );
        assert!(
            "0123456789abcdef0123456789abcdeg"
                .parse::<SegmentId>()
                .is_err()
        );
        assert!(
            "0123456789abcd-f0123456789abcdef0123"
                .parse::<SegmentId>()
                .is_err()
        );
    }
}
