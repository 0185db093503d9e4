//! The events a peek brought back: one line each (time, source, detail-type, a summary
//! of the detail), each opening to its whole JSON; a text filter over them; and a
//! download of all of them as JSON Lines.

use leptos::prelude::*;
use serde_json::Value;

/// One event as the list shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct PeekedEvent {
    pub id: String,
    pub time: String,
    pub source: String,
    pub detail_type: String,
    pub summary: String,
    /// One line of JSON, for the download and the filter.
    pub line: String,
    pub pretty: String,
}

impl PeekedEvent {
    pub fn from_json(event: &Value) -> Self {
        let text = |key: &str| {
            event
                .get(key)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        Self {
            id: text("id"),
            time: text("time"),
            source: text("source"),
            detail_type: text("detail-type"),
            summary: shared::peek::detail_summary(event, 120),
            line: event.to_string(),
            pretty: serde_json::to_string_pretty(event).unwrap_or_default(),
        }
    }
}

#[component]
pub fn PeekEventList(events: RwSignal<Vec<PeekedEvent>>) -> impl IntoView {
    let filter = RwSignal::new(String::new());
    let shown = move || {
        let needle = filter.get().to_lowercase();
        events.with(|all| {
            all.iter()
                .filter(|e| needle.is_empty() || e.line.to_lowercase().contains(&needle))
                .cloned()
                .collect::<Vec<_>>()
        })
    };
    // Built when clicked, not on every arrival.
    let download = move |ev: leptos::ev::MouseEvent| {
        let lines: String =
            events.with(|all| all.iter().map(|e| format!("{}\n", e.line)).collect());
        let encoded = String::from(js_sys::encode_uri_component(&lines));
        if let Some(link) = ev
            .current_target()
            .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlAnchorElement>(t).ok())
        {
            link.set_href(&format!(
                "data:application/x-ndjson;charset=utf-8,{encoded}"
            ));
        }
    };
    view! {
        <div class="filters">
            <div class="filter">
                <label for="peek-filter">"Filter what arrived"</label>
                <input
                    id="peek-filter"
                    type="search"
                    placeholder="text in the event"
                    prop:value=move || filter.get()
                    on:input=move |ev| filter.set(event_target_value(&ev))
                />
            </div>
            <a class="button secondary" download="peek.jsonl" href="#" on:click=download>
                "Download as JSON Lines"
            </a>
        </div>
        <ol class="events plain" id="peek-events">
            {move || {
                shown()
                    .into_iter()
                    .map(|e| {
                        view! {
                            <li>
                                <details>
                                    <summary>
                                        <time>{e.time}</time>
                                        " "
                                        <span class="service">{e.source}</span>
                                        " "
                                        <strong>{e.detail_type}</strong>
                                        " "
                                        <code class="muted">{e.summary}</code>
                                    </summary>
                                    <pre class="pattern">{e.pretty}</pre>
                                </details>
                            </li>
                        }
                    })
                    .collect_view()
            }}
        </ol>
        <p class="hint">{move || if events.with(Vec::is_empty) { "No events yet." } else { "" }}</p>
    }
}
