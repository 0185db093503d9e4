//! The Delivery section of the Replay, Job and v2 replay pages: did the targets get it?
//! Per rule (a v2 replay: per temporary subscriber), totals and a per-minute chart of
//! invocations against failures (plain SVG); per target, from the bus's log, succeeded,
//! failed, sent to the DLQ and the errors; the report's caveats said plainly.

use crate::api;
use crate::components::error_banner::ErrorBanner;
use crate::format::{self, Zone};
use leptos::prelude::*;
use shared::now::DeliveryVerdict;
use shared::report::{MinutePoint, ReplayReport, RuleReport};
use shared::roles::Operation;

/// A report as a page loads it: the header's verdict and the Delivery section share it.
pub type Report = LocalResource<Result<ReplayReport, api::ApiError>>;

/// Loads the report of `name` — `report` says whose: `ReplayReport`, `ReplayJobReport`
/// or `V2ReplayReport`.
pub fn load(name: String, report: Operation) -> Report {
    LocalResource::new(move || api::report(name.clone(), report))
}

/// Beside a state in a page's header: what the deliveries say ("all delivered",
/// "2 failed · 1 to DLQ"), and until when figures may still arrive. COMPLETED means "sent
/// to the bus"; this says whether the consumers got it.
#[component]
pub fn DeliveryVerdictBadge(report: Report) -> impl IntoView {
    move || {
        report.get().and_then(Result::ok).map(|r| {
            let verdict = DeliveryVerdict::of(&r);
            let class = if verdict.has_failures() {
                "badge bad"
            } else if verdict.arriving_until.is_some() || verdict.empty {
                "badge busy"
            } else {
                "badge good"
            };
            let arriving = verdict
                .arriving_until
                .map(|t| format!(", figures still arriving until {}", format::clock(t)))
                .unwrap_or_default();
            let source = if verdict.per_target {
                "per target, from the bus's log"
            } else {
                "from rule metrics, all traffic on its rules"
            };
            view! {
                <a class=class href="#delivery-title" title=source>
                    {format!("Delivery: {}{arriving}", verdict.summary())}
                </a>
            }
        })
    }
}

/// The most rows of a list whose verdict is read: each is a report (cached a minute, from
/// the reader's 30 a minute), so a list of 100 does not spend them all.
pub const LIST_VERDICTS: usize = 5;

/// Under a COMPLETED row's state in a list: the verdict for the first [`LIST_VERDICTS`]
/// completed rows (`read`), a link to the page's Delivery for the rest.
pub fn list_verdict(name: &str, report: Operation, href: String, read: bool) -> AnyView {
    if read {
        let report = load(name.to_owned(), report);
        view! {
            <br />
            <DeliveryVerdictBadge report />
        }
        .into_any()
    } else {
        view! {
            <br />
            <a class="muted" href=format!("{href}#delivery-title")>
                "Delivery: on its page"
            </a>
        }
        .into_any()
    }
}

