//! Who the replay goes to: the bus's subscribers, each with a checkbox; Rewind's
//! temporary ones, revoked ones and other accounts' listed but not selectable, saying why.

use crate::api::ApiError;
use crate::components::error_banner::ErrorBanner;
use crate::components::loading::Loading;
use crate::components::subscriber_table::{marks, target};
use leptos::prelude::*;
use shared::v2::{MAX_SUBSCRIBERS, V2Subscriber};

#[component]
pub fn SubscriberChoice(
    bus_name: RwSignal<String>,
    /// The chosen bus's subscribers (none while no bus is chosen).
    subscribers: LocalResource<Result<Vec<V2Subscriber>, ApiError>>,
    /// The ticked ones' ARNs.
    chosen: RwSignal<Vec<String>>,
    #[prop(into)] error: Signal<Option<String>>,
    /// Runs on each tick (the field is touched).
    on_change: Callback<()>,
) -> impl IntoView {
    let item = move |s: V2Subscriber| {
        let refused = s.refusal();
        let arn = StoredValue::new(s.arn.clone());
        let toggle = move |ev| {
            let on = event_target_checked(&ev);
            chosen.update(|c| {
                c.retain(|a| *a != arn.get_value());
                if on {
                    c.push(arn.get_value());
                }
            });
            on_change.run(());
        };
        view! {
            <li class:unusable=refused.is_some()>
                <label class="choice">
                    <input
                        type="checkbox"
                        disabled=refused.is_some()
                        aria-describedby="subscribers-error"
                        prop:checked=move || chosen.with(|c| arn.with_value(|a| c.contains(a)))
                        on:change=toggle
                    />
                    <span>
                        <strong>{s.name.clone()}</strong>
                        {marks(&s)}
                        <span class="muted target">" → " {target(&s.target_arn)}</span>
                        {refused
                            .map(|why| {
                                view! { <em class="why">{format!("Not selectable: {why}.")}</em> }
                            })}
                    </span>
                </label>
            </li>
        }
    };
    let list = move |all: Vec<V2Subscriber>| {
        if all.is_empty() {
            return view! { <p class="readonly">"This bus has no subscribers: a replay copies existing ones."</p> }
            .into_any();
        }
        view! { <ul class="plain subscribers">{all.into_iter().map(item).collect_view()}</ul> }
            .into_any()
    };
    view! {
        <fieldset class="field" class:invalid=move || error.get().is_some()>
            <legend>"Subscribers"</legend>
            <p class="hint">
                {format!(
                    "Tick those whose targets should receive the window again; at most {MAX_SUBSCRIBERS}.",
                )}
            </p>
            <Show
                when=move || !bus_name.get().is_empty()
                fallback=|| {
                    view! {
                        <p class="readonly">
                            "Choose the bus first: its subscribers are listed here."
                        </p>
                    }
                }
            >
                <Transition fallback=|| {
                    view! { <Loading what="the bus's subscribers" /> }
                }>
                    {move || {
                        subscribers
                            .get()
                            .map(|result| match result {
                                Ok(all) => list(all),
                                Err(e) => {
                                    view! { <ErrorBanner message=Some(e.message) /> }.into_any()
                                }
                            })
                    }}
                </Transition>
            </Show>
            <p class="field-error" id="subscribers-error" aria-live="polite">
                {move || error.get()}
            </p>
        </fieldset>
    }
}
