//! The AWS command-line tools (`sam`, `aws`) pointed at the emulator, and a stack's
//! outputs — the only things the rehearsal learns about what it deployed.

use crate::Result;
pub use crate::deploy::StackOutputs;
use crate::tools;

/// Runs the CLIs as a user with credentials would, but against the emulator.
pub struct AwsCli {
    env: Vec<(&'static str, String)>,
    pub region: String,
}

impl AwsCli {
    pub fn new(endpoint: &str, region: &str) -> Self {
        Self {
            env: [
                ("AWS_ENDPOINT_URL", endpoint),
                ("AWS_ACCESS_KEY_ID", "rehearsal"),
                ("AWS_SECRET_ACCESS_KEY", "rehearsal"),
                ("AWS_REGION", region),
                ("AWS_DEFAULT_REGION", region),
                ("SAM_CLI_TELEMETRY", "0"),
                ("AWS_PAGER", ""),
            ]
            .into_iter()
            .map(|(k, v)| (k, v.to_owned()))
            .collect(),
            region: region.to_owned(),
        }
    }

    fn env(&self, default_region: bool) -> Vec<(&str, &str)> {
        self.env
            .iter()
            .filter(|(k, _)| default_region || *k != "AWS_DEFAULT_REGION")
            .map(|(k, v)| (*k, v.as_str()))
            .collect()
    }

    pub fn run(&self, program: &str, args: &[&str]) -> Result<()> {
        tools::run(program, args, &self.env(true))
    }

    /// As `run`, with only `AWS_REGION` naming the region (as the SDKs read it).
    pub fn run_without_default_region(&self, program: &str, args: &[&str]) -> Result<()> {
        let mut command = tools::command(program);
        command.args(args).env_remove("AWS_DEFAULT_REGION");
        for (key, value) in self.env(false) {
            command.env(key, value);
        }
        tools::run_command(&mut command)
    }

    /// The outputs of `stack`.
    pub fn outputs(&self, stack: &str) -> Result<StackOutputs> {
        StackOutputs::read(stack, Some(&self.region), &self.env(true))
    }

    /// `aws …` with `--output json`, parsed.
    pub fn json(&self, args: &[&str]) -> Result<serde_json::Value> {
        let mut all = args.to_vec();
        all.extend(["--output", "json"]);
        let text = tools::capture("aws", &all, &self.env(true))?;
        if text.trim().is_empty() {
            return Ok(serde_json::Value::Null);
        }
        serde_json::from_str(&text)
            .map_err(|e| anyhow::anyhow!("`aws {}`: not JSON: {e}", args.join(" ")))
    }
}