/// The Delivery section: the report, and "Refresh" to read it again (the figures arrive
/// over minutes).
#[component]
pub fn DeliveryReport(report: Report, #[prop(optional)] v2: bool) -> impl IntoView {
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
    // One scale for every rule of the report: bars of 12 and 18 look different.
    let top = report
        .rules
        .iter()
        .flat_map(|r| r.series.iter())
        .map(|p| p.invocations.max(p.failed_invocations))
        .fold(1.0_f64, f64::max);
    let arriving_from = (!report.complete).then(|| report.to - ARRIVING);
    let targets = report.targets.map(|targets| {
        view! {
            <h3>"Per target, from the bus's delivery log (this replay's events)"</h3>
            <ul class="plain">
                {targets
                    .into_iter()
                    .map(|t| {
                        let errors = t
                            .errors
                            .iter()
                            .map(|e| {
                                format!("{}: {}", format::datetime(e.time, Zone::Utc), e.message)
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
    });
    view! {
        <p class="hint">
            <strong>{state}</strong>
            {format!(
                " · measured window (wall clock, CloudWatch {}): {} → {}",
                if v2 { "AWS/EventsV2" } else { "AWS/Events" },
                format::datetime(report.from, Zone::Utc),
                format::datetime(report.to, Zone::Utc),
            )}
        </p>
        <ul class="notes">
            {report.notes.into_iter().map(|n| view! { <li>{n}</li> }).collect_view()}
        </ul>
        {targets}
        {report
            .rules
            .into_iter()
            .map(|rule| view! { <RuleFigures rule v2 top arriving_from /> })
            .collect_view()}
    }
}

/// How long after a minute CloudWatch's figures for it may still grow: a report not yet
/// complete marks its last minutes so.
const ARRIVING: time::Duration = time::Duration::minutes(5);

/// One rule (`v2`: one temporary subscriber, its figures in the same fields): what it
/// is, its totals, and its minutes as bars on the report's scale `top`.
#[component]
fn RuleFigures(
    rule: RuleReport,
    v2: bool,
    top: f64,
    arriving_from: Option<time::OffsetDateTime>,
) -> impl IntoView {
    let kind = if v2 {
        "temporary subscriber: this replay's traffic only"
    } else if rule.temporary {
        "temporary rule: this replay's traffic only"
    } else {
        "all traffic on this rule: live events are counted too"
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
    let keys = if v2 {
        ("delivered", "dropped")
    } else {
        ("invocations", "failures")
    };
    let label = format!(
        "{} and {} per minute, {} {}",
        if v2 { "Delivered" } else { "Invocations" },
        keys.1,
        if v2 { "subscriber" } else { "rule" },
        rule.rule
    );
    view! {
        <h3>{rule.rule.clone()} <span class="tag">{kind}</span></h3>
        <p>{totals}</p>
        <MinuteChart series=rule.series label keys top arriving_from />
    }
}

/// Width of one minute in the chart, and of each of its two bars.
const MINUTE: usize = 14;
const BAR: usize = 6;
/// Height of the bars' area; the axis labels sit below it.
const HEIGHT: f64 = 60.0;

/// The chart's SVG markup: only numbers, times and the fixed key words go in (nothing a
/// person or AWS named), so it is written as one string — a fraction of the wasm that
/// one view per minute costs.
fn chart_markup(
    series: &[MinutePoint],
    keys: (&str, &str),
    top: f64,
    arriving_from: Option<time::OffsetDateTime>,
) -> String {
    use std::fmt::Write;
    let width = series.len() * MINUTE;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<line class="axis" x1="0" y1="{HEIGHT}" x2="{width}" y2="{HEIGHT}"/><text class="axis" x="{}" y="9">{top}</text><text class="axis" x="{}" y="{HEIGHT}">0</text>"#,
        width + 4,
        width + 4
    );
    let last = series.len().saturating_sub(1);
    for (i, p) in series.iter().enumerate() {
        let x = i * MINUTE;
        let clock = format::clock_minute(p.time);
        let text = format!(
            "{clock} UTC: {} {}, {} {}",
            p.invocations, keys.0, p.failed_invocations, keys.1
        );
        let _ = write!(
            svg,
            r#"<g class="minute" tabindex="0" role="img" aria-label="{text}"><title>{text}</title>"#
        );
        if arriving_from.is_some_and(|from| p.time >= from) {
            let _ = write!(
                svg,
                r#"<rect class="arriving" x="{x}" y="0" width="{MINUTE}" height="{HEIGHT}"/>"#
            );
        }
        for (dx, value, class) in [
            (0, p.invocations, "ok"),
            (BAR, p.failed_invocations, "failed"),
        ] {
            let height = (value / top * HEIGHT).max(if value > 0.0 { 1.0 } else { 0.0 });
            let _ = write!(
                svg,
                r#"<rect class="{class}" x="{}" y="{:.1}" width="{BAR}" height="{height:.1}"/>"#,
                x + dx,
                HEIGHT - height
            );
        }
        // The first minute, the last, and every 10th between when there is room.
        if i == 0 || i == last || (i % 10 == 0 && last - i >= 4) {
            let _ = write!(
                svg,
                r#"<text class="axis" x="{x}" y="{}">{clock}</text>"#,
                HEIGHT + 12.0
            );
        }
        svg.push_str("</g>");
    }
    svg
}

/// Invocations (blue) and failures (red) per minute on the report's shared scale `top`,
/// only the measured minutes, with an HH:MM axis (UTC) and the scale's top labelled; each
/// minute names its time and values on hover and to keyboard focus; the minutes whose
/// figures may still grow are shaded.
#[component]
fn MinuteChart(
    series: Vec<MinutePoint>,
    label: String,
    keys: (&'static str, &'static str),
    top: f64,
    arriving_from: Option<time::OffsetDateTime>,
) -> impl IntoView {
    if series.is_empty() {
        return view! { <p class="hint">"No figures in the window yet."</p> }.into_any();
    }
    let width = series.len() * MINUTE + 40;
    let arriving = if arriving_from.is_some() {
        " · shaded: still arriving"
    } else {
        ""
    };
    view! {
        <svg
            class="chart"
            viewBox=format!("0 0 {width} {}", HEIGHT + 16.0)
            // Three pixels a unit: a few minutes still read as bars, at most the card's width.
            width=(width * 3).to_string()
            role="group"
            aria-label=label
            inner_html=chart_markup(&series, keys, top, arriving_from)
        ></svg>
        <p class="hint legend">
            <span class="key ok"></span>
            {format!(" {} ", keys.0)}
            <span class="key failed"></span>
            {format!(
                " {} per minute (UTC), one scale for all rules of this report{arriving}",
                keys.1,
            )}
        </p>
    }
    .into_any()
}
