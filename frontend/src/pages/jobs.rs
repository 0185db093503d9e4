//! Replay jobs: the list, filtered by state and paged, with each job's progress.

use crate::api;
use crate::components::delivery_report;
use crate::components::filter_bar::FilterBar;
use crate::components::list_page::{ListKind, ListPage, ListPageData};
use crate::components::progress_bar::ProgressBar;
use crate::components::state_badge::{StateBadge, job_tone};
use crate::components::table_cells::{ListTable, archive_cell, window_cell};
use crate::format::{self, Zone};
use crate::links;
use crate::list_state::ListState;
use leptos::prelude::*;
use shared::job::{JobState, ReplayJobList, ReplayJobSummary};
use shared::roles::Operation;

impl ListPageData for ReplayJobList {
    fn is_empty(&self) -> bool {
        self.jobs.is_empty()
    }
    fn next_token(&self) -> Option<String> {
        self.next_token.clone()
    }
}

#[component]
pub fn JobsPage() -> impl IntoView {
    let list = ListState::from_url(links::jobs);
    let kind = ListKind {
        title: "Replay jobs",
        what: "replay jobs",
        explain: "A replay job replays a window in slices, one at a time, with a gap between them; it can be paused, resumed and cancelled, and waits for a free replay slot instead of failing.",
        create: Operation::StartReplayJob,
        href: links::start_replay(None),
        label: "Start a paced replay",
        note: None,
    };
    view! {
        <ListPage kind list fetch=api::list_jobs table=job_table>
            <FilterBar
                filter=list.filter
                states=JobState::ALL.iter().map(|s| s.as_str()).collect()
                on_change=Callback::new(move |f| list.set_filter(f))
            />
        </ListPage>
    }
}

fn job_table(page: ReplayJobList) -> AnyView {
    let headings = &[
        "Name", "State", "Archive", "Window", "Slices", "Progress", "Created",
    ];
    // The verdict beside COMPLETED, as on the replays list.
    let mut completed = 0;
    let mut row = move |j: ReplayJobSummary| {
        let verdict = (j.state == JobState::Completed).then(|| {
            completed += 1;
            delivery_report::list_verdict(
                &j.job_name,
                Operation::ReplayJobReport,
                links::job(&j.job_name),
                completed <= delivery_report::LIST_VERDICTS,
            )
        });
        let slices = format!(
            "{} of {} × {} min",
            j.slices_done, j.slices_total, j.slice_minutes
        );
        view! {
            <tr>
                <td>
                    <a href=links::job(&j.job_name)>{j.job_name.clone()}</a>
                </td>
                <td>
                    <StateBadge label=j.state.as_str() tone=job_tone(j.state) />
                    {verdict}
                </td>
                {archive_cell(j.event_source_arn)}
                {window_cell(j.event_start_time, j.event_end_time)}
                <td>{slices}</td>
                <td>
                    <ProgressBar
                        progress=Signal::stored(shared::ReplayProgress::of_fraction(j.progress))
                        label=format!("Progress of {}", j.job_name)
                    />
                </td>
                <td>
                    {format::datetime(j.created_at, Zone::Utc)}<br />
                    <span class="muted">{j.created_by.clone()}</span>
                </td>
            </tr>
        }
    };
    view! { <ListTable headings>{page.jobs.into_iter().map(&mut row).collect_view()}</ListTable> }
        .into_any()
}
