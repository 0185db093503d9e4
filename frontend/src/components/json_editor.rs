//! A textarea for an event pattern, validated as it is typed, with a Format button.

use leptos::prelude::*;

/// A textarea for JSON with a "Format" button that re-indents valid JSON.
#[component]
pub fn JsonEditor(
    #[prop(into)] id: String,
    value: RwSignal<String>,
    #[prop(optional, into)] placeholder: Option<String>,
) -> impl IntoView {
    let format = move |_| {
        if let Ok(json) = serde_json::from_str::<serde_json::Value>(&value.get_untracked())
            && let Ok(pretty) = serde_json::to_string_pretty(&json)
        {
            value.set(pretty);
        }
    };
    let can_format = move || serde_json::from_str::<serde_json::Value>(&value.get()).is_ok();
    view! {
        <div class="json-editor">
            <textarea
                id=id.clone()
                rows="8"
                spellcheck="false"
                aria-describedby=format!("{id}-error")
                placeholder=placeholder.unwrap_or_default()
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
            ></textarea>
            <button type="button" class="secondary" on:click=format disabled=move || !can_format()>
                "Format"
            </button>
        </div>
    }
}
