//! Rewind's browser console. This first cut lists archives; the full console (issue 3)
//! grows from here: pages under `pages/`, components under `components/`, one API client.

mod api;

use leptos::prelude::*;
use shared::archive::ArchiveList;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(App);
}

#[component]
fn App() -> impl IntoView {
    let archives = LocalResource::new(api::list_archives);
    view! {
        <header>
            <strong>"Rewind"</strong>
            <nav><a href="/">"Archives"</a></nav>
        </header>
        <main>
            <h1>"Archives"</h1>
            <Suspense fallback=|| view! { <p>"Loading archives…"</p> }>
                {move || archives.get().map(|result| match result {
                    Ok(list) => view! { <ArchiveTable list /> }.into_any(),
                    Err(message) => view! { <p role="alert">{message}</p> }.into_any(),
                })}
            </Suspense>
        </main>
    }
}

#[component]
fn ArchiveTable(list: ArchiveList) -> impl IntoView {
    if list.archives.is_empty() {
        return view! { <p>"No archives yet."</p> }.into_any();
    }
    view! {
        <table>
            <thead><tr>
                <th>"Name"</th><th>"State"</th><th>"Event bus"</th><th>"Retention"</th>
                <th>"Events"</th><th>"Size"</th><th>"Created"</th>
            </tr></thead>
            <tbody>
                {list.archives.into_iter().map(|a| view! {
                    <tr>
                        <td>{a.archive_name}</td>
                        <td>{format!("{:?}", a.state).to_uppercase()}</td>
                        <td>{a.event_source_arn.rsplit('/').next().unwrap_or_default().to_owned()}</td>
                        <td>{if a.retention_days == 0 { "Indefinite".to_owned() } else { format!("{} days", a.retention_days) }}</td>
                        <td>{a.event_count}</td>
                        <td>{a.size_bytes}</td>
                        <td>{shared::timestamp::format(a.creation_time)}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
        <p class="note">"Event counts and sizes lag: EventBridge reconciles them over up to 24 hours."</p>
    }
    .into_any()
}
