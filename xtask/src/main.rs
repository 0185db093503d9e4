//! Project automation, so a fresh machine needs only the Rust toolchain, Python 3 and npm:
//!
//! - `cargo xtask dev [--aws]`: install what is missing, start the local EventBridge
//!   emulator with demo data (or use real AWS), build the console, serve everything at
//!   <http://127.0.0.1:3000>.
//! - `cargo xtask test`: formatting, lints, the wasm build, and every test against both
//!   emulators.

mod emulator;
mod seed;
mod tools;

use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask <dev [--aws] | test>
  dev     run Rewind locally at http://127.0.0.1:3000 (emulator + demo data; --aws: real AWS)
  test    run formatting, lints, the wasm build and every test";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("dev") => dev(&args[1..]),
        Some("test") => test(),
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
            let emulator = emulator::Emulator::start_ministack(4566).await?;
            seed::demo_data(&emulator.endpoint()).await?;
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
    tools::step("Lints (native)");
    tools::run(
        "cargo",
        &[
            "clippy",
            "--workspace",
            "--exclude",
            "rewind-frontend",
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
    tools::step(
        "Tests: shared unit and property tests, backend against ministack, moto and the stand-in",
    );
    let venv = tools::venv_dir();
    let venv = venv.to_string_lossy();
    let (passed, failed) = tools::run_tests(
        &[
            "test",
            "--workspace",
            "--exclude",
            "rewind-frontend",
            "--",
            "--test-threads",
            "4",
            "--nocapture",
        ],
        &[("REWIND_VENV", &venv)],
    )?;
    tools::ensure_frontend_tools()?;
    tools::trunk_build()?;
    println!("\nAll checks passed.");
    println!("{passed} passed, {failed} failed");
    Ok(())
}
