//! Replay job DTOs (`/api/replay-jobs`): a window replayed as consecutive slices of event
//! time, one at a time, with a gap between them; carried out by a Step Functions state
//! machine, so it can wait for a replay slot, be paused, resumed and cancelled.

use crate::Field;
use crate::FieldError;
use crate::replay::StartReplayRequest;
use crate::replay::{NewReplay, ReplayDestination, ReplayState};
use crate::routing::RoutingRequest;
use crate::validation::JobName;
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

/// The most slices one job has: each slice's run is a few dozen Step Functions history
/// events plus nine per poll, and a run may hold 25,000.
pub const MAX_SLICES: usize = 100;
/// Shortest and longest slice, in minutes of event time.
pub const SLICE_MINUTES: std::ops::RangeInclusive<i64> = 1..=1440;
/// The longest gap between two slices, in seconds.
pub const MAX_GAP_SECONDS: i64 = 3600;

/// The random part of a job's slice names: 16 lowercase hexadecimal digits (64 bits),
/// fixed when the job is created and kept in its record, so that no other request can
/// name a replay as one of its slices ahead of it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct SliceKey(String);

impl SliceKey {
    pub fn from_bits(bits: u64) -> Self {
        Self(format!("{bits:016x}"))
    }

    pub fn parse(text: &str) -> Result<Self, String> {
        if crate::routing::is_random_part(text) {
            Ok(Self(text.to_owned()))
        } else {
            Err(format!(
                "'{text}' is not a slice key (16 lowercase hexadecimal digits)."
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for SliceKey {
    type Error = String;
    fn try_from(text: String) -> Result<Self, String> {
        Self::parse(&text)
    }
}

impl From<SliceKey> for String {
    fn from(key: SliceKey) -> Self {
        key.0
    }
}

/// The replay name of slice `index` (from 0) of `job`: `{job}-{key}-{index+1:03}`. A job
/// created before slice keys existed (no key) named its slices `{job}-{index+1:03}`.
pub fn slice_name(job: &JobName, key: Option<&SliceKey>, index: usize) -> String {
    match key {
        Some(key) => format!("{job}-{}-{:03}", key.as_str(), index + 1),
        None => format!("{job}-{:03}", index + 1),
    }
}

wire_enum! {
    /// A job's state, derived from its Step Functions runs and its slices' replays.
    pub enum JobState ("a job state") {
        /// Waiting for a replay slot (`stateReason` says which limit).
        Queued = "QUEUED",
        Running = "RUNNING",
        /// Paused while a slice still runs: it finishes, no other starts.
        Pausing = "PAUSING",
        Paused = "PAUSED",
        /// Cancelled while its running slice is being cancelled.
        Cancelling = "CANCELLING",
        Cancelled = "CANCELLED",
        Completed = "COMPLETED",
        Failed = "FAILED",
    }
}

impl JobState {
    /// Holds one of its team's replay slots.
    pub const fn holds_slot(self) -> bool {
        matches!(self, Self::Queued | Self::Running)
    }

    /// Will start no slice again.
    pub const fn is_over(self) -> bool {
        matches!(self, Self::Cancelled | Self::Completed | Self::Failed)
    }

    /// Still changing by itself: worth refreshing.
    pub const fn is_in_progress(self) -> bool {
        matches!(
            self,
            Self::Queued | Self::Running | Self::Pausing | Self::Cancelling
        )
    }

    pub const fn can_pause(self) -> bool {
        matches!(self, Self::Queued | Self::Running)
    }

    pub const fn can_resume(self) -> bool {
        matches!(self, Self::Pausing | Self::Paused)
    }

    pub const fn can_cancel(self) -> bool {
        matches!(
            self,
            Self::Queued | Self::Running | Self::Pausing | Self::Paused
        )
    }
}

/// A slice's state: its replay's, or `PENDING` before its replay exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum SliceState {
    Pending,
    Starting,
    Running,
    Cancelling,
    Completed,
    Cancelled,
    Failed,
}

impl SliceState {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "PENDING",
            Self::Starting => "STARTING",
            Self::Running => "RUNNING",
            Self::Cancelling => "CANCELLING",
            Self::Completed => "COMPLETED",
            Self::Cancelled => "CANCELLED",
            Self::Failed => "FAILED",
        }
    }

    /// Its replay is STARTING, RUNNING or CANCELLING.
    pub const fn is_active(self) -> bool {
        matches!(self, Self::Starting | Self::Running | Self::Cancelling)
    }
}

impl From<ReplayState> for SliceState {
    fn from(state: ReplayState) -> Self {
        match state {
            ReplayState::Starting => Self::Starting,
            ReplayState::Running => Self::Running,
            ReplayState::Cancelling => Self::Cancelling,
            ReplayState::Completed => Self::Completed,
            ReplayState::Cancelled => Self::Cancelled,
            ReplayState::Failed => Self::Failed,
        }
    }
}

/// How a job is paced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Pacing {
    /// Minutes of event time per slice.
    pub slice_minutes: u32,
    /// Seconds between a slice's end and the next one's start.
    pub gap_seconds: u32,
}

/// The `pacing` of `POST /api/replay-jobs`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PacingRequest {
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 1440))]
    pub slice_minutes: i64,
    /// Default 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 3600))]
    pub gap_seconds: Option<i64>,
}

