//! `cargo xtask dev`: the console on the local emulator with its demo, from a fresh
//! machine. The builds and installs run side by side where they do not need each other;
//! the terminal gets one line per phase with its duration (and, on a terminal, a progress
//! line while phases run); each phase's own output, the backend's request logs and its
//! audit records go to files under `target/dev/` unless `--verbose`.

use crate::{Result, tools};
use anyhow::{Context, bail};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use testkit::{Emulator, EmulatorProcess};

const ADDRESS: &str = "127.0.0.1:3000";

pub fn run(real_aws: bool, verbose: bool, stop_when_ready: bool) -> Result<()> {
    let logs = tools::target_dir().join("dev");
    std::fs::create_dir_all(&logs).with_context(|| format!("cannot create {}", logs.display()))?;
    let terminal = Terminal::new(verbose);
    terminal.line(&format!(
        "Rewind dev: building and starting the console{}",
        if verbose {
            String::new()
        } else {
            format!(" (each step's output: {}/)", logs.display())
        }
    ));
    // Three lanes side by side: Trunk's install; the backend, the console's wasm, then
    // wasm-bindgen and the npm tools; the emulator (PyPI). On two cores one compiles while another
    // links, waits on the network or runs a single-threaded step (BENCHMARKS.md, "cargo
    // xtask dev, cold"). The console is built once Trunk and wasm-bindgen are in.
    tools::log_to(terminal.log(&logs, "tools.log"));
    tools::ensure_wasm_target()?;
    tools::log_to(None);
    // Compiling the wasm ahead of Trunk pays only while the tools install (a cold run).
    let compile_wasm_ahead = !tools::frontend_tools_installed();
    let finished = AtomicBool::new(false);
    let built = std::thread::scope(|scope| {
        scope.spawn(|| terminal.tick_until(&finished));
        // Trunk, the longest install, from the start; the console once every tool is in.
        let trunk = scope.spawn(|| {
            terminal.phase(
                "installing Trunk",
                "Trunk installed (cargo install, once; compiled for build speed)",
                &logs,
                "trunk-install.log",
                tools::ensure_trunk,
            )
        });
        let backend = scope.spawn(|| {
            terminal.phase(
                "building the backend",
                "Backend built (cargo build -p rewind-backend -p xtask)",
                &logs,
                "backend-build.log",
                // With xtask in the same build its dependencies' features are xtask's,
                // so the crates xtask's own compile just built are reused, not rebuilt
                // with the backend's narrower feature set.
                || {
                    tools::run(
                        "cargo",
                        &["build", "-p", "rewind-backend", "-p", "xtask"],
                        &[],
                    )
                },
            )?;
            if compile_wasm_ahead {
                // Trunk's own cargo call, made while Trunk still installs: Trunk then finds
                // the wasm built (the same arguments, so the same fingerprint).
                terminal.phase(
                    "compiling the console's wasm",
                    "Console's wasm compiled, ahead of Trunk (cargo build --target wasm32-…)",
                    &logs,
                    "console-wasm.log",
                    || {
                        tools::run(
                            "cargo",
                            &[
                                "build",
                                "--target=wasm32-unknown-unknown",
                                "--manifest-path",
                                "frontend/Cargo.toml",
                                "--profile",
                                "wasm-release",
                                "--bin",
                                "rewind-frontend",
                            ],
                            &[],
                        )
                    },
                )?;
            }
            // Then, while Trunk still compiles, the other tools.
            terminal.phase(
                "installing wasm-bindgen",
                "wasm-bindgen installed (cargo install, once), wasm-opt and esbuild (npm)",
                &logs,
                "tools-install.log",
                || tools::ensure_wasm_bindgen().and_then(|()| tools::ensure_npm_tools()),
            )
        });
        let emulator = scope.spawn(|| {
            if real_aws {
                return Ok(());
            }
            terminal.phase(
                "installing the emulator",
                "Emulator installed (ministack, from PyPI)",
                &logs,
                "emulator-install.log",
                tools::ensure_dev_venv,
            )
        });
        let joined = |handle: std::thread::ScopedJoinHandle<'_, Result<()>>| {
            handle
                .join()
                .unwrap_or_else(|_| Err(anyhow::anyhow!("a build thread panicked")))
        };
        let tools = [joined(trunk), joined(backend)]
            .into_iter()
            .collect::<Result<Vec<()>>>()
            .and_then(|_| {
                terminal.phase(
                    "building the console",
                    "Console built (trunk build --release, JS minified by esbuild)",
                    &logs,
                    "console.log",
                    tools::trunk_build,
                )
            });
        let built = tools.and(joined(emulator));
        finished.store(true, Ordering::Relaxed);
        built
    });
    built?;
    serve(&terminal, &logs, real_aws, stop_when_ready)
}

