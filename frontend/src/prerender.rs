//! Each route's static frame, rendered to HTML by a native build of the console's own
//! components (`cargo run -p rewind-frontend --features prerender -- dist`, run by
//! `cargo xtask` after Trunk): the header and navigation, the local-mode note, and the
//! page with nothing loaded yet — its heading, notes, form labels and empty tables. The
//! server answers a route with its frame (`shared::console::frame_for`), so the first and
//! the largest contentful paint need no wasm; the console then takes over in one frame
//! (`take_over` in main.rs).

use crate::app::StaticFrame;
use crate::components::frame::Frame;
use leptos::prelude::*;
use leptos_router::location::RequestUrl;
use shared::console::{FRAMES, NOT_FOUND_FRAME};
use std::path::Path;
use std::process::ExitCode;

/// The app shell's element in `index.html`, which each frame fills.
const SHELL: &str = "<div id=\"shell\">";

/// A generic frame's name ("Peek into …"), as it appears in a link.
const PLACEHOLDER: &str = "%E2%80%A6";

/// Runs no future: a frame is the first render, before any effect or resource runs.
struct NothingRuns;

impl any_spawner::CustomExecutor for NothingRuns {
    fn spawn(&self, _: any_spawner::PinnedFuture<()>) {}
    fn spawn_local(&self, _: any_spawner::PinnedLocalFuture<()>) {}
    fn poll_local(&self) {}
}

pub fn main() -> ExitCode {
    if any_spawner::Executor::init_custom_executor(NothingRuns).is_err() {
        eprintln!("prerender: an executor was already set");
        return ExitCode::FAILURE;
    }
    let Some(dist) = std::env::args().nth(1) else {
        eprintln!("usage: prerender <dist directory>");
        return ExitCode::FAILURE;
    };
    match write_frames(Path::new(&dist)) {
        Ok(count) => {
            println!("{count} static frames written to {dist}/frames");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("prerender: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Writes `frames/<frame>.html` (signed in) and `frames/<frame>.local.html` (local mode,
/// with its note) for every route, from `dist/index.html`.
fn write_frames(dist: &Path) -> Result<usize, String> {
    let index = std::fs::read_to_string(dist.join("index.html"))
        .map_err(|e| format!("cannot read {}/index.html: {e}", dist.display()))?;
    let frames = dist.join("frames");
    std::fs::create_dir_all(&frames)
        .map_err(|e| format!("cannot create {}: {e}", frames.display()))?;
    let routes = FRAMES
        .iter()
        // A generic frame: its name reads as "…" ("Peek into …").
        .map(|(route, frame)| (route.replace('*', "…"), *frame))
        .chain([("no-such-page".to_owned(), NOT_FOUND_FRAME)]);
    let mut count = 0;
    let mut done = std::collections::HashSet::new();
    for (route, frame) in routes {
        if !done.insert(frame) {
            continue;
        }
        for local in [false, true] {
            let frame_html = if frame == "signing-in" {
                render_start_up()
            } else {
                render(&format!("/{route}"), local)
            };
            let html = document(&index, &frame_html)?;
            let name = if local {
                format!("{frame}.local.html")
            } else {
                format!("{frame}.html")
            };
            std::fs::write(frames.join(&name), html)
                .map_err(|e| format!("cannot write frames/{name}: {e}"))?;
            count += 1;
        }
    }
    Ok(count)
}

/// The console's first render of `path`, as HTML.
fn render(path: &str, local: bool) -> String {
    // Rendered once, never updated: reading a signal outside a tracking context is the
    // point here, not a mistake to warn about.
    let _once = leptos::reactive::diagnostics::SpecialNonReactiveZone::enter();
    let owner = Owner::new();
    let html = owner.with(|| {
        provide_context(RequestUrl::new(path));
        view! { <StaticFrame local /> }.to_html()
    });
    inert_controls(&placeholder_links_to_lists(&html))
}

/// The frame the console starts in before the sign-in has settled (app.rs's `App`):
/// where the sign-in comes back to.
fn render_start_up() -> String {
    let _once = leptos::reactive::diagnostics::SpecialNonReactiveZone::enter();
    Owner::new().with(|| view! { <Frame what="Rewind" /> }.to_html())
}

/// `html` with each link built from a generic frame's placeholder name (`/archives/…`)
/// pointing at its section's list instead.
fn placeholder_links_to_lists(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find("href=\"/") {
        let (before, from) = rest.split_at(at + "href=\"".len());
        out.push_str(before);
        let end = from.find('"').unwrap_or(from.len());
        let (link, after) = from.split_at(end);
        match link.split_once(PLACEHOLDER) {
            Some((section, _)) => out.push_str(section.trim_end_matches('/')),
            None => out.push_str(link),
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

/// `html` with its form controls inert: nothing typed into the frame before the console
/// takes over could be kept, so nothing can be. Links stay links.
fn inert_controls(html: &str) -> String {
    ["input", "select", "textarea", "button"]
        .iter()
        .fold(html.to_owned(), |html, tag| {
            html.replace(&format!("<{tag} "), &format!("<{tag} inert "))
                .replace(&format!("<{tag}>"), &format!("<{tag} inert>"))
        })
}

/// `index` with its app shell's content replaced by `frame`.
fn document(index: &str, frame: &str) -> Result<String, String> {
    let start = index
        .find(SHELL)
        .or_else(|| index.find("<div id=shell>"))
        .ok_or("index.html has no app shell (<div id=\"shell\">)")?;
    let end = index
        .rfind("</body>")
        .and_then(|body| index[..body].rfind("</div>"))
        .filter(|end| *end > start)
        .ok_or("index.html's app shell has no end")?;
    Ok(format!(
        "{}{SHELL}{frame}{}",
        &index[..start],
        &index[end..]
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_placeholder_link_goes_to_its_list_and_no_other_changes() {
        assert_eq!(
            placeholder_links_to_lists(
                r#"<a href="/archives/%E2%80%A6">Back</a><a href="/replays/new">New</a><a href="/">Now</a>"#
            ),
            r#"<a href="/archives">Back</a><a href="/replays/new">New</a><a href="/">Now</a>"#
        );
    }

    #[test]
    fn controls_are_inert_and_links_are_not() {
        assert_eq!(
            inert_controls(r#"<button>A</button><input id="x"><a href="/">B</a>"#),
            r#"<button inert>A</button><input inert id="x"><a href="/">B</a>"#
        );
    }
}
