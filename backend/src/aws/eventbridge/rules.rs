//! Rules and their targets: every rule and target of a bus (what the replay preview
//! classifies, `crate::replays::preview`), and the replay opt-out (the one rule change
//! Rewind makes to rules it does not own).

use super::{EventBridge, from_sdk, mapping};
use crate::error::ApiError;
use shared::ErrorCode;
use shared::Field;
use shared::event_bus::Rule;
use shared::preview::PreviewTarget;
use shared::validation::{EventBusName, EventPattern, RuleName};

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

    /// Adds `"replay-name": [{"exists": false}]` to a rule's pattern: DescribeRule, the
    /// one key added, PutRule with every other field as read. Idempotent: a rule that
    /// already refuses replays is not written.
    pub async fn opt_rule_out_of_replays(
        &self,
        bus: &EventBusName,
        name: &RuleName,
    ) -> Result<Rule, ApiError> {
        self.check_bus_write(bus.as_str(), Field::Name)?;
        let rule = self.describe_rule(bus, name).await?;
        if let Some(manager) = mapping::non_empty(rule.managed_by()) {
            return Err(ApiError::new(
                ErrorCode::Forbidden,
                format!("Rule {name} is managed by {manager}; only that service may change it."),
            )
            .with_field(Field::Rule));
        }
        let Some(text) = mapping::non_empty(rule.event_pattern()) else {
            return Err(ApiError::from(shared::FieldError::new(
                Field::Rule,
                format!(
                    "Rule {name} runs on a schedule and has no event pattern: replayed events never reach it."
                ),
            )));
        };
        let rewritten = EventPattern::parse(&text)
            .and_then(|pattern| pattern.with_replay_opt_out())
            .map_err(|e| ApiError::from(e.at(Field::Rule)))?;
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
                        .with_field(Field::Rule)
                } else {
                    error
                }
            })
    }
}
