//! Start replay: pick an archive, a name, a window of event time and the rules to replay
//! to. The destination is always the archive's own bus (EventBridge allows no other).

use crate::api;
use crate::clock;
use crate::components::error_banner::ErrorBanner;
use crate::components::field::Field;
use crate::components::guarded::refusal;
use crate::components::loading::Loading;
use crate::components::time_window::{ARCHIVE_LAG, TimeWindow};
use crate::form_errors::FormErrors;
use crate::format::{self, Zone};
use crate::links;
use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_navigate, use_query_map};
use shared::replay::{ReplayDestinationRequest, StartReplayRequest};
use shared::roles::Operation;
use shared::validation::ReplayWindow;
use time::{Duration, OffsetDateTime};

const FORM_FIELDS: [&str; 6] = [
    "eventSourceArn",
    "replayName",
    "description",
    "eventStartTime",
    "eventEndTime",
    "destination.filterArns",
];

/// A name that says what and when: `orders-all-20261126-1305`.
fn suggested_name(archive: &str, now: OffsetDateTime) -> String {
    let stem: String = archive.chars().take(64 - 14).collect();
    format!(
        "{stem}-{}",
        format::input_value(now, Zone::Utc)
            .replace(['-', ':'], "")
            .replace('T', "-")
    )
}

