//! A replay job's slices as a timeline: one bar each, coloured by state (the running one
//! animated), each a link to its replay once the replay exists.

use crate::components::state_badge::slice_tone;
use crate::format::{self, Zone};
use crate::links;
use leptos::prelude::*;
use shared::job::{JobSlice, SliceState};

#[component]
pub fn SliceTimeline(slices: Vec<JobSlice>) -> impl IntoView {
    view! {
        <ol class="timeline" aria-label="Slices">
            {slices
                .into_iter()
                .map(|slice| {
                    let label = format!(
                        "Slice {}: {} → {}, {}",
                        slice.index + 1,
                        format::datetime(slice.event_start_time, Zone::Utc),
                        format::datetime(slice.event_end_time, Zone::Utc),
                        slice.state.as_str(),
                    );
                    let class = format!("slice {}", slice_tone(slice.state).name());
                    let bar = if slice.state == SliceState::Pending {
                        view! { <span class=class title=label.clone() aria-label=label></span> }
                            .into_any()
                    } else {
                        view! {
                            <a
                                class=class
                                href=links::replay(&slice.replay_name)
                                title=label.clone()
                                aria-label=label
                            ></a>
                        }
                            .into_any()
                    };
                    view! { <li>{bar}</li> }
                })
                .collect_view()}
        </ol>
    }
}
