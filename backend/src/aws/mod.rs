//! The AWS adapters: one module per service Rewind calls (EventBridge, SQS, CloudWatch
//! metrics and Logs, Step Functions, DynamoDB), each a thin layer of methods over the SDK
//! that answers typed failures (`error`), plus what every client shares: the SDK
//! configuration (the usual chain, or an emulator), retries and timeouts, and the record
//! of each call for the audit trail (`calls`). Nothing here knows about HTTP, callers or
//! teams: who may see what is the request context's policy (`crate::context`).

pub mod calls;
pub mod cloudwatch;
pub mod dynamodb;
pub mod error;
pub mod eventbridge;
pub mod eventbridgev2;
pub mod logs;
pub mod sqs;
pub mod stepfunctions;

use crate::configuration::Settings;
use aws_sdk_eventbridge::config::retry::RetryConfig;
use aws_sdk_eventbridge::config::timeout::TimeoutConfig;
use aws_sdk_eventbridge::config::{Credentials, Region};
use std::sync::{Arc, LazyLock};
use std::time::Duration;

/// The region used against an emulator when none is configured.
const EMULATOR_REGION: &str = "us-east-1";

/// The AWS settings every client of Rewind's shares: the usual chain, or an emulator.
pub async fn sdk_config(settings: &Settings) -> aws_config::SdkConfig {
    let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest());
    if let Some(endpoint) = &settings.eventbridge_endpoint {
        loader = loader.endpoint_url(endpoint);
        // An emulator accepts any credentials; without this the SDK would probe the
        // instance metadata service for them and for a region, which takes seconds.
        if std::env::var_os("AWS_ACCESS_KEY_ID").is_none() {
            loader = loader.credentials_provider(Credentials::new(
                "rewind-local",
                "rewind-local",
                None,
                None,
                "rewind-emulator",
            ));
        }
        if std::env::var_os("AWS_REGION").is_none()
            && std::env::var_os("AWS_DEFAULT_REGION").is_none()
        {
            loader = loader.region(Region::new(EMULATOR_REGION));
        }
    }
    loader.load().await
}

/// Three attempts with short backoff: persistent throttling surfaces as 429 well inside
/// the operation timeout instead of as a timeout.
pub fn retries() -> RetryConfig {
    RetryConfig::standard()
        .with_max_attempts(3)
        .with_initial_backoff(Duration::from_millis(100))
        .with_max_backoff(Duration::from_secs(1))
}

/// A stalled attempt is abandoned and retried while the operation still has time left;
/// the whole call never outlasts the operation timeout.
pub fn timeouts(settings: &Settings) -> TimeoutConfig {
    TimeoutConfig::builder()
        .connect_timeout(settings.connect_timeout)
        .operation_attempt_timeout(settings.operation_timeout / 2)
        .operation_timeout(settings.operation_timeout)
        .build()
}

/// Every item of a paged list call: `page` fetches the page after a token (None: the
/// first) and answers its items and the next token; pages are read until none is left
/// (an empty token is none, as some emulators send it).
pub async fn all_pages<T, E, F, Page>(mut page: F) -> Result<Vec<T>, E>
where
    F: FnMut(Option<String>) -> Page,
    Page: Future<Output = Result<(Vec<T>, Option<String>), E>>,
{
    let mut items = Vec::new();
    let mut token = None;
    loop {
        let (batch, next) = page(token).await?;
        items.extend(batch);
        match next.filter(|t| !t.is_empty()) {
            Some(next) => token = Some(next),
            None => return Ok(items),
        }
    }
}

/// A client built on first use: the process answers before it has built a client for
/// a service no request has needed yet (cold start, issue 38), and a request pays only
/// for the services it calls. Dereferences to the client.
#[derive(Clone)]
pub struct Lazy<C>(Arc<LazyLock<C, Box<dyn FnOnce() -> C + Send>>>);

impl<C> Lazy<C> {
    pub fn new(build: impl FnOnce() -> C + Send + 'static) -> Self {
        Self(Arc::new(LazyLock::new(Box::new(build))))
    }
}

impl<C> std::ops::Deref for Lazy<C> {
    type Target = C;
    fn deref(&self) -> &C {
        &self.0
    }
}

impl<C> std::fmt::Debug for Lazy<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Lazy(client)")
    }
}

/// One SDK's client from the configuration every client shares, built the same way for
/// every service: Rewind's retries and timeouts, and the record of each call. Built on
/// first use ([`Lazy`]), or now with `eager` (EventBridge, which nearly every request
/// calls).
macro_rules! client {
    (@build $sdk:ident, $shared:expr, $timeouts:expr) => {
        $sdk::Client::from_conf(
            $sdk::config::Builder::from($shared)
                .retry_config($crate::aws::retries())
                .timeout_config($timeouts)
                .interceptor($crate::aws::calls::RecordCalls)
                .build(),
        )
    };
    (eager $sdk:ident, $shared:expr, $settings:expr) => {
        $crate::aws::client!(@build $sdk, $shared, $crate::aws::timeouts($settings))
    };
    ($sdk:ident, $shared:expr, $settings:expr) => {{
        let shared: aws_config::SdkConfig = ::std::clone::Clone::clone($shared);
        let timeouts = $crate::aws::timeouts($settings);
        $crate::aws::Lazy::new(move || $crate::aws::client!(@build $sdk, &shared, timeouts))
    }};
}
pub(crate) use client;

#[cfg(test)]
mod tests {
    use super::*;

    /// Settings against an emulator at `endpoint` (no call reaches it here).
    pub(crate) fn emulator_settings(vars: &[(&str, &str)]) -> Settings {
        Settings::from_lookup(|name| {
            vars.iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| (*value).to_owned())
        })
        .expect("settings")
    }

    /// A client's configuration is checked when the client is built, which is now its
    /// first call: each builds here as Rewind configures it, so a configuration the SDK
    /// refuses fails a test, not the first request that needs the service.
    #[tokio::test]
    async fn every_lazy_client_builds() {
        let settings = emulator_settings(&[("REWIND_EVENTBRIDGE_ENDPOINT", "http://127.0.0.1:9")]);
        let shared = sdk_config(&settings).await;
        assert!(
            client!(aws_sdk_sqs, &shared, &settings)
                .config()
                .region()
                .is_some()
        );
        assert!(
            client!(aws_sdk_sfn, &shared, &settings)
                .config()
                .region()
                .is_some()
        );
        assert!(
            client!(aws_sdk_cloudwatch, &shared, &settings)
                .config()
                .region()
                .is_some()
        );
        assert!(
            client!(aws_sdk_cloudwatchlogs, &shared, &settings)
                .config()
                .region()
                .is_some()
        );
        assert!(
            client!(aws_sdk_dynamodb, &shared, &settings)
                .config()
                .region()
                .is_some()
        );
    }
}
