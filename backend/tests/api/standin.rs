//! Behaviour only real AWS shows, tested against the stand-in (`testkit::standin`), in
//! addition to the emulator tests.

use serde_json::{Value, json};
use testkit::app::{Operation, Reply, TestApp};
use testkit::standin::{ARCHIVE, BUS, Script, Shared, StandinRule, calls};

async fn spawn_with_standin(script: Script) -> (TestApp, Shared) {
    testkit::standin::spawn_with_standin(script, |_| {}).await
}

/// A replay of the stand-in's archive into its bus, over an hour of its past.
fn replay(name: &str) -> Value {
    json!({
        "replayName": name, "eventSourceArn": ARCHIVE,
        "eventStartTime": "2026-11-26T12:00:00Z", "eventEndTime": "2026-11-26T13:00:00Z",
        "destination": {"arn": BUS},
    })
}

/// [`replay`] routed to the target `queue` of rule `fulfil`.
fn routed_replay(name: &str) -> Value {
    let mut body = replay(name);
    body["routing"] = json!({"targets": [{"rule": "fulfil", "targetId": "queue"}]});
    body
}

/// The stand-in keeping rule `fulfil` of bus `orders` with these targets.
fn fulfil_with(targets: Vec<Value>) -> Script {
    Script {
        stateful_rules: true,
        rules: vec![StandinRule {
            bus: "orders".into(),
            name: "fulfil".into(),
            pattern: r#"{"source":["shop"]}"#.into(),
            targets,
            ..Default::default()
        }],
        ..Default::default()
    }
}

/// The stand-in answering every call with the AWS error `code`.
fn failing(code: &'static str) -> Script {
    Script {
        fail_with: Some(code),
        ..Default::default()
    }
}

/// The stand-in whose first CreateArchive and StartReplay answer past the backend's
/// attempt timeout (having created what they were asked).
fn slow_first_create() -> Script {
    Script {
        slow_first_create: Some(std::time::Duration::from_secs(3)),
        ..Default::default()
    }
}

/// The names of the rules the stand-in keeps.
fn rules_left(shared: &Shared) -> Vec<String> {
    shared
        .lock()
        .map(|s| s.rules.iter().map(|r| r.name.clone()).collect())
        .unwrap_or_default()
}

