//! `GET /healthz`: 200 when the database answers, 503 when it does not.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::state::AppState;

/// For load balancers and monitoring; says nothing about the data.
pub async fn show_health(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    if state.store.ping().await {
        (StatusCode::OK, Json(json!({ "status": "ok" })))
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "status": "unavailable", "detail": "The database does not answer." })),
        )
    }
}
