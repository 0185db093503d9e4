//! The OpenAPI document is the published contract: any change to it shows up here as a
//! diff of `backend/tests/openapi.json`. After a deliberate change, refresh the snapshot
//! with `REWIND_UPDATE_SNAPSHOT=1 cargo test -p rewind-backend --test api openapi`.

use shared::roles::Operation;
use testkit::app::{HEALTH, OPENAPI, workspace_root};

/// Whether the document's path `path` lies below the collection `collection` lists.
fn below(path: &str, collection: Operation) -> bool {
    path.starts_with(&format!("{}/", collection.path_template()))
}

#[test]
fn the_document_matches_its_snapshot() {
    let snapshot = workspace_root().join("backend/tests/openapi.json");
    let current =
        serde_json::to_string_pretty(backend::http::openapi::document_json()).unwrap() + "\n";
    if std::env::var_os("REWIND_UPDATE_SNAPSHOT").is_some() {
        std::fs::write(&snapshot, &current).unwrap();
    }
    let expected = std::fs::read_to_string(&snapshot).unwrap_or_default();
    if current != expected {
        let first_difference = current
            .lines()
            .zip(expected.lines())
            .enumerate()
            .find(|(_, (now, before))| now != before)
            .map(|(line, (now, before))| {
                format!("line {}: now {now:?}, snapshot {before:?}", line + 1)
            })
            .unwrap_or_else(|| "one is a prefix of the other".to_owned());
        panic!(
            "the OpenAPI document changed ({first_difference}); if that is meant, run \
             REWIND_UPDATE_SNAPSHOT=1 cargo test -p rewind-backend --test api openapi"
        );
    }
}

/// The endpoint table in `shared` (which the console builds every request from) and the
/// routes the backend serves, as its OpenAPI document lists them, agree both ways:
/// every operation, method and path of one is in the other.
#[test]
fn the_endpoint_table_and_the_served_routes_agree_both_ways() {
    use std::collections::BTreeSet;
    let document = backend::http::openapi::document_json().clone();
    let mut served = BTreeSet::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            if !matches!(method.as_str(), "get" | "post" | "put" | "patch" | "delete") {
                continue;
            }
            // The two open routes are not operations behind sign-in.
            if path == HEALTH || path == OPENAPI {
                continue;
            }
            served.insert((
                operation["operationId"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                method.to_ascii_uppercase(),
                path.clone(),
            ));
        }
    }
    let table: BTreeSet<(String, String, String)> = Operation::ALL
        .iter()
        .map(|o| {
            (
                o.operation_id().to_owned(),
                o.method().as_str().to_owned(),
                o.path_template().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        served.difference(&table).collect::<Vec<_>>(),
        Vec::<&(String, String, String)>::new(),
        "served but not in shared::endpoints"
    );
    assert_eq!(
        table.difference(&served).collect::<Vec<_>>(),
        Vec::<&(String, String, String)>::new(),
        "in shared::endpoints but not served"
    );
}

/// Links lead from what a create answers to what acts on it, named as OpenAPI names
/// their fields, each to an operation that exists.
#[test]
fn links_lead_to_operations_that_exist() {
    let document = backend::http::openapi::document_json();
    let links = &document["paths"][Operation::StartPeek.path_template()]["post"]["responses"]["201"]
        ["links"];
    assert_eq!(links["readPeek"]["operationId"], "readPeek", "{links}");
    assert_eq!(
        links["readPeek"]["parameters"]["peekId"],
        "$response.body#/peekId"
    );
    assert!(!document.to_string().contains("operation_id"));
    let mut count = 0;
    for item in document["paths"].as_object().unwrap().values() {
        for operation in item.as_object().unwrap().values() {
            for response in operation["responses"]
                .as_object()
                .into_iter()
                .flat_map(|r| r.values())
            {
                for link in response["links"]
                    .as_object()
                    .into_iter()
                    .flat_map(|l| l.values())
                {
                    let id = link["operationId"].as_str().unwrap_or_default();
                    assert!(Operation::from_operation_id(id).is_some(), "a link to {id}");
                    count += 1;
                }
            }
        }
    }
    assert_eq!(count, 8);
}

/// The limits the document declares are the ones `shared`'s parsers enforce: every
/// declared length or range of a field is compared with the parser's own constant (the
/// OpenAPI derive takes literals only, so this is where they are held together).
#[test]
fn declared_limits_are_the_parsers_constants() {
    use shared::validation::{
        ArchiveName, Description, EventBusName, EventPattern, KmsKeyIdentifier, NextToken,
        ReplayName, RuleName,
    };
    let document = backend::http::openapi::document_json();
    // (where, field, what is declared)
    let mut declared: Vec<(String, String, serde_json::Value)> = Vec::new();
    for (schema, body) in document["components"]["schemas"].as_object().unwrap() {
        for (field, property) in body["properties"].as_object().into_iter().flatten() {
            declared.push((schema.clone(), field.clone(), property.clone()));
        }
    }
    for (path, item) in document["paths"].as_object().unwrap() {
        for operation in item.as_object().unwrap().values() {
            for parameter in operation["parameters"].as_array().into_iter().flatten() {
                let field = parameter["name"].as_str().unwrap_or_default().to_owned();
                declared.push((path.clone(), field, parameter["schema"].clone()));
            }
        }
    }
    let longest = |at: &str, field: &str| -> Option<usize> {
        Some(match (field, at) {
            ("archiveName", _) => ArchiveName::MAX_LEN,
            ("namePrefix", p) if p == Operation::ListEventBuses.path_template() => {
                EventBusName::MAX_LEN
            }
            ("namePrefix", p) if p.ends_with("/rules") => RuleName::MAX_LEN,
            ("replayName", _) | ("namePrefix", _) => ReplayName::MAX_LEN,
            ("description", _) => Description::MAX_LEN,
            ("eventPattern", _) => EventPattern::MAX_LEN,
            ("kmsKeyIdentifier", _) => KmsKeyIdentifier::MAX_LEN,
            ("nextToken", _) => NextToken::MAX_LEN,
            ("rule", _) => RuleName::MAX_LEN,
            ("name", p) if below(p, Operation::ListArchives) => ArchiveName::MAX_LEN,
            ("name", p) if below(p, Operation::ListReplays) => ReplayName::MAX_LEN,
            ("name", p) if below(p, Operation::ListEventBuses) => EventBusName::MAX_LEN,
            ("peekId", _) => 16,
            _ => return None,
        })
    };
    let mut checked = 0;
    for (at, field, schema) in &declared {
        let Some(max) = longest(at, field) else {
            continue;
        };
        // Responses describe what AWS answers; only what a request sends is limited.
        let Some(declared_max) = schema["maxLength"].as_u64() else {
            continue;
        };
        assert_eq!(
            declared_max, max as u64,
            "{at} {field}: declared maxLength {declared_max}, the parser allows {max}"
        );
        checked += 1;
    }
    let max_events =
        &document["components"]["schemas"]["StartPeekRequest"]["properties"]["maxEvents"];
    assert_eq!(
        max_events["maximum"].as_u64(),
        Some(u64::from(shared::peek::MAX_EVENTS_LIMIT))
    );
    let routed = &document["components"]["schemas"]["RoutingRequest"]["properties"]["targets"];
    assert_eq!(
        routed["maxItems"].as_u64(),
        Some(shared::routing::MAX_ROUTED_TARGETS as u64)
    );
    assert!(checked >= 15, "only {checked} limits found to compare");
}
