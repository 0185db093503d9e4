//! The console's files, served locally beside the API: precompressed, hashed files cached
//! for a year, every other path answered by its route's static frame
//! (`frames/<frame>.html`, `shared::console::frame_for`), or `index.html` without one.

use super::api_router;
use super::security::{content_security_policy, origin_of, with_security_headers};
use crate::state::AppState;
use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use shared::console::ConsoleConfig;
use std::path::{Path, PathBuf};
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};

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
        let local = !matches!(console_config, Some(ConsoleConfig::Oidc { .. }));
        let frames = RouteFrames {
            dir: static_dir.join("frames"),
            index,
            local,
        };
        let files = ServeDir::new(static_dir)
            // `/` is the Now page's frame, not index.html.
            .append_index_html_on_directories(false)
            .precompressed_br()
            .precompressed_gzip()
            .fallback(axum::routing::any(move |request: Request| {
                let frames = frames.clone();
                async move { frames.serve(request).await }
            }));
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

/// Where a console route's HTML comes from: its static frame, with the local-mode note
/// when nobody signs in, else `index.html` (a console built without frames).
#[derive(Clone)]
struct RouteFrames {
    dir: PathBuf,
    index: PathBuf,
    local: bool,
}

impl RouteFrames {
    async fn serve(&self, request: Request) -> Response {
        let path = request.uri().path();
        let file_like = path
            .rsplit('/')
            .next()
            .is_some_and(|last| last.contains('.'));
        let Some(frame) = shared::console::route_frame(path)
            .or_else(|| (!file_like).then_some(shared::console::NOT_FOUND_FRAME))
        else {
            // A file that is not there (an old hashed asset): a 404, never a page that
            // would be cached for a year in its place.
            return axum::http::StatusCode::NOT_FOUND.into_response();
        };
        let name = if self.local {
            format!("{frame}.local.html")
        } else {
            format!("{frame}.html")
        };
        let file = Some(self.dir.join(name))
            .filter(|f| f.is_file())
            .unwrap_or_else(|| self.index.clone());
        match ServeFile::new(file)
            .precompressed_br()
            .precompressed_gzip()
            .oneshot(request)
            .await
        {
            Ok(response) => response.map(axum::body::Body::new),
            Err(infallible) => match infallible {},
        }
    }
}

/// Hashed files (`name-<hex digits>.ext`, Trunk's `filehash`) never change: cached for
/// a year. Everything else (`index.html`, `config.json`, the console's routes) is
/// revalidated on every load, so a new deploy is seen at once. The answer depends on
/// `Accept-Encoding`.
async fn console_caching(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let hashed = shared::console::is_hashed_asset(request.uri().path());
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

async fn console_missing() -> Html<&'static str> {
    Html(
        "<!doctype html><title>Rewind</title><h1>Rewind</h1>\
         <p>The API is running, but the console has not been built. \
         Run <code>cargo xtask dev</code>, or <code>trunk build --release</code> and restart.</p>",
    )
}
