//! Routed replays: temporary `rewind-` rules on the archive's bus, each carrying copies
//! of the chosen targets of one rule, made before StartReplay (whose `filterArns` are
//! then exactly these rules) and removed once the replay is over — by the request that
//! first sees it over, by a cancel, by a failed start, or by the sweep, which needs no
//! browser to stay open.

use super::{EventBridge, from_sdk, mapping};
use crate::error::ApiError;
use aws_sdk_eventbridge::types as aws;
use shared::ErrorCode;
use shared::preview::{Delivery, PreviewRule};
use shared::replay::{NewReplay, ReplayState};
use shared::routing::{RoutedTarget, RoutingRequest, TEMPORARY_PREFIX, TemporaryRule};
use shared::validation::{EventBusArn, EventPattern, ReplayName};
use std::time::{Duration, Instant};
use time::OffsetDateTime;

/// The sweep runs at most this often per process…
const SWEEP_EVERY: Duration = Duration::from_secs(60);
/// …and holds up the request that runs it at most this long (the next one continues).
const SWEEP_BUDGET: Duration = Duration::from_secs(2);
/// A temporary rule whose replay does not exist is left alone this long: its replay may
/// still be starting.
const STARTING_GRACE: time::Duration = time::Duration::minutes(5);

/// One temporary rule, planned: its name, the rule it copies, its pattern and targets.
pub struct Route {
    pub name: String,
    pub copies: String,
    pub pattern: EventPattern,
    pub targets: Vec<aws::Target>,
}

impl EventBridge {
    /// Plans and makes the temporary rules of a routed replay; returns their ARNs, for
    /// StartReplay's `filterArns`.
    pub async fn route(
        &self,
        replay: &NewReplay,
        bus: &EventBusArn,
    ) -> Result<Vec<String>, ApiError> {
        // The rules are named after the replay: another replay of that name would have
        // its own overwritten.
        match self.describe_replay(&replay.name).await {
            Ok(_) => {
                return Err(ApiError::new(
                    ErrorCode::AlreadyExists,
                    format!(
                        "A replay named {} already exists; choose another name.",
                        replay.name
                    ),
                )
                .with_field("replayName"));
            }
            Err(e) if e.code == ErrorCode::NotFound => {}
            Err(e) => return Err(e),
        }
        let routes = self.plan_routes(replay, bus).await?;
        self.make_routes(&replay.name, bus, routes).await
    }

    /// Reads the chosen rules and targets and plans one temporary rule per chosen rule;
    /// changes nothing. A rule or target that does not exist, a rule without a pattern
    /// or managed by a service, and a pattern conflict are each a 4xx on their field.
    pub async fn plan_routes(
        &self,
        replay: &NewReplay,
        bus: &EventBusArn,
    ) -> Result<Vec<Route>, ApiError> {
        let Some(routing) = &replay.routing else {
            return Ok(Vec::new());
        };
        let mut routes = Vec::new();
        for (position, (rule_name, ids)) in routing.rules.iter().enumerate() {
            let rule = self
                .client
                .describe_rule()
                .name(rule_name.as_str())
                .event_bus_name(bus.bus_name())
                .send()
                .await
                .map_err(|e| match from_sdk(e) {
                    e if e.code == ErrorCode::NotFound => ApiError::not_found(format!(
                        "Rule {rule_name} is not on bus {}; it may have been deleted.",
                        bus.bus_name()
                    ))
                    .with_field("routing.targets"),
                    e => e,
                })?;
            let refuse = |why: String| {
                ApiError::from(shared::FieldError::new(
                    "routing.targets",
                    format!("Rule {rule_name} cannot be routed to: {why}."),
                ))
            };
            if let Some(manager) = mapping::non_empty(rule.managed_by()) {
                return Err(refuse(format!("it is managed by {manager}")));
            }
            let Some(pattern) = mapping::non_empty(rule.event_pattern()) else {
                return Err(refuse(
                    "it runs on a schedule and has no event pattern".into(),
                ));
            };
            let pattern = EventPattern::parse(&pattern)
                .and_then(|p| p.routed(routing.narrowing.as_ref(), replay.name.as_str()))
                .map_err(|e| match e.field.as_str() {
                    "routing.targets" => refuse(e.message),
                    _ => ApiError::from(e),
                })?;
            let existing = self.raw_targets(bus.bus_name(), rule_name.as_str()).await?;
            let mut targets = Vec::new();
            for id in ids {
                match existing.iter().find(|t| t.id() == id.as_str()) {
                    Some(target) => targets.push(target.clone()),
                    None => {
                        return Err(ApiError::not_found(format!(
                            "Rule {rule_name} has no target {id}; it may have been removed."
                        ))
                        .with_field("routing.targets"));
                    }
                }
            }
            routes.push(Route {
                name: TemporaryRule::name(&replay.name, position),
                copies: rule_name.as_str().to_owned(),
                pattern,
                targets,
            });
        }
        Ok(routes)
    }

