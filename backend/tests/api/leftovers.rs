//! The sweep against ministack: on its schedule (no request needed), it removes what
//! this instance made and no longer needs — and nothing else: a person's `rewind-…`
//! rule, another Rewind stack's rule shaped like its own, an untagged one, a queue it
//! did not make. Deployed, the template's schedule invokes the function with a
//! Scheduled Event: the same binary sweeps, and audits each removal as `rewind-sweep`.

use crate::jobs::{job_action, start_job};
use crate::lambda::deployed_settings;
use crate::routing::{eventually, orders, routed_body, start};
use backend::audit::AuditLog;
use backend::http::lambda::LambdaHandler;
use backend::state::AppState;
use lambda_http::{Context, LambdaEvent};
use serde_json::{Value, json};
use shared::routing::TemporaryRule;
use std::collections::HashMap;
use std::time::Duration;
use testkit::app::{Emulator, Operation, TestApp, route, spawn_app, spawn_app_with};

/// A `rewind-` rule on `orders` that looks like a leftover of replay `gone` (made two
/// days ago), tagged with `instance` (none: untagged); returns its ARN.
async fn leftover_rule(app: &TestApp, name: &str, instance: Option<&str>) -> String {
    let description = TemporaryRule {
        replay: "gone".into(),
        carries: TemporaryRule::copies_of("fulfil"),
        made: time::OffsetDateTime::now_utc() - time::Duration::days(2),
    }
    .description();
    let mut put = app
        .sdk
        .put_rule()
        .name(name)
        .event_bus_name("orders")
        .event_pattern(r#"{"source":["shop.orders"],"replay-name":["gone"]}"#)
        .description(description);
    if let Some(instance) = instance {
        put = put.tags(
            aws_sdk_eventbridge::types::Tag::builder()
                .key("rewind:instance")
                .value(instance)
                .build()
                .expect("tag"),
        );
    }
    put.send()
        .await
        .expect("rule")
        .rule_arn()
        .unwrap_or_default()
        .to_owned()
}

/// A `rewind-peek-` queue with these tags; returns its URL.
async fn leftover_queue(app: &TestApp, name: &str, tags: &[(&str, String)]) -> String {
    let tags: HashMap<String, String> = tags
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect();
    app.sqs()
        .create_queue()
        .queue_name(name)
        .set_tags((!tags.is_empty()).then_some(tags))
        .send()
        .await
        .expect("queue")
        .queue_url()
        .unwrap_or_default()
        .to_owned()
}

/// The tags of a peek queue of `instance`, made `days` ago, of bus `bus`.
fn peek_tags(instance: &str, days: i64, bus: Option<&str>) -> Vec<(&'static str, String)> {
    let mut tags = vec![
        ("rewind:instance", instance.to_owned()),
        ("createdAt", days_ago(days)),
    ];
    tags.extend(bus.map(|bus| ("bus", bus.to_owned())));
    tags
}

fn days_ago(days: i64) -> String {
    shared::timestamp::format(time::OffsetDateTime::now_utc() - time::Duration::days(days))
}

async fn rule_names(app: &TestApp) -> Vec<String> {
    let mut names: Vec<String> = app
        .temporary_rules("orders")
        .await
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    names.sort();
    names
}

async fn queue_names(app: &TestApp) -> Vec<String> {
    let mut names: Vec<String> = crate::peeks::peek_queues(app)
        .await
        .iter()
        .filter_map(|url| url.rsplit('/').next().map(str::to_owned))
        .collect();
    names.sort();
    names
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sweep_runs_on_its_schedule_and_removes_only_its_own() {
    let app = spawn_app_with(Emulator::Ministack, |s| {
        s.sweep_every = Duration::from_secs(1);
        s.instance = "stack-a".to_owned();
    })
    .await;
    let (bus, archive, _) = orders(&app, 2).await;
    // Not this instance's, or not made by Rewind at all: all spared.
    leftover_rule(&app, "rewind-mine", Some("stack-a")).await;
    leftover_rule(&app, "rewind-00000000000000aa-0-gone", Some("stack-b")).await;
    leftover_rule(&app, "rewind-00000000000000bb-0-gone", None).await;
    leftover_queue(&app, "rewind-peek-00000000000000aa", &[]).await;
    leftover_queue(
        &app,
        "rewind-peek-00000000000000bb",
        &peek_tags("stack-b", 2, Some("orders")),
    )
    .await;
    leftover_queue(
        &app,
        "rewind-peek-00000000000000dd",
        &peek_tags("stack-a", 0, Some("orders")),
    )
    .await;
    leftover_queue(&app, "rewind-peek-mine", &peek_tags("stack-a", 2, None)).await;
    // This instance's: a rule of a replay that never started, a peek left for two days,
    // and a routed replay that ends with nobody watching.
    leftover_rule(&app, "rewind-00000000000000cc-0-gone", Some("stack-a")).await;
    leftover_queue(
        &app,
        "rewind-peek-00000000000000cc",
        &peek_tags("stack-a", 2, Some("orders")),
    )
    .await;
    let body = routed_body("unwatched", &archive, &bus, &[("fulfil", "other")], None);
    let started = start(&app, &body).await;
    assert_eq!(started.status, 201, "{}", started.body);

    let spared_rules = [
        "rewind-00000000000000aa-0-gone",
        "rewind-00000000000000bb-0-gone",
        "rewind-mine",
    ];
    let spared_queues = [
        "rewind-peek-00000000000000aa",
        "rewind-peek-00000000000000bb",
        "rewind-peek-00000000000000dd",
        "rewind-peek-mine",
    ];
    // No request is made: only the schedule can remove anything.
    eventually(150, Duration::from_millis(100), || async {
        rule_names(&app).await == spared_rules && queue_names(&app).await == spared_queues
    })
    .await;
    assert_eq!(rule_names(&app).await, spared_rules);
    assert_eq!(queue_names(&app).await, spared_queues);
}

/// Deployed: the schedule's event reaches the same handler as API Gateway's; it sweeps
/// and audits each removal (intent, then outcome) as `rewind-sweep`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_scheduled_event_sweeps_and_is_audited_as_rewind_sweep() {
    let app = spawn_app(Emulator::Ministack).await;
    orders(&app, 1).await;
    let theirs = leftover_rule(&app, "rewind-00000000000000aa-0-gone", Some("stack-b")).await;
    let ours = leftover_rule(&app, "rewind-00000000000000cc-0-gone", Some("stack-z")).await;
    let settings = deployed_settings(&app.endpoint, |s| s.instance = "stack-z".to_owned());
    let (audit, records) = AuditLog::in_memory();
    let handler = LambdaHandler::new(AppState {
        audit,
        ..AppState::from_settings(&settings).await
    });
    let scheduled = json!({
        "version": "0", "id": "5d6e7f80", "detail-type": "Scheduled Event", "source": "aws.events",
        "account": "000000000000", "time": "2026-12-02T02:00:00Z", "region": "us-east-1",
        "resources": ["arn:aws:events:us-east-1:000000000000:rule/rewind-SweepSchedule"], "detail": {},
    });
    let report = handler
        .handle(LambdaEvent::new(scheduled, Context::default()))
        .await
        .expect("sweep");
    assert_eq!(report["removed"], json!([ours]), "{report}");
    assert_eq!(rule_names(&app).await, ["rewind-00000000000000aa-0-gone"]);
    let records: Vec<Value> = records
        .lock()
        .expect("records")
        .iter()
        .map(|r| serde_json::to_value(r).expect("record"))
        .collect();
    let phases: Vec<&str> = records.iter().filter_map(|r| r["phase"].as_str()).collect();
    assert_eq!(phases, ["intent", "outcome"], "{records:#?}");
    for record in &records {
        assert_eq!(record["caller"]["sub"], "rewind-sweep", "{record}");
        assert_eq!(record["resources"], json!([ours]), "{record}");
        assert!(!record.to_string().contains(&theirs), "{record}");
    }
    assert_eq!(records[1]["outcome"]["status"], 200);
    assert!(
        records[1]["upstreamCalls"]
            .as_array()
            .is_some_and(|calls| calls.iter().any(|c| c["operation"] == "DeleteRule")),
        "{}",
        records[1]
    );

    // The same handler still answers API Gateway's events.
    let http = crate::lambda::event_json(
        "abc123",
        "req-1",
        &route(Operation::Me, &[]),
        Some(json!({"sub": "ana", "cognito:groups": "[rewind-viewers]"})),
        None,
    );
    let answer = handler
        .handle(LambdaEvent::new(http, Context::default()))
        .await
        .expect("http");
    assert_eq!(answer["statusCode"], 200, "{answer}");
}

/// A routed job that ends with nobody looking: the sweep (on its schedule) reads the
/// job's state from Step Functions and removes its rule; the rule of a job whose
/// creation failed (no such job, made a day ago) goes too; a running job's stays.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sweep_removes_the_rules_of_jobs_that_ended_unwatched() {
    let app = spawn_app_with(Emulator::Ministack, |s| {
        s.sweep_every = Duration::from_secs(1);
    })
    .await;
    let (bus, archive, _) = orders(&app, 1).await;
    let job = |name: &str, gap: i64| {
        let mut body = crate::jobs::job_body(name, &archive, &bus, 30, gap);
        body["routing"] = json!({"targets": [{"rule": "fulfil", "targetId": "chosen"}]});
        body
    };
    assert_eq!(start_job(&app, &job("unwatched", 0)).await.status, 201);
    // One hour between slices (36 s scaled): still running while the sweep runs.
    assert_eq!(start_job(&app, &job("still-going", 3600)).await.status, 201);
    // A job rule whose job never started (its creation failed after the rule was made).
    let ghost = TemporaryRule {
        replay: TemporaryRule::job_label("ghost"),
        carries: TemporaryRule::copies_of("fulfil"),
        made: time::OffsetDateTime::now_utc() - time::Duration::days(1),
    };
    app.sdk
        .put_rule()
        .name("rewind-00000000000000ee-0-ghost")
        .event_bus_name("orders")
        .event_pattern(r#"{"source":["shop.orders"],"replay-name":["ghost-001"]}"#)
        .description(ghost.description())
        .tags(
            aws_sdk_eventbridge::types::Tag::builder()
                .key("rewind:instance")
                .value("local")
                .build()
                .expect("tag"),
        )
        .send()
        .await
        .expect("ghost rule");
    // Nobody reads the jobs through the API from here on: only the schedule sweeps.
    eventually(100, Duration::from_millis(200), || async {
        rule_names(&app).await.len() == 1
    })
    .await;
    let names = rule_names(&app).await;
    assert_eq!(
        names.len(),
        1,
        "the ended job's and the ghost's rules are swept: {names:?}"
    );
    assert!(names[0].ends_with("-still-going"), "{names:?}");
    job_action(&app, Operation::CancelReplayJob, "still-going").await;
    assert!(app.temporary_rules("orders").await.is_empty());
}
