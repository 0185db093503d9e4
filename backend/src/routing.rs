//! Routed replays: a replay that reaches only chosen targets, through temporary
//! `rewind-` rules on the archive's bus, each carrying copies of the chosen targets of one
//! rule, made before StartReplay (whose `filterArns` are then exactly these rules) and
//! removed once the replay is over — by the request that first sees it over, by a
//! cancel, by a failed start (only what that request made), or by the sweep
//! (`crate::leftovers`), which needs no browser to stay open. Peeks make theirs here too.

use crate::configuration::RoutingPolicy;
use crate::configuration::place;
use crate::context::Ctx;
use crate::error::ApiError;
use aws_sdk_eventbridge::types as aws;
use shared::ErrorCode;
use shared::Field;
use shared::preview::{Delivery, PreviewRule};
use shared::replay::NewReplay;
use shared::routing::{Forward, RoutedTarget, RoutingRequest, TemporaryRule};
use shared::validation::{EventBusArn, EventPattern};
use time::OffsetDateTime;

/// One temporary rule, planned: its name, what it carries (copies of a rule's targets,
/// or a forward to another bus), its pattern and targets.
pub struct Route {
    pub name: String,
    pub carries: String,
    pub pattern: EventPattern,
    pub targets: Vec<aws::Target>,
}

/// The text, unless it is empty (as an emulator may send it).
fn non_empty(text: Option<&str>) -> Option<String> {
    text.filter(|t| !t.is_empty()).map(str::to_owned)
}

/// A temporary rule this request made: what it may remove again, and nothing else.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MadeRule {
    pub name: String,
    pub arn: String,
}

/// Plans and makes the temporary rules of a routed replay; returns their ARNs, for
/// StartReplay's `filterArns`.
pub async fn route(
    ctx: &Ctx,
    replay: &NewReplay,
    bus: &EventBusArn,
) -> Result<Vec<MadeRule>, ApiError> {
    // A name already taken fails at StartReplay anyway; refusing it first makes no
    // rule at all.
    match ctx.eventbridge().describe_replay(&replay.name).await {
        Ok(_) => {
            return Err(ApiError::new(
                ErrorCode::AlreadyExists,
                format!(
                    "A replay named {} already exists; choose another name.",
                    replay.name
                ),
            )
            .with_field(Field::ReplayName));
        }
        Err(e) if e.is_not_found() => {}
        Err(e) => return Err(e.into()),
    }
    let routes = plan_routes(ctx, replay, bus).await?;
    make_routes(ctx, replay.name.as_str(), bus, routes).await
}

/// Reads the chosen rules and targets and plans one temporary rule per chosen rule;
/// changes nothing. A rule or target that does not exist, a rule without a pattern
/// or managed by a service, and a pattern conflict are each a 4xx on their field.
pub async fn plan_routes(
    ctx: &Ctx,
    replay: &NewReplay,
    bus: &EventBusArn,
) -> Result<Vec<Route>, ApiError> {
    plan_routes_for(ctx, replay, bus, &[replay.name.as_str()]).await
}

