//! Custom buses (EventBridge v2) in the browser: the backend against the v2 stand-in
//! (`testkit::eventsv2`, served by this test) with ministack behind it for the
//! subscribers' SQS targets. The Custom buses list, a bus's page with its subscribers,
//! and a replay to subscribers from the form through its page, paused, resumed and
//! stopped with the dialog; each page saved light and dark
//! (`target/browser-screenshots/v2-*.png`).

use serde_json::{Value, json};
use shared::roles::Role;
use std::time::Duration;
use testkit::app::{Emulator, Operation, TestApp, minutes_from_now, spawn_app_with};
use testkit::console::{Browser, Theme, dist, with_browser};
use testkit::custom_bus::{
    client, create_bus, create_subscriber, put_order_events, spawn_app_with_v2,
};
use testkit::eventsv2::EventsV2;

const BUS: &str = "orders-v2";

/// The app against ministack and a v2 stand-in whose subscribers advance every `tick`
/// (an hour: a replay stays RUNNING, to be paused, resumed and stopped), serving the
/// console.
async fn app_with_v2(tick: Duration) -> (TestApp, EventsV2) {
    spawn_app_with_v2(tick, |s| s.static_dir = dist()).await
}

/// What [`seed`] made: the bus's ARN and its subscribers' (billing, audit, the revoked
/// partner-feed).
struct Seeded {
    bus_arn: String,
    billing: String,
    audit: String,
}

/// Two buses: `orders-v2` (7 days) with the subscribers billing (filtered), audit and
/// partner-feed (revoked) and a few order events; `search-v2` (30 days) with none.
async fn seed(app: &TestApp, standin: &EventsV2) -> Seeded {
    let v2 = client(standin.endpoint());
    let bus_arn = create_bus(&v2, BUS, 7, "Order events, kept a week").await;
    create_bus(&v2, "search-v2", 30, "Search index updates").await;
    let (_, billing_queue) = app.create_queue("billing-queue").await;
    let (_, audit_queue) = app.create_queue("audit-queue").await;
    let pattern = r#"{"source":["shop.orders"],"detail-type":["OrderCreated","OrderPaid"]}"#;
    let billing = create_subscriber(&v2, &bus_arn, "billing", &billing_queue, Some(pattern)).await;
    let audit = create_subscriber(&v2, &bus_arn, "audit", &audit_queue, None).await;
    let partner = create_subscriber(&v2, &bus_arn, "partner-feed", &audit_queue, None).await;
    v2.revoke_resource()
        .arn(&partner)
        .send()
        .await
        .expect("revoke partner-feed");
    put_order_events(&v2, &bus_arn, 5).await;
    // The service takes whole seconds: a window from the second after the bus began
    // keeping events must end a second later at least.
    tokio::time::sleep(Duration::from_secs(2)).await;
    Seeded {
        bus_arn,
        billing,
        audit,
    }
}

/// Starts v2 replay `name` of every event `orders-v2` keeps, to billing and audit.
async fn start_replay(app: &TestApp, seeded: &Seeded, name: &str) -> Value {
    let buses = app.call(Operation::ListV2EventBuses, &[], None).await;
    let kept = buses.body["eventBuses"]
        .as_array()
        .and_then(|all| all.iter().find(|b| b["name"] == BUS))
        .and_then(|b| b["retentionWindowStartTime"].as_str())
        .and_then(|t| shared::timestamp::parse(t).ok())
        .expect("orders-v2 and since when it keeps events");
    // The service takes whole seconds: the next one after the oldest event kept.
    let from = kept.replace_nanosecond(0).expect("whole seconds") + time::Duration::seconds(1);
    let body = json!({
        "replayName": name,
        "description": "Billing missed the morning's orders",
        "eventBusArn": seeded.bus_arn,
        "subscriberArns": [seeded.billing, seeded.audit],
        "eventStartTime": shared::timestamp::format(from),
        "eventEndTime": minutes_from_now(0),
    });
    let started = app.call(Operation::StartV2Replay, &[], Some(&body)).await;
    assert_eq!(started.status, 201, "{}", started.body);
    started.body
}

/// Every answer the stand-in gave fitted the service model.
fn no_violations(standin: &EventsV2) {
    let violations = standin.violations();
    assert!(violations.is_empty(), "{violations:?}");
}

fn suffix(theme: Theme) -> &'static str {
    match theme {
        Theme::Light => "light",
        Theme::Dark => "dark",
    }
}

/// A window tall enough for the whole page in the screenshot.
async fn tall(b: &Browser) {
    b.client
        .set_window_size(1280, 1800)
        .await
        .expect("resize the window");
}

