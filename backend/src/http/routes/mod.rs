//! Every `/api` route, declared once: the handler's `#[utoipa::path]` gives its method,
//! path and OpenAPI description, and its `operationId` names the action it performs
//! (`shared::roles::Operation`), which decides who may call it. The router, the role
//! check and the OpenAPI document all come from this one list. One module per resource.

pub mod archives;
pub mod event_buses;
pub mod event_patterns;
pub mod health;
pub mod jobs;
pub mod me;
pub mod now;
mod params;
pub mod peeks;
pub mod replays;
pub mod v2;

use crate::error::ApiError;
use crate::state::AppState;
use axum::Router;
use axum::extract::{OriginalUri, Request, State};
use axum::routing::{MethodRouter, any};
use shared::ErrorCode;
use utoipa::OpenApi;

pub use crate::http::auth::RouteActions;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouter};
use utoipa_axum::routes;

/// The route table, one line per path. `guard` wraps each signed-in path in the check
/// of its actions; [`crate::http::openapi::document`] builds the table with no guard.
pub fn table<G>(guard: G) -> OpenApiRouter<AppState>
where
    G: Fn(RouteActions, MethodRouter<AppState>) -> MethodRouter<AppState>,
{
    let signed_in = |(schemas, paths, method_router): UtoipaMethodRouter<AppState>| {
        let actions = RouteActions::of(&paths);
        (schemas, paths, guard(actions, method_router))
    };
    let open = OpenApiRouter::with_openapi(crate::http::openapi::ApiDoc::openapi())
        // Open to anyone (and not behind API Gateway's authorizer either).
        .routes(routes!(health::health))
        .routes(routes!(crate::http::openapi::openapi_json));
    // Signed in; the role each action needs is `shared::roles::Operation::minimum_role`.
    [
        routes!(me::me),
        routes!(now::now),
        routes!(archives::list, archives::create),
        routes!(archives::describe, archives::update, archives::delete),
        routes!(peeks::start),
        routes!(peeks::read, peeks::stop),
        routes!(replays::list, replays::start),
        routes!(replays::preview, replays::describe_the_one_named_preview),
        routes!(replays::describe),
        routes!(replays::cancel),
        routes!(replays::report),
        routes!(jobs::list, jobs::start),
        routes!(jobs::describe),
        routes!(jobs::pause),
        routes!(jobs::resume),
        routes!(jobs::cancel),
        routes!(jobs::report),
        routes!(event_buses::list),
        routes!(event_buses::describe),
        routes!(event_buses::rules),
        routes!(event_buses::opt_out_of_replays),
        routes!(event_patterns::test),
        routes!(v2::buses),
        routes!(v2::subscribers),
        routes!(v2::list, v2::start),
        routes!(v2::describe),
        routes!(v2::pause),
        routes!(v2::resume),
        routes!(v2::stop),
        routes!(v2::report),
    ]
    .into_iter()
    .fold(open, |router, route| router.routes(signed_in(route)))
}

/// The API router: the table with every signed-in route guarded by
/// [`crate::http::auth::authorize`], and JSON answers for unknown paths and methods.
pub fn api(state: &AppState) -> Router<AppState> {
    let (router, _) = table(|actions, route| guard(state, actions, route)).split_for_parts();
    router
        .route("/api", any(not_found))
        .route("/api/{*rest}", any(not_found))
        .method_not_allowed_fallback(method_not_allowed)
}

/// A signed-in route behind its guard: the caller established and their role checked
/// against the route's actions (`http::auth::authorize`), then the audit intent written
/// (`http::audit_trail::intent`), then the handler.
pub fn guard(
    state: &AppState,
    actions: RouteActions,
    route: MethodRouter<AppState>,
) -> MethodRouter<AppState> {
    // The last layer added runs first.
    route
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::http::audit_trail::intent,
        ))
        .layer(axum::middleware::from_fn_with_state(
            (state.clone(), actions),
            crate::http::auth::authorize,
        ))
}

/// The path of the resource a `201 Created` made, from the endpoint table.
pub fn location(operation: shared::roles::Operation, params: &[&str]) -> String {
    operation.path(params).unwrap_or_default()
}

/// An unknown `/api` path: 404 for a signed-in caller, 401 for anyone else (who learns
/// nothing about which routes exist).
async fn not_found(State(state): State<AppState>, request: Request) -> ApiError {
    match crate::http::auth::identify(&state, &request) {
        Ok(_) => ApiError::not_found(format!("There is no API route {}.", request.uri().path())),
        Err(unauthenticated) => unauthenticated,
    }
}

/// A method a route does not have: 405 for a signed-in caller, 401 for anyone else.
async fn method_not_allowed(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    request: Request,
) -> ApiError {
    match crate::http::auth::identify(&state, &request) {
        Ok(_) => ApiError::new(
            ErrorCode::MethodNotAllowed,
            format!("{} is not allowed on {}.", request.method(), uri.path()),
        ),
        Err(unauthenticated) => unauthenticated,
    }
}
