//! The Custom Event Bus (v2) stand-in `rewind-eventsv2` (testkit/src/eventsv2/) against what
//! speaks to AWS: boto3's own `eventbridgev2` client (every operation and every error of
//! the model, each raw answer walked against its shape), the Rust `aws-sdk-eventbridgev2`,
//! the wire itself, and deliveries to SQS on ministack with their `AWS/EventsV2` metrics.
//! docs/emulators-and-tools.md, "The Custom Event Bus (v2) stand-in".

#![allow(clippy::unwrap_used, clippy::expect_used)]

use aws_sdk_eventbridgev2 as v2;
use aws_sdk_eventbridgev2::primitives::DateTime;
use aws_sdk_eventbridgev2::types::{
    Filter, FilterConfiguration, FilterScope, InvokeConfiguration, OnFailureConfiguration,
    PointInTimeConfiguration, PointType, PutEventsRequestEntry, ResumePosition, RetryPolicy,
    StartingPosition, StorageConfiguration, SubscriberState, Transformer, TransformerType,
};
use serde_json::{Value, json};
use std::time::{Duration, SystemTime};
use testkit::custom_bus::client;
use testkit::eventsv2::cbor::{self, Item};
use testkit::eventsv2::{self, Config, EventsV2Process, service};
use testkit::figures::cloudwatch;
use testkit::{Emulator, EmulatorProcess, wait_until};

const ROLE: &str = "arn:aws:iam::000000000000:role/deliver";

fn sqs(endpoint: &str) -> aws_sdk_sqs::Client {
    testkit::app::sqs_client(endpoint, "test")
}

fn venv() -> std::path::PathBuf {
    std::env::var_os("REWIND_VENV")
        .map(Into::into)
        .unwrap_or_else(|| testkit::emulator::workspace_root().join(".venv"))
}

async fn active(
    c: &v2::Client,
    bus: &str,
) -> v2::operation::describe_event_bus::DescribeEventBusOutput {
    wait_until(
        "the bus ACTIVE",
        Duration::from_secs(10),
        Duration::from_millis(50),
        || async {
            let d = c
                .describe_event_bus()
                .event_bus_arn(bus)
                .send()
                .await
                .map_err(|e| e.to_string())?;
            match d.state().map(|s| s.as_str()) {
                Some("ACTIVE") => Ok(d),
                other => Err(format!("{other:?}")),
            }
        },
    )
    .await
    .unwrap()
}

fn now() -> DateTime {
    DateTime::from(SystemTime::now())
}

// ------------------------------------------------------------------------ boto3

/// boto3 (botocore 1.44.18, the emulator venv's `eventsv2-conformance`) drives the binary
/// through every operation it implements and every error of the model; each raw answer is
/// walked against botocore's shapes by the script, and the stand-in checks its own against
/// the vendored model (strict: a misfit would have been a 500).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn boto3_drives_every_operation_and_error_and_each_answer_fits_the_model() {
    let venv = venv();
    let python = venv.join("bin").join("python");
    let client_dir = venv.join("eventsv2-conformance");
    assert!(
        python.exists() && client_dir.join("botocore").exists(),
        "{} lacks the pinned boto3 eventbridgev2 client: run `cargo xtask test` (xtask/src/tools.rs, CONFORMANCE_CLIENT)",
        venv.display()
    );
    let mut standin = EventsV2Process::spawn(
        std::path::Path::new(env!("CARGO_BIN_EXE_rewind-eventsv2")),
        &[("REWIND_EVENTSV2_TRANSITION_MS", "200")],
    )
    .await
    .unwrap();
    let script = testkit::emulator::workspace_root().join("testkit/conformance/eventsv2_boto3.py");
    let output = tokio::process::Command::new(&python)
        .arg(&script)
        .arg(standin.endpoint())
        .arg(serde_json::to_string(service::IMPLEMENTED).unwrap())
        .env("PYTHONPATH", &client_dir)
        .env_remove("AWS_ENDPOINT_URL")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let summary: Value = stdout
        .lines()
        .last()
        .and_then(|l| serde_json::from_str(l).ok())
        .unwrap_or_else(|| {
            panic!("no summary from the script\nstdout: {stdout}\nstderr: {stderr}")
        });
    assert!(
        output.status.success(),
        "the conformance script failed: {summary:#}\nstderr: {stderr}"
    );
    let covered = summary["operationsCovered"].as_array().unwrap().len();
    let errors = summary["errorsCovered"].as_array().unwrap().len();
    eprintln!(
        "boto3 {}: {covered} of {} operations, {errors} of {} errors, {} answers checked",
        summary["botocore"],
        summary["operationsInModel"],
        summary["errorsInModel"].as_array().unwrap().len(),
        summary["answersChecked"]
    );
    assert_eq!(covered, service::IMPLEMENTED.len());
    assert_eq!(errors, 15, "every error of the model");
    let state: Value = reqwest::get(format!("{}/_eventsv2/state", standin.endpoint()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        state["violations"],
        json!([]),
        "answers that did not fit the model"
    );

    // The process dies with its owner.
    let endpoint = standin.endpoint().to_owned();
    standin.stop();
    assert!(
        reqwest::get(format!("{endpoint}/_eventsv2/health"))
            .await
            .is_err()
    );
}

