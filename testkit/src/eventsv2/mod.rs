//! The STAND-IN for the Custom Event Bus (EventBridge v2, `eventsv2` 2025-05-15), which no
//! emulator models: `rewind-eventsv2`, an in-memory server speaking smithy RPC v2 CBOR as
//! `aws-sdk-eventbridgev2` and boto3's `eventbridgev2` client do, built from botocore's
//! model (vendored in `testkit/model/`). It keeps buses with their retained events and
//! subscribers with their positions, delivers to SQS targets on ministack and writes its
//! `AWS/EventsV2` metrics there. Where the documents leave a behaviour open it follows one
//! reading, pinned in [`assumptions`] (and listed in docs/emulators-and-tools.md).
//!
//! In-process (a test):
//! ```ignore
//! let ministack = EmulatorProcess::start(Emulator::Ministack).await;
//! let v2 = testkit::eventsv2::start(Config { aws_endpoint: Some(ministack.endpoint()), ..Config::default() }).await;
//! // point aws-sdk-eventbridgev2 (or REWIND_EVENTBRIDGEV2_ENDPOINT) at v2.endpoint()
//! ```
//! As a process: `rewind-eventsv2 --listen 127.0.0.1:0` prints `http://ADDR` on its first
//! line of standard output; [`EventsV2Process`] starts it so that it never outlives its owner.
//! Its environment: `AWS_ENDPOINT_URL` (SQS targets and CloudWatch, ministack),
//! `REWIND_EVENTSV2_ACCOUNT`, `REWIND_EVENTSV2_REGION`, `REWIND_EVENTSV2_TRANSITION_MS`,
//! `REWIND_EVENTSV2_METRICS_MS` ([`Config::from_env`]).
//!
//! Besides the API: `GET /_eventsv2/health`, `GET /_eventsv2/state` (buses, subscribers
//! with their positions and totals, metric totals, responses that did not fit the model),
//! `POST /_eventsv2/reset`, `POST /_eventsv2/faults` (`{"operation", "error", "times"}`:
//! answer the next calls with that error), `POST /_eventsv2/clock` (`{"advanceSeconds"}`).

pub mod assumptions;
pub mod cbor;
pub mod delivery;
pub mod http;
pub mod model;
pub mod pattern;
pub mod service;
pub mod state;

pub use state::{Config, Fault, Shared, State};

use crate::process::ProcessGroup;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::task::JoinHandle;

/// Serves the stand-in on `listener` until the server fails; delivery runs beside it.
pub async fn serve(listener: tokio::net::TcpListener, config: Config) -> std::io::Result<()> {
    let shared: Shared = Arc::new(Mutex::new(State::new(config)));
    let delivery = tokio::spawn(delivery::run(shared.clone()));
    let served = axum::serve(listener, http::router(shared)).await;
    delivery.abort();
    served
}

/// A stand-in served by this process; stopped when dropped.
pub struct EventsV2 {
    endpoint: String,
    shared: Shared,
    tasks: Vec<JoinHandle<()>>,
}

/// A fresh stand-in on a free loopback port (see the module's example).
pub async fn start(config: Config) -> EventsV2 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind the v2 stand-in");
    let endpoint = format!(
        "http://{}",
        listener.local_addr().expect("the v2 stand-in's address")
    );
    let shared: Shared = Arc::new(Mutex::new(State::new(config)));
    let router = http::router(shared.clone());
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    let delivery = tokio::spawn(delivery::run(shared.clone()));
    EventsV2 {
        endpoint,
        shared,
        tasks: vec![server, delivery],
    }
}

impl EventsV2 {
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The state itself (lock it briefly; delivery needs it too).
    pub fn shared(&self) -> &Shared {
        &self.shared
    }

    /// What `GET /_eventsv2/state` answers.
    pub fn snapshot(&self) -> Value {
        self.shared
            .lock()
            .map(|mut s| service::snapshot(&mut s))
            .unwrap_or_default()
    }

    /// Every answer so far that did not fit the model (none, or the stand-in is wrong).
    pub fn violations(&self) -> Vec<String> {
        self.shared
            .lock()
            .map(|s| s.violations.clone())
            .unwrap_or_default()
    }

    /// Every request of `operation` so far, as its input shape's JSON.
    pub fn calls(&self, operation: &str) -> Vec<Value> {
        self.shared
            .lock()
            .map(|s| {
                s.calls
                    .iter()
                    .filter(|(op, _)| op == operation)
                    .map(|(_, input)| input.clone())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Answers the next `fault.times` calls of `fault.operation` with `fault.code`.
    pub fn inject(&self, fault: Fault) {
        if let Ok(mut state) = self.shared.lock() {
            state.faults.push(fault);
        }
    }

    /// Moves the stand-in's clock forward.
    pub fn advance_clock(&self, by: Duration) {
        if let Ok(mut state) = self.shared.lock() {
            state.clock_offset_ms += i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        }
    }

    /// Clears all state, as between tests.
    pub fn reset(&self) {
        if let Ok(mut state) = self.shared.lock() {
            state.reset();
        }
    }
}

impl Drop for EventsV2 {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

/// The `rewind-eventsv2` binary as a child process in a group of its own (stopped with
/// everything it started when dropped).
pub struct EventsV2Process {
    endpoint: String,
    group: ProcessGroup,
}

impl EventsV2Process {
    /// Where cargo builds the binary (`cargo build -p rewind-testkit --bin rewind-eventsv2`).
    pub fn binary() -> PathBuf {
        crate::emulator::target_dir()
            .join("debug")
            .join("rewind-eventsv2")
    }

    /// Starts `binary` on a free loopback port with `env` added to its environment (e.g.
    /// `AWS_ENDPOINT_URL`), and waits until it answers.
    pub async fn spawn(binary: &Path, env: &[(&str, &str)]) -> Result<Self, String> {
        use std::io::BufRead as _;
        let mut command = std::process::Command::new(binary);
        command
            .args(["--listen", "127.0.0.1:0"])
            .envs(env.iter().copied())
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::inherit());
        let mut group = ProcessGroup::spawn("rewind-eventsv2", &mut command)
            .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
        let stdout = group
            .take_stdout()
            .ok_or("rewind-eventsv2 has no standard output")?;
        let (sender, receiver) = std::sync::mpsc::channel();
        // Reads the address, then drains the pipe so the child never blocks on it.
        std::thread::spawn(move || {
            let mut lines = std::io::BufReader::new(stdout).lines();
            let _ = sender.send(lines.next());
            for _ in lines {}
        });
        let line =
            tokio::task::spawn_blocking(move || receiver.recv_timeout(Duration::from_secs(30)))
                .await
                .map_err(|e| e.to_string())?
                .map_err(|_| "rewind-eventsv2 printed no address within 30 s".to_owned())?;
        let endpoint = match line {
            Some(Ok(line)) if line.starts_with("http://") => line.trim().to_owned(),
            other => {
                group.stop(Duration::from_secs(1));
                return Err(format!(
                    "rewind-eventsv2 did not print its address: {other:?}"
                ));
            }
        };
        crate::wait::until_answering(
            &format!("{endpoint}/_eventsv2/health"),
            Duration::from_secs(30),
        )
        .await
        .map_err(|e| e.to_string())?;
        Ok(Self { endpoint, group })
    }

    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    pub fn stop(&mut self) {
        self.group.stop(Duration::from_secs(3));
    }
}
