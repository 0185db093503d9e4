//! Forwarding a replay to another bus against ministack (a rule target that is another
//! bus delivers replayed events there, `replay-name` kept): one temporary rule on the
//! archive's bus whose only target is the receiving bus, gone once the replay is over and
//! after every refusal; admins only; the receiving bus in the caller's scope.

use crate::routing::{orders, queue, replayed_messages};
use serde_json::{Value, json};
use std::time::Duration;
use testkit::app::{Emulator, TestApp, minutes_from_now, spawn_app, spawn_app_with};

/// Bus `orders-staging` with rule `staging-orders` (target: a queue) and rule
/// `staging-no-replays`, which opts out of replays. Returns the bus ARN and queue URL.
async fn staging(app: &TestApp) -> (String, String) {
    let bus = app.create_bus("orders-staging").await;
    let (url, arn) = queue(app, "staging-q").await;
    app.create_rule(
        "orders-staging",
        "staging-orders",
        r#"{"source":["shop.orders"]}"#,
    )
    .await;
    app.create_rule(
        "orders-staging",
        "staging-no-replays",
        r#"{"source":["shop.orders"],"replay-name":[{"exists":false}]}"#,
    )
    .await;
    app.sdk
        .put_targets()
        .event_bus_name("orders-staging")
        .rule("staging-orders")
        .targets(
            aws_sdk_eventbridge::types::Target::builder()
                .id("q")
                .arn(arn)
                .build()
                .expect("target"),
        )
        .send()
        .await
        .expect("targets");
    (bus, url)
}

