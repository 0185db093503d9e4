//! Installs and runs the tools the project needs, each pinned and idempotent.

use crate::Result;
use anyhow::Context;
use std::path::{Path, PathBuf};
use std::process::Command;

pub const TRUNK_VERSION: &str = "0.21.14";
pub const CARGO_DENY_VERSION: &str = "0.20.2";
pub const LEPTOSFMT_VERSION: &str = "0.1.33";
pub const WASM_BINDGEN_VERSION: &str = "0.2.130";
/// The emulators, pinned (docs/emulators-and-tools.md): ministack for `dev`, both for tests; and
/// schemathesis, which fuzzes the API from its OpenAPI document.
pub const EMULATORS: &[&str] = &[
    "ministack==1.5.33",
    // ministack decodes the SDK's rpc-v2-cbor requests (CloudWatch's) only with cbor2;
    // without it GetMetricData silently reads no query.
    "cbor2==5.9.0",
    "moto[server]==5.2.5",
    "schemathesis==4.32.5",
];
/// boto3's own `eventbridgev2` client, pinned, for the v2 stand-in's conformance test
/// (`testkit/conformance/eventsv2_boto3.py`; botocore 1.44.18 is the first with the model).
/// ministack 1.5.33 pins `botocore==1.43.106`, so these cannot sit in the venv's
/// site-packages: the venv's pip installs them into [`CONFORMANCE_DIR`] inside the venv,
/// which the test puts on `PYTHONPATH`.
pub const CONFORMANCE_CLIENT: &[&str] = &["boto3==1.44.18", "botocore==1.44.18"];
/// Where [`CONFORMANCE_CLIENT`] goes, inside the emulator venv.
pub const CONFORMANCE_DIR: &str = "eventsv2-conformance";
/// The offline deployment checks, pinned, in a venv of their own (SAM CLI pins a boto3
/// the emulators cannot share).
pub const DEPLOY_TOOLS: &[&str] = &[
    "cfn-lint==1.58.0",
    "aws-sam-cli==1.170.0",
    "cargo-lambda==1.9.2",
    "awscli==1.46.3",
];
/// The whole-AWS emulator the deploy rehearsal deploys `template.yaml` to, in a venv of
/// its own (its `[full]` extras pin their own boto3).
pub const REHEARSAL_TOOLS: &[&str] = &["ministack[full]==1.5.33", "cbor2==5.9.0"];

/// The checkout this run works in. Cargo's run-time `CARGO_MANIFEST_DIR` first: a build
/// cached outside the clone (CI's `CARGO_TARGET_DIR`) may have been compiled in another
/// checkout, whose path `env!` would have baked in.
pub fn workspace_root() -> PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"))
}

/// Where cargo-installed tools go: `REWIND_TOOLS`, else `~/.cache/rewind/tools`.
pub fn tools_root() -> PathBuf {
    if let Some(dir) = std::env::var_os("REWIND_TOOLS") {
        return PathBuf::from(dir);
    }
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/tmp"));
    home.join(".cache").join("rewind").join("tools")
}

