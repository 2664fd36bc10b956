//! What the spool hands out: [`ContentHash`], [`Entry`], [`Usage`],
//! [`SpoolState`].

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::SystemTime;

use tracewell_seal::SegmentId;

/// BLAKE3 hash of a whole sealed file: its identity in the spool and its
/// content address for upload. Displayed as 64 lowercase hex digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ContentHash(pub [u8; 32]);

impl ContentHash {
    /// Hashes `bytes`.
    pub fn of(bytes: &[u8]) -> Self {
        ContentHash(*blake3::hash(bytes).as_bytes())
    }

    /// The 32 bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl fmt::Display for ContentHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for ContentHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ContentHash({self})")
    }
}

/// The text was not 64 lowercase hex digits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadHash;

impl fmt::Display for BadHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("content hash must be 64 lowercase hex digits")
    }
}

impl std::error::Error for BadHash {}

impl FromStr for ContentHash {
    type Err = BadHash;

    fn from_str(s: &str) -> Result<Self, BadHash> {
        unhex::<32>(s).map(ContentHash).ok_or(BadHash)
    }
}

/// Parses exactly `N` bytes of lowercase hex.
pub(crate) fn unhex<const N: usize>(s: &str) -> Option<[u8; N]> {
    let s = s.as_bytes();
    if s.len() != 2 * N {
        return None;
    }
    let digit = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    };
    let mut out = [0u8; N];
    for (i, pair) in s.chunks_exact(2).enumerate() {
        out[i] = digit(pair[0])? << 4 | digit(pair[1])?;
    }
    Some(out)
}

/// One committed sealed segment waiting in the spool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// BLAKE3 of the whole sealed file.
    pub hash: ContentHash,
    /// The segment id from the sealed header.
    pub segment_id: SegmentId,
    /// Size of the sealed file in bytes.
    pub len: u64,
    /// Where the sealed file lies (`ready/<hash>.seal`).
    pub path: PathBuf,
    /// When it was committed (or adopted by recovery), to the millisecond.
    pub created: SystemTime,
    /// Failed upload attempts so far (see [`Spool::record_failure`](crate::Spool::record_failure)).
    pub attempts: u32,
    /// The reason given with the last failure.
    pub last_error: Option<String>,
    /// Position in commit order; [`Spool::pending`](crate::Spool::pending)
    /// sorts by it.
    pub seq: u64,
}

/// How much of the quota is in use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Usage {
    /// Total size of the committed sealed files.
    pub bytes: u64,
    /// Number of committed entries.
    pub entries: usize,
    /// The configured quota.
    pub quota_bytes: u64,
}

/// Whether the spool accepts new segments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpoolState {
    /// New segments are accepted.
    Accepting,
    /// The quota is reached, or a segment was refused for lack of room and
    /// nothing has been acknowledged since. Capture should pause and say so
    /// until the uploader frees space.
    Full,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_text_round_trip() {
        let h = ContentHash::of(b"hello");
        let text = h.to_string();
        assert_eq!(text.len(), 64);
        assert_eq!(text.parse::<ContentHash>().unwrap(), h);
        assert!(text.to_uppercase().parse::<ContentHash>().is_err());
        assert!(text[1..].parse::<ContentHash>().is_err());
        assert!(format!("{text}0").parse::<ContentHash>().is_err());
    }
}
