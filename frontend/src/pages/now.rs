//! Now: the on-call view and the console's landing page — the account's replay slots
//! and what holds each, each team's share, the jobs that wait, what went wrong in the
//! last 24 hours, and Rewind's temporary resources alive. Read again every 15 s while
//! the page is visible (`GET /api/now` computes it from AWS each time).

use crate::api;
use crate::components::error_banner::ErrorBanner;
use crate::components::loading::Loading;
use crate::components::slot_meter::SlotMeter;
use crate::components::state_badge::Tone;
use crate::components::table_cells::ListTable;
use crate::format::{self, Zone};
use crate::links;
use leptos::prelude::*;
use shared::now::{
    HolderKind, Now, RecentItem, RecentKind, SlotHolder, TeamShare, TemporaryKind,
    TemporaryResource, WaitingJob,
};
use std::time::Duration;

const REFRESH: Duration = Duration::from_secs(15);

#[component]
pub fn NowPage() -> impl IntoView {
    let now = LocalResource::new(api::now);
    // Read again while the tab is visible; a hidden tab costs no AWS calls.
    if crate::IN_BROWSER
        && let Ok(timer) = set_interval_with_handle(
            move || {
                if !document().hidden() {
                    now.refetch();
                }
            },
            REFRESH,
        )
    {
        on_cleanup(move || timer.clear());
    }
    view! {
        <div class="page-head">
            <h1>"Now"</h1>
            <button type="button" class="secondary" on:click=move |_| now.refetch()>
                "Refresh"
            </button>
        </div>
        <p class="hint">
            "What holds this account's replay slots, what waits, and what failed, was cancelled or delivered with failures in the last 24 hours. Read from AWS every 15 s while this page is visible."
        </p>
        <Transition fallback=|| {
            view! { <Loading what="what is happening now" /> }
        }>
            {move || {
                now.get()
                    .map(|result| match result {
                        Ok(now) => now_body(now),
                        Err(e) => view! { <ErrorBanner message=Some(e.message) /> }.into_any(),
                    })
            }}
        </Transition>
    }
}

fn now_body(now: Now) -> AnyView {
    let read = format!("Read at {}", format::datetime(now.read_at, Zone::Utc));
    let v2: Vec<SlotHolder> = now
        .slots
        .holders
        .iter()
        .filter(|h| !h.kind.takes_account_slot())
        .cloned()
        .collect();
    let holders: Vec<SlotHolder> = now
        .slots
        .holders
        .iter()
        .filter(|h| h.kind.takes_account_slot())
        .cloned()
        .collect();
    view! {
        {(!now.unread.is_empty())
            .then(|| {
                view! {
                    <div class="banner warn" role="status">
                        <ul class="warnings">
                            {now
                                .unread
                                .iter()
                                .map(|u| view! { <li>{u.clone()}</li> })
                                .collect_view()}
                        </ul>
                    </div>
                }
            })}
        <section class="card" aria-labelledby="slots-title">
            <h2 id="slots-title">"Replay slots"</h2>
            <SlotMeter slots=now.slots.clone() />
            {holder_table(holders, "Nothing of your teams holds a slot now.")}
            {(!v2.is_empty())
                .then(|| {
                    view! {
                        <h3>"Custom bus replays"</h3>
                        <p class="hint">
                            "Temporary subscribers on a Custom Event Bus: they hold no EventBridge replay slot."
                        </p>
                        {holder_table(v2, "")}
                    }
                })}
            <p class="hint">{read}</p>
        </section>
        {now.teams.map(team_shares)}
        <section class="card" aria-labelledby="waiting-title">
            <h2 id="waiting-title">"Waiting"</h2>
            {waiting_table(now.waiting)}
        </section>
        <section class="card" aria-labelledby="recent-title">
            <h2 id="recent-title">"Last 24 hours: failed, cancelled or not all delivered"</h2>
            {recent_table(now.recent)}
        </section>
        <section class="card" aria-labelledby="temporary-title">
            <h2 id="temporary-title">"Temporary resources alive"</h2>
            {temporary_table(now.temporary)}
        </section>
    }
    .into_any()
}

/// One cell of the page's tables: every table here is drawn by [`table`], one code path.
enum Cell {
    Text(String),
    Link(String, String),
    Badge(String, Tone),
}

/// A table of cells, or `empty` when it has no rows.
fn table(headings: &'static [&'static str], rows: Vec<Vec<Cell>>, empty: &'static str) -> AnyView {
    if rows.is_empty() {
        return view! { <p class="hint">{empty}</p> }.into_any();
    }
    let cell = |c: Cell| match c {
        Cell::Text(text) => view! { <td>{text}</td> }.into_any(),
        Cell::Link(text, href) => view! {
            <td>
                <a href=href>{text}</a>
            </td>
        }
        .into_any(),
        Cell::Badge(text, tone) => view! {
            <td>
                <span class=tone.class()>{text}</span>
            </td>
        }
        .into_any(),
    };
    let row =
        move |cells: Vec<Cell>| view! { <tr>{cells.into_iter().map(cell).collect_view()}</tr> };
    view! { <ListTable headings>{rows.into_iter().map(row).collect_view()}</ListTable> }.into_any()
}

/// The page of what holds a slot.
fn holder_href(h: &SlotHolder) -> String {
    match (h.kind, &h.job_name, &h.archive_name) {
        (HolderKind::JobSlice, Some(job), _) => links::job(job),
        (HolderKind::Peek, _, Some(archive)) => links::archive(archive),
        (HolderKind::V2Replay, _, _) => links::v2_replay(&h.name),
        _ => links::replay(&h.name),
    }
}

