//! One replay job: its slices as a timeline, its progress with an ETA, and Pause,
//! Resume and Cancel where its state and the caller's role allow them; refreshed every
//! 2 s while it can change by itself, and not after.

use crate::api;
use crate::components::change_buttons::use_changes;
use crate::components::danger_zone::DangerZone;
use crate::components::delivery_report::{self, DeliveryReport, DeliveryVerdictBadge};
use crate::components::destructive_button::{Destructive, DestructiveButton};
use crate::components::detail_page::{DetailPage, Subject};
use crate::components::progress_bar::ProgressBar;
use crate::components::slice_timeline::SliceTimeline;
use crate::components::state_badge::{StateBadge, job_tone};
use crate::components::table_cells::named_arn;
use crate::format::{self, Zone};
use crate::links;
use leptos::prelude::*;
use shared::job::{JobState, ReplayJob, SliceState};
use shared::roles::Operation;

impl Subject for ReplayJob {
    const WHAT: &'static str = "replay job";
    const LIST: &'static str = "/jobs";
    const ABOUT: &'static str = "A replay job replays a long window in slices, one replay at a time, paced by Step Functions: it goes on whether or not this page is open. Each slice is a replay of its own. Pause lets the running slice finish and starts no other; resume goes on with the next slice; cancel cancels the running slice.";

    fn in_progress(&self) -> bool {
        self.summary.state.is_in_progress()
    }
}

#[component]
pub fn JobPage() -> impl IntoView {
    let detail = |job, on_changed| view! { <JobDetail job on_changed /> }.into_any();
    view! { <DetailPage fetch=api::get_job detail /> }
}

#[component]
fn JobDetail(job: ReplayJob, on_changed: Callback<()>) -> impl IntoView {
    let s = job.summary.clone();
    let name = StoredValue::new(s.job_name.clone());
    let report = delivery_report::load(s.job_name.clone(), Operation::ReplayJobReport);
    let archive = format::arn_name(&s.event_source_arn).to_owned();
    let eta = job.eta();
    let changes = use_changes(
        name.get_value(),
        api::change_job,
        Operation::PauseReplayJob,
        on_changed,
    );
    let cancellation = Destructive {
        action: Operation::CancelReplayJob,
        label: "Cancel job",
        title: format!("Cancel replay job {}?", name.get_value()),
        consequence: "The running slice is cancelled and no other starts. Slices already replayed stay delivered. A cancelled job cannot be resumed.",
    };
    // Whom its slices go to: the job's record keeps the routing for its whole life.
    let routed = job
        .routing
        .as_ref()
        .and_then(|r| r.validate().ok())
        .map(|r| r.sent_to());
    view! {
        <div class="page-head">
            <h1>{s.job_name.clone()}</h1>
            <StateBadge label=s.state.as_str() tone=job_tone(s.state) />
            <DeliveryVerdictBadge report />
            <div class="actions">
                {changes.button(Operation::PauseReplayJob, "Pause", s.state.can_pause())}
                {changes.button(Operation::ResumeReplayJob, "Resume", s.state.can_resume())}
            </div>
        </div>
        {changes.error()}
        {s.state_reason.clone().map(|r| view! { <p class="banner">{r}</p> })}
        <section class="card">
            <ProgressBar
                progress=Signal::stored(shared::ReplayProgress::of_fraction(s.progress))
                label="Job progress"
            />
            <p class="hint">
                {format!("{} of {} slices done. ", s.slices_done, s.slices_total)}
                {format::progress_note(
                    "job",
                    s.state.as_str(),
                    s.state.is_in_progress(),
                    eta,
                    "the pace so far",
                )}
            </p>
            <SliceTimeline slices=job.slices.clone() />
            {rest_of(&job)
                .map(|href| {
                    view! {
                        <p>
                            <a class="button secondary" href=href>
                                "Replay the rest of its window…"
                            </a>
                            " "
                            <span class="hint">
                                "Opens Start replay with the slices that did not complete."
                            </span>
                        </p>
                    }
                })}
        </section>
        <dl class="details">
            <dt>"Archive"</dt>
            <dd>
                <a href=links::archive(&archive)>{archive.clone()}</a>
            </dd>
            <dt>"Destination"</dt>
            <dd>{named_arn(job.destination.arn.clone())}</dd>
            {routed
                .map(|r| {
                    view! {
                        <dt>"Sent to"</dt>
                        <dd>{r}</dd>
                    }
                })}
            <dt>"Event window"</dt>
            <dd>{format::window(s.event_start_time, s.event_end_time)}</dd>
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
        <DeliveryReport report />
        {s
            .state
            .can_cancel()
            .then(|| {
                view! {
                    <DangerZone>
                        <DestructiveButton
                            name=name.get_value()
                            how=cancellation
                            on_done=on_changed
                        />
                    </DangerZone>
                }
            })}
    }
}

/// For a cancelled or failed job, Start replay filled with what it did not replay: from
/// its first slice that did not complete to its window's end.
fn rest_of(job: &ReplayJob) -> Option<String> {
    let s = &job.summary;
    if !matches!(s.state, JobState::Cancelled | JobState::Failed) {
        return None;
    }
    let from = job
        .slices
        .iter()
        .find(|slice| slice.state != SliceState::Completed)?
        .event_start_time;
    Some(links::start_replay_window(
        format::arn_name(&s.event_source_arn),
        from,
        s.event_end_time,
    ))
}
