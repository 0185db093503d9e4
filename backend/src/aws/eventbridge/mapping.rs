//! The one place SDK types become the DTOs of `shared`. EventBridge (and emulators) may
//! omit fields or send empty strings for absent ones; both become `None`, and a missing
//! required field is an upstream error rather than a made-up value.

use crate::aws::error::{AwsError, Service};
use aws_sdk_eventbridge::operation::describe_archive::DescribeArchiveOutput;
use aws_sdk_eventbridge::operation::describe_replay::DescribeReplayOutput;
use aws_sdk_eventbridge::operation::describe_rule::DescribeRuleOutput;
use aws_sdk_eventbridge::primitives::DateTime;
use aws_sdk_eventbridge::types as aws;
use shared::archive::{Archive, ArchiveState, ArchiveStatus, ArchiveSummary};
use shared::event_bus::{EventBus, Rule, RuleState};
use shared::preview::PreviewTarget;
use shared::progress::ReplayProgress;
use shared::replay::{Replay, ReplayDestination, ReplayState, ReplaySummary};
use time::OffsetDateTime;

pub fn non_empty(value: Option<&str>) -> Option<String> {
    value.filter(|v| !v.is_empty()).map(str::to_owned)
}

pub fn required(value: Option<&str>, name: &'static str) -> Result<String, AwsError> {
    non_empty(value).ok_or_else(|| missing(name))
}

fn missing(name: &'static str) -> AwsError {
    AwsError::missing(Service::EventBridge, name)
}

pub fn to_time(t: &DateTime) -> Result<OffsetDateTime, AwsError> {
    OffsetDateTime::from_unix_timestamp_nanos(
        i128::from(t.secs()) * 1_000_000_000 + i128::from(t.subsec_nanos()),
    )
    .map_err(|_| AwsError::unreadable(Service::EventBridge, format!("an impossible time: {t}")))
}

fn required_time(t: Option<&DateTime>, name: &'static str) -> Result<OffsetDateTime, AwsError> {
    t.map(to_time).transpose()?.ok_or_else(|| missing(name))
}

fn archive_state(state: Option<&aws::ArchiveState>) -> Result<ArchiveState, AwsError> {
    let state = state.ok_or_else(|| missing("State"))?;
    ArchiveState::parse(state.as_str()).map_err(|_| {
        AwsError::unreadable(
            Service::EventBridge,
            format!("an unknown archive state {}", state.as_str()),
        )
    })
}

pub fn replay_state(state: Option<&aws::ReplayState>) -> Result<ReplayState, AwsError> {
    let state = state.ok_or_else(|| missing("State"))?;
    ReplayState::parse(state.as_str()).map_err(|_| {
        AwsError::unreadable(
            Service::EventBridge,
            format!("an unknown replay state {}", state.as_str()),
        )
    })
}

/// The [`ArchiveSummary`] of a ListArchives entry or a DescribeArchive output: two SDK
/// types with the same accessors.
macro_rules! archive_summary_of {
    ($a:expr) => {
        (|| {
            Ok::<_, AwsError>(ArchiveSummary {
                archive_name: required($a.archive_name(), "ArchiveName")?,
                event_source_arn: required($a.event_source_arn(), "EventSourceArn")?,
                state: archive_state($a.state())?,
                state_reason: non_empty($a.state_reason()),
                retention_days: $a.retention_days().unwrap_or(0),
                size_bytes: $a.size_bytes(),
                event_count: $a.event_count(),
                creation_time: required_time($a.creation_time(), "CreationTime")?,
            })
        })()
    };
}

pub fn archive_summary(a: &aws::Archive) -> Result<ArchiveSummary, AwsError> {
    archive_summary_of!(a)
}

pub fn archive(a: &DescribeArchiveOutput) -> Result<Archive, AwsError> {
    Ok(Archive {
        summary: archive_summary_of!(a)?,
        archive_arn: required(a.archive_arn(), "ArchiveArn")?,
        description: non_empty(a.description()),
        event_pattern: non_empty(a.event_pattern()),
        kms_key_identifier: non_empty(a.kms_key_identifier()),
    })
}

pub fn archive_status(
    arn: Option<&str>,
    state: Option<&aws::ArchiveState>,
    reason: Option<&str>,
    created: Option<&DateTime>,
) -> Result<ArchiveStatus, AwsError> {
    Ok(ArchiveStatus {
        archive_arn: required(arn, "ArchiveArn")?,
        state: archive_state(state)?,
        state_reason: non_empty(reason),
        creation_time: required_time(created, "CreationTime")?,
    })
}

/// The fields ListReplays and DescribeReplay share.
struct ReplayTimes<'a> {
    name: Option<&'a str>,
    source: Option<&'a str>,
    state: Option<&'a aws::ReplayState>,
    reason: Option<&'a str>,
    event_start: Option<&'a DateTime>,
    event_end: Option<&'a DateTime>,
    last_replayed: Option<&'a DateTime>,
    replay_start: Option<&'a DateTime>,
    replay_end: Option<&'a DateTime>,
}

/// The [`ReplayTimes`] of a ListReplays entry or a DescribeReplay output: two SDK types
/// with the same accessors.
macro_rules! replay_times {
    ($r:expr) => {
        ReplayTimes {
            name: $r.replay_name(),
            source: $r.event_source_arn(),
            state: $r.state(),
            reason: $r.state_reason(),
            event_start: $r.event_start_time(),
            event_end: $r.event_end_time(),
            last_replayed: $r.event_last_replayed_time(),
            replay_start: $r.replay_start_time(),
            replay_end: $r.replay_end_time(),
        }
    };
}

