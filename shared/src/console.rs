//! `GET /config.json`: how the console signs people in. Served by the local backend
//! (`{"auth": "none"}`) or written next to the console on deploy from the stack's outputs.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "auth", rename_all = "camelCase")]
pub enum ConsoleConfig {
    /// Local mode: no sign-in; the console says so in a banner.
    None,
    /// Sign in with an OpenID Connect provider (authorization code + PKCE, no secret).
    #[serde(rename_all = "camelCase")]
    Oidc {
        client_id: String,
        authorize_url: String,
        token_url: String,
        /// Where "Sign out" goes; absent: the console only forgets the token.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        logout_url: Option<String>,
        /// Space-separated, e.g. `openid email profile`.
        scopes: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_shapes() {
        assert_eq!(
            serde_json::to_value(ConsoleConfig::None).unwrap(),
            serde_json::json!({"auth": "none"})
        );
        let oidc: ConsoleConfig = serde_json::from_str(
            r#"{"auth":"oidc","clientId":"c","authorizeUrl":"https://a","tokenUrl":"https://t","scopes":"openid"}"#,
        )
        .unwrap();
        assert!(matches!(
            oidc,
            ConsoleConfig::Oidc {
                logout_url: None,
                ..
            }
        ));
    }
}
