//! Rules and targets as routed replays and peeks need them: one thin method per call —
//! DescribeRule, PutRule (tagged with this instance), PutTargets, ListTargetsByRule,
//! RemoveTargets, DeleteRule, ListTagsForResource — and the lists the sweep reads. What
//! is made, checked and removed, and when, is the use-case's (`crate::routing`).

use super::{EventBridge, from_sdk};
use crate::aws::error::{AwsError, Kind, Service};
use aws_sdk_eventbridge::operation::describe_rule::DescribeRuleOutput;
use aws_sdk_eventbridge::types as aws;
use shared::routing::{INSTANCE_TAG, TEMPORARY_PREFIX, TemporaryRule};

impl EventBridge {
    /// DescribeRule, as the SDK answers it (`NotFound` when the rule does not exist).
    pub async fn describe_rule_raw(
        &self,
        bus: &str,
        name: &str,
    ) -> Result<DescribeRuleOutput, AwsError> {
        self.client
            .describe_rule()
            .name(name)
            .event_bus_name(bus)
            .send()
            .await
            .map_err(from_sdk)
    }

    /// PutRule: an enabled rule with this pattern and description, tagged with this
    /// instance (`rewind:instance`); returns its ARN.
    pub async fn put_tagged_rule(
        &self,
        bus: &str,
        name: &str,
        pattern: &str,
        description: &str,
    ) -> Result<String, AwsError> {
        let tag = aws::Tag::builder()
            .key(INSTANCE_TAG)
            .value(self.instance.as_ref())
            .build()
            .map_err(|e| {
                AwsError::new(Service::EventBridge, Kind::Invalid).with_message(e.to_string())
            })?;
        let out = self
            .client
            .put_rule()
            .name(name)
            .event_bus_name(bus)
            .event_pattern(pattern)
            .description(description)
            .state(aws::RuleState::Enabled)
            .tags(tag)
            .send()
            .await
            .map_err(from_sdk)?;
        super::mapping::required(out.rule_arn(), "RuleArn")
    }

    /// PutTargets; a target EventBridge refused is an error naming it.
    pub async fn put_targets(
        &self,
        bus: &str,
        rule: &str,
        targets: Vec<aws::Target>,
    ) -> Result<(), AwsError> {
        let put = self
            .client
            .put_targets()
            .rule(rule)
            .event_bus_name(bus)
            .set_targets(Some(targets))
            .send()
            .await
            .map_err(from_sdk)?;
        match put.failed_entries().first() {
            None => Ok(()),
            Some(failed) => Err(AwsError::new(
                Service::EventBridge,
                Kind::Other(failed.error_code().unwrap_or("FailedEntry").to_owned()),
            )
            .with_message(format!(
                "target {} of rule {rule}: {}",
                failed.target_id().unwrap_or_default(),
                failed.error_message().unwrap_or_default()
            ))),
        }
    }

    /// RemoveTargets.
    pub async fn remove_targets(
        &self,
        bus: &str,
        rule: &str,
        ids: Vec<String>,
    ) -> Result<(), AwsError> {
        self.client
            .remove_targets()
            .rule(rule)
            .event_bus_name(bus)
            .set_ids(Some(ids))
            .force(false)
            .send()
            .await
            .map_err(from_sdk)?;
        Ok(())
    }

    /// DeleteRule (`NotFound` when it is already gone).
    pub async fn delete_rule(&self, bus: &str, name: &str) -> Result<(), AwsError> {
        self.client
            .delete_rule()
            .name(name)
            .event_bus_name(bus)
            .send()
            .await
            .map_err(from_sdk)?;
        Ok(())
    }

    /// Whether rule `arn` carries this instance's tag (a rule of another Rewind stack,
    /// or a person's, does not).
    pub async fn is_this_instances(&self, arn: &str) -> Result<bool, AwsError> {
        let out = self
            .client
            .list_tags_for_resource()
            .resource_arn(arn)
            .send()
            .await
            .map_err(from_sdk)?;
        Ok(out
            .tags()
            .iter()
            .any(|t| t.key() == INSTANCE_TAG && t.value() == self.instance.as_ref()))
    }

    /// Rewind's temporary rules on `bus`: named as Rewind names them, described as it
    /// describes them (their tags are read where it matters: [`Self::is_this_instances`]).
    pub async fn temporary_rules(&self, bus: &str) -> Result<Vec<FoundRule>, AwsError> {
        crate::aws::all_pages(|token| async move {
            let out = self
                .client
                .list_rules()
                .event_bus_name(bus)
                .name_prefix(TEMPORARY_PREFIX)
                .set_next_token(token)
                .send()
                .await
                .map_err(from_sdk)?;
            let found = out
                .rules()
                .iter()
                .filter_map(|rule| {
                    Some(FoundRule {
                        name: rule
                            .name()
                            .filter(|n| TemporaryRule::is_rewind_name(n))?
                            .to_owned(),
                        arn: rule.arn()?.to_owned(),
                        rule: rule
                            .description()
                            .and_then(TemporaryRule::from_description)?,
                    })
                })
                .collect();
            Ok((found, out.next_token().map(str::to_owned)))
        })
        .await
    }

    /// Every event bus's name, all pages (for the sweep).
    pub async fn all_bus_names(&self) -> Result<Vec<String>, AwsError> {
        crate::aws::all_pages(|token| async move {
            let out = self
                .client
                .list_event_buses()
                .set_next_token(token)
                .send()
                .await
                .map_err(from_sdk)?;
            let names = out
                .event_buses()
                .iter()
                .filter_map(|b| b.name().map(str::to_owned))
                .collect();
            Ok((names, out.next_token().map(str::to_owned)))
        })
        .await
    }

    /// Every target of a rule as the SDK gives it (to copy one whole).
    pub async fn raw_targets(&self, bus: &str, rule: &str) -> Result<Vec<aws::Target>, AwsError> {
        crate::aws::all_pages(|token| async move {
            let out = self
                .client
                .list_targets_by_rule()
                .event_bus_name(bus)
                .rule(rule)
                .set_next_token(token)
                .send()
                .await
                .map_err(from_sdk)?;
            Ok((out.targets().to_vec(), out.next_token().map(str::to_owned)))
        })
        .await
    }
}

/// A temporary rule found on a bus.
#[derive(Debug, Clone)]
pub struct FoundRule {
    pub name: String,
    pub arn: String,
    pub rule: TemporaryRule,
}
