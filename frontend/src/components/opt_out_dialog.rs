//! The dialog that shows a rule's pattern before and after the replay opt-out, and
//! writes it only when confirmed.

use crate::api;
use crate::components::modal::{Modal, dialog_error};
use leptos::html;
use leptos::prelude::*;
use shared::preview::PreviewRule;
use shared::validation::EventPattern;

#[component]
pub fn OptOutDialog(
    /// The bus's name.
    bus: String,
    rule: PreviewRule,
    on_done: Callback<()>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let pattern = rule
        .event_pattern
        .as_deref()
        .and_then(|p| EventPattern::parse(p).ok());
    let before = pattern
        .as_ref()
        .map(EventPattern::pretty)
        .unwrap_or_default();
    // The same rewrite the server makes, from the same code.
    let after = pattern
        .and_then(|p| p.with_replay_opt_out().ok().flatten())
        .map(|p| p.pretty())
        .unwrap_or_default();
    let name = rule.name.clone();
    let write = Action::new_local(move |(): &()| {
        let (bus, name) = (bus.clone(), name.clone());
        async move {
            let written = api::opt_rule_out_of_replays(bus, name).await;
            if written.is_ok() {
                on_done.run(());
            }
            written
        }
    });
    let error = move || write.value().get().and_then(Result::err).map(|e| e.message);
    let confirm = NodeRef::<html::Button>::new();
    Effect::new(move |_| {
        if let Some(button) = confirm.get() {
            let _ = button.focus();
        }
    });
    let title = view! {
        "Opt "
        {rule.name.clone()}
        " out of replays?"
    }
    .into_any();
    view! {
        <Modal title_id="opt-out-title" title wide=true on_cancel>
            <p>
                "Its pattern gains one key, so that no replay reaches its targets again. Its other keys, state, description, role and targets stay as they are; live events match as before."
            </p>
            <div class="pattern-diff">
                <div>
                    <span class="label">"Now"</span>
                    <pre class="pattern">{before}</pre>
                </div>
                <div>
                    <span class="label">"After"</span>
                    <pre class="pattern" id="opt-out-pattern">
                        {after}
                    </pre>
                </div>
            </div>
            {dialog_error(Signal::derive(error))}
            <div class="actions">
                <button type="button" class="secondary" on:click=move |_| on_cancel.run(())>
                    "Keep it as it is"
                </button>
                <button
                    type="button"
                    node_ref=confirm
                    id="confirm-opt-out"
                    disabled=move || write.pending().get()
                    on:click=move |_| {
                        write.dispatch(());
                    }
                >
                    {move || {
                        if write.pending().get() { "Writing…" } else { "Opt out of replays" }
                    }}
                </button>
            </div>
        </Modal>
    }
}
