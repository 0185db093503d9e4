//! Peek: what an archive holds, by replaying a short window to a queue of Rewind's own
//! and listing the events as they arrive. Leaving the page ends the peek (and the
//! backend's sweep ends any peek whose page never said so).

use crate::api;
use crate::clock;
use crate::components::error_banner::ErrorBanner;
use crate::components::field::Field;
use crate::components::json_editor::JsonEditor;
use crate::components::peek_event_list::{PeekEventList, PeekedEvent};
use crate::components::submit_row::SubmitRow;
use crate::components::time_window::{ARCHIVE_LAG, TimeWindow};
use crate::form::{FormSpec, use_form};
use crate::links;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use shared::Field as FieldName;
use shared::peek::{Peek, StartPeekRequest};
use shared::roles::Operation;
use time::Duration;

const FORM_FIELDS: [FieldName; 4] = [
    FieldName::EventStartTime,
    FieldName::EventEndTime,
    FieldName::EventPattern,
    FieldName::MaxEvents,
];

/// How long to wait between reads while events may still come.
const POLL_MS: i32 = 1000;

#[component]
pub fn PeekPage() -> impl IntoView {
    let params = use_params_map();
    let archive = params.get_untracked().get("name").unwrap_or_default();
    let now = clock::now();
    // Archiving lags: the default window ends 10 minutes ago and spans 15.
    let end = RwSignal::new(Some(now - ARCHIVE_LAG));
    let start = RwSignal::new(Some(now - ARCHIVE_LAG - Duration::minutes(15)));
    let pattern = RwSignal::new(String::new());
    let max_events = RwSignal::new("200".to_owned());

    let peek = RwSignal::new(None::<Peek>);
    let events = RwSignal::new(Vec::<PeekedEvent>::new());
    let done = RwSignal::new(false);
    let read_error = RwSignal::new(None::<String>);
    let alive = StoredValue::new(true);

    let name = archive.clone();
    let form = use_form(FormSpec {
        fields: &FORM_FIELDS,
        operation: Operation::StartPeek,
        lead: "To peek",
        draft: move || {
            let body = StartPeekRequest {
                event_start_time: start
                    .get()
                    .map(shared::timestamp::format)
                    .unwrap_or_default(),
                event_end_time: end.get().map(shared::timestamp::format).unwrap_or_default(),
                event_pattern: Some(pattern.get()).filter(|p| !p.trim().is_empty()),
                max_events: max_events.get().trim().parse().ok().or(Some(0)),
            };
            let errors = body
                .validate(shared::peek::DEFAULT_MAX_MINUTES * 24)
                .err()
                .map(|e| (e.field, e.message))
                .into_iter()
                .collect();
            (body, errors)
        },
        send: move |body| api::start_peek(name.clone(), body),
        done: move |_: &StartPeekRequest, started: &Peek| {
            events.set(Vec::new());
            done.set(false);
            read_error.set(None);
            peek.set(Some(started.clone()));
            follow(
                started.peek_id.clone(),
                peek,
                events,
                done,
                read_error,
                alive,
            );
        },
    });
    form.touch(FieldName::EventStartTime);
    form.touch(FieldName::EventEndTime);
    let error_for = move |field: FieldName| form.error(field);

    // Leaving the page ends the peek: its rule and queue go at once.
    on_cleanup(move || {
        alive.set_value(false);
        if let Some(p) = peek.get_untracked() {
            end_peek(p.peek_id);
        }
    });
    let stop = move |_| {
        if let Some(p) = peek.get_untracked() {
            done.set(true);
            end_peek(p.peek_id);
        }
    };

    view! {
        // The page's lead first: the heading's archive name is not in the route's static
        // frame, and how its line wraps would move what follows it.
        <p class="lead banner">
            "A peek replays the window's events to a queue of Rewind's own, through a temporary rule: no rule of the bus sees them. EventBridge bills replayed events like published events, and a peek counts toward the 10 replays that may run at once."
        </p>
        <div class="page-head">
            <h1>"Peek into " {archive.clone()}</h1>
            <a class="button secondary" href=links::archive(&archive)>
                "Back to the archive"
            </a>
        </div>
        {move || {
            peek.get()
                .map(|p| {
                    view! {
                        <section class="card" aria-labelledby="peek-events-title">
                            <div class="preview-head">
                                <h2 id="peek-events-title">"Events"</h2>
                                <span class="muted" aria-live="polite">
                                    {move || {
                                        let n = events.with(Vec::len);
                                        if done.get() {
                                            format!("Done: {n} events.")
                                        } else {
                                            format!("{n} so far; the replay is running…")
                                        }
                                    }}
                                </span>
                                <button
                                    type="button"
                                    class="secondary small"
                                    on:click=stop
                                    disabled=move || done.get()
                                >
                                    "Stop"
                                </button>
                            </div>
                            <p class="hint">
                                {format!(
                                    "Replay {} — events reach an archive minutes after they were sent, so a recent window may be empty.",
                                    p.replay_name,
                                )}
                            </p>
                            <ErrorBanner message=read_error />
                            <PeekEventList events />
                        </section>
                    }
                })
        }}
        <form class="card" on:submit=form.on_submit() novalidate>
            <ErrorBanner message=form.banner() />
            <TimeWindow
                start
                end
                archive_created=Signal::derive(|| None)
                start_error=error_for(FieldName::EventStartTime)
                end_error=error_for(FieldName::EventEndTime)
            />
            <Field
                id="peek-pattern"
                label="Event pattern"
                hint="Optional: only matching events are shown."
                error=error_for(FieldName::EventPattern)
            >
                <div on:input=move |_| form.touch(FieldName::EventPattern)>
                    <JsonEditor
                        id="peek-pattern"
                        value=pattern
                        placeholder="{\"detail-type\": [\"OrderCreated\"]}"
                    />
                </div>
            </Field>
            <Field
                id="max-events"
                label="At most"
                hint="Events, 1 to 1000; the peek's replay is cancelled past it."
                error=error_for(FieldName::MaxEvents)
            >
                <input
                    id="max-events"
                    type="number"
                    min="1"
                    max="1000"
                    aria-describedby="max-events-error"
                    prop:value=move || max_events.get()
                    on:input=move |ev| {
                        max_events.set(event_target_value(&ev));
                        form.touch(FieldName::MaxEvents);
                    }
                />
            </Field>
            <SubmitRow
                blocked=form.blocked()
                pending=form.pending()
                label="Start peek"
                busy="Starting…"
            />
        </form>
    }
}

