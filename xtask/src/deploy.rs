//! Deployment: the offline checks CI runs on `template.yaml` and the Lambda build, and
//! uploading the console to a deployed stack.

use crate::Result;
use crate::tools::{self, step};
use anyhow::Context;
use serde_json::Value;
use shared::console::ConsoleConfig;

/// `cfn-lint`, `sam validate --lint`, and the arm64 `bootstrap` that SAM would ship.
pub fn checks() -> Result<()> {
    tools::ensure_deploy_venv()?;
    step("Deployment: cfn-lint template.yaml");
    tools::run("cfn-lint", &["template.yaml"], &[])?;
    step("Deployment: sam validate --lint (offline, no credentials)");
    tools::run(
        "sam",
        &["validate", "--lint", "--template-file", "template.yaml"],
        &[
            ("AWS_DEFAULT_REGION", "us-east-1"),
            ("SAM_CLI_TELEMETRY", "0"),
        ],
    )?;
    lambda_bootstrap_bytes()?;
    Ok(())
}

/// Builds the function's arm64 `bootstrap` as SAM would (cargo lambda) and returns its
/// stripped size in bytes.
pub fn lambda_bootstrap_bytes() -> Result<u64> {
    tools::ensure_deploy_venv()?;
    step("Deployment: cargo lambda build --release --arm64 (the function's bootstrap)");
    tools::ensure_target("aarch64-unknown-linux-gnu")?;
    tools::run(
        "cargo",
        &[
            "lambda",
            "build",
            "--release",
            "--arm64",
            "-p",
            "rewind-backend",
            "--bin",
            "rewind",
        ],
        &[],
    )?;
    let bootstrap = tools::target_dir()
        .join("lambda")
        .join("rewind")
        .join("bootstrap");
    let bytes = std::fs::metadata(&bootstrap)
        .map_err(|e| anyhow::anyhow!("{} was not built: {e}", bootstrap.display()))?
        .len();
    // The release profile strips symbols (`strip = true`).
    println!(
        "bootstrap (arm64, stripped): {bytes} bytes = {:.2} MiB  ({})",
        bytes as f64 / 1_048_576.0,
        bootstrap.display()
    );
    Ok(bytes)
}

/// Uploads `dist/` to the console bucket: hashed assets cached for a year, the entry
/// points revalidated on every load; every file with its own content type (the wasm as
/// `application/wasm`, which CloudFront compresses, whatever the machine's MIME table
/// says); the local server's `.br`/`.gz` copies stay behind, as CloudFront compresses
/// by itself.
fn upload(dist: &std::path::Path, bucket: &str, aws_region: &[&str]) -> Result<()> {
    let unhashed = unhashed_uploads(dist)?;
    anyhow::ensure!(
        unhashed.is_empty(),
        "{} holds {} that would be uploaded as immutable (cached for a year) without a \
         content hash in the name; name it as Trunk does (`name-<hash>.ext`) or upload it \
         like index.html",
        dist.display(),
        unhashed.join(", ")
    );
    let target = format!("s3://{bucket}/");
    let dist_str = dist.to_string_lossy().into_owned();
    let immutable = "public,max-age=31536000,immutable";
    let mut sync = vec![
        "s3",
        "sync",
        &dist_str,
        &target,
        "--delete",
        "--exclude",
        "index.html",
        "--exclude",
        "config.json",
        "--exclude",
        "frames/*",
        "--exclude",
        "*.br",
        "--exclude",
        "*.gz",
        "--cache-control",
        immutable,
    ];
    sync.extend(aws_region);
    tools::run("aws", &sync, &[])?;
    let mut wasm = vec![
        "s3",
        "cp",
        &dist_str,
        &target,
        "--recursive",
        "--exclude",
        "*",
        "--include",
        "*.wasm",
        "--content-type",
        "application/wasm",
        "--cache-control",
        immutable,
    ];
    wasm.extend(aws_region);
    tools::run("aws", &wasm, &[])?;
    // Each route's static frame, revalidated like index.html (the local-mode variants
    // stay behind: a deployed console always signs in).
    let frames_from = dist.join("frames").to_string_lossy().into_owned();
    let frames_to = format!("s3://{bucket}/frames/");
    let mut frames = vec![
        "s3",
        "sync",
        &frames_from,
        &frames_to,
        "--delete",
        "--exclude",
        "*",
        "--include",
        "*.html",
        "--exclude",
        "*.local.html",
        "--cache-control",
        "no-cache",
        "--content-type",
        "text/html; charset=utf-8",
    ];
    frames.extend(aws_region);
    tools::run("aws", &frames, &[])?;
    for (entry, content_type) in [
        ("index.html", "text/html; charset=utf-8"),
        ("config.json", "application/json"),
    ] {
        let from = dist.join(entry).to_string_lossy().into_owned();
        let to = format!("s3://{bucket}/{entry}");
        let mut copy = vec![
            "s3",
            "cp",
            &from,
            &to,
            "--cache-control",
            "no-cache",
            "--content-type",
            content_type,
        ];
        copy.extend(aws_region);
        tools::run("aws", &copy, &[])?;
    }
    Ok(())
}

