//! Who a replay would reach: every rule of the archive's bus with every target, each
//! classified by `shared::preview` (and, for a forward, the receiving bus's rules too).
//! Checked exactly as a start is; nothing is changed.

use crate::context::Ctx;
use crate::error::ApiError;
use futures_util::{StreamExt, TryStreamExt, stream};
use shared::preview::{PreviewInput, ReplayPreview};
use shared::replay::NewReplay;
use shared::validation::EventBusArn;

/// ListTargetsByRule calls in flight at once for one preview: a bus of 300 rules is read
/// in a few seconds without meeting EventBridge's control-plane throttling.
const TARGET_READS_IN_FLIGHT: usize = 8;

/// Who a replay would reach: every rule of the archive's bus with every target,
/// classified by `shared::preview`. Validated like a start; changes nothing.
pub async fn preview(ctx: &Ctx, replay: &NewReplay) -> Result<ReplayPreview, ApiError> {
    ctx.check_replay(replay)?;
    crate::jobs::refuse_slice_name(ctx, &replay.name).await?;
    let archive = crate::archives::of_replay(ctx, replay).await?;
    let bus_arn = EventBusArn::parse(&archive.summary.event_source_arn).map_err(|e| {
        ApiError::upstream(format!("The archive's event source is odd: {}", e.message))
    })?;
    super::check_forward(ctx, replay, &bus_arn)?;
    let bus = bus_arn.bus_name();
    let rules = ctx.eventbridge().all_rules(bus).await?;
    let rules = stream::iter(rules)
        .map(|rule| async move {
            let targets = ctx.eventbridge().all_targets(bus, &rule.name).await?;
            Ok::<_, crate::aws::error::AwsError>((rule, targets))
        })
        .buffered(TARGET_READS_IN_FLIGHT)
        .try_collect()
        .await?;
    // A routed replay reaches only its temporary rules: every rule of the bus is then
    // left out by filterArns.
    let routes = crate::routing::plan_routes(ctx, replay, &bus_arn).await?;
    let routed = crate::routing::routes_for_preview(&routes, &bus_arn);
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
            ctx,
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
    ctx: &Ctx,
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
    let rules = ctx.eventbridge().all_rules(receiving).await?;
    let rules = stream::iter(rules)
        .map(|rule| async move {
            let targets = ctx.eventbridge().all_targets(receiving, &rule.name).await?;
            Ok::<_, crate::aws::error::AwsError>((rule, targets))
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
