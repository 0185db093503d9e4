//! The Now page and the on-call details around it, in the browser: slots held by a job
//! (a team's share) and a paused job waiting, a peek's queue alive (ministack); a running
//! replay holding a slot, named on hover and to keyboard focus (STAND-IN: only it shows a
//! RUNNING replay); a job's slices labelled, its Cancel in the danger zone, the rest of
//! its window handed to Start replay; the dark theme's danger button contrast (WCAG AA).
//! Screenshots: `now-light.png`, `now-dark.png`, `now-slot-standin.png`, `job-danger-dark.png`.

use serde_json::{Value, json};
use std::time::Duration;
use testkit::app::{Emulator, Operation, TestApp, job_body, spawn_app_with, teams};
use testkit::console::{Browser, Theme, dist, with_browser};
use testkit::standin::{Script, spawn_with_standin};

/// A 60-minute window ending on the next whole minute.
fn window() -> (String, String) {
    let now = time::OffsetDateTime::now_utc();
    let end = now.replace_second(0).unwrap_or(now) + time::Duration::minutes(1);
    let end = end.replace_nanosecond(0).unwrap_or(end);
    (
        shared::timestamp::format(end - time::Duration::minutes(60)),
        shared::timestamp::format(end),
    )
}

/// Reads job `name` until `done` (60 s at most).
async fn job_until(app: &TestApp, name: &str, done: impl Fn(&Value) -> bool) -> Value {
    let timing = (Duration::from_secs(60), Duration::from_millis(250));
    app.read_until(Operation::DescribeReplayJob, &[name], timing, done)
        .await
}

/// Team shop (bus orders, 3 slots): job `now-a` paused after its first slice, `now-b`
/// waiting between slices (a slot), a peek of orders-all open.
async fn shop(app: &TestApp) {
    let bus = app.create_bus("orders").await;
    let archive = app.create_archive("orders-all", &bus, json!({})).await;
    app.put_order_events("orders", 3).await;
    for name in ["now-a", "now-b"] {
        let body = job_body(name, &archive, &bus, window(), (30, 3600));
        let reply = app.call(Operation::StartReplayJob, &[], Some(&body)).await;
        assert_eq!(reply.status, 201, "{}", reply.body);
    }
    job_until(app, "now-a", |j| j["slices"][0]["state"] == "COMPLETED").await;
    job_until(app, "now-b", |j| j["slices"][0]["state"] == "COMPLETED").await;
    let paused = app
        .call(Operation::PauseReplayJob, &["now-a"], Some(&json!({})))
        .await;
    assert_eq!(paused.body["state"], "PAUSED", "{}", paused.body);
    let peek = json!({
        "eventStartTime": testkit::app::minutes_from_now(-10),
        "eventEndTime": testkit::app::minutes_from_now(1),
    });
    let reply = app
        .call(Operation::StartPeek, &["orders-all"], Some(&peek))
        .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
}

/// The slot cell `css` is named `starts` to a screen reader and on hover, and takes focus.
async fn assert_slot(b: &Browser, css: &str, starts: &str) {
    let slot = b.find(fantoccini::Locator::Css(css)).await;
    let attr = |name: &'static str| {
        let slot = slot.clone();
        async move { slot.attr(name).await.ok().flatten() }
    };
    let name = attr("aria-label").await.unwrap_or_default();
    assert!(name.starts_with(starts), "{name}");
    assert_eq!(attr("title").await, Some(name));
    assert_eq!(attr("tabindex").await.as_deref(), Some("0"));
}

