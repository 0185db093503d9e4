//! The OpenAPI 3.1 document, generated from the handlers' annotations and `shared`'s DTOs.

use crate::routes::{archives, event_buses, event_patterns, health, me, replays};
use axum::Json;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(title = "Rewind", description = "Self-service console API for Amazon EventBridge archives and replays."),
    paths(
        health::health,
        me::me,
        archives::list, archives::create, archives::describe, archives::update, archives::delete,
        replays::list, replays::start, replays::describe, replays::cancel,
        event_buses::list, event_buses::rules,
        event_patterns::test,
        openapi_json,
    ),
    tags(
        (name = "archives"), (name = "replays"),
        (name = "helpers", description = "What the forms need"), (name = "meta"),
    )
)]
pub struct ApiDoc;

#[utoipa::path(get, operation_id = "openapi", path = "/api/openapi.json", tag = "meta", responses((status = 200, description = "This document")))]
pub async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
