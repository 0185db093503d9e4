//! Cells the list tables share: a table's column headings, the archive a replay or job
//! reads, and its event window.

use crate::format::{self, Zone};
use crate::links;
use leptos::prelude::*;
use time::OffsetDateTime;

/// A list's table: its column headings (a trailing `*` becomes a footnote mark, a
/// leading `#` a numeric column), then its rows.
#[component]
pub fn ListTable(headings: &'static [&'static str], children: Children) -> impl IntoView {
    let heading = |text: &'static str| {
        let (numeric, text) = match text.strip_prefix('#') {
            Some(text) => (true, text),
            None => (false, text),
        };
        let (text, starred) = match text.strip_suffix('*') {
            Some(text) => (text, true),
            None => (text, false),
        };
        view! {
            <th scope="col" class=numeric.then_some("num")>
                {text}
                {starred.then(|| view! { <sup>"*"</sup> })}
            </th>
        }
    };
    view! {
        <table>
            <thead>
                <tr>{headings.iter().copied().map(heading).collect_view()}</tr>
            </thead>
            <tbody>{children()}</tbody>
        </table>
    }
}

/// The archive named in `source_arn`, linked. (The cells are plain functions: each
/// `#[component]` costs the console its own props builder.)
pub fn archive_cell(source_arn: String) -> impl IntoView {
    let archive = format::arn_name(&source_arn).to_owned();
    view! {
        <td>
            <a href=links::archive(&archive)>{archive.clone()}</a>
        </td>
    }
}

/// An event window, from over to.
pub fn window_cell(start: OffsetDateTime, end: OffsetDateTime) -> impl IntoView {
    view! {
        <td class="window">
            {format::datetime(start, Zone::Utc)}<br />
            {format!("→ {}", format::datetime(end, Zone::Utc))}
        </td>
    }
}

/// A time, or a dash when there is none yet.
pub fn time_cell(time: Option<OffsetDateTime>) -> impl IntoView {
    view! { <td>{format::maybe_datetime(time)}</td> }
}

/// A resource named by its ARN: the name, then the whole ARN, muted.
pub fn named_arn(arn: String) -> impl IntoView {
    view! {
        {format::arn_name(&arn).to_owned()}
        " "
        <code class="muted">{arn.clone()}</code>
    }
}
