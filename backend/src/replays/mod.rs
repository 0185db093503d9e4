//! Starting, previewing, watching and cancelling replays: what a replay request does,
//! over the EventBridge adapter. A routed replay's temporary rules are made before it
//! starts and removed once it is over (`routing`).

pub mod routing;

use crate::aws::eventbridge::EventBridge;
use crate::error::ApiError;
use futures_util::{StreamExt, TryStreamExt, stream};
use shared::Field;
use shared::archive::Archive;
use shared::preview::{PreviewInput, ReplayPreview};
use shared::replay::{CancelReplayResponse, NewReplay, Replay, ReplayState, StartReplayResponse};
use shared::validation::{ArchiveName, EventBusArn, ReplayName};

/// ListTargetsByRule calls in flight at once for one preview: a bus of 300 rules is read
/// in a few seconds without meeting EventBridge's control-plane throttling.
const TARGET_READS_IN_FLIGHT: usize = 8;

/// A replay that will send nothing more.
pub fn is_over(state: ReplayState) -> bool {
    matches!(
        state,
        ReplayState::Completed | ReplayState::Cancelled | ReplayState::Failed
    )
}

/// The archive a replay reads, once its destination is checked against it: EventBridge
/// replays only to the archive's own bus.
pub async fn archive_of(
    eventbridge: &EventBridge,
    replay: &NewReplay,
) -> Result<Archive, ApiError> {
    eventbridge.check_bus_write(replay.destination.as_str(), Field::DestinationArn)?;
    let archive_name = ArchiveName::parse(replay.archive.archive_name())
        .map_err(|e| e.at(Field::EventSourceArn))?;
    let archive = eventbridge
        .describe_archive(&archive_name)
        .await
        .map_err(|e| {
            if e.code == shared::ErrorCode::NotFound {
                ApiError::not_found(format!("Archive {archive_name} does not exist."))
                    .with_field(Field::EventSourceArn)
            } else {
                e
            }
        })?;
    replay.check_destination(&archive.summary.event_source_arn)?;
    Ok(archive)
}

/// Starts a replay after checking, against the archive itself, that the destination is
/// the archive's own bus (EventBridge refuses cross-bus replays). A routed replay's
/// temporary rules are made first and are its `filterArns`; if the start fails, what this
/// request made is removed again — and only that: a replay of this name that another
/// request did start keeps its rules.
pub async fn start(
    eventbridge: &EventBridge,
    replay: NewReplay,
    allowed_targets: &[String],
) -> Result<StartReplayResponse, ApiError> {
    let archive = archive_of(eventbridge, &replay).await?;
    let bus = EventBusArn::parse(&archive.summary.event_source_arn)
        .map_err(|e| ApiError::upstream(e.message))?;
    check_forward(eventbridge, &replay, &bus, allowed_targets)?;
    let routed = match &replay.routing {
        None => None,
        Some(_) => Some(routing::route(eventbridge, &replay, &bus).await?),
    };
    let filter_rules: Vec<String> = match &routed {
        Some(made) => made.iter().map(|r| r.arn.clone()).collect(),
        None => replay
            .filter_rules
            .iter()
            .map(|r| r.as_str().to_owned())
            .collect(),
    };
    let started = eventbridge.start_replay(&replay, filter_rules).await;
    if started.is_err()
        && let Some(made) = &routed
    {
        routing::remove_made(eventbridge, bus.bus_name(), made).await;
    }
    started
}

/// Who a replay would reach: every rule of the archive's bus with every target,
/// classified by `shared::preview`. Validated like a start; changes nothing.
pub async fn preview(
    eventbridge: &EventBridge,
    replay: &NewReplay,
    allowed_targets: &[String],
) -> Result<ReplayPreview, ApiError> {
    let archive = archive_of(eventbridge, replay).await?;
    let bus_arn = EventBusArn::parse(&archive.summary.event_source_arn).map_err(|e| {
        ApiError::upstream(format!("The archive's event source is odd: {}", e.message))
    })?;
    check_forward(eventbridge, replay, &bus_arn, allowed_targets)?;
    let bus = bus_arn.bus_name();
    let rules = eventbridge.all_rules(bus).await?;
    let rules = stream::iter(rules)
        .map(|rule| async move {
            let targets = eventbridge.all_targets(bus, &rule.name).await?;
            Ok::<_, ApiError>((rule, targets))
        })
        .buffered(TARGET_READS_IN_FLIGHT)
        .try_collect()
        .await?;
    // A routed replay reaches only its temporary rules: every rule of the bus is then
    // left out by filterArns.
    let routes = routing::plan_routes(eventbridge, replay, &bus_arn).await?;
    let routed = routing::routes_for_preview(&routes, &bus_arn);
    let routed_arns: Vec<&str> = routed.iter().map(|r| r.arn.as_str()).collect();
    let filter_arns: Vec<&str> = if routed.is_empty() {
        replay.filter_rules.iter().map(|r| r.as_str()).collect()
    } else {
        routed_arns
    };
    let mut preview = ReplayPreview::assemble(
        archive.archive_arn.clone(),
        bus_arn.as_str().to_owned(),
        (replay.window.start(), replay.window.end()),
        PreviewInput {
            replay_name: replay.name.as_str(),
            filter_arns: &filter_arns,
            rules,
            routed: routed.clone(),
        },
    );
    if let Some(forward) = replay.routing.as_ref().and_then(|r| r.forward.as_ref()) {
        forward_preview(
            eventbridge,
            replay,
            &archive.archive_arn,
            &bus_arn,
            forward,
            &mut preview,
        )
        .await?;
    }
    Ok(preview)
}

