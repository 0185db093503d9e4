//! The Custom Event Bus (`eventsv2`, 2025-05-15) through `aws-sdk-eventbridgev2`: its
//! buses, their subscribers, and the temporary point-in-time subscribers a v2 replay is
//! made of. Thin methods over the SDK that answer `shared` DTOs or [`Subscriber`], and
//! typed [`AwsError`]s; who may see or change what is the use-case's (`crate::v2`).
//!
//! `REWIND_EVENTBRIDGEV2_ENDPOINT` points it at the stand-in (`rewind-eventsv2`), as no
//! emulator models the service.

use crate::aws::error::{AwsError, Service};
use crate::configuration::Settings;
use aws_sdk_eventbridgev2::Client;
use aws_sdk_eventbridgev2::operation::describe_subscriber::DescribeSubscriberOutput;
use aws_sdk_eventbridgev2::primitives::DateTime;
use aws_sdk_eventbridgev2::types as aws;
use shared::v2::{StartingPosition, SubscriberState, V2BusState, V2EventBus};
use std::collections::HashMap;
use time::OffsetDateTime;

fn from_sdk<E, R>(err: aws_sdk_eventbridgev2::error::SdkError<E, R>) -> AwsError
where
    E: aws_sdk_eventbridgev2::error::ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
    aws_sdk_eventbridgev2::error::SdkError<E, R>: aws_sdk_eventbridgev2::operation::RequestId,
{
    AwsError::from_sdk(Service::EventBridgeV2, err)
}

fn missing(field: &'static str) -> AwsError {
    AwsError::missing(Service::EventBridgeV2, field)
}

fn to_time(t: &DateTime) -> Result<OffsetDateTime, AwsError> {
    OffsetDateTime::from_unix_timestamp_nanos(
        i128::from(t.secs()) * 1_000_000_000 + i128::from(t.subsec_nanos()),
    )
    .map_err(|e| AwsError::unreadable(Service::EventBridgeV2, format!("a time: {e}")))
}

fn to_aws_time(t: OffsetDateTime) -> DateTime {
    DateTime::from_secs(t.unix_timestamp())
}

/// A subscriber as a list shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct SubscriberRow {
    pub arn: String,
    pub name: String,
    pub bus_arn: String,
    pub target_arn: String,
    pub ordering: String,
    pub state: SubscriberState,
    pub revoked: bool,
    /// The account it belongs to (a shared bus lists other accounts' subscribers).
    pub account: Option<String>,
}

/// A subscriber as described: everything a copy of it needs.
#[derive(Debug, Clone)]
pub struct Subscriber(DescribeSubscriberOutput);

impl Subscriber {
    pub fn arn(&self) -> &str {
        self.0.subscriber_arn().unwrap_or_default()
    }
    pub fn name(&self) -> &str {
        self.0.name().unwrap_or_default()
    }
    pub fn bus_arn(&self) -> &str {
        self.0.event_bus_arn().unwrap_or_default()
    }
    pub fn description(&self) -> Option<&str> {
        self.0.description().filter(|d| !d.is_empty())
    }
    pub fn revoked(&self) -> bool {
        self.0.revoked().unwrap_or(false)
    }
    pub fn state(&self) -> SubscriberState {
        match self.0.state() {
            Some(aws::SubscriberState::Running) => SubscriberState::Running,
            _ => SubscriberState::Stopped,
        }
    }
    pub fn starting_position(&self) -> StartingPosition {
        match self.0.starting_position() {
            Some(aws::StartingPosition::PointInTime) => StartingPosition::PointInTime,
            _ => StartingPosition::Latest,
        }
    }
    pub fn target_arn(&self) -> &str {
        self.0
            .invoke_configuration()
            .map(|c| c.target_arn())
            .unwrap_or_default()
    }
    pub fn role_arn(&self) -> Option<&str> {
        self.0.invoke_configuration().map(|c| c.role_arn())
    }
    /// Its filter's patterns, one per line (None: it takes every event).
    pub fn filter(&self) -> Option<String> {
        let filters = self.0.filter_configuration()?.filters();
        (!filters.is_empty()).then(|| {
            filters
                .iter()
                .map(|f| f.pattern())
                .collect::<Vec<_>>()
                .join("\n")
        })
    }
    /// Where events go once retries run out.
    pub fn failure_destination(&self) -> Option<&str> {
        self.0
            .on_failure_configuration()
            .and_then(|c| c.arn())
            .filter(|a| !a.is_empty())
    }

    /// Where a point-in-time subscriber stops reading.
    pub fn end_point(&self) -> Option<OffsetDateTime> {
        self.0
            .point_in_time_configuration()
            .and_then(|p| p.end_point())
            .and_then(|t| to_time(t).ok())
    }
    pub fn created(&self) -> Option<OffsetDateTime> {
        self.0.creation_time().and_then(|t| to_time(t).ok())
    }
    pub fn last_modified(&self) -> Option<OffsetDateTime> {
        self.0.last_modified_time().and_then(|t| to_time(t).ok())
    }
}

