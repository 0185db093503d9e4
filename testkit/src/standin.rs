//! The STAND-IN: a tiny server of our own speaking EventBridge's JSON protocol
//! (`X-Amz-Target: AWSEvents.*`, awsJson1.1) for behaviour only real AWS shows — paging,
//! a RUNNING replay's progress, IllegalStatus, LimitExceeded, throttling that outlasts the
//! SDK's retries, unreadable answers. Tests against it come in addition to the emulator
//! tests, never instead of them.

use crate::app::{TestApp, spawn_backend};
use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use backend::configuration::Settings;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};

pub const BUS: &str = "arn:aws:events:us-east-1:123456789012:event-bus/orders";
pub const ARCHIVE: &str = "arn:aws:events:us-east-1:123456789012:archive/orders-all";
pub const PAYMENTS_BUS: &str = "arn:aws:events:us-east-1:123456789012:event-bus/payments";

/// What the stand-in should do, and what it was asked.
#[derive(Default)]
pub struct Script {
    /// Total archives ListArchives pages through.
    pub archive_count: usize,
    /// Every Nth archive is on [`PAYMENTS_BUS`] instead of [`BUS`] (teams' paging).
    pub archive_bus_every: Option<usize>,
    /// Answer every call with this AWS error code.
    pub fail_with: Option<&'static str>,
    /// Answer every call with this raw body and status 200.
    pub garbage: Option<&'static str>,
    /// Every (target, request body) received.
    pub calls: Vec<(String, Value)>,
    /// DescribeReplay of `advancing` moves a quarter of its window on every 3 seconds
    /// from the first call, then completes (by time, not by calls: the Replay page's
    /// report reads it too).
    pub advancing_since: Option<std::time::Instant>,
    /// CreateArchive and StartReplay keep what they create, and the first of each answers
    /// only after this long (past the backend's attempt timeout): the create went through,
    /// the answer was lost, and the SDK's retry then meets `ResourceAlreadyExistsException`.
    pub slow_first_create: Option<std::time::Duration>,
    /// What CreateArchive / StartReplay created: (target, request).
    pub created: Vec<(String, Value)>,
    /// Rules `rule-000`… on the archive's bus, in pages of [`RULES_PER_PAGE`]; every
    /// third one opted out of replays, every seventh disabled.
    pub rule_count: usize,
    /// Targets of each rule, in pages of [`TARGETS_PER_PAGE`].
    pub targets_per_rule: usize,
    /// Keep rules and their targets (DescribeRule, ListRules, PutRule, PutTargets,
    /// ListTargetsByRule, RemoveTargets, DeleteRule) in `rules`, for routed replays; an
    /// unknown replay is then not found.
    pub stateful_rules: bool,
    pub rules: Vec<StandinRule>,
    /// PutTargets on a stateful rule also adds this target, as another writer racing
    /// Rewind's own would.
    pub put_targets_also_adds: Option<Value>,
    /// More RUNNING replays of the archive ListReplays answers besides `running` (a
    /// peek's, by its name).
    pub also_running: Vec<&'static str>,
}

/// A rule the stand-in keeps (`Script::stateful_rules`).
#[derive(Debug, Clone, Default)]
pub struct StandinRule {
    pub bus: String,
    pub name: String,
    pub pattern: String,
    pub description: String,
    /// As PutTargets takes them (`{"Id", "Arn", …}`).
    pub targets: Vec<Value>,
}

/// ListRules page size here: small, so that a few hundred rules take several pages.
pub const RULES_PER_PAGE: usize = 50;
/// ListTargetsByRule page size here.
pub const TARGETS_PER_PAGE: usize = 2;

pub type Shared = Arc<Mutex<Script>>;

async fn eventbridge(
    axum::extract::State(script): axum::extract::State<Shared>,
    headers: HeaderMap,
    body: String,
) -> Response {
    let target = headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .and_then(|t| t.strip_prefix("AWSEvents."))
        .unwrap_or_default()
        .to_owned();
    let request: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
    let (response, delay) = {
        let Ok(mut script) = script.lock() else {
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        };
        script.calls.push((target.clone(), request.clone()));
        if script.slow_first_create.is_some() {
            stateful_create(&mut script, &target, &request)
        } else {
            (answer(&mut script, &target, &request), None)
        }
    };
    if let Some(delay) = delay {
        tokio::time::sleep(delay).await;
    }
    response
}

