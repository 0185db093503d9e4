//! Rewind's benchmarks, run by `cargo xtask bench` (docs/benchmarks.md) after it has
//! built the console and measured the payload: the backend's overhead over calling
//! EventBridge straight, its cold start and memory, the console's time to first table,
//! and paging through 10,000 archives. Release build (the bench profile), the real
//! backend binary, ministack, headless Chromium. Figures go to stdout and to
//! `target/bench/figures.json`; every comparison is a ratio measured in the same run.
// A test that cannot set itself up should stop loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::{Value, json};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use testkit::app::{Emulator, EmulatorProcess, HEALTH, Operation, path, test_settings};
use testkit::console::{self as harness, Browser, with_light_browser};
use testkit::standin as standin_server;

const OVERHEAD_CALLS: usize = 400;
const COLD_STARTS: usize = 20;
const RSS_REQUESTS: usize = 1_000;
const FIRST_TABLE_RUNS: usize = 20;
const SCALE_ARCHIVES: usize = 10_000;
/// What the Archives page marks when its table is painted (frontend/src/perf.rs).
const TABLE_MARK: &str = "rewind:archives-table";

fn main() {
    // `cargo bench` passes `--bench`; any other argument would be a filter we do not take.
    // One thread, as the backend itself runs: a multi-thread client hands each response
    // between worker threads, which on two cores doubled the cost of an HTTP round trip
    // (0.17 vs 0.08 ms) and charged it to Rewind.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let figures = runtime.block_on(run());
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .map(|t| t.join("bench"))
        .expect("target dir");
    std::fs::create_dir_all(&dir).expect("bench dir");
    let path = dir.join("figures.json");
    std::fs::write(&path, serde_json::to_string_pretty(&figures).expect("json"))
        .expect("write figures");
    println!("\nfigures written to {}", path.display());
}

async fn run() -> Value {
    let emulator = EmulatorProcess::start(Emulator::Ministack).await;
    let sdk = sdk_client(&emulator.endpoint()).await;
    let bus = "arn:aws:events:us-east-1:000000000000:event-bus/default";
    for i in 0..100 {
        sdk.create_archive()
            .archive_name(format!("bench-{i:03}"))
            .event_source_arn(bus)
            .send()
            .await
            .expect("create archive");
    }
    // REWIND_BENCH_ONLY=report: only the 50-rule report (issue 38), against the baseline.
    if std::env::var("REWIND_BENCH_ONLY").is_ok_and(|v| v == "report") {
        return json!({ "report50Rules": reports(&emulator.endpoint(), &sdk).await });
    }
    let overhead = overhead(&sdk, &emulator.endpoint()).await;
    // REWIND_BENCH_ONLY=overhead stops here, for quick iterations on the backend.
    if std::env::var("REWIND_BENCH_ONLY").is_ok_and(|v| v == "overhead") {
        return json!({ "overhead": overhead });
    }
    let (cold_start_ms, peak_rss_mib) =
        cold_start_and_memory(&emulator.endpoint(), env!("CARGO_BIN_EXE_rewind").as_ref()).await;
    // REWIND_BENCH_BASELINE names another build of the backend (say, main's) whose cold
    // start, memory and audited reads are measured in the same run, for a ratio the
    // machine's noise does not skew.
    let audited = audited_reads(&emulator.endpoint(), env!("CARGO_BIN_EXE_rewind").as_ref()).await;
    let baseline = match std::env::var_os("REWIND_BENCH_BASELINE") {
        Some(binary) => {
            let (cold, rss) = cold_start_and_memory(&emulator.endpoint(), binary.as_ref()).await;
            let reads = audited_reads(&emulator.endpoint(), binary.as_ref()).await;
            json!({ "coldStartMedianMs": cold, "peakRssMib": rss, "auditedReads": reads })
        }
        None => Value::Null,
    };
    let first_table = first_table(&emulator.endpoint()).await;
    let scale = scale().await;
    let report = reports(&emulator.endpoint(), &sdk).await;
    json!({
        "report50Rules": report,
        "overhead": overhead,
        "coldStartMedianMs": cold_start_ms,
        "peakRssMib": peak_rss_mib,
        "auditedReads": audited,
        "baseline": baseline,
        "firstTable": first_table,
        "scale": scale,
    })
}

