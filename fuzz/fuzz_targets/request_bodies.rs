//! Request bodies as JSON: never panic; `validate` succeeds exactly when `problems` is
//! empty, so the console and the backend agree on what is valid.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shared::archive::{CreateArchiveRequest, UpdateArchiveRequest};
use shared::replay::StartReplayRequest;

fuzz_target!(|body: &[u8]| {
    if let Ok(create) = serde_json::from_slice::<CreateArchiveRequest>(body) {
        assert_eq!(create.validate().is_ok(), create.problems().is_empty());
    }
    if let Ok(update) = serde_json::from_slice::<UpdateArchiveRequest>(body) {
        let _ = update.validate();
    }
    if let Ok(start) = serde_json::from_slice::<StartReplayRequest>(body) {
        assert_eq!(start.validate().is_ok(), start.problems().is_empty());
    }
});
