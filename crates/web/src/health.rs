//! Probes for load balancers and orchestrators: liveness (`/livez`) and readiness (`/readyz`,
//! also at `/healthz`). Neither says anything about the data.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::state::AppState;

/// `GET /livez`: 200 while the process answers requests at all. It does not touch the database,
/// so a database outage does not get healthy instances restarted.
pub async fn show_live() -> Json<Value> {
    Json(json!({ "status": "alive" }))
}

/// `GET /readyz`: 200 when the database answers, 503 when it does not, so traffic goes to
/// instances that can serve it.
pub async fn show_ready(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    if state.store.ping().await {
        (StatusCode::OK, Json(json!({ "status": "ok" })))
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "status": "unavailable", "detail": "The database does not answer." })),
        )
    }
}
