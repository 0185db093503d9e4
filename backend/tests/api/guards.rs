//! The guard rails around jobs, slots, forwards and reports (security round four), each
//! against ministack: a job's slice names and temporary rules are the job's alone; a
//! team's slots hold under concurrent starts; a resume repeats every check of creation;
//! a forward lands only where the deployment allows and passes only listed roles; an
//! empty or temporary choice of rules is refused; a report costs CloudWatch one
//! computation a minute.

use crate::jobs::{job_action, job_body, job_until, start_job};
use crate::lambda::{deployed_router_with, event_json, invoke};
use crate::routing::{PREVIEW_AND_START, orders, routed_body, start};
use serde_json::{Value, json};
use shared::roles::Role;
use std::time::Duration;
use testkit::app::{Emulator, Operation, Route, route, spawn_app, spawn_app_with, teams};

fn replay_body(name: &str, archive: &str, bus: &str) -> Value {
    testkit::app::replay_body(name, archive, bus, (-30, -1))
}

fn slice(job: &Value, k: usize) -> (String, String, String, String) {
    let s = &job["slices"][k];
    let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    (
        text(&s["replayName"]),
        text(&s["state"]),
        text(&s["eventStartTime"]),
        text(&s["eventEndTime"]),
    )
}

/// A viewer's request `route`, its request id `id`, through the deployed `router`.
async fn a_viewer_reads(router: &axum::Router, id: &str, route: Route) -> (u16, Value) {
    let claims =
        json!({"sub": "v1", "email": "vi@example.com", "cognito:groups": "[rewind-viewers]"});
    let event = event_json("abc123", id, &route, Some(claims), None);
    invoke(
        router,
        serde_json::from_value(event).expect("a payload 2.0 event"),
    )
    .await
}

/// Teams `shop` (bus `orders`) and `other` (bus `payments`).
fn shop_and_other(s: &mut backend::configuration::Settings) {
    s.roles.teams = Some(teams("shop=orders;other=payments"));
}

/// Finding 1: a replay named as a job's slice is refused through the API (naming the job
/// to whoever may see it, and only saying "taken" to anyone else); a replay that holds a
/// slice's name out of band is not adopted — the state machine reads it, finds another
/// window, and stops the job, which says which slice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_jobs_slice_names_are_its_own() {
    let app = spawn_app_with(Emulator::Ministack, shop_and_other).await;
    let (bus, archive, _) = orders(&app, 2).await;
    // A 3,600 s gap (36 s scaled) after each slice.
    let created = start_job(&app, &job_body("guarded", &archive, &bus, 20, 3600)).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let (second, ..) = slice(&created.body, 1);
    let (third, ..) = slice(&created.body, 2);

    // Through the API: refused, naming the job.
    let taken = start(&app, &replay_body(&second, &archive, &bus)).await;
    taken.assert_error(409, "AlreadyExists", Some("replayName"));
    assert!(
        taken.message().contains("replay job guarded"),
        "{}",
        taken.body
    );
    // A caller of another team learns only that the name is taken.
    let outsider = app
        .another(|s| {
            shop_and_other(s);
            s.local_teams = vec!["other".to_owned()];
        })
        .await;
    let refused = start(&outsider, &replay_body(&second, &archive, &bus)).await;
    refused.assert_error(409, "AlreadyExists", Some("replayName"));
    assert!(
        !refused.message().contains("replay job"),
        "{}",
        refused.body
    );

    // Out of band (straight to EventBridge), slice 2's name is taken by a replay of slice
    // 3's window while slice 1 runs its gap.
    let job = job_until(&app, "guarded", |j| slice(j, 0).1 == "COMPLETED").await;
    let (_, _, from, to) = slice(&job, 2);
    let at = |t: &str| {
        aws_sdk_eventbridge::primitives::DateTime::from_secs(
            shared::timestamp::parse(t).expect("time").unix_timestamp(),
        )
    };
    app.sdk
        .start_replay()
        .replay_name(&second)
        .event_source_arn(&archive)
        .event_start_time(at(&from))
        .event_end_time(at(&to))
        .destination(
            aws_sdk_eventbridge::types::ReplayDestination::builder()
                .arn(&bus)
                .build()
                .expect("destination"),
        )
        .send()
        .await
        .expect("a replay under slice 2's name");
    // The job does not adopt it: it fails, naming the slice, and shows slice 2 as never
    // started (the look-alike is not its slice).
    let failed = job_until(&app, "guarded", |j| j["state"] == "FAILED").await;
    let reason = failed["stateReason"].as_str().unwrap_or_default();
    assert!(reason.starts_with("Slice 2's name is held"), "{failed}");
    assert_eq!(slice(&failed, 1).1, "PENDING", "{failed}");
    assert_eq!(slice(&failed, 2).1, "PENDING", "{failed}");
    assert_ne!(third, second);
    // And the replays list does not call the look-alike the job's.
    let listed = app.call(Operation::ListReplays, &[], None).await;
    let look_alike = listed.body["replays"]
        .as_array()
        .and_then(|r| r.iter().find(|r| r["replayName"] == second.as_str()))
        .cloned()
        .expect("listed");
    assert!(look_alike.get("job").is_none(), "{look_alike}");
}