/// [`plan_routes`] for the replays named `replay_names` (a job's slices): each
/// temporary rule matches every one of them and no other replay.
pub async fn plan_routes_for(
    ctx: &Ctx,
    replay: &NewReplay,
    bus: &EventBusArn,
    replay_names: &[&str],
) -> Result<Vec<Route>, ApiError> {
    let policy = &ctx.limits.routing;
    let Some(routing) = &replay.routing else {
        return Ok(Vec::new());
    };
    if let Some(forward) = &routing.forward {
        return plan_forward(
            replay,
            bus,
            forward,
            routing.narrowing.as_ref(),
            replay_names,
        );
    }
    let mut routes = Vec::new();
    for (position, (rule_name, ids)) in routing.rules.iter().enumerate() {
        let rule = ctx
            .eventbridge()
            .describe_rule_raw(bus.bus_name(), rule_name.as_str())
            .await
            .map_err(|e| match e {
                e if e.is_not_found() => ApiError::not_found(format!(
                    "Rule {rule_name} is not on bus {}; it may have been deleted.",
                    bus.bus_name()
                ))
                .with_field(Field::RoutingTargets),
                e => e.into(),
            })?;
        let refuse = |why: String| {
            ApiError::from(shared::FieldError::new(
                Field::RoutingTargets,
                format!("Rule {rule_name} cannot be routed to: {why}."),
            ))
        };
        if let Some(manager) = non_empty(rule.managed_by()) {
            return Err(refuse(format!("it is managed by {manager}")));
        }
        // A copy is always enabled: a rule disabled on purpose stays silent.
        if rule.state() != Some(&aws::RuleState::Enabled) {
            return Err(refuse(format!(
                "it is {}, and a routed copy would deliver to its targets anyway; enable it first if they should receive the replay",
                rule.state().map_or("not enabled", |s| s.as_str())
            )));
        }
        let Some(pattern) = non_empty(rule.event_pattern()) else {
            return Err(refuse(
                "it runs on a schedule and has no event pattern".into(),
            ));
        };
        let pattern = EventPattern::parse(&pattern)
            .and_then(|p| p.routed_for(routing.narrowing.as_ref(), replay_names))
            .map_err(|e| match e.field {
                Field::RoutingTargets => refuse(e.message),
                _ => ApiError::from(e),
            })?;
        let existing = ctx
            .eventbridge()
            .raw_targets(bus.bus_name(), rule_name.as_str())
            .await?;
        let mut targets = Vec::new();
        for id in ids {
            match existing.iter().find(|t| t.id() == id.as_str()) {
                Some(target) => {
                    let what = format!("Target {id} of rule {rule_name}");
                    policy.check_target_role(target.role_arn(), &what, Field::RoutingTargets)?;
                    policy.check_copy(target.arn(), bus, &what)?;
                    targets.push(target.clone());
                }
                None => {
                    return Err(ApiError::not_found(format!(
                        "Rule {rule_name} has no target {id}; it may have been removed."
                    ))
                    .with_field(Field::RoutingTargets));
                }
            }
        }
        routes.push(Route {
            name: TemporaryRule::name(&replay.name, position, crate::random::bits()?),
            carries: TemporaryRule::copies_of(rule_name.as_str()),
            pattern,
            targets,
        });
    }
    Ok(routes)
}

/// A forward: one temporary rule on the archive's bus matching only these replays (and
/// the narrowing pattern), whose only target is the receiving bus.
fn plan_forward(
    replay: &NewReplay,
    bus: &EventBusArn,
    forward: &Forward,
    narrowing: Option<&EventPattern>,
    replay_names: &[&str],
) -> Result<Vec<Route>, ApiError> {
    if forward.bus.as_str() == bus.as_str() {
        return Err(ApiError::from(shared::FieldError::new(
            Field::RoutingForwardTo,
            "That is the archive's own bus: replay to it in place instead of forwarding.",
        )));
    }
    let pattern = EventPattern::forwarding(narrowing, replay_names).map_err(ApiError::from)?;
    let target = aws::Target::builder()
        .id("rewind-forward")
        .arn(forward.bus.as_str())
        .set_role_arn(forward.role.clone())
        .build()
        .map_err(|e| ApiError::upstream(format!("The forward's target could not be built: {e}")))?;
    Ok(vec![Route {
        name: TemporaryRule::name(&replay.name, 0, crate::random::bits()?),
        carries: TemporaryRule::forwards_to(forward.bus.as_str()),
        pattern,
        targets: vec![target],
    }])
}

/// The checks a forward needs before anything is made: the receiving bus is in the
/// caller's scope; its role is one the deployment may pass (`ForwardRoleArns`); a bus of
/// this partition, region and account is one of `EventBusNames`; any other bus needs a
/// role and must match the allowed target ARNs (`AllowedTargetArns`, matched as IAM's
/// `ArnLike` does, which bounds PutTargets in IAM too).
pub fn check_forward(
    ctx: &Ctx,
    archive_bus: &EventBusArn,
    forward: &Forward,
) -> Result<(), ApiError> {
    let policy: &RoutingPolicy = &ctx.limits.routing;
    ctx.visible()
        .check_bus_write(forward.bus.as_str(), Field::RoutingForwardTo)?;
    if let Some(role) = &forward.role
        && !policy.forward_role_arns.iter().any(|r| r == role)
    {
        return Err(ApiError::from(shared::FieldError::new(
            Field::RoutingForwardToRoleArn,
            format!(
                "Role {role} is not one this deployment may pass to EventBridge for a forward (the ForwardRoleArns parameter); an administrator of the stack can add it."
            ),
        )));
    }
    if place(forward.bus.as_str()) == place(archive_bus.as_str()) {
        let name = forward.bus.bus_name();
        if !policy.allows_bus(name) {
            return Err(ApiError::new(
                ErrorCode::Forbidden,
                format!(
                    "Bus {name} is not among this deployment's event buses (the EventBusNames parameter), so Rewind may not forward to it."
                ),
            )
            .with_field(Field::RoutingForwardTo));
        }
        return Ok(());
    }
    if forward.role.is_none() {
        return Err(ApiError::from(shared::FieldError::new(
            Field::RoutingForwardTo,
            "Another account's or region's bus needs roleArn: a role EventBridge may use to put events there, admitted by that bus's policy.",
        )));
    }
    if !policy
        .allowed_target_arns
        .iter()
        .any(|pattern| shared::validation::arn_like(pattern, forward.bus.as_str()))
    {
        return Err(ApiError::new(
            ErrorCode::Forbidden,
            format!(
                "{} is outside this account and region, and not among the deployment's allowed target ARNs (the AllowedTargetArns parameter); an administrator of the stack can add it.",
                forward.bus.as_str()
            ),
        )
        .with_field(Field::RoutingForwardTo));
    }
    Ok(())
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
            targets: route
                .targets
                .iter()
                .map(crate::aws::eventbridge::preview_target)
                .collect(),
        })
        .collect()
}

