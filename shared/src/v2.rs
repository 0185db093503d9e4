//! The Custom Event Bus (EventBridge v2, `eventsv2` 2025-05-15): its buses, their
//! subscribers, and Rewind's replay there — a temporary point-in-time subscriber per
//! chosen subscriber (`docs/API.md`, "Custom Event Bus (v2)"). DTOs and their validated
//! forms; no I/O.

use crate::Field;
use crate::FieldError;
use crate::list::present;
use crate::validation::{Description, ReplayName, ReplayWindow};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// The prefix of every subscriber Rewind makes; a subscriber so named is never a replay's
/// source.
pub const TEMPORARY_PREFIX: &str = "rewind-";

/// The most subscribers one replay copies.
pub const MAX_SUBSCRIBERS: usize = 10;

/// The name of copy `k` of replay `replay` whose key (64 random bits, in hex) is `key`.
pub fn copy_name(key: &str, k: usize, replay: &str) -> String {
    format!("{TEMPORARY_PREFIX}{key}-{k}-{replay}")
}

/// The replay a temporary subscriber's name says it is a copy for.
pub fn replay_of(name: &str) -> Option<&str> {
    key_and_replay_of(name).map(|(_, replay)| replay)
}

/// The key and the replay of a temporary subscriber's name.
pub fn key_and_replay_of(name: &str) -> Option<(&str, &str)> {
    let rest = name.strip_prefix(TEMPORARY_PREFIX)?;
    let (key, rest) = rest.split_once('-')?;
    let (k, replay) = rest.split_once('-')?;
    (key.len() == 16
        && key.bytes().all(|b| b.is_ascii_hexdigit())
        && !k.is_empty()
        && k.bytes().all(|b| b.is_ascii_digit())
        && !replay.is_empty())
    .then_some((key, replay))
}

wire_enum! {
    /// The lifecycle state of a v2 bus (the service's `BusState`).
    pub enum V2BusState ("a bus state") {
        Creating = "CREATING",
        CreateFailed = "CREATE_FAILED",
        Updating = "UPDATING",
        UpdateFailed = "UPDATE_FAILED",
        Deleting = "DELETING",
        Active = "ACTIVE",
        DeleteFailed = "DELETE_FAILED",
    }
}

wire_enum! {
    /// Whether a subscriber delivers (the service's `SubscriberState`).
    pub enum SubscriberState ("a subscriber state") {
        Running = "RUNNING",
        Stopped = "STOPPED",
    }
}

wire_enum! {
    /// Where a subscriber started reading the bus (the service's `StartingPosition`).
    pub enum StartingPosition ("a starting position") {
        Latest = "LATEST",
        PointInTime = "POINT_IN_TIME",
    }
}

wire_enum! {
    /// A v2 replay's state, read from its temporary subscribers (see `docs/API.md`).
    pub enum V2ReplayState ("a v2 replay state") {
        Running = "RUNNING",
        Paused = "PAUSED",
        Completed = "COMPLETED",
        Stopped = "STOPPED",
        Failed = "FAILED",
    }
}

impl V2ReplayState {
    /// Still changing: worth refreshing, and holding its temporary subscribers.
    pub const fn is_in_progress(self) -> bool {
        matches!(self, Self::Running | Self::Paused)
    }
    pub const fn can_pause(self) -> bool {
        matches!(self, Self::Running)
    }
    pub const fn can_resume(self) -> bool {
        matches!(self, Self::Paused)
    }
    pub const fn can_stop(self) -> bool {
        matches!(self, Self::Running | Self::Paused)
    }
}

/// One row of `GET /api/v2/event-buses`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct V2EventBus {
    pub name: String,
    pub arn: String,
    pub state: V2BusState,
    /// How long the bus keeps every event, 1–365.
    pub retention_days: i32,
    /// The earliest event time the bus still keeps: a replay starts at or after it.
    #[serde(default, with = "crate::timestamp::option")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retention_window_start_time: Option<OffsetDateTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// `GET /api/v2/event-buses`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct V2EventBusList {
    pub event_buses: Vec<V2EventBus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