fn summary(r: ReplayTimes<'_>) -> Result<ReplaySummary, AwsError> {
    let state = replay_state(r.state)?;
    let event_start_time = required_time(r.event_start, "EventStartTime")?;
    let event_end_time = required_time(r.event_end, "EventEndTime")?;
    let event_last_replayed_time = r.last_replayed.map(to_time).transpose()?;
    Ok(ReplaySummary {
        replay_name: required(r.name, "ReplayName")?,
        event_source_arn: required(r.source, "EventSourceArn")?,
        state,
        state_reason: non_empty(r.reason),
        event_start_time,
        event_end_time,
        event_last_replayed_time,
        replay_start_time: r.replay_start.map(to_time).transpose()?,
        replay_end_time: r.replay_end.map(to_time).transpose()?,
        progress: ReplayProgress::compute(
            state == ReplayState::Completed,
            event_start_time,
            event_end_time,
            event_last_replayed_time,
        )
        .fraction(),
        job: None,
    })
}

pub fn replay_summary(r: &aws::Replay) -> Result<ReplaySummary, AwsError> {
    summary(replay_times!(r))
}

pub fn replay(r: &DescribeReplayOutput) -> Result<Replay, AwsError> {
    let destination = r.destination().ok_or_else(|| missing("Destination"))?;
    Ok(Replay {
        summary: summary(replay_times!(r))?,
        replay_arn: required(r.replay_arn(), "ReplayArn")?,
        description: non_empty(r.description()),
        destination: ReplayDestination {
            arn: required(Some(destination.arn()), "Destination.Arn")?,
            filter_arns: destination.filter_arns().to_vec(),
        },
        routing: None,
    })
}

pub fn event_bus(b: &aws::EventBus) -> Result<EventBus, AwsError> {
    Ok(EventBus {
        name: required(b.name(), "Name")?,
        arn: required(b.arn(), "Arn")?,
        description: non_empty(b.description()),
    })
}

pub fn rule(r: &aws::Rule) -> Result<Rule, AwsError> {
    let state = match r.state() {
        Some(aws::RuleState::Enabled) | None => RuleState::Enabled,
        Some(aws::RuleState::Disabled) => RuleState::Disabled,
        Some(aws::RuleState::EnabledWithAllCloudtrailManagementEvents) => {
            RuleState::EnabledWithAllCloudtrailManagementEvents
        }
        Some(other) => {
            return Err(AwsError::unreadable(
                Service::EventBridge,
                format!("an unknown rule state {}", other.as_str()),
            ));
        }
    };
    Ok(Rule {
        name: required(r.name(), "Name")?,
        arn: required(r.arn(), "Arn")?,
        event_pattern: non_empty(r.event_pattern()),
        state,
        managed_by: non_empty(r.managed_by()),
    })
}

/// A rule as DescribeRule returns it (the same fields as in ListRules).
pub fn described_rule(r: &DescribeRuleOutput) -> Result<Rule, AwsError> {
    rule(
        &aws::Rule::builder()
            .set_name(r.name().map(str::to_owned))
            .set_arn(r.arn().map(str::to_owned))
            .set_event_pattern(r.event_pattern().map(str::to_owned))
            .set_state(r.state().cloned())
            .set_managed_by(r.managed_by().map(str::to_owned))
            .build(),
    )
}

/// What a replay needs to know of a target: where it goes and how it is delivered.
pub fn preview_target(t: &aws::Target) -> PreviewTarget {
    PreviewTarget {
        id: t.id().to_owned(),
        arn: t.arn().to_owned(),
        service: PreviewTarget::service_of(t.arn()),
        role_arn: non_empty(t.role_arn()),
        input_transformed: t.input().is_some()
            || t.input_path().is_some()
            || t.input_transformer().is_some(),
        dead_letter_arn: t.dead_letter_config().and_then(|d| non_empty(d.arn())),
        maximum_retry_attempts: t.retry_policy().and_then(|r| r.maximum_retry_attempts()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_strings_are_absent() {
        let a = DescribeArchiveOutput::builder()
            .archive_name("a")
            .archive_arn("arn:aws:events:us-east-1:123456789012:archive/a")
            .event_source_arn("arn:aws:events:us-east-1:123456789012:event-bus/default")
            .description("")
            .event_pattern("")
            .state(aws::ArchiveState::Enabled)
            .creation_time(DateTime::from_secs(1_795_000_000))
            .build();
        let mapped = archive(&a).unwrap();
        assert_eq!(mapped.description, None);
        assert_eq!(mapped.event_pattern, None);
        assert_eq!(mapped.summary.retention_days, 0);
        assert_eq!(mapped.summary.creation_time.unix_timestamp(), 1_795_000_000);
    }

    #[test]
    fn missing_required_fields_are_upstream_errors() {
        let a = DescribeArchiveOutput::builder().archive_name("a").build();
        let e = archive(&a).unwrap_err();
        assert!(
            matches!(e.kind, crate::aws::error::Kind::Unreadable(_)),
            "{e:?}"
        );
    }

    #[test]
    fn replay_progress_is_computed() {
        let r = aws::Replay::builder()
            .replay_name("r")
            .event_source_arn("arn:aws:events:us-east-1:123456789012:archive/a")
            .state(aws::ReplayState::Running)
            .event_start_time(DateTime::from_secs(1000))
            .event_end_time(DateTime::from_secs(2000))
            .event_last_replayed_time(DateTime::from_secs(1250))
            .build();
        assert_eq!(replay_summary(&r).unwrap().progress, 0.25);
    }

    #[test]
    fn sub_second_times_are_kept() {
        let t = to_time(&DateTime::from_secs_and_nanos(5, 500_000_000)).unwrap();
        assert_eq!(t.unix_timestamp_nanos(), 5_500_000_000);
    }
}
