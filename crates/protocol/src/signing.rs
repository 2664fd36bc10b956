//! Device request signatures.
//!
//! Every request a device makes after enrollment carries five headers:
//!
//! | header | value |
//! |---|---|
//! | `X-Tracewell-Device` | the device id the server assigned at enrollment |
//! | `X-Tracewell-Date` | the device's clock, Unix seconds (decimal) |
//! | `X-Tracewell-Nonce` | 16 random bytes as 32 lowercase hex digits, never reused |
//! | `X-Tracewell-Content-Hash` | lowercase hex BLAKE3 of the request body (of zero bytes when there is none) |
//! | `X-Tracewell-Signature` | 128 lowercase hex digits: Ed25519 (RFC 8032) over the canonical string |
//!
//! The canonical string is UTF-8, lines joined by `\n`, no trailing newline:
//!
//! ```text
//! tracewell-request-v1
//! <METHOD, upper case>
//! <path and query exactly as sent, e.g. /v1/segments/ab12?x=1>
//! <device id>
//! <date>
//! <nonce>
//! <content hash>
//! <Content-Range header value, or empty>
//! ```
//!
//! The idea follows HTTP Message Signatures (RFC 9421) — sign a canonical
//! list of request components — with a fixed component list instead of a
//! negotiated one. The server rejects a date more than
//! [`MAX_CLOCK_SKEW_SECS`] away from its own clock and any nonce it has seen
//! from the same device (it remembers nonces for at least twice that
//! window), so a captured request cannot be replayed. The body is bound by
//! its hash: the server checks the received body against
//! `X-Tracewell-Content-Hash` before acting on it.

use std::fmt::Write as _;
use std::time::{SystemTime, UNIX_EPOCH};

use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use tracewell_seal::{DeviceSigningKey, DeviceVerifyingKey};
use zeroize::Zeroizing;

/// Header carrying the device id.
pub const HEADER_DEVICE: &str = "x-tracewell-device";
/// Header carrying the request date, Unix seconds.
pub const HEADER_DATE: &str = "x-tracewell-date";
/// Header carrying the single-use request nonce.
pub const HEADER_NONCE: &str = "x-tracewell-nonce";
/// Header carrying the hex BLAKE3 of the request body.
pub const HEADER_CONTENT_HASH: &str = "x-tracewell-content-hash";
/// Header carrying the hex Ed25519 signature.
pub const HEADER_SIGNATURE: &str = "x-tracewell-signature";
/// Response header of `HEAD /v1/segments/{hash}` and partial uploads: how
/// many bytes of the segment the server holds.
pub const HEADER_UPLOAD_OFFSET: &str = "upload-offset";
/// First line of every canonical string; names the scheme version.
pub const CANONICAL_PREFIX: &str = "tracewell-request-v1";
/// How far a request date may be from the server's clock, in seconds.
pub const MAX_CLOCK_SKEW_SECS: u64 = 300;

/// Why signing or verifying a request failed.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum SigningError {
    /// The signature header is not 128 hex digits.
    #[error("signature is not 128 hex digits")]
    MalformedSignature,
    /// The signature does not verify under the device's key.
    #[error("request signature does not verify")]
    BadSignature,
    /// The operating system's random number generator failed.
    #[error("random number generator failed")]
    Random,
    /// A component contains a line break or is otherwise unusable.
    #[error("request component is not allowed: {0}")]
    BadComponent(&'static str),
}

/// The request components that are signed.
#[derive(Clone, Copy, Debug)]
pub struct RequestParts<'a> {
    /// HTTP method, e.g. `PUT` (compared upper case).
    pub method: &'a str,
    /// Path and query as sent on the request line.
    pub path_and_query: &'a str,
    /// Device id.
    pub device_id: &'a str,
    /// Unix seconds.
    pub date: u64,
    /// The nonce header.
    pub nonce: &'a str,
    /// Hex BLAKE3 of the body.
    pub content_hash: &'a str,
    /// The `Content-Range` header, if the request has one.
    pub content_range: Option<&'a str>,
}