/// One row of `GET /api/v2/event-buses/{name}/subscribers`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct V2Subscriber {
    pub name: String,
    pub arn: String,
    pub state: SubscriberState,
    pub starting_position: StartingPosition,
    pub target_arn: String,
    /// Its filter's patterns, as the service holds them (absent: every event).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<String>,
    /// `FIFO` or `UNORDERED`.
    #[serde(rename = "type")]
    pub ordering: String,
    /// Revoked by the bus's owner: it delivers nothing and cannot be copied.
    pub revoked: bool,
    /// One of Rewind's temporary subscribers (a replay's copy).
    pub temporary: bool,
    /// Another account's subscriber on a shared bus: listed, never copied.
    #[serde(default)]
    pub other_account: bool,
}

impl V2Subscriber {
    /// Why it cannot be a replay's source, if it cannot.
    pub fn refusal(&self) -> Option<&'static str> {
        if self.temporary {
            Some("it is one of Rewind's temporary subscribers")
        } else if self.revoked {
            Some("it is revoked")
        } else if self.other_account {
            Some("it belongs to another account")
        } else {
            None
        }
    }
}

/// `GET /api/v2/event-buses/{name}/subscribers`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct V2SubscriberList {
    pub subscribers: Vec<V2Subscriber>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

/// `POST /api/v2/replays` body.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StartV2ReplayRequest {
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 64, pattern = r"^[\.\-_A-Za-z0-9]+$")
    )]
    pub replay_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_length = 512))]
    pub description: Option<String>,
    /// The v2 bus whose retained events are replayed.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 1011))]
    pub event_bus_arn: String,
    /// The subscribers (of that bus) the replay goes to: 1–10.
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 10))]
    pub subscriber_arns: Vec<String>,
    /// RFC 3339.
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub event_start_time: String,
    /// RFC 3339, after `eventStartTime`.
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub event_end_time: String,
}

/// A v2 replay request that passed every check needing no AWS call; the backend then
/// checks the window against the bus's retention and each subscriber against the bus.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewV2Replay {
    pub name: ReplayName,
    pub description: Option<Description>,
    pub bus: V2EventBusArn,
    pub subscribers: Vec<SubscriberArn>,
    pub window: ReplayWindow,
}

impl StartV2ReplayRequest {
    /// Every field's problem at once; empty when valid.
    pub fn problems(&self) -> Vec<FieldError> {
        let checks = [
            ReplayName::parse(&self.replay_name).err(),
            present(self.description.as_deref()).and_then(|d| Description::parse(d).err()),
            V2EventBusArn::parse(&self.event_bus_arn).err(),
            self.subscribers().err(),
            ReplayWindow::parse_text(&self.event_start_time, &self.event_end_time).err(),
        ];
        checks.into_iter().flatten().collect()
    }

    pub fn validate(&self) -> Result<NewV2Replay, FieldError> {
        if let Some(first) = self.problems().into_iter().next() {
            return Err(first);
        }
        Ok(NewV2Replay {
            name: ReplayName::parse(&self.replay_name)?,
            description: present(self.description.as_deref())
                .map(Description::parse)
                .transpose()?,
            bus: V2EventBusArn::parse(&self.event_bus_arn)?,
            subscribers: self.subscribers()?,
            window: ReplayWindow::parse_text(&self.event_start_time, &self.event_end_time)?,
        })
    }

    /// 1–10 distinct subscriber ARNs, none of them one of Rewind's own.
    fn subscribers(&self) -> Result<Vec<SubscriberArn>, FieldError> {
        let at = |message: String| FieldError::new(Field::SubscriberArns, message);
        if self.subscriber_arns.is_empty() {
            return Err(at("Choose at least one subscriber to replay to.".into()));
        }
        if self.subscriber_arns.len() > MAX_SUBSCRIBERS {
            return Err(at(format!(
                "A replay goes to at most {MAX_SUBSCRIBERS} subscribers; {} are chosen.",
                self.subscriber_arns.len()
            )));
        }
        let mut parsed: Vec<SubscriberArn> = Vec::with_capacity(self.subscriber_arns.len());
        for arn in &self.subscriber_arns {
            let arn = SubscriberArn::parse(arn)?;
            if arn.name().starts_with(TEMPORARY_PREFIX) {
                return Err(at(format!(
                    "Subscriber {} is one of Rewind's temporary subscribers (another replay's); choose the subscriber it copies.",
                    arn.name()
                )));
            }
            if parsed.contains(&arn) {
                return Err(at(format!("Subscriber {} is chosen twice.", arn.name())));
            }
            parsed.push(arn);
        }
        Ok(parsed)
    }
}

