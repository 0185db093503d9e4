//! The SQS seam: the queues archive peeks are delivered to, one per peek, named
//! `rewind-peek-<id>`, open only to that peek's rule, encrypted at rest. A peek's settings live in its
//! queue's tags, so any backend process (any Lambda instance) can serve it.

use crate::aws::error::{AwsError, Kind, Service};
use crate::configuration::Settings;
use aws_sdk_sqs::Client;
use aws_sdk_sqs::types::{
    ChangeMessageVisibilityBatchRequestEntry, DeleteMessageBatchRequestEntry, QueueAttributeName,
};
use shared::peek::PEEK_PREFIX;
use std::collections::HashMap;

/// How long a peek's events are kept: a peek left alone is swept after a day anyway.
const RETENTION_SECONDS: &str = "86400";
/// Longest text one tag holds; a longer pattern is spread over `pattern0`, `pattern1`…
const TAG_VALUE_MAX: usize = 256;

#[derive(Clone, Debug)]
pub struct Queues {
    client: crate::aws::Lazy<Client>,
    /// How long a handed-out event stays invisible before it may be handed out again
    /// (when its acknowledgement never came).
    invisible_seconds: i32,
}

/// Messages received: their bodies and receipt handles.
pub struct Received {
    pub bodies: Vec<String>,
    pub handles: Vec<String>,
}

impl Queues {
    pub fn from_settings(sdk_config: &aws_config::SdkConfig, settings: &Settings) -> Self {
        Self {
            client: crate::aws::client!(aws_sdk_sqs, sdk_config, settings),
            invisible_seconds: settings.peek_redelivery_seconds,
        }
    }

    /// Creates `name`, sendable only by `rule_arn` through EventBridge, encrypted at rest
    /// (with `kms_key` when the archive has one, else SQS-managed keys), tagged with the
    /// peek's settings; returns its URL and ARN. A queue of that name must not exist yet:
    /// CreateQueue would hand back an existing queue, and Rewind never adopts one.
    pub async fn create(
        &self,
        name: &str,
        arn: &str,
        rule_arn: &str,
        kms_key: Option<&str>,
        tags: HashMap<String, String>,
    ) -> Result<(String, String), AwsError> {
        // Rewind never adopts a queue: one of this name must not exist yet.
        match self.url(name).await {
            Err(e) if e.is_not_found() => {}
            Err(e) => return Err(e),
            Ok(_) => {
                return Err(AwsError::new(Service::Sqs, Kind::AlreadyExists)
                    .with_message(format!("A queue named {name} already exists.")));
            }
        }
        let (encryption, key) = match kms_key {
            Some(key) => (QueueAttributeName::KmsMasterKeyId, key.to_owned()),
            None => (QueueAttributeName::SqsManagedSseEnabled, "true".to_owned()),
        };
        let policy = serde_json::json!({
            "Version": "2012-10-17",
            "Statement": [{
                "Sid": "OnlyThisPeeksRule",
                "Effect": "Allow",
                "Principal": {"Service": "events.amazonaws.com"},
                "Action": "sqs:SendMessage",
                "Resource": arn,
                "Condition": {"ArnEquals": {"aws:SourceArn": rule_arn}},
            }],
        });
        let out = self
            .client
            .create_queue()
            .queue_name(name)
            .attributes(QueueAttributeName::Policy, policy.to_string())
            .attributes(
                QueueAttributeName::MessageRetentionPeriod,
                RETENTION_SECONDS,
            )
            .attributes(
                QueueAttributeName::VisibilityTimeout,
                self.invisible_seconds.to_string(),
            )
            .attributes(encryption, key)
            // Events up to 1 MiB (EventBridge and SQS since January 2026), said rather
            // than left to the default.
            .attributes(
                QueueAttributeName::MaximumMessageSize,
                shared::peek::MAX_EVENT_BYTES.to_string(),
            )
            .set_tags(Some(tags))
            .send()
            .await
            .map_err(queue_error)?;
        let url = out.queue_url().unwrap_or_default().to_owned();
        let arn = self
            .client
            .get_queue_attributes()
            .queue_url(&url)
            .attribute_names(QueueAttributeName::QueueArn)
            .send()
            .await
            .map_err(queue_error)?
            .attributes()
            .and_then(|a| a.get(&QueueAttributeName::QueueArn).cloned())
            .unwrap_or_else(|| arn.to_owned());
        Ok((url, arn))
    }

    /// The URL of queue `name`; `NotFound` when it does not exist.
    pub async fn url(&self, name: &str) -> Result<String, AwsError> {
        let out = self
            .client
            .get_queue_url()
            .queue_name(name)
            .send()
            .await
            .map_err(queue_error)?;
        Ok(out.queue_url().unwrap_or_default().to_owned())
    }

    pub async fn tags(&self, url: &str) -> Result<HashMap<String, String>, AwsError> {
        let out = self
            .client
            .list_queue_tags()
            .queue_url(url)
            .send()
            .await
            .map_err(queue_error)?;
        Ok(out.tags().cloned().unwrap_or_default())
    }

    pub async fn tag(&self, url: &str, key: &str, value: String) -> Result<(), AwsError> {
        self.client
            .tag_queue()
            .queue_url(url)
            .tags(key, value)
            .send()
            .await
            .map_err(queue_error)?;
        Ok(())
    }

