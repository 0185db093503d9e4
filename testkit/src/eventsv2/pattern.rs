//! EventBridge event patterns, as a subscriber's filters use them: checked when a
//! subscriber is created or updated, matched against each event's `Data`, `Metadata` or
//! `SystemMetadata` at delivery.

use serde_json::{Map, Value};

/// A pattern that passed [`Pattern::parse`].
#[derive(Debug, Clone, PartialEq)]
pub struct Pattern(Map<String, Value>);

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

impl Pattern {
    /// `text` as a pattern, or what is wrong with it. `exact_only`: only literal values
    /// (a METADATA filter's rule).
    pub fn parse(text: &str, exact_only: bool) -> Result<Self, String> {
        let value: Value = serde_json::from_str(text)
            .map_err(|e| format!("the pattern is not valid JSON: {e}"))?;
        let Value::Object(object) = value else {
            return Err("a pattern must be a JSON object".to_owned());
        };
        if object.is_empty() {
            return Err("a pattern must test at least one field".to_owned());
        }
        check_object(&object, "", exact_only)?;
        Ok(Self(object))
    }

    pub fn matches(&self, event: &Value) -> bool {
        match_object(&self.0, event)
    }
}

fn check_object(object: &Map<String, Value>, path: &str, exact_only: bool) -> Result<(), String> {
    for (key, value) in object {
        let here = if path.is_empty() {
            key.clone()
        } else {
            format!("{path}.{key}")
        };
        if key == "$or" {
            let Some(alternatives) = value.as_array().filter(|a| a.len() >= 2) else {
                return Err(format!("{here} must be an array of at least two patterns"));
            };
            for alternative in alternatives {
                let Some(alternative) = alternative.as_object().filter(|o| !o.is_empty()) else {
                    return Err(format!("each alternative of {here} must be a pattern"));
                };
                check_object(alternative, path, exact_only)?;
            }
            continue;
        }
        match value {
            Value::Object(inner) if !inner.is_empty() => check_object(inner, &here, exact_only)?,
            Value::Array(values) if !values.is_empty() => {
                for value in values {
                    check_value(value, &here, exact_only)?;
                }
            }
            _ => {
                return Err(format!(
                    "{here} must be a non-empty array of values or a nested pattern"
                ));
            }
        }
    }
    Ok(())
}

fn check_value(value: &Value, here: &str, exact_only: bool) -> Result<(), String> {
    let Value::Object(matcher) = value else {
        return Ok(()); // a literal: string, number, boolean or null
    };
    if exact_only {
        return Err(format!(
            "{here}: a METADATA filter matches exact values only"
        ));
    }
    let mut entries = matcher.iter();
    let (Some((name, operand)), None) = (entries.next(), entries.next()) else {
        return Err(format!("{here}: a matcher has exactly one operator"));
    };
    let text_or_ignore_case = |operand: &Value| match operand {
        Value::String(_) => true,
        Value::Object(o) => {
            o.len() == 1 && o.get("equals-ignore-case").is_some_and(Value::is_string)
        }
        _ => false,
    };
    let ok = match name.as_str() {
        "prefix" | "suffix" => text_or_ignore_case(operand),
        "equals-ignore-case" | "wildcard" | "cidr" => operand.is_string(),
        "exists" => operand.is_boolean(),
        "numeric" => numeric_operand(operand),
        "anything-but" => match operand {
            Value::String(_) | Value::Number(_) => true,
            Value::Array(items) => {
                !items.is_empty()
                    && (items.iter().all(Value::is_string) || items.iter().all(Value::is_number))
            }
            Value::Object(o) => {
                let mut inner = o.iter();
                matches!(
                    (inner.next(), inner.next()),
                    (Some((op, v)), None)
                        if matches!(op.as_str(), "prefix" | "suffix" | "equals-ignore-case" | "wildcard")
                            && (v.is_string() || v.as_array().is_some_and(|a| !a.is_empty() && a.iter().all(Value::is_string)))
                )
            }
            _ => false,
        },
        _ => {
            return Err(format!(
                "{here}: unknown matcher {name} (known: {})",
                MATCHERS.join(", ")
            ));
        }
    };
    if ok {
        Ok(())
    } else {
        Err(format!("{here}: the operand of {name} is not valid"))
    }
}

