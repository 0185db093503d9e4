//! A destructive action's button — cancel a replay or a job, delete an archive — and the
//! typed-name confirmation behind it: disabled, saying why, for a role that may not.

use crate::api;
use crate::components::confirm_dialog::ConfirmDialog;
use crate::current_user::refusal;
use leptos::prelude::*;
use shared::roles::Operation;

/// What the action destroys and how.
pub struct Destructive {
    /// The action: the call made (on the name, without a body), and what the caller's
    /// role must allow.
    pub action: Operation,
    /// The button's and the dialog's label: "Cancel replay", "Delete archive".
    pub label: &'static str,
    /// The dialog's title: "Cancel replay orders-fix?".
    pub title: String,
    /// What it does and does not undo.
    pub consequence: &'static str,
}

#[component]
pub fn DestructiveButton(
    /// The name to type, and what it is done to.
    name: String,
    how: Destructive,
    /// Run once it is done.
    on_done: Callback<()>,
) -> impl IntoView {
    let Destructive {
        action,
        label,
        title,
        consequence,
    } = how;
    let asking = RwSignal::new(false);
    let refused = refusal(action);
    let act = Action::new_local(move |name: &String| api::act_on(action, name.clone()));
    Effect::new(move |_| {
        if let Some(Ok(_)) = act.value().get() {
            asking.set(false);
            on_done.run(());
        }
    });
    let error = Signal::derive(move || act.value().get().and_then(Result::err).map(|e| e.message));
    let confirmed = name.clone();
    view! {
        <button
            type="button"
            class="danger"
            on:click=move |_| asking.set(true)
            disabled=move || refused.get().is_some()
            title=move || refused.get()
        >
            {label}
        </button>
        <Show when=move || asking.get()>
            <ConfirmDialog
                title=title.clone()
                name=name.clone()
                consequence
                confirm_label=label
                pending=act.pending()
                error
                on_confirm=Callback::new({
                    let confirmed = confirmed.clone();
                    move |_| {
                        act.dispatch(confirmed.clone());
                    }
                })
                on_cancel=Callback::new(move |_| asking.set(false))
            />
        </Show>
    }
}