impl PacingRequest {
    pub fn validate(&self) -> Result<Pacing, FieldError> {
        if !SLICE_MINUTES.contains(&self.slice_minutes) {
            return Err(FieldError::new(
                Field::PacingSliceMinutes,
                format!(
                    "A slice is {} to {} minutes of events; {} is not.",
                    SLICE_MINUTES.start(),
                    SLICE_MINUTES.end(),
                    self.slice_minutes
                ),
            ));
        }
        let gap = self.gap_seconds.unwrap_or(0);
        if !(0..=MAX_GAP_SECONDS).contains(&gap) {
            return Err(FieldError::new(
                Field::PacingGapSeconds,
                format!("The gap is 0 to {MAX_GAP_SECONDS} seconds; {gap} is not."),
            ));
        }
        // Both fit: checked against the ranges above.
        Ok(Pacing {
            slice_minutes: u32::try_from(self.slice_minutes).unwrap_or(1),
            gap_seconds: u32::try_from(gap).unwrap_or(0),
        })
    }
}

crate::replay::replay_request! {
    /// `POST /api/replay-jobs` body: a replay request (its name a job name) with pacing.
    pub struct StartReplayJobRequest {
        /// Each slice is a replay named `{jobName}-{16 random hex digits}-{k:03}`.
        #[cfg_attr(
            feature = "openapi",
            schema(min_length = 1, max_length = 43, pattern = r"^[\.\-_A-Za-z0-9]+$")
        )]
        pub job_name: String,
        ..
        pub pacing: PacingRequest,
    }
}

/// A job request that passed every check that needs no AWS call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewReplayJob {
    pub name: JobName,
    /// The replay every slice repeats, named as the first slice, over the whole window.
    pub replay: NewReplay,
    pub pacing: Pacing,
}

/// One slice's window of event time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SliceWindow {
    pub replay_name: String,
    pub start: OffsetDateTime,
    pub end: OffsetDateTime,
}

impl StartReplayJobRequest {
    /// The replay request each slice repeats (named as the first slice, with a stand-in
    /// key: the real one is drawn when the job is created).
    fn as_replay(&self) -> StartReplayRequest {
        let name = JobName::parse(&self.job_name)
            .map(|n| slice_name(&n, Some(&SliceKey::from_bits(0)), 0))
            .unwrap_or_else(|_| "job".to_owned());
        StartReplayRequest {
            replay_name: name,
            description: self.description.clone(),
            event_source_arn: self.event_source_arn.clone(),
            event_start_time: self.event_start_time.clone(),
            event_end_time: self.event_end_time.clone(),
            destination: self.destination.clone(),
            routing: self.routing.clone(),
        }
    }

