//! The reliability checks `cargo xtask test` runs after the test suites
//! (docs/reliability.md): the parsers under libFuzzer, the API under schemathesis, and the API
//! under load. Each can also be run alone, longer: `cargo xtask fuzz|schema-fuzz|load`.

use crate::Result;
use crate::tools::{self, step};
use std::time::{Duration, Instant};
use testkit::stats::{peak_rss_kib, percentile};

/// One cargo-fuzz target per family of `shared/` parsers (fuzz/fuzz_targets/).
pub const FUZZ_TARGETS: &[&str] = &[
    "names",
    "arns",
    "event_pattern",
    "time_window",
    "query_strings",
    "request_bodies",
    "groups_claim",
];
pub const CARGO_FUZZ_VERSION: &str = "0.13.2";
/// Generated cases schemathesis must reach, at the least.
const SCHEMA_CASES_FLOOR: u64 = 2_000;

/// Runs every fuzz target for `seconds`, two at a time (one per core). The pinned stable
/// toolchain builds with libFuzzer's instrumentation through `RUSTC_BOOTSTRAP`; no
/// sanitizer is needed, `shared` has no unsafe code, and a panic is what is looked for.
pub fn fuzz(seconds: u64) -> Result<()> {
    tools::cargo_install("cargo-fuzz", "cargo-fuzz", CARGO_FUZZ_VERSION, true)?;
    step("Building the fuzz targets (cargo fuzz build)");
    let env = [("RUSTC_BOOTSTRAP", "1")];
    tools::run(
        "cargo",
        &["fuzz", "build", "--sanitizer", "none", "--release"],
        &env,
    )?;
    step(&format!(
        "Fuzzing the shared parsers: {} targets, {seconds} s each",
        FUZZ_TARGETS.len()
    ));
    let max_time = format!("-max_total_time={seconds}");
    // Each target's corpus lives beside the cached tools, so short runs add up from one
    // run of the test command to the next instead of starting over in a fresh clone.
    let corpora = tools::tools_root().join("fuzz-corpus");
    for pair in FUZZ_TARGETS.chunks(2) {
        let children: Vec<_> = pair
            .iter()
            .map(|target| {
                let corpus = corpora.join(target);
                let _ = std::fs::create_dir_all(&corpus);
                tools::command("cargo")
                    .args(["fuzz", "run", "--sanitizer", "none", "--release", target])
                    .arg(&corpus)
                    .arg("--")
                    .args([max_time.as_str(), "-timeout=10", "-rss_limit_mb=2048"])
                    .envs(env)
                    .stdout(std::process::Stdio::piped())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .map(|child| (*target, child))
                    .map_err(|e| anyhow::anyhow!("cannot run cargo fuzz: {e}"))
            })
            .collect::<Result<_>>()?;
        for (target, child) in children {
            let out = child.wait_with_output()?;
            let log = String::from_utf8_lossy(&out.stderr);
            let done = log
                .lines()
                .find(|l| l.starts_with("Done "))
                .unwrap_or("(no summary)");
            println!("    {target:<15} {done}");
            if !out.status.success() {
                return Err(anyhow::anyhow!(
                    "fuzz target {target} failed (the crashing input is under fuzz/artifacts/{target}/):\n{}",
                    log.lines()
                        .rev()
                        .take(40)
                        .collect::<Vec<_>>()
                        .into_iter()
                        .rev()
                        .collect::<Vec<_>>()
                        .join("\n")
                ));
            }
        }
    }
    Ok(())
}

/// A ministack with the demo data, the Custom Event Bus stand-in with its demo bus, and
/// the debug backend on free ports.
struct LocalStack {
    _emulator: testkit::EmulatorProcess,
    _v2: testkit::eventsv2::EventsV2,
    backend: tokio::process::Child,
    base: String,
}

impl LocalStack {
    async fn start() -> Result<Self> {
        tools::run("cargo", &["build", "-q", "-p", "rewind-backend"], &[])?;
        let emulator = testkit::EmulatorProcess::launch(testkit::Emulator::Ministack, None)
            .await
            .map_err(anyhow::Error::msg)?;
        testkit::seed::demo_data(&emulator.endpoint())
            .await
            .map_err(anyhow::Error::msg)?;
        // No emulator models the Custom Event Bus: its routes meet the stand-in, as in
        // `cargo xtask dev`, never a real endpoint.
        let (v2, _) = testkit::custom_bus::demo_stand_in(&emulator.endpoint())
            .await
            .map_err(anyhow::Error::msg)?;
        let port = testkit::free_port().map_err(|e| anyhow::anyhow!("no free port: {e}"))?;
        let backend =
            tokio::process::Command::new(tools::target_dir().join("debug").join("rewind"))
                .env("REWIND_LISTEN", format!("127.0.0.1:{port}"))
                .env("REWIND_EVENTBRIDGE_ENDPOINT", emulator.endpoint())
                .env("REWIND_EVENTBRIDGEV2_ENDPOINT", v2.endpoint())
                .env(
                    "REWIND_TARGET_ROLE_ARNS",
                    testkit::custom_bus::DEMO_SUBSCRIBER_ROLE,
                )
                .env("REWIND_STATIC_DIR", tools::workspace_root().join("dist"))
                .env("RUST_LOG", "error")
                .stdout(std::process::Stdio::null())
                .kill_on_drop(true)
                .spawn()
                .map_err(|e| anyhow::anyhow!("cannot start the backend: {e}"))?;
        let base = format!("http://127.0.0.1:{port}");
        testkit::wait::until_answering(&format!("{base}/api/health"), Duration::from_secs(20))
            .await?;
        Ok(Self {
            _emulator: emulator,
            _v2: v2,
            backend,
            base,
        })
    }

