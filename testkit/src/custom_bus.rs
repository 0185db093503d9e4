//! Custom Event Bus (v2) fixtures shared by the API and browser tests and the demo: the
//! app against ministack and the v2 stand-in (`crate::eventsv2`), and the buses,
//! subscribers and events a test arranges with AWS's own `aws-sdk-eventbridgev2` client.

use crate::app::{Emulator, EmulatorProcess, TEST_TARGET_ROLE, TestApp, spawn_backend};
use crate::eventsv2::{self, Config, EventsV2};
use aws_sdk_eventbridgev2 as v2;
use backend::configuration::Settings;
use serde_json::json;
use std::time::Duration;

/// The app against a fresh ministack and a v2 stand-in delivering through it (its
/// subscribers advance every `tick`: an hour keeps a replay RUNNING), configured further
/// by `configure`.
pub async fn spawn_app_with_v2(
    tick: Duration,
    configure: impl FnOnce(&mut Settings),
) -> (TestApp, EventsV2) {
    let ministack = EmulatorProcess::start(Emulator::Ministack).await;
    let standin = eventsv2::start(Config {
        aws_endpoint: Some(ministack.endpoint()),
        tick,
        ..Config::default()
    })
    .await;
    let v2_endpoint = standin.endpoint().to_owned();
    let mut app = spawn_backend(&ministack.endpoint(), |s| {
        s.eventbridgev2_endpoint = Some(v2_endpoint);
        configure(s);
    })
    .await;
    app.emulator = Some(ministack);
    (app, standin)
}

/// AWS's v2 client on `endpoint` (the stand-in).
pub fn client(endpoint: &str) -> v2::Client {
    crate::emulator_client!(aws_sdk_eventbridgev2, endpoint, "test")
}

