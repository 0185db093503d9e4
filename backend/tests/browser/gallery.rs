//! Screenshots of every page, light and dark, on demo-like data, for review
//! (`target/browser-screenshots/gallery-*.png`). Each page must render its heading.

use serde_json::json;
use testkit::app::{Emulator, spawn_app_serving};
use testkit::console::{Browser, Theme, dist, with_browser};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_in_both_themes() {
    let app = spawn_app_serving(Emulator::Ministack, &dist()).await;
    let bus = app.create_bus("orders").await;
    app.create_archive(
        "orders-all",
        &bus,
        json!({"description": "Every order event"}),
    )
    .await;
    let archive = app
        .create_archive("orders-created", &bus, json!({"retentionDays": 30, "eventPattern": r#"{"source":["shop.orders"],"detail-type":["OrderCreated"]}"#}))
        .await;
    let started = app
        .post("/api/replays", &json!({
            "replayName": "orders-backfill", "eventSourceArn": archive,
            "eventStartTime": testkit::app::minutes_from_now(-60), "eventEndTime": testkit::app::minutes_from_now(0),
            "destination": {"arn": bus},
        }))
        .await;
    assert_eq!(started.status, 201, "{}", started.body);
    let job = app
        .post("/api/replay-jobs", &json!({
            "jobName": "orders-paced", "eventSourceArn": archive,
            "description": "Paced: 15-minute slices an hour apart",
            "eventStartTime": testkit::app::minutes_from_now(-120), "eventEndTime": testkit::app::minutes_from_now(0),
            "destination": {"arn": bus},
            "pacing": {"sliceMinutes": 15, "gapSeconds": 3600},
        }))
        .await;
    assert_eq!(job.status, 201, "{}", job.body);

    let pages = [
        ("archives", "/archives", "Archives"),
        ("archive", "/archives/orders-created", "orders-created"),
        (
            "peek",
            "/archives/orders-created/peek",
            "Peek into orders-created",
        ),
        ("create-archive", "/archives/new", "Create archive"),
        ("replays", "/replays", "Replays"),
        ("replay", "/replays/orders-backfill", "orders-backfill"),
        (
            "start-replay",
            "/replays/new?archive=orders-created",
            "Start replay",
        ),
        ("jobs", "/jobs", "Replay jobs"),
        ("job", "/jobs/orders-paced", "orders-paced"),
        ("not-found", "/nowhere", "Page not found"),
    ];
    for theme in [Theme::Light, Theme::Dark] {
        for (name, path, heading) in pages {
            let suffix = if theme == Theme::Dark {
                "dark"
            } else {
                "light"
            };
            with_browser(
                &app.address,
                &format!("gallery-{name}-{suffix}"),
                theme,
                move |b: Browser| async move {
                    b.goto(path).await;
                    b.wait_heading(heading).await;
                    // Let resources settle (tables, pickers) before the screenshot.
                    b.eventually("loading to finish", |b| async move {
                        b.texts(".loading").await.is_empty()
                    })
                    .await;
                },
            )
            .await;
        }
    }
}
