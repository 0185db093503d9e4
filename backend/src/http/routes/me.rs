//! `/api/me`: who the caller is, which roles they hold, and where this console acts.

use crate::context::Ctx;
use axum::Json;
use shared::roles::Me;

#[utoipa::path(
    get, path = "/api/me", tag = "meta", operation_id = "me",
    responses((status = 200, body = Me),
    )
)]
pub async fn me(ctx: Ctx) -> Json<Me> {
    Json(ctx.me())
}
