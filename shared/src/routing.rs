//! Routed replays: a replay that reaches only chosen targets, through temporary
//! `rewind-` rules that Rewind creates before the replay and removes once it is over.
//! What is asked (`routing` on start and preview), how it is checked, and how the
//! temporary rules are named and recognised — no I/O.

use crate::Field;
use crate::FieldError;
use crate::validation::{EventBusArn, EventPattern, ReplayName, RuleName, TargetId};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// The prefix of every rule (and queue) Rewind creates; nothing else of Rewind's has it.
pub const TEMPORARY_PREFIX: &str = "rewind-";

/// The prefix of a peek's replay, rule and queue names.
pub const PEEK_PREFIX: &str = "rewind-peek-";

/// Whether `text` is the random part of a name Rewind makes: 16 lowercase hexadecimal
/// digits (64 bits).
pub fn is_random_part(text: &str) -> bool {
    text.len() == 16
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The most rules one routed replay may copy targets from.
pub const MAX_ROUTED_RULES: usize = 20;
/// The most targets one routed replay may pick (EventBridge's 5 targets per rule, for
/// up to [`MAX_ROUTED_RULES`] rules).
pub const MAX_ROUTED_TARGETS: usize = 100;
/// The tag every rule and queue Rewind makes carries: its value is the deployment's id
/// (`REWIND_INSTANCE`), and the sweep removes only what carries its own.
pub const INSTANCE_TAG: &str = "rewind:instance";

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

/// `routing.forwardTo`: the bus the replay is forwarded to (admins only), and for
/// another account's bus the role EventBridge sends with.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ForwardTo {
    #[cfg_attr(
        feature = "openapi",
        schema(
            min_length = 1,
            max_length = 1600,
            pattern = r"^arn:aws[a-z\-]*:events:[a-z0-9\-]*:([0-9]{12})?:event-bus/.+$"
        )
    )]
    pub event_bus_arn: String,
    /// Required for another account's bus.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schema(
            max_length = 1600,
            pattern = r"^arn:aws[a-z\-]*:iam::[0-9]{12}:role/.+$"
        )
    )]
    pub role_arn: Option<String>,
}

/// `routing` of a start or preview: only these targets receive the replay, or (with
/// `forwardTo`, exclusive with `targets`) another bus does.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoutingRequest {
    /// Required unless `forwardTo` is given.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 100))]
    pub targets: Vec<RoutedTarget>,
    /// Narrows the chosen rules' patterns, key by key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_pattern: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forward_to: Option<ForwardTo>,
}

/// A validated `forwardTo`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Forward {
    pub bus: EventBusArn,
    pub role: Option<String>,
}

/// A routing request that passed every check that needs no AWS call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Routing {
    /// Each chosen rule once, with its chosen targets, in the order first named (empty
    /// when forwarding).
    pub rules: Vec<(RuleName, Vec<TargetId>)>,
    pub narrowing: Option<EventPattern>,
    pub forward: Option<Forward>,
}

impl ForwardTo {
    pub fn validate(&self) -> Result<Forward, FieldError> {
        let field = Field::RoutingForwardTo;
        let bus = EventBusArn::parse(&self.event_bus_arn).map_err(|e| e.at(field))?;
        let role = crate::list::present(self.role_arn.as_deref())
            .map(|role| {
                let parts: Vec<&str> = role.splitn(6, ':').collect();
                let ok = parts.len() == 6
                    && parts[0] == "arn"
                    && parts[1].starts_with("aws")
                    && parts[2] == "iam"
                    && parts[4].len() == 12
                    && parts[4].bytes().all(|b| b.is_ascii_digit())
                    && parts[5]
                        .strip_prefix("role/")
                        .is_some_and(|r| !r.is_empty())
                    && role.len() <= 1600;
                if ok {
                    Ok(role.to_owned())
                } else {
                    Err(FieldError::new(
                        field,
                        format!(
                            "'{role}' is not an IAM role ARN (arn:aws:iam::<account>:role/<name>)."
                        ),
                    ))
                }
            })
            .transpose()?;
        Ok(Forward { bus, role })
    }
}

