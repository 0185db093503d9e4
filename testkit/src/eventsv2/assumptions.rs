//! ASSUMPTIONS: every behaviour of the v2 stand-in that the model and the AWS documents
//! leave open, pinned here and nowhere else. Each is one reading of the documents
//! (quoted in `source`), chosen because the documents support it best; the code that acts
//! on one names it (`assumptions::…`). `docs/emulators-and-tools.md` lists them as a table,
//! and a test keeps the two in step (`every_assumption_is_in_the_docs`).
//!
//! Sources: the model (`testkit/model/`, botocore 1.44.18); the EventBridge user guide's
//! Custom Event Bus chapters (eb-custom-bus-create, -replay, -update, -addressing,
//! -observability, -access-revoke); the agent toolkit's `amazon-eventbridge-event-bus`
//! skill (aws/agent-toolkit-for-aws).

use std::time::Duration;

/// One pinned reading.
#[derive(Debug, Clone, Copy)]
pub struct Assumption {
    /// Its name, as the docs table and the code cite it.
    pub id: &'static str,
    /// What the stand-in does.
    pub reading: &'static str,
    /// What the documents say (or leave unsaid).
    pub source: &'static str,
}

/// The account a caller acts as when its access key id is not 12 digits: ministack's, so
/// that SQS targets on ministack (`arn:aws:sqs:…:000000000000:…`) are the caller's own.
pub const DEFAULT_ACCOUNT: &str = "000000000000";
/// The region of every ARN the stand-in makes, unless configured.
pub const DEFAULT_REGION: &str = "us-east-1";
/// How long a bus stays CREATING, UPDATING (an encryption change) or DELETING.
pub const TRANSITION: Duration = Duration::from_millis(300);
/// A KMS key identifier containing this text cannot be used (the bus lands in
/// CREATE_FAILED or UPDATE_FAILED).
pub const UNUSABLE_KEY_MARK: &str = "unusable";
/// A List call without `MaxResults` returns at most this many.
pub const DEFAULT_PAGE_SIZE: usize = 100;
/// Subscribers one bus may hold (revoked ones included) before `LimitExceededException`.
pub const MAX_SUBSCRIBERS_PER_BUS: usize = 100;
/// How long a deduplication id (or content hash) suppresses a repeat.
pub const DEDUPLICATION_WINDOW: Duration = Duration::from_secs(300);
/// The first retry waits this long, each next one twice as long, up to [`RETRY_BACKOFF_MAX`].
pub const RETRY_BACKOFF: Duration = Duration::from_millis(100);
pub const RETRY_BACKOFF_MAX: Duration = Duration::from_secs(2);
/// How often subscribers are advanced.
pub const TICK: Duration = Duration::from_millis(50);
/// How often metrics are sent (sums over the interval).
pub const METRICS_INTERVAL: Duration = Duration::from_secs(1);
/// SQS takes at most this many messages per `SendMessageBatch`.
pub const SQS_BATCH_MAX: i64 = 10;
/// The error code of a delivery to a target the stand-in does not call.
pub const UNSUPPORTED_TARGET: &str = "UNSUPPORTED_TARGET";
/// The error code of a delivery whose transformer or target parameter could not be
/// evaluated.
pub const TRANSFORMATION_FAILED: &str = "EVENT_TRANSFORMATION_FAILED";
/// The error code of a delivery the target refused or could not be reached for.
pub const TARGET_FAILED: &str = "TARGET_INVOCATION_FAILED";
/// The `__type` of an operation the model has and the stand-in does not implement.
pub const UNSUPPORTED_OPERATION: &str = "UnsupportedOperation";

