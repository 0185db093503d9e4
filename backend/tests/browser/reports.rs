//! The Delivery section in the browser, on SEEDED figures (`testkit::figures`: ministack
//! records none): per-rule totals and chart, per-target counts and errors, the caveats;
//! in both themes.

use serde_json::json;
use std::time::Duration;
use testkit::app::{Emulator, Operation, SHOP_ORDERS, replay_body, spawn_app_with};
use testkit::console::{Browser, Theme, dist, with_browser};
use testkit::figures;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_delivery_section_shows_the_seeded_figures_in_both_themes() {
    let app = spawn_app_with(Emulator::Ministack, |s| s.static_dir = dist()).await;
    let bus = app.create_bus("orders").await;
    let rule_arn = app
        .create_rule("orders", "order-created", SHOP_ORDERS)
        .await;
    let archive = app.create_archive("orders-all", &bus, json!({})).await;
    let body = replay_body("reported", &archive, &bus, (-30, -1));
    let started = app.call(Operation::StartReplay, &[], Some(&body)).await;
    assert_eq!(started.status, 201, "{}", started.body);
    let timing = (Duration::from_secs(10), Duration::from_millis(100));
    let replay = app
        .read_until(Operation::DescribeReplay, &["reported"], timing, |r| {
            r["replayStartTime"].is_string()
        })
        .await;
    let at = shared::timestamp::parse(replay["replayStartTime"].as_str().unwrap_or_default())
        .expect("the replay started");
    let endpoint = app.endpoint.clone();
    figures::metrics(
        &endpoint,
        "orders",
        "order-created",
        at,
        &[
            ("MatchedEvents", 5, 9.0),
            ("Invocations", 5, 6.0),
            ("Invocations", 65, 3.0),
            ("FailedInvocations", 65, 2.0),
        ],
    )
    .await
    .expect("seed metrics");
    figures::bus_logging(&endpoint, &app.sdk, "orders", &bus)
        .await
        .expect("bus logging");
    let queue = "arn:aws:sqs:us-east-1:000000000000:fulfilment";
    figures::bus_log_records(
        &endpoint,
        "orders",
        &[
            figures::record("INVOCATION_SUCCESS", &bus, &rule_arn, queue, at, None),
            figures::record(
                "INVOCATION_FAILURE",
                &bus,
                &rule_arn,
                queue,
                at + time::Duration::seconds(66),
                Some("AccessDenied: the queue policy refuses events.amazonaws.com"),
            ),
        ],
    )
    .await
    .expect("records");
    for (theme, name) in [
        (Theme::Light, "delivery-light"),
        (Theme::Dark, "delivery-dark"),
    ] {
        with_browser(&app.address, name, theme, move |b: Browser| async move {
            // The list says it beside COMPLETED too.
            b.open("/replays", "Replays").await;
            b.wait_text("table", "Delivery: 1 failed").await;
            b.open("/replays/reported", "reported").await;
            b.wait_text(".delivery", "9 matched · 9 invocations · 2 failed")
                .await;
            b.wait_text(".delivery", "all traffic on this rule").await;
            // The verdict beside the state: per target first.
            b.wait_text(
                ".page-head",
                "Delivery: 1 failed, figures still arriving until",
            )
            .await;
            // One minute's time and values on hover and to keyboard focus; an HH:MM axis.
            let minute = b
                .find(fantoccini::Locator::XPath(
                    "//*[name()='g' and contains(@aria-label, 'UTC: 3 invocations, 2 failures')]",
                ))
                .await;
            assert_eq!(
                minute.attr("tabindex").await.ok().flatten().as_deref(),
                Some("0")
            );
            let axis = b.texts(".delivery svg.chart text.axis").await;
            assert!(
                axis.iter().any(|t| t.len() == 5 && t.as_bytes()[2] == b':'),
                "no HH:MM label: {axis:?}"
            );
            b.wait_text(".delivery", "Figures still arriving").await;
            b.wait_text(".delivery", "1 succeeded · 1 failed").await;
            b.wait_text(".delivery", "AccessDenied: the queue policy refuses")
                .await;
            assert_eq!(b.texts(".delivery svg.chart").await.len(), 1);
            b.scroll_to(".delivery").await;
        })
        .await;
    }
}
