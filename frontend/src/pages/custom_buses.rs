//! Custom buses: the Custom Event Buses (EventBridge v2), paged, and below them the
//! replays to their subscribers (`V2ReplayList`).

use crate::api::{self, ApiError};
use crate::components::list_page::{ListKind, ListPage, ListPageData};
use crate::components::state_badge::{StateBadge, v2_bus_tone};
use crate::components::table_cells::ListTable;
use crate::components::v2_replay_list::V2ReplayList;
use crate::format;
use crate::links;
use crate::list_state::ListState;
use leptos::prelude::*;
use shared::list::ListQuery;
use shared::roles::Operation;
use shared::v2::{V2EventBus, V2EventBusList};

impl ListPageData for V2EventBusList {
    fn is_empty(&self) -> bool {
        self.event_buses.is_empty()
    }
    fn next_token(&self) -> Option<String> {
        self.next_token.clone()
    }
}

/// A page of buses: the route pages by token only.
async fn bus_page(query: ListQuery) -> Result<V2EventBusList, ApiError> {
    api::list_v2_buses(query.next_token).await
}

#[component]
pub fn CustomBusesPage() -> impl IntoView {
    let list = ListState::from_url(links::custom_buses);
    let kind = ListKind {
        title: "Custom buses",
        what: "Custom Event Buses",
        explain: "A Custom Event Bus (EventBridge's v2 bus) keeps every event it receives for its retention period; create one with EventBridge and it is listed here, ready to replay to its subscribers.",
        create: Operation::StartV2Replay,
        href: links::replay_to_subscribers(None),
        label: "Replay to subscribers",
        note: None,
    };
    view! {
        <ListPage kind list fetch=bus_page table=bus_table no_invite=true>
            <p class="note intro">
                "A Custom Event Bus keeps every event for its retention period and has no archive: Rewind replays a window of it to the subscribers you choose, through a temporary copy of each that reads the bus from the window's start."
            </p>
        </ListPage>
        <V2ReplayList />
    }
}

fn bus_table(page: V2EventBusList) -> AnyView {
    let headings = &[
        "Name",
        "State",
        "Retention",
        "Events kept since",
        "Description",
    ];
    let row = |b: V2EventBus| {
        view! {
            <tr>
                <td>
                    <a href=links::custom_bus(&b.name)>{b.name.clone()}</a>
                </td>
                <td>
                    <StateBadge label=b.state.as_str() tone=v2_bus_tone(b.state) />
                </td>
                <td>{format::retention(b.retention_days)}</td>
                <td>{format::maybe_datetime(b.retention_window_start_time)}</td>
                <td class="muted">{b.description.clone().unwrap_or_default()}</td>
            </tr>
        }
    };
    view! { <ListTable headings>{page.event_buses.into_iter().map(row).collect_view()}</ListTable> }
        .into_any()
}
