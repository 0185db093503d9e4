//! The Custom Event Bus (v2): its buses and their subscribers, as the caller's teams may
//! see them, and Rewind's replay there (`replays`): a temporary point-in-time copy of each
//! chosen subscriber. The service has no replay API; the copies are the replay, and
//! everything Rewind knows of one is read back from them (their names and tags), never
//! kept in this process.

pub mod replays;
pub mod sweep;

use crate::aws::eventbridgev2::{Subscriber, SubscriberRow};
use crate::context::Ctx;
use crate::error::ApiError;
use shared::v2::{TEMPORARY_PREFIX, V2EventBus, V2EventBusList, V2Subscriber, V2SubscriberList};
use shared::validation::{EventBusName, NextToken};
use shared::{ErrorCode, Field};

/// The most pages of buses one request reads looking for one the caller may see (a page
/// may then be short, never empty while a token is given).
const MAX_PAGES: usize = 10;

/// Whether this deployment and this caller may see bus `name`: one of `EventBusNames`
/// and of the caller's teams' buses. Nothing else is described.
pub(crate) fn visible(ctx: &Ctx, name: &str) -> bool {
    ctx.limits.routing.allows_bus(name) && ctx.scope().allows(name)
}

/// The buses of a page that may be seen, described; one that cannot be described (gone
/// since the list, refused) is left out, with a warning, rather than failing the page.
async fn described(ctx: &Ctx, page: Vec<(String, String)>) -> Vec<V2EventBus> {
    let mut buses = Vec::new();
    for (_, arn) in page.into_iter().filter(|(name, _)| visible(ctx, name)) {
        match ctx.aws.eventbridge_v2.describe_bus(&arn).await {
            Ok(bus) => buses.push(bus),
            Err(error) => tracing::warn!(%arn, %error, "a v2 bus could not be described"),
        }
    }
    buses
}

/// One page of the v2 buses the caller's teams may see.
pub async fn buses(ctx: &Ctx, token: Option<NextToken>) -> Result<V2EventBusList, ApiError> {
    let mut token = token.map(NextToken::into_inner);
    for _ in 0..MAX_PAGES {
        let (page, next) = ctx.aws.eventbridge_v2.list_buses(token).await?;
        let event_buses = described(ctx, page).await;
        if !event_buses.is_empty() || next.is_none() {
            return Ok(V2EventBusList {
                event_buses,
                next_token: next,
            });
        }
        token = next;
    }
    Ok(V2EventBusList {
        event_buses: Vec::new(),
        next_token: token,
    })
}

/// The v2 bus named `name`, if the caller may see it (else, and if there is none,
/// `NotFound`).
pub async fn bus(ctx: &Ctx, name: &EventBusName) -> Result<V2EventBus, ApiError> {
    let gone = || ApiError::not_found(format!("There is no Custom Event Bus named {name}."));
    if !visible(ctx, name.as_str()) {
        return Err(gone());
    }
    let mut token = None;
    loop {
        let (page, next) = ctx.aws.eventbridge_v2.list_buses(token).await?;
        if let Some((_, arn)) = page.into_iter().find(|(n, _)| n == name.as_str()) {
            return Ok(ctx.aws.eventbridge_v2.describe_bus(&arn).await?);
        }
        token = Some(next.ok_or_else(gone)?);
    }
}

/// One page of a bus's subscribers, each described (its starting position and filter),
/// Rewind's temporary ones marked.
pub async fn subscribers(
    ctx: &Ctx,
    name: &EventBusName,
    token: Option<NextToken>,
) -> Result<V2SubscriberList, ApiError> {
    let bus = bus(ctx, name).await?;
    let (rows, next) = ctx
        .aws
        .eventbridge_v2
        .list_subscribers(Some(&bus.arn), None, token.map(NextToken::into_inner))
        .await?;
    let mut subscribers = Vec::with_capacity(rows.len());
    for row in rows {
        let described = ctx.aws.eventbridge_v2.describe_subscriber(&row.arn).await?;
        subscribers.push(listed(&bus, &row, &described));
    }
    Ok(V2SubscriberList {
        subscribers,
        next_token: next,
    })
}

/// A subscriber as the console lists it.
fn listed(bus: &V2EventBus, row: &SubscriberRow, described: &Subscriber) -> V2Subscriber {
    V2Subscriber {
        name: row.name.clone(),
        arn: row.arn.clone(),
        state: row.state,
        starting_position: described.starting_position(),
        target_arn: row.target_arn.clone(),
        filter: described.filter(),
        ordering: row.ordering.clone(),
        revoked: row.revoked,
        temporary: row.name.starts_with(TEMPORARY_PREFIX),
        other_account: other_account(bus, row.account.as_deref(), &row.arn),
    }
}

/// Whether a subscriber belongs to an account other than the bus's (a shared bus lists
/// them): its invoke role is that account's, which a copy made here cannot use.
fn other_account(bus: &V2EventBus, account: Option<&str>, arn: &str) -> bool {
    let of = |arn: &str| arn.split(':').nth(4).map(str::to_owned);
    let owner = of(&bus.arn);
    let theirs = account.map(str::to_owned).or_else(|| of(arn));
    owner.is_some() && theirs.is_some() && owner != theirs
}

/// `Forbidden` on `eventBusArn` when bus `name` is not one of the caller's teams' or of
/// the deployment's `EventBusNames` — checked before the bus is read, so the answer says
/// nothing of whether it exists.
fn check_bus_write(ctx: &Ctx, name: &str) -> Result<(), ApiError> {
    if !ctx.scope().allows(name) {
        return Err(ApiError::new(
            ErrorCode::Forbidden,
            format!(
                "Custom Event Bus {name} is not one of your teams' buses ({}).",
                ctx.scope().describe()
            ),
        )
        .with_field(Field::EventBusArn));
    }
    if !ctx.limits.routing.allows_bus(name) {
        return Err(ApiError::new(
            ErrorCode::Forbidden,
            format!(
                "Custom Event Bus {name} is not one of this deployment's buses (its EventBusNames parameter)."
            ),
        )
        .with_field(Field::EventBusArn));
    }
    Ok(())
}
