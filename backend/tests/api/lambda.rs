//! Deployed mode: API Gateway HTTP API (payload 2.0) events go through `lambda_http`'s
//! own adapter — the code path `lambda_http::run` uses — into the same router, with
//! `REWIND_AUTH=jwt`: no claims → 401; every route × role as `shared`'s role table says;
//! every request audited (`audit.rs`).

use backend::audit::{AuditLog, AuditRecord};
use backend::configuration::{AuthMode, Settings};
use backend::http::api_router;
use backend::state::AppState;
use lambda_http::request::LambdaRequest;
use lambda_http::{Adapter, Context, LambdaEvent, Service};
use serde_json::{Value, json};
use shared::roles::{Operation, Role};
use std::sync::{Arc, Mutex};
use testkit::app::{Emulator, EmulatorProcess};

pub fn event(
    method: &str,
    path: &str,
    claims: Option<Value>,
    body: Option<Value>,
) -> LambdaRequest {
    event_for_api("abc123", method, path, claims, body)
}

/// An event as API Gateway `api_id` hands it over.
pub fn event_for_api(
    api_id: &str,
    method: &str,
    path: &str,
    claims: Option<Value>,
    body: Option<Value>,
) -> LambdaRequest {
    let body = body.map(|b| b.to_string());
    serde_json::from_value(event_json(api_id, "req-42", method, path, claims, body))
        .expect("a payload 2.0 event")
}

/// The JSON of an API Gateway HTTP API (payload 2.0) event, its request id `request_id`.
pub fn event_json(
    api_id: &str,
    request_id: &str,
    method: &str,
    path: &str,
    claims: Option<Value>,
    body: Option<String>,
) -> Value {
    let (path, query) = path.split_once('?').unwrap_or((path, ""));
    let mut context = json!({
        "accountId": "123456789012", "apiId": api_id, "domainName": "abc123.execute-api.us-east-1.amazonaws.com",
        "domainPrefix": "abc123", "requestId": request_id, "routeKey": "ANY /api/{proxy+}", "stage": "$default",
        "time": "26/Nov/2026:13:00:00 +0000", "timeEpoch": 1_795_000_000_000u64,
        "http": {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "203.0.113.7", "userAgent": "test"},
    });
    if let Some(claims) = claims {
        context["authorizer"] = json!({"jwt": {"claims": claims, "scopes": null}});
    }
    let mut event = json!({
        "version": "2.0", "routeKey": "ANY /api/{proxy+}", "rawPath": path, "rawQueryString": query,
        "headers": {"accept": "application/json", "host": "abc123.execute-api.us-east-1.amazonaws.com"},
        "requestContext": context, "isBase64Encoded": false,
    });
    if let Some(body) = body {
        event["body"] = Value::String(body);
        event["headers"]["content-type"] = json!("application/json");
    }
    event
}

fn claims(groups: &str) -> Value {
    json!({"sub": "0f1e2d3c", "email": "ana@example.com", "cognito:groups": groups})
}

/// The group granting `role` under the default settings.
fn group(role: Role) -> String {
    format!("[rewind-{}s]", role.as_str())
}

/// Sends one event the way Lambda does; returns (status, body).
pub async fn invoke(router: &axum::Router, request: LambdaRequest) -> (u16, Value) {
    let mut adapter = Adapter::from(router.clone());
    let response = match adapter
        .call(LambdaEvent::new(request, Context::default()))
        .await
    {
        Ok(r) => r,
        Err(never) => match never {},
    };
    let response = serde_json::to_value(&response).expect("response JSON");
    let status = response["statusCode"].as_u64().unwrap_or_default() as u16;
    let body = response["body"]
        .as_str()
        .and_then(|b| serde_json::from_str(b).ok())
        .unwrap_or(Value::Null);
    (status, body)
}

async fn deployed_router(
    emulator: &EmulatorProcess,
) -> (axum::Router, Arc<Mutex<Vec<AuditRecord>>>) {
    deployed_router_with(emulator, &[]).await
}

/// The router as deployed, with more settings (`REWIND_TEAMS`, …).
pub async fn deployed_router_with(
    emulator: &EmulatorProcess,
    more: &[(&str, &str)],
) -> (axum::Router, Arc<Mutex<Vec<AuditRecord>>>) {
    let endpoint = emulator.endpoint();
    let settings = Settings::from_lookup(|name| match name {
        "REWIND_EVENTBRIDGE_ENDPOINT" => Some(endpoint.clone()),
        "REWIND_AUTH" => Some("jwt".to_owned()),
        other => more
            .iter()
            .find(|(k, _)| *k == other)
            .map(|(_, v)| (*v).to_owned()),
    })
    .expect("settings");
    assert_eq!(settings.auth, AuthMode::Jwt);
    let (audit, records) = AuditLog::in_memory();
    let state = AppState {
        audit,
        ..AppState::from_settings(&settings).await
    };
    (api_router(state), records)
}

