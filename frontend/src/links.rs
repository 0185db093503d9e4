//! The console's own URLs, built in one place. Filters and the page token live in the
//! query string so every view is a link.

use shared::list::ListQuery;

fn encode(value: &str) -> String {
    if crate::IN_BROWSER {
        return String::from(js_sys::encode_uri_component(value));
    }
    // The prerender build: encodeURIComponent's rule, for its placeholder names.
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'_'
            | b'.'
            | b'!'
            | b'~'
            | b'*'
            | b'\''
            | b'('
            | b')' => char::from(b).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn with_query(path: &str, pairs: &[(&str, &Option<String>)]) -> String {
    let query: Vec<String> = pairs
        .iter()
        .filter_map(|(k, v)| {
            v.as_deref()
                .filter(|v| !v.is_empty())
                .map(|v| format!("{k}={}", encode(v)))
        })
        .collect();
    if query.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{}", query.join("&"))
    }
}

fn list(path: &str, q: &ListQuery) -> String {
    with_query(
        path,
        &[
            ("namePrefix", &q.name_prefix),
            ("eventSourceArn", &q.event_source_arn),
            ("state", &q.state),
            ("nextToken", &q.next_token),
        ],
    )
}

pub fn archives(q: &ListQuery) -> String {
    list("/archives", q)
}

pub fn replays(q: &ListQuery) -> String {
    list("/replays", q)
}

pub fn archive(name: &str) -> String {
    format!("/archives/{}", encode(name))
}

/// The peek page of an archive.
pub fn peek(archive: &str) -> String {
    format!("/archives/{}/peek", encode(archive))
}

pub fn new_archive() -> String {
    "/archives/new".to_owned()
}

pub fn replay(name: &str) -> String {
    format!("/replays/{}", encode(name))
}

/// The start-replay form, with an archive chosen when given.
pub fn start_replay(archive: Option<&str>) -> String {
    with_query("/replays/new", &[("archive", &archive.map(str::to_owned))])
}

/// The start-replay form for `archive` with its window filled in: the rest of a
/// cancelled or failed job.
pub fn start_replay_window(
    archive: &str,
    from: time::OffsetDateTime,
    to: time::OffsetDateTime,
) -> String {
    with_query(
        "/replays/new",
        &[
            ("archive", &Some(archive.to_owned())),
            ("from", &Some(shared::timestamp::format(from))),
            ("to", &Some(shared::timestamp::format(to))),
        ],
    )
}

pub fn jobs(q: &ListQuery) -> String {
    with_query(
        "/jobs",
        &[("state", &q.state), ("nextToken", &q.next_token)],
    )
}

pub fn job(name: &str) -> String {
    format!("/jobs/{}", encode(name))
}

/// The Custom Event Buses (v2), a page of them; the v2 replays are listed below.
pub fn custom_buses(q: &ListQuery) -> String {
    with_query("/custom-buses", &[("nextToken", &q.next_token)])
}

pub fn custom_bus(name: &str) -> String {
    format!("/custom-buses/{}", encode(name))
}

/// The "Replay to subscribers" form, with a Custom Event Bus chosen when given.
pub fn replay_to_subscribers(bus: Option<&str>) -> String {
    with_query("/v2-replays/new", &[("bus", &bus.map(str::to_owned))])
}

pub fn v2_replay(name: &str) -> String {
    format!("/v2-replays/{}", encode(name))
}

/// The v2 replays: the second list of the Custom buses page.
pub const V2_REPLAYS: &str = "/custom-buses#v2-replays";

/// Whether `path` is one of the Custom buses section's pages (its buses, the replays to
/// their subscribers), where the navigation marks "Custom buses" (as each one's static
/// frame does).
pub fn in_custom_buses(path: &str) -> bool {
    path.starts_with("/custom-buses") || path.starts_with("/v2-replays")
}
