//! Archive peeks against ministack (its replays reach SQS targets): exactly the window's
//! events, each once; nothing lost when a response is; nothing left behind.

use serde_json::{Value, json};
use std::collections::HashSet;
use std::time::Duration;
use testkit::app::{
    Emulator, FaultyProxy, Operation, ProxyFaults, Reply, TestApp, minutes_from_now, path, route,
    spawn_app, spawn_app_with,
};

/// Peek queues left on the emulator.
pub(crate) async fn peek_queues(app: &TestApp) -> Vec<String> {
    app.sqs()
        .list_queues()
        .queue_name_prefix("rewind-peek-")
        .send()
        .await
        .expect("list queues")
        .queue_urls()
        .to_vec()
}

/// Bus `orders` with an archive, then 4 OrderCreated and 2 OrderShipped events.
pub(crate) async fn orders(app: &TestApp) {
    let bus = app.create_bus("orders").await;
    app.create_archive("orders-all", &bus, json!({})).await;
    app.put_order_events("orders", 4).await;
    let shipped: Vec<aws_sdk_eventbridge::types::PutEventsRequestEntry> = (0..2)
        .map(|i| {
            aws_sdk_eventbridge::types::PutEventsRequestEntry::builder()
                .event_bus_name("orders")
                .source("shop.orders")
                .detail_type("OrderShipped")
                .detail(json!({"orderId": 100 + i}).to_string())
                .build()
        })
        .collect();
    app.sdk
        .put_events()
        .set_entries(Some(shipped))
        .send()
        .await
        .expect("put events");
}

