//! The API of a deployed stack, through what a caller really meets: the HTTP API's JWT
//! authorizer, the Lambda function, EventBridge. Everything is found through the
//! stack's outputs; every caller is a member of its user pool, signed in.

use super::Tally;
use super::aws::{AwsCli, StackOutputs};
use super::cognito::{self, Member};
use super::ministack::Ministack;
use crate::Result;
use anyhow::Context;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use shared::roles::{Operation, Role};
use std::time::Duration;

/// A member of each role's group, one in two groups, and one in none.
fn members() -> Vec<(Option<Role>, Member)> {
    let member = |email: &str, groups: &[&str]| Member {
        email: email.to_owned(),
        groups: groups.iter().map(|g| (*g).to_owned()).collect(),
    };
    vec![
        (None, member("nobody@rehearsal.example", &[])),
        (
            Some(Role::Viewer),
            member("viewer@rehearsal.example", &["rewind-viewers"]),
        ),
        (
            Some(Role::Operator),
            // Two groups: the claim reaches the function as "[rewind-viewers rewind-operators]".
            member(
                "operator@rehearsal.example",
                &["rewind-viewers", "rewind-operators"],
            ),
        ),
        (
            Some(Role::Admin),
            member("admin@rehearsal.example", &["rewind-admins"]),
        ),
    ]
}

/// A signed-in caller of the API.
struct Caller {
    role: Option<Role>,
    email: String,
    token: String,
}

struct Api {
    base: String,
    http: reqwest::Client,
}

impl Api {
    /// `POST /api{path}` with a JSON body as the holder of `token`.
    async fn post(&self, path: &str, token: &str, body: &Value) -> Result<(StatusCode, Value)> {
        self.call(Method::POST, path, Some(token), Some(body)).await
    }

    /// `GET /api{path}` as the holder of `token`.
    async fn get(&self, path: &str, token: &str) -> Result<(StatusCode, Value)> {
        self.call(Method::GET, path, Some(token), None).await
    }

    async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Result<(StatusCode, Value)> {
        let mut request = self
            .http
            .request(method.clone(), format!("{}/api{path}", self.base));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request
            .send()
            .await
            .map_err(|e| anyhow::anyhow!("{method} {path}: {e}"))?;
        let status = response.status();
        let text = response.text().await?;
        let json = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Ok((status, json))
    }
}

pub async fn checks(
    tally: &mut Tally,
    aws: &AwsCli,
    emulator: &Ministack,
    stack: &StackOutputs,
    other_stack: &StackOutputs,
) -> Result<()> {
    crate::tools::step("Rehearsal: the API through the JWT authorizer, Lambda and EventBridge");
    let api = Api {
        base: emulator.api_base(&stack.api_id()?),
        http: reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()?,
    };

    for path in ["/health", "/openapi.json"] {
        let (status, _) = api.call(Method::GET, path, None, None).await?;
        tally.check(
            status == StatusCode::OK,
            format!("GET /api{path} without a token: {status}"),
        )?;
    }

    let mut callers = Vec::new();
    for (role, member) in members() {
        cognito::add_member(aws, stack, &member)?;
        let token = cognito::sign_in(&emulator.endpoint(), stack, &member.email).await?;
        callers.push(Caller {
            role,
            email: member.email,
            token,
        });
    }
    tally.pass(format!(
        "{} members added with the AWS CLI and signed in through the hosted UI (code + PKCE)",
        callers.len()
    ));

    refuses_bad_tokens(tally, &api, aws, emulator, other_stack, &callers).await?;
    who_am_i(tally, &api, &callers).await?;
    role_matrix(tally, &api, &callers).await?;
    archive_and_replay(tally, &api, aws, &callers).await?;
    replay_job(tally, &api, aws, &callers).await?;
    audit_trail(tally, aws, stack, &callers)?;
    scheduled_sweep(tally, aws, super::STACK)?;
    Ok(())
}

