//! Property tests: no parser panics on any input, and every accepted value survives
//! serialise → parse unchanged.
// A test that cannot set itself up should stop loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use proptest::prelude::*;
use shared::archive::{ArchiveState, CreateArchiveRequest, UpdateArchiveRequest};
use shared::list::ListQuery;
use shared::replay::{ReplayState, StartReplayRequest};
use shared::validation::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn string_parsers_never_panic(s in any::<String>()) {
        let _ = ArchiveName::parse(&s);
        let _ = ReplayName::parse(&s);
        let _ = NamePrefix::parse(&s);
        let _ = EventBusName::parse(&s);
        let _ = Description::parse(&s);
        let _ = EventPattern::parse(&s);
        let _ = EventBusArn::parse(&s);
        let _ = ArchiveArn::parse(&s);
        let _ = RuleArn::parse(&s);
        let _ = KmsKeyIdentifier::parse(&s);
        let _ = NextToken::parse(&s);
        let _ = ListLimit::parse_text(&s);
        let _ = RetentionDays::parse_text(&s);
        let _ = ArchiveState::parse(&s);
        let _ = ReplayState::parse(&s);
        let _ = ReplayWindow::parse_text(&s, &s);
    }

    #[test]
    fn json_bodies_never_panic(s in any::<String>()) {
        if let Ok(r) = serde_json::from_str::<CreateArchiveRequest>(&s) { let _ = r.validate(); }
        if let Ok(r) = serde_json::from_str::<UpdateArchiveRequest>(&s) { let _ = r.validate(); }
        if let Ok(r) = serde_json::from_str::<StartReplayRequest>(&s) { let _ = r.validate(); }
    }

    #[test]
    fn numeric_parsers_never_panic(n in any::<i64>()) {
        let _ = RetentionDays::parse(n);
        let _ = ListLimit::parse(n);
    }

    #[test]
    fn patterns_of_any_json_never_panic(v in arb_json()) {
        let _ = EventPattern::parse(&v.to_string());
    }

    #[test]
    fn archive_names_round_trip(name in "[.\\-_A-Za-z0-9]{1,48}") {
        let parsed = ArchiveName::parse(&name).unwrap();
        let json = serde_json::to_string(&parsed).unwrap();
        let back: String = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(ArchiveName::parse(&back).unwrap(), parsed);
    }

    #[test]
    fn replay_names_round_trip(name in "[.\\-_A-Za-z0-9]{1,64}") {
        let parsed = ReplayName::parse(&name).unwrap();
        prop_assert_eq!(ReplayName::parse(parsed.as_str()).unwrap(), parsed);
    }

    #[test]
    fn arns_round_trip(region in "[a-z0-9-]{0,20}", account in "([0-9]{12})?", name in "[A-Za-z0-9._/-]{1,40}") {
        let arn = format!("arn:aws:events:{region}:{account}:event-bus/{name}");
        let parsed = EventBusArn::parse(&arn).unwrap();
        let json = serde_json::to_string(&parsed).unwrap();
        let back: String = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(EventBusArn::parse(&back).unwrap(), parsed);
    }

    #[test]
    fn create_requests_round_trip(
        name in "[.\\-_A-Za-z0-9]{1,48}",
        description in proptest::option::of(".{0,512}"),
        retention in proptest::option::of(0i64..100_000),
        source in "[a-z]{1,10}",
    ) {
        let request = CreateArchiveRequest {
            archive_name: name,
            event_source_arn: format!("arn:aws:events:us-east-1:123456789012:event-bus/{source}"),
            description,
            event_pattern: Some(format!(r#"{{"source":["{source}"]}}"#)),
            retention_days: retention,
            kms_key_identifier: None,
        };
        let validated = request.validate().unwrap();
        let json = serde_json::to_string(&request).unwrap();
        let back: CreateArchiveRequest = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(&back, &request);
        prop_assert_eq!(back.validate().unwrap(), validated);
    }

    #[test]
    fn replay_windows_round_trip(start in 0i64..4_000_000_000, length in 1i64..1_000_000) {
        let s = time::OffsetDateTime::from_unix_timestamp(start).unwrap();
        let e = time::OffsetDateTime::from_unix_timestamp(start + length).unwrap();
        let window = ReplayWindow::parse(s, e).unwrap();
        let text = ReplayWindow::parse_text(&shared::timestamp::format(s), &shared::timestamp::format(e)).unwrap();
        prop_assert_eq!(window, text);
    }

    #[test]
    fn list_queries_round_trip(prefix in proptest::option::of("[a-z]{1,10}"), limit in proptest::option::of(1u8..=100)) {
        let query = ListQuery { name_prefix: prefix, limit: limit.map(|l| l.to_string()), ..Default::default() };
        let json = serde_json::to_string(&query).unwrap();
        let back: ListQuery = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(&back, &query);
        prop_assert!(back.parse(EventBusArn::parse, ArchiveState::parse).is_ok());
    }
}

fn arb_json() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::Value;
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i32>().prop_map(Value::from),
        "[a-z$-]{0,8}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 32, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-z$-]{1,8}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}
