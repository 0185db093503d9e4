//! `/api/health`: is the process up (open to anyone, calls nothing upstream).

use axum::Json;
use shared::health::Health;

/// Answers as long as the process runs; it does not call EventBridge, so a load
/// balancer never takes Rewind out because of an upstream hiccup.
#[utoipa::path(operation_id = "health", get, path = "/api/health", tag = "meta", responses((status = 200, body = Health)))]
pub async fn health() -> Json<Health> {
    Json(Health::ok())
}
