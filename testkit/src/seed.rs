//! Demo data for `cargo xtask dev` and the reliability runs: a bus `orders` with three
//! rules, ~200 events over the last two hours, archives `orders-all` and
//! `orders-created`, one completed replay, (through the backend, once it runs) two
//! replay jobs, one run to the end, one paused, and seeded delivery figures for the
//! replay and the finished job's reports.

use crate::app::{
    HEALTH, Operation, SHOP_ORDERS, SHOP_ORDERS_NOT_REPLAYED, eventbridge_client, path, queue_arn,
    sqs_client,
};
use aws_sdk_eventbridge::Client;
use aws_sdk_eventbridge::primitives::DateTime;
use aws_sdk_eventbridge::types::{PutEventsRequestEntry, ReplayDestination};
use std::time::{Duration, SystemTime};

const BUS: &str = "orders";
/// The static key the seed signs with.
const KEY: &str = "rewind-local";
const RULES: &[(&str, &str)] = &[
    (
        "order-created",
        r#"{"source":["shop.orders"],"detail-type":["OrderCreated"]}"#,
    ),
    (
        "order-shipped",
        r#"{"source":["shop.orders"],"detail-type":["OrderShipped"]}"#,
    ),
    (
        "large-orders",
        r#"{"source":["shop.orders"],"detail":{"total":[{"numeric":[">",500]}]}}"#,
    ),
];
const KINDS: &[&str] = &[
    "OrderCreated",
    "OrderPaid",
    "OrderShipped",
    "OrderCancelled",
];

fn fail(what: &str) -> impl Fn(aws_sdk_eventbridge::Error) -> String + '_ {
    move |e| format!("seeding demo data: {what}: {e}")
}

/// The demo bus's key: an alias ARN, as a team would set it.
pub const DEMO_BUS_KEY: &str = "arn:aws:kms:us-east-1:000000000000:alias/orders-events";
/// Order lines in the demo's large event (about 800 KB: under 1 MB with its envelope).
pub const LARGE_EVENT_LINES: usize = 8000;

/// The detail of an imported bulk order with `lines` order lines, about 100 bytes each.
pub fn large_order_detail(lines: usize) -> String {
    let items: Vec<String> = (0..lines)
        .map(|i| {
            format!(
                r#"{{"sku":"SKU-{i:05}","qty":{},"title":"Demo item {i:05} of a bulk import","price":{}.99}}"#,
                i % 7 + 1,
                i % 90 + 5
            )
        })
        .collect();
    format!(
        r#"{{"orderId":"o-bulk-import","customer":"c-0042","lines":[{}]}}"#,
        items.join(",")
    )
}

