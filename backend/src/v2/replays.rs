//! A v2 replay: for each chosen subscriber, a temporary copy named
//! `rewind-{key}-{k}-{replay}` (`key`: 64 random bits, the replay's own) that reads the
//! bus from the window's start (`POINT_IN_TIME`, `TIMESTAMP`) to its end (`EndPoint`).
//! What the replay is — its name, window, creator, the subscriber each copy copies — is
//! in the copies' tags; its state is their states:
//! - a copy missing, or stopped by anyone but Rewind: failed;
//! - a copy RUNNING that has not caught up with its `EndPoint`: the replay runs;
//! - copies STOPPED by Rewind's pause (`rewind:paused`): paused;
//! - every copy caught up: completed. The service never says a point-in-time subscriber
//!   is done (it stays RUNNING past its `EndPoint`, delivering nothing more); a copy has
//!   caught up when its `EndPoint` is past and CloudWatch's `ApproximateBacklogAge` for
//!   it, read last, is 0 — the documents' reading, pinned in docs/custom-buses.md.
//!
//! Stop deletes the copies; the scheduled sweep (`super::sweep`) removes those of
//! completed, failed and orphaned replays.

use super::check_bus_write;
use crate::aws::error::Kind;
use crate::aws::eventbridgev2::{Copy, Subscriber};
use crate::context::Ctx;
use crate::error::ApiError;
use shared::v2::{
    NewV2Replay, SubscriberState, TEMPORARY_PREFIX, V2EventBus, V2Replay, V2ReplayList,
    V2ReplayState, V2ReplaySubscriber, copy_name,
};
use shared::validation::ReplayName;
use shared::{ErrorCode, Field};
use std::collections::{BTreeMap, HashMap};
use time::OffsetDateTime;

pub const TAG_INSTANCE: &str = "rewind:instance";
pub const TAG_REPLAY: &str = "rewind:replay";
const TAG_SOURCE: &str = "rewind:source";
const TAG_WINDOW: &str = "rewind:window";
const TAG_CREATED_BY: &str = "rewind:created-by";
const TAG_CREATED_AT: &str = "rewind:created-at";
/// `k/n`: this copy is the k-th of the replay's n.
const TAG_OF: &str = "rewind:of";
/// Set on a copy Rewind stopped (a pause), removed when it runs again.
const TAG_PAUSED: &str = "rewind:paused";

/// One of this deployment's temporary subscribers, found on a bus.
#[derive(Debug, Clone)]
pub struct FoundCopy {
    pub arn: String,
    pub bus_arn: String,
    pub replay: String,
    pub tags: HashMap<String, String>,
    pub subscriber: Subscriber,
    /// Past its `EndPoint` with nothing left to deliver (see the module's notes).
    pub caught_up: bool,
}

impl FoundCopy {
    fn paused(&self) -> bool {
        self.tags.contains_key(TAG_PAUSED)
    }

    /// (k, n) from `rewind:of`.
    fn position(&self) -> Option<(usize, usize)> {
        let (k, n) = self.tags.get(TAG_OF)?.split_once('/')?;
        Some((k.parse().ok()?, n.parse().ok()?))
    }
}

/// A replay's copies: those of one name and one key (a replay's own 64 random bits).
pub type Group = Vec<FoundCopy>;

