//! The replay preview and the replay opt-out, against the emulators.

use aws_sdk_eventbridge::types::{
    DeadLetterConfig, InputTransformer, RetryPolicy, RuleState, Target,
};
use serde_json::{Value, json};
use shared::roles::Role;
use testkit::app::{
    Emulator, Operation, Reply, SHOP_ORDERS, SHOP_ORDERS_NOT_REPLAYED, TestApp, spawn_app,
    spawn_app_with,
};
use testkit::on_both_emulators;

on_both_emulators!(
    preview_classifies_every_rule_and_changes_nothing,
    opt_out_changes_only_the_pattern,
    opt_out_refusals;
    // ministack 1.5.33 makes no Events-Archive- rule for an archive.
    moto_only: an_archives_own_rule_is_not_opted_out,
);

const BUS: &str = "default";

/// An ARN for a target: EventBridge does not check that targets exist.
fn arn(service: &str, resource: &str) -> String {
    format!("arn:aws:{service}:us-east-1:123456789012:{resource}")
}

async fn put_targets(app: &TestApp, bus: &str, rule: &str, targets: Vec<Target>) {
    let out = app
        .sdk
        .put_targets()
        .event_bus_name(bus)
        .rule(rule)
        .set_targets(Some(targets))
        .send()
        .await
        .expect("put targets");
    assert_eq!(out.failed_entry_count(), 0, "{out:?}");
}

fn target(id: &str, arn: String) -> Target {
    Target::builder().id(id).arn(arn).build().expect("target")
}

/// Every rule of `bus` with its targets, as EventBridge reports them: to prove that a
/// preview changed nothing.
async fn bus_state(app: &TestApp, bus: &str) -> String {
    let rules = app
        .sdk
        .list_rules()
        .event_bus_name(bus)
        .send()
        .await
        .expect("list rules");
    let mut state = String::new();
    for rule in rules.rules() {
        let name = rule.name().unwrap_or_default();
        let targets = app
            .sdk
            .list_targets_by_rule()
            .event_bus_name(bus)
            .rule(name)
            .send()
            .await
            .expect("list targets");
        state.push_str(&format!("{rule:?}\n{:?}\n", targets.targets()));
    }
    state
}

