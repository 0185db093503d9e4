//! `POST /api/event-patterns/test`: does a pattern match an event?

use crate::Field;
use crate::FieldError;
use crate::validation::EventPattern;
use serde::{Deserialize, Serialize};

/// The pattern and the event, both as JSON text (as EventBridge takes them).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TestEventPatternRequest {
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 4096))]
    pub event_pattern: String,
    /// A whole event: `id`, `account`, `source`, `time`, `region`, `resources`, `detail-type`, `detail`.
    #[cfg_attr(feature = "openapi", schema(min_length = 1))]
    pub event: String,
}

/// A test request that passed every check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternTest {
    pub pattern: EventPattern,
    pub event: String,
}

/// The fields EventBridge requires of a test event.
const EVENT_FIELDS: &[&str] = &["id", "account", "source", "time", "region", "detail-type"];

impl TestEventPatternRequest {
    pub fn validate(&self) -> Result<PatternTest, FieldError> {
        let pattern = EventPattern::parse(&self.event_pattern)?;
        let event: serde_json::Value = serde_json::from_str(&self.event).map_err(|e| {
            FieldError::new(Field::Event, format!("The event is not valid JSON: {e}."))
        })?;
        let Some(object) = event.as_object() else {
            return Err(FieldError::new(
                Field::Event,
                "The event must be a JSON object.",
            ));
        };
        let missing: Vec<&str> = EVENT_FIELDS
            .iter()
            .copied()
            .filter(|f| !object.contains_key(*f))
            .collect();
        if !missing.is_empty() {
            return Err(FieldError::new(
                Field::Event,
                format!(
                    "The event lacks {}; EventBridge needs them to test a pattern.",
                    missing.join(", ")
                ),
            ));
        }
        Ok(PatternTest {
            pattern,
            event: self.event.clone(),
        })
    }
}

/// `{matches}`
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TestEventPatternResponse {
    pub matches: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    const EVENT: &str = r#"{"id":"1","account":"123456789012","source":"orders","time":"2026-11-26T12:00:00Z","region":"us-east-1","resources":[],"detail-type":"OrderCreated","detail":{}}"#;

    #[test]
    fn validates_both_parts() {
        let ok = TestEventPatternRequest {
            event_pattern: r#"{"source":["orders"]}"#.into(),
            event: EVENT.into(),
        };
        assert!(ok.validate().is_ok());
        let bad_pattern = TestEventPatternRequest {
            event_pattern: "{".into(),
            ..ok.clone()
        };
        assert_eq!(
            bad_pattern.validate().unwrap_err().code,
            crate::ErrorCode::InvalidEventPattern
        );
        let bad_event = TestEventPatternRequest {
            event: "{}".into(),
            ..ok.clone()
        };
        let e = bad_event.validate().unwrap_err();
        assert_eq!(e.field, "event");
        assert!(e.message.contains("detail-type"));
    }
}
