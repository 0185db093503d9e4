//! The operations: each takes the request as its input shape's JSON value (already
//! checked against the model) and answers its output shape's JSON value or an error of the
//! model. They run under the state's lock and never wait; delivery happens elsewhere
//! (`delivery.rs`).

use super::assumptions as pin;
use super::model::{ApiError, millis, seconds};
use super::pattern::Pattern;
use super::state::{Bus, Event, Policy, State, Subscriber, Transition, resource_id, uuid};
use base64::Engine as _;
use serde_json::{Map, Value, json};
use sha2::Digest as _;
use std::collections::BTreeMap;

/// Who is calling.
#[derive(Debug, Clone)]
pub struct Caller {
    pub account: String,
}

/// The operations the stand-in implements; the model's others answer
/// [`pin::UNSUPPORTED_OPERATION`].
pub const IMPLEMENTED: &[&str] = &[
    "CreateEventBus",
    "DescribeEventBus",
    "ListEventBuses",
    "UpdateEventBus",
    "DeleteEventBus",
    "CreateSubscriber",
    "DescribeSubscriber",
    "ListSubscribers",
    "UpdateSubscriber",
    "DeleteSubscriber",
    "RevokeResource",
    "PutEvents",
    "PutRawEvents",
    "TagResource",
    "UntagResource",
    "ListTagsForResource",
    "PutResourcePolicy",
    "GetResourcePolicy",
    "DeleteResourcePolicy",
    "ListResourcePolicies",
];

/// Runs operation `op` for `caller`.
pub fn call(
    state: &mut State,
    caller: &Caller,
    op: &str,
    input: &Value,
) -> Result<Value, ApiError> {
    state.advance();
    match op {
        "CreateEventBus" => idempotent(state, caller, op, input, create_event_bus),
        "DescribeEventBus" => describe_event_bus(state, caller, input),
        "ListEventBuses" => list_event_buses(state, caller, input),
        "UpdateEventBus" => update_event_bus(state, caller, input),
        "DeleteEventBus" => delete_event_bus(state, caller, input),
        "CreateSubscriber" => idempotent(state, caller, op, input, create_subscriber),
        "DescribeSubscriber" => describe_subscriber(state, input),
        "ListSubscribers" => list_subscribers(state, caller, input),
        "UpdateSubscriber" => update_subscriber(state, caller, input),
        "DeleteSubscriber" => delete_subscriber(state, caller, input),
        "RevokeResource" => revoke_resource(state, caller, input),
        "PutEvents" => publish(state, caller, input, false),
        "PutRawEvents" => publish(state, caller, input, true),
        "TagResource" => tag_resource(state, caller, input),
        "UntagResource" => untag_resource(state, caller, input),
        "ListTagsForResource" => list_tags(state, input),
        "PutResourcePolicy" => put_policy(state, caller, input),
        "GetResourcePolicy" => get_policy(state, input),
        "DeleteResourcePolicy" => delete_policy(state, caller, input),
        "ListResourcePolicies" => list_policies(state, input),
        _ => Err(ApiError::new(
            pin::UNSUPPORTED_OPERATION,
            format!("The stand-in rewind-eventsv2 does not implement {op}."),
        )),
    }
}

fn text<'a>(input: &'a Value, key: &str) -> Option<&'a str> {
    input.get(key).and_then(Value::as_str)
}

fn present(input: &Value, key: &str) -> Option<Value> {
    input.get(key).filter(|v| !v.is_null()).cloned()
}

/// `f`, unless `input`'s ClientToken was seen: then the first answer again (same request)
/// or IdempotentParameterMismatchException (another request).
fn idempotent(
    state: &mut State,
    caller: &Caller,
    op: &str,
    input: &Value,
    f: fn(&mut State, &Caller, &Value) -> Result<Value, ApiError>,
) -> Result<Value, ApiError> {
    let Some(token) = text(input, "ClientToken") else {
        return f(state, caller, input);
    };
    let key = format!("{op} {} {token}", caller.account);
    let mut request = input.clone();
    if let Some(object) = request.as_object_mut() {
        object.remove("ClientToken");
    }
    if let Some((seen, answer)) = state.tokens.get(&key) {
        return if *seen == request {
            Ok(answer.clone())
        } else {
            Err(ApiError::new(
                "IdempotentParameterMismatchException",
                "The client token was used for an earlier request with different parameters.",
            ))
        };
    }
    let answer = f(state, caller, input)?;
    state.tokens.insert(key, (request, answer.clone()));
    Ok(answer)
}

// ---------------------------------------------------------------------------- buses

fn bus<'a>(state: &'a State, arn: &str) -> Result<&'a Bus, ApiError> {
    state
        .buses
        .get(arn)
        .ok_or_else(|| ApiError::not_found(format!("Event bus {arn} does not exist.")))
}

fn owned_bus<'a>(
    state: &'a mut State,
    caller: &Caller,
    arn: &str,
) -> Result<&'a mut Bus, ApiError> {
    let bus = state
        .buses
        .get_mut(arn)
        .ok_or_else(|| ApiError::not_found(format!("Event bus {arn} does not exist.")))?;
    if bus.account != caller.account {
        return Err(ApiError::new(
            "AccessDeniedException",
            format!(
                "Only the owner of event bus {arn} (account {}) may do this.",
                bus.account
            ),
        ));
    }
    Ok(bus)
}

fn unusable(kms: Option<&str>) -> bool {
    kms.is_some_and(|k| k.contains(pin::UNUSABLE_KEY_MARK))
}

fn kms_reason(kms: &str) -> String {
    format!(
        "KMS_ACCESS_DENIED: The event bus's KMS key policy does not grant EventBridge access to {kms}."
    )
}

fn storage(bus: &Bus, now: i64) -> Value {
    json!({"RetentionPeriodInDays": bus.retention_days,
           "RetentionWindowStartTime": seconds(bus.window_start_ms(now))})
}

fn encryption(bus: &Bus) -> Value {
    match &bus.kms {
        Some(kms) => json!({"KmsKeyIdentifier": kms}),
        None => Value::Null,
    }
}

fn create_event_bus(state: &mut State, caller: &Caller, input: &Value) -> Result<Value, ApiError> {
    let name = text(input, "Name").unwrap_or_default().to_owned();
    if state
        .buses
        .values()
        .any(|b| b.name == name && b.account == caller.account)
    {
        return Err(ApiError::new(
            "ResourceAlreadyExistsException",
            format!("An event bus named {name} already exists."),
        ));
    }
    let now = state.now_ms();
    let kms = input
        .pointer("/EncryptionConfiguration/KmsKeyIdentifier")
        .and_then(Value::as_str)
        .filter(|k| !k.is_empty())
        .map(str::to_owned);
    let transition = if unusable(kms.as_deref()) {
        Transition::CreateFailed(kms_reason(kms.as_deref().unwrap_or_default()))
    } else {
        Transition::Active
    };
    let arn = format!(
        "arn:aws:events:{}:{}:event-busv2/{name}/{}",
        state.config.region,
        caller.account,
        resource_id()
    );
    let bus = Bus {
        arn: arn.clone(),
        name,
        account: caller.account.clone(),
        description: text(input, "Description")
            .filter(|d| !d.trim().is_empty())
            .map(str::to_owned),
        kms,
        retention_days: input
            .pointer("/StorageConfiguration/RetentionPeriodInDays")
            .and_then(Value::as_i64)
            .unwrap_or(1),
        state: "CREATING",
        state_reason: None,
        created_ms: now,
        modified_ms: now,
        transition: Some((now + duration_ms(state.config.transition), transition)),
        events: Default::default(),
        next_seq: 1,
        dedup: Default::default(),
        tags: string_map(input.get("Tags")),
    };
    let answer = json!({
        "EventBusArn": bus.arn, "Name": bus.name, "Description": bus.description,
        "EncryptionConfiguration": encryption(&bus), "StorageConfiguration": storage(&bus, now),
        "State": bus.state, "CreationTime": seconds(now),
    });
    state.buses.insert(arn, bus);
    Ok(answer)
}

