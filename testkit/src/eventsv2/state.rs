//! What the stand-in keeps in memory: buses with their retained events, subscribers with
//! their positions, policies, tags, idempotency tokens, injected faults, metrics waiting to
//! be sent, and every response that did not fit the model.

use super::assumptions;
use super::pattern::Pattern;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The state, shared by the HTTP handlers and the delivery task.
pub type Shared = Arc<Mutex<State>>;

/// How a stand-in is set up.
#[derive(Debug, Clone)]
pub struct Config {
    /// The account of a caller whose access key id is not 12 digits.
    pub account: String,
    /// The region of the ARNs it makes.
    pub region: String,
    /// Where SQS targets and CloudWatch metrics go (ministack); `None`: deliveries fail and
    /// metrics stay in memory.
    pub aws_endpoint: Option<String>,
    /// How long a bus stays CREATING / UPDATING / DELETING.
    pub transition: Duration,
    /// How often subscribers advance.
    pub tick: Duration,
    /// How often metrics are sent.
    pub metrics_interval: Duration,
    /// Refuse (500 InternalException) any response that does not fit the model, rather than
    /// sending it; either way it is recorded.
    pub strict: bool,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            account: assumptions::DEFAULT_ACCOUNT.to_owned(),
            region: assumptions::DEFAULT_REGION.to_owned(),
            aws_endpoint: None,
            transition: assumptions::TRANSITION,
            tick: assumptions::TICK,
            metrics_interval: assumptions::METRICS_INTERVAL,
            strict: true,
        }
    }
}

impl Config {
    /// The defaults, overridden from the environment: `AWS_ENDPOINT_URL`,
    /// `REWIND_EVENTSV2_ACCOUNT`, `REWIND_EVENTSV2_REGION`, `REWIND_EVENTSV2_TRANSITION_MS`,
    /// `REWIND_EVENTSV2_METRICS_MS`.
    pub fn from_env() -> Self {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let millis = |name: &str| {
            var(name)
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(Duration::from_millis)
        };
        let defaults = Self::default();
        Self {
            account: var("REWIND_EVENTSV2_ACCOUNT").unwrap_or(defaults.account),
            region: var("REWIND_EVENTSV2_REGION").unwrap_or(defaults.region),
            aws_endpoint: var("AWS_ENDPOINT_URL"),
            transition: millis("REWIND_EVENTSV2_TRANSITION_MS").unwrap_or(defaults.transition),
            metrics_interval: millis("REWIND_EVENTSV2_METRICS_MS")
                .unwrap_or(defaults.metrics_interval),
            ..defaults
        }
    }
}

/// A retained event.
#[derive(Debug, Clone)]
pub struct Event {
    pub seq: u64,
    pub id: String,
    pub ingested_ms: i64,
    /// `Data` as subscribers see it: the classic envelope for PutEvents, the payload for
    /// PutRawEvents.
    pub data: Value,
    pub metadata: Map<String, Value>,
    /// `SystemMetadata` but for `aws:DeliveryType`, which depends on the subscriber.
    pub system: Map<String, Value>,
    pub size: usize,
}

/// What a bus is waiting to become.
#[derive(Debug, Clone, PartialEq)]
pub enum Transition {
    Active,
    CreateFailed(String),
    Updated { kms: Option<String> },
    UpdateFailed(String),
    Gone,
}

#[derive(Debug, Clone)]
pub struct Bus {
    pub arn: String,
    pub name: String,
    pub account: String,
    pub description: Option<String>,
    pub kms: Option<String>,
    pub retention_days: i64,
    pub state: &'static str,
    pub state_reason: Option<String>,
    pub created_ms: i64,
    pub modified_ms: i64,
    pub transition: Option<(i64, Transition)>,
    pub events: VecDeque<Event>,
    pub next_seq: u64,
    /// Deduplication key → (when, event id, sequence number).
    pub dedup: HashMap<String, (i64, String, u64)>,
    pub tags: BTreeMap<String, String>,
}

impl Bus {
    /// The earliest ingestion time still retained (`assumptions` "retention-window").
    pub fn window_start_ms(&self, now: i64) -> i64 {
        self.created_ms
            .max(now - self.retention_days * 24 * 3600 * 1000)
    }

    /// `name/id`: the ARN's last two segments.
    pub fn name_and_id(&self) -> String {
        self.arn
            .split_once("event-busv2/")
            .map(|(_, rest)| rest.to_owned())
            .unwrap_or_else(|| self.name.clone())
    }

    /// The first retained event at or after `ms`, or the next sequence number.
    pub fn seq_at(&self, ms: i64) -> u64 {
        self.events
            .iter()
            .find(|e| e.ingested_ms >= ms)
            .map_or(self.next_seq, |e| e.seq)
    }

