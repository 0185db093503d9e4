//! Routed replays: a replay that reaches only chosen targets, through temporary
//! `rewind-` rules that Rewind creates before the replay and removes once it is over.
//! What is asked (`routing` on start and preview), how it is checked, and how the
//! temporary rules are named and recognised — no I/O.

use crate::FieldError;
use crate::validation::{EventPattern, ReplayName, RuleName, TargetId};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// The prefix of every rule (and queue) Rewind creates; nothing else of Rewind's has it.
pub const TEMPORARY_PREFIX: &str = "rewind-";

/// The most targets one routed replay may pick (EventBridge's 5 targets per rule, for
/// up to 20 rules).
pub const MAX_ROUTED_TARGETS: usize = 100;

/// One target of one rule of the archive's bus.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoutedTarget {
    /// The rule's name.
    pub rule: String,
    /// The target's id within that rule.
    pub target_id: String,
}

/// `routing` of a start or preview: only these targets receive the replay.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoutingRequest {
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 100))]
    pub targets: Vec<RoutedTarget>,
    /// Narrows the chosen rules' patterns, key by key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_pattern: Option<String>,
}

/// A routing request that passed every check that needs no AWS call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Routing {
    /// Each chosen rule once, with its chosen targets, in the order first named.
    pub rules: Vec<(RuleName, Vec<TargetId>)>,
    pub narrowing: Option<EventPattern>,
}

impl RoutingRequest {
    pub fn validate(&self) -> Result<Routing, FieldError> {
        let field = "routing.targets";
        if self.targets.is_empty() {
            return Err(FieldError::new(
                field,
                "Choose at least one target to route the replay to.",
            ));
        }
        if self.targets.len() > MAX_ROUTED_TARGETS {
            return Err(FieldError::new(
                field,
                format!("A replay can be routed to at most {MAX_ROUTED_TARGETS} targets."),
            ));
        }
        let mut rules: Vec<(RuleName, Vec<TargetId>)> = Vec::new();
        for target in &self.targets {
            let rule = RuleName::parse(&target.rule).map_err(|e| e.at(field))?;
            let id = TargetId::parse(&target.target_id).map_err(|e| e.at(field))?;
            match rules.iter_mut().find(|(r, _)| *r == rule) {
                Some((_, ids)) if ids.contains(&id) => {}
                Some((_, ids)) => ids.push(id),
                None => rules.push((rule, vec![id])),
            }
        }
        let narrowing = crate::list::present(self.event_pattern.as_deref())
            .map(|p| EventPattern::parse(p).map_err(|e| e.at("routing.eventPattern")))
            .transpose()?;
        Ok(Routing { rules, narrowing })
    }
}

/// What a temporary rule records about itself in its description: the replay it routes,
/// what it carries (copies of a rule's targets, or a peek's queue), and when it was made (a rule whose replay never
/// started is removed only once it is old enough not to be one still being set up).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemporaryRule {
    pub replay: String,
    pub carries: String,
    pub made: OffsetDateTime,
}

const DESCRIPTION_HEAD: &str = "Rewind: temporary, for replay ";

impl TemporaryRule {
    /// The temporary rule's name: `rewind-` + a hash of the replay's name (unique per
    /// replay) + the rule's position + as much of the replay's name as fits in 64.
    pub fn name(replay: &ReplayName, position: usize) -> String {
        let head = format!(
            "{TEMPORARY_PREFIX}{:08x}-{position}-",
            fnv1a(replay.as_str())
        );
        let room = RuleName::MAX_LEN.saturating_sub(head.len());
        let tail: String = replay.as_str().chars().take(room).collect();
        format!("{head}{tail}")
    }

    /// `carries` of a routed replay's rule: copies of `rule`'s targets.
    pub fn copies_of(rule: &str) -> String {
        format!("targets of rule {rule}")
    }

    /// The rule whose targets this one copies (None for a peek's rule).
    pub fn copied_rule(&self) -> Option<&str> {
        self.carries.strip_prefix("targets of rule ")
    }

    pub fn description(&self) -> String {
        format!(
            "{DESCRIPTION_HEAD}{} (carries {}), made {}; removed when the replay ends.",
            self.replay,
            self.carries,
            crate::timestamp::format(self.made)
        )
    }