/// One chosen subscriber of a v2 replay and its temporary copy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct V2ReplaySubscriber {
    pub subscriber_arn: String,
    /// The temporary subscriber, while it exists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub temporary_subscriber_arn: Option<String>,
    /// The temporary subscriber's state; `STOPPED` once it is gone.
    pub state: SubscriberState,
}

/// `GET /api/v2/replays/{replayName}`, and the answer of every change to one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct V2Replay {
    pub replay_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub event_bus_arn: String,
    #[serde(with = "crate::timestamp")]
    pub event_start_time: OffsetDateTime,
    #[serde(with = "crate::timestamp")]
    pub event_end_time: OffsetDateTime,
    pub state: V2ReplayState,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state_reason: Option<String>,
    pub subscribers: Vec<V2ReplaySubscriber>,
    pub created_by: String,
    #[serde(with = "crate::timestamp")]
    pub created_at: OffsetDateTime,
}

/// `GET /api/v2/replays`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct V2ReplayList {
    pub replays: Vec<V2Replay>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

/// A v2 bus's ARN: `arn:aws:events:{region}:{account}:event-busv2/{name}/{id}` (the
/// service model's pattern).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct V2EventBusArn(String);

/// A subscriber's ARN: `arn:aws:events:{region}:{account}:subscriber/{name}/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SubscriberArn(String);

/// Checks `value` against the model's ARN shape for `kind` (`event-busv2`,
/// `subscriber`): partition, region, a 12-digit account, a name, a 25-character id.
fn check_v2_arn(value: &str, kind: &str, field: Field, what: &str) -> Result<(), FieldError> {
    let bad = || {
        FieldError::new(
            field,
            format!(
                "'{value}' is not {what} (arn:aws:events:<region>:<account>:{kind}/<name>/<id>)."
            ),
        )
    };
    if value.len() > 1011 {
        return Err(bad());
    }
    let parts: Vec<&str> = value.splitn(6, ':').collect();
    let [arn, partition, service, region, account, resource] = parts.as_slice() else {
        return Err(bad());
    };
    let name_ok = |name: &str| {
        (1..=256).contains(&name.len())
            && name
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphanumeric())
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
    };
    let resource_ok = resource
        .strip_prefix(kind)
        .and_then(|rest| rest.strip_prefix('/'))
        .and_then(|rest| rest.split_once('/'))
        .is_some_and(|(name, id)| {
            name_ok(name)
                && id.len() == 25
                && id
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        });
    let ok = *arn == "arn"
        && partition.starts_with("aws")
        && *service == "events"
        && !region.is_empty()
        && account.len() == 12
        && account.chars().all(|c| c.is_ascii_digit())
        && resource_ok;
    if ok { Ok(()) } else { Err(bad()) }
}

