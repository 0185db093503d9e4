//! Start replay: pick an archive, a name, a window of event time and the rules to replay
//! to. The destination is always the archive's own bus (EventBridge allows no other).
//! Beside the form, the preview says who would receive the replay before it starts.

use crate::api;
use crate::clock;
use crate::components::archive_picker::ArchivePicker;
use crate::components::error_banner::ErrorBanner;
use crate::components::field::Field;
use crate::components::json_editor::JsonEditor;
use crate::components::receivers_summary::ReceiversSummary;
use crate::components::replay_preview_panel::ReplayPreviewPanel;
use crate::components::time_window::{ARCHIVE_LAG, TimeWindow};
use crate::current_user::refusal;
use crate::form::{FormSpec, use_form};
use crate::format::{self, Zone};
use crate::links;
use crate::replay_preview::{Choice, ReplayTo, use_replay_preview};
use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_navigate, use_query_map};
use shared::Field as FieldName;
use shared::job::{PacingRequest, StartReplayJobRequest};
use shared::replay::{ReplayDestinationRequest, StartReplayRequest};
use shared::roles::Operation;
use shared::routing::{ForwardTo, RoutingRequest};
use shared::validation::ReplayWindow;
use time::{Duration, OffsetDateTime};

const FORM_FIELDS: [FieldName; 13] = [
    FieldName::RoutingForwardTo,
    FieldName::EventSourceArn,
    FieldName::ReplayName,
    FieldName::JobName,
    FieldName::PacingSliceMinutes,
    FieldName::PacingGapSeconds,
    FieldName::Description,
    FieldName::EventStartTime,
    FieldName::EventEndTime,
    FieldName::DestinationFilterArns,
    FieldName::Routing,
    FieldName::RoutingTargets,
    FieldName::RoutingEventPattern,
];

/// A name that says what and when: `orders-all-20261126-1305` (short enough for a job,
/// whose slices add `-001`).
fn suggested_name(archive: &str, now: OffsetDateTime) -> String {
    let stem: String = archive.chars().take(56 - 14).collect();
    format!(
        "{stem}-{}",
        format::input_value(now, Zone::Utc)
            .replace(['-', ':'], "")
            .replace('T', "-")
    )
}

