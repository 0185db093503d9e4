//! `/api/replays`: list, start, preview, describe, cancel, report.

use super::params::ReplayPath;
use crate::context::Ctx;
use crate::error::ApiError;
use crate::http::extract::{Answer, ApiJson, ApiQuery, CachedReport, Created, Valid};
use crate::replays;
use axum::Json;
use shared::ErrorBody;
use shared::list::ListQuery;
use shared::preview::ReplayPreview;
use shared::replay::{
    CancelReplayResponse, Replay, ReplayList, ReplayState, StartReplayRequest, StartReplayResponse,
};
use shared::report::ReplayReport;
use shared::roles::Operation;
use shared::validation::{ArchiveArn, ReplayName};

#[utoipa::path(
    operation_id = "listReplays",
    get, path = "/api/replays", tag = "replays",
    params(ListQuery),
    responses((status = 200, body = ReplayList), (status = 400, body = ErrorBody))
)]
pub async fn list(ctx: Ctx, ApiQuery(query): ApiQuery<ListQuery>) -> Answer<ReplayList> {
    let request = query.parse(ArchiveArn::parse, ReplayState::parse)?;
    Ok(Json(replays::list(&ctx, request).await?))
}

/// Start replay: validated by `shared`, then the destination is checked against the
/// archive's bus before EventBridge's StartReplay is called.
#[utoipa::path(
    operation_id = "startReplay",
    post, path = "/api/replays", tag = "replays",
    request_body = StartReplayRequest,
    responses(
        (status = 201, body = StartReplayResponse, headers(("Location" = String, description = "/api/replays/{name}"))),
        (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 413, body = ErrorBody),
    )
)]
pub async fn start(
    ctx: Ctx,
    ApiJson(body): ApiJson<StartReplayRequest>,
) -> Result<Created<StartReplayResponse>, ApiError> {
    let replay = body.validate()?;
    let location = super::location(Operation::DescribeReplay, &[replay.name.as_str()]);
    Ok(Created(location, replays::start(&ctx, replay).await?))
}

/// Who a replay would reach: the same body and checks as a start; nothing is changed.
#[utoipa::path(
    operation_id = "previewReplay",
    post, path = "/api/replays/preview", tag = "replays",
    request_body = StartReplayRequest,
    responses(
        (status = 200, body = ReplayPreview),
        (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 413, body = ErrorBody),
    )
)]
pub async fn preview(
    ctx: Ctx,
    ApiJson(body): ApiJson<StartReplayRequest>,
) -> Answer<ReplayPreview> {
    Ok(Json(replays::preview(&ctx, &body.validate()?).await?))
}

/// `GET /api/replays/preview` is the replay named `preview`, which the static preview
/// path would otherwise hide.
#[utoipa::path(
    operation_id = "describeReplayNamedPreview",
    get, path = "/api/replays/preview", tag = "replays",
    responses((status = 200, body = Replay), (status = 404, body = ErrorBody))
)]
pub async fn describe_the_one_named_preview(ctx: Ctx) -> Answer<Replay> {
    let name = ReplayName::parse("preview")?;
    Ok(Json(replays::describe(&ctx, &name).await?))
}

#[utoipa::path(
    operation_id = "describeReplay",
    get, path = "/api/replays/{name}", tag = "replays",
    params(ReplayPath),
    responses((status = 200, body = Replay), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn describe(ctx: Ctx, Valid(name): Valid<ReplayName>) -> Answer<Replay> {
    Ok(Json(replays::describe(&ctx, &name).await?))
}

#[utoipa::path(
    operation_id = "cancelReplay",
    post, path = "/api/replays/{name}/cancel", tag = "replays",
    params(ReplayPath),
    responses(
        (status = 200, body = CancelReplayResponse),
        (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
    )
)]
pub async fn cancel(ctx: Ctx, Valid(name): Valid<ReplayName>) -> Answer<CancelReplayResponse> {
    Ok(Json(replays::cancel(&ctx, &name).await?))
}

/// Did the targets get it: `AWS/Events` figures per rule and, where the bus logs its
/// deliveries, per target (see `crate::reports`).
#[utoipa::path(
    operation_id = "replayReport",
    get, path = "/api/replays/{name}/report", tag = "replays",
    params(ReplayPath),
    responses((status = 200, body = ReplayReport), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn report(ctx: Ctx, Valid(name): Valid<ReplayName>) -> Result<CachedReport, ApiError> {
    Ok(CachedReport(crate::reports::of_replay(&ctx, &name).await?))
}
