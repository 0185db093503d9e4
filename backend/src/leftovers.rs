//! The sweep: removes what Rewind made and nobody needs any more — the temporary rules
//! of replays and replay jobs that are over (or never started), and peeks left for a day (their rule
//! and queue). It touches only what this instance made: a name shaped as Rewind makes
//! it *and* the tag `rewind:instance` with this instance's id; a person's `rewind-…`
//! rule, another Rewind stack's rules and a queue Rewind did not make are never touched.
//!
//! It runs on a schedule, never on a request: deployed, the template's schedule invokes
//! the function with a scheduled event (`crate::http::lambda`); locally, [`every`] runs it as
//! a background task (`REWIND_SWEEP_SECONDS`). Each removal is audited, intent before
//! and outcome after, under the caller `rewind-sweep`; without a written intent nothing
//! is removed.

use crate::audit::AuditRecord;
use crate::aws::calls::{UpstreamCalls, collecting};
use crate::error::ApiError;
use crate::replays::{is_over, routing};
use crate::state::AppState;
use serde::Serialize;
use shared::ErrorCode;
use shared::peek::PeekId;
use shared::routing::INSTANCE_TAG;
use shared::validation::ReplayName;
use std::time::Duration;
use time::OffsetDateTime;

/// A temporary rule whose replay does not exist is left alone this long: its replay may
/// still be starting.
const STARTING_GRACE: time::Duration = time::Duration::minutes(5);
/// A peek's queue older than this is removed, drained or not.
pub const ABANDONED_AFTER: time::Duration = time::Duration::hours(24);

/// What one sweep did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SweepReport {
    /// The ARN or URL of each rule and queue removed.
    pub removed: Vec<String>,
    /// Leftovers that could not be removed (the next sweep tries again).
    pub failed: usize,
}

/// One sweep, over every bus and every peek queue, for at most `budget` (the next one
/// goes on where this one stopped).
pub async fn sweep(state: &AppState, budget: Duration) -> SweepReport {
    let mut report = SweepReport::default();
    if tokio::time::timeout(budget, sweep_into(state, &mut report))
        .await
        .is_err()
    {
        tracing::warn!("the sweep ran out of time; the next one goes on");
    }
    if !report.removed.is_empty() || report.failed > 0 {
        tracing::info!(
            removed = report.removed.len(),
            failed = report.failed,
            "swept"
        );
    }
    report
}

/// Sweeps every `period`, first after one period, for as long as the process runs.
pub async fn every(state: AppState, period: Duration) {
    let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        sweep(&state, period.max(Duration::from_secs(30))).await;
    }
}

/// Whether a Lambda payload is the template's scheduled sweep (an EventBridge
/// `Scheduled Event`), not an HTTP API request.
pub fn is_scheduled_event(payload: &serde_json::Value) -> bool {
    payload.get("source").and_then(|s| s.as_str()) == Some("aws.events")
        && payload.get("detail-type").and_then(|s| s.as_str()) == Some("Scheduled Event")
}

async fn sweep_into(state: &AppState, report: &mut SweepReport) {
    // Every team's leftovers: the sweep is nobody's caller.
    let eventbridge = state.eventbridge.unscoped();
    let buses = match eventbridge.all_bus_names().await {
        Ok(buses) => buses,
        Err(error) => {
            tracing::warn!(%error, "the sweep could not list event buses");
            report.failed += 1;
            Vec::new()
        }
    };
    let now = OffsetDateTime::now_utc();
    for bus in buses {
        let Ok(rules) = eventbridge.temporary_rules(&bus).await else {
            report.failed += 1;
            continue;
        };
        for found in rules {
            if eventbridge.is_this_instances(&found.arn).await != Ok(true) {
                continue;
            }
            let over = if let Some(job) = found.rule.job() {
                // A job's rules live until the job ends; a job that never started
                // (its creation failed) is over once the rule is old enough.
                match crate::jobs::is_over(&state.jobs, &eventbridge, job).await {
                    Ok(Some(over)) => over,
                    Ok(None) => now - found.rule.made > STARTING_GRACE,
                    Err(_) => false,
                }
            } else {
                match ReplayName::parse(&found.rule.replay) {
                    Err(_) => true,
                    Ok(replay) => match eventbridge.describe_replay(&replay).await {
                        Ok(replay) => is_over(replay.summary.state),
                        Err(e) if e.code == ErrorCode::NotFound => {
                            now - found.rule.made > STARTING_GRACE
                        }
                        Err(_) => false,
                    },
                }
            };
            if !over {
                continue;
            }
            let reason = match found.rule.job() {
                Some(job) => format!("the temporary rule of replay job {job}, which is over"),
                None => format!(
                    "the temporary rule of replay {}, which is over",
                    found.rule.replay
                ),
            };
            let removed = audited(state, &found.arn, &reason, async {
                if routing::remove_rule(&eventbridge, &bus, &found.name).await {
                    Ok(())
                } else {
                    Err(ApiError::upstream("the rule could not be removed"))
                }
            })
            .await;
            record(report, removed, found.arn);
        }
    }
    sweep_peeks(state, now, report).await;
}

