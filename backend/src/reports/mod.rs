//! Replay reports: did the targets get it? For a replay, or a job's slices together:
//! CloudWatch's `AWS/Events` figures for the rules that carried it — a routed replay's
//! temporary rules (found in the replay's own `filterArns`, so also after they were
//! removed), else the bus's receiving rules, which share their figures with live traffic
//! — and, where the bus logs deliveries to CloudWatch Logs, per-target counts and errors.

pub mod bus_logs;
pub mod v2;

use crate::aws::cloudwatch::Series;
use crate::context::Ctx;
use crate::error::ApiError;
use shared::job::SliceState;
use shared::replay::Replay;
use shared::report::{METRICS, MinutePoint, ReplayReport, RuleReport, window};
use shared::routing::TemporaryRule;
use shared::validation::{EventBusArn, EventPattern, JobName, ReplayName};
use std::collections::{BTreeMap, HashMap};
use time::OffsetDateTime;

/// The most rules a report covers: the busiest (by `MatchedEvents`) when a bus has more.
pub const MAX_RULES: usize = 50;

/// The reports one caller may have computed in a minute (reads served from the cache
/// do not count): however many function instances serve them, a script looping over
/// every replay spends CloudWatch's quotas no faster than this.
pub const COMPUTED_PER_MINUTE: u32 = 30;

/// Spends one of the caller's computations of this minute, or `Throttled`.
async fn spend(ctx: &Ctx) -> Result<(), ApiError> {
    let ledger = &ctx.aws.ledger;
    if !ledger.exists() {
        return Ok(());
    }
    let now = OffsetDateTime::now_utc().unix_timestamp();
    let caller = format!(
        "{}|{}",
        ctx.caller.issuer.as_deref().unwrap_or_default(),
        ctx.caller.subject
    );
    let key = format!("reports#{caller}#{}", now / 60);
    if ledger.count_within(&key, COMPUTED_PER_MINUTE, now).await? {
        return Ok(());
    }
    Err(ApiError::new(
        shared::ErrorCode::Throttled,
        format!(
            "You had {COMPUTED_PER_MINUTE} reports computed in the last minute, the most one person may; a report read again within a minute costs nothing, and new ones can be read in a moment."
        ),
    ))
}

/// The cached report of `what` for this caller's scope, or the one `compute` makes (then
/// cached), spending one of the caller's computations.
async fn through(
    ctx: &Ctx,
    what: &str,
    compute: impl Future<Output = Result<ReplayReport, ApiError>>,
) -> Result<ReplayReport, ApiError> {
    let key = format!("{what}\n{:?}", ctx.scope());
    if let Some(report) = ctx.reports.get(&key) {
        return Ok(report);
    }
    spend(ctx).await?;
    let report = compute.await?;
    ctx.reports.put(key, &report);
    Ok(report)
}

/// A rule a report covers.
struct Reported {
    name: String,
    arn: String,
    temporary: bool,
}

pub async fn of_replay(ctx: &Ctx, name: &ReplayName) -> Result<ReplayReport, ApiError> {
    through(ctx, &format!("replay {name}"), async {
        let replay = ctx.visible().replay(name).await?;
        report(ctx, name.as_str(), &[replay]).await
    })
    .await
}

/// A v2 replay's temporary subscribers' figures (`v2`).
pub async fn of_v2_replay(ctx: &Ctx, name: &ReplayName) -> Result<ReplayReport, ApiError> {
    through(ctx, &format!("v2 replay {name}"), async {
        let copies = crate::v2::replays::copies(ctx, Some(name.as_str()))
            .await?
            .remove(name.as_str())
            .ok_or_else(|| ApiError::not_found(format!("There is no v2 replay named {name}.")))?;
        v2::report(ctx, name.as_str(), &copies).await
    })
    .await
}