// ------------------------------------------------------------------------ the wire

async fn raw(
    endpoint: &str,
    operation: &str,
    body: &Item,
    protocol: bool,
) -> (u16, reqwest::header::HeaderMap, Item) {
    let mut request = reqwest::Client::new()
        .post(format!(
            "{endpoint}/service/AWSEventsV2/operation/{operation}"
        ))
        .header("content-type", "application/cbor")
        .body(cbor::encode(body));
    if protocol {
        request = request.header("smithy-protocol", "rpc-v2-cbor");
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let bytes = response.bytes().await.unwrap();
    (status, headers, cbor::decode(&bytes).unwrap())
}

fn text(s: &str) -> Item {
    Item::Text(s.to_owned())
}

fn member<'a>(item: &'a Item, name: &str) -> Option<&'a Item> {
    match item {
        Item::Map(entries) => entries
            .iter()
            .find(|(k, _)| *k == text(name))
            .map(|(_, v)| v),
        _ => None,
    }
}

/// The protocol as the SDKs' code reads it: the route, `smithy-protocol`, CBOR maps,
/// timestamps as tag 1 epoch seconds, errors as `__type` + `Message` with the model's status.
#[tokio::test]
async fn speaks_smithy_rpc_v2_cbor() {
    let standin = eventsv2::start(Config::default()).await;
    let endpoint = standin.endpoint();
    let create = Item::Map(vec![(text("Name"), text("wire"))]);
    let (status, headers, body) = raw(endpoint, "CreateEventBus", &create, true).await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "application/cbor");
    assert_eq!(headers["smithy-protocol"], "rpc-v2-cbor");
    assert!(headers.contains_key("x-amzn-requestid"));
    assert!(
        matches!(member(&body, "CreationTime"), Some(Item::Tagged(1, inner)) if matches!(**inner, Item::Float(_))),
        "a timestamp is tag 1 of epoch seconds: {body:?}"
    );

    let (status, _, body) = raw(endpoint, "CreateEventBus", &create, true).await;
    assert_eq!(status, 409);
    assert_eq!(
        member(&body, "__type"),
        Some(&text("ResourceAlreadyExistsException"))
    );
    assert!(matches!(member(&body, "Message"), Some(Item::Text(_))));

    let (status, _, body) = raw(endpoint, "CreateEventBus", &create, false).await;
    assert_eq!(
        (status, member(&body, "__type")),
        (400, Some(&text("InvalidInputException"))),
        "no smithy-protocol header"
    );
    let (status, _, body) = raw(endpoint, "PutEverything", &create, true).await;
    assert_eq!(
        (status, member(&body, "__type")),
        (404, Some(&text("UnknownOperationException")))
    );
    let (status, _, body) = raw(endpoint, "ListEventSources", &Item::Map(vec![]), true).await;
    assert_eq!(
        (status, member(&body, "__type")),
        (400, Some(&text("UnsupportedOperation")))
    );

    // A timestamp must be tagged; an integer epoch inside tag 1 is fine.
    // The request without the header never reached the operation.
    assert_eq!(standin.calls("CreateEventBus").len(), 2);
    let pit = |point: Item| {
        Item::Map(vec![
            (text("Name"), text("s")),
            (
                text("EventBusArn"),
                text(
                    "arn:aws:events:us-east-1:000000000000:event-busv2/wire/abcdefghijklmnopqrstuvwxy",
                ),
            ),
            (
                text("InvokeConfiguration"),
                Item::Map(vec![
                    (
                        text("TargetArn"),
                        text("arn:aws:sqs:us-east-1:000000000000:q"),
                    ),
                    (text("RoleArn"), text(ROLE)),
                ]),
            ),
            (text("StartingPosition"), text("POINT_IN_TIME")),
            (
                text("PointInTimeConfiguration"),
                Item::Map(vec![
                    (text("PointType"), text("TIMESTAMP")),
                    (text("StartingPoint"), point),
                ]),
            ),
        ])
    };
    let (status, _, body) = raw(
        endpoint,
        "CreateSubscriber",
        &pit(Item::Int(1_700_000_000)),
        true,
    )
    .await;
    assert_eq!(status, 400);
    assert!(
        matches!(member(&body, "Message"), Some(Item::Text(m)) if m.contains("tag 1")),
        "{body:?}"
    );
    let (status, _, body) = raw(
        endpoint,
        "CreateSubscriber",
        &pit(Item::Tagged(1, Box::new(Item::Int(1_700_000_000)))),
        true,
    )
    .await;
    assert_eq!(
        (status, member(&body, "__type")),
        (404, Some(&text("ResourceNotFoundException"))),
        "a tagged integer is read"
    );
    assert_eq!(standin.violations(), Vec::<String>::new());
}

