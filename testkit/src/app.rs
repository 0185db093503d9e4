//! The backend under test: the app on a random port against an emulator, and the HTTP
//! and SDK helpers the tests share. (The emulators are in `emulator`, the fault proxy in
//! `proxy`; their names are re-exported here.)

pub use crate::emulator::*;
pub use crate::proxy::{FaultyProxy, ProxyFaults};
use aws_sdk_eventbridge::config::{BehaviorVersion, Credentials, Region};
use backend::configuration::Settings;
use backend::http::Application;
use serde_json::{Value, json};

/// The backend under test, on a random port, talking to one upstream.
pub struct TestApp {
    pub address: String,
    pub http: reqwest::Client,
    /// A direct SDK client on the same upstream, to arrange what the API cannot create
    /// (buses, rules, events).
    pub sdk: aws_sdk_eventbridge::Client,
    pub emulator: Option<EmulatorProcess>,
}

/// Starts the backend against `endpoint`, also serving the console files in `static_dir`.
pub async fn spawn_backend_serving(
    endpoint: &str,
    static_dir: &str,
) -> (String, aws_sdk_eventbridge::Client) {
    spawn_backend_with(endpoint, static_dir, &[]).await
}

/// As [`spawn_backend_serving`], with more settings (`REWIND_LOCAL_ROLE`, …).
pub async fn spawn_backend_with(
    endpoint: &str,
    static_dir: &str,
    more: &[(&str, &str)],
) -> (String, aws_sdk_eventbridge::Client) {
    let settings = Settings::from_lookup(|name| match name {
        "REWIND_EVENTBRIDGE_ENDPOINT" => Some(endpoint.to_owned()),
        "REWIND_LISTEN" => Some("127.0.0.1:0".to_owned()),
        "REWIND_STATIC_DIR" => Some(static_dir.to_owned()),
        other => more
            .iter()
            .find(|(k, _)| *k == other)
            .map(|(_, v)| (*v).to_owned()),
    })
    .expect("settings");
    let app = Application::build(&settings).await.expect("build app");
    let address = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run());
    let sdk_config = aws_sdk_eventbridge::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("test", "test", None, None, "test"))
        .endpoint_url(endpoint)
        .build();
    (address, aws_sdk_eventbridge::Client::from_conf(sdk_config))
}

pub async fn spawn_app(kind: Emulator) -> TestApp {
    spawn_app_serving(kind, "/nonexistent").await
}

/// An emulator and the backend, the backend also serving the console in `static_dir`.
pub async fn spawn_app_serving(kind: Emulator, static_dir: &str) -> TestApp {
    spawn_app_with(kind, static_dir, &[]).await
}

/// An emulator and the backend with more settings.
pub async fn spawn_app_with(kind: Emulator, static_dir: &str, more: &[(&str, &str)]) -> TestApp {
    let emulator = EmulatorProcess::start(kind).await;
    let (address, sdk) = spawn_backend_with(&emulator.endpoint(), static_dir, more).await;
    TestApp {
        address,
        http: reqwest::Client::new(),
        sdk,
        emulator: Some(emulator),
    }
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
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
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

    pub async fn get(&self, path: &str) -> Reply {
        self.send(self.http.get(self.url(path))).await
    }

    pub async fn post(&self, path: &str, body: &Value) -> Reply {
        self.send(self.http.post(self.url(path)).json(body)).await
    }

    pub async fn patch(&self, path: &str, body: &Value) -> Reply {
        self.send(self.http.patch(self.url(path)).json(body)).await
    }

    pub async fn delete(&self, path: &str) -> Reply {
        self.send(self.http.delete(self.url(path))).await
    }

    /// The ARN of a bus by name, as the API lists it.
    pub async fn bus_arn(&self, name: &str) -> String {
        let reply = self
            .get(&format!("/api/event-buses?namePrefix={name}"))
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

    /// Creates an archive through the API; returns its ARN.
    pub async fn create_archive(&self, name: &str, bus_arn: &str, extra: Value) -> String {
        let mut body = json!({"archiveName": name, "eventSourceArn": bus_arn});
        if let (Some(obj), Value::Object(more)) = (body.as_object_mut(), extra) {
            obj.extend(more);
        }
        let reply = self.post("/api/archives", &body).await;
        assert_eq!(reply.status, 201, "{}", reply.body);
        reply.body["archiveArn"]
            .as_str()
            .map(str::to_owned)
            .expect("archiveArn")
    }
}

impl TestApp {
    /// An SQS client on the emulator (ministack serves SQS on the same port).
    pub fn sqs(&self) -> aws_sdk_sqs::Client {
        let endpoint = self
            .emulator
            .as_ref()
            .map(EmulatorProcess::endpoint)
            .unwrap_or_default();
        let config = aws_sdk_sqs::Config::builder()
            .behavior_version(aws_sdk_sqs::config::BehaviorVersion::latest())
            .region(aws_sdk_sqs::config::Region::new("us-east-1"))
            .credentials_provider(aws_sdk_sqs::config::Credentials::new(
                "test", "test", None, None, "test",
            ))
            .endpoint_url(endpoint)
            .build();
        aws_sdk_sqs::Client::from_conf(config)
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
