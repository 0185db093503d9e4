//! CloudWatch Logs: the audit log group, which each process writes to a stream of its
//! own (made on its first record; every record is sent and acknowledged before the
//! request goes on), and the reading of an event bus's delivery log for replay reports.

use crate::aws::error::{AwsError, Service};
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

/// Reads an event bus's delivery log: where the bus logs to (the Logs delivery APIs: the
/// bus's delivery source → its delivery → the destination log group) and the records of
/// a window (FilterLogEvents), page by page and bounded.
#[derive(Clone, Debug)]
pub struct BusLogs {
    client: crate::aws::Lazy<Client>,
}

/// The most records one report reads.
pub const MAX_RECORDS: usize = 20_000;
/// The most FilterLogEvents pages one report reads.
pub const MAX_PAGES: usize = 20;

/// How a scan of a log group went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scan {
    pub records: usize,
    pub pages: usize,
    /// It stopped at [`MAX_RECORDS`] or [`MAX_PAGES`] with records left.
    pub stopped_early: bool,
}

impl BusLogs {
    pub fn from_settings(
        sdk_config: &aws_config::SdkConfig,
        settings: &crate::configuration::Settings,
    ) -> Self {
        Self {
            client: crate::aws::client!(aws_sdk_cloudwatchlogs, sdk_config, settings),
        }
    }

    /// The CloudWatch Logs group the bus `bus_arn` delivers its logs to, if any: the
    /// delivery sources of that bus (DescribeDeliverySources), their delivery
    /// (DescribeDeliveries), its destination (GetDeliveryDestination) — a few calls,
    /// however many deliveries the account has.
    pub async fn group_of(&self, bus_arn: &str) -> Result<Option<String>, AwsError> {
        let sources: Vec<String> = crate::aws::all_pages(|token| async move {
            let out = self
                .client
                .describe_delivery_sources()
                .set_next_token(token)
                .send()
                .await
                .map_err(logs_error)?;
            let names = out
                .delivery_sources()
                .iter()
                .filter(|s| s.resource_arns().iter().any(|arn| arn == bus_arn))
                .filter_map(|s| s.name().map(str::to_owned))
                .collect();
            Ok((names, out.next_token().map(str::to_owned)))
        })
        .await?;
        if sources.is_empty() {
            return Ok(None);
        }
        let destinations: Vec<String> = crate::aws::all_pages(|token| {
            let sources = &sources;
            async move {
                let out = self
                    .client
                    .describe_deliveries()
                    .set_next_token(token)
                    .send()
                    .await
                    .map_err(logs_error)?;
                let arns = out
                    .deliveries()
                    .iter()
                    .filter(|d| {
                        d.delivery_source_name()
                            .is_some_and(|name| sources.iter().any(|s| s == name))
                    })
                    .filter_map(|d| d.delivery_destination_arn().map(str::to_owned))
                    .collect();
                Ok((arns, out.next_token().map(str::to_owned)))
            }
        })
        .await?;
        for destination in destinations {
            let name = destination.rsplit(':').next().unwrap_or(&destination);
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

    /// Hands each record of `group` from `from` to `to` to `each`, page by page, for at
    /// most [`MAX_PAGES`] pages and [`MAX_RECORDS`] records.
    pub async fn scan(
        &self,
        group: &str,
        from: time::OffsetDateTime,
        to: time::OffsetDateTime,
        mut each: impl FnMut(&str),
    ) -> Result<Scan, AwsError> {
        let millis = |t: time::OffsetDateTime| {
            i64::try_from(t.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
        };
        let mut scan = Scan {
            records: 0,
            pages: 0,
            stopped_early: false,
        };
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
            scan.pages += 1;
            for message in out.events().iter().filter_map(|e| e.message()) {
                each(message);
                scan.records += 1;
            }
            match out.next_token().filter(|t| !t.is_empty()) {
                Some(_) if scan.records >= MAX_RECORDS || scan.pages >= MAX_PAGES => {
                    scan.stopped_early = true;
                    return Ok(scan);
                }
                Some(next) => token = Some(next.to_owned()),
                None => return Ok(scan),
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

fn logs_error<E, R>(err: aws_sdk_cloudwatchlogs::error::SdkError<E, R>) -> AwsError
where
    E: aws_sdk_cloudwatchlogs::error::ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
    aws_sdk_cloudwatchlogs::error::SdkError<E, R>: aws_sdk_cloudwatchlogs::operation::RequestId,
{
    AwsError::from_sdk(Service::CloudWatchLogs, err)
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
