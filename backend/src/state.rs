//! What every handler, layer and use-case can reach: the AWS adapters, the audit trail
//! and the settings they need.

use crate::audit::AuditLog;
use crate::aws::cloudwatch::Metrics;
use crate::aws::eventbridge::EventBridge;
use crate::aws::logs::BusLogs;
use crate::aws::sqs::Queues;
use crate::aws::stepfunctions::StepFunctions;
use crate::configuration::{AuthMode, RoleSettings, Settings};
use shared::roles::Role;
use std::sync::Arc;

/// What every handler and layer can reach.
#[derive(Clone, Debug)]
pub struct AppState {
    /// Unscoped: handlers reach EventBridge through `extract::Scoped`, which limits it
    /// to the caller's buses.
    pub eventbridge: EventBridge,
    /// The queues archive peeks are delivered to.
    pub queues: Queues,
    /// The replay-job state machine's runs.
    pub jobs: StepFunctions,
    /// Replay reports' figures: `AWS/Events` metrics and buses' delivery logs.
    pub metrics: Metrics,
    pub bus_logs: BusLogs,
    /// With teams, the replays one team may have active at once.
    pub team_max_active_replays: u32,
    /// What a forward may deliver to outside this account and region.
    pub allowed_target_arns: Arc<[String]>,
    /// The longest window a peek replays.
    pub peek_max_minutes: u32,
    /// The longest replay window, when capped.
    pub max_replay_hours: Option<u32>,
    /// The local user's teams (`REWIND_LOCAL_TEAMS`).
    pub local_teams: Arc<[String]>,
    pub auth: AuthMode,
    pub roles: Arc<RoleSettings>,
    pub local_role: Role,
    pub audit: AuditLog,
    /// The region Rewind's resources are in, for the ARNs in audit records.
    pub region: Arc<str>,
}

impl AppState {
    /// The state for `settings` with these clients, auditing to stdout (see
    /// [`AppState::from_settings`]).
    pub fn new(
        eventbridge: EventBridge,
        queues: Queues,
        (jobs, metrics, bus_logs): (StepFunctions, Metrics, BusLogs),
        settings: &Settings,
    ) -> Self {
        Self {
            jobs,
            metrics,
            bus_logs,
            team_max_active_replays: settings.team_max_active_replays,
            allowed_target_arns: settings.allowed_target_arns.clone().into(),
            region: eventbridge.region().into(),
            eventbridge,
            queues,
            peek_max_minutes: settings.peek_max_minutes,
            max_replay_hours: settings.max_replay_hours,
            local_teams: settings.local_teams.clone().into(),
            auth: settings.auth,
            roles: Arc::new(settings.roles.clone()),
            local_role: settings.local_role,
            audit: AuditLog::Stdout,
        }
    }

    /// Everything as `settings` say: the AWS clients, and the audit trail
    /// (`REWIND_AUDIT_LOG_GROUP`). The SDK configuration is loaded once and shared, so
    /// every client shares one HTTP connector (one TLS setup, one connection pool).
    pub async fn from_settings(settings: &Settings) -> Self {
        let sdk = crate::aws::sdk_config(settings).await;
        Self {
            audit: AuditLog::from_settings(&sdk, settings),
            ..Self::new(
                EventBridge::from_settings(&sdk, settings),
                Queues::from_settings(&sdk, settings),
                (
                    StepFunctions::from_settings(&sdk, settings),
                    Metrics::from_settings(&sdk, settings),
                    BusLogs::from_settings(&sdk, settings),
                ),
                settings,
            )
        }
    }
}
