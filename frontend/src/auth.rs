//! Signing in. Locally (`config.json` says `none`) nobody signs in and a banner says so.
//! Deployed, the console signs in with the configured OpenID Connect provider
//! (authorization code + PKCE, no secret), keeps the ID token in sessionStorage (this
//! tab only) and sends it as `Authorization: Bearer`; API Gateway's JWT authorizer
//! checks it. When the API answers 401 the console signs in again and comes back to the
//! same page.

use gloo_net::http::Request;
use js_sys::Uint8Array;
use serde_json::Value;
use shared::console::ConsoleConfig;
use std::cell::RefCell;
use wasm_bindgen_futures::JsFuture;

const TOKEN: &str = "rewind.idToken";
const VERIFIER: &str = "rewind.pkce.verifier";
const STATE: &str = "rewind.pkce.state";
const RETURN_TO: &str = "rewind.returnTo";
/// Where the provider sends the browser back (registered as the callback URL).
pub const CALLBACK_PATH: &str = "/auth/callback";

thread_local! {
    static CONFIG: RefCell<Option<ConsoleConfig>> = const { RefCell::new(None) };
}

/// Who uses the console.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Session {
    /// Local mode: no sign-in.
    Local,
    /// Signed in; `who` is the email (or subject) from the ID token.
    SignedIn { who: String },
    /// On the way to the provider's sign-in page.
    Redirecting,
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}

fn stored(key: &str) -> Option<String> {
    storage()?.get_item(key).ok().flatten()
}

fn store(key: &str, value: &str) {
    if let Some(s) = storage() {
        let _ = s.set_item(key, value);
    }
}

fn forget(key: &str) {
    if let Some(s) = storage() {
        let _ = s.remove_item(key);
    }
}

fn origin() -> String {
    web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default()
}

fn here() -> String {
    web_sys::window()
        .map(|w| {
            let l = w.location();
            format!(
                "{}{}",
                l.pathname().unwrap_or_default(),
                l.search().unwrap_or_default()
            )
        })
        .unwrap_or_else(|| "/".to_owned())
}

fn encode(value: &str) -> String {
    String::from(js_sys::encode_uri_component(value))
}

/// base64url without padding, via the browser's `btoa`.
fn base64url(bytes: &[u8]) -> String {
    let binary: String = bytes.iter().map(|b| char::from(*b)).collect();
    let b64 = web_sys::window()
        .and_then(|w| w.btoa(&binary).ok())
        .unwrap_or_default();
    b64.trim_end_matches('=')
        .replace('+', "-")
        .replace('/', "_")
}

fn random(len: usize) -> Result<String, String> {
    let mut bytes = vec![0u8; len];
    let crypto = web_sys::window()
        .and_then(|w| w.crypto().ok())
        .ok_or("This browser has no Web Crypto.")?;
    crypto
        .get_random_values_with_u8_array(&mut bytes)
        .map_err(|_| "No random numbers available.")?;
    Ok(base64url(&bytes))
}

async fn sha256(text: &str) -> Result<Vec<u8>, String> {
    let crypto = web_sys::window()
        .and_then(|w| w.crypto().ok())
        .ok_or("This browser has no Web Crypto.")?;
    let promise = crypto
        .subtle()
        .digest_with_str_and_u8_array("SHA-256", text.as_bytes())
        .map_err(|_| "SHA-256 is not available.")?;
    let digest = JsFuture::from(promise)
        .await
        .map_err(|_| "SHA-256 failed.")?;
    Ok(Uint8Array::new(&digest).to_vec())
}

/// The claims of a JWT (not verified here: API Gateway verifies it on every call).
fn claims(token: &str) -> Option<Value> {
    let payload = token.split('.').nth(1)?;
    let mut b64 = payload.replace('-', "+").replace('_', "/");
    while b64.len() % 4 != 0 {
        b64.push('=');
    }
    let binary = web_sys::window()?.atob(&b64).ok()?;
    let bytes: Vec<u8> = binary.chars().map(|c| c as u32 as u8).collect();
    serde_json::from_slice(&bytes).ok()
}

fn still_valid(token: &str) -> bool {
    let now = js_sys::Date::now() / 1000.0;
    claims(token)
        .and_then(|c| c["exp"].as_f64())
        .is_some_and(|exp| exp > now + 30.0)
}

/// The token to send, if signed in.
pub fn bearer() -> Option<String> {
    stored(TOKEN).filter(|t| still_valid(t))
}

