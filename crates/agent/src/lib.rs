//! The device agent: one daemon that runs the whole device side of the
//! pipeline,
//!
//! ```text
//! capture → guard → redact → segment → seal → spool → upload
//! ```
//!
//! - [`AgentConfig`]: the agent's TOML configuration (collector URL, device
//!   identity, recipients, spool, policy), written by [`enroll`].
//! - [`enroll`]: registers a new device key with a collector using a
//!   one-time token.
//! - [`SealStream`]: where each segment goes — straight from the segment
//!   writer into the sealer into the spool, so plaintext never touches the
//!   disk.
//! - [`Uploader`]: sends spooled segments to the collector, signed by the
//!   device key, with exponential backoff and jitter; a segment leaves the
//!   spool only after the collector's durable acknowledgement.
//! - [`run`]: the daemon; [`AgentState`] is what `tracewell status` shows.

mod config;
mod enroll;
mod error;
mod run;
mod seal_stream;
mod state;
mod uploader;

pub use config::AgentConfig;
pub use enroll::{EnrollOptions, enroll};
pub use error::Error;
pub use run::{RunOptions, run, upload_pending};
pub use seal_stream::SealStream;
pub use state::AgentState;
pub use uploader::{Backoff, UploadOutcome, Uploader};
