//! Test support shared by the API and browser tests, the benches and xtask: processes
//! that never outlive their owner, one way to wait for a condition, a TLS front for
//! hostnames the emulators cannot serve, and a headless Chromium.

// Test support: a harness that cannot set itself up stops the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

pub mod app;
pub mod browser;
pub mod console;
pub mod emulator;
pub mod figures;
pub mod load;
pub mod process;
pub mod proxy;
pub mod seed;
pub mod standin;
pub mod stats;
pub mod tls;
pub mod wait;

pub use app::{Emulator, EmulatorProcess, TestApp, skip_on};
pub use process::ProcessGroup;
pub use wait::wait_until;

/// A free loopback port (another process may still take it before it is bound).
pub fn free_port() -> std::io::Result<u16> {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
}