/// CreateArchive / StartReplay / DescribeArchive / DescribeReplay over kept state; the
/// first create of each kind is slow.
fn stateful_create(
    script: &mut Script,
    target: &str,
    request: &Value,
) -> (Response, Option<std::time::Duration>) {
    let (name_key, kind) = match target {
        "CreateArchive" | "DescribeArchive" => ("ArchiveName", "CreateArchive"),
        "StartReplay" | "DescribeReplay" => ("ReplayName", "StartReplay"),
        _ => return (answer(script, target, request), None),
    };
    let name = request[name_key].clone();
    let existing = script
        .created
        .iter()
        .find(|(k, r)| k == kind && r[name_key] == name)
        .map(|(_, r)| r.clone());
    match (target, existing) {
        ("CreateArchive" | "StartReplay", Some(_)) => (
            aws_error("ResourceAlreadyExistsException", "Resource already exists."),
            None,
        ),
        ("CreateArchive" | "StartReplay", None) => {
            let first = !script.created.iter().any(|(k, _)| k == kind);
            script.created.push((kind.to_owned(), request.clone()));
            let delay = if first {
                script.slow_first_create
            } else {
                None
            };
            let body = if kind == "CreateArchive" {
                json!({"ArchiveArn": format!("arn:aws:events:us-east-1:123456789012:archive/{}", name.as_str().unwrap_or_default()),
                       "State": "ENABLED", "CreationTime": 1_795_000_000.0})
            } else {
                json!({"ReplayArn": format!("arn:aws:events:us-east-1:123456789012:replay/{}", name.as_str().unwrap_or_default()),
                       "State": "STARTING", "ReplayStartTime": 1_795_000_000.0})
            };
            (aws_ok(body), delay)
        }
        ("DescribeArchive", Some(r)) => (
            aws_ok(json!({
                "ArchiveArn": format!("arn:aws:events:us-east-1:123456789012:archive/{}", name.as_str().unwrap_or_default()),
                "ArchiveName": name, "EventSourceArn": r["EventSourceArn"], "Description": r["Description"],
                "EventPattern": r["EventPattern"], "RetentionDays": r["RetentionDays"].as_i64().unwrap_or(0),
                "State": "ENABLED", "SizeBytes": 0, "EventCount": 0, "CreationTime": 1_795_000_000.0,
            })),
            None,
        ),
        ("DescribeReplay", Some(r)) => (
            aws_ok(json!({
                "ReplayName": name, "ReplayArn": format!("arn:aws:events:us-east-1:123456789012:replay/{}", name.as_str().unwrap_or_default()),
                "State": "STARTING", "EventSourceArn": r["EventSourceArn"], "Destination": r["Destination"],
                "EventStartTime": r["EventStartTime"], "EventEndTime": r["EventEndTime"],
                "ReplayStartTime": 1_795_000_000.0,
            })),
            None,
        ),
        _ => (answer(script, target, request), None),
    }
}

fn answer(script: &mut Script, target: &str, request: &Value) -> Response {
    if let Some(raw) = script.garbage {
        return aws_json(StatusCode::OK, raw.to_owned());
    }
    if let Some(code) = script.fail_with {
        return aws_error(code, "stand-in failure");
    }
    if script.stateful_rules
        && let Some(response) = stateful_rules(script, target, request)
    {
        return response;
    }
    match target {
        "ListArchives" => list_archives(script, request),
        "DescribeArchive" => aws_ok(json!({
            "ArchiveArn": ARCHIVE, "ArchiveName": "orders-all", "EventSourceArn": BUS,
            "State": "ENABLED", "RetentionDays": 0, "SizeBytes": 0, "EventCount": 0,
            "CreationTime": 1_795_000_000.0,
        })),
        "DescribeReplay" if request["ReplayName"] == "advancing" => {
            let since = *script
                .advancing_since
                .get_or_insert_with(std::time::Instant::now);
            let quarters = (1.0 + (since.elapsed().as_secs() / 3) as f64).min(4.0);
            let state = if quarters >= 4.0 {
                "COMPLETED"
            } else {
                "RUNNING"
            };
            aws_ok(json!({
                "ReplayName": "advancing", "ReplayArn": "arn:aws:events:us-east-1:123456789012:replay/advancing",
                "State": state, "EventSourceArn": ARCHIVE,
                "Destination": {"Arn": BUS, "FilterArns": []},
                "EventStartTime": 1_795_000_000.0, "EventEndTime": 1_795_003_600.0,
                "EventLastReplayedTime": 1_795_000_000.0 + 900.0 * quarters,
                "ReplayStartTime": 1_795_010_000.0,
            }))
        }
        "ListRules" => list_rules(script, request),
        "ListTargetsByRule" => list_targets(script, request),
        "ListEventBuses" => aws_ok(json!({"EventBuses": [{"Name": "orders", "Arn": BUS}]})),
        "DescribeReplay" => aws_ok(json!({
            "ReplayName": "running", "ReplayArn": "arn:aws:events:us-east-1:123456789012:replay/running",
            "State": "RUNNING", "EventSourceArn": ARCHIVE,
            "Destination": {"Arn": BUS, "FilterArns": []},
            "EventStartTime": 1_795_000_000.0, "EventEndTime": 1_795_003_600.0,
            "EventLastReplayedTime": 1_795_001_800.0, "ReplayStartTime": 1_795_010_000.0,
        })),
        "ListReplays" => {
            let replays: Vec<Value> = std::iter::once("running")
                .chain(script.also_running.iter().copied())
                .map(|name| {
                    json!({
                        "ReplayName": name, "State": "RUNNING", "EventSourceArn": ARCHIVE,
                        "EventStartTime": 1_795_000_000.0, "EventEndTime": 1_795_003_600.0,
                        "EventLastReplayedTime": 1_795_000_900.0, "ReplayStartTime": 1_795_010_000.0,
                    })
                })
                .collect();
            aws_ok(json!({ "Replays": replays }))
        }
        "CancelReplay" if request["ReplayName"] == "running" => aws_ok(json!({
            "ReplayArn": "arn:aws:events:us-east-1:123456789012:replay/running", "State": "CANCELLING",
        })),
        "CancelReplay" => aws_error(
            "IllegalStatusException",
            "Replay done is not in a state that can be cancelled.",
        ),
        "StartReplay" => aws_error(
            "LimitExceededException",
            "The requested resource exceeds the maximum number allowed.",
        ),
        "UpdateArchive" => aws_error(
            "ConcurrentModificationException",
            "There is concurrent modification on a resource.",
        ),
        other => aws_error(
            "UnknownOperationException",
            &format!("stand-in does not speak {other}"),
        ),
    }
}