    pub fn first_seq(&self) -> u64 {
        self.events.front().map_or(self.next_seq, |e| e.seq)
    }

    /// The retained events from sequence number `seq` on (sequence numbers are
    /// contiguous: each stored event takes the next, expiry takes from the front).
    pub fn events_from(&self, seq: u64) -> impl Iterator<Item = &Event> {
        let skip = usize::try_from(seq.saturating_sub(self.first_seq())).unwrap_or(usize::MAX);
        self.events.iter().skip(skip)
    }

    /// Subscribers may be created or updated, and events published (the guide's state table).
    pub fn accepts_work(&self) -> bool {
        matches!(self.state, "ACTIVE" | "UPDATING" | "UPDATE_FAILED")
    }
}

/// Events a subscriber is delivering or retrying.
#[derive(Debug, Clone)]
pub struct Inflight {
    pub events: Vec<Event>,
    /// Attempts made so far.
    pub attempts: u32,
    pub first_attempt_ms: i64,
    pub next_attempt_ms: i64,
    pub last_error: Option<(String, String)>,
}

#[derive(Debug, Clone)]
pub struct Subscriber {
    pub arn: String,
    pub name: String,
    pub account: String,
    pub bus_arn: String,
    pub description: Option<String>,
    pub invoke: Value,
    pub filter: Option<Value>,
    pub filters: Vec<(String, Pattern)>,
    pub kind: String,
    pub starting_position: String,
    pub point_in_time: Option<Value>,
    pub end_ms: Option<i64>,
    pub batch: Option<Value>,
    pub transformer: Option<Value>,
    pub retry: Option<Value>,
    pub on_failure: Option<Value>,
    pub log: Option<Value>,
    pub state: String,
    pub revoked: bool,
    pub created_ms: i64,
    pub modified_ms: i64,
    pub tags: BTreeMap<String, String>,
    /// The sequence number of the next event to consider.
    pub position: u64,
    pub inflight: Option<Inflight>,
    /// Every metric's running total for this subscriber (the admin view).
    pub totals: BTreeMap<String, f64>,
}

impl Subscriber {
    pub fn target_arn(&self) -> &str {
        self.invoke
            .get("TargetArn")
            .and_then(Value::as_str)
            .unwrap_or_default()
    }

    pub fn max_batch(&self) -> i64 {
        self.batch
            .as_ref()
            .and_then(|b| b.get("MaxBatchSize"))
            .and_then(Value::as_i64)
            .unwrap_or(assumptions::SQS_BATCH_MAX)
            .clamp(1, assumptions::SQS_BATCH_MAX)
    }

    pub fn max_retries(&self) -> u32 {
        self.retry
            .as_ref()
            .and_then(|r| r.get("MaxRetryAttempts"))
            .and_then(Value::as_u64)
            .and_then(|n| u32::try_from(n).ok())
            .unwrap_or(5)
    }

    pub fn max_age_ms(&self) -> i64 {
        self.retry
            .as_ref()
            .and_then(|r| r.get("MaxEventAgeInSeconds"))
            .and_then(Value::as_i64)
            .unwrap_or(300)
            * 1000
    }

    /// Delivers nothing: stopped or revoked.
    pub fn idle(&self) -> bool {
        self.revoked || self.state != "RUNNING"
    }
}

/// A resource policy on a bus.
#[derive(Debug, Clone)]
pub struct Policy {
    pub document: String,
    pub revision: String,
}

/// An error a test asked for: the next `times` calls of `operation` (any when `None`)
/// answer `code`.
#[derive(Debug, Clone)]
pub struct Fault {
    pub operation: Option<String>,
    pub code: String,
    pub message: String,
    pub times: u32,
}

/// A metric being summed until the next flush.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stat {
    pub count: f64,
    pub sum: f64,
    pub min: f64,
    pub max: f64,
}

