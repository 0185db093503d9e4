//! What an empty table says, and what to do about it.

use crate::components::guarded::{GuardedLink, team_note};
use leptos::prelude::*;
use shared::roles::Operation;

/// What a list shows with no rows: that the filter matched nothing, or what the thing
/// is and how to make the first one.
#[component]
pub fn EmptyList(
    #[prop(into)] filtered: Signal<bool>,
    what: &'static str,
    explain: &'static str,
    action: Operation,
    #[prop(into)] href: String,
    label: &'static str,
    /// Only what the list holds is said, no action offered.
    #[prop(optional)]
    no_invite: bool,
) -> impl IntoView {
    view! {
        <div class="empty">
            {move || {
                if filtered.get() {
                    view! { <p>{format!("No {what} match this filter.")}</p> }.into_any()
                } else {
                    view! {
                        <p>{format!("No {what} yet. {explain}")}</p>
                        <p class="hint">{team_note()}</p>
                        {(!no_invite)
                            .then(|| view! { <GuardedLink action href=href.clone() label /> })}
                    }
                        .into_any()
                }
            }}
        </div>
    }
}
