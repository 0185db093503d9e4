//! Replay DTOs (`/api/replays`) and their validated forms.

use crate::Field;
use crate::FieldError;
use crate::list::present;
use crate::progress::ReplayProgress;
use crate::routing::{Routing, RoutingRequest};
use crate::validation::{ArchiveArn, Description, EventBusArn, ReplayName, ReplayWindow, RuleArn};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

wire_enum! {
    /// The lifecycle state of a replay.
    pub enum ReplayState ("a replay state") {
        Starting = "STARTING",
        Running = "RUNNING",
        Cancelling = "CANCELLING",
        Completed = "COMPLETED",
        Cancelled = "CANCELLED",
        Failed = "FAILED",
    }
}

impl ReplayState {
    /// The most replays per account and region that may be STARTING or RUNNING at once.
    pub const MAX_ACTIVE: usize = 10;

    /// EventBridge cancels only STARTING and RUNNING replays.
    pub const fn can_cancel(self) -> bool {
        matches!(self, Self::Starting | Self::Running)
    }

    /// Still changing: worth refreshing.
    pub const fn is_in_progress(self) -> bool {
        matches!(self, Self::Starting | Self::Running | Self::Cancelling)
    }
}

/// One row of `GET /api/replays`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReplaySummary {
    pub replay_name: String,
    /// The ARN of the archive replayed from.
    pub event_source_arn: String,
    pub state: ReplayState,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state_reason: Option<String>,
    #[serde(with = "crate::timestamp")]
    pub event_start_time: OffsetDateTime,
    #[serde(with = "crate::timestamp")]
    pub event_end_time: OffsetDateTime,
    #[serde(default, with = "crate::timestamp::option")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_last_replayed_time: Option<OffsetDateTime>,
    #[serde(default, with = "crate::timestamp::option")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replay_start_time: Option<OffsetDateTime>,
    #[serde(default, with = "crate::timestamp::option")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replay_end_time: Option<OffsetDateTime>,
    /// 0 to 1: see [`ReplayProgress`].
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 1))]
    pub progress: f64,
    /// The replay job this replay is a slice of.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job: Option<String>,
}

impl ReplaySummary {
    /// The progress figure for these times and state.
    pub fn compute_progress(&self) -> ReplayProgress {
        ReplayProgress::compute(
            self.state == ReplayState::Completed,
            self.event_start_time,
            self.event_end_time,
            self.event_last_replayed_time,
        )
    }
}

/// Where a replay sends events: the archive's own bus, optionally only to some rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReplayDestination {
    pub arn: String,
    /// Empty: every rule on the bus.
    #[serde(default)]
    pub filter_arns: Vec<String>,
}

/// `GET /api/replays/{name}`: every field of DescribeReplay.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Replay {
    #[serde(flatten)]
    pub summary: ReplaySummary,
    pub replay_arn: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub destination: ReplayDestination,
    /// The targets a routed replay was sent to, while its temporary rules exist.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub routing: Option<RoutingRequest>,
}

/// `GET /api/replays` response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReplayList {
    pub replays: Vec<ReplaySummary>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

/// The destination part of `POST /api/replays`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReplayDestinationRequest {
    /// The ARN of the archive's event bus.
    #[cfg_attr(
        feature = "openapi",
        schema(
            min_length = 1,
            max_length = 1600,
            pattern = r"^arn:aws[a-z\-]*:events:[a-z0-9\-]*:([0-9]{12})?:event-bus/.+$"
        )
    )]
    pub arn: String,
    /// Rule ARNs to replay to; absent or empty replays to every rule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_items = 100))]
    pub filter_arns: Option<Vec<String>>,
}

