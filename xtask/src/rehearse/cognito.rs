//! Members of a stack's user pool, added as docs/deploy.md tells an administrator to, and
//! signed in as the console does: authorization code with PKCE through the hosted UI.

use super::aws::{AwsCli, StackOutputs};
use crate::Result;
use anyhow::Context;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

/// Meets the pool's password policy (12+, upper, lower, digit).
pub const PASSWORD: &str = "Rehearsal-Passw0rd";

/// A member of the pool, by e-mail, in `groups`.
pub struct Member {
    pub email: String,
    pub groups: Vec<String>,
}

/// `admin-create-user` (no invitation e-mail), a permanent password, then the groups:
/// docs/deploy.md, "Adding a user".
pub fn add_member(aws: &AwsCli, stack: &StackOutputs, member: &Member) -> Result<()> {
    let pool = stack.output("UserPoolId")?;
    let email_attribute = format!("Name=email,Value={}", member.email);
    let mut calls: Vec<Vec<&str>> = vec![
        vec![
            "admin-create-user",
            "--user-attributes",
            &email_attribute,
            "Name=email_verified,Value=true",
            "--message-action",
            "SUPPRESS",
        ],
        vec![
            "admin-set-user-password",
            "--password",
            PASSWORD,
            "--permanent",
        ],
    ];
    for group in &member.groups {
        calls.push(vec!["admin-add-user-to-group", "--group-name", group]);
    }
    for call in calls {
        let mut args = vec![
            "cognito-idp",
            call[0],
            "--user-pool-id",
            &pool,
            "--username",
            &member.email,
        ];
        args.extend(&call[1..]);
        aws.json(&args)?;
    }
    Ok(())
}

/// A PKCE verifier (43 base64url characters of randomness) and its S256 challenge.
pub fn pkce() -> Result<(String, String)> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
    let verifier = URL_SAFE_NO_PAD.encode(bytes);
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    Ok((verifier, challenge))
}

/// Signs `email` in through the hosted UI served at `hosted_ui` (the emulator answers
/// for every pool's domain), exactly as a browser would: the authorize page, the login
/// form, the redirect to the console's callback with a code, the token exchange.
/// Returns the ID token, which the console sends as its bearer token.
pub async fn sign_in(hosted_ui: &str, stack: &StackOutputs, email: &str) -> Result<String> {
    let (_, config) = stack.console_config()?;
    let shared::console::ConsoleConfig::Oidc {
        client_id, scopes, ..
    } = config
    else {
        return Err(anyhow::anyhow!(
            "the stack's console signs in with no provider"
        ));
    };
    let callback = format!("https://{}/auth/callback", stack.console_domain()?);
    let (verifier, challenge) = pkce()?;
    let state = "rehearsal";
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    // The authorization request; the login form posts it back with the credentials.
    let request = [
        ("response_type", "code"),
        ("client_id", client_id.as_str()),
        ("redirect_uri", callback.as_str()),
        ("scope", scopes.as_str()),
        ("state", state),
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
    ];
    let authorize = client
        .get(format!("{hosted_ui}/oauth2/authorize"))
        .query(&request)
        .send()
        .await?;
    anyhow::ensure!(
        authorize.status().is_success(),
        "the hosted UI's authorize page: {}",
        authorize.status()
    );
    let mut form = request.to_vec();
    form.extend([("nonce", ""), ("username", email), ("password", PASSWORD)]);
    let login = client
        .post(format!("{hosted_ui}/login"))
        .form(&form)
        .send()
        .await?;
    let location = login
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|l| l.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let code = location
        .strip_prefix(&format!("{callback}?"))
        .and_then(|query| {
            form_urlencoded::parse(query.as_bytes())
                .find(|(key, _)| key == "code")
                .map(|(_, code)| code.into_owned())
        })
        .with_context(|| {
            format!(
                "signing {email} in did not come back to {callback} with a code ({}: {location})",
                login.status()
            )
        })?;
    let tokens: serde_json::Value = client
        .post(format!("{hosted_ui}/oauth2/token"))
        .form(&[
            ("grant_type", "authorization_code"),
            ("client_id", client_id.as_str()),
            ("code", code.as_str()),
            ("redirect_uri", callback.as_str()),
            ("code_verifier", verifier.as_str()),
        ])
        .send()
        .await?
        .json()
        .await
        .map_err(|e| anyhow::anyhow!("the token endpoint's answer: {e}"))?;
    tokens["id_token"]
        .as_str()
        .map(str::to_owned)
        .with_context(|| format!("no id_token for {email}: {tokens}"))
}
