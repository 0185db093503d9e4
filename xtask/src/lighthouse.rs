//! `cargo xtask lighthouse`: Lighthouse (pinned in `bench/lighthouse/`, headless
//! Chromium) on every page of the console, the release backend serving the release build
//! with the demo data.
//!
//! - Mobile preset three times per page (median and spread), desktop once; with the run's
//!   Chromium version and `benchmarkIndex` (the CPU speed the 4× throttling scales).
//! - One more mobile run per page with Chromium's own throttling (4× CPU, slow 4G), whose
//!   trace is real time: its long tasks are named by the `rewind:` marks of start-up's
//!   phases (`frontend/boot.js`, `frontend/src/perf.rs`).
//!
//! Every run's JSON stays in `target/bench/lighthouse/`.

use crate::Result;
use crate::tools::{self, step};
use anyhow::Context;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;
use testkit::{Emulator, EmulatorProcess, ProcessGroup};

/// Each page, as a person opens it (demo data from `testkit::seed`).
const PAGES: [(&str, &str); 15] = [
    ("Now", "/"),
    ("Archives", "/archives"),
    ("Archive", "/archives/orders-all"),
    ("Create archive", "/archives/new"),
    ("Peek", "/archives/orders-all/peek"),
    ("Replays", "/replays"),
    ("Start replay", "/replays/new"),
    ("Replay", "/replays/orders-backfill-demo"),
    ("Jobs", "/jobs"),
    ("Job", "/jobs/orders-nightly-demo"),
    ("Custom buses", "/custom-buses"),
    ("Custom bus", "/custom-buses/orders-v2"),
    ("Replay to subscribers", "/v2-replays/new?bus=orders-v2"),
    ("v2 replay", "/v2-replays/orders-v2-audit-demo"),
    ("Not found", "/no-such-page"),
];

/// Mobile runs per page; the table gives their median and spread.
const RUNS: usize = 3;

/// Start-up's phases: the mark that opens each, and what happens in it.
const PHASES: [(&str, &str); 6] = [
    ("", "parse the document and the CSS"),
    ("rewind:boot", "load the wasm-bindgen glue"),
    ("rewind:glue", "fetch, compile and instantiate the wasm"),
    ("rewind:main", "first render (sign-in check pending)"),
    ("rewind:mounted", "sign-in check: config.json"),
    (
        "rewind:session",
        "the console and the page: fetch, parse, render",
    ),
];

/// One Lighthouse run's figures.
struct Run {
    performance: f64,
    accessibility: f64,
    fcp_ms: f64,
    lcp_ms: f64,
    tbt_ms: f64,
    cls: f64,
    benchmark_index: f64,
    chromium: String,
    lcp_element: String,
}

/// A long task of a traced run, named by the phases it overlaps.
struct LongTask {
    page: &'static str,
    start_ms: f64,
    duration_ms: f64,
    name: String,
}

