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
//! [`trail`] wraps the whole API; [`crate::http::auth::authorize`] names the caller, the
//! operation and its resources and writes the intent; a handler adds what only it knows
//! through [`AuditNotes`].

mod resources;
pub mod text;

use crate::aws::calls::UpstreamCall;
use crate::aws::logs::LogGroupWriter;
use crate::caller::Caller;
use crate::error::ApiError;
use axum::extract::{FromRequestParts, Request};
use axum::http::request::Parts;
use axum::response::Response;
use lambda_http::RequestExt;
use serde::Serialize;
use serde_json::Value;
use shared::ErrorCode;
use shared::roles::{Operation, Role};
use shared::teams::Scope;
use std::sync::{Arc, Mutex, PoisonError};

pub use resources::Location;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Phase {
    /// Before the handler (and any EventBridge call).
    Intent,
    /// With the answer.
    Outcome,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Decision {
    /// The request reached its handler (its intent was recorded).
    Allowed,
    /// Refused before its handler: no verified identity (401), a role too weak (403), a
    /// body too large (413), an unknown route or method.
    Refused,
}

/// The caller as far as known: `verified` once the backend accepted the authorizer's
/// claims; before (or when refused) the claims as presented.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditCaller {
    pub verified: bool,
    pub sub: Option<String>,
    pub email: Option<String>,
    pub issuer: Option<String>,
    /// The token's audience (ID token) or `client_id` (access token).
    pub client_id: Option<String>,
    pub groups: Vec<String>,
    pub role: Option<Role>,
    /// `all` or `teams`; absent until verified.
    pub scope: Option<&'static str>,
    pub teams: Vec<String>,
}

impl AuditCaller {
    fn verified(caller: &Caller) -> Self {
        let (scope, teams) = match &caller.scope {
            Scope::All => ("all", Vec::new()),
            Scope::Teams(teams) => ("teams", teams.iter().map(|t| t.name.clone()).collect()),
        };
        Self {
            verified: true,
            sub: Some(short(&caller.subject)),
            email: caller.email.as_deref().map(short),
            issuer: caller.issuer.as_deref().map(short),
            client_id: caller.client_id.as_deref().map(short),
            groups: caller.groups.iter().map(|g| short(g)).collect(),
            role: caller.role(),
            scope: Some(scope),
            teams,
        }
    }
}

/// One field a PATCH changed: what it was, what it was asked to become.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldChange {
    pub field: &'static str,
    pub from: Value,
    pub to: Value,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Outcome {
    pub decision: Decision,
    pub status: u16,
    pub error_code: Option<ErrorCode>,
}

/// One line of the trail.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditRecord {
    /// Always `audit`.
    pub kind: &'static str,
    pub phase: Phase,
    /// RFC 3339, UTC, when the record was written.
    pub time: String,
    /// The request's `x-request-id`: API Gateway's request id under Lambda.
    pub request_id: String,
    pub api_gateway_request_id: Option<String>,
    pub lambda_request_id: Option<String>,
    pub caller: AuditCaller,
    pub source_ip: Option<String>,
    pub user_agent: Option<String>,
    pub method: String,
    /// As sent (escaped, capped).
    pub path: String,
    /// The route's template, e.g. `/api/archives/{name}`.
    pub route: Option<String>,
    pub operation: Option<Operation>,
    /// ARNs of what the request names or acts on.
    pub resources: Vec<String>,
    /// The request's fields: `query`, `body` (escaped, capped).
    pub details: Value,
    /// What a PATCH changed, from → to (outcome).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<FieldChange>,
    /// Absent in the intent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Outcome>,
    /// EventBridge's request id of each call made (outcome).
    pub eventbridge_request_ids: Vec<String>,
    /// Every AWS call made, in order (outcome).
    pub upstream_calls: Vec<UpstreamCall>,
}

/// The caller named in the records of what Rewind does on its own: the sweep.
pub const SWEEP_CALLER: &str = "rewind-sweep";

