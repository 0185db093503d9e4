use crate::pages::{
    archive::ArchivePage, archives::ArchivesPage, new_archive::NewArchivePage,
    not_found::NotFoundPage,
};
use crate::pages::{replay::ReplayPage, replays::ReplaysPage, start_replay::StartReplayPage};
use leptos::prelude::*;
use leptos_router::components::{A, Redirect, Route, Router, Routes};
use leptos_router::path;

#[component]
pub fn App() -> impl IntoView {
    view! {
        <Router>
            <a class="skip" href="#main">"Skip to content"</a>
            <header class="top">
                <a class="brand" href="/archives">"Rewind"</a>
                <nav aria-label="Main">
                    <A href="/archives">"Archives"</A>
                    <A href="/replays">"Replays"</A>
                </nav>
            </header>
            <main id="main">
                <Routes fallback=NotFoundPage>
                    <Route path=path!("/") view=|| view! { <Redirect path="/archives" /> } />
                    <Route path=path!("/archives") view=ArchivesPage />
                    <Route path=path!("/archives/new") view=NewArchivePage />
                    <Route path=path!("/archives/:name") view=ArchivePage />
                    <Route path=path!("/replays") view=ReplaysPage />
                    <Route path=path!("/replays/new") view=StartReplayPage />
                    <Route path=path!("/replays/:name") view=ReplayPage />
                </Routes>
            </main>
        </Router>
    }
}
