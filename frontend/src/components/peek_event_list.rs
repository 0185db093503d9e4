//! The events a peek brought back: one line each (time, source, detail-type, size, a
//! summary of the detail), each opening to its whole JSON — laid out only once opened, so
//! a list holding 1 MB events stays responsive; a text filter over them; and a download
//! of all of them as JSON Lines.

use leptos::prelude::*;
use serde_json::Value;
use std::sync::Arc;

/// One event as the list shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct PeekedEvent {
    pub id: String,
    pub time: String,
    pub source: String,
    pub detail_type: String,
    pub summary: String,
    /// One line of JSON, for the download (shared, never copied: events reach 1 MB).
    pub line: Arc<str>,
    /// The line in lower case, made once, for the filter.
    lower: Arc<str>,
    /// Bytes as delivered (the backend's count, else this line's).
    pub size: u32,
}

impl PeekedEvent {
    pub fn from_json(event: &Value, size: Option<u32>) -> Self {
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
            line: Arc::from(event.to_string()),
            lower: Arc::from(event.to_string().to_lowercase()),
            size: 0,
        }
        .sized(size)
    }

    fn sized(mut self, size: Option<u32>) -> Self {
        self.size = size.unwrap_or_else(|| u32::try_from(self.line.len()).unwrap_or(u32::MAX));
        self
    }

    fn is_large(&self) -> bool {
        self.size > shared::peek::COLLAPSE_ABOVE_BYTES
    }
}

/// The JSON of `line`, indented (laid out when an event is opened).
fn pretty(line: &str) -> String {
    serde_json::from_str::<Value>(line)
        .and_then(|v| serde_json::to_string_pretty(&v))
        .unwrap_or_else(|_| line.to_owned())
}

#[component]
pub fn PeekEventList(events: RwSignal<Vec<PeekedEvent>>) -> impl IntoView {
    let filter = RwSignal::new(String::new());
    let shown = move || {
        let needle = filter.get().to_lowercase();
        events.with(|all| {
            all.iter()
                .filter(|e| needle.is_empty() || e.lower.contains(&needle))
                .cloned()
                .collect::<Vec<_>>()
        })
    };
    // Built when clicked, not on every arrival: a Blob of the lines as they are (a
    // data: URL would copy up to a gigabyte into one string).
    let last_url = StoredValue::new(None::<String>);
    let download = move |ev: leptos::ev::MouseEvent| {
        let parts = js_sys::Array::new();
        events.with(|all| {
            for e in all {
                parts.push(&wasm_bindgen::JsValue::from_str(&e.line));
                parts.push(&wasm_bindgen::JsValue::from_str("\n"));
            }
        });
        let options = web_sys::BlobPropertyBag::new();
        options.set_type("application/x-ndjson");
        let url = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)
            .and_then(|blob| web_sys::Url::create_object_url_with_blob(&blob));
        if let (Ok(url), Some(link)) = (
            url,
            ev.current_target()
                .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlAnchorElement>(t).ok()),
        ) {
            if let Some(old) = last_url.get_value() {
                let _ = web_sys::Url::revoke_object_url(&old);
            }
            link.set_href(&url);
            last_url.set_value(Some(url));
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
            // Rebuilt on arrival (a keyed list costs the wasm more); each line shares its
            // event's text, nothing is copied.
            {move || {
                shown()
                    .into_iter()
                    .map(|e| {
                        let opened = RwSignal::new(false);
                        let large = e.is_large();
                        let size = crate::format::bytes(i64::from(e.size));
                        let line = StoredValue::new(e.line);
                        view! {
                            <li class:large=large>
                                <details on:toggle=move |ev| {
                                    let open = ev
                                        .target()
                                        .and_then(|t| {
                                            wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok()
                                        })
                                        .is_some_and(|d| d.has_attribute("open"));
                                    opened.set(open);
                                }>
                                    <summary>
                                        <time>{e.time}</time>
                                        " "
                                        <span class="service">{e.source}</span>
                                        " "
                                        <strong>{e.detail_type}</strong>
                                        " "
                                        <span class="size" title="Size as delivered">
                                            {size}
                                        </span>
                                        " "
                                        <code class="muted">{e.summary}</code>
                                    </summary>
                                    {move || {
                                        opened
                                            .get()
                                            .then(|| {
                                                view! {
                                                    <pre class="pattern">{line.with_value(|l| pretty(l))}</pre>
                                                }
                                            })
                                    }}
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
