//! The audit trail's layer around the whole API (`crate::audit` has the records): it
//! opens each audited request's record, collects the AWS calls the request makes, and
//! writes its outcome. The intent is written by the route guard (`http::auth`) before the
//! handler runs.

use crate::audit::{AuditEntry, AuditRecord, is_audited};
use crate::aws::calls::{UpstreamCalls, collecting};
use crate::state::AppState;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;

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