#[component]
pub fn StartReplayPage() -> impl IntoView {
    let query = use_query_map();
    let archives = LocalResource::new(api::all_archives);
    let archive_name = RwSignal::new(query.get_untracked().get("archive").unwrap_or_default());
    let archive = LocalResource::new(move || {
        let name = archive_name.get();
        async move {
            if name.is_empty() {
                None
            } else {
                Some(api::get_archive(name).await)
            }
        }
    });
    let archive_ok = Signal::derive(move || archive.get().flatten().and_then(Result::ok));
    let bus_arn = Signal::derive(move || archive_ok.get().map(|a| a.summary.event_source_arn));
    let rules = LocalResource::new(move || {
        let bus = bus_arn.get();
        async move {
            match bus {
                Some(bus) => Some(api::all_rules(format::arn_name(&bus).to_owned()).await),
                None => None,
            }
        }
    });

    let name = RwSignal::new(String::new());
    let name_edited = RwSignal::new(false);
    let description = RwSignal::new(String::new());
    let now = clock::now();
    let end = RwSignal::new(Some(now - ARCHIVE_LAG));
    let start = RwSignal::new(Some(now - ARCHIVE_LAG - Duration::hours(1)));
    let zone = RwSignal::new(Zone::Local(clock::local_offset()));
    let all_rules = RwSignal::new(true);
    let chosen_rules = RwSignal::new(Vec::<String>::new());

    // Suggest a name for the chosen archive until the user types one.
    Effect::new(move |_| {
        let a = archive_name.get();
        if !name_edited.get_untracked() && !a.is_empty() {
            name.set(suggested_name(&a, clock::now()));
        }
    });
    // A young archive holds nothing before it was created: start the default window there.
    Effect::new(move |_| {
        if let Some(created) = archive_ok.get().map(|a| a.summary.creation_time)
            && start.get_untracked().is_some_and(|s| s < created)
        {
            start.set(Some(created));
            let now = clock::now();
            if end.get_untracked().is_none_or(|e| e <= created) && now > created {
                end.set(Some(now));
            }
        }
    });
    // A different archive means a different bus: its rules start unchosen.
    Effect::new(move |_| {
        archive_name.track();
        chosen_rules.set(Vec::new());
    });

    let request = Memo::new(move |_| {
        let mut errors: Vec<(String, String)> = Vec::new();
        let archive = archive_ok.get();
        if archive.is_none() {
            errors.push((
                "eventSourceArn".into(),
                "Choose the archive to replay from.".into(),
            ));
        }
        let (s, e) = (start.get(), end.get());
        if s.is_none() {
            errors.push(("eventStartTime".into(), "Enter a start time.".into()));
        }
        if e.is_none() {
            errors.push(("eventEndTime".into(), "Enter an end time.".into()));
        }
        if let (Some(s), Some(e)) = (s, e) {
            let checked = ReplayWindow::parse(s, e).and_then(|w| {
                w.check_against(
                    clock::now(),
                    archive.as_ref().map(|a| a.summary.creation_time),
                )
            });
            if let Err(err) = checked {
                errors.push((err.field, err.message));
            }
        }
        let filters = if all_rules.get() {
            None
        } else {
            Some(chosen_rules.get())
        };
        if filters.as_ref().is_some_and(Vec::is_empty) {
            errors.push((
                "destination.filterArns".into(),
                "Choose at least one rule, or replay to all rules.".into(),
            ));
        }
        let body = StartReplayRequest {
            replay_name: name.get().trim().to_owned(),
            description: Some(description.get()).filter(|d| !d.trim().is_empty()),
            event_source_arn: archive
                .as_ref()
                .map(|a| a.archive_arn.clone())
                .unwrap_or_default(),
            event_start_time: s.map(shared::timestamp::format).unwrap_or_default(),
            event_end_time: e.map(shared::timestamp::format).unwrap_or_default(),
            destination: ReplayDestinationRequest {
                arn: archive
                    .as_ref()
                    .map(|a| a.summary.event_source_arn.clone())
                    .unwrap_or_default(),
                filter_arns: filters,
            },
        };
        if archive.is_some() {
            for problem in body.problems() {
                if !errors.iter().any(|(f, _)| *f == problem.field) {
                    errors.push((problem.field, problem.message));
                }
            }
        }
        (body, errors)
    });

    let start_action =
        Action::new_local(|body: &StartReplayRequest| api::start_replay(body.clone()));
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(_)) = start_action.value().get() {
            navigate(
                &links::replay(&request.get_untracked().0.replay_name),
                NavigateOptions::default(),
            );
        }
    });
    let errors = FormErrors::new(
        Signal::derive(move || request.get().1),
        Signal::derive(move || start_action.value().get().and_then(Result::err)),
        &FORM_FIELDS,
    );
    // The window starts filled in: its problems show from the start.
    errors.touch("eventStartTime");
    errors.touch("eventEndTime");
    let error_for = move |field: &'static str| errors.field(field);
    let banner = errors.banner();
    let form_blocked = errors.blocked("To start it");
    let may_not = refusal(Operation::StartReplay);
    // The role decides first; then the form's own problems.
    let blocked = Signal::derive(move || may_not.get().or_else(|| form_blocked.get()));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        errors.touch_all();
        if blocked.get_untracked().is_none() && !start_action.pending().get_untracked() {
            start_action.dispatch(request.get_untracked().0);
        }
    };

    view! {
        <h1>"Start replay"</h1>
        <form class="card" on:submit=submit novalidate>
            <ErrorBanner message=banner />
            <Field id="archive" label="Archive" error=error_for("eventSourceArn")>
                <Transition fallback=|| view! { <Loading what="archives" /> }>
                    {move || archives.get().map(|result| match result {
                        Ok(list) => view! {
                            <select id="archive" prop:value=move || archive_name.get() on:change=move |ev| { archive_name.set(event_target_value(&ev)); errors.touch("eventSourceArn"); }>
                                <option value="">"Choose an archive…"</option>
                                {list.into_iter().map(|a| {
                                    let n = a.archive_name.clone();
                                    let value = a.archive_name.clone();
                                    view! { <option value=value selected=move || archive_name.get() == n>{a.archive_name}</option> }
                                }).collect_view()}
                            </select>
                        }.into_any(),
                        Err(e) => view! { <ErrorBanner message=Some(format!("Archives could not be loaded: {}", e.message)) /> }.into_any(),
                    })}
                </Transition>
            </Field>
            <div class="field">
                <span class="label">"Destination"</span>
                <p class="readonly">{move || bus_arn.get().map(|b| format!("{} ({b})", format::arn_name(&b))).unwrap_or_else(|| "The archive's event bus".into())}</p>
                <p class="hint">"A replay always goes back to the bus the archive records; replayed events carry a replay-name field and are never archived again."</p>
            </div>
            <Field id="replay-name" label="Name" hint="Up to 64 letters, digits, '.', '-' or '_'." error=error_for("replayName")>
                <input id="replay-name" autocomplete="off" spellcheck="false" aria-describedby="replay-name-error"
                    prop:value=move || name.get()
                    on:input=move |ev| { name.set(event_target_value(&ev)); name_edited.set(true); errors.touch("replayName"); } />
            </Field>
            <Field id="description" label="Description" hint="Optional: why this replay, for whoever looks later." error=error_for("description")>
                <textarea id="description" rows="2" prop:value=move || description.get() on:input=move |ev| description.set(event_target_value(&ev))></textarea>
            </Field>
            <TimeWindow start end zone
                archive_created=Signal::derive(move || archive_ok.get().map(|a| a.summary.creation_time))
                start_error=error_for("eventStartTime")
                end_error=error_for("eventEndTime") />
            <fieldset class="field" class:invalid=move || error_for("destination.filterArns").get().is_some()>
                <legend>"Rules"</legend>
                <label class="choice"><input type="radio" name="rules" prop:checked=move || all_rules.get() on:change=move |_| all_rules.set(true) />" All rules on the bus"</label>
                <label class="choice"><input type="radio" name="rules" prop:checked=move || !all_rules.get() on:change=move |_| all_rules.set(false) />" Only these rules:"</label>
                <Show when=move || !all_rules.get()>
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
                                            let arn2 = r.arn.clone();
                                            view! {
                                                <li><label class="choice">
                                                    <input type="checkbox"
                                                        prop:checked=move || chosen_rules.get().contains(&arn)
                                                        on:change=move |ev| {
                                                            let on = event_target_checked(&ev);
                                                            chosen_rules.update(|c| { c.retain(|x| *x != arn2); if on { c.push(arn2.clone()) } });
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
                </Show>
                <p class="field-error">{move || error_for("destination.filterArns").get()}</p>
            </fieldset>
            <div class="actions">
                <button type="submit" disabled=move || blocked.get().is_some() || start_action.pending().get()>
                    {move || if start_action.pending().get() { "Starting…" } else { "Start replay" }}
                </button>
                <a class="button secondary" href="/replays">"Cancel"</a>
                <span class="why" aria-live="polite">{blocked}</span>
            </div>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn suggested_names_are_valid_replay_names() {
        let name = suggested_name("orders-all", datetime!(2026-11-26 13:05 UTC));
        assert_eq!(name, "orders-all-20261126-1305");
        let long = suggested_name(&"a".repeat(48), datetime!(2026-11-26 13:05 UTC));
        assert!(shared::validation::ReplayName::parse(&long).is_ok());
    }
}
