//! Where a replay came from, when Rewind made it: a slice of a replay job (linking to the
//! job) or an archive peek, so such replays do not read as strangers in the lists.

use crate::links;
use leptos::prelude::*;

#[component]
pub fn ReplayOrigin(name: String, job: Option<String>) -> impl IntoView {
    match job {
        Some(job) => Some(
            view! {
                <a class="tag" href=links::job(&job)>
                    {format!("slice of job {job}")}
                </a>
            }
            .into_any(),
        ),
        None => name
            .starts_with(shared::peek::PEEK_PREFIX)
            .then(|| view! { <span class="tag">"archive peek"</span> }.into_any()),
    }
}
