//! Malformed requests and upstream failures.

use serde_json::json;
use std::time::{Duration, Instant};
use testkit::app::{
    Emulator, EmulatorProcess, FaultyProxy, ProxyFaults, TestApp, spawn_app, spawn_backend_serving,
};
use testkit::on_both_emulators;

on_both_emulators!(
    stopped_emulator_is_503_within_5_seconds,
    backend_recovers_when_the_emulator_comes_back
);

/// The backend on ministack behind a [`FaultyProxy`].
async fn spawn_behind_proxy() -> (TestApp, FaultyProxy) {
    let emulator = EmulatorProcess::start(Emulator::Ministack).await;
    let proxy = FaultyProxy::start(emulator.endpoint()).await;
    let (address, sdk) = spawn_backend_serving(&proxy.address, "/nonexistent").await;
    let app = TestApp {
        address,
        http: reqwest::Client::new(),
        sdk,
        emulator: Some(emulator),
    };
    (app, proxy)
}

#[tokio::test]
async fn slowed_emulator_is_503_within_the_operation_timeout() {
    let (app, proxy) = spawn_behind_proxy().await;
    assert_eq!(app.get("/api/archives").await.status, 200);
    proxy.set(ProxyFaults {
        delay: Duration::from_secs(10),
        ..Default::default()
    });
    for path in ["/api/archives", "/api/archives/x", "/api/replays"] {
        let started = Instant::now();
        let reply = app.get(path).await;
        let took = started.elapsed();
        reply.assert_error(503, "UpstreamUnavailable", None);
        // The operation timeout is 4 s, retries included.
        assert!(took < Duration::from_secs(5), "{path} took {took:?}");
        assert!(
            took >= Duration::from_secs(3),
            "{path} gave up early: {took:?}"
        );
    }
    // Once the network is well again, so is the backend.
    proxy.set(ProxyFaults::default());
    assert_eq!(app.get("/api/archives").await.status, 200);
}

#[tokio::test]
async fn truncated_answers_are_502() {
    let (app, proxy) = spawn_behind_proxy().await;
    let bus = app.bus_arn("default").await;
    for i in 0..5 {
        app.create_archive(&format!("truncated-{i}"), &bus, json!({}))
            .await;
    }
    for cut in [40, 400] {
        proxy.set(ProxyFaults {
            truncate_after: Some(cut),
            ..Default::default()
        });
        let started = Instant::now();
        let reply = app.get("/api/archives").await;
        eprintln!("cut after {cut} bytes: {} {}", reply.status, reply.body);
        assert!(started.elapsed() < Duration::from_secs(5));
        reply.assert_error(502, "UpstreamError", None);
    }
    proxy.set(ProxyFaults::default());
    assert_eq!(app.get("/api/archives").await.status, 200);
}

async fn backend_recovers_when_the_emulator_comes_back(emulator: Emulator) {
    let mut app = spawn_app(emulator).await;
    assert_eq!(app.get("/api/archives").await.status, 200);
    let Some(process) = app.emulator.as_mut() else {
        panic!("no emulator")
    };
    process.stop();
    app.get("/api/archives")
        .await
        .assert_error(503, "UpstreamUnavailable", None);
    if let Some(process) = app.emulator.as_mut() {
        process.restart().await;
    }
    // No restart of the backend: its next call simply works.
    let reply = app.get("/api/archives").await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.body["archives"], json!([]));
}

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

