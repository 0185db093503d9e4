//! `/api/replays` against the emulators.

use serde_json::{Value, json};
use std::time::Duration;
use testkit::app::{Emulator, TestApp, minutes_from_now, skip_on, spawn_app};
use testkit::on_both_emulators;

on_both_emulators!(
    start_watch_and_list_a_replay,
    start_validates_every_field,
    cross_bus_replay_is_refused,
    replay_from_missing_archive_is_not_found,
    missing_replay_is_not_found,
    list_by_state,
    duplicate_replay_name_is_already_exists,
);

/// A bus `orders` with a rule, an archive of it and a few events; returns (bus, archive, rule).
async fn orders_with_archive(app: &TestApp) -> (String, String, String) {
    let bus = app.create_bus("orders").await;
    let rule = app
        .create_rule("orders", "order-created", r#"{"source":["shop.orders"]}"#)
        .await;
    let archive = app.create_archive("orders-all", &bus, json!({})).await;
    app.put_order_events("orders", 5).await;
    (bus, archive, rule)
}

fn replay_body(name: &str, archive: &str, bus: &str, filters: Option<Vec<String>>) -> Value {
    let mut destination = json!({"arn": bus});
    if let Some(filters) = filters {
        destination["filterArns"] = json!(filters);
    }
    json!({
        "replayName": name,
        "description": "after the fix",
        "eventSourceArn": archive,
        "eventStartTime": minutes_from_now(-120),
        "eventEndTime": minutes_from_now(1),
        "destination": destination,
    })
}

async fn start_watch_and_list_a_replay(emulator: Emulator) {
    let app = spawn_app(emulator).await;
    let (bus, archive, rule) = orders_with_archive(&app).await;

    let started = app
        .post(
            "/api/replays",
            &replay_body("fix-1", &archive, &bus, Some(vec![rule])),
        )
        .await;
    assert_eq!(started.status, 201, "{}", started.body);
    assert_eq!(started.headers["location"], "/api/replays/fix-1");
    assert!(
        started.body["replayArn"]
            .as_str()
            .is_some_and(|a| a.ends_with(":replay/fix-1"))
    );
    assert!(started.body["state"].is_string());

    // Watch it as the console does until it ends.
    let mut replay = Value::Null;
    for _ in 0..100 {
        let reply = app.get("/api/replays/fix-1").await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        replay = reply.body;
        if replay["state"] == "COMPLETED" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(replay["state"], "COMPLETED", "{replay}");
    assert_eq!(replay["progress"], 1.0);
    assert_eq!(replay["eventSourceArn"], archive.as_str());
    assert_eq!(replay["destination"]["arn"], bus.as_str());
    assert!(replay["destination"]["filterArns"].is_array());
    assert_eq!(replay["description"], "after the fix");
    for field in ["replayArn", "eventStartTime", "eventEndTime"] {
        assert!(replay[field].is_string(), "{field}: {replay}");
    }

    let list = app.get("/api/replays").await;
    assert_eq!(list.status, 200);
    let row = list.body["replays"]
        .as_array()
        .and_then(|r| r.iter().find(|x| x["replayName"] == "fix-1").cloned())
        .unwrap_or_else(|| panic!("not listed: {}", list.body));
    assert_eq!(row["state"], "COMPLETED");
    assert_eq!(row["progress"], 1.0);

    let by_archive = app
        .get(&format!("/api/replays?eventSourceArn={archive}"))
        .await;
    assert_eq!(
        by_archive.body["replays"].as_array().map(Vec::len),
        Some(1),
        "{}",
        by_archive.body
    );
    let by_prefix = app.get("/api/replays?namePrefix=other").await;
    assert_eq!(by_prefix.body["replays"], json!([]));
}

async fn start_validates_every_field(emulator: Emulator) {
    let app = spawn_app(emulator).await;
    let (bus, archive, _) = orders_with_archive(&app).await;
    let base = replay_body("r1", &archive, &bus, None);
    let with = |field: &str, value: Value| {
        let mut body = base.clone();
        body[field] = value;
        body
    };
    let now = minutes_from_now(-10);
    let cases = [
        (with("replayName", json!("r".repeat(65))), "replayName"),
        (with("replayName", json!("bad name")), "replayName"),
        (with("description", json!("d".repeat(513))), "description"),
        (with("eventSourceArn", json!(bus)), "eventSourceArn"),
        (with("eventStartTime", json!("yesterday")), "eventStartTime"),
        (
            with("eventEndTime", json!("2026-13-01T00:00:00Z")),
            "eventEndTime",
        ),
        (
            with("eventStartTime", json!(now)).tap("eventEndTime", json!(now)),
            "eventEndTime",
        ),
        (
            with("destination", json!({"arn": "nope"})),
            "destination.arn",
        ),
        (
            with(
                "destination",
                json!({"arn": bus, "filterArns": ["arn:aws:sqs:x"]}),
            ),
            "destination.filterArns",
        ),
        (
            with("destination", json!({"arn": bus, "extra": 1})),
            "destination.extra",
        ),
    ];
    for (body, field) in cases {
        // The preview validates exactly as a start does.
        for path in ["/api/replays", "/api/replays/preview"] {
            app.post(path, &body)
                .await
                .assert_error(400, "ValidationError", Some(field));
        }
    }
    let list = app.get("/api/replays").await;
    assert_eq!(
        list.body["replays"],
        json!([]),
        "nothing may have started: {}",
        list.body
    );
}

trait Tap {
    fn tap(self, field: &str, value: Value) -> Value;
}
impl Tap for Value {
    fn tap(mut self, field: &str, value: Value) -> Value {
        self[field] = value;
        self
    }
}

async fn cross_bus_replay_is_refused(emulator: Emulator) {
    let app = spawn_app(emulator).await;
    let (_, archive, _) = orders_with_archive(&app).await;
    let default_bus = app.bus_arn("default").await;
    for path in ["/api/replays", "/api/replays/preview"] {
        let reply = app
            .post(path, &replay_body("cross", &archive, &default_bus, None))
            .await;
        reply.assert_error(400, "ValidationError", Some("destination.arn"));
        assert!(
            reply.body["error"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("event-bus/orders"))
        );
    }
}

async fn replay_from_missing_archive_is_not_found(emulator: Emulator) {
    let app = spawn_app(emulator).await;
    let bus = app.bus_arn("default").await;
    let ghost = bus.replace("event-bus/default", "archive/ghost");
    for path in ["/api/replays", "/api/replays/preview"] {
        app.post(path, &replay_body("r", &ghost, &bus, None))
            .await
            .assert_error(404, "NotFound", Some("eventSourceArn"));
    }
}

async fn missing_replay_is_not_found(emulator: Emulator) {
    let app = spawn_app(emulator).await;
    app.get("/api/replays/nope")
        .await
        .assert_error(404, "NotFound", None);
    app.post("/api/replays/nope/cancel", &json!({}))
        .await
        .assert_error(404, "NotFound", None);
    app.get("/api/replays/bad%20name").await.assert_error(
        400,
        "ValidationError",
        Some("replayName"),
    );
}

async fn list_by_state(emulator: Emulator) {
    if skip_on(
        emulator,
        Emulator::Moto,
        "moto 5.2.5 returns nothing for a ListReplays state filter",
    ) {
        return;
    }
    let app = spawn_app(emulator).await;
    let (bus, archive, _) = orders_with_archive(&app).await;
    let started = app
        .post("/api/replays", &replay_body("s1", &archive, &bus, None))
        .await;
    assert_eq!(started.status, 201, "{}", started.body);
    for _ in 0..50 {
        let done = app.get("/api/replays?state=COMPLETED").await;
        if done.body["replays"]
            .as_array()
            .is_some_and(|r| r.len() == 1)
        {
            let running = app.get("/api/replays?state=RUNNING").await;
            assert_eq!(running.body["replays"], json!([]));
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the replay never appeared under state=COMPLETED");
}

async fn duplicate_replay_name_is_already_exists(emulator: Emulator) {
    let app = spawn_app(emulator).await;
    let (bus, archive, _) = orders_with_archive(&app).await;
    let body = replay_body("once", &archive, &bus, None);
    assert_eq!(app.post("/api/replays", &body).await.status, 201);
    app.post("/api/replays", &body)
        .await
        .assert_error(409, "AlreadyExists", None);
}
