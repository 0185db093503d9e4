//! A team's replay slots (`REWIND_TEAM_MAX_ACTIVE_REPLAYS`): with teams, at most that
//! many replays of one team's buses are active at once — interactive replays, peeks,
//! and jobs that are QUEUED or RUNNING (one slot each, whether a slice runs or the job
//! waits between slices). A start, a peek, a job or a resume over it is refused.

use crate::aws::eventbridge::EventBridge;
use crate::aws::stepfunctions::StepFunctions;
use crate::error::ApiError;
use crate::state::AppState;
use shared::ErrorCode;
use shared::list::{ListFilter, ListRequest, Page};
use shared::replay::ReplayState;
use shared::teams::{Scope, Teams};
use shared::validation::{ArchiveArn, ArchiveName, NextToken};
use std::collections::HashMap;

/// The slot check of one deployment.
pub struct Slots<'a> {
    pub teams: Option<&'a Teams>,
    pub max: u32,
    pub sfn: &'a StepFunctions,
}

impl<'a> Slots<'a> {
    pub fn of(state: &'a AppState) -> Self {
        Self {
            teams: state.roles.teams.as_ref(),
            max: state.team_max_active_replays,
            sfn: &state.jobs,
        }
    }

    /// `LimitExceeded` when a team owning `bus` (an event bus ARN) has every slot taken.
    pub async fn check(&self, eventbridge: &EventBridge, bus: &str) -> Result<(), ApiError> {
        let Some(teams) = self.teams else {
            return Ok(());
        };
        let owners = teams.owning(bus);
        if owners.is_empty() {
            return Ok(());
        }
        let taken = self.taken(eventbridge).await?;
        for team in owners {
            let name = team.name.clone();
            let scope = Scope::Teams(vec![team]);
            let count = taken.iter().filter(|b| scope.allows_bus_arn(b)).count();
            if count >= self.max as usize {
                return Err(ApiError::new(
                    ErrorCode::LimitExceeded,
                    format!(
                        "Team {name} has {count} of its {} replays active (interactive replays, peeks and replay jobs together); wait for one to end, or pause a job.",
                        self.max
                    ),
                ));
            }
        }
        Ok(())
    }

    /// The event bus of every slot taken: each job holding one, and each active replay
    /// that is not such a job's slice.
    async fn taken(&self, eventbridge: &EventBridge) -> Result<Vec<String>, ApiError> {
        let jobs = super::holding_slots(self.sfn).await?;
        let everyone = eventbridge.unscoped();
        let mut buses: Vec<String> = jobs.iter().map(|(_, bus)| bus.clone()).collect();
        let mut archives: HashMap<String, Option<String>> = HashMap::new();
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
                for replay in page.replays {
                    if shared::job::job_of_replay(&replay.replay_name)
                        .is_some_and(|(job, _)| jobs.iter().any(|(j, _)| j == job))
                    {
                        continue;
                    }
                    let bus = match archives.get(&replay.event_source_arn) {
                        Some(bus) => bus.clone(),
                        None => {
                            let bus = match ArchiveArn::parse(&replay.event_source_arn)
                                .ok()
                                .and_then(|a| ArchiveName::parse(a.archive_name()).ok())
                            {
                                Some(name) => everyone
                                    .describe_archive(&name)
                                    .await
                                    .ok()
                                    .map(|a| a.summary.event_source_arn),
                                None => None,
                            };
                            archives.insert(replay.event_source_arn.clone(), bus.clone());
                            bus
                        }
                    };
                    buses.extend(bus);
                }
                match page.next_token.as_deref().map(NextToken::parse) {
                    Some(Ok(next)) => token = Some(next),
                    _ => break,
                }
            }
        }
        Ok(buses)
    }
}
