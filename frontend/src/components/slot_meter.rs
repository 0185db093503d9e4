//! The account's replay slots as a row of cells: each held slot names what holds it
//! (on hover, and to a screen reader or keyboard focus through its accessible name),
//! slots held outside the caller's teams are hatched, free ones empty.

use crate::format::{self, Zone};
use leptos::prelude::*;
use shared::now::{SlotHolder, Slots};

/// One slot of the meter, as a person reads it.
fn holder_text(n: usize, h: &SlotHolder) -> String {
    let team = h
        .team
        .as_deref()
        .map(|t| format!(", team {t}"))
        .unwrap_or_default();
    let who = h
        .created_by
        .as_deref()
        .map(|c| format!(", by {c}"))
        .unwrap_or_default();
    let until = h
        .expected_end_at
        .map(|t| format!(", expected to end {}", format::datetime(t, Zone::Utc)))
        .unwrap_or_default();
    format!(
        "Slot {n}: {} {}{team}{who}, started {}{until}",
        h.kind.label().to_lowercase(),
        h.name,
        format::datetime(h.started_at, Zone::Utc)
    )
}

#[component]
pub fn SlotMeter(slots: Slots) -> impl IntoView {
    let held: Vec<&SlotHolder> = slots
        .holders
        .iter()
        .filter(|h| h.kind.takes_account_slot())
        .collect();
    let limit = slots.limit.max(slots.used) as usize;
    let others = slots.others as usize;
    // (class, accessible name, what the cell shows, focusable) of each slot, in order.
    let cells = (0..limit).map(|i| match held.get(i) {
        Some(h) => (
            format!("slot held {}", class_of(h)),
            holder_text(i + 1, h),
            short(h),
            true,
        ),
        None if i < held.len() + others => (
            "slot others".to_owned(),
            format!("Slot {}: held outside your teams", i + 1),
            "other team".to_owned(),
            true,
        ),
        None => (
            "slot free".to_owned(),
            format!("Slot {}: free", i + 1),
            "free".to_owned(),
            false,
        ),
    });
    let cells = cells
        .map(|(class, name, shown, focusable)| {
            view! {
                <li
                    class=class
                    tabindex=focusable.then_some("0")
                    aria-label=name.clone()
                    title=name
                >
                    <span aria-hidden="true">{shown}</span>
                </li>
            }
        })
        .collect_view();
    let summary = format!(
        "{} of the account's {} replay slots in use",
        slots.used, slots.limit
    );
    view! {
        <figure class="meter">
            <figcaption>
                <strong>{summary.clone()}</strong>
                " · interactive replays, job slices and peeks each hold one while they run"
            </figcaption>
            <ol class="slots" aria-label=summary>
                {cells}
            </ol>
            <p class="slot-legend hint">
                <span class="slot-key replay"></span>
                " replay "
                <span class="slot-key jobSlice"></span>
                " job slice "
                <span class="slot-key peek"></span>
                " peek "
                <span class="slot-key others"></span>
                " other teams "
                <span class="slot-key free"></span>
                " free"
            </p>
        </figure>
    }
}

fn class_of(h: &SlotHolder) -> &'static str {
    match h.kind {
        shared::now::HolderKind::Replay => "replay",
        shared::now::HolderKind::JobSlice => "jobSlice",
        shared::now::HolderKind::Peek => "peek",
        shared::now::HolderKind::V2Replay => "v2",
    }
}

/// What the cell itself shows: the job's name for a slice, else the replay's.
fn short(h: &SlotHolder) -> String {
    h.job_name.clone().unwrap_or_else(|| h.name.clone())
}
