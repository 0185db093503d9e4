//! Replay jobs: a window replayed as consecutive slices, one at a time, with a gap
//! between them, carried out by the Step Functions state machine of `replay-job.asl.json`
//! (over the adapters in `crate::aws`). Nothing about a job lives in this process:
//! - its definition is the input of its first run, named as the job;
//! - a pause stops the latest run (the running slice finishes, no other starts) and a
//!   resume starts run `{job}@{n}` from the first slice not completed;
//! - a cancel stops the latest run and cancels the running slice (a paused job's cancel
//!   is recorded by a run that fails at once with `Rewind.Cancelled`);
//! - its progress is its slices' replays, `{job}-001`, `{job}-002`, ….
//!
//! A routed job's temporary rules match every slice's `replay-name`; they are removed
//! when the job ends (by whoever first sees it over, or by the sweep).

pub mod slots;
pub mod state;

use crate::aws::eventbridge::EventBridge;
use crate::aws::stepfunctions::{Run, RunStatus, StepFunctions};
use crate::error::ApiError;
use crate::replays::routing;
use futures_util::{StreamExt, stream};
use serde::{Deserialize, Serialize};
use shared::job::{
    JobSlice, JobState, NewReplayJob, Pacing, ReplayJob, ReplayJobList, ReplayJobSummary,
    SliceState, slice_windows,
};
use shared::list::{ListFilter, ListRequest, Page};
use shared::replay::{ReplayDestination, ReplaySummary};
use shared::routing::{RoutingRequest, TemporaryRule};
use shared::validation::{EventBusArn, JobName, NamePrefix, NextToken};
use shared::{ErrorCode, Field};
use std::collections::HashMap;
use time::OffsetDateTime;

/// Runs one job may have: its first, and a resume or a recorded cancel each.
const MAX_RUNS: u32 = 100;
/// Jobs described at once for a list page.
const DESCRIBES_IN_FLIGHT: usize = 4;
/// Characters of a routed job's `replay-name` list a temporary rule's pattern may spend
/// (EventBridge allows 4096 in all; the copied rule's pattern needs the rest).
const SLICE_NAMES_BUDGET: usize = 3000;

/// The job as its first run's input records it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct JobRecord {
    job_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    event_source_arn: String,
    #[serde(with = "shared::timestamp")]
    event_start_time: OffsetDateTime,
    #[serde(with = "shared::timestamp")]
    event_end_time: OffsetDateTime,
    destination: ReplayDestination,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    routing: Option<RoutingRequest>,
    pacing: Pacing,
    created_by: String,
    #[serde(with = "shared::timestamp")]
    created_at: OffsetDateTime,
}

/// A run's input: the job, and what the state machine reads (see its definition).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RunInput {
    job: JobRecord,
    #[serde(default)]
    cancel: bool,
    source: String,
    destination: MachineDestination,
    slices: Vec<MachineSlice>,
    count: usize,
    at: At,
    poll_seconds: u32,
}