/// Waits until nothing on the page says it is loading.
async fn settled(b: &Browser) {
    b.eventually("loading to finish", |b| async move {
        b.texts(".loading").await.is_empty()
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_custom_buses_and_a_bus_with_its_subscribers_in_both_themes() {
    let (app, standin) = app_with_v2(Duration::from_secs(3600)).await;
    seed(&app, &standin).await;
    for theme in [Theme::Light, Theme::Dark] {
        with_browser(
            &app.address,
            &format!("v2-custom-buses-{}", suffix(theme)),
            theme,
            |b: Browser| async move {
                b.open("/custom-buses", "Custom buses").await;
                b.wait_text("table", BUS).await;
                let rows = b.texts("table tbody tr").await;
                let orders = rows.iter().find(|r| r.contains(BUS)).expect("orders-v2");
                assert!(orders.contains("7 days"), "{orders}");
                assert!(
                    rows.iter()
                        .any(|r| r.contains("search-v2") && r.contains("30 days"))
                );
                // No replay yet: the second list says what one is.
                b.wait_text("#v2-replays .empty", "No v2 replay yet").await;
                // The navigation marks where the reader is.
                assert_eq!(
                    b.texts("header.top nav a[aria-current=page]").await,
                    ["Custom buses"]
                );
                settled(&b).await;
            },
        )
        .await;
        with_browser(
            &app.address,
            &format!("v2-bus-{}", suffix(theme)),
            theme,
            |b: Browser| async move {
                b.open("/custom-buses", "Custom buses").await;
                b.click(b.button(BUS).await).await;
                b.wait_heading(BUS).await;
                assert_eq!(b.detail("Retention").await, "7 days");
                assert!(b.detail("Events kept since").await.ends_with("UTC"));
                b.wait_text("table", "billing").await;
                let rows = b.texts("table tbody tr").await;
                let billing = rows
                    .iter()
                    .find(|r| r.contains("billing"))
                    .expect("billing");
                assert!(billing.contains("shop.orders"), "{billing}");
                assert!(billing.contains("billing-queue"), "{billing}");
                let partner = rows
                    .iter()
                    .find(|r| r.contains("partner-feed"))
                    .expect("partner");
                assert!(partner.contains("revoked"), "{partner}");
                assert!(b.is_enabled("Replay to subscribers").await);
                settled(&b).await;
            },
        )
        .await;
    }
    no_violations(&standin);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replay_to_subscribers_is_started_paused_resumed_and_stopped() {
    let (app, standin) = app_with_v2(Duration::from_secs(3600)).await;
    let seeded = seed(&app, &standin).await;
    // A name already taken, to see the server's error land under Name.
    start_replay(&app, &seeded, "taken").await;
    app.in_browser("v2-replay-stopped", move |b| async move {
        b.open(&format!("/custom-buses/{BUS}"), BUS).await;
        b.click(b.button("Replay to subscribers").await).await;
        b.wait_heading("Replay to subscribers").await;
        b.eventually("the bus to be chosen", |b| async move {
            b.value_of("Event bus").await == BUS
        })
        .await;
        assert!(b.value_of("Name").await.starts_with("orders-v2-"));
        // The revoked subscriber is listed, not selectable; nothing is chosen yet.
        b.wait_text("fieldset", "partner-feed").await;
        let revoked = b.choice("partner-feed").await;
        assert!(
            !revoked.is_enabled().await.unwrap(),
            "partner-feed can be ticked"
        );
        b.wait_text(".why", "Choose at least one subscriber").await;
        assert!(!b.is_enabled("Start replay").await);
        b.click(b.choice("billing").await).await;
        b.click(b.choice("audit").await).await;
        b.wait_text(
            ".v2-summary",
            "2 temporary subscribers rewind-… will read orders-v2",
        )
        .await;
        // The server refuses a name in use: under Name, and nothing typed is lost.
        b.type_into("Name", "taken").await;
        b.click(b.button("Start replay").await).await;
        b.wait_text("#replay-name-error", "already exists").await;
        assert_eq!(b.value_of("Name").await, "taken");
        assert!(b.choice("billing").await.is_selected().await.unwrap());
        b.type_into("Name", "fix-orders").await;
        b.click(b.button("Start replay").await).await;

        b.wait_heading("fix-orders").await;
        b.wait_text(".badge", "RUNNING").await;
        assert_eq!(b.detail("Event bus").await, BUS);
        b.wait_text("table", "billing").await;
        b.wait_text("table", "rewind-").await;
        b.wait_text(".delivery", "Delivery").await;
        b.click(b.button("Pause").await).await;
        b.wait_text(".page-head .badge", "PAUSED").await;
        assert!(b.texts("button").await.iter().all(|t| t != "Pause"));
        b.click(b.button("Resume").await).await;
        b.wait_text(".page-head .badge", "RUNNING").await;
        // The bus's page marks the copies as this replay's.
        b.open(&format!("/custom-buses/{BUS}"), BUS).await;
        b.wait_text(".tag", "temporary — replay fix-orders").await;
        b.click(b.button("temporary — replay fix-orders").await)
            .await;
        b.wait_heading("fix-orders").await;
        // Stop: confirmed by typing the name; then the replay is gone.
        b.click(b.button("Stop replay").await).await;
        b.wait_text("[role=dialog]", "Events already delivered stay delivered")
            .await;
        b.type_into("Type fix-orders to confirm", "fix-orders")
            .await;
        b.click(b.dialog_button("Stop replay").await).await;
        b.wait_text("[role=alert]", "There is no v2 replay named fix-orders")
            .await;
        assert!(b.texts("a").await.iter().any(|t| t == "Back to v2 replays"));
    })
    .await;
    // Both themes: the form filled in, the replay's page, and the stop dialog.
    for theme in [Theme::Light, Theme::Dark] {
        with_browser(
            &app.address,
            &format!("v2-replay-form-{}", suffix(theme)),
            theme,
            |b: Browser| async move {
                b.open(
                    &format!("/v2-replays/new?bus={BUS}"),
                    "Replay to subscribers",
                )
                .await;
                b.wait_text("fieldset", "billing").await;
                b.click(b.choice("billing").await).await;
                b.type_into("Description", "Billing missed the morning's orders")
                    .await;
                b.wait_text(".v2-summary", "1 temporary subscriber rewind-…")
                    .await;
                settled(&b).await;
                tall(&b).await;
            },
        )
        .await;
        with_browser(
            &app.address,
            &format!("v2-replay-{}", suffix(theme)),
            theme,
            |b: Browser| async move {
                b.open("/v2-replays/taken", "taken").await;
                b.wait_text(".page-head .badge", "RUNNING").await;
                b.wait_text("table", "audit").await;
                b.wait_text(".delivery", "AWS/EventsV2").await;
                settled(&b).await;
                tall(&b).await;
            },
        )
        .await;
        with_browser(
            &app.address,
            &format!("v2-bus-with-copies-{}", suffix(theme)),
            theme,
            |b: Browser| async move {
                b.open(&format!("/custom-buses/{BUS}"), BUS).await;
                b.wait_text(".tag", "temporary — replay taken").await;
                settled(&b).await;
                tall(&b).await;
            },
        )
        .await;
        with_browser(
            &app.address,
            &format!("v2-replay-stop-dialog-{}", suffix(theme)),
            theme,
            |b: Browser| async move {
                b.open("/v2-replays/taken", "taken").await;
                b.click(b.button("Stop replay").await).await;
                b.type_into("Type taken to confirm", "tak").await;
            },
        )
        .await;
    }
    // The list below the buses shows what is left.
    with_browser(
        &app.address,
        "v2-replays-list-light",
        Theme::Light,
        |b: Browser| async move {
            b.open("/custom-buses", "Custom buses").await;
            b.wait_text("#v2-replays table", "taken").await;
            assert!(b.texts("#v2-replays table").await[0].contains(BUS));
            b.scroll_to("#v2-replays").await;
        },
    )
    .await;
    no_violations(&standin);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_bus_yet_no_service_and_a_viewer_who_may_only_look() {
    // No Custom Event Bus yet: both lists say what they would hold.
    let (app, standin) = app_with_v2(Duration::from_secs(3600)).await;
    for theme in [Theme::Light, Theme::Dark] {
        with_browser(
            &app.address,
            &format!("v2-custom-buses-empty-{}", suffix(theme)),
            theme,
            |b: Browser| async move {
                b.open("/custom-buses", "Custom buses").await;
                b.wait_text(".empty", "No Custom Event Buses yet").await;
                b.wait_text("#v2-replays .empty", "No v2 replay yet").await;
                settled(&b).await;
            },
        )
        .await;
    }
    // A viewer sees the bus and the replay, and may change neither.
    let seeded = seed(&app, &standin).await;
    start_replay(&app, &seeded, "orders-fix").await;
    // Paused, so its state holds still while the viewer looks: a running replay of a
    // window with nothing left to deliver completes within seconds.
    let paused = app
        .call(Operation::PauseV2Replay, &["orders-fix"], Some(&json!({})))
        .await;
    assert_eq!(paused.status, 200, "{}", paused.body);
    let v2_endpoint = standin.endpoint().to_owned();
    let viewer = app
        .another(|s| {
            s.eventbridgev2_endpoint = Some(v2_endpoint);
            s.static_dir = dist();
            s.local_role = Role::Viewer;
        })
        .await;
    viewer
        .in_browser("v2-replay-viewer", |b| async move {
            b.open(&format!("/custom-buses/{BUS}"), BUS).await;
            b.wait_text(".role-note", "").await;
            assert!(!b.is_enabled("Replay to subscribers").await);
            b.open("/v2-replays/orders-fix", "orders-fix").await;
            b.wait_text(".page-head .badge", "PAUSED").await;
            b.eventually("the role to be known", |b| async move {
                !b.is_enabled("Resume").await
            })
            .await;
            assert!(!b.is_enabled("Stop replay").await);
            settled(&b).await;
        })
        .await;
    // Without the v2 service the page says what failed.
    let classic = spawn_app_with(Emulator::Ministack, |s| s.static_dir = dist()).await;
    classic
        .in_browser("v2-custom-buses-unreachable", |b| async move {
            b.open("/custom-buses", "Custom buses").await;
            b.wait_text("[role=alert]", "Something went wrong").await;
            settled(&b).await;
        })
        .await;
}
