//! Teams in the console: a team member (`REWIND_LOCAL_TEAMS`, the local preview of a
//! deployed member of `rewind-team-payments`) is shown their teams, and the bus and
//! archive pickers offer only their buses.

use fantoccini::Locator;
use testkit::app::{Emulator, spawn_app_with};
use testkit::console::{Browser, Theme, dist, with_browser};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_team_members_pickers_list_only_their_buses() {
    let app = spawn_app_with(
        Emulator::Ministack,
        &dist(),
        &[
            ("REWIND_TEAMS", "payments=payments-*;orders=orders"),
            ("REWIND_LOCAL_TEAMS", "payments"),
        ],
    )
    .await;
    for (bus, archive) in [("payments-eu", "payments-all"), ("orders", "orders-all")] {
        let arn = app.create_bus(bus).await;
        app.sdk
            .create_archive()
            .archive_name(archive)
            .event_source_arn(&arn)
            .send()
            .await
            .expect("archive");
    }
    with_browser(
        &app.address,
        "teams-pickers",
        Theme::Light,
        |b: Browser| async move {
            b.goto("/archives/new").await;
            b.wait_heading("Create archive").await;
            b.wait_text("header .user", "your teams: payments — buses payments-*")
                .await;
            b.eventually("the team's bus only", |b| async move {
                let options = b
                    .client
                    .find_all(Locator::Css("#event-bus option"))
                    .await
                    .unwrap_or_default();
                let mut names = Vec::new();
                for option in options {
                    names.push(option.text().await.unwrap_or_default());
                }
                names == ["payments-eu"]
            })
            .await;
            b.goto("/replays/new").await;
            b.wait_heading("Start replay").await;
            b.eventually("the team's archive only", |b| async move {
                let options = b
                    .client
                    .find_all(Locator::Css("#archive option"))
                    .await
                    .unwrap_or_default();
                let mut names = Vec::new();
                for option in options {
                    names.push(option.text().await.unwrap_or_default());
                }
                names.iter().any(|n| n.contains("payments-all"))
                    && !names.iter().any(|n| n.contains("orders-all"))
            })
            .await;
            b.goto("/archives/orders-all").await;
            b.wait_text("main", "There is no archive named orders-all")
                .await;
        },
    )
    .await;
}