/// Starts a peek of `orders-all` with `body`: the answer (201 checked) and the peek's id.
async fn start_peek(app: &TestApp, body: &Value) -> (Reply, String) {
    let started = app
        .call(Operation::StartPeek, &["orders-all"], Some(body))
        .await;
    assert_eq!(started.status, 201, "{}", started.body);
    let id = started.body["peekId"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    (started, id)
}

/// [`peek_body`] with `maxEvents`.
fn at_most(events: u32) -> Value {
    let mut body = peek_body(None);
    body["maxEvents"] = json!(events);
    body
}

pub(crate) fn peek_body(pattern: Option<&str>) -> Value {
    let mut body = json!({
        "eventStartTime": minutes_from_now(-10),
        "eventEndTime": minutes_from_now(1),
    });
    if let Some(pattern) = pattern {
        body["eventPattern"] = json!(pattern);
    }
    body
}

/// Reads a peek to its end through `base` (the app or a proxy in front of it), with
/// acknowledgements; `lose` is called before each read and may break that response.
async fn read_all(
    app: &TestApp,
    base: &str,
    id: &str,
    mut lose: impl FnMut(usize) -> bool,
) -> Vec<Value> {
    let mut events = Vec::new();
    let mut ack: Option<String> = None;
    for round in 0..120 {
        let mut url = format!("{base}{}", path(Operation::ReadPeek, &[id]));
        if let Some(a) = &ack {
            url = format!("{url}?ack={}", percent(a));
        }
        let broken = lose(round);
        // Through the proxy too, the request names the server's own host.
        let host = app.address.trim_start_matches("http://");
        let reply = app.http.get(&url).header("host", host).send().await;
        let body: Option<Value> = match reply {
            Ok(r) if r.status() == 200 => r.json().await.ok(),
            _ => None,
        };
        let Some(body) = body else {
            assert!(broken, "round {round}: a read failed unasked");
            continue; // Lost: read again with the previous acknowledgement.
        };
        assert!(!broken, "round {round}: the proxy let a response through");
        events.extend(body["events"].as_array().cloned().unwrap_or_default());
        ack = body["ack"].as_str().map(str::to_owned);
        if body["done"] == true {
            return events;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("the peek did not finish: {} events so far", events.len());
}

fn percent(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn ids(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .filter_map(|e| e["id"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_peek_returns_exactly_its_events_once_and_leaves_nothing() {
    let app = spawn_app(Emulator::Ministack).await;
    orders(&app).await;
    let created_only = peek_body(Some(r#"{"detail-type":["OrderCreated"]}"#));
    let (started, id) = start_peek(&app, &created_only).await;
    assert_eq!(started.body["maxEvents"], 200);
    assert_eq!(started.body["replayName"], format!("rewind-peek-{id}"));
    assert!(
        started
            .headers
            .get("location")
            .is_some_and(|l| l == &path(Operation::ReadPeek, &[&id]))
    );
    assert_eq!(app.temporary_rules("orders").await.len(), 1);

    let events = read_all(&app, &app.address, &id, |_| false).await;
    assert_eq!(events.len(), 4, "{events:?}");
    assert!(
        events
            .iter()
            .all(|e| e["detail-type"] == "OrderCreated" && e.get("replay-name").is_some())
    );
    let unique: HashSet<String> = ids(&events).into_iter().collect();
    assert_eq!(unique.len(), 4, "an event came twice");

    let stopped = app.call(Operation::StopPeek, &[&id], None).await;
    assert_eq!(stopped.status, 204, "{}", stopped.body);
    assert!(
        app.temporary_rules("orders").await.is_empty(),
        "the peek's rule stayed"
    );
    assert!(
        peek_queues(&app).await.is_empty(),
        "the peek's queue stayed"
    );
    app.call(Operation::ReadPeek, &[&id], None)
        .await
        .assert_error(404, "NotFound", None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_response_loses_nothing() {
    let app = spawn_app_with(Emulator::Ministack, |s| s.peek_redelivery_seconds = 2).await;
    orders(&app).await;
    let (_, id) = start_peek(&app, &peek_body(None)).await;
    // Every event is in the queue before the first read, so that read carries them all…
    filled_queue(&app, &id, 6).await;
    // …and its response is cut off on its way to the console.
    let proxy = FaultyProxy::start(app.address.clone()).await;
    let events = read_all(&app, &proxy.address, &id, |round| {
        let lose = round == 0;
        proxy.set(ProxyFaults {
            truncate_after: lose.then_some(20),
            ..Default::default()
        });
        lose
    })
    .await;
    let unique: HashSet<String> = ids(&events).into_iter().collect();
    assert_eq!(unique.len(), 6, "{events:?}");
    assert_eq!(events.len(), 6, "delivered twice: {events:?}");
    app.call(Operation::StopPeek, &[&id], None).await;
    assert!(peek_queues(&app).await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_peeks_are_refused_and_leave_nothing() {
    let app = spawn_app_with(Emulator::Ministack, |s| s.peek_max_minutes = 30).await;
    orders(&app).await;
    let long =
        json!({"eventStartTime": minutes_from_now(-40), "eventEndTime": minutes_from_now(-5)});
    let cases = [
        (long, 400, "ValidationError", "eventEndTime"),
        (
            json!({"eventStartTime": minutes_from_now(-5), "eventEndTime": minutes_from_now(-10)}),
            400,
            "ValidationError",
            "eventEndTime",
        ),
        (at_most(0), 400, "ValidationError", "maxEvents"),
        (at_most(1001), 400, "ValidationError", "maxEvents"),
        (
            peek_body(Some("{")),
            400,
            "InvalidEventPattern",
            "eventPattern",
        ),
        (
            peek_body(Some(r#"{"replay-name":[{"exists":false}]}"#)),
            400,
            "ValidationError",
            "eventPattern",
        ),
    ];
    for (body, status, code, field) in cases {
        app.call(Operation::StartPeek, &["orders-all"], Some(&body))
            .await
            .assert_error(status, code, Some(field));
    }
    app.call(Operation::StartPeek, &["ghost"], Some(&peek_body(None)))
        .await
        .assert_error(404, "NotFound", None);
    app.call(Operation::ReadPeek, &["not-an-id"], None)
        .await
        .assert_error(400, "ValidationError", Some("peekId"));
    app.call(Operation::ReadPeek, &["0123456789abcdef"], None)
        .await
        .assert_error(404, "NotFound", None);
    app.call(Operation::StopPeek, &["0123456789abcdef"], None)
        .await
        .assert_error(404, "NotFound", None);
    assert!(app.temporary_rules("orders").await.is_empty());
    assert!(peek_queues(&app).await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_peek_stops_at_max_events() {
    let app = spawn_app(Emulator::Ministack).await;
    orders(&app).await;
    let (_, id) = start_peek(&app, &at_most(2)).await;
    let events = read_all(&app, &app.address, &id, |_| false).await;
    assert_eq!(events.len(), 2, "{events:?}");
    let last = app.call(Operation::ReadPeek, &[&id], None).await;
    assert_eq!(last.body["peek"]["eventsDelivered"], 2, "{}", last.body);
    assert_eq!(last.body["done"], true);
    assert!(
        matches!(
            last.body["peek"]["state"].as_str(),
            Some("CANCELLING" | "CANCELLED" | "COMPLETED")
        ),
        "{}",
        last.body
    );
    let stopped = app.call(Operation::StopPeek, &[&id], None).await;
    assert_eq!(stopped.status, 204, "{}", stopped.body);
    assert!(peek_queues(&app).await.is_empty());
}

/// The URL of a peek's queue, once at least `messages` events wait in it.
async fn filled_queue(app: &TestApp, id: &str, messages: u32) -> String {
    let sqs = app.sqs();
    let queue = sqs
        .get_queue_url()
        .queue_name(format!("rewind-peek-{id}"))
        .send()
        .await
        .expect("queue")
        .queue_url()
        .unwrap_or_default()
        .to_owned();
    for _ in 0..100 {
        let waiting = sqs
            .get_queue_attributes()
            .queue_url(&queue)
            .attribute_names(aws_sdk_sqs::types::QueueAttributeName::ApproximateNumberOfMessages)
            .send()
            .await
            .ok()
            .and_then(|a| a.attributes().and_then(|a| a.values().next().cloned()))
            .and_then(|n| n.parse::<u32>().ok())
            .unwrap_or(0);
        if waiting >= messages {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    queue
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn max_events_bounds_what_is_handed_out_acknowledged_or_not() {
    let app = spawn_app_with(Emulator::Ministack, |s| s.peek_redelivery_seconds = 1).await;
    orders(&app).await;
    let (_, id) = start_peek(&app, &at_most(2)).await;
    let queue = filled_queue(&app, &id, 6).await;

    // The queue is encrypted at rest and carries its instance and its creator.
    let sqs = app.sqs();
    let attributes = sqs
        .get_queue_attributes()
        .queue_url(&queue)
        .attribute_names(aws_sdk_sqs::types::QueueAttributeName::All)
        .send()
        .await
        .expect("attributes");
    assert_eq!(
        attributes
            .attributes()
            .and_then(|a| a.get(&aws_sdk_sqs::types::QueueAttributeName::SqsManagedSseEnabled))
            .map(String::as_str),
        Some("true"),
        "{attributes:?}"
    );
    let tags = sqs
        .list_queue_tags()
        .queue_url(&queue)
        .send()
        .await
        .expect("tags");
    let tags = tags.tags().cloned().unwrap_or_default();
    assert_eq!(
        tags.get("rewind:instance").map(String::as_str),
        Some("local")
    );
    assert_eq!(tags.get("ownerSub").map(String::as_str), Some("local"));

    // A client that never acknowledges: every second the unacknowledged events become
    // visible again, yet no more than maxEvents are ever handed out.
    let mut handed_out = 0;
    for _ in 0..6 {
        let read = app.call(Operation::ReadPeek, &[&id], None).await;
        assert_eq!(read.status, 200, "{}", read.body);
        handed_out += read.body["events"].as_array().map_or(0, Vec::len);
        tokio::time::sleep(Duration::from_millis(700)).await;
    }
    assert_eq!(handed_out, 2, "six events waited; maxEvents is 2");
    let stopped = app.call(Operation::StopPeek, &[&id], None).await;
    assert_eq!(stopped.status, 204, "{}", stopped.body);
    assert!(peek_queues(&app).await.is_empty());
    assert!(app.temporary_rules("orders").await.is_empty());
}

/// Deployed (the Lambda event path, several verified callers): a peek is its creator's.
/// Others — another operator, the same `sub` from another issuer, even an admin — read
/// it as missing; the creator or an admin stops it; two peeks per person at most.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_peek_belongs_to_its_creator() {
    use crate::lambda::{deployed_router_with, event, invoke};
    let app = spawn_app(Emulator::Ministack).await;
    orders(&app).await;
    let (router, _) = deployed_router_with(&app.endpoint, |_| {}).await;
    let person = |sub: &str, issuer: &str, group: &str| {
        Some(json!({"sub": sub, "iss": issuer, "cognito:groups": format!("[{group}]")}))
    };
    let ana = person("ana", "https://issuer.example/one", "rewind-operators");
    let ana_elsewhere = person("ana", "https://issuer.example/two", "rewind-operators");
    let bob = person("bob", "https://issuer.example/one", "rewind-operators");
    let carol = person("carol", "https://issuer.example/one", "rewind-admins");
    let start = |who: &Option<Value>| {
        event(
            route(Operation::StartPeek, &["orders-all"]),
            who.clone(),
            Some(peek_body(None)),
        )
    };
    let read =
        |id: &str, who: &Option<Value>| event(route(Operation::ReadPeek, &[id]), who.clone(), None);
    let stop =
        |id: &str, who: &Option<Value>| event(route(Operation::StopPeek, &[id]), who.clone(), None);
    let (status, body) = invoke(&router, start(&ana)).await;
    assert_eq!(status, 201, "{body}");
    let first = body["peekId"].as_str().unwrap_or_default().to_owned();

    for (who, name) in [
        (&bob, "bob"),
        (&ana_elsewhere, "ana of another issuer"),
        (&carol, "an admin"),
    ] {
        let (status, body) = invoke(&router, read(&first, who)).await;
        assert_eq!(
            (status, body["error"]["code"].clone()),
            (404, json!("NotFound")),
            "{name} read it: {body}"
        );
    }
    let (status, _) = invoke(&router, stop(&first, &bob)).await;
    assert_eq!(status, 404, "bob stopped it");
    let (status, body) = invoke(&router, read(&first, &ana)).await;
    assert_eq!(status, 200, "{body}");

    // Two at once per person; the third is refused, someone else's is not.
    let (status, body) = invoke(&router, start(&ana)).await;
    assert_eq!(status, 201, "{body}");
    let second = body["peekId"].as_str().unwrap_or_default().to_owned();
    let (status, body) = invoke(&router, start(&ana)).await;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (409, json!("LimitExceeded")),
        "{body}"
    );
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("2 peeks"),
        "{body}"
    );
    let (status, body) = invoke(&router, start(&bob)).await;
    assert_eq!(status, 201, "{body}");
    let bobs = body["peekId"].as_str().unwrap_or_default().to_owned();

    // An admin may stop anyone's; then Ana has room again.
    let (status, body) = invoke(&router, stop(&first, &carol)).await;
    assert_eq!(status, 204, "{body}");
    let (status, body) = invoke(&router, start(&ana)).await;
    assert_eq!(status, 201, "{body}");
    let third = body["peekId"].as_str().unwrap_or_default().to_owned();

    for (id, who) in [(&second, &ana), (&third, &ana), (&bobs, &bob)] {
        let (status, body) = invoke(&router, stop(id, who)).await;
        assert_eq!(status, 204, "{body}");
    }
    assert!(peek_queues(&app).await.is_empty(), "a peek queue stayed");
    assert!(
        app.temporary_rules("orders").await.is_empty(),
        "a peek rule stayed"
    );
}

/// An event of `bytes` detail bytes on `orders`.
async fn put_large_event(app: &TestApp, order: u32, bytes: usize) {
    let detail = json!({"orderId": order, "blob": "x".repeat(bytes)}).to_string();
    app.put_event("orders", "OrderImported", detail).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_up_to_1_mb_are_peeked_with_their_sizes_4_mb_a_read() {
    let app = spawn_app(Emulator::Ministack).await;
    let bus = app.create_bus("orders").await;
    app.create_archive("orders-all", &bus, json!({})).await;
    // Five events of ~900 KB: 4.5 MB in all, more than one read's 4 MiB.
    for order in 0..5 {
        put_large_event(&app, order, 900_000).await;
    }
    let (_, id) = start_peek(&app, &peek_body(None)).await;
    filled_queue(&app, &id, 5).await;

    let mut seen = Vec::new();
    let mut ack: Option<String> = None;
    let mut reads_with_more = 0;
    for _ in 0..60 {
        let mut url = format!("{}{}", app.address, path(Operation::ReadPeek, &[&id]));
        if let Some(a) = &ack {
            url = format!("{url}?ack={}", percent(a));
        }
        let reply = app.http.get(&url).send().await.expect("read");
        assert_eq!(reply.status(), 200);
        let text = reply.text().await.expect("body");
        assert!(
            text.len() < 5 * 1024 * 1024,
            "a read answered {} bytes: more than a Lambda response holds",
            text.len()
        );
        let body: Value = serde_json::from_str(&text).expect("json");
        let events = body["events"].as_array().cloned().unwrap_or_default();
        let sizes = body["sizes"].as_array().cloned().unwrap_or_default();
        assert_eq!(sizes.len(), events.len(), "a size for each event");
        for (event, size) in events.iter().zip(&sizes) {
            let size = size.as_u64().expect("a size in bytes");
            assert!(size > 900_000 && size < 1_000_000, "{size}");
            assert_eq!(
                event["detail"]["blob"].as_str().map(str::len),
                Some(900_000)
            );
            seen.push(event["detail"]["orderId"].as_u64().expect("orderId"));
        }
        if body["more"] == true {
            reads_with_more += 1;
        }
        ack = body["ack"].as_str().map(str::to_owned);
        if body["done"] == true {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    seen.sort_unstable();
    seen.dedup();
    assert_eq!(seen, vec![0, 1, 2, 3, 4], "each large event arrives");
    assert!(
        reads_with_more >= 1,
        "4.5 MB came in one read: the 4 MiB budget did not hold"
    );
    let stopped = app.call(Operation::StopPeek, &[&id], None).await;
    assert!(
        stopped.status == 204 || stopped.status == 404,
        "{}",
        stopped.body
    );
    assert!(peek_queues(&app).await.is_empty());
}
