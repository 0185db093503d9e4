//! Replay reports against ministack. ministack's EventBridge emits no `AWS/Events`
//! metrics and writes no bus-log records, so these tests SEED them: metrics with
//! PutMetricData into `AWS/Events` (which ministack accepts), and records in EventBridge's
//! bus-log schema into a log group wired to the bus through the Logs delivery APIs.

use crate::jobs::{job_body, job_until};
use crate::replays::completed;
use crate::routing::{orders, routed_body, start};
use serde_json::{Value, json};
use testkit::app::{Emulator, Operation, SHOP_ORDERS_NOT_REPLAYED, TestApp, spawn_app};
use testkit::figures;

/// SEEDED (`testkit::figures`): `AWS/Events` figures for `rule` of bus `orders`.
async fn seed_metrics(
    app: &TestApp,
    rule: &str,
    at: time::OffsetDateTime,
    points: &[(&str, i64, f64)],
) {
    figures::metrics(&app.endpoint, "orders", rule, at, points)
        .await
        .expect("seed metrics");
}

/// SEEDED (`testkit::figures`): bus `orders` logs at INFO, and these records are in it.
async fn seed_bus_logs(app: &TestApp, bus_arn: &str, records: &[Value]) {
    figures::bus_logging(&app.endpoint, &app.sdk, "orders", bus_arn)
        .await
        .expect("bus logging");
    figures::bus_log_records(&app.endpoint, "orders", records)
        .await
        .expect("records");
}

fn record(
    kind: &str,
    rule_arn: &str,
    target: &str,
    at: time::OffsetDateTime,
    error: Option<&str>,
) -> Value {
    figures::record(
        kind,
        "arn:aws:events:us-east-1:000000000000:event-bus/orders",
        rule_arn,
        target,
        at,
        error,
    )
}

