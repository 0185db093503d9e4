//! Which replays are whose slices, and which jobs hold their team's slots: what the
//! replay use-cases, the slot ledger and the sweep ask of the jobs.

use super::machine::{JobRecord, RunInput};
use super::{first_run, read};
use crate::context::Ctx;
use crate::error::ApiError;
use shared::job::SliceWindow;
use shared::replay::ReplaySummary;
use shared::validation::{JobName, ReplayName};
use shared::{ErrorCode, Field};
use std::collections::HashMap;

/// Whether the job `name` is over (for the sweep): None when there is no such job.
pub async fn is_over(ctx: &Ctx, name: &str) -> Result<Option<bool>, ApiError> {
    let Ok(name) = JobName::parse_existing(name) else {
        return Ok(None);
    };
    match read(ctx, &name).await {
        Ok((job, _)) => Ok(Some(job.summary.state.is_over())),
        Err(e) if e.code == ErrorCode::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// A job holding one of its team's replay slots (its latest run is RUNNING: the job is
/// QUEUED or RUNNING), with what tells its own slices from look-alikes.
pub struct HoldingJob {
    pub name: String,
    /// Its event bus ARN.
    pub bus: String,
    pub(super) record: JobRecord,
    pub(super) slices: Vec<SliceWindow>,
}

impl HoldingJob {
    /// Who created the job.
    pub fn created_by(&self) -> &str {
        &self.record.created_by
    }

    /// Whether `replay` is one of this job's slices (name, archive and window).
    pub fn owns(&self, replay: &ReplaySummary) -> bool {
        self.slices
            .iter()
            .any(|window| self.record.is_slice(window, replay))
    }
}

/// The jobs whose latest run is RUNNING (QUEUED or RUNNING jobs): each holds one replay
/// slot of its team.
pub async fn holding_slots(ctx: &Ctx) -> Result<Vec<HoldingJob>, ApiError> {
    let mut token = None;
    let mut jobs = Vec::new();
    loop {
        let (names, next) = ctx.aws.sfn.list_runs(true, token.take()).await?;
        for name in names {
            let job = name.split('@').next().unwrap_or(&name).to_owned();
            // The record is the first run's (a resume's run carries the same).
            if let Some(run) = ctx.aws.sfn.describe_run(&name).await?
                && let Ok(input) = serde_json::from_str::<RunInput>(&run.input)
                && let Ok(slices) = input.job.slices()
            {
                jobs.push(HoldingJob {
                    name: job,
                    bus: input.job.destination.arn.clone(),
                    record: input.job,
                    slices,
                });
            }
        }
        match next {
            Some(next) => token = Some(next),
            None => return Ok(jobs),
        }
    }
}

/// The record of the job a replay's name says it is a slice of, when that job exists and
/// the name carries its key — or, for a job made before slice keys, is `{job}-NNN`.
async fn claimed_by(ctx: &Ctx, replay: &str) -> Result<Option<JobRecord>, ApiError> {
    if let Some(slice) = shared::job::job_of_replay(replay)
        && let Ok(job) = JobName::parse_existing(slice.job)
        && let Some(record) = record_of(ctx, &job).await?
        && record
            .slice_key
            .as_ref()
            .is_some_and(|key| key.as_str() == slice.key)
    {
        return Ok(Some(record));
    }
    // The keyless names of older jobs.
    if let Some((job, number)) = replay.rsplit_once('-')
        && number.len() == 3
        && number.bytes().all(|b| b.is_ascii_digit())
        && let Ok(job) = JobName::parse_existing(job)
        && let Some(record) = record_of(ctx, &job).await?
        && record.slice_key.is_none()
    {
        return Ok(Some(record));
    }
    Ok(None)
}

/// The record of job `name`, if it exists.
async fn record_of(ctx: &Ctx, name: &JobName) -> Result<Option<JobRecord>, ApiError> {
    match first_run(ctx, name).await {
        Ok((_, input)) => Ok(Some(input.job)),
        Err(e) if e.code == ErrorCode::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// `AlreadyExists` when `replay` is named as a slice of an existing job: such a name is
/// the job's alone (its state machine would otherwise meet the replay under its slice's
/// name). The job is named to a caller who may see it; anyone else learns only that the
/// name is taken.
pub async fn refuse_slice_name(ctx: &Ctx, replay: &ReplayName) -> Result<(), ApiError> {
    let Some(record) = claimed_by(ctx, replay.as_str()).await? else {
        return Ok(());
    };
    let message = if ctx.scope().allows_bus_arn(&record.destination.arn) {
        format!(
            "Replay name {replay} is a slice of replay job {}, and only that job may use it; choose another name.",
            record.job_name
        )
    } else {
        format!("Replay name {replay} is taken; choose another name.")
    };
    Err(ApiError::new(ErrorCode::AlreadyExists, message).with_field(Field::ReplayName))
}

/// Marks each replay that is a slice of an existing job with that job's name (its name
/// carries the job's key, and its archive and window are the slice's): one
/// DescribeExecution per distinct job the names suggest.
pub async fn mark_slices(ctx: &Ctx, replays: &mut [ReplaySummary]) {
    let mut jobs: HashMap<String, Option<(JobRecord, Vec<SliceWindow>)>> = HashMap::new();
    for replay in replays.iter_mut() {
        let Some(slice) = shared::job::job_of_replay(&replay.replay_name) else {
            continue;
        };
        let key = format!("{}-{}", slice.job, slice.key);
        if !jobs.contains_key(&key) {
            let found = claimed_by(ctx, &replay.replay_name)
                .await
                .ok()
                .flatten()
                .and_then(|record| record.slices().ok().map(|windows| (record, windows)));
            jobs.insert(key.clone(), found);
        }
        if let Some(Some((record, windows))) = jobs.get(&key)
            && windows.iter().any(|w| record.is_slice(w, replay))
        {
            replay.job = Some(record.job_name.clone());
        }
    }
}
