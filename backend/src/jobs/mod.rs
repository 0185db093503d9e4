//! Replay jobs: a window replayed as consecutive slices, one at a time, with a gap
//! between them, carried out by the Step Functions state machine of `replay-job.asl.json`
//! (over the adapters in `crate::aws`). Nothing about a job lives in this process:
//! - its definition is the input of its first run, named as the job;
//! - a pause stops the latest run (the running slice finishes, no other starts) and a
//!   resume starts run `{job}@{n}` from the first slice not completed;
//! - a cancel stops the latest run and cancels the running slice (a paused job's cancel
//!   is recorded by a run that fails at once with `Rewind.Cancelled`);
//! - its progress is its slices' replays, `{job}-{key}-001`, `{job}-{key}-002`, …, where
//!   the key (64 random bits, drawn at creation and kept in the record) makes the names
//!   unguessable; a replay under a slice's name counts as the slice only if its archive
//!   and window are the slice's (the state machine checks the same before it adopts one).
//!
//! A routed job's temporary rules match every slice's `replay-name`; they are removed
//! when the job ends (by whoever first sees it over, or by the sweep).

pub mod machine;
mod slices;
pub mod slots;
pub mod state;

pub use slices::{HoldingJob, holding_slots, is_over, mark_slices, refuse_slice_name};

use crate::aws::error::Kind;
use crate::aws::stepfunctions::{Run, RunStatus};
use crate::context::Ctx;
use crate::error::ApiError;
use crate::routing;
use futures_util::{StreamExt, stream};
use machine::{JobRecord, RunInput};
use shared::job::{
    JobSlice, JobState, NewReplayJob, ReplayJob, ReplayJobList, ReplayJobSummary, SliceKey,
    SliceState,
};
use shared::list::{ListFilter, ListRequest, Page};
use shared::replay::{ReplayDestination, ReplaySummary};
use shared::routing::TemporaryRule;
use shared::validation::{EventBusArn, JobName, NamePrefix, NextToken, ReplayName};
use shared::{ErrorCode, Field};
use slots::HolderKind;
use std::collections::HashMap;
use time::OffsetDateTime;

/// Runs one job may have: its first, and a resume or a recorded cancel each.
const MAX_RUNS: u32 = 100;
/// Jobs described at once for a list page.
const DESCRIBES_IN_FLIGHT: usize = 4;
/// Characters of a routed job's `replay-name` list a temporary rule's pattern may spend
/// (EventBridge allows 4096 in all; the copied rule's pattern needs the rest).
const SLICE_NAMES_BUDGET: usize = 3000;

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

/// The checks of a job's replay that need its archive: the window cap and forwarding
/// (admins only) first, then the caller's scope (so nothing said later names another
/// team's resources), the archive and its bus, and a forward's bus, role and ARN against
/// the deployment's policy.
async fn check(
    ctx: &Ctx,
    replay: &shared::replay::NewReplay,
) -> Result<(shared::archive::Archive, EventBusArn), ApiError> {
    ctx.check_replay(replay)?;
    let archive = crate::archives::of_replay(ctx, replay).await?;
    let bus = EventBusArn::parse(&archive.summary.event_source_arn)
        .map_err(|e| ApiError::upstream(e.message))?;
    if let Some(forward) = replay.routing.as_ref().and_then(|r| r.forward.as_ref()) {
        routing::check_forward(ctx, &bus, forward)?;
    }
    Ok((archive, bus))
}

