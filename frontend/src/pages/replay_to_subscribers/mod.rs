//! Replay to subscribers: a window of a Custom Event Bus's retained events, read again
//! by temporary copies of the subscribers chosen (`subscribers`); the bus, name and
//! description in `details`, the request and its problems in `inputs`, what will happen
//! in `summary`. The window stays inside what the bus keeps.

mod details;
mod inputs;
mod subscribers;
mod summary;

use crate::api;
use crate::clock;
use crate::components::error_banner::ErrorBanner;
use crate::components::submit_row::SubmitRow;
use crate::components::time_window::{Earliest, TimeWindow, start_within};
use crate::form::{FormSpec, use_form};
use crate::links;
use crate::pages::start_replay::typed_or_suggested;
use details::V2ReplayDetails;
use inputs::{FORM_FIELDS, V2Inputs, earliest_start};
use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_navigate, use_query_map};
use shared::Field as FieldName;
use shared::roles::Operation;
use shared::v2::{StartV2ReplayRequest, V2Replay};
use subscribers::SubscriberChoice;
use summary::V2ReplaySummary;

#[component]
pub fn ReplayToSubscribersPage() -> impl IntoView {
    let query = use_query_map();
    let bus_name = RwSignal::new(query.get_untracked().get("bus").unwrap_or_default());
    let buses = LocalResource::new(api::all_v2_buses);
    let bus = Signal::derive(move || {
        let name = bus_name.get();
        buses
            .get()
            .and_then(Result::ok)
            .and_then(|all| all.into_iter().find(|b| b.name == name))
    });
    let subscribers = LocalResource::new(move || {
        let name = bus_name.get();
        async move {
            match name.is_empty() {
                true => Ok(Vec::new()),
                false => api::all_v2_subscribers(name).await,
            }
        }
    });
    let window = Earliest::BusRetention.last_hour();
    let (start, end) = window;
    let earliest = Signal::derive(move || bus.get().and_then(|b| earliest_start(&b, clock::now())));
    // A window that starts before what the bus keeps starts there instead.
    Effect::new(move |_| {
        if let Some(earliest) = earliest.get() {
            start_within(earliest, window);
        }
    });
    // The name suggested for the chosen bus, until the user types one.
    let (typed_name, name) = typed_or_suggested(bus_name);
    let inputs = V2Inputs {
        bus,
        name,
        description: RwSignal::new(String::new()),
        start,
        end,
        chosen: RwSignal::new(Vec::new()),
    };
    let navigate = use_navigate();
    let form = use_form(FormSpec {
        fields: &FORM_FIELDS,
        operation: Operation::StartV2Replay,
        lead: "To start it",
        draft: move || inputs.draft(),
        send: api::start_v2_replay,
        done: move |_: &StartV2ReplayRequest, replay: &V2Replay| {
            navigate(
                &links::v2_replay(&replay.replay_name),
                NavigateOptions::default(),
            );
        },
    });
    // The window starts filled in: its problems show from the start.
    form.touch(FieldName::EventStartTime);
    form.touch(FieldName::EventEndTime);
    let pick_bus = Callback::new(move |picked: String| {
        bus_name.set(picked);
        // Another bus has other subscribers: none is chosen yet.
        inputs.chosen.set(Vec::new());
        form.touch(FieldName::EventBusArn);
    });
    let back = move || match bus_name.get() {
        b if b.is_empty() => "/custom-buses".to_owned(),
        b => links::custom_bus(&b),
    };
    view! {
        <h1>"Replay to subscribers"</h1>
        // The page's lead, above anything its data changes (the route's static frame paints it).
        <p class="lead">
            "A Custom Event Bus has no replay API: Rewind gives each subscriber you tick a temporary copy that reads the bus from the window's start to its end and delivers to the same target, with its filter, role, retry and failure settings. The copies go when the replay is stopped or fails, or, once they have delivered the window, at the scheduled sweep an hour or more after they were made."
        </p>
        <form class="card v2-replay-form" on:submit=form.on_submit() novalidate>
            <ErrorBanner message=form.banner() />
            <V2ReplayDetails
                form
                buses
                bus_name
                on_pick=pick_bus
                name
                typed_name
                description=inputs.description
            />
            <TimeWindow
                start
                end
                archive_created=earliest
                earliest=Earliest::BusRetention
                start_error=form.error(FieldName::EventStartTime)
                end_error=form.error(FieldName::EventEndTime)
            />
            <SubscriberChoice
                bus_name
                subscribers
                chosen=inputs.chosen
                error=form.error(FieldName::SubscriberArns)
                on_change=Callback::new(move |_| form.touch(FieldName::SubscriberArns))
            />
            <V2ReplaySummary inputs subscribers />
            <SubmitRow
                blocked=form.blocked()
                pending=form.pending()
                label="Start replay"
                busy="Starting…"
            >
                <a class="button secondary" href=back>
                    "Cancel"
                </a>
            </SubmitRow>
        </form>
    }
}
