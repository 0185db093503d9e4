//! `cargo xtask bench`: builds everything in release mode, measures the payload, the
//! Lambda package, then runs `cargo bench -p rewind-backend` (backend overhead, cold
//! start, memory, time to first table, scale), prints one table and writes it to
//! `BENCHMARKS.md` with the machine and the date.

use crate::payload::{self, BROTLI_BUDGET_BYTES, BROTLI_TARGET_BYTES, thousands};
use crate::tools::{self, step};
use crate::{Result, benchmarks, deploy};
use anyhow::Context;
use serde_json::Value;

/// The targets next to each figure: issue 7's, tightened by issue 28 (the API's p50
/// beyond the HTTP round trip, cold start, memory, first table).
const TARGET_LIST_RATIO: f64 = 1.10;
const TARGET_DESCRIBE_RATIO: f64 = 1.05;
const TARGET_COLD_START_MS: f64 = 5.0;
const TARGET_BOOTSTRAP_BYTES: u64 = 12_000_000;
const TARGET_RSS_MIB: f64 = 12.0;
const TARGET_FIRST_TABLE_MS: f64 = 50.0;
/// Issue 38's: a 50-rule report's first read.
const TARGET_REPORT_MS: f64 = 1000.0;
const TARGET_REPORT_CALLS: u32 = 5;

