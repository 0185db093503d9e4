//! The typed client of Rewind's HTTP API: one function per route, shared DTOs in and
//! out. Pages never build URLs by hand.

use gloo_net::http::{Request, RequestBuilder, Response};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Serialize;
use serde::de::DeserializeOwned;
use shared::archive::{
    Archive, ArchiveList, ArchiveStatus, CreateArchiveRequest, UpdateArchiveRequest,
};
use shared::event_bus::{EventBus, EventBusList};
use shared::list::ListQuery;
use shared::peek::{Peek, PeekEvents, StartPeekRequest};
use shared::preview::ReplayPreview;
use shared::replay::{
    CancelReplayResponse, Replay, ReplayList, StartReplayRequest, StartReplayResponse,
};
use shared::{ErrorBody, ErrorCode};

/// The path of an API route: `/api` and `segments`, each percent-encoded, so a name
/// with `/` or other reserved characters (a partner bus, `aws.partner/vendor/x`) stays
/// one segment. Every call below builds its path here.
fn path(segments: &[&str]) -> String {
    // Everything but RFC 3986's unreserved characters.
    const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~');
    let mut path = String::from("/api");
    for segment in segments {
        path.push('/');
        path.extend(utf8_percent_encode(segment, SEGMENT));
    }
    path
}

/// A failed call, as the console shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub status: u16,
    pub code: Option<ErrorCode>,
    pub message: String,
    /// The request field at fault, when the server named one.
    pub field: Option<String>,
}

impl ApiError {
    fn network(e: impl std::fmt::Display) -> Self {
        Self {
            status: 0,
            code: None,
            message: format!(
                "Rewind's server could not be reached ({e}). Check your connection and try again."
            ),
            field: None,
        }
    }

