//! Envelope encryption and device signatures for recording segments; this
//! crate owns the sealed segment format (see [`format`](mod@format)).
//!
//! A segment is sealed on the device as it is written: a [`Sealer`] draws a
//! fresh data key, wraps it to every [`RecipientPublicKey`] with HPKE
//! (RFC 9180), encrypts the plaintext chunk by chunk with XChaCha20-Poly1305
//! in the STREAM construction, and finishes with a trailer signed by the
//! device's [`DeviceSigningKey`] (Ed25519). The server holds only ciphertext.
//!
//! Main types and functions:
//!
//! * [`Sealer`] (with [`HeaderFields`], returning a [`SealedSummary`]):
//!   streaming encryption, an [`std::io::Write`].
//! * [`Opener`] / [`open`]: decrypt for one [`RecipientIdentity`], checking
//!   every chunk, truncation, reordering and the signature.
//! * [`inspect`] / [`verify`]: check a segment without any private key and
//!   read its [`SealedInfo`] (ids, sizes, time range, ciphertext hash);
//!   [`read_header`] parses the [`SealedHeader`] alone, unauthenticated.
//! * Keys: [`RecipientIdentity`], [`RecipientPublicKey`], [`RecipientKeyId`],
//!   [`DeviceSigningKey`], [`DeviceVerifyingKey`], with prefixed hex text forms
//!   and 0600 key files.
//! * [`SegmentId`], and the one [`Error`] enum.
//!
//! ```
//! use std::io::Write;
//! use tracewell_seal::*;
//!
//! let recipient = RecipientIdentity::generate()?;
//! let device = DeviceSigningKey::generate()?;
//! let fields = HeaderFields {
//!     segment_id: SegmentId::from_bytes([7; 16]),
//!     device_id: "laptop-17".into(),
//!     subject_id: "subject-3f2a".into(),
//!     start_ns: 1_700_000_000_000_000_000,
//! };
//! let mut sealer = Sealer::new(Vec::new(), &[recipient.public_key().clone()], fields, &device)?;
//! sealer.write_all(b"redacted segment bytes")?;
//! let sealed = sealer.finish(1_700_000_060_000_000_000)?.writer;
//!
//! // The server: no private key, only the device's public key.
//! let info = verify(&sealed[..], &device.verifying_key())?;
//! assert_eq!(info.plaintext_len, 22);
//!
//! // A recipient.
//! let mut plain = Vec::new();
//! open(&sealed[..], &recipient, &mut plain)?;
//! assert_eq!(plain, b"redacted segment bytes");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod error;
pub mod format;
mod ids;
mod keys;
mod open;
mod scan;
mod seal;
mod stream;
mod text;
mod wrap;

#[cfg(test)]
mod golden;

pub use error::{Error, Result};
pub use format::{SealedHeader, SealedInfo, WrappedKey, read_header};
pub use ids::SegmentId;
pub use keys::{
    DeviceSigningKey, DeviceVerifyingKey, RecipientIdentity, RecipientKeyId, RecipientPublicKey,
};
pub use open::{Opener, open};
pub use scan::{inspect, verify};
pub use seal::{HeaderFields, SealedSummary, Sealer};