/// This deployment's temporary subscribers (its instance tag) in the account — only
/// replay `only`'s when given, only on buses the caller may see unless `every_bus` —
/// grouped by (replay, key). One account-wide, prefixed list finds them; each is then
/// read (tags, description). A member that does not fit its group (its tags name another
/// replay, window or count, or a position taken twice) is left out: Rewind never acts on
/// a subscriber it cannot tell is its own.
pub async fn groups(
    ctx: &Ctx,
    only: Option<&str>,
    every_bus: bool,
) -> Result<BTreeMap<(String, String), Group>, ApiError> {
    let v2 = &ctx.aws.eventbridge_v2;
    let rows = v2.all_subscribers(None, Some(TEMPORARY_PREFIX)).await?;
    let mut found: BTreeMap<(String, String), Group> = BTreeMap::new();
    for row in rows {
        let Some((key, replay)) = shared::v2::key_and_replay_of(&row.name) else {
            continue;
        };
        if only.is_some_and(|o| o != replay) {
            continue;
        }
        let bus = crate::configuration::bus_of(&row.bus_arn).unwrap_or_default();
        if !every_bus && !super::visible(ctx, bus) {
            continue;
        }
        let tags = match v2.tags(&row.arn).await {
            Ok(tags) => tags,
            // Deleted since it was listed.
            Err(e) if e.is_not_found() => continue,
            Err(e) => return Err(e.into()),
        };
        if tags.get(TAG_INSTANCE).map(String::as_str) != Some(ctx.instance())
            || tags.get(TAG_REPLAY).map(String::as_str) != Some(replay)
        {
            continue;
        }
        let subscriber = match v2.describe_subscriber(&row.arn).await {
            Ok(s) => s,
            Err(e) if e.is_not_found() => continue,
            Err(e) => return Err(e.into()),
        };
        found
            .entry((replay.to_owned(), key.to_owned()))
            .or_default()
            .push(FoundCopy {
                arn: row.arn.clone(),
                bus_arn: row.bus_arn.clone(),
                replay: replay.to_owned(),
                tags,
                subscriber,
                caught_up: false,
            });
    }
    for group in found.values_mut() {
        keep_consistent(group);
        mark_caught_up(ctx, group).await;
    }
    found.retain(|_, group| !group.is_empty());
    Ok(found)
}

/// Leaves in `group` the members that agree with its first (by position): one bus, one
/// window, one count, each position once and below the count.
fn keep_consistent(group: &mut Group) {
    group.sort_by_key(|c| c.position().map(|(k, _)| k));
    let Some(first) = group.first() else {
        return;
    };
    let (bus, window, of) = (
        first.bus_arn.clone(),
        first.tags.get(TAG_WINDOW).cloned(),
        first.position().map(|(_, n)| n),
    );
    let mut seen = std::collections::HashSet::new();
    group.retain(|c| {
        let fits = c.bus_arn == bus
            && c.tags.get(TAG_WINDOW) == window.as_ref()
            && c.position()
                .is_some_and(|(k, n)| Some(n) == of && k < n && seen.insert(k));
        if !fits {
            tracing::warn!(subscriber = %c.arn, replay = %c.replay, "a temporary subscriber does not fit its replay; left alone");
        }
        fits
    });
}

/// The replays the caller may see, by name: of two groups with one name (two starts
/// that raced), the one made first.
pub async fn copies(ctx: &Ctx, only: Option<&str>) -> Result<BTreeMap<String, Group>, ApiError> {
    let mut by_name: BTreeMap<String, Group> = BTreeMap::new();
    for ((name, _), group) in groups(ctx, only, false).await? {
        let made = |g: &Group| g.first().and_then(|c| c.tags.get(TAG_CREATED_AT).cloned());
        match by_name.get(&name) {
            Some(kept) if made(kept) <= made(&group) => {}
            _ => {
                by_name.insert(name, group);
            }
        }
    }
    Ok(by_name)
}

/// How far back CloudWatch is read for a copy's backlog.
const BACKLOG_LOOKBACK: time::Duration = time::Duration::minutes(5);

/// Marks the running copies past their `EndPoint` whose latest `ApproximateBacklogAge`
/// is 0. Without figures (CloudWatch unreachable, none yet) a copy is not caught up: the
/// replay reads as running until they come.
async fn mark_caught_up(ctx: &Ctx, copies: &mut [FoundCopy]) {
    let now = OffsetDateTime::now_utc();
    let candidates: Vec<String> = copies
        .iter()
        .filter(|c| c.subscriber.state() == SubscriberState::Running)
        .filter(|c| c.subscriber.end_point().is_some_and(|end| end <= now))
        .map(|c| c.arn.clone())
        .collect();
    let Some(bus) = copies.first().map(|c| c.bus_arn.clone()) else {
        return;
    };
    if candidates.is_empty() {
        return;
    }
    let ages = match ctx
        .aws
        .metrics
        .backlog_ages(&bus, &candidates, now - BACKLOG_LOOKBACK, now)
        .await
    {
        Ok(ages) => ages,
        Err(error) => {
            tracing::warn!(%error, "v2 replay: backlog figures unreadable");
            return;
        }
    };
    for copy in copies.iter_mut() {
        copy.caught_up = ages
            .get(&copy.arn)
            .and_then(|series| series.last())
            .is_some_and(|(_, age)| *age == 0.0);
    }
}

