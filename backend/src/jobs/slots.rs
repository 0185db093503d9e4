//! A team's replay slots (`REWIND_TEAM_MAX_ACTIVE_REPLAYS`): with teams, at most that
//! many replays of one team's buses are active at once — interactive replays, peeks,
//! and jobs that are QUEUED or RUNNING (one slot each, whether a slice runs or the job
//! waits between slices). A start, a peek, a job or a resume over it is refused.
//!
//! Counting alone would let concurrent requests (in several function instances) all see
//! the last free slot: a start first **reserves** its slot in the team's item of the
//! ledger table (`crate::aws::dynamodb`), a write that succeeds only if nobody wrote the
//! item since it was read. A reservation holds its slot for [`HOLD_SECONDS`] whatever
//! AWS lists meanwhile — longer than any request that may still be counting from an
//! older listing — and after that its replay, peek or job holds the slot itself for as
//! long as AWS lists it active.

use crate::aws::dynamodb::{Holder, Ledger, SlotsItem};
use crate::context::Ctx;
use crate::error::ApiError;
use shared::ErrorCode;
use shared::list::{ListFilter, ListRequest, Page};
use shared::replay::{ReplayState, ReplaySummary};
use shared::teams::{Scope, Team, Teams};
use shared::validation::{ArchiveArn, ArchiveName, NextToken};
use std::collections::{BTreeSet, HashMap};

/// How long a reservation holds its slot: longer than a request takes (15 s at most
/// under Lambda), so no request counting from a listing older than the reservation can
/// miss it; past that, a replay that is still active is listed.
pub const HOLD_SECONDS: i64 = 60;
/// Writes a reservation tries before it gives up (each lost one means another request
/// reserved meanwhile, and is read again).
const ATTEMPTS: usize = 8;

/// What holds a slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HolderKind {
    /// An interactive replay or a peek's replay, by its replay name.
    Replay,
    /// A replay job, by its name.
    Job,
}

/// The slot check of one deployment.
pub struct Slots<'a> {
    pub teams: Option<&'a Teams>,
    pub max: u32,
    pub ledger: &'a Ledger,
}

/// The slots of the context's deployment.
pub fn of(ctx: &Ctx) -> Slots<'_> {
    Slots {
        teams: ctx.limits.teams.as_ref(),
        max: ctx.limits.team_max_active_replays,
        ledger: &ctx.aws.ledger,
    }
}

/// The slots one request reserved (one per team owning the bus), to release when its
/// start failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reservation {
    teams: Vec<String>,
    key: String,
}

/// One slot taken now: who holds it and on which bus.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Taken {
    pub name: String,
    pub bus: String,
}

impl<'a> Slots<'a> {
    /// Reserves a slot of every team owning `bus` (an event bus ARN) for `name`, or
    /// `LimitExceeded` — naming the team and its count when it is one of the caller's
    /// (`scope`), saying only that the bus's slots are taken otherwise. None without teams
    /// (nothing to reserve).
    pub async fn reserve(
        &self,
        ctx: &Ctx,
        bus: &str,
        name: &str,
        _kind: HolderKind,
    ) -> Result<Option<Reservation>, ApiError> {
        let scope = ctx.scope();
        let Some(teams) = self.teams else {
            return Ok(None);
        };
        let owners = teams.owning(bus);
        if owners.is_empty() {
            return Ok(None);
        }
        let taken = taken(ctx).await?;
        let mut reservation = Reservation {
            teams: Vec::new(),
            key: format!("{name}#{:016x}", crate::random::bits()?),
        };
        for team in owners {
            if let Err(refused) = self
                .reserve_in(&team, scope, bus, &taken, name, &reservation.key)
                .await
            {
                self.release(Some(reservation)).await;
                return Err(refused);
            }
            reservation.teams.push(team.name);
        }
        Ok(Some(reservation))
    }

    async fn reserve_in(
        &self,
        team: &Team,
        caller: &Scope,
        bus: &str,
        taken: &[Taken],
        name: &str,
        key: &str,
    ) -> Result<(), ApiError> {
        let scope = Scope::Teams(vec![team.clone()]);
        let active: BTreeSet<&str> = taken
            .iter()
            .filter(|t| scope.allows_bus_arn(&t.bus))
            .map(|t| t.name.as_str())
            .collect();
        for _ in 0..ATTEMPTS {
            let item = self.ledger.slots(&team.name).await?;
            let now = time::OffsetDateTime::now_utc().unix_timestamp();
            // Reservations still holding stay (also those AWS lists active already: a
            // request counting from an older listing must still see them); expired ones go.
            let mut next = SlotsItem {
                version: item.version,
                holders: item
                    .holders
                    .into_iter()
                    .filter(|(_, h)| now - h.at < HOLD_SECONDS)
                    .collect(),
            };
            let mut holding = active.clone();
            holding.extend(next.holders.values().map(|h| h.name.as_str()));
            let count = holding.len();
            if count >= self.max as usize {
                return Err(full(team, caller, bus, count, self.max));
            }
            next.holders.insert(
                key.to_owned(),
                Holder {
                    name: name.to_owned(),
                    at: now,
                },
            );
            if self.ledger.write_slots(&team.name, &next, now).await? {
                return Ok(());
            }
        }
        Err(ApiError::new(
            ErrorCode::ConcurrentModification,
            "This bus's replay slots are being taken by many requests at once; try again in a moment.",
        ))
    }

