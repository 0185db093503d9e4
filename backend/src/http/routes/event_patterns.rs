//! `/api/event-patterns/test`: try a pattern against a sample event.

use crate::error::ApiError;
use crate::http::extract::ApiJson;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use shared::ErrorBody;
use shared::event_pattern::{TestEventPatternRequest, TestEventPatternResponse};

#[utoipa::path(
    operation_id = "testEventPattern",
    post, path = "/api/event-patterns/test", tag = "helpers",
    request_body = TestEventPatternRequest,
    responses(
        (status = 200, body = TestEventPatternResponse),
        (status = 400, body = ErrorBody), (status = 413, body = ErrorBody),
        )
)]
pub async fn test(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<TestEventPatternRequest>,
) -> Result<Json<TestEventPatternResponse>, ApiError> {
    let test = body.validate()?;
    let matches = state.eventbridge.test_event_pattern(test).await?;
    Ok(Json(TestEventPatternResponse { matches }))
}
