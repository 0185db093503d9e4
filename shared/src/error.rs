//! The error body of every failed request, and the typed error of every validation rule.

use serde::{Deserialize, Serialize};

/// A rule broken by one request field. `field` is the camelCase name of the field as
/// it appears on the wire (`destination.arn` for nested ones).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct FieldError {
    pub field: String,
    pub message: String,
    /// `InvalidEventPattern` for pattern problems, `ValidationError` otherwise.
    pub code: ErrorCode,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
            code: ErrorCode::ValidationError,
        }
    }

    pub fn pattern(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            code: ErrorCode::InvalidEventPattern,
            ..Self::new(field, message)
        }
    }

    /// The same problem, reported against another field (a value type used in several places).
    pub fn at(mut self, field: impl Into<String>) -> Self {
        self.field = field.into();
        self
    }
}

impl From<FieldError> for ErrorBody {
    fn from(e: FieldError) -> Self {
        ErrorBody {
            error: ErrorDetail {
                code: e.code,
                message: e.message,
                field: Some(e.field),
            },
        }
    }
}

/// The `code` of an error body; each maps to exactly one HTTP status (docs/API.md "Errors").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ErrorCode {
    ValidationError,
    InvalidEventPattern,
    Unauthenticated,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    AlreadyExists,
    IllegalStatus,
    ConcurrentModification,
    LimitExceeded,
    PayloadTooLarge,
    Throttled,
    Internal,
    UpstreamError,
    UpstreamUnavailable,
}

impl ErrorCode {
    pub const fn http_status(self) -> u16 {
        match self {
            Self::ValidationError | Self::InvalidEventPattern => 400,
            Self::Unauthenticated => 401,
            Self::Forbidden => 403,
            Self::NotFound => 404,
            Self::MethodNotAllowed => 405,
            Self::AlreadyExists
            | Self::IllegalStatus
            | Self::ConcurrentModification
            | Self::LimitExceeded => 409,
            Self::PayloadTooLarge => 413,
            Self::Throttled => 429,
            Self::Internal => 500,
            Self::UpstreamError => 502,
            Self::UpstreamUnavailable => 503,
        }
    }
}

/// `{"error": {"code", "message", "field"?}}`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorDetail {
    pub code: ErrorCode,
    /// A sentence a person can act on.
    pub message: String,
    /// The request field at fault (camelCase), where there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl ErrorBody {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            error: ErrorDetail {
                code,
                message: message.into(),
                field: None,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_body_serialises_as_documented() {
        let body: ErrorBody = FieldError::new("archiveName", "Too long.").into();
        let json = serde_json::to_value(&body).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"error": {"code": "ValidationError", "message": "Too long.", "field": "archiveName"}})
        );
        let no_field = serde_json::to_value(ErrorBody::new(ErrorCode::NotFound, "x")).unwrap();
        assert!(no_field["error"].get("field").is_none());
    }

    #[test]
    fn each_code_has_the_documented_status() {
        assert_eq!(ErrorCode::ValidationError.http_status(), 400);
        assert_eq!(ErrorCode::InvalidEventPattern.http_status(), 400);
        assert_eq!(ErrorCode::NotFound.http_status(), 404);
        assert_eq!(ErrorCode::LimitExceeded.http_status(), 409);
        assert_eq!(ErrorCode::Throttled.http_status(), 429);
        assert_eq!(ErrorCode::UpstreamError.http_status(), 502);
        assert_eq!(ErrorCode::UpstreamUnavailable.http_status(), 503);
    }
}
