//! `/api/replay-jobs`: create, list, describe, pause, resume, cancel, report (the
//! use-cases are in `crate::jobs`; Step Functions carries the jobs out).

use super::params::{JobListParams, JobPath};
use crate::context::Ctx;
use crate::error::ApiError;
use crate::http::extract::{Answer, ApiJson, ApiQuery, CachedReport, Created, Valid};
use crate::jobs;
use axum::Json;
use serde::Deserialize;
use shared::ErrorBody;
use shared::job::{JobState, ReplayJob, ReplayJobList, StartReplayJobRequest};
use shared::list::present;
use shared::report::ReplayReport;
use shared::roles::Operation;
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

#[utoipa::path(
    operation_id = "listReplayJobs",
    get, path = "/api/replay-jobs", tag = "replay-jobs",
    params(JobListParams),
    responses((status = 200, body = ReplayJobList), (status = 400, body = ErrorBody))
)]
pub async fn list(ctx: Ctx, ApiQuery(query): ApiQuery<JobListQuery>) -> Answer<ReplayJobList> {
    let wanted = present(query.state.as_deref())
        .map(JobState::parse)
        .transpose()?;
    let token = present(query.next_token.as_deref())
        .map(NextToken::parse)
        .transpose()?;
    Ok(Json(jobs::list(&ctx, wanted, token).await?))
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
    ctx: Ctx,
    ApiJson(body): ApiJson<StartReplayJobRequest>,
) -> Result<Created<ReplayJob>, ApiError> {
    let job = body.validate()?;
    let location = super::location(Operation::DescribeReplayJob, &[job.name.as_str()]);
    Ok(Created(location, jobs::create(&ctx, job).await?))
}

#[utoipa::path(
    operation_id = "describeReplayJob",
    get, path = "/api/replay-jobs/{jobName}", tag = "replay-jobs",
    params(JobPath),
    responses((status = 200, body = ReplayJob), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn describe(ctx: Ctx, Valid(name): Valid<JobName>) -> Answer<ReplayJob> {
    Ok(Json(jobs::describe(&ctx, &name).await?))
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
pub async fn pause(ctx: Ctx, Valid(name): Valid<JobName>) -> Answer<ReplayJob> {
    Ok(Json(jobs::pause(&ctx, &name).await?))
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
pub async fn resume(ctx: Ctx, Valid(name): Valid<JobName>) -> Answer<ReplayJob> {
    Ok(Json(jobs::resume(&ctx, &name).await?))
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
pub async fn cancel(ctx: Ctx, Valid(name): Valid<JobName>) -> Answer<ReplayJob> {
    Ok(Json(jobs::cancel(&ctx, &name).await?))
}

/// Every slice's report together (see `crate::reports`).
#[utoipa::path(
    operation_id = "replayJobReport",
    get, path = "/api/replay-jobs/{jobName}/report", tag = "replay-jobs",
    params(JobPath),
    responses((status = 200, body = ReplayReport), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn report(ctx: Ctx, Valid(name): Valid<JobName>) -> Result<CachedReport, ApiError> {
    Ok(CachedReport(crate::reports::of_job(&ctx, &name).await?))
}
