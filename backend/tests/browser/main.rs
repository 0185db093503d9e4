//! Browser tests: the real console (the built `dist/`) in headless Chromium over
//! WebDriver, served by the real backend, against ministack — or, for paging and live
//! progress, against the EventBridge stand-in. Elements are found by the accessible
//! names docs/console.md ("Accessible names") fixes. Each test saves a PNG of its final page under
//! `target/browser-screenshots/`.
// A test that cannot set itself up should stop loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod archives;
mod custom_buses;
mod forwarding;
mod gallery;
mod jobs;
mod now;
mod peek;
mod preview;
mod replays;
mod reports;
mod roles;
mod sign_in;
mod startup;
mod teams;
