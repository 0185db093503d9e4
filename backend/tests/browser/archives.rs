//! Archives in the browser: create, open, edit, delete; field errors; deep links; paging.

use fantoccini::Locator;
use serde_json::json;
use testkit::app::{Emulator, Operation, SHOP_ORDERS, path, spawn_app_with};
use testkit::console::{dist, fetch_json};
use testkit::standin::{Script, calls, spawn_with_standin};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_open_edit_and_delete_an_archive() {
    let app = spawn_app_with(Emulator::Ministack, |s| s.static_dir = dist()).await;
    app.create_bus("orders").await;
    let api = app.url(&path(Operation::DescribeArchive, &["orders-browser"]));
    app.in_browser("archive-lifecycle", move |b| async move {
        b.open("/archives/new", "Create archive").await;
        let bus = b.field("Event bus").await;
        b.eventually("the orders bus to be offered", |b| async move {
            b.texts("#event-bus option")
                .await
                .contains(&"orders".to_owned())
        })
        .await;
        bus.select_by_label("orders").await.expect("choose bus");
        b.type_into("Name", "orders-browser").await;
        b.type_into("Description", "Made in the browser test").await;
        b.type_into("Retention (days)", "7").await;
        b.type_into("Event pattern", SHOP_ORDERS).await;
        b.click(b.button("Create archive").await).await;

        b.wait_heading("orders-browser").await;
        assert_eq!(b.detail("Retention").await, "7 days");
        assert_eq!(b.detail("Description").await, "Made in the browser test");

        // It is listed.
        b.goto("/archives").await;
        b.wait_text("table a", "orders-browser").await;
        b.click(b.find(Locator::LinkText("orders-browser")).await)
            .await;
        b.wait_heading("orders-browser").await;

        // Edit retention back to indefinite.
        b.click(b.button("Edit").await).await;
        b.click(b.choice("Keep events indefinitely").await).await;
        b.click(b.button("Save changes").await).await;
        b.eventually("retention to read Indefinite", |b| async move {
            b.detail("Retention").await == "Indefinite"
        })
        .await;
        let stored: serde_json::Value = fetch_json(&api).await;
        assert_eq!(stored["retentionDays"], 0, "{stored}");

        // Delete through the dialog, which wants the name typed.
        b.click(b.button("Delete archive").await).await;
        let confirm = b.dialog_button("Delete archive").await;
        assert!(
            !confirm.is_enabled().await.unwrap_or(true),
            "enabled before the name is typed"
        );
        b.type_into("Type orders-browser to confirm", "orders-browser")
            .await;
        b.click(confirm).await;
        b.wait_heading("Archives").await;
        assert_eq!(b.path().await, "/archives");
        let gone = reqwest::get(&api).await.expect("get");
        assert_eq!(gone.status(), 404);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn field_errors_keep_what_was_typed() {
    let app = spawn_app_with(Emulator::Ministack, |s| s.static_dir = dist()).await;
    let bus = app.bus_arn("default").await;
    app.create_archive("taken", &bus, json!({})).await;
    app.in_browser("archive-field-errors", |b| async move {
        b.open("/archives/new", "Create archive").await;
        b.eventually("buses to load", |b| async move {
            !b.texts("#event-bus option").await.is_empty()
        })
        .await;

        b.type_into("Name", "bad name").await;
        b.wait_text(".field-error", "not allowed").await;
        b.type_into("Event pattern", "{\"source\": \"orders\"")
            .await;
        b.wait_text(".field-error", "not valid JSON").await;
        let submit = b.button("Create archive").await;
        assert!(!submit.is_enabled().await.unwrap_or(true));
        b.wait_text(".why", "To create it").await;
        assert_eq!(b.value_of("Name").await, "bad name");
        assert_eq!(b.value_of("Event pattern").await, "{\"source\": \"orders\"");

        // A name the server refuses (it exists): the banner says so, the form keeps its values.
        b.type_into("Name", "taken").await;
        b.type_into("Event pattern", "").await;
        b.type_into("Description", "second try").await;
        b.click(b.button("Create archive").await).await;
        b.wait_text("[role='alert']", "already exists").await;
        assert_eq!(b.value_of("Name").await, "taken");
        assert_eq!(b.value_of("Description").await, "second try");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deep_link_with_a_filter() {
    let app = spawn_app_with(Emulator::Ministack, |s| s.static_dir = dist()).await;
    let bus = app.bus_arn("default").await;
    for name in ["alpha-1", "alpha-2", "beta-1"] {
        app.create_archive(name, &bus, json!({})).await;
    }
    app.in_browser("archives-deep-link", |b| async move {
        b.goto("/archives?namePrefix=alpha").await;
        b.wait_text("table a", "alpha-1").await;
        let mut names = b.texts("table tbody td:first-child").await;
        names.sort();
        assert_eq!(names, ["alpha-1", "alpha-2"]);
        assert_eq!(b.value_of("Name starts with").await, "alpha");

        // Choosing a state clears the name filter (EventBridge takes one at a time).
        b.field("State")
            .await
            .select_by_label("ENABLED")
            .await
            .expect("state");
        b.eventually("the URL to carry only the state", |b| async move {
            b.path().await == "/archives?state=ENABLED"
        })
        .await;
        b.eventually("all three rows", |b| async move {
            b.texts("table tbody tr").await.len() == 3
        })
        .await;
        assert_eq!(b.value_of("Name starts with").await, "");
    })
    .await;
}

/// Paging needs more than one page, which no emulator returns: the stand-in does.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paging_through_archives_on_the_standin() {
    let (app, shared) = spawn_with_standin(
        Script {
            archive_count: 60,
            ..Default::default()
        },
        |s| s.static_dir = dist(),
    )
    .await;
    app.in_browser("archives-paging-standin", |b| async move {
        b.goto("/archives").await;
        b.wait_text("table a", "archive-00000").await;
        assert_eq!(b.texts("table tbody tr").await.len(), 25);
        assert!(!b.is_enabled("Previous page").await);

        b.click(b.button("Next page").await).await;
        b.wait_text("table a", "archive-00025").await;
        assert!(b.path().await.contains("nextToken=after-25"));
        b.click(b.button("Next page").await).await;
        b.wait_text("table a", "archive-00050").await;
        assert_eq!(b.texts("table tbody tr").await.len(), 10);
        assert!(!b.is_enabled("Next page").await);

        b.click(b.button("Previous page").await).await;
        b.wait_text("table a", "archive-00025").await;
        b.click(b.button("Previous page").await).await;
        b.wait_text("table a", "archive-00000").await;
        assert_eq!(b.path().await, "/archives");
    })
    .await;
    let sent = calls(&shared, "ListArchives");
    assert!(sent.iter().all(|c| c["Limit"] == 25), "{sent:?}");
}

/// EventBridge going away between typing and submitting loses nothing: the create form
/// and the edit form keep every value and say what happened.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forms_keep_their_values_when_eventbridge_fails() {
    let mut app = spawn_app_with(Emulator::Ministack, |s| s.static_dir = dist()).await;
    let bus = app.bus_arn("default").await;
    app.create_archive("kept", &bus, json!({"description": "before"}))
        .await;
    let mut emulator = app.emulator.take().expect("emulator");
    let api = app.url(&path(Operation::DescribeArchive, &["orders-kept"]));
    app.in_browser("forms-keep-values-on-upstream-failure", |b| async move {
        // The edit form, emptied of EventBridge just before saving.
        b.open("/archives/kept", "kept").await;
        b.click(b.button("Edit").await).await;
        b.type_into("Description", "after the outage").await;
        b.type_into("Event pattern", r#"{"source":["shop"]}"#).await;
        emulator.stop();
        b.click(b.button("Save changes").await).await;
        b.wait_text("[role='alert']", "EventBridge could not be reached")
            .await;
        assert_eq!(b.value_of("Description").await, "after the outage");
        assert_eq!(b.value_of("Event pattern").await, r#"{"source":["shop"]}"#);

        // The create form, likewise.
        emulator.restart().await;
        b.open("/archives/new", "Create archive").await;
        b.eventually("buses to load", |b| async move {
            !b.texts("#event-bus option").await.is_empty()
        })
        .await;
        b.type_into("Name", "orders-kept").await;
        b.type_into("Description", "typed before the outage").await;
        b.type_into("Retention (days)", "7").await;
        b.type_into("Event pattern", SHOP_ORDERS).await;
        emulator.stop();
        b.click(b.button("Create archive").await).await;
        b.wait_text("[role='alert']", "EventBridge could not be reached")
            .await;
        assert_eq!(b.value_of("Name").await, "orders-kept");
        assert_eq!(b.value_of("Description").await, "typed before the outage");
        assert_eq!(b.value_of("Retention (days)").await, "7");
        assert_eq!(b.value_of("Event pattern").await, SHOP_ORDERS);
        // And once EventBridge is back, the same form goes through as it stands.
        emulator.restart().await;
        b.click(b.button("Create archive").await).await;
        b.wait_heading("orders-kept").await;
        let stored: serde_json::Value = fetch_json(&api).await;
        assert_eq!(stored["retentionDays"], 7);
        assert_eq!(stored["description"], "typed before the outage");
    })
    .await;
}

/// A bus with a customer managed key: the create form preselects it and warns once it is
/// cleared; the archive made without it says both keys and the same warning.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bus_key_is_preselected_and_a_less_protected_archive_is_warned_about() {
    let app = spawn_app_with(Emulator::Ministack, |s| s.static_dir = dist()).await;
    let key = "arn:aws:kms:us-east-1:000000000000:alias/payments-events";
    app.sdk
        .create_event_bus()
        .name("payments")
        .kms_key_identifier(key)
        .send()
        .await
        .expect("a bus with a key");
    app.create_bus("orders").await;
    app.in_browser("archive-bus-key", move |b| async move {
        b.open("/archives/new", "Create archive").await;
        b.eventually("the payments bus to be offered", |b| async move {
            b.texts("#event-bus option")
                .await
                .contains(&"payments".to_owned())
        })
        .await;
        b.field("Event bus")
            .await
            .select_by_label("payments")
            .await
            .expect("choose bus");
        b.eventually("the bus's key to be preselected", move |b| async move {
            b.value_of("KMS key").await == key
        })
        .await;
        b.wait_text("#bus-key", "Its bus: customer managed key")
            .await;
        assert!(
            b.texts("#kms-warning").await.is_empty(),
            "warned with the key set"
        );
        // Cleared: warned; the bus without a key: no warning, the field left as typed.
        b.type_into("KMS key", "").await;
        b.wait_text("#kms-warning", "Less protected than its bus")
            .await;
        b.type_into("Name", "payments-plain").await;
        b.click(b.button("Create archive").await).await;

        b.wait_heading("payments-plain").await;
        b.wait_text("#encryption", "its bus: customer managed key")
            .await;
        assert!(b.detail("Encryption").await.starts_with("AWS owned key"));
        b.wait_text("#kms-warning", "Less protected than its bus")
            .await;

        // Another bus, with no key: nothing to warn about, nothing preselected.
        b.goto("/archives/new").await;
        b.wait_heading("Create archive").await;
        b.eventually("the orders bus to be offered", |b| async move {
            b.texts("#event-bus option")
                .await
                .contains(&"orders".to_owned())
        })
        .await;
        b.field("Event bus")
            .await
            .select_by_label("orders")
            .await
            .expect("choose bus");
        b.wait_text("#bus-key", "Its bus: AWS owned key").await;
        assert_eq!(b.value_of("KMS key").await, "");
        assert!(b.texts("#kms-warning").await.is_empty());
    })
    .await;
}
