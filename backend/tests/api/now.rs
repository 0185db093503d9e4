//! `GET /api/now`, the on-call view: what holds the slots, each team's share, the jobs
//! that wait, what went wrong in the last day and the temporary resources alive —
//! scoped to the caller's teams. Holders need a RUNNING replay, which only the
//! STAND-IN shows (ministack finishes replays at once); jobs, peeks and teams' shares run
//! on ministack.

use crate::jobs::{JOB_ACTIONS, job_action, job_body, job_until, slice_states, start_job};
use serde_json::{Value, json};
use testkit::app::{Emulator, Operation, TestApp, spawn_app_with, teams};
use testkit::standin::{Script, spawn_with_standin};

async fn now(app: &TestApp) -> Value {
    let reply = app.call(Operation::Now, &[], None).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.body
}

/// The `key` of each item of `list`, which must be a list.
fn names(list: &Value, key: &str) -> Vec<String> {
    list.as_array()
        .unwrap_or_else(|| panic!("not a list: {list}"))
        .iter()
        .filter_map(|i| i[key].as_str().map(str::to_owned))
        .collect()
}

/// The stand-in's RUNNING replay `running` replays `orders-all` on bus `orders`: the
/// orders team sees it hold a slot; the payments team sees one slot used by others,
/// named to nobody.
#[tokio::test]
async fn standin_a_running_replay_holds_a_slot_its_team_sees() {
    let spec = "orders=orders;payments=payments";
    for (team, holders, others) in [("orders", vec!["running"], 0), ("payments", vec![], 1)] {
        let (app, _) = spawn_with_standin(Script::default(), |s| {
            s.roles.teams = Some(teams(spec));
            s.local_teams = vec![team.to_owned()];
            s.team_max_active_replays = 4;
        })
        .await;
        let body = now(&app).await;
        let slots = &body["slots"];
        assert_eq!(
            (slots["limit"].as_u64(), slots["used"].as_u64()),
            (Some(10), Some(1)),
            "{body}"
        );
        assert_eq!(slots["others"], json!(others), "{team}: {body}");
        assert_eq!(names(&slots["holders"], "name"), holders, "{team}: {body}");
        if team == "orders" {
            let holder = &slots["holders"][0];
            assert_eq!(holder["kind"], "replay");
            assert_eq!(holder["team"], "orders");
            assert_eq!(holder["archiveName"], "orders-all");
            assert!(holder["startedAt"].is_string(), "{holder}");
        }
        let active = if team == "orders" { 1 } else { 0 };
        assert_eq!(
            body["teams"],
            json!([{"team": team, "active": active, "cap": 4}]),
            "{team}: {body}"
        );
    }
}

/// On ministack, a team with two jobs: one waits between slices (a slot), one paused
/// (waiting, no slot), a peek's queue alive; another team sees none of it; after
/// cancelling, the jobs are recent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jobs_peeks_and_a_teams_share() {
    let spec = "shop=orders;other=elsewhere";
    let app = spawn_app_with(Emulator::Ministack, |s| {
        s.roles.teams = Some(teams(spec));
        s.local_teams = vec!["shop".to_owned()];
        s.team_max_active_replays = 3;
    })
    .await;
    let other = app
        .another(|s| {
            s.roles.teams = Some(teams(spec));
            s.local_teams = vec!["other".to_owned()];
            s.team_max_active_replays = 3;
        })
        .await;
    let (bus, archive, _) = crate::routing::orders(&app, 1).await;
    for name in ["now-a", "now-b"] {
        let reply = start_job(&app, &job_body(name, &archive, &bus, 30, 3600)).await;
        assert_eq!(reply.status, 201, "{name}: {}", reply.body);
    }
    job_until(&app, "now-a", |j| slice_states(j)[0] == "COMPLETED").await;
    let paused = job_action(&app, Operation::PauseReplayJob, "now-a").await;
    assert_eq!(paused.body["state"], "PAUSED", "{}", paused.body);
    let peek = app
        .call(
            Operation::StartPeek,
            &["orders-all"],
            Some(&crate::peeks::peek_body(None)),
        )
        .await;
    assert_eq!(peek.status, 201, "{}", peek.body);

    let body = now(&app).await;
    assert_eq!(
        body["teams"],
        json!([{"team": "shop", "active": 1, "cap": 3}]),
        "only the caller's team, with now-b's slot: {body}"
    );
    let waiting = &body["waiting"];
    assert_eq!(names(waiting, "jobName"), ["now-a"], "{body}");
    assert_eq!(waiting[0]["state"], "PAUSED");
    // Who paused it and when, from its stopped run.
    assert!(
        waiting[0]["stateReason"]
            .as_str()
            .is_some_and(|r| r.starts_with("Paused by local at 20") && r.ends_with("Z.")),
        "{body}"
    );
    let queues: Vec<&Value> = body["temporary"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|t| t["kind"] == "queue")
        .collect();
    assert_eq!(queues.len(), 1, "{body}");
    assert_eq!(queues[0]["belongsTo"], "a peek of orders-all");
    assert_eq!(queues[0]["belongsToKind"], "peek");
    // The peek's rule, named as its queue, belongs to the peek too.
    assert!(
        body["temporary"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|t| t["kind"] == "rule"
                && t["name"] == queues[0]["name"]
                && t["belongsToKind"] == "peek"),
        "{body}"
    );
    assert_eq!(body["unread"], Value::Null, "{body}");

    // Another team, meanwhile, sees none of it: not the jobs, the queue, the rule, nor
    // shop's share.
    let theirs = now(&other).await;
    assert_eq!(theirs["waiting"], json!([]), "{theirs}");
    assert_eq!(theirs["temporary"], json!([]), "{theirs}");
    assert_eq!(
        theirs["teams"],
        json!([{"team": "other", "active": 0, "cap": 3}]),
        "{theirs}"
    );

    for name in ["now-a", "now-b"] {
        job_action(&app, JOB_ACTIONS[2], name).await;
    }
    for name in ["now-a", "now-b"] {
        job_until(&app, name, |j| j["state"] == "CANCELLED").await;
    }
    let body = now(&app).await;
    let mut recent = names(&body["recent"], "name");
    recent.sort();
    assert_eq!(recent, ["now-a", "now-b"], "{body}");
    assert!(
        body["recent"]
            .as_array()
            .into_iter()
            .flatten()
            .all(|r| r["kind"] == "job" && r["state"] == "CANCELLED"),
        "{body}"
    );
    assert_eq!(body["waiting"], json!([]));
    // Nor what went wrong in it.
    assert_eq!(now(&other).await["recent"], json!([]));
}
