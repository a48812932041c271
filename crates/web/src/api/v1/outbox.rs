//! The outbox of sent emails.

use axum::Json;
use axum::extract::{Query, State};
use commonground_store::outbox::OutboxScope;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::Problem;
use crate::dates::rfc3339;
use crate::error::AppResult;
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
pub struct Paging {
    /// How many to return, 1 to 200 (default 50).
    limit: Option<i64>,
    /// How many to skip (default 0).
    offset: Option<i64>,
}

/// Lists the emails sent about the organisation, newest first (organisation admins).
#[utoipa::path(get, path = "/api/v1/organisations/{org_id}/outbox", operation_id = "listOutbox", tag = "outbox",
    security(("bearer" = ["orgAdmin"])),
    params(("org_id" = i64, Path, description = "The organisation's id"), Paging),
    responses((status = 200, body = [OutboxMessageBody]), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn list_outbox(
    State(state): State<AppState>,
    OrgAdmin(admin): OrgAdmin<ApiUser>,
    Query(paging): Query<Paging>,
) -> AppResult<Json<Vec<OutboxMessageBody>>> {
    let limit = paging.limit.unwrap_or(50).clamp(1, 200);
    let offset = paging.offset.unwrap_or(0).max(0);
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