/// The baseline: an SDK client as any program makes one (`aws_config` defaults), on the
/// same emulator.
async fn sdk_client(endpoint: &str) -> aws_sdk_eventbridge::Client {
    use aws_sdk_eventbridge::config::{BehaviorVersion, Credentials, Region};
    let config = aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("bench", "bench", None, None, "bench"))
        .endpoint_url(endpoint)
        .load()
        .await;
    aws_sdk_eventbridge::Client::new(&config)
}

/// The release backend binary, on a free port, against `endpoint`.
struct Backend {
    child: Child,
    base: String,
    started: Instant,
}

impl Backend {
    fn spawn(endpoint: &str) -> Self {
        Self::spawn_binary(endpoint, env!("CARGO_BIN_EXE_rewind").as_ref())
    }

    fn spawn_binary(endpoint: &str, binary: &std::path::Path) -> Self {
        Self::spawn_with(endpoint, binary, &[])
    }

    /// `env` is set last: it may name another console to serve (`REWIND_STATIC_DIR`).
    fn spawn_with(endpoint: &str, binary: &std::path::Path, env: &[(&str, &str)]) -> Self {
        let port = testkit::free_port().expect("no free loopback port");
        let started = Instant::now();
        let child = Command::new(binary)
            .env("REWIND_LISTEN", format!("127.0.0.1:{port}"))
            .env("REWIND_EVENTBRIDGE_ENDPOINT", endpoint)
            .env("REWIND_STATIC_DIR", harness::dist())
            .env("RUST_LOG", "warn")
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the backend");
        Self {
            child,
            base: format!("http://127.0.0.1:{port}"),
            started,
        }
    }