fn duration_ms(d: std::time::Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

fn bus_view(bus: &Bus, now: i64) -> Value {
    json!({
        "EventBusArn": bus.arn, "Name": bus.name, "Description": bus.description,
        "EncryptionConfiguration": encryption(bus), "StorageConfiguration": storage(bus, now),
        "CreationTime": seconds(bus.created_ms), "LastModifiedTime": seconds(bus.modified_ms),
        "State": bus.state, "StateReason": bus.state_reason,
    })
}

fn describe_event_bus(
    state: &mut State,
    _caller: &Caller,
    input: &Value,
) -> Result<Value, ApiError> {
    let now = state.now_ms();
    let bus = bus(state, text(input, "EventBusArn").unwrap_or_default())?;
    Ok(bus_view(bus, now))
}

fn list_event_buses(state: &mut State, caller: &Caller, input: &Value) -> Result<Value, ApiError> {
    let prefix = text(input, "NamePrefix").unwrap_or_default();
    let owner = text(input, "EventBusAccountId");
    let items: Vec<(String, Value)> = state
        .buses
        .values()
        .filter(|b| b.name.starts_with(prefix) && owner.is_none_or(|o| o == b.account))
        .map(|b| {
            let summary = if b.account == caller.account {
                json!({"Name": b.name, "EventBusArn": b.arn, "Description": b.description,
                       "CreationTime": seconds(b.created_ms), "LastModifiedTime": seconds(b.modified_ms),
                       "State": b.state, "StateReason": b.state_reason, "EventBusAccountId": b.account})
            } else {
                json!({"Name": b.name, "EventBusArn": b.arn, "EventBusAccountId": b.account})
            };
            (format!("{}\u{0}{}", b.name, b.arn), summary)
        })
        .collect();
    let (page, token) = page(items, input)?;
    Ok(json!({"EventBuses": page, "NextToken": token}))
}

fn update_event_bus(state: &mut State, caller: &Caller, input: &Value) -> Result<Value, ApiError> {
    let now = state.now_ms();
    let transition = state.config.transition;
    let bus = owned_bus(
        state,
        caller,
        text(input, "EventBusArn").unwrap_or_default(),
    )?;
    if !matches!(bus.state, "ACTIVE" | "UPDATE_FAILED") {
        return Err(ApiError::invalid_state(format!(
            "Event bus {} is {}; it can be updated only when ACTIVE or UPDATE_FAILED.",
            bus.arn, bus.state
        )));
    }
    if let Some(description) = input.get("Description").and_then(Value::as_str) {
        bus.description = Some(description.to_owned()).filter(|d| !d.trim().is_empty());
    }
    if let Some(storage) = input.get("StorageConfiguration") {
        bus.retention_days = storage
            .get("RetentionPeriodInDays")
            .and_then(Value::as_i64)
            .unwrap_or(1);
    }
    if let Some(encryption) = input.get("EncryptionConfiguration") {
        let kms = encryption
            .get("KmsKeyIdentifier")
            .and_then(Value::as_str)
            .filter(|k| !k.is_empty())
            .map(str::to_owned);
        if kms != bus.kms {
            let next = if unusable(kms.as_deref()) {
                Transition::UpdateFailed(kms_reason(kms.as_deref().unwrap_or_default()))
            } else {
                Transition::Updated { kms }
            };
            bus.state = "UPDATING";
            bus.state_reason = None;
            bus.transition = Some((now + duration_ms(transition), next));
        }
    }
    bus.modified_ms = now;
    Ok(json!({
        "EventBusArn": bus.arn, "Name": bus.name, "Description": bus.description,
        "EncryptionConfiguration": encryption(bus), "StorageConfiguration": storage(bus, now),
        "State": bus.state, "StateReason": bus.state_reason, "LastModifiedTime": seconds(now),
    }))
}

fn delete_event_bus(state: &mut State, caller: &Caller, input: &Value) -> Result<Value, ApiError> {
    let arn = text(input, "EventBusArn").unwrap_or_default().to_owned();
    let now = state.now_ms();
    let transition = state.config.transition;
    let attached = state
        .subscribers
        .values()
        .filter(|s| s.bus_arn == arn && !s.revoked)
        .count();
    let bus = owned_bus(state, caller, &arn)?;
    if !matches!(
        bus.state,
        "ACTIVE" | "UPDATE_FAILED" | "CREATE_FAILED" | "DELETE_FAILED"
    ) {
        return Err(ApiError::invalid_state(format!(
            "Event bus {arn} is {}; it cannot be deleted now.",
            bus.state
        )));
    }
    if attached > 0 {
        return Err(ApiError::new(
            "ResourceInUseException",
            format!(
                "Event bus {arn} has {attached} subscriber(s) that are not revoked; delete or revoke them first."
            ),
        ));
    }
    bus.state = "DELETING";
    bus.state_reason = None;
    bus.modified_ms = now;
    bus.transition = Some((now + duration_ms(transition), Transition::Gone));
    Ok(json!({}))
}

// ---------------------------------------------------------------------- subscribers

fn subscriber<'a>(state: &'a State, arn: &str) -> Result<&'a Subscriber, ApiError> {
    state
        .subscribers
        .get(arn)
        .ok_or_else(|| ApiError::not_found(format!("Subscriber {arn} does not exist.")))
}

/// The subscriber `arn` of `caller`, not revoked, on a bus that takes changes.
fn mutable_subscriber<'a>(
    state: &'a mut State,
    caller: &Caller,
    arn: &str,
) -> Result<&'a mut Subscriber, ApiError> {
    let sub = subscriber(state, arn)?;
    if sub.account != caller.account {
        return Err(ApiError::new(
            "AccessDeniedException",
            format!("Subscriber {arn} belongs to account {}.", sub.account),
        ));
    }
    if sub.revoked {
        return Err(ApiError::invalid_state(format!(
            "Subscriber {arn} has been revoked by the bus owner; it can only be deleted."
        )));
    }
    if let Some(bus) = state.buses.get(&sub.bus_arn)
        && !bus.accepts_work()
    {
        return Err(ApiError::invalid_state(format!(
            "Event bus {} is {}.",
            bus.arn, bus.state
        )));
    }
    state
        .subscribers
        .get_mut(arn)
        .ok_or_else(|| ApiError::not_found(format!("Subscriber {arn} does not exist.")))
}

/// The parameter blocks of an invoke configuration.
const BLOCKS: &[&str] = &[
    "LambdaParameters",
    "SqsParameters",
    "SnsParameters",
    "KinesisParameters",
    "StepFunctionsParameters",
    "HttpParameters",
    "UniversalTargetParameters",
    "EventBusV2Parameters",
    "MskParameters",
];

