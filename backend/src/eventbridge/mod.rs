//! The EventBridge seam: every AWS call the API makes, one method each.

mod errors;
mod mapping;

pub use errors::from_sdk;

use crate::configuration::Settings;
use crate::error::ApiError;
use aws_sdk_eventbridge::Client;
use aws_sdk_eventbridge::config::retry::RetryConfig;
use aws_sdk_eventbridge::config::timeout::TimeoutConfig;
use aws_sdk_eventbridge::config::{Credentials, Region};
use aws_sdk_eventbridge::primitives::DateTime;
use aws_sdk_eventbridge::types::{self as aws, ReplayDestination as AwsDestination};
use shared::archive::{
    Archive, ArchiveList, ArchiveState, ArchiveStatus, ArchiveUpdate, NewArchive,
};
use shared::event_bus::{EventBusList, RuleList};
use shared::event_pattern::PatternTest;
use shared::list::{ListFilter, ListRequest, Page};
use shared::replay::{
    CancelReplayResponse, NewReplay, Replay, ReplayList, ReplayState, StartReplayResponse,
};
use shared::validation::{ArchiveArn, ArchiveName, EventBusArn, EventBusName, ReplayName};
use std::time::Duration;
use time::OffsetDateTime;

/// The region used against an emulator when none is configured.
const EMULATOR_REGION: &str = "us-east-1";

/// A clonable handle on the EventBridge client.
#[derive(Clone, Debug)]
pub struct EventBridge {
    client: Client,
}

impl EventBridge {
    /// Builds the SDK client from the usual AWS chain, with Rewind's timeouts and, when
    /// configured, an emulator endpoint.
    pub async fn from_settings(settings: &Settings) -> Self {
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
        let sdk_config = loader.load().await;
        let config = aws_sdk_eventbridge::config::Builder::from(&sdk_config)
            // Three attempts with short backoff: persistent throttling surfaces as 429
            // well inside the operation timeout instead of as a timeout.
            .retry_config(
                RetryConfig::standard()
                    .with_max_attempts(3)
                    .with_initial_backoff(Duration::from_millis(100))
                    .with_max_backoff(Duration::from_secs(1)),
            )
            .timeout_config(
                TimeoutConfig::builder()
                    .connect_timeout(settings.connect_timeout)
                    .operation_timeout(settings.operation_timeout)
                    .build(),
            )
            .build();
        Self {
            client: Client::from_conf(config),
        }
    }

    pub fn from_client(client: Client) -> Self {
        Self { client }
    }

    // ---- archives -------------------------------------------------------------

    pub async fn list_archives(
        &self,
        request: ListRequest<EventBusArn, ArchiveState>,
    ) -> Result<ArchiveList, ApiError> {
        let mut call = self.client.list_archives();
        call = match request.filter {
            ListFilter::All => call,
            ListFilter::NamePrefix(p) => call.name_prefix(p.into_inner()),
            ListFilter::EventSource(arn) => call.event_source_arn(arn.into_inner()),
            ListFilter::State(s) => call.state(aws::ArchiveState::from(s.as_str())),
        };
        let Page { limit, next_token } = request.page;
        let out = call
            .set_limit(limit.map(|l| i32::from(l.get())))
            .set_next_token(next_token.map(|t| t.into_inner()))
            .send()
            .await
            .map_err(from_sdk)?;
        Ok(ArchiveList {
            archives: out
                .archives()
                .iter()
                .map(mapping::archive_summary)
                .collect::<Result<_, _>>()?,
            next_token: mapping::non_empty(out.next_token()),
        })
    }

    pub async fn describe_archive(&self, name: &ArchiveName) -> Result<Archive, ApiError> {
        let out = self
            .client
            .describe_archive()
            .archive_name(name.as_str())
            .send()
            .await
            .map_err(from_sdk)?;
        mapping::archive(&out)
    }

