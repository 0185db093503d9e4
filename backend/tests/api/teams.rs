//! Teams, in the Lambda payload path with claims (as deployed): each team acts only on
//! its buses; the all-buses group keeps everything; no team group sees nothing. (With
//! `REWIND_TEAMS` unset every other test runs as before.) Paging through a sparse scope
//! is proven on the stand-in.

use crate::lambda::{ask, deployed_router_with};
use serde_json::{Value, json};
use testkit::app::{Emulator, EmulatorProcess, Operation, route, spawn_app_with, teams};
use testkit::standin::{Script, calls, spawn_with_standin};

const TEAMS: &str = "payments=payments-*,ledger;search=search-*";

fn claims(groups: &str) -> Value {
    json!({"sub": "ana", "email": "ana@example.com", "cognito:groups": groups})
}

/// Buses payments-eu, ledger, orders and search-a, an archive on each (two on
/// payments-eu), and a replay of the payments and of the orders archive.
async fn account(emulator: &EmulatorProcess) -> (String, String) {
    let sdk = testkit::app::eventbridge_client(&emulator.endpoint(), "test");
    let mut buses = Vec::new();
    for bus in ["payments-eu", "ledger", "orders", "search-a"] {
        let arn = sdk.create_event_bus().name(bus).send().await.expect("bus");
        buses.push(arn.event_bus_arn().unwrap_or_default().to_owned());
    }
    let mut archives = Vec::new();
    for (archive, bus) in [
        ("pay-1", 0),
        ("pay-2", 0),
        ("ledger-1", 1),
        ("ord-1", 2),
        ("search-1", 3),
    ] {
        let out = sdk
            .create_archive()
            .archive_name(archive)
            .event_source_arn(&buses[bus])
            .send()
            .await
            .expect("archive");
        archives.push(out.archive_arn().unwrap_or_default().to_owned());
    }
    let now = aws_sdk_eventbridge::primitives::DateTime::from_secs(
        time::OffsetDateTime::now_utc().unix_timestamp(),
    );
    let hour_ago = aws_sdk_eventbridge::primitives::DateTime::from_secs(now.secs() - 3600);
    for (replay, archive, bus) in [("pay-replay", 0, 0), ("ord-replay", 3, 2)] {
        sdk.start_replay()
            .replay_name(replay)
            .event_source_arn(&archives[archive])
            .event_start_time(hour_ago)
            .event_end_time(now)
            .destination(
                aws_sdk_eventbridge::types::ReplayDestination::builder()
                    .arn(&buses[bus])
                    .build()
                    .expect("destination"),
            )
            .send()
            .await
            .expect("replay");
    }
    (buses[2].clone(), archives[3].clone())
}