#[component]
pub fn StartReplayPage() -> impl IntoView {
    let query = use_query_map();
    let archive_name = RwSignal::new(query.get_untracked().get("archive").unwrap_or_default());
    let now = clock::now();
    let end = RwSignal::new(Some(now - ARCHIVE_LAG));
    let start = RwSignal::new(Some(now - ARCHIVE_LAG - Duration::hours(1)));
    let archive = LocalResource::new(move || {
        let name = archive_name.get();
        async move {
            if name.is_empty() {
                return None;
            }
            let loaded = api::get_archive(name).await;
            if let Ok(a) = &loaded {
                start_within_life_of(a.summary.creation_time, start, end);
            }
            Some(loaded)
        }
    });
    let archive_ok = Signal::derive(move || archive.get().flatten().and_then(Result::ok));
    let bus_arn = Signal::derive(move || archive_ok.get().map(|a| a.summary.event_source_arn));

    // The name suggested for the chosen archive, until the user types one.
    let typed_name = RwSignal::new(None::<String>);
    let suggested = Memo::new(move |_| {
        let a = archive_name.get();
        if a.is_empty() {
            String::new()
        } else {
            suggested_name(&a, clock::now())
        }
    });
    let name = Signal::derive(move || typed_name.get().unwrap_or_else(|| suggested.get()));
    let description = RwSignal::new(String::new());
    let zone = RwSignal::new(Zone::Local(clock::local_offset()));
    // Who receives it: every rule, chosen rules, or chosen targets (routed); the
    // choices are ticked in the preview table.
    let choice = Choice {
        to: RwSignal::new(ReplayTo::AllRules),
        rules: RwSignal::new(Vec::new()),
        targets: RwSignal::new(Vec::new()),
        forward_bus: RwSignal::new(String::new()),
        forward_role: RwSignal::new(String::new()),
    };
    let buses = LocalResource::new(api::all_event_buses);
    let may_not_forward = refusal(Operation::OptRuleOutOfReplays);
    let narrowing = RwSignal::new(String::new());
    // A paced replay is a replay job: slices of event time, one at a time, a gap apart.
    let paced = RwSignal::new(false);
    let slice_minutes = RwSignal::new(15_u32);
    let gap_seconds = RwSignal::new("60".to_owned());
    let pacing = move || PacingRequest {
        slice_minutes: i64::from(slice_minutes.get()),
        gap_seconds: Some(gap_seconds.get().trim().parse().unwrap_or(-1)),
    };

    let navigate = use_navigate();
    let form = use_form(FormSpec {
        fields: &FORM_FIELDS,
        operation: Operation::StartReplay,
        lead: "To start it",
        draft: move || {
            let mut errors: Vec<(FieldName, String)> = Vec::new();
            let archive = archive_ok.get();
            if archive.is_none() {
                errors.push((
                    FieldName::EventSourceArn,
                    "Choose the archive to replay from.".into(),
                ));
            }
            let (s, e) = (start.get(), end.get());
            if s.is_none() {
                errors.push((FieldName::EventStartTime, "Enter a start time.".into()));
            }
            if e.is_none() {
                errors.push((FieldName::EventEndTime, "Enter an end time.".into()));
            }
            if let (Some(s), Some(e)) = (s, e) {
                let checked = ReplayWindow::parse(s, e).and_then(|w| {
                    w.check_against(
                        clock::now(),
                        archive.as_ref().map(|a| a.summary.creation_time),
                    )
                });
                if let Err(err) = checked {
                    errors.push((err.field, err.message));
                }
            }
            let to = choice.to.get();
            let filters = (to == ReplayTo::SomeRules).then(|| choice.rules.get());
            if filters.as_ref().is_some_and(Vec::is_empty) {
                errors.push((
                    FieldName::DestinationFilterArns,
                    "Tick at least one rule in the preview, or replay to all rules.".into(),
                ));
            }
            let narrowed = Some(narrowing.get()).filter(|p| !p.trim().is_empty());
            let routing = match to {
                ReplayTo::SomeTargets => Some(RoutingRequest {
                    targets: choice.targets.get(),
                    event_pattern: narrowed,
                    forward_to: None,
                }),
                ReplayTo::Forward => Some(RoutingRequest {
                    targets: Vec::new(),
                    event_pattern: narrowed,
                    forward_to: Some(ForwardTo {
                        event_bus_arn: choice.forward_bus.get().trim().to_owned(),
                        role_arn: Some(choice.forward_role.get().trim().to_owned())
                            .filter(|r| !r.is_empty()),
                    }),
                }),
                _ => None,
            };
            let body = StartReplayRequest {
                replay_name: name.get().trim().to_owned(),
                description: Some(description.get()).filter(|d| !d.trim().is_empty()),
                event_source_arn: archive
                    .as_ref()
                    .map(|a| a.archive_arn.clone())
                    .unwrap_or_default(),
                event_start_time: s.map(shared::timestamp::format).unwrap_or_default(),
                event_end_time: e.map(shared::timestamp::format).unwrap_or_default(),
                destination: ReplayDestinationRequest {
                    arn: archive
                        .as_ref()
                        .map(|a| a.summary.event_source_arn.clone())
                        .unwrap_or_default(),
                    filter_arns: filters,
                },
                routing,
            };
            if archive.is_some() {
                let mut problems = body.problems();
                if paced.get() {
                    problems.extend(job_request(&body, pacing()).problems());
                }
                for problem in problems {
                    if !errors.iter().any(|(f, _)| *f == problem.field) {
                        errors.push((problem.field, problem.message));
                    }
                }
            }
            (body, errors)
        },
        send: move |body: StartReplayRequest| {
            let paced = paced.get_untracked().then(|| job_request(&body, pacing()));
            async move {
                match paced {
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
    let blocked = form.blocked();
    let pending = form.pending();
    let pick_archive = Callback::new(move |picked: String| {
        archive_name.set(picked);
        // Another archive means another bus: its rules start unchosen.
        choice.rules.set(Vec::new());
        choice.targets.set(Vec::new());
        form.touch(FieldName::EventSourceArn);
    });

    view! {
        <h1>"Start replay"</h1>
        <div class="start-replay">
            <form class="card" on:submit=form.on_submit() novalidate>
                <ErrorBanner message=form.banner() />
                <Field id="archive" label="Archive" error=error_for(FieldName::EventSourceArn)>
                    <ArchivePicker id="archive" selected=archive_name on_pick=pick_archive />
                </Field>
                <div class="field">
                    <span class="label">"Destination"</span>
                    <p class="readonly">
                        {move || {
                            bus_arn
                                .get()
                                .map(|b| format!("{} ({b})", format::arn_name(&b)))
                                .unwrap_or_else(|| "The archive's event bus".into())
                        }}
                    </p>
                    <p class="hint">
                        "A replay always goes back to the bus the archive records; replayed events carry a replay-name field and are never archived again."
                    </p>
                </div>
                <Field
                    id="replay-name"
                    label="Name"
                    hint="Up to 64 letters, digits, '.', '-' or '_' (56 for a paced replay: its slices add -001, -002, …)."
                    error=Signal::derive(move || {
                        error_for(FieldName::ReplayName)
                            .get()
                            .or(error_for(FieldName::JobName).get())
                    })
                >
                    <input
                        id="replay-name"
                        autocomplete="off"
                        spellcheck="false"
                        aria-describedby="replay-name-error"
                        prop:value=move || name.get()
                        on:input=move |ev| {
                            typed_name.set(Some(event_target_value(&ev)));
                            form.touch(FieldName::ReplayName);
                            form.touch(FieldName::JobName);
                        }
                    />
                </Field>
                <Field
                    id="description"
                    label="Description"
                    hint="Optional: why this replay, for whoever looks later."
                    error=error_for(FieldName::Description)
                >
                    <textarea
                        id="description"
                        rows="2"
                        prop:value=move || description.get()
                        on:input=move |ev| description.set(event_target_value(&ev))
                    ></textarea>
                </Field>
                <TimeWindow
                    start
                    end
                    zone
                    archive_created=Signal::derive(move || {
                        archive_ok.get().map(|a| a.summary.creation_time)
                    })
                    start_error=error_for(FieldName::EventStartTime)
                    end_error=error_for(FieldName::EventEndTime)
                />
                <fieldset
                    class="field"
                    class:invalid=move || {
                        error_for(FieldName::DestinationFilterArns)
                            .get()
                            .or(error_for(FieldName::RoutingTargets).get())
                            .is_some()
                    }
                >
                    <legend>"Who receives it"</legend>
                    {[
                        (ReplayTo::AllRules, "Every rule on the bus that matches"),
                        (ReplayTo::SomeRules, "Only the rules ticked in the preview"),
                        (
                            ReplayTo::SomeTargets,
                            "Only the targets ticked in the preview (routed through temporary rules)",
                        ),
                        (
                            ReplayTo::Forward,
                            "Forward to another bus (admins: through a temporary rule whose target is that bus)",
                        ),
                    ]
                        .map(|(to, label)| {
                            view! {
                                <label class="choice">
                                    <input
                                        type="radio"
                                        name="replay-to"
                                        prop:checked=move || choice.to.get() == to
                                        disabled=move || {
                                            to == ReplayTo::Forward && may_not_forward.get().is_some()
                                        }
                                        on:change=move |_| choice.to.set(to)
                                    />
                                    " "
                                    {label}
                                </label>
                            }
                        })}
                    <p class="field-error">
                        {move || {
                            error_for(FieldName::DestinationFilterArns)
                                .get()
                                .or(error_for(FieldName::RoutingTargets).get())
                                .or(error_for(FieldName::Routing).get())
                        }}
                    </p>
                    <Show when=move || choice.to.get() == ReplayTo::Forward>
                        <Field
                            id="forward-bus"
                            label="Receiving bus (ARN)"
                            hint="A bus of this account (suggested as you type), or another account's with a role."
                            error=error_for(FieldName::RoutingForwardTo)
                        >
                            <input
                                id="forward-bus"
                                list="forward-buses"
                                autocomplete="off"
                                spellcheck="false"
                                prop:value=move || choice.forward_bus.get()
                                on:input=move |ev| {
                                    choice.forward_bus.set(event_target_value(&ev));
                                    form.touch(FieldName::RoutingForwardTo);
                                }
                            />
                            <datalist id="forward-buses">
                                {move || {
                                    let own = bus_arn.get().unwrap_or_default();
                                    buses
                                        .get()
                                        .and_then(Result::ok)
                                        .unwrap_or_default()
                                        .into_iter()
                                        .filter(|b| b.arn != own)
                                        .map(|b| view! { <option value=b.arn>{b.name}</option> })
                                        .collect_view()
                                }}
                            </datalist>
                        </Field>
                        <Field
                            id="forward-role"
                            label="Role for another account's bus"
                            hint="Optional for this account's buses: a role EventBridge may use to put events on that bus."
                            error=Signal::stored(None::<String>)
                        >
                            <input
                                id="forward-role"
                                autocomplete="off"
                                spellcheck="false"
                                prop:value=move || choice.forward_role.get()
                                on:input=move |ev| choice.forward_role.set(event_target_value(&ev))
                            />
                        </Field>
                    </Show>
                    <Show when=move || {
                        matches!(choice.to.get(), ReplayTo::SomeTargets | ReplayTo::Forward)
                    }>
                        <Field
                            id="narrowing"
                            label="Narrowing pattern"
                            hint="Optional: only events that also match it, key by key with each ticked rule's pattern."
                            error=error_for(FieldName::RoutingEventPattern)
                        >
                            <div on:input=move |_| form.touch(FieldName::RoutingEventPattern)>
                                <JsonEditor
                                    id="narrowing"
                                    value=narrowing
                                    placeholder="{\"detail\": {\"country\": [\"NL\"]}}"
                                />
                            </div>
                        </Field>
                    </Show>
                </fieldset>
                <PacingChoice
                    paced
                    slice_minutes
                    gap_seconds
                    window=Signal::derive(move || start.get().zip(end.get()))
                    slice_error=error_for(FieldName::PacingSliceMinutes)
                    gap_error=error_for(FieldName::PacingGapSeconds)
                />
                <ReceiversSummary state=preview />
                <div class="actions">
                    <button type="submit" disabled=move || blocked.get().is_some() || pending.get()>
                        {move || match (pending.get(), paced.get()) {
                            (true, _) => "Starting…",
                            (false, true) => "Start paced replay",
                            (false, false) => "Start replay",
                        }}
                    </button>
                    <a class="button secondary" href="/replays">
                        "Cancel"
                    </a>
                    <span class="why" aria-live="polite">
                        {blocked}
                    </span>
                </div>
            </form>
            <ReplayPreviewPanel state=preview choice />
        </div>
    }
}

/// The job a paced start creates: the replay as drafted, its name the job's.
fn job_request(body: &StartReplayRequest, pacing: PacingRequest) -> StartReplayJobRequest {
    StartReplayJobRequest {
        job_name: body.replay_name.clone(),
        description: body.description.clone(),
        event_source_arn: body.event_source_arn.clone(),
        event_start_time: body.event_start_time.clone(),
        event_end_time: body.event_end_time.clone(),
        destination: body.destination.clone(),
        routing: body.routing.clone(),
        pacing,
    }
}

/// "Pace this replay": slice length and gap, and what they make of the window.
#[component]
fn PacingChoice(
    paced: RwSignal<bool>,
    slice_minutes: RwSignal<u32>,
    gap_seconds: RwSignal<String>,
    #[prop(into)] window: Signal<Option<(OffsetDateTime, OffsetDateTime)>>,
    #[prop(into)] slice_error: Signal<Option<String>>,
    #[prop(into)] gap_error: Signal<Option<String>>,
) -> impl IntoView {
    let plan = move || {
        let (start, end) = window.get()?;
        let count = shared::job::slice_count(start, end, slice_minutes.get());
        let gap: i64 = gap_seconds.get().trim().parse().ok()?;
        let gaps = Duration::seconds(gap * i64::try_from(count.saturating_sub(1)).ok()?);
        // EventBridge takes about a minute to replay a quiet slice; the gaps add the rest.
        let rough = gaps + Duration::minutes(i64::try_from(count).ok()?);
        Some(format!(
            "{count} slice{} of {} min, one after another: roughly {} at this gap (about a minute per slice, plus the gaps).",
            if count == 1 { "" } else { "s" },
            slice_minutes.get(),
            format::duration(rough),
        ))
    };
    view! {
        <fieldset class="field">
            <legend>"Pace"</legend>
            <label class="choice">
                <input
                    type="checkbox"
                    prop:checked=move || paced.get()
                    on:change=move |ev| paced.set(event_target_checked(&ev))
                />
                " Pace this replay: replay the window in slices, one at a time (a replay job you can pause, resume and cancel; it waits for a free replay slot instead of failing)"
            </label>
            <Show when=move || paced.get()>
                <Field
                    id="slice-minutes"
                    label="Slice length (minutes)"
                    hint="1 to 1440; suggestions: 5, 15, 30, 60, 180, 360, 1440."
                    error=slice_error
                >
                    <input
                        id="slice-minutes"
                        type="number"
                        min="1"
                        max="1440"
                        list="slice-presets"
                        inputmode="numeric"
                        prop:value=move || slice_minutes.get().to_string()
                        on:input=move |ev| {
                            slice_minutes.set(event_target_value(&ev).trim().parse().unwrap_or(0))
                        }
                    />
                    <datalist id="slice-presets">
                        <option value="5"></option>
                        <option value="15"></option>
                        <option value="30"></option>
                        <option value="60"></option>
                        <option value="180"></option>
                        <option value="360"></option>
                        <option value="1440"></option>
                    </datalist>
                </Field>
                <Field
                    id="gap-seconds"
                    label="Gap between slices (seconds)"
                    hint="0 to 3600: time for downstream systems to catch up."
                    error=gap_error
                >
                    <input
                        id="gap-seconds"
                        type="number"
                        min="0"
                        max="3600"
                        inputmode="numeric"
                        prop:value=move || gap_seconds.get()
                        on:input=move |ev| gap_seconds.set(event_target_value(&ev))
                    />
                </Field>
                <p class="hint" aria-live="polite">
                    {plan}
                </p>
            </Show>
        </fieldset>
    }
}

/// A young archive holds nothing from before it was created: a window that starts
/// earlier starts at its creation instead (and, if that empties it, ends now).
fn start_within_life_of(
    created: OffsetDateTime,
    start: RwSignal<Option<OffsetDateTime>>,
    end: RwSignal<Option<OffsetDateTime>>,
) {
    if start.get_untracked().is_some_and(|s| s < created) {
        start.set(Some(created));
        let now = clock::now();
        if end.get_untracked().is_none_or(|e| e <= created) && now > created {
            end.set(Some(now));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn suggested_names_are_valid_replay_names() {
        let name = suggested_name("orders-all", datetime!(2026-11-26 13:05 UTC));
        assert_eq!(name, "orders-all-20261126-1305");
        let long = suggested_name(&"a".repeat(48), datetime!(2026-11-26 13:05 UTC));
        assert!(shared::validation::ReplayName::parse(&long).is_ok());
    }
}
