//! What the SAM template grants and exposes, read from `template.yaml` itself: only the
//! two open routes go around the JWT authorizer; the function's role has no wildcard
//! EventBridge action and cannot put events; `Resource: "*"` appears only on actions
//! that support no resource scoping; both audit log groups outlive the stack; the
//! console's CSP names no bare scheme.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_norway::{Mapping, Value};
use std::collections::BTreeSet;

fn template() -> Value {
    // Relative: tests run in their package directory (a cached build may come from another checkout).
    let path = "../template.yaml";
    let text = std::fs::read_to_string(path).expect("template.yaml");
    serde_norway::from_str(&text).expect("template.yaml parses")
}

fn resources(template: &Value) -> Vec<(String, Value)> {
    template["Resources"]
        .as_mapping()
        .expect("Resources")
        .iter()
        .map(|(k, v)| (k.as_str().unwrap_or_default().to_owned(), v.clone()))
        .collect()
}

fn of_type(template: &Value, kind: &str) -> Vec<(String, Value)> {
    resources(template)
        .into_iter()
        .filter(|(_, r)| r["Type"].as_str() == Some(kind))
        .collect()
}

/// A value without its CloudFormation tag (`!Sub "x"` → `"x"`).
fn untagged(value: &Value) -> &Value {
    match value {
        Value::Tagged(tagged) => untagged(&tagged.value),
        other => other,
    }
}

/// Every string in `value`, tags looked through.
fn strings(value: &Value) -> Vec<String> {
    match untagged(value) {
        Value::String(s) => vec![s.clone()],
        Value::Sequence(items) => items.iter().flat_map(strings).collect(),
        Value::Mapping(map) => map.values().flat_map(strings).collect(),
        _ => Vec::new(),
    }
}