    pub async fn create_archive(&self, archive: NewArchive) -> Result<ArchiveStatus, ApiError> {
        let out = self
            .client
            .create_archive()
            .archive_name(archive.name.into_inner())
            .event_source_arn(archive.event_source.into_inner())
            .set_description(archive.description.map(|d| d.into_inner()))
            .set_event_pattern(archive.event_pattern.map(|p| p.into_inner()))
            .set_retention_days(archive.retention.map(|r| r.days()))
            .set_kms_key_identifier(archive.kms_key.map(|k| k.into_inner()))
            .send()
            .await
            .map_err(from_sdk)?;
        mapping::archive_status(
            out.archive_arn(),
            out.state(),
            out.state_reason(),
            out.creation_time(),
        )
    }

    pub async fn update_archive(
        &self,
        name: &ArchiveName,
        update: ArchiveUpdate,
    ) -> Result<ArchiveStatus, ApiError> {
        let out = self
            .client
            .update_archive()
            .archive_name(name.as_str())
            .set_description(update.description.map(|d| d.into_inner()))
            // `Some(None)` removes the pattern: EventBridge takes an empty string for that.
            .set_event_pattern(
                update
                    .event_pattern
                    .map(|p| p.map(|p| p.into_inner()).unwrap_or_default()),
            )
            .set_retention_days(update.retention.map(|r| r.days()))
            .set_kms_key_identifier(update.kms_key.map(|k| k.into_inner()))
            .send()
            .await
            .map_err(from_sdk)?;
        mapping::archive_status(
            out.archive_arn(),
            out.state(),
            out.state_reason(),
            out.creation_time(),
        )
    }

    pub async fn delete_archive(&self, name: &ArchiveName) -> Result<(), ApiError> {
        self.client
            .delete_archive()
            .archive_name(name.as_str())
            .send()
            .await
            .map_err(from_sdk)?;
        Ok(())
    }

    // ---- replays --------------------------------------------------------------

    pub async fn list_replays(
        &self,
        request: ListRequest<ArchiveArn, ReplayState>,
    ) -> Result<ReplayList, ApiError> {
        let mut call = self.client.list_replays();
        call = match request.filter {
            ListFilter::All => call,
            ListFilter::NamePrefix(p) => call.name_prefix(p.into_inner()),
            ListFilter::EventSource(arn) => call.event_source_arn(arn.into_inner()),
            ListFilter::State(s) => call.state(aws::ReplayState::from(s.as_str())),
        };
        let Page { limit, next_token } = request.page;
        let out = call
            .set_limit(limit.map(|l| i32::from(l.get())))
            .set_next_token(next_token.map(|t| t.into_inner()))
            .send()
            .await
            .map_err(from_sdk)?;
        let mut replays = Vec::with_capacity(out.replays().len());
        for row in out.replays() {
            // EventBridge lists each replay's window; an emulator may leave it out, and
            // then the replay's own description supplies it rather than a made-up value.
            let summary = match (
                row.event_start_time(),
                row.event_end_time(),
                row.replay_name(),
            ) {
                (None, _, Some(name)) | (_, None, Some(name)) => {
                    let name =
                        ReplayName::parse(name).map_err(|e| ApiError::upstream(e.message))?;
                    self.describe_replay(&name).await?.summary
                }
                _ => mapping::replay_summary(row)?,
            };
            replays.push(summary);
        }
        Ok(ReplayList {
            replays,
            next_token: mapping::non_empty(out.next_token()),
        })
    }

    pub async fn describe_replay(&self, name: &ReplayName) -> Result<Replay, ApiError> {
        let out = self
            .client
            .describe_replay()
            .replay_name(name.as_str())
            .send()
            .await
            .map_err(from_sdk)?;
        mapping::replay(&out)
    }