/// The project's Python venv with the emulators: `REWIND_VENV`, else `.venv`.
pub fn venv_dir() -> PathBuf {
    std::env::var_os("REWIND_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join(".venv"))
}

/// The venv with the deployment tools: `REWIND_DEPLOY_VENV`, else `.venv-deploy`.
pub fn deploy_venv_dir() -> PathBuf {
    std::env::var_os("REWIND_DEPLOY_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join(".venv-deploy"))
}

/// The venv with ministack[full]: `REWIND_REHEARSAL_VENV`, else `.venv-rehearsal`.
pub fn rehearsal_venv_dir() -> PathBuf {
    std::env::var_os("REWIND_REHEARSAL_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join(".venv-rehearsal"))
}

pub fn step(title: &str) {
    match quiet_log() {
        Some(log) => append(&log, &format!("\n==> {title}\n")),
        None => println!("\n==> {title}"),
    }
    if let Ok(mut steps) = STEPS.lock() {
        steps.push((title.to_owned(), std::time::Instant::now()));
    }
}

thread_local! {
    /// Where this thread's commands write their output, and its steps their titles,
    /// instead of the terminal: `cargo xtask dev` sets one per phase.
    static QUIET_LOG: std::cell::RefCell<Option<PathBuf>> = const { std::cell::RefCell::new(None) };
}

/// From now on this thread's commands and steps write to `log` (None: the terminal).
pub fn log_to(log: Option<PathBuf>) {
    QUIET_LOG.with(|l| *l.borrow_mut() = log);
}

fn quiet_log() -> Option<PathBuf> {
    QUIET_LOG.with(|l| l.borrow().clone())
}

fn append(log: &Path, text: &str) {
    use std::io::Write;
    if let Ok(mut file) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
    {
        let _ = file.write_all(text.as_bytes());
    }
}

/// Every step begun so far in this process, with when it began.
static STEPS: std::sync::Mutex<Vec<(String, std::time::Instant)>> =
    std::sync::Mutex::new(Vec::new());

/// A table of each step's duration (a step lasts until the next one begins), slowest
/// marked, and the total: where the test command's time goes.
pub fn step_durations() -> String {
    let steps = STEPS.lock().map(|s| s.clone()).unwrap_or_default();
    let Some((_, first)) = steps.first() else {
        return String::new();
    };
    let now = std::time::Instant::now();
    let mut rows = Vec::new();
    for (i, (title, began)) in steps.iter().enumerate() {
        let ended = steps.get(i + 1).map_or(now, |(_, next)| *next);
        rows.push((title.as_str(), ended.duration_since(*began)));
    }
    let mut table = String::from("| step | seconds |\n|---|---:|\n");
    for (title, took) in &rows {
        table.push_str(&format!("| {title} | {:.0} |\n", took.as_secs_f64()));
    }
    table.push_str(&format!(
        "| **total** | **{:.0}** |\n",
        now.duration_since(*first).as_secs_f64()
    ));
    table
}

/// PATH with the project's tools first.
fn tool_path() -> String {
    let mut dirs = vec![
        tools_root().join("bin"),
        // cargo-lambda runs zig as `python3 -m ziglang`: this venv's python3 must win.
        deploy_venv_dir().join("bin"),
        venv_dir().join("bin"),
        workspace_root().join("node_modules").join(".bin"),
    ];
    if let Some(path) = std::env::var_os("PATH") {
        dirs.extend(std::env::split_paths(&path));
    }
    std::env::join_paths(dirs)
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// A command with the project's tools first on PATH, run from the workspace root.
pub fn command(program: &str) -> Command {
    let mut command = Command::new(program);
    command
        .env("PATH", tool_path())
        .current_dir(workspace_root());
    command
}

pub fn run(program: &str, args: &[&str], env: &[(&str, &str)]) -> Result<()> {
    run_command(
        command(program)
            .args(locked(program, args))
            .envs(env.iter().copied()),
    )
}

/// `args` with `--locked` after the subcommand of every cargo build (build, test,
/// clippy, bench, run, `lambda build`, `install`) and of `trunk build`: nothing is ever
/// built from versions other than `Cargo.lock`'s. (`cargo fuzz` has no such flag; its
/// own lockfile is committed.)
pub fn locked<'a>(program: &str, args: &[&'a str]) -> Vec<&'a str> {
    let at = match (program, args) {
        (
            "cargo",
            [
                "build" | "test" | "clippy" | "bench" | "run" | "check" | "install",
                ..,
            ],
        )
        | ("trunk", ["build", ..]) => Some(1),
        ("cargo", ["lambda", "build", ..]) => Some(2),
        _ => None,
    };
    let mut out = args.to_vec();
    if let Some(at) = at
        && !args.contains(&"--locked")
    {
        out.insert(at, "--locked");
    }
    out
}

/// Runs `command` to its end; fails, naming it, unless it succeeded.
pub fn run_command(command: &mut Command) -> Result<()> {
    let program = command.get_program().to_string_lossy().into_owned();
    let args: Vec<String> = command
        .get_args()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let log = quiet_log();
    if let Some(log) = &log {
        append(log, &format!("$ {program} {}\n", args.join(" ")));
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .with_context(|| format!("cannot write {}", log.display()))?;
        command.stdout(file.try_clone()?).stderr(file);
    }
    let status = command
        .status()
        .with_context(|| format!("cannot run {program}"))?;
    anyhow::ensure!(
        status.success(),
        "`{program} {}` failed ({status}){}",
        args.join(" "),
        log.map(|l| format!("; its output: {}", l.display()))
            .unwrap_or_default()
    );
    Ok(())
}

/// Runs `cargo test …`, echoing its output, and returns the (passed, failed) totals of
/// every `test result:` line.
pub fn run_tests(args: &[&str], env: &[(&str, &str)]) -> Result<(u64, u64)> {
    use std::io::{BufRead, BufReader};
    let mut child = Command::new("cargo")
        .args(locked("cargo", args))
        .envs(env.iter().copied())
        .env("PATH", tool_path())
        .current_dir(workspace_root())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| anyhow::anyhow!("cannot run cargo: {e}"))?;
    let (mut passed, mut failed) = (0, 0);
    let mut failures = FailureBlocks::default();
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout)
            .lines()
            .map_while(std::result::Result::ok)
        {
            println!("{line}");
            failures.see(&line);
            if let Some(rest) = line.strip_prefix("test result: ") {
                passed += count(rest, " passed");
                failed += count(rest, " failed");
            }
        }
    }
    let status = child.wait()?;
    if status.success() {
        Ok((passed, failed))
    } else {
        Err(anyhow::anyhow!(
            "tests failed: {passed} passed, {failed} failed{}",
            failures.text()
        ))
    }
}

