//! Six routes (two lists, two forms, two details), one fetched and rendered table, one
//! input: what every Leptos console of this shape pays before its own features.

use leptos::prelude::*;
use leptos_router::components::{A, FlatRoutes, Route, Router};
use leptos_router::hooks::use_params_map;
use leptos_router::path;
use serde::Deserialize;

#[derive(Deserialize, Clone, Debug)]
struct Item {
    name: String,
    count: i64,
}

async fn items(path: &'static str) -> Result<Vec<Item>, String> {
    let response = gloo_net::http::Request::get(path)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let text = response.text().await.map_err(|e| e.to_string())?;
    serde_json::from_str(&text).map_err(|e| e.to_string())
}

#[component]
fn List(path: &'static str) -> impl IntoView {
    let data = LocalResource::new(move || items(path));
    let (query, set_query) = signal(String::new());
    view! {
        <h1>{path}</h1>
        <input prop:value=query on:input=move |e| set_query.set(event_target_value(&e)) />
        <Transition fallback=|| "Loading">
            {move || data.get().map(|result| match result {
                Ok(items) => view! {
                    <table>
                        {items.into_iter().map(|i| view! { <tr><td>{i.name}</td><td>{i.count}</td></tr> }).collect_view()}
                    </table>
                }.into_any(),
                Err(e) => view! { <p>{e}</p> }.into_any(),
            })}
        </Transition>
    }
}

#[component]
fn Detail() -> impl IntoView {
    let params = use_params_map();
    view! { <p>{move || params.get().get("name").unwrap_or_default()}</p> }
}

#[component]
fn App() -> impl IntoView {
    view! {
        <Router>
            <nav><A href="/a">"A"</A><A href="/b">"B"</A></nav>
            <main>
                <FlatRoutes fallback=|| "Not found">
                    <Route path=path!("/a") view=|| view! { <List path="/api/a" /> } />
                    <Route path=path!("/a/new") view=|| view! { <List path="/api/a-new" /> } />
                    <Route path=path!("/a/:name") view=Detail />
                    <Route path=path!("/b") view=|| view! { <List path="/api/b" /> } />
                    <Route path=path!("/b/new") view=|| view! { <List path="/api/b-new" /> } />
                    <Route path=path!("/b/:name") view=Detail />
                </FlatRoutes>
            </main>
        </Router>
    }
}

fn main() {
    leptos::mount::mount_to_body(App)
}
