//! A Custom Event Bus's subscribers, as a table: each one's state, filter, target,
//! starting position and type; Rewind's temporary ones, revoked ones and other accounts'
//! marked (none of those can be a replay's source).

use crate::api;
use crate::components::error_banner::ErrorBanner;
use crate::components::loading::Loading;
use crate::components::state_badge::{StateBadge, subscriber_tone};
use crate::components::table_cells::ListTable;
use crate::links;
use leptos::prelude::*;
use shared::v2::{StartingPosition, V2Subscriber};

/// Every subscriber of `bus` (all pages).
#[component]
pub fn SubscriberTable(bus: String) -> impl IntoView {
    let subscribers = LocalResource::new(move || api::all_v2_subscribers(bus.clone()));
    view! {
        <Transition fallback=|| {
            view! { <Loading what="its subscribers" /> }
        }>
            {move || {
                subscribers
                    .get()
                    .map(|result| match result {
                        Ok(list) if list.is_empty() => {
                            view! {
                                <p class="empty">
                                    "This bus has no subscribers yet. A replay copies existing subscribers: add one to the bus first."
                                </p>
                            }
                                .into_any()
                        }
                        Ok(list) => table(list),
                        Err(e) => view! { <ErrorBanner message=Some(e.message) /> }.into_any(),
                    })
            }}
        </Transition>
    }
}

fn table(list: Vec<V2Subscriber>) -> AnyView {
    let headings = &[
        "Name",
        "State",
        "Filter",
        "Target",
        "Starting position",
        "Type",
    ];
    view! {
        <div class="table-scroll">
            <ListTable headings>{list.into_iter().map(row).collect_view()}</ListTable>
        </div>
    }
    .into_any()
}

fn row(s: V2Subscriber) -> impl IntoView {
    let filter = s.filter.clone().unwrap_or_default();
    view! {
        <tr class:unusable=s.refusal().is_some()>
            <td>
                <span class="rule-name">{s.name.clone()}</span>
                {marks(&s)}
            </td>
            <td>
                <StateBadge label=s.state.as_str() tone=subscriber_tone(s.state) />
            </td>
            <td class="pattern-cell">
                {if filter.is_empty() {
                    view! { <span class="muted">"Every event"</span> }.into_any()
                } else {
                    view! {
                        <code class="pattern-line" title=filter.clone()>
                            {filter.clone()}
                        </code>
                    }
                        .into_any()
                }}
            </td>
            <td class="arn">{target(&s.target_arn)}</td>
            <td>{position(s.starting_position)}</td>
            <td>{s.ordering.clone()}</td>
        </tr>
    }
}

/// Its tags: whose temporary copy it is, revoked, another account's.
pub fn marks(s: &V2Subscriber) -> impl IntoView + use<> {
    let temporary = s.temporary.then(|| match shared::v2::replay_of(&s.name) {
        Some(replay) => view! {
            <a class="tag" href=links::v2_replay(replay)>
                {format!("temporary — replay {replay}")}
            </a>
        }
        .into_any(),
        None => view! { <span class="tag">"temporary"</span> }.into_any(),
    });
    view! {
        {temporary}
        {s.revoked.then(|| view! { <span class="tag">"revoked"</span> })}
        {s.other_account.then(|| view! { <span class="tag">"another account's"</span> })}
    }
}

/// A target: its name, then its whole ARN, muted.
pub fn target(arn: &str) -> impl IntoView + use<> {
    let name = arn.rsplit([':', '/']).next().unwrap_or(arn).to_owned();
    view! {
        {name}
        <br />
        <code class="muted">{arn.to_owned()}</code>
    }
}

fn position(p: StartingPosition) -> &'static str {
    match p {
        StartingPosition::Latest => "Latest",
        StartingPosition::PointInTime => "Point in time",
    }
}
