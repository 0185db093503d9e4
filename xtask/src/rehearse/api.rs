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

/// The tokens of the admin, the operator and the viewer signed in.
fn role_tokens(callers: &[Caller]) -> Result<(&str, &str, &str)> {
    let token = |role: Role| {
        callers
            .iter()
            .find(|c| c.role == Some(role))
            .map(|c| c.token.as_str())
            .with_context(|| format!("no {} signed in", role.as_str()))
    };
    Ok((
        token(Role::Admin)?,
        token(Role::Operator)?,
        token(Role::Viewer)?,
    ))
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

    /// `DELETE {path}` with `token`; its status.
    async fn delete(&self, path: &str, token: &str) -> Result<StatusCode> {
        Ok(self.call(Method::DELETE, path, Some(token), None).await?.0)
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
    // No emulator models the Custom Event Bus: the function is pointed at the stand-in
    // before its routes are tried.
    let standin = point_at_v2_standin(aws, emulator).await?;
    role_matrix(tally, &api, &callers).await?;
    archive_and_replay(tally, &api, aws, &callers).await?;
    replay_job(tally, &api, aws, &callers).await?;
    slices_and_reports(tally, &api, aws, stack, &callers).await?;
    custom_bus_replay(tally, &api, emulator, &standin, &callers).await?;
    audit_trail(tally, aws, stack, &callers)?;
    scheduled_sweep(tally, aws, super::STACK)?;
    Ok(())
}

/// The stack's replay-job state machine exists, named `rewind-jobs-…`; an operator
/// creates a job through the authorizer, and Step Functions runs it to `COMPLETED`.
async fn replay_job(tally: &mut Tally, api: &Api, aws: &AwsCli, callers: &[Caller]) -> Result<()> {
    let (admin, operator, _) = role_tokens(callers)?;
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

    let bus_arn = default_bus(api, operator).await?;
    let archive = "rehearsal-jobs";
    let archive_arn = job_archive(tally, api, admin, archive, &bus_arn).await?;
    let body = last_half_hour_job(
        "rehearsal-job",
        &archive_arn,
        &bus_arn,
        json!({"pacing": {"sliceMinutes": 15, "gapSeconds": 10}}),
    );
    let (status, job) = api.post("/replay-jobs", operator, &body).await?;
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
    let status = api.delete(&format!("/archives/{archive}"), admin).await?;
    tally.check(
        status == StatusCode::NO_CONTENT,
        format!("the job's archive is deleted again: {status}"),
    )?;
    Ok(())
}

/// A routed job's slice names are its own: an operator's replay named as its next slice
/// is refused through the authorizer; and a viewer's two reads of its report within a
/// minute make one set of CloudWatch calls (the audit trail lists each request's calls).
async fn slices_and_reports(
    tally: &mut Tally,
    api: &Api,
    aws: &AwsCli,
    stack: &StackOutputs,
    callers: &[Caller],
) -> Result<()> {
    crate::tools::step("Rehearsal: a job's slices are its own; a report is computed once a minute");
    let (admin, operator, viewer) = role_tokens(callers)?;
    // A rule on the default bus with a target (a queue of this account): the job routes
    // copies of it. Nothing is delivered before the job is cancelled, so the queue need
    // not exist.
    let queue_arn = format!("arn:aws:sqs:{}:000000000000:rehearsal-routed", aws.region);
    aws.run(
        "aws",
        &[
            "events",
            "put-rule",
            "--name",
            "rehearsal-fulfil",
            "--event-pattern",
            r#"{"source":["rehearsal.orders"]}"#,
        ],
    )?;
    aws.run(
        "aws",
        &[
            "events",
            "put-targets",
            "--rule",
            "rehearsal-fulfil",
            "--targets",
            &format!("Id=queue,Arn={queue_arn}"),
        ],
    )?;
    let bus_arn = default_bus(api, operator).await?;
    let archive_arn = job_archive(tally, api, admin, "rehearsal-routed", &bus_arn).await?;
    let body = last_half_hour_job(
        "rehearsal-routed",
        &archive_arn,
        &bus_arn,
        json!({
            "routing": {"targets": [{"rule": "rehearsal-fulfil", "targetId": "queue"}]},
            "pacing": {"sliceMinutes": 15, "gapSeconds": 3600},
        }),
    );
    let (status, job) = api.post("/replay-jobs", operator, &body).await?;
    let next = job["slices"][1]["replayName"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    tally.check(
        status == StatusCode::CREATED && next.starts_with("rehearsal-routed-") && next.len() == 37,
        format!("an operator creates a routed job; its slices are named {next}: {status}"),
    )?;
    let (status, refused) = api
        .post(
            "/replays",
            operator,
            &json!({
                "replayName": next,
                "eventSourceArn": archive_arn,
                "eventStartTime": body["eventStartTime"],
                "eventEndTime": body["eventEndTime"],
                "destination": {"arn": bus_arn},
            }),
        )
        .await?;
    tally.check(
        status == StatusCode::CONFLICT
            && refused["error"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("replay job rehearsal-routed")),
        format!(
            "an operator's replay named as the routed job's next slice is refused through the authorizer: {status} {}",
            refused["error"]["message"]
        ),
    )?;
    // Once its first slice has run, there is something to report.
    for _ in 0..120 {
        let (_, job) = api.get("/replay-jobs/rehearsal-routed", operator).await?;
        if job["slices"][0]["state"] == "COMPLETED" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    for _ in 0..2 {
        let (status, _) = api
            .get("/replay-jobs/rehearsal-routed/report", viewer)
            .await?;
        tally.check(
            status == StatusCode::OK,
            format!("a viewer reads the job's report: {status}"),
        )?;
    }
    let (status, cancelled) = api
        .post("/replay-jobs/rehearsal-routed/cancel", operator, &json!({}))
        .await?;
    tally.check(
        status == StatusCode::OK,
        format!("the job is cancelled: {status} {}", cancelled["state"]),
    )?;
    let group = stack.output("AuditLogGroupName")?;
    let events = aws.json(&["logs", "filter-log-events", "--log-group-name", &group])?;
    let reads: Vec<Vec<String>> = events["events"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| serde_json::from_str::<Value>(e["message"].as_str()?).ok())
        .filter(|r| {
            r["phase"] == "outcome"
                && r["operation"] == "ReplayJobReport"
                && r["path"]
                    .as_str()
                    .is_some_and(|p| p.ends_with("/rehearsal-routed/report"))
        })
        .map(|r| {
            r["upstreamCalls"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|c| c["operation"] == "GetMetricData")
                .map(|c| c["operation"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .collect();
    tally.check(
        reads.len() == 2 && !reads[0].is_empty() && reads[1].is_empty(),
        format!(
            "the viewer's two reads within a minute make one set of CloudWatch calls: {reads:?}"
        ),
    )?;
    let status = api.delete("/archives/rehearsal-routed", admin).await?;
    tally.check(
        status == StatusCode::NO_CONTENT,
        format!("the routed job's archive is deleted again: {status}"),
    )?;
    Ok(())
}

/// The sweep's schedule is deployed, and the function, invoked with that schedule's
/// event, removes a leftover made with this stack's instance tag and spares a
/// `rewind-` rule that is not Rewind's.
fn scheduled_sweep(tally: &mut Tally, aws: &AwsCli, stack: &str) -> Result<()> {
    let (schedule, function) = (
        physical(aws, stack, "SweepSchedule")?,
        physical(aws, stack, "BackendFunction")?,
    );
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
/// team groups made in its user pool as docs/teams.md says, one member each, each
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
    let (admin, operator, viewer) = role_tokens(callers)?;

    let bus_arn = default_bus(api, viewer).await?;

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
    let stopped = api.delete(&format!("/peeks/{peek_id}"), operator).await?;
    tally.check(
        status == StatusCode::CREATED
            && by_other == StatusCode::NOT_FOUND
            && by_owner == StatusCode::OK
            && stopped == StatusCode::NO_CONTENT,
        format!(
            "an operator's peek: started {status}, another member reads it {by_other}, its creator {by_owner}, stops it {stopped}"
        ),
    )?;

    let status = api.delete(&format!("/archives/{archive}"), admin).await?;
    let (gone, _) = api.get(&format!("/archives/{archive}"), viewer).await?;
    tally.check(
        status == StatusCode::NO_CONTENT && gone == StatusCode::NOT_FOUND,
        format!("an admin deletes it: {status}, then it is {gone}"),
    )?;
    Ok(())
}

/// The default bus's ARN, as the API lists it to `token`'s holder.
async fn default_bus(api: &Api, token: &str) -> Result<String> {
    let (status, buses) = api.get("/event-buses", token).await?;
    buses["eventBuses"]
        .as_array()
        .and_then(|b| b.iter().find(|b| b["name"] == "default"))
        .and_then(|b| b["arn"].as_str())
        .map(str::to_owned)
        .with_context(|| format!("the default bus is not listed: {status} {buses}"))
}

/// An admin creates archive `name` of `bus_arn` for a job's checks; its ARN.
async fn job_archive(
    tally: &mut Tally,
    api: &Api,
    admin: &str,
    name: &str,
    bus_arn: &str,
) -> Result<String> {
    let body = json!({"archiveName": name, "eventSourceArn": bus_arn});
    let (status, created) = api.post("/archives", admin, &body).await?;
    tally.check(
        status == StatusCode::CREATED,
        format!("an admin creates archive {name} for a job: {status}"),
    )?;
    Ok(created["archiveArn"]
        .as_str()
        .unwrap_or_default()
        .to_owned())
}

/// The body of job `name` replaying the half hour before the last whole minute from
/// `archive_arn` to `bus_arn`, with `more` fields (pacing, routing).
fn last_half_hour_job(name: &str, archive_arn: &str, bus_arn: &str, more: Value) -> Value {
    let now = time::OffsetDateTime::now_utc();
    let end = now.replace_nanosecond(0).unwrap_or(now) - time::Duration::minutes(1);
    let mut body = json!({
        "jobName": name,
        "eventSourceArn": archive_arn,
        "eventStartTime": shared::timestamp::format(end - time::Duration::minutes(30)),
        "eventEndTime": shared::timestamp::format(end),
        "destination": {"arn": bus_arn},
    });
    if let (Some(body), Value::Object(more)) = (body.as_object_mut(), more) {
        body.extend(more);
    }
    body
}

/// The role of the rehearsal's v2 subscriber: the first stack lists it in
/// `TargetRoleArns`, so a replay's copy may pass it again.
pub(super) const V2_SUBSCRIBER_ROLE: &str =
    "arn:aws:iam::000000000000:role/rewind-rehearsal-subscriber";

/// The Custom Event Bus through the deployed stack: the function pointed at the v2
/// stand-in (`REWIND_EVENTBRIDGEV2_ENDPOINT` set on it, as no emulator models
/// `eventsv2`), an operator replays a window of a v2 bus to one subscriber through the
/// authorizer; its events arrive on the subscriber's queue again, and stopping the
/// replay leaves no temporary subscriber.
async fn custom_bus_replay(
    tally: &mut Tally,
    api: &Api,
    emulator: &Ministack,
    standin: &testkit::eventsv2::EventsV2,
    callers: &[Caller],
) -> Result<()> {
    use testkit::custom_bus::{
        client, create_bus, create_subscriber_as, kept_from, put_order_events,
    };
    crate::tools::step("Rehearsal: a Custom Event Bus replay, the function on the v2 stand-in");
    let (_, operator, viewer) = role_tokens(callers)?;
    let v2 = client(standin.endpoint());
    let bus = create_bus(&v2, "rehearsal-v2", 1, "the rehearsal's Custom Event Bus").await;
    // The SDK, not the AWS CLI: the CLI's SQS calls went to queue.amazonaws.com here,
    // AWS_ENDPOINT_URL notwithstanding.
    let sqs = testkit::app::sqs_client(&emulator.endpoint(), "rehearsal");
    let queue_url = sqs
        .create_queue()
        .queue_name("rehearsal-v2-subscriber")
        .send()
        .await
        .context("create the subscriber's queue")?
        .queue_url()
        .context("a queue URL")?
        .to_owned();
    let queue_arn = testkit::app::queue_arn(&sqs, &queue_url)
        .await
        .map_err(anyhow::Error::msg)?;
    let subscriber = create_subscriber_as(
        &v2,
        &bus,
        "rehearsal-subscriber",
        (&queue_arn, V2_SUBSCRIBER_ROLE),
        None,
    )
    .await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    put_order_events(&v2, &bus, 3).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let from = kept_from(&v2, &bus).await.map_err(anyhow::Error::msg)?;
    let (status, listed) = api.get("/v2/event-buses", viewer).await?;
    tally.check(
        status == StatusCode::OK && listed["eventBuses"][0]["name"] == "rehearsal-v2",
        format!("a viewer lists the Custom Event Bus through the function: {status}"),
    )?;
    let (status, started) = api
        .post(
            "/v2/replays",
            operator,
            &json!({
                "replayName": "rehearsal-v2",
                "eventBusArn": bus,
                "subscriberArns": [subscriber],
                "eventStartTime": shared::timestamp::format(from),
                "eventEndTime": shared::timestamp::format(time::OffsetDateTime::now_utc()),
            }),
        )
        .await?;
    tally.check(
        status == StatusCode::CREATED && started["state"] == "RUNNING",
        format!(
            "an operator replays the v2 bus's window to one subscriber through the authorizer: {status} {}",
            started["state"]
        ),
    )?;
    // The three events live, then the three again through the replay's copy.
    let received = testkit::app::receive(&sqs, &queue_url, 6, Duration::from_secs(30), |_| true)
        .await
        .len();
    tally.check(
        received >= 6,
        format!("the replayed events arrive on the subscriber's queue: {received} messages (3 live, 3 replayed)"),
    )?;
    let (status, stopped) = api
        .post("/v2/replays/rehearsal-v2/stop", operator, &json!({}))
        .await?;
    let left: Vec<String> = v2
        .list_subscribers()
        .event_bus_arn(&bus)
        .send()
        .await
        .context("list subscribers")?
        .subscribers()
        .iter()
        .filter_map(|s| s.name().map(str::to_owned))
        .filter(|n| n.starts_with("rewind-"))
        .collect();
    tally.check(
        status == StatusCode::OK && stopped["state"] == "STOPPED" && left.is_empty(),
        format!("stopping it leaves no temporary subscriber: {status} {left:?}"),
    )?;
    Ok(())
}

/// The v2 stand-in, with the first stack's function pointed at it
/// (`REWIND_EVENTBRIDGEV2_ENDPOINT` added to its environment) and delivering through the
/// emulator.
async fn point_at_v2_standin(
    aws: &AwsCli,
    emulator: &Ministack,
) -> Result<testkit::eventsv2::EventsV2> {
    let standin = testkit::eventsv2::start(testkit::eventsv2::Config {
        aws_endpoint: Some(emulator.endpoint()),
        ..Default::default()
    })
    .await;
    let function = physical(aws, super::STACK, "BackendFunction")?;
    let configuration = aws.json(&[
        "lambda",
        "get-function-configuration",
        "--function-name",
        &function,
    ])?;
    let mut variables = configuration["Environment"]["Variables"].clone();
    variables["REWIND_EVENTBRIDGEV2_ENDPOINT"] = Value::String(standin.endpoint().to_owned());
    aws.run(
        "aws",
        &[
            "lambda",
            "update-function-configuration",
            "--function-name",
            &function,
            "--environment",
            &json!({"Variables": variables}).to_string(),
        ],
    )?;
    Ok(standin)
}

/// The physical id of `logical` in `stack`.
fn physical(aws: &AwsCli, stack: &str, logical: &str) -> Result<String> {
    let resources = aws.json(&[
        "cloudformation",
        "describe-stack-resources",
        "--stack-name",
        stack,
    ])?;
    resources["StackResources"]
        .as_array()
        .and_then(|r| r.iter().find(|r| r["LogicalResourceId"] == logical))
        .and_then(|r| r["PhysicalResourceId"].as_str())
        .map(str::to_owned)
        .with_context(|| format!("{stack} has no {logical}"))
}