/// The `---- name stdout ----` sections libtest prints for failed tests, kept to repeat
/// them in the final error: a long run's log is read from its end (CI printouts keep
/// the head and the tail), where the panic messages would otherwise be missing.
#[derive(Default)]
struct FailureBlocks {
    lines: Vec<String>,
    in_block: bool,
    block_lines: usize,
}

impl FailureBlocks {
    /// Lines kept of one failed test's output: its panic message comes first.
    const PER_BLOCK: usize = 30;

    fn see(&mut self, line: &str) {
        if line.starts_with("---- ") && line.ends_with(" ----") {
            self.in_block = true;
            self.block_lines = 0;
        } else if line == "failures:" || line.starts_with("test result: ") {
            self.in_block = false;
        }
        if self.in_block && self.block_lines < Self::PER_BLOCK {
            self.block_lines += 1;
            self.lines.push(line.to_owned());
        }
    }

    fn text(&self) -> String {
        if self.lines.is_empty() {
            String::new()
        } else {
            format!("\n{}", self.lines.join("\n"))
        }
    }
}

/// The number before `label` in "ok. 54 passed; 0 failed; …".
fn count(summary: &str, label: &str) -> u64 {
    summary
        .split(';')
        .find_map(|part| {
            part.trim()
                .trim_start_matches("ok. ")
                .trim_start_matches("FAILED. ")
                .strip_suffix(label.trim())
        })
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0)
}

fn output(program: &str, args: &[&str]) -> Option<String> {
    Command::new(program)
        .args(args)
        .env("PATH", tool_path())
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
}

pub fn ensure_target(target: &str) -> Result<()> {
    let installed = output("rustup", &["target", "list", "--installed"]).unwrap_or_default();
    if !installed.lines().any(|l| l.trim() == target) {
        step(&format!("Adding the {target} target"));
        run("rustup", &["target", "add", target], &[])?;
    }
    Ok(())
}

/// Chromium and ChromeDriver for the browser tests, from Debian's packages.
pub fn ensure_browser() -> Result<()> {
    let have = |program: &str| output(program, &["--version"]).is_some();
    if have("chromium") && have("chromedriver") {
        return Ok(());
    }
    let is_root = output("id", &["-u"]).is_some_and(|uid| uid.trim() == "0");
    if !is_root {
        return Err(anyhow::anyhow!(
            "the browser tests need Chromium and ChromeDriver: sudo apt-get install chromium chromium-driver"
        ));
    }
    step("Installing Chromium and ChromeDriver (apt)");
    run("apt-get", &["update", "-qq"], &[])?;
    run(
        "apt-get",
        &["install", "-y", "-qq", "chromium", "chromium-driver"],
        &[("DEBIAN_FRONTEND", "noninteractive")],
    )
}

