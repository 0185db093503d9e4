//! Delivery: every tick each RUNNING subscriber that is not revoked takes the next events of
//! its bus from its position (within its end point), keeps those its filters match, and
//! sends them to its target — SQS `SendMessageBatch` on the configured endpoint (ministack)
//! — retrying, dead-lettering or dropping what fails. Every second the `AWS/EventsV2`
//! metrics summed meanwhile go to that endpoint's CloudWatch. The state's lock is never
//! held across a call.

use super::assumptions as pin;
use super::service::{caught_up, iso};
use super::state::{Event, Inflight, Shared, State, Subscriber};
use serde_json::{Value, json};
use std::collections::HashMap;

/// The longest a call to SQS or CloudWatch may take.
const CALL_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// The clients delivery uses, made once per endpoint and region.
#[derive(Default)]
pub struct Clients {
    sqs: HashMap<String, aws_sdk_sqs::Client>,
    cloudwatch: Option<aws_sdk_cloudwatch::Client>,
    queue_urls: HashMap<String, String>,
}

/// Runs delivery and metrics until the task is dropped.
/// Subscribers advance every `config.tick` and metrics go every `config.metrics_interval`,
/// each on its own cadence.
pub async fn run(shared: Shared) {
    let mut clients = Clients::default();
    let started = std::time::Instant::now();
    let (mut next_delivery, mut next_flush) = (started, started);
    loop {
        let (tick, interval) = match shared.lock() {
            Ok(state) => (state.config.tick, state.config.metrics_interval),
            Err(_) => return,
        };
        let now = std::time::Instant::now();
        if now >= next_delivery {
            deliver(&shared, &mut clients).await;
            next_delivery = std::time::Instant::now() + tick;
        }
        if now >= next_flush {
            flush_metrics(&shared, &mut clients).await;
            next_flush = std::time::Instant::now() + interval;
        }
        tokio::time::sleep_until(next_delivery.min(next_flush).into()).await;
    }
}

/// One attempt at a subscriber's inflight events.
struct Work {
    sub_arn: String,
    bus_arn: String,
    target_arn: String,
    /// (event, message body or the transformation's failure, message attributes)
    messages: Vec<(Event, Result<String, String>)>,
    params: Value,
    on_failure: Option<String>,
    /// Whether this attempt is the last one allowed (retries or age spent).
    last: bool,
    /// Which limit makes it the last: MaximumRetryAttempts or MaximumEventAgeInSeconds.
    exhausted: &'static str,
    attempt: u32,
}

/// What became of one event in an attempt.
enum Outcome {
    Delivered {
        bytes: usize,
        started: i64,
        ended: i64,
    },
    Failed {
        code: String,
        message: String,
        started: Option<i64>,
        ended: i64,
    },
}

async fn deliver(shared: &Shared, clients: &mut Clients) {
    let (works, endpoint) = {
        let Ok(mut state) = shared.lock() else { return };
        state.advance();
        (plan(&mut state), state.config.aws_endpoint.clone())
    };
    for work in works {
        let outcomes = attempt(&work, clients, endpoint.as_deref()).await;
        let dead_letter =
            if work.last && outcomes.iter().any(|o| matches!(o, Outcome::Failed { .. })) {
                Some(match &work.on_failure {
                    Some(arn) => {
                        let record = failure_record(&work, &outcomes);
                        send_one(clients, endpoint.as_deref(), arn, &record.to_string())
                            .await
                            .map(|()| arn.clone())
                    }
                    None => Err("no on-failure destination".to_owned()),
                })
            } else {
                None
            };
        let Ok(mut state) = shared.lock() else { return };
        settle(&mut state, &work, &outcomes, dead_letter);
    }
}

