//! Replay jobs: the list, filtered by state and paged, with each job's progress.

use crate::api;
use crate::components::empty_list::EmptyList;
use crate::components::error_banner::ErrorBanner;
use crate::components::guarded::{GuardedLink, RoleNote};
use crate::components::loading::Loading;
use crate::components::pager::Pager;
use crate::components::progress_bar::ProgressBar;
use crate::components::state_badge::{StateBadge, job_tone};
use crate::format::{self, Zone};
use crate::links;
use crate::list_state::{ListFilter, ListState};
use leptos::prelude::*;
use shared::job::{JobState, ReplayJobList};
use shared::roles::Operation;

#[component]
pub fn JobsPage() -> impl IntoView {
    let list = ListState::from_url(links::jobs);
    let jobs = LocalResource::new(move || api::list_jobs(list.query.get()));
    let next_token =
        Signal::derive(move || jobs.get().and_then(Result::ok).and_then(|l| l.next_token));
    let state = move || list.query.get().state.unwrap_or_default();
    view! {
        <div class="page-head">
            <h1>"Replay jobs"</h1>
            <GuardedLink
                action=Operation::StartReplayJob
                href=links::start_replay(None)
                label="Start a paced replay"
            />
        </div>
        <RoleNote action=Operation::StartReplayJob />
        <form class="filters" role="search" on:submit=|ev| ev.prevent_default()>
            <div class="filter">
                <label for="filter-state">"State"</label>
                <select
                    id="filter-state"
                    prop:value=state
                    on:change=move |ev| {
                        let value = event_target_value(&ev);
                        list.set_filter(
                            if value.is_empty() {
                                ListFilter::None
                            } else {
                                ListFilter::State(value)
                            },
                        );
                    }
                >
                    <option value="">"Any"</option>
                    {JobState::ALL
                        .map(|s| {
                            view! {
                                <option value=s.as_str() selected=move || state() == s.as_str()>
                                    {s.as_str()}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </div>
        </form>
        <Transition fallback=|| {
            view! { <Loading what="replay jobs" /> }
        }>
            {move || {
                jobs.get()
                    .map(|result| match result {
                        Ok(page) => {
                            view! { <JobTable page filtered=list.is_filtered() /> }.into_any()
                        }
                        Err(e) => view! { <ErrorBanner message=Some(e.message) /> }.into_any(),
                    })
            }}
        </Transition>
        <Pager list next_token />
    }
}

#[component]
fn JobTable(page: ReplayJobList, #[prop(into)] filtered: Signal<bool>) -> impl IntoView {
    if page.jobs.is_empty() {
        return view! {
            <EmptyList
                filtered
                what="replay jobs"
                explain="A replay job replays a window in slices, one at a time, with a gap between them; it can be paused, resumed and cancelled, and waits for a free replay slot instead of failing."
                action=Operation::StartReplayJob
                href=links::start_replay(None)
                label="Start a paced replay"
            />
        }
            .into_any();
    }
    view! {
        <table>
            <thead>
                <tr>
                    <th scope="col">"Name"</th>
                    <th scope="col">"State"</th>
                    <th scope="col">"Archive"</th>
                    <th scope="col">"Window"</th>
                    <th scope="col">"Slices"</th>
                    <th scope="col">"Progress"</th>
                    <th scope="col">"Created"</th>
                </tr>
            </thead>
            <tbody>
                {page
                    .jobs
                    .into_iter()
                    .map(|j| {
                        let archive = format::arn_name(&j.event_source_arn).to_owned();
                        view! {
                            <tr>
                                <td>
                                    <a href=links::job(&j.job_name)>{j.job_name.clone()}</a>
                                </td>
                                <td>
                                    <StateBadge label=j.state.as_str() tone=job_tone(j.state) />
                                </td>
                                <td>
                                    <a href=links::archive(&archive)>{archive.clone()}</a>
                                </td>
                                <td class="window">
                                    {format::datetime(j.event_start_time, Zone::Utc)}<br />
                                    {format!(
                                        "→ {}",
                                        format::datetime(j.event_end_time, Zone::Utc),
                                    )}
                                </td>
                                <td>
                                    {format!(
                                        "{} of {} × {} min",
                                        j.slices_done,
                                        j.slices_total,
                                        j.slice_minutes,
                                    )}
                                </td>
                                <td>
                                    <ProgressBar
                                        progress=Signal::stored(
                                            shared::ReplayProgress::of_fraction(j.progress),
                                        )
                                        label=format!("Progress of {}", j.job_name)
                                    />
                                </td>
                                <td>
                                    {format::datetime(j.created_at, Zone::Utc)}<br />
                                    <span class="muted">{j.created_by.clone()}</span>
                                </td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}