pub fn ensure_wasm_target() -> Result<()> {
    ensure_target("wasm32-unknown-unknown")
}

/// Captures a command's standard output, failing with its standard error.
pub fn capture(program: &str, args: &[&str], env: &[(&str, &str)]) -> Result<String> {
    let out = Command::new(program)
        .args(args)
        .envs(env.iter().copied())
        .env("PATH", tool_path())
        .current_dir(workspace_root())
        .output()
        .map_err(|e| anyhow::anyhow!("cannot run {program}: {e}"))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(anyhow::anyhow!(
            "`{program} {}` failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

pub fn cargo_install(binary: &str, krate: &str, version: &str, locked: bool) -> Result<()> {
    cargo_install_at(binary, krate, version, locked, "1")
}

/// [`cargo_install`] at `opt_level`.
fn cargo_install_at(
    binary: &str,
    krate: &str,
    version: &str,
    locked: bool,
    opt_level: &str,
) -> Result<()> {
    let have = output(binary, &["--version"]).unwrap_or_default();
    if have.contains(version) {
        return Ok(());
    }
    step(&format!(
        "Installing {krate} {version} (once; cached in {})",
        tools_root().display()
    ));
    let root = tools_root();
    let root = root.to_string_lossy();
    let mut args = vec!["install", krate, "--version", version, "--root", &root];
    if locked {
        args.push("--locked");
    }
    // The tools' own release profiles (Trunk: fat LTO, one codegen unit) are for shipped
    // binaries; these run a few seconds per build, so they compile for build speed. The
    // profile is the installed crate's own, hence the environment, which overrides it.
    run_command(
        command("cargo")
            .args(&args)
            .envs(FAST_TOOL_PROFILE.iter().copied())
            .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", opt_level),
    )
}

/// How `cargo install` compiles the project's tools (`cargo xtask dev`, cold: BENCHMARKS.md).
const FAST_TOOL_PROFILE: &[(&str, &str)] = &[
    ("CARGO_PROFILE_RELEASE_LTO", "off"),
    ("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "64"),
    ("CARGO_PROFILE_RELEASE_DEBUG", "false"),
];

/// Whether Trunk and wasm-bindgen are installed at their pinned versions.
pub fn frontend_tools_installed() -> bool {
    output("trunk", &["--version"]).is_some_and(|v| v.contains(TRUNK_VERSION))
        && output("wasm-bindgen", &["--version"]).is_some_and(|v| v.contains(WASM_BINDGEN_VERSION))
}

/// Trunk, wasm-bindgen and wasm-opt at the versions `Trunk.toml` names.
pub fn ensure_frontend_tools() -> Result<()> {
    ensure_wasm_target()?;
    ensure_trunk()?;
    ensure_wasm_bindgen()?;
    ensure_npm_tools()
}

/// Unoptimised: Trunk's own work per build (hashing, copying, a few KB of CSS and HTML)
/// takes well under a second even so, and it compiles in much less time; the wasm work
/// is wasm-bindgen's and wasm-opt's.
pub fn ensure_trunk() -> Result<()> {
    cargo_install_at("trunk", "trunk", TRUNK_VERSION, true, "0")
}

pub fn ensure_wasm_bindgen() -> Result<()> {
    // Its lockfile pins a crate the registry lacks, so it installs unlocked (docs/emulators-and-tools.md, "Tools").
    cargo_install(
        "wasm-bindgen",
        "wasm-bindgen-cli",
        WASM_BINDGEN_VERSION,
        false,
    )
}

/// wasm-opt and esbuild, from npm (prebuilt binaries: nothing compiles).
pub fn ensure_npm_tools() -> Result<()> {
    let bin = workspace_root().join("node_modules").join(".bin");
    if !bin.join("wasm-opt").exists() || !bin.join("esbuild").exists() {
        step("Installing wasm-opt and esbuild (npm binaryen and esbuild, pinned in package.json)");
        run("npm", &["install", "--no-audit", "--no-fund"], &[])?;
    }
    Ok(())
}

/// `trunk build --release`, then `.br` and `.gz` beside each file for the local server.
pub fn trunk_build() -> Result<()> {
    step("Building the console (trunk build --release)");
    // Trunk's JS minifier (the minify-js crate) cannot parse ES modules (wasm-bindgen's
    // `export default`, boot.js's dynamic import), warns "Failed to minify JS" and copies
    // them as they are; esbuild minifies them below instead, so that warning alone is off.
    run(
        "trunk",
        &["build", "--release"],
        &[("RUST_LOG", "info,trunk::processing::minify=error")],
    )?;
    minify_js(&workspace_root().join("dist"))?;
    prerender(&workspace_root().join("dist"))?;
    crate::payload::precompress(&workspace_root().join("dist"))
}

/// Each route's static frame, rendered into `dist/frames/` by a native build of the
/// console's own components (the frontend's `prerender` feature, Leptos's server
/// renderer): the page's content is in the HTML, painted before the wasm arrives.
fn prerender(dist: &Path) -> Result<()> {
    step("Rendering each route's static frame (rewind-frontend --features prerender)");
    let dist = dist.to_string_lossy();
    run(
        "cargo",
        &[
            "run",
            "--quiet",
            "--package",
            "rewind-frontend",
            "--features",
            "prerender",
            "--",
            &dist,
        ],
        &[],
    )
}

/// Minifies each `.js` of `dist` in place with esbuild (npm, pinned in package.json): the
/// wasm-bindgen glue 56 → 26 KB. The subresource-integrity digests Trunk wrote into
/// index.html are replaced with the minified files' own, and every hashed file is then
/// renamed by its final bytes ([`name_by_content`]).
fn minify_js(dist: &Path) -> Result<()> {
    use base64::Engine as _;
    use sha2::Digest as _;
    let digest = |path: &Path| -> Result<String> {
        let bytes =
            std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        Ok(format!(
            "sha384-{}",
            base64::engine::general_purpose::STANDARD.encode(sha2::Sha384::digest(&bytes))
        ))
    };
    let index = dist.join("index.html");
    let mut html = std::fs::read_to_string(&index)
        .with_context(|| format!("cannot read {}", index.display()))?;
    let esbuild = workspace_root()
        .join("node_modules")
        .join(".bin")
        .join("esbuild");
    let esbuild = esbuild.to_string_lossy();
    let entries =
        std::fs::read_dir(dist).with_context(|| format!("cannot read {}", dist.display()))?;
    for entry in entries {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "js") {
            let before = digest(&path)?;
            let file = path.to_string_lossy();
            run(
                &esbuild,
                &[
                    &file,
                    "--minify",
                    "--format=esm",
                    "--target=es2022",
                    "--allow-overwrite",
                    "--log-level=warning",
                    &format!("--outfile={file}"),
                ],
                &[],
            )?;
            html = html.replace(&before, &digest(&path)?);
        }
    }
    name_by_content(dist, &mut html)?;
    // boot.js fetches the glue and the wasm itself (Trunk.toml's pattern_preload): their
    // subresource-integrity digests go beside their names, in the meta tag it reads.
    let named = |attribute: &str| -> Result<String> {
        attribute_value(&html, attribute)
            .map(|v| v.trim_start_matches('/').to_owned())
            .with_context(|| format!("index.html's rewind-app meta has no {attribute}"))
    };
    let (js, wasm) = (named("data-js")?, named("data-wasm")?);
    let digests = format!(
        "<meta data-js-integrity=\"{}\" data-wasm-integrity=\"{}\"",
        digest(&dist.join(&js))?,
        digest(&dist.join(&wasm))?
    );
    let meta = html
        .find("name=rewind-app")
        .or_else(|| html.find("name=\"rewind-app\""))
        .and_then(|at| html[..at].rfind("<meta"))
        .context("index.html has no rewind-app meta")?;
    html.replace_range(meta..meta + "<meta".len(), &digests);
    std::fs::write(&index, html).with_context(|| format!("cannot write {}", index.display()))
}

/// Renames each hashed file of `dist` (`name-<hash>.ext`, `name-<hash>_bg.wasm`) by a
/// hash of its final bytes, and `html` with it. Trunk's hash is of its input, taken before
/// wasm-bindgen, wasm-opt, lightningcss and esbuild: a new version of one of those changes
/// a file's bytes under the same name, which browsers keep for a year (`immutable`) and
/// would then fail its integrity check on every load. Named by content, new bytes are a
/// new name.
fn name_by_content(dist: &Path, html: &mut String) -> Result<()> {
    use sha2::Digest as _;
    // Files that share Trunk's hash (the glue and its wasm) share the new one, of their
    // bytes together: index.html names them side by side, and one hash compresses better.
    let mut groups: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for entry in
        std::fs::read_dir(dist).with_context(|| format!("cannot read {}", dist.display()))?
    {
        let path = entry?.path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()).map(str::to_owned) else {
            continue;
        };
        if !path.is_file() || !shared::console::is_hashed_asset(&format!("/{name}")) {
            continue;
        }
        let (_, trunk_hash) = hash_of(&name).with_context(|| format!("{name} has no hash"))?;
        groups.entry(trunk_hash.to_owned()).or_default().push(name);
    }
    for names in groups.values_mut() {
        names.sort();
        let mut hasher = sha2::Sha256::new();
        for name in names.iter() {
            let path = dist.join(name);
            hasher.update(
                std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?,
            );
        }
        let hash = hasher.finalize();
        let content = hash[..8]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>();
        for old in names.iter() {
            let new = content_name(old, &content)
                .with_context(|| format!("{old} is not named name-<hash>.ext"))?;
            anyhow::ensure!(
                html.contains(old.as_str()),
                "index.html does not name {old}: nothing would load it"
            );
            std::fs::rename(dist.join(old), dist.join(&new))
                .with_context(|| format!("cannot rename {old} to {new}"))?;
            *html = html.replace(old.as_str(), &new);
        }
    }
    Ok(())
}

/// `name-<hash>.ext` or `name-<hash>_bg.wasm` → (`name`, `<hash>`).
fn hash_of(name: &str) -> Option<(&str, &str)> {
    let (stem, _) = name.rsplit_once('.')?;
    stem.strip_suffix("_bg").unwrap_or(stem).rsplit_once('-')
}

/// `name` (`name-<hash>.ext` or `name-<hash>_bg.wasm`) with `content` for its hash.
fn content_name(name: &str, content: &str) -> Option<String> {
    let (prefix, hash) = hash_of(name)?;
    let rest = name.get(prefix.len() + 1 + hash.len()..)?;
    Some(format!("{prefix}-{content}{rest}"))
}

/// The value of the first `name=value` or `name="value"` in `html`.
fn attribute_value<'a>(html: &'a str, name: &str) -> Option<&'a str> {
    let (_, rest) = html.split_once(&format!("{name}="))?;
    match rest.strip_prefix('"') {
        Some(quoted) => quoted.split_once('"').map(|(v, _)| v),
        None => rest.split(|c: char| c.is_whitespace() || c == '>').next(),
    }
}

