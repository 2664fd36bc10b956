//! [`AppError`]: every failure of a request, mapped to HTTP in one place.
//!
//! Client errors carry a short, fixed reason that is safe to show. Internal
//! errors are logged with their detail and answered with a bare
//! `500 {"error": "internal error"}`: nothing about the server's storage,
//! paths or databases reaches a client.

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use tracewell_protocol::{ErrorBody, HEADER_UPLOAD_OFFSET};

/// Why a request failed.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// 400: the request is malformed.
    #[error("{0}")]
    BadRequest(String),
    /// 401: authentication is missing or wrong.
    #[error("{0}")]
    Unauthorized(&'static str),
    /// 403: authenticated, but not allowed (e.g. a revoked device).
    #[error("{0}")]
    Forbidden(&'static str),
    /// 404.
    #[error("{0}")]
    NotFound(&'static str),
    /// 405.
    #[error("method not allowed")]
    MethodNotAllowed,
    /// 409: conflicts with the server's state. `offset` adds an
    /// `Upload-Offset` header (resumable uploads).
    #[error("{reason}")]
    Conflict {
        /// Short reason.
        reason: &'static str,
        /// Bytes the server holds, for upload conflicts.
        offset: Option<u64>,
    },
    /// 413: the body is too large.
    #[error("{0}")]
    TooLarge(&'static str),
    /// 422: well-formed request, unacceptable content (e.g. a body that is
    /// not a valid sealed segment of this device).
    #[error("{0}")]
    Unprocessable(String),
    /// 500: logged, never shown.
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    /// An internal error from anything displayable; the detail is logged
    /// when the response is built, not sent.
    pub fn internal(e: impl std::fmt::Display) -> Self {
        AppError::Internal(e.to_string())
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            AppError::Conflict { .. } => StatusCode::CONFLICT,
            AppError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl From<tracewell_store::Error> for AppError {
    fn from(e: tracewell_store::Error) -> Self {
        AppError::internal(e)
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        let reason = match &self {
            AppError::Internal(detail) => {
                tracing::error!(%detail, "request failed");
                "internal error".to_owned()
            }
            other => {
                tracing::debug!(status = status.as_u16(), reason = %other, "request rejected");
                other.to_string()
            }
        };
        let mut response = (status, axum::Json(ErrorBody { error: reason })).into_response();
        if let AppError::Conflict {
            offset: Some(offset),
            ..
        } = self
        {
            response
                .headers_mut()
                .insert(HEADER_UPLOAD_OFFSET, HeaderValue::from(offset));
        }
        response
    }
}

/// Shorthand for handler results.
pub type AppResult<T> = Result<T, AppError>;
