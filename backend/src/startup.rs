//! Builds the application: the API router, its layers, and (locally) the console's files.

use crate::audit::AuditLog;
use crate::configuration::{AuthMode, RoleSettings, Settings};
use crate::error::ApiError;
use crate::eventbridge::EventBridge;
use crate::extract::MAX_BODY_BYTES;
use crate::queues::Queues;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderName, HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use shared::ErrorCode;
use shared::console::ConsoleConfig;
use shared::roles::Role;
use std::path::Path;
use std::sync::Arc;
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

/// What every handler and layer can reach.
#[derive(Clone, Debug)]
pub struct AppState {
    /// Unscoped: handlers reach EventBridge through `extract::Scoped`, which limits it
    /// to the caller's buses.
    pub eventbridge: EventBridge,
    /// The queues archive peeks are delivered to.
    pub queues: Queues,
    /// The longest window a peek replays.
    pub peek_max_minutes: u32,
    /// The longest replay window, when capped.
    pub max_replay_hours: Option<u32>,
    /// The local user's teams (`REWIND_LOCAL_TEAMS`).
    pub local_teams: Arc<[String]>,
    pub auth: AuthMode,
    pub roles: Arc<RoleSettings>,
    pub local_role: Role,
    pub audit: AuditLog,
    /// The region Rewind's resources are in, for the ARNs in audit records.
    pub region: Arc<str>,
}

impl AppState {
    /// The state for `settings` with these clients, auditing to stdout (see
    /// [`AppState::from_settings`]).
    pub fn new(eventbridge: EventBridge, queues: Queues, settings: &Settings) -> Self {
        Self {
            region: eventbridge.region().into(),
            eventbridge,
            queues,
            peek_max_minutes: settings.peek_max_minutes,
            max_replay_hours: settings.max_replay_hours,
            local_teams: settings.local_teams.clone().into(),
            auth: settings.auth,
            roles: Arc::new(settings.roles.clone()),
            local_role: settings.local_role,
            audit: AuditLog::Stdout,
        }
    }

    /// Everything as `settings` say: the EventBridge and SQS clients, and the audit
    /// trail (`REWIND_AUDIT_LOG_GROUP`).
    pub async fn from_settings(settings: &Settings) -> Self {
        Self {
            audit: AuditLog::from_settings(settings).await,
            ..Self::new(
                EventBridge::from_settings(settings).await,
                Queues::from_settings(settings).await,
                settings,
            )
        }
    }
}

/// The `/api` router with its layers: what runs under Lambda.
pub fn api_router(state: AppState) -> Router {
    let routes = crate::routes::api(&state);
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
            crate::audit::trail,
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
        let id = crate::auth::gateway_request_id(request)
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

/// The console may run only its own scripts and wasm, load only its own files, talk only
/// to its own origin (and, when it signs in, the identity provider's token endpoint), and
/// never be framed. No inline script is needed: `boot.js` starts the app. (The deployed
/// console gets the same policy from CloudFront.)
pub fn content_security_policy(token_origin: Option<&str>) -> String {
    let connect = token_origin.map_or_else(|| "'self'".to_owned(), |o| format!("'self' {o}"));
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data:; connect-src {connect}; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'"
    )
}

/// `scheme://host[:port]` of a URL, for `connect-src`.
fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let host = rest
        .split(['/', '?', '#'])
        .next()
        .filter(|h| !h.is_empty())?;
    let clean = |s: &str| {
        s.chars()
            .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
    };
    (matches!(scheme, "http" | "https") && clean(host)).then(|| format!("{scheme}://{host}"))
}

