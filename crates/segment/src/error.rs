//! The crate's one error type.

use std::io;
use std::path::PathBuf;

/// Everything that can go wrong while writing, reading or encoding segments.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file or folder operation failed.
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    /// The segment folder cannot be created or written to.
    #[error("cannot write segments into {}: {source}", dir.display())]
    DirNotWritable {
        dir: PathBuf,
        #[source]
        source: io::Error,
    },
    /// The bytes do not start with the MCAP magic: this is not an MCAP file.
    #[error("not an MCAP file")]
    NotMcap,
    /// A complete MCAP file without a `tracewell.segment` metadata record.
    #[error("an MCAP file, but not a Tracewell segment (no `tracewell.segment` metadata)")]
    NotASegment,
    /// The file starts like an MCAP file but ends before its segment
    /// metadata, so nothing in it can be attributed to a recording.
    #[error("the file ends after {len} bytes, before its segment metadata")]
    TruncatedBeforeMeta { len: u64 },
    /// The segment was written by an incompatible format version.
    #[error("unsupported segment format `{0}`")]
    UnsupportedFormat(String),
    /// The `tracewell.segment` metadata record is missing a field or holds
    /// a malformed one.
    #[error("bad segment metadata: {0}")]
    BadMeta(String),
    /// A message of a known topic failed to decode although its chunk was
    /// intact: a writer bug or a format mismatch, never truncation.
    #[error("bad message on {topic}: {reason}")]
    BadMessage { topic: String, reason: String },
    /// An identifier that must be usable in a file name is not.
    #[error("invalid identifier {0:?}: use letters, digits, '-', '_' or '.'")]
    InvalidId(String),
    /// A frame whose pixel buffer does not match its size.
    #[error("frame of {width}x{height} has {len} bytes of BGRX, expected {expected}")]
    BadFrame {
        width: u32,
        height: u32,
        len: usize,
        expected: usize,
    },
    /// PNG encoding or decoding failed.
    #[error("PNG: {0}")]
    Png(String),
    /// The MCAP library reported an error while writing.
    #[error("MCAP: {0}")]
    Mcap(#[from] mcap::McapError),
    /// JSON encoding of a message failed.
    #[error("JSON: {0}")]
    Json(#[from] serde_json::Error),
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

pub(crate) fn io_err(path: impl Into<PathBuf>) -> impl FnOnce(io::Error) -> Error {
    let path = path.into();
    move |source| Error::Io { path, source }
}
