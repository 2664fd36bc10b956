//! The policy crate's one error type.

use std::path::PathBuf;

/// Why a policy could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    #[error("cannot read policy {}: {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The TOML is malformed or does not fit the schema (the message names
    /// the line and the key).
    #[error("invalid policy: {0}")]
    Syntax(String),
    /// The file parses but breaks a rule of the format.
    #[error("invalid policy: {0}")]
    Invalid(String),
}
