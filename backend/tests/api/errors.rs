//! Malformed requests and upstream failures.

use serde_json::json;
use std::time::{Duration, Instant};
use testkit::app::{
    Emulator, EmulatorProcess, FaultyProxy, HEALTH, Operation, ProxyFaults, SHOP_ORDERS, TestApp,
    path, spawn_app, spawn_backend,
};
use testkit::on_both_emulators;

on_both_emulators!(
    stopped_emulator_is_503_within_5_seconds,
    backend_recovers_when_the_emulator_comes_back
);

/// A path under `/api/` that no route serves.
const NO_ROUTE: &str = "/api/nothing-here";

/// Reads that each need EventBridge: (operation, path parameters).
const UPSTREAM_READS: [(Operation, &[&str]); 4] = [
    (Operation::ListArchives, &[]),
    (Operation::DescribeArchive, &["x"]),
    (Operation::ListReplays, &[]),
    (Operation::ListEventBuses, &[]),
];

/// The backend on ministack behind a [`FaultyProxy`].
async fn spawn_behind_proxy() -> (TestApp, FaultyProxy) {
    let emulator = EmulatorProcess::start(Emulator::Ministack).await;
    let proxy = FaultyProxy::start(emulator.endpoint()).await;
    let mut app = spawn_backend(&proxy.address, |_| {}).await;
    app.emulator = Some(emulator);
    (app, proxy)
}

async fn list_archives(app: &TestApp) -> testkit::app::Reply {
    app.call(Operation::ListArchives, &[], None).await
}

#[tokio::test]
async fn slowed_emulator_is_503_within_the_operation_timeout() {
    let (app, proxy) = spawn_behind_proxy().await;
    assert_eq!(list_archives(&app).await.status, 200);
    proxy.set(ProxyFaults {
        delay: Duration::from_secs(10),
        ..Default::default()
    });
    for (op, params) in &UPSTREAM_READS[..3] {
        let started = Instant::now();
        let reply = app.call(*op, params, None).await;
        let took = started.elapsed();
        reply.assert_error(503, "UpstreamUnavailable", None);
        // The operation timeout is 4 s, retries included.
        assert!(took < Duration::from_secs(5), "{op:?} took {took:?}");
        assert!(
            took >= Duration::from_secs(3),
            "{op:?} gave up early: {took:?}"
        );
    }
    // Once the network is well again, so is the backend.
    proxy.set(ProxyFaults::default());
    assert_eq!(list_archives(&app).await.status, 200);
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
        let reply = list_archives(&app).await;
        eprintln!("cut after {cut} bytes: {} {}", reply.status, reply.body);
        assert!(started.elapsed() < Duration::from_secs(5));
        reply.assert_error(502, "UpstreamError", None);
    }
    proxy.set(ProxyFaults::default());
    assert_eq!(list_archives(&app).await.status, 200);
}

async fn backend_recovers_when_the_emulator_comes_back(emulator: Emulator) {
    let mut app = spawn_app(emulator).await;
    assert_eq!(list_archives(&app).await.status, 200);
    let Some(process) = app.emulator.as_mut() else {
        panic!("no emulator")
    };
    process.stop();
    list_archives(&app)
        .await
        .assert_error(503, "UpstreamUnavailable", None);
    if let Some(process) = app.emulator.as_mut() {
        process.restart().await;
    }
    // No restart of the backend: its next call simply works.
    let reply = list_archives(&app).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.body["archives"], json!([]));
}

async fn stopped_emulator_is_503_within_5_seconds(emulator: Emulator) {
    let mut app = spawn_app(emulator).await;
    assert_eq!(list_archives(&app).await.status, 200);
    if let Some(e) = app.emulator.as_mut() {
        e.stop();
    }
    for (op, params) in UPSTREAM_READS {
        let started = Instant::now();
        let reply = app.call(op, params, None).await;
        let took = started.elapsed();
        reply.assert_error(503, "UpstreamUnavailable", None);
        assert!(took < Duration::from_secs(5), "{op:?} took {took:?}");
    }
    // The process still answers what needs no upstream.
    assert_eq!(app.get(HEALTH).await.status, 200);
}

