//! Admin bearer tokens and device request signatures (see
//! [`tracewell_protocol::signing`] for the scheme).

use std::str::FromStr;

use axum::http::{HeaderMap, Method, Uri, header};
use tracewell_protocol::{
    HEADER_CONTENT_HASH, HEADER_DATE, HEADER_DEVICE, HEADER_NONCE, HEADER_SIGNATURE, RequestParts,
    is_hex_hash, unix_now, verify_request_signature,
};
use tracewell_seal::DeviceVerifyingKey;

use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// Requires `Authorization: Bearer <admin token>`.
pub(crate) fn require_admin(state: &AppState, headers: &HeaderMap) -> AppResult<()> {
    let value = headers
        .get(header::AUTHORIZATION)
        .ok_or(AppError::Unauthorized("admin token required"))?;
    let token = value
        .to_str()
        .ok()
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or(AppError::Unauthorized(
            "expected Authorization: Bearer <admin token>",
        ))?;
    // Comparing hashes keeps the comparison's timing independent of the token.
    if *blake3::hash(token.trim().as_bytes()).as_bytes() != state.0.admin_token_hash {
        return Err(AppError::Unauthorized("bad admin token"));
    }
    Ok(())
}

/// A device whose request signature checked out.
#[derive(Clone, Debug)]
pub(crate) struct AuthedDevice {
    pub device_id: String,
    pub key: DeviceVerifyingKey,
    /// The body hash the device signed; the handler must check the body.
    pub content_hash: String,
}

fn header_str<'a>(headers: &'a HeaderMap, name: &'static str) -> AppResult<&'a str> {
    let missing: &'static str = match name {
        HEADER_DEVICE => "missing or malformed X-Tracewell-Device header",
        HEADER_DATE => "missing or malformed X-Tracewell-Date header",
        HEADER_NONCE => "missing or malformed X-Tracewell-Nonce header",
        HEADER_CONTENT_HASH => "missing or malformed X-Tracewell-Content-Hash header",
        _ => "missing or malformed X-Tracewell-Signature header",
    };
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 256)
        .ok_or(AppError::Unauthorized(missing))
}

/// Checks the signing headers of a device request: date within the skew,
/// an enrolled and unrevoked device, a valid signature, then a fresh nonce
/// (recorded only once the signature is valid, so strangers cannot fill the
/// nonce table).
pub(crate) async fn authenticate_device(
    state: &AppState,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
) -> AppResult<AuthedDevice> {
    let device_id = header_str(headers, HEADER_DEVICE)?;
    let date_text = header_str(headers, HEADER_DATE)?;
    let nonce = header_str(headers, HEADER_NONCE)?;
    let content_hash = header_str(headers, HEADER_CONTENT_HASH)?;
    let signature = header_str(headers, HEADER_SIGNATURE)?;
    let date: u64 = date_text
        .parse()
        .map_err(|_| AppError::Unauthorized("X-Tracewell-Date must be Unix seconds"))?;
    if nonce.len() < 16 || nonce.len() > 64 || !nonce.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(AppError::Unauthorized(
            "X-Tracewell-Nonce must be 16 to 64 hex digits",
        ));
    }
    if !is_hex_hash(content_hash) {
        return Err(AppError::Unauthorized(
            "X-Tracewell-Content-Hash must be 64 lowercase hex digits",
        ));
    }
    let now = unix_now();
    let skew = state.0.limits.max_clock_skew_secs;
    if date.abs_diff(now) > skew {
        return Err(AppError::Unauthorized(
            "request date is outside the allowed clock skew",
        ));
    }
    let device = state
        .0
        .metadata
        .device(device_id)
        .await?
        .ok_or(AppError::Unauthorized("unknown device"))?;
    if device.revoked_at.is_some() {
        return Err(AppError::Forbidden("device is revoked"));
    }
    let key = DeviceVerifyingKey::from_str(&device.device_key)
        .map_err(|e| AppError::internal(format!("stored key of {device_id}: {e}")))?;
    let content_range = headers
        .get(header::CONTENT_RANGE)
        .map(|v| {
            v.to_str()
                .map_err(|_| AppError::BadRequest("malformed Content-Range header".into()))
        })
        .transpose()?;
    let path_and_query = uri.path_and_query().map_or(uri.path(), |p| p.as_str());
    let parts = RequestParts {
        method: method.as_str(),
        path_and_query,
        device_id,
        date,
        nonce,
        content_hash,
        content_range,
    };
    verify_request_signature(&key, &parts, signature)
        .map_err(|_| AppError::Unauthorized("bad request signature"))?;
    let now = now as i64;
    let forget_before = now - 2 * skew as i64 - 60;
    if !state
        .0
        .metadata
        .use_nonce(device_id, nonce, now, forget_before)
        .await?
    {
        return Err(AppError::Unauthorized(
            "nonce already used (replayed request)",
        ));
    }
    Ok(AuthedDevice {
        device_id: device.device_id,
        key,
        content_hash: content_hash.to_owned(),
    })
}