/// A target ARN's type, as the block it takes (`None`: no block), and whether the region
/// and account checks apply — the agent toolkit's target table (`assumptions` "targets").
fn target_type(arn: &str) -> Result<(Option<&'static str>, bool, bool), ApiError> {
    let unsupported = || {
        ApiError::invalid(
            "InvokeConfiguration.TargetArn: TargetArn is not a supported subscriber target",
        )
    };
    let shape = |form: &str| {
        ApiError::invalid(format!(
            "InvokeConfiguration.TargetArn: TargetArn resource must be of the form {form}"
        ))
    };
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let [_, _, service, _, _, resource] = parts.as_slice() else {
        return Err(unsupported());
    };
    let segments = |s: &str, sep: char| s.split(sep).map(str::to_owned).collect::<Vec<_>>();
    let non_empty = |v: &[String]| v.iter().all(|s| !s.is_empty());
    Ok(match *service {
        "sqs" if !resource.is_empty() && !resource.contains(['/', ':']) => {
            (Some("SqsParameters"), true, true)
        }
        "sqs" => return Err(shape("{queueName}")),
        "sns" if !resource.is_empty() && !resource.contains(['/', ':']) => {
            (Some("SnsParameters"), true, true)
        }
        "sns" => return Err(shape("{topicName}")),
        "lambda" => {
            let s = segments(resource, ':');
            if s.first().map(String::as_str) != Some("function")
                || !(2..=3).contains(&s.len())
                || !non_empty(&s)
            {
                return Err(shape("function:{name}[:{qualifier}]"));
            }
            (Some("LambdaParameters"), true, true)
        }
        "kinesis" => {
            let s = segments(resource, '/');
            if s.len() != 2 || s[0] != "stream" || !non_empty(&s) {
                return Err(shape("stream/{name}"));
            }
            (Some("KinesisParameters"), true, true)
        }
        "states" => {
            let s = segments(resource, ':');
            if s.first().map(String::as_str) != Some("stateMachine")
                || !(2..=3).contains(&s.len())
                || !non_empty(&s)
            {
                return Err(shape("stateMachine:{name}[:{version}]"));
            }
            (Some("StepFunctionsParameters"), true, true)
        }
        "firehose" => {
            let s = segments(resource, '/');
            if s.len() != 2 || s[0] != "deliverystream" || !non_empty(&s) {
                return Err(shape("deliverystream/{name}"));
            }
            (None, true, true)
        }
        "execute-api" => {
            let s = segments(resource, '/');
            if s.len() < 3 || !non_empty(&s[..3]) {
                return Err(shape("{apiId}/{stage}/{method}[/{path}]"));
            }
            (Some("HttpParameters"), true, true)
        }
        "kafka" => {
            if !resource.starts_with("cluster/") {
                return Err(shape("cluster/{name}/{uuid}"));
            }
            (Some("MskParameters"), true, true)
        }
        "events" if resource.starts_with("aws-sdk:") => {
            (Some("UniversalTargetParameters"), false, false)
        }
        "events" => {
            let s = segments(resource, '/');
            match (s.first().map(String::as_str), s.len()) {
                (Some("event-busv2"), 3) if non_empty(&s) => {
                    (Some("EventBusV2Parameters"), false, true)
                }
                (Some("api-destination"), 3) if non_empty(&s) => {
                    (Some("HttpParameters"), true, true)
                }
                (Some("event-bus"), 2) if non_empty(&s) => (None, true, true),
                _ => return Err(unsupported()),
            }
        }
        _ => return Err(unsupported()),
    })
}

/// The invoke configuration's blocks fit target `target_arn`, which suits a subscriber
/// of `account` on bus `bus_arn` (`assumptions` "targets").
fn check_invoke(
    state: &State,
    account: &str,
    bus_arn: &str,
    target_arn: &str,
    invoke: &Value,
) -> Result<(), ApiError> {
    let (expected, regional, same_account) = target_type(target_arn)?;
    for block in BLOCKS {
        if invoke.get(*block).is_some_and(|b| !b.is_null()) && Some(*block) != expected {
            return Err(ApiError::invalid(match expected {
                Some(expected) => {
                    format!("{block} is not supported for target {target_arn}. Expected {expected}")
                }
                None => format!(
                    "{block} is not supported for target {target_arn}. Expected no target parameters"
                ),
            }));
        }
    }
    let parts: Vec<&str> = target_arn.splitn(6, ':').collect();
    if parts.get(1) != Some(&"aws") {
        return Err(ApiError::invalid("TargetArn must be in partition aws"));
    }
    if regional && parts.get(3) != Some(&state.config.region.as_str()) {
        return Err(ApiError::invalid(format!(
            "TargetArn must be in region {}",
            state.config.region
        )));
    }
    if same_account && parts.get(4) != Some(&account) {
        return Err(ApiError::invalid(format!(
            "Target resource account ({}) must match the subscriber account ({account})",
            parts.get(4).unwrap_or(&"")
        )));
    }
    if target_arn == bus_arn {
        return Err(ApiError::invalid(
            "InvokeConfiguration.TargetArn must not reference the subscriber's own event bus",
        ));
    }
    for attributes in ["MessageAttributes", "MessageSystemAttributes"] {
        let values = invoke
            .get("SqsParameters")
            .and_then(|p| p.get(attributes))
            .or_else(|| invoke.get("SnsParameters").and_then(|p| p.get(attributes)))
            .and_then(Value::as_object);
        for (name, value) in values.into_iter().flatten() {
            if value
                .get("BinaryValue")
                .and_then(Value::as_str)
                .is_some_and(|b| b.contains("{%") || b.contains("%}"))
            {
                return Err(ApiError::invalid(format!(
                    "{attributes}.{name}.BinaryValue must not contain {{% or %}}"
                )));
            }
        }
    }
    Ok(())
}

fn parse_filters(config: &Value) -> Result<Vec<(String, Pattern)>, ApiError> {
    let filters = config
        .get("Filters")
        .and_then(Value::as_array)
        .filter(|f| !f.is_empty())
        .ok_or_else(|| {
            ApiError::invalid(
                "FilterConfiguration must contain at least one filter with a non-empty Pattern.",
            )
        })?;
    let mut parsed: Vec<(String, Pattern)> = Vec::new();
    for (i, filter) in filters.iter().enumerate() {
        let scope = text(filter, "Scope").unwrap_or_default().to_owned();
        let pattern = text(filter, "Pattern").unwrap_or_default();
        if pattern.trim().is_empty() {
            return Err(ApiError::invalid(format!(
                "FilterConfiguration.Filters[{i}].Pattern must not be empty."
            )));
        }
        if parsed.iter().any(|(s, _)| *s == scope) {
            return Err(ApiError::invalid(format!(
                "FilterConfiguration has more than one {scope} filter; at most one filter per scope."
            )));
        }
        let pattern = Pattern::parse(pattern, scope == "METADATA").map_err(|e| {
            ApiError::invalid(format!("FilterConfiguration.Filters[{i}].Pattern: {e}"))
        })?;
        parsed.push((scope, pattern));
    }
    Ok(parsed)
}

fn check_transformer(transformer: &Value) -> Result<(), ApiError> {
    let kind = text(transformer, "Type").unwrap_or("RAW");
    let jsonata = transformer.get("JsonataConfiguration").is_some();
    match (kind, jsonata) {
        ("JSONATA", false) => Err(ApiError::invalid(
            "Transformer.JsonataConfiguration is required when Type is JSONATA.",
        )),
        ("RAW" | "WITH_METADATA", true) => Err(ApiError::invalid(format!(
            "Transformer.JsonataConfiguration applies only when Type is JSONATA, not {kind}."
        ))),
        _ => Ok(()),
    }
}

fn check_batch(batch: &Value, target_arn: &str) -> Result<(), ApiError> {
    if target_arn.split(':').nth(2) == Some("sqs")
        && batch
            .get("MaxBatchSize")
            .and_then(Value::as_i64)
            .is_some_and(|n| n > pin::SQS_BATCH_MAX)
    {
        return Err(ApiError::invalid(format!(
            "BatchConfiguration.MaxBatchSize is outside the target's limits: SQS takes at most {} messages per batch.",
            pin::SQS_BATCH_MAX
        )));
    }
    Ok(())
}

