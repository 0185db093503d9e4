//! `/api/archives`: list, create, describe, update, delete.

use super::params::ArchivePath;
use crate::archives;
use crate::context::Ctx;
use crate::error::ApiError;
use crate::http::extract::{Answer, ApiJson, ApiQuery, Created, Valid};
use axum::Json;
use axum::http::StatusCode;
use shared::ErrorBody;
use shared::archive::{
    Archive, ArchiveList, ArchiveState, ArchiveStatus, CreateArchiveRequest, UpdateArchiveRequest,
};
use shared::list::ListQuery;
use shared::roles::Operation;
use shared::validation::{ArchiveName, EventBusArn};

#[utoipa::path(
    operation_id = "listArchives",
    get, path = "/api/archives", tag = "archives",
    params(ListQuery),
    responses((status = 200, body = ArchiveList), (status = 400, body = ErrorBody))
)]
pub async fn list(ctx: Ctx, ApiQuery(query): ApiQuery<ListQuery>) -> Answer<ArchiveList> {
    let request = query.parse(EventBusArn::parse, ArchiveState::parse)?;
    Ok(Json(archives::list(&ctx, request).await?))
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
    ctx: Ctx,
    ApiJson(body): ApiJson<CreateArchiveRequest>,
) -> Result<Created<ArchiveStatus>, ApiError> {
    let archive = body.validate()?;
    let location = super::location(Operation::DescribeArchive, &[archive.name.as_str()]);
    Ok(Created(location, archives::create(&ctx, archive).await?))
}

#[utoipa::path(
    operation_id = "describeArchive",
    get, path = "/api/archives/{name}", tag = "archives",
    params(ArchivePath),
    responses((status = 200, body = Archive), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn describe(ctx: Ctx, Valid(name): Valid<ArchiveName>) -> Answer<Archive> {
    Ok(Json(archives::describe(&ctx, &name).await?))
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
    ctx: Ctx,
    Valid(name): Valid<ArchiveName>,
    ApiJson(body): ApiJson<UpdateArchiveRequest>,
) -> Answer<ArchiveStatus> {
    Ok(Json(archives::update(&ctx, &name, body.validate()?).await?))
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
pub async fn delete(ctx: Ctx, Valid(name): Valid<ArchiveName>) -> Result<StatusCode, ApiError> {
    archives::delete(&ctx, &name).await?;
    Ok(StatusCode::NO_CONTENT)
}
