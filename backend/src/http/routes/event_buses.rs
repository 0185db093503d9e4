//! `/api/event-buses` and their rules: what the forms offer to pick from, and the
//! replay opt-out of one rule.

use super::params::{EventBusPath, RuleListParams, RulePath};
use crate::error::ApiError;
use crate::http::extract::{ApiPath, ApiQuery, Scoped};
use axum::Json;
use shared::ErrorBody;
use shared::event_bus::Rule;
use shared::event_bus::{EventBusList, RuleList};
use shared::list::HelperListQuery;
use shared::validation::{EventBusName, RuleName};

#[utoipa::path(
    operation_id = "listEventBuses",
    get, path = "/api/event-buses", tag = "helpers",
    params(HelperListQuery),
    responses((status = 200, body = EventBusList), (status = 400, body = ErrorBody))
)]
pub async fn list(
    Scoped(eventbridge): Scoped,
    ApiQuery(query): ApiQuery<HelperListQuery>,
) -> Result<Json<EventBusList>, ApiError> {
    let prefix = query.name_prefix()?;
    let page = query.page()?;
    Ok(Json(eventbridge.list_event_buses(prefix, page).await?))
}

#[utoipa::path(
    operation_id = "listRules",
    get, path = "/api/event-buses/{name}/rules", tag = "helpers",
    params(EventBusPath, RuleListParams),
    responses(
        (status = 200, body = RuleList),
        (status = 400, body = ErrorBody), (status = 404, body = ErrorBody),
        )
)]
pub async fn rules(
    Scoped(eventbridge): Scoped,
    ApiPath(name): ApiPath<String>,
    ApiQuery(query): ApiQuery<HelperListQuery>,
) -> Result<Json<RuleList>, ApiError> {
    let bus = EventBusName::parse(&name)?;
    let name_prefix = query.rule_name_prefix()?;
    let page = query.page()?;
    Ok(Json(eventbridge.list_rules(&bus, name_prefix, page).await?))
}

/// Opts a rule out of replays: its pattern gains `"replay-name": [{"exists": false}]`,
/// nothing else changes. Idempotent.
#[utoipa::path(
    operation_id = "optRuleOutOfReplays",
    post, path = "/api/event-buses/{name}/rules/{rule}/replay-opt-out", tag = "helpers",
    params(EventBusPath, RulePath),
    responses(
        (status = 200, body = Rule),
        (status = 400, body = ErrorBody), (status = 404, body = ErrorBody),
    )
)]
pub async fn opt_out_of_replays(
    Scoped(eventbridge): Scoped,
    ApiPath((bus, rule)): ApiPath<(String, String)>,
) -> Result<Json<Rule>, ApiError> {
    let bus = EventBusName::parse(&bus)?;
    let rule = RuleName::parse(&rule)?;
    Ok(Json(
        eventbridge.opt_rule_out_of_replays(&bus, &rule).await?,
    ))
}