/// Fills each eligible subscriber's inflight batch and returns the attempts due now.
fn plan(state: &mut State) -> Vec<Work> {
    let now = state.now_ms();
    let mut works = Vec::new();
    let arns: Vec<String> = state.subscribers.keys().cloned().collect();
    for arn in arns {
        let Some(sub) = state.subscribers.get(&arn) else {
            continue;
        };
        let Some(bus) = state.buses.get(&sub.bus_arn) else {
            continue;
        };
        if sub.idle() || !bus.accepts_work() {
            continue;
        }
        let bus_arn = bus.arn.clone();
        let mut evaluated = 0.0;
        let mut matched = 0.0;
        let mut position = sub.position;
        let mut taken = Vec::new();
        if sub.inflight.is_none() {
            let max = usize::try_from(sub.max_batch()).unwrap_or(1);
            for event in bus.events_from(sub.position) {
                if sub.end_ms.is_some_and(|end| event.ingested_ms >= end) || taken.len() >= max {
                    break;
                }
                position = event.seq + 1;
                evaluated += 1.0;
                if filters_match(sub, event) {
                    matched += 1.0;
                    taken.push(event.clone());
                }
            }
        }
        let dims = [("EventBus", bus_arn.as_str()), ("Subscriber", arn.as_str())];
        if evaluated > 0.0 {
            state
                .metrics
                .add("FilterEvaluated", &dims, "Count", evaluated);
        }
        if matched > 0.0 {
            state.metrics.add("FilterMatched", &dims, "Count", matched);
        }
        let Some(sub) = state.subscribers.get_mut(&arn) else {
            continue;
        };
        bump(sub, "FilterEvaluated", evaluated);
        bump(sub, "FilterMatched", matched);
        sub.position = position;
        if !taken.is_empty() {
            sub.inflight = Some(Inflight {
                events: taken,
                attempts: 0,
                first_attempt_ms: now,
                next_attempt_ms: now,
                last_error: None,
            });
        }
        let Some(inflight) = &sub.inflight else {
            continue;
        };
        if inflight.next_attempt_ms > now {
            continue;
        }
        let attempt = inflight.attempts + 1;
        let out_of_retries = attempt > sub.max_retries();
        let too_old = now - inflight.first_attempt_ms >= sub.max_age_ms();
        let last = out_of_retries || too_old;
        let exhausted = if out_of_retries {
            "MaximumRetryAttempts"
        } else {
            "MaximumEventAgeInSeconds"
        };
        let messages = inflight
            .events
            .iter()
            .map(|e| (e.clone(), body(sub, e)))
            .collect();
        works.push(Work {
            sub_arn: arn.clone(),
            bus_arn,
            target_arn: sub.target_arn().to_owned(),
            messages,
            params: sub
                .invoke
                .get("SqsParameters")
                .cloned()
                .unwrap_or(Value::Null),
            on_failure: sub
                .on_failure
                .as_ref()
                .and_then(|c| c.get("Arn"))
                .and_then(Value::as_str)
                .map(str::to_owned),
            last,
            exhausted,
            attempt,
        });
    }
    works
}

fn bump(sub: &mut Subscriber, metric: &str, value: f64) {
    if value != 0.0 {
        *sub.totals.entry(metric.to_owned()).or_default() += value;
    }
}

/// The event as a subscriber sees it: `Data`, `Metadata`, `SystemMetadata` with
/// `aws:DeliveryType` (`assumptions` "delivery-type").
fn envelope(sub: &Subscriber, event: &Event) -> Value {
    let mut system = event.system.clone();
    let kind = if event.ingested_ms < sub.created_ms {
        "REPLAY"
    } else {
        "LIVE"
    };
    system.insert("aws:DeliveryType".into(), json!(kind));
    json!({"Data": event.data, "Metadata": event.metadata, "SystemMetadata": system})
}

fn filters_match(sub: &Subscriber, event: &Event) -> bool {
    let whole = envelope(sub, event);
    sub.filters.iter().all(|(scope, pattern)| {
        let part = match scope.as_str() {
            "DATA" => &whole["Data"],
            "METADATA" => &whole["Metadata"],
            _ => &whole["SystemMetadata"],
        };
        pattern.matches(part)
    })
}

/// The message body per the subscriber's transformer (`assumptions` "jsonata-subset").
fn body(sub: &Subscriber, event: &Event) -> Result<String, String> {
    let whole = envelope(sub, event);
    let transformer = sub.transformer.as_ref();
    let value = match transformer
        .and_then(|t| t.get("Type"))
        .and_then(Value::as_str)
    {
        Some("WITH_METADATA") => whole,
        Some("JSONATA") => {
            let expression = transformer
                .and_then(|t| t.pointer("/JsonataConfiguration/Expression"))
                .and_then(Value::as_str)
                .unwrap_or_default();
            evaluate(expression, &whole)?
        }
        _ => whole["Data"].clone(),
    };
    Ok(match value {
        Value::String(text) => text,
        other => other.to_string(),
    })
}