/// Creates a job: checks it as a replay (scope, archive, bus, forwarding), its name, the
/// team's slots (reserved, not only counted); draws its slice key; makes a routed job's
/// temporary rules; starts its first run. Whatever fails after the rules were made
/// removes them again, and frees the reserved slot.
pub async fn create(ctx: &Ctx, job: NewReplayJob) -> Result<ReplayJob, ApiError> {
    let (archive, bus) = check(ctx, &job.replay).await?;
    if ctx.aws.sfn.describe_run(job.name.as_str()).await?.is_some() {
        // Step Functions' names are the account's: the same answer whoever's job it is.
        return Err(ApiError::new(
            ErrorCode::AlreadyExists,
            format!(
                "The replay job name {} is taken (Step Functions keeps a job's name for 90 days after it ends); choose another name.",
                job.name
            ),
        )
        .with_field(Field::JobName));
    }
    let key = SliceKey::from_bits(crate::random::bits()?);
    let slices = job.slices(&key);
    let names: Vec<&str> = slices.iter().map(|s| s.replay_name.as_str()).collect();
    if job.replay.routing.is_some() {
        let listed: usize = names.iter().map(|n| n.len() + 3).sum();
        if listed > SLICE_NAMES_BUDGET {
            return Err(shared::FieldError::new(
                Field::PacingSliceMinutes,
                format!(
                    "A routed job's temporary rules list every slice's replay name, and {} slices named {}-…-NNN do not fit EventBridge's 4096-character pattern; choose longer slices or a shorter job name.",
                    slices.len(),
                    job.name
                ),
            )
            .into());
        }
    }
    let slots = slots::of(ctx);
    let reservation = slots
        .reserve(ctx, bus.as_str(), job.name.as_str(), HolderKind::Job)
        .await?;
    let made = match &job.replay.routing {
        None => Ok(Vec::new()),
        Some(_) => {
            async {
                // The temporary rules are named after the job (not a slice).
                let mut replay = job.replay.clone();
                replay.name = ReplayName::parse(job.name.as_str())?;
                let routes = routing::plan_routes_for(ctx, &replay, &bus, &names).await?;
                routing::make_routes(
                    ctx,
                    &TemporaryRule::job_label(job.name.as_str()),
                    &bus,
                    routes,
                )
                .await
            }
            .await
        }
    };
    let made = match made {
        Ok(made) => made,
        Err(error) => {
            slots.release(reservation).await;
            return Err(error);
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
        // The archive as EventBridge names it, not as the caller spelled it.
        event_source_arn: archive.archive_arn.clone(),
        event_start_time: job.replay.window.start(),
        event_end_time: job.replay.window.end(),
        destination: ReplayDestination {
            arn: bus.as_str().to_owned(),
            filter_arns,
        },
        routing: job.replay.routing.as_ref().map(|r| r.to_request()),
        pacing: job.pacing,
        created_by: ctx.caller.name().to_owned(),
        created_at: OffsetDateTime::now_utc(),
        slice_key: Some(key),
    };
    let started: Result<(), ApiError> = async {
        let input = RunInput::new(record, 0, false)?.to_json()?;
        Ok(ctx.aws.sfn.start_run(job.name.as_str(), input).await?)
    }
    .await;
    if let Err(error) = started {
        slots.release(reservation).await;
        routing::remove_made(ctx, bus.bus_name(), &made).await;
        return Err(error);
    }
    let (job, _) = read(ctx, &job.name).await?;
    Ok(job)
}

/// The job with its slices, as AWS holds it. A job that is over has its temporary
/// rules removed, and a cancelled job's slice still active is cancelled (this may be
/// the first request to see either): each removal audited, intent first, as Rewind's own
/// housekeeping (`rewind-sweep`), whoever's read it rides on.
pub async fn describe(ctx: &Ctx, name: &JobName) -> Result<ReplayJob, ApiError> {
    let (job, _) = read(ctx, name).await?;
    finish_cancel(ctx, &job).await;
    if job.summary.state.is_over() && job.routing.is_some() {
        tidy(ctx, &job).await;
    }
    Ok(job)
}

/// The job with its slices, changing nothing (for its report).
pub async fn read_only(ctx: &Ctx, name: &JobName) -> Result<ReplayJob, ApiError> {
    read(ctx, name).await.map(|(job, _)| job)
}

/// The slices of a cancelled job that are still STARTING or RUNNING: a StartReplay in
/// flight when the job was cancelled may have gone through after.
fn still_replaying_after_cancel(job: &ReplayJob) -> impl Iterator<Item = &JobSlice> {
    let cancelled = matches!(
        job.summary.state,
        JobState::Cancelling | JobState::Cancelled
    );
    job.slices
        .iter()
        .filter(move |s| cancelled && matches!(s.state, SliceState::Starting | SliceState::Running))
}

/// Cancels what [`still_replaying_after_cancel`] finds.
async fn finish_cancel(ctx: &Ctx, job: &ReplayJob) {
    let everyone = ctx.eventbridge();
    for slice in still_replaying_after_cancel(job) {
        let Ok(replay) = ReplayName::parse(&slice.replay_name) else {
            continue;
        };
        let resource = format!("replay {}", slice.replay_name);
        let reason = format!(
            "a slice of replay job {}, which was cancelled",
            job.summary.job_name
        );
        let everyone = &everyone;
        crate::audit::housekeeping(&ctx.audit, &resource, &reason, async move {
            match everyone.cancel_replay(&replay).await {
                Ok(_) => Ok(()),
                Err(e) if e.is(&Kind::IllegalStatus) => Ok(()),
                Err(e) => Err(e.into()),
            }
        })
        .await;
    }
}

/// A job, its latest run's name and the run count.
async fn read(ctx: &Ctx, name: &JobName) -> Result<(ReplayJob, Runs), ApiError> {
    let (first, input) = first_run(ctx, name).await?;
    if !ctx.scope().allows_bus_arn(&input.job.destination.arn) {
        return Err(not_found(name.as_str()));
    }
    let runs = latest_run(ctx, name.as_str(), first).await?;
    let events = match runs.latest.status {
        RunStatus::Running | RunStatus::Aborted => {
            ctx.aws.sfn.last_events(&runs.latest.name, 10).await?
        }
        _ => Vec::new(),
    };
    let replays = slice_replays(ctx, name.as_str()).await?;
    let record = input.job;
    let windows = record.slices()?;
    // A replay under a slice's name that is not the slice (another archive or window) is
    // not the job's: the slice reads as not started.
    let foreign = windows.iter().position(|w| {
        replays
            .get(&w.replay_name)
            .is_some_and(|r| !record.is_slice(w, r))
    });
    let slices: Vec<JobSlice> = windows
        .into_iter()
        .enumerate()
        .map(|(index, window)| {
            let replay = replays
                .get(&window.replay_name)
                .filter(|r| record.is_slice(&window, r));
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
            stopped: runs.latest.stopped,
        },
        &states,
        foreign,
    );
    let done = slices
        .iter()
        .filter(|s| s.state == SliceState::Completed)
        .count();
    let mut destination = record.destination;
    if record.routing.is_some() {
        // A routed job's filterArns are its own temporary rules: what it routes to is
        // `routing`, and their ARNs are nobody else's business.
        destination.filter_arns = Vec::new();
    }
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
        destination,
        routing: record.routing,
        pacing: record.pacing,
        slices,
    };
    Ok((job, runs))
}

