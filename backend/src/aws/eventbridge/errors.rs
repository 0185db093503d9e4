//! The one place EventBridge failures become docs/API.md's error table.

use crate::error::ApiError;
use aws_sdk_eventbridge::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_eventbridge::operation::RequestId;
use shared::ErrorCode;
use shared::Field;

/// Maps any SDK failure: service errors by their AWS code, transport failures to 503,
/// anything unreadable to 502.
pub fn from_sdk<E, R>(err: SdkError<E, R>) -> ApiError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
    SdkError<E, R>: RequestId,
{
    classify(&err)
        .with_upstream_request_id(err.request_id())
        .caused_by(SdkFailure(DisplayErrorContext(&err).to_string()))
}

/// An SDK failure with every cause in its text (`DisplayErrorContext` walks the chain),
/// kept as the API error's source for the log.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct SdkFailure(String);

fn classify<E, R>(err: &SdkError<E, R>) -> ApiError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    match err {
        SdkError::TimeoutError(_) => ApiError::new(
            ErrorCode::UpstreamUnavailable,
            "EventBridge did not answer in time. Try again in a moment.",
        ),
        SdkError::DispatchFailure(failure) if failure.is_timeout() || failure.is_io() => {
            let detail = if failure.is_timeout() {
                "did not answer in time"
            } else {
                "could not be reached"
            };
            ApiError::new(
                ErrorCode::UpstreamUnavailable,
                format!("EventBridge {detail}. Try again in a moment."),
            )
        }
        // Reached, but what came back was not a whole HTTP answer (cut short, malformed).
        SdkError::DispatchFailure(failure) => {
            tracing::warn!(error = ?failure, "incomplete EventBridge response");
            ApiError::upstream("EventBridge sent an incomplete answer. Try again in a moment.")
        }
        SdkError::ResponseError(_) => {
            tracing::warn!(error = ?err, "unreadable EventBridge response");
            ApiError::upstream("EventBridge sent a response Rewind could not read.")
        }
        SdkError::ServiceError(service) => {
            let e = service.err();
            from_service(e.code(), e.message())
        }
        _ => {
            tracing::warn!(error = ?err, "EventBridge call failed");
            ApiError::upstream(format!("The call to EventBridge failed: {err}."))
        }
    }
}

/// Maps an AWS error code and message.
pub fn from_service(code: Option<&str>, message: Option<&str>) -> ApiError {
    let message = message
        .filter(|m| !m.is_empty())
        .unwrap_or("EventBridge refused the request.");
    let (api_code, text) = match code.unwrap_or_default() {
        "ResourceNotFoundException" => (ErrorCode::NotFound, message.to_owned()),
        "ResourceAlreadyExistsException" => (ErrorCode::AlreadyExists, message.to_owned()),
        "IllegalStatusException" => (ErrorCode::IllegalStatus, message.to_owned()),
        "ConcurrentModificationException" => (
            ErrorCode::ConcurrentModification,
            format!("{message} Someone else changed it at the same time; reload and try again."),
        ),
        "LimitExceededException" => (ErrorCode::LimitExceeded, message.to_owned()),
        "InvalidEventPatternException" => (ErrorCode::InvalidEventPattern, message.to_owned()),
        "ValidationException" | "ValidationError" | "InvalidParameterValueException" => {
            (ErrorCode::ValidationError, message.to_owned())
        }
        "ThrottlingException"
        | "Throttling"
        | "TooManyRequestsException"
        | "RequestLimitExceeded" => (
            ErrorCode::Throttled,
            "EventBridge is throttling requests. Wait a few seconds and try again.".to_owned(),
        ),
        "AccessDeniedException" | "AccessDenied" => (
            ErrorCode::Forbidden,
            format!(
                "Rewind's role may not do this: {}",
                without_principals(message)
            ),
        ),
        "OperationDisabledException" => (ErrorCode::Forbidden, message.to_owned()),
        "InternalException" | "InternalFailure" | "ServiceUnavailable" => (
            ErrorCode::UpstreamError,
            "EventBridge had an internal error. Try again in a moment.".to_owned(),
        ),
        other => {
            tracing::warn!(code = other, message, "unmapped EventBridge error");
            (
                ErrorCode::UpstreamError,
                format!("EventBridge refused the request: {message}"),
            )
        }
    };
    let error = ApiError::new(api_code, text);
    if api_code == ErrorCode::InvalidEventPattern {
        error.with_field(Field::EventPattern)
    } else {
        error
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_denied_does_not_name_the_role() {
        let e = from_service(
            Some("AccessDeniedException"),
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
            assert_eq!(from_service(Some(aws), Some("m")).code, ours, "{aws}");
        }
        assert_eq!(
            from_service(Some("InvalidEventPatternException"), None)
                .field
                .as_deref(),
            Some("eventPattern")
        );
    }
}