/// A JSONata `{% $events.A.B %}` path over `event`; anything else fails.
pub fn evaluate(expression: &str, event: &Value) -> Result<Value, String> {
    let inner = expression
        .trim()
        .strip_prefix("{%")
        .and_then(|e| e.strip_suffix("%}"))
        .map(str::trim)
        .ok_or_else(|| format!("not a {{% … %}} expression: {expression}"))?;
    let rest = inner
        .strip_prefix("$events")
        .ok_or_else(|| format!("the stand-in evaluates only $events paths, not {inner}"))?;
    let mut value = event;
    let mut rest = rest;
    while !rest.is_empty() {
        let Some(after) = rest.strip_prefix('.') else {
            return Err(format!(
                "the stand-in evaluates only $events paths, not {inner}"
            ));
        };
        let (name, next) = if let Some(quoted) = after.strip_prefix('`') {
            let end = quoted
                .find('`')
                .ok_or_else(|| format!("unclosed ` in {inner}"))?;
            (&quoted[..end], &quoted[end + 1..])
        } else {
            let end = after.find('.').unwrap_or(after.len());
            let name = &after[..end];
            if name.is_empty()
                || !name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            {
                return Err(format!(
                    "the stand-in evaluates only $events paths, not {inner}"
                ));
            }
            (name, &after[end..])
        };
        value = value
            .get(name)
            .ok_or_else(|| format!("{inner} resolves to nothing"))?;
        rest = next;
    }
    Ok(value.clone())
}

/// A literal or a `{% $events… %}` path (`assumptions` "jsonata-subset").
fn parameter(value: &Value, envelope: &Value) -> Result<Option<String>, String> {
    match value.as_str() {
        Some(text) if text.trim_start().starts_with("{%") => {
            Ok(Some(match evaluate(text, envelope)? {
                Value::String(s) => s,
                other => other.to_string(),
            }))
        }
        Some(text) => Ok(Some(text.to_owned())),
        None => Ok(None),
    }
}

async fn attempt(work: &Work, clients: &mut Clients, endpoint: Option<&str>) -> Vec<Outcome> {
    let now = || {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_millis()).unwrap_or_default())
            .unwrap_or_default()
    };
    let fail = |code: &str, message: String| Outcome::Failed {
        code: code.to_owned(),
        message,
        started: None,
        ended: now(),
    };
    let service = work.target_arn.split(':').nth(2).unwrap_or_default();
    if service != "sqs" {
        return work
            .messages
            .iter()
            .map(|_| {
                fail(
                    pin::UNSUPPORTED_TARGET,
                    format!(
                        "the stand-in delivers to SQS targets only, not {}",
                        work.target_arn
                    ),
                )
            })
            .collect();
    }
    let Some(endpoint) = endpoint else {
        return work
            .messages
            .iter()
            .map(|_| {
                fail(
                    pin::TARGET_FAILED,
                    "no AWS endpoint to deliver to (start the stand-in with AWS_ENDPOINT_URL)"
                        .to_owned(),
                )
            })
            .collect();
    };
    // Build the batch; events whose body or parameters cannot be evaluated fail alone.
    let mut outcomes: Vec<Option<Outcome>> = work.messages.iter().map(|_| None).collect();
    let mut entries = Vec::new();
    for (i, (event, body)) in work.messages.iter().enumerate() {
        let built = body.clone().and_then(|body| {
            let whole = json!({"Data": event.data, "Metadata": event.metadata, "SystemMetadata": event.system});
            sqs_entry(i, body, &work.params, &whole)
        });
        match built {
            Ok(entry) => entries.push(entry),
            Err(message) => outcomes[i] = Some(fail(pin::TRANSFORMATION_FAILED, message)),
        }
    }
    if !entries.is_empty() {
        let started = now();
        let result = match queue_url(clients, endpoint, &work.target_arn).await {
            Ok(url) => sqs(clients, endpoint, &work.target_arn)
                .send_message_batch()
                .queue_url(url)
                .set_entries(Some(entries.iter().map(|(_, e, _)| e.clone()).collect()))
                .send()
                .await
                .map_err(|e| format!("{}", aws_sdk_sqs::error::DisplayErrorContext(e))),
            Err(e) => Err(e),
        };
        let ended = now();
        match result {
            Ok(output) => {
                for (i, _, bytes) in &entries {
                    outcomes[*i] = Some(Outcome::Delivered {
                        bytes: *bytes,
                        started,
                        ended,
                    });
                }
                for failed in output.failed() {
                    if let Ok(i) = failed.id().parse::<usize>()
                        && i < outcomes.len()
                    {
                        outcomes[i] = Some(Outcome::Failed {
                            code: pin::TARGET_FAILED.to_owned(),
                            message: format!(
                                "{}: {}",
                                failed.code(),
                                failed.message().unwrap_or_default()
                            ),
                            started: Some(started),
                            ended,
                        });
                    }
                }
            }
            Err(message) => {
                for (i, _, _) in &entries {
                    outcomes[*i] = Some(Outcome::Failed {
                        code: pin::TARGET_FAILED.to_owned(),
                        message: message.clone(),
                        started: Some(started),
                        ended,
                    });
                }
            }
        }
    }
    outcomes
        .into_iter()
        .map(|o| o.unwrap_or_else(|| fail(pin::TARGET_FAILED, "not attempted".to_owned())))
        .collect()
}

