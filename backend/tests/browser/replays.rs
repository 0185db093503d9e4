//! Replays in the browser: start one from an archive with chosen rules and watch it
//! finish; an inverted window; live progress on the stand-in.

use serde_json::json;
use std::time::Duration;
use testkit::app::{Emulator, Operation, TestApp, path, spawn_app_with};
use testkit::console::{dist, fetch_json};
use testkit::standin::{Script, calls, spawn_with_standin};

async fn orders(app: &TestApp) {
    let bus = app.create_bus("orders").await;
    for (rule, kind) in [
        ("order-created", "OrderCreated"),
        ("order-shipped", "OrderShipped"),
    ] {
        let pattern = json!({"source": ["shop.orders"], "detail-type": [kind]}).to_string();
        app.create_rule("orders", rule, &pattern).await;
    }
    app.create_archive("orders-all", &bus, json!({})).await;
    app.put_order_events("orders", 4).await;
}

/// A partner event bus has `/` in its name; the rules picker must still list its rules
/// (the console encodes the name as one path segment, the backend reads it back whole).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rules_of_a_partner_bus_are_offered() {
    let app = spawn_app_with(Emulator::Ministack, |s| s.static_dir = dist()).await;
    let name = "aws.partner/vendor.example/orders";
    let bus = app.create_bus(name).await;
    let pattern = r#"{"source":["vendor.example"]}"#;
    app.create_rule(name, "partner-orders", pattern).await;
    app.create_archive("partner-orders", &bus, json!({})).await;
    app.in_browser("replay-partner-bus-rules", move |b| async move {
        b.open("/replays/new?archive=partner-orders", "Start replay")
            .await;
        b.click(b.choice("Only the rules ticked").await).await;
        b.eventually("the partner bus's rule", |b| async move {
            b.texts("#replay-preview label.rule-name")
                .await
                .iter()
                .any(|r| r.contains("partner-orders"))
        })
        .await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn start_a_replay_with_chosen_rules_and_watch_it_complete() {
    let app = spawn_app_with(Emulator::Ministack, |s| s.static_dir = dist()).await;
    orders(&app).await;
    let api = app.url(&path(Operation::DescribeReplay, &["browser-replay"]));
    app.in_browser("replay-started", move |b| async move {
        b.open("/archives/orders-all", "orders-all").await;
        b.click(b.button("Start replay").await).await;
        b.wait_heading("Start replay").await;
        b.eventually("the archive to be chosen", |b| async move {
            b.value_of("Archive").await == "orders-all"
        })
        .await;
        b.eventually("a suggested name", |b| async move {
            b.value_of("Name").await.starts_with("orders-all-")
        })
        .await;
        b.type_into("Name", "browser-replay").await;
        b.type_into("Description", "replayed by the browser test")
            .await;

        b.click(b.choice("Only the rules ticked").await).await;
        b.eventually("the bus's rules", |b| async move {
            b.texts("#replay-preview label.rule-name").await.len() == 2
        })
        .await;
        b.click(b.choice("order-created").await).await;
        b.click(b.button("Start replay").await).await;

        b.wait_heading("browser-replay").await;
        b.wait_text(".badge", "COMPLETED").await;
        b.eventually("progress 100 %", |b| async move {
            b.progress().await.as_deref() == Some("100")
        })
        .await;
        assert!(b.detail("Rules").await.contains("order-created"));
        assert_eq!(
            b.detail("Description").await,
            "replayed by the browser test"
        );
        // Cancelling a finished replay is not offered.
        assert!(b.texts("button").await.iter().all(|t| t != "Cancel replay"));

        let replay: serde_json::Value = fetch_json(&api).await;
        let filters = replay["destination"]["filterArns"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert_eq!(filters.len(), 1, "{replay}");
        assert!(
            filters[0]
                .as_str()
                .is_some_and(|f| f.ends_with("rule/orders/order-created"))
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_inverted_window_is_refused_and_kept() {
    let app = spawn_app_with(Emulator::Ministack, |s| s.static_dir = dist()).await;
    orders(&app).await;
    app.in_browser("replay-inverted-window", |b| async move {
        b.open("/replays/new?archive=orders-all", "Start replay")
            .await;
        b.eventually("the archive to load", |b| async move {
            b.texts("p.readonly")
                .await
                .iter()
                .any(|t| t.contains("event-bus/orders"))
        })
        .await;
        // ISO 8601 in UTC by default; what does not read as a time stays as typed.
        b.set_value("Start time", "2026-11-26T12:00").await;
        b.set_value("End time", "2026-11-26T11:00").await;
        b.wait_text("#end-time-error", "after the start time").await;
        assert_eq!(b.value_of("Start time").await, "2026-11-26T12:00:00");
        assert_eq!(b.value_of("End time").await, "2026-11-26T11:00:00");
        b.wait_text(".time-window", "In UTC · ").await;
        b.set_value("End time", "26/11/2026 11:00 AM").await;
        b.wait_text("#end-time-error", "end time").await;
        assert_eq!(b.value_of("End time").await, "26/11/2026 11:00 AM");
        assert!(!b.is_enabled("Start replay").await);
        b.wait_text(".why", "To start it").await;
    })
    .await;
}

/// A RUNNING replay whose progress moves needs the stand-in: the page refreshes every
/// 2 s, shows each step, and stops refreshing once the replay has completed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_progress_on_the_standin() {
    let (app, shared) = spawn_with_standin(Script::default(), |s| s.static_dir = dist()).await;
    app.in_browser("replay-live-progress-standin", |b| async move {
        b.open("/replays/advancing", "advancing").await;
        b.eventually("a running replay at 25 %", |b| async move {
            b.progress().await.as_deref() == Some("25")
        })
        .await;
        assert!(b.texts("button").await.iter().any(|t| t == "Cancel replay"));
        b.eventually("50 %", |b| async move {
            b.progress().await.as_deref() == Some("50")
        })
        .await;
        b.eventually("completion", |b| async move {
            b.progress().await.as_deref() == Some("100")
        })
        .await;
        b.wait_text(".badge", "COMPLETED").await;
    })
    .await;
    let polled = calls(&shared, "DescribeReplay").len();
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert_eq!(
        calls(&shared, "DescribeReplay").len(),
        polled,
        "refreshing must stop once the replay has ended"
    );
}