/// The headers every response carries, API and console alike. No CORS headers are ever
/// sent: the console is served from the API's own origin.
fn with_security_headers(router: Router, csp: &str) -> Router {
    let csp = HeaderValue::from_str(csp)
        .unwrap_or_else(|_| HeaderValue::from_static("default-src 'self'; frame-ancestors 'none'"));
    router
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            csp,
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            HeaderName::from_static("referrer-policy"),
            HeaderValue::from_static("no-referrer"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
}

/// The API plus the built console, with every other path answered by `index.html` so
/// the console's own routes work on reload.
pub fn app(state: AppState, static_dir: &Path) -> Router {
    // Locally nobody signs in, unless the console was built with a config.json of its own
    // (a deployed console gets one from the stack's outputs).
    let console_config = std::fs::read(static_dir.join("config.json"))
        .ok()
        .and_then(|bytes| serde_json::from_slice::<ConsoleConfig>(&bytes).ok());
    let token_origin = match &console_config {
        Some(ConsoleConfig::Oidc { token_url, .. }) => origin_of(token_url),
        _ => None,
    };
    let config = if static_dir.join("config.json").is_file() {
        Router::new()
    } else {
        Router::new().route("/config.json", get(|| async { Json(ConsoleConfig::None) }))
    };
    let index = static_dir.join("index.html");
    let console = if index.is_file() {
        // Built with `.br` and `.gz` beside each file (`cargo xtask` writes them), so no
        // request spends CPU on compression.
        let files = ServeDir::new(static_dir)
            .precompressed_br()
            .precompressed_gzip()
            .fallback(
                ServeFile::new(index)
                    .precompressed_br()
                    .precompressed_gzip(),
            );
        config
            .fallback_service(files)
            .layer(axum::middleware::from_fn(console_caching))
    } else {
        tracing::warn!(dir = %static_dir.display(), "no built console found; serving the API only");
        config.fallback(console_missing)
    };
    let csp = content_security_policy(token_origin.as_deref());
    api_router(state).merge(with_security_headers(console, &csp))
}

/// Hashed files (`name-<16 hex digits>.ext`, Trunk's `filehash`) never change: cached for
/// a year. Everything else (`index.html`, `config.json`, the console's routes) is
/// revalidated on every load, so a new deploy is seen at once. The answer depends on
/// `Accept-Encoding`.
async fn console_caching(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let hashed = is_hashed_asset(request.uri().path());
    let mut response = next.run(request).await;
    let policy = if hashed && response.status().is_success() {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    response
}

/// `/rewind-frontend-6591d67ef76fdd94_bg.wasm`, `/style-388e6ad00cf4f1c4.css`: a last
/// segment whose stem ends in `-` and 16 hex digits (before an optional `_bg`).
fn is_hashed_asset(path: &str) -> bool {
    let last = path.rsplit('/').next().unwrap_or_default();
    let Some((stem, _extension)) = last.rsplit_once('.') else {
        return false;
    };
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    stem.rsplit_once('-').is_some_and(|(name, hash)| {
        !name.is_empty() && hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit())
    })
}

async fn console_missing() -> Html<&'static str> {
    Html(
        "<!doctype html><title>Rewind</title><h1>Rewind</h1>\
         <p>The API is running, but the console has not been built. \
         Run <code>cargo xtask dev</code>, or <code>trunk build --release</code> and restart.</p>",
    )
}

fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("a request handler panicked");
    ApiError::new(
        ErrorCode::Internal,
        "Rewind hit an internal error. It has been logged.",
    )
    .into_response()
}

/// Serves `router` on `listener` until Ctrl-C or SIGTERM.
pub async fn serve(listener: TcpListener, router: Router) -> std::io::Result<()> {
    use axum::serve::ListenerExt;
    // Answers go out as soon as they are written: a small response never waits on
    // Nagle's algorithm for the ACK of an earlier segment.
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown_signal())
        .await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}