/// Declares a body that asks for a replay: its own leading field (the name), then what
/// every replay request has — a description, the archive, the window, the destination,
/// the routing — then its own trailing fields. A start and a job share this one
/// definition (serde cannot `flatten` under `deny_unknown_fields`).
macro_rules! replay_request {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $(#[$lead_meta:meta])* pub $lead:ident: $lead_ty:ty,
            ..
            $($(#[$tail_meta:meta])* pub $tail:ident: $tail_ty:ty,)*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "camelCase", deny_unknown_fields)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        pub struct $name {
            $(#[$lead_meta])* pub $lead: $lead_ty,
            #[serde(default, skip_serializing_if = "Option::is_none")]
            #[cfg_attr(feature = "openapi", schema(max_length = 512))]
            pub description: Option<String>,
            /// The ARN of the archive to replay from.
            #[cfg_attr(
                feature = "openapi",
                schema(
                    min_length = 1,
                    max_length = 1600,
                    pattern = r"^arn:aws[a-z\-]*:events:[a-z0-9\-]*:([0-9]{12})?:archive/.+$"
                )
            )]
            pub event_source_arn: String,
            /// RFC 3339.
            #[cfg_attr(feature = "openapi", schema(format = DateTime))]
            pub event_start_time: String,
            /// RFC 3339, after `eventStartTime`.
            #[cfg_attr(feature = "openapi", schema(format = DateTime))]
            pub event_end_time: String,
            pub destination: $crate::replay::ReplayDestinationRequest,
            /// Only these targets receive the replay, through temporary `rewind-` rules
            /// (exclusive with `destination.filterArns`).
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub routing: Option<$crate::routing::RoutingRequest>,
            $($(#[$tail_meta])* pub $tail: $tail_ty,)*
        }
    };
}
pub(crate) use replay_request;

replay_request! {
    /// `POST /api/replays` body.
    pub struct StartReplayRequest {
        #[cfg_attr(
            feature = "openapi",
            schema(min_length = 1, max_length = 64, pattern = r"^[\.\-_A-Za-z0-9]+$")
        )]
        pub replay_name: String,
        ..
    }
}

/// A start request that passed every check that needs no AWS call. The backend still
/// checks that `destination` is the archive's own bus.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewReplay {
    pub name: ReplayName,
    pub description: Option<Description>,
    pub archive: ArchiveArn,
    pub window: ReplayWindow,
    pub destination: EventBusArn,
    pub filter_rules: Vec<RuleArn>,
    pub routing: Option<Routing>,
}

impl NewReplay {
    /// Whether `replay` is exactly the one this request starts (see
    /// [`NewArchive::is_fulfilled_by`](crate::archive::NewArchive::is_fulfilled_by)).
    pub fn is_fulfilled_by(&self, replay: &Replay) -> bool {
        let mut asked_rules: Vec<&str> = self.filter_rules.iter().map(|r| r.as_str()).collect();
        let mut found_rules: Vec<&str> = replay
            .destination
            .filter_arns
            .iter()
            .map(String::as_str)
            .collect();
        asked_rules.sort_unstable();
        found_rules.sort_unstable();
        replay.summary.replay_name == self.name.as_str()
            && replay.summary.event_source_arn == self.archive.as_str()
            && replay.summary.event_start_time == self.window.start()
            && replay.summary.event_end_time == self.window.end()
            && replay.destination.arn == self.destination.as_str()
            && asked_rules == found_rules
    }
}

/// The most rules one replay may be limited to.
pub const MAX_FILTER_ARNS: usize = 100;

impl StartReplayRequest {
    /// Every field's problem at once (a form shows each under its field); empty when valid.
    pub fn problems(&self) -> Vec<FieldError> {
        let checks = [
            ReplayName::parse(&self.replay_name).err(),
            present(self.description.as_deref()).and_then(|d| Description::parse(d).err()),
            ArchiveArn::parse(&self.event_source_arn).err(),
            ReplayWindow::parse_text(&self.event_start_time, &self.event_end_time).err(),
            EventBusArn::parse(&self.destination.arn)
                .err()
                .map(|e| e.at(Field::DestinationArn)),
            self.filter_rules().err(),
            self.routing_problem(),
        ];
        checks.into_iter().flatten().collect()
    }

    /// `destination.filterArns`, checked: absent means every rule; an empty list is
    /// refused (EventBridge reads it as every rule too, which is never what a person who
    /// ticked nothing meant), and so is one of Rewind's own temporary rules (their
    /// targets are another replay's or job's, never this one's).
    fn filter_rules(&self) -> Result<Vec<RuleArn>, FieldError> {
        let Some(filter_arns) = self.destination.filter_arns.as_deref() else {
            return Ok(Vec::new());
        };
        let field = Field::DestinationFilterArns;
        if filter_arns.is_empty() {
            return Err(FieldError::new(
                field,
                "No rule is chosen: choose at least one rule, or leave filterArns out to replay to every rule of the bus.",
            ));
        }
        if filter_arns.len() > MAX_FILTER_ARNS {
            return Err(FieldError::new(
                field,
                format!("A replay can be limited to at most {MAX_FILTER_ARNS} rules."),
            ));
        }
        filter_arns
            .iter()
            .map(|arn| {
                let rule = RuleArn::parse(arn)?;
                if rule.rule_name().starts_with(crate::routing::TEMPORARY_PREFIX) {
                    return Err(FieldError::new(
                        field,
                        format!(
                            "Rule {} is one of Rewind's temporary rules, which carry another replay's targets; choose the bus's own rules, or route to targets instead.",
                            rule.rule_name()
                        ),
                    ));
                }
                Ok(rule)
            })
            .collect()
    }

