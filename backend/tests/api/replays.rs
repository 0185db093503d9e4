//! The replay operations against the emulators.

use serde_json::{Value, json};
use std::time::Duration;
use testkit::app::{Emulator, Operation, SHOP_ORDERS, TestApp, minutes_from_now, path, spawn_app};
use testkit::on_both_emulators;

on_both_emulators!(
    start_watch_and_list_a_replay,
    start_validates_every_field,
    cross_bus_replay_is_refused,
    replay_from_missing_archive_is_not_found,
    missing_replay_is_not_found,
    duplicate_replay_name_is_already_exists;
    // moto 5.2.5 returns nothing for a ListReplays state filter.
    ministack_only: list_by_state,
);

/// Starting and previewing a replay validate alike.
const START_AND_PREVIEW: [Operation; 2] = [Operation::StartReplay, Operation::PreviewReplay];

/// A bus `orders` with a rule, an archive of it and a few events; returns (bus, archive, rule).
async fn orders_with_archive(app: &TestApp) -> (String, String, String) {
    let bus = app.create_bus("orders").await;
    let rule = app
        .create_rule("orders", "order-created", SHOP_ORDERS)
        .await;
    let archive = app.create_archive("orders-all", &bus, json!({})).await;
    app.put_order_events("orders", 5).await;
    (bus, archive, rule)
}

fn replay_body(name: &str, archive: &str, bus: &str, filters: Option<Vec<String>>) -> Value {
    let mut body = testkit::app::replay_body(name, archive, bus, (-120, 1));
    body["description"] = json!("after the fix");
    if let Some(filters) = filters {
        body["destination"]["filterArns"] = json!(filters);
    }
    body
}

async fn start_watch_and_list_a_replay(emulator: Emulator) {
    let app = spawn_app(emulator).await;
    let (bus, archive, rule) = orders_with_archive(&app).await;

    let started = app
        .call(
            Operation::StartReplay,
            &[],
            Some(&replay_body("fix-1", &archive, &bus, Some(vec![rule]))),
        )
        .await;
    assert_eq!(started.status, 201, "{}", started.body);
    assert_eq!(
        started.headers["location"],
        path(Operation::DescribeReplay, &["fix-1"])
    );
    assert!(
        started.body["replayArn"]
            .as_str()
            .is_some_and(|a| a.ends_with(":replay/fix-1"))
    );
    assert!(started.body["state"].is_string());

    // Watch it as the console does until it ends.
    let replay = completed(&app, "fix-1").await;
    assert_eq!(replay["progress"], 1.0);
    assert_eq!(replay["eventSourceArn"], archive.as_str());
    assert_eq!(replay["destination"]["arn"], bus.as_str());
    assert!(replay["destination"]["filterArns"].is_array());
    assert_eq!(replay["description"], "after the fix");
    for field in ["replayArn", "eventStartTime", "eventEndTime"] {
        assert!(replay[field].is_string(), "{field}: {replay}");
    }

    let list = app.call(Operation::ListReplays, &[], None).await;
    assert_eq!(list.status, 200);
    let row = list.body["replays"]
        .as_array()
        .and_then(|r| r.iter().find(|x| x["replayName"] == "fix-1").cloned())
        .unwrap_or_else(|| panic!("not listed: {}", list.body));
    assert_eq!(row["state"], "COMPLETED");
    assert_eq!(row["progress"], 1.0);

    let by_archive = app
        .call_query(
            Operation::ListReplays,
            &[],
            &format!("eventSourceArn={archive}"),
            None,
        )
        .await;
    assert_eq!(
        by_archive.body["replays"].as_array().map(Vec::len),
        Some(1),
        "{}",
        by_archive.body
    );
    let by_prefix = app
        .call_query(Operation::ListReplays, &[], "namePrefix=other", None)
        .await;
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
        for op in START_AND_PREVIEW {
            app.call(op, &[], Some(&body))
                .await
                .assert_error(400, "ValidationError", Some(field));
        }
    }
    let list = app.call(Operation::ListReplays, &[], None).await;
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
    for op in START_AND_PREVIEW {
        let body = replay_body("cross", &archive, &default_bus, None);
        let reply = app.call(op, &[], Some(&body)).await;
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
    for op in START_AND_PREVIEW {
        app.call(op, &[], Some(&replay_body("r", &ghost, &bus, None)))
            .await
            .assert_error(404, "NotFound", Some("eventSourceArn"));
    }
}

async fn missing_replay_is_not_found(emulator: Emulator) {
    let app = spawn_app(emulator).await;
    app.call(Operation::DescribeReplay, &["nope"], None)
        .await
        .assert_error(404, "NotFound", None);
    app.call(Operation::CancelReplay, &["nope"], Some(&json!({})))
        .await
        .assert_error(404, "NotFound", None);
    app.call(Operation::DescribeReplay, &["bad name"], None)
        .await
        .assert_error(400, "ValidationError", Some("replayName"));
}

async fn list_by_state(emulator: Emulator) {
    let app = spawn_app(emulator).await;
    let (bus, archive, _) = orders_with_archive(&app).await;
    let started = app
        .call(
            Operation::StartReplay,
            &[],
            Some(&replay_body("s1", &archive, &bus, None)),
        )
        .await;
    assert_eq!(started.status, 201, "{}", started.body);
    let in_state = |state: &'static str| {
        let app = &app;
        async move {
            app.call_query(Operation::ListReplays, &[], &format!("state={state}"), None)
                .await
        }
    };
    for _ in 0..50 {
        let done = in_state("COMPLETED").await;
        if done.body["replays"]
            .as_array()
            .is_some_and(|r| r.len() == 1)
        {
            let running = in_state("RUNNING").await;
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
    let first = app.call(Operation::StartReplay, &[], Some(&body)).await;
    assert_eq!(first.status, 201, "{}", first.body);
    app.call(Operation::StartReplay, &[], Some(&body))
        .await
        .assert_error(409, "AlreadyExists", None);
}

/// Reads replay `name` every 100 ms until it has completed (10 s at most).
pub(crate) async fn completed(app: &TestApp, name: &str) -> Value {
    let timing = (Duration::from_secs(10), Duration::from_millis(100));
    app.read_until(Operation::DescribeReplay, &[name], timing, |r| {
        r["state"] == "COMPLETED"
    })
    .await
}
