//! Routed replays against ministack (its replays reach SQS targets): temporary
//! `rewind-` rules with copies of the chosen targets, gone once the replay is over —
//! and after every kind of refusal. (ministack ignores `filterArns`: what Rewind sends
//! there is proven on the stand-in, in `standin.rs`.)

use aws_sdk_eventbridge::types::{DeadLetterConfig, InputTransformer, RetryPolicy, Target};
use serde_json::{Value, json};
use std::time::Duration;
use testkit::app::{
    Emulator, Operation, Reply, SHOP_ORDERS, SHOP_ORDERS_NOT_REPLAYED, TestApp, spawn_app,
    spawn_app_with,
};

/// Starting and previewing a replay check its routing alike.
pub(crate) const PREVIEW_AND_START: [Operation; 2] =
    [Operation::PreviewReplay, Operation::StartReplay];

/// Starts a replay.
pub(crate) async fn start(app: &TestApp, body: &Value) -> Reply {
    app.call(Operation::StartReplay, &[], Some(body)).await
}

/// Previews a replay.
pub(crate) async fn preview(app: &TestApp, body: &Value) -> Reply {
    app.call(Operation::PreviewReplay, &[], Some(body)).await
}

/// Polls `check` every `every` until it holds, `times` times at most; true if it did.
pub(crate) async fn eventually<F: std::future::Future<Output = bool>>(
    times: usize,
    every: Duration,
    mut check: impl FnMut() -> F,
) -> bool {
    for _ in 0..times {
        if check().await {
            return true;
        }
        tokio::time::sleep(every).await;
    }
    false
}

/// Receives (and deletes) until `want` messages whose body has `replay-name` arrived, or
/// time is up; returns their bodies.
pub(crate) async fn replayed_messages(app: &TestApp, url: &str, want: usize) -> Vec<Value> {
    app.receive(url, want, |body| body.get("replay-name").is_some())
        .await
}