    fn routing_problem(&self) -> Option<FieldError> {
        let routing = self.routing.as_ref()?;
        if self
            .destination
            .filter_arns
            .as_ref()
            .is_some_and(|f| !f.is_empty())
        {
            return Some(FieldError::new(
                Field::Routing,
                "Choose either rules (destination.filterArns) or targets (routing), not both.",
            ));
        }
        routing.validate().err()
    }

    pub fn validate(&self) -> Result<NewReplay, FieldError> {
        let filter_rules = self.filter_rules()?;
        Ok(NewReplay {
            name: ReplayName::parse(&self.replay_name)?,
            description: present(self.description.as_deref())
                .map(Description::parse)
                .transpose()?,
            archive: ArchiveArn::parse(&self.event_source_arn)?,
            window: ReplayWindow::parse_text(&self.event_start_time, &self.event_end_time)?,
            destination: EventBusArn::parse(&self.destination.arn)
                .map_err(|e| e.at(Field::DestinationArn))?,
            filter_rules,
            routing: match self.routing_problem() {
                Some(problem) => return Err(problem),
                None => self
                    .routing
                    .as_ref()
                    .map(RoutingRequest::validate)
                    .transpose()?,
            },
        })
    }
}

impl NewReplay {
    /// EventBridge replays only to the bus the archive records.
    pub fn check_destination(&self, archive_source: &str) -> Result<(), FieldError> {
        if self.destination.as_str() != archive_source {
            return Err(FieldError::new(
                Field::DestinationArn,
                format!(
                    "A replay can only send events to the archive's own event bus, {archive_source}."
                ),
            ));
        }
        Ok(())
    }
}

/// The answer to `POST /api/replays`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StartReplayResponse {
    pub replay_arn: String,
    pub state: ReplayState,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state_reason: Option<String>,
    #[serde(default, with = "crate::timestamp::option")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replay_start_time: Option<OffsetDateTime>,
}

/// A start's answer read from the replay itself (a start whose retry met its own first
/// attempt's replay answers so).
impl From<Replay> for StartReplayResponse {
    fn from(replay: Replay) -> Self {
        StartReplayResponse {
            replay_arn: replay.replay_arn,
            state: replay.summary.state,
            state_reason: replay.summary.state_reason,
            replay_start_time: replay.summary.replay_start_time,
        }
    }
}

