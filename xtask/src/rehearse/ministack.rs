//! ministack[full] for the rehearsal: the whole emulated AWS on one loopback port, with
//! `AWS_ENDPOINT_URL` in its own environment so that it hands the endpoint to the
//! function it runs (docs/emulators-and-tools.md). It runs in a process group of its own, so stopping it
//! also stops the function's `bootstrap` processes.

use crate::Result;
use crate::tools;
use anyhow::Context;
use std::process::Stdio;
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
        let port = testkit::free_port().map_err(|e| anyhow::anyhow!("no free port: {e}"))?;
        let dir = tools::target_dir().join("rehearsal");
        let tmp = dir.join(format!("ministack-{port}"));
        std::fs::create_dir_all(&tmp)?;
        let log = dir.join("ministack.log");
        let log_file = std::fs::File::create(&log)?;
        let log_err = log_file.try_clone()?;
        tools::step(&format!(
            "Rehearsal: ministack[full] on 127.0.0.1:{port} (log: {})",
            log.display()
        ));
        let endpoint = format!("http://127.0.0.1:{port}");
        let process = ProcessGroup::spawn(
            "ministack",
            testkit::app::ministack_command(
                &tools::rehearsal_venv_dir().join("bin").join("ministack"),
                port,
                &tmp,
            )
            .env("AWS_ENDPOINT_URL", &endpoint)
            .stdin(Stdio::null())
            .stdout(log_file)
            .stderr(log_err),
        )
        .map_err(|e| anyhow::anyhow!("cannot start ministack: {e}"))?;
        let emulator = Self {
            port,
            _process: process,
            log,
        };
        testkit::wait::until_answering(
            &format!("{endpoint}/_ministack/health"),
            Duration::from_secs(60),
        )
        .await
        .with_context(|| format!("see {}", emulator.log.display()))?;
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
