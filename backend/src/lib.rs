//! Rewind's backend: the HTTP API of `docs/API.md` as one axum router over EventBridge,
//! in three layers whose imports point one way (a cycle, a handler longer than 15 lines
//! or a use-case taking `AppState` fails `cargo xtask test`):
//!
//! - `http`: the router and its layers (request ids, the audit trail, the route guard,
//!   security headers), the routes (one module per resource: parse, call one use-case,
//!   answer), the extractors (`Ctx`, `Valid<T>`), the console's files, the local server
//!   and the Lambda entry. `main` decides how to serve.
//! - use-cases, each taking the request context (`context::Ctx`: the caller, their
//!   team's view of the adapters, the limits, the audit notes): `archives`, `buses`,
//!   `replays` (start, preview, watch and cancel), `routing` (a routed or forwarded
//!   replay's temporary rules), `jobs` (paced replays on Step Functions), `peeks`,
//!   `reports`, `now` (the on-call view) and `leftovers` (the scheduled sweep).
//! - `aws`: the adapters — `aws::eventbridge` (with `mapping`, the one place SDK types
//!   become DTOs), `aws::stepfunctions`, `aws::sqs`, `aws::cloudwatch`, `aws::logs`,
//!   the ledger — answering typed `aws::AwsError`s, and the SDK configuration every
//!   client shares.
//!
//! Beside them: `state` (what the routes hand the context), `caller` (who is calling),
//! `audit` (the trail's records and where they go), `configuration`, `error` (the one
//! place an error becomes an HTTP answer and its English), `random`, `telemetry`.

pub mod archives;
pub mod audit;
pub mod aws;
pub mod buses;
pub mod caller;
pub mod configuration;
pub mod context;
pub mod error;
pub mod http;
pub mod jobs;
pub mod leftovers;
pub mod now;
pub mod peeks;
pub mod random;
pub mod replays;
pub mod reports;
pub mod routing;
pub mod state;
pub mod telemetry;
pub mod v2;
