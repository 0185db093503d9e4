//! Replays: list, start, preview, watch and cancel — what a replay request does. A start is
//! checked (the window cap, forwarding for admins, the name not a job's slice), its archive
//! read within the caller's teams, a slot of the team reserved, a routed replay's temporary
//! rules made (`crate::routing`), and only then is StartReplay called; whatever fails
//! after that removes what this request made and frees its slot.

mod preview;

pub use preview::preview;

use crate::context::Ctx;
use crate::error::ApiError;
use crate::jobs::slots::{self, HolderKind};
use crate::routing;
use shared::list::ListRequest;
use shared::replay::{
    CancelReplayResponse, NewReplay, Replay, ReplayList, ReplayState, StartReplayResponse,
};
use shared::validation::{ArchiveArn, Description, EventBusArn, ReplayName};

/// A replay that will send nothing more.
pub fn is_over(state: ReplayState) -> bool {
    matches!(
        state,
        ReplayState::Completed | ReplayState::Cancelled | ReplayState::Failed
    )
}

/// The replays the caller may see, each slice marked with its job.
pub async fn list(
    ctx: &Ctx,
    request: ListRequest<ArchiveArn, ReplayState>,
) -> Result<ReplayList, ApiError> {
    let mut list = ctx.visible().list_replays(request).await?;
    crate::jobs::mark_slices(ctx, &mut list.replays).await;
    Ok(list)
}

/// Starts a replay (see the module). Without a description of its own, it says who
/// started it, so the trail in AWS names the person too.
pub async fn start(ctx: &Ctx, mut replay: NewReplay) -> Result<StartReplayResponse, ApiError> {
    ctx.check_replay(&replay)?;
    // The mark is Rewind's to write: a description typed with it would make the replay's
    // page say it went somewhere it did not.
    if replay
        .description
        .as_ref()
        .is_some_and(|d| d.as_str().contains(shared::routing::SENT_TO_MARK.trim()))
    {
        return Err(ApiError::from(shared::FieldError::new(
            shared::Field::Description,
            "A description may not contain \"Rewind sent it to\": Rewind writes that itself, for routed and forwarded replays.",
        )));
    }
    if replay.description.is_none() {
        replay.description =
            Description::parse(&format!("Started by {} via Rewind", ctx.caller.name())).ok();
    }
    // Whom it goes to stays with the replay in EventBridge: its page says so after the
    // temporary rules are gone (when it fits beside the description).
    if let Some(routing) = &replay.routing
        && let Some(with) = routing.describe(replay.description.as_ref().map_or("", |d| d.as_str()))
        && let Ok(with) = Description::parse(&with)
    {
        replay.description = Some(with);
    }
    crate::jobs::refuse_slice_name(ctx, &replay.name).await?;
    // Scope and archive first: a slot refusal names only the caller's own team.
    let archive = crate::archives::of_replay(ctx, &replay).await?;
    let slots = slots::of(ctx);
    let reservation = slots
        .reserve(
            ctx,
            &archive.summary.event_source_arn,
            replay.name.as_str(),
            HolderKind::Replay,
        )
        .await?;
    let started = start_from(ctx, replay, &archive).await;
    if started.is_err() {
        slots.release(reservation).await;
    }
    started
}

/// StartReplay of `replay` from `archive` (already read within the caller's teams). A
/// routed replay's temporary rules are made first and are its `filterArns`; if the start
/// fails, what this request made is removed again — and only that: a replay of this name
/// that another request did start keeps its rules.
pub async fn start_from(
    ctx: &Ctx,
    replay: NewReplay,
    archive: &shared::archive::Archive,
) -> Result<StartReplayResponse, ApiError> {
    replay.check_destination(&archive.summary.event_source_arn)?;
    let bus = EventBusArn::parse(&archive.summary.event_source_arn)
        .map_err(|e| ApiError::upstream(e.message))?;
    check_forward(ctx, &replay, &bus)?;
    let routed = match &replay.routing {
        None => None,
        Some(_) => Some(routing::route(ctx, &replay, &bus).await?),
    };
    let filter_rules: Vec<String> = match &routed {
        Some(made) => made.iter().map(|r| r.arn.clone()).collect(),
        None => replay
            .filter_rules
            .iter()
            .map(|r| r.as_str().to_owned())
            .collect(),
    };
    let started = ctx.eventbridge().start_replay(&replay, filter_rules).await;
    if started.is_err()
        && let Some(made) = &routed
    {
        routing::remove_made(ctx, bus.bus_name(), made).await;
    }
    Ok(started?)
}

/// A forward's checks (scope, another account's role and the allowed list).
fn check_forward(ctx: &Ctx, replay: &NewReplay, bus: &EventBusArn) -> Result<(), ApiError> {
    match replay.routing.as_ref().and_then(|r| r.forward.as_ref()) {
        Some(forward) => routing::check_forward(ctx, bus, forward),
        None => Ok(()),
    }
}

/// A replay as its page shows it: once it is over, its temporary rules are removed (this
/// may be the first request to see it over; audited as Rewind's own housekeeping); while
/// it runs, `routing` says which targets it was routed to. A job's slice names its job.
pub async fn describe(ctx: &Ctx, name: &ReplayName) -> Result<Replay, ApiError> {
    let mut replay = ctx.visible().replay(name).await?;
    if let Ok(bus) = EventBusArn::parse(&replay.destination.arn) {
        if is_over(replay.summary.state) {
            let reason = format!("the temporary rules of replay {name}, which is over");
            routing::remove_routes_audited(ctx, bus.bus_name(), name.as_str(), &reason).await;
        } else {
            replay.routing = routing::routing_of(ctx, bus.bus_name(), name.as_str()).await;
        }
    }
    crate::jobs::mark_slices(ctx, std::slice::from_mut(&mut replay.summary)).await;
    Ok(replay)
}

/// Cancels a replay and removes its temporary rules: nothing routed reaches a target
/// once it is cancelled.
pub async fn cancel(ctx: &Ctx, name: &ReplayName) -> Result<CancelReplayResponse, ApiError> {
    let replay = ctx.visible().replay(name).await?;
    let cancelled = ctx.eventbridge().cancel_replay(name).await?;
    if let Ok(bus) = EventBusArn::parse(&replay.destination.arn) {
        routing::remove_routes(ctx, bus.bus_name(), name.as_str()).await;
    }
    Ok(cancelled)
}
