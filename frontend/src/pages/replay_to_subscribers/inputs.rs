//! What the form holds, and the request it makes of it: every problem `shared` finds
//! (the server's own checks), and those that need the clock and the bus — the window
//! not in the future, nor before the oldest event the bus keeps.

use crate::clock;
use crate::form::Draft;
use crate::format::{self, Zone};
use leptos::prelude::*;
use shared::Field as FieldName;
use shared::v2::{StartV2ReplayRequest, V2EventBus};
use shared::validation::ReplayWindow;
use time::{Duration, OffsetDateTime};

/// The fields the form shows, in its order, by their wire names.
pub const FORM_FIELDS: [FieldName; 6] = [
    FieldName::EventBusArn,
    FieldName::ReplayName,
    FieldName::Description,
    FieldName::EventStartTime,
    FieldName::EventEndTime,
    FieldName::SubscriberArns,
];

/// Every input of the form, as typed or picked so far.
#[derive(Clone, Copy)]
pub struct V2Inputs {
    /// The bus chosen, once loaded.
    pub bus: Signal<Option<V2EventBus>>,
    pub name: Signal<String>,
    pub description: RwSignal<String>,
    pub start: RwSignal<Option<OffsetDateTime>>,
    pub end: RwSignal<Option<OffsetDateTime>>,
    /// The chosen subscribers' ARNs, in the order they were ticked.
    pub chosen: RwSignal<Vec<String>>,
}

impl V2Inputs {
    /// The request as typed, with every problem, each under its field, in the form's
    /// order (the first is why it cannot be sent yet).
    pub fn draft(&self) -> Draft<StartV2ReplayRequest> {
        let bus = self.bus.get();
        let (start, end) = (self.start.get(), self.end.get());
        let body = StartV2ReplayRequest {
            replay_name: self.name.get().trim().to_owned(),
            description: Some(self.description.get()).filter(|d| !d.trim().is_empty()),
            event_bus_arn: bus.as_ref().map(|b| b.arn.clone()).unwrap_or_default(),
            subscriber_arns: self.chosen.get(),
            event_start_time: start.map(shared::timestamp::format).unwrap_or_default(),
            event_end_time: end.map(shared::timestamp::format).unwrap_or_default(),
        };
        let mut errors: Vec<(FieldName, String)> = Vec::new();
        if bus.is_none() {
            errors.push((
                FieldName::EventBusArn,
                "Choose the Custom Event Bus to replay.".into(),
            ));
        }
        if start.is_none() {
            errors.push((FieldName::EventStartTime, "Enter a start time as YYYY-MM-DDTHH:MM:SS, 24-hour (for example 2026-12-06T06:35:00).".into()));
        }
        if end.is_none() {
            errors.push((FieldName::EventEndTime, "Enter an end time as YYYY-MM-DDTHH:MM:SS, 24-hour (for example 2026-12-06T07:35:00).".into()));
        }
        if let (Some(s), Some(e)) = (start, end) {
            let checked =
                ReplayWindow::parse(s, e).and_then(|w| w.check_against(clock::now(), None));
            if let Err(err) = checked {
                errors.push((err.field, err.message));
            }
            if let Some(bus) = &bus
                && let Some(kept) = bus.retention_window_start_time
                && s < kept
            {
                errors.push((
                    FieldName::EventStartTime,
                    format!(
                        "Custom Event Bus {} keeps events from {} on ({}); start the window then or later.",
                        bus.name,
                        format::datetime(kept, Zone::Utc),
                        format::retention(bus.retention_days),
                    ),
                ));
            }
        }
        // Ours first for a field (they say more than "'' is not an ARN"), then shared's.
        errors.extend(body.problems().into_iter().map(|p| (p.field, p.message)));
        errors.sort_by_key(|(field, _)| FORM_FIELDS.iter().position(|f| f == field));
        errors.dedup_by_key(|(field, _)| *field);
        (body, errors)
    }
}

/// The earliest start the form offers: the oldest event the bus keeps, up to the whole
/// second (the service takes whole seconds), and — a full bus's window moves on as its
/// events expire — what it will still keep five minutes from `now`.
pub fn earliest_start(bus: &V2EventBus, now: OffsetDateTime) -> Option<OffsetDateTime> {
    let kept = bus.retention_window_start_time?;
    let soon = now + Duration::minutes(5) - Duration::days(bus.retention_days.into());
    let from = kept.max(soon);
    let whole = from.replace_nanosecond(0).ok()?;
    Some(if whole < from {
        whole + Duration::SECOND
    } else {
        whole
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::v2::V2BusState;
    use time::macros::datetime;

    fn bus(retention_days: i32, kept: OffsetDateTime) -> V2EventBus {
        V2EventBus {
            name: "orders-v2".into(),
            arn: "arn:aws:events:us-east-1:123456789012:event-busv2/orders-v2/abcdefghij0123456789klmno".into(),
            state: V2BusState::Active,
            retention_days,
            retention_window_start_time: Some(kept),
            description: None,
        }
    }

    #[test]
    fn the_earliest_start_is_a_whole_second_the_bus_still_keeps_soon() {
        let now = datetime!(2026-11-26 12:00 UTC);
        // A young bus keeps everything since it was made: from the next whole second.
        let young = bus(7, datetime!(2026-11-26 11:59:30.250 UTC));
        assert_eq!(
            earliest_start(&young, now),
            Some(datetime!(2026-11-26 11:59:31 UTC))
        );
        let whole = bus(7, datetime!(2026-11-26 11:59:30 UTC));
        assert_eq!(
            earliest_start(&whole, now),
            Some(datetime!(2026-11-26 11:59:30 UTC))
        );
        // A full one drops a second each second: what it still keeps in five minutes.
        let full = bus(7, datetime!(2026-11-19 12:00:00.500 UTC));
        assert_eq!(
            earliest_start(&full, now),
            Some(datetime!(2026-11-19 12:05 UTC))
        );
    }
}