/// Every slice of the job together.
pub async fn of_job(ctx: &Ctx, name: &JobName) -> Result<ReplayReport, ApiError> {
    through(ctx, &format!("job {name}"), async {
        let job = crate::jobs::read_only(ctx, name).await?;
        let mut replays = Vec::new();
        for slice in job.slices.iter().filter(|s| s.state != SliceState::Pending) {
            if let Ok(replay) = ReplayName::parse(&slice.replay_name) {
                replays.push(ctx.eventbridge().describe_replay(&replay).await?);
            }
        }
        report(ctx, name.as_str(), &replays).await
    })
    .await
}

async fn report(ctx: &Ctx, label: &str, replays: &[Replay]) -> Result<ReplayReport, ApiError> {
    let now = OffsetDateTime::now_utc();
    let started = replays
        .iter()
        .filter_map(|r| r.summary.replay_start_time)
        .min();
    let (Some(first), Some(started)) = (replays.first(), started) else {
        return Ok(ReplayReport {
            replay_name: label.to_owned(),
            from: now,
            to: now,
            complete: false,
            rules: Vec::new(),
            targets: None,
            notes: vec!["Nothing has been replayed yet, so there is nothing to report.".to_owned()],
        });
    };
    let ended = replays
        .iter()
        .map(|r| r.summary.replay_end_time)
        .collect::<Option<Vec<_>>>()
        .and_then(|ends| ends.into_iter().max());
    let (from, to, complete) = window(started, ended, now);
    let bus =
        EventBusArn::parse(&first.destination.arn).map_err(|e| ApiError::upstream(e.message))?;
    let mut rules = reported_rules(ctx, replays, bus.bus_name()).await?;
    let mut notes = Vec::new();
    // More rules than a report covers: one call for every rule's MatchedEvents picks the
    // busiest; their other figures come in a second.
    let mut matched: HashMap<(String, String), Series> = HashMap::new();
    if rules.len() > MAX_RULES {
        let names: Vec<String> = rules.iter().map(|r| r.name.clone()).collect();
        matched = ctx
            .aws
            .metrics
            .rule_series(bus.bus_name(), &names, &["MatchedEvents"], from, to)
            .await?;
        let total = |rule: &Reported| -> f64 {
            matched
                .get(&(rule.name.clone(), "MatchedEvents".to_owned()))
                .map_or(0.0, |s| s.iter().map(|(_, v)| v).sum())
        };
        rules.sort_by(|a, b| {
            total(b)
                .total_cmp(&total(a))
                .then_with(|| a.name.cmp(&b.name))
        });
        let left_out = rules.len() - MAX_RULES;
        rules.truncate(MAX_RULES);
        notes.push(format!(
            "This report covers the {MAX_RULES} busiest of the bus's receiving rules (by events matched in this window); {left_out} quieter rule{} left out.",
            if left_out == 1 { " is" } else { "s are" }
        ));
    }
    let shared_with_live = rules.iter().any(|r| !r.temporary);
    let names: Vec<String> = rules.iter().map(|r| r.name.clone()).collect();
    let wanted: Vec<&str> = if matched.is_empty() {
        METRICS.to_vec()
    } else {
        METRICS
            .iter()
            .copied()
            .filter(|m| *m != "MatchedEvents")
            .collect()
    };
    let by_arn: HashMap<String, String> = rules
        .iter()
        .map(|r| (r.arn.clone(), r.name.clone()))
        .collect();
    let mut log_notes = Vec::new();
    // The figures and the delivery log are read at the same time.
    let (series, targets) = tokio::join!(
        async {
            if names.is_empty() {
                return Ok(HashMap::new());
            }
            ctx.aws
                .metrics
                .rule_series(bus.bus_name(), &names, &wanted, from, to)
                .await
        },
        bus_log_targets(ctx, &bus, from, to, &by_arn, &mut log_notes)
    );
    let mut series = series?;
    series.extend(matched);
    if shared_with_live {
        notes.push(
            "These rules also receive live events: their figures count everything they handled in this window, not only the replay's events."
                .to_owned(),
        );
    }
    if !complete {
        notes.push(format!(
            "Figures still arriving: CloudWatch's metrics lag, so these may still grow until {} UTC.",
            minute(to + shared::report::SETTLE)
        ));
    }
    if rules.is_empty() {
        notes.push("No rule of the bus receives this replay, so nothing was delivered.".to_owned());
    }
    notes.extend(log_notes);
    Ok(ReplayReport {
        replay_name: label.to_owned(),
        from,
        to,
        complete,
        rules: rules
            .into_iter()
            .map(|rule| rule_report(rule, &series))
            .collect(),
        targets,
        notes,
    })
}

