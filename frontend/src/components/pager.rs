use leptos::prelude::*;

/// "Previous page" / "Next page" over EventBridge's `nextToken`s.
#[component]
pub fn Pager(
    #[prop(into)] has_previous: Signal<bool>,
    #[prop(into)] has_next: Signal<bool>,
    on_previous: Callback<()>,
    on_next: Callback<()>,
) -> impl IntoView {
    // One page only: nothing to page through.
    view! {
        <Show when=move || has_previous.get() || has_next.get()>
            <nav class="pager" aria-label="Pages">
                <button type="button" class="secondary" disabled=move || !has_previous.get() on:click=move |_| on_previous.run(())>
                    "Previous page"
                </button>
                <button type="button" class="secondary" disabled=move || !has_next.get() on:click=move |_| on_next.run(())>
                    "Next page"
                </button>
            </nav>
        </Show>
    }
}