    pub fn is_not_found(&self) -> bool {
        self.code == Some(ErrorCode::NotFound)
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// Sends `request` and returns the body of a successful answer, or the API's error.
/// Nothing here is generic, so each route adds only its own decoding to the wasm.
async fn exchange(request: Request) -> Result<String, ApiError> {
    let response = request.send().await.map_err(ApiError::network)?;
    check_signed_in(&response)?;
    let status = response.status();
    let text = response.text().await.map_err(ApiError::network)?;
    if response.ok() {
        return Ok(text);
    }
    Err(match serde_json::from_str::<ErrorBody>(&text) {
        Ok(body) => ApiError {
            status,
            code: Some(body.error.code),
            message: body.error.message,
            field: body.error.field,
        },
        Err(_) => ApiError {
            status,
            code: None,
            message: format!("The server answered {status} {}.", response.status_text()),
            field: None,
        },
    })
}

fn decode<T: DeserializeOwned>(text: &str) -> Result<T, ApiError> {
    serde_json::from_str(text).map_err(|e| ApiError {
        status: 200,
        code: None,
        message: format!("The server's answer could not be read: {e}."),
        field: None,
    })
}

/// Adds the signed-in user's token, when there is one.
fn signed(request: RequestBuilder) -> RequestBuilder {
    match crate::auth::bearer() {
        Some(token) => request.header("Authorization", &format!("Bearer {token}")),
        None => request,
    }
}

/// A 401 means the sign-in has expired: sign in again, back to this page.
fn check_signed_in(response: &Response) -> Result<(), ApiError> {
    if response.status() == 401 {
        crate::auth::sign_in_again();
        return Err(ApiError {
            status: 401,
            code: Some(ErrorCode::Unauthenticated),
            message: "Your sign-in has expired. Signing you in again…".to_owned(),
            field: None,
        });
    }
    Ok(())
}

async fn send<T: DeserializeOwned>(request: RequestBuilder) -> Result<T, ApiError> {
    let request = signed(request).build().map_err(ApiError::network)?;
    decode(&exchange(request).await?)
}

async fn send_json<B: Serialize, T: DeserializeOwned>(
    request: RequestBuilder,
    body: &B,
) -> Result<T, ApiError> {
    let request = signed(request).json(body).map_err(ApiError::network)?;
    decode(&exchange(request).await?)
}

fn query_pairs(query: &ListQuery) -> Vec<(&'static str, String)> {
    [
        ("namePrefix", &query.name_prefix),
        ("eventSourceArn", &query.event_source_arn),
        ("state", &query.state),
        ("limit", &query.limit),
        ("nextToken", &query.next_token),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.clone().filter(|v| !v.is_empty()).map(|v| (k, v)))
    .collect()
}

pub async fn me() -> Result<shared::roles::Me, ApiError> {
    send(Request::get(&path(&["me"]))).await
}

pub async fn list_archives(query: ListQuery) -> Result<ArchiveList, ApiError> {
    send(Request::get(&path(&["archives"])).query(query_pairs(&query))).await
}

pub async fn get_archive(name: String) -> Result<Archive, ApiError> {
    send(Request::get(&path(&["archives", &name]))).await
}

pub async fn create_archive(body: CreateArchiveRequest) -> Result<ArchiveStatus, ApiError> {
    send_json(Request::post(&path(&["archives"])), &body).await
}

pub async fn update_archive(
    name: String,
    body: UpdateArchiveRequest,
) -> Result<ArchiveStatus, ApiError> {
    send_json(Request::patch(&path(&["archives", &name])), &body).await
}

pub async fn delete_archive(name: String) -> Result<(), ApiError> {
    let request = signed(Request::delete(&path(&["archives", &name])))
        .build()
        .map_err(ApiError::network)?;
    exchange(request).await.map(|_| ())
}

pub async fn list_replays(query: ListQuery) -> Result<ReplayList, ApiError> {
    send(Request::get(&path(&["replays"])).query(query_pairs(&query))).await
}

pub async fn get_replay(name: String) -> Result<Replay, ApiError> {
    send(Request::get(&path(&["replays", &name]))).await
}

pub async fn start_replay(body: StartReplayRequest) -> Result<StartReplayResponse, ApiError> {
    send_json(Request::post(&path(&["replays"])), &body).await
}

pub async fn preview_replay(body: StartReplayRequest) -> Result<ReplayPreview, ApiError> {
    send_json(Request::post(&path(&["replays", "preview"])), &body).await
}

/// The rule as rewritten comes back too; the console asks the preview again instead.
pub async fn opt_rule_out_of_replays(bus: String, rule: String) -> Result<(), ApiError> {
    let request = signed(Request::post(&path(&[
        "event-buses",
        &bus,
        "rules",
        &rule,
        "replay-opt-out",
    ])))
    .build()
    .map_err(ApiError::network)?;
    exchange(request).await.map(|_| ())
}

pub async fn start_peek(archive: String, body: StartPeekRequest) -> Result<Peek, ApiError> {
    send_json(
        Request::post(&path(&["archives", &archive, "peeks"])),
        &body,
    )
    .await
}

/// The events that arrived; `ack` confirms the previous answer's (only then do they
/// leave Rewind's queue).
pub async fn read_peek(id: String, ack: Option<String>) -> Result<PeekEvents, ApiError> {
    let mut request = Request::get(&path(&["peeks", &id]));
    if let Some(ack) = &ack {
        request = request.query([("ack", ack.as_str())]);
    }
    send(request).await
}

pub async fn stop_peek(id: String) -> Result<(), ApiError> {
    let request = signed(Request::delete(&path(&["peeks", &id])))
        .build()
        .map_err(ApiError::network)?;
    exchange(request).await.map(|_| ())
}

pub async fn cancel_replay(name: String) -> Result<CancelReplayResponse, ApiError> {
    send(Request::post(&path(&["replays", &name, "cancel"]))).await
}

/// Every event bus, following pages.
pub async fn all_event_buses() -> Result<Vec<EventBus>, ApiError> {
    let mut buses = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let mut request = Request::get(&path(&["event-buses"])).query([("limit", "100")]);
        if let Some(t) = &token {
            request = request.query([("nextToken", t.as_str())]);
        }
        let page: EventBusList = send(request).await?;
        buses.extend(page.event_buses);
        match page.next_token {
            Some(next) => token = Some(next),
            None => return Ok(buses),
        }
    }
}

/// Every archive (for the replay form's picker), following pages.
pub async fn all_archives() -> Result<Vec<shared::archive::ArchiveSummary>, ApiError> {
    let mut archives = Vec::new();
    let mut query = ListQuery {
        limit: Some("100".into()),
        ..Default::default()
    };
    loop {
        let page = list_archives(query.clone()).await?;
        archives.extend(page.archives);
        match page.next_token {
            Some(next) => query.next_token = Some(next),
            None => return Ok(archives),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::path;

    #[test]
    fn each_segment_is_encoded_on_its_own() {
        assert_eq!(
            path(&["event-buses", "aws.partner/vendor/x", "rules"]),
            "/api/event-buses/aws.partner%2Fvendor%2Fx/rules"
        );
        assert_eq!(
            path(&["archives", "orders-all_2.v~1"]),
            "/api/archives/orders-all_2.v~1"
        );
        assert_eq!(
            path(&["archives", "a b?#%é"]),
            "/api/archives/a%20b%3F%23%25%C3%A9"
        );
        assert_eq!(path(&["me"]), "/api/me");
    }
}
