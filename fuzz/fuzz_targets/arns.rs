//! ARNs: never panic; whatever parses matches EventBridge's pattern and its kind.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shared::validation::{ArchiveArn, EventBusArn, RuleArn, is_events_arn};

fuzz_target!(|text: &str| {
    let valid = is_events_arn(text);
    if let Ok(arn) = EventBusArn::parse(text) {
        assert!(valid);
        assert_eq!(arn.as_str(), text);
        assert!(text.contains(":event-bus/"));
    }
    if let Ok(arn) = ArchiveArn::parse(text) {
        assert!(valid);
        assert!(text.contains(":archive/"));
        let _ = arn.archive_name();
    }
    if RuleArn::parse(text).is_ok() {
        assert!(valid);
        assert!(text.contains(":rule/"));
    }
});
