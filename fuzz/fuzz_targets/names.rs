//! Names, prefixes, descriptions, KMS keys, paging values: never panic; what parses
//! keeps its text and its limits.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shared::validation::{
    ArchiveName, Description, EventBusName, KmsKeyIdentifier, ListLimit, NamePrefix, NextToken,
    ReplayName, RetentionDays,
};

fuzz_target!(|text: &str| {
    if let Ok(name) = ArchiveName::parse(text) {
        assert_eq!(name.as_str(), text);
        assert!((1..=ArchiveName::MAX_LEN).contains(&text.chars().count()));
    }
    if let Ok(name) = ReplayName::parse(text) {
        assert!((1..=ReplayName::MAX_LEN).contains(&text.chars().count()));
        assert!(
            text.chars()
                .all(|c| c.is_ascii_alphanumeric() || ".-_".contains(c))
        );
        assert_eq!(name.as_str(), text);
    }
    let _ = NamePrefix::parse(text);
    if let Ok(bus) = EventBusName::parse(text) {
        assert_eq!(bus.as_str(), text);
    }
    let _ = Description::parse(text);
    let _ = KmsKeyIdentifier::parse(text);
    let _ = NextToken::parse(text);
    if let Ok(limit) = ListLimit::parse_text(text) {
        assert!((1..=100).contains(&limit.get()));
    }
    if let Ok(days) = RetentionDays::parse_text(text) {
        assert!(days.days() >= 0);
    }
    if let Ok(number) = text.parse::<i64>() {
        let _ = RetentionDays::parse(number);
        let _ = ListLimit::parse(number);
    }
});
