//! Event patterns and the pattern test: never panic, however deep or odd the JSON; a
//! pattern that parses is a JSON object within the size limit.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shared::event_pattern::TestEventPatternRequest;
use shared::validation::EventPattern;

fuzz_target!(|text: &str| {
    if let Ok(pattern) = EventPattern::parse(text) {
        assert!(pattern.as_str().len() <= 4096);
        let value: serde_json::Value =
            serde_json::from_str(pattern.as_str()).expect("a parsed pattern is JSON");
        assert!(value.is_object());
    }
    let mut middle = text.len() / 2;
    while !text.is_char_boundary(middle) {
        middle -= 1;
    }
    let (pattern, event) = text.split_at(middle);
    let _ = TestEventPatternRequest {
        event_pattern: pattern.to_owned(),
        event: event.to_owned(),
    }
    .validate();
});
