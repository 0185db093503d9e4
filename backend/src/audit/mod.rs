//! The audit trail: who did what, to which resources, and how it ended — for every
//! signed-in request, allowed or refused.
//!
//! Deployed, CloudTrail shows each EventBridge call as Rewind's role; this trail is the
//! only record of the person behind it, so it lives in a log group of its own
//! (`REWIND_AUDIT_LOG_GROUP`; locally stdout). Each `/api` request but the two open ones
//! leaves:
//! - an **intent** record, written (and acknowledged) before the handler runs, so before
//!   any EventBridge call — when it cannot be written, nothing that changes anything is
//!   done (503);
//! - an **outcome** record once the answer is known: status, error code, the AWS calls
//!   made with their request ids, the fields a PATCH changed from what to what. A request
//!   refused before its handler (401, 403 of role, 413) leaves only this one, `refused`;
//!   a panic leaves it too, with the 500 the catch-panic layer answered.
//!
//! The HTTP layer's `audit_trail::trail` wraps the whole API, and its route guard names
//! the caller, the operation and its resources and writes the intent ([`AuditEntry`]);
//! a use-case adds what only it knows through [`AuditNotes`].

mod record;
mod request;
mod resources;
mod sink;
pub mod text;

pub use record::{AuditCaller, AuditRecord, Decision, FieldChange, Outcome, Phase, SWEEP_CALLER};
pub use request::{AuditEntry, AuditNotes};
pub use resources::Location;
pub use sink::AuditLog;

use crate::error::ApiError;

/// Runs one removal Rewind makes on its own (the sweep's, or a read's tidying up after
/// work that is over) between its audit intent and its outcome, under the caller
/// [`SWEEP_CALLER`]; None when the intent could not be written, and so nothing was
/// removed.
pub async fn housekeeping(
    log: &AuditLog,
    resource: &str,
    reason: &str,
    removal: impl Future<Output = Result<(), ApiError>>,
) -> Option<Result<(), ApiError>> {
    use crate::aws::calls::{UpstreamCalls, collecting};
    if let Err(error) = log
        .write(&AuditRecord::of_sweep(resource, reason, None, Vec::new()))
        .await
    {
        tracing::error!(%error, %resource, "housekeeping: audit intent not written; nothing removed");
        return None;
    }
    let calls = UpstreamCalls::default();
    let result = collecting(calls.clone(), removal).await;
    let outcome = result.as_ref().map(|_| ()).map_err(|e| e.code);
    if let Err(error) = log
        .write(&AuditRecord::of_sweep(
            resource,
            reason,
            Some(outcome),
            calls.taken(),
        ))
        .await
    {
        tracing::error!(%error, %resource, "housekeeping: audit outcome not written");
    }
    Some(result)
}

/// Whether a request is audited: every `/api` request but the two open routes.
pub fn is_audited(path: &str) -> bool {
    (path == "/api" || path.starts_with("/api/"))
        && !matches!(path, "/api/health" | "/api/openapi.json")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    #[test]
    fn a_record_always_fits_one_log_event() {
        // 64 KiB of control characters: each escaped to `\u{0001}`, then JSON-escaped.
        let body: serde_json::Map<String, Value> = (0..64)
            .map(|i| (format!("f{i}"), Value::String("\u{1}".repeat(1000))))
            .collect();
        let request = axum::http::Request::builder()
            .uri("/api/archives")
            .body(axum::body::Body::empty())
            .expect("a request");
        let mut record = AuditRecord::arriving(&request, "cognito:groups");
        record.details = text::escaped_json(&Value::Object(body));
        assert!(serde_json::to_string(&record).expect("json").len() > 256 * 1024);
        let line = record.line().expect("a line");
        assert!(line.len() < 16 * 1024, "{}", line.len());
        let written: Value = serde_json::from_str(&line).expect("JSON");
        assert!(
            written["details"]["cut"]
                .as_str()
                .is_some_and(|c| c.contains("first 8 KiB"))
        );
        assert_eq!(written["path"], "/api/archives");
        let small = AuditRecord::arriving(&request, "cognito:groups");
        assert_eq!(small.fitted(), small);
    }
}
