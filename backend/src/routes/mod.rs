//! Every `/api` route, declared once: the handler's `#[utoipa::path]` gives its method,
//! path and OpenAPI description, and its `operationId` names the action it performs
//! (`shared::roles::Operation`), which decides who may call it. The router, the role
//! check and the OpenAPI document all come from this one list. One module per resource.

pub mod archives;
pub mod event_buses;
pub mod event_patterns;
pub mod health;
pub mod me;
mod params;
pub mod replays;

use crate::error::ApiError;
use crate::startup::AppState;
use axum::Router;
use axum::extract::{OriginalUri, Request, State};
use axum::routing::{MethodRouter, any};
use shared::ErrorCode;
use shared::roles::Operation;
use utoipa::OpenApi;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouter};
use utoipa_axum::routes;

/// The route table. `guard` wraps each signed-in route in the check of its action;
/// [`crate::openapi::document`] builds the table with no guard.
pub fn table<G>(guard: G) -> OpenApiRouter<AppState>
where
    G: Fn(Option<Operation>, MethodRouter<AppState>) -> MethodRouter<AppState>,
{
    let signed_in = |(schemas, paths, method_router): UtoipaMethodRouter<AppState>| {
        let operation = operation_of(&paths);
        (schemas, paths, guard(operation, method_router))
    };
    OpenApiRouter::with_openapi(crate::openapi::ApiDoc::openapi())
        // Open to anyone (and not behind API Gateway's authorizer either).
        .routes(routes!(health::health))
        .routes(routes!(crate::openapi::openapi_json))
        // Signed in; the role each needs is `shared::roles::Operation::minimum_role`.
        .routes(signed_in(routes!(me::me)))
        .routes(signed_in(routes!(archives::list)))
        .routes(signed_in(routes!(archives::create)))
        .routes(signed_in(routes!(archives::describe)))
        .routes(signed_in(routes!(archives::update)))
        .routes(signed_in(routes!(archives::delete)))
        .routes(signed_in(routes!(replays::list)))
        .routes(signed_in(routes!(replays::start)))
        .routes(signed_in(routes!(replays::describe)))
        .routes(signed_in(routes!(replays::cancel)))
        .routes(signed_in(routes!(event_buses::list)))
        .routes(signed_in(routes!(event_buses::rules)))
        .routes(signed_in(routes!(event_patterns::test)))
}

/// The action of a one-operation route, by its `operationId`; `None` (refused by the
/// guard) for an id missing from `shared`'s role table.
fn operation_of(paths: &utoipa::openapi::path::Paths) -> Option<Operation> {
    paths
        .paths
        .values()
        .flat_map(|item| {
            [
                &item.get,
                &item.post,
                &item.put,
                &item.patch,
                &item.delete,
                &item.head,
                &item.options,
                &item.trace,
            ]
        })
        .flatten()
        .find_map(|operation| operation.operation_id.as_deref())
        .and_then(Operation::from_operation_id)
}

/// The API router: the table with every signed-in route guarded by
/// [`crate::auth::authorize`], and JSON answers for unknown paths and methods.
pub fn api(state: &AppState) -> Router<AppState> {
    let (router, _) = table(|operation, route| {
        route.layer(axum::middleware::from_fn_with_state(
            (state.clone(), operation),
            crate::auth::authorize,
        ))
    })
    .split_for_parts();
    router
        .route("/api", any(not_found))
        .route("/api/{*rest}", any(not_found))
        .method_not_allowed_fallback(method_not_allowed)
}

/// An unknown `/api` path: 404 for a signed-in caller, 401 for anyone else (who learns
/// nothing about which routes exist).
async fn not_found(State(state): State<AppState>, request: Request) -> ApiError {
    match crate::auth::identify(&state, &request) {
        Ok(_) => ApiError::not_found(format!("There is no API route {}.", request.uri().path())),
        Err(unauthenticated) => unauthenticated,
    }
}

async fn method_not_allowed(method: axum::http::Method, OriginalUri(uri): OriginalUri) -> ApiError {
    ApiError::new(
        ErrorCode::MethodNotAllowed,
        format!("{method} is not allowed on {}.", uri.path()),
    )
}