fn create_subscriber(state: &mut State, caller: &Caller, input: &Value) -> Result<Value, ApiError> {
    let now = state.now_ms();
    let name = text(input, "Name").unwrap_or_default().to_owned();
    let bus_arn = text(input, "EventBusArn").unwrap_or_default().to_owned();
    let bus = bus(state, &bus_arn)?;
    if !bus.accepts_work() {
        return Err(ApiError::invalid_state(format!(
            "Event bus {bus_arn} is {}; subscribers can be created only on an ACTIVE bus.",
            bus.state
        )));
    }
    let on_bus = state.subscribers.values().filter(|s| s.bus_arn == bus_arn);
    if on_bus.clone().any(|s| s.name == name) {
        return Err(ApiError::new(
            "ResourceAlreadyExistsException",
            format!("A subscriber named {name} already exists on event bus {bus_arn}."),
        ));
    }
    if on_bus.count() >= pin::MAX_SUBSCRIBERS_PER_BUS {
        return Err(ApiError::new(
            "LimitExceededException",
            format!(
                "Event bus {bus_arn} already has {} subscribers, the most one bus may have.",
                pin::MAX_SUBSCRIBERS_PER_BUS
            ),
        ));
    }
    let invoke = input
        .get("InvokeConfiguration")
        .cloned()
        .unwrap_or_default();
    let target_arn = text(&invoke, "TargetArn").unwrap_or_default().to_owned();
    check_invoke(state, &caller.account, &bus_arn, &target_arn, &invoke)?;
    let filter = present(input, "FilterConfiguration");
    let filters = match &filter {
        Some(config) => parse_filters(config)?,
        None => Vec::new(),
    };
    if let Some(transformer) = input.get("Transformer") {
        check_transformer(transformer)?;
    }
    if let Some(batch) = input.get("BatchConfiguration") {
        check_batch(batch, &target_arn)?;
    }
    let starting_position = text(input, "StartingPosition")
        .unwrap_or("LATEST")
        .to_owned();
    let mut point_in_time = present(input, "PointInTimeConfiguration");
    let (position, end_ms) = starting(bus, now, &starting_position, point_in_time.as_ref())?;
    // Kept to the millisecond, as every time the stand-in answers.
    for key in ["StartingPoint", "EndPoint"] {
        if let Some(slot) = point_in_time.as_mut().and_then(|p| p.get_mut(key))
            && let Some(ms) = millis(slot)
        {
            *slot = seconds(ms);
        }
    }
    let arn = format!(
        "arn:aws:events:{}:{}:subscriber/{name}/{}",
        state.config.region,
        caller.account,
        resource_id()
    );
    let sub = Subscriber {
        arn: arn.clone(),
        name,
        account: caller.account.clone(),
        bus_arn,
        description: text(input, "Description")
            .filter(|d| !d.trim().is_empty())
            .map(str::to_owned),
        invoke,
        filter,
        filters,
        kind: text(input, "Type").unwrap_or("UNORDERED").to_owned(),
        starting_position,
        point_in_time,
        end_ms,
        batch: present(input, "BatchConfiguration"),
        transformer: present(input, "Transformer"),
        retry: present(input, "RetryPolicy"),
        on_failure: present(input, "OnFailureConfiguration").filter(|c| c.get("Arn").is_some()),
        log: present(input, "LogConfiguration"),
        state: text(input, "State").unwrap_or("RUNNING").to_owned(),
        revoked: false,
        created_ms: now,
        modified_ms: now,
        tags: string_map(input.get("Tags")),
        position,
        inflight: None,
        totals: BTreeMap::new(),
    };
    let answer = json!({
        "SubscriberArn": sub.arn, "Name": sub.name, "EventBusArn": sub.bus_arn, "Type": sub.kind,
        "StartingPosition": sub.starting_position, "PointInTimeConfiguration": sub.point_in_time,
        "State": sub.state, "CreationTime": seconds(now),
    });
    state.subscribers.insert(arn, sub);
    Ok(answer)
}

/// Where a new subscriber starts, and where it stops (`assumptions` "point-in-time-checks",
/// "position-is-ingestion-time", "end-point-exclusive").
fn starting(
    bus: &Bus,
    now: i64,
    position: &str,
    point_in_time: Option<&Value>,
) -> Result<(u64, Option<i64>), ApiError> {
    match (position, point_in_time) {
        ("LATEST", None) => Ok((bus.next_seq, None)),
        ("LATEST", Some(_)) => Err(ApiError::invalid(
            "PointInTimeConfiguration applies only when StartingPosition is POINT_IN_TIME.",
        )),
        (_, None) => Err(ApiError::invalid(
            "PointInTimeConfiguration is required when StartingPosition is POINT_IN_TIME.",
        )),
        (_, Some(config)) => {
            let window = bus.window_start_ms(now);
            let start = config.get("StartingPoint").and_then(millis);
            let end = config.get("EndPoint").and_then(millis);
            let start = match (text(config, "PointType"), start) {
                (Some("TIMESTAMP"), None) => {
                    return Err(ApiError::invalid(
                        "PointInTimeConfiguration.StartingPoint is required when PointType is TIMESTAMP.",
                    ));
                }
                (Some("HORIZON"), Some(_)) => {
                    return Err(ApiError::invalid(
                        "PointInTimeConfiguration.StartingPoint applies only when PointType is TIMESTAMP.",
                    ));
                }
                (Some("TIMESTAMP"), Some(start)) => {
                    if start < window {
                        return Err(ApiError::invalid(format!(
                            "PointInTimeConfiguration.StartingPoint {} is outside the event bus's retention window, which starts at {} (RetentionWindowStartTime).",
                            iso(start, true),
                            iso(window, true)
                        )));
                    }
                    if start > now {
                        return Err(ApiError::invalid(format!(
                            "PointInTimeConfiguration.StartingPoint {} is in the future.",
                            iso(start, true)
                        )));
                    }
                    start
                }
                _ => window,
            };
            if let Some(end) = end
                && end <= start
            {
                return Err(ApiError::invalid(
                    "PointInTimeConfiguration.EndPoint must be after the StartingPoint.",
                ));
            }
            Ok((bus.seq_at(start), end))
        }
    }
}

fn resolved_batch(sub: &Subscriber) -> Value {
    let get = |k: &str| sub.batch.as_ref().and_then(|b| b.get(k)).cloned();
    json!({"MaxBatchSize": get("MaxBatchSize").unwrap_or(json!(pin::SQS_BATCH_MAX)),
           "MaxBatchWindowInSeconds": get("MaxBatchWindowInSeconds").unwrap_or(json!(0))})
}

fn resolved_retry(sub: &Subscriber) -> Value {
    let get = |k: &str| sub.retry.as_ref().and_then(|b| b.get(k)).cloned();
    json!({"MaxRetryAttempts": get("MaxRetryAttempts").unwrap_or(json!(5)),
           "MaxEventAgeInSeconds": get("MaxEventAgeInSeconds").unwrap_or(json!(300)),
           "RetryStrategy": get("RetryStrategy").unwrap_or(json!("ALL"))})
}

fn resolved_log(sub: &Subscriber) -> Value {
    let get = |k: &str| sub.log.as_ref().and_then(|b| b.get(k)).cloned();
    json!({"Level": get("Level").unwrap_or(json!("OFF")),
           "IncludePayload": get("IncludePayload").unwrap_or(json!("ON_ERROR_ONLY"))})
}

fn revoked(sub: &Subscriber) -> Value {
    if sub.revoked {
        json!(true)
    } else {
        Value::Null
    }
}

fn describe_subscriber(state: &mut State, input: &Value) -> Result<Value, ApiError> {
    let sub = subscriber(state, text(input, "SubscriberArn").unwrap_or_default())?;
    Ok(json!({
        "SubscriberArn": sub.arn, "Name": sub.name, "EventBusArn": sub.bus_arn,
        "InvokeConfiguration": sub.invoke, "Description": sub.description,
        "FilterConfiguration": sub.filter, "Type": sub.kind,
        "StartingPosition": sub.starting_position, "PointInTimeConfiguration": sub.point_in_time,
        "BatchConfiguration": resolved_batch(sub), "Transformer": sub.transformer,
        "RetryPolicy": resolved_retry(sub), "OnFailureConfiguration": sub.on_failure,
        "LogConfiguration": resolved_log(sub), "State": sub.state, "Revoked": revoked(sub),
        "CreationTime": seconds(sub.created_ms), "LastModifiedTime": seconds(sub.modified_ms),
    }))
}

fn list_subscribers(state: &mut State, caller: &Caller, input: &Value) -> Result<Value, ApiError> {
    let on_bus = text(input, "EventBusArn");
    if let Some(arn) = on_bus {
        bus(state, arn)?;
    }
    let prefix = text(input, "NamePrefix").unwrap_or_default();
    let items: Vec<(String, Value)> = state
        .subscribers
        .values()
        .filter(|s| match on_bus {
            Some(arn) => s.bus_arn == arn,
            None => s.account == caller.account,
        })
        .filter(|s| s.name.starts_with(prefix))
        .map(|s| {
            (
                format!("{}\u{0}{}", s.name, s.arn),
                json!({"SubscriberArn": s.arn, "Name": s.name, "EventBusArn": s.bus_arn,
                       "TargetArn": s.target_arn(), "Type": s.kind, "Revoked": revoked(s),
                       "State": s.state, "CreationTime": seconds(s.created_ms),
                       "LastModifiedTime": seconds(s.modified_ms), "SubscriberAccountId": s.account}),
            )
        })
        .collect();
    let (page, token) = page(items, input)?;
    Ok(json!({"Subscribers": page, "NextToken": token}))
}

/// Whether a subscriber has delivered all the bus holds and has nothing being retried.
pub fn caught_up(sub: &Subscriber, bus: &Bus) -> bool {
    sub.inflight.is_none() && sub.position >= bus.next_seq
}

