//! The agent's one error type.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("agent configuration {}: {reason}", path.display())]
    Config { path: PathBuf, reason: String },
    /// The collector could not be reached or answered with an error.
    #[error("collector {url}: {reason}")]
    Collector { url: String, reason: String },
    /// The collector refused the device (unknown, revoked, bad token).
    #[error("the collector refused this device: {0}")]
    Refused(String),
    #[error(transparent)]
    Seal(#[from] tracewell_seal::Error),
    #[error(transparent)]
    Spool(#[from] tracewell_spool::Error),
    #[error(transparent)]
    Recorder(#[from] tracewell_recorder::Error),
    #[error(transparent)]
    Policy(#[from] tracewell_policy::Error),
}

pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Error {
    let path = path.into();
    move |source| Error::Io { path, source }
}
