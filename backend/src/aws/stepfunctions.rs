//! The Step Functions seam: the runs (executions) of the replay-job state machine, one
//! thin method per call. Which machine: `REWIND_JOBS_STATE_MACHINE_ARN` (the template
//! sets it); against an emulator without it, the machine is created there on first use from
//! the definition it is given (the jobs' own, `crate::jobs::machine`), so every local run
//! has jobs with nothing to set up.

use crate::aws::error::{AwsError, Kind, Service};
use crate::configuration::Settings;
use aws_sdk_sfn::Client;
use aws_sdk_sfn::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_sfn::types::{ExecutionStatus, HistoryEvent};
use std::sync::Arc;
use time::OffsetDateTime;
use tokio::sync::OnceCell;

/// A run of the machine, as DescribeExecution tells it.
#[derive(Debug, Clone)]
pub struct Run {
    pub name: String,
    pub status: RunStatus,
    pub input: String,
    pub started: OffsetDateTime,
    pub stopped: Option<OffsetDateTime>,
    /// A failed or stopped run's error and cause, when Step Functions gives them here.
    pub error: Option<String>,
    pub cause: Option<String>,
}

/// A run's status, as far as a job cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunStatus {
    Running,
    Succeeded,
    Failed,
    /// Stopped by StopExecution.
    Aborted,
    TimedOut,
}

/// What the end of a run's history says (newest first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunEvent {
    /// A task failed with this error (a retry may follow).
    TaskFailed { error: String },
    /// A task was scheduled, started or succeeded.
    TaskProgressed,
    /// The run was stopped with this error and cause.
    Aborted { error: String, cause: String },
    /// Any other event.
    Other,
}

#[derive(Clone, Debug)]
pub struct StepFunctions {
    client: crate::aws::Lazy<Client>,
    /// Configured, or made in the emulator on first use.
    machine: Arc<OnceCell<String>>,
    /// Against an emulator with no configured machine: the name to create it under.
    local_machine: Option<String>,
    /// The definition to create it from (`crate::jobs::machine::DEFINITION`).
    definition: &'static str,
}

impl StepFunctions {
    pub fn from_settings(
        sdk_config: &aws_config::SdkConfig,
        settings: &Settings,
        definition: &'static str,
    ) -> Self {
        let machine = Arc::new(OnceCell::new());
        if let Some(arn) = &settings.jobs_state_machine_arn {
            let _ = machine.set(arn.clone());
        }
        Self {
            client: crate::aws::client!(aws_sdk_sfn, sdk_config, settings),
            machine,
            local_machine: (settings.jobs_state_machine_arn.is_none()
                && settings.eventbridge_endpoint.is_some())
            .then(|| format!("rewind-replay-jobs-{}", settings.instance)),
            definition,
        }
    }

    /// The machine's ARN; against an emulator, created (or updated to this definition)
    /// on first use.
    pub async fn machine_arn(&self) -> Result<&str, AwsError> {
        self.machine
            .get_or_try_init(|| async {
                let Some(name) = &self.local_machine else {
                    return Err(AwsError::new(
                        Service::StepFunctions,
                        Kind::NotSetUp(
                            "The replay-job state machine (REWIND_JOBS_STATE_MACHINE_ARN)",
                        ),
                    ));
                };
                self.create_local_machine(name).await
            })
            .await
            .map(String::as_str)
    }

    async fn create_local_machine(&self, name: &str) -> Result<String, AwsError> {
        let role = "arn:aws:iam::000000000000:role/rewind-replay-jobs";
        let created = self
            .client
            .create_state_machine()
            .name(name)
            .definition(self.definition)
            .role_arn(role)
            .send()
            .await;
        match created {
            Ok(out) => Ok(out.state_machine_arn().to_owned()),
            Err(e) if e.code() == Some("StateMachineAlreadyExists") => {
                let machines = self
                    .client
                    .list_state_machines()
                    .send()
                    .await
                    .map_err(from_sfn)?;
                let arn = machines
                    .state_machines()
                    .iter()
                    .find(|m| m.name() == name)
                    .map(|m| m.state_machine_arn().to_owned())
                    .ok_or_else(|| {
                        AwsError::new(Service::StepFunctions, Kind::NotFound)
                            .with_message(format!("State machine {name} vanished."))
                    })?;
                self.client
                    .update_state_machine()
                    .state_machine_arn(&arn)
                    .definition(self.definition)
                    .send()
                    .await
                    .map_err(from_sfn)?;
                Ok(arn)
            }
            Err(e) => Err(from_sfn(e)),
        }
    }

    /// A run's ARN: the machine's, `stateMachine` → `execution`, plus the run's name.
    async fn run_arn(&self, run: &str) -> Result<String, AwsError> {
        let machine = self.machine_arn().await?;
        Ok(format!(
            "{}:{run}",
            machine.replacen(":stateMachine:", ":execution:", 1)
        ))
    }