impl AuditRecord {
    /// A record of a removal the sweep makes on its own (no request, no person): its
    /// intent before the removal (`outcome` None), its outcome after.
    pub fn of_sweep(
        resource: &str,
        reason: &str,
        outcome: Option<Result<(), ErrorCode>>,
        calls: Vec<UpstreamCall>,
    ) -> Self {
        let request_id = uuid::Uuid::new_v4().to_string();
        Self {
            kind: "audit",
            phase: if outcome.is_some() {
                Phase::Outcome
            } else {
                Phase::Intent
            },
            time: now(),
            request_id,
            api_gateway_request_id: None,
            lambda_request_id: None,
            caller: AuditCaller {
                verified: true,
                sub: Some(SWEEP_CALLER.to_owned()),
                ..AuditCaller::default()
            },
            source_ip: None,
            user_agent: None,
            method: "SWEEP".to_owned(),
            path: resource.to_owned(),
            route: None,
            operation: None,
            resources: vec![resource.to_owned()],
            details: serde_json::json!({ "reason": reason }),
            changes: Vec::new(),
            outcome: outcome.map(|result| Outcome {
                decision: Decision::Allowed,
                status: if result.is_ok() { 200 } else { 502 },
                error_code: result.err(),
            }),
            eventbridge_request_ids: calls
                .iter()
                .filter(|c| c.service.eq_ignore_ascii_case("eventbridge"))
                .filter_map(|c| c.request_id.clone())
                .collect(),
            upstream_calls: calls,
        }
    }
}

/// Caller-controlled text in a record: escaped, at most 256 characters.
fn short(text: &str) -> String {
    text::escaped(text, 256)
}

impl AuditRecord {
    /// What the request says about itself when it arrives.
    pub fn arriving(request: &Request, roles_claim: &str) -> Self {
        let context = crate::caller::lambda_context(request.extensions());
        let header = |name: &str| {
            request
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(short)
        };
        let claims = context
            .and_then(|c| c.authorizer.as_ref())
            .and_then(|a| a.jwt.as_ref())
            .map(|j| &j.claims);
        let claim = |name: &str| claims.and_then(|c| c.get(name)).map(|v| short(v));
        let caller = AuditCaller {
            sub: claim("sub"),
            email: claim("email"),
            issuer: claim("iss"),
            client_id: claim("aud").or_else(|| claim("client_id")),
            groups: claim(roles_claim).into_iter().collect(),
            ..AuditCaller::default()
        };
        Self {
            kind: "audit",
            phase: Phase::Outcome,
            time: now(),
            request_id: header("x-request-id").unwrap_or_default(),
            api_gateway_request_id: context.and_then(|c| c.request_id.as_deref()).map(short),
            lambda_request_id: request
                .extensions()
                .lambda_context_ref()
                .map(|c| c.request_id.clone())
                .filter(|id| !id.is_empty()),
            caller,
            source_ip: context.and_then(|c| c.http.source_ip.as_deref()).map(short),
            user_agent: context
                .and_then(|c| c.http.user_agent.as_deref())
                .map(short)
                .or_else(|| header("user-agent")),
            method: request.method().to_string(),
            path: text::escaped(request.uri().path(), text::MAX_CHARS),
            route: None,
            operation: None,
            resources: Vec::new(),
            details: Value::Null,
            changes: Vec::new(),
            outcome: None,
            eventbridge_request_ids: Vec::new(),
            upstream_calls: Vec::new(),
        }
    }
}

/// The largest record written whole; CloudWatch Logs takes at most 256 KiB an event.
const MAX_RECORD_BYTES: usize = 200 * 1024;

impl AuditRecord {
    /// The record as written: when the request's fields (a 64 KiB body of escaped
    /// control characters grows ninefold) would make it too large for one log event, its
    /// `details` keep their first 8 KiB as text, marked cut — the rest of the record,
    /// who and what, is always whole.
    pub fn fitted(&self) -> Self {
        let size = serde_json::to_string(self).map_or(0, |l| l.len());
        if size <= MAX_RECORD_BYTES {
            return self.clone();
        }
        let details = self.details.to_string();
        let start: String = details.chars().take(8 * 1024).collect();
        Self {
            details: serde_json::json!({
                "cut": format!("the request's fields made this record {size} bytes; their first 8 KiB"),
                "start": start,
            }),
            ..self.clone()
        }
    }

    /// One JSON line.
    pub fn line(&self) -> Result<String, String> {
        serde_json::to_string(&self.fitted()).map_err(|e| e.to_string())
    }
}