/// (metric name, dimensions, unit)
pub type MetricKey = (String, Vec<(String, String)>, &'static str);

/// Metrics summed since the last flush, and a running total of each for the admin view.
#[derive(Debug, Default)]
pub struct Metrics {
    pub pending: BTreeMap<MetricKey, Stat>,
    /// (metric, dimensions) → running sum of each count (not of latencies or ages), for
    /// the admin view and tests without CloudWatch.
    pub totals: BTreeMap<(String, Vec<(String, String)>), f64>,
    pub sent: u64,
    pub send_errors: Vec<String>,
}

impl Metrics {
    pub fn add(&mut self, name: &str, dims: &[(&str, &str)], unit: &'static str, value: f64) {
        let dims: Vec<(String, String)> = dims
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        if unit != "Milliseconds" {
            *self
                .totals
                .entry((name.to_owned(), dims.clone()))
                .or_default() += value;
        }
        self.pending
            .entry((name.to_owned(), dims, unit))
            .and_modify(|s| {
                s.count += 1.0;
                s.sum += value;
                s.min = s.min.min(value);
                s.max = s.max.max(value);
            })
            .or_insert(Stat {
                count: 1.0,
                sum: value,
                min: value,
                max: value,
            });
    }
}

/// Everything the stand-in holds.
#[derive(Debug)]
pub struct State {
    pub config: Config,
    pub clock_offset_ms: i64,
    pub buses: BTreeMap<String, Bus>,
    pub subscribers: BTreeMap<String, Subscriber>,
    /// (bus ARN, policy name) → policy.
    pub policies: BTreeMap<(String, String), Policy>,
    /// "operation account token" → (the request without its token, the answer).
    pub tokens: HashMap<String, (Value, Value)>,
    pub faults: Vec<Fault>,
    /// Responses that did not fit the model (each: operation and problems).
    pub violations: Vec<String>,
    pub metrics: Metrics,
    /// Every (operation, request) received, in order.
    pub calls: Vec<(String, Value)>,
}

impl State {
    pub fn new(config: Config) -> Self {
        Self {
            config,
            clock_offset_ms: 0,
            buses: BTreeMap::new(),
            subscribers: BTreeMap::new(),
            policies: BTreeMap::new(),
            tokens: HashMap::new(),
            faults: Vec::new(),
            violations: Vec::new(),
            metrics: Metrics::default(),
            calls: Vec::new(),
        }
    }

    /// Clears everything but the configuration.
    pub fn reset(&mut self) {
        *self = Self::new(self.config.clone());
    }

    /// Now, in epoch milliseconds, on the stand-in's clock (real time plus what a test
    /// advanced it by).
    pub fn now_ms(&self) -> i64 {
        let real = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
            .unwrap_or_default();
        real + self.clock_offset_ms
    }

    /// Applies bus transitions that are due and drops events past retention.
    pub fn advance(&mut self) {
        let now = self.now_ms();
        let mut gone = Vec::new();
        for bus in self.buses.values_mut() {
            if let Some((at, transition)) = bus.transition.clone()
                && at <= now
            {
                bus.transition = None;
                bus.modified_ms = now;
                match transition {
                    Transition::Active => {
                        bus.state = "ACTIVE";
                        bus.state_reason = None;
                    }
                    Transition::CreateFailed(reason) => {
                        bus.state = "CREATE_FAILED";
                        bus.state_reason = Some(reason);
                    }
                    Transition::Updated { kms } => {
                        bus.state = "ACTIVE";
                        bus.state_reason = None;
                        bus.kms = kms;
                    }
                    Transition::UpdateFailed(reason) => {
                        bus.state = "UPDATE_FAILED";
                        bus.state_reason = Some(reason);
                    }
                    Transition::Gone => gone.push(bus.arn.clone()),
                }
            }
            let start = bus.window_start_ms(now);
            while bus.events.front().is_some_and(|e| e.ingested_ms < start) {
                bus.events.pop_front();
            }
            let window =
                i64::try_from(assumptions::DEDUPLICATION_WINDOW.as_millis()).unwrap_or(i64::MAX);
            bus.dedup.retain(|_, (at, _, _)| now - *at < window);
        }
        for arn in gone {
            self.buses.remove(&arn);
            self.subscribers.retain(|_, s| s.bus_arn != arn);
            self.policies.retain(|(bus, _), _| *bus != arn);
        }
        // A position on an expired event moves to the oldest one retained.
        for sub in self.subscribers.values_mut() {
            if let Some(bus) = self.buses.get(&sub.bus_arn) {
                sub.position = sub.position.max(bus.first_seq());
            }
        }
    }
}

/// A 25-character id of `[a-z0-9]`, as the service's ARNs end in.
pub fn resource_id() -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    (0..25)
        .map(|_| char::from(ALPHABET[fastrand::usize(..ALPHABET.len())]))
        .collect()
}

/// A random UUID (version 4 layout).
pub fn uuid() -> String {
    let hex = |n: usize| -> String {
        (0..n)
            .map(|_| char::from(b"0123456789abcdef"[fastrand::usize(..16)]))
            .collect()
    };
    format!(
        "{}-{}-4{}-{}{}-{}",
        hex(8),
        hex(4),
        hex(3),
        char::from(b"89ab"[fastrand::usize(..4)]),
        hex(3),
        hex(12)
    )
}