/// The test bus (the default bus: EventBridge, and moto, allow schedules only there): a
/// rule with SQS and Lambda targets (one with every delivery setting), an opted-out
/// rule, a disabled one, a scheduled one, the archive's own rule where the emulator makes
/// one, and one left outside `filterArns`.
async fn test_bus(app: &TestApp) -> (String, String) {
    let bus = app.bus_arn(BUS).await;
    app.create_rule(BUS, "fulfil", SHOP_ORDERS).await;
    put_targets(
        app,
        BUS,
        "fulfil",
        vec![
            target("queue", arn("sqs", "fulfil-queue")),
            Target::builder()
                .id("function")
                .arn(arn("lambda", "function:charge"))
                .role_arn(arn("iam", "role/rewind-test"))
                .input_transformer(
                    InputTransformer::builder()
                        .input_paths_map("id", "$.detail.orderId")
                        .input_template(r#"{"order": <id>}"#)
                        .build()
                        .expect("transformer"),
                )
                .dead_letter_config(
                    DeadLetterConfig::builder()
                        .arn(arn("sqs", "charge-dlq"))
                        .build(),
                )
                .retry_policy(RetryPolicy::builder().maximum_retry_attempts(3).build())
                .build()
                .expect("target"),
        ],
    )
    .await;
    app.create_rule(BUS, "emails", SHOP_ORDERS_NOT_REPLAYED)
        .await;
    put_targets(
        app,
        BUS,
        "emails",
        vec![target("mail", arn("lambda", "function:mail"))],
    )
    .await;
    app.sdk
        .put_rule()
        .name("paused")
        .event_bus_name(BUS)
        .event_pattern(SHOP_ORDERS)
        .state(RuleState::Disabled)
        .send()
        .await
        .expect("disabled rule");
    app.create_scheduled_rule("nightly").await;
    app.create_rule(BUS, "audit", SHOP_ORDERS).await;
    put_targets(
        app,
        BUS,
        "audit",
        vec![target("log", arn("logs", "log-group:audit"))],
    )
    .await;
    let archive = app.create_archive("orders-all", &bus, json!({})).await;
    (bus, archive)
}

fn body(archive: &str, bus: &str, filter: Option<Vec<String>>) -> Value {
    let mut body = testkit::app::replay_body("fix-orders", archive, bus, (-120, -10));
    if let Some(filter) = filter {
        body["destination"]["filterArns"] = json!(filter);
    }
    body
}

async fn preview_of(app: &TestApp, body: &Value) -> Reply {
    app.call(Operation::PreviewReplay, &[], Some(body)).await
}

/// Opts rule `rule` of `bus` out of replays.
async fn opt_out(app: &TestApp, bus: &str, rule: &str) -> Reply {
    app.call(
        Operation::OptRuleOutOfReplays,
        &[bus, rule],
        Some(&json!({})),
    )
    .await
}

fn deliveries(preview: &Value) -> Vec<(String, String)> {
    let mut found: Vec<(String, String)> = preview["rules"]
        .as_array()
        .unwrap_or_else(|| panic!("{preview}"))
        .iter()
        .map(|r| {
            (
                r["name"].as_str().unwrap_or_default().to_owned(),
                r["delivery"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    found.sort();
    found
}

async fn preview_classifies_every_rule_and_changes_nothing(emulator: Emulator) {
    let app = spawn_app(emulator).await;
    let (bus, archive) = test_bus(&app).await;
    let before = bus_state(&app, BUS).await;
    let rule_arn = |name: &str| bus.replace("event-bus/default", &format!("rule/{name}"));
    let chosen = ["fulfil", "emails", "paused", "nightly"]
        .map(rule_arn)
        .to_vec();

    let reply = preview_of(&app, &body(&archive, &bus, Some(chosen))).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let preview = &reply.body;
    let mut expected: Vec<(String, String)> = [
        ("audit", "notSelected"),
        ("emails", "optedOut"),
        ("fulfil", "receives"),
        ("nightly", "scheduled"),
        ("paused", "disabled"),
    ]
    .map(|(n, d)| (n.to_owned(), d.to_owned()))
    .to_vec();
    // An archive's own rule, where the emulator makes one (AWS does).
    let archive_rules: Vec<String> = deliveries(preview)
        .into_iter()
        .filter(|(n, _)| n.starts_with("Events-Archive-"))
        .map(|(n, _)| n)
        .collect();
    for name in &archive_rules {
        expected.push((name.clone(), "archiveRule".to_owned()));
    }
    expected.sort();
    eprintln!(
        "{emulator:?}: {} archive rule(s) listed; classification {:?}",
        archive_rules.len(),
        deliveries(preview)
    );
    assert_eq!(deliveries(preview), expected, "{preview}");
    assert_eq!(preview["receivingRules"], 1, "{preview}");
    assert_eq!(preview["receivingTargets"], 2, "{preview}");
    assert_eq!(preview["archiveArn"], archive.as_str());
    assert_eq!(preview["eventBusArn"], bus.as_str());
    let fulfil = preview["rules"]
        .as_array()
        .and_then(|r| r.iter().find(|r| r["name"] == "fulfil"))
        .cloned()
        .unwrap_or_default();
    let function = fulfil["targets"]
        .as_array()
        .and_then(|t| t.iter().find(|t| t["id"] == "function"))
        .cloned()
        .unwrap_or_else(|| panic!("{fulfil}"));
    assert_eq!(function["service"], "lambda");
    assert_eq!(function["roleArn"], arn("iam", "role/rewind-test"));
    assert_eq!(function["inputTransformed"], true);
    assert_eq!(function["deadLetterArn"], arn("sqs", "charge-dlq"));
    assert_eq!(function["maximumRetryAttempts"], 3);
    let queue = fulfil["targets"]
        .as_array()
        .and_then(|t| t.iter().find(|t| t["id"] == "queue"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(queue["service"], "sqs");
    assert_eq!(queue["inputTransformed"], false);
    let warnings = preview["warnings"].to_string();
    assert!(
        warnings.contains("1 rule will receive these events (1 Lambda function, 1 SQS queue)"),
        "{warnings}"
    );
    assert!(
        warnings.contains("Rule paused is chosen but receives nothing"),
        "{warnings}"
    );

    // Every rule: the audit rule's log group too.
    let all = preview_of(&app, &body(&archive, &bus, None)).await;
    assert_eq!(all.status, 200, "{}", all.body);
    assert_eq!(
        (
            all.body["receivingRules"].clone(),
            all.body["receivingTargets"].clone()
        ),
        (json!(2), json!(3)),
        "{}",
        all.body
    );
    assert_eq!(
        bus_state(&app, BUS).await,
        before,
        "a preview changed the bus"
    );
}

async fn opt_out_changes_only_the_pattern(emulator: Emulator) {
    // The rule's role is one the deployment may pass again (TargetRoleArns).
    let role = arn("iam", "role/emails");
    let app = spawn_app_with(emulator, |s| s.target_role_arns = vec![role.clone()]).await;
    app.create_bus("orders").await;
    let pattern = r#"{"source":["shop.orders"],"detail-type":["OrderCreated"],"detail":{"total":[{"numeric":[">",100]}]}}"#;
    app.sdk
        .put_rule()
        .name("emails")
        .event_bus_name("orders")
        .event_pattern(pattern)
        .description("Sends the receipt")
        .role_arn(arn("iam", "role/emails"))
        .state(RuleState::Enabled)
        .send()
        .await
        .expect("rule");
    put_targets(
        &app,
        "orders",
        "emails",
        vec![target("mail", arn("lambda", "function:mail"))],
    )
    .await;
    let describe = || async {
        app.sdk
            .describe_rule()
            .name("emails")
            .event_bus_name("orders")
            .send()
            .await
            .expect("describe rule")
    };
    let before = describe().await;
    let targets_before = bus_state(&app, "orders").await;

    let reply = opt_out(&app, "orders", "emails").await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.body["name"], "emails");
    let after = describe().await;
    let mut new_pattern: Value =
        serde_json::from_str(after.event_pattern().unwrap_or_default()).expect("pattern");
    assert_eq!(
        reply.body["eventPattern"],
        after.event_pattern().unwrap_or_default()
    );
    let added = new_pattern
        .as_object_mut()
        .and_then(|p| p.remove("replay-name"));
    assert_eq!(added, Some(json!([{"exists": false}])));
    assert_eq!(
        new_pattern,
        serde_json::from_str::<Value>(pattern).expect("json")
    );
    assert_eq!(after.name(), before.name());
    assert_eq!(after.arn(), before.arn());
    assert_eq!(after.description(), before.description());
    assert_eq!(after.role_arn(), before.role_arn());
    assert_eq!(after.state(), before.state());
    assert_eq!(after.event_bus_name(), before.event_bus_name());
    assert_eq!(after.schedule_expression(), before.schedule_expression());
    // The targets stay (bus_state holds the patterns too: compare targets only).
    let targets = app
        .sdk
        .list_targets_by_rule()
        .event_bus_name("orders")
        .rule("emails")
        .send()
        .await
        .expect("targets");
    assert!(targets_before.contains(&format!("{:?}", targets.targets())));

    // Twice is once.
    let again = opt_out(&app, "orders", "emails").await;
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!(again.body, reply.body);
    assert_eq!(describe().await.event_pattern(), after.event_pattern());

    // The preview now calls it opted out.
    let bus = app.bus_arn("orders").await;
    let archive = app.create_archive("orders-all", &bus, json!({})).await;
    let preview = preview_of(&app, &body(&archive, &bus, None)).await;
    assert!(
        deliveries(&preview.body).contains(&("emails".to_owned(), "optedOut".to_owned())),
        "{}",
        preview.body
    );
}

async fn opt_out_refusals(emulator: Emulator) {
    let app = spawn_app(emulator).await;
    app.create_bus("orders").await;
    app.create_rule("orders", "emails", SHOP_ORDERS).await;
    app.create_scheduled_rule("nightly").await;
    opt_out(&app, "default", "nightly")
        .await
        .assert_error(400, "ValidationError", Some("rule"));
    opt_out(&app, "orders", "ghost")
        .await
        .assert_error(404, "NotFound", Some("rule"));
    opt_out(&app, "orders", "bad name")
        .await
        .assert_error(400, "ValidationError", Some("rule"));
    // A pattern that already tests replay-name another way is left to a person.
    app.create_rule(
        "orders",
        "replays-only",
        r#"{"replay-name":[{"exists":true}]}"#,
    )
    .await;
    opt_out(&app, "orders", "replays-only").await.assert_error(
        400,
        "ValidationError",
        Some("rule"),
    );

    // Below admin: refused before anything is read.
    for role in [Role::Viewer, Role::Operator] {
        let lesser = app.another(|s| s.local_role = role).await;
        opt_out(&lesser, "orders", "emails")
            .await
            .assert_error(403, "Forbidden", None);
    }
    let unchanged = app
        .sdk
        .describe_rule()
        .name("emails")
        .event_bus_name("orders")
        .send()
        .await
        .expect("rule");
    assert_eq!(unchanged.event_pattern(), Some(SHOP_ORDERS));
}

/// An archive's own rule belongs to EventBridge (moto makes one, as AWS does).
async fn an_archives_own_rule_is_not_opted_out(emulator: Emulator) {
    let app = spawn_app(emulator).await;
    let bus = app.create_bus("orders").await;
    app.create_archive("orders-all", &bus, json!({})).await;
    let rules = app.call(Operation::ListRules, &["orders"], None).await;
    assert!(
        rules.names("rules").contains(&"Events-Archive-orders-all"),
        "{}",
        rules.body
    );
    opt_out(&app, "orders", "Events-Archive-orders-all")
        .await
        .assert_error(403, "Forbidden", Some("rule"));
}
