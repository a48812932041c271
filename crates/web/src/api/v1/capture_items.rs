//! Notes captured live in a session (themes, good practice, next steps), and polling for new ones.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use commonground_domain::CaptureItemId;
use commonground_store::capture::CaptureItem;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::sessions::{SessionPath, session_in_path};
use crate::api::Problem;
use crate::dates::rfc3339;
use crate::error::{AppError, AppResult};
use crate::extractors::{ApiUser, ReviewRunner};
use crate::sessions;
use crate::state::AppState;

/// What a captured note is.
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum CaptureKindName {
    /// Something the team keeps coming back to.
    Theme,
    /// An example of clinical and finance staff working well together.
    GoodPractice,
    /// Something to do next, which can become an action.
    NextStep,
}

/// A note captured in a session.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"kind": "next_step", "text": "Finance business partner to join the theatre planning meeting monthly"}))]
pub struct CaptureItemRequest {
    /// `theme`, `good_practice` or `next_step`.
    #[schema(value_type = CaptureKindName)]
    pub kind: String,
    /// What was noted (up to 1,000 characters; line breaks allowed).
    #[schema(min_length = 1, max_length = 1000)]
    pub text: String,
}

/// A captured note. Notes are not tied to who wrote them.
#[derive(Serialize, ToSchema)]
pub struct CaptureItemBody {
    /// Its id; later notes have larger ids.
    pub id: i64,
    /// `theme`, `good_practice` or `next_step`.
    pub kind: String,
    /// What was noted.
    pub text: String,
    /// When (RFC 3339).
    pub created_at: String,
}

impl From<CaptureItem> for CaptureItemBody {
    fn from(item: CaptureItem) -> Self {
        Self {
            id: item.id.0,
            kind: item.kind,
            text: item.body,
            created_at: rfc3339(item.created_at),
        }
    }
}

/// Polling for new notes: those after the last id seen, oldest first.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CaptureQuery {
    /// Only notes with a larger id than this (default: from the first).
    #[param(minimum = 0)]
    pub after: Option<i64>,
    /// At most this many, 1 to 200 (default 200); ask again after the last id for more.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
}

/// Adds a note to a session; everyone's live pages show it.
#[utoipa::path(post, path = "/api/v1/organisations/{org_id}/reviews/{review_id}/sessions/{session}/capture-items", operation_id = "addCaptureItem", tag = "sessions",
    security(("bearer" = ["reviewRunner"])),
    params(("org_id" = i64, Path, description = "The organisation's id"), ("review_id" = i64, Path, description = "The review's id"),
        ("session" = i64, Path, description = "1 or 2 (any other number is not found)", minimum = 1, maximum = 2)),
    request_body = CaptureItemRequest,
    responses((status = 201, body = CaptureItemBody), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem), (status = 429, description = "The session has had 60 notes in the last minute", body = Problem)))]
pub async fn add_capture_item(
    State(state): State<AppState>,
    runner: ReviewRunner<ApiUser>,
    Path(path): Path<SessionPath>,
    Json(request): Json<CaptureItemRequest>,
) -> AppResult<(StatusCode, Json<CaptureItemBody>)> {
    let session = session_in_path(&path)?;
    let (org, review) = (runner.member.org.id, runner.review.id);
    let id = sessions::capture(&state, org, review, session, &request.kind, &request.text).await?;
    let item = state
        .store
        .capture_items(org, review, session, Some(CaptureItemId(id.0 - 1)))
        .await?
        .into_iter()
        .find(|item| item.id == id)
        .ok_or(AppError::NotFound)?;
    Ok((StatusCode::CREATED, Json(item.into())))
}

/// A session's notes, oldest first; pass the last id seen as `after` to poll for new ones.
#[utoipa::path(get, path = "/api/v1/organisations/{org_id}/reviews/{review_id}/sessions/{session}/capture-items", operation_id = "listCaptureItems", tag = "sessions",
    security(("bearer" = ["reviewRunner"])),
    params(("org_id" = i64, Path, description = "The organisation's id"), ("review_id" = i64, Path, description = "The review's id"),
        ("session" = i64, Path, description = "1 or 2 (any other number is not found)", minimum = 1, maximum = 2), CaptureQuery),
    responses((status = 200, body = [CaptureItemBody]), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn list_capture_items(
    State(state): State<AppState>,
    runner: ReviewRunner<ApiUser>,
    Path(path): Path<SessionPath>,
    Query(query): Query<CaptureQuery>,
) -> AppResult<Json<Vec<CaptureItemBody>>> {
    let session = session_in_path(&path)?;
    let limit = query.limit.unwrap_or(200);
    if !(1..=200).contains(&limit) {
        return Err(AppError::BadRequest("limit must be from 1 to 200".into()));
    }
    let after = query.after.unwrap_or(0);
    if after < 0 {
        return Err(AppError::BadRequest("after must not be negative".into()));
    }
    let items = state
        .store
        .capture_items(
            runner.member.org.id,
            runner.review.id,
            session,
            Some(CaptureItemId(after)),
        )
        .await?;
    Ok(Json(
        items
            .into_iter()
            .take(usize::try_from(limit).unwrap_or(200))
            .map(CaptureItemBody::from)
            .collect(),
    ))
}