/// Finding 10 and the temporary-rule half of finding 1: an empty choice of rules, and a
/// choice naming one of Rewind's own `rewind-` rules, are refused on
/// `destination.filterArns` by a start, a preview and a job — before anything is made.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn filter_arns_are_never_empty_nor_temporary_rules() {
    let app = spawn_app(Emulator::Ministack).await;
    let (bus, archive, _) = orders(&app, 1).await;
    let temporary = bus.replace(
        ":event-bus/orders",
        ":rule/orders/rewind-0123456789abcdef-0-job-x",
    );
    for filter in [json!([]), json!([temporary])] {
        let mut replay = replay_body("chosen-none", &archive, &bus);
        replay["destination"]["filterArns"] = filter.clone();
        for op in PREVIEW_AND_START {
            let reply = app.call(op, &[], Some(&replay)).await;
            reply.assert_error(400, "ValidationError", Some("destination.filterArns"));
        }
        let mut job = job_body("chosen-none", &archive, &bus, 30, 0);
        job["destination"]["filterArns"] = filter;
        start_job(&app, &job).await.assert_error(
            400,
            "ValidationError",
            Some("destination.filterArns"),
        );
    }
    // Routing to a temporary rule's targets is refused too.
    let routed = routed_body(
        "routed-to-temporary",
        &archive,
        &bus,
        &[("rewind-0123456789abcdef-0-job-x", "rewind-forward")],
        None,
    );
    start(&app, &routed)
        .await
        .assert_error(400, "ValidationError", Some("routing.targets"));
    assert!(app.call(Operation::ListReplays, &[], None).await.body["replays"] == json!([]));
    assert!(app.temporary_rules("orders").await.is_empty());
}

/// Finding 2: five starts at once at a team with one free slot — exactly one wins, the
/// others are told the team's count. (ministack ends a replay at once; the reservation
/// holds the slot meanwhile, as the replay itself would.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_starts_take_a_teams_last_slot_once() {
    let app = spawn_app_with(Emulator::Ministack, |s| {
        s.roles.teams = Some(teams("shop=orders"));
        s.team_max_active_replays = 2;
    })
    .await;
    let (bus, archive, _) = orders(&app, 1).await;
    // One slot held by a job waiting between its slices.
    let held = start_job(&app, &job_body("holding", &archive, &bus, 30, 3600)).await;
    assert_eq!(held.status, 201, "{}", held.body);
    let starts = (0..5).map(|i| {
        let app = &app;
        let body = replay_body(&format!("racer-{i}"), &archive, &bus);
        async move { start(app, &body).await }
    });
    let replies = futures_util::future::join_all(starts).await;
    let won: Vec<u16> = replies.iter().map(|r| r.status).collect();
    assert_eq!(won.iter().filter(|s| **s == 201).count(), 1, "{won:?}");
    for reply in replies.iter().filter(|r| r.status != 201) {
        reply.assert_error(409, "LimitExceeded", None);
        assert!(
            reply.message().contains("Team shop has 2 of its 2"),
            "{}",
            reply.body
        );
    }
    job_action(&app, Operation::CancelReplayJob, "holding").await;
}

