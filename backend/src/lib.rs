//! Rewind's backend: the HTTP API of `docs/API.md` as one axum router over EventBridge,
//! in three layers whose imports point one way (a cycle fails `cargo xtask test`):
//!
//! - `http`: the router and its layers (request ids, the audit trail, the route guard,
//!   security headers), the routes (one module per resource), the extractors, the
//!   console's files, the local server and the Lambda entry. `main` decides how to serve.
//! - use-cases: `replays` (start, preview, watch and cancel; `replays::routing` makes
//!   and removes a routed replay's temporary rules), `peeks` (an archive peek, from start
//!   to stop) and `leftovers` (the scheduled sweep).
//! - `aws`: the adapters — `aws::eventbridge` (with `mapping`, the one place SDK types
//!   become DTOs, and `errors`, the one place AWS errors become API errors), `aws::sqs`,
//!   `aws::logs` — and the SDK configuration every client shares.
//!
//! Beside them: `state` (what every layer reaches), `caller` (who is calling), `audit`
//! (the trail's records and where they go), `configuration`, `error`, `random`,
//! `telemetry`.

pub mod audit;
pub mod aws;
pub mod caller;
pub mod configuration;
pub mod error;
pub mod http;
pub mod jobs;
pub mod leftovers;
pub mod peeks;
pub mod random;
pub mod replays;
pub mod reports;
pub mod state;
pub mod telemetry;