    /// The planned routes as the preview shows them: `delivery: routed`.
    pub fn routes_for_preview(routes: &[Route], bus: &EventBusArn) -> Vec<PreviewRule> {
        routes
            .iter()
            .map(|route| PreviewRule {
                name: route.name.clone(),
                arn: bus.rule_arn(&route.name),
                state: shared::event_bus::RuleState::Enabled,
                event_pattern: Some(route.pattern.as_str().to_owned()),
                managed_by: None,
                delivery: Delivery::Routed,
                targets: route.targets.iter().map(mapping::preview_target).collect(),
            })
            .collect()
    }

    /// Makes the planned rules and their targets; returns their ARNs. Whatever fails,
    /// what was made is removed again before the error is returned.
    pub async fn make_routes(
        &self,
        replay: &ReplayName,
        bus: &EventBusArn,
        routes: Vec<Route>,
    ) -> Result<Vec<String>, ApiError> {
        let made = OffsetDateTime::now_utc();
        let mut arns = Vec::new();
        for route in routes {
            let description = TemporaryRule {
                replay: replay.as_str().to_owned(),
                carries: TemporaryRule::copies_of(&route.copies),
                made,
            }
            .description();
            let result = self
                .put_temporary_rule(
                    bus,
                    &route.name,
                    &route.pattern,
                    &description,
                    route.targets,
                )
                .await;
            match result {
                Ok(arn) => arns.push(arn),
                Err(error) => {
                    self.remove_routes(bus.bus_name(), replay.as_str()).await;
                    return Err(error);
                }
            }
        }
        Ok(arns)
    }

    /// Writes one temporary rule and its targets; returns its ARN.
    pub async fn put_temporary_rule(
        &self,
        bus: &EventBusArn,
        name: &str,
        pattern: &EventPattern,
        description: &str,
        targets: Vec<aws::Target>,
    ) -> Result<String, ApiError> {
        let out = self
            .client
            .put_rule()
            .name(name)
            .event_bus_name(bus.bus_name())
            .event_pattern(pattern.as_str())
            .description(description)
            .state(aws::RuleState::Enabled)
            .send()
            .await
            .map_err(from_sdk)?;
        let put = self
            .client
            .put_targets()
            .rule(name)
            .event_bus_name(bus.bus_name())
            .set_targets(Some(targets))
            .send()
            .await
            .map_err(from_sdk)?;
        if let Some(failed) = put.failed_entries().first() {
            return Err(ApiError::upstream(format!(
                "EventBridge refused target {} of rule {name}: {}",
                failed.target_id().unwrap_or_default(),
                failed.error_message().unwrap_or_default()
            )));
        }
        mapping::required(out.rule_arn(), "RuleArn")
    }

    /// Removes every temporary rule of `replay` on `bus`; returns how many. Failures are
    /// logged: the sweep tries again later.
    pub async fn remove_routes(&self, bus: &str, replay: &str) -> usize {
        let rules = match self.temporary_rules(bus).await {
            Ok(rules) => rules,
            Err(error) => {
                tracing::warn!(%bus, %replay, %error, "could not list temporary rules");
                return 0;
            }
        };
        let mut removed = 0;
        for (name, rule) in rules.iter().filter(|(_, r)| r.replay == replay) {
            if self.remove_rule(bus, name).await {
                removed += 1;
                tracing::info!(%bus, rule = %name, replay = %rule.replay, "temporary rule removed");
            }
        }
        removed
    }

    /// What a routed replay was sent to, read from its temporary rules (None when it
    /// has none, or they are gone).
    pub async fn routing_of(&self, bus: &str, replay: &str) -> Option<RoutingRequest> {
        let rules = self.temporary_rules(bus).await.ok()?;
        let mut targets = Vec::new();
        for (name, rule) in rules.iter().filter(|(_, r)| r.replay == replay) {
            let Some(copied) = rule.copied_rule() else {
                continue;
            };
            for target in self.raw_targets(bus, name).await.ok()? {
                targets.push(RoutedTarget {
                    rule: copied.to_owned(),
                    target_id: target.id().to_owned(),
                });
            }
        }
        (!targets.is_empty()).then_some(RoutingRequest {
            targets,
            event_pattern: None,
        })
    }