fn time_of(value: &Value) -> time::OffsetDateTime {
    shared::timestamp::parse(value.as_str().unwrap_or_default()).expect("a timestamp")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_routed_replays_report_shows_its_removed_rule_with_the_seeded_figures() {
    let app = spawn_app(Emulator::Ministack).await;
    let (bus, archive, _) = orders(&app, 3).await;
    let body = routed_body("reported", &archive, &bus, &[("fulfil", "chosen")], None);
    let started = start(&app, &body).await;
    assert_eq!(started.status, 201, "{}", started.body);
    let replay = completed(&app, "reported").await;
    // The replay is over: its temporary rule is gone, and still reported.
    assert!(app.temporary_rules("orders").await.is_empty());
    let rule_arn = replay["destination"]["filterArns"][0]
        .as_str()
        .expect("routed")
        .to_owned();
    let rule = rule_arn.rsplit('/').next().unwrap_or_default().to_owned();
    let at = time_of(&replay["replayStartTime"]);
    seed_metrics(
        &app,
        &rule,
        at,
        &[
            ("MatchedEvents", 1, 3.0),
            ("Invocations", 1, 2.0),
            ("Invocations", 61, 1.0),
            ("FailedInvocations", 61, 1.0),
            ("InvocationsSentToDlq", 61, 1.0),
        ],
    )
    .await;
    // Another rule's figures are not this replay's.
    seed_metrics(&app, "fulfil", at, &[("Invocations", 1, 40.0)]).await;
    let queue = "arn:aws:sqs:us-east-1:000000000000:chosen";
    let other_rule = bus.replace(":event-bus/", ":rule/") + "/fulfil";
    seed_bus_logs(
        &app,
        &bus,
        &[
            record("INVOCATION_SUCCESS", &rule_arn, queue, at, None),
            record("INVOCATION_SUCCESS", &rule_arn, queue, at, None),
            record(
                "INVOCATION_FAILURE",
                &rule_arn,
                queue,
                at + time::Duration::seconds(61),
                Some("AccessDenied: queue policy"),
            ),
            record(
                "INVOCATION_DLQ",
                &rule_arn,
                queue,
                at + time::Duration::seconds(62),
                None,
            ),
            record("INVOCATION_SUCCESS", &other_rule, queue, at, None),
        ],
    )
    .await;

    let report = app.call(Operation::ReplayReport, &["reported"], None).await;
    assert_eq!(report.status, 200, "{}", report.body);
    let body = &report.body;
    assert_eq!(body["replayName"], "reported");
    assert_eq!(body["complete"], false, "{body}");
    assert!(
        body["notes"].to_string().contains("still arriving"),
        "{body}"
    );
    let rules = body["rules"].as_array().cloned().unwrap_or_default();
    assert_eq!(rules.len(), 1, "{body}");
    let reported = &rules[0];
    assert_eq!(reported["rule"], rule.as_str());
    assert_eq!(reported["ruleArn"], rule_arn.as_str());
    assert_eq!(reported["temporary"], true);
    assert_eq!(reported["sharedWithLiveTraffic"], false);
    assert_eq!(reported["matchedEvents"], 3.0);
    assert_eq!(reported["invocations"], 3.0);
    assert_eq!(reported["failedInvocations"], 1.0);
    assert_eq!(reported["invocationsSentToDlq"], 1.0);
    assert_eq!(reported["throttledRules"], 0.0);
    let series = reported["series"].as_array().cloned().unwrap_or_default();
    let sum = |key: &str| series.iter().filter_map(|p| p[key].as_f64()).sum::<f64>();
    assert_eq!(
        (sum("invocations"), sum("failedInvocations")),
        (3.0, 1.0),
        "{body}"
    );
    // Per target, from the log records of this rule only.
    let targets = body["targets"].as_array().cloned().unwrap_or_default();
    assert_eq!(targets.len(), 1, "{body}");
    assert_eq!(targets[0]["targetArn"], queue);
    assert_eq!(
        (
            targets[0]["succeeded"].clone(),
            targets[0]["failed"].clone(),
            targets[0]["sentToDlq"].clone()
        ),
        (json!(2), json!(1), json!(1))
    );
    assert_eq!(
        targets[0]["errors"][0]["message"],
        "AccessDenied: queue policy"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_in_place_replay_reports_its_receiving_rules_and_says_how_to_log() {
    let app = spawn_app(Emulator::Ministack).await;
    let (bus, archive, _) = orders(&app, 1).await;
    // A rule that opted out of replays does not receive it, so it is not reported.
    app.create_rule("orders", "no-replays", SHOP_ORDERS_NOT_REPLAYED)
        .await;
    let body = testkit::app::replay_body("in-place", &archive, &bus, (-30, -1));
    assert_eq!(start(&app, &body).await.status, 201);
    let replay = completed(&app, "in-place").await;
    seed_metrics(
        &app,
        "fulfil",
        time_of(&replay["replayStartTime"]),
        &[("Invocations", 1, 5.0)],
    )
    .await;
    let report = app.call(Operation::ReplayReport, &["in-place"], None).await;
    assert_eq!(report.status, 200, "{}", report.body);
    let rules = report.body["rules"].as_array().cloned().unwrap_or_default();
    let names: Vec<&str> = rules.iter().filter_map(|r| r["rule"].as_str()).collect();
    assert_eq!(names, ["fulfil"], "{}", report.body);
    assert_eq!(rules[0]["sharedWithLiveTraffic"], true);
    assert_eq!(rules[0]["temporary"], false);
    assert_eq!(rules[0]["invocations"], 5.0);
    assert!(report.body.get("targets").is_none(), "{}", report.body);
    let notes = report.body["notes"].to_string();
    assert!(notes.contains("also receive live events"), "{notes}");
    assert!(
        notes.contains("aws events update-event-bus --name orders --log-config Level=INFO"),
        "{notes}"
    );
    for op in [Operation::ReplayReport, Operation::ReplayJobReport] {
        app.call(op, &["nothing"], None)
            .await
            .assert_error(404, "NotFound", None);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_jobs_report_adds_its_slices() {
    let app = spawn_app(Emulator::Ministack).await;
    let (bus, archive, _) = orders(&app, 1).await;
    let body = job_body("reported-job", &archive, &bus, 30, 0);
    let created = app.call(Operation::StartReplayJob, &[], Some(&body)).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let job = job_until(&app, "reported-job", |j| j["state"] == "COMPLETED").await;
    let first = time_of(&job["slices"][0]["replayStartTime"]);
    let last_end = time_of(&job["slices"][1]["replayEndTime"]);
    seed_metrics(
        &app,
        "fulfil",
        first,
        &[("Invocations", 1, 2.0), ("Invocations", 2, 3.0)],
    )
    .await;
    let report = app
        .call(Operation::ReplayJobReport, &["reported-job"], None)
        .await;
    assert_eq!(report.status, 200, "{}", report.body);
    assert_eq!(report.body["replayName"], "reported-job");
    // The window covers every slice: first start to last end + 5 minutes.
    assert_eq!(time_of(&report.body["from"]), first);
    assert_eq!(
        time_of(&report.body["to"]),
        last_end + time::Duration::minutes(5)
    );
    assert_eq!(report.body["rules"][0]["rule"], "fulfil");
    assert_eq!(report.body["rules"][0]["invocations"], 5.0);
}
