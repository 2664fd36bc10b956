//! The crate's one error type.

/// Everything that can go wrong while building a [`crate::Scanner`].
/// Scanning itself cannot fail.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The detector patterns did not compile (a bug, or a bad custom word).
    #[error("detector patterns failed to compile: {0}")]
    Compile(#[from] Box<regex_automata::meta::BuildError>),
    /// The keyword or name dictionaries did not compile.
    #[error("dictionary failed to build: {0}")]
    Dictionary(#[from] aho_corasick::BuildError),
    /// A configuration value is out of range.
    #[error("invalid configuration: {0}")]
    Config(String),
}
