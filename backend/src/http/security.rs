//! The headers every response carries: the content security policy and its friends.

use axum::Router;
use axum::http::{HeaderName, HeaderValue, header};
use tower_http::set_header::SetResponseHeaderLayer;

/// The console may run only its own scripts and wasm, load only its own files, talk only
/// to its own origin (and, when it signs in, the identity provider's token endpoint), and
/// never be framed. No inline script is needed: `boot.js` starts the app. (The deployed
/// console gets the same policy from CloudFront.)
pub fn content_security_policy(token_origin: Option<&str>) -> String {
    let connect = token_origin.map_or_else(|| "'self'".to_owned(), |o| format!("'self' {o}"));
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data:; connect-src {connect}; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'"
    )
}

/// `scheme://host[:port]` of a URL, for `connect-src`.
pub(super) fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let host = rest
        .split(['/', '?', '#'])
        .next()
        .filter(|h| !h.is_empty())?;
    let clean = |s: &str| {
        s.chars()
            .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
    };
    (matches!(scheme, "http" | "https") && clean(host)).then(|| format!("{scheme}://{host}"))
}

/// The headers every response carries, API and console alike. No CORS headers are ever
/// sent: the console is served from the API's own origin.
pub(super) fn with_security_headers(router: Router, csp: &str) -> Router {
    let csp = HeaderValue::from_str(csp)
        .unwrap_or_else(|_| HeaderValue::from_static("default-src 'self'; frame-ancestors 'none'"));
    router
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            csp,
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            HeaderName::from_static("referrer-policy"),
            HeaderValue::from_static("no-referrer"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_endpoint_alone_joins_connect_src() {
        assert_eq!(
            origin_of("https://auth.example.com/oauth2/token?x=1").as_deref(),
            Some("https://auth.example.com")
        );
        assert_eq!(
            origin_of("http://127.0.0.1:9000/token").as_deref(),
            Some("http://127.0.0.1:9000")
        );
        assert_eq!(origin_of("javascript:alert(1)"), None);
        assert_eq!(origin_of("https://a.example; script-src *"), None);
        let csp = content_security_policy(Some("https://auth.example.com"));
        assert!(csp.contains("connect-src 'self' https://auth.example.com;"));
        assert!(content_security_policy(None).contains("connect-src 'self';"));
    }
}