/// What [`upload`]'s first sync would mark immutable without it being a hashed asset
/// (`shared::console::is_hashed_asset`, the local server's rule): any other top-level
/// file, or a folder other than `frames/`. Sorted.
fn unhashed_uploads(dist: &std::path::Path) -> Result<Vec<String>> {
    let mut unhashed = Vec::new();
    for entry in std::fs::read_dir(dist).with_context(|| format!("reading {}", dist.display()))? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if entry.file_type()?.is_dir() {
            if name != "frames" {
                unhashed.push(format!("{name}/"));
            }
        } else if !(matches!(name.as_str(), "index.html" | "config.json")
            || name.ends_with(".br")
            || name.ends_with(".gz")
            || shared::console::is_hashed_asset(&format!("/{name}")))
        {
            unhashed.push(name);
        }
    }
    unhashed.sort();
    Ok(unhashed)
}

/// A deployed stack's outputs, read with `aws cloudformation describe-stacks`.
pub struct StackOutputs {
    stack: String,
    outputs: Vec<(String, String)>,
}

impl StackOutputs {
    /// Reads them with the given region (else the CLI's own) and extra environment.
    pub fn read(stack: &str, region: Option<&str>, env: &[(&str, &str)]) -> Result<Self> {
        let mut describe = vec![
            "cloudformation",
            "describe-stacks",
            "--stack-name",
            stack,
            "--output",
            "json",
        ];
        if let Some(region) = region {
            describe.extend(["--region", region]);
        }
        let described: Value = serde_json::from_str(&tools::capture("aws", &describe, env)?)
            .map_err(|e| {
                anyhow::anyhow!("unexpected answer from `aws cloudformation describe-stacks`: {e}")
            })?;
        let outputs = described["Stacks"][0]["Outputs"]
            .as_array()
            .map(|outputs| {
                outputs
                    .iter()
                    .filter_map(|o| {
                        Some((
                            o["OutputKey"].as_str()?.to_owned(),
                            o["OutputValue"].as_str()?.to_owned(),
                        ))
                    })
                    .collect()
            })
            .unwrap_or_default();
        Ok(Self {
            stack: stack.to_owned(),
            outputs,
        })
    }

    pub fn output(&self, key: &str) -> Result<String> {
        self.outputs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .with_context(|| {
                format!(
                    "stack {} has no output {key}; was it deployed from this template.yaml?",
                    self.stack
                )
            })
    }

    /// `ConsoleConfig`, checked to be what the console reads.
    pub fn console_config(&self) -> Result<(String, ConsoleConfig)> {
        let text = self.output("ConsoleConfig")?;
        let config = serde_json::from_str::<ConsoleConfig>(&text).map_err(|e| {
            anyhow::anyhow!("the stack's ConsoleConfig is not what the console reads: {e}")
        })?;
        Ok((text, config))
    }

    /// The host of the sign-in pages (`<prefix>.auth.<region>.amazoncognito.com`).
    pub fn cognito_domain(&self) -> Result<String> {
        match self.console_config()? {
            (_, ConsoleConfig::Oidc { authorize_url, .. }) => host_of(&authorize_url),
            (_, ConsoleConfig::None) => Err(anyhow::anyhow!(
                "stack {} signs in with no provider",
                self.stack
            )),
        }
    }

    /// The console's host (`<id>.cloudfront.net`).
    pub fn console_domain(&self) -> Result<String> {
        host_of(&self.output("ConsoleUrl")?)
    }

