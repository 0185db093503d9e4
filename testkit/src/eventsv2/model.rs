//! The vendored `eventbridgev2` model (`testkit/model/`, botocore 1.44.18): every request is
//! read and every response written through its shapes. A request's CBOR becomes a JSON
//! value (timestamps as epoch seconds, blobs as base64) that the operations work on, after
//! its constraints are checked; a response's JSON value becomes CBOR only if it fits its
//! output shape — no member the shape lacks, every required member present, each value of
//! its shape's type and within its constraints. A response that does not fit is an error of
//! the stand-in's own, never sent as if AWS had said it.

use super::cbor::Item;
use base64::Engine as _;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::sync::LazyLock;

/// The model as shipped in botocore 1.44.18 (`testkit/model/README.md`).
pub const SOURCE: &str = include_str!("../../model/eventbridgev2-2025-05-15.service-2.json");

/// The CBOR tag of an epoch-seconds timestamp (RFC 8949 §3.4.2), as smithy RPC v2 CBOR uses.
pub const TIMESTAMP_TAG: u64 = 1;

pub struct Model {
    doc: Value,
    /// Each string shape's `pattern`, compiled and anchored; `None` where the model's
    /// pattern uses a look-around the `regex` crate lacks (listed by [`Model::unchecked_patterns`]).
    patterns: HashMap<String, Option<regex::Regex>>,
}

static MODEL: LazyLock<Result<Model, String>> = LazyLock::new(|| Model::parse(SOURCE));

/// The vendored model (parsed once).
pub fn model() -> Result<&'static Model, ApiError> {
    MODEL.as_ref().map_err(|e| {
        ApiError::internal(format!("the stand-in's vendored model is unreadable: {e}"))
    })
}

/// An error answer: a code the model (or the protocol) knows, and a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub code: String,
    pub message: String,
}