/// Finding 9: a caller out of a team's scope is refused on scope, never told that
/// team's count.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slot_refusal_never_names_another_team() {
    let one_slot = |s: &mut backend::configuration::Settings| {
        shop_and_other(s);
        s.team_max_active_replays = 1;
    };
    let app = spawn_app_with(Emulator::Ministack, one_slot).await;
    let (bus, archive, _) = orders(&app, 1).await;
    let held = start_job(&app, &job_body("full", &archive, &bus, 30, 3600)).await;
    assert_eq!(held.status, 201, "{}", held.body);
    let outsider = app
        .another(|s| {
            one_slot(s);
            s.local_teams = vec!["other".to_owned()];
        })
        .await;
    let reply = start(&outsider, &replay_body("sneaky", &archive, &bus)).await;
    assert!(matches!(reply.status, 403 | 404), "{}", reply.body);
    assert!(!reply.message().contains("shop"), "{}", reply.body);
    let job = outsider
        .call(
            Operation::StartReplayJob,
            &[],
            Some(&job_body("sneaky", &archive, &bus, 30, 0)),
        )
        .await;
    assert!(matches!(job.status, 403 | 404), "{}", job.body);
    assert!(!job.message().contains("shop"), "{}", job.body);
    job_action(&app, Operation::CancelReplayJob, "full").await;
}

/// Finding 4: a resume repeats the checks of creation — an operator cannot resume an
/// admin's paused forwarding job, and a routed job whose rule was disabled since does not
/// resume (409 naming the rule).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resume_repeats_the_checks_of_creation() {
    let app = spawn_app(Emulator::Ministack).await;
    let (bus, archive, _) = orders(&app, 1).await;
    let staging = app.create_bus("orders-staging").await;
    let mut forwarding = job_body("forwarding", &archive, &bus, 30, 3600);
    forwarding["routing"] = json!({"forwardTo": {"eventBusArn": staging}});
    let created = start_job(&app, &forwarding).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let mut routed = job_body("routed-resume", &archive, &bus, 30, 3600);
    routed["routing"] = json!({"targets": [{"rule": "fulfil", "targetId": "other"}]});
    let created = start_job(&app, &routed).await;
    assert_eq!(created.status, 201, "{}", created.body);
    for name in ["forwarding", "routed-resume"] {
        job_until(&app, name, |j| slice(j, 0).1 == "COMPLETED").await;
        let paused = job_action(&app, Operation::PauseReplayJob, name).await;
        assert_eq!(paused.body["state"], "PAUSED", "{}", paused.body);
    }

    let operator = app.another(|s| s.local_role = Role::Operator).await;
    job_action(&operator, Operation::ResumeReplayJob, "forwarding")
        .await
        .assert_error(403, "Forbidden", Some("routing.forwardTo"));
    assert_eq!(
        app.call(Operation::DescribeReplayJob, &["forwarding"], None)
            .await
            .body["state"],
        "PAUSED"
    );

    app.sdk
        .disable_rule()
        .event_bus_name("orders")
        .name("fulfil")
        .send()
        .await
        .expect("disable");
    let refused = job_action(&app, Operation::ResumeReplayJob, "routed-resume").await;
    refused.assert_error(409, "IllegalStatus", Some("routing.targets"));
    assert!(refused.message().contains("fulfil"), "{}", refused.body);
    for name in ["forwarding", "routed-resume"] {
        job_action(&app, Operation::CancelReplayJob, name).await;
    }
    assert!(app.temporary_rules("orders").await.is_empty());
}

