//! The on-call view (`GET /api/now`): what holds the account's replay slots, each of the
//! caller's teams' share, the jobs that wait, what went wrong in the last day and the
//! temporary resources alive — read from AWS on every request (the replays EventBridge
//! lists, the jobs' runs in Step Functions, the queues and subscribers Rewind tagged),
//! never from memory, so that every instance of the function gives the same answer.

use crate::context::Ctx;
use crate::error::ApiError;
use crate::jobs::{self, HoldingJob};
use shared::job::JobState;
use shared::job::ReplayJobSummary;
use shared::list::{ListFilter, ListRequest, Page};
use shared::now::{
    ACCOUNT_REPLAY_LIMIT, DeliveryVerdict, HolderKind, Now, RecentItem, RecentKind, SlotHolder,
    Slots, TeamShare, TemporaryKind, TemporaryResource, WaitingJob, expected_end,
};
use shared::peek::PeekId;
use shared::replay::{ReplayState, ReplaySummary};
use shared::report::ReplayReport;
use shared::routing::INSTANCE_TAG;
use shared::teams::Scope;
use shared::v2::{V2Replay, V2ReplayState};
use shared::validation::{ArchiveArn, ArchiveName, JobName, NextToken, ReplayName};
use std::collections::HashMap;
use time::{Duration, OffsetDateTime};

/// How far back "recent" looks.
const RECENT: Duration = Duration::hours(24);
/// Pages of jobs read for the waiting and the recent ones (newest first): one, as the
/// Jobs list's first page (a page that keeps nothing reads on, at most 20 upstream pages).
const JOB_PAGES: usize = 1;
/// Completed replays of the last day whose reports are read for failed deliveries,
/// newest first (reports are cached, and spend the caller's report budget).
const REPORTS_READ: usize = 3;

pub async fn now(ctx: &Ctx) -> Result<Now, ApiError> {
    let read_at = OffsetDateTime::now_utc();
    let scope = ctx.scope();
    let active = crate::jobs::slots::active_replays(ctx).await?;
    let mut unread = Vec::new();
    // Without the jobs, their slices read as replays: said, not hidden.
    let holding = jobs::holding_slots(ctx).await.unwrap_or_else(|e| {
        unread.push(unread_note("Replay jobs", &e));
        Vec::new()
    });
    let mut buses = BusOf::default();
    let mut holders = Vec::new();
    let mut others = 0;
    // Each team's count: the jobs holding a slot, and the replays that are not their slices.
    let mut team_names: Vec<(String, String)> = holding
        .iter()
        .map(|job| (job.name.clone(), job.bus.clone()))
        .collect();
    for replay in &active {
        let bus = buses.of(ctx, &replay.event_source_arn).await;
        let job = holding.iter().find(|job| job.owns(replay));
        if job.is_none()
            && let Some(bus) = &bus
        {
            team_names.push((replay.replay_name.clone(), bus.clone()));
        }
        if !bus.as_deref().is_some_and(|b| scope.allows_bus_arn(b)) {
            others += 1;
            continue;
        }
        holders.push(holder(ctx, replay, job, bus.as_deref(), read_at).await);
    }
    let used = active.len() as u32;
    // The slots are the page's point; each other part that cannot be read is said, and
    // the rest still shown.
    let mut or_note = |what: &str, error: ApiError| {
        let note = unread_note(what, &error);
        if !unread.contains(&note) {
            unread.push(note);
        }
    };
    // The v2 replays, listed once: the running ones hold no slot but are shown beside
    // them, and every one's temporary subscribers are alive.
    let v2 = v2_replays(ctx).await.unwrap_or_else(|e| {
        or_note("Custom bus replays", e);
        Vec::new()
    });
    holders.extend(v2_holders(&v2, read_at));
    let (waiting, mut recent, unreported) = jobs_now(ctx, read_at).await.unwrap_or_else(|e| {
        or_note("Replay jobs", e);
        Default::default()
    });
    let mut unreported_total = unreported;
    match recent_replays(ctx, read_at).await {
        Ok((replays, not_read)) => {
            recent.extend(replays);
            unreported_total += not_read;
        }
        Err(e) => or_note("Recent replays", e),
    }
    recent.sort_by_key(|r| std::cmp::Reverse(r.ended_at));
    let mut temporary = Vec::new();
    let found: [(&str, Result<Vec<TemporaryResource>, ApiError>); 3] = [
        ("Temporary rules", temporary_rules(ctx, scope).await),
        ("Peek queues", peek_queues(ctx, scope).await),
        ("Temporary subscribers", Ok(v2_subscribers(&v2))),
    ];
    for (what, found) in found {
        match found {
            Ok(found) => temporary.extend(found),
            Err(e) => or_note(what, e),
        }
    }
    if unreported_total > 0 {
        unread.push(format!(
            "{unreported_total} completed replays or jobs of the last day whose reports could not be read now (CloudWatch, or your report budget): their deliveries are not counted here; open their pages."
        ));
    }
    Ok(Now {
        slots: Slots {
            limit: ACCOUNT_REPLAY_LIMIT,
            used,
            others,
            holders,
        },
        teams: team_shares(ctx, scope, &team_names),
        waiting,
        recent,
        temporary,
        unread,
        read_at,
    })
}

