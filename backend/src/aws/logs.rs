//! CloudWatch Logs: the audit log group, which each process writes to a stream of its
//! own (made on its first record; every record is sent and acknowledged before the
//! request goes on), and the reading of an event bus's delivery log for replay reports.

use crate::error::ApiError;
use aws_sdk_cloudwatchlogs::Client;
use aws_sdk_cloudwatchlogs::types::InputLogEvent;
use tokio::sync::OnceCell;

#[derive(Debug)]
pub struct LogGroupWriter {
    client: Client,
    group: String,
    stream: String,
    stream_made: OnceCell<()>,
}

impl LogGroupWriter {
    pub fn new(client: Client, group: String) -> Self {
        // `2026/11/28/<uuid>`: one stream per process, as Lambda names its own.
        let today = time::OffsetDateTime::now_utc().date();
        let stream = format!(
            "{:04}/{:02}/{:02}/{}",
            today.year(),
            u8::from(today.month()),
            today.day(),
            uuid::Uuid::new_v4().simple()
        );
        Self {
            client,
            group,
            stream,
            stream_made: OnceCell::new(),
        }
    }

    pub fn group(&self) -> &str {
        &self.group
    }

    async fn make_stream(&self) -> Result<(), String> {
        match self
            .client
            .create_log_stream()
            .log_group_name(&self.group)
            .log_stream_name(&self.stream)
            .send()
            .await
        {
            Ok(_) => Ok(()),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|e| e.is_resource_already_exists_exception()) =>
            {
                Ok(())
            }
            Err(e) => Err(format!(
                "cannot make log stream {} in {}: {}",
                self.stream,
                self.group,
                aws_sdk_cloudwatchlogs::error::DisplayErrorContext(e)
            )),
        }
    }

    /// Sends one record; a stream removed meanwhile is made again, once.
    pub async fn write(&self, line: String, millis: i64) -> Result<(), String> {
        self.stream_made
            .get_or_try_init(|| self.make_stream())
            .await?;
        for attempt in 0..2 {
            let event = InputLogEvent::builder()
                .timestamp(millis)
                .message(line.clone())
                .build()
                .map_err(|e| e.to_string())?;
            match self
                .client
                .put_log_events()
                .log_group_name(&self.group)
                .log_stream_name(&self.stream)
                .log_events(event)
                .send()
                .await
            {
                Ok(_) => return Ok(()),
                Err(e)
                    if attempt == 0
                        && e.as_service_error()
                            .is_some_and(|e| e.is_resource_not_found_exception()) =>
                {
                    self.make_stream().await?;
                }
                Err(e) => {
                    return Err(format!(
                        "cannot write to {}: {}",
                        self.group,
                        aws_sdk_cloudwatchlogs::error::DisplayErrorContext(e)
                    ));
                }
            }
        }
        Err(format!("cannot write to {}", self.group))
    }
}

/// Reads an event bus's delivery log: where the bus logs to (the Logs delivery APIs:
/// the bus's delivery source → its delivery → the destination log group) and the records
/// of a window (FilterLogEvents).
#[derive(Clone, Debug)]
pub struct BusLogs {
    client: Client,
}

/// The most records one report reads.
pub const MAX_RECORDS: usize = 20_000;

impl BusLogs {
    pub fn from_settings(
        sdk_config: &aws_config::SdkConfig,
        settings: &crate::configuration::Settings,
    ) -> Self {
        let config = aws_sdk_cloudwatchlogs::config::Builder::from(sdk_config)
            .retry_config(crate::aws::retries())
            .timeout_config(crate::aws::timeouts(settings))
            .interceptor(crate::aws::calls::RecordCalls)
            .build();
        Self {
            client: Client::from_conf(config),
        }
    }

    /// The CloudWatch Logs group the bus `bus_arn` delivers its logs to, if any.
    pub async fn group_of(&self, bus_arn: &str) -> Result<Option<String>, ApiError> {
        let deliveries = crate::aws::all_pages(|token| async move {
            let out = self
                .client
                .describe_deliveries()
                .set_next_token(token)
                .send()
                .await
                .map_err(logs_error)?;
            Ok((
                out.deliveries().to_vec(),
                out.next_token().map(str::to_owned),
            ))
        })
        .await?;
        for delivery in deliveries {
            let (Some(source), Some(destination)) = (
                delivery.delivery_source_name(),
                delivery.delivery_destination_arn(),
            ) else {
                continue;
            };
            let source = self
                .client
                .get_delivery_source()
                .name(source)
                .send()
                .await
                .map_err(logs_error)?;
            if !source
                .delivery_source()
                .is_some_and(|s| s.resource_arns().iter().any(|arn| arn == bus_arn))
            {
                continue;
            }
            let name = destination.rsplit(':').next().unwrap_or(destination);
            let name = name.strip_prefix("delivery-destination/").unwrap_or(name);
            let destination = self
                .client
                .get_delivery_destination()
                .name(name)
                .send()
                .await
                .map_err(logs_error)?;
            let group = destination
                .delivery_destination()
                .and_then(|d| d.delivery_destination_configuration())
                .map(|c| c.destination_resource_arn())
                .and_then(log_group_name);
            if group.is_some() {
                return Ok(group);
            }
        }
        Ok(None)
    }

    /// The records of `group` from `from` to `to` (at most [`MAX_RECORDS`]).
    pub async fn records(
        &self,
        group: &str,
        from: time::OffsetDateTime,
        to: time::OffsetDateTime,
    ) -> Result<Vec<String>, ApiError> {
        let millis = |t: time::OffsetDateTime| {
            i64::try_from(t.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
        };
        let mut records = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let out = self
                .client
                .filter_log_events()
                .log_group_name(group)
                .start_time(millis(from))
                .end_time(millis(to))
                .set_next_token(token.take())
                .send()
                .await
                .map_err(logs_error)?;
            records.extend(
                out.events()
                    .iter()
                    .filter_map(|e| e.message().map(str::to_owned)),
            );
            match out.next_token().filter(|t| !t.is_empty()) {
                Some(next) if records.len() < MAX_RECORDS => token = Some(next.to_owned()),
                _ => return Ok(records),
            }
        }
    }
}

/// `…:log-group:NAME` or `…:log-group:NAME:*` → NAME.
fn log_group_name(arn: &str) -> Option<String> {
    let (_, rest) = arn.split_once(":log-group:")?;
    let name = rest.strip_suffix(":*").unwrap_or(rest);
    (!name.is_empty()).then(|| name.to_owned())
}

fn logs_error<E, R>(err: aws_sdk_cloudwatchlogs::error::SdkError<E, R>) -> ApiError
where
    E: aws_sdk_cloudwatchlogs::error::ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
    aws_sdk_cloudwatchlogs::error::SdkError<E, R>: aws_sdk_cloudwatchlogs::operation::RequestId,
{
    crate::aws::eventbridge::from_sdk(err).in_service("CloudWatch Logs")
}

#[cfg(test)]
mod tests {
    #[test]
    fn log_group_names_come_from_their_arns() {
        assert_eq!(
            super::log_group_name(
                "arn:aws:logs:us-east-1:123456789012:log-group:/aws/vendedlogs/events/orders:*"
            )
            .as_deref(),
            Some("/aws/vendedlogs/events/orders")
        );
        assert_eq!(
            super::log_group_name("arn:aws:logs:us-east-1:123456789012:log-group:plain").as_deref(),
            Some("plain")
        );
        assert_eq!(super::log_group_name("arn:aws:s3:::bucket"), None);
    }
}
