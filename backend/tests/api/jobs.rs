//! Replay jobs against ministack: its Step Functions runs the state machine of
//! `backend/src/jobs/replay-job.asl.json` (created there by the backend, as with every
//! local run) with real `aws-sdk:eventbridge` tasks on its own EventBridge, and its Wait
//! states scaled by `SFN_WAIT_SCALE=0.01` (testkit sets it). Replays finish at once
//! there, so a slice that runs for minutes and the account's `LimitExceeded` are shown
//! by the state derivation's unit tests (`backend/src/jobs/state.rs`) instead.

use crate::routing::{orders, replay_state, routed_body};
use serde_json::{Value, json};
use std::time::Duration;
use testkit::app::{Emulator, TestApp, minutes_from_now, spawn_app, spawn_app_with};

/// A 60-minute window ending on the next whole minute (events put now fall in it).
fn window() -> (String, String) {
    let now = time::OffsetDateTime::now_utc();
    let end = now
        .replace_second(0)
        .and_then(|t| t.replace_nanosecond(0))
        .unwrap_or(now)
        + time::Duration::minutes(1);
    let start = end - time::Duration::minutes(60);
    (
        shared::timestamp::format(start),
        shared::timestamp::format(end),
    )
}

fn job_body(name: &str, archive: &str, bus: &str, slice: i64, gap: i64) -> Value {
    let (start, end) = window();
    json!({
        "jobName": name,
        "eventSourceArn": archive,
        "eventStartTime": start,
        "eventEndTime": end,
        "destination": {"arn": bus},
        "pacing": {"sliceMinutes": slice, "gapSeconds": gap},
    })
}

