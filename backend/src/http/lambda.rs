//! Under Lambda: one binary, two kinds of event. API Gateway's HTTP API events go through
//! `lambda_http`'s adapter into the router (as `lambda_http::run` would); the template's
//! schedule sends an EventBridge `Scheduled Event`, which runs the sweep
//! (`crate::leftovers`). Nothing Lambda-specific reaches a handler.

use crate::http::{AppState, api_router};
use lambda_http::request::LambdaRequest;
use lambda_http::{Adapter, Error, LambdaEvent, Service, lambda_runtime, service_fn};
use serde_json::Value;
use std::time::Duration;

/// The sweep's share of the function's 15 s timeout.
const SWEEP_BUDGET: Duration = Duration::from_secs(12);

/// Serves Lambda's events until the runtime stops.
pub async fn run(state: AppState) -> Result<(), Error> {
    let handler = LambdaHandler::new(state);
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| {
        let handler = handler.clone();
        async move { handler.handle(event).await }
    }))
    .await
}

/// What answers one Lambda event: the router, built once, and the state the sweep uses.
#[derive(Clone)]
pub struct LambdaHandler {
    state: AppState,
    http: Adapter<'static, axum::response::Response, axum::Router>,
}

impl LambdaHandler {
    pub fn new(state: AppState) -> Self {
        Self {
            http: Adapter::from(api_router(state.clone())),
            state,
        }
    }

    /// A scheduled event sweeps (and answers its report); any other is an HTTP API
    /// request (and answers API Gateway's response).
    pub async fn handle(&self, event: LambdaEvent<Value>) -> Result<Value, Error> {
        let LambdaEvent { payload, context } = event;
        if crate::leftovers::is_scheduled_event(&payload) {
            let report = crate::leftovers::sweep(&self.state, SWEEP_BUDGET).await;
            return Ok(serde_json::to_value(report)?);
        }
        let request: LambdaRequest = serde_json::from_value(payload)?;
        let mut http = self.http.clone();
        let response = match http.call(LambdaEvent::new(request, context)).await {
            Ok(response) => response,
            Err(never) => match never {},
        };
        Ok(serde_json::to_value(response)?)
    }
}
