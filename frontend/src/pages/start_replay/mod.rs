//! Start replay: pick an archive, a name, a window of event time and who receives it
//! (`receivers`), paced or not (`pacing`). The destination is always the archive's own
//! bus (EventBridge allows no other). Beside the form, the preview says who would
//! receive the replay before it starts. The request itself is built in `inputs`.

mod defaults;
pub use defaults::typed_or_suggested;
mod details;
mod draft;
mod inputs;
mod pacing;
mod receivers;

use crate::api;
use crate::components::error_banner::ErrorBanner;
use crate::components::receivers_summary::ReceiversSummary;
use crate::components::replay_preview_panel::ReplayPreviewPanel;
use crate::components::submit_row::SubmitRow;
use crate::components::time_window::{Earliest, TimeWindow};
use crate::form::{FormSpec, use_form};
use crate::links;
use crate::replay_preview::use_replay_preview;
use defaults::chosen_archive;
use details::ReplayDetails;
use draft::job_request;
use inputs::{FORM_FIELDS, ReplayInputs};
use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_navigate, use_query_map};
use pacing::PacingChoice;
use receivers::ReceiversChoice;
use shared::Field as FieldName;
use shared::replay::StartReplayRequest;
use shared::roles::Operation;

#[component]
pub fn StartReplayPage() -> impl IntoView {
    let query = use_query_map();
    let archive_name = RwSignal::new(query.get_untracked().get("archive").unwrap_or_default());
    // The default window: the hour that ends where the archive has caught up.
    let (start, end) = Earliest::ArchiveCreated.last_hour();
    // A window handed over in the link (`from`, `to`: the rest of a job), when both read.
    let given = |key: &str| {
        query
            .get_untracked()
            .get(key)
            .and_then(|t| shared::timestamp::parse(&t).ok())
    };
    if let (Some(from), Some(to)) = (given("from"), given("to")) {
        start.set(Some(from));
        end.set(Some(to));
    }
    let archive = chosen_archive(archive_name, (start, end));
    let bus_arn = Signal::derive(move || archive.get().map(|a| a.summary.event_source_arn));
    // The name suggested for the chosen archive, until the user types one.
    let (typed_name, name) = typed_or_suggested(archive_name);
    let inputs = ReplayInputs::new(archive, name, (start, end));
    let navigate = use_navigate();
    let form = use_form(FormSpec {
        fields: &FORM_FIELDS,
        operation: Operation::StartReplay,
        lead: "To start it",
        draft: move || inputs.draft(),
        // A paced replay is created as a job (Step Functions runs its slices).
        send: move |body: StartReplayRequest| {
            let job = (inputs.paced.get_untracked()).then(|| job_request(&body, inputs.pacing()));
            async move {
                match job {
                    Some(job) => api::start_job(job)
                        .await
                        .map(|j| links::job(&j.summary.job_name)),
                    None => {
                        let name = body.replay_name.clone();
                        api::start_replay(body).await.map(|_| links::replay(&name))
                    }
                }
            }
        },
        done: move |_: &StartReplayRequest, link: &String| {
            navigate(link, NavigateOptions::default());
        },
    });
    let preview = use_replay_preview(form.draft());
    // The window starts filled in: its problems show from the start.
    form.touch(FieldName::EventStartTime);
    form.touch(FieldName::EventEndTime);
    let error_for = move |field: FieldName| form.error(field);
    let pick_archive = Callback::new(move |picked: String| {
        archive_name.set(picked);
        // Another archive means another bus: its rules start unchosen.
        inputs.choice.rules.set(Vec::new());
        inputs.choice.targets.set(Vec::new());
        form.touch(FieldName::EventSourceArn);
    });
    let paced = inputs.paced;
    let label = Signal::derive(move || {
        if paced.get() {
            "Start paced replay"
        } else {
            "Start replay"
        }
    });

    view! {
        <h1>"Start replay"</h1>
        // The page's lead, above anything its data changes (the route's static frame paints it).
        <p class="lead">
            "A replay sends an archive's events from a time window back to the bus the archive records. Each rule of that bus whose pattern matches receives them again, or only the rules you tick, chosen targets of them, or another bus; the preview shows who would receive them before you start. Paced, it runs as a replay job, a slice at a time."
        </p>
        <div class="start-replay">
            <form class="card" on:submit=form.on_submit() novalidate>
                <ErrorBanner message=form.banner() />
                <ReplayDetails
                    archive_name
                    on_pick=pick_archive
                    bus_arn
                    name=inputs.name
                    typed_name
                    description=inputs.description
                    form
                />
                <TimeWindow
                    start
                    end
                    archive_created=Signal::derive(move || {
                        archive.get().map(|a| a.summary.creation_time)
                    })
                    start_error=error_for(FieldName::EventStartTime)
                    end_error=error_for(FieldName::EventEndTime)
                />
                <ReceiversChoice choice=inputs.choice narrowing=inputs.narrowing bus_arn form />
                <PacingChoice
                    paced
                    slice_minutes=inputs.slice_minutes
                    gap_seconds=inputs.gap_seconds
                    window=Signal::derive(move || start.get().zip(end.get()))
                    slice_error=error_for(FieldName::PacingSliceMinutes)
                    gap_error=error_for(FieldName::PacingGapSeconds)
                />
                <ReceiversSummary state=preview />
                <SubmitRow blocked=form.blocked() pending=form.pending() label busy="Starting…">
                    <a class="button secondary" href="/replays">
                        "Cancel"
                    </a>
                </SubmitRow>
            </form>
            <ReplayPreviewPanel state=preview choice=inputs.choice />
        </div>
    }
}
