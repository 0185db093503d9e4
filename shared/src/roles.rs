//! Team roles: which API action each role may take. The backend enforces this table in
//! one place; the console reads the same table to disable what a user may not do.

use serde::{Deserialize, Serialize};

/// A caller's role; each includes everything of the ones before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Role {
    /// Every read.
    Viewer,
    /// Viewer, plus starting and cancelling replays.
    Operator,
    /// Operator, plus creating, updating and deleting archives.
    Admin,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Viewer, Role::Operator, Role::Admin];

    pub const fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Operator => "operator",
            Role::Admin => "admin",
        }
    }

    pub fn can(self, action: Operation) -> bool {
        self >= action.minimum_role()
    }
}

/// Every API action behind sign-in (health and the OpenAPI document are public).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Operation {
    ListArchives,
    DescribeArchive,
    CreateArchive,
    UpdateArchive,
    DeleteArchive,
    ListReplays,
    DescribeReplay,
    StartReplay,
    CancelReplay,
    ListEventBuses,
    ListRules,
    TestEventPattern,
    Me,
}

impl Operation {
    /// The route of each action: (method, path template under `/api`).
    pub const ROUTES: [(Operation, &'static str, &'static str); 13] = [
        (Operation::ListArchives, "GET", "/archives"),
        (Operation::CreateArchive, "POST", "/archives"),
        (Operation::DescribeArchive, "GET", "/archives/{name}"),
        (Operation::UpdateArchive, "PATCH", "/archives/{name}"),
        (Operation::DeleteArchive, "DELETE", "/archives/{name}"),
        (Operation::ListReplays, "GET", "/replays"),
        (Operation::StartReplay, "POST", "/replays"),
        (Operation::DescribeReplay, "GET", "/replays/{name}"),
        (Operation::CancelReplay, "POST", "/replays/{name}/cancel"),
        (Operation::ListEventBuses, "GET", "/event-buses"),
        (Operation::ListRules, "GET", "/event-buses/{name}/rules"),
        (Operation::TestEventPattern, "POST", "/event-patterns/test"),
        (Operation::Me, "GET", "/me"),
    ];

    /// The least role allowed to take this action.
    pub const fn minimum_role(self) -> Role {
        match self {
            Operation::CreateArchive | Operation::UpdateArchive | Operation::DeleteArchive => {
                Role::Admin
            }
            Operation::StartReplay | Operation::CancelReplay => Role::Operator,
            Operation::ListArchives
            | Operation::DescribeArchive
            | Operation::ListReplays
            | Operation::DescribeReplay
            | Operation::ListEventBuses
            | Operation::ListRules
            | Operation::TestEventPattern
            | Operation::Me => Role::Viewer,
        }
    }

    /// Changes something in AWS (and so is audited).
    pub const fn is_mutating(self) -> bool {
        matches!(
            self,
            Operation::CreateArchive
                | Operation::UpdateArchive
                | Operation::DeleteArchive
                | Operation::StartReplay
                | Operation::CancelReplay
        )
    }

    /// The action of a request, from its method and matched route template (under `/api`).
    pub fn of_route(method: &str, template: &str) -> Option<Operation> {
        Self::ROUTES
            .iter()
            .find(|(_, m, t)| m.eq_ignore_ascii_case(method) && *t == template)
            .map(|(a, _, _)| *a)
    }

    /// "deleting archives", for messages.
    pub const fn describe(self) -> &'static str {
        match self {
            Operation::CreateArchive => "creating archives",
            Operation::UpdateArchive => "editing archives",
            Operation::DeleteArchive => "deleting archives",
            Operation::StartReplay => "starting replays",
            Operation::CancelReplay => "cancelling replays",
            _ => "viewing archives and replays",
        }
    }

    /// Why a role may not take this action, for the console and for 403s.
    pub fn refusal(self, role: Option<Role>) -> Option<String> {
        let needed = self.minimum_role();
        match role {
            Some(role) if role.can(self) => None,
            Some(role) => Some(format!(
                "Your role ({}) does not allow {}; it needs the {} role.",
                role.as_str(),
                self.describe(),
                needed.as_str()
            )),
            None => Some(
                "You are in no Rewind group (viewer, operator or admin). Ask an admin to add you to one."
                    .to_owned(),
            ),
        }
    }
}

/// `GET /api/me`: who the caller is and what they may do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Me {
    pub subject: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    pub roles: Vec<Role>,
    /// Local mode: nobody signed in; acting as an admin named `local`.
    #[serde(default)]
    pub local: bool,
}

impl Me {
    /// The strongest of the caller's roles.
    pub fn role(&self) -> Option<Role> {
        self.roles.iter().copied().max()
    }

    pub fn can(&self, action: Operation) -> bool {
        self.role().is_some_and(|r| r.can(action))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_include_the_lesser_ones() {
        assert!(Role::Viewer.can(Operation::ListArchives));
        assert!(!Role::Viewer.can(Operation::StartReplay));
        assert!(Role::Operator.can(Operation::StartReplay));
        assert!(Role::Operator.can(Operation::CancelReplay));
        assert!(!Role::Operator.can(Operation::DeleteArchive));
        assert!(
            Operation::ROUTES
                .iter()
                .all(|(a, _, _)| Role::Admin.can(*a))
        );
    }

    #[test]
    fn routes_map_to_actions() {
        assert_eq!(
            Operation::of_route("delete", "/archives/{name}"),
            Some(Operation::DeleteArchive)
        );
        assert_eq!(
            Operation::of_route("POST", "/replays/{name}/cancel"),
            Some(Operation::CancelReplay)
        );
        assert_eq!(Operation::of_route("PUT", "/archives"), None);
        let mutating: Vec<_> = Operation::ROUTES
            .iter()
            .filter(|(a, _, _)| a.is_mutating())
            .map(|r| r.1)
            .collect();
        assert!(mutating.iter().all(|m| *m != "GET"));
    }

    #[test]
    fn refusals_say_what_is_needed() {
        let m = Operation::DeleteArchive
            .refusal(Some(Role::Operator))
            .unwrap_or_default();
        assert!(m.contains("admin"), "{m}");
        assert!(Operation::ListArchives.refusal(None).is_some());
        assert!(
            Operation::ListArchives
                .refusal(Some(Role::Viewer))
                .is_none()
        );
        let me = Me {
            subject: "s".into(),
            email: None,
            roles: vec![Role::Viewer, Role::Operator],
            local: false,
        };
        assert_eq!(me.role(), Some(Role::Operator));
    }
}
