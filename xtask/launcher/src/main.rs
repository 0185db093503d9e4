//! `cargo xtask …` runs this first (the alias in `.cargo/config.toml`). It compiles
//! xtask with cargo's output in `target/xtask-build.log`, showing one progress line
//! instead of the hundreds of "Compiling …" lines a fresh machine would print, then runs
//! xtask with the same arguments. A failed compile prints the log's end.

use std::io::{BufRead, BufReader, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

fn main() -> ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().skip(1).collect();
    // When the command began, for xtask's "… in all" (its compile counts too).
    let launched = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or_default();
    // Cargo sets this when it runs us: xtask/launcher, two levels below the root.
    let launcher = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    let xtask_dir = launcher.parent().map(Path::to_path_buf).unwrap_or_default();
    let root = xtask_dir
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let log = target.join("xtask-build.log");
    let executable = match build(&root, &log) {
        Ok(path) => path,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::FAILURE;
        }
    };
    match Command::new(&executable)
        .args(&args)
        .current_dir(&root)
        // xtask finds the checkout from this, as under `cargo run`.
        .env("CARGO_MANIFEST_DIR", &xtask_dir)
        .env("REWIND_XTASK_LAUNCHED_MS", launched.to_string())
        .status()
    {
        Ok(status) if status.success() => ExitCode::SUCCESS,
        Ok(status) => ExitCode::from(status.code().map_or(1, |c| c.clamp(1, 255) as u8)),
        Err(e) => {
            eprintln!("cannot run {}: {e}", executable.display());
            ExitCode::FAILURE
        }
    }
}

/// `cargo build -p xtask`, its messages read as they come: the number of crates built
/// shown on one line (a terminal only), the whole output kept in `log`.
fn build(root: &Path, log: &Path) -> Result<PathBuf, String> {
    if let Some(dir) = log.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    let mut file =
        std::fs::File::create(log).map_err(|e| format!("cannot write {}: {e}", log.display()))?;
    let began = Instant::now();
    let mut child = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .args([
            "build",
            "--locked",
            "--package",
            "xtask",
            "--message-format",
            "json-render-diagnostics",
        ])
        .current_dir(root)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    let stderr = child.stderr.take();
    // Cargo's own lines (and rendered errors) go to the log as they come.
    let errors = std::thread::spawn(move || {
        let mut text = String::new();
        if let Some(mut stderr) = stderr {
            let _ = stderr.read_to_string(&mut text);
        }
        text
    });
    let terminal = std::io::stdout().is_terminal();
    let built = AtomicUsize::new(0);
    let finished = AtomicBool::new(false);
    let mut executable = None;
    std::thread::scope(|scope| {
        // The progress line, redrawn twice a second (a terminal only): a crate such as
        // aws-lc-sys compiles for a minute without a message.
        scope.spawn(|| {
            while terminal && !finished.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(500));
                let n = built.load(Ordering::Relaxed);
                if n > 0 && !finished.load(Ordering::Relaxed) {
                    print!(
                        "\r\x1b[2K  … compiling xtask (the project's automation): {n} crates, {}",
                        elapsed(began.elapsed())
                    );
                    let _ = std::io::stdout().flush();
                }
            }
        });
        if let Some(stdout) = child.stdout.take() {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if line.contains("\"reason\":\"compiler-artifact\"")
                    && line.contains("\"fresh\":false")
                {
                    built.fetch_add(1, Ordering::Relaxed);
                }
                if line.contains("\"name\":\"xtask\"") && line.contains("\"kind\":[\"bin\"]") {
                    executable = string_field(&line, "executable").map(PathBuf::from);
                }
            }
        }
        finished.store(true, Ordering::Relaxed);
    });
    let built = built.load(Ordering::Relaxed);
    let status = child.wait().map_err(|e| format!("cargo: {e}"))?;
    let cargo_output = errors.join().unwrap_or_default();
    let _ = file.write_all(cargo_output.as_bytes());
    if terminal && built > 0 {
        print!("\r\x1b[2K");
    }
    if !status.success() {
        let tail: Vec<&str> = cargo_output.lines().rev().take(40).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        return Err(format!(
            "xtask did not compile ({}):\n{}",
            log.display(),
            tail.join("\n")
        ));
    }
    if built > 0 {
        println!(
            "  ✓ {:<58} {:>7}",
            format!("xtask compiled ({built} crates)"),
            elapsed(began.elapsed())
        );
    }
    executable.ok_or_else(|| format!("cargo named no xtask executable ({})", log.display()))
}

/// A JSON string field's value from one of cargo's message lines (paths: no escapes
/// but `\\` and `\"`).
fn string_field(line: &str, name: &str) -> Option<String> {
    let start = line.find(&format!("\"{name}\":\""))? + name.len() + 4;
    let mut value = String::new();
    let mut chars = line[start..].chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => return Some(value),
            '\\' => value.push(chars.next()?),
            c => value.push(c),
        }
    }
    None
}

/// `3m 02s`, `41s`.
fn elapsed(took: Duration) -> String {
    let seconds = took.as_secs();
    if seconds >= 60 {
        format!("{}m {:02}s", seconds / 60, seconds % 60)
    } else {
        format!("{seconds}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_executable_of_an_artifact_line() {
        let line = r#"{"reason":"compiler-artifact","target":{"kind":["bin"],"name":"xtask"},"executable":"/t/debug/xtask","fresh":true}"#;
        assert_eq!(
            string_field(line, "executable").as_deref(),
            Some("/t/debug/xtask")
        );
        assert_eq!(string_field(line, "missing"), None);
        assert_eq!(elapsed(Duration::from_secs(182)), "3m 02s");
        assert_eq!(elapsed(Duration::from_secs(41)), "41s");
    }
}
