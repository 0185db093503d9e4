//! The frame the console starts in: the header with its navigation, and a main area
//! saying what loads. `index.html` paints the same frame (its app shell) before the wasm
//! arrives, so taking over changes nothing on screen.

use crate::components::loading::Loading;
use crate::components::masthead::Masthead;
use leptos::prelude::*;

/// The header and an empty main area while `what` loads.
#[component]
pub fn Frame(#[prop(into)] what: String) -> impl IntoView {
    let here = crate::IN_BROWSER
        .then(web_sys::window)
        .flatten()
        .and_then(|w| w.location().pathname().ok())
        .unwrap_or_default();
    let link = move |href: &'static str, text: &'static str| {
        let current = match href {
            "/custom-buses" => crate::links::in_custom_buses(&here),
            _ => here.starts_with(href),
        }
        .then_some("page");
        view! {
            <a href=href aria-current=current>
                {text}
            </a>
        }
    };
    view! {
        <Masthead nav=view! {
            {link("/archives", "Archives")}
            {link("/replays", "Replays")}
            {link("/jobs", "Jobs")}
            {link("/custom-buses", "Custom buses")}
        }
            .into_any() />
        <main id="main">
            <Loading what />
        </main>
    }
}
