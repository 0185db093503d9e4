//! Replay jobs in the browser: a paced replay started from the form runs to the end on
//! its page; another job is paused, resumed and cancelled from its page. (ministack's
//! Step Functions waits at 1/100 of the time: a 3,600 s gap is 36 s.)

use serde_json::json;
use testkit::app::{Emulator, Operation, TestApp, job_body, minutes_from_now, spawn_app_with};
use testkit::console::dist;

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
    let app = spawn_app_with(Emulator::Ministack, |s| s.static_dir = dist()).await;
    orders(&app).await;
    app.in_browser("job-completed", move |b| async move {
        b.open_start_replay("orders-all").await;
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
        b.open("/jobs", "Replay jobs").await;
        b.wait_text("table", "browser-job").await;
        b.goto("/replays").await;
        b.wait_text(".tag", "slice of job browser-job").await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_is_paused_resumed_and_cancelled_from_its_page() {
    let app = spawn_app_with(Emulator::Ministack, |s| s.static_dir = dist()).await;
    let (bus, archive) = orders(&app).await;
    let created = app
        .call(
            Operation::StartReplayJob,
            &[],
            Some(&job_body(
                "steady-job",
                &archive,
                &bus,
                (minutes_from_now(-60), minutes_from_now(-1)),
                (15, 3600),
            )),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    app.in_browser("job-cancelled", move |b| async move {
        b.open("/jobs/steady-job", "steady-job").await;
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
    })
    .await;
}
