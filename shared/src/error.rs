//! The error body of every failed request, and the typed error of every validation rule.

use serde::{Deserialize, Serialize};

/// Declares [`Field`] and its wire names from one list.
macro_rules! fields {
    ($( $(#[$doc:meta])* $name:ident = $wire:literal, )*) => {
        /// Every request field an error can name, by its camelCase wire name
        /// (`destination.arn` for nested ones): the backend's errors and the console's
        /// form kit name fields through it, so a typo is a compile error instead of an
        /// error that silently lands in the banner instead of under its field.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Field {
            $( $(#[$doc])* $name, )*
        }

        impl Field {
            pub const ALL: &'static [Field] = &[ $( Field::$name, )* ];

            /// The name on the wire.
            pub const fn as_str(self) -> &'static str {
                match self { $( Field::$name => $wire, )* }
            }
        }
    };
}

fields! {
    ArchiveName = "archiveName",
    ReplayName = "replayName",
    JobName = "jobName",
    Pacing = "pacing",
    PacingSliceMinutes = "pacing.sliceMinutes",
    PacingGapSeconds = "pacing.gapSeconds",
    EventSourceArn = "eventSourceArn",
    EventStartTime = "eventStartTime",
    EventEndTime = "eventEndTime",
    EventPattern = "eventPattern",
    Description = "description",
    RetentionDays = "retentionDays",
    KmsKeyIdentifier = "kmsKeyIdentifier",
    MaxEvents = "maxEvents",
    Routing = "routing",
    RoutingTargets = "routing.targets",
    RoutingEventPattern = "routing.eventPattern",
    RoutingForwardTo = "routing.forwardTo",
    RoutingForwardToRoleArn = "routing.forwardTo.roleArn",
    /// A target's id (reported at `routing.targets` where one is chosen).
    TargetId = "targetId",
    DestinationArn = "destination.arn",
    /// A v2 replay's bus.
    EventBusArn = "eventBusArn",
    /// A v2 replay's chosen subscribers.
    SubscriberArns = "subscriberArns",
    DestinationFilterArns = "destination.filterArns",
    NamePrefix = "namePrefix",
    State = "state",
    Limit = "limit",
    NextToken = "nextToken",
    /// A bus's name in a path.
    Name = "name",
    /// A rule's name in a path.
    Rule = "rule",
    PeekId = "peekId",
    /// The event of a pattern test.
    Event = "event",
    /// The request body as a whole.
    Body = "body",
}

impl Field {
    /// The field of this wire name, if it is one.
    pub fn parse(wire: &str) -> Option<Field> {
        Self::ALL.iter().copied().find(|f| f.as_str() == wire)
    }
}

impl std::fmt::Display for Field {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<Field> for String {
    fn from(field: Field) -> Self {
        field.as_str().to_owned()
    }
}

impl PartialEq<&str> for Field {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// A rule broken by one request field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct FieldError {
    pub field: Field,
    pub message: String,
    /// `InvalidEventPattern` for pattern problems, `ValidationError` otherwise.
    pub code: ErrorCode,
}

impl FieldError {
    pub fn new(field: Field, message: impl Into<String>) -> Self {
        Self {
            field,
            message: message.into(),
            code: ErrorCode::ValidationError,
        }
    }

    pub fn pattern(field: Field, message: impl Into<String>) -> Self {
        Self {
            code: ErrorCode::InvalidEventPattern,
            ..Self::new(field, message)
        }
    }

    /// The same problem, reported against another field (a value type used in several places).
    pub fn at(mut self, field: Field) -> Self {
        self.field = field;
        self
    }
}

impl From<FieldError> for ErrorBody {
    fn from(e: FieldError) -> Self {
        ErrorBody {
            error: ErrorDetail {
                code: e.code,
                message: e.message,
                field: Some(e.field.into()),
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
        let body: ErrorBody = FieldError::new(Field::ArchiveName, "Too long.").into();
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

#[cfg(test)]
mod field_tests {
    use super::Field;

    #[test]
    fn each_field_has_one_wire_name() {
        let mut names: Vec<_> = Field::ALL.iter().map(|f| f.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Field::ALL.len());
        for field in Field::ALL {
            assert_eq!(Field::parse(field.as_str()), Some(*field));
        }
        assert_eq!(Field::parse("destination.arn"), Some(Field::DestinationArn));
        assert_eq!(Field::parse("archivename"), None);
    }
}