fn forward_body(name: &str, archive: &str, bus: &str, to: Value) -> Value {
    json!({
        "replayName": name,
        "eventSourceArn": archive,
        "eventStartTime": minutes_from_now(-60),
        "eventEndTime": minutes_from_now(1),
        "destination": {"arn": bus},
        "routing": {"forwardTo": to},
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forward_fills_a_queue_on_the_staging_bus() {
    let app = spawn_app(Emulator::Ministack).await;
    let (bus, archive, _) = orders(&app, 3).await;
    let (staging_bus, url) = staging(&app).await;
    let to = json!({"eventBusArn": staging_bus});

    let preview = app
        .post(
            "/api/replays/preview",
            &forward_body("forwarded", &archive, &bus, to.clone()),
        )
        .await;
    assert_eq!(preview.status, 200, "{}", preview.body);
    let there = &preview.body["forwardedTo"];
    assert_eq!(
        there["eventBusArn"],
        staging_bus.as_str(),
        "{}",
        preview.body
    );
    let delivery = |name: &str| {
        there["rules"]
            .as_array()
            .and_then(|r| r.iter().find(|r| r["name"] == name))
            .map(|r| r["delivery"].clone())
            .unwrap_or_default()
    };
    assert_eq!(delivery("staging-orders"), "receives");
    assert_eq!(delivery("staging-no-replays"), "optedOut");
    let warnings = preview.body["warnings"].to_string();
    assert!(warnings.contains("staging-no-replays"), "{warnings}");
    assert!(warnings.contains("never capture"), "{warnings}");
    assert!(
        warnings.contains("1 rule and 1 target on orders-staging"),
        "{warnings}"
    );
    // On the archive's bus, only the forwarding rule receives it.
    let routed: Vec<&Value> = preview.body["rules"]
        .as_array()
        .map(|r| r.iter().filter(|r| r["delivery"] == "routed").collect())
        .unwrap_or_default();
    assert_eq!(routed.len(), 1, "{}", preview.body);
    assert_eq!(routed[0]["targets"][0]["arn"], staging_bus.as_str());
    assert!(
        app.temporary_rules("orders").await.is_empty(),
        "a preview makes nothing"
    );

    let started = app
        .post(
            "/api/replays",
            &forward_body("forwarded", &archive, &bus, to),
        )
        .await;
    assert_eq!(started.status, 201, "{}", started.body);
    let bodies = replayed_messages(&app, &url, 3).await;
    assert_eq!(
        bodies.len(),
        3,
        "every event of the window reached the staging queue"
    );
    assert!(bodies.iter().all(|b| b["replay-name"] == "forwarded"));
    for _ in 0..50 {
        let replay = app.get("/api/replays/forwarded").await;
        if replay.body["state"] == "COMPLETED" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    app.get("/api/replays/forwarded").await;
    assert!(
        app.temporary_rules("orders").await.is_empty(),
        "the forwarding rule is gone"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_forwards_leave_nothing_behind() {
    let app = spawn_app_with(
        Emulator::Ministack,
        "/nonexistent",
        &[(
            "REWIND_ALLOWED_TARGET_ARNS",
            "arn:aws:events:us-east-1:210987654321:event-bus/allowed-*",
        )],
    )
    .await;
    let (bus, archive, _) = orders(&app, 1).await;
    let (staging_bus, _) = staging(&app).await;
    let other_account = "arn:aws:events:us-east-1:111122223333:event-bus/prod-copy";
    let role = "arn:aws:iam::111122223333:role/forwarder";
    let cases: Vec<(&str, Value, u16, &str)> = vec![
        (
            "targets too",
            json!({"eventBusArn": staging_bus}),
            400,
            "ValidationError",
        ),
        (
            "not a bus",
            json!({"eventBusArn": "orders-staging"}),
            400,
            "ValidationError",
        ),
        (
            "the archive's own bus",
            json!({"eventBusArn": bus}),
            400,
            "ValidationError",
        ),
        (
            "another account, no role",
            json!({"eventBusArn": other_account}),
            400,
            "ValidationError",
        ),
        (
            "another account, not allowed",
            json!({"eventBusArn": other_account, "roleArn": role}),
            403,
            "Forbidden",
        ),
        (
            "a bad role",
            json!({"eventBusArn": other_account, "roleArn": "forwarder"}),
            400,
            "ValidationError",
        ),
    ];
    for (what, to, status, code) in cases {
        let mut body = forward_body("refused", &archive, &bus, to);
        if what == "targets too" {
            body["routing"]["targets"] = json!([{"rule": "fulfil", "targetId": "chosen"}]);
        }
        for path in ["/api/replays/preview", "/api/replays"] {
            let reply = app.post(path, &body).await;
            assert_eq!(reply.status, status, "{what} at {path}: {}", reply.body);
            reply.assert_error(status, code, Some("routing.forwardTo"));
        }
        assert!(
            app.temporary_rules("orders").await.is_empty(),
            "{what} left a rule"
        );
    }
    // An allowed account's bus passes the checks (the emulator then forwards nowhere).
    let allowed = json!({"eventBusArn": "arn:aws:events:us-east-1:210987654321:event-bus/allowed-staging", "roleArn": "arn:aws:iam::210987654321:role/forwarder"});
    let preview = app
        .post(
            "/api/replays/preview",
            &forward_body("ok", &archive, &bus, allowed),
        )
        .await;
    assert_eq!(preview.status, 200, "{}", preview.body);
    assert!(
        preview.body["warnings"]
            .to_string()
            .contains("cannot see its rules"),
        "{}",
        preview.body
    );
    // A taken name refuses the start before any rule is made.
    let plain = json!({
        "replayName": "taken", "eventSourceArn": archive,
        "eventStartTime": minutes_from_now(-30), "eventEndTime": minutes_from_now(-1),
        "destination": {"arn": bus},
    });
    assert_eq!(app.post("/api/replays", &plain).await.status, 201);
    app.post(
        "/api/replays",
        &forward_body("taken", &archive, &bus, json!({"eventBusArn": staging_bus})),
    )
    .await
    .assert_error(409, "AlreadyExists", None);
    assert!(app.temporary_rules("orders").await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forwarding_is_for_admins_and_inside_the_teams_buses() {
    let app = spawn_app_with(
        Emulator::Ministack,
        "/nonexistent",
        &[("REWIND_LOCAL_ROLE", "operator")],
    )
    .await;
    // An operator may not create archives: the archive is made directly.
    let bus = app.create_bus("orders").await;
    let archive = app
        .sdk
        .create_archive()
        .archive_name("orders-all")
        .event_source_arn(&bus)
        .send()
        .await
        .expect("archive")
        .archive_arn()
        .map(str::to_owned)
        .expect("archive arn");
    let (staging_bus, _) = staging(&app).await;
    let body = forward_body(
        "by-operator",
        &archive,
        &bus,
        json!({"eventBusArn": staging_bus}),
    );
    for path in ["/api/replays/preview", "/api/replays"] {
        app.post(path, &body)
            .await
            .assert_error(403, "Forbidden", Some("routing.forwardTo"));
    }
    assert!(app.temporary_rules("orders").await.is_empty());

    let teams = spawn_app_with(
        Emulator::Ministack,
        "/nonexistent",
        &[
            ("REWIND_TEAMS", "shop=orders"),
            ("REWIND_LOCAL_TEAMS", "shop"),
        ],
    )
    .await;
    let (bus, archive, _) = orders(&teams, 1).await;
    let (staging_bus, _) = staging(&teams).await;
    let body = forward_body(
        "out-of-scope",
        &archive,
        &bus,
        json!({"eventBusArn": staging_bus}),
    );
    teams.post("/api/replays", &body).await.assert_error(
        403,
        "Forbidden",
        Some("routing.forwardTo"),
    );
    assert!(teams.temporary_rules("orders").await.is_empty());
}