fn update_subscriber(state: &mut State, caller: &Caller, input: &Value) -> Result<Value, ApiError> {
    let now = state.now_ms();
    let arn = text(input, "SubscriberArn").unwrap_or_default().to_owned();
    let (bus_next_seq, bus_caught_up, target_arn, bus_arn) = {
        let sub = mutable_subscriber(state, caller, &arn)?;
        let (sub_bus, target) = (sub.bus_arn.clone(), sub.target_arn().to_owned());
        let sub = sub.clone();
        let bus = bus(state, &sub_bus)?;
        (bus.next_seq, caught_up(&sub, bus), target, sub_bus)
    };
    // Everything is checked before anything changes.
    let invoke = match input.get("InvokeConfiguration") {
        Some(update) => {
            let mut invoke = update.clone();
            if let Some(object) = invoke.as_object_mut() {
                object.insert("TargetArn".to_owned(), Value::String(target_arn.clone()));
            }
            check_invoke(state, &caller.account, &bus_arn, &target_arn, &invoke)?;
            Some(invoke)
        }
        None => None,
    };
    let filters = match input.get("FilterConfiguration") {
        Some(config) if config.as_object().is_some_and(Map::is_empty) => Some(None),
        Some(config) => Some(Some((config.clone(), parse_filters(config)?))),
        None => None,
    };
    if let Some(transformer) = input.get("Transformer") {
        check_transformer(transformer)?;
    }
    if let Some(batch) = input.get("BatchConfiguration") {
        check_batch(batch, &target_arn)?;
    }
    let sub = mutable_subscriber(state, caller, &arn)?;
    if let Some(next) = text(input, "State")
        && next != sub.state
    {
        // ResumePosition counts only on the way from STOPPED to RUNNING (the model).
        if sub.state == "STOPPED"
            && next == "RUNNING"
            && text(input, "ResumePosition") == Some("LATEST")
        {
            if sub.starting_position == "POINT_IN_TIME" && (sub.end_ms.is_some() || !bus_caught_up)
            {
                return Err(ApiError::invalid(
                    "ResumePosition LATEST cannot be used by a subscriber that is replaying: it has not caught up with the bus, or it stops at an EndPoint.",
                ));
            }
            sub.position = bus_next_seq;
            sub.inflight = None;
        }
        sub.state = next.to_owned();
    }
    if let Some(description) = input.get("Description").and_then(Value::as_str) {
        sub.description = Some(description.to_owned()).filter(|d| !d.trim().is_empty());
    }
    if let Some(invoke) = invoke {
        sub.invoke = invoke;
    }
    if let Some(filters) = filters {
        match filters {
            Some((config, parsed)) => {
                sub.filter = Some(config);
                sub.filters = parsed;
            }
            None => {
                sub.filter = None;
                sub.filters.clear();
            }
        }
    }
    let replace = |slot: &mut Option<Value>, key: &str| {
        if let Some(value) = input.get(key) {
            *slot = Some(value.clone()).filter(|v| v.as_object().is_none_or(|o| !o.is_empty()));
        }
    };
    replace(&mut sub.batch, "BatchConfiguration");
    replace(&mut sub.transformer, "Transformer");
    replace(&mut sub.retry, "RetryPolicy");
    replace(&mut sub.on_failure, "OnFailureConfiguration");
    replace(&mut sub.log, "LogConfiguration");
    sub.modified_ms = now;
    Ok(json!({
        "SubscriberArn": sub.arn, "Name": sub.name, "EventBusArn": sub.bus_arn, "Type": sub.kind,
        "StartingPosition": sub.starting_position, "PointInTimeConfiguration": sub.point_in_time,
        "State": sub.state, "LastModifiedTime": seconds(now),
    }))
}

fn delete_subscriber(state: &mut State, caller: &Caller, input: &Value) -> Result<Value, ApiError> {
    let arn = text(input, "SubscriberArn").unwrap_or_default();
    let sub = subscriber(state, arn)?;
    if sub.account != caller.account {
        return Err(ApiError::new(
            "AccessDeniedException",
            format!(
                "Subscriber {arn} belongs to account {}; only its owner may delete it.",
                sub.account
            ),
        ));
    }
    state.subscribers.remove(arn);
    Ok(json!({}))
}

fn revoke_resource(state: &mut State, caller: &Caller, input: &Value) -> Result<Value, ApiError> {
    let arn = text(input, "Arn").unwrap_or_default().to_owned();
    let sub = subscriber(state, &arn)
        .map_err(|_| ApiError::not_found(format!("Resource {arn} does not exist.")))?;
    let bus_owner = state
        .buses
        .get(&sub.bus_arn)
        .map(|b| b.account.clone())
        .unwrap_or_default();
    if bus_owner != caller.account {
        return Err(ApiError::new(
            "AccessDeniedException",
            format!(
                "Only the owner of event bus {} may revoke its subscribers.",
                sub.bus_arn
            ),
        ));
    }
    let now = state.now_ms();
    if let Some(sub) = state.subscribers.get_mut(&arn)
        && !sub.revoked
    {
        sub.revoked = true;
        sub.inflight = None;
        sub.modified_ms = now;
    }
    Ok(json!({"Arn": arn}))
}

// --------------------------------------------------------------------------- events

/// RFC 3339 in UTC, to the second or the millisecond.
pub fn iso(ms: i64, with_millis: bool) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let fraction = if with_millis {
        format!(".{:03}", t.millisecond())
    } else {
        String::new()
    };
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{fraction}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

struct Entry {
    data: Value,
    metadata: Map<String, Value>,
    system: Map<String, Value>,
    dedup_key: Option<String>,
    size: usize,
}

fn entry_error(code: &str, message: impl Into<String>) -> Value {
    json!({"ErrorCode": code, "ErrorMessage": message.into()})
}

