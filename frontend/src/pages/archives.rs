//! Archives: the list, filtered and paged.

use crate::api;
use crate::components::filter_bar::{FilterBar, SourceFilter};
use crate::components::list_page::{ListKind, ListPage, ListPageData};
use crate::components::state_badge::{StateBadge, archive_tone};
use crate::components::table_cells::ListTable;
use crate::format::{self, Zone};
use crate::links;
use crate::list_state::ListState;
use leptos::prelude::*;
use shared::archive::{ArchiveList, ArchiveState, ArchiveSummary};
use shared::roles::Operation;

impl ListPageData for ArchiveList {
    fn is_empty(&self) -> bool {
        self.archives.is_empty()
    }
    fn next_token(&self) -> Option<String> {
        self.next_token.clone()
    }
}

#[component]
pub fn ArchivesPage() -> impl IntoView {
    let list = ListState::from_url(links::archives);
    let buses = LocalResource::new(api::all_event_buses);
    let options = Signal::derive(move || {
        buses
            .get()
            .and_then(Result::ok)
            .map(|b| b.into_iter().map(|b| (b.arn, b.name)).collect())
            .unwrap_or_default()
    });
    let kind = ListKind {
        title: "Archives",
        what: "archives",
        explain: "An archive keeps the events of a bus so they can be replayed later.",
        create: Operation::CreateArchive,
        href: links::new_archive(),
        label: "Create archive",
        note: Some("* Events reach an archive minutes after they are sent, and EventBridge reconciles counts and sizes over up to 24 hours.".to_owned()),
    };
    view! {
        <ListPage kind list fetch=api::list_archives table=archive_table>
            <FilterBar
                filter=list.filter
                source=SourceFilter {
                    label: "Event bus",
                    options,
                }
                states=ArchiveState::ALL.iter().map(|s| s.as_str()).collect()
                on_change=Callback::new(move |f| list.set_filter(f))
            />
        </ListPage>
    }
}

fn archive_table(page: ArchiveList) -> AnyView {
    Effect::new(|_| crate::perf::mark_after_paint(crate::perf::ARCHIVES_TABLE_PAINTED));
    let headings = &[
        "Name",
        "State",
        "Event bus",
        "Retention",
        "#Events*",
        "#Size*",
        "Created",
    ];
    let row = |a: ArchiveSummary| {
        view! {
            <tr>
                <td>
                    <a href=links::archive(&a.archive_name)>{a.archive_name.clone()}</a>
                </td>
                <td>
                    <StateBadge label=a.state.as_str() tone=archive_tone(a.state) />
                </td>
                <td title=a
                    .event_source_arn
                    .clone()>{format::arn_name(&a.event_source_arn).to_owned()}</td>
                <td>{format::retention(a.retention_days)}</td>
                <td class="num">{format::count(a.event_count)}</td>
                <td class="num">{format::bytes(a.size_bytes)}</td>
                <td>{format::datetime(a.creation_time, Zone::Utc)}</td>
            </tr>
        }
    };
    view! { <ListTable headings>{page.archives.into_iter().map(row).collect_view()}</ListTable> }
        .into_any()
}
