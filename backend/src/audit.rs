//! The audit trail: one JSON line per mutating call — who, with which role, did what to
//! which archive or replay, and how it ended — on stdout, which Lambda sends to
//! CloudWatch Logs.

use crate::auth::Caller;
use serde::Serialize;
use shared::ErrorCode;
use shared::roles::{Operation, Role};
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditRecord {
    /// Always `audit`, to find these lines among the others.
    pub kind: &'static str,
    /// RFC 3339, UTC.
    pub time: String,
    pub subject: String,
    pub email: Option<String>,
    /// The caller's strongest role, if any.
    pub role: Option<Role>,
    pub action: Operation,
    /// The archive or replay acted on.
    pub target: Option<String>,
    pub request_id: String,
    /// The HTTP status answered.
    pub status: u16,
    /// The API error code when it failed.
    pub error_code: Option<ErrorCode>,
}

impl AuditRecord {
    pub fn new(
        caller: &Caller,
        action: Operation,
        target: Option<String>,
        request_id: String,
        status: u16,
        error_code: Option<ErrorCode>,
    ) -> Self {
        Self {
            kind: "audit",
            time: shared::timestamp::format(time::OffsetDateTime::now_utc()),
            subject: caller.subject.clone(),
            email: caller.email.clone(),
            role: caller.role(),
            action,
            target,
            request_id,
            status,
            error_code,
        }
    }
}

/// Where audit records go: stdout, or (tests) memory.
#[derive(Debug, Clone, Default)]
pub struct AuditLog {
    memory: Option<Arc<Mutex<Vec<AuditRecord>>>>,
}

impl AuditLog {
    pub fn stdout() -> Self {
        Self::default()
    }

    /// A log that keeps its records, and the handle to read them.
    pub fn in_memory() -> (Self, Arc<Mutex<Vec<AuditRecord>>>) {
        let records = Arc::new(Mutex::new(Vec::new()));
        (
            Self {
                memory: Some(records.clone()),
            },
            records,
        )
    }

    pub fn record(&self, record: AuditRecord) {
        match &self.memory {
            Some(records) => {
                if let Ok(mut r) = records.lock() {
                    r.push(record);
                }
            }
            None => match serde_json::to_string(&record) {
                Ok(line) => println!("{line}"),
                Err(e) => tracing::error!("audit record not written: {e}"),
            },
        }
    }
}
