//! Who is calling, and what they may do.
//!
//! Locally (`REWIND_AUTH=none`) nobody signs in: the caller is `local`, an admin (or the
//! role `REWIND_LOCAL_ROLE` names). Deployed (`jwt`), API Gateway's JWT authorizer has
//! verified the token and put its claims in the Lambda request context; a request that
//! arrives without them came through a route that is not protected, so it is refused
//! (401) rather than trusted. Roles come from one claim listing groups
//! (`cognito:groups` by default) and are enforced here, once, for every route, from
//! `shared`'s role table; mutating calls are audited.

use crate::audit::AuditRecord;
use crate::configuration::{AuthMode, RoleSettings};
use crate::error::ApiError;
use crate::extract::MAX_BODY_BYTES;
use crate::startup::AppState;
use axum::body::Body;
use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use lambda_http::request::RequestContext;
use shared::ErrorCode;
use shared::roles::Role;
use shared::teams::Scope;
use std::collections::HashMap;

/// The caller of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub subject: String,
    pub email: Option<String>,
    pub roles: Vec<Role>,
    /// The signed-out local user.
    pub local: bool,
    /// The buses the caller acts on (their teams').
    pub scope: Scope,
}

impl Caller {
    pub fn role(&self) -> Option<Role> {
        self.roles.iter().copied().max()
    }

    /// How the caller is named in messages and descriptions.
    pub fn name(&self) -> &str {
        self.email.as_deref().unwrap_or(&self.subject)
    }
}

fn lambda_context<B>(
    request: &axum::http::Request<B>,
) -> Option<&lambda_http::aws_lambda_events::apigw::ApiGatewayV2httpRequestContext> {
    match request.extensions().get::<RequestContext>()? {
        RequestContext::ApiGatewayV2(context) => Some(context),
        _ => None,
    }
}

/// The JWT claims API Gateway (HTTP API, payload 2.0) verified for this request.
pub fn caller_from_lambda(request: &Request, roles: &RoleSettings) -> Option<Caller> {
    let context = lambda_context(request)?;
    let claims: &HashMap<String, String> = &context.authorizer.as_ref()?.jwt.as_ref()?.claims;
    if !through_the_authorizer(&roles.expected, context.apiid.as_deref(), claims) {
        tracing::warn!(
            api_id = ?context.apiid,
            issuer = ?claims.get("iss"),
            "a request whose authorizer context is not this stack's: refused"
        );
        return None;
    }
    let subject = claims.get("sub").filter(|s| !s.is_empty())?.clone();
    let groups: Vec<&str> = claims
        .get(&roles.claim)
        .map(|c| shared::roles::groups_claim(c))
        .unwrap_or_default();
    Some(Caller {
        subject,
        email: claims.get("email").cloned(),
        roles: roles.roles_of(groups.iter().copied()),
        local: false,
        scope: roles.scope_of(&groups),
    })
}

/// The local user's buses: `REWIND_LOCAL_TEAMS`' teams, else every bus.
fn local_scope(state: &AppState) -> Scope {
    if state.local_teams.is_empty() {
        return Scope::All;
    }
    let groups: Vec<String> = state
        .local_teams
        .iter()
        .map(|t| format!("{}{t}", state.roles.team_group_prefix))
        .collect();
    let groups: Vec<&str> = groups.iter().map(String::as_str).collect();
    state.roles.scope_of(&groups)
}

/// Whether the verified context names this stack's API and the issuer and audience its
/// JWT authorizer accepts (an ID token's `aud`, an access token's `client_id`).
fn through_the_authorizer(
    expected: &crate::configuration::AuthorizerContext,
    api_id: Option<&str>,
    claims: &HashMap<String, String>,
) -> bool {
    let matches = |want: &Option<String>, got: Option<&str>| {
        want.as_deref().is_none_or(|want| got == Some(want))
    };
    matches(&expected.api_id, api_id)
        && matches(&expected.issuer, claims.get("iss").map(String::as_str))
        && (matches(&expected.audience, claims.get("aud").map(String::as_str))
            || matches(
                &expected.audience,
                claims.get("client_id").map(String::as_str),
            ))
}