/// Every item of the list `list` that `op` answers, `limit` to a page, through every
/// page, checking no page is empty while it says there is more.
async fn all_pages(
    router: &axum::Router,
    (op, limit): (Operation, u32),
    list: &str,
    groups: &str,
) -> Vec<String> {
    let mut names = Vec::new();
    let mut token: Option<String> = None;
    for _ in 0..50 {
        let query = match &token {
            Some(t) => format!("limit={limit}&nextToken={t}"),
            None => format!("limit={limit}"),
        };
        let request = route(op, &[]).query(&query);
        let url = request.path.clone();
        let (status, body) = ask(router, request, Some(claims(groups)), None).await;
        assert_eq!(status, 200, "{url}: {body}");
        let items = body[list].as_array().cloned().unwrap_or_default();
        token = body["nextToken"].as_str().map(str::to_owned);
        assert!(
            !(items.is_empty() && token.is_some()),
            "an empty page with more to come: {body}"
        );
        names.extend(items.iter().filter_map(|i| {
            i["archiveName"]
                .as_str()
                .or(i["replayName"].as_str())
                .or(i["name"].as_str())
                .map(str::to_owned)
        }));
        if token.is_none() {
            break;
        }
    }
    names.sort();
    names
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_team_sees_and_acts_on_its_own_buses_only() {
    let emulator = EmulatorProcess::start(Emulator::Ministack).await;
    let (orders_bus, orders_archive) = account(&emulator).await;
    let (router, _audit) = deployed_router_with(&emulator.endpoint(), |s| {
        s.roles.teams = Some(teams(TEAMS));
    })
    .await;
    let payments_operator = "[rewind-operators rewind-team-payments]";
    let payments_admin = "[rewind-admins rewind-team-payments]";

    // Lists: paged one by one, only payments' buses (payments-*, ledger).
    assert_eq!(
        all_pages(
            &router,
            (Operation::ListArchives, 1),
            "archives",
            payments_operator
        )
        .await,
        ["ledger-1", "pay-1", "pay-2"]
    );
    assert_eq!(
        all_pages(
            &router,
            (Operation::ListReplays, 1),
            "replays",
            payments_operator
        )
        .await,
        ["pay-replay"]
    );
    assert_eq!(
        all_pages(
            &router,
            (Operation::ListEventBuses, 1),
            "eventBuses",
            payments_operator
        )
        .await,
        ["ledger", "payments-eu"]
    );
    // Another team's resources by name: not found.
    for request in [
        route(Operation::DescribeArchive, &["ord-1"]),
        route(Operation::DescribeReplay, &["ord-replay"]),
        route(Operation::ListRules, &["orders"]),
        route(Operation::DescribeEventBus, &["orders"]),
    ] {
        let path = request.path.clone();
        let (status, body) = ask(&router, request, Some(claims(payments_operator)), None).await;
        assert_eq!(
            (status, body["error"]["code"].clone()),
            (404, json!("NotFound")),
            "{path}: {body}"
        );
    }
    let (status, _) = ask(
        &router,
        route(Operation::CancelReplay, &["ord-replay"]),
        Some(claims(payments_operator)),
        None,
    )
    .await;
    assert_eq!(status, 404);
    // Writes naming another team's bus: forbidden, on the field.
    let start = json!({
        "replayName": "sneaky", "eventSourceArn": orders_archive,
        "eventStartTime": "2026-11-28T10:00:00Z", "eventEndTime": "2026-11-28T11:00:00Z",
        "destination": {"arn": orders_bus},
    });
    for op in [Operation::StartReplay, Operation::PreviewReplay] {
        let (status, body) = ask(
            &router,
            route(op, &[]),
            Some(claims(payments_operator)),
            Some(start.clone()),
        )
        .await;
        assert_eq!(
            (status, body["error"]["field"].clone()),
            (403, json!("destination.arn")),
            "{op:?}: {body}"
        );
    }
    let create = json!({"archiveName": "sneaky", "eventSourceArn": orders_bus});
    let (status, body) = ask(
        &router,
        route(Operation::CreateArchive, &[]),
        Some(claims(payments_admin)),
        Some(create),
    )
    .await;
    assert_eq!(
        (status, body["error"]["field"].clone()),
        (403, json!("eventSourceArn")),
        "{body}"
    );
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("payments — buses payments-*, ledger")),
        "{body}"
    );
    let (status, body) = ask(
        &router,
        route(Operation::OptRuleOutOfReplays, &["orders", "r"]),
        Some(claims(payments_admin)),
        None,
    )
    .await;
    assert_eq!(
        (status, body["error"]["field"].clone()),
        (403, json!("name")),
        "{body}"
    );
    let (status, _) = ask(
        &router,
        route(Operation::DeleteArchive, &["ord-1"]),
        Some(claims(payments_admin)),
        None,
    )
    .await;
    assert_eq!(status, 404, "another team deleted ord-1");
    let (status, _) = ask(
        &router,
        route(Operation::DescribeArchive, &["ord-1"]),
        Some(claims("[rewind-admins rewind-all-buses]")),
        None,
    )
    .await;
    assert_eq!(
        status, 200,
        "the orders archive was deleted by another team"
    );
    // Who am I.
    let (_, me) = ask(
        &router,
        route(Operation::Me, &[]),
        Some(claims(payments_operator)),
        None,
    )
    .await;
    assert_eq!(me["scope"], "teams");
    assert_eq!(
        me["teams"],
        json!([{"name": "payments", "eventBuses": ["payments-*", "ledger"]}])
    );

    // The all-buses group: everything.
    assert_eq!(
        all_pages(
            &router,
            (Operation::ListArchives, 2),
            "archives",
            "[rewind-viewers rewind-all-buses]"
        )
        .await,
        ["ledger-1", "ord-1", "pay-1", "pay-2", "search-1"]
    );
    let (_, me) = ask(
        &router,
        route(Operation::Me, &[]),
        Some(claims("[rewind-viewers rewind-all-buses]")),
        None,
    )
    .await;
    assert_eq!(
        (me["scope"].clone(), me["teams"].clone()),
        (json!("all"), json!([]))
    );
    // No team group: nothing, and no error.
    assert!(
        all_pages(
            &router,
            (Operation::ListArchives, 2),
            "archives",
            "[rewind-viewers]"
        )
        .await
        .is_empty()
    );
    let (_, me) = ask(
        &router,
        route(Operation::Me, &[]),
        Some(claims("[rewind-viewers]")),
        None,
    )
    .await;
    assert_eq!(
        (me["scope"].clone(), me["teams"].clone()),
        (json!("teams"), json!([]))
    );
}

