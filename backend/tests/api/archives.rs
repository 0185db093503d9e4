//! The archive operations against the emulators.

use serde_json::json;
use testkit::app::{Emulator, Operation, SHOP_ORDERS, path, spawn_app};
use testkit::on_both_emulators;

on_both_emulators!(
    create_list_describe_and_delete,
    create_twice_is_already_exists,
    missing_archive_is_not_found,
    update_needs_a_field,
    create_validates_every_field,
    invalid_pattern_is_invalid_event_pattern,
    list_filters_are_applied_and_exclusive,
    list_parameters_are_validated;
    // moto 5.2.5 ignores RetentionDays: 0 and an empty Description on UpdateArchive.
    ministack_only: update_applies_retention_zero_and_cleared_description;
    // ministack 1.5.33 accepts an archive on a bus that does not exist.
    moto_only: archive_on_unknown_bus_is_not_found,
);

async fn create_list_describe_and_delete(emulator: Emulator) {
    let app = spawn_app(emulator).await;
    let bus = app.create_bus("orders").await;
    let pattern = SHOP_ORDERS;

    let created = app
        .call(
            Operation::CreateArchive,
            &[],
            Some(&json!({
                "archiveName": "orders-created",
                "eventSourceArn": bus,
                "description": "Order events",
                "eventPattern": pattern,
                "retentionDays": 30,
            })),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(
        created.headers["location"],
        path(Operation::DescribeArchive, &["orders-created"])
    );
    let arn = created.body["archiveArn"].as_str().unwrap_or_default();
    assert!(arn.ends_with(":archive/orders-created"), "{arn}");
    assert!(created.body["state"].is_string());
    assert!(
        created.body["creationTime"]
            .as_str()
            .is_some_and(|t| t.ends_with('Z'))
    );

    let list = app.call(Operation::ListArchives, &[], None).await;
    assert_eq!(list.status, 200);
    let rows = list.body["archives"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let row = rows
        .iter()
        .find(|a| a["archiveName"] == "orders-created")
        .unwrap_or_else(|| panic!("not listed: {}", list.body));
    assert_eq!(row["eventSourceArn"], bus.as_str());
    assert_eq!(row["retentionDays"], 30);
    for field in ["state", "sizeBytes", "eventCount", "creationTime"] {
        assert!(!row[field].is_null(), "{field} missing: {row}");
    }

    let described = app
        .call(Operation::DescribeArchive, &["orders-created"], None)
        .await;
    assert_eq!(described.status, 200, "{}", described.body);
    assert_eq!(described.body["archiveArn"], arn);
    assert_eq!(described.body["description"], "Order events");
    assert_eq!(described.body["retentionDays"], 30);
    let stored: serde_json::Value =
        serde_json::from_str(described.body["eventPattern"].as_str().unwrap_or("null"))
            .unwrap_or_default();
    assert_eq!(
        stored,
        serde_json::from_str::<serde_json::Value>(pattern).unwrap_or_default()
    );

    let deleted = app
        .call(Operation::DeleteArchive, &["orders-created"], None)
        .await;
    assert_eq!(deleted.status, 204);
    assert!(deleted.body.is_null());
    app.call(Operation::DescribeArchive, &["orders-created"], None)
        .await
        .assert_error(404, "NotFound", None);
    app.call(Operation::DeleteArchive, &["orders-created"], None)
        .await
        .assert_error(404, "NotFound", None);
}

async fn create_twice_is_already_exists(emulator: Emulator) {
    let app = spawn_app(emulator).await;
    let bus = app.bus_arn("default").await;
    app.create_archive("dup", &bus, json!({})).await;
    let again = app
        .call(
            Operation::CreateArchive,
            &[],
            Some(&json!({"archiveName": "dup", "eventSourceArn": bus})),
        )
        .await;
    again.assert_error(409, "AlreadyExists", None);
}

async fn missing_archive_is_not_found(emulator: Emulator) {
    let app = spawn_app(emulator).await;
    app.call(Operation::DescribeArchive, &["nope"], None)
        .await
        .assert_error(404, "NotFound", None);
    app.call(
        Operation::UpdateArchive,
        &["nope"],
        Some(&json!({"retentionDays": 1})),
    )
    .await
    .assert_error(404, "NotFound", None);
    // An invalid path name is refused before any AWS call.
    for name in ["bad name".to_owned(), "a".repeat(49)] {
        app.call(Operation::DescribeArchive, &[&name], None)
            .await
            .assert_error(400, "ValidationError", Some("archiveName"));
    }
}

async fn update_applies_retention_zero_and_cleared_description(emulator: Emulator) {
    let app = spawn_app(emulator).await;
    let bus = app.bus_arn("default").await;
    app.create_archive(
        "keep",
        &bus,
        json!({"retentionDays": 7, "description": "temporary"}),
    )
    .await;

    let updated = app
        .call(
            Operation::UpdateArchive,
            &["keep"],
            Some(&json!({"retentionDays": 0, "description": ""})),
        )
        .await;
    assert_eq!(updated.status, 200, "{}", updated.body);
    assert!(
        updated.body["archiveArn"]
            .as_str()
            .is_some_and(|a| a.ends_with(":archive/keep"))
    );

    let after = app.call(Operation::DescribeArchive, &["keep"], None).await;
    assert_eq!(after.body["retentionDays"], 0, "{}", after.body);
    assert!(
        after.body.get("description").is_none_or(|d| d.is_null()),
        "{}",
        after.body
    );

    let pattern = app
        .call(
            Operation::UpdateArchive,
            &["keep"],
            Some(&json!({"eventPattern": r#"{"source":["x"]}"#, "retentionDays": 3})),
        )
        .await;
    assert_eq!(pattern.status, 200, "{}", pattern.body);
    let after = app.call(Operation::DescribeArchive, &["keep"], None).await;
    assert_eq!(after.body["retentionDays"], 3);
    assert!(
        after.body["eventPattern"]
            .as_str()
            .is_some_and(|p| p.contains("source"))
    );
}

async fn update_needs_a_field(emulator: Emulator) {
    let app = spawn_app(emulator).await;
    let bus = app.bus_arn("default").await;
    app.create_archive("a", &bus, json!({})).await;
    for (body, field) in [
        (json!({}), "body"),
        (json!({"retentionDays": -1}), "retentionDays"),
        (json!({"name": "b"}), "name"),
    ] {
        app.call(Operation::UpdateArchive, &["a"], Some(&body))
            .await
            .assert_error(400, "ValidationError", Some(field));
    }
}

async fn create_validates_every_field(emulator: Emulator) {
    let app = spawn_app(emulator).await;
    let bus = app.bus_arn("default").await;
    let cases = [
        (
            json!({"archiveName": "", "eventSourceArn": bus}),
            "archiveName",
        ),
        (
            json!({"archiveName": "a".repeat(49), "eventSourceArn": bus}),
            "archiveName",
        ),
        (
            json!({"archiveName": "with space", "eventSourceArn": bus}),
            "archiveName",
        ),
        (
            json!({"archiveName": "a", "eventSourceArn": "arn:aws:sqs:us-east-1:123456789012:q"}),
            "eventSourceArn",
        ),
        (
            json!({"archiveName": "a", "eventSourceArn": bus, "description": "d".repeat(513)}),
            "description",
        ),
        (
            json!({"archiveName": "a", "eventSourceArn": bus, "retentionDays": -1}),
            "retentionDays",
        ),
        (
            json!({"archiveName": "a", "eventSourceArn": bus, "retentionDays": "ten"}),
            "retentionDays",
        ),
        (
            json!({"archiveName": "a", "eventSourceArn": bus, "kmsKeyIdentifier": "key with spaces"}),
            "kmsKeyIdentifier",
        ),
        (
            json!({"archiveName": "a", "eventSourceArn": bus, "eventPattern": format!(r#"{{"source":["{}"]}}"#, "s".repeat(4100))}),
            "eventPattern",
        ),
        (json!({"eventSourceArn": bus}), "archiveName"),
    ];
    for (body, field) in cases {
        app.call(Operation::CreateArchive, &[], Some(&body))
            .await
            .assert_error(400, "ValidationError", Some(field));
    }
    // Nothing was created by any of them.
    let list = app.call(Operation::ListArchives, &[], None).await;
    assert_eq!(list.body["archives"], json!([]), "{}", list.body);
    // The boundary values themselves are accepted.
    app.create_archive(
        &"a".repeat(48),
        &bus,
        json!({"description": "d".repeat(512), "retentionDays": 0}),
    )
    .await;
}

async fn invalid_pattern_is_invalid_event_pattern(emulator: Emulator) {
    let app = spawn_app(emulator).await;
    let bus = app.bus_arn("default").await;
    for pattern in [
        "{not json",
        "[1]",
        r#"{"source":"orders"}"#,
        r#"{"detail":{"x":[{"begins":"a"}]}}"#,
    ] {
        app.call(
            Operation::CreateArchive,
            &[],
            Some(&json!({"archiveName": "p", "eventSourceArn": bus, "eventPattern": pattern})),
        )
        .await
        .assert_error(400, "InvalidEventPattern", Some("eventPattern"));
    }
}

async fn list_filters_are_applied_and_exclusive(emulator: Emulator) {
    let app = spawn_app(emulator).await;
    let default_bus = app.bus_arn("default").await;
    let orders = app.create_bus("orders").await;
    app.create_archive("orders-all", &orders, json!({})).await;
    app.create_archive("orders-created", &orders, json!({}))
        .await;
    app.create_archive("misc", &default_bus, json!({})).await;

    let names = |reply: &testkit::app::Reply| -> Vec<String> {
        let mut v: Vec<String> = reply.body["archives"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|x| x["archiveName"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        v.sort();
        v
    };
    let list = |query: String| {
        let app = &app;
        async move {
            app.call_query(Operation::ListArchives, &[], &query, None)
                .await
        }
    };
    let by_prefix = list("namePrefix=orders-".into()).await;
    assert_eq!(names(&by_prefix), ["orders-all", "orders-created"]);
    let by_bus = list(format!("eventSourceArn={default_bus}")).await;
    assert_eq!(names(&by_bus), ["misc"]);
    let by_state = list("state=ENABLED".into()).await;
    assert_eq!(by_state.status, 200);
    // Empty values count as absent, so a form can send every field.
    let all = list("namePrefix=&state=&eventSourceArn=&limit=&nextToken=".into()).await;
    assert_eq!(names(&all).len(), 3);
    // EventBridge allows one filter at a time; Rewind says so even where an emulator would combine them.
    list("namePrefix=orders&state=ENABLED".into())
        .await
        .assert_error(400, "ValidationError", Some("state"));
}

async fn list_parameters_are_validated(emulator: Emulator) {
    let app = spawn_app(emulator).await;
    let token = format!("nextToken={}", "t".repeat(2049));
    let cases = [
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("limit=ten", "limit"),
        ("state=ON", "state"),
        ("namePrefix=a%20b", "namePrefix"),
        ("eventSourceArn=bus", "eventSourceArn"),
        ("colour=red", "colour"),
        (&token, "nextToken"),
    ];
    for (query, field) in cases {
        app.call_query(Operation::ListArchives, &[], query, None)
            .await
            .assert_error(400, "ValidationError", Some(field));
    }
    // Limits inside the range pass straight through to EventBridge.
    let most = app
        .call_query(Operation::ListArchives, &[], "limit=100", None)
        .await;
    assert_eq!(most.status, 200);
}

async fn archive_on_unknown_bus_is_not_found(emulator: Emulator) {
    let app = spawn_app(emulator).await;
    let bus = app
        .bus_arn("default")
        .await
        .replace("event-bus/default", "event-bus/ghost");
    app.call(
        Operation::CreateArchive,
        &[],
        Some(&json!({"archiveName": "g", "eventSourceArn": bus})),
    )
    .await
    .assert_error(404, "NotFound", None);
}
