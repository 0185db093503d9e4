//! A coloured badge for an archive, replay, job, slice, v2 bus, v2 replay or subscriber
//! state.

use leptos::prelude::*;
use shared::archive::ArchiveState;
use shared::job::{JobState, SliceState};
use shared::replay::ReplayState;
use shared::v2::{SubscriberState, V2BusState, V2ReplayState};

/// How a state reads: good, busy, stopped or failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Good,
    Busy,
    Neutral,
    Bad,
}

impl Tone {
    pub fn class(self) -> &'static str {
        match self {
            Tone::Good => "badge good",
            Tone::Busy => "badge busy",
            Tone::Neutral => "badge neutral",
            Tone::Bad => "badge bad",
        }
    }
}

pub fn archive_tone(state: ArchiveState) -> Tone {
    match state {
        ArchiveState::Enabled => Tone::Good,
        ArchiveState::Creating | ArchiveState::Updating => Tone::Busy,
        ArchiveState::Disabled => Tone::Neutral,
        ArchiveState::CreateFailed | ArchiveState::UpdateFailed => Tone::Bad,
    }
}

pub fn replay_tone(state: ReplayState) -> Tone {
    match state {
        ReplayState::Completed => Tone::Good,
        ReplayState::Starting | ReplayState::Running | ReplayState::Cancelling => Tone::Busy,
        ReplayState::Cancelled => Tone::Neutral,
        ReplayState::Failed => Tone::Bad,
    }
}

pub fn job_tone(state: JobState) -> Tone {
    match state {
        JobState::Completed => Tone::Good,
        JobState::Queued | JobState::Running | JobState::Pausing | JobState::Cancelling => {
            Tone::Busy
        }
        JobState::Paused | JobState::Cancelled => Tone::Neutral,
        JobState::Failed => Tone::Bad,
    }
}

pub fn slice_tone(state: SliceState) -> Tone {
    match state {
        SliceState::Completed => Tone::Good,
        SliceState::Starting | SliceState::Running | SliceState::Cancelling => Tone::Busy,
        SliceState::Pending | SliceState::Cancelled => Tone::Neutral,
        SliceState::Failed => Tone::Bad,
    }
}

pub fn v2_bus_tone(state: V2BusState) -> Tone {
    match state {
        V2BusState::Active => Tone::Good,
        V2BusState::Creating | V2BusState::Updating | V2BusState::Deleting => Tone::Busy,
        V2BusState::CreateFailed | V2BusState::UpdateFailed | V2BusState::DeleteFailed => Tone::Bad,
    }
}

pub fn v2_replay_tone(state: V2ReplayState) -> Tone {
    match state {
        V2ReplayState::Completed => Tone::Good,
        V2ReplayState::Running => Tone::Busy,
        V2ReplayState::Paused | V2ReplayState::Stopped => Tone::Neutral,
        V2ReplayState::Failed => Tone::Bad,
    }
}

pub fn subscriber_tone(state: SubscriberState) -> Tone {
    match state {
        SubscriberState::Running => Tone::Good,
        SubscriberState::Stopped => Tone::Neutral,
    }
}

impl Tone {
    /// The tone's name, for a class of its own (the slice timeline's bars).
    pub fn name(self) -> &'static str {
        match self {
            Tone::Good => "good",
            Tone::Busy => "busy",
            Tone::Neutral => "neutral",
            Tone::Bad => "bad",
        }
    }
}

/// A state shown as a coloured label (the text carries the meaning, not the colour).
#[component]
pub fn StateBadge(label: &'static str, tone: Tone) -> impl IntoView {
    view! { <span class=tone.class()>{label}</span> }
}
