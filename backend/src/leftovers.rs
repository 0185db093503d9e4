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

use crate::context::Ctx;
use crate::error::ApiError;
use crate::replays::is_over;
use crate::routing;
use serde::Serialize;
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
pub async fn sweep(ctx: &Ctx, budget: Duration) -> SweepReport {
    let mut report = SweepReport::default();
    if tokio::time::timeout(budget, sweep_into(ctx, &mut report))
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

async fn sweep_into(ctx: &Ctx, report: &mut SweepReport) {
    // Every team's leftovers: the sweep is nobody's caller.
    let eventbridge = ctx.eventbridge();
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
            if !matches!(eventbridge.is_this_instances(&found.arn).await, Ok(true)) {
                continue;
            }
            let over = if let Some(job) = found.rule.job() {
                // A job's rules live until the job ends; a job that never started
                // (its creation failed) is over once the rule is old enough.
                match crate::jobs::is_over(ctx, job).await {
                    Ok(Some(over)) => over,
                    Ok(None) => now - found.rule.made > STARTING_GRACE,
                    Err(_) => false,
                }
            } else {
                match ReplayName::parse(&found.rule.replay) {
                    Err(_) => true,
                    Ok(replay) => match eventbridge.describe_replay(&replay).await {
                        Ok(replay) => is_over(replay.summary.state),
                        Err(e) if e.is_not_found() => now - found.rule.made > STARTING_GRACE,
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
            let removed = audited(ctx, &found.arn, &reason, async {
                if routing::remove_rule(ctx, &bus, &found.name).await {
                    Ok(())
                } else {
                    Err(ApiError::upstream("the rule could not be removed"))
                }
            })
            .await;
            record(report, removed, found.arn);
        }
    }
    sweep_peeks(ctx, now, report).await;
    let (removed, failed) = crate::v2::sweep::sweep(ctx, now).await;
    report.removed.extend(removed);
    report.failed += failed;
}

/// Peek queues of this instance left for [`ABANDONED_AFTER`], with their rules.
async fn sweep_peeks(ctx: &Ctx, now: OffsetDateTime, report: &mut SweepReport) {
    let Ok(urls) = ctx.aws.queues.peek_queues().await else {
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
        let Ok(tags) = ctx.aws.queues.tags(&url).await else {
            continue;
        };
        if tags.get(INSTANCE_TAG).map(String::as_str) != Some(ctx.eventbridge().instance()) {
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
            ctx,
            &url,
            "a peek left for a day: its rule and queue",
            async {
                if !routing::remove_rule(ctx, &bus, &name).await {
                    return Err(ApiError::upstream("the peek's rule could not be removed"));
                }
                Ok(ctx.aws.queues.remove(&url).await?)
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

/// Runs one removal between its audit intent and outcome (`audit::housekeeping`).
async fn audited(
    ctx: &Ctx,
    resource: &str,
    reason: &str,
    removal: impl Future<Output = Result<(), ApiError>>,
) -> Option<Result<(), ApiError>> {
    crate::audit::housekeeping(&ctx.audit, resource, reason, removal).await
}
