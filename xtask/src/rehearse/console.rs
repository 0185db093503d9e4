//! The deployed console in Chromium: opened at the distribution's own `https://` URL,
//! signed in through the stack's Cognito hosted UI with the real `config.json` from the
//! stack's outputs, archives listed.
//!
//! The emulator's CloudFront data plane cannot serve this distribution (its S3 origin
//! evaluates the bucket's TLS-only Deny as if CloudFront fetched over plain HTTP, and
//! an origin at an AWS hostname such as the execute-api domain answers 502), so an
//! **edge stand-in** does what the distribution's configuration says: it reads the
//! deployed `DistributionConfig` and response headers policy, routes each path
//! pattern to its origin (the S3 bucket, the HTTP API's `$default` stage, both in the
//! emulator), applies the viewer-request function's rule (a console route is its static
//! frame, `/frames/<frame>.html`; another path with a `.` is a file) and the policy's
//! security headers. The Cognito domain is served by the emulator's hosted UI behind
//! the same TLS front; the emulator's token endpoint sends no CORS headers (Cognito's
//! does), so the stand-in adds them.

use super::Tally;
use super::aws::{AwsCli, StackOutputs};
use super::cognito;
use super::ministack::Ministack;
use crate::Result;
use anyhow::Context;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::Response;
use fantoccini::Locator;
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;
use testkit::browser::{BrowserOptions, Chromium};
use testkit::tls::TlsFront;

/// Where a distribution's behaviour sends a request.
#[derive(Debug, Clone)]
enum Origin {
    /// An S3 bucket (`<bucket>.s3.<region>.amazonaws.com`).
    Bucket(String),
    /// An HTTP API's `$default` stage (`<id>.execute-api.<region>.amazonaws.com`).
    HttpApi(String),
}

#[derive(Debug, Clone)]
struct Behaviour {
    /// `/api/*`; the default behaviour is `*`.
    path_pattern: String,
    origin: Origin,
}

impl Behaviour {
    fn matches(&self, path: &str) -> bool {
        match self.path_pattern.strip_suffix('*') {
            Some(prefix) => path.starts_with(prefix),
            None => path == self.path_pattern,
        }
    }
}

/// What the stand-in serves.
struct Edge {
    emulator: String,
    console_host: String,
    cognito_host: String,
    behaviours: Vec<Behaviour>,
    security_headers: Vec<(HeaderName, HeaderValue)>,
    http: reqwest::Client,
}

