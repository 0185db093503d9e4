//! `GET /api/now`: the on-call view — what holds the account's replay slots now, each
//! team's share, the jobs that wait, what went wrong in the last day, and Rewind's
//! temporary resources alive, each with the work it belongs to. Computed from AWS state
//! on every request (`docs/API.md`, "Now").

use crate::report::{ReplayReport, TargetReport};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// EventBridge's default quota of concurrent replays per account and region (its
/// Service Quotas value where the deployment says otherwise).
pub const ACCOUNT_REPLAY_LIMIT: u32 = 10;

/// What holds a slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum HolderKind {
    /// A replay started on its own.
    Replay,
    /// A replay that is one slice of a replay job.
    JobSlice,
    /// A peek's replay into its queue.
    Peek,
    /// A Custom Event Bus (v2) replay: its temporary subscribers hold no EventBridge
    /// replay slot, and are shown beside them.
    V2Replay,
}

impl HolderKind {
    /// Whether it holds one of the account's EventBridge replay slots.
    pub fn takes_account_slot(self) -> bool {
        self != HolderKind::V2Replay
    }

    pub fn label(self) -> &'static str {
        match self {
            HolderKind::Replay => "Replay",
            HolderKind::JobSlice => "Job slice",
            HolderKind::Peek => "Peek",
            HolderKind::V2Replay => "Custom bus replay",
        }
    }
}

/// One holder of a slot, in the caller's scope.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SlotHolder {
    pub kind: HolderKind,
    /// The replay's name (a peek: its replay's).
    pub name: String,
    /// A slice's job.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job_name: Option<String>,
    /// The archive replayed from (classic replays).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archive_name: Option<String>,
    /// The team owning its bus, with teams.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
    #[serde(with = "crate::timestamp")]
    pub started_at: OffsetDateTime,
    /// From its progress so far, when it has made some.
    #[serde(default, with = "crate::timestamp::option")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected_end_at: Option<OffsetDateTime>,
    /// 0 to 1.
    pub progress: f64,
}

/// The account's replay slots.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Slots {
    pub limit: u32,
    /// Slots in use by the whole account, the caller's scope or not.
    pub used: u32,
    /// Those of `used` held outside the caller's scope (named to nobody here).
    #[serde(default)]
    pub others: u32,
    pub holders: Vec<SlotHolder>,
}

/// A team's replays against its cap.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TeamShare {
    pub team: String,
    pub active: u32,
    pub cap: u32,
}

/// A job that holds no slice's slot now: queued for a slot, or paused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WaitingJob {
    pub job_name: String,
    pub state: crate::job::JobState,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state_reason: Option<String>,
}

/// What went wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum RecentKind {
    Replay,
    Job,
    V2Replay,
}

/// A replay or job of the last 24 hours that failed, was cancelled, or delivered with
/// failures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecentItem {
    pub kind: RecentKind,
    pub name: String,
    /// Its state, as its own list shows it.
    pub state: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state_reason: Option<String>,
    /// Deliveries that failed, from its report (present when one was read).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_failures: Option<u64>,
    /// Whether that count is per target from the bus's log (else from the rules'
    /// metrics, which on a rule shared with live traffic count that traffic too).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_per_target: Option<bool>,
    #[serde(with = "crate::timestamp")]
    pub ended_at: OffsetDateTime,
}

/// A kind of temporary resource Rewind makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum TemporaryKind {
    Rule,
    Queue,
    Subscriber,
}

/// A temporary resource alive now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TemporaryResource {
    pub kind: TemporaryKind,
    pub name: String,
    /// The replay, job or peek it belongs to, as its name says.
    pub belongs_to: String,
    /// What `belongs_to` is.
    pub belongs_to_kind: HolderKind,
}

/// `GET /api/now`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Now {
    pub slots: Slots,
    /// With teams: each of the caller's teams.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub teams: Option<Vec<TeamShare>>,
    pub waiting: Vec<WaitingJob>,
    /// Newest first.
    pub recent: Vec<RecentItem>,
    pub temporary: Vec<TemporaryResource>,
    /// The parts that could not be read now, each said in a sentence (the rest stands).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unread: Vec<String>,
    #[serde(with = "crate::timestamp")]
    pub read_at: OffsetDateTime,
}

/// When a replay with this progress is expected to end: its elapsed time scaled by what
/// is left. None before any progress (nothing to scale).
pub fn expected_end(
    started: OffsetDateTime,
    progress: f64,
    now: OffsetDateTime,
) -> Option<OffsetDateTime> {
    if !(0.01..1.0).contains(&progress) || now < started {
        return None;
    }
    let elapsed = (now - started).as_seconds_f64();
    Some(started + time::Duration::seconds_f64(elapsed / progress))
}

