//! A modal dialog that asks for the resource's name to be typed before a destructive action.

use crate::components::modal::{Modal, dialog_error};
use leptos::html;
use leptos::prelude::*;

/// Confirms a destructive action by asking for the resource's name to be typed.
/// Escape or "Keep it" closes it; the action button stays disabled until the name matches.
#[component]
pub fn ConfirmDialog(
    #[prop(into)] title: String,
    #[prop(into)] name: String,
    #[prop(into)] consequence: String,
    confirm_label: &'static str,
    #[prop(into)] pending: Signal<bool>,
    #[prop(into)] error: Signal<Option<String>>,
    on_confirm: Callback<()>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let typed = RwSignal::new(String::new());
    let input = NodeRef::<html::Input>::new();
    Effect::new(move |_| {
        if let Some(el) = input.get() {
            let _ = el.focus();
        }
    });
    let expected = StoredValue::new(name.clone());
    let matches = move || expected.with_value(|e| typed.get() == *e);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if matches() && !pending.get_untracked() {
            on_confirm.run(());
        }
    };
    view! {
        <Modal title_id="dialog-title" title=title.into_any() on_cancel>
            <p>{consequence}</p>
            <form on:submit=submit>
                <label for="confirm-name">"Type " <code>{name.clone()}</code> " to confirm"</label>
                <input
                    id="confirm-name"
                    node_ref=input
                    autocomplete="off"
                    spellcheck="false"
                    prop:value=move || typed.get()
                    on:input=move |ev| typed.set(event_target_value(&ev))
                />
                {dialog_error(error)}
                <div class="actions">
                    <button type="button" class="secondary" on:click=move |_| on_cancel.run(())>
                        "Keep it"
                    </button>
                    <button
                        type="submit"
                        class="danger"
                        disabled=move || !matches() || pending.get()
                    >
                        {move || if pending.get() { "Working…" } else { confirm_label }}
                    </button>
                </div>
            </form>
        </Modal>
    }
}