fn numeric_operand(operand: &Value) -> bool {
    let Some(items) = operand.as_array() else {
        return false;
    };
    match items.as_slice() {
        [op, n] => comparison(op).is_some() && n.is_number(),
        [op1, n1, op2, n2] => {
            matches!(comparison(op1), Some(">" | ">="))
                && matches!(comparison(op2), Some("<" | "<="))
                && n1.is_number()
                && n2.is_number()
        }
        _ => false,
    }
}

fn comparison(op: &Value) -> Option<&str> {
    op.as_str()
        .filter(|o| matches!(*o, "=" | "<" | "<=" | ">" | ">="))
}

fn match_object(pattern: &Map<String, Value>, event: &Value) -> bool {
    pattern.iter().all(|(key, expected)| {
        if key == "$or" {
            return expected.as_array().is_some_and(|alternatives| {
                alternatives
                    .iter()
                    .filter_map(Value::as_object)
                    .any(|alternative| match_object(alternative, event))
            });
        }
        let field = event.get(key);
        match expected {
            Value::Object(inner) => match field {
                Some(Value::Object(_)) => field.is_some_and(|f| match_object(inner, f)),
                Some(Value::Array(items)) => items.iter().any(|item| match_object(inner, item)),
                _ => false,
            },
            Value::Array(matchers) => matchers.iter().any(|m| match_leaf(m, field)),
            _ => false,
        }
    })
}

fn match_leaf(matcher: &Value, field: Option<&Value>) -> bool {
    if let Some(exists) = matcher.get("exists").and_then(Value::as_bool) {
        return field.is_some() == exists;
    }
    match field {
        None => false,
        Some(Value::Array(items)) => items.iter().any(|item| match_scalar(matcher, item)),
        Some(value) => match_scalar(matcher, value),
    }
}

fn match_scalar(matcher: &Value, value: &Value) -> bool {
    let Value::Object(m) = matcher else {
        return literal_equals(matcher, value);
    };
    let Some((name, operand)) = m.iter().next() else {
        return false;
    };
    let text = value.as_str();
    match name.as_str() {
        "prefix" => text.is_some_and(|t| affix(operand, t, true)),
        "suffix" => text.is_some_and(|t| affix(operand, t, false)),
        "equals-ignore-case" => text
            .zip(operand.as_str())
            .is_some_and(|(t, o)| t.to_lowercase() == o.to_lowercase()),
        "wildcard" => text
            .zip(operand.as_str())
            .is_some_and(|(t, o)| wildcard(o, t)),
        "numeric" => value.as_f64().is_some_and(|n| numeric(operand, n)),
        "cidr" => text.zip(operand.as_str()).is_some_and(|(t, o)| cidr(o, t)),
        "anything-but" => match operand {
            Value::Array(items) => !items.iter().any(|i| literal_equals(i, value)),
            Value::Object(inner) => text.is_some_and(|t| {
                inner.iter().next().is_some_and(|(op, v)| {
                    let values: Vec<&str> = match v {
                        Value::String(s) => vec![s.as_str()],
                        Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
                        _ => Vec::new(),
                    };
                    !values.iter().any(|v| match op.as_str() {
                        "prefix" => t.starts_with(v),
                        "suffix" => t.ends_with(v),
                        "equals-ignore-case" => t.to_lowercase() == v.to_lowercase(),
                        "wildcard" => wildcard(v, t),
                        _ => false,
                    })
                })
            }),
            single => !literal_equals(single, value),
        },
        _ => false,
    }
}

fn literal_equals(expected: &Value, value: &Value) -> bool {
    match (expected, value) {
        (Value::Number(a), Value::Number(b)) => a.as_f64() == b.as_f64(),
        _ => expected == value,
    }
}

fn affix(operand: &Value, text: &str, prefix: bool) -> bool {
    let (needle, ignore_case) = match operand {
        Value::String(s) => (s.clone(), false),
        Value::Object(o) => match o.get("equals-ignore-case").and_then(Value::as_str) {
            Some(s) => (s.to_lowercase(), true),
            None => return false,
        },
        _ => return false,
    };
    let text = if ignore_case {
        text.to_lowercase()
    } else {
        text.to_owned()
    };
    if prefix {
        text.starts_with(&needle)
    } else {
        text.ends_with(&needle)
    }
}

