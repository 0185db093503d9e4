//! A `<select>` over a list that loads: what shows while it loads, when it is empty and
//! when it fails, for the forms' archive and bus pickers.

use crate::api::ApiError;
use crate::components::error_banner::ErrorBanner;
use crate::components::loading::Loading;
use leptos::prelude::*;

/// A picker's options, (value, text) each, once loaded (None while they load).
pub type Options = Option<Result<Vec<(String, String)>, ApiError>>;

/// `options` are (value, text), None while they load; `selected` is a value.
#[component]
pub fn Picker(
    id: &'static str,
    /// What the options are, in sentences: "archives".
    what: &'static str,
    #[prop(into)] options: Signal<Options>,
    #[prop(into)] selected: Signal<String>,
    on_pick: Callback<String>,
    /// The first, empty option ("Choose an archive…"), if none need be chosen at first.
    #[prop(optional)]
    prompt: Option<&'static str>,
    /// What an empty list says instead of a select.
    #[prop(optional, into)]
    empty: Option<ViewFn>,
) -> impl IntoView {
    let option = move |(value, text): (String, String)| {
        let this = value.clone();
        view! {
            <option value=value selected=move || selected.get() == this>
                {text}
            </option>
        }
    };
    let choices = move |list: Vec<(String, String)>| match (&empty, list.is_empty()) {
        (Some(empty), true) => empty.run(),
        _ => view! {
            <select
                id=id
                prop:value=move || selected.get()
                on:change=move |ev| on_pick.run(event_target_value(&ev))
            >
                {prompt.map(|p| view! { <option value="">{p}</option> })}
                {list.into_iter().map(option).collect_view()}
            </select>
        }
        .into_any(),
    };
    view! {
        <Transition fallback=move || {
            view! { <Loading what /> }
        }>
            {move || {
                options
                    .get()
                    .map(|result| match result {
                        Ok(list) => choices(list),
                        Err(e) => {
                            let message = format!("The {what} could not be loaded: {}", e.message);
                            view! { <ErrorBanner message=Some(message) /> }.into_any()
                        }
                    })
            }}
        </Transition>
    }
}
