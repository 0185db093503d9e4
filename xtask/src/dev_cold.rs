//! `cargo xtask dev-cold`: `cargo xtask dev` as a newcomer's first run — a fresh clone of
//! this checkout's HEAD with no build output, no tools, no Python or npm caches and an
//! empty `CARGO_HOME` (crates come from the registry again), timed to the ready page.
//! Its phase lines and whole output go to BENCHMARKS.md ("cargo xtask dev, cold").

use crate::{Result, benchmarks, tools};
use anyhow::Context;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Instant;

pub fn run() -> Result<()> {
    // A directory no one else can have made beforehand (create_dir fails if it exists).
    let mut random = [0u8; 8];
    getrandom::fill(&mut random).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
    let suffix: String = random.iter().map(|b| format!("{b:02x}")).collect();
    let work = std::env::temp_dir().join(format!("rewind-dev-cold-{suffix}"));
    std::fs::create_dir(&work).with_context(|| format!("cannot create {}", work.display()))?;
    let checkout = work.join("checkout");
    let root = tools::workspace_root();
    tools::run(
        "git",
        &[
            "clone",
            "--quiet",
            &root.to_string_lossy(),
            &checkout.to_string_lossy(),
        ],
        &[],
    )?;
    let commit = tools::capture(
        "git",
        &[
            "-C",
            &checkout.to_string_lossy(),
            "rev-parse",
            "--short",
            "HEAD",
        ],
        &[],
    )?;
    // No tool found on the way: PATH without the directories that hold Trunk or
    // wasm-bindgen (a warm machine's REWIND_TOOLS), as on a fresh machine.
    let path = std::env::var_os("PATH").unwrap_or_default();
    let path = std::env::join_paths(
        std::env::split_paths(&path)
            .filter(|dir| !dir.join("trunk").exists() && !dir.join("wasm-bindgen").exists()),
    )?;
    let started = Instant::now();
    let mut child = Command::new("cargo")
        .args(["xtask", "dev", "--stop-when-ready"])
        .current_dir(&checkout)
        .env("PATH", path)
        .env("CARGO_HOME", work.join("cargo-home"))
        .env("REWIND_TOOLS", work.join("tools"))
        .env("PIP_CACHE_DIR", work.join("pip-cache"))
        .env("npm_config_cache", work.join("npm-cache"))
        .env_remove("CARGO_TARGET_DIR")
        .env_remove("REWIND_VENV")
        .env_remove("CARGO_MANIFEST_DIR")
        .stdout(Stdio::piped())
        .spawn()
        .context("cannot run cargo xtask dev in the fresh clone")?;
    let mut output = Vec::new();
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout)
            .lines()
            .map_while(std::result::Result::ok)
        {
            println!("{line}");
            // The fresh clone's paths, said as such.
            output.push(line.replace(&work.to_string_lossy().into_owned(), "<fresh>"));
        }
    }
    let status = child.wait()?;
    anyhow::ensure!(
        status.success(),
        "cargo xtask dev failed in the fresh clone ({status})"
    );
    let took = started.elapsed();
    let mut table = format!(
        "Measured by `cargo xtask dev-cold` at {} on this machine (2 cores): {:.1} min from the command to the ready page, {} lines printed.\n\n| phase (side by side where the lines overlap) | took |\n|---|---:|\n",
        commit.trim(),
        took.as_secs_f64() / 60.0,
        output.len()
    );
    for line in &output {
        if let Some(phase) = line.trim_start().strip_prefix("✓ ") {
            let (title, duration) = phase.rsplit_once("  ").unwrap_or((phase, ""));
            table.push_str(&format!("| {} | {} |\n", title.trim(), duration.trim()));
        }
    }
    table.push_str(&format!(
        "| **to the ready page** | **{:.1} min** |\n\nThe terminal, whole:\n\n```text\n{}\n```\n",
        took.as_secs_f64() / 60.0,
        output.join("\n")
    ));
    let _ = std::fs::remove_dir_all(&work);
    benchmarks::write_section("dev-cold", &table)
}