/// Bus `orders`, rule `fulfil` with three SQS targets (one with a role, retries and a
/// dead-letter queue, one with an input transformer), an archive and `events` events.
pub(crate) async fn orders(app: &TestApp, events: u32) -> (String, String, String) {
    let bus = app.create_bus("orders").await;
    let (chosen_url, chosen) = app.create_queue("chosen").await;
    let (_, other) = app.create_queue("other").await;
    app.create_rule("orders", "fulfil", SHOP_ORDERS).await;
    let targets = vec![
        Target::builder()
            .id("chosen")
            .arn(&chosen)
            .role_arn("arn:aws:iam::000000000000:role/rewind-test")
            .retry_policy(RetryPolicy::builder().maximum_retry_attempts(4).build())
            .dead_letter_config(DeadLetterConfig::builder().arn(&other).build())
            .build()
            .expect("target"),
        Target::builder()
            .id("shaped")
            .arn(&chosen)
            .input_transformer(
                InputTransformer::builder()
                    .input_paths_map("kind", "$.detail-type")
                    .input_template(r#"{"kind": <kind>}"#)
                    .build()
                    .expect("transformer"),
            )
            .build()
            .expect("target"),
        Target::builder()
            .id("other")
            .arn(&other)
            .build()
            .expect("target"),
    ];
    app.sdk
        .put_targets()
        .event_bus_name("orders")
        .rule("fulfil")
        .set_targets(Some(targets))
        .send()
        .await
        .expect("targets");
    let archive = app.create_archive("orders-all", &bus, json!({})).await;
    app.put_order_events("orders", events).await;
    (bus, archive, chosen_url)
}

pub(crate) fn routed_body(
    name: &str,
    archive: &str,
    bus: &str,
    targets: &[(&str, &str)],
    pattern: Option<&str>,
) -> Value {
    let mut routing = json!({
        "targets": targets.iter().map(|(rule, id)| json!({"rule": rule, "targetId": id})).collect::<Vec<_>>(),
    });
    if let Some(pattern) = pattern {
        routing["eventPattern"] = json!(pattern);
    }
    let mut body = testkit::app::replay_body(name, archive, bus, (-60, 1));
    body["routing"] = routing;
    body
}

/// Reads each of `replays` until no temporary rule is left on `orders` (5 s at most):
/// a read that finds its replay over removes its rule. True if none is left.
async fn read_until_tidy(app: &TestApp, replays: &[&str]) -> bool {
    eventually(50, Duration::from_millis(100), || async {
        for name in replays {
            let replay = app.call(Operation::DescribeReplay, &[name], None).await;
            assert_eq!(replay.status, 200, "{}", replay.body);
        }
        app.temporary_rules("orders").await.is_empty()
    })
    .await
}

pub(crate) async fn targets_of(app: &TestApp, rule: &str) -> Vec<Target> {
    app.sdk
        .list_targets_by_rule()
        .event_bus_name("orders")
        .rule(rule)
        .send()
        .await
        .expect("targets")
        .targets()
        .to_vec()
}

pub(crate) async fn replay_state(app: &TestApp, name: &str) -> String {
    app.sdk
        .describe_replay()
        .replay_name(name)
        .send()
        .await
        .ok()
        .and_then(|r| r.state().map(|s| s.as_str().to_owned()))
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_routed_replay_reaches_the_chosen_targets_through_a_temporary_rule() {
    let app = spawn_app(Emulator::Ministack).await;
    let (bus, archive, chosen_url) = orders(&app, 3).await;
    // The live events reach every target; take them out of the chosen queue first.
    let sqs = app.sqs();
    let _ = sqs.purge_queue().queue_url(&chosen_url).send().await;

    // The preview says what would happen: one routed rule, the original not selected.
    let body = routed_body(
        "routed-1",
        &archive,
        &bus,
        &[("fulfil", "chosen"), ("fulfil", "shaped")],
        None,
    );
    let preview = preview(&app, &body).await;
    assert_eq!(preview.status, 200, "{}", preview.body);
    let rules = preview.body["rules"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let routed: Vec<&Value> = rules.iter().filter(|r| r["delivery"] == "routed").collect();
    assert_eq!(routed.len(), 1, "{}", preview.body);
    assert!(
        routed[0]["name"]
            .as_str()
            .is_some_and(|n| n.starts_with("rewind-"))
    );
    assert_eq!(routed[0]["targets"].as_array().map(Vec::len), Some(2));
    assert!(
        rules
            .iter()
            .any(|r| r["name"] == "fulfil" && r["delivery"] == "notSelected")
    );
    assert_eq!(
        (
            preview.body["receivingRules"].clone(),
            preview.body["receivingTargets"].clone()
        ),
        (json!(1), json!(2))
    );
    assert!(
        app.temporary_rules("orders").await.is_empty(),
        "a preview made a rule"
    );

    // "Rewind sent it to" is Rewind's to write: a typed one would make the page lie.
    let mut forged = body.clone();
    forged["description"] = json!("x · Rewind sent it to target audit of rule audit");
    start(&app, &forged)
        .await
        .assert_error(400, "ValidationError", Some("description"));

    let started = start(&app, &body).await;
    assert_eq!(started.status, 201, "{}", started.body);
    // Until a request sees it over, the temporary rule is there, with exact copies.
    let temporary = app.temporary_rules("orders").await;
    assert_eq!(temporary.len(), 1, "{temporary:?}");
    let (name, pattern) = &temporary[0];
    let pattern: Value = serde_json::from_str(pattern).expect("pattern");
    assert_eq!(
        pattern,
        json!({"source": ["shop.orders"], "replay-name": ["routed-1"]})
    );
    let originals = targets_of(&app, "fulfil").await;
    let copies = targets_of(&app, name).await;
    for id in ["chosen", "shaped"] {
        let original = originals.iter().find(|t| t.id() == id);
        let copy = copies.iter().find(|t| t.id() == id);
        assert!(
            original.is_some() && original == copy,
            "{id}: {original:?} vs {copy:?}"
        );
    }
    assert!(copies.iter().all(|t| t.id() != "other"), "{copies:?}");

    // The chosen queue receives the replayed events.
    assert!(replayed_messages(&app, &chosen_url, 3).await.len() >= 3);

    // The replay page while it runs says where it was routed; once over, the rule goes.
    let over = eventually(100, Duration::from_millis(100), || async {
        let replay = app
            .call(Operation::DescribeReplay, &["routed-1"], None)
            .await;
        assert_eq!(replay.status, 200, "{}", replay.body);
        let ended = matches!(
            replay.body["state"].as_str(),
            Some("COMPLETED" | "FAILED" | "CANCELLED")
        );
        if !ended {
            assert_eq!(
                replay.body["routing"]["targets"].as_array().map(Vec::len),
                Some(2),
                "{}",
                replay.body
            );
        }
        ended
    })
    .await;
    assert!(over, "the replay did not end");
    assert!(
        app.temporary_rules("orders").await.is_empty(),
        "the temporary rule stayed"
    );
    // Whom it went to stays with the replay in EventBridge, after its rules are gone.
    let described = app
        .call(Operation::DescribeReplay, &["routed-1"], None)
        .await;
    assert_eq!(
        shared::routing::split_sent_to(described.body["description"].as_str().unwrap_or_default())
            .1,
        Some("target chosen of rule fulfil, target shaped of rule fulfil"),
        "{}",
        described.body
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_scheduled_sweep_removes_the_rules_of_a_replay_that_ended_unwatched() {
    let app = spawn_app_with(Emulator::Ministack, |s| {
        s.sweep_every = Duration::from_secs(1);
    })
    .await;
    let (bus, archive, _) = orders(&app, 2).await;
    let body = routed_body("unwatched", &archive, &bus, &[("fulfil", "other")], None);
    let started = start(&app, &body).await;
    assert_eq!(started.status, 201, "{}", started.body);
    // Nobody asks Rewind about it, nobody uses the console: the sweep's schedule alone
    // removes its rule once it is over.
    let swept = eventually(100, Duration::from_millis(100), || async {
        app.temporary_rules("orders").await.is_empty()
    })
    .await;
    assert_eq!(replay_state(&app, "unwatched").await, "COMPLETED");
    assert!(swept, "not swept");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_routings_leave_nothing_behind() {
    let app = spawn_app(Emulator::Ministack).await;
    let (bus, archive, _) = orders(&app, 1).await;
    app.create_rule("orders", "receipts", SHOP_ORDERS_NOT_REPLAYED)
        .await;
    app.create_rule(
        "orders",
        "picky",
        r#"{"source":["shop.orders"],"replay-name":[{"cidr":"10.0.0.0/24"}]}"#,
    )
    .await;
    app.create_rule("orders", "paused", SHOP_ORDERS).await;
    app.sdk
        .disable_rule()
        .event_bus_name("orders")
        .name("paused")
        .send()
        .await
        .expect("disable");
    let cases: Vec<(Value, u16, &str, &str)> = vec![
        (
            routed_body("r1", &archive, &bus, &[("fulfil", "gone")], None),
            404,
            "NotFound",
            "routing.targets",
        ),
        (
            routed_body("r2", &archive, &bus, &[("deleted", "chosen")], None),
            404,
            "NotFound",
            "routing.targets",
        ),
        (
            routed_body("r3", &archive, &bus, &[("receipts", "x")], None),
            400,
            "ValidationError",
            "routing.targets",
        ),
        (
            routed_body(
                "r4",
                &archive,
                &bus,
                &[("fulfil", "chosen")],
                Some(r#"{"source":["elsewhere"]}"#),
            ),
            400,
            "ValidationError",
            "routing.eventPattern",
        ),
        (
            routed_body("r5", &archive, &bus, &[("fulfil", "chosen")], Some("{")),
            400,
            "InvalidEventPattern",
            "routing.eventPattern",
        ),
        (
            routed_body("r6", &archive, &bus, &[], None),
            400,
            "ValidationError",
            "routing.targets",
        ),
        // A rule disabled on purpose stays silent: a copy would be enabled.
        (
            routed_body("r9", &archive, &bus, &[("paused", "x")], None),
            400,
            "ValidationError",
            "routing.targets",
        ),
        // A rule that tests replay-name in a form the preview cannot evaluate: a copy
        // would replace its condition.
        (
            routed_body("r10", &archive, &bus, &[("picky", "x")], None),
            400,
            "ValidationError",
            "routing.targets",
        ),
        (
            routed_body(
                "r11",
                &archive,
                &bus,
                &[("fulfil", "chosen")],
                Some(r#"{"$or":[{"replay-name":["r11"]},{"source":["shop.orders"]}]}"#),
            ),
            400,
            "ValidationError",
            "routing.eventPattern",
        ),
        // More than 20 rules.
        (
            {
                let many: Vec<(String, String)> = (0..21)
                    .map(|i| (format!("rule-{i}"), "t".to_owned()))
                    .collect();
                let many: Vec<(&str, &str)> =
                    many.iter().map(|(r, t)| (r.as_str(), t.as_str())).collect();
                routed_body("r12", &archive, &bus, &many, None)
            },
            400,
            "ValidationError",
            "routing.targets",
        ),
        (
            {
                let mut body = routed_body("r7", &archive, &bus, &[("fulfil", "chosen")], None);
                body["destination"]["filterArns"] = json!([bus
                    .replace("event-bus/", "rule/")
                    .replace("/orders", "/orders/fulfil")]);
                body
            },
            400,
            "ValidationError",
            "routing",
        ),
    ];
    for (body, status, code, field) in cases {
        for op in PREVIEW_AND_START {
            let reply = app.call(op, &[], Some(&body)).await;
            reply.assert_error(status, code, Some(field));
            assert!(
                app.temporary_rules("orders").await.is_empty(),
                "{op:?} {body} left a rule"
            );
        }
    }
    // Every chosen rule and target is read before any rule is made.
    app.create_rule("orders", "second", SHOP_ORDERS).await;
    let reply = start(
        &app,
        &routed_body(
            "r8",
            &archive,
            &bus,
            &[("fulfil", "chosen"), ("second", "none")],
            None,
        ),
    )
    .await;
    reply.assert_error(404, "NotFound", Some("routing.targets"));
    assert!(app.temporary_rules("orders").await.is_empty());
    // A name already taken is refused before any rule is made.
    let first = start(
        &app,
        &routed_body("taken", &archive, &bus, &[("fulfil", "chosen")], None),
    )
    .await;
    assert_eq!(first.status, 201, "{}", first.body);
    let again = start(
        &app,
        &routed_body("taken", &archive, &bus, &[("fulfil", "other")], None),
    )
    .await;
    again.assert_error(409, "AlreadyExists", Some("replayName"));
    let left = app.temporary_rules("orders").await;
    assert_eq!(left.len(), 1, "only the first replay's rule: {left:?}");
}

/// The 32-bit FNV-1a hash the previous scheme put in a temporary rule's name.
fn fnv1a(text: &str) -> u32 {
    text.bytes().fold(0x811c_9dc5, |hash, byte| {
        (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193)
    })
}

/// Two replay names of 54 characters, alike in their first 46, with equal FNV-1a
/// hashes: under the previous scheme (`rewind-<hash>-<position>-<first 46>`) both named
/// the same temporary rule, and the second replay's PutRule/PutTargets overwrote the
/// first's. Found by a birthday search (about 80,000 names).
fn look_alike_names() -> (String, String) {
    let prefix = format!("look-alike-{}", "x".repeat(35));
    assert_eq!(prefix.len(), 46);
    let mut seen = std::collections::HashMap::new();
    let mut i: u64 = 0;
    loop {
        let name = format!("{prefix}{i:08}");
        if let Some(other) = seen.insert(fnv1a(&name), name.clone()) {
            return (other, name);
        }
        i += 1;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn look_alike_replay_names_get_rules_of_their_own() {
    let (a, b) = look_alike_names();
    let old_name = |n: &str| format!("rewind-{:08x}-0-{}", fnv1a(n), &n[..46]);
    assert_eq!(old_name(&a), old_name(&b), "the pair collided before");
    assert_ne!(a, b);

    let app = spawn_app(Emulator::Ministack).await;
    let (bus, archive, _) = orders(&app, 2).await;
    // B goes to a catch-all rule's target; A to fulfil's `chosen`.
    let (_, audit_queue) = app.create_queue("audit").await;
    app.create_rule("orders", "audit-all", SHOP_ORDERS).await;
    app.sdk
        .put_targets()
        .event_bus_name("orders")
        .rule("audit-all")
        .targets(
            Target::builder()
                .id("chosen")
                .arn(&audit_queue)
                .build()
                .expect("target"),
        )
        .send()
        .await
        .expect("targets");
    for (name, target) in [(&a, ("fulfil", "chosen")), (&b, ("audit-all", "chosen"))] {
        let started = start(&app, &routed_body(name, &archive, &bus, &[target], None)).await;
        assert_eq!(started.status, 201, "{}", started.body);
    }
    let temporary = app.temporary_rules("orders").await;
    assert_eq!(temporary.len(), 2, "one rule each: {temporary:?}");
    let fulfil_target = targets_of(&app, "fulfil").await;
    let fulfil_chosen = fulfil_target.iter().find(|t| t.id() == "chosen").cloned();
    for (rule, pattern) in &temporary {
        let pattern: Value = serde_json::from_str(pattern).expect("pattern");
        let copies = targets_of(&app, rule).await;
        assert_eq!(copies.len(), 1, "{rule}: {copies:?}");
        if pattern["replay-name"] == json!([a]) {
            assert_eq!(pattern["source"], json!(["shop.orders"]), "{pattern}");
            assert_eq!(Some(copies[0].clone()), fulfil_chosen, "{rule}");
        } else {
            assert_eq!(pattern["replay-name"], json!([b]), "{pattern}");
            assert_eq!(copies[0].arn(), audit_queue, "{rule}");
        }
    }
    // Once each is seen over, its rule goes: nothing Rewind made outlives the test.
    assert!(read_until_tidy(&app, &[&a, &b]).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_concurrent_double_submit_keeps_the_winners_rules() {
    let app = spawn_app(Emulator::Ministack).await;
    let (bus, archive, _) = orders(&app, 2).await;
    let body = routed_body("twice", &archive, &bus, &[("fulfil", "chosen")], None);
    let (first, second) = tokio::join!(start(&app, &body), start(&app, &body));
    let mut statuses = [first.status, second.status];
    statuses.sort_unstable();
    assert_eq!(statuses, [201, 409], "{} {}", first.body, second.body);
    // The loser removed only what it made: the winner's rule and its copy stay.
    let temporary = app.temporary_rules("orders").await;
    assert_eq!(temporary.len(), 1, "{temporary:?}");
    let pattern: Value = serde_json::from_str(&temporary[0].1).expect("pattern");
    assert_eq!(pattern["replay-name"], json!(["twice"]));
    let copies = targets_of(&app, &temporary[0].0).await;
    assert_eq!(
        copies.iter().map(|t| t.id()).collect::<Vec<_>>(),
        ["chosen"]
    );
    // Tagged with this instance (`local` by default).
    let tags = app
        .sdk
        .list_tags_for_resource()
        .resource_arn(
            bus.replace("event-bus/", "rule/")
                .replace("/orders", &format!("/orders/{}", temporary[0].0)),
        )
        .send()
        .await
        .expect("tags");
    assert!(
        tags.tags()
            .iter()
            .any(|t| t.key() == "rewind:instance" && t.value() == "local"),
        "{tags:?}"
    );
    // Once seen over, it goes: nothing Rewind made outlives the test.
    assert!(read_until_tidy(&app, &["twice"]).await);
}
