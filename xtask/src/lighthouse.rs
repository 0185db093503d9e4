//! Lighthouse (pinned in `bench/lighthouse/`, run in headless Chromium) on each of the
//! console's pages, mobile and desktop presets, against the release backend serving the
//! release build with the demo data — and, measured in the same run, the same pages
//! served without the precompressed copies (the baseline: what the server sent before)
//! and without the wasm's preload link.

use crate::Result;
use crate::tools::{self, step};
use anyhow::Context;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;
use testkit::{Emulator, EmulatorProcess, ProcessGroup};

/// Each page, as a person opens it (demo data from `testkit::seed`).
const PAGES: [(&str, &str); 6] = [
    ("Archives", "/archives"),
    ("Archive", "/archives/orders-all"),
    ("Create archive", "/archives/new"),
    ("Replays", "/replays"),
    ("Start replay", "/replays/new"),
    ("Replay", "/replays/orders-backfill-demo"),
];

/// One Lighthouse run's figures.
struct Scores {
    performance: f64,
    accessibility: f64,
    lcp_ms: f64,
    tbt_ms: f64,
}

/// Runs every page and returns the Markdown table for BENCHMARKS.md.
pub fn run() -> Result<String> {
    let dir = tools::workspace_root().join("bench").join("lighthouse");
    if !dir
        .join("node_modules")
        .join(".bin")
        .join("lighthouse")
        .exists()
    {
        step("Installing Lighthouse (npm, pinned in bench/lighthouse/package.json)");
        tools::run_command(
            tools::command("npm")
                .args(["ci", "--no-audit", "--no-fund"])
                .current_dir(&dir),
        )?;
    }
    tools::run(
        "cargo",
        &["build", "--release", "-p", "rewind-backend"],
        &[],
    )?;
    let dist = tools::workspace_root().join("dist");
    let plain = uncompressed_copy(&dist)?;
    let no_preload = copy_without_wasm_preload(&dist)?;
    let runtime = tokio::runtime::Runtime::new()?;
    let emulator = runtime.block_on(async {
        let emulator = EmulatorProcess::launch(Emulator::Ministack, None)
            .await
            .map_err(anyhow::Error::msg)?;
        testkit::seed::demo_data(&emulator.endpoint())
            .await
            .map_err(anyhow::Error::msg)?;
        anyhow::Ok(emulator)
    })?;
    let compressed = Backend::start(&runtime, &emulator.endpoint(), &dist)?;
    let baseline = Backend::start(&runtime, &emulator.endpoint(), &plain)?;
    let unpreloaded = Backend::start(&runtime, &emulator.endpoint(), &no_preload)?;

    let mut table = String::from(
        "| page | mobile perf. | mobile LCP | mobile TBT | desktop perf. | accessibility | mobile perf., uncompressed (baseline) | its LCP | mobile LCP without the wasm preload |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    for (name, path) in PAGES {
        step(&format!("Lighthouse: {name} ({path})"));
        let mobile = lighthouse(&dir, &format!("{}{path}", compressed.base), false)?;
        let desktop = lighthouse(&dir, &format!("{}{path}", compressed.base), true)?;
        let before = lighthouse(&dir, &format!("{}{path}", baseline.base), false)?;
        let late = lighthouse(&dir, &format!("{}{path}", unpreloaded.base), false)?;
        table += &format!(
            "| {name} `{path}` | {:.0} | {:.1} s | {:.0} ms | {:.0} | {:.0} | {:.0} | {:.1} s | {:.1} s |\n",
            mobile.performance,
            mobile.lcp_ms / 1000.0,
            mobile.tbt_ms,
            desktop.performance,
            mobile.accessibility.min(desktop.accessibility),
            before.performance,
            before.lcp_ms / 1000.0,
            late.lcp_ms / 1000.0,
        );
    }
    drop((compressed, baseline, unpreloaded, emulator));
    let _ = std::fs::remove_dir_all(&plain);
    let _ = std::fs::remove_dir_all(&no_preload);
    println!("\n{table}");
    Ok(table)
}

