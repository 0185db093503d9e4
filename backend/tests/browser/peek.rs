//! Peek: from the archive page, a peek of the last minutes shows its events as they
//! arrive, one opens to its JSON; leaving the page removes the peek's rule and queue.

use fantoccini::Locator;
use serde_json::json;
use testkit::app::{Emulator, spawn_app_with};
use testkit::console::dist;

fn utc_minute(minutes_from_now: i64) -> String {
    let t = time::OffsetDateTime::now_utc() + time::Duration::minutes(minutes_from_now);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute()
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_peek_shows_the_events_as_they_arrive() {
    let app = spawn_app_with(Emulator::Ministack, |s| s.static_dir = dist()).await;
    let bus = app.create_bus("orders").await;
    app.create_archive("orders-all", &bus, json!({})).await;
    app.put_order_events("orders", 3).await;
    let sdk = app.sdk.clone();
    let sqs = app.sqs();
    app.in_browser("peek", move |b| async move {
        b.open("/archives/orders-all", "orders-all").await;
        b.click(b.button("Peek").await).await;
        b.wait_heading("Peek into orders-all").await;
        b.wait_text(".lead", "bills replayed events").await;
        b.set_value("Start time", &utc_minute(-5)).await;
        b.set_value("End time", &utc_minute(1)).await;
        b.click(b.button("Start peek").await).await;
        b.eventually("three events", |b| async move {
            b.texts("#peek-events li").await.len() == 3
        })
        .await;
        b.wait_text("#peek-events", "OrderCreated").await;
        b.click(b.find(Locator::Css("#peek-events li summary")).await)
            .await;
        b.wait_text("#peek-events pre", "\"replay-name\"").await;
        b.wait_text(".card", "Done: 3 events.").await;
        // The filter narrows what arrived.
        b.type_into("Filter what arrived", "\"orderId\":1").await;
        b.eventually("one event left", |b| async move {
            b.texts("#peek-events li").await.len() == 1
        })
        .await;
        // Done: the console ended the peek, its rule and queue are gone.
        let left = testkit::app::temporary_rules(&sdk, "orders").await;
        assert!(left.is_empty(), "{left:?}");
        let queues = sqs
            .list_queues()
            .queue_name_prefix("rewind-peek-")
            .send()
            .await
            .expect("queues");
        assert!(queues.queue_urls().is_empty(), "{queues:?}");
    })
    .await;
}

/// A 680 KB event (EventBridge carries 1 MB since January 2026) arrives through a peek:
/// listed with its size, its JSON laid out only once opened.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_event_is_listed_collapsed_with_its_size() {
    let app = spawn_app_with(Emulator::Ministack, |s| s.static_dir = dist()).await;
    let bus = app.create_bus("orders").await;
    app.create_archive("orders-all", &bus, json!({})).await;
    app.put_order_events("orders", 1).await;
    let detail = testkit::seed::large_order_detail(testkit::seed::LARGE_EVENT_LINES);
    assert!(detail.len() > 600_000, "{}", detail.len());
    app.put_event("orders", "OrderImported", detail).await;
    app.in_browser("peek-large-event", move |b| async move {
        b.open("/archives/orders-all/peek", "Peek into orders-all")
            .await;
        b.set_value("Start time", &utc_minute(-5)).await;
        b.set_value("End time", &utc_minute(1)).await;
        b.click(b.button("Start peek").await).await;
        b.wait_text(".card", "Done: 2 events.").await;
        b.wait_text("#peek-events li.large .size", "KB").await;
        let size = b.texts("#peek-events li.large .size").await;
        // "743.9 KB": the event as delivered, its envelope included.
        let kb: Vec<f64> = size
            .iter()
            .filter_map(|s| s.strip_suffix(" KB")?.parse().ok())
            .collect();
        assert!(kb.iter().any(|kb| (600.0..1000.0).contains(kb)), "{size:?}");
        // Collapsed: no JSON laid out until it is opened.
        assert!(b.texts("#peek-events pre").await.is_empty());
        b.click(b.find(Locator::Css("#peek-events li.large summary")).await)
            .await;
        b.wait_text("#peek-events li.large pre", "o-bulk-import")
            .await;
    })
    .await;
}