    /// `name` no longer holds a slot (a job paused or cancelled, a replay or peek
    /// cancelled): its reservations on `bus`'s teams go at once instead of in a minute.
    pub async fn free(&self, bus: &str, name: &str) {
        let Some(teams) = self.teams else {
            return;
        };
        for team in teams.owning(bus) {
            for _ in 0..ATTEMPTS {
                let Ok(mut item) = self.ledger.slots(&team.name).await else {
                    break;
                };
                let before = item.holders.len();
                item.holders.retain(|_, h| h.name != name);
                if item.holders.len() == before {
                    break;
                }
                let now = time::OffsetDateTime::now_utc().unix_timestamp();
                match self.ledger.write_slots(&team.name, &item, now).await {
                    Ok(true) | Err(_) => break,
                    Ok(false) => {}
                }
            }
        }
    }

    /// The reservation's start failed: its slot is free again (its own entry only).
    pub async fn release(&self, reservation: Option<Reservation>) {
        let Some(reservation) = reservation else {
            return;
        };
        for team in &reservation.teams {
            for _ in 0..ATTEMPTS {
                let Ok(mut item) = self.ledger.slots(team).await else {
                    break;
                };
                if item.holders.remove(&reservation.key).is_none() {
                    break;
                }
                let now = time::OffsetDateTime::now_utc().unix_timestamp();
                match self.ledger.write_slots(team, &item, now).await {
                    Ok(true) | Err(_) => break,
                    Ok(false) => {}
                }
            }
        }
    }
}

/// The slots taken now, from AWS: each job holding one, and each active replay that
/// is not such a job's own current slice (same name, archive and window).
pub async fn taken(ctx: &Ctx) -> Result<Vec<Taken>, ApiError> {
    let jobs = super::holding_slots(ctx).await?;
    let everyone = ctx.eventbridge();
    let mut taken: Vec<Taken> = jobs
        .iter()
        .map(|job| Taken {
            name: job.name.clone(),
            bus: job.bus.clone(),
        })
        .collect();
    let mut exempt: Vec<&str> = Vec::new();
    let mut buses: HashMap<String, Option<String>> = HashMap::new();
    for replay in active_replays(ctx).await? {
        if let Some(job) = jobs
            .iter()
            .find(|job| !exempt.contains(&job.name.as_str()) && job.owns(&replay))
        {
            exempt.push(&job.name);
            continue;
        }
        let bus = match buses.get(&replay.event_source_arn) {
            Some(bus) => bus.clone(),
            None => {
                let bus = match ArchiveArn::parse(&replay.event_source_arn)
                    .ok()
                    .and_then(|a| ArchiveName::parse(a.archive_name()).ok())
                {
                    // An archive that cannot be read now fails the count rather
                    // than leave its replay out of it.
                    Some(name) => match everyone.describe_archive(&name).await {
                        Ok(archive) => Some(archive.summary.event_source_arn),
                        Err(e) if e.is_not_found() => None,
                        Err(e) => return Err(e.into()),
                    },
                    None => None,
                };
                buses.insert(replay.event_source_arn.clone(), bus.clone());
                bus
            }
        };
        if let Some(bus) = bus {
            taken.push(Taken {
                name: replay.replay_name,
                bus,
            });
        }
    }
    Ok(taken)
}

/// Every STARTING or RUNNING replay of the account, once each.
pub async fn active_replays(ctx: &Ctx) -> Result<Vec<ReplaySummary>, ApiError> {
    let everyone = ctx.eventbridge();
    let mut replays = Vec::new();
    for state in [ReplayState::Starting, ReplayState::Running] {
        let mut token: Option<NextToken> = None;
        loop {
            let page = everyone
                .list_replays(ListRequest {
                    filter: ListFilter::State(state),
                    page: Page {
                        limit: None,
                        next_token: token.take(),
                    },
                })
                .await?;
            // A replay that moved from STARTING to RUNNING between the two lists
            // is in both: one slot.
            for replay in page.replays {
                if !replays
                    .iter()
                    .any(|r: &ReplaySummary| r.replay_name == replay.replay_name)
                {
                    replays.push(replay);
                }
            }
            match page.next_token.as_deref().map(NextToken::parse) {
                Some(Ok(next)) => token = Some(next),
                _ => break,
            }
        }
    }
    Ok(replays)
}

/// The refusal of a full team: its name and count for one of the caller's teams; for a
/// team sharing the bus that the caller is not in, only that the bus's slots are taken.
fn full(team: &Team, caller: &Scope, bus: &str, count: usize, max: u32) -> ApiError {
    let member = match caller {
        Scope::All => true,
        Scope::Teams(teams) => teams.iter().any(|t| t.name == team.name),
    };
    let message = if member {
        format!(
            "Team {} has {count} of its {max} replays active (interactive replays, peeks and replay jobs together, and starts of the last minute); wait for one to end, or pause a job.",
            team.name
        )
    } else {
        let bus = bus.split_once(":event-bus/").map_or(bus, |(_, n)| n);
        format!(
            "Another team that shares bus {bus} has every replay slot in use; wait for one to end."
        )
    };
    ApiError::new(ErrorCode::LimitExceeded, message)
}
