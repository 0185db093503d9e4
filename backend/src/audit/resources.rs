//! What a request names, as ARNs, and its fields, for the audit record.

use super::text;
use serde_json::{Map, Value};

/// Where the resources live: partition, region and account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub partition: String,
    pub region: String,
    /// Under Lambda from API Gateway's request context; locally unknown (empty).
    pub account: String,
}

impl Location {
    pub fn new(region: &str, account: Option<&str>) -> Self {
        let partition = if region.starts_with("cn-") {
            "aws-cn"
        } else if region.starts_with("us-gov-") {
            "aws-us-gov"
        } else {
            "aws"
        };
        Self {
            partition: partition.to_owned(),
            region: region.to_owned(),
            account: account.unwrap_or_default().to_owned(),
        }
    }

    fn arn(&self, service: &str, resource: &str) -> String {
        format!(
            "arn:{}:{service}:{}:{}:{}",
            self.partition,
            self.region,
            self.account,
            text::escaped(resource, 300)
        )
    }
}

/// The ARNs of what the path names (`/api/archives/{name}` → the archive; a job → its
/// slices' replays) and the body names (`archiveName`, `jobName`, `replayName`, `eventSourceArn`, `destination.arn`,
/// `destination.filterArns`, `routing.forwardTo`'s bus and role), in that order, each once.
pub fn of(route: &str, path: &str, body: &[u8], at: &Location) -> Vec<String> {
    let mut arns = Vec::new();
    let names: Vec<(&str, &str)> = route
        .split('/')
        .zip(path.split('/'))
        .filter(|(t, _)| t.starts_with('{'))
        .collect();
    let param = |param: &str| names.iter().find(|(t, _)| *t == param).map(|(_, v)| *v);
    if let Some(name) = param("{name}").filter(|_| !route.starts_with("/api/v2/")) {
        if route.starts_with("/api/archives/") {
            arns.push(at.arn("events", &format!("archive/{name}")));
        } else if route.starts_with("/api/replays/") {
            arns.push(at.arn("events", &format!("replay/{name}")));
        } else if route.starts_with("/api/event-buses/") {
            match param("{rule}") {
                Some(rule) if name == "default" => {
                    arns.push(at.arn("events", &format!("rule/{rule}")))
                }
                Some(rule) => arns.push(at.arn("events", &format!("rule/{name}/{rule}"))),
                None => arns.push(at.arn("events", &format!("event-bus/{name}"))),
            }
        }
    }
    // A v2 replay acts on its temporary subscribers, `rewind-…-{replay}`; a v2 bus's
    // subscribers are listed from the bus.
    if let Some(replay) = param("{replayName}") {
        arns.push(at.arn("events", &format!("subscriber/rewind-*-{replay}")));
    }
    if route.starts_with("/api/v2/event-buses/")
        && let Some(bus) = param("{name}")
    {
        arns.push(at.arn("events", &format!("event-busv2/{bus}")));
    }
    // A job acts on its slices' replays, `{job}-001`, `{job}-002`, ….
    if let Some(job) = param("{jobName}") {
        arns.push(at.arn("events", &format!("replay/{job}-*")));
    }
    if let Some(id) = param("{peekId}") {
        arns.push(at.arn("sqs", &format!("rewind-peek-{id}")));
    }
    if let Ok(Value::Object(body)) = serde_json::from_slice::<Value>(body) {
        let text = |v: Option<&Value>| v.and_then(Value::as_str).map(|s| text::escaped(s, 300));
        if let Some(archive) = text(body.get("archiveName")) {
            arns.push(at.arn("events", &format!("archive/{archive}")));
        }
        if let Some(job) = text(body.get("jobName")) {
            arns.push(at.arn("events", &format!("replay/{job}-*")));
        }
        let v2 = body.contains_key("subscriberArns");
        if let Some(replay) = text(body.get("replayName")) {
            if v2 {
                arns.push(at.arn("events", &format!("subscriber/rewind-*-{replay}")));
            } else {
                arns.push(at.arn("events", &format!("replay/{replay}")));
            }
        }
        // A v2 replay reads its bus and copies its subscribers.
        arns.extend(text(body.get("eventBusArn")));
        if let Some(Value::Array(subscribers)) = body.get("subscriberArns") {
            arns.extend(
                subscribers
                    .iter()
                    .take(text::MAX_ITEMS)
                    .filter_map(|s| text(Some(s))),
            );
        }
        arns.extend(text(body.get("eventSourceArn")));
        let destination = body.get("destination");
        arns.extend(text(destination.and_then(|d| d.get("arn"))));
        if let Some(Value::Array(rules)) = destination.and_then(|d| d.get("filterArns")) {
            arns.extend(
                rules
                    .iter()
                    .take(text::MAX_ITEMS)
                    .filter_map(|r| text(Some(r))),
            );
        }
        // A forward acts on the receiving bus, and passes its role.
        let forward = body.get("routing").and_then(|r| r.get("forwardTo"));
        arns.extend(text(forward.and_then(|f| f.get("eventBusArn"))));
        arns.extend(text(forward.and_then(|f| f.get("roleArn"))));
    }
    let mut seen = std::collections::HashSet::new();
    arns.retain(|a| seen.insert(a.clone()));
    arns
}

