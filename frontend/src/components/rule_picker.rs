//! Checkboxes for the rules of a bus (all pages; the archive's own managed rule left
//! out), for replaying to some rules only.

use crate::api;
use crate::components::error_banner::ErrorBanner;
use crate::components::loading::Loading;
use crate::format;
use leptos::prelude::*;

/// The rules of `bus` (an event bus ARN; None: no archive chosen yet); `chosen` holds the
/// ARNs ticked.
#[component]
pub fn RulePicker(
    #[prop(into)] bus: Signal<Option<String>>,
    chosen: RwSignal<Vec<String>>,
) -> impl IntoView {
    let rules = LocalResource::new(move || {
        let bus = bus.get();
        async move {
            match bus {
                Some(bus) => Some(api::all_rules(format::arn_name(&bus).to_owned()).await),
                None => None,
            }
        }
    });
    view! {
        <Transition fallback=|| view! { <Loading what="rules" /> }>
            {move || rules.get().map(|result| match result {
                None => view! { <p class="hint">"Choose an archive first."</p> }.into_any(),
                Some(Err(e)) => view! { <ErrorBanner message=Some(format!("Rules could not be loaded: {}", e.message)) /> }.into_any(),
                Some(Ok(list)) => {
                    let visible: Vec<_> = list.into_iter().filter(|r| !r.is_archive_rule()).collect();
                    if visible.is_empty() {
                        return view! { <p class="hint">"This bus has no rules of its own."</p> }.into_any();
                    }
                    view! {
                        <ul class="rules" id="rules">
                            {visible.into_iter().map(|r| {
                                let arn = r.arn.clone();
                                let toggled = r.arn.clone();
                                view! {
                                    <li><label class="choice">
                                        <input type="checkbox"
                                            prop:checked=move || chosen.with(|c| c.contains(&arn))
                                            on:change=move |ev| {
                                                let on = event_target_checked(&ev);
                                                chosen.update(|c| { c.retain(|x| *x != toggled); if on { c.push(toggled.clone()) } });
                                            } />
                                        " " {r.name.clone()}
                                        {r.event_pattern.map(|p| view! { <code class="muted">{p}</code> })}
                                    </label></li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }
            })}
        </Transition>
    }
}