/// Reads the job until `done` says so (or 60 s pass); returns the last answer.
async fn job_until(app: &TestApp, name: &str, done: impl Fn(&Value) -> bool) -> Value {
    let mut last = Value::Null;
    for _ in 0..240 {
        let reply = app.get(&format!("/api/replay-jobs/{name}")).await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        last = reply.body;
        if done(&last) {
            return last;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    panic!("job {name} never got there: {last}");
}

fn slice_states(job: &Value) -> Vec<String> {
    job["slices"]
        .as_array()
        .map(|s| {
            s.iter()
                .map(|s| s["state"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

fn time_of(value: &Value) -> time::OffsetDateTime {
    shared::timestamp::parse(value.as_str().unwrap_or_default()).expect("a timestamp")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_replays_its_window_in_slices_one_after_another() {
    let app = spawn_app(Emulator::Ministack).await;
    let (bus, archive, chosen_url) = orders(&app, 3).await;
    let _ = app.sqs().purge_queue().queue_url(&chosen_url).send().await;

    let created = app
        .post(
            "/api/replay-jobs",
            &job_body("paced", &archive, &bus, 15, 60),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(
        created
            .headers
            .get("location")
            .and_then(|v| v.to_str().ok()),
        Some("/api/replay-jobs/paced")
    );
    assert_eq!(created.body["slicesTotal"], 4);
    assert_eq!(
        created.body["pacing"],
        json!({"sliceMinutes": 15, "gapSeconds": 60})
    );
    assert_eq!(created.body["createdBy"], "local");

    let job = job_until(&app, "paced", |j| j["state"] == "COMPLETED").await;
    assert_eq!(job["slicesDone"], 4, "{job}");
    assert_eq!(job["progress"], 1.0);
    let slices = job["slices"].as_array().cloned().unwrap_or_default();
    assert_eq!(slices.len(), 4);
    // The slices tile the window exactly, and each is a replay of that window.
    assert_eq!(slices[0]["eventStartTime"], job["eventStartTime"]);
    assert_eq!(slices[3]["eventEndTime"], job["eventEndTime"]);
    for (k, slice) in slices.iter().enumerate() {
        let name = format!("paced-{:03}", k + 1);
        assert_eq!(slice["replayName"], name.as_str());
        assert_eq!(slice["state"], "COMPLETED");
        let minutes =
            (time_of(&slice["eventEndTime"]) - time_of(&slice["eventStartTime"])).whole_minutes();
        assert_eq!(minutes, 15, "{slice}");
        if k > 0 {
            assert_eq!(slice["eventStartTime"], slices[k - 1]["eventEndTime"]);
            // One after another, the gap (60 s, scaled by SFN_WAIT_SCALE) between them.
            assert!(
                time_of(&slice["replayStartTime"]) >= time_of(&slices[k - 1]["replayEndTime"]),
                "slice {k} started before slice {} ended: {job}",
                k - 1
            );
        }
        let replay = app
            .sdk
            .describe_replay()
            .replay_name(&name)
            .send()
            .await
            .expect("slice replay");
        assert_eq!(
            replay.event_start_time().map(|t| t.secs()),
            Some(time_of(&slice["eventStartTime"]).unix_timestamp())
        );
        assert_eq!(
            replay.description(),
            Some(format!("Slice {} of 4 of Rewind replay job paced", k + 1).as_str())
        );
    }
    // The list shows it, and the replays list marks the slices as the job's.
    let list = app.get("/api/replay-jobs").await;
    assert_eq!(list.status, 200, "{}", list.body);
    assert_eq!(list.body["jobs"][0]["jobName"], "paced");
    assert_eq!(list.body["jobs"][0]["state"], "COMPLETED");
    let done = app.get("/api/replay-jobs?state=COMPLETED").await;
    assert_eq!(done.body["jobs"].as_array().map(Vec::len), Some(1));
    let running = app.get("/api/replay-jobs?state=RUNNING").await;
    assert_eq!(
        running.body["jobs"].as_array().map(Vec::len),
        Some(0),
        "{}",
        running.body
    );
    let replays = app.get("/api/replays").await;
    let slice = replays.body["replays"]
        .as_array()
        .and_then(|r| r.iter().find(|r| r["replayName"] == "paced-002"))
        .cloned()
        .expect("slice listed");
    assert_eq!(slice["job"], "paced", "{slice}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pause_resume_and_cancel() {
    let app = spawn_app(Emulator::Ministack).await;
    let (bus, archive, _) = orders(&app, 1).await;
    // A 3,600 s gap (36 s scaled): the job waits between slices long enough to act.
    let created = app
        .post(
            "/api/replay-jobs",
            &job_body("steady", &archive, &bus, 15, 3600),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    job_until(&app, "steady", |j| slice_states(j)[0] == "COMPLETED").await;

    let paused = app.post("/api/replay-jobs/steady/pause", &json!({})).await;
    assert_eq!(paused.status, 200, "{}", paused.body);
    assert_eq!(paused.body["state"], "PAUSED", "{}", paused.body);
    app.post("/api/replay-jobs/steady/pause", &json!({}))
        .await
        .assert_error(409, "IllegalStatus", None);
    // No new slice while paused.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let still = app.get("/api/replay-jobs/steady").await;
    assert_eq!(still.body["state"], "PAUSED");
    assert_eq!(
        slice_states(&still.body),
        ["COMPLETED", "PENDING", "PENDING", "PENDING"]
    );
    assert!(replay_state(&app, "steady-002").await.is_empty());

    // Resume: the next slice runs.
    let resumed = app.post("/api/replay-jobs/steady/resume", &json!({})).await;
    assert_eq!(resumed.status, 200, "{}", resumed.body);
    assert!(
        matches!(resumed.body["state"].as_str(), Some("RUNNING" | "QUEUED")),
        "{}",
        resumed.body
    );
    job_until(&app, "steady", |j| slice_states(j)[1] == "COMPLETED").await;

    // Cancel: nothing more starts, and a cancelled job does not resume.
    let cancelled = app.post("/api/replay-jobs/steady/cancel", &json!({})).await;
    assert_eq!(cancelled.status, 200, "{}", cancelled.body);
    assert_eq!(cancelled.body["state"], "CANCELLED", "{}", cancelled.body);
    tokio::time::sleep(Duration::from_secs(2)).await;
    let after = app.get("/api/replay-jobs/steady").await;
    assert_eq!(after.body["state"], "CANCELLED");
    assert_eq!(
        slice_states(&after.body),
        ["COMPLETED", "COMPLETED", "PENDING", "PENDING"]
    );
    app.post("/api/replay-jobs/steady/resume", &json!({}))
        .await
        .assert_error(409, "IllegalStatus", None);
    app.post("/api/replay-jobs/steady/cancel", &json!({}))
        .await
        .assert_error(409, "IllegalStatus", None);

    // A paused job can be cancelled too: its cancel is a run of its own.
    let created = app
        .post(
            "/api/replay-jobs",
            &job_body("resting", &archive, &bus, 30, 3600),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    job_until(&app, "resting", |j| slice_states(j)[0] == "COMPLETED").await;
    assert_eq!(
        app.post("/api/replay-jobs/resting/pause", &json!({}))
            .await
            .body["state"],
        "PAUSED"
    );
    let cancelled = app
        .post("/api/replay-jobs/resting/cancel", &json!({}))
        .await;
    assert_eq!(cancelled.status, 200, "{}", cancelled.body);
    assert!(
        matches!(
            cancelled.body["state"].as_str(),
            Some("CANCELLING" | "CANCELLED")
        ),
        "{}",
        cancelled.body
    );
    let job = job_until(&app, "resting", |j| j["state"] == "CANCELLED").await;
    assert_eq!(slice_states(&job), ["COMPLETED", "PENDING"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_routed_jobs_rules_live_while_it_runs_and_are_gone_after() {
    let app = spawn_app(Emulator::Ministack).await;
    let (bus, archive, _) = orders(&app, 1).await;
    let mut body = routed_body("unused", &archive, &bus, &[("fulfil", "chosen")], None);
    let routing = body["routing"].clone();
    body = job_body("routed-job", &archive, &bus, 20, 3600);
    body["routing"] = routing;
    let created = app.post("/api/replay-jobs", &body).await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(
        created.body["routing"]["targets"],
        json!([{"rule": "fulfil", "targetId": "chosen"}])
    );
    // One temporary rule, matching every slice's replay name and no other.
    let rules = app.temporary_rules("orders").await;
    assert_eq!(rules.len(), 1, "{rules:?}");
    let pattern: Value = serde_json::from_str(&rules[0].1).expect("pattern");
    assert_eq!(
        pattern["replay-name"],
        json!(["routed-job-001", "routed-job-002", "routed-job-003"])
    );
    let job = job_until(&app, "routed-job", |j| slice_states(j)[0] == "COMPLETED").await;
    assert_eq!(
        job["destination"]["filterArns"].as_array().map(Vec::len),
        Some(1)
    );
    // Paused, it keeps them; cancelled, they go.
    app.post("/api/replay-jobs/routed-job/pause", &json!({}))
        .await;
    assert_eq!(app.temporary_rules("orders").await.len(), 1);
    let cancelled = app
        .post("/api/replay-jobs/routed-job/cancel", &json!({}))
        .await;
    assert_eq!(cancelled.status, 200, "{}", cancelled.body);
    assert!(app.temporary_rules("orders").await.is_empty());

    // A job that completes: its rules are gone once it is seen over.
    let mut body = job_body("routed-done", &archive, &bus, 30, 0);
    body["routing"] = json!({"targets": [{"rule": "fulfil", "targetId": "chosen"}]});
    let created = app.post("/api/replay-jobs", &body).await;
    assert_eq!(created.status, 201, "{}", created.body);
    job_until(&app, "routed-done", |j| j["state"] == "COMPLETED").await;
    assert!(app.temporary_rules("orders").await.is_empty());
}

/// A change to a valid body.
type Change<'a> = Box<dyn Fn(&mut Value) + 'a>;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_field_is_checked_and_names_are_kept() {
    let app = spawn_app(Emulator::Ministack).await;
    let (bus, archive, _) = orders(&app, 1).await;
    let cases: Vec<(&str, Change<'_>, u16, &str, Option<&str>)> = vec![
        (
            "jobName empty",
            Box::new(|b| b["jobName"] = json!("")),
            400,
            "ValidationError",
            Some("jobName"),
        ),
        (
            "jobName 57",
            Box::new(|b| b["jobName"] = json!("j".repeat(57))),
            400,
            "ValidationError",
            Some("jobName"),
        ),
        (
            "jobName chars",
            Box::new(|b| b["jobName"] = json!("a b")),
            400,
            "ValidationError",
            Some("jobName"),
        ),
        (
            "description",
            Box::new(|b| b["description"] = json!("d".repeat(513))),
            400,
            "ValidationError",
            Some("description"),
        ),
        (
            "source",
            Box::new(|b| b["eventSourceArn"] = json!("nope")),
            400,
            "ValidationError",
            Some("eventSourceArn"),
        ),
        (
            "start",
            Box::new(|b| b["eventStartTime"] = json!("yesterday")),
            400,
            "ValidationError",
            Some("eventStartTime"),
        ),
        (
            "end",
            Box::new(|b| b["eventEndTime"] = json!(minutes_from_now(-120))),
            400,
            "ValidationError",
            Some("eventEndTime"),
        ),
        (
            "destination",
            Box::new(|b| b["destination"]["arn"] = json!("nope")),
            400,
            "ValidationError",
            Some("destination.arn"),
        ),
        (
            "slice 0",
            Box::new(|b| b["pacing"]["sliceMinutes"] = json!(0)),
            400,
            "ValidationError",
            Some("pacing.sliceMinutes"),
        ),
        (
            "slice 1441",
            Box::new(|b| b["pacing"]["sliceMinutes"] = json!(1441)),
            400,
            "ValidationError",
            Some("pacing.sliceMinutes"),
        ),
        (
            "too many slices",
            Box::new(|b| {
                b["pacing"]["sliceMinutes"] = json!(1);
                b["eventStartTime"] = json!(minutes_from_now(-200));
            }),
            400,
            "ValidationError",
            Some("pacing.sliceMinutes"),
        ),
        (
            "gap -1",
            Box::new(|b| b["pacing"]["gapSeconds"] = json!(-1)),
            400,
            "ValidationError",
            Some("pacing.gapSeconds"),
        ),
        (
            "gap 3601",
            Box::new(|b| b["pacing"]["gapSeconds"] = json!(3601)),
            400,
            "ValidationError",
            Some("pacing.gapSeconds"),
        ),
        (
            "no pacing",
            Box::new(|b| {
                b.as_object_mut().map(|o| o.remove("pacing"));
            }),
            400,
            "ValidationError",
            None,
        ),
        (
            "unknown archive",
            Box::new(|b| b["eventSourceArn"] = json!(archive.replace("orders-all", "nothing"))),
            404,
            "NotFound",
            Some("eventSourceArn"),
        ),
        (
            "filterArns and routing",
            Box::new(|b| {
                b["destination"]["filterArns"] =
                    json!([format!("{}/x", bus.replace(":event-bus/", ":rule/"))]);
                b["routing"] = json!({"targets": [{"rule": "fulfil", "targetId": "chosen"}]});
            }),
            400,
            "ValidationError",
            None,
        ),
    ];
    for (what, change, status, code, field) in cases {
        let mut body = job_body("checked", &archive, &bus, 15, 0);
        change(&mut body);
        let reply = app.post("/api/replay-jobs", &body).await;
        assert_eq!(reply.status, status, "{what}: {}", reply.body);
        reply.assert_error(status, code, field);
    }
    // Nothing was made by any refusal.
    assert_eq!(app.get("/api/replay-jobs").await.body["jobs"], json!([]));
    assert!(app.temporary_rules("orders").await.is_empty());

    // Unknown jobs are 404 on every route; a bad name in the path is 400.
    app.get("/api/replay-jobs/nothing")
        .await
        .assert_error(404, "NotFound", None);
    for action in ["pause", "resume", "cancel"] {
        app.post(&format!("/api/replay-jobs/nothing/{action}"), &json!({}))
            .await
            .assert_error(404, "NotFound", None);
    }
    app.get("/api/replay-jobs/a%20b")
        .await
        .assert_error(400, "ValidationError", Some("jobName"));
    app.get("/api/replay-jobs?state=DONE").await.assert_error(
        400,
        "ValidationError",
        Some("state"),
    );

    // A job's name is taken once used; so is a name whose slices' replays exist.
    let first = app
        .post("/api/replay-jobs", &job_body("once", &archive, &bus, 30, 0))
        .await;
    assert_eq!(first.status, 201, "{}", first.body);
    app.post("/api/replay-jobs", &job_body("once", &archive, &bus, 30, 0))
        .await
        .assert_error(409, "AlreadyExists", Some("jobName"));
    let replay = json!({
        "replayName": "taken-001", "eventSourceArn": archive,
        "eventStartTime": minutes_from_now(-30), "eventEndTime": minutes_from_now(-1),
        "destination": {"arn": bus},
    });
    assert_eq!(app.post("/api/replays", &replay).await.status, 201);
    app.post(
        "/api/replay-jobs",
        &job_body("taken", &archive, &bus, 30, 0),
    )
    .await
    .assert_error(409, "AlreadyExists", Some("jobName"));
    // A completed job cannot be paused, resumed or cancelled.
    job_until(&app, "once", |j| j["state"] == "COMPLETED").await;
    for action in ["pause", "resume", "cancel"] {
        app.post(&format!("/api/replay-jobs/once/{action}"), &json!({}))
            .await
            .assert_error(409, "IllegalStatus", None);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_team_has_its_slots() {
    let app = spawn_app_with(
        Emulator::Ministack,
        "/nonexistent",
        &[
            ("REWIND_TEAMS", "shop=orders"),
            ("REWIND_TEAM_MAX_ACTIVE_REPLAYS", "3"),
        ],
    )
    .await;
    let (bus, archive, _) = orders(&app, 1).await;
    // Three jobs waiting between slices hold three slots.
    for name in ["slot-a", "slot-b", "slot-c"] {
        let reply = app
            .post(
                "/api/replay-jobs",
                &job_body(name, &archive, &bus, 30, 3600),
            )
            .await;
        assert_eq!(reply.status, 201, "{name}: {}", reply.body);
    }
    let fourth = app
        .post(
            "/api/replay-jobs",
            &job_body("slot-d", &archive, &bus, 30, 3600),
        )
        .await;
    let body = fourth.assert_error(409, "LimitExceeded", None);
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("Team shop has 3 of its 3")),
        "{body}"
    );
    // An interactive replay of the team's bus is refused too.
    let replay = json!({
        "replayName": "one-more", "eventSourceArn": archive,
        "eventStartTime": minutes_from_now(-30), "eventEndTime": minutes_from_now(-1),
        "destination": {"arn": bus},
    });
    app.post("/api/replays", &replay)
        .await
        .assert_error(409, "LimitExceeded", None);
    // A paused job gives its slot back; resuming it over the cap is refused.
    job_until(&app, "slot-a", |j| slice_states(j)[0] == "COMPLETED").await;
    assert_eq!(
        app.post("/api/replay-jobs/slot-a/pause", &json!({}))
            .await
            .body["state"],
        "PAUSED"
    );
    let started = app.post("/api/replays", &replay).await;
    assert_eq!(started.status, 201, "{}", started.body);
    // The replay finishes at once on ministack; a fourth job takes its slot, and then
    // the resume finds the team full.
    let reply = app
        .post(
            "/api/replay-jobs",
            &job_body("slot-d", &archive, &bus, 30, 3600),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    app.post("/api/replay-jobs/slot-a/resume", &json!({}))
        .await
        .assert_error(409, "LimitExceeded", None);
    for name in ["slot-a", "slot-b", "slot-c", "slot-d"] {
        app.post(&format!("/api/replay-jobs/{name}/cancel"), &json!({}))
            .await;
    }
}
