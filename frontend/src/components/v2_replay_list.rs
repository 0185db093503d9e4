//! The replays to subscribers (v2 replays), newest first, below the Custom buses: what
//! shows while they load, when there is none and when they fail.

use crate::api;
use crate::components::error_banner::ErrorBanner;
use crate::components::loading::Loading;
use crate::components::state_badge::{StateBadge, v2_replay_tone};
use crate::components::table_cells::{ListTable, window_cell};
use crate::format::{self, Zone};
use crate::links;
use leptos::prelude::*;
use shared::list::ListQuery;
use shared::v2::{V2Replay, V2ReplayList as Replays};

#[component]
pub fn V2ReplayList() -> impl IntoView {
    let replays = LocalResource::new(|| api::list_v2_replays(ListQuery::default()));
    view! {
        <section id="v2-replays" class="v2-replays" aria-labelledby="v2-replays-title">
            <h2 id="v2-replays-title">"Replays to subscribers"</h2>
            <Transition fallback=|| {
                view! { <Loading what="v2 replays" /> }
            }>
                {move || {
                    replays
                        .get()
                        .map(|result| match result {
                            Ok(list) if list.replays.is_empty() => {
                                view! {
                                    <div class="empty">
                                        <p>
                                            "No v2 replay yet. Open a Custom Event Bus and choose Replay to subscribers: its chosen subscribers read a window of the bus again, through temporary copies that Rewind removes afterwards."
                                        </p>
                                    </div>
                                }
                                    .into_any()
                            }
                            Ok(list) => replay_table(list),
                            Err(e) => view! { <ErrorBanner message=Some(e.message) /> }.into_any(),
                        })
                }}
            </Transition>
        </section>
    }
}

fn replay_table(list: Replays) -> AnyView {
    let headings = &[
        "Name",
        "State",
        "Event bus",
        "Window",
        "#Subscribers",
        "Created",
    ];
    let row = |r: V2Replay| {
        let bus = format::v2_arn_name(&r.event_bus_arn).to_owned();
        view! {
            <tr>
                <td>
                    <a href=links::v2_replay(&r.replay_name)>{r.replay_name.clone()}</a>
                </td>
                <td>
                    <StateBadge label=r.state.as_str() tone=v2_replay_tone(r.state) />
                </td>
                <td>
                    <a href=links::custom_bus(&bus)>{bus.clone()}</a>
                </td>
                {window_cell(r.event_start_time, r.event_end_time)}
                <td class="num">{r.subscribers.len()}</td>
                <td>
                    {format::datetime(r.created_at, Zone::Utc)}<br />
                    <span class="muted">{r.created_by.clone()}</span>
                </td>
            </tr>
        }
    };
    view! { <ListTable headings>{list.replays.into_iter().map(row).collect_view()}</ListTable> }
        .into_any()
}
