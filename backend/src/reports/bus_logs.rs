//! Counts per target from an event bus's delivery log records (EventBridge's bus-log
//! schema: `message_type`, `message_timestamp_ms`, `details.rule_arn`,
//! `details.target_arn`, `error.error_message`), aggregated here because CloudWatch Logs
//! Insights cannot be relied on to (and an emulator has only its simplest commands).

use serde::Deserialize;
use shared::report::{DeliveryError, MAX_ERRORS, TargetReport};
use std::collections::{BTreeMap, HashMap};
use time::OffsetDateTime;

#[derive(Deserialize)]
struct Record {
    message_type: String,
    #[serde(default)]
    message_timestamp_ms: Option<serde_json::Value>,
    #[serde(default)]
    details: Details,
    #[serde(default)]
    error: Option<ErrorDetail>,
}

#[derive(Deserialize, Default)]
struct Details {
    #[serde(default)]
    rule_arn: Option<String>,
    #[serde(default)]
    target_arn: Option<String>,
}

#[derive(Deserialize)]
struct ErrorDetail {
    #[serde(default)]
    error_message: Option<String>,
}

/// Per-target counts, added to page by page as the log is read (nothing but the counts
/// is kept), of the records about the rules in `rules` (rule ARN → name); other rules'
/// records and lines that are not such records are left out.
pub struct Tally<'a> {
    rules: &'a HashMap<String, String>,
    targets: BTreeMap<(String, String), TargetReport>,
}

impl<'a> Tally<'a> {
    pub fn new(rules: &'a HashMap<String, String>) -> Self {
        Self {
            rules,
            targets: BTreeMap::new(),
        }
    }

    /// Counts one record.
    pub fn add(&mut self, line: &str) {
        let Ok(record) = serde_json::from_str::<Record>(line) else {
            return;
        };
        let (Some(rule_arn), Some(target_arn)) =
            (&record.details.rule_arn, &record.details.target_arn)
        else {
            return;
        };
        let Some(rule) = self.rules.get(rule_arn) else {
            return;
        };
        let entry = self
            .targets
            .entry((rule.clone(), target_arn.clone()))
            .or_insert_with(|| TargetReport {
                rule: rule.clone(),
                target_arn: target_arn.clone(),
                succeeded: 0,
                failed: 0,
                sent_to_dlq: 0,
                errors: Vec::new(),
            });
        match record.message_type.as_str() {
            "INVOCATION_SUCCESS" => entry.succeeded += 1,
            "INVOCATION_DLQ" => entry.sent_to_dlq += 1,
            "INVOCATION_FAILURE" => {
                entry.failed += 1;
                entry.errors.push(DeliveryError {
                    time: timestamp(record.message_timestamp_ms.as_ref()),
                    message: record
                        .error
                        .and_then(|e| e.error_message)
                        .unwrap_or_else(|| "(no message)".to_owned()),
                });
                // Only the first errors are reported: keep no more while reading.
                if entry.errors.len() > 4 * MAX_ERRORS {
                    entry.errors.sort_by_key(|e| e.time);
                    entry.errors.truncate(MAX_ERRORS);
                }
            }
            _ => {}
        }
    }

    pub fn finish(self) -> Vec<TargetReport> {
        self.targets
            .into_values()
            .map(|mut target| {
                target.errors.sort_by_key(|e| e.time);
                target.errors.truncate(MAX_ERRORS);
                target
            })
            .collect()
    }
}

/// The per-target counts of `records` (see [`Tally`]).
pub fn tally(records: &[String], rules: &HashMap<String, String>) -> Vec<TargetReport> {
    let mut tally = Tally::new(rules);
    for line in records {
        tally.add(line);
    }
    tally.finish()
}

/// `message_timestamp_ms`, a number or a string of digits.
fn timestamp(value: Option<&serde_json::Value>) -> OffsetDateTime {
    let millis = match value {
        Some(serde_json::Value::Number(n)) => n.as_i64(),
        Some(serde_json::Value::String(s)) => s.parse().ok(),
        _ => None,
    };
    millis
        .and_then(|ms| OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).ok())
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn record(kind: &str, rule: &str, target: &str, at: i64, error: Option<&str>) -> String {
        let mut r = json!({
            "resource_arn": "arn:aws:events:us-east-1:123456789012:event-bus/orders",
            "message_timestamp_ms": at.to_string(),
            "message_type": kind,
            "log_level": "INFO",
            "details": {"rule_arn": rule, "target_arn": target},
        });
        if let Some(message) = error {
            r["error"] = json!({"http_status_code": 500, "error_message": message});
        }
        r.to_string()
    }

    #[test]
    fn counts_per_target_with_the_first_errors() {
        let rule = "arn:aws:events:us-east-1:123456789012:rule/orders/rewind-x";
        let other = "arn:aws:events:us-east-1:123456789012:rule/orders/other";
        let queue = "arn:aws:sqs:us-east-1:123456789012:q";
        let mut lines = vec![
            record("INVOCATION_SUCCESS", rule, queue, 1_000, None),
            record("INVOCATION_SUCCESS", rule, queue, 2_000, None),
            record("INVOCATION_FAILURE", rule, queue, 4_000, Some("later")),
            record("INVOCATION_FAILURE", rule, queue, 3_000, Some("first")),
            record("INVOCATION_DLQ", rule, queue, 5_000, None),
            record("INVOCATION_ATTEMPT_START", rule, queue, 5_000, None),
            record("INVOCATION_SUCCESS", other, queue, 6_000, None),
            "not json".to_owned(),
        ];
        for i in 0..30 {
            lines.push(record(
                "INVOCATION_FAILURE",
                rule,
                "arn:aws:lambda:f",
                10_000 + i,
                Some("boom"),
            ));
        }
        let rules = HashMap::from([(rule.to_owned(), "rewind-x".to_owned())]);
        let targets = tally(&lines, &rules);
        assert_eq!(targets.len(), 2);
        let lambda = &targets[0];
        assert_eq!((lambda.failed, lambda.errors.len()), (30, MAX_ERRORS));
        let sqs = &targets[1];
        assert_eq!((sqs.succeeded, sqs.failed, sqs.sent_to_dlq), (2, 2, 1));
        assert_eq!(sqs.errors[0].message, "first");
        assert_eq!(sqs.errors[0].time.unix_timestamp(), 3);
        assert_eq!(sqs.rule, "rewind-x");
    }
}
