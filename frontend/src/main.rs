//! Rewind's browser console: Leptos, client-side rendered. `pages/` holds one component
//! per screen, `components/` the small pieces they share, `api` the one typed client of
//! the backend, `links` the console's own URLs.

// The prerender build renders the pages only; the start-up and sign-in paths go unused.
#![cfg_attr(feature = "prerender", allow(dead_code))]

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

#[cfg(feature = "prerender")]
mod prerender;

/// False in the native prerender build: what only a browser has (timers, the document,
/// the clock) is left out of the static frames.
pub const IN_BROWSER: bool = cfg!(target_arch = "wasm32");

/// Writes each route's static frame into the built console (`cargo xtask`, natively).
#[cfg(feature = "prerender")]
fn main() -> std::process::ExitCode {
    prerender::main()
}

#[cfg(not(feature = "prerender"))]
fn main() {
    use leptos::wasm_bindgen::JsCast;
    perf::mark(perf::MAIN);
    console_error_panic_hook::set_once();
    // The console renders into a hidden container while the route's static frame (the
    // HTML the server sent, `prerender`) stays on screen; `take_over` swaps them once the
    // page has rendered, in one frame.
    let document = leptos::prelude::document();
    let root = document
        .create_element("div")
        .ok()
        .and_then(|root| root.dyn_into::<web_sys::HtmlElement>().ok());
    let (Some(body), Some(root)) = (document.body(), root) else {
        return;
    };
    root.set_id("app");
    root.set_hidden(true);
    let _ = body.append_child(&root);
    // The first render in a task of its own: the wasm's instantiation and its start-up
    // would otherwise be one long task (Lighthouse's TBT on the form pages).
    leptos::prelude::set_timeout(
        move || {
            leptos::mount::mount_to(root, app::App).forget();
            perf::mark(perf::MOUNTED);
        },
        std::time::Duration::ZERO,
    );
}

/// Shows the console in place of the static frame. Called once the page has rendered
/// (or the sign-in has failed), before the next paint: the browser never paints a frame
/// in between, and nothing moves (the frame is the console's own first render).
pub fn take_over() {
    let document = leptos::prelude::document();
    if let Some(frame) = document.get_element_by_id("shell") {
        frame.remove();
    }
    if let Some(app) = document.get_element_by_id("app") {
        let _ = app.remove_attribute("hidden");
    }
}