/// Peek queues of this instance left for [`ABANDONED_AFTER`], with their rules.
async fn sweep_peeks(state: &AppState, now: OffsetDateTime, report: &mut SweepReport) {
    let Ok(urls) = state.queues.peek_queues().await else {
        report.failed += 1;
        return;
    };
    for url in urls {
        let Some(name) = url.rsplit('/').next().map(str::to_owned) else {
            continue;
        };
        if PeekId::from_resource_name(&name).is_none() {
            continue;
        }
        let Ok(tags) = state.queues.tags(&url).await else {
            continue;
        };
        if tags.get(INSTANCE_TAG).map(String::as_str) != Some(state.eventbridge.instance()) {
            continue;
        }
        let Some(created) = tags
            .get("createdAt")
            .and_then(|t| shared::timestamp::parse(t).ok())
        else {
            continue;
        };
        if now - created < ABANDONED_AFTER {
            continue;
        }
        let bus = tags
            .get("bus")
            .cloned()
            .unwrap_or_else(|| "default".to_owned());
        let removed = audited(
            state,
            &url,
            "a peek left for a day: its rule and queue",
            async {
                if !routing::remove_rule(&state.eventbridge, &bus, &name).await {
                    return Err(ApiError::upstream("the peek's rule could not be removed"));
                }
                state.queues.remove(&url).await
            },
        )
        .await;
        record(report, removed, url);
    }
}

fn record(report: &mut SweepReport, removed: Option<Result<(), ApiError>>, what: String) {
    match removed {
        Some(Ok(())) => report.removed.push(what),
        Some(Err(_)) | None => report.failed += 1,
    }
}

/// Runs one removal between its audit intent and outcome; None when the intent could
/// not be written (and so nothing was removed).
async fn audited(
    state: &AppState,
    resource: &str,
    reason: &str,
    removal: impl Future<Output = Result<(), ApiError>>,
) -> Option<Result<(), ApiError>> {
    if let Err(error) = state
        .audit
        .write(&AuditRecord::of_sweep(resource, reason, None, Vec::new()))
        .await
    {
        tracing::error!(%error, %resource, "sweep: audit intent not written; nothing removed");
        return None;
    }
    let calls = UpstreamCalls::default();
    let result = collecting(calls.clone(), removal).await;
    let outcome = result.as_ref().map(|_| ()).map_err(|e| e.code);
    if let Err(error) = state
        .audit
        .write(&AuditRecord::of_sweep(
            resource,
            reason,
            Some(outcome),
            calls.taken(),
        ))
        .await
    {
        tracing::error!(%error, %resource, "sweep: audit outcome not written");
    }
    Some(result)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_schedules_event_is_a_sweep() {
        let scheduled = serde_json::json!({
            "version": "0", "id": "89d1a02d", "detail-type": "Scheduled Event",
            "source": "aws.events", "account": "123456789012", "time": "2026-12-02T00:00:00Z",
            "region": "us-east-1", "resources": ["arn:aws:events:us-east-1:123456789012:rule/sweep"],
            "detail": {}
        });
        assert!(is_scheduled_event(&scheduled));
        let mut other = scheduled.clone();
        other["source"] = serde_json::json!("shop.orders");
        assert!(!is_scheduled_event(&other));
        assert!(!is_scheduled_event(
            &serde_json::json!({"version": "2.0", "rawPath": "/api/me"})
        ));
    }
}
