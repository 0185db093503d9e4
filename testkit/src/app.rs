//! The backend under test: the app on a random port against an emulator (or any other
//! upstream), configured by a typed [`Settings`], and the HTTP and SDK helpers the tests
//! share. Every request to the API is built from `shared`'s endpoint table
//! ([`Operation`]), so no test spells an API path. (The emulators are in `emulator`, the
//! fault proxy in `proxy`; their names are re-exported here.)

pub use crate::emulator::*;
pub use crate::proxy::{FaultyProxy, ProxyFaults};
use backend::configuration::Settings;
use backend::http::Application;
use serde_json::{Value, json};
pub use shared::endpoints::Operation;
use shared::teams::Teams;
use std::path::PathBuf;
use std::time::Duration;

/// The role the test fixtures' targets use, which the test deployment lets copies pass.
pub const TEST_TARGET_ROLE: &str = "arn:aws:iam::000000000000:role/rewind-test";

/// The pattern of the fixtures' rules: every `shop.orders` event.
pub const SHOP_ORDERS: &str = r#"{"source":["shop.orders"]}"#;
/// [`SHOP_ORDERS`] opted out of replays (`replay-name` must not exist).
pub const SHOP_ORDERS_NOT_REPLAYED: &str =
    r#"{"source":["shop.orders"],"replay-name":[{"exists":false}]}"#;

/// `GET /api/health`: open to anyone, so not an [`Operation`] of the endpoint table.
pub const HEALTH: &str = "/api/health";
/// `GET /api/openapi.json`: open to anyone, so not an [`Operation`] either.
pub const OPENAPI: &str = "/api/openapi.json";

/// The settings every test starts from: the embedded defaults (nothing set in the
/// environment) pointed at `endpoint`, listening on a random loopback port, serving no
/// console, and letting routed copies pass [`TEST_TARGET_ROLE`] (as a deployment lists
/// it in `TargetRoleArns`). A test changes fields of it, never environment strings.
pub fn test_settings(endpoint: &str) -> Settings {
    let mut settings = Settings::from_lookup(|_| None).expect("the embedded defaults");
    settings.eventbridge_endpoint = Some(endpoint.to_owned());
    settings.listen = ([127, 0, 0, 1], 0).into();
    settings.static_dir = PathBuf::from("/nonexistent");
    settings.target_role_arns = vec![TEST_TARGET_ROLE.to_owned()];
    // Not stdout: a failing test's output would be hundreds of audit lines.
    settings.audit_file = Some(target_dir().join("test-audit.log"));
    settings
}

/// `REWIND_TEAMS` as the backend reads it (`payments=payments-*,ledger;search=search-*`),
/// for `settings.roles.teams`; panics on a spec the backend would refuse.
pub fn teams(spec: &str) -> Teams {
    Teams::parse(spec).unwrap_or_else(|e| panic!("teams {spec:?}: {e}"))
}

/// The path of `op` with `params` filled in; panics if their count is not the template's.
pub fn path(op: Operation, params: &[&str]) -> String {
    op.path(params).unwrap_or_else(|| {
        panic!(
            "{op:?} ({}) does not take the parameters {params:?}",
            op.path_template()
        )
    })
}

/// A request line built from the endpoint table, for tests that build raw requests (API
/// Gateway events) rather than calling a [`TestApp`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    pub method: &'static str,
    /// The path, with its query string if any.
    pub path: String,
}

impl Route {
    /// A request line that is no operation of the table (a health check, a path a test
    /// makes up on purpose, a method no route has).
    pub fn raw(method: &'static str, path: impl Into<String>) -> Self {
        Self {
            method,
            path: path.into(),
        }
    }

    /// The same request with `query` (sent as it is).
    pub fn query(mut self, query: &str) -> Self {
        self.path = format!("{}?{query}", self.path);
        self
    }
}

/// `op`'s method and path with `params` filled in.
pub fn route(op: Operation, params: &[&str]) -> Route {
    Route::raw(op.method().as_str(), path(op, params))
}

