//! A form's last row: its submit button (disabled while blocked or sending), the way out,
//! and why it cannot be sent yet.

use leptos::prelude::*;

#[component]
pub fn SubmitRow(
    /// Why it cannot be sent yet (`Form::blocked`).
    blocked: Signal<Option<String>>,
    /// Whether it is on its way (`Form::pending`).
    pending: Signal<bool>,
    /// The submit button's label.
    #[prop(into)]
    label: Signal<&'static str>,
    /// Its label while the request is on its way: "Creating…".
    busy: &'static str,
    /// The way out (a link back, a "Cancel" button), if any.
    #[prop(optional)]
    children: Option<Children>,
) -> impl IntoView {
    view! {
        <div class="actions">
            <button type="submit" disabled=move || blocked.get().is_some() || pending.get()>
                {move || if pending.get() { busy } else { label.get() }}
            </button>
            {children.map(|out| out())}
            <span class="why" aria-live="polite">
                {blocked}
            </span>
        </div>
    }
}