/// Runs every page and returns the Markdown for BENCHMARKS.md.
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
    let reports = tools::target_dir().join("bench").join("lighthouse");
    let _ = std::fs::remove_dir_all(&reports);
    std::fs::create_dir_all(&reports)?;
    let dist = tools::workspace_root().join("dist");
    let runtime = tokio::runtime::Runtime::new()?;
    let emulator = runtime.block_on(async {
        let emulator = EmulatorProcess::launch(Emulator::Ministack, None)
            .await
            .map_err(anyhow::Error::msg)?;
        testkit::seed::demo_data(&emulator.endpoint())
            .await
            .map_err(anyhow::Error::msg)?;
        // The Custom Event Bus pages against the project's stand-in, as `cargo xtask dev`.
        let (v2, _) = testkit::custom_bus::demo_stand_in(&emulator.endpoint())
            .await
            .map_err(anyhow::Error::msg)?;
        anyhow::Ok((emulator, v2))
    })?;
    let (emulator, v2) = emulator;
    let backend = Backend::start(&runtime, &emulator.endpoint(), v2.endpoint(), &dist)?;
    runtime.block_on(async {
        testkit::custom_bus::demo_replay(&backend.base)
            .await
            .map_err(anyhow::Error::msg)?;
        testkit::seed::demo_jobs(&backend.base)
            .await
            .map_err(anyhow::Error::msg)?;
        testkit::seed::demo_figures(&emulator.endpoint(), &backend.base)
            .await
            .map_err(anyhow::Error::msg)
    })?;

    // REWIND_LIGHTHOUSE_SERVE=1: serve what Lighthouse measures, and wait (to look at a
    // page's paints with other tools); stop it with Ctrl-C.
    if std::env::var_os("REWIND_LIGHTHOUSE_SERVE").is_some() {
        println!(
            "Serving the measured console at {} (Ctrl-C stops it)",
            backend.base
        );
        loop {
            std::thread::sleep(Duration::from_secs(3600));
        }
    }
    let mut table = String::from(
        "| page | mobile perf. median (spread) | TBT median (spread) | LCP median (spread) | FCP | CLS | LCP element | desktop perf. | accessibility |\n|---|---:|---:|---:|---:|---:|---|---:|---:|\n",
    );
    let mut all_runs = Vec::new();
    let mut long_tasks = Vec::new();
    // REWIND_LIGHTHOUSE_ONLY="Now,Archives": those pages alone, for quick iterations
    // (the section is then printed, not written).
    let only = std::env::var("REWIND_LIGHTHOUSE_ONLY").ok();
    let chosen = |page: &str| {
        only.as_deref()
            .is_none_or(|names| names.split(',').any(|n| n.trim() == page))
    };
    for (page, path) in PAGES.into_iter().filter(|(page, _)| chosen(page)) {
        step(&format!("Lighthouse: {page} ({path})"));
        let url = format!("{}{path}", backend.base);
        let slug = path.trim_start_matches('/').replace('/', "-");
        let mut mobile = Vec::new();
        for n in 1..=RUNS {
            let report = reports.join(format!("{slug}-mobile-{n}.json"));
            mobile.push(Run::from(&lighthouse(&dir, &url, &report, &[])?));
        }
        let desktop = Run::from(&lighthouse(
            &dir,
            &url,
            &reports.join(format!("{slug}-desktop.json")),
            &["--preset=desktop"],
        )?);
        let traced = lighthouse(
            &dir,
            &url,
            &reports.join(format!("{slug}-mobile-traced.json")),
            &["--throttling-method=devtools"],
        )?;
        long_tasks.extend(named_long_tasks(page, &traced));
        let figure = |f: fn(&Run) -> f64| spread(mobile.iter().map(f).collect());
        let (perf, perf_low, perf_high) = figure(|r| r.performance);
        let (tbt, tbt_low, tbt_high) = figure(|r| r.tbt_ms);
        let (lcp, lcp_low, lcp_high) = figure(|r| r.lcp_ms);
        let (fcp, _, _) = figure(|r| r.fcp_ms);
        let (cls, _, _) = figure(|r| r.cls);
        let accessibility = mobile
            .iter()
            .map(|r| r.accessibility)
            .fold(desktop.accessibility, f64::min);
        let lcp_element = mobile
            .first()
            .map(|r| r.lcp_element.clone())
            .unwrap_or_default();
        table += &format!(
            "| {page} `{path}` | **{perf:.0}** ({perf_low:.0}–{perf_high:.0}) | {tbt:.0} ms ({tbt_low:.0}–{tbt_high:.0}) | {:.2} s ({:.2}–{:.2}) | {:.2} s | {cls:.3} | {lcp_element} | {:.0} | {accessibility:.0} |\n",
            lcp / 1000.0,
            lcp_low / 1000.0,
            lcp_high / 1000.0,
            fcp / 1000.0,
            desktop.performance,
        );
        all_runs.extend(mobile);
        all_runs.push(desktop);
    }
    drop((backend, emulator));

    let chromium = all_runs
        .first()
        .map(|r| r.chromium.clone())
        .unwrap_or_default();
    let (index, index_low, index_high) =
        spread(all_runs.iter().map(|r| r.benchmark_index).collect());
    let mut markdown = format!(
        "Lighthouse 12.8.2, {chromium}, `benchmarkIndex` median {index:.0} ({index_low:.0}–{index_high:.0}) over the {} runs; mobile preset {RUNS} times per page (simulated slow 4G and 4× CPU), desktop once.\n\n{table}",
        all_runs.len()
    );
    long_tasks.sort_by(|a, b| b.duration_ms.total_cmp(&a.duration_ms));
    markdown += "\n### The longest tasks on the main thread\n\nOne mobile run per page with Chromium's own throttling (4× CPU, slow 4G), so that the trace is in real time; each task is named by the start-up phases (`rewind:` marks) it overlaps. Top 10 of all pages:\n\n| page | starts at | task | what runs in it |\n|---|---:|---:|---|\n";
    for task in long_tasks.iter().take(10) {
        markdown += &format!(
            "| {} | {:.0} ms | {:.0} ms | {} |\n",
            task.page, task.start_ms, task.duration_ms, task.name
        );
    }
    let blocking: f64 = long_tasks
        .iter()
        .map(|t| (t.duration_ms - 50.0).max(0.0))
        .sum();
    markdown += &format!(
        "\n{} long tasks over the {} traced loads; their time beyond 50 ms adds up to {blocking:.0} ms.\n",
        long_tasks.len(),
        PAGES.len()
    );
    println!("\n{markdown}");
    Ok(markdown)
}