    fn pid(&self) -> Option<u32> {
        self.backend.id()
    }
}

/// schemathesis against the backend's own OpenAPI document, every operation, every phase.
pub fn schema_fuzz(examples_per_operation: u32) -> Result<()> {
    tools::ensure_venv()?;
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        let stack = LocalStack::start().await?;
        step("Schema fuzzing the API with schemathesis (all operations, all phases)");
        let schemathesis = tools::venv_dir().join("bin").join("schemathesis");
        let report = tools::workspace_root().join("target").join("schemathesis");
        let max_examples = examples_per_operation.to_string();
        let config = tools::workspace_root().join("xtask").join("schemathesis.toml");
        let mut command = tools::command(&schemathesis.to_string_lossy());
        command
            .args(["--config-file", &config.to_string_lossy()])
            .args(["run", &format!("{}/api/openapi.json", stack.base)]);
        // Replays a run: the seed schemathesis printed for it.
        if let Ok(seed) = std::env::var("REWIND_SCHEMATHESIS_SEED") {
            command.args(["--seed", &seed]);
        }
        command
            // Every check but positive_data_acceptance: the schema cannot say that a
            // pattern must be a JSON object, that a window's start precedes its end, or
            // that one list filter excludes the others, so schema-valid requests are
            // rightly refused with a 400 naming the field.
            .args(["--checks", "all", "--exclude-checks", "positive_data_acceptance"])
            .args(["--max-examples", &max_examples])
            // One worker: CPython 3.11's ast module is not thread-safe under hypothesis.
            .args(["--workers", "1", "--request-timeout", "10"])
            .args(["--report", "junit", "--report-dir", &report.to_string_lossy()])
            .env("NO_COLOR", "1");
        // A blocking wait, handed off so the runtime's other tasks (the v2 stand-in)
        // keep answering.
        let out = tokio::task::block_in_place(|| command.output())
            .map_err(|e| anyhow::anyhow!("cannot run schemathesis: {e}"))?;
        let text = String::from_utf8_lossy(&out.stdout);
        println!("{text}");
        let generated = text
            .lines()
            .find_map(|l| {
                let (n, _) = l.trim().split_once(" generated")?;
                n.trim().parse::<u64>().ok()
            })
            .unwrap_or(0);
        if !out.status.success() {
            return Err(anyhow::anyhow!(
                "schemathesis found failures (above; JUnit report in {})",
                report.display()
            ));
        }
        if generated < SCHEMA_CASES_FLOOR {
            return Err(anyhow::anyhow!(
                "schemathesis generated only {generated} cases (at least {SCHEMA_CASES_FLOOR} wanted)"
            ));
        }
        println!("    schemathesis: {generated} cases, no failures");
        Ok(())
    })
}

/// The figures of one load run.
pub struct LoadReport {
    pub requests: u64,
    pub per_second: f64,
    pub p50: Duration,
    pub p99: Duration,
    pub unavailable: u64,
    pub server_errors: u64,
    pub peak_rss_mib: f64,
}

/// `clients` concurrent clients for `duration`, alternating ListArchives and
/// DescribeArchive through the API on ministack. Fails on any 5xx but an upstream 503,
/// on any transport error, and on a peak RSS over `rss_ceiling_mib`.
pub fn load(clients: usize, duration: Duration, rss_ceiling_mib: f64) -> Result<LoadReport> {
    tools::ensure_venv()?;
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        let stack = LocalStack::start().await?;
        step(&format!(
            "Load: {clients} clients for {} s on list and describe",
            duration.as_secs()
        ));
        let started = Instant::now();
        let results = testkit::load::hammer(
            &stack.base,
            &["/api/archives", "/api/archives/orders-all"],
            clients,
            duration,
        )
        .await
        .map_err(anyhow::Error::msg)?;
        let elapsed = started.elapsed();
        let peak_rss_mib = stack.pid().and_then(peak_rss_kib).unwrap_or(0) as f64 / 1024.0;
        let mut latencies: Vec<Duration> = results.iter().map(|(_, d)| *d).collect();
        let report = LoadReport {
            requests: results.len() as u64,
            per_second: results.len() as f64 / elapsed.as_secs_f64(),
            p50: percentile(&mut latencies, 0.50),
            p99: percentile(&mut latencies, 0.99),
            unavailable: results.iter().filter(|(s, _)| *s == 503).count() as u64,
            server_errors: results
                .iter()
                .filter(|(s, _)| *s >= 500 && *s != 503)
                .count() as u64,
            peak_rss_mib,
        };
        let transport = results.iter().filter(|(s, _)| *s == 0).count();
        let ok = results.iter().filter(|(s, _)| *s == 200).count();
        println!(
            "    {} requests, {:.0}/s, p50 {:.1} ms, p99 {:.1} ms; {ok} OK, {} upstream 503, {} other 5xx, {transport} transport errors; backend peak RSS {:.1} MiB",
            report.requests,
            report.per_second,
            report.p50.as_secs_f64() * 1e3,
            report.p99.as_secs_f64() * 1e3,
            report.unavailable,
            report.server_errors,
            report.peak_rss_mib,
        );
        if report.server_errors > 0 || transport > 0 {
            return Err(anyhow::anyhow!("the API failed under load (see above)"));
        }
        if ok == 0 {
            return Err(anyhow::anyhow!("no request succeeded under load"));
        }
        if report.peak_rss_mib > rss_ceiling_mib {
            return Err(anyhow::anyhow!(
                "the backend's peak RSS {:.1} MiB is over the {rss_ceiling_mib} MiB ceiling",
                report.peak_rss_mib
            ));
        }
        Ok(report)
    })
}
