//! Event patterns: a JSON object within EventBridge's size limit.

use super::string_newtype;
use crate::Field;
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

/// `pattern` with `"replay-name": [replay_names…]` set: a rule's pattern that matches
/// only these replays' events.
fn only_replays(
    mut pattern: Map<String, Value>,
    replay_names: &[&str],
) -> Result<EventPattern, FieldError> {
    let names = replay_names
        .iter()
        .map(|name| Value::String((*name).to_owned()));
    pattern.insert(REPLAY_NAME.to_owned(), Value::Array(names.collect()));
    EventPattern::parse(&Value::Object(pattern).to_string())
        .map_err(|e| e.at(Field::RoutingEventPattern))
}

impl EventPattern {
    pub const MAX_LEN: usize = 4096;

    pub fn parse(value: &str) -> Result<Self, FieldError> {
        let field = Field::EventPattern;
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

    /// Whether an event replayed by `replay_name` can match. Replayed events carry a
    /// top-level `replay-name` field: the pattern's conditions on that field (also inside
    /// `$or` alternatives) decide; conditions on anything else depend on the event and are
    /// taken as met. Operators this cannot evaluate (`cidr`) count as matching, so a
    /// rule is never reported safe by mistake.
    pub fn admits_replay(&self, replay_name: &str) -> bool {
        self.object()
            .is_none_or(|object| admits(&object, Some(replay_name)))
    }

    /// Whether the pattern refuses every replayed event, whatever the replay's name (as
    /// `"replay-name": [{"exists": false}]` does): the rule has opted out of replays.
    pub fn refuses_replays(&self) -> bool {
        self.object().is_some_and(|object| !admits(&object, None))
    }

    /// The pattern with `"replay-name": [{"exists": false}]` added as its first key and
    /// the rest of its text unchanged; `None` when it already refuses every replay. A
    /// pattern that tests `replay-name` some other way is left to a person to edit.
    pub fn with_replay_opt_out(&self) -> Result<Option<EventPattern>, FieldError> {
        if self.refuses_replays() {
            return Ok(None);
        }
        if self.object().is_some_and(|o| o.contains_key(REPLAY_NAME)) {
            return Err(FieldError::new(
                Field::EventPattern,
                "This rule's pattern already tests replay-name in another way; edit the pattern by hand to opt it out.",
            ));
        }
        let text = self.0.trim_start();
        let Some(rest) = text.strip_prefix('{') else {
            return Err(FieldError::pattern(
                Field::EventPattern,
                "The pattern is not a JSON object.",
            ));
        };
        EventPattern::parse(&format!("{{{OPT_OUT},{rest}")).map(Some)
    }

    /// The pattern of a temporary rule that routes replay `replay_name` to this rule's
    /// targets: this pattern, `narrowing`'s keys merged in (a key both constrain must be
    /// constrained equally), and `"replay-name": [replay_name]`. A pattern that refuses
    /// the replay (an opted-out rule) cannot be routed to.
    pub fn routed(
        &self,
        narrowing: Option<&EventPattern>,
        replay_name: &str,
    ) -> Result<EventPattern, FieldError> {
        self.routed_for(narrowing, &[replay_name])
    }

    /// [`EventPattern::routed`] for several replays (a job's slices): the copy matches
    /// each of `replay_names` and no other replay.
    pub fn routed_for(
        &self,
        narrowing: Option<&EventPattern>,
        replay_names: &[&str],
    ) -> Result<EventPattern, FieldError> {
        let mut merged = self.object().unwrap_or_default();
        if !replay_names.iter().all(|name| admits(&merged, Some(name))) {
            return Err(FieldError::new(
                Field::RoutingTargets,
                "its pattern refuses this replay's events (the rule opted out of replays)",
            ));
        }
        // The copy's own replay-name condition would replace the rule's: whatever the
        // rule says about replays (an opt-out in a form `admits` cannot evaluate, say)
        // must not be overridden, so such a rule is not routed to at all.
        if names_replay_name(&merged) {
            return Err(FieldError::new(
                Field::RoutingTargets,
                "its pattern tests replay-name, and a routed copy would have to replace that test; route to a rule whose pattern leaves replay-name alone",
            ));
        }
        if let Some(narrowing) = narrowing.and_then(EventPattern::object) {
            if names_replay_name(&narrowing) {
                return Err(FieldError::new(
                    Field::RoutingEventPattern,
                    "The narrowing pattern may not test replay-name; Rewind sets it.",
                ));
            }
            merge(&mut merged, narrowing, "")?;
        }
        only_replays(merged, replay_names)
    }

    /// The pattern of a forwarding rule: only these replays' events (and, if given, only
    /// those the narrowing pattern matches).
    pub fn forwarding(
        narrowing: Option<&EventPattern>,
        replay_names: &[&str],
    ) -> Result<EventPattern, FieldError> {
        let merged = narrowing.and_then(EventPattern::object).unwrap_or_default();
        if names_replay_name(&merged) {
            return Err(FieldError::new(
                Field::RoutingEventPattern,
                "The narrowing pattern may not test replay-name; Rewind sets it.",
            ));
        }
        only_replays(merged, replay_names)
    }

    fn object(&self) -> Option<Map<String, Value>> {
        match serde_json::from_str(&self.0) {
            Ok(Value::Object(object)) => Some(object),
            _ => None,
        }
    }
}
string_newtype!(EventPattern);

/// The top-level field EventBridge adds to every replayed event.
pub const REPLAY_NAME: &str = "replay-name";
/// The pattern key that makes a rule ignore replayed events.
pub const OPT_OUT: &str = r#""replay-name":[{"exists":false}]"#;

/// Merges `extra` into `into` key by key; objects on both sides merge deeper, any other
/// value must be equal on both.
fn merge(
    into: &mut Map<String, Value>,
    extra: Map<String, Value>,
    path: &str,
) -> Result<(), FieldError> {
    for (key, value) in extra {
        let here = path_of(path, &key);
        match (into.get_mut(&key), value) {
            (None, value) => {
                into.insert(key, value);
            }
            (Some(Value::Object(mine)), Value::Object(theirs)) => merge(mine, theirs, &here)?,
            (Some(mine), theirs) if *mine == theirs => {}
            (Some(_), _) => {
                return Err(FieldError::new(
                    Field::RoutingEventPattern,
                    format!(
                        "'{here}' is constrained differently by the rule's pattern and the narrowing pattern; make them equal or leave it out of the narrowing pattern."
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// Whether `pattern` tests the top-level `replay-name` field, directly or inside any
/// `$or` alternative (at any depth of `$or`).
fn names_replay_name(pattern: &Map<String, Value>) -> bool {
    pattern
        .iter()
        .any(|(key, value)| match (key.as_str(), value) {
            (REPLAY_NAME, _) => true,
            ("$or", Value::Array(alternatives)) => alternatives
                .iter()
                .any(|a| a.as_object().is_some_and(names_replay_name)),
            _ => false,
        })
}

/// Can an event whose `replay-name` is `name` (`None`: any name) match `pattern`?
fn admits(pattern: &Map<String, Value>, name: Option<&str>) -> bool {
    pattern
        .iter()
        .all(|(key, value)| match (key.as_str(), value) {
            (REPLAY_NAME, Value::Array(matchers)) => {
                matchers.iter().any(|m| matcher_admits(m, name))
            }
            ("$or", Value::Array(alternatives)) => alternatives
                .iter()
                .any(|a| a.as_object().is_none_or(|a| admits(a, name))),
            _ => true,
        })
}

/// Does one entry of a `replay-name` list accept `name` (`None`: some name)?
fn matcher_admits(matcher: &Value, name: Option<&str>) -> bool {
    let Value::Object(operator) = matcher else {
        // A literal: a string equal to the name; never a number, boolean or null.
        return matcher
            .as_str()
            .is_some_and(|s| name.is_none_or(|n| n == s));
    };
    let Some((op, operand)) = operator.iter().next() else {
        return true;
    };
    match (op.as_str(), name) {
        ("exists", _) => operand.as_bool() != Some(false),
        ("numeric", _) => false,
        (_, None) => true,
        (_, Some(n)) => match op.as_str() {
            "anything-but" => !anything_but_excludes(operand, n),
            other => text_test(other, operand, n).unwrap_or(true),
        },
    }
}

/// `prefix`, `suffix`, `equals-ignore-case` and `wildcard` on `name`; `None` if the
/// operator or operand is one this does not evaluate.
fn text_test(op: &str, operand: &Value, name: &str) -> Option<bool> {
    let (text, ignore_case) = match operand {
        Value::String(s) => (s.as_str(), op == "equals-ignore-case"),
        Value::Object(o) => (o.get("equals-ignore-case")?.as_str()?, true),
        _ => return None,
    };
    let fold = |s: &str| {
        if ignore_case {
            s.to_lowercase()
        } else {
            s.to_owned()
        }
    };
    let (name, text) = (fold(name), fold(text));
    Some(match op {
        "prefix" => name.starts_with(&text),
        "suffix" => name.ends_with(&text),
        "equals-ignore-case" => name == text,
        "wildcard" => wildcard_matches(&text, &name),
        _ => return None,
    })
}

/// `anything-but`'s operand (a value, a list, or a text operator) rules `name` out.
fn anything_but_excludes(operand: &Value, name: &str) -> bool {
    match operand {
        Value::String(s) => s == name,
        Value::Array(items) => items.iter().any(|i| i.as_str() == Some(name)),
        Value::Object(o) => o.iter().any(|(op, inner)| match inner {
            Value::Array(items) => items
                .iter()
                .any(|i| text_test(op, i, name).unwrap_or(false)),
            _ => text_test(op, inner, name).unwrap_or(false),
        }),
        _ => false,
    }
}

/// EventBridge's `wildcard`: `*` stands for any run of characters.
pub fn wildcard_matches(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    let (Some(first), Some(last)) = (parts.first(), parts.last()) else {
        return pattern == text;
    };
    if parts.len() == 1 {
        return pattern == text;
    }
    if !text.starts_with(first) || text.len() < first.len() + last.len() || !text.ends_with(last) {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for middle in &parts[1..parts.len() - 1] {
        match rest.find(middle) {
            Some(at) => rest = &rest[at + middle.len()..],
            None => return false,
        }
    }
    true
}

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
    #[test]
    fn replay_name_conditions_are_evaluated_not_searched_for() {
        let p = |text: &str| EventPattern::parse(text).unwrap();
        // Opted out: every replayed event refused, whatever its name.
        for opted_out in [
            r#"{"source":["a"],"replay-name":[{"exists":false}]}"#,
            r#"{"replay-name":[{"exists":false}],"detail":{"x":["y"]}}"#,
            r#"{"$or":[{"replay-name":[{"exists":false}],"source":["a"]},{"replay-name":[{"exists":false}],"source":["b"]}]}"#,
            r#"{"source":["a"],"$or":[{"replay-name":[{"exists":false}]},{"replay-name":[{"numeric":[">",0]}]}]}"#,
            r#"{"replay-name":[{"numeric":[">",0]}]}"#,
            r#"{"replay-name":[1, true, null]}"#,
        ] {
            let pattern = p(opted_out);
            assert!(pattern.refuses_replays(), "{opted_out}");
            assert!(!pattern.admits_replay("fix-orders"), "{opted_out}");
        }
        // Not opted out, though the text mentions replay-name or exists false.
        for receives in [
            r#"{"source":["a"]}"#,
            r#"{"$or":[{"replay-name":[{"exists":false}]},{"source":["a"]}]}"#,
            r#"{"detail":{"replay-name":[{"exists":false}]}}"#,
            r#"{"replay-name":[{"exists":true}]}"#,
            r#"{"replay-name":[{"exists":false},{"prefix":"fix-"}]}"#,
            r#"{"replay-name":[{"anything-but":"other"}]}"#,
            r#"{"replay-name":[{"cidr":"10.0.0.0/24"}]}"#,
            r#"{"detail":{"note":["replay-name exists false"]}}"#,
        ] {
            let pattern = p(receives);
            assert!(!pattern.refuses_replays(), "{receives}");
            assert!(pattern.admits_replay("fix-orders"), "{receives}");
        }
        // Conditions on the name itself: this replay or another one.
        let named = |text: &str, name: &str| p(text).admits_replay(name);
        assert!(named(r#"{"replay-name":["fix-orders"]}"#, "fix-orders"));
        assert!(!named(r#"{"replay-name":["other"]}"#, "fix-orders"));
        assert!(!p(r#"{"replay-name":["other"]}"#).refuses_replays());
        assert!(named(
            r#"{"replay-name":[{"prefix":"fix-"}]}"#,
            "fix-orders"
        ));
        assert!(!named(r#"{"replay-name":[{"prefix":"x"}]}"#, "fix-orders"));
        assert!(named(
            r#"{"replay-name":[{"suffix":"orders"}]}"#,
            "fix-orders"
        ));
        assert!(named(
            r#"{"replay-name":[{"prefix":{"equals-ignore-case":"FIX"}}]}"#,
            "fix-orders"
        ));
        assert!(named(
            r#"{"replay-name":[{"equals-ignore-case":"FIX-Orders"}]}"#,
            "fix-orders"
        ));
        assert!(!named(
            r#"{"replay-name":[{"anything-but":"fix-orders"}]}"#,
            "fix-orders"
        ));
        assert!(!named(
            r#"{"replay-name":[{"anything-but":["a","fix-orders"]}]}"#,
            "fix-orders"
        ));
        assert!(!named(
            r#"{"replay-name":[{"anything-but":{"prefix":"fix"}}]}"#,
            "fix-orders"
        ));
        assert!(named(
            r#"{"replay-name":[{"anything-but":{"suffix":"x"}}]}"#,
            "fix-orders"
        ));
        assert!(named(
            r#"{"replay-name":[{"wildcard":"fix-*s"}]}"#,
            "fix-orders"
        ));
        assert!(!named(
            r#"{"replay-name":[{"wildcard":"*z*"}]}"#,
            "fix-orders"
        ));
        assert!(!named(
            r#"{"$or":[{"replay-name":["a"]},{"replay-name":["b"]}]}"#,
            "fix-orders"
        ));
    }

    #[test]
    fn opting_out_adds_one_key_and_keeps_the_rest() {
        let original =
            r#"{ "source": ["shop"], "$or": [{"detail-type": ["a"]}, {"detail": {"x": [1]}}] }"#;
        let Ok(Some(rewritten)) = EventPattern::parse(original).unwrap().with_replay_opt_out()
        else {
            panic!("not rewritten");
        };
        assert!(rewritten.refuses_replays());
        let before: Value = serde_json::from_str(original).unwrap();
        let mut after: Value = serde_json::from_str(rewritten.as_str()).unwrap();
        assert_eq!(
            after.as_object_mut().and_then(|o| o.remove("replay-name")),
            Some(serde_json::json!([{"exists": false}]))
        );
        assert_eq!(after, before);
        assert!(rewritten.as_str().ends_with(
            r#" "source": ["shop"], "$or": [{"detail-type": ["a"]}, {"detail": {"x": [1]}}] }"#
        ));
        // Twice is once.
        assert_eq!(rewritten.with_replay_opt_out(), Ok(None));
        // Another test of replay-name is not overwritten.
        let other = EventPattern::parse(r#"{"replay-name":[{"exists":true}]}"#).unwrap();
        assert_eq!(
            other.with_replay_opt_out().unwrap_err().field,
            "eventPattern"
        );
        // The added key must still fit EventBridge's limit.
        let head = r#"{"source":[""#;
        let full = format!("{head}{}\"]}}", "s".repeat(4096 - head.len() - 3));
        let e = EventPattern::parse(&full)
            .unwrap()
            .with_replay_opt_out()
            .unwrap_err();
        assert!(e.message.contains("4096"), "{}", e.message);
    }

    #[test]
    fn routed_patterns_merge_key_by_key() {
        let p = |text: &str| EventPattern::parse(text).unwrap();
        let rule = p(r#"{"source":["shop"],"detail":{"type":["order"]}}"#);
        let routed = rule
            .routed(
                Some(&p(r#"{"detail":{"country":["NL"]},"source":["shop"]}"#)),
                "fix",
            )
            .unwrap();
        let value: Value = serde_json::from_str(routed.as_str()).unwrap();
        assert_eq!(
            value,
            serde_json::json!({"source":["shop"],"detail":{"type":["order"],"country":["NL"]},"replay-name":["fix"]})
        );
        assert!(routed.admits_replay("fix") && !routed.admits_replay("other"));
        // No narrowing: the rule's pattern and the replay's name.
        let plain: Value =
            serde_json::from_str(rule.routed(None, "fix").unwrap().as_str()).unwrap();
        assert_eq!(plain["replay-name"], serde_json::json!(["fix"]));
        // Conflicts and refusals, each on its field.
        let conflict = rule
            .routed(Some(&p(r#"{"detail":{"type":["refund"]}}"#)), "fix")
            .unwrap_err();
        assert_eq!(conflict.field, "routing.eventPattern");
        assert!(
            conflict.message.contains("detail.type"),
            "{}",
            conflict.message
        );
        let opted_out = p(r#"{"source":["shop"],"replay-name":[{"exists":false}]}"#);
        assert_eq!(
            opted_out.routed(None, "fix").unwrap_err().field,
            "routing.targets"
        );
        let names_it = rule
            .routed(Some(&p(r#"{"replay-name":["x"]}"#)), "fix")
            .unwrap_err();
        assert_eq!(names_it.field, "routing.eventPattern");
    }

    #[test]
    fn a_rule_or_narrowing_that_names_replay_name_in_any_form_is_not_routed() {
        let p = |text: &str| EventPattern::parse(text).unwrap();
        // Forms `admits` cannot evaluate, or that admit this replay: each would be
        // replaced by the copy's own replay-name condition, so each is refused.
        for rule in [
            r#"{"source":["shop"],"replay-name":[{"cidr":"10.0.0.0/24"}]}"#,
            r#"{"source":["shop"],"replay-name":[{"exists":true}]}"#,
            r#"{"source":["shop"],"replay-name":["fix"]}"#,
            r#"{"source":["shop"],"replay-name":[{"prefix":"f"}]}"#,
            r#"{"$or":[{"source":["shop"]},{"replay-name":[{"anything-but":"x"}]}]}"#,
            r#"{"$or":[{"source":["a"]},{"$or":[{"detail":{"x":["y"]}},{"replay-name":[{"wildcard":"*"}]}]}]}"#,
        ] {
            let error = p(rule).routed(None, "fix").unwrap_err();
            assert_eq!(error.field, "routing.targets", "{rule}");
        }
        let rule = p(r#"{"source":["shop"]}"#);
        for narrowing in [
            r#"{"replay-name":["fix"]}"#,
            r#"{"$or":[{"source":["shop"]},{"replay-name":[{"exists":true}]}]}"#,
        ] {
            let error = rule.routed(Some(&p(narrowing)), "fix").unwrap_err();
            assert_eq!(error.field, "routing.eventPattern", "{narrowing}");
        }
        // A field of that name elsewhere in the event is not the replay's.
        assert!(
            rule.routed(Some(&p(r#"{"detail":{"replay-name":["x"]}}"#)), "fix")
                .is_ok()
        );
    }
}