    /// Removes, on every bus, each temporary rule whose replay is over, or missing for
    /// longer than a start takes. At most once a minute per process, and for at most
    /// [`SWEEP_BUDGET`]; true when it ran (`peeks::sweep` then sweeps old peek queues).
    pub async fn sweep(&self) -> bool {
        {
            let Ok(mut last) = self.last_sweep.lock() else {
                return false;
            };
            if last.is_some_and(|at: Instant| at.elapsed() < SWEEP_EVERY) {
                return false;
            }
            *last = Some(Instant::now());
        }
        if tokio::time::timeout(SWEEP_BUDGET, self.sweep_now())
            .await
            .is_err()
        {
            tracing::warn!("the sweep ran out of time; the next one goes on");
        }
        true
    }

    async fn sweep_now(&self) {
        let mut buses = Vec::new();
        let mut next_token = None;
        loop {
            let Ok(out) = self
                .client
                .list_event_buses()
                .set_next_token(next_token)
                .send()
                .await
            else {
                return;
            };
            buses.extend(
                out.event_buses()
                    .iter()
                    .filter_map(|b| b.name().map(str::to_owned)),
            );
            next_token = mapping::non_empty(out.next_token());
            if next_token.is_none() {
                break;
            }
        }
        let now = OffsetDateTime::now_utc();
        for bus in buses {
            let Ok(rules) = self.temporary_rules(&bus).await else {
                continue;
            };
            for (name, rule) in rules {
                let over = match ReplayName::parse(&rule.replay) {
                    Err(_) => true,
                    // Every team's rules: the sweep is not the caller's.
                    Ok(replay) => match self.unscoped().describe_replay(&replay).await {
                        Ok(found) => is_over(found.summary.state),
                        Err(e) if e.code == ErrorCode::NotFound => now - rule.made > STARTING_GRACE,
                        Err(_) => false,
                    },
                };
                if over && self.remove_rule(&bus, &name).await {
                    tracing::info!(%bus, rule = %name, replay = %rule.replay, "swept a temporary rule");
                }
            }
        }
    }

    /// Rewind's temporary rules on `bus`, by name, with what their descriptions say.
    async fn temporary_rules(&self, bus: &str) -> Result<Vec<(String, TemporaryRule)>, ApiError> {
        let mut found = Vec::new();
        let mut next_token = None;
        loop {
            let out = self
                .client
                .list_rules()
                .event_bus_name(bus)
                .name_prefix(TEMPORARY_PREFIX)
                .set_next_token(next_token)
                .send()
                .await
                .map_err(from_sdk)?;
            for rule in out.rules() {
                if let (Some(name), Some(temporary)) = (
                    rule.name(),
                    rule.description().and_then(TemporaryRule::from_description),
                ) {
                    found.push((name.to_owned(), temporary));
                }
            }
            next_token = mapping::non_empty(out.next_token());
            if next_token.is_none() {
                return Ok(found);
            }
        }
    }

    /// Removes a rule's targets, then the rule; true once it is gone.
    pub async fn remove_rule(&self, bus: &str, name: &str) -> bool {
        let ids: Vec<String> = match self.raw_targets(bus, name).await {
            Ok(targets) => targets.iter().map(|t| t.id().to_owned()).collect(),
            Err(e) if e.code == ErrorCode::NotFound => return true,
            Err(_) => return false,
        };
        if !ids.is_empty()
            && let Err(error) = self
                .client
                .remove_targets()
                .rule(name)
                .event_bus_name(bus)
                .set_ids(Some(ids))
                .force(false)
                .send()
                .await
        {
            tracing::warn!(%bus, rule = %name, error = %from_sdk(error), "could not remove a temporary rule's targets");
            return false;
        }
        match self
            .client
            .delete_rule()
            .name(name)
            .event_bus_name(bus)
            .send()
            .await
        {
            Ok(_) => true,
            Err(error) => {
                let error = from_sdk(error);
                if error.code != ErrorCode::NotFound {
                    tracing::warn!(%bus, rule = %name, %error, "could not delete a temporary rule");
                }
                error.code == ErrorCode::NotFound
            }
        }
    }

    /// Every target of a rule as the SDK gives it (to copy one whole).
    pub(super) async fn raw_targets(
        &self,
        bus: &str,
        rule: &str,
    ) -> Result<Vec<aws::Target>, ApiError> {
        let mut targets = Vec::new();
        let mut next_token = None;
        loop {
            let out = self
                .client
                .list_targets_by_rule()
                .event_bus_name(bus)
                .rule(rule)
                .set_next_token(next_token)
                .send()
                .await
                .map_err(from_sdk)?;
            targets.extend(out.targets().iter().cloned());
            next_token = mapping::non_empty(out.next_token());
            if next_token.is_none() {
                return Ok(targets);
            }
        }
    }
}

/// A replay that will send nothing more.
pub fn is_over(state: ReplayState) -> bool {
    matches!(
        state,
        ReplayState::Completed | ReplayState::Cancelled | ReplayState::Failed
    )
}