    /// Every field's problem at once; empty when valid.
    pub fn problems(&self) -> Vec<FieldError> {
        let mut problems: Vec<FieldError> =
            JobName::parse(&self.job_name).err().into_iter().collect();
        problems.extend(self.as_replay().problems());
        match self.pacing.validate() {
            Err(problem) => problems.push(problem),
            Ok(pacing) => {
                if let Ok(window) = crate::validation::ReplayWindow::parse_text(
                    &self.event_start_time,
                    &self.event_end_time,
                ) && let Err(problem) = check_slices(window.start(), window.end(), pacing)
                {
                    problems.push(problem);
                }
            }
        }
        problems
    }

    pub fn validate(&self) -> Result<NewReplayJob, FieldError> {
        let name = JobName::parse(&self.job_name)?;
        let replay = self.as_replay().validate()?;
        let pacing = self.pacing.validate()?;
        check_slices(replay.window.start(), replay.window.end(), pacing)?;
        Ok(NewReplayJob {
            name,
            replay,
            pacing,
        })
    }
}

/// How many slices of `pacing` tile the window.
pub fn slice_count(start: OffsetDateTime, end: OffsetDateTime, slice_minutes: u32) -> usize {
    let slice = Duration::minutes(i64::from(slice_minutes.max(1)));
    let window = end - start;
    if window <= Duration::ZERO {
        return 0;
    }
    let whole = window.whole_seconds() / slice.whole_seconds();
    let rest = window - slice * i32::try_from(whole).unwrap_or(i32::MAX);
    usize::try_from(whole).unwrap_or(usize::MAX) + usize::from(rest > Duration::ZERO)
}

fn check_slices(
    start: OffsetDateTime,
    end: OffsetDateTime,
    pacing: Pacing,
) -> Result<(), FieldError> {
    let count = slice_count(start, end, pacing.slice_minutes);
    if count <= MAX_SLICES {
        return Ok(());
    }
    let minutes = (end - start).whole_minutes();
    let shortest = (minutes + MAX_SLICES as i64 - 1) / MAX_SLICES as i64;
    Err(FieldError::new(
        Field::PacingSliceMinutes,
        format!(
            "This window makes {count} slices of {} minutes; a job has at most {MAX_SLICES}: choose slices of at least {shortest} minutes.",
            pacing.slice_minutes
        ),
    ))
}

impl NewReplayJob {
    /// Slice k covers `[start + k·slice, min(start + (k+1)·slice, end))`: the slices
    /// tile the window exactly. Named with the job's `key`.
    pub fn slices(&self, key: &SliceKey) -> Vec<SliceWindow> {
        slice_windows(
            &self.name,
            Some(key),
            self.replay.window.start(),
            self.replay.window.end(),
            self.pacing.slice_minutes,
        )
    }
}

/// The slices of a job over `[start, end)`.
pub fn slice_windows(
    job: &JobName,
    key: Option<&SliceKey>,
    start: OffsetDateTime,
    end: OffsetDateTime,
    slice_minutes: u32,
) -> Vec<SliceWindow> {
    let slice = Duration::minutes(i64::from(slice_minutes.max(1)));
    let mut slices = Vec::new();
    let mut from = start;
    while from < end && slices.len() <= MAX_SLICES {
        let to = (from + slice).min(end);
        slices.push(SliceWindow {
            replay_name: slice_name(job, key, slices.len()),
            start: from,
            end: to,
        });
        from = to;
    }
    slices
}

/// One slice of `GET /api/replay-jobs/{jobName}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct JobSlice {
    /// From 0.
    pub index: u32,
    pub replay_name: String,
    #[serde(with = "crate::timestamp")]
    pub event_start_time: OffsetDateTime,
    #[serde(with = "crate::timestamp")]
    pub event_end_time: OffsetDateTime,
    pub state: SliceState,
    #[serde(default, with = "crate::timestamp::option")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replay_start_time: Option<OffsetDateTime>,
    #[serde(default, with = "crate::timestamp::option")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replay_end_time: Option<OffsetDateTime>,
    /// How far its replay has got, 0 to 1.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 1))]
    pub progress: f64,
}