/// A routed replay's temporary rules (its `filterArns` of Rewind's shape); else the
/// bus's rules that receive it: enabled, with a pattern that admits it, among its
/// `filterArns` when it has any, not an archive's own rule.
async fn reported_rules(
    ctx: &Ctx,
    replays: &[Replay],
    bus: &str,
) -> Result<Vec<Reported>, ApiError> {
    let mut temporary: BTreeMap<String, Reported> = BTreeMap::new();
    for replay in replays {
        for arn in &replay.destination.filter_arns {
            let name = arn.rsplit('/').next().unwrap_or(arn);
            if TemporaryRule::is_rewind_name(name) {
                temporary.insert(
                    arn.clone(),
                    Reported {
                        name: name.to_owned(),
                        arn: arn.clone(),
                        temporary: true,
                    },
                );
            }
        }
    }
    if !temporary.is_empty() {
        return Ok(temporary.into_values().collect());
    }
    let rules = ctx.eventbridge().all_rules(bus).await?;
    Ok(rules
        .into_iter()
        .filter(|rule| {
            rule.state == shared::event_bus::RuleState::Enabled
                && !rule.is_archive_rule()
                && rule.event_pattern.as_deref().is_some_and(|p| {
                    EventPattern::parse(p).is_ok_and(|p| {
                        replays
                            .iter()
                            .any(|r| p.admits_replay(&r.summary.replay_name))
                    })
                })
                && replays.iter().any(|r| {
                    r.destination.filter_arns.is_empty()
                        || r.destination.filter_arns.contains(&rule.arn)
                })
        })
        .map(|rule| Reported {
            name: rule.name,
            arn: rule.arn,
            temporary: false,
        })
        .collect())
}

fn rule_report(rule: Reported, series: &HashMap<(String, String), Series>) -> RuleReport {
    let of = |metric: &str| -> &[(OffsetDateTime, f64)] {
        series
            .get(&(rule.name.clone(), metric.to_owned()))
            .map(Vec::as_slice)
            .unwrap_or_default()
    };
    // A fold from +0.0: an empty sum of floats is -0.0.
    let total = |metric: &str| of(metric).iter().fold(0.0, |sum, (_, v)| sum + v);
    RuleReport {
        matched_events: total("MatchedEvents"),
        invocations: total("Invocations"),
        failed_invocations: total("FailedInvocations"),
        invocations_sent_to_dlq: total("InvocationsSentToDlq"),
        invocations_failed_to_be_sent_to_dlq: total("InvocationsFailedToBeSentToDlq"),
        throttled_rules: total("ThrottledRules"),
        series: minute_points(of("Invocations"), of("FailedInvocations")),
        rule: rule.name,
        rule_arn: rule.arn,
        temporary: rule.temporary,
        shared_with_live_traffic: !rule.temporary,
    }
}

/// A chart's minutes: deliveries against failures, oldest first (minutes with neither
/// left out).
pub(crate) fn minute_points(
    delivered: &[(OffsetDateTime, f64)],
    failed: &[(OffsetDateTime, f64)],
) -> Vec<MinutePoint> {
    let mut minutes: BTreeMap<OffsetDateTime, (f64, f64)> = BTreeMap::new();
    for (time, value) in delivered {
        minutes.entry(*time).or_default().0 += value;
    }
    for (time, value) in failed {
        minutes.entry(*time).or_default().1 += value;
    }
    minutes
        .into_iter()
        .map(|(time, (invocations, failed_invocations))| MinutePoint {
            time,
            invocations,
            failed_invocations,
        })
        .collect()
}