/// The backend under test, on a random port, talking to one upstream.
pub struct TestApp {
    pub address: String,
    pub http: reqwest::Client,
    /// The upstream EventBridge endpoint: an emulator, the stand-in or a proxy.
    pub endpoint: String,
    /// A direct SDK client on the same upstream, to arrange what the API cannot create
    /// (buses, rules, events).
    pub sdk: aws_sdk_eventbridge::Client,
    /// The emulator this app started, if it started one (stopped when dropped).
    pub emulator: Option<EmulatorProcess>,
}

/// A fresh `kind` emulator and the backend against it, with [`test_settings`].
pub async fn spawn_app(kind: Emulator) -> TestApp {
    spawn_app_with(kind, |_| {}).await
}

/// A fresh `kind` emulator and the backend against it, with [`test_settings`] changed
/// by `configure` (`|s| s.local_role = Role::Viewer`, `|s| s.static_dir = dist()`, …).
pub async fn spawn_app_with(kind: Emulator, configure: impl FnOnce(&mut Settings)) -> TestApp {
    let emulator = EmulatorProcess::start(kind).await;
    let mut app = spawn_backend(&emulator.endpoint(), configure).await;
    app.emulator = Some(emulator);
    app
}

/// The backend against an upstream that is already running at `endpoint` (the stand-in,
/// a fault proxy, another app's emulator), with [`test_settings`] changed by
/// `configure`; it owns no emulator.
pub async fn spawn_backend(endpoint: &str, configure: impl FnOnce(&mut Settings)) -> TestApp {
    let mut settings = test_settings(endpoint);
    configure(&mut settings);
    let app = Application::build(&settings).await.expect("build app");
    let address = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run());
    TestApp {
        address,
        http: reqwest::Client::new(),
        endpoint: endpoint.to_owned(),
        sdk: eventbridge_client(endpoint, "test"),
        emulator: None,
    }
}

/// An EventBridge client on an emulator or the stand-in, signing with the static key `key`.
pub fn eventbridge_client(endpoint: &str, key: &str) -> aws_sdk_eventbridge::Client {
    emulator_client!(aws_sdk_eventbridge, endpoint, key)
}

/// An SQS client on an emulator (ministack serves SQS on the same port), signing with `key`.
pub fn sqs_client(endpoint: &str, key: &str) -> aws_sdk_sqs::Client {
    emulator_client!(aws_sdk_sqs, endpoint, key)
}

/// A queue's ARN, as SQS reports it.
pub async fn queue_arn(sqs: &aws_sdk_sqs::Client, url: &str) -> Result<String, String> {
    use aws_sdk_sqs::types::QueueAttributeName;
    sqs.get_queue_attributes()
        .queue_url(url)
        .attribute_names(QueueAttributeName::QueueArn)
        .send()
        .await
        .map_err(|e| format!("queue ARN of {url}: {e}"))?
        .attributes()
        .and_then(|a| a.get(&QueueAttributeName::QueueArn).cloned())
        .ok_or_else(|| format!("no ARN for {url}"))
}

/// A response read fully: status, headers and JSON body (Null when empty).
pub struct Reply {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Reply {
    /// The `name` of each item of the body's list `list` (`"rules"`, `"eventBuses"`).
    pub fn names(&self, list: &str) -> Vec<&str> {
        self.body[list]
            .as_array()
            .map(|items| items.iter().filter_map(|x| x["name"].as_str()).collect())
            .unwrap_or_default()
    }

    /// Asserts a docs/API.md error body and returns it.
    #[track_caller]
    pub fn assert_error(&self, status: u16, code: &str, field: Option<&str>) -> &Value {
        assert_eq!(self.status, status, "body: {}", self.body);
        assert_eq!(self.body["error"]["code"], code, "body: {}", self.body);
        let message = self.body["error"]["message"].as_str().unwrap_or_default();
        assert!(
            message.len() > 10,
            "message should be a sentence: {}",
            self.body
        );
        if let Some(field) = field {
            assert_eq!(self.body["error"]["field"], field, "body: {}", self.body);
        }
        &self.body
    }

