//! `/api/replays`: list, start, preview, describe, cancel.

use super::params::ReplayPath;
use crate::caller::Caller;
use crate::error::ApiError;
use crate::http::extract::{ApiJson, ApiPath, ApiQuery, Scoped};
use crate::state::AppState;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::{Extension, Json};
use shared::ErrorBody;
use shared::list::ListQuery;
use shared::preview::ReplayPreview;
use shared::replay::{
    CancelReplayResponse, Replay, ReplayList, ReplayState, StartReplayRequest, StartReplayResponse,
};
use shared::report::ReplayReport;
use shared::validation::{ArchiveArn, Description, ReplayName};

#[utoipa::path(
    operation_id = "listReplays",
    get, path = "/api/replays", tag = "replays",
    params(ListQuery),
    responses((status = 200, body = ReplayList), (status = 400, body = ErrorBody))
)]
pub async fn list(
    State(state): State<AppState>,
    Scoped(eventbridge): Scoped,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<ReplayList>, ApiError> {
    let request = query.parse(ArchiveArn::parse, ReplayState::parse)?;
    let mut list = eventbridge.list_replays(request).await?;
    crate::jobs::mark_slices(&state.jobs, &mut list.replays).await;
    Ok(Json(list))
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
    State(state): State<AppState>,
    Scoped(eventbridge): Scoped,
    caller: Option<Extension<Caller>>,
    ApiJson(body): ApiJson<StartReplayRequest>,
) -> Result<(StatusCode, HeaderMap, Json<StartReplayResponse>), ApiError> {
    let mut replay = body.validate()?;
    replay.window.check_max_hours(state.max_replay_hours)?;
    super::forwarding_allowed(
        caller.as_ref().map(|Extension(c)| c),
        replay.routing.as_ref(),
    )?;
    // The trail in AWS too: who started it, when they did not say why.
    if replay.description.is_none()
        && let Some(Extension(caller)) = caller
    {
        replay.description =
            Description::parse(&format!("Started by {} via Rewind", caller.name())).ok();
    }
    let location = format!("/api/replays/{}", replay.name);
    crate::jobs::slots::Slots::of(&state)
        .check(&eventbridge, replay.destination.as_str())
        .await?;
    let started = crate::replays::start(&eventbridge, replay, &state.allowed_target_arns).await?;
    let mut headers = HeaderMap::new();
    if let Ok(value) = HeaderValue::from_str(&location) {
        headers.insert(header::LOCATION, value);
    }
    Ok((StatusCode::CREATED, headers, Json(started)))
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
    State(state): State<AppState>,
    Scoped(eventbridge): Scoped,
    caller: Option<Extension<Caller>>,
    ApiJson(body): ApiJson<StartReplayRequest>,
) -> Result<Json<ReplayPreview>, ApiError> {
    let replay = body.validate()?;
    replay.window.check_max_hours(state.max_replay_hours)?;
    super::forwarding_allowed(
        caller.as_ref().map(|Extension(c)| c),
        replay.routing.as_ref(),
    )?;
    Ok(Json(
        crate::replays::preview(&eventbridge, &replay, &state.allowed_target_arns).await?,
    ))
}

/// `GET /api/replays/preview` is the replay named `preview`, which the static preview
/// path would otherwise hide.
#[utoipa::path(
    operation_id = "describeReplayNamedPreview",
    get, path = "/api/replays/preview", tag = "replays",
    responses((status = 200, body = Replay), (status = 404, body = ErrorBody))
)]
pub async fn describe_the_one_named_preview(
    state: State<AppState>,
    scoped: Scoped,
) -> Result<Json<Replay>, ApiError> {
    describe(state, scoped, ApiPath("preview".to_owned())).await
}

#[utoipa::path(
    operation_id = "describeReplay",
    get, path = "/api/replays/{name}", tag = "replays",
    params(ReplayPath),
    responses(
        (status = 200, body = Replay),
        (status = 400, body = ErrorBody), (status = 404, body = ErrorBody),
        )
)]
pub async fn describe(
    State(state): State<AppState>,
    Scoped(eventbridge): Scoped,
    ApiPath(name): ApiPath<String>,
) -> Result<Json<Replay>, ApiError> {
    let name = ReplayName::parse(&name)?;
    let mut replay = crate::replays::describe_and_tidy(&eventbridge, &name).await?;
    crate::jobs::mark_slices(&state.jobs, std::slice::from_mut(&mut replay.summary)).await;
    Ok(Json(replay))
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
pub async fn cancel(
    Scoped(eventbridge): Scoped,
    ApiPath(name): ApiPath<String>,
) -> Result<Json<CancelReplayResponse>, ApiError> {
    let name = ReplayName::parse(&name)?;
    Ok(Json(
        crate::replays::cancel_and_tidy(&eventbridge, &name).await?,
    ))
}

/// Did the targets get it: `AWS/Events` figures per rule and, where the bus logs its
/// deliveries, per target (see `crate::reports`).
#[utoipa::path(
    operation_id = "replayReport",
    get, path = "/api/replays/{name}/report", tag = "replays",
    params(ReplayPath),
    responses(
        (status = 200, body = ReplayReport),
        (status = 400, body = ErrorBody), (status = 404, body = ErrorBody),
    )
)]
pub async fn report(
    State(state): State<AppState>,
    Scoped(eventbridge): Scoped,
    ApiPath(name): ApiPath<String>,
) -> Result<Json<ReplayReport>, ApiError> {
    let name = ReplayName::parse(&name)?;
    let sources = crate::reports::Sources::of(&state);
    Ok(Json(
        crate::reports::of_replay(&eventbridge, &sources, &name).await?,
    ))
}
