//! Performance API marks that the benchmarks read (`cargo xtask bench`).

use leptos::prelude::request_animation_frame;

/// What the Archives page marks each time its table has been rendered and painted.
pub const ARCHIVES_TABLE_PAINTED: &str = "rewind:archives-table";

/// Start-up's phases, in order, as `cargo xtask lighthouse` names a trace's long tasks
/// (boot.js marks `rewind:boot` and `rewind:glue` before these).
pub const MAIN: &str = "rewind:main";
pub const MOUNTED: &str = "rewind:mounted";
pub const SESSION: &str = "rewind:session";

/// Marks `name` now.
pub fn mark(name: &str) {
    if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
        let _ = performance.mark(name);
    }
}

/// Marks `name` at the next animation frame, when the browser paints what was just
/// rendered.
pub fn mark_after_paint(name: &'static str) {
    request_animation_frame(move || mark(name));
}