/// The replay its copies make.
pub fn assemble(name: &str, copies: &[FoundCopy]) -> Option<V2Replay> {
    let first = copies.first()?;
    let tag = |key: &str| first.tags.get(key).cloned();
    let (start, end) = tag(TAG_WINDOW)
        .and_then(|w| {
            let (s, e) = w.split_once('/')?;
            Some((
                shared::timestamp::parse(s).ok()?,
                shared::timestamp::parse(e).ok()?,
            ))
        })
        .unwrap_or((OffsetDateTime::UNIX_EPOCH, OffsetDateTime::UNIX_EPOCH));
    let expected = first.position().map_or(copies.len(), |(_, n)| n);
    let stopped_by_others = copies
        .iter()
        .filter(|c| c.subscriber.state() == SubscriberState::Stopped && !c.paused())
        .count();
    let (state, reason) = if copies.len() < expected {
        (
            V2ReplayState::Failed,
            Some(format!(
                "{} of its {expected} temporary subscribers are gone (removed outside Rewind); stop it to remove the rest.",
                expected - copies.len()
            )),
        )
    } else if stopped_by_others > 0 {
        (
            V2ReplayState::Failed,
            Some(format!(
                "{stopped_by_others} of its temporary subscribers were stopped outside Rewind; stop the replay, and start it again if it is still needed."
            )),
        )
    } else if copies
        .iter()
        .any(|c| c.subscriber.state() == SubscriberState::Running && !c.caught_up)
    {
        (V2ReplayState::Running, None)
    } else if copies.iter().any(FoundCopy::paused) {
        (V2ReplayState::Paused, None)
    } else {
        (
            V2ReplayState::Completed,
            Some("Every temporary subscriber has delivered the window up to its end; the sweep removes them an hour after they were made.".to_owned()),
        )
    };
    Some(V2Replay {
        replay_name: name.to_owned(),
        description: first.subscriber.description().map(str::to_owned),
        event_bus_arn: first.bus_arn.clone(),
        event_start_time: start,
        event_end_time: end,
        state,
        state_reason: reason,
        subscribers: copies
            .iter()
            .map(|c| V2ReplaySubscriber {
                subscriber_arn: c.tags.get(TAG_SOURCE).cloned().unwrap_or_default(),
                temporary_subscriber_arn: Some(c.arn.clone()),
                state: c.subscriber.state(),
            })
            .collect(),
        created_by: tag(TAG_CREATED_BY).unwrap_or_default(),
        created_at: tag(TAG_CREATED_AT)
            .and_then(|t| shared::timestamp::parse(&t).ok())
            .or_else(|| first.subscriber.created())
            .unwrap_or(OffsetDateTime::UNIX_EPOCH),
    })
}

fn not_found(name: &str) -> ApiError {
    ApiError::not_found(format!("There is no v2 replay named {name}."))
}

/// The copies of replay `name`, if the caller may see it.
async fn found(ctx: &Ctx, name: &ReplayName) -> Result<Vec<FoundCopy>, ApiError> {
    copies(ctx, Some(name.as_str()))
        .await?
        .remove(name.as_str())
        .ok_or_else(|| not_found(name.as_str()))
}

pub async fn list(ctx: &Ctx, state: Option<V2ReplayState>) -> Result<V2ReplayList, ApiError> {
    let mut replays: Vec<V2Replay> = copies(ctx, None)
        .await?
        .iter()
        .filter_map(|(name, copies)| assemble(name, copies))
        .filter(|r| state.is_none_or(|s| r.state == s))
        .collect();
    replays.sort_by_key(|r| std::cmp::Reverse(r.created_at));
    Ok(V2ReplayList {
        replays,
        next_token: None,
    })
}

