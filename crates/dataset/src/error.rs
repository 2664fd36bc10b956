//! The crate's one error type.

use std::io;
use std::path::PathBuf;

/// What stops a dataset build. Unreadable or truncated segments do not:
/// they are reported in [`crate::BuildReport::skipped`] and the manifest.
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
    /// A source path does not exist.
    #[error("{}: no such file or folder", .0.display())]
    MissingSource(PathBuf),
    /// No segment was found in the sources.
    #[error("no segments found in the given sources")]
    NoSegments,
    /// The identity file cannot be used.
    #[error("cannot use identity file {}: {source}", path.display())]
    Identity {
        path: PathBuf,
        #[source]
        source: tracewell_seal::Error,
    },
    /// A sealed segment, but no identity to open it with.
    #[error("{} is sealed: pass the dataset identity with --identity FILE", path.display())]
    IdentityRequired { path: PathBuf },
    /// The identity given is not a recipient of a sealed segment: the
    /// wrong key file.
    #[error(
        "{} is not sealed to the identity {key_id} (wrong identity file? use the dataset key the segments were sealed to)",
        path.display()
    )]
    NotARecipient { path: PathBuf, key_id: String },
    /// Writing a Parquet file failed.
    #[error("writing {}: {source}", path.display())]
    Parquet {
        path: PathBuf,
        #[source]
        source: parquet::errors::ParquetError,
    },
    /// Building an Arrow batch failed (a bug: the schema and the columns
    /// disagree).
    #[error("Arrow: {0}")]
    Arrow(#[from] arrow_schema::ArrowError),
    /// JSON encoding failed.
    #[error("JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// A worker thread panicked.
    #[error("a build worker failed: {0}")]
    Worker(String),
}

pub(crate) fn io_err(path: impl Into<PathBuf>) -> impl FnOnce(io::Error) -> Error {
    let path = path.into();
    move |source| Error::Io { path, source }
}