    /// The error message of an error body (empty for any other).
    pub fn message(&self) -> &str {
        self.body["error"]["message"].as_str().unwrap_or_default()
    }
}

fn method(op: Operation) -> reqwest::Method {
    use shared::endpoints::Method;
    match op.method() {
        Method::Get => reqwest::Method::GET,
        Method::Post => reqwest::Method::POST,
        Method::Patch => reqwest::Method::PATCH,
        Method::Delete => reqwest::Method::DELETE,
    }
}

impl TestApp {
    /// Another backend on this app's upstream, with [`test_settings`] changed by
    /// `configure`: it shares nothing with this one but the upstream (another role,
    /// other teams, the same buses and replays).
    pub async fn another(&self, configure: impl FnOnce(&mut Settings)) -> TestApp {
        spawn_backend(&self.endpoint, configure).await
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    /// `op`'s method and URL, for a request the test finishes itself (headers, a raw body).
    pub fn request(&self, op: Operation, params: &[&str]) -> reqwest::RequestBuilder {
        self.http.request(method(op), self.url(&path(op, params)))
    }

    /// Calls `op` with its path `params` (in order) and a JSON `body`.
    pub async fn call(&self, op: Operation, params: &[&str], body: Option<&Value>) -> Reply {
        self.call_query(op, params, "", body).await
    }

    /// As [`call`](Self::call), with a query string (`"namePrefix=orders&limit=5"`, sent
    /// as it is; empty: none).
    pub async fn call_query(
        &self,
        op: Operation,
        params: &[&str],
        query: &str,
        body: Option<&Value>,
    ) -> Reply {
        let mut url = self.url(&path(op, params));
        if !query.is_empty() {
            url = format!("{url}?{query}");
        }
        let mut request = self.http.request(method(op), url);
        if let Some(body) = body {
            request = request.json(body);
        }
        self.send(request).await
    }

    /// `GET` of a path that is no operation of the table ([`HEALTH`], [`OPENAPI`], a
    /// path a test makes up on purpose).
    pub async fn get(&self, path: &str) -> Reply {
        self.send(self.http.get(self.url(path))).await
    }

    pub async fn send(&self, request: reqwest::RequestBuilder) -> Reply {
        let response = request.send().await.expect("request to the backend");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.expect("response body");
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap_or_else(|_| {
                panic!("not JSON ({status}): {}", String::from_utf8_lossy(&bytes))
            })
        };
        Reply {
            status,
            headers,
            body,
        }
    }

    /// Reads `op` (a `Describe…`) every `every` until `done` holds for its body, for at
    /// most `timeout`; each read must answer 200. Returns the last body.
    pub async fn read_until(
        &self,
        op: Operation,
        params: &[&str],
        (timeout, every): (Duration, Duration),
        done: impl Fn(&Value) -> bool,
    ) -> Value {
        let done = &done;
        let waited = crate::wait_until(
            &format!("{} until done", path(op, params)),
            timeout,
            every,
            move || async move {
                let reply = self.call(op, params, None).await;
                assert_eq!(reply.status, 200, "{}", reply.body);
                if done(&reply.body) {
                    Ok(reply.body)
                } else {
                    Err(reply.body)
                }
            },
        )
        .await;
        waited.unwrap_or_else(|timed_out| panic!("{timed_out}"))
    }

    /// The ARN of a bus by name, as the API lists it.
    pub async fn bus_arn(&self, name: &str) -> String {
        let reply = self
            .call_query(
                Operation::ListEventBuses,
                &[],
                &format!("namePrefix={name}"),
                None,
            )
            .await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        reply.body["eventBuses"]
            .as_array()
            .and_then(|buses| buses.iter().find(|b| b["name"] == name))
            .and_then(|b| b["arn"].as_str())
            .map(str::to_owned)
            .unwrap_or_else(|| panic!("no bus {name}: {}", reply.body))
    }