pub async fn describe(ctx: &Ctx, name: &ReplayName) -> Result<V2Replay, ApiError> {
    let copies = found(ctx, name).await?;
    assemble(name.as_str(), &copies).ok_or_else(|| not_found(name.as_str()))
}

/// Checks a replay against its bus and subscribers, then makes its copies; a copy that
/// cannot be made undoes those made before it.
pub async fn start(ctx: &Ctx, replay: NewV2Replay) -> Result<V2Replay, ApiError> {
    replay.window.check_max_hours(ctx.limits.max_replay_hours)?;
    check_bus_write(ctx, replay.bus.name())?;
    let bus = ctx
        .aws
        .eventbridge_v2
        .describe_bus(replay.bus.as_str())
        .await
        .map_err(|e| {
            if e.is_not_found() {
                ApiError::not_found(format!(
                    "There is no Custom Event Bus {}.",
                    replay.bus.name()
                ))
                .with_field(Field::EventBusArn)
            } else {
                e.into()
            }
        })?;
    let (from, to) = check_window(&bus, &replay, OffsetDateTime::now_utc())?;
    // A name is one replay's in this deployment, whichever team's bus it reads (the
    // answer says no more than that it is taken).
    if !groups(ctx, Some(replay.name.as_str()), true)
        .await?
        .is_empty()
    {
        return Err(ApiError::new(
            ErrorCode::AlreadyExists,
            format!(
                "A v2 replay named {} already exists; choose another name.",
                replay.name
            ),
        )
        .with_field(Field::ReplayName));
    }
    let sources = sources(ctx, &bus, &replay).await?;
    let key = format!("{:016x}", crate::random::bits()?);
    let now = OffsetDateTime::now_utc();
    let mut made: Vec<String> = Vec::with_capacity(sources.len());
    for (k, source) in sources.iter().enumerate() {
        let name = copy_name(&key, k, replay.name.as_str());
        let tags = HashMap::from([
            (TAG_INSTANCE.to_owned(), ctx.instance().to_owned()),
            (TAG_REPLAY.to_owned(), replay.name.as_str().to_owned()),
            (TAG_SOURCE.to_owned(), source.arn().to_owned()),
            (
                TAG_WINDOW.to_owned(),
                format!(
                    "{}/{}",
                    shared::timestamp::format(from),
                    shared::timestamp::format(to)
                ),
            ),
            (
                TAG_CREATED_BY.to_owned(),
                ctx.caller.name().chars().take(256).collect(),
            ),
            (TAG_CREATED_AT.to_owned(), shared::timestamp::format(now)),
            (TAG_OF.to_owned(), format!("{k}/{}", sources.len())),
        ]);
        let copy = Copy {
            source,
            name: &name,
            description: replay.description.as_ref().map(|d| d.as_str()),
            start: from,
            end: to,
            tags,
        };
        match ctx.aws.eventbridge_v2.create_copy(copy).await {
            Ok(arn) => made.push(arn),
            Err(error) => {
                undo(ctx, &made).await;
                return Err(if error.is(&Kind::LimitExceeded) {
                    ApiError::new(
                        ErrorCode::LimitExceeded,
                        format!(
                            "Custom Event Bus {} has as many subscribers as its quota allows; a replay needs one more per chosen subscriber. Stop another replay, or raise the quota.",
                            bus.name
                        ),
                    )
                } else {
                    error.into()
                });
            }
        }
    }
    describe(ctx, &replay.name).await
}