/// Makes the planned rules and their targets; returns what was made. Whatever fails,
/// what this request made is removed again (and only that) before the error is
/// returned.
pub async fn make_routes(
    ctx: &Ctx,
    replay: &str,
    bus: &EventBusArn,
    routes: Vec<Route>,
) -> Result<Vec<MadeRule>, ApiError> {
    let made_at = OffsetDateTime::now_utc();
    let mut made = Vec::new();
    for route in routes {
        let description = TemporaryRule {
            replay: replay.to_owned(),
            carries: route.carries.clone(),
            made: made_at,
        }
        .description();
        let result = put_temporary_rule(
            ctx,
            bus,
            &route.name,
            &route.pattern,
            &description,
            route.targets,
        )
        .await;
        match result {
            Ok(arn) => made.push(MadeRule {
                name: route.name,
                arn,
            }),
            Err(error) => {
                remove_made(ctx, bus.bus_name(), &made).await;
                return Err(error);
            }
        }
    }
    Ok(made)
}

/// Removes the rules one request made (after its start failed).
pub async fn remove_made(ctx: &Ctx, bus: &str, made: &[MadeRule]) {
    for rule in made {
        if !remove_rule(ctx, bus, &rule.name).await {
            tracing::warn!(%bus, rule = %rule.name, "a temporary rule stays; the sweep removes it");
        }
    }
}

/// Makes one temporary rule and its targets; returns its ARN. The rule must not
/// exist yet (Rewind never overwrites a rule), and once its targets are put they are
/// read back and must be exactly `targets`; otherwise the rule is removed again and
/// the request refused.
pub async fn put_temporary_rule(
    ctx: &Ctx,
    bus: &EventBusArn,
    name: &str,
    pattern: &EventPattern,
    description: &str,
    targets: Vec<aws::Target>,
) -> Result<String, ApiError> {
    match ctx
        .eventbridge()
        .describe_rule_raw(bus.bus_name(), name)
        .await
    {
        Err(e) if e.is_not_found() => {}
        Err(e) => return Err(e.into()),
        Ok(_) => {
            return Err(ApiError::new(
                ErrorCode::AlreadyExists,
                format!(
                    "A rule named {name} already exists; Rewind never overwrites a rule. Try again."
                ),
            ));
        }
    }
    let arn = ctx
        .eventbridge()
        .put_tagged_rule(bus.bus_name(), name, pattern.as_str(), description)
        .await?;
    let checked: Result<String, ApiError> = async {
        // One target a call: IAM bounds each call's target ARNs by one statement (this
        // account's resources, or the allowed buses), and a call mixing both would match
        // neither.
        for target in &targets {
            ctx.eventbridge()
                .put_targets(bus.bus_name(), name, vec![target.clone()])
                .await?;
        }
        let mut read = ctx.eventbridge().raw_targets(bus.bus_name(), name).await?;
        let mut planned = targets;
        read.sort_by(|a, b| a.id().cmp(b.id()));
        planned.sort_by(|a, b| a.id().cmp(b.id()));
        if read != planned {
            return Err(ApiError::upstream(format!(
                "Rule {name} did not hold exactly the targets Rewind put on it (another writer?); it was removed and nothing was replayed."
            )));
        }
        Ok(arn)
    }
    .await;
    if checked.is_err() && !remove_rule(ctx, bus.bus_name(), name).await {
        tracing::warn!(rule = %name, "a temporary rule stays; the sweep removes it");
    }
    checked
}

