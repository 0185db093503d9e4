//! Extractors that turn every malformed request into an `ApiError` naming the problem,
//! instead of axum's plain-text rejections.

use crate::error::ApiError;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use shared::peek::PeekId;
use shared::validation::{ArchiveName, EventBusName, JobName, ReplayName, RuleName};
use shared::{ErrorCode, FieldError};

/// The most a request body may hold.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// A JSON body: must be sent as `application/json` (so that a cross-site form cannot
/// post it), at most [`MAX_BODY_BYTES`], with no unknown field.
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("application/json"));
        if !is_json {
            return Err(ApiError::validation(
                "body",
                "Send the request body as JSON, with the header Content-Type: application/json.",
            ));
        }
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(body_rejection)?;
        parse_json(&bytes).map(ApiJson)
    }
}

fn body_rejection(rejection: BytesRejection) -> ApiError {
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::new(
            ErrorCode::PayloadTooLarge,
            format!(
                "The request body is larger than {} KiB.",
                MAX_BODY_BYTES / 1024
            ),
        )
    } else {
        ApiError::validation(
            "body",
            format!("The request body could not be read: {rejection}."),
        )
    }
}

/// Deserialises JSON, reporting the path of the field at fault.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    // Every body of this API is an object; serde would otherwise read a struct from an
    // array by position.
    if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Err(ApiError::validation(
            "body",
            "The request body must be a JSON object.",
        ));
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value: T = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if inner.is_syntax() || inner.is_eof() {
            return ApiError::validation(
                "body",
                format!("The request body is not valid JSON: {inner}."),
            );
        }
        // The path names the field at fault (an unknown one included); a missing field
        // is named in the message, under the path of its parent; "." is the body itself.
        let field = match field_in_message(&inner.to_string(), "missing field `") {
            Some(name) if path == "." => name,
            Some(name) => format!("{path}.{name}"),
            None if path == "." => "body".to_owned(),
            None => path,
        };
        ApiError::validation(
            field,
            format!("The request body does not match the expected shape: {inner}."),
        )
    })?;
    de.end().map_err(|e| {
        ApiError::validation("body", format!("The request body is not valid JSON: {e}."))
    })?;
    Ok(value)
}

/// serde names fields in its messages as "unknown field `x`, expected …" or
/// "missing field `x`".
fn field_in_message(message: &str, prefix: &str) -> Option<String> {
    let rest = message.strip_prefix(prefix)?;
    rest.split_once('`').map(|(name, _)| name.to_owned())
}

/// A query string with no unknown parameter; values are validated by `shared`.
pub struct ApiQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        // A repeated key would silently keep one of its values; say so instead.
        let mut seen = std::collections::HashSet::new();
        for (key, _) in form_urlencoded::parse(query.as_bytes()) {
            if !seen.insert(key.clone()) {
                return Err(ApiError::validation(
                    key.as_ref(),
                    format!("The query parameter {key} is given more than once; give it once."),
                ));
            }
        }
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(de)
            .map(ApiQuery)
            .map_err(|e| {
                let path = e.path().to_string();
                let inner = e.into_inner().to_string();
                let field = field_in_message(&inner, "unknown field `")
                    .or_else(|| (path != ".").then_some(path))
                    .unwrap_or_else(|| "query".to_owned());
                ApiError::validation(field, format!("The query string is not valid: {inner}."))
            })
    }
}

/// The request's context (`crate::context::Ctx`): the caller the route guard
/// (`auth::authorize`) established, the adapters, the limits, and the audit notes of this
/// request — what every use-case takes.
impl FromRequestParts<crate::state::AppState> for crate::context::Ctx {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &crate::state::AppState,
    ) -> Result<Self, Self::Rejection> {
        let caller = parts
            .extensions
            .get::<crate::caller::Caller>()
            .cloned()
            .ok_or_else(|| {
                ApiError::new(
                    shared::ErrorCode::Unauthenticated,
                    "Sign in to use Rewind: this request carried no verified identity.",
                )
            })?;
        let notes = crate::audit::AuditNotes::of(&parts.extensions);
        Ok(state.ctx(caller, notes))
    }
}