/// The caller of a request: locally the `local` user; deployed, the one whose claims
/// API Gateway's JWT authorizer verified. Without them the request did not pass the
/// authorizer, and is refused rather than trusted.
pub fn identify(state: &AppState, request: &Request) -> Result<Caller, ApiError> {
    let caller = match state.auth {
        AuthMode::None => Some(Caller {
            subject: "local".to_owned(),
            email: None,
            roles: vec![state.local_role],
            local: true,
            scope: local_scope(state),
        }),
        AuthMode::Jwt => caller_from_lambda(request, &state.roles),
    };
    caller.ok_or_else(|| {
        ApiError::new(
            ErrorCode::Unauthenticated,
            "Sign in to use Rewind: this request carried no verified identity.",
        )
    })
}

/// The name a request acts on: its path's names (`orders/order-created` for a rule of a
/// bus), or the name in a create body.
fn target(template: &str, path: &str, body: Option<&[u8]>) -> Option<String> {
    let names: Vec<&str> = template
        .split('/')
        .zip(path.split('/'))
        .filter(|(t, _)| t.starts_with('{'))
        .map(|(_, p)| p)
        .collect();
    let from_path = (!names.is_empty()).then(|| names.join("/"));
    from_path.or_else(|| {
        let json: serde_json::Value = serde_json::from_slice(body?).ok()?;
        ["archiveName", "replayName"]
            .iter()
            .find_map(|k| json[*k].as_str().map(str::to_owned))
    })
}

/// API Gateway's id of this request, under Lambda.
pub fn gateway_request_id<B>(request: &axum::http::Request<B>) -> Option<String> {
    lambda_context(request).and_then(|c| c.request_id.clone())
}

/// The id `startup`'s request-id layer gave this request (`x-request-id`).
fn request_id(request: &Request) -> String {
    request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .unwrap_or_default()
}

/// The guard of every signed-in route (`routes::table`): establishes the caller (401
/// without a verified identity), checks their role against the route's action
/// (`shared::roles`), and writes an audit record for every mutating call, whatever its
/// outcome. A route whose action is missing from the role table is refused.
pub async fn authorize(
    State((state, actions)): State<(AppState, crate::routes::RouteActions)>,
    matched: MatchedPath,
    mut request: Request,
    next: Next,
) -> Response {
    let caller = match identify(&state, &request) {
        Ok(caller) => caller,
        Err(unauthenticated) => return unauthenticated.into_response(),
    };
    request.extensions_mut().insert(caller.clone());
    let template = matched
        .as_str()
        .strip_prefix("/api")
        .unwrap_or(matched.as_str())
        .to_owned();
    let Some(action) = actions.for_method(request.method()) else {
        tracing::error!(route = %template, "route missing from the role table; refused");
        return ApiError::new(ErrorCode::Forbidden, "This route is not open to any role.")
            .into_response();
    };
    if !action.is_mutating() {
        return match action.refusal(caller.role()) {
            Some(why) => ApiError::new(ErrorCode::Forbidden, why).into_response(),
            None => next.run(request).await,
        };
    }

    // Mutating: read the (small, limited) body for the target's name, then audit.
    let (parts, body) = request.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_BODY_BYTES).await {
        Ok(bytes) => bytes,
        Err(_) => {
            return ApiError::new(
                ErrorCode::PayloadTooLarge,
                format!(
                    "The request body is larger than {} KiB.",
                    MAX_BODY_BYTES / 1024
                ),
            )
            .into_response();
        }
    };
    let request = Request::from_parts(parts, Body::from(bytes.clone()));
    let path = request.uri().path();
    let target = target(
        &template,
        path.strip_prefix("/api").unwrap_or(path),
        Some(&bytes),
    );
    let request_id = request_id(&request);
    let response = match action.refusal(caller.role()) {
        Some(why) => ApiError::new(ErrorCode::Forbidden, why).into_response(),
        None => next.run(request).await,
    };
    state.audit.record(AuditRecord::new(
        &caller,
        action,
        target,
        request_id,
        response.status().as_u16(),
        response.extensions().get::<ErrorCode>().copied(),
    ));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_from_path_or_body() {
        assert_eq!(
            target("/archives/{name}", "/archives/orders", None).as_deref(),
            Some("orders")
        );
        assert_eq!(
            target("/replays/{name}/cancel", "/replays/r1/cancel", None).as_deref(),
            Some("r1")
        );
        assert_eq!(
            target("/archives", "/archives", Some(br#"{"archiveName":"a1"}"#)).as_deref(),
            Some("a1")
        );
        assert_eq!(target("/replays", "/replays", Some(b"not json")), None);
        assert_eq!(
            target(
                "/event-buses/{name}/rules/{rule}/replay-opt-out",
                "/event-buses/orders/rules/emails/replay-opt-out",
                None
            )
            .as_deref(),
            Some("orders/emails")
        );
    }
}
