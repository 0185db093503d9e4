//! One replay: every DescribeReplay field and its progress, refreshed every 2 s while it
//! runs; cancelling while EventBridge allows it.

use crate::api;
use crate::clock;
use crate::components::confirm_dialog::ConfirmDialog;
use crate::components::delivery_report::DeliveryReport;
use crate::components::error_banner::ErrorBanner;
use crate::components::loading::Loading;
use crate::components::progress_bar::ProgressBar;
use crate::components::replay_origin::ReplayOrigin;
use crate::components::state_badge::{StateBadge, replay_tone};
use crate::current_user::refusal;
use crate::format::{self, Zone};
use crate::links;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use shared::replay::Replay;
use shared::roles::Operation;
use std::time::Duration;

/// How often a replay in progress is refreshed.
const REFRESH: Duration = Duration::from_secs(2);

#[component]
pub fn ReplayPage() -> impl IntoView {
    let params = use_params_map();
    let name = Memo::new(move |_| params.get().get("name").unwrap_or_default());
    let replay = LocalResource::new(move || api::get_replay(name.get()));
    // Refresh while the replay can still change; stop once it has ended, and when the
    // page is left (the pending timer is cleared with the effect).
    Effect::new(move |_| {
        if let Some(Ok(r)) = replay.get()
            && r.summary.state.is_in_progress()
            && let Ok(timer) = set_timeout_with_handle(move || replay.refetch(), REFRESH)
        {
            on_cleanup(move || timer.clear());
        }
    });
    view! {
        <Transition fallback=|| {
            view! { <Loading what="the replay" /> }
        }>
            {move || {
                replay
                    .get()
                    .map(|result| match result {
                        Ok(r) => {
                            view! {
                                <ReplayDetail
                                    replay=r
                                    on_changed=Callback::new(move |_| replay.refetch())
                                />
                            }
                                .into_any()
                        }
                        Err(e) if e.is_not_found() => {
                            view! {
                                <h1>{name.get()}</h1>
                                <ErrorBanner message=Some(
                                    format!("There is no replay named {}.", name.get()),
                                ) />
                                <a href="/replays">"Back to replays"</a>
                            }
                                .into_any()
                        }
                        Err(e) => {
                            view! {
                                <h1>{name.get()}</h1>
                                <ErrorBanner message=Some(e.message) />
                            }
                                .into_any()
                        }
                    })
            }}
        </Transition>
    }
}

#[component]
fn ReplayDetail(replay: Replay, on_changed: Callback<()>) -> impl IntoView {
    let s = replay.summary.clone();
    let name = s.replay_name.clone();
    let progress = s.compute_progress();
    let archive = format::arn_name(&s.event_source_arn).to_owned();
    let eta = s
        .replay_start_time
        .filter(|_| s.state.is_in_progress())
        .and_then(|started| format::eta(progress.fraction(), clock::now() - started));
    let cancelling = RwSignal::new(false);
    let may_not_cancel = refusal(Operation::CancelReplay);
    let cancel = Action::new_local(|name: &String| api::cancel_replay(name.clone()));
    Effect::new(move |_| {
        if let Some(Ok(_)) = cancel.value().get() {
            cancelling.set(false);
            on_changed.run(());
        }
    });
    let cancel_error = Signal::derive(move || {
        cancel
            .value()
            .get()
            .and_then(Result::err)
            .map(|e| e.message)
    });
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
    let name_for_dialog = name.clone();

    view! {
        <div class="page-head">
            <h1>{name.clone()}</h1>
            <StateBadge label=s.state.as_str() tone=replay_tone(s.state) />
            <ReplayOrigin name=name.clone() job=s.job.clone() />
            <div class="actions">
                {s
                    .state
                    .can_cancel()
                    .then(|| {
                        view! {
                            <button
                                type="button"
                                class="danger"
                                on:click=move |_| cancelling.set(true)
                                disabled=move || may_not_cancel.get().is_some()
                                title=move || may_not_cancel.get()
                            >
                                "Cancel replay"
                            </button>
                        }
                    })}
            </div>
        </div>
        {s.state_reason.clone().map(|r| view! { <p class="banner">{r}</p> })}
        <section class="card">
            <ProgressBar progress=Signal::stored(progress) label="Replay progress" />
            <p class="hint">
                {match (s.state.is_in_progress(), eta) {
                    (true, Some(left)) => {
                        format!(
                            "About {} left at the current pace. Refreshing every 2 seconds.",
                            format::duration(left),
                        )
                    }
                    (true, None) => "Refreshing every 2 seconds.".to_owned(),
                    (false, _) => format!("This replay is {}.", s.state.as_str().to_lowercase()),
                }}
            </p>
            <p class="note">
                "EventBridge replays in one-minute buckets of event time, not in the original order; the last replayed event time is its only progress signal."
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
            <dd>
                {format::arn_name(&replay.destination.arn).to_owned()} " "
                <code class="muted">{replay.destination.arn.clone()}</code>
            </dd>
            <dt>"Rules"</dt>
            <dd>{rules}</dd>
            {replay
                .routing
                .as_ref()
                .and_then(|r| r.forward_to.clone())
                .map(|f| {
                    view! {
                        <dt>"Forwarded to"</dt>
                        <dd>
                            {format::arn_name(&f.event_bus_arn).to_owned()} " "
                            <code class="muted">{f.event_bus_arn.clone()}</code>
                        </dd>
                    }
                })}
            {replay
                .routing
                .clone()
                .filter(|r| r.forward_to.is_none())
                .map(|r| {
                    view! {
                        <dt>"Routed to"</dt>
                        <dd>
                            {r
                                .targets
                                .iter()
                                .map(|t| format!("{} of rule {}", t.target_id, t.rule))
                                .collect::<Vec<_>>()
                                .join(", ")}
                        </dd>
                    }
                })}
            <dt>"Description"</dt>
            <dd>{replay.description.clone().unwrap_or_else(|| "—".to_owned())}</dd>
            <dt>"Event window"</dt>
            <dd>
                {format!(
                    "{} → {}",
                    format::datetime(s.event_start_time, Zone::Utc),
                    format::datetime(s.event_end_time, Zone::Utc),
                )}
            </dd>
            <dt>"Last replayed event"</dt>
            <dd>
                {s
                    .event_last_replayed_time
                    .map(|t| format::datetime(t, Zone::Utc))
                    .unwrap_or_else(|| "—".into())}
            </dd>
            <dt>"Started"</dt>
            <dd>
                {s
                    .replay_start_time
                    .map(|t| format::datetime(t, Zone::Utc))
                    .unwrap_or_else(|| "—".into())}
            </dd>
            <dt>"Ended"</dt>
            <dd>
                {s
                    .replay_end_time
                    .map(|t| format::datetime(t, Zone::Utc))
                    .unwrap_or_else(|| "—".into())}
            </dd>
        </dl>
        <DeliveryReport name=name.clone() job=false />
        <Show when=move || cancelling.get()>
            <ConfirmDialog
                title=format!("Cancel replay {}?", name_for_dialog)
                name=name_for_dialog.clone()
                consequence="Events already replayed stay delivered; the rest of the window is not replayed. A cancelled replay cannot be resumed."
                confirm_label="Cancel replay"
                pending=cancel.pending()
                error=cancel_error
                on_confirm=Callback::new({
                    let n = name_for_dialog.clone();
                    move |_| {
                        cancel.dispatch(n.clone());
                    }
                })
                on_cancel=Callback::new(move |_| cancelling.set(false))
            />
        </Show>
    }
}