fn now() -> String {
    shared::timestamp::format(time::OffsetDateTime::now_utc())
}

/// The record of the request being served, filled in as it goes.
#[derive(Debug, Clone)]
pub struct AuditEntry {
    record: Arc<Mutex<AuditRecord>>,
    intent_written: Arc<Mutex<bool>>,
}

impl AuditEntry {
    pub fn new(record: AuditRecord) -> Self {
        Self {
            record: Arc::new(Mutex::new(record)),
            intent_written: Arc::default(),
        }
    }

    fn update(&self, change: impl FnOnce(&mut AuditRecord)) {
        change(&mut self.record.lock().unwrap_or_else(PoisonError::into_inner));
    }

    fn snapshot(&self) -> AuditRecord {
        self.record
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The operation the route guard named, once it has.
    pub fn operation(&self) -> Option<Operation> {
        self.snapshot().operation
    }

    /// The backend accepted the caller.
    pub fn identified(&self, caller: &Caller) {
        self.update(|r| r.caller = AuditCaller::verified(caller));
    }

    /// The route, its operation, what it names and its fields.
    pub fn describe(
        &self,
        route: &str,
        operation: Operation,
        location: &Location,
        query: Option<&str>,
        body: &[u8],
    ) {
        let path = self.snapshot().path;
        self.update(|r| {
            r.route = Some(route.to_owned());
            r.operation = Some(operation);
            r.resources = resources::of(route, &path, body, location);
            r.details = resources::details(query, body);
        });
    }

    /// Writes the intent; answers the error to give when it must not go on.
    pub async fn write_intent(&self, log: &AuditLog, mutating: bool) -> Result<(), ApiError> {
        let mut record = self.snapshot();
        record.phase = Phase::Intent;
        record.time = now();
        match log.write(&record).await {
            Ok(()) => {
                *self
                    .intent_written
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner) = true;
                Ok(())
            }
            Err(e) => {
                tracing::error!(error = %e, record = ?record, "audit intent not written");
                if !mutating {
                    *self
                        .intent_written
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner) = true;
                    return Ok(());
                }
                Err(ApiError::new(
                    ErrorCode::UpstreamUnavailable,
                    "Rewind cannot write its audit trail just now, so it changed nothing. Try again in a moment.",
                ))
            }
        }
    }

    pub fn outcome(&self, response: &Response, calls: Vec<UpstreamCall>) -> AuditRecord {
        let allowed = *self
            .intent_written
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let mut record = self.snapshot();
        record.phase = Phase::Outcome;
        record.time = now();
        record.outcome = Some(Outcome {
            decision: if allowed {
                Decision::Allowed
            } else {
                Decision::Refused
            },
            status: response.status().as_u16(),
            error_code: response.extensions().get::<ErrorCode>().copied(),
        });
        record.eventbridge_request_ids = calls
            .iter()
            .filter(|c| c.service.eq_ignore_ascii_case("eventbridge"))
            .filter_map(|c| c.request_id.clone())
            .collect();
        record.upstream_calls = calls;
        record
    }
}

/// What a handler tells the trail that only it knows (the fields a PATCH changed).
/// Outside the trail (tests of a handler alone) the notes go nowhere.
#[derive(Debug, Clone, Default)]
pub struct AuditNotes(Option<AuditEntry>);

impl AuditNotes {
    pub fn changed(&self, changes: Vec<FieldChange>) {
        if let Some(entry) = &self.0 {
            entry.update(|r| r.changes = changes);
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for AuditNotes {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(parts.extensions.get::<AuditEntry>().cloned()))
    }
}

/// Whether a request is audited: every `/api` request but the two open routes.
pub fn is_audited(path: &str) -> bool {
    (path == "/api" || path.starts_with("/api/"))
        && !matches!(path, "/api/health" | "/api/openapi.json")
}

/// Where audit records go.
#[derive(Debug, Clone)]
pub enum AuditLog {
    /// One JSON line each on stdout (locally).
    Stdout,
    /// The audit log group (deployed).
    LogGroup(Arc<LogGroupWriter>),
    /// Kept, for tests.
    Memory(Arc<Mutex<Vec<AuditRecord>>>),
}

impl AuditLog {
    /// A log that keeps its records, and the handle to read them.
    pub fn in_memory() -> (Self, Arc<Mutex<Vec<AuditRecord>>>) {
        let records = Arc::new(Mutex::new(Vec::new()));
        (Self::Memory(records.clone()), records)
    }