/// Reads `config.json`, finishes a sign-in coming back from the provider, or starts one.
pub async fn start() -> Result<Session, String> {
    let config: ConsoleConfig = Request::get("/config.json")
        .send()
        .await
        .map_err(|e| format!("The console's sign-in settings could not be loaded: {e}"))?
        .json()
        .await
        .map_err(|e| format!("The console's sign-in settings (config.json) are not valid: {e}"))?;
    CONFIG.with(|c| *c.borrow_mut() = Some(config.clone()));
    let ConsoleConfig::Oidc {
        client_id,
        token_url,
        ..
    } = config
    else {
        return Ok(Session::Local);
    };
    let location = web_sys::window()
        .map(|w| w.location())
        .ok_or("No window.")?;
    if location.pathname().unwrap_or_default() == CALLBACK_PATH {
        let params = web_sys::UrlSearchParams::new_with_str(&location.search().unwrap_or_default())
            .map_err(|_| "The sign-in answer could not be read.")?;
        if let Some(error) = params.get("error") {
            let detail = params.get("error_description").unwrap_or_default();
            return Err(format!("Sign-in failed: {error} {detail}"));
        }
        let code = params
            .get("code")
            .ok_or("The sign-in answer has no code.")?;
        if params.get("state") != stored(STATE) {
            return Err(
                "The sign-in answer does not match this tab's request; sign in again.".to_owned(),
            );
        }
        let verifier =
            stored(VERIFIER).ok_or("This tab did not start a sign-in; sign in again.")?;
        let body = format!(
            "grant_type=authorization_code&client_id={}&code={}&redirect_uri={}&code_verifier={}",
            encode(&client_id),
            encode(&code),
            encode(&format!("{}{CALLBACK_PATH}", origin())),
            encode(&verifier)
        );
        let response = Request::post(&token_url)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(body)
            .map_err(|e| e.to_string())?
            .send()
            .await
            .map_err(|e| format!("The sign-in could not be completed: {e}"))?;
        let tokens: Value = response
            .json()
            .await
            .map_err(|e| format!("The sign-in answer is not valid: {e}"))?;
        let token = tokens["id_token"]
            .as_str()
            .ok_or("The provider returned no ID token.")?;
        store(TOKEN, token);
        forget(VERIFIER);
        forget(STATE);
        let back = stored(RETURN_TO).unwrap_or_else(|| "/".to_owned());
        forget(RETURN_TO);
        if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
            let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&back));
        }
    }
    match bearer() {
        Some(token) => {
            let c = claims(&token).unwrap_or_default();
            let who = c["email"]
                .as_str()
                .or(c["sub"].as_str())
                .unwrap_or("signed in")
                .to_owned();
            Ok(Session::SignedIn { who })
        }
        None => {
            begin(&here()).await?;
            Ok(Session::Redirecting)
        }
    }
}

/// Sends the browser to the provider; it comes back to `return_to`.
async fn begin(return_to: &str) -> Result<(), String> {
    let Some(ConsoleConfig::Oidc {
        client_id,
        authorize_url,
        scopes,
        ..
    }) = CONFIG.with(|c| c.borrow().clone())
    else {
        return Ok(());
    };
    let verifier = random(48)?;
    let state = random(24)?;
    let challenge = base64url(&sha256(&verifier).await?);
    store(VERIFIER, &verifier);
    store(STATE, &state);
    store(
        RETURN_TO,
        if return_to.starts_with(CALLBACK_PATH) {
            "/"
        } else {
            return_to
        },
    );
    let url = format!(
        "{authorize_url}?response_type=code&client_id={}&redirect_uri={}&scope={}&state={}&code_challenge={}&code_challenge_method=S256",
        encode(&client_id),
        encode(&format!("{}{CALLBACK_PATH}", origin())),
        encode(&scopes),
        encode(&state),
        encode(&challenge)
    );
    if let Some(w) = web_sys::window() {
        let _ = w.location().assign(&url);
    }
    Ok(())
}

/// After a 401: forget the token and sign in again, coming back to this page.
pub fn sign_in_again() {
    forget(TOKEN);
    let here = here();
    wasm_bindgen_futures::spawn_local(async move {
        let _ = begin(&here).await;
    });
}

/// Forgets the token and, where the provider has one, ends its session too.
pub fn sign_out() {
    forget(TOKEN);
    let config = CONFIG.with(|c| c.borrow().clone());
    let Some(w) = web_sys::window() else { return };
    let target = match config {
        Some(ConsoleConfig::Oidc {
            logout_url: Some(logout),
            client_id,
            ..
        }) => format!(
            "{logout}?client_id={}&logout_uri={}&post_logout_redirect_uri={}",
            encode(&client_id),
            encode(&format!("{}/", origin())),
            encode(&format!("{}/", origin()))
        ),
        _ => "/".to_owned(),
    };
    let _ = w.location().assign(&target);
}
