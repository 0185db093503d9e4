//! Teams in the console: a team member (`REWIND_LOCAL_TEAMS`, the local preview of a
//! deployed member of `rewind-team-payments`) is shown their teams, and the bus and
//! archive pickers offer only their buses.

use testkit::app::{Emulator, spawn_app_with, teams};
use testkit::console::dist;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_team_members_pickers_list_only_their_buses() {
    let app = spawn_app_with(Emulator::Ministack, |s| {
        s.static_dir = dist();
        s.roles.teams = Some(teams("payments=payments-*;orders=orders"));
        s.local_teams = vec!["payments".to_owned()];
    })
    .await;
    for (bus, archive) in [("payments-eu", "payments-all"), ("orders", "orders-all")] {
        let arn = app.create_bus(bus).await;
        app.create_archive_directly(archive, &arn).await;
    }
    app.in_browser("teams-pickers", |b| async move {
        b.open("/archives/new", "Create archive").await;
        b.wait_text("header .user", "your teams: payments — buses payments-*")
            .await;
        b.eventually("the team's bus only", |b| async move {
            let names = b.texts("#event-bus option").await;
            names == ["payments-eu"]
        })
        .await;
        b.open("/replays/new", "Start replay").await;
        b.eventually("the team's archive only", |b| async move {
            let names = b.texts("#archive option").await;
            names.iter().any(|n| n.contains("payments-all"))
                && !names.iter().any(|n| n.contains("orders-all"))
        })
        .await;
        b.goto("/archives/orders-all").await;
        b.wait_text("main", "There is no archive named orders-all")
            .await;
    })
    .await;
}
