//! Signing in with an OpenID Connect provider: a FAKE provider served by this test
//! (authorize → code, token → ID token) that checks the PKCE verifier against the
//! challenge, as a real one does. The console is served with a `config.json` naming it.

use axum::Router;
use axum::extract::{Form, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::json;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use testkit::app::{Emulator, spawn_app_with};
use testkit::console::dist;

#[derive(Default)]
struct Provider {
    challenge: Option<String>,
    /// Token exchanges whose verifier matched the challenge.
    verified_exchanges: u32,
    logouts: u32,
}

type Shared = Arc<Mutex<Provider>>;

async fn authorize(State(p): State<Shared>, Query(q): Query<HashMap<String, String>>) -> Response {
    let ok = q.get("response_type").map(String::as_str) == Some("code")
        && q.get("code_challenge_method").map(String::as_str) == Some("S256")
        && q.get("client_id").map(String::as_str) == Some("rewind-test");
    if !ok {
        return (axum::http::StatusCode::BAD_REQUEST, "bad authorize request").into_response();
    }
    if let Ok(mut p) = p.lock() {
        p.challenge = q.get("code_challenge").cloned();
    }
    let redirect = format!(
        "{}?code=one-time-code&state={}",
        q.get("redirect_uri").cloned().unwrap_or_default(),
        q.get("state").cloned().unwrap_or_default()
    );
    Redirect::to(&redirect).into_response()
}

async fn token(State(p): State<Shared>, Form(form): Form<HashMap<String, String>>) -> Response {
    let cors = [("access-control-allow-origin", "*")];
    let verifier = form.get("code_verifier").cloned().unwrap_or_default();
    let computed = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    let Ok(mut p) = p.lock() else {
        return (axum::http::StatusCode::INTERNAL_SERVER_ERROR, cors, "lock").into_response();
    };
    let valid = form.get("grant_type").map(String::as_str) == Some("authorization_code")
        && form.get("code").map(String::as_str) == Some("one-time-code")
        && p.challenge.as_deref() == Some(computed.as_str());
    if !valid {
        return (
            axum::http::StatusCode::BAD_REQUEST,
            cors,
            axum::Json(json!({"error": "invalid_grant"})),
        )
            .into_response();
    }
    p.verified_exchanges += 1;
    let exp = time::OffsetDateTime::now_utc().unix_timestamp() + 3600;
    let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none"}"#);
    let claims = URL_SAFE_NO_PAD
        .encode(json!({"sub": "u-1", "email": "ana@example.com", "exp": exp}).to_string());
    let id_token = format!("{header}.{claims}.");
    (cors, axum::Json(json!({"id_token": id_token, "access_token": "a", "token_type": "Bearer", "expires_in": 3600}))).into_response()
}

async fn logout(State(p): State<Shared>) -> &'static str {
    if let Ok(mut p) = p.lock() {
        p.logouts += 1;
    }
    "signed out"
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signs_in_with_pkce_and_comes_back_to_the_page() {
    let provider: Shared = Arc::default();
    let router = Router::new()
        .route("/authorize", get(authorize))
        .route("/token", post(token))
        .route("/logout", get(logout))
        .with_state(provider.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind provider");
    let issuer = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, router).await });

    // The built console plus a config.json naming the fake provider.
    let console = std::env::temp_dir().join(format!("rewind-oidc-dist-{}", std::process::id()));
    std::fs::create_dir_all(&console).expect("dir");
    for entry in std::fs::read_dir(dist()).expect("dist").flatten() {
        if entry.path().is_file() {
            std::fs::copy(entry.path(), console.join(entry.file_name())).expect("copy");
        }
    }
    let config = json!({
        "auth": "oidc", "clientId": "rewind-test", "scopes": "openid email",
        "authorizeUrl": format!("{issuer}/authorize"), "tokenUrl": format!("{issuer}/token"),
        "logoutUrl": format!("{issuer}/logout"),
    });
    std::fs::write(console.join("config.json"), config.to_string()).expect("config");

    let served = console.clone();
    let app = spawn_app_with(Emulator::Ministack, |s| s.static_dir = served).await;
    app.in_browser("sign-in-oidc", |b| async move {
        b.goto("/archives?namePrefix=orders").await;
        // Off to the provider and back, to the page asked for.
        b.wait_text("header .user", "Signed in as ana@example.com")
            .await;
        b.wait_heading("Archives").await;
        assert_eq!(b.path().await, "/archives?namePrefix=orders");
        assert!(
            b.texts("[role='status']").await.is_empty(),
            "no local-mode banner when signed in"
        );

        b.click(b.button("Sign out").await).await;
        b.eventually("the provider's sign-out page", |b| async move {
            b.path().await.starts_with("/logout")
        })
        .await;
    })
    .await;
    let p = provider
        .lock()
        .map(|p| (p.verified_exchanges, p.logouts))
        .unwrap_or_default();
    assert_eq!(
        p,
        (1, 1),
        "one PKCE-verified token exchange and one sign-out"
    );
    let _ = std::fs::remove_dir_all(&console);
}
