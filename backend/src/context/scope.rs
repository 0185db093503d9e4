//! Teams: what a caller may see and change of EventBridge — their teams' buses — as a
//! view over the adapter. Lists leave out-of-scope archives, replays (by their archive's
//! bus) and buses, reading further upstream pages so that a page is empty only when
//! nothing is left; reading one by name is `NotFound`; a write naming an out-of-scope bus
//! is `Forbidden` with its field.

use crate::aws::eventbridge::EventBridge;
use crate::error::ApiError;
use shared::ErrorCode;
use shared::archive::{Archive, ArchiveList, ArchiveState};
use shared::event_bus::EventBusList;
use shared::list::{ListRequest, Page};
use shared::replay::{Replay, ReplayList, ReplayState};
use shared::teams::Scope;
use shared::validation::{
    ArchiveArn, ArchiveName, EventBusArn, EventBusName, NextToken, ReplayName,
};
use std::collections::HashMap;

/// Upstream pages one scoped list request may read: with EventBridge's 100 per page, a
/// team that owns 1 % of 10,000 archives still gets a full first page.
const MAX_UPSTREAM_PAGES: usize = 100;

/// EventBridge as one caller may use it.
pub struct Visible<'a> {
    eventbridge: &'a EventBridge,
    scope: &'a Scope,
}

impl<'a> Visible<'a> {
    pub fn new(eventbridge: &'a EventBridge, scope: &'a Scope) -> Self {
        Self { eventbridge, scope }
    }

    pub fn scope(&self) -> &Scope {
        self.scope
    }

    fn is_scoped(&self) -> bool {
        *self.scope != Scope::All
    }

    /// A write that names `bus` (a name or an ARN) at `field`.
    pub fn check_bus_write(&self, bus: &str, field: shared::Field) -> Result<(), ApiError> {
        if self.scope.allows_bus_arn(bus) {
            return Ok(());
        }
        let name = bus.split_once(":event-bus/").map_or(bus, |(_, n)| n);
        Err(ApiError::new(
            ErrorCode::Forbidden,
            format!(
                "Event bus {name} is not one of your teams' buses ({}).",
                self.scope.describe()
            ),
        )
        .with_field(field))
    }

    /// `NotFound` for a bus the caller may not see.
    pub fn check_bus_read(&self, bus: &EventBusName) -> Result<(), ApiError> {
        if self.scope.allows(bus.as_str()) {
            return Ok(());
        }
        Err(ApiError::not_found(format!(
            "Event bus {bus} does not exist."
        )))
    }

    /// The archive, if the caller may see it (else, and if there is none, `NotFound`).
    pub async fn archive(&self, name: &ArchiveName) -> Result<Archive, ApiError> {
        let missing = || ApiError::not_found(format!("Archive {name} does not exist."));
        let archive = self.eventbridge.describe_archive(name).await.map_err(|e| {
            if e.is_not_found() {
                missing()
            } else {
                e.into()
            }
        })?;
        if !self.scope.allows_bus_arn(&archive.summary.event_source_arn) {
            return Err(missing());
        }
        Ok(archive)
    }

    /// `NotFound` for an archive the caller may not see (before changing it).
    pub async fn check_archive(&self, name: &ArchiveName) -> Result<(), ApiError> {
        if self.is_scoped() {
            self.archive(name).await?;
        }
        Ok(())
    }

    /// The replay, if the caller may see it (its destination is one of their buses).
    pub async fn replay(&self, name: &ReplayName) -> Result<Replay, ApiError> {
        let missing = || ApiError::not_found(format!("Replay {name} does not exist."));
        let replay = self.eventbridge.describe_replay(name).await.map_err(|e| {
            if e.is_not_found() {
                missing()
            } else {
                e.into()
            }
        })?;
        if !self.scope.allows_bus_arn(&replay.destination.arn) {
            return Err(missing());
        }
        Ok(replay)
    }

    pub async fn list_archives(
        &self,
        mut request: ListRequest<EventBusArn, ArchiveState>,
    ) -> Result<ArchiveList, ApiError> {
        let mut page = self.eventbridge.list_archives(request.clone()).await?;
        for _ in 1..MAX_UPSTREAM_PAGES {
            page.archives
                .retain(|a| self.scope.allows_bus_arn(&a.event_source_arn));
            match next(&page.archives, &page.next_token) {
                Some(token) => request.page.next_token = Some(token),
                None => return Ok(page),
            }
            page = self.eventbridge.list_archives(request.clone()).await?;
        }
        page.archives
            .retain(|a| self.scope.allows_bus_arn(&a.event_source_arn));
        Ok(page)
    }

    pub async fn list_replays(
        &self,
        mut request: ListRequest<ArchiveArn, ReplayState>,
    ) -> Result<ReplayList, ApiError> {
        // A replay is in scope when its archive's bus is; each archive is read once.
        let mut buses: HashMap<String, bool> = HashMap::new();
        let mut calls = 0;
        loop {
            let mut page = self.eventbridge.list_replays(request.clone()).await?;
            calls += 1;
            if !self.is_scoped() {
                return Ok(page);
            }
            let mut kept = Vec::with_capacity(page.replays.len());
            for replay in page.replays {
                let allowed = match buses.get(&replay.event_source_arn) {
                    Some(allowed) => *allowed,
                    None => {
                        let bus = match ArchiveArn::parse(&replay.event_source_arn)
                            .ok()
                            .and_then(|a| ArchiveName::parse(a.archive_name()).ok())
                        {
                            Some(name) => self.eventbridge.describe_archive(&name).await.ok(),
                            None => None,
                        }
                        .map(|a| a.summary.event_source_arn);
                        let allowed = bus.is_some_and(|b| self.scope.allows_bus_arn(&b));
                        buses.insert(replay.event_source_arn.clone(), allowed);
                        allowed
                    }
                };
                if allowed {
                    kept.push(replay);
                }
            }
            page.replays = kept;
            match next(&page.replays, &page.next_token) {
                Some(token) if calls < MAX_UPSTREAM_PAGES => request.page.next_token = Some(token),
                _ => return Ok(page),
            }
        }
    }

    pub async fn list_event_buses(
        &self,
        name_prefix: Option<EventBusName>,
        mut page: Page,
    ) -> Result<EventBusList, ApiError> {
        let mut list = self
            .eventbridge
            .list_event_buses(name_prefix.clone(), page.clone())
            .await?;
        for _ in 1..MAX_UPSTREAM_PAGES {
            list.event_buses.retain(|b| self.scope.allows(&b.name));
            match next(&list.event_buses, &list.next_token) {
                Some(token) => page.next_token = Some(token),
                None => return Ok(list),
            }
            list = self
                .eventbridge
                .list_event_buses(name_prefix.clone(), page.clone())
                .await?;
        }
        list.event_buses.retain(|b| self.scope.allows(&b.name));
        Ok(list)
    }
}

/// The token to read on with: only when this page kept nothing and there is more.
fn next<T>(kept: &[T], token: &Option<String>) -> Option<NextToken> {
    if !kept.is_empty() {
        return None;
    }
    token.as_deref().and_then(|t| NextToken::parse(t).ok())
}