    /// Creates a custom bus directly on the emulator and returns its ARN.
    pub async fn create_bus(&self, name: &str) -> String {
        self.sdk
            .create_event_bus()
            .name(name)
            .send()
            .await
            .expect("create bus")
            .event_bus_arn()
            .map(str::to_owned)
            .expect("bus arn")
    }

    /// Creates a rule on `bus` directly on the emulator and returns its ARN.
    pub async fn create_rule(&self, bus: &str, name: &str, pattern: &str) -> String {
        self.sdk
            .put_rule()
            .name(name)
            .event_bus_name(bus)
            .event_pattern(pattern)
            .send()
            .await
            .expect("put rule")
            .rule_arn()
            .map(str::to_owned)
            .expect("rule arn")
    }

    /// Creates an archive of `bus_arn` directly on the emulator (for a caller whose role
    /// may not create one through the API) and returns its ARN.
    pub async fn create_archive_directly(&self, name: &str, bus_arn: &str) -> String {
        self.sdk
            .create_archive()
            .archive_name(name)
            .event_source_arn(bus_arn)
            .send()
            .await
            .expect("create archive")
            .archive_arn()
            .map(str::to_owned)
            .expect("archive arn")
    }

    /// Puts `count` `OrderCreated` events from `shop.orders` on `bus`.
    pub async fn put_order_events(&self, bus: &str, count: u32) {
        let entries: Vec<aws_sdk_eventbridge::types::PutEventsRequestEntry> = (0..count)
            .map(|i| {
                aws_sdk_eventbridge::types::PutEventsRequestEntry::builder()
                    .event_bus_name(bus)
                    .source("shop.orders")
                    .detail_type("OrderCreated")
                    .detail(json!({"orderId": i}).to_string())
                    .build()
            })
            .collect();
        for batch in entries.chunks(10) {
            self.sdk
                .put_events()
                .set_entries(Some(batch.to_vec()))
                .send()
                .await
                .expect("put events");
        }
    }

    /// One `shop.orders` event of `detail_type` with `detail` on `bus` (up to 1 MB since
    /// January 2026: peeks of large events).
    pub async fn put_event(&self, bus: &str, detail_type: &str, detail: String) {
        self.sdk
            .put_events()
            .entries(
                aws_sdk_eventbridge::types::PutEventsRequestEntry::builder()
                    .event_bus_name(bus)
                    .source("shop.orders")
                    .detail_type(detail_type)
                    .detail(detail)
                    .build(),
            )
            .send()
            .await
            .expect("put an event");
    }

    /// Creates an archive through the API; returns its ARN.
    pub async fn create_archive(&self, name: &str, bus_arn: &str, extra: Value) -> String {
        let mut body = json!({"archiveName": name, "eventSourceArn": bus_arn});
        if let (Some(obj), Value::Object(more)) = (body.as_object_mut(), extra) {
            obj.extend(more);
        }
        let reply = self.call(Operation::CreateArchive, &[], Some(&body)).await;
        assert_eq!(reply.status, 201, "{}", reply.body);
        reply.body["archiveArn"]
            .as_str()
            .map(str::to_owned)
            .expect("archiveArn")
    }
}

impl TestApp {
    /// An SQS client on the upstream (ministack serves SQS on the same port).
    pub fn sqs(&self) -> aws_sdk_sqs::Client {
        sqs_client(&self.endpoint, "test")
    }

    /// A new queue on the upstream: its URL and ARN.
    pub async fn create_queue(&self, name: &str) -> (String, String) {
        let sqs = self.sqs();
        let url = sqs
            .create_queue()
            .queue_name(name)
            .send()
            .await
            .expect("queue")
            .queue_url()
            .map(str::to_owned)
            .expect("url");
        let arn = queue_arn(&sqs, &url)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        (url, arn)
    }