/// The window inside what the bus keeps, and not in the future; rounded inwards to whole
/// seconds, which is all the service takes (the start up, the end down).
fn check_window(
    bus: &V2EventBus,
    replay: &NewV2Replay,
    now: OffsetDateTime,
) -> Result<(OffsetDateTime, OffsetDateTime), ApiError> {
    if replay.window.end() > now {
        return Err(ApiError::validation(
            Field::EventEndTime,
            "The end time is in the future; events after now cannot be replayed.",
        ));
    }
    let start = replay.window.start();
    let from = if start.nanosecond() == 0 {
        start
    } else {
        start.replace_nanosecond(0).unwrap_or(start) + time::Duration::seconds(1)
    };
    let to = replay
        .window
        .end()
        .replace_nanosecond(0)
        .unwrap_or(replay.window.end());
    if from >= to {
        return Err(ApiError::validation(
            Field::EventEndTime,
            "The window is shorter than a second once rounded to whole seconds, which is all a Custom Event Bus takes; make it longer.",
        ));
    }
    if let Some(kept_from) = bus.retention_window_start_time
        && from < kept_from
    {
        let kept = kept_from.replace_nanosecond(0).unwrap_or(kept_from);
        return Err(ApiError::validation(
            Field::EventStartTime,
            format!(
                "Custom Event Bus {} keeps events from {} on ({} days); the window starts before that.",
                bus.name,
                shared::timestamp::format(if kept < kept_from {
                    kept + time::Duration::seconds(1)
                } else {
                    kept
                }),
                bus.retention_days
            ),
        ));
    }
    Ok((from, to))
}

/// The chosen subscribers, described: each on this bus, this account's, not revoked.
async fn sources(
    ctx: &Ctx,
    bus: &V2EventBus,
    replay: &NewV2Replay,
) -> Result<Vec<Subscriber>, ApiError> {
    let refuse = |message: String| ApiError::validation(Field::SubscriberArns, message);
    let mut sources = Vec::with_capacity(replay.subscribers.len());
    for arn in &replay.subscribers {
        let subscriber = match ctx
            .aws
            .eventbridge_v2
            .describe_subscriber(arn.as_str())
            .await
        {
            Ok(s) => s,
            Err(e) if e.is_not_found() => {
                return Err(refuse(format!("Subscriber {} does not exist.", arn.name())));
            }
            Err(e) => return Err(e.into()),
        };
        if subscriber.bus_arn() != bus.arn {
            return Err(refuse(format!(
                "Subscriber {} is not one of bus {}'s; a replay reads one bus.",
                arn.name(),
                bus.name
            )));
        }
        if subscriber.name().starts_with(TEMPORARY_PREFIX) {
            return Err(refuse(format!(
                "Subscriber {} is one of Rewind's temporary subscribers; choose the subscriber it copies.",
                subscriber.name()
            )));
        }
        if subscriber.revoked() {
            return Err(refuse(format!(
                "Subscriber {} is revoked; a copy of it would deliver nothing.",
                arn.name()
            )));
        }
        if subscriber.state() != SubscriberState::Running {
            return Err(refuse(format!(
                "Subscriber {} is stopped: its owner has it deliver nothing now, so Rewind does not deliver history through a copy of it.",
                arn.name()
            )));
        }
        // The copy passes the subscriber's invoke role again: IAM lets the deployment
        // pass only the TargetRoleArns parameter's roles.
        ctx.limits.routing.check_target_role(
            subscriber.role_arn(),
            &format!("Subscriber {}", arn.name()),
            Field::SubscriberArns,
        )?;
        if super::other_account(bus, None, subscriber.arn()) {
            return Err(refuse(format!(
                "Subscriber {} belongs to another account; its invoke role cannot be used from this one.",
                arn.name()
            )));
        }
        check_destinations(ctx, bus, &subscriber)?;
        sources.push(subscriber);
    }
    Ok(sources)
}