/// 10,000 archives, 1 % of them on the caller's team's bus, 10 to a page: every page is
/// full or the last, never empty while there is more, and each request reads at most
/// 100 upstream pages. (STAND-IN: paging as AWS does it.)
#[tokio::test]
async fn standin_a_sparse_scope_still_fills_its_pages() {
    let (app, shared) = spawn_with_standin(
        Script {
            archive_count: 10_000,
            archive_bus_every: Some(100),
            ..Default::default()
        },
        |s| {
            s.roles.teams = Some(teams("payments=payments"));
            s.local_teams = vec!["payments".to_owned()];
        },
    )
    .await;
    let mut seen = Vec::new();
    let mut query = "limit=10".to_owned();
    let mut pages = 0;
    loop {
        let before = calls(&shared, "ListArchives").len();
        let reply = app
            .call_query(Operation::ListArchives, &[], &query, None)
            .await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        let upstream = calls(&shared, "ListArchives").len() - before;
        assert!(upstream <= 100, "{upstream} upstream pages for one request");
        let names: Vec<String> = reply.body["archives"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|a| a["archiveName"].as_str().map(str::to_owned))
            .collect();
        let token = reply.body["nextToken"].as_str().map(str::to_owned);
        assert!(
            !(names.is_empty() && token.is_some()),
            "empty page with more to come"
        );
        seen.extend(names);
        pages += 1;
        match token {
            Some(t) => query = format!("limit=10&nextToken={t}"),
            None => break,
        }
    }
    assert_eq!(seen.len(), 100, "{seen:?}");
    assert!(seen.iter().all(|n| n.ends_with("00")), "{seen:?}");
    // 100 pages of one, and a last empty one once the final upstream pages hold none.
    assert!(pages <= 101, "{pages} pages");
}

/// `REWIND_MAX_REPLAY_HOURS`: a longer window is refused on `eventEndTime`, saying the
/// cap, by the start and the preview alike.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replay_window_cap_is_enforced() {
    let app = spawn_app_with(Emulator::Ministack, |s| s.max_replay_hours = Some(1)).await;
    let bus = app.create_bus("orders").await;
    let archive = app.create_archive("orders-all", &bus, json!({})).await;
    let body = |minutes: i64| testkit::app::replay_body("capped", &archive, &bus, (-minutes, 0));
    for op in crate::routing::PREVIEW_AND_START {
        let refused = app.call(op, &[], Some(&body(61))).await;
        refused.assert_error(400, "ValidationError", Some("eventEndTime"));
        assert!(
            refused.body["error"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("at most 1 hour of events")),
            "{}",
            refused.body
        );
    }
    let within = app.call(Operation::StartReplay, &[], Some(&body(59))).await;
    assert_eq!(within.status, 201, "{}", within.body);
}