/// Median, lowest and highest.
fn spread(mut values: Vec<f64>) -> (f64, f64, f64) {
    values.sort_by(f64::total_cmp);
    let median = values.get(values.len() / 2).copied().unwrap_or(f64::NAN);
    let low = values.first().copied().unwrap_or(f64::NAN);
    let high = values.last().copied().unwrap_or(f64::NAN);
    (median, low, high)
}

impl Run {
    fn from(json: &Value) -> Self {
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
        let user_agent = json["environment"]["hostUserAgent"]
            .as_str()
            .unwrap_or_default();
        let chromium = user_agent
            .split_whitespace()
            .find_map(|part| part.strip_prefix("HeadlessChrome/"))
            .or_else(|| {
                user_agent
                    .split_whitespace()
                    .find_map(|part| part.strip_prefix("Chrome/"))
            })
            .map(|version| format!("Chromium {version}"))
            .unwrap_or_else(|| "Chromium (version unknown)".to_owned());
        let lcp_element = json["audits"]["largest-contentful-paint-element"]["details"]["items"][0]
            ["items"][0]["node"]["selector"]
            .as_str()
            .map(|selector| format!("`{selector}`"))
            .unwrap_or_else(|| "—".to_owned());
        Self {
            performance: score("performance"),
            accessibility: score("accessibility"),
            fcp_ms: audit("first-contentful-paint"),
            lcp_ms: audit("largest-contentful-paint"),
            tbt_ms: audit("total-blocking-time"),
            cls: audit("cumulative-layout-shift"),
            benchmark_index: json["environment"]["benchmarkIndex"]
                .as_f64()
                .unwrap_or(f64::NAN),
            chromium,
            lcp_element,
        }
    }
}