/// The delivery outcome of a report in one line: the per-target counts from the bus's
/// log first; without them, the rules' metrics (which carry live traffic on a shared
/// rule, and say so).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryVerdict {
    pub failed: u64,
    pub to_dlq: u64,
    /// From the targets' log (else from rule metrics).
    pub per_target: bool,
    /// The figures can still change until then.
    pub arriving_until: Option<OffsetDateTime>,
    /// Nothing was delivered nor failed.
    pub empty: bool,
}

impl DeliveryVerdict {
    pub fn of(report: &ReplayReport) -> DeliveryVerdict {
        // CloudWatch's figures settle SETTLE after the measured window's end.
        let arriving_until = (!report.complete).then_some(report.to + crate::report::SETTLE);
        match report.targets.as_deref() {
            Some(targets) if !targets.is_empty() => {
                let sum = |f: fn(&TargetReport) -> u64| targets.iter().map(f).sum::<u64>();
                DeliveryVerdict {
                    failed: sum(|t| t.failed),
                    to_dlq: sum(|t| t.sent_to_dlq),
                    per_target: true,
                    arriving_until,
                    empty: sum(|t| t.succeeded + t.failed) == 0,
                }
            }
            _ => {
                let sum = |f: fn(&crate::report::RuleReport) -> f64| {
                    report.rules.iter().map(f).sum::<f64>().max(0.0).round() as u64
                };
                DeliveryVerdict {
                    failed: sum(|r| r.failed_invocations),
                    to_dlq: sum(|r| r.invocations_sent_to_dlq),
                    per_target: false,
                    arriving_until,
                    empty: sum(|r| r.invocations) == 0,
                }
            }
        }
    }

    /// Whether any delivery failed.
    pub fn has_failures(&self) -> bool {
        self.failed > 0
    }

    /// "all delivered", "2 failed · 1 to DLQ", "nothing delivered"; what arrives later is
    /// said by the caller beside it.
    pub fn summary(&self) -> String {
        if self.failed > 0 {
            let dlq = if self.to_dlq > 0 {
                format!(" · {} to DLQ", self.to_dlq)
            } else {
                String::new()
            };
            format!("{} failed{dlq}", self.failed)
        } else if self.empty {
            "nothing delivered yet".to_owned()
        } else {
            "all delivered".to_owned()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{ReplayReport, RuleReport};
    use time::macros::datetime;

    fn rule(invocations: f64, failed: f64, dlq: f64) -> RuleReport {
        RuleReport {
            rule: "r".into(),
            rule_arn: "arn".into(),
            temporary: false,
            shared_with_live_traffic: true,
            matched_events: invocations,
            invocations,
            failed_invocations: failed,
            invocations_sent_to_dlq: dlq,
            invocations_failed_to_be_sent_to_dlq: 0.0,
            throttled_rules: 0.0,
            series: Vec::new(),
        }
    }

    fn report(rules: Vec<RuleReport>, targets: Option<Vec<TargetReport>>) -> ReplayReport {
        ReplayReport {
            replay_name: "x".into(),
            from: datetime!(2026-12-06 06:20 UTC),
            to: datetime!(2026-12-06 06:40 UTC),
            complete: false,
            rules,
            targets,
            notes: Vec::new(),
        }
    }

    #[test]
    fn the_targets_counts_come_before_the_rules_metrics() {
        let target = TargetReport {
            rule: "r".into(),
            target_arn: "t".into(),
            succeeded: 5,
            failed: 1,
            sent_to_dlq: 1,
            errors: Vec::new(),
        };
        let r = report(vec![rule(10.0, 2.0, 1.0)], Some(vec![target]));
        let verdict = DeliveryVerdict::of(&r);
        assert!(verdict.per_target);
        assert_eq!(verdict.summary(), "1 failed · 1 to DLQ");
        // The measured window ends 06:40; CloudWatch settles 15 minutes later.
        assert_eq!(
            verdict.arriving_until,
            Some(datetime!(2026-12-06 06:55 UTC))
        );
        let r = report(vec![rule(10.0, 2.0, 0.0)], None);
        assert_eq!(DeliveryVerdict::of(&r).summary(), "2 failed");
        assert_eq!(
            DeliveryVerdict::of(&report(vec![rule(3.0, 0.0, 0.0)], None)).summary(),
            "all delivered"
        );
        assert_eq!(
            DeliveryVerdict::of(&report(Vec::new(), None)).summary(),
            "nothing delivered yet"
        );
    }

    #[test]
    fn the_expected_end_scales_the_elapsed_time_by_what_is_left() {
        let start = datetime!(2026-12-06 06:00 UTC);
        let now = datetime!(2026-12-06 06:10 UTC);
        assert_eq!(
            expected_end(start, 0.5, now),
            Some(datetime!(2026-12-06 06:20 UTC))
        );
        assert_eq!(expected_end(start, 0.0, now), None);
        assert_eq!(expected_end(start, 1.0, now), None);
    }
}