/// Where a copy would deliver — the subscriber's target and failure destination — must
/// be somewhere this deployment may deliver (the routing policy of classic routed
/// replays): a resource of the bus's account and region, a bus of `EventBusNames` there,
/// or one of `AllowedTargetArns`. A target that is an event bus forwards the history on:
/// that is for admins, and only to a bus of the caller's teams.
fn check_destinations(
    ctx: &Ctx,
    bus: &V2EventBus,
    subscriber: &Subscriber,
) -> Result<(), ApiError> {
    let what = format!("Subscriber {}", subscriber.name());
    let target = subscriber.target_arn();
    if let Some(receiving) = crate::configuration::bus_of(target) {
        if !ctx.may_forward() {
            return Err(ApiError::new(
                ErrorCode::Forbidden,
                format!(
                    "{what} delivers to the event bus {receiving}: replaying to it forwards history to another bus, which is for admins."
                ),
            )
            .with_field(Field::SubscriberArns));
        }
        if !ctx.scope().allows(receiving) {
            return Err(ApiError::new(
                ErrorCode::Forbidden,
                format!("{what} delivers to the event bus {receiving}, which is not one of your teams' buses."),
            )
            .with_field(Field::SubscriberArns));
        }
    }
    for destination in std::iter::once(target).chain(subscriber.failure_destination()) {
        ctx.limits
            .routing
            .check_delivery(destination, &bus.arn, &what, Field::SubscriberArns)?;
    }
    Ok(())
}

/// Deletes copies just made (a start that failed half-way); what cannot be deleted now
/// is the sweep's.
async fn undo(ctx: &Ctx, made: &[String]) {
    for arn in made {
        if let Err(error) = ctx.aws.eventbridge_v2.delete_subscriber(arn).await {
            tracing::warn!(%arn, %error, "a temporary subscriber stays; the sweep removes it");
        }
    }
}

fn illegal(replay: &V2Replay, done: &str, allowed: &str) -> ApiError {
    ApiError::new(
        ErrorCode::IllegalStatus,
        format!(
            "V2 replay {} is {}; only a {allowed} replay can be {done}.",
            replay.replay_name,
            replay.state.as_str()
        ),
    )
}

/// Pause: every running copy is stopped and marked as paused by Rewind.
pub async fn pause(ctx: &Ctx, name: &ReplayName) -> Result<V2Replay, ApiError> {
    let copies = found(ctx, name).await?;
    let replay = assemble(name.as_str(), &copies).ok_or_else(|| not_found(name.as_str()))?;
    if !replay.state.can_pause() {
        return Err(illegal(&replay, "paused", "running"));
    }
    let v2 = &ctx.aws.eventbridge_v2;
    for copy in copies
        .iter()
        .filter(|c| c.subscriber.state() == SubscriberState::Running)
    {
        v2.tag(
            &copy.arn,
            TAG_PAUSED,
            &shared::timestamp::format(OffsetDateTime::now_utc()),
        )
        .await?;
        v2.set_running(&copy.arn, false).await?;
    }
    describe(ctx, name).await
}

/// Resume: the copies Rewind paused run again from where they stopped.
pub async fn resume(ctx: &Ctx, name: &ReplayName) -> Result<V2Replay, ApiError> {
    let copies = found(ctx, name).await?;
    let replay = assemble(name.as_str(), &copies).ok_or_else(|| not_found(name.as_str()))?;
    if !replay.state.can_resume() {
        return Err(illegal(&replay, "resumed", "paused"));
    }
    let v2 = &ctx.aws.eventbridge_v2;
    for copy in copies.iter().filter(|c| c.paused()) {
        v2.set_running(&copy.arn, true).await?;
        v2.untag(&copy.arn, TAG_PAUSED).await?;
    }
    describe(ctx, name).await
}

/// Stop: the copies are deleted; the answer is the replay as it ends.
pub async fn stop(ctx: &Ctx, name: &ReplayName) -> Result<V2Replay, ApiError> {
    let copies = found(ctx, name).await?;
    let mut replay = assemble(name.as_str(), &copies).ok_or_else(|| not_found(name.as_str()))?;
    for copy in &copies {
        match ctx.aws.eventbridge_v2.delete_subscriber(&copy.arn).await {
            Ok(()) => {}
            Err(e) if e.is_not_found() => {}
            Err(e) => return Err(e.into()),
        }
    }
    replay.state = V2ReplayState::Stopped;
    replay.state_reason = Some("Stopped: its temporary subscribers are removed.".to_owned());
    for subscriber in &mut replay.subscribers {
        subscriber.temporary_subscriber_arn = None;
        subscriber.state = SubscriberState::Stopped;
    }
    Ok(replay)
}