/// Each archive's bus, read once.
#[derive(Default)]
struct BusOf(HashMap<String, Option<String>>);

impl BusOf {
    async fn of(&mut self, ctx: &Ctx, archive_arn: &str) -> Option<String> {
        if let Some(bus) = self.0.get(archive_arn) {
            return bus.clone();
        }
        let bus = match ArchiveArn::parse(archive_arn)
            .ok()
            .and_then(|a| ArchiveName::parse(a.archive_name()).ok())
        {
            Some(name) => match ctx.eventbridge().describe_archive(&name).await {
                Ok(archive) => Some(archive.summary.event_source_arn),
                // Unreadable now: counted, named to nobody (others), the page still shown.
                Err(_) => None,
            },
            None => None,
        };
        self.0.insert(archive_arn.to_owned(), bus.clone());
        bus
    }
}

async fn holder(
    ctx: &Ctx,
    replay: &ReplaySummary,
    job: Option<&HoldingJob>,
    bus: Option<&str>,
    now: OffsetDateTime,
) -> SlotHolder {
    let peek = PeekId::from_resource_name(&replay.replay_name).is_some();
    let kind = match (job, peek) {
        (Some(_), _) => HolderKind::JobSlice,
        (None, true) => HolderKind::Peek,
        (None, false) => HolderKind::Replay,
    };
    // Who started it: a job's creator, else what the replay's description says.
    let created_by = match job {
        Some(job) => Some(job.created_by().to_owned()),
        None => match ReplayName::parse(&replay.replay_name) {
            Ok(name) => ctx
                .eventbridge()
                .describe_replay(&name)
                .await
                .ok()
                .and_then(|r| r.description)
                .and_then(|d| started_by(&d)),
            Err(_) => None,
        },
    };
    let started_at = replay.replay_start_time.unwrap_or(now);
    let progress = replay.compute_progress().fraction();
    SlotHolder {
        kind,
        name: replay.replay_name.clone(),
        job_name: job.map(|j| j.name.clone()),
        archive_name: ArchiveArn::parse(&replay.event_source_arn)
            .ok()
            .map(|a| a.archive_name().to_owned()),
        team: bus.and_then(|bus| team_of(ctx, bus)),
        created_by,
        started_at,
        expected_end_at: expected_end(started_at, progress, now),
        progress,
    }
}

/// The team owning `bus` that the caller is in (on a bus teams share, another team's
/// name is not the caller's to learn).
fn team_of(ctx: &Ctx, bus: &str) -> Option<String> {
    let owners = ctx.limits.teams.as_ref()?.owning(bus);
    owners
        .into_iter()
        .find(|team| match ctx.scope() {
            Scope::All => true,
            Scope::Teams(mine) => mine.iter().any(|m| m.name == team.name),
        })
        .map(|team| team.name)
}

/// What a part that could not be read says: which part, never the upstream's words (an
/// AWS error may name another team's resource); the error itself goes to the log.
fn unread_note(what: &str, error: &ApiError) -> String {
    tracing::warn!(part = what, error = %error.message, "now: a part could not be read");
    format!("{what} could not be read now; the rest is shown. Try again in a moment.")
}

/// "Started by alice via Rewind" → alice.
fn started_by(description: &str) -> Option<String> {
    shared::routing::split_sent_to(description)
        .0
        .strip_prefix("Started by ")
        .and_then(|rest| rest.strip_suffix(" via Rewind"))
        .map(str::to_owned)
}

/// The caller's teams, each with its jobs and replays against the cap.
fn team_shares(ctx: &Ctx, scope: &Scope, active: &[(String, String)]) -> Option<Vec<TeamShare>> {
    let teams = ctx.limits.teams.as_ref()?;
    let mine = match scope {
        Scope::All => teams.all(),
        Scope::Teams(mine) => mine.clone(),
    };
    Some(
        mine.into_iter()
            .map(|team| {
                let own = Scope::Teams(vec![team.clone()]);
                TeamShare {
                    active: active
                        .iter()
                        .filter(|(_, bus)| own.allows_bus_arn(bus))
                        .count() as u32,
                    cap: ctx.limits.team_max_active_replays,
                    team: team.name,
                }
            })
            .collect(),
    )
}

