//! A replay's progress as a `role="progressbar"`.

use leptos::prelude::*;
use shared::ReplayProgress;

/// A replay's progress: `role="progressbar"` with `aria-valuenow` in percent.
#[component]
pub fn ProgressBar(
    #[prop(into)] progress: Signal<ReplayProgress>,
    #[prop(into)] label: String,
) -> impl IntoView {
    let percent = move || progress.get().percent();
    view! {
        <div class="progress">
            <div
                class="progress-track"
                role="progressbar"
                aria-label=label
                aria-valuemin="0"
                aria-valuemax="100"
                aria-valuenow=move || percent().to_string()
            >
                <div class="progress-fill" style:width=move || format!("{}%", percent())></div>
            </div>
            <span class="progress-text">{move || format!("{} %", percent())}</span>
        </div>
    }
}
