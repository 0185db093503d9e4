//! A job's state, derived from what AWS holds: its latest Step Functions run (status,
//! the error it was stopped or failed with, the end of its history) and its slices'
//! replays. Pure, so every case is unit-tested.

use crate::aws::stepfunctions::{RunEvent, RunStatus};
use shared::job::{JobState, SliceState};

/// The error a run is stopped with when its job is paused.
pub const PAUSED: &str = "Rewind.Paused";
/// The error a run is stopped (or, for a paused job, fails) with when its job is cancelled.
pub const CANCELLED: &str = "Rewind.Cancelled";
/// The state machine's error when a slice's replay failed.
pub const SLICE_FAILED: &str = "Rewind.SliceFailed";
/// The state machine's error when a replay under a slice's name is not the slice.
pub const SLICE_TAKEN: &str = "Rewind.SliceTaken";
/// The error of StartReplay at the account's limit of active replays, as Step Functions names it.
pub const LIMIT_EXCEEDED: &str = "EventBridge.LimitExceededException";

/// The latest run, as far as the job's state depends on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LatestRun {
    pub status: RunStatus,
    /// The error it was stopped or failed with.
    pub error: Option<String>,
    pub cause: Option<String>,
    /// Its newest events, newest first.
    pub events: Vec<RunEvent>,
    /// It was started only to record a paused job's cancel.
    pub records_cancel: bool,
    /// When it stopped (a pause: when the job was paused).
    pub stopped: Option<time::OffsetDateTime>,
}

impl LatestRun {
    /// Its last task failed for want of a replay slot, and is waiting to try again.
    fn waits_for_a_slot(&self) -> bool {
        self.events
            .iter()
            .find(|e| matches!(e, RunEvent::TaskFailed { .. } | RunEvent::TaskProgressed))
            .is_some_and(|e| matches!(e, RunEvent::TaskFailed { error } if error == LIMIT_EXCEEDED))
    }

    /// "Paused by alice at 2026-12-06T06:35:00Z.": the pause's cause (Rewind writes who)
    /// and when the run stopped.
    fn paused_note(&self) -> Option<String> {
        let cause = self
            .cause
            .as_deref()
            .filter(|c| !c.is_empty())
            .or_else(|| {
                self.events.iter().find_map(|e| match e {
                    RunEvent::Aborted { cause, .. } if !cause.is_empty() => Some(cause.as_str()),
                    _ => None,
                })
            })?;
        let at = self
            .stopped
            .map(|t| format!(" at {}", shared::timestamp::format(t)))
            .unwrap_or_default();
        Some(format!("{cause}{at}."))
    }

    /// The error it ended with: DescribeExecution's, else its history's.
    fn ended_with(&self) -> Option<&str> {
        self.error.as_deref().filter(|e| !e.is_empty()).or_else(|| {
            self.events.iter().find_map(|e| match e {
                RunEvent::Aborted { error, .. } if !error.is_empty() => Some(error.as_str()),
                _ => None,
            })
        })
    }
}