/// One row of `GET /api/replay-jobs`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReplayJobSummary {
    pub job_name: String,
    /// The ARN of the archive replayed from.
    pub event_source_arn: String,
    pub state: JobState,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state_reason: Option<String>,
    #[serde(with = "crate::timestamp")]
    pub event_start_time: OffsetDateTime,
    #[serde(with = "crate::timestamp")]
    pub event_end_time: OffsetDateTime,
    pub slice_minutes: u32,
    pub slices_total: u32,
    /// Slices whose replay completed.
    pub slices_done: u32,
    /// 0 to 1: completed slices, and the running one's share.
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 1))]
    pub progress: f64,
    pub created_by: String,
    #[serde(with = "crate::timestamp")]
    pub created_at: OffsetDateTime,
}

/// `GET /api/replay-jobs/{jobName}`, and the answer of every change to a job.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReplayJob {
    #[serde(flatten)]
    pub summary: ReplayJobSummary,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub destination: ReplayDestination,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub routing: Option<RoutingRequest>,
    pub pacing: Pacing,
    pub slices: Vec<JobSlice>,
}

impl ReplayJob {
    /// Progress from the slices: each completed one whole, the running one by its share.
    pub fn compute_progress(completed: bool, slices: &[JobSlice]) -> f64 {
        if completed {
            return 1.0;
        }
        if slices.is_empty() {
            return 0.0;
        }
        let done: f64 = slices
            .iter()
            .map(|s| match s.state {
                SliceState::Completed => 1.0,
                SliceState::Pending => 0.0,
                _ => s.progress.clamp(0.0, 1.0),
            })
            .sum();
        (done / slices.len() as f64).clamp(0.0, 1.0)
    }

    /// Roughly how long until the last slice ends: the completed slices' mean run plus
    /// the gap, for each slice not yet completed. None before a slice has completed, or
    /// once nothing is left.
    pub fn eta(&self) -> Option<Duration> {
        let runs: Vec<Duration> = self
            .slices
            .iter()
            .filter(|s| s.state == SliceState::Completed)
            .filter_map(|s| Some(s.replay_end_time? - s.replay_start_time?))
            .collect();
        let left = self
            .slices
            .iter()
            .filter(|s| s.state != SliceState::Completed)
            .count();
        if runs.is_empty() || left == 0 || self.summary.state.is_over() {
            return None;
        }
        let count = i32::try_from(runs.len()).ok()?;
        let mean = runs.iter().copied().sum::<Duration>() / count;
        let gap = Duration::seconds(i64::from(self.pacing.gap_seconds));
        Some((mean + gap) * i32::try_from(left).ok()?)
    }
}

/// `GET /api/replay-jobs` response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReplayJobList {
    pub jobs: Vec<ReplayJobSummary>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

/// What a replay's name says of the job it would be a slice of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SliceOf<'a> {
    pub job: &'a str,
    pub key: &'a str,
    /// From 0.
    pub index: u32,
}

