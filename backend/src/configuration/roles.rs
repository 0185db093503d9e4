//! Who a caller is to Rewind: the groups claim of their token, the group that grants each
//! role, the teams their groups make them members of (`REWIND_TEAMS`), and the authorizer
//! a request must have come through.

use super::{ConfigError, Env};
use shared::roles::Role;
use shared::teams::{Scope, Teams};

/// How a caller's roles are read from their token: one claim listing groups, and the
/// group that grants each role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleSettings {
    /// `REWIND_ROLES_CLAIM`, default `cognito:groups`.
    pub claim: String,
    /// `REWIND_VIEWER_GROUP`, `REWIND_OPERATOR_GROUP`, `REWIND_ADMIN_GROUP`.
    pub viewer_group: String,
    pub operator_group: String,
    pub admin_group: String,
    /// `REWIND_TEAMS`: unset, every caller acts on every bus.
    pub teams: Option<Teams>,
    /// `REWIND_TEAM_GROUP_PREFIX` (`rewind-team-`): group `<prefix><team>` is the team.
    pub team_group_prefix: String,
    /// `REWIND_ALL_BUSES_GROUP` (`rewind-all-buses`): keeps every bus when teams are set.
    pub all_buses_group: String,
    /// `REWIND_TOKEN_ISSUER`, `REWIND_TOKEN_AUDIENCE`, `REWIND_API_ID`: what the stack's
    /// JWT authorizer accepts; a request whose verified context says otherwise did not
    /// come through it (someone invoked the function directly) and is refused.
    pub expected: AuthorizerContext,
}

/// The authorizer a request must have come through (unset parts are not checked).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuthorizerContext {
    pub issuer: Option<String>,
    pub audience: Option<String>,
    pub api_id: Option<String>,
}

impl RoleSettings {
    /// The roles granted by these group names.
    pub fn roles_of<'a>(&self, groups: impl IntoIterator<Item = &'a str>) -> Vec<Role> {
        let mut roles: Vec<Role> = groups
            .into_iter()
            .filter_map(|g| {
                if g == self.admin_group {
                    Some(Role::Admin)
                } else if g == self.operator_group {
                    Some(Role::Operator)
                } else if g == self.viewer_group {
                    Some(Role::Viewer)
                } else {
                    None
                }
            })
            .collect();
        roles.sort();
        roles.dedup();
        roles
    }

    /// The buses these group names let a caller act on.
    pub fn scope_of(&self, groups: &[&str]) -> Scope {
        match &self.teams {
            None => Scope::All,
            Some(_) if groups.contains(&self.all_buses_group.as_str()) => Scope::All,
            Some(teams) => Scope::Teams(teams.of_groups(&self.team_group_prefix, groups)),
        }
    }
}

/// Roles, teams and the authorizer's expected context; and the local user's teams.
pub(super) fn from_env(env: &Env) -> Result<(RoleSettings, Vec<String>), ConfigError> {
    let teams = env
        .get("REWIND_TEAMS")
        .map(|value| {
            Teams::parse(&value).map_err(|reason| ConfigError::Invalid {
                name: "REWIND_TEAMS",
                value,
                reason,
            })
        })
        .transpose()?;
    let local_teams: Vec<String> = env
        .get("REWIND_LOCAL_TEAMS")
        .map(|v| v.split(',').map(|t| t.trim().to_owned()).collect())
        .unwrap_or_default();
    if let Some(unknown) = local_teams.iter().find(|t| {
        teams
            .as_ref()
            .is_none_or(|teams| teams.of_groups("", &[t.as_str()]).is_empty())
    }) {
        return Err(ConfigError::Invalid {
            name: "REWIND_LOCAL_TEAMS",
            value: local_teams.join(","),
            reason: format!("'{unknown}' is not a team of REWIND_TEAMS"),
        });
    }
    // A group name the groups claim cannot carry unambiguously (a space, a comma, a
    // bracket…) could be forged by a group whose name contains it.
    for (name, default) in [
        ("REWIND_VIEWER_GROUP", "rewind-viewers"),
        ("REWIND_OPERATOR_GROUP", "rewind-operators"),
        ("REWIND_ADMIN_GROUP", "rewind-admins"),
        ("REWIND_ALL_BUSES_GROUP", "rewind-all-buses"),
        ("REWIND_TEAM_GROUP_PREFIX", "rewind-team-"),
    ] {
        let value = env.or(name, default);
        if !shared::roles::is_claimable_group_name(&value) {
            return Err(ConfigError::Invalid {
                name,
                value,
                reason: "a group name may not contain spaces, commas, quotes, brackets or backslashes: the groups claim could not tell it apart".to_owned(),
            });
        }
    }
    let roles = RoleSettings {
        claim: env.or("REWIND_ROLES_CLAIM", "cognito:groups"),
        viewer_group: env.or("REWIND_VIEWER_GROUP", "rewind-viewers"),
        operator_group: env.or("REWIND_OPERATOR_GROUP", "rewind-operators"),
        admin_group: env.or("REWIND_ADMIN_GROUP", "rewind-admins"),
        teams,
        team_group_prefix: env.or("REWIND_TEAM_GROUP_PREFIX", "rewind-team-"),
        all_buses_group: env.or("REWIND_ALL_BUSES_GROUP", "rewind-all-buses"),
        expected: AuthorizerContext {
            issuer: env.get("REWIND_TOKEN_ISSUER"),
            audience: env.get("REWIND_TOKEN_AUDIENCE"),
            api_id: env.get("REWIND_API_ID"),
        },
    };
    Ok((roles, local_teams))
}
