//! The helper routes the forms use, health and the OpenAPI document.

use serde_json::json;
use testkit::app::{Emulator, HEALTH, OPENAPI, Operation, SHOP_ORDERS, TestApp, spawn_app};
use testkit::on_both_emulators;

on_both_emulators!(
    event_buses_are_listed,
    rules_of_a_bus_are_listed,
    event_patterns_are_validated,
    health_and_openapi;
    // moto 5.2.5 does not implement TestEventPattern (always false).
    ministack_only: event_patterns_are_matched, a_bus_names_its_key_beside_its_archives,
);

const EVENT: &str = r#"{"id":"1","account":"123456789012","source":"shop.orders","time":"2026-11-26T12:00:00Z","region":"us-east-1","resources":[],"detail-type":"OrderCreated","detail":{"total":12}}"#;

async fn event_buses_are_listed(emulator: Emulator) {
    let app = spawn_app(emulator).await;
    let orders = app.create_bus("orders").await;
    let all = app.call(Operation::ListEventBuses, &[], None).await;
    assert_eq!(all.status, 200, "{}", all.body);
    let names = all.names("eventBuses");
    assert!(
        names.contains(&"default") && names.contains(&"orders"),
        "{names:?}"
    );
    assert_eq!(app.bus_arn("orders").await, orders);
    let filtered = app
        .call_query(Operation::ListEventBuses, &[], "namePrefix=ord", None)
        .await;
    assert_eq!(
        filtered.body["eventBuses"].as_array().map(Vec::len),
        Some(1),
        "{}",
        filtered.body
    );
    app.call_query(Operation::ListEventBuses, &[], "limit=0", None)
        .await
        .assert_error(400, "ValidationError", Some("limit"));
}

async fn rules_of_a_bus_are_listed(emulator: Emulator) {
    let app = spawn_app(emulator).await;
    app.create_bus("orders").await;
    app.create_rule("orders", "order-created", SHOP_ORDERS)
        .await;
    let rules = app.call(Operation::ListRules, &["orders"], None).await;
    assert_eq!(rules.status, 200, "{}", rules.body);
    let rule = rules.body["rules"]
        .as_array()
        .and_then(|r| r.iter().find(|x| x["name"] == "order-created").cloned())
        .unwrap_or_else(|| panic!("{}", rules.body));
    assert_eq!(rule["state"], "ENABLED");
    assert!(rule["arn"].as_str().is_some_and(|a| a.contains(":rule/")));
    assert!(
        rule["eventPattern"]
            .as_str()
            .is_some_and(|p| p.contains("shop.orders"))
    );
    app.call(Operation::ListRules, &["bad bus"], None)
        .await
        .assert_error(400, "ValidationError", Some("name"));
}

