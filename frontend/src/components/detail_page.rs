//! The skeleton every detail page shares: the thing named in the URL fetched (its
//! request aborted when the page is left), refreshed every 2 s while it can still change
//! by itself, and what shows while it loads, when it does not exist and when it fails.

use crate::api::ApiError;
use crate::components::error_banner::ErrorBanner;
use crate::components::loading::Loading;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use std::future::Future;
use std::time::Duration;

/// How often a page whose subject is in progress is refreshed.
const REFRESH: Duration = Duration::from_secs(2);

/// What a detail page shows: what it is called, the way back to its list, and whether
/// it can still change by itself.
pub trait Subject: Clone + 'static {
    /// In sentences: "replay job".
    const WHAT: &'static str;
    /// Its list page ("Back to replay jobs").
    const LIST: &'static str;
    /// Said after "There is no … named x.": why it may be gone.
    const GONE: &'static str = "";
    /// Its plural, where an added "s" does not make it ("Custom Event Buses").
    const PLURAL: Option<&'static str> = None;
    /// What it is and what the page does with it: the page's lead, shown before the
    /// data arrives (the route's static frame holds it) and kept above it, so that the
    /// data arriving moves nothing above it.
    const ABOUT: &'static str;

    /// Whether it can still change by itself: the page refreshes every 2 s until not.
    fn in_progress(&self) -> bool {
        false
    }
}

#[component]
pub fn DetailPage<T, Fut>(
    /// The thing named in the URL's `name`.
    fetch: fn(String) -> Fut,
    /// Its page; the callback fetches it again (after a change the page made).
    detail: fn(T, Callback<()>) -> AnyView,
) -> impl IntoView
where
    T: Subject,
    Fut: Future<Output = Result<T, ApiError>> + 'static,
{
    let params = use_params_map();
    let name = Memo::new(move |_| params.get().get("name").unwrap_or_default());
    let subject = LocalResource::new(move || fetch(name.get()));
    // Stop refreshing once it has ended, and when the page is left (the pending timer
    // is cleared with the effect).
    Effect::new(move |_| {
        if let Some(Ok(found)) = subject.get()
            && found.in_progress()
            && let Ok(timer) = set_timeout_with_handle(move || subject.refetch(), REFRESH)
        {
            on_cleanup(move || timer.clear());
        }
    });
    let (what, gone, back) = (T::WHAT, T::GONE, T::LIST);
    let back_label = format!(
        "Back to {}",
        T::PLURAL.map_or_else(|| format!("{what}s"), str::to_owned)
    );
    view! {
        <p class="lead">{T::ABOUT}</p>
        <Transition fallback=move || {
            view! { <Loading what=format!("the {what}") /> }
        }>
            {move || {
                subject
                    .get()
                    .map(|result| match result {
                        Ok(found) => detail(found, Callback::new(move |_| subject.refetch())),
                        Err(e) => {
                            let message = if e.is_not_found() {
                                format!("There is no {what} named {}.{gone}", name.get())
                            } else {
                                e.message
                            };
                            view! {
                                <h1>{name.get()}</h1>
                                <ErrorBanner message=Some(message) />
                                <a href=back>{back_label.clone()}</a>
                            }
                                .into_any()
                        }
                    })
            }}
        </Transition>
    }
}