/// Entry `i` of a SendMessageBatch with its parameters resolved, and the body's size.
fn sqs_entry(
    i: usize,
    body: String,
    params: &Value,
    whole: &Value,
) -> Result<
    (
        usize,
        aws_sdk_sqs::types::SendMessageBatchRequestEntry,
        usize,
    ),
    String,
> {
    use aws_sdk_sqs::types::{MessageAttributeValue, SendMessageBatchRequestEntry};
    let bytes = body.len();
    let mut entry = SendMessageBatchRequestEntry::builder()
        .id(i.to_string())
        .message_body(body);
    let get = |key: &str| params.get(key).map_or(Ok(None), |v| parameter(v, whole));
    if let Some(group) = get("MessageGroupId")? {
        entry = entry.message_group_id(group);
    }
    if let Some(dedup) = get("MessageDeduplicationId")? {
        entry = entry.message_deduplication_id(dedup);
    }
    if let Some(delay) = get("DelaySeconds")? {
        let delay = delay
            .trim()
            .parse::<i32>()
            .map_err(|_| format!("DelaySeconds {delay} is not a number"))?;
        entry = entry.delay_seconds(delay);
    }
    for (name, attribute) in params
        .get("MessageAttributes")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let name = parameter(&json!(name), whole)?.unwrap_or_default();
        let mut value = MessageAttributeValue::builder().set_data_type(
            attribute
                .get("DataType")
                .and_then(Value::as_str)
                .map(str::to_owned),
        );
        if let Some(text) = attribute
            .get("StringValue")
            .map_or(Ok(None), |v| parameter(v, whole))?
        {
            value = value.string_value(text);
        }
        let attribute = value
            .build()
            .map_err(|e| format!("message attribute {name}: {e}"))?;
        entry = entry.message_attributes(name, attribute);
    }
    entry
        .build()
        .map(|e| (i, e, bytes))
        .map_err(|e| e.to_string())
}

/// The configuration of an SDK client for the emulator behind the stand-in, in `region`,
/// whose calls never outlast `CALL_TIMEOUT`.
macro_rules! upstream_config {
    ($sdk:ident, $endpoint:expr, $region:expr) => {
        $sdk::Config::builder()
            .behavior_version($sdk::config::BehaviorVersion::latest())
            .region($sdk::config::Region::new($region))
            .credentials_provider($sdk::config::Credentials::new(
                "test",
                "test",
                None,
                None,
                "rewind-eventsv2",
            ))
            .endpoint_url($endpoint)
            .timeout_config(
                $sdk::config::timeout::TimeoutConfig::builder()
                    .operation_timeout(CALL_TIMEOUT)
                    .build(),
            )
    };
}