/// Findings 5, 6 and 7: a forward within the account lands only on the deployment's
/// buses (`EventBusNames`); a role is passed only when listed (`ForwardRoleArns`);
/// allowed ARNs match part by part, a look-alike bus ARN being no bus ARN at all.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forward_lands_only_where_the_deployment_allows() {
    let role = "arn:aws:iam::000000000000:role/forwarder";
    let app = spawn_app_with(Emulator::Ministack, |s| {
        s.event_bus_names = vec!["orders".to_owned(), "orders-st*".to_owned()];
        s.allowed_target_arns =
            vec!["arn:aws:events:*:111122223333:event-bus/partner-?".to_owned()];
        s.forward_role_arns = vec![role.to_owned()];
    })
    .await;
    let (bus, archive, _) = orders(&app, 1).await;
    let staging = app.create_bus("orders-staging").await;
    let elsewhere = app.create_bus("payments").await;
    let forward = |to: Value| {
        let mut body = replay_body("forwarded", &archive, &bus);
        body["routing"] = json!({"forwardTo": to});
        body
    };
    let cases = [
        (
            "a bus of this account outside EventBusNames",
            json!({"eventBusArn": elsewhere}),
            403,
            "Forbidden",
            "routing.forwardTo",
        ),
        (
            "a role not listed",
            json!({"eventBusArn": staging, "roleArn": "arn:aws:iam::000000000000:role/admin"}),
            400,
            "ValidationError",
            "routing.forwardTo.roleArn",
        ),
        (
            "a look-alike of an allowed bus",
            json!({"eventBusArn": "arn:aws:events:us-east-1:999999999999:event-bus/a:111122223333:event-bus/partner-b", "roleArn": role}),
            400,
            "ValidationError",
            "routing.forwardTo",
        ),
        (
            "another partition's bus of this account",
            json!({"eventBusArn": "arn:aws-cn:events:us-east-1:000000000000:event-bus/orders-staging"}),
            400,
            "ValidationError",
            "routing.forwardTo",
        ),
        (
            "an allowed pattern's ? stands for one character only",
            json!({"eventBusArn": "arn:aws:events:us-east-1:111122223333:event-bus/partner-bb", "roleArn": role}),
            403,
            "Forbidden",
            "routing.forwardTo",
        ),
    ];
    for (what, to, status, code, field) in cases {
        let reply = app
            .call(Operation::PreviewReplay, &[], Some(&forward(to)))
            .await;
        assert_eq!(reply.status, status, "{what}: {}", reply.body);
        reply.assert_error(status, code, Some(field));
    }
    // What the deployment allows still works.
    let allowed = app
        .call(
            Operation::PreviewReplay,
            &[],
            Some(&forward(json!({"eventBusArn": staging, "roleArn": role}))),
        )
        .await;
    assert_eq!(allowed.status, 200, "{}", allowed.body);
    let partner = app
        .call(Operation::PreviewReplay, &[], Some(&forward(json!({"eventBusArn": "arn:aws:events:eu-west-1:111122223333:event-bus/partner-b", "roleArn": role}))))
        .await;
    assert_eq!(partner.status, 200, "{}", partner.body);
    assert!(app.temporary_rules("orders").await.is_empty());
}

/// Finding 3: a viewer's two reads of a report within a minute make one set of
/// CloudWatch calls (the audit trail lists each request's AWS calls), and the answer
/// says it may be kept that long.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_report_is_computed_once_a_minute() {
    let app = spawn_app(Emulator::Ministack).await;
    let (bus, archive, _) = orders(&app, 2).await;
    let started = start(&app, &replay_body("reported-once", &archive, &bus)).await;
    assert_eq!(started.status, 201, "{}", started.body);
    let (router, records) = deployed_router_with(&app.endpoint, |_| {}).await;
    let mut calls_of = Vec::new();
    for id in ["first-read", "second-read"] {
        let report = route(Operation::ReplayReport, &["reported-once"]);
        let (status, body) = a_viewer_reads(&router, id, report).await;
        assert_eq!(status, 200, "{body}");
        let records = records.lock().expect("records");
        let outcome = records
            .iter()
            .filter_map(|r| serde_json::to_value(r).ok())
            .find(|r| r["requestId"] == id && r["phase"] == "outcome")
            .expect("the read's outcome record");
        let cloudwatch: Vec<String> = outcome["upstreamCalls"]
            .as_array()
            .map(|calls| {
                calls
                    .iter()
                    .filter(|c| {
                        matches!(
                            c["service"].as_str(),
                            Some("CloudWatch" | "cloudwatch" | "monitoring")
                        )
                    })
                    .map(|c| c["operation"].as_str().unwrap_or_default().to_owned())
                    .collect()
            })
            .unwrap_or_default();
        calls_of.push(cloudwatch);
    }
    assert_eq!(calls_of[0], ["GetMetricData"], "{calls_of:?}");
    assert!(calls_of[1].is_empty(), "{calls_of:?}");
    let reply = app
        .call(Operation::ReplayReport, &["reported-once"], None)
        .await;
    assert_eq!(
        reply
            .headers
            .get("cache-control")
            .and_then(|v| v.to_str().ok()),
        Some("private, max-age=60")
    );
}

