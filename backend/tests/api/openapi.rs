//! The OpenAPI document is the published contract: any change to it shows up here as a
//! diff of `backend/tests/openapi.json`. After a deliberate change, refresh the snapshot
//! with `REWIND_UPDATE_SNAPSHOT=1 cargo test -p rewind-backend --test api openapi`.

use testkit::app::workspace_root;

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
    use shared::roles::Operation;
    use std::collections::BTreeSet;
    let document = backend::http::openapi::document_json().clone();
    let mut served = BTreeSet::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            if !matches!(method.as_str(), "get" | "post" | "put" | "patch" | "delete") {
                continue;
            }
            // The two open routes are not operations behind sign-in.
            if matches!(path.as_str(), "/api/health" | "/api/openapi.json") {
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
    let links =
        &document["paths"]["/api/archives/{name}/peeks"]["post"]["responses"]["201"]["links"];
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
                    assert!(
                        shared::roles::Operation::from_operation_id(id).is_some(),
                        "a link to {id}"
                    );
                    count += 1;
                }
            }
        }
    }
    assert_eq!(count, 8);
}