fn sqs<'a>(clients: &'a mut Clients, endpoint: &str, arn: &str) -> &'a aws_sdk_sqs::Client {
    let region = arn
        .split(':')
        .nth(3)
        .unwrap_or(pin::DEFAULT_REGION)
        .to_owned();
    clients.sqs.entry(region.clone()).or_insert_with(|| {
        // The stand-in retries by its own policy; a call never hangs a tick.
        aws_sdk_sqs::Client::from_conf(
            upstream_config!(aws_sdk_sqs, endpoint, region)
                .retry_config(aws_sdk_sqs::config::retry::RetryConfig::disabled())
                .build(),
        )
    })
}

/// The URL of queue `arn` (`arn:aws:sqs:region:account:name`), asked once.
async fn queue_url(clients: &mut Clients, endpoint: &str, arn: &str) -> Result<String, String> {
    if let Some(url) = clients.queue_urls.get(arn) {
        return Ok(url.clone());
    }
    let parts: Vec<&str> = arn.split(':').collect();
    let (Some(account), Some(name)) = (parts.get(4), parts.get(5)) else {
        return Err(format!("{arn} is not an SQS queue ARN"));
    };
    let url = sqs(clients, endpoint, arn)
        .get_queue_url()
        .queue_name(*name)
        .queue_owner_aws_account_id(*account)
        .send()
        .await
        .map_err(|e| format!("{}", aws_sdk_sqs::error::DisplayErrorContext(e)))?
        .queue_url()
        .map(str::to_owned)
        .ok_or_else(|| format!("no URL for queue {arn}"))?;
    clients.queue_urls.insert(arn.to_owned(), url.clone());
    Ok(url)
}

async fn send_one(
    clients: &mut Clients,
    endpoint: Option<&str>,
    arn: &str,
    body: &str,
) -> Result<(), String> {
    let endpoint = endpoint.ok_or("no AWS endpoint to deliver to")?;
    let url = queue_url(clients, endpoint, arn).await?;
    sqs(clients, endpoint, arn)
        .send_message()
        .queue_url(url)
        .message_body(body)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| format!("{}", aws_sdk_sqs::error::DisplayErrorContext(e)))
}

/// The dead-letter record of a last attempt (`assumptions` "dead-letter-record").
fn failure_record(work: &Work, outcomes: &[Outcome]) -> Value {
    let failed: Vec<(&Event, &str, &str)> = work
        .messages
        .iter()
        .zip(outcomes)
        .filter_map(|((event, _), o)| match o {
            Outcome::Failed { code, message, .. } => Some((event, code.as_str(), message.as_str())),
            Outcome::Delivered { .. } => None,
        })
        .collect();
    let (code, message) = failed.first().map(|(_, c, m)| (*c, *m)).unwrap_or_default();
    let retries = work.attempt.saturating_sub(1);
    json!({
        "version": "1.0",
        "busArn": work.bus_arn,
        "subscriberArn": work.sub_arn,
        "targetArn": work.target_arn,
        "errorCode": code,
        "errorMessage": message.chars().take(1024).collect::<String>(),
        "exhaustedRetryCondition": work.exhausted,
        "retryAttempts": retries,
        "failedMessages": failed.iter().map(|(e, _, _)| json!({
            "eventId": e.id,
            "eventGroupId": e.system.get("EventGroupId"),
            "deduplicationId": e.system.get("DeduplicationId"),
            "timestamp": iso(e.ingested_ms, true),
            "targetRequestId": "",
        })).collect::<Vec<_>>(),
    })
}

