//! The API's error type: every failure a handler can meet becomes one JSON body of
//! docs/API.md's error table.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use shared::{ErrorBody, ErrorCode, ErrorDetail, FieldError};
use std::sync::Arc;

/// What the caller is told (`code`, `message`, `field`) and, for the logs only, what
/// caused it and the request id EventBridge gave the failed call.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{code:?}: {message}")]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
    pub field: Option<String>,
    #[source]
    pub source: Option<Arc<dyn std::error::Error + Send + Sync>>,
    /// EventBridge's request id of the call that failed, to quote to AWS support.
    pub upstream_request_id: Option<String>,
}

/// Two errors are the same answer when the caller would read the same body.
impl PartialEq for ApiError {
    fn eq(&self, other: &Self) -> bool {
        self.code == other.code && self.message == other.message && self.field == other.field
    }
}

impl Eq for ApiError {}

/// EventBridge's request id of a failed call, carried by the response to the log line
/// of the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpstreamRequestId(pub String);

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            field: None,
            source: None,
            upstream_request_id: None,
        }
    }

    /// Keeps what caused it (logged, never sent to the caller).
    pub fn caused_by(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.source = Some(Arc::new(source));
        self
    }

    pub fn with_upstream_request_id(mut self, id: Option<&str>) -> Self {
        self.upstream_request_id = id.map(str::to_owned);
        self
    }

    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    /// The same failure, said of `service` (the SDK error mapping speaks of EventBridge).
    pub fn in_service(mut self, service: &str) -> Self {
        self.message = self.message.replace("EventBridge", service);
        self
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::NotFound, message)
    }

    pub fn validation(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(ErrorCode::ValidationError, message).with_field(field)
    }

    pub fn upstream(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::UpstreamError, message)
    }

    pub fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.code.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            error: ErrorDetail {
                code: self.code,
                message: self.message.clone(),
                field: self.field.clone(),
            },
        }
    }
}

impl From<FieldError> for ApiError {
    fn from(e: FieldError) -> Self {
        Self::new(e.code, e.message).with_field(e.field)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            tracing::warn!(
                code = ?self.code,
                message = %self.message,
                cause = self.source.as_ref().map(|s| tracing::field::display(s.to_string())),
                upstream_request_id = self.upstream_request_id.as_deref(),
                "request failed"
            );
        }
        let mut response = (status, axum::Json(self.body())).into_response();
        // For the audit record and the request's log line, which see only the response.
        response.extensions_mut().insert(self.code);
        if let Some(id) = self.upstream_request_id {
            response.extensions_mut().insert(UpstreamRequestId(id));
        }
        response
    }
}
