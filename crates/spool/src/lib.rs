//! A durable, bounded, crash-safe queue of sealed segments on the device.
//!
//! Sealed segments wait here between the sealer and the uploader, and are
//! deleted only once the collector has acknowledged them. The spool is one
//! folder, held by one agent at a time; its layout, the order of every write,
//! rename and fsync, and what a crash at each point leaves behind are
//! documented in [`layout`] (layout version [`LAYOUT_VERSION`]).
//!
//! Main types:
//!
//! * [`Spool`], opened with [`SpoolOptions`]: locks the folder, recovers from
//!   crashes ([`RecoveryReport`]), lists [`pending`](Spool::pending) entries
//!   oldest first, [`ack`](Spool::ack)s, [`record_failure`](Spool::record_failure)s,
//!   [`verify_entry`](Spool::verify_entry) and quarantines damaged files.
//! * [`SpoolWriter`], from [`Spool::begin`]: an [`std::io::Write`] that a
//!   `tracewell_seal::Sealer` streams into; [`commit`](SpoolWriter::commit)
//!   makes the segment durable, dropping it aborts.
//! * [`Entry`], named by its [`ContentHash`] (BLAKE3 of the sealed file);
//!   [`Usage`] and [`SpoolState`] for the quota.
//! * The one [`Error`] enum.
//!
//! The quota is hard and nothing is evicted: when a segment does not fit, it
//! is refused with [`Error::QuotaExceeded`] and the spool reports
//! [`SpoolState::Full`], so the agent pauses capture (visibly) until uploads
//! free space. Damaged files are moved to `corrupt/`, never deleted.
//!
//! ```
//! use std::io::Write;
//! use tracewell_seal::*;
//! use tracewell_spool::{Spool, SpoolOptions};
//!
//! let dir = tempfile::tempdir()?;
//! let spool = Spool::open(dir.path(), SpoolOptions::default())?;
//!
//! let recipient = RecipientIdentity::generate()?;
//! let device = DeviceSigningKey::generate()?;
//! let fields = HeaderFields {
//!     segment_id: SegmentId::from_bytes([7; 16]),
//!     device_id: "laptop-17".into(),
//!     subject_id: "subject-3f2a".into(),
//!     start_ns: 1_700_000_000_000_000_000,
//! };
//! let mut sealer = Sealer::new(spool.begin()?, &[recipient.public_key().clone()], fields, &device)?;
//! sealer.write_all(b"redacted segment bytes")?;
//! let entry = sealer.finish(1_700_000_060_000_000_000)?.writer.commit()?;
//!
//! // The uploader.
//! assert_eq!(spool.pending(), vec![entry.clone()]);
//! spool.verify_entry(&entry)?;
//! let _file = spool.open_entry(&entry)?;
//! spool.ack(&entry)?;
//! assert!(spool.pending().is_empty());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod check;
mod entry;
mod error;
pub mod layout;
mod recover;
mod spool;
mod writer;

pub use entry::{BadHash, ContentHash, Entry, SpoolState, Usage};
pub use error::{Error, Result};
pub use layout::LAYOUT_VERSION;
pub use recover::RecoveryReport;
pub use spool::{DEFAULT_QUOTA_BYTES, Spool, SpoolOptions};
pub use writer::SpoolWriter;
