//! The wire protocol between a recording device and the Tracewell collector:
//! shared by the server and the device-side uploader, with no I/O of its own.
//!
//! * [`signing`]: how a device signs each request with its Ed25519 key —
//!   header names ([`HEADER_DEVICE`], [`HEADER_DATE`], [`HEADER_NONCE`],
//!   [`HEADER_CONTENT_HASH`], [`HEADER_SIGNATURE`]), the [`canonical_string`]
//!   both sides compute, the device-side [`RequestSigner`] and the
//!   server-side [`verify_request_signature`].
//! * [`types`]: the JSON request and response bodies of every `/v1`
//!   endpoint ([`EnrollRequest`], [`EnrollResponse`], [`ConfigResponse`],
//!   [`SegmentAck`], [`SegmentStatus`], [`ErrorBody`], ...).
//! * [`content_hash`] / [`ContentHasher`]: the one hash that names bodies and
//!   segments — lowercase hex BLAKE3 of the bytes. A segment is named by the
//!   BLAKE3 of its whole sealed file, the same name the device spool uses.
//!
//! ```
//! use tracewell_protocol::*;
//! use tracewell_seal::DeviceSigningKey;
//!
//! let key = DeviceSigningKey::generate()?;
//! let signer = RequestSigner::new("d-1234", &key);
//! let body = b"sealed bytes";
//! let signed = signer.sign("PUT", "/v1/segments/abcd", &content_hash(body), None)?;
//! // The server rebuilds the canonical string from the request it got:
//! let parts = RequestParts {
//!     method: "PUT",
//!     path_and_query: "/v1/segments/abcd",
//!     device_id: "d-1234",
//!     date: signed.date,
//!     nonce: &signed.nonce,
//!     content_hash: &signed.content_hash,
//!     content_range: None,
//! };
//! verify_request_signature(&key.verifying_key(), &parts, &signed.signature)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod signing;
pub mod types;

pub use signing::{
    CANONICAL_PREFIX, ContentHasher, HEADER_CONTENT_HASH, HEADER_DATE, HEADER_DEVICE, HEADER_NONCE,
    HEADER_SIGNATURE, HEADER_UPLOAD_OFFSET, MAX_CLOCK_SKEW_SECS, RequestParts, RequestSigner,
    SignedHeaders, SigningError, canonical_string, content_hash, hex, is_hex_hash, unix_now,
    verify_request_signature,
};
pub use types::*;

/// Every path of the protocol starts with this prefix.
pub const API_PREFIX: &str = "/v1";
