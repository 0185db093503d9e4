//! How long an archive keeps events: indefinitely, or a number of days.

use leptos::prelude::*;

/// "Keep indefinitely" or "Keep for N days", as one field named "Retention (days)".
#[component]
pub fn RetentionInput(
    indefinite: RwSignal<bool>,
    days: RwSignal<String>,
    #[prop(into)] error: Signal<Option<String>>,
) -> impl IntoView {
    view! {
        <fieldset class="field" class:invalid=move || error.get().is_some()>
            <legend>"Retention"</legend>
            <label class="choice">
                <input
                    type="radio"
                    name="retention"
                    prop:checked=move || indefinite.get()
                    on:change=move |_| indefinite.set(true)
                />
                " Keep events indefinitely"
            </label>
            <label class="choice">
                <input
                    type="radio"
                    name="retention"
                    prop:checked=move || !indefinite.get()
                    on:change=move |_| indefinite.set(false)
                />
                " Keep events for a number of days"
            </label>
            <label for="retention-days">"Retention (days)"</label>
            <input
                id="retention-days"
                type="number"
                min="1"
                step="1"
                inputmode="numeric"
                aria-describedby="retention-days-error"
                class:muted=move || indefinite.get()
                prop:value=move || days.get()
                on:input=move |ev| {
                    days.set(event_target_value(&ev));
                    indefinite.set(false);
                }
            />
            <p class="field-error" id="retention-days-error">
                {move || error.get()}
            </p>
        </fieldset>
    }
}
