//! `cargo xtask rehearse`: the deploy of docs/deploy.md, run for real against an emulated AWS.
//!
//! ministack[full] emulates every resource of `template.yaml` (docs/emulators-and-tools.md, "The whole
//! stack on ministack[full]"). The rehearsal deploys the template with docs/deploy.md's own
//! `sam build` / `sam deploy` commands (only `AWS_ENDPOINT_URL` differs, and the function
//! is built for x86-64, the host's processor), deploys a second stack beside it, then
//! checks through the stacks' outputs alone: Cognito users signed in through the hosted
//! UI, the HTTP API's JWT authorizer, the whole role matrix and an archive's life through
//! authorizer → Lambda → EventBridge, and the console uploaded by `deploy-console` and
//! signed in to in Chromium. Every process it starts is stopped when it ends, passed or
//! failed.

mod api;
mod aws;
mod cognito;
mod console;
mod ministack;

use crate::Result;
use crate::tools::{self, step};
use aws::AwsCli;
use std::time::Instant;

/// The two stacks, as two teams (or staging and production) would name theirs.
pub(super) const STACK: &str = "rewind-rehearsal";
const SECOND_STACK: &str = "rewind-rehearsal-b";
/// The second stack is deployed with teams, a bus boundary and a replay cap.
/// The first stack lists the rehearsal's v2 subscriber's role (`api::V2_SUBSCRIBER_ROLE`)
/// in `TargetRoleArns`, so a Custom Event Bus replay's copy may pass it again.
const FIRST_STACK_PARAMETERS: &str =
    "Architecture=x86_64 TargetRoleArns=arn:aws:iam::000000000000:role/rewind-rehearsal-subscriber";
const SECOND_STACK_PARAMETERS: &str = "Architecture=x86_64 Teams=payments=payments-*;search=search-* EventBusNames=payments-*,search-* MaxReplayHours=24";
const REGION: &str = "us-east-1";

/// Checks passed, for the summary line `cargo xtask test` adds up.
#[derive(Default)]
pub struct Tally {
    passed: u64,
}

impl Tally {
    /// Records a passed check and says so.
    fn pass(&mut self, what: impl std::fmt::Display) {
        self.passed += 1;
        println!("  ok  {what}");
    }

    /// Fails the rehearsal with `what` unless `condition` holds.
    fn check(&mut self, condition: bool, what: impl std::fmt::Display) -> Result<()> {
        if condition {
            self.pass(what);
            Ok(())
        } else {
            Err(anyhow::anyhow!("rehearsal check failed: {what}"))
        }
    }
}

