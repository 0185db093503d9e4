//! The OpenAPI document is the published contract: any change to it shows up here as a
//! diff of `backend/tests/openapi.json`. After a deliberate change, refresh the snapshot
//! with `REWIND_UPDATE_SNAPSHOT=1 cargo test -p rewind-backend --test api openapi`.

use testkit::app::workspace_root;

#[test]
fn the_document_matches_its_snapshot() {
    let snapshot = workspace_root().join("backend/tests/openapi.json");
    let current = serde_json::to_string_pretty(backend::openapi::document()).unwrap() + "\n";
    if std::env::var_os("REWIND_UPDATE_SNAPSHOT").is_some() {
        std::fs::write(&snapshot, &current).unwrap();
    }
    let expected = std::fs::read_to_string(&snapshot).unwrap_or_default();
    if current != expected {
        let first_difference = current
            .lines()
            .zip(expected.lines())
            .enumerate()
            .find(|(_, (now, before))| now != before)
            .map(|(line, (now, before))| {
                format!("line {}: now {now:?}, snapshot {before:?}", line + 1)
            })
            .unwrap_or_else(|| "one is a prefix of the other".to_owned());
        panic!(
            "the OpenAPI document changed ({first_difference}); if that is meant, run \
             REWIND_UPDATE_SNAPSHOT=1 cargo test -p rewind-backend --test api openapi"
        );
    }
}