    /// Time from spawning the process to its first 200 on `/api/health`.
    async fn wait_healthy(&self, http: &reqwest::Client) -> Duration {
        let url = self.url(HEALTH);
        loop {
            if let Ok(r) = http.get(&url).send().await
                && r.status() == 200
            {
                return self.started.elapsed();
            }
            assert!(
                self.started.elapsed() < Duration::from_secs(20),
                "the backend did not start"
            );
            tokio::time::sleep(Duration::from_micros(500)).await;
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn peak_rss_mib(&self) -> f64 {
        testkit::stats::peak_rss_kib(self.child.id()).unwrap_or(0) as f64 / 1024.0
    }
}

impl Drop for Backend {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The `q` quantile of `samples` in milliseconds.
fn percentile(samples: &mut [Duration], q: f64) -> f64 {
    testkit::stats::percentile(samples, q).as_secs_f64() * 1e3
}

/// One GET through Rewind's API, from sending to the last byte of a 200.
async fn timed_get(http: &reqwest::Client, url: &str) -> Duration {
    let t = Instant::now();
    let r = http.get(url).send().await.expect("api request");
    assert_eq!(r.status(), 200, "{url}");
    r.bytes().await.expect("body");
    t.elapsed()
}

/// ListArchives and DescribeArchive, straight through the SDK and through Rewind's HTTP
/// API, interleaved call by call so both see the same emulator at the same moment. Each
/// round also times `GET /api/health`: one HTTP round trip through the backend's whole
/// stack without EventBridge, the floor any HTTP API in front of the SDK pays.
async fn overhead(sdk: &aws_sdk_eventbridge::Client, endpoint: &str) -> Value {
    let http = reqwest::Client::new();
    let backend = Backend::spawn(endpoint);
    backend.wait_healthy(&http).await;
    let list_url = backend.url(&path(Operation::ListArchives, &[]));
    let describe_url = backend.url(&path(Operation::DescribeArchive, &["bench-042"]));
    let health_url = backend.url(HEALTH);
    let mut samples: [Vec<Duration>; 4] = Default::default();
    let mut floor = Vec::with_capacity(OVERHEAD_CALLS);
    for i in 0..OVERHEAD_CALLS + 30 {
        let t = Instant::now();
        sdk.list_archives().send().await.expect("sdk list");
        let sdk_list = t.elapsed();
        let api_list = timed_get(&http, &list_url).await;
        let t = Instant::now();
        sdk.describe_archive()
            .archive_name("bench-042")
            .send()
            .await
            .expect("sdk describe");
        let sdk_describe = t.elapsed();
        let api_describe = timed_get(&http, &describe_url).await;
        let round_trip = timed_get(&http, &health_url).await;
        // The first 30 rounds warm connections and caches on both paths.
        if i >= 30 {
            floor.push(round_trip);
            for (s, d) in samples
                .iter_mut()
                .zip([sdk_list, api_list, sdk_describe, api_describe])
            {
                s.push(d);
            }
        }
    }
    let [
        mut sdk_list,
        mut api_list,
        mut sdk_describe,
        mut api_describe,
    ] = samples;
    let floor_p50 = percentile(&mut floor, 0.5);
    let row = |sdk: &mut Vec<Duration>, api: &mut Vec<Duration>| {
        let (s50, s95) = (percentile(sdk, 0.5), percentile(sdk, 0.95));
        let (a50, a95) = (percentile(api, 0.5), percentile(api, 0.95));
        json!({"sdkP50Ms": s50, "sdkP95Ms": s95, "apiP50Ms": a50, "apiP95Ms": a95,
               "p50Ratio": a50 / s50, "p95Ratio": a95 / s95, "calls": sdk.len(),
               // What is left once the HTTP round trip itself is paid.
               "p50RatioBeyondRoundTrip": (a50 - floor_p50) / s50})
    };
    let figures = json!({
        "listArchives": row(&mut sdk_list, &mut api_list),
        "describeArchive": row(&mut sdk_describe, &mut api_describe),
        "roundTripP50Ms": floor_p50,
        "roundTripP95Ms": percentile(&mut floor, 0.95),
    });
    println!("overhead: {figures}");
    figures
}

/// Reads with the deployed audit trail: the backend writes its records to a log group
/// of ministack's CloudWatch Logs, as it does in AWS. p50 and p95 of a DescribeArchive
/// read and of the same read with the stdout trail, interleaved; their ratio is what
/// the log group adds to a read.
async fn audited_reads(endpoint: &str, binary: &std::path::Path) -> Value {
    let config = backend::aws::sdk_config(&test_settings(endpoint)).await;
    let logs = aws_sdk_cloudwatchlogs::Client::new(&config);
    let group = format!("rewind-bench-audit-{}", std::process::id());
    let _ = logs.create_log_group().log_group_name(&group).send().await;
    let audited = Backend::spawn_with(endpoint, binary, &[("REWIND_AUDIT_LOG_GROUP", &group)]);
    let plain = Backend::spawn_binary(endpoint, binary);
    let http = reqwest::Client::new();
    audited.wait_healthy(&http).await;
    plain.wait_healthy(&http).await;
    let (mut with_group, mut without) = (Vec::new(), Vec::new());
    for i in 0..230 {
        let path = path(
            Operation::DescribeArchive,
            &[&format!("bench-{:03}", i % 100)],
        );
        let a = timed_get(&http, &audited.url(&path)).await;
        let p = timed_get(&http, &plain.url(&path)).await;
        // The first 30 warm the connections and the log stream.
        if i >= 30 {
            with_group.push(a);
            without.push(p);
        }
    }
    let (p50, p95) = (
        percentile(&mut with_group, 0.5),
        percentile(&mut with_group, 0.95),
    );
    let (plain_p50, plain_p95) = (
        percentile(&mut without, 0.5),
        percentile(&mut without, 0.95),
    );
    println!(
        "{}: a read with the log-group trail p50 / p95 {p50:.2} / {p95:.2} ms; with stdout {plain_p50:.2} / {plain_p95:.2} ms",
        binary.display()
    );
    json!({
        "logGroupP50Ms": p50, "logGroupP95Ms": p95,
        "stdoutP50Ms": plain_p50, "stdoutP95Ms": plain_p95,
        "p50Ratio": p50 / plain_p50,
    })
}

/// Median time from process start to the first 200 on `/api/health`, and the peak RSS
/// after 1,000 API requests.
async fn cold_start_and_memory(endpoint: &str, binary: &std::path::Path) -> (f64, f64) {
    let http = reqwest::Client::new();
    let mut starts = Vec::with_capacity(COLD_STARTS);
    for _ in 0..COLD_STARTS {
        let backend = Backend::spawn_binary(endpoint, binary);
        starts.push(backend.wait_healthy(&http).await);
    }
    let cold = percentile(&mut starts, 0.5);
    let backend = Backend::spawn_binary(endpoint, binary);
    backend.wait_healthy(&http).await;
    for i in 0..RSS_REQUESTS {
        let path = match i % 3 {
            0 => path(Operation::ListArchives, &[]),
            1 => path(
                Operation::DescribeArchive,
                &[&format!("bench-{:03}", i % 100)],
            ),
            _ => path(Operation::ListReplays, &[]),
        };
        let r = http.get(backend.url(&path)).send().await.expect("request");
        assert_eq!(r.status(), 200, "{path}");
        r.bytes().await.expect("body");
    }
    let rss = backend.peak_rss_mib();
    println!(
        "{}: cold start median {cold:.1} ms of {COLD_STARTS}; peak RSS after {RSS_REQUESTS} requests {rss:.1} MiB",
        binary.display()
    );
    (cold, rss)
}

async fn marks(b: &Browser) -> Vec<f64> {
    b.client
        .execute(
            "return performance.getEntriesByName(arguments[0]).map(e => e.startTime);",
            vec![json!(TABLE_MARK)],
        )
        .await
        .ok()
        .and_then(|v| serde_json::from_value(v).ok())
        .unwrap_or_default()
}

async fn wait_marks(b: &Browser, more_than: usize) -> Vec<f64> {
    testkit::wait_until(
        "a painted table",
        Duration::from_secs(20),
        Duration::from_millis(5),
        || async {
            let found = marks(b).await;
            if found.len() > more_than {
                Ok(found)
            } else {
                Err("no mark yet")
            }
        },
    )
    .await
    .expect("no table was painted")
}

/// A report on a replay whose bus has 50 receiving rules, each with seeded `AWS/Events`
/// figures: the wall time of the first (uncached) read and the AWS calls it made (the
/// audit record's `upstreamCalls`), each sample on a fresh backend (the report cache is
/// the process's), then a cached read; REWIND_BENCH_BASELINE's build measured alike.
async fn reports(endpoint: &str, sdk: &aws_sdk_eventbridge::Client) -> Value {
    const RULES: usize = 50;
    let bus = "bench-report";
    let bus_arn = sdk
        .create_event_bus()
        .name(bus)
        .send()
        .await
        .expect("bus")
        .event_bus_arn()
        .map(str::to_owned)
        .expect("bus arn");
    for i in 0..RULES {
        sdk.put_rule()
            .name(format!("bench-rule-{i:02}"))
            .event_bus_name(bus)
            .event_pattern(r#"{"source":["bench.report"]}"#)
            .send()
            .await
            .expect("rule");
    }
    let archive = sdk
        .create_archive()
        .archive_name("bench-report-all")
        .event_source_arn(&bus_arn)
        .send()
        .await
        .expect("archive")
        .archive_arn()
        .map(str::to_owned)
        .expect("archive arn");
    let entries: Vec<aws_sdk_eventbridge::types::PutEventsRequestEntry> = (0..10)
        .map(|i| {
            aws_sdk_eventbridge::types::PutEventsRequestEntry::builder()
                .event_bus_name(bus)
                .source("bench.report")
                .detail_type("Bench")
                .detail(format!(r#"{{"n":{i}}}"#))
                .build()
        })
        .collect();
    sdk.put_events()
        .set_entries(Some(entries))
        .send()
        .await
        .expect("events");
    let now = time::OffsetDateTime::now_utc();
    let at = |t: time::OffsetDateTime| {
        aws_sdk_eventbridge::primitives::DateTime::from_secs(t.unix_timestamp())
    };
    sdk.start_replay()
        .replay_name("bench-report-replay")
        .event_source_arn(&archive)
        .event_start_time(at(now - time::Duration::minutes(10)))
        .event_end_time(at(now + time::Duration::minutes(1)))
        .destination(
            aws_sdk_eventbridge::types::ReplayDestination::builder()
                .arn(&bus_arn)
                .build()
                .expect("destination"),
        )
        .send()
        .await
        .expect("replay");
    for i in 0..RULES {
        let points: Vec<(&str, i64, f64)> = [
            "MatchedEvents",
            "Invocations",
            "FailedInvocations",
            "InvocationsSentToDlq",
            "ThrottledRules",
            "InvocationAttempts",
        ]
        .into_iter()
        .flat_map(|m| [(m, 0, 5.0), (m, 60, 3.0)])
        .collect();
        testkit::figures::metrics(endpoint, bus, &format!("bench-rule-{i:02}"), now, &points)
            .await
            .expect("seeded figures");
    }
    let current = report_reads(endpoint, env!("CARGO_BIN_EXE_rewind").as_ref()).await;
    let baseline = match std::env::var_os("REWIND_BENCH_BASELINE") {
        Some(binary) => report_reads(endpoint, binary.as_ref()).await,
        None => Value::Null,
    };
    json!({ "rules": RULES, "current": current, "baseline": baseline })
}

async fn report_reads(endpoint: &str, binary: &std::path::Path) -> Value {
    const SAMPLES: usize = 5;
    let http = reqwest::Client::new();
    let (mut first, mut cached, mut calls) = (Vec::new(), Vec::new(), Vec::new());
    let mut operations: Vec<String> = Vec::new();
    for sample in 0..SAMPLES {
        let audit = std::env::temp_dir().join(format!(
            "rewind-bench-report-{}-{sample}.log",
            std::process::id()
        ));
        let _ = std::fs::remove_file(&audit);
        let backend = Backend::spawn_with(
            endpoint,
            binary,
            &[("REWIND_AUDIT_FILE", audit.to_str().expect("path"))],
        );
        backend.wait_healthy(&http).await;
        let url = backend.url(&path(Operation::ReplayReport, &["bench-report-replay"]));
        let started = Instant::now();
        let reply = http.get(&url).send().await.expect("report");
        first.push(started.elapsed());
        assert_eq!(reply.status(), 200);
        let body: Value = reply.json().await.expect("json");
        assert_eq!(
            body["rules"].as_array().map(Vec::len),
            Some(50),
            "every rule reported: {body}"
        );
        let started = Instant::now();
        http.get(&url).send().await.expect("cached report");
        cached.push(started.elapsed());
        // The outcome record names every AWS call the first read made.
        let mut made = None;
        for _ in 0..100 {
            made = std::fs::read_to_string(&audit)
                .unwrap_or_default()
                .lines()
                .filter_map(|l| serde_json::from_str::<Value>(l).ok())
                .find(|r| r["phase"] == "outcome" && r["operation"] == "ReplayReport")
                .and_then(|r| r["upstreamCalls"].as_array().cloned());
            if made.is_some() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        // A build from before the audit named each call (the baseline's) has no count.
        if let Some(made) = made {
            operations = made
                .iter()
                .filter_map(|c| c["operation"].as_str().map(str::to_owned))
                .collect();
            calls.push(made.len());
        }
        let _ = std::fs::remove_file(&audit);
    }
    calls.sort_unstable();
    let median_calls = calls.get(calls.len() / 2).copied();
    let (p50, cached_p50) = (percentile(&mut first, 0.5), percentile(&mut cached, 0.5));
    println!(
        "report of 50 rules ({}): first read median {p50:.1} ms, {} AWS calls ({}); cached {cached_p50:.2} ms",
        binary.display(),
        median_calls.map_or_else(|| "unrecorded".to_owned(), |n| n.to_string()),
        operations.join(", ")
    );
    json!({
        "firstReadMedianMs": p50,
        "awsCalls": median_calls,
        "operations": operations,
        "cachedMedianMs": cached_p50,
    })
}

/// Navigation start → Archives table painted (the app's Performance mark), 100 archives
/// in the emulator, median of 20 warm page loads.
async fn first_table(endpoint: &str) -> Value {
    let http = reqwest::Client::new();
    let current = Backend::spawn(endpoint);
    current.wait_healthy(&http).await;
    // REWIND_BENCH_BASELINE_DIST: the baseline's own console (its `dist/`), served by
    // REWIND_BENCH_BASELINE's binary and loaded in turn with this one, in the same browser:
    // a browser figure is as noisy as the machine, so only a ratio says better or worse.
    let baseline = match (
        std::env::var("REWIND_BENCH_BASELINE"),
        std::env::var("REWIND_BENCH_BASELINE_DIST"),
    ) {
        (Ok(binary), Ok(dist)) => {
            let backend =
                Backend::spawn_with(endpoint, binary.as_ref(), &[("REWIND_STATIC_DIR", &dist)]);
            backend.wait_healthy(&http).await;
            Some(backend)
        }
        _ => None,
    };
    let origins: Vec<String> = std::iter::once(&current)
        .chain(baseline.as_ref())
        .map(|b| b.base.clone())
        .collect();
    let count = origins.len();
    let loads = Arc::new(Mutex::new(vec![Vec::new(); count]));
    let out = loads.clone();
    with_light_browser(
        &current.base,
        "bench-first-table",
        |b: Browser| async move {
            // One load each to fill the HTTP cache, as a returning user has it.
            for origin in &origins {
                first_table_load(&b, origin).await;
            }
            for run in 0..FIRST_TABLE_RUNS {
                // Each goes first in every other round.
                let order: Vec<usize> = if run % 2 == 0 {
                    (0..count).collect()
                } else {
                    (0..count).rev().collect()
                };
                for i in order {
                    let load = first_table_load(&b, &origins[i]).await;
                    if let Ok(mut all) = out.lock() {
                        all[i].push(load);
                    }
                }
            }
        },
    )
    .await;
    let loads = loads.lock().map(|l| l.clone()).unwrap_or_default();
    let summary = |loads: &[[f64; 4]]| {
        // The same nearest-rank median as every other figure; a mark that never came
        // (NaN) left out.
        let median = |i: usize| {
            let mut at: Vec<Duration> = loads
                .iter()
                .map(|l| l[i])
                .filter(|ms| ms.is_finite())
                .map(|ms| Duration::from_secs_f64(ms / 1e3))
                .collect();
            percentile(&mut at, 0.5)
        };
        json!({
            "medianMs": median(0),
            "runs": loads.iter().map(|l| l[0]).collect::<Vec<_>>(),
            "bootMs": median(1),
            "wasmStartedMs": median(2),
            "sessionMs": median(3),
        })
    };
    let mut figures = summary(&loads[0]);
    if let Some(base) = loads.get(1) {
        figures["baseline"] = summary(base);
    }
    for (name, f) in [
        ("this build", &figures),
        ("the baseline", &figures["baseline"]),
    ] {
        if f.is_object() {
            println!(
                "first table, {name}: median {:.0} ms of {FIRST_TABLE_RUNS} loads; boot.js {:.0} ms, wasm started {:.0} ms, signed in {:.0} ms",
                f["medianMs"].as_f64().unwrap_or(f64::NAN),
                f["bootMs"].as_f64().unwrap_or(f64::NAN),
                f["wasmStartedMs"].as_f64().unwrap_or(f64::NAN),
                f["sessionMs"].as_f64().unwrap_or(f64::NAN),
            );
        }
    }
    figures
}

/// One warm load of `origin`'s Archives page: navigation start → table painted, and when
/// boot.js ran, the wasm started and the session was known (frontend/boot.js,
/// frontend/src/perf.rs).
async fn first_table_load(b: &Browser, origin: &str) -> [f64; 4] {
    b.client
        .goto(&format!("{origin}/archives"))
        .await
        .expect("navigate");
    let table = wait_marks(b, 0).await.first().copied().unwrap_or(f64::NAN);
    let phases: Vec<f64> = b
        .client
        .execute(
            "return ['rewind:boot', 'rewind:main', 'rewind:session']
               .map(name => performance.getEntriesByName(name)[0]?.startTime ?? null);",
            vec![],
        )
        .await
        .ok()
        .and_then(|v| serde_json::from_value::<Vec<Option<f64>>>(v).ok())
        .unwrap_or_default()
        .into_iter()
        .map(|t| t.unwrap_or(f64::NAN))
        .collect();
    let phase = |i: usize| phases.get(i).copied().unwrap_or(f64::NAN);
    [table, phase(0), phase(1), phase(2)]
}

/// 10,000 archives behind the stand-in, paged through in the console 25 at a time:
/// click on Next page → table painted, for every page.
async fn scale() -> Value {
    let (app, _) = standin_server::spawn_with_standin(
        standin_server::Script {
            archive_count: SCALE_ARCHIVES,
            ..Default::default()
        },
        |s| s.static_dir = harness::dist(),
    )
    .await;
    let pages = Arc::new(Mutex::new(Vec::new()));
    let out = pages.clone();
    with_light_browser(&app.address, "bench-scale", |b: Browser| async move {
        b.goto("/archives").await;
        let mut seen = wait_marks(&b, 0).await.len();
        loop {
            // Click and note the time in one script, so WebDriver's own delay is not counted.
            let clicked: Value = b
                .client
                .execute(
                    "const next = [...document.querySelectorAll('button')].find(b => b.textContent.trim() === 'Next page');
                     if (!next || next.disabled) return null;
                     const t0 = performance.now(); next.click(); return t0;",
                    vec![],
                )
                .await
                .unwrap_or(Value::Null);
            let Some(t0) = clicked.as_f64() else { break };
            let marks = wait_marks(&b, seen).await;
            seen = marks.len();
            if let (Ok(mut p), Some(last)) = (out.lock(), marks.last()) {
                p.push(last - t0);
            }
        }
    })
    .await;
    let pages: Vec<f64> = pages.lock().map(|p| p.clone()).unwrap_or_default();
    assert!(
        pages.len() >= SCALE_ARCHIVES / 25 - 1,
        "paged through {} pages only",
        pages.len()
    );
    let mean = |s: &[f64]| s.iter().sum::<f64>() / s.len() as f64;
    let first = mean(&pages[..20]);
    let last = mean(&pages[pages.len() - 20..]);
    println!(
        "scale: {} pages; first 20 pages {first:.1} ms each, last 20 {last:.1} ms (ratio {:.2})",
        pages.len() + 1,
        last / first
    );
    json!({"pages": pages.len() + 1, "firstPagesMs": first, "lastPagesMs": last, "ratio": last / first})
}
