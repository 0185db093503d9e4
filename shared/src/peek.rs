//! Archive peeks (`/api/archives/{name}/peeks`, `/api/peeks/{id}`): a short replay of
//! an archive routed only to a queue of Rewind's own, read back by the console. No AWS
//! API lists what an archive holds; this is how Rewind shows it.

use crate::Field;
use crate::FieldError;
use crate::replay::ReplayState;
use crate::validation::{EventPattern, ReplayWindow};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// The default and the limits of `maxEvents`.
pub const DEFAULT_MAX_EVENTS: u16 = 200;
pub const MAX_EVENTS_LIMIT: u16 = 1000;
/// The longest window a peek may replay unless configured (`REWIND_PEEK_MAX_MINUTES`).
pub const DEFAULT_MAX_MINUTES: u32 = 60;
pub use crate::routing::PEEK_PREFIX;
/// The most peeks one caller may have at once (from creation until stopped or swept).
pub const MAX_PEEKS_PER_CALLER: usize = 2;

/// `POST /api/archives/{name}/peeks` body.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StartPeekRequest {
    /// RFC 3339.
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub event_start_time: String,
    /// RFC 3339, after `eventStartTime`, at most `REWIND_PEEK_MAX_MINUTES` later.
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub event_end_time: String,
    /// Only events matching it are shown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_pattern: Option<String>,
    /// 1–1000, default 200; past it the replay is cancelled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 1000))]
    pub max_events: Option<i64>,
}

/// A peek request that passed every check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPeek {
    pub window: ReplayWindow,
    pub pattern: Option<EventPattern>,
    pub max_events: u16,
}

impl StartPeekRequest {
    /// Checks every field; `max_minutes` is the configured longest window.
    pub fn validate(&self, max_minutes: u32) -> Result<NewPeek, FieldError> {
        let window = ReplayWindow::parse_text(&self.event_start_time, &self.event_end_time)?;
        let seconds = (window.end() - window.start()).whole_seconds();
        let minutes = (seconds + 59) / 60;
        if minutes > i64::from(max_minutes) {
            return Err(FieldError::new(
                Field::EventEndTime,
                format!(
                    "A peek replays at most {max_minutes} minutes of events; this window is {minutes}. Peek at a shorter window, or start a replay."
                ),
            ));
        }
        let pattern = crate::list::present(self.event_pattern.as_deref())
            .map(EventPattern::parse)
            .transpose()?;
        let max_events = match self.max_events {
            None => DEFAULT_MAX_EVENTS,
            Some(n) => u16::try_from(n)
                .ok()
                .filter(|n| (1..=MAX_EVENTS_LIMIT).contains(n))
                .ok_or_else(|| {
                    FieldError::new(
                        Field::MaxEvents,
                        format!("maxEvents is a number from 1 to {MAX_EVENTS_LIMIT}; {n} is not."),
                    )
                })?,
        };
        Ok(NewPeek {
            window,
            pattern,
            max_events,
        })
    }
}

/// A peek's id: 16 lowercase hexadecimal digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PeekId(String);

impl PeekId {
    pub fn parse(value: &str) -> Result<Self, FieldError> {
        if crate::routing::is_random_part(value) {
            Ok(Self(value.to_owned()))
        } else {
            Err(FieldError::new(
                Field::PeekId,
                format!(
                    "'{}' is not a peek id (16 hexadecimal digits).",
                    value.escape_default()
                ),
            ))
        }
    }

