//! The typed client of Rewind's HTTP API: one function per route, shared DTOs in and
//! out. Pages never build URLs by hand.

use gloo_net::http::{Method, Request, RequestBuilder, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;
use shared::archive::{
    Archive, ArchiveList, ArchiveStatus, CreateArchiveRequest, UpdateArchiveRequest,
};
use shared::endpoints::{self, Operation};
use shared::event_bus::{EventBus, EventBusList};
use shared::job::{ReplayJob, ReplayJobList, StartReplayJobRequest};
use shared::list::ListQuery;
use shared::peek::{Peek, PeekEvents, StartPeekRequest};
use shared::preview::ReplayPreview;
use shared::replay::{Replay, ReplayList, StartReplayRequest, StartReplayResponse};
use shared::report::ReplayReport;
use shared::v2::{
    StartV2ReplayRequest, V2EventBus, V2EventBusList, V2Replay, V2ReplayList, V2Subscriber,
    V2SubscriberList,
};
use shared::{ErrorBody, ErrorCode};

/// The request for `operation`, its path parameters filled in (`shared::endpoints`: the
/// one table of methods and paths, which the backend's routes are checked against).
/// Every call below starts here; no path is written in the console.
fn request(operation: Operation, params: &[&str]) -> RequestBuilder {
    let method = match operation.method() {
        endpoints::Method::Get => Method::GET,
        endpoints::Method::Post => Method::POST,
        endpoints::Method::Patch => Method::PATCH,
        endpoints::Method::Delete => Method::DELETE,
    };
    // Each call below passes its template's parameters, in order; a mismatch would send
    // the bare template, which the server answers 404 (and the browser tests fail on).
    let path = operation
        .path(params)
        .unwrap_or_else(|| operation.path_template().to_owned());
    let builder = RequestBuilder::new(&path).method(method);
    if operation.method() == endpoints::Method::Get {
        aborted_on_cleanup(builder)
    } else {
        // A change the user asked for is not abandoned by leaving its page.
        builder
    }
}

/// A read is aborted when whatever asked for it goes away (a page left, a resource
/// asking again), as Leptos's hackernews example does: a page left mid-load stops its
/// downloads instead of finishing them for no one.
fn aborted_on_cleanup(builder: RequestBuilder) -> RequestBuilder {
    let Ok(controller) = web_sys::AbortController::new() else {
        return builder;
    };
    let builder = builder.abort_signal(Some(&controller.signal()));
    let controller = send_wrapper::SendWrapper::new(controller);
    leptos::prelude::on_cleanup(move || controller.abort());
    builder
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
    send(request(Operation::Me, &[])).await
}

pub async fn now() -> Result<shared::now::Now, ApiError> {
    send(request(Operation::Now, &[])).await
}

pub async fn list_archives(query: ListQuery) -> Result<ArchiveList, ApiError> {
    send(request(Operation::ListArchives, &[]).query(query_pairs(&query))).await
}

pub async fn get_archive(name: String) -> Result<Archive, ApiError> {
    send(request(Operation::DescribeArchive, &[&name])).await
}

pub async fn create_archive(body: CreateArchiveRequest) -> Result<ArchiveStatus, ApiError> {
    send_json(request(Operation::CreateArchive, &[]), &body).await
}

pub async fn update_archive(
    name: String,
    body: UpdateArchiveRequest,
) -> Result<ArchiveStatus, ApiError> {
    send_json(request(Operation::UpdateArchive, &[&name]), &body).await
}

pub async fn list_replays(query: ListQuery) -> Result<ReplayList, ApiError> {
    send(request(Operation::ListReplays, &[]).query(query_pairs(&query))).await
}

pub async fn get_replay(name: String) -> Result<Replay, ApiError> {
    send(request(Operation::DescribeReplay, &[&name])).await
}

pub async fn start_replay(body: StartReplayRequest) -> Result<StartReplayResponse, ApiError> {
    send_json(request(Operation::StartReplay, &[]), &body).await
}

pub async fn preview_replay(body: StartReplayRequest) -> Result<ReplayPreview, ApiError> {
    send_json(request(Operation::PreviewReplay, &[]), &body).await
}

/// The rule as rewritten comes back too; the console asks the preview again instead.
pub async fn opt_rule_out_of_replays(bus: String, rule: String) -> Result<(), ApiError> {
    let request = signed(request(Operation::OptRuleOutOfReplays, &[&bus, &rule]))
        .build()
        .map_err(ApiError::network)?;
    exchange(request).await.map(|_| ())
}

pub async fn start_peek(archive: String, body: StartPeekRequest) -> Result<Peek, ApiError> {
    send_json(request(Operation::StartPeek, &[&archive]), &body).await
}

/// The events that arrived; `ack` confirms the previous answer's (only then do they
/// leave Rewind's queue).
pub async fn read_peek(id: String, ack: Option<String>) -> Result<PeekEvents, ApiError> {
    let mut request = request(Operation::ReadPeek, &[&id]);
    if let Some(ack) = &ack {
        request = request.query([("ack", ack.as_str())]);
    }
    send(request).await
}

pub async fn stop_peek(id: String) -> Result<(), ApiError> {
    act_on(Operation::StopPeek, id).await
}

/// A page of replay jobs: the jobs route filters by state only.
pub async fn list_jobs(query: ListQuery) -> Result<ReplayJobList, ApiError> {
    send(request(Operation::ListReplayJobs, &[]).query(state_and_token(query))).await
}

pub async fn get_job(name: String) -> Result<ReplayJob, ApiError> {
    send(request(Operation::DescribeReplayJob, &[&name])).await
}

pub async fn start_job(body: StartReplayJobRequest) -> Result<ReplayJob, ApiError> {
    send_json(request(Operation::StartReplayJob, &[]), &body).await
}

/// Pause, resume or cancel (`operation`) the job `name`.
pub async fn change_job(operation: Operation, name: String) -> Result<ReplayJob, ApiError> {
    send(request(operation, &[&name])).await
}

/// `operation` on `name`, without a body (cancel a replay or a job, delete an archive);
/// what it answers is not needed, the page reads the thing again.
pub async fn act_on(operation: Operation, name: String) -> Result<(), ApiError> {
    let request = signed(request(operation, &[&name]))
        .build()
        .map_err(ApiError::network)?;
    exchange(request).await.map(|_| ())
}

/// Did the targets get it: the report (`operation`: of a replay, a job or a v2 replay)
/// of `name`.
pub async fn report(name: String, operation: Operation) -> Result<ReplayReport, ApiError> {
    send(request(operation, &[&name])).await
}

/// Every event bus, following pages.
/// One bus by its ARN (its name is what follows `event-bus/`), with its KMS key.
pub async fn get_event_bus(arn: String) -> Result<shared::event_bus::EventBusDetail, ApiError> {
    let name = crate::format::arn_name(&arn);
    send(request(Operation::DescribeEventBus, &[name])).await
}

pub async fn all_event_buses() -> Result<Vec<EventBus>, ApiError> {
    let mut buses = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let mut request = request(Operation::ListEventBuses, &[]).query([("limit", "100")]);
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

/// The state filter and the page token, the only query the jobs and v2 replays take.
fn state_and_token(query: ListQuery) -> Vec<(&'static str, String)> {
    [("state", query.state), ("nextToken", query.next_token)]
        .into_iter()
        .filter_map(|(k, v)| v.filter(|v| !v.is_empty()).map(|v| (k, v)))
        .collect()
}

/// A page of Custom Event Buses (v2).
pub async fn list_v2_buses(token: Option<String>) -> Result<V2EventBusList, ApiError> {
    let query = ListQuery {
        next_token: token,
        ..Default::default()
    };
    send(request(Operation::ListV2EventBuses, &[]).query(state_and_token(query))).await
}

/// The Custom Event Bus `name` (the API describes none alone: it is found in the list).
pub async fn get_v2_bus(name: String) -> Result<V2EventBus, ApiError> {
    all_v2_buses()
        .await?
        .into_iter()
        .find(|b| b.name == name)
        .ok_or_else(|| ApiError {
            status: 404,
            code: Some(ErrorCode::NotFound),
            message: format!("There is no Custom Event Bus named {name}."),
            field: None,
        })
}

/// Every Custom Event Bus (for the replay form's picker), following pages.
pub async fn all_v2_buses() -> Result<Vec<V2EventBus>, ApiError> {
    let mut buses = Vec::new();
    let mut token = None;
    loop {
        let page = list_v2_buses(token).await?;
        buses.extend(page.event_buses);
        token = page.next_token;
        if token.is_none() {
            return Ok(buses);
        }
    }
}

/// A page of the subscribers of Custom Event Bus `bus`.
pub async fn list_v2_subscribers(
    bus: String,
    token: Option<String>,
) -> Result<V2SubscriberList, ApiError> {
    let query = ListQuery {
        next_token: token,
        ..Default::default()
    };
    send(request(Operation::ListV2Subscribers, &[&bus]).query(state_and_token(query))).await
}

/// Every subscriber of `bus`, following pages.
pub async fn all_v2_subscribers(bus: String) -> Result<Vec<V2Subscriber>, ApiError> {
    let mut subscribers = Vec::new();
    let mut token = None;
    loop {
        let page = list_v2_subscribers(bus.clone(), token).await?;
        subscribers.extend(page.subscribers);
        token = page.next_token;
        if token.is_none() {
            return Ok(subscribers);
        }
    }
}

/// The v2 replays (the route filters by state only).
pub async fn list_v2_replays(query: ListQuery) -> Result<V2ReplayList, ApiError> {
    send(request(Operation::ListV2Replays, &[]).query(state_and_token(query))).await
}

pub async fn start_v2_replay(body: StartV2ReplayRequest) -> Result<V2Replay, ApiError> {
    send_json(request(Operation::StartV2Replay, &[]), &body).await
}

pub async fn get_v2_replay(name: String) -> Result<V2Replay, ApiError> {
    send(request(Operation::DescribeV2Replay, &[&name])).await
}

/// Pause or resume (`operation`) the v2 replay `name`; stopping it is `act_on`'s.
pub async fn change_v2_replay(operation: Operation, name: String) -> Result<V2Replay, ApiError> {
    send(request(operation, &[&name])).await
}
