//! The list pages' filters (one at a time, as EventBridge allows).

use crate::list_state::ListFilter;
use leptos::prelude::*;

/// The source filter of a list: its label ("Event bus") and its options (value, text).
pub struct SourceFilter {
    pub label: &'static str,
    pub options: Signal<Vec<(String, String)>>,
}

/// Name prefix, source and state filters; choosing one clears the others. Without a
/// `source`, the state alone (the jobs route filters by nothing else).
#[component]
pub fn FilterBar(
    #[prop(into)] filter: Signal<ListFilter>,
    #[prop(optional)] source: Option<SourceFilter>,
    states: Vec<&'static str>,
    on_change: Callback<ListFilter>,
) -> impl IntoView {
    let several = source.is_some();
    let prefix = move || match filter.get() {
        ListFilter::NamePrefix(p) => p,
        _ => String::new(),
    };
    let chosen_source = move || match filter.get() {
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
            {source
                .map(|SourceFilter { label, options }| {
                    view! {
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
                            <label for="filter-source">{label}</label>
                            <select
                                id="filter-source"
                                prop:value=chosen_source
                                on:change=move |ev| pick(
                                    ListFilter::Source,
                                    event_target_value(&ev),
                                )
                            >
                                <option value="">"Any"</option>
                                {move || {
                                    options
                                        .get()
                                        .into_iter()
                                        .map(|(value, text)| {
                                            let selected = value == chosen_source();
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
                    }
                })}
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
            {several
                .then(|| {
                    view! {
                        <p class="hint">
                            "EventBridge filters by one of these at a time; choosing one clears the others."
                        </p>
                    }
                })}
        </form>
    }
}
