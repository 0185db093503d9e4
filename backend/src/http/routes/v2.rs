//! `/api/v2`: the Custom Event Bus — its buses and subscribers, and v2 replays (the
//! use-cases are in `crate::v2`; a replay is a set of temporary subscribers).

use super::params::{EventBusPath, PageParams, V2ReplayListParams, V2ReplayPath};
use crate::context::Ctx;
use crate::error::ApiError;
use crate::http::extract::{Answer, ApiJson, ApiQuery, CachedReport, Created, Valid};
use crate::v2::{self, replays};
use axum::Json;
use serde::Deserialize;
use shared::ErrorBody;
use shared::list::present;
use shared::report::ReplayReport;
use shared::roles::Operation;
use shared::v2::{
    StartV2ReplayRequest, V2EventBusList, V2Replay, V2ReplayList, V2ReplayState, V2SubscriberList,
};
use shared::validation::{EventBusName, NextToken, ReplayName};

/// The query of a v2 list, as sent.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct V2ListQuery {
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    next_token: Option<String>,
}

impl V2ListQuery {
    fn token(&self) -> Result<Option<NextToken>, ApiError> {
        Ok(present(self.next_token.as_deref())
            .map(NextToken::parse)
            .transpose()?)
    }
}

#[utoipa::path(
    operation_id = "listV2EventBuses",
    get, path = "/api/v2/event-buses", tag = "v2",
    params(PageParams),
    responses((status = 200, body = V2EventBusList), (status = 400, body = ErrorBody))
)]
pub async fn buses(ctx: Ctx, ApiQuery(query): ApiQuery<V2ListQuery>) -> Answer<V2EventBusList> {
    Ok(Json(v2::buses(&ctx, query.token()?).await?))
}

#[utoipa::path(
    operation_id = "listV2Subscribers",
    get, path = "/api/v2/event-buses/{name}/subscribers", tag = "v2",
    params(EventBusPath, PageParams),
    responses((status = 200, body = V2SubscriberList), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn subscribers(
    ctx: Ctx,
    Valid(bus): Valid<EventBusName>,
    ApiQuery(query): ApiQuery<V2ListQuery>,
) -> Answer<V2SubscriberList> {
    Ok(Json(v2::subscribers(&ctx, &bus, query.token()?).await?))
}

#[utoipa::path(
    operation_id = "listV2Replays",
    get, path = "/api/v2/replays", tag = "v2",
    params(V2ReplayListParams),
    responses((status = 200, body = V2ReplayList), (status = 400, body = ErrorBody))
)]
pub async fn list(ctx: Ctx, ApiQuery(query): ApiQuery<V2ListQuery>) -> Answer<V2ReplayList> {
    let state = present(query.state.as_deref())
        .map(V2ReplayState::parse)
        .transpose()?;
    query.token()?;
    Ok(Json(replays::list(&ctx, state).await?))
}

/// Replay a window of a v2 bus's retained events to chosen subscribers: one temporary
/// point-in-time copy of each.
#[utoipa::path(
    operation_id = "startV2Replay",
    post, path = "/api/v2/replays", tag = "v2",
    request_body = StartV2ReplayRequest,
    responses(
        (status = 201, body = V2Replay, headers(("Location" = String, description = "/api/v2/replays/{replayName}"))),
        (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 413, body = ErrorBody),
    )
)]
pub async fn start(
    ctx: Ctx,
    ApiJson(body): ApiJson<StartV2ReplayRequest>,
) -> Result<Created<V2Replay>, ApiError> {
    let replay = body.validate()?;
    let location = super::location(Operation::DescribeV2Replay, &[replay.name.as_str()]);
    Ok(Created(location, replays::start(&ctx, replay).await?))
}

#[utoipa::path(
    operation_id = "describeV2Replay",
    get, path = "/api/v2/replays/{replayName}", tag = "v2",
    params(V2ReplayPath),
    responses((status = 200, body = V2Replay), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn describe(ctx: Ctx, Valid(name): Valid<ReplayName>) -> Answer<V2Replay> {
    Ok(Json(replays::describe(&ctx, &name).await?))
}

/// Pause: the temporary subscribers stop where they are.
#[utoipa::path(
    operation_id = "pauseV2Replay",
    post, path = "/api/v2/replays/{replayName}/pause", tag = "v2",
    params(V2ReplayPath),
    responses(
        (status = 200, body = V2Replay),
        (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
    )
)]
pub async fn pause(ctx: Ctx, Valid(name): Valid<ReplayName>) -> Answer<V2Replay> {
    Ok(Json(replays::pause(&ctx, &name).await?))
}

/// Resume: they go on from the last event they processed.
#[utoipa::path(
    operation_id = "resumeV2Replay",
    post, path = "/api/v2/replays/{replayName}/resume", tag = "v2",
    params(V2ReplayPath),
    responses(
        (status = 200, body = V2Replay),
        (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
    )
)]
pub async fn resume(ctx: Ctx, Valid(name): Valid<ReplayName>) -> Answer<V2Replay> {
    Ok(Json(replays::resume(&ctx, &name).await?))
}

/// Stop: the temporary subscribers are removed.
#[utoipa::path(
    operation_id = "stopV2Replay",
    post, path = "/api/v2/replays/{replayName}/stop", tag = "v2",
    params(V2ReplayPath),
    responses((status = 200, body = V2Replay), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn stop(ctx: Ctx, Valid(name): Valid<ReplayName>) -> Answer<V2Replay> {
    Ok(Json(replays::stop(&ctx, &name).await?))
}

/// Did the subscribers get it: `AWS/EventsV2` figures per temporary subscriber.
#[utoipa::path(
    operation_id = "v2ReplayReport",
    get, path = "/api/v2/replays/{replayName}/report", tag = "v2",
    params(V2ReplayPath),
    responses((status = 200, body = ReplayReport), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn report(ctx: Ctx, Valid(name): Valid<ReplayName>) -> Result<CachedReport, ApiError> {
    Ok(CachedReport(
        crate::reports::of_v2_replay(&ctx, &name).await?,
    ))
}
