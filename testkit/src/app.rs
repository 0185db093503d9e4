//! The backend under test: emulator processes, the app on a random port, HTTP helpers
//! and a fault-injecting proxy.

use aws_sdk_eventbridge::config::{BehaviorVersion, Credentials, Region};
use backend::configuration::Settings;
use backend::http::Application;
use serde_json::{Value, json};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// Which EventBridge emulator a test runs against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Emulator {
    Ministack,
    Moto,
}

/// Generates one `#[tokio::test]` per emulator for each `async fn name(Emulator)`.
#[macro_export]
macro_rules! on_both_emulators {
    ($($name:ident),* $(,)?) => {
        mod ministack {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() { super::$name($crate::Emulator::Ministack).await }
            )*
        }
        mod moto {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() { super::$name($crate::Emulator::Moto).await }
            )*
        }
    };
}

/// Says why a test does not run on this emulator (docs/DESIGN.md lists what each gets wrong).
/// Returns true when the caller should stop.
pub fn skip_on(emulator: Emulator, unsupported: Emulator, reason: &str) -> bool {
    if emulator == unsupported {
        eprintln!("SKIPPED on {emulator:?}: {reason}");
        true
    } else {
        false
    }
}

pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(PathBuf::from)
        .unwrap_or_default()
}

/// Cargo's target directory (`CARGO_TARGET_DIR`, else `target/`).
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"))
}

