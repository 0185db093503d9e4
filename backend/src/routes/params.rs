//! The path parameters of the OpenAPI document, declared once for every route that
//! takes them (the handlers parse them with `shared`'s validated names).

#![allow(dead_code)] // Never built: they only describe the paths.

use utoipa::IntoParams;

/// `/api/archives/{name}…`
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct ArchivePath {
    /// Archive name
    #[param(
        example = "orders-all",
        min_length = 1,
        max_length = 48,
        pattern = r"^[\.\-_A-Za-z0-9]+$"
    )]
    name: String,
}

/// `/api/replays/{name}…`
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct ReplayPath {
    /// Replay name
    #[param(
        example = "orders-backfill-demo",
        min_length = 1,
        max_length = 64,
        pattern = r"^[\.\-_A-Za-z0-9]+$"
    )]
    name: String,
}

/// `/api/event-buses/{name}…`
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct EventBusPath {
    /// Event bus name
    #[param(
        example = "orders",
        min_length = 1,
        max_length = 256,
        pattern = r"^[/\.\-_A-Za-z0-9]+$"
    )]
    name: String,
}
