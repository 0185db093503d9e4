//! Project automation, so a fresh machine needs only the Rust toolchain, Python 3 and npm:
//!
//! - `cargo xtask dev [--aws]`: install what is missing, start the local EventBridge
//!   emulator with demo data (or use real AWS), build the console, serve everything at
//!   <http://127.0.0.1:3000>.
//! - `cargo xtask test`: formatting, lints, the wasm build, and every test against both
//!   emulators.

mod bench;
mod deploy;
mod payload;
mod rehearse;
mod reliability;
mod tools;

use std::process::ExitCode;
use testkit::{Emulator, EmulatorProcess};
use tools::step;

const USAGE: &str = "usage: cargo xtask <command>
  dev [--aws]          run Rewind locally at http://127.0.0.1:3000 (emulator + demo data; --aws: real AWS)
  test                 run formatting, lints, the builds, every test, the reliability checks and the deployment checks
  fuzz [SECONDS]       fuzz every shared parser for SECONDS each (default 600)
  schema-fuzz [N]      schemathesis against the API, N examples per operation (default 500)
  load [CLIENTS SECS]  load the API on the emulator (default 200 clients, 30 s)
  payload [--no-build] build the console and check it against its size budget
  bench                release builds, then payload, backend overhead, cold start, memory,
                       time to first table and scale; writes BENCHMARKS.md
  rehearse             deploy template.yaml to an emulated AWS (ministack) with the README's
                       sam commands, then check sign-in, roles, the API and the console
  deploy-console --stack NAME [--region REGION]
                       build the console and upload it to a deployed stack (after `sam deploy`)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("dev") => dev(&args[1..]),
        Some("test") => test(),
        Some("bench") => bench::run(),
        Some("payload") if args.get(1).is_some_and(|a| a == "--no-build") => {
            payload::check_budget(&tools::workspace_root().join("dist"))
        }
        Some("payload") => tools::ensure_frontend_tools()
            .and_then(|()| tools::trunk_build())
            .and_then(|()| payload::check_budget(&tools::workspace_root().join("dist"))),
        Some("fuzz") => number_arg(&args, 1, 600).and_then(reliability::fuzz),
        Some("schema-fuzz") => {
            number_arg(&args, 1, 500).and_then(|n| reliability::schema_fuzz(n as u32))
        }
        Some("load") => number_arg(&args, 1, 200).and_then(|clients| {
            let seconds = number_arg(&args, 2, 30)?;
            reliability::load(
                clients as usize,
                std::time::Duration::from_secs(seconds),
                LOAD_RSS_CEILING_MIB,
            )
            .map(|_| ())
        }),
        Some("deploy-console") => deploy::console(&args[1..]),
        Some("rehearse") => rehearse::run().map(|_| ()),
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("\nxtask: {e}");
            ExitCode::FAILURE
        }
    }
}

pub type Result<T = ()> = std::result::Result<T, String>;

/// The backend's peak RSS allowed under the load test (debug build, 200 clients).
const LOAD_RSS_CEILING_MIB: f64 = 256.0;

/// The positional number at `index`, or `default`.
fn number_arg(args: &[String], index: usize, default: u64) -> Result<u64> {
    match args.get(index) {
        None => Ok(default),
        Some(text) => text
            .parse()
            .map_err(|_| format!("{text} is not a whole number\n{USAGE}")),
    }
}

fn dev(args: &[String]) -> Result {
    let real_aws = args.iter().any(|a| a == "--aws");
    if let Some(unknown) = args.iter().find(|a| *a != "--aws") {
        return Err(format!("unknown option {unknown}\n{USAGE}"));
    }
    tools::ensure_frontend_tools()?;
    tools::trunk_build()?;
    tools::run("cargo", &["build", "-p", "rewind-backend"], &[])?;

    let runtime = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
    runtime.block_on(async {
        let emulator = if real_aws {
            println!(
                "Using real AWS through the default credential chain (no emulator, no demo data)."
            );
            None
        } else {
            tools::ensure_venv()?;
            step("Starting ministack (127.0.0.1:4566 if free)");
            let emulator = EmulatorProcess::launch(Emulator::Ministack, Some(4566)).await?;
            testkit::seed::demo_data(&emulator.endpoint()).await?;
            Some(emulator)
        };
        let mut backend =
            tokio::process::Command::new(tools::target_dir().join("debug").join("rewind"));
        backend
            .env("REWIND_LISTEN", "127.0.0.1:3000")
            .env("REWIND_STATIC_DIR", tools::workspace_root().join("dist"))
            .kill_on_drop(true);
        if let Some(emulator) = &emulator {
            backend.env("REWIND_EVENTBRIDGE_ENDPOINT", emulator.endpoint());
        }
        let mut child = backend
            .spawn()
            .map_err(|e| format!("cannot start the backend: {e}"))?;
        println!(
            "\nRewind is running at http://127.0.0.1:3000  (Ctrl-C stops it and the emulator)\n"
        );
        tokio::select! {
            status = child.wait() => {
                let status = status.map_err(|e| e.to_string())?;
                if !status.success() {
                    return Err(format!("the backend stopped: {status}"));
                }
            }
            _ = tokio::signal::ctrl_c() => println!("\nStopping."),
        }
        drop(emulator);
        Ok(())
    })
}

fn test() -> Result {
    tools::ensure_wasm_target()?;
    tools::ensure_venv()?;
    tools::step("Formatting");
    tools::run("cargo", &["fmt", "--all", "--", "--check"], &[])?;
    tools::step("Lints (native, every crate and test)");
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
    tools::step("Lints (wasm32: shared and frontend)");
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
    // The browser tests serve the release build of the console.
    tools::ensure_frontend_tools()?;
    tools::trunk_build()?;
    tools::step("Payload budget (dist/, brotli)");
    payload::check_budget(&tools::workspace_root().join("dist"))?;

    let venv = tools::venv_dir();
    let venv = venv.to_string_lossy();
    let env = [("REWIND_VENV", venv.as_ref())];
    tools::step("Unit and property tests (shared, frontend, xtask)");
    let mut totals = tools::run_tests(
        &["test", "--workspace", "--exclude", "rewind-backend"],
        &env,
    )?;
    tools::step("Backend: unit tests, and the API against ministack, moto and the stand-in");
    let api = tools::run_tests(
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
    tools::ensure_browser()?;
    tools::step("Console in headless Chromium (screenshots in target/browser-screenshots/)");
    let browser = tools::run_tests(
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
    totals.0 += api.0 + browser.0 + 1; // + the payload budget
    totals.1 += api.1 + browser.1;
    // Each reliability check counts as one test in the totals.
    reliability::fuzz(60)?;
    totals.0 += 1;
    reliability::schema_fuzz(200)?;
    totals.0 += 1;
    reliability::load(
        200,
        std::time::Duration::from_secs(30),
        LOAD_RSS_CEILING_MIB,
    )?;
    totals.0 += 1;
    deploy::checks()?;
    totals.0 += rehearse::run()?;
    println!("\nAll checks passed.");
    println!("{} passed, {} failed", totals.0, totals.1);
    Ok(())
}
