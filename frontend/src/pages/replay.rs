//! One replay: every DescribeReplay field and its progress, refreshed every 2 s while it
//! runs; cancelling while EventBridge allows it.

use crate::api;
use crate::clock;
use crate::components::delivery_report::{self, DeliveryReport, DeliveryVerdictBadge};
use crate::components::destructive_button::{Destructive, DestructiveButton};
use crate::components::detail_page::{DetailPage, Subject};
use crate::components::progress_bar::ProgressBar;
use crate::components::replay_origin::ReplayOrigin;
use crate::components::state_badge::{StateBadge, replay_tone};
use crate::components::table_cells::named_arn;
use crate::format;
use crate::links;
use leptos::prelude::*;
use shared::replay::Replay;
use shared::roles::Operation;

impl Subject for Replay {
    const WHAT: &'static str = "replay";
    const LIST: &'static str = "/replays";
    const ABOUT: &'static str = "A replay sends an archive's events from a time window back to their bus, where each rule whose pattern matches receives them again (or only the rules or targets chosen, or another bus's rules). EventBridge replays in one-minute buckets of event time, not in the original order; the last replayed event time is its only progress signal.";

    fn in_progress(&self) -> bool {
        self.summary.state.is_in_progress()
    }
}

#[component]
pub fn ReplayPage() -> impl IntoView {
    let detail = |replay, on_changed| view! { <ReplayDetail replay on_changed /> }.into_any();
    view! { <DetailPage fetch=api::get_replay detail /> }
}

#[component]
fn ReplayDetail(replay: Replay, on_changed: Callback<()>) -> impl IntoView {
    let s = replay.summary.clone();
    let name = s.replay_name.clone();
    let report = delivery_report::load(name.clone(), Operation::ReplayReport);
    // Whom a routed or forwarded replay went to: kept in its description at the start,
    // so it is said also once its temporary rules are gone.
    let description = replay.description.clone().unwrap_or_default();
    let (written, kept) = shared::routing::split_sent_to(&description);
    let sent_to = replay
        .routing
        .as_ref()
        .and_then(|r| r.validate().ok())
        .map(|r| r.sent_to())
        .or_else(|| kept.map(str::to_owned));
    let written = if written.is_empty() {
        "—".to_owned()
    } else {
        written.to_owned()
    };
    let progress = s.compute_progress();
    let archive = format::arn_name(&s.event_source_arn).to_owned();
    let eta = s
        .replay_start_time
        .filter(|_| s.state.is_in_progress())
        .and_then(|started| format::eta(progress.fraction(), clock::now() - started));
    let rules = if replay.destination.filter_arns.is_empty() {
        view! { <span>"All rules on the bus"</span> }.into_any()
    } else {
        view! {
            <ul class="plain">
                {replay
                    .destination
                    .filter_arns
                    .iter()
                    .map(|r| {
                        view! {
                            <li>
                                <code>{format::arn_name(r).to_owned()}</code>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        }
        .into_any()
    };
    let cancellation = Destructive {
        action: Operation::CancelReplay,
        label: "Cancel replay",
        title: format!("Cancel replay {name}?"),
        consequence: "Events already replayed stay delivered; the rest of the window is not replayed. A cancelled replay cannot be resumed.",
    };
    view! {
        <div class="page-head">
            <h1>{name.clone()}</h1>
            <StateBadge label=s.state.as_str() tone=replay_tone(s.state) />
            <DeliveryVerdictBadge report />
            <ReplayOrigin name=name.clone() job=s.job.clone() />
            <div class="actions">
                {s
                    .state
                    .can_cancel()
                    .then(|| {
                        view! {
                            <DestructiveButton
                                name=name.clone()
                                how=cancellation
                                on_done=on_changed
                            />
                        }
                    })}
            </div>
        </div>
        {s.state_reason.clone().map(|r| view! { <p class="banner">{r}</p> })}
        <section class="card">
            <ProgressBar progress=Signal::stored(progress) label="Replay progress" />
            <p class="hint">
                {format::progress_note(
                    "replay",
                    s.state.as_str(),
                    s.state.is_in_progress(),
                    eta,
                    "the current pace",
                )}
            </p>
        </section>
        <dl class="details">
            <dt>"ARN"</dt>
            <dd>
                <code>{replay.replay_arn.clone()}</code>
            </dd>
            <dt>"Archive"</dt>
            <dd>
                <a href=links::archive(&archive)>{archive.clone()}</a>
            </dd>
            <dt>"Destination"</dt>
            <dd>{named_arn(replay.destination.arn.clone())}</dd>
            <dt>"Rules"</dt>
            <dd>{rules}</dd>
            {sent_to
                .map(|to| {
                    view! {
                        <dt>"Sent to"</dt>
                        <dd>{to}</dd>
                    }
                })}
            <dt>"Description"</dt>
            <dd>{written}</dd>
            <dt>"Event window"</dt>
            <dd>{format::window(s.event_start_time, s.event_end_time)}</dd>
            <dt>"Last replayed event"</dt>
            <dd>{format::maybe_datetime(s.event_last_replayed_time)}</dd>
            <dt>"Started"</dt>
            <dd>{format::maybe_datetime(s.replay_start_time)}</dd>
            <dt>"Ended"</dt>
            <dd>{format::maybe_datetime(s.replay_end_time)}</dd>
        </dl>
        <DeliveryReport report />
    }
}