    /// The HTTP API's id, the first label of `ApiUrl`'s host.
    pub fn api_id(&self) -> Result<String> {
        let host = host_of(&self.output("ApiUrl")?)?;
        host.split('.')
            .next()
            .map(str::to_owned)
            .with_context(|| format!("ApiUrl of {} names no API", self.stack))
    }
}

/// `host` of `https://host/path`.
fn host_of(url: &str) -> Result<String> {
    url.strip_prefix("https://")
        .and_then(|rest| rest.split('/').next())
        .filter(|host| !host.is_empty())
        .map(str::to_owned)
        .with_context(|| format!("{url} is not an https:// URL"))
}

/// `cargo xtask deploy-console --stack NAME [--region REGION]`: builds the console,
/// writes its sign-in settings (`config.json`) from the stack's outputs, uploads it to
/// the stack's bucket and invalidates CloudFront's copy of the entry points. The region
/// is `--region`, else `AWS_REGION`, else `AWS_DEFAULT_REGION` or the CLI's profile; the
/// endpoint is the AWS CLI's own (`AWS_ENDPOINT_URL` included).
pub fn console(stack: &str, region: Option<String>) -> Result<()> {
    // The AWS CLI reads AWS_DEFAULT_REGION only; the SDKs (and `sam`) read AWS_REGION.
    let region = region.or_else(|| std::env::var("AWS_REGION").ok().filter(|r| !r.is_empty()));
    let mut aws_region = Vec::new();
    if let Some(r) = &region {
        aws_region = vec!["--region", r.as_str()];
    }

    tools::ensure_frontend_tools()?;
    tools::trunk_build()?;

    step(&format!("Reading the outputs of stack {stack}"));
    let outputs = StackOutputs::read(stack, region.as_deref(), &[])?;
    let bucket = outputs.output("ConsoleBucketName")?;
    let distribution = outputs.output("DistributionId")?;
    let (config, _) = outputs.console_config()?;
    let dist = tools::workspace_root().join("dist");
    std::fs::write(dist.join("config.json"), &config)?;

    step(&format!("Uploading the console to s3://{bucket}"));
    let uploaded = upload(&dist, &bucket, &aws_region);
    // Locally the console must not try to sign in with the deployed provider.
    let _ = std::fs::remove_file(dist.join("config.json"));
    uploaded?;
    // Everything, not only the entry points. Hashed files are named by their final bytes
    // (`cargo xtask` renames them after every tool has run), so new bytes are a new name;
    // but a console built by plain `trunk build` keeps Trunk's hash of the source, under
    // which a new wasm-opt or esbuild changes the bytes. A browser holding old bytes fails
    // their integrity check and fetches again past its cache (boot.js); CloudFront must
    // then answer with the new ones. One wildcard path, one invalidation.
    step("Invalidating CloudFront's copy of the console");
    let mut invalidate = vec![
        "cloudfront",
        "create-invalidation",
        "--distribution-id",
        &distribution,
        "--paths",
        "/*",
    ];
    invalidate.extend(&aws_region);
    tools::run("aws", &invalidate, &[])?;
    println!("\nThe console is live at {}", outputs.output("ConsoleUrl")?);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Only hashed assets go up as immutable: a plain file or an unknown folder in
    /// `dist/` stops the upload rather than being cached for a year.
    #[test]
    fn only_hashed_files_are_uploaded_as_immutable() -> Result<()> {
        let dist = std::env::temp_dir().join(format!("rewind-deploy-dist-{}", std::process::id()));
        std::fs::create_dir_all(dist.join("frames"))?;
        for file in [
            "index.html",
            "config.json",
            "boot-fd3638de593e7e18.js",
            "style-989ecbb9007ec90.css",
            "rewind-frontend-7bd8400c9133a1aa_bg.wasm",
            "rewind-frontend-7bd8400c9133a1aa_bg.wasm.br",
            "frames/archive.html",
        ] {
            std::fs::write(dist.join(file), "x")?;
        }
        let clean = unhashed_uploads(&dist);
        std::fs::create_dir_all(dist.join("img"))?;
        std::fs::write(dist.join("robots.txt"), "x")?;
        std::fs::write(dist.join("app.js"), "x")?;
        let dirty = unhashed_uploads(&dist);
        std::fs::remove_dir_all(&dist)?;
        assert_eq!(clean?, Vec::<String>::new());
        assert_eq!(dirty?, ["app.js", "img/", "robots.txt"]);
        Ok(())
    }
}
