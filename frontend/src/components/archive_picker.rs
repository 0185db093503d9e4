//! A `<select>` of every archive (all pages), for the forms that start from one.

use crate::api;
use crate::components::picker::Picker;
use leptos::prelude::*;

/// `selected` is the archive's name ("" for none yet); `on_pick` gets the new one.
#[component]
pub fn ArchivePicker(
    id: &'static str,
    #[prop(into)] selected: Signal<String>,
    on_pick: Callback<String>,
) -> impl IntoView {
    let archives = LocalResource::new(api::all_archives);
    let options = Signal::derive(move || {
        archives.get().map(|loaded| {
            loaded.map(|list| {
                list.into_iter()
                    .map(|a| (a.archive_name.clone(), a.archive_name))
                    .collect()
            })
        })
    });
    view! { <Picker id what="archives" options selected on_pick prompt="Choose an archive…" /> }
}
