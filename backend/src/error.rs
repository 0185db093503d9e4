//! The edge: every failure a handler can meet becomes one JSON body of docs/API.md's
//! error table. A use-case's own refusals arrive as [`ApiError`] with their sentence; an
//! AWS call's failure arrives typed ([`AwsError`]), and its sentence is written here, once.

use crate::aws::error::{AwsError, Kind};
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

/// An AWS call's failure, said for a person: the API's code for its kind, and a sentence
/// naming the service (AWS's own message where it is the useful part).
impl From<AwsError> for ApiError {
    fn from(e: AwsError) -> Self {
        let service = e.service.name();
        let message = e.message.clone().unwrap_or_default();
        let said = |fallback: &str| {
            if message.is_empty() {
                fallback.to_owned()
            } else {
                message.clone()
            }
        };
        let (code, text) = match &e.kind {
            Kind::NotFound => (
                ErrorCode::NotFound,
                said(&format!("{service} found no such resource.")),
            ),
            Kind::AlreadyExists => (ErrorCode::AlreadyExists, said("It already exists.")),
            Kind::IllegalStatus => (
                ErrorCode::IllegalStatus,
                said("It is not in a state that allows this."),
            ),
            Kind::ConcurrentModification => (
                ErrorCode::ConcurrentModification,
                format!(
                    "{} Someone else changed it at the same time; reload and try again.",
                    said("It was changed meanwhile.")
                ),
            ),
            Kind::LimitExceeded => (
                ErrorCode::LimitExceeded,
                said(&format!("{service}'s limit is reached.")),
            ),
            Kind::InvalidEventPattern => (
                ErrorCode::InvalidEventPattern,
                said("EventBridge refused the event pattern."),
            ),
            Kind::Invalid => (
                ErrorCode::ValidationError,
                said(&format!("{service} refused the request.")),
            ),
            Kind::InvalidToken => (
                ErrorCode::ValidationError,
                "This nextToken is not one the list gave out; start again from the first page."
                    .to_owned(),
            ),
            Kind::Throttled => (
                ErrorCode::Throttled,
                format!("{service} is throttling requests. Wait a few seconds and try again."),
            ),
            Kind::AccessDenied => (
                ErrorCode::Forbidden,
                format!(
                    "Rewind's role may not do this: {}",
                    without_principals(&message)
                ),
            ),
            Kind::Disabled => (
                ErrorCode::Forbidden,
                said(&format!("{service} has turned this off for the account.")),
            ),
            Kind::Internal => (
                ErrorCode::UpstreamError,
                format!("{service} had an internal error. Try again in a moment."),
            ),
            Kind::TimedOut => (
                ErrorCode::UpstreamUnavailable,
                format!("{service} did not answer in time. Try again in a moment."),
            ),
            Kind::Unreachable => (
                ErrorCode::UpstreamUnavailable,
                format!("{service} could not be reached. Try again in a moment."),
            ),
            Kind::Incomplete => (
                ErrorCode::UpstreamError,
                format!("{service} sent an incomplete answer. Try again in a moment."),
            ),
            Kind::Unreadable(None) => (
                ErrorCode::UpstreamError,
                format!("{service} sent a response Rewind could not read."),
            ),
            Kind::Unreadable(Some(field)) => (
                ErrorCode::UpstreamError,
                format!("{service} sent a response without {field}."),
            ),
            Kind::NotSetUp(what) => (
                ErrorCode::UpstreamUnavailable,
                format!(
                    "{what} is not set up here; template.yaml sets it up. Try again once the stack is deployed."
                ),
            ),
            Kind::Other(code) => (
                ErrorCode::UpstreamError,
                format!(
                    "{service} refused the request ({code}): {}",
                    said("no message")
                ),
            ),
        };
        let error = Self::new(code, text).with_upstream_request_id(e.request_id.as_deref());
        let error = match &e.detail {
            Some(detail) => error.caused_by(Detail(detail.to_string())),
            None => error,
        };
        if code == ErrorCode::InvalidEventPattern {
            error.with_field(shared::Field::EventPattern)
        } else {
            error
        }
    }
}

/// An AWS failure with every cause in its text, kept as the API error's source for the
/// log.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct Detail(String);

/// AWS names the calling role (`arn:…:sts::<account>:assumed-role/<role>/<session>`) in
/// an AccessDenied message: callers learn that it was refused, not who refused it.
fn without_principals(message: &str) -> String {
    message
        .split(' ')
        .map(|word| {
            if word.starts_with("arn:") && (word.contains(":sts::") || word.contains(":iam::")) {
                "Rewind's role"
            } else {
                word
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::error::{Service, kind_of};

    fn said(code: &str, message: Option<&str>) -> ApiError {
        let mut e = AwsError::new(Service::EventBridge, kind_of(code));
        e.message = message.map(str::to_owned);
        e.into()
    }

    #[test]
    fn access_denied_does_not_name_the_role() {
        let e = said(
            "AccessDeniedException",
            Some(
                "User: arn:aws:sts::123456789012:assumed-role/rewind-BackendRole-X/rewind-fn is not authorized to perform: events:PutRule on resource: arn:aws:events:us-east-1:123456789012:rule/x",
            ),
        );
        assert_eq!(e.code, ErrorCode::Forbidden);
        assert!(!e.message.contains("assumed-role"), "{}", e.message);
        assert!(e.message.contains("events:PutRule"), "{}", e.message);
    }

    #[test]
    fn service_codes_follow_the_table() {
        let cases = [
            ("ResourceNotFoundException", ErrorCode::NotFound),
            ("ResourceAlreadyExistsException", ErrorCode::AlreadyExists),
            ("IllegalStatusException", ErrorCode::IllegalStatus),
            (
                "ConcurrentModificationException",
                ErrorCode::ConcurrentModification,
            ),
            ("LimitExceededException", ErrorCode::LimitExceeded),
            (
                "InvalidEventPatternException",
                ErrorCode::InvalidEventPattern,
            ),
            ("ValidationException", ErrorCode::ValidationError),
            ("ThrottlingException", ErrorCode::Throttled),
            ("AccessDeniedException", ErrorCode::Forbidden),
            ("InternalException", ErrorCode::UpstreamError),
            ("SomethingNew", ErrorCode::UpstreamError),
        ];
        for (aws, ours) in cases {
            assert_eq!(said(aws, Some("m")).code, ours, "{aws}");
        }
        assert_eq!(
            said("InvalidEventPatternException", None).field.as_deref(),
            Some("eventPattern")
        );
    }

    #[test]
    fn each_service_is_named_in_its_own_failures() {
        for service in [
            Service::StepFunctions,
            Service::CloudWatchLogs,
            Service::DynamoDb,
        ] {
            let e: ApiError = AwsError::new(service, Kind::TimedOut).into();
            assert_eq!(e.code, ErrorCode::UpstreamUnavailable);
            assert!(e.message.starts_with(service.name()), "{}", e.message);
            assert!(!e.message.contains("EventBridge"), "{}", e.message);
        }
    }
}
