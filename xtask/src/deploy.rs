//! Deployment: the offline checks CI runs on `template.yaml` and the Lambda build, and
//! uploading the console to a deployed stack.

use crate::Result;
use crate::tools::{self, step};
use serde_json::Value;
use shared::console::ConsoleConfig;

/// `cfn-lint`, `sam validate --lint`, and the arm64 `bootstrap` that SAM would ship.
pub fn checks() -> Result {
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
        .map_err(|e| format!("{} was not built: {e}", bootstrap.display()))?
        .len();
    // The release profile strips symbols (`strip = true`).
    println!(
        "bootstrap (arm64, stripped): {bytes} bytes = {:.2} MiB  ({})",
        bytes as f64 / 1_048_576.0,
        bootstrap.display()
    );
    Ok(bytes)
}

/// `cargo xtask deploy-console --stack NAME [--region REGION]`: builds the console,
/// writes its sign-in settings (`config.json`) from the stack's outputs, uploads it to
/// the stack's bucket and invalidates CloudFront's copy of the entry points.
pub fn console(args: &[String]) -> Result {
    let mut stack = None;
    let mut region = None;
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--stack" => stack = rest.next().cloned(),
            "--region" => region = rest.next().cloned(),
            other => {
                return Err(format!(
                    "unknown option {other}; usage: deploy-console --stack NAME [--region REGION]"
                ));
            }
        }
    }
    let stack =
        stack.ok_or("deploy-console needs --stack NAME (the name given to `sam deploy`)")?;
    let mut aws_region = Vec::new();
    if let Some(r) = &region {
        aws_region = vec!["--region", r.as_str()];
    }

    tools::ensure_frontend_tools()?;
    tools::trunk_build()?;

    step(&format!("Reading the outputs of stack {stack}"));
    let mut describe = vec![
        "cloudformation",
        "describe-stacks",
        "--stack-name",
        &stack,
        "--output",
        "json",
    ];
    describe.extend(&aws_region);
    let described: Value = serde_json::from_str(&tools::capture("aws", &describe)?)
        .map_err(|e| format!("unexpected answer from `aws cloudformation describe-stacks`: {e}"))?;
    let output = |key: &str| -> Result<String> {
        described["Stacks"][0]["Outputs"]
            .as_array()
            .and_then(|outs| outs.iter().find(|o| o["OutputKey"] == key))
            .and_then(|o| o["OutputValue"].as_str())
            .map(str::to_owned)
            .ok_or_else(|| {
                format!(
                    "stack {stack} has no output {key}; was it deployed from this template.yaml?"
                )
            })
    };
    let bucket = output("ConsoleBucketName")?;
    let distribution = output("DistributionId")?;
    let config = output("ConsoleConfig")?;
    serde_json::from_str::<ConsoleConfig>(&config)
        .map_err(|e| format!("the stack's ConsoleConfig is not what the console reads: {e}"))?;
    let dist = tools::workspace_root().join("dist");
    std::fs::write(dist.join("config.json"), &config).map_err(|e| e.to_string())?;

    step(&format!("Uploading the console to s3://{bucket}"));
    let target = format!("s3://{bucket}/");
    let dist_str = dist.to_string_lossy().into_owned();
    // Hashed assets never change; the entry points must always be revalidated.
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
        "--cache-control",
        "public,max-age=31536000,immutable",
    ];
    sync.extend(&aws_region);
    tools::run("aws", &sync, &[])?;
    for entry in ["index.html", "config.json"] {
        let from = dist.join(entry).to_string_lossy().into_owned();
        let to = format!("s3://{bucket}/{entry}");
        let mut copy = vec!["s3", "cp", &from, &to, "--cache-control", "no-cache"];
        copy.extend(&aws_region);
        tools::run("aws", &copy, &[])?;
    }
    // Locally the console must not try to sign in with the deployed provider.
    let _ = std::fs::remove_file(dist.join("config.json"));
    step("Invalidating CloudFront's copy of the entry points");
    let mut invalidate = vec![
        "cloudfront",
        "create-invalidation",
        "--distribution-id",
        &distribution,
        "--paths",
        "/",
        "/index.html",
        "/config.json",
    ];
    invalidate.extend(&aws_region);
    tools::run("aws", &invalidate, &[])?;
    println!("\nThe console is live at {}", output("ConsoleUrl")?);
    Ok(())
}
