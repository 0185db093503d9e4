//! One v2 replay: its window, bus and chosen subscribers with their temporary copies;
//! Pause, Resume and Stop where its state and the caller's role allow them; refreshed
//! every 2 s while it is in progress. A stopped replay is gone (its copies were it).

use crate::api;
use crate::components::change_buttons::use_changes;
use crate::components::delivery_report::{self, DeliveryReport, DeliveryVerdictBadge};
use crate::components::destructive_button::{Destructive, DestructiveButton};
use crate::components::detail_page::{DetailPage, Subject};
use crate::components::state_badge::{StateBadge, subscriber_tone, v2_replay_tone};
use crate::components::table_cells::ListTable;
use crate::format::{self, Zone};
use crate::links;
use leptos::prelude::*;
use shared::roles::Operation;
use shared::v2::{V2Replay, V2ReplaySubscriber};

impl Subject for V2Replay {
    const WHAT: &'static str = "v2 replay";
    const LIST: &'static str = links::V2_REPLAYS;
    const ABOUT: &'static str = "A Custom Event Bus has no replay API: a v2 replay gives each chosen subscriber a temporary copy that reads the bus from the window's start to its end and delivers to the same target; the replay is complete once every copy has read to the end. Pause stops the copies where they are; resume goes on from the last event they processed.";
    const GONE: &'static str = " Stopping a v2 replay removes its temporary subscribers, and the replay with them; a completed one goes at the first scheduled sweep an hour or more after its copies were made.";

    fn in_progress(&self) -> bool {
        self.state.is_in_progress()
    }
}

#[component]
pub fn V2ReplayPage() -> impl IntoView {
    let detail = |replay, on_changed| view! { <V2ReplayDetail replay on_changed /> }.into_any();
    view! { <DetailPage fetch=api::get_v2_replay detail /> }
}

#[component]
fn V2ReplayDetail(replay: V2Replay, on_changed: Callback<()>) -> impl IntoView {
    let name = replay.replay_name.clone();
    let report = delivery_report::load(name.clone(), Operation::V2ReplayReport);
    let state = replay.state;
    let bus = format::v2_arn_name(&replay.event_bus_arn).to_owned();
    let changes = use_changes(
        name.clone(),
        api::change_v2_replay,
        Operation::PauseV2Replay,
        on_changed,
    );
    let stop = Destructive {
        action: Operation::StopV2Replay,
        label: "Stop replay",
        title: format!("Stop replay {name}?"),
        consequence: "Its temporary subscribers are removed, so nothing more is delivered. Events already delivered stay delivered. A stopped replay cannot be resumed.",
    };
    let progress = if state.is_in_progress() {
        "Refreshing every 2 seconds."
    } else {
        ""
    };
    view! {
        <div class="page-head">
            <h1>{name.clone()}</h1>
            <StateBadge label=state.as_str() tone=v2_replay_tone(state) />
            <DeliveryVerdictBadge report />
            <div class="actions">
                {changes.button(Operation::PauseV2Replay, "Pause", state.can_pause())}
                {changes.button(Operation::ResumeV2Replay, "Resume", state.can_resume())}
                {state
                    .can_stop()
                    .then(|| {
                        view! {
                            <DestructiveButton name=name.clone() how=stop on_done=on_changed />
                        }
                    })}
            </div>
        </div>
        {changes.error()}
        {replay.state_reason.clone().map(|r| view! { <p class="banner">{r}</p> })}
        <dl class="details">
            <dt>"Event bus"</dt>
            <dd>
                <a href=links::custom_bus(&bus)>{bus.clone()}</a>
            </dd>
            <dt>"Event window"</dt>
            <dd>{format::window(replay.event_start_time, replay.event_end_time)}</dd>
            <dt>"Description"</dt>
            <dd>{replay.description.clone().unwrap_or_else(|| "—".to_owned())}</dd>
            <dt>"Created"</dt>
            <dd>
                {format!(
                    "{} by {}",
                    format::datetime(replay.created_at, Zone::Utc),
                    replay.created_by,
                )}
            </dd>
        </dl>
        <section class="card" aria-labelledby="copies-title">
            <h2 id="copies-title">"Subscribers"</h2>
            <p class="hint">{progress}</p>
            <div class="table-scroll">
                <ListTable headings=&[
                    "Subscriber",
                    "Temporary subscriber",
                    "State",
                ]>{replay.subscribers.into_iter().map(copy_row).collect_view()}</ListTable>
            </div>
        </section>
        <DeliveryReport report v2=true />
    }
}

fn copy_row(s: V2ReplaySubscriber) -> impl IntoView {
    let copy = match s.temporary_subscriber_arn {
        Some(arn) => view! { <code>{arn}</code> }.into_any(),
        None => view! { <span class="muted">"removed"</span> }.into_any(),
    };
    view! {
        <tr>
            <td title=s
                .subscriber_arn
                .clone()>{format::v2_arn_name(&s.subscriber_arn).to_owned()}</td>
            <td class="arn">{copy}</td>
            <td>
                <StateBadge label=s.state.as_str() tone=subscriber_tone(s.state) />
            </td>
        </tr>
    }
}
