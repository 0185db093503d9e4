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
use testkit::app::{Emulator, EmulatorProcess, HEALTH, OPENAPI, Route, route, test_settings};

pub fn event(route: Route, claims: Option<Value>, body: Option<Value>) -> LambdaRequest {
    event_for_api("abc123", route, claims, body)
}

/// An event as API Gateway `api_id` hands it over.
pub fn event_for_api(
    api_id: &str,
    route: Route,
    claims: Option<Value>,
    body: Option<Value>,
) -> LambdaRequest {
    let body = body.map(|b| b.to_string());
    serde_json::from_value(event_json(api_id, "req-42", &route, claims, body))
        .expect("a payload 2.0 event")
}

/// The JSON of an API Gateway HTTP API (payload 2.0) event, its request id `request_id`.
pub fn event_json(
    api_id: &str,
    request_id: &str,
    route: &Route,
    claims: Option<Value>,
    body: Option<String>,
) -> Value {
    let (method, path) = (route.method, route.path.as_str());
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

/// [`event`] sent through `router` as Lambda does; returns (status, body).
pub async fn ask(
    router: &axum::Router,
    route: Route,
    claims: Option<Value>,
    body: Option<Value>,
) -> (u16, Value) {
    invoke(router, event(route, claims, body)).await
}

/// The settings of a deployment (`REWIND_AUTH=jwt`) on `endpoint`: [`test_settings`]
/// checking tokens, changed by `configure`.
pub fn deployed_settings(endpoint: &str, configure: impl FnOnce(&mut Settings)) -> Settings {
    let mut settings = test_settings(endpoint);
    settings.auth = AuthMode::Jwt;
    configure(&mut settings);
    settings
}

/// The router as deployed, on `endpoint`, with its settings changed by `configure`
/// (teams, the authorizer it expects, …), and the audit records it writes.
pub async fn deployed_router_with(
    endpoint: &str,
    configure: impl FnOnce(&mut Settings),
) -> (axum::Router, Arc<Mutex<Vec<AuditRecord>>>) {
    let settings = deployed_settings(endpoint, configure);
    let (audit, records) = AuditLog::in_memory();
    let state = AppState {
        audit,
        ..AppState::from_settings(&settings).await
    };
    (api_router(state), records)
}

async fn deployed_router(
    emulator: &EmulatorProcess,
) -> (axum::Router, Arc<Mutex<Vec<AuditRecord>>>) {
    deployed_router_with(&emulator.endpoint(), |_| {}).await
}

#[tokio::test]
async fn jwt_mode_needs_the_authorizers_claims() {
    let emulator = EmulatorProcess::start(Emulator::Ministack).await;
    let (router, _) = deployed_router(&emulator).await;

    let archives = || route(Operation::ListArchives, &[]);
    let (status, body) = ask(&router, archives(), Some(claims("[rewind-viewers]")), None).await;
    assert_eq!(status, 200, "{body}");
    assert!(body["archives"].is_array());
    let (status, body) = ask(&router, archives(), None, None).await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["error"]["code"], "Unauthenticated");
    // Claims without a subject are no identity.
    let (status, _) = ask(
        &router,
        route(Operation::DeleteArchive, &["x"]),
        Some(json!({"email": "x@example.com"})),
        None,
    )
    .await;
    assert_eq!(status, 401);
    for public in [HEALTH, OPENAPI] {
        let (status, body) = ask(&router, Route::raw("GET", public), None, None).await;
        assert_eq!(status, 200, "{public}: {body}");
    }
    let nowhere = || Route::raw("GET", "/api/nowhere");
    let (status, _) = ask(&router, nowhere(), None, None).await;
    assert_eq!(status, 401);
    let (status, body) = ask(&router, nowhere(), Some(claims("[rewind-admins]")), None).await;
    assert_eq!(status, 404, "{body}");
    let (status, body) = ask(
        &router,
        route(Operation::Me, &[]),
        Some(claims("[rewind-operators rewind-viewers]")),
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body,
        json!({"subject": "0f1e2d3c", "email": "ana@example.com", "roles": ["viewer", "operator"], "local": false,
               "scope": "all", "teams": [], "deployment": {"region": "us-east-1"}})
    );
    // Where it acts, as the template sets it: the header shows it.
    let (router, _) = deployed_router_with(&emulator.endpoint(), |s| {
        s.account_id = Some("111122223333".to_owned());
        s.environment = Some("production".to_owned());
    })
    .await;
    let me = event(
        route(Operation::Me, &[]),
        Some(claims("[rewind-viewers]")),
        None,
    );
    let (_, body) = invoke(&router, me).await;
    assert_eq!(
        body["deployment"],
        json!({"accountId": "111122223333", "region": "us-east-1", "environment": "production"})
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
        let method = action.method().as_str();
        let params = action
            .path_template()
            .matches('{')
            .map(|_| "x")
            .collect::<Vec<_>>();
        let path = testkit::app::path(action, &params);
        let request = || Route::raw(method, path.clone());
        let body = (method != "GET" && method != "DELETE").then(|| json!({}));
        for role in Role::ALL {
            let (status, reply) =
                ask(&router, request(), Some(claims(&group(role))), body.clone()).await;
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
        let (status, _) = ask(
            &router,
            request(),
            Some(claims("[someone-else]")),
            body.clone(),
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
    let (_, buses) = ask(
        &router,
        route(Operation::ListEventBuses, &[]),
        admin.clone(),
        None,
    )
    .await;
    let bus = buses["eventBuses"][0]["arn"]
        .as_str()
        .unwrap_or_default()
        .to_owned();

    let (status, created) = ask(
        &router,
        route(Operation::CreateArchive, &[]),
        admin.clone(),
        Some(json!({"archiveName": "audited", "eventSourceArn": bus})),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let (status, _) = ask(
        &router,
        route(Operation::DeleteArchive, &["ghost"]),
        admin.clone(),
        None,
    )
    .await;
    assert_eq!(status, 404);
    let (status, _) = ask(
        &router,
        route(Operation::DeleteArchive, &["audited"]),
        Some(claims("[rewind-viewers]")),
        None,
    )
    .await;
    assert_eq!(status, 403);

    // An operator's replay without a description says who started it.
    let operator = Some(claims("[rewind-operators]"));
    let archive = created["archiveArn"].as_str().unwrap_or_default();
    let start = testkit::app::replay_body("audited-replay", archive, &bus, (-30, 0));
    let (status, reply) = ask(
        &router,
        route(Operation::StartReplay, &[]),
        operator.clone(),
        Some(start),
    )
    .await;
    assert_eq!(status, 201, "{reply}");
    let (_, replay) = ask(
        &router,
        route(Operation::DescribeReplay, &["audited-replay"]),
        operator,
        None,
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
    let (router, _) = deployed_router_with(&emulator.endpoint(), |s| {
        s.roles.expected.issuer = Some("https://issuer.example/pool-1".to_owned());
        s.roles.expected.audience = Some("console-client".to_owned());
        s.roles.expected.api_id = Some("abc123".to_owned());
    })
    .await;
    let claims = |iss: &str, audience: (&str, &str)| {
        let mut c = json!({"sub": "ana", "cognito:groups": "[rewind-viewers]", "iss": iss});
        c[audience.0] = json!(audience.1);
        c
    };
    let me = || route(Operation::Me, &[]);
    let good = claims("https://issuer.example/pool-1", ("aud", "console-client"));
    let (status, body) = ask(&router, me(), Some(good.clone()), None).await;
    assert_eq!(status, 200, "{body}");
    let access_token = claims(
        "https://issuer.example/pool-1",
        ("client_id", "console-client"),
    );
    let (status, _) = ask(&router, me(), Some(access_token), None).await;
    assert_eq!(status, 200);
    for (what, request) in [
        (
            "another issuer",
            event(
                me(),
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
                me(),
                Some(claims(
                    "https://issuer.example/pool-1",
                    ("aud", "other-client"),
                )),
                None,
            ),
        ),
        (
            "another API",
            event_for_api("zzz999", me(), Some(good.clone()), None),
        ),
    ] {
        let (status, body) = invoke(&router, request).await;
        assert_eq!(status, 401, "{what}: {body}");
    }
    // Path tricks without claims never reach a signed-in handler: the open paths and a
    // signed-in one, each bent (a dot segment, a trailing slash, another case, a
    // percent-encoded letter) or asked with another method.
    let archives = route(Operation::ListArchives, &[]).path;
    let bent = |path: &str, word: &str, to: &str| path.replacen(word, to, 1);
    for (method, path) in [
        ("GET", format!("{HEALTH}/../archives")),
        ("GET", format!("{HEALTH}/")),
        ("GET", bent(HEALTH, "health", "Health")),
        ("GET", bent(HEALTH, "health", "%68ealth")),
        ("GET", format!("{OPENAPI}/")),
        ("GET", format!("{archives}/")),
        ("GET", bent(&archives, "archives", "Archives")),
        ("GET", bent(&archives, "archives", "%61rchives")),
        ("HEAD", archives.clone()),
        ("OPTIONS", archives.clone()),
        ("OPTIONS", HEALTH.to_owned()),
        ("POST", HEALTH.to_owned()),
        ("DELETE", route(Operation::DeleteArchive, &["x"]).path),
    ] {
        let (status, body) = ask(&router, Route::raw(method, path.clone()), None, None).await;
        assert!(
            status == 401 || status == 404 && body["error"]["code"] == "Unauthenticated",
            "{method} {path}: {status} {body}"
        );
    }
}
