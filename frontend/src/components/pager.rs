//! Previous / Next page over EventBridge's page tokens.

use crate::list_state::ListState;
use leptos::prelude::*;

/// "Previous page" / "Next page" over EventBridge's `nextToken`s, for a list page.
#[component]
pub fn Pager(list: ListState, #[prop(into)] next_token: Signal<Option<String>>) -> impl IntoView {
    let has_previous = list.has_previous();
    let has_next = move || next_token.get().is_some();
    let next = move |_| {
        if let Some(token) = next_token.get_untracked() {
            list.next(token);
        }
    };
    // One page only: nothing to page through.
    view! {
        <Show when=move || has_previous.get() || has_next()>
            <nav class="pager" aria-label="Pages">
                <button
                    type="button"
                    class="secondary"
                    disabled=move || !has_previous.get()
                    on:click=move |_| list.previous()
                >
                    "Previous page"
                </button>
                <button type="button" class="secondary" disabled=move || !has_next() on:click=next>
                    "Next page"
                </button>
            </nav>
        </Show>
    }
}