macro_rules! v2_arn {
    ($ty:ident, $kind:literal, $field:expr, $what:literal) => {
        impl $ty {
            pub fn parse(value: &str) -> Result<Self, FieldError> {
                check_v2_arn(value, $kind, $field, $what)?;
                Ok(Self(value.to_owned()))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The name in the ARN.
            pub fn name(&self) -> &str {
                self.0.rsplit('/').nth(1).unwrap_or_default()
            }

            /// The account the ARN names.
            pub fn account(&self) -> &str {
                self.0.split(':').nth(4).unwrap_or_default()
            }
        }

        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

v2_arn!(
    V2EventBusArn,
    "event-busv2",
    Field::EventBusArn,
    "a v2 event bus ARN"
);
v2_arn!(
    SubscriberArn,
    "subscriber",
    Field::SubscriberArns,
    "a subscriber ARN"
);

#[cfg(test)]
mod tests {
    use super::*;

    const BUS: &str =
        "arn:aws:events:us-east-1:123456789012:event-busv2/orders-v2/abcdefghij0123456789klmno";
    const SUB: &str =
        "arn:aws:events:us-east-1:123456789012:subscriber/billing/abcdefghij0123456789klmno";

    fn request() -> StartV2ReplayRequest {
        StartV2ReplayRequest {
            replay_name: "fix-1".into(),
            description: None,
            event_bus_arn: BUS.into(),
            subscriber_arns: vec![SUB.into()],
            event_start_time: "2026-11-26T12:00:00Z".into(),
            event_end_time: "2026-11-26T13:00:00Z".into(),
        }
    }

    #[test]
    fn a_copys_name_says_its_replay() {
        let name = copy_name("0123456789abcdef", 2, "orders-fix");
        assert_eq!(name, "rewind-0123456789abcdef-2-orders-fix");
        assert_eq!(replay_of(&name), Some("orders-fix"));
        assert_eq!(replay_of("rewind-xyz-1-a"), None);
        assert_eq!(replay_of("rewind-later"), None);
        assert_eq!(replay_of("billing"), None);
        assert_eq!(replay_of("rewind-0123456789abcdef-x-a"), None);
    }

    #[test]
    fn arns_follow_the_models_shapes() {
        let bus = V2EventBusArn::parse(BUS).unwrap();
        assert_eq!(bus.name(), "orders-v2");
        assert_eq!(bus.account(), "123456789012");
        assert_eq!(SubscriberArn::parse(SUB).unwrap().name(), "billing");
        for bad in [
            "arn:aws:events:us-east-1:123456789012:event-bus/orders",
            "arn:aws:events:us-east-1:12345:event-busv2/orders-v2/abcdefghij0123456789klmno",
            "arn:aws:events:us-east-1:123456789012:event-busv2/orders-v2/short",
            "arn:aws:events:us-east-1:123456789012:event-busv2/-bad/abcdefghij0123456789klmno",
        ] {
            assert_eq!(
                V2EventBusArn::parse(bad).unwrap_err().field,
                "eventBusArn",
                "{bad}"
            );
        }
        assert!(SubscriberArn::parse(BUS).is_err());
    }

    #[test]
    fn a_replay_names_one_to_ten_distinct_subscribers_none_of_rewinds() {
        assert!(request().validate().is_ok());
        let none = StartV2ReplayRequest {
            subscriber_arns: vec![],
            ..request()
        };
        assert_eq!(none.validate().unwrap_err().field, "subscriberArns");
        let eleven = StartV2ReplayRequest {
            subscriber_arns: (0..11)
                .map(|i| SUB.replace("billing", &format!("s{i}")))
                .collect(),
            ..request()
        };
        assert_eq!(eleven.validate().unwrap_err().field, "subscriberArns");
        let twice = StartV2ReplayRequest {
            subscriber_arns: vec![SUB.into(), SUB.into()],
            ..request()
        };
        assert_eq!(twice.validate().unwrap_err().field, "subscriberArns");
        let ours = StartV2ReplayRequest {
            subscriber_arns: vec![SUB.replace("billing", "rewind-0123456789abcdef-0")],
            ..request()
        };
        let refused = ours.validate().unwrap_err();
        assert_eq!(refused.field, "subscriberArns");
        assert!(refused.message.contains("temporary"), "{}", refused.message);
    }

    #[test]
    fn every_field_is_checked() {
        let bad = StartV2ReplayRequest {
            replay_name: "a b".into(),
            event_bus_arn: "x".into(),
            event_end_time: "2026-11-26T11:00:00Z".into(),
            ..request()
        };
        let fields: Vec<&str> = bad.problems().iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, ["replayName", "eventBusArn", "eventEndTime"]);
    }
}
