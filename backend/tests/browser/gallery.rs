//! Screenshots of every page, light and dark, on demo-like data, for review
//! (`target/browser-screenshots/gallery-*.png`). Each page must render its heading.

use serde_json::json;
use testkit::app::{Emulator, Operation, job_body, minutes_from_now, replay_body, spawn_app_with};
use testkit::console::{Browser, Theme, dist, with_browser};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_in_both_themes() {
    let app = spawn_app_with(Emulator::Ministack, |s| s.static_dir = dist()).await;
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
    let replay = replay_body("orders-backfill", &archive, &bus, (-60, 0));
    let started = app.call(Operation::StartReplay, &[], Some(&replay)).await;
    assert_eq!(started.status, 201, "{}", started.body);
    let window = (minutes_from_now(-120), minutes_from_now(0));
    let mut paced = job_body("orders-paced", &archive, &bus, window, (15, 3600));
    paced["description"] = json!("Paced: 15-minute slices an hour apart");
    let job = app.call(Operation::StartReplayJob, &[], Some(&paced)).await;
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
                    b.open(path, heading).await;
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
