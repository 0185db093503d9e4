//! The audit log group: each process writes to a stream of its own, made on its first
//! record; every record is sent (and acknowledged) before the request goes on.

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