fn list_archives(script: &Script, request: &Value) -> Response {
    let limit = request["Limit"].as_u64().unwrap_or(100) as usize;
    let start = page_start(request);
    let end = (start + limit).min(script.archive_count);
    let archives: Vec<Value> = (start..end)
        .map(|i| json!({
            "ArchiveName": format!("archive-{i:05}"),
            "EventSourceArn": if script.archive_bus_every.is_some_and(|n| i % n == 0) { PAYMENTS_BUS } else { BUS },
            "State": "ENABLED",
            "RetentionDays": 0, "SizeBytes": i, "EventCount": i, "CreationTime": 1_795_000_000.0,
        }))
        .collect();
    let mut body = json!({"Archives": archives});
    if end < script.archive_count {
        body["NextToken"] = json!(format!("after-{end}"));
    }
    aws_ok(body)
}

/// The routing calls over `Script::rules`; None for any other call.
fn stateful_rules(script: &mut Script, target: &str, request: &Value) -> Option<Response> {
    let bus = request["EventBusName"]
        .as_str()
        .unwrap_or("default")
        .to_owned();
    let name = request["Name"]
        .as_str()
        .or_else(|| request["Rule"].as_str())
        .unwrap_or_default()
        .to_owned();
    let arn =
        |bus: &str, name: &str| format!("arn:aws:events:us-east-1:123456789012:rule/{bus}/{name}");
    let position = script
        .rules
        .iter()
        .position(|r| r.bus == bus && r.name == name);
    let not_found = || aws_error("ResourceNotFoundException", "Rule does not exist.");
    Some(match (target, position) {
        ("DescribeRule", Some(i)) => {
            let r = &script.rules[i];
            aws_ok(
                json!({"Name": r.name, "Arn": arn(&r.bus, &r.name), "EventPattern": r.pattern,
                          "Description": r.description, "State": "ENABLED", "EventBusName": r.bus}),
            )
        }
        ("ListTargetsByRule", Some(i)) => aws_ok(json!({"Targets": script.rules[i].targets})),
        (
            "DescribeRule" | "ListTargetsByRule" | "RemoveTargets" | "DeleteRule" | "PutTargets",
            None,
        ) => not_found(),
        ("PutRule", _) => {
            let rule = StandinRule {
                bus: bus.clone(),
                name: name.clone(),
                pattern: request["EventPattern"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                description: request["Description"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                targets: Vec::new(),
            };
            match position {
                Some(i) => script.rules[i] = rule,
                None => script.rules.push(rule),
            }
            aws_ok(json!({"RuleArn": arn(&bus, &name)}))
        }
        ("PutTargets", Some(i)) => {
            let added = request["Targets"].as_array().cloned().unwrap_or_default();
            script.rules[i].targets.extend(added);
            if let Some(intruder) = script.put_targets_also_adds.clone() {
                script.rules[i].targets.push(intruder);
            }
            aws_ok(json!({"FailedEntryCount": 0, "FailedEntries": []}))
        }
        ("RemoveTargets", Some(i)) => {
            let ids: Vec<Value> = request["Ids"].as_array().cloned().unwrap_or_default();
            script.rules[i].targets.retain(|t| !ids.contains(&t["Id"]));
            aws_ok(json!({"FailedEntryCount": 0, "FailedEntries": []}))
        }
        ("DeleteRule", Some(i)) => {
            script.rules.remove(i);
            aws_ok(json!({}))
        }
        ("ListRules", _) => {
            let prefix = request["NamePrefix"].as_str().unwrap_or_default();
            let rules: Vec<Value> = script
                .rules
                .iter()
                .filter(|r| r.bus == bus && r.name.starts_with(prefix))
                .map(|r| json!({"Name": r.name, "Arn": arn(&r.bus, &r.name), "EventPattern": r.pattern,
                                "Description": r.description, "State": "ENABLED", "EventBusName": r.bus}))
                .collect();
            aws_ok(json!({"Rules": rules}))
        }
        ("DescribeReplay", _)
            if !matches!(
                request["ReplayName"].as_str(),
                Some("running" | "advancing")
            ) =>
        {
            aws_error("ResourceNotFoundException", "Replay does not exist.")
        }
        _ => return None,
    })
}

/// `after-N` tokens: the index the next page starts at.
fn page_start(request: &Value) -> usize {
    request["NextToken"]
        .as_str()
        .and_then(|t| t.strip_prefix("after-"))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

fn list_rules(script: &Script, request: &Value) -> Response {
    let start = page_start(request);
    let end = (start + RULES_PER_PAGE).min(script.rule_count);
    let rules: Vec<Value> = (start..end)
        .map(|i| {
            let pattern = if i % 3 == 0 {
                json!({"source": ["shop"], "replay-name": [{"exists": false}]})
            } else {
                json!({"source": ["shop"]})
            };
            json!({
                "Name": format!("rule-{i:03}"), "EventBusName": "orders",
                "Arn": format!("arn:aws:events:us-east-1:123456789012:rule/orders/rule-{i:03}"),
                "EventPattern": pattern.to_string(),
                "State": if i % 7 == 0 { "DISABLED" } else { "ENABLED" },
            })
        })
        .collect();
    let mut body = json!({"Rules": rules});
    if end < script.rule_count {
        body["NextToken"] = json!(format!("after-{end}"));
    }
    aws_ok(body)
}

fn list_targets(script: &Script, request: &Value) -> Response {
    let rule = request["Rule"].as_str().unwrap_or_default();
    let start = page_start(request);
    let end = (start + TARGETS_PER_PAGE).min(script.targets_per_rule);
    let targets: Vec<Value> = (start..end)
        .map(|i| {
            json!({
                "Id": format!("t{i}"),
                "Arn": format!("arn:aws:lambda:us-east-1:123456789012:function:{rule}-{i}"),
            })
        })
        .collect();
    let mut body = json!({"Targets": targets});
    if end < script.targets_per_rule {
        body["NextToken"] = json!(format!("after-{end}"));
    }
    aws_ok(body)
}

fn aws_json(status: StatusCode, body: String) -> Response {
    (
        status,
        [("content-type", "application/x-amz-json-1.1")],
        body,
    )
        .into_response()
}

fn aws_ok(body: Value) -> Response {
    aws_json(StatusCode::OK, body.to_string())
}

fn aws_error(code: &str, message: &str) -> Response {
    let status = if code == "InternalException" {
        StatusCode::INTERNAL_SERVER_ERROR
    } else {
        StatusCode::BAD_REQUEST
    };
    aws_json(
        status,
        json!({"__type": code, "message": message}).to_string(),
    )
}

/// A fresh stand-in following `script`: its endpoint, and what it was asked.
pub async fn start(script: Script) -> (String, Shared) {
    let shared: Shared = Arc::new(Mutex::new(script));
    let router = Router::new()
        .route("/", post(eventbridge))
        .with_state(shared.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind stand-in");
    let endpoint = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, router).await });
    (endpoint, shared)
}

/// The backend under test on a fresh stand-in (see [`spawn_backend`] for `configure`).
pub async fn spawn_with_standin(
    script: Script,
    configure: impl FnOnce(&mut Settings),
) -> (TestApp, Shared) {
    let (endpoint, shared) = start(script).await;
    (spawn_backend(&endpoint, configure).await, shared)
}

pub fn calls(shared: &Shared, target: &str) -> Vec<Value> {
    shared
        .lock()
        .map(|s| {
            s.calls
                .iter()
                .filter(|(t, _)| t == target)
                .map(|(_, b)| b.clone())
                .collect()
        })
        .unwrap_or_default()
}