/// The job's state and, where it helps, why. `foreign` is the first slice whose name a
/// replay that is not the slice holds.
pub fn derive(
    run: &LatestRun,
    slices: &[SliceState],
    foreign: Option<usize>,
) -> (JobState, Option<String>) {
    let slice_active = slices.iter().any(|s| s.is_active());
    let failed_slice = slices
        .iter()
        .position(|s| *s == SliceState::Failed)
        .map(|i| i + 1);
    match run.status {
        RunStatus::Running if run.records_cancel => (
            JobState::Cancelling,
            Some("Cancelled: the cancel is being recorded.".to_owned()),
        ),
        RunStatus::Running if run.waits_for_a_slot() => (
            JobState::Queued,
            Some(
                "Waiting for a replay slot: EventBridge allows 10 active replays per account and region, and all are taken. The next slice starts as soon as one is free."
                    .to_owned(),
            ),
        ),
        RunStatus::Running => (JobState::Running, None),
        RunStatus::Succeeded => (JobState::Completed, None),
        RunStatus::Aborted | RunStatus::Failed => match run.ended_with() {
            Some(PAUSED) if slice_active => (
                JobState::Pausing,
                Some("Paused: the running slice finishes, and no other starts.".to_owned()),
            ),
            Some(PAUSED) => (JobState::Paused, run.paused_note()),
            Some(CANCELLED) if slice_active => (
                JobState::Cancelling,
                Some("Cancelled: the running slice is being cancelled.".to_owned()),
            ),
            Some(CANCELLED) => (JobState::Cancelled, None),
            _ if run.status == RunStatus::Aborted => (
                JobState::Cancelled,
                Some("Its Step Functions run was stopped outside Rewind.".to_owned()),
            ),
            Some(SLICE_TAKEN) => (
                JobState::Failed,
                Some(format!(
                    "{} name is held by a replay that is not this job's slice (another archive, destination or window), so the job stopped rather than adopt it; look at that replay, then start a new job.",
                    match foreign {
                        Some(k) => format!("Slice {}'s", k + 1),
                        None => "A slice's".to_owned(),
                    }
                )),
            ),
            Some(SLICE_FAILED) => (
                JobState::Failed,
                Some(match failed_slice {
                    Some(n) => format!("Slice {n}'s replay failed, so the job stopped; the slice's replay says why."),
                    None => "A slice's replay failed, so the job stopped.".to_owned(),
                }),
            ),
            error => (
                JobState::Failed,
                Some(
                    run.cause
                        .clone()
                        .filter(|c| !c.is_empty())
                        .or_else(|| error.map(|e| format!("The job's run failed: {e}.")))
                        .unwrap_or_else(|| "The job's run failed.".to_owned()),
                ),
            ),
        },
        RunStatus::TimedOut => (
            JobState::Failed,
            Some("The job's Step Functions run timed out.".to_owned()),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(status: RunStatus, error: Option<&str>, events: Vec<RunEvent>) -> LatestRun {
        LatestRun {
            status,
            error: error.map(str::to_owned),
            cause: None,
            events,
            records_cancel: false,
            stopped: None,
        }
    }

    fn failed(error: &str) -> RunEvent {
        RunEvent::TaskFailed {
            error: error.to_owned(),
        }
    }

    #[test]
    fn a_slice_waiting_for_a_slot_makes_the_job_queued() {
        let waiting = run(
            RunStatus::Running,
            None,
            vec![
                RunEvent::Other,
                failed(LIMIT_EXCEEDED),
                RunEvent::TaskProgressed,
            ],
        );
        let (state, reason) = derive(
            &waiting,
            &[SliceState::Completed, SliceState::Pending],
            None,
        );
        assert_eq!(state, JobState::Queued);
        assert!(reason.is_some_and(|r| r.contains("10 active replays")));
        // Once the retry is scheduled, it runs again.
        let retried = run(
            RunStatus::Running,
            None,
            vec![RunEvent::TaskProgressed, failed(LIMIT_EXCEEDED)],
        );
        assert_eq!(derive(&retried, &[], None).0, JobState::Running);
        // Another task failure is not a wait for a slot.
        let throttled = run(
            RunStatus::Running,
            None,
            vec![failed("EventBridge.ThrottlingException")],
        );
        assert_eq!(derive(&throttled, &[], None).0, JobState::Running);
    }

    #[test]
    fn pause_and_cancel_wait_for_the_running_slice() {
        let paused = run(RunStatus::Aborted, Some(PAUSED), Vec::new());
        assert_eq!(
            derive(&paused, &[SliceState::Running], None).0,
            JobState::Pausing
        );
        assert_eq!(
            derive(&paused, &[SliceState::Completed], None).0,
            JobState::Paused
        );
        // The error may be only in the history (DescribeExecution leaves it out).
        let from_history = run(
            RunStatus::Aborted,
            None,
            vec![RunEvent::Aborted {
                error: PAUSED.to_owned(),
                cause: String::new(),
            }],
        );
        assert_eq!(derive(&from_history, &[], None).0, JobState::Paused);
        // Who paused it, and when, from the stop's cause and time.
        let mut by_alice = run(RunStatus::Aborted, Some(PAUSED), Vec::new());
        by_alice.cause = Some("Paused by alice".to_owned());
        by_alice.stopped = Some(time::macros::datetime!(2026-12-06 06:35 UTC));
        assert_eq!(
            derive(&by_alice, &[SliceState::Completed], None)
                .1
                .as_deref(),
            Some("Paused by alice at 2026-12-06T06:35:00Z.")
        );
        let cancelled = run(RunStatus::Aborted, Some(CANCELLED), Vec::new());
        assert_eq!(
            derive(&cancelled, &[SliceState::Cancelling], None).0,
            JobState::Cancelling
        );
        assert_eq!(
            derive(&cancelled, &[SliceState::Cancelled], None).0,
            JobState::Cancelled
        );
        // A paused job's cancel is a run that fails with the cancel's error.
        let recording = LatestRun {
            records_cancel: true,
            ..run(RunStatus::Running, None, Vec::new())
        };
        assert_eq!(derive(&recording, &[], None).0, JobState::Cancelling);
        let recorded = run(RunStatus::Failed, Some(CANCELLED), Vec::new());
        assert_eq!(
            derive(&recorded, &[SliceState::Completed], None).0,
            JobState::Cancelled
        );
        let foreign = run(RunStatus::Aborted, None, Vec::new());
        assert_eq!(derive(&foreign, &[], None).0, JobState::Cancelled);
    }

    #[test]
    fn a_slice_name_held_by_another_replay_fails_the_job_naming_the_slice() {
        let (state, reason) = derive(
            &run(RunStatus::Failed, Some(SLICE_TAKEN), Vec::new()),
            &[SliceState::Completed, SliceState::Pending],
            Some(1),
        );
        assert_eq!(state, JobState::Failed);
        assert!(
            reason
                .as_deref()
                .is_some_and(|r| r.starts_with("Slice 2's name is held")),
            "{reason:?}"
        );
    }

    #[test]
    fn endings() {
        assert_eq!(
            derive(&run(RunStatus::Succeeded, None, Vec::new()), &[], None).0,
            JobState::Completed
        );
        let (state, reason) = derive(
            &run(RunStatus::Failed, Some(SLICE_FAILED), Vec::new()),
            &[SliceState::Completed, SliceState::Failed],
            None,
        );
        assert_eq!(state, JobState::Failed);
        assert!(reason.is_some_and(|r| r.starts_with("Slice 2")));
        let other = run(
            RunStatus::Failed,
            Some("EventBridge.ValidationException"),
            Vec::new(),
        );
        assert!(
            derive(&other, &[], None)
                .1
                .is_some_and(|r| r.contains("ValidationException"))
        );
        assert_eq!(
            derive(&run(RunStatus::TimedOut, None, Vec::new()), &[], None).0,
            JobState::Failed
        );
    }
}
