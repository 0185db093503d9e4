//! The local server: only its own Host names, nothing changed by another site's page,
//! and never an implicit admin under Lambda.

use testkit::app::{Emulator, HEALTH, Operation, spawn_app};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_foreign_host_and_a_cross_site_change_are_refused() {
    let app = spawn_app(Emulator::Ministack).await;
    // DNS rebinding: a name of the attacker's that resolves to 127.0.0.1.
    let rebound = app
        .send(
            app.request(Operation::ListArchives, &[])
                .header("host", "evil.example:3000"),
        )
        .await;
    rebound.assert_error(403, "Forbidden", None);
    let page = app
        .send(
            app.http
                .get(app.url("/archives"))
                .header("host", "evil.example"),
        )
        .await;
    assert_eq!(page.status, 403);
    // localhost and 127.0.0.1 on the server's port are its own.
    let port = app.address.rsplit(':').next().unwrap_or_default();
    for host in [format!("localhost:{port}"), format!("127.0.0.1:{port}")] {
        let ok = app
            .send(app.http.get(app.url(HEALTH)).header("host", &host))
            .await;
        assert_eq!(ok.status, 200, "{host}");
    }
    // A form on another site posting a cancel: refused before any handler.
    let cross = app
        .send(
            app.request(Operation::CancelReplay, &["r1"])
                .header("sec-fetch-site", "cross-site"),
        )
        .await;
    cross.assert_error(403, "Forbidden", None);
    // Reads from anywhere, and the console's own changes, go through.
    let read = app
        .send(
            app.request(Operation::ListArchives, &[])
                .header("sec-fetch-site", "cross-site"),
        )
        .await;
    assert_eq!(read.status, 200, "{}", read.body);
    let own = app
        .send(
            app.request(Operation::CancelReplay, &["r1"])
                .header("sec-fetch-site", "same-origin"),
        )
        .await;
    own.assert_error(404, "NotFound", None);
}

/// `REWIND_AUTH=none` with `AWS_LAMBDA_RUNTIME_API` set: the process stops with a message.
#[test]
fn no_sign_in_is_refused_under_lambda() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_rewind"))
        .env("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9")
        .env("REWIND_AUTH", "none")
        .output()
        .expect("run the backend");
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        said.contains("REWIND_AUTH") && said.contains("under Lambda"),
        "{said}"
    );
}