    /// Up to ten messages, waiting at most a second for the first.
    pub async fn receive(&self, url: &str) -> Result<Received, AwsError> {
        let out = self
            .client
            .receive_message()
            .queue_url(url)
            .max_number_of_messages(10)
            .wait_time_seconds(1)
            .visibility_timeout(self.invisible_seconds)
            .send()
            .await
            .map_err(queue_error)?;
        let mut received = Received {
            bodies: Vec::new(),
            handles: Vec::new(),
        };
        for message in out.messages() {
            if let (Some(body), Some(handle)) = (message.body(), message.receipt_handle()) {
                received.bodies.push(body.to_owned());
                received.handles.push(handle.to_owned());
            }
        }
        Ok(received)
    }

    /// Deletes acknowledged messages; returns how many went.
    pub async fn delete(&self, url: &str, handles: &[&str]) -> Result<usize, AwsError> {
        let mut deleted = 0;
        for batch in handles.chunks(10) {
            let entries: Vec<DeleteMessageBatchRequestEntry> = batch
                .iter()
                .enumerate()
                .filter_map(|(i, handle)| {
                    DeleteMessageBatchRequestEntry::builder()
                        .id(i.to_string())
                        .receipt_handle(*handle)
                        .build()
                        .ok()
                })
                .collect();
            let out = self
                .client
                .delete_message_batch()
                .queue_url(url)
                .set_entries(Some(entries))
                .send()
                .await
                .map_err(queue_error)?;
            deleted += out.successful().len();
        }
        Ok(deleted)
    }

    /// Makes received messages visible again at once (those a read had no room for).
    pub async fn release(&self, url: &str, handles: &[&str]) -> Result<(), AwsError> {
        for batch in handles.chunks(10) {
            let entries: Vec<ChangeMessageVisibilityBatchRequestEntry> = batch
                .iter()
                .enumerate()
                .filter_map(|(i, handle)| {
                    ChangeMessageVisibilityBatchRequestEntry::builder()
                        .id(i.to_string())
                        .receipt_handle(*handle)
                        .visibility_timeout(0)
                        .build()
                        .ok()
                })
                .collect();
            self.client
                .change_message_visibility_batch()
                .queue_url(url)
                .set_entries(Some(entries))
                .send()
                .await
                .map_err(queue_error)?;
        }
        Ok(())
    }

    /// Messages waiting or handed out and not yet acknowledged.
    pub async fn pending(&self, url: &str) -> Result<u64, AwsError> {
        let out = self
            .client
            .get_queue_attributes()
            .queue_url(url)
            .attribute_names(QueueAttributeName::ApproximateNumberOfMessages)
            .attribute_names(QueueAttributeName::ApproximateNumberOfMessagesNotVisible)
            .send()
            .await
            .map_err(queue_error)?;
        let count = |name: &QueueAttributeName| {
            out.attributes()
                .and_then(|a| a.get(name))
                .and_then(|v| v.parse::<u64>().ok())
                .unwrap_or(0)
        };
        Ok(count(&QueueAttributeName::ApproximateNumberOfMessages)
            + count(&QueueAttributeName::ApproximateNumberOfMessagesNotVisible))
    }

    /// Deletes a queue; one that is already gone is fine.
    pub async fn remove(&self, url: &str) -> Result<(), AwsError> {
        match self.client.delete_queue().queue_url(url).send().await {
            Ok(_) => Ok(()),
            Err(e) => match queue_error(e) {
                e if e.is_not_found() => Ok(()),
                e => Err(e),
            },
        }
    }

    /// The URLs of every peek queue.
    pub async fn peek_queues(&self) -> Result<Vec<String>, AwsError> {
        crate::aws::all_pages(|token| async move {
            let out = self
                .client
                .list_queues()
                .queue_name_prefix(PEEK_PREFIX)
                .set_next_token(token)
                .send()
                .await
                .map_err(queue_error)?;
            Ok((
                out.queue_urls().to_vec(),
                out.next_token().map(str::to_owned),
            ))
        })
        .await
    }
}

/// A pattern spread over tags of at most 256 characters each.
pub fn pattern_tags(pattern: &str) -> Vec<(String, String)> {
    let chars: Vec<char> = pattern.chars().collect();
    chars
        .chunks(TAG_VALUE_MAX)
        .enumerate()
        .map(|(i, chunk)| (format!("pattern{i}"), chunk.iter().collect()))
        .collect()
}

/// The pattern [`pattern_tags`] spread, put back together.
pub fn pattern_from_tags(tags: &HashMap<String, String>) -> Option<String> {
    let mut pattern = String::new();
    for i in 0.. {
        match tags.get(&format!("pattern{i}")) {
            Some(part) => pattern.push_str(part),
            None => break,
        }
    }
    (!pattern.is_empty()).then_some(pattern)
}

/// SQS failures, typed (a missing queue is `NotFound`, however SQS spells it).
fn queue_error<E, R>(err: aws_sdk_sqs::error::SdkError<E, R>) -> AwsError
where
    E: aws_sdk_sqs::error::ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
    aws_sdk_sqs::error::SdkError<E, R>: aws_sdk_sqs::operation::RequestId,
{
    let missing = err
        .as_service_error()
        .and_then(|e| e.code())
        .is_some_and(|code| code == "NonExistentQueue");
    let error = AwsError::from_sdk(Service::Sqs, err);
    if missing {
        return AwsError {
            kind: Kind::NotFound,
            ..error
        };
    }
    error
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_patterns_fit_in_tags() {
        let pattern = format!(r#"{{"detail":{{"note":["{}"]}}}}"#, "é".repeat(600));
        let tags: HashMap<String, String> = pattern_tags(&pattern).into_iter().collect();
        assert_eq!(tags.len(), 3);
        assert!(tags.values().all(|v| v.chars().count() <= TAG_VALUE_MAX));
        assert_eq!(pattern_from_tags(&tags), Some(pattern));
        assert_eq!(pattern_from_tags(&HashMap::new()), None);
    }
}
