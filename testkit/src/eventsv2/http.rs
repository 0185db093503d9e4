//! The wire: smithy RPC v2 CBOR as `aws-sdk-eventbridgev2` 1.7.0 and botocore 1.44.18 speak
//! it — `POST /service/AWSEventsV2/operation/{Operation}` with `smithy-protocol:
//! rpc-v2-cbor`, a CBOR map body (`Content-Type: application/cbor`), timestamps as tag 1
//! epoch seconds; answers carry the same header and content type, `x-amzn-requestid`, and
//! errors are a map of `__type` (the error's shape name) and `Message`, with the status of
//! the model's `error.httpStatusCode`. Beside it, `/_eventsv2/…` lets tests and people see
//! and steer the stand-in (none of it is AWS).

use super::cbor;
use super::model::{ApiError, model};
use super::service::{self, Caller};
use super::state::{Fault, Shared};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};

pub const CONTENT_TYPE: &str = "application/cbor";
pub const PROTOCOL: &str = "rpc-v2-cbor";
/// The requests kept for [`super::EventsV2::calls`] (the oldest tenth goes when full).
const MAX_CALLS_KEPT: usize = 10_000;

pub fn router(shared: Shared) -> Router {
    Router::new()
        .route("/service/{service}/operation/{operation}", post(rpc))
        .route("/_eventsv2/health", get(|| async { "ok" }))
        .route("/_eventsv2/state", get(state_view))
        .route("/_eventsv2/reset", post(reset))
        .route("/_eventsv2/faults", post(faults))
        .route("/_eventsv2/clock", post(clock))
        .fallback(|| async {
            error_response(&ApiError::new(
                "UnknownOperationException",
                "Not an operation of AWSEventsV2 (POST /service/AWSEventsV2/operation/{Operation}).",
            ))
        })
        // PutEvents carries up to 1 MiB of entries; a bigger body still gets the model's
        // answer (InvalidInputException), not axum's 413.
        .layer(axum::extract::DefaultBodyLimit::max(8 * 1024 * 1024))
        .with_state(shared)
}

/// The caller's account: the SigV4 access key id when it is 12 digits (`assumptions`
/// "accounts").
fn caller(headers: &HeaderMap, default: &str) -> Caller {
    let key = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|a| a.split("Credential=").nth(1))
        .and_then(|c| c.split('/').next())
        .filter(|k| k.len() == 12 && k.bytes().all(|b| b.is_ascii_digit()));
    Caller {
        account: key.unwrap_or(default).to_owned(),
    }
}

