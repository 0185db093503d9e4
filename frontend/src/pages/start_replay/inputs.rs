//! What the start-replay form holds, and the request it makes of it: a replay, or — paced
//! — a replay job with the same fields (`shared`'s `replay_request!` declares both).

use crate::components::time_window::Window;
use crate::replay_preview::{Choice, ReplayTo};
use leptos::prelude::*;
use shared::Field as FieldName;
use shared::archive::Archive;
use shared::job::PacingRequest;
use time::OffsetDateTime;

/// The fields the form shows, by their wire names.
pub const FORM_FIELDS: [FieldName; 13] = [
    FieldName::RoutingForwardTo,
    FieldName::EventSourceArn,
    FieldName::ReplayName,
    FieldName::JobName,
    FieldName::PacingSliceMinutes,
    FieldName::PacingGapSeconds,
    FieldName::Description,
    FieldName::EventStartTime,
    FieldName::EventEndTime,
    FieldName::DestinationFilterArns,
    FieldName::Routing,
    FieldName::RoutingTargets,
    FieldName::RoutingEventPattern,
];

/// Every input of the form, as typed or picked so far.
#[derive(Clone, Copy)]
pub struct ReplayInputs {
    /// The archive chosen, once loaded.
    pub archive: Signal<Option<Archive>>,
    pub name: Signal<String>,
    pub description: RwSignal<String>,
    pub start: RwSignal<Option<OffsetDateTime>>,
    pub end: RwSignal<Option<OffsetDateTime>>,
    /// Who receives it: every rule, chosen rules, chosen targets (routed) or a bus.
    pub choice: Choice,
    /// The routed or forwarded replay's narrowing pattern.
    pub narrowing: RwSignal<String>,
    /// A paced replay is a replay job: slices of event time, one at a time, a gap apart.
    pub paced: RwSignal<bool>,
    pub slice_minutes: RwSignal<u32>,
    pub gap_seconds: RwSignal<String>,
}

impl ReplayInputs {
    /// A fresh form for `archive`, named `name`, over the window `start`–`end`: to
    /// every rule, not paced (slices of 15 minutes a minute apart, if it becomes so).
    pub fn new(archive: Signal<Option<Archive>>, name: Signal<String>, window: Window) -> Self {
        let (start, end) = window;
        Self {
            archive,
            name,
            description: RwSignal::new(String::new()),
            start,
            end,
            choice: Choice {
                to: RwSignal::new(ReplayTo::AllRules),
                rules: RwSignal::new(Vec::new()),
                targets: RwSignal::new(Vec::new()),
                forward_bus: RwSignal::new(String::new()),
                forward_role: RwSignal::new(String::new()),
            },
            narrowing: RwSignal::new(String::new()),
            paced: RwSignal::new(false),
            slice_minutes: RwSignal::new(15),
            gap_seconds: RwSignal::new("60".to_owned()),
        }
    }

    pub fn pacing(&self) -> PacingRequest {
        PacingRequest {
            slice_minutes: i64::from(self.slice_minutes.get()),
            gap_seconds: Some(self.gap_seconds.get().trim().parse().unwrap_or(-1)),
        }
    }
}
