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
        if is_scheduled_event(&payload) {
            let report = crate::leftovers::sweep(&self.state.sweep_ctx(), SWEEP_BUDGET).await;
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

/// Whether a Lambda payload is the template's scheduled sweep (an EventBridge
/// `Scheduled Event`), not an HTTP API request.
pub fn is_scheduled_event(payload: &serde_json::Value) -> bool {
    payload.get("source").and_then(|s| s.as_str()) == Some("aws.events")
        && payload.get("detail-type").and_then(|s| s.as_str()) == Some("Scheduled Event")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_schedules_event_is_a_sweep() {
        let scheduled = serde_json::json!({
            "version": "0", "id": "89d1a02d", "detail-type": "Scheduled Event",
            "source": "aws.events", "account": "123456789012", "time": "2026-12-02T00:00:00Z",
            "region": "us-east-1", "resources": ["arn:aws:events:us-east-1:123456789012:rule/sweep"],
            "detail": {}
        });
        assert!(is_scheduled_event(&scheduled));
        let mut other = scheduled.clone();
        other["source"] = serde_json::json!("shop.orders");
        assert!(!is_scheduled_event(&other));
        assert!(!is_scheduled_event(
            &serde_json::json!({"version": "2.0", "rawPath": "/api/me"})
        ));
    }
}
