//! `/api/now`: the on-call view of the account's replay slots (the use-case is
//! `crate::now`).

use crate::context::Ctx;
use crate::http::extract::Answer;
use axum::Json;
use shared::ErrorBody;
use shared::now::Now;

#[utoipa::path(
    operation_id = "now",
    get, path = "/api/now", tag = "meta",
    responses((status = 200, body = Now), (status = 502, body = ErrorBody))
)]
pub async fn now(ctx: Ctx) -> Answer<Now> {
    Ok(Json(crate::now::now(&ctx).await?))
}