impl ApiError {
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        Self {
            code: code.to_owned(),
            message: message.into(),
        }
    }
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new("InvalidInputException", message)
    }
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new("ResourceNotFoundException", message)
    }
    pub fn invalid_state(message: impl Into<String>) -> Self {
        Self::new("InvalidStateException", message)
    }
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new("InternalException", message)
    }

    /// The HTTP status: the model's `error.httpStatusCode` for its errors; 404 for an
    /// unknown operation; 400 for anything else a client got wrong.
    pub fn status(&self) -> u16 {
        if self.code == "UnknownOperationException" {
            return 404;
        }
        model()
            .ok()
            .and_then(|m| m.shape(&self.code))
            .and_then(|s| s.get("error"))
            .and_then(|e| e.get("httpStatusCode"))
            .and_then(Value::as_u64)
            .and_then(|s| u16::try_from(s).ok())
            .unwrap_or(400)
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

/// An operation's shapes.
#[derive(Debug, Clone)]
pub struct Operation {
    pub name: String,
    pub input: Option<String>,
    pub output: Option<String>,
    pub errors: Vec<String>,
}

impl Model {
    fn parse(source: &str) -> Result<Self, String> {
        let doc: Value = serde_json::from_str(source).map_err(|e| e.to_string())?;
        let mut patterns = HashMap::new();
        if let Some(shapes) = doc.get("shapes").and_then(Value::as_object) {
            for (name, shape) in shapes {
                if let Some(pattern) = shape.get("pattern").and_then(Value::as_str) {
                    patterns.insert(name.clone(), compile(pattern));
                }
            }
        } else {
            return Err("no shapes".to_owned());
        }
        Ok(Self { doc, patterns })
    }

    pub fn metadata(&self, key: &str) -> Option<&str> {
        self.doc.get("metadata")?.get(key)?.as_str()
    }

    pub fn shape(&self, name: &str) -> Option<&Map<String, Value>> {
        self.doc.get("shapes")?.get(name)?.as_object()
    }

    pub fn operation_names(&self) -> Vec<String> {
        self.doc
            .get("operations")
            .and_then(Value::as_object)
            .map(|ops| ops.keys().cloned().collect())
            .unwrap_or_default()
    }

    pub fn operation(&self, name: &str) -> Option<Operation> {
        let op = self.doc.get("operations")?.get(name)?;
        let shape_of = |key: &str| {
            op.get(key)
                .and_then(|s| s.get("shape"))
                .and_then(Value::as_str)
                .map(str::to_owned)
        };
        Some(Operation {
            name: name.to_owned(),
            input: shape_of("input"),
            output: shape_of("output"),
            errors: op
                .get("errors")
                .and_then(Value::as_array)
                .map(|errors| {
                    errors
                        .iter()
                        .filter_map(|e| e.get("shape").and_then(Value::as_str))
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default(),
        })
    }

    /// Every error shape of the model (structures with `"exception": true`).
    pub fn error_names(&self) -> Vec<String> {
        self.doc
            .get("shapes")
            .and_then(Value::as_object)
            .map(|shapes| {
                shapes
                    .iter()
                    .filter(|(_, s)| s.get("exception").and_then(Value::as_bool) == Some(true))
                    .map(|(n, _)| n.clone())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// String shapes whose pattern is not checked (a look-around the `regex` crate lacks).
    pub fn unchecked_patterns(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .patterns
            .iter()
            .filter(|(_, r)| r.is_none())
            .map(|(n, _)| n.clone())
            .collect();
        names.sort();
        names
    }

    fn kind(&self, shape: &str) -> &str {
        self.shape(shape)
            .and_then(|s| s.get("type"))
            .and_then(Value::as_str)
            .unwrap_or("")
    }

    /// Member `name` of structure `shape`: its shape's name.
    pub fn member_shape(&self, shape: &str, name: &str) -> Option<&str> {
        self.shape(shape)?
            .get("members")?
            .get(name)?
            .get("shape")?
            .as_str()
    }

    fn required(&self, shape: &str) -> Vec<&str> {
        self.shape(shape)
            .and_then(|s| s.get("required"))
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default()
    }

    fn target(&self, shape: &str, key: &str) -> Option<&str> {
        self.shape(shape)?.get(key)?.get("shape")?.as_str()
    }

    /// A request body's data item as the JSON value of `shape`: members the shape lacks
    /// are dropped (a newer client may send them), a null member is an absent one, and
    /// a value of the wrong CBOR type is refused.
    pub fn read(&self, item: &Item, shape: &str, path: &str) -> Result<Value, String> {
        let wrong = |expected: &str| {
            format!(
                "{} must be {expected}",
                if path.is_empty() { "the body" } else { path }
            )
        };
        Ok(match self.kind(shape) {
            "structure" => {
                let Item::Map(entries) = item else {
                    return Err(wrong("a map"));
                };
                let mut object = Map::new();
                for (key, value) in entries {
                    let Item::Text(key) = key else {
                        return Err(wrong("a map with text keys"));
                    };
                    if matches!(value, Item::Null | Item::Undefined) {
                        continue;
                    }
                    if let Some(member) = self.member_shape(shape, key) {
                        let value = self.read(value, member, &join(path, key))?;
                        object.insert(key.clone(), value);
                    }
                }
                Value::Object(object)
            }
            "list" => {
                let Item::Array(items) = item else {
                    return Err(wrong("an array"));
                };
                let member = self.target(shape, "member").unwrap_or_default();
                let mut values = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    values.push(self.read(item, member, &format!("{path}[{i}]"))?);
                }
                Value::Array(values)
            }
            "map" => {
                let Item::Map(entries) = item else {
                    return Err(wrong("a map"));
                };
                let value_shape = self.target(shape, "value").unwrap_or_default();
                let mut object = Map::new();
                for (key, value) in entries {
                    let Item::Text(key) = key else {
                        return Err(wrong("a map with text keys"));
                    };
                    let value = self.read(value, value_shape, &join(path, key))?;
                    object.insert(key.clone(), value);
                }
                Value::Object(object)
            }
            "string" => match item {
                Item::Text(text) => Value::String(text.clone()),
                _ => return Err(wrong("a text string")),
            },
            "integer" | "long" => match item {
                Item::Int(i) => i64::try_from(*i)
                    .map(Value::from)
                    .map_err(|_| wrong("an integer within 64 bits"))?,
                _ => return Err(wrong("an integer")),
            },
            "float" | "double" => match item {
                Item::Int(i) => Value::from(*i as f64),
                Item::Float(f) => serde_json::Number::from_f64(*f)
                    .map(Value::Number)
                    .ok_or_else(|| wrong("a finite number"))?,
                _ => return Err(wrong("a number")),
            },
            "boolean" => match item {
                Item::Bool(b) => Value::Bool(*b),
                _ => return Err(wrong("a boolean")),
            },
            "blob" => match item {
                Item::Bytes(bytes) => {
                    Value::String(base64::engine::general_purpose::STANDARD.encode(bytes))
                }
                _ => return Err(wrong("a byte string")),
            },
            "timestamp" => match item {
                Item::Tagged(TIMESTAMP_TAG, inner) => match inner.as_ref() {
                    Item::Int(i) => Value::from(*i as f64),
                    Item::Float(f) if f.is_finite() => Value::from(*f),
                    _ => return Err(wrong("a timestamp (tag 1 of a number)")),
                },
                _ => return Err(wrong("a timestamp (CBOR tag 1, epoch seconds)")),
            },
            other => return Err(format!("{path}: the model has no shape {shape} ({other})")),
        })
    }

    /// `value` against `shape`'s constraints (required members, one member of a union,
    /// lengths, ranges, enums, patterns), each failure told with its path.
    pub fn check(&self, shape: &str, value: &Value, path: &str, out: &mut Vec<String>) {
        let Some(def) = self.shape(shape) else {
            out.push(format!("{path}: no shape {shape} in the model"));
            return;
        };
        let at = if path.is_empty() { "the body" } else { path };
        let min = def.get("min").and_then(Value::as_f64);
        let max = def.get("max").and_then(Value::as_f64);
        match self.kind(shape) {
            "structure" => {
                let Some(object) = value.as_object() else {
                    out.push(format!("{at} must be a structure ({shape})"));
                    return;
                };
                for name in self.required(shape) {
                    if object.get(name).is_none_or(Value::is_null) {
                        out.push(format!("{} is required", join(path, name)));
                    }
                }
                if def.get("union").and_then(Value::as_bool) == Some(true) {
                    let set = object.values().filter(|v| !v.is_null()).count();
                    if set != 1 {
                        out.push(format!("{at} must have exactly one member set ({set} are)"));
                    }
                }
                for (name, member) in object {
                    if member.is_null() {
                        continue;
                    }
                    match self.member_shape(shape, name) {
                        Some(member_shape) => {
                            self.check(member_shape, member, &join(path, name), out)
                        }
                        None => {
                            out.push(format!("{} is not a member of {shape}", join(path, name)))
                        }
                    }
                }
            }
            "list" => {
                let Some(items) = value.as_array() else {
                    out.push(format!("{at} must be a list ({shape})"));
                    return;
                };
                count(items.len(), min, max, at, out);
                let member = self.target(shape, "member").unwrap_or_default();
                for (i, item) in items.iter().enumerate() {
                    self.check(member, item, &format!("{path}[{i}]"), out);
                }
            }
            "map" => {
                let Some(entries) = value.as_object() else {
                    out.push(format!("{at} must be a map ({shape})"));
                    return;
                };
                count(entries.len(), min, max, at, out);
                let key_shape = self.target(shape, "key").unwrap_or_default();
                let value_shape = self.target(shape, "value").unwrap_or_default();
                for (key, entry) in entries {
                    self.check(
                        key_shape,
                        &Value::String(key.clone()),
                        &format!("{} (key)", join(path, key)),
                        out,
                    );
                    self.check(value_shape, entry, &join(path, key), out);
                }
            }
            "string" => {
                let Some(text) = value.as_str() else {
                    out.push(format!("{at} must be a string ({shape})"));
                    return;
                };
                let len = text.chars().count();
                if min.is_some_and(|m| (len as f64) < m) || max.is_some_and(|m| (len as f64) > m) {
                    out.push(format!(
                        "{at} must have length {}..{} ({len} given)",
                        min.map(|m| m.to_string()).unwrap_or_default(),
                        max.map(|m| m.to_string()).unwrap_or_default(),
                    ));
                }
                if let Some(values) = def.get("enum").and_then(Value::as_array)
                    && !values.iter().any(|v| v.as_str() == Some(text))
                {
                    let allowed: Vec<&str> = values.iter().filter_map(Value::as_str).collect();
                    out.push(format!(
                        "{at} must be one of [{}] ('{text}' given)",
                        allowed.join(", ")
                    ));
                }
                if let Some(Some(pattern)) = self.patterns.get(shape)
                    && !pattern.is_match(text)
                {
                    out.push(format!(
                        "{at} must match the pattern of {shape} ({})",
                        def.get("pattern").and_then(Value::as_str).unwrap_or("")
                    ));
                }
            }
            "integer" | "long" => match value.as_i64() {
                Some(n) => {
                    if min.is_some_and(|m| (n as f64) < m) || max.is_some_and(|m| (n as f64) > m) {
                        out.push(format!(
                            "{at} must be within {}..{} ({n} given)",
                            min.map(|m| m.to_string()).unwrap_or_default(),
                            max.map(|m| m.to_string()).unwrap_or_default(),
                        ));
                    }
                }
                None => out.push(format!("{at} must be an integer ({shape})")),
            },
            "float" | "double" | "timestamp" => {
                if !value.is_number() {
                    out.push(format!("{at} must be a number ({shape})"));
                }
            }
            "boolean" => {
                if !value.is_boolean() {
                    out.push(format!("{at} must be a boolean ({shape})"));
                }
            }
            "blob" => {
                let decoded = value
                    .as_str()
                    .and_then(|s| base64::engine::general_purpose::STANDARD.decode(s).ok());
                if decoded.is_none() {
                    out.push(format!("{at} must be a blob ({shape})"));
                }
            }
            other => out.push(format!("{at}: shape {shape} has unknown type {other}")),
        }
    }

    /// `value` written as `shape`'s CBOR, or every way it does not fit the shape.
    pub fn write(&self, shape: &str, value: &Value) -> Result<Item, Vec<String>> {
        let mut problems = Vec::new();
        self.check(shape, value, "", &mut problems);
        let item = self.to_item(shape, value, "", &mut problems);
        if problems.is_empty() {
            Ok(item)
        } else {
            Err(problems)
        }
    }

    fn to_item(&self, shape: &str, value: &Value, path: &str, problems: &mut Vec<String>) -> Item {
        match (self.kind(shape), value) {
            ("structure", Value::Object(object)) => Item::Map(
                object
                    .iter()
                    .filter(|(_, v)| !v.is_null())
                    .filter_map(|(name, v)| {
                        let member = self.member_shape(shape, name)?;
                        let item = self.to_item(member, v, &join(path, name), problems);
                        Some((Item::Text(name.clone()), item))
                    })
                    .collect(),
            ),
            ("list", Value::Array(items)) => {
                let member = self.target(shape, "member").unwrap_or_default();
                Item::Array(
                    items
                        .iter()
                        .enumerate()
                        .map(|(i, v)| self.to_item(member, v, &format!("{path}[{i}]"), problems))
                        .collect(),
                )
            }
            ("map", Value::Object(entries)) => {
                let value_shape = self.target(shape, "value").unwrap_or_default();
                Item::Map(
                    entries
                        .iter()
                        .map(|(k, v)| {
                            (
                                Item::Text(k.clone()),
                                self.to_item(value_shape, v, &join(path, k), problems),
                            )
                        })
                        .collect(),
                )
            }
            ("string", Value::String(s)) => Item::Text(s.clone()),
            ("integer" | "long", Value::Number(n)) if n.is_i64() => {
                Item::Int(i128::from(n.as_i64().unwrap_or_default()))
            }
            ("float" | "double", Value::Number(n)) => Item::Float(n.as_f64().unwrap_or_default()),
            ("boolean", Value::Bool(b)) => Item::Bool(*b),
            ("timestamp", Value::Number(n)) => Item::Tagged(
                TIMESTAMP_TAG,
                Box::new(Item::Float(n.as_f64().unwrap_or_default())),
            ),
            ("blob", Value::String(s)) => Item::Bytes(
                base64::engine::general_purpose::STANDARD
                    .decode(s)
                    .unwrap_or_default(),
            ),
            (kind, _) => {
                // `check` has told the mismatch already.
                if !problems.iter().any(|p| p.starts_with(path)) {
                    problems.push(format!("{path}: cannot write a {kind} from {value}"));
                }
                Item::Null
            }
        }
    }
}

fn join(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_owned()
    } else {
        format!("{path}.{name}")
    }
}

fn count(n: usize, min: Option<f64>, max: Option<f64>, at: &str, out: &mut Vec<String>) {
    if min.is_some_and(|m| (n as f64) < m) || max.is_some_and(|m| (n as f64) > m) {
        out.push(format!(
            "{at} must have {}..{} entries ({n} given)",
            min.map(|m| m.to_string()).unwrap_or_default(),
            max.map(|m| m.to_string()).unwrap_or_default(),
        ));
    }
}

/// A model pattern as an anchored `regex`. botocore writes Smithy's end anchor as the
/// look-ahead `(?![\s\S]).*`; that tail is dropped and the whole pattern anchored, so a
/// value matches only if all of it does. Other look-arounds are not checked (`None`).
fn compile(pattern: &str) -> Option<regex::Regex> {
    let core = pattern.strip_suffix("(?![\\s\\S]).*").unwrap_or(pattern);
    if core.contains("(?!") || core.contains("(?=") || core.contains("(?<") {
        return None;
    }
    regex::Regex::new(&format!("^(?:{core})$")).ok()
}

/// Epoch milliseconds as the JSON number a timestamp member takes (epoch seconds). A
/// double near 1.7e9 is exact to about 0.12 µs either way, and the Rust SDK truncates what
/// it reads to the millisecond: 0.25 µs more keeps `.383` from reading as `.382`, and is
/// still below the microsecond botocore rounds to.
pub fn seconds(ms: i64) -> Value {
    Value::from((ms as f64 + 0.000_25) / 1000.0)
}

/// A timestamp member's epoch seconds as milliseconds: truncated, as the SDKs read them,
/// but a value less than a microsecond below a millisecond (a double's error) is that
/// millisecond.
pub fn millis(value: &Value) -> Option<i64> {
    value.as_f64().map(|s| (s * 1000.0 + 0.001).floor() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn m() -> &'static Model {
        model().expect("the vendored model parses")
    }

    #[test]
    fn the_vendored_model_is_botocores_eventbridgev2() {
        let m = m();
        assert_eq!(m.metadata("protocol"), Some("smithy-rpc-v2-cbor"));
        assert_eq!(m.metadata("targetPrefix"), Some("AWSEventsV2"));
        assert_eq!(m.metadata("apiVersion"), Some("2025-05-15"));
        assert_eq!(m.operation_names().len(), 26);
        assert_eq!(m.error_names().len(), 15);
    }

    #[test]
    fn only_look_around_patterns_go_unchecked() {
        assert_eq!(
            m().unchecked_patterns(),
            ["EventSourceName", "PathParameter"],
            "every other pattern of the model compiles"
        );
    }

    #[test]
    fn patterns_are_anchored() {
        let mut out = Vec::new();
        let arn =
            "arn:aws:events:us-east-1:000000000000:event-busv2/orders/abcdefghijklmnopqrstuvwxy";
        m().check("EventBusArn", &json!(arn), "EventBusArn", &mut out);
        assert!(out.is_empty(), "{out:?}");
        m().check(
            "EventBusArn",
            &json!(format!("{arn}/extra")),
            "EventBusArn",
            &mut out,
        );
        m().check(
            "EventBusArn",
            &json!(format!("x{arn}")),
            "EventBusArn",
            &mut out,
        );
        assert_eq!(out.len(), 2, "{out:?}");
        out.clear();
        m().check(
            "Description",
            &json!("line\nbreak"),
            "Description",
            &mut out,
        );
        assert_eq!(out.len(), 1, "control characters are refused: {out:?}");
    }

    #[test]
    fn a_response_member_outside_the_model_or_a_missing_required_one_is_refused() {
        let m = m();
        let ok = json!({"ResourceArn": "arn:aws:events:us-east-1:000000000000:event-busv2/b/abcdefghijklmnopqrstuvwxy",
                        "PolicyDocument": "{}", "PolicyName": "default", "RevisionId": "1"});
        assert!(m.write("GetResourcePolicyResponse", &ok).is_ok());
        let mut extra = ok.clone();
        extra["Extra"] = json!(1);
        let problems = m.write("GetResourcePolicyResponse", &extra).unwrap_err();
        assert!(
            problems.iter().any(|p| p.contains("Extra is not a member")),
            "{problems:?}"
        );
        let mut missing = ok.clone();
        missing.as_object_mut().unwrap().remove("RevisionId");
        let problems = m.write("GetResourcePolicyResponse", &missing).unwrap_err();
        assert!(
            problems
                .iter()
                .any(|p| p.contains("RevisionId is required")),
            "{problems:?}"
        );
        let wrong = json!({"EventBusArn": 3});
        let problems = m.write("DescribeEventBusResponse", &wrong).unwrap_err();
        assert!(
            problems.iter().any(|p| p.contains("must be a string")),
            "{problems:?}"
        );
        let bad_enum = json!({"State": "RUNNING"});
        assert!(m.write("DescribeEventBusResponse", &bad_enum).is_err());
    }

    #[test]
    fn timestamps_travel_as_tag_1_and_blobs_as_byte_strings() {
        let m = m();
        let item = m
            .write(
                "DescribeEventBusResponse",
                &json!({"CreationTime": 1_700_000_000.5}),
            )
            .unwrap();
        assert_eq!(
            item,
            Item::Map(vec![(
                Item::Text("CreationTime".into()),
                Item::Tagged(1, Box::new(Item::Float(1_700_000_000.5)))
            )])
        );
        let read = m
            .read(
                &Item::Map(vec![(
                    Item::Text("Data".into()),
                    Item::Bytes(b"{}".to_vec()),
                )]),
                "PutRawEventsRequestEntry",
                "",
            )
            .unwrap();
        assert_eq!(read, json!({"Data": "e30="}));
        let untagged = Item::Map(vec![(Item::Text("StartingPoint".into()), Item::Int(5))]);
        assert!(m.read(&untagged, "PointInTimeConfiguration", "").is_err());
    }
}
