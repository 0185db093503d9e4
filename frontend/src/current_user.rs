//! What the signed-in user may do, from `shared`'s role table and `/api/me`. The backend
//! enforces the same table; the console disables what would be refused and says why.

use leptos::prelude::*;
use shared::roles::{Me, Operation};

/// The caller as `/api/me` described them (None until known).
pub type CurrentUser = Signal<Option<Me>>;

/// Why the user may not take `action`; None when they may (or their roles are not
/// known yet — the server still checks).
pub fn refusal(action: Operation) -> Signal<Option<String>> {
    let me = use_context::<CurrentUser>();
    Signal::derive(move || {
        me.and_then(|m| m.get())
            .and_then(|m| action.refusal(m.role()))
    })
}