    /// Starts a replay after checking, against the archive itself, that the destination
    /// is the archive's own bus (EventBridge refuses cross-bus replays).
    pub async fn start_replay(&self, replay: NewReplay) -> Result<StartReplayResponse, ApiError> {
        let archive_name = ArchiveName::parse(replay.archive.archive_name())
            .map_err(|e| e.at("eventSourceArn"))?;
        let archive = self.describe_archive(&archive_name).await.map_err(|e| {
            if e.code == shared::ErrorCode::NotFound {
                ApiError::not_found(format!("Archive {archive_name} does not exist."))
                    .with_field("eventSourceArn")
            } else {
                e
            }
        })?;
        replay.check_destination(&archive.summary.event_source_arn)?;

        let destination = AwsDestination::builder()
            .arn(replay.destination.into_inner())
            .set_filter_arns(if replay.filter_rules.is_empty() {
                None
            } else {
                Some(
                    replay
                        .filter_rules
                        .into_iter()
                        .map(|r| r.into_inner())
                        .collect(),
                )
            })
            .build()
            .map_err(|e| {
                ApiError::upstream(format!("Could not build the replay destination: {e}"))
            })?;
        let out = self
            .client
            .start_replay()
            .replay_name(replay.name.into_inner())
            .set_description(replay.description.map(|d| d.into_inner()))
            .event_source_arn(replay.archive.into_inner())
            .event_start_time(to_aws_time(replay.window.start()))
            .event_end_time(to_aws_time(replay.window.end()))
            .destination(destination)
            .send()
            .await
            .map_err(from_sdk)?;
        Ok(StartReplayResponse {
            replay_arn: mapping::required(out.replay_arn(), "ReplayArn")?,
            state: mapping::replay_state(out.state())?,
            state_reason: mapping::non_empty(out.state_reason()),
            replay_start_time: out.replay_start_time().map(mapping::to_time).transpose()?,
        })
    }

    pub async fn cancel_replay(&self, name: &ReplayName) -> Result<CancelReplayResponse, ApiError> {
        let out = self
            .client
            .cancel_replay()
            .replay_name(name.as_str())
            .send()
            .await
            .map_err(from_sdk)?;
        Ok(CancelReplayResponse {
            replay_arn: mapping::required(out.replay_arn(), "ReplayArn")?,
            state: mapping::replay_state(out.state())?,
            state_reason: mapping::non_empty(out.state_reason()),
        })
    }

    // ---- helpers for the forms --------------------------------------------------

    pub async fn list_event_buses(
        &self,
        name_prefix: Option<EventBusName>,
        page: Page,
    ) -> Result<EventBusList, ApiError> {
        let out = self
            .client
            .list_event_buses()
            .set_name_prefix(name_prefix.map(|p| p.into_inner()))
            .set_limit(page.limit.map(|l| i32::from(l.get())))
            .set_next_token(page.next_token.map(|t| t.into_inner()))
            .send()
            .await
            .map_err(from_sdk)?;
        Ok(EventBusList {
            event_buses: out
                .event_buses()
                .iter()
                .map(mapping::event_bus)
                .collect::<Result<_, _>>()?,
            next_token: mapping::non_empty(out.next_token()),
        })
    }

    pub async fn list_rules(&self, bus: &EventBusName, page: Page) -> Result<RuleList, ApiError> {
        let out = self
            .client
            .list_rules()
            .event_bus_name(bus.as_str())
            .set_limit(page.limit.map(|l| i32::from(l.get())))
            .set_next_token(page.next_token.map(|t| t.into_inner()))
            .send()
            .await
            .map_err(from_sdk)?;
        Ok(RuleList {
            rules: out
                .rules()
                .iter()
                .map(mapping::rule)
                .collect::<Result<_, _>>()?,
            next_token: mapping::non_empty(out.next_token()),
        })
    }

    pub async fn test_event_pattern(&self, test: PatternTest) -> Result<bool, ApiError> {
        let out = self
            .client
            .test_event_pattern()
            .event_pattern(test.pattern.into_inner())
            .event(test.event)
            .send()
            .await
            .map_err(from_sdk)?;
        Ok(out.result())
    }
}

fn to_aws_time(t: OffsetDateTime) -> DateTime {
    DateTime::from_nanos(t.unix_timestamp_nanos())
        .unwrap_or_else(|_| DateTime::from_secs(t.unix_timestamp()))
}
