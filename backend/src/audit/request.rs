//! The record of the request being served, filled in as it goes: by the trail around
//! the API (`crate::http::audit_trail`), by the route guard (caller, operation,
//! resources, intent), and by a use-case through [`AuditNotes`].

use super::record::{AuditCaller, AuditRecord, Decision, FieldChange, Outcome, Phase, now};
use super::{AuditLog, Location, resources};
use crate::aws::calls::UpstreamCall;
use crate::caller::Caller;
use crate::error::ApiError;
use axum::response::Response;
use shared::ErrorCode;
use shared::roles::Operation;
use std::sync::{Arc, Mutex, PoisonError};

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

impl AuditNotes {
    /// The notes of the request whose extensions these are (none outside the trail).
    pub fn of(extensions: &axum::http::Extensions) -> Self {
        Self(extensions.get::<AuditEntry>().cloned())
    }
}
