//! Project automation, so a fresh machine needs only the Rust toolchain, Python 3 and npm.
//! `cargo xtask --help` lists the tasks; `cargo xtask test` is the one full gate (CI
//! runs it), `cargo xtask test --fast` the edit loop's subset.

mod bench;
mod benchmarks;
mod cycles;
mod deploy;
mod dev;
mod dev_cold;
mod layers;
mod lighthouse;
mod payload;
mod rehearse;
mod reliability;
mod tools;

use clap::{Parser, Subcommand};
use std::process::ExitCode;
use std::time::Duration;
use tools::step;

pub use anyhow::Result;

#[derive(Parser)]
#[command(
    name = "cargo xtask",
    bin_name = "cargo xtask",
    about = "Rewind's project automation"
)]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Run Rewind locally at http://127.0.0.1:3000: the emulator with demo data, the
    /// console, the backend.
    Dev {
        /// Use real AWS through the default credential chain (no emulator, no demo data).
        #[arg(long)]
        aws: bool,
        /// Every command's output, and the backend's request logs and audit records, on
        /// the terminal instead of in files under target/dev/.
        #[arg(long)]
        verbose: bool,
        /// Stop everything once the console is ready (`dev-cold` times it so).
        #[arg(long, hide = true)]
        stop_when_ready: bool,
    },
    /// `cargo xtask dev` from nothing (a fresh clone, no caches, an empty CARGO_HOME),
    /// timed to the ready page; writes BENCHMARKS.md's "cargo xtask dev, cold".
    DevCold,
    /// Formatting, lints, the builds, every test, the reliability checks, the deployment
    /// checks and the deploy rehearsal: what CI runs.
    Test {
        /// Only formatting, lints and the unit and API tests (a few minutes warm): for the
        /// edit loop, not a gate.
        #[arg(long)]
        fast: bool,
    },
    /// Fuzz every shared parser.
    Fuzz {
        /// Seconds per target.
        #[arg(default_value_t = 600)]
        seconds: u64,
    },
    /// schemathesis against the API.
    SchemaFuzz {
        /// Examples per operation.
        #[arg(default_value_t = 500)]
        examples: u32,
    },
    /// Load the API on the emulator.
    Load {
        #[arg(default_value_t = 200)]
        clients: usize,
        #[arg(default_value_t = 30)]
        seconds: u64,
    },
    /// Check that no crate's top-level modules import each other in a circle, that route
    /// handlers only parse, call one use-case and answer, and that no use-case takes
    /// the process's state.
    Cycles,
    /// Build the console and check it against its size budget.
    Payload {
        /// Measure the `dist/` already built.
        #[arg(long)]
        no_build: bool,
    },
    /// Release builds, then payload, backend overhead, cold start, memory, time to first
    /// table and scale; writes BENCHMARKS.md.
    Bench {
        /// Keep BENCHMARKS.md's Lighthouse section as it is (`cargo xtask lighthouse`
        /// measures it alone).
        #[arg(long)]
        no_lighthouse: bool,
    },
    /// Lighthouse on every page of the release build: mobile three times (median and
    /// spread), desktop, and a real-time trace whose long tasks are named.
    Lighthouse,
    /// Deploy template.yaml to an emulated AWS with docs/deploy.md's sam commands, then check
    /// sign-in, roles, the API and the console.
    Rehearse,
    /// Build the console and upload it to a deployed stack (after `sam deploy`).
    DeployConsole {
        /// The stack's name, as given to `sam deploy`.
        #[arg(long)]
        stack: String,
        /// Its region (else AWS_REGION, else the AWS CLI's own setting).
        #[arg(long)]
        region: Option<String>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.task {
        Task::Dev {
            aws,
            verbose,
            stop_when_ready,
        } => dev::run(aws, verbose, stop_when_ready),
        Task::DevCold => dev_cold::run(),
        Task::Test { fast } => test(fast),
        Task::Fuzz { seconds } => reliability::fuzz(seconds),
        Task::SchemaFuzz { examples } => reliability::schema_fuzz(examples),
        Task::Load { clients, seconds } => {
            reliability::load(clients, Duration::from_secs(seconds), LOAD_RSS_CEILING_MIB)
                .map(|_| ())
        }
        Task::Payload { no_build } => payload(no_build),
        Task::Bench { no_lighthouse } => bench::run(!no_lighthouse),
        Task::Cycles => cycles::check(&tools::workspace_root())
            .and_then(|()| layers::check(&tools::workspace_root())),
        Task::Lighthouse => tools::ensure_frontend_tools()
            .and_then(|()| tools::trunk_build())
            .and_then(|()| tools::ensure_venv())
            .and_then(|()| lighthouse::run())
            .and_then(|markdown| {
                if std::env::var_os("REWIND_LIGHTHOUSE_ONLY").is_some() {
                    println!("{markdown}");
                    Ok(())
                } else {
                    benchmarks::write_section("lighthouse", &markdown)
                }
            }),
        Task::Rehearse => rehearse::run().map(|_| ()),
        Task::DeployConsole { stack, region } => deploy::console(&stack, region),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("\nxtask: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// The backend's peak RSS allowed under the load test (debug build, 200 clients).
const LOAD_RSS_CEILING_MIB: f64 = 256.0;

fn payload(no_build: bool) -> Result<()> {
    if !no_build {
        tools::ensure_frontend_tools()?;
        tools::trunk_build()?;
    }
    let sizes = payload::check_budget(&tools::workspace_root().join("dist"))?;
    benchmarks::write_section("payload", &payload::table(&sizes))?;
    let profile = benchmarks::wasm_profile()?;
    println!("\n{profile}");
    benchmarks::write_section("wasm-profile", &profile)
}

/// Tests passed and failed, added up over the runs of a gate.
#[derive(Default, Clone, Copy)]
struct Totals {
    passed: u64,
    failed: u64,
}

impl std::ops::AddAssign<(u64, u64)> for Totals {
    fn add_assign(&mut self, (passed, failed): (u64, u64)) {
        self.passed += passed;
        self.failed += failed;
    }
}

/// Every check, then the time each step took (also when one failed).
fn test(fast: bool) -> Result<()> {
    let result = test_steps(fast);
    println!("\nWhere the time went:\n{}", tools::step_durations());
    result
}

fn test_steps(fast: bool) -> Result<()> {
    step("Tools: the wasm32 target and the emulators");
    tools::ensure_wasm_target()?;
    tools::ensure_venv()?;
    step("Formatting");
    tools::run("cargo", &["fmt", "--all", "--", "--check"], &[])?;
    step("Formatting of the console's views (leptosfmt.toml)");
    tools::cargo_install("leptosfmt", "leptosfmt", tools::LEPTOSFMT_VERSION, true)?;
    let root = tools::workspace_root();
    let (config, views) = (
        root.join("leptosfmt.toml"),
        root.join("frontend").join("src"),
    );
    tools::run(
        "leptosfmt",
        &[
            "--check",
            "--config-file",
            &config.to_string_lossy(),
            &views.to_string_lossy(),
        ],
        &[],
    )?;
    step("Lints (native, every crate and test)");
    tools::run(
        "cargo",
        &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ],
        &[],
    )?;
    step("Lints (wasm32: shared and frontend)");
    tools::run(
        "cargo",
        &[
            "clippy",
            "-p",
            "rewind-shared",
            "-p",
            "rewind-frontend",
            "--target",
            "wasm32-unknown-unknown",
            "--",
            "-D",
            "warnings",
        ],
        &[],
    )?;
    step("Lints (the console's prerender build: native, --features prerender)");
    tools::run(
        "cargo",
        &[
            "clippy",
            "-p",
            "rewind-frontend",
            "--features",
            "prerender",
            "--",
            "-D",
            "warnings",
        ],
        &[],
    )?;
    step("Supply chain: cargo deny check licenses bans sources (deny.toml)");
    tools::cargo_install("cargo-deny", "cargo-deny", tools::CARGO_DENY_VERSION, true)?;
    tools::run(
        "cargo",
        &["deny", "--locked", "check", "licenses", "bans", "sources"],
        &[],
    )?;
    let mut totals = Totals::default();
    totals += (1, 0);
    step(
        "Module layers: no import cycle between the top-level modules of any crate (code or doc links)",
    );
    cycles::check(&tools::workspace_root())?;
    step("Backend layers: thin route handlers, no use-case takes AppState");
    layers::check(&tools::workspace_root())?;
    totals += (2, 0);
    if !fast {
        // The browser tests serve the release build of the console.
        tools::ensure_frontend_tools()?;
        tools::trunk_build()?;
        step("Payload budget (dist/, brotli), and BENCHMARKS.md measured on this build");
        let sizes = payload::check_budget(&tools::workspace_root().join("dist"))?;
        benchmarks::check_benchmarks_row(&sizes)?;
        totals += (2, 0);
    }

    let venv = tools::venv_dir();
    let venv = venv.to_string_lossy();
    let env = [("REWIND_VENV", venv.as_ref())];
    step("Unit and property tests (shared, frontend, testkit, xtask)");
    totals += tools::run_tests(
        &["test", "--workspace", "--exclude", "rewind-backend"],
        &env,
    )?;
    step("Unit tests of the console's prerender build (--features prerender)");
    totals += tools::run_tests(
        &["test", "-p", "rewind-frontend", "--features", "prerender"],
        &env,
    )?;
    step("Backend: unit tests, and the API against ministack, moto and the stand-in");
    totals += tools::run_tests(
        &[
            "test",
            "-p",
            "rewind-backend",
            "--lib",
            "--test",
            "api",
            "--",
            "--test-threads",
            "4",
            "--nocapture",
        ],
        &env,
    )?;
    if fast {
        println!("\nThe fast checks passed (not the browser, reliability or deployment ones).");
        println!("{} passed, {} failed", totals.passed, totals.failed);
        return Ok(());
    }
    tools::ensure_browser()?;
    step("Console in headless Chromium (screenshots in target/browser-screenshots/)");
    totals += tools::run_tests(
        &[
            "test",
            "-p",
            "rewind-backend",
            "--test",
            "browser",
            "--",
            "--test-threads",
            "2",
        ],
        &env,
    )?;
    // Each reliability check counts as one test in the totals.
    // 20 s a target here, on a corpus kept between runs; `cargo xtask fuzz` goes deeper.
    reliability::fuzz(20)?;
    reliability::schema_fuzz(200)?;
    reliability::load(200, Duration::from_secs(30), LOAD_RSS_CEILING_MIB)?;
    totals += (3, 0);
    deploy::checks()?;
    totals += (rehearse::run()?, 0);
    println!("\nAll checks passed.");
    println!("{} passed, {} failed", totals.passed, totals.failed);
    Ok(())
}