/// The job a replay would be a slice of, from its name (`{jobName}-{key}-{k:03}`);
/// whether that job exists, and whether the replay really is its slice (archive and
/// window), is for the backend to say.
pub fn job_of_replay(replay: &str) -> Option<SliceOf<'_>> {
    let (rest, number) = replay.rsplit_once('-')?;
    let (job, key) = rest.rsplit_once('-')?;
    if number.len() != 3 || !number.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let index = number.parse::<u32>().ok()?.checked_sub(1)?;
    (crate::routing::is_random_part(key) && JobName::parse(job).is_ok()).then_some(SliceOf {
        job,
        key,
        index,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::replay::ReplayDestinationRequest;
    use time::macros::datetime;

    fn request() -> StartReplayJobRequest {
        StartReplayJobRequest {
            job_name: "nightly".into(),
            description: None,
            event_source_arn: "arn:aws:events:us-east-1:123456789012:archive/orders".into(),
            event_start_time: "2026-11-26T12:00:00Z".into(),
            event_end_time: "2026-11-26T13:00:00Z".into(),
            destination: ReplayDestinationRequest {
                arn: "arn:aws:events:us-east-1:123456789012:event-bus/orders".into(),
                filter_arns: None,
            },
            routing: None,
            pacing: PacingRequest {
                slice_minutes: 15,
                gap_seconds: Some(30),
            },
        }
    }

    #[test]
    fn slices_tile_the_window_exactly() {
        let job = request().validate().expect("valid");
        let key = SliceKey::from_bits(0xdead_beef);
        let slices = job.slices(&key);
        assert_eq!(slices.len(), 4);
        assert_eq!(slices[0].replay_name, "nightly-00000000deadbeef-001");
        assert_eq!(slices[3].replay_name, "nightly-00000000deadbeef-004");
        assert_eq!(slices[0].start, datetime!(2026-11-26 12:00 UTC));
        for pair in slices.windows(2) {
            assert_eq!(pair[0].end, pair[1].start);
        }
        assert_eq!(slices[3].end, datetime!(2026-11-26 13:00 UTC));
        // A window that is not a whole number of slices ends on a short slice.
        let mut odd = request();
        odd.event_end_time = "2026-11-26T13:05:00Z".into();
        let slices = odd.validate().expect("valid").slices(&key);
        assert_eq!(slices.len(), 5);
        assert_eq!(slices[4].start, datetime!(2026-11-26 13:00 UTC));
        assert_eq!(slices[4].end, datetime!(2026-11-26 13:05 UTC));
        assert_eq!(
            slice_count(
                datetime!(2026-11-26 12:00 UTC),
                datetime!(2026-11-26 13:05 UTC),
                15
            ),
            5
        );
    }

    #[test]
    fn every_field_is_checked() {
        let field_of = |change: &dyn Fn(&mut StartReplayJobRequest)| {
            let mut r = request();
            change(&mut r);
            r.validate().map(|_| ()).map_err(|e| e.field)
        };
        assert_eq!(
            field_of(&|r| r.job_name = "x".repeat(44)),
            Err(Field::JobName)
        );
        assert_eq!(
            field_of(&|r| r.job_name = "a b".into()),
            Err(Field::JobName)
        );
        assert_eq!(
            field_of(&|r| r.job_name = String::new()),
            Err(Field::JobName)
        );
        // The longest job name still makes 64-character slice names.
        assert!(field_of(&|r| r.job_name = "x".repeat(43)).is_ok());
        let longest = JobName::parse(&"x".repeat(43)).expect("valid");
        assert_eq!(
            slice_name(&longest, Some(&SliceKey::from_bits(u64::MAX)), 99).len(),
            crate::validation::ReplayName::MAX_LEN
        );
        assert_eq!(
            field_of(&|r| r.pacing.slice_minutes = 0),
            Err(Field::PacingSliceMinutes)
        );
        assert_eq!(
            field_of(&|r| r.pacing.slice_minutes = 1441),
            Err(Field::PacingSliceMinutes)
        );
        assert_eq!(
            field_of(&|r| r.pacing.gap_seconds = Some(-1)),
            Err(Field::PacingGapSeconds)
        );
        assert_eq!(
            field_of(&|r| r.pacing.gap_seconds = Some(3601)),
            Err(Field::PacingGapSeconds)
        );
        assert_eq!(
            field_of(&|r| r.event_end_time = "2026-11-26T11:00:00Z".into()),
            Err(Field::EventEndTime)
        );
        assert_eq!(
            field_of(&|r| r.event_source_arn = "nope".into()),
            Err(Field::EventSourceArn)
        );
        assert_eq!(
            field_of(&|r| r.destination.arn = "nope".into()),
            Err(Field::DestinationArn)
        );
        // 101 one-minute slices are too many; the message names the shortest slice.
        let mut many = request();
        many.pacing.slice_minutes = 1;
        many.event_end_time = "2026-11-26T13:41:00Z".into();
        let error = many.validate().expect_err("too many slices");
        assert_eq!(error.field, Field::PacingSliceMinutes);
        assert!(
            error.message.contains("at least 2 minutes"),
            "{}",
            error.message
        );
        assert_eq!(many.problems().len(), 1);
        assert!(request().problems().is_empty());
    }

    #[test]
    fn a_slice_replay_names_its_job() {
        let of = |name| job_of_replay(name).map(|s| (s.job, s.key, s.index));
        assert_eq!(
            of("nightly-00000000deadbeef-001"),
            Some(("nightly", "00000000deadbeef", 0))
        );
        assert_eq!(
            of("a-b-0123456789abcdef-012"),
            Some(("a-b", "0123456789abcdef", 11))
        );
        // Without the key, or with a key of another shape, it is no slice.
        assert_eq!(of("nightly-001"), None);
        assert_eq!(of("nightly-00000000DEADBEEF-001"), None);
        assert_eq!(of("nightly-00000000deadbeef-01"), None);
        assert_eq!(of("nightly-00000000deadbeef-000"), None);
        assert_eq!(of("-00000000deadbeef-001"), None);
        assert_eq!(of("nightly"), None);
        // Named by slice_name, read back by job_of_replay.
        let job = JobName::parse("nightly").expect("valid");
        let key = SliceKey::from_bits(42);
        assert_eq!(
            of(&slice_name(&job, Some(&key), 6)),
            Some(("nightly", key.as_str(), 6))
        );
    }

    #[test]
    fn progress_and_eta_come_from_the_slices() {
        let slice = |index: u32, state: SliceState, minutes: Option<i64>| JobSlice {
            index,
            replay_name: format!("j-000000000000002a-{:03}", index + 1),
            event_start_time: datetime!(2026-11-26 12:00 UTC),
            event_end_time: datetime!(2026-11-26 12:15 UTC),
            state,
            replay_start_time: minutes.map(|_| datetime!(2026-11-26 14:00 UTC)),
            replay_end_time: minutes
                .map(|m| datetime!(2026-11-26 14:00 UTC) + Duration::minutes(m)),
            progress: if state == SliceState::Running {
                0.5
            } else {
                0.0
            },
        };
        let slices = vec![
            slice(0, SliceState::Completed, Some(2)),
            slice(1, SliceState::Completed, Some(4)),
            slice(2, SliceState::Running, None),
            slice(3, SliceState::Pending, None),
        ];
        assert_eq!(ReplayJob::compute_progress(false, &slices), 2.5 / 4.0);
        assert_eq!(ReplayJob::compute_progress(true, &slices), 1.0);
        let job = ReplayJob {
            summary: ReplayJobSummary {
                job_name: "j".into(),
                event_source_arn: String::new(),
                state: JobState::Running,
                state_reason: None,
                event_start_time: datetime!(2026-11-26 12:00 UTC),
                event_end_time: datetime!(2026-11-26 13:00 UTC),
                slice_minutes: 15,
                slices_total: 4,
                slices_done: 2,
                progress: 0.625,
                created_by: "ana".into(),
                created_at: datetime!(2026-11-26 14:00 UTC),
            },
            description: None,
            destination: ReplayDestination {
                arn: String::new(),
                filter_arns: Vec::new(),
            },
            routing: None,
            pacing: Pacing {
                slice_minutes: 15,
                gap_seconds: 60,
            },
            slices,
        };
        // Mean run 3 minutes + 1 minute gap, for 2 slices left.
        assert_eq!(job.eta(), Some(Duration::minutes(8)));
    }

    #[test]
    fn states_say_what_may_be_done() {
        assert!(JobState::Running.can_pause() && JobState::Queued.can_pause());
        assert!(!JobState::Paused.can_pause());
        assert!(JobState::Paused.can_resume() && !JobState::Running.can_resume());
        assert!(JobState::Paused.can_cancel() && !JobState::Completed.can_cancel());
        assert!(JobState::Queued.holds_slot() && !JobState::Paused.holds_slot());
        for &state in JobState::ALL {
            assert_eq!(JobState::parse(state.as_str()), Ok(state));
            assert_eq!(serde_json::to_value(state).unwrap(), state.as_str());
        }
        assert_eq!(
            JobState::parse("DONE").map_err(|e| e.field),
            Err(Field::State)
        );
    }
}