/// Starts the emulator, the stand-in and the backend, seeds the demo, and waits for
/// Ctrl-C (or a plain `kill`); everything started is stopped before this returns.
fn serve(terminal: &Terminal, logs: &Path, real_aws: bool, stop_when_ready: bool) -> Result<()> {
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        let mut demo = Vec::new();
        let emulator = if real_aws {
            None
        } else {
            let started = Instant::now();
            let emulator = EmulatorProcess::launch(Emulator::Ministack, Some(4566))
                .await
                .map_err(anyhow::Error::msg)?;
            demo.extend(
                testkit::seed::demo_data(&emulator.endpoint())
                    .await
                    .map_err(anyhow::Error::msg)?,
            );
            terminal.done(
                &format!(
                    "ministack started ({}), demo data seeded",
                    emulator.endpoint()
                ),
                started,
            );
            // No emulator models the Custom Event Bus: the project's stand-in runs in
            // this process, delivering through ministack.
            let started = Instant::now();
            let (v2, seeded) = testkit::custom_bus::demo_stand_in(&emulator.endpoint())
                .await
                .map_err(anyhow::Error::msg)?;
            demo.push(seeded);
            terminal.done(
                "Custom Event Bus stand-in started, its demo seeded",
                started,
            );
            Some((emulator, v2))
        };
        let started = Instant::now();
        let backend_log = logs.join("rewind.log");
        let mut backend =
            tokio::process::Command::new(tools::target_dir().join("debug").join("rewind"));
        backend
            .env("REWIND_LISTEN", ADDRESS)
            .env("REWIND_STATIC_DIR", tools::workspace_root().join("dist"))
            .kill_on_drop(true);
        if !terminal.verbose {
            let file = std::fs::File::create(&backend_log)
                .with_context(|| format!("cannot write {}", backend_log.display()))?;
            backend.stdout(file.try_clone()?).stderr(file);
        }
        if let Some((emulator, v2)) = &emulator {
            backend
                .env("REWIND_EVENTBRIDGE_ENDPOINT", emulator.endpoint())
                .env("REWIND_EVENTBRIDGEV2_ENDPOINT", v2.endpoint())
                // The emulator's account, shown in the header with the demo's label.
                .env("REWIND_ACCOUNT_ID", "000000000000")
                .env("REWIND_ENVIRONMENT", "local demo")
                // The demo's subscribers' role, which their replays' copies pass again.
                .env(
                    "REWIND_TARGET_ROLE_ARNS",
                    testkit::custom_bus::DEMO_SUBSCRIBER_ROLE,
                );
        }
        let mut child = backend.spawn().context("cannot start the backend")?;
        let base = format!("http://{ADDRESS}");
        if let Some((emulator, _)) = &emulator {
            demo.push(
                testkit::seed::demo_jobs(&base)
                    .await
                    .map_err(anyhow::Error::msg)?,
            );
            demo.push(
                testkit::custom_bus::demo_replay(&base)
                    .await
                    .map_err(anyhow::Error::msg)?,
            );
            demo.push(
                testkit::seed::demo_figures(&emulator.endpoint(), &base)
                    .await
                    .map_err(anyhow::Error::msg)?,
            );
            terminal.done(
                "Backend started; demo replay jobs, v2 replay and figures",
                started,
            );
        } else {
            terminal.done("Backend started (real AWS, default credentials)", started);
        }
        terminal.ready(&base, &demo, (!terminal.verbose).then_some(&backend_log));
        if stop_when_ready {
            drop(child);
            drop(emulator);
            return Ok(());
        }
        // Ctrl-C or a plain `kill`: either way the emulator and the backend are stopped
        // (dropped) before this process ends.
        let mut terminate =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
        tokio::select! {
            status = child.wait() => {
                let status = status?;
                if !status.success() {
                    bail!("the backend stopped: {status} (its log: {})", backend_log.display());
                }
            }
            _ = tokio::signal::ctrl_c() => println!("\nStopping."),
            _ = terminate.recv() => println!("\nStopping (terminated)."),
        }
        drop(emulator);
        Ok(())
    })
}

/// What the person who typed `cargo xtask dev` sees.
struct Terminal {
    verbose: bool,
    tty: bool,
    began: Instant,
    /// The phases running now, for the progress line.
    running: Mutex<Vec<(String, Instant)>>,
    /// Held while a line is written, so the progress line and phase lines never mix.
    writing: Mutex<()>,
}

