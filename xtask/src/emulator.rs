//! The local EventBridge emulator for `cargo xtask dev`.

use crate::Result;
use crate::tools::venv_dir;
use std::time::{Duration, Instant};
use tokio::process::{Child, Command};

pub struct Emulator {
    port: u16,
    _child: Child,
}

fn port_is_free(port: u16) -> bool {
    std::net::TcpListener::bind(("127.0.0.1", port)).is_ok()
}

impl Emulator {
    /// Starts ministack on loopback (on `preferred_port`, else a free one), waits for it
    /// and resets it, with the settings DESIGN.md requires.
    pub async fn start_ministack(preferred_port: u16) -> Result<Self> {
        let port = if port_is_free(preferred_port) {
            preferred_port
        } else {
            std::net::TcpListener::bind("127.0.0.1:0")
                .and_then(|l| l.local_addr())
                .map(|a| a.port())
                .map_err(|e| format!("no free port: {e}"))?
        };
        let tmp = crate::tools::workspace_root()
            .join(".rewind")
            .join("ministack");
        std::fs::create_dir_all(&tmp).map_err(|e| e.to_string())?;
        crate::tools::step(&format!("Starting ministack on 127.0.0.1:{port}"));
        let child = Command::new(venv_dir().join("bin").join("ministack"))
            .env("BIND_HOST", "127.0.0.1")
            .env("GATEWAY_PORT", port.to_string())
            .env("IOT_MTLS_ENABLED", "0")
            .env("SFTP_ENABLED", "0")
            .env("PERSIST_STATE", "0")
            .env("DOCKER_HOST", "unix:///nonexistent.sock")
            .env("TMPDIR", &tmp)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| format!("cannot start ministack: {e}"))?;
        let emulator = Self {
            port,
            _child: child,
        };
        emulator.wait_ready().await?;
        emulator.post("/_ministack/reset").await?;
        Ok(emulator)
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    async fn wait_ready(&self) -> Result {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if tokio::net::TcpStream::connect(("127.0.0.1", self.port))
                .await
                .is_ok()
            {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err("ministack did not start within 30 s".to_owned())
    }

    /// A bodiless POST over a plain socket: all the emulator's admin API needs.
    async fn post(&self, path: &str) -> Result {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", self.port))
            .await
            .map_err(|e| e.to_string())?;
        let request = format!(
            "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        );
        stream
            .write_all(request.as_bytes())
            .await
            .map_err(|e| e.to_string())?;
        let mut response = String::new();
        stream
            .read_to_string(&mut response)
            .await
            .map_err(|e| e.to_string())?;
        if response.starts_with("HTTP/1.1 2") || response.starts_with("HTTP/1.0 2") {
            Ok(())
        } else {
            Err(format!(
                "POST {path} failed: {}",
                response.lines().next().unwrap_or_default()
            ))
        }
    }
}
