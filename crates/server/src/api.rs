//! The router and the enrollment, admin and config handlers.

use axum::Json;
use axum::Router;
use axum::body::Body;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::routing::{get, post, put};
use bytes::Bytes;
use futures_util::StreamExt;
use serde::de::DeserializeOwned;
use std::str::FromStr;
use tracewell_protocol::{
    ConfigResponse, CreateEnrollmentToken, EnrollRequest, EnrollResponse, EnrollmentToken,
    RevokeResponse, unix_now,
};
use tracewell_seal::DeviceVerifyingKey;
use tracewell_store::{DeviceRecord, EnrollOutcome};

use crate::auth::{authenticate_device, require_admin};
use crate::error::{AppError, AppResult};
use crate::segments;
use crate::state::{AppState, random_hex};

/// The collector's HTTP service (see the crate docs for the endpoints).
/// Tests call it directly, without a socket.
pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/v1/admin/enrollment-tokens", post(create_enrollment_token))
        .route("/v1/admin/devices/{device_id}/revoke", post(revoke_device))
        .route("/v1/enroll", post(enroll))
        .route("/v1/config", get(device_config))
        .route(
            "/v1/segments/{hash}",
            put(segments::put_segment).head(segments::head_segment),
        )
        .route("/v1/segments/{hash}/status", get(segments::segment_status))
        .fallback(|| async { AppError::NotFound("no such endpoint") })
        .method_not_allowed_fallback(|| async { AppError::MethodNotAllowed })
        .with_state(state)
}

/// The hash under which an enrollment token is stored.
pub fn hash_token(token: &str) -> String {
    tracewell_protocol::content_hash(token.as_bytes())
}

/// Reads a JSON body of at most `limit` bytes.
async fn read_json<T: DeserializeOwned>(body: Body, limit: usize) -> AppResult<T> {
    let mut buf = Vec::new();
    let mut stream = body.into_data_stream();
    while let Some(chunk) = stream.next().await {
        let chunk: Bytes =
            chunk.map_err(|_| AppError::BadRequest("request body was cut off".into()))?;
        if buf.len() + chunk.len() > limit {
            return Err(AppError::TooLarge("request body is too large"));
        }
        buf.extend_from_slice(&chunk);
    }
    serde_json::from_slice(&buf).map_err(|e| {
        let what = match e.classify() {
            serde_json::error::Category::Data => {
                "JSON body has missing, unknown or mistyped fields"
            }
            _ => "malformed JSON body",
        };
        AppError::BadRequest(what.into())
    })
}

async fn create_enrollment_token(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> AppResult<(StatusCode, Json<EnrollmentToken>)> {
    require_admin(&state, &headers)?;
    let req: CreateEnrollmentToken = read_json(body, state.0.limits.max_json_bytes).await?;
    if req.ttl_secs == 0 || req.ttl_secs > state.0.limits.max_token_ttl_secs {
        return Err(AppError::BadRequest(format!(
            "ttl_secs must be 1 to {}",
            state.0.limits.max_token_ttl_secs
        )));
    }
    let token = format!("twenroll-{}", random_hex(32).map_err(AppError::internal)?);
    let now = unix_now();
    let expires_at = now + req.ttl_secs;
    state
        .0
        .metadata
        .add_enrollment_token(&hash_token(&token), now as i64, expires_at as i64)
        .await?;
    tracing::info!(expires_at, "enrollment token created");
    Ok((
        StatusCode::CREATED,
        Json(EnrollmentToken { token, expires_at }),
    ))
}

async fn revoke_device(
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
) -> AppResult<Json<RevokeResponse>> {
    require_admin(&state, &headers)?;
    let Path(device_id) = path.map_err(|_| AppError::BadRequest("malformed path".into()))?;
    let revoked_at = state
        .0
        .metadata
        .revoke_device(&device_id, unix_now() as i64)
        .await?
        .ok_or(AppError::NotFound("unknown device"))?;
    tracing::info!(device = %device_id, "device revoked");
    Ok(Json(RevokeResponse {
        device_id,
        revoked_at: revoked_at.max(0) as u64,
    }))
}

async fn enroll(
    State(state): State<AppState>,
    body: Body,
) -> AppResult<(StatusCode, Json<EnrollResponse>)> {
    let req: EnrollRequest = read_json(body, state.0.limits.max_json_bytes).await?;
    let key = DeviceVerifyingKey::from_str(req.device_key.trim()).map_err(|_| {
        AppError::BadRequest("device_key is not a valid tracewell-device-1: public key".into())
    })?;
    if req.token.is_empty() || req.token.len() > 256 {
        return Err(AppError::Unauthorized("unknown enrollment token"));
    }
    let now = unix_now() as i64;
    let device = DeviceRecord {
        device_id: format!("dev-{}", random_hex(16).map_err(AppError::internal)?),
        device_key: key.to_string(),
        enrolled_at: now,
        revoked_at: None,
    };
    match state
        .0
        .metadata
        .enroll(&hash_token(&req.token), now, &device)
        .await?
    {
        EnrollOutcome::Enrolled => {}
        EnrollOutcome::UnknownToken => {
            return Err(AppError::Unauthorized("unknown enrollment token"));
        }
        EnrollOutcome::ExpiredToken => {
            return Err(AppError::Unauthorized("enrollment token has expired"));
        }
        EnrollOutcome::UsedToken => {
            return Err(AppError::Unauthorized("enrollment token was already used"));
        }
        EnrollOutcome::AlreadyEnrolled => {
            return Err(AppError::Conflict {
                reason: "device key is already enrolled",
                offset: None,
            });
        }
    }
    tracing::info!(device = %device.device_id, "device enrolled");
    Ok((
        StatusCode::CREATED,
        Json(EnrollResponse {
            device_id: device.device_id,
            recipients: state.0.recipients.clone(),
        }),
    ))
}

async fn device_config(
    State(state): State<AppState>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> AppResult<Json<ConfigResponse>> {
    let device = authenticate_device(&state, &method, &uri, &headers).await?;
    Ok(Json(ConfigResponse {
        device_id: device.device_id,
        recipients: state.0.recipients.clone(),
        server_time: unix_now(),
    }))
}
