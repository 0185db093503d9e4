//! "Who receives this replay": every rule of the archive's bus, what it would do with
//! the replay and where its targets send the events, with the preview's warnings; for
//! admins, an opt-out per rule.

use crate::components::error_banner::ErrorBanner;
use crate::components::opt_out_dialog::OptOutDialog;
use crate::components::state_badge::{StateBadge, Tone};
use crate::current_user::refusal;
use crate::format;
use crate::replay_preview::{Choice, PreviewState, ReplayTo};
use leptos::prelude::*;
use shared::preview::{Delivery, PreviewRule, PreviewTarget};
use shared::roles::Operation;
use shared::routing::RoutedTarget;

/// The order rules are listed in: what receives the replay first.
const ORDER: [Delivery; 7] = [
    Delivery::Routed,
    Delivery::Receives,
    Delivery::NotSelected,
    Delivery::OptedOut,
    Delivery::Disabled,
    Delivery::Scheduled,
    Delivery::ArchiveRule,
];

fn badge(delivery: Delivery) -> (&'static str, Tone) {
    match delivery {
        Delivery::Routed => ("Routed here", Tone::Busy),
        Delivery::Receives => ("Receives", Tone::Busy),
        // Never in a receiving colour: an opted-out rule drops the replay, ticked or not.
        Delivery::OptedOut => ("Opted out: drops replays", Tone::Neutral),
        Delivery::NotSelected => ("Not selected", Tone::Neutral),
        Delivery::Disabled => ("Disabled", Tone::Neutral),
        Delivery::Scheduled => ("Scheduled", Tone::Neutral),
        Delivery::ArchiveRule => ("Archive rule", Tone::Neutral),
    }
}

/// One line per target: its service and name, then how it is reached (input, role,
/// dead-letter queue, retries).
fn describe(target: &PreviewTarget) -> String {
    let name = target.arn.rsplit([':', '/']).next().unwrap_or(&target.arn);
    let mut line = format!("{} {name}", target.service);
    if target.input_transformed {
        line.push_str(" · transformed input");
    }
    if let Some(role) = &target.role_arn {
        line.push_str(" · role ");
        line.push_str(format::arn_name(role));
    }
    match &target.dead_letter_arn {
        Some(dlq) => {
            line.push_str(" · DLQ ");
            line.push_str(dlq.rsplit(':').next().unwrap_or(dlq));
        }
        None => line.push_str(" · no DLQ"),
    }
    if let Some(retries) = target.maximum_retry_attempts {
        line.push_str(&format!(" · {retries} retries"));
    }
    line
}

/// "Only the ticked rules/targets" with none ticked.
fn nothing_ticked(choice: &Choice) -> bool {
    match choice.to.get() {
        ReplayTo::SomeRules => choice.rules.with(Vec::is_empty),
        ReplayTo::SomeTargets => choice.targets.with(Vec::is_empty),
        _ => false,
    }
}

/// The preview's answer end to end: who gets the events — for a forward, who on the
/// receiving bus; with nothing ticked, nobody (and Start is blocked).
fn headline(preview: &shared::preview::ReplayPreview, choice: &Choice) -> String {
    if nothing_ticked(choice) {
        let what = if choice.to.get() == ReplayTo::SomeRules {
            "rule"
        } else {
            "target"
        };
        return format!(
            "Nothing is ticked, so nothing would receive these events: tick at least one {what} below, or replay to every rule."
        );
    }
    if let Some(there) = &preview.forwarded_to {
        return format!(
            "{} and {} on {} receive the forwarded events; no rule of {} does.",
            format::quantity(there.receiving_rules, "rule", "rules"),
            format::quantity(there.receiving_targets, "target", "targets"),
            format::arn_name(&there.event_bus_arn),
            format::arn_name(&preview.event_bus_arn),
        );
    }
    format!(
        "{} and {} will receive these events, of {} on the bus.",
        format::quantity(preview.receiving_rules, "rule", "rules"),
        format::quantity(preview.receiving_targets, "target", "targets"),
        format::quantity(preview.rules.len(), "rule", "rules"),
    )
}

