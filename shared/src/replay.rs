//! Replay DTOs (`/api/replays`) and their validated forms.

use crate::Field;
use crate::FieldError;
use crate::list::present;
use crate::progress::ReplayProgress;
use crate::routing::{Routing, RoutingRequest};
use crate::validation::{ArchiveArn, Description, EventBusArn, ReplayName, ReplayWindow, RuleArn};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// The lifecycle state of a replay.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ReplayState {
    Starting,
    Running,
    Cancelling,
    Completed,
    Cancelled,
    Failed,
}

impl ReplayState {
    pub const ALL: [Self; 6] = [
        Self::Starting,
        Self::Running,
        Self::Cancelling,
        Self::Completed,
        Self::Cancelled,
        Self::Failed,
    ];

    /// The most replays per account and region that may be STARTING or RUNNING at once.
    pub const MAX_ACTIVE: usize = 10;

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Starting => "STARTING",
            Self::Running => "RUNNING",
            Self::Cancelling => "CANCELLING",
            Self::Completed => "COMPLETED",
            Self::Cancelled => "CANCELLED",
            Self::Failed => "FAILED",
        }
    }

    pub fn parse(value: &str) -> Result<Self, FieldError> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == value)
            .ok_or_else(|| {
                FieldError::new(
                    Field::State,
                    format!(
                        "'{value}' is not a replay state; use one of {}.",
                        Self::ALL.map(Self::as_str).join(", ")
                    ),
                )
            })
    }

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
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub event_start_time: OffsetDateTime,
    #[serde(with = "crate::timestamp")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub event_end_time: OffsetDateTime,
    #[serde(
        default,
        with = "crate::timestamp::option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub event_last_replayed_time: Option<OffsetDateTime>,
    #[serde(
        default,
        with = "crate::timestamp::option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub replay_start_time: Option<OffsetDateTime>,
    #[serde(
        default,
        with = "crate::timestamp::option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
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

/// `POST /api/replays` body.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StartReplayRequest {
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 64, pattern = r"^[\.\-_A-Za-z0-9]+$")
    )]
    pub replay_name: String,
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
    pub destination: ReplayDestinationRequest,
    /// Only these targets receive the replay, through temporary `rewind-` rules
    /// (exclusive with `destination.filterArns`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub routing: Option<RoutingRequest>,
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
        let filter_arns = self.destination.filter_arns.as_deref().unwrap_or_default();
        let checks = [
            ReplayName::parse(&self.replay_name).err(),
            present(self.description.as_deref()).and_then(|d| Description::parse(d).err()),
            ArchiveArn::parse(&self.event_source_arn).err(),
            ReplayWindow::parse_text(&self.event_start_time, &self.event_end_time).err(),
            EventBusArn::parse(&self.destination.arn)
                .err()
                .map(|e| e.at(Field::DestinationArn)),
            (filter_arns.len() > MAX_FILTER_ARNS).then(|| {
                FieldError::new(
                    Field::DestinationFilterArns,
                    format!("A replay can be limited to at most {MAX_FILTER_ARNS} rules."),
                )
            }),
            filter_arns.iter().find_map(|arn| RuleArn::parse(arn).err()),
            self.routing_problem(),
        ];
        checks.into_iter().flatten().collect()
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
        let filter_arns = self.destination.filter_arns.as_deref().unwrap_or_default();
        if filter_arns.len() > MAX_FILTER_ARNS {
            return Err(FieldError::new(
                Field::DestinationFilterArns,
                format!("A replay can be limited to at most {MAX_FILTER_ARNS} rules."),
            ));
        }
        Ok(NewReplay {
            name: ReplayName::parse(&self.replay_name)?,
            description: present(self.description.as_deref())
                .map(Description::parse)
                .transpose()?,
            archive: ArchiveArn::parse(&self.event_source_arn)?,
            window: ReplayWindow::parse_text(&self.event_start_time, &self.event_end_time)?,
            destination: EventBusArn::parse(&self.destination.arn)
                .map_err(|e| e.at(Field::DestinationArn))?,
            filter_rules: filter_arns
                .iter()
                .map(|arn| RuleArn::parse(arn))
                .collect::<Result<_, _>>()?,
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
    #[serde(
        default,
        with = "crate::timestamp::option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub replay_start_time: Option<OffsetDateTime>,
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
            .into_iter()
            .filter(|s| s.can_cancel())
            .collect();
        assert_eq!(cancellable, [ReplayState::Starting, ReplayState::Running]);
        assert!(ReplayState::Cancelling.is_in_progress());
        assert!(!ReplayState::Completed.is_in_progress());
    }
}
