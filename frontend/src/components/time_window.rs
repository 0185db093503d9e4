//! The replay window: start and end pickers, presets, UTC or local time.

use crate::clock;
use crate::format::{self, Zone};
use leptos::prelude::*;
use time::{Duration, OffsetDateTime};

/// How far behind "now" a replay window ends by default: archiving lags by minutes.
pub const ARCHIVE_LAG: Duration = Duration::minutes(10);

/// Start and end pickers with presets and a UTC / local toggle. The instants are the
/// source of truth; the inputs show them in the chosen zone.
#[component]
pub fn TimeWindow(
    start: RwSignal<Option<OffsetDateTime>>,
    end: RwSignal<Option<OffsetDateTime>>,
    zone: RwSignal<Zone>,
    #[prop(into)] archive_created: Signal<Option<OffsetDateTime>>,
    #[prop(into)] start_error: Signal<Option<String>>,
    #[prop(into)] end_error: Signal<Option<String>>,
) -> impl IntoView {
    let preset = move |span: Option<Duration>| {
        let now = clock::now();
        let to = now - ARCHIVE_LAG;
        let from = match span {
            Some(span) => to - span,
            None => archive_created
                .get_untracked()
                .unwrap_or(to - Duration::hours(1)),
        };
        // An archive younger than the lag: its whole life is up to now.
        let to = if from >= to { now } else { to };
        start.set(Some(from));
        end.set(Some(to));
    };
    let shown = move |t: Option<OffsetDateTime>| {
        t.map(|t| format::input_value(t, zone.get()))
            .unwrap_or_default()
    };
    let read = move |value: String| format::parse_input(&value, zone.get_untracked());
    view! {
        <fieldset class="time-window">
            <legend>"Time window (event time)"</legend>
            <div class="presets" role="group" aria-label="Presets">
                <button
                    type="button"
                    class="secondary"
                    on:click=move |_| preset(Some(Duration::minutes(15)))
                >
                    "Last 15 min"
                </button>
                <button
                    type="button"
                    class="secondary"
                    on:click=move |_| preset(Some(Duration::hours(1)))
                >
                    "Last hour"
                </button>
                <button
                    type="button"
                    class="secondary"
                    on:click=move |_| preset(Some(Duration::hours(24)))
                >
                    "Last 24 h"
                </button>
                <button
                    type="button"
                    class="secondary"
                    on:click=move |_| preset(None)
                    disabled=move || archive_created.get().is_none()
                >
                    "Archive's whole life"
                </button>
                <label class="zone">
                    <input
                        type="checkbox"
                        prop:checked=move || zone.get() == Zone::Utc
                        on:change=move |ev| {
                            zone.set(
                                if event_target_checked(&ev) {
                                    Zone::Utc
                                } else {
                                    Zone::Local(clock::local_offset())
                                },
                            )
                        }
                    />
                    " Times in UTC"
                </label>
            </div>
            <div class="row">
                <div class="field" class:invalid=move || start_error.get().is_some()>
                    <label for="start-time">"Start time"</label>
                    <input
                        id="start-time"
                        type="datetime-local"
                        aria-describedby="start-time-error"
                        prop:value=move || shown(start.get())
                        on:change=move |ev| start.set(read(event_target_value(&ev)))
                    />
                    <p class="hint">{move || format!("In {}", zone.get().label())}</p>
                    <p class="field-error" id="start-time-error">
                        {move || start_error.get()}
                    </p>
                </div>
                <div class="field" class:invalid=move || end_error.get().is_some()>
                    <label for="end-time">"End time"</label>
                    <input
                        id="end-time"
                        type="datetime-local"
                        aria-describedby="end-time-error"
                        prop:value=move || shown(end.get())
                        on:change=move |ev| end.set(read(event_target_value(&ev)))
                    />
                    <p class="hint">
                        "Events reach an archive minutes after they are sent, so the default ends 10 minutes ago."
                    </p>
                    <p class="field-error" id="end-time-error">
                        {move || end_error.get()}
                    </p>
                </div>
            </div>
            <p class="hint">
                {move || match (start.get(), end.get()) {
                    (Some(s), Some(e)) if s < e => {
                        format!("Replays {} of events.", format::duration(e - s))
                    }
                    _ => String::new(),
                }}
                {move || {
                    (start.get().is_some() && start.get() == archive_created.get())
                        .then_some(
                            " The window starts when the archive was created: it holds no earlier events.",
                        )
                }}
            </p>
        </fieldset>
    }
}
