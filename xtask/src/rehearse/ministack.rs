//! ministack[full] for the rehearsal: the whole emulated AWS on one loopback port, with
//! `AWS_ENDPOINT_URL` in its own environment so that it hands the endpoint to the
//! function it runs (DESIGN.md). It runs in a process group of its own, so stopping it
//! also stops the function's `bootstrap` processes.

use crate::Result;
use crate::tools;
use std::process::{Command, Stdio};
use std::time::Duration;
use testkit::ProcessGroup;

pub struct Ministack {
    port: u16,
    /// Stopped, with the function processes it started, when dropped.
    _process: ProcessGroup,
    pub log: std::path::PathBuf,
}

impl Ministack {
    pub async fn start() -> Result<Self> {
        let port = testkit::free_port().map_err(|e| format!("no free port: {e}"))?;
        let dir = tools::target_dir().join("rehearsal");
        let tmp = dir.join(format!("ministack-{port}"));
        std::fs::create_dir_all(&tmp).map_err(|e| e.to_string())?;
        let log = dir.join("ministack.log");
        let log_file = std::fs::File::create(&log).map_err(|e| e.to_string())?;
        let log_err = log_file.try_clone().map_err(|e| e.to_string())?;
        tools::step(&format!(
            "Rehearsal: ministack[full] on 127.0.0.1:{port} (log: {})",
            log.display()
        ));
        let endpoint = format!("http://127.0.0.1:{port}");
        let process = ProcessGroup::spawn(
            "ministack",
            Command::new(tools::rehearsal_venv_dir().join("bin").join("ministack"))
                .env("AWS_ENDPOINT_URL", &endpoint)
                .env("BIND_HOST", "127.0.0.1")
                .env("GATEWAY_PORT", port.to_string())
                .env("IOT_MTLS_ENABLED", "0")
                .env("SFTP_ENABLED", "0")
                .env("PERSIST_STATE", "0")
                .env("DOCKER_HOST", "unix:///nonexistent.sock")
                .env("TMPDIR", &tmp)
                .stdin(Stdio::null())
                .stdout(log_file)
                .stderr(log_err),
        )
        .map_err(|e| format!("cannot start ministack: {e}"))?;
        let emulator = Self {
            port,
            _process: process,
            log,
        };
        let client = reqwest::Client::new();
        let health = format!("{endpoint}/_ministack/health");
        testkit::wait_until(
            "ministack answering",
            Duration::from_secs(60),
            Duration::from_millis(200),
            || {
                let request = client.get(&health).send();
                async move { request.await.and_then(reqwest::Response::error_for_status) }
            },
        )
        .await
        .map_err(|e| format!("{e}; see {}", emulator.log.display()))?;
        Ok(emulator)
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// A stack's HTTP API, as the emulator serves it (`$default` stage).
    pub fn api_base(&self, api_id: &str) -> String {
        format!("{}/_aws/execute-api/{api_id}/$default", self.endpoint())
    }
}