#[tokio::test]
async fn bodies_that_are_not_acceptable() {
    let app = spawn_app(Emulator::Ministack).await;
    let create = || app.request(Operation::CreateArchive, &[]);

    let too_large = "x".repeat(70 * 1024);
    let reply = app
        .send(
            create()
                .header("content-type", "application/json")
                .body(format!(r#"{{"archiveName":"{too_large}"}}"#)),
        )
        .await;
    reply.assert_error(413, "PayloadTooLarge", None);

    let reply = app
        .send(
            create()
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
        .send(create().header("content-type", "text/plain").body("{}"))
        .await;
    reply.assert_error(400, "ValidationError", Some("body"));

    let reply = app
        .send(create().json(&json!({"archiveName": "a", "eventSourceArn": "b", "tags": {}})))
        .await;
    reply.assert_error(400, "ValidationError", Some("tags"));

    let reply = app
        .send(create().json(&json!(["not", "an", "object"])))
        .await;
    reply.assert_error(400, "ValidationError", Some("body"));
}

#[tokio::test]
async fn unknown_routes_and_methods_are_json() {
    let app = spawn_app(Emulator::Ministack).await;
    app.get(NO_ROUTE).await.assert_error(404, "NotFound", None);
    let archives = path(Operation::ListArchives, &[]);
    let reply = app.send(app.http.put(app.url(&archives))).await;
    reply.assert_error(405, "MethodNotAllowed", None);
    assert!(reply.message().contains(&archives), "{}", reply.body);
    // Security headers on every answer.
    let reply = app.get(HEALTH).await;
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
            app.request(Operation::ListArchives, &[])
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
    let again = list_archives(&app).await;
    assert_ne!(
        again.headers["x-request-id"].to_str().unwrap_or_default(),
        id
    );
    // Failures are named too.
    proxy.set(ProxyFaults {
        delay: Duration::ZERO,
        truncate_after: Some(40),
    });
    let failed = list_archives(&app).await;
    assert_eq!(failed.status, 502, "{}", failed.body);
    assert!(failed.headers.contains_key("x-request-id"));
}

/// Locally the backend also serves the built console, and every non-API path is answered
/// by its route's static frame (or `index.html` without one) so the console's own routes
/// survive a reload; `/api/*` never is.
#[tokio::test]
async fn console_files_with_spa_fallback() {
    let dist = std::env::temp_dir().join(format!("rewind-dist-{}", std::process::id()));
    std::fs::create_dir_all(&dist).expect("dist dir");
    std::fs::write(
        dist.join("index.html"),
        "<!doctype html><title>Rewind console</title>",
    )
    .expect("index");
    std::fs::write(dist.join("app.js"), "console.log(1)").expect("asset");
    // Two routes' static frames: locally (nobody signs in) the variants with the note.
    std::fs::create_dir_all(dist.join("frames")).expect("frames dir");
    for (name, text) in [
        ("now.local.html", "Now frame, local"),
        ("now.html", "Now frame, signed in"),
        ("archive.local.html", "Archive frame, local"),
    ] {
        std::fs::write(dist.join("frames").join(name), text).expect("frame");
    }
    // A hashed asset with its precompressed copies, as `cargo xtask` builds them.
    let hashed = "app-0123456789abcdef.js";
    std::fs::write(dist.join(hashed), "console.log(2)").expect("asset");
    std::fs::write(dist.join(format!("{hashed}.br")), "brotli bytes").expect("br");
    std::fs::write(dist.join(format!("{hashed}.gz")), "gzip bytes").expect("gz");
    // Nothing listens upstream: these requests must not need EventBridge.
    let console = dist.clone();
    let app = spawn_backend("http://127.0.0.1:9", |s| s.static_dir = console).await;
    let base = app.address.clone();
    let http = reqwest::Client::new();
    let (archives, health) = (path(Operation::ListArchives, &[]), HEALTH);

    for (path, served) in [
        ("/", "Now frame, local"),
        ("/archives/orders-all", "Archive frame, local"),
        ("/archives/orders-all/", "Archive frame, local"),
        // No frame built for this route: the app shell.
        ("/replays?state=RUNNING", "Rewind console"),
    ] {
        let response = http.get(format!("{base}{path}")).send().await.expect("get");
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(
            response
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok()),
            Some("text/html"),
            "{path}"
        );
        let body = response.text().await.unwrap_or_default();
        assert!(body.contains(served), "{path}: {body}");
    }
    // A file that is not there is a 404, not a page cached in its place.
    let gone = http
        .get(format!("{base}/app-0123456789abcdee.js"))
        .send()
        .await
        .expect("get");
    assert_eq!(gone.status(), 404);
    assert_eq!(
        gone.headers()
            .get("cache-control")
            .and_then(|v| v.to_str().ok()),
        Some("no-cache")
    );
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
        .get(format!("{base}{NO_ROUTE}"))
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
        http.get(format!("{base}{health}")),
        http.get(format!("{base}{NO_ROUTE}")),
        http.get(format!("{base}{archives}")),
        http.post(format!("{base}{archives}")).body("{"),
        http.request(reqwest::Method::OPTIONS, format!("{base}{archives}"))
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
    let archives = |query: String| {
        let app = &app;
        async move {
            app.call_query(Operation::ListArchives, &[], &query, None)
                .await
        }
    };
    let rules = |query: &'static str| {
        let app = &app;
        async move {
            app.call_query(Operation::ListRules, &["default"], query, None)
                .await
        }
    };
    archives("limit=5&limit=6".into())
        .await
        .assert_error(400, "ValidationError", Some("limit"));
    app.call_query(
        Operation::ListReplays,
        &[],
        "namePrefix=a&namePrefix=b",
        None,
    )
    .await
    .assert_error(400, "ValidationError", Some("namePrefix"));
    for limit in ["%2B5", "%205", "5%20", "-1", "1e2", "101"] {
        archives(format!("limit={limit}")).await.assert_error(
            400,
            "ValidationError",
            Some("limit"),
        );
    }
    assert_eq!(archives("limit=007".into()).await.status, 200);
    assert_eq!(rules("limit=").await.status, 200);

    app.create_rule("default", "orders-created", SHOP_ORDERS)
        .await;
    app.create_rule("default", "payments", r#"{"source":["shop.payments"]}"#)
        .await;
    let reply = rules("namePrefix=orders").await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let names = reply.names("rules");
    assert_eq!(names, ["orders-created"]);
    rules("namePrefix=a/b")
        .await
        .assert_error(400, "ValidationError", Some("namePrefix"));
}
