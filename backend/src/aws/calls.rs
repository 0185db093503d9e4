//! The AWS calls a request made, with the request id AWS gave each: an SDK interceptor
//! on the EventBridge and SQS clients adds every finished call to the list of the
//! request being served (a task-local the audit trail sets around each request), so the
//! outcome record names every EventBridge request id — what CloudTrail shows.

use aws_sdk_eventbridge::config::ConfigBag;
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::FinalizerInterceptorContextRef;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use serde::Serialize;
use std::future::Future;
use std::sync::{Arc, Mutex};

/// One AWS call, as made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UpstreamCall {
    /// `EventBridge`, `SQS`.
    pub service: String,
    /// `StartReplay`, `PutRule`, …
    pub operation: String,
    /// AWS's request id (`x-amzn-RequestId`), when an answer came.
    pub request_id: Option<String>,
    /// The HTTP status of the answer; none when no answer came (a timeout).
    pub status: Option<u16>,
}

/// The calls of one request, in the order they finished.
#[derive(Debug, Clone, Default)]
pub struct UpstreamCalls(Arc<Mutex<Vec<UpstreamCall>>>);

impl UpstreamCalls {
    pub fn taken(&self) -> Vec<UpstreamCall> {
        self.0.lock().map(|c| c.clone()).unwrap_or_default()
    }

    fn push(&self, call: UpstreamCall) {
        if let Ok(mut calls) = self.0.lock() {
            calls.push(call);
        }
    }
}

tokio::task_local! {
    static CURRENT: UpstreamCalls;
}

/// Runs `future` with its AWS calls collected in `calls`.
pub async fn collecting<F: Future>(calls: UpstreamCalls, future: F) -> F::Output {
    CURRENT.scope(calls, future).await
}

/// The interceptor to register on each client whose calls are audited.
#[derive(Debug, Clone, Copy, Default)]
pub struct RecordCalls;

impl Intercept for RecordCalls {
    fn name(&self) -> &'static str {
        "RecordCallsForTheAuditTrail"
    }

    fn read_after_execution(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let (service, operation) = cfg
            .load::<Metadata>()
            .map(|m| (m.service().to_owned(), m.name().to_owned()))
            .unwrap_or_default();
        let response = context.response();
        let call = UpstreamCall {
            service,
            operation,
            request_id: response.and_then(|r| {
                ["x-amzn-requestid", "x-amz-request-id"]
                    .iter()
                    .find_map(|h| r.headers().get(*h))
                    .map(str::to_owned)
            }),
            status: response.map(|r| r.status().as_u16()),
        };
        // Outside a request (start-up, tests of the seam alone) nothing is collected.
        let _ = CURRENT.try_with(|calls| calls.push(call));
        Ok(())
    }
}
