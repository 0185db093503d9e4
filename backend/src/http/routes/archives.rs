//! `/api/archives`: list, create, describe, update, delete.

use super::params::ArchivePath;
use crate::audit::AuditNotes;
use crate::error::ApiError;
use crate::http::extract::{ApiJson, ApiPath, ApiQuery, Scoped};
use axum::Json;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use shared::ErrorBody;
use shared::archive::{
    Archive, ArchiveList, ArchiveState, ArchiveStatus, CreateArchiveRequest, UpdateArchiveRequest,
};
use shared::list::ListQuery;
use shared::validation::{ArchiveName, EventBusArn};

#[utoipa::path(
    operation_id = "listArchives",
    get, path = "/api/archives", tag = "archives",
    params(ListQuery),
    responses((status = 200, body = ArchiveList), (status = 400, body = ErrorBody))
)]
pub async fn list(
    Scoped(eventbridge): Scoped,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<ArchiveList>, ApiError> {
    let request = query.parse(EventBusArn::parse, ArchiveState::parse)?;
    Ok(Json(eventbridge.list_archives(request).await?))
}

#[utoipa::path(
    operation_id = "createArchive",
    post, path = "/api/archives", tag = "archives",
    request_body = CreateArchiveRequest,
    responses(
        (status = 201, body = ArchiveStatus, headers(("Location" = String, description = "/api/archives/{name}"))),
        (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 413, body = ErrorBody),
    )
)]
pub async fn create(
    Scoped(eventbridge): Scoped,
    ApiJson(body): ApiJson<CreateArchiveRequest>,
) -> Result<(StatusCode, HeaderMap, Json<ArchiveStatus>), ApiError> {
    let archive = body.validate()?;
    let location = format!("/api/archives/{}", archive.name);
    let created = eventbridge.create_archive(archive).await?;
    let mut headers = HeaderMap::new();
    if let Ok(value) = HeaderValue::from_str(&location) {
        headers.insert(header::LOCATION, value);
    }
    Ok((StatusCode::CREATED, headers, Json(created)))
}

#[utoipa::path(
    operation_id = "describeArchive",
    get, path = "/api/archives/{name}", tag = "archives",
    params(ArchivePath),
    responses(
        (status = 200, body = Archive),
        (status = 400, body = ErrorBody), (status = 404, body = ErrorBody),
        )
)]
pub async fn describe(
    Scoped(eventbridge): Scoped,
    ApiPath(name): ApiPath<String>,
) -> Result<Json<Archive>, ApiError> {
    let name = ArchiveName::parse(&name)?;
    Ok(Json(eventbridge.describe_archive(&name).await?))
}

#[utoipa::path(
    operation_id = "updateArchive",
    patch, path = "/api/archives/{name}", tag = "archives",
    params(ArchivePath),
    request_body = UpdateArchiveRequest,
    responses(
        (status = 200, body = ArchiveStatus),
        (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 413, body = ErrorBody),
    )
)]
pub async fn update(
    Scoped(eventbridge): Scoped,
    audit: AuditNotes,
    ApiPath(name): ApiPath<String>,
    ApiJson(body): ApiJson<UpdateArchiveRequest>,
) -> Result<Json<ArchiveStatus>, ApiError> {
    let name = ArchiveName::parse(&name)?;
    let update = body.validate()?;
    // What each field was, for the audit record's from → to.
    let before = eventbridge.describe_archive(&name).await?;
    audit.changed(crate::audit::archive_changes(&before, &update));
    Ok(Json(eventbridge.update_archive(&name, update).await?))
}

#[utoipa::path(
    operation_id = "deleteArchive",
    delete, path = "/api/archives/{name}", tag = "archives",
    params(ArchivePath),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        )
)]
pub async fn delete(
    Scoped(eventbridge): Scoped,
    ApiPath(name): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    let name = ArchiveName::parse(&name)?;
    eventbridge.delete_archive(&name).await?;
    Ok(StatusCode::NO_CONTENT)
}
