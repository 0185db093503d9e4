//! The shell: sign-in gate, header with who is signed in, navigation and the routes.

use crate::api;
use crate::auth::{self, Session};
use crate::components::error_banner::ErrorBanner;
use crate::components::frame::Frame;
use crate::components::loading::Loading;
use crate::components::masthead::Masthead;
use crate::current_user::CurrentUser;
use crate::links;
use crate::pages::{
    archive::ArchivePage, archives::ArchivesPage, new_archive::NewArchivePage,
    not_found::NotFoundPage, now::NowPage,
};
use crate::pages::{
    custom_bus::CustomBusPage, custom_buses::CustomBusesPage,
    replay_to_subscribers::ReplayToSubscribersPage, v2_replay::V2ReplayPage,
};
use crate::pages::{job::JobPage, jobs::JobsPage};
use crate::pages::{
    peek::PeekPage, replay::ReplayPage, replays::ReplaysPage, start_replay::StartReplayPage,
};
use leptos::prelude::*;
use leptos_router::components::{A, FlatRoutes, Redirect, Route, Router};
use leptos_router::hooks::use_location;
use leptos_router::path;
use shared::roles::Operation;

/// Signs in first (or notes local mode), then shows the console.
#[component]
pub fn App() -> impl IntoView {
    let session = LocalResource::new(|| async {
        let session = auth::start().await;
        // The console renders in a task of its own: the wasm's start-up and the sign-in
        // check (config.json is preloaded, so it settles at once) would otherwise make one
        // long task with it (`cargo xtask lighthouse`'s long tasks).
        next_task().await;
        session
    });
    view! {
        <Suspense fallback=|| {
            view! { <Frame what="Rewind" /> }
        }>
            {move || {
                session
                    .get()
                    .map(|result| match result {
                        Ok(Session::Redirecting) => {
                            crate::take_over();
                            view! { <Frame what="the sign-in page" /> }.into_any()
                        }
                        Ok(session) => view! { <Console session /> }.into_any(),
                        Err(message) => {
                            crate::take_over();
                            view! {
                                <main id="main">
                                    <h1>"Rewind"</h1>
                                    <ErrorBanner message=Some(message) />
                                    <button type="button" on:click=move |_| auth::sign_out()>
                                        "Sign in again"
                                    </button>
                                </main>
                            }
                                .into_any()
                        }
                    })
            }}
        </Suspense>
    }
}

/// Resolves in a later task of the event loop (a zero timeout).
async fn next_task() {
    let later = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback(&resolve);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(later).await;
}

#[component]
fn Console(session: Session) -> impl IntoView {
    crate::perf::mark(crate::perf::SESSION);
    let page_ready = RwSignal::new(false);
    set_timeout(
        move || {
            page_ready.set(true);
            // The page renders in this task's microtasks; the frame before the next paint
            // shows it in place of the static frame.
            request_animation_frame(crate::take_over);
        },
        std::time::Duration::ZERO,
    );
    let who = match &session {
        Session::SignedIn { who } => Some(who.clone()),
        _ => None,
    };
    // Who the backend says the user is, and their roles: shared with every page.
    let me = LocalResource::new(api::me);
    let current: CurrentUser = Signal::derive(move || me.get().and_then(Result::ok));
    provide_context(current);
    let role = move || current.get().and_then(|m| m.role()).map(|r| r.as_str());
    // A team member's teams and buses, beside their role.
    let teams = crate::components::guarded::team_note();
    let teams = move || teams.get().map(|note| format!(" · {note}"));
    let no_role = move || match me.get() {
        Some(Ok(m)) if m.roles.is_empty() => {
            Some(Operation::ListArchives.refusal(None).unwrap_or_default())
        }
        Some(Err(e)) if e.code == Some(shared::ErrorCode::Forbidden) => Some(e.message),
        _ => None,
    };
    view! {
        <Router>
            <Masthead nav=main_navigation()>
                {move || {
                    current
                        .get()
                        .and_then(|m| m.deployment)
                        .map(|d| {
                            let prod = d.is_production();
                            let text = [
                                d.account_id.clone().map(|a| format!("account {a}")),
                                Some(d.region.clone()).filter(|r| !r.is_empty()),
                                d.environment.clone(),
                            ]
                                .into_iter()
                                .flatten()
                                .collect::<Vec<_>>()
                                .join(" · ");
                            view! {
                                <span class="where" class:prod=prod title="Where this console acts">
                                    {text}
                                </span>
                            }
                        })
                }}
                {match who {
                    Some(who) => {
                        view! {
                            <span>
                                "Signed in as " <strong>{who}</strong>
                                {move || role().map(|r| format!(" · {r}"))} {teams}
                            </span>
                            <button type="button" class="link" on:click=move |_| auth::sign_out()>
                                "Sign out"
                            </button>
                        }
                            .into_any()
                    }
                    None => {
                        view! {
                            <span>
                                {move || {
                                    current
                                        .get()
                                        .map(|m| {
                                            format!(
                                                "{} · {}",
                                                m.subject,
                                                m.role().map(|r| r.as_str()).unwrap_or("no role"),
                                            )
                                        })
                                }} {teams}
                            </span>
                        }
                            .into_any()
                    }
                }}
            </Masthead>
            // Below the header, so that the header stays where the app shell painted it.
            {(session == Session::Local).then(LocalModeNote)}
            {move || {
                no_role()
                    .map(|m| {
                        view! {
                            <div class="banner error" role="alert">
                                {m}
                            </div>
                        }
                    })
            }}
            <main id="main">
                // The page renders in a task of its own, after the header's: two shorter
                // tasks block input less than one long one (`cargo xtask lighthouse`).
                <Show when=move || page_ready.get() fallback=|| view! { <Loading what="Rewind" /> }>
                    <Pages />
                </Show>
            </main>
        </Router>
    }
}