fn digest(parts: &[&[u8]]) -> String {
    let mut hasher = sha2::Sha256::new();
    for part in parts {
        hasher.update((part.len() as u64).to_be_bytes());
        hasher.update(part);
    }
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A PutEvents entry as an event, or its error entry.
fn put_events_entry(
    entry: &Value,
    caller: &Caller,
    region: &str,
    now: i64,
    content_based: bool,
) -> Result<Entry, Value> {
    let source = text(entry, "Source").unwrap_or_default();
    let detail_type = text(entry, "DetailType").unwrap_or_default();
    if source.starts_with("aws.") {
        return Err(entry_error(
            "InvalidArgument",
            "Source must not begin with the reserved prefix aws.",
        ));
    }
    let detail_text = text(entry, "Detail").unwrap_or("{}");
    let detail: Value = match serde_json::from_str(detail_text) {
        Ok(detail @ Value::Object(_)) => detail,
        _ => {
            return Err(entry_error(
                "MalformedDetail",
                "Detail is not a valid JSON object.",
            ));
        }
    };
    let resources: Vec<Value> = entry
        .get("Resources")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let time = entry.get("Time").and_then(millis).unwrap_or(now);
    let mut system = Map::new();
    system.insert("aws:Source".into(), json!(source));
    system.insert("aws:DetailType".into(), json!(detail_type));
    system.insert("ContentType".into(), json!("application/eventbridge+json"));
    copy_system(entry, &mut system);
    let resources_text = Value::Array(resources.clone()).to_string();
    let size = source.len() + detail_type.len() + detail_text.len() + resources_text.len();
    let dedup_key = dedup_key(&system, content_based, || {
        digest(&[
            source.as_bytes(),
            detail_type.as_bytes(),
            detail.to_string().as_bytes(),
            resources_text.as_bytes(),
        ])
    });
    Ok(Entry {
        data: json!({
            "version": "0", "id": "", "detail-type": detail_type, "source": source,
            "account": caller.account, "time": iso(time, false), "region": region,
            "resources": resources, "detail": detail,
        }),
        metadata: Map::new(),
        system,
        dedup_key,
        size,
    })
}

fn copy_system(entry: &Value, system: &mut Map<String, Value>) {
    for key in ["EventGroupId", "DeduplicationId"] {
        if let Some(value) = entry
            .get("SystemMetadata")
            .and_then(|s| s.get(key))
            .and_then(Value::as_str)
        {
            system.insert(key.into(), json!(value));
        }
    }
}

fn dedup_key(
    system: &Map<String, Value>,
    content_based: bool,
    content: impl FnOnce() -> String,
) -> Option<String> {
    match system.get("DeduplicationId").and_then(Value::as_str) {
        Some(id) => Some(format!("id:{id}")),
        None if content_based => Some(format!("content:{}", content())),
        None => None,
    }
}

enum RawEntry {
    Ok(Entry),
    Failed(Value),
    RegistryUnavailable,
}

/// A PutRawEvents entry as an event, or its error entry.
fn put_raw_entry(entry: &Value, has_registry: bool, content_based: bool) -> RawEntry {
    let data_b64 = text(entry, "Data").unwrap_or_default();
    let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(data_b64) else {
        return RawEntry::Failed(entry_error("MalformedData", "Data is not a blob."));
    };
    let content_type = entry
        .pointer("/SystemMetadata/ContentType")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let data = match content_type {
        "application/json" => match serde_json::from_slice::<Value>(&bytes) {
            Ok(data) => data,
            Err(_) => {
                return RawEntry::Failed(entry_error(
                    "MalformedData",
                    "Data is not valid JSON, as its ContentType application/json says.",
                ));
            }
        },
        "application/octet-stream" => Value::String(data_b64.to_owned()),
        "application/avro" | "application/protobuf" if has_registry => {
            return RawEntry::RegistryUnavailable;
        }
        "application/avro" | "application/protobuf" => {
            return RawEntry::Failed(entry_error(
                "InvalidArgument",
                format!("SchemaRegistryConfiguration is required for {content_type} entries."),
            ));
        }
        other => {
            return RawEntry::Failed(entry_error(
                "InvalidContentType",
                format!(
                    "ContentType {other} is not one of application/json, application/avro, application/protobuf, application/octet-stream."
                ),
            ));
        }
    };
    let metadata = entry
        .get("Metadata")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let mut system = Map::new();
    system.insert("ContentType".into(), json!(content_type));
    copy_system(entry, &mut system);
    let metadata_text = Value::Object(metadata.clone()).to_string();
    let size = bytes.len() + metadata_text.len();
    let dedup_key = dedup_key(&system, content_based, || {
        digest(&[&bytes, metadata_text.as_bytes()])
    });
    RawEntry::Ok(Entry {
        data,
        metadata,
        system,
        dedup_key,
        size,
    })
}

/// PutEvents (`raw` false) or PutRawEvents, with the publish metrics of the call.
fn publish(
    state: &mut State,
    caller: &Caller,
    input: &Value,
    raw: bool,
) -> Result<Value, ApiError> {
    let arn = text(input, "EventBusArn").unwrap_or_default().to_owned();
    let dimension = bus(state, &arn)?.name_and_id();
    let dims = [("EventBus", dimension.as_str())];
    state
        .metrics
        .add("PublishEventsApproximateCallCount", &dims, "Count", 1.0);
    let answer = store_events(state, caller, &arn, input, raw);
    let metrics = &mut state.metrics;
    match &answer {
        Ok((result, entries, bytes)) => {
            let failed = result
                .get("FailedEntryCount")
                .and_then(Value::as_f64)
                .unwrap_or_default();
            metrics.add(
                "PublishEventsApproximateSuccessCallCount",
                &dims,
                "Count",
                1.0,
            );
            metrics.add("PublishEventsEntryCount", &dims, "Count", *entries as f64);
            if failed > 0.0 {
                metrics.add("PublishEventsFailedEntriesCount", &dims, "Count", failed);
            }
            if *bytes > 0 {
                metrics.add("PublishEventsIngressBytes", &dims, "Bytes", *bytes as f64);
            }
        }
        Err(_) => metrics.add(
            "PublishEventsApproximateFailedCallCount",
            &dims,
            "Count",
            1.0,
        ),
    }
    answer.map(|(result, _, _)| result)
}

/// The publish metrics of a PutEvents or PutRawEvents call refused before it ran (its
/// input did not fit the model, or a test injected `code`).
pub fn refused_publish(state: &mut State, input: &Value, code: &str) {
    let Some(dimension) = text(input, "EventBusArn")
        .and_then(|arn| state.buses.get(arn))
        .map(Bus::name_and_id)
    else {
        return;
    };
    let dims = [("EventBus", dimension.as_str())];
    let outcome = if code == "ThrottlingException" {
        "PublishEventsApproximateThrottledCallCount"
    } else {
        "PublishEventsApproximateFailedCallCount"
    };
    state
        .metrics
        .add("PublishEventsApproximateCallCount", &dims, "Count", 1.0);
    state.metrics.add(outcome, &dims, "Count", 1.0);
}

fn store_events(
    state: &mut State,
    caller: &Caller,
    arn: &str,
    input: &Value,
    raw: bool,
) -> Result<(Value, usize, usize), ApiError> {
    let now = state.now_ms();
    let region = state.config.region.clone();
    let bus_state = bus(state, arn)?;
    if !bus_state.accepts_work() {
        return Err(ApiError::invalid_state(format!(
            "Event bus {arn} is {}; it accepts events only when ACTIVE.",
            bus_state.state
        )));
    }
    let entries = input
        .get("Entries")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let content_based = input
        .pointer("/DeduplicationConfiguration/DeduplicationType")
        .and_then(Value::as_str)
        == Some("CONTENT_BASED");
    let has_registry = input.get("SchemaRegistryConfiguration").is_some();
    let mut parsed = Vec::with_capacity(entries.len());
    let mut total = 0;
    for entry in &entries {
        let one = if raw {
            match put_raw_entry(entry, has_registry, content_based) {
                RawEntry::Ok(e) => Ok(e),
                RawEntry::Failed(error) => Err(error),
                RawEntry::RegistryUnavailable => {
                    return Err(ApiError::new(
                        "SchemaRegistryUnavailableException",
                        "The configured schema registry could not be reached.",
                    ));
                }
            }
        } else {
            put_events_entry(entry, caller, &region, now, content_based)
        };
        if let Ok(e) = &one {
            total += e.size;
        }
        parsed.push(one);
    }
    if total > 1_048_576 {
        return Err(ApiError::invalid(format!(
            "The entries total {total} bytes; a request may carry at most 1 MB (1,048,576 bytes). None was published."
        )));
    }
    let Some(bus) = state.buses.get_mut(arn) else {
        return Err(ApiError::not_found(format!(
            "Event bus {arn} does not exist."
        )));
    };
    let mut results = Vec::with_capacity(parsed.len());
    let (mut failed, mut stored_bytes) = (0, 0);
    for one in parsed {
        let mut entry = match one {
            Ok(entry) => entry,
            Err(error) => {
                failed += 1;
                results.push(error);
                continue;
            }
        };
        if let Some(key) = &entry.dedup_key
            && let Some((_, id, seq)) = bus.dedup.get(key)
        {
            results.push(json!({"EventId": id, "SequenceNumber": sequence(*seq), "SuccessCode": "DEDUPLICATED"}));
            continue;
        }
        let seq = bus.next_seq;
        bus.next_seq += 1;
        let id = uuid();
        if let Some(object) = entry.data.as_object_mut()
            && !raw
        {
            object.insert("id".into(), json!(id));
        }
        entry.system.insert("aws:EventId".into(), json!(id));
        entry
            .system
            .insert("aws:IngestionTime".into(), json!(iso(now, true)));
        entry
            .system
            .insert("aws:SequenceNumber".into(), json!(sequence(seq)));
        if let Some(key) = entry.dedup_key.take() {
            bus.dedup.insert(key, (now, id.clone(), seq));
        }
        stored_bytes += entry.size;
        bus.events.push_back(Event {
            seq,
            id: id.clone(),
            ingested_ms: now,
            data: entry.data,
            metadata: entry.metadata,
            system: entry.system,
            size: entry.size,
        });
        results.push(
            json!({"EventId": id, "SequenceNumber": sequence(seq), "SuccessCode": "PUBLISHED"}),
        );
    }
    Ok((
        json!({"FailedEntryCount": failed, "Entries": results}),
        entries.len(),
        stored_bytes,
    ))
}

/// A sequence number as the API writes it (zero-padded, so text order is bus order).
pub fn sequence(seq: u64) -> String {
    format!("{seq:020}")
}

// ----------------------------------------------------------------------------- tags

fn string_map(value: Option<&Value>) -> BTreeMap<String, String> {
    value
        .and_then(Value::as_object)
        .map(|o| {
            o.iter()
                .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_owned())))
                .collect()
        })
        .unwrap_or_default()
}

