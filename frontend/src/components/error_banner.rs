//! The `role="alert"` banner for an error that belongs to no field.

use leptos::prelude::*;

/// A `role="alert"` banner; nothing when there is no message.
#[component]
pub fn ErrorBanner(#[prop(into)] message: Signal<Option<String>>) -> impl IntoView {
    move || {
        message.get().map(|m| {
            view! {
                <div class="banner error" role="alert">
                    <strong>"Something went wrong. "</strong>
                    {m}
                </div>
            }
        })
    }
}
