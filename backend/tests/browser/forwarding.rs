//! Forwarding from the Start replay form, as an admin: the receiving bus's preview beside
//! the form, then the replay, whose events reach the staging bus's queue.

use serde_json::json;
use testkit::app::{Emulator, Operation, SHOP_ORDERS, SHOP_ORDERS_NOT_REPLAYED, spawn_app_with};
use testkit::console::{Browser, dist};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_forwards_a_replay_to_the_staging_bus_from_the_form() {
    let app = spawn_app_with(Emulator::Ministack, |s| s.static_dir = dist()).await;
    let bus = app.create_bus("orders").await;
    app.create_rule("orders", "order-events", SHOP_ORDERS).await;
    app.create_archive("orders-all", &bus, json!({})).await;
    let staging = app.create_bus("orders-staging").await;
    app.create_rule(
        "orders-staging",
        "staging-no-replays",
        SHOP_ORDERS_NOT_REPLAYED,
    )
    .await;
    let form = |b: Browser, staging: String| async move {
        b.open_start_replay("orders-all").await;
        b.type_into("Name", "browser-forward").await;
        b.click(b.choice("Forward to another bus").await).await;
        b.type_into("Receiving bus (ARN)", &staging).await;
        b.wait_text("#replay-preview", "On orders-staging").await;
        b.wait_text("#replay-preview", "staging-no-replays").await;
        b.wait_text(".warnings", "never capture").await;
        // The headline is the end-to-end answer: who on the receiving bus gets them (its
        // one rule opts out of replays), and that no rule of the source bus does.
        b.wait_text(
            ".preview-totals",
            "0 rules and 0 targets on orders-staging receive the forwarded events; no rule of orders does.",
        )
        .await;
        b
    };
    let to = staging.clone();
    app.in_browser("forward-preview", move |b| async move {
        let b = form(b, to).await;
        b.scroll_to("#replay-preview").await;
    })
    .await;
    let to = staging.clone();
    app.in_browser("forward-started", move |b| async move {
        let b = form(b, to.clone()).await;
        b.click(b.button("Start replay").await).await;
        b.wait_heading("browser-forward").await;
        b.wait_text(".badge", "COMPLETED").await;
        // The preview's end-to-end answer, kept once the forward rule is gone.
        let want = format!("bus {to} (its rules that match)");
        b.eventually("the forward rule gone", move |b| {
            let want = want.clone();
            async move {
                b.open("/replays/browser-forward", "browser-forward").await;
                b.detail("Sent to").await == want
            }
        })
        .await;
    })
    .await;
    let replay = app
        .call(Operation::DescribeReplay, &["browser-forward"], None)
        .await;
    assert_eq!(replay.status, 200, "{}", replay.body);
    let filter = replay.body["destination"]["filterArns"][0]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(filter.contains(":rule/orders/rewind-"), "{}", replay.body);
    assert!(app.temporary_rules("orders").await.is_empty());
}