/// Finding 9: a viewer's read that finds a routed replay over removes its temporary rule
/// as Rewind's own housekeeping — recorded under `rewind-sweep`, intent before outcome.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reads_tidying_up_is_audited_as_rewinds_own() {
    let app = spawn_app(Emulator::Ministack).await;
    let (bus, archive, _) = orders(&app, 1).await;
    let started = start(
        &app,
        &routed_body("tidied", &archive, &bus, &[("fulfil", "other")], None),
    )
    .await;
    assert_eq!(started.status, 201, "{}", started.body);
    let rule = app.temporary_rules("orders").await;
    assert_eq!(rule.len(), 1, "{rule:?}");
    // ministack ends the replay at once; nobody has read it since.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (router, records) = deployed_router_with(&app.endpoint, |_| {}).await;
    let read = route(Operation::DescribeReplay, &["tidied"]);
    let (status, body) = a_viewer_reads(&router, "viewer-read", read).await;
    assert_eq!(status, 200, "{body}");
    assert!(app.temporary_rules("orders").await.is_empty());
    let records: Vec<Value> = records
        .lock()
        .expect("records")
        .iter()
        .filter_map(|r| serde_json::to_value(r).ok())
        .filter(|r| r["caller"]["sub"] == "rewind-sweep")
        .collect();
    assert_eq!(records.len(), 2, "{records:#?}");
    assert_eq!(records[0]["phase"], "intent");
    assert_eq!(records[1]["phase"], "outcome");
    assert_eq!(records[1]["outcome"]["status"], 200);
    let resource = records[0]["resources"][0].as_str().unwrap_or_default();
    assert!(
        resource.ends_with(&format!("/{}", rule[0].0)),
        "{resource} names the rule removed"
    );
    let calls: Vec<&str> = records[1]["upstreamCalls"]
        .as_array()
        .map(|c| c.iter().filter_map(|c| c["operation"].as_str()).collect())
        .unwrap_or_default();
    assert!(calls.contains(&"DeleteRule"), "{calls:?}");
}

/// Finding 3: one caller may have at most 30 reports computed a minute (however many
/// instances serve them); past that, 429 saying so — a report read again is free.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_caller_has_a_budget_of_report_computations() {
    let app = spawn_app(Emulator::Ministack).await;
    let (bus, archive, _) = orders(&app, 1).await;
    // 61 replays: a minute's budget, twice over, and one (the budget is per minute).
    for i in 0..61 {
        let started = start(
            &app,
            &replay_body(&format!("budget-{i:02}"), &archive, &bus),
        )
        .await;
        assert_eq!(started.status, 201, "{}", started.body);
    }
    let mut computed = 0;
    let mut refused = None;
    for i in 0..61 {
        let reply = app
            .call(Operation::ReplayReport, &[&format!("budget-{i:02}")], None)
            .await;
        if reply.status == 429 {
            refused = Some(reply);
            break;
        }
        assert_eq!(reply.status, 200, "{}", reply.body);
        computed += 1;
        // A report read again is served from the cache, and spends nothing.
        let again = app
            .call(Operation::ReplayReport, &[&format!("budget-{i:02}")], None)
            .await;
        assert_eq!(again.status, 200, "{}", again.body);
    }
    let refused = refused.expect("the budget ran out");
    refused.assert_error(429, "Throttled", None);
    assert!(refused.message().contains("30 reports"), "{}", refused.body);
    assert!((30..=60).contains(&computed), "{computed} computed first");
}
