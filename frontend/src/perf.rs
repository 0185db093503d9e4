//! Performance API marks that the benchmarks read (`cargo xtask bench`).

use leptos::prelude::request_animation_frame;

/// What the Archives page marks each time its table has been rendered and painted.
pub const ARCHIVES_TABLE_PAINTED: &str = "rewind:archives-table";

/// Marks `name` at the next animation frame, when the browser paints what was just
/// rendered.
pub fn mark_after_paint(name: &'static str) {
    request_animation_frame(move || {
        if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
            let _ = performance.mark(name);
        }
    });
}
