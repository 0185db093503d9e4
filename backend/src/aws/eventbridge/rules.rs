//! Rules and their targets: the replay preview (who would receive a replay) and the
//! replay opt-out (the one rule change Rewind makes to rules it does not own).

use super::{EventBridge, from_sdk, mapping};
use crate::error::ApiError;
use futures_util::{StreamExt, TryStreamExt, stream};
use shared::ErrorCode;
use shared::event_bus::Rule;
use shared::preview::{PreviewInput, PreviewTarget, ReplayPreview};
use shared::replay::NewReplay;
use shared::validation::{EventBusArn, EventBusName, EventPattern, RuleName};

/// ListTargetsByRule calls in flight at once for one preview: a bus of 300 rules is read
/// in a few seconds without meeting EventBridge's control-plane throttling.
const TARGET_READS_IN_FLIGHT: usize = 8;

impl EventBridge {
    /// Every rule of `bus` (a name or an ARN), all pages.
    pub async fn all_rules(&self, bus: &str) -> Result<Vec<Rule>, ApiError> {
        crate::aws::all_pages(|token| async move {
            let out = self
                .client
                .list_rules()
                .event_bus_name(bus)
                .set_next_token(token)
                .send()
                .await
                .map_err(from_sdk)?;
            let rules = out
                .rules()
                .iter()
                .map(mapping::rule)
                .collect::<Result<_, _>>()?;
            Ok((rules, out.next_token().map(str::to_owned)))
        })
        .await
    }

    /// Every target of one rule, all pages.
    pub async fn all_targets(&self, bus: &str, rule: &str) -> Result<Vec<PreviewTarget>, ApiError> {
        let targets = self.raw_targets(bus, rule).await?;
        Ok(targets.iter().map(mapping::preview_target).collect())
    }

    /// Who a replay would reach: every rule of the archive's bus with every target,
    /// classified by `shared::preview`. Validated like a start; changes nothing.
    pub async fn preview_replay(&self, replay: &NewReplay) -> Result<ReplayPreview, ApiError> {
        let archive = self.archive_of(replay).await?;
        let bus_arn = EventBusArn::parse(&archive.summary.event_source_arn).map_err(|e| {
            ApiError::upstream(format!("The archive's event source is odd: {}", e.message))
        })?;
        let bus = bus_arn.bus_name();
        let rules = self.all_rules(bus).await?;
        let rules = stream::iter(rules)
            .map(|rule| async move {
                let targets = self.all_targets(bus, &rule.name).await?;
                Ok::<_, ApiError>((rule, targets))
            })
            .buffered(TARGET_READS_IN_FLIGHT)
            .try_collect()
            .await?;
        // A routed replay reaches only its temporary rules: every rule of the bus is
        // then left out by filterArns.
        let routes = self.plan_routes(replay, &bus_arn).await?;
        let routed = Self::routes_for_preview(&routes, &bus_arn);
        let routed_arns: Vec<&str> = routed.iter().map(|r| r.arn.as_str()).collect();
        let filter_arns: Vec<&str> = if routed.is_empty() {
            replay.filter_rules.iter().map(|r| r.as_str()).collect()
        } else {
            routed_arns
        };
        Ok(ReplayPreview::assemble(
            archive.archive_arn,
            bus_arn.as_str().to_owned(),
            (replay.window.start(), replay.window.end()),
            PreviewInput {
                replay_name: replay.name.as_str(),
                filter_arns: &filter_arns,
                rules,
                routed: routed.clone(),
            },
        ))
    }

    /// Adds `"replay-name": [{"exists": false}]` to a rule's pattern: DescribeRule, the
    /// one key added, PutRule with every other field as read. Idempotent: a rule that
    /// already refuses replays is not written.
    pub async fn opt_rule_out_of_replays(
        &self,
        bus: &EventBusName,
        name: &RuleName,
    ) -> Result<Rule, ApiError> {
        self.check_bus_write(bus.as_str(), "name")?;
        let rule = self.describe_rule(bus, name).await?;
        if let Some(manager) = mapping::non_empty(rule.managed_by()) {
            return Err(ApiError::new(
                ErrorCode::Forbidden,
                format!("Rule {name} is managed by {manager}; only that service may change it."),
            )
            .with_field("rule"));
        }
        let Some(text) = mapping::non_empty(rule.event_pattern()) else {
            return Err(ApiError::from(shared::FieldError::new(
                "rule",
                format!(
                    "Rule {name} runs on a schedule and has no event pattern: replayed events never reach it."
                ),
            )));
        };
        let rewritten = EventPattern::parse(&text)
            .and_then(|pattern| pattern.with_replay_opt_out())
            .map_err(|e| ApiError::from(e.at("rule")))?;
        let Some(pattern) = rewritten else {
            return mapping::described_rule(&rule);
        };
        self.client
            .put_rule()
            .name(name.as_str())
            .event_bus_name(bus.as_str())
            .event_pattern(pattern.into_inner())
            .set_schedule_expression(mapping::non_empty(rule.schedule_expression()))
            .set_state(rule.state().cloned())
            .set_description(rule.description().map(str::to_owned))
            .set_role_arn(mapping::non_empty(rule.role_arn()))
            .send()
            .await
            .map_err(from_sdk)?;
        mapping::described_rule(&self.describe_rule(bus, name).await?)
    }

    async fn describe_rule(
        &self,
        bus: &EventBusName,
        name: &RuleName,
    ) -> Result<aws_sdk_eventbridge::operation::describe_rule::DescribeRuleOutput, ApiError> {
        self.client
            .describe_rule()
            .name(name.as_str())
            .event_bus_name(bus.as_str())
            .send()
            .await
            .map_err(|e| {
                let error = from_sdk(e);
                if error.code == ErrorCode::NotFound {
                    ApiError::not_found(format!("Event bus {bus} has no rule {name}."))
                        .with_field("rule")
                } else {
                    error
                }
            })
    }
}