/// The local server answers only to its own address, `127.0.0.1` and `localhost` — a
/// page of another site cannot reach it through a DNS name of its own (rebinding) — and
/// changes nothing for a request another site's page sent (`Sec-Fetch-Site: cross-site`),
/// such as a form cancelling a replay.
async fn local_only(
    State(hosts): State<Arc<[String]>>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default();
    if !hosts.iter().any(|h| h.eq_ignore_ascii_case(host)) {
        return crate::error::ApiError::new(
            shared::ErrorCode::Forbidden,
            format!(
                "This local server answers only at {}; Host {host:?} is refused.",
                hosts
                    .first()
                    .map(String::as_str)
                    .unwrap_or("its own address")
            ),
        )
        .into_response();
    }
    let cross_site = request
        .headers()
        .get("sec-fetch-site")
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"cross-site"));
    let reads = matches!(
        *request.method(),
        axum::http::Method::GET | axum::http::Method::HEAD | axum::http::Method::OPTIONS
    );
    if cross_site && !reads {
        return crate::error::ApiError::new(
            shared::ErrorCode::Forbidden,
            "A page of another site may not change anything through this console.",
        )
        .into_response();
    }
    next.run(request).await
}

/// A running local server, for `main` and for tests that need a real port.
pub struct Application {
    listener: TcpListener,
    router: Router,
    state: AppState,
    sweep_every: std::time::Duration,
}

impl Application {
    /// Binds `settings.listen` (port 0 picks a free one) and builds the app.
    pub async fn build(settings: &Settings) -> std::io::Result<Self> {
        let state = AppState::from_settings(settings).await;
        let listener = TcpListener::bind(settings.listen).await?;
        let port = listener.local_addr()?.port();
        let hosts: Arc<[String]> = [
            format!("{}:{port}", settings.listen.ip()),
            format!("127.0.0.1:{port}"),
            format!("localhost:{port}"),
            format!("[::1]:{port}"),
        ]
        .into();
        let router = app(state.clone(), &settings.static_dir)
            .layer(axum::middleware::from_fn_with_state(hosts, local_only));
        Ok(Self {
            listener,
            router,
            state,
            sweep_every: settings.sweep_every,
        })
    }

    pub fn port(&self) -> u16 {
        self.listener
            .local_addr()
            .map(|a| a.port())
            .unwrap_or_default()
    }

    /// Serves until shut down, sweeping leftovers in the background meanwhile
    /// (deployed, the template's schedule does that).
    pub async fn run(self) -> std::io::Result<()> {
        let sweeping = tokio::spawn(crate::leftovers::every(self.state, self.sweep_every));
        let served = serve(self.listener, self.router).await;
        sweeping.abort();
        served
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashed_assets_are_told_apart() {
        for hashed in [
            "/rewind-frontend-6591d67ef76fdd94_bg.wasm",
            "/rewind-frontend-6591d67ef76fdd94.js",
            "/style-388e6ad00cf4f1c4.css",
            "/boot-723e8b87e3480948.js",
        ] {
            assert!(is_hashed_asset(hashed), "{hashed}");
        }
        for plain in [
            "/",
            "/index.html",
            "/config.json",
            "/archives/orders-all",
            "/archives/orders-6591d67ef76fdd94",
            "/-6591d67ef76fdd94.js",
            "/style-388e6ad00cf4f1cz.css",
            "/app-388e6ad00cf4f1c.js",
        ] {
            assert!(!is_hashed_asset(plain), "{plain}");
        }
    }

    #[test]
    fn the_token_endpoint_alone_joins_connect_src() {
        assert_eq!(
            origin_of("https://auth.example.com/oauth2/token?x=1").as_deref(),
            Some("https://auth.example.com")
        );
        assert_eq!(
            origin_of("http://127.0.0.1:9000/token").as_deref(),
            Some("http://127.0.0.1:9000")
        );
        assert_eq!(origin_of("javascript:alert(1)"), None);
        assert_eq!(origin_of("https://a.example; script-src *"), None);
        let csp = content_security_policy(Some("https://auth.example.com"));
        assert!(csp.contains("connect-src 'self' https://auth.example.com;"));
        assert!(content_security_policy(None).contains("connect-src 'self';"));
    }
}
