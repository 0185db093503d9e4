//! `/api/archives/{name}/peeks` and `/api/peeks/{peekId}`: archive peeks (see
//! `crate::peeks`).

use super::params::{ArchivePath, PeekPath};
use crate::caller::Caller;
use crate::error::ApiError;
use crate::http::extract::{ApiJson, ApiPath, ApiQuery, Scoped};
use crate::state::AppState;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::{Extension, Json};
use shared::ErrorBody;
use shared::peek::{Peek, PeekEvents, PeekId, PeekQuery, StartPeekRequest};
use shared::validation::ArchiveName;

/// Starts a peek: a replay of a short window to a queue of Rewind's own.
#[utoipa::path(
    operation_id = "startPeek",
    post, path = "/api/archives/{name}/peeks", tag = "peeks",
    params(ArchivePath),
    request_body = StartPeekRequest,
    responses(
        (status = 201, body = Peek, headers(("Location" = String, description = "/api/peeks/{peekId}"))),
        (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 413, body = ErrorBody),
    )
)]
pub async fn start(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Scoped(eventbridge): Scoped,
    ApiPath(name): ApiPath<String>,
    ApiJson(body): ApiJson<StartPeekRequest>,
) -> Result<(StatusCode, HeaderMap, Json<Peek>), ApiError> {
    let name = ArchiveName::parse(&name)?;
    let new = body.validate(state.peek_max_minutes)?;
    // Out of the caller's teams: not found.
    let archive = eventbridge.describe_archive(&name).await?;
    crate::jobs::slots::Slots::of(&state)
        .check(&eventbridge, &archive.summary.event_source_arn)
        .await?;
    let peek = crate::peeks::start(&state, &caller, &archive, new).await?;
    let mut headers = HeaderMap::new();
    if let Ok(value) = HeaderValue::from_str(&format!("/api/peeks/{}", peek.peek_id)) {
        headers.insert(header::LOCATION, value);
    }
    Ok((StatusCode::CREATED, headers, Json(peek)))
}

/// The events that arrived; `ack` confirms the previous response's.
#[utoipa::path(
    operation_id = "readPeek",
    get, path = "/api/peeks/{peekId}", tag = "peeks",
    params(PeekPath, PeekQuery),
    responses(
        (status = 200, body = PeekEvents),
        (status = 400, body = ErrorBody), (status = 404, body = ErrorBody),
    )
)]
pub async fn read(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath(id): ApiPath<String>,
    ApiQuery(query): ApiQuery<PeekQuery>,
) -> Result<Json<PeekEvents>, ApiError> {
    let id = PeekId::parse(&id)?;
    Ok(Json(
        crate::peeks::read(&state, &caller, &id, query.ack.as_deref()).await?,
    ))
}

/// Ends a peek: its replay is cancelled if it still runs; its rule and queue go.
#[utoipa::path(
    operation_id = "stopPeek",
    delete, path = "/api/peeks/{peekId}", tag = "peeks",
    params(PeekPath),
    responses(
        (status = 204),
        (status = 400, body = ErrorBody), (status = 404, body = ErrorBody),
    )
)]
pub async fn stop(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    let id = PeekId::parse(&id)?;
    crate::peeks::stop(&state, &caller, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