/// The header's links to the console's sections.
fn main_navigation() -> AnyView {
    view! {
        <A href="/" exact=true>
            "Now"
        </A>
        <A href="/archives">"Archives"</A>
        <A href="/replays">"Replays"</A>
        <A href="/jobs">"Jobs"</A>
        <CustomBusesLink />
    }
    .into_any()
}

/// Below the header in local mode, so that the header stays where the frame painted it.
#[component]
fn LocalModeNote() -> impl IntoView {
    view! {
        <div class="local-mode" role="status">
            "Local mode, no sign-in: anyone who can reach this address can use this console."
        </div>
    }
}

/// The page of the current route.
#[component]
fn Pages() -> impl IntoView {
    view! {
        // Flat: no route nests another, and FlatRoutes leaves out the nested router's
        // diffing (−10.6 KB brotli). A query or parameter change on the same route still
        // only updates its signals.
        <FlatRoutes fallback=NotFoundPage>
            <Route path=path!("/") view=NowPage />
            <Route path=path!("/archives") view=ArchivesPage />
            <Route path=path!("/archives/new") view=NewArchivePage />
            <Route path=path!("/archives/:name") view=ArchivePage />
            <Route path=path!("/archives/:name/peek") view=PeekPage />
            <Route path=path!("/replays") view=ReplaysPage />
            <Route path=path!("/replays/new") view=StartReplayPage />
            <Route path=path!("/replays/:name") view=ReplayPage />
            <Route path=path!("/jobs") view=JobsPage />
            <Route path=path!("/jobs/:name") view=JobPage />
            <Route path=path!("/custom-buses") view=CustomBusesPage />
            <Route path=path!("/custom-buses/:name") view=CustomBusPage />
            <Route
                path=path!("/v2-replays")
                view=|| view! { <Redirect path=links::V2_REPLAYS /> }
            />
            <Route path=path!("/v2-replays/new") view=ReplayToSubscribersPage />
            <Route path=path!("/v2-replays/:name") view=V2ReplayPage />
        </FlatRoutes>
    }
}

/// A route's static frame, as `prerender` writes it into the HTML before any wasm: the
/// console's own header, local-mode note and page, with nothing loaded yet — what the
/// console renders first, so taking over changes nothing on screen.
#[cfg(feature = "prerender")]
#[component]
pub fn StaticFrame(local: bool) -> impl IntoView {
    let nobody: CurrentUser = Signal::derive(|| None);
    provide_context(nobody);
    view! {
        <Router>
            <Masthead nav=main_navigation() />
            {local.then(LocalModeNote)}
            <main id="main">
                <Pages />
            </main>
        </Router>
    }
}

/// "Custom buses", current on its pages and on the v2 replays' (`links::in_custom_buses`).
#[component]
fn CustomBusesLink() -> impl IntoView {
    let path = use_location().pathname;
    view! {
        <a
            href="/custom-buses"
            aria-current=move || path.with(|p| links::in_custom_buses(p)).then_some("page")
        >
            "Custom buses"
        </a>
    }
}