/// Creates `.venv` with the pinned emulators and schemathesis, and the conformance
/// client beside them, unless already there.
pub fn ensure_venv() -> Result<()> {
    ensure_python_tools(&venv_dir(), EMULATORS, "the EventBridge emulators")?;
    ensure_python_target(
        &venv_dir(),
        CONFORMANCE_DIR,
        CONFORMANCE_CLIENT,
        "boto3's eventbridgev2 client (the v2 stand-in's conformance test)",
    )
}

/// Installs `packages` with `venv`'s pip into `venv/<dir>` (`pip install --target`), apart
/// from the venv's own site-packages, unless already there.
fn ensure_python_target(venv: &Path, dir: &str, packages: &[&str], what: &str) -> Result<()> {
    let target = venv.join(dir);
    let marker = target.join("rewind-packages.txt");
    let wanted = packages.join("\n");
    if std::fs::read_to_string(&marker).is_ok_and(|have| have == wanted) {
        return Ok(());
    }
    step(&format!("Installing {what} into {}", target.display()));
    let pip = venv.join("bin").join("pip");
    let pip = pip.to_string_lossy();
    let target_str = target.to_string_lossy().into_owned();
    let mut args = vec![
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "--upgrade",
        "--target",
        &target_str,
    ];
    args.extend(packages);
    run(&pip, &args, &[])?;
    std::fs::write(&marker, wanted)
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", marker.display()))
}