pub const ASSUMPTIONS: &[Assumption] = &[
    Assumption {
        id: "retention-window",
        reading: "RetentionWindowStartTime = the later of the bus's creation time and now minus RetentionPeriodInDays; events ingested before it are dropped (a subscriber positioned on one skips to the oldest retained event).",
        source: "Model: \"The earliest point in time from which stored events are available. Events older than this have expired from retention.\" Guide (replay): \"on a new bus that is the bus's creation time\".",
    },
    Assumption {
        id: "position-is-ingestion-time",
        reading: "A point in time (StartingPoint, EndPoint, the retention window) is measured on the time the bus accepted the event (SystemMetadata aws:IngestionTime), not on the PutEvents entry's Time, which only goes into the envelope's `time`.",
        source: "Guide: a subscriber reads \"the bus\" from a position; aws:SequenceNumber \"increases with ingestion order\"; the entry's Time is \"the time the event occurred\" and may be anything.",
    },
    Assumption {
        id: "end-point-exclusive",
        reading: "A POINT_IN_TIME subscriber delivers the events with StartingPoint <= ingestion time < EndPoint (HORIZON: from the oldest retained event). Adjacent windows never deliver an event twice.",
        source: "Model: EndPoint \"Timestamp to stop at\" — inclusive or not is unsaid.",
    },
    Assumption {
        id: "past-end-point",
        reading: "Past its EndPoint a subscriber stays RUNNING and delivers nothing more; nothing in the API says it is done. Its ApproximateBacklogAge is 0 from then on; the stand-in's own state (`GET /_eventsv2/state`, `caughtUpToEndPoint`) also says so.",
        source: "Model: State is \"Customer-controlled run state\" (RUNNING/STOPPED only, no COMPLETED); no member tells how far a subscriber has got. Guide: \"An optional EndPoint stops the subscriber at that time.\"",
    },
    Assumption {
        id: "point-in-time-checks",
        reading: "CreateSubscriber refuses with InvalidInputException: a StartingPoint before RetentionWindowStartTime or after now; an EndPoint not after the StartingPoint; POINT_IN_TIME without PointInTimeConfiguration, TIMESTAMP without StartingPoint, HORIZON with one, a PointInTimeConfiguration with LATEST. An EndPoint in the future is accepted.",
        source: "Guide (replay): \"The starting point must fall inside the retention window: at or after RetentionWindowStartTime and not in the future.\" Model: InvalidInputException \"A request parameter is missing or not valid.\"",
    },
    Assumption {
        id: "resume-latest-while-replaying",
        reading: "UpdateSubscriber STOPPED→RUNNING with ResumePosition LATEST on a POINT_IN_TIME subscriber that has an EndPoint, or has not yet caught up with the bus, is InvalidInputException. LATEST otherwise skips the backlog, including a batch being retried.",
        source: "Guide (update): \"A subscriber that is replaying cannot use it\" — which error is unsaid.",
    },
    Assumption {
        id: "delivery-type",
        reading: "SystemMetadata aws:DeliveryType is REPLAY for an event ingested before the subscriber was created, LIVE otherwise (a backlog delivered after a pause is LIVE).",
        source: "Guide: \"LIVE for an event delivered as it arrived, REPLAY for one read from retained history\".",
    },
    Assumption {
        id: "bus-transitions",
        reading: "CreateEventBus answers CREATING and the bus is ACTIVE 300 ms later; UpdateEventBus passes through UPDATING (300 ms) only when the encryption key changes; DeleteEventBus leaves the bus DELETING for 300 ms, then it is gone (ResourceNotFoundException). The name stays taken until then.",
        source: "Model and guide: the three are asynchronous; \"UPDATING: UpdateEventBus is changing the encryption configuration. Other updates do not pass through this state.\" How long they take is unsaid.",
    },
    Assumption {
        id: "unusable-kms-key",
        reading: "A KmsKeyIdentifier containing `unusable` stands for a key EventBridge cannot use: the bus lands in CREATE_FAILED (create) or UPDATE_FAILED (update, keeping its previous key) with StateReason `KMS_ACCESS_DENIED: …`. Any other key is usable.",
        source: "Guide: CREATE_FAILED/UPDATE_FAILED \"happens when EventBridge cannot use the AWS KMS key you named\". There is no KMS here.",
    },
    Assumption {
        id: "subscriber-name-per-bus",
        reading: "A subscriber name is unique on its bus (ResourceAlreadyExistsException); the same name may be used on another bus.",
        source: "CloudFormation: \"Canonical identity is the combination of bus, name, and target.\" The API reference does not say.",
    },
    Assumption {
        id: "create-defaults",
        reading: "CreateSubscriber without State is RUNNING, without Type is UNORDERED, without StartingPosition is LATEST. Describe returns BatchConfiguration, RetryPolicy and LogConfiguration resolved (MaxBatchSize 10 for SQS, window 0; 5 retries, 300 s, ALL; OFF, ON_ERROR_ONLY).",
        source: "Model: resolved batch values \"are returned on read\"; retry and log defaults are documented. State, Type and StartingPosition defaults are unsaid.",
    },
    Assumption {
        id: "accounts",
        reading: "The caller's account is its access key id when that is 12 digits, else 000000000000 (ministack's). Every bus is visible to every account: ListEventBuses gives another account's bus with identity fields only. Only the bus owner may update, delete, revoke on or set policies of a bus; only the subscriber's owner may update or delete it.",
        source: "Model: ListEventBuses \"Shared entries carry identity fields only\"; RevokeResource \"The bus owner calls this\". Sharing through RAM and IAM are not modelled.",
    },
    Assumption {
        id: "targets",
        reading: "Target ARNs are checked as the guide's target table says (type, parameter block, region, account, not the own bus). Only SQS targets are invoked (SendMessageBatch on the endpoint given at start or AWS_ENDPOINT_URL); a delivery to any other target fails with UNSUPPORTED_TARGET and is retried and dead-lettered like any failure. Without an endpoint every delivery fails.",
        source: "Agent toolkit, target-contract.md, \"What layer 2 actually checks\".",
    },
    Assumption {
        id: "jsonata-subset",
        reading: "Of JSONata, only a path `{% $events.A.B %}` (backticks quote a name such as `aws:Source`) is evaluated, in Transformer JSONATA and in SqsParameters; any other expression is accepted at create and fails each delivery with EVENT_TRANSFORMATION_FAILED (counted in EventTransformationFailures).",
        source: "Guide: expressions are checked for syntax at create and evaluated at delivery. A JSONata engine is out of scope.",
    },
    Assumption {
        id: "batching-and-retries",
        reading: "Every 50 ms a RUNNING subscriber sends what is pending, at most MaxBatchSize (SQS: 10) events per SendMessageBatch; MaxBatchWindowInSeconds is not waited for. A failed event is retried after 100 ms, doubling to 2 s; MaxEventAgeInSeconds counts from its first attempt. Events are delivered in bus order for FIFO and UNORDERED alike; a failing batch holds back later events.",
        source: "Model gives the limits and defaults; AWS's timing is unsaid.",
    },
    Assumption {
        id: "dead-letter-record",
        reading: "When retries run out the failed events go to OnFailureConfiguration.Arn (SQS SendMessage) as one record in the documented shape (version, busArn, subscriberArn, targetArn, errorCode, errorMessage, exhaustedRetryCondition, retryAttempts, failedMessages[]); without a destination they are dropped (EventsDropped).",
        source: "Agent toolkit, delivery-troubleshooting.md (record shape, from a real failure).",
    },
    Assumption {
        id: "metric-dimensions",
        reading: "Subscriber metrics go to AWS/EventsV2 with dimensions EventBus = the bus ARN and Subscriber = the subscriber ARN. Publish metrics go with EventBus = `name/id` (the ARN's last two segments) alone.",
        source: "Guide (observability): subscriber metrics \"carry two dimensions, EventBus and Subscriber, each holding the resource ARN\". For publish metrics the guide's example uses the bus name, the agent toolkit says \"the bus name and the generated id from its ARN, joined by a slash, and not the ARN itself\" — the more specific one is taken.",
    },
    Assumption {
        id: "metric-emission",
        reading: "Metrics are sums over 1 s, sent with PutMetricData to the endpoint's CloudWatch; a count that stayed 0 is not sent. Latencies and RetryInvocationAttempts are sent as statistic sets. ApproximateBacklogAge (ms, 0 when nothing is pending) is sent every second for each subscriber that is not revoked. SubscriberLogRecordsDropped is never sent: no subscriber log is written (LogConfiguration is stored and returned only).",
        source: "Guide (observability): the metric table; \"Log delivery is best effort\".",
    },
    Assumption {
        id: "put-events-entries",
        reading: "A PutEvents entry fails (ErrorCode InvalidArgument) for a Source starting with `aws.`, MalformedDetail for a Detail that is not a JSON object; a PutRawEvents entry fails with InvalidContentType for a content type outside the four documented, MalformedData for application/json data that is not JSON. Avro/Protobuf entries need SchemaRegistryConfiguration (else InvalidArgument); with one the call fails with SchemaRegistryUnavailableException (no registry is reachable here). Requests over 1 MiB fail whole (InvalidInputException).",
        source: "Model: ErrorCode is \"Error code identifying why a publish batch entry failed\" — the codes are unsaid.",
    },
    Assumption {
        id: "deduplication",
        reading: "An entry whose DeduplicationId (or, with DeduplicationConfiguration CONTENT_BASED, whose content) was seen on the bus in the last 5 minutes is not stored again: SuccessCode DEDUPLICATED with the first event's EventId and SequenceNumber.",
        source: "Model: SuccessCode PUBLISHED | DEDUPLICATED. The window is unsaid.",
    },
    Assumption {
        id: "paging",
        reading: "Lists are sorted by name (then ARN); without MaxResults a page holds 100; NextToken is opaque and names where the next page starts, so a page is never repeated or skipped when items are added or removed between calls. A token the stand-in did not make is InvalidInputException.",
        source: "Model: MaxResults 1..100, NextToken \"Opaque pagination token\". The default page size is unsaid.",
    },
    Assumption {
        id: "limits",
        reading: "LimitExceededException for a 101st subscriber on a bus and for more than 200 tags on a resource; ConcurrentModificationException and ThrottlingException are never raised on their own (only when a test injects them, `POST /_eventsv2/faults`).",
        source: "Model: TagMap max 200. The guide's quota page was not available; the subscriber quota is a guess.",
    },
    Assumption {
        id: "operations",
        reading: "The event-source operations (Create/Describe/List/Update/DeleteEventSource, RotateWebhookCredentials) answer 400 UnsupportedOperation; a path or operation outside the model answers 404 UnknownOperationException. A request without `smithy-protocol: rpc-v2-cbor` is 400 InvalidInputException.",
        source: "Smithy RPC v2 CBOR requires the header on every request; Rewind does not use event sources.",
    },
];

#[cfg(test)]
mod tests {
    use super::ASSUMPTIONS;

    #[test]
    fn every_assumption_is_in_the_docs() {
        let docs = std::fs::read_to_string(
            crate::emulator::workspace_root().join("docs/emulators-and-tools.md"),
        )
        .expect("docs/emulators-and-tools.md");
        for a in ASSUMPTIONS {
            assert!(
                docs.contains(&format!("| `{}` |", a.id)),
                "docs/emulators-and-tools.md lacks the assumption `{}`",
                a.id
            );
        }
        let mut ids: Vec<&str> = ASSUMPTIONS.iter().map(|a| a.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), ASSUMPTIONS.len(), "assumption ids are unique");
    }
}