    /// The id made of 64 random bits the caller draws: no other request can produce it.
    pub fn from_random(random: u64) -> Self {
        Self(format!("{random:016x}"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The name of the peek's replay, rule and queue: `rewind-peek-<id>`.
    pub fn resource_name(&self) -> String {
        format!("{PEEK_PREFIX}{}", self.0)
    }

    /// The peek a `rewind-peek-` name belongs to.
    pub fn from_resource_name(name: &str) -> Option<Self> {
        Self::parse(name.strip_prefix(PEEK_PREFIX)?).ok()
    }
}

impl std::fmt::Display for PeekId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A peek: what was asked, and how far its replay got.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Peek {
    pub peek_id: String,
    pub archive_name: String,
    pub replay_name: String,
    #[serde(with = "crate::timestamp")]
    pub event_start_time: OffsetDateTime,
    #[serde(with = "crate::timestamp")]
    pub event_end_time: OffsetDateTime,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_pattern: Option<String>,
    pub max_events: u16,
    /// The state of the peek's replay.
    pub state: ReplayState,
    /// Events handed out and acknowledged so far.
    pub events_delivered: u32,
    #[serde(with = "crate::timestamp")]
    pub created_at: OffsetDateTime,
}

/// `GET /api/peeks/{id}` response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PeekEvents {
    pub peek: Peek,
    /// Replayed events as EventBridge delivered them (each with `replay-name`).
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub events: Vec<serde_json::Value>,
    /// Send it back as `?ack=` with the next request: only then do these events leave
    /// the queue, so a lost response loses nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ack: Option<String>,
    /// The replay has ended and every event was delivered.
    pub done: bool,
    /// Each event's size in bytes as delivered (the queue message's body), in the order of
    /// `events`: a 1 MB event is shown collapsed with its size.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sizes: Vec<u32>,
    /// Events that arrived but did not fit this response (it holds at most
    /// [`READ_BUDGET_BYTES`] of events): the next read hands them out.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub more: bool,
}

/// The largest event EventBridge and SQS carry (since January 2026): 1 MiB.
pub const MAX_EVENT_BYTES: u32 = 1024 * 1024;
/// At most this many bytes of events in one read (the rest wait for the next): a Lambda
/// response holds 6 MB, and ten 1 MB events arrive in one ReceiveMessage.
pub const READ_BUDGET_BYTES: usize = 4 * 1024 * 1024;
/// Events larger than this are shown collapsed, their size and first characters only,
/// until opened.
pub const COLLAPSE_ABOVE_BYTES: u32 = 16 * 1024;

/// `?ack=` of `GET /api/peeks/{id}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct PeekQuery {
    /// The `ack` of the previous response.
    #[serde(default)]
    pub ack: Option<String>,
}

/// One line about an event for the list: its `detail` flattened and cut.
pub fn detail_summary(event: &serde_json::Value, max_chars: usize) -> String {
    let text = event
        .get("detail")
        .map(serde_json::Value::to_string)
        .unwrap_or_default();
    if text.chars().count() <= max_chars {
        return text;
    }
    let cut: String = text.chars().take(max_chars.saturating_sub(1)).collect();
    format!("{cut}…")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(start: &str, end: &str) -> StartPeekRequest {
        StartPeekRequest {
            event_start_time: start.into(),
            event_end_time: end.into(),
            ..Default::default()
        }
    }

    #[test]
    fn peeks_are_short_and_bounded() {
        let ok = request("2026-11-28T12:00:00Z", "2026-11-28T13:00:00Z")
            .validate(60)
            .unwrap();
        assert_eq!(ok.max_events, DEFAULT_MAX_EVENTS);
        let long = request("2026-11-28T12:00:00Z", "2026-11-28T13:00:01Z")
            .validate(60)
            .unwrap_err();
        assert_eq!(long.field, "eventEndTime");
        assert!(long.message.contains("60 minutes"), "{}", long.message);
        assert!(
            request("2026-11-28T12:00:00Z", "2026-11-28T13:00:01Z")
                .validate(120)
                .is_ok()
        );
        for bad in [0, 1001, -1] {
            let e = StartPeekRequest {
                max_events: Some(bad),
                ..request("2026-11-28T12:00:00Z", "2026-11-28T12:10:00Z")
            }
            .validate(60)
            .unwrap_err();
            assert_eq!(e.field, "maxEvents", "{bad}");
        }
        let e = StartPeekRequest {
            event_pattern: Some("{".into()),
            ..request("2026-11-28T12:00:00Z", "2026-11-28T12:10:00Z")
        }
        .validate(60)
        .unwrap_err();
        assert_eq!(e.field, "eventPattern");
        assert_eq!(
            request("later", "2026-11-28T12:10:00Z")
                .validate(60)
                .unwrap_err()
                .field,
            "eventStartTime"
        );
    }

    #[test]
    fn peek_ids_name_their_resources() {
        let id = PeekId::parse("0123456789abcdef").unwrap();
        assert_eq!(id.resource_name(), "rewind-peek-0123456789abcdef");
        assert_eq!(PeekId::from_resource_name(&id.resource_name()), Some(id));
        for bad in [
            "",
            "0123456789ABCDEF",
            "0123456789abcde",
            "../../etc/passwd",
        ] {
            assert_eq!(PeekId::parse(bad).unwrap_err().field, "peekId");
        }
        assert_eq!(PeekId::from_resource_name("rewind-abc"), None);
    }

    #[test]
    fn details_are_summarised_on_one_line() {
        let event = serde_json::json!({"detail": {"orderId": 12, "note": "x".repeat(200)}});
        let line = detail_summary(&event, 40);
        assert_eq!(line.chars().count(), 40);
        assert!(line.ends_with('…') && line.starts_with("{\"note\""));
        assert_eq!(detail_summary(&serde_json::json!({}), 40), "");
    }
}