/// Records an attempt's outcomes: metrics, the subscriber's totals and its inflight batch.
fn settle(
    state: &mut State,
    work: &Work,
    outcomes: &[Outcome],
    dead_letter: Option<Result<String, String>>,
) {
    let now = state.now_ms();
    let dims = [
        ("EventBus", work.bus_arn.as_str()),
        ("Subscriber", work.sub_arn.as_str()),
    ];
    let mut counts: Vec<(&str, &'static str, f64)> = Vec::new();
    let attempted = outcomes.len() as f64;
    counts.push(("EventDeliveryAttempts", "Count", attempted));
    let called = outcomes.iter().any(|o| match o {
        Outcome::Delivered { .. } => true,
        Outcome::Failed { started, .. } => started.is_some(),
    });
    if called {
        counts.push(("TargetInvocations", "Count", 1.0));
    }
    let mut delivered = 0.0;
    let mut bytes = 0.0;
    let mut transform_failures = 0.0;
    let mut latencies = Vec::new();
    let mut still_failing = Vec::new();
    let mut last_error = None;
    for ((event, _), outcome) in work.messages.iter().zip(outcomes) {
        match outcome {
            Outcome::Delivered {
                bytes: b,
                started,
                ended,
            } => {
                delivered += 1.0;
                bytes += *b as f64;
                latencies.push((
                    (*started - event.ingested_ms) as f64,
                    (*ended - event.ingested_ms) as f64,
                ));
            }
            Outcome::Failed {
                code,
                message,
                started,
                ended,
            } => {
                if code == pin::TRANSFORMATION_FAILED {
                    transform_failures += 1.0;
                }
                if let Some(started) = started {
                    latencies.push((
                        (*started - event.ingested_ms) as f64,
                        (*ended - event.ingested_ms) as f64,
                    ));
                }
                last_error = Some((code.clone(), message.clone()));
                still_failing.push(event.clone());
            }
        }
    }
    counts.push(("EventsDelivered", "Count", delivered));
    counts.push(("EgressBytes", "Bytes", bytes));
    counts.push(("EventTransformationFailures", "Count", transform_failures));
    let failed = still_failing.len() as f64;
    if failed > 0.0 && work.last {
        match &dead_letter {
            Some(Ok(_)) => counts.push(("OnFailureDestinationDelivered", "Count", failed)),
            Some(Err(_)) if work.on_failure.is_some() => {
                counts.push(("OnFailureDestinationFailed", "Count", failed));
                counts.push(("EventsDropped", "Count", failed));
            }
            _ => counts.push(("EventsDropped", "Count", failed)),
        }
    }
    for (metric, unit, value) in &counts {
        if *value != 0.0 {
            state.metrics.add(metric, &dims, unit, *value);
        }
    }
    if work.attempt > 1 {
        state.metrics.add(
            "RetryInvocationAttempts",
            &dims,
            "Count",
            f64::from(work.attempt - 1),
        );
    }
    for (start, end) in &latencies {
        state.metrics.add(
            "IngestionToInvocationStartTime",
            &dims,
            "Milliseconds",
            *start,
        );
        state
            .metrics
            .add("IngestionToInvocationEndTime", &dims, "Milliseconds", *end);
    }
    let Some(sub) = state.subscribers.get_mut(&work.sub_arn) else {
        return;
    };
    for (metric, _, value) in &counts {
        bump(sub, metric, *value);
    }
    let Some(inflight) = sub.inflight.as_mut() else {
        return;
    };
    if still_failing.is_empty() || work.last {
        sub.inflight = None;
        return;
    }
    inflight.events = still_failing;
    inflight.attempts = work.attempt;
    inflight.last_error = last_error;
    let backoff = pin::RETRY_BACKOFF
        .saturating_mul(2u32.saturating_pow(work.attempt.saturating_sub(1)))
        .min(pin::RETRY_BACKOFF_MAX);
    inflight.next_attempt_ms = now + i64::try_from(backoff.as_millis()).unwrap_or(i64::MAX);
}

/// Sends what the metrics summed since the last flush, plus each subscriber's
/// ApproximateBacklogAge (`assumptions` "metric-emission").
async fn flush_metrics(shared: &Shared, clients: &mut Clients) {
    let (pending, endpoint, region) = {
        let Ok(mut state) = shared.lock() else { return };
        let now = state.now_ms();
        let ages: Vec<(String, String, f64)> = state
            .subscribers
            .values()
            .filter(|s| !s.revoked)
            .filter_map(|s| {
                let bus = state.buses.get(&s.bus_arn)?;
                Some((bus.arn.clone(), s.arn.clone(), backlog_age(s, bus, now)))
            })
            .collect();
        for (bus, sub, age) in ages {
            state.metrics.add(
                "ApproximateBacklogAge",
                &[("EventBus", &bus), ("Subscriber", &sub)],
                "Milliseconds",
                age,
            );
        }
        (
            std::mem::take(&mut state.metrics.pending),
            state.config.aws_endpoint.clone(),
            state.config.region.clone(),
        )
    };
    let Some(endpoint) = endpoint else { return };
    if pending.is_empty() {
        return;
    }
    use aws_sdk_cloudwatch::types::{Dimension, MetricDatum, StandardUnit, StatisticSet};
    let timestamp = aws_sdk_cloudwatch::primitives::DateTime::from(std::time::SystemTime::now());
    let data: Vec<MetricDatum> = pending
        .iter()
        .map(|((name, dims, unit), stat)| {
            let mut datum = MetricDatum::builder()
                .metric_name(name)
                .timestamp(timestamp)
                .unit(StandardUnit::from(*unit))
                .set_dimensions(Some(
                    dims.iter()
                        .map(|(k, v)| Dimension::builder().name(k).value(v).build())
                        .collect(),
                ));
            datum =
                if name.starts_with("IngestionToInvocation") || name == "RetryInvocationAttempts" {
                    datum.statistic_values(
                        StatisticSet::builder()
                            .sample_count(stat.count)
                            .sum(stat.sum)
                            .minimum(stat.min)
                            .maximum(stat.max)
                            .build(),
                    )
                } else if *unit == "Milliseconds" {
                    datum.value(stat.max)
                } else {
                    datum.value(stat.sum)
                };
            datum.build()
        })
        .collect();
    let client = clients.cloudwatch.get_or_insert_with(|| {
        aws_sdk_cloudwatch::Client::from_conf(
            upstream_config!(aws_sdk_cloudwatch, endpoint, region).build(),
        )
    });
    let mut errors = Vec::new();
    let mut sent = 0;
    for chunk in data.chunks(500) {
        match client
            .put_metric_data()
            .namespace("AWS/EventsV2")
            .set_metric_data(Some(chunk.to_vec()))
            .send()
            .await
        {
            Ok(_) => sent += chunk.len() as u64,
            Err(e) => errors.push(format!(
                "PutMetricData: {}",
                aws_sdk_cloudwatch::error::DisplayErrorContext(e)
            )),
        }
    }
    if let Ok(mut state) = shared.lock() {
        state.metrics.sent += sent;
        for e in errors {
            eprintln!("rewind-eventsv2: {e}");
            if state.metrics.send_errors.len() < 20 {
                state.metrics.send_errors.push(e);
            }
        }
    }
}

/// Milliseconds since the oldest event the subscriber has yet to deliver was ingested
/// (within its end point); 0 when there is none.
fn backlog_age(sub: &Subscriber, bus: &super::state::Bus, now: i64) -> f64 {
    let oldest = sub
        .inflight
        .as_ref()
        .and_then(|i| i.events.first())
        .map(|e| e.ingested_ms)
        .or_else(|| {
            if caught_up(sub, bus) {
                return None;
            }
            bus.events_from(sub.position)
                .next()
                .filter(|e| sub.end_ms.is_none_or(|end| e.ingested_ms < end))
                .map(|e| e.ingested_ms)
        });
    oldest.map_or(0.0, |t| (now - t).max(0) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evaluates_paths_of_events_only() {
        let event =
            json!({"Data": {"detail": {"id": 7}}, "SystemMetadata": {"aws:Source": "shop"}});
        assert_eq!(
            evaluate("{% $events.Data.detail.id %}", &event),
            Ok(json!(7))
        );
        assert_eq!(
            evaluate("{% $events.SystemMetadata.`aws:Source` %}", &event),
            Ok(json!("shop"))
        );
        assert_eq!(evaluate("{% $events %}", &event), Ok(event.clone()));
        assert!(evaluate("{% $events.Data.missing %}", &event).is_err());
        assert!(evaluate("{% $uppercase($events.Data) %}", &event).is_err());
        assert!(evaluate("$events.Data", &event).is_err());
    }
}
