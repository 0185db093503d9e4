//! Settings from the environment (the README's configuration table): read once, typed,
//! each fault named. Who has which role and which buses (`roles`) and what routed replays
//! and forwards may reach (`policy`) are their own modules.

mod policy;
mod roles;

pub use policy::{RoutingPolicy, bus_of, place};
pub use roles::{AuthorizerContext, RoleSettings};

use shared::roles::Role;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// How callers prove who they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMode {
    /// Local only: no sign-in; the console shows a banner saying so.
    None,
    /// Deployed: API Gateway's JWT authorizer has checked the token.
    Jwt,
}

#[derive(Debug, Clone)]
pub struct Settings {
    /// `REWIND_EVENTBRIDGE_ENDPOINT`: an emulator's URL; unset means real AWS.
    pub eventbridge_endpoint: Option<String>,
    /// `REWIND_EVENTBRIDGEV2_ENDPOINT`: the Custom Event Bus (`eventsv2`) stand-in's URL
    /// (`rewind-eventsv2`, as no emulator models that service); unset means real AWS.
    pub eventbridgev2_endpoint: Option<String>,
    /// `REWIND_LISTEN`, local mode only.
    pub listen: SocketAddr,
    /// `REWIND_STATIC_DIR`: the built console, served locally.
    pub static_dir: PathBuf,
    /// `REWIND_AUTH`.
    pub auth: AuthMode,
    /// Where roles come from in `jwt` mode.
    pub roles: RoleSettings,
    /// `REWIND_LOCAL_ROLE`: the role of the local, signed-out user (default admin); a
    /// lower one previews the console as a viewer or operator would see it.
    pub local_role: Role,
    /// Time to open a connection to EventBridge.
    pub connect_timeout: Duration,
    /// Time for one EventBridge call, retries included: an unreachable or stalled
    /// endpoint becomes a 503 within this, well under 5 seconds.
    pub operation_timeout: Duration,
    /// `REWIND_LOCAL_TEAMS`: the teams of the local, signed-out user (comma-separated;
    /// unset: every bus), to preview the console as a team member sees it.
    pub local_teams: Vec<String>,
    /// `REWIND_MAX_REPLAY_HOURS`: the longest replay window (unset: no cap).
    pub max_replay_hours: Option<u32>,
    /// `REWIND_PEEK_MAX_MINUTES`: the longest window an archive peek replays (default 60).
    pub peek_max_minutes: u32,
    /// `REWIND_PEEK_REDELIVERY_SECONDS`: how long a peeked event handed out but never
    /// acknowledged (its response was lost) waits before it is handed out again (30).
    pub peek_redelivery_seconds: i32,
    /// `REWIND_AUDIT_LOG_GROUP`: the log group of the audit trail (unset: stdout, which
    /// only the local server may use).
    pub audit_log_group: Option<String>,
    /// `REWIND_AUDIT_FILE`: locally, a file the audit records are appended to instead of
    /// stdout (the tests' apps write to `target/test-audit.log`, so a failing test's
    /// output is its own).
    pub audit_file: Option<std::path::PathBuf>,
    /// `REWIND_INSTANCE`: this deployment's id (the template sets the stack id; `local`
    /// by default). Every rule and queue Rewind makes carries it in the tag
    /// `rewind:instance`, and the sweep removes only what carries it.
    pub instance: String,
    /// `REWIND_SWEEP_SECONDS`: how often the local server sweeps leftovers (300).
    /// Deployed, the template's schedule runs the sweep instead.
    pub sweep_every: Duration,
    /// `REWIND_ACCOUNT_ID` (the template passes `AWS::AccountId`): shown in the console's
    /// header beside the region, so nobody mistakes one account for another.
    pub account_id: Option<String>,
    /// `REWIND_ENVIRONMENT` (template parameter `EnvironmentLabel`): a label such as
    /// `production`, shown in the header; `prod…` is shown in red.
    pub environment: Option<String>,
    /// `REWIND_JOBS_STATE_MACHINE_ARN`: the replay-job state machine (the template sets
    /// it). Unset against an emulator: the backend creates one there.
    pub jobs_state_machine_arn: Option<String>,
    /// `REWIND_TEAM_MAX_ACTIVE_REPLAYS`: with teams, how many replays of one team's buses
    /// may be active at once — interactive replays, peeks and jobs together (3).
    pub team_max_active_replays: u32,
    /// `REWIND_ALLOWED_TARGET_ARNS`: ARNs (or patterns with `*` and `?`, matched part by
    /// part as IAM's `ArnLike`) outside this account and region that a forward may
    /// deliver to (the template passes `AllowedTargetArns`, which also bounds PutTargets
    /// in IAM). Empty: none.
    pub allowed_target_arns: Vec<String>,
    /// `REWIND_EVENT_BUS_NAMES`: the buses of this account and region the deployment may
    /// touch (the template passes `EventBusNames`, which bounds IAM too): names or globs.
    /// Unset: `*`, every bus. A forward within the account must land on one of them.
    pub event_bus_names: Vec<String>,
    /// `REWIND_FORWARD_ROLE_ARNS`: the roles a forward to another account may pass
    /// (`ForwardRoleArns`; IAM grants `iam:PassRole` on these only). Empty: none.
    pub forward_role_arns: Vec<String>,
    /// `REWIND_TARGET_ROLE_ARNS`: the roles of existing targets and rules that a routed
    /// replay's copies and the replay opt-out may pass again (`TargetRoleArns`; IAM grants
    /// `iam:PassRole` on these only). Empty: none, so a target that uses a role is not
    /// routed to.
    pub target_role_arns: Vec<String>,
    /// `REWIND_LEDGER_TABLE`: the DynamoDB table of the teams' replay-slot reservations
    /// and the callers' report budgets (the template sets it). Unset against an emulator:
    /// the backend creates `rewind-ledger-<instance>` there.
    pub ledger_table: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{name}={value:?} is not valid: {reason}")]
    Invalid {
        name: &'static str,
        value: String,
        reason: String,
    },
}

