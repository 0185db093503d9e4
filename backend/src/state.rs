//! What the edge holds for the life of the process: the AWS adapters, the deployment's
//! limits, the audit trail and how callers are recognised — from which it builds each
//! request's context (`crate::context::Ctx`). Use-cases never see it.

use crate::audit::{AuditLog, AuditNotes};
use crate::aws::cloudwatch::Metrics;
use crate::aws::dynamodb::Ledger;
use crate::aws::eventbridge::EventBridge;
use crate::aws::logs::BusLogs;
use crate::aws::sqs::Queues;
use crate::aws::stepfunctions::StepFunctions;
use crate::caller::Caller;
use crate::configuration::{AuthMode, RoleSettings, Settings};
use crate::context::{Aws, Ctx, Limits, ReportCache};
use shared::roles::Role;
use std::sync::Arc;

#[derive(Clone, Debug)]
pub struct AppState {
    pub aws: Aws,
    pub limits: Arc<Limits>,
    pub audit: AuditLog,
    /// Reports computed in the last minute (shared by every request of this process).
    pub reports: ReportCache,
    pub auth: AuthMode,
    pub roles: Arc<RoleSettings>,
    pub local_role: Role,
    /// The local user's teams (`REWIND_LOCAL_TEAMS`).
    pub local_teams: Arc<[String]>,
    /// The region Rewind's resources are in, for the ARNs in audit records.
    pub region: Arc<str>,
}

impl AppState {
    /// The state for `settings` with these adapters, auditing to stdout (see
    /// [`AppState::from_settings`]).
    pub fn new(aws: Aws, settings: &Settings) -> Self {
        Self {
            region: aws.eventbridge.region().into(),
            aws,
            limits: Arc::new(Limits::from_settings(settings)),
            audit: AuditLog::Stdout,
            reports: ReportCache::default(),
            auth: settings.auth,
            roles: Arc::new(settings.roles.clone()),
            local_role: settings.local_role,
            local_teams: settings.local_teams.clone().into(),
        }
    }

    /// Everything as `settings` say: the AWS adapters, and the audit trail
    /// (`REWIND_AUDIT_LOG_GROUP`). The SDK configuration is loaded once and shared, so
    /// every client shares one HTTP connector (one TLS setup, one connection pool).
    pub async fn from_settings(settings: &Settings) -> Self {
        let sdk = crate::aws::sdk_config(settings).await;
        let aws = Aws {
            eventbridge: EventBridge::from_settings(&sdk, settings),
            eventbridge_v2: crate::aws::eventbridgev2::EventBridgeV2::from_settings(&sdk, settings),
            queues: Queues::from_settings(&sdk, settings),
            sfn: StepFunctions::from_settings(&sdk, settings, crate::jobs::machine::DEFINITION),
            metrics: Metrics::from_settings(&sdk, settings),
            bus_logs: BusLogs::from_settings(&sdk, settings),
            ledger: Ledger::from_settings(&sdk, settings),
        };
        Self {
            audit: AuditLog::from_settings(&sdk, settings),
            ..Self::new(aws, settings)
        }
    }

    /// The context of one request of `caller`.
    pub fn ctx(&self, caller: Caller, notes: AuditNotes) -> Ctx {
        Ctx {
            caller,
            aws: self.aws.clone(),
            limits: self.limits.clone(),
            audit: self.audit.clone(),
            notes,
            reports: self.reports.clone(),
        }
    }

    /// The context of the sweep.
    pub fn sweep_ctx(&self) -> Ctx {
        Ctx::sweep(self.aws.clone(), self.limits.clone(), self.audit.clone())
    }
}