/// The traced run's long tasks, each named by the phases it overlaps (with how long it
/// spends in each when more than one).
fn named_long_tasks(page: &'static str, json: &Value) -> Vec<LongTask> {
    let marks: Vec<(String, f64)> = json["audits"]["user-timings"]["details"]["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|item| item["timingType"] == "Mark")
        .filter_map(|item| {
            Some((
                item["name"].as_str()?.to_owned(),
                item["startTime"].as_f64()?,
            ))
        })
        .collect();
    // Each phase runs from its mark to the next phase's mark (or on to the end).
    let starts: Vec<(f64, &str)> = PHASES
        .iter()
        .filter_map(|(mark, what)| {
            if mark.is_empty() {
                return Some((0.0, *what));
            }
            marks
                .iter()
                .find(|(name, _)| name == mark)
                .map(|(_, at)| (*at, *what))
        })
        .collect();
    json["audits"]["long-tasks"]["details"]["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|task| {
            let start = task["startTime"].as_f64()?;
            let duration = task["duration"].as_f64()?;
            let end = start + duration;
            let mut parts = Vec::new();
            for (i, (from, what)) in starts.iter().enumerate() {
                let to = starts.get(i + 1).map_or(f64::INFINITY, |(at, _)| *at);
                let overlap = end.min(to) - start.max(*from);
                if overlap > 0.5 {
                    parts.push((*what, overlap));
                }
            }
            let name = match parts.as_slice() {
                [] => "(before navigation)".to_owned(),
                [(what, _)] => (*what).to_owned(),
                _ => parts
                    .iter()
                    .map(|(what, ms)| format!("{what} ({ms:.0} ms)"))
                    .collect::<Vec<_>>()
                    .join(" + "),
            };
            let script = task["url"]
                .as_str()
                .filter(|url| url.contains("://"))
                .and_then(|url| url.rsplit('/').next())
                .map(|file| match short_file(file) {
                    document if !file.contains('.') => format!("; in {document}"),
                    file => format!("; in `{file}`"),
                })
                .unwrap_or_default();
            Some(LongTask {
                page,
                start_ms: start,
                duration_ms: duration,
                name: format!("{name}{script}"),
            })
        })
        .collect()
}

/// `rewind-frontend-1a2b3c_bg.wasm` → `rewind-frontend_bg.wasm`: hashes vary per build.
/// A page's own URL (no extension) is "the document".
fn short_file(file: &str) -> String {
    let Some((stem, extension)) = file.split_once('.') else {
        return "the document".to_owned();
    };
    let stem = stem.replace("_bg", "");
    let without_hash = match stem.rsplit_once('-') {
        Some((name, hash)) if hash.len() >= 8 && hash.chars().all(|c| c.is_ascii_hexdigit()) => {
            name.to_owned()
        }
        _ => stem.clone(),
    };
    let bg = if file.contains("_bg") { "_bg" } else { "" };
    format!("{without_hash}{bg}.{extension}")
}

/// The release backend on a free port, serving `static_dir`.
struct Backend {
    base: String,
    _process: ProcessGroup,
}

impl Backend {
    fn start(
        runtime: &tokio::runtime::Runtime,
        endpoint: &str,
        v2_endpoint: &str,
        static_dir: &Path,
    ) -> Result<Self> {
        let port = testkit::free_port()?;
        let process = ProcessGroup::spawn(
            "rewind",
            Command::new(tools::target_dir().join("release").join("rewind"))
                .env("REWIND_LISTEN", format!("127.0.0.1:{port}"))
                .env("REWIND_EVENTBRIDGE_ENDPOINT", endpoint)
                .env("REWIND_EVENTBRIDGEV2_ENDPOINT", v2_endpoint)
                .env(
                    "REWIND_TARGET_ROLE_ARNS",
                    testkit::custom_bus::DEMO_SUBSCRIBER_ROLE,
                )
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

/// One Lighthouse run (mobile preset unless `extra` says otherwise), performance and
/// accessibility; its JSON is kept at `report`.
fn lighthouse(dir: &Path, url: &str, report: &PathBuf, extra: &[&str]) -> Result<Value> {
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
        .args(extra)
        .env(
            "CHROME_PATH",
            std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".to_owned()),
        );
    tools::run_command(&mut command)?;
    let json: Value = serde_json::from_slice(&std::fs::read(report)?)
        .with_context(|| format!("{} is not Lighthouse's JSON", report.display()))?;
    if let Some(error) = json["runtimeError"]["message"].as_str() {
        anyhow::bail!("Lighthouse could not measure {url}: {error}");
    }
    Ok(json)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_named_without_their_hash() {
        assert_eq!(
            short_file("rewind-frontend-cecb9b08f90e8d99.js"),
            "rewind-frontend.js"
        );
        assert_eq!(
            short_file("rewind-frontend-cecb9b08f90e8d99_bg.wasm"),
            "rewind-frontend_bg.wasm"
        );
        assert_eq!(short_file("archives"), "the document");
    }

    #[test]
    fn the_median_and_the_spread() {
        assert_eq!(spread(vec![3.0, 1.0, 2.0]), (2.0, 1.0, 3.0));
    }
}