impl RoutingRequest {
    pub fn validate(&self) -> Result<Routing, FieldError> {
        let narrowing = crate::list::present(self.event_pattern.as_deref())
            .map(|p| EventPattern::parse(p).map_err(|e| e.at(Field::RoutingEventPattern)))
            .transpose()?;
        if let Some(forward) = &self.forward_to {
            if !self.targets.is_empty() {
                return Err(FieldError::new(
                    Field::RoutingForwardTo,
                    "Forward to another bus, or route to chosen targets: not both.",
                ));
            }
            return Ok(Routing {
                rules: Vec::new(),
                narrowing,
                forward: Some(forward.validate()?),
            });
        }
        let field = Field::RoutingTargets;
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
            if rule.as_str().starts_with(TEMPORARY_PREFIX) {
                return Err(FieldError::new(
                    field,
                    format!(
                        "Rule {rule} is one of Rewind's temporary rules, which carry another replay's targets; choose the bus's own rules."
                    ),
                ));
            }
            let id = TargetId::parse(&target.target_id).map_err(|e| e.at(field))?;
            match rules.iter_mut().find(|(r, _)| *r == rule) {
                Some((_, ids)) if ids.contains(&id) => {}
                Some((_, ids)) => ids.push(id),
                None => rules.push((rule, vec![id])),
            }
        }
        if rules.len() > MAX_ROUTED_RULES {
            return Err(FieldError::new(
                field,
                format!(
                    "A replay can be routed through at most {MAX_ROUTED_RULES} rules; {} were chosen.",
                    rules.len()
                ),
            ));
        }
        Ok(Routing {
            rules,
            narrowing,
            forward: None,
        })
    }
}

/// What marks, in a replay's description, whom Rewind sent it to: kept in EventBridge with
/// the replay, so its page says so after the temporary rules are gone.
pub const SENT_TO_MARK: &str = " · Rewind sent it to ";

/// A replay's description split into what was written and whom Rewind sent it to.
pub fn split_sent_to(description: &str) -> (&str, Option<&str>) {
    match description.rsplit_once(SENT_TO_MARK) {
        Some((written, sent)) => (written, Some(sent)),
        None => (description, None),
    }
}