impl Terminal {
    fn new(verbose: bool) -> Self {
        Self {
            verbose,
            tty: std::io::stdout().is_terminal(),
            began: launched(),
            running: Mutex::new(Vec::new()),
            writing: Mutex::new(()),
        }
    }

    /// Where a phase's output goes: `target/dev/<name>`, or the terminal when verbose.
    fn log(&self, logs: &Path, name: &str) -> Option<PathBuf> {
        (!self.verbose).then(|| logs.join(name))
    }

    /// Runs `work` as one phase: its output to `logs/<name>`, one line when it ends.
    fn phase(
        &self,
        doing: &str,
        title: &str,
        logs: &Path,
        name: &str,
        work: impl FnOnce() -> Result<()>,
    ) -> Result<()> {
        let started = Instant::now();
        if let Ok(mut running) = self.running.lock() {
            running.push((doing.to_owned(), started));
        }
        tools::log_to(self.log(logs, name));
        let result = work();
        tools::log_to(None);
        if let Ok(mut running) = self.running.lock() {
            running.retain(|(t, _)| t != doing);
        }
        match &result {
            Ok(()) => self.done(title, started),
            Err(_) => self.line(&format!(
                "  ✗ {title} failed; its output: {}",
                logs.join(name).display()
            )),
        }
        result
    }

    fn done(&self, title: &str, started: Instant) {
        self.line(&format!(
            "  ✓ {title:<72} {:>7}",
            elapsed(started.elapsed())
        ));
    }

    fn line(&self, text: &str) {
        let _writing = self.writing.lock();
        let mut out = std::io::stdout().lock();
        if self.tty {
            let _ = write!(out, "\r\x1b[2K");
        }
        let _ = writeln!(out, "{text}");
        let _ = out.flush();
    }

    /// On a terminal, redraws one line naming what runs and for how long, until `stop`.
    fn tick_until(&self, stop: &AtomicBool) {
        while self.tty && !stop.load(Ordering::Relaxed) {
            std::thread::sleep(Duration::from_millis(500));
            let now: Vec<String> = self
                .running
                .lock()
                .map(|r| {
                    r.iter()
                        .map(|(t, s)| format!("{t} {}", elapsed(s.elapsed())))
                        .collect()
                })
                .unwrap_or_default();
            if now.is_empty() || stop.load(Ordering::Relaxed) {
                continue;
            }
            let _writing = self.writing.lock();
            let mut out = std::io::stdout().lock();
            let _ = write!(
                out,
                "\r\x1b[2K  … {} · {} in all",
                now.join(" · "),
                elapsed(self.began.elapsed())
            );
            let _ = out.flush();
        }
    }

    /// The closing block: where the console is, what the demo holds, where logs go, how
    /// to stop.
    fn ready(&self, base: &str, demo: &[String], backend_log: Option<&PathBuf>) {
        self.line(&format!(
            "\nRewind is running at {base}  (ready after {})",
            elapsed(self.began.elapsed())
        ));
        if !demo.is_empty() {
            self.line(
                "The demo (on the local emulator; its delivery figures are seeded, not measured):",
            );
            for item in demo {
                self.line(&format!("  · {item}"));
            }
        }
        match backend_log {
            Some(log) => self.line(&format!(
                "Request logs and audit records: {} (cargo xtask dev --verbose prints them here).",
                log.display()
            )),
            None => self.line("Request logs and audit records follow below (--verbose)."),
        }
        self.line("Ctrl-C stops the console, the stand-in and the emulator.");
    }
}

/// When `cargo xtask` began (the launcher says; xtask's own compile counts), else now.
fn launched() -> Instant {
    let now = Instant::now();
    let since = std::env::var("REWIND_XTASK_LAUNCHED_MS")
        .ok()
        .and_then(|ms| ms.parse::<u64>().ok())
        .and_then(|ms| {
            let epoch = std::time::UNIX_EPOCH + Duration::from_millis(ms);
            std::time::SystemTime::now().duration_since(epoch).ok()
        })
        .unwrap_or_default();
    now.checked_sub(since).unwrap_or(now)
}

/// `3m 02s`, `41s`, `0.4s`.
fn elapsed(took: Duration) -> String {
    let seconds = took.as_secs();
    if seconds < 10 {
        return format!("{:.1}s", took.as_secs_f64());
    }
    if seconds >= 60 {
        format!("{}m {:02}s", seconds / 60, seconds % 60)
    } else {
        format!("{seconds}s")
    }
}