    /// Starts run `name` with `input`; `AlreadyExists` when a run of that name exists
    /// (Step Functions keeps names for 90 days).
    pub async fn start_run(&self, name: &str, input: String) -> Result<(), AwsError> {
        let machine = self.machine_arn().await?;
        self.client
            .start_execution()
            .state_machine_arn(machine)
            .name(name)
            .input(input)
            .send()
            .await
            .map_err(from_sfn)?;
        Ok(())
    }

    /// Run `name`, or None when there is none.
    pub async fn describe_run(&self, name: &str) -> Result<Option<Run>, AwsError> {
        let arn = self.run_arn(name).await?;
        let out = match self
            .client
            .describe_execution()
            .execution_arn(arn)
            .send()
            .await
        {
            Ok(out) => out,
            Err(e) if e.code() == Some("ExecutionDoesNotExist") => return Ok(None),
            Err(e) => return Err(from_sfn(e)),
        };
        Ok(Some(Run {
            name: out.name().unwrap_or(name).to_owned(),
            status: match out.status() {
                ExecutionStatus::Running | ExecutionStatus::PendingRedrive => RunStatus::Running,
                ExecutionStatus::Succeeded => RunStatus::Succeeded,
                ExecutionStatus::Aborted => RunStatus::Aborted,
                ExecutionStatus::TimedOut => RunStatus::TimedOut,
                _ => RunStatus::Failed,
            },
            input: out.input().unwrap_or("{}").to_owned(),
            started: to_time(out.start_date()),
            stopped: out.stop_date().map(to_time),
            error: out.error().filter(|e| !e.is_empty()).map(str::to_owned),
            cause: out.cause().filter(|c| !c.is_empty()).map(str::to_owned),
        }))
    }

    /// The newest `count` events of run `name`, newest first.
    pub async fn last_events(&self, name: &str, count: i32) -> Result<Vec<RunEvent>, AwsError> {
        let arn = self.run_arn(name).await?;
        let out = self
            .client
            .get_execution_history()
            .execution_arn(arn)
            .reverse_order(true)
            .max_results(count)
            .send()
            .await
            .map_err(from_sfn)?;
        let mut events: Vec<&HistoryEvent> = out.events().iter().collect();
        // An emulator may ignore reverseOrder: newest first by id either way.
        events.sort_by_key(|e| std::cmp::Reverse(e.id()));
        Ok(events.into_iter().map(run_event).collect())
    }

    /// Stops run `name`, recording `error` and `cause` in its history.
    pub async fn stop_run(&self, name: &str, error: &str, cause: &str) -> Result<(), AwsError> {
        let arn = self.run_arn(name).await?;
        self.client
            .stop_execution()
            .execution_arn(arn)
            .error(error)
            .cause(cause)
            .send()
            .await
            .map_err(from_sfn)?;
        Ok(())
    }

    /// One page of the machine's runs, newest first (only RUNNING ones when `running`):
    /// their names and the next token.
    pub async fn list_runs(
        &self,
        running: bool,
        next_token: Option<String>,
    ) -> Result<(Vec<String>, Option<String>), AwsError> {
        let machine = self.machine_arn().await?;
        let out = self
            .client
            .list_executions()
            .state_machine_arn(machine)
            .set_status_filter(running.then_some(ExecutionStatus::Running))
            .max_results(100)
            .set_next_token(next_token)
            .send()
            .await
            .map_err(from_sfn)?;
        Ok((
            out.executions()
                .iter()
                .map(|e| e.name().to_owned())
                .collect(),
            out.next_token()
                .filter(|t| !t.is_empty())
                .map(str::to_owned),
        ))
    }
}

fn run_event(event: &HistoryEvent) -> RunEvent {
    if let Some(failed) = event.task_failed_event_details() {
        return RunEvent::TaskFailed {
            error: failed.error().unwrap_or_default().to_owned(),
        };
    }
    if let Some(aborted) = event.execution_aborted_event_details() {
        return RunEvent::Aborted {
            error: aborted.error().unwrap_or_default().to_owned(),
            cause: aborted.cause().unwrap_or_default().to_owned(),
        };
    }
    if event.task_scheduled_event_details().is_some()
        || event.task_started_event_details().is_some()
        || event.task_succeeded_event_details().is_some()
    {
        return RunEvent::TaskProgressed;
    }
    RunEvent::Other
}

fn to_time(date: &aws_sdk_sfn::primitives::DateTime) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(date.secs())
        .map(|t| t + time::Duration::nanoseconds(i64::from(date.subsec_nanos())))
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// A Step Functions failure, typed.
fn from_sfn<E, R>(err: SdkError<E, R>) -> AwsError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
    SdkError<E, R>: aws_sdk_sfn::operation::RequestId,
{
    AwsError::from_sdk(Service::StepFunctions, err)
}
