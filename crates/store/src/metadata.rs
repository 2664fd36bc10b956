//! The metadata store trait and its records.
//!
//! Times are Unix seconds except the segment time range (Unix nanoseconds);
//! all are `i64` because both databases store signed 64-bit integers.

use async_trait::async_trait;

use crate::error::Result;

/// An enrolled device. `device_key` is the public key's text form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceRecord {
    /// Server-assigned id.
    pub device_id: String,
    /// `tracewell-device-1:<hex>`, the Ed25519 public key.
    pub device_key: String,
    /// Enrollment time, Unix seconds.
    pub enrolled_at: i64,
    /// Revocation time, Unix seconds; `None` while the device is active.
    pub revoked_at: Option<i64>,
}

/// A stored segment: everything the collector knows about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SegmentRecord {
    /// Hex BLAKE3 of the whole sealed segment (the segment's name).
    pub hash: String,
    /// Segment id from the sealed header, 32 hex digits.
    pub segment_id: String,
    /// The uploading (and signing) device.
    pub device_id: String,
    /// Pseudonymous subject id from the sealed header.
    pub subject_id: String,
    /// Start of the recorded range, Unix nanoseconds.
    pub start_ns: i64,
    /// End of the recorded range, Unix nanoseconds.
    pub end_ns: i64,
    /// Size of the sealed segment in bytes.
    pub size: i64,
    /// Key of the object holding the sealed bytes.
    pub object_key: String,
    /// When the collector stored it, Unix seconds.
    pub received_at: i64,
}

/// The result of [`MetadataStore::enroll`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EnrollOutcome {
    /// The token was consumed and the device recorded.
    Enrolled,
    /// No such token.
    UnknownToken,
    /// The token expired before it was used.
    ExpiredToken,
    /// The token was already used.
    UsedToken,
    /// The device key (or id) is already enrolled; the token stays unused.
    AlreadyEnrolled,
}

/// Devices, one-time enrollment tokens, stored segments and seen request
/// nonces. Every method is atomic; a method that returned `Ok` is durable.
#[async_trait]
pub trait MetadataStore: Send + Sync + 'static {
    /// Records a new enrollment token by its hash.
    async fn add_enrollment_token(
        &self,
        token_hash: &str,
        created_at: i64,
        expires_at: i64,
    ) -> Result<()>;

    /// In one transaction: checks the token is known, unexpired at `now` and
    /// unused, marks it used, and records `device`.
    async fn enroll(
        &self,
        token_hash: &str,
        now: i64,
        device: &DeviceRecord,
    ) -> Result<EnrollOutcome>;

    /// A device by id.
    async fn device(&self, device_id: &str) -> Result<Option<DeviceRecord>>;

    /// Revokes a device at `at` (keeping an earlier revocation time).
    /// Returns the revocation time in force, or `None` for an unknown device.
    async fn revoke_device(&self, device_id: &str, at: i64) -> Result<Option<i64>>;

    /// Records a request nonce of a device. Returns `false` if the device
    /// already used it (a replay). Nonces seen before `forget_before` may
    /// be pruned.
    async fn use_nonce(
        &self,
        device_id: &str,
        nonce: &str,
        now: i64,
        forget_before: i64,
    ) -> Result<bool>;

    /// A stored segment by hash.
    async fn segment(&self, hash: &str) -> Result<Option<SegmentRecord>>;

    /// Records a stored segment. Returns `false` (and changes nothing) if
    /// a segment with that hash is already recorded.
    async fn insert_segment(&self, segment: &SegmentRecord) -> Result<bool>;

    /// Segments in hash order, starting after `after`, at most `limit`.
    async fn list_segments(&self, after: Option<&str>, limit: u32) -> Result<Vec<SegmentRecord>>;

    /// A one-line description for logs (never credentials).
    fn describe(&self) -> String;
}
