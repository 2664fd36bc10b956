//! JSON bodies of the `/v1` endpoints. Keys and hashes travel in their text
//! forms (`tracewell-device-1:…`, `tracewell-recipient-1:…`, 64 hex digits).

use serde::{Deserialize, Serialize};

/// `POST /v1/admin/enrollment-tokens` request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateEnrollmentToken {
    /// Lifetime of the token in seconds.
    pub ttl_secs: u64,
}

/// `POST /v1/admin/enrollment-tokens` response.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrollmentToken {
    /// The one-time token; the server keeps only its hash.
    pub token: String,
    /// Expiry, Unix seconds.
    pub expires_at: u64,
}

/// `POST /v1/enroll` request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnrollRequest {
    /// A one-time enrollment token.
    pub token: String,
    /// The device's Ed25519 public key, `tracewell-device-1:…`.
    pub device_key: String,
}

/// `POST /v1/enroll` response.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrollResponse {
    /// The device id to put in sealed headers and the device header.
    pub device_id: String,
    /// Recipient public keys to seal segments to, `tracewell-recipient-1:…`.
    pub recipients: Vec<String>,
}

/// `GET /v1/config` response.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigResponse {
    /// The authenticated device.
    pub device_id: String,
    /// Recipient public keys to seal segments to.
    pub recipients: Vec<String>,
    /// The server's clock, Unix seconds.
    pub server_time: u64,
}

/// `POST /v1/admin/devices/{device_id}/revoke` response.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevokeResponse {
    /// The device.
    pub device_id: String,
    /// When it was revoked (the first revocation), Unix seconds.
    pub revoked_at: u64,
}

/// Answer to a segment upload (`PUT /v1/segments/{hash}`).
///
/// `stored: true` (status 201, or 200 for a segment already stored) is the
/// acknowledgement: the segment is durable and the device may delete it.
/// `stored: false` (status 202) acknowledges one part of a resumable upload;
/// `offset` is then how many bytes the server holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SegmentAck {
    /// BLAKE3 of the whole sealed segment, hex.
    pub hash: String,
    /// Whether the segment is stored.
    pub stored: bool,
    /// Bytes held of a partial upload.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset: Option<u64>,
}

/// `GET /v1/segments/{hash}/status` response.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SegmentStatus {
    /// The hash asked about.
    pub hash: String,
    /// Whether the segment is stored.
    pub stored: bool,
    /// Bytes held: the segment size when stored, otherwise the length of a
    /// partial upload (0 if none).
    pub offset: u64,
}

/// Body of every 4xx and 5xx response.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// A short reason; never internal details.
    pub error: String,
}
