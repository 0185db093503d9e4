//! The frame the console starts in: the header with its navigation, and a main area
//! saying what loads. `index.html` paints the same frame (its app shell) before the wasm
//! arrives, so taking over changes nothing on screen.

use crate::components::loading::Loading;
use leptos::prelude::*;

/// The header and an empty main area while `what` loads.
#[component]
pub fn Frame(#[prop(into)] what: String) -> impl IntoView {
    let here = web_sys::window()
        .and_then(|w| w.location().pathname().ok())
        .unwrap_or_default();
    let link = move |href: &'static str, text: &'static str| {
        let current = here.starts_with(href).then_some("page");
        view! {
            <a href=href aria-current=current>
                {text}
            </a>
        }
    };
    view! {
        <a class="skip" href="#main">
            "Skip to content"
        </a>
        <header class="top">
            <a class="brand" href="/archives">
                "Rewind"
            </a>
            <nav aria-label="Main">
                {link("/archives", "Archives")} {link("/replays", "Replays")}
                {link("/jobs", "Jobs")}
            </nav>
            <div class="user"></div>
        </header>
        <main id="main">
            <Loading what />
        </main>
    }
}