/// Every IAM statement of every policy the template defines, with where it is.
fn statements(template: &Value) -> Vec<(String, Mapping)> {
    fn walk(at: &str, value: &Value, out: &mut Vec<(String, Mapping)>) {
        match untagged(value) {
            Value::Mapping(map) => {
                if let Some(Value::Sequence(list)) = map.get("Statement").map(untagged) {
                    for statement in list {
                        match untagged(statement) {
                            Value::Mapping(s) => out.push((at.to_owned(), s.clone())),
                            // `!If [condition, statement, !Ref AWS::NoValue]`.
                            Value::Sequence(branches) => {
                                for branch in branches {
                                    if let Value::Mapping(s) = untagged(branch) {
                                        out.push((at.to_owned(), s.clone()));
                                    }
                                }
                            }
                            _ => {}
                        }
                    }
                }
                for (key, inner) in map {
                    let key = key.as_str().unwrap_or_default();
                    walk(&format!("{at}.{key}"), inner, out);
                }
            }
            Value::Sequence(items) => items.iter().for_each(|i| walk(at, i, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    for (name, resource) in resources(template) {
        walk(&name, &resource, &mut out);
    }
    out
}

fn field(statement: &Mapping, key: &str) -> Vec<String> {
    statement.get(key).map(strings).unwrap_or_default()
}

#[test]
fn only_the_two_open_routes_skip_the_authorizer() {
    let template = template();
    let routes = of_type(&template, "AWS::ApiGatewayV2::Route");
    let mut open = BTreeSet::new();
    for (name, route) in &routes {
        let properties = &route["Properties"];
        let key = properties["RouteKey"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        match properties["AuthorizationType"].as_str() {
            Some("NONE") => {
                open.insert(key);
            }
            Some("JWT") => assert!(
                !properties["AuthorizerId"].is_null(),
                "{name} is JWT without an authorizer"
            ),
            other => panic!("{name}: AuthorizationType {other:?}"),
        }
    }
    assert_eq!(
        open,
        BTreeSet::from([
            "GET /api/health".to_owned(),
            "GET /api/openapi.json".to_owned()
        ])
    );
    assert_eq!(
        routes.len(),
        3,
        "one signed-in catch-all route and the two open ones"
    );
    // No route made implicitly by SAM from a function event.
    for (name, function) in of_type(&template, "AWS::Serverless::Function") {
        assert!(
            function["Properties"]["Events"].is_null(),
            "{name} has events"
        );
    }
}

#[test]
fn no_wildcard_eventbridge_action_and_no_put_events() {
    let template = template();
    let all = statements(&template);
    assert!(all.len() > 10, "the policies were found: {}", all.len());
    for (at, statement) in &all {
        let allow = field(statement, "Effect") == ["Allow"];
        for action in field(statement, "Action") {
            let lower = action.to_ascii_lowercase();
            assert_ne!(lower, "events:putevents", "{at} allows PutEvents");
            if allow {
                assert!(
                    !lower.ends_with(":*") && lower != "*" && !lower.contains('*'),
                    "{at} allows the wildcard action {action}"
                );
            }
        }
    }
}

/// The actions that support no resource-level scoping, so may have `Resource: "*"`.
const UNSCOPABLE: [&str; 9] = [
    "events:ListArchives",
    "events:ListReplays",
    "events:ListEventBuses",
    "events:ListRules",
    "events:TestEventPattern",
    "sqs:ListQueues",
    "cloudwatch:GetMetricData",
    "logs:DescribeDeliverySources",
    "logs:DescribeDeliveries",
];

#[test]
fn resource_star_only_where_nothing_narrower_exists() {
    let template = template();
    for (at, statement) in statements(&template) {
        if field(&statement, "Effect") != ["Allow"] || field(&statement, "Resource") != ["*"] {
            continue;
        }
        for action in field(&statement, "Action") {
            assert!(
                UNSCOPABLE.contains(&action.as_str()),
                "{at}: {action} on Resource \"*\""
            );
        }
    }
}

#[test]
fn both_audit_log_groups_outlive_the_stack() {
    let template = template();
    for name in ["AuditLogGroup", "ApiAccessLogGroup"] {
        let group = &template["Resources"][name];
        assert_eq!(group["Type"], "AWS::Logs::LogGroup", "{name}");
        assert_eq!(group["DeletionPolicy"], "Retain", "{name}");
        assert_eq!(group["UpdateReplacePolicy"], "Retain", "{name}");
        assert_eq!(
            strings(&group["Properties"]["RetentionInDays"]),
            ["AuditRetentionDays"]
        );
        assert!(
            strings(&group["Properties"]["KmsKeyId"]).contains(&"AuditKmsKeyArn".to_owned()),
            "{name} takes the optional key"
        );
    }
    assert_eq!(template["Parameters"]["AuditRetentionDays"]["Default"], 365);
    let function = &template["Resources"]["BackendFunction"]["Properties"];
    assert_eq!(
        strings(&function["Environment"]["Variables"]["REWIND_AUDIT_LOG_GROUP"]),
        ["AuditLogGroup"]
    );
    // The trail is not the application log, and the function may only append to it.
    assert_ne!(
        strings(&function["LoggingConfig"]["LogGroup"]),
        ["AuditLogGroup"]
    );
    for (at, statement) in statements(&template) {
        let resources = field(&statement, "Resource").join(" ");
        if resources.contains("AuditLogGroup") {
            assert_eq!(
                field(&statement, "Action"),
                ["logs:CreateLogStream", "logs:PutLogEvents"],
                "{at}"
            );
        }
    }
    let stage = of_type(&template, "AWS::ApiGatewayV2::Stage");
    assert_eq!(stage.len(), 1);
    assert_eq!(
        strings(&stage[0].1["Properties"]["AccessLogSettings"]["DestinationArn"]),
        ["ApiAccessLogGroup.Arn"]
    );
}

#[test]
fn the_console_csp_names_no_bare_scheme() {
    let template = template();
    let policies = of_type(&template, "AWS::CloudFront::ResponseHeadersPolicy");
    assert!(!policies.is_empty());
    for (name, policy) in policies {
        let csp = &policy["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]["ContentSecurityPolicy"]
            ["ContentSecurityPolicy"];
        let texts = strings(csp);
        assert!(
            texts.iter().any(|t| t.contains("connect-src")),
            "{name}: {texts:?}"
        );
        for text in texts {
            for directive in text.split(';') {
                let mut words = directive.split_whitespace();
                let name = words.next().unwrap_or_default();
                for source in words {
                    let bare = matches!(source, "https:" | "http:" | "*" | "'unsafe-inline'")
                        || (source == "data:" && name != "img-src");
                    assert!(!bare, "{name}: bare {source:?} in {name} of {text}");
                }
            }
        }
    }
}

#[test]
fn temporary_rules_deliver_only_inside_the_account_and_the_sweep_is_scheduled() {
    let template = template();
    let all = statements(&template);
    let with = |action: &str| -> Vec<&Mapping> {
        all.iter()
            .filter(|(_, s)| field(s, "Effect") == ["Allow"])
            .filter(|(_, s)| field(s, "Action").iter().any(|a| a == action))
            .map(|(_, s)| s)
            .collect()
    };
    // PutTargets: only on rewind- rules, in two statements (Rewind puts one target a
    // call): any resource of this account and region but an event bus; or a bus of
    // EventBusNames in this account and region, or one of AllowedTargetArns.
    let put_targets = with("events:PutTargets");
    assert_eq!(put_targets.len(), 3, "three statements allow PutTargets");
    for statement in &put_targets {
        let resources = field(statement, "Resource");
        assert!(
            resources.iter().any(|r| r.ends_with("rule/rewind-*"))
                && resources.iter().any(|r| r.ends_with("rule/*/rewind-*"))
                && !resources
                    .iter()
                    .any(|r| r.ends_with("rule/*") || r.ends_with("rule/*/*") || r == "*"),
            "PutTargets reaches beyond rewind- rules: {resources:?}"
        );
    }
    let condition_of =
        |statement: &Mapping| statement.get("Condition").cloned().unwrap_or(Value::Null);
    // This account's and region's resources, but no bus.
    let account = condition_of(put_targets[0]);
    assert_eq!(
        strings(&account["ForAllValues:ArnLike"]["events:TargetArn"]),
        ["arn:${AWS::Partition}:*:${AWS::Region}:${AWS::AccountId}:*"]
    );
    assert_eq!(
        strings(&account["ForAllValues:ArnNotLike"]["events:TargetArn"]),
        ["arn:${AWS::Partition}:events:*:*:event-bus/*"],
        "no event bus through the account statement"
    );
    // A bus of EventBusNames, and of this account and region.
    let buses = condition_of(put_targets[1]);
    let names = strings(&buses["ForAllValues:ArnLike"]["events:TargetArn"]);
    assert!(
        names.iter().any(|b| b == "arn:aws:events:*:*:event-bus/")
            && names.iter().any(|b| b == "EventBusNames"),
        "{names:?}"
    );
    assert_eq!(
        strings(&buses["ForAllValues:StringLike"]["events:TargetArn"]),
        ["arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/*"],
        "only this account's and region's buses"
    );
    // AllowedTargetArns, only when set.
    let allowed = condition_of(put_targets[2]);
    assert_eq!(
        strings(&allowed["ForAllValues:ArnLike"]["events:TargetArn"]),
        [",", "AllowedTargetArns"],
        "!Split of the parameter"
    );
    let policy = strings(&template["Resources"]["BackendRole"]["Properties"]["Policies"]);
    assert!(policy.iter().any(|p| p == "HasAllowedTargetArns"));
    assert_eq!(template["Parameters"]["AllowedTargetArns"]["Default"], "");
    // Tagging: only rewind- rules.
    for action in ["events:TagResource", "events:ListTagsForResource"] {
        let statements = with(action);
        assert!(!statements.is_empty(), "{action} is allowed");
        for statement in statements {
            let resources = field(statement, "Resource");
            assert!(
                resources.iter().any(|r| r.ends_with("rewind-*"))
                    && !resources
                        .iter()
                        .any(|r| r.ends_with("rule/*") || r.ends_with("rule/*/*") || r == "*"),
                "{action} on {resources:?}"
            );
        }
    }
    // The sweep: a schedule every 5 minutes invoking the function, allowed to.
    let schedule = &template["Resources"]["SweepSchedule"];
    assert_eq!(schedule["Type"], "AWS::Events::Rule");
    assert_eq!(
        schedule["Properties"]["ScheduleExpression"],
        "rate(5 minutes)"
    );
    assert_eq!(
        strings(&schedule["Properties"]["Targets"][0]["Arn"]),
        ["BackendFunction.Arn"]
    );
    let permission = &template["Resources"]["SweepPermission"]["Properties"];
    assert_eq!(permission["Principal"], "events.amazonaws.com");
    assert_eq!(strings(&permission["SourceArn"]), ["SweepSchedule.Arn"]);
    let function = &template["Resources"]["BackendFunction"]["Properties"];
    assert_eq!(
        strings(&function["Environment"]["Variables"]["REWIND_INSTANCE"]),
        ["AWS::StackId"]
    );
    // A forward to another account's bus is checked by the function against the same
    // list that bounds PutTargets' TargetArn.
    assert_eq!(
        strings(&function["Environment"]["Variables"]["REWIND_ALLOWED_TARGET_ARNS"]),
        ["AllowedTargetArns"]
    );
    // A forward within the account is checked against the same EventBusNames, and a
    // role against ForwardRoleArns.
    for (variable, parameter) in [
        ("REWIND_EVENT_BUS_NAMES", "EventBusNames"),
        ("REWIND_FORWARD_ROLE_ARNS", "ForwardRoleArns"),
        ("REWIND_TARGET_ROLE_ARNS", "TargetRoleArns"),
    ] {
        assert_eq!(
            strings(&function["Environment"]["Variables"][variable]),
            [parameter]
        );
    }
}

#[test]
fn pass_role_only_on_the_listed_roles_and_only_to_eventbridge() {
    let template = template();
    for parameter in ["ForwardRoleArns", "TargetRoleArns"] {
        assert_eq!(
            template["Parameters"][parameter]["Default"], "",
            "{parameter}"
        );
    }
    let pass: Vec<(String, Mapping)> = statements(&template)
        .into_iter()
        .filter(|(_, s)| field(s, "Action").iter().any(|a| a == "iam:PassRole"))
        .collect();
    assert_eq!(pass.len(), 2, "two statements pass roles");
    for ((at, statement), parameter) in pass.iter().zip(["ForwardRoleArns", "TargetRoleArns"]) {
        let resources = field(statement, "Resource");
        assert_eq!(resources, [",", parameter], "{at}: only the listed roles");
        let condition = statement.get("Condition").cloned().unwrap_or(Value::Null);
        assert_eq!(
            condition["StringEquals"]["iam:PassedToService"].as_str(),
            Some("events.amazonaws.com"),
            "{at}"
        );
    }
    // With a list empty, its statement is not there at all.
    let policies = strings(&template["Resources"]["BackendRole"]["Properties"]["Policies"]);
    for condition in ["HasForwardRoleArns", "HasTargetRoleArns"] {
        assert!(policies.iter().any(|p| p == condition), "{policies:?}");
    }
}

#[test]
fn slots_and_report_budgets_are_kept_in_a_table_of_their_own() {
    let template = template();
    let table = &template["Resources"]["LedgerTable"];
    assert_eq!(table["Type"], "AWS::DynamoDB::Table");
    assert_eq!(table["Properties"]["BillingMode"], "PAY_PER_REQUEST");
    assert_eq!(
        table["Properties"]["TimeToLiveSpecification"]["AttributeName"],
        "expiresAt"
    );
    let variables =
        &template["Resources"]["BackendFunction"]["Properties"]["Environment"]["Variables"];
    assert_eq!(strings(&variables["REWIND_LEDGER_TABLE"]), ["LedgerTable"]);
    let mut granted = BTreeSet::new();
    for (at, statement) in statements(&template) {
        let dynamodb: Vec<String> = field(&statement, "Action")
            .into_iter()
            .filter(|a| a.starts_with("dynamodb:"))
            .collect();
        if dynamodb.is_empty() {
            continue;
        }
        assert_eq!(field(&statement, "Resource"), ["LedgerTable.Arn"], "{at}");
        granted.extend(dynamodb);
    }
    assert_eq!(
        granted,
        BTreeSet::from(
            [
                "dynamodb:GetItem",
                "dynamodb:PutItem",
                "dynamodb:UpdateItem"
            ]
            .map(str::to_owned)
        )
    );
}

#[test]
fn replay_jobs_run_on_their_own_state_machine_with_the_narrowest_roles() {
    let template = template();
    let machine = &template["Resources"]["ReplayJobsStateMachine"];
    assert_eq!(machine["Type"], "AWS::Serverless::StateMachine");
    assert_eq!(machine["Properties"]["Type"], "STANDARD");
    // One definition file, the one the backend creates in an emulator.
    let uri = machine["Properties"]["DefinitionUri"]
        .as_str()
        .expect("DefinitionUri");
    let path = "..";
    let definition: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{path}/{uri}")).expect("the definition file"),
    )
    .expect("the definition is JSON");
    let resources: BTreeSet<&str> = definition["States"]
        .as_object()
        .expect("States")
        .values()
        .filter_map(|s| s["Resource"].as_str())
        .collect();
    assert_eq!(
        resources,
        BTreeSet::from([
            "arn:aws:states:::aws-sdk:eventbridge:describeReplay",
            "arn:aws:states:::aws-sdk:eventbridge:startReplay",
        ]),
        "the workflow calls EventBridge itself, and nothing else"
    );
    // A slice waits for a slot: LimitExceeded is retried, effectively for ever.
    let retry = &definition["States"]["Start slice"]["Retry"][0];
    assert_eq!(
        retry["ErrorEquals"][0],
        "EventBridge.LimitExceededException"
    );
    assert!(retry["MaxAttempts"].as_u64().is_some_and(|n| n >= 1000));
    assert!(retry["MaxDelaySeconds"].as_u64().is_some_and(|n| n <= 300));
    assert!(
        strings(&machine["Properties"]["Name"])
            .iter()
            .any(|n| n == "rewind-jobs"),
        "the machine is named rewind-…"
    );
    // Its role: start, read and cancel replays, on the function's ARNs, nothing else.
    let role = &template["Resources"]["ReplayJobsRole"];
    let mut actions = BTreeSet::new();
    let mut buses = Vec::new();
    let all = statements(&template);
    for (at, statement) in all
        .iter()
        .filter(|(at, _)| at.starts_with("ReplayJobsRole"))
    {
        if at.contains("AssumeRolePolicyDocument") {
            continue;
        }
        assert_eq!(field(statement, "Effect"), ["Allow"]);
        for action in field(statement, "Action") {
            actions.insert(action);
        }
        for resource in field(statement, "Resource") {
            assert_ne!(resource, "*", "{at}");
            if resource.contains("event-bus/") {
                buses.push(resource);
            }
        }
    }
    // It never cancels (the backend does): no CancelReplay.
    assert_eq!(
        actions,
        BTreeSet::from([
            "events:DescribeReplay".to_owned(),
            "events:StartReplay".to_owned(),
        ])
    );
    // Only this stack's machine may assume it.
    let trust = &role["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Condition"];
    assert!(
        strings(&trust["ArnLike"]["aws:SourceArn"])
            .iter()
            .any(|a| a.contains(":stateMachine:rewind-jobs-${StackPart}")),
        "{trust:?}"
    );
    assert_eq!(
        strings(&trust["StringEquals"]["aws:SourceAccount"]),
        ["AWS::AccountId"]
    );
    assert!(
        buses
            .iter()
            .any(|b| b.contains("arn:aws:events:*:*:event-bus/")),
        "the buses are narrowed by EventBusNames: {buses:?}"
    );
    assert!(
        strings(&role["Properties"]["AssumeRolePolicyDocument"])
            .iter()
            .any(|p| p == "states.amazonaws.com")
    );
    // The function: these five Step Functions actions, on that machine and its runs only.
    let mut granted = BTreeSet::new();
    for (at, statement) in all.iter().filter(|(at, _)| at.starts_with("BackendRole")) {
        let states: Vec<String> = field(statement, "Action")
            .into_iter()
            .filter(|a| a.starts_with("states:"))
            .collect();
        if states.is_empty() {
            continue;
        }
        let resources = field(statement, "Resource");
        assert!(
            resources
                .iter()
                .all(|r| r.starts_with("ReplayJobsStateMachine")
                    || r.contains(":execution:${Machine}:*")),
            "{at}: {resources:?}"
        );
        granted.extend(states);
    }
    assert_eq!(
        granted,
        BTreeSet::from(
            [
                "states:DescribeExecution",
                "states:GetExecutionHistory",
                "states:ListExecutions",
                "states:StartExecution",
                "states:StopExecution",
            ]
            .map(str::to_owned)
        )
    );
    let variables =
        &template["Resources"]["BackendFunction"]["Properties"]["Environment"]["Variables"];
    assert_eq!(
        strings(&variables["REWIND_JOBS_STATE_MACHINE_ARN"]),
        ["ReplayJobsStateMachine"]
    );
    assert_eq!(
        strings(&variables["REWIND_TEAM_MAX_ACTIVE_REPLAYS"]),
        ["TeamMaxActiveReplays"]
    );
    assert_eq!(template["Parameters"]["TeamMaxActiveReplays"]["Default"], 3);
}

#[test]
fn replay_reports_read_only_the_bus_log_groups_of_their_parameter() {
    let template = template();
    let all = statements(&template);
    let filter: Vec<&Mapping> = all
        .iter()
        .filter(|(at, s)| {
            at.starts_with("BackendRole")
                && field(s, "Action")
                    .iter()
                    .any(|a| a == "logs:FilterLogEvents")
        })
        .map(|(_, s)| s)
        .collect();
    assert_eq!(filter.len(), 1, "one statement allows FilterLogEvents");
    let resources = field(filter[0], "Resource");
    assert_eq!(resources.len(), 1, "{resources:?}");
    assert!(
        resources[0].ends_with(":log-group:${BusLogGroups}:*"),
        "FilterLogEvents reaches beyond BusLogGroups: {resources:?}"
    );
    assert_eq!(
        template["Parameters"]["BusLogGroups"]["Default"],
        "/aws/vendedlogs/events/*"
    );
    // No other log read anywhere.
    for (at, statement) in &all {
        for action in field(statement, "Action") {
            assert!(
                !matches!(
                    action.as_str(),
                    "logs:GetLogEvents" | "logs:StartQuery" | "logs:DescribeLogGroups"
                ),
                "{at} allows {action}"
            );
        }
    }
}

/// The viewer-request function, run with node on every route of the console's frame table
/// and a few paths besides: each gets the frame `shared::console::frame_for` names, and a
/// file keeps its path.
#[test]
fn the_edge_serves_each_route_the_frame_the_local_server_does() {
    let template = template();
    let code = untagged(&template["Resources"]["SpaRoutes"]["Properties"]["FunctionCode"])
        .as_str()
        .expect("SpaRoutes' code")
        .to_owned();
    let mut paths: Vec<String> = shared::console::FRAMES
        .iter()
        .map(|(route, _)| format!("/{}", route.replace('*', "orders-all")))
        .collect();
    paths.extend(
        [
            "/archives/",
            "/archives/new/",
            "/archives/orders-all/other",
            "/constructor",
            "/archives/constructor",
            "/archives/orders.v1",
            "/replays/orders.v1/peek",
            "/no-such-page",
            "/a/b/c/d",
            "/rewind-frontend-6591d67ef76fdd94_bg.wasm",
            "/config.json",
            "/frames/now.html",
        ]
        .map(str::to_owned),
    );
    let script = format!(
        "{code}\nconst paths = {};\nconsole.log(JSON.stringify(paths.map(uri => handler({{ request: {{ uri }} }}).uri)));",
        serde_json::to_string(&paths).expect("paths")
    );
    let output = std::process::Command::new("node")
        .args(["-e", &script])
        .output()
        .expect("node (CI installs it with npm)");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let served: Vec<String> = serde_json::from_slice(&output.stdout).expect("node's answer");
    for (path, uri) in paths.iter().zip(&served) {
        let last = path.rsplit('/').next().unwrap_or_default();
        let expected = match shared::console::route_frame(path) {
            Some(frame) => format!("/frames/{frame}.html"),
            None if last.contains('.') => path.clone(),
            None => "/frames/not-found.html".to_owned(),
        };
        assert_eq!(uri, &expected, "{path}");
    }
    assert_eq!(served.len(), paths.len());
}
