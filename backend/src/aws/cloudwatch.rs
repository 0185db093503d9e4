//! The CloudWatch seam: `AWS/Events` metrics per rule and `AWS/EventsV2` metrics per
//! subscriber, read with GetMetricData (Sum, one-minute periods), as many series per
//! request as CloudWatch takes.

use crate::aws::error::{AwsError, Service};
use crate::configuration::Settings;
use aws_sdk_cloudwatch::Client;
use aws_sdk_cloudwatch::primitives::DateTime;
use aws_sdk_cloudwatch::types::{Dimension, Metric, MetricDataQuery, MetricStat};
use std::collections::HashMap;
use time::OffsetDateTime;

/// GetMetricData takes at most 500 queries per request.
const QUERIES_PER_REQUEST: usize = 500;

/// One rule's series of one metric: (minute, sum), oldest first.
pub type Series = Vec<(OffsetDateTime, f64)>;

#[derive(Clone, Debug)]
pub struct Metrics {
    client: crate::aws::Lazy<Client>,
}

impl Metrics {
    pub fn from_settings(sdk_config: &aws_config::SdkConfig, settings: &Settings) -> Self {
        Self {
            client: crate::aws::client!(aws_sdk_cloudwatch, sdk_config, settings),
        }
    }

    /// Each of `metrics` (`AWS/Events`) for each of `rules` of `bus`, from `from` to
    /// `to`: keyed by (rule, metric). A rule or metric with no data has an empty series.
    pub async fn rule_series(
        &self,
        bus: &str,
        rules: &[String],
        metrics: &[&str],
        from: OffsetDateTime,
        to: OffsetDateTime,
    ) -> Result<HashMap<(String, String), Series>, AwsError> {
        let of = Of {
            namespace: "AWS/Events",
            fixed: ("EventBusName", bus),
            each: "RuleName",
            stat: "Sum",
        };
        self.series(&of, rules, metrics, from, to).await
    }

    /// Each of `metrics` (`AWS/EventsV2`) for each of `subscribers` (ARNs) of the v2 bus
    /// `bus` (ARN), keyed by (subscriber, metric).
    pub async fn subscriber_series(
        &self,
        bus: &str,
        subscribers: &[String],
        metrics: &[&str],
        from: OffsetDateTime,
        to: OffsetDateTime,
    ) -> Result<HashMap<(String, String), Series>, AwsError> {
        let of = Of {
            namespace: "AWS/EventsV2",
            fixed: ("EventBus", bus),
            each: "Subscriber",
            stat: "Sum",
        };
        self.series(&of, subscribers, metrics, from, to).await
    }

    /// Each subscriber's `ApproximateBacklogAge` (`AWS/EventsV2`, Maximum per minute)
    /// from `from` to `to`, keyed by subscriber: 0 when nothing it should deliver is
    /// waiting.
    pub async fn backlog_ages(
        &self,
        bus: &str,
        subscribers: &[String],
        from: OffsetDateTime,
        to: OffsetDateTime,
    ) -> Result<HashMap<String, Series>, AwsError> {
        let of = Of {
            namespace: "AWS/EventsV2",
            fixed: ("EventBus", bus),
            each: "Subscriber",
            stat: "Maximum",
        };
        let series = self
            .series(&of, subscribers, &["ApproximateBacklogAge"], from, to)
            .await?;
        Ok(series
            .into_iter()
            .map(|((subscriber, _), series)| (subscriber, series))
            .collect())
    }

    async fn series(
        &self,
        of: &Of<'_>,
        keys: &[String],
        metrics: &[&str],
        from: OffsetDateTime,
        to: OffsetDateTime,
    ) -> Result<HashMap<(String, String), Series>, AwsError> {
        let mut wanted = Vec::new();
        for rule in keys {
            for metric in metrics {
                wanted.push((rule.clone(), (*metric).to_owned()));
            }
        }
        let mut out: HashMap<(String, String), Series> = HashMap::new();
        for (chunk_index, chunk) in wanted.chunks(QUERIES_PER_REQUEST).enumerate() {
            let queries: Vec<MetricDataQuery> = chunk
                .iter()
                .enumerate()
                .map(|(i, (key, metric))| query(&format!("q{chunk_index}_{i}"), of, key, metric))
                .collect();
            let mut token: Option<String> = None;
            loop {
                let page = self
                    .client
                    .get_metric_data()
                    .set_metric_data_queries(Some(queries.clone()))
                    .start_time(DateTime::from_secs(from.unix_timestamp()))
                    .end_time(DateTime::from_secs(to.unix_timestamp()))
                    .set_next_token(token.take())
                    .send()
                    .await
                    .map_err(|e| AwsError::from_sdk(Service::CloudWatch, e))?;
                for result in page.metric_data_results() {
                    let Some(index) = result
                        .id()
                        .and_then(|id| id.rsplit('_').next())
                        .and_then(|i| i.parse::<usize>().ok())
                    else {
                        continue;
                    };
                    let Some(key) = chunk.get(index) else {
                        continue;
                    };
                    let series = out.entry(key.clone()).or_default();
                    for (time, value) in result.timestamps().iter().zip(result.values()) {
                        if let Ok(time) = OffsetDateTime::from_unix_timestamp(time.secs()) {
                            series.push((time, *value));
                        }
                    }
                }
                match page.next_token().filter(|t| !t.is_empty()) {
                    Some(next) => token = Some(next.to_owned()),
                    None => break,
                }
            }
        }
        for series in out.values_mut() {
            series.sort_by_key(|(time, _)| *time);
        }
        Ok(out)
    }
}

/// Which metrics: a namespace, one dimension every query shares, and the dimension each
/// key fills.
struct Of<'a> {
    namespace: &'static str,
    fixed: (&'static str, &'a str),
    each: &'static str,
    /// The statistic read (Sum for counts).
    stat: &'static str,
}

fn query(id: &str, of: &Of<'_>, key: &str, metric: &str) -> MetricDataQuery {
    let dimension = |name: &str, value: &str| Dimension::builder().name(name).value(value).build();
    MetricDataQuery::builder()
        .id(id)
        .metric_stat(
            MetricStat::builder()
                .metric(
                    Metric::builder()
                        .namespace(of.namespace)
                        .metric_name(metric)
                        .dimensions(dimension(of.fixed.0, of.fixed.1))
                        .dimensions(dimension(of.each, key))
                        .build(),
                )
                .period(60)
                .stat(of.stat)
                .build(),
        )
        .return_data(true)
        .build()
}
