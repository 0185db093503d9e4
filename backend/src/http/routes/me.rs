//! `/api/me`: who the caller is and which roles they hold.

use crate::caller::Caller;
use axum::{Extension, Json};
use shared::roles::{Me, ScopeKind};
use shared::teams::Scope;

#[utoipa::path(
    get, path = "/api/me", tag = "meta", operation_id = "me",
    responses((status = 200, body = Me),
    )
)]
pub async fn me(Extension(caller): Extension<Caller>) -> Json<Me> {
    Json(Me {
        subject: caller.subject,
        email: caller.email,
        roles: caller.roles,
        local: caller.local,
        scope: match caller.scope {
            Scope::All => ScopeKind::All,
            Scope::Teams(_) => ScopeKind::Teams,
        },
        teams: match caller.scope {
            Scope::All => Vec::new(),
            Scope::Teams(teams) => teams,
        },
    })
}