/// Builds the canonical string of a request (see the [module docs](self)).
/// Fails if any component contains a line break, which would make two
/// different requests share one string.
pub fn canonical_string(parts: &RequestParts<'_>) -> Result<String, SigningError> {
    let fields = [
        ("method", parts.method),
        ("path", parts.path_and_query),
        ("device id", parts.device_id),
        ("nonce", parts.nonce),
        ("content hash", parts.content_hash),
        ("content range", parts.content_range.unwrap_or("")),
    ];
    for (name, value) in fields {
        if value.contains(['\n', '\r']) {
            return Err(SigningError::BadComponent(name));
        }
    }
    let mut s = String::with_capacity(256);
    let _ = write!(
        s,
        "{CANONICAL_PREFIX}\n{}\n{}\n{}\n{}\n{}\n{}\n{}",
        parts.method.to_ascii_uppercase(),
        parts.path_and_query,
        parts.device_id,
        parts.date,
        parts.nonce,
        parts.content_hash,
        parts.content_range.unwrap_or(""),
    );
    Ok(s)
}

/// Checks `signature_hex` over the canonical string of `parts` with the
/// device's key (strict RFC 8032 verification).
pub fn verify_request_signature(
    key: &DeviceVerifyingKey,
    parts: &RequestParts<'_>,
    signature_hex: &str,
) -> Result<(), SigningError> {
    let sig: [u8; 64] = unhex(signature_hex).ok_or(SigningError::MalformedSignature)?;
    let vk = VerifyingKey::from_bytes(&key.to_bytes()).map_err(|_| SigningError::BadSignature)?;
    let message = canonical_string(parts)?;
    vk.verify_strict(message.as_bytes(), &Signature::from_bytes(&sig))
        .map_err(|_| SigningError::BadSignature)
}

/// The signing headers of one request, as produced by [`RequestSigner::sign`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedHeaders {
    /// Value of [`HEADER_DEVICE`].
    pub device_id: String,
    /// Value of [`HEADER_DATE`].
    pub date: u64,
    /// Value of [`HEADER_NONCE`].
    pub nonce: String,
    /// Value of [`HEADER_CONTENT_HASH`].
    pub content_hash: String,
    /// Value of [`HEADER_SIGNATURE`].
    pub signature: String,
}

impl SignedHeaders {
    /// The five `(name, value)` pairs to add to the request.
    pub fn pairs(&self) -> [(&'static str, String); 5] {
        [
            (HEADER_DEVICE, self.device_id.clone()),
            (HEADER_DATE, self.date.to_string()),
            (HEADER_NONCE, self.nonce.clone()),
            (HEADER_CONTENT_HASH, self.content_hash.clone()),
            (HEADER_SIGNATURE, self.signature.clone()),
        ]
    }
}

/// Signs requests for one enrolled device.
pub struct RequestSigner {
    device_id: String,
    key: SigningKey,
}

impl std::fmt::Debug for RequestSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RequestSigner")
            .field("device_id", &self.device_id)
            .finish_non_exhaustive()
    }
}

impl RequestSigner {
    /// A signer for `device_id` with the device's key (the same key that
    /// signs its sealed segments).
    pub fn new(device_id: impl Into<String>, key: &DeviceSigningKey) -> Self {
        let text = key.to_secret_text();
        let hex_part = text.rsplit(':').next().unwrap_or_default();
        let secret: Zeroizing<[u8; 32]> = Zeroizing::new(unhex(hex_part).unwrap_or([0; 32]));
        RequestSigner {
            device_id: device_id.into(),
            key: SigningKey::from_bytes(&secret),
        }
    }

    /// The device id this signer signs for.
    pub fn device_id(&self) -> &str {
        &self.device_id
    }

    /// Signs a request now, with a fresh random nonce.
    pub fn sign(
        &self,
        method: &str,
        path_and_query: &str,
        content_hash: &str,
        content_range: Option<&str>,
    ) -> Result<SignedHeaders, SigningError> {
        let mut raw = [0u8; 16];
        getrandom::fill(&mut raw).map_err(|_| SigningError::Random)?;
        self.sign_with(
            method,
            path_and_query,
            content_hash,
            content_range,
            unix_now(),
            &hex(&raw),
        )
    }

    /// Signs with an explicit date and nonce (tests, replays of a spooled
    /// request are *not* a use: nonces are single-use).
    pub fn sign_with(
        &self,
        method: &str,
        path_and_query: &str,
        content_hash: &str,
        content_range: Option<&str>,
        date: u64,
        nonce: &str,
    ) -> Result<SignedHeaders, SigningError> {
        let parts = RequestParts {
            method,
            path_and_query,
            device_id: &self.device_id,
            date,
            nonce,
            content_hash,
            content_range,
        };
        let message = canonical_string(&parts)?;
        let signature = self.key.sign(message.as_bytes()).to_bytes();
        Ok(SignedHeaders {
            device_id: self.device_id.clone(),
            date,
            nonce: nonce.to_owned(),
            content_hash: content_hash.to_owned(),
            signature: hex(&signature),
        })
    }
}