    /// Reads back what [`TemporaryRule::description`] wrote; None for any other rule.
    pub fn from_description(description: &str) -> Option<Self> {
        let rest = description.strip_prefix(DESCRIPTION_HEAD)?;
        let (replay, rest) = rest.split_once(" (carries ")?;
        let (carries, rest) = rest.split_once("), made ")?;
        let (made, _) = rest.split_once(';')?;
        Some(Self {
            replay: replay.to_owned(),
            carries: carries.to_owned(),
            made: crate::timestamp::parse(made).ok()?,
        })
    }
}

/// FNV-1a, 32 bits: a stable short hash for names (not for security).
fn fnv1a(text: &str) -> u32 {
    text.bytes().fold(0x811c_9dc5, |hash, byte| {
        (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn routing_requests_are_checked_and_grouped_by_rule() {
        let target = |rule: &str, id: &str| RoutedTarget {
            rule: rule.into(),
            target_id: id.into(),
        };
        let request = RoutingRequest {
            targets: vec![
                target("fulfil", "queue"),
                target("emails", "fn"),
                target("fulfil", "fn"),
                target("fulfil", "queue"),
            ],
            event_pattern: Some(r#"{"detail":{"country":["NL"]}}"#.into()),
        };
        let routing = request.validate().unwrap();
        let grouped: Vec<(&str, Vec<&str>)> = routing
            .rules
            .iter()
            .map(|(r, ids)| (r.as_str(), ids.iter().map(|i| i.as_str()).collect()))
            .collect();
        assert_eq!(
            grouped,
            [("fulfil", vec!["queue", "fn"]), ("emails", vec!["fn"])]
        );
        assert!(routing.narrowing.is_some());

        let empty = RoutingRequest::default().validate().unwrap_err();
        assert_eq!(empty.field, "routing.targets");
        let bad_rule = RoutingRequest {
            targets: vec![target("no spaces", "q")],
            event_pattern: None,
        };
        assert_eq!(bad_rule.validate().unwrap_err().field, "routing.targets");
        let bad_id = RoutingRequest {
            targets: vec![target("r", "")],
            event_pattern: None,
        };
        assert_eq!(bad_id.validate().unwrap_err().field, "routing.targets");
        let bad_pattern = RoutingRequest {
            targets: vec![target("r", "q")],
            event_pattern: Some("{".into()),
        };
        assert_eq!(
            bad_pattern.validate().unwrap_err().field,
            "routing.eventPattern"
        );
        let too_many = RoutingRequest {
            targets: (0..=MAX_ROUTED_TARGETS)
                .map(|i| target("r", &format!("t{i}")))
                .collect(),
            event_pattern: None,
        };
        assert!(too_many.validate().unwrap_err().message.contains("100"));
    }

    #[test]
    fn temporary_rules_are_named_and_recognised() {
        let long = ReplayName::parse(&"r".repeat(64)).unwrap();
        let name = TemporaryRule::name(&long, 12);
        assert!(name.starts_with("rewind-") && name.len() <= 64, "{name}");
        assert!(RuleName::parse(&name).is_ok());
        let other = ReplayName::parse(&format!("{}x", "r".repeat(63))).unwrap();
        assert_ne!(
            TemporaryRule::name(&other, 12),
            name,
            "names differ past the cut"
        );
        let short = ReplayName::parse("fix-orders").unwrap();
        assert_eq!(
            TemporaryRule::name(&short, 0),
            format!("rewind-{:08x}-0-fix-orders", fnv1a("fix-orders"))
        );

        let rule = TemporaryRule {
            replay: "fix-orders".into(),
            carries: TemporaryRule::copies_of("fulfil"),
            made: datetime!(2026-11-28 20:00 UTC),
        };
        let text = rule.description();
        assert!(text.len() <= 512);
        assert_eq!(TemporaryRule::from_description(&text), Some(rule.clone()));
        assert_eq!(rule.copied_rule(), Some("fulfil"));
        assert_eq!(TemporaryRule::from_description("Sends receipts"), None);
    }
}
