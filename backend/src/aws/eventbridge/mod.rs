//! The EventBridge adapter: the EventBridge calls Rewind makes, one thin method each,
//! answering DTOs of `shared` (through `mapping`) or a typed failure. It knows nothing of
//! callers or teams: the request context's scope (`crate::context::scope`) decides what a
//! caller may see and change.

mod mapping;
mod rules;
mod temporary;

pub use mapping::preview_target;
pub use rules::rule_of;
pub use temporary::FoundRule;

use crate::aws::error::{AwsError, Kind, Service};
use crate::configuration::Settings;
use aws_sdk_eventbridge::Client;
use aws_sdk_eventbridge::config::interceptors::BeforeTransmitInterceptorContextRef;
use aws_sdk_eventbridge::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_eventbridge::error::BoxError;
use aws_sdk_eventbridge::primitives::DateTime;
use aws_sdk_eventbridge::types::{self as aws, ReplayDestination as AwsDestination};
use shared::archive::{
    Archive, ArchiveList, ArchiveState, ArchiveStatus, ArchiveUpdate, NewArchive,
};
use shared::event_bus::{EventBusDetail, EventBusList, RuleList};
use shared::event_pattern::PatternTest;
use shared::list::{ListFilter, ListRequest, Page};
use shared::replay::{
    CancelReplayResponse, NewReplay, Replay, ReplayList, ReplayState, StartReplayResponse,
};
use shared::validation::{
    ArchiveArn, ArchiveName, EventBusArn, EventBusName, NamePrefix, ReplayName, RuleArn,
};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use time::OffsetDateTime;

/// An EventBridge failure, typed.
pub fn from_sdk<E, R>(err: aws_sdk_eventbridge::error::SdkError<E, R>) -> AwsError
where
    E: aws_sdk_eventbridge::error::ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
    aws_sdk_eventbridge::error::SdkError<E, R>: aws_sdk_eventbridge::operation::RequestId,
{
    AwsError::from_sdk(Service::EventBridge, err)
}

/// A clonable handle on the EventBridge client.
#[derive(Clone, Debug)]
pub struct EventBridge {
    client: Client,
    /// `REWIND_INSTANCE`: the value of the `rewind:instance` tag on every rule Rewind
    /// makes (see `temporary.rs`).
    instance: Arc<str>,
}

/// Sends a ListArchives or ListReplays call for one page of `request`: the two builders
/// have the same filter and paging setters.
macro_rules! list_page {
    ($call:expr, $request:expr, $state:ty) => {{
        let call = $call;
        let call = match $request.filter {
            ListFilter::All => call,
            ListFilter::NamePrefix(p) => call.name_prefix(p.into_inner()),
            ListFilter::EventSource(arn) => call.event_source_arn(arn.into_inner()),
            ListFilter::State(s) => call.state(<$state>::from(s.as_str())),
        };
        let Page { limit, next_token } = $request.page;
        call.set_limit(limit.map(|l| i32::from(l.get())))
            .set_next_token(next_token.map(|t| t.into_inner()))
            .send()
            .await
            .map_err(from_sdk)
    }};
}

impl EventBridge {
    /// Builds the SDK client from the usual AWS chain, with Rewind's timeouts and, when
    /// configured, an emulator endpoint.
    pub fn from_settings(sdk_config: &aws_config::SdkConfig, settings: &Settings) -> Self {
        Self::from_client(crate::aws::client!(
            eager aws_sdk_eventbridge,
            sdk_config,
            settings
        ))
        .for_instance(&settings.instance)
    }

    /// The same seam tagging what it makes with `instance`.
    pub fn for_instance(self, instance: &str) -> Self {
        Self {
            instance: instance.into(),
            ..self
        }
    }

    /// The instance this seam tags what it makes with.
    pub fn instance(&self) -> &str {
        &self.instance
    }

    /// The region the client calls.
    pub fn region(&self) -> String {
        self.client
            .config()
            .region()
            .map(ToString::to_string)
            .unwrap_or_default()
    }

    pub fn from_client(client: Client) -> Self {
        Self {
            client,
            instance: "local".into(),
        }
    }

    // ---- archives -------------------------------------------------------------

    /// One page of archives.
    pub async fn list_archives(
        &self,
        request: ListRequest<EventBusArn, ArchiveState>,
    ) -> Result<ArchiveList, AwsError> {
        let out = list_page!(self.client.list_archives(), request, aws::ArchiveState)?;
        Ok(ArchiveList {
            archives: out
                .archives()
                .iter()
                .map(mapping::archive_summary)
                .collect::<Result<_, _>>()?,
            next_token: mapping::non_empty(out.next_token()),
        })
    }

