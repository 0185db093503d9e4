//! The console's own URLs, built in one place. Filters and the page token live in the
//! query string so every view is a link.

use shared::list::ListQuery;

fn encode(value: &str) -> String {
    String::from(js_sys::encode_uri_component(value))
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

pub fn jobs(q: &ListQuery) -> String {
    with_query(
        "/jobs",
        &[("state", &q.state), ("nextToken", &q.next_token)],
    )
}

pub fn job(name: &str) -> String {
    format!("/jobs/{}", encode(name))
}