/// Removes every temporary rule of `replay` on `bus`; returns how many. Failures are
/// logged: the sweep tries again later.
pub async fn remove_routes(ctx: &Ctx, bus: &str, replay: &str) -> usize {
    let mut removed = 0;
    for found in own_routes(ctx, bus, replay).await {
        if remove_rule(ctx, bus, &found.name).await {
            removed += 1;
            tracing::info!(%bus, rule = %found.name, %replay, "temporary rule removed");
        }
    }
    removed
}

/// The temporary rules of `replay` on `bus` that this deployment made (its instance
/// tag). An error listing them is logged and reads as none: the sweep tries again.
async fn own_routes(ctx: &Ctx, bus: &str, replay: &str) -> Vec<crate::aws::eventbridge::FoundRule> {
    let rules = match ctx.eventbridge().temporary_rules(bus).await {
        Ok(rules) => rules,
        Err(error) => {
            tracing::warn!(%bus, %replay, %error, "could not list temporary rules");
            return Vec::new();
        }
    };
    let mut own = Vec::new();
    for found in rules.into_iter().filter(|r| r.rule.replay == replay) {
        if matches!(
            ctx.eventbridge().is_this_instances(&found.arn).await,
            Ok(true)
        ) {
            own.push(found);
        }
    }
    own
}

/// [`remove_routes`] by a request that found the replay or job over: each removal is
/// Rewind's own housekeeping, audited (intent first) under `rewind-sweep` whoever's
/// request it rides on; a removal whose intent cannot be written is left to the sweep.
pub async fn remove_routes_audited(ctx: &Ctx, bus: &str, replay: &str, reason: &str) -> usize {
    let mut removed = 0;
    for found in own_routes(ctx, bus, replay).await {
        let outcome = crate::audit::housekeeping(&ctx.audit, &found.arn, reason, async {
            if remove_rule(ctx, bus, &found.name).await {
                Ok(())
            } else {
                Err(ApiError::upstream("the rule could not be removed"))
            }
        })
        .await;
        if matches!(outcome, Some(Ok(()))) {
            removed += 1;
        }
    }
    removed
}

/// What a routed replay was sent to, read from its temporary rules (None when it
/// has none, or they are gone).
pub async fn routing_of(ctx: &Ctx, bus: &str, replay: &str) -> Option<RoutingRequest> {
    let rules = ctx.eventbridge().temporary_rules(bus).await.ok()?;
    if let Some(forwarded) = rules
        .iter()
        .filter(|r| r.rule.replay == replay)
        .find_map(|r| r.rule.forwarded_bus())
    {
        return Some(RoutingRequest {
            targets: Vec::new(),
            event_pattern: None,
            forward_to: Some(shared::routing::ForwardTo {
                event_bus_arn: forwarded.to_owned(),
                role_arn: None,
            }),
        });
    }
    let mut targets = Vec::new();
    for found in rules.iter().filter(|r| r.rule.replay == replay) {
        let Some(copied) = found.rule.copied_rule() else {
            continue;
        };
        for target in ctx.eventbridge().raw_targets(bus, &found.name).await.ok()? {
            targets.push(RoutedTarget {
                rule: copied.to_owned(),
                target_id: target.id().to_owned(),
            });
        }
    }
    (!targets.is_empty()).then_some(RoutingRequest {
        targets,
        event_pattern: None,
        forward_to: None,
    })
}

/// Removes a rule's targets, then the rule; true once it is gone.
pub async fn remove_rule(ctx: &Ctx, bus: &str, name: &str) -> bool {
    let ids: Vec<String> = match ctx.eventbridge().raw_targets(bus, name).await {
        Ok(targets) => targets.iter().map(|t| t.id().to_owned()).collect(),
        Err(e) if e.is_not_found() => return true,
        Err(_) => return false,
    };
    if !ids.is_empty()
        && let Err(error) = ctx.eventbridge().remove_targets(bus, name, ids).await
    {
        tracing::warn!(%bus, rule = %name, %error, "could not remove a temporary rule's targets");
        return false;
    }
    match ctx.eventbridge().delete_rule(bus, name).await {
        Ok(()) => true,
        Err(error) => {
            if !error.is_not_found() {
                tracing::warn!(%bus, rule = %name, %error, "could not delete a temporary rule");
            }
            error.is_not_found()
        }
    }
}
