//! The path parameters of the OpenAPI document, declared once for every route that
//! takes them (the handlers parse them with `shared`'s validated names).

#![allow(dead_code)] // Never built: they only describe the paths.

use utoipa::IntoParams;

/// A `{name}` path parameter: its type, what it names, an example, its longest length
/// and its characters.
macro_rules! name_in_path {
    ($(#[$doc:meta])* $type:ident, $description:tt, $example:tt, $max:tt, $pattern:tt) => {
        $(#[$doc])*
        #[derive(IntoParams)]
        #[into_params(parameter_in = Path)]
        pub struct $type {
            #[doc = $description]
            #[param(example = $example, min_length = 1, max_length = $max, pattern = $pattern)]
            name: String,
        }
    };
}

name_in_path!(
    /// `/api/archives/{name}…`
    ArchivePath, "Archive name", "orders-all", 48, r"^[\.\-_A-Za-z0-9]+$"
);
name_in_path!(
    /// `/api/replays/{name}…`
    ReplayPath, "Replay name", "orders-backfill-demo", 64, r"^[\.\-_A-Za-z0-9]+$"
);
name_in_path!(
    /// `/api/event-buses/{name}…`
    EventBusPath, "Event bus name", "orders", 256, r"^[/\.\-_A-Za-z0-9]+$"
);

/// `/api/event-buses/{name}/rules/{rule}…`
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct RulePath {
    /// Rule name
    #[param(
        example = "order-created",
        min_length = 1,
        max_length = 64,
        pattern = r"^[\.\-_A-Za-z0-9]+$"
    )]
    rule: String,
}

/// `/api/peeks/{peekId}`
#[derive(IntoParams)]
#[into_params(parameter_in = Path, rename_all = "camelCase")]
pub struct PeekPath {
    /// Peek id
    #[param(
        example = "0123456789abcdef",
        min_length = 16,
        max_length = 16,
        pattern = r"^[0-9a-f]{16}$"
    )]
    peek_id: String,
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

/// `/api/replay-jobs/{jobName}…`
#[derive(IntoParams)]
#[into_params(parameter_in = Path, rename_all = "camelCase")]
pub struct JobPath {
    /// Replay job name
    #[param(
        example = "orders-nightly",
        min_length = 1,
        max_length = 56,
        pattern = r"^[\.\-_A-Za-z0-9]+$"
    )]
    job_name: String,
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
