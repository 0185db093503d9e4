//! The OpenAPI 3.1 document, generated from the route table (`routes::table`), the
//! handlers' annotations and `shared`'s DTOs. The error answers every signed-in route
//! can give are added here, once, instead of on each handler.

use axum::Json;
use shared::ErrorBody;
use shared::roles::Operation;
use std::sync::OnceLock;
use utoipa::openapi::link::LinkBuilder;
use utoipa::openapi::{OpenApi as Document, Ref, RefOr, Response, ResponseBuilder};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(title = "Rewind", description = "Self-service console API for Amazon EventBridge archives and replays."),
    components(schemas(ErrorBody)),
    tags(
        (name = "archives"), (name = "replays"),
        (name = "helpers", description = "What the forms need"), (name = "meta"),
        (name = "v2", description = "The Custom Event Bus (eventsv2): buses, subscribers, and replays as temporary point-in-time subscribers"),
    )
)]
pub struct ApiDoc;

/// The document, built once from the route table.
pub fn document() -> &'static Document {
    static DOCUMENT: OnceLock<Document> = OnceLock::new();
    DOCUMENT.get_or_init(|| {
        let (_, mut document) = crate::http::routes::table().split_for_parts();
        CommonErrors.modify(&mut document);
        Links.modify(&mut document);
        document
    })
}

/// One operation of the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentedRoute {
    /// `GET`, `POST`, …
    pub method: &'static str,
    /// `/api/archives/{name}`
    pub path: String,
    pub operation_id: String,
}

impl DocumentedRoute {
    /// The action it performs; `None` for the open routes (health, this document).
    pub fn operation(&self) -> Option<Operation> {
        Operation::from_operation_id(&self.operation_id)
    }
}

/// Every operation of the document, in path order.
pub fn routes() -> Vec<DocumentedRoute> {
    let mut routes = Vec::new();
    for (path, item) in &document().paths.paths {
        let methods = [
            ("GET", &item.get),
            ("POST", &item.post),
            ("PUT", &item.put),
            ("PATCH", &item.patch),
            ("DELETE", &item.delete),
        ];
        for (method, operation) in methods {
            if let Some(operation) = operation {
                routes.push(DocumentedRoute {
                    method,
                    path: path.clone(),
                    operation_id: operation.operation_id.clone().unwrap_or_default(),
                });
            }
        }
    }
    routes
}

#[utoipa::path(get, operation_id = "openapi", path = "/api/openapi.json", tag = "meta", responses((status = 200, description = "This document")))]
pub async fn openapi_json() -> Json<&'static serde_json::Value> {
    Json(document_json())
}

/// The document as served: JSON, with each link's fields named as OpenAPI names them
/// (utoipa 5.5 writes a `Link`'s `operationId`, `operationRef` and `requestBody` in
/// snake case).
pub fn document_json() -> &'static serde_json::Value {
    static JSON: OnceLock<serde_json::Value> = OnceLock::new();
    JSON.get_or_init(|| {
        let mut json = serde_json::to_value(document()).unwrap_or_default();
        let links = json
            .get_mut("paths")
            .and_then(serde_json::Value::as_object_mut)
            .into_iter()
            .flat_map(|paths| paths.values_mut())
            .filter_map(serde_json::Value::as_object_mut)
            .flat_map(|item| item.values_mut())
            .filter_map(|operation| operation.get_mut("responses"))
            .filter_map(serde_json::Value::as_object_mut)
            .flat_map(|responses| responses.values_mut())
            .filter_map(|response| response.get_mut("links"))
            .filter_map(serde_json::Value::as_object_mut)
            .flat_map(|links| links.values_mut())
            .filter_map(serde_json::Value::as_object_mut);
        for link in links {
            for (snake, camel) in [
                ("operation_id", "operationId"),
                ("operation_ref", "operationRef"),
                ("request_body", "requestBody"),
            ] {
                if let Some(value) = link.remove(snake) {
                    link.insert(camel.to_owned(), value);
                }
            }
        }
        json
    })
}

/// What any signed-in route may answer besides its own results: 401 and 403 from the
/// role check, and — for the routes that call EventBridge — 429, 502 and 503.
struct CommonErrors;