fn numeric(operand: &Value, n: f64) -> bool {
    let Some(items) = operand.as_array() else {
        return false;
    };
    items.chunks(2).all(|pair| match pair {
        [op, bound] => {
            let Some(bound) = bound.as_f64() else {
                return false;
            };
            match op.as_str() {
                Some("=") => n == bound,
                Some("<") => n < bound,
                Some("<=") => n <= bound,
                Some(">") => n > bound,
                Some(">=") => n >= bound,
                _ => false,
            }
        }
        _ => false,
    })
}

/// `*` matches any run of characters; everything else is literal.
fn wildcard(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    let [first, middle @ .., last] = parts.as_slice() else {
        return pattern == text; // no `*`
    };
    let Some(mut rest) = text.strip_prefix(first) else {
        return false;
    };
    for part in middle {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

/// IPv4 CIDR only (`10.0.0.0/24`).
fn cidr(block: &str, address: &str) -> bool {
    let parse = |s: &str| s.parse::<std::net::Ipv4Addr>().ok().map(u32::from);
    let Some((network, bits)) = block.split_once('/') else {
        return false;
    };
    let (Some(network), Some(address), Ok(bits)) =
        (parse(network), parse(address), bits.parse::<u32>())
    else {
        return false;
    };
    if bits > 32 {
        return false;
    }
    let mask = if bits == 0 {
        0
    } else {
        u32::MAX << (32 - bits)
    };
    network & mask == address & mask
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn matches(pattern: &str, event: Value) -> bool {
        Pattern::parse(pattern, false)
            .unwrap_or_else(|e| panic!("{pattern}: {e}"))
            .matches(&event)
    }

    #[test]
    fn matches_the_classic_envelope_with_detail_nested() {
        let event = json!({"source": "shop", "detail-type": "OrderPlaced",
                           "detail": {"total": 600, "country": "TH", "tags": ["a", "b"], "ip": "10.0.0.7"}});
        assert!(matches(r#"{"source":["shop"]}"#, event.clone()));
        assert!(matches(
            r#"{"detail":{"total":[{"numeric":[">",500]}]}}"#,
            event.clone()
        ));
        assert!(!matches(
            r#"{"detail":{"total":[{"numeric":[">",500,"<=",600]}],"country":["FR"]}}"#,
            event.clone()
        ));
        assert!(matches(r#"{"detail":{"tags":["b"]}}"#, event.clone()));
        assert!(matches(
            r#"{"detail":{"country":[{"anything-but":["FR","DE"]}]}}"#,
            event.clone()
        ));
        assert!(matches(
            r#"{"detail":{"missing":[{"exists":false}]}}"#,
            event.clone()
        ));
        assert!(!matches(
            r#"{"detail":{"missing":[{"anything-but":"x"}]}}"#,
            event.clone()
        ));
        assert!(matches(
            r#"{"detail-type":[{"prefix":{"equals-ignore-case":"order"}}]}"#,
            event.clone()
        ));
        assert!(matches(
            r#"{"detail-type":[{"wildcard":"Order*ed"}]}"#,
            event.clone()
        ));
        assert!(matches(
            r#"{"detail":{"ip":[{"cidr":"10.0.0.0/24"}]}}"#,
            event.clone()
        ));
        assert!(matches(
            r#"{"$or":[{"source":["other"]},{"detail":{"country":["TH"]}}]}"#,
            event.clone()
        ));
        assert!(
            !matches(r#"{"total":[600]}"#, event),
            "Data is the envelope: the payload sits under detail"
        );
    }

    #[test]
    fn refuses_malformed_patterns() {
        for bad in [
            "[]",
            "{}",
            r#"{"a":[]}"#,
            r#"{"a":"x"}"#,
            r#"{"a":[{"nope":1}]}"#,
            r#"{"a":[{"numeric":["<",1,">",2]}]}"#,
            r#"{"$or":[{"a":["x"]}]}"#,
            "not json",
        ] {
            assert!(Pattern::parse(bad, false).is_err(), "{bad}");
        }
        assert!(Pattern::parse(r#"{"k":[{"prefix":"x"}]}"#, true).is_err());
        assert!(Pattern::parse(r#"{"k":["x"]}"#, true).is_ok());
    }
}
