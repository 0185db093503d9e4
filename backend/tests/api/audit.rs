//! The audit trail, field by field, in the Lambda path: every signed-in request leaves
//! an intent before its handler and an outcome after it; a refusal (401, 403, 413, an
//! unknown route) leaves its outcome only; a panic leaves its 500. And the trail's log
//! group on ministack's CloudWatch Logs: records arrive there, and when it cannot be
//! written nothing is changed.

use crate::lambda::{deployed_router_with, deployed_settings, event_json};
use aws_sdk_cloudwatchlogs::Client as LogsClient;
use axum::routing::get;
use backend::audit::{AuditLog, AuditRecord};
use backend::http::routes::RouteActions;
use backend::http::{api_router, with_layers};
use backend::state::AppState;
use lambda_http::request::LambdaRequest;
use lambda_http::{Adapter, Context, LambdaEvent, Service};
use serde_json::{Value, json};
use shared::roles::Operation;
use std::sync::{Arc, Mutex};
use testkit::app::{Emulator, EmulatorProcess, HEALTH, Route, route, teams};

const ISSUER: &str = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_abc";

fn claims(groups: &str) -> Value {
    json!({
        "sub": "0f1e2d3c", "email": "ana@example.com", "iss": ISSUER, "aud": "client-7",
        "cognito:groups": groups,
    })
}

/// A path under `/api/` that no route serves.
const NO_ROUTE: &str = "/api/secrets";

/// One API Gateway (payload 2.0) event, its request id `id`, from a browser whose user
/// agent carries a bidi override and an escape sequence.
fn event(id: &str, route: Route, claims: Option<Value>, body: Option<&str>) -> Value {
    let mut event = event_json("abc123", id, &route, claims, body.map(str::to_owned));
    event["requestContext"]["http"]["userAgent"] = json!("Mozilla/5.0 \u{202e}lmth.exe\u{1b}[2J");
    event
}

struct Answer {
    status: u16,
    headers: Value,
    body: String,
}