    pub async fn describe_archive(&self, name: &ArchiveName) -> Result<Archive, AwsError> {
        let out = self
            .client
            .describe_archive()
            .archive_name(name.as_str())
            .send()
            .await
            .map_err(from_sdk)?;
        mapping::archive(&out)
    }

    /// Creates an archive. If the SDK retried (an attempt timed out after EventBridge had
    /// acted on it) and the retry found the archive already there, the archive is checked:
    /// when it is exactly what was asked for, the create succeeded and says so, rather than
    /// reporting a failure the user would retry in vain.
    pub async fn create_archive(&self, archive: NewArchive) -> Result<ArchiveStatus, AwsError> {
        let attempts = AttemptCounter::default();
        let sent = self
            .client
            .create_archive()
            .archive_name(archive.name.as_str())
            .event_source_arn(archive.event_source.as_str())
            .set_description(archive.description.as_ref().map(|d| d.as_str().to_owned()))
            .set_event_pattern(
                archive
                    .event_pattern
                    .as_ref()
                    .map(|p| p.as_str().to_owned()),
            )
            .set_retention_days(archive.retention.map(|r| r.days()))
            .set_kms_key_identifier(archive.kms_key.as_ref().map(|k| k.as_str().to_owned()))
            .customize()
            .interceptor(attempts.clone())
            .send()
            .await;
        match sent {
            Ok(out) => mapping::archive_status(
                out.archive_arn(),
                out.state(),
                out.state_reason(),
                out.creation_time(),
            ),
            Err(err) => own_creation(
                &attempts,
                from_sdk(err),
                self.describe_archive(&archive.name),
                |found| archive.is_fulfilled_by(found),
            )
            .await
            .map(ArchiveStatus::from),
        }
    }

