//! The replay preview (`POST /api/replays/preview`): which rules of the archive's bus a
//! replay would reach, with their targets, before it starts — and why each other rule
//! would not.

use crate::event_bus::{Rule, RuleState};
use crate::validation::EventPattern;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// Why a rule would or would not receive the replay's events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Delivery {
    /// Enabled and not excluded: replayed events that match its pattern reach its targets.
    Receives,
    /// Its pattern refuses this replay's events (`"replay-name": [{"exists": false}]`).
    OptedOut,
    /// Managed by EventBridge for an archive.
    ArchiveRule,
    Disabled,
    /// Left out by `destination.filterArns`.
    NotSelected,
    /// A schedule, not an event pattern: it never matches an event, replayed or not.
    Scheduled,
    /// A temporary rule Rewind creates for `routing`: copies of the chosen targets.
    Routed,
}

impl Delivery {
    /// The replay's events reach this rule's targets.
    pub const fn receives(self) -> bool {
        matches!(self, Self::Receives | Self::Routed)
    }

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Receives => "receives",
            Self::OptedOut => "opted out",
            Self::ArchiveRule => "archive rule",
            Self::Disabled => "disabled",
            Self::NotSelected => "not selected",
            Self::Scheduled => "scheduled",
            Self::Routed => "routed",
        }
    }
}

/// One target of a rule, as far as a replay is concerned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PreviewTarget {
    pub id: String,
    pub arn: String,
    /// The service of the target's ARN: `lambda`, `sqs`, `sns`, `states`, `events`,
    /// `kinesis`, `logs`, `api-destination`, …
    pub service: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
    /// The target gets a fixed input, a part of the event or a transformed event.
    pub input_transformed: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dead_letter_arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maximum_retry_attempts: Option<i32>,
}

impl PreviewTarget {
    /// The service a target ARN belongs to (`arn:aws:lambda:…` → `lambda`); an event bus
    /// API destination is `api-destination`.
    pub fn service_of(arn: &str) -> String {
        let mut parts = arn.splitn(6, ':');
        let service = parts.nth(2).unwrap_or_default();
        let resource = parts.nth(2).unwrap_or_default();
        if service == "events" && resource.starts_with("api-destination/") {
            "api-destination".to_owned()
        } else if service.is_empty() {
            "unknown".to_owned()
        } else {
            service.to_owned()
        }
    }
}

/// One rule of the bus, its targets, and whether it would receive the replay.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PreviewRule {
    pub name: String,
    pub arn: String,
    pub state: RuleState,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_pattern: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub managed_by: Option<String>,
    pub delivery: Delivery,
    pub targets: Vec<PreviewTarget>,
}

impl PreviewRule {
    /// Can an admin opt this rule out of replays? (It has a pattern, nobody else manages
    /// it and it does not already refuse replays.)
    pub fn can_opt_out(&self) -> bool {
        self.managed_by.is_none()
            && self.event_pattern.as_deref().is_some_and(|p| {
                EventPattern::parse(p).is_ok_and(|p| matches!(p.with_replay_opt_out(), Ok(Some(_))))
            })
    }
}

/// `POST /api/replays/preview` response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReplayPreview {
    pub archive_arn: String,
    pub event_bus_arn: String,
    #[serde(with = "crate::timestamp")]
    pub event_start_time: OffsetDateTime,
    #[serde(with = "crate::timestamp")]
    pub event_end_time: OffsetDateTime,
    /// Every rule of the bus, all pages.
    pub rules: Vec<PreviewRule>,
    /// Rules whose `delivery` is `receives`.
    pub receiving_rules: usize,
    /// The targets of those rules.
    pub receiving_targets: usize,
    /// Plain sentences about the blast radius, most important first.
    pub warnings: Vec<String>,
    /// With `routing.forwardTo` to a bus of this account and region: that bus's rules,
    /// classified as for any replay, and its warnings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(no_recursion))]
    pub forwarded_to: Option<Box<ReplayPreview>>,
}

