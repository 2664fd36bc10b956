//! The one error type of this crate.

use std::io;
use std::path::PathBuf;

use crate::entry::ContentHash;

/// Everything that can go wrong with a spool.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file system operation failed.
    #[error("{op} {path}: {source}")]
    Io {
        /// What was being done ("create", "fsync", "rename", ...).
        op: &'static str,
        /// The file or folder concerned.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: io::Error,
    },

    /// Another spool (in this process or another) holds the lock on the folder.
    #[error("spool {path} is in use by another agent (its lock is held)")]
    Locked {
        /// The spool folder.
        path: PathBuf,
    },

    /// The folder holds a spool of a layout version this build cannot use.
    #[error("spool {path} has an unsupported layout: {found:?}")]
    UnsupportedLayout {
        /// The spool folder.
        path: PathBuf,
        /// The contents of its `SPOOL` marker file.
        found: String,
    },

    /// Committing (or continuing to write) this segment would exceed the
    /// quota. Nothing was deleted to make room; the spool is now
    /// [`Full`](crate::SpoolState::Full) until the uploader frees space.
    #[error("spool quota exceeded: {used} bytes used + {needed} needed > {quota} allowed")]
    QuotaExceeded {
        /// Bytes the refused segment needs.
        needed: u64,
        /// Bytes already committed.
        used: u64,
        /// The quota.
        quota: u64,
    },

    /// The bytes written are not one complete, intact, signed sealed segment.
    #[error("not a complete sealed segment: {0}")]
    NotSealed(#[source] tracewell_seal::Error),

    /// A committed file no longer matches its hash, size or segment id, or
    /// fails the sealed-format checks. It has been moved to `corrupt/`.
    #[error("spool entry {hash} is damaged and was quarantined: {reason}")]
    Corrupt {
        /// The entry's hash.
        hash: ContentHash,
        /// What check failed.
        reason: String,
    },

    /// The entry is not (or no longer) in the spool.
    #[error("no spool entry {0}")]
    NotFound(ContentHash),

    /// The writer failed earlier (an I/O error or the quota); its segment
    /// cannot be committed.
    #[error("the segment writer failed earlier: {0}")]
    WriterFailed(String),

    /// The spool this writer belongs to has been closed.
    #[error("the spool was closed")]
    Closed,
}

/// Shorthand used throughout the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