fn holder_table(holders: Vec<SlotHolder>, empty: &'static str) -> AnyView {
    let dash = |v: Option<String>| Cell::Text(v.unwrap_or_else(|| "—".to_owned()));
    let rows = holders
        .into_iter()
        .map(|h| {
            let name = match (&h.job_name, h.kind) {
                (Some(job), _) => format!("{job} (slice {})", h.name),
                (None, HolderKind::Peek) => {
                    format!("a peek of {}", h.archive_name.clone().unwrap_or_default())
                }
                _ => h.name.clone(),
            };
            vec![
                Cell::Text(h.kind.label().to_owned()),
                Cell::Link(name, holder_href(&h)),
                dash(h.team.clone()),
                dash(h.created_by.clone()),
                Cell::Text(format::datetime(h.started_at, Zone::Utc)),
                Cell::Text(format::maybe_datetime(h.expected_end_at)),
                Cell::Text(format!("{} %", (h.progress * 100.0).round() as u32)),
            ]
        })
        .collect();
    table(
        &[
            "What",
            "Name",
            "Team",
            "Started by",
            "Started (UTC)",
            "Expected end (UTC)",
            "Progress",
        ],
        rows,
        empty,
    )
}

fn team_shares(teams: Vec<TeamShare>) -> AnyView {
    let row = |t: TeamShare| {
        let full = t.active >= t.cap;
        let label = format!(
            "Team {}: {} of {} replay slots in use",
            t.team, t.active, t.cap
        );
        let width = format!("{}%", (t.active.min(t.cap) * 100) / t.cap.max(1));
        view! {
            <li>
                <strong>{t.team.clone()}</strong>
                {format!(" {} of {}{}", t.active, t.cap, if full { " · full" } else { "" })}
                <div
                    class="share"
                    role="meter"
                    aria-label=label
                    aria-valuemin="0"
                    aria-valuemax=t.cap.to_string()
                    aria-valuenow=t.active.to_string()
                >
                    <div class="share-fill" class:full=full style:width=width></div>
                </div>
            </li>
        }
    };
    view! {
        <section class="card" aria-labelledby="teams-title">
            <h2 id="teams-title">"Teams' shares"</h2>
            <p class="hint">
                "With teams, each team may have this many replays, peeks and jobs active at once."
            </p>
            <ul class="shares">{teams.into_iter().map(row).collect_view()}</ul>
        </section>
    }
    .into_any()
}

fn waiting_table(jobs: Vec<WaitingJob>) -> AnyView {
    let rows = jobs
        .into_iter()
        .map(|j| {
            vec![
                Cell::Link(j.job_name.clone(), links::job(&j.job_name)),
                Cell::Badge(
                    j.state.as_str().to_owned(),
                    crate::components::state_badge::job_tone(j.state),
                ),
                Cell::Text(j.state_reason.unwrap_or_default()),
            ]
        })
        .collect();
    table(&["Job", "State", "Why"], rows, "No job waits.")
}

fn recent_table(items: Vec<RecentItem>) -> AnyView {
    let rows = items
        .into_iter()
        .map(|r| {
            let (what, href) = match r.kind {
                RecentKind::Job => ("Job", links::job(&r.name)),
                RecentKind::Replay => ("Replay", links::replay(&r.name)),
                RecentKind::V2Replay => ("Custom bus replay", links::v2_replay(&r.name)),
            };
            let tone = match r.state.as_str() {
                "FAILED" => Tone::Bad,
                "COMPLETED" => Tone::Good,
                _ => Tone::Neutral,
            };
            let delivery = match (r.delivery_failures, r.delivery_per_target) {
                (Some(n), Some(true)) => format!("{n} failed (per target, from the bus's log)"),
                (Some(n), _) => format!("{n} failed (rule metrics: all traffic on its rules)"),
                (None, _) => r.state_reason.clone().unwrap_or_else(|| "—".to_owned()),
            };
            vec![
                Cell::Text(what.to_owned()),
                Cell::Link(r.name.clone(), href),
                Cell::Badge(r.state, tone),
                Cell::Text(delivery),
                Cell::Text(format::datetime(r.ended_at, Zone::Utc)),
            ]
        })
        .collect();
    table(
        &["What", "Name", "State", "Delivery or reason", "Ended (UTC)"],
        rows,
        "Nothing of your teams failed, was cancelled or delivered with failures in the last 24 hours.",
    )
}

fn temporary_table(items: Vec<TemporaryResource>) -> AnyView {
    let rows = items
        .into_iter()
        .map(|t| {
            let kind = match t.kind {
                TemporaryKind::Rule => "Rule",
                TemporaryKind::Queue => "Queue",
                TemporaryKind::Subscriber => "Subscriber",
            };
            let owner = match t.belongs_to_kind {
                HolderKind::Replay => {
                    Cell::Link(t.belongs_to.clone(), links::replay(&t.belongs_to))
                }
                HolderKind::JobSlice => Cell::Link(t.belongs_to.clone(), links::job(&t.belongs_to)),
                HolderKind::V2Replay => {
                    Cell::Link(t.belongs_to.clone(), links::v2_replay(&t.belongs_to))
                }
                HolderKind::Peek => Cell::Text(t.belongs_to),
            };
            vec![Cell::Text(kind.to_owned()), Cell::Text(t.name), owner]
        })
        .collect();
    table(
        &["Kind", "Name", "Belongs to"],
        rows,
        "No temporary rule, queue or subscriber of Rewind's is alive.",
    )
}
