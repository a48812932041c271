//! The outbox of sent emails.

use axum::Json;
use axum::extract::{Query, State};
use commonground_store::outbox::OutboxScope;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::Problem;
use crate::dates::rfc3339;
use crate::error::{AppError, AppResult};
use crate::extractors::{ApiUser, OrgAdmin};
use crate::state::AppState;

/// An email as stored.
#[derive(Serialize, ToSchema)]
pub struct OutboxMessageBody {
    /// Its id.
    pub id: i64,
    /// The recipient.
    pub to: String,
    /// Subject line.
    pub subject: String,
    /// Plain-text body.
    pub text: String,
    /// HTML body.
    pub html: String,
    /// When it was stored (RFC 3339).
    pub created_at: String,
}

/// Paging through a list, newest first.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct Paging {
    /// How many to return, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub(super) limit: Option<i64>,
    /// How many to skip (default 0).
    #[param(minimum = 0)]
    pub(super) offset: Option<i64>,
}

/// The limit (1 to 200, default 50) and offset (default 0) of a list, or why they cannot be used.
pub(super) fn checked_paging(limit: Option<i64>, offset: Option<i64>) -> AppResult<(i64, i64)> {
    let limit = limit.unwrap_or(50);
    let offset = offset.unwrap_or(0);
    if !(1..=200).contains(&limit) {
        return Err(AppError::BadRequest("limit must be from 1 to 200".into()));
    }
    if offset < 0 {
        return Err(AppError::BadRequest("offset must not be negative".into()));
    }
    Ok((limit, offset))
}

/// Lists the emails sent about the organisation, newest first (organisation admins).
#[utoipa::path(get, path = "/api/v1/organisations/{org_id}/outbox", operation_id = "listOutbox", tag = "outbox",
    security(("bearer" = ["orgAdmin"])),
    params(("org_id" = i64, Path, description = "The organisation's id"), Paging),
    responses((status = 200, body = [OutboxMessageBody]), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn list_outbox(
    State(state): State<AppState>,
    OrgAdmin(admin): OrgAdmin<ApiUser>,
    Query(paging): Query<Paging>,
) -> AppResult<Json<Vec<OutboxMessageBody>>> {
    let (limit, offset) = checked_paging(paging.limit, paging.offset)?;
    let messages = state
        .store
        .list_outbox(OutboxScope::Organisation(admin.org.id), limit, offset)
        .await?;
    Ok(Json(
        messages
            .into_iter()
            .map(|m| OutboxMessageBody {
                id: m.id.0,
                to: m.to,
                subject: m.subject,
                text: m.text,
                html: m.html,
                created_at: rfc3339(m.created_at),
            })
            .collect(),
    ))
}
