//! `GET /api/openapi.json` and a readable reference page at `/api`, with nothing loaded from
//! elsewhere (no CDN-hosted viewer).

use askama::Template;
use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};

use crate::extractors::Session;
use crate::pages::{Chrome, ok};
use crate::state::AppState;

/// One operation in the reference.
pub struct OperationRow {
    method: String,
    path: String,
    id: String,
    summary: String,
}

/// The API reference page.
#[derive(Template)]
#[template(path = "pages/api_reference.html")]
pub struct ApiReferencePage {
    chrome: Chrome,
    operations: Vec<OperationRow>,
}

/// `GET /api/openapi.json`
pub async fn show_openapi(State(state): State<AppState>) -> Response {
    Json(state.openapi.as_ref().clone()).into_response()
}

/// `GET /api`
pub async fn show_api_reference(State(state): State<AppState>, session: Session) -> Response {
    let mut operations = Vec::new();
    for (path, item) in &state.openapi.paths.paths {
        let methods = [
            ("GET", &item.get),
            ("POST", &item.post),
            ("PUT", &item.put),
            ("PATCH", &item.patch),
            ("DELETE", &item.delete),
        ];
        for (method, op) in methods {
            if let Some(op) = op {
                operations.push(OperationRow {
                    method: method.to_owned(),
                    path: path.clone(),
                    id: op.operation_id.clone().unwrap_or_default(),
                    summary: op.summary.clone().unwrap_or_default(),
                });
            }
        }
    }
    ok(ApiReferencePage {
        chrome: Chrome::new(&session, "API reference"),
        operations,
    })
}
