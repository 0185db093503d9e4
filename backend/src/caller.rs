//! Who is calling: the caller as the route guard established them (`http::auth`), and
//! API Gateway's context of a request under Lambda, where their verified claims are.

use lambda_http::request::RequestContext;
use shared::roles::Role;
use shared::teams::Scope;

/// The caller of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub subject: String,
    pub email: Option<String>,
    /// The token's issuer and audience (or an access token's client id), for the audit.
    pub issuer: Option<String>,
    pub client_id: Option<String>,
    /// The groups the claim listed.
    pub groups: Vec<String>,
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

/// API Gateway's (HTTP API, payload 2.0) context of a request, under Lambda.
pub fn lambda_context(
    extensions: &axum::http::Extensions,
) -> Option<&lambda_http::aws_lambda_events::apigw::ApiGatewayV2httpRequestContext> {
    match extensions.get::<RequestContext>()? {
        RequestContext::ApiGatewayV2(context) => Some(context),
        _ => None,
    }
}
