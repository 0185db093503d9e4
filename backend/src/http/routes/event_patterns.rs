//! `/api/event-patterns/test`: try a pattern against a sample event.

use crate::context::Ctx;
use crate::http::extract::{Answer, ApiJson};
use axum::Json;
use shared::ErrorBody;
use shared::event_pattern::{TestEventPatternRequest, TestEventPatternResponse};

#[utoipa::path(
    operation_id = "testEventPattern",
    post, path = "/api/event-patterns/test", tag = "helpers",
    request_body = TestEventPatternRequest,
    responses((status = 200, body = TestEventPatternResponse), (status = 400, body = ErrorBody), (status = 413, body = ErrorBody))
)]
pub async fn test(
    ctx: Ctx,
    ApiJson(body): ApiJson<TestEventPatternRequest>,
) -> Answer<TestEventPatternResponse> {
    let matches = crate::buses::test_pattern(&ctx, body.validate()?).await?;
    Ok(Json(TestEventPatternResponse { matches }))
}
