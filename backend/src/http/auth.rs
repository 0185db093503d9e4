//! Who is calling, and what they may do.
//!
//! Locally (`REWIND_AUTH=none`) nobody signs in: the caller is `local`, an admin (or the
//! role `REWIND_LOCAL_ROLE` names). Deployed (`jwt`), API Gateway's JWT authorizer has
//! verified the token and put its claims in the Lambda request context; a request that
//! arrives without them came through a route that is not protected, so it is refused
//! (401) rather than trusted. Roles come from one claim listing groups
//! (`cognito:groups` by default) and are enforced here, once, for every route, from
//! `shared`'s role table, by the route → action table below; each request's intent is
//! then audited (`http::audit_trail::intent`) before its handler runs.

use crate::audit::{AuditEntry, Location};
use crate::caller::{Caller, lambda_context};
use crate::configuration::{AuthMode, RoleSettings};
use crate::error::ApiError;
use crate::http::extract::MAX_BODY_BYTES;
use crate::state::AppState;
use axum::body::Body;
use axum::extract::{MatchedPath, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use shared::ErrorCode;
use shared::roles::Operation;
use shared::teams::Scope;
use std::collections::HashMap;
use std::sync::Arc;

/// The JWT claims API Gateway (HTTP API, payload 2.0) verified for this request.
pub fn caller_from_lambda(request: &Request, roles: &RoleSettings) -> Option<Caller> {
    let context = lambda_context(request.extensions())?;
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
        issuer: claims.get("iss").cloned(),
        client_id: claims
            .get("aud")
            .or_else(|| claims.get("client_id"))
            .cloned(),
        groups: groups.iter().map(|g| (*g).to_owned()).collect(),
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
            issuer: None,
            client_id: None,
            groups: Vec::new(),
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

/// API Gateway's id of this request, under Lambda.
pub fn gateway_request_id<B>(request: &axum::http::Request<B>) -> Option<String> {
    lambda_context(request.extensions()).and_then(|c| c.request_id.clone())
}

/// The guard of every signed-in route (`routes::api`): establishes the caller (401
/// without a verified identity), checks their role against the route's action
/// (`shared::roles`); the audit intent layer then writes the intent before the handler
/// runs — nothing that changes anything runs unaudited. A route whose action is missing
/// from the role table is refused.
pub async fn authorize(
    State((state, actions)): State<(AppState, RouteActions)>,
    matched: MatchedPath,
    mut request: Request,
    next: Next,
) -> Response {
    let entry = request.extensions().get::<AuditEntry>().cloned();
    let caller = match identify(&state, &request) {
        Ok(caller) => caller,
        Err(unauthenticated) => return unauthenticated.into_response(),
    };
    if let Some(entry) = &entry {
        entry.identified(&caller);
    }
    request.extensions_mut().insert(caller.clone());
    let route = matched.as_str().to_owned();
    let Some(action) = actions.for_method(request.method()) else {
        tracing::error!(%route, "route missing from the role table; refused");
        return ApiError::new(ErrorCode::Forbidden, "This route is not open to any role.")
            .into_response();
    };

    // The (small, limited) body, for the audit record's fields.
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
    if let Some(entry) = &entry {
        let account = lambda_context(&parts.extensions).and_then(|c| c.account_id.clone());
        let location = Location::new(&state.region, account.as_deref());
        entry.describe(&route, action, &location, parts.uri.query(), &bytes);
    }
    if let Some(why) = action.refusal(caller.role()) {
        return ApiError::new(ErrorCode::Forbidden, why).into_response();
    }
    // The intent is written next, by a layer of its own (`http::audit_trail::intent`).
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// The action of each method of one path, by its `operationId`; a method whose id is
/// missing from `shared`'s role table has none, and the guard refuses it.
#[derive(Debug, Clone, Default)]
pub struct RouteActions(Arc<[(Method, Operation)]>);

impl RouteActions {
    /// The action of `method`; HEAD is the GET without its body (axum answers it with
    /// the GET handler), so it is the GET's action.
    pub fn for_method(&self, method: &Method) -> Option<Operation> {
        let method = if method == Method::HEAD {
            &Method::GET
        } else {
            method
        };
        self.0.iter().find(|(m, _)| m == method).map(|(_, a)| *a)
    }

    /// The action of each method, as the route table found them (`routes::served!`).
    pub fn new(actions: Vec<(Method, Operation)>) -> Self {
        Self(actions.into())
    }
}
