//! What the form starts with: a name that says what and when, and a window inside the
//! archive's life.

use crate::api;
use crate::components::time_window::{Window, start_within};
use crate::format::{self, Zone};
use leptos::prelude::*;
use shared::archive::Archive;
use shared::validation::JobName;
use time::OffsetDateTime;

/// A name that says what and when: `orders-all-20261126-1305` (short enough for a job,
/// whose slices add a key and a number).
/// The replay's name: the one typed, else one suggested from `source` (an archive's or a
/// bus's name) until the user types. Answers the typed name's signal and the name shown.
pub fn typed_or_suggested(source: RwSignal<String>) -> (RwSignal<Option<String>>, Signal<String>) {
    let typed = RwSignal::new(None::<String>);
    let suggested = Memo::new(move |_| {
        let from = source.get();
        if from.is_empty() {
            String::new()
        } else {
            suggested_name(&from, crate::clock::now())
        }
    });
    (
        typed,
        Signal::derive(move || typed.get().unwrap_or_else(|| suggested.get())),
    )
}

pub fn suggested_name(archive: &str, now: OffsetDateTime) -> String {
    let stem: String = archive.chars().take(JobName::MAX_LEN - 14).collect();
    let when = format::input_value(now, Zone::Utc)
        .replace(['-', ':'], "")
        .replace('T', "-");
    format!("{stem}-{when}")
}

/// The archive named `name`, loaded (None while none is chosen, or it fails); a window
/// that starts before it existed is moved into its life.
pub fn chosen_archive(name: RwSignal<String>, window: Window) -> Signal<Option<Archive>> {
    let archive = LocalResource::new(move || {
        let name = name.get();
        async move {
            if name.is_empty() {
                return None;
            }
            let loaded = api::get_archive(name).await.ok();
            if let Some(a) = &loaded {
                start_within(a.summary.creation_time, window);
            }
            loaded
        }
    });
    Signal::derive(move || archive.get().flatten())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn suggested_names_are_valid_replay_names() {
        let name = suggested_name("orders-all", datetime!(2026-11-26 13:05 UTC));
        assert_eq!(name, "orders-all-20261126-1305");
        let long = suggested_name(&"a".repeat(48), datetime!(2026-11-26 13:05 UTC));
        assert!(shared::validation::ReplayName::parse(&long).is_ok());
        // Short enough to pace: a job name.
        assert!(JobName::parse(&long).is_ok());
    }
}
