//! Custom Event Bus (v2) replays, against the `eventsv2` stand-in (no emulator models the
//! service; the stand-in is held to its model by `testkit/tests/eventsv2.rs`) with
//! ministack behind it for the subscribers' SQS targets and the `AWS/EventsV2` metrics.

use serde_json::{Value, json};
use std::collections::HashMap;
use std::time::Duration;
use testkit::app::{Operation, TestApp, minutes_from_now, teams};
use testkit::custom_bus::{
    client, create_bus, create_subscriber, kept_from, put_order_events, spawn_app_with_v2,
    subscriber_names,
};
use testkit::eventsv2::EventsV2;

const BUS: &str = "orders-v2";
/// Subscribers advance every 50 ms (the stand-in's default): replays run to the end.
const BRISK: Duration = Duration::from_millis(50);
/// Subscribers never advance in a test's time: a replay stays RUNNING.
const STILL: Duration = Duration::from_secs(3600);

/// `orders-v2` (7 days) with subscribers billing and audit on queues of their own, and
/// `events` order events delivered live to both.
struct Fixture {
    bus: String,
    /// The first whole second the bus keeps events from.
    kept_from: time::OffsetDateTime,
    billing: String,
    audit: String,
    billing_queue: String,
}

async fn fixture(app: &TestApp, standin: &EventsV2, events: u32) -> Fixture {
    let v2 = client(standin.endpoint());
    let bus = create_bus(&v2, BUS, 7, "Order events, kept a week").await;
    let (billing_queue, billing_queue_arn) = app.create_queue("billing").await;
    let (_, audit_queue_arn) = app.create_queue("audit").await;
    let billing = create_subscriber(&v2, &bus, "billing", &billing_queue_arn, None).await;
    let audit = create_subscriber(
        &v2,
        &bus,
        "audit",
        &audit_queue_arn,
        Some(r#"{"detail-type":["OrderCreated"]}"#),
    )
    .await;
    // The service counts whole seconds: the window ends after the events.
    put_order_events(&v2, &bus, events).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let kept_from = kept_from(&v2, &bus)
        .await
        .expect("the retention window's start");
    Fixture {
        bus,
        kept_from,
        billing,
        audit,
        billing_queue,
    }
}

/// A replay of everything `orders-v2` keeps, to `subscribers`.
fn replay_body(name: &str, fixture: &Fixture, subscribers: &[&str]) -> Value {
    json!({
        "replayName": name,
        "description": "billing missed the morning",
        "eventBusArn": fixture.bus,
        "subscriberArns": subscribers,
        "eventStartTime": shared::timestamp::format(fixture.kept_from),
        "eventEndTime": minutes_from_now(0),
    })
}

async fn start(app: &TestApp, body: &Value) -> Value {
    let started = app.call(Operation::StartV2Replay, &[], Some(body)).await;
    assert_eq!(started.status, 201, "{}", started.body);
    started.body
}

/// Rewind's temporary subscribers on the bus.
async fn temporary(standin: &EventsV2, bus: &str) -> Vec<String> {
    subscriber_names(&client(standin.endpoint()), bus)
        .await
        .into_iter()
        .filter(|n| n.starts_with("rewind-"))
        .collect()
}

/// Receives (and deletes) the queue's messages until `want` arrived; their bodies.
async fn messages(app: &TestApp, url: &str, want: usize) -> Vec<Value> {
    app.receive(url, want, |_| true).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn buses_and_subscribers_are_listed_with_rewinds_own_marked() {
    let (app, standin) = spawn_app_with_v2(STILL, |_| {}).await;
    let fixture = fixture(&app, &standin, 1).await;
    let buses = app.call(Operation::ListV2EventBuses, &[], None).await;
    assert_eq!(buses.status, 200, "{}", buses.body);
    let bus = &buses.body["eventBuses"][0];
    assert_eq!(bus["name"], BUS, "{}", buses.body);
    assert_eq!(bus["state"], "ACTIVE");
    assert_eq!(bus["retentionDays"], 7);
    assert!(bus["retentionWindowStartTime"].is_string(), "{bus}");
    start(&app, &replay_body("fix-1", &fixture, &[&fixture.audit])).await;
    let listed = app.call(Operation::ListV2Subscribers, &[BUS], None).await;
    assert_eq!(listed.status, 200, "{}", listed.body);
    let by_name: HashMap<&str, &Value> = listed.body["subscribers"]
        .as_array()
        .expect("subscribers")
        .iter()
        .filter_map(|s| Some((s["name"].as_str()?, s)))
        .collect();
    assert_eq!(by_name.len(), 3, "{}", listed.body);
    assert_eq!(by_name["audit"]["temporary"], false);
    assert_eq!(by_name["audit"]["startingPosition"], "LATEST");
    assert!(
        by_name["audit"]["filter"]
            .as_str()
            .is_some_and(|f| f.contains("OrderCreated"))
    );
    let copy = by_name
        .iter()
        .find(|(name, _)| name.starts_with("rewind-") && name.ends_with("-0-fix-1"))
        .map(|(_, s)| *s)
        .unwrap_or_else(|| panic!("the copy is listed: {}", listed.body));
    assert_eq!(copy["temporary"], true);
    assert_eq!(copy["startingPosition"], "POINT_IN_TIME");
    assert_eq!(
        copy["filter"], by_name["audit"]["filter"],
        "the filter is copied"
    );
    assert_eq!(
        copy["targetArn"], by_name["audit"]["targetArn"],
        "the target is copied"
    );
    let missing = app
        .call(Operation::ListV2Subscribers, &["nope"], None)
        .await;
    missing.assert_error(404, "NotFound", None);
    assert!(
        standin.violations().is_empty(),
        "{:?}",
        standin.violations()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replay_delivers_its_window_again_reports_it_and_completes() {
    let (app, standin) = spawn_app_with_v2(BRISK, |_| {}).await;
    let fixture = fixture(&app, &standin, 4).await;
    // The four live deliveries first.
    assert_eq!(messages(&app, &fixture.billing_queue, 4).await.len(), 4);
    let started = start(&app, &replay_body("again", &fixture, &[&fixture.billing])).await;
    assert_eq!(started["replayName"], "again");
    assert_eq!(started["eventBusArn"], fixture.bus);
    assert_eq!(started["subscribers"][0]["subscriberArn"], fixture.billing);
    assert!(started["subscribers"][0]["temporarySubscriberArn"].is_string());
    assert_eq!(started["createdBy"], "local");
    // Each event again, through the copy.
    let replayed = messages(&app, &fixture.billing_queue, 4).await;
    let mut ids: Vec<i64> = replayed
        .iter()
        .filter_map(|m| m["detail"]["orderId"].as_i64())
        .collect();
    ids.sort_unstable();
    assert_eq!(ids, [0, 1, 2, 3], "{replayed:?}");
    let done = app
        .read_until(
            Operation::DescribeV2Replay,
            &["again"],
            (Duration::from_secs(150), Duration::from_secs(2)),
            |r| r["state"] != "RUNNING",
        )
        .await;
    assert_eq!(done["state"], "COMPLETED", "{done}");
    let report = app.call(Operation::V2ReplayReport, &["again"], None).await;
    assert_eq!(report.status, 200, "{}", report.body);
    let copy = &report.body["rules"][0];
    assert_eq!(copy["temporary"], true, "{}", report.body);
    assert_eq!(copy["invocations"], 4.0, "EventsDelivered: {}", report.body);
    assert_eq!(copy["failedInvocations"], 0.0);
    let listed = app.call(Operation::ListV2Replays, &[], None).await;
    assert_eq!(
        listed.body["replays"][0]["replayName"], "again",
        "{}",
        listed.body
    );
    let completed = app
        .call_query(Operation::ListV2Replays, &[], "state=COMPLETED", None)
        .await;
    assert_eq!(completed.body["replays"].as_array().map(Vec::len), Some(1));
    let running = app
        .call_query(Operation::ListV2Replays, &[], "state=RUNNING", None)
        .await;
    assert_eq!(running.body["replays"].as_array().map(Vec::len), Some(0));
    // Kept an hour for its page and report; the sweep after that removes the copy.
    assert!(sweep(&app, &standin, "local", 0).await.0.is_empty());
    let (removed, failed) = sweep(&app, &standin, "local", 2).await;
    assert_eq!((removed.len(), failed), (1, 0), "{removed:?}");
    assert!(temporary(&standin, &fixture.bus).await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pause_resume_and_stop_and_nothing_is_left() {
    let (app, standin) = spawn_app_with_v2(STILL, |_| {}).await;
    let fixture = fixture(&app, &standin, 2).await;
    let body = replay_body("held", &fixture, &[&fixture.billing, &fixture.audit]);
    let started = start(&app, &body).await;
    assert_eq!(started["state"], "RUNNING", "{started}");
    assert_eq!(temporary(&standin, &fixture.bus).await.len(), 2);
    let resumed_too_early = app.call(Operation::ResumeV2Replay, &["held"], None).await;
    resumed_too_early.assert_error(409, "IllegalStatus", None);
    let paused = app.call(Operation::PauseV2Replay, &["held"], None).await;
    assert_eq!(paused.status, 200, "{}", paused.body);
    assert_eq!(paused.body["state"], "PAUSED", "{}", paused.body);
    assert!(
        paused.body["subscribers"]
            .as_array()
            .is_some_and(|s| s.iter().all(|s| s["state"] == "STOPPED")),
        "{}",
        paused.body
    );
    let resumed = app.call(Operation::ResumeV2Replay, &["held"], None).await;
    assert_eq!(resumed.body["state"], "RUNNING", "{}", resumed.body);
    let stopped = app.call(Operation::StopV2Replay, &["held"], None).await;
    assert_eq!(stopped.status, 200, "{}", stopped.body);
    assert_eq!(stopped.body["state"], "STOPPED");
    assert!(
        temporary(&standin, &fixture.bus).await.is_empty(),
        "nothing is left"
    );
    let gone = app.call(Operation::DescribeV2Replay, &["held"], None).await;
    gone.assert_error(404, "NotFound", None);
    // The originals are untouched.
    assert_eq!(
        subscriber_names(&client(standin.endpoint()), &fixture.bus)
            .await
            .len(),
        2
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_refusal_names_its_field() {
    let (app, standin) = spawn_app_with_v2(STILL, |s| s.target_role_arns.clear()).await;
    let fixture = fixture(&app, &standin, 1).await;
    let v2 = client(standin.endpoint());
    let other_bus = create_bus(&v2, "search-v2", 1, "another bus").await;
    let (_, queue) = app.create_queue("elsewhere").await;
    let elsewhere = create_subscriber(&v2, &other_bus, "elsewhere", &queue, None).await;
    let refused = |body: Value| {
        let app = &app;
        async move { app.call(Operation::StartV2Replay, &[], Some(&body)).await }
    };
    let base = replay_body("r", &fixture, &[&fixture.billing]);
    let with = |key: &str, value: Value| {
        let mut body = base.clone();
        body[key] = value;
        body
    };
    refused(with("eventEndTime", json!(minutes_from_now(5))))
        .await
        .assert_error(400, "ValidationError", Some("eventEndTime"));
    refused(with(
        "eventStartTime",
        json!(minutes_from_now(-60 * 24 * 8)),
    ))
    .await
    .assert_error(400, "ValidationError", Some("eventStartTime"));
    refused(with("subscriberArns", json!([elsewhere])))
        .await
        .assert_error(400, "ValidationError", Some("subscriberArns"));
    refused(with("subscriberArns", json!([])))
        .await
        .assert_error(400, "ValidationError", Some("subscriberArns"));
    refused(with(
        "eventBusArn",
        json!(fixture.bus.replace("orders-v2", "nowhere")),
    ))
    .await
    .assert_error(404, "NotFound", Some("eventBusArn"));
    refused(with(
        "eventBusArn",
        json!("arn:aws:events:us-east-1:000000000000:event-bus/orders"),
    ))
    .await
    .assert_error(400, "ValidationError", Some("eventBusArn"));
    // The subscriber's invoke role is not one this deployment may pass.
    let no_role = refused(base.clone()).await;
    no_role.assert_error(400, "ValidationError", Some("subscriberArns"));
    assert!(
        no_role.message().contains("TargetRoleArns"),
        "{}",
        no_role.body
    );
    v2.revoke_resource()
        .arn(&fixture.audit)
        .send()
        .await
        .expect("revoke audit");
    let revoked = refused(with("subscriberArns", json!([fixture.audit]))).await;
    revoked.assert_error(400, "ValidationError", Some("subscriberArns"));
    assert!(
        temporary(&standin, &fixture.bus).await.is_empty(),
        "nothing was made"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_name_is_one_replays_and_a_half_made_start_leaves_nothing() {
    let (app, standin) = spawn_app_with_v2(STILL, |_| {}).await;
    let fixture = fixture(&app, &standin, 1).await;
    start(&app, &replay_body("taken", &fixture, &[&fixture.billing])).await;
    let again = app
        .call(
            Operation::StartV2Replay,
            &[],
            Some(&replay_body("taken", &fixture, &[&fixture.audit])),
        )
        .await;
    again.assert_error(409, "AlreadyExists", Some("replayName"));
    // Fill the bus to one below the service's subscriber quota: the first copy is made,
    // the second is refused, and the first is removed again.
    let v2 = client(standin.endpoint());
    let (_, queue) = app.create_queue("filler").await;
    let present = subscriber_names(&v2, &fixture.bus).await.len();
    let quota = testkit::eventsv2::assumptions::MAX_SUBSCRIBERS_PER_BUS;
    for i in present..quota - 1 {
        create_subscriber(&v2, &fixture.bus, &format!("filler-{i}"), &queue, None).await;
    }
    let full = app
        .call(
            Operation::StartV2Replay,
            &[],
            Some(&replay_body(
                "too-many",
                &fixture,
                &[&fixture.billing, &fixture.audit],
            )),
        )
        .await;
    full.assert_error(409, "LimitExceeded", None);
    assert!(full.message().contains("quota"), "{}", full.body);
    let names = temporary(&standin, &fixture.bus).await;
    assert!(
        names.iter().all(|n| n.ends_with("-taken")),
        "only the first replay's copy is left: {names:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn teams_see_and_replay_only_their_buses() {
    let (app, standin) = spawn_app_with_v2(STILL, |s| {
        s.roles.teams = Some(teams("shop=orders-v2;search=search-*"));
        s.local_teams = vec!["search".to_owned()];
    })
    .await;
    let fixture = fixture(&app, &standin, 1).await;
    let listed = app.call(Operation::ListV2EventBuses, &[], None).await;
    assert_eq!(listed.status, 200, "{}", listed.body);
    assert_eq!(listed.body["eventBuses"], json!([]), "{}", listed.body);
    app.call(Operation::ListV2Subscribers, &[BUS], None)
        .await
        .assert_error(404, "NotFound", None);
    let refused = app
        .call(
            Operation::StartV2Replay,
            &[],
            Some(&replay_body("theirs", &fixture, &[&fixture.billing])),
        )
        .await;
    refused.assert_error(403, "Forbidden", Some("eventBusArn"));
    assert!(temporary(&standin, &fixture.bus).await.is_empty());
    // The shop team's member made one; the search team's does not see it.
    let v2_endpoint = standin.endpoint().to_owned();
    let shop = app
        .another(|s| {
            s.eventbridgev2_endpoint = Some(v2_endpoint);
            s.roles.teams = Some(teams("shop=orders-v2;search=search-*"));
            s.local_teams = vec!["shop".to_owned()];
        })
        .await;
    start(&shop, &replay_body("shops", &fixture, &[&fixture.billing])).await;
    app.call(Operation::DescribeV2Replay, &["shops"], None)
        .await
        .assert_error(404, "NotFound", None);
    assert_eq!(
        app.call(Operation::ListV2Replays, &[], None).await.body["replays"],
        json!([])
    );
    app.call(Operation::StopV2Replay, &["shops"], None)
        .await
        .assert_error(404, "NotFound", None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sweep_removes_failed_and_completed_replays_only() {
    let (app, standin) = spawn_app_with_v2(STILL, |_| {}).await;
    let fixture = fixture(&app, &standin, 1).await;
    let v2 = client(standin.endpoint());
    start(&app, &replay_body("kept", &fixture, &[&fixture.billing])).await;
    let broken = start(
        &app,
        &replay_body("broken", &fixture, &[&fixture.billing, &fixture.audit]),
    )
    .await;
    // One of broken's copies deleted outside Rewind: the replay has failed.
    let lost = broken["subscribers"][0]["temporarySubscriberArn"]
        .as_str()
        .expect("a copy");
    v2.delete_subscriber()
        .subscriber_arn(lost)
        .send()
        .await
        .expect("delete a copy");
    let failed = app
        .call(Operation::DescribeV2Replay, &["broken"], None)
        .await;
    assert_eq!(failed.body["state"], "FAILED", "{}", failed.body);
    assert!(
        failed.body["stateReason"]
            .as_str()
            .is_some_and(|r| r.contains("outside Rewind"))
    );
    // A sweep of this deployment removes the failed replay's other copy (once it cannot
    // be a start still under way) and keeps the running one; a sweep of another
    // deployment touches nothing.
    // Not at once: a replay short of copies may still be starting.
    assert!(sweep(&app, &standin, "local", 0).await.0.is_empty());
    let (removed, failed_to) = sweep(&app, &standin, "local", 1).await;
    assert_eq!((removed.len(), failed_to), (1, 0), "{removed:?}");
    let names = temporary(&standin, &fixture.bus).await;
    assert!(names.len() == 1 && names[0].ends_with("-kept"), "{names:?}");
    let (removed, _) = sweep(&app, &standin, "another-stack", 24).await;
    assert!(removed.is_empty(), "{removed:?}");
}

/// One sweep by deployment `instance`, as if `hours_later` hours had passed: the ARNs
/// removed, and the failures.
async fn sweep(
    app: &TestApp,
    standin: &EventsV2,
    instance: &str,
    hours_later: i64,
) -> (Vec<String>, usize) {
    let mut settings = testkit::app::test_settings(&app.endpoint);
    settings.eventbridgev2_endpoint = Some(standin.endpoint().to_owned());
    settings.instance = instance.to_owned();
    let state = backend::state::AppState::from_settings(&settings).await;
    let at = time::OffsetDateTime::now_utc() + time::Duration::hours(hours_later);
    backend::v2::sweep::sweep(&state.sweep_ctx(), at).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_copy_delivers_only_where_the_deployment_and_the_role_allow() {
    let (app, standin) =
        spawn_app_with_v2(STILL, |s| s.event_bus_names = vec!["orders-*".to_owned()]).await;
    let fixture = fixture(&app, &standin, 1).await;
    let v2 = client(standin.endpoint());
    // A subscriber that forwards to another (classic) bus, and one its owner stopped.
    let forwarder = testkit::custom_bus::create_subscriber_as(
        &v2,
        &fixture.bus,
        "forwarder",
        (
            "arn:aws:events:us-east-1:000000000000:event-bus/search-feed",
            testkit::app::TEST_TARGET_ROLE,
        ),
        None,
    )
    .await;
    let forwarding = replay_body("onward", &fixture, &[&forwarder]);
    let operator = app
        .another({
            let endpoint = standin.endpoint().to_owned();
            |s| {
                s.eventbridgev2_endpoint = Some(endpoint);
                s.local_role = shared::roles::Role::Operator;
            }
        })
        .await;
    let refused = operator
        .call(Operation::StartV2Replay, &[], Some(&forwarding))
        .await;
    refused.assert_error(403, "Forbidden", Some("subscriberArns"));
    assert!(refused.message().contains("for admins"), "{}", refused.body);
    // An admin still may not forward to a bus outside the deployment's EventBusNames.
    let outside = app
        .call(Operation::StartV2Replay, &[], Some(&forwarding))
        .await;
    outside.assert_error(400, "ValidationError", Some("subscriberArns"));
    assert!(
        outside.message().contains("EventBusNames"),
        "{}",
        outside.body
    );
    v2.update_subscriber()
        .subscriber_arn(&fixture.audit)
        .state(aws_sdk_eventbridgev2::types::SubscriberState::Stopped)
        .send()
        .await
        .expect("stop audit");
    let stopped = app
        .call(
            Operation::StartV2Replay,
            &[],
            Some(&replay_body("stopped", &fixture, &[&fixture.audit])),
        )
        .await;
    stopped.assert_error(400, "ValidationError", Some("subscriberArns"));
    assert!(stopped.message().contains("stopped"), "{}", stopped.body);
    // A bus outside EventBusNames is refused before it is read.
    let elsewhere = fixture.bus.replace("orders-v2", "search-v2");
    let mut body = replay_body("far", &fixture, &[&fixture.billing]);
    body["eventBusArn"] = json!(elsewhere);
    app.call(Operation::StartV2Replay, &[], Some(&body))
        .await
        .assert_error(403, "Forbidden", Some("eventBusArn"));
    assert!(
        temporary(&standin, &fixture.bus).await.is_empty(),
        "nothing was made"
    );
}
