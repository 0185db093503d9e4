//! Test support shared by the API and browser tests, the benches and xtask: processes
//! that never outlive their owner, one way to wait for a condition, a TLS front for
//! hostnames the emulators cannot serve, a headless Chromium, and the stand-in for the
//! Custom Event Bus (v2) that no emulator models (`eventsv2`, the `rewind-eventsv2` binary).

// Test support: a harness that cannot set itself up stops the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

/// A client of the AWS SDK crate `$sdk` on an emulator (or the stand-in) at `$endpoint`,
/// in us-east-1, signing with the static key `$key`.
#[macro_export]
macro_rules! emulator_client {
    ($sdk:ident, $endpoint:expr, $key:expr) => {
        $sdk::Client::from_conf(
            $sdk::Config::builder()
                .behavior_version($sdk::config::BehaviorVersion::latest())
                .region($sdk::config::Region::new("us-east-1"))
                .credentials_provider($sdk::config::Credentials::new(
                    $key, $key, None, None, "testkit",
                ))
                .endpoint_url($endpoint)
                .build(),
        )
    };
}

pub mod app;
pub mod browser;
pub mod console;
pub mod custom_bus;
pub mod emulator;
pub mod eventsv2;
pub mod figures;
pub mod load;
pub mod process;
pub mod proxy;
pub mod seed;
pub mod standin;
pub mod stats;
pub mod tls;
pub mod wait;

pub use app::{Emulator, EmulatorProcess, TestApp};
pub use process::ProcessGroup;
pub use wait::wait_until;

/// A free loopback port (another process may still take it before it is bound).
pub fn free_port() -> std::io::Result<u16> {
    // Never the same port twice in one process: a test that stops its emulator must meet
    // a refused connection there, not another test's emulator started on the freed port.
    static GIVEN: std::sync::Mutex<Vec<u16>> = std::sync::Mutex::new(Vec::new());
    loop {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .map(|address| address.port())?;
        let mut given = GIVEN
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if !given.contains(&port) {
            given.push(port);
            return Ok(port);
        }
    }
}
