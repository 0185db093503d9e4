//! "Who receives this replay" on Start replay: the panel follows the rule choice (and
//! with "only ticked" and nothing ticked says nobody receives it, and Start waits), an
//! admin opts a rule out through its dialog, away from the table, a viewer is offered no
//! opt-out.

use fantoccini::Locator;
use serde_json::json;
use shared::roles::Role;
use testkit::app::{Emulator, SHOP_ORDERS, TestApp, spawn_app_with};
use testkit::console::{Browser, Theme, dist, with_browser};

/// A bus with two live rules (one target each) and one opted out, and its archive.
async fn orders(app: &TestApp) {
    let bus = app.create_bus("orders").await;
    for (rule, kind) in [
        ("order-created", "OrderCreated"),
        ("order-shipped", "OrderShipped"),
        ("receipts", "OrderPaid"),
    ] {
        let mut pattern = json!({"source": ["shop.orders"], "detail-type": [kind]});
        if rule == "receipts" {
            pattern["replay-name"] = json!([{"exists": false}]);
        }
        app.create_rule("orders", rule, &pattern.to_string()).await;
        let target = aws_sdk_eventbridge::types::Target::builder()
            .id("queue")
            .arn(format!("arn:aws:sqs:us-east-1:000000000000:{rule}"))
            .build()
            .expect("target");
        app.sdk
            .put_targets()
            .event_bus_name("orders")
            .rule(rule)
            .targets(target)
            .send()
            .await
            .expect("target");
    }
    app.create_archive("orders-all", &bus, json!({})).await;
}