/// What a temporary subscriber is: a copy of `source` reading `start`–`end` of its bus.
pub struct Copy<'a> {
    pub source: &'a Subscriber,
    pub name: &'a str,
    pub description: Option<&'a str>,
    pub start: OffsetDateTime,
    pub end: OffsetDateTime,
    pub tags: HashMap<String, String>,
}

/// A clonable handle on the `eventsv2` client.
#[derive(Clone, Debug)]
pub struct EventBridgeV2 {
    client: crate::aws::Lazy<Client>,
    /// False against an emulator without the stand-in: nothing to read or sweep.
    configured: bool,
}

impl EventBridgeV2 {
    pub fn from_settings(sdk_config: &aws_config::SdkConfig, settings: &Settings) -> Self {
        let mut config = aws_sdk_eventbridgev2::config::Builder::from(sdk_config)
            .retry_config(crate::aws::retries())
            .timeout_config(crate::aws::timeouts(settings))
            .interceptor(crate::aws::calls::RecordCalls);
        // The stand-in, when set; otherwise the shared configuration's (real AWS, or the
        // classic emulator's endpoint, which serves no `eventsv2`).
        let mut configured = true;
        match &settings.eventbridgev2_endpoint {
            Some(endpoint) => config = config.endpoint_url(endpoint),
            None if settings.eventbridge_endpoint.is_some() => {
                // An emulator without the stand-in: calls fail as unreachable (503)
                // rather than reach the classic emulator, which crashes on them.
                config = config.endpoint_url("http://127.0.0.1:9");
                configured = false;
            }
            None => {}
        }
        Self {
            client: crate::aws::Lazy::new(move || Client::from_conf(config.build())),
            configured,
        }
    }

    /// Whether there is a service to call (real AWS, or the stand-in).
    pub fn is_configured(&self) -> bool {
        self.configured
    }

    /// One page of buses: (name, ARN) each; [`EventBridgeV2::describe_bus`] gives the
    /// rest (a list gives no retention).
    pub async fn list_buses(
        &self,
        token: Option<String>,
    ) -> Result<(Vec<(String, String)>, Option<String>), AwsError> {
        let out = self
            .client
            .list_event_buses()
            .set_next_token(token)
            .max_results(50)
            .send()
            .await
            .map_err(from_sdk)?;
        let buses = out
            .event_buses()
            .iter()
            .map(|b| {
                Ok((
                    b.name().ok_or_else(|| missing("Name"))?.to_owned(),
                    b.event_bus_arn()
                        .ok_or_else(|| missing("EventBusArn"))?
                        .to_owned(),
                ))
            })
            .collect::<Result<_, AwsError>>()?;
        Ok((buses, out.next_token().map(str::to_owned)))
    }

    pub async fn describe_bus(&self, arn: &str) -> Result<V2EventBus, AwsError> {
        let out = self
            .client
            .describe_event_bus()
            .event_bus_arn(arn)
            .send()
            .await
            .map_err(from_sdk)?;
        let storage = out.storage_configuration();
        Ok(V2EventBus {
            name: out.name().ok_or_else(|| missing("Name"))?.to_owned(),
            arn: out
                .event_bus_arn()
                .ok_or_else(|| missing("EventBusArn"))?
                .to_owned(),
            state: out
                .state()
                .and_then(|s| V2BusState::parse(s.as_str()).ok())
                .ok_or_else(|| missing("State"))?,
            retention_days: storage
                .and_then(|s| s.retention_period_in_days())
                .unwrap_or_default(),
            retention_window_start_time: storage
                .and_then(|s| s.retention_window_start_time())
                .map(to_time)
                .transpose()?,
            description: out
                .description()
                .filter(|d| !d.is_empty())
                .map(str::to_owned),
        })
    }

    /// One page of a bus's subscribers — or, without a bus, of every subscriber of this
    /// account — (`prefix`: only names starting with it).
    pub async fn list_subscribers(
        &self,
        bus_arn: Option<&str>,
        prefix: Option<&str>,
        token: Option<String>,
    ) -> Result<(Vec<SubscriberRow>, Option<String>), AwsError> {
        let out = self
            .client
            .list_subscribers()
            .set_event_bus_arn(bus_arn.map(str::to_owned))
            .set_name_prefix(prefix.map(str::to_owned))
            .set_next_token(token)
            .max_results(100)
            .send()
            .await
            .map_err(from_sdk)?;
        let rows = out
            .subscribers()
            .iter()
            .map(|s| {
                Ok(SubscriberRow {
                    arn: s
                        .subscriber_arn()
                        .ok_or_else(|| missing("SubscriberArn"))?
                        .to_owned(),
                    name: s.name().ok_or_else(|| missing("Name"))?.to_owned(),
                    bus_arn: s
                        .event_bus_arn()
                        .or(bus_arn)
                        .ok_or_else(|| missing("EventBusArn"))?
                        .to_owned(),
                    target_arn: s.target_arn().unwrap_or_default().to_owned(),
                    ordering: s
                        .r#type()
                        .map(|t| t.as_str().to_owned())
                        .unwrap_or_default(),
                    state: match s.state() {
                        Some(aws::SubscriberState::Running) => SubscriberState::Running,
                        _ => SubscriberState::Stopped,
                    },
                    revoked: s.revoked().unwrap_or(false),
                    account: s.subscriber_account_id().map(str::to_owned),
                })
            })
            .collect::<Result<_, AwsError>>()?;
        Ok((rows, out.next_token().map(str::to_owned)))
    }