/// The part of `.venv` that `cargo xtask dev` needs: ministack (and cbor2), nothing the
/// tests alone use.
pub fn ensure_dev_venv() -> Result<()> {
    ensure_python_tools(
        &venv_dir(),
        &EMULATORS[..2],
        "ministack (the local emulator)",
    )
}

/// Creates `.venv-deploy` with the pinned deployment tools unless already there.
pub fn ensure_deploy_venv() -> Result<()> {
    ensure_python_tools(
        &deploy_venv_dir(),
        DEPLOY_TOOLS,
        "cfn-lint, the SAM CLI and cargo-lambda",
    )
}

/// Creates `.venv-rehearsal` with ministack[full] unless already there.
pub fn ensure_rehearsal_venv() -> Result<()> {
    ensure_python_tools(
        &rehearsal_venv_dir(),
        REHEARSAL_TOOLS,
        "ministack[full] (the emulated AWS of the deploy rehearsal)",
    )
}

fn ensure_python_tools(venv: &Path, packages: &[&str], what: &str) -> Result<()> {
    let marker = venv.join("rewind-packages.txt");
    let had = std::fs::read_to_string(&marker).unwrap_or_default();
    // A venv holding more than asked for will do (dev's part of the tests' venv).
    if packages.iter().all(|p| had.lines().any(|l| l == *p)) {
        return Ok(());
    }
    let mut all: Vec<&str> = had.lines().filter(|l| !l.is_empty()).collect();
    all.extend(packages.iter().filter(|p| !had.lines().any(|l| l == **p)));
    let wanted = all.join("\n");
    step(&format!("Installing {what} into {}", venv.display()));
    let venv_str = venv.to_string_lossy().into_owned();
    if !venv.join("bin").join("pip").exists() {
        run("python3", &["-m", "venv", &venv_str], &[])?;
    }
    let pip = venv.join("bin").join("pip");
    let pip = pip.to_string_lossy();
    let mut args = vec!["install", "--quiet", "--disable-pip-version-check"];
    args.extend(packages);
    run(&pip, &args, &[])?;
    std::fs::write(&marker, wanted)
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", marker.display()))
}