// ------------------------------------------------------------------------ Rust SDK

/// The Rust SDK reads every answer and maps each error to the model's variant; checks
/// botocore makes on the client (lengths, empty lists) are the stand-in's too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rust_sdk_reads_every_answer_and_error() {
    let standin = eventsv2::start(Config {
        transition: Duration::from_millis(100),
        ..Config::default()
    })
    .await;
    let c = client(standin.endpoint());
    let bus = c
        .create_event_bus()
        .name("orders")
        .storage_configuration(
            StorageConfiguration::builder()
                .retention_period_in_days(1)
                .build(),
        )
        .tags("team", "orders")
        .send()
        .await
        .unwrap();
    let bus = bus.event_bus_arn().unwrap().to_owned();
    let described = active(&c, &bus).await;
    let window = *described
        .storage_configuration()
        .unwrap()
        .retention_window_start_time()
        .unwrap();
    assert_eq!(Some(&window), described.creation_time());

    let e = c
        .describe_event_bus()
        .event_bus_arn(format!("{}zzzzz", &bus[..bus.len() - 5]))
        .send()
        .await
        .unwrap_err();
    assert!(
        e.as_service_error()
            .unwrap()
            .is_resource_not_found_exception(),
        "{e:?}"
    );
    let e = c.put_events().event_bus_arn(&bus).send().await.unwrap_err();
    assert!(
        e.as_service_error().unwrap().is_invalid_input_exception(),
        "Entries is required: {e:?}"
    );
    let e = c
        .list_event_buses()
        .max_results(0)
        .send()
        .await
        .unwrap_err();
    assert!(e.as_service_error().unwrap().is_invalid_input_exception());

    let entry = |n: i64| {
        PutEventsRequestEntry::builder()
            .source("shop")
            .detail_type("OrderPlaced")
            .detail(json!({"n": n}).to_string())
            .build()
            .unwrap()
    };
    let put = c
        .put_events()
        .event_bus_arn(&bus)
        .entries(entry(1))
        .entries(entry(2))
        .send()
        .await
        .unwrap();
    assert_eq!(put.failed_entry_count(), 0);
    assert_eq!(put.entries().len(), 2);

    let invoke = InvokeConfiguration::builder()
        .target_arn("arn:aws:sqs:us-east-1:000000000000:orders")
        .role_arn(ROLE)
        .build()
        .unwrap();
    let sub = c
        .create_subscriber()
        .name("replay")
        .event_bus_arn(&bus)
        .invoke_configuration(invoke.clone())
        .starting_position(StartingPosition::PointInTime)
        .point_in_time_configuration(
            PointInTimeConfiguration::builder()
                .point_type(PointType::Timestamp)
                .starting_point(window)
                .end_point(now())
                .build()
                .unwrap(),
        )
        .filter_configuration(
            FilterConfiguration::builder()
                .filters(
                    Filter::builder()
                        .scope(FilterScope::Data)
                        .pattern(r#"{"detail":{"n":[2]}}"#)
                        .build()
                        .unwrap(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    let sub = sub.subscriber_arn().unwrap().to_owned();
    let d = c
        .describe_subscriber()
        .subscriber_arn(&sub)
        .send()
        .await
        .unwrap();
    assert_eq!(d.state(), Some(&SubscriberState::Running));
    assert_eq!(d.revoked(), None);
    assert_eq!(d.batch_configuration().unwrap().max_batch_size(), Some(10));

    // Later than the window's start: refused once the clock moves past retention.
    standin.advance_clock(Duration::from_secs(2 * 24 * 3600));
    let e = c
        .create_subscriber()
        .name("late")
        .event_bus_arn(&bus)
        .invoke_configuration(invoke.clone())
        .starting_position(StartingPosition::PointInTime)
        .point_in_time_configuration(
            PointInTimeConfiguration::builder()
                .point_type(PointType::Timestamp)
                .starting_point(window)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap_err();
    assert!(
        e.as_service_error().unwrap().is_invalid_input_exception(),
        "{e:?}"
    );
    let moved = c
        .describe_event_bus()
        .event_bus_arn(&bus)
        .send()
        .await
        .unwrap();
    assert!(
        moved
            .storage_configuration()
            .unwrap()
            .retention_window_start_time()
            .unwrap()
            .secs()
            >= window.secs() + 24 * 3600
    );
    assert_eq!(
        standin.snapshot()["buses"][0]["retainedEvents"],
        0,
        "events past retention are gone"
    );

    c.update_subscriber()
        .subscriber_arn(&sub)
        .state(SubscriberState::Stopped)
        .send()
        .await
        .unwrap();
    let e = c
        .update_subscriber()
        .subscriber_arn(&sub)
        .state(SubscriberState::Running)
        .resume_position(ResumePosition::Latest)
        .send()
        .await
        .unwrap_err();
    assert!(
        e.as_service_error().unwrap().is_invalid_input_exception(),
        "a bounded replay cannot skip to LATEST"
    );
    c.revoke_resource().arn(&sub).send().await.unwrap();
    let e = c
        .update_subscriber()
        .subscriber_arn(&sub)
        .state(SubscriberState::Running)
        .send()
        .await
        .unwrap_err();
    assert!(
        e.as_service_error().unwrap().is_invalid_state_exception(),
        "{e:?}"
    );
    let listed = c
        .list_subscribers()
        .event_bus_arn(&bus)
        .send()
        .await
        .unwrap();
    assert_eq!(listed.subscribers()[0].revoked(), Some(true));
    c.tag_resource()
        .resource_arn(&bus)
        .tags("a", "b")
        .send()
        .await
        .unwrap();
    let tags = c
        .list_tags_for_resource()
        .resource_arn(&bus)
        .send()
        .await
        .unwrap();
    assert_eq!(tags.tags().unwrap().get("a").map(String::as_str), Some("b"));
    c.untag_resource()
        .resource_arn(&bus)
        .tag_keys("a")
        .send()
        .await
        .unwrap();

    let document = r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"111111111111"},"Action":"events:PutEvents","Resource":"*"}]}"#;
    let put = c
        .put_resource_policy()
        .resource_arn(&bus)
        .policy_document(document)
        .send()
        .await
        .unwrap();
    let got = c
        .get_resource_policy()
        .resource_arn(&bus)
        .send()
        .await
        .unwrap();
    assert_eq!(
        (got.policy_document(), got.revision_id()),
        (document, put.revision_id().unwrap())
    );
    let listed = c
        .list_resource_policies()
        .resource_arn(&bus)
        .send()
        .await
        .unwrap();
    assert_eq!(listed.policy_summaries().len(), 1);
    let e = c
        .put_resource_policy()
        .resource_arn(&bus)
        .policy_document(r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*"}]}"#)
        .send()
        .await
        .unwrap_err();
    assert!(
        e.as_service_error().unwrap().is_public_policy_exception(),
        "{e:?}"
    );
    c.delete_resource_policy()
        .resource_arn(&bus)
        .send()
        .await
        .unwrap();

    c.delete_event_bus()
        .event_bus_arn(&bus)
        .send()
        .await
        .expect("revoked subscribers do not hold a bus");
    let deleting = c
        .describe_event_bus()
        .event_bus_arn(&bus)
        .send()
        .await
        .unwrap();
    assert_eq!(deleting.state().map(|s| s.as_str()), Some("DELETING"));
    assert_eq!(standin.violations(), Vec::<String>::new());
}

// -------------------------------------------------------------------- delivery

async fn receive(
    sqs: &aws_sdk_sqs::Client,
    url: &str,
    expected: usize,
    within: Duration,
) -> Vec<Value> {
    testkit::app::receive(sqs, url, expected, within, |_| true).await
}

async fn metric_sum(cw: &aws_sdk_cloudwatch::Client, name: &str, bus: &str, sub: &str) -> f64 {
    use aws_sdk_cloudwatch::types::{Dimension, Metric, MetricDataQuery, MetricStat};
    let start = aws_sdk_cloudwatch::primitives::DateTime::from(
        SystemTime::now() - Duration::from_secs(600),
    );
    let end = aws_sdk_cloudwatch::primitives::DateTime::from(
        SystemTime::now() + Duration::from_secs(600),
    );
    let out = cw
        .get_metric_data()
        .start_time(start)
        .end_time(end)
        .metric_data_queries(
            MetricDataQuery::builder()
                .id("m")
                .metric_stat(
                    MetricStat::builder()
                        .metric(
                            Metric::builder()
                                .namespace("AWS/EventsV2")
                                .metric_name(name)
                                .dimensions(
                                    Dimension::builder().name("EventBus").value(bus).build(),
                                )
                                .dimensions(
                                    Dimension::builder().name("Subscriber").value(sub).build(),
                                )
                                .build(),
                        )
                        .period(60)
                        .stat("Sum")
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    out.metric_data_results()
        .iter()
        .flat_map(|r| r.values().iter().copied())
        .sum()
}

/// Deliveries to SQS on ministack: a live subscriber, two point-in-time windows that split
/// the history between them, a filter, a failing target dead-lettered, stop and resume, and
/// the `AWS/EventsV2` metrics in ministack's CloudWatch.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delivers_to_sqs_on_ministack_replays_windows_stops_and_resumes() {
    let ministack = EmulatorProcess::start(Emulator::Ministack).await;
    let standin = eventsv2::start(Config {
        aws_endpoint: Some(ministack.endpoint()),
        transition: Duration::from_millis(100),
        metrics_interval: Duration::from_millis(300),
        ..Config::default()
    })
    .await;
    let c = client(standin.endpoint());
    let q = sqs(&ministack.endpoint());
    let mut urls = std::collections::HashMap::new();
    for name in ["live", "window-a", "window-b", "kind-b", "dlq"] {
        let url = q.create_queue().queue_name(name).send().await.unwrap();
        urls.insert(name, url.queue_url().unwrap().to_owned());
    }
    let arn = |name: &str| format!("arn:aws:sqs:us-east-1:000000000000:{name}");
    let invoke = |queue: &str| {
        InvokeConfiguration::builder()
            .target_arn(arn(queue))
            .role_arn(ROLE)
            .build()
            .unwrap()
    };

    let bus = c
        .create_event_bus()
        .name("orders")
        .send()
        .await
        .unwrap()
        .event_bus_arn()
        .unwrap()
        .to_owned();
    let window = *active(&c, &bus)
        .await
        .storage_configuration()
        .unwrap()
        .retention_window_start_time()
        .unwrap();
    let put = |kind: &'static str, n: std::ops::Range<i64>| {
        let c = c.clone();
        let bus = bus.clone();
        async move {
            let mut request = c.put_events().event_bus_arn(&bus);
            for i in n {
                request = request.entries(
                    PutEventsRequestEntry::builder()
                        .source("shop")
                        .detail_type("OrderPlaced")
                        .detail(json!({"kind": kind, "n": i}).to_string())
                        .build()
                        .unwrap(),
                );
            }
            let out = request.send().await.unwrap();
            assert_eq!(out.failed_entry_count(), 0);
        }
    };
    put("a", 0..3).await;
    tokio::time::sleep(Duration::from_millis(30)).await;
    let middle = now();
    tokio::time::sleep(Duration::from_millis(30)).await;
    put("b", 3..5).await;
    tokio::time::sleep(Duration::from_millis(30)).await;
    let end = now();
    tokio::time::sleep(Duration::from_millis(30)).await;

    let create = |name: &'static str, queue: &'static str| {
        c.create_subscriber()
            .name(name)
            .event_bus_arn(&bus)
            .invoke_configuration(invoke(queue))
    };
    let pit = |start: DateTime, end: DateTime| {
        PointInTimeConfiguration::builder()
            .point_type(PointType::Timestamp)
            .starting_point(start)
            .end_point(end)
            .build()
            .unwrap()
    };
    let live = create("live", "live")
        .send()
        .await
        .unwrap()
        .subscriber_arn()
        .unwrap()
        .to_owned();
    let window_a = create("window-a", "window-a")
        .starting_position(StartingPosition::PointInTime)
        .point_in_time_configuration(pit(window, middle))
        .send()
        .await
        .unwrap()
        .subscriber_arn()
        .unwrap()
        .to_owned();
    let window_b = create("window-b", "window-b")
        .starting_position(StartingPosition::PointInTime)
        .point_in_time_configuration(pit(middle, end))
        .transformer(
            Transformer::builder()
                .r#type(TransformerType::WithMetadata)
                .build(),
        )
        .send()
        .await
        .unwrap()
        .subscriber_arn()
        .unwrap()
        .to_owned();
    let kind_b = create("kind-b", "kind-b")
        .starting_position(StartingPosition::PointInTime)
        .point_in_time_configuration(
            PointInTimeConfiguration::builder()
                .point_type(PointType::Horizon)
                .build()
                .unwrap(),
        )
        .filter_configuration(
            FilterConfiguration::builder()
                .filters(
                    Filter::builder()
                        .scope(FilterScope::Data)
                        .pattern(r#"{"detail":{"kind":["b"]}}"#)
                        .build()
                        .unwrap(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap()
        .subscriber_arn()
        .unwrap()
        .to_owned();
    let failing = create("failing", "no-such-queue")
        .retry_policy(RetryPolicy::builder().max_retry_attempts(1).build())
        .on_failure_configuration(OnFailureConfiguration::builder().arn(arn("dlq")).build())
        .send()
        .await
        .unwrap()
        .subscriber_arn()
        .unwrap()
        .to_owned();
    put("c", 5..6).await;

    let within = Duration::from_secs(15);
    let a = receive(&q, &urls["window-a"], 3, within).await;
    let ns: Vec<i64> = a
        .iter()
        .map(|b| b["detail"]["n"].as_i64().unwrap())
        .collect();
    assert_eq!(
        ns,
        [0, 1, 2],
        "window a: the events before the middle, in order, as the classic envelope"
    );
    assert_eq!(a[0]["source"], "shop");
    let b = receive(&q, &urls["window-b"], 2, within).await;
    let ns: Vec<i64> = b
        .iter()
        .map(|b| b["Data"]["detail"]["n"].as_i64().unwrap())
        .collect();
    assert_eq!(
        ns,
        [3, 4],
        "window b: from the middle to the end, nothing after"
    );
    assert_eq!(b[0]["SystemMetadata"]["aws:DeliveryType"], "REPLAY");
    assert_eq!(b[0]["SystemMetadata"]["aws:Source"], "shop");
    let kinds = receive(&q, &urls["kind-b"], 2, within).await;
    assert_eq!(
        kinds
            .iter()
            .map(|b| b["detail"]["n"].as_i64().unwrap())
            .collect::<Vec<_>>(),
        [3, 4]
    );
    let got = receive(&q, &urls["live"], 1, within).await;
    assert_eq!(
        got.iter()
            .map(|b| b["detail"]["n"].as_i64().unwrap())
            .collect::<Vec<_>>(),
        [5],
        "LATEST: only what came after"
    );
    let dead = receive(&q, &urls["dlq"], 1, within).await;
    assert_eq!(dead.len(), 1, "the failing target's event is dead-lettered");
    assert_eq!(dead[0]["subscriberArn"], failing.as_str());
    assert_eq!(dead[0]["retryAttempts"], 1);
    assert_eq!(dead[0]["exhaustedRetryCondition"], "MaximumRetryAttempts");
    assert_eq!(dead[0]["failedMessages"].as_array().unwrap().len(), 1);
    c.delete_subscriber()
        .subscriber_arn(&failing)
        .send()
        .await
        .unwrap();

    // Past their end points both windows are caught up, still RUNNING.
    let snapshot = standin.snapshot();
    for sub in [&window_a, &window_b] {
        let s = snapshot["subscribers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["arn"] == sub.as_str())
            .unwrap();
        assert_eq!(
            (s["state"].as_str(), s["caughtUpToEndPoint"].as_bool()),
            (Some("RUNNING"), Some(true)),
            "{s}"
        );
    }
    assert!(
        receive(&q, &urls["window-a"], 1, Duration::from_secs(1))
            .await
            .is_empty()
    );

    // Stop, publish, nothing arrives; resume where it stopped.
    c.update_subscriber()
        .subscriber_arn(&live)
        .state(SubscriberState::Stopped)
        .send()
        .await
        .unwrap();
    put("d", 6..8).await;
    assert!(
        receive(&q, &urls["live"], 1, Duration::from_secs(2))
            .await
            .is_empty(),
        "a STOPPED subscriber delivers nothing"
    );
    c.update_subscriber()
        .subscriber_arn(&live)
        .state(SubscriberState::Running)
        .resume_position(ResumePosition::LastProcessed)
        .send()
        .await
        .unwrap();
    let resumed = receive(&q, &urls["live"], 2, within).await;
    assert_eq!(
        resumed
            .iter()
            .map(|b| b["detail"]["n"].as_i64().unwrap())
            .collect::<Vec<_>>(),
        [6, 7]
    );

    // The figures a report reads.
    let cw = cloudwatch(&ministack.endpoint());
    let delivered = wait_until(
        "EventsDelivered in ministack",
        within,
        Duration::from_millis(300),
        || async {
            let sum = metric_sum(&cw, "EventsDelivered", &bus, &window_a).await;
            if sum >= 3.0 {
                Ok(sum)
            } else {
                Err(format!("{sum}"))
            }
        },
    )
    .await
    .unwrap();
    assert_eq!(delivered, 3.0);
    assert_eq!(metric_sum(&cw, "FilterMatched", &bus, &kind_b).await, 2.0);
    assert!(metric_sum(&cw, "FilterEvaluated", &bus, &kind_b).await >= 5.0);
    assert_eq!(
        metric_sum(&cw, "OnFailureDestinationDelivered", &bus, &failing).await,
        1.0
    );
    assert_eq!(
        metric_sum(&cw, "EventDeliveryAttempts", &bus, &failing).await,
        2.0
    );

    for sub in [&live, &window_a, &window_b, &kind_b] {
        c.delete_subscriber()
            .subscriber_arn(sub)
            .send()
            .await
            .unwrap();
    }
    c.delete_event_bus()
        .event_bus_arn(&bus)
        .send()
        .await
        .unwrap();
    assert_eq!(standin.violations(), Vec::<String>::new());
    assert_eq!(standin.snapshot()["metricErrors"], json!([]));
}