    pub async fn update_archive(
        &self,
        name: &ArchiveName,
        update: ArchiveUpdate,
    ) -> Result<ArchiveStatus, AwsError> {
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

    pub async fn delete_archive(&self, name: &ArchiveName) -> Result<(), AwsError> {
        self.client
            .delete_archive()
            .archive_name(name.as_str())
            .send()
            .await
            .map_err(from_sdk)?;
        Ok(())
    }

    // ---- replays --------------------------------------------------------------

    /// One page of replays.
    pub async fn list_replays(
        &self,
        request: ListRequest<ArchiveArn, ReplayState>,
    ) -> Result<ReplayList, AwsError> {
        let out = list_page!(self.client.list_replays(), request, aws::ReplayState)?;
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
                    let name = ReplayName::parse(name)
                        .map_err(|e| AwsError::unreadable(Service::EventBridge, e.message))?;
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

    pub async fn describe_replay(&self, name: &ReplayName) -> Result<Replay, AwsError> {
        let out = self
            .client
            .describe_replay()
            .replay_name(name.as_str())
            .send()
            .await
            .map_err(from_sdk)?;
        mapping::replay(&out)
    }

    /// StartReplay of `replay`, sending to `filter_rules` (None of them: every rule of the
    /// bus). If the SDK retried (an attempt timed out after EventBridge had acted on it)
    /// and the retry found the replay already there, the replay is checked: when it is
    /// exactly what was asked for, the start succeeded and says so.
    pub async fn start_replay(
        &self,
        replay: &NewReplay,
        filter_rules: Vec<String>,
    ) -> Result<StartReplayResponse, AwsError> {
        // What was sent, to recognise it: the filter rules as sent.
        let mut sent = replay.clone();
        sent.filter_rules = filter_rules
            .iter()
            .filter_map(|r| RuleArn::parse(r).ok())
            .collect();
        let destination = AwsDestination::builder()
            .arn(replay.destination.as_str())
            .set_filter_arns((!filter_rules.is_empty()).then_some(filter_rules))
            .build()
            .map_err(|e| {
                AwsError::new(Service::EventBridge, Kind::Invalid).with_message(e.to_string())
            })?;
        let attempts = AttemptCounter::default();
        let started = self
            .client
            .start_replay()
            .replay_name(replay.name.as_str())
            .set_description(replay.description.as_ref().map(|d| d.as_str().to_owned()))
            .event_source_arn(replay.archive.as_str())
            .event_start_time(to_aws_time(replay.window.start()))
            .event_end_time(to_aws_time(replay.window.end()))
            .destination(destination)
            .customize()
            .interceptor(attempts.clone())
            .send()
            .await;
        match started {
            Ok(out) => Ok(StartReplayResponse {
                replay_arn: mapping::required(out.replay_arn(), "ReplayArn")?,
                state: mapping::replay_state(out.state())?,
                state_reason: mapping::non_empty(out.state_reason()),
                replay_start_time: out.replay_start_time().map(mapping::to_time).transpose()?,
            }),
            // As for archives: a retry that finds this very replay started reports it.
            Err(err) => own_creation(
                &attempts,
                from_sdk(err),
                self.describe_replay(&replay.name),
                |found| sent.is_fulfilled_by(found),
            )
            .await
            .map(StartReplayResponse::from),
        }
    }

    pub async fn cancel_replay(&self, name: &ReplayName) -> Result<CancelReplayResponse, AwsError> {
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

    /// One bus as DescribeEventBus tells it: its key identity among the rest.
    pub async fn describe_event_bus(&self, bus: &EventBusName) -> Result<EventBusDetail, AwsError> {
        let out = self
            .client
            .describe_event_bus()
            .name(bus.as_str())
            .send()
            .await
            .map_err(from_sdk)?;
        Ok(EventBusDetail {
            name: mapping::required(out.name(), "Name")?,
            arn: mapping::required(out.arn(), "Arn")?,
            description: mapping::non_empty(out.description()),
            kms_key_identifier: mapping::non_empty(out.kms_key_identifier()),
        })
    }

    /// The level the bus logs at (`ERROR`, `INFO`, `TRACE`; None: it does not log).
    pub async fn bus_log_level(&self, bus: &str) -> Result<Option<String>, AwsError> {
        let out = self
            .client
            .describe_event_bus()
            .name(bus)
            .send()
            .await
            .map_err(from_sdk)?;
        Ok(out
            .log_config()
            .and_then(|c| c.level())
            .map(|l| l.as_str().to_owned())
            .filter(|l| l != "OFF"))
    }

    /// One page of event buses.
    pub async fn list_event_buses(
        &self,
        name_prefix: Option<EventBusName>,
        page: Page,
    ) -> Result<EventBusList, AwsError> {
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

    pub async fn list_rules(
        &self,
        bus: &EventBusName,
        name_prefix: Option<NamePrefix>,
        page: Page,
    ) -> Result<RuleList, AwsError> {
        let out = self
            .client
            .list_rules()
            .event_bus_name(bus.as_str())
            .set_name_prefix(name_prefix.map(|p| p.into_inner()))
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

    pub async fn test_event_pattern(&self, test: PatternTest) -> Result<bool, AwsError> {
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

/// After a create failed with `error`: when the SDK had retried (an attempt timed out
/// after EventBridge had acted on it) and the retry met `AlreadyExists`, looks the
/// resource up with `found`; if `is_ours` recognises it as exactly what was asked for,
/// the create did succeed and that resource is returned. Otherwise `error` stands.
async fn own_creation<T>(
    attempts: &AttemptCounter,
    error: AwsError,
    found: impl std::future::Future<Output = Result<T, AwsError>>,
    is_ours: impl FnOnce(&T) -> bool,
) -> Result<T, AwsError> {
    if error.kind != Kind::AlreadyExists || attempts.count() < 2 {
        return Err(error);
    }
    let existing = found.await?;
    if !is_ours(&existing) {
        return Err(error);
    }
    tracing::warn!(
        attempts = attempts.count(),
        "a timed-out attempt had created it; the retry found it"
    );
    Ok(existing)
}

/// Counts the attempts the SDK makes for one call (see [`EventBridge::create_archive`]).
#[derive(Debug, Clone, Default)]
struct AttemptCounter(Arc<AtomicU32>);

impl AttemptCounter {
    fn count(&self) -> u32 {
        self.0.load(Ordering::Relaxed)
    }
}

impl Intercept for AttemptCounter {
    fn name(&self) -> &'static str {
        "AttemptCounter"
    }

    fn read_before_attempt(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        self.0.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
}

fn to_aws_time(t: OffsetDateTime) -> DateTime {
    DateTime::from_nanos(t.unix_timestamp_nanos())
        .unwrap_or_else(|_| DateTime::from_secs(t.unix_timestamp()))
}
