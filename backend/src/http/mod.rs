//! The HTTP layer: the API router and its layers (request ids, the audit trail, the
//! catch-panic layer, the body limit, the request log, security headers), and locally the
//! console's files. Handlers live in `routes`; `lambda` and `Application` serve it.

pub mod audit_trail;
pub mod auth;
pub mod console;
pub mod extract;
pub mod lambda;
pub mod local;
pub mod openapi;
pub mod routes;
pub mod security;

use crate::error::ApiError;
use crate::http::extract::MAX_BODY_BYTES;
use crate::state::AppState;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use security::with_security_headers;
use shared::ErrorCode;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

/// The `/api` router with its layers: what runs under Lambda.
pub fn api_router(state: AppState) -> Router {
    let routes = crate::http::routes::api(&state);
    with_layers(routes, state)
}

/// `routes` with every layer of the API: request ids, the audit trail, the catch-panic
/// layer, the body limit, the request log.
pub fn with_layers(routes: Router<AppState>, state: AppState) -> Router {
    let router = routes
        .route_layer(
            TraceLayer::new_for_http()
                .make_span_with(request_span)
                .on_request(())
                .on_response(log_response)
                .on_failure(()),
        )
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .with_state(state.clone())
        .layer(CatchPanicLayer::custom(panic_response))
        // Outside the catch-panic layer: a panic's 500 is audited too.
        .layer(axum::middleware::from_fn_with_state(
            state,
            crate::http::audit_trail::trail,
        ));
    with_request_ids(with_security_headers(
        router,
        &content_security_policy(None),
    ))
}

/// Every request gets an id, sent back as `x-request-id` and written in its log line
/// and audit record: under Lambda API Gateway's own (so the access log agrees),
/// otherwise a new UUID. An id sent by the caller is replaced, so nobody can choose the
/// id an audit record carries.
fn with_request_ids(router: Router) -> Router {
    let header = HeaderName::from_static("x-request-id");
    router
        .layer(PropagateRequestIdLayer::new(header.clone()))
        .layer(SetRequestIdLayer::new(header.clone(), RequestIds))
        .layer(axum::middleware::map_request(
            |mut request: axum::extract::Request| async move {
                request.headers_mut().remove("x-request-id");
                request
            },
        ))
}

#[derive(Clone, Copy)]
struct RequestIds;

impl MakeRequestId for RequestIds {
    fn make_request_id<B>(&mut self, request: &axum::http::Request<B>) -> Option<RequestId> {
        let id = crate::http::auth::gateway_request_id(request)
            .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
        HeaderValue::from_str(&id).ok().map(RequestId::new)
    }
}

/// One INFO span per API request: its id, method and route (the template, never the
/// names in the path); the status and latency are logged when it ends.
fn request_span<B>(request: &axum::http::Request<B>) -> tracing::Span {
    let route = request
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map(|m| m.as_str().to_owned())
        .unwrap_or_default();
    let request_id = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    tracing::info_span!("request", %request_id, method = %request.method(), %route)
}

fn log_response<B>(response: &Response<B>, latency: std::time::Duration, _: &tracing::Span) {
    let upstream_request_id = response
        .extensions()
        .get::<crate::error::UpstreamRequestId>()
        .map(|id| id.0.as_str());
    tracing::info!(
        status = response.status().as_u16(),
        latency_ms = latency.as_secs_f64() * 1000.0,
        upstream_request_id,
        "answered"
    );
}

fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("a request handler panicked");
    ApiError::new(
        ErrorCode::Internal,
        "Rewind hit an internal error. It has been logged.",
    )
    .into_response()
}

pub use console::app;
pub use local::{Application, serve};
pub use security::content_security_policy;
