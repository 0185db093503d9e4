//! List query strings as the backend reads them: never panic; at most one filter passes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shared::archive::ArchiveState;
use shared::list::{HelperListQuery, ListFilter, ListQuery};
use shared::replay::ReplayState;
use shared::validation::{ArchiveArn, EventBusArn};

fuzz_target!(|query: &[u8]| {
    if let Ok(list) = serde_urlencoded::from_bytes::<ListQuery>(query) {
        if let Ok(request) = list.parse(EventBusArn::parse, ArchiveState::parse) {
            let filters = [
                list.name_prefix.as_deref(),
                list.event_source_arn.as_deref(),
                list.state.as_deref(),
            ];
            let given = filters.iter().flatten().filter(|v| !v.is_empty()).count();
            assert!(given <= 1);
            assert_eq!(given == 0, request.filter == ListFilter::All);
        }
        let _ = list.parse(ArchiveArn::parse, ReplayState::parse);
    }
    if let Ok(helper) = serde_urlencoded::from_bytes::<HelperListQuery>(query) {
        let _ = helper.name_prefix();
        let _ = helper.rule_name_prefix();
        let _ = helper.page();
    }
});