/// Every API answer names its request (`x-request-id`, the id of its log line and audit
/// record); an id the caller sends is replaced, never trusted; an upstream failure keeps
/// EventBridge's own request id for the log.
#[tokio::test]
async fn every_answer_carries_its_own_request_id() {
    let (app, proxy) = spawn_behind_proxy().await;
    let chosen = "chosen-by-the-caller";
    let reply = app
        .send(
            app.http
                .get(app.url("/api/archives"))
                .header("x-request-id", chosen),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let id = reply.headers["x-request-id"]
        .to_str()
        .unwrap_or_default()
        .to_owned();
    assert_eq!(id.len(), 36, "a UUID: {id}");
    assert_ne!(id, chosen);
    let again = app.get("/api/archives").await;
    assert_ne!(
        again.headers["x-request-id"].to_str().unwrap_or_default(),
        id
    );
    // Failures are named too.
    proxy.set(ProxyFaults {
        delay: Duration::ZERO,
        truncate_after: Some(40),
    });
    let failed = app.get("/api/archives").await;
    assert_eq!(failed.status, 502, "{}", failed.body);
    assert!(failed.headers.contains_key("x-request-id"));
}

/// Locally the backend also serves the built console, and every non-API path falls back
/// to `index.html` so the console's own routes survive a reload; `/api/*` never does.
#[tokio::test]
async fn console_files_with_spa_fallback() {
    use backend::configuration::Settings;
    use backend::http::Application;

    let dist = std::env::temp_dir().join(format!("rewind-dist-{}", std::process::id()));
    std::fs::create_dir_all(&dist).expect("dist dir");
    std::fs::write(
        dist.join("index.html"),
        "<!doctype html><title>Rewind console</title>",
    )
    .expect("index");
    std::fs::write(dist.join("app.js"), "console.log(1)").expect("asset");
    // A hashed asset with its precompressed copies, as `cargo xtask` builds them.
    let hashed = "app-0123456789abcdef.js";
    std::fs::write(dist.join(hashed), "console.log(2)").expect("asset");
    std::fs::write(dist.join(format!("{hashed}.br")), "brotli bytes").expect("br");
    std::fs::write(dist.join(format!("{hashed}.gz")), "gzip bytes").expect("gz");
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
    // Compressed files are sent as built, negotiated by Accept-Encoding; hashed files are
    // cached for a year, the rest revalidated.
    let plain_client = reqwest::Client::builder()
        .no_gzip()
        .no_brotli()
        .build()
        .expect("client");
    for (accept, encoding, body) in [
        ("br, gzip", Some("br"), "brotli bytes"),
        ("gzip", Some("gzip"), "gzip bytes"),
        ("identity", None, "console.log(2)"),
    ] {
        let response = plain_client
            .get(format!("{base}/{hashed}"))
            .header("accept-encoding", accept)
            .send()
            .await
            .expect("asset");
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        assert_eq!(header("content-encoding").as_deref(), encoding, "{accept}");
        assert_eq!(header("vary").as_deref(), Some("accept-encoding"));
        assert_eq!(
            header("cache-control").as_deref(),
            Some("public, max-age=31536000, immutable")
        );
        assert_eq!(response.text().await.unwrap_or_default(), body, "{accept}");
    }
    for entry in [
        "/",
        "/index.html",
        "/app.js",
        "/config.json",
        "/archives/orders-all",
    ] {
        let response = plain_client
            .get(format!("{base}{entry}"))
            .send()
            .await
            .expect("entry");
        assert_eq!(
            response
                .headers()
                .get("cache-control")
                .and_then(|v| v.to_str().ok()),
            Some("no-cache"),
            "{entry}"
        );
    }
    let api = http
        .get(format!("{base}/api/missing"))
        .send()
        .await
        .expect("api");
    assert_eq!(api.status(), 404);
    assert!(api.text().await.unwrap_or_default().contains("NotFound"));

    // Every response, console or API, success or error, carries the security headers and
    // never a CORS grant, whatever origin asks.
    let evil = "https://evil.example";
    let requests = [
        http.get(format!("{base}/")),
        http.get(format!("{base}/archives/orders-all")),
        http.get(format!("{base}/app.js")),
        http.get(format!("{base}/api/health")),
        http.get(format!("{base}/api/missing")),
        http.get(format!("{base}/api/archives")),
        http.post(format!("{base}/api/archives")).body("{"),
        http.request(reqwest::Method::OPTIONS, format!("{base}/api/archives"))
            .header("access-control-request-method", "POST"),
    ];
    for request in requests {
        let response = request.header("origin", evil).send().await.expect("send");
        let what = format!("{} {}", response.status(), response.url());
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned()
        };
        let csp = header("content-security-policy");
        assert!(
            csp.contains("script-src 'self' 'wasm-unsafe-eval'"),
            "{what}: {csp}"
        );
        assert!(csp.contains("frame-ancestors 'none'"), "{what}: {csp}");
        assert!(csp.contains("default-src 'self'"), "{what}: {csp}");
        assert!(!csp.contains("unsafe-inline"), "{what}: {csp}");
        assert_eq!(header("x-content-type-options"), "nosniff", "{what}");
        assert_eq!(header("referrer-policy"), "no-referrer", "{what}");
        assert_eq!(header("x-frame-options"), "DENY", "{what}");
        for cors in [
            "access-control-allow-origin",
            "access-control-allow-credentials",
            "access-control-allow-methods",
        ] {
            assert!(response.headers().get(cors).is_none(), "{what} sent {cors}");
        }
    }
    let _ = std::fs::remove_dir_all(&dist);
}

/// What schemathesis found, kept: a repeated query key was silently resolved, `limit`
/// took what its schema refused (a sign, spaces; an empty one is absent, as documented),
/// and rules could not be filtered by the prefix the schema offered.
#[tokio::test]
async fn schema_fuzzing_finds() {
    let app = spawn_app(Emulator::Ministack).await;
    app.get("/api/archives?limit=5&limit=6").await.assert_error(
        400,
        "ValidationError",
        Some("limit"),
    );
    app.get("/api/replays?namePrefix=a&namePrefix=b")
        .await
        .assert_error(400, "ValidationError", Some("namePrefix"));
    for limit in ["%2B5", "%205", "5%20", "-1", "1e2", "101"] {
        app.get(&format!("/api/archives?limit={limit}"))
            .await
            .assert_error(400, "ValidationError", Some("limit"));
    }
    assert_eq!(app.get("/api/archives?limit=007").await.status, 200);
    assert_eq!(
        app.get("/api/event-buses/default/rules?limit=")
            .await
            .status,
        200
    );

    app.create_rule("default", "orders-created", r#"{"source":["shop.orders"]}"#)
        .await;
    app.create_rule("default", "payments", r#"{"source":["shop.payments"]}"#)
        .await;
    let reply = app
        .get("/api/event-buses/default/rules?namePrefix=orders")
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let names = reply.names("rules");
    assert_eq!(names, ["orders-created"]);
    app.get("/api/event-buses/default/rules?namePrefix=a/b")
        .await
        .assert_error(400, "ValidationError", Some("namePrefix"));
}
