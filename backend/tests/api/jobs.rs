//! Replay jobs against ministack: its Step Functions runs the state machine of
//! `backend/src/jobs/replay-job.asl.json` (created there by the backend, as with every
//! local run) with real `aws-sdk:eventbridge` tasks on its own EventBridge, and its Wait
//! states scaled by `SFN_WAIT_SCALE=0.01` (testkit sets it). Replays finish at once
//! there, so a slice that runs for minutes and the account's `LimitExceeded` are shown
//! by the state derivation's unit tests (`backend/src/jobs/state.rs`) instead.

use crate::routing::{orders, replay_state, routed_body};
use serde_json::{Value, json};
use std::time::Duration;
use testkit::app::{
    Emulator, Operation, Reply, TestApp, minutes_from_now, path, spawn_app, spawn_app_with, teams,
};

/// A 60-minute window ending on the next whole minute (events put now fall in it).
pub(crate) fn window() -> (String, String) {
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

/// A job `name` replaying `archive` into `bus` over [`window`], in slices of `slice`
/// minutes `gap` seconds apart.
pub(crate) fn job_body(name: &str, archive: &str, bus: &str, slice: i64, gap: i64) -> Value {
    testkit::app::job_body(name, archive, bus, window(), (slice, gap))
}

/// Reads the job until `done` says so (or 60 s pass); returns the last answer.
pub(crate) async fn job_until(app: &TestApp, name: &str, done: impl Fn(&Value) -> bool) -> Value {
    let timing = (Duration::from_secs(60), Duration::from_millis(250));
    app.read_until(Operation::DescribeReplayJob, &[name], timing, done)
        .await
}

/// Starts a replay job.
pub(crate) async fn start_job(app: &TestApp, body: &Value) -> Reply {
    app.call(Operation::StartReplayJob, &[], Some(body)).await
}

/// Pauses, resumes or cancels job `name` (`op`: one of [`JOB_ACTIONS`]).
pub(crate) async fn job_action(app: &TestApp, op: Operation, name: &str) -> Reply {
    app.call(op, &[name], Some(&json!({}))).await
}

pub(crate) const JOB_ACTIONS: [Operation; 3] = [
    Operation::PauseReplayJob,
    Operation::ResumeReplayJob,
    Operation::CancelReplayJob,
];

pub(crate) fn slice_states(job: &Value) -> Vec<String> {
    job["slices"]
        .as_array()
        .map(|s| {
            s.iter()
                .map(|s| s["state"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// The replay names of a job's slices, as it lists them.
pub(crate) fn slice_names(job: &Value) -> Vec<String> {
    job["slices"]
        .as_array()
        .map(|s| {
            s.iter()
                .map(|s| s["replayName"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// `{job}-{16 hex digits}-{k:03}`: the job's name, its key, the slice's number.
fn assert_slice_name(name: &str, job: &str, k: usize) {
    let rest = name
        .strip_prefix(&format!("{job}-"))
        .unwrap_or_else(|| panic!("{name} is not a slice of {job}"));
    let (key, number) = rest.split_once('-').expect("key-number");
    assert_eq!(key.len(), 16, "{name}");
    assert!(
        key.bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()),
        "{name}"
    );
    assert_eq!(number, format!("{:03}", k + 1), "{name}");
}

fn time_of(value: &Value) -> time::OffsetDateTime {
    shared::timestamp::parse(value.as_str().unwrap_or_default()).expect("a timestamp")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_replays_its_window_in_slices_one_after_another() {
    let app = spawn_app(Emulator::Ministack).await;
    let (bus, archive, chosen_url) = orders(&app, 3).await;
    let _ = app.sqs().purge_queue().queue_url(&chosen_url).send().await;

    let created = start_job(&app, &job_body("paced", &archive, &bus, 15, 60)).await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(
        created
            .headers
            .get("location")
            .and_then(|v| v.to_str().ok()),
        Some(path(Operation::DescribeReplayJob, &["paced"]).as_str())
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
    let names = slice_names(&job);
    for (k, slice) in slices.iter().enumerate() {
        let name = names[k].clone();
        assert_slice_name(&name, "paced", k);
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
    let list = app.call(Operation::ListReplayJobs, &[], None).await;
    assert_eq!(list.status, 200, "{}", list.body);
    assert_eq!(list.body["jobs"][0]["jobName"], "paced");
    assert_eq!(list.body["jobs"][0]["state"], "COMPLETED");
    let done = app
        .call_query(Operation::ListReplayJobs, &[], "state=COMPLETED", None)
        .await;
    assert_eq!(done.body["jobs"].as_array().map(Vec::len), Some(1));
    let running = app
        .call_query(Operation::ListReplayJobs, &[], "state=RUNNING", None)
        .await;
    assert_eq!(
        running.body["jobs"].as_array().map(Vec::len),
        Some(0),
        "{}",
        running.body
    );
    let replays = app.call(Operation::ListReplays, &[], None).await;
    let slice = replays.body["replays"]
        .as_array()
        .and_then(|r| r.iter().find(|r| r["replayName"] == names[1].as_str()))
        .cloned()
        .expect("slice listed");
    assert_eq!(slice["job"], "paced", "{slice}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pause_resume_and_cancel() {
    let app = spawn_app(Emulator::Ministack).await;
    let (bus, archive, _) = orders(&app, 1).await;
    // A 3,600 s gap (36 s scaled): the job waits between slices long enough to act.
    let created = start_job(&app, &job_body("steady", &archive, &bus, 15, 3600)).await;
    assert_eq!(created.status, 201, "{}", created.body);
    job_until(&app, "steady", |j| slice_states(j)[0] == "COMPLETED").await;

    let paused = job_action(&app, Operation::PauseReplayJob, "steady").await;
    assert_eq!(paused.status, 200, "{}", paused.body);
    assert_eq!(paused.body["state"], "PAUSED", "{}", paused.body);
    job_action(&app, Operation::PauseReplayJob, "steady")
        .await
        .assert_error(409, "IllegalStatus", None);
    // No new slice while paused.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let still = app
        .call(Operation::DescribeReplayJob, &["steady"], None)
        .await;
    assert_eq!(still.body["state"], "PAUSED");
    assert_eq!(
        slice_states(&still.body),
        ["COMPLETED", "PENDING", "PENDING", "PENDING"]
    );
    assert!(
        replay_state(&app, &slice_names(&still.body)[1])
            .await
            .is_empty()
    );

    // Resume: the next slice runs.
    let resumed = job_action(&app, Operation::ResumeReplayJob, "steady").await;
    assert_eq!(resumed.status, 200, "{}", resumed.body);
    assert!(
        matches!(resumed.body["state"].as_str(), Some("RUNNING" | "QUEUED")),
        "{}",
        resumed.body
    );
    job_until(&app, "steady", |j| slice_states(j)[1] == "COMPLETED").await;

    // Cancel: nothing more starts, and a cancelled job does not resume.
    let cancelled = job_action(&app, Operation::CancelReplayJob, "steady").await;
    assert_eq!(cancelled.status, 200, "{}", cancelled.body);
    assert_eq!(cancelled.body["state"], "CANCELLED", "{}", cancelled.body);
    tokio::time::sleep(Duration::from_secs(2)).await;
    let after = app
        .call(Operation::DescribeReplayJob, &["steady"], None)
        .await;
    assert_eq!(after.body["state"], "CANCELLED");
    assert_eq!(
        slice_states(&after.body),
        ["COMPLETED", "COMPLETED", "PENDING", "PENDING"]
    );
    job_action(&app, Operation::ResumeReplayJob, "steady")
        .await
        .assert_error(409, "IllegalStatus", None);
    job_action(&app, Operation::CancelReplayJob, "steady")
        .await
        .assert_error(409, "IllegalStatus", None);

    // A paused job can be cancelled too: its cancel is a run of its own.
    let created = start_job(&app, &job_body("resting", &archive, &bus, 30, 3600)).await;
    assert_eq!(created.status, 201, "{}", created.body);
    job_until(&app, "resting", |j| slice_states(j)[0] == "COMPLETED").await;
    assert_eq!(
        job_action(&app, Operation::PauseReplayJob, "resting")
            .await
            .body["state"],
        "PAUSED"
    );
    let cancelled = job_action(&app, Operation::CancelReplayJob, "resting").await;
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
    let created = start_job(&app, &body).await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(
        created.body["routing"]["targets"],
        json!([{"rule": "fulfil", "targetId": "chosen"}])
    );
    // One temporary rule, matching every slice's replay name and no other.
    let rules = app.temporary_rules("orders").await;
    assert_eq!(rules.len(), 1, "{rules:?}");
    let pattern: Value = serde_json::from_str(&rules[0].1).expect("pattern");
    assert_eq!(pattern["replay-name"], json!(slice_names(&created.body)));
    for (k, name) in slice_names(&created.body).iter().enumerate() {
        assert_slice_name(name, "routed-job", k);
    }
    let job = job_until(&app, "routed-job", |j| slice_states(j)[0] == "COMPLETED").await;
    // Its filterArns are its own temporary rules: not shown to readers.
    assert_eq!(job["destination"]["filterArns"], json!([]), "{job}");
    // Paused, it keeps them; cancelled, they go.
    job_action(&app, Operation::PauseReplayJob, "routed-job").await;
    assert_eq!(app.temporary_rules("orders").await.len(), 1);
    let cancelled = job_action(&app, Operation::CancelReplayJob, "routed-job").await;
    assert_eq!(cancelled.status, 200, "{}", cancelled.body);
    assert!(app.temporary_rules("orders").await.is_empty());

    // A job that completes: its rules are gone once it is seen over.
    let mut body = job_body("routed-done", &archive, &bus, 30, 0);
    body["routing"] = json!({"targets": [{"rule": "fulfil", "targetId": "chosen"}]});
    let created = start_job(&app, &body).await;
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
            "jobName 44",
            Box::new(|b| b["jobName"] = json!("j".repeat(44))),
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
        let reply = start_job(&app, &body).await;
        assert_eq!(reply.status, status, "{what}: {}", reply.body);
        reply.assert_error(status, code, field);
    }
    // Nothing was made by any refusal.
    assert_eq!(
        app.call(Operation::ListReplayJobs, &[], None).await.body["jobs"],
        json!([])
    );
    assert!(app.temporary_rules("orders").await.is_empty());

    // Unknown jobs are 404 on every route; a bad name in the path is 400.
    app.call(Operation::DescribeReplayJob, &["nothing"], None)
        .await
        .assert_error(404, "NotFound", None);
    for action in JOB_ACTIONS {
        job_action(&app, action, "nothing")
            .await
            .assert_error(404, "NotFound", None);
    }
    app.call(Operation::DescribeReplayJob, &["a b"], None)
        .await
        .assert_error(400, "ValidationError", Some("jobName"));
    app.call_query(Operation::ListReplayJobs, &[], "state=DONE", None)
        .await
        .assert_error(400, "ValidationError", Some("state"));

    // A job's name is taken once used.
    let first = start_job(&app, &job_body("once", &archive, &bus, 30, 0)).await;
    assert_eq!(first.status, 201, "{}", first.body);
    start_job(&app, &job_body("once", &archive, &bus, 30, 0))
        .await
        .assert_error(409, "AlreadyExists", Some("jobName"));
    // The longest job name still names its slices within 64 characters.
    let longest = "j".repeat(43);
    let created = start_job(&app, &job_body(&longest, &archive, &bus, 30, 0)).await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert!(slice_names(&created.body).iter().all(|n| n.len() == 64));
    // A completed job cannot be paused, resumed or cancelled.
    job_until(&app, "once", |j| j["state"] == "COMPLETED").await;
    for action in JOB_ACTIONS {
        job_action(&app, action, "once")
            .await
            .assert_error(409, "IllegalStatus", None);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_team_has_its_slots() {
    let app = spawn_app_with(Emulator::Ministack, |s| {
        s.roles.teams = Some(teams("shop=orders"));
        s.team_max_active_replays = 3;
    })
    .await;
    let (bus, archive, _) = orders(&app, 1).await;
    // Three jobs waiting between slices hold three slots.
    for name in ["slot-a", "slot-b", "slot-c"] {
        let reply = start_job(&app, &job_body(name, &archive, &bus, 30, 3600)).await;
        assert_eq!(reply.status, 201, "{name}: {}", reply.body);
    }
    let fourth = start_job(&app, &job_body("slot-d", &archive, &bus, 30, 3600)).await;
    fourth.assert_error(409, "LimitExceeded", None);
    assert!(
        fourth.message().contains("Team shop has 3 of its 3"),
        "{}",
        fourth.body
    );
    // An interactive replay of the team's bus is refused too.
    let replay = testkit::app::replay_body("one-more", &archive, &bus, (-30, -1));
    app.call(Operation::StartReplay, &[], Some(&replay))
        .await
        .assert_error(409, "LimitExceeded", None);
    // A paused job gives its slot back: a fourth job takes it, and then resuming the
    // paused one is refused.
    job_until(&app, "slot-a", |j| slice_states(j)[0] == "COMPLETED").await;
    assert_eq!(
        job_action(&app, Operation::PauseReplayJob, "slot-a")
            .await
            .body["state"],
        "PAUSED"
    );
    let reply = start_job(&app, &job_body("slot-d", &archive, &bus, 30, 3600)).await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    job_action(&app, Operation::ResumeReplayJob, "slot-a")
        .await
        .assert_error(409, "LimitExceeded", None);
    for name in ["slot-a", "slot-b", "slot-c", "slot-d"] {
        job_action(&app, Operation::CancelReplayJob, name).await;
    }
}
