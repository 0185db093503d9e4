//! `/api/archives/{name}/peeks` and `/api/peeks/{peekId}`: archive peeks (see
//! `crate::peeks`).

use super::params::{ArchivePath, PeekPath};
use crate::context::Ctx;
use crate::error::ApiError;
use crate::http::extract::{Answer, ApiJson, ApiQuery, Created, Valid};
use crate::peeks;
use axum::Json;
use axum::http::StatusCode;
use shared::ErrorBody;
use shared::peek::{Peek, PeekEvents, PeekId, PeekQuery, StartPeekRequest};
use shared::roles::Operation;
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
    ctx: Ctx,
    Valid(name): Valid<ArchiveName>,
    ApiJson(body): ApiJson<StartPeekRequest>,
) -> Result<Created<Peek>, ApiError> {
    let new = body.validate(ctx.limits.peek_max_minutes)?;
    let peek = peeks::start(&ctx, &name, new).await?;
    let location = super::location(Operation::ReadPeek, &[peek.peek_id.as_str()]);
    Ok(Created(location, peek))
}

/// The events that arrived; `ack` confirms the previous response's.
#[utoipa::path(
    operation_id = "readPeek",
    get, path = "/api/peeks/{peekId}", tag = "peeks",
    params(PeekPath, PeekQuery),
    responses((status = 200, body = PeekEvents), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn read(
    ctx: Ctx,
    Valid(id): Valid<PeekId>,
    ApiQuery(query): ApiQuery<PeekQuery>,
) -> Answer<PeekEvents> {
    Ok(Json(peeks::read(&ctx, &id, query.ack.as_deref()).await?))
}

/// Ends a peek: its replay is cancelled if it still runs; its rule and queue go.
#[utoipa::path(
    operation_id = "stopPeek",
    delete, path = "/api/peeks/{peekId}", tag = "peeks",
    params(PeekPath),
    responses((status = 204), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn stop(ctx: Ctx, Valid(id): Valid<PeekId>) -> Result<StatusCode, ApiError> {
    peeks::stop(&ctx, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
