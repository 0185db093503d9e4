//! One replay job: its slices as a timeline, its progress with an ETA, and Pause,
//! Resume and Cancel where its state and the caller's role allow them; refreshed every
//! 2 s while it can change by itself, and not after.

use crate::api;
use crate::components::confirm_dialog::ConfirmDialog;
use crate::components::delivery_report::DeliveryReport;
use crate::components::error_banner::ErrorBanner;
use crate::components::loading::Loading;
use crate::components::progress_bar::ProgressBar;
use crate::components::slice_timeline::SliceTimeline;
use crate::components::state_badge::{StateBadge, job_tone};
use crate::current_user::refusal;
use crate::format::{self, Zone};
use crate::links;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use shared::job::ReplayJob;
use shared::roles::Operation;
use std::time::Duration;

/// How often a job in progress is refreshed.
const REFRESH: Duration = Duration::from_secs(2);

#[component]
pub fn JobPage() -> impl IntoView {
    let params = use_params_map();
    let name = Memo::new(move |_| params.get().get("name").unwrap_or_default());
    let job = LocalResource::new(move || api::get_job(name.get()));
    Effect::new(move |_| {
        if let Some(Ok(j)) = job.get()
            && j.summary.state.is_in_progress()
            && let Ok(timer) = set_timeout_with_handle(move || job.refetch(), REFRESH)
        {
            on_cleanup(move || timer.clear());
        }
    });
    view! {
        <Transition fallback=|| {
            view! { <Loading what="the replay job" /> }
        }>
            {move || {
                job.get()
                    .map(|result| match result {
                        Ok(j) => {
                            view! {
                                <JobDetail job=j on_changed=Callback::new(move |_| job.refetch()) />
                            }
                                .into_any()
                        }
                        Err(e) => {
                            let message = if e.is_not_found() {
                                format!("There is no replay job named {}.", name.get())
                            } else {
                                e.message
                            };
                            view! {
                                <h1>{name.get()}</h1>
                                <ErrorBanner message=Some(message) />
                                <a href="/jobs">"Back to replay jobs"</a>
                            }
                                .into_any()
                        }
                    })
            }}
        </Transition>
    }
}

#[component]
fn JobDetail(job: ReplayJob, on_changed: Callback<()>) -> impl IntoView {
    let s = job.summary.clone();
    let name = StoredValue::new(s.job_name.clone());
    let archive = format::arn_name(&s.event_source_arn).to_owned();
    let eta = job.eta();
    let change = Action::new_local(move |op: &Operation| api::change_job(*op, name.get_value()));
    let cancelling = RwSignal::new(false);
    Effect::new(move |_| {
        if let Some(Ok(_)) = change.value().get() {
            cancelling.set(false);
            on_changed.run(());
        }
    });
    let change_error = Signal::derive(move || {
        change
            .value()
            .get()
            .and_then(Result::err)
            .map(|e| e.message)
    });
    let may_not = refusal(Operation::PauseReplayJob);
    let button = move |op: Operation, label: &'static str, shown: bool| {
        shown.then(|| {
            view! {
                <button
                    type="button"
                    class="secondary"
                    on:click=move |_| {
                        change.dispatch(op);
                    }
                    disabled=move || may_not.get().is_some() || change.pending().get()
                    title=move || may_not.get()
                >
                    {label}
                </button>
            }
        })
    };
    let routed = job.routing.as_ref().map(|r| {
        r.targets
            .iter()
            .map(|t| format!("{} of rule {}", t.target_id, t.rule))
            .collect::<Vec<_>>()
            .join(", ")
    });
    view! {
        <div class="page-head">
            <h1>{s.job_name.clone()}</h1>
            <StateBadge label=s.state.as_str() tone=job_tone(s.state) />
            <div class="actions">
                {button(Operation::PauseReplayJob, "Pause", s.state.can_pause())}
                {button(Operation::ResumeReplayJob, "Resume", s.state.can_resume())}
                {s
                    .state
                    .can_cancel()
                    .then(|| {
                        view! {
                            <button
                                type="button"
                                class="danger"
                                on:click=move |_| cancelling.set(true)
                                disabled=move || may_not.get().is_some()
                                title=move || may_not.get()
                            >
                                "Cancel job"
                            </button>
                        }
                    })}
            </div>
        </div>
        {move || {
            change_error
                .get()
                .filter(|_| !cancelling.get())
                .map(|e| view! { <ErrorBanner message=Some(e) /> })
        }}
        {s.state_reason.clone().map(|r| view! { <p class="banner">{r}</p> })}
        <section class="card">
            <ProgressBar
                progress=Signal::stored(shared::ReplayProgress::of_fraction(s.progress))
                label="Job progress"
            />
            <p class="hint">
                {format!("{} of {} slices done. ", s.slices_done, s.slices_total)}
                {match (s.state.is_in_progress(), eta) {
                    (true, Some(left)) => {
                        format!(
                            "About {} left at the pace so far. Refreshing every 2 seconds.",
                            format::duration(left),
                        )
                    }
                    (true, None) => "Refreshing every 2 seconds.".to_owned(),
                    (false, _) => format!("This job is {}.", s.state.as_str().to_lowercase()),
                }}
            </p>
            <SliceTimeline slices=job.slices.clone() />
            <p class="note">
                "Each slice is a replay of its own. Pause lets the running slice finish and starts no other; resume goes on with the next slice; cancel cancels the running slice."
            </p>
        </section>
        <dl class="details">
            <dt>"Archive"</dt>
            <dd>
                <a href=links::archive(&archive)>{archive.clone()}</a>
            </dd>
            <dt>"Destination"</dt>
            <dd>
                {format::arn_name(&job.destination.arn).to_owned()} " "
                <code class="muted">{job.destination.arn.clone()}</code>
            </dd>
            {routed
                .map(|r| {
                    view! {
                        <dt>"Routed to"</dt>
                        <dd>{r}</dd>
                    }
                })}
            <dt>"Event window"</dt>
            <dd>
                {format!(
                    "{} → {}",
                    format::datetime(s.event_start_time, Zone::Utc),
                    format::datetime(s.event_end_time, Zone::Utc),
                )}
            </dd>
            <dt>"Pacing"</dt>
            <dd>
                {format!(
                    "Slices of {} min, {} s apart",
                    job.pacing.slice_minutes,
                    job.pacing.gap_seconds,
                )}
            </dd>
            <dt>"Description"</dt>
            <dd>{job.description.clone().unwrap_or_else(|| "—".to_owned())}</dd>
            <dt>"Created"</dt>
            <dd>{format!("{} by {}", format::datetime(s.created_at, Zone::Utc), s.created_by)}</dd>
        </dl>
        <DeliveryReport name=name.get_value() job=true />
        <Show when=move || cancelling.get()>
            <ConfirmDialog
                title=format!("Cancel replay job {}?", name.get_value())
                name=name.get_value()
                consequence="The running slice is cancelled and no other starts. Slices already replayed stay delivered. A cancelled job cannot be resumed."
                confirm_label="Cancel job"
                pending=change.pending()
                error=change_error
                on_confirm=Callback::new(move |_| {
                    change.dispatch(Operation::CancelReplayJob);
                })
                on_cancel=Callback::new(move |_| cancelling.set(false))
            />
        </Show>
    }
}