/// The answer to `POST /api/replays/{name}/cancel`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CancelReplayResponse {
    pub replay_arn: String,
    pub state: ReplayState,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state_reason: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    const BUS: &str = "arn:aws:events:us-east-1:123456789012:event-bus/orders";

    fn request() -> StartReplayRequest {
        StartReplayRequest {
            replay_name: "fix-1".into(),
            description: None,
            event_source_arn: "arn:aws:events:us-east-1:123456789012:archive/orders-all".into(),
            event_start_time: "2026-11-26T12:00:00Z".into(),
            event_end_time: "2026-11-26T13:00:00Z".into(),
            destination: ReplayDestinationRequest {
                arn: BUS.into(),
                filter_arns: None,
            },
            routing: None,
        }
    }

    #[test]
    fn an_empty_or_temporary_rule_choice_is_refused() {
        let with_rules = |rules: Vec<&str>| StartReplayRequest {
            destination: ReplayDestinationRequest {
                arn: BUS.into(),
                filter_arns: Some(rules.into_iter().map(str::to_owned).collect()),
            },
            ..request()
        };
        // Absent: every rule. Empty: refused, never sent (EventBridge reads it as every rule).
        assert!(request().validate().unwrap().filter_rules.is_empty());
        let empty = with_rules(Vec::new());
        assert_eq!(
            empty.validate().unwrap_err().field,
            Field::DestinationFilterArns
        );
        assert!(
            empty
                .problems()
                .iter()
                .any(|p| p.field == Field::DestinationFilterArns)
        );
        let temporary = with_rules(vec![
            "arn:aws:events:us-east-1:123456789012:rule/orders/rewind-0123456789abcdef-0-x",
        ]);
        let error = temporary.validate().unwrap_err();
        assert_eq!(error.field, Field::DestinationFilterArns);
        assert!(error.message.contains("temporary"), "{}", error.message);
        let own = with_rules(vec![
            "arn:aws:events:us-east-1:123456789012:rule/orders/fulfil",
        ]);
        assert_eq!(own.validate().unwrap().filter_rules.len(), 1);
    }

    #[test]
    fn routing_excludes_filter_arns() {
        let routing = crate::routing::RoutingRequest {
            targets: vec![crate::routing::RoutedTarget {
                rule: "fulfil".into(),
                target_id: "q".into(),
            }],
            event_pattern: None,
            forward_to: None,
        };
        let routed = StartReplayRequest {
            routing: Some(routing.clone()),
            ..request()
        };
        assert_eq!(
            routed.validate().unwrap().routing.map(|r| r.rules.len()),
            Some(1)
        );
        let both = StartReplayRequest {
            routing: Some(routing),
            destination: ReplayDestinationRequest {
                arn: BUS.into(),
                filter_arns: Some(vec![
                    "arn:aws:events:us-east-1:123456789012:rule/orders/x".into(),
                ]),
            },
            ..request()
        };
        assert_eq!(both.validate().unwrap_err().field, "routing");
        assert!(both.problems().iter().any(|p| p.field == "routing"));
        let empty = StartReplayRequest {
            routing: Some(Default::default()),
            ..request()
        };
        assert_eq!(empty.validate().unwrap_err().field, "routing.targets");
    }

    #[test]
    fn valid_request() {
        let r = request().validate().unwrap();
        assert_eq!(r.archive.archive_name(), "orders-all");
        assert!(r.filter_rules.is_empty());
        assert!(r.check_destination(BUS).is_ok());
        let other = "arn:aws:events:us-east-1:123456789012:event-bus/default";
        assert_eq!(
            r.check_destination(other).unwrap_err().field,
            "destination.arn"
        );
    }

    #[test]
    fn reports_the_failing_field() {
        let cases = [
            (
                StartReplayRequest {
                    replay_name: "r".repeat(65),
                    ..request()
                },
                "replayName",
            ),
            (
                StartReplayRequest {
                    description: Some("d".repeat(513)),
                    ..request()
                },
                "description",
            ),
            (
                StartReplayRequest {
                    event_source_arn: BUS.into(),
                    ..request()
                },
                "eventSourceArn",
            ),
            (
                StartReplayRequest {
                    event_start_time: "x".into(),
                    ..request()
                },
                "eventStartTime",
            ),
            (
                StartReplayRequest {
                    event_end_time: "2026-11-26T12:00:00Z".into(),
                    ..request()
                },
                "eventEndTime",
            ),
            (
                StartReplayRequest {
                    destination: ReplayDestinationRequest {
                        arn: "x".into(),
                        filter_arns: None,
                    },
                    ..request()
                },
                "destination.arn",
            ),
            (
                StartReplayRequest {
                    destination: ReplayDestinationRequest {
                        arn: BUS.into(),
                        filter_arns: Some(vec!["x".into()]),
                    },
                    ..request()
                },
                "destination.filterArns",
            ),
        ];
        for (r, field) in cases {
            assert_eq!(r.validate().unwrap_err().field, field);
        }
    }

    #[test]
    fn problems_lists_every_field_at_fault() {
        assert!(request().problems().is_empty());
        let bad = StartReplayRequest {
            replay_name: "bad name".into(),
            event_end_time: "2026-11-26T11:00:00Z".into(),
            ..request()
        };
        let fields: Vec<String> = bad.problems().into_iter().map(|e| e.field.into()).collect();
        assert_eq!(fields, ["replayName", "eventEndTime"]);
    }

    #[test]
    fn cancellable_states() {
        let cancellable: Vec<_> = ReplayState::ALL
            .iter()
            .copied()
            .filter(|s| s.can_cancel())
            .collect();
        assert_eq!(cancellable, [ReplayState::Starting, ReplayState::Running]);
        assert!(ReplayState::Cancelling.is_in_progress());
        assert!(!ReplayState::Completed.is_in_progress());
        for &state in ReplayState::ALL {
            assert_eq!(ReplayState::parse(state.as_str()), Ok(state));
            assert_eq!(serde_json::to_value(state).unwrap(), state.as_str());
        }
    }
}