#[tokio::test]
async fn jwt_mode_needs_the_authorizers_claims() {
    let emulator = EmulatorProcess::start(Emulator::Ministack).await;
    let (router, _) = deployed_router(&emulator).await;

    let (status, body) = invoke(
        &router,
        event(
            "GET",
            "/api/archives",
            Some(claims("[rewind-viewers]")),
            None,
        ),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(body["archives"].is_array());
    let (status, body) = invoke(&router, event("GET", "/api/archives", None, None)).await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["error"]["code"], "Unauthenticated");
    // Claims without a subject are no identity.
    let (status, _) = invoke(
        &router,
        event(
            "DELETE",
            "/api/archives/x",
            Some(json!({"email": "x@example.com"})),
            None,
        ),
    )
    .await;
    assert_eq!(status, 401);
    for public in ["/api/health", "/api/openapi.json"] {
        let (status, body) = invoke(&router, event("GET", public, None, None)).await;
        assert_eq!(status, 200, "{public}: {body}");
    }
    let (status, _) = invoke(&router, event("GET", "/api/nowhere", None, None)).await;
    assert_eq!(status, 401);
    let (status, body) = invoke(
        &router,
        event("GET", "/api/nowhere", Some(claims("[rewind-admins]")), None),
    )
    .await;
    assert_eq!(status, 404, "{body}");
    let (status, body) = invoke(
        &router,
        event(
            "GET",
            "/api/me",
            Some(claims("[rewind-operators rewind-viewers]")),
            None,
        ),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body,
        json!({"subject": "0f1e2d3c", "email": "ana@example.com", "roles": ["viewer", "operator"], "local": false,
               "scope": "all", "teams": []})
    );
}

/// Every route of the OpenAPI document is in the role table or open (health and the
/// document itself), and every action of the role table has a route: a new route cannot
/// be forgotten.
#[test]
fn every_route_has_a_role() {
    let routes = backend::http::openapi::routes();
    let open: Vec<_> = routes.iter().filter(|r| r.operation().is_none()).collect();
    assert_eq!(
        open.iter()
            .map(|r| r.operation_id.as_str())
            .collect::<Vec<_>>(),
        ["health", "openapi"],
        "only health and the document are open"
    );
    for &operation in Operation::ALL {
        assert_eq!(
            routes
                .iter()
                .filter(|r| r.operation() == Some(operation))
                .count(),
            1,
            "{operation:?} has no route, or more than one"
        );
    }
}

/// For each route × role: 403 where the role table says no, never 403 where it says yes.
#[tokio::test]
async fn each_route_for_each_role() {
    let emulator = EmulatorProcess::start(Emulator::Ministack).await;
    let (router, _) = deployed_router(&emulator).await;
    for route in backend::http::openapi::routes() {
        let Some(action) = route.operation() else {
            continue;
        };
        let method = route.method;
        let path = route.path.replace("{name}", "x");
        let body = (method != "GET" && method != "DELETE").then(|| json!({}));
        for role in Role::ALL {
            let (status, reply) = invoke(
                &router,
                event(method, &path, Some(claims(&group(role))), body.clone()),
            )
            .await;
            if role.can(action) {
                assert!(
                    status != 403 && status != 401,
                    "{role:?} {method} {path}: {status} {reply}"
                );
            } else {
                assert_eq!(status, 403, "{role:?} {method} {path}: {reply}");
                assert_eq!(reply["error"]["code"], "Forbidden");
                assert!(
                    reply["error"]["message"]
                        .as_str()
                        .is_some_and(|m| m.contains(action.minimum_role().as_str()))
                );
            }
        }
        // In no group: refused everywhere.
        let (status, _) = invoke(
            &router,
            event(method, &path, Some(claims("[someone-else]")), body.clone()),
        )
        .await;
        assert_eq!(status, 403, "no group {method} {path}");
    }
}