/// A copy of `dist/` named `name`, with the files `keep` accepts (by file name).
fn copy_of_dist(dist: &Path, name: &str, keep: impl Fn(&str) -> bool) -> Result<PathBuf> {
    let copy = tools::target_dir().join("bench").join(name);
    let _ = std::fs::remove_dir_all(&copy);
    std::fs::create_dir_all(&copy)?;
    for entry in std::fs::read_dir(dist)?.flatten() {
        let file = entry.file_name().to_string_lossy().into_owned();
        if entry.path().is_file() && keep(&file) {
            std::fs::copy(entry.path(), copy.join(&file))?;
        }
    }
    Ok(copy)
}

/// `dist/` without its `.br` and `.gz` copies.
fn uncompressed_copy(dist: &Path) -> Result<PathBuf> {
    copy_of_dist(dist, "dist-uncompressed", |file| {
        !file.ends_with(".br") && !file.ends_with(".gz")
    })
}

/// `dist/` with the `<link rel="preload">` of the wasm taken out of `index.html` (and
/// `index.html`'s compressed copies, which still have it): does the preload help?
fn copy_without_wasm_preload(dist: &Path) -> Result<PathBuf> {
    let copy = copy_of_dist(dist, "dist-no-preload", |file| {
        !file.starts_with("index.html.")
    })?;
    let index = std::fs::read_to_string(copy.join("index.html"))?;
    let without = index
        .split('<')
        .filter(|tag| !(tag.starts_with("link") && tag.contains("rel=preload")))
        .collect::<Vec<_>>()
        .join("<");
    anyhow::ensure!(
        without != index,
        "index.html has no wasm preload to take out"
    );
    std::fs::write(copy.join("index.html"), without)?;
    Ok(copy)
}

/// The release backend on a free port, serving `static_dir`.
struct Backend {
    base: String,
    _process: ProcessGroup,
}

impl Backend {
    fn start(runtime: &tokio::runtime::Runtime, endpoint: &str, static_dir: &Path) -> Result<Self> {
        let port = testkit::free_port()?;
        let process = ProcessGroup::spawn(
            "rewind",
            Command::new(tools::target_dir().join("release").join("rewind"))
                .env("REWIND_LISTEN", format!("127.0.0.1:{port}"))
                .env("REWIND_EVENTBRIDGE_ENDPOINT", endpoint)
                .env("REWIND_STATIC_DIR", static_dir)
                .env("RUST_LOG", "error")
                .stdout(Stdio::null()),
        )?;
        let base = format!("http://127.0.0.1:{port}");
        runtime.block_on(testkit::wait::until_answering(
            &format!("{base}/api/health"),
            Duration::from_secs(20),
        ))?;
        Ok(Self {
            base,
            _process: process,
        })
    }
}

/// One Lighthouse run (mobile preset unless `desktop`), performance and accessibility.
fn lighthouse(dir: &Path, url: &str, desktop: bool) -> Result<Scores> {
    let report = tools::target_dir().join("bench").join("lighthouse.json");
    let mut command = tools::command(
        &dir.join("node_modules")
            .join(".bin")
            .join("lighthouse")
            .to_string_lossy(),
    );
    command
        .arg(url)
        .arg("--quiet")
        .arg(
            "--chrome-flags=--headless=new --no-sandbox --disable-gpu --disable-quic \
             --no-first-run --disable-background-networking --disable-component-update \
             --disable-sync",
        )
        .arg("--only-categories=performance,accessibility")
        .arg("--output=json")
        .arg(format!("--output-path={}", report.display()))
        .env(
            "CHROME_PATH",
            std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".to_owned()),
        );
    if desktop {
        command.arg("--preset=desktop");
    }
    tools::run_command(&mut command)?;
    let json: Value = serde_json::from_slice(&std::fs::read(&report)?)
        .with_context(|| format!("{} is not Lighthouse's JSON", report.display()))?;
    if let Some(error) = json["runtimeError"]["message"].as_str() {
        anyhow::bail!("Lighthouse could not measure {url}: {error}");
    }
    let score = |category: &str| {
        json["categories"][category]["score"]
            .as_f64()
            .unwrap_or(0.0)
            * 100.0
    };
    let audit = |name: &str| {
        json["audits"][name]["numericValue"]
            .as_f64()
            .unwrap_or(f64::NAN)
    };
    Ok(Scores {
        performance: score("performance"),
        accessibility: score("accessibility"),
        lcp_ms: audit("largest-contentful-paint"),
        tbt_ms: audit("total-blocking-time"),
    })
}
