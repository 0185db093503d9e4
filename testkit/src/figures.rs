//! SEEDED delivery figures for replay reports. ministack's EventBridge emits no
//! `AWS/Events` metrics and writes no bus-log records, so tests and the demo put them
//! there: metrics with PutMetricData into `AWS/Events` (which ministack accepts), and
//! records in EventBridge's bus-log schema into a log group wired to the bus through the
//! Logs delivery APIs.

use serde_json::{Value, json};
use time::OffsetDateTime;

/// CloudWatch on `endpoint` (an emulator).
pub fn cloudwatch(endpoint: &str) -> aws_sdk_cloudwatch::Client {
    emulator_client!(aws_sdk_cloudwatch, endpoint, "test")
}

fn logs(endpoint: &str) -> aws_sdk_cloudwatchlogs::Client {
    emulator_client!(aws_sdk_cloudwatchlogs, endpoint, "test")
}

/// SEEDED: `AWS/Events` figures for `rule` of `bus`, each (metric, seconds after `at`,
/// value).
pub async fn metrics(
    endpoint: &str,
    bus: &str,
    rule: &str,
    at: OffsetDateTime,
    points: &[(&str, i64, f64)],
) -> Result<(), String> {
    use aws_sdk_cloudwatch::types::{Dimension, MetricDatum};
    let data: Vec<MetricDatum> = points
        .iter()
        .map(|(metric, after, value)| {
            MetricDatum::builder()
                .metric_name(*metric)
                .dimensions(Dimension::builder().name("EventBusName").value(bus).build())
                .dimensions(Dimension::builder().name("RuleName").value(rule).build())
                .timestamp(aws_sdk_cloudwatch::primitives::DateTime::from_secs(
                    (at + time::Duration::seconds(*after)).unix_timestamp(),
                ))
                .value(*value)
                .build()
        })
        .collect();
    cloudwatch(endpoint)
        .put_metric_data()
        .namespace("AWS/Events")
        .set_metric_data(Some(data))
        .send()
        .await
        .map(|_| ())
        .map_err(seeding("metrics", "put-metric-data"))
}

/// What seeding `what` failed with at its call `call`, the SDK error's whole chain told.
fn seeding<E: std::error::Error>(
    what: &'static str,
    call: &'static str,
) -> impl FnOnce(E) -> String {
    move |e| {
        format!(
            "seeding {what}: {call}: {}",
            aws_sdk_cloudwatchlogs::error::DisplayErrorContext(e)
        )
    }
}

/// The log group a seeded bus logs to.
pub fn log_group(bus: &str) -> String {
    format!("/aws/vendedlogs/events/{bus}")
}

/// SEEDED: bus `bus` (ARN `bus_arn`) logs at INFO to [`log_group`], wired through the
/// delivery APIs (once per bus).
pub async fn bus_logging(
    endpoint: &str,
    eventbridge: &aws_sdk_eventbridge::Client,
    bus: &str,
    bus_arn: &str,
) -> Result<(), String> {
    let fail = |what: &str, e: &dyn std::fmt::Display| format!("seeding bus logging: {what}: {e}");
    eventbridge
        .update_event_bus()
        .name(bus)
        .log_config(
            aws_sdk_eventbridge::types::LogConfig::builder()
                .level(aws_sdk_eventbridge::types::Level::Info)
                .include_detail(aws_sdk_eventbridge::types::IncludeDetail::None)
                .build(),
        )
        .send()
        .await
        .map_err(seeding("bus logging", "update-event-bus"))?;
    let logs = logs(endpoint);
    let group = log_group(bus);
    logs.create_log_group()
        .log_group_name(&group)
        .send()
        .await
        .map_err(seeding("bus logging", "create-log-group"))?;
    logs.create_log_stream()
        .log_group_name(&group)
        .log_stream_name("bus")
        .send()
        .await
        .map_err(seeding("bus logging", "create-log-stream"))?;
    logs.put_delivery_source()
        .name(format!("{bus}-info"))
        .resource_arn(bus_arn)
        .log_type("INFO_LOGS")
        .send()
        .await
        .map_err(seeding("bus logging", "put-delivery-source"))?;
    let destination = logs
        .put_delivery_destination()
        .name(format!("{bus}-logs"))
        .delivery_destination_configuration(
            aws_sdk_cloudwatchlogs::types::DeliveryDestinationConfiguration::builder()
                .destination_resource_arn(format!(
                    "arn:aws:logs:us-east-1:000000000000:log-group:{group}:*"
                ))
                .build()
                .map_err(|e| fail("destination", &e))?,
        )
        .send()
        .await
        .map_err(seeding("bus logging", "put-delivery-destination"))?;
    let destination_arn = destination
        .delivery_destination()
        .and_then(|d| d.arn())
        .map(str::to_owned)
        .ok_or_else(|| fail("put-delivery-destination", &"no ARN"))?;
    logs.create_delivery()
        .delivery_source_name(format!("{bus}-info"))
        .delivery_destination_arn(destination_arn)
        .send()
        .await
        .map_err(seeding("bus logging", "create-delivery"))?;
    Ok(())
}

/// SEEDED: `records` (see [`record`]) into bus `bus`'s log group.
pub async fn bus_log_records(endpoint: &str, bus: &str, records: &[Value]) -> Result<(), String> {
    let mut events: Vec<aws_sdk_cloudwatchlogs::types::InputLogEvent> = records
        .iter()
        .filter_map(|r| {
            let ms = r["message_timestamp_ms"]
                .as_str()
                .and_then(|t| t.parse().ok())?;
            aws_sdk_cloudwatchlogs::types::InputLogEvent::builder()
                .timestamp(ms)
                .message(r.to_string())
                .build()
                .ok()
        })
        .collect();
    events.sort_by_key(|e| e.timestamp());
    logs(endpoint)
        .put_log_events()
        .log_group_name(log_group(bus))
        .log_stream_name("bus")
        .set_log_events(Some(events))
        .send()
        .await
        .map(|_| ())
        .map_err(seeding("bus-log records", "put-log-events"))
}

/// One record in EventBridge's bus-log schema (`INVOCATION_SUCCESS`, `INVOCATION_FAILURE`
/// with `error`, `INVOCATION_DLQ`, …).
pub fn record(
    kind: &str,
    bus_arn: &str,
    rule_arn: &str,
    target_arn: &str,
    at: OffsetDateTime,
    error: Option<&str>,
) -> Value {
    let millis = i64::try_from(at.unix_timestamp_nanos() / 1_000_000).unwrap_or_default();
    let mut r = json!({
        "resource_arn": bus_arn,
        "request_id": "seeded", "event_id": "seeded", "invocation_id": "seeded",
        "message_timestamp_ms": millis.to_string(),
        "message_type": kind,
        "log_level": "INFO",
        "details": {"rule_arn": rule_arn, "target_arn": target_arn},
    });
    if let Some(message) = error {
        r["error"] =
            json!({"http_status_code": 400, "error_message": message, "aws_service": "sqs"});
    }
    r
}
