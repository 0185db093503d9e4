//! Rules and their targets: every rule and target of a bus (what the replay preview
//! classifies), and the one write Rewind makes to rules it does not own — PutRule of a
//! rule exactly as read, but for its pattern (the replay opt-out; its checks are the
//! use-case's, `crate::buses`).

use super::{EventBridge, from_sdk, mapping};
use crate::aws::error::AwsError;
use aws_sdk_eventbridge::operation::describe_rule::DescribeRuleOutput;
use shared::event_bus::Rule;
use shared::preview::PreviewTarget;

impl EventBridge {
    /// Every rule of `bus` (a name or an ARN), all pages.
    pub async fn all_rules(&self, bus: &str) -> Result<Vec<Rule>, AwsError> {
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
    pub async fn all_targets(&self, bus: &str, rule: &str) -> Result<Vec<PreviewTarget>, AwsError> {
        let targets = self.raw_targets(bus, rule).await?;
        Ok(targets.iter().map(mapping::preview_target).collect())
    }

    /// PutRule of `rule` (as DescribeRule read it) with `pattern` instead of its own:
    /// every other field — schedule, state, description, role — is sent back as read.
    /// Answers the rule as it now is.
    pub async fn rewrite_pattern(
        &self,
        bus: &str,
        rule: &DescribeRuleOutput,
        pattern: String,
    ) -> Result<Rule, AwsError> {
        let name = mapping::required(rule.name(), "Name")?;
        self.client
            .put_rule()
            .name(&name)
            .event_bus_name(bus)
            .event_pattern(pattern)
            .set_schedule_expression(mapping::non_empty(rule.schedule_expression()))
            .set_state(rule.state().cloned())
            .set_description(rule.description().map(str::to_owned))
            .set_role_arn(mapping::non_empty(rule.role_arn()))
            .send()
            .await
            .map_err(from_sdk)?;
        mapping::described_rule(&self.describe_rule_raw(bus, &name).await?)
    }
}

/// A rule as the API shows it, from what DescribeRule read.
pub fn rule_of(rule: &DescribeRuleOutput) -> Result<Rule, AwsError> {
    mapping::described_rule(rule)
}
