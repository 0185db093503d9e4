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
use shared::roles::Operation;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The routes open to anyone (and not behind API Gateway's authorizer either), each line
/// given to `$each` as in [`signed_in!`].
macro_rules! open {
    ($each:ident) => {
        [
            $each!(health::health),
            $each!(crate::http::openapi::openapi_json),
        ]
    };
}

/// The signed-in routes, one line per path, each line given to `$each`: `routes!` for
/// the OpenAPI document ([`table`]), [`served!`] for the router ([`api`]). The role
/// each action needs is `shared::roles::Operation::minimum_role`.
macro_rules! signed_in {
    ($each:ident) => {
        [
            $each!(me::me),
            $each!(now::now),
            $each!(archives::list, archives::create),
            $each!(archives::describe, archives::update, archives::delete),
            $each!(peeks::start),
            $each!(peeks::read, peeks::stop),
            $each!(replays::list, replays::start),
            $each!(replays::preview, replays::describe_the_one_named_preview),
            $each!(replays::describe),
            $each!(replays::cancel),
            $each!(replays::report),
            $each!(jobs::list, jobs::start),
            $each!(jobs::describe),
            $each!(jobs::pause),
            $each!(jobs::resume),
            $each!(jobs::cancel),
            $each!(jobs::report),
            $each!(event_buses::list),
            $each!(event_buses::describe),
            $each!(event_buses::rules),
            $each!(event_buses::opt_out_of_replays),
            $each!(event_patterns::test),
            $each!(v2::buses),
            $each!(v2::subscribers),
            $each!(v2::list, v2::start),
            $each!(v2::describe),
            $each!(v2::pause),
            $each!(v2::resume),
            $each!(v2::stop),
            $each!(v2::report),
        ]
    };
}

/// One line of the table as the router needs it: the handlers' path, their method
/// router, and the action each method performs (its `operationId`). What
/// `utoipa_axum::routes!` gives, without composing the handlers' schemas for an OpenAPI
/// document the router does not keep: building that document at start-up was most of
/// the process's start-up heap (issue 38); [`table`] builds it when it is asked for.
macro_rules! served {
    ($($($segment:ident)::+),+ $(,)?) => {{
        use utoipa_axum::PathItemExt;
        // One line, one path: every handler of a line has the same.
        let mut paths: Vec<String> = Vec::new();
        let mut actions = Vec::new();
        let mut router = MethodRouter::<AppState>::new();
        $(
            paths.push(utoipa_axum::routes!(@path [path()] of $($segment)::+));
            let operation_id =
                utoipa_axum::routes!(@path [operation()] of $($segment)::+).operation_id;
            for method in utoipa_axum::routes!(@path [methods()] of $($segment)::+) {
                if let (Some(method), Some(action)) = (
                    guarded_method(&method),
                    operation_id.as_deref().and_then(Operation::from_operation_id),
                ) {
                    actions.push((method, action));
                }
                router = router.on(method.to_method_filter(), $($segment)::+);
            }
        )+
        debug_assert!(
            paths.windows(2).all(|pair| pair[0] == pair[1]),
            "one line of the route table, one path: {paths:?}"
        );
        (paths.pop().unwrap_or_default(), RouteActions::new(actions), router)
    }};
}

/// The route table for the OpenAPI document ([`crate::http::openapi::document`]): the
/// open routes and the signed-in ones, with each handler's schemas.
pub fn table() -> OpenApiRouter<AppState> {
    open!(routes).into_iter().chain(signed_in!(routes)).fold(
        OpenApiRouter::with_openapi(crate::http::openapi::ApiDoc::openapi()),
        |router, route| router.routes(route),
    )
}

/// The API router: the open routes, every signed-in route behind [`guard`], and JSON
/// answers for unknown paths and methods.
pub fn api(state: &AppState) -> Router<AppState> {
    let open = open!(served)
        .into_iter()
        .fold(Router::new(), |router, (path, _, route)| {
            router.route(&path, route)
        });
    signed_in!(served)
        .into_iter()
        .fold(open, |router, (path, actions, route)| {
            router.route(&path, guard(state, actions, route))
        })
        .route("/api", any(not_found))
        .route("/api/{*rest}", any(not_found))
        .method_not_allowed_fallback(method_not_allowed)
}

/// The methods the guard looks a route's action up for: HEAD is its GET's
/// (`RouteActions::for_method`), and no route of Rewind's answers OPTIONS or TRACE — one
/// that did would have no action, and the guard would refuse it.
fn guarded_method(method: &utoipa::openapi::HttpMethod) -> Option<axum::http::Method> {
    use axum::http::Method;
    use utoipa::openapi::HttpMethod;
    match method {
        HttpMethod::Get => Some(Method::GET),
        HttpMethod::Post => Some(Method::POST),
        HttpMethod::Put => Some(Method::PUT),
        HttpMethod::Patch => Some(Method::PATCH),
        HttpMethod::Delete => Some(Method::DELETE),
        HttpMethod::Head | HttpMethod::Options | HttpMethod::Trace => None,
    }
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
