//! Headless Chromium through chromedriver (Debian's `chromium` and `chromium-driver`),
//! started with the flags docs/emulators-and-tools.md ("Headless Chromium") gives; chromedriver, Chromium and its helpers are
//! one process group, stopped when the `Chromium` is dropped.

use crate::ProcessGroup;
use fantoccini::{Client, ClientBuilder};
use serde_json::json;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum BrowserError {
    #[error("cannot start chromedriver (apt-get install chromium-driver): {0}")]
    Driver(std::io::Error),
    #[error("chromedriver did not come up: {0}")]
    DriverNotReady(#[from] crate::wait::TimedOut),
    #[error("chromedriver exited as it started on port {0} (taken by another process?)")]
    DriverExited(u16),
    #[error("cannot start Chromium through chromedriver: {0}")]
    Session(String),
}

/// How to start the browser.
#[derive(Debug, Clone)]
pub struct BrowserOptions {
    pub window: (u32, u32),
    pub dark: bool,
    /// Extra Chromium flags (e.g. `--host-resolver-rules=…`).
    pub extra_args: Vec<String>,
}

impl Default for BrowserOptions {
    fn default() -> Self {
        Self {
            window: (1280, 900),
            dark: false,
            extra_args: Vec::new(),
        }
    }
}

/// A running browser; `client` drives it.
pub struct Chromium {
    pub client: Client,
    driver: ProcessGroup,
    profile: PathBuf,
}

impl Chromium {
    pub async fn launch(options: BrowserOptions) -> Result<Self, BrowserError> {
        let (port, driver) = Self::start_driver().await?;
        let profile = std::env::temp_dir().join(format!("rewind-chromium-{port}"));
        let mut args = vec![
            "--headless".to_owned(),
            "--no-sandbox".to_owned(),
            "--disable-gpu".to_owned(),
            "--disable-quic".to_owned(),
            "--no-first-run".to_owned(),
            "--disable-background-networking".to_owned(),
            "--disable-component-update".to_owned(),
            "--disable-sync".to_owned(),
            format!("--window-size={},{}", options.window.0, options.window.1),
            format!("--user-data-dir={}", profile.display()),
        ];
        if options.dark {
            args.push("--force-dark-mode".to_owned());
            args.push("--blink-settings=preferredColorScheme=0".to_owned());
        }
        args.extend(options.extra_args);
        let binary = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".to_owned());
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".to_owned(),
            json!({"binary": binary, "args": args}),
        );
        let client = ClientBuilder::rustls()
            .map_err(|e| BrowserError::Session(e.to_string()))?
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .map_err(|e| BrowserError::Session(e.to_string()))?;
        Ok(Self {
            client,
            driver,
            profile,
        })
    }

    /// Starts chromedriver on a free port and waits until it is the one answering there. A
    /// port picked as free can be taken by another test's backend before chromedriver
    /// binds it (chromedriver then exits): that start is retried on a new port.
    async fn start_driver() -> Result<(u16, ProcessGroup), BrowserError> {
        let chromedriver =
            std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".to_owned());
        let http = reqwest::Client::new();
        let mut last = BrowserError::DriverExited(0);
        for _ in 0..3 {
            let port = crate::free_port().map_err(BrowserError::Driver)?;
            let mut driver = ProcessGroup::spawn(
                "chromedriver",
                Command::new(&chromedriver)
                    .arg(format!("--port={port}"))
                    .stdin(Stdio::null())
                    .stdout(Stdio::null())
                    .stderr(Stdio::null()),
            )
            .map_err(BrowserError::Driver)?;
            let status = format!("http://127.0.0.1:{port}/status");
            let ready = crate::wait_until(
                "chromedriver ready",
                Duration::from_secs(20),
                Duration::from_millis(50),
                || {
                    let exited = driver.exited().is_some();
                    let request = http.get(&status).send();
                    async move {
                        if exited {
                            return Ok(false);
                        }
                        // Its own answer: `{"value": {"ready": true, …}}`. Anything else
                        // (not yet ready, another server's page) is waited on; only an
                        // exit ends the wait early.
                        let answer: serde_json::Value = request
                            .await
                            .and_then(reqwest::Response::error_for_status)
                            .map_err(|e| e.to_string())?
                            .json()
                            .await
                            .map_err(|e| format!("not chromedriver's answer: {e}"))?;
                        if answer["value"]["ready"] == true {
                            Ok(true)
                        } else {
                            Err(format!("not ready: {answer}"))
                        }
                    }
                },
            )
            .await;
            match ready {
                Ok(true) => return Ok((port, driver)),
                Ok(false) => last = BrowserError::DriverExited(port),
                Err(e) => last = BrowserError::DriverNotReady(e),
            }
            driver.stop(Duration::from_secs(1));
        }
        Err(last)
    }

    /// Ends the WebDriver session (Chromium exits), then stops chromedriver.
    pub async fn close(mut self) {
        let _ = self.client.clone().close().await;
        self.driver.stop(Duration::from_secs(3));
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}
