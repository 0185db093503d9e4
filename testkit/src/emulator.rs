//! The EventBridge emulators the tests and `cargo xtask dev` run: which one, where its
//! binary is, how it is started, reset and stopped.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// Which EventBridge emulator a test runs against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Emulator {
    Ministack,
    Moto,
}

/// Generates `#[tokio::test]`s from `async fn name(Emulator)`s: one per emulator for
/// each name of the first list; after `; ministack_only:` and `; moto_only:`, those the
/// other emulator cannot run (docs/emulators-and-tools.md lists what each gets wrong), generated for
/// the one that can only — no test passes on an emulator having asserted nothing.
///
/// `on_both_emulators!(a, b; ministack_only: c; moto_only: d)` makes `ministack::a`,
/// `ministack::b`, `ministack::c`, `moto::a`, `moto::b` and `moto::d`.
#[macro_export]
macro_rules! on_both_emulators {
    (
        $($both:ident),* $(,)?
        $(; ministack_only: $($ministack:ident),+ $(,)?)?
        $(; moto_only: $($moto:ident),+ $(,)?)?
    ) => {
        mod ministack {
            $($crate::on_emulator!(Ministack: $both);)*
            $($($crate::on_emulator!(Ministack: $ministack);)+)?
        }
        mod moto {
            $($crate::on_emulator!(Moto: $both);)*
            $($($crate::on_emulator!(Moto: $moto);)+)?
        }
    };
}

/// One `#[tokio::test]` running `super::name(Emulator::Kind)` (for `on_both_emulators!`).
#[macro_export]
macro_rules! on_emulator {
    ($kind:ident: $name:ident) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $name() {
            super::$name($crate::Emulator::$kind).await
        }
    };
}

/// The checkout under test: cargo's run-time `CARGO_MANIFEST_DIR` (the test's or
/// xtask's package, one level below the root) first, as a cached build may have been
/// compiled in another checkout whose path `env!` would have baked in.
pub fn workspace_root() -> PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")))
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

/// ministack on loopback `port`, as docs/emulators-and-tools.md requires it started: bound to 127.0.0.1
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
        // Step Functions' Wait states at 1/100 of their time: a job's gaps and polls.
        .env("SFN_WAIT_SCALE", "0.01")
        .env("TMPDIR", tmp);
    command
}

/// A running emulator, killed when dropped (also when the test panics).
pub struct EmulatorProcess {
    pub kind: Emulator,
    pub port: u16,
    child: Option<Child>,
    /// Its scratch directory, removed with it (else every test run leaves one per test).
    tmp: Option<PathBuf>,
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
                // The same directory as this one's, which keeps it.
                again.tmp = None;
                return;
            }
            again.stop();
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("{:?} did not restart on port {}", self.kind, self.port);
    }

    /// What names the emulator this process starts on `port`, unlike any other: its
    /// scratch folder's name and ministack's health answer (`edition`).
    fn identity(port: u16) -> String {
        format!("rewind-test-{}-{port}", std::process::id())
    }

    fn spawn_on(kind: Emulator, port: u16) -> Result<Self, String> {
        let identity = Self::identity(port);
        let tmp = std::env::temp_dir().join(format!("{identity}-{kind:?}"));
        std::fs::create_dir_all(&tmp).map_err(|e| format!("{}: {e}", tmp.display()))?;
        let mut command = match kind {
            Emulator::Ministack => {
                let mut c = ministack_command(&venv_bin("ministack")?, port, &tmp);
                // Echoed in its health answer (and used for nothing else).
                c.env("MINISTACK_EDITION", &identity);
                c
            }
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
            tmp: Some(tmp),
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

    /// Whether `body`, answered with a 2xx on the readiness path of `port`, is the answer
    /// of the emulator this process started there. A status alone is not enough: a port
    /// picked as free can be taken first by another test's backend, whose console answers
    /// 200 on every path, or by a fault proxy in front of another test's ministack.
    /// (moto has no such echo: its own page is all there is to check.)
    fn is_own_answer(kind: Emulator, port: u16, body: &str) -> bool {
        match kind {
            Emulator::Ministack => {
                serde_json::from_str::<serde_json::Value>(body).is_ok_and(|health| {
                    health["services"]["events"].is_string()
                        && health["edition"] == Self::identity(port).as_str()
                })
            }
            Emulator::Moto => body.contains("<title>Moto</title>"),
        }
    }

    /// True once this emulator (not whatever else holds the port) answers its own
    /// readiness path; false if the process exited or 30 s passed.
    async fn wait_ready(&mut self) -> bool {
        let client = reqwest::Client::new();
        let url = format!("{}{}", self.endpoint(), self.ready_path());
        let (kind, port) = (self.kind, self.port);
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
                        return Ok::<bool, reqwest::Error>(false);
                    }
                    let answer = request.await?;
                    if !answer.status().is_success() {
                        return Ok(false);
                    }
                    Ok(Self::is_own_answer(kind, port, &answer.text().await?))
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
        if let Some(tmp) = self.tmp.take() {
            let _ = std::fs::remove_dir_all(tmp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A test's backend that took the port first answers 200 on the readiness path; that
    /// must not pass for the emulator (it once sent a test's AWS calls to the console).
    #[test]
    fn only_the_emulators_own_answer_is_ready() {
        let console =
            "<!doctype html><title>Rewind</title><h1>Rewind</h1><p>The API is running</p>";
        for kind in [Emulator::Ministack, Emulator::Moto] {
            assert!(
                !EmulatorProcess::is_own_answer(kind, 4566, console),
                "{kind:?}"
            );
            assert!(!EmulatorProcess::is_own_answer(kind, 4566, ""), "{kind:?}");
        }
        let health = |edition: &str| {
            serde_json::json!({"services": {"events": "available"}, "edition": edition}).to_string()
        };
        let own = EmulatorProcess::identity(4566);
        assert!(EmulatorProcess::is_own_answer(
            Emulator::Ministack,
            4566,
            &health(&own)
        ));
        // Another ministack: another test's behind a proxy that took the port, or a
        // ministack started by hand.
        for other in [EmulatorProcess::identity(4567), "light".to_owned()] {
            assert!(!EmulatorProcess::is_own_answer(
                Emulator::Ministack,
                4566,
                &health(&other)
            ));
        }
        assert!(EmulatorProcess::is_own_answer(
            Emulator::Moto,
            4566,
            "<!DOCTYPE html>\n<html><head><title>Moto</title></head></html>"
        ));
    }
}
