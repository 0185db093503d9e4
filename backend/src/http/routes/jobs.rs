//! `/api/replay-jobs`: create, list, describe, pause, resume, cancel (the use-cases are
//! in `crate::jobs`; Step Functions carries the jobs out).

use super::params::{JobListParams, JobPath};
use crate::caller::Caller;
use crate::error::ApiError;
use crate::http::extract::{ApiJson, ApiPath, ApiQuery, Scoped};
use crate::jobs::{self, slots::Slots};
use crate::state::AppState;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::{Extension, Json};
use serde::Deserialize;
use shared::ErrorBody;
use shared::job::{JobState, ReplayJob, ReplayJobList, StartReplayJobRequest};
use shared::list::present;
use shared::report::ReplayReport;
use shared::validation::{JobName, NextToken};

/// The query of `GET /api/replay-jobs`, as sent.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct JobListQuery {
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    next_token: Option<String>,
}

fn caller_name(caller: Option<&Extension<Caller>>) -> String {
    caller.map_or_else(
        || "local user".to_owned(),
        |Extension(c)| c.name().to_owned(),
    )
}

#[utoipa::path(
    operation_id = "listReplayJobs",
    get, path = "/api/replay-jobs", tag = "replay-jobs",
    params(JobListParams),
    responses((status = 200, body = ReplayJobList), (status = 400, body = ErrorBody))
)]
pub async fn list(
    State(state): State<AppState>,
    Scoped(eventbridge): Scoped,
    ApiQuery(query): ApiQuery<JobListQuery>,
) -> Result<Json<ReplayJobList>, ApiError> {
    let wanted = present(query.state.as_deref())
        .map(JobState::parse)
        .transpose()?;
    let token = present(query.next_token.as_deref())
        .map(NextToken::parse)
        .transpose()?
        .map(|t| t.into_inner());
    Ok(Json(
        jobs::list(&state.jobs, &eventbridge, wanted, token).await?,
    ))
}

/// Create a job: validated by `shared` as a replay with pacing, then checked against the
/// archive, the names it will use and the team's slots; its first run is started.
#[utoipa::path(
    operation_id = "startReplayJob",
    post, path = "/api/replay-jobs", tag = "replay-jobs",
    request_body = StartReplayJobRequest,
    responses(
        (status = 201, body = ReplayJob, headers(("Location" = String, description = "/api/replay-jobs/{jobName}"))),
        (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 413, body = ErrorBody),
    )
)]
pub async fn start(
    State(state): State<AppState>,
    Scoped(eventbridge): Scoped,
    caller: Option<Extension<Caller>>,
    ApiJson(body): ApiJson<StartReplayJobRequest>,
) -> Result<(StatusCode, HeaderMap, Json<ReplayJob>), ApiError> {
    let job = body.validate()?;
    job.replay.window.check_max_hours(state.max_replay_hours)?;
    let location = format!("/api/replay-jobs/{}", job.name);
    super::forwarding_allowed(
        caller.as_ref().map(|Extension(c)| c),
        job.replay.routing.as_ref(),
    )?;
    let by = caller_name(caller.as_ref());
    let created = jobs::create(
        &state.jobs,
        &eventbridge,
        &Slots::of(&state),
        (&by, &state.allowed_target_arns),
        job,
    )
    .await?;
    let mut headers = HeaderMap::new();
    if let Ok(value) = HeaderValue::from_str(&location) {
        headers.insert(header::LOCATION, value);
    }
    Ok((StatusCode::CREATED, headers, Json(created)))
}

#[utoipa::path(
    operation_id = "describeReplayJob",
    get, path = "/api/replay-jobs/{jobName}", tag = "replay-jobs",
    params(JobPath),
    responses((status = 200, body = ReplayJob), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn describe(
    State(state): State<AppState>,
    Scoped(eventbridge): Scoped,
    ApiPath(name): ApiPath<String>,
) -> Result<Json<ReplayJob>, ApiError> {
    let name = JobName::parse(&name)?;
    Ok(Json(
        jobs::describe(&state.jobs, &eventbridge, &name).await?,
    ))
}

/// Pause: the running slice finishes and no other starts.
#[utoipa::path(
    operation_id = "pauseReplayJob",
    post, path = "/api/replay-jobs/{jobName}/pause", tag = "replay-jobs",
    params(JobPath),
    responses(
        (status = 200, body = ReplayJob),
        (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
    )
)]
pub async fn pause(
    State(state): State<AppState>,
    Scoped(eventbridge): Scoped,
    caller: Option<Extension<Caller>>,
    ApiPath(name): ApiPath<String>,
) -> Result<Json<ReplayJob>, ApiError> {
    let name = JobName::parse(&name)?;
    let by = caller_name(caller.as_ref());
    Ok(Json(
        jobs::pause(&state.jobs, &eventbridge, &name, &by).await?,
    ))
}

/// Resume: the job goes on with the next slice (over the team's slots: 409).
#[utoipa::path(
    operation_id = "resumeReplayJob",
    post, path = "/api/replay-jobs/{jobName}/resume", tag = "replay-jobs",
    params(JobPath),
    responses(
        (status = 200, body = ReplayJob),
        (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
    )
)]
pub async fn resume(
    State(state): State<AppState>,
    Scoped(eventbridge): Scoped,
    ApiPath(name): ApiPath<String>,
) -> Result<Json<ReplayJob>, ApiError> {
    let name = JobName::parse(&name)?;
    Ok(Json(
        jobs::resume(&state.jobs, &eventbridge, &Slots::of(&state), &name).await?,
    ))
}

/// Cancel: the running slice is cancelled and no other starts.
#[utoipa::path(
    operation_id = "cancelReplayJob",
    post, path = "/api/replay-jobs/{jobName}/cancel", tag = "replay-jobs",
    params(JobPath),
    responses(
        (status = 200, body = ReplayJob),
        (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
    )
)]
pub async fn cancel(
    State(state): State<AppState>,
    Scoped(eventbridge): Scoped,
    caller: Option<Extension<Caller>>,
    ApiPath(name): ApiPath<String>,
) -> Result<Json<ReplayJob>, ApiError> {
    let name = JobName::parse(&name)?;
    let by = caller_name(caller.as_ref());
    Ok(Json(
        jobs::cancel(&state.jobs, &eventbridge, &name, &by).await?,
    ))
}

/// Every slice's report together (see `crate::reports`).
#[utoipa::path(
    operation_id = "replayJobReport",
    get, path = "/api/replay-jobs/{jobName}/report", tag = "replay-jobs",
    params(JobPath),
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
    let name = JobName::parse(&name)?;
    let sources = crate::reports::Sources::of(&state);
    Ok(Json(
        crate::reports::of_job(&state.jobs, &eventbridge, &sources, &name).await?,
    ))
}