#[tokio::test]
async fn replays_name_their_starter() {
    let emulator = EmulatorProcess::start(Emulator::Ministack).await;
    let (router, records) = deployed_router(&emulator).await;
    let admin = Some(claims("[rewind-admins]"));
    let (_, buses) = invoke(
        &router,
        event("GET", "/api/event-buses", admin.clone(), None),
    )
    .await;
    let bus = buses["eventBuses"][0]["arn"]
        .as_str()
        .unwrap_or_default()
        .to_owned();

    let (status, created) = invoke(
        &router,
        event(
            "POST",
            "/api/archives",
            admin.clone(),
            Some(json!({"archiveName": "audited", "eventSourceArn": bus})),
        ),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let (status, _) = invoke(
        &router,
        event("DELETE", "/api/archives/ghost", admin.clone(), None),
    )
    .await;
    assert_eq!(status, 404);
    let (status, _) = invoke(
        &router,
        event(
            "DELETE",
            "/api/archives/audited",
            Some(claims("[rewind-viewers]")),
            None,
        ),
    )
    .await;
    assert_eq!(status, 403);

    // An operator's replay without a description says who started it.
    let operator = Some(claims("[rewind-operators]"));
    let start = json!({
        "replayName": "audited-replay", "eventSourceArn": created["archiveArn"],
        "eventStartTime": testkit::app::minutes_from_now(-30), "eventEndTime": testkit::app::minutes_from_now(0),
        "destination": {"arn": bus},
    });
    let (status, reply) = invoke(
        &router,
        event("POST", "/api/replays", operator.clone(), Some(start)),
    )
    .await;
    assert_eq!(status, 201, "{reply}");
    let (_, replay) = invoke(
        &router,
        event("GET", "/api/replays/audited-replay", operator, None),
    )
    .await;
    assert_eq!(
        replay["description"],
        "Started by ana@example.com via Rewind"
    );

    // Each of these requests left its audit records (field by field in `audit.rs`).
    let records = records.lock().map(|r| r.clone()).unwrap_or_default();
    assert!(records.len() >= 8, "{records:#?}");
}

/// Anyone able to invoke the function directly could hand it any context: the function
/// compares issuer, audience (or an access token's client id) and API id with what the
/// stack's authorizer accepts, and refuses the rest.
#[tokio::test]
async fn a_context_not_from_this_stacks_authorizer_is_refused() {
    let emulator = EmulatorProcess::start(Emulator::Ministack).await;
    let (router, _) = deployed_router_with(
        &emulator,
        &[
            ("REWIND_TOKEN_ISSUER", "https://issuer.example/pool-1"),
            ("REWIND_TOKEN_AUDIENCE", "console-client"),
            ("REWIND_API_ID", "abc123"),
        ],
    )
    .await;
    let claims = |iss: &str, audience: (&str, &str)| {
        let mut c = json!({"sub": "ana", "cognito:groups": "[rewind-viewers]", "iss": iss});
        c[audience.0] = json!(audience.1);
        c
    };
    let good = claims("https://issuer.example/pool-1", ("aud", "console-client"));
    let (status, body) = invoke(&router, event("GET", "/api/me", Some(good.clone()), None)).await;
    assert_eq!(status, 200, "{body}");
    let access_token = claims(
        "https://issuer.example/pool-1",
        ("client_id", "console-client"),
    );
    let (status, _) = invoke(&router, event("GET", "/api/me", Some(access_token), None)).await;
    assert_eq!(status, 200);
    for (what, request) in [
        (
            "another issuer",
            event(
                "GET",
                "/api/me",
                Some(claims(
                    "https://evil.example/pool",
                    ("aud", "console-client"),
                )),
                None,
            ),
        ),
        (
            "another audience",
            event(
                "GET",
                "/api/me",
                Some(claims(
                    "https://issuer.example/pool-1",
                    ("aud", "other-client"),
                )),
                None,
            ),
        ),
        (
            "another API",
            event_for_api("zzz999", "GET", "/api/me", Some(good.clone()), None),
        ),
    ] {
        let (status, body) = invoke(&router, request).await;
        assert_eq!(status, 401, "{what}: {body}");
    }
    // Path tricks without claims never reach a signed-in handler.
    for (method, path) in [
        ("GET", "/api/health/../archives"),
        ("GET", "/api/health/"),
        ("GET", "/api/Health"),
        ("GET", "/api/%68ealth"),
        ("GET", "/api/openapi.json/"),
        ("GET", "/api/archives/"),
        ("GET", "/api/Archives"),
        ("GET", "/api/%61rchives"),
        ("HEAD", "/api/archives"),
        ("OPTIONS", "/api/archives"),
        ("OPTIONS", "/api/health"),
        ("POST", "/api/health"),
        ("DELETE", "/api/archives/x"),
    ] {
        let (status, body) = invoke(&router, event(method, path, None, None)).await;
        assert!(
            status == 401 || status == 404 && body["error"]["code"] == "Unauthenticated",
            "{method} {path}: {status} {body}"
        );
    }
}
