//! The request context: everything one use-case may touch for one caller — the caller, the
//! AWS adapters, the deployment's limits, the audit trail — built once per request at the
//! edge (`crate::http::extract`) or once per sweep. Every use-case takes `(&Ctx, command)`
//! and reaches AWS through it; what the caller may see and change of EventBridge is the
//! context's `visible()` view (`scope`), never the adapter's.

pub mod scope;

use crate::audit::{AuditLog, AuditNotes};
use crate::aws::cloudwatch::Metrics;
use crate::aws::dynamodb::Ledger;
use crate::aws::eventbridge::EventBridge;
use crate::aws::eventbridgev2::EventBridgeV2;
use crate::aws::logs::BusLogs;
use crate::aws::sqs::Queues;
use crate::aws::stepfunctions::StepFunctions;
use crate::caller::Caller;
use crate::configuration::{RoutingPolicy, Settings};
use crate::error::ApiError;
use shared::replay::NewReplay;
use shared::report::ReplayReport;
use shared::roles::Role;
use shared::teams::{Scope, Teams};
use shared::{ErrorCode, Field};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

pub use scope::Visible;

/// The AWS adapters, one per service (cheap to clone: each is a client handle).
#[derive(Clone, Debug)]
pub struct Aws {
    /// Every bus: what the caller may see is [`Ctx::visible`].
    pub eventbridge: EventBridge,
    /// The Custom Event Bus (v2): its buses and subscribers (scope: `crate::v2`).
    pub eventbridge_v2: EventBridgeV2,
    /// The queues archive peeks are delivered to.
    pub queues: Queues,
    /// The replay-job state machine's runs.
    pub sfn: StepFunctions,
    /// Replay reports' figures: `AWS/Events` metrics and buses' delivery logs.
    pub metrics: Metrics,
    pub bus_logs: BusLogs,
    /// Teams' slot reservations and callers' report budgets.
    pub ledger: Ledger,
}

/// What the deployment allows, from its settings.
#[derive(Debug, Clone)]
pub struct Limits {
    /// The longest replay window, when capped.
    pub max_replay_hours: Option<u32>,
    /// The longest window a peek replays.
    pub peek_max_minutes: u32,
    /// `REWIND_TEAMS`, when set.
    pub teams: Option<Teams>,
    /// With teams, the replays one team may have active at once.
    pub team_max_active_replays: u32,
    /// What routed replays and forwards may reach and pass on.
    pub routing: RoutingPolicy,
    /// Where this deployment is, for the console's header.
    pub account_id: Option<String>,
    pub environment: Option<String>,
}

impl Limits {
    pub fn from_settings(settings: &Settings) -> Self {
        Self {
            max_replay_hours: settings.max_replay_hours,
            peek_max_minutes: settings.peek_max_minutes,
            teams: settings.roles.teams.clone(),
            team_max_active_replays: settings.team_max_active_replays,
            routing: RoutingPolicy::from_settings(settings),
            account_id: settings.account_id.clone(),
            environment: settings.environment.clone(),
        }
    }
}

/// The context of one request (or of one sweep).
#[derive(Clone, Debug)]
pub struct Ctx {
    pub caller: Caller,
    pub aws: Aws,
    pub limits: Arc<Limits>,
    /// Where Rewind's own housekeeping is recorded.
    pub audit: AuditLog,
    /// What the use-case adds to this request's audit record (the fields a PATCH changed).
    pub notes: AuditNotes,
    /// Reports computed in the last minute.
    pub reports: ReportCache,
}

impl Ctx {
    /// Who the caller is, their roles and teams, and the account, region and
    /// environment this console acts in (`GET /api/me`).
    pub fn me(&self) -> shared::roles::Me {
        use shared::roles::{Deployment, Me, ScopeKind};
        let caller = &self.caller;
        Me {
            subject: caller.subject.clone(),
            email: caller.email.clone(),
            roles: caller.roles.clone(),
            local: caller.local,
            scope: match caller.scope {
                Scope::All => ScopeKind::All,
                Scope::Teams(_) => ScopeKind::Teams,
            },
            teams: match &caller.scope {
                Scope::All => Vec::new(),
                Scope::Teams(teams) => teams.clone(),
            },
            deployment: Some(Deployment {
                account_id: self.limits.account_id.clone(),
                region: self.eventbridge().region(),
                environment: self.limits.environment.clone(),
            }),
        }
    }

