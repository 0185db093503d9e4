//! The contract between the backend and the replay-job state machine: the state machine's
//! definition (`replay-job.asl.json`, deployed by template.yaml too), and each run's input —
//! the job's record (the job as created, kept in its first run's input: nothing about a
//! job lives in the function) and what the machine reads (the slices from `at.k` on).

use crate::error::ApiError;
use serde::{Deserialize, Serialize};
use shared::job::{Pacing, SliceKey, SliceWindow, slice_windows};
use shared::replay::{
    ReplayDestination, ReplayDestinationRequest, ReplaySummary, StartReplayRequest,
};
use shared::routing::RoutingRequest;
use shared::validation::JobName;
use time::OffsetDateTime;

/// The state machine's definition: one file, deployed by `template.yaml` too.
pub const DEFINITION: &str = include_str!("replay-job.asl.json");

/// The job as its first run's input records it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobRecord {
    pub job_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub event_source_arn: String,
    #[serde(with = "shared::timestamp")]
    pub event_start_time: OffsetDateTime,
    #[serde(with = "shared::timestamp")]
    pub event_end_time: OffsetDateTime,
    pub destination: ReplayDestination,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub routing: Option<RoutingRequest>,
    pub pacing: Pacing,
    pub created_by: String,
    #[serde(with = "shared::timestamp")]
    pub created_at: OffsetDateTime,
    /// The random part of its slices' names (absent in jobs made before there was one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slice_key: Option<SliceKey>,
}

impl JobRecord {
    pub fn name(&self) -> Result<JobName, ApiError> {
        JobName::parse_existing(&self.job_name).map_err(|e| ApiError::upstream(e.message))
    }

    pub fn slices(&self) -> Result<Vec<SliceWindow>, ApiError> {
        Ok(slice_windows(
            &self.name()?,
            self.slice_key.as_ref(),
            self.event_start_time,
            self.event_end_time,
            self.pacing.slice_minutes,
        ))
    }

    /// Whether `replay` is slice `window` of this job: its name, archive and window (to
    /// the second: EventBridge keeps times coarser than a request may give them). Its
    /// destination follows from its archive: EventBridge replays only to the archive's
    /// own bus.
    pub fn is_slice(&self, window: &SliceWindow, replay: &ReplaySummary) -> bool {
        let same = |a: OffsetDateTime, b: OffsetDateTime| (a - b).abs() < time::Duration::SECOND;
        replay.replay_name == window.replay_name
            && replay.event_source_arn == self.event_source_arn
            && same(replay.event_start_time, window.start)
            && same(replay.event_end_time, window.end)
    }

    /// The replay every slice repeats, as a request: checked again on resume exactly as
    /// at creation (a routed job's own temporary rules are not its choice of rules).
    pub fn as_request(&self) -> StartReplayRequest {
        StartReplayRequest {
            replay_name: self
                .name()
                .map(|n| shared::job::slice_name(&n, self.slice_key.as_ref(), 0))
                .unwrap_or_else(|_| self.job_name.clone()),
            description: self.description.clone(),
            event_source_arn: self.event_source_arn.clone(),
            event_start_time: shared::timestamp::format(self.event_start_time),
            event_end_time: shared::timestamp::format(self.event_end_time),
            destination: ReplayDestinationRequest {
                arn: self.destination.arn.clone(),
                filter_arns: (self.routing.is_none() && !self.destination.filter_arns.is_empty())
                    .then(|| self.destination.filter_arns.clone()),
            },
            routing: self.routing.clone(),
        }
    }
}

/// A run's input: the job, and what the state machine reads (see its definition).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunInput {
    pub job: JobRecord,
    #[serde(default)]
    pub cancel: bool,
    pub source: String,
    pub destination: MachineDestination,
    pub slices: Vec<MachineSlice>,
    pub count: usize,
    pub at: At,
    pub poll_seconds: u32,
}

/// StartReplay's `Destination`, as the state machine passes it on.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MachineDestination {
    #[serde(rename = "Arn")]
    pub arn: String,
    #[serde(rename = "FilterArns", default, skip_serializing_if = "Vec::is_empty")]
    pub filter_arns: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MachineSlice {
    pub name: String,
    pub description: String,
    pub from: String,
    pub to: String,
    pub gap_after: u32,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct At {
    pub k: usize,
}

impl RunInput {
    pub fn new(job: JobRecord, from_slice: usize, cancel: bool) -> Result<Self, ApiError> {
        let windows = job.slices()?;
        let count = windows.len();
        let slices = windows
            .into_iter()
            .enumerate()
            .map(|(k, w)| MachineSlice {
                description: format!(
                    "Slice {} of {count} of Rewind replay job {}",
                    k + 1,
                    job.job_name
                ),
                name: w.replay_name,
                from: shared::timestamp::format(w.start),
                to: shared::timestamp::format(w.end),
                gap_after: if k + 1 == count {
                    0
                } else {
                    job.pacing.gap_seconds
                },
            })
            .collect();
        Ok(Self {
            cancel,
            source: job.event_source_arn.clone(),
            destination: MachineDestination {
                arn: job.destination.arn.clone(),
                filter_arns: job.destination.filter_arns.clone(),
            },
            slices,
            count,
            at: At { k: from_slice },
            // Long slices are read less often: a run's history holds 25,000 events.
            poll_seconds: (job.pacing.slice_minutes * 2).clamp(15, 300),
            job,
        })
    }

    pub fn to_json(&self) -> Result<String, ApiError> {
        serde_json::to_string(self)
            .map_err(|e| ApiError::upstream(format!("A job's input could not be written: {e}")))
    }
}