fn names(reply: &Reply) -> Vec<String> {
    reply.body["archives"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x["archiveName"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn standin_paging_passes_limit_and_token_through() {
    let (app, shared) = spawn_with_standin(Script {
        archive_count: 250,
        ..Default::default()
    })
    .await;
    let mut seen = Vec::new();
    let mut query = "limit=100".to_owned();
    let mut pages = 0;
    loop {
        let reply = app
            .call_query(Operation::ListArchives, &[], &query, None)
            .await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        seen.extend(names(&reply));
        pages += 1;
        match reply.body["nextToken"].as_str() {
            Some(token) => query = format!("limit=100&nextToken={token}"),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen.len(), 250);
    assert_eq!(seen.first().map(String::as_str), Some("archive-00000"));
    assert_eq!(seen.last().map(String::as_str), Some("archive-00249"));
    let sent = calls(&shared, "ListArchives");
    assert_eq!(sent[0]["Limit"], 100);
    assert!(sent[0].get("NextToken").is_none());
    assert_eq!(sent[1]["NextToken"], "after-100");
    assert_eq!(sent[2]["NextToken"], "after-200");
}

#[tokio::test]
async fn standin_running_replay_reports_progress() {
    let (app, _) = spawn_with_standin(Script::default()).await;
    let replay = app
        .call(Operation::DescribeReplay, &["running"], None)
        .await;
    assert_eq!(replay.status, 200, "{}", replay.body);
    assert_eq!(replay.body["state"], "RUNNING");
    assert_eq!(replay.body["progress"], 0.5);
    assert!(
        replay.body["eventLastReplayedTime"]
            .as_str()
            .is_some_and(|t| t.ends_with('Z'))
    );
    let list = app.call(Operation::ListReplays, &[], None).await;
    assert_eq!(list.body["replays"][0]["progress"], 0.25);
}

#[tokio::test]
async fn standin_cancelling_a_running_replay() {
    let (app, shared) = spawn_with_standin(Script::default()).await;
    let reply = app
        .call(Operation::CancelReplay, &["running"], Some(&json!({})))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.body["state"], "CANCELLING");
    assert!(
        reply.body["replayArn"]
            .as_str()
            .is_some_and(|a| a.ends_with(":replay/running"))
    );
    assert_eq!(calls(&shared, "CancelReplay")[0]["ReplayName"], "running");
}

#[tokio::test]
async fn standin_cancelling_a_finished_replay_is_illegal_status() {
    let (app, _) = spawn_with_standin(Script::default()).await;
    app.call(Operation::CancelReplay, &["done"], Some(&json!({})))
        .await
        .assert_error(409, "IllegalStatus", None);
}

#[tokio::test]
async fn standin_an_eleventh_active_replay_is_limit_exceeded() {
    let (app, shared) = spawn_with_standin(Script::default()).await;
    app.call(Operation::StartReplay, &[], Some(&replay("eleventh")))
        .await
        .assert_error(409, "LimitExceeded", None);
    // The destination was checked against the archive first.
    assert_eq!(calls(&shared, "DescribeArchive").len(), 1);
    assert_eq!(calls(&shared, "StartReplay")[0]["EventSourceArn"], ARCHIVE);
}

#[tokio::test]
async fn standin_concurrent_modification_is_409() {
    let (app, _) = spawn_with_standin(Script::default()).await;
    app.call(
        Operation::UpdateArchive,
        &["orders-all"],
        Some(&json!({"retentionDays": 1})),
    )
    .await
    .assert_error(409, "ConcurrentModification", None);
}

#[tokio::test]
async fn standin_persistent_throttling_is_429_after_retries() {
    let (app, shared) = spawn_with_standin(failing("ThrottlingException")).await;
    app.call(Operation::ListArchives, &[], None)
        .await
        .assert_error(429, "Throttled", None);
    assert_eq!(
        calls(&shared, "ListArchives").len(),
        3,
        "the SDK retries twice before giving up"
    );
}

#[tokio::test]
async fn standin_access_denied_is_403() {
    let (app, _) = spawn_with_standin(failing("AccessDeniedException")).await;
    app.call(Operation::DeleteArchive, &["orders-all"], None)
        .await
        .assert_error(403, "Forbidden", None);
}

#[tokio::test]
async fn standin_internal_error_is_502() {
    let (app, _) = spawn_with_standin(failing("InternalException")).await;
    app.call(Operation::DescribeArchive, &["orders-all"], None)
        .await
        .assert_error(502, "UpstreamError", None);
}

#[tokio::test]
async fn standin_unreadable_answer_is_502() {
    let (app, _) = spawn_with_standin(Script {
        garbage: Some("{\"Archives\": [tru"),
        ..Default::default()
    })
    .await;
    app.call(Operation::ListArchives, &[], None)
        .await
        .assert_error(502, "UpstreamError", None);
}

/// The first CreateArchive goes through upstream but answers after the attempt timeout;
/// the SDK retries and meets AlreadyExists. The user is told the truth: created.
#[tokio::test]
async fn standin_create_that_timed_out_after_succeeding_is_reported_created() {
    let (app, shared) = spawn_with_standin(slow_first_create()).await;
    let body = json!({
        "archiveName": "orders-retried", "eventSourceArn": BUS,
        "eventPattern": "{\"source\": [\"shop.orders\"]}", "retentionDays": 7,
    });
    let reply = app.call(Operation::CreateArchive, &[], Some(&body)).await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    assert_eq!(
        reply.body["archiveArn"],
        "arn:aws:events:us-east-1:123456789012:archive/orders-retried"
    );
    assert_eq!(reply.body["state"], "ENABLED");
    assert_eq!(
        calls(&shared, "CreateArchive").len(),
        2,
        "the SDK retried once"
    );
    assert_eq!(
        calls(&shared, "DescribeArchive").len(),
        1,
        "and the backend checked"
    );

    // A create that simply meets an existing archive is still AlreadyExists.
    let again = app.call(Operation::CreateArchive, &[], Some(&body)).await;
    again.assert_error(409, "AlreadyExists", None);
    // As is a retry that finds an archive of that name with other settings.
    let (app, _) = spawn_with_standin(Script {
        created: vec![(
            "CreateArchive".to_owned(),
            json!({"ArchiveName": "taken", "EventSourceArn": BUS, "RetentionDays": 1}),
        )],
        ..slow_first_create()
    })
    .await;
    let reply = app
        .call(
            Operation::CreateArchive,
            &[],
            Some(&json!({"archiveName": "taken", "eventSourceArn": BUS})),
        )
        .await;
    reply.assert_error(409, "AlreadyExists", None);
}

#[tokio::test]
async fn standin_replay_that_timed_out_after_starting_is_reported_started() {
    let (app, shared) = spawn_with_standin(slow_first_create()).await;
    let reply = app
        .call(Operation::StartReplay, &[], Some(&replay("retried")))
        .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    assert_eq!(
        reply.body["replayArn"],
        "arn:aws:events:us-east-1:123456789012:replay/retried"
    );
    assert_eq!(calls(&shared, "StartReplay").len(), 2);
}

/// EventBridge's default limit is 300 rules per bus: the preview lists every one, with
/// every target, through every page of ListRules and ListTargetsByRule.
#[tokio::test]
async fn standin_preview_lists_300_rules_with_every_target() {
    use testkit::standin::{RULES_PER_PAGE, TARGETS_PER_PAGE};
    let (app, shared) = spawn_with_standin(Script {
        rule_count: 300,
        targets_per_rule: 3,
        ..Default::default()
    })
    .await;
    let reply = app
        .call(Operation::PreviewReplay, &[], Some(&replay("fix")))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let rules = reply.body["rules"].as_array().cloned().unwrap_or_default();
    assert_eq!(rules.len(), 300);
    assert_eq!(rules[0]["name"], "rule-000");
    assert_eq!(rules[299]["name"], "rule-299");
    assert!(
        rules
            .iter()
            .all(|r| r["targets"].as_array().map(Vec::len) == Some(3))
    );
    let receiving = (0..300).filter(|i| i % 3 != 0 && i % 7 != 0).count();
    assert_eq!(reply.body["receivingRules"], receiving);
    assert_eq!(reply.body["receivingTargets"], receiving * 3);
    assert_eq!(rules[3]["delivery"], "optedOut");
    assert_eq!(rules[7]["delivery"], "disabled");
    assert_eq!(rules[1]["delivery"], "receives");
    // Every page of both lists was read, and nothing else was asked.
    // (The sweep lists `rewind-` rules too: the preview's own listing has no prefix.)
    let listings = calls(&shared, "ListRules")
        .into_iter()
        .filter(|c| c.get("NamePrefix").is_none())
        .count();
    assert_eq!(listings, 300 / RULES_PER_PAGE);
    assert_eq!(
        calls(&shared, "ListTargetsByRule").len(),
        300 * 3usize.div_ceil(TARGETS_PER_PAGE)
    );
    // Reads only. (The sweep's SQS calls reach the stand-in with no EventBridge target.)
    let writes: Vec<String> = shared
        .lock()
        .map(|s| {
            s.calls
                .iter()
                .map(|(t, _)| t.clone())
                .filter(|t| !(t.is_empty() || t.starts_with("List") || t.starts_with("Describe")))
                .collect()
        })
        .unwrap_or_default();
    assert!(writes.is_empty(), "{writes:?}");
}

/// ministack ignores `filterArns`, so what Rewind sends for a routed replay is proven
/// here, on the STAND-IN: StartReplay gets exactly the temporary rule, which carries an
/// exact copy of the chosen target — and when StartReplay fails (an eleventh active
/// replay), the temporary rule is removed before the 409 is answered.
#[tokio::test]
async fn standin_routed_replay_sends_its_temporary_rule_as_filter_arns_and_cleans_up_on_failure() {
    let chosen = json!({"Id": "queue", "Arn": "arn:aws:sqs:us-east-1:123456789012:fulfil",
        "RoleArn": testkit::app::TEST_TARGET_ROLE, "InputPath": "$.detail",
        "RetryPolicy": {"MaximumRetryAttempts": 2}});
    let (app, shared) = spawn_with_standin(fulfil_with(vec![
        chosen.clone(),
        json!({"Id": "other", "Arn": "arn:aws:sqs:us-east-1:123456789012:other"}),
    ]))
    .await;
    app.call(Operation::StartReplay, &[], Some(&routed_replay("fix")))
        .await
        .assert_error(409, "LimitExceeded", None);
    let put_rule = calls(&shared, "PutRule");
    assert_eq!(put_rule.len(), 1);
    let temporary = put_rule[0]["Name"].as_str().unwrap_or_default().to_owned();
    assert!(temporary.starts_with("rewind-"), "{temporary}");
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(
            put_rule[0]["EventPattern"].as_str().unwrap_or("{}")
        )
        .unwrap_or_default(),
        json!({"source": ["shop"], "replay-name": ["fix"]})
    );
    assert_eq!(calls(&shared, "PutTargets")[0]["Targets"], json!([chosen]));
    let start = calls(&shared, "StartReplay");
    assert_eq!(
        start[0]["Destination"]["FilterArns"],
        json!([format!(
            "arn:aws:events:us-east-1:123456789012:rule/orders/{temporary}"
        )])
    );
    assert_eq!(
        rules_left(&shared),
        ["fulfil"],
        "the temporary rule was left behind"
    );
    assert_eq!(calls(&shared, "DeleteRule")[0]["Name"], temporary.as_str());
}

/// On the STAND-IN, where another writer can be made to race Rewind: when the targets
/// read back after PutTargets are not exactly the planned ones, the temporary rule is
/// removed and the start refused before any replay is started.
#[tokio::test]
async fn standin_a_temporary_rule_whose_targets_are_not_exactly_the_planned_ones_is_removed() {
    let chosen = json!({"Id": "queue", "Arn": "arn:aws:sqs:us-east-1:123456789012:fulfil"});
    let (app, shared) = spawn_with_standin(Script {
        put_targets_also_adds: Some(
            json!({"Id": "intruder", "Arn": "arn:aws:events:us-east-1:999999999999:event-bus/elsewhere"}),
        ),
        ..fulfil_with(vec![chosen])
    })
    .await;
    let reply = app
        .call(Operation::StartReplay, &[], Some(&routed_replay("fix")))
        .await;
    reply.assert_error(502, "UpstreamError", None);
    assert!(
        reply.body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("exactly")),
        "{}",
        reply.body
    );
    assert!(
        calls(&shared, "StartReplay").is_empty(),
        "a replay was started"
    );
    assert_eq!(
        rules_left(&shared),
        ["fulfil"],
        "the temporary rule was left behind"
    );
}
