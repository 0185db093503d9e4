//! Roles in the console: a viewer (`REWIND_LOCAL_ROLE=viewer`, the local preview of a
//! deployed viewer) sees no enabled "Delete archive" or "Start replay", and is told why.

use fantoccini::Locator;
use serde_json::json;
use shared::roles::Role;
use testkit::app::{Emulator, Operation, spawn_app_with};
use testkit::console::dist;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_viewer_cannot_delete_or_replay() {
    let app = spawn_app_with(Emulator::Ministack, |s| {
        s.static_dir = dist();
        s.local_role = Role::Viewer;
    })
    .await;
    let bus = app.bus_arn("default").await;
    // Arranged through the emulator: the API itself refuses a viewer's create.
    app.create_archive_directly("kept", &bus).await;
    let refused = app
        .call(
            Operation::CreateArchive,
            &[],
            Some(&json!({"archiveName": "nope", "eventSourceArn": bus})),
        )
        .await;
    refused.assert_error(403, "Forbidden", None);

    app.in_browser("roles-viewer", |b| async move {
        b.open("/archives/kept", "kept").await;
        b.wait_text("header .user", "viewer").await;
        b.wait_text(".role-note", "needs the admin role").await;
        for name in ["Delete archive", "Start replay", "Edit"] {
            let xpath =
                format!("//button[normalize-space()='{name}'] | //a[normalize-space()='{name}']");
            let controls = b
                .client
                .find_all(Locator::XPath(&xpath))
                .await
                .unwrap_or_default();
            assert!(!controls.is_empty(), "{name} should be shown, disabled");
            for control in controls {
                let enabled = control.is_enabled().await.unwrap_or(true);
                let is_link = control.tag_name().await.unwrap_or_default() == "a";
                assert!(!enabled && !is_link, "{name} is usable by a viewer");
            }
        }
        b.open("/replays", "Replays").await;
        assert!(!b.is_enabled("Start replay").await);
    })
    .await;
}
