//! Who is calling. Locally (`REWIND_AUTH=none`) nobody signs in. Deployed (`jwt`), API
//! Gateway's JWT authorizer has verified the token and put its claims in the Lambda
//! request context; a request that arrives without them came through a route that is not
//! protected, so it is refused (401) rather than trusted.

use crate::configuration::AuthMode;
use crate::error::ApiError;
use crate::startup::AppState;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use lambda_http::request::RequestContext;
use shared::ErrorCode;
use std::collections::HashMap;

/// Routes anyone may call: the authorizer does not guard them either.
pub const PUBLIC_PATHS: [&str; 2] = ["/api/health", "/api/openapi.json"];

/// The verified identity of the caller, for handlers that need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub subject: String,
    pub email: Option<String>,
    pub claims: HashMap<String, String>,
}

/// The JWT claims API Gateway (HTTP API, payload 2.0) verified for this request.
pub fn caller_from_lambda(request: &Request) -> Option<Caller> {
    let claims = match request.extensions().get::<RequestContext>()? {
        RequestContext::ApiGatewayV2(context) => {
            context.authorizer.as_ref()?.jwt.as_ref()?.claims.clone()
        }
        _ => return None,
    };
    let subject = claims.get("sub").filter(|s| !s.is_empty())?.clone();
    Some(Caller {
        subject,
        email: claims.get("email").cloned(),
        claims,
    })
}

/// Refuses, in `jwt` mode, every non-public request without verified claims.
pub async fn require_caller(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    if state.auth == AuthMode::None || PUBLIC_PATHS.contains(&request.uri().path()) {
        return next.run(request).await;
    }
    match caller_from_lambda(&request) {
        Some(caller) => {
            request.extensions_mut().insert(caller);
            next.run(request).await
        }
        None => ApiError::new(
            ErrorCode::Unauthenticated,
            "Sign in to use Rewind: this request carried no verified identity.",
        )
        .into_response(),
    }
}
