//! The end of a detail page where its irreversible actions live, apart from the everyday
//! ones in its header (a misclick there must not delete an archive).

use leptos::prelude::*;

#[component]
pub fn DangerZone(children: Children) -> impl IntoView {
    view! {
        <section class="card danger-zone" aria-labelledby="danger-title">
            <h2 id="danger-title">"Danger zone"</h2>
            <p class="hint">"Cannot be undone. Each asks first."</p>
            <div class="actions">{children()}</div>
        </section>
    }
}