/// The v2 replays the caller may see (none where the v2 service is not configured).
async fn v2_replays(ctx: &Ctx) -> Result<Vec<V2Replay>, ApiError> {
    if !ctx.aws.eventbridge_v2.is_configured() {
        return Ok(Vec::new());
    }
    Ok(crate::v2::replays::list(ctx, None).await?.replays)
}

/// The running v2 replays (they hold no EventBridge slot).
fn v2_holders(replays: &[V2Replay], now: OffsetDateTime) -> Vec<SlotHolder> {
    replays
        .iter()
        .filter(|r| r.state == V2ReplayState::Running)
        .map(|r| SlotHolder {
            kind: HolderKind::V2Replay,
            name: r.replay_name.clone(),
            job_name: None,
            archive_name: None,
            team: None,
            created_by: Some(r.created_by.clone()),
            started_at: r.created_at.min(now),
            expected_end_at: None,
            progress: 0.0,
        })
        .collect()
}

/// The temporary subscribers of the v2 replays the caller may see.
fn v2_subscribers(replays: &[V2Replay]) -> Vec<TemporaryResource> {
    replays
        .iter()
        .flat_map(|replay| {
            replay.subscribers.iter().filter_map(|subscriber| {
                let arn = subscriber.temporary_subscriber_arn.as_deref()?;
                Some(TemporaryResource {
                    kind: TemporaryKind::Subscriber,
                    name: arn.rsplit('/').next().unwrap_or(arn).to_owned(),
                    belongs_to: replay.replay_name.clone(),
                    belongs_to_kind: HolderKind::V2Replay,
                })
            })
        })
        .collect()
}

/// The jobs that wait (queued or paused), and those of the last day that failed, were
/// cancelled, or completed with failed deliveries, from the newest page of jobs; and how
/// many completed jobs' reports could not be read.
async fn jobs_now(
    ctx: &Ctx,
    now: OffsetDateTime,
) -> Result<(Vec<WaitingJob>, Vec<RecentItem>, usize), ApiError> {
    let mut waiting = Vec::new();
    let mut recent = Vec::new();
    let (mut reports, mut unreported) = (0, 0);
    let mut token = None;
    for _ in 0..JOB_PAGES {
        let page = jobs::list(ctx, None, token.take()).await?;
        for job in page.jobs {
            let item = |job: ReplayJobSummary| RecentItem {
                kind: RecentKind::Job,
                name: job.job_name,
                state: job.state.as_str().to_owned(),
                state_reason: job.state_reason,
                delivery_failures: None,
                delivery_per_target: None,
                ended_at: job.created_at,
            };
            match job.state {
                JobState::Queued | JobState::Paused => waiting.push(WaitingJob {
                    job_name: job.job_name,
                    state: job.state,
                    state_reason: job.state_reason,
                }),
                JobState::Failed | JobState::Cancelled if now - job.created_at < RECENT => {
                    recent.push(item(job))
                }
                JobState::Completed if now - job.created_at < RECENT && reports < REPORTS_READ => {
                    reports += 1;
                    let Ok(name) = JobName::parse_existing(&job.job_name) else {
                        continue;
                    };
                    match failures(crate::reports::of_job(ctx, &name).await) {
                        Some(Some(verdict)) => {
                            let mut item = item(job);
                            item.delivery_failures = Some(verdict.failed);
                            item.delivery_per_target = Some(verdict.per_target);
                            recent.push(item);
                        }
                        Some(None) => {}
                        None => unreported += 1,
                    }
                }
                _ => {}
            }
        }
        match page.next_token.as_deref().map(NextToken::parse) {
            Some(Ok(next)) => token = Some(next),
            _ => break,
        }
    }
    for item in &mut recent {
        item.ended_at = job_ended(ctx, &item.name).await.unwrap_or(item.ended_at);
    }
    Ok((waiting, recent, unreported))
}

/// When a job's last slice to run ended (its summary says when it was made, not that).
async fn job_ended(ctx: &Ctx, name: &str) -> Option<OffsetDateTime> {
    let name = JobName::parse_existing(name).ok()?;
    let job = jobs::read_only(ctx, &name).await.ok()?;
    job.slices.iter().filter_map(|s| s.replay_end_time).max()
}