/// Sends `event` as Lambda does, Lambda's own request id `lambda-<id>`.
async fn invoke(router: &axum::Router, event: Value) -> Answer {
    let id = event["requestContext"]["requestId"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let request: LambdaRequest = serde_json::from_value(event).expect("a payload 2.0 event");
    let mut context = Context::default();
    context.request_id = format!("lambda-{id}");
    let mut adapter = Adapter::from(router.clone());
    let response = match adapter.call(LambdaEvent::new(request, context)).await {
        Ok(r) => r,
        Err(never) => match never {},
    };
    let response = serde_json::to_value(&response).expect("response JSON");
    Answer {
        status: response["statusCode"].as_u64().unwrap_or_default() as u16,
        headers: response["headers"].clone(),
        body: response["body"].as_str().unwrap_or_default().to_owned(),
    }
}

/// [`event`] sent through `router` as Lambda does.
async fn ask(
    router: &axum::Router,
    id: &str,
    route: Route,
    claims: Option<Value>,
    body: Option<&str>,
) -> Answer {
    invoke(router, event(id, route, claims, body)).await
}

/// The records of request `id`, as JSON, in the order written.
fn records_of(records: &Arc<Mutex<Vec<AuditRecord>>>, id: &str) -> Vec<Value> {
    records
        .lock()
        .map(|r| r.clone())
        .unwrap_or_default()
        .iter()
        .map(|r| serde_json::to_value(r).expect("record JSON"))
        .filter(|r| r["requestId"] == id)
        .collect()
}

/// The fields every record has, with the values this test's events carry.
fn assert_common(record: &Value, id: &str) {
    assert_eq!(record["kind"], "audit", "{record}");
    assert!(
        record["time"].as_str().is_some_and(|t| t.ends_with('Z')),
        "{record}"
    );
    assert_eq!(record["requestId"], id);
    assert_eq!(record["apiGatewayRequestId"], id);
    assert_eq!(record["lambdaRequestId"], format!("lambda-{id}"));
    assert_eq!(record["sourceIp"], "203.0.113.7");
    // The caller's text is escaped: no control or bidi character reaches the log.
    assert_eq!(
        record["userAgent"],
        "Mozilla/5.0 \\u{202e}lmth.exe\\u{001b}[2J"
    );
    assert_eq!(record["caller"]["sub"], "0f1e2d3c");
    assert_eq!(record["caller"]["email"], "ana@example.com");
    assert_eq!(record["caller"]["issuer"], ISSUER);
    assert_eq!(record["caller"]["clientId"], "client-7");
}

/// Intent then outcome, the intent written before any AWS call.
fn intent_and_outcome(records: &[Value], id: &str) -> (Value, Value) {
    assert_eq!(records.len(), 2, "{id}: {records:#?}");
    let (intent, outcome) = (records[0].clone(), records[1].clone());
    assert_eq!(intent["phase"], "intent");
    assert!(intent.get("outcome").is_none(), "{intent}");
    assert_eq!(intent["upstreamCalls"], json!([]));
    assert_eq!(outcome["phase"], "outcome");
    assert_eq!(outcome["outcome"]["decision"], "allowed");
    for field in [
        "operation",
        "route",
        "resources",
        "details",
        "caller",
        "method",
        "path",
    ] {
        assert_eq!(intent[field], outcome[field], "{field} differs");
    }
    assert_common(&intent, id);
    assert_common(&outcome, id);
    assert_eq!(intent["caller"]["verified"], true);
    (intent, outcome)
}

/// Refused before the handler: the outcome alone.
fn refused(records: &[Value], id: &str, status: u16, code: &str) -> Value {
    assert_eq!(records.len(), 1, "{id}: {records:#?}");
    let outcome = records[0].clone();
    assert_eq!(outcome["phase"], "outcome");
    assert_eq!(outcome["outcome"]["decision"], "refused", "{outcome}");
    assert_eq!(outcome["outcome"]["status"], status, "{outcome}");
    assert_eq!(outcome["outcome"]["errorCode"], code, "{outcome}");
    assert_eq!(outcome["upstreamCalls"], json!([]));
    assert_common(&outcome, id);
    outcome
}

fn calls(outcome: &Value) -> Vec<String> {
    outcome["upstreamCalls"]
        .as_array()
        .map(|c| {
            c.iter()
                .map(|c| c["operation"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn every_request_leaves_its_records_field_by_field() {
    let emulator = EmulatorProcess::start(Emulator::Ministack).await;
    let (router, records) = deployed_router_with(&emulator.endpoint(), |s| {
        s.roles.expected.issuer = Some(ISSUER.to_owned());
        s.roles.expected.audience = Some("client-7".to_owned());
    })
    .await;
    let admin = Some(claims("[rewind-admins]"));
    let operator = Some(claims("[rewind-operators]"));
    let viewer = Some(claims("[rewind-viewers]"));

    // A read: intent, outcome, the EventBridge call and its request id.
    let answer = ask(
        &router,
        "list-buses",
        route(Operation::ListEventBuses, &[]).query("limit=5"),
        admin.clone(),
        None,
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let bus = serde_json::from_str::<Value>(&answer.body).expect("JSON")["eventBuses"][0]["arn"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let (intent, outcome) = intent_and_outcome(&records_of(&records, "list-buses"), "list-buses");
    assert_eq!(intent["operation"], "ListEventBuses");
    assert_eq!(intent["route"], Operation::ListEventBuses.path_template());
    assert_eq!(intent["details"], json!({"query": {"limit": "5"}}));
    assert_eq!(intent["caller"]["role"], "admin");
    assert_eq!(intent["caller"]["groups"], json!(["rewind-admins"]));
    assert_eq!(intent["caller"]["scope"], "all");
    assert_eq!(outcome["outcome"]["status"], 200);
    assert!(outcome["outcome"]["errorCode"].is_null());
    assert_eq!(calls(&outcome), ["ListEventBuses"]);
    let ids = outcome["eventbridgeRequestIds"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(ids.len(), 1, "{outcome}");
    assert_eq!(outcome["upstreamCalls"][0]["requestId"], ids[0]);
    assert_eq!(outcome["upstreamCalls"][0]["status"], 200);

    // Create: the archive's and the bus's ARNs, the body's fields.
    let create =
        json!({"archiveName": "audited", "eventSourceArn": bus, "description": "first\nline"})
            .to_string();
    let answer = ask(
        &router,
        "create",
        route(Operation::CreateArchive, &[]),
        admin.clone(),
        Some(&create),
    )
    .await;
    assert_eq!(answer.status, 201, "{}", answer.body);
    let (intent, outcome) = intent_and_outcome(&records_of(&records, "create"), "create");
    assert_eq!(intent["operation"], "CreateArchive");
    assert_eq!(
        intent["resources"],
        json!(["arn:aws:events:us-east-1:123456789012:archive/audited", bus])
    );
    assert_eq!(
        intent["details"]["body"]["description"],
        "first\\u{000a}line"
    );
    assert_eq!(outcome["outcome"]["status"], 201);
    assert_eq!(calls(&outcome), ["CreateArchive"]);

    // PATCH: which fields changed, from what to what.
    let patch = json!({"description": "second", "retentionDays": 7}).to_string();
    let answer = ask(
        &router,
        "patch",
        route(Operation::UpdateArchive, &["audited"]),
        admin.clone(),
        Some(&patch),
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let (intent, outcome) = intent_and_outcome(&records_of(&records, "patch"), "patch");
    assert_eq!(intent["operation"], "UpdateArchive");
    assert!(intent.get("changes").is_none());
    assert_eq!(
        outcome["changes"],
        json!([
            {"field": "description", "from": "first\\u{000a}line", "to": "second"},
            {"field": "retentionDays", "from": 0, "to": 7},
        ])
    );
    assert_eq!(calls(&outcome), ["DescribeArchive", "UpdateArchive"]);

    // Start replay: window, destination, every ARN; the operator's role.
    let archive_arn = "arn:aws:events:us-east-1:000000000000:archive/audited";
    let start = testkit::app::replay_body("audited-replay", archive_arn, &bus, (-30, 0));
    let answer = ask(
        &router,
        "start",
        route(Operation::StartReplay, &[]),
        operator.clone(),
        Some(&start.to_string()),
    )
    .await;
    assert_eq!(answer.status, 201, "{}", answer.body);
    let (intent, outcome) = intent_and_outcome(&records_of(&records, "start"), "start");
    assert_eq!(intent["operation"], "StartReplay");
    assert_eq!(intent["caller"]["role"], "operator");
    assert_eq!(
        intent["resources"],
        json!([
            "arn:aws:events:us-east-1:123456789012:replay/audited-replay",
            archive_arn,
            bus
        ])
    );
    assert_eq!(
        intent["details"]["body"]["eventStartTime"],
        start["eventStartTime"]
    );
    assert_eq!(intent["details"]["body"]["destination"]["arn"], bus);
    assert!(
        calls(&outcome).contains(&"StartReplay".to_owned()),
        "{outcome}"
    );
    // A sample pair, for docs/audit.md and whoever reads this test's output.
    eprintln!(
        "{}\n{}",
        serde_json::to_string(&intent).unwrap_or_default(),
        serde_json::to_string(&outcome).unwrap_or_default()
    );
    assert!(
        !outcome["eventbridgeRequestIds"]
            .as_array()
            .is_none_or(Vec::is_empty)
    );

    // A not-found from EventBridge: allowed, then failed.
    let answer = ask(
        &router,
        "ghost",
        route(Operation::DeleteArchive, &["ghost"]),
        admin.clone(),
        None,
    )
    .await;
    assert_eq!(answer.status, 404);
    let (_, outcome) = intent_and_outcome(&records_of(&records, "ghost"), "ghost");
    assert_eq!(outcome["outcome"]["errorCode"], "NotFound");
    assert_eq!(
        outcome["resources"],
        json!(["arn:aws:events:us-east-1:123456789012:archive/ghost"])
    );

    // Refused by role: the outcome alone, with the resource it aimed at.
    let answer = ask(
        &router,
        "viewer-delete",
        route(Operation::DeleteArchive, &["audited"]),
        viewer.clone(),
        None,
    )
    .await;
    assert_eq!(answer.status, 403);
    let outcome = refused(
        &records_of(&records, "viewer-delete"),
        "viewer-delete",
        403,
        "Forbidden",
    );
    assert_eq!(outcome["caller"]["verified"], true);
    assert_eq!(outcome["caller"]["role"], "viewer");
    assert_eq!(outcome["operation"], "DeleteArchive");
    assert_eq!(
        outcome["resources"],
        json!(["arn:aws:events:us-east-1:123456789012:archive/audited"])
    );

    // Claims from another issuer: 401, the presented claims kept, unverified.
    let mut forged = claims("[rewind-admins]");
    forged["iss"] = json!("https://evil.example.com");
    let answer = ask(
        &router,
        "forged",
        route(Operation::DeleteArchive, &["audited"]),
        Some(forged),
        None,
    )
    .await;
    assert_eq!(answer.status, 401);
    let records_forged = records_of(&records, "forged");
    assert_eq!(records_forged.len(), 1, "{records_forged:#?}");
    let outcome = &records_forged[0];
    assert_eq!(outcome["outcome"]["decision"], "refused");
    assert_eq!(outcome["outcome"]["errorCode"], "Unauthenticated");
    assert_eq!(outcome["caller"]["verified"], false);
    assert_eq!(outcome["caller"]["issuer"], "https://evil.example.com");
    assert_eq!(outcome["caller"]["groups"], json!(["[rewind-admins]"]));
    assert!(outcome["caller"]["role"].is_null());
    assert!(outcome["operation"].is_null());

    // No claims at all: 401, unverified, nothing named.
    let answer = ask(
        &router,
        "anonymous",
        route(Operation::ListArchives, &[]),
        None,
        None,
    )
    .await;
    assert_eq!(answer.status, 401);
    let anonymous = records_of(&records, "anonymous");
    assert_eq!(anonymous.len(), 1);
    assert!(anonymous[0]["caller"]["sub"].is_null());
    assert_eq!(anonymous[0]["outcome"]["status"], 401);

    // Too large a body: 413, refused before the handler.
    let huge =
        json!({"archiveName": "huge", "eventSourceArn": bus, "description": "x".repeat(70_000)})
            .to_string();
    let answer = ask(
        &router,
        "huge",
        route(Operation::CreateArchive, &[]),
        admin.clone(),
        Some(&huge),
    )
    .await;
    assert_eq!(answer.status, 413);
    refused(
        &records_of(&records, "huge"),
        "huge",
        413,
        "PayloadTooLarge",
    );

    // An unknown route: 404, refused, its path kept.
    let answer = ask(
        &router,
        "unknown",
        Route::raw("GET", NO_ROUTE),
        admin.clone(),
        None,
    )
    .await;
    assert_eq!(answer.status, 404);
    let outcome = refused(&records_of(&records, "unknown"), "unknown", 404, "NotFound");
    assert_eq!(outcome["path"], NO_ROUTE);

    // HEAD is the GET without a body: the GET's action and headers, no error.
    let list = route(Operation::ListArchives, &[]);
    let get_answer = ask(&router, "get", list.clone(), viewer.clone(), None).await;
    let head = ask(
        &router,
        "head",
        Route::raw("HEAD", list.path),
        viewer.clone(),
        None,
    )
    .await;
    assert_eq!(head.status, 200, "{}", head.body);
    assert!(head.body.is_empty(), "{}", head.body);
    for header in [
        "content-type",
        "cache-control",
        "content-security-policy",
        "x-content-type-options",
    ] {
        assert_eq!(head.headers[header], get_answer.headers[header], "{header}");
    }
    let (intent, _) = intent_and_outcome(&records_of(&records, "head"), "head");
    assert_eq!(intent["operation"], "ListArchives");
    assert_eq!(intent["method"], "HEAD");

    // The open routes are not audited.
    ask(&router, "health", Route::raw("GET", HEALTH), None, None).await;
    assert!(records_of(&records, "health").is_empty());
}

/// A member of a team asking for another team's archive: allowed through the guard, then
/// 404 from the scope check — the teams are in both records.
#[tokio::test]
async fn a_scope_refusal_names_the_callers_teams() {
    let emulator = EmulatorProcess::start(Emulator::Ministack).await;
    let (router, records) = deployed_router_with(&emulator.endpoint(), |s| {
        s.roles.teams = Some(teams("payments=payments-*;search=search-*"));
    })
    .await;
    let member = Some(claims("[rewind-admins rewind-team-payments]"));
    let answer = ask(
        &router,
        "scoped",
        route(Operation::DescribeArchive, &["orders-all"]),
        member,
        None,
    )
    .await;
    assert_eq!(answer.status, 404, "{}", answer.body);
    let (intent, outcome) = intent_and_outcome(&records_of(&records, "scoped"), "scoped");
    assert_eq!(intent["caller"]["scope"], "teams");
    assert_eq!(intent["caller"]["teams"], json!(["payments"]));
    assert_eq!(
        intent["caller"]["groups"],
        json!(["rewind-admins", "rewind-team-payments"])
    );
    assert_eq!(outcome["outcome"]["errorCode"], "NotFound");
}

/// A handler that panics: the catch-panic layer answers 500, and the trail records it.
#[tokio::test]
async fn a_panic_leaves_its_outcome() {
    let emulator = EmulatorProcess::start(Emulator::Ministack).await;
    let settings = deployed_settings(&emulator.endpoint(), |_| {});
    let (audit, records) = AuditLog::in_memory();
    let state = AppState {
        audit,
        ..AppState::from_settings(&settings).await
    };
    // Behind the real guard (role check, then the audit intent), below an archive's path.
    let boom = axum::Router::new().route(
        &format!("{}/boom", Operation::DescribeArchive.path_template()),
        backend::http::routes::guard(
            &state,
            RouteActions::new(vec![(axum::http::Method::GET, Operation::DescribeArchive)]),
            get(|| async {
                if std::hint::black_box(true) {
                    panic!("a bug");
                }
                "never"
            }),
        ),
    );
    let router = with_layers(backend::http::routes::api(&state).merge(boom), state);
    let answer = ask(
        &router,
        "boom",
        Route::raw(
            "GET",
            format!(
                "{}/boom",
                route(Operation::DescribeArchive, &["orders"]).path
            ),
        ),
        Some(claims("[rewind-viewers]")),
        None,
    )
    .await;
    assert_eq!(answer.status, 500);
    let (intent, outcome) = intent_and_outcome(&records_of(&records, "boom"), "boom");
    assert_eq!(
        intent["resources"],
        json!(["arn:aws:events:us-east-1:123456789012:archive/orders"])
    );
    assert_eq!(outcome["outcome"]["status"], 500);
    assert_eq!(outcome["outcome"]["errorCode"], "Internal");
}

async fn logs_client(emulator: &EmulatorProcess) -> LogsClient {
    let settings = deployed_settings(&emulator.endpoint(), |_| {});
    let config = backend::aws::sdk_config(&settings).await;
    LogsClient::new(&config)
}

/// The deployed sink: records reach the audit log group on ministack's CloudWatch Logs,
/// and a missing group stops every change (503, nothing made) while reads go on.
#[tokio::test]
async fn the_log_group_receives_the_trail_and_its_absence_stops_changes() {
    let emulator = EmulatorProcess::start(Emulator::Ministack).await;
    let logs = logs_client(&emulator).await;
    let group = format!("rewind-audit-{}", std::process::id());
    logs.create_log_group()
        .log_group_name(&group)
        .send()
        .await
        .expect("log group");

    let settings = deployed_settings(&emulator.endpoint(), |s| {
        s.audit_log_group = Some(group.clone());
    });
    let state = AppState::from_settings(&settings).await;
    let router = api_router(state);
    let viewer = Some(claims("[rewind-viewers]"));
    assert_eq!(
        ask(
            &router,
            "to-logs",
            route(Operation::ListArchives, &[]),
            viewer.clone(),
            None
        )
        .await
        .status,
        200
    );
    assert_eq!(
        ask(
            &router,
            "refused-to-logs",
            route(Operation::DeleteArchive, &["x"]),
            viewer.clone(),
            None
        )
        .await
        .status,
        403
    );

    let events = logs
        .filter_log_events()
        .log_group_name(&group)
        .send()
        .await
        .expect("filter log events");
    let lines: Vec<Value> = events
        .events()
        .iter()
        .filter_map(|e| serde_json::from_str(e.message()?).ok())
        .collect();
    let phases = |id: &str| -> Vec<String> {
        lines
            .iter()
            .filter(|l| l["requestId"] == id)
            .map(|l| l["phase"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    assert_eq!(phases("to-logs"), ["intent", "outcome"], "{lines:#?}");
    assert_eq!(phases("refused-to-logs"), ["outcome"], "{lines:#?}");
    let refusal = lines
        .iter()
        .find(|l| l["requestId"] == "refused-to-logs")
        .expect("refusal");
    assert_eq!(refusal["outcome"]["status"], 403);
    assert_eq!(refusal["caller"]["email"], "ana@example.com");

    // The group gone: a change is refused before anything is made; a read still answers.
    logs.delete_log_group()
        .log_group_name(&group)
        .send()
        .await
        .expect("delete group");
    let admin = Some(claims("[rewind-admins]"));
    let create = json!({"archiveName": "unaudited", "eventSourceArn": "arn:aws:events:us-east-1:000000000000:event-bus/default"});
    let answer = ask(
        &router,
        "unaudited",
        route(Operation::CreateArchive, &[]),
        admin.clone(),
        Some(&create.to_string()),
    )
    .await;
    assert_eq!(answer.status, 503, "{}", answer.body);
    assert!(answer.body.contains("audit trail"), "{}", answer.body);
    let answer = ask(
        &router,
        "unaudited-read",
        route(Operation::DescribeArchive, &["unaudited"]),
        admin,
        None,
    )
    .await;
    assert_eq!(
        answer.status, 404,
        "the archive was not made: {}",
        answer.body
    );
    // A peek read hands events out and deletes acknowledged ones: without its intent
    // written it is refused before the handler, so nothing is consumed.
    let answer = ask(
        &router,
        "unaudited-peek-read",
        route(Operation::ReadPeek, &["0123456789abcdef"]).query("ack=handle"),
        Some(claims("[rewind-operators]")),
        None,
    )
    .await;
    assert_eq!(answer.status, 503, "{}", answer.body);
    assert!(answer.body.contains("audit trail"), "{}", answer.body);
}
