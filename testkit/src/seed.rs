//! Demo data for `cargo xtask dev` and the reliability runs: a bus `orders` with three
//! rules, ~200 events over the last two hours, archives `orders-all` and
//! `orders-created`, and one completed replay.

use aws_sdk_eventbridge::Client;
use aws_sdk_eventbridge::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_eventbridge::primitives::DateTime;
use aws_sdk_eventbridge::types::{PutEventsRequestEntry, ReplayDestination};
use std::time::{Duration, SystemTime};

const BUS: &str = "orders";
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

pub async fn demo_data(endpoint: &str) -> Result<(), String> {
    println!("\n==> Seeding demo data");
    let config = aws_sdk_eventbridge::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new(
            "rewind-local",
            "rewind-local",
            None,
            None,
            "seed",
        ))
        .endpoint_url(endpoint)
        .build();
    let eb = Client::from_conf(config);

    let bus_arn = eb
        .create_event_bus()
        .name(BUS)
        .description("Demo: the shop's order events")
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
    println!(
        "    bus {BUS} (3 rules), 200 events, archives orders-all and orders-created, replay orders-backfill-demo"
    );
    Ok(())
}