/// Creates bus `name` keeping events `days` days and waits until it is ACTIVE; its ARN.
pub async fn create_bus(v2: &v2::Client, name: &str, days: i32, description: &str) -> String {
    let made = v2
        .create_event_bus()
        .name(name)
        .description(description)
        .storage_configuration(
            v2::types::StorageConfiguration::builder()
                .retention_period_in_days(days)
                .build(),
        )
        .send()
        .await
        .unwrap_or_else(|e| panic!("create v2 bus {name}: {e:?}"));
    let arn = made.event_bus_arn().expect("a bus ARN").to_owned();
    crate::wait_until(
        "the v2 bus to be ACTIVE",
        Duration::from_secs(10),
        Duration::from_millis(50),
        || async {
            let described = v2.describe_event_bus().event_bus_arn(&arn).send().await;
            match described.ok().and_then(|d| d.state().cloned()) {
                Some(v2::types::BusState::Active) => Ok(()),
                _ => Err("not yet"),
            }
        },
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    arn
}

/// Creates subscriber `name` on `bus_arn` delivering to the SQS queue `queue_arn` (with
/// the fixtures' role, which the test deployment may pass), filtered by `pattern` if
/// given; its ARN.
pub async fn create_subscriber(
    v2: &v2::Client,
    bus_arn: &str,
    name: &str,
    queue_arn: &str,
    pattern: Option<&str>,
) -> String {
    create_subscriber_as(v2, bus_arn, name, (queue_arn, TEST_TARGET_ROLE), pattern).await
}

/// As [`create_subscriber`], invoking the queue with `role`.
pub async fn create_subscriber_as(
    v2: &v2::Client,
    bus_arn: &str,
    name: &str,
    (queue_arn, role): (&str, &str),
    pattern: Option<&str>,
) -> String {
    let invoke = v2::types::InvokeConfiguration::builder()
        .role_arn(role)
        .target_arn(queue_arn)
        .build()
        .expect("invoke configuration");
    let filter = pattern.map(data_filter).transpose().expect("a filter");
    v2.create_subscriber()
        .name(name)
        .event_bus_arn(bus_arn)
        .invoke_configuration(invoke)
        .set_filter_configuration(filter)
        .send()
        .await
        .unwrap_or_else(|e| panic!("create subscriber {name}: {e:?}"))
        .subscriber_arn()
        .expect("a subscriber ARN")
        .to_owned()
}

/// A filter on the event's data (`DATA` scope) with `pattern`.
fn data_filter(pattern: &str) -> Result<v2::types::FilterConfiguration, v2::error::BuildError> {
    let filter = v2::types::Filter::builder()
        .pattern(pattern)
        .scope(v2::types::FilterScope::Data)
        .build()?;
    Ok(v2::types::FilterConfiguration::builder()
        .filters(filter)
        .build())
}

/// Puts `count` `OrderCreated` events from `shop.orders` on the bus.
///
/// The events come after the first whole second the bus keeps ([`kept_from`]), so a
/// window that starts there holds them however fast the bus was made.
pub async fn put_order_events(v2: &v2::Client, bus_arn: &str, count: u32) {
    let from = kept_from(v2, bus_arn)
        .await
        .expect("the retention window's start");
    let wait = from + time::Duration::milliseconds(50) - time::OffsetDateTime::now_utc();
    if wait.is_positive() {
        tokio::time::sleep(wait.unsigned_abs()).await;
    }
    for i in 0..count {
        v2.put_events()
            .event_bus_arn(bus_arn)
            .entries(
                v2::types::PutEventsRequestEntry::builder()
                    .source("shop.orders")
                    .detail_type("OrderCreated")
                    .detail(json!({"orderId": i}).to_string())
                    .build()
                    .expect("entry"),
            )
            .send()
            .await
            .expect("put events");
    }
}

/// The first whole second bus `bus_arn` keeps events from: a replay's window may start
/// there (the service takes whole seconds).
pub async fn kept_from(v2: &v2::Client, bus_arn: &str) -> Result<time::OffsetDateTime, String> {
    let described = v2
        .describe_event_bus()
        .event_bus_arn(bus_arn)
        .send()
        .await
        .map_err(|e| format!("describe {bus_arn}: {}", v2::error::DisplayErrorContext(e)))?;
    let since = described
        .storage_configuration()
        .and_then(|s| s.retention_window_start_time())
        .ok_or_else(|| format!("{bus_arn} has no retention window"))?;
    time::OffsetDateTime::from_unix_timestamp(since.secs() + 1).map_err(|e| e.to_string())
}

/// The names of the subscribers of `bus_arn`, as the service lists them.
pub async fn subscriber_names(v2: &v2::Client, bus_arn: &str) -> Vec<String> {
    v2.list_subscribers()
        .event_bus_arn(bus_arn)
        .send()
        .await
        .expect("list subscribers")
        .subscribers()
        .iter()
        .filter_map(|s| s.name().map(str::to_owned))
        .collect()
}

/// The project's v2 stand-in, delivering through ministack at `aws_endpoint`, with the
/// demo's Custom Event Bus seeded (`demo`): what `cargo xtask dev`, Lighthouse and the
/// load test run the v2 pages against, as no emulator models the service. Answers the
/// stand-in and the seed's one-line summary.
pub async fn demo_stand_in(aws_endpoint: &str) -> Result<(EventsV2, String), String> {
    let v2 = eventsv2::start(Config {
        aws_endpoint: Some(aws_endpoint.to_owned()),
        ..Default::default()
    })
    .await;
    let seeded = demo(v2.endpoint(), aws_endpoint).await?;
    Ok((v2, seeded))
}

/// The demo's Custom Event Bus, for `cargo xtask dev`: bus `orders-v2` keeping events 7
/// days, subscribers `billing` (order payments) and `audit` (everything) on SQS queues
/// of ministack at `aws_endpoint`, and 200 order events over the last two hours (the
/// stand-in's clock is set back while they are put, then brought to now).
pub async fn demo(v2_endpoint: &str, aws_endpoint: &str) -> Result<String, String> {
    let http = reqwest::Client::new();
    let shift = |seconds: f64| {
        let http = http.clone();
        async move {
            http.post(format!("{v2_endpoint}/_eventsv2/clock"))
                .json(&json!({"advanceSeconds": seconds}))
                .send()
                .await
                .and_then(reqwest::Response::error_for_status)
                .map(|_| ())
                .map_err(|e| format!("seeding the v2 demo: the stand-in's clock: {e}"))
        }
    };
    fn fail(what: &'static str) -> impl Fn(&dyn std::fmt::Display) -> String {
        move |e| format!("seeding the v2 demo: {what}: {e}")
    }
    const HOURS: f64 = 2.0;
    const STEPS: u32 = 20;
    shift(-HOURS * 3600.0).await?;
    let v2 = client(v2_endpoint);
    let bus = v2
        .create_event_bus()
        .name("orders-v2")
        .description("Order events (Custom Event Bus), kept a week")
        .storage_configuration(
            v2::types::StorageConfiguration::builder()
                .retention_period_in_days(7)
                .build(),
        )
        .send()
        .await
        .map_err(|e| fail("the bus")(&v2::error::DisplayErrorContext(e)))?
        .event_bus_arn()
        .unwrap_or_default()
        .to_owned();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let sqs = crate::app::sqs_client(aws_endpoint, "rewind-local");
    for (name, pattern) in [
        ("billing", Some(r#"{"detail-type":["OrderPaid"]}"#)),
        ("audit", None),
    ] {
        let url = sqs
            .create_queue()
            .queue_name(format!("orders-v2-{name}"))
            .send()
            .await
            .map_err(|e| fail("a queue")(&aws_sdk_sqs::error::DisplayErrorContext(e)))?
            .queue_url()
            .unwrap_or_default()
            .to_owned();
        let queue = crate::app::queue_arn(&sqs, &url).await?;
        let invoke = v2::types::InvokeConfiguration::builder()
            .role_arn(DEMO_SUBSCRIBER_ROLE)
            .target_arn(queue)
            .build()
            .map_err(|e| fail("a subscriber")(&e))?;
        let filter = pattern
            .map(data_filter)
            .transpose()
            .map_err(|e| fail("a filter")(&e))?;
        v2.create_subscriber()
            .name(name)
            .event_bus_arn(&bus)
            .invoke_configuration(invoke)
            .set_filter_configuration(filter)
            .send()
            .await
            .map_err(|e| fail("a subscriber")(&v2::error::DisplayErrorContext(e)))?;
    }
    let kinds = [
        "OrderCreated",
        "OrderPaid",
        "OrderShipped",
        "OrderCancelled",
    ];
    for step in 0..STEPS {
        let entries: Vec<v2::types::PutEventsRequestEntry> = (0..10)
            .filter_map(|i| {
                let n = step * 10 + i;
                v2::types::PutEventsRequestEntry::builder()
                    .source("shop.orders")
                    .detail_type(kinds[(n % 4) as usize])
                    .detail(json!({"orderId": n, "total": (n * 37) % 900}).to_string())
                    .build()
                    .ok()
            })
            .collect();
        v2.put_events()
            .event_bus_arn(&bus)
            .set_entries(Some(entries))
            .send()
            .await
            .map_err(|e| fail("events")(&v2::error::DisplayErrorContext(e)))?;
        shift(HOURS * 3600.0 / f64::from(STEPS)).await?;
    }
    Ok("Custom Event Bus orders-v2 (7 days) with subscribers billing and audit, 200 events over the last two hours".to_owned())
}

/// The role the demo's subscribers invoke their queues with; the demo deployment lists it
/// in `REWIND_TARGET_ROLE_ARNS`, so replays may copy them.
pub const DEMO_SUBSCRIBER_ROLE: &str = "arn:aws:iam::000000000000:role/rewind-demo-subscriber";

/// The demo's completed v2 replay, through the backend at `base`: the first half hour
/// `orders-v2` kept, to `audit`.
pub async fn demo_replay(base: &str) -> Result<String, String> {
    let http = reqwest::Client::new();
    let fail =
        |what: &str, e: &dyn std::fmt::Display| format!("seeding the v2 demo replay: {what}: {e}");
    let get = |path: String| {
        let http = http.clone();
        async move {
            http.get(format!("{base}{path}"))
                .send()
                .await
                .map_err(|e| e.to_string())?
                .json::<serde_json::Value>()
                .await
                .map_err(|e| e.to_string())
        }
    };
    let buses = get(crate::app::path(
        crate::app::Operation::ListV2EventBuses,
        &[],
    ))
    .await
    .map_err(|e| fail("buses", &e))?;
    let bus = buses["eventBuses"]
        .as_array()
        .and_then(|b| b.iter().find(|b| b["name"] == "orders-v2"))
        .cloned()
        .ok_or_else(|| fail("buses", &buses))?;
    let subscribers = get(crate::app::path(
        crate::app::Operation::ListV2Subscribers,
        &["orders-v2"],
    ))
    .await
    .map_err(|e| fail("subscribers", &e))?;
    let audit = subscribers["subscribers"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["name"] == "audit"))
        .and_then(|s| s["arn"].as_str())
        .map(str::to_owned)
        .ok_or_else(|| fail("subscribers", &subscribers))?;
    let from = bus["retentionWindowStartTime"]
        .as_str()
        .and_then(|t| shared::timestamp::parse(t).ok())
        .ok_or_else(|| fail("the retention window", &bus))?;
    let from = from.replace_nanosecond(0).unwrap_or(from) + time::Duration::seconds(1);
    let body = json!({
        "replayName": "orders-v2-audit-demo",
        "description": "Demo: the first half hour orders-v2 kept, to audit again",
        "eventBusArn": bus["arn"],
        "subscriberArns": [audit],
        "eventStartTime": shared::timestamp::format(from),
        "eventEndTime": shared::timestamp::format(from + time::Duration::minutes(30)),
    });
    let reply = http
        .post(format!(
            "{base}{}",
            crate::app::path(crate::app::Operation::StartV2Replay, &[])
        ))
        .json(&body)
        .send()
        .await
        .map_err(|e| fail("start", &e))?;
    if !reply.status().is_success() {
        let text = reply.text().await.unwrap_or_default();
        return Err(fail("start", &text));
    }
    Ok(
        "v2 replay orders-v2-audit-demo (the first half hour, to audit; completes in a moment)"
            .to_owned(),
    )
}
