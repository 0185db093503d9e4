//! Integration tests: the real backend on a random port, against a real EventBridge
//! emulator (ministack and moto, each test on both) over HTTP, and — for behaviour only
//! real AWS shows — against `standin`, a small EventBridge protocol server of our own.
// A test that cannot set itself up should stop loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod archives;
mod audit;
mod errors;
mod form_helpers;
mod forwarding;
mod guards;
mod jobs;
mod lambda;
mod leftovers;
mod local_guard;
mod now;
mod openapi;
mod peeks;
mod preview;
mod replays;
mod reports;
mod routing;
mod standin;
mod teams;
mod v2;
