//! Replays: the list, filtered and paged, with each replay's progress.

use crate::api;
use crate::components::empty_list::EmptyList;
use crate::components::error_banner::ErrorBanner;
use crate::components::filter_bar::FilterBar;
use crate::components::guarded::{GuardedLink, RoleNote};
use crate::components::loading::Loading;
use crate::components::pager::Pager;
use crate::components::progress_bar::ProgressBar;
use crate::components::replay_origin::ReplayOrigin;
use crate::components::state_badge::{StateBadge, replay_tone};
use crate::format::{self, Zone};
use crate::links;
use crate::list_state::ListState;
use leptos::prelude::*;
use shared::replay::{ReplayList, ReplayState};
use shared::roles::Operation;

#[component]
pub fn ReplaysPage() -> impl IntoView {
    let list = ListState::from_url(links::replays);
    let replays = LocalResource::new(move || api::list_replays(list.query.get()));
    let archives = LocalResource::new(api::all_archives);
    let archive_options = Signal::derive(move || {
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
    let next_token = Signal::derive(move || {
        replays
            .get()
            .and_then(Result::ok)
            .and_then(|l| l.next_token)
    });

    view! {
        <div class="page-head">
            <h1>"Replays"</h1>
            <GuardedLink
                action=Operation::StartReplay
                href=links::start_replay(None)
                label="Start replay"
            />
        </div>
        <RoleNote action=Operation::StartReplay />
        <FilterBar
            filter=list.filter
            source_label="Archive"
            sources=archive_options
            states=ReplayState::ALL.iter().map(|s| s.as_str()).collect()
            on_change=Callback::new(move |f| list.set_filter(f))
        />
        <Transition fallback=|| {
            view! { <Loading what="replays" /> }
        }>
            {move || {
                replays
                    .get()
                    .map(|result| match result {
                        Ok(page) => {
                            view! { <ReplayTable page filtered=list.is_filtered() /> }.into_any()
                        }
                        Err(e) => view! { <ErrorBanner message=Some(e.message) /> }.into_any(),
                    })
            }}
        </Transition>
        <Pager list next_token />
    }
}

#[component]
fn ReplayTable(page: ReplayList, #[prop(into)] filtered: Signal<bool>) -> impl IntoView {
    if page.replays.is_empty() {
        return view! {
            <EmptyList
                filtered
                what="replays"
                explain="A replay sends an archive's events back to its bus."
                action=Operation::StartReplay
                href=links::start_replay(None)
                label="Start replay"
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
                    <th scope="col">"Progress"</th>
                    <th scope="col">"Started"</th>
                    <th scope="col">"Ended"</th>
                </tr>
            </thead>
            <tbody>
                {page
                    .replays
                    .into_iter()
                    .map(|r| {
                        let progress = r.compute_progress();
                        let archive = format::arn_name(&r.event_source_arn).to_owned();
                        view! {
                            <tr>
                                <td>
                                    <a href=links::replay(
                                        &r.replay_name,
                                    )>{r.replay_name.clone()}</a>
                                    <ReplayOrigin name=r.replay_name.clone() job=r.job.clone() />
                                </td>
                                <td>
                                    <StateBadge label=r.state.as_str() tone=replay_tone(r.state) />
                                </td>
                                <td>
                                    <a href=links::archive(&archive)>{archive.clone()}</a>
                                </td>
                                <td class="window">
                                    {format::datetime(r.event_start_time, Zone::Utc)}<br />
                                    {format!(
                                        "→ {}",
                                        format::datetime(r.event_end_time, Zone::Utc),
                                    )}
                                </td>
                                <td>
                                    <ProgressBar
                                        progress=Signal::stored(progress)
                                        label=format!("Progress of {}", r.replay_name)
                                    />
                                </td>
                                <td>
                                    {r
                                        .replay_start_time
                                        .map(|t| format::datetime(t, Zone::Utc))
                                        .unwrap_or_else(|| "—".into())}
                                </td>
                                <td>
                                    {r
                                        .replay_end_time
                                        .map(|t| format::datetime(t, Zone::Utc))
                                        .unwrap_or_else(|| "—".into())}
                                </td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
        <p class="note">
            {format!(
                "At most {} replays per account and region can be starting or running at once.",
                ReplayState::MAX_ACTIVE,
            )}
        </p>
    }
    .into_any()
}