/// A job's first run and its input (the job's record), or `NotFound`.
async fn first_run(ctx: &Ctx, name: &JobName) -> Result<(Run, RunInput), ApiError> {
    let first = ctx
        .aws
        .sfn
        .describe_run(name.as_str())
        .await?
        .ok_or_else(|| not_found(name.as_str()))?;
    let input: RunInput = serde_json::from_str(&first.input).map_err(|_| {
        ApiError::upstream(format!(
            "Replay job {name}'s run holds input Rewind cannot read."
        ))
    })?;
    Ok((first, input))
}

/// A job's runs: the latest, and how many there are.
struct Runs {
    latest: Run,
    count: u32,
}

/// The latest of a job's runs, found by name: `{job}`, `{job}@2`, `{job}@3`, ….
async fn latest_run(ctx: &Ctx, job: &str, first: Run) -> Result<Runs, ApiError> {
    let mut latest = first;
    let mut count = 1;
    while count < MAX_RUNS {
        match ctx.aws.sfn.describe_run(&run_name(job, count + 1)).await? {
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
async fn slice_replays(ctx: &Ctx, name: &str) -> Result<HashMap<String, ReplaySummary>, ApiError> {
    let prefix =
        NamePrefix::parse(&format!("{name}-")).map_err(|e| ApiError::upstream(e.message))?;
    let everyone = ctx.eventbridge();
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

/// Removes a job's temporary rules, each removal audited as Rewind's housekeeping.
async fn tidy(ctx: &Ctx, job: &ReplayJob) {
    let Ok(bus) = EventBusArn::parse(&job.destination.arn) else {
        return;
    };
    let reason = format!(
        "the temporary rules of replay job {}, which is over",
        job.summary.job_name
    );
    routing::remove_routes_audited(
        ctx,
        bus.bus_name(),
        &TemporaryRule::job_label(&job.summary.job_name),
        &reason,
    )
    .await;
}

/// One page of jobs, newest first, in the caller's scope, optionally of one state. A
/// page may be short (a resume's run is not a job), never empty while more are left.
pub async fn list(
    ctx: &Ctx,
    state: Option<JobState>,
    next_token: Option<NextToken>,
) -> Result<ReplayJobList, ApiError> {
    let mut next_token = next_token.map(NextToken::into_inner);
    for _ in 0..20 {
        let (runs, next) = ctx.aws.sfn.list_runs(false, next_token.take()).await?;
        let names: Vec<JobName> = runs
            .iter()
            .filter(|r| !r.contains('@'))
            .filter_map(|r| JobName::parse_existing(r).ok())
            .collect();
        let jobs: Vec<ReplayJobSummary> = stream::iter(names)
            .map(|name| async move { read(ctx, &name).await.map(|(job, _)| job.summary) })
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
pub async fn pause(ctx: &Ctx, name: &JobName) -> Result<ReplayJob, ApiError> {
    let (job, runs) = read(ctx, name).await?;
    if !job.summary.state.can_pause() {
        return Err(illegal(&job, "paused", "QUEUED or RUNNING"));
    }
    let cause = format!("Paused by {}", ctx.caller.name());
    ctx.aws
        .sfn
        .stop_run(&runs.latest.name, state::PAUSED, &cause)
        .await?;
    slots::of(ctx)
        .free(&job.destination.arn, name.as_str())
        .await;
    describe(ctx, name).await
}

/// Resumes a paused job from its first slice not completed (a slice still finishing is
/// watched, not started again) — after every check of its creation again, against the
/// job as recorded and this caller: its archive and bus in the caller's scope, the window
/// cap, forwarding (admins only; the policy's buses, roles and ARNs as they are now), each
/// routed rule still ENABLED, and the team's slots.
pub async fn resume(ctx: &Ctx, name: &JobName) -> Result<ReplayJob, ApiError> {
    let (job, runs) = read(ctx, name).await?;
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
    let (_, input) = first_run(ctx, name).await?;
    let record = input.job;
    let replay = record.as_request().validate()?;
    let (_, bus) = check(ctx, &replay).await?;
    if let Some(routing) = &replay.routing {
        for (rule, _) in &routing.rules {
            let found = ctx
                .eventbridge()
                .describe_rule_raw(bus.bus_name(), rule.as_str())
                .await?;
            let state = found.state().map_or("not ENABLED", |s| s.as_str());
            if state != "ENABLED" {
                return Err(ApiError::new(
                    ErrorCode::IllegalStatus,
                    format!(
                        "Rule {rule} is {state} now, and this job routes copies of its targets; enable it again to resume, or cancel the job."
                    ),
                )
                .with_field(Field::RoutingTargets));
            }
        }
        let windows = record.slices()?;
        let names: Vec<&str> = windows.iter().map(|w| w.replay_name.as_str()).collect();
        routing::plan_routes_for(ctx, &replay, &bus, &names).await?;
    }
    let from = job
        .slices
        .iter()
        .position(|s| s.state != SliceState::Completed)
        .unwrap_or(job.slices.len());
    let slots = slots::of(ctx);
    let reservation = slots
        .reserve(ctx, bus.as_str(), name.as_str(), HolderKind::Job)
        .await?;
    let started: Result<(), ApiError> = async {
        let input = RunInput::new(record, from, false)?.to_json()?;
        let run = run_name(name.as_str(), runs.count + 1);
        Ok(ctx.aws.sfn.start_run(&run, input).await?)
    }
    .await;
    if let Err(error) = started {
        slots.release(reservation).await;
        return Err(error);
    }
    describe(ctx, name).await
}

/// Cancels a job: its run stops (a paused job's cancel is recorded by a run of its own),
/// then its slices are read again and any active one is cancelled (a StartReplay in
/// flight when the run stopped may just have gone through), and its temporary rules are
/// removed.
pub async fn cancel(ctx: &Ctx, name: &JobName) -> Result<ReplayJob, ApiError> {
    let (job, runs) = read(ctx, name).await?;
    if !job.summary.state.can_cancel() {
        return Err(illegal(
            &job,
            "cancelled",
            "QUEUED, RUNNING, PAUSING or PAUSED",
        ));
    }
    let cause = format!("Cancelled by {}", ctx.caller.name());
    if runs.latest.status == RunStatus::Running {
        ctx.aws
            .sfn
            .stop_run(&runs.latest.name, state::CANCELLED, &cause)
            .await?;
    } else {
        let (_, input) = first_run(ctx, name).await?;
        let input = RunInput::new(input.job, job.slices.len(), true)?.to_json()?;
        ctx.aws
            .sfn
            .start_run(&run_name(name.as_str(), runs.count + 1), input)
            .await?;
    }
    // The slices again, and the one the run was on read directly (a replay list may not
    // show a start made a moment ago).
    let (after, _) = read(ctx, name).await?;
    let everyone = ctx.eventbridge();
    let mut active: Vec<String> = after
        .slices
        .iter()
        .filter(|s| matches!(s.state, SliceState::Starting | SliceState::Running))
        .map(|s| s.replay_name.clone())
        .collect();
    if let Some(current) = job.slices.iter().find(|s| s.state != SliceState::Completed)
        && !active.contains(&current.replay_name)
        && let Ok(replay) = ReplayName::parse(&current.replay_name)
        && let Ok(found) = everyone.describe_replay(&replay).await
        && matches!(
            found.summary.state,
            shared::replay::ReplayState::Starting | shared::replay::ReplayState::Running
        )
        && found.summary.event_source_arn == job.summary.event_source_arn
        // Its window too: a replay of the same archive under that name is not the slice.
        && (found.summary.event_start_time - current.event_start_time).abs() < time::Duration::SECOND
        && (found.summary.event_end_time - current.event_end_time).abs() < time::Duration::SECOND
    {
        active.push(current.replay_name.clone());
    }
    for slice in active {
        if let Ok(replay) = ReplayName::parse(&slice)
            && let Err(error) = everyone.cancel_replay(&replay).await
            && !error.is(&Kind::IllegalStatus)
        {
            tracing::warn!(replay = %slice, %error, "a cancelled job's slice could not be cancelled");
        }
    }
    if job.routing.is_some() {
        tidy(ctx, &job).await;
    }
    slots::of(ctx)
        .free(&job.destination.arn, name.as_str())
        .await;
    describe(ctx, name).await
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

#[cfg(test)]
mod tests {
    use super::*;
    use shared::job::Pacing;
    use time::macros::datetime;

    fn record() -> JobRecord {
        JobRecord {
            job_name: "nightly".into(),
            description: None,
            event_source_arn: "arn:aws:events:us-east-1:123456789012:archive/orders-all".into(),
            event_start_time: datetime!(2026-11-26 12:00 UTC),
            event_end_time: datetime!(2026-11-26 13:00 UTC),
            destination: ReplayDestination {
                arn: "arn:aws:events:us-east-1:123456789012:event-bus/orders".into(),
                filter_arns: Vec::new(),
            },
            routing: None,
            pacing: Pacing {
                slice_minutes: 30,
                gap_seconds: 0,
            },
            created_by: "ana".into(),
            created_at: datetime!(2026-11-26 14:00 UTC),
            slice_key: Some(SliceKey::from_bits(0xabc)),
        }
    }

    fn replay(name: &str, source: &str, from: OffsetDateTime, to: OffsetDateTime) -> ReplaySummary {
        ReplaySummary {
            replay_name: name.into(),
            event_source_arn: source.into(),
            state: shared::replay::ReplayState::Running,
            state_reason: None,
            event_start_time: from,
            event_end_time: to,
            event_last_replayed_time: None,
            replay_start_time: None,
            replay_end_time: None,
            progress: 0.0,
            job: None,
        }
    }

    #[test]
    fn a_replay_is_a_jobs_slice_only_with_its_name_archive_and_window() {
        let record = record();
        let slices = record.slices().expect("slices");
        assert_eq!(slices[1].replay_name, "nightly-0000000000000abc-002");
        let job = HoldingJob {
            name: "nightly".into(),
            bus: record.destination.arn.clone(),
            slices: slices.clone(),
            record: record.clone(),
        };
        let (name, from, to) = (&slices[1].replay_name, slices[1].start, slices[1].end);
        let source = record.event_source_arn.as_str();
        assert!(job.owns(&replay(name, source, from, to)));
        // EventBridge may keep the times coarser than asked: within the second is the same.
        let coarse = from + time::Duration::milliseconds(400);
        assert!(job.owns(&replay(name, source, coarse, to)));
        // Another archive (so another bus), another window, another name: not its slice,
        // so it counts for a slot of its own and the job never adopts it.
        let other = "arn:aws:events:us-east-1:123456789012:archive/payments-all";
        assert!(!job.owns(&replay(name, other, from, to)));
        assert!(!job.owns(&replay(name, source, slices[0].start, slices[0].end)));
        assert!(!job.owns(&replay("nightly-002", source, from, to)));
        assert!(!job.owns(&replay("nightly-0000000000000abd-002", source, from, to)));
    }

    #[test]
    fn a_cancelled_jobs_slices_still_replaying_are_found() {
        let record = record();
        let slice = |index: u32, state: SliceState| JobSlice {
            index,
            replay_name: format!("nightly-0000000000000abc-{:03}", index + 1),
            event_start_time: record.event_start_time,
            event_end_time: record.event_end_time,
            state,
            replay_start_time: None,
            replay_end_time: None,
            progress: 0.0,
        };
        let job = |state: JobState| ReplayJob {
            summary: ReplayJobSummary {
                job_name: "nightly".into(),
                event_source_arn: record.event_source_arn.clone(),
                state,
                state_reason: None,
                event_start_time: record.event_start_time,
                event_end_time: record.event_end_time,
                slice_minutes: 30,
                slices_total: 3,
                slices_done: 1,
                progress: 0.3,
                created_by: "ana".into(),
                created_at: record.created_at,
            },
            description: None,
            destination: record.destination.clone(),
            routing: None,
            pacing: record.pacing,
            slices: vec![
                slice(0, SliceState::Completed),
                slice(1, SliceState::Starting),
                slice(2, SliceState::Cancelling),
            ],
        };
        let found = |state| {
            still_replaying_after_cancel(&job(state))
                .map(|s| s.index)
                .collect::<Vec<_>>()
        };
        assert_eq!(found(JobState::Cancelling), [1]);
        assert_eq!(found(JobState::Cancelled), [1]);
        // A running or paused job's slices are its own business.
        assert!(found(JobState::Running).is_empty());
        assert!(found(JobState::Paused).is_empty());
    }
}
