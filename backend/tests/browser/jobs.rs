//! Replay jobs in the browser: a paced replay started from the form runs to the end on
//! its page; another job is paused, resumed and cancelled from its page. (ministack's
//! Step Functions waits at 1/100 of the time: a 3,600 s gap is 36 s.)

use serde_json::json;
use testkit::app::{Emulator, TestApp, spawn_app_serving};
use testkit::console::{Browser, Theme, dist, with_browser};

async fn orders(app: &TestApp) -> (String, String) {
    let bus = app.create_bus("orders").await;
    let pattern = json!({"source": ["shop.orders"]}).to_string();
    app.create_rule("orders", "order-events", &pattern).await;
    let archive = app.create_archive("orders-all", &bus, json!({})).await;
    app.put_order_events("orders", 4).await;
    (bus, archive)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_paced_replay_started_from_the_form_runs_to_the_end_on_its_page() {
    let app = spawn_app_serving(Emulator::Ministack, &dist()).await;
    orders(&app).await;
    with_browser(
        &app.address,
        "job-completed",
        Theme::Light,
        move |b: Browser| async move {
            b.goto("/replays/new?archive=orders-all").await;
            b.wait_heading("Start replay").await;
            b.eventually("the archive to be chosen", |b| async move {
                b.value_of("Archive").await == "orders-all"
            })
            .await;
            b.type_into("Name", "browser-job").await;
            b.click(b.choice("Pace this replay").await).await;
            b.type_into("Slice length (minutes)", "30").await;
            b.type_into("Gap between slices (seconds)", "0").await;
            // The archive is new, so the window starts at its creation: one slice.
            b.wait_text(".hint", "1 slice of 30 min").await;
            b.click(b.button("Start paced replay").await).await;

            b.wait_heading("browser-job").await;
            b.wait_text(".badge", "COMPLETED").await;
            b.eventually("progress 100 %", |b| async move {
                b.progress().await.as_deref() == Some("100")
            })
            .await;
            assert_eq!(b.texts(".timeline .slice.good").await.len(), 1);
            assert!(
                b.detail("Pacing")
                    .await
                    .contains("Slices of 30 min, 0 s apart")
            );
            // A completed job offers no pause, resume or cancel.
            let buttons = b.texts("button").await;
            for gone in ["Pause", "Resume", "Cancel job"] {
                assert!(
                    buttons.iter().all(|t| t != gone),
                    "{gone} offered: {buttons:?}"
                );
            }
            // The Jobs page lists it, and its slices are marked in the Replays list.
            b.goto("/jobs").await;
            b.wait_heading("Replay jobs").await;
            b.wait_text("table", "browser-job").await;
            b.goto("/replays").await;
            b.wait_text(".tag", "slice of job browser-job").await;
        },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_is_paused_resumed_and_cancelled_from_its_page() {
    let app = spawn_app_serving(Emulator::Ministack, &dist()).await;
    let (bus, archive) = orders(&app).await;
    let created = app
        .post(
            "/api/replay-jobs",
            &json!({
                "jobName": "steady-job", "eventSourceArn": archive,
                "eventStartTime": testkit::app::minutes_from_now(-60),
                "eventEndTime": testkit::app::minutes_from_now(-1),
                "destination": {"arn": bus},
                "pacing": {"sliceMinutes": 15, "gapSeconds": 3600},
            }),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    with_browser(
        &app.address,
        "job-cancelled",
        Theme::Light,
        move |b: Browser| async move {
            b.goto("/jobs/steady-job").await;
            b.wait_heading("steady-job").await;
            // The first slice completes, then the job waits out its gap.
            b.eventually("the first slice done", |b| async move {
                b.texts(".timeline .slice.good").await.len() == 1
            })
            .await;
            b.click(b.button("Pause").await).await;
            b.wait_text(".badge", "PAUSED").await;
            assert!(b.texts("button").await.iter().all(|t| t != "Pause"));
            b.click(b.button("Resume").await).await;
            b.eventually("running again", |b| async move {
                b.texts(".badge")
                    .await
                    .iter()
                    .any(|t| t == "RUNNING" || t == "QUEUED")
            })
            .await;
            b.click(b.button("Cancel job").await).await;
            b.type_into("Type steady-job to confirm", "steady-job")
                .await;
            b.click(b.dialog_button("Cancel job").await).await;
            b.wait_text(".badge", "CANCELLED").await;
            assert!(b.texts("button").await.iter().all(|t| t != "Resume"));
        },
    )
    .await;
}