    /// What this caller may see and change of EventBridge: their teams' buses.
    pub fn visible(&self) -> Visible<'_> {
        Visible::new(&self.aws.eventbridge, &self.caller.scope)
    }

    /// EventBridge itself, every bus: for Rewind's own work on the caller's behalf once
    /// the caller's right to it has been checked (a job's slices, temporary rules).
    pub fn eventbridge(&self) -> &EventBridge {
        &self.aws.eventbridge
    }

    pub fn scope(&self) -> &Scope {
        &self.caller.scope
    }

    /// This deployment's id, tagged on everything Rewind makes.
    pub fn instance(&self) -> &str {
        self.aws.eventbridge.instance()
    }

    /// Forwarding to another bus is for admins.
    pub fn may_forward(&self) -> bool {
        self.caller.role() == Some(Role::Admin)
    }

    /// What a replay (a start, a preview, a job) must meet before any AWS call: the
    /// deployment's window cap, and forwarding for admins only (403 on
    /// `routing.forwardTo` for anyone else).
    pub fn check_replay(&self, replay: &NewReplay) -> Result<(), ApiError> {
        replay
            .window
            .check_max_hours(self.limits.max_replay_hours)?;
        if replay.routing.as_ref().is_some_and(|r| r.forward.is_some()) && !self.may_forward() {
            return Err(ApiError::new(
                ErrorCode::Forbidden,
                "Forwarding a replay to another bus is for admins: ask an admin, or route it to chosen targets instead.",
            )
            .with_field(Field::RoutingForwardTo));
        }
        Ok(())
    }

    /// The context of the sweep, which serves every team and no person.
    pub fn sweep(aws: Aws, limits: Arc<Limits>, audit: AuditLog) -> Self {
        Self {
            caller: Caller {
                subject: crate::audit::SWEEP_CALLER.to_owned(),
                email: None,
                issuer: None,
                client_id: None,
                groups: Vec::new(),
                roles: vec![Role::Admin],
                local: false,
                scope: Scope::All,
            },
            aws,
            limits,
            audit,
            notes: AuditNotes::default(),
            reports: ReportCache::default(),
        }
    }
}

/// How long a report is served again without a CloudWatch call.
pub const REPORT_CACHE_FOR: Duration = Duration::from_secs(60);
/// The most reports kept at once (the oldest go first).
const REPORT_CACHE_ENTRIES: usize = 256;

/// Reports computed in the last [`REPORT_CACHE_FOR`], by what they report and the
/// caller's scope: however often a report is read, each replay or job costs CloudWatch
/// one computation a minute per scope. Kept in the function's memory: a cache, nothing
/// that must outlive it.
#[derive(Clone, Debug, Default)]
pub struct ReportCache(Arc<Mutex<HashMap<String, (Instant, ReplayReport)>>>);

impl ReportCache {
    pub fn get(&self, key: &str) -> Option<ReplayReport> {
        let entries = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        entries
            .get(key)
            .filter(|(at, _)| at.elapsed() < REPORT_CACHE_FOR)
            .map(|(_, report)| report.clone())
    }

    pub fn put(&self, key: String, report: &ReplayReport) {
        let mut entries = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        entries.retain(|_, (at, _)| at.elapsed() < REPORT_CACHE_FOR);
        if entries.len() >= REPORT_CACHE_ENTRIES
            && let Some(oldest) = entries
                .iter()
                .min_by_key(|(_, (at, _))| *at)
                .map(|(k, _)| k.clone())
        {
            entries.remove(&oldest);
        }
        entries.insert(key, (Instant::now(), report.clone()));
    }
}
