//! Behaviour only real AWS shows — paging, a RUNNING replay's progress, IllegalStatus,
//! LimitExceeded, throttling that outlasts the SDK's retries, unreadable answers — tested
//! against this STAND-IN: a tiny server of our own speaking EventBridge's JSON protocol
//! (`X-Amz-Target: AWSEvents.*`, awsJson1.1). It is in addition to the emulator tests,
//! never instead of them.

use crate::helpers::{Reply, TestApp, spawn_backend};
use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};

const BUS: &str = "arn:aws:events:us-east-1:123456789012:event-bus/orders";
const ARCHIVE: &str = "arn:aws:events:us-east-1:123456789012:archive/orders-all";

/// What the stand-in should do, and what it was asked.
#[derive(Default)]
struct Script {
    /// Total archives ListArchives pages through.
    archive_count: usize,
    /// Answer every call with this AWS error code.
    fail_with: Option<&'static str>,
    /// Answer every call with this raw body and status 200.
    garbage: Option<&'static str>,
    /// Every (target, request body) received.
    calls: Vec<(String, Value)>,
}

type Shared = Arc<Mutex<Script>>;

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
    let Ok(mut script) = script.lock() else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    script.calls.push((target.clone(), request.clone()));
    if let Some(raw) = script.garbage {
        return aws_json(StatusCode::OK, raw.to_owned());
    }
    if let Some(code) = script.fail_with {
        return aws_error(code, "stand-in failure");
    }
    match target.as_str() {
        "ListArchives" => list_archives(&script, &request),
        "DescribeArchive" => aws_ok(json!({
            "ArchiveArn": ARCHIVE, "ArchiveName": "orders-all", "EventSourceArn": BUS,
            "State": "ENABLED", "RetentionDays": 0, "SizeBytes": 0, "EventCount": 0,
            "CreationTime": 1_795_000_000.0,
        })),
        "DescribeReplay" => aws_ok(json!({
            "ReplayName": "running", "ReplayArn": "arn:aws:events:us-east-1:123456789012:replay/running",
            "State": "RUNNING", "EventSourceArn": ARCHIVE,
            "Destination": {"Arn": BUS, "FilterArns": []},
            "EventStartTime": 1_795_000_000.0, "EventEndTime": 1_795_003_600.0,
            "EventLastReplayedTime": 1_795_001_800.0, "ReplayStartTime": 1_795_010_000.0,
        })),
        "ListReplays" => aws_ok(json!({"Replays": [{
            "ReplayName": "running", "State": "RUNNING", "EventSourceArn": ARCHIVE,
            "EventStartTime": 1_795_000_000.0, "EventEndTime": 1_795_003_600.0,
            "EventLastReplayedTime": 1_795_000_900.0, "ReplayStartTime": 1_795_010_000.0,
        }]})),
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
    let start: usize = request["NextToken"]
        .as_str()
        .and_then(|t| t.strip_prefix("after-"))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    let end = (start + limit).min(script.archive_count);
    let archives: Vec<Value> = (start..end)
        .map(|i| json!({
            "ArchiveName": format!("archive-{i:05}"), "EventSourceArn": BUS, "State": "ENABLED",
            "RetentionDays": 0, "SizeBytes": i, "EventCount": i, "CreationTime": 1_795_000_000.0,
        }))
        .collect();
    let mut body = json!({"Archives": archives});
    if end < script.archive_count {
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

/// The backend under test, pointed at a fresh stand-in.
async fn spawn_with_standin(script: Script) -> (TestApp, Shared) {
    let shared: Shared = Arc::new(Mutex::new(script));
    let router = Router::new()
        .route("/", post(eventbridge))
        .with_state(shared.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind stand-in");
    let endpoint = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, router).await });
    let (address, sdk) = spawn_backend(&endpoint).await;
    let app = TestApp {
        address,
        http: reqwest::Client::new(),
        sdk,
        emulator: None,
    };
    (app, shared)
}