#[cfg(test)]
mod tests {
    use super::{FailureBlocks, attribute_value, content_name, locked, name_by_content};

    #[test]
    fn hashed_files_are_named_by_their_bytes() -> anyhow::Result<()> {
        assert_eq!(
            content_name(
                "rewind-frontend-7bd8400c9133a1aa_bg.wasm",
                "0123456789abcdef"
            )
            .as_deref(),
            Some("rewind-frontend-0123456789abcdef_bg.wasm")
        );
        assert_eq!(
            content_name("style-989ecbb9007ec90.css", "00aa00aa00aa00aa").as_deref(),
            Some("style-00aa00aa00aa00aa.css")
        );
        let dist =
            std::env::temp_dir().join(format!("rewind-content-names-{}", std::process::id()));
        std::fs::create_dir_all(&dist)?;
        let files = [
            ("boot-fd3638de593e7e18.js", "one"),
            ("style-62d0061e4bd753d5.css", "two"),
            // The glue and its wasm share Trunk's hash, and share the new one.
            ("app-1111111111111111.js", "glue"),
            ("app-1111111111111111_bg.wasm", "wasm"),
        ];
        let mut html = String::from(
            "<link href=/style-62d0061e4bd753d5.css><script src=/boot-fd3638de593e7e18.js></script>\
             <meta data-js=/app-1111111111111111.js data-wasm=/app-1111111111111111_bg.wasm>",
        );
        for (name, bytes) in files {
            std::fs::write(dist.join(name), bytes)?;
        }
        let first = name_by_content(&dist, &mut html);
        let listed = |dist: &std::path::Path| -> std::io::Result<Vec<String>> {
            let mut files: Vec<String> = std::fs::read_dir(dist)?
                .filter_map(|e| e.ok()?.file_name().into_string().ok())
                .collect();
            files.sort();
            Ok(files)
        };
        let after = listed(&dist)?;
        // New bytes under a name get a new name; the other files keep theirs.
        std::fs::write(dist.join("boot-7692c3ad3540bb80.js"), "three")?;
        let mut again = html.clone();
        let second = name_by_content(&dist, &mut again);
        let after_second = listed(&dist)?;
        // A hashed file that index.html does not name is refused.
        std::fs::write(dist.join("orphan-0123456789abcdef.js"), "x")?;
        let orphan = name_by_content(&dist, &mut again.clone());
        std::fs::remove_dir_all(&dist)?;
        first?;
        second?;
        assert!(orphan.is_err());
        // The first 8 bytes of sha256("one"), ("two"), ("glue" + "wasm"), ("three").
        assert_eq!(
            after,
            [
                "app-97d58f99c8036608.js",
                "app-97d58f99c8036608_bg.wasm",
                "boot-7692c3ad3540bb80.js",
                "style-3fc4ccfe745870e2.css"
            ]
        );
        assert_eq!(
            html,
            "<link href=/style-3fc4ccfe745870e2.css><script src=/boot-7692c3ad3540bb80.js></script>\
             <meta data-js=/app-97d58f99c8036608.js data-wasm=/app-97d58f99c8036608_bg.wasm>"
        );
        assert!(
            after_second.contains(&"boot-8b5b9db0c13db242.js".to_owned()),
            "{after_second:?}"
        );
        assert!(
            again.contains("boot-8b5b9db0c13db242.js")
                && again.contains("style-3fc4ccfe745870e2.css"),
            "{again}"
        );
        Ok(())
    }

