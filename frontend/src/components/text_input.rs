//! A form's one-line text input: bound to its value, tied to its field's error, and
//! telling the form what was typed.

use leptos::prelude::*;

/// An `<input>` showing `value`; each keystroke runs `on_input` with the new text. Its
/// error is the `Field`'s (`{id}-error`).
#[component]
pub fn TextInput(
    id: &'static str,
    #[prop(into)] value: Signal<String>,
    on_input: Callback<String>,
    /// A `<datalist>` of suggestions.
    #[prop(optional)]
    list: Option<&'static str>,
) -> impl IntoView {
    view! {
        <input
            id=id
            list=list
            autocomplete="off"
            spellcheck="false"
            aria-describedby=format!("{id}-error")
            prop:value=move || value.get()
            on:input=move |ev| on_input.run(event_target_value(&ev))
        />
    }
}
