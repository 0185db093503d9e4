//! The modal frame every dialog of the console uses: a backdrop, Escape to close, and a
//! labelled `role="dialog"`.

use leptos::prelude::*;

/// A modal dialog titled `title`; Escape runs `on_cancel`. `wide` for side-by-side
/// content.
#[component]
pub fn Modal(
    /// The heading's id, which labels the dialog.
    title_id: &'static str,
    title: AnyView,
    #[prop(optional)] wide: bool,
    on_cancel: Callback<()>,
    children: Children,
) -> impl IntoView {
    view! {
        <div
            class="backdrop"
            on:keydown=move |ev| {
                if ev.key() == "Escape" {
                    on_cancel.run(())
                }
            }
        >
            <div
                class=if wide { "dialog wide" } else { "dialog" }
                role="dialog"
                aria-modal="true"
                aria-labelledby=title_id
            >
                <h2 id=title_id>{title}</h2>
                {children()}
            </div>
        </div>
    }
}

/// A dialog's error, announced: nothing when there is none.
pub fn dialog_error(message: Signal<Option<String>>) -> impl IntoView {
    move || {
        message.get().map(|e| {
            view! {
                <p class="banner error" role="alert">
                    {e}
                </p>
            }
        })
    }
}
