//! Roles in the console: a viewer (`REWIND_LOCAL_ROLE=viewer`, the local preview of a
//! deployed viewer) sees no enabled "Delete archive" or "Start replay", and is told why.

use fantoccini::Locator;
use serde_json::json;
use testkit::app::{Emulator, spawn_app_with};
use testkit::console::{Browser, Theme, dist, with_browser};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_viewer_cannot_delete_or_replay() {
    let app = spawn_app_with(
        Emulator::Ministack,
        &dist(),
        &[("REWIND_LOCAL_ROLE", "viewer")],
    )
    .await;
    let bus = app.bus_arn("default").await;
    // Arranged through the emulator: the API itself refuses a viewer's create.
    app.sdk
        .create_archive()
        .archive_name("kept")
        .event_source_arn(&bus)
        .send()
        .await
        .expect("archive");
    let refused = app
        .post(
            "/api/archives",
            &json!({"archiveName": "nope", "eventSourceArn": bus}),
        )
        .await;
    refused.assert_error(403, "Forbidden", None);

    with_browser(
        &app.address,
        "roles-viewer",
        Theme::Light,
        |b: Browser| async move {
            b.goto("/archives/kept").await;
            b.wait_heading("kept").await;
            b.wait_text("header .user", "viewer").await;
            b.wait_text(".role-note", "needs the admin role").await;
            for name in ["Delete archive", "Start replay", "Edit"] {
                let xpath = format!(
                    "//button[normalize-space()='{name}'] | //a[normalize-space()='{name}']"
                );
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
            b.goto("/replays").await;
            b.wait_heading("Replays").await;
            assert!(
                !b.button("Start replay")
                    .await
                    .is_enabled()
                    .await
                    .unwrap_or(true)
            );
        },
    )
    .await;
}
