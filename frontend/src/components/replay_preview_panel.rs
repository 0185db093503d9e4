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
        Delivery::OptedOut => ("Opted out", Tone::Good),
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
                let (label, tone) = badge(rule.delivery);
                // Forwarding lists another bus's rules too: no opt-out from here.
                let offer = rule.can_opt_out()
                    && may_not_opt_out.get().is_none()
                    && to != ReplayTo::Forward;
                let for_dialog = rule.name.clone();
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
                            {offer
                                .then(|| {
                                    view! {
                                        <button
                                            type="button"
                                            class="secondary small"
                                            on:click=move |_| opting_out.set(Some(for_dialog.clone()))
                                        >
                                            "Opt out of replays"
                                        </button>
                                    }
                                })}
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
                                    "Checking the bus's rules…"
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
                    view! {
                        <p class="preview-totals">
                            <strong>
                                {format::quantity(preview.receiving_rules, "rule", "rules")}
                            </strong>
                            " and "
                            <strong>
                                {format::quantity(preview.receiving_targets, "target", "targets")}
                            </strong>
                            " will receive these events, of "
                            {format::quantity(preview.rules.len(), "rule", "rules")}
                            " on the bus."
                        </p>
                        <ul class="warnings">
                            {preview
                                .warnings
                                .iter()
                                .map(|w| view! { <li>{w.clone()}</li> })
                                .collect_view()}
                        </ul>
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
