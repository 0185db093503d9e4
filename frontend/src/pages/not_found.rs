//! The page for a path the console does not know.

use leptos::prelude::*;

#[component]
pub fn NotFoundPage() -> impl IntoView {
    view! {
        <h1>"Page not found"</h1>
        <p>
            "There is nothing at this address. Go to " <a href="/archives">"Archives"</a> " or "
            <a href="/replays">"Replays"</a> "."
        </p>
    }
}
