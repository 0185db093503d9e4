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

/// The console's routes and the static frame that answers each (`dist/frames/<frame>.html`,
/// written by the frontend's `prerender`): a path's segments, `*` for a name. The local
/// backend and the deployment's CloudFront function (`template.yaml`, `SpaRoutes`) pick a
/// frame from this table; a template test holds the function to it.
pub const FRAMES: [(&str, &str); 16] = [
    ("", "now"),
    // Where the sign-in comes back to (frontend auth.rs): the console's start-up frame.
    ("auth/callback", "signing-in"),
    ("archives", "archives"),
    ("archives/new", "archives-new"),
    ("archives/*", "archive"),
    ("archives/*/peek", "peek"),
    ("replays", "replays"),
    ("replays/new", "replays-new"),
    ("replays/*", "replay"),
    ("jobs", "jobs"),
    ("jobs/*", "job"),
    ("custom-buses", "custom-buses"),
    ("custom-buses/*", "custom-bus"),
    ("v2-replays", "custom-buses"),
    ("v2-replays/new", "v2-replays-new"),
    ("v2-replays/*", "v2-replay"),
];

/// The frame of every other path: the console's Not found page.
pub const NOT_FOUND_FRAME: &str = "not-found";

/// The static frame that answers `path` (`/archives/orders-all` → `archive`): an exact
/// route first, then one whose second segment is a name; else Not found.
pub fn frame_for(path: &str) -> &'static str {
    route_frame(path).unwrap_or(NOT_FOUND_FRAME)
}

/// The frame of the console route `path` is, if it is one (a name may hold a `.`:
/// `/archives/orders.v1` is a route, `/style-0123456789abcdef.css` a file).
pub fn route_frame(path: &str) -> Option<&'static str> {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let exact = segments.join("/");
    let named = segments
        .iter()
        .enumerate()
        .map(|(i, s)| if i == 1 { "*" } else { s })
        .collect::<Vec<_>>()
        .join("/");
    FRAMES
        .iter()
        .find(|(route, _)| *route == exact)
        .or_else(|| FRAMES.iter().find(|(route, _)| *route == named))
        .map(|(_, frame)| *frame)
}

/// `/rewind-frontend-6591d67ef76fdd94_bg.wasm`, `/style-989ecbb9007ec90.css`: a script,
/// wasm or style sheet at the top level whose stem ends in `-` and a 64-bit hash in hex
/// (before an optional `_bg`). Trunk writes the hash with `{:x}`, without leading zeros,
/// so one build in sixteen has a 15-digit one: that style sheet was revalidated on every
/// load, and the start-up scripts waited for it. Only the top level: a console route such
/// as `/archives/orders-2024.bak` is a page, never cached for a year. The local backend
/// caches these for a year, and `cargo xtask deploy-console` uploads nothing else so.
pub fn is_hashed_asset(path: &str) -> bool {
    let Some(file) = path.strip_prefix('/').filter(|file| !file.contains('/')) else {
        return false;
    };
    let Some((stem, "js" | "wasm" | "css")) = file.rsplit_once('.') else {
        return false;
    };
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    stem.rsplit_once('-').is_some_and(|(name, hash)| {
        !name.is_empty()
            && (8..=16).contains(&hash.len())
            && hash.bytes().all(|b| b.is_ascii_hexdigit())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_path_has_its_routes_frame() {
        for (path, frame) in [
            ("/", "now"),
            ("/archives", "archives"),
            ("/archives/", "archives"),
            ("/archives/new", "archives-new"),
            ("/archives/orders-all", "archive"),
            ("/archives/orders-all/peek", "peek"),
            ("/archives/orders.v1", "archive"),
            ("/auth/callback", "signing-in"),
            ("/archives/orders-all/other", "not-found"),
            ("/replays/new", "replays-new"),
            ("/replays/orders-backfill-demo", "replay"),
            ("/jobs/nightly", "job"),
            ("/custom-buses/orders-v2", "custom-bus"),
            ("/v2-replays", "custom-buses"),
            ("/v2-replays/new", "v2-replays-new"),
            ("/v2-replays/fix", "v2-replay"),
            ("/no-such-page", "not-found"),
            ("/a/b/c/d", "not-found"),
        ] {
            assert_eq!(frame_for(path), frame, "{path}");
        }
    }

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

    #[test]
    fn hashed_assets_are_told_apart() {
        for hashed in [
            "/rewind-frontend-6591d67ef76fdd94_bg.wasm",
            "/rewind-frontend-6591d67ef76fdd94.js",
            "/style-388e6ad00cf4f1c4.css",
            "/boot-723e8b87e3480948.js",
            // A hash with a leading zero, written without it.
            "/style-989ecbb9007ec90.css",
        ] {
            assert!(is_hashed_asset(hashed), "{hashed}");
        }
        for plain in [
            "/",
            "/index.html",
            "/config.json",
            "/archives/orders-all",
            "/archives/orders-6591d67ef76fdd94",
            "/-6591d67ef76fdd94.js",
            "/style-388e6ad00cf4f1cz.css",
            "/app-388e6a.js",
            "/app-388e6ad00cf4f1c4a.js",
            "/archives/orders-2024.bak",
            "/archives/orders-388e6ad00cf4f1c4.js",
            "/frames/archive-388e6ad00cf4f1c4.html",
            "/archive-388e6ad00cf4f1c4.html",
        ] {
            assert!(!is_hashed_asset(plain), "{plain}");
        }
    }
}
