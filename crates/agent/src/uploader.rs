//! Upload of spooled segments to the collector.
//!
//! Each pending segment is sent with `PUT /v1/segments/{hash}`, signed by
//! the device key (see `tracewell-protocol`). Segments larger than
//! [`PART_BYTES`] go in parts with `Content-Range`, resuming from the
//! offset the collector reports (`HEAD`), so a long upload interrupted by
//! a network drop or a crash continues where it stopped. Only a
//! `stored: true` answer — the collector's durable acknowledgement —
//! removes a segment from the spool. Network errors and 5xx answers back
//! off exponentially with jitter (1 s doubling to 5 min); a 401/403 means
//! the device is not (or no longer) enrolled and stops uploads; other 4xx
//! answers mark the segment failed and move on.

use std::io::{Read, Seek, SeekFrom};
use std::time::{Duration, Instant};

use tracewell_protocol::{ErrorBody, HEADER_UPLOAD_OFFSET, RequestSigner, SegmentAck, content_hash};
use tracewell_seal::DeviceSigningKey;
use tracewell_spool::{Entry, Spool};

/// Segments above this size are uploaded in parts of this size.
pub const PART_BYTES: u64 = 8 * 1024 * 1024;

/// The HTTP client every collector request goes through.
pub(crate) fn http_agent() -> ureq::Agent {
    ureq::Agent::new_with_config(
        ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(Some(Duration::from_secs(10)))
            .timeout_global(Some(Duration::from_secs(120)))
            .build(),
    )
}

/// What one upload attempt came to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UploadOutcome {
    /// The collector holds the segment durably; it left the spool.
    Stored,
    /// Try again later (network, 5xx).
    Retry(String),
    /// The collector rejected this segment; it stays in the spool, marked.
    Rejected(String),
    /// The collector refused the device: stop uploading.
    Refused(String),
}

/// Exponential backoff with full jitter.
#[derive(Clone, Debug)]
pub struct Backoff {
    pub initial: Duration,
    pub max: Duration,
    failures: u32,
}

impl Default for Backoff {
    fn default() -> Backoff {
        Backoff { initial: Duration::from_secs(1), max: Duration::from_secs(300), failures: 0 }
    }
}

impl Backoff {
    /// A backoff starting at `initial` and capped at `max`.
    pub fn new(initial: Duration, max: Duration) -> Backoff {
        Backoff { initial, max, failures: 0 }
    }

    /// The wait after one more failure: uniformly random up to
    /// `initial × 2^failures`, capped at `max`.
    pub fn next_delay(&mut self) -> Duration {
        let ceiling = self.initial.saturating_mul(1u32 << self.failures.min(16)).min(self.max);
        self.failures = self.failures.saturating_add(1);
        let mut r = [0u8; 8];
        let fraction = if getrandom::fill(&mut r).is_ok() { u64::from_le_bytes(r) as f64 / u64::MAX as f64 } else { 0.5 };
        ceiling.mul_f64(fraction.max(0.05))
    }

    pub fn reset(&mut self) {
        self.failures = 0;
    }
}

/// Sends spooled segments to one collector as one device.
pub struct Uploader {
    server: String,
    signer: RequestSigner,
    http: ureq::Agent,
}

impl Uploader {
    pub fn new(server: &str, device_id: &str, key: &DeviceSigningKey) -> Uploader {
        Uploader { server: server.trim_end_matches('/').to_string(), signer: RequestSigner::new(device_id, key), http: http_agent() }
    }

    /// Uploads one spooled segment and acknowledges it in the spool when
    /// the collector stored it.
    pub fn upload(&self, spool: &Spool, entry: &Entry) -> UploadOutcome {
        let outcome = match self.send(spool, entry) {
            Ok(outcome) => outcome,
            Err(e) => UploadOutcome::Retry(e),
        };
        match &outcome {
            UploadOutcome::Stored => {
                if let Err(e) = spool.ack(entry) {
                    return UploadOutcome::Retry(format!("stored, but the spool could not drop it: {e}"));
                }
            }
            UploadOutcome::Rejected(why) | UploadOutcome::Retry(why) => {
                let _ = spool.record_failure(entry, why);
            }
            UploadOutcome::Refused(_) => {}
        }
        outcome
    }