/// The venv that `cargo xtask test` prepares (`REWIND_VENV` overrides).
fn venv_bin(name: &str) -> Result<PathBuf, String> {
    let venv = std::env::var_os("REWIND_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join(".venv"));
    let bin = venv.join("bin").join(name);
    if bin.exists() {
        Ok(bin)
    } else {
        Err(format!(
            "{} is missing: run `cargo xtask test` (it installs the emulators into .venv)",
            bin.display()
        ))
    }
}

/// ministack on loopback `port`, as docs/DESIGN.md requires it started: bound to 127.0.0.1
/// only, no MQTT TLS or SFTP listeners, no persisted state, no Docker probing, its files
/// under `tmp`. Used for the tests' and `dev`'s emulator and the rehearsal's
/// `ministack[full]` (`binary` is the venv's `ministack`).
pub fn ministack_command(binary: &std::path::Path, port: u16, tmp: &std::path::Path) -> Command {
    let mut command = Command::new(binary);
    command
        .env("BIND_HOST", "127.0.0.1")
        .env("GATEWAY_PORT", port.to_string())
        .env("IOT_MTLS_ENABLED", "0")
        .env("SFTP_ENABLED", "0")
        .env("PERSIST_STATE", "0")
        .env("DOCKER_HOST", "unix:///nonexistent.sock")
        .env("TMPDIR", tmp);
    command
}

/// A running emulator, killed when dropped (also when the test panics).
pub struct EmulatorProcess {
    pub kind: Emulator,
    pub port: u16,
    child: Option<Child>,
    _tmp: PathBuf,
}

impl EmulatorProcess {
    /// Starts `kind` on a free loopback port, waits for it and resets it; panics (a test
    /// cannot go on) if it cannot.
    pub async fn start(kind: Emulator) -> Self {
        Self::launch(kind, None)
            .await
            .unwrap_or_else(|e| panic!("{e}"))
    }

    /// Starts `kind` on `preferred` if that port is free, else on a free one, waits for
    /// it and resets it. A port picked as free can be taken by another process before
    /// the emulator binds it, so a start that does not come up as that emulator is
    /// retried on a new port.
    pub async fn launch(kind: Emulator, preferred: Option<u16>) -> Result<Self, String> {
        for attempt in 0..5 {
            let port = match preferred {
                Some(port)
                    if attempt == 0 && std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() =>
                {
                    port
                }
                _ => crate::free_port().map_err(|e| format!("no free port: {e}"))?,
            };
            let mut emulator = Self::spawn_on(kind, port)?;
            if emulator.wait_ready().await {
                emulator.reset().await?;
                return Ok(emulator);
            }
            emulator.stop();
        }
        Err(format!("{kind:?} did not start after 5 attempts"))
    }

    /// Starts it again on the same port after [`stop`](Self::stop), with fresh state.
    pub async fn restart(&mut self) {
        self.stop();
        for _ in 0..50 {
            let mut again = Self::spawn_on(self.kind, self.port).unwrap_or_else(|e| panic!("{e}"));
            if again.wait_ready().await {
                self.child = again.child.take();
                return;
            }
            again.stop();
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("{:?} did not restart on port {}", self.kind, self.port);
    }

    fn spawn_on(kind: Emulator, port: u16) -> Result<Self, String> {
        let tmp = std::env::temp_dir().join(format!("rewind-test-{kind:?}-{port}"));
        std::fs::create_dir_all(&tmp).map_err(|e| format!("{}: {e}", tmp.display()))?;
        let mut command = match kind {
            Emulator::Ministack => ministack_command(&venv_bin("ministack")?, port, &tmp),
            Emulator::Moto => {
                let mut c = Command::new(venv_bin("moto_server")?);
                c.args(["-H", "127.0.0.1", "-p", &port.to_string()]);
                c
            }
        };
        let child = command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start {kind:?}: {e}"))?;
        Ok(Self {
            kind,
            port,
            child: Some(child),
            _tmp: tmp,
        })
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn ready_path(&self) -> &'static str {
        match self.kind {
            Emulator::Ministack => "/_ministack/health",
            Emulator::Moto => "/moto-api/",
        }
    }

    /// True once this emulator (not whatever else holds the port) answers its own
    /// readiness path; false if the process exited or 30 s passed.
    async fn wait_ready(&mut self) -> bool {
        let client = reqwest::Client::new();
        let url = format!("{}{}", self.endpoint(), self.ready_path());
        let child = &mut self.child;
        let answer = crate::wait_until(
            "the emulator's readiness path",
            Duration::from_secs(30),
            Duration::from_millis(50),
            || {
                let exited = child
                    .as_mut()
                    .is_none_or(|c| c.try_wait().ok().flatten().is_some());
                let request = client.get(&url).send();
                async move {
                    if exited {
                        // Nothing more to wait for.
                        return Ok(false);
                    }
                    request.await.map(|r| r.status().is_success())
                }
            },
        )
        .await;
        answer.unwrap_or(false)
    }

    /// Clears all state, as between tests.
    pub async fn reset(&self) -> Result<(), String> {
        let path = match self.kind {
            Emulator::Ministack => "/_ministack/reset",
            Emulator::Moto => "/moto-api/reset",
        };
        let response = reqwest::Client::new()
            .post(format!("{}{}", self.endpoint(), path))
            .send()
            .await
            .map_err(|e| format!("resetting {:?}: {e}", self.kind))?;
        if response.status().is_success() {
            Ok(())
        } else {
            Err(format!("resetting {:?}: {}", self.kind, response.status()))
        }
    }

    /// Stops the emulator now (for upstream-failure tests).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for EmulatorProcess {
    fn drop(&mut self) {
        self.stop();
    }
}

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

/// A TCP proxy in front of an upstream that can slow its answers down or cut them short:
/// what a stalled or flaky network does to EventBridge calls.
pub struct FaultyProxy {
    pub address: String,
    faults: std::sync::Arc<std::sync::Mutex<ProxyFaults>>,
}

#[derive(Clone, Copy, Default)]
pub struct ProxyFaults {
    /// Wait this long before passing on each chunk of the upstream's answer.
    pub delay: Duration,
    /// Pass on only this many bytes of each answer, then close the connection.
    pub truncate_after: Option<usize>,
}

impl FaultyProxy {
    pub async fn start(upstream: String) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind proxy");
        let address = format!("http://{}", listener.local_addr().expect("proxy addr"));
        let faults = std::sync::Arc::new(std::sync::Mutex::new(ProxyFaults::default()));
        let shared = faults.clone();
        let upstream = upstream.trim_start_matches("http://").to_owned();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let faults = shared.clone();
                let upstream = upstream.clone();
                tokio::spawn(async move {
                    if let Ok(server) = tokio::net::TcpStream::connect(&upstream).await {
                        relay(client, server, faults).await;
                    }
                });
            }
        });
        Self { address, faults }
    }

    pub fn set(&self, faults: ProxyFaults) {
        if let Ok(mut f) = self.faults.lock() {
            *f = faults;
        }
    }
}

async fn relay(
    client: tokio::net::TcpStream,
    server: tokio::net::TcpStream,
    faults: std::sync::Arc<std::sync::Mutex<ProxyFaults>>,
) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let (mut client_read, mut client_write) = client.into_split();
    let (mut server_read, mut server_write) = server.into_split();
    let requests = tokio::spawn(async move {
        let _ = tokio::io::copy(&mut client_read, &mut server_write).await;
    });
    let mut buffer = vec![0_u8; 16 * 1024];
    let mut passed = 0_usize;
    loop {
        let read = match server_read.read(&mut buffer).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        let current = faults.lock().map(|f| *f).unwrap_or_default();
        if !current.delay.is_zero() {
            tokio::time::sleep(current.delay).await;
        }
        let allowed = current
            .truncate_after
            .map_or(read, |limit| read.min(limit.saturating_sub(passed)));
        if client_write.write_all(&buffer[..allowed]).await.is_err() {
            break;
        }
        passed += allowed;
        if allowed < read {
            break;
        }
    }
    let _ = client_write.shutdown().await;
    requests.abort();
}