/// The stack's replay-job state machine exists, named `rewind-jobs-…`; an operator
/// creates a job through the authorizer, and Step Functions runs it to `COMPLETED`.
async fn replay_job(tally: &mut Tally, api: &Api, aws: &AwsCli, callers: &[Caller]) -> Result<()> {
    let token = |role: Role| {
        callers
            .iter()
            .find(|c| c.role == Some(role))
            .map(|c| c.token.as_str())
            .with_context(|| format!("no {} signed in", role.as_str()))
    };
    let (admin, operator) = (token(Role::Admin)?, token(Role::Operator)?);
    let resources = aws.json(&[
        "cloudformation",
        "describe-stack-resources",
        "--stack-name",
        super::STACK,
    ])?;
    let machine = resources["StackResources"]
        .as_array()
        .and_then(|r| {
            r.iter()
                .find(|r| r["LogicalResourceId"] == "ReplayJobsStateMachine")
        })
        .and_then(|r| r["PhysicalResourceId"].as_str())
        .map(str::to_owned)
        .context("the stack has no ReplayJobsStateMachine")?;
    let described = aws.json(&[
        "stepfunctions",
        "describe-state-machine",
        "--state-machine-arn",
        &machine,
    ])?;
    tally.check(
        described["name"]
            .as_str()
            .is_some_and(|n| n.starts_with("rewind-jobs-"))
            && described["type"] == "STANDARD",
        format!(
            "the stack's replay-job state machine {} is deployed ({})",
            described["name"], described["type"]
        ),
    )?;

    let (_, buses) = api.get("/event-buses", operator).await?;
    let bus_arn = buses["eventBuses"]
        .as_array()
        .and_then(|b| b.iter().find(|b| b["name"] == "default"))
        .and_then(|b| b["arn"].as_str())
        .map(str::to_owned)
        .context("the default bus is not listed")?;
    let archive = "rehearsal-jobs";
    let (status, created) = api
        .post(
            "/archives",
            admin,
            &json!({"archiveName": archive, "eventSourceArn": bus_arn}),
        )
        .await?;
    let archive_arn = created["archiveArn"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    tally.check(
        status == StatusCode::CREATED,
        format!("an admin creates archive {archive} for a job: {status}"),
    )?;
    let now = time::OffsetDateTime::now_utc();
    let end = now.replace_nanosecond(0).unwrap_or(now) - time::Duration::minutes(1);
    let (status, job) = api
        .post(
            "/replay-jobs",
            operator,
            &json!({
                "jobName": "rehearsal-job",
                "eventSourceArn": archive_arn,
                "eventStartTime": shared::timestamp::format(end - time::Duration::minutes(30)),
                "eventEndTime": shared::timestamp::format(end),
                "destination": {"arn": bus_arn},
                "pacing": {"sliceMinutes": 15, "gapSeconds": 10},
            }),
        )
        .await?;
    tally.check(
        status == StatusCode::CREATED && job["slicesTotal"] == 2,
        format!(
            "an operator creates a replay job of 2 slices: {status} {}",
            job["state"]
        ),
    )?;
    let mut last = Value::Null;
    for _ in 0..120 {
        let (_, job) = api.get("/replay-jobs/rehearsal-job", operator).await?;
        last = job;
        if last["state"]
            .as_str()
            .is_some_and(|s| s != "RUNNING" && s != "QUEUED")
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    tally.check(
        last["state"] == "COMPLETED" && last["slicesDone"] == 2,
        format!(
            "Step Functions runs it to {} ({} of 2 slices done)",
            last["state"], last["slicesDone"]
        ),
    )?;
    // The job's report, read by the function from CloudWatch and the Logs delivery
    // APIs through its role: the default bus does not log, so the report says how.
    let (status, report) = api
        .get("/replay-jobs/rehearsal-job/report", operator)
        .await?;
    tally.check(
        status == StatusCode::OK
            && report["replayName"] == "rehearsal-job"
            && report["rules"].is_array()
            && report["notes"]
                .to_string()
                .contains("aws events update-event-bus --name default"),
        format!(
            "the function reads the job's report (AWS/Events metrics, bus logging): {status}, {} rules, notes {}",
            report["rules"].as_array().map_or(0, Vec::len),
            report["notes"]
        ),
    )?;
    let (status, _) = api
        .call(
            Method::DELETE,
            &format!("/archives/{archive}"),
            Some(admin),
            None,
        )
        .await?;
    tally.check(
        status == StatusCode::NO_CONTENT,
        format!("the job's archive is deleted again: {status}"),
    )?;
    Ok(())
}

/// The sweep's schedule is deployed, and the function, invoked with that schedule's
/// event, removes a leftover made with this stack's instance tag and spares a
/// `rewind-` rule that is not Rewind's.
fn scheduled_sweep(tally: &mut Tally, aws: &AwsCli, stack: &str) -> Result<()> {
    let resources = aws.json(&[
        "cloudformation",
        "describe-stack-resources",
        "--stack-name",
        stack,
    ])?;
    let physical = |logical: &str| {
        resources["StackResources"]
            .as_array()
            .and_then(|r| r.iter().find(|r| r["LogicalResourceId"] == logical))
            .and_then(|r| r["PhysicalResourceId"].as_str())
            .map(str::to_owned)
            .with_context(|| format!("{stack} has no {logical}"))
    };
    let (schedule, function) = (physical("SweepSchedule")?, physical("BackendFunction")?);
    let schedule = schedule.rsplit('/').next().unwrap_or(&schedule).to_owned();
    let rule = aws.json(&["events", "describe-rule", "--name", &schedule])?;
    let targets = aws.json(&["events", "list-targets-by-rule", "--rule", &schedule])?;
    let target = targets["Targets"][0]["Arn"].as_str().unwrap_or_default();
    tally.check(
        rule["ScheduleExpression"] == "rate(5 minutes)" && target.contains(&function),
        format!(
            "the sweep's schedule {schedule} is deployed: {} → {target}",
            rule["ScheduleExpression"]
        ),
    )?;

    let stacks = aws.json(&["cloudformation", "describe-stacks", "--stack-name", stack])?;
    let instance = stacks["Stacks"][0]["StackId"]
        .as_str()
        .context("the stack's id")?
        .to_owned();
    let description = shared::routing::TemporaryRule {
        replay: "gone".into(),
        carries: shared::routing::TemporaryRule::copies_of("fulfil"),
        made: time::OffsetDateTime::now_utc() - time::Duration::days(1),
    }
    .description();
    let leftover = "rewind-00000000000000cc-0-gone";
    let theirs = "rewind-not-rewinds";
    for (name, tag) in [(leftover, Some(&instance)), (theirs, None)] {
        let mut args = vec![
            "events",
            "put-rule",
            "--name",
            name,
            "--event-pattern",
            r#"{"source":["rehearsal"],"replay-name":["gone"]}"#,
            "--description",
            &description,
        ];
        let tags = tag.map(|t| format!("Key=rewind:instance,Value={t}"));
        if let Some(tags) = &tags {
            args.extend(["--tags", tags]);
        }
        aws.json(&args)?;
    }
    let event = json!({
        "version": "0", "id": "rehearsal-sweep", "detail-type": "Scheduled Event",
        "source": "aws.events", "account": "000000000000", "time": "2026-12-02T00:00:00Z",
        "region": aws.region, "resources": [rule["Arn"]], "detail": {},
    })
    .to_string();
    let out = std::env::temp_dir().join(format!("rewind-sweep-{}.json", std::process::id()));
    let out_path = out.to_string_lossy().into_owned();
    aws.json(&[
        "lambda",
        "invoke",
        "--function-name",
        &function,
        "--payload",
        &event,
        &out_path,
    ])?;
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&out)?)?;
    let _ = std::fs::remove_file(&out);
    let left = aws.json(&["events", "list-rules", "--name-prefix", "rewind-"])?;
    let names: Vec<&str> = left["Rules"]
        .as_array()
        .map(|r| r.iter().filter_map(|r| r["Name"].as_str()).collect())
        .unwrap_or_default();
    tally.check(
        !names.contains(&leftover) && names.contains(&theirs),
        format!(
            "the function invoked with the schedule's event sweeps {leftover} (report {report}) and spares {theirs}: {names:?} left"
        ),
    )?;
    aws.json(&["events", "delete-rule", "--name", theirs])?;
    Ok(())
}

