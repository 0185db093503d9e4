//! The Delivery section of the Replay, Job and v2 replay pages: did the targets get it?
//! Per rule (a v2 replay: per temporary subscriber), totals and a per-minute chart of
//! invocations against failures (plain SVG); per target, from the bus's log, succeeded,
//! failed, sent to the DLQ and the errors; the report's caveats said plainly.

use crate::api;
use crate::components::error_banner::ErrorBanner;
use crate::format::{self, Zone};
use leptos::prelude::*;
use shared::report::{MinutePoint, ReplayReport, RuleReport};
use shared::roles::Operation;

/// Loads the report of `name` — `report` says whose: `ReplayReport`, `ReplayJobReport`
/// or `V2ReplayReport` — and shows it; "Refresh" reads it again (the figures arrive over
/// minutes).
#[component]
pub fn DeliveryReport(name: String, report: Operation) -> impl IntoView {
    let v2 = report == Operation::V2ReplayReport;
    let report = LocalResource::new(move || api::report(name.clone(), report));
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
                            Ok(r) => view! { <ReportBody report=r v2 /> }.into_any(),
                            Err(e) => view! { <ErrorBanner message=Some(e.message) /> }.into_any(),
                        })
                }}
            </Transition>
        </section>
    }
}

#[component]
fn ReportBody(report: ReplayReport, v2: bool) -> impl IntoView {
    let state = if report.complete {
        "Final figures"
    } else {
        "Figures still arriving"
    };
    view! {
        <p class="hint">
            <strong>{state}</strong>
            {format!(
                " · CloudWatch {}, {} → {}",
                if v2 { "AWS/EventsV2" } else { "AWS/Events" },
                format::datetime(report.from, Zone::Utc),
                format::datetime(report.to, Zone::Utc),
            )}
        </p>
        <ul class="notes">
            {report.notes.into_iter().map(|n| view! { <li>{n}</li> }).collect_view()}
        </ul>
        {report.rules.into_iter().map(|rule| view! { <RuleFigures rule v2 /> }).collect_view()}
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

/// One rule (`v2`: one temporary subscriber, its figures in the same fields): what it
/// is, its totals, and its minutes as bars.
#[component]
fn RuleFigures(rule: RuleReport, v2: bool) -> impl IntoView {
    let kind = if v2 {
        "temporary subscriber: this replay's traffic only"
    } else if rule.temporary {
        "temporary rule: this replay's traffic only"
    } else {
        "shared with live traffic: the figures include live events"
    };
    let totals = if v2 {
        format!(
            "{} matched · {} delivered · {} dropped · {} to the failure destination",
            rule.matched_events,
            rule.invocations,
            rule.failed_invocations,
            rule.invocations_sent_to_dlq,
        )
    } else {
        format!(
            "{} matched · {} invocations · {} failed · {} to the DLQ · {} not sent to the DLQ · {} throttled",
            rule.matched_events,
            rule.invocations,
            rule.failed_invocations,
            rule.invocations_sent_to_dlq,
            rule.invocations_failed_to_be_sent_to_dlq,
            rule.throttled_rules,
        )
    };
    let (ok, failed) = if v2 {
        ("delivered", "dropped")
    } else {
        ("invocations", "failures")
    };
    let label = format!(
        "{} and {failed} per minute, {} {}",
        if v2 { "Delivered" } else { "Invocations" },
        if v2 { "subscriber" } else { "rule" },
        rule.rule
    );
    view! {
        <h3>{rule.rule.clone()} <span class="tag">{kind}</span></h3>
        <p>{totals}</p>
        <MinuteChart series=rule.series label keys=(ok, failed) />
    }
}

/// Invocations (blue) and failures (red) per minute, side by side — `keys` name them —;
/// the text beside it carries the figures, the chart their shape.
#[component]
fn MinuteChart(
    series: Vec<MinutePoint>,
    label: String,
    keys: (&'static str, &'static str),
) -> impl IntoView {
    if series.is_empty() {
        return view! { <p class="hint">"No figures in the window yet."</p> }.into_any();
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
            {format!(" {} ", keys.0)}
            <span class="key failed"></span>
            {format!(" {}, per minute", keys.1)}
        </p>
    }
    .into_any()
}