impl Settings {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads settings through `lookup`, so tests need not touch the process environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let env = Env(Box::new(lookup));
        let under_lambda = env.get("AWS_LAMBDA_RUNTIME_API").is_some();
        let auth = auth_mode(&env, under_lambda)?;
        // Deployed, the trail has a log group of its own, never the application log.
        let audit_log_group = env.get("REWIND_AUDIT_LOG_GROUP");
        if under_lambda && audit_log_group.is_none() {
            return Err(ConfigError::Invalid {
                name: "REWIND_AUDIT_LOG_GROUP",
                value: String::new(),
                reason:
                    "under Lambda the audit trail needs its own log group (the template sets it)"
                        .to_owned(),
            });
        }
        for name in [
            "REWIND_EVENTBRIDGE_ENDPOINT",
            "REWIND_EVENTBRIDGEV2_ENDPOINT",
        ] {
            if let Some(endpoint) = env.get(name)
                && !(endpoint.starts_with("http://") || endpoint.starts_with("https://"))
            {
                return Err(ConfigError::Invalid {
                    name,
                    value: endpoint,
                    reason: "expected a URL such as http://127.0.0.1:4566".to_owned(),
                });
            }
        }
        let (roles, local_teams) = roles::from_env(&env)?;
        Ok(Self {
            roles,
            local_teams,
            max_replay_hours: env.bounded("REWIND_MAX_REPLAY_HOURS", "hours", 1..=87_600)?,
            local_role: local_role(&env)?,
            eventbridge_endpoint: env.get("REWIND_EVENTBRIDGE_ENDPOINT"),
            eventbridgev2_endpoint: env.get("REWIND_EVENTBRIDGEV2_ENDPOINT"),
            listen: listen_address(&env)?,
            static_dir: env
                .get("REWIND_STATIC_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from("dist")),
            auth,
            connect_timeout: Duration::from_secs(2),
            operation_timeout: Duration::from_secs(4),
            peek_max_minutes: env
                .bounded("REWIND_PEEK_MAX_MINUTES", "minutes", 1..=1440)?
                .unwrap_or(shared::peek::DEFAULT_MAX_MINUTES),
            peek_redelivery_seconds: env
                .bounded("REWIND_PEEK_REDELIVERY_SECONDS", "seconds", 1..=43_200)?
                .unwrap_or(30),
            audit_log_group,
            audit_file: env.get("REWIND_AUDIT_FILE").map(std::path::PathBuf::from),
            instance: instance(&env)?,
            account_id: env.get("REWIND_ACCOUNT_ID"),
            environment: env.get("REWIND_ENVIRONMENT"),
            sweep_every: Duration::from_secs(
                env.bounded("REWIND_SWEEP_SECONDS", "seconds", 1..=86_400)?
                    .unwrap_or(300),
            ),
            jobs_state_machine_arn: env.get("REWIND_JOBS_STATE_MACHINE_ARN"),
            team_max_active_replays: env
                .bounded("REWIND_TEAM_MAX_ACTIVE_REPLAYS", "replays", 1..=10)?
                .unwrap_or(3),
            allowed_target_arns: env.list("REWIND_ALLOWED_TARGET_ARNS"),
            event_bus_names: match env.list("REWIND_EVENT_BUS_NAMES") {
                names if names.is_empty() => vec!["*".to_owned()],
                names => names,
            },
            forward_role_arns: env.list("REWIND_FORWARD_ROLE_ARNS"),
            target_role_arns: env.list("REWIND_TARGET_ROLE_ARNS"),
            ledger_table: env.get("REWIND_LEDGER_TABLE"),
        })
    }
}

