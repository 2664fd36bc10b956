//! The one error type of this crate.

/// Everything that can go wrong in a store.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file system operation failed.
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// SQLite failed.
    #[error("SQLite error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// PostgreSQL failed.
    #[error("PostgreSQL error: {0}")]
    Postgres(#[from] tokio_postgres::Error),
    /// No PostgreSQL connection could be had from the pool.
    #[error("PostgreSQL pool error: {0}")]
    Pool(String),
    /// The S3 client failed.
    #[error("object store error: {0}")]
    Object(#[from] object_store::Error),
    /// An object key breaks the key rules of [`validate_key`](crate::validate_key).
    #[error("invalid object key {key:?}: {reason}")]
    InvalidKey {
        /// The key.
        key: String,
        /// Which rule.
        reason: &'static str,
    },
    /// A connection URL or option is not usable.
    #[error("invalid store configuration: {0}")]
    Config(String),
    /// A migration failed or the database is newer than this build.
    #[error("migration failed: {0}")]
    Migration(String),
    /// A value does not fit the database's integer range.
    #[error("value out of range: {0}")]
    OutOfRange(&'static str),
    /// The store's background worker stopped.
    #[error("store worker stopped")]
    WorkerGone,
}

/// Shorthand used throughout the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
