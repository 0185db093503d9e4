//! The CloudWatch seam: `AWS/Events` metrics per rule, read with GetMetricData (Sum,
//! one-minute periods), as many rules and metrics per request as CloudWatch takes.

use crate::configuration::Settings;
use crate::error::ApiError;
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
    client: Client,
}

impl Metrics {
    pub fn from_settings(sdk_config: &aws_config::SdkConfig, settings: &Settings) -> Self {
        let config = aws_sdk_cloudwatch::config::Builder::from(sdk_config)
            .retry_config(crate::aws::retries())
            .timeout_config(crate::aws::timeouts(settings))
            .interceptor(crate::aws::calls::RecordCalls)
            .build();
        Self {
            client: Client::from_conf(config),
        }
    }

    /// Each of `metrics` for each of `rules` of `bus`, from `from` to `to`: keyed by
    /// (rule, metric). A rule or metric with no data has an empty series.
    pub async fn rule_series(
        &self,
        bus: &str,
        rules: &[String],
        metrics: &[&str],
        from: OffsetDateTime,
        to: OffsetDateTime,
    ) -> Result<HashMap<(String, String), Series>, ApiError> {
        let mut wanted = Vec::new();
        for rule in rules {
            for metric in metrics {
                wanted.push((rule.clone(), (*metric).to_owned()));
            }
        }
        let mut out: HashMap<(String, String), Series> = HashMap::new();
        for (chunk_index, chunk) in wanted.chunks(QUERIES_PER_REQUEST).enumerate() {
            let queries: Vec<MetricDataQuery> = chunk
                .iter()
                .enumerate()
                .map(|(i, (rule, metric))| query(&format!("q{chunk_index}_{i}"), bus, rule, metric))
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
                    .map_err(|e| crate::aws::eventbridge::from_sdk(e).in_service("CloudWatch"))?;
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

fn query(id: &str, bus: &str, rule: &str, metric: &str) -> MetricDataQuery {
    let dimension = |name: &str, value: &str| Dimension::builder().name(name).value(value).build();
    MetricDataQuery::builder()
        .id(id)
        .metric_stat(
            MetricStat::builder()
                .metric(
                    Metric::builder()
                        .namespace("AWS/Events")
                        .metric_name(metric)
                        .dimensions(dimension("EventBusName", bus))
                        .dimensions(dimension("RuleName", rule))
                        .build(),
                )
                .period(60)
                .stat("Sum")
                .build(),
        )
        .return_data(true)
        .build()
}