/// What a preview is worked out from: the replay asked for and what the bus holds.
pub struct PreviewInput<'a> {
    pub replay_name: &'a str,
    /// `destination.filterArns`; empty: every rule.
    pub filter_arns: &'a [&'a str],
    /// Every rule of the bus with every target.
    pub rules: Vec<(Rule, Vec<PreviewTarget>)>,
    /// The temporary rules a routed replay would get (`delivery: routed`).
    pub routed: Vec<PreviewRule>,
}

impl ReplayPreview {
    /// Classifies every rule, counts what receives and says what matters.
    pub fn assemble(
        archive_arn: String,
        event_bus_arn: String,
        window: (OffsetDateTime, OffsetDateTime),
        input: PreviewInput<'_>,
    ) -> Self {
        let mut rules: Vec<PreviewRule> = input
            .rules
            .into_iter()
            .map(|(rule, targets)| PreviewRule {
                delivery: classify(&rule, input.filter_arns, input.replay_name),
                name: rule.name,
                arn: rule.arn,
                state: rule.state,
                event_pattern: rule.event_pattern,
                managed_by: rule.managed_by,
                targets,
            })
            .collect();
        rules.extend(input.routed);
        let receiving: Vec<&PreviewRule> = rules.iter().filter(|r| r.delivery.receives()).collect();
        let receiving_targets = receiving.iter().map(|r| r.targets.len()).sum();
        let warnings = warnings(&rules, &receiving, input.filter_arns);
        Self {
            archive_arn,
            event_bus_arn,
            event_start_time: window.0,
            event_end_time: window.1,
            receiving_rules: receiving.len(),
            receiving_targets,
            rules,
            warnings,
            forwarded_to: None,
        }
    }
}

/// Whether `rule` would receive a replay named `replay_name` limited to `filter_arns`.
pub fn classify(rule: &Rule, filter_arns: &[&str], replay_name: &str) -> Delivery {
    if rule.is_archive_rule() {
        return Delivery::ArchiveRule;
    }
    if rule.state == RuleState::Disabled {
        return Delivery::Disabled;
    }
    // The rule's own settings first, then the replay's choice of rules.
    let refuses = match rule.event_pattern.as_deref() {
        None => return Delivery::Scheduled,
        // A pattern this cannot read is taken as receiving: never reported safe by mistake.
        Some(text) => EventPattern::parse(text).is_ok_and(|p| !p.admits_replay(replay_name)),
    };
    if refuses {
        Delivery::OptedOut
    } else if !filter_arns.is_empty() && !filter_arns.contains(&rule.arn.as_str()) {
        Delivery::NotSelected
    } else {
        Delivery::Receives
    }
}

fn plural(count: usize, one: &str, many: &str) -> String {
    format!("{count} {}", if count == 1 { one } else { many })
}

/// "Lambda function" / "Lambda functions" for a target service.
fn service_noun(service: &str, count: usize) -> String {
    let (one, many) = match service {
        "lambda" => ("Lambda function", "Lambda functions"),
        "sqs" => ("SQS queue", "SQS queues"),
        "sns" => ("SNS topic", "SNS topics"),
        "states" => (
            "Step Functions state machine",
            "Step Functions state machines",
        ),
        "events" => ("event bus", "event buses"),
        "api-destination" => ("API destination", "API destinations"),
        "kinesis" => ("Kinesis stream", "Kinesis streams"),
        "firehose" => ("Firehose stream", "Firehose streams"),
        "logs" => ("log group", "log groups"),
        other => {
            return plural(
                count,
                &format!("{other} target"),
                &format!("{other} targets"),
            );
        }
    };
    plural(count, one, many)
}

