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

pub use crate::endpoints::Operation;

impl Operation {
    /// The least role allowed to take this action.
    pub const fn minimum_role(self) -> Role {
        match self {
            Operation::CreateArchive
            | Operation::UpdateArchive
            | Operation::DeleteArchive
            | Operation::OptRuleOutOfReplays => Role::Admin,
            // A peek is a (short, private) replay.
            Operation::StartReplay
            | Operation::CancelReplay
            | Operation::StartReplayJob
            | Operation::PauseReplayJob
            | Operation::ResumeReplayJob
            | Operation::CancelReplayJob
            | Operation::StartPeek
            | Operation::ReadPeek
            | Operation::StopPeek
            | Operation::StartV2Replay
            | Operation::PauseV2Replay
            | Operation::ResumeV2Replay
            | Operation::StopV2Replay => Role::Operator,
            Operation::ListArchives
            | Operation::DescribeArchive
            | Operation::ListReplays
            | Operation::DescribeReplay
            | Operation::ListReplayJobs
            | Operation::DescribeReplayJob
            | Operation::ReplayReport
            | Operation::ReplayJobReport
            | Operation::DescribeReplayNamedPreview
            | Operation::PreviewReplay
            | Operation::ListEventBuses
            | Operation::DescribeEventBus
            | Operation::ListRules
            | Operation::TestEventPattern
            | Operation::Me
            | Operation::Now
            | Operation::ListV2EventBuses
            | Operation::ListV2Subscribers
            | Operation::ListV2Replays
            | Operation::DescribeV2Replay
            | Operation::V2ReplayReport => Role::Viewer,
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
                | Operation::StartReplayJob
                | Operation::PauseReplayJob
                | Operation::ResumeReplayJob
                | Operation::CancelReplayJob
                | Operation::OptRuleOutOfReplays
                | Operation::StartPeek
                | Operation::StopPeek
                | Operation::StartV2Replay
                | Operation::PauseV2Replay
                | Operation::ResumeV2Replay
                | Operation::StopV2Replay
        )
    }

    /// Whether the audit intent must be written before the handler runs, else nothing
    /// is done (503): every change, and a peek read, which hands events out and deletes
    /// the acknowledged ones from the peek's queue.
    pub const fn needs_written_intent(self) -> bool {
        self.is_mutating() || matches!(self, Operation::ReadPeek)
    }

