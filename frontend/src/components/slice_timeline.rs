//! A replay job's slices as a timeline: one bar each, its state told by a mark as well
//! as its colour (✓ completed, ▶ running, ✕ failed, ⊘ cancelled, · not run yet), its
//! event-time range under it, the running one marked "now"; each a link to its replay
//! once the replay exists.

use crate::components::state_badge::slice_tone;
use crate::format::{self, Zone};
use crate::links;
use leptos::prelude::*;
use shared::job::{JobSlice, SliceState};

/// The mark that tells a slice's state without colour.
fn mark(state: SliceState) -> &'static str {
    match state {
        SliceState::Completed => "✓",
        SliceState::Starting | SliceState::Running => "▶",
        SliceState::Cancelling | SliceState::Cancelled => "⊘",
        SliceState::Failed => "✕",
        SliceState::Pending => "·",
    }
}

#[component]
pub fn SliceTimeline(slices: Vec<JobSlice>) -> impl IntoView {
    // Every slice's range when they fit; else every n-th, the rest in their names.
    let every = slices.len().div_ceil(8).max(1);
    view! {
        <ol class="timeline" aria-label="Slices">
            {slices
                .into_iter()
                .map(|slice| {
                    let running = matches!(slice.state, SliceState::Starting | SliceState::Running);
                    let label = format!(
                        "Slice {}: {} → {}, {}{}",
                        slice.index + 1,
                        format::datetime(slice.event_start_time, Zone::Utc),
                        format::datetime(slice.event_end_time, Zone::Utc),
                        slice.state.as_str(),
                        if running { " (now)" } else { "" },
                    );
                    let class = format!(
                        "slice {}{}",
                        slice_tone(slice.state).name(),
                        if running { " current" } else { "" },
                    );
                    let symbol = mark(slice.state);
                    let bar = if slice.state == SliceState::Pending {
                        view! {
                            <span class=class title=label.clone() aria-label=label>
                                <span aria-hidden="true">{symbol}</span>
                            </span>
                        }
                            .into_any()
                    } else {
                        view! {
                            <a
                                class=class
                                href=links::replay(&slice.replay_name)
                                title=label.clone()
                                aria-label=label
                            >
                                <span aria-hidden="true">{symbol}</span>
                            </a>
                        }
                            .into_any()
                    };
                    let range = (slice.index as usize)
                        .is_multiple_of(every)
                        .then(|| {
                            format!(
                                "{}–{}",
                                format::clock_minute(slice.event_start_time),
                                format::clock_minute(slice.event_end_time),
                            )
                        });
                    view! {
                        <li>
                            {bar} <span class="slice-range" aria-hidden="true">
                                {running.then_some("now · ")}
                                {range}
                            </span>
                        </li>
                    }
                })
                .collect_view()}
        </ol>
        <p class="hint">
            "Event time, UTC. ✓ completed · ▶ running · ⊘ cancelled · ✕ failed · · not run yet"
        </p>
    }
}
