//! Archive peeks: a replay of a short window routed through a `rewind-peek-<id>` rule to
//! a `rewind-peek-<id>` queue of Rewind's own, read back with an acknowledgement
//! protocol — an event leaves the queue only when a later request acknowledges the
//! response that carried it, so a lost response loses nothing. The queue's tags hold the
//! peek's settings and its creator (verified `sub` and issuer): only the creator reads
//! it, the creator or an admin stops it. `DELETE` and the sweep (`crate::leftovers`)
//! remove the rule, its target and the queue. The id is 64 random bits.

use crate::aws::error::Kind;
use crate::aws::sqs;
use crate::caller::Caller;
use crate::context::Ctx;
use crate::error::ApiError;
use crate::replays::{self, is_over};
use crate::routing;
use aws_sdk_eventbridge::types::Target;
use shared::ErrorCode;
use shared::Field;
use shared::peek::{MAX_PEEKS_PER_CALLER, NewPeek, Peek, PeekEvents, PeekId, READ_BUDGET_BYTES};
use shared::replay::{NewReplay, ReplayState};
use shared::roles::Role;
use shared::routing::{INSTANCE_TAG, TemporaryRule};
use shared::validation::{
    ArchiveArn, ArchiveName, Description, EventBusArn, EventPattern, ReplayName, ReplayWindow,
    RuleArn,
};
use std::collections::HashMap;
use time::OffsetDateTime;

/// After its replay ends, events may still be on their way to the queue this long.
const SETTLING: time::Duration = time::Duration::seconds(5);

/// Starts a peek of archive `name` (one of the caller's teams'): the queue, the rule and
/// its target, then the replay; whatever fails, what was made is removed again, and the
/// team's slot is freed.
pub async fn start(ctx: &Ctx, name: &ArchiveName, new: NewPeek) -> Result<Peek, ApiError> {
    let archive = &ctx.visible().archive(name).await?;
    let bus = EventBusArn::parse(&archive.summary.event_source_arn)
        .map_err(|e| ApiError::upstream(e.message))?;
    let owner = Owner::of(&ctx.caller);
    let mine = owned_by(ctx, &owner).await?;
    if mine >= MAX_PEEKS_PER_CALLER {
        return Err(ApiError::new(
            ErrorCode::LimitExceeded,
            format!(
                "You have {mine} peeks open, the most one person may have at once; stop one (or wait for it to be swept) and peek again."
            ),
        ));
    }
    let id = PeekId::from_random(crate::random::bits()?);
    let name = id.resource_name();
    let replay = ReplayName::parse(&name).map_err(|e| ApiError::upstream(e.message))?;
    let rule_arn = bus.rule_arn(&name);
    let now = OffsetDateTime::now_utc();
    let mut tags = HashMap::from([
        ("archive".to_owned(), archive.summary.archive_name.clone()),
        ("bus".to_owned(), bus.bus_name().to_owned()),
        (
            "start".to_owned(),
            shared::timestamp::format(new.window.start()),
        ),
        (
            "end".to_owned(),
            shared::timestamp::format(new.window.end()),
        ),
        ("maxEvents".to_owned(), new.max_events.to_string()),
        ("createdAt".to_owned(), shared::timestamp::format(now)),
        ("delivered".to_owned(), "0".to_owned()),
        (HANDED_OUT.to_owned(), "0".to_owned()),
        (OWNER_SUB.to_owned(), owner.sub.clone()),
        (OWNER_ISSUER.to_owned(), owner.issuer.clone()),
        (
            INSTANCE_TAG.to_owned(),
            ctx.eventbridge().instance().to_owned(),
        ),
    ]);
    if let Some(pattern) = &new.pattern {
        tags.extend(sqs::pattern_tags(pattern.as_str()));
    }
    // The rule's pattern: the peek's own (if any) and this replay's name.
    let pattern = match &new.pattern {
        Some(p) => p.routed(None, &name),
        None => EventPattern::parse(&serde_json::json!({"replay-name": [name]}).to_string()),
    }
    .map_err(|e| {
        let message = if e.field == Field::RoutingTargets {
            "This pattern refuses replayed events (it tests replay-name); a peek shows replayed events, so leave replay-name out.".to_owned()
        } else {
            e.message
        };
        ApiError::from(shared::FieldError::new(Field::EventPattern, message))
    })?;
    let slots = crate::jobs::slots::of(ctx);
    let reservation = slots
        .reserve(
            ctx,
            bus.as_str(),
            &name,
            crate::jobs::slots::HolderKind::Replay,
        )
        .await?;
    let queue = ctx
        .aws
        .queues
        .create(
            &name,
            &queue_arn_for(&bus, &name),
            &rule_arn,
            archive.kms_key_identifier.as_deref(),
            tags,
        )
        .await;
    let (url, queue_arn) = match queue {
        Ok(queue) => queue,
        Err(error) => {
            slots.release(reservation).await;
            return Err(error.into());
        }
    };
    let made: Result<_, ApiError> = async {
        let description = TemporaryRule {
            replay: name.clone(),
            carries: format!("queue {name}"),
            made: now,
        }
        .description();
        let target = Target::builder()
            .id("peek")
            .arn(&queue_arn)
            .build()
            .map_err(|e| ApiError::upstream(e.to_string()))?;
        let rule =
            routing::put_temporary_rule(ctx, &bus, &name, &pattern, &description, vec![target])
                .await?;
        replays::start_from(
            ctx,
            NewReplay {
                name: replay.clone(),
                description: Description::parse(&format!(
                    "Rewind peek of archive {}",
                    archive.summary.archive_name
                ))
                .ok(),
                archive: ArchiveArn::parse(&archive.archive_arn)
                    .map_err(|e| ApiError::upstream(e.message))?,
                window: new.window,
                destination: bus.clone(),
                filter_rules: vec![
                    RuleArn::parse(&rule).map_err(|e| ApiError::upstream(e.message))?,
                ],
                routing: None,
            },
            archive,
        )
        .await
    }
    .await;
    match made {
        Ok(started) => Ok(Peek {
            peek_id: id.to_string(),
            archive_name: archive.summary.archive_name.clone(),
            replay_name: name,
            event_start_time: new.window.start(),
            event_end_time: new.window.end(),
            event_pattern: new.pattern.map(EventPattern::into_inner),
            max_events: new.max_events,
            state: started.state,
            events_delivered: 0,
            created_at: now,
        }),
        Err(error) => {
            slots.release(reservation).await;
            remove(ctx, &bus, &name, &url).await;
            Err(error)
        }
    }
}