fn calls(shared: &Shared, target: &str) -> Vec<Value> {
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

fn names(reply: &Reply) -> Vec<String> {
    reply.body["archives"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x["archiveName"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn standin_paging_passes_limit_and_token_through() {
    let (app, shared) = spawn_with_standin(Script {
        archive_count: 250,
        ..Default::default()
    })
    .await;
    let mut seen = Vec::new();
    let mut path = "/api/archives?limit=100".to_owned();
    let mut pages = 0;
    loop {
        let reply = app.get(&path).await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        seen.extend(names(&reply));
        pages += 1;
        match reply.body["nextToken"].as_str() {
            Some(token) => path = format!("/api/archives?limit=100&nextToken={token}"),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen.len(), 250);
    assert_eq!(seen.first().map(String::as_str), Some("archive-00000"));
    assert_eq!(seen.last().map(String::as_str), Some("archive-00249"));
    let sent = calls(&shared, "ListArchives");
    assert_eq!(sent[0]["Limit"], 100);
    assert!(sent[0].get("NextToken").is_none());
    assert_eq!(sent[1]["NextToken"], "after-100");
    assert_eq!(sent[2]["NextToken"], "after-200");
}

#[tokio::test]
async fn standin_running_replay_reports_progress() {
    let (app, _) = spawn_with_standin(Script::default()).await;
    let replay = app.get("/api/replays/running").await;
    assert_eq!(replay.status, 200, "{}", replay.body);
    assert_eq!(replay.body["state"], "RUNNING");
    assert_eq!(replay.body["progress"], 0.5);
    assert!(
        replay.body["eventLastReplayedTime"]
            .as_str()
            .is_some_and(|t| t.ends_with('Z'))
    );
    let list = app.get("/api/replays").await;
    assert_eq!(list.body["replays"][0]["progress"], 0.25);
}

#[tokio::test]
async fn standin_cancelling_a_running_replay() {
    let (app, shared) = spawn_with_standin(Script::default()).await;
    let reply = app.post("/api/replays/running/cancel", &json!({})).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.body["state"], "CANCELLING");
    assert!(
        reply.body["replayArn"]
            .as_str()
            .is_some_and(|a| a.ends_with(":replay/running"))
    );
    assert_eq!(calls(&shared, "CancelReplay")[0]["ReplayName"], "running");
}

#[tokio::test]
async fn standin_cancelling_a_finished_replay_is_illegal_status() {
    let (app, _) = spawn_with_standin(Script::default()).await;
    app.post("/api/replays/done/cancel", &json!({}))
        .await
        .assert_error(409, "IllegalStatus", None);
}

#[tokio::test]
async fn standin_an_eleventh_active_replay_is_limit_exceeded() {
    let (app, shared) = spawn_with_standin(Script::default()).await;
    let body = json!({
        "replayName": "eleventh", "eventSourceArn": ARCHIVE,
        "eventStartTime": "2026-11-26T10:00:00Z", "eventEndTime": "2026-11-26T11:00:00Z",
        "destination": {"arn": BUS},
    });
    app.post("/api/replays", &body)
        .await
        .assert_error(409, "LimitExceeded", None);
    // The destination was checked against the archive first.
    assert_eq!(calls(&shared, "DescribeArchive").len(), 1);
    assert_eq!(calls(&shared, "StartReplay")[0]["EventSourceArn"], ARCHIVE);
}

#[tokio::test]
async fn standin_concurrent_modification_is_409() {
    let (app, _) = spawn_with_standin(Script::default()).await;
    app.patch("/api/archives/orders-all", &json!({"retentionDays": 1}))
        .await
        .assert_error(409, "ConcurrentModification", None);
}

#[tokio::test]
async fn standin_persistent_throttling_is_429_after_retries() {
    let (app, shared) = spawn_with_standin(Script {
        fail_with: Some("ThrottlingException"),
        ..Default::default()
    })
    .await;
    app.get("/api/archives")
        .await
        .assert_error(429, "Throttled", None);
    assert_eq!(
        calls(&shared, "ListArchives").len(),
        3,
        "the SDK retries twice before giving up"
    );
}

#[tokio::test]
async fn standin_access_denied_is_403() {
    let (app, _) = spawn_with_standin(Script {
        fail_with: Some("AccessDeniedException"),
        ..Default::default()
    })
    .await;
    app.delete("/api/archives/orders-all")
        .await
        .assert_error(403, "Forbidden", None);
}

#[tokio::test]
async fn standin_internal_error_is_502() {
    let (app, _) = spawn_with_standin(Script {
        fail_with: Some("InternalException"),
        ..Default::default()
    })
    .await;
    app.get("/api/archives/orders-all")
        .await
        .assert_error(502, "UpstreamError", None);
}

#[tokio::test]
async fn standin_unreadable_answer_is_502() {
    let (app, _) = spawn_with_standin(Script {
        garbage: Some("{\"Archives\": [tru"),
        ..Default::default()
    })
    .await;
    app.get("/api/archives")
        .await
        .assert_error(502, "UpstreamError", None);
}
