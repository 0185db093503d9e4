//! Event buses and their rules, as the forms pick from them; the replay opt-out of one
//! rule (the one change Rewind makes to a rule it does not own); the pattern test.

use crate::context::Ctx;
use crate::error::ApiError;
use shared::event_bus::{EventBusDetail, EventBusList, Rule, RuleList};
use shared::event_pattern::PatternTest;
use shared::list::Page;
use shared::validation::{EventBusName, EventPattern, NamePrefix, RuleName};
use shared::{ErrorCode, Field, FieldError};

pub async fn list(
    ctx: &Ctx,
    name_prefix: Option<EventBusName>,
    page: Page,
) -> Result<EventBusList, ApiError> {
    ctx.visible().list_event_buses(name_prefix, page).await
}

/// One bus of the caller's teams, with its KMS key.
pub async fn describe(ctx: &Ctx, bus: &EventBusName) -> Result<EventBusDetail, ApiError> {
    ctx.visible().check_bus_read(bus)?;
    Ok(ctx.eventbridge().describe_event_bus(bus).await?)
}

pub async fn rules(
    ctx: &Ctx,
    bus: &EventBusName,
    name_prefix: Option<NamePrefix>,
    page: Page,
) -> Result<RuleList, ApiError> {
    ctx.visible().check_bus_read(bus)?;
    Ok(ctx.eventbridge().list_rules(bus, name_prefix, page).await?)
}

/// Adds `"replay-name": [{"exists": false}]` to a rule's pattern: the rule read, the one
/// key added, written back with every other field as read. Idempotent: a rule that
/// already refuses replays is not written. Refused: a rule a service manages, a rule with
/// no pattern (scheduled), a rule whose role the deployment may not pass again.
pub async fn opt_out(ctx: &Ctx, bus: &EventBusName, name: &RuleName) -> Result<Rule, ApiError> {
    ctx.visible().check_bus_write(bus.as_str(), Field::Name)?;
    let rule = ctx
        .eventbridge()
        .describe_rule_raw(bus.as_str(), name.as_str())
        .await
        .map_err(|e| {
            if e.is_not_found() {
                ApiError::not_found(format!("Event bus {bus} has no rule {name}."))
                    .with_field(Field::Rule)
            } else {
                e.into()
            }
        })?;
    if let Some(manager) = rule.managed_by().filter(|m| !m.is_empty()) {
        return Err(ApiError::new(
            ErrorCode::Forbidden,
            format!("Rule {name} is managed by {manager}; only that service may change it."),
        )
        .with_field(Field::Rule));
    }
    let Some(text) = rule.event_pattern().filter(|p| !p.is_empty()) else {
        return Err(FieldError::new(
            Field::Rule,
            format!(
                "Rule {name} runs on a schedule and has no event pattern: replayed events never reach it."
            ),
        )
        .into());
    };
    let rewritten = EventPattern::parse(text)
        .and_then(|pattern| pattern.with_replay_opt_out())
        .map_err(|e| e.at(Field::Rule))?;
    let Some(pattern) = rewritten else {
        return Ok(crate::aws::eventbridge::rule_of(&rule)?);
    };
    // PutRule passes the rule's own role again.
    ctx.limits
        .routing
        .check_target_role(rule.role_arn(), &format!("Rule {name}"), Field::Rule)?;
    Ok(ctx
        .eventbridge()
        .rewrite_pattern(bus.as_str(), &rule, pattern.into_inner())
        .await?)
}

pub async fn test_pattern(ctx: &Ctx, test: PatternTest) -> Result<bool, ApiError> {
    Ok(ctx.eventbridge().test_event_pattern(test).await?)
}
