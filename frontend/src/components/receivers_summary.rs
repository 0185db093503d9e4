//! Beside the Start button: how many rules and targets the replay will reach.

use crate::format;
use crate::replay_preview::PreviewState;
use leptos::prelude::*;

#[component]
pub fn ReceiversSummary(state: PreviewState) -> impl IntoView {
    view! {
        <p class="receivers" id="receivers" aria-live="polite">
            {move || {
                if state.waiting.with(Option::is_some) {
                    return None;
                }
                Some(
                    match state.answer.get() {
                        _ if state.loading.get() => "Checking who receives it…".to_owned(),
                        Some(Ok(p)) if p.receiving_rules == 0 => {
                            "No rule will receive these events.".to_owned()
                        }
                        Some(Ok(p)) => {
                            format!(
                                "Will reach {} and {}.",
                                format::quantity(p.receiving_rules, "rule", "rules"),
                                format::quantity(p.receiving_targets, "target", "targets"),
                            )
                        }
                        Some(Err(_)) => {
                            "Who receives it could not be checked; see the preview.".to_owned()
                        }
                        None => String::new(),
                    },
                )
            }}
        </p>
    }
}
