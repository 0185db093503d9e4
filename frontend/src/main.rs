//! Rewind's browser console: Leptos, client-side rendered. `pages/` holds one component
//! per screen, `components/` the small pieces they share, `api` the one typed client of
//! the backend, `links` the console's own URLs.

mod api;
mod app;
mod auth;
mod clock;
mod components;
mod current_user;
mod form;
mod format;
mod links;
mod list_state;
mod pages;
mod perf;
mod replay_preview;

fn main() {
    perf::mark(perf::MAIN);
    console_error_panic_hook::set_once();
    // The app shell of index.html goes in the same task as the app's first render, which
    // paints the same frame: the browser never shows a page without one.
    if let Some(shell) = leptos::prelude::document().get_element_by_id("shell") {
        shell.remove();
    }
    leptos::mount::mount_to_body(app::App);
    perf::mark(perf::MOUNTED);
}