    /// Receives (and deletes) the messages of queue `url` until `want` of them that
    /// `keep` holds for arrived, or about 30 s went by; their bodies (JSON).
    pub async fn receive(
        &self,
        url: &str,
        want: usize,
        keep: impl Fn(&Value) -> bool,
    ) -> Vec<Value> {
        receive(&self.sqs(), url, want, Duration::from_secs(30), keep).await
    }

    /// Rewind's temporary rules on `bus`: (name, pattern).
    pub async fn temporary_rules(&self, bus: &str) -> Vec<(String, String)> {
        temporary_rules(&self.sdk, bus).await
    }

    /// A rule on the default bus that runs on a schedule (EventBridge allows schedules
    /// only there).
    pub async fn create_scheduled_rule(&self, name: &str) {
        self.sdk
            .put_rule()
            .name(name)
            .event_bus_name("default")
            .schedule_expression("rate(1 day)")
            .send()
            .await
            .expect("scheduled rule");
    }
}

/// Rewind's temporary (`rewind-`) rules on `bus`: (name, pattern).
pub async fn temporary_rules(
    sdk: &aws_sdk_eventbridge::Client,
    bus: &str,
) -> Vec<(String, String)> {
    let out = sdk
        .list_rules()
        .event_bus_name(bus)
        .name_prefix("rewind-")
        .send()
        .await
        .expect("list rules");
    out.rules()
        .iter()
        .map(|r| {
            (
                r.name().unwrap_or_default().to_owned(),
                r.event_pattern().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

/// RFC 3339 for a time `minutes` from now (negative: in the past).
pub fn minutes_from_now(minutes: i64) -> String {
    shared::timestamp::format(time::OffsetDateTime::now_utc() + time::Duration::minutes(minutes))
}

/// A replay's request body: `name` replays `archive` into `bus`, its window from `from`
/// to `to` minutes from now (add `routing`, `filterArns`… to it as needed).
pub fn replay_body(name: &str, archive: &str, bus: &str, (from, to): (i64, i64)) -> Value {
    json!({
        "replayName": name,
        "eventSourceArn": archive,
        "eventStartTime": minutes_from_now(from),
        "eventEndTime": minutes_from_now(to),
        "destination": {"arn": bus},
    })
}

/// A replay job's request body: `name` replays `archive` into `bus` over the window
/// `start`–`end` (RFC 3339), in slices of `slice` minutes `gap` seconds apart.
pub fn job_body(
    name: &str,
    archive: &str,
    bus: &str,
    (start, end): (String, String),
    (slice, gap): (i64, i64),
) -> Value {
    json!({
        "jobName": name,
        "eventSourceArn": archive,
        "eventStartTime": start,
        "eventEndTime": end,
        "destination": {"arn": bus},
        "pacing": {"sliceMinutes": slice, "gapSeconds": gap},
    })
}

/// Receives (and deletes) the messages of queue `url` until `want` of them that `keep`
/// holds for arrived, or `within` went by; their bodies (JSON, `null` when not JSON).
pub async fn receive(
    sqs: &aws_sdk_sqs::Client,
    url: &str,
    want: usize,
    within: Duration,
    keep: impl Fn(&Value) -> bool,
) -> Vec<Value> {
    let mut bodies = Vec::new();
    let deadline = std::time::Instant::now() + within;
    while bodies.len() < want && std::time::Instant::now() < deadline {
        let out = sqs
            .receive_message()
            .queue_url(url)
            .max_number_of_messages(10)
            .wait_time_seconds(1)
            .send()
            .await
            .expect("receive");
        for message in out.messages() {
            let body: Value =
                serde_json::from_str(message.body().unwrap_or_default()).unwrap_or(Value::Null);
            if keep(&body) {
                bodies.push(body);
            }
            if let Some(handle) = message.receipt_handle() {
                let _ = sqs
                    .delete_message()
                    .queue_url(url)
                    .receipt_handle(handle)
                    .send()
                    .await;
            }
        }
    }
    bodies
}
