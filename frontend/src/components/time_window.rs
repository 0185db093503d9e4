//! The replay window: start and end pickers, presets, UTC or local time; inside what the
//! source holds (an archive's life, a Custom Event Bus's retention).

use crate::clock;
use crate::format::{self, Zone};
use leptos::prelude::*;
use time::{Duration, OffsetDateTime};

/// How far behind "now" a replay window ends by default: archiving lags by minutes.
pub const ARCHIVE_LAG: Duration = Duration::minutes(10);

/// The window's start and end, as typed (None: not a time yet).
pub type Window = (
    RwSignal<Option<OffsetDateTime>>,
    RwSignal<Option<OffsetDateTime>>,
);

/// What bounds the window's start, and so what the presets and hints say.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Earliest {
    /// An archive holds nothing from before it was created; archiving lags by minutes.
    #[default]
    ArchiveCreated,
    /// A Custom Event Bus keeps each event as it arrives, for its retention period.
    BusRetention,
}

impl Earliest {
    /// How far behind "now" the presets end.
    pub fn lag(self) -> Duration {
        match self {
            Earliest::ArchiveCreated => ARCHIVE_LAG,
            Earliest::BusRetention => Duration::minutes(1),
        }
    }

    /// The window of the hour that ends a lag ago.
    pub fn last_hour(self) -> Window {
        let end = clock::now() - self.lag();
        (
            RwSignal::new(Some(end - Duration::hours(1))),
            RwSignal::new(Some(end)),
        )
    }

    /// (the preset for all of it, the note when the window starts there, the end's hint)
    fn words(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Earliest::ArchiveCreated => (
                "Archive's whole life",
                " The window starts when the archive was created: it holds no earlier events.",
                "Events reach an archive minutes after they are sent, so the default ends 10 minutes ago.",
            ),
            Earliest::BusRetention => (
                "Everything kept",
                " The window starts as early as the bus allows: it keeps no older events.",
                "The bus keeps each event as it arrives; the presets end a minute ago.",
            ),
        }
    }
}

/// A source that holds nothing from before `earliest`: a window that starts earlier
/// starts there instead (and, if that empties it, ends now).
pub fn start_within(earliest: OffsetDateTime, window: Window) {
    let (start, end) = window;
    if start.get_untracked().is_some_and(|s| s < earliest) {
        start.set(Some(earliest));
        let now = clock::now();
        if end.get_untracked().is_none_or(|e| e <= earliest) && now > earliest {
            end.set(Some(now));
        }
    }
}

/// Start and end as ISO 8601 text (`2026-12-06T06:35:00`, 24-hour, with seconds — never a
/// browser's locale picker, which shows `12/06/2026, 06:35 AM`), presets named for what
/// they do, UTC by default with the other zone's time beside each. The instants are the
/// source of truth; what is typed and does not read as a time stays in its field.
#[component]
pub fn TimeWindow(
    start: RwSignal<Option<OffsetDateTime>>,
    end: RwSignal<Option<OffsetDateTime>>,
    /// The earliest start: when the archive was created, or (`earliest`) the oldest
    /// event the bus keeps.
    #[prop(into)]
    archive_created: Signal<Option<OffsetDateTime>>,
    #[prop(into)] start_error: Signal<Option<String>>,
    #[prop(into)] end_error: Signal<Option<String>>,
    #[prop(optional)] earliest: Earliest,
) -> impl IntoView {
    let zone = RwSignal::new(Zone::Utc);
    let (whole, starts_there, end_hint) = earliest.words();
    // What was typed that does not read as a time (kept, so nothing typed is lost).
    let typed = (RwSignal::new(None::<String>), RwSignal::new(None::<String>));
    let preset = move |span: Option<Duration>| {
        let now = clock::now();
        let to = now - earliest.lag();
        let from = match span {
            Some(span) => to - span,
            None => archive_created
                .get_untracked()
                .unwrap_or(to - Duration::hours(1)),
        };
        // An archive younger than the lag: its whole life is up to now.
        let to = if from >= to { now } else { to };
        typed.0.set(None);
        typed.1.set(None);
        start.set(Some(from));
        end.set(Some(to));
    };
    let lag = format!("{} min", earliest.lag().whole_minutes());
    view! {
        <fieldset class="time-window">
            <legend>"Time window (event time)"</legend>
            <div class="presets" role="group" aria-label="Presets">
                {[
                    (Duration::minutes(15), "15 min"),
                    (Duration::hours(1), "1 h"),
                    (Duration::hours(24), "24 h"),
                ]
                    .map(|(length, span)| {
                        view! {
                            <button
                                type="button"
                                class="secondary"
                                on:click=move |_| preset(Some(length))
                            >
                                {format!("{span} ending {lag} ago")}
                            </button>
                        }
                    })}
                <button
                    type="button"
                    class="secondary"
                    on:click=move |_| preset(None)
                    disabled=move || archive_created.get().is_none()
                >
                    {whole}
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
                <TimeField
                    id="start-time"
                    label="Start time"
                    at=start
                    typed=typed.0
                    zone
                    error=start_error
                />
                <TimeField
                    id="end-time"
                    label="End time"
                    at=end
                    typed=typed.1
                    zone
                    error=end_error
                    hint=end_hint
                />
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
                        .then_some(starts_there)
                }}
            </p>
        </fieldset>
    }
}

/// One time of the window: ISO 8601 text in `zone`, the same instant in the other zone
/// beside it.
#[component]
fn TimeField(
    id: &'static str,
    label: &'static str,
    at: RwSignal<Option<OffsetDateTime>>,
    typed: RwSignal<Option<String>>,
    zone: RwSignal<Zone>,
    error: Signal<Option<String>>,
    #[prop(optional)] hint: &'static str,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    let shown = move || {
        typed.get().unwrap_or_else(|| {
            at.get()
                .map(|t| format::iso_input(t, zone.get()))
                .unwrap_or_default()
        })
    };
    let beside = move || {
        // A static frame (prerender) says the format, not the build machine's clock.
        let Some(t) = at.get().filter(|_| crate::IN_BROWSER) else {
            return format!("YYYY-MM-DDTHH:MM:SS, 24-hour, in {}", zone.get().label());
        };
        let other = match zone.get() {
            Zone::Utc => Zone::Local(clock::local_offset()),
            Zone::Local(_) => Zone::Utc,
        };
        format!(
            "In {} · {} {}",
            zone.get().label(),
            format::iso_input(t, other),
            other.label()
        )
    };
    view! {
        <div class="field" class:invalid=move || error.get().is_some()>
            <label for=id>{label}</label>
            <input
                id=id
                type="text"
                autocomplete="off"
                spellcheck="false"
                placeholder="2026-12-06T06:35:00"
                aria-describedby=error_id.clone()
                prop:value=shown
                on:change=move |ev| {
                    let value = event_target_value(&ev);
                    match format::parse_input(&value, zone.get_untracked()) {
                        Some(t) => {
                            typed.set(None);
                            at.set(Some(t));
                        }
                        None => {
                            typed.set(Some(value));
                            at.set(None);
                        }
                    }
                }
            />
            <p class="hint">{beside}</p>
            {(!hint.is_empty()).then(|| view! { <p class="hint">{hint}</p> })}
            <p class="field-error" id=error_id>
                {move || error.get()}
            </p>
        </div>
    }
}
