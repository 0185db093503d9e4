//! The list pages' filters (one at a time, as EventBridge allows).

use crate::list_state::ListFilter;
use leptos::prelude::*;

/// Name prefix, source and state filters; choosing one clears the others.
#[component]
pub fn FilterBar(
    #[prop(into)] filter: Signal<ListFilter>,
    source_label: &'static str,
    #[prop(into)] sources: Signal<Vec<(String, String)>>,
    states: Vec<&'static str>,
    on_change: Callback<ListFilter>,
) -> impl IntoView {
    let prefix = move || match filter.get() {
        ListFilter::NamePrefix(p) => p,
        _ => String::new(),
    };
    let source = move || match filter.get() {
        ListFilter::Source(s) => s,
        _ => String::new(),
    };
    let state = move || match filter.get() {
        ListFilter::State(s) => s,
        _ => String::new(),
    };
    let pick = move |make: fn(String) -> ListFilter, value: String| {
        on_change.run(if value.is_empty() {
            ListFilter::None
        } else {
            make(value)
        });
    };
    view! {
        <form class="filters" role="search" on:submit=|ev| ev.prevent_default()>
            <div class="filter">
                <label for="filter-prefix">"Name starts with"</label>
                <input
                    id="filter-prefix"
                    type="search"
                    placeholder="e.g. orders-"
                    prop:value=prefix
                    on:change=move |ev| pick(
                        ListFilter::NamePrefix,
                        event_target_value(&ev).trim().to_owned(),
                    )
                />
            </div>
            <div class="filter">
                <label for="filter-source">{source_label}</label>
                <select
                    id="filter-source"
                    prop:value=source
                    on:change=move |ev| pick(ListFilter::Source, event_target_value(&ev))
                >
                    <option value="">"Any"</option>
                    {move || {
                        sources
                            .get()
                            .into_iter()
                            .map(|(value, text)| {
                                let selected = value == source();
                                view! {
                                    <option value=value selected=selected>
                                        {text}
                                    </option>
                                }
                            })
                            .collect_view()
                    }}
                </select>
            </div>
            <div class="filter">
                <label for="filter-state">"State"</label>
                <select
                    id="filter-state"
                    prop:value=state
                    on:change=move |ev| pick(ListFilter::State, event_target_value(&ev))
                >
                    <option value="">"Any"</option>
                    {states
                        .into_iter()
                        .map(|s| {
                            view! {
                                <option value=s selected=move || state() == s>
                                    {s}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </div>
            <p class="hint">
                "EventBridge filters by one of these at a time; choosing one clears the others."
            </p>
        </form>
    }
}
