//! Replay reports (`/api/replays/{name}/report`, `/api/replay-jobs/{jobName}/report`):
//! did the targets get it? CloudWatch's `AWS/Events` figures per rule, and — where the
//! bus logs to CloudWatch Logs — per-target counts and errors from its delivery records.

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

/// The `AWS/Events` metrics a report reads for each rule (Sum, one-minute periods).
pub const METRICS: [&str; 6] = [
    "MatchedEvents",
    "Invocations",
    "FailedInvocations",
    "InvocationsSentToDlq",
    "InvocationsFailedToBeSentToDlq",
    "ThrottledRules",
];

/// How long after a replay's end its metrics are still read: deliveries and retries go on.
pub const TAIL: Duration = Duration::minutes(5);
/// How long after that end the figures may still change (CloudWatch's metrics lag).
pub const SETTLE: Duration = Duration::minutes(15);
/// The errors a report lists, first ones first.
pub const MAX_ERRORS: usize = 20;

/// The window a report reads, `replayStartTime` to `replayEndTime` + [`TAIL`] (a replay
/// still running: to now), and whether its figures can no longer change (that end is
/// [`SETTLE`] past).
pub fn window(
    started: OffsetDateTime,
    ended: Option<OffsetDateTime>,
    now: OffsetDateTime,
) -> (OffsetDateTime, OffsetDateTime, bool) {
    match ended {
        Some(ended) => {
            let to = ended + TAIL;
            (started, to, now >= to + SETTLE)
        }
        None => (started, now.max(started), false),
    }
}

/// One minute of a rule's figures.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MinutePoint {
    #[serde(with = "crate::timestamp")]
    pub time: OffsetDateTime,
    pub invocations: f64,
    pub failed_invocations: f64,
}

/// One rule's figures over the report's window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RuleReport {
    pub rule: String,
    pub rule_arn: String,
    /// A routed replay's temporary rule: its traffic is the replay's alone.
    pub temporary: bool,
    /// The rule also receives live events: its figures are not the replay's alone.
    pub shared_with_live_traffic: bool,
    pub matched_events: f64,
    pub invocations: f64,
    pub failed_invocations: f64,
    pub invocations_sent_to_dlq: f64,
    pub invocations_failed_to_be_sent_to_dlq: f64,
    pub throttled_rules: f64,
    /// Per minute, oldest first; minutes with no data are left out.
    pub series: Vec<MinutePoint>,
}

/// One delivery error from the bus's log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeliveryError {
    #[serde(with = "crate::timestamp")]
    pub time: OffsetDateTime,
    pub message: String,
}

/// One target's deliveries, from the bus's log records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TargetReport {
    pub rule: String,
    pub target_arn: String,
    pub succeeded: u64,
    pub failed: u64,
    pub sent_to_dlq: u64,
    /// The first [`MAX_ERRORS`] errors.
    pub errors: Vec<DeliveryError>,
}

/// `GET /api/replays/{name}/report` and `GET /api/replay-jobs/{jobName}/report`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReplayReport {
    /// The replay's name (a job's report: the job's).
    pub replay_name: String,
    #[serde(with = "crate::timestamp")]
    pub from: OffsetDateTime,
    #[serde(with = "crate::timestamp")]
    pub to: OffsetDateTime,
    /// False until the figures can no longer change.
    pub complete: bool,
    pub rules: Vec<RuleReport>,
    /// Present when the bus logs at INFO or TRACE to CloudWatch Logs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub targets: Option<Vec<TargetReport>>,
    pub notes: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn the_window_runs_five_minutes_past_the_end_and_settles_fifteen_later() {
        let start = datetime!(2026-12-01 10:00 UTC);
        let end = datetime!(2026-12-01 10:30 UTC);
        let (from, to, complete) = window(start, Some(end), datetime!(2026-12-01 10:49 UTC));
        assert_eq!((from, to), (start, datetime!(2026-12-01 10:35 UTC)));
        assert!(!complete);
        assert!(window(start, Some(end), datetime!(2026-12-01 10:50 UTC)).2);
        // Still running: up to now, never complete.
        let now = datetime!(2026-12-01 11:00 UTC);
        assert_eq!(window(start, None, now), (start, now, false));
    }
}
