//! The local server: the guard that keeps other sites out, graceful shutdown, and the
//! `Application` that `main` and the tests run (with the background sweep).

use super::console::app;
use crate::configuration::Settings;
use crate::state::AppState;
use axum::Router;
use axum::extract::State;
use axum::http::header;
use std::sync::Arc;
use tokio::net::TcpListener;

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
    /// (deployed, the template's schedule does that); the local ledger's table is made
    /// beside the first requests.
    pub async fn run(self) -> std::io::Result<()> {
        let state = self.state.clone();
        tokio::spawn(async move { state.aws.ledger.prepare().await });
        let sweeping = tokio::spawn(sweep_every(self.state, self.sweep_every));
        let served = serve(self.listener, self.router).await;
        sweeping.abort();
        served
    }
}

/// Sweeps every `period`, first after one period, for as long as the process runs
/// (deployed, the template's schedule does this instead).
async fn sweep_every(state: AppState, period: std::time::Duration) {
    let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        crate::leftovers::sweep(
            &state.sweep_ctx(),
            period.max(std::time::Duration::from_secs(30)),
        )
        .await;
    }
}
