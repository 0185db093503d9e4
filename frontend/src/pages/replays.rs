//! Replays: the list, filtered and paged, with each replay's progress.

use crate::api;
use crate::components::delivery_report;
use crate::components::filter_bar::{FilterBar, SourceFilter};
use crate::components::list_page::{ListKind, ListPage, ListPageData};
use crate::components::progress_bar::ProgressBar;
use crate::components::replay_origin::ReplayOrigin;
use crate::components::state_badge::{StateBadge, replay_tone};
use crate::components::table_cells::{ListTable, archive_cell, time_cell, window_cell};
use crate::links;
use crate::list_state::ListState;
use leptos::prelude::*;
use shared::replay::{ReplayList, ReplayState, ReplaySummary};
use shared::roles::Operation;

impl ListPageData for ReplayList {
    fn is_empty(&self) -> bool {
        self.replays.is_empty()
    }
    fn next_token(&self) -> Option<String> {
        self.next_token.clone()
    }
}

#[component]
pub fn ReplaysPage() -> impl IntoView {
    let list = ListState::from_url(links::replays);
    let archives = LocalResource::new(api::all_archives);
    let options = Signal::derive(move || {
        archives
            .get()
            .and_then(Result::ok)
            .map(|a| {
                a.into_iter()
                    .map(|a| {
                        // The list names the archive by ARN; build it from the bus ARN.
                        let arn = a
                            .event_source_arn
                            .split_once(":event-bus/")
                            .map(|(head, _)| format!("{head}:archive/{}", a.archive_name))
                            .unwrap_or_default();
                        (arn, a.archive_name)
                    })
                    .collect()
            })
            .unwrap_or_default()
    });
    let kind = ListKind {
        title: "Replays",
        what: "replays",
        explain: "A replay sends an archive's events back to its bus.",
        create: Operation::StartReplay,
        href: links::start_replay(None),
        label: "Start replay",
        note: Some(format!(
            "At most {} replays per account and region can be starting or running at once. A paced replay runs as a replay job instead, one slice at a time, and waits for a free slot rather than failing.",
            ReplayState::MAX_ACTIVE,
        )),
    };
    view! {
        <ListPage kind list fetch=api::list_replays table=replay_table>
            <FilterBar
                filter=list.filter
                source=SourceFilter {
                    label: "Archive",
                    options,
                }
                states=ReplayState::ALL.iter().map(|s| s.as_str()).collect()
                on_change=Callback::new(move |f| list.set_filter(f))
            />
        </ListPage>
    }
}

fn replay_table(page: ReplayList) -> AnyView {
    let headings = &[
        "Name", "State", "Archive", "Window", "Progress", "Started", "Ended",
    ];
    // The verdict beside COMPLETED: "sent to the bus" is not "the consumers got it".
    let mut completed = 0;
    let mut row = move |r: ReplaySummary| {
        let progress = r.compute_progress();
        let verdict = (r.state == ReplayState::Completed).then(|| {
            completed += 1;
            delivery_report::list_verdict(
                &r.replay_name,
                Operation::ReplayReport,
                links::replay(&r.replay_name),
                completed <= delivery_report::LIST_VERDICTS,
            )
        });
        view! {
            <tr>
                <td>
                    <a href=links::replay(&r.replay_name)>{r.replay_name.clone()}</a>
                    <ReplayOrigin name=r.replay_name.clone() job=r.job.clone() />
                </td>
                <td>
                    <StateBadge label=r.state.as_str() tone=replay_tone(r.state) />
                    {verdict}
                </td>
                {archive_cell(r.event_source_arn)}
                {window_cell(r.event_start_time, r.event_end_time)}
                <td>
                    <ProgressBar
                        progress=Signal::stored(progress)
                        label=format!("Progress of {}", r.replay_name)
                    />
                </td>
                {time_cell(r.replay_start_time)}
                {time_cell(r.replay_end_time)}
            </tr>
        }
    };
    view! { <ListTable headings>{page.replays.into_iter().map(&mut row).collect_view()}</ListTable> }
    .into_any()
}