/// Reads the deployed distribution's behaviours and headers.
fn read_edge(aws: &AwsCli, emulator: &Ministack, stack: &StackOutputs) -> Result<Edge> {
    let id = stack.output("DistributionId")?;
    let config = aws.json(&["cloudfront", "get-distribution-config", "--id", &id])?;
    let config = &config["DistributionConfig"];
    let origins = config["Origins"]["Items"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let origin = |id: &Value| -> Result<Origin> {
        let domain = origins
            .iter()
            .find(|o| &o["Id"] == id)
            .and_then(|o| o["DomainName"].as_str())
            .with_context(|| format!("the distribution has no origin {id}"))?;
        if let Some((bucket, _)) = domain.split_once(".s3.") {
            Ok(Origin::Bucket(bucket.to_owned()))
        } else if let Some((api, _)) = domain.split_once(".execute-api.") {
            Ok(Origin::HttpApi(api.to_owned()))
        } else {
            Err(anyhow::anyhow!(
                "the stand-in does not know origin {domain}"
            ))
        }
    };
    let mut behaviours = Vec::new();
    for behaviour in config["CacheBehaviors"]["Items"]
        .as_array()
        .into_iter()
        .flatten()
    {
        behaviours.push(Behaviour {
            path_pattern: behaviour["PathPattern"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            origin: origin(&behaviour["TargetOriginId"])?,
        });
    }
    let default = &config["DefaultCacheBehavior"];
    behaviours.push(Behaviour {
        path_pattern: "*".to_owned(),
        origin: origin(&default["TargetOriginId"])?,
    });

    let mut security_headers = Vec::new();
    if let Some(policy_id) = default["ResponseHeadersPolicyId"].as_str() {
        let policy = aws.json(&[
            "cloudfront",
            "get-response-headers-policy",
            "--id",
            policy_id,
        ])?;
        let security = &policy["ResponseHeadersPolicy"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"];
        let mut add = |name: &'static str, value: Option<String>| {
            if let Some(value) = value.and_then(|v| HeaderValue::from_str(&v).ok()) {
                security_headers.push((HeaderName::from_static(name), value));
            }
        };
        add(
            "content-security-policy",
            security["ContentSecurityPolicy"]["ContentSecurityPolicy"]
                .as_str()
                .map(str::to_owned),
        );
        add(
            "x-content-type-options",
            security["ContentTypeOptions"]
                .is_object()
                .then(|| "nosniff".to_owned()),
        );
        add(
            "x-frame-options",
            security["FrameOptions"]["FrameOption"]
                .as_str()
                .map(str::to_owned),
        );
        add(
            "referrer-policy",
            security["ReferrerPolicy"]["ReferrerPolicy"]
                .as_str()
                .map(str::to_owned),
        );
    }
    Ok(Edge {
        emulator: emulator.endpoint(),
        console_host: stack.console_domain()?,
        cognito_host: stack.cognito_domain()?,
        behaviours,
        security_headers,
        http: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()?,
    })
}

/// Hop-by-hop headers and the ones the stand-in sets itself.
fn forwardable(name: &HeaderName) -> bool {
    !matches!(
        name.as_str(),
        "host" | "connection" | "keep-alive" | "transfer-encoding" | "content-length" | "upgrade"
    )
}

async fn serve(State(edge): State<Arc<Edge>>, request: Request) -> Response {
    match edge.answer(request).await {
        Ok(response) => response,
        Err(e) => {
            let mut response = Response::new(Body::from(format!("edge stand-in: {e}")));
            *response.status_mut() = StatusCode::BAD_GATEWAY;
            response
        }
    }
}

impl Edge {
    async fn answer(&self, request: Request) -> Result<Response> {
        let host = request
            .headers()
            .get("host")
            .and_then(|h| h.to_str().ok())
            .map(str::to_owned)
            .or_else(|| request.uri().host().map(str::to_owned))
            .unwrap_or_default();
        let host = host.split(':').next().unwrap_or_default().to_owned();
        let path = request.uri().path().to_owned();
        let query = request
            .uri()
            .query()
            .map(|q| format!("?{q}"))
            .unwrap_or_default();
        if host == self.cognito_host {
            let origin = format!("https://{}", self.console_host);
            let mut response = self
                .forward(request, &format!("{}{path}{query}", self.emulator))
                .await?;
            // Cognito's token endpoint allows the app's origin (CORS); the emulator's does not.
            if let Ok(value) = HeaderValue::from_str(&origin) {
                response
                    .headers_mut()
                    .insert("access-control-allow-origin", value);
            }
            return Ok(response);
        }
        if host != self.console_host {
            return Err(anyhow::anyhow!("no site for host {host}"));
        }
        let behaviour = self
            .behaviours
            .iter()
            .find(|b| b.matches(&path))
            .with_context(|| format!("no behaviour for {path}"))?;
        match &behaviour.origin {
            Origin::HttpApi(api) => {
                let url = format!(
                    "{}/_aws/execute-api/{api}/$default{path}{query}",
                    self.emulator
                );
                self.forward(request, &url).await
            }
            Origin::Bucket(bucket) => {
                // The viewer-request function (SpaRoutes): console routes are their
                // static frames (the template tests run its code against this table).
                let last = path.rsplit('/').next().unwrap_or_default();
                let key = match shared::console::route_frame(&path) {
                    Some(frame) => format!("/frames/{frame}.html"),
                    None if last.contains('.') => path.clone(),
                    None => "/frames/not-found.html".to_owned(),
                };
                let url = format!("{}/{bucket}{key}", self.emulator);
                let mut response = self.forward(request, &url).await?;
                for (name, value) in &self.security_headers {
                    response.headers_mut().insert(name.clone(), value.clone());
                }
                Ok(response)
            }
        }
    }

    async fn forward(&self, request: Request, url: &str) -> Result<Response> {
        let (parts, body) = request.into_parts();
        let body: Bytes = axum::body::to_bytes(body, 8 * 1024 * 1024).await?;
        let mut headers = HeaderMap::new();
        for (name, value) in &parts.headers {
            if forwardable(name) {
                headers.append(name.clone(), value.clone());
            }
        }
        let upstream = self
            .http
            .request(parts.method, url)
            .headers(headers)
            .body(body)
            .send()
            .await
            .map_err(|e| anyhow::anyhow!("{url}: {e}"))?;
        let mut response = Response::builder().status(upstream.status());
        for (name, value) in upstream.headers() {
            if forwardable(name) {
                response = response.header(name, value);
            }
        }
        let body = upstream.bytes().await?;
        Ok(response.body(Body::from(body))?)
    }
}

pub async fn checks(
    tally: &mut Tally,
    aws: &AwsCli,
    emulator: &Ministack,
    stack: &StackOutputs,
) -> Result<()> {
    crate::tools::step(
        "Rehearsal: the console, signed in through the stack's hosted UI in Chromium",
    );
    pin_emulator_gaps(tally, emulator, stack).await?;
    let edge = Arc::new(read_edge(aws, emulator, stack)?);
    let hosts = vec![edge.console_host.clone(), edge.cognito_host.clone()];
    let console_url = stack.output("ConsoleUrl")?;
    let app = axum::Router::new().fallback(serve).with_state(edge);
    let front = TlsFront::serve(hosts, app).await?;

    // Something to list, put there the way a team's own tooling would.
    let bus = aws.json(&["events", "describe-event-bus", "--name", "default"])?;
    let bus_arn = bus["Arn"].as_str().unwrap_or_default();
    aws.json(&[
        "events",
        "create-archive",
        "--archive-name",
        "rehearsal-console",
        "--event-source-arn",
        bus_arn,
    ])?;
    let member = cognito::Member {
        email: "console@rehearsal.example".to_owned(),
        groups: vec!["rewind-admins".to_owned()],
    };
    cognito::add_member(aws, stack, &member)?;

    let browser = Chromium::launch(BrowserOptions {
        extra_args: vec![
            format!("--host-resolver-rules={}", front.host_resolver_rules()),
            // The front's certificate is self-signed for the AWS hostnames.
            "--ignore-certificate-errors".to_owned(),
        ],
        ..BrowserOptions::default()
    })
    .await?;
    let client = browser.client.clone();
    let outcome = sign_in_and_list(tally, &client, &console_url, &member.email).await;
    let shot = crate::tools::target_dir()
        .join("rehearsal")
        .join("console.png");
    if let Ok(png) = client.screenshot().await {
        let _ = std::fs::write(&shot, png);
        println!("  (screenshot: {})", shot.display());
    }
    browser.close().await;
    outcome
}

/// The two reasons for the stand-in, checked to still hold: when the emulator's
/// CloudFront data plane serves this distribution, this fails, and the rehearsal should
/// go through the data plane instead.
async fn pin_emulator_gaps(
    tally: &mut Tally,
    emulator: &Ministack,
    stack: &StackOutputs,
) -> Result<()> {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let viewer = |path: &str| {
        http.get(format!("{}{path}", emulator.endpoint()))
            .header("host", stack.console_domain().unwrap_or_default())
            .header("x-forwarded-proto", "https")
            .send()
    };
    let console = viewer("/index.html").await?;
    let status = console.status();
    let body = console.text().await.unwrap_or_default();
    tally.check(
        status == StatusCode::FORBIDDEN && body.contains("AccessDenied"),
        format!(
            "emulator gap still there: its CloudFront reads the console bucket as if over plain HTTP, \
             so the bucket's TLS-only Deny refuses it ({status})"
        ),
    )?;
    let api = viewer("/api/health").await?.status();
    tally.check(
        api == StatusCode::BAD_GATEWAY,
        format!(
            "emulator gap still there: its CloudFront cannot reach an execute-api origin ({api})"
        ),
    )?;
    Ok(())
}

async fn sign_in_and_list(
    tally: &mut Tally,
    client: &fantoccini::Client,
    console_url: &str,
    email: &str,
) -> Result<()> {
    let wait = Duration::from_secs(30);
    client
        .goto(&format!("{console_url}archives"))
        .await
        .context("opening the console")?;
    let username = client
        .wait()
        .at_most(wait)
        .for_element(Locator::Id("username"))
        .await
        .context("the hosted UI's sign-in form")?;
    let at = client.current_url().await.context("the URL")?;
    tally.check(
        at.host_str()
            .is_some_and(|h| h.ends_with(".amazoncognito.com")),
        format!(
            "the console sends the browser to the stack's hosted UI ({})",
            at.origin().ascii_serialization()
        ),
    )?;
    username
        .send_keys(email)
        .await
        .context("typing the e-mail")?;
    client
        .find(Locator::Id("password"))
        .await
        .context("the password field")?
        .send_keys(cognito::PASSWORD)
        .await
        .context("typing the password")?;
    client
        .find(Locator::Css(
            "form button[type=submit], form input[type=submit]",
        ))
        .await
        .context("the sign-in button")?
        .click()
        .await
        .context("signing in")?;
    let signed_in = format!("//strong[normalize-space()='{email}']");
    client
        .wait()
        .at_most(wait)
        .for_element(Locator::XPath(&signed_in))
        .await
        .context("the header naming who signed in")?;
    let row = "//table//*[normalize-space()='rehearsal-console']";
    client
        .wait()
        .at_most(wait)
        .for_element(Locator::XPath(row))
        .await
        .context("the archive in the Archives table")?;
    let at = client.current_url().await.context("the URL")?;
    tally.check(
        at.path() == "/archives",
        format!(
            "signed in as {email}, back on {} with the archives listed through /api on the console's origin",
            at.path()
        ),
    )?;
    Ok(())
}