    /// "deleting archives", for messages.
    pub const fn describe(self) -> &'static str {
        match self {
            Operation::CreateArchive => "creating archives",
            Operation::UpdateArchive => "editing archives",
            Operation::DeleteArchive => "deleting archives",
            Operation::StartReplay => "starting replays",
            Operation::CancelReplay => "cancelling replays",
            Operation::StartReplayJob => "starting replay jobs",
            Operation::PauseReplayJob | Operation::ResumeReplayJob => {
                "pausing and resuming replay jobs"
            }
            Operation::CancelReplayJob => "cancelling replay jobs",
            Operation::OptRuleOutOfReplays => "opting rules out of replays",
            Operation::StartPeek | Operation::ReadPeek | Operation::StopPeek => {
                "peeking into archives (a peek replays events)"
            }
            Operation::StartV2Replay => "replaying Custom Event Buses to subscribers",
            Operation::PauseV2Replay | Operation::ResumeV2Replay => {
                "pausing and resuming Custom Event Bus replays"
            }
            Operation::StopV2Replay => "stopping Custom Event Bus replays",
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

/// The groups of a verified token's groups claim, in exactly the forms API Gateway hands
/// over: `[a b]` (its rendering of a JSON array claim, space-separated), a JSON array
/// of strings, or one group name. Anything looser — commas, stray quotes or brackets,
/// tabs or other spaces, an empty name — grants no group at all, rather than a guess.
pub fn groups_claim(claim: &str) -> Vec<&str> {
    let is_name = |g: &str| {
        !g.is_empty()
            && !g.chars().any(|c| {
                c.is_whitespace() || c.is_control() || matches!(c, ',' | '[' | ']' | '"' | '\\')
            })
    };
    if claim.starts_with("[\"") {
        // A JSON array of strings.
        return match serde_json::from_str::<Vec<&str>>(claim) {
            Ok(groups) if groups.iter().all(|g| is_name(g)) => groups,
            _ => Vec::new(),
        };
    }
    if let Some(inner) = claim.strip_prefix('[').and_then(|c| c.strip_suffix(']')) {
        let groups: Vec<&str> = inner.split(' ').collect();
        return if groups.iter().all(|g| is_name(g)) {
            groups
        } else {
            Vec::new()
        };
    }
    if is_name(claim) {
        vec![claim]
    } else {
        Vec::new()
    }
}

/// Whether a configured group name can be told apart in a groups claim.
pub fn is_claimable_group_name(name: &str) -> bool {
    groups_claim(name) == [name]
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
    /// `all`: every event bus; `teams`: only the buses of `teams`.
    #[serde(default)]
    pub scope: ScopeKind,
    #[serde(default)]
    pub teams: Vec<crate::teams::Team>,
    /// Where this console acts: its account, region and environment label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deployment: Option<Deployment>,
}

/// The account and region a deployment acts in, and its environment label.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Deployment {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    pub region: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
}

impl Deployment {
    /// Whether the label names production (shown in red).
    pub fn is_production(&self) -> bool {
        self.environment
            .as_deref()
            .is_some_and(|e| e.to_ascii_lowercase().starts_with("prod"))
    }
}

/// Whether a caller acts on every bus or on their teams' only.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ScopeKind {
    #[default]
    All,
    Teams,
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
        assert!(Operation::ALL.iter().all(|a| Role::Admin.can(*a)));
    }

    #[test]
    fn operation_ids_name_one_action_each() {
        for &operation in Operation::ALL {
            assert_eq!(
                Operation::from_operation_id(operation.operation_id()),
                Some(operation)
            );
        }
        assert_eq!(Operation::from_operation_id("health"), None);
        let mut ids: Vec<_> = Operation::ALL.iter().map(|o| o.operation_id()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), Operation::ALL.len());
    }

    #[test]
    fn groups_claims_are_read_strictly() {
        assert_eq!(
            groups_claim("[rewind-admins rewind-viewers]"),
            ["rewind-admins", "rewind-viewers"]
        );
        assert_eq!(
            groups_claim(r#"["rewind-admins","team-a"]"#),
            ["rewind-admins", "team-a"]
        );
        assert_eq!(groups_claim("rewind-viewers"), ["rewind-viewers"]);
        assert_eq!(groups_claim("[rewind-viewers]"), ["rewind-viewers"]);
        for hostile in [
            "x,rewind-admins",
            "[x,rewind-admins]",
            "[a  rewind-admins]",
            "[a\trewind-admins]",
            "[a\u{a0}rewind-admins]",
            "rewind-admins ",
            " rewind-admins",
            "\"rewind-admins\"",
            "[\"rewind-admins\" x]",
            r#"["rewind admins"]"#,
            r#"["a", 1]"#,
            "[[rewind-admins]]",
            "[rewind-admins",
            "rewind-admins]",
            "",
            "[]",
        ] {
            assert!(
                groups_claim(hostile).is_empty(),
                "{hostile:?}: {:?}",
                groups_claim(hostile)
            );
        }
        // API Gateway's form cannot tell one group with a space from two groups: such
        // names are refused at start-up instead (see is_claimable_group_name).
        assert_eq!(
            groups_claim("[Team rewind-admins]"),
            ["Team", "rewind-admins"]
        );
        assert!(is_claimable_group_name("rewind-admins"));
        assert!(!is_claimable_group_name("Team rewind-admins"));
        assert!(!is_claimable_group_name("a,b") && !is_claimable_group_name(""));
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
            scope: ScopeKind::All,
            teams: vec![],
            deployment: None,
        };
        assert_eq!(me.role(), Some(Role::Operator));
    }
}