/// What a forward reaches on the receiving bus: its rules classified as for any replay
/// (this account and region), and the warnings a forward needs; for another account's
/// bus, what Rewind cannot see.
async fn forward_preview(
    eventbridge: &EventBridge,
    replay: &NewReplay,
    archive_arn: &str,
    archive_bus: &EventBusArn,
    forward: &shared::routing::Forward,
    preview: &mut ReplayPreview,
) -> Result<(), ApiError> {
    let receiving = forward.bus.bus_name();
    let same_place = forward
        .bus
        .as_str()
        .rsplit_once(":event-bus/")
        .map(|(head, _)| head)
        == archive_bus
            .as_str()
            .rsplit_once(":event-bus/")
            .map(|(head, _)| head);
    if !same_place {
        preview.warnings.insert(
            0,
            format!(
                "Bus {} is in another account or region: Rewind cannot see its rules, so it cannot tell who there receives the forwarded events or which rules there opt out of replays.",
                forward.bus.as_str()
            ),
        );
        return Ok(());
    }
    let rules = eventbridge.all_rules(receiving).await?;
    let rules = stream::iter(rules)
        .map(|rule| async move {
            let targets = eventbridge.all_targets(receiving, &rule.name).await?;
            Ok::<_, ApiError>((rule, targets))
        })
        .buffered(TARGET_READS_IN_FLIGHT)
        .try_collect()
        .await?;
    let there = ReplayPreview::assemble(
        archive_arn.to_owned(),
        forward.bus.as_str().to_owned(),
        (replay.window.start(), replay.window.end()),
        PreviewInput {
            replay_name: replay.name.as_str(),
            filter_arns: &[],
            rules,
            routed: Vec::new(),
        },
    );
    let opted_out: Vec<&str> = there
        .rules
        .iter()
        .filter(|r| r.delivery == shared::preview::Delivery::OptedOut)
        .map(|r| r.name.as_str())
        .collect();
    let mut warnings = vec![format!(
        "Forwarded events keep their replay-name field: {} rule{} and {} target{} on {receiving} would receive them.",
        there.receiving_rules,
        if there.receiving_rules == 1 { "" } else { "s" },
        there.receiving_targets,
        if there.receiving_targets == 1 {
            ""
        } else {
            "s"
        },
    )];
    if !opted_out.is_empty() {
        warnings.push(format!(
            "Rules on {receiving} that opt out of replays drop the forwarded events: {}.",
            opted_out.join(", ")
        ));
    }
    warnings.push(format!(
        "Archives on {receiving} never capture the forwarded events (they carry replay-name)."
    ));
    // The receiving bus's own warnings stay in its preview; the forward's lead the
    // replay's.
    preview.warnings.splice(0..0, warnings);
    preview.forwarded_to = Some(Box::new(there));
    Ok(())
}

/// A forward's checks (scope, another account's role and the allowed list).
fn check_forward(
    eventbridge: &EventBridge,
    replay: &NewReplay,
    bus: &EventBusArn,
    allowed_targets: &[String],
) -> Result<(), ApiError> {
    match replay.routing.as_ref().and_then(|r| r.forward.as_ref()) {
        Some(forward) => routing::check_forward(eventbridge, bus, forward, allowed_targets),
        None => Ok(()),
    }
}

/// A replay as its page shows it: once it is over, its temporary rules are removed (this
/// may be the first request to see it over); while it runs, `routing` says which targets
/// it was routed to.
pub async fn describe_and_tidy(
    eventbridge: &EventBridge,
    name: &ReplayName,
) -> Result<Replay, ApiError> {
    let mut replay = eventbridge.describe_replay(name).await?;
    if let Ok(bus) = EventBusArn::parse(&replay.destination.arn) {
        if is_over(replay.summary.state) {
            routing::remove_routes(eventbridge, bus.bus_name(), name.as_str()).await;
        } else {
            replay.routing = routing::routing_of(eventbridge, bus.bus_name(), name.as_str()).await;
        }
    }
    Ok(replay)
}

/// Cancels a replay and removes its temporary rules: nothing routed reaches a target
/// once it is cancelled.
pub async fn cancel_and_tidy(
    eventbridge: &EventBridge,
    name: &ReplayName,
) -> Result<CancelReplayResponse, ApiError> {
    let cancelled = eventbridge.cancel_replay(name).await?;
    if let Ok(replay) = eventbridge.describe_replay(name).await
        && let Ok(bus) = EventBusArn::parse(&replay.destination.arn)
    {
        routing::remove_routes(eventbridge, bus.bus_name(), name.as_str()).await;
    }
    Ok(cancelled)
}