pub async fn demo_data(endpoint: &str) -> Result<Vec<String>, String> {
    let eb = eventbridge_client(endpoint, KEY);

    let bus_arn = eb
        .create_event_bus()
        .name(BUS)
        .description("Demo: the shop's order events")
        // A customer managed key (the emulator does not check it), so the archive
        // pages show a bus's key, and orders-all (without one) the warning.
        .kms_key_identifier(DEMO_BUS_KEY)
        .send()
        .await
        .map_err(|e| fail("create bus")(e.into()))?
        .event_bus_arn()
        .map(str::to_owned)
        .ok_or("the emulator returned no bus ARN")?;
    for (name, pattern) in RULES {
        eb.put_rule()
            .name(*name)
            .event_bus_name(BUS)
            .event_pattern(*pattern)
            .description("Demo rule")
            .send()
            .await
            .map_err(|e| fail("put rule")(e.into()))?;
    }
    let all = eb
        .create_archive()
        .archive_name("orders-all")
        .event_source_arn(&bus_arn)
        .description("Every order event, kept indefinitely")
        .send()
        .await
        .map_err(|e| fail("create archive orders-all")(e.into()))?
        .archive_arn()
        .map(str::to_owned)
        .ok_or("the emulator returned no archive ARN")?;
    eb.create_archive()
        .archive_name("orders-created")
        .event_source_arn(&bus_arn)
        .description("New orders only, for 30 days")
        .event_pattern(r#"{"source":["shop.orders"],"detail-type":["OrderCreated"]}"#)
        .retention_days(30)
        .kms_key_identifier(DEMO_BUS_KEY)
        .send()
        .await
        .map_err(|e| fail("create archive orders-created")(e.into()))?;

    // 200 events, one every 36 seconds over the last two hours.
    let now = SystemTime::now();
    let entries: Vec<PutEventsRequestEntry> = (0..200u32)
        .map(|i| {
            let at = now - Duration::from_secs(u64::from(200 - i) * 36);
            let kind = KINDS[i as usize % KINDS.len()];
            PutEventsRequestEntry::builder()
                .event_bus_name(BUS)
                .source("shop.orders")
                .detail_type(kind)
                .time(DateTime::from(at))
                .detail(format!(
                    r#"{{"orderId":"o-{i:04}","total":{}}}"#,
                    (i * 37) % 900 + 10
                ))
                .build()
        })
        .collect();
    for batch in entries.chunks(10) {
        eb.put_events()
            .set_entries(Some(batch.to_vec()))
            .send()
            .await
            .map_err(|e| fail("put events")(e.into()))?;
    }
    // One large event (EventBridge carries up to 1 MB since January 2026), 20 minutes
    // ago: inside a peek's default window (15 minutes ending 10 minutes ago).
    eb.put_events()
        .entries(
            PutEventsRequestEntry::builder()
                .event_bus_name(BUS)
                .source("shop.orders")
                .detail_type("OrderImported")
                .time(DateTime::from(now - Duration::from_secs(20 * 60)))
                .detail(large_order_detail(LARGE_EVENT_LINES))
                .build(),
        )
        .send()
        .await
        .map_err(|e| fail("put the large event")(e.into()))?;

    let destination = ReplayDestination::builder()
        .arn(&bus_arn)
        .build()
        .map_err(|e| e.to_string())?;
    eb.start_replay()
        .replay_name("orders-backfill-demo")
        .description("Demo: replay of the last two hours")
        .event_source_arn(&all)
        .event_start_time(DateTime::from(now - Duration::from_secs(2 * 3600)))
        .event_end_time(DateTime::from(now))
        .destination(destination)
        .send()
        .await
        .map_err(|e| fail("start replay")(e.into()))?;
    staging(endpoint, &eb).await?;
    Ok(vec![
        format!("bus {BUS} (3 rules, customer managed key), 200 events and one of ~{} KB (peek orders-all), archives orders-all (no key: warned) and orders-created (the bus's key), replay orders-backfill-demo", large_order_detail(LARGE_EVENT_LINES).len() / 1000),
        "bus orders-staging (rule staging-orders → queue orders-staging-inbox; rule staging-no-replays opts out), to forward a replay to".to_owned(),
    ])
}

/// `orders-staging`: a bus to forward replays of `orders` to, with a rule whose target is
/// a queue, and a rule that opts out of replays (so the preview warns about it).
async fn staging(endpoint: &str, eb: &Client) -> Result<(), String> {
    eb.create_event_bus()
        .name("orders-staging")
        .description("Demo: staging, to forward production replays to")
        .send()
        .await
        .map_err(|e| fail("create staging bus")(e.into()))?;
    let sqs = sqs_client(endpoint, KEY);
    let url = sqs
        .create_queue()
        .queue_name("orders-staging-inbox")
        .send()
        .await
        .map_err(|e| format!("seeding demo data: create queue: {e}"))?
        .queue_url()
        .map(str::to_owned)
        .unwrap_or_default();
    let arn = queue_arn(&sqs, &url)
        .await
        .map_err(|e| format!("seeding demo data: {e}"))?;
    for (rule, pattern) in [
        ("staging-orders", SHOP_ORDERS),
        ("staging-no-replays", SHOP_ORDERS_NOT_REPLAYED),
    ] {
        eb.put_rule()
            .name(rule)
            .event_bus_name("orders-staging")
            .event_pattern(pattern)
            .send()
            .await
            .map_err(|e| fail("staging rule")(e.into()))?;
    }
    eb.put_targets()
        .rule("staging-orders")
        .event_bus_name("orders-staging")
        .targets(
            aws_sdk_eventbridge::types::Target::builder()
                .id("inbox")
                .arn(arn)
                .build()
                .map_err(|e| e.to_string())?,
        )
        .send()
        .await
        .map_err(|e| fail("staging target")(e.into()))?;
    Ok(())
}

/// The demo's replay jobs, made through the running backend at `base` (the state
/// machine and a job's record are the backend's to make): `orders-nightly-demo`, run to
/// the end, and `orders-paced-demo`, paused after its first slice.
pub async fn demo_jobs(base: &str) -> Result<String, String> {
    let http = reqwest::Client::new();
    let fail = |what: &str, e: &dyn std::fmt::Display| format!("seeding demo jobs: {what}: {e}");
    for _ in 0..100 {
        if http.get(format!("{base}{HEALTH}")).send().await.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let now = time::OffsetDateTime::now_utc();
    let end = now
        .replace_second(0)
        .and_then(|t| t.replace_nanosecond(0))
        .unwrap_or(now);
    let archive = "arn:aws:events:us-east-1:000000000000:archive/orders-all".to_owned();
    let bus = format!("arn:aws:events:us-east-1:000000000000:event-bus/{BUS}");
    let job = |name: &str, description: &str, slice: u32, gap: u32| {
        serde_json::json!({
            "jobName": name,
            "description": description,
            "eventSourceArn": archive,
            "eventStartTime": shared::timestamp::format(end - time::Duration::hours(2)),
            "eventEndTime": shared::timestamp::format(end),
            "destination": {"arn": bus},
            "pacing": {"sliceMinutes": slice, "gapSeconds": gap},
        })
    };
    let read = |name: &'static str| {
        let http = http.clone();
        async move {
            let reply = http
                .get(format!(
                    "{base}{}",
                    path(Operation::DescribeReplayJob, &[name])
                ))
                .send()
                .await
                .map_err(|e| e.to_string())?;
            reply
                .json::<serde_json::Value>()
                .await
                .map_err(|e| e.to_string())
        }
    };
    for (name, description, slice, gap) in [
        (
            "orders-nightly-demo",
            "Demo: the last two hours in 30-minute slices",
            30,
            0,
        ),
        (
            "orders-paced-demo",
            "Demo: paused after its first slice",
            15,
            3600,
        ),
    ] {
        let reply = http
            .post(format!("{base}{}", path(Operation::StartReplayJob, &[])))
            .json(&job(name, description, slice, gap))
            .send()
            .await
            .map_err(|e| fail(name, &e))?;
        if !reply.status().is_success() {
            let body = reply.text().await.unwrap_or_default();
            return Err(fail(name, &body));
        }
    }
    // The paced one waits an hour between slices (36 s in the emulator): pause it once
    // its first slice is done, so the demo shows a paused job.
    for _ in 0..200 {
        let job = read("orders-paced-demo")
            .await
            .map_err(|e| fail("read", &e))?;
        if job["slices"][0]["state"] == "COMPLETED" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let pause = path(Operation::PauseReplayJob, &["orders-paced-demo"]);
    http.post(format!("{base}{pause}"))
        .send()
        .await
        .map_err(|e| fail("pause", &e))?;
    Ok(
        "replay jobs orders-nightly-demo (4 slices, runs to the end) and orders-paced-demo (8 slices, paused after the first)"
            .to_owned(),
    )
}

/// Demo delivery figures for the demo replay and the finished demo job, SEEDED (the
/// emulator records none): `AWS/Events` metrics for the bus's rules and bus-log records,
/// labelled as demo figures in the output.
pub async fn demo_figures(endpoint: &str, base: &str) -> Result<String, String> {
    let http = reqwest::Client::new();
    let eventbridge = eventbridge_client(endpoint, KEY);
    let bus_arn = format!("arn:aws:events:us-east-1:000000000000:event-bus/{BUS}");
    crate::figures::bus_logging(endpoint, &eventbridge, BUS, &bus_arn).await?;
    let started_at = |path: String| {
        let http = http.clone();
        async move {
            let body: serde_json::Value = http
                .get(format!("{base}{path}"))
                .send()
                .await
                .map_err(|e| e.to_string())?
                .json()
                .await
                .map_err(|e| e.to_string())?;
            let text = body["replayStartTime"]
                .as_str()
                .or_else(|| body["slices"][0]["replayStartTime"].as_str())
                .unwrap_or_default()
                .to_owned();
            shared::timestamp::parse(&text).map_err(|e| format!("{path}: {e}"))
        }
    };
    let queue = "arn:aws:sqs:us-east-1:000000000000:orders-fulfilment";
    let mut records = Vec::new();
    // The demo replay and job ran at the same time on the same bus, so both reports read
    // the same minutes of the bus's rules: one set of figures serves both.
    let replay = started_at(path(Operation::DescribeReplay, &["orders-backfill-demo"])).await?;
    let job = started_at(path(Operation::DescribeReplayJob, &["orders-nightly-demo"])).await?;
    {
        let at = replay.min(job);
        for (i, (rule, _)) in RULES.iter().enumerate() {
            let base_count = 12.0 - 3.0 * i as f64;
            let failed = if *rule == "large-orders" { 2.0 } else { 0.0 };
            crate::figures::metrics(
                endpoint,
                BUS,
                rule,
                at,
                &[
                    ("MatchedEvents", 5, base_count + 4.0),
                    ("Invocations", 5, base_count),
                    ("Invocations", 65, 4.0),
                    ("Invocations", 125, 2.0),
                    ("FailedInvocations", 65, failed),
                    ("InvocationsSentToDlq", 125, failed / 2.0),
                ],
            )
            .await?;
            let rule_arn = format!("arn:aws:events:us-east-1:000000000000:rule/{BUS}/{rule}");
            for k in 0..3 {
                records.push(crate::figures::record(
                    "INVOCATION_SUCCESS",
                    &bus_arn,
                    &rule_arn,
                    queue,
                    at + time::Duration::seconds(10 + k),
                    None,
                ));
            }
            if failed > 0.0 {
                records.push(crate::figures::record(
                    "INVOCATION_FAILURE",
                    &bus_arn,
                    &rule_arn,
                    queue,
                    at + time::Duration::seconds(70),
                    Some("KMS.AccessDeniedException: the queue's key does not allow events.amazonaws.com"),
                ));
                records.push(crate::figures::record(
                    "INVOCATION_DLQ",
                    &bus_arn,
                    &rule_arn,
                    queue,
                    at + time::Duration::seconds(130),
                    None,
                ));
            }
        }
    }
    crate::figures::bus_log_records(endpoint, BUS, &records).await?;
    Ok("delivery figures for orders-backfill-demo and orders-nightly-demo: SEEDED (AWS/Events metrics and bus-log records written by the demo, not real deliveries)".to_owned())
}