impl Routing {
    /// Whom a routed or forwarded replay goes to, in words: "target queue-1 of rule
    /// fulfil", "bus orders-eu (every rule there that matches)".
    pub fn sent_to(&self) -> String {
        if let Some(forward) = &self.forward {
            // The whole ARN: another account's bus must not read as one of this account's.
            return format!("bus {} (its rules that match)", forward.bus.as_str());
        }
        self.rules
            .iter()
            .flat_map(|(rule, targets)| {
                targets
                    .iter()
                    .map(move |t| format!("target {} of rule {}", t.as_str(), rule.as_str()))
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// `description` with whom it is sent to appended, when that fits a description.
    pub fn describe(&self, description: &str) -> Option<String> {
        let with = format!("{description}{SENT_TO_MARK}{}", self.sent_to());
        (with.chars().count() <= crate::validation::Description::MAX_LEN).then_some(with)
    }

    /// The request this was validated from, in its validated form.
    pub fn to_request(&self) -> RoutingRequest {
        RoutingRequest {
            targets: self
                .rules
                .iter()
                .flat_map(|(rule, ids)| {
                    ids.iter().map(|id| RoutedTarget {
                        rule: rule.as_str().to_owned(),
                        target_id: id.as_str().to_owned(),
                    })
                })
                .collect(),
            event_pattern: self.narrowing.as_ref().map(|p| p.as_str().to_owned()),
            forward_to: self.forward.as_ref().map(|f| ForwardTo {
                event_bus_arn: f.bus.as_str().to_owned(),
                role_arn: f.role.clone(),
            }),
        }
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
    /// The temporary rule's name: `rewind-` + 16 hexadecimal digits of `random` (64
    /// random bits the caller draws, so no other request can produce the name) + the
    /// rule's position + as much of the replay's name as fits in 64, for people reading
    /// the rule list.
    pub fn name(replay: &ReplayName, position: usize, random: u64) -> String {
        let head = format!("{TEMPORARY_PREFIX}{random:016x}-{position}-");
        let room = RuleName::MAX_LEN.saturating_sub(head.len());
        let tail: String = replay.as_str().chars().take(room).collect();
        format!("{head}{tail}")
    }

    /// Whether `name` is shaped as [`TemporaryRule::name`] or a peek's rule makes it:
    /// the sweep never touches a `rewind-` rule of any other shape.
    pub fn is_rewind_name(name: &str) -> bool {
        if name.strip_prefix(PEEK_PREFIX).is_some_and(is_random_part) {
            return true;
        }
        let Some(rest) = name.strip_prefix(TEMPORARY_PREFIX) else {
            return false;
        };
        let mut parts = rest.splitn(3, '-');
        let (Some(random), Some(position), Some(tail)) = (parts.next(), parts.next(), parts.next())
        else {
            return false;
        };
        random.len() == 16
            && random
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
            && !position.is_empty()
            && position.len() <= 2
            && position.bytes().all(|b| b.is_ascii_digit())
            && RuleName::parse(name).is_ok()
            && !tail.is_empty()
    }

    /// The `replay` a replay job's temporary rules record: `job <jobName>` (a replay
    /// name holds no space, so it never reads as one).
    pub fn job_label(job: &str) -> String {
        format!("job {job}")
    }

    /// The job whose slices this rule routes, if it is a job's.
    pub fn job(&self) -> Option<&str> {
        self.replay.strip_prefix("job ")
    }

    /// `carries` of a routed replay's rule: copies of `rule`'s targets.
    pub fn copies_of(rule: &str) -> String {
        format!("targets of rule {rule}")
    }

    /// `carries` of a forwarding rule: the bus it forwards to.
    pub fn forwards_to(bus: &str) -> String {
        format!("a forward to {bus}")
    }

    /// The bus a forwarding rule forwards to.
    pub fn forwarded_bus(&self) -> Option<&str> {
        self.carries.strip_prefix("a forward to ")
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whom_a_replay_was_sent_to_is_kept_in_its_description() {
        let routing = RoutingRequest {
            targets: vec![RoutedTarget {
                rule: "fulfil".into(),
                target_id: "queue-1".into(),
            }],
            ..Default::default()
        }
        .validate()
        .expect("routing");
        let described = routing.describe("Backfill for INC-42").expect("fits");
        assert_eq!(
            split_sent_to(&described),
            ("Backfill for INC-42", Some("target queue-1 of rule fulfil"))
        );
        assert_eq!(split_sent_to("plain"), ("plain", None));
        assert_eq!(routing.describe(&"x".repeat(500)), None);
    }
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
            forward_to: None,
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
            forward_to: None,
        };
        assert_eq!(bad_rule.validate().unwrap_err().field, "routing.targets");
        let temporary = RoutingRequest {
            targets: vec![target("rewind-0123456789abcdef-0-job-x", "rewind-forward")],
            event_pattern: None,
            forward_to: None,
        };
        let error = temporary.validate().unwrap_err();
        assert_eq!(error.field, "routing.targets");
        assert!(error.message.contains("temporary"), "{}", error.message);
        let bad_id = RoutingRequest {
            targets: vec![target("r", "")],
            event_pattern: None,
            forward_to: None,
        };
        assert_eq!(bad_id.validate().unwrap_err().field, "routing.targets");
        let bad_pattern = RoutingRequest {
            targets: vec![target("r", "q")],
            event_pattern: Some("{".into()),
            forward_to: None,
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
            forward_to: None,
        };
        assert!(too_many.validate().unwrap_err().message.contains("100"));
        let rules = |n: usize| RoutingRequest {
            targets: (0..n).map(|i| target(&format!("rule-{i}"), "t")).collect(),
            event_pattern: None,
            forward_to: None,
        };
        assert!(rules(MAX_ROUTED_RULES).validate().is_ok());
        let error = rules(MAX_ROUTED_RULES + 1).validate().unwrap_err();
        assert_eq!(error.field, "routing.targets");
        assert!(
            error.message.contains("at most 20 rules"),
            "{}",
            error.message
        );
    }

    #[test]
    fn forwarding_is_exclusive_with_targets_and_checked() {
        let forward = |bus: &str, role: Option<&str>| RoutingRequest {
            targets: Vec::new(),
            event_pattern: None,
            forward_to: Some(ForwardTo {
                event_bus_arn: bus.into(),
                role_arn: role.map(str::to_owned),
            }),
        };
        let staging = "arn:aws:events:us-east-1:123456789012:event-bus/orders-staging";
        let ok = forward(staging, None).validate().unwrap();
        assert!(ok.rules.is_empty());
        assert_eq!(
            ok.forward.map(|f| f.bus.bus_name().to_owned()).as_deref(),
            Some("orders-staging")
        );
        let with_role = forward(staging, Some("arn:aws:iam::210987654321:role/forwarder"));
        assert!(with_role.validate().is_ok());
        let field_of = |r: RoutingRequest| r.validate().unwrap_err().field;
        assert_eq!(field_of(forward("nope", None)), Field::RoutingForwardTo);
        assert_eq!(
            field_of(forward(staging, Some("arn:aws:iam::1:role/x"))),
            Field::RoutingForwardTo
        );
        assert_eq!(
            field_of(forward(staging, Some("arn:aws:iam::123456789012:user/x"))),
            Field::RoutingForwardTo
        );
        let mut both = forward(staging, None);
        both.targets.push(RoutedTarget {
            rule: "fulfil".into(),
            target_id: "q".into(),
        });
        assert_eq!(field_of(both), Field::RoutingForwardTo);
        // A forwarding rule says where it forwards to.
        let rule = TemporaryRule {
            replay: "r".into(),
            carries: TemporaryRule::forwards_to(staging),
            made: OffsetDateTime::UNIX_EPOCH,
        };
        let read = TemporaryRule::from_description(&rule.description()).unwrap();
        assert_eq!(read.forwarded_bus(), Some(staging));
        assert_eq!(read.copied_rule(), None);
    }

    #[test]
    fn temporary_rules_are_named_and_recognised() {
        let long = ReplayName::parse(&"r".repeat(64)).unwrap();
        let name = TemporaryRule::name(&long, 12, u64::MAX);
        assert!(name.starts_with("rewind-") && name.len() <= 64, "{name}");
        assert!(RuleName::parse(&name).is_ok());
        assert!(TemporaryRule::is_rewind_name(&name), "{name}");
        // The same replay's name gives another rule name with other random bits: what
        // names a rule is the random part, never the replay's name.
        assert_ne!(TemporaryRule::name(&long, 12, 1), name);
        let short = ReplayName::parse("fix-orders").unwrap();
        assert_eq!(
            TemporaryRule::name(&short, 0, 0x0123_4567_89ab_cdef),
            "rewind-0123456789abcdef-0-fix-orders"
        );
        assert!(TemporaryRule::is_rewind_name(
            "rewind-peek-0123456789abcdef"
        ));
        for foreign in [
            "rewind-",
            "rewind-mine",
            "rewind-0123456789abcdef",
            "rewind-0123456789abcdef-0-",
            "rewind-0123456789ABCDEF-0-x",
            "rewind-0123456789abcde-0-x",
            "rewind-0123456789abcdef-x-y",
            "rewind-0123456789abcdef-123-x",
            "rewind-peek-0123",
            "orders-0123456789abcdef-0-x",
            // Today's scheme before this one: a 32-bit hash.
            "rewind-8b1a9953-0-fix-orders",
        ] {
            assert!(!TemporaryRule::is_rewind_name(foreign), "{foreign}");
        }

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
