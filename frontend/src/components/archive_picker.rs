//! A `<select>` of every archive (all pages), for the forms that start from one.

use crate::api;
use crate::components::error_banner::ErrorBanner;
use crate::components::loading::Loading;
use leptos::prelude::*;

/// `selected` is the archive's name ("" for none yet); `on_pick` gets the new one.
#[component]
pub fn ArchivePicker(
    #[prop(into)] id: String,
    #[prop(into)] selected: Signal<String>,
    on_pick: Callback<String>,
) -> impl IntoView {
    let archives = LocalResource::new(api::all_archives);
    view! {
        <Transition fallback=|| {
            view! { <Loading what="archives" /> }
        }>
            {move || {
                archives
                    .get()
                    .map(|result| match result {
                        Ok(list) => {
                            view! {
                                <select
                                    id=id.clone()
                                    prop:value=move || selected.get()
                                    on:change=move |ev| on_pick.run(event_target_value(&ev))
                                >
                                    <option value="">"Choose an archive…"</option>
                                    {list
                                        .into_iter()
                                        .map(|a| {
                                            let (name, value) = (
                                                a.archive_name.clone(),
                                                a.archive_name.clone(),
                                            );
                                            view! {
                                                <option value=value selected=move || selected.get() == name>
                                                    {a.archive_name}
                                                </option>
                                            }
                                        })
                                        .collect_view()}
                                </select>
                            }
                                .into_any()
                        }
                        Err(e) => {
                            view! {
                                <ErrorBanner message=Some(
                                    format!("Archives could not be loaded: {}", e.message),
                                ) />
                            }
                                .into_any()
                        }
                    })
            }}
        </Transition>
    }
}
