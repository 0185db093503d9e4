//! One module per resource of API.md; `api` assembles them under `/api`.

pub mod archives;
pub mod event_buses;
pub mod event_patterns;
pub mod health;
pub mod me;
pub mod replays;

use crate::error::ApiError;
use crate::startup::AppState;
use axum::Router;
use axum::extract::OriginalUri;
use axum::routing::{get, post};
use shared::ErrorCode;

/// Every `/api` route, with JSON answers for unknown paths and methods. Each matched
/// route passes `auth::authorize` (roles and audit) first.
pub fn api(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/me", get(me::me))
        .route("/health", get(health::health))
        .route("/openapi.json", get(crate::openapi::openapi_json))
        .route("/archives", get(archives::list).post(archives::create))
        .route(
            "/archives/{name}",
            get(archives::describe)
                .patch(archives::update)
                .delete(archives::delete),
        )
        .route("/replays", get(replays::list).post(replays::start))
        .route("/replays/{name}", get(replays::describe))
        .route("/replays/{name}/cancel", post(replays::cancel))
        .route("/event-buses", get(event_buses::list))
        .route("/event-buses/{name}/rules", get(event_buses::rules))
        .route("/event-patterns/test", post(event_patterns::test))
        .route_layer(axum::middleware::from_fn_with_state(
            state,
            crate::auth::authorize,
        ))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
}

async fn not_found(OriginalUri(uri): OriginalUri) -> ApiError {
    ApiError::not_found(format!("There is no API route {}.", uri.path()))
}

async fn method_not_allowed(method: axum::http::Method, OriginalUri(uri): OriginalUri) -> ApiError {
    ApiError::new(
        ErrorCode::MethodNotAllowed,
        format!("{method} is not allowed on {}.", uri.path()),
    )
}