/// The tags of the bus or subscriber `arn`, and whether it is a revoked subscriber.
fn tags_of<'a>(
    state: &'a mut State,
    arn: &str,
) -> Result<(&'a mut BTreeMap<String, String>, bool), ApiError> {
    if let Some(bus) = state.buses.get_mut(arn) {
        return Ok((&mut bus.tags, false));
    }
    if let Some(sub) = state.subscribers.get_mut(arn) {
        return Ok((&mut sub.tags, sub.revoked));
    }
    Err(ApiError::not_found(format!(
        "Resource {arn} does not exist."
    )))
}

fn tag_resource(state: &mut State, _caller: &Caller, input: &Value) -> Result<Value, ApiError> {
    let arn = text(input, "ResourceArn").unwrap_or_default();
    let new = string_map(input.get("Tags"));
    if let Some(key) = new.keys().find(|k| k.starts_with("aws:")) {
        return Err(ApiError::invalid(format!(
            "Tag key {key} uses the reserved prefix aws:."
        )));
    }
    let (tags, revoked) = tags_of(state, arn)?;
    if revoked {
        return Err(ApiError::invalid_state(format!(
            "Subscriber {arn} has been revoked; it can only be deleted."
        )));
    }
    let mut merged = tags.clone();
    merged.extend(new);
    if merged.len() > 200 {
        return Err(ApiError::new(
            "LimitExceededException",
            format!(
                "A resource may have at most 200 tags; this would give {arn} {}.",
                merged.len()
            ),
        ));
    }
    *tags = merged;
    Ok(json!({}))
}