/// The events that arrived since the last call, after deleting the ones `ack` confirms.
pub async fn read(ctx: &Ctx, id: &PeekId, ack: Option<&str>) -> Result<PeekEvents, ApiError> {
    let (url, tags) = find(ctx, id).await?;
    // Only its creator reads a peek: to anyone else it does not exist.
    if !Owner::of(&ctx.caller).owns(&tags) {
        return Err(not_found(ApiError::not_found(String::new()), id));
    }
    let name = id.resource_name();
    let mut peek = peek_from_tags(id, &tags)?;
    if let Some(ack) = ack.filter(|a| !a.is_empty()) {
        let handles: Vec<&str> = ack.split(' ').filter(|h| !h.is_empty()).collect();
        let deleted = ctx.aws.queues.delete(&url, &handles).await?;
        if deleted > 0 {
            peek.events_delivered += u32::try_from(deleted).unwrap_or(u32::MAX);
            ctx.aws
                .queues
                .tag(&url, "delivered", peek.events_delivered.to_string())
                .await?;
        }
    }
    let replay = ReplayName::parse(&name).map_err(|e| ApiError::upstream(e.message))?;
    let (replay_state, ended) = match ctx.eventbridge().describe_replay(&replay).await {
        Ok(r) => (r.summary.state, r.summary.replay_end_time),
        Err(e) if e.is_not_found() => (ReplayState::Cancelled, None),
        Err(e) => return Err(e.into()),
    };
    peek.state = replay_state;
    // maxEvents bounds what is handed out, acknowledged or not: a client that never
    // acknowledges cannot read the whole window through redelivery.
    let handed_out: usize = tags
        .get(HANDED_OUT)
        .and_then(|n| n.parse().ok())
        .unwrap_or(usize::from(peek.max_events));
    let room = usize::from(peek.max_events).saturating_sub(handed_out);
    let received = if room == 0 {
        sqs::Received {
            bodies: Vec::new(),
            handles: Vec::new(),
        }
    } else {
        ctx.aws.queues.receive(&url).await?
    };
    let mut events = Vec::new();
    let mut sizes = Vec::new();
    let mut handles = Vec::new();
    let mut unsent = Vec::new();
    let mut bytes = 0;
    for (i, (body, handle)) in received.bodies.iter().zip(&received.handles).enumerate() {
        let event = serde_json::from_str(body).unwrap_or(serde_json::Value::String(body.clone()));
        let cost = wire_cost(&event);
        // At least one event each read, however large; then only what fits the budget.
        let fits = events.is_empty() || bytes + cost <= READ_BUDGET_BYTES;
        if i >= room || !fits {
            unsent.push(handle.as_str());
            continue;
        }
        bytes += cost;
        sizes.push(u32::try_from(body.len()).unwrap_or(u32::MAX));
        events.push(event);
        handles.push(handle.as_str());
    }
    // Received but not handed out: visible again now, not after the redelivery wait.
    let more = !unsent.is_empty() && events.len() < room;
    if !unsent.is_empty() {
        ctx.aws.queues.release(&url, &unsent).await?;
    }
    if !events.is_empty() {
        ctx.aws
            .queues
            .tag(&url, HANDED_OUT, (handed_out + events.len()).to_string())
            .await?;
    }
    // maxEvents reached: the replay has nothing more to send here.
    let reached = handed_out + events.len() >= usize::from(peek.max_events);
    if reached && !is_over(replay_state) && replay_state != ReplayState::Cancelling {
        match ctx.eventbridge().cancel_replay(&replay).await {
            Ok(cancelled) => peek.state = cancelled.state,
            Err(e) if e.is(&Kind::IllegalStatus) => {}
            Err(e) => return Err(e.into()),
        }
    }
    let settled = ended.is_none_or(|t| OffsetDateTime::now_utc() - t > SETTLING);
    let done = events.is_empty()
        && (room == 0
            || (is_over(replay_state) && settled && ctx.aws.queues.pending(&url).await? == 0));
    Ok(PeekEvents {
        peek,
        ack: (!handles.is_empty()).then(|| handles.join(" ")),
        events,
        done,
        sizes,
        more,
    })
}

