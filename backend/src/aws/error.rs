//! What can go wrong with an AWS call, typed: every adapter answers `AwsError`, which says
//! which service, what kind of failure, AWS's own message and request id — and no English
//! of Rewind's. The edge (`crate::error`) turns it into docs/API.md's error table and
//! writes the sentence a person reads.

// Every SDK crate re-exports the same smithy types; EventBridge's names them here.
use aws_sdk_eventbridge::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_eventbridge::operation::RequestId;
use std::sync::Arc;

/// The AWS services Rewind calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    EventBridge,
    /// The Custom Event Bus (`eventsv2`).
    EventBridgeV2,
    StepFunctions,
    Sqs,
    CloudWatch,
    CloudWatchLogs,
    DynamoDb,
}

impl Service {
    /// How a person calls it.
    pub const fn name(self) -> &'static str {
        match self {
            Self::EventBridge => "EventBridge",
            Self::EventBridgeV2 => "EventBridge (Custom Event Bus)",
            Self::StepFunctions => "Step Functions",
            Self::Sqs => "SQS",
            Self::CloudWatch => "CloudWatch",
            Self::CloudWatchLogs => "CloudWatch Logs",
            Self::DynamoDb => "DynamoDB",
        }
    }
}

/// The kind of failure, from AWS's error code or the transport.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    NotFound,
    AlreadyExists,
    IllegalStatus,
    ConcurrentModification,
    LimitExceeded,
    InvalidEventPattern,
    /// AWS's own validation refused the request.
    Invalid,
    /// A nextToken the service did not give out.
    InvalidToken,
    /// Throttled past the SDK's retries.
    Throttled,
    AccessDenied,
    /// The service turned the operation off for this account.
    Disabled,
    /// The service's own internal error.
    Internal,
    /// No answer in time.
    TimedOut,
    /// Not reached at all.
    Unreachable,
    /// Reached, but the answer was cut short or malformed at the HTTP level.
    Incomplete,
    /// An answer Rewind could not read (or one missing a field it must have: the name).
    Unreadable(Option<&'static str>),
    /// What the service needs is not set up here (a table, a state machine): the name.
    NotSetUp(&'static str),
    /// Any other code.
    Other(String),
}

/// A failed AWS call.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{} {kind:?}: {}", service.name(), message.as_deref().unwrap_or_default())]
pub struct AwsError {
    pub service: Service,
    pub kind: Kind,
    /// AWS's own message, when it sent one.
    pub message: Option<String>,
    /// AWS's request id of the call, to quote to AWS support.
    pub request_id: Option<String>,
    /// Every cause, for the log only.
    pub detail: Option<Arc<str>>,
}

impl AwsError {
    pub fn new(service: Service, kind: Kind) -> Self {
        Self {
            service,
            kind,
            message: None,
            request_id: None,
            detail: None,
        }
    }

    pub fn with_message(mut self, message: impl Into<String>) -> Self {
        self.message = Some(message.into());
        self
    }

    /// The answer lacked a field it must have.
    pub fn missing(service: Service, field: &'static str) -> Self {
        Self::new(service, Kind::Unreadable(Some(field)))
    }

    /// The answer made no sense (`detail` is for the log).
    pub fn unreadable(service: Service, detail: String) -> Self {
        tracing::warn!(service = service.name(), %detail, "unreadable AWS answer");
        Self {
            detail: Some(detail.into()),
            ..Self::new(service, Kind::Unreadable(None))
        }
    }

    pub fn is_not_found(&self) -> bool {
        self.kind == Kind::NotFound
    }

    pub fn is(&self, kind: &Kind) -> bool {
        &self.kind == kind
    }

    /// Classifies any SDK failure: service errors by their AWS code, transport failures
    /// by what happened.
    pub fn from_sdk<E, R>(service: Service, err: SdkError<E, R>) -> Self
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
        R: std::fmt::Debug,
        SdkError<E, R>: RequestId,
    {
        let request_id = err.request_id().map(str::to_owned);
        let detail: Arc<str> = DisplayErrorContext(&err).to_string().into();
        let (kind, message) = match &err {
            SdkError::TimeoutError(_) => (Kind::TimedOut, None),
            SdkError::DispatchFailure(failure) if failure.is_timeout() => (Kind::TimedOut, None),
            SdkError::DispatchFailure(failure) if failure.is_io() => (Kind::Unreachable, None),
            SdkError::DispatchFailure(_) => (Kind::Incomplete, None),
            SdkError::ResponseError(_) => (Kind::Unreadable(None), None),
            SdkError::ServiceError(service_error) => {
                let e = service_error.err();
                (
                    kind_of(e.code().unwrap_or_default()),
                    e.message().filter(|m| !m.is_empty()).map(str::to_owned),
                )
            }
            _ => (Kind::Other("SdkError".to_owned()), None),
        };
        if matches!(
            kind,
            Kind::Incomplete | Kind::Unreadable(_) | Kind::Other(_)
        ) {
            tracing::warn!(service = service.name(), error = %detail, "AWS call failed");
        }
        Self {
            service,
            kind,
            message,
            request_id,
            detail: Some(detail),
        }
    }
}

/// The kind an AWS error code names (each service spells a few its own way).
pub fn kind_of(code: &str) -> Kind {
    match code {
        "ResourceNotFoundException"
        | "ExecutionDoesNotExist"
        | "StateMachineDoesNotExist"
        | "QueueDoesNotExist"
        | "AWS.SimpleQueueService.NonExistentQueue" => Kind::NotFound,
        "ResourceAlreadyExistsException" | "ExecutionAlreadyExists" | "QueueAlreadyExists" => {
            Kind::AlreadyExists
        }
        "IllegalStatusException" | "InvalidStateException" | "ResourceInUseException" => {
            Kind::IllegalStatus
        }
        "ConcurrentModificationException" | "ConflictException" => Kind::ConcurrentModification,
        "LimitExceededException" | "ExecutionLimitExceeded" => Kind::LimitExceeded,
        "InvalidEventPatternException" => Kind::InvalidEventPattern,
        "ValidationException"
        | "ValidationError"
        | "InvalidInputException"
        | "InvalidParameterValueException"
        | "InvalidName"
        | "InvalidExecutionInput" => Kind::Invalid,
        "InvalidToken" => Kind::InvalidToken,
        "ThrottlingException"
        | "Throttling"
        | "TooManyRequestsException"
        | "RequestLimitExceeded" => Kind::Throttled,
        "AccessDeniedException" | "AccessDenied" => Kind::AccessDenied,
        "OperationDisabledException" => Kind::Disabled,
        "InternalException" | "InternalFailure" | "ServiceUnavailable" => Kind::Internal,
        other => Kind::Other(other.to_owned()),
    }
}