impl CommonErrors {
    const SIGNED_IN: [(&'static str, &'static str); 2] = [
        ("401", "No verified identity (deployed: no valid token)"),
        ("403", "The caller's role may not take this action"),
    ];
    const UPSTREAM: [(&'static str, &'static str); 3] = [
        ("429", "EventBridge kept throttling after the SDK's retries"),
        ("502", "EventBridge failed or answered something unreadable"),
        ("503", "EventBridge could not be reached in time"),
    ];
}

impl Modify for CommonErrors {
    fn modify(&self, document: &mut Document) {
        let error = |description: &str| -> RefOr<Response> {
            ResponseBuilder::new()
                .description(description)
                .content(
                    "application/json",
                    utoipa::openapi::ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("ErrorBody")))
                        .build(),
                )
                .build()
                .into()
        };
        for (action, operation) in signed_in_operations(document) {
            let upstream: &[_] = if action == Operation::Me {
                &[]
            } else {
                &Self::UPSTREAM
            };
            for (status, description) in Self::SIGNED_IN.iter().chain(upstream) {
                operation
                    .responses
                    .responses
                    .entry((*status).to_owned())
                    .or_insert_with(|| error(description));
            }
        }
    }
}

/// OpenAPI links from what a create answers to what acts on it: an archive to its
/// reads, edits and peeks, a peek to its reads and stop, a replay to its page and
/// cancel — so a client (and schemathesis' stateful phase) can follow them.
struct Links;

impl Links {
    /// (from, its status, to, the parameter, where its value comes from).
    const LINKS: [(
        Operation,
        &'static str,
        Operation,
        &'static str,
        &'static str,
    ); 8] = [
        (
            Operation::CreateArchive,
            "201",
            Operation::DescribeArchive,
            "name",
            "$request.body#/archiveName",
        ),
        (
            Operation::CreateArchive,
            "201",
            Operation::UpdateArchive,
            "name",
            "$request.body#/archiveName",
        ),
        (
            Operation::CreateArchive,
            "201",
            Operation::DeleteArchive,
            "name",
            "$request.body#/archiveName",
        ),
        (
            Operation::CreateArchive,
            "201",
            Operation::StartPeek,
            "name",
            "$request.body#/archiveName",
        ),
        (
            Operation::StartPeek,
            "201",
            Operation::ReadPeek,
            "peekId",
            "$response.body#/peekId",
        ),
        (
            Operation::StartPeek,
            "201",
            Operation::StopPeek,
            "peekId",
            "$response.body#/peekId",
        ),
        (
            Operation::StartReplay,
            "201",
            Operation::DescribeReplay,
            "name",
            "$request.body#/replayName",
        ),
        (
            Operation::StartReplay,
            "201",
            Operation::CancelReplay,
            "name",
            "$request.body#/replayName",
        ),
    ];
}

impl Modify for Links {
    fn modify(&self, document: &mut Document) {
        for (from, operation) in signed_in_operations(document) {
            for (_, status, to, parameter, value) in
                Self::LINKS.iter().filter(|link| link.0 == from)
            {
                if let Some(RefOr::T(response)) = operation.responses.responses.get_mut(*status) {
                    response.links.insert(
                        to.operation_id().to_owned(),
                        LinkBuilder::new()
                            .operation_id(to.operation_id())
                            .parameter(*parameter, *value)
                            .build()
                            .into(),
                    );
                }
            }
        }
    }
}

/// Every operation of the document behind sign-in, with its action.
fn signed_in_operations(
    document: &mut Document,
) -> impl Iterator<Item = (Operation, &mut utoipa::openapi::path::Operation)> {
    document.paths.paths.values_mut().flat_map(|item| {
        [
            &mut item.get,
            &mut item.post,
            &mut item.put,
            &mut item.patch,
            &mut item.delete,
        ]
        .into_iter()
        .flatten()
        .filter_map(|operation| {
            let action = operation
                .operation_id
                .as_deref()
                .and_then(Operation::from_operation_id)?;
            Some((action, operation))
        })
    })
}
