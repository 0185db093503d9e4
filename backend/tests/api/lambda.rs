//! Deployed mode: API Gateway HTTP API (payload 2.0) events go through `lambda_http`'s
//! own adapter — the code path `lambda_http::run` uses — into the same router, with
//! `REWIND_AUTH=jwt`. A request without the authorizer's claims is refused.

use crate::helpers::{Emulator, EmulatorProcess};
use backend::configuration::{AuthMode, Settings};
use backend::eventbridge::EventBridge;
use backend::startup::{AppState, api_router};
use lambda_http::request::LambdaRequest;
use lambda_http::{Adapter, Context, LambdaEvent, Service};
use serde_json::{Value, json};

fn event(method: &str, path: &str, claims: Option<Value>) -> LambdaRequest {
    let mut context = json!({
        "accountId": "123456789012", "apiId": "abc123", "domainName": "abc123.execute-api.us-east-1.amazonaws.com",
        "domainPrefix": "abc123", "requestId": "req-1", "routeKey": "ANY /api/{proxy+}", "stage": "$default",
        "time": "26/Nov/2026:13:00:00 +0000", "timeEpoch": 1_795_000_000_000u64,
        "http": {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "203.0.113.7", "userAgent": "test"},
    });
    if let Some(claims) = claims {
        context["authorizer"] = json!({"jwt": {"claims": claims, "scopes": null}});
    }
    let event = json!({
        "version": "2.0", "routeKey": "ANY /api/{proxy+}", "rawPath": path, "rawQueryString": "",
        "headers": {"accept": "application/json", "host": "abc123.execute-api.us-east-1.amazonaws.com"},
        "requestContext": context, "isBase64Encoded": false,
    });
    serde_json::from_value(event).expect("a payload 2.0 event")
}

/// Sends one event the way Lambda does; returns (status, body).
async fn invoke(router: axum::Router, request: LambdaRequest) -> (u16, Value) {
    let mut adapter = Adapter::from(router);
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

#[tokio::test]
async fn jwt_mode_needs_the_authorizers_claims() {
    let emulator = EmulatorProcess::start(Emulator::Ministack).await;
    let endpoint = emulator.endpoint();
    let settings = Settings::from_lookup(|name| match name {
        "REWIND_EVENTBRIDGE_ENDPOINT" => Some(endpoint.clone()),
        "REWIND_AUTH" => Some("jwt".to_owned()),
        _ => None,
    })
    .expect("settings");
    assert_eq!(settings.auth, AuthMode::Jwt);
    let router = api_router(AppState {
        eventbridge: EventBridge::from_settings(&settings).await,
        auth: settings.auth,
    });
    let claims =
        json!({"sub": "0f1e2d3c", "email": "ana@example.com", "cognito:groups": "[admins]"});

    let (status, body) = invoke(
        router.clone(),
        event("GET", "/api/archives", Some(claims.clone())),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(body["archives"].is_array());

    let (status, body) = invoke(router.clone(), event("GET", "/api/archives", None)).await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["error"]["code"], "Unauthenticated");

    // Claims without a subject are no identity.
    let (status, _) = invoke(
        router.clone(),
        event(
            "DELETE",
            "/api/archives/x",
            Some(json!({"email": "x@example.com"})),
        ),
    )
    .await;
    assert_eq!(status, 401);

    for public in ["/api/health", "/api/openapi.json"] {
        let (status, body) = invoke(router.clone(), event("GET", public, None)).await;
        assert_eq!(status, 200, "{public}: {body}");
    }
    // Unknown API routes are still JSON errors, and still need a caller.
    let (status, _) = invoke(router.clone(), event("GET", "/api/nowhere", None)).await;
    assert_eq!(status, 401);
    let (status, body) = invoke(router, event("GET", "/api/nowhere", Some(claims))).await;
    assert_eq!(status, 404, "{body}");
}