/// StartReplay's `Destination`, as the state machine passes it on.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct MachineDestination {
    #[serde(rename = "Arn")]
    arn: String,
    #[serde(rename = "FilterArns", default, skip_serializing_if = "Vec::is_empty")]
    filter_arns: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct MachineSlice {
    name: String,
    description: String,
    from: String,
    to: String,
    gap_after: u32,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
struct At {
    k: usize,
}

impl RunInput {
    fn new(job: JobRecord, from_slice: usize, cancel: bool) -> Result<Self, ApiError> {
        let name = JobName::parse(&job.job_name).map_err(|e| ApiError::upstream(e.message))?;
        let windows = slice_windows(
            &name,
            job.event_start_time,
            job.event_end_time,
            job.pacing.slice_minutes,
        );
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

    fn to_json(&self) -> Result<String, ApiError> {
        serde_json::to_string(self)
            .map_err(|e| ApiError::upstream(format!("A job's input could not be written: {e}")))
    }
}

/// The name of a job's run `n` (1: the first, named as the job).
fn run_name(job: &str, n: u32) -> String {
    if n <= 1 {
        job.to_owned()
    } else {
        format!("{job}@{n}")
    }
}

fn not_found(name: &str) -> ApiError {
    ApiError::not_found(format!("Replay job {name} does not exist."))
}

/// Creates a job: checks it as a replay (archive, bus, scope), its name and its slices'
/// replay names, the team's slots; makes a routed job's temporary rules; starts its
/// first run. Whatever fails after the rules were made removes them again.
pub async fn create(
    sfn: &StepFunctions,
    eventbridge: &EventBridge,
    slots: &slots::Slots<'_>,
    (created_by, allowed_targets): (&str, &[String]),
    job: NewReplayJob,
) -> Result<ReplayJob, ApiError> {
    let archive = crate::replays::archive_of(eventbridge, &job.replay).await?;
    let bus = EventBusArn::parse(&archive.summary.event_source_arn)
        .map_err(|e| ApiError::upstream(e.message))?;
    if let Some(forward) = job.replay.routing.as_ref().and_then(|r| r.forward.as_ref()) {
        routing::check_forward(eventbridge, &bus, forward, allowed_targets)?;
    }
    if sfn.describe_run(job.name.as_str()).await?.is_some() {
        return Err(ApiError::new(
            ErrorCode::AlreadyExists,
            format!(
                "A replay job named {} exists (Step Functions keeps a job's name for 90 days after it ends); choose another name.",
                job.name
            ),
        )
        .with_field(Field::JobName));
    }
    let slices = job.slices();
    let taken = slice_replays(eventbridge, job.name.as_str()).await?;
    if let Some(slice) = slices.iter().find(|s| taken.contains_key(&s.replay_name)) {
        return Err(ApiError::new(
            ErrorCode::AlreadyExists,
            format!(
                "A replay named {} exists, and this job's slices are named {}-001, {}-002, …; choose another job name.",
                slice.replay_name, job.name, job.name
            ),
        )
        .with_field(Field::JobName));
    }
    slots.check(eventbridge, bus.as_str()).await?;
    let names: Vec<&str> = slices.iter().map(|s| s.replay_name.as_str()).collect();
    let made = match &job.replay.routing {
        None => Vec::new(),
        Some(_) => {
            let listed: usize = names.iter().map(|n| n.len() + 3).sum();
            if listed > SLICE_NAMES_BUDGET {
                return Err(shared::FieldError::new(
                    Field::PacingSliceMinutes,
                    format!(
                        "A routed job's temporary rules list every slice's replay name, and {} slices named {}-NNN do not fit EventBridge's 4096-character pattern; choose longer slices or a shorter job name.",
                        slices.len(),
                        job.name
                    ),
                )
                .into());
            }
            let routes = routing::plan_routes_for(eventbridge, &job.replay, &bus, &names).await?;
            routing::make_routes(
                eventbridge,
                &TemporaryRule::job_label(job.name.as_str()),
                &bus,
                routes,
            )
            .await?
        }
    };
    let filter_arns = if made.is_empty() {
        job.replay
            .filter_rules
            .iter()
            .map(|r| r.as_str().to_owned())
            .collect()
    } else {
        made.iter().map(|r| r.arn.clone()).collect()
    };
    let record = JobRecord {
        job_name: job.name.as_str().to_owned(),
        description: job
            .replay
            .description
            .as_ref()
            .map(|d| d.as_str().to_owned()),
        event_source_arn: job.replay.archive.as_str().to_owned(),
        event_start_time: job.replay.window.start(),
        event_end_time: job.replay.window.end(),
        destination: ReplayDestination {
            arn: bus.as_str().to_owned(),
            filter_arns,
        },
        routing: job.replay.routing.as_ref().map(|r| r.to_request()),
        pacing: job.pacing,
        created_by: created_by.to_owned(),
        created_at: OffsetDateTime::now_utc(),
    };
    let started = async {
        let input = RunInput::new(record, 0, false)?.to_json()?;
        sfn.start_run(job.name.as_str(), input).await
    }
    .await;
    if let Err(error) = started {
        routing::remove_made(eventbridge, bus.bus_name(), &made).await;
        return Err(error);
    }
    describe(sfn, eventbridge, &job.name).await
}

/// The job with its slices, as AWS holds it. A job that is over has its temporary
/// rules removed (this may be the first request to see it over).
pub async fn describe(
    sfn: &StepFunctions,
    eventbridge: &EventBridge,
    name: &JobName,
) -> Result<ReplayJob, ApiError> {
    let (job, _) = read(sfn, eventbridge, name).await?;
    if job.summary.state.is_over() && job.routing.is_some() {
        tidy(eventbridge, &job).await;
    }
    Ok(job)
}

/// A job, its latest run's name and the run count.
async fn read(
    sfn: &StepFunctions,
    eventbridge: &EventBridge,
    name: &JobName,
) -> Result<(ReplayJob, Runs), ApiError> {
    let first = sfn
        .describe_run(name.as_str())
        .await?
        .ok_or_else(|| not_found(name.as_str()))?;
    let input: RunInput = serde_json::from_str(&first.input).map_err(|_| {
        ApiError::upstream(format!(
            "Replay job {name}'s run holds input Rewind cannot read."
        ))
    })?;
    if !eventbridge
        .scope()
        .allows_bus_arn(&input.job.destination.arn)
    {
        return Err(not_found(name.as_str()));
    }
    let runs = latest_run(sfn, name.as_str(), first).await?;
    let events = match runs.latest.status {
        RunStatus::Running | RunStatus::Aborted => sfn.last_events(&runs.latest.name, 10).await?,
        _ => Vec::new(),
    };
    let replays = slice_replays(eventbridge, name.as_str()).await?;
    let record = input.job;
    let slices: Vec<JobSlice> = slice_windows(
        name,
        record.event_start_time,
        record.event_end_time,
        record.pacing.slice_minutes,
    )
    .into_iter()
    .enumerate()
    .map(|(index, window)| {
        let replay = replays.get(&window.replay_name);
        JobSlice {
            index: u32::try_from(index).unwrap_or(u32::MAX),
            event_start_time: window.start,
            event_end_time: window.end,
            state: replay.map_or(SliceState::Pending, |r| r.state.into()),
            replay_start_time: replay.and_then(|r| r.replay_start_time),
            replay_end_time: replay.and_then(|r| r.replay_end_time),
            progress: replay.map_or(0.0, |r| r.progress),
            replay_name: window.replay_name,
        }
    })
    .collect();
    let states: Vec<SliceState> = slices.iter().map(|s| s.state).collect();
    let (state, state_reason) = state::derive(
        &state::LatestRun {
            status: runs.latest.status,
            error: runs.latest.error.clone(),
            cause: runs.latest.cause.clone(),
            events,
            records_cancel: serde_json::from_str::<RunInput>(&runs.latest.input)
                .is_ok_and(|input| input.cancel),
        },
        &states,
    );
    let done = slices
        .iter()
        .filter(|s| s.state == SliceState::Completed)
        .count();
    let job = ReplayJob {
        summary: ReplayJobSummary {
            job_name: record.job_name,
            event_source_arn: record.event_source_arn,
            state,
            state_reason,
            event_start_time: record.event_start_time,
            event_end_time: record.event_end_time,
            slice_minutes: record.pacing.slice_minutes,
            slices_total: u32::try_from(slices.len()).unwrap_or(u32::MAX),
            slices_done: u32::try_from(done).unwrap_or(u32::MAX),
            progress: ReplayJob::compute_progress(state == JobState::Completed, &slices),
            created_by: record.created_by,
            created_at: record.created_at,
        },
        description: record.description,
        destination: record.destination,
        routing: record.routing,
        pacing: record.pacing,
        slices,
    };
    Ok((job, runs))
}

/// A job's runs: the latest, and how many there are.
struct Runs {
    latest: Run,
    count: u32,
}

/// The latest of a job's runs, found by name: `{job}`, `{job}@2`, `{job}@3`, ….
async fn latest_run(sfn: &StepFunctions, job: &str, first: Run) -> Result<Runs, ApiError> {
    let mut latest = first;
    let mut count = 1;
    while count < MAX_RUNS {
        match sfn.describe_run(&run_name(job, count + 1)).await? {
            Some(run) => {
                latest = run;
                count += 1;
            }
            None => break,
        }
    }
    Ok(Runs { latest, count })
}

/// The slices' replays of job `name`, by replay name (every replay named `{name}-…`).
async fn slice_replays(
    eventbridge: &EventBridge,
    name: &str,
) -> Result<HashMap<String, ReplaySummary>, ApiError> {
    let prefix =
        NamePrefix::parse(&format!("{name}-")).map_err(|e| ApiError::upstream(e.message))?;
    let everyone = eventbridge.unscoped();
    let mut replays = HashMap::new();
    let mut token: Option<NextToken> = None;
    loop {
        let page = everyone
            .list_replays(ListRequest {
                filter: ListFilter::NamePrefix(prefix.clone()),
                page: Page {
                    limit: None,
                    next_token: token.take(),
                },
            })
            .await?;
        replays.extend(page.replays.into_iter().map(|r| (r.replay_name.clone(), r)));
        match page.next_token.as_deref().map(NextToken::parse) {
            Some(Ok(next)) => token = Some(next),
            _ => return Ok(replays),
        }
    }
}

/// Removes a job's temporary rules.
async fn tidy(eventbridge: &EventBridge, job: &ReplayJob) {
    if let Ok(bus) = EventBusArn::parse(&job.destination.arn) {
        routing::remove_routes(
            &eventbridge.unscoped(),
            bus.bus_name(),
            &TemporaryRule::job_label(&job.summary.job_name),
        )
        .await;
    }
}

/// One page of jobs, newest first, in the caller's scope, optionally of one state. A
/// page may be short (a resume's run is not a job), never empty while more are left.
pub async fn list(
    sfn: &StepFunctions,
    eventbridge: &EventBridge,
    state: Option<JobState>,
    mut next_token: Option<String>,
) -> Result<ReplayJobList, ApiError> {
    for _ in 0..20 {
        let (runs, next) = sfn.list_runs(next_token.take()).await?;
        let names: Vec<JobName> = runs
            .iter()
            .filter(|r| !r.contains('@'))
            .filter_map(|r| JobName::parse(r).ok())
            .collect();
        let jobs: Vec<ReplayJobSummary> = stream::iter(names)
            .map(|name| async move {
                read(sfn, eventbridge, &name)
                    .await
                    .map(|(job, _)| job.summary)
            })
            .buffered(DESCRIBES_IN_FLIGHT)
            .filter_map(|job| async move {
                match job {
                    Ok(job) => Some(Ok(job)),
                    Err(e) if e.code == ErrorCode::NotFound => None,
                    Err(e) => Some(Err(e)),
                }
            })
            .collect::<Vec<_>>()
            .await
            .into_iter()
            .collect::<Result<_, _>>()?;
        let jobs: Vec<ReplayJobSummary> = jobs
            .into_iter()
            .filter(|j| state.is_none_or(|s| j.state == s))
            .collect();
        if !jobs.is_empty() || next.is_none() {
            return Ok(ReplayJobList {
                jobs,
                next_token: next,
            });
        }
        next_token = next;
    }
    Ok(ReplayJobList {
        jobs: Vec::new(),
        next_token,
    })
}

/// Pauses a QUEUED or RUNNING job: its run stops, a running slice finishes.
pub async fn pause(
    sfn: &StepFunctions,
    eventbridge: &EventBridge,
    name: &JobName,
    by: &str,
) -> Result<ReplayJob, ApiError> {
    let (job, runs) = read(sfn, eventbridge, name).await?;
    if !job.summary.state.can_pause() {
        return Err(illegal(&job, "paused", "QUEUED or RUNNING"));
    }
    sfn.stop_run(&runs.latest.name, state::PAUSED, &format!("Paused by {by}"))
        .await?;
    describe(sfn, eventbridge, name).await
}

/// Resumes a paused job from its first slice not completed (a slice still finishing is
/// watched, not started again).
pub async fn resume(
    sfn: &StepFunctions,
    eventbridge: &EventBridge,
    slots: &slots::Slots<'_>,
    name: &JobName,
) -> Result<ReplayJob, ApiError> {
    let (job, runs) = read(sfn, eventbridge, name).await?;
    if !job.summary.state.can_resume() {
        return Err(illegal(&job, "resumed", "PAUSING or PAUSED"));
    }
    if runs.count >= MAX_RUNS {
        return Err(ApiError::new(
            ErrorCode::LimitExceeded,
            format!(
                "Replay job {name} was paused and resumed {MAX_RUNS} times; start a new job for the rest."
            ),
        ));
    }
    slots.check(eventbridge, &job.destination.arn).await?;
    let from = job
        .slices
        .iter()
        .position(|s| s.state != SliceState::Completed)
        .unwrap_or(job.slices.len());
    let record = first_record(sfn, name).await?;
    let input = RunInput::new(record, from, false)?.to_json()?;
    sfn.start_run(&run_name(name.as_str(), runs.count + 1), input)
        .await?;
    describe(sfn, eventbridge, name).await
}

/// Cancels a job: its run stops (a paused job's cancel is recorded by a run of its own),
/// the running slice is cancelled, its temporary rules are removed.
pub async fn cancel(
    sfn: &StepFunctions,
    eventbridge: &EventBridge,
    name: &JobName,
    by: &str,
) -> Result<ReplayJob, ApiError> {
    let (job, runs) = read(sfn, eventbridge, name).await?;
    if !job.summary.state.can_cancel() {
        return Err(illegal(
            &job,
            "cancelled",
            "QUEUED, RUNNING, PAUSING or PAUSED",
        ));
    }
    let cause = format!("Cancelled by {by}");
    if runs.latest.status == RunStatus::Running {
        sfn.stop_run(&runs.latest.name, state::CANCELLED, &cause)
            .await?;
    } else {
        let record = first_record(sfn, name).await?;
        let input = RunInput::new(record, job.slices.len(), true)?.to_json()?;
        sfn.start_run(&run_name(name.as_str(), runs.count + 1), input)
            .await?;
    }
    let everyone = eventbridge.unscoped();
    for slice in job
        .slices
        .iter()
        .filter(|s| matches!(s.state, SliceState::Starting | SliceState::Running))
    {
        if let Ok(replay) = shared::validation::ReplayName::parse(&slice.replay_name)
            && let Err(error) = everyone.cancel_replay(&replay).await
            && error.code != ErrorCode::IllegalStatus
        {
            tracing::warn!(replay = %slice.replay_name, %error, "a cancelled job's slice could not be cancelled");
        }
    }
    if job.routing.is_some() {
        tidy(eventbridge, &job).await;
    }
    describe(sfn, eventbridge, name).await
}

/// The job record of a job's first run.
async fn first_record(sfn: &StepFunctions, name: &JobName) -> Result<JobRecord, ApiError> {
    let first = sfn
        .describe_run(name.as_str())
        .await?
        .ok_or_else(|| not_found(name.as_str()))?;
    serde_json::from_str::<RunInput>(&first.input)
        .map(|input| input.job)
        .map_err(|_| {
            ApiError::upstream(format!(
                "Replay job {name}'s run holds input Rewind cannot read."
            ))
        })
}

fn illegal(job: &ReplayJob, done: &str, allowed: &str) -> ApiError {
    ApiError::new(
        ErrorCode::IllegalStatus,
        format!(
            "Replay job {} is {}; only a {allowed} job can be {done}.",
            job.summary.job_name,
            job.summary.state.as_str()
        ),
    )
}

/// Whether the job `name` is over (for the sweep): None when there is no such job.
pub async fn is_over(
    sfn: &StepFunctions,
    eventbridge: &EventBridge,
    name: &str,
) -> Result<Option<bool>, ApiError> {
    let Ok(name) = JobName::parse(name) else {
        return Ok(None);
    };
    match read(sfn, &eventbridge.unscoped(), &name).await {
        Ok((job, _)) => Ok(Some(job.summary.state.is_over())),
        Err(e) if e.code == ErrorCode::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// The jobs whose latest run is RUNNING (QUEUED or RUNNING jobs) with their event bus
/// ARNs: each holds one replay slot of its team.
pub async fn holding_slots(sfn: &StepFunctions) -> Result<Vec<(String, String)>, ApiError> {
    let mut token = None;
    let mut jobs = Vec::new();
    loop {
        let (names, next) = sfn.list_running_runs(token.take()).await?;
        for name in names {
            let job = name.split('@').next().unwrap_or(&name).to_owned();
            if let Some(run) = sfn.describe_run(&name).await?
                && let Ok(input) = serde_json::from_str::<RunInput>(&run.input)
            {
                jobs.push((job, input.job.destination.arn));
            }
        }
        match next {
            Some(next) => token = Some(next),
            None => return Ok(jobs),
        }
    }
}

/// Marks each replay that is a slice of an existing job with that job's name: one
/// DescribeExecution per distinct job the names suggest.
pub async fn mark_slices(sfn: &StepFunctions, replays: &mut [ReplaySummary]) {
    let mut jobs: HashMap<String, bool> = HashMap::new();
    for replay in replays.iter_mut() {
        let Some((job, _)) = shared::job::job_of_replay(&replay.replay_name) else {
            continue;
        };
        let exists = match jobs.get(job) {
            Some(exists) => *exists,
            None => {
                let exists = matches!(sfn.describe_run(job).await, Ok(Some(_)));
                jobs.insert(job.to_owned(), exists);
                exists
            }
        };
        if exists {
            replay.job = Some(job.to_owned());
        }
    }
}