/// Reads the peek until it is done or the page is left, acknowledging each answer with
/// the next request and dropping events already shown (SQS may deliver one twice).
fn follow(
    id: String,
    peek: RwSignal<Option<Peek>>,
    events: RwSignal<Vec<PeekedEvent>>,
    done: RwSignal<bool>,
    read_error: RwSignal<Option<String>>,
    alive: StoredValue<bool>,
) {
    leptos::task::spawn_local(async move {
        let mut ack: Option<String> = None;
        while alive.try_get_value() == Some(true) && done.try_get_untracked() == Some(false) {
            match api::read_peek(id.clone(), ack.take()).await {
                Ok(answer) => {
                    read_error.try_set(None);
                    let more = answer.more;
                    events.try_update(|shown| {
                        for (i, event) in answer.events.iter().enumerate() {
                            let fresh = PeekedEvent::from_json(event, answer.sizes.get(i).copied());
                            if !shown.iter().any(|e| e.id == fresh.id) {
                                shown.push(fresh);
                            }
                        }
                    });
                    ack = answer.ack;
                    peek.try_set(Some(answer.peek));
                    if answer.done {
                        done.try_set(true);
                        end_peek(id);
                        return;
                    }
                    // The queue holds more than one answer carries (large events): at once.
                    if more {
                        continue;
                    }
                }
                // Kept: the events it carried come again, unacknowledged.
                Err(e) => {
                    read_error.try_set(Some(format!(
                        "Reading the peek failed, retrying: {}",
                        e.message
                    )));
                    if e.is_not_found() {
                        done.try_set(true);
                        return;
                    }
                }
            }
            pause(POLL_MS).await;
        }
    });
}

/// Ends a peek: its rule and queue go (a failure is left to the backend's sweep).
fn end_peek(id: String) {
    leptos::task::spawn_local(async move {
        let _ = api::stop_peek(id).await;
    });
}

/// Waits `ms` milliseconds.
async fn pause(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}