fn warnings(
    rules: &[PreviewRule],
    receiving: &[&PreviewRule],
    filter_arns: &[&str],
) -> Vec<String> {
    let mut warnings = Vec::new();
    let opted_out = rules
        .iter()
        .filter(|r| r.delivery == Delivery::OptedOut)
        .count();
    if receiving.is_empty() {
        warnings.push(
            "No rule will receive these events: this replay would deliver nothing.".to_owned(),
        );
    } else {
        let mut services: Vec<(String, usize)> = Vec::new();
        for target in receiving.iter().flat_map(|r| &r.targets) {
            match services.iter_mut().find(|(s, _)| *s == target.service) {
                Some((_, n)) => *n += 1,
                None => services.push((target.service.clone(), 1)),
            }
        }
        services.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let reach = if services.is_empty() {
            "they have no targets".to_owned()
        } else {
            services
                .iter()
                .map(|(s, n)| service_noun(s, *n))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let opt_outs = match opted_out {
            0 => "none of the bus's rules opts out of replays".to_owned(),
            n => format!("{} out of replays", plural(n, "rule opts", "rules opt")),
        };
        warnings.push(format!(
            "{} will receive these events ({reach}); {opt_outs}.",
            plural(receiving.len(), "rule", "rules")
        ));
    }
    for rule in receiving {
        for target in rule.targets.iter().filter(|t| t.service == "events") {
            warnings.push(format!(
                "Rule {} forwards them to another event bus ({}), where its matching rules fire too.",
                rule.name, target.arn
            ));
        }
    }
    for arn in filter_arns {
        match rules.iter().find(|r| r.arn == *arn) {
            None => warnings.push(format!(
                "{arn} is chosen but is not a rule of this bus: it receives nothing."
            )),
            Some(rule) if !rule.delivery.receives() => warnings.push(format!(
                "Rule {} is chosen but receives nothing: it is {}.",
                rule.name,
                rule.delivery.as_str()
            )),
            Some(_) => {}
        }
    }
    warnings
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const BUS: &str = "arn:aws:events:us-east-1:123456789012:event-bus/orders";

    fn rule(name: &str, pattern: Option<&str>, state: RuleState) -> Rule {
        Rule {
            name: name.into(),
            arn: format!("arn:aws:events:us-east-1:123456789012:rule/orders/{name}"),
            event_pattern: pattern.map(str::to_owned),
            state,
            managed_by: None,
        }
    }

    fn target(id: &str, arn: &str) -> PreviewTarget {
        PreviewTarget {
            id: id.into(),
            arn: arn.into(),
            service: PreviewTarget::service_of(arn),
            role_arn: None,
            input_transformed: false,
            dead_letter_arn: None,
            maximum_retry_attempts: None,
        }
    }

    /// The preview of replay `fix` of the hour from 12:00 on `BUS`.
    fn fix_preview(
        archive: String,
        filter_arns: &[&str],
        rules: Vec<(Rule, Vec<PreviewTarget>)>,
    ) -> ReplayPreview {
        let window = (
            datetime!(2026-11-26 12:00 UTC),
            datetime!(2026-11-26 13:00 UTC),
        );
        let input = PreviewInput {
            replay_name: "fix",
            filter_arns,
            rules,
            routed: vec![],
        };
        ReplayPreview::assemble(archive, BUS.into(), window, input)
    }

    #[test]
    fn services_come_from_the_arn() {
        for (arn, service) in [
            ("arn:aws:lambda:us-east-1:123456789012:function:f", "lambda"),
            ("arn:aws:sqs:us-east-1:123456789012:q", "sqs"),
            (
                "arn:aws:events:us-east-1:123456789012:event-bus/other",
                "events",
            ),
            (
                "arn:aws:events:us-east-1:123456789012:api-destination/d/1",
                "api-destination",
            ),
            (
                "arn:aws-cn:states:cn-north-1:123456789012:stateMachine:s",
                "states",
            ),
            ("not an arn", "unknown"),
        ] {
            assert_eq!(PreviewTarget::service_of(arn), service, "{arn}");
        }
    }

    #[test]
    fn every_rule_is_classified_and_counted() {
        let mut archive = rule(
            "Events-Archive-orders-all",
            Some(r#"{"source":["a"]}"#),
            RuleState::Enabled,
        );
        archive.managed_by = Some("prod.vhs.events.aws.internal".into());
        let plain = rule("plain", Some(r#"{"source":["shop"]}"#), RuleState::Enabled);
        let outside = rule(
            "outside",
            Some(r#"{"source":["shop"]}"#),
            RuleState::Enabled,
        );
        let chosen = [plain.arn.clone()];
        let chosen_refs: Vec<&str> = chosen.iter().map(String::as_str).collect();
        let rules = vec![
            (
                plain,
                vec![
                    target("q", "arn:aws:sqs:us-east-1:123456789012:q"),
                    target("f", "arn:aws:lambda:us-east-1:123456789012:function:f"),
                ],
            ),
            (
                rule(
                    "opted-out",
                    Some(r#"{"replay-name":[{"exists":false}],"source":["shop"]}"#),
                    RuleState::Enabled,
                ),
                vec![target(
                    "f",
                    "arn:aws:lambda:us-east-1:123456789012:function:f",
                )],
            ),
            (
                rule("off", Some(r#"{"source":["shop"]}"#), RuleState::Disabled),
                vec![],
            ),
            (rule("nightly", None, RuleState::Enabled), vec![]),
            (archive, vec![]),
            (
                outside,
                vec![target(
                    "f",
                    "arn:aws:lambda:us-east-1:123456789012:function:f",
                )],
            ),
        ];
        let preview = fix_preview(
            "arn:aws:events:us-east-1:123456789012:archive/orders-all".into(),
            &chosen_refs,
            rules,
        );
        let deliveries: Vec<(&str, Delivery)> = preview
            .rules
            .iter()
            .map(|r| (r.name.as_str(), r.delivery))
            .collect();
        assert_eq!(
            deliveries,
            [
                ("plain", Delivery::Receives),
                ("opted-out", Delivery::OptedOut),
                ("off", Delivery::Disabled),
                ("nightly", Delivery::Scheduled),
                ("Events-Archive-orders-all", Delivery::ArchiveRule),
                ("outside", Delivery::NotSelected),
            ]
        );
        assert_eq!((preview.receiving_rules, preview.receiving_targets), (1, 2));
        assert_eq!(
            preview.warnings,
            [
                "1 rule will receive these events (1 Lambda function, 1 SQS queue); 1 rule opts out of replays."
            ]
        );
        let opted_out = &preview.rules[1];
        assert!(!opted_out.can_opt_out());
        assert!(preview.rules[0].can_opt_out());
        assert!(
            !preview.rules[3].can_opt_out(),
            "a schedule has no pattern to change"
        );
        assert!(!preview.rules[4].can_opt_out(), "managed");
    }

    #[test]
    fn warnings_name_what_matters() {
        let forwarder = rule(
            "forward",
            Some(r#"{"source":["shop"]}"#),
            RuleState::Enabled,
        );
        let off = rule("off", Some(r#"{"source":["shop"]}"#), RuleState::Disabled);
        let missing = "arn:aws:events:us-east-1:123456789012:rule/orders/gone";
        let chosen = [forwarder.arn.clone(), off.arn.clone(), missing.to_owned()];
        let chosen_refs: Vec<&str> = chosen.iter().map(String::as_str).collect();
        let preview = fix_preview(
            String::new(),
            &chosen_refs,
            vec![
                (
                    forwarder,
                    vec![target(
                        "b",
                        "arn:aws:events:us-east-1:123456789012:event-bus/audit",
                    )],
                ),
                (off, vec![]),
            ],
        );
        assert_eq!(
            preview.warnings,
            [
                "1 rule will receive these events (1 event bus); none of the bus's rules opts out of replays.",
                "Rule forward forwards them to another event bus (arn:aws:events:us-east-1:123456789012:event-bus/audit), where its matching rules fire too.",
                "Rule off is chosen but receives nothing: it is disabled.",
                "arn:aws:events:us-east-1:123456789012:rule/orders/gone is chosen but is not a rule of this bus: it receives nothing.",
            ]
        );
        let empty = fix_preview(String::new(), &[], vec![]);
        assert_eq!(
            empty.warnings,
            ["No rule will receive these events: this replay would deliver nothing."]
        );
    }
}