#[component]
pub fn ReplayPreviewPanel(state: PreviewState, choice: Choice) -> impl IntoView {
    let may_not_opt_out = refusal(Operation::OptRuleOutOfReplays);
    // The rule whose opt-out dialog is open, by name.
    let opting_out = RwSignal::new(None::<String>);
    let rows = move |rules: Vec<PreviewRule>| {
        let to = choice.to.get();
        ORDER
            .iter()
            .flat_map(|d| rules.iter().filter(move |r| r.delivery == *d))
            .map(|rule| {
                // With "only ticked" and nothing ticked, nobody receives it: no rule reads
                // "Receives" then.
                let (label, tone) = if nothing_ticked(&choice) && rule.delivery == Delivery::Receives {
                    ("Not ticked", Tone::Neutral)
                } else {
                    badge(rule.delivery)
                };
                // Rules and targets of the bus can be ticked; Rewind's own cannot.
                let tickable = !matches!(rule.delivery, Delivery::ArchiveRule | Delivery::Routed);
                let arn = rule.arn.clone();
                let tick_rule = (tickable && to == ReplayTo::SomeRules).then(|| {
                    let toggled = arn.clone();
                    view! {
                        <input
                            type="checkbox"
                            prop:checked=move || choice.rules.with(|c| c.contains(&arn))
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                choice
                                    .rules
                                    .update(|c| {
                                        c.retain(|x| *x != toggled);
                                        if on {
                                            c.push(toggled.clone())
                                        }
                                    });
                            }
                        />
                    }
                });
                view! {
                    <tr>
                        <td>
                            <label class="rule-name">{tick_rule}{rule.name.clone()}</label>
                            " "
                            <StateBadge label tone />
                            <code class="muted pattern-line">{rule.event_pattern.clone()}</code>
                        </td>
                        <td>
                            <ul class="plain targets">
                                {rule
                                    .targets
                                    .iter()
                                    .map(|t| {
                                        let target = RoutedTarget {
                                            rule: rule.name.clone(),
                                            target_id: t.id.clone(),
                                        };
                                        let tick = (tickable && to == ReplayTo::SomeTargets)
                                            .then(|| {
                                                let toggled = target.clone();
                                                view! {
                                                    <input
                                                        type="checkbox"
                                                        prop:checked=move || {
                                                            choice.targets.with(|c| c.contains(&target))
                                                        }
                                                        on:change=move |ev| {
                                                            let on = event_target_checked(&ev);
                                                            choice
                                                                .targets
                                                                .update(|c| {
                                                                    c.retain(|x| *x != toggled);
                                                                    if on {
                                                                        c.push(toggled.clone())
                                                                    }
                                                                });
                                                        }
                                                    />
                                                }
                                            });
                                        view! {
                                            <li>
                                                <label>{tick}{describe(t)}</label>
                                            </li>
                                        }
                                    })
                                    .collect_view()}
                            </ul>
                        </td>
                    </tr>
                }
            })
            .collect_view()
    };
    view! {
        <section
            class="card preview"
            id="replay-preview"
            aria-labelledby="preview-title"
            aria-busy=move || state.loading.get().to_string()
            class:updating=move || state.loading.get()
        >
            <div class="preview-head">
                <h2 id="preview-title">"Who receives this replay"</h2>
                {move || {
                    state
                        .loading
                        .get()
                        .then(|| {
                            view! {
                                <span class="loading">
                                    <span class="spinner" aria-hidden="true"></span>
                                    "Updating the preview…"
                                </span>
                            }
                        })
                }}
            </div>
            {move || match (state.waiting.get(), state.answer.get()) {
                (Some(why), _) => {
                    view! {
                        <p class="hint">
                            "The preview follows once the form says which events to replay: " {why}
                        </p>
                    }
                        .into_any()
                }
                (None, None) => {
                    view! { <p class="hint">"Reading every rule of the bus and its targets…"</p> }
                        .into_any()
                }
                (None, Some(Err(e))) => {
                    view! {
                        <ErrorBanner message=Some(
                            format!("The preview could not be made: {}", e.message),
                        ) />
                    }
                        .into_any()
                }
                (None, Some(Ok(preview))) => {
                    let headline = headline(&preview, &choice);
                    let there = preview
                        .forwarded_to
                        .map(|there| {
                            view! {
                                <h3>{format!("On {}", format::arn_name(&there.event_bus_arn))}</h3>
                                <p class="preview-totals">
                                    {format!(
                                        "{} and {} there receive the forwarded events.",
                                        format::quantity(there.receiving_rules, "rule", "rules"),
                                        format::quantity(
                                            there.receiving_targets,
                                            "target",
                                            "targets",
                                        ),
                                    )}
                                </p>
                                <div class="table-scroll">
                                    <table class="preview-rules">
                                        <tbody>{rows(there.rules)}</tbody>
                                    </table>
                                </div>
                            }
                        });
                    let opt_outs: Vec<String> = if choice.to.get() == ReplayTo::Forward
                        || may_not_opt_out.get().is_some()
                    {
                        Vec::new()
                    } else {
                        preview
                            .rules
                            .iter()
                            .filter(|r| r.can_opt_out())
                            .map(|r| r.name.clone())
                            .collect()
                    };
                    view! {
                        <p class="preview-totals">
                            <strong>{headline}</strong>
                        </p>
                        {(!preview.warnings.is_empty())
                            .then(|| {
                                view! {
                                    <div
                                        class="banner warn"
                                        role="note"
                                        aria-label="Before you start"
                                    >
                                        <strong>"Before you start"</strong>
                                        <ul class="warnings">
                                            {preview
                                                .warnings
                                                .iter()
                                                .map(|w| view! { <li>{w.clone()}</li> })
                                                .collect_view()}
                                        </ul>
                                    </div>
                                }
                            })}
                        <div class="table-scroll">
                            <table class="preview-rules">
                                <thead>
                                    <tr>
                                        <th scope="col">"Rule and delivery"</th>
                                        <th scope="col">"Targets"</th>
                                    </tr>
                                </thead>
                                <tbody>{rows(preview.rules)}</tbody>
                            </table>
                        </div>
                        {there}
                        {(!opt_outs.is_empty())
                            .then(|| {
                                view! {
                                    <details class="risky">
                                        <summary>
                                            "Opt a rule out of replays (rewrites a live rule's pattern)"
                                        </summary>
                                        <p class="hint">
                                            "For a rule that must never receive replayed events, whoever replays. Each shows its pattern before and after, and asks before it changes anything."
                                        </p>
                                        <ul class="plain">
                                            {opt_outs
                                                .into_iter()
                                                .map(|name| {
                                                    let for_dialog = name.clone();
                                                    view! {
                                                        <li>
                                                            <button
                                                                type="button"
                                                                class="secondary small"
                                                                on:click=move |_| opting_out.set(Some(for_dialog.clone()))
                                                            >
                                                                {format!("Opt {name} out of replays…")}
                                                            </button>
                                                        </li>
                                                    }
                                                })
                                                .collect_view()}
                                        </ul>
                                    </details>
                                }
                            })}
                    }
                        .into_any()
                }
            }}
            {move || {
                let name = opting_out.get()?;
                let (bus, rule) = state
                    .answer
                    .with(|a| {
                        let preview = a.as_ref()?.as_ref().ok()?;
                        let rule = preview.rules.iter().find(|r| r.name == name)?.clone();
                        Some((format::arn_name(&preview.event_bus_arn).to_owned(), rule))
                    })?;
                Some(
                    view! {
                        <OptOutDialog
                            bus
                            rule
                            on_done=Callback::new(move |()| {
                                opting_out.set(None);
                                state.refresh();
                            })
                            on_cancel=Callback::new(move |()| opting_out.set(None))
                        />
                    },
                )
            }}
        </section>
    }
}
