//! The Delivery section of the Replay and Job pages: did the targets get it? Per rule,
//! totals and a per-minute chart of invocations against failures (plain SVG); per target,
//! from the bus's log, succeeded, failed, sent to the DLQ and the errors; the report's
//! caveats said plainly.

use crate::api;
use crate::components::error_banner::ErrorBanner;
use crate::format::{self, Zone};
use leptos::prelude::*;
use shared::report::{MinutePoint, ReplayReport, RuleReport};

/// Loads the report of replay (or job, when `job`) `name` and shows it; "Refresh" reads
/// it again (the figures arrive over minutes).
#[component]
pub fn DeliveryReport(name: String, job: bool) -> impl IntoView {
    let report = LocalResource::new(move || api::report(name.clone(), job));
    view! {
        <section class="card delivery" aria-labelledby="delivery-title">
            <div class="page-head">
                <h2 id="delivery-title">"Delivery"</h2>
                <button type="button" class="secondary" on:click=move |_| report.refetch()>
                    "Refresh"
                </button>
            </div>
            <Transition fallback=|| {
                view! { <p class="hint">"Reading the figures…"</p> }
            }>
                {move || {
                    report
                        .get()
                        .map(|result| match result {
                            Ok(r) => view! { <ReportBody report=r /> }.into_any(),
                            Err(e) => view! { <ErrorBanner message=Some(e.message) /> }.into_any(),
                        })
                }}
            </Transition>
        </section>
    }
}

#[component]
fn ReportBody(report: ReplayReport) -> impl IntoView {
    let state = if report.complete {
        "Final figures"
    } else {
        "Figures still arriving"
    };
    view! {
        <p class="hint">
            <strong>{state}</strong>
            {format!(
                " · CloudWatch AWS/Events, {} → {}",
                format::datetime(report.from, Zone::Utc),
                format::datetime(report.to, Zone::Utc),
            )}
        </p>
        <ul class="notes">
            {report.notes.into_iter().map(|n| view! { <li>{n}</li> }).collect_view()}
        </ul>
        {report.rules.into_iter().map(|rule| view! { <RuleFigures rule /> }).collect_view()}
        {report
            .targets
            .map(|targets| {
                view! {
                    <h3>"Per target, from the bus's delivery log"</h3>
                    <ul class="plain">
                        {targets
                            .into_iter()
                            .map(|t| {
                                let errors = t
                                    .errors
                                    .iter()
                                    .map(|e| {
                                        format!(
                                            "{}: {}",
                                            format::datetime(e.time, Zone::Utc),
                                            e.message,
                                        )
                                    })
                                    .collect::<Vec<_>>()
                                    .join("\n");
                                view! {
                                    <li>
                                        <code>{t.target_arn}</code>
                                        {format!(
                                            " (rule {}): {} succeeded · {} failed · {} to the DLQ",
                                            t.rule,
                                            t.succeeded,
                                            t.failed,
                                            t.sent_to_dlq,
                                        )}
                                        <pre class="errors">{errors}</pre>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                }
            })}
    }
}

/// One rule: what it is, its totals, and its minutes as bars.
#[component]
fn RuleFigures(rule: RuleReport) -> impl IntoView {
    let kind = if rule.temporary {
        "temporary rule: this replay's traffic only"
    } else {
        "shared with live traffic: the figures include live events"
    };
    let totals = format!(
        "{} matched · {} invocations · {} failed · {} to the DLQ · {} not sent to the DLQ · {} throttled",
        rule.matched_events,
        rule.invocations,
        rule.failed_invocations,
        rule.invocations_sent_to_dlq,
        rule.invocations_failed_to_be_sent_to_dlq,
        rule.throttled_rules,
    );
    view! {
        <h3>{rule.rule.clone()} <span class="tag">{kind}</span></h3>
        <p>{totals}</p>
        <MinuteChart
            series=rule.series
            label=format!("Invocations and failures per minute, rule {}", rule.rule)
        />
    }
}

/// Invocations (blue) and failures (red) per minute, side by side; the text beside it
/// carries the figures, the chart their shape.
#[component]
fn MinuteChart(series: Vec<MinutePoint>, label: String) -> impl IntoView {
    if series.is_empty() {
        return view! { <p class="hint">"No figures for this rule in the window yet."</p> }
            .into_any();
    }
    let top = series
        .iter()
        .map(|p| p.invocations.max(p.failed_invocations))
        .fold(1.0_f64, f64::max);
    // At least 20 minutes wide: a short report's bars stay bars, not blocks.
    let width = (series.len() * 12).max(240);
    let bar = |x: usize, value: f64, class: &'static str| {
        let height = (value / top * 48.0).max(if value > 0.0 { 1.0 } else { 0.0 });
        view! {
            <rect
                class=class
                x=x.to_string()
                y=format!("{:.1}", 50.0 - height)
                width="5"
                height=format!("{height:.1}")
            />
        }
    };
    view! {
        <svg
            class="chart"
            viewBox=format!("0 0 {width} 50")
            preserveAspectRatio="none"
            role="img"
            aria-label=label
        >
            {series
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    view! {
                        {bar(i * 12, p.invocations, "ok")}
                        {bar(i * 12 + 5, p.failed_invocations, "failed")}
                    }
                })
                .collect_view()}
        </svg>
        <p class="hint legend">
            <span class="key ok"></span>
            " invocations "
            <span class="key failed"></span>
            " failures, per minute"
        </p>
    }
    .into_any()
}