/// A partner event bus is named after its source, with `/` in the name: the console
/// sends it as one percent-encoded path segment, and the backend must read it back whole.
/// On ministack only: moto, like AWS, makes such a bus only from a partner event source,
/// which it does not have.
#[tokio::test]
async fn rules_of_a_partner_bus_are_listed() {
    let app = spawn_app(Emulator::Ministack).await;
    let bus = "aws.partner/vendor.example/orders";
    app.create_bus(bus).await;
    app.create_rule(bus, "partner-orders", r#"{"source":["vendor.example"]}"#)
        .await;
    // What the console sends: the bus's name as one percent-encoded segment
    // (`aws.partner%2Fvendor.example%2Forders`), built as it builds it.
    let rules = app.call(Operation::ListRules, &[bus], None).await;
    assert_eq!(rules.status, 200, "{}", rules.body);
    let names = rules.names("rules");
    assert_eq!(names, ["partner-orders"], "{}", rules.body);
}

async fn test_pattern(app: &TestApp, pattern: &str, event: &str) -> testkit::app::Reply {
    let body = json!({"eventPattern": pattern, "event": event});
    app.call(Operation::TestEventPattern, &[], Some(&body))
        .await
}

/// Our own validation answers on every emulator.
async fn event_patterns_are_validated(emulator: Emulator) {
    let app = spawn_app(emulator).await;
    test_pattern(&app, "{", EVENT).await.assert_error(
        400,
        "InvalidEventPattern",
        Some("eventPattern"),
    );
    test_pattern(&app, r#"{"source":["a"]}"#, "{}")
        .await
        .assert_error(400, "ValidationError", Some("event"));
}

async fn event_patterns_are_matched(emulator: Emulator) {
    let app = spawn_app(emulator).await;
    let matching = test_pattern(&app, SHOP_ORDERS, EVENT).await;
    assert_eq!(matching.status, 200, "{}", matching.body);
    assert_eq!(matching.body, json!({"matches": true}));
    let other = test_pattern(&app, r#"{"source":["billing"]}"#, EVENT).await;
    assert_eq!(other.body, json!({"matches": false}));
}

async fn health_and_openapi(emulator: Emulator) {
    let app = spawn_app(emulator).await;
    assert_eq!(app.get(HEALTH).await.body, json!({"status": "ok"}));
    let doc = app.get(OPENAPI).await;
    assert_eq!(doc.status, 200);
    assert!(
        doc.body["openapi"]
            .as_str()
            .is_some_and(|v| v.starts_with("3.1"))
    );
    let operations = [
        Operation::ListArchives,
        Operation::DescribeArchive,
        Operation::ListReplays,
        Operation::DescribeReplay,
        Operation::CancelReplay,
        Operation::ListEventBuses,
        Operation::ListRules,
        Operation::TestEventPattern,
        Operation::Me,
    ];
    let paths = operations.map(Operation::path_template);
    for path in paths.into_iter().chain([HEALTH, OPENAPI]) {
        assert!(
            doc.body["paths"].get(path).is_some(),
            "{path} missing from the OpenAPI document"
        );
    }
    for schema in [
        "ArchiveSummary",
        "Archive",
        "CreateArchiveRequest",
        "Replay",
        "StartReplayRequest",
        "ErrorBody",
    ] {
        assert!(
            doc.body["components"]["schemas"].get(schema).is_some(),
            "{schema} missing"
        );
    }
}

/// The bus's key (what the archive pages and the create form compare an archive's with),
/// and an archive's own: both as EventBridge holds them.
async fn a_bus_names_its_key_beside_its_archives(emulator: Emulator) {
    let app = spawn_app(emulator).await;
    let key = "arn:aws:kms:us-east-1:000000000000:alias/payments-events";
    let payments = app
        .sdk
        .create_event_bus()
        .name("payments")
        .kms_key_identifier(key)
        .send()
        .await
        .expect("create a bus with a key")
        .event_bus_arn()
        .map(str::to_owned)
        .expect("bus arn");
    app.create_bus("orders").await;

    let described = app
        .call(Operation::DescribeEventBus, &["payments"], None)
        .await;
    assert_eq!(described.status, 200, "{}", described.body);
    assert_eq!(described.body["kmsKeyIdentifier"], key);
    assert_eq!(described.body["arn"], payments.as_str());
    let plain = app
        .call(Operation::DescribeEventBus, &["orders"], None)
        .await;
    assert_eq!(plain.status, 200, "{}", plain.body);
    assert!(
        plain.body.get("kmsKeyIdentifier").is_none(),
        "{}",
        plain.body
    );
    app.call(Operation::DescribeEventBus, &["nowhere"], None)
        .await
        .assert_error(404, "NotFound", None);
    app.call(Operation::DescribeEventBus, &["bad bus"], None)
        .await
        .assert_error(400, "ValidationError", Some("name"));

    // An archive on that bus without a key, and one with the bus's key.
    for (name, kms) in [("pay-plain", None), ("pay-keyed", Some(key))] {
        let mut body = json!({"archiveName": name, "eventSourceArn": payments});
        if let Some(kms) = kms {
            body["kmsKeyIdentifier"] = json!(kms);
        }
        let created = app.call(Operation::CreateArchive, &[], Some(&body)).await;
        assert_eq!(created.status, 201, "{}", created.body);
        let archive = app.call(Operation::DescribeArchive, &[name], None).await;
        assert_eq!(
            archive
                .body
                .get("kmsKeyIdentifier")
                .and_then(|k| k.as_str()),
            kms,
            "{}",
            archive.body
        );
    }
    // The warning's rule, shared by both pages: only the archive without a key is less
    // protected than this bus.
    assert!(shared::archive::less_protected_than_bus(None, Some(key)).is_some());
    assert!(shared::archive::less_protected_than_bus(Some(key), Some(key)).is_none());
}