/// `201 Created` with the new resource's `Location` and its JSON.
pub struct Created<T>(pub String, pub T);

impl<T: serde::Serialize> axum::response::IntoResponse for Created<T> {
    fn into_response(self) -> axum::response::Response {
        let Created(location, body) = self;
        let mut response = (StatusCode::CREATED, axum::Json(body)).into_response();
        if let Ok(value) = axum::http::HeaderValue::from_str(&location) {
            response
                .headers_mut()
                .insert(axum::http::header::LOCATION, value);
        }
        response
    }
}

/// A path parameter that is one of `shared`'s validated names: parsed once, on the way
/// in, so a handler holds the type and never the raw string.
pub struct Valid<T>(pub T);

/// A validated name a path parameter can hold.
pub trait PathName: Sized {
    fn from_path(raw: &str) -> Result<Self, FieldError>;
}

macro_rules! path_names {
    ($($name:ty => $parse:path),* $(,)?) => {
        $(impl PathName for $name {
            fn from_path(raw: &str) -> Result<Self, FieldError> {
                $parse(raw)
            }
        })*
    };
}

path_names!(
    ArchiveName => ArchiveName::parse,
    ReplayName => ReplayName::parse,
    EventBusName => EventBusName::parse,
    // A job made before job names were shortened keeps its longer name.
    JobName => JobName::parse_existing,
    PeekId => PeekId::parse,
);

impl<S, T> FromRequestParts<S> for Valid<T>
where
    T: PathName + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let ApiPath(raw) = ApiPath::<String>::from_request_parts(parts, state).await?;
        Ok(Valid(T::from_path(&raw)?))
    }
}

/// A bus and one of its rules, as `/api/event-buses/{name}/rules/{rule}` names them.
impl<S: Send + Sync> FromRequestParts<S> for Valid<(EventBusName, RuleName)> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let ApiPath((bus, rule)) =
            ApiPath::<(String, String)>::from_request_parts(parts, state).await?;
        Ok(Valid((EventBusName::parse(&bus)?, RuleName::parse(&rule)?)))
    }
}

/// What most handlers answer: a JSON body or the error.
pub type Answer<T> = Result<axum::Json<T>, ApiError>;

/// A report: computed at most once a minute per replay or job and scope, so a browser or
/// proxy may keep it that long too, for this caller only.
pub struct CachedReport(pub shared::report::ReplayReport);

impl axum::response::IntoResponse for CachedReport {
    fn into_response(self) -> axum::response::Response {
        let cache = [(axum::http::header::CACHE_CONTROL, "private, max-age=60")];
        (cache, axum::Json(self.0)).into_response()
    }
}

/// A path parameter, with malformed percent-encoding reported as JSON.
pub struct ApiPath<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiPath<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(value)| ApiPath(value))
            .map_err(|e| ApiError::validation("name", format!("The path is not valid: {e}.")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::archive::CreateArchiveRequest;

    #[test]
    fn names_unknown_and_mistyped_fields() {
        let e = parse_json::<CreateArchiveRequest>(
            br#"{"archiveName":"a","eventSourceArn":"b","colour":1}"#,
        )
        .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("colour"));
        let e = parse_json::<CreateArchiveRequest>(
            br#"{"archiveName":"a","eventSourceArn":"b","retentionDays":"x"}"#,
        )
        .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("retentionDays"));
        let e = parse_json::<CreateArchiveRequest>(br#"{"eventSourceArn":"b"}"#).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("archiveName"));
        let e = parse_json::<CreateArchiveRequest>(br#"{"archiveName":"a""#).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("body"));
        assert!(e.message.contains("not valid JSON"), "{}", e.message);
        let e =
            parse_json::<CreateArchiveRequest>(br#"{"archiveName":"a","eventSourceArn":"b"} x"#)
                .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("body"));
        let e = parse_json::<CreateArchiveRequest>(br#"["a","arn"]"#).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("body"));
    }
}
