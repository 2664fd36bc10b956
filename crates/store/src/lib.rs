//! Storage for the Tracewell collector: where sealed segments and the
//! minimal metadata about them live.
//!
//! Two traits, each with an embedded default and a scale-out backend:
//!
//! | trait | embedded default | scale-out |
//! |---|---|---|
//! | [`ObjectStore`]: sealed segment bytes by key | [`LocalDirStore`] (a directory, fsync'd writes) | [`S3Store`] (any S3-compatible endpoint) |
//! | [`MetadataStore`]: devices, enrollment tokens, segments, request nonces | [`SqliteStore`] (one file, WAL, `synchronous=FULL`) | [`PostgresStore`] |
//!
//! The collector never stores segment content in the clear — it has none:
//! objects are sealed segments (ciphertext plus a signed header of ids), and
//! the metadata is pseudonymous ([`DeviceRecord`], [`SegmentRecord`]). SQL
//! lives in `migrations/<backend>/NNNN_name.sql`, applied in order by a small
//! runner that records each applied version in `schema_migrations`.
//!
//! Object keys are chosen by the caller and validated by [`validate_key`];
//! [`segment_object_key`] gives the collector's layout,
//! `segments/<first two hex digits>/<hash>.seal`.
//!
//! Everything fails with the one [`Error`] enum.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod error;
mod local;
mod metadata;
mod migrate;
mod object;
mod postgres;
mod s3;
mod sqlite;

pub use error::{Error, Result};
pub use local::LocalDirStore;
pub use metadata::{DeviceRecord, EnrollOutcome, MetadataStore, SegmentRecord};
pub use object::{ObjectStore, segment_object_key, validate_key};
pub use postgres::PostgresStore;
pub use s3::{S3Config, S3Store};
pub use sqlite::SqliteStore;
