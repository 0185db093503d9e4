//! One Custom Event Bus: how long it keeps events and since when, its subscribers
//! (Rewind's temporary ones marked), and the way to replay it to them.

use crate::api;
use crate::components::detail_page::{DetailPage, Subject};
use crate::components::guarded::{GuardedLink, RoleNote};
use crate::components::state_badge::{StateBadge, v2_bus_tone};
use crate::components::subscriber_table::SubscriberTable;
use crate::format;
use crate::links;
use leptos::prelude::*;
use shared::roles::Operation;
use shared::v2::V2EventBus;

impl Subject for V2EventBus {
    const WHAT: &'static str = "Custom Event Bus";
    const LIST: &'static str = "/custom-buses";
    const PLURAL: Option<&'static str> = Some("Custom Event Buses");
    const ABOUT: &'static str = "A Custom Event Bus (v2) keeps its events for its retention and delivers them to its subscribers. It has no replay API: Rewind replays a window by giving each chosen subscriber a temporary copy that reads the bus from a point in time; the copies go when the replay is stopped or fails, or once they have delivered the window, at a scheduled sweep.";
}

#[component]
pub fn CustomBusPage() -> impl IntoView {
    let detail = |bus, _| view! { <BusDetail bus /> }.into_any();
    view! { <DetailPage fetch=api::get_v2_bus detail /> }
}

#[component]
fn BusDetail(bus: V2EventBus) -> impl IntoView {
    let name = bus.name.clone();
    view! {
        <div class="page-head">
            <h1>{name.clone()}</h1>
            <StateBadge label=bus.state.as_str() tone=v2_bus_tone(bus.state) />
            <div class="actions">
                <GuardedLink
                    action=Operation::StartV2Replay
                    href=links::replay_to_subscribers(Some(&name))
                    label="Replay to subscribers"
                />
            </div>
        </div>
        <RoleNote action=Operation::StartV2Replay />
        <dl class="details">
            <dt>"ARN"</dt>
            <dd>
                <code>{bus.arn.clone()}</code>
            </dd>
            <dt>"Retention"</dt>
            <dd>{format::retention(bus.retention_days)}</dd>
            <dt>"Events kept since"</dt>
            <dd>{format::maybe_datetime(bus.retention_window_start_time)}</dd>
            <dd class="wide hint">
                "The oldest event the bus still keeps: a replay's window starts there or later."
            </dd>
            <dt>"Description"</dt>
            <dd>{bus.description.clone().unwrap_or_else(|| "—".to_owned())}</dd>
        </dl>
        <section class="card" aria-labelledby="subscribers-title">
            <h2 id="subscribers-title">"Subscribers"</h2>
            <SubscriberTable bus=name />
        </section>
    }
}
