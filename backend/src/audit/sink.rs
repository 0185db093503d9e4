//! Where audit records go: the audit log group deployed (its own Logs client, whose calls
//! are not a request's), stdout or a file locally, memory in tests.

use super::record::AuditRecord;
use crate::aws::logs::LogGroupWriter;
use std::sync::{Arc, Mutex, PoisonError};

/// Where audit records go.
#[derive(Debug, Clone)]
pub enum AuditLog {
    /// One JSON line each on stdout (locally).
    Stdout,
    /// One JSON line each appended to a file (`REWIND_AUDIT_FILE`, locally).
    File(Arc<std::path::PathBuf>),
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
        match (&settings.audit_log_group, &settings.audit_file) {
            (Some(group), _) => Self::log_group(sdk_config, settings, group.clone()),
            (None, Some(file)) => Self::File(Arc::new(file.clone())),
            (None, None) => Self::Stdout,
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
            Self::File(path) => {
                use std::io::Write;
                let line = format!("{}\n", record.line()?);
                std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(path.as_ref())
                    .and_then(|mut file| file.write_all(line.as_bytes()))
                    .map_err(|e| format!("cannot append to {}: {e}", path.display()))
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