    #[test]
    fn attributes_are_read_quoted_or_not() {
        let html = r#"<meta data-js=/app-1.js data-wasm="/app-1_bg.wasm" name=rewind-app>"#;
        assert_eq!(attribute_value(html, "data-js"), Some("/app-1.js"));
        assert_eq!(attribute_value(html, "data-wasm"), Some("/app-1_bg.wasm"));
        assert_eq!(attribute_value(html, "data-css"), None);
    }

    #[test]
    fn a_failed_tests_panic_is_repeated_and_nothing_else() {
        let mut blocks = FailureBlocks::default();
        for line in [
            "test a ... ok",
            "failures:",
            "",
            "---- browser::b stdout ----",
            "thread 'b' panicked at x.rs:1:1:",
            "RUNNING was never shown",
            "",
            "failures:",
            "    browser::b",
            "test result: FAILED. 1 passed; 1 failed",
        ] {
            blocks.see(line);
        }
        assert_eq!(
            blocks.text(),
            "\n---- browser::b stdout ----\nthread 'b' panicked at x.rs:1:1:\nRUNNING was never shown\n"
        );
    }

    #[test]
    fn every_cargo_build_is_locked() {
        assert_eq!(
            locked("cargo", &["test", "-p", "x"]),
            ["test", "--locked", "-p", "x"]
        );
        assert_eq!(
            locked("cargo", &["lambda", "build", "--release"]),
            ["lambda", "build", "--locked", "--release"]
        );
        assert_eq!(
            locked("trunk", &["build", "--release"]),
            ["build", "--locked", "--release"]
        );
        assert_eq!(
            locked("cargo", &["install", "x", "--locked"]),
            ["install", "x", "--locked"]
        );
        assert_eq!(locked("cargo", &["fmt", "--all"]), ["fmt", "--all"]);
        assert_eq!(locked("npm", &["ci"]), ["ci"]);
    }
}