/// WCAG's contrast ratio of the first `css` element's text on its background.
async fn contrast(b: &Browser, css: &str) -> f64 {
    let script = r#"
        const el = document.querySelector(arguments[0]);
        const rgb = (c) => c.match(/[\d.]+/g).slice(0, 3).map(Number);
        const lum = ([r, g, b]) => {
            const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
            return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
        };
        const style = getComputedStyle(el);
        const [a, b] = [lum(rgb(style.color)), lum(rgb(style.backgroundColor))].sort((x, y) => y - x);
        return (a + 0.05) / (b + 0.05);
    "#;
    b.client
        .execute(script, vec![json!(css)])
        .await
        .expect("contrast")
        .as_f64()
        .expect("a ratio")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn now_shows_a_teams_share_what_waits_and_what_is_alive_and_a_job_ends_in_its_danger_zone() {
    let app = spawn_app_with(Emulator::Ministack, |s| {
        s.static_dir = dist();
        s.roles.teams = Some(teams("shop=orders"));
        s.local_teams = vec!["shop".to_owned()];
        s.team_max_active_replays = 3;
    })
    .await;
    shop(&app).await;
    for (theme, name) in [(Theme::Light, "now-light"), (Theme::Dark, "now-dark")] {
        with_browser(&app.address, name, theme, |b: Browser| async move {
            b.open("/", "Now").await;
            b.wait_text("#waiting-title + table", "now-a").await;
            b.wait_text("#waiting-title + table", "PAUSED").await;
            b.wait_text("#waiting-title + table", "Paused by local at ")
                .await;
            b.wait_text(".shares", "shop 1 of 3").await;
            let share = b
                .find(fantoccini::Locator::Css(".shares [role=meter]"))
                .await;
            assert_eq!(
                share.attr("aria-label").await.ok().flatten().as_deref(),
                Some("Team shop: 1 of 3 replay slots in use")
            );
            assert_eq!(b.texts("ol.slots li").await.len(), 10, "ten slots");
            b.wait_text("#temporary-title + table", "a peek of orders-all")
                .await;
            let now_link = b
                .find(fantoccini::Locator::XPath(
                    "//nav[@aria-label='Main']/a[normalize-space()='Now']",
                ))
                .await;
            assert_eq!(
                now_link
                    .attr("aria-current")
                    .await
                    .ok()
                    .flatten()
                    .as_deref(),
                Some("page")
            );
        })
        .await;
    }

    // The paused job's page: labelled slices, Cancel at the end, and after it the rest of
    // the window handed to Start replay.
    with_browser(
        &app.address,
        "job-danger-dark",
        Theme::Dark,
        move |b: Browser| async move {
            b.open("/jobs/now-a", "now-a").await;
            b.eventually("each slice labelled with its event time", |b| async move {
                let ranges = b.texts(".timeline .slice-range").await;
                ranges.len() == 2 && ranges.iter().all(|r| r.contains('–'))
            })
            .await;
            let marks = b.texts(".timeline .slice").await;
            assert_eq!(marks, ["✓", "·"], "completed, then never run");
            b.wait_text(".danger-zone", "Danger zone").await;
            let ratio = contrast(&b, ".danger-zone button.danger").await;
            assert!(
                ratio >= 4.5,
                "the dark danger button's contrast is {ratio:.2}:1"
            );
            let heads = b.texts(".page-head .actions button").await;
            assert!(
                !heads.iter().any(|t| t == "Cancel job"),
                "Cancel beside the everyday actions: {heads:?}"
            );
            b.click(b.button("Cancel job").await).await;
            b.type_into("Type now-a to confirm", "now-a").await;
            b.click(b.dialog_button("Cancel job").await).await;
            // A cancel is recorded by the job's run: CANCELLING first, then CANCELLED.
            let api = format!("{}/api/replay-jobs/now-a", b.base);
            let mut cancelled = false;
            for _ in 0..240 {
                if testkit::console::fetch_json(&api).await["state"] == "CANCELLED" {
                    cancelled = true;
                    break;
                }
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
            assert!(cancelled, "the job was not cancelled within a minute");
            b.open("/jobs/now-a", "now-a").await;
            b.click(b.button("Replay the rest of its window…").await)
                .await;
            b.wait_heading("Start replay").await;
            let job = testkit::console::fetch_json(&api).await;
            let rest = job["slices"][1]["eventStartTime"]
                .as_str()
                .unwrap_or_default()
                .chars()
                .take(19)
                .collect::<String>();
            assert_eq!(rest.len(), 19, "{job}");
            let end: String = job["eventEndTime"]
                .as_str()
                .unwrap_or_default()
                .chars()
                .take(19)
                .collect();
            // From the first slice that did not complete (or, as for any replay, from
            // when the archive began, if later) to the job's end.
            b.eventually("the rest of the window filled in", move |b| {
                let (rest, end) = (rest.clone(), end.clone());
                async move {
                    let start = b.value_of("Start time").await;
                    start.len() == 19 && start >= rest && b.value_of("End time").await == end
                }
            })
            .await;
            assert_eq!(b.value_of("Archive").await, "orders-all");
        },
    )
    .await;
}

/// The stand-in's RUNNING replay `running` of orders-all and a peek's replay hold two of
/// the account's slots: each cell names its holder on hover (title) and to a keyboard or
/// screen reader (focusable, accessible name), and the holders' table links them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn standin_a_running_replay_is_named_in_its_slot() {
    let script = Script {
        also_running: vec!["rewind-peek-0123456789abcdef"],
        ..Script::default()
    };
    let (app, _) = spawn_with_standin(script, |s| {
        s.static_dir = dist();
        s.roles.teams = Some(teams("orders=orders"));
        s.local_teams = vec!["orders".to_owned()];
        s.team_max_active_replays = 4;
    })
    .await;
    app.in_browser("now-slot-standin", |b| async move {
        b.open("/", "Now").await;
        b.wait_text(".meter", "2 of the account's 10 replay slots in use")
            .await;
        assert_slot(
            &b,
            "ol.slots li.held",
            "Slot 1: replay running, team orders, started ",
        )
        .await;
        b.wait_text("#slots-title ~ table", "running").await;
        assert_slot(
            &b,
            "ol.slots li.held.peek",
            "Slot 2: peek rewind-peek-0123456789abcdef, team orders, started ",
        )
        .await;
        b.wait_text("#slots-title ~ table", "a peek of orders-all")
            .await;
        b.wait_text(".shares", "orders 2 of 4").await;
        // What the stand-in does not speak is said, and the rest still shown.
        b.wait_text(".banner.warn", "could not be read").await;
    })
    .await;
}