/// The delivery badge in the preview row of `rule`.
async fn delivery(b: &Browser, rule: &str) -> String {
    let xpath = format!(
        "//table[contains(@class,'preview-rules')]//tr[.//label[@class='rule-name' and normalize-space()='{rule}']]//span[contains(@class,'badge')]"
    );
    match b.client.find(Locator::XPath(&xpath)).await {
        Ok(cell) => cell.text().await.unwrap_or_default(),
        Err(_) => String::new(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_preview_follows_the_rule_choice_and_an_admin_opts_a_rule_out() {
    let app = spawn_app_with(Emulator::Ministack, |s| s.static_dir = dist()).await;
    orders(&app).await;
    let sdk = app.sdk.clone();
    app.in_browser("replay-preview", move |b| async move {
        b.open("/replays/new?archive=orders-all", "Start replay")
            .await;
        b.wait_text("#replay-preview", "Who receives this replay")
            .await;
        b.eventually("every rule classified", |b| async move {
            delivery(&b, "order-created").await == "Receives"
                && delivery(&b, "order-shipped").await == "Receives"
                && delivery(&b, "receipts").await == "Opted out: drops replays"
        })
        .await;
        b.wait_text("#receivers", "Will reach 2 rules and 2 targets.")
            .await;
        b.wait_text(
            ".warnings",
            "2 rules will receive these events (2 SQS queues); 1 rule opts out of replays.",
        )
        .await;

        // "Only the rules ticked" with none ticked: nobody receives it, no rule reads
        // "Receives", and Start waits, saying why.
        b.click(b.choice("Only the rules ticked").await).await;
        b.wait_text(
            ".preview-totals",
            "Nothing is ticked, so nothing would receive these events",
        )
        .await;
        b.eventually("no rule receives", |b| async move {
            delivery(&b, "order-created").await == "Not ticked"
                && delivery(&b, "order-shipped").await == "Not ticked"
        })
        .await;
        assert!(
            !b.is_enabled("Start replay").await,
            "Start with nothing ticked"
        );
        b.wait_text(
            "body",
            "Tick at least one rule in the preview, or replay to all rules.",
        )
        .await;

        // Only one rule: the other is no longer selected.
        b.click(b.choice("order-created").await).await;
        b.eventually("the choice reflected", |b| async move {
            delivery(&b, "order-shipped").await == "Not selected"
        })
        .await;
        b.wait_text("#receivers", "Will reach 1 rule and 1 target.")
            .await;

        assert!(b.is_enabled("Start replay").await);
        // The table offers no opt-out: it is below, in its own place.
        let in_table = b
            .client
            .find_all(Locator::XPath(
                "//table[contains(@class,'preview-rules')]//button",
            ))
            .await
            .unwrap_or_default();
        assert!(in_table.is_empty(), "an action inside the preview table");
        // An admin opts the chosen rule out, seeing the new pattern first.
        b.click(b.find(Locator::Css("details.risky summary")).await)
            .await;
        b.click(b.button("Opt order-created out of replays…").await)
            .await;
        b.wait_text("#opt-out-pattern", "\"replay-name\"").await;
        b.wait_text("#opt-out-pattern", "\"exists\": false").await;
        b.click(b.dialog_button("Opt out of replays").await).await;
        b.eventually("the rule opted out", |b| async move {
            delivery(&b, "order-created").await == "Opted out: drops replays"
        })
        .await;
        b.wait_text("#receivers", "No rule will receive these events.")
            .await;
        let rule = sdk
            .describe_rule()
            .name("order-created")
            .event_bus_name("orders")
            .send()
            .await
            .expect("rule");
        assert!(
            rule.event_pattern()
                .is_some_and(|p| p.contains(r#""replay-name":[{"exists":false}]"#)),
            "{rule:?}"
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_viewer_sees_the_preview_but_no_opt_out() {
    let app = spawn_app_with(Emulator::Ministack, |s| {
        s.static_dir = dist();
        s.local_role = Role::Viewer;
    })
    .await;
    // Arranged as an admin would: the viewer's own API refuses creating archives.
    let bus = app.create_bus("orders").await;
    app.create_rule("orders", "order-created", SHOP_ORDERS)
        .await;
    app.create_archive_directly("orders-all", &bus).await;
    with_browser(
        &app.address,
        "replay-preview-viewer",
        Theme::Dark,
        move |b: Browser| async move {
            b.open("/replays/new?archive=orders-all", "Start replay")
                .await;
            b.eventually("the rule classified", |b| async move {
                delivery(&b, "order-created").await == "Receives"
            })
            .await;
            let offers = b
                .client
                .find_all(Locator::XPath(
                    "//details[contains(@class,'risky')] | //button[contains(normalize-space(),'out of replays')]",
                ))
                .await
                .unwrap_or_default();
            assert!(offers.is_empty(), "a viewer was offered an opt-out");
        },
    )
    .await;
}

/// A replay routed to one target, ticked in the preview table: the preview shows the
/// temporary rule, the replay runs through it, and it is gone once the replay is over.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_routed_replay_is_started_from_the_preview_table() {
    let app = spawn_app_with(Emulator::Ministack, |s| s.static_dir = dist()).await;
    orders(&app).await;
    let sdk = app.sdk.clone();
    app.in_browser("replay-routed", move |b| async move {
        b.open("/replays/new?archive=orders-all", "Start replay")
            .await;
        b.type_into("Name", "routed-from-the-table").await;
        b.click(b.choice("Only the targets ticked").await).await;
        b.wait_text("#replay-preview", "sqs order-shipped").await;
        b.click(b.choice("sqs order-shipped").await).await;
        b.eventually("the routed rule in the preview", |b| async move {
            delivery(&b, "order-shipped").await == "Not selected"
                && b.texts("#replay-preview .badge")
                    .await
                    .iter()
                    .any(|t| t == "Routed here")
        })
        .await;
        b.wait_text("#receivers", "Will reach 1 rule and 1 target.")
            .await;
        b.click(b.button("Start replay").await).await;
        b.wait_heading("routed-from-the-table").await;
        b.wait_text(".badge", "COMPLETED").await;
        assert!(
            b.detail("Rules").await.contains("rewind-"),
            "{}",
            b.detail("Rules").await
        );
        let left = testkit::app::temporary_rules(&sdk, "orders").await;
        assert!(left.is_empty(), "{left:?}");
        // Whom it went to, said after its temporary rule is gone.
        b.open("/replays/routed-from-the-table", "routed-from-the-table")
            .await;
        assert_eq!(
            b.detail("Sent to").await,
            "target queue of rule order-shipped"
        );
    })
    .await;
}