fn untag_resource(state: &mut State, _caller: &Caller, input: &Value) -> Result<Value, ApiError> {
    let arn = text(input, "ResourceArn").unwrap_or_default();
    let keys: Vec<String> = input
        .get("TagKeys")
        .and_then(Value::as_array)
        .map(|k| {
            k.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    let (tags, revoked) = tags_of(state, arn)?;
    if revoked {
        return Err(ApiError::invalid_state(format!(
            "Subscriber {arn} has been revoked; it can only be deleted."
        )));
    }
    for key in keys {
        tags.remove(&key);
    }
    Ok(json!({}))
}

fn list_tags(state: &mut State, input: &Value) -> Result<Value, ApiError> {
    let arn = text(input, "ResourceArn").unwrap_or_default();
    let (tags, _) = tags_of(state, arn)?;
    Ok(json!({"Tags": tags.clone()}))
}

// ------------------------------------------------------------------------- policies

fn policy_name(input: &Value) -> String {
    text(input, "PolicyName").unwrap_or("default").to_owned()
}

fn refuse_ram(name: &str) -> Result<(), ApiError> {
    if name == "AWS_RAM" {
        Err(ApiError::new(
            "AccessDeniedException",
            "Only AWS Resource Access Manager writes the AWS_RAM policy.",
        ))
    } else if name != "default" {
        Err(ApiError::invalid(format!(
            "PolicyName must be default or AWS_RAM, not {name}."
        )))
    } else {
        Ok(())
    }
}

/// A statement that allows a wildcard principal with no condition.
fn is_public(document: &Value) -> bool {
    let statements = match document.get("Statement") {
        Some(Value::Array(s)) => s.clone(),
        Some(one) => vec![one.clone()],
        None => Vec::new(),
    };
    statements.iter().any(|s| {
        let wildcard = |p: &Value| match p {
            Value::String(s) => s == "*",
            Value::Array(items) => items.iter().any(|i| i.as_str() == Some("*")),
            _ => false,
        };
        let principal = s
            .get("Principal")
            .is_some_and(|p| wildcard(p) || p.get("AWS").is_some_and(wildcard));
        text(s, "Effect") == Some("Allow") && principal && s.get("Condition").is_none()
    })
}

fn put_policy(state: &mut State, caller: &Caller, input: &Value) -> Result<Value, ApiError> {
    let arn = text(input, "ResourceArn").unwrap_or_default().to_owned();
    owned_bus(state, caller, &arn)?;
    let name = policy_name(input);
    refuse_ram(&name)?;
    let document = text(input, "PolicyDocument").unwrap_or_default().to_owned();
    if document.len() > 389_120 {
        return Err(ApiError::new(
            "PolicyLengthExceededException",
            format!(
                "The policy document has {} bytes; at most 389,120 are allowed.",
                document.len()
            ),
        ));
    }
    let parsed: Value = serde_json::from_str(&document)
        .map_err(|e| ApiError::invalid(format!("PolicyDocument is not valid JSON: {e}")))?;
    if is_public(&parsed) {
        return Err(ApiError::new(
            "PublicPolicyException",
            "The policy would grant public access to the event bus: a statement allows a wildcard principal with no condition.",
        ));
    }
    let key = (arn.clone(), name.clone());
    let current = state.policies.get(&key).map(|p| p.revision.clone());
    if let Some(expected) = text(input, "ExpectedRevisionId") {
        let matches = match &current {
            Some(revision) => revision == expected,
            None => expected == "NO_POLICY",
        };
        if !matches {
            return Err(ApiError::new(
                "ConflictException",
                format!(
                    "ExpectedRevisionId {expected} does not match the policy's current revision ({}).",
                    current.as_deref().unwrap_or("NO_POLICY")
                ),
            ));
        }
    }
    let revision = uuid();
    state.policies.insert(
        key,
        Policy {
            document,
            revision: revision.clone(),
        },
    );
    Ok(json!({"ResourceArn": arn, "PolicyName": name, "RevisionId": revision}))
}

fn get_policy(state: &mut State, input: &Value) -> Result<Value, ApiError> {
    let arn = text(input, "ResourceArn").unwrap_or_default().to_owned();
    bus(state, &arn)?;
    let name = policy_name(input);
    let policy = state
        .policies
        .get(&(arn.clone(), name.clone()))
        .ok_or_else(|| ApiError::not_found(format!("Event bus {arn} has no {name} policy.")))?;
    Ok(
        json!({"ResourceArn": arn, "PolicyDocument": policy.document, "PolicyName": name,
              "RevisionId": policy.revision}),
    )
}

fn delete_policy(state: &mut State, caller: &Caller, input: &Value) -> Result<Value, ApiError> {
    let arn = text(input, "ResourceArn").unwrap_or_default().to_owned();
    owned_bus(state, caller, &arn)?;
    let name = policy_name(input);
    refuse_ram(&name)?;
    let key = (arn, name);
    let current = state.policies.get(&key).map(|p| p.revision.clone());
    if let Some(expected) = text(input, "ExpectedRevisionId") {
        if expected == "NO_POLICY" {
            return Err(ApiError::invalid(
                "ExpectedRevisionId NO_POLICY is not valid for DeleteResourcePolicy.",
            ));
        }
        if current.as_deref() != Some(expected) {
            return Err(ApiError::new(
                "ConflictException",
                format!(
                    "ExpectedRevisionId {expected} does not match the policy's current revision ({}).",
                    current.as_deref().unwrap_or("none")
                ),
            ));
        }
    }
    state.policies.remove(&key);
    Ok(json!({"RevisionId": current}))
}

fn list_policies(state: &mut State, input: &Value) -> Result<Value, ApiError> {
    let arn = text(input, "ResourceArn").unwrap_or_default().to_owned();
    bus(state, &arn)?;
    let items: Vec<(String, Value)> = state
        .policies
        .iter()
        .filter(|((bus, _), _)| *bus == arn)
        .map(|((_, name), p)| {
            (
                name.clone(),
                json!({"PolicyName": name, "RevisionId": p.revision}),
            )
        })
        .collect();
    let (page, token) = page(items, input)?;
    Ok(json!({"PolicySummaries": page, "NextToken": token}))
}

// --------------------------------------------------------------------------- paging

const TOKEN_PREFIX: &str = "rewind-eventsv2:";

/// One page of `items` (sorted here by key) after the input's NextToken, at most its
/// MaxResults (`assumptions` "paging"), and the token of the next page.
fn page(
    mut items: Vec<(String, Value)>,
    input: &Value,
) -> Result<(Vec<Value>, Option<String>), ApiError> {
    items.sort_by(|a, b| a.0.cmp(&b.0));
    let after = match text(input, "NextToken") {
        Some(token) => Some(
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(token)
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .and_then(|t| t.strip_prefix(TOKEN_PREFIX).map(str::to_owned))
                .ok_or_else(|| ApiError::invalid("NextToken is not a token this service gave."))?,
        ),
        None => None,
    };
    let max = input
        .get("MaxResults")
        .and_then(Value::as_u64)
        .and_then(|n| usize::try_from(n).ok())
        .unwrap_or(pin::DEFAULT_PAGE_SIZE);
    let mut rest = items
        .into_iter()
        .filter(|(key, _)| after.as_ref().is_none_or(|a| key > a));
    let page: Vec<(String, Value)> = rest.by_ref().take(max).collect();
    let token = if rest.next().is_some() {
        page.last().map(|(key, _)| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{TOKEN_PREFIX}{key}"))
        })
    } else {
        None
    };
    Ok((page.into_iter().map(|(_, v)| v).collect(), token))
}

// ---------------------------------------------------------------------------- admin

/// What the stand-in holds, for tests and people: buses (with their retained events'
/// count), subscribers (with where they are and what they did), metric totals, responses
/// that did not fit the model.
pub fn snapshot(state: &mut State) -> Value {
    state.advance();
    let now = state.now_ms();
    let buses: Vec<Value> = state
        .buses
        .values()
        .map(|b| {
            json!({"arn": b.arn, "name": b.name, "account": b.account, "state": b.state,
                   "retainedEvents": b.events.len(), "nextSequenceNumber": b.next_seq,
                   "retentionWindowStartTime": iso(b.window_start_ms(now), true)})
        })
        .collect();
    let subscribers: Vec<Value> = state
        .subscribers
        .values()
        .map(|s| {
            let bus = state.buses.get(&s.bus_arn);
            let caught = bus.is_some_and(|b| caught_up(s, b));
            let past_end = s.end_ms.is_some_and(|end| {
                now >= end
                    && s.inflight.is_none()
                    && bus.is_none_or(|b| !b.events_from(s.position).any(|e| e.ingested_ms < end))
            });
            json!({"arn": s.arn, "name": s.name, "busArn": s.bus_arn, "state": s.state,
                   "revoked": s.revoked, "position": s.position, "caughtUp": caught,
                   "caughtUpToEndPoint": past_end,
                   "endPoint": s.end_ms.map(|e| iso(e, true)),
                   "retrying": s.inflight.as_ref().map(|i| json!({
                       "events": i.events.len(), "attempts": i.attempts,
                       "lastError": i.last_error.as_ref().map(|(c, m)| format!("{c}: {m}"))})),
                   "totals": s.totals})
        })
        .collect();
    let metrics: Vec<Value> = state
        .metrics
        .totals
        .iter()
        .map(|((name, dims), sum)| {
            let dims: Map<String, Value> =
                dims.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
            json!({"metric": name, "dimensions": dims, "sum": sum})
        })
        .collect();
    json!({"now": iso(now, true), "buses": buses, "subscribers": subscribers,
           "metrics": metrics, "metricsSent": state.metrics.sent,
           "metricErrors": state.metrics.send_errors,
           "violations": state.violations, "calls": state.calls.len()})
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eventsv2::state::Config;

    fn state() -> (State, Caller) {
        (
            State::new(Config::default()),
            Caller {
                account: pin::DEFAULT_ACCOUNT.to_owned(),
            },
        )
    }

    fn after_transition(state: &mut State) {
        state.clock_offset_ms += duration_ms(state.config.transition) + 1;
    }

    #[test]
    fn a_bus_is_active_after_its_transition_and_gone_after_its_deletion() {
        let (mut s, me) = state();
        let bus = call(&mut s, &me, "CreateEventBus", &json!({"Name": "b"})).unwrap();
        let arn = json!({"EventBusArn": bus["EventBusArn"]});
        assert_eq!(bus["State"], "CREATING");
        after_transition(&mut s);
        assert_eq!(
            call(&mut s, &me, "DescribeEventBus", &arn).unwrap()["State"],
            "ACTIVE"
        );
        call(&mut s, &me, "DeleteEventBus", &arn).unwrap();
        assert_eq!(
            call(&mut s, &me, "DescribeEventBus", &arn).unwrap()["State"],
            "DELETING"
        );
        let again = call(&mut s, &me, "CreateEventBus", &json!({"Name": "b"}));
        assert_eq!(
            again.unwrap_err().code,
            "ResourceAlreadyExistsException",
            "the name is taken until the bus is gone"
        );
        after_transition(&mut s);
        let gone = call(&mut s, &me, "DescribeEventBus", &arn).unwrap_err();
        assert_eq!(gone.code, "ResourceNotFoundException");
        assert!(call(&mut s, &me, "CreateEventBus", &json!({"Name": "b"})).is_ok());
    }

    #[test]
    fn a_page_is_never_repeated_or_skipped_when_items_come_and_go() {
        let (mut s, me) = state();
        for name in ["a", "c", "e", "g"] {
            call(&mut s, &me, "CreateEventBus", &json!({"Name": name})).unwrap();
        }
        let first = call(&mut s, &me, "ListEventBuses", &json!({"MaxResults": 2})).unwrap();
        let names = |page: &Value| -> Vec<String> {
            page["EventBuses"]
                .as_array()
                .unwrap()
                .iter()
                .map(|b| b["Name"].as_str().unwrap().to_owned())
                .collect()
        };
        assert_eq!(names(&first), ["a", "c"]);
        call(&mut s, &me, "CreateEventBus", &json!({"Name": "b"})).unwrap();
        call(&mut s, &me, "CreateEventBus", &json!({"Name": "d"})).unwrap();
        let next = call(
            &mut s,
            &me,
            "ListEventBuses",
            &json!({"MaxResults": 2, "NextToken": first["NextToken"]}),
        )
        .unwrap();
        assert_eq!(names(&next), ["d", "e"]);
        let last = call(
            &mut s,
            &me,
            "ListEventBuses",
            &json!({"MaxResults": 2, "NextToken": next["NextToken"]}),
        )
        .unwrap();
        assert_eq!(names(&last), ["g"]);
        assert!(last["NextToken"].is_null());
    }

    #[test]
    fn a_point_in_time_subscriber_starts_at_its_starting_point_and_stops_before_its_end() {
        let (mut s, me) = state();
        let bus = call(&mut s, &me, "CreateEventBus", &json!({"Name": "b"})).unwrap();
        let arn = bus["EventBusArn"].clone();
        after_transition(&mut s);
        let put = |s: &mut State| {
            call(
                s,
                &me,
                "PutEvents",
                &json!({"EventBusArn": arn, "Entries": [{"Source": "a", "DetailType": "x"}]}),
            )
            .unwrap()
        };
        put(&mut s);
        s.clock_offset_ms += 10;
        let middle = s.now_ms();
        s.clock_offset_ms += 10;
        put(&mut s);
        put(&mut s);
        s.clock_offset_ms += 10;
        let end = s.now_ms();
        let sub = call(
            &mut s,
            &me,
            "CreateSubscriber",
            &json!({"Name": "r", "EventBusArn": arn, "StartingPosition": "POINT_IN_TIME",
                    "InvokeConfiguration": {"TargetArn": "arn:aws:sqs:us-east-1:000000000000:q", "RoleArn": "arn:aws:iam::000000000000:role/r"},
                    "PointInTimeConfiguration": {"PointType": "TIMESTAMP", "StartingPoint": seconds(middle), "EndPoint": seconds(end)}}),
        )
        .unwrap();
        let sub = &s.subscribers[sub["SubscriberArn"].as_str().unwrap()];
        assert_eq!(
            sub.position, 2,
            "the first event at or after the starting point"
        );
        assert_eq!(sub.state, "RUNNING");
    }
}