/// What an event adds to a read's response as Lambda returns it: its JSON as written
/// again, and once more each `"` and `\\` (the body travels inside the JSON of the
/// Lambda response, escaped). Events made of quotes cost up to twice their size.
fn wire_cost(event: &serde_json::Value) -> usize {
    let text = event.to_string();
    text.len() + text.bytes().filter(|b| matches!(b, b'"' | b'\\')).count()
}

/// Ends a peek: cancels its replay if it still runs, removes the rule and the queue.
pub async fn stop(ctx: &Ctx, id: &PeekId) -> Result<(), ApiError> {
    let (url, tags) = find(ctx, id).await?;
    // Its creator or an admin (of its bus's team) stops it; to anyone else it does not
    // exist.
    if !(Owner::of(&ctx.caller).owns(&tags) || ctx.caller.role() == Some(Role::Admin)) {
        return Err(not_found(ApiError::not_found(String::new()), id));
    }
    let name = id.resource_name();
    if let Ok(replay) = ReplayName::parse(&name)
        && let Ok(found) = ctx.eventbridge().describe_replay(&replay).await
        && found.summary.state.can_cancel()
    {
        match ctx.eventbridge().cancel_replay(&replay).await {
            Ok(_) => {}
            Err(e) if e.is(&Kind::IllegalStatus) => {}
            Err(e) => return Err(e.into()),
        }
    }
    let bus = tags.get("bus").map(String::as_str).unwrap_or("default");
    if !routing::remove_rule(ctx, bus, &name).await {
        return Err(ApiError::upstream(format!(
            "The peek's rule {name} could not be removed; the sweep will try again."
        )));
    }
    Ok(ctx.aws.queues.remove(&url).await?)
}

async fn remove(ctx: &Ctx, bus: &EventBusArn, name: &str, url: &str) {
    routing::remove_rule(ctx, bus.bus_name(), name).await;
    if let Err(error) = ctx.aws.queues.remove(url).await {
        tracing::warn!(queue = %name, %error, "could not remove a peek's queue; the sweep will");
    }
}

