//! The path parameters of the OpenAPI document, declared once for every route that
//! takes them (the handlers parse them with `shared`'s validated names).

#![allow(dead_code)] // Never built: they only describe the paths.

use utoipa::IntoParams;

/// A path parameter: its type, its name, what it names, an example, its shortest and
/// longest length and its characters.
macro_rules! in_path {
    ($(#[$doc:meta])* $type:ident { $field:ident }, $description:tt, $example:tt, $min:tt..=$max:tt, $pattern:tt) => {
        $(#[$doc])*
        #[derive(IntoParams)]
        #[into_params(parameter_in = Path, rename_all = "camelCase")]
        pub struct $type {
            #[doc = $description]
            #[param(example = $example, min_length = $min, max_length = $max, pattern = $pattern)]
            $field: String,
        }
    };
}

in_path!(
    /// `/api/archives/{name}…`
    ArchivePath { name }, "Archive name", "orders-all", 1..=48, r"^[\.\-_A-Za-z0-9]+$"
);
in_path!(
    /// `/api/replays/{name}…`
    ReplayPath { name }, "Replay name", "orders-backfill-demo", 1..=64, r"^[\.\-_A-Za-z0-9]+$"
);
in_path!(
    /// `/api/event-buses/{name}…`
    EventBusPath { name }, "Event bus name", "orders", 1..=256, r"^[/\.\-_A-Za-z0-9]+$"
);
in_path!(
    /// `/api/event-buses/{name}/rules/{rule}…`
    RulePath { rule }, "Rule name", "order-created", 1..=64, r"^[\.\-_A-Za-z0-9]+$"
);
in_path!(
    /// `/api/peeks/{peekId}`
    PeekPath { peek_id }, "Peek id", "0123456789abcdef", 16..=16, r"^[0-9a-f]{16}$"
);
in_path!(
    /// `/api/replay-jobs/{jobName}…`
    JobPath { job_name }, "Replay job name", "orders-nightly", 1..=56, r"^[\.\-_A-Za-z0-9]+$"
);

in_path!(
    /// `/api/v2/replays/{replayName}…`
    V2ReplayPath { replay_name }, "V2 replay name", "orders-v2-fix", 1..=64, r"^[\.\-_A-Za-z0-9]+$"
);

/// The query of the v2 buses' and subscribers' lists.
#[derive(IntoParams)]
#[into_params(parameter_in = Query, rename_all = "camelCase")]
pub struct PageParams {
    /// The `nextToken` of the previous page.
    #[param(max_length = 2048)]
    next_token: Option<String>,
}

/// The query of `GET /api/v2/replays`.
#[derive(IntoParams)]
#[into_params(parameter_in = Query, rename_all = "camelCase")]
pub struct V2ReplayListParams {
    /// Only replays in this state.
    #[param(pattern = r"^(RUNNING|PAUSED|COMPLETED|STOPPED|FAILED)?$")]
    state: Option<String>,
    /// The `nextToken` of the previous page.
    #[param(max_length = 2048)]
    next_token: Option<String>,
}

/// The query of `/api/event-buses/{name}/rules`: as `shared::list::HelperListQuery`
/// reads it there, a rule-name prefix (the rule-name characters, at most 64).
#[derive(IntoParams)]
#[into_params(parameter_in = Query, rename_all = "camelCase")]
pub struct RuleListParams {
    /// Only rules whose names start with this.
    #[param(max_length = 64, pattern = r"^[\.\-_A-Za-z0-9]*$")]
    name_prefix: Option<String>,
    /// Page size, 1–100 (digits; empty counts as absent).
    #[param(pattern = r"^(0*([1-9][0-9]?|100))?$")]
    limit: Option<String>,
    /// The `nextToken` of the previous page.
    #[param(max_length = 2048)]
    next_token: Option<String>,
}

/// The query of `GET /api/replay-jobs`.
#[derive(IntoParams)]
#[into_params(parameter_in = Query, rename_all = "camelCase")]
pub struct JobListParams {
    /// Only jobs in this state.
    #[param(pattern = r"^(QUEUED|RUNNING|PAUSING|PAUSED|CANCELLING|CANCELLED|COMPLETED|FAILED)?$")]
    state: Option<String>,
    /// The `nextToken` of the previous page.
    #[param(max_length = 2048)]
    next_token: Option<String>,
}