pub fn run(with_lighthouse: bool) -> Result<()> {
    tools::ensure_venv()?;
    tools::ensure_browser()?;
    tools::ensure_frontend_tools()?;
    tools::trunk_build()?;
    let dist = tools::workspace_root().join("dist");
    let sizes = payload::measure(&dist)?;
    let floor = leptos_floor()?;
    let bootstrap = deploy::lambda_bootstrap_bytes()?;
    step("cargo bench -p rewind-backend (release)");
    let venv = tools::venv_dir();
    tools::run(
        "cargo",
        &["bench", "-p", "rewind-backend", "--bench", "rewind"],
        &[("REWIND_VENV", &venv.to_string_lossy())],
    )?;
    let figures_path = tools::target_dir().join("bench").join("figures.json");
    let figures: Value = std::fs::read(&figures_path)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .with_context(|| format!("{} is missing or unreadable", figures_path.display()))?;

    let total_brotli = sizes.last().map(|(_, s)| s.brotli).unwrap_or_default();
    let f = |path: &[&str]| -> f64 {
        path.iter()
            .fold(&figures, |v, k| &v[*k])
            .as_f64()
            .unwrap_or(f64::NAN)
    };
    let meets = |ok: bool| if ok { "yes" } else { "**no**" };
    let mut table = String::from("| figure | measured | target | met |\n|---|---:|---:|:-:|\n");
    table += &format!(
        "| 1. payload, brotli 11, total (budget {} B) | {} B | ≤ {} B | {} |\n",
        thousands(BROTLI_BUDGET_BYTES),
        thousands(total_brotli),
        thousands(BROTLI_TARGET_BYTES),
        meets(total_brotli <= BROTLI_TARGET_BYTES)
    );
    let floor_brotli = floor.last().map(|(_, s)| s.brotli).unwrap_or_default();
    table += &format!(
        "| 1. of which the stack's floor: `bench/leptos-floor` (six routes, one fetched table, one input; same crates, profile and flags) | {} B; the console's own code {} B | — | — |\n",
        thousands(floor_brotli),
        thousands(total_brotli.saturating_sub(floor_brotli)),
    );
    for (op, key, target) in [
        ("ListArchives", "listArchives", TARGET_LIST_RATIO),
        ("DescribeArchive", "describeArchive", TARGET_DESCRIBE_RATIO),
    ] {
        let beyond = f(&["overhead", key, "p50RatioBeyondRoundTrip"]);
        table += &format!(
            "| 2. {op}: SDK p50 / p95 → API p50 / p95 ({} calls each, interleaved) | {:.2} / {:.2} ms → {:.2} / {:.2} ms; p50 ratio {:.3} (p95 {:.3}); **{beyond:.3} beyond the round trip** | beyond the round trip ≤ {target:.2} | {} |\n",
            f(&["overhead", key, "calls"]),
            f(&["overhead", key, "sdkP50Ms"]),
            f(&["overhead", key, "sdkP95Ms"]),
            f(&["overhead", key, "apiP50Ms"]),
            f(&["overhead", key, "apiP95Ms"]),
            f(&["overhead", key, "p50Ratio"]),
            f(&["overhead", key, "p95Ratio"]),
            meets(beyond <= target)
        );
    }
    table += &format!(
        "| 2. the HTTP round trip alone: `GET /api/health`, same rounds (no EventBridge call) | p50 / p95 {:.3} / {:.3} ms | — | — |\n",
        f(&["overhead", "roundTripP50Ms"]),
        f(&["overhead", "roundTripP95Ms"]),
    );
    let cold = f(&["coldStartMedianMs"]);
    table += &format!(
        "| 3. cold start: process start → first 200 on /api/health, median of 20 | {cold:.1} ms | ≤ {TARGET_COLD_START_MS:.0} ms | {} |\n",
        meets(cold <= TARGET_COLD_START_MS)
    );
    table += &format!(
        "| 3. `bootstrap` arm64, stripped (cargo lambda) | {} B ({:.2} MB) | ≤ 12 MB | {} |\n",
        thousands(bootstrap),
        bootstrap as f64 / 1e6,
        meets(bootstrap <= TARGET_BOOTSTRAP_BYTES)
    );
    let rss = f(&["peakRssMib"]);
    table += &format!(
        "| 3. peak RSS after 1,000 requests | {rss:.1} MiB | ≤ {TARGET_RSS_MIB:.0} MiB | {} |\n",
        meets(rss <= TARGET_RSS_MIB)
    );
    if figures["baseline"].is_object() {
        table += &format!(
            "| 3. the same, `REWIND_BENCH_BASELINE`'s build, same run | cold start {:.1} ms (ratio now/baseline {:.2}); peak RSS {:.1} MiB (ratio {:.2}) | — | — |\n",
            f(&["baseline", "coldStartMedianMs"]),
            cold / f(&["baseline", "coldStartMedianMs"]),
            f(&["baseline", "peakRssMib"]),
            rss / f(&["baseline", "peakRssMib"]),
        );
    }
    table += &format!(
        "| 3. a read with the deployed audit trail (records to a CloudWatch Logs group on ministack) against the stdout trail, p50 / p95, interleaved | {:.2} / {:.2} ms against {:.2} / {:.2} ms: p50 ratio **{:.3}**{} | — | — |\n",
        f(&["auditedReads", "logGroupP50Ms"]),
        f(&["auditedReads", "logGroupP95Ms"]),
        f(&["auditedReads", "stdoutP50Ms"]),
        f(&["auditedReads", "stdoutP95Ms"]),
        f(&["auditedReads", "p50Ratio"]),
        if figures["baseline"]["auditedReads"].is_object() {
            format!(
                "; the baseline build, which waits for the intent record: {:.3}",
                f(&["baseline", "auditedReads", "p50Ratio"])
            )
        } else {
            String::new()
        },
    );
    let first = f(&["firstTable", "medianMs"]);
    table += &format!(
        "| 4. time to first table (navigation start → table painted, 100 archives), median of 20 warm loads | {first:.0} ms (boot.js ran at {:.0} ms, the wasm started at {:.0} ms, signed in at {:.0} ms) | ≤ {TARGET_FIRST_TABLE_MS:.0} ms | {} |\n",
        f(&["firstTable", "bootMs"]),
        f(&["firstTable", "wasmStartedMs"]),
        f(&["firstTable", "sessionMs"]),
        meets(first <= TARGET_FIRST_TABLE_MS)
    );
    if figures["firstTable"]["baseline"].is_object() {
        table += &format!(
            "| 4. the same, `REWIND_BENCH_BASELINE`'s build serving `REWIND_BENCH_BASELINE_DIST`, loads interleaved in one browser | {:.0} ms (boot.js {:.0} ms, the wasm started at {:.0} ms, signed in at {:.0} ms): ratio now/baseline **{:.2}** | — | — |\n",
            f(&["firstTable", "baseline", "medianMs"]),
            f(&["firstTable", "baseline", "bootMs"]),
            f(&["firstTable", "baseline", "wasmStartedMs"]),
            f(&["firstTable", "baseline", "sessionMs"]),
            first / f(&["firstTable", "baseline", "medianMs"]),
        );
    }
    let ratio = f(&["scale", "ratio"]);
    table += &format!(
        "| 5. scale: 10,000 archives, {} pages of 25; click → table painted, first 20 vs last 20 pages | {:.1} ms → {:.1} ms (ratio {ratio:.2}) | flat | {} |\n",
        f(&["scale", "pages"]),
        f(&["scale", "firstPagesMs"]),
        f(&["scale", "lastPagesMs"]),
        meets(ratio <= 1.25)
    );
    let report_ms = f(&["report50Rules", "current", "firstReadMedianMs"]);
    let report_calls = f(&["report50Rules", "current", "awsCalls"]);
    table += &format!(
        "| 6. a delivery report of 50 rules: first read (median of 5, a fresh process each), its AWS calls, a cached read | {report_ms:.1} ms, {report_calls:.0} calls ({}); cached {:.2} ms{} | ≤ {TARGET_REPORT_MS:.0} ms, ≤ {TARGET_REPORT_CALLS} calls | {} |\n",
        figures["report50Rules"]["current"]["operations"]
            .as_array()
            .map(|ops| ops
                .iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(", "))
            .unwrap_or_default(),
        f(&["report50Rules", "current", "cachedMedianMs"]),
        if figures["report50Rules"]["baseline"].is_object() {
            format!(
                "; `REWIND_BENCH_BASELINE`'s build: {:.1} ms, {}",
                f(&["report50Rules", "baseline", "firstReadMedianMs"]),
                figures["report50Rules"]["baseline"]["awsCalls"]
                    .as_u64()
                    .map_or_else(
                        || "its calls uncounted (its audit records no calls)".to_owned(),
                        |n| format!("{n} calls")
                    ),
            )
        } else {
            String::new()
        },
        meets(report_ms <= TARGET_REPORT_MS && report_calls <= f64::from(TARGET_REPORT_CALLS))
    );
    let payload_table = payload::table(&sizes);
    let lighthouse = if with_lighthouse {
        step("Lighthouse on every page (mobile and desktop presets)");
        crate::lighthouse::run()?
    } else {
        section_of(
            &std::fs::read_to_string(benchmarks::benchmarks_path())?,
            "lighthouse",
        )
    };
    println!("\n{table}\nPayload (dist/):\n{payload_table}");

    let report = include_str!("../BENCHMARKS.template.md")
        .replace("{machine}", &machine())
        .replace("{date}", &today())
        .replace("{table}", &table)
        .replace("{payload_table}", &payload_table)
        .replace("{lighthouse}", &lighthouse)
        .replace(
            "{dev_cold}",
            &section_of(
                &std::fs::read_to_string(benchmarks::benchmarks_path())?,
                "dev-cold",
            ),
        )
        .replace("{wasm_profile}", &benchmarks::wasm_profile()?)
        .replace("{budget}", &thousands(BROTLI_BUDGET_BYTES))
        .replace(
            "{calls}",
            &f(&["overhead", "listArchives", "calls"]).to_string(),
        );
    let path = tools::workspace_root().join("BENCHMARKS.md");
    std::fs::write(&path, report)
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
    println!("written to {}", path.display());
    Ok(())
}

