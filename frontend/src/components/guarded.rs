//! Links and buttons guarded by what the signed-in user may do (`crate::current_user`):
//! what would be refused is disabled, saying why.

use crate::current_user::{CurrentUser, refusal};
use leptos::prelude::*;
use shared::roles::Operation;

/// A button-styled link to a form, or a disabled button saying why not.
#[component]
pub fn GuardedLink(
    action: Operation,
    #[prop(into)] href: String,
    label: &'static str,
    #[prop(optional)] class: &'static str,
) -> impl IntoView {
    let why = refusal(action);
    move || match why.get() {
        None => view! {
            <a class=format!("button {class}") href=href.clone()>
                {label}
            </a>
        }
        .into_any(),
        Some(reason) => view! {
            <button type="button" class=class disabled title=reason.clone()>
                {label}
            </button>
        }
        .into_any(),
    }
}

/// The reason, as visible text, when the user's role does not allow `action`.
#[component]
pub fn RoleNote(action: Operation) -> impl IntoView {
    let why = refusal(action);
    move || {
        why.get()
            .map(|reason| view! { <p class="note role-note">{reason}</p> })
    }
}

/// For a team member, which buses they act on ("your teams: payments — buses
/// payments-*, orders"): why a list or picker may be empty.
pub fn team_note() -> Signal<Option<String>> {
    let me = use_context::<CurrentUser>();
    Signal::derive(move || {
        me.and_then(|m| m.get())
            .filter(|m| m.scope == shared::roles::ScopeKind::Teams)
            .map(|m| {
                let teams: Vec<String> = m
                    .teams
                    .iter()
                    .map(|t| format!("{} — buses {}", t.name, t.event_buses.join(", ")))
                    .collect();
                match teams.is_empty() {
                    true => {
                        "you are in no team; ask an admin to add you to a team's group".to_owned()
                    }
                    false => format!("your teams: {}", teams.join("; ")),
                }
            })
    })
}
