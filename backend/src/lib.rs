//! Rewind's backend: the HTTP API of `docs/API.md` as one axum router over EventBridge.
//!
//! `startup` builds the router from an [`startup::AppState`]; `main` decides whether it
//! runs under Lambda or on a local port. Handlers live in `routes/` (one module per
//! resource) and reach EventBridge only through [`eventbridge::EventBridge`], whose
//! `mapping` module is the one place SDK types become DTOs and whose `errors` module is
//! the one place AWS errors become API errors. Archive peeks add SQS (`queues`), used by
//! `peeks` only. What Rewind made and no longer needs is removed by the
//! scheduled sweep (`leftovers`), never by a request.

pub mod audit;
pub mod auth;
pub mod configuration;
pub mod error;
pub mod eventbridge;
pub mod extract;
pub mod lambda;
pub mod leftovers;
pub mod openapi;
pub mod peeks;
pub mod queues;
pub mod random;
pub mod routes;
pub mod startup;
pub mod telemetry;