/// The caller's replays (not jobs' slices: their jobs stand for them) that ended in the
/// last day failed or cancelled, and the newest completed ones whose report counts failed
/// deliveries; and how many completed ones' reports could not be read.
async fn recent_replays(
    ctx: &Ctx,
    now: OffsetDateTime,
) -> Result<(Vec<RecentItem>, usize), ApiError> {
    let mut recent = Vec::new();
    let (mut reports, mut unreported) = (0, 0);
    for state in [
        ReplayState::Failed,
        ReplayState::Cancelled,
        ReplayState::Completed,
    ] {
        let page = crate::replays::list(
            ctx,
            ListRequest {
                filter: ListFilter::State(state),
                page: Page::default(),
            },
        )
        .await?;
        let mut ended: Vec<(ReplaySummary, OffsetDateTime)> = page
            .replays
            .into_iter()
            .filter(|r| r.job.is_none() && PeekId::from_resource_name(&r.replay_name).is_none())
            .filter_map(|r| {
                let end = r.replay_end_time?;
                (now - end < RECENT).then_some((r, end))
            })
            .collect();
        ended.sort_by_key(|(_, end)| std::cmp::Reverse(*end));
        for (replay, ended_at) in ended {
            let mut item = RecentItem {
                kind: RecentKind::Replay,
                name: replay.replay_name.clone(),
                state: replay.state.as_str().to_owned(),
                state_reason: replay.state_reason.clone(),
                delivery_failures: None,
                delivery_per_target: None,
                ended_at,
            };
            if state == ReplayState::Completed {
                if reports >= REPORTS_READ {
                    break;
                }
                reports += 1;
                let Ok(name) = ReplayName::parse(&replay.replay_name) else {
                    continue;
                };
                match failures(crate::reports::of_replay(ctx, &name).await) {
                    Some(Some(verdict)) => {
                        item.delivery_failures = Some(verdict.failed);
                        item.delivery_per_target = Some(verdict.per_target);
                    }
                    Some(None) => continue,
                    None => {
                        unreported += 1;
                        continue;
                    }
                }
            }
            recent.push(item);
        }
    }
    Ok((recent, unreported))
}

/// The verdict of a report when it counts failed deliveries (Some(None): it counts none);
/// None when it could not be read now (the caller's budget, CloudWatch) — said on the
/// page, never taken as clean.
fn failures(report: Result<ReplayReport, ApiError>) -> Option<Option<DeliveryVerdict>> {
    let verdict = DeliveryVerdict::of(&report.ok()?);
    Some(verdict.has_failures().then_some(verdict))
}

/// Rewind's temporary rules on the caller's buses, each with the replay or job its
/// description names.
async fn temporary_rules(ctx: &Ctx, scope: &Scope) -> Result<Vec<TemporaryResource>, ApiError> {
    let eventbridge = ctx.eventbridge();
    let mut found = Vec::new();
    for bus in eventbridge.all_bus_names().await? {
        if !scope.allows(&bus) {
            continue;
        }
        for rule in eventbridge.temporary_rules(&bus).await? {
            let peek = PeekId::from_resource_name(&rule.rule.replay).is_some();
            let (belongs_to, belongs_to_kind) = match rule.rule.job() {
                Some(job) => (job.to_owned(), HolderKind::JobSlice),
                None if peek => (rule.rule.replay.clone(), HolderKind::Peek),
                None => (rule.rule.replay.clone(), HolderKind::Replay),
            };
            found.push(TemporaryResource {
                kind: TemporaryKind::Rule,
                name: rule.name,
                belongs_to,
                belongs_to_kind,
            });
        }
    }
    Ok(found)
}

/// Peek queues on the caller's buses (their tags say which), each with its archive.
async fn peek_queues(ctx: &Ctx, scope: &Scope) -> Result<Vec<TemporaryResource>, ApiError> {
    let mut found = Vec::new();
    for url in ctx.aws.queues.peek_queues().await? {
        let Some(name) = url.rsplit('/').next() else {
            continue;
        };
        let Some(peek) = PeekId::from_resource_name(name) else {
            continue;
        };
        let Ok(tags) = ctx.aws.queues.tags(&url).await else {
            continue;
        };
        // This deployment's peeks only, on a bus the caller may see (a queue without
        // its bus tag is nobody's to show).
        if tags.get(INSTANCE_TAG).map(String::as_str) != Some(ctx.instance()) {
            continue;
        }
        let Some(bus) = tags.get("bus") else {
            continue;
        };
        if !scope.allows(bus) {
            continue;
        }
        found.push(TemporaryResource {
            kind: TemporaryKind::Queue,
            name: name.to_owned(),
            belongs_to: tags
                .get("archive")
                .map_or_else(|| peek.to_string(), |a| format!("a peek of {a}")),
            belongs_to_kind: HolderKind::Peek,
        });
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn who_started_a_replay_is_read_from_its_description() {
        assert_eq!(
            started_by("Started by alice@example.com via Rewind").as_deref(),
            Some("alice@example.com")
        );
        assert_eq!(started_by("backfill for INC-42"), None);
    }
}
