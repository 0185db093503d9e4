//! Malformed requests and upstream failures.

use crate::helpers::{Emulator, spawn_app};
use crate::on_both_emulators;
use serde_json::json;
use std::time::{Duration, Instant};

on_both_emulators!(stopped_emulator_is_503_within_5_seconds);

async fn stopped_emulator_is_503_within_5_seconds(emulator: Emulator) {
    let mut app = spawn_app(emulator).await;
    assert_eq!(app.get("/api/archives").await.status, 200);
    if let Some(e) = app.emulator.as_mut() {
        e.stop();
    }
    for path in [
        "/api/archives",
        "/api/replays",
        "/api/archives/x",
        "/api/event-buses",
    ] {
        let started = Instant::now();
        let reply = app.get(path).await;
        let took = started.elapsed();
        reply.assert_error(503, "UpstreamUnavailable", None);
        assert!(took < Duration::from_secs(5), "{path} took {took:?}");
    }
    // The process still answers what needs no upstream.
    assert_eq!(app.get("/api/health").await.status, 200);
}

#[tokio::test]
async fn bodies_that_are_not_acceptable() {
    let app = spawn_app(Emulator::Ministack).await;
    let url = app.url("/api/archives");

    let too_large = "x".repeat(70 * 1024);
    let reply = app
        .send(
            app.http
                .post(&url)
                .header("content-type", "application/json")
                .body(format!(r#"{{"archiveName":"{too_large}"}}"#)),
        )
        .await;
    reply.assert_error(413, "PayloadTooLarge", None);

    let reply = app
        .send(
            app.http
                .post(&url)
                .header("content-type", "application/json")
                .body("{\"archiveName\": "),
        )
        .await;
    reply.assert_error(400, "ValidationError", Some("body"));
    assert!(
        reply.body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("not valid JSON"))
    );

    let reply = app
        .send(
            app.http
                .post(&url)
                .header("content-type", "text/plain")
                .body("{}"),
        )
        .await;
    reply.assert_error(400, "ValidationError", Some("body"));

    let reply = app
        .send(
            app.http
                .post(&url)
                .json(&json!({"archiveName": "a", "eventSourceArn": "b", "tags": {}})),
        )
        .await;
    reply.assert_error(400, "ValidationError", Some("tags"));

    let reply = app
        .send(app.http.post(&url).json(&json!(["not", "an", "object"])))
        .await;
    reply.assert_error(400, "ValidationError", Some("body"));
}

#[tokio::test]
async fn unknown_routes_and_methods_are_json() {
    let app = spawn_app(Emulator::Ministack).await;
    app.get("/api/nothing-here")
        .await
        .assert_error(404, "NotFound", None);
    let reply = app.send(app.http.put(app.url("/api/archives"))).await;
    reply.assert_error(405, "MethodNotAllowed", None);
    assert!(
        reply.body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("/api/archives"))
    );
    // Security headers on every answer.
    let reply = app.get("/api/health").await;
    assert_eq!(reply.headers["x-content-type-options"], "nosniff");
    assert_eq!(reply.headers["referrer-policy"], "no-referrer");
}

/// Locally the backend also serves the built console, and every non-API path falls back
/// to `index.html` so the console's own routes survive a reload; `/api/*` never does.
#[tokio::test]
async fn console_files_with_spa_fallback() {
    use backend::configuration::Settings;
    use backend::startup::Application;

    let dist = std::env::temp_dir().join(format!("rewind-dist-{}", std::process::id()));
    std::fs::create_dir_all(&dist).expect("dist dir");
    std::fs::write(
        dist.join("index.html"),
        "<!doctype html><title>Rewind console</title>",
    )
    .expect("index");
    std::fs::write(dist.join("app.js"), "console.log(1)").expect("asset");
    let dist_path = dist.to_string_lossy().into_owned();
    let settings = Settings::from_lookup(|name| match name {
        // Nothing listens here: these requests must not need EventBridge.
        "REWIND_EVENTBRIDGE_ENDPOINT" => Some("http://127.0.0.1:9".to_owned()),
        "REWIND_LISTEN" => Some("127.0.0.1:0".to_owned()),
        "REWIND_STATIC_DIR" => Some(dist_path.clone()),
        _ => None,
    })
    .expect("settings");
    let app = Application::build(&settings).await.expect("app");
    let base = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run());
    let http = reqwest::Client::new();

    for path in ["/", "/archives/orders-all", "/replays?state=RUNNING"] {
        let response = http.get(format!("{base}{path}")).send().await.expect("get");
        assert_eq!(response.status(), 200, "{path}");
        assert!(
            response
                .text()
                .await
                .unwrap_or_default()
                .contains("Rewind console"),
            "{path}"
        );
    }
    let asset = http
        .get(format!("{base}/app.js"))
        .send()
        .await
        .expect("asset");
    assert_eq!(asset.text().await.unwrap_or_default(), "console.log(1)");
    let api = http
        .get(format!("{base}/api/missing"))
        .send()
        .await
        .expect("api");
    assert_eq!(api.status(), 404);
    assert!(api.text().await.unwrap_or_default().contains("NotFound"));
    let _ = std::fs::remove_dir_all(&dist);
}
