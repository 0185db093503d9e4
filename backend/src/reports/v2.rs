//! A v2 replay's report: CloudWatch's `AWS/EventsV2` figures per temporary subscriber.
//! Each copy carries this replay's events alone, so its figures are the replay's.

use crate::context::Ctx;
use crate::error::ApiError;
use crate::v2::replays::{FoundCopy, assemble};
use shared::report::{ReplayReport, RuleReport, window};
use shared::v2::V2ReplayState;
use std::collections::HashMap;
use time::OffsetDateTime;

/// The `AWS/EventsV2` subscriber metrics a report reads (dimensions `EventBus` and
/// `Subscriber`, both ARNs).
pub const METRICS: [&str; 5] = [
    "FilterMatched",
    "EventDeliveryAttempts",
    "EventsDelivered",
    "EventsDropped",
    "OnFailureDestinationDelivered",
];

pub async fn report(ctx: &Ctx, name: &str, copies: &[FoundCopy]) -> Result<ReplayReport, ApiError> {
    let now = OffsetDateTime::now_utc();
    let replay = assemble(name, copies)
        .ok_or_else(|| ApiError::not_found(format!("There is no v2 replay named {name}.")))?;
    let ended = (replay.state == V2ReplayState::Completed)
        .then(|| {
            copies
                .iter()
                .filter_map(|c| c.subscriber.last_modified())
                .max()
        })
        .flatten();
    // CloudWatch keeps one-minute figures 15 days: a report reads no further back.
    let started = replay.created_at.max(now - time::Duration::days(15));
    let (from, to, complete) = window(started, ended, now);
    let arns: Vec<String> = copies.iter().map(|c| c.arn.clone()).collect();
    let series = ctx
        .aws
        .metrics
        .subscriber_series(&replay.event_bus_arn, &arns, &METRICS, from, to)
        .await?;
    let rules = copies
        .iter()
        .map(|c| subscriber_report(c, &series))
        .collect();
    let mut notes = vec![
        "Figures from CloudWatch's AWS/EventsV2, per temporary subscriber: delivered against dropped events; each copy carries this replay's events only.".to_owned(),
    ];
    if !complete {
        notes.push(format!(
            "Figures still arriving: CloudWatch's metrics lag, so these may still grow{}.",
            ended.map_or_else(String::new, |e| format!(
                " until {}",
                shared::timestamp::format(e + shared::report::TAIL + shared::report::SETTLE)
            ))
        ));
    }
    Ok(ReplayReport {
        replay_name: name.to_owned(),
        from,
        to,
        complete,
        rules,
        targets: None,
        notes,
    })
}

fn subscriber_report(
    copy: &FoundCopy,
    series: &HashMap<(String, String), crate::aws::cloudwatch::Series>,
) -> RuleReport {
    let of = |metric: &str| -> &[(OffsetDateTime, f64)] {
        series
            .get(&(copy.arn.clone(), metric.to_owned()))
            .map(Vec::as_slice)
            .unwrap_or_default()
    };
    let total = |metric: &str| of(metric).iter().fold(0.0, |sum, (_, v)| sum + v);
    RuleReport {
        rule: copy.subscriber.name().to_owned(),
        rule_arn: copy.arn.clone(),
        temporary: true,
        shared_with_live_traffic: false,
        matched_events: total("FilterMatched"),
        invocations: total("EventsDelivered"),
        failed_invocations: total("EventsDropped"),
        invocations_sent_to_dlq: total("OnFailureDestinationDelivered"),
        invocations_failed_to_be_sent_to_dlq: 0.0,
        throttled_rules: 0.0,
        series: super::minute_points(of("EventsDelivered"), of("EventsDropped")),
    }
}
