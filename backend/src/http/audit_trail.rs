//! The audit trail's two layers (`crate::audit` has the records): [`trail`] around the
//! whole API opens each audited request's record, collects the AWS calls the request
//! makes, and writes its outcome; [`intent`], inside the route guard (`http::auth`), writes
//! the intent before the handler runs — nothing that changes anything runs unaudited.

use crate::audit::{AuditEntry, AuditRecord, is_audited};
use crate::aws::calls::{UpstreamCalls, collecting};
use crate::state::AppState;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The layer around the whole API: opens each audited request's record, collects the
/// AWS calls it makes, and writes its outcome — also for a refusal, an unknown route and
/// a panic (this layer sits outside the catch-panic one).
pub async fn trail(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    if !is_audited(request.uri().path()) {
        return next.run(request).await;
    }
    let entry = AuditEntry::new(AuditRecord::arriving(&request, &state.roles.claim));
    request.extensions_mut().insert(entry.clone());
    let calls = UpstreamCalls::default();
    let response = collecting(calls.clone(), next.run(request)).await;
    let record = entry.outcome(&response, calls.taken());
    if let Err(e) = state.audit.write(&record).await {
        tracing::error!(error = %e, record = ?record, "audit outcome not written");
    }
    response
}

/// Writes the intent of a request the route guard let through (its record names the
/// operation). A change — or a peek read, which hands events out — runs only once
/// CloudWatch acknowledged it, and is refused with 503 when it cannot be written. A read
/// does not wait for the acknowledgment: its intent is written while it runs (the
/// record's time is still taken first), which takes one CloudWatch round trip off every
/// page load; when it cannot be written the read goes on, as before.
pub async fn intent(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let Some((entry, operation)) = request
        .extensions()
        .get::<AuditEntry>()
        .cloned()
        .and_then(|entry| entry.operation().map(|operation| (entry, operation)))
    else {
        return next.run(request).await;
    };
    if operation.needs_written_intent() {
        if let Err(unaudited) = entry.write_intent(&state.audit, true).await {
            return unaudited.into_response();
        }
        return next.run(request).await;
    }
    let (_, response) = tokio::join!(entry.write_intent(&state.audit, false), next.run(request));
    response
}
