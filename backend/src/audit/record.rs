//! One line of the trail: who did what, to which resources, and how it ended.

use super::text;
use crate::aws::calls::UpstreamCall;
use crate::caller::Caller;
use axum::extract::Request;
use lambda_http::RequestExt;
use serde::Serialize;
use serde_json::Value;
use shared::ErrorCode;
use shared::roles::{Operation, Role};
use shared::teams::Scope;

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
    pub(super) fn verified(caller: &Caller) -> Self {
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
    #[serde(serialize_with = "wire_name")]
    pub field: shared::Field,
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

pub(super) fn now() -> String {
    shared::timestamp::format(time::OffsetDateTime::now_utc())
}

/// A field by its name on the wire.
fn wire_name<S: serde::Serializer>(field: &shared::Field, to: S) -> Result<S::Ok, S::Error> {
    to.serialize_str(field.as_str())
}
