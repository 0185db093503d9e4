//! Archives: the list, filtered and paged.

use crate::api;
use crate::components::empty_list::EmptyList;
use crate::components::error_banner::ErrorBanner;
use crate::components::filter_bar::FilterBar;
use crate::components::guarded::{GuardedLink, RoleNote};
use crate::components::loading::Loading;
use crate::components::pager::Pager;
use crate::components::state_badge::{StateBadge, archive_tone};
use crate::format::{self, Zone};
use crate::links;
use crate::list_state::ListState;
use leptos::prelude::*;
use shared::archive::{ArchiveList, ArchiveState};
use shared::roles::Operation;

#[component]
pub fn ArchivesPage() -> impl IntoView {
    let list = ListState::from_url(links::archives);
    let archives = LocalResource::new(move || api::list_archives(list.query.get()));
    let buses = LocalResource::new(api::all_event_buses);
    let bus_options = Signal::derive(move || {
        buses
            .get()
            .and_then(Result::ok)
            .map(|b| b.into_iter().map(|b| (b.arn, b.name)).collect())
            .unwrap_or_default()
    });
    let next_token = Signal::derive(move || {
        archives
            .get()
            .and_then(Result::ok)
            .and_then(|l| l.next_token)
    });

    view! {
        <div class="page-head">
            <h1>"Archives"</h1>
            <GuardedLink
                action=Operation::CreateArchive
                href=links::new_archive()
                label="Create archive"
            />
        </div>
        <RoleNote action=Operation::CreateArchive />
        <FilterBar
            filter=list.filter
            source_label="Event bus"
            sources=bus_options
            states=ArchiveState::ALL.iter().map(|s| s.as_str()).collect()
            on_change=Callback::new(move |f| list.set_filter(f))
        />
        <Transition fallback=|| {
            view! { <Loading what="archives" /> }
        }>
            {move || {
                archives
                    .get()
                    .map(|result| match result {
                        Ok(page) => {
                            view! { <ArchiveTable page filtered=list.is_filtered() /> }.into_any()
                        }
                        Err(e) => view! { <ErrorBanner message=Some(e.message) /> }.into_any(),
                    })
            }}
        </Transition>
        <Pager list next_token />
    }
}

#[component]
fn ArchiveTable(page: ArchiveList, #[prop(into)] filtered: Signal<bool>) -> impl IntoView {
    if page.archives.is_empty() {
        return view! {
            <EmptyList
                filtered
                what="archives"
                explain="An archive keeps the events of a bus so they can be replayed later."
                action=Operation::CreateArchive
                href=links::new_archive()
                label="Create archive"
            />
        }
        .into_any();
    }
    Effect::new(|_| crate::perf::mark_after_paint(crate::perf::ARCHIVES_TABLE_PAINTED));
    view! {
        <table>
            <thead>
                <tr>
                    <th scope="col">"Name"</th>
                    <th scope="col">"State"</th>
                    <th scope="col">"Event bus"</th>
                    <th scope="col">"Retention"</th>
                    <th scope="col" class="num">
                        "Events"
                        <sup>"*"</sup>
                    </th>
                    <th scope="col" class="num">
                        "Size"
                        <sup>"*"</sup>
                    </th>
                    <th scope="col">"Created"</th>
                </tr>
            </thead>
            <tbody>
                {page
                    .archives
                    .into_iter()
                    .map(|a| {
                        view! {
                            <tr>
                                <td>
                                    <a href=links::archive(
                                        &a.archive_name,
                                    )>{a.archive_name.clone()}</a>
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
                    })
                    .collect_view()}
            </tbody>
        </table>
        <p class="note">
            "* Events reach an archive minutes after they are sent, and EventBridge reconciles counts and sizes over up to 24 hours."
        </p>
    }
    .into_any()
}
