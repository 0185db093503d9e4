//! What will happen, in one sentence, before the replay starts: how many temporary
//! subscribers read which bus over which window, where they deliver, and when they go.

use super::inputs::V2Inputs;
use crate::api::ApiError;
use crate::format::{self, Zone};
use leptos::prelude::*;
use shared::v2::V2Subscriber;

#[component]
pub fn V2ReplaySummary(
    inputs: V2Inputs,
    subscribers: LocalResource<Result<Vec<V2Subscriber>, ApiError>>,
) -> impl IntoView {
    let sentence = move || {
        let bus = inputs.bus.get()?;
        let chosen = inputs.chosen.get();
        if chosen.is_empty() {
            return Some("Tick the subscribers the replay goes to.".to_owned());
        }
        let (Some(start), Some(end)) = (inputs.start.get(), inputs.end.get()) else {
            return Some("Enter the window to replay.".to_owned());
        };
        let mut targets: Vec<String> = subscribers
            .get()
            .and_then(Result::ok)
            .unwrap_or_default()
            .into_iter()
            .filter(|s| chosen.contains(&s.arn))
            .map(|s| {
                s.target_arn
                    .rsplit([':', '/'])
                    .next()
                    .unwrap_or_default()
                    .to_owned()
            })
            .collect();
        targets.dedup();
        Some(format!(
            "{} rewind-… will read {} from {} to {} and deliver to {}. They are removed when you stop the replay, or by the sweep an hour after it completes.",
            format::quantity(
                chosen.len(),
                "temporary subscriber",
                "temporary subscribers"
            ),
            bus.name,
            format::datetime(start, Zone::Utc),
            format::datetime(end, Zone::Utc),
            targets.join(", "),
        ))
    };
    view! {
        <p class="receivers v2-summary" aria-live="polite">
            {sentence}
        </p>
    }
}
