//! `/api/event-buses` and their rules: what the forms offer to pick from, and the
//! replay opt-out of one rule.

use super::params::{EventBusPath, RuleListParams, RulePath};
use crate::buses;
use crate::context::Ctx;
use crate::http::extract::{Answer, ApiQuery, Valid};
use axum::Json;
use shared::ErrorBody;
use shared::event_bus::Rule;
use shared::event_bus::{EventBusDetail, EventBusList, RuleList};
use shared::list::HelperListQuery;
use shared::validation::{EventBusName, RuleName};

#[utoipa::path(
    operation_id = "listEventBuses",
    get, path = "/api/event-buses", tag = "helpers",
    params(HelperListQuery),
    responses((status = 200, body = EventBusList), (status = 400, body = ErrorBody))
)]
pub async fn list(ctx: Ctx, ApiQuery(query): ApiQuery<HelperListQuery>) -> Answer<EventBusList> {
    let (prefix, page) = (query.name_prefix()?, query.page()?);
    Ok(Json(buses::list(&ctx, prefix, page).await?))
}

/// One bus: its key, which the archive pages and the create form compare an archive's with.
#[utoipa::path(
    operation_id = "describeEventBus",
    get, path = "/api/event-buses/{name}", tag = "helpers",
    params(EventBusPath),
    responses((status = 200, body = EventBusDetail), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn describe(ctx: Ctx, Valid(bus): Valid<EventBusName>) -> Answer<EventBusDetail> {
    Ok(Json(buses::describe(&ctx, &bus).await?))
}

#[utoipa::path(
    operation_id = "listRules",
    get, path = "/api/event-buses/{name}/rules", tag = "helpers",
    params(EventBusPath, RuleListParams),
    responses((status = 200, body = RuleList), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn rules(
    ctx: Ctx,
    Valid(bus): Valid<EventBusName>,
    ApiQuery(query): ApiQuery<HelperListQuery>,
) -> Answer<RuleList> {
    let (prefix, page) = (query.rule_name_prefix()?, query.page()?);
    Ok(Json(buses::rules(&ctx, &bus, prefix, page).await?))
}

/// Opts a rule out of replays: its pattern gains `"replay-name": [{"exists": false}]`,
/// nothing else changes. Idempotent.
#[utoipa::path(
    operation_id = "optRuleOutOfReplays",
    post, path = "/api/event-buses/{name}/rules/{rule}/replay-opt-out", tag = "helpers",
    params(EventBusPath, RulePath),
    responses((status = 200, body = Rule), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn opt_out_of_replays(
    ctx: Ctx,
    Valid((bus, rule)): Valid<(EventBusName, RuleName)>,
) -> Answer<Rule> {
    Ok(Json(buses::opt_out(&ctx, &bus, &rule).await?))
}