/// Runs the rehearsal; returns the number of checks passed.
pub fn run() -> Result<u64> {
    let started = Instant::now();
    tools::ensure_deploy_venv()?;
    tools::ensure_rehearsal_venv()?;
    tools::ensure_browser()?;
    let runtime = tokio::runtime::Runtime::new()?;
    let passed = runtime.block_on(rehearse())?;
    println!(
        "\nrehearsal: {passed} checks passed in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    Ok(passed)
}

async fn rehearse() -> Result<u64> {
    let mut tally = Tally::default();
    let emulator = ministack::Ministack::start().await?;
    let aws = AwsCli::new(&emulator.endpoint(), REGION);

    step("Rehearsal: sam build --beta-features (the function for x86-64, the emulator's host)");
    aws.run(
        "sam",
        &[
            "build",
            "--beta-features",
            "--parameter-overrides",
            "Architecture=x86_64",
        ],
    )?;
    for stack in [STACK, SECOND_STACK] {
        step(&format!("Rehearsal: sam deploy --stack-name {stack}"));
        aws.run("sam", &sam_deploy_args(stack))?;
    }
    let first = aws.outputs(STACK)?;
    let second = aws.outputs(SECOND_STACK)?;
    tally.pass(format!(
        "two stacks deploy side by side in one account and region ({STACK}, {SECOND_STACK})"
    ));
    let (domain_a, domain_b) = (first.cognito_domain()?, second.cognito_domain()?);
    tally.check(
        domain_a != domain_b,
        format!("each stack has its own sign-in domain ({domain_a}, {domain_b})"),
    )?;

    api::checks(&mut tally, &aws, &emulator, &first, &second).await?;
    api::team_checks(&mut tally, &aws, &emulator, &second).await?;

    step(&format!(
        "Rehearsal: cargo xtask deploy-console --stack {STACK} (AWS_REGION only)"
    ));
    aws.run_without_default_region("cargo", &["xtask", "deploy-console", "--stack", STACK])?;
    tally.pass("deploy-console uploads the console with AWS_REGION alone and an endpoint override");
    uploaded_with_their_types(&mut tally, &aws, &first)?;
    console::checks(&mut tally, &aws, &emulator, &first).await?;

    let audit_group_b = second.output("AuditLogGroupName")?;
    let access_group_b = second.output("ApiAccessLogGroupName")?;
    step(&format!(
        "Rehearsal: sam delete --stack-name {SECOND_STACK}"
    ));
    aws.run(
        "aws",
        &[
            "s3",
            "rm",
            &format!("s3://{}", second.output("ConsoleBucketName")?),
            "--recursive",
        ],
    )?;
    aws.run(
        "sam",
        &[
            "delete",
            "--stack-name",
            SECOND_STACK,
            "--region",
            REGION,
            "--no-prompts",
        ],
    )?;
    tally.check(
        aws.outputs(SECOND_STACK).is_err(),
        format!("docs/deploy.md's removal commands delete {SECOND_STACK}"),
    )?;
    // DeletionPolicy: Retain — the trail and the access log outlive the stack.
    for group in [&audit_group_b, &access_group_b] {
        let kept = aws.json(&[
            "logs",
            "describe-log-groups",
            "--log-group-name-prefix",
            group,
        ])?;
        tally.check(
            kept["logGroups"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|g| g["logGroupName"] == group.as_str()),
            format!("{SECOND_STACK}'s log group {group} is kept after the stack is deleted"),
        )?;
    }
    Ok(tally.passed)
}

/// Every uploaded file has the content type its kind needs (CloudFront compresses the
/// wasm only as `application/wasm`), and no precompressed copy was uploaded.
fn uploaded_with_their_types(
    tally: &mut Tally,
    aws: &AwsCli,
    stack: &aws::StackOutputs,
) -> Result<()> {
    let bucket = stack.output("ConsoleBucketName")?;
    let listed = aws.json(&["s3api", "list-objects-v2", "--bucket", &bucket])?;
    let keys: Vec<String> = listed["Contents"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|o| o["Key"].as_str().map(str::to_owned))
        .collect();
    let mut seen = Vec::new();
    for key in &keys {
        let extension = key.rsplit('.').next().unwrap_or_default();
        let head = aws.json(&["s3api", "head-object", "--bucket", &bucket, "--key", key])?;
        let content_type = head["ContentType"].as_str().unwrap_or_default().to_owned();
        let expected = match extension {
            "wasm" => "application/wasm",
            "js" => "javascript",
            "css" => "text/css",
            "html" => "text/html",
            "json" => "application/json",
            other => anyhow::bail!("{key}: the console has no .{other} file to upload"),
        };
        tally.check(
            content_type.contains(expected),
            format!("{key} is uploaded as {content_type}"),
        )?;
        seen.push(extension.to_owned());
    }
    tally.check(
        shared::console::FRAMES
            .iter()
            .all(|(_, frame)| keys.iter().any(|k| *k == format!("frames/{frame}.html")))
            && !keys.iter().any(|k| k.ends_with(".local.html")),
        "every route's static frame is uploaded, none of the local-mode ones".to_owned(),
    )?;
    tally.check(
        ["wasm", "js", "css", "html", "json"]
            .iter()
            .all(|kind| seen.iter().any(|s| s == kind)),
        format!(
            "the bucket holds the console's wasm, js, css, html and config ({} files)",
            keys.len()
        ),
    )
}

/// docs/deploy.md's `sam deploy`, without its prompts: the managed artifact bucket, the
/// capabilities the template needs, and the function's processor.
fn sam_deploy_args(stack: &str) -> Vec<&str> {
    vec![
        "deploy",
        "--stack-name",
        stack,
        "--region",
        REGION,
        "--resolve-s3",
        "--capabilities",
        "CAPABILITY_IAM",
        "--no-confirm-changeset",
        "--no-fail-on-empty-changeset",
        "--parameter-overrides",
        if stack == SECOND_STACK {
            SECOND_STACK_PARAMETERS
        } else {
            FIRST_STACK_PARAMETERS
        },
    ]
}