async fn rpc(
    State(shared): State<Shared>,
    Path((service, operation)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let model = match model() {
        Ok(m) => m,
        Err(e) => return error_response(&e),
    };
    let known = service == model.metadata("targetPrefix").unwrap_or_default();
    let Some(op) = model.operation(&operation).filter(|_| known) else {
        return error_response(&ApiError::new(
            "UnknownOperationException",
            format!("{service} has no operation {operation}."),
        ));
    };
    if headers.get("smithy-protocol").and_then(|v| v.to_str().ok()) != Some(PROTOCOL) {
        return error_response(&ApiError::invalid(format!(
            "A request must carry the header smithy-protocol: {PROTOCOL}."
        )));
    }
    let input_shape = op.input.clone().unwrap_or_default();
    let input = match cbor::decode(&body).and_then(|item| model.read(&item, &input_shape, "")) {
        Ok(input) => input,
        Err(e) => {
            return error_response(&ApiError::invalid(format!(
                "The request body is not a valid {input_shape}: {e}"
            )));
        }
    };
    let mut problems = Vec::new();
    model.check(&input_shape, &input, "", &mut problems);
    let Ok(mut state) = shared.lock() else {
        return error_response(&ApiError::internal("the stand-in's state is poisoned"));
    };
    if state.calls.len() >= MAX_CALLS_KEPT {
        state.calls.drain(..MAX_CALLS_KEPT / 10);
    }
    state.calls.push((operation.clone(), input.clone()));
    let publish = matches!(operation.as_str(), "PutEvents" | "PutRawEvents");
    if !problems.is_empty() {
        if publish {
            service::refused_publish(&mut state, &input, "InvalidInputException");
        }
        return error_response(&ApiError::invalid(format!(
            "{} validation error{} detected: {}",
            problems.len(),
            if problems.len() == 1 { "" } else { "s" },
            problems.join("; ")
        )));
    }
    if let Some(fault) = state
        .faults
        .iter_mut()
        .find(|f| f.times > 0 && f.operation.as_deref().is_none_or(|o| o == operation))
    {
        fault.times -= 1;
        let error = ApiError::new(&fault.code, fault.message.clone());
        state.faults.retain(|f| f.times > 0);
        if publish {
            service::refused_publish(&mut state, &input, &error.code);
        }
        return error_response(&error);
    }
    let caller = caller(&headers, &state.config.account);
    let answer = service::call(&mut state, &caller, &operation, &input);
    let strict = state.config.strict;
    match answer {
        Ok(output) => {
            let output_shape = op.output.clone().unwrap_or_default();
            match model.write(&output_shape, &output) {
                Ok(item) => cbor_response(StatusCode::OK, cbor::encode(&item)),
                Err(problems) => {
                    let message = format!(
                        "{operation}: the stand-in's answer does not fit {output_shape}: {}",
                        problems.join("; ")
                    );
                    eprintln!("rewind-eventsv2: {message}");
                    state.violations.push(message.clone());
                    if strict {
                        error_response(&ApiError::internal(message))
                    } else {
                        cbor_response(StatusCode::OK, cbor::encode(&cbor::Item::Map(Vec::new())))
                    }
                }
            }
        }
        Err(error) => {
            if model.shape(&error.code).is_some() && !op.errors.contains(&error.code) {
                let message = format!(
                    "{operation}: the stand-in answered {}, which the model does not list for this operation",
                    error.code
                );
                eprintln!("rewind-eventsv2: {message}");
                state.violations.push(message);
            }
            error_response(&error)
        }
    }
}

fn cbor_response(status: StatusCode, body: Vec<u8>) -> Response {
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert("content-type", HeaderValue::from_static(CONTENT_TYPE));
    headers.insert("smithy-protocol", HeaderValue::from_static(PROTOCOL));
    if let Ok(id) = HeaderValue::from_str(&super::state::uuid()) {
        headers.insert("x-amzn-requestid", id);
    }
    response
}

/// An error as smithy RPC v2 CBOR writes it: `{"__type": code, "Message": message}`.
pub fn error_response(error: &ApiError) -> Response {
    let body = cbor::Item::Map(vec![
        (
            cbor::Item::Text("__type".into()),
            cbor::Item::Text(error.code.clone()),
        ),
        (
            cbor::Item::Text("Message".into()),
            cbor::Item::Text(error.message.clone()),
        ),
    ]);
    let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::BAD_REQUEST);
    cbor_response(status, cbor::encode(&body))
}

async fn state_view(State(shared): State<Shared>) -> Response {
    match shared.lock() {
        Ok(mut state) => axum::Json(service::snapshot(&mut state)).into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

async fn reset(State(shared): State<Shared>) -> StatusCode {
    match shared.lock() {
        Ok(mut state) => {
            state.reset();
            StatusCode::NO_CONTENT
        }
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// `{"operation"?: "PutEvents", "error": "ThrottlingException", "message"?: "…", "times"?: 1}`
async fn faults(State(shared): State<Shared>, axum::Json(body): axum::Json<Value>) -> Response {
    let Some(code) = body.get("error").and_then(Value::as_str) else {
        return (StatusCode::BAD_REQUEST, "error (an error code) is required").into_response();
    };
    let operation = body.get("operation").and_then(Value::as_str);
    if let (Ok(model), Some(operation)) = (model(), operation) {
        let listed = model
            .operation(operation)
            .is_some_and(|op| op.errors.iter().any(|e| e == code));
        if model.shape(code).is_some() && !listed {
            return (
                StatusCode::BAD_REQUEST,
                format!("the model does not list {code} for {operation}"),
            )
                .into_response();
        }
    }
    let fault = Fault {
        operation: body
            .get("operation")
            .and_then(Value::as_str)
            .map(str::to_owned),
        code: code.to_owned(),
        message: body
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or("injected by the test (rewind-eventsv2 /_eventsv2/faults)")
            .to_owned(),
        times: body
            .get("times")
            .and_then(Value::as_u64)
            .and_then(|t| u32::try_from(t).ok())
            .unwrap_or(1),
    };
    match shared.lock() {
        Ok(mut state) => {
            state.faults.push(fault);
            StatusCode::NO_CONTENT.into_response()
        }
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// `{"advanceSeconds": n}`: moves the stand-in's clock forward (retention, windows).
async fn clock(State(shared): State<Shared>, axum::Json(body): axum::Json<Value>) -> Response {
    let Some(seconds) = body.get("advanceSeconds").and_then(Value::as_f64) else {
        return (StatusCode::BAD_REQUEST, "advanceSeconds is required").into_response();
    };
    match shared.lock() {
        Ok(mut state) => {
            state.clock_offset_ms += (seconds * 1000.0) as i64;
            let now = state.now_ms();
            axum::Json(json!({"now": service::iso(now, true)})).into_response()
        }
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}