/// Current Unix time in seconds (0 if the clock is before 1970).
pub fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Lowercase hex BLAKE3 of `bytes`: the name of a body or a segment.
pub fn content_hash(bytes: &[u8]) -> String {
    hex(blake3::hash(bytes).as_bytes())
}

/// Incremental [`content_hash`].
#[derive(Default, Clone)]
pub struct ContentHasher(blake3::Hasher);

impl ContentHasher {
    /// An empty hasher.
    pub fn new() -> Self {
        Self::default()
    }
    /// Adds bytes.
    pub fn update(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }
    /// The hex hash of everything added.
    pub fn finish(&self) -> String {
        hex(self.0.finalize().as_bytes())
    }
}

/// True if `s` is 64 lowercase hex digits (the form of every content hash).
pub fn is_hex_hash(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}

fn unhex<const N: usize>(s: &str) -> Option<[u8; N]> {
    let bytes = s.as_bytes();
    if bytes.len() != 2 * N {
        return None;
    }
    let digit = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    };
    let mut out = [0u8; N];
    for (i, pair) in bytes.chunks_exact(2).enumerate() {
        out[i] = (digit(pair[0])? << 4) | digit(pair[1])?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts<'a>(signed: &'a SignedHeaders, path: &'a str) -> RequestParts<'a> {
        RequestParts {
            method: "put",
            path_and_query: path,
            device_id: &signed.device_id,
            date: signed.date,
            nonce: &signed.nonce,
            content_hash: &signed.content_hash,
            content_range: Some("bytes 0-9/10"),
        }
    }

    #[test]
    fn sign_verify_and_every_component_matters() {
        let key = DeviceSigningKey::generate().unwrap();
        let vk = key.verifying_key();
        let signer = RequestSigner::new("d-1", &key);
        let h = content_hash(b"0123456789");
        let signed = signer
            .sign("PUT", "/v1/segments/x", &h, Some("bytes 0-9/10"))
            .unwrap();
        assert_eq!(signed.nonce.len(), 32);
        let good = parts(&signed, "/v1/segments/x");
        verify_request_signature(&vk, &good, &signed.signature).unwrap();

        let mut p = good;
        p.path_and_query = "/v1/segments/y";
        assert_eq!(
            verify_request_signature(&vk, &p, &signed.signature),
            Err(SigningError::BadSignature)
        );
        let mut p = good;
        p.date += 1;
        assert!(verify_request_signature(&vk, &p, &signed.signature).is_err());
        let mut p = good;
        p.content_range = None;
        assert!(verify_request_signature(&vk, &p, &signed.signature).is_err());
        let mut p = good;
        p.method = "POST";
        assert!(verify_request_signature(&vk, &p, &signed.signature).is_err());
        let other = DeviceSigningKey::generate().unwrap().verifying_key();
        assert!(verify_request_signature(&other, &good, &signed.signature).is_err());
        assert_eq!(
            verify_request_signature(&vk, &good, "zz"),
            Err(SigningError::MalformedSignature)
        );
    }

    #[test]
    fn canonical_string_is_fixed() {
        let p = RequestParts {
            method: "get",
            path_and_query: "/v1/config",
            device_id: "d-1",
            date: 1_700_000_000,
            nonce: "00",
            content_hash: "ab",
            content_range: None,
        };
        assert_eq!(
            canonical_string(&p).unwrap(),
            "tracewell-request-v1\nGET\n/v1/config\nd-1\n1700000000\n00\nab\n"
        );
        let mut bad = p;
        bad.nonce = "a\nb";
        assert!(canonical_string(&bad).is_err());
    }

    #[test]
    fn hashes() {
        assert!(is_hex_hash(&content_hash(b"")));
        let mut h = ContentHasher::new();
        h.update(b"ab");
        h.update(b"c");
        assert_eq!(h.finish(), content_hash(b"abc"));
        assert!(!is_hex_hash(&content_hash(b"").to_uppercase()));
    }
}
