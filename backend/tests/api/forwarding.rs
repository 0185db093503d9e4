//! Forwarding a replay to another bus against ministack (a rule target that is another
//! bus delivers replayed events there, `replay-name` kept): one temporary rule on the
//! archive's bus whose only target is the receiving bus, gone once the replay is over and
//! after every refusal; admins only; the receiving bus in the caller's scope.

use crate::replays::completed;
use crate::routing::{PREVIEW_AND_START, orders, preview, replayed_messages, start};
use serde_json::{Value, json};
use shared::roles::Role;
use testkit::app::{
    Emulator, Operation, SHOP_ORDERS, SHOP_ORDERS_NOT_REPLAYED, TestApp, spawn_app, spawn_app_with,
    teams,
};

/// Bus `orders-staging` with rule `staging-orders` (target: a queue) and rule
/// `staging-no-replays`, which opts out of replays. Returns the bus ARN and queue URL.
async fn staging(app: &TestApp) -> (String, String) {
    let bus = app.create_bus("orders-staging").await;
    let (url, arn) = app.create_queue("staging-q").await;
    app.create_rule("orders-staging", "staging-orders", SHOP_ORDERS)
        .await;
    app.create_rule(
        "orders-staging",
        "staging-no-replays",
        SHOP_ORDERS_NOT_REPLAYED,
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
    let mut body = testkit::app::replay_body(name, archive, bus, (-60, 1));
    body["routing"] = json!({"forwardTo": to});
    body
}

/// Previewing and starting `body` are both refused with 403 on `routing.forwardTo`, and
/// leave no rule on `orders`.
async fn refused_both_ways(app: &TestApp, body: &Value) {
    for op in PREVIEW_AND_START {
        app.call(op, &[], Some(body)).await.assert_error(
            403,
            "Forbidden",
            Some("routing.forwardTo"),
        );
    }
    assert!(app.temporary_rules("orders").await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forward_fills_a_queue_on_the_staging_bus() {
    let app = spawn_app(Emulator::Ministack).await;
    let (bus, archive, _) = orders(&app, 3).await;
    let (staging_bus, url) = staging(&app).await;
    let to = json!({"eventBusArn": staging_bus});

    let preview = preview(&app, &forward_body("forwarded", &archive, &bus, to.clone())).await;
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

    let started = start(&app, &forward_body("forwarded", &archive, &bus, to)).await;
    assert_eq!(started.status, 201, "{}", started.body);
    let bodies = replayed_messages(&app, &url, 3).await;
    assert_eq!(
        bodies.len(),
        3,
        "every event of the window reached the staging queue"
    );
    assert!(bodies.iter().all(|b| b["replay-name"] == "forwarded"));
    completed(&app, "forwarded").await;
    app.call(Operation::DescribeReplay, &["forwarded"], None)
        .await;
    assert!(
        app.temporary_rules("orders").await.is_empty(),
        "the forwarding rule is gone"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_forwards_leave_nothing_behind() {
    let app = spawn_app_with(Emulator::Ministack, |s| {
        s.allowed_target_arns =
            vec!["arn:aws:events:us-east-1:210987654321:event-bus/allowed-*".to_owned()];
        s.forward_role_arns = vec![
            "arn:aws:iam::111122223333:role/forwarder".to_owned(),
            "arn:aws:iam::210987654321:role/forwarder".to_owned(),
        ];
    })
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
        for op in PREVIEW_AND_START {
            let reply = app.call(op, &[], Some(&body)).await;
            assert_eq!(reply.status, status, "{what} at {op:?}: {}", reply.body);
            reply.assert_error(status, code, Some("routing.forwardTo"));
        }
        assert!(
            app.temporary_rules("orders").await.is_empty(),
            "{what} left a rule"
        );
    }
    // An allowed account's bus passes the checks (the emulator then forwards nowhere).
    let allowed = json!({"eventBusArn": "arn:aws:events:us-east-1:210987654321:event-bus/allowed-staging", "roleArn": "arn:aws:iam::210987654321:role/forwarder"});
    let preview = preview(&app, &forward_body("ok", &archive, &bus, allowed)).await;
    assert_eq!(preview.status, 200, "{}", preview.body);
    assert!(
        preview.body["warnings"]
            .to_string()
            .contains("cannot see its rules"),
        "{}",
        preview.body
    );
    // A taken name refuses the start before any rule is made.
    let plain = testkit::app::replay_body("taken", &archive, &bus, (-30, -1));
    assert_eq!(start(&app, &plain).await.status, 201);
    let to = json!({"eventBusArn": staging_bus});
    start(&app, &forward_body("taken", &archive, &bus, to))
        .await
        .assert_error(409, "AlreadyExists", None);
    assert!(app.temporary_rules("orders").await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forwarding_is_for_admins_and_inside_the_teams_buses() {
    let app = spawn_app_with(Emulator::Ministack, |s| s.local_role = Role::Operator).await;
    // An operator may not create archives: the archive is made directly.
    let bus = app.create_bus("orders").await;
    let archive = app.create_archive_directly("orders-all", &bus).await;
    let (staging_bus, _) = staging(&app).await;
    let body = forward_body(
        "by-operator",
        &archive,
        &bus,
        json!({"eventBusArn": staging_bus}),
    );
    refused_both_ways(&app, &body).await;

    let member = spawn_app_with(Emulator::Ministack, |s| {
        s.roles.teams = Some(teams("shop=orders"));
        s.local_teams = vec!["shop".to_owned()];
    })
    .await;
    let (bus, archive, _) = orders(&member, 1).await;
    let (staging_bus, _) = staging(&member).await;
    let body = forward_body(
        "out-of-scope",
        &archive,
        &bus,
        json!({"eventBusArn": staging_bus}),
    );
    refused_both_ways(&member, &body).await;
}