/// A peek's queue and settings; `NotFound` when it is gone or of another team's bus.
async fn find(ctx: &Ctx, id: &PeekId) -> Result<(String, HashMap<String, String>), ApiError> {
    let scope = ctx.scope();
    let url = ctx
        .aws
        .queues
        .url(&id.resource_name())
        .await
        .map_err(|e| not_found(e, id))?;
    let tags = ctx.aws.queues.tags(&url).await?;
    let bus = tags.get("bus").map(String::as_str).unwrap_or_default();
    if !scope.allows(bus) {
        return Err(not_found(ApiError::not_found(String::new()), id));
    }
    Ok((url, tags))
}

/// Tags of a peek's queue: its creator, and how many events were handed out.
const OWNER_SUB: &str = "ownerSub";
const OWNER_ISSUER: &str = "ownerIssuer";
const HANDED_OUT: &str = "handedOut";

/// Who made a peek: the verified subject and the issuer that vouched for it (`local`
/// for the signed-out local user).
struct Owner {
    sub: String,
    issuer: String,
}

impl Owner {
    fn of(caller: &Caller) -> Self {
        Self {
            sub: caller.subject.clone(),
            issuer: caller.issuer.clone().unwrap_or_else(|| "local".to_owned()),
        }
    }

    fn owns(&self, tags: &HashMap<String, String>) -> bool {
        tags.get(OWNER_SUB) == Some(&self.sub) && tags.get(OWNER_ISSUER) == Some(&self.issuer)
    }
}

/// How many peeks `owner` has: every peek queue of this instance that is theirs.
async fn owned_by(ctx: &Ctx, owner: &Owner) -> Result<usize, ApiError> {
    let mut count = 0;
    for url in ctx.aws.queues.peek_queues().await? {
        match ctx.aws.queues.tags(&url).await {
            Ok(tags)
                if owner.owns(&tags)
                    && tags.get(INSTANCE_TAG).map(String::as_str)
                        == Some(ctx.eventbridge().instance()) =>
            {
                count += 1;
            }
            Ok(_) => {}
            // Removed meanwhile.
            Err(e) if e.is_not_found() => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(count)
}

fn not_found(error: impl Into<ApiError>, id: &PeekId) -> ApiError {
    let error = error.into();
    if error.code == ErrorCode::NotFound {
        ApiError::not_found(format!(
            "There is no peek {id}: it ended and was removed, or never existed."
        ))
    } else {
        error
    }
}

/// The queue ARN a peek's policy names, from the bus's partition, region and account.
fn queue_arn_for(bus: &EventBusArn, name: &str) -> String {
    let parts: Vec<&str> = bus.as_str().split(':').collect();
    match parts.as_slice() {
        [_, partition, _, region, account, ..] => {
            format!("arn:{partition}:sqs:{region}:{account}:{name}")
        }
        _ => format!("arn:aws:sqs:::{name}"),
    }
}

fn peek_from_tags(id: &PeekId, tags: &HashMap<String, String>) -> Result<Peek, ApiError> {
    let get = |key: &str| tags.get(key).map(String::as_str).unwrap_or_default();
    let time = |key: &str| {
        shared::timestamp::parse(get(key)).map_err(|_| {
            ApiError::upstream(format!(
                "The peek's queue lacks its {key} tag; it was not made by Rewind."
            ))
        })
    };
    let window = ReplayWindow::parse(time("start")?, time("end")?)
        .map_err(|e| ApiError::upstream(e.message))?;
    Ok(Peek {
        peek_id: id.to_string(),
        archive_name: get("archive").to_owned(),
        replay_name: id.resource_name(),
        event_start_time: window.start(),
        event_end_time: window.end(),
        event_pattern: sqs::pattern_from_tags(tags),
        max_events: get("maxEvents")
            .parse()
            .unwrap_or(shared::peek::DEFAULT_MAX_EVENTS),
        state: ReplayState::Starting,
        events_delivered: get("delivered").parse().unwrap_or(0),
        created_at: time("createdAt")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_events_wire_cost_counts_the_escapes_of_the_lambda_response() {
        // {"a":"bcd"}: 11 bytes and 4 quotes.
        assert_eq!(wire_cost(&serde_json::json!({"a": "bcd"})), 15);
        // ["","",""]: 10 bytes and 6 quotes.
        assert_eq!(wire_cost(&serde_json::json!(["", "", ""])), 16);
        // "\\\\": 6 bytes, 2 quotes and 4 backslashes.
        assert_eq!(wire_cost(&serde_json::json!("\\\\")), 12);
    }
}