/// Per-target counts from the bus's delivery log, or None with a note saying why not
/// (and, for a bus that does not log, how to turn it on).
async fn bus_log_targets(
    ctx: &Ctx,
    bus: &EventBusArn,
    from: OffsetDateTime,
    to: OffsetDateTime,
    rules: &HashMap<String, String>,
    notes: &mut Vec<String>,
) -> Option<Vec<shared::report::TargetReport>> {
    let name = bus.bus_name();
    let logs = &ctx.aws.bus_logs;
    let level = match ctx.eventbridge().bus_log_level(name).await {
        Ok(level) => level,
        Err(error) => {
            notes.push(format!(
                "The bus's logging could not be read ({}), so there are no per-target counts.",
                ApiError::from(error).message
            ));
            return None;
        }
    };
    let group = match level.as_deref() {
        Some("INFO" | "TRACE") => logs.group_of(bus.as_str()).await,
        _ => Ok(None),
    };
    match group {
        Ok(Some(group)) => {
            let mut tally = bus_logs::Tally::new(rules);
            match logs.scan(&group, from, to, |line| tally.add(line)).await {
                Ok(scan) => {
                    if scan.stopped_early {
                        notes.push(format!(
                            "The per-target counts stop at the first {} delivery records ({} pages of {group}); later deliveries in this window are not counted.",
                            scan.records, scan.pages
                        ));
                    }
                    Some(tally.finish())
                }
                Err(error) => {
                    notes.push(format!(
                        "Bus {name} logs to {group}, but Rewind could not read it ({}); its role reads only the log groups of the BusLogGroups parameter.",
                        ApiError::from(error).message
                    ));
                    None
                }
            }
        }
        Ok(None) => {
            notes.push(turn_logging_on(bus, level.as_deref()));
            None
        }
        Err(error) => {
            notes.push(format!(
                "Where bus {name} delivers its logs could not be read ({}), so there are no per-target counts.",
                ApiError::from(error).message
            ));
            None
        }
    }
}

/// `2026-12-02 04:57`, for sentences.
fn minute(t: OffsetDateTime) -> String {
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute()
    )
}

/// The note for a bus without delivery logs at INFO: the exact commands for this bus.
fn turn_logging_on(bus: &EventBusArn, level: Option<&str>) -> String {
    let name = bus.bus_name();
    let arn = bus.as_str();
    let mut parts = arn.split(':');
    let (partition, region, account) = (
        parts.nth(1).unwrap_or("aws"),
        parts.nth(1).unwrap_or("us-east-1"),
        parts.next().unwrap_or("123456789012"),
    );
    let why = match level {
        Some("ERROR") => format!("Bus {name} logs only errors, and no delivery successes"),
        Some(_) => format!("Bus {name} logs, but not to a CloudWatch Logs group Rewind can find"),
        None => format!("Bus {name} does not log its deliveries"),
    };
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    format!(
        "{why}, so there are no per-target counts. To turn bus logging on: aws events update-event-bus --name {name} --log-config Level=INFO,IncludeDetail=NONE && aws logs create-log-group --log-group-name /aws/vendedlogs/events/{safe} && aws logs put-delivery-source --name {safe}-info --resource-arn {arn} --log-type INFO_LOGS && aws logs put-delivery-destination --name {safe}-logs --delivery-destination-configuration destinationResourceArn=arn:{partition}:logs:{region}:{account}:log-group:/aws/vendedlogs/events/{safe} && aws logs create-delivery --delivery-source-name {safe}-info --delivery-destination-arn arn:{partition}:logs:{region}:{account}:delivery-destination:{safe}-logs"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_note_names_this_bus_and_its_log_group() {
        let bus = EventBusArn::parse("arn:aws:events:eu-west-1:123456789012:event-bus/orders")
            .unwrap_or_else(|e| panic!("{e}"));
        let note = turn_logging_on(&bus, None);
        assert!(note.starts_with("Bus orders does not log its deliveries"));
        assert!(note.contains(
            "aws events update-event-bus --name orders --log-config Level=INFO,IncludeDetail=NONE"
        ));
        assert!(note.contains(
            "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/vendedlogs/events/orders"
        ));
        assert!(turn_logging_on(&bus, Some("ERROR")).contains("logs only errors"));
    }
}