/// The stack's audit log group (from its outputs) exists with its retention, and holds
/// the record of a refusal the role matrix caused and the intent of the replay started.
fn audit_trail(
    tally: &mut Tally,
    aws: &AwsCli,
    stack: &StackOutputs,
    callers: &[Caller],
) -> Result<()> {
    crate::tools::step("Rehearsal: the audit trail in its own log group");
    let group = stack.output("AuditLogGroupName")?;
    let described = aws.json(&[
        "logs",
        "describe-log-groups",
        "--log-group-name-prefix",
        &group,
    ])?;
    let retention = described["logGroups"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|g| g["logGroupName"] == group.as_str())
        .map(|g| g["retentionInDays"].clone());
    tally.check(
        retention == Some(json!(365)),
        format!("the audit log group {group} exists, retention {retention:?} days"),
    )?;
    // The HTTP API's access log goes to the other retained group (the emulator keeps
    // the setting but writes no access log; AWS does).
    let access_group = stack.output("ApiAccessLogGroupName")?;
    let stage = aws.json(&[
        "apigatewayv2",
        "get-stage",
        "--api-id",
        &stack.api_id()?,
        "--stage-name",
        "$default",
    ])?;
    let destination = stage["AccessLogSettings"]["DestinationArn"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    tally.check(
        destination.contains(&format!(":log-group:{access_group}"))
            && stage["AccessLogSettings"]["Format"]
                .as_str()
                .is_some_and(|f| f.contains("$context.requestId")),
        format!("the API stage's access log goes to {access_group} ({destination})"),
    )?;
    let events = aws.json(&["logs", "filter-log-events", "--log-group-name", &group])?;
    let records: Vec<Value> = events["events"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| serde_json::from_str(e["message"].as_str()?).ok())
        .collect();
    let viewer = callers
        .iter()
        .find(|c| c.role == Some(Role::Viewer))
        .map(|c| c.email.clone())
        .unwrap_or_default();
    let refusal = records.iter().find(|r| {
        r["phase"] == "outcome"
            && r["outcome"]["decision"] == "refused"
            && r["outcome"]["status"] == 403
            && r["caller"]["email"] == viewer.as_str()
    });
    tally.check(
        refusal.is_some_and(|r| {
            r["caller"]["verified"] == true
                && r["apiGatewayRequestId"].is_string()
                && r["lambdaRequestId"].is_string()
                && r["sourceIp"].is_string()
        }),
        format!(
            "a refused request's record is in it ({} records): {}",
            records.len(),
            refusal.map(Value::to_string).unwrap_or_default()
        ),
    )?;
    let intent = records
        .iter()
        .any(|r| r["phase"] == "intent" && r["operation"] == "StartReplay");
    let outcome = records.iter().any(|r| {
        r["phase"] == "outcome"
            && r["operation"] == "StartReplay"
            && r["eventbridgeRequestIds"]
                .as_array()
                .is_some_and(|ids| !ids.is_empty())
    });
    tally.check(
        intent && outcome,
        "the replay's intent and its outcome with EventBridge's request ids are in it",
    )
}

/// The second stack was deployed with `Teams`, `EventBusNames` and `MaxReplayHours`: two
/// team groups made in its user pool as README "Teams" says, one member each, each
/// seeing only their team's buses through the JWT authorizer.
pub async fn team_checks(
    tally: &mut Tally,
    aws: &AwsCli,
    emulator: &Ministack,
    stack: &StackOutputs,
) -> Result<()> {
    crate::tools::step(
        "Rehearsal: teams on the second stack (Teams, EventBusNames, MaxReplayHours)",
    );
    let api = Api {
        base: emulator.api_base(&stack.api_id()?),
        http: reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()?,
    };
    let pool = stack.output("UserPoolId")?;
    for group in ["rewind-team-payments", "rewind-team-search"] {
        aws.json(&[
            "cognito-idp",
            "create-group",
            "--user-pool-id",
            &pool,
            "--group-name",
            group,
        ])?;
    }
    for bus in ["payments-eu", "search-a", "orders"] {
        aws.json(&["events", "create-event-bus", "--name", bus])?;
    }
    let teams = [
        (
            "pay@rehearsal.example",
            ["rewind-operators", "rewind-team-payments"],
            "payments",
            "payments-eu",
        ),
        (
            "search@rehearsal.example",
            ["rewind-viewers", "rewind-team-search"],
            "search",
            "search-a",
        ),
    ];
    for (email, groups, team, bus) in teams {
        let member = Member {
            email: email.to_owned(),
            groups: groups.iter().map(|g| (*g).to_owned()).collect(),
        };
        cognito::add_member(aws, stack, &member)?;
        let token = cognito::sign_in(&emulator.endpoint(), stack, email).await?;
        let (status, me) = api.get("/me", &token).await?;
        tally.check(
            status == StatusCode::OK && me["scope"] == "teams" && me["teams"][0]["name"] == team,
            format!(
                "GET /api/me as {email} (group rewind-team-{team}): {status}, scope {}, teams {}",
                me["scope"], me["teams"]
            ),
        )?;
        let (status, buses) = api.get("/event-buses?limit=100", &token).await?;
        let names: Vec<&str> = buses["eventBuses"]
            .as_array()
            .map(|b| b.iter().filter_map(|b| b["name"].as_str()).collect())
            .unwrap_or_default();
        tally.check(
            status == StatusCode::OK && names == [bus],
            format!("GET /api/event-buses as {email}: {status}, only {names:?}"),
        )?;
    }
    // MaxReplayHours=24: a day and an hour is refused on eventEndTime, before any lookup.
    let operator = cognito::sign_in(&emulator.endpoint(), stack, "pay@rehearsal.example").await?;
    let (status, refused) = api
        .post(
            "/replays/preview",
            &operator,
            &json!({
                "replayName": "too-long",
                "eventSourceArn": "arn:aws:events:us-east-1:000000000000:archive/payments-all",
                "eventStartTime": "2026-11-01T00:00:00Z", "eventEndTime": "2026-11-02T01:00:00Z",
                "destination": {"arn": "arn:aws:events:us-east-1:000000000000:event-bus/payments-eu"},
            }),
        )
        .await?;
    tally.check(
        status == StatusCode::BAD_REQUEST && refused["error"]["field"] == "eventEndTime",
        format!(
            "MaxReplayHours=24: a 25-hour window is refused: {status} {}",
            refused["error"]["message"]
        ),
    )?;
    Ok(())
}

/// 401 without a token, with a forged one, with one signed by another stack's pool.
async fn refuses_bad_tokens(
    tally: &mut Tally,
    api: &Api,
    aws: &AwsCli,
    emulator: &Ministack,
    other_stack: &StackOutputs,
    callers: &[Caller],
) -> Result<()> {
    let viewer = callers
        .iter()
        .find(|c| c.role == Some(Role::Viewer))
        .context("no viewer")?;
    let admin_claims = forge(&viewer.token, |claims| {
        claims["cognito:groups"] = json!(["rewind-admins"]);
    })?;
    let unsigned = {
        let parts: Vec<&str> = viewer.token.split('.').collect();
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
        format!("{header}.{}.", parts.get(1).copied().unwrap_or_default())
    };
    let member = Member {
        email: "viewer@other.example".to_owned(),
        groups: vec!["rewind-viewers".to_owned()],
    };
    cognito::add_member(aws, other_stack, &member)?;
    let foreign = cognito::sign_in(&emulator.endpoint(), other_stack, &member.email).await?;
    let cases: [(&str, Option<&str>); 5] = [
        ("no token", None),
        ("a token that is not a JWT", Some("not-a-jwt")),
        (
            "a viewer's token with its groups rewritten to admins",
            Some(&admin_claims),
        ),
        ("an unsigned token (alg none)", Some(&unsigned)),
        (
            "a valid token of the other stack's user pool",
            Some(&foreign),
        ),
    ];
    for (what, token) in cases {
        let (status, _) = api.call(Method::GET, "/archives", token, None).await?;
        tally.check(
            status == StatusCode::UNAUTHORIZED,
            format!("GET /api/archives with {what}: {status}"),
        )?;
    }
    Ok(())
}

/// The token with its payload changed and its signature kept.
fn forge(token: &str, change: impl FnOnce(&mut Value)) -> Result<String> {
    let parts: Vec<&str> = token.split('.').collect();
    let [header, payload, signature] = parts[..] else {
        return Err(anyhow::anyhow!("the ID token is not a JWS"));
    };
    let decoded = URL_SAFE_NO_PAD
        .decode(payload)
        .map_err(|e| anyhow::anyhow!("the ID token's payload: {e}"))?;
    let mut claims: Value = serde_json::from_slice(&decoded)?;
    change(&mut claims);
    let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
    Ok(format!("{header}.{payload}.{signature}"))
}

/// `GET /api/me` names each caller and their role, read from the groups claim as API
/// Gateway hands it over.
async fn who_am_i(tally: &mut Tally, api: &Api, callers: &[Caller]) -> Result<()> {
    for caller in callers.iter().filter(|c| c.role.is_some()) {
        let (status, me) = api
            .call(Method::GET, "/me", Some(&caller.token), None)
            .await?;
        let role = caller.role.map(Role::as_str);
        let roles: Vec<&str> = me["roles"]
            .as_array()
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        tally.check(
            status == StatusCode::OK
                && me["email"] == json!(caller.email)
                && roles.iter().copied().max_by_key(|r| rank(r)) == role
                && me["local"] == json!(false),
            format!("GET /api/me as {}: {status}, roles {roles:?}", caller.email),
        )?;
    }
    Ok(())
}

fn rank(role: &str) -> u8 {
    match role {
        "admin" => 3,
        "operator" => 2,
        "viewer" => 1,
        _ => 0,
    }
}

/// Every route of the deployed OpenAPI document, as every caller: a route whose
/// `operationId` names an action of `shared`'s role table is allowed (it reaches the
/// handler: a 2xx, or its own 4xx for a missing resource or an empty body) or refused
/// (403) as the table says; the only other routes are the open ones. Writes name a
/// resource that does not exist and carry an empty body, so nothing changes.
async fn role_matrix(tally: &mut Tally, api: &Api, callers: &[Caller]) -> Result<()> {
    let (status, document) = api.call(Method::GET, "/openapi.json", None, None).await?;
    if status != StatusCode::OK {
        return Err(anyhow::anyhow!("the deployed OpenAPI document: {status}"));
    }
    let mut routes = Vec::new();
    for (path, item) in document["paths"].as_object().into_iter().flatten() {
        for (method, operation) in item.as_object().into_iter().flatten() {
            let id = operation["operationId"].as_str().unwrap_or_default();
            match Operation::from_operation_id(id) {
                Some(action) => routes.push((action, method.to_uppercase(), path.clone())),
                None if ["health", "openapi"].contains(&id) => {}
                None => return Err(anyhow::anyhow!("{method} {path} ({id}) is in no role")),
            }
        }
    }
    let mut cells = 0;
    for (action, method, template) in &routes {
        let path = template
            .strip_prefix("/api")
            .unwrap_or(template)
            .replace("/event-buses/{name}", "/event-buses/default")
            .replace("{name}", "rehearsal-missing")
            .replace("{rule}", "rehearsal-missing")
            .replace("{peekId}", "0000000000000000");
        let method = Method::from_bytes(method.as_bytes())?;
        let body = matches!(method, Method::POST | Method::PATCH).then(|| json!({}));
        for caller in callers {
            let (status, answer) = api
                .call(method.clone(), &path, Some(&caller.token), body.as_ref())
                .await?;
            let allowed = caller.role.is_some_and(|role| role.can(*action));
            let as_expected = if allowed {
                status != StatusCode::UNAUTHORIZED
                    && status != StatusCode::FORBIDDEN
                    && !status.is_server_error()
            } else {
                status == StatusCode::FORBIDDEN && answer["error"]["code"] == "Forbidden"
            };
            if !as_expected {
                return Err(anyhow::anyhow!(
                    "role matrix: {method} /api{path} as {} ({}): {status} {answer}, expected {}",
                    caller.email,
                    caller.role.map(Role::as_str).unwrap_or("no group"),
                    if allowed { "allowed" } else { "403 Forbidden" }
                ));
            }
            cells += 1;
        }
    }
    tally.check(
        routes.len() == Operation::ALL.len(),
        format!(
            "role matrix: the {} signed-in routes of the deployed OpenAPI document × {} callers = {cells} requests, each allowed or refused as shared's table says",
            routes.len(),
            callers.len()
        ),
    )
}

/// An archive created, described, edited; events put; a replay started and watched to
/// its end; the archive deleted — each by the least role allowed to.
async fn archive_and_replay(
    tally: &mut Tally,
    api: &Api,
    aws: &AwsCli,
    callers: &[Caller],
) -> Result<()> {
    let token = |role: Role| {
        callers
            .iter()
            .find(|c| c.role == Some(role))
            .map(|c| c.token.as_str())
            .with_context(|| format!("no {} signed in", role.as_str()))
    };
    let (admin, operator, viewer) = (
        token(Role::Admin)?,
        token(Role::Operator)?,
        token(Role::Viewer)?,
    );

    let (status, buses) = api.get("/event-buses", viewer).await?;
    let bus_arn = buses["eventBuses"]
        .as_array()
        .and_then(|b| b.iter().find(|b| b["name"] == "default"))
        .and_then(|b| b["arn"].as_str())
        .map(str::to_owned)
        .with_context(|| format!("the default bus is not listed: {status} {buses}"))?;

    let archive = "rehearsal-orders";
    let (status, created) = api
        .post(
            "/archives",
            admin,
            &json!({
                "archiveName": archive,
                "eventSourceArn": bus_arn,
                "description": "Created by the deploy rehearsal",
                "retentionDays": 7,
            }),
        )
        .await?;
    tally.check(
        status == StatusCode::CREATED,
        format!("an admin creates archive {archive}: {status} {created}"),
    )?;
    let archive_arn = created["archiveArn"]
        .as_str()
        .unwrap_or_default()
        .to_owned();

    let (status, described) = api.get(&format!("/archives/{archive}"), viewer).await?;
    tally.check(
        status == StatusCode::OK
            && described["retentionDays"] == 7
            && described["eventSourceArn"] == json!(bus_arn),
        format!(
            "a viewer describes it: {status}, retention {}",
            described["retentionDays"]
        ),
    )?;

    let (status, _) = api
        .call(
            Method::PATCH,
            &format!("/archives/{archive}"),
            Some(admin),
            Some(&json!({"retentionDays": 0, "description": ""})),
        )
        .await?;
    let (_, edited) = api.get(&format!("/archives/{archive}"), viewer).await?;
    tally.check(
        status == StatusCode::OK && edited["retentionDays"] == 0 && edited["description"].is_null(),
        format!(
            "an admin keeps it indefinitely and clears its description: {status}, retention {}, description {}",
            edited["retentionDays"], edited["description"]
        ),
    )?;

    aws.json(&[
        "events",
        "put-events",
        "--entries",
        r#"[{"Source":"rehearsal","DetailType":"order placed","Detail":"{\"orderId\":\"r-1\"}","EventBusName":"default"}]"#,
    ])?;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let now = time::OffsetDateTime::now_utc().replace_nanosecond(0)?;
    let rfc3339 =
        |t: time::OffsetDateTime| t.format(&time::format_description::well_known::Rfc3339);
    let replay = "rehearsal-replay";
    let (status, started) = api
        .post(
            "/replays",
            operator,
            &json!({
                "replayName": replay,
                "eventSourceArn": archive_arn,
                "eventStartTime": rfc3339(now - time::Duration::hours(1))?,
                "eventEndTime": rfc3339(now)?,
                "destination": {"arn": bus_arn},
            }),
        )
        .await?;
    tally.check(
        status == StatusCode::CREATED,
        format!("an operator starts replay {replay}: {status} {started}"),
    )?;

    let watched = testkit::wait_until(
        "the replay to complete",
        Duration::from_secs(60),
        Duration::from_millis(500),
        || async {
            let (status, replay) = api.get(&format!("/replays/{replay}"), viewer).await?;
            if status == StatusCode::OK && replay["state"] == "COMPLETED" {
                Ok(replay)
            } else {
                Err(anyhow::anyhow!("{status} {}", replay["state"]))
            }
        },
    )
    .await?;
    tally.check(
        watched["progress"] == json!(1.0)
            && watched["description"]
                .as_str()
                .is_some_and(|d| d.contains("operator@rehearsal.example")),
        format!(
            "a viewer watches it to COMPLETED, progress {}, described {}",
            watched["progress"], watched["description"]
        ),
    )?;

    // A peek is its creator's: another member reads it as missing.
    let (status, peek) = api
        .post(
            &format!("/archives/{archive}/peeks"),
            operator,
            &json!({
                "eventStartTime": rfc3339(now - time::Duration::minutes(30))?,
                "eventEndTime": rfc3339(now)?,
            }),
        )
        .await?;
    let peek_id = peek["peekId"].as_str().unwrap_or_default().to_owned();
    let (by_other, _) = api.get(&format!("/peeks/{peek_id}"), admin).await?;
    let (by_owner, _) = api.get(&format!("/peeks/{peek_id}"), operator).await?;
    let (stopped, _) = api
        .call(
            Method::DELETE,
            &format!("/peeks/{peek_id}"),
            Some(operator),
            None,
        )
        .await?;
    tally.check(
        status == StatusCode::CREATED
            && by_other == StatusCode::NOT_FOUND
            && by_owner == StatusCode::OK
            && stopped == StatusCode::NO_CONTENT,
        format!(
            "an operator's peek: started {status}, another member reads it {by_other}, its creator {by_owner}, stops it {stopped}"
        ),
    )?;

    let (status, _) = api
        .call(
            Method::DELETE,
            &format!("/archives/{archive}"),
            Some(admin),
            None,
        )
        .await?;
    let (gone, _) = api.get(&format!("/archives/{archive}"), viewer).await?;
    tally.check(
        status == StatusCode::NO_CONTENT && gone == StatusCode::NOT_FOUND,
        format!("an admin deletes it: {status}, then it is {gone}"),
    )?;
    Ok(())
}
