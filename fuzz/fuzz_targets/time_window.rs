//! Replay windows and timestamps: never panic; a window that parses starts before it
//! ends, and a timestamp that parses formats back to something that parses the same.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shared::validation::ReplayWindow;

fuzz_target!(|input: (&str, &str)| {
    let (start, end) = input;
    if let Ok(window) = ReplayWindow::parse_text(start, end) {
        assert!(window.start() < window.end());
    }
    if let Ok(time) = shared::timestamp::parse(start) {
        let again = shared::timestamp::parse(&shared::timestamp::format(time))
            .expect("a formatted timestamp parses");
        assert_eq!(again, time);
    }
});
