//! "Pace this replay": slice length and gap, and what they make of the window.

use crate::components::field::Field;
use crate::format;
use leptos::prelude::*;
use time::{Duration, OffsetDateTime};

/// "Pace this replay": slice length and gap, and what they make of the window.
#[component]
pub fn PacingChoice(
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