/// The request's fields: its query parameters and its JSON body, escaped and capped. A
/// body that is not JSON is kept as (capped) text.
pub fn details(query: Option<&str>, body: &[u8]) -> Value {
    let mut details = Map::new();
    if let Some(query) = query.filter(|q| !q.is_empty()) {
        let params: Map<String, Value> = form_urlencoded::parse(query.as_bytes())
            .take(text::MAX_ITEMS)
            .map(|(k, v)| {
                (
                    text::escaped(&k, 64),
                    Value::String(text::escaped(&v, text::MAX_CHARS)),
                )
            })
            .collect();
        details.insert("query".to_owned(), Value::Object(params));
    }
    if !body.is_empty() {
        let value = match serde_json::from_slice::<Value>(body) {
            Ok(json) => text::escaped_json(&json),
            Err(_) => Value::String(text::escaped(
                &String::from_utf8_lossy(body),
                text::MAX_CHARS,
            )),
        };
        details.insert("body".to_owned(), value);
    }
    Value::Object(details)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn here() -> Location {
        Location::new("eu-west-1", Some("123456789012"))
    }

    #[test]
    fn paths_name_archives_replays_buses_rules_and_peeks() {
        let at = here();
        assert_eq!(
            of("/api/archives/{name}", "/api/archives/orders", b"", &at),
            ["arn:aws:events:eu-west-1:123456789012:archive/orders"]
        );
        assert_eq!(
            of(
                "/api/replays/{name}/cancel",
                "/api/replays/r1/cancel",
                b"",
                &at
            ),
            ["arn:aws:events:eu-west-1:123456789012:replay/r1"]
        );
        assert_eq!(
            of(
                "/api/event-buses/{name}/rules",
                "/api/event-buses/orders/rules",
                b"",
                &at
            ),
            ["arn:aws:events:eu-west-1:123456789012:event-bus/orders"]
        );
        assert_eq!(
            of(
                "/api/event-buses/{name}/rules/{rule}/replay-opt-out",
                "/api/event-buses/orders/rules/emails/replay-opt-out",
                b"",
                &at
            ),
            ["arn:aws:events:eu-west-1:123456789012:rule/orders/emails"]
        );
        assert_eq!(
            of(
                "/api/event-buses/{name}/rules/{rule}/replay-opt-out",
                "/api/event-buses/default/rules/emails/replay-opt-out",
                b"",
                &at
            ),
            ["arn:aws:events:eu-west-1:123456789012:rule/emails"]
        );
        assert_eq!(
            of("/api/peeks/{peekId}", "/api/peeks/ab12", b"", &at),
            ["arn:aws:sqs:eu-west-1:123456789012:rewind-peek-ab12"]
        );
        assert_eq!(
            Location::new("cn-north-1", None).arn("events", "archive/a"),
            "arn:aws-cn:events:cn-north-1::archive/a"
        );
    }

    #[test]
    fn bodies_name_what_they_create_and_touch() {
        let body = json!({
            "replayName": "r1",
            "eventSourceArn": "arn:aws:events:eu-west-1:123456789012:archive/orders",
            "destination": {
                "arn": "arn:aws:events:eu-west-1:123456789012:event-bus/orders",
                "filterArns": ["arn:aws:events:eu-west-1:123456789012:rule/orders/fulfil"],
            },
        });
        assert_eq!(
            of(
                "/api/replays",
                "/api/replays",
                body.to_string().as_bytes(),
                &here()
            ),
            [
                "arn:aws:events:eu-west-1:123456789012:replay/r1",
                "arn:aws:events:eu-west-1:123456789012:archive/orders",
                "arn:aws:events:eu-west-1:123456789012:event-bus/orders",
                "arn:aws:events:eu-west-1:123456789012:rule/orders/fulfil",
            ]
        );
        let forward = json!({
            "replayName": "r2",
            "routing": {"forwardTo": {
                "eventBusArn": "arn:aws:events:eu-west-1:210987654321:event-bus/staging",
                "roleArn": "arn:aws:iam::123456789012:role/forwarder",
            }},
        });
        assert_eq!(
            of(
                "/api/replays",
                "/api/replays",
                forward.to_string().as_bytes(),
                &here()
            ),
            [
                "arn:aws:events:eu-west-1:123456789012:replay/r2",
                "arn:aws:events:eu-west-1:210987654321:event-bus/staging",
                "arn:aws:iam::123456789012:role/forwarder",
            ]
        );
        let hostile = json!({"archiveName": "a\u{202e}b", "eventSourceArn": 7});
        assert_eq!(
            of(
                "/api/archives",
                "/api/archives",
                hostile.to_string().as_bytes(),
                &here()
            ),
            ["arn:aws:events:eu-west-1:123456789012:archive/a\\u{202e}b"]
        );
        assert!(of("/api/replays", "/api/replays", b"[1]", &here()).is_empty());
    }

    #[test]
    fn details_keep_query_and_body() {
        assert_eq!(
            details(
                Some("state=ENABLED&namePrefix=ord%0A"),
                br#"{"description":"x"}"#
            ),
            json!({"query": {"state": "ENABLED", "namePrefix": "ord\\u{000a}"}, "body": {"description": "x"}})
        );
        assert_eq!(
            details(None, b"not json\x1b"),
            json!({"body": "not json\\u{001b}"})
        );
        assert_eq!(details(Some(""), b""), json!({}));
    }
}