    fn send(&self, spool: &Spool, entry: &Entry) -> Result<UploadOutcome, String> {
        spool.verify_entry(entry).map_err(|e| e.to_string())?;
        let hash = entry.hash.to_string();
        let path = format!("/v1/segments/{hash}");
        let mut file = spool.open_entry(entry).map_err(|e| e.to_string())?;
        if entry.len <= PART_BYTES {
            let mut body = Vec::with_capacity(entry.len as usize);
            file.read_to_end(&mut body).map_err(|e| e.to_string())?;
            return self.put(&path, body, None);
        }
        let mut offset = self.held(&path)?;
        loop {
            if offset >= entry.len {
                // Everything is held but not yet checked: any part completes it.
                offset = entry.len.saturating_sub(1);
            }
            let end = (offset + PART_BYTES).min(entry.len);
            let mut part = vec![0u8; (end - offset) as usize];
            file.seek(SeekFrom::Start(offset)).map_err(|e| e.to_string())?;
            file.read_exact(&mut part).map_err(|e| e.to_string())?;
            let range = format!("bytes {}-{}/{}", offset, end - 1, entry.len);
            match self.put(&path, part, Some(&range))? {
                UploadOutcome::Retry(why) if why.starts_with("part accepted") => {
                    offset = why.rsplit(' ').next().and_then(|n| n.parse().ok()).unwrap_or(end);
                }
                other => return Ok(other),
            }
        }
    }

    /// Bytes of this segment the collector holds from an earlier attempt.
    fn held(&self, path: &str) -> Result<u64, String> {
        let signed = self.signer.sign("HEAD", path, &content_hash(b""), None).map_err(|e| e.to_string())?;
        let mut request = self.http.head(format!("{}{path}", self.server));
        for (name, value) in signed.pairs() {
            request = request.header(name, value);
        }
        let response = request.call().map_err(|e| e.to_string())?;
        Ok(response
            .headers()
            .get(HEADER_UPLOAD_OFFSET)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0))
    }

    fn put(&self, path: &str, body: Vec<u8>, range: Option<&str>) -> Result<UploadOutcome, String> {
        let signed = self.signer.sign("PUT", path, &content_hash(&body), range).map_err(|e| e.to_string())?;
        let mut request = self.http.put(format!("{}{path}", self.server)).header("content-type", "application/octet-stream");
        for (name, value) in signed.pairs() {
            request = request.header(name, value);
        }
        if let Some(range) = range {
            request = request.header("content-range", range);
        }
        let mut response = request.send(&body[..]).map_err(|e| e.to_string())?;
        let status = response.status().as_u16();
        let text = response.body_mut().read_to_string().unwrap_or_default();
        let reason = || serde_json::from_str::<ErrorBody>(&text).map(|b| b.error).unwrap_or_else(|_| format!("HTTP {status}"));
        Ok(match status {
            200 | 201 | 202 => match serde_json::from_str::<SegmentAck>(&text) {
                Ok(ack) if ack.stored => UploadOutcome::Stored,
                Ok(ack) => UploadOutcome::Retry(format!("part accepted, offset {}", ack.offset.unwrap_or(0))),
                Err(e) => UploadOutcome::Retry(format!("unexpected answer: {e}")),
            },
            401 | 403 => UploadOutcome::Refused(reason()),
            408 | 409 | 425 | 429 => UploadOutcome::Retry(reason()),
            400..=499 => UploadOutcome::Rejected(reason()),
            _ => UploadOutcome::Retry(reason()),
        })
    }

    /// Uploads everything pending, oldest first, until the spool is empty,
    /// an attempt fails (returned, so the caller backs off) or `deadline`.
    pub fn drain(&self, spool: &Spool, deadline: Instant) -> Result<u64, UploadOutcome> {
        let mut stored = 0;
        for entry in spool.pending() {
            if Instant::now() >= deadline {
                break;
            }
            match self.upload(spool, &entry) {
                UploadOutcome::Stored => stored += 1,
                UploadOutcome::Rejected(_) => {}
                other => return Err(other),
            }
        }
        Ok(stored)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_stays_capped() {
        let mut b = Backoff { initial: Duration::from_millis(100), max: Duration::from_secs(2), failures: 0 };
        for n in 0..20u32 {
            let ceiling = Duration::from_millis(100).saturating_mul(1 << n.min(16)).min(Duration::from_secs(2));
            let d = b.next_delay();
            assert!(d <= ceiling, "{n}: {d:?} > {ceiling:?}");
        }
        b.reset();
        assert!(b.next_delay() <= Duration::from_millis(100));
    }
}