    /// Every subscriber (of a bus, or of the account) whose name starts with `prefix`.
    pub async fn all_subscribers(
        &self,
        bus_arn: Option<&str>,
        prefix: Option<&str>,
    ) -> Result<Vec<SubscriberRow>, AwsError> {
        crate::aws::all_pages(|token| self.list_subscribers(bus_arn, prefix, token)).await
    }

    pub async fn describe_subscriber(&self, arn: &str) -> Result<Subscriber, AwsError> {
        let out = self
            .client
            .describe_subscriber()
            .subscriber_arn(arn)
            .send()
            .await
            .map_err(from_sdk)?;
        Ok(Subscriber(out))
    }

    /// Creates a temporary copy of a subscriber reading its bus from `start` to `end`:
    /// the same target, role, filter, ordering, batching, transformer, retries, failure
    /// destination and logging; its ARN.
    pub async fn create_copy(&self, copy: Copy<'_>) -> Result<String, AwsError> {
        let source = &copy.source.0;
        let invoke = source
            .invoke_configuration()
            .cloned()
            .ok_or_else(|| missing("InvokeConfiguration"))?;
        let point = aws::PointInTimeConfiguration::builder()
            .point_type(aws::PointType::Timestamp)
            .starting_point(to_aws_time(copy.start))
            .end_point(to_aws_time(copy.end))
            .build()
            .map_err(|e| AwsError::unreadable(Service::EventBridgeV2, e.to_string()))?;
        let out = self
            .client
            .create_subscriber()
            .name(copy.name)
            .event_bus_arn(copy.source.bus_arn())
            .invoke_configuration(invoke)
            .set_description(copy.description.map(str::to_owned))
            .set_filter_configuration(source.filter_configuration().cloned())
            .set_type(source.r#type().cloned())
            .starting_position(aws::StartingPosition::PointInTime)
            .point_in_time_configuration(point)
            .set_batch_configuration(source.batch_configuration().cloned())
            .set_transformer(source.transformer().cloned())
            .set_retry_policy(source.retry_policy().cloned())
            .set_on_failure_configuration(source.on_failure_configuration().cloned())
            .set_log_configuration(source.log_configuration().cloned())
            .state(aws::SubscriberState::Running)
            .set_tags(Some(copy.tags))
            .send()
            .await
            .map_err(from_sdk)?;
        out.subscriber_arn()
            .map(str::to_owned)
            .ok_or_else(|| missing("SubscriberArn"))
    }

    /// Stops a subscriber, or runs it again from where it stopped.
    pub async fn set_running(&self, arn: &str, running: bool) -> Result<(), AwsError> {
        let mut update = self.client.update_subscriber().subscriber_arn(arn);
        update = if running {
            update
                .state(aws::SubscriberState::Running)
                .resume_position(aws::ResumePosition::LastProcessed)
        } else {
            update.state(aws::SubscriberState::Stopped)
        };
        update.send().await.map_err(from_sdk)?;
        Ok(())
    }

    pub async fn delete_subscriber(&self, arn: &str) -> Result<(), AwsError> {
        self.client
            .delete_subscriber()
            .subscriber_arn(arn)
            .send()
            .await
            .map_err(from_sdk)?;
        Ok(())
    }

    pub async fn tags(&self, arn: &str) -> Result<HashMap<String, String>, AwsError> {
        let out = self
            .client
            .list_tags_for_resource()
            .resource_arn(arn)
            .send()
            .await
            .map_err(from_sdk)?;
        Ok(out.tags().cloned().unwrap_or_default())
    }

    pub async fn tag(&self, arn: &str, key: &str, value: &str) -> Result<(), AwsError> {
        self.client
            .tag_resource()
            .resource_arn(arn)
            .tags(key, value)
            .send()
            .await
            .map_err(from_sdk)?;
        Ok(())
    }

    pub async fn untag(&self, arn: &str, key: &str) -> Result<(), AwsError> {
        self.client
            .untag_resource()
            .resource_arn(arn)
            .tag_keys(key)
            .send()
            .await
            .map_err(from_sdk)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::tests::emulator_settings;

    /// The v2 client builds (on first use) with and without the stand-in.
    #[tokio::test]
    async fn the_client_builds_with_and_without_the_stand_in() {
        let classic = ("REWIND_EVENTBRIDGE_ENDPOINT", "http://127.0.0.1:9");
        for vars in [
            vec![classic],
            vec![
                classic,
                ("REWIND_EVENTBRIDGEV2_ENDPOINT", "http://127.0.0.1:10"),
            ],
        ] {
            let settings = emulator_settings(&vars);
            let v2 =
                EventBridgeV2::from_settings(&crate::aws::sdk_config(&settings).await, &settings);
            assert_eq!(v2.is_configured(), vars.len() == 2);
            assert!(v2.client.config().region().is_some());
        }
    }
}