    /// The log group `group`, through the SDK configuration of `settings`.
    pub fn log_group(
        sdk_config: &aws_config::SdkConfig,
        settings: &crate::configuration::Settings,
        group: String,
    ) -> Self {
        let config = aws_sdk_cloudwatchlogs::config::Builder::from(sdk_config)
            .retry_config(crate::aws::retries())
            .timeout_config(crate::aws::timeouts(settings))
            .build();
        let client = aws_sdk_cloudwatchlogs::Client::from_conf(config);
        Self::LogGroup(Arc::new(LogGroupWriter::new(client, group)))
    }

    /// Where `settings` say: the audit log group when named, else stdout.
    pub fn from_settings(
        sdk_config: &aws_config::SdkConfig,
        settings: &crate::configuration::Settings,
    ) -> Self {
        match &settings.audit_log_group {
            Some(group) => Self::log_group(sdk_config, settings, group.clone()),
            None => Self::Stdout,
        }
    }

    pub async fn write(&self, record: &AuditRecord) -> Result<(), String> {
        match self {
            Self::Memory(records) => {
                records
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .push(record.fitted());
                Ok(())
            }
            Self::Stdout => {
                println!("{}", record.line()?);
                Ok(())
            }
            Self::LogGroup(writer) => {
                let line = record.line()?;
                let millis =
                    (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64;
                writer.write(line, millis).await
            }
        }
    }
}

/// The fields `update` changes on `before`, from → to; a field asked for with the value
/// it already has is no change. Text is escaped and capped as everywhere in the trail.
pub fn archive_changes(
    before: &shared::archive::Archive,
    update: &shared::archive::ArchiveUpdate,
) -> Vec<FieldChange> {
    let text = |t: Option<&str>| {
        t.map_or(Value::Null, |t| {
            Value::String(text::escaped(t, text::MAX_CHARS))
        })
    };
    let mut changes = Vec::new();
    let mut note = |field: &'static str, from: Value, to: Value| {
        if from != to {
            changes.push(FieldChange { field, from, to });
        }
    };
    if let Some(description) = &update.description {
        note(
            "description",
            text(before.description.as_deref()),
            text(Some(description.as_str())),
        );
    }
    if let Some(pattern) = &update.event_pattern {
        note(
            "eventPattern",
            text(before.event_pattern.as_deref()),
            text(pattern.as_ref().map(|p| p.as_str())),
        );
    }
    if let Some(retention) = update.retention {
        note(
            "retentionDays",
            Value::from(before.summary.retention_days),
            Value::from(retention.days()),
        );
    }
    if let Some(key) = &update.kms_key {
        note(
            "kmsKeyIdentifier",
            text(before.kms_key_identifier.as_deref()),
            text(Some(key.as_str())),
        );
    }
    changes
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use shared::archive::{Archive, UpdateArchiveRequest};

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

    #[test]
    fn a_patch_names_what_changed_from_what_to_what() {
        let before: Archive = serde_json::from_value(json!({
            "archiveName": "orders", "eventSourceArn": "arn:aws:events:us-east-1:1:event-bus/orders",
            "state": "ENABLED", "retentionDays": 30, "sizeBytes": 0, "eventCount": 0,
            "creationTime": "2026-11-01T00:00:00Z", "archiveArn": "arn:aws:events:us-east-1:1:archive/orders",
            "description": "old", "eventPattern": "{\"source\":[\"shop\"]}",
        }))
        .expect("an archive");
        let update = UpdateArchiveRequest {
            description: Some("old".to_owned()),
            event_pattern: Some(String::new()),
            retention_days: Some(7),
            kms_key_identifier: None,
        }
        .validate()
        .expect("valid");
        assert_eq!(
            archive_changes(&before, &update),
            [
                FieldChange {
                    field: "eventPattern",
                    from: json!("{\"source\":[\"shop\"]}"),
                    to: Value::Null,
                },
                FieldChange {
                    field: "retentionDays",
                    from: json!(30),
                    to: json!(7),
                },
            ]
        );
    }
}
