//! Event patterns: a JSON object within EventBridge's size limit.

use super::string_newtype;
use crate::FieldError;
use serde_json::{Map, Value};

/// An EventBridge event pattern: a JSON object of at most 4096 characters whose
/// structure EventBridge accepts (every leaf is a non-empty array of values or
/// matchers such as `{"prefix": "x"}`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EventPattern(String);

/// The content-filter operators EventBridge knows.
const MATCHERS: &[&str] = &[
    "prefix",
    "suffix",
    "anything-but",
    "numeric",
    "exists",
    "cidr",
    "equals-ignore-case",
    "wildcard",
];

impl EventPattern {
    pub const MAX_LEN: usize = 4096;

    pub fn parse(value: &str) -> Result<Self, FieldError> {
        let field = "eventPattern";
        let len = value.chars().count();
        if len > Self::MAX_LEN {
            return Err(FieldError::new(
                field,
                format!(
                    "An event pattern has at most {} characters; this one has {len}.",
                    Self::MAX_LEN
                ),
            ));
        }
        let json: Value = serde_json::from_str(value).map_err(|e| {
            FieldError::pattern(field, format!("The event pattern is not valid JSON: {e}."))
        })?;
        let Value::Object(object) = json else {
            return Err(FieldError::pattern(
                field,
                "An event pattern must be a JSON object, such as {\"source\": [\"orders\"]}.",
            ));
        };
        check_object(&object, "").map_err(|m| FieldError::pattern(field, m))?;
        Ok(Self(value.to_owned()))
    }

    /// The pattern re-indented for reading (two spaces), or as stored if that fails.
    pub fn pretty(&self) -> String {
        serde_json::from_str::<Value>(&self.0)
            .and_then(|v| serde_json::to_string_pretty(&v))
            .unwrap_or_else(|_| self.0.clone())
    }
}
string_newtype!(EventPattern);

fn path_of(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_owned()
    } else {
        format!("{parent}.{key}")
    }
}

fn check_object(object: &Map<String, Value>, path: &str) -> Result<(), String> {
    if object.is_empty() {
        return Err(if path.is_empty() {
            "An event pattern needs at least one field to match, such as {\"source\": [\"orders\"]}.".to_owned()
        } else {
            format!("'{path}' is an empty object; give it a field to match or remove it.")
        });
    }
    for (key, value) in object {
        let here = path_of(path, key);
        match value {
            Value::Object(inner) => check_object(inner, &here)?,
            Value::Array(items) if key == "$or" => {
                if items.len() < 2 {
                    return Err(format!("'{here}' needs at least two alternatives."));
                }
                for item in items {
                    match item {
                        Value::Object(alternative) => check_object(alternative, path)?,
                        _ => {
                            return Err(format!("Each alternative of '{here}' must be an object."));
                        }
                    }
                }
            }
            Value::Array(items) => {
                if items.is_empty() {
                    return Err(format!("'{here}' is an empty list, which matches nothing."));
                }
                for item in items {
                    check_match_value(item, &here)?;
                }
            }
            _ => {
                return Err(format!(
                    "'{here}' must be a list of values to match, e.g. [{}].",
                    value
                ));
            }
        }
    }
    Ok(())
}

fn check_match_value(value: &Value, path: &str) -> Result<(), String> {
    match value {
        Value::Object(matcher) => {
            if matcher.len() != 1 {
                return Err(format!(
                    "A matcher in '{path}' must have exactly one operator, such as {{\"prefix\": \"ord\"}}."
                ));
            }
            match matcher.keys().next() {
                Some(op) if MATCHERS.contains(&op.as_str()) => Ok(()),
                Some(op) => Err(format!(
                    "'{op}' in '{path}' is not an EventBridge matcher; use one of {}.",
                    MATCHERS.join(", ")
                )),
                None => Err(format!("A matcher in '{path}' is empty.")),
            }
        }
        Value::Array(_) => Err(format!("'{path}' may not contain nested lists.")),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_real_patterns() {
        for ok in [
            r#"{"source":["orders"]}"#,
            r#"{"source":["orders"],"detail-type":["OrderCreated"],"detail":{"amount":[{"numeric":[">",100]}]}}"#,
            r#"{"detail":{"state":[{"anything-but":"done"}],"x":[null, 1, true]}}"#,
            r#"{"$or":[{"source":["a"]},{"detail-type":["b"]}]}"#,
        ] {
            assert!(EventPattern::parse(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn rejects_invalid_patterns_as_invalid_event_pattern() {
        for bad in [
            "",
            "not json",
            "[]",
            "{}",
            r#"{"source":"orders"}"#,
            r#"{"source":[]}"#,
            r#"{"source":[["a"]]}"#,
            r#"{"source":[{"begins":"a"}]}"#,
            r#"{"detail":{}}"#,
            r#"{"$or":[{"source":["a"]}]}"#,
        ] {
            let e = EventPattern::parse(bad).unwrap_err();
            assert_eq!(e.field, "eventPattern");
            assert_eq!(e.code, crate::ErrorCode::InvalidEventPattern, "{bad}");
        }
    }

    #[test]
    fn length_boundary() {
        let head = r#"{"source":[""#;
        let tail = r#""]}"#;
        let fill = 4096 - head.len() - tail.len();
        let ok = format!("{head}{}{tail}", "s".repeat(fill));
        assert_eq!(ok.len(), 4096);
        assert!(EventPattern::parse(&ok).is_ok());
        let too_long = format!("{head}{}{tail}", "s".repeat(fill + 1));
        let e = EventPattern::parse(&too_long).unwrap_err();
        assert_eq!(e.code, crate::ErrorCode::ValidationError);
        assert!(e.message.contains("4096"));
    }

    #[test]
    fn pretty_prints() {
        let p = EventPattern::parse(r#"{"source":["a"]}"#).unwrap();
        assert_eq!(p.pretty(), "{\n  \"source\": [\n    \"a\"\n  ]\n}");
    }
}