/// How `Settings::from_lookup` reads one variable.
type Lookup<'a> = Box<dyn Fn(&str) -> Option<String> + 'a>;

/// The environment as `Settings::from_lookup` reads it: a blank value is unset.
pub(crate) struct Env<'a>(Lookup<'a>);

impl Env<'_> {
    pub(crate) fn get(&self, name: &str) -> Option<String> {
        (self.0)(name).filter(|v| !v.trim().is_empty())
    }

    /// A comma-separated list; empty when unset.
    fn list(&self, name: &str) -> Vec<String> {
        self.get(name)
            .map(|list| {
                list.split(',')
                    .map(str::trim)
                    .filter(|a| !a.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    }

    pub(crate) fn or(&self, name: &str, default: &str) -> String {
        self.get(name).unwrap_or_else(|| default.to_owned())
    }

    /// `name` as a whole number of `unit` within `range`; None when unset.
    fn bounded<T>(
        &self,
        name: &'static str,
        unit: &str,
        range: std::ops::RangeInclusive<T>,
    ) -> Result<Option<T>, ConfigError>
    where
        T: std::str::FromStr + PartialOrd + std::fmt::Display,
    {
        let Some(value) = self.get(name) else {
            return Ok(None);
        };
        match value.trim().parse::<T>() {
            Ok(number) if range.contains(&number) => Ok(Some(number)),
            _ => Err(ConfigError::Invalid {
                name,
                value,
                reason: format!(
                    "a number of {unit} from {} to {}",
                    range.start(),
                    range.end()
                ),
            }),
        }
    }
}

fn listen_address(env: &Env) -> Result<SocketAddr, ConfigError> {
    match env.get("REWIND_LISTEN") {
        Some(value) => value
            .parse()
            .map_err(|e: std::net::AddrParseError| ConfigError::Invalid {
                name: "REWIND_LISTEN",
                value,
                reason: e.to_string(),
            }),
        None => Ok(SocketAddr::from(([127, 0, 0, 1], 3000))),
    }
}

fn auth_mode(env: &Env, under_lambda: bool) -> Result<AuthMode, ConfigError> {
    let auth = match env.get("REWIND_AUTH").as_deref() {
        Some("none") => AuthMode::None,
        Some("jwt") => AuthMode::Jwt,
        Some(other) => {
            return Err(ConfigError::Invalid {
                name: "REWIND_AUTH",
                value: other.to_owned(),
                reason: "use `none` or `jwt`".to_owned(),
            });
        }
        None if under_lambda => AuthMode::Jwt,
        None => AuthMode::None,
    };
    // Deployed, nobody is ever an implicit admin.
    if under_lambda && auth == AuthMode::None {
        return Err(ConfigError::Invalid {
            name: "REWIND_AUTH",
            value: "none".to_owned(),
            reason: "under Lambda (AWS_LAMBDA_RUNTIME_API is set) Rewind always checks the caller's token; use jwt or leave it unset".to_owned(),
        });
    }
    Ok(auth)
}

fn local_role(env: &Env) -> Result<Role, ConfigError> {
    match env.get("REWIND_LOCAL_ROLE").as_deref() {
        None | Some("admin") => Ok(Role::Admin),
        Some("operator") => Ok(Role::Operator),
        Some("viewer") => Ok(Role::Viewer),
        Some(other) => Err(ConfigError::Invalid {
            name: "REWIND_LOCAL_ROLE",
            value: other.to_owned(),
            reason: "use `viewer`, `operator` or `admin`".to_owned(),
        }),
    }
}

fn instance(env: &Env) -> Result<String, ConfigError> {
    let instance = env.or("REWIND_INSTANCE", "local");
    if instance.chars().count() > 256
        || !instance
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_.:/=+-@".contains(c))
    {
        return Err(ConfigError::Invalid {
            name: "REWIND_INSTANCE",
            value: instance,
            reason: "at most 256 characters of letters, digits and _.:/=+-@ (a tag value)"
                .to_owned(),
        });
    }
    Ok(instance)
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::teams::Scope;
    use std::collections::HashMap;

    fn settings(vars: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Settings::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_locally() {
        let s = settings(&[]).unwrap();
        assert_eq!(s.listen.to_string(), "127.0.0.1:3000");
        assert_eq!(s.static_dir, PathBuf::from("dist"));
        assert_eq!(s.auth, AuthMode::None);
        assert!(s.eventbridge_endpoint.is_none());
        assert!(s.operation_timeout < Duration::from_secs(5));
        assert_eq!(s.instance, "local");
        assert_eq!(s.sweep_every, Duration::from_secs(300));
    }

    #[test]
    fn the_instance_and_the_sweep_period_are_checked() {
        let stack = "arn:aws:cloudformation:us-east-1:123456789012:stack/rewind/0f1e2d3c-aaaa";
        let s = settings(&[("REWIND_INSTANCE", stack), ("REWIND_SWEEP_SECONDS", "5")]).unwrap();
        assert_eq!(
            (s.instance.as_str(), s.sweep_every),
            (stack, Duration::from_secs(5))
        );
        for (name, value) in [
            ("REWIND_INSTANCE", "has space"),
            ("REWIND_INSTANCE", "a,b"),
            ("REWIND_SWEEP_SECONDS", "0"),
            ("REWIND_SWEEP_SECONDS", "86401"),
            ("REWIND_SWEEP_SECONDS", "soon"),
        ] {
            let error = settings(&[(name, value)]).unwrap_err().to_string();
            assert!(error.contains(name), "{error}");
        }
    }

    #[test]
    fn jwt_by_default_under_lambda() {
        let s = settings(&[
            ("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9001"),
            ("REWIND_AUDIT_LOG_GROUP", "audit"),
        ])
        .unwrap();
        assert_eq!(s.auth, AuthMode::Jwt);
    }

    #[test]
    fn roles_from_groups() {
        let s = settings(&[("REWIND_ADMIN_GROUP", "ops-leads")]).unwrap();
        assert_eq!(s.roles.claim, "cognito:groups");
        assert_eq!(
            s.roles.roles_of(["rewind-viewers", "ops-leads", "other"]),
            [Role::Viewer, Role::Admin]
        );
        assert!(s.roles.roles_of(["rewind-admins"]).is_empty());
        assert_eq!(s.local_role, Role::Admin);
        assert_eq!(
            settings(&[("REWIND_LOCAL_ROLE", "viewer")])
                .unwrap()
                .local_role,
            Role::Viewer
        );
        assert!(settings(&[("REWIND_LOCAL_ROLE", "root")]).is_err());
    }

    #[test]
    fn rejects_bad_values() {
        assert!(settings(&[("REWIND_AUTH", "maybe")]).is_err());
        assert!(settings(&[("REWIND_LISTEN", "localhost")]).is_err());
        assert!(settings(&[("REWIND_EVENTBRIDGE_ENDPOINT", "127.0.0.1:4566")]).is_err());
        let s = settings(&[("REWIND_EVENTBRIDGE_ENDPOINT", "http://127.0.0.1:4566")]).unwrap();
        assert_eq!(
            s.eventbridge_endpoint.as_deref(),
            Some("http://127.0.0.1:4566")
        );
    }

    #[test]
    fn teams_are_read_once_and_faults_stop_the_start() {
        let s =
            settings(&[("REWIND_TEAMS", "payments=payments-*,orders;search=search-*")]).unwrap();
        assert_eq!(
            s.roles.scope_of(&["rewind-team-payments"]),
            Scope::Teams(vec![shared::teams::Team {
                name: "payments".into(),
                event_buses: vec!["payments-*".into(), "orders".into()]
            }])
        );
        assert_eq!(
            s.roles
                .scope_of(&["rewind-all-buses", "rewind-team-search"]),
            Scope::All
        );
        assert_eq!(s.roles.scope_of(&["rewind-admins"]), Scope::Teams(vec![]));
        assert_eq!(settings(&[]).unwrap().roles.scope_of(&[]), Scope::All);
        for bad in ["payments", "=x", "a=", "a=x;a=y"] {
            let e = settings(&[("REWIND_TEAMS", bad)]).unwrap_err().to_string();
            assert!(e.contains("REWIND_TEAMS"), "{bad}: {e}");
        }
        let e = settings(&[("REWIND_TEAMS", "a=x"), ("REWIND_LOCAL_TEAMS", "b")]).unwrap_err();
        assert!(e.to_string().contains("'b' is not a team"), "{e}");
        assert!(settings(&[("REWIND_LOCAL_TEAMS", "a")]).is_err());
        assert_eq!(
            settings(&[("REWIND_MAX_REPLAY_HOURS", "24")])
                .unwrap()
                .max_replay_hours,
            Some(24)
        );
        assert!(settings(&[("REWIND_MAX_REPLAY_HOURS", "0")]).is_err());
    }

    #[test]
    fn never_an_implicit_admin_under_lambda() {
        let e = settings(&[
            ("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9001"),
            ("REWIND_AUTH", "none"),
        ])
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("REWIND_AUTH") && e.contains("under Lambda"),
            "{e}"
        );
        assert_eq!(
            settings(&[
                ("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9001"),
                ("REWIND_AUDIT_LOG_GROUP", "audit"),
            ])
            .unwrap()
            .auth,
            AuthMode::Jwt
        );
    }

    #[test]
    fn the_trail_has_its_own_log_group_under_lambda() {
        let e = settings(&[("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9001")])
            .unwrap_err()
            .to_string();
        assert!(e.contains("REWIND_AUDIT_LOG_GROUP"), "{e}");
        assert_eq!(settings(&[]).unwrap().audit_log_group, None);
    }

    #[test]
    fn group_names_must_survive_the_claim() {
        for (name, bad) in [
            ("REWIND_ADMIN_GROUP", "Team rewind-admins"),
            ("REWIND_VIEWER_GROUP", "a,b"),
            ("REWIND_OPERATOR_GROUP", "[ops]"),
            ("REWIND_ALL_BUSES_GROUP", "all\"buses"),
            ("REWIND_TEAM_GROUP_PREFIX", "team "),
        ] {
            let e = settings(&[(name, bad)]).unwrap_err().to_string();
            assert!(e.contains(name), "{e}");
        }
    }
}