/// Builds `bench/leptos-floor` as the console is built (into the same target directory)
/// and measures its `dist/`.
fn leptos_floor() -> Result<Vec<(&'static str, payload::Sizes)>> {
    step("Building the stack's floor (bench/leptos-floor, trunk build --release)");
    let dir = tools::workspace_root().join("bench").join("leptos-floor");
    let config = dir.join("Trunk.toml");
    let target = tools::target_dir();
    tools::run(
        "trunk",
        &["build", "--release", "--config", &config.to_string_lossy()],
        &[("CARGO_TARGET_DIR", &target.to_string_lossy())],
    )?;
    payload::measure(&dir.join("dist"))
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find_map(|l| l.strip_prefix("model name"))
                .map(|m| m.trim_start_matches([' ', '\t', ':']).to_owned())
        })
        .unwrap_or_else(|| "an unknown CPU".to_owned());
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let memory = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .find_map(|l| l.strip_prefix("MemTotal:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        })
        .map(|kib| format!("{:.0} GiB", kib / 1_048_576.0))
        .unwrap_or_default();
    format!("{cores} cores of {cpu}, {memory}")
}

fn today() -> String {
    tools::capture("date", &["-u", "+%Y-%m-%d %H:%M UTC"], &[])
        .map(|d| d.trim().to_owned())
        .unwrap_or_default()
}

/// What BENCHMARKS.md holds between `<!-- name -->` and `<!-- /name -->` (empty if none).
fn section_of(document: &str, name: &str) -> String {
    let open = format!("<!-- {name} -->\n");
    document
        .split_once(&open)
        .and_then(|(_, rest)| rest.split_once(&format!("<!-- /{name} -->")))
        .map(|(body, _)| body.to_owned())
        .unwrap_or_default()
}
